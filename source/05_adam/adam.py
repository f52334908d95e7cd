# %% [markdown]
# # Chapter 05 — Adam
#
# *Optimization for Deep Learning* · graded notebook
#
# **What you will build**
# 1. `initialize_adam`: the two state dicts of Adam, `v` (first moment) and `s` (second moment).
# 2. `update_parameters_with_adam`: one Adam step on every layer, with bias correction.
#
# Then you look at what bias correction does in the first steps, run Adam and plain gradient
# descent on two test functions and on a real classification problem (same network, same
# initial weights), and, as an optional extension, see why AdamW's *decoupled* weight decay
# is not the same as adding an L2 term to the gradient.
#
# **How to work.** Write your code where a cell says `YOUR CODE HERE` (delete the
# `raise NotImplementedError` line). Run the test cell under each exercise: a failing test
# tells you what is most likely wrong. Some tests are hidden and run only when your work is
# graded; they check the same ideas on other shapes and values, so write general code.

# %% [markdown]
# ## 1. Adam = momentum + RMSProp
#
# **Adam** (아담) stands for **Adaptive moment estimation** (적응적 모멘트 추정). It keeps two
# exponentially weighted averages (지수 가중 평균) of the gradient for every parameter, both
# started at zero:
#
# * the **first moment** $v_{dW}$, the average of the gradients: the *momentum* part
#   (chapter 03), with hyperparameter $\beta_1$;
# * the **second moment** $s_{dW}$, the average of the *squared* gradients (element-wise):
#   the *RMSProp* part (chapter 04), with hyperparameter $\beta_2$.
#
# On iteration $t$ ($t = 1, 2, \dots$ counts the updates), with $dW, db$ computed on the
# current mini-batch:
#
# $$v_{dW} = \beta_1 v_{dW} + (1 - \beta_1)\, dW, \qquad
#   s_{dW} = \beta_2 s_{dW} + (1 - \beta_2)\, dW^2$$
#
# $$v^{\text{corrected}}_{dW} = \frac{v_{dW}}{1 - \beta_1^t}, \qquad
#   s^{\text{corrected}}_{dW} = \frac{s_{dW}}{1 - \beta_2^t}$$
#
# $$W := W - \alpha\, \frac{v^{\text{corrected}}_{dW}}{\sqrt{s^{\text{corrected}}_{dW}} + \varepsilon}$$
#
# and the same for $b$ with $v_{db}, s_{db}$. Read the update as "momentum's direction, divided
# by RMSProp's typical size": in a direction where the gradients are large (or jump back and
# forth) $\sqrt{s}$ is large and the step shrinks; where they are small but consistent the step
# grows. Each parameter gets its own effective learning rate.
#
# **Bias correction** (편향 보정) is the one new ingredient. Both averages start at $0$, so in
# the first steps they are far too small (chapter 02): after one step $v_{dW} = (1 - \beta_1)\,dW
# = 0.1\,dW$. Dividing by $1 - \beta^t$ removes exactly that bias: after step 1,
# $v^{\text{corrected}}_{dW} = dW$ and $s^{\text{corrected}}_{dW} = dW^2$.
#
# Note the $\varepsilon$: here (as in the notes and in the Adam paper by Kingma and Ba) it is
# added **outside** the square root. RMSProp and AdaGrad in chapter 04 put it inside,
# $\sqrt{s + \varepsilon}$. With $\varepsilon = 10^{-8}$ you rarely see the difference, but it is
# a different formula, and the tests use a large $\varepsilon$ to tell them apart.

# %% [markdown]
# ### Hyperparameters (하이퍼파라미터) and why these values
#
# | hyperparameter | usual value | why |
# |---|---|---|
# | $\alpha$ | **needs to be tuned** | the one you search (on a log scale, chapter 11); $10^{-3}$ is a common start |
# | $\beta_1$ | $0.9$ (for $dW$) | averages about $1/(1-\beta_1) = 10$ gradients: momentum's usual value |
# | $\beta_2$ | $0.999$ (for $dW^2$) | averages about $1000$ squared gradients: a slow, stable estimate of each parameter's scale |
# | $\varepsilon$ | $10^{-8}$ | only keeps the division safe when $s \approx 0$; almost never tuned |
#
# Because $\sqrt{s^{\text{corrected}}}$ has the units of the gradient, the step
# $\alpha\, v^{\text{corrected}} / \sqrt{s^{\text{corrected}}}$ has the units of $\alpha$: when
# the gradients are consistent it is about $\alpha$ in every coordinate, whatever the scale of
# the gradient. That is why one $\alpha$ works for layers whose gradients differ by orders of
# magnitude.
#
# ### Reading the notes: slips to correct
#
# The notes (OCR of handwriting and slides) contain a few slips. The course uses the corrected
# forms:
#
# | where | as written in the notes | correct |
# |---|---|---|
# | optimizer summary (Adam) | $\tilde M_t = M_t / (1 - \beta_2^t)$ | $\tilde M_t = M_t / (1 - \beta_1^t)$: the first moment is corrected with $\beta_1$ |
# | optimizer summary (Adam) | $M_t = \beta_1 M_{t+1} + \dots$ | $M_t = \beta_1 M_{t-1} + (1 - \beta_1) g_t$: the *previous* average |
# | optimizer summary (Adam) | $V_t = \dots + (1 - \beta_2)\, g_t^{a}$ | $(1 - \beta_2)\, g_t^2$, squared element-wise |
# | optimizer summary (Adam) | $\theta_{t+1} = \theta_t - \frac{\gamma}{V_{t+1}} \tilde M_t$ | $\theta_{t+1} = \theta_t - \eta\, \frac{\tilde M_t}{\sqrt{\tilde V_t} + \varepsilon}$: divide by the **square root** of the corrected second moment |
# | lecture notes | $V^{\text{corrected}}_{dW} = V_{dW} / (1 - \beta^t)$ | $\beta_1^t$ (there are two betas in Adam) |
# | lecture notes | $\beta_2: 0{-}999$ | $\beta_2 = 0.999$ |
# | lecture notes (bias correction, $\beta = 0.98$, $t = 2$) | $1 - \beta^t = 0.396$ | $1 - 0.98^2 = 0.0396$ |
#
# Also watch the letters: the optimizer summary (and the Adam paper) call the first moment
# $M_t$ / $m_t$ and the second $V_t$ / $v_t$, while the lecture (and this course) call them
# $v_{dW}$ and $s_{dW}$. So the paper's $v$ is our $s$. Keras names them `momentum` and
# `velocity`; its "velocity" is the second moment too.

