"""The helper package: the numpy network's gradients, the data loaders, the test helpers."""

import subprocess
import sys

import numpy as np
import pytest

from course import data, fixtures, nn, testing


def test_backward_matches_centred_differences():
    """Checks nn.backward against centred differences on a 3-layer net (sigmoid output, m=7)."""
    rng = np.random.default_rng(0)
    X, Y = rng.standard_normal((3, 7)), (rng.random((1, 7)) > 0.5).astype(float)
    params = nn.initialize_parameters([3, 5, 4, 1], seed=1)
    params = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in params.items()}
    AL, caches = nn.forward(X, params)
    grads = nn.backward(AL, Y, params, caches)
    for key in params:
        def cost(value, key=key):
            p = dict(params, **{key: value})
            return nn.compute_cost(nn.forward(X, p)[0], Y)
        num = testing.numerical_gradient(cost, params[key])
        assert testing.rel_error(grads["d" + key], num) < 1e-6, key


def test_backward_softmax_matches_centred_differences():
    """Checks the softmax/cross-entropy output layer's gradient too (C=3)."""
    rng = np.random.default_rng(2)
    X, labels = rng.standard_normal((4, 6)), rng.integers(0, 3, 6)
    Y = np.eye(3)[labels].T
    params = nn.initialize_parameters([4, 5, 3], seed=3)
    AL, caches = nn.forward(X, params)
    grads = nn.backward(AL, Y, params, caches)
    num = testing.numerical_gradient(
        lambda w: nn.compute_cost(nn.forward(X, dict(params, W1=w))[0], Y), params["W1"])
    assert testing.rel_error(grads["dW1"], num) < 1e-6


def test_train_reduces_cost_and_is_seeded():
    """Checks plain GD through nn.train lowers the cost and two runs with one seed agree."""
    X, Y = data.load_moons(m=200, seed=0)
    sgd = nn.Optimizer(init=lambda p: None,
                       step=lambda p, g, s, t, lr: ({k: p[k] - lr * g["d" + k] for k in p}, s))
    a = nn.train(X, Y, [2, 8, 1], sgd, learning_rate=0.5, num_epochs=50, progress=False)
    b = nn.train(X, Y, [2, 8, 1], sgd, learning_rate=0.5, num_epochs=50, progress=False)
    assert a.epoch_costs[-1] < 0.8 * a.epoch_costs[0]
    assert a.epoch_costs == b.epoch_costs


def test_data_loaders_offline_shapes():
    """Checks the bundled data sets load offline in the (n_x, m) layout."""
    X, Y = data.load_moons(m=50, seed=0)
    assert X.shape == (2, 50) and Y.shape == (1, 50)
    Xtr, Ytr, Xte, Yte = data.load_digits(classes=(3, 8))
    assert Xtr.shape[0] == 64 and set(np.unique(Ytr)) == {0.0, 1.0}
    assert Xtr.shape[1] + Xte.shape[1] == 357  # 183 threes + 174 eights in scikit-learn's copy
    dates, theta = data.seattle_temperatures(2012)
    assert len(theta) == 366 and 0 < theta.mean() < 20  # 2012 is a leap year; mild climate


@pytest.mark.parametrize("n, noise, seed", [(100, None, 0), (101, 0.2, 0), (500, 0.2, 0),
                                            (7, 0.05, 3), (1, 0.1, 42)])
def test_moons_and_circles_are_scikit_learns(n, noise, seed):
    """Checks the numpy moons and circles equal scikit-learn's point for point (same seed,
    same random stream), so every chapter's data and expected values stay what they were."""
    from sklearn.datasets import make_circles, make_moons

    X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    ours = data.make_moons(n, noise=noise, seed=seed)
    np.testing.assert_array_equal(ours[1], y)
    np.testing.assert_allclose(ours[0], X, rtol=0, atol=1e-15)
    for factor in (0.5, 0.8):
        X, y = make_circles(n_samples=n, noise=noise, factor=factor, random_state=seed)
        ours = data.make_circles(n, noise=noise, factor=factor, seed=seed)
        np.testing.assert_array_equal(ours[1], y)
        np.testing.assert_allclose(ours[0], X, rtol=0, atol=1e-15)


