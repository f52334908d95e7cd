# %% [markdown]
# # Chapter 07 — Local optima, saddle points and plateaus
#
# *Optimization for Deep Learning* · graded notebook
#
# **What you will build**
# 1. `saddle_gradient` and `saddle_hessian`: the gradient and the Hessian of
#    $f(x, y) = x^2 - y^2$ in closed form.
# 2. `numerical_gradient_fd` and `numerical_hessian`: the same two objects by centred
#    differences, for *any* function of a point, to check closed forms with.
# 3. `classify_critical_point`: minimum, maximum or saddle, from the eigenvalues of the Hessian.
# 4. `steps_to_escape`: how many updates an optimizer needs to leave a saddle point or to
#    cross a plateau.
#
# Then you count how rare minima are among random critical points in many dimensions, watch
# gradient descent, momentum, RMSProp and Adam leave the saddle of $x^2 - y^2$, and time them
# on a plateau.
#
# **How to work.** Write your code where a cell says `YOUR CODE HERE` (delete the
# `raise NotImplementedError` line). Run the test cell under each exercise: a failing test
# tells you what is most likely wrong. Some tests are hidden and run only when your work is
# graded; they check the same ideas on other shapes and values, so write general code.

# %% [markdown]
# ## 1. Critical points: minima, maxima and saddles
#
# Gradient descent stops where the gradient is zero. Such a point is a **stationary point**
# (정류점), or critical point: the tangent plane there is horizontal. In one dimension a
# stationary point is usually a local minimum (극소) or a local maximum (극대), an
# **extremum** (극값). With two or more variables there is a third kind, the one the notes
# draw with $f(x, y) = x^2 - y^2$ at the origin:
#
# * a **saddle point** (안장점) is a stationary point $a$ with two directions $M \ne 0$ and
#   $m \ne 0$ such that $g(t) = f(a + tM)$ has a maximum at $t = 0$ and $h(t) = f(a + tm)$ a
#   minimum. For $x^2 - y^2$: along the $x$-axis the origin is a minimum ($t^2$), along the
#   $y$-axis a maximum ($-t^2$). The surface looks like a saddle, or a mountain pass, and on a
#   contour map two contour lines cross there.
#
# **A slip in the notes.** The notes end with "the stationary points of a differentiable
# function of several variables: a saddle point is an extremum". Read literally, that
# contradicts the definition just above it (a saddle has no extremum). What is meant is: *a
# stationary point is either an extremum or a saddle point*. Even that is not the whole
# story: $x^3 + y^2$ has a stationary point at the origin that is neither (no direction makes
# it a maximum, and along $x$ it is not a minimum either). Section 4 shows where such
# "degenerate" points come from.
#
# **The Hessian decides (usually).** Near a stationary point $a$, Taylor's formula gives
# $f(a + d) \approx f(a) + \tfrac12\, d^\top H d$, where $H$ is the **Hessian**, the matrix of
# second derivatives $H_{ij} = \partial^2 f / \partial p_i \partial p_j$ (symmetric for smooth
# $f$). Write $d$ in the eigenvectors of $H$: $d^\top H d = \sum_k \lambda_k c_k^2$. So
#
# | eigenvalues of $H$ | the stationary point is |
# |---|---|
# | all $> 0$ | a local minimum |
# | all $< 0$ | a local maximum |
# | some $> 0$ and some $< 0$ | a saddle point (up along one eigenvector, down along another) |
# | none of opposite signs, at least one $= 0$ | undecided: the second-order term is flat in some direction |
#
# For $x^2 - y^2$: $\nabla f = (2x, -2y)$, zero only at the origin, and
# $H = \begin{pmatrix} 2 & 0 \\ 0 & -2 \end{pmatrix}$ everywhere: eigenvalues $2$ and $-2$,
# a saddle.

# %%
import matplotlib.pyplot as plt
import numpy as np

from course import data, nn
from course.testing import call, check_close

# %matplotlib inline

# %% [markdown]
# ## 2. Exercise 1: the gradient and the Hessian of the saddle
#
# A point is a numpy array `p = np.array([x, y])` (shape `(2,)`; the tests also give lists and
# integers). Return new float arrays: the gradient, shape `(2,)`, and the Hessian, shape
# `(2, 2)`.

# %% solution="saddle_gradient"
def saddle_gradient(p):
    """The gradient of f(x, y) = x**2 - y**2 at the point p = (x, y).

    Arguments:
    p -- the point, array-like of shape (2,)

    Returns:
    grad -- float array of shape (2,): (df/dx, df/dy)
    """
    ### BEGIN SOLUTION
    x, y = np.asarray(p, dtype=float)
    return np.array([2 * x, -2 * y])
    ### END SOLUTION


# %% solution="saddle_hessian"
def saddle_hessian(p):
    """The Hessian of f(x, y) = x**2 - y**2 at the point p = (x, y).

    Arguments:
    p -- the point, array-like of shape (2,)

    Returns:
    hessian -- float array of shape (2, 2): [[f_xx, f_xy], [f_yx, f_yy]]
    """
    ### BEGIN SOLUTION
    return np.array([[2.0, 0.0], [0.0, -2.0]])
    ### END SOLUTION


# %% readonly="checkers_saddle"
def saddle_gradient_mistakes(p):
    """{diagnosis: gradient} that the classic slips give at p."""
    x, y = np.asarray(p, dtype=float)
    return {
        "df/dy has the wrong sign: the derivative of -y**2 is -2y.": np.array([2 * x, 2 * y]),
        "df/dx and df/dy are swapped: the first entry is df/dx = 2x.": np.array([-2 * y, 2 * x]),
        "the factor 2 is missing: d(x**2)/dx = 2x.": np.array([x, -y]),
    }


def saddle_hessian_mistakes():
    """{diagnosis: Hessian} that the classic slips give."""
    return {
        "f_yy has the wrong sign: the second derivative of -y**2 is -2.":
            np.array([[2.0, 0.0], [0.0, 2.0]]),
        "the factor 2 is missing: the second derivative of x**2 is 2.":
            np.array([[1.0, 0.0], [0.0, -1.0]]),
        "the mixed derivatives f_xy = f_yx are 0 here (x and y are not multiplied together).":
            np.array([[2.0, 2.0], [2.0, -2.0]]),
    }


# %% test="test_saddle_gradient_by_hand" points=1
"""Checks the gradient of x**2 - y**2 at two points computed by hand."""
# (3, -2): (2*3, -2*(-2)) = (6, 4); (0.5, 1.5): (1, -3)
for _p, _expected in [((3.0, -2.0), [6.0, 4.0]), ((0.5, 1.5), [1.0, -3.0])]:
    _g = call(saddle_gradient, np.array(_p), returns=("grad",))
    check_close(_g, _expected, f"saddle_gradient({_p})", mistakes=saddle_gradient_mistakes(_p),
                rtol=1e-12)
print("Correct: the gradient of the saddle by hand.")

# %% test="test_saddle_gradient_hidden" points=1
"""Checks other points, a list and integers (more cases are hidden)."""
# Visible part: the point given as a list of integers; the gradient is still float.
_g = call(saddle_gradient, [2, 1], returns=("grad",))
check_close(_g, [4.0, -2.0], "saddle_gradient([2, 1])", mistakes=saddle_gradient_mistakes([2, 1]),
            rtol=1e-12)
