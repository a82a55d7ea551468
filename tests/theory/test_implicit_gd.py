import numpy as np
import pytest
import sympy as sp

from regcore.theory import implicit_gd as m


def test_derivation():
    d = m.derive()
    theta, eta, h = d["symbols"]
    assert d["matches"]
    s = d["series"].removeO()
    assert sp.simplify(s - (h + eta * h ** 2 / 2 + eta ** 2 * h ** 3 / 3)) == 0
    assert sp.simplify(d["modified_curvature"] - (h + eta * h ** 2 / 2)) == 0
    # exact modified curvature reproduces one GD step: exp(−η h̃) = 1 − η h
    hv, ev = 2.3, 0.07
    got = float(sp.exp(-eta * d["exact_curvature"]).subs({h: hv, eta: ev}))
    assert got == pytest.approx(1 - ev * hv, rel=1e-12)


def test_gd_checks():
    orders, exact = m.check_gd()
    assert exact.tolerance == m.TOL_EXACT
    orders.assert_ok()
    exact.assert_ok()


def test_sgd_epoch_check_and_fixed_order():
    c = m.check_sgd_epoch()
    c.assert_ok()
    # for one fixed batch order the error to the flow of C̃ is only O(η²)
    assert np.all(np.abs(c.values["orders_fixed_Ct"] - 2) < 0.2)
    assert np.all(c.values["fixed_Ct"] < c.values["fixed_C"])