# %%
import matplotlib.pyplot as plt
import numpy as np

from course import data, fixtures, nn, plots
from course.testing import call, check_dict_close, check_state_zeros, fresh, interleave

# %matplotlib inline

# %% [markdown]
# ## 2. Why bias correction matters in the first steps
#
# Feed the two averages a constant gradient $dW = 1$. The averages should be $1$ (the average
# of ones), but they start at $0$ and climb as $1 - \beta^t$. $v$ ($\beta_1 = 0.9$) is nearly
# there after 20 steps; $s$ ($\beta_2 = 0.999$) is still at $2\%$. Without correction, the step
# $\alpha\, v / \sqrt{s}$ would be $\alpha (1 - \beta_1^t) / \sqrt{1 - \beta_2^t}$: **3 times too
# large at $t = 1$, 6 times at $t = 20$**, and still 8% too large after 2000 steps.
# With the correction the step is exactly $\alpha$ from the first iteration on.

# %%
beta1, beta2 = 0.9, 0.999
steps = np.arange(1, 2001)
v_hist, s_hist, v_run, s_run = [], [], 0.0, 0.0
for _ in steps:
    v_run = beta1 * v_run + (1 - beta1) * 1.0
    s_run = beta2 * s_run + (1 - beta2) * 1.0**2
    v_hist.append(v_run)
    s_hist.append(s_run)
v_hist, s_hist = np.array(v_hist), np.array(s_hist)
v_corr, s_corr = v_hist / (1 - beta1**steps), s_hist / (1 - beta2**steps)

fig, axes = plt.subplots(1, 3, figsize=(14, 3.6))
first = steps <= 20
axes[0].plot(steps[first], v_hist[first], "o-", ms=3, label=r"$v$ (no correction)")
axes[0].plot(steps[first], v_corr[first], "s-", ms=3, label=r"$v^{corrected} = v / (1 - 0.9^t)$")
axes[0].set(title=r"first moment, $\beta_1 = 0.9$, $dW = 1$", xlabel="t", ylim=(0, 1.1))
axes[1].plot(steps[first], s_hist[first], "o-", ms=3, label=r"$s$ (no correction)")
axes[1].plot(steps[first], s_corr[first], "s-", ms=3, label=r"$s^{corrected} = s / (1 - 0.999^t)$")
axes[1].set(title=r"second moment, $\beta_2 = 0.999$, $dW^2 = 1$", xlabel="t", ylim=(0, 1.1))
axes[2].semilogx(steps, v_hist / np.sqrt(s_hist), label=r"$v / \sqrt{s}$ (no correction)")
axes[2].semilogx(steps, v_corr / np.sqrt(s_corr), label="with bias correction")
axes[2].set(title=r"step size in units of $\alpha$", xlabel="t (log scale)")
for ax in axes:
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
plt.tight_layout()
plt.show()
print(f"t = 1:  v / sqrt(s) = {v_hist[0] / np.sqrt(s_hist[0]):.2f};  t = 20: "
      f"{v_hist[19] / np.sqrt(s_hist[19]):.2f};  t = 2000: {v_hist[-1] / np.sqrt(s_hist[-1]):.2f}")

# %% [markdown]
# The correction matters most where $\beta$ is closest to 1: $s$ needs about $1/(1-\beta_2) =
# 1000$ steps to forget its zero start. Kingma and Ba's paper makes the same point: without
# the correction, the first steps of Adam with $\beta_2$ near 1 are much too large and can
# throw the parameters far away.

# %% [markdown]
# ## 3. Exercise 1: initialize Adam's state
#
# Create two dicts, `v` and `s`, keyed like the gradients: `"dW1", "db1", ..., "dWL", "dbL"`.
# Each entry is an array of **zeros with the shape of the matching parameter**
# (`np.zeros_like(parameters["W1"])` for `"dW1"`). Make `v` and `s` separate arrays: they are
# updated differently.

# %% solution="initialize_adam"
def initialize_adam(parameters):
    """Zero first and second moments for every parameter.

    Arguments:
    parameters -- dict {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}

    Returns:
    v -- dict {"dW1": zeros like W1, "db1": zeros like b1, ..., "dWL", "dbL"}: first moments
    s -- dict with the same keys and shapes, separate arrays: second moments
    """
    ### BEGIN SOLUTION
    L = len(parameters) // 2
    v, s = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            v[f"d{p}{l}"] = np.zeros_like(parameters[f"{p}{l}"], dtype=float)
            s[f"d{p}{l}"] = np.zeros_like(parameters[f"{p}{l}"], dtype=float)
    return v, s
    ### END SOLUTION


# %% [markdown]
# The tests use small networks whose parameters are all non-zero (`course.fixtures`), so
# "zeros like the parameter" cannot be confused with "a copy of the parameter". They call your
# function through `call` (`course.testing`), which hands it fresh copies and checks what it
# returns.

# %% readonly="checkers_adam_init"
def check_adam_init(parameters, where=""):
    """Call your initialize_adam: v and s must hold float64 zeros keyed dW1, db1, ... shaped
    like the parameters (check_state_zeros). Returns (v, s)."""
    v, s = call(initialize_adam, parameters, returns=("v", "s"))
    for name, state in (("v", v), ("s", s)):
        check_state_zeros(state, parameters, where + name)
    return v, s


def check_adam_state_separate(v, s):
    """v and s must be two dicts of separate arrays: updating one must not change the other."""
    if v is s:
        raise AssertionError("v and s are the same dict: create two dicts (v, s = {}, {}).")
    for key in v:
        if key in s and np.shares_memory(v[key], s[key]):
            raise AssertionError(
                f"v['{key}'] and s['{key}'] are the same array: an in-place update of one would "
                "change the other. Create each with its own np.zeros_like(...).")


