# %% [markdown]
# # Chapter 11 — The capstone model in TensorFlow/Keras (reference notebook)
#
# This notebook is not graded. It builds the network of the graded notebook in Keras and
# checks, **by running both**, that it is the same model:
#
# 1. With the same weights, Keras' forward pass equals your `forward_pass` at inference
#    (running averages) and in training mode (batch statistics), and Keras' gradients equal
#    your `backward_pass` (without dropout, whose masks the two libraries draw differently).
# 2. Trained with `model.fit` (Adam with `InverseTimeDecay`, mini-batches of 64, dropout,
#    BatchNorm) on the same split, Keras reaches the test accuracy of your numpy pipeline: the
#    accuracies are compared as **ranges over seeds**, since the two libraries shuffle and draw
#    dropout masks from different random streams.
# 3. The training is timed on the CPU (and on the GPU when TensorFlow sees one).
#
# It runs **your** functions: the cell after the imports loads them from your graded notebook
# `capstone.ipynb` (same folder; save it first). The notebook uses a GPU when TensorFlow sees
# one and the CPU otherwise.

# %%
import time

import numpy as np

from course import data, tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf

# %% [markdown]
# ## Your functions from the graded notebook
#
# This cell runs YOUR `softmax`, `cross_entropy`, `forward_pass`, `backward_pass` and
# `train_model` from `capstone.ipynb` (only its imports and definitions: no tests, no
# training), together with the notebook's helpers and its toolbox (`initialize_parameters_he`
# and the other pieces). Save the graded notebook first (Ctrl+S); if an exercise is not done
# yet, the cell says which.

# %%
from course import exercises

ex = exercises.load("capstone.ipynb", "softmax", "cross_entropy", "forward_pass",
                    "backward_pass", "train_model", "accuracy", "initialize_parameters_he",
                    "initialize_batchnorm")

# %% [markdown]
# ## 1. The model and the mapping of the conventions
#
# | course (numpy) | Keras |
# |---|---|
# | $Z = W A + b$, `W` of shape $(n_l, n_{l-1})$ | `Dense(n_l)`, kernel `W.T` (examples are rows) |
# | `batchnorm_forward(..., momentum=0.9, eps=1e-3)` | `BatchNormalization(momentum=0.9, epsilon=1e-3)` (biased batch variance, running averages `moving_mean`, `moving_variance`) |
# | `np.maximum(Z, 0)` | `ReLU()` |
# | `dropout_forward(A, keep_prob, rng)` | `Dropout(rate=1 - keep_prob)` (inverted dropout too) |
# | softmax + `cross_entropy` | `Dense(10, activation="softmax")` + `CategoricalCrossentropy()` (mean over the batch) |
# | `update_lr(lr0, epoch, decay_rate)` per epoch | `InverseTimeDecay(lr0, decay_steps=updates per epoch, decay_rate, staircase=True)` |
# | Adam, $\varepsilon = 10^{-8}$ added to $\sqrt{\hat s}$ | `Adam(epsilon=1e-8)`, added to $\sqrt{s}$ uncorrected (chapter 05): the course's $\varepsilon$ at step $t$ is $10^{-8}/\sqrt{1 - 0.999^t}$, between $3.2 \cdot 10^{-7}$ and $1.0 \cdot 10^{-8}$ here, negligible against $\sqrt{\hat s}$ |
# | `initialize_parameters_he(dims, seed)` | the same numbers copied in (Keras' `HeNormal` draws a *truncated* normal from another stream) |
#
# Keras counts optimizer steps from 0: at the first update of epoch $e$ (0-based) the step is
# $e \cdot B$ with $B$ updates per epoch, so `staircase=True` gives $\alpha_0 / (1 + r\,e)$, the
# course's rate of epoch $e$.

# %%
X_train, Y_train, X_test, Y_test = data.load_digits(test_fraction=0.25, seed=0, one_hot=True)
DIMS = [64, 64, 32, 10]
SETTINGS = dict(num_epochs=10, learning_rate0=0.01, decay_rate=0.1, mini_batch_size=64,
                keep_prob=0.8)


def keras_model(dims, keep_prob):
    """Dense -> BatchNormalization -> ReLU -> Dropout per hidden layer, Dense softmax output."""
    layers = [keras.Input(shape=(dims[0],))]
    for n in dims[1:-1]:
        layers += [keras.layers.Dense(n), keras.layers.BatchNormalization(momentum=0.9, epsilon=1e-3),
                   keras.layers.ReLU()]
        if keep_prob < 1:
            layers.append(keras.layers.Dropout(rate=1 - keep_prob))
    layers.append(keras.layers.Dense(dims[-1], activation="softmax"))
    return keras.Sequential(layers)


