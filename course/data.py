"""Offline, seeded data sets in the course's layout: `X` of shape (n_x, m), `Y` of (1, m) or (C, m).

Everything here ships inside installed packages (scikit-learn, vega_datasets); nothing is
downloaded at run time. The moons, circles and digits are scikit-learn's (`make_moons`,
`make_circles`, `load_digits` with `train_test_split`), point for point and example for
example (tests/test_course.py compares them), computed here with numpy: importing
scikit-learn costs 1.3-1.9 s of CPU, more than most chapters' cells, in every learner's
notebook and every grading kernel.
"""

from __future__ import annotations

import math

import numpy as np


def load_moons(m: int = 300, noise: float = 0.2, seed: int = 0, test_m: int = 0):
    """Two interleaving half-moons (scikit-learn's `make_moons`), standardised.

    Returns `X (2, m), Y (1, m)`, or `X, Y, X_test, Y_test` when `test_m > 0`.
    """
    X, y = make_moons(m + test_m, noise=noise, seed=seed)
    X = (X - X[:m].mean(axis=0)) / X[:m].std(axis=0)
    X, Y = X.T, y.reshape(1, -1).astype(float)
    if test_m:
        return X[:, :m], Y[:, :m], X[:, m:], Y[:, m:]
    return X, Y


def load_circles(m: int = 300, noise: float = 0.1, factor: float = 0.5, seed: int = 0):
    """Two concentric circles (scikit-learn's `make_circles`): `X (2, m), Y (1, m)`."""
    X, y = make_circles(m, noise=noise, factor=factor, seed=seed)
    return X.T, y.reshape(1, -1).astype(float)


def _shuffled_with_noise(X, y, noise: float | None, seed: int):
    """scikit-learn's generators' last steps, in their order on one RandomState(seed): a
    permutation of the examples (`sklearn.utils.shuffle`), then Gaussian noise."""
    rng = np.random.RandomState(seed)
    order = np.arange(len(y))
    rng.shuffle(order)
    X, y = X[order], y[order]
    if noise is not None:
        X += rng.normal(scale=noise, size=X.shape)
    return X, y


def make_moons(n_samples: int = 100, noise: float | None = None, seed: int = 0):
    """`sklearn.datasets.make_moons(n_samples, noise=noise, random_state=seed)` in numpy:
    `X (n_samples, 2)`, `y (n_samples,)` of 0 (upper moon) and 1 (lower moon)."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer = np.linspace(0, np.pi, n_out)
    inner = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(outer), 1 - np.cos(inner)),
                   np.append(np.sin(outer), 1 - np.sin(inner) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    return _shuffled_with_noise(X, y, noise, seed)


def make_circles(n_samples: int = 100, noise: float | None = None, factor: float = 0.8,
                 seed: int = 0):
    """`sklearn.datasets.make_circles(n_samples, noise=noise, factor=factor,
    random_state=seed)` in numpy: `X (n_samples, 2)`, `y` of 0 (outer) and 1 (inner)."""
    n_out = n_samples // 2
    n_in = n_samples - n_out
    outer = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    inner = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.append(np.cos(outer), np.cos(inner) * factor),
                   np.append(np.sin(outer), np.sin(inner) * factor)]).T
    y = np.hstack([np.zeros(n_out, dtype=np.intp), np.ones(n_in, dtype=np.intp)])
    return _shuffled_with_noise(X, y, noise, seed)


def load_digits(classes=None, test_fraction: float = 0.2, seed: int = 0, one_hot: bool = False):
    """The 8x8 handwritten digits bundled with scikit-learn (1797 images), pixels scaled to [0, 1].

    `classes`: keep only these digits (e.g. (3, 8) for a binary task, labels become 0/1 in
    that order). Returns `X_train (64, m), Y_train, X_test, Y_test`; `Y` is (1, m) of labels,
    or (C, m) one-hot when `one_hot`. The split is stratified and seeded: scikit-learn's
    `train_test_split(..., test_size=test_fraction, random_state=seed, stratify=y)`, example
    for example (`stratified_split`).
    """
    X, y = _digits()
    X = X / 16.0
    if classes is not None:
        keep = np.isin(y, classes)
        relabel = {digit: i for i, digit in enumerate(classes)}
        X, y = X[keep], np.array([relabel[d] for d in y[keep]])
    train, test = stratified_split(y, test_fraction, seed)

    def labels(v):
        if one_hot:
            return np.eye(int(y.max()) + 1)[v].T
        return v.reshape(1, -1).astype(float)

    return X[train].T, labels(y[train]), X[test].T, labels(y[test])


def _package_file(package: str, *parts: str, pip: str | None = None):
    """The path of a data file that ships inside an installed `package`, found without
    importing the package (`find_spec` of a top-level package runs none of its code)."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"{package} is not installed: {parts[-1]} ships inside it "
                          f"(pip install {pip or package})")
    return Path(spec.submodule_search_locations[0]).joinpath(*parts)