# %% test="test_adam_init_shapes_zeros" points=1
"""Checks v and s hold float zeros keyed dW1, db1, ..., dW3, db3 with the parameters' shapes."""
check_adam_init(fixtures.network([4, 5, 3, 1], seed=0).parameters)
print("Correct: zero moments with the parameters' shapes.")
### BEGIN HIDDEN TESTS
for _dims in ([2, 1], [7, 6, 5, 4, 3]):
    check_adam_init(fixtures.network(_dims, seed=len(_dims)).parameters, f"layers {_dims}: ")
### END HIDDEN TESTS

# %% test="test_adam_init_separate_arrays" points=1
"""Checks v and s are separate arrays, not aliases of each other."""
_v, _s = call(initialize_adam, fixtures.network([3, 2, 2], seed=1).parameters, returns=("v", "s"))
check_adam_state_separate(_v, _s)
print("Correct: v and s are independent zero arrays.")

# %% [markdown]
# ## 4. Exercise 2: one Adam step
#
# For every layer $l = 1, \dots, L$ and for both $W^{[l]}$ and $b^{[l]}$ (shown for $W$):
#
# 1. $v_{dW} = \beta_1 v_{dW} + (1 - \beta_1)\, dW$
# 2. $s_{dW} = \beta_2 s_{dW} + (1 - \beta_2)\, dW^2$ (element-wise square: `dW ** 2`)
# 3. $v^{\text{corrected}}_{dW} = v_{dW} / (1 - \beta_1^t)$ and
#    $s^{\text{corrected}}_{dW} = s_{dW} / (1 - \beta_2^t)$, with $t$ the number of the
#    current update (1 for the first). It is $1 - \beta^t$, not $(1 - \beta)^t$.
# 4. $W := W - \alpha\, v^{\text{corrected}}_{dW} / \left(\sqrt{s^{\text{corrected}}_{dW}} +
#    \varepsilon\right)$
#
# Store the new `v` and `s` (keys `"dW1"`, `"db1"`, ...) and return them, with the corrected
# moments in two new dicts with the same keys. Use `np.sqrt`, not `**0.5` of a sum.

# %% solution="update_parameters_with_adam"
def update_parameters_with_adam(parameters, grads, v, s, t, learning_rate=0.01,
                                beta1=0.9, beta2=0.999, epsilon=1e-8):
    """One Adam step on every layer.

    Arguments:
    parameters -- dict {"W1", "b1", ..., "WL", "bL"}: W_l (n_l, n_{l-1}), b_l (n_l, 1)
    grads -- dict {"dW1", "db1", ..., "dWL", "dbL"}, shaped like the parameters
    v -- dict of first moments (keys like grads), the previous step's values
    s -- dict of second moments (keys like grads), the previous step's values
    t -- number of this update, starting at 1 (used in the bias correction)
    learning_rate -- alpha
    beta1 -- decay of the first moment (momentum), 0.9
    beta2 -- decay of the second moment (RMSProp), 0.999
    epsilon -- added to sqrt(s_corrected), outside the square root

    Returns:
    parameters -- updated: W := W - alpha * v_corrected / (sqrt(s_corrected) + epsilon)
    v -- updated first moments: v = beta1 * v + (1 - beta1) * dW
    s -- updated second moments: s = beta2 * s + (1 - beta2) * dW**2
    v_corrected -- dict (keys like grads): v / (1 - beta1**t)
    s_corrected -- dict (keys like grads): s / (1 - beta2**t)
    """
    L = len(parameters) // 2
    v_corrected, s_corrected = {}, {}
    ### BEGIN SOLUTION
    for l in range(1, L + 1):
        for p in ("W", "b"):
            d = f"d{p}{l}"
            v[d] = beta1 * v[d] + (1 - beta1) * grads[d]
            s[d] = beta2 * s[d] + (1 - beta2) * grads[d] ** 2
            v_corrected[d] = v[d] / (1 - beta1**t)
            s_corrected[d] = s[d] / (1 - beta2**t)
            step = v_corrected[d] / (np.sqrt(s_corrected[d]) + epsilon)
            parameters[f"{p}{l}"] = parameters[f"{p}{l}"] - learning_rate * step
    ### END SOLUTION
    return parameters, v, s, v_corrected, s_corrected


# %% [markdown]
# ### The hand-computed fixture
#
# The first tests use a tiny 3-layer network (sizes 1 → 2 → 1 → 1) built so that every number
# can be checked by hand. Every entry of every array has its own constant $c$, and
#
# $$dW = 2c, \qquad v_{\text{old}} = c, \qquad s_{\text{old}} = c^2, \qquad t = 2, \qquad
#   \beta_1 = 0.5, \quad \beta_2 = 0.75, \quad \alpha = 0.3, \quad \varepsilon = 0.01.$$
#
# By hand:
#
# * $v = 0.5\,c + 0.5 \cdot 2c = 1.5\,c$ and $s = 0.75\,c^2 + 0.25 \cdot 4c^2 = 1.75\,c^2$;
# * $1 - \beta_1^2 = 0.75$ and $1 - \beta_2^2 = 0.4375$, so $v^{\text{corrected}} = 1.5c / 0.75 =
#   2c$ and $s^{\text{corrected}} = 1.75c^2 / 0.4375 = 4c^2$;
# * the step is $0.3 \cdot 2c / (2|c| + 0.01)$: for $c = 0.01$ that is $0.3 \cdot 0.02 / 0.03 =
#   0.2$; for $c = 0.005$, $0.3 \cdot 0.01 / 0.02 = 0.15$; for $c = 0.02$, $0.3 \cdot 0.04 / 0.05 =
#   0.24$; for $c = 0.045$, $0.3 \cdot 0.09 / 0.1 = 0.27$ (and the opposite sign for $-c$).
#
# The gradients are small (a few hundredths), so $\varepsilon = 0.01$ is of the same size as
# $\sqrt{s}$: putting it inside the square root gives a visibly different step.

