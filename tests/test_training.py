import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from regcore import MLP, DivergenceError, Linear, TrainSettings, fit, make_data
from regcore.reference import train_original


def _val_loss(model, state, data):
    with torch.no_grad():
        out = torch.func.functional_call(model.eval(), state, (data.x_val,))
        return F.mse_loss(out, data.y_val).item()


def test_histories_have_epoch_zero_before_training(data200):
    model = Linear()
    init_val = F.mse_loss(model(data200.x_val), data200.y_val).item()
    r = fit(model, data200, TrainSettings(lr=0.1, epochs=5))
    assert r.train_loss.shape == (6,) and r.val_loss.shape == (6,)
    assert r.val_loss[0] == init_val
    assert r.val_loss[-1] < r.val_loss[0]


def test_best_state_is_a_copy_and_scores_its_epoch(data200):
    # The MLP overfits: its best epoch comes long before the last one.
    model = MLP()
    r = fit(model, data200, TrainSettings(epochs=200, snapshot_every=0))
    assert 0 < r.best_epoch < 200
    assert r.best_val_loss == r.val_loss.min()
    assert any(not torch.equal(r.best_state[k], r.final_state[k]) for k in r.best_state)
    # Recomputing the validation loss from the returned state gives the recorded one, exactly.
    assert _val_loss(model, r.best_state, data200) == r.val_loss[r.best_epoch]
    assert _val_loss(model, r.final_state, data200) == r.val_loss[-1]
    # The model itself ends in its final state.
    assert all(torch.equal(p.detach(), r.final_state[k]) for k, p in model.named_parameters())


def test_test_loss_is_the_best_state_on_the_test_split(data200):
    model = MLP()
    r = fit(model, data200, TrainSettings(epochs=60, snapshot_every=0))
    with torch.no_grad():
        out = torch.func.functional_call(model.eval(), r.best_state, (data200.x_test,))
    assert r.test_loss_at_best == pytest.approx(F.mse_loss(out, data200.y_test).item(), rel=1e-6)


def test_full_batch_sgd_reaches_least_squares():
    data = make_data(n_train=200).to(dtype=torch.float64)
    model = Linear().double()
    fit(model, data, TrainSettings(optimizer="sgd", lr=0.2, epochs=3000, snapshot_every=0))
    a = torch.cat([data.x_train, torch.ones(200, 1, dtype=torch.float64)], 1)
    ols = torch.linalg.lstsq(a, data.y_train).solution.squeeze()
    ours = torch.cat([model.net.weight.detach().squeeze(), model.net.bias.detach()])
    assert torch.allclose(ours, ols, atol=1e-9)


def test_weight_decay_and_manual_l2_take_the_same_adam_step(data200):
    # Adam's coupled weight_decay adds wd·θ to the gradient as one fused multiply-add; the
    # post's manual L2 (`grad += l2*θ`, which regcore.penalties rounds as the original does)
    # rounds the product first. The same step, rounded differently (chapter "Weight decay"): the
    # runs agree to float32 round-off and are not the same bits.
    wd, l2 = (fit(MLP(), data200, TrainSettings(epochs=30, **kw))
              for kw in ({"weight_decay": 0.085}, {"l2": 0.085}))
    assert wd.snapshots.shape == l2.snapshots.shape == (31, 1951)
    assert np.array_equal(wd.snapshots[0], l2.snapshots[0])
    assert np.array_equal(wd.train_loss[:2], l2.train_loss[:2])  # measured before any step
    # After the first step: a few parameters differ, each by a few units in the last place
    # (measured: 2% of them, at most 2 ulps on an AVX2-rounding CPU, at most 8 on an AVX-512
    # Xeon, whose kernels round other sums). A penalty missing or of another size would move
    # every parameter by far more.
    ulps = (np.abs(wd.snapshots[1].astype(np.float64) - l2.snapshots[1])
            / np.spacing(np.abs(wd.snapshots[1])))
    assert 0 < ulps.max() <= 16 and (ulps > 0).mean() < 0.1
    # Over 30 epochs the chaotic network amplifies it, but slowly: validation losses agree to
    # 1e-6 relative (16 float32 unit roundoffs; measured 1.1e-7).
    assert np.allclose(wd.val_loss, l2.val_loss, rtol=1e-6, atol=0)
    assert np.allclose(wd.train_loss, l2.train_loss, rtol=1e-6, atol=0)
    plain = fit(MLP(), data200, TrainSettings(epochs=30))
    assert not np.allclose(wd.val_loss[2:], plain.val_loss[2:], rtol=1e-4)  # the penalty acted


