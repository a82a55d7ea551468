"""regcore.digits_study: the grids' members and settings, and error rates of a sweep's members."""
import numpy as np
import pytest

from regcore import digits_study as ds
from regcore.digits import digits_data, error_rates
from regcore.sweep import Member, SweepSettings, sweep


def test_settings_are_the_digits_with_each_grids_epochs():
    for run, epochs in ds.EPOCHS.items():
        st = ds.settings(run)
        assert st.dataset == "digits" and st.loss == "cross_entropy" and st.epochs == epochs
        assert st.sizes == (ds.LINEAR_SIZES if run == "linear" else ds.MLP_SIZES)
        assert (st.n_train, st.n_val, st.n_test) == (ds.N_TRAIN, ds.N_VAL, ds.N_TEST)
    assert ds.settings("l1", n_train=400).n_train == 400
    with pytest.raises(ValueError, match="run='l2'"):
        ds.settings("l2")


def test_grids_pair_every_setting_by_seed(monkeypatch):
    # a short run of the real grids: every value of every field over the same seeds, in order
    monkeypatch.setattr(ds, "EPOCHS", {run: 3 for run in ds.EPOCHS})
    monkeypatch.setattr(ds, "EVALS", None)
    res = ds.grids(seeds=2, workers=1)
    assert list(res) == list(ds.GRIDS) + ["linear"]
    for field, values in ds.GRIDS.items():
        got = [(getattr(m, field), m.data_seed, m.init_seed, m.seed) for m in res[field].members]
        assert got == [(v, s, s, s) for v in values for s in range(2)]
    assert [m.data_seed for m in res["linear"].members] == [0, 1]
    assert res["linear"].settings.sizes == ds.LINEAR_SIZES
    # the tuned runs: the value of lowest mean validation loss, members in seed order
    runs = ds.tuned_runs(res)
    assert list(runs) == list(ds.RUNS)
    for run, (value, group, errors) in runs.items():
        assert [m.data_seed for m in group.members] == [0, 1], run
        assert errors.shape == (2,) and np.all((errors >= 0) & (errors <= 1)), run
    for field in ("weight_decay", "l1", "dropout"):
        value, group, _ = runs[field]
        means = {v: res[field].where(**{field: v}).best_val_loss.mean()
                 for v in ds.GRIDS[field]}
        assert value == min(means, key=means.get)
        assert all(getattr(m, field) == value for m in group.members)
    assert runs["mlp"][0] is None and runs["minibatch"][0] in ds.GRIDS["batch_size"]
    assert runs["minibatch"][0] is not None and runs["linear"][0] is None


def test_errors_at_best_score_each_member_on_its_own_split():
    st = SweepSettings(sizes=(64, 8, 10), dataset="digits", n_train=60, n_val=100, n_test=150,
                       epochs=20, max_evals=None, snapshots=0)
    res = sweep([Member(data_seed=1), Member(data_seed=2, l1=0.001)], st)
    got = ds.errors_at_best(res)
    for k, seed in enumerate((1, 2)):
        d = digits_data(60, 100, 150, seed=seed)
        assert got[k] == error_rates(res.best_theta[k], st.sizes, d.x_test, d.y_test)[0]
    assert 0 < got.max() < 0.9   # trained a little: better than chance (0.9), not perfect


def test_errors_at_best_refuse_a_toy_sweep():
    res = sweep([Member()], SweepSettings(epochs=2, max_evals=None, snapshots=0, n_train=20,
                                          n_val=10, n_test=10))
    with pytest.raises(ValueError, match="dataset='toy'"):
        ds.errors_at_best(res)
