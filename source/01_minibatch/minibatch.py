# %% [markdown]
# # Chapter 01 — Mini-batch gradient descent
#
# *Optimization for Deep Learning* · graded notebook
#
# **What you will build**
# 1. `update_parameters_with_gd`: one step of plain gradient descent on every layer.
# 2. `random_mini_batches`: split a shuffled training set into mini-batches.
#
# Then you train the same network with batch and with mini-batch gradient descent and see why
# the mini-batch cost curve is noisy but the training is faster per pass over the data.
#
# **How to work.** Write your code where a cell says `YOUR CODE HERE` (delete the
# `raise NotImplementedError` line). Run the test cell under each exercise: a failing test
# tells you what is most likely wrong. Some tests are hidden and run only when your work is
# graded; they check the same ideas on other shapes and values, so write general code.

# %% [markdown]
# ## 1. Batch, mini-batch and stochastic gradient descent
#
# Our data are stored one example per column: $X$ has shape $(n_x, m)$ and $Y$ has shape
# $(1, m)$.
#
# * **Batch gradient descent** (배치 경사 하강법) computes the gradient on all $m$ examples
#   before each update. Each step is accurate but expensive: with $m = 5{,}000{,}000$ you
#   process five million examples for a single step.
# * **Mini-batch gradient descent** (미니 배치 경사 하강법) splits the training set into
#   mini-batches $X^{\{1\}}, X^{\{2\}}, \dots$ (curly braces number mini-batches; round
#   brackets $x^{(i)}$ number examples, square brackets $W^{[l]}$ number layers). With
#   mini-batches of 1,000 examples, the five million examples give 5,000 updates per pass.
# * **Stochastic gradient descent** (확률적 경사 하강법, SGD) is the extreme case of
#   mini-batches of size 1: many cheap, very noisy steps, and no speed-up from vectorisation.
#
# One **epoch** (에포크) is one pass through the whole training set, however many updates it
# contains.
#
# | mini-batch size | name | per step | noise |
# |---|---|---|---|
# | $m$ | batch GD | slow (whole data set) | none: the cost falls every step (with a small enough $\alpha$) |
# | $1$ | stochastic GD | fast, but no vectorisation | very noisy, never settles |
# | between | mini-batch GD | fast *and* vectorised | some: the cost trends down with wiggles |
#
# **Choosing the size.** For a small training set ($m \le 2000$) just use batch gradient
# descent. Otherwise typical sizes are powers of two, $64, 128, 256, 512$ (sometimes 1024),
# chosen so that one mini-batch $X^{\{t\}}, Y^{\{t\}}$ fits in CPU/GPU memory.

# %%
import matplotlib.pyplot as plt
import numpy as np

from course import data, nn, plots
from course.fixtures import network, numbered_examples
from course.testing import call, check_dict_close

# %matplotlib inline

# %% [markdown]
# ## 2. Exercise 1: a gradient-descent step
#
# For every layer $l = 1, \dots, L$:
#
# $$W^{[l]} := W^{[l]} - \alpha \, dW^{[l]}, \qquad b^{[l]} := b^{[l]} - \alpha \, db^{[l]}$$
#
# `parameters` holds `"W1", "b1", ..., "WL", "bL"` and `grads` holds `"dW1", "db1", ...,
# "dWL", "dbL"`. Layers are numbered from 1, so loop over `range(1, L + 1)` where
# `L = len(parameters) // 2`.

# %% solution="update_parameters_with_gd"
def update_parameters_with_gd(parameters, grads, learning_rate):
    """One step of gradient descent on every layer.

    Arguments:
    parameters -- dict {"W1": (n_1, n_0), "b1": (n_1, 1), ..., "WL", "bL"}
    grads -- dict {"dW1", "db1", ..., "dWL", "dbL"}, shaped like the parameters
    learning_rate -- the step size alpha (a float)

    Returns:
    parameters -- the updated dict: W := W - alpha * dW and b := b - alpha * db for every layer
    """
    ### BEGIN SOLUTION
    L = len(parameters) // 2
    for l in range(1, L + 1):
        parameters[f"W{l}"] = parameters[f"W{l}"] - learning_rate * grads[f"dW{l}"]
        parameters[f"b{l}"] = parameters[f"b{l}"] - learning_rate * grads[f"db{l}"]
    return parameters
    ### END SOLUTION


