# %% [markdown]
# # Chapter 03 — Gradient descent with momentum
#
# *Optimization for Deep Learning* · graded notebook
#
# **What you will build**
# 1. `initialize_velocity`: the optimizer's memory, one zero array per gradient.
# 2. `update_parameters_with_momentum`: one step of gradient descent with momentum, in the
#    exponentially-weighted-average form of the lectures.
#
# Then you will see momentum damp the zig-zag of gradient descent on an elongated bowl, train
# the same network on two moons with and without momentum, and prove that the *other*
# momentum formula found in textbooks and in Keras is the same algorithm in disguise.
# Nesterov momentum closes the notebook as an optional, ungraded extension.
#
# **How to work.** Write your code where a cell says `YOUR CODE HERE` (delete the
# `raise NotImplementedError` line). Run the test cell under each exercise: a failing test
# tells you what is most likely wrong. Some tests are hidden and run only when your work is
# graded; they check the same ideas on other shapes and values, so write general code.

# %%
import matplotlib.pyplot as plt
import numpy as np

from course import data, fixtures, nn, plots
from course.testing import call, check_dict_close, check_zero_state, interleave

# %matplotlib inline

# %% [markdown]
# ## 1. Why gradient descent zig-zags
#
# Take the elongated bowl $f(x, y) = x^2/20 + y^2$: a long, gentle valley along $x$ and
# steep walls along $y$ (its contour lines are stretched ellipses). The gradient
# $(x/10,\ 2y)$ points mostly *across* the valley, not along it. Plain gradient descent with
# a learning rate large enough to make progress along $x$ overshoots in $y$: it jumps from
# one wall to the other, and the learning rate cannot be raised, or the jumps grow and the
# run diverges. This is the picture of the lecture: we want **slower** learning in the
# vertical direction and **faster** learning in the horizontal one.
#
# Look at the last few gradients of such a run: their $y$ components alternate in sign
# (up, down, up, ...) while their $x$ components all point the same way. **Averaging** the
# recent gradients cancels the oscillating part and keeps the consistent part. That is
# all momentum does.

# %% [markdown]
# ## 2. Momentum (모멘텀): an exponentially weighted average of the gradients
#
# Chapter 02 built the exponentially weighted average (지수 가중 평균)
# $v_t = \beta v_{t-1} + (1 - \beta)\theta_t$. Gradient descent with momentum applies it to
# the gradients, then steps along the average instead of along the latest gradient:
#
# > $v_{dW} = 0$, $v_{db} = 0$ (shaped like $W$ and $b$). On iteration $t$: compute $dW$,
# > $db$ on the current mini-batch, then
# >
# > $$v_{dW} = \beta\, v_{dW} + (1 - \beta)\, dW, \qquad v_{db} = \beta\, v_{db} + (1 - \beta)\, db$$
# > $$W := W - \alpha\, v_{dW}, \qquad b := b - \alpha\, v_{db}$$
#
# for every layer $l = 1, \dots, L$. Two hyperparameters: the learning rate $\alpha$ and
# $\beta$, almost always $\beta = 0.9$. Since the weights of the average,
# $(1-\beta)\beta^k$, shrink to $0.9^{10} \approx 0.35 \approx 1/e$ after
# $1/(1-\beta) = 10$ steps, $\beta = 0.9$ means roughly "**the average of the last 10
# gradients**".
#
# **The ball rolling down the bowl.** Read the update as physics: $dW$ is an
# **acceleration** (가속도), $v_{dW}$ is the **velocity** (속도) of a ball rolling down the
# cost surface, and $\beta < 1$ acts as **friction** (마찰): each step keeps 90% of the old
# velocity and adds a little acceleration. A ball that is pushed the same way again and
# again picks up speed; pushes that alternate in direction cancel out.
#
# **No bias correction.** Because $v$ starts at zero, the first velocities are too small
# (chapter 02: $v_1 = 0.1\,dW_1$ for $\beta = 0.9$), and dividing by $1 - \beta^t$ would
# fix that. For momentum nobody bothers: the factor $1/(1-0.9^t)$ is $10$ at $t = 1$ but
# already $1.5$ at $t = 10$, $1.14$ at $t = 20$ and $1.005$ at $t = 50$, so after about ten
# steps the average has warmed up and the correction no longer matters among the thousands of
# steps of a training run. The only effect of skipping it is a gentle start, a few small
# first steps. (Adam, chapter 05, does correct its averages.)

