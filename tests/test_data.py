import hashlib
import math

import pytest
import torch

from regcore import make_data

# SHA-256 of each tensor's bytes (float32, C order), recorded from the original notebook's data
# cell (TomKite57/regularisation_blog, high_dim_linear.ipynb: reset_seeds(), then true_weights,
# true_intercept, train x and noise, validation x and noise), run outside this repository with
# torch 2.13 on CPU. The inputs, weights and intercept are random draws, the same bits on every
# CPU; the targets y = x @ w + b + noise go through a float32 matrix product whose kernel, and so
# whose rounding, depends on the CPU: the original cell itself gives other target bits on an
# AVX-512 Xeon than on the CPU of the first recording. Both recordings are kept, each one the
# original cell's output on its machine. The true weights and intercept are drawn first, so they
# are the same for both training sizes.
TRUE_W = "447ae1eee8ee8ee530e0e7fa4fdc351e8c38d04cbcbce0609ae2d6dbd52efe8d"
TRUE_B = "67e8402a554c9b15d0319e6f8617c68dba56f9a7bf7f49e30ce82103cc47a39d"
ORIGINAL_SHA256 = {
    200: {"x_train": "4375f32419b938de8773da14e6af47fb3ff6d06cacefba6cea1b5345fc978803",
          "x_val": "6d0fbb318c234bfcb550917d4cf1debafe9b255de6676e1df5d053ac67f0a1b8",
          "true_w": TRUE_W, "true_b": TRUE_B},
    400: {"x_train": "997809101b93efc2c606971f844450f8370612d5cd9bc75e15e0422de983753e",
          "x_val": "2c140b041cd8455c309def106a7a9ca88d2cc4e12ce1d0fda2565d9919a1ef22",
          "true_w": TRUE_W, "true_b": TRUE_B},
}
#: (y_train, y_val) hashes of the original cell, one pair per machine it was recorded on: the
#: first CPU of the project (recorded once, early on), and an AVX-512 Xeon (2026-11-26, the cell
#: run as above with one and with two torch threads: the same bits).
ORIGINAL_TARGETS_SHA256 = {
    200: {("e9211314276d86183ea8479a6396d05aa2d0a611adbd1b6d16579bbd0270cc47",
           "38e72b82fe0ce4764809996cb13d69e66fd9431c446b44c185714a3723655154"),
          ("4d67d9030d3b2c840127e373f2680f3179f28a7632634fe2c4b2aa7b43f954ee",
           "038dc5c6c59d544d4aceb3cd917e67a5e2227bd895b66d2bb1afbb5f96500f0b")},
    400: {("b6041961cfb9e5802843e6439ed8318c70bd9bc3a14ee872e6d3fde31004ccd3",
           "08caf42194f19ce10be455c6c1839d7d8a648a36b3f0840a761b3879b5bb6842"),
          ("0d6a9eb24cfea762ef546caaa91e6562c3af2e6304d48cc00fba8ae26ba9c19e",
           "c7f1f948d99dd3041d442bb4ee4aab23b2c59c11923d26116f53bc592ffcb55f")},
}
SHAPES = {"x_train": (None, 50), "y_train": (None, 1), "x_val": (10_000, 50),
          "y_val": (10_000, 1), "true_w": (50, 1), "true_b": (1,)}


def _sha256(t: torch.Tensor) -> str:
    return hashlib.sha256(t.numpy().tobytes()).hexdigest()


@pytest.mark.parametrize("n_train", [200, 400])
def test_same_tensors_as_the_original_notebook(n_train):
    """make_data's tensors are bit for bit the original notebook's data cell's.

    The hashes were recorded once from the original notebook's data cell
    (TomKite57/regularisation_blog, high_dim_linear.ipynb) with torch 2.13 on CPU, outside this
    repository; they are not computed from regcore.
    """
    data = make_data(n_train=n_train)
    for name, expected in ORIGINAL_SHA256[n_train].items():
        t = getattr(data, name)
        shape = tuple(n_train if s is None else s for s in SHAPES[name])
        assert t.dtype == torch.float32 and tuple(t.shape) == shape, name
        assert t.is_contiguous() and t.device.type == "cpu", name
        assert _sha256(t) == expected, name
    targets = (_sha256(data.y_train), _sha256(data.y_val))
    assert targets in ORIGINAL_TARGETS_SHA256[n_train], targets
    for name in ("y_train", "y_val"):
        t = getattr(data, name)
        shape = tuple(n_train if s is None else s for s in SHAPES[name])
        assert t.dtype == torch.float32 and tuple(t.shape) == shape, name


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
    # std of 10,000 N(0, 0.2²) draws: standard error of the std ≈ 0.2/√20000 ≈ 0.0014; 4.3 of
    # them (the test split is not pinned by the hashes above, only by its distribution)
    assert abs(resid.std().item() - 0.2) < 0.006
    assert abs(resid.mean().item()) < 4 * 0.2 / math.sqrt(10_000)
    # noise scales with `noise`: the same x and w, a hundredth of the residual at noise 0.002
    quiet = make_data(noise=0.002)
    assert torch.equal(quiet.x_test, d.x_test) and torch.equal(quiet.true_w, d.true_w)
    q = quiet.y_test - quiet.x_test @ quiet.true_w - quiet.true_b
    # float32 rounding of y (|y| up to ~15, ulp ~1e-6) is magnified 100 times: 7e-5 measured
    assert torch.allclose(q * 100, resid, atol=5e-4)


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
