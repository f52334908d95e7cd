"""`python -m course bench-grading`: grading throughput and the cost of hostile submissions.

On the same submissions and machine it times

* stock `nbgrader autograde <assignment>` (one process, learners one after another),
* the driver (`course.grader.engine.grade`) with 1 worker and with N workers (default: CPU count),

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


def run(learners: int = 12, workers: int | None = None, output: Path | None = None) -> str:
    workers = workers or os.cpu_count() or 1
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    tmp = Path(tempfile.mkdtemp(prefix="optdl-bench-"))
    try:
        base, graded = _course(tmp / "base")
        klass = _class(learners)
        classroom.build_submissions(base, ASSIGNMENT, graded, learners=klass)
        rows = []
        copies = {name: shutil.copytree(base, tmp / name) for name in ("stock", "seq", "par")}
        env = nbgrader_cli.environment()
        stock = _timed(lambda: subprocess.run(
            [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], cwd=copies["stock"],
            env=env, capture_output=True))
        rows.append(("stock `nbgrader autograde` (sequential, TCP kernels, no sandbox)", 1,
                     stock))
        seq = _timed(lambda: engine.grade(copies["seq"], [ASSIGNMENT], workers=1,
                                           progress=False, feedback=False))
        rows.append(("driver, 1 worker (sandboxed kernels)", 1, seq))
        par_results = []
        par = _timed(lambda: par_results.extend(engine.grade(
            copies["par"], [ASSIGNMENT], workers=workers, progress=False, feedback=False)))
        rows.append((f"driver, {workers} workers (sandboxed kernels)", workers, par))

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
        f"per-cell timeout {timeout} s)",
        "",
        "| grader | workers | seconds | submissions/minute | speed-up vs stock |",
        "|---|---|---|---|---|",
    ]
    for name, w, seconds in rows:
        lines.append(f"| {name} | {w} | {seconds:.1f} | {60 * learners / seconds:.1f} | "
                     f"{stock / seconds:.2f}x |")
    ok = sum(r.status == "graded" for r in par_results)
    lines += ["", "The driver starts one nbgrader process per learner (a crash or a hang "
                  "costs that learner only) and a sandboxed kernel: a few seconds more per "
                  "submission than stock nbgrader's single process, won back by the workers."]
    lines += ["", f"The parallel run graded {ok}/{len(par_results)} notebooks with status "
                  "`graded` (tests/test_parallel.py checks the grades equal the sequential "
                  "run's).", "",
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
             {"get_config": lambda: cfg})
        return int(ns["Execute"].timeout)
    except Exception:  # unusual config: report nbgrader's default
        return 30


def main(args) -> int:
    text = run(args.learners, args.workers, Path(args.output))
    print(text)
    return 0
