"""Test helpers for grade cells: comparisons whose failure messages name the likely mistake.

The kit of every chapter, in three parts (CONTRIBUTING.md shows a whole test):

* fixtures (`course.fixtures`): non-zero networks, gradients and states built from a seed;
* `call`: one call of the learner's function on fresh copies, which checks what it returns,
  that it left the inputs it must not change alone, and that it did not touch numpy's
  global random generator; it returns plain data (deep copies);
* comparisons (`check_close`, `check_dict_close`, `check_keys`, `check_zero_state`) with a
  table of named mistakes `{diagnosis: the value that mistake gives}`. A diagnosis from the
  table follows MISTAKE in the message ("v is wrong. Likely mistake: bias correction
  missing: ..."), several joined by OR, so the class report (`python -m course report`)
  can count learners by diagnosis.

Every check is data in, data out, so where it runs (the learner's kernel, or a grader that
receives the returned arrays) does not change what it concludes. Every helper raises
`AssertionError` with a message written for the learner, never an exception from its own
insides.

Precision: results are compared in float64. A float32 result is rejected with a message that
says so, since float32 keeps about 7 digits and the course's tolerances are tighter.
"""

from __future__ import annotations

import copy
import inspect
import re
from collections.abc import Callable, Mapping, Sequence

import numpy as np

# Bound at import, before any learner code runs: a learner who assigns `np.allclose = ...`
# (even inside a function a test calls) cannot change what these helpers conclude.
_asarray, _isfinite, _isclose = np.asarray, np.isfinite, np.isclose
_argwhere, _abs, _maximum = np.argwhere, np.abs, np.maximum
_round, _trunc = np.round, np.trunc
_array_equal, _shares_memory = np.array_equal, np.shares_memory
_get_state, _set_state, _RandomState = np.random.get_state, np.random.set_state, np.random.RandomState
_UFuncTypeError = getattr(np, "exceptions", np).__dict__.get("UFuncTypeError", TypeError)

LAYER_KEY = re.compile(r"^d?([Wb])(\d+)$")
# Returned values that are optimizer state, keyed like the gradients ("dW1", "db1", ...).
STATE_NAMES = {"v", "s", "cache", "state", "velocity", "v_corrected", "s_corrected", "grads"}
# A failure that names mistakes from a `mistakes` table: f"{name} is wrong.{MISTAKE}" followed by
# the diagnoses joined by OR. course.grader.analytics parses it; keep the two in step.
MISTAKE = " Likely mistake: "
OR = " Or: "


def _allclose(a, b, rtol, atol) -> bool:
    return bool(_isclose(a, b, rtol=rtol, atol=atol).all())


def rel_error(x, y) -> float:
    """Largest relative error max(|x - y| / max(1e-8, |x| + |y|)), as in CS231n."""
    x, y = _asarray(x, dtype=float), _asarray(y, dtype=float)
    return float((_abs(x - y) / _maximum(1e-8, _abs(x) + _abs(y))).max())


def fresh(obj):
    """A deep copy of a fixture, so one learner's in-place update never leaks into the next test."""
    return copy.deepcopy(obj)


def pair(got: float, want: float) -> str:
    """'got X, expected Y' with as many digits as it takes to show that they differ."""
    for digits in range(6, 18):
        a, b = f"{got:.{digits}g}", f"{want:.{digits}g}"
        if a != b:
            return f"got {a}, expected {b}"
    return f"got {got!r}, expected {want!r}"


# ---------------------------------------------------------------------------- comparisons

def _generic_diagnosis(actual, expected, rtol, atol) -> str | None:
    """Mistakes any quantity can have: wrong sign, transposed, a constant factor off."""
    if expected.size and _allclose(actual, -expected, rtol, atol) and _abs(expected).max() > atol:
        return "it has the wrong sign (a minus where a plus belongs, or the other way round)."
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] and expected.shape[0] > 1 \
            and _allclose(actual, expected.T, rtol, atol):
        return "it is transposed."
    nonzero = _abs(expected) > 1e-12
    if expected.size > 1 and nonzero.sum() > 1 and not (actual[~nonzero] != 0).any():
        ratio = actual[nonzero] / expected[nonzero]
        if _isfinite(ratio).all() and _allclose(ratio, ratio.flat[0], 1e-9, 0) \
                and abs(ratio.flat[0]) > 1e-12:
            return (f"every entry is {ratio.flat[0]:.6g} times the expected one: a constant "
                    "factor is missing or extra.")
    return None


