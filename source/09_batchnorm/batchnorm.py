# %% [markdown]
# # Chapter 09 — Batch Normalization
#
# *Optimization for Deep Learning* · graded notebook
#
# **What you will build**
# 1. `batchnorm_forward`: normalise each unit of a layer over the mini-batch, scale and shift
#    it, and keep running averages (an EWMA, chapter 02) of the batch statistics for inference.
# 2. `batchnorm_backward`: the gradients of the loss with respect to the layer's input, its
#    scale $\gamma$ and its shift $\beta$.
#
# Then you train the course's network with and without Batch Normalization from weights of
# very different sizes, and watch the running averages converge.
#
# **How to work.** Write your code where a cell says `YOUR CODE HERE` (delete the
# `raise NotImplementedError` line). Run the test cell under each exercise: a failing test
# tells you what is most likely wrong. Some tests are hidden and run only when your work is
# graded; they check the same ideas on other shapes and values, so write general code.

# %% [markdown]
# ## 1. Normalising inside the network
#
# Chapter 08 showed that the scale of the initial weights decides whether the activations of
# a deep network vanish, explode or stay useful. **Batch Normalization** (배치 정규화, Ioffe and
# Szegedy, 2015) removes most of that dependence: after the linear part
# $Z^{[l]} = W^{[l]} A^{[l-1]}$ of a layer, each unit is normalised over the current
# mini-batch, then scaled and shifted by two learned vectors. The notes list what it buys:
# faster training, less dependence on the initial weights, and some regularisation.
#
# For one layer with $n_l$ units and a mini-batch of $m$ examples, $Z$ has shape $(n_l, m)$:
# **examples are columns**, so every statistic is taken along **axis 1**, one number per unit
# (per row). For each unit:
#
# $$\mu = \frac{1}{m}\sum_{i=1}^{m} z^{(i)}, \qquad
#   \sigma^2 = \frac{1}{m}\sum_{i=1}^{m} \big(z^{(i)} - \mu\big)^2, \qquad
#   \hat z^{(i)} = \frac{z^{(i)} - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad
#   y^{(i)} = \gamma\, \hat z^{(i)} + \beta .$$
#
# * The variance is the **biased** one, divided by $m$ (`np.var`'s default, `ddof=0`), as in
#   the notes, the paper and Keras; the unbiased $m - 1$ would be a different layer.
# * $\epsilon$ sits **inside** the square root: it keeps the division finite when a unit has
#   (almost) no spread in the batch.
# * $\gamma$ (scale) and $\beta$ (shift), shape $(n_l, 1)$, are learned like weights. They
#   start at $\gamma = 1$, $\beta = 0$ (the notes' "initial values 1 and 0"), so a new layer
#   starts by outputting the plain normalised $\hat z$. The notes write the scale as
#   $\sigma$, an OCR or writing slip: $\sigma$ is the standard deviation, the scale is
#   $\gamma$.
# * This $\beta$ is **not** the EWMA's $\beta$ of chapters 02-05; the name clash is the
#   paper's. Below, the EWMA coefficient is called `momentum`, as in Keras.
# * With Batch Normalization the bias $b^{[l]}$ of the layer is useless: $\mu$ subtracts it
#   again, and $\beta$ takes its place.

# %%
import matplotlib.pyplot as plt
import numpy as np

from course import data, nn, plots
from course.fixtures import network
from course.testing import call, check_close, check_dict_close, numerical_gradient

# %matplotlib inline

# %% [markdown]
# ## 2. Training and inference
#
# At **inference** (test time) there may be a single example, and a prediction must not
# depend on which other examples happen to be in the batch. So the layer keeps **running
# averages** of the batch statistics during training, an exponentially weighted average
# exactly as in chapter 02, with the course's convention (the old value gets the coefficient):
#
# $$\mu_{\text{run}} := \text{momentum}\cdot \mu_{\text{run}} + (1 - \text{momentum})\,\mu,
#   \qquad
#   \sigma^2_{\text{run}} := \text{momentum}\cdot \sigma^2_{\text{run}}
#   + (1 - \text{momentum})\,\sigma^2 .$$
#
# `momentum` is the course's EWMA $\beta$; Keras' default `momentum=0.99` is $\beta = 0.99$, a
# window of about $1/(1 - 0.99) = 100$ mini-batches. There is no bias correction: the running
# averages start at mean 0 and variance 1 (Keras' start too) and simply forget that start.
#
# At inference the layer uses $\mu_{\text{run}}$ and $\sigma^2_{\text{run}}$ in place of
# $\mu$ and $\sigma^2$, and leaves them **unchanged**: test data must not move them.
#
# **A batch of one.** In training mode with $m = 1$, $\mu = z$ and $\sigma^2 = 0$, so
# $\hat z = 0$ and the output is $\beta$ for every input: the layer learns nothing from a batch
# of one, and the running variance moves towards 0. Your function should still follow the
# formulas (no special case, no error): output $\beta$, running mean moved towards $z$,
# running variance towards 0. Train with batches of at least 2 (in practice 32 and more).
# At inference $m = 1$ is perfectly normal.

