import numpy as np
import pytest

from regcore import Linear, TrainSettings, fit
import torch

from regcore import MLP, make_data
from regcore.analysis import active_units, eval_loss, first_divergence, near_zero_fraction


def test_near_zero_fraction_counts_by_hand(data200):
    r = fit(Linear(), data200, TrainSettings(lr=0.1, epochs=4, snapshot_every=2))
    frac = near_zero_fraction(r, 0.05)
    expected = [(np.abs(row) < 0.05).sum() / 51 for row in r.snapshots]
    assert frac.shape == (3,) and np.allclose(frac, expected)
    with pytest.raises(ValueError, match="^tol=0.0"):
        near_zero_fraction(r, 0.0)
    no_snaps = fit(Linear(), data200, TrainSettings(epochs=1, snapshot_every=0))
    with pytest.raises(ValueError, match="no parameter snapshots"):
        near_zero_fraction(no_snaps, 0.1)


def test_first_divergence():
    assert first_divergence([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]) is None
    assert first_divergence([1.0, 2.0, 3.0], [1.0, 2.5, 3.5]) == 1
    with pytest.raises(ValueError, match="shape"):
        first_divergence([1.0], [1.0, 2.0])


def test_active_units():
    state = {"w": torch.tensor([[0.0, 0.001], [0.5, 0.0], [-0.02, 0.0]]), "b": torch.zeros(3)}
    assert active_units(state, "w", 0.01) == 2
    assert active_units(state, "w", 0.0001) == 3
    with pytest.raises(ValueError, match="key='v'"):
        active_units(state, "v", 0.01)
    with pytest.raises(ValueError, match="2-D"):
        active_units(state, "b", 0.01)


def test_eval_loss_switches_dropout_off(data200):
    model = MLP(dropout=0.5)
    state = {k: v.detach().clone() for k, v in model.named_parameters()}
    a = eval_loss(model, state, data200.x_val, data200.y_val)
    b = eval_loss(model, state, data200.x_val, data200.y_val)
    assert a == b  # no random masks in eval mode
    with torch.no_grad():
        by_hand = ((model.eval()(data200.x_val) - data200.y_val) ** 2).mean().item()
    assert a == pytest.approx(by_hand, rel=1e-6)


def test_mse_standard_error_matches_the_gaussian_closed_form_and_a_hand_computation():
    from regcore.analysis import mse_standard_error

    model = Linear(dims=3)
    zero = {k: torch.zeros_like(v) for k, v in model.state_dict().items()}   # predicts 0
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(40_000, 3, generator=gen)
    y = 0.5 * torch.randn(40_000, 1, generator=gen)
    se = mse_standard_error(model, zero, x, y)
    # residuals are y ~ N(0, 0.25): Var(y²) = 2·0.25², so SE = 0.25·√(2/n); within 3% here
    assert se == pytest.approx(0.25 * np.sqrt(2 / 40_000), rel=0.03)
    sq = y.numpy().ravel() ** 2
    assert se == pytest.approx(np.std(sq, ddof=1) / np.sqrt(len(sq)), rel=1e-12)
    with pytest.raises(ValueError, match=r"^len\(x\)=1"):
        mse_standard_error(model, zero, x[:1], y[:1])


def test_units_firing_counts_positive_hidden_outputs_per_input():
    from regcore.analysis import units_firing
    from regcore.models import flatten_params
    model = MLP((50, 7, 5, 1), seed=4).eval()
    x = make_data(30, n_val=5, n_test=5, seed=1).x_train
    with torch.no_grad():
        h1 = torch.relu(model.net[0](x))
        h2 = torch.relu(model.net[3](h1))
    by_hand = ((h1 > 0).sum(1) + (h2 > 0).sum(1)).double().mean().item()
    theta = flatten_params(model).numpy()
    got = units_firing(np.stack([theta, theta]), (50, 7, 5, 1), x)
    assert got.shape == (2,) and got[0] == got[1] == pytest.approx(by_hand, abs=1e-12)
    assert 0 <= got[0] <= 12
