# %% [markdown]
# # Chapter 04 — AdaGrad and RMSProp
#
# *Optimization for Deep Learning* · graded notebook
#
# **What you will build**
# 1. `initialize_adagrad` and `update_parameters_with_adagrad`: every parameter gets its own
#    step size, which shrinks as that parameter's squared gradients pile up.
# 2. `initialize_rmsprop` and `update_parameters_with_rmsprop`: the same idea, but old
#    gradients are forgotten with an exponentially weighted average, so the steps stop
#    shrinking for good.
#
# Then you will run them on a problem with a rare input feature, on a long run where
# AdaGrad runs out of steam, on the elongated bowl and on a real training set.
#
# **How to work.** Write your code where a cell says `YOUR CODE HERE` (delete the
# `raise NotImplementedError` line). Run the test cell under each exercise: a failing test
# tells you what is most likely wrong. Some tests are hidden and run only when your work is
# graded; they check the same ideas on other shapes and values, so write general code.

# %%
import matplotlib.pyplot as plt
import numpy as np

from course import data, fixtures, nn, plots
from course.testing import call, check_dict_close, check_zero_state, interleave

# %matplotlib inline

# %% [markdown]
# ## 1. One learning rate for every parameter is a compromise
#
# Gradient descent moves every parameter with the same learning rate $\alpha$:
# $W := W - \alpha\, dW$. On the elongated bowl $f(x, y) = x^2/20 + y^2$ the gradient is
# $(x/10,\ 2y)$: steep along $y$, gentle along $x$. Along $y$ a step is
# $y := y - 2\alpha y = (1 - 2\alpha)\, y$, which blows up for $\alpha > 1$; with a rate just
# below that, gradient descent zig-zags along $y$ while it crawls along $x$
# ($x := (1 - \alpha/10)\, x$). One number cannot suit both directions.
#
# Chapter 03 damped the zig-zag with momentum. This chapter takes the other road: **adjust the
# learning rate for each parameter separately** (매개변수마다 학습률을 조정). The simplest way
# to lower a learning rate is to decay one global $\alpha$ over time (learning-rate decay,
# 학습률 감소; chapter 06). AdaGrad instead gives every single weight its own rate, made to
# measure from that weight's own gradient history:
#
# * a weight whose gradients have been **large** gets **smaller** steps;
# * a weight whose gradients have been **small or rare** keeps **larger** steps.
#
# Everything in this chapter is **element-wise** (`*`, `**`, `np.sqrt` on whole arrays): each
# scalar parameter and its learning rate are updated independently of the others.

# %% [markdown]
# ## 2. AdaGrad
#
# AdaGrad (*Adaptive Gradient*, Duchi et al. 2011) keeps, for every parameter, the running
# **sum** of its squared gradients, the `cache` (your notes call it $h$):
#
# $$\text{cache}_{dW} = \text{cache}_{dW} + dW^2, \qquad
#   W := W - \alpha \, \frac{dW}{\sqrt{\text{cache}_{dW} + \varepsilon}}$$
#
# and the same for every bias $b$ with $db$. $dW^2$ is the element-wise square
# ($dW \odot dW$ in the notes). The small $\varepsilon$ (the notes use $10^{-8}$) keeps the
# division finite when a cache is still zero.
#
# **Order matters:** first add $dW^2$ to the cache, *then* divide by the square root of the new
# cache.
#
# **A hand example.** One weight, $\alpha = 0.1$, a cache starting at $0$, $\varepsilon$
# negligible, gradients $0.3$ then $0.4$:
#
# | step | $dW$ | cache | $\sqrt{\text{cache}}$ | step $\alpha\, dW / \sqrt{\text{cache}}$ |
# |---|---|---|---|---|
# | 1 | 0.3 | 0.09 | 0.3 | 0.1 |
# | 2 | 0.4 | 0.09 + 0.16 = 0.25 | 0.5 | 0.08 |
#
# Notice the first step: from a zero cache it is $\alpha\, dW / |dW| = \pm\alpha$ whatever the
# size of the gradient. AdaGrad's steps are measured in units of $\alpha$, not in units of
# the gradient. The quantity
#
# $$\alpha_{\text{eff}} = \frac{\alpha}{\sqrt{\text{cache} + \varepsilon}}$$
#
# is the parameter's **effective learning rate**: the step is $\alpha_{\text{eff}}\, dW$,
# as in gradient descent, but with a rate of its own that can only go down.
#
# **Where the cache starts.** This course starts every cache at zero, as the lectures do.
# Frameworks differ. Your notes' blog warns about it with the values "TensorFlow: 1,
# Keras: 0", but those values are **out of date**: in the versions this course runs
# (TensorFlow 2, Keras 3, where TensorFlow's optimizers *are* Keras'), `keras.optimizers.Adagrad`
# starts the accumulator at `initial_accumulator_value=0.1`, and so did TensorFlow 1's
# `tf.train.AdagradOptimizer` (0.1, not 1); only early versions of Keras started at 0.
# PyTorch's `torch.optim.Adagrad` starts at 0 and adds its $\varepsilon$ *outside* the square
# root. The reference notebook of this chapter prints the value of the Keras you run, runs
# Keras against your code and shows how much the starting value changes.

# %% [markdown]
# ## 3. Exercise 1: initialize the cache
#
# Return a dict keyed like the gradients, `"dW1", "db1", ..., "dWL", "dbL"`, each an array of
# zeros with the shape of the matching parameter. Use `L = len(parameters) // 2` and loop over
# `range(1, L + 1)`. Make new arrays (`np.zeros(shape)`), do not reuse the parameters' arrays.

# %% solution="initialize_adagrad"
def initialize_adagrad(parameters):
    """The AdaGrad cache of every parameter, started at zero.

    Arguments:
    parameters -- dict {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}

    Returns:
    cache -- dict {"dW1": zeros like W1, "db1": zeros like b1, ..., "dWL", "dbL"}
    """
    ### BEGIN SOLUTION
    L = len(parameters) // 2
    cache = {}
    for l in range(1, L + 1):
        cache[f"dW{l}"] = np.zeros(parameters[f"W{l}"].shape)
        cache[f"db{l}"] = np.zeros(parameters[f"b{l}"].shape)
    return cache
    ### END SOLUTION


# %% [markdown]
# The tests use small random networks from the course kit (`fixtures.network`: parameters,
# a few gradients and a **non-zero** starting state, since a cache that starts at zero would
# hide several mistakes) and call your functions through the checkers below. They hand your
# function copies (so updating in place and building new dicts both pass), check that it
# returns `(parameters, cache)` and leaves `grads` alone, then compare every array.
# `adagrad_mistakes` lists what each classic mistake would return, so a failing test can name
# the mistake.