# %% [markdown]
# ## 3. Exercise 1: the forward pass
#
# Write `batchnorm_forward`. In training mode compute $\mu$ and $\sigma^2$ of the batch, use
# them, and return **new** running averages; at inference use `running["mean"]` and
# `running["var"]` and return `running` as it came. Never write into `Z` or into the caller's
# `running` dict (build new arrays and a new dict: `running = {"mean": ..., "var": ...}`).
#
# The cache is yours: store whatever `batchnorm_backward` will need (for instance $\hat Z$,
# $Z - \mu$, $1/\sqrt{\sigma^2 + \epsilon}$ and $\gamma$). Useful:
# `np.mean(Z, axis=1, keepdims=True)` keeps the shape $(n_l, 1)$, so it broadcasts against
# $Z$.

# %% solution="batchnorm_forward"
def batchnorm_forward(Z, gamma, beta, running, training, momentum=0.99, eps=1e-3):
    """Batch Normalization of a layer's pre-activations, one unit (row) at a time.

    Arguments:
    Z -- pre-activations, shape (n_l, m): examples are columns, statistics are over axis 1
    gamma -- scale, shape (n_l, 1) (starts at 1)
    beta -- shift, shape (n_l, 1) (starts at 0)
    running -- dict {"mean": (n_l, 1), "var": (n_l, 1)}: running averages of the batch
               statistics (start: zeros and ones). Read only: never changed in place.
    training -- True: normalise with this batch's mean and (biased, divided by m) variance and
                update the running averages; False (inference): normalise with running["mean"]
                and running["var"] and leave them unchanged
    momentum -- EWMA coefficient (the course's beta, Keras' momentum):
                new running = momentum * running + (1 - momentum) * batch statistic
    eps -- added to the variance inside the square root

    Returns:
    out -- gamma * (Z - mean) / sqrt(var + eps) + beta, shape (n_l, m)
    running -- training: a NEW dict {"mean", "var"} with the updated averages;
               inference: the running dict it was given, unchanged
    cache -- whatever batchnorm_backward needs (training mode)

    With m = 1 in training mode the variance is 0 and out equals beta (no special case).
    """
    ### BEGIN SOLUTION
    if training:
        m = Z.shape[1]
        mu = np.sum(Z, axis=1, keepdims=True) / m
        Zc = Z - mu
        var = np.sum(Zc ** 2, axis=1, keepdims=True) / m
        running = {"mean": momentum * running["mean"] + (1 - momentum) * mu,
                   "var": momentum * running["var"] + (1 - momentum) * var}
    else:
        mu, var = running["mean"], running["var"]
        Zc = Z - mu
    inv_std = 1.0 / np.sqrt(var + eps)
    Z_hat = Zc * inv_std
    out = gamma * Z_hat + beta
    cache = (Z_hat, Zc, inv_std, gamma)
    return out, running, cache
    ### END SOLUTION


# %% [markdown]
# The tests compare `out` and the returned running averages with a reference written unit by
# unit with explicit sums, on fixtures whose rows have different means and spreads, with
# $\epsilon$ large enough that its place matters and `m` different from `n_l`. They name the
# classic slips: the unbiased variance (`ddof=1`), statistics over the wrong axis, $\epsilon$
# outside the square root, the EWMA's weights swapped, batch statistics at inference,
# running averages updated at inference, and writing into `Z` or `running`.

# %% readonly="checkers_batchnorm_forward"
def bn_case(n_l, m, seed):
    """Z (n_l, m), gamma, beta (n_l, 1), running {"mean", "var"} and an upstream gradient dout
    (n_l, m), all non-zero and from course.fixtures.network: rows have different means
    (the bias b1 shifts each row) and gamma is not 1, so a wrong axis or a forgotten gamma show."""
    net = network([m, n_l, n_l], seed=seed)
    p, g, s = net.parameters, net.grads[0], net.state
    return {"Z": p["W1"] + 2.0 * p["b1"], "gamma": 1.0 + p["b2"], "beta": 5.0 * g["db1"],
            "running": {"mean": 0.5 * p["W2"][:, :1], "var": 20.0 * s["db1"]},
            "dout": 10.0 * g["dW1"]}


def bn_reference(Z, gamma, beta, running, training, momentum, eps):
    """The definition written unit by unit with Python sums: (out, new running)."""
    n_l, m = Z.shape
    out, means, variances = np.zeros((n_l, m)), np.zeros((n_l, 1)), np.zeros((n_l, 1))
    for i in range(n_l):
        row = [float(z) for z in Z[i]]
        if training:
            mean = sum(row) / m
            var = sum((z - mean) ** 2 for z in row) / m
        else:
            mean, var = float(running["mean"][i, 0]), float(running["var"][i, 0])
        means[i, 0], variances[i, 0] = mean, var
        for j in range(m):
            out[i, j] = gamma[i, 0] * (row[j] - mean) / (var + eps) ** 0.5 + beta[i, 0]
    if not training:
        return out, {"mean": running["mean"].copy(), "var": running["var"].copy()}
    return out, {"mean": momentum * running["mean"] + (1 - momentum) * means,
                 "var": momentum * running["var"] + (1 - momentum) * variances}