# %% [markdown]
# The tests call your function on copies of their fixtures (`course.testing.call`), compare
# every array and name the usual slips: a layer skipped, the biases forgotten, a step up the
# gradient instead of down, the learning rate left out, `L = len(parameters)` without `// 2`.

# %% readonly="checkers_gd"
def gd_mistakes(parameters, grads, learning_rate):
    """What the classic mistakes of `update_parameters_with_gd` return, as whole dicts."""
    return {
        "you moved up the gradient: subtract alpha * dW (W - alpha * dW), do not add it.":
            {k: v + learning_rate * grads["d" + k] for k, v in parameters.items()},
        "the step ignores the learning rate: the update is W - alpha * dW, not W - dW.":
            {k: v - grads["d" + k] for k, v in parameters.items()},
    }


def check_gd(parameters, grads, learning_rate, name="parameters"):
    """Call update_parameters_with_gd on copies and compare every array with W - alpha * dW."""
    out = call(update_parameters_with_gd, parameters, grads, learning_rate,
               returns=("parameters",), may_change=("parameters",))
    # Expected: the whole network as one vector theta, theta - alpha * dtheta, cut back.
    keys = list(parameters)
    flat = np.concatenate([parameters[k].ravel() for k in keys])
    dflat = np.concatenate([grads["d" + k].ravel() for k in keys])
    moved, expected, start = flat - learning_rate * dflat, {}, 0
    for k in keys:
        size = parameters[k].size
        expected[k] = moved[start:start + size].reshape(parameters[k].shape)
        start += size
    check_dict_close(out, expected, name, mistakes=gd_mistakes(parameters, grads, learning_rate),
                     start=parameters)
    return out


# %% test="test_gd_hand_computed" points=1
"""Checks one step on a 2-layer network against values computed by hand."""
_params = {"W1": np.array([[1.0, 2.0], [3.0, 4.0]]), "b1": np.array([[0.5], [-0.5]]),
           "W2": np.array([[1.0, -1.0]]), "b2": np.array([[2.0]])}
_grads = {"dW1": np.array([[0.1, 0.2], [0.3, 0.4]]), "db1": np.array([[1.0], [2.0]]),
          "dW2": np.array([[-1.0, 1.0]]), "db2": np.array([[0.5]])}
# alpha = 0.5: W1 - 0.5 dW1 = [[0.95, 1.9], [2.85, 3.8]], b1 - 0.5 db1 = [[0], [-1.5]],
# W2 - 0.5 dW2 = [[1.5, -1.5]], b2 - 0.5 db2 = [[1.75]]
_expected = {"W1": np.array([[0.95, 1.9], [2.85, 3.8]]), "b1": np.array([[0.0], [-1.5]]),
             "W2": np.array([[1.5, -1.5]]), "b2": np.array([[1.75]])}
_out = call(update_parameters_with_gd, _params, _grads, 0.5, returns=("parameters",),
            may_change=("parameters",))
check_dict_close(_out, _expected, "parameters", mistakes=gd_mistakes(_params, _grads, 0.5),
                 start=_params)
print("Correct: one gradient-descent step, every layer and bias.")

# %% test="test_gd_three_layers" points=1
"""Checks every weight and bias of a 3-layer network moves by -alpha times its gradient."""
_net = network([4, 5, 3, 1], seed=1)
check_gd(_net.parameters, _net.grads[0], 0.01)
print("Correct on a 3-layer network.")