### BEGIN HIDDEN TESTS
_rng = np.random.default_rng(7)
for _p in _rng.uniform(-5, 5, (6, 2)):
    # the same gradient written as a matrix product: 2 * diag(1, -1) @ p
    check_close(call(saddle_gradient, _p, returns=("grad",)), 2 * np.diag([1.0, -1.0]) @ _p,
                f"saddle_gradient({_p})", mistakes=saddle_gradient_mistakes(_p), rtol=1e-12)
check_close(call(saddle_gradient, np.array([0.0, 0.0]), returns=("grad",)), [0.0, 0.0],
            "saddle_gradient at the saddle point")
### END HIDDEN TESTS
print("Correct: any point, lists and integers.")

# %% test="test_saddle_hessian" points=1
"""Checks the Hessian of x**2 - y**2 at several points (it is the same everywhere)."""
# f_xx = 2, f_yy = -2, f_xy = f_yx = 0, whatever the point
for _p, _shown in [(np.array([3.0, -2.0]), "(3, -2)"), (np.array([0.0, 0.0]), "(0, 0)"),
                   ([1, 4], "[1, 4]")]:
    _H = call(saddle_hessian, _p, returns=("hessian",))
    check_close(_H, [[2.0, 0.0], [0.0, -2.0]], f"saddle_hessian({_shown})",
                mistakes=saddle_hessian_mistakes())
print("Correct: H = [[2, 0], [0, -2]] at every point.")

# %% [markdown]
# ## 3. Exercise 2: the gradient and the Hessian by centred differences
#
# A closed form is easy to get wrong, so we check it numerically. With $e_i$ the $i$-th unit
# vector and a small $h$, the **centred difference**
#
# $$\frac{\partial f}{\partial p_i}(p) \approx \frac{f(p + h e_i) - f(p - h e_i)}{2h}$$
#
# has an error of order $h^2$ (the $h^2$ terms of the two Taylor expansions cancel), while the
# forward difference $(f(p + h e_i) - f(p))/h$ is only accurate to order $h$. For the Hessian,
# apply the same idea twice (a centred difference of centred differences):
#
# $$H_{ij} \approx \frac{f(p + h e_i + h e_j) - f(p + h e_i - h e_j) - f(p - h e_i + h e_j)
#   + f(p - h e_i - h e_j)}{4h^2}.$$
#
# For $i = j$ it reads $\big(f(p + 2he_i) - 2f(p) + f(p - 2he_i)\big)/4h^2$. (The three-point
# form $\big(f(p + he_i) - 2f(p) + f(p - he_i)\big)/h^2$ is also centred and also accepted.)
# The result must be symmetric.
#
# Both functions take any scalar function `f(p) -> float` of a point `p` of shape `(n,)` (the
# tests use functions of 2, 3 and 4 variables). Work on a **float copy** of `p`: `p` may hold
# integers (an integer array cannot hold $p_i + 10^{-5}$), and the caller's `p` must not change.
# Why not a tiny $h$ like $10^{-12}$? Each $f$ value carries a rounding error of about
# $10^{-16}|f|$, which the difference divides by $h$ (by $h^2$ for the Hessian).

# %% solution="numerical_gradient_fd"
def numerical_gradient_fd(f, p, h=1e-5):
    """The gradient of f at p by centred differences.

    Arguments:
    f -- a function of a point: f(p) -> float, p of shape (n,)
    p -- the point, array-like of shape (n,) (not changed)
    h -- the step of the differences

    Returns:
    grad -- float array of shape (n,): grad[i] = (f(p + h e_i) - f(p - h e_i)) / (2h)
    """
    ### BEGIN SOLUTION
    x = np.array(p, dtype=float)
    grad = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        grad[i] = (f(x + e) - f(x - e)) / (2 * h)
    return grad
    ### END SOLUTION


# %% solution="numerical_hessian"
def numerical_hessian(f, p, h=1e-4):
    """The Hessian of f at p by centred differences.

    Arguments:
    f -- a function of a point: f(p) -> float, p of shape (n,)
    p -- the point, array-like of shape (n,) (not changed)
    h -- the step of the differences

    Returns:
    hessian -- symmetric float array of shape (n, n):
               H[i, j] = (f(p + h e_i + h e_j) - f(p + h e_i - h e_j)
                          - f(p - h e_i + h e_j) + f(p - h e_i - h e_j)) / (4 h**2)
    """
    ### BEGIN SOLUTION
    x = np.array(p, dtype=float)
    n = x.size
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            ei = np.zeros(n)
            ei[i] = h
            ej = np.zeros(n)
            ej[j] = h
            H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h**2)
    return H
    ### END SOLUTION


# %% [markdown]
# The tests give your functions other functions than the saddle (a cubic in three variables,
# Rosenbrock's valley, a mix of sines and exponentials), compare with derivatives worked out
# by hand, and name the usual slips: a forward difference, a divisor $h$ instead of $2h$ (or
# $h^2$ instead of $4h^2$), a Hessian filled only above its diagonal, an integer copy of `p`.

# %% readonly="checkers_differences"
def cubic(p):
    """x**3 + 2 x y**2 - 3 y z + z, a cubic in three variables."""
    x, y, z = p
    return x**3 + 2 * x * y**2 - 3 * y * z + z


def cubic_centred_gradient(p, h):
    """The centred difference of `cubic`, worked out by hand: ((x+h)**3 - (x-h)**3) / 2h =
    3x**2 + h**2; the other terms are at most quadratic in the varied coordinate, where the
    centred difference is exact: 2x((y+h)**2 - (y-h)**2) / 2h = 4xy."""
    x, y, z = p
    return np.array([3 * x**2 + h**2 + 2 * y**2, 4 * x * y - 3 * z, -3 * y + 1])


def cubic_hessian(p):
    """By hand; the centred second differences of a cubic are exact (only 4th derivatives
    enter their error)."""
    x, y, z = p
    return np.array([[6 * x, 4 * y, 0.0], [4 * y, 4 * x, -3.0], [0.0, -3.0, 0.0]])


def rosenbrock_value(p):
    return data.rosenbrock(p)[0]


def rosenbrock_hessian(p):
    """(1 - x)**2 + 100 (y - x**2)**2: f_xx = 2 - 400 y + 1200 x**2, f_xy = -400 x, f_yy = 200."""
    x, y = p
    return np.array([[2 - 400 * y + 1200 * x**2, -400 * x], [-400 * x, 200.0]])


def wave(p):
    """sin(a) e^(b/2) + a c**2 - cos(d), four variables."""
    a, b, c, d = p
    return np.sin(a) * np.exp(b / 2) + a * c**2 - np.cos(d)


def wave_gradient(p):
    a, b, c, d = p
    return np.array([np.cos(a) * np.exp(b / 2) + c**2, np.sin(a) * np.exp(b / 2) / 2,
                     2 * a * c, np.sin(d)])


def wave_hessian(p):
    a, b, c, d = p
    s, co, e = np.sin(a), np.cos(a), np.exp(b / 2)
    return np.array([[-s * e, co * e / 2, 2 * c, 0.0], [co * e / 2, s * e / 4, 0.0, 0.0],
                     [2 * c, 0.0, 2 * a, 0.0], [0.0, 0.0, 0.0, np.cos(d)]])


