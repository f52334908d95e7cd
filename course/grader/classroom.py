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
from .sandbox import BASE_UID

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

# Attacks on other learners and on the grader through the machine (issue 11): graded by
# tests/test_isolation.py between honest learners (`isolation_class`). Like SABOTAGE, a cell
# before the first grade cell; kinds in STUB_SABOTAGE start from the release notebook (the
# learner wrote nothing and tries to get the solutions elsewhere); ISOLATION_SABOTAGE_END
# cells go after the last cell.
_DAEMON = '''
import os, signal, time  # optdl-leftover-daemon
parent = os.getppid()
while os.getppid() == parent:
    time.sleep(0.05)
end = time.time() + 60
while time.time() < end:
    if os.fork():
        os._exit(0)
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    time.sleep(0.02)
'''
ISOLATION_SABOTAGE = {
    # A process that outlives the learner's kernel, then kills every process of its uid
    # (the next learner's kernel on that grading slot), forking to dodge a /proc sweep.
    # It only starts under a sandbox uid: as the grader's own user it would kill the grader.
    "leftover_daemon": (
        "import os, subprocess, sys\n"
        f"_code = {_DAEMON!r}\n"
        "if os.getuid() >= {base_uid}:\n"
        "    subprocess.Popen([sys.executable, '-c', _code], start_new_session=True,\n"
        "                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,\n"
        "                     stderr=subprocess.DEVNULL)\n"
        "    print('DAEMON-STARTED')\n"),
    # Leaves its solutions in /tmp and /dev/shm, readable by anyone, for the next learner.
    "leave_tmp_files": (
        "import os\n"
        "_code = '\\n'.join(In[1:-1])\n"
        "for _t in ['/tmp/optdl-leftover-{name}.py', '/dev/shm/optdl-leftover-{name}.py']:\n"
        "    try:\n"
        "        with open(_t, 'w') as _f:\n"
        "            _f.write(_code)\n"
        "        os.chmod(_t, 0o666)\n"
        "        print('TAMPER-LEFT', _t)\n"
        "    except OSError as _e:\n"
        "        print('TAMPER-NOT-LEFT', _t, type(_e).__name__)\n"),
    # Wrote nothing; runs the solutions a previous learner left in /tmp or /dev/shm.
    "take_tmp_files": (
        "for _t in ['/tmp/optdl-leftover-{name}.py', '/dev/shm/optdl-leftover-{name}.py']:\n"
        "    try:\n"
        "        with open(_t) as _f:\n"
        "            _code = _f.read()\n"
        "    except OSError as _e:\n"
        "        print('TAMPER-BLOCKED', _t, type(_e).__name__)\n"
        "        continue\n"
        "    print('TAMPER-READ', _t)\n"
        "    exec(_code, globals())\n"
        "    break\n"),
    # Wrote nothing; runs the solutions of the source notebook found by an absolute path
    # (the course directory, the repository), reads system files, looks for the grader's
    # processes' command lines.
    "read_outside": (
        "import json, os\n"
        "for _t in ['{course_dir}/source/{assignment}/{name}.ipynb',\n"
        "           '{repo}/source/{assignment}/{name}.ipynb']:\n"
        "    try:\n"
        "        with open(_t) as _f:\n"
        "            _nb = json.load(_f)\n"
        "    except OSError as _e:\n"
        "        print('TAMPER-BLOCKED', _t, type(_e).__name__)\n"
        "        continue\n"
        "    print('TAMPER-READ', _t)\n"
        "    for _c in _nb['cells']:\n"
        "        _src = ''.join(_c['source'])\n"
        "        if _c['cell_type'] == 'code' and 'BEGIN SOLUTION' in _src:\n"
        "            exec(_src, globals())\n"
        "    break\n"
        "for _t in ['/etc/passwd', '/etc/hostname', '/root/.bashrc', '{repo}/README.md']:\n"
        "    try:\n"
        "        with open(_t, 'rb') as _f:\n"
        "            print('TAMPER-READ', _t, len(_f.read()))\n"
        "    except OSError as _e:\n"
        "        print('TAMPER-BLOCKED', _t, type(_e).__name__)\n"
        "_seen = []\n"
        "for _p in os.listdir('/proc'):\n"
        "    try:\n"
        "        with open('/proc/' + _p + '/cmdline', 'rb') as _f:\n"
        "            _cmd = _f.read()\n"
        "    except OSError:\n"
        "        continue\n"
        "    if b'nbgrader' in _cmd or b'autograde' in _cmd:\n"
        "        _seen.append(_p)\n"
        "print('TAMPER-PROCS', len(_seen))\n"),
    # 300 MiB straight to file descriptors 1 and 2 (past sys.stdout and the output cap).
    "flood_fd1": (
        "import os\n"
        "_chunk = b'x' * 2**20\n"
        "for _fd in (1, 2):\n"
        "    _n = 0\n"
        "    try:\n"
        "        for _i in range(300):\n"
        "            os.write(_fd, _chunk)\n"
        "            _n += 1\n"
        "    except OSError as _e:\n"
        "        print('FLOOD-STOPPED', _fd, _n, type(_e).__name__)\n"
        "    else:\n"
        "        print('FLOOD-WROTE', _fd, _n)\n"),
    # The learner's functions print the source of the grade cell that calls them.
    "leak_test_source": (
        "import functools, inspect, linecache\n"
        "_printed = set()\n"
        "def _leak(_f):\n"
        "    @functools.wraps(_f)\n"
        "    def _w(*a, **k):\n"
        "        _file = inspect.currentframe().f_back.f_code.co_filename\n"
        "        if _file not in _printed:\n"
        "            _printed.add(_file)\n"
        "            print('LEAK-LINECACHE', ''.join(linecache.getlines(_file)))\n"
        "        return _f(*a, **k)\n"
        "    return _w\n"
        "for _n, _f in list(globals().items()):\n"
        "    if inspect.isfunction(_f) and not _n.startswith('_') \\\n"
        "            and getattr(_f, '__module__', '') == '__main__':\n"
        "        globals()[_n] = _leak(_f)\n"),
}
ISOLATION_SABOTAGE_END = {
    # ...and, after the last test, IPython's input history (every grade cell's source).
    "leak_test_source": "print('LEAK-HISTORY', '\\n'.join(In))\nIn\n",
    # Flagged (imports os) and out of memory in the last cell: both must show.
    "flagged_memory_error": "import os\nhog = np.ones(8 * 2**30)  # 64 GB of float64\n",
}
STUB_SABOTAGE = ("take_tmp_files", "read_outside")

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
    elif learner.kind in SABOTAGE or learner.kind in ISOLATION_SABOTAGE \
            or learner.kind in ISOLATION_SABOTAGE_END:
        nb = copy.deepcopy(release_nb) if learner.kind in STUB_SABOTAGE \
            else solved(release_nb, source_nb, edits)

        def fill(code: str) -> str:
            for key, value in {"base_uid": BASE_UID, **(context or {})}.items():
                code = code.replace("{" + key + "}", str(value))
            return code

        before = SABOTAGE.get(learner.kind) or ISOLATION_SABOTAGE.get(learner.kind)
        if before:
            nb.cells.insert(_first_test_index(nb), nbformat.v4.new_code_cell(fill(before)))
        if learner.kind in ISOLATION_SABOTAGE_END:
            nb.cells.append(nbformat.v4.new_code_cell(fill(ISOLATION_SABOTAGE_END[learner.kind])))
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


