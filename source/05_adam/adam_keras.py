# %% [markdown]
# # Chapter 05 — Adam in TensorFlow/Keras (reference notebook)
#
# This notebook is not graded. It reads what `keras.optimizers.Adam` and `AdamW` compute and
# checks it, **by running both**, against the numpy Adam of the graded notebook:
#
# 1. Keras writes Adam in the paper's "epsilon hat" form. With the exact mapping between the
#    two epsilons (and betas that float32 represents exactly), Keras and your numpy Adam
#    agree to about $10^{-15}$ after 120 mini-batch steps; without the mapping they do not.
# 2. Keras rounds `beta_1`/`beta_2` through float32 in the bias correction, even in float64.
# 3. `AdamW`'s `weight_decay` is the decoupled decay $W := W - \alpha\lambda W$, checked
#    against a small numpy AdamW.
# 4. `model.fit` with Adam on a small model, and gradient descent, momentum, RMSprop and Adam
#    as Keras optimizers on the same model, weights and mini-batches.
#
# It runs *your* `initialize_adam` and `update_parameters_with_adam`, loaded from the graded
# notebook `adam.ipynb` in the same folder (save it first). The notebook uses a GPU when
# TensorFlow sees one and the CPU otherwise.

# %%
import matplotlib.pyplot as plt
import numpy as np

from course import data, nn, plots, tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf
from keras import ops

# %matplotlib inline

# %% [markdown]
# ## Your functions from the graded notebook
#
# The next cell runs **your** `initialize_adam` and `update_parameters_with_adam` from
# `adam.ipynb` (only its imports and function definitions, no tests or training): every
# comparison below checks your code against Keras. Save the graded notebook first; if an
# exercise is not written yet, the cell says which.

# %%
from course import exercises

ex = exercises.load("adam.ipynb", "initialize_adam", "update_parameters_with_adam")
initialize_adam, update_parameters_with_adam = ex.initialize_adam, ex.update_parameters_with_adam


# %% [markdown]
# ## 1. What Keras computes
#
# `keras/src/optimizers/adam.py` (Keras 3), method `update_step`, with `m` the first moment
# and `v` the second (Keras calls them "momentum" and "velocity"; the course calls them $v$
# and $s$):
#
# ```python
# local_step = iterations + 1                       # t, counted from 1
# beta_1_power = ops.power(ops.cast(beta_1, dtype), local_step)
# beta_2_power = ops.power(ops.cast(beta_2, dtype), local_step)
# alpha = lr * ops.sqrt(1 - beta_2_power) / (1 - beta_1_power)
# m += (g - m) * (1 - beta_1)                       # = beta_1 m + (1 - beta_1) g
# v += (g**2 - v) * (1 - beta_2)                    # = beta_2 v + (1 - beta_2) g**2
# variable -= m * alpha / (ops.sqrt(v) + epsilon)
# ```
#
# The moments are the course's $v$ and $s$, exactly. The bias corrections are folded into
# the step size, and `epsilon` is added to the root of the **uncorrected** $s$. Multiply the
# course's step by $\sqrt{1-\beta_2^t}/\sqrt{1-\beta_2^t}$:
#
# $$\alpha\,\frac{v / (1-\beta_1^t)}{\sqrt{s / (1-\beta_2^t)} + \varepsilon}
#   = \alpha\,\frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}\cdot\frac{v}{\sqrt{s} + \varepsilon\sqrt{1-\beta_2^t}}.$$
#
# So Keras' `epsilon` is the paper's $\hat\varepsilon = \varepsilon\sqrt{1-\beta_2^t}$ ("epsilon
# hat", as the Keras docstring says), and the **exact mapping** is: to reproduce
# `Adam(epsilon=eps_hat)`, call the course's function at step $t$ with
# $\varepsilon_t = \hat\varepsilon / \sqrt{1-\beta_2^t}$. Since $\sqrt{1-\beta_2^t}$ is tiny at
# first ($0.03$ at $t = 1$ for $\beta_2 = 0.999$), Keras' $\hat\varepsilon = 10^{-7}$ acts like a
# course $\varepsilon$ of about $3 \cdot 10^{-6}$ in the first step, falling to $10^{-7}$ as
# $t$ grows. The default also differs: Keras $10^{-7}$, the notes and the paper $10^{-8}$.
#
# ## 2. Keras rounds the betas through float32
#
# `ops.cast(beta_1, dtype)` turns the Python float into a tensor first, and TensorFlow makes
# Python floats float32 tensors; only then is it cast to float64. So even with
# `floatx="float64"` the powers $\beta^t$ use $\beta$ rounded to float32. (The moment updates
# use `1 - self.beta_1` as a Python float and are exact.)