# %% [markdown]
# ## 3. Exercise 1: initialize the velocity
#
# Build the dict `v` with keys `"dW1", "db1", ..., "dWL", "dbL"` (keyed like the gradients)
# whose arrays are zeros of the same shape as the matching parameter:
# `v["dW1"]` is shaped like `parameters["W1"]`, `v["db1"]` like `parameters["b1"]`.
# `np.zeros_like` does exactly this. `L = len(parameters) // 2`, layers `range(1, L + 1)`.

# %% solution="initialize_velocity"
def initialize_velocity(parameters):
    """The velocities of gradient descent with momentum, all starting at zero.

    Arguments:
    parameters -- dict {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}

    Returns:
    v -- dict {"dW1": zeros like W1, "db1": zeros like b1, ..., "dWL", "dbL"}
    """
    ### BEGIN SOLUTION
    L = len(parameters) // 2
    v = {}
    for l in range(1, L + 1):
        v[f"dW{l}"] = np.zeros_like(parameters[f"W{l}"])
        v[f"db{l}"] = np.zeros_like(parameters[f"b{l}"])
    return v
    ### END SOLUTION


# %% [markdown]
# The tests of this exercise use `check_zero_state` from the course kit: it calls your function
# on a copy of the parameters and checks the keys, the shapes, the zeros, that they are floats
# (not integers), that no velocity is a parameter's own array, and that the parameters are
# left untouched.

# %% test="test_velocity_zeros_like_parameters" points=1
"""Checks v has dW1, db1, ..., db3 for 3 layers, all float zeros shaped like the parameters."""
check_zero_state(initialize_velocity, fixtures.network([3, 4, 2, 1], seed=0).parameters, "v")
print("Correct: six zero arrays, keyed like the gradients.")

# %% test="test_velocity_hidden" points=1
"""Checks other depths (1 and 5 layers) and that the parameters are left untouched (more cases are hidden)."""
check_zero_state(initialize_velocity, fixtures.network([3, 2], seed=1).parameters, "v")
print("Correct for a single layer too.")
### BEGIN HIDDEN TESTS
for _dims, _seed in [([5, 1], 3), ([2, 7, 6, 5, 4, 3], 4)]:
    check_zero_state(initialize_velocity, fixtures.network(_dims, _seed).parameters, "v")
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Exercise 2: one step of gradient descent with momentum
#
# For every layer $l = 1, \dots, L$, **first** update the velocities, **then** step along
# the *new* velocities:
#
# $$v_{dW^{[l]}} = \beta\, v_{dW^{[l]}} + (1 - \beta)\, dW^{[l]}, \qquad
#   v_{db^{[l]}} = \beta\, v_{db^{[l]}} + (1 - \beta)\, db^{[l]}$$
# $$W^{[l]} := W^{[l]} - \alpha\, v_{dW^{[l]}}, \qquad b^{[l]} := b^{[l]} - \alpha\, v_{db^{[l]}}$$
#
# Store the new velocities in `v` (the next call needs them: `v` is the optimizer's memory)
# and return both dicts, `(parameters, v)`. Keep the $(1 - \beta)$: without it the velocity
# grows to about $dW/(1-\beta) = 10\,dW$ and the step is ten times larger than you meant.

# %% solution="update_parameters_with_momentum"
def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    """One step of gradient descent with momentum (exponentially weighted average form).

    Arguments:
    parameters -- dict {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}
    grads -- dict {"dW1", "db1", ..., "dWL", "dbL"}, shaped like the parameters
    v -- dict {"dW1", "db1", ...}: the current velocities, shaped like the parameters
    beta -- the momentum hyperparameter (a float in [0, 1), usually 0.9)
    learning_rate -- the step size alpha (a float)

    Returns:
    parameters -- updated: W := W - alpha * v_dW, b := b - alpha * v_db for every layer
    v -- updated: v_dW = beta * v_dW + (1 - beta) * dW, v_db likewise, for every layer
    """
    ### BEGIN SOLUTION
    L = len(parameters) // 2
    for l in range(1, L + 1):
        v[f"dW{l}"] = beta * v[f"dW{l}"] + (1 - beta) * grads[f"dW{l}"]
        v[f"db{l}"] = beta * v[f"db{l}"] + (1 - beta) * grads[f"db{l}"]
        parameters[f"W{l}"] = parameters[f"W{l}"] - learning_rate * v[f"dW{l}"]
        parameters[f"b{l}"] = parameters[f"b{l}"] - learning_rate * v[f"db{l}"]
    return parameters, v
    ### END SOLUTION