def _unit(n, i, h):
    e = np.zeros(n)
    e[i] = h
    return e


def gradient_mistakes(f, p, h):
    """{diagnosis: gradient} that the classic slips of numerical_gradient_fd give."""
    x = np.array(p, dtype=float)
    n = x.size
    e = [_unit(n, i, h) for i in range(n)]
    table = {
        "this is the forward difference (f(p + h e_i) - f(p)) / h, accurate only to order h: "
        "use the centred difference (f(p + h e_i) - f(p - h e_i)) / (2h).":
            np.array([(f(x + e[i]) - f(x)) / h for i in range(n)]),
        "this is the backward difference (f(p) - f(p - h e_i)) / h: use the centred "
        "difference (f(p + h e_i) - f(p - h e_i)) / (2h).":
            np.array([(f(x) - f(x - e[i])) / h for i in range(n)]),
        "the centred difference spans 2h, so divide by 2h, not by h.":
            np.array([(f(x + e[i]) - f(x - e[i])) / h for i in range(n)]),
        "every coordinate was moved at once: vary one coordinate at a time (p + h e_i).":
            np.full(n, (f(x + h) - f(x - h)) / (2 * h)),
    }
    if np.asarray(p).dtype.kind in "iu":
        table["p holds integers and so did your copy: p_i + h was cut back to p_i. Work on a "
              "float copy, np.array(p, dtype=float)."] = np.zeros(n)
    return table


def hessian_mistakes(f, p, h):
    """{diagnosis: Hessian} that the classic slips of numerical_hessian give."""
    x = np.array(p, dtype=float)
    n = x.size
    e = [_unit(n, i, h) for i in range(n)]
    right = np.array([[f(x + e[i] + e[j]) - f(x + e[i] - e[j]) - f(x - e[i] + e[j])
                       + f(x - e[i] - e[j]) for j in range(n)] for i in range(n)]) / (4 * h**2)
    table = {
        "the four-point difference spans 2h in each direction: divide by 4 h**2, not h**2.":
            4 * right,
        "divide by 4 h**2 (2h in each direction), not by 2 h**2.": 2 * right,
        "this is a forward difference (f(p + h e_i + h e_j) - f(p + h e_i) - f(p + h e_j) + "
        "f(p)) / h**2, accurate only to order h: use centred differences.":
            np.array([[f(x + e[i] + e[j]) - f(x + e[i]) - f(x + e[j]) + f(x) for j in range(n)]
                      for i in range(n)]) / h**2,
        "only the entries on and above the diagonal are filled: the Hessian is symmetric, "
        "H[j, i] = H[i, j].": np.triu(right),
        "only the entries on and below the diagonal are filled: the Hessian is symmetric, "
        "H[i, j] = H[j, i].": np.tril(right),
        "only the diagonal is filled: the mixed derivatives H[i, j] (i != j) are missing.":
            np.diag(np.diag(right)),
    }
    if np.asarray(p).dtype.kind in "iu":
        table["p holds integers and so did your copy: p_i + h was cut back to p_i. Work on a "
              "float copy, np.array(p, dtype=float)."] = np.zeros((n, n))
    return table


# %% test="test_numerical_gradient_cubic" points=2
"""Checks centred differences on a cubic of three variables, with h = 1e-3."""
_p = np.array([1.5, -0.5, 2.0])
_g = call(numerical_gradient_fd, cubic, _p, 1e-3, returns=("grad",))
check_close(_g, cubic_centred_gradient(_p, 1e-3), "numerical_gradient_fd(cubic, p, h=1e-3)",
            mistakes=gradient_mistakes(cubic, _p, 1e-3), rtol=1e-9, atol=1e-9)
print("Correct: centred differences, one coordinate at a time.")

# %% test="test_numerical_gradient_hidden" points=1
"""Checks Rosenbrock's function, integer points and four variables (more cases are hidden)."""
# Visible part: Rosenbrock at (-1.2, 1) with the default h, against its closed-form gradient.
_p = np.array([-1.2, 1.0])
_g = call(numerical_gradient_fd, rosenbrock_value, _p, returns=("grad",))
check_close(_g, data.rosenbrock(_p)[1], "numerical_gradient_fd(rosenbrock, (-1.2, 1))",
            mistakes=gradient_mistakes(rosenbrock_value, _p, 1e-5), rtol=1e-7, atol=1e-6)
### BEGIN HIDDEN TESTS
_p = np.array([2, -1, 1])  # integers
check_close(call(numerical_gradient_fd, cubic, _p, 1e-3, returns=("grad",)),
            cubic_centred_gradient(_p, 1e-3), "numerical_gradient_fd(cubic, integer p, h=1e-3)",
            mistakes=gradient_mistakes(cubic, _p, 1e-3), rtol=1e-9, atol=1e-9)
for _p in [np.array([0.3, -0.8, 1.1, 2.0]), np.array([-2.0, 0.5, -0.4, 0.7])]:
    check_close(call(numerical_gradient_fd, wave, _p, 1e-5, returns=("grad",)), wave_gradient(_p),
                "numerical_gradient_fd(wave, p)", mistakes=gradient_mistakes(wave, _p, 1e-5),
                rtol=1e-7, atol=1e-8)
### END HIDDEN TESTS
print("Correct on other functions and points.")

# %% test="test_numerical_hessian_cubic" points=2
"""Checks the centred Hessian of a cubic of three variables (exact up to rounding), h = 1e-3."""
_p = np.array([1.5, -0.5, 2.0])
_H = call(numerical_hessian, cubic, _p, 1e-3, returns=("hessian",))
check_close(_H, cubic_hessian(_p), "numerical_hessian(cubic, p, h=1e-3)",
            mistakes=hessian_mistakes(cubic, _p, 1e-3), rtol=1e-6, atol=1e-6)
print("Correct: a symmetric Hessian from centred differences.")

# %% test="test_numerical_hessian_hidden" points=1
"""Checks Rosenbrock's function, integer points and four variables (more cases are hidden)."""
# Visible part: Rosenbrock at its minimum (1, 1): [[802, -400], [-400, 200]].
_p = np.array([1.0, 1.0])
_H = call(numerical_hessian, rosenbrock_value, _p, returns=("hessian",))
check_close(_H, [[802.0, -400.0], [-400.0, 200.0]], "numerical_hessian(rosenbrock, (1, 1))",
            mistakes=hessian_mistakes(rosenbrock_value, _p, 1e-4), rtol=1e-6, atol=1e-4)
### BEGIN HIDDEN TESTS
_p = np.array([-1, 2])  # integers
check_close(call(numerical_hessian, rosenbrock_value, _p, returns=("hessian",)),
            rosenbrock_hessian(_p), "numerical_hessian(rosenbrock, integer p)",
            mistakes=hessian_mistakes(rosenbrock_value, _p, 1e-4), rtol=1e-6, atol=1e-4)
for _p in [np.array([0.3, -0.8, 1.1, 2.0]), np.array([-2.0, 0.5, -0.4, 0.7])]:
    check_close(call(numerical_hessian, wave, _p, 1e-4, returns=("hessian",)), wave_hessian(_p),
                "numerical_hessian(wave, p)", mistakes=hessian_mistakes(wave, _p, 1e-4),
                rtol=1e-5, atol=1e-5)
