# %% [markdown]
# # Chapter 10 — Weight decay (L2) and dropout in TensorFlow/Keras (reference notebook)
#
# This notebook is not graded. It checks, **by running them**, that Keras computes what your
# functions of the graded notebook compute:
#
# 1. `keras.regularizers.L2(l2)` adds `l2 * sum(W**2)` for every kernel to the mean loss:
#    with `l2 = lambd / (2 m)` the cost and its gradient equal your
#    `compute_cost_with_regularization` and `add_l2_gradient` (biases are not regularized by
#    `kernel_regularizer`, as in the course).
# 2. Under plain gradient descent, an L2 term in the cost and **decoupled** weight decay
#    (`SGD(weight_decay=...)`, the AdamW form of chapter 05) take the same step.
# 3. `keras.layers.Dropout(rate)` with `rate = 1 - keep_prob` is inverted dropout: in training
#    mode it keeps about `keep_prob` of the units and scales them by `1 / keep_prob`, a new mask
#    every call; at inference it is the identity. Random masks of two libraries are never
#    equal, so the forward pass is compared with your `dropout_forward` by **statistics**; the
#    backward pass is compared exactly, through Keras' own mask.
#
# It runs **your** functions: the cell after the imports loads them from your graded notebook
# `regularization.ipynb` (same folder; save it first). The notebook uses a GPU when TensorFlow
# sees one and the CPU otherwise.

# %%
import numpy as np

from course import data, nn, tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf

# %% [markdown]
# ## Your functions from the graded notebook
#
# This cell runs YOUR `compute_cost_with_regularization`, `add_l2_gradient`, `dropout_forward`
# and `dropout_backward` from `regularization.ipynb` (only its imports and definitions: no
# tests, no training). Save the graded notebook first (Ctrl+S); if an exercise is not done
# yet, the cell says which.

# %%
from course import exercises

ex = exercises.load("regularization.ipynb", "compute_cost_with_regularization",
                    "add_l2_gradient", "dropout_forward", "dropout_backward")

# %% [markdown]
# ## 1. The L2 penalty: `kernel_regularizer=keras.regularizers.L2(lambd / (2 m))`
#
# The course's cost is $J_{CE} + \frac{\lambda}{2m}\sum_l \lVert W^{[l]}\rVert_F^2$. Keras adds
# `l2 * sum(square(kernel))` of every regularized layer to the mean loss (`model.losses`), so
# `l2 = lambd / (2 * m)` with $m$ the number of examples the loss averages (the mini-batch
# size when training with mini-batches). Keras casts `l2` to the kernel's dtype; we pick values
# exact in binary (m = 20, lambd = 1.25, l2 = 1/32) so that the comparison is at rounding
# level.
#
# The data: 20 digits 3 and 8 as in section 5 of the graded notebook; the network
# 64 → 16 → 8 → 1 with He weights and **non-zero** biases (so a penalised bias would show).
# Keras' kernel is `W.T`; a linear output with `BinaryCrossentropy(from_logits=True)` is the
# numpy sigmoid + cross-entropy.

# %%
X_all, Y_all, _, _ = data.load_digits(classes=(3, 8), test_fraction=0.5, seed=0)
few = np.concatenate([np.flatnonzero(Y_all[0] == c)[:10] for c in (0, 1)])
X, Y = X_all[:, few], Y_all[:, few]
m, lambd = X.shape[1], 1.25
l2 = lambd / (2 * m)
parameters = nn.initialize_parameters([64, 16, 8, 1], seed=2)
rng = np.random.default_rng(3)
for key in parameters:
    if key.startswith("b"):
        parameters[key] = rng.uniform(-0.3, 0.3, parameters[key].shape)


def regularized_mlp(parameters, l2):
    """The course network in Keras, every kernel regularized by L2(l2), linear output."""
    L = len(parameters) // 2
    layers = [keras.Input(shape=(parameters["W1"].shape[1],))]
    for l in range(1, L + 1):
        layers.append(keras.layers.Dense(parameters[f"W{l}"].shape[0],
                                         activation="relu" if l < L else None,
                                         kernel_regularizer=keras.regularizers.L2(l2)))
    model = keras.Sequential(layers)
    tf_helpers.set_parameters(model, parameters)
    return model


with tf.device(device):
    model = regularized_mlp(parameters, l2)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    with tf.GradientTape() as tape:
        logits = model(X.T, training=True)
        data_loss = bce(Y.T, logits)
        keras_cost = data_loss + tf.add_n(model.losses)
    keras_grads = tape.gradient(keras_cost, model.trainable_variables)