# %% [markdown]
# The tests call your function through `check_momentum` below. It hands your function copies
# of the fixtures (so updating in place and building new dicts both pass), checks that it
# returns the pair `(parameters, v)` and that it did not write into `grads`, then compares
# every array. `momentum_mistakes` lists what each classic mistake would return, so a failing
# test can name the mistake.

# %% readonly="checkers_momentum"
def momentum_steps(parameters, grads_list, v, beta, learning_rate):
    """Your update_parameters_with_momentum, called once per gradient dict: (parameters, v)."""
    for grads in grads_list:
        parameters, v = call(update_parameters_with_momentum, parameters, grads, v, beta,
                             learning_rate, returns=("parameters", "v"),
                             may_change=("parameters", "v"))
    return parameters, v


def momentum_mistakes(parameters, grads_list, v, beta, learning_rate):
    """{diagnosis: (parameters, v)} that each classic mistake returns after the same steps."""
    def good(old, g):
        return beta * old + (1 - beta) * g

    rules = [  # (diagnosis, new velocity from (old, g), step along (old, new, g), v stored?)
        ("missing (1 - beta): write v = beta * v + (1 - beta) * dW.",
         lambda old, g: beta * old + g, lambda old, new, g: new, True),
        ("beta and (1 - beta) are swapped: the old velocity gets beta, the gradient (1 - beta).",
         lambda old, g: (1 - beta) * old + beta * g, lambda old, new, g: new, True),
        ("the old velocity was forgotten (only (1 - beta) * gradient): start from v[...], "
         "not from zeros.", lambda old, g: (1 - beta) * g, lambda old, new, g: new, True),
        ("the step used the OLD velocity: update v first, then the parameters.",
         good, lambda old, new, g: old, True),
        ("the parameters moved by alpha times the gradient: step along the velocity, "
         "W := W - alpha * v_dW.", good, lambda old, new, g: g, True),
        ("the parameters moved up the velocity: subtract alpha * v, do not add it.",
         good, lambda old, new, g: -new, True),
        ("the new velocity is not stored in v, so every step starts from the old velocity: "
         "store it in v[...] and return v.", good, lambda old, new, g: new, False),
    ]
    out = {}
    for diagnosis, velocity, along, stored in rules:
        p, s = dict(parameters), dict(v)
        for g in grads_list:
            new = {k: velocity(s[k], g[k]) for k in s}
            p = {k: p[k] - learning_rate * along(s["d" + k], new["d" + k], g["d" + k]) for k in p}
            s = new if stored else s
        out[diagnosis] = (p, s)
    return out


def momentum_unrolled(parameters, grads_list, v, beta, learning_rate):
    """Momentum without the recursion, after T = len(grads_list) steps:
    v_t = beta**t v_0 + (1 - beta) sum_{j <= t} beta**(t - j) g_j,  W_T = W_0 - alpha sum_t v_t."""
    T = len(grads_list)
    vs = {k: [beta**t * v[k] + (1 - beta) * sum(beta ** (t - j) * grads_list[j - 1][k]
                                                 for j in range(1, t + 1))
              for t in range(1, T + 1)] for k in v}
    return ({k: w - learning_rate * sum(vs["d" + k]) for k, w in parameters.items()},
            {k: vs[k][-1] for k in v})


def check_momentum(parameters, grads_list, v, beta, learning_rate, expected_v=None,
                   expected_parameters=None, when=""):
    """Run your function over `grads_list`; compare v, then the parameters, with the expected
    ones (those given). `when` says which run it is ("after two steps"). Returns what your
    function returned after the last step."""
    got_p, got_v = momentum_steps(parameters, grads_list, v, beta, learning_rate)
    table = momentum_mistakes(parameters, grads_list, v, beta, learning_rate)
    if expected_v is not None:
        v_table = {d: s for d, (_, s) in table.items()}
        check_dict_close(got_v, expected_v, f"{when}, v" if when else "v", mistakes=v_table,
                         start=v)
        # v is right, so only the mistakes that give the right v can explain wrong parameters
        table = {d: (p, s) for d, (p, s) in table.items()
                 if all(np.allclose(s[k], expected_v[k], rtol=1e-7, atol=1e-9) for k in s)}
    if expected_parameters is not None:
        check_dict_close(got_p, expected_parameters, f"{when}, parameters" if when else
                         "parameters", start=parameters,
                         mistakes={d: p for d, (p, _) in table.items()})
    return got_p, got_v


