"""Helpers for the Keras reference notebooks (never imported by graded notebooks).

Importing TensorFlow costs seconds and hundreds of MB, so it stays out of the graded path:
only the `*_keras` notebooks import this module.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile

import numpy as np

# Lines TensorFlow's C++ core writes to file descriptor 2 while it loads, before any log
# setting applies ("All log messages before absl::InitializeLog() ...", oneDNN, CUDA factory
# registration): Jupyter shows them as a red box in the first cell.
_NOISE = re.compile(r"^(WARNING: All log messages before absl|[IWE]\d{4} \d\d:\d\d:\d\d)")


@contextlib.contextmanager
def _quiet_stderr():
    """Send file descriptor 2 to a temporary file; afterwards re-emit what is not noise."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            kept = [line for line in tmp.read().decode(errors="replace").splitlines()
                    if line.strip() and not _NOISE.match(line)]
            if kept:
                print("\n".join(kept), file=sys.stderr)


def setup(float64: bool = True, seed: int = 0) -> str:
    """Quiet TensorFlow's start-up logs, seed Keras, pick float64, and report the device.

    Returns the device string the notebook should use ("/GPU:0" when a GPU is present).
    `floatx` must be set before any layer or optimizer is built.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _quiet_stderr():
        import keras
        import tensorflow as tf

    keras.utils.set_random_seed(seed)
    keras.config.set_floatx("float64" if float64 else "float32")
    gpus = tf.config.list_physical_devices("GPU")
    device = "/GPU:0" if gpus else "/CPU:0"
    what = gpus[0].name if gpus else "CPU (no GPU found)"
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}, floatx={keras.config.floatx()}; "
          f"running on {device}: {what}")
    return device


def mlp(parameters: dict, logits: bool = True):
    """A Keras Sequential copy of a `course.nn` network, with the same weights.

    Hidden layers are ReLU; the output is linear when `logits` (pair it with a
    `from_logits=True` loss, which matches numpy's exact `dZ = AL - Y`), sigmoid otherwise.
    Keras stores a Dense kernel as W.T, shape (n_{l-1}, n_l).
    """
    import keras

    L = len([k for k in parameters if k.startswith("W")])
    n_x = parameters["W1"].shape[1]
    layers = [keras.Input(shape=(n_x,))]
    for l in range(1, L + 1):
        n = parameters[f"W{l}"].shape[0]
        activation = "relu" if l < L else (None if logits else "sigmoid")
        layers.append(keras.layers.Dense(n, activation=activation, name=f"dense_{l}"))
    model = keras.Sequential(layers)
    set_parameters(model, parameters)
    return model


def set_parameters(model, parameters: dict) -> None:
    for l, layer in enumerate(model.layers, start=1):
        layer.set_weights([parameters[f"W{l}"].T, parameters[f"b{l}"].ravel()])


def get_parameters(model) -> dict:
    """The model's weights in the course's layout: {"W1": (n_1, n_0), "b1": (n_1, 1), ...}."""
    out = {}
    for l, layer in enumerate(model.layers, start=1):
        kernel, bias = layer.get_weights()
        out[f"W{l}"], out[f"b{l}"] = np.asarray(kernel).T, np.asarray(bias).reshape(-1, 1)
    return out


def max_abs_diff(a: dict, b: dict) -> float:
    """Largest absolute difference over every array of two parameter dicts with the same keys."""
    return max(float(np.max(np.abs(np.asarray(a[k]) - np.asarray(b[k])))) for k in a)
