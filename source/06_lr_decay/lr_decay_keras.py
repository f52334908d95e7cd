# %% [markdown]
# # Chapter 06 — Learning-rate decay in TensorFlow/Keras (reference notebook)
#
# This notebook is not graded. It maps each schedule of the graded notebook to Keras and
# checks, **by running them**, that the numbers agree (float64, to 1e-12):
#
# 1. `keras.optimizers.schedules` objects are functions of the **optimizer step** (the
#    number of updates already made, counted from 0), not of the epoch. With
#    `steps_per_epoch` updates per epoch, step `k` belongs to epoch `k // steps_per_epoch`.
# 2. `InverseTimeDecay(a0, decay_steps=steps_per_epoch, decay_rate, staircase=True)` is
#    `update_lr` applied per epoch; `decay_steps=1` is the "decay per update" mistake.
# 3. `ExponentialDecay`, `PiecewiseConstantDecay`, a custom schedule for $1/\sqrt{t}$, and
#    `CosineDecay` with warm-up.
# 4. `model.fit` with a schedule object and with the `LearningRateScheduler` callback (which
#    counts **epochs** from 0), reading the learning rate actually used at every step, and the
#    trained weights compared with numpy.
#
# It runs *your* four decay functions, loaded from the graded notebook `lr_decay.ipynb` in the
# same folder (save it first). The notebook uses a GPU when TensorFlow sees one and the CPU
# otherwise.

# %%
import inspect
import math

import matplotlib.pyplot as plt
import numpy as np

from course import data, nn, tf_helpers

device = tf_helpers.setup(float64=True, seed=0)

import keras
import tensorflow as tf

# %matplotlib inline

# %% [markdown]
# ## Your functions from the graded notebook
#
# The next cell runs **your** `update_lr`, `schedule_lr_decay`, `exponential_decay` and
# `inverse_sqrt_decay` from `lr_decay.ipynb` (only its imports and function definitions, no
# tests or training): every comparison below checks your code against Keras. Save the graded
# notebook first; if an exercise is not written yet, the cell says which.

# %%
from course import exercises

ex = exercises.load("lr_decay.ipynb", "update_lr", "schedule_lr_decay", "exponential_decay",
                    "inverse_sqrt_decay")
update_lr, schedule_lr_decay = ex.update_lr, ex.schedule_lr_decay
exponential_decay, inverse_sqrt_decay = ex.exponential_decay, ex.inverse_sqrt_decay


# %%
def cosine_warmup(learning_rate0, epoch_num, warmup_epochs, decay_epochs, alpha_min=0.0):
    """The optional extension of the graded notebook: linear warm-up, then cosine decay."""
    if epoch_num < warmup_epochs:
        return learning_rate0 * epoch_num / warmup_epochs
    progress = min(epoch_num - warmup_epochs, decay_epochs) / decay_epochs
    return alpha_min + (learning_rate0 - alpha_min) * 0.5 * (1 + math.cos(math.pi * progress))


# %% [markdown]
# ## 1. What the Keras schedules compute
#
# Read from the installed source (`keras/src/optimizers/schedules/learning_rate_schedule.py`,
# Keras 3.15). `step` is the optimizer's `iterations` counter: 0 for the first update.
#
# | Keras schedule | rate at `step` |
# |---|---|
# | `InverseTimeDecay(a0, decay_steps, decay_rate, staircase)` | `a0 / (1 + decay_rate * p)`, `p = step / decay_steps`, floored if `staircase` |
# | `ExponentialDecay(a0, decay_steps, decay_rate, staircase)` | `a0 * decay_rate ** p`, same `p` (here `decay_rate` is the *base*, 0.95) |
# | `PiecewiseConstantDecay(boundaries, values)` | `values[0]` while `step <= boundaries[0]`, `values[i]` while `boundaries[i-1] < step <= boundaries[i]`, `values[-1]` after |
# | `CosineDecay(a0, decay_steps, alpha, warmup_target, warmup_steps)` | linear from `a0` to `warmup_target` over `warmup_steps`, then `target * ((1 - alpha) * 0.5 * (1 + cos(pi * min(s, decay_steps) / decay_steps)) + alpha)` with `s = step - warmup_steps` |
#
# The source of `InverseTimeDecay.__call__`, for instance:

# %%
print(inspect.getsource(keras.optimizers.schedules.InverseTimeDecay.__call__))

