"""The helper package: the numpy network's gradients, the data loaders, the test helpers."""

import numpy as np
import pytest

from course import data, nn, testing


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
        testing.check_close(np.zeros((2, 1)), np.zeros((1, 2)), "W1")
    with pytest.raises(AssertionError, match="forget to return"):
        testing.check_close(None, [1.0], "parameters")
    testing.check_close([1.0, 2.0], [1.0, 2.0 + 1e-12], "v")  # equal within tolerance


def test_check_keys_names_missing_layer():
    """Checks check_keys lists missing keys and hints at the range(L) mistake."""
    with pytest.raises(AssertionError, match=r"missing \['dW2'\].*range\(1, L\+1\)"):
        testing.check_keys({"dW1": 0, "db1": 0, "db2": 0}, ["dW1", "db1", "dW2", "db2"], "v")


def test_global_rng_guard():
    """Checks the guard catches np.random.seed inside a function and allows local generators."""
    with pytest.raises(AssertionError, match="global random state"):
        testing.check_not_mutating_global_rng(lambda: np.random.seed(0))
    testing.check_not_mutating_global_rng(lambda: np.random.default_rng(0).random())


def test_check_close_ignores_a_patched_numpy(monkeypatch):
    """Checks a learner's `np.allclose = lambda *a, **k: True` cannot make a wrong value pass."""
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "isclose", lambda a, b, **k: np.ones(np.shape(a), dtype=bool))
    with pytest.raises(AssertionError, match="wrong"):
        testing.check_close([1.0, 2.0], [1.0, 3.0], "v")


def test_check_zero_state_catches_the_classic_init_mistakes():
    """Checks check_zero_state rejects missing keys, non-zero values and aliased arrays."""
    params = nn.initialize_parameters([3, 2, 1], seed=0)
    good = lambda p: {"d" + k: np.zeros(v.shape) for k, v in p.items()}  # noqa: E731
    testing.check_zero_state(good, params, "v")
    with pytest.raises(AssertionError, match="missing"):
        testing.check_zero_state(lambda p: {"dW1": np.zeros(p["W1"].shape)}, params, "v")
    with pytest.raises(AssertionError, match="holds W1 itself"):
        testing.check_zero_state(lambda p: {"d" + k: v for k, v in p.items()}, params, "v")
    aliased = lambda p: {"d" + k: (v.__imul__(0)) for k, v in p.items()}  # noqa: E731
    with pytest.raises(AssertionError, match="changed parameters"):
        testing.check_zero_state(aliased, params, "v")