# %% readonly="checkers_adaptive"
NAN_HINT = ("NaN comes from the square root of a negative number: is the gradient not squared? "
            "The state adds dW**2 (element-wise), which is never negative.")


def adaptive_steps(update, parameters, grads_list, state, *hyper):
    """Your `update`, called once per gradient dict (through call()): (parameters, state)."""
    state_name = "cache" if "adagrad" in update.__name__ else "s"
    for grads in grads_list:
        parameters, state = call(update, parameters, grads, state, *hyper,
                                 returns=("parameters", state_name),
                                 may_change=("parameters", state_name))
    return parameters, state


def simulate(parameters, grads_list, state, learning_rate, new_state, denominator, sign=1.0,
             stored=True):
    """A rule run over the steps: state = new_state(state, g), then
    W := W - sign * alpha * g / denominator(old state, new state). Returns (parameters, state)."""
    p, s = dict(parameters), dict(state)
    with np.errstate(invalid="ignore", divide="ignore"):  # a mistake may take sqrt(< 0)
        for g in grads_list:
            new = {k: new_state(s[k], g[k]) for k in s}
            p = {k: p[k] - sign * learning_rate * g["d" + k] / denominator(s["d" + k], new["d" + k])
                 for k in p}
            s = new if stored else s
    return p, s


def adagrad_mistakes(parameters, grads_list, cache, learning_rate, epsilon):
    """{diagnosis: (parameters, cache)} that each classic AdaGrad mistake returns."""
    def add(c, g):
        return c + g**2

    def root(old, new):
        return np.sqrt(new + epsilon)

    rules = {
        "the gradient is not squared: the cache adds dW**2 (element-wise), not dW.":
            (lambda c, g: c + g, root),
        "the square root is missing: divide by np.sqrt(cache + epsilon), not by cache + epsilon.":
            (add, lambda old, new: new + epsilon),
        "epsilon is outside the square root: use np.sqrt(cache + epsilon), not "
        "np.sqrt(cache) + epsilon.": (add, lambda old, new: np.sqrt(new) + epsilon),
        "epsilon is missing: divide by np.sqrt(cache + epsilon).":
            (add, lambda old, new: np.sqrt(new)),
        "the step used the old cache: first add dW**2 to the cache, then divide by the new one.":
            (add, lambda old, new: np.sqrt(old + epsilon)),
        "the cache forgot its past: it should grow, cache = cache + dW**2, not cache = dW**2.":
            (lambda c, g: g**2, root),
    }
    for beta in (0.9, 0.99, 0.999):
        rules[f"this is RMSProp's average (beta={beta}): AdaGrad adds dW**2 to the cache, with no "
              "beta and no (1 - beta)."] = (lambda c, g, b=beta: b * c + (1 - b) * g**2, root)
    out = {d: simulate(parameters, grads_list, cache, learning_rate, *r) for d, r in rules.items()}
    out["the parameters stepped up the gradient: subtract the step, do not add it."] = simulate(
        parameters, grads_list, cache, learning_rate, add, root, sign=-1.0)
    out["the new cache is not stored, so every step starts from the old one: store it in "
        "cache[...] and return it."] = simulate(parameters, grads_list, cache, learning_rate,
                                                add, root, stored=False)
    return out


def adagrad_closed_form(parameters, grads_list, cache, learning_rate, epsilon):
    """AdaGrad after T steps without the recursion: cache_t = cache_0 + (g_1**2 + ... + g_t**2),
    W_T = W_0 - alpha * sum over t of g_t / sqrt(cache_t + eps)."""
    caches = {k: cache[k] + np.cumsum([g[k] * g[k] for g in grads_list], axis=0) for k in cache}
    return ({k: w - learning_rate * np.sum(np.array([g["d" + k] for g in grads_list])
                                           / np.sqrt(caches["d" + k] + epsilon), axis=0)
             for k, w in parameters.items()},
            {k: c[-1] for k, c in caches.items()})


def check_adaptive(update, mistakes, parameters, grads_list, state, *hyper, expected_state=None,
                   expected_parameters=None, when=""):
    """Run `update` over `grads_list`; compare the state, then the parameters, with the expected
    ones (those given), naming a mismatch from `mistakes`. Returns what `update` returned."""
    state_name = "cache" if "adagrad" in update.__name__ else "s"
    got_p, got_s = adaptive_steps(update, parameters, grads_list, state, *hyper)
    table = mistakes(parameters, grads_list, state, *hyper)
    prefix = f"{when}, " if when else ""
    if expected_state is not None:
        check_dict_close(got_s, expected_state, prefix + state_name, start=state,
                         mistakes={d: s for d, (_, s) in table.items()})
        # the state is right, so only mistakes that give the right state explain wrong parameters
        table = {d: (p, s) for d, (p, s) in table.items()
                 if all(np.allclose(s[k], expected_state[k], rtol=1e-7, atol=1e-9) for k in s)}
    if expected_parameters is not None:
        check_dict_close(got_p, expected_parameters, prefix + "parameters", start=parameters,
                         mistakes={d: p for d, (p, _) in table.items()}, nan_hint=NAN_HINT)
    return got_p, got_s


def check_runs(update, mistakes, closed_form, nets, hyper):
    """Step the networks `nets` in turn (a state kept in a global variable would mix them up)
    and compare each with `closed_form` after its last step."""
    last = interleave(lambda run, g, t: adaptive_steps(update, run[0], [g], run[1], *hyper),
                      [((net.parameters, net.state), net.grads) for net in nets])
    for i, (net, (got_p, got_s)) in enumerate(zip(nets, last)):
        args = (net.parameters, net.grads, net.state, *hyper)
        exp_p, exp_s = closed_form(*args)
        table = mistakes(*args)
        when = f"network {i + 1} ({net.L} layers) after {len(net.grads)} steps, "
        hint = "If the one-step tests above pass, look for state kept between calls."
        check_dict_close(got_s, exp_s, when + ("cache" if "adagrad" in update.__name__ else "s"),
                         start=net.state, mistakes={d: s for d, (_, s) in table.items()},
                         hints={k: hint for k in exp_s})
        check_dict_close(got_p, exp_p, when + "parameters", start=net.parameters,
                         mistakes={d: p for d, (p, _) in table.items()},
                         hints={k: hint for k in exp_p}, nan_hint=NAN_HINT)