# %% [markdown]
# ## 2. Steps versus epochs
#
# Our data: 500 moons examples in mini-batches of 32, so one epoch is
# $\lceil 500/32 \rceil = 16$ optimizer steps (15 full batches and one of 20). We compare
# rates over 20 epochs = 320 steps. The numpy rate of step `k` is the rate of its epoch,
# `k // steps_per_epoch`.
#
# **A float64 detail.** A schedule's output has the dtype of its `initial_learning_rate`, and
# TensorFlow turns a Python float into **float32**: `InverseTimeDecay(0.2, ...)` returns
# `0.2000000030`. The other numbers (`decay_rate`, ...) are cast to that dtype, but a Python
# float passes through float32 on the way, so `decay_rate=0.95` becomes `0.949999988`. We pass
# `np.float64` values so the comparison (and training below) is exact.

# %%
X, Y = data.load_moons(m=500, noise=0.25, seed=0)
m, batch_size = X.shape[1], 32
steps_per_epoch = -(-m // batch_size)  # ceil(m / batch_size)
num_epochs = 20
steps = np.arange(num_epochs * steps_per_epoch)
epoch_of_step = steps // steps_per_epoch
a0, decay_rate = np.float64(0.2), 1.0
print(f"{steps_per_epoch} steps per epoch, comparing {len(steps)} steps")


def keras_rates(schedule):
    """The schedule evaluated at every optimizer step 0, 1, ..., as a float64 numpy array.

    Schedules are elementwise, so one call on the array of steps evaluates them all at once;
    CosineDecay with warm-up branches with `ops.cond` and is called step by step.
    """
    if getattr(schedule, "warmup_target", None) is not None:
        return np.array([float(schedule(int(k))) for k in steps])
    return np.asarray(keras.ops.convert_to_numpy(schedule(steps)), dtype=float)


def compare(name, keras_values, numpy_values, expect_equal=True):
    """Print the largest difference; assert agreement (or disagreement, for a wrong mapping)."""
    diff = np.abs(keras_values - np.asarray(numpy_values, dtype=float))
    worst = int(np.argmax(diff))
    print(f"{name}: max |keras - numpy| = {diff.max():.2e}"
          + (f" (first at step {int(np.argmax(diff > 1e-12))}, worst at step {worst}: "
             f"keras {keras_values[worst]:.9f} vs numpy {numpy_values[worst]:.9f})"
             if diff.max() > 1e-12 else ""))
    if expect_equal:
        assert diff.max() < 1e-12, f"{name}: Keras and numpy disagree"
    else:
        assert diff.max() > 1e-9, f"{name}: expected a visible mismatch"
    return diff.max()


# %% [markdown]
# ### `InverseTimeDecay` = `update_lr` per epoch
#
# `staircase=True` with `decay_steps=steps_per_epoch` makes `p = floor(step / 16)`, the epoch
# number: exactly `update_lr(a0, epoch_num, decay_rate)` held constant for the 16 steps of each
# epoch. `decay_steps=1` decays at every update, the mistake the graded tests call "decay
# applied per update". `staircase=False` uses fractional epochs `step / 16`: the rate slides
# down *within* each epoch.

# %%
inverse_time = keras.optimizers.schedules.InverseTimeDecay(
    a0, decay_steps=steps_per_epoch, decay_rate=decay_rate, staircase=True)
numpy_per_epoch = [update_lr(a0, e, decay_rate) for e in epoch_of_step]
max_diffs = {}
max_diffs["InverseTimeDecay"] = compare("InverseTimeDecay(decay_steps=16, staircase=True)",
                                        keras_rates(inverse_time), numpy_per_epoch)

per_update = keras.optimizers.schedules.InverseTimeDecay(a0, decay_steps=1, decay_rate=decay_rate)
compare("WRONG InverseTimeDecay(decay_steps=1) (decay per update)", keras_rates(per_update),
        numpy_per_epoch, expect_equal=False)
print(f"  with decay_steps=1 the last step of epoch 0 already uses {float(per_update(15)):.4f}, "
      f"not {update_lr(a0, 0, decay_rate):.4f}")

smooth = keras.optimizers.schedules.InverseTimeDecay(
    a0, decay_steps=steps_per_epoch, decay_rate=decay_rate, staircase=False)
compare("InverseTimeDecay(staircase=False) vs update_lr(a0, step / 16, ...)", keras_rates(smooth),
        [update_lr(a0, k / steps_per_epoch, decay_rate) for k in steps])

float32_schedule = keras.optimizers.schedules.InverseTimeDecay(0.2, steps_per_epoch, decay_rate,
                                                               staircase=True)
print(f"with a Python float 0.2 the schedule returns {float(float32_schedule(0)):.10f} "
      f"({float32_schedule(0).dtype.name}): off by {abs(float(float32_schedule(0)) - 0.2):.1e}")

# %% [markdown]
# ### Staircase every `time_interval` epochs, and `PiecewiseConstantDecay`
#
# `schedule_lr_decay(a0, epoch_num, decay_rate, time_interval)` is `InverseTimeDecay` with
# `decay_steps = steps_per_epoch * time_interval` and `staircase=True`. The same staircase can
# be listed by hand with `PiecewiseConstantDecay`, but mind its boundary rule: `values[i]` is
# used while `step <= boundaries[i]`. The first drop must happen at step
# `16 * time_interval`, so the boundary is `16 * time_interval - 1`; writing
# `16 * time_interval` keeps the old rate **one step too long**.

# %%
time_interval = 3
staircase = keras.optimizers.schedules.InverseTimeDecay(
    a0, decay_steps=steps_per_epoch * time_interval, decay_rate=decay_rate, staircase=True)
numpy_staircase = [schedule_lr_decay(a0, e, decay_rate, time_interval) for e in epoch_of_step]
max_diffs["InverseTimeDecay (staircase, interval 3)"] = compare(
    "InverseTimeDecay(decay_steps=16*3, staircase=True)", keras_rates(staircase), numpy_staircase)

compare("WRONG InverseTimeDecay(decay_steps=16*3, staircase=False) (no floor)",
        keras_rates(keras.optimizers.schedules.InverseTimeDecay(
            a0, steps_per_epoch * time_interval, decay_rate)), numpy_staircase, expect_equal=False)

drops = range(1, num_epochs // time_interval + 1)  # the intervals that start within 20 epochs
values = [np.float64(schedule_lr_decay(a0, j * time_interval, decay_rate, time_interval))
          for j in range(len(drops) + 1)]
piecewise = keras.optimizers.schedules.PiecewiseConstantDecay(
    [steps_per_epoch * time_interval * j - 1 for j in drops], values)
max_diffs["PiecewiseConstantDecay"] = compare(
    "PiecewiseConstantDecay(boundaries = 48 j - 1)", keras_rates(piecewise), numpy_staircase)
late = keras.optimizers.schedules.PiecewiseConstantDecay(
    [steps_per_epoch * time_interval * j for j in drops], values)
compare("WRONG PiecewiseConstantDecay(boundaries = 48 j) (one step late)", keras_rates(late),
        numpy_staircase, expect_equal=False)

# %% [markdown]
# ### `ExponentialDecay` and a custom schedule for $k / \sqrt{t}$
#
# Keras' `ExponentialDecay` calls the base `decay_rate`: `decay_rate=0.95` with
# `decay_steps=steps_per_epoch, staircase=True` is `exponential_decay(a0, epoch_num)`. Keras has
# no $1/\sqrt{t}$ schedule; subclassing `LearningRateSchedule` takes five lines with
# `keras.ops`, and the epoch-0 guard is the same `max(epoch_num, 1)`.

# %%
numpy_exponential = [exponential_decay(a0, e) for e in epoch_of_step]
exponential = keras.optimizers.schedules.ExponentialDecay(
    a0, decay_steps=steps_per_epoch, decay_rate=np.float64(0.95), staircase=True)
max_diffs["ExponentialDecay"] = compare("ExponentialDecay(decay_rate=np.float64(0.95))",
                                        keras_rates(exponential), numpy_exponential)
exponential_f32_base = keras.optimizers.schedules.ExponentialDecay(
    a0, decay_steps=steps_per_epoch, decay_rate=0.95, staircase=True)
compare("ExponentialDecay(decay_rate=0.95), a Python float: 0.95 went through float32",
        keras_rates(exponential_f32_base), numpy_exponential, expect_equal=False)


class InverseSqrtDecay(keras.optimizers.schedules.LearningRateSchedule):
    """k / sqrt(max(epoch, 1)) * a0 with epoch = floor(step / steps_per_epoch)."""

    def __init__(self, initial_learning_rate, k, steps_per_epoch):
        self.initial_learning_rate, self.k, self.steps_per_epoch = initial_learning_rate, k, steps_per_epoch

    def __call__(self, step):
        epoch = keras.ops.floor(keras.ops.cast(step, "float64") / self.steps_per_epoch)
        return self.k / keras.ops.sqrt(keras.ops.maximum(epoch, 1.0)) * self.initial_learning_rate


inv_sqrt = InverseSqrtDecay(a0, 1.0, steps_per_epoch)
max_diffs["InverseSqrtDecay (custom)"] = compare(
    "custom InverseSqrtDecay", keras_rates(inv_sqrt),
    [inverse_sqrt_decay(a0, e, 1.0) for e in epoch_of_step])

# %% [markdown]
# ### `CosineDecay` with warm-up (the optional extension)
#
# `CosineDecay(initial_learning_rate=0, decay_steps=16 D, alpha=alpha_min / a0,
# warmup_target=a0, warmup_steps=16 W)` is `cosine_warmup(a0, step / 16, W, D, alpha_min)`:
# Keras has no staircase here, so the numpy side gets fractional epochs. Warm-up starts at
# `initial_learning_rate`; with 0 the very first update does not move the weights.

# %%
warmup_epochs, decay_epochs, alpha_min = 2, 15, np.float64(0.02)
cosine = keras.optimizers.schedules.CosineDecay(
    np.float64(0.0), decay_steps=steps_per_epoch * decay_epochs, alpha=alpha_min / a0,
    warmup_target=a0, warmup_steps=steps_per_epoch * warmup_epochs)
numpy_cosine = [cosine_warmup(a0, k / steps_per_epoch, warmup_epochs, decay_epochs, alpha_min)
                for k in steps]
cosine_rates = keras_rates(cosine)
max_diffs["CosineDecay + warm-up"] = compare("CosineDecay(warmup_target=a0)", cosine_rates,
                                             numpy_cosine)

# %%
fig, ax = plt.subplots(figsize=(10, 4))
for label, schedule, numpy_values in [
        ("InverseTimeDecay, staircase per epoch", inverse_time, numpy_per_epoch),
        ("InverseTimeDecay, decay_steps=1 (WRONG: per update)", per_update, None),
        ("PiecewiseConstantDecay = schedule_lr_decay(interval 3)", piecewise, numpy_staircase),
        ("ExponentialDecay(0.95), staircase", exponential, numpy_exponential),
        ("CosineDecay with 2 warm-up epochs", cosine_rates, numpy_cosine)]:
    keras_values = schedule if isinstance(schedule, np.ndarray) else keras_rates(schedule)
    line, = ax.plot(steps, keras_values, lw=1.3, label=label)
    if numpy_values is not None:
        ax.plot(steps[::4], np.asarray(numpy_values)[::4], ".", color=line.get_color(), ms=4)
for e in range(1, num_epochs):
    ax.axvline(e * steps_per_epoch, color="k", lw=0.3, alpha=0.3)
ax.set(xlabel="optimizer step (iterations); grey lines: epoch boundaries", ylabel="learning rate",
       title="Keras schedules per step (lines) and the numpy functions (dots)")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 3. Training with `model.fit`: schedule object versus `LearningRateScheduler`
#
# Two ways to decay per epoch in Keras:
#
# * a **schedule object** as the optimizer's `learning_rate`: the optimizer evaluates it at
#   its `iterations` counter before every update, so the epoch must be expressed in steps
#   (`decay_steps=steps_per_epoch, staircase=True`);
# * the **`LearningRateScheduler` callback**: at the start of each epoch it calls
#   `schedule(epoch, lr)` with `epoch` counted from 0 and assigns the result to the optimizer,
#   which must then have a plain float learning rate. Beware the second argument: it is the
#   *current* rate, so `lambda epoch, lr: update_lr(lr, epoch, r)` would compound the decay;
#   start from `a0` every time.
#
# A callback reads `optimizer.iterations` and `optimizer.learning_rate` before every update,
# i.e. the rate that update actually uses. We train 5 epochs on the same batches (in a fixed
# order, `shuffle=False`) from the same weights, and also train the numpy network with
# `course.nn.train(schedule=...)`: all three must end with the same weights.

# %%
class RecordRates(keras.callbacks.Callback):
    """Before every update: (iterations, learning rate the update will use)."""

    def on_train_begin(self, logs=None):
        self.steps, self.rates = [], []

    def on_train_batch_begin(self, batch, logs=None):
        self.steps.append(int(self.model.optimizer.iterations))
        self.rates.append(float(self.model.optimizer.learning_rate))


fit_epochs, lr0, r = 5, np.float64(1.0), 0.5
parameters0 = nn.initialize_parameters([2, 16, 8, 1], seed=0)
loss = keras.losses.BinaryCrossentropy(from_logits=True)


def fit(optimizer, callbacks=()):
    recorder = RecordRates()
    with tf.device(device):
        model = tf_helpers.mlp(parameters0)
        model.compile(optimizer=optimizer, loss=loss)
        model.fit(X.T, Y.T, batch_size=batch_size, epochs=fit_epochs, shuffle=False, verbose=0,
                  callbacks=[recorder, *callbacks])
    return tf_helpers.get_parameters(model), recorder


params_schedule, rec_schedule = fit(keras.optimizers.SGD(
    keras.optimizers.schedules.InverseTimeDecay(lr0, steps_per_epoch, r, staircase=True)))
params_callback, rec_callback = fit(
    keras.optimizers.SGD(learning_rate=lr0),
    [keras.callbacks.LearningRateScheduler(lambda epoch, lr: update_lr(lr0, epoch, r))])
print(f"trained on {device}; {len(rec_schedule.rates)} updates each")

expected = [update_lr(lr0, k // steps_per_epoch, r) for k in rec_schedule.steps]
for name, rec in [("schedule object", rec_schedule), ("LearningRateScheduler", rec_callback)]:
    assert rec.steps == list(range(fit_epochs * steps_per_epoch)), "iterations should count 0, 1, ..."
    diff = np.max(np.abs(np.array(rec.rates) - expected))
    per_epoch = ", ".join(f"{x:.4f}" for x in rec.rates[::steps_per_epoch])
    print(f"{name:>22}: rate of each epoch {per_epoch}; "
          f"max |rate - update_lr(lr0, iterations // {steps_per_epoch}, r)| = {diff:.1e}")
    assert diff < 1e-12, f"{name}: the learning rate used per step is not update_lr per epoch"
    max_diffs[f"rate used per step, {name}"] = diff

# %%
def batches_in_order(X, Y, epoch):
    """The batches model.fit(shuffle=False, batch_size=32) makes: consecutive columns."""
    return [(X[:, k:k + batch_size], Y[:, k:k + batch_size]) for k in range(0, m, batch_size)]


gd = nn.Optimizer(init=lambda p: None, name="numpy GD",
                  step=lambda p, g, s, t, lr: ({k: v - lr * g["d" + k] for k, v in p.items()}, s))
run = nn.train(X, Y, [2, 16, 8, 1], gd, num_epochs=fit_epochs, make_batches=batches_in_order,
               schedule=lambda epoch_num: update_lr(lr0, epoch_num, r), seed=0, progress=False)
for name, params in [("schedule object", params_schedule), ("LearningRateScheduler", params_callback)]:
    diff = tf_helpers.max_abs_diff(run.parameters, params)
    print(f"{name:>22}: after {fit_epochs * steps_per_epoch} updates, max |W_numpy - W_keras| = {diff:.2e}")
    assert diff < 1e-10, f"{name}: Keras and numpy weights disagree"
    max_diffs[f"weights, {name}"] = diff

# %% [markdown]
# ## Summary
#
# | numpy (graded notebook) | Keras |
# |---|---|
# | `update_lr(a0, epoch, r)` | `InverseTimeDecay(a0, decay_steps=steps_per_epoch, decay_rate=r, staircase=True)` |
# | `schedule_lr_decay(a0, epoch, r, T)` | `InverseTimeDecay(a0, steps_per_epoch * T, r, staircase=True)`, or `PiecewiseConstantDecay` with boundaries `steps_per_epoch * T * j - 1` |
# | `exponential_decay(a0, epoch, 0.95)` | `ExponentialDecay(a0, steps_per_epoch, decay_rate=0.95, staircase=True)` |
# | `inverse_sqrt_decay(a0, epoch, k)` | a `LearningRateSchedule` subclass (none built in) |
# | `cosine_warmup(a0, step / spe, W, D, a_min)` | `CosineDecay(0, spe * D, alpha=a_min / a0, warmup_target=a0, warmup_steps=spe * W)` |
# | schedule called with the epoch (from 0) | `LearningRateScheduler(lambda epoch, lr: ...)`, epoch from 0 |
# | decay per update (the mistake) | a schedule object with `decay_steps=1` |
#
# Schedule objects count optimizer steps from 0; convert epochs to steps with
# `steps_per_epoch = ceil(m / batch_size)`. Pass `np.float64` rates when training in float64.

# %%
for name, diff in max_diffs.items():
    print(f"{name:>45}: {diff:.1e}")
