import pytest
import torch
from torch import nn

from regcore import MLP, Linear, count_params, flatten_params, reset_seeds


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


def test_forward_shape():
    assert MLP((7, 3, 1))(torch.zeros(5, 7)).shape == (5, 1)
    assert Linear(7)(torch.zeros(5, 7)).shape == (5, 1)


@pytest.mark.parametrize("kwargs, name", [
    ({"dropout": 1.0}, "dropout"), ({"dropout": -0.1}, "dropout"),
    ({"sizes": (50, 0, 1)}, r"sizes\[1\]"), ({"sizes": (50,)}, "sizes"), ({"seed": -3}, "seed")])
def test_bad_model_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}=.*"):
        MLP(**kwargs)
