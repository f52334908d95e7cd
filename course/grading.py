"""The grading driver: nbgrader's steps in order, with a status for every learner and notebook.

`nbgrader autograde` reports a broken submission (invalid JSON, a kernel that died) by
removing it, so its export shows 0, the same as a real zero. This driver checks each
submission before nbgrader sees it, runs nbgrader once per learner in a subprocess (a crash
or a hung kernel costs that learner only), in a sandboxed kernel (`course.sandbox`: memory
and CPU limits, no course files in reach), and records what happened:

    graded            autograded; the score is the learner's
    flagged           autograded, but the learner's code contains something that can subvert
                      the tests (see `flags`): review before releasing the grade
    timed out         a cell hit the per-cell timeout (the rest was graded) or the whole
                      notebook hit the grading time limit
    out of memory     a cell hit the kernel's memory limit (MemoryError; the rest was graded)
    kernel died       the kernel exited (e.g. os._exit) and nbgrader dropped the notebook
    invalid notebook  not JSON, or JSON that is not a notebook
    missing           no such notebook in the submission
    error             nbgrader failed for another reason (see the log named in the message)

`flags` lists what the driver noticed and nbgrader undid or ignored (deleted, edited or
copied test cells, reordered cells, a changed kernelspec, extra files, output cut to size)
and what it only detected (the code scan's findings). `late_seconds`/`penalty` follow
nbgrader's rules: the submission's timestamp.txt against the assignment's due date.

Results are written per learner (`.grading/status/<assignment>/<learner>.json`, atomically,
keyed by a hash of the submission, the source notebooks and the config): a run that was
interrupted resumes where it stopped, and a re-run regrades only what changed
(`force=True` regrades everything). See docs/grading.md.

Only notebooks with grade cells are autograded: the Keras reference notebooks never run here,
so TensorFlow stays out of the graded path.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import ROOT, notebooks, sandbox

STATUSES = ("graded", "flagged", "timed out", "out of memory", "kernel died", "invalid notebook",
            "missing", "error")
# Whole-notebook limit for one learner's autograde run, on top of the per-cell timeout:
# a cell that ignores the interrupt must not hold the grader for ever.
NOTEBOOK_TIME_LIMIT = 300
# Bumped when a change of the driver changes grades: stored results are then regraded.
DRIVER_VERSION = "2"


@dataclass
class Result:
    assignment: str
    student: str
    notebook: str
    score: float
    max_score: float
    status: str
    message: str = ""
    seconds: float = 0.0
    late_seconds: float = 0.0
    penalty: float = 0.0
    flags: str = ""  # "; "-separated findings (see the module docstring)
    cells: dict = field(default_factory=dict)  # grade_id -> score

    def row(self) -> dict:
        out = asdict(self)
        out.pop("cells")
        return out


# ---------------------------------------------------------------------------- nbgrader calls

def _env() -> dict:
    env = dict(os.environ)
    # nbgrader runs `alembic` from PATH to create the gradebook: the venv's bin/ comes first.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("MPLBACKEND", "Agg")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def _db_args(course_dir: Path, db_url: str | None, env: dict) -> list[str]:
    """Hand nbgrader the gradebook URL: in the environment when nbgrader_config.py reads
    NBGRADER_DB_URL (a password in a URL on the command line is visible in `ps`)."""
    if not db_url:
        return []
    config = course_dir / "nbgrader_config.py"
    if config.exists() and "NBGRADER_DB_URL" in config.read_text():
        env["NBGRADER_DB_URL"] = db_url
        return []
    return [f"--CourseDirectory.db_url={db_url}"]


def nbgrader(course_dir: Path, *args: str, timeout: float | None = None, log: Path | None = None,
             db_url: str | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `nbgrader <args>` in `course_dir` (which holds nbgrader_config.py)."""
    env = {**_env(), **(env or {})}
    cmd = [sys.executable, "-m", "nbgrader", *args, *_db_args(course_dir, db_url, env)]
    proc = subprocess.run(cmd, cwd=course_dir, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        shown = " ".join(a if not a.startswith("--CourseDirectory.db_url") else "--db-url=***"
                         for a in cmd)
        log.write_text(f"$ {shown}\n[exit {proc.returncode}]\n{proc.stdout}\n{proc.stderr}")
    return proc


def release(course_dir: Path, assignments: list[str] | None = None, db_url: str | None = None,
            quiet: bool = False, duedate: str | None = None) -> None:
    """Regenerate release/<a>/ from source/<a>/ (and register the assignment in the gradebook).

    `duedate` ("2025-03-01 23:59:00 UTC") is stored in the gradebook: autograde then compares
    each submission's timestamp.txt with it (late_seconds, nbgrader's late penalty plugin).
    """
    for a in assignments or notebooks.assignments(course_dir / "source"):
        proc = nbgrader(course_dir, "generate_assignment", a, "--force", db_url=db_url)
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {a} failed:\n"
                               f"{proc.stdout}{proc.stderr}")
        if duedate:
            proc = nbgrader(course_dir, "db", "assignment", "add", a, f"--duedate={duedate}",
                            db_url=db_url)
            if proc.returncode != 0:
                raise RuntimeError(f"setting the due date of {a} failed:\n{proc.stderr}")
        if not quiet:
            print(f"released {a} -> release/{a}/")