# %% readonly="fixture_adam_hand"
HAND_C = {"dW1": np.array([[0.01], [-0.005]]), "db1": np.array([[0.02], [0.045]]),
          "dW2": np.array([[-0.02, 0.005]]), "db2": np.array([[-0.045]]),
          "dW3": np.array([[0.01]]), "db3": np.array([[-0.01]])}
HAND_PARAMS = {"W1": np.array([[1.0], [2.0]]), "b1": np.array([[0.5], [-0.5]]),
               "W2": np.array([[-1.0, 3.0]]), "b2": np.array([[0.25]]),
               "W3": np.array([[2.0]]), "b3": np.array([[-1.5]])}
HAND_GRADS = {k: 2 * c for k, c in HAND_C.items()}
HAND_V = {k: c.copy() for k, c in HAND_C.items()}
HAND_S = {k: c**2 for k, c in HAND_C.items()}
HAND_ARGS = (HAND_PARAMS, HAND_GRADS, HAND_V, HAND_S, 2)  # parameters, grads, v, s, t
HAND_HYPER = {"learning_rate": 0.3, "beta1": 0.5, "beta2": 0.75, "epsilon": 0.01}


# %% [markdown]
# The tests call your function with `call(update_parameters_with_adam, ..., **ADAM_CALL)`: it
# must return `parameters, v, s, v_corrected, s_corrected` in this order, and it may change
# `parameters`, `v` and `s` but not `grads`. `check_adam` calls it once more with the same
# inputs (the results must not depend on earlier calls) and compares; `adam_mistakes` lists
# what each classic mistake would return, so a failing test can name it.

# %% readonly="checkers_adam"
ADAM_RETURNS = ("parameters", "v", "s", "v_corrected", "s_corrected")
ADAM_CALL = {"returns": ADAM_RETURNS, "may_change": ("parameters", "v", "s")}
NAN_HINT = ("At t = 1, 1 - beta**(t - 1) is 0: the bias correction is 1 - beta**t with t as "
            "given (t counts from 1). A square root of a negative s is NaN too: s averages the "
            "squared gradient; a gradient not squared can make s negative.")


def adam_variant(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999,
                 epsilon=1e-8, first=None, second=None, c1=None, c2=None, step=None):
    """The five results of one Adam step, key by key, where a classic mistake can replace one
    piece: first(v, g), second(s, g), the corrections c1, c2, or step(vc, sc, v, s)."""
    first = first or (lambda v, g: beta1 * v + (1 - beta1) * g)
    second = second or (lambda s, g: beta2 * s + (1 - beta2) * g * g)
    c1 = 1 - beta1**t if c1 is None else c1
    c2 = 1 - beta2**t if c2 is None else c2
    step = step or (lambda vc, sc, v, s: vc / (np.sqrt(sc) + epsilon))
    out = ({}, {}, {}, {}, {})
    with np.errstate(all="ignore"):  # some mistakes divide by zero or take a negative root
        for k in parameters:
            d = "d" + k
            out[1][d], out[2][d] = first(v[d], grads[d]), second(s[d], grads[d])
            out[3][d], out[4][d] = out[1][d] / c1, out[2][d] / c2
            out[0][k] = parameters[k] - learning_rate * step(out[3][d], out[4][d], out[1][d],
                                                             out[2][d])
    return out


def adam_mistakes(parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999,
                  epsilon=1e-8):
    """{diagnosis: the five results that mistake returns} for one Adam step on these inputs."""
    b1, b2, eps = beta1, beta2, epsilon
    variants = {
        "the (1 - beta1) factor is missing: v = beta1 * v + (1 - beta1) * dW.":
            {"first": lambda v, g: b1 * v + g},
        "v was averaged with beta2: the first moment (momentum) uses beta1.":
            {"first": lambda v, g: b2 * v + (1 - b2) * g},
        "v averages the squared gradient: the first moment averages dW itself.":
            {"first": lambda v, g: b1 * v + (1 - b1) * g * g},
        "beta1 and (1 - beta1) are swapped: v = beta1 * v + (1 - beta1) * dW.":
            {"first": lambda v, g: (1 - b1) * v + b1 * g},
        "the gradient is not squared: s averages dW ** 2 (element-wise).":
            {"second": lambda s, g: b2 * s + (1 - b2) * g},
        "the (1 - beta2) factor is missing: s = beta2 * s + (1 - beta2) * dW ** 2.":
            {"second": lambda s, g: b2 * s + g * g},
        "s was averaged with beta1: the second moment (RMSProp) uses beta2.":
            {"second": lambda s, g: b1 * s + (1 - b1) * g * g},
        "bias correction missing: v_corrected = v / (1 - beta1**t), s_corrected = "
        "s / (1 - beta2**t), and the step uses them.": {"c1": 1.0, "c2": 1.0},
        "bias correction with t - 1 (t counted from 0): use 1 - beta**t with t as given.":
            {"c1": 1 - b1 ** (t - 1), "c2": 1 - b2 ** (t - 1)},
        "bias correction with t + 1: use 1 - beta**t with t as given.":
            {"c1": 1 - b1 ** (t + 1), "c2": 1 - b2 ** (t + 1)},
        "the bias correction ignores t: 1 - beta is right only at t = 1; divide by "
        "1 - beta**t.": {"c1": 1 - b1, "c2": 1 - b2},
        "you divided by (1 - beta)**t: the bias correction is 1 - beta**t.":
            {"c1": (1 - b1) ** t, "c2": (1 - b2) ** t},
        "v was corrected with beta2: v_corrected = v / (1 - beta1**t).": {"c1": 1 - b2**t},
        "s was corrected with beta1: s_corrected = s / (1 - beta2**t).": {"c2": 1 - b1**t},
        "epsilon is inside the square root: Adam divides by sqrt(s_corrected) + epsilon.":
            {"step": lambda vc, sc, v, s: vc / np.sqrt(sc + eps)},
        "the step uses the uncorrected v: use v_corrected.":
            {"step": lambda vc, sc, v, s: v / (np.sqrt(sc) + eps)},
        "the step uses the uncorrected s: use s_corrected.":
            {"step": lambda vc, sc, v, s: vc / (np.sqrt(s) + eps)},
        "the step uses the uncorrected v and s (bias correction computed but not used): use "
        "v_corrected and s_corrected.": {"step": lambda vc, sc, v, s: v / (np.sqrt(s) + eps)},
        "the square root is missing: divide by sqrt(s_corrected) + epsilon.":
            {"step": lambda vc, sc, v, s: vc / (sc + eps)},
        "you moved up the gradient: subtract the step.":
            {"step": lambda vc, sc, v, s: -vc / (np.sqrt(sc) + eps)},
    }
    args = (parameters, grads, v, s, t, learning_rate, beta1, beta2, epsilon)
    table = {d: adam_variant(*args, **kw) for d, kw in variants.items()}
    right = adam_variant(*args)
    for i in range(1, 5):  # a result in another result's place
        for j in range(1, 5):
            if i != j:
                out = list(right)
                out[i] = right[j]
                table[f"it holds the values of {ADAM_RETURNS[j]}: return parameters, v, s, "
                      "v_corrected, s_corrected in this order."] = out
    return table


