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
    # what the chapter's "acts like a coupled one N times weaker" rests on (checked there too):
    # a match strictly inside the scanned grid, and one that explains the iterate mean (nearer
    # to the matched ridge solution than half its distance to OLS)
    assert e["grid"][0] < e["lambda_eff"] < e["grid"][-1]
    assert e["residual"] < e["dist_ols"] / 2
    assert (e["epochs"], e["batch_size"]) == (1000, 32)


def test_reported_settings():
    c = m.check_adam_l2(epochs=30)
    assert (c.values["epochs"], c.values["tail"]) == (30, m.TAIL_ADAM_L2)
    path = m.adamw_path(steps=20, record=(10, 20))
    assert path[20]["steps"] == 20 and path[20]["beta2"] == 0.999


def test_mlp_runs_pair_by_seed_and_agree_where_the_methods_coincide(monkeypatch):
    """Without decay Adam and AdamW are the same rule: the two runs must agree number for number.
    With decay they must differ, and every run has the requested seeds, paired."""
    import numpy as np

    from regcore import studies

    small = studies.post_settings
    monkeypatch.setattr(studies, "TUNING_N_VAL", 200)
    monkeypatch.setattr(studies, "post_settings",
                        lambda name, **c: small(name, **{"n_test": 200, **c, "epochs": 25}))
    runs = (("adam 0", "adam", 0.0), ("adamw 0", "adamw", 0.0),
            ("adam", "adam", m.LAMBDA), ("adamw", "adamw", m.LAMBDA))
    res = m.mlp_runs(seeds=3, runs=runs)
    assert list(res) == [r[0] for r in runs]
    assert all(res[k].settings.optimizer == opt for k, opt, _ in runs)
    assert all(r.settings.n_val == 200 for r in res.values())   # the tuning studies' split
    np.testing.assert_array_equal(res["adam 0"].val_loss, res["adamw 0"].val_loss)
    np.testing.assert_array_equal(res["adam 0"].test_loss_at_best, res["adamw 0"].test_loss_at_best)
    assert not np.array_equal(res["adam"].val_loss, res["adamw"].val_loss)
    assert [mm.seed for mm in res["adamw"].members] == [0, 1, 2]
    studies.paired_results(res["adam"], res["adamw"])   # paired: raises if the seeds differ