# ------------------------------------------------------------------------- one submission

def check_submission(path: Path) -> tuple[str, str]:
    """(status, message) for a submitted notebook before nbgrader touches it."""
    if not path.exists():
        return "missing", f"{path.name} was not submitted"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        return "invalid notebook", (f"{path.name} is not valid JSON "
                                    f"({err.__class__.__name__}: {err})")
    if not isinstance(raw, dict) or "cells" not in raw or "nbformat" not in raw:
        return "invalid notebook", f"{path.name} is JSON but not a notebook (no cells/nbformat)"
    try:
        nbformat.validate(nbformat.reads(json.dumps(raw), as_version=4))
    except Exception as err:  # nbformat raises several validation error types
        return "invalid notebook", f"{path.name} is not a valid notebook: {str(err)[:200]}"
    return "graded", ""


# Static scan of the learner's code. It runs outside the kernel, so the learner cannot turn it
# off; it can be evaded by code it does not recognise, but the usual ways to hide code (exec,
# eval, getattr with a computed name, __import__, get_ipython, sys.modules) are findings too.
SUSPICIOUS_MODULES = (
    "os", "sys", "subprocess", "shutil", "pathlib", "ctypes", "signal", "socket", "importlib",
    "builtins", "gc", "inspect", "IPython", "ipykernel", "resource", "multiprocessing",
    "threading", "pickle", "marshal", "sqlite3", "sqlalchemy", "psycopg2", "nbgrader",
    "nbformat", "nbclient", "jupyter_client", "glob", "io", "tempfile", "urllib", "requests",
    "http", "course.sandbox", "course.grading", "course.classroom", "unittest.mock", "atexit",
    "sysconfig", "site", "code", "codeop", "types",
)
SUSPICIOUS_NAMES = {"get_ipython", "exec", "eval", "compile", "__import__", "globals", "vars",
                    "locals", "setattr", "delattr", "open", "breakpoint", "__builtins__",
                    "__loader__", "__spec__"}
SUSPICIOUS_ATTRS = {"__globals__", "__code__", "__dict__", "__subclasses__", "__builtins__",
                    "__bases__", "__mro__", "__closure__", "__getattribute__", "__setattr__",
                    "__defaults__", "__kwdefaults__", "f_globals", "f_locals", "f_back"}


def _parse(source: str):
    """The cell's AST with IPython magics and shell lines (%, !) blanked; None if invalid."""
    lines = ["" if line.lstrip().startswith(("%", "!")) else line
             for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return None


def _protected(release_nb) -> tuple[dict, dict]:
    """Names the course cells bind: ({import alias: module}, {function/class name: source})."""
    modules, functions = {}, {}
    for cell in release_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("solution"):
            continue
        tree = _parse(cell.source)
        if tree is None:
            continue
        for node in tree.body:
            if isinstance(node, ast.Import):
                for a in node.names:
                    modules[a.asname or a.name.split(".")[0]] = a.name if a.asname else \
                        a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom):
                for a in node.names:
                    modules[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.FunctionDef | ast.ClassDef) and not meta.get("grade"):
                functions[node.name] = ast.get_source_segment(cell.source, node)
    return modules, functions


