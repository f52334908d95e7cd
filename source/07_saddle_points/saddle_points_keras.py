# %% [markdown]
# # Chapter 07 — Saddle points in TensorFlow/Keras (reference notebook)
#
# This notebook is not graded. It checks, **by running them**, that TensorFlow agrees with the
# numpy code of the graded notebook:
#
# 1. Two nested `tf.GradientTape`s give the gradient and the Hessian of a function at a point
#    (automatic differentiation, no step $h$): they agree with your closed forms
#    `saddle_gradient`/`saddle_hessian` and your centred differences
#    `numerical_gradient_fd`/`numerical_hessian` on $f(x, y) = x^2 - y^2$ to $10^{-10}$, and
#    with Rosenbrock's closed-form gradient.
# 2. Keras' optimizers (`SGD`, `SGD` with momentum, `RMSprop`, `Adam`), run on a
#    `tf.Variable` from the same start near the saddle, follow the same trajectories as the
#    numpy update rules (section 7 of the graded notebook) once the conventions are mapped
#    (the table of `docs/conventions.md`), and leave the saddle after the number of steps your
#    `steps_to_escape` counts.
#
# It runs **your** functions: the cell after the imports loads them from your graded notebook
# `saddle_points.ipynb` (same folder; save it first). The notebook uses a GPU when TensorFlow
# sees one and the CPU otherwise.

# %%
import numpy as np

from course import data, tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf

# %% [markdown]
# ## Your functions from the graded notebook
#
# This cell runs YOUR `saddle_gradient`, `saddle_hessian`, `numerical_gradient_fd`,
# `numerical_hessian`, `classify_critical_point` and `steps_to_escape` from
# `saddle_points.ipynb` (only its imports and definitions run: no tests, no plots). Save the
# graded notebook first (Ctrl+S); if an exercise is not done yet, the cell says which.

# %%
from course import exercises

ex = exercises.load("saddle_points.ipynb", "saddle_gradient", "saddle_hessian",
                    "numerical_gradient_fd", "numerical_hessian", "classify_critical_point",
                    "steps_to_escape")

# %% [markdown]
# ## 1. Gradient and Hessian with nested `tf.GradientTape`
#
# The inner tape records $f(p)$ and gives $\nabla f(p)$; the outer tape records that gradient
# computation and gives its Jacobian, the Hessian. `tape.jacobian` differentiates each entry of
# the gradient with respect to every entry of `p`. Everything runs in float64.

# %%
def tape_gradient_and_hessian(f, point):
    """Gradient (n,) and Hessian (n, n) of a TensorFlow function f at point, by autodiff."""
    p = tf.Variable(np.asarray(point, dtype=float))
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            value = f(p)
        grad = inner.gradient(value, p)
    hessian = outer.jacobian(grad, p)
    return grad.numpy(), hessian.numpy()


def saddle_tf(p):
    return p[0] ** 2 - p[1] ** 2


def saddle_np(p):
    return data.saddle(p)[0]


with tf.device(device):
    for point in [np.array([0.7, -1.3]), np.array([-2.0, 0.25]), np.array([1e-3, 3.0])]:
        g_tf, H_tf = tape_gradient_and_hessian(saddle_tf, point)
        # centred differences are exact for a quadratic, so only rounding is left: a larger h
        # keeps it small (about 1e-16 |f| / h for the gradient, / h**2 for the Hessian)
        diffs = {
            "closed-form gradient": np.abs(g_tf - ex.saddle_gradient(point)).max(),
            "centred gradient": np.abs(g_tf - ex.numerical_gradient_fd(saddle_np, point,
                                                                       1e-3)).max(),
            "closed-form Hessian": np.abs(H_tf - ex.saddle_hessian(point)).max(),
            "centred Hessian": np.abs(H_tf - ex.numerical_hessian(saddle_np, point, 1e-2)).max(),
        }
        print(f"at {point}: tape gradient {g_tf}, Hessian {H_tf.tolist()}")
        print("   max |tape - numpy|: " + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()))
        assert max(diffs.values()) < 1e-10, "tf.GradientTape and the numpy derivatives disagree"
    _, H_origin = tape_gradient_and_hessian(saddle_tf, np.zeros(2))
print("your classify_critical_point on the tape's Hessian at the origin:",
      ex.classify_critical_point(H_origin))