# %% [markdown]
# The first two tests use a 3-layer network small enough to check by hand, with a
# **non-zero** starting velocity (a zero one would hide a missing $\beta\, v$ term):
# $\beta = 0.9$, $\alpha = 0.1$.

# %% readonly="fixture_momentum_hand"
hand_parameters = {"W1": np.array([[1.0], [2.0]]), "b1": np.array([[0.5], [-0.5]]),
                   "W2": np.array([[1.0, -1.0]]), "b2": np.array([[0.0]]),
                   "W3": np.array([[2.0]]), "b3": np.array([[1.0]])}
hand_grads = {"dW1": np.array([[2.0], [-1.0]]), "db1": np.array([[1.0], [0.0]]),
              "dW2": np.array([[4.0, 2.0]]), "db2": np.array([[-3.0]]),
              "dW3": np.array([[1.0]]), "db3": np.array([[-2.0]])}
hand_v = {"dW1": np.array([[1.0], [1.0]]), "db1": np.array([[-1.0], [2.0]]),
          "dW2": np.array([[0.0, -2.0]]), "db2": np.array([[1.0]]),
          "dW3": np.array([[3.0]]), "db3": np.array([[0.5]])}

# %% test="test_momentum_velocity_hand_computed" points=2
"""Checks the velocities after one step (non-zero start, 3 layers) against hand arithmetic."""
# v = 0.9 v + 0.1 d:
#   dW1: 0.9*[1, 1] + 0.1*[2, -1] = [1.1, 0.8]       db1: 0.9*[-1, 2] + 0.1*[1, 0] = [-0.8, 1.8]
#   dW2: 0.9*[0, -2] + 0.1*[4, 2] = [0.4, -1.6]      db2: 0.9*1 + 0.1*(-3) = 0.6
#   dW3: 0.9*3 + 0.1*1 = 2.8                         db3: 0.9*0.5 + 0.1*(-2) = 0.25
_expected_v = {"dW1": np.array([[1.1], [0.8]]), "db1": np.array([[-0.8], [1.8]]),
               "dW2": np.array([[0.4, -1.6]]), "db2": np.array([[0.6]]),
               "dW3": np.array([[2.8]]), "db3": np.array([[0.25]])}
check_momentum(hand_parameters, [hand_grads], hand_v, 0.9, 0.1, expected_v=_expected_v)
print("Correct: every velocity is 0.9 * old velocity + 0.1 * gradient.")

# %% test="test_momentum_parameters_hand_computed" points=2
"""Checks the parameters after one step (non-zero start, 3 layers) against hand arithmetic."""
# W := W - 0.1 * v_new, with the new velocities of the previous test:
#   W1: [1, 2] - 0.1*[1.1, 0.8] = [0.89, 1.92]       b1: [0.5, -0.5] - 0.1*[-0.8, 1.8] = [0.58, -0.68]
#   W2: [1, -1] - 0.1*[0.4, -1.6] = [0.96, -0.84]    b2: 0 - 0.1*0.6 = -0.06
#   W3: 2 - 0.1*2.8 = 1.72                           b3: 1 - 0.1*0.25 = 0.975
_expected = {"W1": np.array([[0.89], [1.92]]), "b1": np.array([[0.58], [-0.68]]),
             "W2": np.array([[0.96, -0.84]]), "b2": np.array([[-0.06]]),
             "W3": np.array([[1.72]]), "b3": np.array([[0.975]])}
check_momentum(hand_parameters, [hand_grads], hand_v, 0.9, 0.1, expected_parameters=_expected)
print("Correct: every weight and bias moved by -alpha times its new velocity.")

# %% [markdown]
# The next tests take **several consecutive steps** with different gradients $g_1, g_2, \dots$
# and compare with the unrolled formula (no recursion, `momentum_unrolled` above), from $v_0$:
#
# $$v_1 = \beta v_0 + (1-\beta) g_1, \qquad v_2 = \beta^2 v_0 + (1-\beta)(\beta g_1 + g_2),$$
# $$W_2 = W_0 - \alpha (v_1 + v_2) = W_0 - \alpha\big[(\beta + \beta^2) v_0 + (1-\beta)((1+\beta) g_1 + g_2)\big].$$
#
# A function that computes the right step but does not store the new velocity passes a
# single step and fails here.

# %% test="test_momentum_two_steps" points=2
"""Checks two consecutive steps with different gradients on a 3-layer network (t = 2)."""
_net = fixtures.network([3, 4, 2, 1], seed=11, steps=2, signed_states=True)
_params, _v = momentum_unrolled(_net.parameters, _net.grads, _net.state, 0.9, 0.05)
check_momentum(_net.parameters, _net.grads, _net.state, 0.9, 0.05, expected_v=_v,
               expected_parameters=_params, when="after two steps")
