"""Parallel grading gives the sequential grades; an interrupted run completes without loss."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time

import gradingclass as gc
import pytest

from course import ROOT, grader


def _grades(results):
    return {(r.student, r.notebook): (r.score, r.status, r.cells) for r in results}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The small class graded sequentially (1 worker) and in parallel (2), in two copies."""
    base = gc.make_course(tmp_path_factory.mktemp("base"))
    learners = gc.small_class()
    gc.build(base, learners)
    seq = gc.copy_course(base, tmp_path_factory.mktemp("seq") / "course")
    par = gc.copy_course(base, tmp_path_factory.mktemp("par") / "course")
    out = {}
    for name, course, workers in [("seq", seq, 1), ("par", par, 2)]:
        timeline: list = []
        results = grader.grade(course, [gc.ASSIGNMENT], workers=workers, progress=False,
                                feedback=False, timeline=timeline)
        out[name] = (course, results, timeline)
    return learners, out


@pytest.mark.slow
def test_parallel_grades_equal_sequential_and_expected(graded):
    """Checks 2 workers give the same scores, statuses and cell scores as 1, as expected."""
    learners, out = graded
    seq, par = _grades(out["seq"][1]), _grades(out["par"][1])
    assert seq == par
    want = gc.expected(out["seq"][0], learners)
    assert {s: (score, status) for (s, _), (score, status, _) in seq.items()} == want


def _most_at_once(timeline, start: str, end: str) -> int:
    """The most notebooks that were between their `start` and `end` steps at one moment."""
    events = sorted([(t[start], 1) for t in timeline] + [(t[end], -1) for t in timeline],
                    key=lambda e: (e[0], e[1]))  # an end before a start at the same instant
    most = now = 0
    for _, step in events:
        now += step
        most = max(most, now)
    return most


@pytest.mark.slow
@pytest.mark.parametrize("name, workers", [("seq", 1), ("par", 2)])
def test_kernels_start_ahead_and_only_workers_run_cells(graded, name, workers):
    """Checks what the run recorded: at most `workers` notebooks ran their cells at once,
    yet more learners than that were in flight (nbgrader and kernel started ahead of need),
    and a learner's kernel came up while another learner's cells ran."""
    learners, out = graded
    timeline = out[name][2]
    assert sorted(t["student"] for t in timeline) == sorted(x.learner for x in learners)
    for t in timeline:
        assert t["start"] <= t["ready"] <= t["turn"] <= t["executed"] <= t["done"], t
    assert _most_at_once(timeline, "turn", "executed") == workers
    assert _most_at_once(timeline, "start", "done") > workers
    assert any(a["turn"] < b["ready"] < a["executed"]
               for a in timeline for b in timeline if a is not b), \
        "no kernel started while another learner's cells ran"


@pytest.mark.slow
def test_interrupted_run_completes_without_duplicates(graded):
    """Checks a grader killed mid-run resumes: every learner once, grades as uninterrupted."""
    from nbgrader.api import Gradebook

    learners, out = graded
    course, reference, _ = out["seq"]
    for p in (course / ".grading" / "status" / gc.ASSIGNMENT).glob("*.json"):
        p.unlink()
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"}
    proc = subprocess.Popen([sys.executable, "-m", "course", "grade", gc.ASSIGNMENT,
                             "--course-dir", str(course), "--workers", "1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    status = course / ".grading" / "status" / gc.ASSIGNMENT
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list(status.glob("*.json"))) < 1:
        time.sleep(0.2)
    time.sleep(1.0)  # mid-way through the next learner
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(list(status.glob("*.json")))
    assert 1 <= done_before < len(learners), "the kill did not land mid-run"

    results = grader.grade(course, [gc.ASSIGNMENT], workers=2, progress=False, feedback=False)
    grader.write_reports(course, results)
    assert _grades(results) == _grades(reference)
    rows = list(csv.DictReader((course / "results.csv").open()))
    assert sorted(r["student"] for r in rows) == sorted(x.learner for x in learners)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", course_id="optdl") as gb:
        subs = [(s.student.id) for s in gb.find_assignment(gc.ASSIGNMENT).submissions]
    assert sorted(subs) == sorted(set(subs))  # one gradebook row per learner



@pytest.mark.slow
def test_dask_cluster_grades_like_local_even_when_a_worker_dies(graded, tmp_path):
    """Checks a real multi-process Dask cluster on loopback gives the local run's grades, and
    a worker killed while it grades a learner loses nothing: the task is rerun elsewhere."""
    import threading

    from dask.distributed import Client, LocalCluster

    learners, out = graded
    course = gc.copy_course(out["seq"][0], tmp_path / "course")
    for p in (course / ".grading" / "status" / gc.ASSIGNMENT).glob("*.json"):
        p.unlink()
    killed = []
    # Two threads per worker: one learner's cells run while the next starts (the docs' advice).
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)

        def kill_a_busy_worker():
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                busy = [w for w, tasks in client.processing().items() if tasks]
                if busy:
                    time.sleep(1.5)  # inside that learner's autograde
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(busy[0])
                    return
                time.sleep(0.1)

        killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
        killer.start()
        results = grader.grade(course, [gc.ASSIGNMENT], client=client, progress=False)
        killer.join()
    assert killed, "no worker was killed: the test did not exercise a failure"
    assert _grades(results) == _grades(out["seq"][1])
    # Feedback is written on the workers, for every learner nbgrader autograded.
    autograded = sorted(p.parent.parent.name for p in (course / "autograded").glob("*/*/*.ipynb"))
    pages = sorted(p.parent.parent.name for p in (course / "feedback").glob("*/*/*.html"))
    assert autograded and pages == autograded
    assert not [r.feedback for r in results if r.feedback]
    stored = sorted(p.stem for p in (course / ".grading" / "status" / gc.ASSIGNMENT).glob("*.json"))
    assert stored == sorted(x.learner for x in learners)
