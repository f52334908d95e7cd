# %% [markdown]
# # Chapter 02 — Exponentially weighted averages
#
# *Optimization for Deep Learning* · graded notebook
#
# **What you will build**
# 1. `ewma`: the exponentially weighted average (지수 가중 평균) of a sequence, in the one-line
#    form the notes use, $v := \beta v + (1 - \beta)\,\theta_t$, started at $v_0 = 0$.
# 2. `ewma_bias_corrected`: the same average with bias correction (편향 보정), so that the
#    first values are not pulled towards zero.
# 3. `effective_window`: how many recent values the average roughly covers, $1/(1-\beta)$.
#
# Every optimizer after plain gradient descent (momentum, RMSProp, Adam) and Batch
# Normalization's running statistics are built from this one line, so the details you get
# right here (the start at zero, the correction, which term gets $\beta$) carry over to
# chapters 03 to 09.
#
# **How to work.** Write your code where a cell says `YOUR CODE HERE` (delete the
# `raise NotImplementedError` line). Run the test cell under each exercise: a failing test
# tells you what is most likely wrong. Some tests are hidden and run only when your work is
# graded; they check the same ideas on other values, so write general code.

# %%
import matplotlib.pyplot as plt
import numpy as np

from course import data
from course.testing import call, check_close

# %matplotlib inline

# %% [markdown]
# ## 1. A noisy series: daily temperatures
#
# The lecture's example is the temperature in London, in degrees Fahrenheit:
# $\theta_1 = 40°\mathrm{F}$ on the first day of the year, $\theta_2 = 49°\mathrm{F}$,
# $\theta_3 = 45°\mathrm{F}$, ..., $\theta_{180} = 60°\mathrm{F}$, ... In Celsius,
# $C = (F - 32) \cdot 5 / 9$: the cell below converts them (40 °F is 4.4 °C, 49 °F is 9.4 °C,
# 45 °F is 7.2 °C and 60 °F is 15.6 °C; the tests use the first three rounded to 4, 9 and
# 7 °C).

# %%
for fahrenheit in (40, 49, 45, 60):
    print(f"{fahrenheit} deg F = {(fahrenheit - 32) * 5 / 9:.1f} deg C")

# %% [markdown]
# We use a real series of the same kind, bundled with the course's packages (nothing is
# downloaded): the daily mean temperature in Seattle in 2012, in °C. Day to day it jumps by
# several degrees; we want the underlying trend.

# %%
dates, theta_seattle = data.seattle_temperatures(2012)
print(f"{len(theta_seattle)} days, from {dates[0]} to {dates[-1]}")
print("first five days (deg C):", theta_seattle[:5])

fig, ax = plt.subplots(figsize=(10, 3.2))
ax.plot(dates, theta_seattle, ".", ms=3, color="tab:blue", label=r"$\theta_t$ (daily mean)")
ax.set(ylabel="deg C", title="Seattle, 2012: daily mean temperature")
ax.legend()
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# ## 2. The exponentially weighted average
#
# Start from $v_0 = 0$ and, for each new day $t = 1, 2, \dots$, mix the old average with the
# new value:
#
# $$v_t = \underbrace{\beta\, v_{t-1}}_{\text{past average (과거의 평균)}}
#       + \underbrace{(1 - \beta)\, \theta_t}_{\text{new information (새로운 정보)}},
#   \qquad 0 \le \beta < 1 .$$
#
# With $\beta = 0.9$: $v_1 = 0.9 v_0 + 0.1 \theta_1$, $v_2 = 0.9 v_1 + 0.1 \theta_2$, ...
# The **old** average gets $\beta$, the **new** value gets $1 - \beta$: the closer $\beta$ is
# to 1, the less one new day moves the average, and the smoother (and later) the curve.
#
# **Unrolling the recursion.** Substitute $v_{99} = 0.9 v_{98} + 0.1\theta_{99}$ into
# $v_{100} = 0.9 v_{99} + 0.1\theta_{100}$, then $v_{98}$, and so on:
#
# $$v_{100} = 0.1\,\theta_{100} + 0.1 \cdot 0.9\,\theta_{99} + 0.1 \cdot 0.9^2\,\theta_{98}
#             + 0.1 \cdot 0.9^3\,\theta_{97} + \dots + 0.1 \cdot 0.9^{99}\,\theta_{1}
#             + 0.9^{100}\, v_0 .$$
#
# In general $v_t = \sum_{k=1}^{t} (1 - \beta)\,\beta^{\,t-k}\,\theta_k + \beta^t v_0$, and
# with $v_0 = 0$ the last term vanishes: every past value is in the average, with a weight
# that shrinks by a factor $\beta$ per day back (exponentially, hence the name).
#
# **Implementation** (구현). The notes write it exactly as you would code it: keep *one*
# number and overwrite it,
#
# ```
# v = 0
# repeat: get the next theta_t;  v = beta * v + (1 - beta) * theta_t
# ```
#
# That is its great advantage (메모리 절약): one number of memory and one line per step,
# whereas the plain average of the last 50 days needs the last 50 values stored. For this
# exercise, return the whole sequence $v_1, \dots, v_T$ (one value per day, without $v_0$).
#
# Hints: use a float output array (`np.zeros(T)`: temperatures given as integers must not
# turn your averages into integers); index `theta[t]` with Python's 0-based `t`, so
# `theta[0]` is $\theta_1$.

