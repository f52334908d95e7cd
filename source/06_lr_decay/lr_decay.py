# %% [markdown]
# # Chapter 06 — Learning-rate decay
#
# *Optimization for Deep Learning* · graded notebook
#
# **What you will build**
# 1. `update_lr`: the notes' inverse-time decay $\alpha = \alpha_0 / (1 + \text{decay\_rate} \cdot
#    \text{epoch\_num})$.
# 2. `schedule_lr_decay`: the same decay applied in steps, once every `time_interval` epochs.
# 3. `exponential_decay` and `inverse_sqrt_decay`: the two other formulas of the lecture.
# 4. `train_with_decay`: a mini-batch training loop that sets the learning rate **once per
#    epoch**, the place where most decay bugs live.
#
# Then you train the same network on the two moons with and without decay and watch the
# decayed run settle while the constant one keeps bouncing.
#
# **How to work.** Write your code where a cell says `YOUR CODE HERE` (delete the
# `raise NotImplementedError` line). Run the test cell under each exercise: a failing test
# tells you what is most likely wrong. Some tests are hidden and run only when your work is
# graded; they check the same ideas on other values, so write general code.

# %% [markdown]
# ## 1. Why decay the learning rate?
#
# Mini-batch gradient descent follows the gradient of a *different* mini-batch at every
# step, so each step is the true direction plus noise. Far from the minimum the true
# direction dominates and a large learning rate $\alpha$ makes fast progress. Near the minimum
# the true gradient is small, the noise is not, and every step has length about
# $\alpha \times$ noise: with a constant $\alpha$ the parameters keep wandering in a cloud
# around the minimum and never settle.
#
# **Learning-rate decay** (학습률 감소) shrinks $\alpha$ as training goes on: big steps early,
# while they help, and small steps late, so the cloud around the minimum shrinks and the
# parameters settle. The notes put the dilemma this way: a rate that is too large never
# finds the optimum, one that is too small takes far too long; decay uses both in turn.
#
# Decay is counted in **epochs** (에포크): *1 epoch = 1 pass through the data*. With $m$
# examples and mini-batches of size $b$, one epoch is $\lceil m / b \rceil$ updates (optimizer
# steps). The learning rate changes *between* epochs and stays constant during one.
#
# **The formulas of the lecture.** With $\alpha_0$ the initial rate:
#
# | name | rate used in epoch `epoch_num` |
# |---|---|
# | inverse-time decay (the notes' formula) | $\alpha = \dfrac{\alpha_0}{1 + \text{decay\_rate} \cdot \text{epoch\_num}}$ |
# | exponential decay (지수 감소) | $\alpha = 0.95^{\,\text{epoch\_num}} \cdot \alpha_0$ |
# | inverse square root | $\alpha = \dfrac{k}{\sqrt{\text{epoch\_num}}} \cdot \alpha_0$ |
# | step / staircase decay (계단식 감소) | $\alpha$ drops only every `time_interval` epochs |
# | manual decay (수동 감소) | watch training and lower $\alpha$ by hand (e.g. halve it) when progress stalls |
#
# Manual decay works when you train one model for days and can watch it; with many models
# an automatic schedule is the practical choice. Either way, Andrew Ng ranks decay low among
# the hyperparameters to tune: first find a good $\alpha_0$, then try a schedule.
#
# **The notes' table** ($\alpha_0 = 0.2$, decay_rate $= 1$):
#
# | epoch_num | 1 | 2 | 3 | 4 |
# |---|---|---|---|---|
# | $\alpha$ | 0.1 | 0.067 | 0.05 | 0.04 |
#
# **Epochs count from 0 in this course**, as in Python's `range`, in `course.nn.train` and in
# Keras: `epoch_num` is the number of epochs already completed. The first pass over the data
# is `epoch_num = 0` and uses $\alpha_0 = 0.2$ itself; the table's `epoch_num = 1` is the
# second pass.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

from course import data, nn, plots
from course.testing import check_close, fresh

# %matplotlib inline

# %% [markdown]
# ## 2. Exercise 1: inverse-time decay
#
# $$\alpha = \frac{\alpha_0}{1 + \text{decay\_rate} \cdot \text{epoch\_num}}$$
#
# At `epoch_num = 0` this is $\alpha_0$; a larger `decay_rate` makes the rate fall faster.
# Mind the brackets: the whole $1 + \text{decay\_rate} \cdot \text{epoch\_num}$ is the
# denominator.

# %% solution="update_lr"
def update_lr(learning_rate0, epoch_num, decay_rate):
    """Inverse-time learning-rate decay.

    Arguments:
    learning_rate0 -- the initial learning rate alpha_0 (a float)
    epoch_num -- the epoch number, an int >= 0 (epochs already completed; 0 is the first pass)
    decay_rate -- how fast the rate falls (a float >= 0)

    Returns:
    learning_rate -- alpha_0 / (1 + decay_rate * epoch_num), a float
    """
    ### BEGIN SOLUTION
    learning_rate = learning_rate0 / (1 + decay_rate * epoch_num)
    return learning_rate
    ### END SOLUTION


