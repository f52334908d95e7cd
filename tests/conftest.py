"""Shared fixtures: paths, and a scratch nbgrader course directory built from the repository."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Kernels started by the tests must find the course package and the venv's tools.
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from course import notebooks  # noqa: E402

# OPTDL_ASSIGNMENTS=01_minibatch,02_ewma limits a run to some chapters while writing them.
ASSIGNMENTS = [a for a in notebooks.assignments(ROOT / "source")
               if not os.environ.get("OPTDL_ASSIGNMENTS")
               or a in os.environ["OPTDL_ASSIGNMENTS"].split(",")]
GRADED = [p for a in ASSIGNMENTS for p in notebooks.graded_notebooks(ROOT / "source" / a)]
REFERENCE = [p for a in ASSIGNMENTS for p in sorted((ROOT / "source" / a).glob("*.ipynb"))
             if p not in GRADED]


def make_course_dir(tmp: Path, assignments) -> Path:
    """A scratch course directory: nbgrader_config.py and a copy of source/<a> for each a."""
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", tmp)
    for a in assignments:
        shutil.copytree(ROOT / "source" / a, tmp / "source" / a)
    return tmp


@pytest.fixture(scope="session")
def released(tmp_path_factory) -> Path:
    """A scratch course directory where every assignment has been released by nbgrader."""
    from course import grader

    course = make_course_dir(tmp_path_factory.mktemp("released"), ASSIGNMENTS)
    grader.release(course, ASSIGNMENTS, quiet=True)
    return course


@pytest.fixture(scope="session")
def simulated_class(tmp_path_factory) -> tuple[Path, int]:
    """The main job on the simulated class of ASSIGNMENTS, run once per session (it grades
    every learner of every chapter): (its course directory, its exit status). Shared by the
    grade checks (test_grading.py) and the class report's (test_report.py)."""
    from course import grader

    work = tmp_path_factory.mktemp("simulated") / "demo"
    code = grader.demo(ROOT, ASSIGNMENTS, workers=2, work_dir=work, publish=False)
    return work, code


def split_region(source: str, region: str) -> tuple[list[str], list[str]]:
    """(lines inside `### BEGIN <region>` ... `### END <region>`, lines outside), stripped
    of the marker lines themselves."""
    inside, outside, within = [], [], False
    for line in source.splitlines():
        if f"BEGIN {region}" in line:
            within = True
        elif f"END {region}" in line:
            within = False
        else:
            (inside if within else outside).append(line)
    return inside, outside


def distinctive(lines, min_len: int) -> set[str]:
    """Stripped code lines long enough not to appear anywhere by chance (comments skipped)."""
    return {x.strip() for x in lines if len(x.strip()) >= min_len and not x.strip().startswith("#")}
