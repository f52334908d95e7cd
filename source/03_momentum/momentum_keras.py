# %% [markdown]
# # Chapter 03 — Momentum in TensorFlow/Keras (reference notebook)
#
# This notebook is not graded. It shows momentum in Keras and checks, **by running it**,
# that Keras and the numpy code of the graded notebook compute the same thing:
#
# 1. We read the update rule in the installed Keras source: `keras.optimizers.SGD` uses the
#    textbook form $\mathbf{v} \leftarrow \mu\mathbf{v} - \eta g$, $w \leftarrow w + \mathbf{v}$.
# 2. With $\eta = \alpha(1-\beta)$ and $\mu = \beta$, Keras' `SGD(momentum=...)` and your
#    `update_parameters_with_momentum` give the same weights (float64, 100 full-batch steps,
#    agreement to $10^{-6}$; to $10^{-12}$ once we account for Keras rounding `momentum`
#    through float32), and Keras' velocity equals $-\alpha\, v_{dW}$. Passing the lectures'
#    $\alpha$ straight to Keras gives a very different run.
# 3. The same holds for Nesterov momentum (`nesterov=True`).
# 4. `model.fit` with that optimizer, on mini-batches, trains the same model to the same
#    weights as your numpy loop.
#
# It runs **your** `initialize_velocity` and `update_parameters_with_momentum`, loaded from
# the graded notebook `momentum.ipynb` in the same folder: solve them there and save it first.
# The notebook uses a GPU when TensorFlow sees one and the CPU otherwise.

# %%
import inspect

import matplotlib.pyplot as plt
import numpy as np

from course import data, nn, plots, tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf

# %matplotlib inline

# %% [markdown]
# ## Your code from the graded notebook
#
# The next cell runs *your* functions from `momentum.ipynb` (its imports and definitions only,
# no tests, no plots). Save the graded notebook first (Ctrl+S); if an exercise is not done
# yet, the cell says which one.

# %%
from course import exercises

ex = exercises.load("momentum.ipynb", "initialize_velocity", "update_parameters_with_momentum")
initialize_velocity = ex.initialize_velocity
update_parameters_with_momentum = ex.update_parameters_with_momentum


# %% [markdown]
# The optional Nesterov step of the graded notebook (section 8), in the lectures' variables:

# %%
def update_parameters_with_nesterov(parameters, grads, v, beta, learning_rate):
    """Nesterov momentum: v = beta v + (1-beta) dW; W -= alpha (beta v + (1-beta) dW)."""
    for k in parameters:
        v["d" + k] = beta * v["d" + k] + (1 - beta) * grads["d" + k]
        parameters[k] = parameters[k] - learning_rate * (beta * v["d" + k] + (1 - beta) * grads["d" + k])
    return parameters, v


# %% [markdown]
# ## 1. What Keras computes: read the source
#
# Documentation can be out of date; the installed source cannot. This is the update step of
# `keras.optimizers.SGD` in the Keras version you run:

# %%
print(f"Keras {keras.__version__}: {inspect.getsourcefile(keras.optimizers.SGD)}\n")
print(inspect.getsource(keras.optimizers.SGD.update_step))

# %% [markdown]
# With `m` the momentum variable (one per weight array, zero at the start), `momentum` $= \mu$
# and `learning_rate` $= \eta$ this reads
#
# $$m \leftarrow \mu\, m - \eta\, g, \qquad w \leftarrow w + m
#   \qquad\text{(Nesterov: } w \leftarrow w + \mu\, m - \eta\, g\text{)},$$
#
# the textbook form of section 7 of the graded notebook. So, to reproduce the lectures'
# $v_{dW} = \beta v_{dW} + (1-\beta)\,dW$, $W := W - \alpha v_{dW}$:
#
# | lectures (numpy) | Keras `SGD` |
# |---|---|
# | `beta` $= \beta$ | `momentum` $= \beta$ |
# | `learning_rate` $= \alpha$ | `learning_rate` $= \alpha (1 - \beta)$ |
# | velocity $v_{dW}$ (average gradient) | momentum variable $m = -\alpha\, v_{dW}$ (a step) |
# | `W` of shape $(n_l, n_{l-1})$ | Dense `kernel` $=$ `W.T` |
#
# **One detail the source reveals.** The learning rate is a variable of dtype `floatx`
# (float64 here), but `momentum` is a Python float, and `ops.cast(self.momentum, float64)`
# turns it into a **float32** tensor before casting, so Keras really uses
# `float32(0.9)` $= 0.89999997\ldots$ (Keras' Adam does the same with its betas):