### END HIDDEN TESTS
print("Correct on other functions and points.")

# %% [markdown]
# Your two pairs of functions agree on the saddle (for a quadratic the centred differences are
# exact, up to rounding):

# %%
_saddle_value = lambda p: data.saddle(p)[0]  # noqa: E731
for point in [np.array([0.7, -1.3]), np.array([-2.0, 0.25])]:
    print(f"at {point}: closed-form gradient {saddle_gradient(point)}, centred "
          f"{numerical_gradient_fd(_saddle_value, point).round(8)}")
print("Hessian by centred differences at (0.7, -1.3):\n",
      numerical_hessian(_saddle_value, np.array([0.7, -1.3]), h=1e-2).round(8))

# %% [markdown]
# ## 4. Exercise 3: classify a critical point
#
# Use the eigenvalues of the Hessian (`np.linalg.eigvalsh`, for symmetric matrices), *not*
# its diagonal: $\begin{pmatrix} 1 & 2 \\ 2 & 1\end{pmatrix}$ has a positive diagonal but the
# eigenvalues $3$ and $-1$: along the direction $(1, 1)$ the function curves up, along
# $(1, -1)$ it curves down. Nor
# the determinant alone: it is the product of *all* the eigenvalues, so in three dimensions
# two negative ones and a positive one give a positive determinant.
#
# Numerical Hessians are never exactly singular, so an eigenvalue counts as **zero** when
# $|\lambda| \le$ `tol`. Then:
#
# * a positive and a negative eigenvalue: `"saddle"` (even if others are zero: one direction
#   already goes up and another down);
# * otherwise, if some eigenvalue is zero, the point is **degenerate** and the Hessian cannot
#   decide: $x^2 + y^4$ (a minimum), $x^2 - y^4$ (a saddle) and $x^2 + y^3$ (neither) all
#   have the Hessian $\mathrm{diag}(2, 0)$ at the origin. Raise a `ValueError` saying so
#   (the only three labels are minimum, maximum and saddle, and none would be right);
# * otherwise `"minimum"` (all positive) or `"maximum"` (all negative).

# %% solution="classify_critical_point"
def classify_critical_point(hessian, tol=1e-6):
    """Classify a critical point by the eigenvalues of its Hessian.

    Arguments:
    hessian -- symmetric array-like of shape (n, n) (not changed)
    tol -- an eigenvalue with |eigenvalue| <= tol counts as zero

    Returns:
    label -- "saddle" if some eigenvalue is > tol and another < -tol (zero ones do not matter
             then); otherwise "minimum" if all are > tol, "maximum" if all are < -tol

    Raises:
    ValueError -- when the point is degenerate: no eigenvalues of opposite signs and at least
                  one with |eigenvalue| <= tol (the second-derivative test cannot decide)
    """
    ### BEGIN SOLUTION
    eigenvalues = np.linalg.eigvalsh(np.asarray(hessian, dtype=float))
    positive, negative = eigenvalues > tol, eigenvalues < -tol
    if positive.any() and negative.any():
        return "saddle"
    if not (positive | negative).all():
        raise ValueError(f"degenerate critical point (eigenvalues {eigenvalues}): the "
                         "second-derivative test cannot decide")
    return "minimum" if positive.all() else "maximum"
    ### END SOLUTION


# %% [markdown]
# The tests build Hessians with known eigenvalues, $H = Q\,\mathrm{diag}(\lambda)\,Q^\top$ with
# an orthogonal $Q$ written out by hand, so no eigen-solver decides what is expected.

# %% readonly="checkers_classify"
# A Householder reflection Q = I - 2 v v^T / |v|^2 with v = (1, 2, 2), |v|^2 = 9: orthogonal
# and symmetric, with rational entries.
Q3 = np.array([[7.0, -4.0, -4.0], [-4.0, 1.0, -8.0], [-4.0, -8.0, 1.0]]) / 9
# v = (1, 1, 1, 1), |v|^2 = 4: Q = I - J / 2
Q4 = np.eye(4) - np.ones((4, 4)) / 2


def with_eigenvalues(eigenvalues, Q):
    """The symmetric matrix Q diag(eigenvalues) Q^T."""
    return Q @ np.diag(eigenvalues) @ Q.T


def _label(values, tol):
    pos, neg = values > tol, values < -tol
    if pos.any() and neg.any():
        return "saddle"
    if not (pos | neg).all():
        return "ValueError"
    return "minimum" if pos.all() else "maximum"


def classify_mistakes(hessian, tol=1e-6):
    """{diagnosis: label} of the classic slips (labels as the wrong code would return them)."""
    H = np.asarray(hessian, dtype=float)
    eigenvalues = np.linalg.eigvalsh(H)
    right = _label(eigenvalues, tol)
    swap = {"minimum": "maximum", "maximum": "minimum"}
    det = np.linalg.det(H)
    det_rule = "saddle" if det < 0 else ("minimum" if np.trace(H) > 0 else "maximum")
    return {
        "the labels use the diagonal entries of the Hessian; use its eigenvalues "
        "(np.linalg.eigvalsh): a positive diagonal can hide a negative eigenvalue.":
            _label(np.diag(H), tol),
        "the determinant and the trace decide only in 2 dimensions; use the signs of all the "
        "eigenvalues (np.linalg.eigvalsh).": det_rule if H.shape[0] > 2 else right,
        "minimum and maximum are swapped: all eigenvalues positive means the function curves "
        "up in every direction, a minimum.": swap.get(right, right),
    }


def check_classify(hessian, expected, tol=None):
    """Call classify_critical_point(hessian[, tol]) on copies and compare with `expected`
    ("minimum", "maximum", "saddle", or "ValueError" for a degenerate point)."""
    H = np.asarray(hessian, dtype=float)
    eigenvalues = np.round(np.linalg.eigvalsh(H), 10)
    shown = f"a Hessian with eigenvalues {eigenvalues.tolist()}" + (
        f" and tol={tol}" if tol is not None else "")
    kwargs = {} if tol is None else {"tol": tol}
    try:
        got = call(classify_critical_point, hessian, returns=("label",), **kwargs)
    except AssertionError as err:
        if not isinstance(err.__cause__, ValueError):
            raise
        if expected == "ValueError":
            return
        if expected == "saddle":
            raise AssertionError(
                f"classify_critical_point raised ValueError for {shown}: one positive and one "
                "negative eigenvalue already make a saddle, whatever the zero ones; decide "
                "'saddle' before looking for zero eigenvalues.") from None
        raise AssertionError(f"classify_critical_point raised ValueError for {shown}, expected "
                             f"{expected!r}: only an eigenvalue with |eigenvalue| <= tol "
                             "counts as zero.") from None
    if expected == "ValueError":
        slips = [d for d, wrong in classify_mistakes(H, 1e-6 if tol is None else tol).items()
                 if wrong == got and _label(np.linalg.eigvalsh(H), 0.0) != got]
        raise AssertionError(
            f"classify_critical_point returned {got!r} for {shown}: the point is degenerate "
            "(an eigenvalue with |eigenvalue| <= tol counts as zero, and none has the opposite "
            "sign of another), so the Hessian cannot decide: raise ValueError, as the docstring "
            "says." + (f" Also: {slips[0]}" if slips else ""))
    if not isinstance(got, str) or got not in ("minimum", "maximum", "saddle"):
        raise AssertionError(f"classify_critical_point returned {got!r}; the labels are "
                             "'minimum', 'maximum' and 'saddle'.")
    if got != expected:
        for diagnosis, wrong in classify_mistakes(H, 1e-6 if tol is None else tol).items():
            if wrong == got:
                raise AssertionError(f"classify_critical_point returned {got!r} for {shown}, "
                                     f"expected {expected!r}: {diagnosis}")
        raise AssertionError(f"classify_critical_point returned {got!r} for {shown}, expected "
                             f"{expected!r}.")


