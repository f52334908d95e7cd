"""A whole grading run: which learners to grade, where (threads on this machine, or a Dask
cluster), the resume store, and the feedback step.

Locally, every learner's nbgrader is forked from one warm process (`WarmNbgrader`), each
with an unprivileged uid of its own (when root). Learners are started ahead of need: while
`workers` notebooks run their cells, as many more have nbgrader and their sandboxed kernel
starting, and wait for a turn (`course.grader.turns`); after its cells, a learner's
results are written and its feedback page generated while the next one runs. With `scheduler`
("tcp://host:8786"), each learner is one task on a Dask cluster whose workers have the same
checkout and course directory (or a shared PostgreSQL gradebook); results come back to this
driver, which writes the resume store. A worker that dies mid-task has its task rerun
elsewhere by Dask; the grades are the same as a local run's.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from .. import ROOT, notebooks
from . import sandbox, store
from .autograde import NOTEBOOK_TIME_LIMIT, feedback_for, grade_one
from .nbgrader_cli import release, released, warm_nbgrader
from .status import Result, Status


def max_scores(course_dir: Path, assignment: str) -> tuple[list[str], dict[str, float]]:
    """([graded notebook names], {name: max score}) from the source notebooks."""
    graded = notebooks.graded_notebooks(course_dir / "source" / assignment)
    maxima = {}
    for path in graded:
        nb = nbformat.read(path, as_version=4)
        maxima[path.stem] = float(sum(c.metadata["nbgrader"].get("points", 0)
                                      for c in notebooks.grade_cells(nb)))
    return [p.stem for p in graded], maxima


def settings(course_dir: Path, db_url: str | None, sandboxed: bool = True,
             memory_limit: int | str | None = None) -> sandbox.Settings:
    hide = [ROOT]
    if db_url and "host=/" in db_url:  # a PostgreSQL unix socket directory
        hide.append(db_url.split("host=", 1)[1].split("&", 1)[0])
    box = sandbox.Settings(enabled=sandboxed, hide=tuple(hide))
    if memory_limit:
        box.memory_limit = sandbox.parse_size(memory_limit)
    return box


# Per Dask worker process: the turns its threads share (`_worker_turns`).
_TURNS: threading.BoundedSemaphore | None = None
_TURNS_LOCK = threading.Lock()


def _worker_turns() -> threading.BoundedSemaphore:
    """One turn per two threads of this Dask worker: with `--nthreads 2` per core, one
    learner runs its cells while the next one's nbgrader and kernel start (as locally)."""
    global _TURNS
    with _TURNS_LOCK:  # the threads' first tasks arrive together: one semaphore for all
        if _TURNS is None:
            try:
                from distributed import get_worker

                threads = get_worker().state.nthreads
            except (ImportError, ValueError, AttributeError):  # not on a Dask worker
                threads = 1
            _TURNS = threading.BoundedSemaphore(max(1, threads // 2))
    return _TURNS


def grade_task(course_dir: str, assignment: str, student: str, graded: list[str],
               maxima: dict, db_url: str | None, box: dict, time_limit: float,
               feedback: bool = True) -> list[dict]:
    """One learner on a Dask worker, feedback included: plain data in, plain data out (the
    driver stores it)."""
    runner = warm_nbgrader()
    results = grade_one(Path(course_dir), assignment, student, graded, maxima, db_url=db_url,
                        worker=os.getpid(), box=sandbox.Settings(**box), time_limit=time_limit,
                        runner=runner, turns=_worker_turns())
    if feedback:
        feedback_for(Path(course_dir), assignment, student, results, db_url, runner)
    return [r.to_json() for r in results]


def _ensure_released(course_dir: Path, assignments: list[str], db_url: str | None,
                     progress: bool) -> None:
    """nbgrader grades nothing of an assignment its gradebook does not know: release it."""
    for a in assignments:
        if not (course_dir / "source" / a).is_dir():
            raise SystemExit(f"no assignment {a!r}: source/{a}/ does not exist")
        if not released(course_dir, a, db_url):
            if progress:
                print(f"{a} is not in this course's gradebook yet: releasing it first")
            release(course_dir, [a], db_url=db_url, quiet=not progress)


def grade(course_dir: Path, assignments: list[str] | None = None, students: list[str] | None = None,
          workers: int | None = None, db_url: str | None = None, feedback: bool = True,
          progress: bool = True, force: bool = False, memory_limit: int | str | None = None,
          sandboxed: bool = True, time_limit: float = NOTEBOOK_TIME_LIMIT,
          scheduler: str | None = None, client=None,
          timeline: list | None = None) -> list[Result]:
    """Autograde every submission in submitted/ (or only `students`), then write feedback.

    Learners whose stored result still matches their submission are not regraded unless
    `force`. `scheduler` (a Dask scheduler address) or `client` (a dask.distributed Client)
    sends one task per learner to a Dask cluster instead of this machine's threads.
    `timeline` (local runs): gets when each notebook's steps ended (`autograde.Job.times`,
    plus "feedback" when its learner's feedback was written): what the benchmark reports.
    """
    course_dir = Path(course_dir).resolve()
    assignments = assignments or notebooks.assignments(course_dir / "source")
    db_url = db_url or os.environ.get("NBGRADER_DB_URL") or None
    _ensure_released(course_dir, assignments, db_url, progress)
    box = settings(course_dir, db_url, sandboxed, memory_limit)
    if progress:  # what is and is not protected on this machine, one line per guarantee
        print(box.describe(), flush=True)
    tasks = []
    for a in assignments:
        graded, maxima = max_scores(course_dir, a)
        learners = students or sorted(p.parent.name for p in
                                      (course_dir / "submitted").glob(f"*/{a}") if p.is_dir())
        tasks += [(a, s, graded, maxima) for s in learners]
    started = time.monotonic()
    results: list[Result] = []
    pending = []
    reused = 0

    def report(done, res, was_stored):
        for r in res:
            print(f"[{done}/{len(tasks)}] {r.assignment} {r.student}: {r.status} "
                  f"{r.score:g}/{r.max_score:g} "
                  + ("(stored)" if was_stored else f"({r.seconds:.1f} s)"), flush=True)

    for a, s, graded, maxima in tasks:
        digest = store.submission_hash(course_dir, a, s)
        kept = None if force else store.stored(course_dir, a, s, digest, db_url)
        if kept is not None:
            if feedback:  # pages of a stored result: written by the run that graded it
                feedback_for(course_dir, a, s, kept, db_url, warm_nbgrader(), only_missing=True)
            results += kept
            reused += 1
            if progress:
                report(reused, kept, True)
        else:
            pending.append((a, s, graded, maxima, digest))

    count = [reused]

    def finished(task, res):
        """In the driver, as each learner's results arrive: store them, then show them."""
        a, s, _, _, digest = task
        store.save(course_dir, a, s, digest, db_url, res)
        results.extend(res)
        count[0] += 1
        if progress:
            report(count[0], res, False)

    if scheduler or client:
        where = _grade_on_dask(course_dir, pending, db_url, box, time_limit, feedback,
                               scheduler, client, finished)
    else:
        where = _grade_here(course_dir, pending, db_url, box, time_limit, feedback, workers,
                            finished, timeline)
    if progress:
        print(f"graded {len(pending)} submission(s) ({reused} unchanged, stored) in "
              f"{time.monotonic() - started:.1f} s {where}")
        unwritten = [r for r in results if r.feedback]
        if unwritten:
            print(f"feedback not written for {len(unwritten)} notebook(s): see the `feedback` "
                  "column of results.csv", flush=True)
    return results


def _grade_here(course_dir, pending, db_url, box, time_limit, feedback, workers,
                finished, timeline) -> str:
    workers = workers or os.cpu_count() or 1
    runner = warm_nbgrader()
    # `workers` learners run their cells at a time; as many more start ahead of need. Each
    # learner in flight has its own uid, so no kernel can signal another learner's.
    turns = threading.BoundedSemaphore(workers)
    in_flight = 2 * workers
    slots: queue.Queue = queue.Queue()
    leases = []
    for i in range(in_flight):
        if box.enabled and sandbox.can_drop_privileges():
            leases.append(sandbox.UidLease())
            slots.put((i, leases[-1].uid))
        else:
            slots.put((i, None))

    def run(task):
        a, s, graded, maxima, _ = task
        slot, uid = slots.get()
        times: list = []
        try:
            results = grade_one(course_dir, a, s, graded, maxima, db_url=db_url, worker=slot,
                                box=box, time_limit=time_limit, uid=uid, runner=runner,
                                turns=turns, timeline=times)
        finally:
            slots.put((slot, uid))
        if feedback:  # outside the slot: it starts no kernel
            feedback_for(course_dir, a, s, results, db_url, runner)
            for t in times:
                t["feedback"] = time.monotonic()
        if timeline is not None:
            timeline.extend(times)
        return task, results

    try:
        with ThreadPoolExecutor(max_workers=in_flight) as pool:
            for task, res in pool.map(run, pending):
                finished(task, res)
    finally:
        for lease in leases:
            lease.close()
    return f"with {workers} worker(s)"


def _grade_on_dask(course_dir, pending, db_url, box, time_limit, feedback, scheduler, client,
                   finished) -> str:
    from dataclasses import asdict

    from dask.distributed import Client, as_completed

    own = client is None
    client = client or Client(scheduler)
    try:
        futures = {}
        for task in pending:
            a, s, graded, maxima, _ = task
            # pure=False: a rerun after a worker died must run again, not reuse a key.
            f = client.submit(grade_task, str(course_dir), a, s, graded, maxima, db_url,
                              asdict(box), time_limit, feedback, pure=False,
                              key=f"grade-{a}-{s}")
            futures[f] = task
        for f in as_completed(futures):
            task = futures[f]
            try:
                res = [Result(**r) for r in f.result()]
            except Exception as err:  # the task failed on every worker Dask tried
                a, s, graded, maxima, _ = task
                res = [Result(a, s, n, 0.0, maxima[n], Status.ERROR,
                              f"the Dask task failed: {err.__class__.__name__}: {err}")
                       for n in graded]
            finished(task, res)
        n = len(client.scheduler_info().get("workers", {}))
    finally:
        if own:
            client.close()
    return f"on a Dask cluster of {n} worker(s)"
