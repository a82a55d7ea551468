"""Noise injection: derivation, the ridge closed form, and training with input noise on it."""
import numpy as np
import pytest
import sympy as sp

from regcore.theory import noise_injection as m
from regcore.theory._common import book_data
from regcore.theory.quadratic import quadratic


def _numpy(data):
    X = data.x_train.double().numpy()
    return X, data.y_train.double().numpy().ravel()


def test_derived_expectation_is_the_clean_loss_plus_s2_w2():
    d = m.derive()
    assert d["equal"] is True and d["grad_equal"] is True
    s, w, x, b, y = d["symbols"]
    assert sp.simplify(d["penalty"] - s ** 2 * sum(wi ** 2 for wi in w)) == 0
    assert sp.simplify(d["expected"] - d["clean"] - d["lam"] / 2 * sum(wi ** 2 for wi in w)) == 0
    # the bias is not penalised: its expected gradient is the clean one
    assert sp.simplify(d["grad_expected"][-1] - sp.diff(d["clean"], b)) == 0
    # and the noise is really there: the expectation depends on s
    assert d["expected"].has(s)


@pytest.mark.parametrize("s", [0.1, m.S, 2.0])
def test_ridge_equivalent_solves_its_normal_equations(s):
    # The gradient of mean((Xw + b − y)²) + s²‖w‖², written out with NumPy, vanishes there.
    data = book_data()
    w, b = m.ridge_equivalent(data, s)
    X, y = _numpy(data)
    r = X @ w + b - y
    grad_w = 2 * X.T @ r / len(y) + 2 * s ** 2 * w
    grad_b = 2 * r.mean()
    scale = np.linalg.norm(2 * X.T @ y / len(y))
    assert np.linalg.norm(grad_w) < 1e-12 * scale and abs(grad_b) < 1e-12 * scale
    # the same minimiser as least squares on the design augmented with √n·s·I (bias column 0)
    n, dims = X.shape
    A = np.vstack([np.hstack([X, np.ones((n, 1))]),
                   np.hstack([np.sqrt(n) * s * np.eye(dims), np.zeros((dims, 1))])])
    theta = np.linalg.lstsq(A, np.concatenate([y, np.zeros(dims)]), rcond=None)[0]
    np.testing.assert_allclose(np.append(w, b), theta, rtol=1e-9, atol=1e-12)
    # and it minimises the closed-form expected loss: nearby points are worse
    best = m.expected_loss(np.append(w, b), data, s)
    rng = np.random.default_rng(0)
    for _ in range(5):
        assert m.expected_loss(np.append(w, b) + 1e-3 * rng.standard_normal(dims + 1), data,
                               s) > best


def test_ridge_equivalent_tends_to_ols_and_to_zero_weights():
    data = book_data()
    ols = quadratic(data).ols()
    for s in (0.0, 1e-6):
        w, b = m.ridge_equivalent(data, s)
        np.testing.assert_allclose(np.append(w, b), ols, rtol=1e-8, atol=1e-10)
    X, y = _numpy(data)
    norms = [np.linalg.norm(m.ridge_equivalent(data, s)[0]) for s in (1.0, 10.0, 1e3, 1e5)]
    assert all(a > b for a, b in zip(norms, norms[1:])) and norms[-1] < 1e-8
    # with w → 0 the unpenalised bias tends to the mean target
    assert m.ridge_equivalent(data, 1e5)[1] == pytest.approx(y.mean(), abs=1e-8)


def test_noisy_gradient_descent_lands_on_ridge():
    c = m.check_linear()
    assert c.tolerance == m.TOL_LINEAR
    c.assert_ok()
    # The tolerance is meaningful: the noise-free minimiser (OLS, s = 0) lies far outside it,
    # and so do the ridge solutions of noise levels 5% off (λ = 2s² about 10% off).
    data = book_data()
    ridge = np.append(*m.ridge_equivalent(data, m.S))

    def rel(theta):
        return np.linalg.norm(theta - ridge) / np.linalg.norm(ridge)

    assert rel(quadratic(data).ols()) > 10 * m.TOL_LINEAR
    assert c.values["gap_ols"] == pytest.approx(rel(quadratic(data).ols()))
    for s in (0.95 * m.S, 1.05 * m.S):
        assert rel(np.append(*m.ridge_equivalent(data, s))) > 2 * m.TOL_LINEAR
    # the average is what lands: a single late iterate wanders further than the tolerance, and
    # the average's own standard error is well inside it
    assert c.values["final_rel"] > m.TOL_LINEAR
    assert c.values["se_rel"] < m.TOL_LINEAR / 2


def test_bad_s_and_data_are_named():
    with pytest.raises(ValueError, match=r"^s=-0\.1 "):
        m.ridge_equivalent(book_data(), -0.1)
    with pytest.raises(ValueError, match=r"^s=nan "):
        m.train_with_noise(book_data(), float("nan"), epochs=2)
    with pytest.raises(ValueError, match=r"^data=\(1, 2\) "):
        m.train_with_noise((1, 2), 0.5, epochs=2)