def check_close(actual, expected, name: str, hint: str = "", rtol: float = 1e-7,
                atol: float = 1e-9, mistakes: Mapping[str, object] | None = None,
                nan_hint: str = "", columns: bool = False):
    """Assert `actual` equals `expected` (whole arrays, shapes included), in float64.

    The message names the quantity and the mistake. `mistakes` maps a diagnosis ("bias
    correction missing?") to the value that mistake would produce; when `actual` matches one,
    the message gives that diagnosis. Otherwise it tries generic diagnoses (wrong sign,
    transposed, a constant factor), then shows the first mismatch with enough digits to see
    the difference, and adds `hint`. `nan_hint` is shown only when `actual` holds NaN or inf;
    `columns=True` marks a data array (examples are columns) for the shape message.
    A float32 or float16 result always fails (the course computes in float64), and so does an
    integer result where the expected values have fractions, with a message saying so.
    """
    if actual is None:
        raise AssertionError(f"{name} is None: did you forget to return it?")
    if isinstance(actual, Mapping):
        raise AssertionError(f"{name} is a dict ({sorted(actual)[:4]}...), expected an array: "
                             "are the returned values in the right order?")
    try:
        actual_arr = _asarray(actual)
    except (TypeError, ValueError):
        raise AssertionError(f"{name} is not an array of numbers (got {type(actual).__name__}).") \
            from None
    expected_arr = _asarray(expected, dtype=float)
    if actual_arr.shape != expected_arr.shape:
        msg = f"{name} has shape {actual_arr.shape}, expected {expected_arr.shape}."
        if actual_arr.shape == expected_arr.shape[::-1] and actual_arr.ndim == 2:
            msg += " It is transposed."
        if columns:
            msg += " Examples are columns: shape (n_x, m); slice and permute axis 1."
        elif actual_arr.ndim < expected_arr.ndim:
            msg += " Keep the array two-dimensional (a column (n, 1), not a flat vector)."
        raise AssertionError(msg)
    if actual_arr.dtype.kind not in "biufc":
        raise AssertionError(f"{name} is not numeric (dtype {actual_arr.dtype}).")
    if actual_arr.dtype.kind == "c":
        raise AssertionError(f"{name} is complex: is there a square root of a negative number?")
    actual_arr = actual_arr.astype(float)
    if not _isfinite(actual_arr).all():
        raise AssertionError(f"{name} contains NaN or inf. {nan_hint}".strip())
    kind = _asarray(actual).dtype
    if kind in (np.float32, np.float16):
        raise AssertionError(
            f"{name} is {kind}, which keeps only about {7 if kind == np.float32 else 3} digits: "
            "compute in float64 (numpy's default; no dtype=np.float32, no .astype).")
    if _allclose(actual_arr, expected_arr, rtol, atol):
        if isinstance(actual, np.ndarray) and kind.kind in "iub" \
                and not _allclose(expected_arr, _round(expected_arr), 0, 0):
            raise AssertionError(f"{name} is an integer array ({kind}); expected floats.")
        return
    matched = []
    for diagnosis, wrong in (mistakes or {}).items():
        try:
            wrong = _asarray(wrong, dtype=float)
        except (TypeError, ValueError):
            continue
        if wrong.shape == actual_arr.shape and _allclose(actual_arr, wrong, rtol, atol):
            matched.append(diagnosis)
    if matched:  # several mistakes can give the same number on one fixture: name them all
        raise AssertionError(f"{name} is wrong.{MISTAKE}" + OR.join(matched))
    if kind.kind in "iub" and _allclose(actual_arr, _trunc(expected_arr), 0, 0.5):
        raise AssertionError(
            f"{name} is an integer array ({kind}), so the fractions were cut off: make "
            "arrays of floats (np.zeros(shape), not np.zeros(shape, dtype=int)).")
    generic = _generic_diagnosis(actual_arr, expected_arr, rtol, atol)
    if generic:
        raise AssertionError(f"{name} is wrong: {generic} {hint}".strip())
    bad = _argwhere(~_isclose(actual_arr, expected_arr, rtol=rtol, atol=atol))
    where = tuple(int(i) for i in bad[0]) if bad.size else ()
    got = actual_arr[where] if where else actual_arr
    want = expected_arr[where] if where else expected_arr
    at = f" at index {where}" if where else ""
    raise AssertionError(
        f"{name} is wrong{at}: {pair(float(got), float(want))} "
        f"({len(bad)} of {expected_arr.size} entries differ). {hint}".strip())