# %% solution="ewma"
def ewma(theta, beta):
    """Exponentially weighted average of a sequence, started at zero.

    v_0 = 0,  v_t = beta * v_{t-1} + (1 - beta) * theta_t  for t = 1, ..., T

    Arguments:
    theta -- 1-D array of T values theta_1, ..., theta_T (theta[0] is theta_1)
    beta -- weight of the past average, 0 <= beta < 1 (e.g. 0.9)

    Returns:
    v -- 1-D float array of shape (T,): v[t - 1] = v_t for t = 1, ..., T (v_0 not included)
    """
    ### BEGIN SOLUTION
    theta = np.asarray(theta, dtype=float)
    out = np.zeros(len(theta))
    v = 0.0
    for t in range(len(theta)):
        v = beta * v + (1 - beta) * theta[t]
        out[t] = v
    return out
    ### END SOLUTION


# %% [markdown]
# The tests compare your whole output with the explicit weighted sum
# $\sum_k (1-\beta)\beta^{t-k}\theta_k$ (not with a recursion), and recognise the usual
# slips: $\beta$ and $1-\beta$ swapped, the factor $(1 - \beta)$ forgotten, starting from
# $\theta_1$ instead of $0$, returning only the last value, or returning $v_0$ as well. They
# call your function on a copy of `theta` and check that it left the copy alone: write the
# averages into a new array, not into `theta`.

# %% readonly="checkers_ewma"
def weighted_sum_ewma(theta, beta):
    """Reference: v_t = sum_{k <= t} (1 - beta) beta**(t - k) theta_k, as a lower-triangular matrix."""
    theta = np.asarray(theta, dtype=float)
    T = len(theta)
    t, k = np.arange(1, T + 1)[:, None], np.arange(1, T + 1)[None, :]
    weights = np.where(k <= t, (1 - beta) * beta ** np.clip(t - k, 0, None), 0.0)
    return weights @ theta


def _recursion(theta, beta, v0=0.0, old=None, new=None):
    # A recursion with chosen weights: used only to build what a mistake would produce.
    old = beta if old is None else old
    new = (1 - beta) if new is None else new
    v, out = v0, []
    for x in np.asarray(theta, dtype=float):
        v = old * v + new * x
        out.append(v)
    return np.array(out)


def merge_mistakes(table):
    """{diagnosis: value} with the diagnoses of mistakes that give the same value here joined
    by "or" (e.g. one day of data: starting from theta_1 and forgetting 1 - beta both give
    theta_1), so a message never names only one of two equally likely causes."""
    groups = []  # [(value, [diagnoses])]
    for diagnosis, value in table.items():
        value = np.asarray(value, dtype=float)
        for g_value, g_diagnoses in groups:
            if g_value.shape == value.shape and np.allclose(g_value, value, rtol=1e-7, atol=1e-9):
                g_diagnoses.append(diagnosis)
                break
        else:
            groups.append((value, [diagnosis]))
    # whole sentences are joined by "Or", clauses by "; or"
    return {(" Or " if d[0].endswith(".") else "; or ").join(d): value for value, d in groups}


