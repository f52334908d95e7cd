# %% [markdown]
# # Chapter 04 — AdaGrad and RMSProp in TensorFlow/Keras (reference notebook)
#
# This notebook is not graded. It reads what `keras.optimizers.Adagrad` and
# `keras.optimizers.RMSprop` compute, then checks **by running them** that they match your
# numpy functions from the graded notebook, once the conventions are mapped:
#
# | | your numpy code | Keras |
# |---|---|---|
# | AdaGrad state starts at | 0 | `initial_accumulator_value=0.1` (your notes' blog says 0: out of date) |
# | RMSProp state starts at | 0 | 0 |
# | $\varepsilon$ | inside the square root, you choose it | inside the square root, default `1e-7` |
# | RMSProp's $\beta_2$ | `beta2` | `rho` (default 0.9) |
#
# It runs **your** four functions, loaded from the graded notebook `adagrad_rmsprop.ipynb` in
# the same folder: solve them there and save it first. Everything runs in float64, so "agree"
# means to about 1e-12, and the asserts fail if Keras and numpy ever drift apart by more than
# 1e-6. The notebook uses a GPU when TensorFlow sees one and the CPU otherwise.

# %%
import inspect

import numpy as np

from course import data, nn, tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf

# %% [markdown]
# ## Your code from the graded notebook
#
# The next cell runs *your* functions from `adagrad_rmsprop.ipynb` (its imports and definitions
# only, no tests, no plots). Save the graded notebook first (Ctrl+S); if an exercise is not
# done yet, the cell says which one.

# %%
from course import exercises

ex = exercises.load("adagrad_rmsprop.ipynb", "initialize_adagrad", "update_parameters_with_adagrad",
                    "initialize_rmsprop", "update_parameters_with_rmsprop")
initialize_adagrad, update_parameters_with_adagrad = ex.initialize_adagrad, ex.update_parameters_with_adagrad
initialize_rmsprop, update_parameters_with_rmsprop = ex.initialize_rmsprop, ex.update_parameters_with_rmsprop

# %% [markdown]
# ## 1. What Keras computes: read the source
#
# Keras 3 writes each optimizer's rule in one method, `update_step(gradient, variable,
# learning_rate)`, called once per variable per step. Printing it is the surest way to know
# where $\varepsilon$ goes and what the state starts at (the docstrings are shorter than the
# code).

# %%
print(inspect.getsource(keras.optimizers.Adagrad.update_step))
print(inspect.getsource(keras.optimizers.Adagrad.build))
defaults = keras.optimizers.Adagrad()
print(f"Adagrad defaults: learning_rate={float(defaults.learning_rate):g}, "
      f"initial_accumulator_value={defaults.initial_accumulator_value}, epsilon={defaults.epsilon}")

# %% [markdown]
# So Keras' Adagrad is exactly the course's rule, `accumulator += g**2` and then
# `w -= lr * g / sqrt(accumulator + epsilon)` (update first, $\varepsilon$ inside the root),
# except that the accumulator starts at **0.1**, not 0. Your notes' blog says "TensorFlow: 1,
# Keras: 0": that is **out of date**. Today TensorFlow's optimizers are Keras' (the 0.1 printed
# above), TensorFlow 1's `tf.train.AdagradOptimizer` also started at 0.1 (not 1), and only
# early versions of Keras started at 0. Defaults change between versions, so check the version
# you run, as above. (PyTorch's `torch.optim.Adagrad` starts at 0 and adds
# $\varepsilon = 10^{-10}$ outside the root.)

# %%
print(inspect.getsource(keras.optimizers.RMSprop.update_step))
defaults = keras.optimizers.RMSprop()
print(f"RMSprop defaults: learning_rate={float(defaults.learning_rate):g}, rho={defaults.rho}, "
      f"epsilon={defaults.epsilon}, momentum={defaults.momentum}, centered={defaults.centered}")