def _last_layer(keys) -> int:
    layers = [int(m.group(2)) for m in map(LAYER_KEY.match, keys) if m]
    return max(layers, default=0)


def check_keys(d, expected_keys, name: str):
    """Assert a dict has exactly `expected_keys` (e.g. v has dW1, db1, ..., dWL, dbL).

    The message says which keys are missing or extra and, when the keys are layer keys, what
    usually causes the difference (the last layer skipped, keys of the parameters instead of
    the gradients, a layer too many).
    """
    if not isinstance(d, Mapping):
        raise AssertionError(f"{name} should be a dict, got {type(d).__name__}.")
    expected_keys = list(expected_keys)
    missing = sorted(set(expected_keys) - set(d), key=str)
    extra = sorted(set(d) - set(expected_keys), key=str)
    if not (missing or extra):
        return
    msg = f"{name} has the wrong keys: missing {missing}, unexpected {extra}."
    L = _last_layer(expected_keys)
    renamed = {k[1:] if str(k).startswith("d") else "d" + str(k) for k in missing}
    if missing and renamed == set(extra):
        if all(str(k).startswith("d") for k in missing):
            msg += " Key it like the gradients ('dW1', 'db1', ...), not like the parameters."
        else:
            msg += " Key it like the parameters ('W1', 'b1', ...), not like the gradients."
    elif missing and all((m := LAYER_KEY.match(str(k))) and int(m.group(2)) == L for k in missing):
        msg += f" Layer {L}, the last one, is missing: loop over range(1, L + 1)."
    elif extra and all((m := LAYER_KEY.match(str(k))) and int(m.group(2)) > L for k in extra):
        msg += (" Keys for layers that do not exist: the number of layers is "
                "L = len(parameters) // 2 (each layer has a W and a b).")
    elif missing and all(str(k).lstrip("d").startswith("b") for k in missing):
        msg += " The biases are missing: every layer has a W and a b."
    raise AssertionError(msg)


def unchanged_cause(key: str, L: int, changed: Mapping | None = None) -> str:
    """The usual reason the array `key` ("W2", "db1", ...) of a result did not change."""
    m = LAYER_KEY.match(key)
    if not m:
        return "is it updated and returned?"
    kind, layer = m.group(1), int(m.group(2))
    changed = changed or {}
    if kind == "b" and changed.get(key.replace("b", "W")):
        return "are the biases updated too, not only the weights?"
    earlier = [k for k, moved in changed.items() if moved and (m2 := LAYER_KEY.match(k))
               and int(m2.group(2)) < layer]
    if layer == L and earlier:
        return f"does your loop reach the last layer ({L}): range(1, L + 1)?"
    if changed and not any(changed.values()):
        return "nothing changed: is the new value stored (in the dict) and returned?"
    return "is every layer updated inside your loop, and the new value stored and returned?"