@pytest.mark.parametrize("settings, dropout", [
    (TrainSettings(epochs=15, batch_size=32), 0.0), (TrainSettings(epochs=15), 0.1),
    (TrainSettings(epochs=15, l1=0.021, optimizer="adamw", weight_decay=0.01), 0.0)])
def test_same_settings_same_bits(data200, settings, dropout):
    a = fit(MLP(dropout=dropout), data200, settings)
    b = fit(MLP(dropout=dropout), data200, settings)
    assert np.array_equal(a.train_loss, b.train_loss) and np.array_equal(a.val_loss, b.val_loss)
    assert np.array_equal(a.snapshots, b.snapshots)


def test_minibatch_loss_is_mean_of_dropped_last_batches(data200):
    # 200 rows, batch 64 -> 3 batches of 64 per epoch, the last 8 rows dropped; the recorded
    # loss is the mean of the 3 batch losses. The naive loop (DataLoader with drop_last=True,
    # losses averaged per epoch) computes it independently; no dropout, so epoch 0 agrees too.
    settings = TrainSettings(epochs=3, batch_size=64)
    r = fit(MLP(), data200, settings)
    d = data200
    orig = train_original(MLP(), d.x_train, d.y_train, d.x_val, d.y_val, lr=settings.lr,
                          epochs=3, batch_size=64, seed=settings.seed)
    assert r.train_loss.shape == (4,)
    assert np.array_equal(r.train_loss, np.array(orig["train"]))
    assert np.array_equal(r.val_loss, np.array(orig["val"]))
    with pytest.raises(ValueError, match=r"^batch_size=201 .*n_train=200"):
        fit(MLP(), data200, TrainSettings(epochs=1, batch_size=201))


def test_snapshots_are_thinned_and_keep_the_last_epoch(data200):
    model = Linear()
    r = fit(model, data200, TrainSettings(lr=0.1, epochs=10, snapshot_every=4))
    assert list(r.snapshot_epochs) == [0, 4, 8, 10]
    assert r.snapshots.shape == (4, 51)
    final = torch.cat([model.net.weight.detach().reshape(-1), model.net.bias.detach()])
    assert np.array_equal(r.snapshots[-1], final.numpy())
    assert fit(Linear(), data200, TrainSettings(epochs=2, snapshot_every=0)).snapshots.shape[0] == 0


def test_divergence_names_the_epoch(data200):
    with pytest.raises(DivergenceError, match=r"diverged at epoch \d+") as err:
        fit(Linear(), data200, TrainSettings(optimizer="sgd", lr=50.0, epochs=500))
    assert 1 <= err.value.epoch <= 500


def test_model_that_does_not_fit_the_data(data200):
    with pytest.raises(ValueError, match=r"^sizes\[0\]=30 .*dims=50"):
        fit(MLP((30, 5, 1)), data200, TrainSettings(epochs=1))


@pytest.mark.parametrize("kwargs, name", [
    ({"lr": -0.1}, "lr"), ({"lr": 0.0}, "lr"), ({"epochs": 0}, "epochs"),
    ({"weight_decay": -1.0}, "weight_decay"), ({"l2": -0.1}, "l2"), ({"l1": -0.5}, "l1"),
    ({"batch_size": 0}, "batch_size"), ({"optimizer": "rmsprop"}, "optimizer"),
    ({"seed": -1}, "seed"), ({"device": "tpu"}, "device"), ({"lr": math.inf}, "lr"),
    ({"epochs": 2.0}, "epochs"), ({"snapshot_every": -2}, "snapshot_every"),
    ({"input_noise": -0.3}, "input_noise"), ({"input_noise": math.nan}, "input_noise")])
def test_bad_settings_are_refused_when_made(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}=") as err:
        TrainSettings(**kwargs)
    assert repr(next(iter(kwargs.values()))) in str(err.value)


def test_summary_is_plain_json_numbers(data200):
    r = fit(Linear(), data200, TrainSettings(lr=0.1, epochs=3))
    s = r.summary()
    assert set(s) == {"best_val_loss", "best_epoch", "best_train_loss", "test_loss_at_best",
                      "seconds"}
    assert all(type(v) in (float, int) for v in s.values())
    assert s["best_train_loss"] == r.train_loss[r.best_epoch]