# %%
print(f"keras.ops.cast(0.9, 'float64') = {float(keras.ops.cast(0.9, 'float64'))!r}")
print(f"float(np.float32(0.9))          = {float(np.float32(0.9))!r}")

# %% [markdown]
# The difference, $2.4 \times 10^{-8}$, is far below anything that matters for training, but
# it is far above float64 round-off, so for an exact comparison our numpy side uses the same
# rounded $\beta$ (and the learning rate $\alpha(1-\beta)$ computed from it).
#
# ## 2. Keras `SGD(momentum)` versus your numpy momentum
#
# The problem: the course network (2 → 16 → 8 → 1) on 1,000 two-moons examples, full-batch,
# from the same initial weights. Keras' `BinaryCrossentropy(from_logits=True)` on a linear
# output has the same gradient as numpy's sigmoid output with $dZ = A - Y$.

# %%
X, Y = data.load_moons(m=1000, noise=0.25, seed=0)
parameters0 = nn.initialize_parameters([2, 16, 8, 1], seed=0)
alpha, beta, steps = 0.5, 0.9, 100
beta32 = float(np.float32(beta))  # the momentum Keras actually applies


def numpy_run(update, steps, beta=beta32, batches=None):
    """Our numpy training loop; `batches` (a list of (X_t, Y_t), reused every epoch) defaults
    to full batch. Returns (parameters, v, mean cost of each pass)."""
    batches = batches or [(X, Y)]
    params, v, costs = {k: p.copy() for k, p in parameters0.items()}, initialize_velocity(parameters0), []
    for _ in range(steps):
        batch_costs = []
        for X_b, Y_b in batches:
            AL, caches = nn.forward(X_b, params)
            batch_costs.append(nn.compute_cost(AL, Y_b))
            params, v = update(params, nn.backward(AL, Y_b, params, caches), v, beta, alpha)
        costs.append(np.mean(batch_costs))
    return params, v, costs


loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)
X_t, Y_t = tf.constant(X.T), tf.constant(Y.T)


def keras_run(optimizer, steps):
    """The same full-batch training with a Keras optimizer (one compiled step, run `steps` times)."""
    with tf.device(device):
        model = tf_helpers.mlp(parameters0)

        @tf.function
        def train_step():
            with tf.GradientTape() as tape:
                loss = loss_fn(Y_t, model(X_t, training=True))
            grads = tape.gradient(loss, model.trainable_variables)
            optimizer.apply_gradients(zip(grads, model.trainable_variables))

        for _ in range(steps):
            train_step()
    return model


params_np, v_np, costs_np = numpy_run(update_parameters_with_momentum, steps)
sgd = keras.optimizers.SGD(learning_rate=alpha * (1 - beta32), momentum=beta)
model = keras_run(sgd, steps)
diff_mapped = tf_helpers.max_abs_diff(params_np, tf_helpers.get_parameters(model))
print(f"SGD(learning_rate=alpha*(1-beta)={alpha * (1 - beta32):.9g}, momentum={beta}), {steps} "
      f"steps: max |W_numpy - W_keras| = {diff_mapped:.2e}")
assert diff_mapped < 1e-6, "Keras SGD(momentum) and numpy momentum disagree"

params_09, _, _ = numpy_run(update_parameters_with_momentum, steps, beta=0.9)
print(f"(numpy with the unrounded beta = 0.9 instead: max difference "
      f"{tf_helpers.max_abs_diff(params_09, tf_helpers.get_parameters(model)):.2e})")

# %% [markdown]
# The optimizer's own state tells the same story: Keras' momentum variable of each weight
# array should be $-\alpha$ times your velocity (transposed for kernels).

# %%
# model.trainable_variables (and sgd.momentums, built from them) run kernel 1, bias 1, kernel 2, ...
ours = [x for l in range(1, 4) for x in (-alpha * v_np[f"dW{l}"].T, -alpha * v_np[f"db{l}"].ravel())]
assert [tuple(m.shape) for m in sgd.momentums] == [x.shape for x in ours]
state_diff = max(float(np.max(np.abs(m.numpy() - x))) for m, x in zip(sgd.momentums, ours))
print(f"max |m_keras - (-alpha * v_numpy)| over all layers = {state_diff:.2e}")
assert state_diff < 1e-6, "Keras' momentum variable is not -alpha times the lectures' velocity"

# %% [markdown]
# **Forgetting the mapping.** Give Keras the lectures' number, `learning_rate=alpha`: every
# step is $1/(1-\beta) = 10$ times larger than the lectures' step.

