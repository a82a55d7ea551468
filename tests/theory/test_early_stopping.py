import numpy as np
import pytest
import sympy as sp

from regcore.theory import early_stopping as m


def test_derivation():
    d = m.derive()
    h, lam, eta, tau = d["symbols"]
    assert sp.simplify(d["tau_small_h"] - 1 / (eta * lam)) == 0
    # the solved recurrence satisfies θ_{k+1} = θ_k − ηh(θ_k − w) at numbers
    f = d["gd_factor"]
    k = list(f.free_symbols - {h, eta})[0]
    hv, ev = 1.7, 0.05
    vals = [float(f.subs({h: hv, eta: ev, k: kv})) for kv in range(5)]
    for a, b in zip(vals, vals[1:]):
        assert b == pytest.approx(a - ev * hv * (a - 1), rel=1e-12)
    assert sp.simplify(d["mismatch"] - (1 + h * (1 + eta * lam) / (2 * lam))) == 0


def test_checks():
    for c, tol in ((m.check_exact(), m.TOL_EXACT), (m.check_post_lambda(), m.TOL_NEAR_OLS)):
        assert c.tolerance == tol
        c.assert_ok()
    large = m.check_large_lambda()
    assert large.tolerance == pytest.approx(large.values["q"].evals[-1] / m.LAMBDA_LARGE)
    large.assert_ok()


def test_post_lambda_is_not_the_ridge_regime():
    c = m.check_post_lambda()
    assert c.values["to_ridge"] > 0.9
    assert np.all(c.values["q"].evals / m.LAMBDA_POST > 5)