# %%
for beta in (0.9, 0.999, 0.875, 1 - 2.0**-10):
    keras_beta = float(ops.convert_to_numpy(ops.cast(beta, "float64")))
    print(f"beta = {beta!r:22}  Keras uses {keras_beta!r:22}  difference {keras_beta - beta:+.2e}")
assert float(ops.convert_to_numpy(ops.cast(0.9, "float64"))) == float(np.float32(0.9))

# %% [markdown]
# $0.875 = 7/8$ and $1 - 2^{-10} = 0.9990234375$ are exact in float32, so with them the only
# difference left between Keras and the course's formula is the epsilon. We use them for the
# exact comparison, then show what 0.9 and 0.999 change.
#
# ## 3. Keras Adam versus your numpy Adam, step by step
#
# The course's network (2 → 16 → 8 → 1) on two moons, 12 epochs of mini-batches of 50
# (120 Adam steps). Both sides see the same mini-batches in the same order: we shuffle with
# numpy and give Keras the concatenated epochs with `shuffle=False`. Keras'
# `BinaryCrossentropy(from_logits=True)` on a linear output has numpy's gradient $dZ = A - Y$
# (chapter 01 checks this to $10^{-10}$).

# %%
X, Y = data.load_moons(m=500, noise=0.2, seed=0)
layers_dims, batch, epochs, lr = [2, 16, 8, 1], 50, 12, 0.01
parameters0 = nn.initialize_parameters(layers_dims, seed=0)

batches = []
for epoch in range(epochs):
    perm = np.random.default_rng(epoch).permutation(X.shape[1])
    batches += [(X[:, perm[k:k + batch]], Y[:, perm[k:k + batch]]) for k in range(0, X.shape[1], batch)]
X_all = np.concatenate([xb for xb, _ in batches], axis=1)
Y_all = np.concatenate([yb for _, yb in batches], axis=1)
print(f"{len(batches)} mini-batches of {batch}")


def numpy_adam(beta1, beta2, epsilon_at, lr_at=lambda t: lr, weight_decay=0.0):
    """Your Adam over `batches`, with epsilon_at(t) and lr_at(t) for step t; decoupled decay optional."""
    params = {k: p.copy() for k, p in parameters0.items()}
    v, s = initialize_adam(params)
    for t, (X_t, Y_t) in enumerate(batches, start=1):
        AL, caches = nn.forward(X_t, params)
        grads = nn.backward(AL, Y_t, params, caches)
        params = {k: p - lr * weight_decay * p for k, p in params.items()}  # AdamW (all variables)
        params, v, s, _, _ = update_parameters_with_adam(params, grads, v, s, t, lr_at(t), beta1,
                                                         beta2, epsilon_at(t))
    return params, v, s


def keras_moments(optimizer):
    """Keras' first and second moments in the course's layout: v["dW1"] is (n_1, n_0), ..."""
    v, s = {}, {}
    for var in optimizer.variables:
        for layer in range(1, len(layers_dims)):
            for kind, key in (("kernel", f"dW{layer}"), ("bias", f"db{layer}")):
                for moment, target in (("momentum", v), ("velocity", s)):
                    if var.path.endswith(f"dense_{layer}_{kind}_{moment}"):
                        value = np.asarray(var.numpy())
                        target[key] = value.T if kind == "kernel" else value.reshape(-1, 1)
    return v, s


def keras_run(optimizer):
    """Train a Keras copy of the network on the same mini-batches; return its weights and moments."""
    with tf.device(device):
        model = tf_helpers.mlp(parameters0)
        model.compile(optimizer=optimizer, loss=keras.losses.BinaryCrossentropy(from_logits=True))
        model.fit(X_all.T, Y_all.T, batch_size=batch, epochs=1, shuffle=False, verbose=0)
    assert int(optimizer.iterations.numpy()) == len(batches)
    return (tf_helpers.get_parameters(model), *keras_moments(optimizer))


def report(label, numpy_result, keras_result):
    names = ("parameters", "v (Keras momentum)", "s (Keras velocity)")
    diffs = [tf_helpers.max_abs_diff(n, k) for n, k in zip(numpy_result, keras_result)]
    print(f"{label}: " + ", ".join(f"max |diff| {n} {d:.1e}" for n, d in zip(names, diffs)))
    return max(diffs)


# %%
b1, b2, eps_hat = 0.875, 1 - 2.0**-10, 1e-7
keras_exact = keras_run(keras.optimizers.Adam(lr, beta_1=b1, beta_2=b2, epsilon=eps_hat))

