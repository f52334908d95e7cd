"""Plain data across the kernel boundary: what a learner's function returns, as JSON.

The grader never unpickles anything that came from a learner's kernel: results are encoded
here as JSON (numbers, strings, lists, tuples, dicts, numpy arrays of numeric dtype as
base64 bytes) and decoded strictly on the grader's side. Anything else (a learner's object,
a function, a module) is refused with its type's name. Both sides import this module; it
needs numpy only.
"""

from __future__ import annotations

import base64
import json
import math

import numpy as np

# numpy dtypes that may cross (byte order fixed on decode); never object arrays.
DTYPES = {f"{kind}{size}" for kind, sizes in (("f", (2, 4, 8)), ("i", (1, 2, 4, 8)),
                                              ("u", (1, 2, 4, 8)), ("c", (8, 16)))
          for size in sizes} | {"b1"}
MAX_DEPTH = 64


class NotPlainData(TypeError):
    """A value that cannot cross: the message names its type."""


def _dtype_code(dtype: np.dtype) -> str:
    return f"{dtype.kind}{dtype.itemsize}"


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    return (a.shape == b.shape and a.dtype == b.dtype and a.strides == b.strides
            and a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def encode(value, depth: int = 0, memo: list | None = None):
    """A JSON-ready structure for `value` (kernel side).

    Arrays that are one array in memory (the same object, or views of the same memory with
    the same layout) are sent once and referred to after, so a check that two results must
    not share memory ("v and s are the same array") sees what the learner's code did."""
    memo = [] if memo is None else memo
    if depth > MAX_DEPTH:
        raise NotPlainData("nested deeper than 64 levels")
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, np.ndarray):
        for i, seen in enumerate(memo):
            if seen is value or _same_memory(seen, value):
                return {"__ref__": i}
        memo.append(value)
    if isinstance(value, np.ndarray | np.generic):
        arr = np.asarray(value)
        code = _dtype_code(arr.dtype)
        if code not in DTYPES:
            raise NotPlainData(f"a numpy array of dtype {arr.dtype}")
        data = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
        return {"__nd__": base64.b64encode(data).decode(), "dtype": code,
                "shape": list(arr.shape), "scalar": isinstance(value, np.generic)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v, depth + 1, memo) for v in value]}
    if isinstance(value, list):
        return [encode(v, depth + 1, memo) for v in value]
    if isinstance(value, dict):
        return {"__dict__": [[encode(k, depth + 1, memo), encode(v, depth + 1, memo)]
                             for k, v in value.items()]}
    raise NotPlainData(f"a {type(value).__module__}.{type(value).__qualname__} object")


def dumps(value) -> str:
    return json.dumps(encode(value))


def decode(data, depth: int = 0, arrays: list | None = None):
    """The value `encode` described (grader side): strict, nothing but plain data."""
    arrays = [] if arrays is None else arrays
    if depth > MAX_DEPTH:
        raise NotPlainData("nested deeper than 64 levels")
    if data is None or isinstance(data, bool | str | int | float):
        return data
    if isinstance(data, list):
        return [decode(v, depth + 1, arrays) for v in data]
    if isinstance(data, dict):
        if set(data) == {"__float__"} and data["__float__"] in ("nan", "inf", "-inf"):
            return float(data["__float__"])
        if set(data) == {"__tuple__"} and isinstance(data["__tuple__"], list):
            return tuple(decode(v, depth + 1, arrays) for v in data["__tuple__"])
        if set(data) == {"__dict__"} and isinstance(data["__dict__"], list):
            out = {}
            for pair in data["__dict__"]:
                if not (isinstance(pair, list) and len(pair) == 2):
                    raise NotPlainData("a malformed dict")
                key = decode(pair[0], depth + 1, arrays)
                if not isinstance(key, str | int | float | bool | tuple) and key is not None:
                    raise NotPlainData("a dict key that is not a plain value")
                out[key] = decode(pair[1], depth + 1, arrays)
            return out
        if set(data) == {"__ref__"}:
            index = data["__ref__"]
            if not (isinstance(index, int) and 0 <= index < len(arrays)):
                raise NotPlainData("a reference to an array that was not sent")
            return arrays[index]
        if set(data) == {"__nd__", "dtype", "shape", "scalar"}:
            if data["dtype"] not in DTYPES or not isinstance(data["shape"], list) or \
                    not all(isinstance(n, int) and n >= 0 for n in data["shape"]):
                raise NotPlainData(f"an array of dtype {data['dtype']!r}")
            kind, size = data["dtype"][0], int(data["dtype"][1:])
            dtype = np.dtype(bool) if kind == "b" else np.dtype(f"<{kind}{size}")
            raw = base64.b64decode(data["__nd__"], validate=True)
            count = int(np.prod(data["shape"], dtype=np.int64))
            if len(raw) != count * dtype.itemsize:
                raise NotPlainData("an array whose bytes do not match its shape")
            arr = np.frombuffer(raw, dtype=dtype).reshape(data["shape"]).astype(
                dtype.newbyteorder("="))
            if data["scalar"]:
                return arr[()]
            arrays.append(arr)
            return arr
    raise NotPlainData(f"unexpected data of type {type(data).__name__}")


def loads(text: str):
    return decode(json.loads(text))