def _normalise(Z, gamma, beta, mean, var, eps, outside=False):
    with np.errstate(all="ignore"):
        return gamma * (Z - mean) / ((np.sqrt(var) + eps) if outside else np.sqrt(var + eps)) + beta


def _ewma(running, mean, var, momentum):
    return {"mean": momentum * running["mean"] + (1 - momentum) * mean,
            "var": momentum * running["var"] + (1 - momentum) * var}


def forward_mistakes(Z, gamma, beta, running, training, momentum, eps):
    """{diagnosis: (out, running)} that each classic mistake of batchnorm_forward returns."""
    m = Z.shape[1]
    mu, var = Z.mean(axis=1, keepdims=True), Z.var(axis=1, keepdims=True)
    mu0, var0 = Z.mean(axis=0, keepdims=True), Z.var(axis=0, keepdims=True)
    table = {}
    if training:
        if m > 1:
            table["the variance is divided by m - 1 (ddof=1, the unbiased estimate): Batch "
                  "Normalization uses the biased variance, divided by m (np.var's default)."] = (
                _normalise(Z, gamma, beta, mu, var * m / (m - 1), eps),
                _ewma(running, mu, var * m / (m - 1), momentum))
        table["the statistics are taken over axis 0 (across the units of each example): "
              "examples are columns, so each unit's mean and variance are over axis 1 "
              "(np.mean(Z, axis=1, keepdims=True))."] = (
            _normalise(Z, gamma, beta, mu0, var0, eps), _ewma(running, mu0, var0, momentum))
        table["epsilon is outside the square root: divide by sqrt(var + eps), not "
              "sqrt(var) + eps."] = (_normalise(Z, gamma, beta, mu, var, eps, outside=True),
                                     _ewma(running, mu, var, momentum))
        table["epsilon is missing: divide by sqrt(var + eps), not sqrt(var)."] = (
            _normalise(Z, gamma, beta, mu, var, 0.0), _ewma(running, mu, var, momentum))
        table["the weights of the EWMA are swapped: the old running average gets momentum, "
              "the batch statistic gets (1 - momentum)."] = (
            _normalise(Z, gamma, beta, mu, var, eps), _ewma(running, mu, var, 1 - momentum))
        table["the output is the normalised Z_hat without gamma and beta: return "
              "gamma * Z_hat + beta."] = (_normalise(Z, 1.0, 0.0, mu, var, eps), None)
    else:
        rmean, rvar = running["mean"], running["var"]
        table["it used the batch's statistics at inference: with training=False normalise "
              "with running['mean'] and running['var'], so a prediction does not depend on the "
              "other examples of the batch."] = (
            _normalise(Z, gamma, beta, mu, var, eps), None)
        table["the running averages changed at inference: with training=False return running "
              "unchanged (test data must not move them)."] = (
            _normalise(Z, gamma, beta, rmean, rvar, eps), _ewma(running, mu, var, momentum))
        table["epsilon is outside the square root: divide by sqrt(var + eps), not "
              "sqrt(var) + eps."] = (_normalise(Z, gamma, beta, rmean, rvar, eps, outside=True),
                                     running)
        table["epsilon is missing: divide by sqrt(var + eps), not sqrt(var)."] = (
            _normalise(Z, gamma, beta, rmean, rvar, 0.0), running)
        table["running['var'] was used as a standard deviation: divide by "
              "sqrt(running['var'] + eps)."] = (gamma * (Z - rmean) / (rvar + eps) + beta, running)
        table["the output is the normalised Z_hat without gamma and beta: return "
              "gamma * Z_hat + beta."] = (_normalise(Z, 1.0, 0.0, rmean, rvar, eps), None)
    return table


NAN_HINT = ("With one example the variance is 0: a variance divided by m - 1 (ddof=1) is 0/0 "
            "(Batch Normalization divides by m), and without epsilon Z_hat = 0/0 (epsilon is "
            "missing from sqrt(var + eps)?).")