def ewma_mistakes(theta, beta):
    """What the classic mistakes of `ewma` return, mapped to a diagnosis in the learner's terms."""
    theta = np.asarray(theta, dtype=float)
    plain = _recursion(theta, beta)
    t = np.arange(1, len(theta) + 1)
    return merge_mistakes({
        "beta and 1 - beta are swapped: the past average gets beta, the new value 1 - beta "
        "(v_t = beta * v_{t-1} + (1 - beta) * theta_t).": _recursion(theta, beta, old=1 - beta, new=beta),
        "the factor (1 - beta) on theta_t is missing: v_t = beta * v_{t-1} + (1 - beta) * theta_t.":
            _recursion(theta, beta, new=1.0),
        "v_1 equals theta_1: you started from the first value (pandas' adjust=False style). "
        "Start from v_0 = 0, so that v_1 = (1 - beta) * theta_1.": _recursion(theta, beta, v0=theta[0]),
        "every value sits one day late: out[t] holds v_{t-1}. Store v after updating it.":
            np.concatenate([[0.0], plain[:-1]]),
        "these are bias-corrected values; ewma returns the plain v_t (the correction is "
        "exercise 2).": plain / (1 - beta**t),
    })


def check_series(actual, expected, name, mistakes=None, hint="", nan_hint=""):
    """Compare a returned sequence with the expected v_1..v_T, explaining shape slips."""
    if actual is None:
        raise AssertionError(f"{name} is None: did you forget to return the array of averages?")
    arr = np.asarray(actual)
    T = len(expected)
    if arr.ndim == 0:
        raise AssertionError(f"{name} is a single number ({float(arr):.6g}); expected {T} values "
                             "v_1, ..., v_T: return every average, not only the last one.")
    if arr.shape == (T + 1,):
        raise AssertionError(f"{name} has {T + 1} values for {T} inputs: v_0 = 0 is the start, "
                             "not an output. Return v_1, ..., v_T.")
    if arr.shape != (T,):
        raise AssertionError(f"{name} has shape {arr.shape}, expected ({T},): one value per "
                             "theta_t, as a flat 1-D array.")
    if np.issubdtype(arr.dtype, np.integer):
        raise AssertionError(f"{name} is an integer array {arr.tolist()}: the averages were "
                             "rounded down. np.zeros_like(theta) copies theta's integer type; "
                             "use np.zeros(len(theta)) (floats).")
    if arr.dtype in (np.float32, np.float16):
        raise AssertionError(f"{name} is {arr.dtype}, which keeps only about "
                             f"{7 if arr.dtype == np.float32 else 3} digits: compute in float64 "
                             "(np.zeros(len(theta)), no dtype=np.float32, no .astype).")
    check_close(arr, expected, name, hint=hint, mistakes=mistakes, nan_hint=nan_hint)


def check_ewma(theta, beta, expected, name):
    """Call ewma on a copy of theta (which it must leave alone); compare with `expected`."""
    v = call(ewma, theta, beta, returns=("v",))
    check_series(v, expected, name, mistakes=ewma_mistakes(theta, beta))


# %% test="test_ewma_notes_example" points=2
"""Checks beta = 0.9 on the notes' first three days (4, 9, 7 deg C) against hand arithmetic."""
_theta = np.array([4.0, 9.0, 7.0])
# v_1 = 0.9 * 0 + 0.1 * 4 = 0.4
# v_2 = 0.9 * 0.4 + 0.1 * 9 = 0.36 + 0.9 = 1.26
# v_3 = 0.9 * 1.26 + 0.1 * 7 = 1.134 + 0.7 = 1.834
check_ewma(_theta, 0.9, np.array([0.4, 1.26, 1.834]), "ewma([4, 9, 7], 0.9)")
print("Correct: v_1 = 0.4, v_2 = 1.26, v_3 = 1.834 (small at first: v_0 = 0).")

# %% test="test_ewma_weighted_sum" points=2
"""Checks 120 days with beta = 0.98 and 0.5 against the unrolled sum of (1 - beta) beta^(t-k) theta_k."""
_rng = np.random.default_rng(2)
_days = np.arange(120)
_theta = 10 - 6 * np.cos(2 * np.pi * _days / 120) + _rng.normal(0, 3, size=120)
for _beta in (0.98, 0.5):
    check_ewma(_theta, _beta, weighted_sum_ewma(_theta, _beta), f"ewma(theta, {_beta}) over 120 days")
print("Correct: your recursion equals the unrolled weighted sum for beta = 0.98 and 0.5.")