def check_adagrad(parameters, grads_list, cache, learning_rate, epsilon, expected_cache=None,
                  expected_parameters=None, when=""):
    """check_adaptive for your update_parameters_with_adagrad."""
    return check_adaptive(update_parameters_with_adagrad, adagrad_mistakes, parameters, grads_list,
                          cache, learning_rate, epsilon, expected_state=expected_cache,
                          expected_parameters=expected_parameters, when=when)


# %% test="test_adagrad_init_zeros" points=1
"""Checks the cache of a 3-layer network: keys dW1..db3, float zeros shaped like each parameter."""
check_zero_state(initialize_adagrad, fixtures.network([4, 5, 3, 2], seed=0).parameters, "cache")
print("Correct: a zero cache for every weight and bias.")
### BEGIN HIDDEN TESTS
for _dims in ([1, 1], [3, 4, 4, 4, 2], [6, 2]):
    check_zero_state(initialize_adagrad, fixtures.network(_dims, seed=3).parameters, "cache")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Exercise 2: one AdaGrad step
#
# For every layer $l = 1, \dots, L$ and for both $W^{[l]}$ and $b^{[l]}$:
#
# 1. `cache["dW" + str(l)]` $\leftarrow$ `cache["dW" + str(l)] + dW**2`
# 2. `W` $\leftarrow$ `W - learning_rate * dW / np.sqrt(cache["dW" + str(l)] + epsilon)`
#
# with $\varepsilon$ **inside** the square root. Return both dicts: `(parameters, cache)`.

# %% solution="update_parameters_with_adagrad"
def update_parameters_with_adagrad(parameters, grads, cache, learning_rate, epsilon):
    """One AdaGrad step on every layer.

    Arguments:
    parameters -- dict {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}
    grads -- dict {"dW1", "db1", ..., "dWL", "dbL"}, shaped like the parameters
    cache -- dict {"dW1", "db1", ...}: the running sum of squared gradients of each parameter
    learning_rate -- alpha (a float)
    epsilon -- small float added to the cache inside the square root (e.g. 1e-8)

    Returns:
    parameters -- updated: W := W - alpha * dW / sqrt(cache_dW + epsilon), same for b
    cache -- updated first: cache_dW := cache_dW + dW**2 (element-wise), same for db
    """
    ### BEGIN SOLUTION
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for name in ("W", "b"):
            key, dkey = f"{name}{l}", f"d{name}{l}"
            cache[dkey] = cache[dkey] + grads[dkey] ** 2
            parameters[key] = parameters[key] - learning_rate * grads[dkey] / np.sqrt(cache[dkey] + epsilon)
    return parameters, cache
    ### END SOLUTION


# %% [markdown]
# The first tests use a 2-layer network whose numbers were chosen so that every
# $\text{cache} + \varepsilon$ is a perfect square, with $\varepsilon = 0.01$: large enough that
# adding it outside the square root instead of inside gives a visibly different answer.

# %% readonly="fixture_adagrad_hand"
# Hand fixture shared by the next two tests (alpha = 0.1, epsilon = 0.01).
ada_params = {"W1": np.array([[1.0, -2.0], [0.5, 3.0]]), "b1": np.array([[0.1], [-0.1]]),
              "W2": np.array([[1.0, -1.0]]), "b2": np.array([[2.0]])}
ada_grads = {"dW1": np.array([[0.3, -0.4], [0.6, 0.0]]), "db1": np.array([[0.9], [-0.4]]),
             "dW2": np.array([[-0.3, 0.1]]), "db2": np.array([[0.7]])}
ada_cache = {"dW1": np.array([[0.06, 0.08], [0.27, 0.15]]), "db1": np.array([[0.18], [0.08]]),
             "dW2": np.array([[0.06, 0.02]]), "db2": np.array([[0.14]])}


# %% test="test_adagrad_cache_update" points=2
"""Checks the returned cache is the old cache plus the squared gradients (hand-computed)."""
# cache + dW**2: dW1: [[0.06 + 0.09, 0.08 + 0.16], [0.27 + 0.36, 0.15 + 0]], db1: [[0.18 + 0.81], [0.08 + 0.16]]
#                dW2: [[0.06 + 0.09, 0.02 + 0.01]], db2: [[0.14 + 0.49]]
_expected = {"dW1": np.array([[0.15, 0.24], [0.63, 0.15]]), "db1": np.array([[0.99], [0.24]]),
             "dW2": np.array([[0.15, 0.03]]), "db2": np.array([[0.63]])}
check_adagrad(ada_params, [ada_grads], ada_cache, 0.1, 0.01, expected_cache=_expected)
print("Correct: the cache adds the squared gradients.")
### BEGIN HIDDEN TESTS
_net = fixtures.network([3, 2, 2], seed=21, state_scale=0.3)
check_adagrad(_net.parameters, _net.grads, _net.state, 0.05, 1e-3, when="other values",
              expected_cache={k: c + _net.grads[0][k] * _net.grads[0][k] for k, c in _net.state.items()})
### END HIDDEN TESTS

# %% test="test_adagrad_step_hand_computed" points=2
"""Checks the new parameters W - alpha dW / sqrt(cache + eps) on the hand-computed fixture."""
# sqrt(new cache + 0.01): dW1 [[0.4, 0.5], [0.8, 0.4]], db1 [[1.0], [0.5]], dW2 [[0.4, 0.2]], db2 [[0.8]]
# steps 0.1 * dW / sqrt: dW1 [[0.075, -0.08], [0.075, 0]], db1 [[0.09], [-0.08]], dW2 [[-0.075, 0.05]], db2 [[0.0875]]
_expected = {"W1": np.array([[0.925, -1.92], [0.425, 3.0]]), "b1": np.array([[0.01], [-0.02]]),
             "W2": np.array([[1.075, -1.05]]), "b2": np.array([[1.9125]])}
check_adagrad(ada_params, [ada_grads], ada_cache, 0.1, 0.01, expected_parameters=_expected)
print("Correct: every parameter moved by alpha * dW / sqrt(cache + epsilon).")
### BEGIN HIDDEN TESTS
_net = fixtures.network([2, 3, 1], seed=22, grad_scale=0.05, state_scale=0.01)
_g = _net.grads[0]
check_adagrad(_net.parameters, _net.grads, _net.state, 0.2, 0.02, when="other values",
              expected_parameters={k: w - 0.2 * _g["d" + k] / np.sqrt(_net.state["d" + k]
                                                                     + _g["d" + k] * _g["d" + k] + 0.02)
                                   for k, w in _net.parameters.items()})
### END HIDDEN TESTS

