"""`python -m course bench`: time the notebooks and one learner's grading; write benchmarks/RESULTS.md.

Budgets (from the issues): a graded notebook under 15 s and a Keras notebook under 60 s on a
2-core CPU. Times are wall-clock seconds of a fresh kernel running the notebook top to bottom,
kernel start-up included; the slowest cell is read from nbclient's per-cell timestamps.
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat

from . import ROOT, notebooks

BUDGET = {"graded": 15.0, "keras": 60.0}


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    # The load average says whether other work shared the CPUs while measuring.
    load = ", load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()) \
        if hasattr(os, "getloadavg") else ""
    return (f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}{load}")


def _slowest_cell(nb) -> tuple[float, str]:
    worst, where = 0.0, ""
    for i, cell in enumerate(nb.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if start and end:
            secs = (datetime.fromisoformat(end.replace("Z", "+00:00"))
                    - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
            if secs > worst:
                worst, where = secs, cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {i}")
    return worst, where


def time_notebook(path: Path, repeat: int = 1) -> tuple[float, float, str]:
    """(median wall seconds, slowest cell seconds, slowest cell name) of running `path`."""
    runs, slow = [], (0.0, "")
    for _ in range(repeat):
        start = time.perf_counter()
        nb = notebooks.execute(path, timeout=600)
        runs.append(time.perf_counter() - start)
        errors = notebooks.cell_errors(nb)
        if errors:
            raise RuntimeError(f"{path} raised while benchmarking: {errors}")
        slow = max(slow, _slowest_cell(nb))
    return statistics.median(runs), slow[0], slow[1]


def kernel_startup(repeat: int = 3) -> float:
    """Median seconds to start a python3 kernel, run `pass`, and shut it down."""
    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
    empty.metadata["kernelspec"] = notebooks.KERNELSPEC
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "empty.ipynb"
        nbformat.write(empty, path)
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            notebooks.execute(path)
            runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def grading_one(assignment: str) -> tuple[float, float]:
    """(seconds to autograde one full-marks submission, seconds of an empty nbgrader call)."""
    from .grader import classroom, engine, grade_one, nbgrader, release

    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "source" / assignment, course / "source" / assignment)
        release(course, [assignment], quiet=True)
        graded, maxima = engine.max_scores(course, assignment)
        classroom.build_submissions(course, assignment, graded)
        start = time.perf_counter()
        grade_one(course, assignment, "full_marks", graded, maxima)
        one = time.perf_counter() - start
        start = time.perf_counter()
        nbgrader(course, "--version")
        overhead = time.perf_counter() - start
    return one, overhead


def main(args) -> int:
    repeat = getattr(args, "repeat", 1)
    lines = [
        "# Benchmarks",
        "",
        f"Measured by `python -m course bench` (`make bench`) on {datetime.now():%Y-%m-%d}.",
        f"Machine: {machine()}.",
        "",
        "Wall-clock seconds of a fresh kernel running the notebook top to bottom (kernel start-up",
        f"included), median of {repeat} run(s). Budgets: graded {BUDGET['graded']:g} s, "
        f"Keras {BUDGET['keras']:g} s.",
        "",
        "| notebook | kind | seconds | slowest cell (s) | budget |",
        "|---|---|---|---|---|",
    ]
    over = 0
    for a in notebooks.assignments():
        for path in sorted((ROOT / "source" / a).glob("*.ipynb")):
            kind = "graded" if notebooks.is_graded(path) else "keras"
            secs, slow, where = time_notebook(path, repeat)
            ok = secs <= BUDGET[kind]
            over += not ok
            lines.append(f"| {a}/{path.name} | {kind} | {secs:.1f} | {slow:.1f} ({where}) | "
                         f"{'ok' if ok else 'OVER'} |")
            print(lines[-1], flush=True)
    startup = kernel_startup()
    one, overhead = grading_one(notebooks.assignments()[0])
    lines += [
        "",
        "## Grading one learner",
        "",
        f"* Autograding one full-marks submission of {notebooks.assignments()[0]} "
        f"(`grade_one`: pre-check, `nbgrader autograde` subprocess, scores): **{one:.1f} s**.",
        f"* Of which kernel start-up and shut-down (empty notebook): {startup:.1f} s, and "
        f"starting the nbgrader command itself (`nbgrader --version`): {overhead:.1f} s.",
        "",
    ]
    out = ROOT / "benchmarks" / "RESULTS.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines))
    print("\n".join(lines[-5:]))
    print(f"wrote {out}")
    return 1 if over else 0
