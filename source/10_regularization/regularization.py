# %% [markdown]
# # Chapter 10 — Weight decay (L2) and dropout
#
# *Optimization for Deep Learning* · graded notebook
#
# **What you will build**
# 1. `compute_cost_with_regularization`: the cross-entropy plus the L2 penalty
#    $\frac{\lambda}{2m}\sum_l \lVert W^{[l]} \rVert_F^2$.
# 2. `add_l2_gradient`: the matching gradient term, $dW^{[l]} + \frac{\lambda}{m} W^{[l]}$.
# 3. `dropout_forward`: inverted dropout of a layer's activations, with a fresh random mask.
# 4. `dropout_backward`: the gradient through the same mask.
#
# Then you see a large network overfit a small set of real handwritten digits, and how L2 and
# dropout change its training and test accuracy; you compare inverted dropout with the notes'
# dropout that scales at test time, and L2 with decoupled weight decay (AdamW, chapter 05).
#
# **How to work.** Write your code where a cell says `YOUR CODE HERE` (delete the
# `raise NotImplementedError` line). Run the test cell under each exercise: a failing test
# tells you what is most likely wrong. Some tests are hidden and run only when your work is
# graded; they check the same ideas on other shapes and values, so write general code.

# %% [markdown]
# ## 1. Overfitting
#
# A network with many more weights than training examples can fit the training set almost
# perfectly, noise and accidents included, and then do worse on examples it has never seen:
# **overfitting** (오버피팅). The symptom is a gap: training accuracy near 100%, test accuracy
# clearly lower, and a test cost that *rises* while the training cost keeps falling. The
# notes (after "Deep Learning from Scratch", chapter 6) blame large weights: overfitting often
# comes with some weights growing very large, so that the network reacts sharply to small
# details of the input.
#
# Two remedies, both used in training only:
#
# * **Weight decay** (가중치 감쇠), or L2 regularization: add a **penalty term** (패널티 항)
#   that grows with the squared weights, so large weights must pay for themselves by
#   lowering the cross-entropy.
# * **Dropout** (드롭아웃): in every training step, switch off a random subset of the hidden
#   units. No unit can rely on one particular other unit being there, which spreads the work
#   over many units and acts like averaging many thinned networks.
#
# ### The L2 penalty
#
# With $m$ examples and the cross-entropy cost $J_{CE}$ of chapter 01, the regularized cost is
#
# $$J = J_{CE} + \frac{\lambda}{2m} \sum_{l=1}^{L} \lVert W^{[l]} \rVert_F^2, \qquad
#   \lVert W \rVert_F^2 = \sum_{i,j} W_{ij}^2 .$$
#
# * Only the **weights** are penalised, never the biases $b^{[l]}$: a bias shifts a unit and
#   does not make it react more strongly to its inputs, and there are few of them.
# * The factor $\frac{1}{2}$ is there for the derivative: $\frac{\partial}{\partial W}
#   \frac{\lambda}{2m}\lVert W\rVert_F^2 = \frac{\lambda}{m} W$.
# * The $\frac{1}{m}$ puts the penalty on the same scale as $J_{CE}$, which is a mean over
#   the examples (with mini-batches, $m$ is the mini-batch size). The notes write the penalty
#   as $\frac12\lambda W^2$ with gradient $\lambda W$, without $m$: the same thing with
#   $\lambda_{\text{notes}} = \lambda / m$. This course uses $\frac{\lambda}{2m}$ everywhere.
#
# So backpropagation changes only by one term per layer:
#
# $$dW^{[l]} = dW^{[l]}_{CE} + \frac{\lambda}{m} W^{[l]}, \qquad db^{[l]} = db^{[l]}_{CE}.$$
#
# With plain gradient descent, $W := W - \alpha(dW_{CE} + \frac{\lambda}{m}W) =
# (1 - \frac{\alpha\lambda}{m})\,W - \alpha\, dW_{CE}$: every step first shrinks the weights by a
# constant factor, which is where the name *weight decay* comes from (section 7).

# %%
import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

from course import data, fixtures, nn
from course.testing import call, check_close, check_dict_close, numerical_gradient

# %matplotlib inline

# %% [markdown]
# ## 2. Exercise 1: the regularized cost
#
# `course.nn.compute_cost(AL, Y)` is the cross-entropy of chapter 01 (one sigmoid unit, or a
# softmax over the rows of `AL`). Add the penalty: loop over the layers `range(1, L + 1)` with
# `L = len(parameters) // 2`, and sum the squares of every entry of each `W`
# (`np.sum(np.square(W))`).

# %% solution="compute_cost_with_regularization"
def compute_cost_with_regularization(AL, Y, parameters, lambd):
    """Cross-entropy plus the L2 penalty lambd / (2 m) * sum over layers of sum(W_l ** 2).

    Arguments:
    AL -- output of the network, (1, m) for a sigmoid unit or (C, m) for a softmax
    Y -- labels shaped like AL (0/1, or one-hot columns)
    parameters -- dict {"W1", "b1", ..., "WL", "bL"}; only the W's are penalised
    lambd -- the regularization strength lambda (>= 0); `lambda` is a Python keyword

    Returns:
    cost -- a float: nn.compute_cost(AL, Y) + lambd / (2 * m) * (sum of every squared W entry)
    """
    ### BEGIN SOLUTION
    m = Y.shape[1]
    L = len(parameters) // 2
    squares = 0.0
    for l in range(1, L + 1):
        squares += np.sum(np.square(parameters[f"W{l}"]))
    return nn.compute_cost(AL, Y) + lambd / (2 * m) * squares
    ### END SOLUTION


# %% [markdown]
# The tests call your function on copies (`course.testing.call`), on a small network computed
# by hand and on networks of fixtures whose biases are not zero (so a penalised bias shows),
# and name the usual slips: $\lambda/m$ or $\lambda/2$ instead of $\lambda/(2m)$, the biases
# penalised, a layer missing, $(\sum W)^2$ instead of $\sum W^2$.