def check_adam(out, expected, args, hyper, where=""):
    """Compare the results named in `expected` ({"v": dict, ...}) of one call
    update_parameters_with_adam(*args, **hyper) (returned `out`); a failure names the mistake.
    `where` starts the name of each result ("at step t = 2: "). The function is called once
    more with the same inputs first: it must return the same results (no state kept)."""
    call(update_parameters_with_adam, *args, **ADAM_CALL, **hyper, repeat=True)
    table = adam_mistakes(*args, **hyper)
    starts = {"parameters": args[0], "v": args[2], "s": args[3]}
    for name, want in expected.items():
        i = ADAM_RETURNS.index(name)
        check_dict_close(out[i], want, where + name, start=starts.get(name), nan_hint=NAN_HINT,
                         mistakes={d: wrong[i] for d, wrong in table.items()})


def adam_unrolled(net, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8):
    """(parameters, v, s) after the steps t = 1..n of net.grads from zero moments, unrolled:
    v_n = (1 - b1) * sum_k b1**(n - k) g_k, and v_corrected is the weighted mean
    sum_k b1**(n - k) g_k / sum_k b1**(n - k) of the gradients so far (s likewise with g**2)."""
    params, n = fresh(net.parameters), len(net.grads)
    for j in range(1, n + 1):
        w1 = [beta1 ** (j - k) for k in range(1, j + 1)]
        w2 = [beta2 ** (j - k) for k in range(1, j + 1)]
        for key in params:
            gs = [g["d" + key] for g in net.grads[:j]]
            mean_g = sum(w * g for w, g in zip(w1, gs)) / sum(w1)
            mean_g2 = sum(w * g**2 for w, g in zip(w2, gs)) / sum(w2)
            params[key] = params[key] - learning_rate * mean_g / (np.sqrt(mean_g2) + epsilon)
    v = {"d" + key: (1 - beta1) * sum(beta1 ** (n - k) * g["d" + key]
                                      for k, g in enumerate(net.grads, 1)) for key in params}
    s = {"d" + key: (1 - beta2) * sum(beta2 ** (n - k) * g["d" + key] ** 2
                                      for k, g in enumerate(net.grads, 1)) for key in params}
    return params, v, s


def check_adam_runs(nets, hyper):
    """Your Adam on several networks stepped in turn (t = 1, 2, ...) from zero moments: each
    step is checked (naming a mistake), and the end against the unrolled sums. The networks
    share nothing, so a result that depends on the other network's calls is a global state."""
    def step(state, grads, t):
        args = (*state[:1], grads, *state[1:], t)
        out = call(update_parameters_with_adam, *args, **ADAM_CALL, **hyper)
        want = adam_variant(*args, **hyper)
        check_adam(out, dict(zip(ADAM_RETURNS[1:] + ADAM_RETURNS[:1], want[1:] + want[:1])),
                   args, hyper, f"at step t = {t}: ")
        return out[:3]

    zero = [{"d" + k: np.zeros_like(p) for k, p in net.parameters.items()} for net in nets]
    finals = interleave(step, [((net.parameters, z, fresh(z)), net.grads)
                               for net, z in zip(nets, zero)])
    label = ", ".join(f"{k} = {v}" for k, v in hyper.items()) or "default hyperparameters"
    for n, (net, final) in enumerate(zip(nets, finals), 1):
        want = adam_unrolled(net, **hyper)
        for i in (1, 2, 0):
            check_dict_close(final[i], want[i], f"network {n} after {len(net.grads)} steps "
                             f"({label}): {ADAM_RETURNS[i]}",
                             hints=dict.fromkeys(want[i], "Results must not depend on earlier "
                                                 "calls (no global state)."))


# %% test="test_adam_moments_hand" points=2
"""Checks the updated v and s on the hand-computed fixture (v = 1.5c, s = 1.75c^2)."""
_out = call(update_parameters_with_adam, *HAND_ARGS, **ADAM_CALL, **HAND_HYPER)
check_adam(_out, {"v": {k: 1.5 * c for k, c in HAND_C.items()},
                  "s": {k: 1.75 * c**2 for k, c in HAND_C.items()}}, HAND_ARGS, HAND_HYPER)
print("Correct: v and s are updated with (beta1, dW) and (beta2, dW**2).")

# %% test="test_adam_bias_correction_hand" points=2
"""Checks v_corrected = v / (1 - beta1**t) and s_corrected = s / (1 - beta2**t) at t = 2."""
_out = call(update_parameters_with_adam, *HAND_ARGS, **ADAM_CALL, **HAND_HYPER)
# v = 1.5c and 1 - 0.5**2 = 0.75 give 2c; s = 1.75c^2 and 1 - 0.75**2 = 0.4375 give 4c^2.
check_adam(_out, {"v_corrected": {k: 2 * c for k, c in HAND_C.items()},
                  "s_corrected": {k: 4 * c**2 for k, c in HAND_C.items()}}, HAND_ARGS, HAND_HYPER)
print("Correct: both moments are bias-corrected with their own beta and t.")