def check_dict_close(actual, expected, name: str, mistakes: Mapping[str, Mapping] | None = None,
                     start: Mapping | None = None, hints: Mapping[str, str] | None = None,
                     hint: str = "", **tol):
    """Compare two dicts of arrays key by key.

    `mistakes` maps a diagnosis to a whole (or partial) dict that mistake would produce.
    A mistake whose every array matches the learner's is named first (all of them when
    several do). Otherwise each key is compared on its own: `start` (the dict the learner was
    given) explains an array still equal to its starting value (the last layer skipped only
    when an earlier layer moved, biases forgotten, nothing stored), then the per-key values of
    the mistakes, then the generic diagnoses. `hints` maps a key to a generic hint (`hint`:
    the same for every key). Other keywords (rtol, atol, nan_hint) go to check_close.
    """
    check_keys(actual, list(expected), name)
    rtol, atol = tol.get("rtol", 1e-7), tol.get("atol", 1e-9)

    def same(a, b) -> bool:
        try:
            a, b = _asarray(a, dtype=float), _asarray(b, dtype=float)
        except (TypeError, ValueError):
            return False
        return a.shape == b.shape and _allclose(a, b, rtol, atol)

    if not all(same(actual[k], expected[k]) for k in expected):
        whole = [d for d, w in (mistakes or {}).items() if isinstance(w, Mapping) and w
                 and all(k in actual and same(actual[k], v) for k, v in w.items())]
        if whole:
            raise AssertionError(f"{name} is wrong.{MISTAKE}" + OR.join(whole))
    changed = {k: not same(actual[k], start[k]) for k in expected if start is not None and k in start}
    L = _last_layer(expected)
    for key in expected:
        table = {}
        if start is not None and key in start and not same(start[key], expected[key]):
            table["it did not change: " + unchanged_cause(key, L, changed)] = start[key]
        for diagnosis, wrong in (mistakes or {}).items():
            if isinstance(wrong, Mapping) and key in wrong:
                table.setdefault(diagnosis, wrong[key])
        check_close(actual[key], expected[key], f"{name}['{key}']", (hints or {}).get(key, hint),
                    mistakes=table, **tol)


def check_zero_state(init, parameters, name: str):
    """Assert `init(parameters)` returns optimizer state keyed "dW1", "db1", ... of float zeros
    shaped like the parameters, in new arrays (updating the state must not change a parameter),
    and leaves the parameters alone.

    Returns the state. Used for velocities, caches and moment estimates.
    """
    state = call(init, parameters, name=getattr(init, "__name__", "init"))
    check_state_zeros(state, parameters, name)
    return state


def check_state_zeros(state, parameters, name: str):
    """Assert `state` holds float zeros keyed "dW1", "db1", ... shaped like `parameters`,
    none of them the same array as a parameter or as another entry."""
    if isinstance(state, tuple):
        raise AssertionError(f"{name} should be one dict, got a tuple of {len(state)} values.")
    check_keys(state, ["d" + k for k in parameters], name)
    for k, value in parameters.items():
        got = state["d" + k]
        if np.shape(got) != value.shape:
            raise AssertionError(f"{name}['d{k}'] has shape {np.shape(got)}, expected "
                                 f"{value.shape}, the shape of parameters['{k}']: use "
                                 f"np.zeros_like(parameters['{k}']) or np.zeros({k}.shape).")
        if _asarray(got).dtype in (np.float32, np.float16):
            raise AssertionError(f"{name}['d{k}'] is {_asarray(got).dtype}: make float64 zeros "
                                 "(np.zeros(shape), numpy's default dtype).")
        if _asarray(got).dtype.kind in "iub":
            raise AssertionError(f"{name}['d{k}'] is an integer array ({_asarray(got).dtype}): "
                                 "later updates would be cut to whole numbers or fail. Make "
                                 "float zeros: np.zeros(shape) or np.zeros_like(W, dtype=float).")
        check_close(got, np.zeros(value.shape), f"{name}['d{k}']",
                    mistakes={f"it holds parameters['{k}'] itself: the state starts at zero "
                              f"(np.zeros with the parameter's shape).": value})
    arrays = [(key, state[key]) for key in state]
    for i, (ka, a) in enumerate(arrays):
        for kb, b in arrays[i + 1:]:
            if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and _shares_memory(a, b):
                raise AssertionError(f"{name}['{ka}'] and {name}['{kb}'] are the same array: "
                                     "make a new array of zeros for each.")


# ---------------------------------------------------------------------------- calling learners