print("Correct: the velocity carries over from one step to the next.")

# %% test="test_momentum_beta_zero_is_gd" points=1
"""Checks beta = 0 turns momentum into plain gradient descent (v = dW, W := W - alpha dW)."""
_net = fixtures.network([2, 3, 1], seed=5, signed_states=True)
_g = _net.grads[0]
check_momentum(_net.parameters, [_g], _net.state, 0.0, 0.3, expected_v=_g, when="with beta = 0",
               expected_parameters={k: w - 0.3 * _g["d" + k] for k, w in _net.parameters.items()})
print("Correct: with beta = 0 you get back gradient descent.")

# %% test="test_momentum_hidden" points=2
"""Checks several steps, other depths, beta and alpha against the unrolled sums (more cases are hidden)."""
# Visible part: one step of a 2-layer network with beta = 0.5, alpha = 1:
# v = 0.5 v + 0.5 d: dW1 [2, 0]/2 + [2, -4]/2 = [2, -2], db1 1/2 + 1/2 = 1, dW2 1/2 - 2/2 = -0.5,
# db2 0.5/2 + 0.5/2 = 0.5; W := W - v: W1 [1 - 2, 2 + 2] = [-1, 4], b1 0 - 1 = -1,
# W2 3 + 0.5 = 3.5, b2 -1 - 0.5 = -1.5.
check_momentum({"W1": np.array([[1.0, 2.0]]), "b1": np.array([[0.0]]),
                "W2": np.array([[3.0]]), "b2": np.array([[-1.0]])},
               [{"dW1": np.array([[2.0, -4.0]]), "db1": np.array([[1.0]]),
                 "dW2": np.array([[-2.0]]), "db2": np.array([[0.5]])}],
               {"dW1": np.array([[2.0, 0.0]]), "db1": np.array([[1.0]]),
                "dW2": np.array([[1.0]]), "db2": np.array([[0.5]])}, 0.5, 1.0,
               expected_v={"dW1": [[2.0, -2.0]], "db1": [[1.0]], "dW2": [[-0.5]], "db2": [[0.5]]},
               expected_parameters={"W1": [[-1.0, 4.0]], "b1": [[-1.0]], "W2": [[3.5]],
                                    "b2": [[-1.5]]})
print("Correct on the visible example.")
### BEGIN HIDDEN TESTS
# Three networks stepped in turn (a velocity kept in a global variable would mix them up).
_cases = [(fixtures.network([4, 4, 4, 4, 2], seed=22, steps=5, signed_states=True), 0.99, 1.3),
          (fixtures.network([1, 1, 1], seed=23, steps=3, signed_states=True), 0.9, 0.01),
          (fixtures.network([5, 3], seed=21, steps=4, signed_states=True), 0.5, 0.2)]
_last = interleave(lambda st, g, t: (*momentum_steps(st[0], [g], st[1], st[2], st[3]), *st[2:]),
                   [((c.parameters, c.state, b, a), c.grads) for c, b, a in _cases])
for (_net, _b, _a), (_p, _v, *_) in zip(_cases, _last):
    _T, _dims = len(_net.grads), [_net.parameters["W1"].shape[1]] + [
        _net.parameters[f"W{l}"].shape[0] for l in range(1, _net.L + 1)]
    _table = momentum_mistakes(_net.parameters, _net.grads, _net.state, _b, _a)
    _exp_p, _exp_v = momentum_unrolled(_net.parameters, _net.grads, _net.state, _b, _a)
    _when = f"after {_T} steps (layers {_dims}, beta={_b}, alpha={_a})"
    check_dict_close(_v, _exp_v, f"{_when}, v", start=_net.state,
                     mistakes={d: s for d, (_, s) in _table.items()})
    check_dict_close(_p, _exp_p, f"{_when}, parameters", start=_net.parameters,
                     mistakes={d: p for d, (p, _) in _table.items()})
### END HIDDEN TESTS

# %% [markdown]
# ## 5. Momentum on the elongated bowl
#
# `nn.run_on_function` runs an update rule on a 2-D function: it stores the point $(x, y)$
# as `parameters["W1"]` of shape $(2, 1)$, so your functions work unchanged. Every run starts
# at $(-7, 2)$ and takes 40 steps. On the left, gradient descent and momentum use the same
# learning rate $\alpha = 0.9$. On the right, $\alpha = 2$, more than gradient descent can
# take on this bowl, and a third path uses less momentum ($\beta = 0.5$).