def copy_into(model, parameters, bn, running):
    """Set the Keras model's weights from the course's dicts."""
    dense = [lay for lay in model.layers if isinstance(lay, keras.layers.Dense)]
    norms = [lay for lay in model.layers if isinstance(lay, keras.layers.BatchNormalization)]
    for l, layer in enumerate(dense, start=1):
        layer.set_weights([parameters[f"W{l}"].T, parameters[f"b{l}"].ravel()])
    for l, layer in enumerate(norms, start=1):
        layer.set_weights([bn[f"gamma{l}"].ravel(), bn[f"beta{l}"].ravel(),
                           running[l]["mean"].ravel(), running[l]["var"].ravel()])


# %% [markdown]
# ## 2. Same weights, same numbers
#
# A network trained 3 epochs by your `train_model` (so $\gamma$, $\beta$ and the running averages
# are far from their starting values) is copied into the Keras model without dropout. On 50
# test images: the inference outputs, the training-mode outputs (batch statistics), the cost,
# and the gradient of every parameter by `tf.GradientTape`, against your `backward_pass`.

# %%
parameters, bn, running, _ = ex.train_model(X_train, Y_train, DIMS, seed=5, progress=False,
                                            **dict(SETTINGS, num_epochs=3))
model = keras_model(DIMS, keep_prob=1.0)
copy_into(model, parameters, bn, running)
X_b, Y_b = X_test[:, :50], Y_test[:, :50]

ours_inference = ex.forward_pass(X_b, parameters, bn, running, False)[0]
keras_inference = model(X_b.T, training=False).numpy().T
ours_training, caches, _ = ex.forward_pass(X_b, parameters, bn, running, True, 1.0)
variables = model.trainable_variables
with tf.GradientTape() as tape:
    out = model(X_b.T, training=True)
    loss = keras.losses.CategoricalCrossentropy()(Y_b.T, out)
keras_grads = tape.gradient(loss, variables)
cost, dZ = ex.cross_entropy(ours_training, Y_b)
grads, bn_grads = ex.backward_pass(dZ, caches, 1.0)

diffs = {"inference output": np.max(np.abs(ours_inference - keras_inference)),
         "training output": np.max(np.abs(ours_training - out.numpy().T)),
         "cost": abs(cost - float(loss))}
ours_in_keras_order = []  # Dense: kernel, bias; BatchNormalization: gamma, beta
for l in range(1, len(DIMS)):
    ours_in_keras_order += [grads[f"dW{l}"].T, grads[f"db{l}"].ravel()]
    if l < len(DIMS) - 1:
        ours_in_keras_order += [bn_grads[f"dgamma{l}"].ravel(), bn_grads[f"dbeta{l}"].ravel()]
diffs["gradients (largest)"] = max(np.max(np.abs(a - g.numpy()))
                                   for a, g in zip(ours_in_keras_order, keras_grads))
for name, d in diffs.items():
    print(f"{name:22s} largest difference {d:.2e}")
assert all(d < 1e-9 for d in diffs.values()), diffs
print("Keras and your functions compute the same network, forward and backward.")

# %% [markdown]
# The differences are at float64 rounding level: the two forward passes, BatchNorm in both
# modes and the gradients through BatchNorm, ReLU and softmax agree (Keras orders the
# trainable variables Dense kernel, bias, then gamma, beta; the running averages are not
# trainable).
#
# ## 3. Training with `model.fit`, timed
#
# The same split, the same network and hyperparameters, He weights from the same seeds, trained
# 10 epochs by `model.fit` (Keras shuffles every epoch and draws its own dropout masks), on 5
# seeds; then your `train_model` on the same 5 seeds. Each Keras run is timed on the CPU, and
# on the GPU when TensorFlow sees one.

