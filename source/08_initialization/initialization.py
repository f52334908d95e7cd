# %% [markdown]
# # Chapter 08 — Weight initialization
#
# *Optimization for Deep Learning* · graded notebook
#
# **What you will build**
# 1. `initialize_parameters_zeros`: every weight and bias 0 (the case that cannot learn).
# 2. `initialize_parameters_random`: large Gaussian weights, standard deviation 10 (the
#    lecture's other failure case).
# 3. `initialize_parameters_xavier`: standard deviation $\sqrt{1 / n^{[l-1]}}$.
# 4. `initialize_parameters_he`: standard deviation $\sqrt{2 / n^{[l-1]}}$.
#
# Then you see, by numbers, that zeros keep every hidden unit identical; you look at the
# activations of a 5-layer network under each initialization (saturated, vanishing, healthy);
# and you train the same network on two circles from zeros, from large random weights and
# from He's.
#
# **How to work.** Write your code where a cell says `YOUR CODE HERE` (delete the
# `raise NotImplementedError` line). Run the test cell under each exercise: a failing test
# tells you what is most likely wrong. Some tests are hidden and run only when your work is
# graded; they check the same ideas on other shapes and values, so write general code.

# %% [markdown]
# ## 1. Why the starting point matters
#
# Gradient descent, momentum and Adam (chapters 01-05) all start from an **initial value**
# (초깃값) of the weights. Three things can go wrong with it:
#
# * **All weights equal** (zeros, or any one constant). Every hidden unit of a layer then
#   computes the same function of the same inputs, receives the same gradient in
#   backpropagation and takes the same step: the units stay identical forever, and a layer of
#   100 units is no better than one unit. The notes say it in one line: with all weights 0
#   (or all equal) backpropagation cannot learn. Random weights *break the symmetry*.
# * **Weights too large.** $z = W a + b$ sums $n^{[l-1]}$ terms; with large weights $|z|$ is
#   large, sigmoid and tanh sit on their flat ends (saturation: gradient almost 0), and with
#   ReLU the activations grow layer after layer (explode).
# * **Weights too small.** $z$ shrinks layer after layer and the activations collapse to one
#   value: every unit says the same thing, and the gradients that flow back vanish too.
#
# The notes put the symptom in terms of the **activation function** (활성화 함수): what goes
# wrong shows in the histograms of each layer's activations, which should stay spread out
# from the first layer to the last.
#
# ### Keeping the variance constant
#
# Take one unit $z = \sum_{j=1}^{n} w_j a_j$ of a layer with $n = n^{[l-1]}$ inputs, with the
# $w_j$ drawn independently, mean 0, variance $\operatorname{Var}(w)$, and independent of
# the inputs. Then
#
# $$\operatorname{Var}(z) = n \,\operatorname{Var}(w)\, \mathbb{E}[a^2].$$
#
# * **Xavier initialization** (Xavier 초기값) asks for $\operatorname{Var}(z) = \mathbb{E}[a^2]$
#   when the activation is close to linear around 0 (tanh, sigmoid centred): $\operatorname{Var}(w)
#   = 1/n$, a standard deviation of $\sqrt{1/n^{[l-1]}} = 1/\sqrt{n^{[l-1]}}$. That is the
#   notes' definition. Glorot and Bengio's paper (2010), which gave the method its name, also
#   keeps the variance of the *gradients* flowing backward, which depends on $n^{[l]}$, and
#   compromises between the two: $\operatorname{Var}(w) = 2 / (n^{[l-1]} + n^{[l]})$. Keras
#   calls the first one `LecunNormal` and the second `GlorotNormal`. Both are shown below;
#   the graded function is the notes' $\sqrt{1/n^{[l-1]}}$.
# * **He initialization** (He 초기값), for ReLU: ReLU sets half of a symmetric $z$ to 0, so
#   $\mathbb{E}[\text{relu}(z)^2] = \operatorname{Var}(z)/2$. To keep that constant from layer
#   to layer you need $n \operatorname{Var}(w) / 2 = 1$: $\operatorname{Var}(w) = 2/n$, a
#   **standard deviation of $\sqrt{2/n^{[l-1]}}$** (He et al., 2015).
#
# **A slip in the notes.** The notes write He's value as $2/\sqrt{n}$. That is the square root
# of $4/n$: twice the variance He derived, so each ReLU layer would *double* the mean square of
# the activations (a factor $\sqrt 2$ on their size), $2^{10} = 1024$ after ten layers. The
# 2 belongs **inside** the square root: $\sqrt{2/n}$ (variance $2/n$). The cell below measures
# both on a 10-layer ReLU network.
#
# | name here | standard deviation of $W^{[l]}$ | Keras | meant for |
# |---|---|---|---|
# | zeros | 0 | `Zeros` | nothing (symmetry) |
# | random (large) | 10 | `RandomNormal(stddev=10)` | the failure case |
# | Xavier (the notes) | $\sqrt{1/n^{[l-1]}}$ | `LecunNormal` | tanh, sigmoid |
# | Glorot (the paper) | $\sqrt{2/(n^{[l-1]} + n^{[l]})}$ | `GlorotNormal` | tanh, sigmoid |
# | He | $\sqrt{2/n^{[l-1]}}$ | `HeNormal` | ReLU |
#
# Biases start at 0 in every case: the random weights already break the symmetry.

