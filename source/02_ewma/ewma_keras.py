# %% [markdown]
# # Chapter 02 — Exponentially weighted averages in pandas, Keras and TensorFlow (reference notebook)
#
# This notebook is not graded. Your `ewma` and `ewma_bias_corrected` start from $v_0 = 0$ and
# correct by $1 - \beta^t$, as the notes do. Libraries make other choices about the start,
# and this notebook measures them, **by running them** against your numpy functions:
#
# 1. `pandas.Series.ewm(alpha=1 - beta, adjust=True).mean()` is exactly your bias-corrected
#    average; `adjust=False` starts from $\theta_1$ instead of $0$.
# 2. Keras' weight averaging (`keras.optimizers.SGD(..., use_ema=True, ema_momentum=beta)`)
#    also starts from the first value: we read its source, reproduce it in numpy on a small
#    network trained for 150 steps, and agree to 1e-6 (float64).
# 3. TensorFlow's "zero debiasing": `tf.train.ExponentialMovingAverage(zero_debias=True)` does
#    not debias variables in eager mode, so we write the zero-debiased average with
#    `tf.Variable` and `assign` and compare it with `ewma_bias_corrected`.
#
# It runs **your** functions: the cell after the imports loads `ewma` and
# `ewma_bias_corrected` from your graded notebook `ewma.ipynb` (same folder; save it first).
# The notebook uses a GPU when TensorFlow sees one and the CPU otherwise.

# %%
import numpy as np
import pandas as pd

from course import data, nn, tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf

# %% [markdown]
# ## Your functions from the graded notebook
#
# This cell runs YOUR `ewma` and `ewma_bias_corrected` from `ewma.ipynb` (only its imports and
# definitions: no tests, no plots). Save the graded notebook first (Ctrl+S); if an exercise is
# not done yet, the cell says which.

# %%
from course import exercises

ex = exercises.load("ewma.ipynb", "ewma", "ewma_bias_corrected")
ewma, ewma_bias_corrected = ex.ewma, ex.ewma_bias_corrected

# %%
dates, theta = data.seattle_temperatures(2012)
T = len(theta)
t = np.arange(1, T + 1)
beta = 0.98  # the notes' bias-correction example

# %% [markdown]
# ## 1. pandas: `Series.ewm(alpha=1 - beta, adjust=...)`
#
# pandas calls the weight of the new value $\alpha$, so $\alpha = 1 - \beta$ (its `com`,
# `span` and `halflife` arguments are other ways to give the same number).
#
# **`adjust=True`** (the default) computes, for every $t$, the weighted mean of all values so far
# with weights $(1-\alpha)^{t-k} = \beta^{t-k}$:
#
# $$y_t = \frac{\sum_{k=1}^{t} \beta^{t-k}\theta_k}{\sum_{k=1}^{t} \beta^{t-k}} .$$
#
# Multiply numerator and denominator by $(1-\beta)$: the numerator becomes
# $\sum_k (1-\beta)\beta^{t-k}\theta_k = v_t$ (the unrolled form of the notes' recursion) and
# the denominator $(1-\beta)(1 + \beta + \dots + \beta^{t-1}) = 1 - \beta^t$ (a geometric
# sum). So $y_t = v_t / (1 - \beta^t)$: **pandas' default is the bias-corrected average**. Both
# divide by the sum of the weights actually used.

# %%
series = pd.Series(theta)
pandas_adjusted = series.ewm(alpha=1 - beta, adjust=True).mean().to_numpy()
yours_corrected = ewma_bias_corrected(theta, beta)
diff_adjusted = np.max(np.abs(pandas_adjusted - yours_corrected))
print(f"max |pandas adjust=True - ewma_bias_corrected| over {T} days: {diff_adjusted:.2e}")
assert diff_adjusted < 1e-10, "pandas adjust=True and ewma_bias_corrected disagree"

# %% [markdown]
# **`adjust=False`** runs the recursion $y_t = \beta y_{t-1} + (1 - \beta)\theta_t$ but starts
# from $y_1 = \theta_1$ instead of $v_0 = 0$. Both sequences follow the same linear recursion,
# so their difference shrinks by $\beta$ per step: $y_1 - v_1 = \theta_1 - (1 - \beta)\theta_1
# = \beta\theta_1$, hence
#
# $$y_t - v_t = \beta^{t}\,\theta_1 .$$
#
# It is a bias too, towards the first value instead of towards zero, and it fades over the
# same $1/(1-\beta) = 50$ days.