# %%
updates_per_epoch = -(-X_train.shape[1] // SETTINGS["mini_batch_size"])


def keras_run(seed, device_name):
    """Build, initialise (He, seed) and fit the Keras model; (test accuracy, seconds of fit)."""
    keras.utils.set_random_seed(seed)
    with tf.device(device_name):
        model = keras_model(DIMS, SETTINGS["keep_prob"])
        parameters = ex.initialize_parameters_he(DIMS, seed)
        bn, running = ex.initialize_batchnorm(DIMS)
        copy_into(model, parameters, bn, running)
        schedule = keras.optimizers.schedules.InverseTimeDecay(
            SETTINGS["learning_rate0"], decay_steps=updates_per_epoch,
            decay_rate=SETTINGS["decay_rate"], staircase=True)
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=schedule, beta_1=0.9,
                                                      beta_2=0.999, epsilon=1e-8),
                      loss=keras.losses.CategoricalCrossentropy(), metrics=["accuracy"])
        start = time.perf_counter()
        model.fit(X_train.T, Y_train.T, batch_size=SETTINGS["mini_batch_size"],
                  epochs=SETTINGS["num_epochs"], shuffle=True, verbose=0)
        seconds = time.perf_counter() - start
        accuracy = model.evaluate(X_test.T, Y_test.T, verbose=0)[1]
    return float(accuracy), seconds


SEEDS = range(5)
devices = {"CPU": "/CPU:0"}
if tf.config.list_physical_devices("GPU"):
    devices["GPU"] = "/GPU:0"
keras_results = {name: [keras_run(s, dev) for s in SEEDS] for name, dev in devices.items()}

numpy_accuracies, numpy_seconds = [], []
for s in SEEDS:
    start = time.perf_counter()
    p, b, r, _ = ex.train_model(X_train, Y_train, DIMS, seed=s, progress=False, **SETTINGS)
    numpy_seconds.append(time.perf_counter() - start)
    numpy_accuracies.append(ex.accuracy(X_test, Y_test, p, b, r))

print(f"{'':14s} {'test accuracy, seeds 0-4':>40s}  {'seconds per fit':>16s}")
rows = {f"Keras ({n})": res for n, res in keras_results.items()}
rows["numpy (yours)"] = list(zip(numpy_accuracies, numpy_seconds))
for name, res in rows.items():
    accs, secs = [a for a, _ in res], [t for _, t in res]
    print(f"{name:14s} {' '.join(f'{a:.2%}' for a in accs):>40s}  "
          f"{np.median(secs):8.2f} (first {secs[0]:.2f})")
keras_cpu_seconds = np.median([t for _, t in keras_results["CPU"]])
print(f"median seconds per 10-epoch training: Keras on the CPU {keras_cpu_seconds:.2f}, numpy "
      f"{np.median(numpy_seconds):.2f} ({keras_cpu_seconds / np.median(numpy_seconds):.0f} times "
      "less)")

# %% [markdown]
# **How close must the accuracies be?** The two pipelines are the same model with the same
# initial weights and hyperparameters, but their random streams differ (Keras' shuffles and
# dropout masks are not the course's), so their test accuracies are two samples of the same
# seed-to-seed spread, not equal numbers. The graded notebook measured that spread (section
# 9): a standard deviation of about half a point on 450 test images. The check below asks for
# mean accuracies within **1.5 points** of each other (about 7 test images, several standard
# deviations of a mean of 5 seeds, and still small enough that a real difference, such as
# Keras without BatchNorm's inference mode or a wrong dropout rate, would show), and for every
# Keras run to reach the graded notebook's 94%.

# %%
keras_accuracies = [a for a, _ in keras_results["CPU"]]
gap = np.mean(keras_accuracies) - np.mean(numpy_accuracies)
print(f"mean test accuracy: Keras {np.mean(keras_accuracies):.2%} "
      f"({min(keras_accuracies):.2%} to {max(keras_accuracies):.2%}), numpy "
      f"{np.mean(numpy_accuracies):.2%} ({min(numpy_accuracies):.2%} to "
      f"{max(numpy_accuracies):.2%}); difference {gap:+.2%}")
assert abs(gap) < 0.015, gap
assert min(keras_accuracies) >= 0.94, keras_accuracies
print(f"Keras and numpy agree within 1.5 points; Keras fit on {device}.")

# %% [markdown]
# **Timing** (the table above; the machine may be shared, so the seconds are upper bounds).
# `model.fit` pays a fixed cost on its first call (tracing the training step into a TensorFlow
# graph) and then an overhead per step (22 steps per epoch here) that dominates for a network
# this small, in float64, on a CPU: the plain numpy loop, with no framework in between, is
# faster at this size (the last printed line). The balance turns with the size of the network
# and of the batches: the matrix products then dominate, and they are what a framework's
# kernels and a GPU accelerate.