# %% readonly="checkers_l2_cost"
def reference_cross_entropy(AL, Y):
    """The cross-entropy written out example by example (not nn.compute_cost)."""
    m = Y.shape[1]
    if AL.shape[0] == 1:
        return -sum(Y[0, j] * np.log(AL[0, j]) + (1 - Y[0, j]) * np.log(1 - AL[0, j])
                    for j in range(m)) / m
    return -sum(np.log(AL[int(np.argmax(Y[:, j])), j]) for j in range(m)) / m  # one-hot Y


def sum_of_squares(parameters, kind="W", layers=None):
    """Sum over layers of the squared entries of W_l (or b_l), as dot products of flat arrays."""
    L = len(parameters) // 2
    layers = range(1, L + 1) if layers is None else layers
    return sum(float(parameters[f"{kind}{l}"].ravel() @ parameters[f"{kind}{l}"].ravel())
               for l in layers)


def reference_l2_cost(AL, Y, parameters, lambd):
    """J_CE + lambd / (2 m) * sum ||W_l||_F^2, the definition written independently."""
    return reference_cross_entropy(AL, Y) + lambd / (2 * Y.shape[1]) * sum_of_squares(parameters)


def l2_cost_mistakes(AL, Y, parameters, lambd):
    """{diagnosis: the cost that mistake gives}."""
    m, L = Y.shape[1], len(parameters) // 2
    ce, w2 = reference_cross_entropy(AL, Y), sum_of_squares(parameters)
    return {
        "the penalty uses lambd/m instead of lambd/(2m): the 1/2 is there so that its "
        "derivative is lambd/m * W.": ce + lambd / m * w2,
        "the penalty is not divided by m: lambd/(2m), not lambd/2 (the notes' 1/2 lambd W^2 "
        "has no m; the course averages the penalty like the cross-entropy).": ce + lambd / 2 * w2,
        "the biases are regularized too: the penalty sums the squared weights W1..WL only, "
        "never b.": ce + lambd / (2 * m) * (w2 + sum_of_squares(parameters, "b")),
        "the L2 penalty is missing: the cost is the cross-entropy alone.": ce,
        "the cross-entropy is missing: the cost is the L2 penalty alone.": lambd / (2 * m) * w2,
        f"the last layer's weights W{L} are missing from the penalty: loop over "
        "range(1, L + 1).": ce + lambd / (2 * m) * sum_of_squares(parameters, layers=range(1, L)),
        "the penalty squares the sum of the weights, (sum W)^2: it is the sum of the squares, "
        "np.sum(np.square(W)).": ce + lambd / (2 * m) * sum(
            float(np.sum(parameters[f"W{l}"])) ** 2 for l in range(1, L + 1)),
        "the norm is not squared: ||W||_F^2 is np.sum(np.square(W)), not "
        "np.linalg.norm(W).": ce + lambd / (2 * m) * sum(
            float(np.sqrt(np.sum(parameters[f"W{l}"] ** 2))) for l in range(1, L + 1)),
    }


def check_l2_cost(AL, Y, parameters, lambd, expected):
    """Call compute_cost_with_regularization on copies; compare with `expected`."""
    cost = call(compute_cost_with_regularization, AL, Y, parameters, lambd, returns=("cost",))
    if np.size(cost) == 1 and np.ndim(cost) > 0:
        raise AssertionError(f"cost has shape {np.shape(cost)}: return a plain number "
                             "(float(...) or a numpy scalar), not an array.")
    check_close(cost, expected, "cost", mistakes=l2_cost_mistakes(AL, Y, parameters, lambd))


def network_examples(dims, seed, m):
    """A network of fixtures, inputs X, its output AL on traceable inputs, and labels Y shaped like AL."""
    net = fixtures.network(dims, seed=seed)
    X, labels = fixtures.numbered_examples(dims[0], m)
    X = X / X.size - 0.3  # inputs in [-0.3, 0.7), signed
    AL = nn.forward(X, net.parameters)[0]
    if dims[-1] == 1:
        Y = (labels % 3 == 0).astype(float)
    else:
        Y = np.eye(dims[-1])[(labels[0] % dims[-1]).astype(int)].T
    return net, X, AL, Y


# %% test="test_l2_cost_hand_computed" points=1
"""Checks the cost of a 2-layer example computed by hand (lambd = 0.2, m = 4)."""
# squared weights: W1 1 + 4 + 9 + 0.25, W2 4 + 1 -> 19.25; penalty 0.2 / (2 * 4) * 19.25 = 0.48125
# cross-entropy: -(ln 0.8 + ln(1 - 0.4) + ln 0.9 + ln(1 - 0.2)) / 4 = 0.26561831...
_params = {"W1": np.array([[1.0, -2.0], [3.0, 0.5]]), "b1": np.array([[1.0], [-1.0]]),
           "W2": np.array([[2.0, -1.0]]), "b2": np.array([[0.5]])}
_AL, _Y = np.array([[0.8, 0.4, 0.9, 0.2]]), np.array([[1.0, 0.0, 1.0, 0.0]])
_cross_entropy = -(np.log(0.8) + np.log(0.6) + np.log(0.9) + np.log(0.8)) / 4
check_l2_cost(_AL, _Y, _params, 0.2, _cross_entropy + 0.48125)
print("Correct: cross-entropy + lambd/(2m) * sum of squared weights.")
### BEGIN HIDDEN TESTS
# lambd = 1.5: penalty 1.5 / 8 * 19.25 = 3.609375
check_l2_cost(_AL, _Y, _params, 1.5, _cross_entropy + 3.609375)
### END HIDDEN TESTS