def _digits():
    """(pixels (1797, 64) of 0-16, labels (1797,)) from scikit-learn's bundled
    digits.csv.gz, read as `sklearn.datasets.load_digits` reads it, without importing
    scikit-learn."""
    import gzip

    path = _package_file("sklearn", "datasets", "data", "digits.csv.gz", pip="scikit-learn")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        data = np.loadtxt(f, delimiter=",")
    return data[:, :-1], data[:, -1].astype(int)


def stratified_split(y, test_fraction: float, seed: int):
    """(train indices, test indices): scikit-learn's `StratifiedShuffleSplit` with
    `test_size=test_fraction, random_state=seed`, first split, step for step on one
    RandomState(seed), so the examples are the ones scikit-learn would pick."""
    rng = np.random.RandomState(seed)
    n_test = math.ceil(test_fraction * len(y))
    n_train = len(y) - n_test
    classes, y_indices, class_counts = np.unique(y, return_inverse=True, return_counts=True)
    by_class = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(class_counts)[:-1])
    n_i = _approximate_mode(class_counts, n_train, rng)
    t_i = _approximate_mode(class_counts - n_i, n_test, rng)
    train: list = []
    test: list = []
    for i in range(len(classes)):
        shuffled = by_class[i].take(rng.permutation(class_counts[i]), mode="clip")
        train.extend(shuffled[: n_i[i]])
        test.extend(shuffled[n_i[i]: n_i[i] + t_i[i]])
    return rng.permutation(train), rng.permutation(test)


def _approximate_mode(class_counts, n_draws: int, rng):
    """How many of `n_draws` each class gets: proportional shares floored, then the
    largest remainders first, ties broken with `rng` (scikit-learn's `_approximate_mode`)."""
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need = int(n_draws - floored.sum())
    if need > 0:
        remainder = continuous - floored
        for value in np.sort(np.unique(remainder))[::-1]:
            (tied,) = np.where(remainder == value)
            take = min(len(tied), need)
            floored[rng.choice(tied, size=take, replace=False)] += 1
            need -= take
            if need == 0:
                break
    return floored.astype(int)


def seattle_temperatures(year: int | None = 2012):
    """Daily mean temperature in Seattle (deg C), from vega_datasets' bundled `seattle-weather`.

    Returns `(dates, theta)`: numpy datetime64 days and the mean of the daily max and min,
    for one year (2012-2015) or, with `year=None`, all four years. The CSV file is read
    here, as `vega_datasets.data.seattle_weather()` reads it, without importing pandas.
    """
    import csv

    with open(_package_file("vega_datasets", "_data", "seattle-weather.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    dates = np.array([r["date"].replace("/", "-") for r in rows], dtype="datetime64[D]")
    theta = (np.array([float(r["temp_max"]) for r in rows])
             + np.array([float(r["temp_min"]) for r in rows])) / 2
    if year is not None:
        keep = dates.astype("datetime64[Y]").astype(int) + 1970 == year
        dates, theta = dates[keep], theta[keep]
    return dates, theta


# Small test functions for optimizer trajectories. Each returns (value, gradient) at p = (x, y).

def elongated_bowl(p):
    """f(x, y) = x**2 / 20 + y**2: gentle along x, steep along y (momentum's zig-zag example)."""
    x, y = p
    return x**2 / 20 + y**2, np.array([x / 10, 2 * y])


def rosenbrock(p, a: float = 1.0, b: float = 100.0):
    """f(x, y) = (a - x)**2 + b (y - x**2)**2, minimum at (a, a**2) in a curved flat valley."""
    x, y = p
    value = (a - x) ** 2 + b * (y - x**2) ** 2
    return value, np.array([-2 * (a - x) - 4 * b * x * (y - x**2), 2 * b * (y - x**2)])


def saddle(p):
    """f(x, y) = x**2 - y**2: a saddle point (안장점) at the origin."""
    x, y = p
    return x**2 - y**2, np.array([2 * x, -2 * y])