# %% [markdown]
# RMSprop's `velocity` is your `s`, started at zero (`add_optimizer_variables` makes zeros),
# `rho` is your `beta2`, and again $\varepsilon$ is inside the root. Two options go beyond the
# lecture's RMSProp; with their defaults they are off:
#
# * `momentum > 0` keeps a velocity of the scaled steps, `m = momentum * m + lr * g /
#   sqrt(s + eps)`, and moves by `m` (momentum of chapter 03 on top of RMSProp);
# * `centered=True` divides by the root of an estimated *variance*, `s - mean(g)**2 + eps`,
#   with `mean(g)` another average of the raw gradients.

# %% [markdown]
# ## 2. Same network, same gradients: Keras versus numpy
#
# We train the course's network on two moons with full-batch steps, once with numpy (your
# functions, gradients from `course.nn`) and once with Keras' `model.fit`. To make `fit` take
# 150 full-batch steps in a single call (one call is much faster than 150 epochs), we hand it
# the training set stacked 150 times with `batch_size=m` and `shuffle=False`: each mini-batch
# is then exactly the whole set, in the same order. Keras'
# `BinaryCrossentropy(from_logits=True)` on a linear output has the same gradient as numpy's
# sigmoid output with $dZ = A - Y$.

# %%
X, Y = data.load_moons(m=200, noise=0.2, seed=0)
m = X.shape[1]
parameters0 = nn.initialize_parameters([2, 8, 4, 1], seed=0)
steps = 150


def numpy_run(update, state, *hyper, num_steps=steps):
    """`num_steps` full-batch steps of `update` (your function) from parameters0 and `state`."""
    # Copies: an update that changes its dicts in place must not touch parameters0 or `state`.
    parameters = {k: v.copy() for k, v in parameters0.items()}
    state = {k: v.copy() for k, v in state.items()}
    for _ in range(num_steps):
        AL, caches = nn.forward(X, parameters)
        grads = nn.backward(AL, Y, parameters, caches)
        parameters, state = update(parameters, grads, state, *hyper)
    return parameters


def keras_run(optimizer):
    """`steps` full-batch steps of a Keras optimizer from the same weights."""
    with tf.device(device):
        model = tf_helpers.mlp(parameters0)
        model.compile(optimizer=optimizer,
                      loss=keras.losses.BinaryCrossentropy(from_logits=True))
        # The whole set repeated `steps` times: `steps` batches of m, each the full set.
        model.fit(np.tile(X.T, (steps, 1)), np.tile(Y.T, (steps, 1)), batch_size=m, epochs=1,
                  shuffle=False, verbose=0)
    assert int(model.optimizer.iterations) == steps
    return tf_helpers.get_parameters(model)


def filled(state, value):
    """A copy of a state dict with every entry set to `value` (a non-zero starting state)."""
    return {k: np.full(v.shape, value) for k, v in state.items()}


# %% [markdown]
# **Adagrad.** Mapped: the numpy cache starts at 0.1, like Keras' accumulator, and both use
# $\varepsilon = 10^{-7}$. Also mapped, the other way: Keras with
# `initial_accumulator_value=0.0` against your zero cache. Not mapped: Keras' default 0.1
# against your zeros.
#
# One detail surfaced by running it: Keras fills the accumulator through a float32 constant,
# so even with floatx float64 it starts at `float32(0.1)` $= 0.100000001490116\dots$ Starting
# numpy at exactly 0.1 then agrees only to about $10^{-8}$; starting it at `np.float32(0.1)`
# agrees to rounding error. (Chapter 05 meets the same float32 rounding in Adam's betas.)

# %%
lr, eps = 0.1, 1e-7
cache0 = initialize_adagrad(parameters0)

np_from_01 = numpy_run(update_parameters_with_adagrad, filled(cache0, 0.1), lr, eps)
np_from_01_f32 = numpy_run(update_parameters_with_adagrad, filled(cache0, float(np.float32(0.1))),
                           lr, eps)
keras_01 = keras_run(keras.optimizers.Adagrad(learning_rate=lr, initial_accumulator_value=0.1,
                                              epsilon=eps))
