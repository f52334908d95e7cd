"""The grading driver: nbgrader's steps in order, with a status for every learner and notebook.

`nbgrader autograde` reports a broken submission (invalid JSON, a kernel that died) by
removing it, so its export shows 0, the same as a real zero. This driver checks each
submission before nbgrader sees it, runs nbgrader once per learner in a subprocess (a crash
or a hung kernel costs that learner only), and records what happened:

    graded            autograded; the score is the learner's
    timed out         a cell hit the per-cell timeout (the rest was graded) or the whole
                      notebook hit the grading time limit
    kernel died       the kernel exited (e.g. os._exit) and nbgrader dropped the notebook
    invalid notebook  not JSON, or JSON that is not a notebook
    missing           no such notebook in the submission
    error             nbgrader failed for another reason (see the log named in the message)

Only notebooks with grade cells are autograded: the Keras reference notebooks never run here,
so TensorFlow stays out of the graded path.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat

from . import ROOT, notebooks

STATUSES = ("graded", "timed out", "kernel died", "invalid notebook", "missing", "error")
# Whole-notebook limit for one learner's autograde run, on top of the per-cell timeout:
# a cell that ignores the interrupt must not hold the grader for ever.
NOTEBOOK_TIME_LIMIT = 300


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


def nbgrader(course_dir: Path, *args: str, timeout: float | None = None, log: Path | None = None,
             db_url: str | None = None) -> subprocess.CompletedProcess:
    """Run `nbgrader <args>` in `course_dir` (which holds nbgrader_config.py)."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    if db_url:
        cmd.append(f"--CourseDirectory.db_url={db_url}")
    proc = subprocess.run(cmd, cwd=course_dir, env=_env(), capture_output=True, text=True,
                          timeout=timeout)
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(f"$ {' '.join(cmd)}\n[exit {proc.returncode}]\n{proc.stdout}\n{proc.stderr}")
    return proc


def release(course_dir: Path, assignments: list[str] | None = None, db_url: str | None = None,
            quiet: bool = False) -> None:
    """Regenerate release/<a>/ from source/<a>/ (and register the assignment in the gradebook)."""
    for a in assignments or notebooks.assignments(course_dir / "source"):
        proc = nbgrader(course_dir, "generate_assignment", a, "--force", db_url=db_url)
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment {a} failed:\n{proc.stdout}{proc.stderr}")
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
        return "invalid notebook", f"{path.name} is not valid JSON ({err.__class__.__name__}: {err})"
    if not isinstance(raw, dict) or "cells" not in raw or "nbformat" not in raw:
        return "invalid notebook", f"{path.name} is JSON but not a notebook (no cells/nbformat)"
    try:
        nbformat.validate(nbformat.reads(json.dumps(raw), as_version=4))
    except Exception as err:  # nbformat raises several validation error types
        return "invalid notebook", f"{path.name} is not a valid notebook: {str(err)[:200]}"
    return "graded", ""


def _scores(course_dir: Path, assignment: str, student: str, notebook: str,
            db_url: str | None) -> tuple[float, float, dict]:
    from nbgrader.api import Gradebook, MissingEntry

    url = db_url or f"sqlite:///{course_dir / 'gradebook.db'}"
    with Gradebook(url, course_id="optdl") as gb:
        try:
            sub = gb.find_submission_notebook(notebook, assignment, student)
        except MissingEntry:
            return 0.0, gb.find_notebook(notebook, assignment).max_score, {}
        cells = {g.name: float(g.score) for g in sub.grades}
        return float(sub.score), float(sub.max_score), cells


def _timed_out_cells(path: Path) -> int:
    nb = nbformat.read(path, as_version=4)
    return sum(1 for c in nb.cells for o in c.get("outputs", [])
               if o.get("output_type") == "error" and o.get("ename") == "CellTimeoutError")