def _sklearn_digits(classes, test_fraction, seed, one_hot):
    """load_digits as scikit-learn computes it: its loader and its stratified split."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    X, y = digits.data / 16.0, digits.target
    if classes is not None:
        keep = np.isin(y, classes)
        X, y = X[keep], np.array([list(classes).index(d) for d in y[keep]])
    X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=test_fraction,
                                              random_state=seed, stratify=y)
    labels = (lambda v: np.eye(int(y.max()) + 1)[v].T) if one_hot else \
        (lambda v: v.reshape(1, -1).astype(float))
    return X_tr.T, labels(y_tr), X_te.T, labels(y_te)


@pytest.mark.parametrize("classes, test_fraction, seed, one_hot", [
    (None, 0.2, 0, False), (None, 0.25, 1, True), ((3, 8), 0.2, 0, False),
    ((3, 8), 0.3, 7, False), ((1, 7, 9), 0.15, 2, True), (None, 0.1, 123, True)])
def test_digits_are_scikit_learns(classes, test_fraction, seed, one_hot):
    """Checks load_digits gives scikit-learn's images and stratified split, example for
    example (the capstone's accuracy threshold was measured on that split)."""
    ours = data.load_digits(classes, test_fraction=test_fraction, seed=seed, one_hot=one_hot)
    theirs = _sklearn_digits(classes, test_fraction, seed, one_hot)
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("year", [2012, 2015, None])
def test_seattle_is_vega_datasets(year):
    """Checks the Seattle temperatures equal those computed from vega_datasets' DataFrame."""
    from vega_datasets import data as vega

    df = vega.seattle_weather()
    if year is not None:
        df = df[df["date"].dt.year == year]
    dates, theta = data.seattle_temperatures(year)
    np.testing.assert_array_equal(dates, df["date"].to_numpy(dtype="datetime64[D]"))
    np.testing.assert_array_equal(theta, ((df["temp_max"] + df["temp_min"]) / 2).to_numpy())


def test_data_loads_without_scikit_learn():
    """Checks the moons, circles and digits load without importing scikit-learn (1.3-1.9 s
    of CPU per notebook and grading kernel), in a fresh interpreter."""
    code = ("import sys; from course import data; data.load_moons(m=50, test_m=10); "
            "data.load_circles(m=20); data.load_digits(classes=(3, 8)); "
            "data.seattle_temperatures(2012); "
            "print('sklearn' in sys.modules or 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "False"


def test_test_functions_gradients():
    """Checks the 2-D test functions' analytic gradients against centred differences."""
    for f, p in [(data.elongated_bowl, [3.0, -1.0]), (data.rosenbrock, [-0.5, 1.5]),
                 (data.saddle, [0.3, 0.2])]:
        num = testing.numerical_gradient(lambda q, f=f: f(q)[0], np.array(p))
        assert testing.rel_error(f(np.array(p))[1], num) < 1e-6, f.__name__


def test_check_close_names_the_mistake():
    """Checks check_close reports the matching diagnosis, the generic hint, and shape errors."""
    with pytest.raises(AssertionError, match="bias correction missing"):
        testing.check_close([1.0, 2.0], [2.0, 4.0], "v_corrected",
                            mistakes={"bias correction missing?": [1.0, 2.0]})
    with pytest.raises(AssertionError, match=r"index \(1,\).*hint here"):
        testing.check_close([2.0, 5.0], [2.0, 4.0], "v", hint="hint here")
    with pytest.raises(AssertionError, match="shape"):
        testing.check_close(np.zeros((2, 1)), np.zeros((1, 3)), "W1")
    with pytest.raises(AssertionError, match="forget to return"):
        testing.check_close(None, [1.0], "parameters")
    testing.check_close([1.0, 2.0], [1.0, 2.0 + 1e-12], "v")  # equal within tolerance


def test_check_close_generic_diagnoses():
    """Checks wrong sign, transpose, constant factor, float32, integers and NaN get named."""
    w = np.array([[1.0, -2.0], [3.0, 0.5]])
    for actual, words in [(-w, "wrong sign"), (w.T, "transposed"), (0.1 * w, "0.1 times"),
                          (w.astype(np.float32) * np.float32(1.0000001), "float32"),
                          (np.array([[1, -2], [3, 0]]), "integer array")]:
        with pytest.raises(AssertionError, match=words):
            testing.check_close(actual, w, "W")
    with pytest.raises(AssertionError, match="NaN.*sqrt hint") as err:
        testing.check_close([np.nan, 1.0], [1.0, 1.0], "W", hint="generic", nan_hint="sqrt hint")
    assert "generic" not in str(err.value)
    with pytest.raises(AssertionError) as err:
        testing.check_close([0.2, 1.0], [0.3, 1.0], "W", nan_hint="sqrt hint")
    assert "sqrt hint" not in str(err.value), "the NaN hint is only for NaN"
    with pytest.raises(AssertionError, match="(?i)examples are columns") as err:
        testing.check_close(np.zeros((3, 2)), np.zeros((2, 3)), "X batch", columns=True)
    with pytest.raises(AssertionError) as err:
        testing.check_close(np.zeros((3, 1)), np.zeros((1, 3)), "b1")
    assert "columns" not in str(err.value), "the data-array hint is only for data arrays"


def test_float32_is_rejected_even_within_tolerance():
    """Checks a float32 result that happens to round to the right digits still fails, by name."""
    with pytest.raises(AssertionError, match="float32"):
        testing.check_close(np.array([0.5, 0.25], dtype=np.float32), [0.5, 0.25], "s")
    with pytest.raises(AssertionError, match="float32"):
        testing.check_state_zeros({"dW1": np.zeros((1, 1), np.float32), "db1": np.zeros((1, 1))},
                                  {"W1": np.ones((1, 1)), "b1": np.ones((1, 1))}, "s")


def test_several_matching_mistakes_are_all_named():
    """Checks two mistakes that give the same number on a fixture are both named."""
    with pytest.raises(AssertionError, match="swapped.*Or: not stored"):
        testing.check_close([1.0], [2.0], "v", mistakes={"swapped": [1.0], "not stored": [1.0]})


def test_check_close_shows_enough_digits():
    """Checks a mismatch in the 8th digit is shown with digits that differ."""
    with pytest.raises(AssertionError, match="got 0.63857301, expected 0.63857298"):
        testing.check_close([0.63857301], [0.63857298], "cost", rtol=1e-9)


def test_check_keys_hints_only_what_fits():
    """Checks the last-layer hint appears only when the last layer is missing."""
    expected = ["dW1", "db1", "dW2", "db2"]
    with pytest.raises(AssertionError, match=r"missing \['dW2', 'db2'\].*range\(1, L \+ 1\)"):
        testing.check_keys({"dW1": 0, "db1": 0}, expected, "v")
    with pytest.raises(AssertionError) as err:
        testing.check_keys({"dW2": 0, "db2": 0}, expected, "v")
    assert "last" not in str(err.value)
    with pytest.raises(AssertionError, match="like the gradients"):
        testing.check_keys({"W1": 0, "b1": 0, "W2": 0, "b2": 0}, expected, "v")
    with pytest.raises(AssertionError, match=r"len\(parameters\) // 2"):
        testing.check_keys(dict.fromkeys(expected + ["dW3", "db3", "dW4", "db4"]), expected, "v")


def _momentum(parameters, grads, v, beta, learning_rate):
    for k in parameters:
        v["d" + k] = beta * v["d" + k] + (1 - beta) * grads["d" + k]
        parameters[k] = parameters[k] - learning_rate * v["d" + k]
    return parameters, v


def _call_momentum(func, net):
    return testing.call(func, net.parameters, net.grads[0], net.state, 0.9, 0.1,
                        returns=("parameters", "v"), may_change=("parameters", "v"))


def test_call_accepts_correct_variants_and_returns_copies():
    """Checks call() accepts in-place and copying solutions and returns data the caller owns."""
    net = fixtures.network([3, 4, 2], seed=0)

    def copying(parameters, grads, v, beta, learning_rate):
        v = {k: beta * v[k] + (1 - beta) * grads[k] for k in v}
        return {k: parameters[k] - learning_rate * v["d" + k] for k in parameters}, v

    a, b = _call_momentum(_momentum, net), _call_momentum(copying, net)
    for x, y in zip(a, b):
        for k in x:
            np.testing.assert_allclose(x[k], y[k], rtol=1e-14)
    assert not np.shares_memory(a[0]["W1"], net.parameters["W1"])


def test_call_names_what_a_learner_did():
    """Checks call() turns each kind of mistake into an AssertionError that names it."""
    net = fixtures.network([3, 4, 2], seed=0)

    def wrong_L(parameters, grads, v, beta, learning_rate):
        for l in range(1, len(parameters) + 1):
            v[f"dW{l}"] = beta * v[f"dW{l}"] + (1 - beta) * grads[f"dW{l}"]
        return parameters, v

    def writes_grads(parameters, grads, v, beta, learning_rate):
        for k in grads:
            grads[k] *= 1 - beta
        return _momentum(parameters, {k: g / (1 - beta) for k, g in grads.items()}, v, beta,
                         learning_rate)

    def swapped(parameters, grads, v, beta, learning_rate):
        return _momentum(parameters, grads, v, beta, learning_rate)[::-1]

    def no_return(parameters, grads, v, beta, learning_rate):
        _momentum(parameters, grads, v, beta, learning_rate)

    def int_state(parameters, grads, v, beta, learning_rate):
        v = {k: np.zeros(x.shape, dtype=int) for k, x in v.items()}
        v["dW1"] += grads["dW1"]
        return parameters, v

    def stub(parameters, grads, v, beta, learning_rate):
        raise NotImplementedError

    for func, words in [(wrong_L, r"len\(parameters\) // 2"), (writes_grads, "changed its input grads"),
                        (swapped, "wrong order"), (no_return, "returned None"),
                        (int_state, "integer array"), (stub, "not written yet")]:
        with pytest.raises(AssertionError, match=words):
            _call_momentum(func, net)


def test_call_catches_the_global_generator_and_leaves_it_alone():
    """Checks call() rejects np.random.seed / np.random.permutation and restores the global state."""
    X, Y = fixtures.numbered_examples(2, 10)

    def global_shuffle(X, Y, seed=0):
        np.random.seed(seed)
        p = np.random.permutation(X.shape[1])
        return X[:, p], Y[:, p]

    def draws(X, Y, seed=0):
        p = np.random.permutation(X.shape[1])
        return X[:, p], Y[:, p]

    def local(X, Y, seed=0):
        p = np.random.default_rng(seed).permutation(X.shape[1])
        return X[:, p], Y[:, p]

    np.random.seed(7)
    before = np.random.get_state()[1].copy()
    for func in (global_shuffle, draws):
        with pytest.raises(AssertionError, match="global random generator"):
            testing.call(func, X, Y, 3)
    testing.call(local, X, Y, 3)
    assert np.array_equal(np.random.get_state()[1], before), "call() must restore the global state"
    with pytest.raises(AssertionError, match="global random generator"):
        testing.call(lambda: np.random.seed(0), allow_none=True)


def test_call_catches_a_float_input_written_in_place():
    """Checks an EWMA that writes its results into the caller's float array is named."""
    def in_place(theta, beta):
        v = 0.0
        for i in range(len(theta)):
            v = beta * v + (1 - beta) * theta[i]
            theta[i] = v
        return theta

    theta = np.array([1.0, 2.0, 4.0])
    with pytest.raises(AssertionError, match="changed its input theta in place"):
        testing.call(in_place, theta, 0.5)
    assert np.array_equal(theta, [1.0, 2.0, 4.0])


def test_check_dict_close_gives_the_reason_an_array_did_not_change():
    """Checks the last-layer hint only for the last layer and the bias hint only for biases."""
    net = fixtures.network([2, 3, 1], seed=1)
    start = net.parameters
    want = {k: v + 1 for k, v in start.items()}
    last = dict(want, W2=start["W2"])
    with pytest.raises(AssertionError, match=r"last layer \(2\)"):
        testing.check_dict_close(last, want, "parameters", start=start)
    nothing = dict(start)
    with pytest.raises(AssertionError, match="nothing changed") as err:
        testing.check_dict_close(nothing, want, "parameters", start=start)
    assert "last layer" not in str(err.value)
    bias = dict(want, b1=start["b1"])
    with pytest.raises(AssertionError, match="biases") as err:
        testing.check_dict_close(bias, want, "parameters", start=start)
    assert "last layer" not in str(err.value)


def test_fixtures_are_non_zero_and_reproducible():
    """Checks every fixture entry is away from zero, states positive, and a seed fixes them."""
    a, b = fixtures.network([3, 4, 2], seed=5, steps=2), fixtures.network([3, 4, 2], seed=5, steps=2)
    for d in [a.parameters, *a.grads, *a.states]:
        for v in d.values():
            assert (np.abs(v) > 1e-3).all()
    assert all((v > 0).all() for v in a.state.values())
    assert all(np.array_equal(a.parameters[k], b.parameters[k]) for k in a.parameters)
    assert a.L == 2 and len(a.grads) == 2


def test_check_zero_state_catches_the_classic_init_mistakes():
    """Checks check_zero_state rejects missing keys, non-zero values, integers and aliased arrays."""
    params = fixtures.network([3, 2, 1], seed=0).parameters
    good = lambda p: {"d" + k: np.zeros(v.shape) for k, v in p.items()}  # noqa: E731
    testing.check_zero_state(good, params, "v")
    with pytest.raises(AssertionError, match="missing"):
        testing.check_zero_state(lambda p: {"dW1": np.zeros(p["W1"].shape)}, params, "v")
    with pytest.raises(AssertionError, match=r"holds parameters\['W1'\] itself"):
        testing.check_zero_state(lambda p: {"d" + k: v for k, v in p.items()}, params, "v")
    with pytest.raises(AssertionError, match="integer"):
        testing.check_zero_state(lambda p: {"d" + k: np.zeros(v.shape, dtype=int)
                                            for k, v in p.items()}, params, "v")
    def aliased(parameters):
        return {"d" + k: v.__imul__(0) for k, v in parameters.items()}

    with pytest.raises(AssertionError, match="changed its input parameters"):
        testing.check_zero_state(aliased, params, "v")
    square = fixtures.network([2, 2, 2], seed=0).parameters

    def shared(parameters):
        zeros = np.zeros((2, 2))
        return {"dW1": zeros, "db1": np.zeros((2, 1)), "dW2": zeros, "db2": np.zeros((2, 1))}

    with pytest.raises(AssertionError, match="same array"):
        testing.check_zero_state(shared, square, "v")


def test_check_close_ignores_a_patched_numpy(monkeypatch):
    """Checks a learner's `np.allclose = lambda *a, **k: True` cannot make a wrong value pass."""
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "isclose", lambda a, b, **k: np.ones(np.shape(a), dtype=bool))
    with pytest.raises(AssertionError, match="wrong"):
        testing.check_close([1.0, 2.0], [1.0, 3.0], "v")


def test_train_from_given_parameters_copies_them():
    """Checks nn.train(parameters=...) starts from a copy of those weights: they are left
    unchanged, and the run equals one started from the same weights drawn by seed."""
    X, Y = data.load_moons(m=60, seed=0)
    gd = nn.Optimizer(init=lambda p: None, name="gd",
                      step=lambda p, g, s, t, lr: ({k: p[k] - lr * g["d" + k] for k in p}, s))
    start = nn.initialize_parameters([2, 4, 1], seed=3)
    kept = {k: v.copy() for k, v in start.items()}
    given = nn.train(X, Y, [2, 4, 1], gd, learning_rate=0.5, num_epochs=5, parameters=start,
                     progress=False)
    seeded = nn.train(X, Y, [2, 4, 1], gd, learning_rate=0.5, num_epochs=5, seed=3, progress=False)
    assert all(np.array_equal(start[k], kept[k]) for k in start)
    assert given.epoch_costs == seeded.epoch_costs
    assert not np.array_equal(given.parameters["W1"], start["W1"])


def test_call_names_a_list_overrun_without_blaming_the_axes():
    """Checks an IndexError on a list is named as such, not as a data-axis mistake."""
    def layer_sizes(layers_dims, seed):
        return [layers_dims[l + 1] for l in range(len(layers_dims))]

    with pytest.raises(AssertionError, match="past the end of a list") as err:
        testing.call(layer_sizes, [3, 2, 1], 0)
    assert "columns" not in str(err.value)


def test_call_repeat_names_state_kept_between_calls():
    """Checks call(repeat=True) names a function that counts its own steps in a global."""
    counter = {"t": 0}

    def own_counter(x):
        counter["t"] += 1
        return x * counter["t"]

    with pytest.raises(AssertionError, match="keeps state between calls"):
        testing.call(own_counter, np.ones(2), repeat=True)
    testing.call(lambda x: 2 * x, np.ones(2), repeat=True)


def test_call_names_a_division_by_zero():
    """Checks a ZeroDivisionError inside the learner's function becomes a message."""
    with pytest.raises(AssertionError, match="divided by zero"):
        testing.call(lambda a0, epoch: a0 / epoch, 0.2, 0)
