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
    says = "last, smaller mini-batch is missing"  # what a failing cell's message must say
    why = "The last, smaller mini-batch is dropped."

    [[broken]]
    learner = "x01_corrupt_json"
    notebook = "minibatch"
    kind = "invalid_json"                 # see BROKEN_KINDS
    status = "invalid notebook"           # the status the grader must report

Broken kinds: BROKEN_KINDS (the file itself), FILE_KINDS (misnamed or extra files), SABOTAGE
(a hostile code cell before the tests: loops, exits, memory, output floods, tampering) and
STRUCTURE_KINDS (deleted, edited, copied or moved test cells, kernelspec, edited course cells).
`tests/test_hostile.py` grades the whole catalogue together with correct learners.

A learner's expected score is the notebook's points minus the points of the cells in `fails`.
`says` (a mistake's diagnosis, matched case-insensitively) is how the pipeline checks that the
tests name the mistake: `message_report` counts the failing cells whose message contains it.
"""

from __future__ import annotations

import copy
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .. import ROOT

MARKER = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


@dataclass
class Learner:
    learner: str
    notebook: str | None = None  # None: every graded notebook of the assignment
    cell: str | None = None
    replace: list = field(default_factory=list)
    fails: list | None = None  # None: every grade cell fails (the untouched release)
    why: str = ""
    says: str = ""  # text every failing cell's message should contain (the named mistake)
    kind: str = "mistake"  # "solution", "release", "mistake", or a BROKEN_KINDS/FILE_KINDS/
    #                        SABOTAGE/STRUCTURE_KINDS key
    status: str = "graded"
    flags: list = field(default_factory=list)  # words each expected flag must contain
    timestamp: str | None = None  # written to timestamp.txt (nbgrader's submission time)


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

# Submissions whose files are misnamed: the correct notebook under another name (the expected
# file is missing), or the correct notebook plus an unexpected extra one.
FILE_KINDS = {
    "renamed": "{name}-Copy1.ipynb",
    "extra_notebook": "scratch_work.ipynb",
}

# Code-level sabotage, added as an extra cell before the first grade cell of a solved
# notebook (with the learner's `cell`/`replace` mistake applied, if any). Tampering cells
# print what they managed to do, so the tests can read the autograded notebook.
SABOTAGE = {
    "infinite_loop": "while True:\n    pass\n",
    "kernel_exit": "import os\nos._exit(1)\n",
    "ignore_interrupt": ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                         "while True:\n    pass\n"),
    "sleep_past_timeout": "import time\ntime.sleep(10_000)\n",
    "huge_memory": "hog = np.ones(8 * 2**30)  # 64 GB of float64\n",
    "flood_output": "print('x' * 20_000_000)\nfor _i in range(5000):\n    print(_i)\n",
    "redefine_helpers": ("def check_close(*args, **kwargs):\n    return None\n\n\n"
                         "def check_dict_close(*args, **kwargs):\n    return None\n\n\n"
                         "def check_keys(*args, **kwargs):\n    return None\n"),
    "monkeypatch_numpy": ("np.allclose = lambda *a, **k: True\n"
                          "np.isclose = lambda a, b, **k: np.ones(np.shape(a), dtype=bool)\n"
                          "np.testing.assert_allclose = lambda *a, **k: None\n"
                          "np.array_equal = lambda *a, **k: True\n"),
    "write_grader_files": (
        "import glob, os\n"
        "_targets = ['../../../gradebook.db', '../../../source/{assignment}/{name}.ipynb',\n"
        "            '{course_dir}/gradebook.db', '{course_dir}/nbgrader_config.py',\n"
        "            '{course_dir}/source/{assignment}/{name}.ipynb',\n"
        "            '{course_package}/testing.py']\n"
        "for _t in _targets:\n"
        "    try:\n"
        "        with open(_t, 'a') as _f:\n"
        "            _f.write('')\n"
        "        print('TAMPER-WROTE', _t)\n"
        "    except OSError as _e:\n"
        "        print('TAMPER-BLOCKED', _t, type(_e).__name__)\n"),
    "read_instructor_files": (
        "import os\n"
        "_targets = ['../../../source/{assignment}/{name}.ipynb', '../../../gradebook.db',\n"
        "            '{course_dir}/source/{assignment}/{name}.ipynb',\n"
        "            '{course_dir}/gradebook.db',\n"
        "            '{repo}/source/{assignment}/{name}.py', os.path.expanduser('~root/.bashrc')]\n"
        "for _t in _targets:\n"
        "    try:\n"
        "        with open(_t, 'rb') as _f:\n"
        "            print('TAMPER-READ', _t, len(_f.read()))\n"
        "    except OSError as _e:\n"
        "        print('TAMPER-BLOCKED', _t, type(_e).__name__)\n"),
}

# Notebook-structure changes a learner (or Jupyter) makes to a solved notebook.
STRUCTURE_KINDS = ("delete_test_cell", "edit_test_cell", "copy_test_cell", "reorder_cells",
                   "change_kernelspec", "edit_checker_cell", "redefine_checker")


def _grade_cell_indices(nb) -> list[int]:
    return [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")]


def restructure(nb, kind: str):
    """Apply one STRUCTURE_KINDS change to a (solved) notebook, in place; return it."""
    tests = _grade_cell_indices(nb)
    if kind == "delete_test_cell":
        del nb.cells[tests[0]]
    elif kind == "edit_test_cell":
        for i in tests:
            nb.cells[i].source = "assert True\n"
    elif kind == "copy_test_cell":
        # Jupyter's copy-paste keeps the cell's nbgrader metadata: the grade id is duplicated.
        nb.cells.insert(tests[0], copy.deepcopy(nb.cells[tests[0]]))
        nb.cells[tests[0]].id = nb.cells[tests[0]].id + "-copy"
    elif kind == "reorder_cells":
        # The first grade cell moves to the end of the notebook.
        nb.cells.append(nb.cells.pop(tests[0]))
    elif kind == "change_kernelspec":
        nb.metadata["kernelspec"] = {"name": "evil", "display_name": "Evil", "language": "python"}
    elif kind in ("edit_checker_cell", "redefine_checker"):
        # A course cell (not an exercise, not a test) defines a checker the tests call; the
        # learner replaces it with one that accepts anything: in that (read-only) cell, or in
        # a new cell right after it.
        for i, cell in enumerate(nb.cells):
            meta = cell.metadata.get("nbgrader", {})
            names = re.findall(r"^def (check\w*)\(", cell.source, flags=re.M)
            if cell.cell_type == "code" and names and not meta.get("grade") \
                    and not meta.get("solution"):
                fake = (f"def {names[0]}(*args, **kwargs):  # the learner's edit\n"
                        "    return np.random.default_rng(0).permutation(10**6)\n")
                if kind == "edit_checker_cell":
                    cell.source += "\n\n\n" + fake
                else:
                    nb.cells.insert(i + 1, nbformat.v4.new_code_cell(fake))
                break
        else:
            raise ValueError("no course cell defines a check_* function")
    else:
        raise ValueError(f"unknown structure kind {kind!r}")
    return nb


def _first_test_index(nb) -> int:
    return _grade_cell_indices(nb)[0]


def submission_bytes(learner: Learner, release_nb, source_nb, context: dict | None = None
                     ) -> bytes | None:
    """The bytes of one learner's submitted notebook (None when the learner submits nothing).

    `context` fills the placeholders of SABOTAGE cells ({course_dir}, {assignment}, ...).
    """
    edits = {learner.cell: learner.replace} if learner.cell else None
    if learner.kind == "release":
        nb = copy.deepcopy(release_nb)
    elif learner.kind in ("solution", "mistake") or learner.kind in FILE_KINDS:
        nb = solved(release_nb, source_nb, edits)
    elif learner.kind in BROKEN_KINDS:
        return BROKEN_KINDS[learner.kind](release_nb)
    elif learner.kind in SABOTAGE:
        nb = solved(release_nb, source_nb, edits)
        code = SABOTAGE[learner.kind]
        for key, value in (context or {}).items():
            code = code.replace("{" + key + "}", str(value))
        nb.cells.insert(_first_test_index(nb), nbformat.v4.new_code_cell(code))
    elif learner.kind in STRUCTURE_KINDS:
        nb = restructure(solved(release_nb, source_nb, edits), learner.kind)
    else:
        raise ValueError(f"unknown learner kind {learner.kind!r}")
    return nbformat.writes(nb).encode()


def hostile_class(mistake: Learner | None = None) -> list[Learner]:
    """The adversarial catalogue, for any assignment: every broken kind, graded together with
    correct learners by tests/test_hostile.py and timed by `python -m course bench-grading`.

    `mistake` (a learner with `cell`/`replace`/`fails`) is applied under the tampering
    learners, so a tamper that worked would show as points they did not earn. Expected
    `flags` are words the driver's flags must contain.
    """
    edit = {"cell": mistake.cell, "replace": mistake.replace} if mistake else {}
    wrong = list(mistake.fails) if mistake else []
    L = Learner
    return [
        L("ok_full_marks", kind="solution", fails=[]),
        L("ok_untouched", kind="release", fails=None),
        L("ok_late", kind="solution", fails=[], timestamp="2025-01-02 00:00:00.000000 UTC"),
        L("h_invalid_json", kind="invalid_json", status="invalid notebook"),
        L("h_not_a_notebook", kind="not_a_notebook", status="invalid notebook"),
        L("h_empty_file", kind="empty_file", status="invalid notebook"),
        L("h_missing", kind="missing", status="missing"),
        L("h_renamed", kind="renamed", status="missing", flags=["unexpected file"]),
        L("h_extra_notebook", kind="extra_notebook", fails=[], flags=["unexpected file"]),
        L("h_infinite_loop", kind="infinite_loop", status="timed out", fails=[]),
        L("h_ignore_interrupt", kind="ignore_interrupt", status="timed out", fails=None,
          flags=["imports signal"]),
        L("h_sleep_past_timeout", kind="sleep_past_timeout", status="timed out", fails=[]),
        L("h_kernel_exit", kind="kernel_exit", status="kernel died", fails=None),
        L("h_huge_memory", kind="huge_memory", status="out of memory", fails=[]),
        L("h_flood_output", kind="flood_output", fails=[], flags=["cut to size"]),
        L("h_delete_test_cell", kind="delete_test_cell", fails=[], flags=["deleted test cell"]),
        L("h_edit_test_cell", kind="edit_test_cell", fails=wrong, flags=["edited test cell"],
          **edit),
        L("h_copy_test_cell", kind="copy_test_cell", fails=[], flags=["copied cell"]),
        L("h_reorder_cells", kind="reorder_cells", fails=[], flags=["reordered"]),
        L("h_change_kernelspec", kind="change_kernelspec", fails=[], flags=["kernelspec"]),
        L("h_edit_checker_cell", kind="edit_checker_cell", fails=wrong,
          flags=["edited read-only cell"], **edit),
        L("h_redefine_checker", kind="redefine_checker", status="flagged", fails=wrong,
          flags=["redefines check"], **edit),
        L("h_redefine_helpers", kind="redefine_helpers", status="flagged", fails=wrong,
          flags=["redefines check_"], **edit),
        L("h_monkeypatch_numpy", kind="monkeypatch_numpy", status="flagged", fails=wrong,
          flags=["assigns np.allclose"], **edit),
        L("h_write_grader_files", kind="write_grader_files", status="flagged", fails=[],
          flags=["uses open"]),
        L("h_read_instructor_files", kind="read_instructor_files", status="flagged", fails=[],
          flags=["uses open"]),
    ]


def build_submissions(course_dir: Path, assignment: str, graded: list[str],
                      classroom_dir: Path | None = None, only: set[str] | None = None,
                      learners: list[Learner] | None = None) -> list[Learner]:
    """Write `submitted/<learner>/<assignment>/<notebook>.ipynb` for the whole simulated class.

    `graded` lists the graded notebook names; learners get the release copies of the other
    (reference) notebooks untouched, as a real learner would hand them back.
    """
    learners = learners if learners is not None else load_class(assignment, classroom_dir)
    if only is not None:
        learners = [x for x in learners if x.learner in only]
    release_dir = course_dir / "release" / assignment
    source_dir = course_dir / "source" / assignment
    for learner in learners:
        out = course_dir / "submitted" / learner.learner / assignment
        out.mkdir(parents=True, exist_ok=True)
        if learner.timestamp:
            (out / "timestamp.txt").write_text(learner.timestamp)
        for name in graded:
            target = out / f"{name}.ipynb"
            if learner.notebook not in (None, name) and learner.kind != "release":
                data = nbformat.writes(solved(
                    nbformat.read(release_dir / f"{name}.ipynb", as_version=4),
                    nbformat.read(source_dir / f"{name}.ipynb", as_version=4))).encode()
            else:
                context = {"course_dir": course_dir.resolve(), "assignment": assignment,
                           "name": name, "repo": ROOT, "course_package": ROOT / "course"}
                data = submission_bytes(learner,
                                        nbformat.read(release_dir / f"{name}.ipynb", as_version=4),
                                        nbformat.read(source_dir / f"{name}.ipynb", as_version=4),
                                        context)
            if learner.kind in FILE_KINDS and learner.notebook in (None, name):
                extra = out / FILE_KINDS[learner.kind].format(name=name)
                extra.write_bytes(data)
                if learner.kind == "renamed":
                    data = None
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
    if learner.kind in BROKEN_KINDS or learner.kind == "renamed":
        failing = set(points)
    elif learner.notebook not in (None, name) and learner.kind != "release":
        failing = set()
    elif learner.fails is None:
        failing = set(points)
    else:
        unknown = set(learner.fails) - set(points)
        if unknown:
            raise ValueError(f"{learner.learner}: fails names unknown grade cells "
                             f"{sorted(unknown)}")
        failing = set(learner.fails)
    total = sum(points.values())
    return total - sum(points[g] for g in failing), total, failing


def failure_messages(path: Path) -> dict[str, str]:
    """{grade id: "ErrorName: message"} for every grade cell of an executed notebook that raised."""
    nb = nbformat.read(path, as_version=4)
    out = {}
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if meta.get("grade") and errors:
            out[meta["grade_id"]] = f"{errors[-1].get('ename')}: {errors[-1].get('evalue')}"
    return out


@dataclass
class MessageCheck:
    learner: str
    notebook: str
    grade_id: str
    says: str
    message: str

    @property
    def named(self) -> bool:
        return self.says.lower() in self.message.lower()


def message_report(course_dir: Path, assignment: str, learners: list[Learner],
                   graded: list[str]) -> list[MessageCheck]:
    """One MessageCheck per failing grade cell of every mistake learner, read from the
    autograded notebooks: does the message say the learner's mistake (`says`)?"""
    checks = []
    for learner in learners:
        if learner.kind != "mistake" or not learner.fails:
            continue
        for name in graded:
            if learner.notebook not in (None, name):
                continue
            path = course_dir / "autograded" / learner.learner / assignment / f"{name}.ipynb"
            messages = failure_messages(path) if path.exists() else {}
            for gid in learner.fails:
                checks.append(MessageCheck(learner.learner, name, gid, learner.says,
                                           messages.get(gid, "(no error message)")))
    return checks
