"""Scratch course directories with simulated classes, for the grading tests.

The chapter-01 notebook is copied without its demonstration cells (training runs and plots
after the last grade cell): the tests exercise the grader, and those cells only add seconds
per learner. The per-cell timeout is 5 s (the chapter's slowest graded cell takes well under
1 s), so each timing-based hostile submission costs 5 s.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from course import ROOT, grader, notebooks
from course.grader import classroom

ASSIGNMENT = "01_minibatch"
NOTEBOOK = "minibatch"
TIMEOUT = 5
DUEDATE = "2025-01-01 00:00:00 UTC"


def make_course(tmp: Path, extra_config: str = "", db_url: str | None = None) -> Path:
    """tmp/ as an nbgrader course with the trimmed chapter 01, released, due DUEDATE."""
    tmp.mkdir(parents=True, exist_ok=True)
    config = (ROOT / "nbgrader_config.py").read_text()
    (tmp / "nbgrader_config.py").write_text(
        f"{config}\nc.Execute.timeout = {TIMEOUT}\n{extra_config}")
    src = tmp / "source" / ASSIGNMENT
    src.mkdir(parents=True)
    nb = nbformat.read(ROOT / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    last = max(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade"))
    nb.cells = nb.cells[:last + 1]
    (src / f"{NOTEBOOK}.ipynb").write_text(notebooks.dumps(nb))
    grader.release(tmp, [ASSIGNMENT], quiet=True, duedate=DUEDATE, db_url=db_url)
    return tmp


def mistakes() -> dict[str, classroom.Learner]:
    return {x.learner: x for x in classroom.load_class(ASSIGNMENT) if x.kind == "mistake"}


def small_class() -> list[classroom.Learner]:
    """Correct, untouched, two mistakes and a kernel that exits."""
    m = mistakes()
    return [*classroom.load_class(ASSIGNMENT)[:2], m["m01_drops_last_batch"],
            m["m01_separate_shuffles"],
            classroom.Learner("h_kernel_exit", kind="kernel_exit", status="kernel died")]


def build(course: Path, learners: list[classroom.Learner]) -> None:
    classroom.build_submissions(course, ASSIGNMENT, [NOTEBOOK], learners=learners)


def expected(course: Path, learners) -> dict[str, tuple[float, str]]:
    """{learner: (expected score, expected status)}."""
    path = course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    return {x.learner: (classroom.expected_scores(x, path)[0], x.status) for x in learners}


def copy_course(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def graded_sources() -> list[Path]:
    """Every chapter's graded source notebook (solutions in place)."""
    return [p for a in notebooks.assignments(ROOT / "source")
            for p in notebooks.graded_notebooks(ROOT / "source" / a)]