# %%
gd = nn.Optimizer(init=lambda p: None, name="gradient descent",
                  step=lambda p, g, s, t, lr: ({k: p[k] - lr * g["d" + k] for k in p}, s))


def momentum(beta):
    return nn.Optimizer(init=initialize_velocity, name=f"momentum (beta={beta})",
                        step=lambda p, g, v, t, lr: update_parameters_with_momentum(p, g, v, beta, lr))


bowl, start = data.elongated_bowl, (-7.0, 2.0)
fig, axes = plt.subplots(1, 2, figsize=(14, 3.6))
for ax, lr, optimizers in [(axes[0], 0.9, (gd, momentum(0.9))),
                           (axes[1], 2.0, (gd, momentum(0.9), momentum(0.5)))]:
    paths = {opt.name: nn.run_on_function(bowl, start, opt, lr, 40) for opt in optimizers}
    plots.contour_paths(bowl, paths, ax=ax, title=f"learning rate alpha = {lr}")
    for name, path in paths.items():
        print(f"alpha={lr}  {name:22s} f after 10, 20, 40 steps: "
              + ", ".join(f"{bowl(path[t])[0]:9.3g}" for t in (10, 20, 40)))
plt.show()

# %% [markdown]
# **Left** ($\alpha = 0.9$): gradient descent flips from one wall to the other at every
# step. Momentum's $y$ components of consecutive gradients cancel in the average, so the
# step-by-step zig-zag turns into one slow, smooth swing across the valley. (At this
# $\alpha$ it is not faster: compare the printed values of $f$.)
#
# **Right** ($\alpha = 2$): each gradient-descent step multiplies $y$ by $1 - 2\alpha = -3$,
# so the run leaves the plot at once and diverges (it needs $\alpha < 1$). With momentum
# the same $\alpha$ is fine: the oscillating part of the gradient is averaged away before it
# is applied. That is the real gain. At a fixed $\alpha$, a *steady* gradient $g$ gives a
# steady velocity $v = \beta v + (1-\beta) g \Rightarrow v = g$, the same step as gradient
# descent; momentum makes training faster because it lets you raise $\alpha$.
#
# **Why the big swing with $\beta = 0.9$?** A heavy ball with little friction keeps
# rolling: $\beta = 0.9$ remembers about 10 gradients and overshoots the valley floor.
# On this clean 2-D bowl less memory ($\beta = 0.5$, green) damps the swing and reaches the
# minimum fastest. $\beta = 0.9$ is the default for networks, whose mini-batch gradients are
# noisy: there the averaging over ~10 steps also filters the noise. Try other values of
# $\beta$ and $\alpha$ in the cell above.

# %% [markdown]
# ## 6. Momentum on real data: two moons
#
# The course network (2 → 16 → 8 → 1, ReLU then sigmoid) on 1,000 examples of scikit-learn's
# two moons. With $m \le 2000$ we use full-batch updates, 300 of them, from the same initial
# weights (`seed=0`) for both optimizers.

# %%
X_train, Y_train = data.load_moons(m=1000, noise=0.25, seed=0)
layers_dims = [2, 16, 8, 1]
runs = {}
for lr in (0.3, 1.0):
    for opt in (gd, momentum(0.9)):
        runs[lr, opt.name] = nn.train(X_train, Y_train, layers_dims, opt, learning_rate=lr,
                                      num_epochs=300, seed=0)
        print(f"alpha={lr}  {opt.name:22s} final cost {runs[lr, opt.name].epoch_costs[-1]:.4f}")

fig, axes = plt.subplots(1, 2, figsize=(13, 3.6))
for ax, lr in zip(axes, (0.3, 1.0)):
    plots.cost_curves({name: run.epoch_costs for (rate, name), run in runs.items() if rate == lr},
                      ax=ax, logy=True, title=f"alpha = {lr}")
plt.show()

# %% [markdown]
# At $\alpha = 0.3$ the two curves are close: momentum starts a little *behind* (its first
# velocities are $0.1\,dW$, $0.19\,dW$, ...: the warm-up that bias correction would
# remove) and then moves in parallel, because at the same $\alpha$ a steady gradient gives
# the same step. At $\alpha = 1.0$ gradient descent is near the edge of
# stability: its cost jumps back up several times, while momentum descends smoothly and ends
# lower. Same data, same initial weights, same learning rate.

