# %% [markdown]
# # Chapter 09 — Batch Normalization in TensorFlow/Keras (reference notebook)
#
# This notebook is not graded. It checks `keras.layers.BatchNormalization` against your
# `batchnorm_forward` and `batchnorm_backward`, **by running both** (float64, agreement to
# about 1e-12):
#
# 1. training mode (`layer(x, training=True)`): the output and the updated moving averages,
#    over several batches;
# 2. inference mode (`training=False`): the output from the moving averages, which stay
#    unchanged;
# 3. the gradients with respect to the input, $\gamma$ and $\beta$ (`tf.GradientTape`) against
#    your backward pass.
#
# The conventions, mapped:
#
# | | course | Keras |
# |---|---|---|
# | layout | $Z$ is $(n_l, m)$, statistics over axis 1 | input $(m, n_l)$, `axis=-1` (features last): pass `Z.T` |
# | variance | biased (divided by $m$) | biased (`ops.moments`) |
# | $\epsilon$ | inside the square root | inside, `epsilon=1e-3` by default |
# | running averages | `running = momentum * running + (1 - momentum) * batch` (EWMA $\beta$ = `momentum`) | `moving_mean`, `moving_variance`, same formula, `momentum=0.99` by default |
# | start | mean 0, variance 1; $\gamma = 1$, $\beta = 0$ | `moving_mean` zeros, `moving_variance` ones, `gamma` ones, `beta` zeros |
# | parameters | `gamma`, `beta` shape $(n_l, 1)$ | `gamma`, `beta` shape $(n_l,)$ |
#
# It runs **your** functions: the cell after the imports loads them from your graded notebook
# `batchnorm.ipynb` (same folder; save it first). The notebook uses a GPU when TensorFlow sees
# one and the CPU otherwise.

# %%
import numpy as np

from course import tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf

# %% [markdown]
# ## Your functions from the graded notebook
#
# This cell runs YOUR `batchnorm_forward` and `batchnorm_backward` from `batchnorm.ipynb`
# (only its imports and definitions: no tests, no training). Save the graded notebook first
# (Ctrl+S); if an exercise is not done yet, the cell says which.

# %%
from course import exercises

ex = exercises.load("batchnorm.ipynb", "batchnorm_forward", "batchnorm_backward")

# %% [markdown]
# ## 1. Training mode
#
# One layer of $n_l = 4$ units, batches of $m = 16$ examples whose units have different means
# and spreads, a non-trivial $\gamma$, $\beta$ and starting moving averages, `momentum=0.9`
# and `epsilon=0.01`. Keras' layer gets the same numbers as flat vectors; its input is `Z.T`.
# After each of five batches we compare the output and the moving averages.

# %%
n_l, m, momentum, eps = 4, 16, 0.9, 0.01
rng = np.random.default_rng(0)
gamma = rng.uniform(0.5, 2.0, (n_l, 1))
beta = rng.uniform(-1.0, 1.0, (n_l, 1))
running = {"mean": rng.uniform(-1.0, 1.0, (n_l, 1)), "var": rng.uniform(0.5, 2.0, (n_l, 1))}
centres, spreads = np.array([[-2.0], [0.0], [1.0], [5.0]]), np.array([[0.5], [1.0], [2.0], [3.0]])

with tf.device(device):
    layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=eps)
    layer.build((None, n_l))
    layer.set_weights([gamma.ravel(), beta.ravel(), running["mean"].ravel(),
                       running["var"].ravel()])
    for step in range(1, 6):
        Z = centres + spreads * rng.standard_normal((n_l, m))
        previous_var = running["var"]
        out, running, cache = ex.batchnorm_forward(Z, gamma, beta, running, True, momentum, eps)
        y = layer(Z.T, training=True).numpy()
        d_out = np.abs(y - out.T).max()
        d_mean = np.abs(layer.moving_mean.numpy() - running["mean"].ravel()).max()
        d_var = np.abs(layer.moving_variance.numpy() - running["var"].ravel()).max()
        print(f"batch {step}: max |diff| output {d_out:.1e}, moving mean {d_mean:.1e}, "
              f"moving variance {d_var:.1e}")
        assert d_out < 1e-12 and d_mean < 1e-12 and d_var < 1e-12

# %% [markdown]
# Same numbers: Keras divides the variance by $m$ (biased), puts $\epsilon$ inside the square
# root, and its `momentum` weighs the *old* moving average, exactly the course's EWMA
# coefficient $\beta$. Had Keras used the unbiased variance (the batch's variance times
# $m/(m-1) = 16/15$), its last moving variance would be visibly different:

