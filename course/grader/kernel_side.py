"""The learner's kernel's half of trusted judging (`course.grader.judge`): run one of the
learner's functions on the arguments the grader sent, and send back plain data.

Everything here runs in the learner's kernel, so a learner can change it; that can only
change the data that comes back, which the grader then checks, as it would check any value
the learner's function returned. Arguments arrive pickled (they come from the grader, which
the kernel may trust); results leave as `course.grader.plain` JSON (the grader trusts
nothing from the kernel).
"""

from __future__ import annotations

MIME = "application/x-optdl-judge+json"


def _reply(payload: dict) -> None:
    import json

    from IPython.display import display

    display({MIME: json.dumps(payload)}, raw=True)


def _user_ns() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


def learner_function(name: str):
    """The learner's object `name` (unpickling a judge-side proxy lands here)."""
    return _user_ns()[name]


def _describe_signature(func) -> list | None:
    import inspect

    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return None
    return [[p.name, int(p.kind), p.default is not inspect.Parameter.empty]
            for p in sig.parameters.values()]


def describe(name: str) -> None:
    """What `name` is in the learner's namespace: missing, a function, or plain data."""
    from course.grader import plain

    ns = _user_ns()
    if name not in ns:
        return _reply({"missing": True})
    obj = ns[name]
    if callable(obj) and not isinstance(obj, type):
        return _reply({"callable": True, "name": getattr(obj, "__name__", name),
                       "params": _describe_signature(obj)})
    try:
        return _reply({"value": plain.encode(obj)})
    except plain.NotPlainData as err:
        return _reply({"unsupported": str(err)})


def _post_call(value):
    """What the grader needs to mirror an argument's changes: plain data, a generator's
    state, or None (nothing to mirror)."""
    import numpy as np

    from course.grader import plain

    if isinstance(value, np.random.Generator):
        return {"rng_state": plain.encode(value.bit_generator.state)}
    try:
        return {"value": plain.encode(value)}
    except plain.NotPlainData:
        return None


def call(name: str, payload: str) -> None:
    """Call the learner's `name` with the pickled (args, kwargs) in `payload` (base64)."""
    import base64
    import pickle

    import numpy as np

    from course.grader import plain

    args, kwargs = pickle.loads(base64.b64decode(payload))
    func = learner_function(name)
    saved = np.random.get_state()
    np.random.seed(20240611)  # a sentinel: any use of the global generator changes it
    sentinel = np.random.get_state()
    out: dict = {}
    try:
        result = func(*args, **kwargs)
        try:
            out["result"] = plain.encode(result)
        except plain.NotPlainData as err:
            out["unsupported"] = str(err)
    except Exception as err:  # the learner's error, sent back by name to be judged
        try:
            err_args = plain.encode(err.args)
        except plain.NotPlainData:
            err_args = plain.encode((str(err),))
        out["error"] = {"type": type(err).__name__, "module": type(err).__module__,
                        "message": str(err)[:4000], "args": err_args}
    after = np.random.get_state()
    out["rng_used"] = not (np.array_equal(after[1], sentinel[1]) and after[2:] == sentinel[2:])
    np.random.set_state(saved)
    out["args"] = [_post_call(a) for a in args]
    out["kwargs"] = {k: _post_call(v) for k, v in kwargs.items()}
    _reply(out)