# %%
plots.decision_boundaries({name: runs[1.0, name].parameters
                           for name in (gd.name, momentum(0.9).name)}, X_train, Y_train)
plt.show()

# %% [markdown]
# ## 7. The other momentum formula (and why it is the same algorithm)
#
# *Deep Learning from Scratch* (밑바닥부터 시작하는 딥러닝, ch. 6), the CS231n notes and Keras
# write momentum differently. The notes write it with $\alpha$ for the momentum
# and $\beta$ for the learning rate, exactly the other way round from the lectures; to avoid
# the clash we call them $\mu$ (momentum, usually 0.9) and $\eta$ (learning rate):
#
# $$\mathbf{v} \leftarrow \mu \mathbf{v} - \eta \frac{\partial L}{\partial W}, \qquad
#   W \leftarrow W + \mathbf{v}.$$
#
# Here $\mathbf{v}$ is not an average of gradients but the **step** itself (a displacement,
# with the minus sign inside). Let $v_{dW}$ be the lectures' velocity and define
# $\mathbf{v} = -\alpha\, v_{dW}$. Multiply the lectures' recursion by $-\alpha$:
#
# $$-\alpha v_{dW} \leftarrow \beta\,(-\alpha v_{dW}) - \alpha(1-\beta)\, dW
#   \quad\Longleftrightarrow\quad
#   \mathbf{v} \leftarrow \beta\, \mathbf{v} - \alpha(1-\beta)\, dW,$$
#
# and $W := W - \alpha v_{dW}$ is $W \leftarrow W + \mathbf{v}$. Both start at zero, so
# $\mathbf{v} = -\alpha v_{dW}$ holds at every step, and the two algorithms produce the
# **same** weights when
#
# $$\mu = \beta, \qquad \eta = \alpha\,(1 - \beta).$$
#
# The hyperparameter values are what differ: a learning rate $\eta$ in the textbook form
# acts like $\alpha = \eta/(1-\beta) = 10\,\eta$ in the lectures' form. Copy "lr = 0.1" from
# a Keras or PyTorch recipe into the lectures' formula and your steps are ten times smaller
# than the recipe's; copy the lectures' $\alpha$ into Keras and they are ten times larger.

# %%
def update_parameters_with_momentum_dlfs(parameters, grads, velocity, mu, eta):
    """The textbook form: velocity = mu * velocity - eta * dW; W = W + velocity (same for b)."""
    for k in parameters:
        velocity["d" + k] = mu * velocity["d" + k] - eta * grads["d" + k]
        parameters[k] = parameters[k] + velocity["d" + k]
    return parameters, velocity


def dlfs(mu, eta):
    """The textbook form as an nn.Optimizer whose learning rate argument is ignored."""
    return nn.Optimizer(init=initialize_velocity, name=f"textbook form (mu={mu}, eta={eta:g})",
                        step=lambda p, g, v, t, lr: update_parameters_with_momentum_dlfs(p, g, v, mu, eta))


alpha, beta = 0.9, 0.9
ewma_path = nn.run_on_function(bowl, start, momentum(beta), alpha, 100)
mapped_path = nn.run_on_function(bowl, start, dlfs(beta, alpha * (1 - beta)), None, 100)
unmapped_path = nn.run_on_function(bowl, start, dlfs(beta, alpha), None, 100)
print(f"eta = alpha * (1 - beta) = {alpha * (1 - beta):.2f}: max distance between the paths "
      f"over 100 steps = {np.abs(ewma_path - mapped_path).max():.1e}")
print(f"eta = alpha             = {alpha:.2f}: max distance between the paths "
      f"over 100 steps = {np.abs(ewma_path - unmapped_path).max():.1e}")
assert np.abs(ewma_path - mapped_path).max() < 1e-12
assert np.abs(ewma_path - unmapped_path).max() > 1

# %%
ax = plots.contour_paths(bowl, {f"lectures' form (alpha={alpha}, beta={beta})": ewma_path[:40],
                           f"textbook form, eta = alpha(1-beta) = {alpha * (1 - beta):.2f}":
                               mapped_path[:40],
                           f"textbook form, eta = alpha = {alpha}": unmapped_path[:40]},
                    title="Same algorithm, different learning-rate conventions (40 steps)")
ax.plot(ewma_path[:40, 0], ewma_path[:40, 1], color="C0", lw=7, alpha=0.3, zorder=0)  # under C1
plt.show()