mapped = numpy_adam(b1, b2, lambda t: eps_hat / np.sqrt(1 - b2**t))
unmapped = numpy_adam(b1, b2, lambda t: eps_hat)
diff_mapped = report("exact mapping   eps_t = eps_hat / sqrt(1 - beta2**t)", mapped, keras_exact)
diff_unmapped = report("unmapped        eps   = eps_hat                     ", unmapped, keras_exact)
assert diff_mapped < 1e-10, "Keras Adam and the numpy Adam disagree under the exact mapping"
assert diff_mapped < diff_unmapped

# %% [markdown]
# With the mapping the two agree to rounding error: same moments, same weights, after 120
# steps. Without it (the same $\varepsilon = 10^{-7}$ typed into both) they drift apart,
# because the course's $\varepsilon$ is effectively up to 30 times larger in the first steps.
# With a larger epsilon, which some models use for stability, the difference is no longer
# small:

# %%
eps_big = 1e-3
keras_big = keras_run(keras.optimizers.Adam(lr, beta_1=b1, beta_2=b2, epsilon=eps_big))
report("epsilon 1e-3, exact mapping", numpy_adam(b1, b2, lambda t: eps_big / np.sqrt(1 - b2**t)), keras_big)
diff_big = report("epsilon 1e-3, unmapped     ", numpy_adam(b1, b2, lambda t: eps_big), keras_big)

# %% [markdown]
# ### The usual betas, 0.9 and 0.999
#
# With $\beta_1 = 0.9$, $\beta_2 = 0.999$ the epsilon mapping alone leaves the float32 rounding
# of the betas inside Keras' bias correction: Keras uses $\sqrt{1-\tilde\beta_2^t}/(1-\tilde\beta_1^t)$
# with $\tilde\beta = $ float32($\beta$). At $t = 1$, $1 - \tilde\beta_2 = 0.00099999987$ instead of
# $0.001$: a relative change of $10^{-5}$ in the step size, which training then carries along.
# To account for it exactly, give your function, at step $t$, the learning rate
#
# $$\alpha_t = \alpha\,\frac{\sqrt{1-\tilde\beta_2^t}\,/\,(1-\tilde\beta_1^t)}{\sqrt{1-\beta_2^t}\,/\,(1-\beta_1^t)}.$$

# %%
keras_usual = keras_run(keras.optimizers.Adam(lr, beta_1=0.9, beta_2=0.999, epsilon=eps_hat))
f32b1, f32b2 = float(np.float32(0.9)), float(np.float32(0.999))


def lr_float32_betas(t):
    keras_factor = np.sqrt(1 - f32b2**t) / (1 - f32b1**t)
    return lr * keras_factor / (np.sqrt(1 - 0.999**t) / (1 - 0.9**t))


eps_map = lambda t: eps_hat / np.sqrt(1 - 0.999**t)  # noqa: E731
diff_eps_only = report("betas 0.9/0.999, epsilon mapped only           ",
                       numpy_adam(0.9, 0.999, eps_map), keras_usual)
diff_usual = report("betas 0.9/0.999, epsilon and float32 betas mapped",
                    numpy_adam(0.9, 0.999, eps_map, lr_float32_betas), keras_usual)
assert diff_usual < 1e-10, "Keras Adam and the numpy Adam disagree with float32 betas accounted for"
assert diff_eps_only < 1e-3, "float32 betas should only cause a small drift"

# %% [markdown]
# So the float32 betas move the weights by about $10^{-5}$ after 120 steps here: harmless for
# training, but enough to fail a strict float64 comparison, which is why the exact checks use
# betas that float32 represents exactly (or the learning-rate factor above).

# %% [markdown]
# ## 4. AdamW: decoupled weight decay
#
# `keras.optimizers.AdamW(weight_decay=wd)` is `Adam` plus, before every step, the base
# optimizer's `_apply_weight_decay` (`keras/src/optimizers/base_optimizer.py`):
#
# ```python
# variable.assign(variable - variable * wd * lr)
# ```
#
# then the unchanged Adam update, whose step does not depend on the weights. That is
# Loshchilov and Hutter's decoupled form $W := W - \alpha\,(\text{Adam step} + \lambda W)$ with
# $\lambda$ = `weight_decay` (the paper's $\eta_t \lambda$ with a constant schedule $\eta_t = 1$ is
# Keras' `learning_rate * weight_decay`). Three details from the source:
#
# * the decay applies to **every** trainable variable, biases included, unless you call
#   `optimizer.exclude_from_weight_decay(var_names=[...])`;
# * `weight_decay` also goes through `ops.cast`, so it is rounded through float32 (we pick
#   $\lambda = 0.125$, exact in float32);
# * the default is `weight_decay=0.004`, and plain `Adam(weight_decay=...)` does the same
#   decoupled decay: the option lives in the base optimizer.
#
# The numpy AdamW below is the graded `update_parameters_with_adam` applied after
# $W := W - \alpha\lambda W$ on every variable (see `numpy_adam` above).