# %% test="test_adagrad_three_layers" points=1
"""Checks every weight and bias of a 3-layer network, and its cache, on random values."""
_net = fixtures.network([4, 5, 3, 2], seed=1)
_new = {k: c + _net.grads[0][k] * _net.grads[0][k] for k, c in _net.state.items()}
check_adagrad(_net.parameters, _net.grads, _net.state, 0.3, 1e-4, expected_cache=_new,
              expected_parameters={k: w - 0.3 * _net.grads[0]["d" + k] / np.sqrt(_new["d" + k] + 1e-4)
                                   for k, w in _net.parameters.items()})
print("Correct on a 3-layer network, weights and biases.")

# %% test="test_adagrad_several_steps" points=2
"""Checks three steps in a row, two networks interleaved, against the closed form of the sums."""
# adagrad_closed_form: cache_t = cache_0 + (g_1**2 + ... + g_t**2), and
# W_3 = W_0 - alpha * sum over t of g_t / sqrt(cache_t + eps).
check_runs(update_parameters_with_adagrad, adagrad_mistakes, adagrad_closed_form,
           [fixtures.network([3, 4, 2], seed=5, steps=3), fixtures.network([2, 2, 3, 1], seed=6, steps=3)],
           (0.1, 1e-2))
print("Correct: three AdaGrad steps in a row.")
### BEGIN HIDDEN TESTS
check_runs(update_parameters_with_adagrad, adagrad_mistakes, adagrad_closed_form,
           [fixtures.network([5, 3, 3, 3, 1], seed=7, steps=4, grad_scale=1.0),
            fixtures.network([1, 2], seed=8, steps=2, grad_scale=0.01, state_scale=0.0)],
           (0.02, 1e-6))
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Sparse features: a weight that rarely gets a gradient
#
# Your notes' motivating example. Data are **sparse** (희박한) when most of the values are
# zero. Take a linear unit $\hat y = w_1 x_1 + w_2 x_2 + b$ where $x_1$ is a dense feature
# (non-zero for every example) and $x_2$ is a **rare** one: it is $1$ for about 2% of the
# examples and $0$ for the rest (think of a rare word in a bag of words). The gradient
# $\partial J / \partial w_2$ is proportional to $x_2$, so only the few examples with $x_2 \ne 0$
# move $w_2$: with one shared learning rate, $w_1$ reaches its optimum while $w_2$ has hardly
# left its starting point.
#
# AdaGrad fixes this by itself: $w_2$'s cache collects only tiny squared gradients, so its
# effective rate $\alpha / \sqrt{\text{cache}}$ stays large and $w_2$ takes big steps.
# Below, both methods get the same $\alpha = 0.5$, full-batch gradients of the mean squared
# error $J = \frac{1}{2m} \sum_i (\hat y^{(i)} - y^{(i)})^2$, and 300 steps from $w = 0$.
# (Gradient descent cannot simply take a larger $\alpha$: the dense feature makes it diverge
# for $\alpha$ above about 2.)

# %%
rng = np.random.default_rng(0)
m = 1000
x_dense = rng.standard_normal(m)
x_rare = (rng.random(m) < 0.02).astype(float)  # non-zero for about 2% of the examples
X_sparse = np.vstack([x_dense, x_rare])
Y_sparse = np.array([[1.0, 3.0]]) @ X_sparse + 0.5 + 0.1 * rng.standard_normal((1, m))
print(f"x_rare is non-zero for {int(x_rare.sum())} of {m} examples")


def linear_grads(parameters, X, Y):
    """Gradients of J = 1/(2m) * sum((W X + b - Y)**2) for a single linear unit."""
    error = parameters["W1"] @ X + parameters["b1"] - Y
    return {"dW1": error @ X.T / X.shape[1], "db1": error.mean(axis=1, keepdims=True)}


def fit_linear(method, learning_rate=0.5, num_steps=300):
    """Paths of (w1, w2) and of their effective learning rates, each (num_steps + 1, 2)."""
    parameters = {"W1": np.zeros((1, 2)), "b1": np.zeros((1, 1))}
    cache = initialize_adagrad(parameters)
    path, rates = [parameters["W1"].ravel().copy()], [[np.nan, np.nan]]
    for _ in range(num_steps):
        grads = linear_grads(parameters, X_sparse, Y_sparse)
        if method == "GD":
            parameters = {k: v - learning_rate * grads["d" + k] for k, v in parameters.items()}
            rates.append([learning_rate, learning_rate])
        else:
            parameters, cache = update_parameters_with_adagrad(parameters, grads, cache,
                                                               learning_rate, 1e-8)
            rates.append((learning_rate / np.sqrt(cache["dW1"] + 1e-8)).ravel())
        path.append(parameters["W1"].ravel().copy())
    return np.array(path), np.array(rates)


sparse_runs = {method: fit_linear(method) for method in ("GD", "AdaGrad")}

fig, axes = plt.subplots(1, 2, figsize=(13, 3.8))
for (method, (path, rates)), color in zip(sparse_runs.items(), ("C0", "C1")):
    for i, (style, what) in enumerate([("-", "dense"), ("--", "rare")]):
        axes[0].plot(path[:, i], style, color=color, label=f"{method}: $w_{i + 1}$ ({what} feature)")
        axes[1].plot(rates[:, i], style, color=color, label=f"{method}: $w_{i + 1}$ ({what} feature)")
for target in (1.0, 3.0):
    axes[0].axhline(target, color="grey", lw=0.5)
axes[0].set(xlabel="step", ylabel="weight", title="Weights (true values 1 and 3)")
axes[1].set(xlabel="step", ylabel="learning rate", yscale="log",
            title="Effective learning rate of each weight")
for ax in axes:
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
plt.show()
for method, (path, rates) in sparse_runs.items():
    reached = np.argmax(np.abs(path[:, 1] - 3.0) < 0.1)
    print(f"{method:8s}: w2 within 0.1 of 3 after {reached:3d} steps; effective rates at the end: "
          f"w1 {rates[-1, 0]:.2f}, w2 {rates[-1, 1]:.2f}")

# %% [markdown]
# Both methods learn $w_1$ in a few steps. Gradient descent needs hundreds of steps for $w_2$,
# because $w_2$'s gradient is some 40 times smaller than $w_1$'s (fewer than 3% of the
# examples contribute). AdaGrad divides each weight's gradient by the root of that weight's own sum of
# squares, so the scale of the gradient cancels out and $w_2$ moves about as fast as $w_1$.
# On the right (gradient descent's two lines coincide at $\alpha = 0.5$): AdaGrad ends with an
# effective rate about six times larger for the rare weight than for the dense one, above 2,
# a rate gradient descent could never use for all the weights, since it diverges along $w_1$
# for $\alpha$ above about 2.