# %% test="test_ewma_integer_temperatures" points=1
"""Checks integer temperatures give float averages and theta itself is left unchanged."""
_theta = np.array([4, 9, 6, 12])  # whole degrees, an integer array
# beta = 0.5: v_1 = 0.5 * 4 = 2; v_2 = 0.5 * 2 + 0.5 * 9 = 5.5;
# v_3 = 0.5 * 5.5 + 0.5 * 6 = 5.75; v_4 = 0.5 * 5.75 + 0.5 * 12 = 8.875
check_ewma(_theta, 0.5, np.array([2.0, 5.5, 5.75, 8.875]), "ewma([4, 9, 6, 12], 0.5)")
print("Correct: float averages of integer data, input untouched.")

# %% test="test_ewma_hidden" points=2
"""Checks other lengths and betas, including beta = 0 and a single day (more cases are hidden)."""
# Visible part: one day. v_1 = 0.9 * 0 + 0.1 * 10 = 1.
check_ewma(np.array([10.0]), 0.9, np.array([1.0]), "ewma([10.0], 0.9)")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(20)
for _T, _beta in [(33, 0.9), (2, 0.98), (7, 0.0), (50, 0.75), (400, 0.999), (1, 0.9)]:
    _theta = _rng.normal(5, 4, size=_T)
    _expected = weighted_sum_ewma(_theta, _beta)
    for _repeat in range(2):  # the same call twice: no state may survive between calls
        check_ewma(_theta, _beta, _expected, f"ewma(theta of length {_T}, {_beta})")
# beta = 0: no memory at all, v_t = theta_t
check_ewma(np.array([3.0, -1.0, 2.5]), 0.0, np.array([3.0, -1.0, 2.5]), "ewma(theta, 0)")
### END HIDDEN TESTS

# %% [markdown]
# ### How the averages look
#
# The lecture compares three values of $\beta$ on the same temperatures: $\beta = 0.9$ (red),
# $\beta = 0.98$ (green) and $\beta = 0.5$ (yellow).

# %%
curves = {0.9: "tab:red", 0.98: "tab:green", 0.5: "gold"}
fig, ax = plt.subplots(figsize=(10, 3.8))
ax.plot(dates, theta_seattle, ".", ms=3, color="tab:blue", alpha=0.6, label=r"$\theta_t$")
for beta, color in curves.items():
    ax.plot(dates, ewma(theta_seattle, beta), color=color, lw=1.8, label=rf"$\beta = {beta}$")
ax.set(ylabel="deg C", title="Exponentially weighted averages of Seattle's 2012 temperatures")
ax.legend(ncol=4, loc="upper left")
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# * $\beta = 0.5$ (yellow) follows every jump: it averages only about two days, so it is noisy.
# * $\beta = 0.9$ (red) is smooth and still follows the seasons closely.
# * $\beta = 0.98$ (green) is smoother still, but it is **late**: it reacts to a warm spell
#   only after weeks, because today's value gets only 2% of the weight. The curve is shifted
#   to the right of the data. It also starts near 0 °C, far below January's temperatures
#   (4.3 °C on average): that is the $v_0 = 0$ start, which section 4 fixes.
#
# So $\beta$ trades noise against delay. For optimizers the same trade-off reappears:
# averaging gradients over more steps removes more noise but reacts later to a change of
# direction.

# %% [markdown]
# ## 3. How many days does the average cover?
#
# The weight of $\theta_{t-k}$ (the value $k$ days back) in $v_t$ is $(1-\beta)\beta^k$. How
# fast does it fade? Write $\beta = 1 - \varepsilon$. A classic limit says
#
# $$(1 - \varepsilon)^{1/\varepsilon} \approx \frac{1}{e} \approx 0.37 \quad
#   \text{for small } \varepsilon ,$$
#
# so after $k = 1/\varepsilon = 1/(1-\beta)$ days the weight has shrunk to about $1/e$ of the
# weight of today. Older values still count, but less and less; as a rule of thumb,
# $v_t$ averages about the last $1/(1-\beta)$ values:
#
# | $\beta$ | $1/(1-\beta)$ | check |
# |---|---|---|
# | 0.9 | 10 days | $0.9^{10} \approx 0.35 \approx 1/e$ |
# | 0.98 | 50 days | $0.98^{50} \approx 0.36 \approx 1/e$ |
# | 0.5 | 2 days | $0.5^{2} = 0.25$ (the approximation is rough when $\beta$ is far from 1) |
#
# (The notes write "$0.98^{10} \approx 0.37$" next to $\beta = 0.9$; they mean
# $0.9^{10} \approx 0.35$.) The exact day where the weight reaches $1/e$ is
# $k = -1/\ln\beta$ (9.5 days for 0.9); the course uses the simpler $1/(1-\beta)$, as the notes
# do.
#
# Notice also that all the weights add up to $\sum_{k \ge 0}(1-\beta)\beta^k = 1$: with
# infinitely many past days $v_t$ is a true weighted average. With only $t$ days they add up
# to $1 - \beta^t$, which matters in section 4.

