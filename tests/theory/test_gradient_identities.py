import numpy as np
import sympy as sp

from regcore.theory import gradient_identities as m


def test_derived_gradients():
    d = m.derive(3)
    lam, eta, g = d["symbols"]
    for t, e2, e1, step, gi in zip(d["theta"], d["grad_l2"], d["grad_l1"], d["sgd_step"], g):
        assert sp.simplify(e2 - lam * t) == 0
        assert sp.simplify(e1 - lam * sp.sign(t)) == 0
        assert sp.simplify(step - ((1 - eta * lam) * t - eta * gi)) == 0


def test_identities_check_and_same_training():
    c = m.check()
    assert c.tolerance == m.TOL_IDENTITY
    c.assert_ok()
    same = m.check_same_training(c)
    assert same.tolerance == m.TOL_SAME_TRAINING
    same.assert_ok()
    # Not the same bits: the fused and the twice-rounded addition differ in the last place.
    assert same.measured > 0.0