# %%
wd = 0.125
keras_w = keras_run(keras.optimizers.AdamW(lr, weight_decay=wd, beta_1=b1, beta_2=b2, epsilon=eps_hat))
numpy_w = numpy_adam(b1, b2, lambda t: eps_hat / np.sqrt(1 - b2**t), weight_decay=wd)
diff_w = report("AdamW, weight_decay 0.125", numpy_w, keras_w)
print(f"for scale: AdamW versus Adam weights differ by {tf_helpers.max_abs_diff(keras_w[0], keras_exact[0]):.2e}")
assert diff_w < 1e-10, "Keras AdamW and the numpy decoupled weight decay disagree"

# %% [markdown]
# ## 5. `model.fit`: gradient descent, momentum, RMSprop and Adam
#
# The everyday use: compile with `keras.optimizers.Adam` and let `model.fit` shuffle and
# batch. The graded notebook can only run your Adam; here four Keras optimizers train the
# same network from the same initial weights on the same mini-batches (the seed is reset
# before each run, so `model.fit` draws the same shuffles). The learning rates follow the
# course's forms: momentum with $\beta = 0.9$ and $\alpha = 0.3$ is Keras'
# `SGD(learning_rate=0.3 * (1 - 0.9), momentum=0.9)` (chapter 03's mapping), so its steps have
# the size of plain GD's. Keras' default Adam learning rate is $10^{-3}$; this small problem
# likes $10^{-2}$.

# %%
optimizers = {
    "GD (SGD, lr 0.3)": lambda: keras.optimizers.SGD(learning_rate=0.3),
    "momentum (SGD, lr 0.03, momentum 0.9)": lambda: keras.optimizers.SGD(learning_rate=0.03, momentum=0.9),
    "RMSprop (lr 0.01, rho 0.9)": lambda: keras.optimizers.RMSprop(learning_rate=0.01, rho=0.9),
    "Adam (lr 0.01)": lambda: keras.optimizers.Adam(learning_rate=0.01),
}
curves, fit_epochs = {}, 40
print(f"training on {device}")
for name, make in optimizers.items():
    keras.utils.set_random_seed(0)
    with tf.device(device):
        model = tf_helpers.mlp(parameters0)
        model.compile(optimizer=make(), loss=keras.losses.BinaryCrossentropy(from_logits=True),
                      metrics=["accuracy"])
        history = model.fit(X.T, Y.T, batch_size=64, epochs=fit_epochs, shuffle=True, verbose=0)
    curves[name] = history.history["loss"]
    print(f"{name:40s} loss after 10 epochs {curves[name][9]:.3f}, after {fit_epochs} "
          f"{curves[name][-1]:.3f}, training accuracy {history.history['accuracy'][-1]:.1%}")

plots.cost_curves(curves, xlabel="epoch", logy=True,
                  title="Same model, weights and batches: four Keras optimizers")
plt.show()

# %% [markdown]
# (Keras reports the mean of the mini-batch losses of each epoch, so the curves are a little
# noisier than a cost on the whole training set.) The adaptive methods get down fast; momentum
# with the mapped learning rate behaves like a smoothed GD.
#
# **What to remember**
#
# | the course (notes, Adam paper) | Keras `Adam` | mapping |
# |---|---|---|
# | $v = \beta_1 v + (1-\beta_1)\,dW$ | `m += (g - m) * (1 - beta_1)` ("momentum") | identical |
# | $s = \beta_2 s + (1-\beta_2)\,dW^2$ | `v += (g**2 - v) * (1 - beta_2)` ("velocity") | identical |
# | $\alpha\,v^{corr} / (\sqrt{s^{corr}} + \varepsilon)$ | `lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon)` | `epsilon` $= \varepsilon\sqrt{1-\beta_2^t}$ ("epsilon hat") |
# | $\varepsilon = 10^{-8}$ | `epsilon=1e-7` | different defaults, different meaning |
# | $\beta_1^t, \beta_2^t$ in float64 | betas rounded through float32 in the powers | exact for betas like 0.875, $1 - 2^{-10}$ |
# | AdamW: $W := W - \alpha(\text{step} + \lambda W)$ | `AdamW(weight_decay=λ)`: `W -= lr * wd * W` first, on every variable | `weight_decay` $= \lambda$ |
#
# The whole course's table of such differences is in `docs/conventions.md`.