def isolation_class() -> list[Learner]:
    """Learners who attack other learners or the grader through the machine (a leftover
    process, files left in /tmp and /dev/shm, files outside the sandbox's allow-list,
    output written to fd 1, the tests' source printed into feedback, a flag behind another
    status), each next to honest learners. Graded in one run with one worker: the grader
    takes learners in id order, so each cheat's kernel is followed by another learner's on
    the same uid. Expected: every cheat scores 0 or is flagged, the honest keep full marks.
    """
    L = Learner

    def honest(i: int) -> Learner:
        return L(f"i{i:02d}_honest", kind="solution", fails=[])

    return [
        honest(0),
        L("i01_leftover_daemon", kind="leftover_daemon", status="flagged", fails=[],
          flags=["imports subprocess"]),
        honest(2),
        L("i03_leave_tmp_files", kind="leave_tmp_files", status="flagged", fails=[],
          flags=["uses open"]),
        L("i04_take_tmp_files", kind="take_tmp_files", status="flagged", fails=None,
          flags=["uses exec"]),
        honest(5),
        L("i06_read_outside", kind="read_outside", status="flagged", fails=None,
          flags=["uses open"]),
        honest(7),
        L("i08_flood_fd1", kind="flood_fd1", status="flagged", fails=[], flags=["imports os"]),
        honest(9),
        L("i10_leak_test_source", kind="leak_test_source", status="flagged", fails=[],
          flags=["imports inspect"]),
        honest(11),
        L("i12_flagged_memory_error", kind="flagged_memory_error", status="out of memory",
          fails=[], flags=["imports os"]),
        honest(13),
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