np_from_0 = numpy_run(update_parameters_with_adagrad, cache0, lr, eps)
keras_0 = keras_run(keras.optimizers.Adagrad(learning_rate=lr, initial_accumulator_value=0.0,
                                             epsilon=eps))

diff_01_f32 = tf_helpers.max_abs_diff(np_from_01_f32, keras_01)
diff_01 = tf_helpers.max_abs_diff(np_from_01, keras_01)
diff_0 = tf_helpers.max_abs_diff(np_from_0, keras_0)
diff_unmapped = tf_helpers.max_abs_diff(np_from_0, keras_01)
print(f"after {steps} steps, max |W_numpy - W_keras|:")
print(f"  both start at float32(0.1)                  {diff_01_f32:.2e}")
print(f"  numpy at 0.1 exactly, Keras at float32(0.1) {diff_01:.2e}")
print(f"  both start at 0                             {diff_0:.2e}")
print(f"  numpy starts at 0, Keras at 0.1 (default)   {diff_unmapped:.2e}  <- not mapped")
assert diff_01_f32 < 1e-10 and diff_0 < 1e-10, "Keras Adagrad and numpy AdaGrad disagree"
assert diff_01 < 1e-6, "numpy from 0.1 and Keras from float32(0.1) drifted apart"

# %% [markdown]
# The starting value matters most at the beginning: from a zero cache the first step of every
# weight is $\pm\alpha$, from 0.1 it is $\alpha\, g / \sqrt{0.1 + g^2}$, much smaller when
# $|g| \ll 0.3$. Small gradients are common (here the first gradients are of order 0.01 to
# 0.1), so Keras' Adagrad starts more cautiously. Neither is "right"; they are different
# optimizers with the same name, which is why a learning rate tuned in one library may not
# carry over to another.

# %%
AL, caches = nn.forward(X, parameters0)
g1 = nn.backward(AL, Y, parameters0, caches)
print("median |g| at the start:", f"{np.median(np.abs(np.concatenate([v.ravel() for v in g1.values()]))):.3f}")
print("first step of W1[0, 0]: from cache 0:", f"{lr * g1['dW1'][0, 0] / np.sqrt(g1['dW1'][0, 0] ** 2 + eps):+.4f}",
      "  from cache 0.1:", f"{lr * g1['dW1'][0, 0] / np.sqrt(0.1 + g1['dW1'][0, 0] ** 2 + eps):+.4f}")

# %% [markdown]
# **RMSprop.** Mapped: `rho = beta2`, the same $\varepsilon$, `momentum=0`, `centered=False`,
# and both averages start at zero, so nothing else needs mapping. To see what a different
# convention would do, we also run a numpy variant with $\varepsilon$ *outside* the square root
# (what PyTorch's `torch.optim.RMSprop` documents), once with a tiny and once with a large
# $\varepsilon$.

# %%
lr, beta2 = 0.01, 0.9


def rmsprop_eps_outside(parameters, grads, s, beta2, learning_rate, epsilon):
    """RMSProp with epsilon outside the root: W -= alpha dW / (sqrt(s) + eps) (PyTorch's form)."""
    parameters, s = dict(parameters), dict(s)
    for k in parameters:
        s["d" + k] = beta2 * s["d" + k] + (1 - beta2) * grads["d" + k] ** 2
        parameters[k] = parameters[k] - learning_rate * grads["d" + k] / (np.sqrt(s["d" + k]) + epsilon)
    return parameters, s


