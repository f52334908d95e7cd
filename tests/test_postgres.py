"""The gradebook on a real PostgreSQL server, written by parallel graders."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import gradingclass as gc
import pytest

from course import grader

SCRIPT = Path(__file__).with_name("postgres.sh")


@pytest.fixture(scope="module")
def postgres_url():
    pytest.importorskip("psycopg2")
    # Not under pytest's tmp dir: the server runs as the postgres user, who cannot reach it.
    where = Path(tempfile.mkdtemp(prefix="optdl-pg-"))
    proc = subprocess.run([str(SCRIPT), "start", str(where)], capture_output=True, text=True,
                          timeout=600)
    if proc.returncode == 3:
        shutil.rmtree(where, ignore_errors=True)
        pytest.skip(f"PostgreSQL unavailable: {proc.stderr.strip()[-300:]}")
    assert proc.returncode == 0, proc.stderr
    yield proc.stdout.strip().splitlines()[-1]
    subprocess.run([str(SCRIPT), "stop", str(where)], capture_output=True, timeout=120)
    shutil.rmtree(where, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.postgres
def test_parallel_grading_into_postgresql(tmp_path, postgres_url):
    """Checks 2 workers grade the class into PostgreSQL with the SQLite run's expected grades."""
    from nbgrader.api import Gradebook

    course = gc.make_course(tmp_path / "course", db_url=postgres_url)
    learners = gc.small_class()
    gc.build(course, learners)
    results = grader.grade(course, [gc.ASSIGNMENT], workers=2, db_url=postgres_url,
                            progress=False)
    got = {r.student: (r.score, r.status) for r in results}
    assert got == gc.expected(course, learners)
    assert not (course / "gradebook.db").exists(), "grades went to SQLite, not PostgreSQL"
    with Gradebook(postgres_url, course_id="optdl") as gb:
        stored = {s.student.id: s.score for s in gb.find_assignment(gc.ASSIGNMENT).submissions}
    # Every autograded learner has exactly its score there (a kernel that died leaves a 0 row).
    assert {s for s, (_, status) in got.items() if status == "graded"} <= set(stored)
    assert all(stored[s] == got[s][0] for s in stored)
