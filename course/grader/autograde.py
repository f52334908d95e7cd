"""One learner, one assignment: pre-checks, nbgrader autograde in a sandboxed kernel, and a
`Result` per graded notebook built from what nbgrader recorded."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from .. import notebooks
from . import sandbox
from .nbgrader_cli import COURSE_ID, Run, WarmNbgrader, gradebook_url, nbgrader
from .precheck import check_submission, inspect_submission
from .status import Result, Status

# Whole-notebook limit for one learner's autograde run, on top of the per-cell timeout:
# a cell that ignores the interrupt must not hold the grader for ever.
NOTEBOOK_TIME_LIMIT = 300
# One learner's feedback pages (nbconvert, no kernel): seconds, for a hung renderer.
FEEDBACK_TIME_LIMIT = 120


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


@dataclass
class Verdict:
    """What one autograde run came to, before it becomes a `Result`."""

    status: Status
    message: str
    score: float = 0.0
    max_score: float | None = None  # None: the notebook's own maximum (nothing graded)
    cells: dict = field(default_factory=dict)
    late: float = 0.0
    penalty: float = 0.0


def _judge(course_dir, assignment, student, name, proc, output, box, time_limit, db_url, flags,
           findings, log, never_ready: bool = False) -> Verdict:
    """The verdict on one run, from its process, its output and what nbgrader recorded.
    Appends to `flags` what nbgrader cut (outputs cut to size)."""
    autograded = course_dir / "autograded" / student / assignment / f"{name}.ipynb"
    if proc is None and never_ready:  # nbgrader stalled before the learner's first cell
        return Verdict(Status.ERROR, f"nbgrader did not start the kernel within {time_limit:g}"
                       f" s (not the learner's fault: retried on the next run), see {log}")
    if proc is None:
        return Verdict(Status.TIMED_OUT, f"grading stopped after {time_limit:g} s (a cell "
                       "ignored the interrupt?); scored 0")
    if not autograded.exists():
        died = any(s in output for s in ("DeadKernelError", "Kernel died", "kernel died"))
        unresponsive = "UnresponsiveKernelError" in output or "became unresponsive" in output \
            or "Timeout waiting for IOPub output" in output
        if died:
            return Verdict(Status.KERNEL_DIED, "the kernel exited while running the notebook "
                           "(os._exit, a crash or out of memory); scored 0")
        if unresponsive:
            return Verdict(Status.TIMED_OUT, "a cell ran past the time limit and ignored the "
                           "interrupt; the kernel was stopped; scored 0")
        return Verdict(Status.ERROR, "nbgrader failed (not the learner's fault: retried on "
                       f"the next run), see {log}")
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
    return Verdict(status, "; ".join(notes), score, max_score, cells, late, penalty)


def grade_one(course_dir: Path, assignment: str, student: str, graded: list[str],
              max_scores: dict[str, float], db_url: str | None = None,
              worker: int = 0, box: sandbox.Settings | None = None,
              time_limit: float = NOTEBOOK_TIME_LIMIT, uid: int | None = None,
              runner: WarmNbgrader | None = None, turns=None,
              timeline: list | None = None) -> list[Result]:
    """Autograde one learner's submission of one assignment; one Result per graded notebook.

    `uid`: the unprivileged uid the kernel runs as (a lease of the caller's); None leases one.
    `runner`: a warm nbgrader to fork from (None: one `python -m nbgrader` per notebook).
    `turns`: a semaphore shared by the learners graded at once (`course.grader.turns`):
    nbgrader and the kernel start without it, the cells run while holding it.
    `timeline`: gets one `Job.times` per notebook nbgrader ran (when each step ended).
    """
    box = box or sandbox.Settings()
    lease = None
    if uid is None and box.enabled and sandbox.can_drop_privileges():
        lease = sandbox.UidLease()
        uid = lease.uid
    try:
        results = []
        for name in graded:
            job = Job(course_dir, assignment, student, name, graded, max_scores[name], db_url,
                      worker, box, uid)
            try:
                if job.result is None:
                    job.start(runner, time_limit)
                    with turns if turns is not None else contextlib.nullcontext():
                        job.execute()
                results.append(job.finish())
            finally:
                job.close()
            if timeline is not None and job.result is None:
                timeline.append(job.times)
        return results
    finally:
        if lease is not None:
            lease.close()


class Job:
    """One learner's notebook on its way through the grader: the pre-checks (on creation;
    `result` is set when they end it), nbgrader and the sandboxed kernel started ahead of
    need (`start`), the notebook's cells (`execute`, one of the run's turns), the verdict
    (`finish`). `seconds` counts the work, not the wait for a turn; `times` has when each
    step ended (time.monotonic(): start, ready, turn, executed, done)."""

    def __init__(self, course_dir, assignment, student, name, graded, max_score, db_url,
                 worker, box, uid):
        self.course_dir, self.assignment, self.student, self.name = \
            course_dir, assignment, student, name
        self.max_score, self.db_url, self.worker, self.box, self.uid = \
            max_score, db_url, worker, box, uid
        self.started = time.monotonic()
        self.times = {"student": student, "notebook": name, "start": self.started}
        self.run: Run | None = None
        self.proc = None
        self.dirs: list[Path] = []
        sub_dir = course_dir / "submitted" / student / assignment
        self.release_dir = course_dir / "release" / assignment
        expected = {f"{n}.ipynb" for n in graded} | \
            {p.name for p in self.release_dir.glob("*")} | {"timestamp.txt"}
        extra = sorted(p.name for p in sub_dir.iterdir() if p.name not in expected) \
            if sub_dir.is_dir() else []
        self.flags = [f"unexpected file {x} (not graded)" for x in extra]
        path = sub_dir / f"{name}.ipynb"
        status, message = check_submission(path)
        self.findings: list[str] = []
        if status == Status.MISSING:
            message += _renamed_hint(sub_dir, self.release_dir / f"{name}.ipynb", extra)
        if status == Status.GRADED:
            try:
                more, self.findings = inspect_submission(path, self.release_dir / f"{name}.ipynb")
                self.flags += more
            except Exception as err:  # the scan must never stop the grading
                self.flags.append(f"inspection failed: {err}")
        self.result = None if status == Status.GRADED else Result(
            assignment, student, name, 0.0, max_score, status, message,
            flags="; ".join(self.flags))
        self.log = course_dir / ".grading" / "logs" / assignment / f"{student}.{name}.log"

    def start(self, runner: WarmNbgrader | None, time_limit: float) -> None:
        """Fork nbgrader (from `runner`) up to the point where its kernel is up; return then.
        Without a fork server, nbgrader runs whole in `execute`."""
        self.time_limit = time_limit
        # IPC sockets in a per-worker folder: kernels started in parallel cannot race for ports.
        ipc = Path(tempfile.mkdtemp(prefix=f"optdl-ipc-{self.worker}-"))
        scratch = Path(tempfile.mkdtemp(prefix=f"optdl-sandbox-{self.worker}-"))
        self.dirs = [ipc, scratch]
        scratch.chmod(0o711)  # the kernel's uid must reach its own folder inside
        env, sandbox_args = self.box.env(self.course_dir, self.uid if self.uid is not None
                                         else sandbox.BASE_UID, scratch, self.release_dir)
        self.env = env
        self.args = ["autograde", self.assignment, f"--student={self.student}",
                     f"--notebook={self.name}", "--force", "--KernelManager.transport=ipc",
                     f"--KernelManager.ip={ipc / 'kernel'}", *sandbox_args]
        self.runner = runner
        if runner is not None and runner.context is not None:
            self.run = runner.start(self.course_dir, *self.args, log=self.log,
                                    db_url=self.db_url, env=env, gated=True)
            # Kernel start-up has nbgrader's own limit (Execute.startup_timeout); this one
            # only stops a run that never gets there.
            self.run.wait_ready(time_limit)
        self.times["ready"] = time.monotonic()

    def execute(self) -> None:
        """The notebook's cells (the caller holds a turn); returns once they have run."""
        self.times["turn"] = time.monotonic()
        if self.run is not None:
            self.run.execute(self.time_limit)
        else:
            run = self.runner.run if self.runner is not None else nbgrader
            try:
                self.proc = run(self.course_dir, *self.args, timeout=self.time_limit,
                                log=self.log, db_url=self.db_url, env=self.env)
            except subprocess.TimeoutExpired:
                self.proc = None
        self.times["executed"] = time.monotonic()

    def finish(self) -> Result:
        """Wait for nbgrader to write its results; the Result from what it recorded."""
        if self.result is not None:
            return self.result
        if self.run is not None:
            try:
                self.proc = self.run.finish()
            except subprocess.TimeoutExpired:
                self.proc = None
        output = self.proc.stdout + self.proc.stderr if self.proc is not None else ""
        self.close()
        v = _judge(self.course_dir, self.assignment, self.student, self.name, self.proc,
                   output, self.box, self.time_limit, self.db_url, self.flags,
                   self.findings, self.log, self.run is not None and self.run.never_ready)
        message = "; ".join(x for x in (v.message, _late_message(v.late, v.penalty)) if x)
        self.times["done"] = time.monotonic()
        seconds = self.times["done"] - self.started - (self.times["turn"] - self.times["ready"])
        return Result(self.assignment, self.student, self.name, v.score,
                      self.max_score if v.max_score is None else v.max_score, v.status, message,
                      round(seconds, 2), round(v.late, 1), v.penalty,
                      "; ".join(self.flags + self.findings), v.cells)

    def close(self) -> None:
        """Stop what is left of the run (idempotent): nbgrader, the kernel, their folders."""
        if self.run is not None:
            self.run.close()
        if self.dirs:
            if self.uid is not None:
                sandbox.kill_uid(self.uid)  # a kernel (or its child) left behind
            for d in self.dirs:
                shutil.rmtree(d, ignore_errors=True)
            self.dirs = []