def _equal(a, b) -> bool:
    """Deep equality of fixtures (dicts, lists, tuples, arrays, numbers), dtypes included."""
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        return isinstance(a, Mapping) and isinstance(b, Mapping) and set(a) == set(b) \
            and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) or isinstance(b, list | tuple):
        return isinstance(b, type(a)) and len(a) == len(b) and all(map(_equal, a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype \
            and _array_equal(a, b, equal_nan=True)
    try:
        return bool(a == b) or (a != a and b != b)
    except (TypeError, ValueError):
        return a is b


def _first_difference(a, b, path: str) -> str:
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        for k in a:
            if k not in b or not _equal(a[k], b[k]):
                return _first_difference(a[k], b.get(k), f"{path}['{k}']")
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        for i, (x, y) in enumerate(zip(a, b)):
            if not _equal(x, y):
                return _first_difference(x, y, f"{path}[{i}]")
    return path


def _kind_of(d) -> str | None:
    """'parameters' for a dict keyed W1, b1, ...; 'state' for one keyed dW1, db1, ..."""
    if not isinstance(d, Mapping) or not d:
        return None
    keys = [str(k) for k in d]
    if all(k.startswith("d") for k in keys):
        return "state"
    if all(LAYER_KEY.match(k) for k in keys):
        return "parameters"
    return None


def _check_returns(out, returns: Sequence[str], name: str):
    shown = "(" + ", ".join(returns) + ")"
    if out is None:
        raise AssertionError(f"{name} returned None: did you forget `return {', '.join(returns)}`?")
    if len(returns) == 1:
        return
    if not isinstance(out, tuple | list) or len(out) != len(returns):
        what = f"a {type(out).__name__}" + (f" of {len(out)} values" if isinstance(
            out, tuple | list) else "")
        raise AssertionError(f"{name} should return the tuple {shown}, got {what}.")
    wanted = ["parameters" if r == "parameters" else "state" if r in STATE_NAMES else None
              for r in returns]
    got = [_kind_of(x) for x in out]
    if sorted(map(str, got)) == sorted(map(str, wanted)) and got != wanted and None not in got:
        raise AssertionError(f"{name} returned its values in the wrong order: return {shown}.")
    for r, w, x in zip(returns, wanted, out):
        if w and not isinstance(x, Mapping):
            raise AssertionError(f"{name} should return {shown}: {r} should be a dict, got "
                                 f"{type(x).__name__}.")


def _translate(err: BaseException, name: str, args: dict) -> AssertionError:
    """An exception raised inside the learner's function, turned into a message naming it."""
    kind = type(err).__name__
    if isinstance(err, NotImplementedError):
        return AssertionError(f"{name} is not written yet (it raises NotImplementedError): "
                              "write your code where it says YOUR CODE HERE and delete the raise.")
    if isinstance(err, KeyError):
        key = str(err.args[0]) if err.args else ""
        m = LAYER_KEY.match(key)
        layers = [_last_layer(v) for v in args.values() if isinstance(v, Mapping)]
        L = max(layers, default=0)
        if m and int(m.group(2)) > L > 0:
            return AssertionError(
                f"{name} asked for {key!r} of a network with {L} layers: the number of layers "
                "is L = len(parameters) // 2 (each layer has a W and a b); loop over "
                "range(1, L + 1).")
        if m and int(m.group(2)) == 0:
            return AssertionError(f"{name} asked for {key!r}: layers are numbered from 1, "
                                  "range(1, L + 1).")
        if m and key.startswith("d"):
            return AssertionError(f"{name} asked for {key!r}, which the dict it looked in "
                                  "does not have: gradients and state are keyed 'dW1', "
                                  "parameters 'W1'. Did you mix them up?")
        return AssertionError(f"{name} raised KeyError {key!r}: a dict does not have that key.")
    if isinstance(err, _UFuncTypeError) and "cast" in str(err):
        return AssertionError(f"{name} did an in-place update (+=, *=, -=) on an integer array "
                              f"({err}): work on float arrays, or write x = x + ... instead.")
    if isinstance(err, ZeroDivisionError):
        return AssertionError(f"{name} divided by zero ({err}): which denominator is 0 for "
                              "these arguments (a count from 0 instead of 1, a missing + 1)?")
    if isinstance(err, IndexError) and "list index" in str(err):
        sizes = ", ".join(f"{k} has {len(v)}" for k, v in args.items() if isinstance(v, list))
        return AssertionError(f"{name} went past the end of a list ({err}"
                              + (f"; {sizes} entries" if sizes else "") + "): is a range or an "
                              "index one too long? Lists are numbered from 0.")
    if isinstance(err, ValueError | IndexError) and re.search(
            r"shape|broadcast|reshape|dimension|axis", str(err)):
        shapes = ", ".join(f"{k} {np.shape(v)}" for k, v in args.items()
                           if isinstance(v, np.ndarray))
        return AssertionError(f"{name} raised {kind}: {err}. The shapes it was given: "
                              f"{shapes or 'see the docstring'}; check which axis you use "
                              "(examples are columns) and the number of rows of each array.")
    return AssertionError(f"{name} raised {kind}: {err}")


def call(func: Callable, *args, returns: Sequence[str] = ("value",),
         may_change: Sequence[str] = (), name: str | None = None, allow_none: bool = False,
         repeat: bool = False, **kwargs):
    """Call a learner's function the way every test should, and return plain data.

    * the arguments are deep copies, so updating in place and building new dicts both pass;
    * after the call, every argument not named in `may_change` must be unchanged (the
      contract of most functions: grads, data and hyperparameters are read, never written);
    * numpy's global random generator must be left alone (functions take a `seed`/`rng`);
    * `returns` names the values the function returns, e.g. ("parameters", "v"): a missing
      return, a wrong count and values in the wrong order fail with a message naming it;
    * an exception inside the function becomes an `AssertionError` that names the likely
      mistake (a layer count without `// 2`, an in-place update of an integer array, ...).

    `allow_none=True` for a function whose contract returns None in some cases (then None is
    an answer, not a forgotten return). `repeat=True` calls the function a second time with
    the same inputs and requires the same result: a state kept between calls (a global
    variable, a step counter of its own) is named. Returns a deep copy of the result.
    """
    if repeat:
        first = call(func, *args, returns=returns, may_change=may_change, name=name,
                     allow_none=allow_none, **kwargs)
        second = call(func, *args, returns=returns, may_change=may_change, name=name,
                      allow_none=allow_none, **kwargs)
        if not _equal(first, second):
            where = _first_difference(second, first, "the result")
            raise AssertionError(
                f"{name or getattr(func, '__name__', 'your function')} returned something else "
                f"({where}) when called again with the same inputs: it keeps state between calls "
                "(a global variable, or a counter of its own instead of the argument it is given).")
        return first
    name = name or getattr(func, "__name__", "your function")
    given = fresh(args), fresh(kwargs)
    try:
        signature = inspect.signature(func)
        bound = signature.bind_partial(*given[0], **given[1]).arguments
        # the caller's own objects: the function only ever saw copies of them
        originals = signature.bind_partial(*args, **kwargs).arguments
        variadic = {n for n, p in signature.parameters.items()
                    if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)}
    except (TypeError, ValueError):  # no signature, or one that does not fit: no input check
        bound = {f"argument {i + 1}": a for i, a in enumerate(given[0])} | dict(given[1])
        originals, variadic = {}, set()
    state = _get_state()
    _set_state(_RandomState(20261202).get_state())  # a known state, whatever came before
    sentinel = _get_state()
    try:
        out = func(*given[0], **given[1])
    except AssertionError:
        raise
    except Exception as err:  # noqa: BLE001 - every learner exception becomes a message
        raise _translate(err, name, bound) from err
    finally:
        after = _get_state()
        _set_state(state)
    if not (_array_equal(sentinel[1], after[1]) and sentinel[2:] == after[2:]):
        raise AssertionError(
            f"{name} used numpy's global random generator (np.random.seed, np.random.permutation, "
            "np.random.rand, ...), which changes every later random draw of the notebook: use "
            "the generator it is given, rng = np.random.default_rng(seed).")
    for arg, value in bound.items():
        if arg in may_change or arg not in originals or arg in variadic:
            continue
        if not _equal(value, originals[arg]):
            where = _first_difference(value, originals[arg], arg)
            raise AssertionError(
                f"{name} changed its input {where} in place; it should only read {arg}. "
                "Build new arrays or dicts (x = x * 2, d = dict(d)) instead of writing into the "
                "ones you were given (x *= 2, x[...] = ..., d[key] = ...).")
    if not (allow_none and out is None):
        _check_returns(out, list(returns), name)
    return fresh(out)


def interleave(step: Callable, runs: Sequence[tuple]) -> list:
    """Step several runs in turn, t = 1, 2, ...: `runs` holds (state, grads_list) pairs and
    `step(state, grads, t)` returns the next state. Interleaving two networks catches a state
    kept outside the returned values (a global variable). Returns each run's last state."""
    current = [state for state, _ in runs]
    for t in range(1, max(len(g) for _, g in runs) + 1):
        for i, (_, grads_list) in enumerate(runs):
            if t <= len(grads_list):
                current[i] = step(current[i], grads_list[t - 1], t)
    return current


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