def check_forward(Z, gamma, beta, running, training, momentum, eps, label="", check_running=True):
    """Call batchnorm_forward on copies (Z and running must stay untouched), compare out and
    the returned running averages with the reference; return the learner's (out, running, cache).
    check_running=False (before a backward check): running may change and is not compared."""
    out, new_running, cache = call(batchnorm_forward, Z, gamma, beta, running, training,
                                   momentum, eps, returns=("out", "running", "bn_cache"),
                                   may_change=() if check_running else ("running",))
    expected_out, expected_running = bn_reference(Z, gamma, beta, running, training, momentum, eps)
    table = forward_mistakes(Z, gamma, beta, running, training, momentum, eps)
    mode = "training" if training else "inference"
    check_close(out, expected_out, f"out ({mode}{label})", mistakes={d: v[0] for d, v in table.items()},
                nan_hint=NAN_HINT)
    if not isinstance(new_running, dict):
        raise AssertionError(
            f"running ({mode}{label}) should be a dict {{'mean': ..., 'var': ...}}, got "
            f"{type(new_running).__name__}: are the returned values in the right order "
            "(out, running, cache)?")
    if not check_running:
        return out, new_running, cache
    check_dict_close(new_running, expected_running, f"running ({mode}{label})",
                     mistakes={d: v[1] for d, v in table.items() if v[1] is not None},
                     start=running if training else None)
    return out, new_running, cache


# %% test="test_bn_forward_hand_computed" points=2
"""Checks training mode on a 2-unit, 4-example batch computed by hand."""
_Z = np.array([[1.0, 3.0, 5.0, 7.0], [-1.0, -1.0, -1.0, 7.0]])
_gamma, _beta = np.array([[2.0], [0.5]]), np.array([[1.0], [-1.0]])
_running = {"mean": np.array([[1.0], [2.0]]), "var": np.array([[2.0], [4.0]])}
# Row 1: mean 4, deviations -3, -1, 1, 3, variance (9+1+1+9)/4 = 5; eps = 4: sqrt(9) = 3,
#   Z_hat = [-1, -1/3, 1/3, 1], out = 2 Z_hat + 1 = [-1, 1/3, 5/3, 3].
# Row 2: mean 1, deviations -2, -2, -2, 6, variance (4+4+4+36)/4 = 12; sqrt(16) = 4,
#   Z_hat = [-0.5, -0.5, -0.5, 1.5], out = 0.5 Z_hat - 1 = [-1.25, -1.25, -1.25, -0.25].
# momentum 0.75: mean 0.75*[1, 2] + 0.25*[4, 1] = [1.75, 1.75];
#   var 0.75*[2, 4] + 0.25*[5, 12] = [2.75, 6].
_out, _new, _ = check_forward(_Z, _gamma, _beta, _running, True, 0.75, 4.0)
check_close(_out, [[-1.0, 1 / 3, 5 / 3, 3.0], [-1.25, -1.25, -1.25, -0.25]], "out")
check_dict_close(_new, {"mean": np.array([[1.75], [1.75]]), "var": np.array([[2.75], [6.0]])},
                 "running")
print("Correct: batch mean, biased variance, epsilon inside the root, gamma, beta, EWMA.")

# %% test="test_bn_forward_training" points=2
"""Checks training mode on 3 units and 5 examples: output and new running averages."""
_c = bn_case(3, 5, seed=1)
check_forward(_c["Z"], _c["gamma"], _c["beta"], _c["running"], True, 0.9, 0.3)
print("Correct in training mode.")
### BEGIN HIDDEN TESTS
for _n, _m, _seed, _mom, _eps in [(4, 7, 2, 0.99, 1e-3), (1, 6, 3, 0.8, 0.5), (6, 2, 4, 0.6, 0.1)]:
    _c = bn_case(_n, _m, seed=_seed)
    check_forward(_c["Z"], _c["gamma"], _c["beta"], _c["running"], True, _mom, _eps,
                  f", {_n} units, {_m} examples")
### END HIDDEN TESTS

# %% test="test_bn_forward_inference" points=2
"""Checks inference mode: the running statistics are used and come back unchanged."""
_c = bn_case(3, 5, seed=5)
check_forward(_c["Z"], _c["gamma"], _c["beta"], _c["running"], False, 0.9, 0.3)
print("Correct at inference: running statistics used, not changed.")
### BEGIN HIDDEN TESTS
for _n, _m, _seed, _mom, _eps in [(4, 7, 6, 0.99, 1e-3), (2, 3, 7, 0.5, 0.4)]:
    _c = bn_case(_n, _m, seed=_seed)
    check_forward(_c["Z"], _c["gamma"], _c["beta"], _c["running"], False, _mom, _eps,
                  f", {_n} units, {_m} examples")
### END HIDDEN TESTS

# %% test="test_bn_forward_batch_of_one" points=2
"""Checks m = 1: training gives beta and moves the running averages; inference uses them."""
_c = bn_case(3, 1, seed=8)
# Training, m = 1: mean = z, variance 0, Z_hat = 0, so out = beta; running mean
# 0.9 * mean + 0.1 * z, running variance 0.9 * var + 0.1 * 0.
_out, _new, _ = check_forward(_c["Z"], _c["gamma"], _c["beta"], _c["running"], True, 0.9, 0.3,
                              ", one example")