# %% test="test_update_lr_notes_table" points=2
"""Checks the notes' table: alpha_0 = 0.2, decay_rate = 1 gives 0.1, 0.067, 0.05, 0.04 for epochs 1-4."""
_epochs = [1, 2, 3, 4]
_got = [update_lr(0.2, _e, 1) for _e in _epochs]
_table = [0.1, 0.067, 0.05, 0.04]  # the notes, rounded to 2-3 digits
_exact = [0.2 / 2, 0.2 / 3, 0.2 / 4, 0.2 / 5]  # 0.2 / (1 + 1 * epoch_num), by hand
_mistakes = {
    "the rate grows: you multiplied alpha_0 by (1 + decay_rate * epoch_num) instead of "
    "dividing by it.": [0.2 * (1 + _e) for _e in _epochs],
    "the table is shifted by one epoch (you used epoch_num + 1): epoch_num is used as given, "
    "and epoch 1 gives 0.2 / 2 = 0.1.": [0.2 / (2 + _e) for _e in _epochs],
    "the table is shifted back by one epoch: did you use epoch_num - 1, or forget the '1 +' "
    "in the denominator?": [0.2 / _e for _e in _epochs],
    "operator precedence: alpha_0 / (1 + decay_rate) * epoch_num divides by (1 + decay_rate) "
    "and then multiplies by epoch_num; bracket the whole denominator.":
        [0.2 / 2 * _e for _e in _epochs],
}
check_close(_got, _table, "update_lr(0.2, epoch, 1) for epochs 1-4", rtol=0, atol=6e-4,
            mistakes=_mistakes)
check_close(_got, _exact, "update_lr(0.2, epoch, 1) for epochs 1-4 (exact fractions)",
            mistakes=_mistakes)
print("Correct: the notes' table 0.1, 0.067, 0.05, 0.04.")

# %% test="test_update_lr_other_values" points=1
"""Checks epoch 0 gives alpha_0 and another alpha_0 and decay_rate give the right rates."""
_epochs = [0, 1, 2, 6, 10]
_got = [update_lr(0.5, _e, 0.25) for _e in _epochs]
# 0.5 / (1 + 0.25 e): 0.5/1, 0.5/1.25 = 0.4, 0.5/1.5, 0.5/2.5 = 0.2, 0.5/3.5
_expected = [0.5, 0.4, 1 / 3, 0.2, 1 / 7]
check_close(_got, _expected, "update_lr(0.5, epoch, 0.25) for epochs 0, 1, 2, 6, 10", mistakes={
    "the rate grows: divide alpha_0 by (1 + decay_rate * epoch_num), do not multiply.":
        [0.5 * (1 + 0.25 * _e) for _e in _epochs],
    "decay_rate multiplies alpha_0 (alpha_0 * decay_rate / (1 + epoch_num)); it belongs in "
    "the denominator, next to epoch_num.": [0.5 * 0.25 / (1 + _e) for _e in _epochs],
    "you divided epoch_num by decay_rate; multiply them: 1 + decay_rate * epoch_num.":
        [0.5 / (1 + _e / 0.25) for _e in _epochs],
    "decay_rate is ignored: alpha_0 / (1 + epoch_num).": [0.5 / (1 + _e) for _e in _epochs],
    "epoch shifted by one (epoch_num + 1): epoch 0 must give alpha_0 itself.":
        [0.5 / (1 + 0.25 * (_e + 1)) for _e in _epochs],
})
print("Correct: epoch 0 gives alpha_0, and the decay rate scales the epoch number.")

# %% test="test_update_lr_hidden" points=1
"""Checks other initial rates, decay rates and large epoch numbers (more cases are hidden)."""
# Visible part: 1 / (1 + 1 * 3) = 0.25.
check_close(update_lr(1.0, 3, 1.0), 0.25, "update_lr(1.0, 3, 1.0)")
### BEGIN HIDDEN TESTS
for _a0, _r in [(0.01, 3.0), (1.5, 0.001), (0.3, 0.0)]:
    for _e in [0, 1, 7, 250, 9999]:
        check_close(update_lr(_a0, _e, _r), _a0 * (1 + _r * _e) ** -1.0,
                    f"update_lr({_a0}, {_e}, {_r})",
                    hint="Expected alpha_0 / (1 + decay_rate * epoch_num).")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Exercise 2: staircase decay
#
# With thousands of epochs (or when `epoch_num` really counts small chunks of data) the
# rate should not change at every epoch. **Staircase** decay holds it constant for
# `time_interval` epochs, then drops it:
#
# $$\alpha = \frac{\alpha_0}{1 + \text{decay\_rate} \cdot \left\lfloor \dfrac{\text{epoch\_num}}
# {\text{time\_interval}} \right\rfloor}$$
#
# The floor $\lfloor \cdot \rfloor$ counts how many *whole* intervals have passed: epochs 0 to
# 999 give 0, epochs 1000 to 1999 give 1, and epoch 2999 still gives 2. Use
# `epoch_num // time_interval` or `math.floor(epoch_num / time_interval)`, and apply it to
# the epoch count only, not to the learning rate.

# %% solution="schedule_lr_decay"
def schedule_lr_decay(learning_rate0, epoch_num, decay_rate, time_interval=1000):
    """Staircase (step) learning-rate decay: the rate drops once every time_interval epochs.

    Arguments:
    learning_rate0 -- the initial learning rate alpha_0 (a float)
    epoch_num -- the epoch number, an int >= 0
    decay_rate -- how much the rate falls at each drop (a float >= 0)
    time_interval -- number of epochs between two drops (an int >= 1)

    Returns:
    learning_rate -- alpha_0 / (1 + decay_rate * floor(epoch_num / time_interval)), a float
    """
    ### BEGIN SOLUTION
    steps_done = epoch_num // time_interval
    learning_rate = learning_rate0 / (1 + decay_rate * steps_done)
    return learning_rate
    ### END SOLUTION