# %%
model_unmapped = keras_run(keras.optimizers.SGD(learning_rate=alpha, momentum=beta), steps)
params_unmapped = tf_helpers.get_parameters(model_unmapped)
diff_unmapped = tf_helpers.max_abs_diff(params_np, params_unmapped)
cost_unmapped = nn.compute_cost(nn.forward(X, params_unmapped)[0], Y)
print(f"SGD(learning_rate=alpha={alpha}, momentum={beta}): max |W_numpy - W_keras| = "
      f"{diff_unmapped:.3g} (mapped: {diff_mapped:.1e})")
print(f"final cost: numpy momentum {nn.compute_cost(nn.forward(X, params_np)[0], Y):.4f}, "
      f"unmapped Keras {cost_unmapped:.4f}")
assert np.isfinite(diff_unmapped) and diff_unmapped > 0.1, "expected a large difference"

# %% [markdown]
# The unmapped run is not necessarily *worse* (here its ten-times-larger steps even reach a
# lower cost in 100 steps); it is a *different* run. A learning rate tuned in one convention
# does not transfer to the other without the factor $1 - \beta$.

# %% [markdown]
# ## 3. Nesterov momentum: `SGD(nesterov=True)`
#
# Same mapping, one flag.

# %%
params_nag, _, _ = numpy_run(update_parameters_with_nesterov, steps)
model_nag = keras_run(keras.optimizers.SGD(learning_rate=alpha * (1 - beta32), momentum=beta,
                                           nesterov=True), steps)
diff_nag = tf_helpers.max_abs_diff(params_nag, tf_helpers.get_parameters(model_nag))
print(f"Nesterov, {steps} steps: max |W_numpy - W_keras| = {diff_nag:.2e}; "
      f"Nesterov vs plain momentum differ by {tf_helpers.max_abs_diff(params_nag, params_np):.3g}")
assert diff_nag < 1e-6, "Keras SGD(nesterov=True) and numpy Nesterov disagree"

# %% [markdown]
# ## 4. Training with `model.fit`
#
# In practice you do not write the loop: compile the model with the optimizer and call
# `model.fit`. Here it trains on mini-batches of 100 in a fixed order (`shuffle=False`), 10
# updates per epoch for 20 epochs, and our numpy loop makes the same 200 updates on the same
# batches. `fit` reports for each epoch the mean of the batch losses computed before each
# update, which numpy records too.

# %%
epochs, size = 20, 100
batches = [(X[:, k:k + size], Y[:, k:k + size]) for k in range(0, X.shape[1], size)]
params_mb, _, costs_mb = numpy_run(update_parameters_with_momentum, epochs, batches=batches)

print(f"model.fit runs on {device}")
with tf.device(device):
    model_fit = tf_helpers.mlp(parameters0)
    model_fit.compile(optimizer=keras.optimizers.SGD(learning_rate=alpha * (1 - beta32), momentum=beta),
                      loss=keras.losses.BinaryCrossentropy(from_logits=True))
    history = model_fit.fit(X.T, Y.T, batch_size=size, epochs=epochs, shuffle=False, verbose=0)
params_fit = tf_helpers.get_parameters(model_fit)
diff_fit = tf_helpers.max_abs_diff(params_mb, params_fit)
diff_loss = float(np.max(np.abs(np.array(history.history["loss"]) - np.array(costs_mb))))
print(f"model.fit, {epochs} epochs x {len(batches)} batches: max |W_numpy - W_keras| = {diff_fit:.2e}, "
      f"max |epoch loss numpy - Keras| = {diff_loss:.2e}")
print(f"training accuracy: {nn.accuracy(X, Y, params_fit):.1%}")
assert diff_fit < 1e-6 and diff_loss < 1e-6, "model.fit and the numpy run disagree"

# %%
plots.cost_curves({"numpy: your update_parameters_with_momentum": costs_mb,
                   "Keras: model.fit with SGD(momentum=0.9)": history.history["loss"]},
                  xlabel="epoch", logy=True, title="Mean mini-batch loss per epoch: the curves coincide")
plt.show()

# %% [markdown]
# **What to remember**
#
# | numpy (lectures) | Keras |
# |---|---|
# | `v = beta * v + (1 - beta) * dW`; `W -= alpha * v` | `SGD(learning_rate=alpha * (1 - beta), momentum=beta)` |
# | velocity $v_{dW}$: an average gradient | momentum variable $= -\alpha\, v_{dW}$: a step |
# | Nesterov: step along `beta * v + (1 - beta) * dW` | `SGD(..., nesterov=True)` |
# | typical $\beta = 0.9$ | typical `momentum=0.9`, and a learning rate 10× smaller than the lectures' $\alpha$ for the same steps |
# | exact in float64 | `momentum` is rounded through float32 (`float32(0.9)`): use that $\beta$ for bit-level comparisons |