assert ex.classify_critical_point(H_origin) == "saddle"

# %% [markdown]
# Rosenbrock's function is not quadratic, so centred differences carry a truncation error of
# order $h^2$ (and rounding of order $10^{-16}|f|/h$, $/h^2$ for the Hessian): against them the
# tape agrees to about $10^{-7}$ for the gradient and $10^{-5}$ for the Hessian (the cell prints
# the differences), not $10^{-10}$. Against a closed form it agrees to rounding.

# %%
def rosenbrock_tf(p):
    return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2


def rosenbrock_np(p):
    return data.rosenbrock(p)[0]


with tf.device(device):
    point = np.array([-1.2, 1.0])
    g_tf, H_tf = tape_gradient_and_hessian(rosenbrock_tf, point)
x, y = point
H_closed = np.array([[2 - 400 * y + 1200 * x**2, -400 * x], [-400 * x, 200.0]])
closed = np.abs(g_tf - data.rosenbrock(point)[1]).max()
closed_H = np.abs(H_tf - H_closed).max()
centred_g = np.abs(g_tf - ex.numerical_gradient_fd(rosenbrock_np, point)).max()
centred_H = np.abs(H_tf - ex.numerical_hessian(rosenbrock_np, point)).max()
print(f"Rosenbrock at {point}: tape gradient {g_tf}, Hessian {H_tf.tolist()}")
print(f"   closed-form gradient {closed:.1e}, closed-form Hessian {closed_H:.1e}, "
      f"centred gradient {centred_g:.1e}, centred Hessian {centred_H:.1e}")
assert closed < 1e-10 and closed_H < 1e-10
assert centred_g < 1e-5 and centred_H < 1e-3
with tf.device(device):
    g_min, H_min = tape_gradient_and_hessian(rosenbrock_tf, np.array([1.0, 1.0]))
print(f"at (1, 1): tape gradient {g_min}, your classify_critical_point: "
      f"{ex.classify_critical_point(H_min)}")
assert np.abs(g_min).max() == 0 and ex.classify_critical_point(H_min) == "minimum"

# %% [markdown]
# ## 2. Keras optimizers leave the same saddle
#
# Each Keras optimizer updates a `tf.Variable` $p$ from the start $(1, 0.001)$ with
# `optimizer.apply_gradients`, the gradient coming from a tape. The numpy side is the update
# rules of chapters 03 to 05 written for one point, as in section 7 of the graded notebook
# (given code, not graded exercises), and your `steps_to_escape` counts the steps. The
# mappings (conventions table):
#
# | numpy (course) | Keras | mapping |
# |---|---|---|
# | gradient descent, $\alpha$ | `SGD(learning_rate=alpha)` | identical |
# | momentum $v = \beta v + (1-\beta) g$, $p \mathrel{-}= \alpha v$ | `SGD(learning_rate=lr, momentum=mu)`: `m = mu*m - lr*g; p += m` | `lr` $= \alpha(1-\beta)$, `mu` $= \beta$ |
# | RMSProp, $p \mathrel{-}= \alpha g / \sqrt{s + \varepsilon}$ | `RMSprop(rho=beta2, epsilon=eps)` | identical (epsilon inside the root in both) |
# | Adam, $p \mathrel{-}= \alpha \hat v / (\sqrt{\hat s} + \varepsilon)$ | `Adam(epsilon=eps_hat)`: $\hat\varepsilon$ outside $\sqrt{s}$, before bias correction | course $\varepsilon_t = \hat\varepsilon / \sqrt{1 - \beta_2^t}$ |
#
# Keras casts `momentum` and Adam's betas through float32 (0.9 becomes 0.89999998), so the
# comparison uses values exact in float32: $\beta = 0.875$, $\beta_1 = 0.875$,
# $\beta_2 = 1 - 2^{-10}$.

# %%
# The numpy optimizers and `trajectory` are the graded notebook's given code (one copy).
given = exercises.load("saddle_points.ipynb", "gd_optimizer", "momentum_optimizer",
                       "rmsprop_optimizer", "adam_optimizer", "trajectory")
gd_optimizer, momentum_optimizer = given.gd_optimizer, given.momentum_optimizer
rmsprop_optimizer, adam_optimizer, trajectory = (given.rmsprop_optimizer, given.adam_optimizer,
                                                 given.trajectory)