AL, caches = nn.forward(X, parameters)
your_cost = ex.compute_cost_with_regularization(AL, Y, parameters, lambd)
your_grads = ex.add_l2_gradient(nn.backward(AL, Y, parameters, caches), parameters, lambd, m)
keras_as_course = {}
for l in range(1, len(parameters) // 2 + 1):
    keras_as_course[f"dW{l}"] = np.asarray(keras_grads[2 * l - 2]).T
    keras_as_course[f"db{l}"] = np.asarray(keras_grads[2 * l - 1]).reshape(-1, 1)
penalty = float(tf.add_n(model.losses))
print(f"Keras: loss {float(data_loss):.12f} + penalty {penalty:.12f} = {float(keras_cost):.12f}")
print(f"yours: compute_cost_with_regularization          = {your_cost:.12f}")
cost_gap = abs(float(keras_cost) - your_cost)
grad_gap = tf_helpers.max_abs_diff(keras_as_course, your_grads)
print(f"cost difference {cost_gap:.2e}; largest gradient difference {grad_gap:.2e}")
assert cost_gap < 1e-10 and grad_gap < 1e-10
assert abs(penalty - l2 * sum(np.sum(parameters[f"W{l}"] ** 2) for l in (1, 2, 3))) < 1e-10

# %% [markdown]
# The penalty Keras adds is `l2` times the sum of the squared kernels only: the bias gradients
# are those of the cross-entropy alone, as in `add_l2_gradient`. Two other conventions map
# onto the same regularizer:
#
# * the notes' penalty $\frac12\lambda_{\text{notes}} W^2$ (gradient $\lambda_{\text{notes}} W$,
#   no $m$) is `L2(l2 = lambda_notes / 2)`;
# * `L2(0.01)` (Keras' default, and the string `"l2"`) is $\lambda = 0.02\,m$ in the course's
#   form: the strength depends on the batch size it is paired with.

# %%
with tf.device(device):
    check = regularized_mlp(parameters, 0.01)
    check(X.T)
    keras_penalty = float(tf.add_n(check.losses))
squares = sum(np.sum(parameters[f"W{l}"] ** 2) for l in (1, 2, 3))
course_penalty = (0.02 * m) / (2 * m) * squares
float32_penalty = float(np.float32(0.01)) * squares
print(f"L2(0.01): Keras penalty {keras_penalty:.12f}; course penalty with lambd = 0.02 m: "
      f"{course_penalty:.12f} (relative gap {abs(keras_penalty / course_penalty - 1):.1e}); "
      f"with l2 = float32(0.01): {float32_penalty:.12f}")
assert abs(keras_penalty / course_penalty - 1) < 1e-7  # 0.01 is rounded to float32 on the way
assert abs(keras_penalty - float32_penalty) < 1e-12

# %% [markdown]
# The relative gap of about $2 \cdot 10^{-8}$ is `l2` passing through float32 on its way into
# the float64 cost (float32(0.01) = 0.0099999998): with `l2 = float32(0.01)` on the numpy side
# the two agree to rounding, which is why section 1 uses an `l2` exact in binary.

# %% [markdown]
# ## 2. L2 in the cost and decoupled weight decay, under gradient descent
#
# One step of `SGD(learning_rate=alpha)` on the regularized model is your
# $W - \alpha\,(dW + \frac{\lambda}{m}W)$. Keras optimizers also take `weight_decay=wd`:
# *decoupled* decay, `W -= W * wd * lr` before the gradient step, the AdamW form of
# chapter 05, applied to every variable unless excluded
# (`optimizer.exclude_from_weight_decay(var_names=["bias"])`). Without a regularizer in the
# cost and with `wd = lambd / m`, plain SGD takes the **same** step: $W(1 - \alpha\lambda/m) -
# \alpha\,dW$. (Under Adam the two differ: chapter 05, section 7.)

# %%
alpha, wd = 0.5, lambd / m  # both exact in binary: 0.5 and 0.0625


def one_sgd_step(model, optimizer):
    with tf.GradientTape() as tape:
        loss = bce(Y.T, model(X.T, training=True))
        if model.losses:
            loss = loss + tf.add_n(model.losses)
    optimizer.apply_gradients(zip(tape.gradient(loss, model.trainable_variables),
                                  model.trainable_variables))
    return tf_helpers.get_parameters(model)


with tf.device(device):
    after_l2 = one_sgd_step(regularized_mlp(parameters, l2),
                            keras.optimizers.SGD(learning_rate=alpha))
    decoupled = keras.optimizers.SGD(learning_rate=alpha, weight_decay=wd)
    decoupled.exclude_from_weight_decay(var_names=["bias"])
    after_decay = one_sgd_step(tf_helpers.mlp(parameters), decoupled)
yours = {k: v - alpha * your_grads["d" + k] for k, v in parameters.items()}
gap_l2, gap_decay = tf_helpers.max_abs_diff(after_l2, yours), tf_helpers.max_abs_diff(after_decay, yours)
print(f"SGD + L2(lambd/(2m)) vs your step: {gap_l2:.2e}; SGD(weight_decay=lambd/m), "
      f"biases excluded, vs your step: {gap_decay:.2e}")
assert gap_l2 < 1e-10 and gap_decay < 1e-10

# %% [markdown]
# ## 3. `keras.layers.Dropout(rate = 1 - keep_prob)`
#
# Keras' `rate` is the probability of **dropping** a unit, the course's `keep_prob` the
# probability of keeping it. In training mode (`training=True`, which `model.fit` sets) Keras
# zeroes each entry with probability `rate` and multiplies the others by `1 / (1 - rate)`:
# inverted dropout. At inference (`training=False`, `model.predict`, `model(x)`) it returns its
# input unchanged.
#
# On 200,000 activations (all different, in [1, 2)), for Keras and for your `dropout_forward`:
# the fraction kept must be `keep_prob` within 6 standard errors, every kept value exactly
# `A / keep_prob`, and the mean of the output the mean of `A` within 6 standard errors.

# %%
keep_prob = 0.7
A = 1.0 + np.arange(400 * 500, dtype=float).reshape(400, 500) / (400 * 500)
N = A.size
with tf.device(device):
    layer = keras.layers.Dropout(rate=1 - keep_prob, seed=7)
    keras_out = np.asarray(layer(A.T, training=True)).T
    keras_again = np.asarray(layer(A.T, training=True)).T
    keras_inference = np.asarray(layer(A.T, training=False)).T
your_out, your_mask = ex.dropout_forward(A, keep_prob, np.random.default_rng(7))
keras_mask = keras_out != 0
se_kept = np.sqrt(keep_prob * (1 - keep_prob) / N)
se_mean = np.sqrt((1 - keep_prob) / (keep_prob * N)) * np.sqrt(np.mean(A ** 2)) / A.mean()
for name, out, mask in (("Keras", keras_out, keras_mask), ("yours", your_out, your_mask)):
    mask = np.asarray(mask, dtype=bool)
    kept, ratio = mask.mean(), out.mean() / A.mean()
    scale_gap = np.max(np.abs(out[mask] - A[mask] / keep_prob))
    print(f"{name:6s} kept {kept:.4f} (keep_prob {keep_prob}, 6 SE = {6 * se_kept:.4f}); "
          f"kept values - A/keep_prob: {scale_gap:.1e}; mean(out)/mean(A) {ratio:.4f} "
          f"(6 SE = {6 * se_mean:.4f}); dropped entries all 0: {not out[~mask].any()}")
    assert abs(kept - keep_prob) < 6 * se_kept and abs(ratio - 1) < 6 * se_mean
    assert scale_gap < 1e-12 and not out[~mask].any()
print(f"Keras: a new mask on the second call: {not np.array_equal(keras_mask, keras_again != 0)}; "
      f"inference returns A unchanged: {np.array_equal(keras_inference, A)}")
assert not np.array_equal(keras_mask, keras_again != 0) and np.array_equal(keras_inference, A)

# %% [markdown]
# ## 4. The backward pass through Keras' mask
#
# Keras differentiates its dropout automatically. With an upstream gradient $G$ (random, so
# that no entry is special), the gradient of $\sum G \odot \text{Dropout}(A)$ with respect to
# $A$ must be your `dropout_backward(G, mask, keep_prob)` with **Keras' own mask** (read from
# its output: the dropped entries are 0, the kept ones $A/p \ne 0$). One draw, the same mask
# on both sides, so this comparison is exact.

# %%
G = np.random.default_rng(8).standard_normal(A.shape)
with tf.device(device):
    A_var = tf.Variable(A.T)
    with tf.GradientTape() as tape:
        out = layer(A_var, training=True)
        total = tf.reduce_sum(G.T * out)
    keras_dA = np.asarray(tape.gradient(total, A_var)).T
mask = np.asarray(out).T != 0
your_dA = ex.dropout_backward(G, mask, keep_prob)
print(f"largest difference between Keras' gradient and your dropout_backward: "
      f"{np.max(np.abs(keras_dA - your_dA)):.1e} (units dropped: {1 - mask.mean():.2%})")
assert np.max(np.abs(keras_dA - your_dA)) < 1e-12

# %% [markdown]
# ## Summary
#
# | course | Keras | mapping |
# |---|---|---|
# | $\frac{\lambda}{2m}\sum_l \lVert W^{[l]}\rVert_F^2$ in the cost | `Dense(..., kernel_regularizer=keras.regularizers.L2(l2))` | `l2 = lambd / (2 * m)`; biases only with `bias_regularizer` |
# | gradient $dW + \frac{\lambda}{m}W$ | automatic (`model.losses` in the loss) | the same number |
# | weight decay under gradient descent | `SGD(weight_decay=wd)` (decoupled) | `wd = lambd / m`, biases excluded; **not** equal under Adam (`AdamW`) |
# | inverted dropout, `keep_prob` | `Dropout(rate)` | `rate = 1 - keep_prob`; active only with `training=True` |
