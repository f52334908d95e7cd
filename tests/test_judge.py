"""Trusted judging: grade cells run in the grader, so no learner code changes a verdict.

Each dishonest learner below wrote no working answer (the release's stubs) and adds one
cell that would make the stock in-kernel tests pass or look passed: hooks that swallow or
hide errors, rewritten cells, a re-bound or patched checker, a function that reads the
test's expected values through stack frames. Graded in one run with honest learners before
and after them, every cheat scores 0 and the honest learners keep their grades.
"""

from __future__ import annotations

import gradingclass as gc
import nbformat
import pytest

from course import grader
from course.grader import classroom, judge, plain

CHEATS = {
    # IPython's custom exception handler swallows every error of later cells.
    "j_custom_exc": "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)",
    # Tracebacks are never shown: a failing cell would have no error output.
    "j_hide_traceback": "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
                        "ip._showtraceback = lambda *a, **k: None",
    # Every later cell's source becomes `pass` before it runs.
    "j_rewrite_cells": "get_ipython().input_transformers_cleanup.append(lambda lines: ['pass\\n'])",
    # The kit's checkers, re-bound and patched through the module object.
    "j_rebind_checkers": "import course.testing as _t\n_t.check_close = lambda *a, **k: None\n"
                         "_t.check_dict_close = lambda *a, **k: None\n"
                         "check_close = check_dict_close = _t.check_close\n"
                         "call = lambda f, *a, **k: None",
    # The tests' expected values, read from the calling frames.
    "j_frames": "import sys\n"
                "def update_parameters_with_gd(parameters, grads, learning_rate):\n"
                "    f = sys._getframe(1)\n"
                "    while f is not None:\n"
                "        for v in list(f.f_locals.values()):\n"
                "            if isinstance(v, dict) and v is not parameters and "
                "set(v) == set(parameters):\n"
                "                return v\n"
                "        f = f.f_back\n"
                "    return parameters",
}


def _submission(release_nb, code: str):
    nb = nbformat.from_dict(release_nb)
    first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells.insert(first + 1, nbformat.v4.new_code_cell(code))
    return nb


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    course = gc.make_course(tmp_path_factory.mktemp("judge"))
    honest = [x for x in classroom.load_class(gc.ASSIGNMENT) if x.learner == "full_marks"]
    gc.build(course, [classroom.Learner("a_before", kind="solution", fails=[])])
    release = nbformat.read(course / "release" / gc.ASSIGNMENT / f"{gc.NOTEBOOK}.ipynb",
                            as_version=4)
    for name, code in CHEATS.items():
        out = course / "submitted" / name / gc.ASSIGNMENT
        out.mkdir(parents=True)
        nbformat.write(_submission(release, code), out / f"{gc.NOTEBOOK}.ipynb")
    gc.build(course, [classroom.Learner("z_after", kind="solution", fails=[]), *honest])
    results = grader.grade(course, [gc.ASSIGNMENT], workers=2, progress=False, feedback=False)
    return {r.student: r for r in results}


@pytest.mark.slow
def test_no_cheat_in_the_kernel_changes_a_verdict(judged):
    """Checks every cheat scores 0 while honest learners graded around them keep full marks."""
    got = {name: (judged[name].score, str(judged[name].status)) for name in CHEATS}
    assert all(score == 0 for score, _ in got.values()), got
    for name in ("a_before", "z_after", "full_marks"):
        r = judged[name]
        assert (r.score, r.max_score) == (11, 11), (name, r.score, r.status, r.message)


def test_plain_data_refuses_objects_and_round_trips_arrays():
    """Checks only plain data crosses from a kernel: arrays keep dtype and shape, tuples stay
    tuples, NaN survives, one array returned twice stays one array, and an object, an
    object array or a lying array is refused."""
    import numpy as np

    value = ({"W1": np.arange(6.0).reshape(2, 3), "n": np.int64(3)}, [1.5, float("nan")], "x")
    back = plain.loads(plain.dumps(value))
    assert isinstance(back, tuple) and back[0]["W1"].dtype == np.float64
    assert np.array_equal(back[0]["W1"], value[0]["W1"]) and np.isnan(back[1][1])
    for bad in (object(), np.array([object()]), lambda: 1):
        with pytest.raises(plain.NotPlainData):
            plain.dumps(bad)
    z = np.zeros((2, 2))
    v, s = plain.loads(plain.dumps(({"dW1": z}, {"dW1": z, "other": z.copy()})))
    assert v["dW1"] is s["dW1"] and s["other"] is not z  # aliasing seen as the kernel made it
    lying = {"__nd__": "AAAA", "dtype": "f8", "shape": [5], "scalar": False}
    with pytest.raises(plain.NotPlainData):
        plain.decode(lying)
    with pytest.raises(plain.NotPlainData):
        plain.decode({"__nd__": "AAAA", "dtype": "O", "shape": [1], "scalar": False})


def test_learner_errors_come_back_by_name_for_the_kit_messages():
    """Checks a learner's KeyError and an integer in-place update are rebuilt as the kit's
    call() expects them (its messages name `L = len(parameters) // 2` and integer arrays)."""
    import numpy as np

    from course.testing import _UFuncTypeError

    err = judge._rebuild_error({"type": "KeyError", "message": "'W3'",
                                "args": plain.encode(("W3",))})
    assert isinstance(err, KeyError) and err.args == ("W3",)
    cast = judge._rebuild_error({"type": "UFuncTypeError", "message": "Cannot cast ufunc "
                                 "'add' output from dtype('float64') to dtype('int64')",
                                 "args": plain.encode(("x",))})
    assert isinstance(cast, _UFuncTypeError) and "cast" in str(cast)
    exit_err = judge._rebuild_error({"type": "SystemExit", "message": "", "args": None})
    assert not isinstance(exit_err, SystemExit)
    original = {"W1": np.zeros((2, 2)), "b1": np.zeros((2, 1))}
    judge._mirror(original, {"value": plain.encode({"W1": np.ones((2, 2)), "b1": np.zeros((2, 1))})})
    assert original["W1"].sum() == 4  # the learner's in-place change is visible to call()