# %%
import matplotlib.pyplot as plt
import numpy as np

from course import data, nn, plots
from course.testing import call, check_close, check_keys

# %matplotlib inline

# %%
# He's sqrt(2/n) against the notes' 2/sqrt(n): 10 ReLU layers of 200 units, 1000 examples.
_rng = np.random.default_rng(0)
_A0 = _rng.standard_normal((200, 1000))
for _label, _std in [("sqrt(2/n) (He)", np.sqrt(2 / 200)), ("2/sqrt(n) (notes)", 2 / np.sqrt(200))]:
    _A, _rms = _A0, []
    for _ in range(10):
        _A = np.maximum(0, (_rng.standard_normal((200, 200)) * _std) @ _A)
        _rms.append(np.sqrt(np.mean(_A ** 2)))
    print(f"{_label:18s} mean square of the activations, layers 1-10:",
          " ".join(f"{r ** 2:7.3g}" for r in _rms))

# %% [markdown]
# With $\sqrt{2/n}$ the mean square stays near 1 in every layer; with $2/\sqrt{n}$ it about
# doubles per layer, to roughly $2^{10} \approx 1000$ at layer 10.
#
# ## 2. Exercise 1: zeros
#
# `layers_dims = [n_x, n_1, ..., n_L]` lists the units of every layer, input first, so the
# network has `L = len(layers_dims) - 1` layers with weights. Layer $l$ has
# $W^{[l]}$ of shape $(n^{[l]}, n^{[l-1]})$ (one row per unit of the layer) and $b^{[l]}$ of
# shape $(n^{[l]}, 1)$, keyed `"W1", "b1", ..., "WL", "bL"`. All four initializers take the
# same arguments `(layers_dims, seed)`; this one does not need the seed.

# %% solution="initialize_parameters_zeros"
def initialize_parameters_zeros(layers_dims, seed=0):
    """Every weight and every bias 0.

    Arguments:
    layers_dims -- list [n_x, n_1, ..., n_L] of the units of each layer, input first
    seed -- not used (all four initializers share one signature)

    Returns:
    parameters -- dict {"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL": (n_L, n_{L-1}),
                  "bL": (n_L, 1)} of float zeros
    """
    ### BEGIN SOLUTION
    parameters = {}
    L = len(layers_dims) - 1
    for l in range(1, L + 1):
        parameters[f"W{l}"] = np.zeros((layers_dims[l], layers_dims[l - 1]))
        parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return parameters
    ### END SOLUTION


# %% [markdown]
# The tests call your functions on copies (`course.testing.call`: `layers_dims` and numpy's
# global random generator must stay untouched), check the keys, shapes (a transposed $W$ is
# named), float64 arrays and zero biases.