# %% test="test_classify_critical_point" points=2
"""Checks minima, maxima and saddles, diagonal or not, in 2 and 3 dimensions."""
check_classify([[3.0, 0.0], [0.0, 1.0]], "minimum")
check_classify([[-2.0, 1.0], [1.0, -3.0]], "maximum")       # trace -5, det 5: both negative
check_classify([[1.0, 2.0], [2.0, 1.0]], "saddle")          # eigenvalues 3 and -1
check_classify(with_eigenvalues([-1.0, -2.0, 4.0], Q3), "saddle")   # det 8 > 0, trace 1 > 0
check_classify(with_eigenvalues([0.5, 2.0, 3.0], Q3), "minimum")
print("Correct: the signs of the eigenvalues decide.")

# %% test="test_classify_degenerate" points=1
"""Checks degenerate Hessians raise ValueError, and a saddle with a zero eigenvalue is a saddle."""
check_classify([[2.0, 0.0], [0.0, 0.0]], "ValueError")      # x**2 + y**4, x**2 - y**4, ...
check_classify([[1.0, 1.0], [1.0, 1.0]], "ValueError")      # eigenvalues 2 and 0
check_classify([[-1.0, 0.0], [0.0, 1e-9]], "ValueError")    # |1e-9| <= tol: a zero
check_classify(np.diag([2.0, -3.0, 0.0]), "saddle")         # up along x, down along y
print("Correct: degenerate points raise ValueError; opposite signs still make a saddle.")

# %% test="test_classify_hidden" points=1
"""Checks 4 dimensions, lists, tolerances (more cases are hidden)."""
# Visible part: a 4x4 Hessian whose eigenvalues are all negative.
check_classify(with_eigenvalues([-1.0, -0.5, -2.0, -3.0], Q4), "maximum")
### BEGIN HIDDEN TESTS
check_classify(with_eigenvalues([1.0, 2.0, -0.1, 4.0], Q4), "saddle")
check_classify(with_eigenvalues([1.0, 2.0, 0.3, 4.0], Q4), "minimum")
check_classify(with_eigenvalues([-1.0, -2.0, -0.3], Q3), "maximum")
check_classify([[2, 0], [0, -2]], "saddle")                  # a list of integers
check_classify(np.diag([1e-5, 2.0]), "minimum")              # 1e-5 > tol = 1e-6
check_classify(np.diag([1e-3, 1.0]), "ValueError", tol=1e-2)  # the tol argument is used
check_classify(np.diag([-1e-3, -1.0]), "maximum", tol=1e-4)
check_classify(with_eigenvalues([0.0, -2.0, -1.0], Q3), "ValueError")
### END HIDDEN TESTS
print("Correct in any dimension.")

# %% [markdown]
# ## 5. In many dimensions, most critical points are saddles
#
# The lecture's picture of a loss surface with many bad local minima comes from two
# dimensions. A network has millions of parameters, and a critical point is a local minimum
# only if the loss curves up in **every** one of those directions. A crude model: take the
# Hessian at a random critical point to be a random symmetric matrix (entries drawn from a
# normal distribution). Your `classify_critical_point` counts how often it is a minimum:

# %%
rng = np.random.default_rng(0)
samples = 2000
print(" n   minima   maxima   saddles   (of 2000 random symmetric Hessians)")
for n in (1, 2, 3, 5, 8, 12):
    counts = {"minimum": 0, "maximum": 0, "saddle": 0}
    for _ in range(samples):
        A = rng.standard_normal((n, n))
        counts[classify_critical_point((A + A.T) / 2)] += 1
    print(f"{n:2d}   {counts['minimum']:6d}   {counts['maximum']:6d}   {counts['saddle']:7d}")

# %% [markdown]
# In one dimension about half of the random critical points are minima (966 of 2000 above),
# in two dimensions about 15% (308), in three under 2% (35), and from five dimensions on not
# one of the 2000 (the fraction falls faster than exponentially in $n$). This is why, in the lecture's words, we
# are *unlikely to get stuck in a bad local optimum*: where the gradient vanishes in a large
# network, it is almost always a saddle, with some direction that still goes down. (Real loss
# surfaces are not random matrices, and research by Dauphin et al. (2014) finds that the
# critical points with high loss are mostly saddles while the minima tend to have low loss;
# the model above only shows the counting argument.)
#
# The real problem is different: near a saddle, and on a **plateau** (a large region where the
# surface is almost flat), the gradient is tiny, so gradient descent crawls. The rest of the
# chapter measures how long each optimizer needs to get away.

# %% [markdown]
# ## 6. Exercise 4: how many steps to escape?
#
# An optimizer is a `course.nn.Optimizer` (chapter 01 used it for training): two functions,
# `state = optimizer.init(p)` and `p, state = optimizer.step(p, g, state, t, learning_rate)`,
# with `t = 1, 2, ...` the update count (Adam's bias correction needs it). Here the
# "parameters" are a point `p` of shape `(n,)`. Run the optimizer from `start` and return the
# number of updates after which `escaped(p)` is first true:
#
# 1. `p` = a float copy of `start` (the optimizer may update `p` in place; `start` must not
#    change). If `escaped(p)` already holds, return `0`.
# 2. `state = optimizer.init(p)`; then for `t = 1, 2, ..., max_steps`: `g = gradient(p)` at the
#    **current** point, `p, state = optimizer.step(p, g, state, t, learning_rate)` (keep the new
#    state), and return `t` as soon as `escaped(p)`.
# 3. Still not escaped after `max_steps` updates: return `None`.

# %% solution="steps_to_escape"
def steps_to_escape(gradient, start, optimizer, learning_rate, escaped, max_steps=10_000):
    """The number of updates `optimizer` needs, from `start`, until `escaped(p)` holds.

    Arguments:
    gradient -- function p -> gradient at p (float array shaped like p)
    start -- the starting point, array-like of shape (n,) (not changed)
    optimizer -- a course.nn.Optimizer: state = optimizer.init(p),
                 p, state = optimizer.step(p, g, state, t, learning_rate), t = 1, 2, ...
    learning_rate -- passed to every step
    escaped -- function p -> bool, e.g. lambda p: np.linalg.norm(p) > 1
    max_steps -- the largest number of updates to try

    Returns:
    steps -- the smallest t such that escaped(p) holds after t updates (0 if it holds at
             start), or None if it still does not hold after max_steps updates
    """
    ### BEGIN SOLUTION
    p = np.array(start, dtype=float)
    if escaped(p):
        return 0
    state = optimizer.init(p)
    for t in range(1, max_steps + 1):
        p, state = optimizer.step(p, gradient(p), state, t, learning_rate)
        if escaped(p):
            return t
    return None
    ### END SOLUTION