# %% test="test_l2_cost_networks" points=2
"""Checks the cost of a 3-layer sigmoid network of fixtures (non-zero biases, lambd = 0.7)."""
_net, _X, _AL, _Y = network_examples([5, 4, 3, 1], seed=3, m=7)
check_l2_cost(_AL, _Y, _net.parameters, 0.7, reference_l2_cost(_AL, _Y, _net.parameters, 0.7))
print("Correct on a 3-layer network.")
### BEGIN HIDDEN TESTS
_net, _X, _AL, _Y = network_examples([6, 5, 4, 4, 3], seed=4, m=9)  # softmax output, 4 layers
check_l2_cost(_AL, _Y, _net.parameters, 0.35, reference_l2_cost(_AL, _Y, _net.parameters, 0.35))
_net, _X, _AL, _Y = network_examples([3, 2, 1], seed=5, m=5)  # lambd = 0: the cross-entropy alone
check_l2_cost(_AL, _Y, _net.parameters, 0.0, reference_cross_entropy(_AL, _Y))
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Exercise 2: the gradient term
#
# `course.nn.backward` gives the gradients of the cross-entropy alone, `{"dW1", "db1", ...}`.
# `add_l2_gradient` returns the gradients of the regularized cost: a **new** dict in which
# every `dW` has $\frac{\lambda}{m} W$ added and every `db` is unchanged. Do not write into
# the arrays of `grads` (build new ones: `grads["dW1"] + ...`, not `+=`).
#
# In a training step: `grads = add_l2_gradient(nn.backward(AL, Y, parameters, caches),
# parameters, lambd, m)`.

# %% solution="add_l2_gradient"
def add_l2_gradient(grads, parameters, lambd, m):
    """Gradients of the regularized cost from those of the cross-entropy.

    Arguments:
    grads -- dict {"dW1", "db1", ..., "dWL", "dbL"}: gradients of the cross-entropy (not changed)
    parameters -- dict {"W1", "b1", ..., "WL", "bL"}
    lambd -- the regularization strength lambda
    m -- the number of examples the cost averages over

    Returns:
    grads -- a new dict with the same keys: dW_l + lambd / m * W_l for every layer, db_l as given
    """
    ### BEGIN SOLUTION
    L = len(parameters) // 2
    new_grads = dict(grads)  # a new dict; the db arrays are shared, but never written
    for l in range(1, L + 1):
        new_grads[f"dW{l}"] = grads[f"dW{l}"] + lambd / m * parameters[f"W{l}"]
    return new_grads
    ### END SOLUTION


# %% [markdown]
# The first test compares with the formula on a network of fixtures; the second checks the
# result against **centred differences** of the regularized cost: for every parameter
# $\theta$, $(J(\theta + h) - J(\theta - h)) / 2h$ with $h = 10^{-5}$, where $J$ is the cost of
# section 1 written independently of your code. That is how you would check any new cost
# term: the gradient must be the derivative of the cost you minimise.

# %% readonly="checkers_l2_gradient"
def l2_gradient_mistakes(grads, parameters, lambd, m):
    """{diagnosis: the whole grads dict that mistake gives}."""
    L = len(parameters) // 2

    def with_term(scale, biases=False, layers=None):
        out = dict(grads)
        for l in (range(1, L + 1) if layers is None else layers):
            out[f"dW{l}"] = grads[f"dW{l}"] + scale * parameters[f"W{l}"]
            if biases:
                out[f"db{l}"] = grads[f"db{l}"] + scale * parameters[f"b{l}"]
        return out

    return {
        "the L2 term lambd/m * W is missing: dW must be the gradient of the regularized cost, "
        "dW + lambd/m * W.": dict(grads),
        "the L2 term is lambd * W: the penalty lambd/(2m) * sum W^2 has the gradient "
        "lambd/m * W (divide by m; the notes' lambd * W has no m).": with_term(lambd),
        "the L2 term is lambd/(2m) * W: the derivative of W^2 is 2W, so the penalty "
        "lambd/(2m) W^2 gives lambd/m * W.": with_term(lambd / (2 * m)),
        "the L2 term is 2 lambd/m * W: the 1/2 of the penalty cancels the 2 of the "
        "derivative, lambd/m * W.": with_term(2 * lambd / m),
        "the biases are regularized too: db gets no L2 term (the penalty sums the weights W "
        "only).": with_term(lambd / m, biases=True),
        "the L2 term is subtracted: the gradient of + lambd/(2m) ||W||^2 is + lambd/m * W.":
            with_term(-lambd / m),
        f"the last layer gets no L2 term: loop over range(1, L + 1) (L = {L}).":
            with_term(lambd / m, layers=range(1, L)),
    }


def check_l2_gradient(net, lambd, m):
    """Call add_l2_gradient on copies of a fixture; compare with dW + lambd/m W, db unchanged."""
    grads = call(add_l2_gradient, net.grads[0], net.parameters, lambd, m, returns=("grads",))
    expected = {}
    for key, g in net.grads[0].items():
        weight = net.parameters[key[1:]]
        expected[key] = g + lambd / m * weight if key.startswith("dW") else g
    check_dict_close(grads, expected, "grads", start=net.grads[0],
                     mistakes=l2_gradient_mistakes(net.grads[0], net.parameters, lambd, m))


def check_l2_gradient_numerically(dims, seed, m, lambd):
    """nn.backward + add_l2_gradient against centred differences of reference_l2_cost."""
    net, X, AL, Y = network_examples(dims, seed, m)
    parameters = net.parameters
    _, caches = nn.forward(X, parameters)
    plain = nn.backward(AL, Y, parameters, caches)
    grads = call(add_l2_gradient, plain, parameters, lambd, m, returns=("grads",))

    def cost_of(key):
        def J(value):
            changed = dict(parameters, **{key: value})
            return reference_l2_cost(nn.forward(X, changed)[0], Y, changed, lambd)
        return J

    numeric = {"d" + k: numerical_gradient(cost_of(k), v) for k, v in parameters.items()}
    check_dict_close(grads, numeric, "grads", start=plain, rtol=1e-5, atol=1e-8,
                     mistakes=l2_gradient_mistakes(plain, parameters, lambd, m))


