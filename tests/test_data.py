import math

import pytest
import torch

from regcore import make_data


def raw_post_draws(n_train, n_val, dims=50, noise=0.2, seed=42):
    """The original script's draws, written out independently: seeds, then w, b, x, ε, x, ε."""
    import numpy as np
    torch.manual_seed(seed)
    torch.cuda.manual_seed(seed)
    np.random.seed(seed)
    w = torch.randn(dims, 1) * 3 / np.sqrt(dims)
    b = torch.randn(1)
    xt = torch.randn(n_train, dims)
    yt = xt @ w + b + noise * torch.randn(n_train, 1)
    xv = torch.randn(n_val, dims)
    yv = xv @ w + b + noise * torch.randn(n_val, 1)
    return w, b, xt, yt, xv, yv


@pytest.mark.parametrize("n_train", [200, 400])
def test_same_tensors_as_the_original_draws(n_train):
    data = make_data(n_train=n_train)
    raw = raw_post_draws(n_train, 10_000)
    ours = (data.true_w, data.true_b, data.x_train, data.y_train, data.x_val, data.y_val)
    for a, b in zip(ours, raw):
        assert torch.equal(a, b)


def test_test_split_leaves_post_draws_untouched():
    small, large = make_data(n_test=7), make_data(n_test=5000)
    assert torch.equal(small.x_val, large.x_val) and torch.equal(small.y_train, large.y_train)
    assert torch.equal(make_data(n_test=7).x_test, small.x_test)  # deterministic
    assert not torch.equal(large.x_test[:100], large.x_val[:100])


def test_shapes_and_noise_level(data200):
    d = data200
    assert d.x_train.shape == (200, 50) and d.y_train.shape == (200, 1)
    assert d.x_val.shape == (10_000, 50) and d.x_test.shape == (10_000, 50)
    assert d.dims == 50 and d.n_train == 200 and d.n_val == 10_000
    resid = d.y_test - d.x_test @ d.true_w - d.true_b
    # std of 10,000 N(0, 0.2²) draws: standard error of the std ≈ 0.2/√20000 ≈ 0.0014
    assert abs(resid.std().item() - 0.2) < 0.006
    # ||w||² ≈ 9 · (chi²_50 / 50): within a wide band
    assert 4 < (d.true_w ** 2).sum().item() < 16


def test_other_seed_other_draws():
    assert not torch.equal(make_data(seed=1).x_train, make_data(seed=2).x_train)


def test_whitened_design_is_orthonormal():
    d = make_data(whiten=True).to(dtype=torch.float64)
    a = torch.cat([d.x_train, torch.ones(d.n_train, 1, dtype=torch.float64)], 1)
    gram = a.T @ a / d.n_train
    assert torch.allclose(gram, torch.eye(51, dtype=torch.float64), atol=1e-5)
    assert d.whitened and torch.equal(d.y_train, make_data().y_train.double())


@pytest.mark.parametrize("kwargs, name", [
    ({"n_train": 0}, "n_train"), ({"n_val": -1}, "n_val"), ({"dims": 0}, "dims"),
    ({"noise": -0.1}, "noise"), ({"noise": math.nan}, "noise"), ({"seed": -1}, "seed"),
    ({"n_train": 2.5}, "n_train")])
def test_bad_parameters_are_named(kwargs, name):
    with pytest.raises(ValueError, match=rf"^{name}=.* must be"):
        make_data(**kwargs)