# %%
pandas_plain = series.ewm(alpha=1 - beta, adjust=False).mean().to_numpy()
yours = ewma(theta, beta)
predicted_gap = beta**t * theta[0]
diff_gap = np.max(np.abs((pandas_plain - yours) - predicted_gap))
print(f"theta_1 = {theta[0]} deg C, beta = {beta}")
print("  t   ewma v_t   adjust=False   difference   beta^t theta_1   bias-corrected")
for day in (1, 2, 3, 5, 10, 30, 50, 100, 200):
    i = day - 1
    print(f"{day:3d}   {yours[i]:8.3f}   {pandas_plain[i]:12.3f}   {pandas_plain[i] - yours[i]:10.3f}"
          f"   {predicted_gap[i]:14.3f}   {yours_corrected[i]:14.3f}")
print(f"max |(adjust=False - ewma) - beta^t theta_1| = {diff_gap:.2e}")
assert diff_gap < 1e-10, "adjust=False should differ from ewma by exactly beta**t * theta_1"
assert abs(pandas_plain[0] - theta[0]) < 1e-12, "adjust=False should start at theta_1"

# %% [markdown]
# On day 1 the zero start says 0.18 °C, `adjust=False` says 8.9 °C (the first measurement) and
# the corrected average also says 8.9 °C; after 50 days the two uncorrected versions still
# differ by $0.98^{50} \cdot 8.9 \approx 3.2$ °C, after 200 days by 0.16 °C.

# %% [markdown]
# ## 2. Keras: an average of the weights (`use_ema=True`)
#
# Every Keras optimizer can keep an exponential moving average of the model's weights
# (`use_ema=True`, `ema_momentum` = $\beta$, default 0.99); at the end of `fit`, or when you
# call `optimizer.finalize_variable_values(...)`, the weights are replaced by their average.
# Averaged weights are often a little better than the last, noisy ones.
#
# What exactly is averaged, and from where does it start? Here is the update in the
# installed Keras (`keras/src/optimizers/base_optimizer.py`, method
# `_update_model_variables_moving_average`, run right after each gradient step):
#
# ```python
# not_first_step = ops.not_equal(self.iterations, 0)
# momentum = ops.multiply(ops.cast(not_first_step, var.dtype), self.ema_momentum)
# average.assign(ops.add(ops.multiply(momentum, average),
#                        ops.multiply(ops.subtract(1, momentum), var)))
# ```
#
# The average variables are created with zeros (`add_optimizer_variables(variables,
# "average")`), `iterations` is still 0 during the first update (it is incremented
# afterwards), so on the first step the momentum is $0$ and the average becomes the weights
# themselves. With $w_n$ the weights after update $n$ and $a_n$ their average:
#
# $$a_1 = w_1, \qquad a_n = \beta a_{n-1} + (1-\beta) w_n \quad (n \ge 2) .$$
#
# That is pandas' `adjust=False` applied to the sequence of weights, and by section 1,
#
# $$a_n = \underbrace{\textstyle\sum_{k=1}^{n} (1-\beta)\beta^{n-k} w_k}_{\texttt{ewma}(w)_n}
#         + \beta^n w_1 .$$
#
# No bias correction is needed because the start is not zero: the bias is towards $w_1$, a
# sensible weight, and it fades like $\beta^n$ (with the default 0.99, over about 100 steps).
#
# We check this on the chapter-01 network (2 → 16 → 8 → 1) trained on the two moons with
# plain gradient descent on the full batch, 150 steps, $\beta = 0.99$: the numpy side trains
# with `course.nn` and averages each weight's trajectory with **your** `ewma`.

# %%
X, Y = data.load_moons(m=500, seed=0)
parameters0 = nn.initialize_parameters([2, 16, 8, 1], seed=0)
ema_beta, lr, steps = 0.99, 0.3, 150

# numpy: the weights after every step, flattened into one row per step
params = {k: v.copy() for k, v in parameters0.items()}
keys = list(params)
trajectory = []
for _ in range(steps):
    AL, caches = nn.forward(X, params)
    grads = nn.backward(AL, Y, params, caches)
    params = {k: params[k] - lr * grads["d" + k] for k in keys}
    trajectory.append(np.concatenate([params[k].ravel() for k in keys]))
