import numpy as np
import pytest
import sympy as sp

from regcore.theory import dropout_ridge as m
from regcore.theory._common import book_data
from regcore.theory.quadratic import quadratic


def test_derived_extra_term():
    d = m.derive()
    p, x1, x2, w1, w2, b, y = d["symbols"]
    assert sp.simplify(d["extra"] - p / (1 - p) * (w1 ** 2 * x1 ** 2 + w2 ** 2 * x2 ** 2)) == 0
    assert sp.simplify(d["extra_display"] - d["extra"]) == 0
    assert sp.simplify(d["mean"] - x1) == 0
    # Var[x r/(1 − p)] for r ~ Bernoulli(1 − p): x²(1 − p)p/(1 − p)² = p x²/(1 − p)
    assert sp.simplify(d["variance"] - p * x1 ** 2 / (1 - p)) == 0
    assert sp.simplify(d["variance_display"] - d["variance"]) == 0
    assert sp.latex(d["variance_display"]) == r"\frac{p x_{1}^{2}}{1 - p}"


def test_closed_form_equals_augmented_least_squares():
    # (1/n)‖Aθ − y‖² + p/(1−p) Σ dᵢwᵢ² = (1/n)(‖Aθ − y‖² + ‖Γθ‖²), Γ = diag(√(n p dᵢ/(1−p)), 0)
    data = book_data()
    q = quadratic(data)
    p = 0.1
    d = (q.A[:, :-1] ** 2).mean(0)
    gamma = np.diag(np.append(np.sqrt(q.n * p * d / (1 - p)), 0.0))
    expected = np.linalg.lstsq(np.vstack([q.A, gamma]),
                               np.concatenate([q.y, np.zeros(len(d) + 1)]), rcond=None)[0]
    np.testing.assert_allclose(m.dropout_ridge(data, p), expected, rtol=1e-9, atol=1e-12)


def test_monte_carlo_check():
    c = m.check_monte_carlo()
    assert c.tolerance == m.TOL_MC_SIGMAS
    c.assert_ok()


def test_trained_check_and_dropout_hurts_the_linear_model():
    c = m.check_trained()
    assert c.tolerance == m.TOL_TRAINED
    c.assert_ok()
    assert c.values["risk_dropout"] > 2 * c.values["risk_ols"]


def test_bad_p():
    with pytest.raises(ValueError, match="p="):
        m.dropout_ridge(book_data(), 1.0)