# %% [markdown]
# The tests run optimizers whose paths have closed forms. Gradient descent on $x^2 - y^2$
# multiplies $x$ by $(1 - 2\alpha)$ and $y$ by $(1 + 2\alpha)$ at every step, so after $t$
# steps $p_t = \big(x_0 (1 - 2\alpha)^t,\; y_0 (1 + 2\alpha)^t\big)$: the $y$-coordinate grows
# geometrically, but from a tiny $y_0$ it needs many steps. Momentum on a quadratic is a
# linear recursion of $(p, v)$, so its path is a matrix power.

# %% readonly="checkers_escape"
def saddle_grad(p):
    """The gradient of x**2 - y**2 (the checker's own copy)."""
    return np.array([2.0 * p[0], -2.0 * p[1]])


def plain_gd():
    return nn.Optimizer(init=lambda p: None, step=lambda p, g, s, t, lr: (p - lr * g, s),
                        name="gradient descent")


def ewma_momentum(beta):
    """Momentum in the course's form: v = beta v + (1 - beta) g, p = p - lr v, v from 0."""
    def step(p, g, v, t, lr):
        v = beta * v + (1 - beta) * g
        return p - lr * v, v
    return nn.Optimizer(init=lambda p: np.zeros(np.shape(p)), step=step, name="momentum")


def counting_gd():
    """Gradient descent with decaying steps p = p - (lr / t) g. Its state is the last t, and it
    checks it is called with t = 1, 2, 3, ... and with the state it returned the step before."""
    def step(p, g, last_t, t, lr):
        if last_t is None:
            raise AssertionError("steps_to_escape did not start from optimizer.init(p): "
                                 "state = optimizer.init(p) before the first update.")
        if t == 0:
            raise AssertionError("steps_to_escape called optimizer.step with t = 0: updates "
                                 "count from t = 1 (the first update is t = 1).")
        if t != last_t + 1:
            raise AssertionError(
                f"steps_to_escape called optimizer.step with t = {t} and the state of step "
                f"{last_t}: keep the state it returns, p, state = optimizer.step(p, g, state, "
                "t, learning_rate).")
        return p - lr / t * g, t
    return nn.Optimizer(init=lambda p: 0, step=step, name="decaying steps")


def in_place_gd():
    """Gradient descent that writes into the p it is given (as an optimizer may)."""
    def step(p, g, s, t, lr):
        p -= lr * g
        return p, s
    return nn.Optimizer(init=lambda p: None, step=step, name="in-place gradient descent")


def first_index(flags):
    """The first index where flags is True, or None."""
    hits = np.flatnonzero(flags)
    return int(hits[0]) if hits.size else None


def gd_saddle_steps(start, lr, radius, max_steps):
    """Closed form: p_t = (x0 (1 - 2 lr)**t, y0 (1 + 2 lr)**t); the first t with |p_t| > radius."""
    t = np.arange(max_steps + 1)
    x, y = start[0] * (1 - 2 * lr) ** t, start[1] * (1 + 2 * lr) ** t
    return first_index(np.hypot(x, y) > radius)


def momentum_saddle_steps(start, lr, beta, radius, max_steps):
    """Each coordinate (gradient c p, c = 2 or -2) follows (p, v)_t = M**t (p0, 0) with
    M = [[1 - lr (1 - beta) c, -lr beta], [(1 - beta) c, beta]]."""
    coords = []
    for c, p0 in [(2.0, start[0]), (-2.0, start[1])]:
        M = np.array([[1 - lr * (1 - beta) * c, -lr * beta], [(1 - beta) * c, beta]])
        coords.append([(np.linalg.matrix_power(M, t) @ [p0, 0.0])[0]
                       for t in range(max_steps + 1)])
    return first_index(np.hypot(*coords) > radius)


def escape_mistakes(gradient, start, optimizer, lr, escaped, max_steps):
    """{diagnosis: steps} that the classic slips of steps_to_escape return (wrong loops run)."""
    def run(first_t=1, keep_state=True, at_start=False, extra=0):
        try:
            return loop(first_t, keep_state, at_start, extra)
        except (AssertionError, ArithmeticError):  # the checking optimizer refused the slip
            return None

    def loop(first_t, keep_state, at_start, extra):
        p = np.array(start, dtype=float)
        if escaped(p):
            return 0
        state = optimizer.init(p)
        for k in range(max_steps):
            t = k + first_t
            new_p, new_state = optimizer.step(p.copy(), gradient(
                np.array(start, dtype=float) if at_start else p), state, t, lr)
            p, state = new_p, (new_state if keep_state else state)
            if escaped(p):
                return t + extra
        return None
    table = {
        "t starts at 0: updates count from t = 1 (the first update is t = 1, and 1 is the "
        "number returned after one update).": run(first_t=0),
        "the state returned by optimizer.step is thrown away: keep the state it returns, "
        "p, state = optimizer.step(p, g, state, t, learning_rate).": run(keep_state=False),
        "the gradient is computed once, at the start: compute g = gradient(p) at the current "
        "point in every step.": run(at_start=True),
        "the count is one too large: return t right after the update that escapes.":
            run(extra=1),
    }
    return {d: v for d, v in table.items() if v is not None}


def check_escape(gradient, start, optimizer, lr, escaped, max_steps, expected, label):
    """Call steps_to_escape on copies (start must stay unchanged) and compare the count."""
    got = call(steps_to_escape, gradient, start, optimizer, lr, escaped, max_steps,
               returns=("steps",), allow_none=True)  # None is the answer "never escaped"
    if got == expected and (got is None) == (expected is None):
        if got is not None and not isinstance(got, int | np.integer):
            raise AssertionError(f"steps_to_escape returned {got!r} ({type(got).__name__}) for "
                                 f"{label}; return a whole number of updates, an int.")
        return
    for diagnosis, wrong in escape_mistakes(gradient, start, optimizer, lr, escaped,
                                            max_steps).items():
        if got is not None and wrong == got:
            raise AssertionError(f"steps_to_escape returned {got} for {label}, expected "
                                 f"{expected}: {diagnosis}")
    if expected is None:
        raise AssertionError(
            f"steps_to_escape returned {got!r} for {label}, which never escapes in "
            f"{max_steps} steps: return None when escaped(p) still does not hold after "
            "max_steps updates.")
    if got is None:
        raise AssertionError(f"steps_to_escape returned None for {label}, expected {expected} "
                             "updates. Is the loop long enough (t = 1, ..., max_steps), and is "
                             "escaped(p) checked after every update?")
    raise AssertionError(f"steps_to_escape returned {got!r} for {label}, expected {expected}.")


# %% test="test_steps_gd_saddle" points=2
"""Checks gradient descent leaving the saddle of x**2 - y**2, against the closed form."""
for _start, _lr in [((0.5, 0.01), 0.1), ((0.9, -0.003), 0.05)]:
    _expected = gd_saddle_steps(_start, _lr, 1.0, 500)   # 26 and 61 steps:
    # 0.01 * 1.2**26 = 1.14 (1.2**25: 0.95) and 0.003 * 1.1**61 = 1.005 (1.1**60: 0.91); x is tiny
    check_escape(saddle_grad, np.array(_start), plain_gd(), _lr,
                 lambda p: np.hypot(*p) > 1.0, 500, _expected,
                 f"gradient descent from {_start} with learning rate {_lr}")