# %% [markdown]
# ## 6. AdaGrad's learning rate decays too fast
#
# The cache only grows. If a weight keeps receiving gradients of about the same size $|g|$,
# after $t$ steps $\text{cache} \approx t\, g^2$ and
#
# $$\alpha_{\text{eff}} = \frac{\alpha}{\sqrt{\text{cache}}} \approx
#   \frac{\alpha}{|g|\,\sqrt{t}}, \qquad \text{step} = \alpha_{\text{eff}}\, |g|
#   \approx \frac{\alpha}{\sqrt{t}}.$$
#
# The steps shrink like $1/\sqrt{t}$ whether or not the weight is near its optimum, and after
# $t$ steps such a weight has moved about $\alpha (1 + 1/\sqrt 2 + \dots + 1/\sqrt t)
# \approx 2 \alpha \sqrt t$. Your notes put it bluntly: the longer training runs, the less each
# update achieves, until the updates are practically zero. In practice AdaGrad was found to
# lower the learning rate too aggressively for deep networks.
#
# To see it, start the elongated bowl far from its minimum, at $(-60, 2)$, and run 1,000 steps
# with $\alpha = 0.3$. The effective rate of $x$ can be read off the path itself:
# $\alpha_{\text{eff}} = |\Delta x| \,/\, |\partial f / \partial x|$ with
# $\partial f / \partial x = x / 10$.

# %%
adagrad = nn.Optimizer(init=initialize_adagrad, name="AdaGrad",
                       step=lambda p, g, s, t, lr: update_parameters_with_adagrad(p, g, s, lr, 1e-8))


def effective_rate_x(path):
    """alpha_eff of x at every step: |x_t - x_{t-1}| / |df/dx (x_{t-1})| on the elongated bowl."""
    return np.abs(np.diff(path[:, 0])) / np.abs(path[:-1, 0] / 10)


far_start, long_run = (-60.0, 2.0), 1000
far_paths = {"AdaGrad": nn.run_on_function(data.elongated_bowl, far_start, adagrad, 0.3, long_run)}


def plot_long_run(paths):
    steps = np.arange(1, long_run + 1)
    fig, axes = plt.subplots(1, 2, figsize=(13, 3.8))
    for name, path in paths.items():
        axes[0].loglog(steps, effective_rate_x(path), label=name)
        axes[1].plot(np.abs(path[:, 0]), label=name)
    reference = effective_rate_x(paths["AdaGrad"])[0] / np.sqrt(steps)
    axes[0].loglog(steps, reference, "k:", label=r"$\propto 1/\sqrt{t}$")
    axes[0].set(xlabel="step t", ylabel=r"effective learning rate of $x$",
                title=r"$\alpha / \sqrt{\mathrm{cache} + \varepsilon}$ for $x$")
    axes[1].set(xlabel="step", ylabel="|x| (distance to the minimum along x)",
                title="Long run from (-60, 2), alpha = 0.3")
    for ax in axes:
        ax.legend()
        ax.grid(alpha=0.3)
    plt.show()


plot_long_run(far_paths)
print(f"AdaGrad: |x| = {abs(far_paths['AdaGrad'][-1, 0]):.1f} after {long_run} steps "
      f"(about 2 * 0.3 * sqrt({long_run}) = {2 * 0.3 * np.sqrt(long_run):.0f} travelled)")

# %% [markdown]
# The effective rate follows the dotted $1/\sqrt t$ line: while the gradient along $x$ stays
# about the same, the cache grows linearly and the steps shrink. After 1,000 steps AdaGrad
# has covered less than a third of the way. A larger $\alpha$ would help here, but then the
# first steps are too big; the real fix is to stop the cache from growing forever.

# %% [markdown]
# ## 7. RMSProp: forget the old gradients
#
# RMSProp (*Root Mean Square Propagation*, proposed by Geoff Hinton in a lecture) keeps the
# per-parameter scaling of AdaGrad but replaces the ever-growing sum with the exponentially
# weighted average (지수 가중 평균) of chapter 02, so new gradients count more than old ones
# and very old ones are forgotten:
#
# $$S_{dW} = \beta_2\, S_{dW} + (1 - \beta_2)\, dW^2, \qquad
#   W := W - \alpha\, \frac{dW}{\sqrt{S_{dW} + \varepsilon}}$$
#
# and the same for $b$ with $S_{db}$. $S$ starts at zero, and in code we call the dict `s`.
# The lectures write $\beta_2$ because chapter 05 (Adam) will use $\beta_1$ for momentum and
# $\beta_2$ for this average. Unrolled with $\beta_2 = 0.9$ as in your notes,
#
# $$S_t = 0.1\, g_t^2 + 0.09\, g_{t-1}^2 + 0.081\, g_{t-2}^2 + \dots + 0.9^t S_0:$$
#
# roughly the mean of the last $1/(1-\beta_2) = 10$ squared gradients. $\sqrt{S}$ is their
# *root mean square* (hence the name), so $dW / \sqrt{S}$ is about $\pm 1$ and each step is
# about $\alpha$: it no longer shrinks with $t$. Where the gradient is large and oscillating
# ($b$ in the lecture's picture, $y$ on the bowl) the division damps it; where it is small and
# steady ($W$, $x$) it speeds up.
#
# Typical values: $\beta_2 = 0.9$ (Hinton's suggestion and Keras' default `rho=0.9`), also
# $0.99$ or $0.999$ (the value Adam uses); $\varepsilon = 10^{-8}$. Note that RMSProp applies
# **no** bias correction: with $S_0 = 0$ its first step is $\alpha / \sqrt{1 - \beta_2}$,
# about $3.2\,\alpha$ for $\beta_2 = 0.9$. Keras and PyTorch do the same.

# %% [markdown]
# ## 8. Exercise 3: initialize `s`
#
# Exactly like the AdaGrad cache: zeros keyed `"dW1", "db1", ..., "dWL", "dbL"`.

# %% solution="initialize_rmsprop"
def initialize_rmsprop(parameters):
    """The RMSProp average of squared gradients of every parameter, started at zero.

    Arguments:
    parameters -- dict {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}

    Returns:
    s -- dict {"dW1": zeros like W1, "db1": zeros like b1, ..., "dWL", "dbL"}
    """
    ### BEGIN SOLUTION
    L = len(parameters) // 2
    s = {}
    for l in range(1, L + 1):
        s[f"dW{l}"] = np.zeros(parameters[f"W{l}"].shape)
        s[f"db{l}"] = np.zeros(parameters[f"b{l}"].shape)
    return s
    ### END SOLUTION