# %% test="test_l2_gradient_term" points=2
"""Checks dW + lambd/m * W (db unchanged) on a 3-layer network of fixtures."""
check_l2_gradient(fixtures.network([4, 3, 2, 1], seed=5), lambd=0.7, m=5)
print("Correct: dW + lambd/m * W, db unchanged.")
### BEGIN HIDDEN TESTS
check_l2_gradient(fixtures.network([6, 5, 4, 3, 2], seed=6), lambd=2.5, m=11)
check_l2_gradient(fixtures.network([3, 2], seed=7), lambd=0.1, m=3)
### END HIDDEN TESTS

# %% test="test_l2_gradient_numerical" points=1
"""Checks nn.backward + your add_l2_gradient against centred differences of the regularized cost."""
check_l2_gradient_numerically([4, 5, 3, 1], seed=8, m=6, lambd=0.9)
print("Correct: the gradient is the derivative of the regularized cost.")
### BEGIN HIDDEN TESTS
check_l2_gradient_numerically([3, 4, 4, 3], seed=9, m=7, lambd=1.7)  # softmax output
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Dropout
#
# In each training step, dropout keeps every hidden unit of a layer with probability
# `keep_prob` (and drops it with probability $1 - $ `keep_prob`), independently for every unit
# **and every example**, with a new random draw each step. With the layer's activations
# $A^{[l]}$ of shape $(n^{[l]}, m)$:
#
# 1. draw a mask $D^{[l]}$ of the same shape, 1 with probability `keep_prob`, else 0:
#    `mask = rng.random(A.shape) < keep_prob` (True/False, which multiplies like 1/0);
# 2. $A^{[l]} := A^{[l]} * D^{[l]}$ (element-wise): the dropped units output 0;
# 3. $A^{[l]} := A^{[l]} / \text{keep\_prob}$: **inverted dropout**. A kept unit is scaled up
#    so that the expected value of each unit stays what it was:
#    $\mathbb{E}[A D / p] = A\,\mathbb{E}[D]/p = A\,p/p = A$.
#
# Because of step 3, the network needs no change at test time: there, dropout is simply
# switched off. (Section 6 compares the notes' version, which scales at test time instead.)
#
# **Backward.** The layer computes $\text{out} = A * D / p$, so
# $dA = d\text{out} * D / p$: the dropped units get zero gradient (they did not take part),
# and the kept ones get the same factor $1/p$. The mask must be the one of the forward pass,
# so `dropout_forward` returns it and `dropout_backward` receives it.
#
# **Randomness.** The random numbers come from the generator `rng` that the caller passes
# (`rng = np.random.default_rng(seed)` once, before training). Draw from it in every call, so
# each step gets a new mask and a run is reproducible from its seed; numpy's global generator
# (`np.random.rand`, `np.random.seed`) is off limits. `rng.random(A.shape) < keep_prob` and
# `rng.binomial(1, keep_prob, A.shape)` are both fine: the tests never compare one random draw,
# they check the output against your own mask and measure the statistics of many draws.

# %% solution="dropout_forward"
def dropout_forward(A, keep_prob, rng):
    """Inverted dropout of the activations A.

    Arguments:
    A -- activations of a hidden layer, shape (n_l, m) (not changed)
    keep_prob -- probability of keeping each unit, 0 < keep_prob <= 1
    rng -- a numpy Generator (np.random.default_rng(seed)); draw the mask from it

    Returns:
    out -- A * mask / keep_prob, shape (n_l, m)
    mask -- the 0/1 mask (booleans are fine) of shape (n_l, m): 1 where the unit is kept
    """
    ### BEGIN SOLUTION
    mask = rng.random(A.shape) < keep_prob
    out = A * mask / keep_prob
    return out, mask
    ### END SOLUTION


# %% solution="dropout_backward"
def dropout_backward(dA, mask, keep_prob):
    """The gradient through inverted dropout.

    Arguments:
    dA -- gradient of the cost with respect to dropout_forward's out, shape (n_l, m) (not changed)
    mask -- the mask dropout_forward returned in the forward pass (0/1 or booleans)
    keep_prob -- the same keep_prob as in the forward pass

    Returns:
    dA_prev -- gradient with respect to the activations before dropout: dA * mask / keep_prob
    """
    ### BEGIN SOLUTION
    return dA * mask / keep_prob
    ### END SOLUTION


# %% [markdown]
# How the tests check a random function:
#
# * **output against your own mask**: `out` must be `A * mask / keep_prob` for the mask you
#   return, which must hold only 0 and 1 and have the shape of `A`;
# * **statistics** on 100,000 units: the fraction kept must be `keep_prob` within 6 standard
#   errors, $6\sqrt{p(1-p)/N}$ (about 0.009 for $p = 0.7$), and the mean of `out` the mean of
#   `A` within 6 of its standard errors;
# * **a fresh mask**: two calls with one generator (two training steps) give different
#   masks; two generators with the same seed give the same mask; other seeds, another mask;
# * **backward with injected masks**: masks written by hand, as floats and as booleans.