print("Correct: the count matches the closed form p_t = (x0 (1 - 2a)^t, y0 (1 + 2a)^t).")

# %% test="test_steps_state_and_t" points=2
"""Checks an optimizer with a state (momentum) and one whose step depends on t."""
# Momentum (beta = 0.75) from (0.5, 0.01): the matrix-power closed form.
_expected = momentum_saddle_steps((0.5, 0.01), 0.1, 0.75, 1.0, 500)
check_escape(saddle_grad, np.array([0.5, 0.01]), ewma_momentum(0.75), 0.1,
             lambda p: np.hypot(*p) > 1.0, 500, _expected, "momentum (beta=0.75) from (0.5, 0.01)")
# Step t moves x by lr / t on the slope f = -x: x_t = x0 + lr (1 + 1/2 + ... + 1/t). From
# x0 = 0 with lr = 1: 1, 1.5, 1.833, 2.083, 2.283, 2.45, 2.593, so x_t > 2.5 first at t = 7.
check_escape(lambda p: np.array([-1.0, 0.0]), np.array([0.0, 0.0]), counting_gd(), 1.0,
             lambda p: p[0] > 2.5, 100, 7, "steps lr / t on the slope f = -x")
print("Correct: the state is kept and t counts from 1.")

# %% test="test_steps_edge_cases" points=1
"""Checks a start that has escaped already, a start that never escapes, and an in-place optimizer."""
check_escape(saddle_grad, np.array([0.0, 2.0]), plain_gd(), 0.1, lambda p: np.hypot(*p) > 1.0,
             50, 0, "a start already outside the radius")
# On the x-axis (y = 0) gradient descent slides into the saddle point and stays there.
check_escape(saddle_grad, np.array([0.5, 0.0]), plain_gd(), 0.1, lambda p: np.hypot(*p) > 1.0,
             200, None, "gradient descent from (0.5, 0), on the saddle's stable line")
check_escape(saddle_grad, np.array([0.5, 0.01]), in_place_gd(), 0.1,
             lambda p: np.hypot(*p) > 1.0, 500, 26, "an optimizer that updates p in place")
### BEGIN HIDDEN TESTS
for _start, _lr, _beta in [((-0.8, 0.02), 0.2, 0.5), ((0.3, -1e-4), 0.05, 0.9)]:
    check_escape(saddle_grad, np.array(_start), ewma_momentum(_beta), _lr,
                 lambda p: np.hypot(*p) > 1.5, 2000,
                 momentum_saddle_steps(_start, _lr, _beta, 1.5, 2000),
                 f"momentum (beta={_beta}) from {_start}")
check_escape(saddle_grad, [1, 0], plain_gd(), 0.1, lambda p: abs(p[1]) > 1.0, 30, None,
             "a list start on the stable line")
# |y_t| = 0.05 * 1.5**t > 1 first at t = 8 (1.5**7 = 17.1, 1.5**8 = 25.6): max_steps = 8 is
# just enough, 7 is not.
for _max, _expected in [(8, 8), (7, None)]:
    check_escape(saddle_grad, np.array([0.2, 0.05]), plain_gd(), 0.25, lambda p: abs(p[1]) > 1.0,
                 _max, _expected, f"max_steps = {_max}")
### END HIDDEN TESTS
print("Correct: 0 at the start, None when it never escapes, start left unchanged.")

# %% [markdown]
# ## 7. Leaving the saddle: GD, momentum, RMSProp and Adam
#
# The update rules of chapters 03 to 05, written for a single point `p` (a numpy array) as
# `course.nn.Optimizer`s. They are given here, not graded again.

# %%
def gd_optimizer():
    """Plain gradient descent: p = p - alpha g."""
    return nn.Optimizer(init=lambda p: None, step=lambda p, g, s, t, lr: (p - lr * g, s),
                        name="gradient descent")


def momentum_optimizer(beta=0.9):
    """v = beta v + (1 - beta) g; p = p - alpha v (chapter 03)."""
    def step(p, g, v, t, lr):
        v = beta * v + (1 - beta) * g
        return p - lr * v, v
    return nn.Optimizer(init=lambda p: np.zeros(np.shape(p)), step=step, name=f"momentum {beta}")


def rmsprop_optimizer(beta2=0.9, epsilon=1e-8):
    """s = beta2 s + (1 - beta2) g**2; p = p - alpha g / sqrt(s + epsilon) (chapter 04)."""
    def step(p, g, s, t, lr):
        s = beta2 * s + (1 - beta2) * g**2
        return p - lr * g / np.sqrt(s + epsilon), s
    return nn.Optimizer(init=lambda p: np.zeros(np.shape(p)), step=step, name="RMSProp")


def adam_optimizer(beta1=0.9, beta2=0.999, epsilon=1e-8):
    """Adam with bias correction, epsilon outside the root (chapter 05). `epsilon` may also be
    a function of the step t (the Keras notebook maps Keras' epsilon hat that way)."""
    def step(p, g, state, t, lr):
        v, s = state
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g**2
        v_hat, s_hat = v / (1 - beta1**t), s / (1 - beta2**t)
        eps = epsilon(t) if callable(epsilon) else epsilon
        return p - lr * v_hat / (np.sqrt(s_hat) + eps), (v, s)
    return nn.Optimizer(init=lambda p: (np.zeros(np.shape(p)), np.zeros(np.shape(p))),
                        step=step, name="Adam")


def trajectory(gradient, start, optimizer, learning_rate, num_steps):
    """The points p_0 = start, p_1, ..., p_num_steps, shape (num_steps + 1, n)."""
    p = np.array(start, dtype=float)
    state, path = optimizer.init(p), [p.copy()]
    for t in range(1, num_steps + 1):
        p, state = optimizer.step(p, gradient(p), state, t, learning_rate)
        path.append(np.array(p, dtype=float))
    return np.array(path)


# %% [markdown]
# All four start at $(1, 0.001)$, close to the saddle's stable line (the $x$-axis), with the
# same learning rate $\alpha = 0.1$. "Escaped" means farther than $2$ from the saddle point.

# %%
saddle_start, saddle_lr = np.array([1.0, 1e-3]), 0.1
optimizers = {"gradient descent": gd_optimizer(), "momentum (beta=0.9)": momentum_optimizer(0.9),
              "RMSProp (beta2=0.9)": rmsprop_optimizer(0.9), "Adam": adam_optimizer()}
saddle_paths, saddle_steps = {}, {}
for label, opt in optimizers.items():
    saddle_steps[label] = steps_to_escape(saddle_gradient, saddle_start, opt, saddle_lr,
                                          lambda p: np.linalg.norm(p) > 2.0, max_steps=1000)
    saddle_paths[label] = trajectory(saddle_gradient, saddle_start, opt, saddle_lr,
                                     saddle_steps[label] or 1000)
    print(f"{label:22s} leaves the disc of radius 2 after {saddle_steps[label]} steps")