def test_input_noise_is_x_plus_s_xi_from_the_runs_own_generator():
    # An independent loop: full-batch gradient descent on the linear model (float64), the rows in
    # fit's shuffled order, and before each step x + s·ξ with ξ drawn, one (rows, dims) randn per
    # step, from a generator seeded with input_noise_seed(seed). Epoch 0 and validation are clean.
    from regcore.seeding import input_noise_seed
    from regcore.sweep.loop import _shuffle_seeds
    data = make_data(n_train=40, n_val=30, n_test=30).to(dtype=torch.float64)
    s, lr, epochs, seed = 0.3, 0.05, 4, 5
    r = fit(Linear().double(), data, TrainSettings(optimizer="sgd", lr=lr, epochs=epochs,
                                                   input_noise=s, seed=seed, snapshot_every=1))
    clean = fit(Linear().double(), data, TrainSettings(optimizer="sgd", lr=lr, epochs=epochs,
                                                       seed=seed))
    assert r.train_loss[0] == clean.train_loss[0] and r.val_loss[0] == clean.val_loss[0]
    init = Linear().double()
    w, b = init.net.weight.detach()[0].clone(), init.net.bias.detach()[0].clone()
    gen = torch.Generator().manual_seed(input_noise_seed(seed))
    perm_seeds = _shuffle_seeds(seed, epochs)
    for epoch in range(1, epochs + 1):
        perm = torch.randperm(40, generator=torch.Generator().manual_seed(perm_seeds[epoch]))
        x = data.x_train[perm] + s * torch.randn((40, 50), generator=gen, dtype=torch.float64)
        resid = x @ w + b - data.y_train[perm, 0]
        assert r.train_loss[epoch] == pytest.approx((resid ** 2).mean().item(), rel=1e-12)
        w, b = w - lr * 2 * (x.T @ resid) / 40, b - lr * 2 * resid.mean()
        assert np.allclose(r.snapshots[epoch], torch.cat([w, b[None]]).numpy(), rtol=1e-6,
                           atol=1e-7)  # snapshots are float32
        val = F.mse_loss(data.x_val @ w[:, None] + b, data.y_val).item()
        assert r.val_loss[epoch] == pytest.approx(val, rel=1e-12)  # validation: clean inputs
    assert torch.allclose(r.final_state["net.weight"][0], w, rtol=1e-12, atol=1e-14)


def test_zero_input_noise_draws_nothing(data200, monkeypatch):
    # input_noise=0 is the post's loop: no normal draws at all (the fidelity tests check its
    # bits against the original); a positive one draws one (rows, dims) tensor per step.
    calls = []
    randn = torch.randn
    monkeypatch.setattr(torch, "randn", lambda *a, **k: calls.append(a) or randn(*a, **k))
    fit(Linear(), data200, TrainSettings(epochs=3, batch_size=64, input_noise=0.0))
    assert calls == []
    fit(Linear(), data200, TrainSettings(epochs=3, batch_size=64, input_noise=0.1))
    assert calls == [(torch.Size([64, 50]),)] * 9


def _objective_with_activation_l1(theta_parts, x, y, lam):
    """MSE + lam * mean over rows of the summed hidden ReLU outputs, written out (two hidden
    layers), independent of fit and of MLP.forward_hidden."""
    w0, b0, w1, b1, w2, b2 = theta_parts
    h1 = torch.relu(x @ w0.T + b0)
    h2 = torch.relu(h1 @ w1.T + b1)
    out = h2 @ w2.T + b2
    return ((out - y) ** 2).mean() + lam * (h1.sum(1) + h2.sum(1)).mean()


def test_activation_l1_step_is_the_gradient_of_the_penalised_objective():
    data = make_data(60, n_val=20, n_test=20, seed=3).to(dtype=torch.float64)
    model = MLP((50, 8, 6, 1), seed=2).double()
    start = [p.detach().clone() for p in model.parameters()]
    lam, lr = 0.05, 0.1
    res = fit(model, data, TrainSettings(optimizer="sgd", lr=lr, epochs=1, activation_l1=lam,
                                         snapshot_every=0))
    parts = [p.clone().requires_grad_(True) for p in start]
    _objective_with_activation_l1(parts, data.x_train, data.y_train, lam).backward()
    expected = torch.cat([(p - lr * p.grad).reshape(-1) for p in parts]).detach()
    got = torch.cat([v.reshape(-1) for v in res.final_state.values()])
    assert torch.allclose(got, expected, rtol=0, atol=1e-12)
    # the penalty moved the step: without it the first layer's biases step differently
    plain = fit(MLP((50, 8, 6, 1), seed=2).double(), data,
                TrainSettings(optimizer="sgd", lr=lr, epochs=1, snapshot_every=0))
    assert not torch.allclose(plain.final_state["net.0.bias"], res.final_state["net.0.bias"])
    # the recorded losses leave the penalty out
    assert res.train_loss[0] == plain.train_loss[0]


def test_activation_l1_needs_hidden_layers():
    with pytest.raises(ValueError, match="activation_l1=0.1"):
        fit(Linear(), make_data(40, n_val=10, n_test=10),
            TrainSettings(epochs=1, activation_l1=0.1))
