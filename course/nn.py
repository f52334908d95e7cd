"""A small fully connected network in numpy, in the course's conventions.

Shapes: `X (n_x, m)`, `W_l (n_l, n_{l-1})`, `b_l (n_l, 1)`, `A_l (n_l, m)`. Hidden layers use
ReLU; the output layer is a sigmoid (one unit, binary cross-entropy) or a softmax (C units,
categorical cross-entropy). `train` runs any optimizer given as two functions, so every
chapter can plug in the learner's own update rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

Params = dict[str, np.ndarray]


def n_layers(parameters: Params) -> int:
    """L, the number of layers with weights (parameters hold W1..WL)."""
    return len([k for k in parameters if k.startswith("W")])


def initialize_parameters(layers_dims, seed: int = 0, rng: np.random.Generator | None = None) -> Params:
    """He-scaled normal weights, zero biases: W_l ~ N(0, 2 / n_{l-1}), b_l = 0."""
    rng = rng if rng is not None else np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layers_dims)):
        n_prev, n = layers_dims[l - 1], layers_dims[l]
        parameters[f"W{l}"] = rng.standard_normal((n, n_prev)) * np.sqrt(2.0 / n_prev)
        parameters[f"b{l}"] = np.zeros((n, 1))
    return parameters


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def forward(X: np.ndarray, parameters: Params):
    """Forward pass. Returns `AL (n_L, m)` and the caches `[(A_prev, Z), ...]` for `backward`."""
    L = n_layers(parameters)
    A, caches = X, []
    for l in range(1, L + 1):
        Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
        caches.append((A, Z))
        if l < L:
            A = np.maximum(Z, 0)
        else:
            A = sigmoid(Z) if Z.shape[0] == 1 else softmax(Z)
    return A, caches


def compute_cost(AL: np.ndarray, Y: np.ndarray) -> float:
    """Mean cross-entropy J = -(1/m) sum(Y log AL (+ (1 - Y) log(1 - AL) for one unit))."""
    m = Y.shape[1]
    AL = np.clip(AL, 1e-12, 1 - 1e-12)
    if AL.shape[0] == 1:
        return float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)
    return float(-np.sum(Y * np.log(AL)) / m)


def backward(AL: np.ndarray, Y: np.ndarray, parameters: Params, caches) -> Params:
    """Gradients of `compute_cost`: `{"dW1", "db1", ..., "dWL", "dbL"}`, shaped like W and b."""
    L, m = n_layers(parameters), Y.shape[1]
    grads = {}
    dZ = AL - Y  # sigmoid + BCE and softmax + CE share this form
    for l in range(L, 0, -1):
        A_prev, _ = caches[l - 1]
        grads[f"dW{l}"] = dZ @ A_prev.T / m
        grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
        if l > 1:
            dA = parameters[f"W{l}"].T @ dZ
            dZ = dA * (caches[l - 2][1] > 0)
    return grads


def predict(X: np.ndarray, parameters: Params) -> np.ndarray:
    """Class predictions: (1, m) of 0/1 for one output unit, (1, m) of indices for softmax."""
    AL, _ = forward(X, parameters)
    if AL.shape[0] == 1:
        return (AL > 0.5).astype(float)
    return AL.argmax(axis=0).reshape(1, -1).astype(float)


def accuracy(X: np.ndarray, Y: np.ndarray, parameters: Params) -> float:
    labels = Y if Y.shape[0] == 1 else Y.argmax(axis=0).reshape(1, -1)
    return float(np.mean(predict(X, parameters) == labels))


@dataclass
class Optimizer:
    """An update rule as two functions, so notebooks can wrap the learner's own code.

    `init(parameters) -> state`; `step(parameters, grads, state, t, learning_rate) ->
    (parameters, state)`, with `t` the update count starting at 1.
    """

    init: Callable[[Params], Any]
    step: Callable[..., tuple[Params, Any]]
    name: str = "optimizer"


@dataclass
class History:
    costs: list  # cost of every mini-batch, in order
    epoch_costs: list  # full-training-set cost after each epoch
    learning_rates: list  # learning rate used in each epoch
    parameters: Params


def train(
    X,
    Y,
    layers_dims,
    optimizer: Optimizer,
    learning_rate: float = 0.01,
    num_epochs: int = 100,
    make_batches: Callable | None = None,
    schedule: Callable[[int], float] | None = None,
    seed: int = 0,
    progress: bool = True,
    parameters: Params | None = None,
) -> History:
    """Train a fresh network; the same `seed` gives the same initial weights for every optimizer.

    `parameters`, when given, are the starting weights (copied, never changed) instead of
    `initialize_parameters(layers_dims, seed)`, e.g. a chapter's own initialization.

    `make_batches(X, Y, epoch) -> [(X_t, Y_t), ...]` defaults to one full batch (batch GD).
    `schedule(epoch) -> learning rate` overrides `learning_rate` per epoch (epochs count from 0).
    """
    if parameters is None:
        parameters = initialize_parameters(layers_dims, seed=seed)
    else:
        parameters = {k: np.array(v, dtype=float) for k, v in parameters.items()}
    state = optimizer.init(parameters)
    costs, epoch_costs, rates, t = [], [], [], 0
    epochs = range(num_epochs)
    if progress:
        from tqdm.auto import tqdm

        epochs = tqdm(epochs, desc=optimizer.name, leave=False)
    for epoch in epochs:
        lr = schedule(epoch) if schedule is not None else learning_rate
        rates.append(lr)
        batches = make_batches(X, Y, epoch) if make_batches is not None else [(X, Y)]
        for X_t, Y_t in batches:
            AL, caches = forward(X_t, parameters)
            costs.append(compute_cost(AL, Y_t))
            grads = backward(AL, Y_t, parameters, caches)
            t += 1
            parameters, state = optimizer.step(parameters, grads, state, t, lr)
        epoch_costs.append(compute_cost(forward(X, parameters)[0], Y))
    return History(costs, epoch_costs, rates, parameters)


def run_on_function(f, start, optimizer: Optimizer, learning_rate: float, num_steps: int):
    """Run an optimizer on a 2-D test function `f(p) -> (value, grad)` (see `course.data`).

    The point is stored as `{"W1": p (2, 1), "b1": 0 (1, 1)}` with `db1 = 0`, so learner update
    rules written for networks (looping over layers 1..L) work unchanged. Returns the path,
    shape (num_steps + 1, 2).
    """
    parameters = {"W1": np.asarray(start, dtype=float).reshape(2, 1), "b1": np.zeros((1, 1))}
    state = optimizer.init(parameters)
    path = [parameters["W1"].ravel().copy()]
    for t in range(1, num_steps + 1):
        _, g = f(parameters["W1"].ravel())
        grads = {"dW1": g.reshape(2, 1), "db1": np.zeros((1, 1))}
        parameters, state = optimizer.step(parameters, grads, state, t, learning_rate)
        path.append(parameters["W1"].ravel().copy())
    return np.array(path)
