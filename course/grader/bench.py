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

    # Two threads per worker process: one learner's cells run while the next one starts
    # (engine._worker_turns), as docs/grading.md advises for real clusters.
    with LocalCluster(n_workers=workers, threads_per_worker=2, processes=True,
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


PHASES = [("start", "ready", "nbgrader forked, submission copied, sandboxed kernel started"),
          ("ready", "turn", "waiting for a turn (kernel up)"),
          ("turn", "executed", "the notebook's cells, grade cells judged"),
          ("executed", "done", "nbgrader writes the gradebook; the driver reads the verdict"),
          ("done", "feedback", "the learner's feedback page")]


def _median(xs):
    import statistics

    return statistics.median(xs)


def run(learners: int = 12, workers: int | None = None, output: Path | None = None,
        repeat: int = 1) -> str:
    workers = workers or os.cpu_count() or 1
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    tmp = Path(tempfile.mkdtemp(prefix="optdl-bench-"))
    names = [("stock", "stock `nbgrader autograde` + `generate_feedback` (one process each, "
              "TCP kernels, no sandbox)", 1),
             ("seq", "driver, 1 worker (sandboxed kernels, + feedback)", 1),
             ("par", f"driver, {workers} workers (sandboxed kernels, + feedback)", workers),
             ("dask", f"driver on a local Dask cluster, {workers} worker processes "
              "(sandboxed, + feedback)", workers)]
    seconds: dict[str, list[float]] = {key: [] for key, _, _ in names}
    par_results: list = []
    dask_results: list = []
    timeline: list = []
    try:
        base, graded = _course(tmp / "base")
        klass = _class(learners)
        classroom.build_submissions(base, ASSIGNMENT, graded, learners=klass)
        for i in range(repeat):  # interleaved: a slow spell of the machine hits every grader
            copies = {key: shutil.copytree(base, tmp / f"{key}{i}") for key, _, _ in names}
            seconds["stock"].append(_timed(lambda c=copies: _stock(c["stock"])))
            seconds["seq"].append(_timed(lambda c=copies: engine.grade(
                c["seq"], [ASSIGNMENT], workers=1, progress=False)))
            par_results.clear()
            timeline.clear()
            seconds["par"].append(_timed(lambda c=copies: par_results.extend(engine.grade(
                c["par"], [ASSIGNMENT], workers=workers, progress=False, timeline=timeline))))
            try:
                dask_results.clear()
                seconds["dask"].append(_timed(lambda c=copies: _on_dask(c["dask"], workers,
                                                                         dask_results)))
            except ImportError:
                pass
            for c in copies.values():
                shutil.rmtree(c, ignore_errors=True)
        overhead_course = shutil.copytree(base, tmp / "overhead")
        box = engine.settings(overhead_course, None)
        first = [x.learner for x in klass[:3]]
        pairs = _overhead(overhead_course, graded, first, box)

        # Hostile submissions: one learner at a time, against a correct one.
        hostile_dir, _ = _course(tmp / "hostile")
        probe = [classroom.Learner("ok_reference", kind="solution", fails=[])]
        probe += [classroom.Learner(f"h_{k}", kind=k) for k in HOSTILE]
        classroom.build_submissions(hostile_dir, ASSIGNMENT, graded, learners=probe)
        costs = {}
        for x in probe:
            results: list = []
            took = _timed(lambda x=x, results=results: results.extend(engine.grade(
                hostile_dir, [ASSIGNMENT], students=[x.learner], workers=1, progress=False,
                feedback=False)))
            costs[x.learner] = (took, results[0].status)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    timeout = grading_timeout()
    stock = seconds["stock"]
    lines = [
        "# Grading benchmark",
        "",
        f"`python -m course bench-grading --learners {learners} --workers {workers} "
        f"--repeat {repeat}`, {time.strftime('%Y-%m-%d %H:%M %Z')}.",
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
        f"Each grader ran {repeat} time(s) on fresh copies of the same submissions, the "
        "graders taking turns; the speed-up is stock's seconds over the grader's in the same "
        "round (median, and the worst round).",
        "",
        "| grader | workers | seconds (median) | min - max | submissions/minute | "
        "speed-up vs stock | worst round |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, name, w in names:
        xs = seconds[key]
        if not xs:
            continue
        ratios = [s / x for s, x in zip(stock, xs)]
        lines.append(f"| {name} | {w} | {_median(xs):.1f} | {min(xs):.1f} - {max(xs):.1f} | "
                     f"{60 * learners / _median(xs):.1f} | {_median(ratios):.2f}x | "
                     f"{min(ratios):.2f}x |")
    same = sorted((r.student, r.score, str(r.status)) for r in par_results) == \
        sorted((r.student, r.score, str(r.status)) for r in dask_results)
    ok = sum(r.status == "graded" for r in par_results)
    extra = [d - e for d, e in pairs]
    lines += ["", f"The parallel run graded {ok}/{len(par_results)} notebooks with status "
                  "`graded`; the Dask run's grades "
                  + ("equal" if same else "DIFFER FROM") + " the parallel run's "
                  "(tests/test_parallel.py checks both against the sequential run).", "",
              f"## Where a learner's time goes ({workers} workers, last round)", "",
              "Steps of each learner, from what the driver recorded (`grade(timeline=...)`); "
              f"while {workers} learners run their cells, {workers} more start ahead of need, "
              "and each learner's feedback is written while others run:", "",
              "| step | median s | min - max |", "|---|---|---|"]
    for start, end, what in PHASES:
        xs = [t[end] - t[start] for t in timeline if start in t and end in t]
        if xs:
            lines.append(f"| {what} | {_median(xs):.2f} | {min(xs):.2f} - {max(xs):.2f} |")
    lines += ["", "## Overhead per submission", "",
              "Per learner, the driver's whole `grade_one` (pre-checks, a process forked from "
              "the warm nbgrader, the sandboxed kernel, nbgrader's own steps, reading the "
              "gradebook; one learner at a time, nothing ahead of need) against nbclient "
              "executing the same submitted notebook in a plain kernel, one after the other:", "",
              "| learner | driver (s) | notebook alone (s) | overhead (s) |", "|---|---|---|---|"]
    for name, (d, e) in zip(first, pairs):
        lines.append(f"| {name} | {d:.2f} | {e:.2f} | {d - e:+.2f} |")
    lines += ["", f"Median overhead: {_median(extra):+.2f} s per submission.", "",
              "## Time lost per hostile submission (1 worker, one learner at a time)", "",
              "| submission | status | seconds | lost vs a correct one |", "|---|---|---|---|"]
    ref = costs["ok_reference"][0]
    for name, (took, status) in costs.items():
        lines.append(f"| {name} | {status} | {took:.1f} | {took - ref:+.1f} |")
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
    text = run(args.learners, args.workers, Path(args.output), repeat=args.repeat)
    print(text)
    return 0