check_close(_out, _c["beta"], "out (training, one example)")
check_close(_new["var"], 0.9 * _c["running"]["var"], "running['var'] (training, one example)")
# Inference, m = 1: the running statistics, so the output is not beta.
check_forward(_c["Z"], _c["gamma"], _c["beta"], _c["running"], False, 0.9, 0.3, ", one example")
print("Correct for a batch of one in both modes.")

# %% [markdown]
# ## 4. Exercise 2: the backward pass
#
# Given $d\text{out} = \partial J / \partial y$ (shape $(n_l, m)$), the shift and scale are
# easy, summed over the examples:
#
# $$d\beta = \sum_i d\text{out}^{(i)}, \qquad d\gamma = \sum_i d\text{out}^{(i)}\,\hat z^{(i)} .$$
#
# For $dZ$, remember that **every** $z^{(i)}$ of the batch enters $\mu$ and $\sigma^2$, so
# every output depends on every input of its unit. Step by step through the graph, with
# $d\hat z = d\text{out}\cdot\gamma$ and $s = 1/\sqrt{\sigma^2 + \epsilon}$:
#
# $$d\sigma^2 = -\tfrac12 s^3 \sum_i d\hat z^{(i)} (z^{(i)} - \mu), \qquad
#   d\mu = -s \sum_i d\hat z^{(i)} - \frac{2\, d\sigma^2}{m}\sum_i (z^{(i)} - \mu), \qquad
#   dz^{(i)} = s\, d\hat z^{(i)} + \frac{2\, d\sigma^2}{m}(z^{(i)} - \mu) + \frac{d\mu}{m} .$$
#
# Collected into one line (the "simplified" formula), for each unit:
#
# $$dz^{(i)} = \frac{s}{m}\Big( m\, d\hat z^{(i)} - \sum_k d\hat z^{(k)}
#   - \hat z^{(i)} \sum_k d\hat z^{(k)} \hat z^{(k)} \Big) .$$
#
# Either form is fine. The middle term, $-\sum_k d\hat z^{(k)}$, comes from $\mu$: the classic
# slip drops it (or the $d\mu/m$ term of the step-by-step form) and the gradient is wrong
# although its shape is right. With $m = 1$ the three terms cancel and $dZ = 0$.

# %% solution="batchnorm_backward"
def batchnorm_backward(dout, cache):
    """Gradients of Batch Normalization (training mode) from the upstream gradient.

    Arguments:
    dout -- gradient of the cost with respect to out, shape (n_l, m)
    cache -- what batchnorm_forward returned (training mode); read only

    Returns:
    dZ -- gradient with respect to Z, shape (n_l, m)
    dgamma -- gradient with respect to gamma, shape (n_l, 1): sum over the examples
    dbeta -- gradient with respect to beta, shape (n_l, 1): sum over the examples
    """
    ### BEGIN SOLUTION
    Z_hat, Zc, inv_std, gamma = cache
    m = dout.shape[1]
    dbeta = np.sum(dout, axis=1, keepdims=True)
    dgamma = np.sum(dout * Z_hat, axis=1, keepdims=True)
    dZ_hat = dout * gamma
    dvar = np.sum(dZ_hat * Zc, axis=1, keepdims=True) * -0.5 * inv_std ** 3
    dmu = (-np.sum(dZ_hat, axis=1, keepdims=True) * inv_std
           - 2.0 * dvar * np.sum(Zc, axis=1, keepdims=True) / m)
    dZ = dZ_hat * inv_std + dvar * 2.0 * Zc / m + dmu / m
    return dZ, dgamma, dbeta
    ### END SOLUTION


# %% [markdown]
# The tests run your forward pass in training mode (it must be right first), then your
# backward pass with a **random** upstream gradient `dout`, and compare each gradient with
# centred differences of $J = \sum d\text{out} \odot y$ computed from the definition (with
# $J = \sum y$ the exact $dZ$ is 0 and any formula missing a term would still pass).

# %% readonly="checkers_batchnorm_backward"
def backward_mistakes(Z, gamma, dout, eps):
    """{quantity: {diagnosis: value}} that each classic mistake of batchnorm_backward returns."""
    m = Z.shape[1]
    mu, var = Z.mean(axis=1, keepdims=True), Z.var(axis=1, keepdims=True)
    s = 1.0 / np.sqrt(var + eps)
    Z_hat = (Z - mu) * s
    dZ_hat = dout * gamma

    def sums(a):
        return a.sum(axis=1, keepdims=True)

    return {
        "dZ": {
            "the mean term is missing: mu depends on every z, so dZ needs - sum(dZ_hat) / m "
            "(the d_mu / m term of the step-by-step form).":
                s * (dZ_hat - Z_hat * sums(dZ_hat * Z_hat) / m),
            "the variance term is missing: sigma^2 depends on every z, so dZ needs "
            "- Z_hat * sum(dZ_hat * Z_hat) / m.": s * (dZ_hat - sums(dZ_hat) / m),
            "mu and sigma were treated as constants: dZ = dZ_hat / sqrt(var + eps) misses the "
            "mean term and the variance term.": s * dZ_hat,
            "gamma is missing from dZ: start from dZ_hat = dout * gamma.":
                s / m * (m * dout - sums(dout) - Z_hat * sums(dout * Z_hat)),
        },
        "dgamma": {
            "dgamma = sum(dout * Z_hat): Z_hat is missing.": sums(dout),
            "dgamma uses Z instead of the normalised Z_hat: sum(dout * Z_hat).": sums(dout * Z),
            "dgamma is averaged (divided by m): it is a sum over the examples.": sums(dout * Z_hat) / m,
        },
        "dbeta": {"dbeta is averaged (divided by m): it is a sum over the examples.": sums(dout) / m},
    }