# %% test="test_adam_parameters_hand" points=2
"""Checks W and b move by alpha * v_corrected / (sqrt(s_corrected) + eps), eps = 0.01 outside."""
_out = call(update_parameters_with_adam, *HAND_ARGS, **ADAM_CALL, **HAND_HYPER)
# step = 0.3 * 2c / (2|c| + 0.01): 0.2 for c = 0.01, 0.15 for 0.005, 0.24 for 0.02, 0.27 for 0.045
check_adam(_out, {"parameters": {k[1:]: HAND_PARAMS[k[1:]] - 0.3 * 2 * c / (2 * np.abs(c) + 0.01)
                                 for k, c in HAND_C.items()}}, HAND_ARGS, HAND_HYPER)
print("Correct: the parameters take the Adam step, epsilon outside the square root.")

# %% test="test_adam_first_step" points=1
"""Checks the first step (t = 1, zero state): v_corrected = dW, s_corrected = dW**2, step ~ alpha."""
_net = fixtures.network([3, 4, 2, 1], seed=2, grad_scale=1.0)
_p, _g = _net.parameters, _net.grads[0]
_args = (_p, _g, {k: np.zeros_like(g) for k, g in _g.items()},
         {k: np.zeros_like(g) for k, g in _g.items()}, 1)
_out = call(update_parameters_with_adam, *_args, **ADAM_CALL)
# from zero: v = 0.1 dW and 1 - 0.9**1 = 0.1, so v_corrected = dW (s likewise), and
# W := W - 0.01 * dW / (|dW| + 1e-8): a step of almost exactly alpha = 0.01, against the sign.
check_adam(_out, {"v_corrected": _g, "s_corrected": {k: g**2 for k, g in _g.items()},
                  "parameters": {k: _p[k] - 0.01 * _g["d" + k] / (np.abs(_g["d" + k]) + 1e-8)
                                 for k in _p}}, _args, {})
print("Correct: the first Adam step moves every parameter by about alpha.")

# %% test="test_adam_three_layers_defaults" points=1
"""Checks a 3-layer network at t = 3 with the default hyperparameters, in Keras' form."""
_net = fixtures.network([4, 5, 3, 1], seed=4, grad_scale=1.0, state_scale=0.3, signed_states=True)
_p, _g, _v0 = _net.parameters, _net.grads[0], _net.state
_s0 = fixtures.network([4, 5, 3, 1], seed=5, state_scale=0.5).state  # positive
_t, _b1, _b2, _a, _eps = 3, 0.9, 0.999, 0.01, 1e-8
# Written as Keras does: m += (g - m)(1 - b1); the corrections folded into the step size and
# epsilon scaled by sqrt(1 - b2**t) ("epsilon hat"); algebraically the same update.
_m = {k: _v0[k] + (_g[k] - _v0[k]) * (1 - _b1) for k in _g}
_u = {k: _s0[k] + (_g[k] * _g[k] - _s0[k]) * (1 - _b2) for k in _g}
_lr_t = _a * np.sqrt(1 - _b2**_t) / (1 - _b1**_t)
_want = {k[1:]: _p[k[1:]] - _lr_t * _m[k] / (np.sqrt(_u[k]) + _eps * np.sqrt(1 - _b2**_t))
         for k in _g}
_out = call(update_parameters_with_adam, _p, _g, _v0, _s0, _t, **ADAM_CALL)
check_adam(_out, {"v": _m, "s": _u, "parameters": _want}, (_p, _g, _v0, _s0, _t), {})
print("Correct on a 3-layer network with beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8.")

# %% test="test_adam_hidden" points=2
"""Checks several steps in a row, two networks stepped in turn, against the unrolled sums (more cases are hidden)."""
check_adam_runs([fixtures.network([3, 2, 1], seed=20, steps=3, grad_scale=1.0),
                 fixtures.network([2, 2], seed=21, steps=2, grad_scale=1.0)], {})
print("Correct: three steps in a row, from zero moments, on two networks in turn.")
### BEGIN HIDDEN TESTS
for _seed, _dims, _n, _hyper, _scale in [
        (13, [2, 3, 1], 3, {"learning_rate": 0.1, "beta1": 0.7, "beta2": 0.95, "epsilon": 0.05},
         0.02),  # small gradients where epsilon is large: its placement shows
        (11, [3, 2], 4, {"learning_rate": 0.05, "beta1": 0.8, "beta2": 0.99}, 1.0),
        (12, [5, 4, 4, 3, 2], 6, {"learning_rate": 0.001}, 1.0)]:
    check_adam_runs([fixtures.network(_dims, seed=_seed, steps=_n, grad_scale=_scale),
                     fixtures.network(_dims[::-1], seed=_seed + 100, steps=_n - 1,
                                      grad_scale=_scale)], _hyper)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Adam versus gradient descent on two test functions
#
# `nn.run_on_function` runs an update rule on a function of two variables $(x, y)$, stored as
# a one-layer "network" so your function works unchanged.
#
# * The **elongated bowl** $f(x, y) = x^2/20 + y^2$ is 20 times steeper in $y$ than in $x$.
#   Gradient descent must keep $\alpha < 1$ or it diverges along $y$. Near that limit
#   ($\alpha = 0.9$) it zig-zags across the valley; with a calmer $\alpha = 0.3$ it crawls
#   along $x$ (each step multiplies $x$ by $1 - \alpha/10$). Adam divides each coordinate by its
#   own gradient scale, so it moves about $\alpha$ per step in *both* directions.
# * **Rosenbrock's function** $(1 - x)^2 + 100(y - x^2)^2$ has a narrow curved valley with its
#   minimum at $(1, 1)$: the gradient across the valley is huge, along it tiny.

