# %% [markdown]
# # Chapter 08 — Weight initialization in TensorFlow/Keras (reference notebook)
#
# This notebook is not graded. It compares the initializers of the graded notebook with
# Keras' and checks, **by running them**:
#
# 1. `LecunNormal`, `HeNormal` and `GlorotNormal` draw from a **truncated** normal: no weight
#    beyond 2 of their internal standard deviations, which Keras enlarges (divides by 0.8796)
#    so that the truncated distribution still has the standard deviation
#    $\sqrt{1/n_{in}}$, $\sqrt{2/n_{in}}$ or $\sqrt{2/(n_{in} + n_{out})}$. Your initializers
#    draw from a plain normal. Random draws of two libraries are never equal, so the two are
#    compared by **statistics**: the standard deviation, the tails, and Kolmogorov-Smirnov
#    tests (`scipy.stats.ks_2samp`) of the whole distributions.
# 2. `Zeros` is your `initialize_parameters_zeros`, and Keras' default for a `Dense` layer is
#    `GlorotUniform` (Glorot's variance, uniform shape) with zero biases.
# 3. Started from your He weights, Keras' SGD and the course's numpy network take the same
#    steps (float64, agreement to 1e-10); started from equal weights, Keras keeps the hidden
#    units identical too.
#
# It runs **your** functions: the cell after the imports loads the four initializers from your
# graded notebook `initialization.ipynb` (same folder; save it first). The notebook uses a GPU
# when TensorFlow sees one and the CPU otherwise.

# %%
import numpy as np
from scipy import stats

from course import data, nn, tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf

# %% [markdown]
# ## Your functions from the graded notebook
#
# This cell runs YOUR `initialize_parameters_zeros`, `initialize_parameters_random`,
# `initialize_parameters_xavier` and `initialize_parameters_he` from `initialization.ipynb`
# (only its imports and definitions: no tests, no training). Save the graded notebook first
# (Ctrl+S); if an exercise is not done yet, the cell says which.

# %%
from course import exercises

ex = exercises.load("initialization.ipynb", "initialize_parameters_zeros",
                    "initialize_parameters_random", "initialize_parameters_xavier",
                    "initialize_parameters_he")

# %% [markdown]
# ## 1. Truncated normals and their standard deviation
#
# Keras' `VarianceScaling` (the class behind `LecunNormal`, `HeNormal`, `GlorotNormal`) wants
# the standard deviation $\sigma = \sqrt{\text{scale}/\text{fan}}$. It draws from a normal
# with standard deviation $\sigma' = \sigma / 0.87962566$, re-drawing every value beyond
# $2\sigma'$. The constant is the standard deviation of a standard normal truncated to
# $[-2, 2]$, so the *truncated* draws have standard deviation $\sigma$ again. scipy's
# `truncnorm` gives the constant:

# %%
c = stats.truncnorm(-2, 2).std()
print(f"std of N(0, 1) truncated to [-2, 2]: {c:.17f}; Keras' constant: 0.87962566103423978")
assert abs(c - 0.87962566103423978) < 1e-12
print(f"largest Keras weight: 2 sigma' = {2 / c:.4f} sigma; a plain normal puts "
      f"{2 * stats.norm.sf(2 / c):.2%} of its draws beyond that")

# %% [markdown]
# A Keras kernel has shape $(n_{in}, n_{out})$ = `W.T` of the course's $(n^{[l]}, n^{[l-1]})$,
# and Keras' `fan_in` is the course's $n^{[l-1]}$. We draw one layer of 400 inputs and 250
# units (100,000 weights: a measured standard deviation is good to about 0.2%) from each Keras
# initializer and from yours, with different seeds for each. For each pair:
#
# * the standard deviations, both within 2% of $\sigma$;
# * the largest $|w| / \sigma$: at most $2/0.8796 = 2.27$ for Keras, beyond for yours;
# * a Kolmogorov-Smirnov test of each sample against its *own* model (Keras' against the
#   truncated normal, yours against the plain normal): large p-values, no evidence of a
#   difference;
# * a two-sample test of Keras' weights against yours: a tiny p-value, the shapes differ
#   although the standard deviations agree;
# * the two-sample test again after truncating your draws the way Keras does (keep
#   $|w| \le 2\sigma$, divide by 0.8796; the result is a normal of standard deviation
#   $\sigma'$ cut at $2\sigma'$): large p-value, the same distribution.

# %%
n_in, n_out = 400, 250
pairs = {
    "LecunNormal = your Xavier": (keras.initializers.LecunNormal, ex.initialize_parameters_xavier,
                                  np.sqrt(1 / n_in)),
    "HeNormal = your He": (keras.initializers.HeNormal, ex.initialize_parameters_he,
                           np.sqrt(2 / n_in)),
}
samples = {}
print(f"{'':28s} {'sigma':>7s} {'std Keras':>9s} {'std yours':>9s} {'max Keras':>9s} "
      f"{'max yours':>9s}  p(K|trunc) p(y|normal) p(K vs y) p(K vs y cut)")