# %%
start, alpha, radius = np.array([1.0, 1e-3]), 0.1, 2.0
beta, beta1, beta2, eps_hat = 0.875, 0.875, 1 - 2.0**-10, 1e-7


def escaped(p):
    return np.linalg.norm(p) > radius


cases = {
    "SGD": (keras.optimizers.SGD(learning_rate=alpha), gd_optimizer()),
    "SGD momentum": (keras.optimizers.SGD(learning_rate=alpha * (1 - beta), momentum=beta),
                     momentum_optimizer(beta)),
    "RMSprop": (keras.optimizers.RMSprop(learning_rate=alpha, rho=0.9, epsilon=1e-8),
                rmsprop_optimizer(0.9, 1e-8)),
    "Adam": (keras.optimizers.Adam(learning_rate=alpha, beta_1=beta1, beta_2=beta2,
                                   epsilon=eps_hat),
             adam_optimizer(beta1, beta2, lambda t: eps_hat / np.sqrt(1 - beta2**t))),
}


def keras_path(optimizer, num_steps):
    """The points of a Keras optimizer on x**2 - y**2 from `start`, shape (num_steps + 1, 2)."""
    p = tf.Variable(start.copy())
    path = [p.numpy().copy()]
    for _ in range(num_steps):
        with tf.GradientTape() as tape:
            loss = saddle_tf(p)
        optimizer.apply_gradients([(tape.gradient(loss, p), p)])
        path.append(p.numpy().copy())
    return np.array(path)


print(f"{'optimizer':14s} {'numpy steps':>11s} {'Keras steps':>11s} {'max |numpy - Keras|':>20s}")
with tf.device(device):
    for name, (keras_opt, numpy_opt) in cases.items():
        steps = ex.steps_to_escape(ex.saddle_gradient, start, numpy_opt, alpha, escaped,
                                   max_steps=1000)
        numpy_path = trajectory(ex.saddle_gradient, start, numpy_opt, alpha, steps)
        path = keras_path(keras_opt, steps)
        keras_steps = next(t for t, p in enumerate(path) if escaped(p))
        diff = np.abs(path - numpy_path).max()
        print(f"{name:14s} {steps:11d} {keras_steps:11d} {diff:20.1e}")
        assert keras_steps == steps, f"{name}: Keras leaves the saddle after another number of steps"
        assert diff < 1e-10, f"{name}: the Keras and numpy trajectories differ"

# %% [markdown]
# Without the mappings the paths part: the same numbers in Keras' own conventions give
# another trajectory. For momentum, `SGD(learning_rate=alpha, momentum=beta)` is the course's
# momentum with $\alpha / (1-\beta)$, eight times larger here:

# %%
with tf.device(device):
    unmapped = keras_path(keras.optimizers.SGD(learning_rate=alpha, momentum=beta), 15)
mapped = trajectory(ex.saddle_gradient, start, momentum_optimizer(beta), alpha / (1 - beta), 15)
course = trajectory(ex.saddle_gradient, start, momentum_optimizer(beta), alpha, 15)
print(f"after 15 steps: Keras SGD(lr=alpha, momentum=beta) at {unmapped[-1].round(4)}, "
      f"course momentum with alpha/(1-beta) at {mapped[-1].round(4)}, "
      f"with alpha at {course[-1].round(4)}")
assert np.abs(unmapped - mapped).max() < 1e-10

# %% [markdown]
# **What to remember**
#
# | numpy (this course) | TensorFlow / Keras |
# |---|---|
# | `saddle_gradient`, `numerical_gradient_fd` | `tape.gradient(f(p), p)` (exact, no $h$) |
# | `saddle_hessian`, `numerical_hessian` | nested tapes: `outer.jacobian(inner.gradient(f(p), p), p)` |
# | centred differences: error $O(h^2)$ plus rounding $\sim 10^{-16}/h^2$ | autodiff: rounding only |
# | momentum with $\alpha, \beta$ | `SGD(learning_rate=alpha*(1-beta), momentum=beta)` |
# | RMSProp with $\varepsilon$ inside the root | `RMSprop(rho=beta2, epsilon=eps)` |
# | Adam with $\varepsilon$ outside $\sqrt{\hat s}$ | `Adam(epsilon=eps_hat)`, $\varepsilon_t = \hat\varepsilon/\sqrt{1-\beta_2^t}$ |