s0 = initialize_rmsprop(parameters0)
print(f"after {steps} steps, max |W_numpy - W_keras|:")
for eps in (1e-7, 1e-3):
    np_rms = numpy_run(update_parameters_with_rmsprop, s0, beta2, lr, eps)
    keras_rms = keras_run(keras.optimizers.RMSprop(learning_rate=lr, rho=beta2, epsilon=eps,
                                                   momentum=0.0, centered=False))
    np_outside = numpy_run(rmsprop_eps_outside, s0, beta2, lr, eps)
    diff = tf_helpers.max_abs_diff(np_rms, keras_rms)
    diff_outside = tf_helpers.max_abs_diff(np_outside, keras_rms)
    one_step = tf_helpers.max_abs_diff(
        numpy_run(update_parameters_with_rmsprop, s0, beta2, lr, eps, num_steps=1),
        numpy_run(rmsprop_eps_outside, s0, beta2, lr, eps, num_steps=1))
    print(f"  epsilon={eps:g}: your RMSProp {diff:.2e};  eps outside the root {diff_outside:.2e}"
          f"  <- not mapped (already {one_step:.1e} after one step)")
    assert diff < 1e-6, "Keras RMSprop and numpy RMSProp disagree"

# %% [markdown]
# Your RMSProp and Keras' agree to rounding error for both values of $\varepsilon$. The
# variant with $\varepsilon$ outside the root ends far away **even for $\varepsilon = 10^{-7}$**.
# It is a question of scale. Inside the root, $\varepsilon$ is added to $s$, an average of
# *squared* gradients: after the first step $s = 0.1\, g^2$, which for a gradient of $10^{-3}$
# is $10^{-7}$, as large as $\varepsilon$, so that weight's step shrinks by about 30%.
# Outside, $\varepsilon$ is added to $\sqrt s \approx 0.3\, |g|$ and changes nothing unless
# $|g|$ is near $10^{-7}$. Gradients of $10^{-3}$ are common in a network, so the two runs
# differ from the first step on, and 150 steps of training amplify it. Roughly,
# $\varepsilon$ inside the root behaves like $\sqrt\varepsilon$ outside it (they agree within a
# factor $\sqrt 2$); when you move a recipe between libraries, convert $\varepsilon$, do not
# copy it.

# %% [markdown]
# ## 3. Training with `model.fit`
#
# Finally the ordinary way to use them: a fresh Keras model on the moons, mini-batches of 50,
# each optimizer with a learning rate in the range that suits it (AdaGrad likes larger ones).

# %%
X_train, Y_train, X_test, Y_test = data.load_moons(m=500, noise=0.2, seed=0, test_m=200)
print(f"training on {device}")
for optimizer in (keras.optimizers.Adagrad(learning_rate=0.1),
                  keras.optimizers.RMSprop(learning_rate=0.01)):
    with tf.device(device):
        model = tf_helpers.mlp(nn.initialize_parameters([2, 16, 8, 1], seed=0))
        model.compile(optimizer=optimizer, metrics=["accuracy"],
                      loss=keras.losses.BinaryCrossentropy(from_logits=True))
        history = model.fit(X_train.T, Y_train.T, batch_size=50, epochs=15, verbose=0)
        test_loss, test_acc = model.evaluate(X_test.T, Y_test.T, verbose=0)
    print(f"{type(optimizer).__name__:8s} lr={float(optimizer.learning_rate):g}: training loss "
          f"{history.history['loss'][0]:.3f} -> {history.history['loss'][-1]:.3f}, "
          f"test accuracy {test_acc:.1%}")

# %% [markdown]
# **What to remember**
#
# | numpy (this course) | Keras |
# |---|---|
# | `initialize_adagrad`: zeros | `Adagrad(initial_accumulator_value=0.1)`: set it to `0.0` to match, or start numpy at 0.1 |
# | `update_parameters_with_adagrad(..., learning_rate, epsilon)` | `Adagrad(learning_rate, epsilon)`: same rule, $\varepsilon$ inside the root (default `1e-7`) |
# | `update_parameters_with_rmsprop(..., beta2, learning_rate, epsilon)` | `RMSprop(learning_rate, rho=beta2, epsilon, momentum=0.0, centered=False)` |
# | $\varepsilon$ inside $\sqrt{\cdot}$ | Keras: inside; PyTorch: outside. Inside, $\varepsilon$ acts like $\sqrt\varepsilon$ outside |
# | `W` of shape $(n_l, n_{l-1})$ | a `Dense` kernel is `W.T` |