# %% solution="effective_window"
def effective_window(beta):
    """Rule-of-thumb number of values an exponentially weighted average covers.

    Arguments:
    beta -- weight of the past average, 0 <= beta < 1

    Returns:
    window -- 1 / (1 - beta), as a float (beta = 0.9 gives about 10)
    """
    ### BEGIN SOLUTION
    return 1 / (1 - beta)
    ### END SOLUTION


# %% readonly="checkers_window"
def window_mistakes(beta):
    """What the classic mistakes of `effective_window` return, mapped to a diagnosis. Mistakes
    that give the same number here (beta / (1 - beta) and int() for beta = 0.98) share one."""
    exact = 1 / (1 - beta)
    causes = [
        (1 - beta, "you returned 1 - beta, the weight of today's value; the window is its "
                   "inverse"),
        (1 / beta if beta else np.nan, "you returned 1 / beta"),
        (-1 / np.log(beta) if 0 < beta < 1 else np.nan,
         "you computed the exact 1/e point -1 / ln(beta); this course's rule of thumb is simpler"),
        (beta / (1 - beta), "you returned beta / (1 - beta) (the sum of beta**k for k >= 1), "
                            "one day short"),
    ]
    for value, how in [(np.floor(exact), "rounded down to a whole number (int() and np.floor "
                                         f"cut off the fraction; 1 / (1 - {beta}) is {exact!r} "
                                         "in floating point)"),
                       (np.round(exact), "rounded to the nearest whole number (round)"),
                       (np.ceil(exact), "rounded up to a whole number (np.ceil)")]:
        if not np.isclose(value, exact, rtol=1e-7, atol=1e-9):
            causes.append((value, f"the window {exact:.6g} was {how}"))
    merged = merge_mistakes({cause: value for value, cause in causes})
    return {f"{causes}. Return the float 1 / (1 - beta).": value for causes, value in merged.items()}


def check_window(beta, expected):
    """Call effective_window(beta) and compare with `expected`, naming the usual mistakes."""
    window = call(effective_window, beta, returns=("window",))
    check_close(window, expected, f"effective_window({beta})", mistakes=window_mistakes(beta))


# %% test="test_window_notes_numbers" points=1
"""Checks the notes' numbers: beta 0.9 ~ 10 days, 0.98 ~ 50 days, 0.5 ~ 2 days."""
for _beta, _days in [(0.9, 10.0), (0.98, 50.0), (0.5, 2.0)]:
    check_window(_beta, _days)
print("Correct: 10, 50 and 2 days.")

# %% test="test_window_one_over_e" points=1
"""Checks that after effective_window(beta) days the weight beta**k has fallen to about 1/e."""
for _beta in (0.98, 0.99, 0.999):
    _k = float(call(effective_window, _beta, returns=("window",)))
    _fade = _beta**_k
    assert abs(_fade - np.exp(-1)) < 0.01, (
        f"effective_window({_beta}) = {_k:.4g}, but beta**{_k:.4g} = {_fade:.3f} is not close to "
        f"1/e = 0.368: the window should be about 1 / (1 - beta) = {1 / (1 - _beta):.4g} days.")
print("Correct: the weights fall to about 1/e = 0.37 after the window.")

# %% test="test_window_hidden" points=1
"""Checks values of beta whose window is not a whole number of days (more cases are hidden)."""
# Visible part: 1 / (1 - 0.93) = 1 / 0.07 = 100 / 7 = 14.2857... days (not 14, not 15).
check_window(0.93, 100 / 7)
### BEGIN HIDDEN TESTS
# 1 / 0.4 = 2.5, 1 / 0.15 = 20 / 3, 1 / 0.03 = 100 / 3, 1 / (1 - 0.99) = 100,
# 1 / (1 - 0.999) = 1000, 1 / (1 - 0.75) = 4, 1 / (1 - 0) = 1, 1 / 0.05 = 20
for _beta, _days in [(0.6, 2.5), (0.85, 20 / 3), (0.97, 100 / 3), (0.99, 100.0),
                     (0.999, 1000.0), (0.75, 4.0), (0.0, 1.0), (0.95, 20.0)]:
    check_window(_beta, _days)
