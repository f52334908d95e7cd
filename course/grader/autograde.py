"""One learner, one assignment: pre-checks, nbgrader autograde in a sandboxed kernel, and a
`Result` per graded notebook built from what nbgrader recorded."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat

from .. import notebooks
from . import sandbox
from .nbgrader_cli import COURSE_ID, WarmNbgrader, gradebook_url, nbgrader
from .precheck import check_submission, inspect_submission
from .status import Result, Status

# Whole-notebook limit for one learner's autograde run, on top of the per-cell timeout:
# a cell that ignores the interrupt must not hold the grader for ever.
NOTEBOOK_TIME_LIMIT = 300


def _scores(course_dir: Path, assignment: str, student: str, notebook: str,
            db_url: str | None) -> tuple[float, float, dict, float, float]:
    """(score, max score, {grade id: score}, seconds late, late penalty) from the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(gradebook_url(course_dir, db_url), course_id=COURSE_ID) as gb:
        try:
            sub = gb.find_submission_notebook(notebook, assignment, student)
        except MissingEntry:
            return 0.0, gb.find_notebook(notebook, assignment).max_score, {}, 0.0, 0.0
        cells = {g.name: float(g.score) for g in sub.grades}
        late = float(gb.find_submission(assignment, student).total_seconds_late or 0.0)
        penalty = float(sub.late_submission_penalty or 0.0)
        return float(sub.score), float(sub.max_score), cells, late, penalty


def error_outputs(path: Path) -> dict[str, int]:
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


def _late_message(late: float, penalty: float) -> str:
    if late <= 0:
        return ""
    hours = late / 3600
    text = f"submitted {hours:.1f} h late" if hours >= 1 else f"submitted {late:.0f} s late"
    return text + (f" (penalty {penalty:g} point(s))" if penalty else " (no penalty)")


def _renamed_hint(sub_dir: Path, release_nb: Path, extra: list[str]) -> str:
    """'; x.ipynb holds this notebook's tests: renamed?' when another file has its tests."""
    tests = {c.metadata["nbgrader"]["grade_id"] for c in notebooks.grade_cells(
        nbformat.read(release_nb, as_version=4))}
    hints = ""
    for x in extra:
        try:
            other = nbformat.read(sub_dir / x, as_version=4)
        except Exception:  # not a notebook: not a candidate
            continue
        if tests & {c.metadata.get("nbgrader", {}).get("grade_id") for c in other.cells}:
            hints += f"; {x} holds this notebook's tests: renamed? (not graded)"
    return hints


def _judge(course_dir, assignment, student, name, proc, output, box, time_limit, db_url, flags,
           findings, log) -> tuple[Status, str, float, float | None, dict, float, float]:
    """(status, message, score, max score or None, cells, late, penalty) of one run."""
    autograded = course_dir / "autograded" / student / assignment / f"{name}.ipynb"
    if proc is None:
        return (Status.TIMED_OUT, f"grading stopped after {time_limit:g} s (a cell ignored the "
                "interrupt?); scored 0", 0.0, None, {}, 0.0, 0.0)
    if not autograded.exists():
        died = any(s in output for s in ("DeadKernelError", "Kernel died", "kernel died"))
        unresponsive = "UnresponsiveKernelError" in output or "became unresponsive" in output \
            or "Timeout waiting for IOPub output" in output
        if died:
            return (Status.KERNEL_DIED, "the kernel exited while running the notebook "
                    "(os._exit, a crash or out of memory); scored 0", 0.0, None, {}, 0.0, 0.0)
        if unresponsive:
            return (Status.TIMED_OUT, "a cell ran past the time limit and ignored the "
                    "interrupt; the kernel was stopped; scored 0", 0.0, None, {}, 0.0, 0.0)
        return (Status.ERROR, f"nbgrader failed (not the learner's fault: retried on the next "
                f"run), see {log}", 0.0, None, {}, 0.0, 0.0)
    score, max_score, cells, late, penalty = _scores(course_dir, assignment, student, name,
                                                     db_url)
    errors = error_outputs(autograded)
    status, notes = Status.GRADED, []
    if errors.get("CellTimeoutError"):
        status = Status.TIMED_OUT
        notes.append(f"{errors['CellTimeoutError']} cell(s) hit the per-cell time limit "
                     "and were interrupted")
    if errors.get("MemoryError"):
        status = Status.OUT_OF_MEMORY if status == Status.GRADED else status
        limit = _fmt_bytes(box.memory_limit) if box.enabled else "the machine's memory"
        notes.append(f"{errors['MemoryError']} cell(s) ran out of memory (limit {limit} "
                     "per grading kernel)")
    if errors.get("truncated"):
        flags.append(f"output of {errors['truncated']} cell(s) cut to size")
    if findings:
        notes.append("code that can subvert the tests was found: review before "
                     "releasing this grade (see flags)")
        if status == Status.GRADED:
            status = Status.FLAGGED
    return status, "; ".join(notes), score, max_score, cells, late, penalty