for seed, (label, (keras_init, yours, sigma)) in zip([11, 21], pairs.items()):
    k = np.asarray(keras_init(seed=seed)((n_in, n_out))).T.ravel()
    y = yours([n_in, n_out], seed=seed + 1)["W1"].ravel()
    cut = y[np.abs(y) <= 2 * sigma] / c
    p_k = stats.kstest(k, stats.truncnorm(-2, 2, scale=sigma / c).cdf).pvalue
    p_y = stats.kstest(y, stats.norm(scale=sigma).cdf).pvalue
    p_ky = stats.ks_2samp(k, y).pvalue
    p_kc = stats.ks_2samp(k, cut).pvalue
    samples[label] = k, y
    print(f"{label:28s} {sigma:7.4f} {k.std():9.4f} {y.std():9.4f} {np.abs(k).max() / sigma:9.3f} "
          f"{np.abs(y).max() / sigma:9.3f}  {p_k:10.3f} {p_y:11.3f} {p_ky:9.1e} {p_kc:12.3f}")
    assert abs(k.std() / sigma - 1) < 0.02 and abs(y.std() / sigma - 1) < 0.02
    assert np.abs(k).max() <= 2 * sigma / c * (1 + 1e-12) < np.abs(y).max()
    assert p_k > 1e-3 and p_y > 1e-3 and p_kc > 1e-3, "a sample does not follow its model"
    assert p_ky < 1e-6, "the truncated and the plain normal should be told apart"

# %% [markdown]
# Same standard deviation, different distribution: the truncated normal has no tails, so to
# keep the same spread it puts more weights at medium sizes. For training this makes little
# difference (the variance is what the derivation in the graded notebook controls); it only
# rules out the rare very large weight.
#
# `GlorotNormal` is the paper's Xavier, $\sqrt{2/(n_{in} + n_{out})}$, which the graded
# notebook shows beside the notes' $\sqrt{1/n_{in}}$. The two agree only when
# $n_{in} = n_{out}$:

# %%
for fan_in, fan_out in [(400, 250), (300, 300)]:
    g = np.asarray(keras.initializers.GlorotNormal(seed=13)((fan_in, fan_out))).T
    x = ex.initialize_parameters_xavier([fan_in, fan_out], seed=14)["W1"]
    glorot = np.sqrt(2 / (fan_in + fan_out))
    print(f"n_in={fan_in}, n_out={fan_out}: GlorotNormal std {g.std():.4f} "
          f"(sqrt(2/(n_in+n_out)) = {glorot:.4f}), your Xavier {x.std():.4f} "
          f"(sqrt(1/n_in) = {np.sqrt(1 / fan_in):.4f})")
    assert abs(g.std() / glorot - 1) < 0.02 and abs(x.std() * np.sqrt(fan_in) - 1) < 0.02

# %% [markdown]
# The untruncated option of `VarianceScaling` is exactly the course's distribution:
# `VarianceScaling(scale=2.0, mode="fan_in", distribution="untruncated_normal")` against your
# He weights, two-sample test.

# %%
u = np.asarray(keras.initializers.VarianceScaling(
    scale=2.0, mode="fan_in", distribution="untruncated_normal", seed=15)((n_in, n_out))).ravel()
y = ex.initialize_parameters_he([n_in, n_out], seed=16)["W1"].ravel()
p = stats.ks_2samp(u, y).pvalue
print(f"untruncated VarianceScaling std {u.std():.4f}, your He {y.std():.4f}, "
      f"sqrt(2/n_in) = {np.sqrt(2 / n_in):.4f}; two-sample KS p-value {p:.3f}")
assert p > 1e-3 and abs(u.std() / y.std() - 1) < 0.02

# %% [markdown]
# Your large random initialization is `RandomNormal(stddev=10)`, a plain normal:

# %%
r = np.asarray(keras.initializers.RandomNormal(stddev=10.0, seed=17)((n_in, n_out))).ravel()
y = ex.initialize_parameters_random([n_in, n_out], seed=18)["W1"].ravel()
p = stats.ks_2samp(r, y).pvalue
print(f"RandomNormal(stddev=10) std {r.std():.3f}, yours {y.std():.3f}; two-sample KS p-value {p:.3f}")
assert p > 1e-3

# %% [markdown]
# ## 2. Zeros and Keras' defaults
#
# Zeros are not random, so here values can be compared. A `Dense` layer built without
# arguments uses `GlorotUniform` for the kernel (uniform on $[-\ell, \ell]$ with
# $\ell = \sqrt{6/(n_{in}+n_{out})}$, whose standard deviation is $\ell/\sqrt 3 =
# \sqrt{2/(n_{in}+n_{out})}$) and `Zeros` for the bias.