def check_backward(c, momentum, eps, label=""):
    """Forward (its output checked first, not its running averages) then backward on copies;
    every gradient against centred differences of J = sum(dout * out) from bn_reference."""
    Z, gamma, beta, running, dout = c["Z"], c["gamma"], c["beta"], c["running"], c["dout"]
    try:
        _, _, cache = check_forward(Z, gamma, beta, running, True, momentum, eps, label,
                                    check_running=False)
    except AssertionError as err:
        raise AssertionError(f"batchnorm_forward must be right before its gradients can be "
                             f"checked: {err}") from None
    grads = call(batchnorm_backward, dout, cache, returns=("dZ", "dgamma", "dbeta"))

    def J(Z_=Z, gamma_=gamma, beta_=beta):
        return float(np.sum(dout * bn_reference(Z_, gamma_, beta_, running, True, momentum, eps)[0]))

    expected = {"dZ": numerical_gradient(lambda a: J(Z_=a), Z),
                "dgamma": numerical_gradient(lambda a: J(gamma_=a), gamma),
                "dbeta": numerical_gradient(lambda a: J(beta_=a), beta)}
    table = backward_mistakes(Z, gamma, dout, eps)
    for name, got in zip(("dZ", "dgamma", "dbeta"), grads):
        check_close(got, expected[name], f"{name}{label}", mistakes=table[name], rtol=1e-5,
                    atol=1e-7, hint="(compared with centred differences of sum(dout * out)); "
                    "sums run over the examples, axis 1, keepdims=True.")


# %% test="test_bn_backward_numerical" points=3
"""Checks dZ, dgamma, dbeta on 3 units and 5 examples against centred differences."""
check_backward(bn_case(3, 5, seed=11), 0.9, 0.3)
print("Correct: the three gradients match centred differences.")
### BEGIN HIDDEN TESTS
for _n, _m, _seed, _eps in [(4, 8, 12, 1e-3), (1, 3, 13, 0.5), (5, 4, 14, 0.05)]:
    check_backward(bn_case(_n, _m, seed=_seed), 0.99, _eps, f" ({_n} units, {_m} examples)")
### END HIDDEN TESTS

# %% test="test_bn_backward_small_batches" points=1
"""Checks the gradients on batches of 2 (and, hidden, of 1: dZ is 0)."""
check_backward(bn_case(4, 2, seed=15), 0.9, 0.2, " (4 units, 2 examples)")
print("Correct on a batch of 2.")
### BEGIN HIDDEN TESTS
check_backward(bn_case(3, 1, seed=16), 0.9, 0.2, " (3 units, 1 example)")
check_backward(bn_case(2, 3, seed=17), 0.5, 1.0, " (2 units, 3 examples)")
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Batch Normalization against the scale of the initial weights
#
# We train the course's network on 400 examples of the two moons,
# $2 \to 32 \to 32 \to 32 \to 1$, for 40 epochs of mini-batches of 64 (learning rate 0.1),
# from Gaussian weights multiplied by a scale: He's scale ($\sqrt{2/n_{l-1}}$, chapter 08)
# times 0.1, 1 and 10. Without Batch Normalization, small
# weights make the signal vanish through the layers and large ones make it explode. With
# Batch Normalization after each hidden linear layer (before the ReLU; no biases there,
# $\gamma = 1$, $\beta = 0$ to start), the scale of $W$ cancels out: $(aZ - a\mu)/(a\sigma)$
# is the same for every $a > 0$ (up to $\epsilon$).
#
# The network with Batch Normalization is built from **your** two functions: the cell below
# runs them layer by layer.

# %%
def bn_network_init(layers_dims, scale, seed):
    rng = np.random.default_rng(seed)
    params, running = {}, {}
    L = len(layers_dims) - 1
    for l in range(1, L + 1):
        n_prev, n = layers_dims[l - 1], layers_dims[l]
        params[f"W{l}"] = rng.standard_normal((n, n_prev)) * np.sqrt(2.0 / n_prev) * scale
        if l < L:
            params[f"gamma{l}"], params[f"beta{l}"] = np.ones((n, 1)), np.zeros((n, 1))
            running[l] = {"mean": np.zeros((n, 1)), "var": np.ones((n, 1))}
        else:
            params[f"b{l}"] = np.zeros((n, 1))
    return params, running


