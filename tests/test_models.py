import pytest
import torch
from torch import nn

from regcore import MLP, Linear, count_params, flatten_params, reset_seeds
from regcore.models import load_flat


def test_linear_init_is_the_seeded_nn_linear():
    reset_seeds(42)
    raw = nn.Linear(50, 1)
    model = Linear(50, seed=42)
    assert torch.equal(model.net.weight, raw.weight) and torch.equal(model.net.bias, raw.bias)


def test_mlp_layer_order_and_seeded_init():
    model = MLP((50, 25, 25, 1), dropout=0.1, seed=42)
    kinds = [type(m) for m in model.net]
    assert kinds == [nn.Linear, nn.Dropout, nn.ReLU, nn.Linear, nn.Dropout, nn.ReLU, nn.Linear]
    assert all(m.p == 0.1 for m in model.net if isinstance(m, nn.Dropout))
    reset_seeds(42)
    raw = [nn.Linear(50, 25), nn.Linear(25, 25), nn.Linear(25, 1)]
    ours = [m for m in model.net if isinstance(m, nn.Linear)]
    for a, b in zip(ours, raw):
        assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)


def test_parameter_count_and_flattening():
    model = MLP((50, 25, 25, 1))
    assert count_params(model) == 50 * 25 + 25 + 25 * 25 + 25 + 25 * 1 + 1
    flat = flatten_params(model)
    assert flat.shape == (count_params(model),)
    first = model.net[0].weight
    assert torch.equal(flat[: first.numel()], first.reshape(-1))
    assert torch.equal(flat[-1:], model.net[-1].bias)


def test_linear_forward_is_x_w_transpose_plus_b():
    x = torch.randn(5, 7, generator=torch.Generator().manual_seed(0))
    model = Linear(7)
    w, b = model.net.weight.detach().double(), model.net.bias.detach().double()
    out = model(x)
    assert out.shape == (5, 1) and out.dtype == torch.float32
    # by hand, in float64: Σ_j x_ij w_j + b
    by_hand = torch.tensor([[sum(x[i, j].item() * w[0, j].item() for j in range(7)) + b[0].item()]
                            for i in range(5)], dtype=torch.float64)
    assert torch.allclose(out.double(), by_hand, rtol=1e-6, atol=1e-6)


def test_mlp_eval_forward_is_the_hand_written_network():
    # Dropout is the identity in eval mode: Linear → ReLU → Linear → ReLU → Linear, by hand.
    x = torch.randn(6, 7, generator=torch.Generator().manual_seed(1))
    model = MLP((7, 4, 3, 1), dropout=0.5).eval()
    (w1, b1), (w2, b2), (w3, b3) = [(m.weight.detach().double(), m.bias.detach().double())
                                    for m in model.net if isinstance(m, nn.Linear)]
    h = x.double()
    h = torch.clamp(h @ w1.T + b1, min=0)
    h = torch.clamp(h @ w2.T + b2, min=0)
    by_hand = h @ w3.T + b3
    with torch.no_grad():
        out = model(x)
    assert out.shape == (6, 1)
    assert torch.allclose(out.double(), by_hand, rtol=1e-6, atol=1e-6)
    assert torch.equal(model(x), out)  # deterministic in eval mode


def test_mlp_train_mode_dropout_zeroes_p_and_scales_survivors():
    # First layer: weights 0, bias 1 → every hidden unit is 1 before dropout; second layer sums
    # the units. In train mode each unit survives with probability 1 − p and is scaled by
    # 1/(1 − p), so each output is (number of survivors)/(1 − p): an integer times 1/(1 − p).
    p, width, rows = 0.3, 1000, 200
    model = MLP((3, width, 1), dropout=p).train()
    with torch.no_grad():
        model.net[0].weight.zero_(), model.net[0].bias.fill_(1.0)
        model.net[-1].weight.fill_(1.0), model.net[-1].bias.zero_()
        out = model(torch.randn(rows, 3)).double().squeeze(1)
    survivors = out * (1 - p)
    assert torch.allclose(survivors, survivors.round(), atol=1e-2)  # float32 sum of 1/(1-p)'s
    kept = survivors.round().sum().item() / (rows * width)
    # binomial: standard error √(p(1−p)/200,000) ≈ 0.001; allow 5 of them
    assert abs(kept - (1 - p)) < 5e-3
    with torch.no_grad():
        assert torch.equal(model.eval()(torch.randn(4, 3)), torch.full((4, 1), float(width)))


@pytest.mark.parametrize("kwargs, name", [
    ({"dropout": 1.0}, "dropout"), ({"dropout": -0.1}, "dropout"),
    ({"sizes": (50, 0, 1)}, r"sizes\[1\]"), ({"sizes": (50,)}, "sizes"), ({"seed": -3}, "seed")])
def test_bad_model_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}=.*"):
        MLP(**kwargs)


def test_load_flat_is_the_inverse_of_flatten_params():
    source, target = MLP(seed=1), MLP(seed=2)
    theta = flatten_params(source)
    assert load_flat(target, theta.numpy()) is target
    assert torch.equal(flatten_params(target), theta)
    for p, q in zip(source.parameters(), target.parameters()):
        assert torch.equal(p, q)
    # cast to the model's dtype
    wide = load_flat(MLP().double(), theta.double())
    assert next(wide.parameters()).dtype == torch.float64
    assert torch.equal(flatten_params(wide).float(), theta)


@pytest.mark.parametrize("theta", [torch.zeros(3), torch.zeros(2, count_params(MLP()) // 2)])
def test_load_flat_names_a_vector_of_the_wrong_shape(theta):
    with pytest.raises(ValueError, match=f"theta of shape .* {count_params(MLP())} parameters"):
        load_flat(MLP(), theta)