# %%
fig = plt.figure(figsize=(13, 5))
ax3 = fig.add_subplot(1, 2, 1, projection="3d")
xs = np.linspace(-2, 2, 60)
xx, yy = np.meshgrid(xs, xs)
ax3.plot_surface(xx, yy, xx**2 - yy**2, cmap="coolwarm", alpha=0.3, linewidth=0)
for label, path in saddle_paths.items():
    inside = np.linalg.norm(path, axis=1) <= 2.2
    ax3.plot(path[inside, 0], path[inside, 1], path[inside, 0] ** 2 - path[inside, 1] ** 2,
             ".-", ms=3, lw=2, label=label, zorder=5)
ax3.set(xlabel="x", ylabel="y", zlabel="f", title="f(x, y) = x² - y²")
ax3.view_init(elev=40, azim=-125)
ax3.legend(fontsize=8, loc="upper left")

ax = fig.add_subplot(1, 2, 2)
ax.contour(xx, yy, xx**2 - yy**2, levels=np.linspace(-4, 4, 17), cmap="Greys", linewidths=0.7)
for label, path in saddle_paths.items():
    ax.plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1, label=f"{label}: {saddle_steps[label]} steps")
ax.plot(0, 0, "kx", ms=8)
ax.plot(*saddle_start, "ko", ms=5)
ax.set(xlim=(-2, 2), ylim=(-2, 2), aspect="equal", xlabel="x", ylabel="y",
       title="contours; the cross is the saddle point")
ax.legend(fontsize=8, loc="lower left")
plt.tight_layout()
plt.show()

# %% [markdown]
# Gradient descent first slides along the $x$-axis towards the saddle point, where the
# gradient almost vanishes, and only leaves once the tiny $y$ has grown geometrically.
# RMSProp and Adam divide each coordinate's step by the recent size of its own gradient, so
# the small $y$-gradient still gives a step of about $\alpha$: they turn away from the saddle
# at once. Momentum in the course's form *averages* gradients, so it is never faster than
# gradient descent at a growing gradient: it lags behind it (more below).
#
# ## 8. Crossing a plateau
#
# A plateau: $f(x, y) = -\tanh(x) + y^2/2$. For $x \ll 0$ the surface is almost flat in $x$
# ($\partial f / \partial x = -(1 - \tanh^2 x)$, about $-0.0013$ at $x = -4$), and the valley
# floor $y = 0$ is where the descent is. Start at $(-4, 0.5)$ and count the steps until
# $x > 0$ (the edge of the plateau is crossed).

# %%
def plateau_gradient(p):
    """The gradient of f(x, y) = -tanh(x) + y**2 / 2."""
    return np.array([-(1 - np.tanh(p[0]) ** 2), p[1]])


plateau_start, plateau_lr = np.array([-4.0, 0.5]), 0.1
rows = dict(optimizers)
rows["momentum, Keras form (lr = alpha)"] = momentum_optimizer(0.9)
plateau_steps, plateau_paths = {}, {}
for label, opt in rows.items():
    # Keras' SGD(momentum=0.9, learning_rate=alpha) is the course's momentum with alpha / (1 - beta)
    lr = plateau_lr / (1 - 0.9) if "Keras form" in label else plateau_lr
    plateau_steps[label] = steps_to_escape(plateau_gradient, plateau_start, opt, lr,
                                           lambda p: p[0] > 0, max_steps=10_000)
    plateau_paths[label] = trajectory(plateau_gradient, plateau_start, opt, lr,
                                      plateau_steps[label] or 10_000)

print(f"gradient at the start {plateau_start}: {plateau_gradient(plateau_start)}\n")

print(f"{'optimizer (alpha = 0.1)':36s} {'plateau: steps':>15s} {'saddle: steps':>14s}")
for label, steps in plateau_steps.items():
    saddle = saddle_steps.get(label)
    print(f"{label:36s} {steps!s:>15} {'' if saddle is None else saddle:>14}")

# %%
fig, ax = plt.subplots(figsize=(8, 3.6))
for label, path in plateau_paths.items():
    ax.plot(np.arange(len(path)), path[:, 0], lw=1.5, label=f"{label}: {len(path) - 1} steps")
ax.axhline(0, color="k", lw=0.8, ls="--")
ax.set(xscale="symlog", xlim=(0, 1.2 * max(len(p) for p in plateau_paths.values())),
       xlabel="step (log scale after 1)", ylabel="x",
       title="Crossing the plateau of -tanh(x) + y²/2 from x = -4")
ax.legend(fontsize=8)
ax.grid(alpha=0.3)
plt.show()

# %% [markdown]
# The table is printed by the cell before the figure (same start and $\alpha = 0.1$ for every optimizer).
# What it shows:
#
# * **Gradient descent** needs thousands of steps on the plateau (3,750): its step is $\alpha$
#   times a gradient of about $10^{-3}$.
# * **RMSProp and Adam** need tens (16 and 36), and leave the saddle in 8 and 20 steps instead
#   of 42: dividing by $\sqrt{s}$, the root of the average squared
#   gradient, makes the step about $\alpha$ whatever the size of the gradient. On a plateau
#   that is exactly what helps: a flat direction gets a larger effective learning rate.
# * **Momentum** in the course's form, $v = \beta v + (1-\beta)\,dW$, is an *average* of the
#   gradients: on a constant slope $v \to dW$, so at the same $\alpha$ it moves exactly as
#   fast as gradient descent (3,810 steps against 3,750 on the plateau, 79 against 42 at the
#   saddle, where the gradient grows and the average lags behind it). Its speed-up on plateaus,
#   the "ball that gathers speed", is that of the heavy-ball form Keras uses,
#   `m = mu * m - lr * g`, in which the steady step on a constant slope is
#   $\text{lr}/(1-\mu)$ times the gradient: ten times gradient descent's for $\mu = 0.9$. The
#   two forms are the same algorithm with $\text{lr} = \alpha(1-\beta)$ (the conventions
#   table), so the last row runs the course's momentum with $\alpha/(1 - \beta) = 1$: 421
#   steps instead of 3,750, about nine times fewer (not ten, because the gradient grows
#   along the way and the average lags behind it). With
#   the course's form you get this speed-up by raising $\alpha$, which momentum's smoothing
#   allows.

# %% [markdown]
# ## 9. Recap
#
# * A **stationary point** (정류점) has a zero gradient. The eigenvalues of the Hessian
#   classify it: all positive, a minimum (극소); all negative, a maximum (극대); mixed signs,
#   a **saddle point** (안장점); zeros without mixed signs, undecided (degenerate).
# * Check closed-form derivatives with **centred differences**, $(f(p + he_i) - f(p - he_i))/2h$
#   (error of order $h^2$), one coordinate at a time, on a float copy of the point.
# * In many dimensions almost every critical point is a saddle, not a bad local minimum; what
#   slows training down is the small gradient near saddles and on **plateaus**.
# * RMSProp and Adam scale each step by the recent gradient size and leave saddles and plateaus
#   in far fewer steps. Momentum helps through its speed gathering (Keras' heavy-ball form, or
#   a larger $\alpha$ in the course's form), not through averaging alone.
#
# Next: the Keras reference notebook of this chapter (`saddle_points_keras.ipynb`) computes the
# same gradients and Hessians with nested `tf.GradientTape`s and runs Keras' optimizers on the
# saddle. Chapter 08 turns to where training starts: weight initialization.