# %% test="test_gd_hidden" points=1
"""Checks other depths and learning rates (more cases are hidden)."""
# Visible part: alpha = 0 must leave every parameter unchanged.
_net = network([2, 3, 1], seed=4)
check_gd(_net.parameters, _net.grads[0], 0.0, "parameters after a step with alpha = 0")
### BEGIN HIDDEN TESTS
for _seed, _dims, _lr in [(8, [6, 4, 4, 4, 2], 1.7), (7, [3, 2], 0.3), (9, [1, 1, 1], 0.05)]:
    _net = network(_dims, seed=_seed)
    check_gd(_net.parameters, _net.grads[0], _lr, f"parameters (layers {_dims}, alpha={_lr})")
### END HIDDEN TESTS

# %% [markdown]
# ## 3. Exercise 2: random mini-batches
#
# Building the mini-batches takes two steps:
#
# 1. **Shuffle.** Draw *one* random permutation of the column indices $0, \dots, m-1$ and
#    apply it to the columns of both `X` and `Y`, so that example $i$ keeps its label.
# 2. **Partition.** Cut the shuffled data into `mini_batch_size` columns at a time:
#    $\lfloor m / \text{size} \rfloor$ full mini-batches, then, **only if** $m$ is not a
#    multiple of the size, one last smaller mini-batch with the remaining $m \bmod \text{size}$
#    examples. With $m = 148$ and size $64$ you get sizes $64, 64, 20$.
#
# Use a local generator, `rng = np.random.default_rng(seed)`, and `rng.permutation(m)`: a
# function should not reseed numpy's global generator (that silently changes every random
# number drawn afterwards in the notebook). Slicing columns `k*size` to `(k+1)*size` is
# `X[:, k * size:(k + 1) * size]`.
#
# Return a list of tuples `[(mini_batch_X, mini_batch_Y), ...]`.

# %% solution="random_mini_batches"
def random_mini_batches(X, Y, mini_batch_size=64, seed=0):
    """Shuffle the examples (columns) of X and Y together and cut them into mini-batches.

    Arguments:
    X -- input data, shape (n_x, m)
    Y -- labels, shape (1, m) (or (C, m)); column i of Y belongs to column i of X
    mini_batch_size -- number of examples per mini-batch (an int >= 1)
    seed -- seed of the random permutation (same seed, same mini-batches)

    Returns:
    mini_batches -- list of (mini_batch_X (n_x, size), mini_batch_Y (1, size)) tuples: the
                    full mini-batches first, then the smaller last one if m % size != 0
    """
    ### BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    m = X.shape[1]
    permutation = rng.permutation(m)
    shuffled_X = X[:, permutation]
    shuffled_Y = Y[:, permutation]

    mini_batches = []
    num_complete = m // mini_batch_size
    for k in range(num_complete):
        cols = slice(k * mini_batch_size, (k + 1) * mini_batch_size)
        mini_batches.append((shuffled_X[:, cols], shuffled_Y[:, cols]))
    if m % mini_batch_size != 0:
        cols = slice(num_complete * mini_batch_size, m)
        mini_batches.append((shuffled_X[:, cols], shuffled_Y[:, cols]))
    return mini_batches
    ### END SOLUTION


# %% [markdown]
# The tests build `X` whose column $j$ holds the numbers $j, j + m, \dots$ and `Y` whose column
# $j$ holds $j$ (`course.fixtures.numbered_examples`), so they can tell exactly which example
# ended up where. They also check that your function leaves `X`, `Y` and numpy's global random
# generator alone.

# %% readonly="checkers_minibatch"
SHUFFLE_FIRST = ("shuffle the examples (the columns of X and Y, with one permutation of "
                 "range(m)) before cutting; reordering whole mini-batches is not shuffling.")


