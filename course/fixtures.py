"""Fixtures for grade cells, built from a seed: small networks, gradients, optimizer state, data.

Every entry is non-zero and no two entries are equal by accident, so a wrong formula almost
never gives the right number: a zero starting state would hide a missing `beta * v` term, a
zero bias would hide a forgotten bias update, a gradient of 1 would hide a missing square.
The fixtures are plain data (dicts of float64 arrays), the same in every process that builds
them from the same seed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _nonzero(rng, shape, scale: float = 1.0, positive: bool = False) -> np.ndarray:
    """Entries of size scale * [0.5, 1.5), random signs unless `positive`: none near zero."""
    size = rng.uniform(0.5, 1.5, shape)
    return scale * (size if positive else size * rng.choice([-1.0, 1.0], shape))


@dataclass
class Network:
    """A network's parameters, a list of gradient dicts (one per step) and state dicts.

    parameters -- {"W1": (n_1, n_0), "b1": (n_1, 1), ...}
    grads -- [{"dW1", "db1", ...}, ...], one dict per step, shaped like the parameters
    states -- [{"dW1", "db1", ...}, ...] positive starting states (a cache, v, s, ...)
    """

    parameters: dict
    grads: list
    states: list

    @property
    def L(self) -> int:
        return len(self.parameters) // 2

    @property
    def state(self) -> dict:
        return self.states[0]


def network(layers_dims, seed: int, steps: int = 1, grad_scale: float = 0.1,
            state_scale: float = 0.05, n_states: int = 1, signed_states: bool = False) -> Network:
    """Parameters of `layers_dims` (biases non-zero too), `steps` gradients, `n_states` states.

    `grad_scale` and `state_scale` set the sizes (gradients about 0.1 and caches about 0.05 make
    epsilon's placement matter when epsilon is about 1e-2). States are positive (a cache of
    squares must be) unless `signed_states` (velocities can have any sign).
    """
    rng = np.random.default_rng(seed)
    parameters = {}
    for l in range(1, len(layers_dims)):
        parameters[f"W{l}"] = _nonzero(rng, (layers_dims[l], layers_dims[l - 1]))
        parameters[f"b{l}"] = _nonzero(rng, (layers_dims[l], 1), 0.5)
    grads = [{"d" + k: _nonzero(rng, v.shape, grad_scale) for k, v in parameters.items()}
             for _ in range(steps)]
    states = [{"d" + k: _nonzero(rng, v.shape, state_scale, positive=not signed_states)
               for k, v in parameters.items()} for _ in range(n_states)]
    return Network(parameters, grads, states)


def numbered_examples(n_x: int, m: int, n_y: int = 1):
    """X (n_x, m) and Y (n_y, m) of floats whose column j can be traced: X[0, j] == Y[0, j] == j.

    Row i of X holds j + i * m, so a column split apart or a row mixed in shows.
    """
    X = np.arange(n_x * m, dtype=float).reshape(n_x, m)
    Y = np.tile(np.arange(m, dtype=float), (n_y, 1))
    return X, Y