# %% test="test_rmsprop_init_zeros" points=1
"""Checks s of a 3-layer network: keys dW1..db3, float zeros shaped like each parameter."""
check_zero_state(initialize_rmsprop, fixtures.network([3, 6, 2, 1], seed=10).parameters, "s")
print("Correct: s starts at zero for every weight and bias.")
### BEGIN HIDDEN TESTS
for _dims in ([2, 1], [4, 3, 3, 3, 3], [7, 5]):
    check_zero_state(initialize_rmsprop, fixtures.network(_dims, seed=13).parameters, "s")
### END HIDDEN TESTS

# %% [markdown]
# ## 9. Exercise 4: one RMSProp step
#
# For every layer and for both $W$ and $b$:
#
# 1. `s["dW" + str(l)]` $\leftarrow$ `beta2 * s["dW" + str(l)] + (1 - beta2) * dW**2`
# 2. `W` $\leftarrow$ `W - learning_rate * dW / np.sqrt(s["dW" + str(l)] + epsilon)`
#
# Return `(parameters, s)`.

# %% solution="update_parameters_with_rmsprop"
def update_parameters_with_rmsprop(parameters, grads, s, beta2, learning_rate, epsilon):
    """One RMSProp step on every layer.

    Arguments:
    parameters -- dict {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}
    grads -- dict {"dW1", "db1", ..., "dWL", "dbL"}, shaped like the parameters
    s -- dict {"dW1", "db1", ...}: exponentially weighted average of the squared gradients
    beta2 -- the averaging factor (e.g. 0.9 or 0.999)
    learning_rate -- alpha (a float)
    epsilon -- small float added to s inside the square root (e.g. 1e-8)

    Returns:
    parameters -- updated: W := W - alpha * dW / sqrt(s_dW + epsilon), same for b
    s -- updated first: s_dW := beta2 * s_dW + (1 - beta2) * dW**2 (element-wise), same for db
    """
    ### BEGIN SOLUTION
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for name in ("W", "b"):
            key, dkey = f"{name}{l}", f"d{name}{l}"
            s[dkey] = beta2 * s[dkey] + (1 - beta2) * grads[dkey] ** 2
            parameters[key] = parameters[key] - learning_rate * grads[dkey] / np.sqrt(s[dkey] + epsilon)
    return parameters, s
    ### END SOLUTION


# %% [markdown]
# The hand fixture below uses $\beta_2 = 0.9$, $\alpha = 0.1$ and $\varepsilon = 0.01$. Its
# arithmetic is written out in the test cells. The checkers work like AdaGrad's, with the
# mistakes of RMSProp.

# %% readonly="fixture_rmsprop_hand"
rms_params = {"W1": np.array([[1.0, -2.0], [0.5, 3.0]]), "b1": np.array([[0.1], [-0.1]]),
              "W2": np.array([[1.0, -1.0]]), "b2": np.array([[2.0]])}
rms_grads = {"dW1": np.array([[3.0, -1.0], [0.0, 0.5]]), "db1": np.array([[0.2], [-0.4]]),
             "dW2": np.array([[-0.3, 0.1]]), "db2": np.array([[0.7]])}
rms_s = {"dW1": np.array([[0.1, 0.5], [0.2, 0.0]]), "db1": np.array([[0.3], [0.0]]),
         "dW2": np.array([[0.05, 0.01]]), "db2": np.array([[0.14]])}


# %% readonly="checkers_rmsprop"
def rmsprop_mistakes(parameters, grads_list, s, beta, learning_rate, epsilon):
    """{diagnosis: (parameters, s)} that each classic RMSProp mistake returns."""
    def good(v, g):
        return beta * v + (1 - beta) * g**2

    def root(old, new):
        return np.sqrt(new + epsilon)

    rules = {
        "the gradient is not squared: s averages dW**2 (element-wise), not dW.":
            (lambda v, g: beta * v + (1 - beta) * g, root),
        "(1 - beta2) is missing: s = beta2 * s + (1 - beta2) * dW**2.":
            (lambda v, g: beta * v + g**2, root),
        "beta2 and (1 - beta2) are swapped: the old s is multiplied by beta2, dW**2 by (1 - beta2).":
            (lambda v, g: (1 - beta) * v + beta * g**2, root),
        "this is AdaGrad's sum (s + dW**2): RMSProp averages, s = beta2 * s + (1 - beta2) * dW**2.":
            (lambda v, g: v + g**2, root),
        "the old s was dropped: s = beta2 * s + (1 - beta2) * dW**2 keeps beta2 * s.":
            (lambda v, g: (1 - beta) * g**2, root),
        "the square root is missing: divide by np.sqrt(s + epsilon), not by s + epsilon.":
            (good, lambda old, new: new + epsilon),
        "epsilon is outside the square root: use np.sqrt(s + epsilon), not np.sqrt(s) + epsilon.":
            (good, lambda old, new: np.sqrt(new) + epsilon),
        "epsilon is missing: divide by np.sqrt(s + epsilon).": (good, lambda old, new: np.sqrt(new)),
        "the step used the old s: first update s, then divide by the new one.":
            (good, lambda old, new: np.sqrt(old + epsilon)),
    }
    out = {d: simulate(parameters, grads_list, s, learning_rate, *r) for d, r in rules.items()}
    out["the parameters stepped up the gradient: subtract the step, do not add it."] = simulate(
        parameters, grads_list, s, learning_rate, good, root, sign=-1.0)
    out["the new s is not stored, so every step starts from the old one: store it in s[...] "
        "and return it."] = simulate(parameters, grads_list, s, learning_rate, good, root,
                                     stored=False)
    return out


def rmsprop_unrolled(parameters, grads_list, s, beta, learning_rate, epsilon):
    """RMSProp after T steps without the recursion:
    s_t = beta**t s_0 + (1 - beta) (beta**(t-1) g_1**2 + ... + beta**0 g_t**2),
    W_T = W_0 - alpha * sum over t of g_t / sqrt(s_t + eps)."""
    T = len(grads_list)
    ss = {k: [beta**t * s[k] + (1 - beta) * sum(beta ** (t - j) * grads_list[j - 1][k] ** 2
                                                 for j in range(1, t + 1))
              for t in range(1, T + 1)] for k in s}
    return ({k: w - learning_rate * sum(g["d" + k] / np.sqrt(v + epsilon)
                                        for g, v in zip(grads_list, ss["d" + k]))
             for k, w in parameters.items()},
            {k: v[-1] for k, v in ss.items()})


def check_rmsprop(parameters, grads_list, s, beta2, learning_rate, epsilon, expected_s=None,
                  expected_parameters=None, when=""):
    """check_adaptive for your update_parameters_with_rmsprop."""
    return check_adaptive(update_parameters_with_rmsprop, rmsprop_mistakes, parameters, grads_list,
                          s, beta2, learning_rate, epsilon, expected_state=expected_s,
                          expected_parameters=expected_parameters, when=when)