### END HIDDEN TESTS

# %% [markdown]
# The weights $(1-\beta)\beta^k$ of the days $k$ back, for $\beta = 0.9$ and $\beta = 0.98$.
# The dashed line marks your `effective_window(beta)`; the dotted one is $1/e$ of today's
# weight.

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.2))
for ax, beta, shown in zip(axes, (0.9, 0.98), (40, 200)):
    k = np.arange(shown)
    weights = (1 - beta) * beta**k
    window = effective_window(beta)
    ax.bar(k, weights, width=1.0, color="tab:red" if beta == 0.9 else "tab:green", alpha=0.7)
    ax.axvline(window, color="k", ls="--", lw=1, label=f"effective_window = {window:.3g} days")
    ax.axhline((1 - beta) / np.e, color="k", ls=":", lw=1, label=r"$(1-\beta)/e$")
    inside = 1 - beta ** round(window)  # days k = 0, ..., window - 1
    ax.set(xlabel=r"days back $k$ (weight of $\theta_{t-k}$ in $v_t$)", ylabel="weight",
           title=rf"$\beta = {beta}$: the last {window:.3g} days hold {inside:.0%} of the weight")
    ax.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 4. Bias correction
#
# Look again at the green curve ($\beta = 0.98$) in January: it starts at 0.18 °C and is
# still below 2 °C at the end of the month, although January's days averaged 4.3 °C. The
# cause is the start $v_0 = 0$. The notes work it out:
#
# $$v_1 = 0.98\,v_0 + 0.02\,\theta_1 = 0.02\,\theta_1, \qquad
#   v_2 = 0.98\,v_1 + 0.02\,\theta_2 = 0.0196\,\theta_1 + 0.02\,\theta_2 .$$
#
# $v_2$ is a weighted sum whose weights add up to only $0.0196 + 0.02 = 0.0396$: it is 25 times
# too small. In general the weights of $v_t$ add up to $1 - \beta^t$ (section 3). The fix is
# to divide by that sum:
#
# $$v_t^{\text{corrected}} = \frac{v_t}{1 - \beta^t}, \qquad t = 1, 2, \dots$$
#
# For $t = 2$: $1 - \beta^2 = 1 - 0.98^2 = 1 - 0.9604 = 0.0396$ (one set of notes has an OCR
# slip, "$1-(0-98)^2 = 0.396$": the right value is $0.0396$), and
#
# $$\frac{v_2}{0.0396} = \frac{0.0196\,\theta_1 + 0.02\,\theta_2}{0.0396}$$
#
# is a true weighted average of $\theta_1$ and $\theta_2$ (weights $0.495$ and $0.505$). When
# $t$ grows, $\beta^t \to 0$ and the correction fades out by itself: the corrected and plain
# curves meet after a few windows.
#
# Two rules make the correction right:
# * $t$ counts from **1** (the first value is $t = 1$). With $t = 0$, or $t - 1$, the first
#   step divides by $1 - \beta^0 = 0$.
# * Correct only the **output**. The recursion keeps running on the uncorrected $v$; feeding
#   corrected values back into the next step breaks the weights.
#
# You may call your `ewma` inside (then a bug there shows up here too) or write the loop again.

# %% solution="ewma_bias_corrected"
def ewma_bias_corrected(theta, beta):
    """Bias-corrected exponentially weighted average.

    v_0 = 0,  v_t = beta * v_{t-1} + (1 - beta) * theta_t,  returns v_t / (1 - beta**t)
    for t = 1, ..., T (t counts from 1).

    Arguments:
    theta -- 1-D array of T values theta_1, ..., theta_T (theta[0] is theta_1)
    beta -- weight of the past average, 0 <= beta < 1 (e.g. 0.98)

    Returns:
    v_corrected -- 1-D float array of shape (T,): v_corrected[t - 1] = v_t / (1 - beta**t)
    """
    ### BEGIN SOLUTION
    theta = np.asarray(theta, dtype=float)
    out = np.zeros(len(theta))
    v = 0.0
    for t in range(1, len(theta) + 1):
        v = beta * v + (1 - beta) * theta[t - 1]
        out[t - 1] = v / (1 - beta**t)
    return out
    ### END SOLUTION


