"""`python -m course bench-grading`: grading throughput and the cost of hostile submissions.

On the same submissions and machine it times

* stock `nbgrader autograde <assignment>` then `nbgrader generate_feedback` (one process
  each, learners one after another),
* the driver (`course.grader.engine.grade`, feedback included) with 1 worker, with N workers
  (default: CPU count), and on a local Dask cluster of N worker processes,
* the driver's overhead per submission beyond executing the notebook,

and, one learner at a time, how many seconds each hostile kind of submission costs beyond a
correct one. Results go to benchmarks/grading.md with the machine's description.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .. import ROOT, notebooks
from ..bench import machine
from . import classroom, engine, nbgrader_cli

ASSIGNMENT = "01_minibatch"
HOSTILE = ("infinite_loop", "sleep_past_timeout", "ignore_interrupt", "kernel_exit",
           "huge_memory", "flood_output", "invalid_json")


def _course(where: Path) -> tuple[Path, list[str]]:
    where.mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", where)
    shutil.copytree(ROOT / "source" / ASSIGNMENT, where / "source" / ASSIGNMENT)
    nbgrader_cli.release(where, [ASSIGNMENT], quiet=True)
    graded = [p.stem for p in notebooks.graded_notebooks(where / "source" / ASSIGNMENT)]
    return where, graded


def _class(n: int) -> list[classroom.Learner]:
    base = [x for x in classroom.load_class(ASSIGNMENT) if x.kind in ("solution", "mistake")]
    out = []
    for i in range(n):
        x = base[i % len(base)]
        out.append(classroom.Learner(**{**x.__dict__, "learner": f"l{i:03d}_{x.learner}"}))
    return out


def _timed(fn) -> float:
    start = time.monotonic()
    fn()
    return time.monotonic() - start


def _stock(course: Path) -> None:
    """Stock nbgrader on the same work as the driver: autograde, then feedback."""
    env = nbgrader_cli.environment()
    for step in ("autograde", "generate_feedback"):
        subprocess.run([sys.executable, "-m", "nbgrader", step, ASSIGNMENT, "--force"],
                       cwd=course, env=env, capture_output=True, check=False)


def _on_dask(course: Path, workers: int, out: list) -> None:
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=None) as cluster, \
            Client(cluster) as client:
        out.extend(engine.grade(course, [ASSIGNMENT], client=client, progress=False))


def _overhead(course: Path, graded: list[str], learners: list[str], box) -> list[tuple]:
    """Per learner: (seconds of the driver's grade_one, seconds of nbclient executing the same
    submitted notebook in a plain kernel): the difference is the driver's overhead."""
    from .. import notebooks as nbs
    from .autograde import grade_one

    _, maxima = engine.max_scores(course, ASSIGNMENT)
    runner = nbgrader_cli.WarmNbgrader()
    grade_one(course, ASSIGNMENT, learners[0], graded, maxima, box=box, runner=runner)  # warm
    pairs = []
    for s in learners:
        path = course / "submitted" / s / ASSIGNMENT / f"{graded[0]}.ipynb"
        executed = _timed(lambda path=path: nbs.execute(path, timeout=60, cwd=path.parent))
        driver = _timed(lambda s=s: grade_one(course, ASSIGNMENT, s, graded, maxima, box=box,
                                              runner=runner))
        pairs.append((driver, executed))
    return pairs


