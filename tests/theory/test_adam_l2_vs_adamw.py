import sympy as sp

from regcore.theory import adam_l2_vs_adamw as m


def test_derivation():
    d = m.derive()
    theta, w, h, lam, eta, s, eps = d["symbols"]
    assert sp.simplify(d["adam_l2"] - h * w / (h + lam)) == 0
    assert sp.simplify(d["effective_lambda"] - lam * (s + eps)) == 0
    assert sp.limit(d["adamw_at_rest"], eps, 0) == w


def test_adam_l2_lands_on_ridge():
    c = m.check_adam_l2()
    assert c.tolerance == m.TOL_ADAM_L2
    c.assert_ok()


def test_adamw_balance_and_landing():
    b = m.check_adamw_balance()
    assert b.tolerance == m.TOL_ADAMW_BALANCE
    b.assert_ok()
    c = m.check_adamw_lands()
    assert c.tolerance == m.TOL_ADAMW_NEAR_OLS
    c.assert_ok()
    # and it is far from the ridge solution the same weight_decay gives with Adam
    assert c.values["to_ridge"][-1] > 0.9


def test_minibatch_adamw_is_a_weak_coupled_l2():
    e = m.minibatch_effective_lambda()
    assert 1e-3 < e["lambda_eff"] < 0.085 / 5