# %% test="test_rmsprop_s_update" points=2
"""Checks the returned s is beta2 * s + (1 - beta2) * dW**2 (hand-computed, beta2 = 0.9)."""
# 0.9 * s + 0.1 * dW**2:
#   dW1: [[0.09 + 0.9, 0.45 + 0.1], [0.18 + 0, 0 + 0.025]] = [[0.99, 0.55], [0.18, 0.025]]
#   db1: [[0.27 + 0.004], [0 + 0.016]];  dW2: [[0.045 + 0.009, 0.009 + 0.001]];  db2: 0.126 + 0.049
_expected = {"dW1": np.array([[0.99, 0.55], [0.18, 0.025]]), "db1": np.array([[0.274], [0.016]]),
             "dW2": np.array([[0.054, 0.010]]), "db2": np.array([[0.175]])}
check_rmsprop(rms_params, [rms_grads], rms_s, 0.9, 0.1, 0.01, expected_s=_expected)
print("Correct: s is the exponentially weighted average of the squared gradients.")
### BEGIN HIDDEN TESTS
_net = fixtures.network([3, 2, 2], seed=31, state_scale=0.3)
for _beta in (0.999, 0.75):
    check_rmsprop(_net.parameters, _net.grads, _net.state, _beta, 0.05, 1e-3,
                  when=f"beta2={_beta}",
                  expected_s={k: _beta * v + (1 - _beta) * _net.grads[0][k] * _net.grads[0][k]
                              for k, v in _net.state.items()})
### END HIDDEN TESTS

# %% test="test_rmsprop_step_hand_computed" points=2
"""Checks the new parameters W - alpha dW / sqrt(s + eps) on the hand-computed fixture."""
# new s + 0.01: dW1 [[1.0, 0.56], [0.19, 0.035]], db1 [[0.284], [0.026]], dW2 [[0.064, 0.02]], db2 [[0.185]]
# W := W - 0.1 * dW / sqrt(that):
_expected = {
    "W1": np.array([[1.0 - 0.3 / np.sqrt(1.0), -2.0 + 0.1 / np.sqrt(0.56)],
                    [0.5 - 0.0, 3.0 - 0.05 / np.sqrt(0.035)]]),
    "b1": np.array([[0.1 - 0.02 / np.sqrt(0.284)], [-0.1 + 0.04 / np.sqrt(0.026)]]),
    "W2": np.array([[1.0 + 0.03 / np.sqrt(0.064), -1.0 - 0.01 / np.sqrt(0.02)]]),
    "b2": np.array([[2.0 - 0.07 / np.sqrt(0.185)]]),
}
check_rmsprop(rms_params, [rms_grads], rms_s, 0.9, 0.1, 0.01, expected_parameters=_expected)
print("Correct: every parameter moved by alpha * dW / sqrt(s + epsilon).")
### BEGIN HIDDEN TESTS
_net = fixtures.network([2, 3, 1], seed=32, grad_scale=0.05, state_scale=0.01)
_g = _net.grads[0]
check_rmsprop(_net.parameters, _net.grads, _net.state, 0.99, 0.2, 0.02, when="other values",
              expected_parameters={k: w - 0.2 * _g["d" + k] / np.sqrt(
                  0.99 * _net.state["d" + k] + 0.01 * _g["d" + k] * _g["d" + k] + 0.02)
                  for k, w in _net.parameters.items()})
### END HIDDEN TESTS

# %% test="test_rmsprop_three_layers" points=1
"""Checks every weight and bias of a 3-layer network, and its s, on random values."""
_net = fixtures.network([4, 5, 3, 2], seed=2)
_new = {k: 0.999 * v + 0.001 * _net.grads[0][k] * _net.grads[0][k] for k, v in _net.state.items()}
check_rmsprop(_net.parameters, _net.grads, _net.state, 0.999, 0.01, 1e-4, expected_s=_new,
              expected_parameters={k: w - 0.01 * _net.grads[0]["d" + k] / np.sqrt(_new["d" + k] + 1e-4)
                                   for k, w in _net.parameters.items()})
print("Correct on a 3-layer network, weights and biases.")

# %% test="test_rmsprop_several_steps" points=2
"""Checks three steps in a row, two networks interleaved, against the unrolled average."""
# rmsprop_unrolled: s_t = 0.9**t * s_0 + 0.1 * (0.9**(t-1) g_1**2 + ... + 0.9**0 g_t**2), and
# W_3 = W_0 - alpha * sum over t of g_t / sqrt(s_t + eps).
check_runs(update_parameters_with_rmsprop, rmsprop_mistakes, rmsprop_unrolled,
           [fixtures.network([3, 4, 2], seed=15, steps=3), fixtures.network([2, 2, 3, 1], seed=16, steps=3)],
           (0.9, 0.1, 1e-2))
print("Correct: three RMSProp steps in a row.")
### BEGIN HIDDEN TESTS
check_runs(update_parameters_with_rmsprop, rmsprop_mistakes, rmsprop_unrolled,
           [fixtures.network([5, 3, 3, 3, 1], seed=17, steps=4, grad_scale=1.0),
            fixtures.network([1, 2], seed=18, steps=2, grad_scale=0.01, state_scale=0.0)],
           (0.99, 0.02, 1e-6))
### END HIDDEN TESTS

# %% [markdown]
# ## 10. The long run again, with RMSProp
#
# Same start $(-60, 2)$, same $\alpha = 0.3$, same 1,000 steps, now with RMSProp
# ($\beta_2 = 0.9$).

# %%
rmsprop = nn.Optimizer(init=initialize_rmsprop, name="RMSProp",
                       step=lambda p, g, s, t, lr: update_parameters_with_rmsprop(p, g, s, 0.9, lr, 1e-8))
far_paths["RMSProp"] = nn.run_on_function(data.elongated_bowl, far_start, rmsprop, 0.3, long_run)
plot_long_run(far_paths)
for name, path in far_paths.items():
    print(f"{name:8s}: |x| after 100 steps {abs(path[100, 0]):5.1f}, after {long_run} steps "
          f"{abs(path[-1, 0]):.2f}")

# %% [markdown]
# RMSProp's effective rate does not decay: $S$ follows the *recent* squared gradients, so the
# steps stay about $\alpha$ long and the minimum is reached in a few hundred steps. The rate
# even *grows* as the gradient shrinks near the minimum, which is why RMSProp, with a fixed
# $\alpha$, ends up hopping around the minimum at a distance of order $\alpha$ instead of
# settling exactly; chapter 06 lowers $\alpha$ over time for that.