def grade_one(course_dir: Path, assignment: str, student: str, graded: list[str],
              max_scores: dict[str, float], db_url: str | None = None,
              worker: int = 0) -> list[Result]:
    """Autograde one learner's submission of one assignment; one Result per graded notebook."""
    results = []
    sub_dir = course_dir / "submitted" / student / assignment
    logs = course_dir / ".grading" / "logs" / assignment
    for name in graded:
        start = time.monotonic()
        status, message = check_submission(sub_dir / f"{name}.ipynb")
        if status != "graded":
            results.append(Result(assignment, student, name, 0.0, max_scores[name], status, message))
            continue
        log = logs / f"{student}.{name}.log"
        # IPC sockets in a per-worker folder: kernels started in parallel cannot race for ports.
        ipc = Path(f"/tmp/optdl-ipc-{os.getpid()}-{worker}")
        ipc.mkdir(parents=True, exist_ok=True)
        args = ["autograde", assignment, f"--student={student}", f"--notebook={name}", "--force",
                "--KernelManager.transport=ipc", f"--KernelManager.ip={ipc / 'kernel'}"]
        try:
            proc = nbgrader(course_dir, *args, timeout=NOTEBOOK_TIME_LIMIT, log=log, db_url=db_url)
            output = proc.stdout + proc.stderr
        except subprocess.TimeoutExpired:
            proc, output = None, ""
        autograded = course_dir / "autograded" / student / assignment / f"{name}.ipynb"
        seconds = time.monotonic() - start
        if proc is None:
            status = "timed out"
            message = (f"grading stopped after {NOTEBOOK_TIME_LIMIT} s (a cell ignored the "
                       "interrupt?); scored 0")
            score, max_score, cells = 0.0, max_scores[name], {}
        elif not autograded.exists():
            died = any(s in output for s in ("DeadKernelError", "Kernel died", "kernel died"))
            unresponsive = "UnresponsiveKernelError" in output or "became unresponsive" in output
            status = "kernel died" if died else "timed out" if unresponsive else "error"
            message = {"kernel died": "the kernel exited while running the notebook "
                                      "(os._exit, a crash or out of memory); scored 0",
                       "timed out": "the kernel stopped answering and could not be interrupted; "
                                    "scored 0"}.get(status, f"nbgrader failed, see {log}")
            score, max_score, cells = 0.0, max_scores[name], {}
        else:
            score, max_score, cells = _scores(course_dir, assignment, student, name, db_url)
            n = _timed_out_cells(autograded)
            if n:
                status = "timed out"
                message = f"{n} cell(s) hit the per-cell time limit and were interrupted"
        results.append(Result(assignment, student, name, score, max_score, status, message,
                              round(seconds, 2), cells))
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


def grade(course_dir: Path, assignments: list[str] | None = None, students: list[str] | None = None,
          workers: int | None = None, db_url: str | None = None, feedback: bool = True,
          progress: bool = True) -> list[Result]:
    """Autograde every submission in submitted/ (or only `students`), then write feedback."""
    course_dir = course_dir.resolve()
    assignments = assignments or notebooks.assignments(course_dir / "source")
    workers = workers or os.cpu_count() or 1
    tasks = []
    for a in assignments:
        graded, maxima = _max_scores(course_dir, a)
        learners = students or sorted(p.parent.name for p in
                                      (course_dir / "submitted").glob(f"*/{a}") if p.is_dir())
        tasks += [(a, s, graded, maxima) for s in learners]
    results: list[Result] = []
    started = time.monotonic()

    def run(i_task):
        i, (a, s, graded, maxima) = i_task
        return grade_one(course_dir, a, s, graded, maxima, db_url=db_url, worker=i % workers)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for done, res in enumerate(pool.map(run, enumerate(tasks)), start=1):
            results += res
            if progress:
                for r in res:
                    print(f"[{done}/{len(tasks)}] {r.assignment} {r.student}: {r.status} "
                          f"{r.score:g}/{r.max_score:g} ({r.seconds:.1f} s)", flush=True)
    if progress:
        print(f"graded {len(tasks)} submission(s) in {time.monotonic() - started:.1f} s "
              f"with {workers} worker(s)")
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
    with out.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        for r in sorted(results, key=lambda r: (r.student, r.assignment, r.notebook)):
            writer.writerow(r.row())
    state = course_dir / ".grading" / "results.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text(json.dumps([asdict(r) for r in results], indent=1))
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
         work_dir: Path | None = None) -> int:
    """The main job: regenerate release/, grade a simulated class, write feedback and grades.csv.

    The class is graded in its own course directory (`demo/` by default) so simulated
    learners never mix with an instructor's real submissions and gradebook. Exit status 1
    when any learner's grade differs from the expected one.
    """
    from . import classroom

    course_dir = course_dir.resolve()
    work = (work_dir or course_dir / "demo").resolve()
    assignments = assignments or notebooks.assignments(course_dir / "source")
    stale = notebooks.build_all(course_dir / "source", check=True)
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
    for a in assignments:
        target = course_dir / "release" / a
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(work / "release" / a, target)

    expected = {}
    for a in assignments:
        graded, _ = _max_scores(work, a)
        for learner in classroom.build_submissions(work, a, graded, course_dir / "classroom"):
            for name in graded:
                score, _, _ = classroom.expected_scores(learner, work / "source" / a / f"{name}.ipynb")
                status = learner.status if learner.notebook in (None, name) else "graded"
                expected[(learner.learner, a, name)] = (score, status)

    results = grade(work, assignments, workers=workers)
    csv_path = write_reports(work, results)
    print()
    print(format_table(results, expected))
    print(f"\nfeedback: {work / 'feedback'}\ngrades:   {csv_path}")
    wrong = [k for k, (score, status) in expected.items()
             if not any(r.student == k[0] and r.assignment == k[1] and r.notebook == k[2]
                        and abs(r.score - score) < 1e-9 and r.status == status for r in results)]
    if wrong:
        print(f"\n{len(wrong)} grade(s) differ from the simulated class's expected scores: {wrong}")
        return 1
    print(f"\nAll {len(expected)} grades match the simulated class's expected scores and statuses.")
    return 0