# %%
z = ex.initialize_parameters_zeros([n_in, n_out])
assert np.array_equal(np.asarray(keras.initializers.Zeros()((n_in, n_out))).T, z["W1"])
layer = keras.layers.Dense(n_out)
layer.build((None, n_in))
kernel, bias = (np.asarray(w) for w in layer.get_weights())
limit = np.sqrt(6 / (n_in + n_out))
print(f"default Dense: kernel in [{kernel.min():.4f}, {kernel.max():.4f}] (limit {limit:.4f}), "
      f"std {kernel.std():.4f} (Glorot {np.sqrt(2 / (n_in + n_out)):.4f}); bias all zero: "
      f"{not bias.any()}")
assert np.abs(kernel).max() <= limit and not bias.any()
assert abs(kernel.std() / np.sqrt(2 / (n_in + n_out)) - 1) < 0.02
assert stats.ks_2samp(kernel.ravel(), np.random.default_rng(19).uniform(-limit, limit, 100_000)
                      ).pvalue > 1e-3

# %% [markdown]
# ## 3. Training from your weights: Keras and numpy take the same steps
#
# We give Keras your He weights for the network 2 → 10 → 5 → 1 (`course.tf_helpers.mlp`
# copies them into `Dense` layers: kernel = `W.T`) and run 50 full-batch SGD steps on two
# circles; the course's numpy network (`course.nn.train`) runs the same 50 steps from the same
# weights. Keras' `BinaryCrossentropy(from_logits=True)` on a linear output has numpy's
# gradient $dZ = A - Y$.

# %%
X, Y = data.load_circles(m=300, noise=0.1, seed=0)
dims, lr, steps = [2, 10, 5, 1], 0.05, 50
gd = nn.Optimizer(init=lambda p: None, name="gradient descent",
                  step=lambda p, g, s, t, lr: ({k: p[k] - lr * g["d" + k] for k in p}, s))


def keras_gd(start):
    with tf.device(device):
        model = tf_helpers.mlp(start)
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr),
                      loss=keras.losses.BinaryCrossentropy(from_logits=True))
        model.fit(X.T, Y.T, batch_size=X.shape[1], epochs=steps, shuffle=False, verbose=0)
    return tf_helpers.get_parameters(model)


start = ex.initialize_parameters_he(dims, seed=3)
numpy_run = nn.train(X, Y, dims, gd, learning_rate=lr, num_epochs=steps, parameters=start,
                     progress=False)
diff = tf_helpers.max_abs_diff(numpy_run.parameters, keras_gd(start))
print(f"from your He weights, after {steps} steps: max |W_numpy - W_keras| = {diff:.2e}")
assert diff < 1e-10, "Keras SGD and numpy gradient descent disagree"

# %% [markdown]
# Keras has the symmetry problem too: from weights that are all equal (0.5; zeros would not
# move at all under ReLU), the rows of the first kernel, one per hidden unit, stay identical.

# %%
equal = {k: np.full(v.shape, 0.5 if k[0] == "W" else 0.0)
         for k, v in ex.initialize_parameters_zeros(dims).items()}
W1 = keras_gd(equal)["W1"]
print(f"W1 moved by {np.abs(W1 - 0.5).max():.3g}; largest difference between its rows "
      f"(hidden units): {np.abs(W1 - W1[0]).max():.3g}")
assert np.abs(W1 - 0.5).max() > 1e-3 and np.abs(W1 - W1[0]).max() < 1e-12

# %% [markdown]
# **What to remember**
#
# | numpy (this course) | Keras |
# |---|---|
# | `initialize_parameters_zeros` | `keras.initializers.Zeros()` (the default bias initializer) |
# | `initialize_parameters_random` (std 10) | `RandomNormal(stddev=10.0)` |
# | `initialize_parameters_xavier`: normal, std $\sqrt{1/n^{[l-1]}}$ | `LecunNormal()`: truncated at $2\sigma'$, std $\sqrt{1/\text{fan\_in}}$ |
# | Glorot: std $\sqrt{2/(n^{[l-1]} + n^{[l]})}$ | `GlorotNormal()` (truncated); `GlorotUniform()` is `Dense`'s default kernel |
# | `initialize_parameters_he`: normal, std $\sqrt{2/n^{[l-1]}}$ | `HeNormal()` (truncated); `VarianceScaling(2.0, "fan_in", "untruncated_normal")` is exactly the course's |
# | `W` of shape $(n^{[l]}, n^{[l-1]})$ | kernel $(n_{in}, n_{out})$ = `W.T`; `fan_in` $= n^{[l-1]}$ |
#
# Random initializers are compared by their distributions, never by their values.
