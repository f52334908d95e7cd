"""Test helpers for grade cells: comparisons whose failure messages name the likely mistake.

Every helper raises `AssertionError` with a message written for the learner. Fixtures are
handed out as fresh deep copies (`fresh`) so in-place and copy-returning solutions both pass.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping

import numpy as np

# Bound at import, before any learner code runs: a learner who assigns `np.allclose = ...`
# (even inside a function a test calls) cannot change what these helpers conclude.
_asarray, _isfinite, _isclose = np.asarray, np.isfinite, np.isclose
_argwhere, _abs, _maximum = np.argwhere, np.abs, np.maximum


def _allclose(a, b, rtol, atol) -> bool:
    return bool(_isclose(a, b, rtol=rtol, atol=atol).all())


def rel_error(x, y) -> float:
    """Largest relative error max(|x - y| / max(1e-8, |x| + |y|)), as in CS231n."""
    x, y = _asarray(x, dtype=float), _asarray(y, dtype=float)
    return float((_abs(x - y) / _maximum(1e-8, _abs(x) + _abs(y))).max())


def fresh(obj):
    """A deep copy of a fixture, so one learner's in-place update never leaks into the next test."""
    return copy.deepcopy(obj)


def check_close(actual, expected, name: str, hint: str = "", rtol: float = 1e-7, atol: float = 1e-9,
                mistakes: Mapping[str, object] | None = None):
    """Assert `actual` equals `expected` (whole arrays, shapes included).

    The message names the quantity, shows the first mismatch, and adds `hint`: the mistake
    that usually produces this failure. `mistakes` maps a diagnosis ("bias correction
    missing?") to the value that mistake would produce; when `actual` matches one, the
    message gives that diagnosis instead of the generic hint.
    """
    if actual is None:
        raise AssertionError(f"{name} is None: did you forget to return it?")
    actual_arr = _asarray(actual)
    expected_arr = _asarray(expected)
    if actual_arr.shape != expected_arr.shape:
        raise AssertionError(
            f"{name} has shape {actual_arr.shape}, expected {expected_arr.shape}. "
            "Check which axis you index: examples are columns, shape (n_x, m)."
        )
    try:
        actual_arr = actual_arr.astype(float)
    except (TypeError, ValueError) as err:
        raise AssertionError(f"{name} is not numeric: {err}") from None
    if not _isfinite(actual_arr).all():
        raise AssertionError(f"{name} contains NaN or inf. {hint}".strip())
    if not _allclose(actual_arr, expected_arr, rtol, atol):
        for diagnosis, wrong in (mistakes or {}).items():
            wrong = _asarray(wrong, dtype=float)
            if wrong.shape == actual_arr.shape and _allclose(actual_arr, wrong, rtol, atol):
                raise AssertionError(f"{name} is wrong: {diagnosis}")
        bad = _argwhere(~_isclose(actual_arr, expected_arr, rtol=rtol, atol=atol))
        where = tuple(int(i) for i in bad[0]) if bad.size else ()
        got = actual_arr[where] if where else actual_arr
        want = expected_arr[where] if where else expected_arr
        raise AssertionError(
            f"{name} is wrong at index {where}: got {float(got):.6g}, expected {float(want):.6g} "
            f"({len(bad)} of {expected_arr.size} entries differ). {hint}".strip()
        )


def check_keys(d, expected_keys, name: str):
    """Assert a dict has exactly `expected_keys` (e.g. v has dW1, db1, ..., dWL, dbL)."""
    if not isinstance(d, Mapping):
        raise AssertionError(f"{name} should be a dict, got {type(d).__name__}.")
    missing = sorted(set(expected_keys) - set(d))
    extra = sorted(set(d) - set(expected_keys))
    if missing or extra:
        raise AssertionError(
            f"{name} has the wrong keys: missing {missing}, unexpected {extra}. "
            "State dicts are keyed like the gradients ('dW1', 'db1', ...), parameters like "
            "'W1', 'b1', ...; did your loop miss the last layer (range(L) instead of range(1, L+1))?"
        )


def check_dict_close(actual, expected, name: str, hints: Mapping[str, str] | None = None, **tol):
    """Compare two dicts of arrays key by key; `hints` maps a key to the likely mistake."""
    check_keys(actual, expected.keys(), name)
    hints = hints or {}
    for key in expected:
        check_close(actual[key], expected[key], f"{name}['{key}']", hints.get(key, ""), **tol)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Centred differences (f(x + h e_i) - f(x - h e_i)) / 2h for every entry of x."""
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def check_not_mutating_global_rng(func: Callable, *args, **kwargs):
    """Call `func` and assert numpy's legacy global generator was left alone.

    Library code takes a `seed`/`rng`; calling `np.random.seed` inside a function silently
    changes every later random draw of the notebook.
    """
    np.random.seed(12345)
    before = np.random.get_state()[1].copy()
    result = func(*args, **kwargs)
    after = np.random.get_state()[1]
    if not np.array_equal(before, after):
        raise AssertionError(
            "Your function changed numpy's global random state (np.random.seed / np.random.*). "
            "Use a local generator: rng = np.random.default_rng(seed)."
        )
    return result


def check_zero_state(init, parameters, name: str):
    """Assert `init(parameters)` returns optimizer state keyed "dW1", "db1", ... of zeros shaped
    like the parameters, in new arrays (updating the state must not change a parameter).

    Returns the state. Used for velocities, caches and moment estimates.
    """
    given = fresh(parameters)
    state = init(given)
    check_keys(state, ["d" + k for k in parameters], name)
    for k, value in parameters.items():
        check_close(state["d" + k], np.zeros(value.shape), f"{name}['d{k}']",
                    f"{name} must start at zero (np.zeros with the parameter's shape).",
                    mistakes={f"it holds {k} itself: use np.zeros({k}.shape), not the parameter.":
                              value})
    for k in parameters:
        state["d" + k] += 1.0
        if not (given[k] == parameters[k]).all():
            raise AssertionError(f"Changing {name}['d{k}'] changed parameters['{k}']: "
                                 "make new arrays of zeros.")
    return state