W = np.array(trajectory)  # (steps, number of weights)
n = np.arange(1, steps + 1)[:, None]
ewma_of_weights = np.column_stack([ewma(W[:, j], ema_beta) for j in range(W.shape[1])])
keras_style_np = ewma_of_weights + ema_beta**n * W[0]  # a_n = ewma(w)_n + beta^n w_1


def flat(p):
    return np.concatenate([p[k].ravel() for k in keys])


# Keras: the same network, weights and steps
with tf.device(device):
    model = tf_helpers.mlp(parameters0)
    optimizer = keras.optimizers.SGD(learning_rate=lr, use_ema=True, ema_momentum=ema_beta)
    model.compile(optimizer=optimizer, loss=keras.losses.BinaryCrossentropy(from_logits=True))
    keras_averages = []
    for _ in range(steps):
        model.train_on_batch(X.T, Y.T)
        # _model_variables_moving_average is private: read here only to check every step.
        averages = [a.numpy() for a in optimizer._model_variables_moving_average]
        keras_averages.append(flat({k: (averages[i].T if k.startswith("W") else
                                        averages[i].reshape(-1, 1))
                                    for i, k in enumerate(keys)}))
    last_weights = flat(tf_helpers.get_parameters(model))
    optimizer.finalize_variable_values(model.trainable_variables)  # the public way
    final_average = flat(tf_helpers.get_parameters(model))
keras_averages = np.array(keras_averages)

diff_weights = np.max(np.abs(last_weights - W[-1]))
diff_every_step = np.max(np.abs(keras_averages - keras_style_np))
diff_final = np.max(np.abs(final_average - keras_style_np[-1]))
print(f"last weights, numpy vs Keras:            max diff {diff_weights:.2e}")
print(f"average at every step, numpy vs Keras:   max diff {diff_every_step:.2e}")
print(f"finalize_variable_values vs numpy a_150: max diff {diff_final:.2e}")
assert diff_weights < 1e-6 and diff_every_step < 1e-6 and diff_final < 1e-6, (
    "Keras' weight EMA and the numpy reproduction disagree")
assert np.max(np.abs(keras_averages[0] - W[0])) < 1e-12, "Keras' first average should be w_1"

# %% [markdown]
# The zero-started and the bias-corrected averages are *not* what Keras keeps; after 150
# steps with $\beta = 0.99$ ($\beta^{150} = 0.22$) the difference is still large:

# %%
gap_plain = np.max(np.abs(final_average - ewma_of_weights[-1]))
gap_corrected = np.max(np.abs(final_average - ewma_of_weights[-1] / (1 - ema_beta**steps)))
print(f"|Keras average - ewma (zero start)|      max {gap_plain:.3f}")
print(f"|Keras average - ewma / (1 - beta^n)|    max {gap_corrected:.3f}")
assert gap_plain > 1e-2 and gap_corrected > 1e-2
unflat = {}
start = 0
for k in keys:
    size = parameters0[k].size
    unflat[k] = final_average[start:start + size].reshape(parameters0[k].shape)
    start += size
print(f"training accuracy: last weights {nn.accuracy(X, Y, params):.1%}, "
      f"averaged weights {nn.accuracy(X, Y, unflat):.1%}")

# %% [markdown]
# The averaged weights lag behind the last ones (about $1/(1-\beta) = 100$ steps back), so
# early in training they are worse; averaging pays off once the weights only jitter around a
# good region, typically late in training with mini-batches.
#
# ## 3. TensorFlow: zero debiasing
#
# TensorFlow's `tf.train.ExponentialMovingAverage(decay, zero_debias=...)` (the same class as
# `tf.compat.v1.train.ExponentialMovingAverage`) keeps a "shadow" copy of each variable. Its
# source (`tensorflow/python/training/moving_averages.py`) shows two things:
#
# * A shadow of a `tf.Variable` is initialised to the variable's **value** when `apply()`
#   first runs, and `zero_debias` is honoured only for shadows of plain tensors, which eager
#   mode refuses. So in TensorFlow 2 the flag does nothing: the average starts from the first
#   value, like `adjust=False` and Keras.
# * `decay` is converted to **float32**, so $\beta = 0.98$ becomes $0.9800000190734863$, even for
#   float64 variables.
#
# We measure both:

# %%
x = tf.Variable(0.0, dtype=tf.float64)
tf_ema = tf.train.ExponentialMovingAverage(decay=beta, zero_debias=True)
tf_values = []
for value in theta:
    x.assign(value)
    tf_ema.apply([x])
    tf_values.append(tf_ema.average(x).numpy())