def run(learners: int = 12, workers: int | None = None, output: Path | None = None) -> str:
    import statistics

    workers = workers or os.cpu_count() or 1
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    tmp = Path(tempfile.mkdtemp(prefix="optdl-bench-"))
    try:
        base, graded = _course(tmp / "base")
        klass = _class(learners)
        classroom.build_submissions(base, ASSIGNMENT, graded, learners=klass)
        rows = []
        copies = {name: shutil.copytree(base, tmp / name)
                  for name in ("stock", "seq", "par", "dask", "overhead")}
        stock = _timed(lambda: _stock(copies["stock"]))
        rows.append(("stock `nbgrader autograde` + `generate_feedback` (one process each, "
                     "TCP kernels, no sandbox)", 1, stock))
        seq = _timed(lambda: engine.grade(copies["seq"], [ASSIGNMENT], workers=1,
                                          progress=False))
        rows.append(("driver, 1 worker (sandboxed kernels, + feedback)", 1, seq))
        par_results: list = []
        par = _timed(lambda: par_results.extend(engine.grade(
            copies["par"], [ASSIGNMENT], workers=workers, progress=False)))
        rows.append((f"driver, {workers} workers (sandboxed kernels, + feedback)", workers, par))
        dask_results: list = []
        try:
            dask = _timed(lambda: _on_dask(copies["dask"], workers, dask_results))
            rows.append((f"driver on a local Dask cluster, {workers} worker processes "
                         "(sandboxed, + feedback)", workers, dask))
        except ImportError:
            pass
        box = engine.settings(copies["overhead"], None)
        names = [x.learner for x in klass[:3]]
        pairs = _overhead(copies["overhead"], graded, names, box)

        # Hostile submissions: one learner at a time, against a correct one.
        hostile_dir, _ = _course(tmp / "hostile")
        probe = [classroom.Learner("ok_reference", kind="solution", fails=[])]
        probe += [classroom.Learner(f"h_{k}", kind=k) for k in HOSTILE]
        classroom.build_submissions(hostile_dir, ASSIGNMENT, graded, learners=probe)
        costs = {}
        for x in probe:
            results: list = []
            seconds = _timed(lambda x=x, results=results: results.extend(engine.grade(
                hostile_dir, [ASSIGNMENT], students=[x.learner], workers=1, progress=False,
                feedback=False)))
            costs[x.learner] = (seconds, results[0].status)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    timeout = grading_timeout()
    lines = [
        "# Grading benchmark",
        "",
        f"`python -m course bench-grading --learners {learners} --workers {workers}`, "
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}.",
        "",
        f"Machine: {machine()} (at the end; {load_before:.2f} before the benchmark started).",
        "",
    ]
    if load_before > 0.5:  # something else was using the CPUs when the measurement began
        lines += ["**Noisy numbers**: other jobs shared the CPUs when the benchmark started; "
                  "rerun on an idle machine for reference values.", ""]
    lines += [
        f"## Throughput: {learners} submissions of {ASSIGNMENT} (full notebook, "
        f"per-cell timeout {timeout} s), autograde and feedback",
        "",
        "| grader | workers | seconds | submissions/minute | speed-up vs stock |",
        "|---|---|---|---|---|",
    ]
    for name, w, seconds in rows:
        lines.append(f"| {name} | {w} | {seconds:.1f} | {60 * learners / seconds:.1f} | "
                     f"{stock / seconds:.2f}x |")
    same = sorted((r.student, r.score, str(r.status)) for r in par_results) == \
        sorted((r.student, r.score, str(r.status)) for r in dask_results)
    ok = sum(r.status == "graded" for r in par_results)
    extra = [d - e for d, e in pairs]
    lines += ["", f"The parallel run graded {ok}/{len(par_results)} notebooks with status "
                  "`graded`; the Dask run's grades "
                  + ("equal" if same else "DIFFER FROM") + " the parallel run's "
                  "(tests/test_parallel.py checks both against the sequential run).", "",
              "## Overhead per submission", "",
              "Per learner, the driver's whole `grade_one` (pre-checks, a process forked from "
              "the warm nbgrader, the sandboxed kernel, nbgrader's own steps, reading the "
              "gradebook) against nbclient executing the same submitted notebook in a plain "
              "kernel, one after the other:", "",
              "| learner | driver (s) | notebook alone (s) | overhead (s) |", "|---|---|---|---|"]
    for name, (d, e) in zip(names, pairs):
        lines.append(f"| {name} | {d:.2f} | {e:.2f} | {d - e:+.2f} |")
    lines += ["", f"Median overhead: {statistics.median(extra):+.2f} s per submission.", "",
              "## Time lost per hostile submission (1 worker, one learner at a time)", "",
              "| submission | status | seconds | lost vs a correct one |", "|---|---|---|---|"]
    ref = costs["ok_reference"][0]
    for name, (seconds, status) in costs.items():
        lines.append(f"| {name} | {status} | {seconds:.1f} | {seconds - ref:+.1f} |")
    lines += ["", f"A loop or a sleep costs one per-cell timeout ({timeout} s) plus the "
                  "interrupt; a loop that ignores the interrupt also costs nbclient's IOPub "
                  "wait before the kernel is stopped; a broken file costs nothing (checked "
                  "before nbgrader starts).", ""]
    text = "\n".join(lines)
    if output:
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_text(text)
    return text


def grading_timeout() -> int:
    ns: dict = {}

    class _C:
        def __getattr__(self, name):
            return ns.setdefault(name, type("Section", (), {})())

    cfg = _C()
    try:
        exec(compile((ROOT / "nbgrader_config.py").read_text(), "nbgrader_config.py", "exec"),
             {"get_config": lambda: cfg, "__file__": str(ROOT / "nbgrader_config.py")})
        return int(ns["Execute"].timeout)
    except Exception:  # unusual config: report nbgrader's default
        return 30


def main(args) -> int:
    text = run(args.learners, args.workers, Path(args.output))
    print(text)
    return 0