# %%
def adam_optimizer(beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Your Adam as an `nn.Optimizer` (the state is the pair (v, s))."""
    def step(parameters, grads, state, t, learning_rate):
        parameters, v, s, _, _ = update_parameters_with_adam(
            parameters, grads, *state, t, learning_rate, beta1, beta2, epsilon)
        return parameters, (v, s)
    return nn.Optimizer(init=initialize_adam, step=step, name="Adam")


def gd_step(parameters, grads, state, t, learning_rate):
    L = len(parameters) // 2
    new = {}
    for l in range(1, L + 1):
        new[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        new[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return new, state


gd = nn.Optimizer(init=lambda p: None, step=gd_step, name="gradient descent")
adam = adam_optimizer()

bowl_paths = {"GD, alpha = 0.9": nn.run_on_function(data.elongated_bowl, (-7, 2), gd, 0.9, 50),
              "GD, alpha = 0.3": nn.run_on_function(data.elongated_bowl, (-7, 2), gd, 0.3, 50),
              "Adam, alpha = 0.2": nn.run_on_function(data.elongated_bowl, (-7, 2), adam, 0.2, 50)}
rosen_paths = {"GD, alpha = 0.002": nn.run_on_function(data.rosenbrock, (-1.5, 2), gd, 2e-3, 500),
               "Adam, alpha = 0.1": nn.run_on_function(data.rosenbrock, (-1.5, 2), adam, 0.1, 500)}
fig, axes = plt.subplots(1, 2, figsize=(14, 4))
plots.contour_paths(data.elongated_bowl, bowl_paths, title="Elongated bowl, 50 steps", ax=axes[0])
plots.contour_paths(data.rosenbrock, rosen_paths, xlim=(-2, 2), ylim=(-1, 3), levels=40,
                    title="Rosenbrock, 500 steps (minimum at (1, 1))", ax=axes[1])
axes[1].plot(1, 1, "r*", ms=10)
plt.tight_layout()
plt.show()
for name, paths, f in (("bowl", bowl_paths, data.elongated_bowl),
                       ("Rosenbrock", rosen_paths, data.rosenbrock)):
    print(name + ": " + ", ".join(f"{label} ends at f = {f(p[-1])[0]:.2g}" for label, p in paths.items()))

# %% [markdown]
# On the bowl Adam's first steps go diagonally (a step of about $\alpha$ in $x$ *and* in $y$);
# its momentum then carries it a little past the valley floor before it settles. Gradient
# descent either bounces across $y$ or creeps along $x$.
#
# On Rosenbrock both get close, and the tuned gradient descent even a little closer. So is
# Adam just "another $\alpha$ to tune"? The difference is **how narrow the window is**. The
# next plot runs 500 steps for a range of learning rates and shows where each ends.

# %%
def final_value(optimizer, lr, f=data.rosenbrock, start=(-1.5, 2), n=500):
    with np.errstate(all="ignore"):  # a diverging run overflows: that is the point
        value = f(nn.run_on_function(f, start, optimizer, lr, n)[-1])[0]
    return value if np.isfinite(value) and value < 1e6 else np.inf


gd_rates, adam_rates = np.geomspace(1e-4, 4e-3, 12), np.geomspace(1e-3, 1.0, 12)
gd_final = [final_value(gd, lr) for lr in gd_rates]
adam_final = [final_value(adam, lr) for lr in adam_rates]
fig, ax = plt.subplots(figsize=(7, 3.5))
for rates, finals, label, color in ((gd_rates, gd_final, "GD", "C0"), (adam_rates, adam_final, "Adam", "C1")):
    finals = np.array(finals)
    ok = np.isfinite(finals)
    ax.loglog(rates[ok], finals[ok], "o-", color=color, label=label)
    if not ok.all():
        ax.loglog(rates[~ok], np.full((~ok).sum(), 1e2), "x", color=color, ms=9,
                  label=f"{label} diverged")
ax.set(xlabel=r"learning rate $\alpha$", ylabel="f after 500 steps",
       title="Rosenbrock: final value versus learning rate")
ax.grid(alpha=0.3)
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Gradient descent is best just below the rate where it diverges (the steep walls of the
# valley set that limit, here about $\alpha = 0.0025$), and its usable range is less than a
# factor of ten wide. Adam never diverges here: its step is about $\alpha$ whatever the
# gradient's size, and a whole decade of rates ends near the minimum. That robustness, one
# $\alpha$ for parameters whose gradients differ by orders of magnitude, with noisy mini-batch
# gradients, is why Adam is the usual first choice. Near the minimum Adam keeps stepping about
# $\alpha$, which is why it is often combined with learning-rate decay (chapter 06).

# %% [markdown]
# ## 6. Training a network: gradient descent versus Adam
#
# The course's network (2 → 16 → 8 → 1, ReLU then sigmoid) on scikit-learn's two moons, with
# mini-batches of 64 reshuffled every epoch, trained twice from the **same initial weights**
# (`seed=0`) on the **same mini-batches**: once with gradient descent ($\alpha = 0.3$) and once
# with Adam (your functions, $\alpha = 0.01$ and the default betas).

# %%
X_train, Y_train = data.load_moons(m=500, noise=0.2, seed=0)
layers_dims = [2, 16, 8, 1]


def shuffled_batches(X, Y, epoch, size=64):
    perm = np.random.default_rng(epoch).permutation(X.shape[1])
    return [(X[:, perm[k:k + size]], Y[:, perm[k:k + size]]) for k in range(0, X.shape[1], size)]


runs = {name: nn.train(X_train, Y_train, layers_dims, opt, learning_rate=lr, num_epochs=150,
                       make_batches=shuffled_batches, seed=0)
        for name, opt, lr in [("GD, alpha = 0.3", gd, 0.3), ("Adam, alpha = 0.01", adam, 0.01)]}
for name, run in runs.items():
    print(f"{name:20s} cost after 10 epochs {run.epoch_costs[9]:.3f}, after 150 "
          f"{run.epoch_costs[-1]:.3f}, training accuracy {nn.accuracy(X_train, Y_train, run.parameters):.1%}")

# the first epoch after which the cost on the whole training set is at most 0.1
epochs_to_01 = {name: next((e for e, c in enumerate(run.epoch_costs, 1) if c <= 0.1), None)
                for name, run in runs.items()}
for name, e in epochs_to_01.items():
    print(f"{name:20s} reaches a training cost of 0.1 after {e} epochs")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
plots.cost_curves({name: run.epoch_costs for name, run in runs.items()}, xlabel="epoch",
                  title="Cost on the training set (same seed, same batches)", ax=axes[0], logy=True)
plots.decision_boundaries({name: run.parameters for name, run in runs.items()}, X_train,
                          Y_train, axes=axes[1:])
plt.tight_layout()
plt.show()

# %% [markdown]
# Adam gets to a low cost in fewer epochs, but on this easy problem not dramatically fewer:
# the cell above counts 20 epochs for Adam to bring the training cost down to 0.1 and 29 for
# gradient descent, about a third fewer. After 150 epochs the two costs are close (0.050 and
# 0.057, printed above) and the boundaries are similar; the gap opens on deeper networks and
# harder data (chapter 11 compares more optimizers on the same seeds).
#
# ## 7. Optional: AdamW, decoupled weight decay (not graded)
#
# Weight decay (가중치 감쇠) shrinks the weights a little every step. With plain gradient
# descent, adding the L2 term $\frac{\lambda}{2}\|W\|^2$ to the cost (gradient $dW + \lambda W$)
# and shrinking $W$ directly are the same thing. **With Adam they are not**: the L2 gradient
# $\lambda W$ goes through the division by $\sqrt{s}$, so a weight with large gradients is
# hardly decayed, and a weight with tiny gradients is pushed to zero at a constant speed of
# about $\alpha$ per step. Loshchilov and Hutter's **AdamW** ("Decoupled Weight Decay
# Regularization", 2019) takes the decay out of the gradient:
#
# $$W := W - \alpha\left(\frac{v^{\text{corrected}}_{dW}}{\sqrt{s^{\text{corrected}}_{dW}} +
#   \varepsilon} + \lambda W\right)$$
#
# (the paper writes the decay as $\eta_t \lambda W$ with a schedule multiplier $\eta_t$;
# Keras and PyTorch write it as `learning_rate * weight_decay * W`, which is the form above).
#
# The demo: two weights, both starting at 1, whose loss gradients only oscillate (mean zero):
# $\pm 10$ for the first, $\pm 0.01$ for the second. The only systematic force is the decay.

# %%
def adam_l2_step(parameters, grads, v, s, t, learning_rate, lambd):
    """Adam on the gradient of cost + lambd/2 ||W||^2: the decay goes through sqrt(s)."""
    grads = {k: g + (lambd * parameters[k[1:]] if k.startswith("dW") else 0) for k, g in grads.items()}
    return update_parameters_with_adam(parameters, grads, v, s, t, learning_rate)[:3]


def adamw_step(parameters, grads, v, s, t, learning_rate, weight_decay):
    """AdamW: shrink W by learning_rate * weight_decay * W, then the plain Adam step."""
    decayed = {k: p - learning_rate * weight_decay * p if k.startswith("W") else p
               for k, p in parameters.items()}
    return update_parameters_with_adam(decayed, grads, v, s, t, learning_rate)[:3]


alpha, lambd, n_steps = 0.01, 0.1, 400
traces = {}
for name, step in (("Adam + L2 in the gradient", adam_l2_step), ("AdamW (decoupled)", adamw_step)):
    params = {"W1": np.ones((2, 1)), "b1": np.zeros((1, 1))}
    v, s = initialize_adam(params)
    trace = [params["W1"].ravel().copy()]
    for t in range(1, n_steps + 1):
        wiggle = (-1.0) ** t * np.array([[10.0], [0.01]])  # mean-zero loss gradients
        params, v, s = step(params, {"dW1": wiggle, "db1": np.zeros((1, 1))}, v, s, t, alpha, lambd)
        trace.append(params["W1"].ravel().copy())
    traces[name] = np.array(trace)

fig, ax = plt.subplots(figsize=(7, 3.5))
for (name, trace), style in zip(traces.items(), ("-", "--")):
    ax.plot(trace[:, 0], style, color="C0", label=f"{name}: weight with gradients ±10")
    ax.plot(trace[:, 1], style, color="C1", label=f"{name}: weight with gradients ±0.01")
ax.plot((1 - alpha * lambd) ** np.arange(n_steps + 1), ":", color="k", label=r"$(1 - \alpha\lambda)^t$")
ax.set(xlabel="step t", ylabel="weight", title="Same lambda, different decay")
ax.legend(fontsize=7)
ax.grid(alpha=0.3)
plt.show()
for name, trace in traces.items():
    print(f"{name:26s} after {n_steps} steps: weights {trace[-1].round(3)}")

# %% [markdown]
# With the L2 term inside Adam's gradient, the weight with large gradients keeps almost all of
# its size and the one with small gradients is driven to zero within about 200 steps:
# the decay depends on the gradient history, not on $\lambda$ alone. AdamW shrinks both by the
# same factor $(1 - \alpha\lambda)$ per step, as weight decay should. The Keras notebook checks
# `keras.optimizers.AdamW` against this decoupled form; chapter 10 returns to L2 and weight
# decay.
#
# ## 8. Recap
#
# * Adam = momentum ($v_{dW}$, $\beta_1 = 0.9$) + RMSProp ($s_{dW}$, $\beta_2 = 0.999$) with
#   **bias correction** $1 - \beta^t$, $t$ counted from 1, each moment with its own $\beta$.
# * $W := W - \alpha\, v^{\text{corrected}} / (\sqrt{s^{\text{corrected}}} + \varepsilon)$ with
#   $\varepsilon = 10^{-8}$ **outside** the root (AdaGrad and RMSProp put it inside).
# * Without the correction the first steps are several times too large, because $s$ (with
#   $\beta_2$ near 1) starts much more biased than $v$.
# * Tune $\alpha$; leave $\beta_1, \beta_2, \varepsilon$ at their defaults unless you have a
#   reason.
# * Weight decay with Adam: prefer AdamW (decoupled) to an L2 term in the gradient.
#
# Next: the Keras reference notebook of this chapter (`adam_keras.ipynb`) checks
# `keras.optimizers.Adam` and `AdamW` against your functions, with the exact mapping for
# Keras' "epsilon hat". The course's convention table (`docs/conventions.md`) collects every
# place where the notes, the papers and Keras write the same optimizer differently.