# %% readonly="checkers_dropout"
def check_mask(mask, A, keep_prob):
    """The mask has A's shape and holds only 0 and 1 (False and True)."""
    if mask is None:
        raise AssertionError("mask is None: dropout_forward returns (out, mask).")
    try:
        values = np.asarray(mask, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError("mask is not an array of numbers or booleans.") from None
    if values.shape != A.shape:
        msg = f"mask has shape {values.shape}, expected {A.shape}, the shape of A."
        if values.shape in ((A.shape[0], 1), (A.shape[0],)):
            msg += (" One value per unit would drop the same units for every example: draw a "
                    "mask of A's full shape, rng.random(A.shape), so each example gets its own.")
        raise AssertionError(msg)
    kinds = set(np.unique(values).tolist())
    if not kinds <= {0.0, 1.0}:
        if kinds <= {0.0, 1.0 / keep_prob} or np.allclose(sorted(kinds)[-1], 1.0 / keep_prob):
            raise AssertionError("mask holds 0 and 1/keep_prob: return the 0/1 mask (True/False "
                                 "is fine) and divide out, not the mask, by keep_prob.")
        raise AssertionError(f"mask should hold only 0 and 1 (or False and True); it holds "
                             f"{sorted(kinds)[:4]}...: mask = rng.random(A.shape) < keep_prob.")
    return values


def dropout_forward_mistakes(A, mask, keep_prob):
    """{diagnosis: the out that mistake gives with this mask}."""
    return {
        "out is A * mask, not divided by keep_prob: inverted dropout divides the kept units by "
        "keep_prob (out = A * mask / keep_prob) so that each unit keeps its expected value.":
            A * mask,
        "out is A * mask * keep_prob: divide by keep_prob, do not multiply (multiplying at "
        "test time belongs to the notes' other dropout, section 6).": A * mask * keep_prob,
        "out is A / keep_prob: the mask is not applied, no unit is dropped.": A / keep_prob,
        "out keeps the units the mask drops (A * (1 - mask)): the 1s of the mask mark the "
        "units that stay.": A * (1 - mask) / keep_prob,
        "out is A unchanged: nothing is dropped and nothing is scaled.": A,
    }


def run_dropout_forward(A, keep_prob, seed):
    """call() dropout_forward with a generator of `seed`; check the mask; return (out, mask)."""
    out, mask = call(dropout_forward, A, keep_prob, np.random.default_rng(seed),
                     returns=("out", "mask"), may_change=("rng",))
    return out, check_mask(mask, A, keep_prob)


def check_dropout_output(A, keep_prob, seed):
    """out == A * mask / keep_prob for the learner's own mask."""
    out, mask = run_dropout_forward(A, keep_prob, seed)
    check_close(out, A * mask / keep_prob, "out", hint="out = A * mask / keep_prob.",
                mistakes=dropout_forward_mistakes(A, mask, keep_prob))


def positive_activations(n, m):
    """Activations in [1, 2), every one different: (n, m)."""
    X, _ = fixtures.numbered_examples(n, m)
    return 1.0 + X / X.size


def check_dropout_statistics(n, m, keep_prob, seed):
    """On n * m units: the fraction kept is keep_prob, the mean of out is the mean of A."""
    A = positive_activations(n, m)
    out, mask = run_dropout_forward(A, keep_prob, seed)
    kept, N = float(mask.mean()), A.size
    tol = 6 * np.sqrt(keep_prob * (1 - keep_prob) / N)
    if abs(kept - keep_prob) > tol:
        if abs(kept - (1 - keep_prob)) <= tol:
            raise AssertionError(
                f"dropout_forward kept {kept:.2%} of the units with keep_prob = {keep_prob}: "
                "it drops with probability keep_prob (and keeps with 1 - keep_prob). Keep a "
                "unit when rng.random(A.shape) < keep_prob.")
        raise AssertionError(f"dropout_forward kept {kept:.4f} of the units, expected "
                             f"keep_prob = {keep_prob} (within {tol:.4f}).")
    out = np.asarray(out, dtype=float)
    ratio = out.mean() / A.mean()
    # mean of out / mean of A has standard error sqrt((1 - p) / (p N)) * rms(A) / mean(A)
    tol = 6 * np.sqrt((1 - keep_prob) / (keep_prob * N)) * np.sqrt(np.mean(A ** 2)) / A.mean()
    if abs(ratio - 1) > tol:
        if abs(ratio - keep_prob) <= tol:
            raise AssertionError(
                f"the mean of out is {ratio:.4f} times the mean of A (about keep_prob): the "
                "kept units are not divided by keep_prob. Inverted dropout keeps the expected "
                "value: out = A * mask / keep_prob.")
        raise AssertionError(f"the mean of out is {ratio:.4f} times the mean of A; inverted "
                             "dropout keeps it (ratio 1): out = A * mask / keep_prob.")


def masks_of_two_calls(A, keep_prob, rng):
    """Two calls of dropout_forward with one generator, as in two training steps."""
    first = dropout_forward(A, keep_prob, rng)
    second = dropout_forward(A, keep_prob, rng)
    return first[1], second[1]


def check_fresh_masks(n, m, keep_prob):
    """A new mask each call; the same seed gives the same mask, another seed another."""
    A = positive_activations(n, m)
    first, second = call(masks_of_two_calls, A, keep_prob, np.random.default_rng(11),
                         returns=("first mask", "second mask"), may_change=("rng",),
                         name="dropout_forward")
    first, second = check_mask(first, A, keep_prob), check_mask(second, A, keep_prob)
    if np.array_equal(first, second):
        raise AssertionError(
            "dropout_forward gave the same mask on two calls with one generator: every call "
            "(every training step) must draw a new mask from the rng it is given. Do not "
            "create a generator inside the function (np.random.default_rng(0)) and do not keep "
            "a mask from an earlier call.")
    a, b, c = (run_dropout_forward(A, keep_prob, seed)[1] for seed in (5, 5, 6))
    if not np.array_equal(a, b):
        raise AssertionError("two generators with the same seed gave different masks: draw "
                             "the mask from the rng argument (not from a generator of your own).")
    if np.array_equal(a, c):
        raise AssertionError("generators with seeds 5 and 6 gave the same mask: draw the mask "
                             "from the rng argument.")


def dropout_backward_mistakes(dA, mask, keep_prob):
    """{diagnosis: the gradient that mistake gives with this mask}."""
    return {
        "the gradient is dA * mask, not divided by keep_prob: the forward pass scaled the kept "
        "units by 1/keep_prob, so their gradient is scaled too: dA * mask / keep_prob.":
            dA * mask,
        "the mask is not applied in the backward pass (dA / keep_prob): the units dropped in "
        "the forward pass get zero gradient, dA * mask / keep_prob.": dA / keep_prob,
        "dA is returned unchanged: the mask is not applied in the backward pass and nothing is "
        "divided by keep_prob.": dA,
        "the gradient is multiplied by keep_prob: divide by it, as in the forward pass.":
            dA * mask * keep_prob,
        "the gradient flows through the dropped units (dA * (1 - mask)): the 1s of the mask "
        "mark the units that stay.": dA * (1 - mask) / keep_prob,
    }


def check_dropout_backward(dA, mask, keep_prob):
    """Call dropout_backward on copies with an injected mask; compare with dA * mask / p."""
    got = call(dropout_backward, dA, mask, keep_prob, returns=("dA_prev",))
    as_float = np.asarray(mask, dtype=float)
    check_close(got, dA * as_float / keep_prob, "dA_prev", hint="dA_prev = dA * mask / keep_prob.",
                mistakes=dropout_backward_mistakes(dA, as_float, keep_prob))


# %% test="test_dropout_forward_uses_mask" points=2
"""Checks out == A * mask / keep_prob for your own mask (0/1, A's shape), keep_prob = 0.6."""
_A = fixtures.numbered_examples(6, 8)[0] - 23.5  # signed, no zero
check_dropout_output(_A, 0.6, seed=1)
print("Correct: out = A * mask / keep_prob with a 0/1 mask of A's shape.")
### BEGIN HIDDEN TESTS
check_dropout_output(fixtures.numbered_examples(3, 11)[0] / 7 - 2.2, 0.3, seed=2)
check_dropout_output(fixtures.numbered_examples(9, 4)[0] + 0.5, 0.85, seed=3)
### END HIDDEN TESTS

# %% test="test_dropout_forward_statistics" points=2
"""Checks the fraction kept (keep_prob) and the mean of out (the mean of A) on 100,000 units."""
check_dropout_statistics(200, 500, keep_prob=0.7, seed=4)
print("Correct: keep_prob of the units kept, the mean of A preserved.")
### BEGIN HIDDEN TESTS
check_dropout_statistics(400, 300, keep_prob=0.25, seed=5)
check_dropout_statistics(100, 1000, keep_prob=0.9, seed=6)
### END HIDDEN TESTS

# %% test="test_dropout_forward_fresh_mask" points=1
"""Checks a new mask on every call, the same mask for the same seed, another for another seed."""
check_fresh_masks(30, 40, keep_prob=0.5)
print("Correct: a fresh mask each call, reproducible from the seed.")
### BEGIN HIDDEN TESTS
check_fresh_masks(7, 300, keep_prob=0.8)
### END HIDDEN TESTS

# %% test="test_dropout_backward_injected_mask" points=2
"""Checks dA * mask / keep_prob with a hand-written mask, as floats and as booleans."""
_dA = fixtures.numbered_examples(3, 5)[0] / 10 - 0.75  # signed, no zero
_mask = np.array([[1.0, 0.0, 1.0, 1.0, 0.0], [0.0, 1.0, 1.0, 0.0, 1.0], [1.0, 1.0, 0.0, 1.0, 0.0]])
check_dropout_backward(_dA, _mask, 0.6)
check_dropout_backward(_dA, _mask.astype(bool), 0.6)
print("Correct: dA * mask / keep_prob.")
### BEGIN HIDDEN TESTS
_dA = fixtures.numbered_examples(4, 6)[0] / 20 - 0.55
_mask = (np.arange(24).reshape(4, 6) % 3 != 1).astype(int)  # integer 0/1, like rng.binomial
check_dropout_backward(_dA, _mask, 0.35)
check_dropout_backward(_dA, _mask.astype(bool), 0.9)
### END HIDDEN TESTS

# %% [markdown]
# ## 5. A large network on a small set of real digits
#
# The digits 3 and 8 of scikit-learn's bundled handwritten digits (8x8 pixels, 64 inputs
# scaled to [0, 1]): a stratified half of them is the test set, and from the other half we keep
# only **10 images of each digit** as the training set. The network has two hidden layers of
# 128 ReLU units and a sigmoid output, about 25,000 weights for 20 examples: it can memorise
# them. We train it three times from the same initial weights (seed 1) with batch gradient
# descent, $\alpha = 0.2$, for 500 epochs:
#
# * **none**: the plain cross-entropy;
# * **L2**: your `compute_cost_with_regularization` and `add_l2_gradient` with $\lambda = 0.6$
#   ($\lambda/m = 0.03$);
# * **dropout**: your `dropout_forward` / `dropout_backward` on both hidden layers with
#   `keep_prob = 0.5`, a new mask every step from one generator (seed 1001).
#
# The training loop below is the course network's (`course.nn`), written out so that the
# dropout masks sit between the layers. Accuracies and costs are measured **without** dropout
# (the network at test time), the cost as the plain cross-entropy so that the three are
# comparable.

# %%
X_all, Y_all, X_test, Y_test = data.load_digits(classes=(3, 8), test_fraction=0.5, seed=0)
_few = np.concatenate([np.flatnonzero(Y_all[0] == c)[:10] for c in (0, 1)])
X_train, Y_train = X_all[:, _few], Y_all[:, _few]
digit_dims = [64, 128, 128, 1]
print(f"training set {X_train.shape}, test set {X_test.shape}; weights in the network: "
      f"{sum(digit_dims[i] * digit_dims[i + 1] for i in range(3)):,}")


def train_regularized(X, Y, layers_dims, lambd=0.0, keep_prob=1.0, learning_rate=0.2,
                      num_epochs=500, seed=1, record_every=10, label="training"):
    """Batch gradient descent with your L2 terms and your dropout on every hidden layer.

    Returns the parameters and a history of the epochs, training and test cross-entropies
    (both measured without dropout) and the regularized training cost (your function).
    """
    parameters = nn.initialize_parameters(layers_dims, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    m, L = X.shape[1], len(layers_dims) - 1
    history = {"epoch": [], "train": [], "test": [], "regularized": []}
    for epoch in tqdm(range(1, num_epochs + 1), desc=label, leave=False):
        A, caches, masks = X, [], []
        for l in range(1, L + 1):  # forward: ReLU (+ dropout) hidden layers, sigmoid output
            Z = parameters[f"W{l}"] @ A + parameters[f"b{l}"]
            caches.append((A, Z))
            if l < L:
                A = np.maximum(Z, 0)
                if keep_prob < 1:
                    A, mask = dropout_forward(A, keep_prob, rng)
                    masks.append(mask)
            else:
                A = nn.sigmoid(Z)
        grads, dZ = {}, A - Y  # backward, through the same masks
        for l in range(L, 0, -1):
            A_prev = caches[l - 1][0]
            grads[f"dW{l}"] = dZ @ A_prev.T / m
            grads[f"db{l}"] = dZ.sum(axis=1, keepdims=True) / m
            if l > 1:
                dA = parameters[f"W{l}"].T @ dZ
                if keep_prob < 1:
                    dA = dropout_backward(dA, masks[l - 2], keep_prob)
                dZ = dA * (caches[l - 2][1] > 0)
        grads = add_l2_gradient(grads, parameters, lambd, m)
        parameters = {k: v - learning_rate * grads["d" + k] for k, v in parameters.items()}
        if epoch % record_every == 0:
            AL_train = nn.forward(X, parameters)[0]
            history["epoch"].append(epoch)
            history["train"].append(nn.compute_cost(AL_train, Y))
            history["test"].append(nn.compute_cost(nn.forward(X_test, parameters)[0], Y_test))
            history["regularized"].append(
                compute_cost_with_regularization(AL_train, Y, parameters, lambd))
    return parameters, history


results = {"none": train_regularized(X_train, Y_train, digit_dims, label="none")}

# %%
results["L2 (lambda = 0.6)"] = train_regularized(X_train, Y_train, digit_dims, lambd=0.6,
                                                 label="L2")

# %%
results["dropout (keep_prob = 0.5)"] = train_regularized(X_train, Y_train, digit_dims,
                                                         keep_prob=0.5, label="dropout")

# %%

print(f"{'':26s} train acc  test acc  train cost  test cost (lowest, epoch)  sum W^2")
summary = {}
for _label, (_p, _h) in results.items():
    _best = int(np.argmin(_h["test"]))
    summary[_label] = (nn.accuracy(X_train, Y_train, _p), nn.accuracy(X_test, Y_test, _p),
                       _h["train"][-1], _h["test"][-1], _h["test"][_best], _h["epoch"][_best],
                       sum_of_squares(_p))
    _s = summary[_label]
    print(f"{_label:26s} {_s[0]:8.1%} {_s[1]:9.1%} {_s[2]:11.4f} {_s[3]:10.4f} "
          f"({_s[4]:.4f}, {_s[5]:4d}) {_s[6]:9.1f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(15, 3.8))
for (_label, (_p, _h)), _color in zip(results.items(), ("C0", "C1", "C2")):
    axes[0].plot(_h["epoch"], _h["train"], color=_color, label=_label)
    axes[1].plot(_h["epoch"], _h["test"], color=_color, label=_label)
axes[0].set(xlabel="epoch", ylabel="cross-entropy", yscale="log",
            title="Training cost (20 images, no dropout)")
axes[1].set(xlabel="epoch", ylabel="cross-entropy", title="Test cost (179 images)")
for _ax in axes[:2]:
    _ax.legend(fontsize=8)
    _ax.grid(alpha=0.3)
_x = np.arange(len(summary))
axes[2].bar(_x - 0.2, [s[0] for s in summary.values()], 0.4, label="training accuracy")
axes[2].bar(_x + 0.2, [s[1] for s in summary.values()], 0.4, label="test accuracy")
for _i, _s in enumerate(summary.values()):
    axes[2].text(_i + 0.2, _s[1] + 0.005, f"{_s[1]:.1%}", ha="center", fontsize=8)
axes[2].set(xticks=_x, ylim=(0.8, 1.03), ylabel="accuracy", title="Accuracy, 3 against 8")
axes[2].set_xticklabels([label.replace(" (", "\n(") for label in summary], fontsize=8)
axes[2].legend(fontsize=8, loc="lower right")
plt.show()

# %% [markdown]
# Read the table and the picture together (all numbers are printed by the cell above):
#
# * **None.** The training cost falls to almost 0 and the training accuracy reaches 100%:
#   the network has memorised its 20 examples. The test cost is lowest early (the column
#   "lowest, epoch") and then **rises** while the training cost keeps falling: that rising
#   curve is overfitting, more visible in the cost than in the accuracy.
# * **L2.** The weights stay far smaller (the last column, $\sum_l \lVert W^{[l]}\rVert_F^2$),
#   the training cost cannot go to 0 any more, and the test cost is still at its lowest at
#   the last epoch, far below the unregularized one; the test accuracy is higher too.
# * **Dropout** (`keep_prob = 0.5`) gets two more test images right than no regularization
#   (90.5% against 89.4%), which is within the noise of one split, and its test cost ends
#   *higher*: on 20 examples trained with full-batch gradient descent the network still drives
#   the training cost to 0 and its weights are as large as without regularization, so the few
#   test images it gets wrong it gets wrong with great confidence. Accuracy and cost can
#   disagree; dropout pays off mostly in large networks trained on more data, where no single
#   unit can memorise the set. The two remedies combine (both at once is common), and
#   $\lambda$ and `keep_prob` are hyperparameters to tune on a validation set, like $\alpha$.
#
# One split and one seed: a difference of a few test images (0.6% each, of 179) is noise; the
# rising test cost of the unregularized network, and L2's lower test cost and about fifty
# times smaller sum of squared weights, are not.
#
# ## 6. The notes' dropout: scaling at test time
#
# The notes (after "Deep Learning from Scratch") describe the **original** dropout
# (Srivastava et al., 2014): in training, drop units *without* rescaling, $A D$; at test time
# keep every unit and multiply the activations by the keep probability $p$. Why the two
# versions agree: the next layer was trained on inputs whose expected value is
#
# $$\mathbb{E}[A D] = A\,\mathbb{E}[D] = p\,A \quad\text{(original)}, \qquad
#   \mathbb{E}[A D / p] = A \quad\text{(inverted)}.$$
#
# At test time each version feeds the next layer its training-time expectation: $pA$ for the
# original (hence "multiply by $p$"), $A$ for the inverted one (hence "do nothing"). The two
# networks are the same function with the next layer's weights scaled by $p$: $W (A D) =
# (pW)(A D / p)$. Inverted dropout puts the factor into training, so inference code never
# needs to know that dropout was used (that is what Keras and PyTorch do).
#
# **A slip in the notes.** They say: at test time multiply by the *deletion* ratio. The book's
# code multiplies by `1.0 - dropout_ratio`, the **keep** ratio $p$: with a dropout ratio of 0.2
# the test activations are multiplied by 0.8, not by 0.2 (which would feed the next layer a
# quarter of what it saw in training). The cell below checks both expectations by averaging
# 20,000 masks drawn with your `dropout_forward`.

# %%
_A = positive_activations(4, 5)
_p, _n = 0.8, 20_000
_rng = np.random.default_rng(3)
_inverted, _original = np.zeros_like(_A), np.zeros_like(_A)
for _ in range(_n):
    _out, _mask = dropout_forward(_A, _p, _rng)
    _inverted += _out / _n  # inverted dropout's training output, A * D / p
    _original += _A * _mask / _n  # the original dropout's training output, A * D
_se = np.sqrt((1 - _p) / (_p * _n))  # standard error of a mean of n masks, relative
print(f"inverted: mean of A*D/p over {_n} masks vs its test output A:   largest relative gap "
      f"{np.max(np.abs(_inverted / _A - 1)):.4f}")
print(f"original: mean of A*D   over {_n} masks vs its test output p*A: largest relative gap "
      f"{np.max(np.abs(_original / (_p * _A) - 1)):.4f}")
print(f"standard error of one entry: {_se:.4f}; the largest gap is "
      f"{np.max(np.abs(_inverted / _A - 1)) / _se:.1f} of them (20 entries)")
print(f"the notes' slip: (1 - p)*A is {(1 - _p) / _p:.2f} times the training-time mean p*A")

# %% [markdown]
# The gaps are sampling noise of the size the standard error predicts, so each version's
# test-time rule reproduces the average of its training-time outputs. (The two gaps are
# equal: with the same masks, $AD/p$ and $AD$ differ only by the constant factor $p$, the
# whole difference between the two versions.)
#
# ## 7. L2 and weight decay
#
# With plain gradient descent, your gradient term is exactly a **decay** of the weights: one
# step $W := W - \alpha\,(dW + \frac{\lambda}{m} W)$ equals $W := (1 - \frac{\alpha\lambda}{m})
# W - \alpha\, dW$. The cell checks it on a network of fixtures with your `add_l2_gradient`,
# and prints the factor of section 5.

# %%
_net = fixtures.network([5, 4, 3, 1], seed=12)
_alpha, _lambd, _m = 0.2, 0.6, 20
_g = add_l2_gradient(_net.grads[0], _net.parameters, _lambd, _m)
_l2_step = {k: v - _alpha * _g["d" + k] for k, v in _net.parameters.items()}
_decayed = {k: (1 - _alpha * _lambd / _m) * v - _alpha * _net.grads[0]["d" + k] if k[0] == "W"
            else v - _alpha * _net.grads[0]["d" + k] for k, v in _net.parameters.items()}
print("largest difference between the L2 step and the decayed step:",
      max(np.max(np.abs(_l2_step[k] - _decayed[k])) for k in _l2_step))
print(f"section 5: each step multiplies the weights by 1 - alpha*lambda/m = "
      f"{1 - _alpha * _lambd / _m:.4f}; over 500 steps that alone is "
      f"{(1 - _alpha * _lambd / _m) ** 500:.3f}")

# %% [markdown]
# The pull of the cross-entropy balances this shrinking, which is why the L2 network of
# section 5 ends with much smaller weights rather than zero weights.
#
# **With Adam it is different** (chapter 05, section 7). The L2 term $\frac{\lambda}{m}W$ is then
# part of the gradient that Adam divides by $\sqrt{\hat s} + \varepsilon$: weights with large
# gradients are hardly decayed, weights with small ones are decayed hard. **Decoupled weight
# decay** (AdamW, Loshchilov and Hutter) subtracts $\alpha \cdot \text{wd} \cdot W$ outside the
# adaptive step, so every weight shrinks by the same factor $(1 - \alpha\,\text{wd})$. Under
# plain gradient descent the two coincide with $\text{wd} = \lambda/m$; under Adam they are
# different methods, and "weight decay" in an optimizer (`keras.optimizers.AdamW(weight_decay=)`)
# is not an L2 term in the cost (`keras.regularizers.L2`). Keras' `AdamW` also decays the
# biases unless told otherwise, where the course's L2 penalty leaves them alone.
#
# ## 8. Recap
#
# * Overfitting: training cost near 0, test cost rising. Regularization trades a little
#   training fit for a better fit on new data; it is used in training only.
# * L2: $J = J_{CE} + \frac{\lambda}{2m}\sum_l \lVert W^{[l]}\rVert_F^2$ (weights only, never
#   biases), gradient $dW^{[l]} + \frac{\lambda}{m}W^{[l]}$; with gradient descent that is a
#   decay of the weights by $1 - \alpha\lambda/m$ per step. The notes' $\frac12\lambda W^2$ is
#   the same with $\lambda_{\text{notes}} = \lambda/m$.
# * Inverted dropout: `mask = rng.random(A.shape) < keep_prob`, `out = A * mask / keep_prob`,
#   a fresh mask every step from the generator you are given, the same mask (and the same
#   $1/p$) in the backward pass, nothing at test time. The original dropout scales by
#   `keep_prob` at test time instead; both give the next layer the same expected input.
# * L2 in the cost and decoupled weight decay are the same under gradient descent, not under
#   Adam (AdamW).
#
# Next: the Keras reference notebook (`regularization_keras.ipynb`) checks
# `keras.regularizers.L2(lambd / (2 m))` against your cost and gradient, and
# `keras.layers.Dropout(rate = 1 - keep_prob)` against your dropout by statistics. Chapter 11
# puts dropout, He initialization, BatchNorm and Adam together.