# %% readonly="checkers_bias_corrected"
def weighted_average_reference(theta, beta):
    """Reference: sum_k beta**(t-k) theta_k / sum_k beta**(t-k), a weighted mean of theta_1..theta_t."""
    theta = np.asarray(theta, dtype=float)
    T = len(theta)
    t, k = np.arange(1, T + 1)[:, None], np.arange(1, T + 1)[None, :]
    weights = np.where(k <= t, beta ** np.clip(t - k, 0, None), 0.0)
    return (weights @ theta) / weights.sum(axis=1)


def corrected_mistakes(theta, beta):
    """What the classic mistakes of `ewma_bias_corrected` return, mapped to a diagnosis."""
    theta = np.asarray(theta, dtype=float)
    plain = _recursion(theta, beta)
    t = np.arange(1, len(theta) + 1)
    fed_back, v = [], 0.0
    for s, x in zip(t, theta):
        v = (beta * v + (1 - beta) * x) / (1 - beta**s)  # corrected value reused as the state
        fed_back.append(v)
    return merge_mistakes({
        "no bias correction: these are the plain v_t. Divide each by 1 - beta**t.": plain,
        "the corrected values were fed back into the recursion. Keep updating the plain v and "
        "divide only the value you output by 1 - beta**t.": np.array(fed_back),
        "the exponent is off by one: divide v_t by 1 - beta**t with t = 1 for the first "
        "value (you used t + 1).": plain / (1 - beta ** (t + 1)),
        "you multiplied by 1 - beta**t; divide by it.": plain * (1 - beta**t),
        "you divided by (1 - beta)**t; the factor is 1 - beta**t (power of beta only).":
            plain / (1 - beta) ** t,
        "beta and 1 - beta are swapped in the recursion (v_t = beta * v_{t-1} + "
        "(1 - beta) * theta_t).": _recursion(theta, beta, old=1 - beta, new=beta) / (1 - beta**t),
    })


_T_HINT = ("NaN or inf usually means a division by 1 - beta**0 = 0: t counts from 1, so the "
           "first value is divided by 1 - beta (using t - 1, or a t that starts at 0, fails).")


def check_corrected(theta, beta, expected, name):
    """Call ewma_bias_corrected on a copy of theta (which it must leave alone); compare."""
    v = call(ewma_bias_corrected, theta, beta, returns=("v_corrected",))
    check_series(v, expected, name, mistakes=corrected_mistakes(theta, beta), nan_hint=_T_HINT)

# %% test="test_bias_corrected_notes_example" points=2
"""Checks the notes' example: beta = 0.98, two days, v_2 / 0.0396."""
_theta = np.array([4.0, 9.0])
# v_1 = 0.02 * 4 = 0.08,  1 - 0.98 = 0.02        -> 0.08 / 0.02 = 4 (exactly theta_1)
# v_2 = 0.0196 * 4 + 0.02 * 9 = 0.2584,  1 - 0.98**2 = 0.0396  -> 0.2584 / 0.0396 = 6.52525...
check_corrected(_theta, 0.98, np.array([4.0, 0.2584 / 0.0396]), "ewma_bias_corrected([4, 9], 0.98)")
print("Correct: the first corrected value is theta_1 itself, the second 6.525.")

# %% test="test_bias_corrected_constant" points=1
"""Checks that a constant series gives that constant at every step (an average of 5s is 5)."""
# v_t = 5 * (1 - beta**t) exactly, so v_t / (1 - beta**t) = 5 for every t
_theta = np.full(40, 5.0)
check_corrected(_theta, 0.9, np.full(40, 5.0), "ewma_bias_corrected(40 days of 5.0, 0.9)")
print("Correct: no pull towards zero at the start.")

# %% test="test_bias_corrected_weighted_average" points=2
"""Checks 150 days with beta = 0.98 and 0.9 against sum beta^(t-k) theta_k / sum beta^(t-k)."""
_rng = np.random.default_rng(3)
_theta = 8 + 0.05 * np.arange(150) + _rng.normal(0, 3, size=150)
for _beta in (0.98, 0.9):
    check_corrected(_theta, _beta, weighted_average_reference(_theta, _beta),
                    f"ewma_bias_corrected(theta, {_beta}) over 150 days")
print("Correct: each corrected value is the weighted mean of the days so far.")

