# %% [markdown]
# # Chapter 01 — Mini-batches in TensorFlow/Keras (reference notebook)
#
# This notebook is not graded. It shows how TensorFlow and Keras make mini-batches and checks,
# **by running them**, that they match the numpy code of the graded notebook:
#
# 1. `tf.data.Dataset.shuffle().batch()` gives the same number and sizes of mini-batches as
#    `random_mini_batches`, and `drop_remainder=True` is exactly the "last batch dropped"
#    mistake.
# 2. `model.fit(batch_size=64)` makes $\lceil m/64 \rceil$ updates per epoch.
# 3. Plain gradient descent in Keras (`keras.optimizers.SGD`, no momentum) and your numpy
#    `update_parameters_with_gd`, fed the same mini-batches from the same weights, end with
#    the same weights (float64, agreement to 1e-10).
#
# It runs **your** functions: the cell after the imports loads `random_mini_batches` and
# `update_parameters_with_gd` from your graded notebook `minibatch.ipynb` (same folder; save it
# first). The notebook uses a GPU when TensorFlow sees one and the CPU otherwise.

# %%
import numpy as np

from course import data, nn, tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf

# %% [markdown]
# ## Your functions from the graded notebook
#
# This cell runs YOUR `random_mini_batches` and `update_parameters_with_gd` from
# `minibatch.ipynb` (only its imports and definitions: no tests, no training). Save the graded
# notebook first (Ctrl+S); if an exercise is not done yet, the cell says which.

# %%
from course import exercises

ex = exercises.load("minibatch.ipynb", "random_mini_batches", "update_parameters_with_gd")
random_mini_batches, update_parameters_with_gd = ex.random_mini_batches, ex.update_parameters_with_gd


# %% [markdown]
# ## 1. `tf.data`: shuffle, then batch
#
# `tf.data` stores examples along the **first** axis, so it takes `X.T` of shape $(m, n_x)$.
# `shuffle(buffer_size=m)` draws a uniform permutation each epoch (a smaller buffer shuffles
# only locally); `batch(64)` then cuts consecutive chunks and keeps the smaller last one.

# %%
X, Y = data.load_moons(m=500, seed=0)
m, size = X.shape[1], 64

dataset = tf.data.Dataset.from_tensor_slices((X.T, Y.T)).shuffle(m, seed=0).batch(size)
tf_sizes = [int(xb.shape[0]) for xb, _ in dataset]
np_sizes = [bx.shape[1] for bx, _ in random_mini_batches(X, Y, size, seed=0)]
print("tf.data batch sizes:", tf_sizes)
print("numpy   batch sizes:", np_sizes)
assert tf_sizes == np_sizes, "tf.data and random_mini_batches disagree on the batch sizes"

dropped = tf.data.Dataset.from_tensor_slices((X.T, Y.T)).shuffle(m, seed=0).batch(
    size, drop_remainder=True)
print("with drop_remainder=True:", [int(xb.shape[0]) for xb, _ in dropped],
      f"-> {m % size} examples never seen this epoch")

# %% [markdown]
# The permutations themselves differ (TensorFlow and numpy use different random generators),
# which is why the graded tests never compare one random draw. What must agree is the
# structure: every example exactly once per epoch, labels kept with their inputs.

# %%
# One pass only: every new iteration over `dataset` draws a new shuffle (as a new epoch
# should), so reading inputs and labels in two separate passes would mismatch them.
epoch_batches = [(xb.numpy(), yb.numpy()) for xb, yb in dataset]
seen_x = np.concatenate([xb for xb, _ in epoch_batches])
seen_y = np.concatenate([yb for _, yb in epoch_batches])
order = [int(np.flatnonzero((X.T == row).all(axis=1))[0]) for row in seen_x]
assert sorted(order) == list(range(m)), "tf.data lost or repeated examples"
assert np.array_equal(seen_y, Y.T[order]), "tf.data separated labels from inputs"
print("tf.data: every example exactly once, labels kept with their inputs")

# %% [markdown]
# ## 2. `model.fit(batch_size=...)`: updates per epoch
#
# `model.fit` batches the arrays itself. A callback counts the optimizer steps of one epoch.

# %%
parameters0 = nn.initialize_parameters([2, 16, 8, 1], seed=0)


class CountBatches(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.count = 0

    def on_train_batch_end(self, batch, logs=None):
        self.count += 1


counter = CountBatches()
with tf.device(device):
    model = tf_helpers.mlp(parameters0)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.3),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    model.fit(X.T, Y.T, batch_size=size, epochs=1, shuffle=True, verbose=0, callbacks=[counter])
print(f"model.fit made {counter.count} updates in one epoch; ceil(m / 64) = {-(-m // size)}")
assert counter.count == len(np_sizes)

# %% [markdown]
# ## 3. Same batches, same weights: Keras SGD versus numpy
#
# To compare numbers we remove the randomness that differs between the libraries: each epoch
# we reorder the data with **our** `random_mini_batches` and give Keras the batches in that
# order with `shuffle=False`, so `model.fit(batch_size=64)` cuts exactly our mini-batches.
# Keras' `BinaryCrossentropy(from_logits=True)` on a linear output has the same gradient as
# numpy's sigmoid output with $dZ = A - Y$.

# %%
epochs, lr = 5, 0.3

params_np = {k: v.copy() for k, v in parameters0.items()}
for epoch in range(epochs):
    for X_t, Y_t in random_mini_batches(X, Y, size, seed=epoch):
        AL, caches = nn.forward(X_t, params_np)
        params_np = update_parameters_with_gd(params_np, nn.backward(AL, Y_t, params_np, caches), lr)

with tf.device(device):
    model = tf_helpers.mlp(parameters0)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True))
    for epoch in range(epochs):
        batches = random_mini_batches(X, Y, size, seed=epoch)
        X_epoch = np.concatenate([bx for bx, _ in batches], axis=1)
        Y_epoch = np.concatenate([by for _, by in batches], axis=1)
        model.fit(X_epoch.T, Y_epoch.T, batch_size=size, epochs=1, shuffle=False, verbose=0)
params_keras = tf_helpers.get_parameters(model)

steps = epochs * len(np_sizes)
diff = tf_helpers.max_abs_diff(params_np, params_keras)
print(f"after {steps} mini-batch steps: max |W_numpy - W_keras| = {diff:.2e}")
assert diff < 1e-10, "Keras SGD and numpy gradient descent disagree"

# %% [markdown]
# **What to remember**
#
# | numpy (this course) | TensorFlow / Keras |
# |---|---|
# | `X` is $(n_x, m)$, examples are columns | examples are rows: pass `X.T` |
# | `random_mini_batches(X, Y, 64, seed)` | `Dataset.from_tensor_slices((X.T, Y.T)).shuffle(m).batch(64)` |
# | last partial batch kept | kept by default; `drop_remainder=True` drops it |
# | one epoch = $\lceil m/64 \rceil$ updates | `model.fit(batch_size=64)`: the same count |
# | `update_parameters_with_gd` | `keras.optimizers.SGD(learning_rate)` with `momentum=0` |