def bn_network_forward(X, params, running, training, momentum=0.9, eps=1e-3):
    """Hidden layers: Z = W A, BatchNorm, ReLU; output: sigmoid. Returns AL, caches, running."""
    L = len(running) + 1
    A, caches, new_running = X, [], {}
    for l in range(1, L):
        Z = params[f"W{l}"] @ A
        Y, new_running[l], bn_cache = batchnorm_forward(Z, params[f"gamma{l}"], params[f"beta{l}"],
                                                        running[l], training, momentum, eps)
        caches.append((A, Y, bn_cache))
        A = np.maximum(Y, 0)
    ZL = params[f"W{L}"] @ A + params[f"b{L}"]
    caches.append((A, None, None))
    return nn.sigmoid(ZL), caches, new_running


def bn_network_backward(AL, Y, params, caches):
    L, m = len(caches), Y.shape[1]
    grads = {}
    dZ = (AL - Y) / m
    A_prev = caches[-1][0]
    grads[f"dW{L}"], grads[f"db{L}"] = dZ @ A_prev.T, dZ.sum(axis=1, keepdims=True)
    dA = params[f"W{L}"].T @ dZ
    for l in range(L - 1, 0, -1):
        A_prev, Ybn, bn_cache = caches[l - 1]
        dZ, grads[f"dgamma{l}"], grads[f"dbeta{l}"] = batchnorm_backward(dA * (Ybn > 0), bn_cache)
        grads[f"dW{l}"] = dZ @ A_prev.T
        dA = params[f"W{l}"].T @ dZ
    return grads


def shuffled_batches(batch_size, seed):
    def make(X, Y, epoch):
        order = np.random.default_rng(seed + 1 + epoch).permutation(X.shape[1])
        return [(X[:, order[k:k + batch_size]], Y[:, order[k:k + batch_size]])
                for k in range(0, X.shape[1], batch_size)]
    return make


def train_bn(X, Y, layers_dims, scale, learning_rate, num_epochs, batch_size=64, seed=0):
    """Mini-batch GD on the BatchNorm network (the same mini-batches as nn.train below)."""
    params, running = bn_network_init(layers_dims, scale, seed)
    make_batches, costs = shuffled_batches(batch_size, seed), []
    for epoch in range(num_epochs):
        for X_t, Y_t in make_batches(X, Y, epoch):
            AL, caches, running = bn_network_forward(X_t, params, running, True)
            grads = bn_network_backward(AL, Y_t, params, caches)
            params = {key: v - learning_rate * grads["d" + key] for key, v in params.items()}
        costs.append(nn.compute_cost(bn_network_forward(X, params, running, False)[0], Y))
    return costs, params, running


X_moons, Y_moons = data.load_moons(m=400, noise=0.2, seed=0)
dims = [2, 32, 32, 32, 1]
sgd = nn.Optimizer(init=lambda p: None, name="plain network",
                   step=lambda p, g, s, t, lr: ({k: v - lr * g["d" + k] for k, v in p.items()}, s))
scales, epochs, lr = [0.1, 1.0, 10.0], 40, 0.1
runs = {}
for scale in scales:
    start = {k: v * scale if k.startswith("W") else v
             for k, v in nn.initialize_parameters(dims, seed=0).items()}
    with np.errstate(over="ignore", invalid="ignore"):  # the x10 plain run overflows
        plain = nn.train(X_moons, Y_moons, dims, sgd, learning_rate=lr, num_epochs=epochs,
                         make_batches=shuffled_batches(64, 0), parameters=start)
    bn_costs, bn_params, bn_running = train_bn(X_moons, Y_moons, dims, scale, lr, epochs)
    runs[scale] = (plain.epoch_costs, bn_costs)
    print(f"weights x {scale:>4}: cost after epochs 1 and {epochs}: without BN "
          f"{plain.epoch_costs[0]:.3f}, {plain.epoch_costs[-1]:.3f}; with BN {bn_costs[0]:.3f}, "
          f"{bn_costs[-1]:.3f}")

# %%
fig, axes = plt.subplots(1, len(scales), figsize=(14, 3.6), sharey=True)
for ax, scale in zip(axes, scales):
    plain_costs, bn_costs = runs[scale]
    plots.cost_curves({"without BatchNorm": plain_costs,
                       "with BatchNorm": bn_costs}, xlabel="epoch", ax=ax,
                      title=f"He weights x {scale}")
    if not np.isfinite(plain_costs).all():
        ax.text(0.5, 0.5, f"without BatchNorm: NaN from epoch {np.isfinite(plain_costs).sum() + 1}",
                transform=ax.transAxes, ha="center", color="tab:blue")
