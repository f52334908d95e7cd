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
# **The lecture counts epochs from 1**: its epoch 1 is the first pass over the data, so there
# the first pass already uses 0.1. **This course counts epochs from 0**, as Python's `range`,
# `course.nn.train` and Keras do: `epoch_num` is the number of epochs already completed. The
# formula and the table stay the same; what moves is the pass each column belongs to. Here the
# first pass is `epoch_num = 0` and uses $\alpha_0 = 0.2$ itself, and the table's
# `epoch_num = 1` (0.1) is the second pass.

# %%
import math

import matplotlib.pyplot as plt
import numpy as np

from course import data, nn, plots
from course.testing import call, check_close, check_dict_close

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


# %% [markdown]
# The tests call your functions through `call` (`course.testing`), which also checks that they
# leave numpy's global random generator alone, and compare with values worked out by hand. The
# cell below lists, for each decay formula, what classic mistakes return, so a failing test
# can name the mistake.

# %% readonly="checkers_lr_decay_formulas"
def _rates(formula, epochs):
    """formula(e) for every epoch, as floats (inf where a mistake divides by zero)."""
    with np.errstate(all="ignore"):
        return [float(formula(np.float64(e))) for e in epochs]


def update_lr_mistakes(a0, epochs, r):
    """{diagnosis: the rates update_lr(a0, e, r) gives for `epochs` with that mistake}."""
    return {d: _rates(f, epochs) for d, f in {
        "the rate grows: you multiplied alpha_0 by (1 + decay_rate * epoch_num) instead of "
        "dividing by it.": lambda e: a0 * (1 + r * e),
        "epoch shifted by one (epoch_num + 1): epoch_num is used as given; epoch 0 gives "
        "alpha_0 and epoch 1 gives alpha_0 / (1 + decay_rate).": lambda e: a0 / (1 + r * (e + 1)),
        "epoch shifted back by one: did you use epoch_num - 1?": lambda e: a0 / (1 + r * (e - 1)),
        "the '1 +' in the denominator is missing: alpha_0 / (1 + decay_rate * epoch_num).":
            lambda e: a0 / (r * e),
        "operator precedence: alpha_0 / (1 + decay_rate) * epoch_num divides by (1 + "
        "decay_rate) and then multiplies by epoch_num; bracket the whole denominator.":
            lambda e: a0 / (1 + r) * e,
        "decay_rate multiplies alpha_0 (alpha_0 * decay_rate / (1 + epoch_num)); it belongs in "
        "the denominator, next to epoch_num.": lambda e: a0 * r / (1 + e),
        "you divided epoch_num by decay_rate; multiply them: 1 + decay_rate * epoch_num.":
            lambda e: a0 / (1 + e / r),
        "decay_rate is ignored: alpha_0 / (1 + epoch_num).": lambda e: a0 / (1 + e),
    }.items()}


