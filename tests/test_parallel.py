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
        start = time.monotonic()
        results = grader.grade(course, [gc.ASSIGNMENT], workers=workers, progress=False,
                                feedback=False)
        out[name] = (course, results, time.monotonic() - start)
    return learners, out


@pytest.mark.slow
def test_parallel_grades_equal_sequential_and_expected(graded):
    """Checks 2 workers give the same scores, statuses and cell scores as 1, as expected."""
    learners, out = graded
    seq, par = _grades(out["seq"][1]), _grades(out["par"][1])
    assert seq == par
    want = gc.expected(out["seq"][0], learners)
    assert {s: (score, status) for (s, _), (score, status, _) in seq.items()} == want


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
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
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
        results = grader.grade(course, [gc.ASSIGNMENT], client=client, progress=False,
                               feedback=False)
        killer.join()
    assert killed, "no worker was killed: the test did not exercise a failure"
    assert _grades(results) == _grades(out["seq"][1])
    stored = sorted(p.stem for p in (course / ".grading" / "status" / gc.ASSIGNMENT).glob("*.json"))
    assert stored == sorted(x.learner for x in learners)