def grade_one(course_dir: Path, assignment: str, student: str, graded: list[str],
              max_scores: dict[str, float], db_url: str | None = None,
              worker: int = 0, box: sandbox.Settings | None = None,
              time_limit: float = NOTEBOOK_TIME_LIMIT, uid: int | None = None,
              runner: WarmNbgrader | None = None) -> list[Result]:
    """Autograde one learner's submission of one assignment; one Result per graded notebook.

    `uid`: the unprivileged uid the kernel runs as (a lease of the caller's); None leases one.
    `runner`: a warm nbgrader to fork from (None: one `python -m nbgrader` per notebook).
    """
    box = box or sandbox.Settings()
    lease = None
    if uid is None and box.enabled and sandbox.can_drop_privileges():
        lease = sandbox.UidLease()
        uid = lease.uid
    try:
        return [_grade_notebook(course_dir, assignment, student, name, graded, max_scores[name],
                                db_url, worker, box, time_limit, uid, runner)
                for name in graded]
    finally:
        if lease is not None:
            lease.close()


def _grade_notebook(course_dir, assignment, student, name, graded, max_score, db_url, worker,
                    box, time_limit, uid, runner) -> Result:
    start = time.monotonic()
    sub_dir = course_dir / "submitted" / student / assignment
    release_dir = course_dir / "release" / assignment
    expected = {f"{n}.ipynb" for n in graded} | {p.name for p in release_dir.glob("*")} | \
        {"timestamp.txt"}
    extra = sorted(p.name for p in sub_dir.iterdir() if p.name not in expected) \
        if sub_dir.is_dir() else []
    flags = [f"unexpected file {x} (not graded)" for x in extra]
    path = sub_dir / f"{name}.ipynb"
    status, message = check_submission(path)
    findings: list[str] = []
    if status == Status.MISSING:
        message += _renamed_hint(sub_dir, release_dir / f"{name}.ipynb", extra)
    if status == Status.GRADED:
        try:
            more, findings = inspect_submission(path, release_dir / f"{name}.ipynb")
            flags += more
        except Exception as err:  # the scan must never stop the grading
            flags.append(f"inspection failed: {err}")
    if status != Status.GRADED:
        return Result(assignment, student, name, 0.0, max_score, status, message,
                      flags="; ".join(flags))
    log = course_dir / ".grading" / "logs" / assignment / f"{student}.{name}.log"
    # IPC sockets in a per-worker folder: kernels started in parallel cannot race for ports.
    ipc = Path(tempfile.mkdtemp(prefix=f"optdl-ipc-{worker}-"))
    scratch = Path(tempfile.mkdtemp(prefix=f"optdl-sandbox-{worker}-"))
    scratch.chmod(0o711)  # the kernel's uid must reach its own folder inside
    env, sandbox_args = box.env(course_dir, uid if uid is not None else sandbox.BASE_UID,
                                scratch, release_dir)
    args = ["autograde", assignment, f"--student={student}", f"--notebook={name}", "--force",
            "--KernelManager.transport=ipc", f"--KernelManager.ip={ipc / 'kernel'}",
            *sandbox_args]
    run = runner.run if runner is not None else nbgrader
    try:
        proc = run(course_dir, *args, timeout=time_limit, log=log, db_url=db_url, env=env)
        output = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired:
        proc, output = None, ""
    finally:
        if uid is not None:
            sandbox.kill_uid(uid)  # a kernel (or its child) left behind
        shutil.rmtree(ipc, ignore_errors=True)
        shutil.rmtree(scratch, ignore_errors=True)
    status, message, score, got_max, cells, late, penalty = _judge(
        course_dir, assignment, student, name, proc, output, box, time_limit, db_url, flags,
        findings, log)
    flags += findings
    late_note = _late_message(late, penalty)
    if late_note:
        message = "; ".join(x for x in (message, late_note) if x)
    return Result(assignment, student, name, score, max_score if got_max is None else got_max,
                  status, message, round(time.monotonic() - start, 2), round(late, 1), penalty,
                  "; ".join(flags), cells)
