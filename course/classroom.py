"""The simulated class: learners' submissions built from the source notebooks.

Every assignment gets two learners for free: `full_marks` (the source solutions pasted into
the release notebook) and `untouched` (the release notebook as handed out). Each
`classroom/<assignment>.toml` adds learners who make one classic mistake, written as text
edits of the solution code, and learners whose submission is broken on purpose:

    [[mistake]]
    learner = "m01_drops_last_batch"
    notebook = "minibatch"                # notebook name without .ipynb
    cell = "random_mini_batches"          # grade_id of the solution cell to edit
    replace = [["if m % mini_batch_size != 0:", "if False:"]]
    fails = ["test_batches_sizes", ...]   # grade cells this mistake must fail (derived by hand)
    why = "The last, smaller mini-batch is dropped."

    [[broken]]
    learner = "x01_corrupt_json"
    notebook = "minibatch"
    kind = "invalid_json"                 # see BROKEN_KINDS
    status = "invalid notebook"           # the status the grader must report

A learner's expected score is the notebook's points minus the points of the cells in `fails`.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from . import ROOT

MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


@dataclass
class Learner:
    learner: str
    notebook: str | None = None  # None: every graded notebook of the assignment
    cell: str | None = None
    replace: list = field(default_factory=list)
    fails: list | None = None  # None: every grade cell fails (the untouched release)
    why: str = ""
    kind: str = "mistake"  # "solution", "release", "mistake", or a BROKEN_KINDS key
    status: str = "graded"


def load_class(assignment: str, classroom_dir: Path | None = None) -> list[Learner]:
    """The learners of one assignment: full_marks, untouched, then the TOML's learners."""
    learners = [
        Learner("full_marks", kind="solution", fails=[], why="Pastes the instructor's solutions."),
        Learner("untouched", kind="release", fails=None, why="Submits the release as handed out."),
    ]
    path = (classroom_dir or ROOT / "classroom") / f"{assignment}.toml"
    if path.exists():
        spec = tomllib.loads(path.read_text(encoding="utf-8"))
        learners += [Learner(**m) for m in spec.get("mistake", [])]
        for b in spec.get("broken", []):
            b = dict(b)
            b.setdefault("fails", None)  # a broken file scores 0 unless the TOML says otherwise
            learners.append(Learner(kind=b.pop("kind"), **b))
    names = [x.learner for x in learners]
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: learner ids must be unique, got {names}")
    return learners


def solution_code(cell_source: str) -> str:
    """The source cell's code without the BEGIN/END SOLUTION marker lines."""
    return "\n".join(line for line in cell_source.splitlines() if not MARKER.match(line))


def solved(release_nb, source_nb, edits: dict[str, list] | None = None):
    """The release notebook with every solution cell filled from the source notebook.

    `edits` maps a solution cell's grade_id to [old, new] text replacements (a mistake).
    An edit whose `old` text is not in the solution raises, so a stale catalogue fails loudly.
    """
    nb = copy.deepcopy(release_nb)
    sources = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source_nb.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    edits = dict(edits or {})
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("solution"):
            continue
        code = solution_code(sources[meta["grade_id"]])
        for old, new in edits.pop(meta["grade_id"], []):
            if old not in code:
                raise ValueError(f"mistake edit for cell {meta['grade_id']!r}: {old!r} not found")
            code = code.replace(old, new)
        cell.source = code
    if edits:
        raise ValueError(f"mistake edits name unknown solution cells: {sorted(edits)}")
    return nb


# Submissions broken on purpose. Each returns the file's bytes (or None: delete the file).
BROKEN_KINDS = {
    "invalid_json": lambda nb: b'{"cells": [ this is not json',
    "not_a_notebook": lambda nb: json.dumps({"hello": "world"}).encode(),
    "empty_file": lambda nb: b"",
    "missing": lambda nb: None,
}

# Code-level sabotage, added as an extra cell before the first grade cell.
SABOTAGE = {
    "infinite_loop": "while True:\n    pass\n",
    "kernel_exit": "import os\nos._exit(1)\n",
}


def submission_bytes(learner: Learner, release_nb, source_nb) -> bytes | None:
    """The bytes of one learner's submitted notebook (None when the learner submits nothing)."""
    if learner.kind == "release":
        nb = copy.deepcopy(release_nb)
    elif learner.kind in ("solution", "mistake"):
        nb = solved(release_nb, source_nb, {learner.cell: learner.replace} if learner.cell else None)
    elif learner.kind in BROKEN_KINDS:
        return BROKEN_KINDS[learner.kind](release_nb)
    elif learner.kind in SABOTAGE:
        nb = solved(release_nb, source_nb)
        first_test = next(i for i, c in enumerate(nb.cells)
                          if c.metadata.get("nbgrader", {}).get("grade"))
        nb.cells.insert(first_test, nbformat.v4.new_code_cell(SABOTAGE[learner.kind]))
    else:
        raise ValueError(f"unknown learner kind {learner.kind!r}")
    return nbformat.writes(nb).encode()


def build_submissions(course_dir: Path, assignment: str, graded: list[str],
                      classroom_dir: Path | None = None) -> list[Learner]:
    """Write `submitted/<learner>/<assignment>/<notebook>.ipynb` for the whole simulated class.

    `graded` lists the graded notebook names; learners get the release copies of the other
    (reference) notebooks untouched, as a real learner would hand them back.
    """
    learners = load_class(assignment, classroom_dir)
    release_dir = course_dir / "release" / assignment
    source_dir = course_dir / "source" / assignment
    for learner in learners:
        out = course_dir / "submitted" / learner.learner / assignment
        out.mkdir(parents=True, exist_ok=True)
        for name in graded:
            target = out / f"{name}.ipynb"
            if learner.notebook not in (None, name) and learner.kind != "release":
                data = nbformat.writes(solved(
                    nbformat.read(release_dir / f"{name}.ipynb", as_version=4),
                    nbformat.read(source_dir / f"{name}.ipynb", as_version=4))).encode()
            else:
                data = submission_bytes(learner,
                                        nbformat.read(release_dir / f"{name}.ipynb", as_version=4),
                                        nbformat.read(source_dir / f"{name}.ipynb", as_version=4))
            if data is None:
                target.unlink(missing_ok=True)
            else:
                target.write_bytes(data)
    return learners


def expected_scores(learner: Learner, notebook_path: Path) -> tuple[float, float, set[str]]:
    """(expected score, max score, grade ids expected to fail) for one learner and notebook."""
    nb = nbformat.read(notebook_path, as_version=4)
    points = {c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
              for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    name = notebook_path.stem
    if learner.kind in BROKEN_KINDS:
        failing = set(points)
    elif learner.notebook not in (None, name) and learner.kind != "release":
        failing = set()
    elif learner.fails is None:
        failing = set(points)
    else:
        unknown = set(learner.fails) - set(points)
        if unknown:
            raise ValueError(f"{learner.learner}: fails names unknown grade cells {sorted(unknown)}")
        failing = set(learner.fails)
    total = sum(points.values())
    return total - sum(points[g] for g in failing), total, failing