# %%
unbiased = momentum * previous_var.ravel() + (1 - momentum) * Z.var(axis=1, ddof=1)
gap = np.abs(layer.moving_variance.numpy() - unbiased).max()
print(f"Keras' moving variance {np.round(layer.moving_variance.numpy(), 5)}")
print(f"with an unbiased batch variance it would be {np.round(unbiased, 5)} (max gap {gap:.1e})")
assert gap > 1e-3

# %% [markdown]
# ## 2. Inference mode
#
# With `training=False` Keras normalises with the moving averages and leaves them alone, as
# your function does with `training=False`. A single example is fine at inference.

# %%
with tf.device(device):
    before = (layer.moving_mean.numpy().copy(), layer.moving_variance.numpy().copy())
    for m_test in (16, 1):
        Z_test = centres + spreads * rng.standard_normal((n_l, m_test))
        out_test, running_after, _ = ex.batchnorm_forward(Z_test, gamma, beta, running, False,
                                                          momentum, eps)
        y_test = layer(Z_test.T, training=False).numpy()
        d_out = np.abs(y_test - out_test.T).max()
        moved = max(np.abs(layer.moving_mean.numpy() - before[0]).max(),
                    np.abs(layer.moving_variance.numpy() - before[1]).max())
        print(f"inference on {m_test:2d} example(s): max |diff| {d_out:.1e}; Keras' moving "
              f"averages moved by {moved:.1e}")
        assert d_out < 1e-12 and moved == 0
        for key in ("mean", "var"):
            assert np.array_equal(running_after[key], running[key])

# %% [markdown]
# ## 3. Gradients
#
# `tf.GradientTape` differentiates $J = \sum d\text{out} \odot y$ with a random upstream
# gradient (with $J = \sum y$ the gradient with respect to the input is exactly zero and
# would prove nothing). Your `batchnorm_backward` gets the cache of a training-mode forward
# pass on the same batch.

# %%
Z = centres + spreads * rng.standard_normal((n_l, m))
dout = rng.standard_normal((n_l, m))
with tf.device(device):
    grad_layer = keras.layers.BatchNormalization(momentum=momentum, epsilon=eps)
    grad_layer.build((None, n_l))
    grad_layer.set_weights([gamma.ravel(), beta.ravel(), np.zeros(n_l), np.ones(n_l)])
    x = tf.Variable(Z.T)
    with tf.GradientTape() as tape:
        J = tf.reduce_sum(dout.T * grad_layer(x, training=True))
    g_x, g_gamma, g_beta = tape.gradient(J, [x, grad_layer.gamma, grad_layer.beta])
_, _, cache = ex.batchnorm_forward(Z, gamma, beta, {"mean": np.zeros((n_l, 1)),
                                                    "var": np.ones((n_l, 1))}, True, momentum, eps)
dZ, dgamma, dbeta = ex.batchnorm_backward(dout, cache)
diffs = {"dZ": np.abs(g_x.numpy().T - dZ).max(),
         "dgamma": np.abs(g_gamma.numpy() - dgamma.ravel()).max(),
         "dbeta": np.abs(g_beta.numpy() - dbeta.ravel()).max()}
print("max |Keras - yours|:", {k: f"{v:.1e}" for k, v in diffs.items()})
print(f"sum of dZ over the batch, per unit: {np.round(dZ.sum(axis=1), 12) + 0.0} (the mean term makes "
      "it zero)")
assert max(diffs.values()) < 1e-10

# %% [markdown]
# The gradient with respect to the input sums to zero over the batch for every unit: shifting
# all the examples of a unit by the same amount does not change the normalised output, and
# that is exactly what the mean term of the backward pass says.
#
# ## 4. Keras' defaults
#
# A layer built without arguments uses `momentum=0.99` (an EWMA over about 100 batches) and
# `epsilon=1e-3`:

# %%
config = keras.layers.BatchNormalization().get_config()
print({k: config[k] for k in ("axis", "momentum", "epsilon", "center", "scale",
                              "moving_mean_initializer", "moving_variance_initializer")})
assert config["momentum"] == 0.99 and config["epsilon"] == 1e-3

# %% [markdown]
# In a Keras model, `model.fit` calls the layer with `training=True` and `model.predict` /
# `model.evaluate` with `training=False`, so the switch between batch and moving statistics
# is automatic. Place the layer between `Dense(..., use_bias=False)` and the activation, as in
# the graded notebook's network: its $\beta$ replaces the bias.