def _root_name(node) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def scan_code(source: str, modules: dict, functions: dict) -> list[str]:
    """Findings for one cell of learner code: what could subvert the tests."""
    tree = _parse(source)
    if tree is None:
        return []
    found = []

    def targets(node):
        if isinstance(node, ast.Assign):
            return node.targets
        if isinstance(node, ast.AugAssign | ast.AnnAssign):
            return [node.target]
        if isinstance(node, ast.Delete):
            return node.targets
        return []

    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""])
            for name in names:
                if any(name == m or name.startswith(m + ".") for m in SUSPICIOUS_MODULES):
                    found.append(f"imports {name}")
            for a in node.names:
                bound = a.asname or a.name.split(".")[0]
                full = (a.name if a.asname else a.name.split(".")[0]) \
                    if isinstance(node, ast.Import) else f"{node.module}.{a.name}"
                if bound in modules and modules[bound] != full:
                    found.append(f"rebinds {bound} (imported by the course as {modules[bound]})")
        elif isinstance(node, ast.Name) and node.id in SUSPICIOUS_NAMES:
            found.append(f"uses {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in SUSPICIOUS_ATTRS:
            found.append(f"uses .{node.attr}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "getattr" and len(node.args) > 1
              and not isinstance(node.args[1], ast.Constant)):
            found.append("uses getattr with a computed name")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name in modules:
                found.append(f"redefines {node.name} (imported by the course)")
            elif (node.name in functions
                  and ast.get_source_segment(source, node) != functions[node.name]):
                found.append(f"redefines {node.name} (a course function the tests use)")
        elif isinstance(node, ast.Global):
            found += [f"rebinds {n} (global)" for n in node.names if n in modules or n in functions]
        for target in targets(node):
            for t in ast.walk(target):
                if isinstance(t, ast.Name) and isinstance(t.ctx, ast.Store | ast.Del) and (
                        t.id in modules or t.id in functions):
                    found.append(f"rebinds {t.id}")
            if isinstance(target, ast.Attribute | ast.Subscript):
                root = _root_name(target)
                if root in modules:
                    found.append(f"assigns {ast.unparse(target)} (patches {modules[root]})")
    return list(dict.fromkeys(found))


def inspect_submission(path: Path, release_path: Path) -> tuple[list[str], list[str]]:
    """(flags, findings) of a valid submitted notebook compared with its release version.

    flags: structural changes nbgrader undoes or ignores (deleted/edited/copied test cells,
    reordered cells, kernelspec, edited course cells); findings: the code scan's results on
    every cell the learner wrote or changed (suspicious: the grade needs a review).
    """
    nb = nbformat.read(path, as_version=4)
    rel = nbformat.read(release_path, as_version=4)
    modules, functions = _protected(rel)
    flags, findings = [], []

    def gid(cell):
        return cell.metadata.get("nbgrader", {}).get("grade_id")

    rel_ids = [gid(c) for c in rel.cells if gid(c)]
    rel_by_id = {gid(c): c for c in rel.cells if gid(c)}
    course_cells = [c.source.strip() for c in rel.cells
                    if c.cell_type == "code" and not gid(c)]
    ids = [gid(c) for c in nb.cells if gid(c)]
    seen = set()
    for cell in nb.cells:
        g = gid(cell)
        meta = cell.metadata.get("nbgrader", {})
        if g and g in seen:
            if g in rel_by_id:
                flags.append(f"copied cell {g} (duplicate grade id: only one copy counts)")
            continue
        if g:
            seen.add(g)
        if cell.cell_type != "code":
            continue
        if g in rel_by_id and rel_by_id[g].metadata["nbgrader"].get("locked") and not \
                meta.get("solution"):
            # Test cells and read-only cells (checkers, fixtures): nbgrader restores them.
            if cell.source.strip() != rel_by_id[g].source.strip():
                kind = "test" if rel_by_id[g].metadata["nbgrader"].get("grade") else "read-only"
                flags.append(f"edited {kind} cell {g} (restored from the source)")
            continue
        if not g and cell.source.strip() in course_cells:
            continue  # a course cell, unchanged
        where = g or "an added or edited cell"
        findings += [f"{f} in {where}" for f in scan_code(cell.source, modules, functions)]
    for g in rel_ids:
        if g not in ids:
            m = rel_by_id[g].metadata["nbgrader"]
            kind = "test" if m.get("grade") else "exercise" if m.get("solution") else "read-only"
            flags.append(f"deleted {kind} cell {g} (restored from the source)")
    order = [g for g in dict.fromkeys(ids) if g in rel_by_id]
    if order != [g for g in rel_ids if g in order]:
        flags.append("cells reordered (tests run where the learner put them)")
    present = {c.source.strip() for c in nb.cells if c.cell_type == "code"}
    edited = [s for s in course_cells if s and s not in present]
    if edited:
        flags.append(f"{len(edited)} course cell(s) edited or deleted (not restored)")
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != rel.metadata.get("kernelspec", {}).get("name"):
        flags.append(f"kernelspec changed to {kernel!r} (graded with the course's kernel)")
    return flags, list(dict.fromkeys(findings))


def _scores(course_dir: Path, assignment: str, student: str, notebook: str,
            db_url: str | None) -> tuple[float, float, dict, float, float]:
    """(score, max score, {grade id: score}, seconds late, late penalty) from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    url = db_url or f"sqlite:///{course_dir / 'gradebook.db'}"
    with Gradebook(url, course_id="optdl") as gb:
        try:
            sub = gb.find_submission_notebook(notebook, assignment, student)
        except MissingEntry:
            return 0.0, gb.find_notebook(notebook, assignment).max_score, {}, 0.0, 0.0
        cells = {g.name: float(g.score) for g in sub.grades}
        late = float(gb.find_submission(assignment, student).total_seconds_late or 0.0)
        penalty = float(sub.late_submission_penalty or 0.0)
        return float(sub.score), float(sub.max_score), cells, late, penalty


def _error_outputs(path: Path) -> dict[str, int]:
    """{error name: number of cells} in an autograded notebook, plus 'truncated' outputs."""
    nb = nbformat.read(path, as_version=4)
    counts: dict[str, int] = {}
    for c in nb.cells:
        names = {o.get("ename") for o in c.get("outputs", []) if o.get("output_type") == "error"}
        if any("... output truncated:" in str(o.get("text", "")) for o in c.get("outputs", [])):
            names.add("truncated")
        for n in names:
            counts[n] = counts.get(n, 0) + 1
    return counts


def _fmt_bytes(n: int) -> str:
    return f"{n / 2**30:g} GiB" if n >= 2**30 else f"{n / 2**20:g} MiB"


@dataclass
class Sandbox:
    """Where and how grading kernels run (see course.sandbox)."""
    enabled: bool = True
    memory_limit: int = sandbox.DEFAULT_MEMORY_LIMIT
    cpu_limit: int = sandbox.DEFAULT_CPU_LIMIT
    hide: tuple = ()

    def env(self, course_dir: Path, uid: int, scratch: Path,
            handout: Path | None = None) -> tuple[dict, list[str]]:
        if not self.enabled:
            return {}, []
        jupyter = course_dir / ".grading" / "jupyter"
        sandbox.kernelspec(jupyter)
        env = {"JUPYTER_PATH": os.pathsep.join([str(jupyter), os.environ.get("JUPYTER_PATH", "")]),
               "OPTDL_SANDBOX_DIR": str(scratch),
               "OPTDL_SANDBOX_UID": str(uid),
               "OPTDL_MEMORY_LIMIT": str(self.memory_limit),
               "OPTDL_CPU_LIMIT": str(self.cpu_limit),
               "OPTDL_HIDE": os.pathsep.join([str(course_dir), *map(str, self.hide)]),
               "OPTDL_SANDBOX_FILES": str(handout or "")}
        return env, [f"--Execute.kernel_name={sandbox.KERNEL_NAME}"]


def _late_message(late: float, penalty: float) -> str:
    if late <= 0:
        return ""
    hours = late / 3600
    text = f"submitted {hours:.1f} h late" if hours >= 1 else f"submitted {late:.0f} s late"
    return text + (f" (penalty {penalty:g} point(s))" if penalty else " (no penalty)")


def grade_one(course_dir: Path, assignment: str, student: str, graded: list[str],
              max_scores: dict[str, float], db_url: str | None = None,
              worker: int = 0, box: Sandbox | None = None,
              time_limit: float = NOTEBOOK_TIME_LIMIT, uid: int | None = None) -> list[Result]:
    """Autograde one learner's submission of one assignment; one Result per graded notebook.

    `uid`: the unprivileged uid the kernel runs as (a lease of the caller's); None leases one.
    """
    box = box or Sandbox()
    lease = None
    if uid is None and box.enabled and sandbox.can_drop_privileges():
        lease = sandbox.UidLease()
        uid = lease.uid
    try:
        return _grade_one(course_dir, assignment, student, graded, max_scores, db_url, worker,
                          box, time_limit, uid)
    finally:
        if lease is not None:
            lease.close()


def _grade_one(course_dir, assignment, student, graded, max_scores, db_url, worker, box,
               time_limit, uid) -> list[Result]:
    results = []
    sub_dir = course_dir / "submitted" / student / assignment
    release_dir = course_dir / "release" / assignment
    logs = course_dir / ".grading" / "logs" / assignment
    expected = {f"{n}.ipynb" for n in graded} | {p.name for p in release_dir.glob("*")} | \
        {"timestamp.txt"}
    extra = sorted(p.name for p in sub_dir.iterdir() if p.name not in expected) \
        if sub_dir.is_dir() else []
    extra_flags = [f"unexpected file {x} (not graded)" for x in extra]
    for name in graded:
        start = time.monotonic()
        path = sub_dir / f"{name}.ipynb"
        status, message = check_submission(path)
        flags, findings = list(extra_flags), []
        if status == "missing":
            tests = {c.metadata["nbgrader"]["grade_id"] for c in notebooks.grade_cells(
                nbformat.read(release_dir / f"{name}.ipynb", as_version=4))}
            for x in extra:
                try:
                    other = nbformat.read(sub_dir / x, as_version=4)
                except Exception:  # not a notebook: not a candidate
                    continue
                if tests & {c.metadata.get("nbgrader", {}).get("grade_id")
                            for c in other.cells}:
                    message += f"; {x} holds this notebook's tests: renamed? (not graded)"
        if status == "graded":
            try:
                flags, findings = inspect_submission(path, release_dir / f"{name}.ipynb")
                flags = extra_flags + flags
            except Exception as err:  # the scan must never stop the grading
                flags.append(f"inspection failed: {err}")
        if status != "graded":
            results.append(Result(assignment, student, name, 0.0, max_scores[name], status,
                                  message, flags="; ".join(flags)))
            continue
        log = logs / f"{student}.{name}.log"
        # IPC sockets in a per-worker folder: kernels started in parallel cannot race for ports.
        ipc = Path(tempfile.mkdtemp(prefix=f"optdl-ipc-{worker}-"))
        scratch = Path(tempfile.mkdtemp(prefix=f"optdl-sandbox-{worker}-"))
        scratch.chmod(0o711)  # the kernel's uid must reach its own folder inside
        env, sandbox_args = box.env(course_dir, uid if uid is not None else sandbox.BASE_UID,
                                    scratch, release_dir)
        args = ["autograde", assignment, f"--student={student}", f"--notebook={name}", "--force",
                "--KernelManager.transport=ipc", f"--KernelManager.ip={ipc / 'kernel'}",
                *sandbox_args]
        try:
            proc = nbgrader(course_dir, *args, timeout=time_limit, log=log, db_url=db_url,
                            env=env)
            output = proc.stdout + proc.stderr
        except subprocess.TimeoutExpired:
            proc, output = None, ""
        finally:
            if uid is not None:
                sandbox.kill_uid(uid)  # a kernel (or its child) left behind
            shutil.rmtree(ipc, ignore_errors=True)
            shutil.rmtree(scratch, ignore_errors=True)
        autograded = course_dir / "autograded" / student / assignment / f"{name}.ipynb"
        seconds = time.monotonic() - start
        late = penalty = 0.0
        if proc is None:
            status = "timed out"
            message = (f"grading stopped after {time_limit:g} s (a cell ignored the "
                       "interrupt?); scored 0")
            score, max_score, cells = 0.0, max_scores[name], {}
        elif not autograded.exists():
            died = any(s in output for s in ("DeadKernelError", "Kernel died", "kernel died"))
            unresponsive = "UnresponsiveKernelError" in output or "became unresponsive" in output \
                or "Timeout waiting for IOPub output" in output
            status = "kernel died" if died else "timed out" if unresponsive else "error"
            message = {"kernel died": "the kernel exited while running the notebook "
                                      "(os._exit, a crash or out of memory); scored 0",
                       "timed out": "a cell ran past the time limit and ignored the interrupt; "
                                    "the kernel was stopped; scored 0"
                       }.get(status, f"nbgrader failed, see {log}")
            score, max_score, cells = 0.0, max_scores[name], {}
        else:
            score, max_score, cells, late, penalty = _scores(course_dir, assignment, student,
                                                             name, db_url)
            errors = _error_outputs(autograded)
            notes = []
            if errors.get("CellTimeoutError"):
                status = "timed out"
                notes.append(f"{errors['CellTimeoutError']} cell(s) hit the per-cell time limit "
                             "and were interrupted")
            if errors.get("MemoryError"):
                status = "out of memory" if status == "graded" else status
                limit = _fmt_bytes(box.memory_limit) if box.enabled else "the machine's memory"
                notes.append(f"{errors['MemoryError']} cell(s) ran out of memory (limit {limit} "
                             "per grading kernel)")
            if errors.get("truncated"):
                flags.append(f"output of {errors['truncated']} cell(s) cut to size")
            if findings and status == "graded":
                status = "flagged"
                notes.append("code that can subvert the tests was found: review before "
                             "releasing this grade")
            message = "; ".join(notes)
        flags += findings
        late_note = _late_message(late, penalty)
        if late_note:
            message = "; ".join(x for x in (message, late_note) if x)
        results.append(Result(assignment, student, name, score, max_score, status, message,
                              round(seconds, 2), round(late, 1), penalty, "; ".join(flags),
                              cells))
    return results


# ------------------------------------------------------------------------------ whole runs

def _max_scores(course_dir: Path, assignment: str) -> tuple[list[str], dict[str, float]]:
    graded = notebooks.graded_notebooks(course_dir / "source" / assignment)
    maxima = {}
    for path in graded:
        nb = nbformat.read(path, as_version=4)
        maxima[path.stem] = float(sum(c.metadata["nbgrader"].get("points", 0)
                                      for c in notebooks.grade_cells(nb)))
    return [p.stem for p in graded], maxima


def submission_hash(course_dir: Path, assignment: str, student: str) -> str:
    """What a stored result depends on: the submitted files, the source notebooks, the config,
    the gradebook location and the driver version."""
    h = hashlib.sha256(DRIVER_VERSION.encode())
    sub_dir = course_dir / "submitted" / student / assignment
    files = sorted(sub_dir.rglob("*")) if sub_dir.is_dir() else []
    files += sorted((course_dir / "source" / assignment).glob("*.ipynb"))
    files.append(course_dir / "nbgrader_config.py")
    for p in files:
        if p.is_file():
            h.update(str(p.relative_to(course_dir)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def _status_path(course_dir: Path, assignment: str, student: str) -> Path:
    return course_dir / ".grading" / "status" / assignment / f"{student}.json"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _stored(course_dir: Path, assignment: str, student: str, digest: str,
            db_url: str | None) -> list[Result] | None:
    """The stored results of a learner if they are still valid (same hash, same gradebook)."""
    path = _status_path(course_dir, assignment, student)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if data.get("hash") != digest or data.get("db") != _db_key(course_dir, db_url):
        return None
    results = [Result(**r) for r in data["results"]]
    if any(r.cells for r in results):  # autograded: the gradebook must still hold the rows
        from nbgrader.api import Gradebook, MissingEntry

        url = db_url or f"sqlite:///{course_dir / 'gradebook.db'}"
        try:
            with Gradebook(url, course_id="optdl") as gb:
                gb.find_submission(assignment, student)
        except MissingEntry:
            return None
    return results


def _db_key(course_dir: Path, db_url: str | None) -> str:
    url = db_url or f"sqlite:///{course_dir / 'gradebook.db'}"
    return hashlib.sha256(url.encode()).hexdigest()[:16]  # no password in the status files


def in_shard(student: str, shard: str | None) -> bool:
    """`shard` "i/n": learners are split into n stable groups by a hash of their id."""
    if not shard:
        return True
    i, n = (int(x) for x in shard.split("/"))
    if not 0 <= i < n:
        raise ValueError(f"shard {shard!r}: expected i/n with 0 <= i < n")
    return zlib.crc32(student.encode()) % n == i


def grade(course_dir: Path, assignments: list[str] | None = None, students: list[str] | None = None,
          workers: int | None = None, db_url: str | None = None, feedback: bool = True,
          progress: bool = True, force: bool = False, shard: str | None = None,
          memory_limit: int | str | None = None, sandboxed: bool = True,
          time_limit: float = NOTEBOOK_TIME_LIMIT) -> list[Result]:
    """Autograde every submission in submitted/ (or only `students`), then write feedback.

    Learners whose stored result still matches their submission are not regraded unless
    `force`. `shard` ("i/n") grades one of n disjoint groups of learners (one per machine).
    """
    course_dir = course_dir.resolve()
    assignments = assignments or notebooks.assignments(course_dir / "source")
    workers = workers or os.cpu_count() or 1
    db_url = db_url or os.environ.get("NBGRADER_DB_URL") or None
    hide = [ROOT]
    if db_url and "host=/" in db_url:  # a PostgreSQL unix socket directory
        hide.append(db_url.split("host=", 1)[1].split("&", 1)[0])
    box = Sandbox(enabled=sandboxed, hide=tuple(hide))
    if memory_limit:
        box.memory_limit = sandbox.parse_size(memory_limit)
    tasks = []
    for a in assignments:
        graded, maxima = _max_scores(course_dir, a)
        learners = students or sorted(p.parent.name for p in
                                      (course_dir / "submitted").glob(f"*/{a}") if p.is_dir())
        tasks += [(a, s, graded, maxima) for s in learners if in_shard(s, shard)]
    results: list[Result] = []
    started = time.monotonic()
    slots: queue.Queue = queue.Queue()
    leases = []
    for i in range(workers):
        if box.enabled and sandbox.can_drop_privileges():
            leases.append(sandbox.UidLease())
            slots.put((i, leases[-1].uid))
        else:
            slots.put((i, None))

    def run(task):
        a, s, graded, maxima = task
        digest = submission_hash(course_dir, a, s)
        if not force:
            stored = _stored(course_dir, a, s, digest, db_url)
            if stored is not None:
                return stored, True
        slot, uid = slots.get()
        try:
            res = grade_one(course_dir, a, s, graded, maxima, db_url=db_url, worker=slot,
                            box=box, time_limit=time_limit, uid=uid)
        finally:
            slots.put((slot, uid))
        _write_atomic(_status_path(course_dir, a, s), json.dumps(
            {"hash": digest, "db": _db_key(course_dir, db_url),
             "results": [asdict(r) for r in res]}, indent=1))
        return res, False

    reused = 0
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for done, (res, was_stored) in enumerate(pool.map(run, tasks), start=1):
                results += res
                reused += was_stored
                if progress:
                    for r in res:
                        print(f"[{done}/{len(tasks)}] {r.assignment} {r.student}: {r.status} "
                              f"{r.score:g}/{r.max_score:g} "
                              + ("(stored)" if was_stored else f"({r.seconds:.1f} s)"),
                              flush=True)
    finally:
        for lease in leases:
            lease.close()
    if progress:
        print(f"graded {len(tasks) - reused} submission(s) ({reused} unchanged, stored) in "
              f"{time.monotonic() - started:.1f} s with {workers} worker(s)")
    if feedback:
        for a in assignments:
            nbgrader(course_dir, "generate_feedback", a, "--force", db_url=db_url,
                     log=course_dir / ".grading" / "logs" / a / "feedback.log")
    return results


def write_reports(course_dir: Path, results: list[Result]) -> Path:
    """grades.csv (one row per learner and notebook, with status) and .grading/results.json."""
    out = course_dir / "grades.csv"
    fields = list(Result.__dataclass_fields__)
    fields.remove("cells")
    rows = sorted(results, key=lambda r: (r.student, r.assignment, r.notebook))
    tmp = out.with_suffix(".csv.tmp")
    with tmp.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for r in rows:
            writer.writerow(r.row())
    os.replace(tmp, out)
    state = course_dir / ".grading" / "results.json"
    _write_atomic(state, json.dumps([asdict(r) for r in rows], indent=1))
    return out


def format_table(results: list[Result], expected: dict | None = None) -> str:
    """Learner x notebook grade table with a status column.

    With `expected` ({(student, assignment, notebook): (score, status)}), each cell also says
    whether the grade matches the simulated learner's expected score.
    """
    columns = sorted({(r.assignment, r.notebook) for r in results})
    students = sorted({r.student for r in results})
    by_key = {(r.student, r.assignment, r.notebook): r for r in results}
    header = ["learner"] + [f"{a}/{n}" for a, n in columns] + ["status"]
    rows = []
    for s in students:
        row, notes = [s], []
        for a, n in columns:
            r = by_key.get((s, a, n))
            if r is None:
                row.append("-")
                continue
            cell = f"{r.score:g}/{r.max_score:g}"
            if expected is not None and (s, a, n) in expected:
                want_score, want_status = expected[(s, a, n)]
                ok = abs(r.score - want_score) < 1e-9 and r.status == want_status
                cell += " ok" if ok else f" EXPECTED {want_score:g} ({want_status})"
            row.append(cell)
            if r.status != "graded":
                notes.append(f"{a}: {r.status}")
        row.append("; ".join(notes) or "graded")
        rows.append(row)
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def demo(course_dir: Path = ROOT, assignments: list[str] | None = None, workers: int | None = None,
         work_dir: Path | None = None, publish: bool = True) -> int:
    """The main job: regenerate release/, grade a simulated class, write feedback and grades.csv.

    The class is graded in its own course directory (`demo/` by default) so simulated
    learners never mix with an instructor's real submissions and gradebook. Exit status 1
    when any learner's grade differs from the expected one.
    """
    from . import classroom

    course_dir = course_dir.resolve()
    work = (work_dir or course_dir / "demo").resolve()
    assignments = assignments or notebooks.assignments(course_dir / "source")
    stale = [p for p in notebooks.build_all(course_dir / "source", check=True)
             if p.parent.name in assignments]
    if stale:
        print("Source notebooks are out of date with their masters: run `python -m course build`.")
        return 1
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copy(course_dir / "nbgrader_config.py", work)
    for a in assignments:
        shutil.copytree(course_dir / "source" / a, work / "source" / a)
    release(work, assignments)
    # Publish the fresh release: release/ in the repository is generated, never hand-edited.
    for a in assignments if publish else []:
        target = course_dir / "release" / a
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(work / "release" / a, target)

    expected = {}
    for a in assignments:
        graded, _ = _max_scores(work, a)
        for learner in classroom.build_submissions(work, a, graded, course_dir / "classroom"):
            for name in graded:
                score, _, _ = classroom.expected_scores(
                    learner, work / "source" / a / f"{name}.ipynb")
                status = learner.status if learner.notebook in (None, name) else "graded"
                expected[(learner.learner, a, name)] = (score, status)

    results = grade(work, assignments, workers=workers)
    csv_path = write_reports(work, results)
    print()
    print(format_table(results, expected))
    print(f"\nfeedback: {work / 'feedback'}\ngrades:   {csv_path}")
    named_ok = _report_messages(work, assignments, course_dir / "classroom")
    wrong = [k for k, (score, status) in expected.items()
             if not any(r.student == k[0] and r.assignment == k[1] and r.notebook == k[2]
                        and abs(r.score - score) < 1e-9 and r.status == status for r in results)]
    if wrong:
        print(f"\n{len(wrong)} grade(s) differ from the simulated class's expected scores: {wrong}")
        return 1
    print(f"\nAll {len(expected)} grades match the simulated class's expected scores and statuses.")
    return 0 if named_ok else 1


# At least this share of the simulated mistakes' failing cells must name the mistake.
NAMED_SHARE = 0.9


def _report_messages(work: Path, assignments: list[str], classroom_dir: Path) -> bool:
    """Print, per chapter, how many failing cells of the simulated mistakes name the mistake
    (the learner's `says` in the message), and the cells that do not. True when the share
    is at least NAMED_SHARE and every mistake is named by at least one of its cells."""
    from . import classroom

    print("\nFailure messages that name the simulated mistake:")
    total = named = 0
    unnamed_mistakes = []
    for a in assignments:
        graded, _ = _max_scores(work, a)
        checks = classroom.message_report(work, a, classroom.load_class(a, classroom_dir), graded)
        learners = sorted({c.learner for c in checks})
        for who in learners:
            if not any(c.named for c in checks if c.learner == who):
                unnamed_mistakes.append(who)
        n = sum(c.named for c in checks)
        total, named = total + len(checks), named + n
        print(f"  {a}: {len(learners)} mistakes, {n} of {len(checks)} failing cells name them")
        for c in checks:
            if not c.named:
                print(f"    {c.learner} {c.grade_id}: expected {c.says!r}, said {c.message[:160]!r}")
    share = named / total if total else 1.0
    print(f"  all chapters: {named} of {total} ({share:.0%})")
    if unnamed_mistakes:
        print(f"  mistakes no message names: {unnamed_mistakes}")
    return share >= NAMED_SHARE and not unnamed_mistakes