def _as_array(a):
    try:
        return np.asarray(a, dtype=float)
    except (TypeError, ValueError):
        raise AssertionError("random_mini_batches should return numpy arrays inside each "
                             f"(mini_batch_X, mini_batch_Y) tuple, got {type(a).__name__}.") from None


def check_partition(batches, X, Y, size):
    """Every example exactly once, labels kept with their inputs, shuffled, sizes full-then-partial.

    Returns the order of the examples (column indices of X) as the mini-batches hold them.
    """
    m, n_x, n_y = X.shape[1], X.shape[0], Y.shape[0]
    if not isinstance(batches, list | tuple):
        raise AssertionError("random_mini_batches should return a list of (mini_batch_X, "
                             f"mini_batch_Y) tuples, got {type(batches).__name__}.")
    if len(batches) == 0:
        raise AssertionError(
            f"random_mini_batches returned no mini-batch for m={m}, size={size}"
            + (": the last, smaller mini-batch is missing (m is not a multiple of the size)."
               if m % size else "."))
    if not all(isinstance(b, list | tuple) and len(b) == 2 for b in batches):
        raise AssertionError("random_mini_batches should return a list with one tuple "
                             "(mini_batch_X, mini_batch_Y) per mini-batch.")
    pairs = [(_as_array(bx), _as_array(by)) for bx, by in batches]
    bx, by = pairs[0]
    if bx.ndim == by.ndim == 2 and bx.shape[0] == n_y and by.shape[0] == n_x and (
            n_x != n_y or (n_x > 1 and np.array_equal(bx, Y[:, by[0].astype(int) % m]))):
        raise AssertionError("Each tuple holds (mini_batch_Y, mini_batch_X): the values are in "
                             "the wrong order. Append (mini_batch_X, mini_batch_Y).")
    for t, (bx, by) in enumerate(pairs):
        if bx.ndim != 2 or bx.shape[0] != n_x:
            raise AssertionError(
                f"mini-batch {t}: the X part has shape {bx.shape}, expected ({n_x}, size): "
                f"X has {n_x} rows. Keep every row and slice columns (examples): X[:, a:b].")
        if by.ndim != 2 or by.shape[0] != n_y:
            raise AssertionError(
                f"mini-batch {t}: the Y part has shape {by.shape}, the wrong number of rows: "
                f"Y has {n_y} row(s) here (labels of one example are a column). Keep every row "
                "of Y (no reshape to (1, m) or to X's rows) and slice columns: Y[:, a:b].")
        if bx.shape[1] != by.shape[1]:
            raise AssertionError(f"mini-batch {t}: the X part has {bx.shape[1]} examples, the Y "
                                 f"part {by.shape[1]}: cut both at the same columns.")
    blocks = [np.sort(bx[0]) for bx, _ in pairs if bx.shape[1] >= 2]
    if len(blocks) >= 2 and all(b[-1] - b[0] == len(b) - 1 for b in blocks):
        raise AssertionError("Every mini-batch holds a block of neighbouring examples "
                             f"(the first one columns {int(blocks[0][0])} to {int(blocks[0][-1])}): "
                             + SHUFFLE_FIRST)
    expected_sizes = [size] * (m // size) + ([m % size] if m % size else [])
    sizes = [bx.shape[1] for bx, _ in pairs]
    if sizes != expected_sizes:
        if sizes == expected_sizes[:-1] and m % size:
            raise AssertionError(f"Batch sizes {sizes}, expected {expected_sizes}: the last, "
                                 "smaller mini-batch is missing (m is not a multiple of the size).")
        if len(sizes) == len(expected_sizes) + 1 and sizes[-1] == 0:
            raise AssertionError(f"Batch sizes {sizes}: you appended an empty last mini-batch; "
                                 "add the partial batch only when m % mini_batch_size != 0.")
        raise AssertionError(f"Batch sizes {sizes}, expected {expected_sizes} for m={m}, "
                             f"size={size}: full mini-batches first, then the remainder.")
    all_X = np.concatenate([bx for bx, _ in pairs], axis=1)
    all_Y = np.concatenate([by for _, by in pairs], axis=1)
    order = all_X[0].astype(int)
    if sorted(order.tolist()) != list(range(m)):
        raise AssertionError("Some examples appear twice and others never: use one permutation "
                             "of range(m) and slices that do not overlap.")
    if not np.array_equal(all_X, X[:, order]):
        raise AssertionError("The columns of X were broken apart: permute whole columns with "
                             "X[:, permutation].")
    if not np.array_equal(all_Y, Y[:, order]):
        raise AssertionError("Labels no longer match their examples: shuffle X and Y with the "
                             "*same* permutation.")
    if m >= 5 and np.array_equal(order, np.arange(m)):
        raise AssertionError("The examples are still in their original order: " + SHUFFLE_FIRST)
    return order


def check_mixed(order, size, label):
    """Each full mini-batch takes examples from at least 3 of 4 quarters of the data set (a
    random batch of 50 out of 200 misses two quarters with probability below 1e-12)."""
    m = len(order)
    for t in range(m // size):
        quarters = set((order[t * size:(t + 1) * size] * 4) // m)
        if len(quarters) < 3:
            raise AssertionError(f"{label}: mini-batch {t} takes its examples from only "
                                 f"{len(quarters)} quarter(s) of the data set: " + SHUFFLE_FIRST)


def check_batches(X, Y, size, seed):
    """Call random_mini_batches on copies (X, Y and the global generator must stay untouched),
    check the partition; return (mini_batches, order of the examples)."""
    batches = call(random_mini_batches, X, Y, size, seed=seed, returns=("mini_batches",))
    return batches, check_partition(batches, X, Y, size)


# %% test="test_batches_sizes" points=2
"""Checks m=148, size=64 gives mini-batches of 64, 64 and 20 with the right shapes."""
_X, _Y = numbered_examples(3, 148)
check_batches(_X, _Y, 64, seed=0)
print("Correct sizes and shapes: 64, 64, 20.")

# %% test="test_batches_shuffled_together" points=2
"""Checks the examples are shuffled across the whole set, labels (2 rows) staying with them."""
_X, _Y = numbered_examples(3, 200, n_y=2)
for _seed in (3, 4, 5, 6):
    _, _order = check_batches(_X, _Y, 50, seed=_seed)
    check_mixed(_order, 50, f"seed {_seed}")
print("Correct: one shared shuffle across the whole set, every example exactly once.")

# %% test="test_batches_seeded" points=1
"""Checks the same seed gives the same batches, another seed others, and no global state is used."""
_X, _Y = numbered_examples(2, 100)
_a, _ = check_batches(_X, _Y, 32, seed=5)
_b, _ = check_batches(_X, _Y, 32, seed=5)
_c, _ = check_batches(_X, _Y, 32, seed=6)
assert all(np.array_equal(p[0], q[0]) for p, q in zip(_a, _b)), (
    "The same seed gave different mini-batches: draw the permutation from "
    "rng = np.random.default_rng(seed).")
assert not all(np.array_equal(p[0], q[0]) for p, q in zip(_a, _c)), (
    "Seeds 5 and 6 gave the same mini-batches: is the seed argument used?")
print("Correct: reproducible for a seed, different across seeds.")

# %% test="test_batches_exact_multiple" points=1
"""Checks m=128, size=64 gives exactly two full mini-batches (no empty third one)."""
_X, _Y = numbered_examples(4, 128)
check_batches(_X, _Y, 64, seed=0)
print("Correct: no empty mini-batch when m is a multiple of the size.")

# %% test="test_batches_hidden" points=2
"""Checks other sizes: SGD (size 1), size larger than m, several label rows (more are hidden)."""
# Visible part: a mini-batch size larger than m gives one batch holding every example.
_X, _Y = numbered_examples(3, 10)
check_batches(_X, _Y, 64, seed=2)
### BEGIN HIDDEN TESTS
for _n_x, _m, _size, _n_y in [(5, 1000, 32, 1), (2, 7, 1, 1), (3, 10, 64, 3), (1, 99, 10, 2),
                              (2, 90, 30, 3)]:
    _X, _Y = numbered_examples(_n_x, _m, _n_y)
    check_batches(_X, _Y, _size, seed=11)
### END HIDDEN TESTS

# %% [markdown]
# ## 4. Batch versus mini-batch on real data
#
# We train the course's small network (2 → 16 → 8 → 1, ReLU then sigmoid) on scikit-learn's
# two moons, once with batch gradient descent and once with mini-batches of 64, from the
# same initial weights. Both runs see every example 300 times (300 epochs); batch GD makes
# 300 updates, mini-batch GD makes 300 × 8 = 2,400.

# %%
X_train, Y_train = data.load_moons(m=500, noise=0.2, seed=0)
layers_dims = [2, 16, 8, 1]
gd = nn.Optimizer(init=lambda p: None, name="gradient descent",
                  step=lambda p, g, s, t, lr: (update_parameters_with_gd(p, g, lr), s))


def shuffled(size):
    # A new shuffle every epoch: seed = epoch keeps the run reproducible.
    return lambda X, Y, epoch: random_mini_batches(X, Y, size, seed=epoch)


batch_run = nn.train(X_train, Y_train, layers_dims, gd, learning_rate=0.3, num_epochs=300)
mini_run = nn.train(X_train, Y_train, layers_dims, gd, learning_rate=0.3, num_epochs=300,
                    make_batches=shuffled(64))
print(f"batch GD:      {len(batch_run.costs):5d} updates, final cost {batch_run.epoch_costs[-1]:.3f}")
print(f"mini-batch GD: {len(mini_run.costs):5d} updates, final cost {mini_run.epoch_costs[-1]:.3f}")

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.6))
plots.cost_curves({"batch GD (cost of all m examples)": batch_run.costs}, ax=axes[0],
                  title="Batch GD: smooth, one update per epoch")
plots.cost_curves({"mini-batch GD (cost of each 64-example batch)": mini_run.costs},
                  ax=axes[1], title="Mini-batch GD: noisy, 8 updates per epoch")
plots.cost_curves({"batch GD": batch_run.epoch_costs, "mini-batch GD": mini_run.epoch_costs},
                  xlabel="epoch", title="Cost on the whole training set per epoch", ax=axes[2])
plt.tight_layout()
plt.show()

# %% [markdown]
# The middle curve is noisy because each point is the cost of a *different* mini-batch: some
# batches are easier than others. What matters is the trend, and the right panel shows it:
# per pass over the data, mini-batch gradient descent gets further, because it updates the
# weights eight times while batch gradient descent updates them once.

# %%
plots.decision_boundaries({"batch GD": batch_run.parameters,
                           "mini-batch GD": mini_run.parameters}, X_train, Y_train, digits=0)
plt.show()

# %% [markdown]
# ## 5. Recap
#
# * An **epoch** is one pass over the data; mini-batch GD makes $\lceil m / \text{size} \rceil$
#   updates per epoch, batch GD makes one.
# * Shuffle `X` and `Y` with **one** permutation, then cut full mini-batches and keep the
#   smaller last one when $m$ is not a multiple of the size.
# * The mini-batch cost curve is noisy by nature; judge training by its trend or by the cost
#   on the whole set.
# * Small data ($m \le 2000$): batch GD. Otherwise: a power of two such as 64 to 512 that fits
#   in memory.
#
# Next: the Keras reference notebook of this chapter (`minibatch_keras.ipynb`) shows
# `tf.data` and `model.fit(batch_size=...)` making the same mini-batches. Chapter 02 builds the
# tool behind every faster optimizer: the exponentially weighted average.