# %% [markdown]
# The first two paths lie exactly on top of each other (the wide pale band is the lectures'
# form under the orange textbook path). The third one uses the *number*
# $0.9$ as the textbook learning rate: ten times the effective step, and it swings far up
# and down the walls.
#
# ## 8. Optional extension: Nesterov momentum (not graded)
#
# Momentum computes the gradient where the ball **is**, then lets the velocity carry it on.
# Nesterov momentum (네스테로프 모멘텀) looks ahead: since the velocity is going to move the
# point anyway, it evaluates the gradient at the point the velocity is about to reach, so the
# ball starts braking *before* it runs up the opposite wall. In the textbook form,
#
# $$\mathbf{v} \leftarrow \mu \mathbf{v} - \eta\, \nabla L(W + \mu \mathbf{v}), \qquad W \leftarrow W + \mathbf{v}.$$
#
# Frameworks prefer to compute the gradient at the weights they store, so they store the
# look-ahead point $\tilde W = W + \mu\mathbf{v}$ instead of $W$. Substituting
# $W = \tilde W - \mu\mathbf{v}$ gives (this is what Keras' `SGD(nesterov=True)` does)
#
# $$\mathbf{v} \leftarrow \mu \mathbf{v} - \eta\, \nabla L(\tilde W), \qquad
#   \tilde W \leftarrow \tilde W + \mu \mathbf{v} - \eta\, \nabla L(\tilde W).$$
#
# In the lectures' variables ($\mathbf{v} = -\alpha v_{dW}$, $\eta = \alpha(1-\beta)$) that is
# one extra line: step along $\beta v_{dW} + (1-\beta)\, dW$, a velocity that already includes
# the *next* gradient's share, instead of along $v_{dW}$.

# %%
def update_parameters_with_nesterov(parameters, grads, v, beta, learning_rate):
    """Nesterov momentum, lectures' form: v = beta v + (1-beta) dW; W -= alpha (beta v + (1-beta) dW)."""
    for k in parameters:
        v["d" + k] = beta * v["d" + k] + (1 - beta) * grads["d" + k]
        parameters[k] = parameters[k] - learning_rate * (beta * v["d" + k] + (1 - beta) * grads["d" + k])
    return parameters, v


nesterov = nn.Optimizer(init=initialize_velocity, name="Nesterov (beta=0.9)",
                        step=lambda p, g, v, t, lr: update_parameters_with_nesterov(p, g, v, 0.9, lr))
paths = {opt.name: nn.run_on_function(bowl, start, opt, 0.9, 40) for opt in (momentum(0.9), nesterov)}
for name, path in paths.items():
    print(f"{name:22s} largest |y| after step 5: {np.abs(path[5:, 1]).max():.3f}, "
          f"distance to the minimum after 40 steps: {np.linalg.norm(path[-1]):.4f}")
plots.contour_paths(bowl, paths, title="Momentum and Nesterov momentum, alpha = 0.9")
plt.show()

# %% [markdown]
# Nesterov's look-ahead damps the swing across the valley sooner. On deep networks the
# difference is usually small; `keras.optimizers.SGD(momentum=0.9, nesterov=True)` is one
# flag away if you want to try it.
#
# ## 9. Recap
#
# * **Momentum** keeps an exponentially weighted average of the gradients,
#   $v_{dW} = \beta v_{dW} + (1-\beta)\,dW$, and steps along it, $W := W - \alpha v_{dW}$
#   (same for $b$, every layer). Update $v$ **first**, store it, and return `(parameters, v)`.
# * Averaging cancels the components of the gradient that flip sign (the zig-zag across a
#   valley) and keeps those that agree (the way down the valley), so a larger $\alpha$
#   becomes usable. The ball-rolling picture: $dW$ acceleration, $v$ velocity, $\beta$ friction.
# * $\beta = 0.9$ averages roughly the last $1/(1-\beta) = 10$ gradients; bias correction is
#   usually skipped because after about ten steps it no longer matters.
# * The textbook / Keras form $\mathbf{v} \leftarrow \mu\mathbf{v} - \eta\, dW$,
#   $W \leftarrow W + \mathbf{v}$ is the same algorithm with $\mu = \beta$ and
#   $\eta = \alpha(1-\beta)$: the same "learning rate" number means a 10× larger step there.
# * Nesterov momentum evaluates the gradient at the look-ahead point; frameworks implement it
#   as one extra term in the step.
#
# Next: the Keras reference notebook of this chapter (`momentum_keras.ipynb`) runs
# `keras.optimizers.SGD(momentum=..., nesterov=...)` against your numpy code. Chapter 04
# averages the **squared** gradients instead (AdaGrad and RMSProp).