def feedback_for(course_dir: Path, assignment: str, student: str, results: list[Result],
                 db_url: str | None = None, runner: WarmNbgrader | None = None,
                 only_missing: bool = False) -> None:
    """Write one learner's feedback pages (`nbgrader generate_feedback --student`) for the
    notebooks nbgrader autograded; where a page was not written, `Result.feedback` says
    why (`python -m course grade` then exits non-zero). `only_missing`: keep pages that
    exist (a stored result's)."""
    def page(r):
        return course_dir / "feedback" / student / assignment / f"{r.notebook}.html"

    mine = [r for r in results
            if (course_dir / "autograded" / student / assignment / f"{r.notebook}.ipynb").exists()]
    for r in results:
        r.feedback = ""
    if not mine or (only_missing and all(page(r).exists() for r in mine)):
        return
    log = course_dir / ".grading" / "logs" / assignment / f"{student}.feedback.log"
    run = runner.run if runner is not None else nbgrader
    try:
        proc = run(course_dir, "generate_feedback", assignment, f"--student={student}",
                   "--force", timeout=FEEDBACK_TIME_LIMIT, log=log, db_url=db_url)
        failed = proc.returncode != 0
    except subprocess.TimeoutExpired:
        failed = True
    for r in mine:
        if failed or not page(r).exists():
            r.feedback = ("not written: nbgrader generate_feedback failed (the grader, or "
                          f"something in the learner's outputs), see {log}")
