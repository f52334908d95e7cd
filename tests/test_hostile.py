"""Broken and hostile submissions graded together with correct ones, in one run.

The catalogue is `course.grader.classroom.hostile_class()`; each learner must end with its status,
its flags and (where the grader protects the tests) its expected score, and the correct
learners graded in the same run keep their full marks.
"""

from __future__ import annotations

import csv
import json

import gradingclass as gc
import nbformat
import pytest

from course import grader
from course.grader import classroom, precheck, sandbox, store
from course.grader.preprocessors import LimitOutputSize

# Tampering that the kernel guard undoes (the learner gets the score its code deserves) and
# tampering that is only detected (the score is whatever the tampered tests gave: review).
PREVENTED = {"h_redefine_helpers", "h_monkeypatch_numpy", "h_edit_checker_cell"}
ONLY_DETECTED = {"h_redefine_checker"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    course = gc.make_course(tmp_path_factory.mktemp("hostile"))
    learners = classroom.hostile_class(gc.mistakes()["m01_skips_last_layer"])
    gc.build(course, learners)
    results = grader.grade(course, [gc.ASSIGNMENT], workers=2, progress=False)
    grader.write_reports(course, results)
    return course, learners, {r.student: r for r in results}


@pytest.mark.slow
def test_every_hostile_submission_gets_its_status_flags_and_score(hostile):
    """Checks each catalogue entry's status, flags and score in a run mixing all of them."""
    course, learners, by_student = hostile
    expected = gc.expected(course, learners)
    problems = []
    for x in learners:
        r = by_student[x.learner]
        score, status = expected[x.learner]
        if r.status != status:
            problems.append(f"{x.learner}: status {r.status!r} ({r.message}), expected {status!r}")
        if x.learner not in ONLY_DETECTED and r.score != score:
            problems.append(f"{x.learner}: score {r.score}, expected {score}")
        for word in x.flags:
            if word not in r.flags:
                problems.append(f"{x.learner}: flags {r.flags!r} lack {word!r}")
        if r.status != "graded" and not r.message:
            problems.append(f"{x.learner}: status {r.status} without a message")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_correct_learners_keep_full_marks_and_no_flags(hostile):
    """Checks the correct learners graded alongside the catalogue are untouched by it."""
    course, _, by_student = hostile
    for name in ("ok_full_marks", "ok_late"):
        r = by_student[name]
        assert (r.score, r.max_score, r.status, r.flags) == (11, 11, "graded", ""), r


@pytest.mark.slow
def test_ungraded_is_never_a_plain_zero_in_the_csv(hostile):
    """Checks grades.csv has a status column that tells an unreadable notebook from a 0."""
    course, _, _ = hostile
    rows = {r["student"]: r for r in csv.DictReader((course / "results.csv").open())}
    assert {"status", "message", "flags", "late_seconds"} <= set(rows["ok_untouched"])
    assert (rows["ok_untouched"]["score"], rows["ok_untouched"]["status"]) == ("0.0", "graded")
    for name, status in [("h_invalid_json", "invalid notebook"), ("h_missing", "missing"),
                         ("h_kernel_exit", "kernel died"), ("h_ignore_interrupt", "timed out")]:
        assert (rows[name]["score"], rows[name]["status"]) == ("0.0", status)
        assert rows[name]["message"]


@pytest.mark.slow
def test_late_submission_follows_nbgrader_timestamps(hostile):
    """Checks timestamp.txt after the due date is reported late; no timestamp is on time."""
    _, _, by_student = hostile
    late = by_student["ok_late"]
    assert late.late_seconds == 24 * 3600 and "24.0 h late" in late.message
    assert by_student["ok_full_marks"].late_seconds == 0


@pytest.mark.slow
def test_hostile_cells_cost_one_timeout_each(hostile):
    """Checks a loop or a sleep costs one per-cell timeout, not one per remaining cell: the
    grader recorded exactly one timed-out cell (the rest of the notebook ran and was graded),
    and a loop that ignores the interrupt was stopped once, as a whole. No stopwatch: what the
    grader recorded, not how long it took, so a busy machine cannot fail it."""
    _, _, by_student = hostile
    for name in ("h_infinite_loop", "h_sleep_past_timeout"):
        r = by_student[name]
        assert r.status == "timed out", (name, r.status, r.message)
        assert "1 cell(s) hit the per-cell time limit" in r.message, (name, r.message)
    r = by_student["h_ignore_interrupt"]
    assert r.status == "timed out", r.message
    assert "stopped" in r.message, r.message


@pytest.mark.slow
def test_kernel_cannot_reach_course_files(hostile):
    """Checks the sandboxed kernel could neither read nor write the grader's files."""
    if not sandbox.can_drop_privileges():
        pytest.skip("not root: the kernel runs as the grader's user (only detected by the scan)")
    course, _, _ = hostile
    for name in ("h_read_instructor_files", "h_write_grader_files"):
        nb = nbformat.read(course / "autograded" / name / gc.ASSIGNMENT / f"{gc.NOTEBOOK}.ipynb",
                           as_version=4)
        text = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        assert "TAMPER-BLOCKED" in text, name
        assert "TAMPER-READ" not in text and "TAMPER-WROTE" not in text, text


@pytest.mark.slow
def test_flooded_output_is_cut(hostile):
    """Checks megabytes of output are cut to size in the autograded notebook."""
    course, _, _ = hostile
    path = course / "autograded" / "h_flood_output" / gc.ASSIGNMENT / f"{gc.NOTEBOOK}.ipynb"
    assert path.stat().st_size < 1_000_000


@pytest.mark.slow
def test_rerun_reuses_stored_results(hostile):
    """Checks a second run regrades nothing unchanged and reports the same grades."""
    course, _, by_student = hostile
    again = grader.grade(course, [gc.ASSIGNMENT], workers=2, progress=False, feedback=False)
    assert {r.student: (r.score, r.status, r.flags) for r in again} == {
        s: (r.score, r.status, r.flags) for s, r in by_student.items()}
    assert all(r.seconds == by_student[r.student].seconds for r in again)  # stored, not rerun


# ------------------------------------------------------------------ fast, no nbgrader


def test_scan_flags_tampering_and_not_plain_solutions():
    """Checks the code scan's findings on tampering snippets and on honest code."""
    modules = {"np": "numpy", "check_close": "course.testing.check_close"}
    functions = {"check_partition": "def check_partition(b):\n    return b"}
    bad = {
        "np.allclose = lambda *a, **k: True": "assigns np.allclose",
        "def check_close(*a):\n    pass": "redefines check_close",
        "check_close = print": "rebinds check_close",
        "def check_partition(b):\n    return None": "redefines check_partition",
        "get_ipython().events.callbacks.clear()": "uses get_ipython",
        "import sys\nsys.modules['numpy'].allclose = None": "imports sys",
        "exec('x = 1')": "uses exec",
        "getattr(np, 'all' + 'close')": "getattr with a computed name",
        "f = lambda: 0\nf.__globals__['check_close'] = None": "uses .__globals__",
        "%time x = 1\nopen('/etc/passwd')": "uses open",
    }
    for code, finding in bad.items():
        found = precheck.scan_code(code, modules, functions)
        assert any(finding in f for f in found), (code, found)
    honest = ("import numpy as np\nrng = np.random.default_rng(0)\nparameters = {}\n"
              "parameters['W1'] = rng.standard_normal((2, 2))\n"
              "def check_partition(b):\n    return b\n")
    assert precheck.scan_code(honest, modules, functions) == []


@pytest.mark.parametrize("path", gc.graded_sources(), ids=lambda p: p.parent.name)
def test_scan_has_no_false_positive_on_the_solutions(path):
    """Checks every chapter's own solutions pass the scan and the structure checks."""
    flags, findings = precheck.inspect_submission(path, path)
    assert (flags, findings) == ([], [])


def test_limit_output_size_cuts_long_lines():
    """Checks one huge line (which nbgrader's LimitOutput lets through) is cut."""
    cell = nbformat.v4.new_code_cell("print('x' * 10**6)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="x" * 10**6)]
    out, _ = LimitOutputSize(max_chars=1000).preprocess_cell(cell, {}, 0)
    assert len(out.outputs[0].text) < 1100 and "output truncated" in out.outputs[0].text


def test_sandbox_limits_parse():
    """Checks memory limits are read as binary units."""
    assert sandbox.parse_size("4G") == 4 * 2**30
    assert sandbox.parse_size("512MiB") == 512 * 2**20
    assert sandbox.parse_size(1000) == 1000


def test_status_files_are_json(tmp_path):
    """Checks atomic writes leave complete files and no temporaries."""
    target = tmp_path / "a" / "s.json"
    store.write_atomic(target, json.dumps({"x": 1}))
    assert json.loads(target.read_text()) == {"x": 1}
    assert [p.name for p in target.parent.iterdir()] == ["s.json"]


def test_stalled_start_up_is_an_error_not_a_stored_zero(tmp_path):
    """Checks a run stopped before its kernel came up (no cell of the learner's ran) is an
    infrastructure error, retried next run, while one stopped mid-cells is `timed out`."""
    from course.grader.autograde import _judge

    args = dict(course_dir=tmp_path, assignment="a", student="s", name="n", proc=None,
                output="", box=sandbox.Settings(), time_limit=300, db_url=None, flags=[],
                findings=[], log=tmp_path / "s.n.log")
    stalled = _judge(**args, never_ready=True)
    assert stalled.status == grader.Status.ERROR and not stalled.status.definitive
    assert "not the learner's fault" in stalled.message
    hung = _judge(**args, never_ready=False)
    assert hung.status == grader.Status.TIMED_OUT and hung.status.definitive


def test_stored_results_forget_the_feedback_problem_of_their_run(tmp_path):
    """Checks a stored result comes back without the run's feedback message (the engine
    checks the pages again), so a fixed page does not keep the run failing."""
    (tmp_path / "gradebook.db").touch()
    r = grader.Result("a", "s", "n", 0.0, 1.0, grader.Status.MISSING, "no notebook",
                      feedback="not written: ...")
    store.save(tmp_path, "a", "s", "h", None, [r])
    [back] = store.stored(tmp_path, "a", "s", "h", None)
    assert back.status == grader.Status.MISSING and back.feedback == ""