# %% [markdown]
# ## 11. Trajectories on the elongated bowl
#
# From the same start $(-7, 2)$, 40 steps each: gradient descent with $\alpha = 0.9$ (it
# diverges along $y$ for $\alpha > 1$) and the two adaptive methods.

# %%
gd = nn.Optimizer(init=lambda p: None, name="gradient descent",
                  step=lambda p, g, s, t, lr: ({k: v - lr * g["d" + k] for k, v in p.items()}, s))
bowl_paths = {
    "GD, alpha = 0.9": nn.run_on_function(data.elongated_bowl, (-7, 2), gd, 0.9, 40),
    "AdaGrad, alpha = 1.5": nn.run_on_function(data.elongated_bowl, (-7, 2), adagrad, 1.5, 40),
    "RMSProp, alpha = 0.3": nn.run_on_function(data.elongated_bowl, (-7, 2), rmsprop, 0.3, 40),
}
plots.contour_paths(data.elongated_bowl, bowl_paths,
                    title="x**2/20 + y**2 from (-7, 2), 40 steps each")
plt.show()
for name, path in bowl_paths.items():
    print(f"{name:22s} f after 40 steps = {data.elongated_bowl(path[-1])[0]:.1e}")

# %% [markdown]
# Gradient descent's step along $y$ is $0.9 \times 2y = 1.8y$: it overshoots and zig-zags.
# The adaptive methods divide each coordinate by the size of its own gradients, so their
# first steps are equally long along $x$ and $y$ (a diagonal start), the $y$ oscillation is
# damped, and the slow $x$ direction is sped up.

# %% [markdown]
# ## 12. Training a real network
#
# The course's network (2 → 16 → 8 → 1, ReLU then sigmoid) on scikit-learn's two moons,
# full-batch, 300 epochs, the same initial weights for the three methods. Each method has its
# own learning rate: adaptive methods take steps of about $\alpha$ per weight, so their
# $\alpha$ is much smaller than gradient descent's. We also record the median effective
# learning rate $\alpha / \sqrt{\text{state} + \varepsilon}$ over all the weights.

# %%
X_train, Y_train = data.load_moons(m=500, noise=0.2, seed=0)
layers_dims = [2, 16, 8, 1]


def recording(optimizer):
    """The same optimizer, also logging the median alpha / sqrt(state + eps) of the weights."""
    log = []

    def step(p, g, s, t, lr):
        p, s = optimizer.step(p, g, s, t, lr)
        log.append(np.median(np.concatenate(
            [(lr / np.sqrt(v + 1e-8)).ravel() for k, v in s.items() if k.startswith("dW")])))
        return p, s
    return nn.Optimizer(optimizer.init, step, optimizer.name), log


ada_logged, ada_rates = recording(adagrad)
rms_logged, rms_rates = recording(rmsprop)
runs = {
    "GD (alpha = 0.3)": nn.train(X_train, Y_train, layers_dims, gd, 0.3, 300, progress=False),
    "AdaGrad (alpha = 0.1)": nn.train(X_train, Y_train, layers_dims, ada_logged, 0.1, 300,
                                      progress=False),
    "RMSProp (alpha = 0.01)": nn.train(X_train, Y_train, layers_dims, rms_logged, 0.01, 300,
                                       progress=False),
}

fig, axes = plt.subplots(1, 2, figsize=(13, 3.8))
plots.cost_curves({k: r.costs for k, r in runs.items()}, ax=axes[0], logy=True,
                  title="Training cost, full batch")
axes[1].loglog(np.arange(1, 301), ada_rates, label="AdaGrad (alpha = 0.1)")
axes[1].loglog(np.arange(1, 301), rms_rates, label="RMSProp (alpha = 0.01)")
axes[1].set(xlabel="iteration", ylabel="median effective learning rate",
            title="alpha / sqrt(state + eps) over the weights")
axes[1].legend()
axes[1].grid(alpha=0.3)
plt.show()

plots.decision_boundaries({label: run.parameters for label, run in runs.items()},
                          X_train, Y_train)
plt.show()
for label, run in runs.items():
    print(f"{label:24s} cost after 50 epochs {run.epoch_costs[49]:.3f}, after 300 {run.epoch_costs[-1]:.3f}")

# %% [markdown]
# Both adaptive methods get to a low cost much sooner than gradient descent. On the right,
# AdaGrad's typical effective rate keeps falling over the whole run, while RMSProp's levels
# off, and rises again when the gradients become small near the end of training.

# %% [markdown]
# ## 13. Recap
#
# | | state update | parameter update | state starts at |
# |---|---|---|---|
# | AdaGrad | $\text{cache} = \text{cache} + dW^2$ | $W := W - \alpha\, dW / \sqrt{\text{cache} + \varepsilon}$ | 0 here; 0.1 in Keras and TensorFlow (not the blog's 1 and 0); 0 in PyTorch |
# | RMSProp | $S = \beta_2 S + (1 - \beta_2)\, dW^2$ | $W := W - \alpha\, dW / \sqrt{S + \varepsilon}$ | 0 (Keras and PyTorch too) |
#
# * Both give **each parameter its own learning rate** $\alpha / \sqrt{\text{state} +
#   \varepsilon}$, element-wise: large gradients get small steps, small or rare ones large
#   steps. That is what helps **sparse** (rare) features.
# * AdaGrad's cache only grows, so its steps shrink like $1/\sqrt t$ even far from the
#   minimum: the learning rate decays too fast on long runs.
# * RMSProp forgets old gradients with an exponentially weighted average (window about
#   $1/(1 - \beta_2)$), so its steps stay about $\alpha$ long. $\beta_2 = 0.9$ to $0.999$,
#   $\varepsilon = 10^{-8}$.
# * Update the state first, then divide by the square root of the **new** state; $\varepsilon$
#   goes **inside** the square root here and in Keras, outside in PyTorch. Inside, it is added
#   to an average of *squared* gradients, so it damps every weight whose $\sqrt{S}$ is not well
#   above $\sqrt\varepsilon$ ($10^{-4}$ for $\varepsilon = 10^{-8}$); outside, only those near
#   $\varepsilon$ itself. The Keras notebook shows how far apart this moves two runs.
#
# Next: the Keras reference notebook of this chapter (`adagrad_rmsprop_keras.ipynb`) runs
# `keras.optimizers.Adagrad` and `keras.optimizers.RMSprop` against your functions. Chapter 05
# combines RMSProp's $S$ with momentum's $v$: Adam.