def schedule_lr_decay_mistakes(a0, epochs, r, T):
    """{diagnosis: the rates schedule_lr_decay(a0, e, r, T) gives for `epochs` with that mistake}."""
    return {d: _rates(f, epochs) for d, f in {
        "no floor: epoch_num / time_interval is a fraction (the rate slides every epoch); it "
        "must stay constant for a whole interval: use epoch_num // time_interval.":
            lambda e: a0 / (1 + r * e / T),
        "the floor was applied to the learning rate, floor(alpha_0 / (...)); floor only "
        "epoch_num / time_interval.": lambda e: np.floor(a0 / (1 + r * e / T)),
        "the drop comes too early: you rounded up (ceil); count whole intervals with a floor.":
            lambda e: a0 / (1 + r * np.ceil(e / T)),
        "the drop comes too early: you rounded to the nearest integer; count whole intervals "
        "with a floor.": lambda e: a0 / (1 + r * np.round(e / T)),
        "the drop comes one epoch early: (epoch_num + 1) // time_interval; the epoch just "
        "before a boundary is still in the previous interval.":
            lambda e: a0 / (1 + r * ((e + 1) // T)),
        "time_interval is ignored: that is update_lr, decaying every epoch.":
            lambda e: a0 / (1 + r * e),
        "time_interval is ignored: did you keep the default 1000 instead of the argument?":
            lambda e: a0 / (1 + r * (e // 1000)),
        "you multiplied epoch_num by time_interval; divide (and floor) instead.":
            lambda e: a0 / (1 + r * e * T),
        "the rate grows: divide alpha_0 by (1 + decay_rate * floor(...)), do not multiply.":
            lambda e: a0 * (1 + r * (e // T)),
    }.items()}


def exponential_decay_mistakes(a0, epochs, base):
    """{diagnosis: the rates exponential_decay(a0, e, base) gives for `epochs` with that mistake}."""
    return {d: _rates(f, epochs) for d, f in {
        "base and exponent swapped: epoch_num ** base; the epoch goes in the exponent, "
        "base ** epoch_num.": lambda e: e**base * a0,
        "epoch shifted by one: epoch 0 must give alpha_0 itself (base ** 0 = 1).":
            lambda e: base ** (e + 1) * a0,
        "the rate does not depend on the epoch like a power: did you write base * epoch_num?":
            lambda e: base * e * a0,
        "the base argument is not used: a fixed 0.95 ** epoch_num.": lambda e: 0.95**e * a0,
    }.items()}


def inverse_sqrt_decay_mistakes(a0, epochs, k):
    """{diagnosis: the rates inverse_sqrt_decay(a0, e, k) gives for `epochs` with that mistake}."""
    return {d: _rates(f, epochs) for d, f in {
        "no square root: k / epoch_num * alpha_0 is inverse-time decay.":
            lambda e: k / max(e, 1) * a0,
        "the rate grows: k * sqrt(epoch_num) * alpha_0; divide by the square root.":
            lambda e: k * np.sqrt(e) * a0,
        "epoch shifted by one: sqrt(epoch_num + 1) shifts every epoch; only epoch 0 needs the "
        "max(epoch_num, 1) guard.": lambda e: k / np.sqrt(e + 1) * a0,
        "k is ignored: multiply by k.": lambda e: a0 / np.sqrt(max(e, 1)),
        "k is under the square root: k / sqrt(epoch) has k outside.":
            lambda e: a0 / np.sqrt(max(e, 1) / k),
        "epoch 0 returned alpha_0; the convention is the rate of epoch 1, k * alpha_0.":
            lambda e: a0 if e == 0 else k / np.sqrt(e) * a0,
    }.items()}


SQRT_ZERO = ("epochs count from 0 here, and k / sqrt(0) divides by zero: use "
             "sqrt(max(epoch_num, 1)), so epoch 0 uses the rate of epoch 1.")


def rates_of(func, *args, epochs, **kwargs):
    """[func(*args[0], e, *args[1:], **kwargs) for e in epochs], each through call()."""
    out = []
    for e in epochs:
        try:
            out.append(call(func, args[0], e, *args[1:], **kwargs))
        except AssertionError as err:
            if isinstance(err.__cause__, ZeroDivisionError):
                raise AssertionError(f"{func.__name__} at epoch {e} raised ZeroDivisionError: "
                                     + SQRT_ZERO) from None
            raise
    return out


# %% test="test_update_lr_notes_table" points=2
"""Checks the notes' table: alpha_0 = 0.2, decay_rate = 1 gives 0.1, 0.067, 0.05, 0.04 for epochs 1-4."""
_got = rates_of(update_lr, 0.2, 1, epochs=[1, 2, 3, 4])
_mistakes = update_lr_mistakes(0.2, [1, 2, 3, 4], 1)
check_close(_got, [0.1, 0.067, 0.05, 0.04], "update_lr(0.2, epoch, 1) for epochs 1-4", rtol=0,
            atol=6e-4, mistakes=_mistakes)  # the notes, rounded to 2-3 digits
# exact: 0.2 / (1 + 1 * epoch_num) = 0.2/2, 0.2/3, 0.2/4, 0.2/5
check_close(_got, [0.2 / 2, 0.2 / 3, 0.2 / 4, 0.2 / 5],
            "update_lr(0.2, epoch, 1) for epochs 1-4 (exact fractions)", mistakes=_mistakes)
print("Correct: the notes' table 0.1, 0.067, 0.05, 0.04.")

# %% test="test_update_lr_other_values" points=1
"""Checks epoch 0 gives alpha_0 and another alpha_0 and decay_rate give the right rates."""
_epochs = [0, 1, 2, 6, 10]
# 0.5 / (1 + 0.25 e): 0.5/1, 0.5/1.25 = 0.4, 0.5/1.5, 0.5/2.5 = 0.2, 0.5/3.5
check_close(rates_of(update_lr, 0.5, 0.25, epochs=_epochs), [0.5, 0.4, 1 / 3, 0.2, 1 / 7],
            "update_lr(0.5, epoch, 0.25) for epochs 0, 1, 2, 6, 10",
            mistakes=update_lr_mistakes(0.5, _epochs, 0.25))
print("Correct: epoch 0 gives alpha_0, and the decay rate scales the epoch number.")

# %% test="test_update_lr_hidden" points=1
"""Checks other initial rates, decay rates and large epoch numbers (more cases are hidden)."""
# Visible part: 1 / (1 + 1 * 3) = 0.25.
check_close(rates_of(update_lr, 1.0, 1.0, epochs=[3]), [0.25], "update_lr(1.0, 3, 1.0)",
            mistakes=update_lr_mistakes(1.0, [3], 1.0))
### BEGIN HIDDEN TESTS
for _a0, _r in [(0.01, 3.0), (1.5, 0.001), (0.3, 0.0)]:
    _epochs = [0, 1, 7, 250, 9999]
    check_close(rates_of(update_lr, _a0, _r, epochs=_epochs),
                [_a0 * (1 + _r * _e) ** -1.0 for _e in _epochs],
                f"update_lr({_a0}, epoch, {_r}) for epochs {_epochs}",
                mistakes=update_lr_mistakes(_a0, _epochs, _r),
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
# whole intervals passed: 0, 0, 1, 1, 1, 2, 2, 3 -> 0.2/1, 0.2/1, 0.2/2, ..., 0.2/3, 0.2/3, 0.2/4
check_close(rates_of(schedule_lr_decay, 0.2, 1, epochs=_epochs),
            [0.2, 0.2, 0.1, 0.1, 0.1, 0.2 / 3, 0.2 / 3, 0.05],
            f"schedule_lr_decay(0.2, epoch, 1) for epochs {_epochs}",
            mistakes=schedule_lr_decay_mistakes(0.2, _epochs, 1, 1000))
print("Correct: constant for 1000 epochs, then a drop; epoch 2999 still uses floor = 2.")

# %% test="test_schedule_lr_decay_interval" points=1
"""Checks a short interval (3 epochs) with alpha_0 = 1 and decay_rate = 0.5, epochs not divisible by 3."""
_epochs = list(range(10))
# floor(e / 3) = 0,0,0,1,1,1,2,2,2,3 -> 1/1, 1/1.5, 1/2, 1/2.5
check_close(rates_of(schedule_lr_decay, 1.0, 0.5, epochs=_epochs, time_interval=3),
            [1.0] * 3 + [1 / 1.5] * 3 + [0.5] * 3 + [0.4],
            "schedule_lr_decay(1.0, epoch, 0.5, time_interval=3), epochs 0-9",
            mistakes=schedule_lr_decay_mistakes(1.0, _epochs, 0.5, 3))
print("Correct: the rate drops at epochs 3, 6 and 9 only.")

# %% test="test_schedule_lr_decay_hidden" points=1
"""Checks other intervals, rates and epochs next to each boundary (more cases are hidden)."""
# Visible part: floor(5 / 2) = 2 intervals passed, so 0.5 / (1 + 1 * 2) = 1/6.
check_close(rates_of(schedule_lr_decay, 0.5, 1.0, epochs=[5], time_interval=2), [0.5 / 3],
            "schedule_lr_decay(0.5, 5, 1.0, time_interval=2)",
            mistakes=schedule_lr_decay_mistakes(0.5, [5], 1.0, 2))
### BEGIN HIDDEN TESTS
for _a0, _r, _T in [(0.05, 2.0, 7), (0.8, 0.1, 1), (0.3, 1.0, 250)]:
    _epochs = [0, _T - 1, _T, _T + 1, 3 * _T - 1, 3 * _T, 10 * _T + _T // 2]
    # boundaries passed, counted one by one
    _want = [_a0 / (1 + _r * sum(1 for _k in range(1, _e + 1) if _k % _T == 0)) for _e in _epochs]
    check_close(rates_of(schedule_lr_decay, _a0, _r, epochs=_epochs, time_interval=_T), _want,
                f"schedule_lr_decay({_a0}, epoch, {_r}, time_interval={_T}) for epochs {_epochs}",
                mistakes=schedule_lr_decay_mistakes(_a0, _epochs, _r, _T),
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
# 0.2, 0.2 * 0.95 = 0.19, 0.19 * 0.95 = 0.1805, then ten factors 0.95 multiplied one by one
check_close(rates_of(exponential_decay, 0.2, epochs=[0, 1, 2, 10]),
            [0.2, 0.19, 0.1805, 0.2 * np.prod([0.95] * 10)],
            "exponential_decay(0.2, epoch) for epochs 0, 1, 2, 10",
            mistakes=exponential_decay_mistakes(0.2, [0, 1, 2, 10], 0.95))
check_close(rates_of(exponential_decay, 1.0, epochs=range(4), base=0.5), [1.0, 0.5, 0.25, 0.125],
            "exponential_decay(1.0, epoch, base=0.5) for epochs 0-3",
            mistakes=exponential_decay_mistakes(1.0, range(4), 0.5))
### BEGIN HIDDEN TESTS
for _a0, _b in [(0.03, 0.99), (2.0, 0.8)]:
    _epochs, _want = [0, 3, 17, 100], []
    for _e in _epochs:
        _want.append(_a0)
        for _ in range(_e):
            _want[-1] *= _b  # one factor per epoch
    check_close(rates_of(exponential_decay, _a0, epochs=_epochs, base=_b), _want,
                f"exponential_decay({_a0}, epoch, base={_b}) for epochs {_epochs}",
                mistakes=exponential_decay_mistakes(_a0, _epochs, _b))
### END HIDDEN TESTS
print("Correct: exponential decay.")

# %% [markdown]
# ## 5. Exercise 4: inverse square-root decay
#
# $$\alpha = \frac{k}{\sqrt{\text{epoch\_num}}} \cdot \alpha_0$$
#
# $k$ is a constant you choose. In the long run the rate falls like $1/\sqrt{t}$: more slowly
# than inverse-time decay (section 6 shows that early on it is the lowest). In the lecture epochs count from 1, but ours count from 0 and
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
check_close(rates_of(inverse_sqrt_decay, 0.2, 1.0, epochs=[1, 4, 9, 16]), [0.2, 0.1, 0.2 / 3, 0.05],
            "inverse_sqrt_decay(0.2, epoch, k=1) for epochs 1, 4, 9, 16",  # sqrt = 1, 2, 3, 4
            mistakes=inverse_sqrt_decay_mistakes(0.2, [1, 4, 9, 16], 1.0))
check_close(rates_of(inverse_sqrt_decay, 0.1, 0.5, epochs=[1, 25, 100]), [0.05, 0.01, 0.005],
            "inverse_sqrt_decay(0.1, epoch, k=0.5) for epochs 1, 25, 100",  # 0.5 * 0.1 / 1, 5, 10
            mistakes=inverse_sqrt_decay_mistakes(0.1, [1, 25, 100], 0.5))
### BEGIN HIDDEN TESTS
for _a0, _k in [(0.3, 2.0), (0.01, 0.1)]:
    _epochs = [2, 3, 49, 1000]
    check_close(rates_of(inverse_sqrt_decay, _a0, _k, epochs=_epochs),
                [_a0 * _k * _e**-0.5 for _e in _epochs],
                f"inverse_sqrt_decay({_a0}, epoch, {_k}) for epochs {_epochs}",
                mistakes=inverse_sqrt_decay_mistakes(_a0, _epochs, _k))
### END HIDDEN TESTS
print("Correct: inverse square-root decay.")

# %% test="test_inverse_sqrt_epoch_zero" points=1
"""Checks epoch 0 gives k * alpha_0 (like epoch 1), not a division by zero."""
# k / sqrt(max(0, 1)) * alpha_0 = 1.5 * 0.2 = 0.3 at epoch 0, and still 0.3 at epoch 1
check_close(rates_of(inverse_sqrt_decay, 0.2, 1.5, epochs=[0, 1]), [0.3, 0.3],
            "inverse_sqrt_decay(0.2, epoch, k=1.5) for epochs 0, 1", nan_hint=SQRT_ZERO,
            mistakes=inverse_sqrt_decay_mistakes(0.2, [0, 1], 1.5))
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

# %%
graded = {label: np.array(rates) for label, rates in schedules.items()
          if not label.startswith("OPTIONAL")}
names, table = list(graded), np.vstack(list(graded.values()))
lowest = [names[i] for i in table.argmin(axis=0)]
sqrt_label = next(n for n in names if n.startswith("1/sqrt"))
exp_label = next(n for n in names if n.startswith("exponential"))
sqrt_lowest = [int(e) for e, name in zip(epochs, lowest) if name == sqrt_label]
exp_below = next(int(e) for e in epochs if e > sqrt_lowest[0]
                 and graded[exp_label][e] < graded[sqrt_label][e])
print(f"1/sqrt is the lowest of the four graded schedules from epoch {sqrt_lowest[0]} to "
      f"epoch {sqrt_lowest[-1]}; the exponential is below it from epoch {exp_below} on.")
inverse_below = next(e for e in range(sqrt_lowest[-1], 1000)
                     if update_lr(0.2, e, 0.1) < inverse_sqrt_decay(0.2, e, 1.0))
print(f"Beyond the plot, inverse-time decay is below 1/sqrt again from epoch {inverse_below} on.")

# %% [markdown]
# The rate is drawn as steps because it is constant *within* each epoch. Inverse-time
# decay falls fast at first and then slowly; exponential decay keeps cutting the same 5% per
# epoch, so it ends lowest; the staircase waits, then drops. $1/\sqrt{t}$ does **not** fall
# the slowest on these curves: as the cell above computes, it is the lowest of the four graded
# schedules from epoch 2 to epoch 34, and only from epoch 35 on is the exponential below it.
# It is slower than inverse-time decay only in the long run ($1/\sqrt{t}$ shrinks more slowly
# than $1/t$): with these constants inverse-time decay goes below it again from epoch 79,
# beyond the 60 epochs drawn.

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
# below is the tests' own training loop: it applies a given list of per-update rates. The
# tests compare your trained weights with it, and your recorded costs, value by value, with
# the costs it sees when it replays the rates you recorded: the rates you record must be the
# rates you used, and each cost that of its mini-batch before the update.

# %% readonly="checkers_lr_decay_training"
TRAIN_CALL = {"returns": ("parameters", "costs", "learning_rates")}


def replay(X, Y, layers_dims, rates, mini_batch_size, seed, cost_of="mini-batch",
           shuffle="seed + epoch_num"):
    """The tests' own training loop: update k uses rates[k] (one rate per update, in order;
    epoch e shuffled with seed + e). Returns (parameters, costs), costs[k] being the cost of
    update k's mini-batch before the update. cost_of ("whole set", "after update") and shuffle
    ("seed") give what a classic mistake records or trains instead."""
    params = nn.initialize_parameters(layers_dims, seed=seed)
    costs, e = [], 0
    while len(costs) < len(rates):
        batch_seed = seed + e if shuffle == "seed + epoch_num" else seed
        batches = mini_batches(X, Y, mini_batch_size, seed=batch_seed)
        for X_t, Y_t in batches[:len(rates) - len(costs)]:
            AL, caches = nn.forward(X_t, params)
            grads = nn.backward(AL, Y_t, params, caches)
            new = {k: v - rates[len(costs)] * grads["d" + k] for k, v in params.items()}
            seen = {"mini-batch": (AL, Y_t), "whole set": (nn.forward(X, params)[0], Y),
                    "after update": (nn.forward(X_t, new)[0], Y_t)}[cost_of]
            costs.append(nn.compute_cost(*seen))
            params = new
        e += 1
    return params, costs


def per_update(rates_per_epoch, per_epoch):
    """One rate per update: each epoch's rate repeated for its `per_epoch` mini-batches."""
    return [r for r in rates_per_epoch for _ in range(per_epoch)]


def train_rates_mistakes(schedule, num_epochs, per_epoch):
    """{diagnosis: the learning_rates a loop with that mistake records}."""
    n = num_epochs * per_epoch
    return {
        "decay applied per update: you called schedule with the update counter (0, 1, 2, ...), "
        "so the rate changes within an epoch. Call schedule(epoch_num) once per epoch.":
            [schedule(t) for t in range(n)],
        "decay applied per update: you called schedule with the update counter t (1, 2, 3, "
        "...), so the rate changes within an epoch. Call schedule(epoch_num) once per epoch.":
            [schedule(t) for t in range(1, n + 1)],
        "epochs counted from 1: the first epoch must use schedule(0) (alpha_0), as Python's "
        "range, nn.train and Keras count epochs from 0.":
            per_update([schedule(e + 1) for e in range(num_epochs)], per_epoch),
        "the rate never changes: call schedule(epoch_num) at the start of every epoch, inside "
        "the epoch loop, not once before it.": [schedule(0)] * n,
    }


def train_with_decay_mistakes(X, Y, layers_dims, rates, mini_batch_size, seed, result):
    """{diagnosis: the `result` ("parameters" or "costs") a loop with that mistake returns,
    when it should apply `rates` (one per update)}."""
    i = ("parameters", "costs").index(result)
    args = (X, Y, layers_dims, rates, mini_batch_size, seed)
    return {
        "the weights moved with the first epoch's rate throughout: is the new learning rate "
        "passed to the update?": replay(X, Y, layers_dims, [rates[0]] * len(rates),
                                        mini_batch_size, seed)[i],
        "every epoch is shuffled the same way: epoch epoch_num uses "
        "mini_batches(X, Y, mini_batch_size, seed=seed + epoch_num).":
            replay(*args, shuffle="seed")[i],
        "the costs are of the whole training set: record the cost of each mini-batch, "
        "nn.compute_cost(AL, Y_t), computed before the update.":
            replay(*args, cost_of="whole set")[i],
        "the costs are computed after the update: record nn.compute_cost(AL, Y_t) of the "
        "forward pass that gave the gradients.": replay(*args, cost_of="after update")[i],
    }


def check_rates_per_update(rates, schedule, num_epochs, per_epoch):
    """The rates of every update: constant within an epoch, schedule(epoch_num) from epoch 0."""
    n = num_epochs * per_epoch
    if not isinstance(rates, list | tuple | np.ndarray):
        raise AssertionError("train_with_decay should return (parameters, costs, learning_rates) "
                             f"with learning_rates a list, got {type(rates).__name__}.")
    if len(rates) != n:
        raise AssertionError(
            f"learning_rates has {len(rates)} entries, expected {n}: one per update, "
            f"{per_epoch} mini-batches per epoch x {num_epochs} epochs. Append the rate inside "
            "the mini-batch loop.")
    check_close(rates, per_update([schedule(e) for e in range(num_epochs)], per_epoch),
                "the learning rate of each update",
                mistakes=train_rates_mistakes(schedule, num_epochs, per_epoch))


def check_train_costs(costs, rates, X, Y, layers_dims, mini_batch_size, seed):
    """costs[k] must be the cost of update k's mini-batch before the update: the tests replay
    your training with the rates you recorded and compare the costs, value by value."""
    for name, values in (("costs", costs), ("learning_rates", rates)):
        if not isinstance(values, list | tuple | np.ndarray):
            raise AssertionError(f"train_with_decay should return (parameters, costs, "
                                 f"learning_rates) with {name} a list, got {type(values).__name__}.")
    if len(costs) != len(rates):
        raise AssertionError(
            f"costs has {len(costs)} entries but learning_rates has {len(rates)}: record one "
            "cost per update, inside the mini-batch loop, next to its learning rate.")
    rates = [float(r) for r in rates]
    check_close(costs, replay(X, Y, layers_dims, rates, mini_batch_size, seed)[1],
                "costs (the mini-batch cost of every update)",
                mistakes=train_with_decay_mistakes(X, Y, layers_dims, rates, mini_batch_size,
                                                   seed, "costs"),
                hint="Record nn.compute_cost(AL, Y_t) of each mini-batch, before its update.")


_X, _Y = data.load_moons(m=10, noise=0.2, seed=4)
_dims = [2, 3, 1]


# %% test="test_train_rate_per_epoch" points=2
"""Checks the rate is schedule(epoch_num): constant within each epoch, changing between epochs."""
def _schedule(epoch_num):
    return 0.2 / (1 + 1.0 * epoch_num)  # the notes' decay, written out


_params, _costs, _rates = call(train_with_decay, _X, _Y, _dims, _schedule, 4, mini_batch_size=4,
                               seed=0, **TRAIN_CALL)
# expected: 0.2, 0.2, 0.2 | 0.1, 0.1, 0.1 | 0.0667 x 3 | 0.05 x 3
check_rates_per_update(_rates, _schedule, num_epochs=4, per_epoch=3)
print("Correct: one rate per epoch, used for all 3 mini-batches of that epoch.")

# %% test="test_train_uses_the_rate" points=1
"""Checks the trained weights equal those of the tests' own loop with the same per-epoch rates."""
def _schedule(epoch_num):
    assert epoch_num in (0, 1, 2), (
        f"schedule was called with {epoch_num}, but there are only 3 epochs (0, 1, 2): call it "
        "with the epoch number from 0, not with the update counter, and not with "
        "epoch_num + 1 (epochs counted from 1).")
    return [0.5, 0.05, 0.3][epoch_num]  # any rates: the update must use the epoch's rate


_params, _costs, _rates = call(train_with_decay, _X, _Y, _dims, _schedule, 3, mini_batch_size=4,
                               seed=1, **TRAIN_CALL)
_want = per_update([0.5, 0.05, 0.3], 3)  # 3 updates per epoch
check_dict_close(_params, replay(_X, _Y, _dims, _want, 4, seed=1)[0], "parameters after 3 epochs",
                 mistakes=train_with_decay_mistakes(_X, _Y, _dims, _want, 4, 1, "parameters"))
print("Correct: the updates use the epoch's learning rate.")

# %% test="test_train_records_costs" points=1
"""Checks costs holds each update's mini-batch cost, before the update, value by value."""
_params, _costs, _rates = call(train_with_decay, _X, _Y, _dims, lambda e: 0.3 / (1 + e), 3,
                               mini_batch_size=4, seed=2, **TRAIN_CALL)
check_train_costs(_costs, _rates, _X, _Y, _dims, mini_batch_size=4, seed=2)
print("Correct: one cost per update, the cost of its mini-batch before the step.")
### BEGIN HIDDEN TESTS
_X3, _Y3 = data.load_moons(m=9, noise=0.3, seed=8)
_params, _costs, _rates = call(train_with_decay, _X3, _Y3, [2, 4, 1], lambda e: 0.5 * 0.7**e, 4,
                               mini_batch_size=2, seed=6, **TRAIN_CALL)
check_train_costs(_costs, _rates, _X3, _Y3, [2, 4, 1], mini_batch_size=2, seed=6)
### END HIDDEN TESTS

# %% test="test_train_hidden" points=1
"""Checks a staircase schedule, another batch size and seed (more cases are hidden)."""
# Visible part: 5 examples in batches of 2 give 3 updates per epoch, each at that epoch's rate.
_Xv, _Yv = data.load_moons(m=5, noise=0.3, seed=3)
_, _costs_v, _rates_v = call(train_with_decay, _Xv, _Yv, [2, 3, 1], lambda e: 1.0 / (1 + e), 2,
                             mini_batch_size=2, seed=0, **TRAIN_CALL)
check_rates_per_update(_rates_v, lambda e: 1.0 / (1 + e), num_epochs=2, per_epoch=3)  # 1 | 0.5
### BEGIN HIDDEN TESTS
_X2, _Y2 = data.load_moons(m=7, noise=0.3, seed=9)


def _schedule(epoch_num):
    return 0.4 / (1 + 0.5 * (epoch_num // 2))  # staircase, interval 2


_params, _costs, _rates = call(train_with_decay, _X2, _Y2, [2, 4, 2, 1], _schedule, 5,
                               mini_batch_size=3, seed=5, **TRAIN_CALL)
check_rates_per_update(_rates, _schedule, num_epochs=5, per_epoch=3)  # batches of 3, 3, 1
_want = per_update([_schedule(_e) for _e in range(5)], 3)
check_dict_close(_params, replay(_X2, _Y2, [2, 4, 2, 1], _want, 3, seed=5)[0],
                 "parameters (staircase schedule, 5 epochs)",
                 mistakes=train_with_decay_mistakes(_X2, _Y2, [2, 4, 2, 1], _want, 3, 5,
                                                    "parameters"))
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
plots.decision_boundaries({"constant alpha": constant_run.parameters,
                           "decayed alpha": decay_run.parameters}, X_train, Y_train, digits=0)
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