# %% test="test_schedule_lr_decay_steps" points=2
"""Checks the staircase with the default interval of 1000 epochs, including epochs 999, 1000 and 2999."""
_epochs = [0, 999, 1000, 1500, 1999, 2000, 2999, 3000]
_got = [schedule_lr_decay(0.2, _e, 1) for _e in _epochs]
# whole intervals passed: 0, 0, 1, 1, 1, 2, 2, 3 -> 0.2/1, 0.2/1, 0.2/2, ..., 0.2/3, 0.2/3, 0.2/4
_expected = [0.2, 0.2, 0.1, 0.1, 0.1, 0.2 / 3, 0.2 / 3, 0.05]
check_close(_got, _expected, "schedule_lr_decay(0.2, epoch, 1) for epochs " + str(_epochs),
            mistakes={
    "no floor: epoch_num / time_interval is a fraction (epoch 1500 gives 1.5); the rate "
    "must stay constant for the whole interval, use epoch_num // time_interval.":
        [0.2 / (1 + _e / 1000) for _e in _epochs],
    "every rate is 0: the floor was applied to the learning rate, floor(alpha_0 / (...)); "
    "floor only epoch_num / time_interval.": [0.0] * len(_epochs),
    "the drop comes too early: you rounded up (ceil) or to the nearest integer (round); "
    "count whole intervals with a floor.": [0.2 / (1 + math.ceil(_e / 1000)) for _e in _epochs],
    "the drop comes one epoch early: (epoch_num + 1) // time_interval; epoch 999 is still "
    "in the first interval.": [0.2 / (1 + (_e + 1) // 1000) for _e in _epochs],
    "time_interval is ignored: that is update_lr, decaying every epoch.":
        [0.2 / (1 + _e) for _e in _epochs],
})
print("Correct: constant for 1000 epochs, then a drop; epoch 2999 still uses floor = 2.")

# %% test="test_schedule_lr_decay_interval" points=1
"""Checks a short interval (3 epochs) with alpha_0 = 1 and decay_rate = 0.5, epochs not divisible by 3."""
_epochs = list(range(10))
_got = [schedule_lr_decay(1.0, _e, 0.5, time_interval=3) for _e in _epochs]
# floor(e / 3) = 0,0,0,1,1,1,2,2,2,3 -> 1/1, 1/1.5, 1/2, 1/2.5
_expected = [1.0] * 3 + [1 / 1.5] * 3 + [0.5] * 3 + [0.4]
check_close(_got, _expected, "schedule_lr_decay(1.0, epoch, 0.5, time_interval=3), epochs 0-9",
            mistakes={
    "no floor: epoch_num / time_interval is a fraction; use epoch_num // time_interval.":
        [1 / (1 + 0.5 * _e / 3) for _e in _epochs],
    "time_interval is ignored: did you keep the default 1000 instead of the argument?":
        [1.0] * 10,
    "you multiplied epoch_num by time_interval; divide (and floor) instead.":
        [1 / (1 + 0.5 * _e * 3) for _e in _epochs],
    "the rate grows: divide alpha_0 by (1 + decay_rate * floor(...)), do not multiply.":
        [1 + 0.5 * (_e // 3) for _e in _epochs],
})
print("Correct: the rate drops at epochs 3, 6 and 9 only.")

# %% test="test_schedule_lr_decay_hidden" points=1
"""Checks other intervals, rates and epochs next to each boundary (more cases are hidden)."""
# Visible part: floor(5 / 2) = 2 intervals passed, so 0.5 / (1 + 1 * 2) = 1/6.
check_close(schedule_lr_decay(0.5, 5, 1.0, time_interval=2), 0.5 / 3,
            "schedule_lr_decay(0.5, 5, 1.0, time_interval=2)")
### BEGIN HIDDEN TESTS
for _a0, _r, _T in [(0.05, 2.0, 7), (0.8, 0.1, 1), (0.3, 1.0, 250)]:
    for _e in [0, _T - 1, _T, _T + 1, 3 * _T - 1, 3 * _T, 10 * _T + _T // 2]:
        _whole = sum(1 for _k in range(1, _e + 1) if _k % _T == 0)  # boundaries passed, counted
        check_close(schedule_lr_decay(_a0, _e, _r, time_interval=_T), _a0 / (1 + _r * _whole),
                    f"schedule_lr_decay({_a0}, {_e}, {_r}, time_interval={_T})",
                    hint="Count whole intervals, epoch_num // time_interval: an epoch just "
                         "before a boundary still belongs to the previous interval.")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Exercise 3: exponential decay
#
# $$\alpha = \text{base}^{\,\text{epoch\_num}} \cdot \alpha_0, \qquad \text{base} = 0.95 \text{ by default}$$
#
# Each epoch multiplies the rate by the same factor: 0.95 takes 5% off per epoch, and
# `base=0.5` halves it every epoch (the notes' "halve it each epoch" idea).

# %% solution="exponential_decay"
def exponential_decay(learning_rate0, epoch_num, base=0.95):
    """Exponential learning-rate decay.

    Arguments:
    learning_rate0 -- the initial learning rate alpha_0 (a float)
    epoch_num -- the epoch number, an int >= 0
    base -- the factor applied per epoch, 0 < base < 1 (0.95 in the lecture)

    Returns:
    learning_rate -- base ** epoch_num * alpha_0, a float
    """
    ### BEGIN SOLUTION
    return base**epoch_num * learning_rate0
    ### END SOLUTION


# %% test="test_exponential_decay" points=1
"""Checks 0.95 ** epoch * alpha_0 for epochs 0, 1, 2, 10, and base=0.5 halving every epoch."""
_epochs = [0, 1, 2, 10]
_got = [exponential_decay(0.2, _e) for _e in _epochs]
# 0.2, 0.2 * 0.95 = 0.19, 0.19 * 0.95 = 0.1805, then ten factors 0.95 multiplied one by one
_expected = [0.2, 0.19, 0.1805, 0.2 * np.prod([0.95] * 10)]
check_close(_got, _expected, "exponential_decay(0.2, epoch) for epochs 0, 1, 2, 10", mistakes={
    "base and exponent swapped: epoch_num ** base; the epoch goes in the exponent, "
    "base ** epoch_num.": [_e**0.95 * 0.2 for _e in _epochs],
    "epoch shifted by one: epoch 0 must give alpha_0 itself (base ** 0 = 1).":
        [0.95 ** (_e + 1) * 0.2 for _e in _epochs],
    "the rate does not depend on the epoch like a power: did you write base * epoch_num?":
        [0.95 * _e * 0.2 for _e in _epochs],
})
check_close([exponential_decay(1.0, _e, base=0.5) for _e in range(4)], [1.0, 0.5, 0.25, 0.125],
            "exponential_decay(1.0, epoch, base=0.5) for epochs 0-3",
            hint="Is the base argument used (not a fixed 0.95)?")
### BEGIN HIDDEN TESTS
for _a0, _b in [(0.03, 0.99), (2.0, 0.8)]:
    for _e in [0, 3, 17, 100]:
        _want = _a0
        for _ in range(_e):
            _want *= _b  # one factor per epoch
        check_close(exponential_decay(_a0, _e, base=_b), _want,
                    f"exponential_decay({_a0}, {_e}, base={_b})")
### END HIDDEN TESTS
print("Correct: exponential decay.")

# %% [markdown]
# ## 5. Exercise 4: inverse square-root decay
#
# $$\alpha = \frac{k}{\sqrt{\text{epoch\_num}}} \cdot \alpha_0$$
#
# $k$ is a constant you choose. The rate falls like $1/\sqrt{t}$: more slowly than
# inverse-time decay. In the lecture epochs count from 1, but ours count from 0 and
# $1/\sqrt{0}$ is infinite. **Convention of this course:** epoch 0 uses the same rate as
# epoch 1, $k \cdot \alpha_0$, i.e. use $\sqrt{\max(\text{epoch\_num}, 1)}$.

# %% solution="inverse_sqrt_decay"
def inverse_sqrt_decay(learning_rate0, epoch_num, k):
    """Inverse square-root learning-rate decay.

    Arguments:
    learning_rate0 -- the initial learning rate alpha_0 (a float)
    epoch_num -- the epoch number, an int >= 0; epoch 0 is treated like epoch 1
    k -- the constant of the formula (a float > 0)

    Returns:
    learning_rate -- k / sqrt(max(epoch_num, 1)) * alpha_0, a float (k * alpha_0 at epoch 0)
    """
    ### BEGIN SOLUTION
    return k / math.sqrt(max(epoch_num, 1)) * learning_rate0
    ### END SOLUTION


# %% test="test_inverse_sqrt_decay" points=1
"""Checks k / sqrt(epoch) * alpha_0 at perfect squares (epochs 1, 4, 9, 16) and another k."""
_epochs = [1, 4, 9, 16]
_got = [inverse_sqrt_decay(0.2, _e, 1.0) for _e in _epochs]
_expected = [0.2, 0.1, 0.2 / 3, 0.05]  # sqrt = 1, 2, 3, 4
check_close(_got, _expected, "inverse_sqrt_decay(0.2, epoch, k=1) for epochs 1, 4, 9, 16",
            mistakes={
    "no square root: k / epoch_num * alpha_0 is inverse-time decay.":
        [0.2 / _e for _e in _epochs],
    "the rate grows: k * sqrt(epoch_num) * alpha_0; divide by the square root.":
        [0.2 * _e**0.5 for _e in _epochs],
    "epoch shifted by one: sqrt(epoch_num + 1); epoch 4 must give alpha_0 / 2.":
        [0.2 / (_e + 1) ** 0.5 for _e in _epochs],
})
_got = [inverse_sqrt_decay(0.1, _e, 0.5) for _e in [1, 25, 100]]
check_close(_got, [0.05, 0.01, 0.005], "inverse_sqrt_decay(0.1, epoch, k=0.5) for epochs 1, 25, 100",
            mistakes={"k is ignored: multiply by k.": [0.1, 0.02, 0.01],
                      "k is under the square root: k / sqrt(epoch) has k outside.":
                          [0.1 / (1 / 0.5) ** 0.5, 0.1 / (25 / 0.5) ** 0.5, 0.1 / (100 / 0.5) ** 0.5]})
### BEGIN HIDDEN TESTS
for _a0, _k in [(0.3, 2.0), (0.01, 0.1)]:
    for _e in [2, 3, 49, 1000]:
        check_close(inverse_sqrt_decay(_a0, _e, _k), _a0 * _k * _e**-0.5,
                    f"inverse_sqrt_decay({_a0}, {_e}, {_k})")
### END HIDDEN TESTS
print("Correct: inverse square-root decay.")

# %% test="test_inverse_sqrt_epoch_zero" points=1
"""Checks epoch 0 gives k * alpha_0 (like epoch 1), not a division by zero."""
try:
    _got = inverse_sqrt_decay(0.2, 0, 1.5)
except ZeroDivisionError:
    raise AssertionError("inverse_sqrt_decay(0.2, 0, 1.5) divided by sqrt(0) = 0: epochs count "
                         "from 0 here, so use sqrt(max(epoch_num, 1)).") from None
check_close(_got, 0.3, "inverse_sqrt_decay(0.2, 0, k=1.5)",
            hint="Epoch 0 uses the rate of epoch 1: k * alpha_0 = 1.5 * 0.2 = 0.3 "
                 "(sqrt(max(epoch_num, 1)) avoids dividing by sqrt(0)).",
            mistakes={"epoch 0 returned alpha_0; the convention is the rate of epoch 1, "
                      "k * alpha_0.": 0.2})
# the guard must change epoch 0 only: epoch 1 is still k / sqrt(1) * alpha_0 = 0.3
check_close(inverse_sqrt_decay(0.2, 1, 1.5), 0.3, "inverse_sqrt_decay(0.2, 1, k=1.5)",
            mistakes={"sqrt(epoch_num + 1) shifts every epoch; only epoch 0 needs the "
                      "max(epoch_num, 1) guard.": 0.3 / 2**0.5})
print("Correct: epoch 0 uses k * alpha_0.")

# %% [markdown]
# ## 6. The schedules side by side
#
# Below, every schedule starts from $\alpha_0 = 0.2$ over 60 epochs (the staircase drops
# every 10 epochs). The last curve is an **optional extension** (not graded): a linear
# **warm-up** followed by **cosine decay**, popular for large models. Warm-up starts tiny and
# grows to $\alpha_0$ over the first epochs, so that the first updates, made with random
# weights and large gradients, do not throw the network far away; cosine decay then lowers
# the rate along half a cosine wave to $\alpha_{\min}$:
#
# $$\alpha = \alpha_0 \frac{\text{epoch\_num}}{W} \ (\text{epoch\_num} < W), \qquad
# \alpha = \alpha_{\min} + (\alpha_0 - \alpha_{\min}) \cdot \tfrac12 \left(1 + \cos\frac{\pi\,
# \min(\text{epoch\_num} - W,\ D)}{D}\right) \ \text{after}.$$

# %%
def cosine_warmup(learning_rate0, epoch_num, warmup_epochs, decay_epochs, alpha_min=0.0):
    """OPTIONAL (not graded): linear warm-up from 0 to alpha_0, then cosine decay to alpha_min.

    The same formula as keras.optimizers.schedules.CosineDecay(initial_learning_rate=0,
    warmup_target=learning_rate0, alpha=alpha_min / learning_rate0, ...).
    """
    if epoch_num < warmup_epochs:
        return learning_rate0 * epoch_num / warmup_epochs
    progress = min(epoch_num - warmup_epochs, decay_epochs) / decay_epochs
    return alpha_min + (learning_rate0 - alpha_min) * 0.5 * (1 + math.cos(math.pi * progress))


epochs = np.arange(60)
schedules = {
    "inverse time: update_lr(0.2, e, 0.1)": [update_lr(0.2, e, 0.1) for e in epochs],
    "staircase: schedule_lr_decay(0.2, e, 0.5, 10)":
        [schedule_lr_decay(0.2, e, 0.5, time_interval=10) for e in epochs],
    "exponential: exponential_decay(0.2, e)": [exponential_decay(0.2, e) for e in epochs],
    "1/sqrt: inverse_sqrt_decay(0.2, e, 1)": [inverse_sqrt_decay(0.2, e, 1.0) for e in epochs],
    "OPTIONAL cosine, 5 warm-up epochs": [cosine_warmup(0.2, e, 5, 55) for e in epochs],
}
fig, ax = plt.subplots(figsize=(9, 4))
for label, rates in schedules.items():
    ax.plot(epochs, rates, drawstyle="steps-post", label=label,
            ls="--" if label.startswith("OPTIONAL") else "-")
ax.set(xlabel="epoch_num", ylabel="learning rate", title="Learning-rate schedules, alpha_0 = 0.2")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# The rate is drawn as steps because it is constant *within* each epoch. Inverse-time
# decay falls fast at first and then slowly; exponential decay keeps cutting the same 5% per
# epoch, so it ends lowest; $1/\sqrt{t}$ falls the slowest; the staircase waits, then drops.

# %% [markdown]
# ## 7. Exercise 5: where the decay goes in a training loop
#
# The formula is one line; the classic bugs are in the loop around it. The rate must be
# computed **once per epoch**, from the **epoch number**, and then used for every mini-batch
# of that epoch. A loop that calls the schedule with the update counter `t` (which grows by
# one per mini-batch) decays $\lceil m/b \rceil$ times too fast: with 1,000 mini-batches per
# epoch, `update_lr(a0, t, 1)` has divided the rate by 1,001 by the end of the first epoch.
#
# Write `train_with_decay`. The cell below gives you `mini_batches` (chapter 01's recipe) and
# the network functions come from `course.nn`:
#
# ```text
# parameters = nn.initialize_parameters(layers_dims, seed=seed)
# for epoch_num in 0, 1, ..., num_epochs - 1:
#     learning_rate = schedule(epoch_num)                        # once per epoch
#     for X_t, Y_t in mini_batches(X, Y, mini_batch_size, seed=seed + epoch_num):
#         AL, caches = nn.forward(X_t, parameters)
#         cost = nn.compute_cost(AL, Y_t)
#         grads = nn.backward(AL, Y_t, parameters, caches)
#         W := W - learning_rate * dW,  b := b - learning_rate * db  (every layer)
#         record cost and learning_rate
# ```
#
# `schedule` is any function of the epoch number, for example
# `lambda epoch_num: update_lr(0.2, epoch_num, 1.0)`.
#
# (Decaying at every step is not wrong in itself: the lecture also writes $k/\sqrt{t}$ with
# $t$ the mini-batch number, and Keras' schedules count steps. But then the schedule is
# designed and tuned in steps. Feeding a per-epoch schedule the step counter is the bug.)

# %%
def mini_batches(X, Y, mini_batch_size, seed):
    """Shuffled mini-batches (given, not graded): one permutation, full batches, then the rest."""
    m = X.shape[1]
    permutation = np.random.default_rng(seed).permutation(m)
    return [(X[:, permutation[k:k + mini_batch_size]], Y[:, permutation[k:k + mini_batch_size]])
            for k in range(0, m, mini_batch_size)]


# %% solution="train_with_decay"
def train_with_decay(X, Y, layers_dims, schedule, num_epochs, mini_batch_size=64, seed=0):
    """Mini-batch gradient descent whose learning rate is set once per epoch by `schedule`.

    Arguments:
    X -- inputs, shape (n_x, m); Y -- labels, shape (1, m)
    layers_dims -- layer sizes [n_x, n_1, ..., 1] for nn.initialize_parameters(layers_dims, seed=seed)
    schedule -- function epoch_num -> learning rate, called with epoch_num = 0, 1, ..., num_epochs - 1
    num_epochs -- number of passes through the data
    mini_batch_size -- examples per mini-batch; epoch epoch_num uses
                       mini_batches(X, Y, mini_batch_size, seed=seed + epoch_num)
    seed -- seed of the initial weights and of the shuffles

    Returns:
    parameters -- the trained parameters {"W1", "b1", ...}
    costs -- list, the mini-batch cost of every update, in order
    learning_rates -- list, the learning rate used by every update, in order (same length)
    """
    ### BEGIN SOLUTION
    parameters = nn.initialize_parameters(layers_dims, seed=seed)
    L = len(parameters) // 2
    costs, learning_rates = [], []
    for epoch_num in range(num_epochs):
        learning_rate = schedule(epoch_num)
        for X_t, Y_t in mini_batches(X, Y, mini_batch_size, seed=seed + epoch_num):
            AL, caches = nn.forward(X_t, parameters)
            costs.append(nn.compute_cost(AL, Y_t))
            grads = nn.backward(AL, Y_t, parameters, caches)
            for l in range(1, L + 1):
                parameters[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
                parameters[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
            learning_rates.append(learning_rate)
    return parameters, costs, learning_rates
    ### END SOLUTION


# %% [markdown]
# The tests train on 10 examples with mini-batches of 4, so every epoch has 3 updates (4, 4
# and 2 examples), and give `train_with_decay` a schedule they wrote themselves. `replay`
# below is the tests' own training loop: it applies a given list of per-update rates, so the
# tests can check that the rates you record are the rates you used.

# %% readonly="checkers_lr_decay_training"
def replay(X, Y, layers_dims, rates_per_epoch, mini_batch_size, seed):
    """The reference loop of the tests: epoch e uses rates_per_epoch[e] for all its updates."""
    params = nn.initialize_parameters(layers_dims, seed=seed)
    for e, lr in enumerate(rates_per_epoch):
        for X_t, Y_t in mini_batches(X, Y, mini_batch_size, seed=seed + e):
            AL, caches = nn.forward(X_t, params)
            grads = nn.backward(AL, Y_t, params, caches)
            params = {k: v - lr * grads["d" + k] for k, v in params.items()}
    return params


def check_rates_per_update(rates, schedule, num_epochs, per_epoch):
    """The rates of every update: constant within an epoch, schedule(epoch_num) from epoch 0."""
    n = num_epochs * per_epoch
    assert isinstance(rates, list | tuple | np.ndarray), (
        "train_with_decay should return (parameters, costs, learning_rates) with learning_rates "
        "a list.")
    assert len(rates) == n, (
        f"learning_rates has {len(rates)} entries, expected {n}: one per update, "
        f"{per_epoch} mini-batches per epoch x {num_epochs} epochs. Append the rate inside the "
        "mini-batch loop.")
    expected = [schedule(e) for e in range(num_epochs) for _ in range(per_epoch)]
    check_close(rates, expected, "the learning rate of each update", mistakes={
        "decay applied per update: you called schedule with the update counter (0, 1, 2, ...), "
        "so the rate changes within an epoch. Call schedule(epoch_num) once per epoch.":
            [schedule(t) for t in range(n)],
        "decay applied per update: you called schedule with the update counter t (1, 2, 3, "
        "...), so the rate changes within an epoch. Call schedule(epoch_num) once per epoch.":
            [schedule(t) for t in range(1, n + 1)],
        "epochs counted from 1: the first epoch must use schedule(0) (alpha_0), as Python's "
        "range, nn.train and Keras count epochs from 0.":
            [schedule(e + 1) for e in range(num_epochs) for _ in range(per_epoch)],
        "the rate never changes: call schedule(epoch_num) at the start of every epoch, inside "
        "the epoch loop, not once before it.": [schedule(0)] * n,
    })


_X, _Y = data.load_moons(m=10, noise=0.2, seed=4)
_dims = [2, 3, 1]


# %% test="test_train_rate_per_epoch" points=2
"""Checks the rate is schedule(epoch_num): constant within each epoch, changing between epochs."""
def _schedule(epoch_num):
    return 0.2 / (1 + 1.0 * epoch_num)  # the notes' decay, written out


_params, _costs, _rates = train_with_decay(fresh(_X), fresh(_Y), _dims, _schedule, num_epochs=4,
                                           mini_batch_size=4, seed=0)
# expected: 0.2, 0.2, 0.2 | 0.1, 0.1, 0.1 | 0.0667 x 3 | 0.05 x 3
check_rates_per_update(_rates, _schedule, num_epochs=4, per_epoch=3)
assert len(_costs) == 12, f"costs has {len(_costs)} entries, expected 12 (one per update)."
print("Correct: one rate per epoch, used for all 3 mini-batches of that epoch.")

# %% test="test_train_uses_the_rate" points=1
"""Checks the trained weights equal those of a reference loop with the same per-epoch rates."""
def _schedule(epoch_num):
    assert epoch_num in (0, 1, 2), (
        f"schedule was called with {epoch_num}, but there are only 3 epochs (0, 1, 2): call it "
        "with the epoch number, not the update counter or epoch_num + 1.")
    return [0.5, 0.05, 0.3][epoch_num]  # any rates: the update must use the epoch's rate


_params, _costs, _rates = train_with_decay(fresh(_X), fresh(_Y), _dims, _schedule, num_epochs=3,
                                           mini_batch_size=4, seed=1)
_want = replay(_X, _Y, _dims, [0.5, 0.05, 0.3], mini_batch_size=4, seed=1)
_wrong_first = replay(_X, _Y, _dims, [0.5, 0.5, 0.5], mini_batch_size=4, seed=1)
for _k in _want:
    check_close(_params[_k], _want[_k], f"parameters['{_k}'] after 3 epochs", mistakes={
        "the weights moved with the first epoch's rate throughout: is the new learning rate "
        "passed to the update?": _wrong_first[_k]},
        hint="Start from nn.initialize_parameters(layers_dims, seed=seed), shuffle epoch "
             "epoch_num with seed + epoch_num, and update every layer with the epoch's rate.")
print("Correct: the updates use the epoch's learning rate.")

# %% test="test_train_hidden" points=1
"""Checks a staircase schedule, another batch size and seed (more cases are hidden)."""
# Visible part: 5 examples in batches of 2 give 3 updates per epoch, each at that epoch's rate.
_Xv, _Yv = data.load_moons(m=5, noise=0.3, seed=3)
_, _costs_v, _rates_v = train_with_decay(_Xv, _Yv, [2, 3, 1], lambda e: 1.0 / (1 + e), 2,
                                          mini_batch_size=2, seed=0)
check_close(_rates_v, [1.0, 1.0, 1.0, 0.5, 0.5, 0.5], "learning_rates (one per update)")
### BEGIN HIDDEN TESTS
_X2, _Y2 = data.load_moons(m=7, noise=0.3, seed=9)


def _schedule(epoch_num):
    return 0.4 / (1 + 0.5 * (epoch_num // 2))  # staircase, interval 2


_params, _costs, _rates = train_with_decay(fresh(_X2), fresh(_Y2), [2, 4, 2, 1], _schedule,
                                           num_epochs=5, mini_batch_size=3, seed=5)
check_rates_per_update(_rates, _schedule, num_epochs=5, per_epoch=3)  # batches of 3, 3, 1
_want = replay(_X2, _Y2, [2, 4, 2, 1], [_schedule(_e) for _e in range(5)], 3, seed=5)
for _k in _want:
    check_close(_params[_k], _want[_k], f"parameters['{_k}'] (staircase schedule, 5 epochs)")
### END HIDDEN TESTS

# %% [markdown]
# ## 8. Decay on real data: the two moons
#
# Same network (2 → 16 → 8 → 1), same initial weights, same mini-batches of 32, 150 epochs,
# trained twice: with a constant $\alpha = 2$ and with `update_lr(2, epoch_num, 0.1)`, which
# starts at 2 and ends near $2/16 = 0.13$. We use `course.nn.train`, which runs the loop you
# just wrote (`schedule=` is called with the epoch number) and also records the cost on the
# whole training set after each epoch.

# %%
X_train, Y_train = data.load_moons(m=500, noise=0.25, seed=0)
layers_dims = [2, 16, 8, 1]
gd = nn.Optimizer(init=lambda p: None, name="gradient descent",
                  step=lambda p, g, s, t, lr: ({k: v - lr * g["d" + k] for k, v in p.items()}, s))


def shuffled(size):
    return lambda X, Y, epoch: mini_batches(X, Y, size, seed=epoch)


alpha0, decay_rate, num_epochs = 2.0, 0.1, 150
constant_run = nn.train(X_train, Y_train, layers_dims, gd, learning_rate=alpha0,
                        num_epochs=num_epochs, make_batches=shuffled(32))
decay_run = nn.train(X_train, Y_train, layers_dims, gd, num_epochs=num_epochs,
                     make_batches=shuffled(32),
                     schedule=lambda epoch_num: update_lr(alpha0, epoch_num, decay_rate))
for name, run in [("constant", constant_run), ("decayed ", decay_run)]:
    last = np.array(run.epoch_costs[-30:])
    print(f"{name}: last 30 epochs, cost {last.mean():.4f} +- {last.std():.4f}, "
          f"final rate {run.learning_rates[-1]:.3f}, "
          f"accuracy {nn.accuracy(X_train, Y_train, run.parameters):.1%}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
plots.cost_curves({"constant alpha = 2": constant_run.epoch_costs,
                   "update_lr(2, epoch, 0.1)": decay_run.epoch_costs}, xlabel="epoch",
                  title="Cost on the whole training set", ax=axes[0], logy=True)
plots.cost_curves({"constant": constant_run.epoch_costs[-60:],
                   "decayed": decay_run.epoch_costs[-60:]}, xlabel="epoch (last 60)",
                  title="Zoom on the end: bouncing versus settling", ax=axes[1])
plots.cost_curves({"constant": constant_run.learning_rates, "decayed": decay_run.learning_rates},
                  xlabel="epoch", ylabel="learning rate", title="The learning rate", ax=axes[2])
plt.tight_layout()
plt.show()

# %%
fig, axes = plt.subplots(1, 2, figsize=(8, 3.8))
for ax, (label, run) in zip(axes, [("constant alpha", constant_run), ("decayed alpha", decay_run)]):
    acc = nn.accuracy(X_train, Y_train, run.parameters)
    plots.decision_boundary(lambda P, r=run: nn.predict(P, r.parameters), X_train, Y_train,
                            title=f"{label}: training accuracy {acc:.0%}", ax=ax)
plt.show()

# %% [markdown]
# Early on the two runs are identical (the decayed rate is still close to 2). Later the
# constant run keeps jumping: each mini-batch pushes the weights a full $\alpha = 2$ step in
# its own noisy direction, and the whole-set cost bounces from epoch to epoch. The decayed
# run takes smaller and smaller steps, so the noise averages out and the cost settles lower.
#
# ## 9. The same effect on a 2-D bowl
#
# To *see* the cloud around the minimum, run gradient descent on the elongated bowl
# $f(x, y) = x^2/20 + y^2$ with a noisy gradient (true gradient plus Gaussian noise, as a
# mini-batch gives). We call 10 steps one "epoch" and decay once per epoch, as the loop above
# does. Both runs get exactly the same noise.

# %%
rng = np.random.default_rng(0)
noise = rng.normal(scale=0.5, size=(400, 2))  # drawn once, shared by both runs


def noisy_descent(rate_of_step):
    p, path = np.array([-7.0, 2.0]), []
    for t in range(len(noise)):
        path.append(p.copy())
        p = p - rate_of_step(t) * (data.elongated_bowl(p)[1] + noise[t])
    return np.array(path + [p])


steps_per_epoch = 10
paths = {"constant alpha = 0.4": noisy_descent(lambda t: 0.4),
         "update_lr(0.4, epoch, 0.3), epoch = t // 10":
             noisy_descent(lambda t: update_lr(0.4, t // steps_per_epoch, 0.3))}
fig, axes = plt.subplots(1, 2, figsize=(14, 3.8))
plots.contour_paths(data.elongated_bowl, paths, title="Noisy gradient descent on x^2/20 + y^2",
                    ax=axes[0])
for label, path in paths.items():
    axes[1].plot(np.hypot(path[:, 0], path[:, 1]), lw=1, label=label)
axes[1].set(xlabel="step t", ylabel="distance to the minimum", yscale="log",
            title="Constant rate: stuck in a noisy cloud; decayed: closes in")
axes[1].legend(fontsize=8)
axes[1].grid(alpha=0.3)
plt.show()
for label, path in paths.items():
    print(f"{label}: mean distance to the minimum over the last 100 steps "
          f"{np.hypot(path[-100:, 0], path[-100:, 1]).mean():.3f}")

# %% [markdown]
# The constant rate reaches the minimum's neighbourhood just as fast, then stays in a cloud
# whose size is set by $\alpha \times$ noise. The decayed run shrinks that cloud. Decay has a
# price too: along the flat $x$ direction small steps make slow progress, so decaying too
# fast can stop training before it arrives. That is why `decay_rate` is a hyperparameter.
#
# ## 10. Recap
#
# * **1 epoch = 1 pass through the data**, $\lceil m/b \rceil$ updates. Decay schedules are
#   functions of the epoch number, counted from 0 here: epoch 0 uses $\alpha_0$.
# * Inverse-time decay $\alpha_0 / (1 + \text{decay\_rate} \cdot \text{epoch\_num})$; the
#   notes' table ($\alpha_0 = 0.2$, decay 1): 0.1, 0.067, 0.05, 0.04 for epochs 1-4.
# * Staircase decay floors `epoch_num / time_interval`: the rate is constant for a whole
#   interval, and epoch 2999 with an interval of 1000 still counts 2 intervals.
# * Exponential $0.95^{\text{epoch}} \alpha_0$ and $k\alpha_0/\sqrt{\text{epoch}}$ (epoch 0
#   treated as 1); manual decay by watching the cost; warm-up + cosine for large models.
# * In the loop: compute the rate **once per epoch from the epoch number**, use it for every
#   mini-batch; the update counter $t$ is not the epoch.
# * Why it works: with mini-batches every step is noisy; a smaller rate late in training
#   shrinks the noisy wandering around the minimum so the parameters settle.
#
# Next: the Keras reference notebook of this chapter (`lr_decay_keras.ipynb`) maps each
# schedule to `keras.optimizers.schedules`, which count **optimizer steps** from 0, not
# epochs, and shows `LearningRateScheduler`, which counts epochs.