# %% test="test_bias_corrected_hidden" points=2
"""Checks other lengths and betas, a single day and integer data (more cases are hidden)."""
# Visible part: one day. v_1 = 0.5 * 7 = 3.5, corrected by 1 - 0.5**1 = 0.5: back to 7.
check_corrected(np.array([7.0]), 0.5, np.array([7.0]), "ewma_bias_corrected([7.0], 0.5)")
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(30)
for _T, _beta in [(3, 0.5), (60, 0.999), (25, 0.0), (300, 0.9), (1, 0.98)]:
    _theta = _rng.normal(-2, 5, size=_T)
    _expected = weighted_average_reference(_theta, _beta)
    for _repeat in range(2):  # the same call twice: no state may survive between calls
        check_corrected(_theta, _beta, _expected, f"ewma_bias_corrected(theta of length {_T}, {_beta})")
# integers: beta = 0.5, theta = [4, 9]: v = [2, 5.5], 1 - beta**t = [0.5, 0.75] -> [4, 7.333...]
check_corrected(np.array([4, 9]), 0.5, np.array([4.0, 5.5 / 0.75]), "ewma_bias_corrected([4, 9], 0.5)")
### END HIDDEN TESTS

# %% [markdown]
# ### With and without correction
#
# The lecture's picture: with $\beta = 0.98$ the plain average (purple) starts at zero and
# needs weeks to reach the temperatures; the corrected one (green) is right from the first
# day. After a few windows ($t \gg 50$) the two curves coincide.

# %%
beta = 0.98
plain, corrected = ewma(theta_seattle, beta), ewma_bias_corrected(theta_seattle, beta)
fig, axes = plt.subplots(1, 2, figsize=(12, 3.6), gridspec_kw={"width_ratios": [2, 1]})
days = np.arange(1, len(theta_seattle) + 1)
for ax, x, shown in zip(axes, (dates, days), (len(days), 90)):
    ax.plot(x[:shown], theta_seattle[:shown], ".", ms=3, color="tab:blue", alpha=0.6,
            label=r"$\theta_t$")
    ax.plot(x[:shown], plain[:shown], color="tab:purple", lw=1.8, label=r"$v_t$ (no correction)")
    ax.plot(x[:shown], corrected[:shown], color="tab:green", lw=1.8,
            label=r"$v_t / (1 - \beta^t)$")
    ax.set(ylabel="deg C")
    ax.grid(alpha=0.3)
axes[0].set_title(r"$\beta = 0.98$: whole year")
axes[1].set(title="first 90 days", xlabel="day $t$")
axes[0].legend(loc="upper left")
plt.tight_layout()
plt.show()
for t in (1, 2, 10, 50, 100, 200):
    print(f"t = {t:3d}: 1 - beta**t = {1 - beta**t:.4f}, plain {plain[t - 1]:6.2f}, "
          f"corrected {corrected[t - 1]:6.2f} deg C")

# %% [markdown]
# In practice many implementations skip the correction and simply accept a poor average for
# the first $1/(1-\beta)$ steps. Adam (chapter 05) applies it to both of its averages, and
# the reference notebook of this chapter shows that pandas, Keras and TensorFlow each pick a
# different start.

# %% [markdown]
# ## 5. Recap
#
# * Exponentially weighted average (지수 가중 평균): $v_0 = 0$,
#   $v_t = \beta v_{t-1} + (1-\beta)\theta_t$; the past average gets $\beta$, the new value
#   $1 - \beta$. One number of memory, one line per step.
# * Unrolled, $v_t = \sum_k (1-\beta)\beta^{t-k}\theta_k$: weights that fade by $\beta$ per
#   step and reach about $1/e$ after $1/(1-\beta)$ steps, so $v_t$ averages roughly the last
#   $1/(1-\beta)$ values (0.9: 10, 0.98: 50, 0.5: 2).
# * Larger $\beta$: smoother but later. Smaller $\beta$: quick but noisy.
# * Bias correction (편향 보정): the weights of $v_t$ add up to $1 - \beta^t$, so early values
#   are too small; output $v_t / (1 - \beta^t)$ with $t$ from 1, and keep the recursion on the
#   plain $v_t$. The notes' $t = 2$ example: $1 - 0.98^2 = 0.0396$ (not 0.396).
#
# Next: the reference notebook `ewma_keras.ipynb` matches your functions against
# `pandas.Series.ewm`, Keras' weight averaging (`use_ema=True`) and a TensorFlow
# zero-debiased average. Chapter 03 applies this average to gradients: momentum.