tf_values = np.array(tf_values)

# TensorFlow computes 1 - decay in float32, then casts it to float64
one_minus_beta32 = float(np.float32(1.0) - np.float32(beta))
first_value_start = [theta[0]]
for value in theta[1:]:
    first_value_start.append(first_value_start[-1] - (first_value_start[-1] - value) * one_minus_beta32)
diff_tf_first = np.max(np.abs(tf_values - first_value_start))
diff_tf_pandas = np.max(np.abs(tf_values - pandas_plain))
print(f"ExponentialMovingAverage(zero_debias=True) vs adjust=False start, float32 decay: {diff_tf_first:.2e}")
print(f"ExponentialMovingAverage(zero_debias=True) vs pandas adjust=False (exact 0.98): {diff_tf_pandas:.2e}")
print(f"ExponentialMovingAverage(zero_debias=True) vs ewma_bias_corrected: "
      f"{np.max(np.abs(tf_values - yours_corrected)):.2f} (not debiased)")
assert diff_tf_first < 1e-10, "tf.train.ExponentialMovingAverage should start from theta_1"
assert diff_tf_pandas < 1e-5

# %% [markdown]
# TensorFlow's internal debiasing helper (`assign_moving_average(..., zero_debias=True)`) keeps
# two extra variables: the biased average started at zero and a step counter, and returns
# `biased / (1 - decay**step)`. In eager mode it creates fresh counters on every call, so it is
# not usable there either. We therefore **write the zero-debiased average with TensorFlow
# ops**, the same two variables and the same update (`biased -= (biased - value) * (1 - decay)`
# is $\beta v + (1-\beta)\theta$ written as a correction step), in float64:

# %%
class ZeroDebiasedEMA:
    """Zero-debiased exponential moving average in TensorFlow ops (as TF's _zero_debias does)."""

    def __init__(self, decay, dtype=tf.float64):
        self.decay = tf.constant(decay, dtype=dtype)
        self.biased = tf.Variable(0.0, dtype=dtype)  # v_0 = 0
        self.step = tf.Variable(0.0, dtype=dtype)    # t, counted from 1 after the first update

    @tf.function
    def update(self, value):
        self.biased.assign_sub((self.biased - value) * (1 - self.decay))  # v = beta v + (1-beta) theta
        self.step.assign_add(1.0)
        return self.biased / (1 - tf.pow(self.decay, self.step))        # v_t / (1 - beta^t)


with tf.device(device):
    debiased = ZeroDebiasedEMA(beta)
    tf_debiased = np.array([debiased.update(tf.constant(value, tf.float64)).numpy()
                            for value in theta])
    tf_biased_last = debiased.biased.numpy()
diff_debiased = np.max(np.abs(tf_debiased - yours_corrected))
diff_biased = abs(tf_biased_last - yours[-1])
print(f"TensorFlow zero-debiased EMA vs ewma_bias_corrected: max diff {diff_debiased:.2e}")
print(f"its biased variable after {T} steps vs ewma v_T:     diff {diff_biased:.2e}")
assert diff_debiased < 1e-10 and diff_biased < 1e-10, "TF zero-debiased EMA and numpy disagree"

# %% [markdown]
# **What to remember**
#
# | start and correction | numpy (this course) | library |
# |---|---|---|
# | $v_0 = 0$, no correction | `ewma(theta, beta)` | `tf.Variable(0)` + `assign`; the biased half of TF's zero debiasing |
# | $v_0 = 0$, divided by $1 - \beta^t$ | `ewma_bias_corrected(theta, beta)` | `pd.Series.ewm(alpha=1 - beta, adjust=True).mean()`; TF `_zero_debias` (written out above) |
# | start from the first value, $y_1 = \theta_1$ | `ewma(theta, beta) + beta**t * theta[0]` | `ewm(..., adjust=False)`; Keras `use_ema=True`; `tf.train.ExponentialMovingAverage` on a variable |
#
# * pandas' $\alpha$ is $1 - \beta$; Keras' `ema_momentum` and TensorFlow's `decay` are $\beta$.
# * `tf.train.ExponentialMovingAverage` rounds `decay` to float32; its `zero_debias` flag has no
#   effect on variables in TensorFlow 2.
# * Starting from the first value and correcting a zero start both remove the pull towards
#   zero; they differ only during the first few multiples of $1/(1-\beta)$ steps.