# %% readonly="checkers_layout"
def check_layout(parameters, layers_dims, name="parameters"):
    """Keys W1, b1, ..., WL, bL; W_l of shape (n_l, n_{l-1}) and b_l of (n_l, 1), float64;
    every bias 0."""
    if not isinstance(parameters, dict):
        raise AssertionError(f"{name} should be a dict {{'W1': ..., 'b1': ..., ...}}, got "
                             f"{type(parameters).__name__}.")
    L = len(layers_dims) - 1
    check_keys(parameters, [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"], name)
    for l in range(1, L + 1):
        n_prev, n = layers_dims[l - 1], layers_dims[l]
        W, b = np.asarray(parameters[f"W{l}"]), np.asarray(parameters[f"b{l}"])
        if W.shape != (n, n_prev):
            msg = f"{name}['W{l}'] has shape {W.shape}, expected ({n}, {n_prev}) = (n_{l}, n_{l - 1})."
            if W.shape == (n_prev, n):
                msg += (" It is transposed: W has one row per unit of layer l and one column "
                        "per unit of layer l - 1, shape (layers_dims[l], layers_dims[l - 1]).")
            raise AssertionError(msg)
        if b.shape != (n, 1):
            msg = f"{name}['b{l}'] has shape {b.shape}, expected ({n}, 1)."
            if b.shape == (n,):
                msg += " Keep it a column: np.zeros((n_l, 1)), not np.zeros(n_l)."
            raise AssertionError(msg)
        for key, arr in ((f"W{l}", W), (f"b{l}", b)):
            if arr.dtype.kind in "iub":
                raise AssertionError(f"{name}['{key}'] is an integer array ({arr.dtype}): every "
                                     "later update would be cut to whole numbers or fail. Make "
                                     "floats: np.zeros(shape), without dtype=int.")
            if arr.dtype != np.float64:
                raise AssertionError(f"{name}['{key}'] is {arr.dtype}: keep numpy's default "
                                     "float64 (no dtype=np.float32, no .astype).")
        if np.any(b != 0):
            raise AssertionError(f"{name}['b{l}'] is not zero: the biases start at 0 "
                                 "(np.zeros((n_l, 1))); the random weights alone break the "
                                 "symmetry.")


def call_init(init, layers_dims, seed):
    """call() on copies; an IndexError (a layer past the end of layers_dims) gets its usual cause."""
    try:
        return call(init, layers_dims, seed=seed, returns=("parameters",))
    except AssertionError as err:
        if isinstance(err.__cause__, IndexError):
            raise AssertionError(
                f"{init.__name__} raised IndexError ({err.__cause__}) for layers_dims = "
                f"{layers_dims}: the list includes the input layer, so the network has "
                "L = len(layers_dims) - 1 layers with weights; loop over range(1, L + 1).") from None
        raise


def check_zeros(layers_dims):
    """Call initialize_parameters_zeros; check the layout and that every weight is 0."""
    parameters = call_init(initialize_parameters_zeros, layers_dims, seed=0)
    check_layout(parameters, layers_dims)
    for l in range(1, len(layers_dims)):
        W = parameters[f"W{l}"]
        check_close(W, np.zeros(W.shape), f"parameters['W{l}']",
                    hint="every weight starts at 0 here: np.zeros((n_l, n_{l-1})).")
    return parameters


# %% test="test_zeros_init" points=1
"""Checks keys, shapes, float zeros for the weights and the biases of a 3-layer network."""
check_zeros([3, 5, 4, 1])
print("Correct: every weight and bias 0, with the right shapes.")
### BEGIN HIDDEN TESTS
check_zeros([7, 2])
check_zeros([4, 6, 6, 6, 3])
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Exercises 2-4: random, Xavier and He
#
# The three random initializers differ only in the standard deviation of $W^{[l]}$:
#
# $$W^{[l]} = \sigma_l \cdot \text{(a matrix of standard normal numbers, shape } (n^{[l]},
#   n^{[l-1]})), \qquad b^{[l]} = 0$$
#
# with $\sigma_l = 10$ (random), $\sqrt{1/n^{[l-1]}}$ (Xavier) or $\sqrt{2/n^{[l-1]}}$ (He).
# Create **one** generator before the loop, `rng = np.random.default_rng(seed)`, and draw
# every layer from it: `rng.standard_normal((n_l, n_prev)) * sigma` (or
# `rng.normal(0.0, sigma, (n_l, n_prev))`, the same distribution). Do not use numpy's global
# generator (`np.random.randn`, `np.random.seed`): it changes every random number drawn later
# in the notebook.
#
# The value 10 is deliberately too large: it is the failure case of the lecture (the
# deeplearning.ai assignment uses the same factor), which section 6 trains.

# %% solution="initialize_parameters_random"
def initialize_parameters_random(layers_dims, seed=0):
    """Large random weights: W_l ~ N(0, 10**2) (standard deviation 10), biases 0.

    Arguments:
    layers_dims -- list [n_x, n_1, ..., n_L] of the units of each layer, input first
    seed -- seed of the generator, rng = np.random.default_rng(seed), created once

    Returns:
    parameters -- dict {"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL", "bL"}; every W_l has
                  standard deviation 10 (too large on purpose: the failure case), every b_l is 0
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    parameters = {}
    L = len(layers_dims) - 1
    for l in range(1, L + 1):
        n_prev, n_l = layers_dims[l - 1], layers_dims[l]
        parameters[f"W{l}"] = rng.standard_normal((n_l, n_prev)) * 10
        parameters[f"b{l}"] = np.zeros((n_l, 1))
    return parameters
    ### END SOLUTION


# %% solution="initialize_parameters_xavier"
def initialize_parameters_xavier(layers_dims, seed=0):
    """Xavier as in the notes (Keras: LecunNormal): W_l ~ N(0, 1 / n_{l-1}), biases 0.

    Arguments:
    layers_dims -- list [n_x, n_1, ..., n_L] of the units of each layer, input first
    seed -- seed of the generator, rng = np.random.default_rng(seed), created once

    Returns:
    parameters -- dict {"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL", "bL"}; W_l has standard
                  deviation sqrt(1 / n_{l-1}) (n_{l-1} = layers_dims[l - 1], the fan-in), b_l is 0
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    parameters = {}
    L = len(layers_dims) - 1
    for l in range(1, L + 1):
        n_prev, n_l = layers_dims[l - 1], layers_dims[l]
        parameters[f"W{l}"] = rng.standard_normal((n_l, n_prev)) * np.sqrt(1.0 / n_prev)
        parameters[f"b{l}"] = np.zeros((n_l, 1))
    return parameters
    ### END SOLUTION


# %% solution="initialize_parameters_he"
def initialize_parameters_he(layers_dims, seed=0):
    """He initialization (Keras: HeNormal): W_l ~ N(0, 2 / n_{l-1}), biases 0.

    Arguments:
    layers_dims -- list [n_x, n_1, ..., n_L] of the units of each layer, input first
    seed -- seed of the generator, rng = np.random.default_rng(seed), created once

    Returns:
    parameters -- dict {"W1": (n_1, n_x), "b1": (n_1, 1), ..., "WL", "bL"}; W_l has standard
                  deviation sqrt(2 / n_{l-1}) (variance 2 / n_{l-1}; not the notes' 2 / sqrt(n)),
                  b_l is 0
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    parameters = {}
    L = len(layers_dims) - 1
    for l in range(1, L + 1):
        n_prev, n_l = layers_dims[l - 1], layers_dims[l]
        parameters[f"W{l}"] = rng.standard_normal((n_l, n_prev)) * np.sqrt(2.0 / n_prev)
        parameters[f"b{l}"] = np.zeros((n_l, 1))
    return parameters
    ### END SOLUTION


# %% [markdown]
# ### How the tests check a random initialization
#
# A correct initializer can draw its numbers in another order, or with `rng.normal(0, sigma)`
# instead of `rng.standard_normal() * sigma`, so the tests never compare one random draw.
# They measure each layer's **mean and standard deviation** on layers of at least 10,000
# weights: the standard deviation of $N$ normal draws is off by about $1/\sqrt{2N}$ (0.5% for
# $N = 20{,}000$), so a correct layer lands within 3% of its $\sigma_l$ with overwhelming
# probability. The measured value is then compared with every scale a classic slip gives
# ($2/\sqrt{n}$, $1/\sqrt{n}$, the variance $2/n$ instead of the standard deviation, $n^{[l]}$
# instead of $n^{[l-1]}$, Glorot's formula, ...), and the message names the closest one.
# The layer sizes are chosen so that those scales differ from each other by more than 12%.

# %% readonly="checkers_random_init"
MIN_WEIGHTS = 10_000  # the standard deviation is measured only on layers this large


def scale_rules(rule, n_prev, n):
    """(sigma, formula, {diagnosis: the sigma that mistake gives}) for one layer."""
    if rule == "random":
        return 10.0, "the required 10", {
            "the factor 10 is missing (standard deviation 1): multiply the standard normal "
            "numbers by 10.": 1.0,
            "that is the small 0.01 of other courses; here the large-weight failure case uses "
            "a standard deviation of 10.": 0.01,
            "you used sqrt(10): 10 is the standard deviation itself (variance 100).": np.sqrt(10),
            "100 is the variance; the standard deviation is 10.": 100.0,
        }
    if rule == "xavier":
        return np.sqrt(1 / n_prev), f"sqrt(1/n_prev) = sqrt(1/{n_prev})", {
            f"that is Glorot's sqrt(2/(n_prev + n_l)) = sqrt(2/({n_prev} + {n})); the notes' "
            "Xavier (Keras: LecunNormal) uses the fan-in only, sqrt(1/n_prev).":
                np.sqrt(2 / (n_prev + n)),
            f"you used n_l = {n} (this layer's units) instead of n_prev = {n_prev} (the "
            "previous layer's units, the fan-in): layers_dims[l - 1].": np.sqrt(1 / n),
            "1/n_prev is the variance, not the standard deviation: take its square root.":
                1 / n_prev,
            "that is He's sqrt(2/n_prev); Xavier has 1 in the numerator.": np.sqrt(2 / n_prev),
            "the weights are not scaled (standard deviation 1): multiply by sqrt(1/n_prev).": 1.0,
        }
    return np.sqrt(2 / n_prev), f"sqrt(2/n_prev) = sqrt(2/{n_prev})", {
        "2/sqrt(n_prev) is the notes' slip: He's variance is 2/n_prev, so the standard "
        "deviation is sqrt(2/n_prev), the 2 inside the root.": 2 / np.sqrt(n_prev),
        "that is Xavier's 1/sqrt(n_prev); He doubles the variance for ReLU: sqrt(2/n_prev).":
            np.sqrt(1 / n_prev),
        "2/n_prev is the variance, not the standard deviation: take its square root.":
            2 / n_prev,
        f"you used n_l = {n} (this layer's units) instead of n_prev = {n_prev} (the previous "
        "layer's units, the fan-in): layers_dims[l - 1].": np.sqrt(2 / n),
        "that is Glorot's sqrt(2/(n_prev + n_l)); He uses the fan-in only, sqrt(2/n_prev).":
            np.sqrt(2 / (n_prev + n)),
        "the weights are not scaled (standard deviation 1): multiply by sqrt(2/n_prev).": 1.0,
    }


def check_weight_scale(W, sigma, formula, mistakes, name):
    """Mean about 0 and standard deviation within a few standard errors of sigma; otherwise
    name the mistake whose sigma is closest to the measured one."""
    W = np.asarray(W, dtype=float)
    N, mean, std = W.size, float(W.mean()), float(W.std())
    if std == 0:
        raise AssertionError(f"every entry of {name} is the same number ({mean:.4g}): draw "
                             "random numbers, rng.standard_normal((n_l, n_prev)) * sigma.")
    if abs(mean) > 5 * std / np.sqrt(N) + 1e-3 * std:
        raise AssertionError(
            f"the entries of {name} are not centred at zero (mean {mean:.4g}, standard "
            f"deviation {std:.4g}): draw from a normal distribution with mean 0, "
            "rng.standard_normal(shape) * sigma (rng.random is uniform on [0, 1)).")
    tol = max(0.03, 5 / np.sqrt(2 * N))  # 5 standard errors of a measured std, at least 3%
    options = {None: sigma} | dict(mistakes)
    closest = min(options, key=lambda d: abs(np.log(std / options[d])))
    if closest is None and abs(np.log(std / sigma)) <= np.log1p(tol):
        return std
    if closest is None:
        raise AssertionError(
            f"the standard deviation of {name} is {std:.4g}, expected {sigma:.4g} ({formula}): "
            f"off by {abs(std / sigma - 1):.0%}, more than a correct draw of {N} weights "
            f"strays ({tol:.0%}).")
    raise AssertionError(
        f"the standard deviation of {name} is {std:.4g}, expected {sigma:.4g} ({formula}); "
        f"{options[closest]:.4g} is the closest classic slip: {closest}")


def check_one_stream(parameters, L):
    """W_l must not start with the same numbers as W_1 (a generator created in the loop)."""
    W1 = np.asarray(parameters["W1"], dtype=float).ravel()
    for l in range(2, L + 1):
        Wl = np.asarray(parameters[f"W{l}"], dtype=float).ravel()
        k = min(W1.size, Wl.size, 1000)
        ratio = Wl[:k] / np.where(W1[:k] == 0, np.nan, W1[:k])
        if k >= 2 and np.all(np.isfinite(ratio)) and np.allclose(ratio, ratio[0], rtol=1e-9):
            raise AssertionError(
                f"W{l} starts with the same random numbers as W1 (scaled): the generator was "
                "created again for each layer. Create rng = np.random.default_rng(seed) once, "
                "before the loop, and draw every layer from it.")


def check_init(init, layers_dims, seed, rule):
    """Call init on copies; check the layout, one random stream, and each large layer's scale."""
    parameters = call_init(init, layers_dims, seed)
    check_layout(parameters, layers_dims)
    L = len(layers_dims) - 1
    check_one_stream(parameters, L)
    for l in range(1, L + 1):
        n_prev, n = layers_dims[l - 1], layers_dims[l]
        if rule is not None and n * n_prev >= MIN_WEIGHTS:
            sigma, formula, mistakes = scale_rules(rule, n_prev, n)
            check_weight_scale(parameters[f"W{l}"], sigma, formula, mistakes, f"W{l}")
    return parameters


def check_seeding(init, layers_dims):
    """Same seed, same parameters; another seed, other weights; one stream for all layers."""
    a = check_init(init, layers_dims, 3, None)
    b, c = call_init(init, layers_dims, 3), call_init(init, layers_dims, 4)
    check_layout(b, layers_dims)
    check_layout(c, layers_dims)
    if not all(np.array_equal(a[k], b[k]) for k in a):
        raise AssertionError("The same seed gave different parameters: draw from "
                             "rng = np.random.default_rng(seed) (default_rng() without the "
                             "seed starts somewhere new every time).")
    if all(np.array_equal(a[k], c[k]) for k in a):
        raise AssertionError("Seeds 3 and 4 gave the same weights: is the seed argument used?")


# %% test="test_random_init_std" points=2
"""Checks zero biases and a weight standard deviation of 10 in every layer (measured)."""
check_init(initialize_parameters_random, [234, 85, 278, 83], seed=1, rule="random")
print("Correct: standard deviation 10 in every layer, biases 0.")
### BEGIN HIDDEN TESTS
check_init(initialize_parameters_random, [295, 108], seed=2, rule="random")
check_init(initialize_parameters_random, [194, 55, 211, 84, 230, 1], seed=5, rule="random")
### END HIDDEN TESTS

# %% test="test_random_init_seeded" points=1
"""Checks the same seed gives the same parameters, another seed others, one generator for all layers."""
check_seeding(initialize_parameters_random, [50, 50, 50, 3])
print("Correct: reproducible for a seed, different across seeds.")

# %% test="test_xavier_init_std" points=2
"""Checks zero biases and a weight standard deviation sqrt(1/n_prev) in every layer (measured)."""
check_init(initialize_parameters_xavier, [234, 85, 278, 83], seed=1, rule="xavier")
print("Correct: standard deviation sqrt(1/n_prev) in every layer, biases 0.")
### BEGIN HIDDEN TESTS
check_init(initialize_parameters_xavier, [295, 108], seed=2, rule="xavier")
check_init(initialize_parameters_xavier, [194, 55, 211, 84, 230, 1], seed=5, rule="xavier")
### END HIDDEN TESTS

# %% test="test_xavier_init_seeded" points=1
"""Checks the same seed gives the same parameters, another seed others, one generator for all layers."""
check_seeding(initialize_parameters_xavier, [50, 50, 50, 3])
print("Correct: reproducible for a seed, different across seeds.")

# %% test="test_he_init_std" points=2
"""Checks zero biases and a weight standard deviation sqrt(2/n_prev) in every layer (measured)."""
check_init(initialize_parameters_he, [234, 85, 278, 83], seed=1, rule="he")
print("Correct: standard deviation sqrt(2/n_prev) in every layer, biases 0.")
### BEGIN HIDDEN TESTS
check_init(initialize_parameters_he, [295, 108], seed=2, rule="he")
check_init(initialize_parameters_he, [194, 55, 211, 84, 230, 1], seed=5, rule="he")
### END HIDDEN TESTS

# %% test="test_he_init_seeded" points=1
"""Checks the same seed gives the same parameters, another seed others, one generator for all layers."""
check_seeding(initialize_parameters_he, [50, 50, 50, 3])
print("Correct: reproducible for a seed, different across seeds.")

# %% [markdown]
# The three scales side by side on the layers of the tests, with Glorot's for comparison:
# where $n^{[l-1]} \ne n^{[l]}$ the notes' Xavier and Glorot differ; He is always
# $\sqrt 2 \approx 1.414$ times Xavier.

# %%
_dims = [234, 85, 278, 83]
_inits = {"Xavier": initialize_parameters_xavier, "He": initialize_parameters_he}
_measured = {name: f(_dims, seed=0) for name, f in _inits.items()}
print(" layer  n_prev  n_l   Xavier sqrt(1/n_prev)   Glorot sqrt(2/(n_prev+n_l))   He sqrt(2/n_prev)")
for _l in range(1, len(_dims)):
    _p, _n = _dims[_l - 1], _dims[_l]
    print(f"{_l:6d} {_p:7d} {_n:4d}   {np.sqrt(1 / _p):.4f} (yours {_measured['Xavier'][f'W{_l}'].std():.4f})"
          f"       {np.sqrt(2 / (_p + _n)):.4f}"
          f"                   {np.sqrt(2 / _p):.4f} (yours {_measured['He'][f'W{_l}'].std():.4f})")

# %% [markdown]
# ## 4. Zeros keep the units identical
#
# We train a network with 2 inputs, two hidden ReLU layers of 4 units and a sigmoid output
# on two circles (scikit-learn's `make_circles`), for 300 steps of gradient descent, from three
# starts: your zeros, every weight equal to 0.5 (a constant other than 0), and your He
# weights. After training we measure how different the 4 rows of $W^{[1]}$ (the 4 hidden
# units of layer 1) are: the largest difference between any row and the first row.

# %%
X_train, Y_train = data.load_circles(m=300, noise=0.1, seed=0)
gd = nn.Optimizer(init=lambda p: None, name="gradient descent",
                  step=lambda p, g, s, t, lr: ({k: p[k] - lr * g["d" + k] for k in p}, s))
sym_dims = [2, 4, 4, 1]
starts = {
    "zeros": initialize_parameters_zeros(sym_dims, seed=0),
    "all weights 0.5": {k: np.full(v.shape, 0.5 if k[0] == "W" else 0.0)
                        for k, v in initialize_parameters_zeros(sym_dims).items()},
    "He": initialize_parameters_he(sym_dims, seed=0),
}
spread = {}
for _label, _start in starts.items():
    _run = nn.train(X_train, Y_train, sym_dims, gd, learning_rate=0.5, num_epochs=300,
                    parameters=_start, progress=False)
    _W1, _W2 = _run.parameters["W1"], _run.parameters["W2"]
    spread[_label] = np.abs(_W1 - _W1[0]).max()
    print(f"{_label:16s} W1 moved by {np.abs(_W1 - _start['W1']).max():.3g}; "
          f"largest difference between hidden units: W1 {spread[_label]:.3g}, "
          f"W2 {np.abs(_W2 - _W2[0]).max():.3g}; final cost {_run.epoch_costs[-1]:.4f}")
    if _label != "He":
        print(" " * 17 + "W1 after training:", np.array2string(_W1, precision=4).replace("\n", ""))
assert spread["zeros"] == 0 and spread["all weights 0.5"] < 1e-12 < spread["He"]

# %% [markdown]
# From zeros nothing but the output bias moves: every hidden unit outputs $\text{relu}(0) = 0$
# and ReLU's gradient at 0 is 0, so $W^{[1]}$ and $W^{[2]}$ never receive a gradient and the
# cost stays at $\log 2 \approx 0.693$ (a coin flip). From the constant 0.5 the weights do move,
# but the 4 rows of $W^{[1]}$ move *together*: the four hidden units stay exact copies (the
# difference printed is 0, or rounding at the level of $10^{-16}$), so the layer behaves like
# a single unit. Only the random start gives units that differ and learn different features.

# %% [markdown]
# ## 5. Activations of a deep network
#
# We push 1,000 standard normal examples with 100 features through 5 layers of 100 units,
# with sigmoid, tanh or ReLU in every layer and biases 0, and look at the distribution of each
# layer's activations (the picture of "Deep Learning from Scratch", chapter 6), one histogram
# per layer. ReLU panels show $\log_{10}$ of the positive activations (about half are exactly
# 0), so that layers of very different sizes fit on one axis. Columns:
# your large random weights (standard deviation 10), a small Gaussian (standard deviation 0.01,
# your random weights divided by 1000), your Xavier, your He.

# %%
acts = {"sigmoid": nn.sigmoid, "tanh": np.tanh, "ReLU": lambda z: np.maximum(0, z)}
hist_dims = [100] * 6
_large = initialize_parameters_random(hist_dims, seed=1)
hist_inits = {
    "large (std 10)": _large,
    "small (std 0.01)": {k: v / 1000 for k, v in _large.items()},
    "Xavier": initialize_parameters_xavier(hist_dims, seed=1),
    "He": initialize_parameters_he(hist_dims, seed=1),
}
X_hist = np.random.default_rng(2).standard_normal((100, 1000))


def layer_activations(parameters, activation, X):
    """The activations A_1, ..., A_5 of the 5 layers (biases are 0)."""
    A, out = X, []
    for l in range(1, 6):
        A = activation(parameters[f"W{l}"] @ A)
        out.append(A)
    return out


def saturated(act_name, A):
    """Share of units on a flat part of the activation (gradient below about 0.01), or dead."""
    if act_name == "sigmoid":
        return np.mean((A < 0.01) | (A > 0.99))
    if act_name == "tanh":
        return np.mean(np.abs(A) > 0.995)
    return np.mean(A == 0)


activations = {(a, i): layer_activations(p, f, X_hist)
               for a, f in acts.items() for i, p in hist_inits.items()}
print("standard deviation of the activations, layer 1 -> 5; share saturated (ReLU: exactly 0)")
for (a, i), As in activations.items():
    stds = " ".join(f"{A.std():9.3g}" for A in As)
    print(f"{a:8s} {i:17s} std {stds}   saturated {saturated(a, As[0]):4.0%} -> "
          f"{saturated(a, As[-1]):4.0%}")

# %%
fig, axes = plt.subplots(len(acts), len(hist_inits), figsize=(13, 7))
for r, a in enumerate(acts):
    for c, i in enumerate(hist_inits):
        ax = axes[r, c]
        for layer, A in enumerate(activations[(a, i)], start=1):
            values = np.log10(A[A > 0]) if a == "ReLU" else A.ravel()
            counts, edges = np.histogram(values, bins=40)
            ax.stairs(counts / A.size, edges, label=f"layer {layer}", lw=1.3)
        ax.set_title(f"{a}, {i}", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_xlabel("log10 of the activation (> 0)" if a == "ReLU" else "activation",
                      fontsize=8)
axes[0, 0].legend(fontsize=7)
fig.subplots_adjust(hspace=0.5, wspace=0.2, left=0.04, right=0.99, top=0.95, bottom=0.07)
plt.show()

# %% [markdown]
# Read the table and the pictures together:
#
# * **Saturation.** With standard deviation 10, $z$ is in the hundreds: sigmoid and tanh
#   output almost only their extreme values (96% and 98% of the units saturated), where
#   their gradient is essentially 0. ReLU does not saturate, but its activations grow by a
#   factor of about $10 \sqrt{100/2} \approx 70$ per layer: they explode.
# * **Vanishing.** With standard deviation 0.01, tanh's activations shrink by a factor of about
#   $1/(0.01 \sqrt{100}) = 10$ per layer and ReLU's by about $1/(0.01\sqrt{100/2}) \approx 14$;
#   sigmoid's all sit at 0.5. Every unit outputs nearly the same number: the symmetry problem
#   again, and the gradients flowing back shrink the same way.
# * **Healthy.** Xavier keeps tanh's activations spread out over many layers (their standard
#   deviation shrinks slowly, 0.63 to 0.32 over five layers, because tanh is flatter than a
#   line away from 0). Under ReLU, Xavier loses half of the mean square per layer, so the
#   standard deviation shrinks by about $1/\sqrt 2$ per layer (0.58 to 0.11): He's factor 2
#   repairs exactly that, and with He the ReLU activations keep about the same spread
#   (0.82 to 0.62). For sigmoid, Xavier and He both keep the outputs spread around 0.5.
#
# ## 6. Training from zeros, large random and He weights
#
# The course's network (2 → 10 → 5 → 1, ReLU then a sigmoid output) trained with gradient
# descent on 300 points of `make_circles`, from the three starts, same data, same learning rate.

# %%
circle_dims = [2, 10, 5, 1]
runs = {}
for _label, _init in [("zeros", initialize_parameters_zeros),
                      ("large random (std 10)", initialize_parameters_random),
                      ("He", initialize_parameters_he)]:
    with np.errstate(over="ignore"):  # exp(-z) of a hugely negative z: sigmoid gives 0, right
        runs[_label] = nn.train(X_train, Y_train, circle_dims, gd, learning_rate=0.05,
                                num_epochs=3000, parameters=_init(circle_dims, seed=3))
        accuracy = nn.accuracy(X_train, Y_train, runs[_label].parameters)
    print(f"{_label:22s} cost: first {runs[_label].costs[0]:8.4f}, last "
          f"{runs[_label].epoch_costs[-1]:.4f}; training accuracy {accuracy:.0%}")

# %%
fig, axes = plt.subplots(1, 4, figsize=(16, 3.6))
plots.cost_curves({label: run.epoch_costs for label, run in runs.items()}, xlabel="epoch",
                  title="Cost on the training set", ax=axes[0], logy=True)
plots.decision_boundaries({label: run.parameters for label, run in runs.items()}, X_train,
                          Y_train, axes=axes[1:], digits=0)
plt.tight_layout()
plt.show()

# %% [markdown]
# From zeros the network predicts one class everywhere (the symmetry of section 4: the cost
# stays at $\log 2$). From large random weights the first cost is huge, because the sigmoid
# output is saturated and confidently wrong on many points, and gradient descent spends its
# steps undoing the bad start. From He's weights the cost falls from the first steps and the
# network draws the circle.
#
# ## 7. Recap
#
# * All-equal weights (zeros or a constant) keep the hidden units of a layer identical: random
#   weights break the symmetry; biases may start at 0.
# * The scale should keep the variance of the activations constant across layers:
#   $\operatorname{Var}(W^{[l]}) = 1/n^{[l-1]}$ for tanh/sigmoid (the notes' Xavier, Keras'
#   LeCun), $2/(n^{[l-1]} + n^{[l]})$ in Glorot's version, $2/n^{[l-1]}$ for ReLU (He).
# * He's standard deviation is $\sqrt{2/n^{[l-1]}}$; the notes' $2/\sqrt n$ doubles the
#   variance and makes deep ReLU networks explode.
# * Too large: saturation (sigmoid, tanh) or explosion (ReLU). Too small: vanishing
#   activations and gradients.
# * Random initializers are tested by their statistics (mean, standard deviation), never by
#   one draw.
#
# Next: the Keras reference notebook (`initialization_keras.ipynb`) compares your
# initializers with `LecunNormal`, `GlorotNormal` and `HeNormal`, which draw from a
# *truncated* normal. Chapter 09 (Batch Normalization) makes training far less sensitive to the
# initial weights.