axes[0].set_ylim(0, 1.2)
plt.tight_layout()
plt.show()

# %% [markdown]
# The printed costs tell the story. With weights 10 times too small the plain network does
# not move in 40 epochs: its cost stays at $\ln 2 \approx 0.693$, the cost of predicting 0.5
# everywhere (the signal and the gradients shrink layer after layer). With weights 10 times
# too large its first cost is huge and the next steps overflow to NaN (the curve stops). With
# He's scale it trains, slowly. With Batch Normalization the three runs are close to each other
# and below the plain network's best: each layer sees normalised inputs whatever the scale
# of $W$. (Scaling $W$ by $a$ also scales its gradient by $1/a$, so the effective step still
# depends a little on the scale.)
#
# ## 6. How the running averages converge
#
# Feed one unit batches of 32 values drawn from a normal with mean 3 and variance 4, and
# follow the running averages from their start (mean 0, variance 1) with Keras' default
# momentum 0.99 and with 0.9. After $t$ batches the start still weighs $\text{momentum}^t$:
# $0.9^{50} \approx 0.005$, but $0.99^{50} \approx 0.6$ and $0.99^{300} \approx 0.05$. With
# momentum 0.99 the inference statistics are far from the true ones for the first hundred or
# so batches (after 50 batches the running mean is still about 1.2 instead of 3): a model
# evaluated early in training (or trained for few steps) predicts with wrong statistics, one
# reason to lower the momentum for short runs.

# %%
rng = np.random.default_rng(0)
batches = [3.0 + 2.0 * rng.standard_normal((1, 32)) for _ in range(500)]
gamma1, beta1 = np.ones((1, 1)), np.zeros((1, 1))
paths = {}
for momentum in (0.9, 0.99):
    running = {"mean": np.zeros((1, 1)), "var": np.ones((1, 1))}
    means, variances = [], []
    for Zb in batches:
        _, running, _ = batchnorm_forward(Zb, gamma1, beta1, running, True, momentum, 1e-3)
        means.append(running["mean"][0, 0])
        variances.append(running["var"][0, 0])
    paths[momentum] = (np.array(means), np.array(variances))
    print(f"momentum {momentum}: after 50 batches mean {means[49]:.2f}, variance "
          f"{variances[49]:.2f}; after 500 batches mean {means[-1]:.2f}, variance {variances[-1]:.2f}")
print(f"average biased variance of the 500 batches: {np.mean([Zb.var() for Zb in batches]):.2f} "
      f"(expected (m - 1) / m * 4 = {31 / 32 * 4:.3f})")
print(f"start's weight after 50 steps: 0.9^50 = {0.9 ** 50:.4f}, 0.99^50 = {0.99 ** 50:.2f}, "
      f"0.99^300 = {0.99 ** 300:.3f}")

fig, axes = plt.subplots(1, 2, figsize=(12, 3.4))
for momentum, (means, variances) in paths.items():
    axes[0].plot(means, label=f"momentum {momentum}")
    axes[1].plot(variances, label=f"momentum {momentum}")
for ax, true, what in [(axes[0], 3.0, "running mean"), (axes[1], 4.0, "running variance")]:
    ax.axhline(true, color="k", ls=":", label=f"true value {true:g}")
    ax.set(xlabel="mini-batch", title=what)
    ax.legend()
    ax.grid(alpha=0.3)
plt.tight_layout()
plt.show()

# %% [markdown]
# With momentum 0.9 the averages reach the true values within a few dozen batches and then
# jitter (they average only about 10 batches); with 0.99 they take a few hundred batches and
# are smoother. The running variance settles slightly below 4: each batch's biased variance
# is on average $\frac{m-1}{m} \cdot 4 = 3.875$ for $m = 32$ (3.84 over these 500 batches),
# and that is what it averages. Keras and the paper keep this biased value; PyTorch stores the
# unbiased $\frac{m}{m-1}\sigma^2$ in its running variance (while still normalising the
# batch with the biased one).
#
# ## 7. Recap
#
# * Batch Normalization normalises each unit over the mini-batch (axis 1, examples are
#   columns) with the biased variance and $\epsilon$ inside the square root, then scales by
#   $\gamma$ (start 1) and shifts by $\beta$ (start 0).
# * Training uses the batch's statistics and updates running averages, an EWMA with
#   $\beta = $ `momentum` (Keras' 0.99); inference uses the running averages and leaves them
#   alone.
# * The backward pass must carry the gradient through $\mu$ and $\sigma^2$: the compact
#   formula has three terms, and dropping the mean term is the classic slip. Check gradients
#   with a random upstream gradient: with $\sum y$ the true $dZ$ is zero.
# * The scale of the initial weights hardly matters any more.
#
# Next: the Keras reference notebook of this chapter (`batchnorm_keras.ipynb`) checks
# `keras.layers.BatchNormalization` against your functions, in both modes. Chapter 10 adds
# weight decay and dropout.
