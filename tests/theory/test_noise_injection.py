"""Noise injection: derivation, the ridge closed form, and training with input noise on it."""
import numpy as np
import pytest
import sympy as sp
import torch

from regcore.data import make_data
from regcore.models import MLP, flatten_params, load_flat
from regcore.sweep import Member, SweepSettings, sweep
from regcore.theory import noise_injection as m
from regcore.theory._common import book_data
from regcore.theory.quadratic import quadratic


def _numpy(data):
    X = data.x_train.double().numpy()
    return X, data.y_train.double().numpy().ravel()


def test_derived_expectation_is_the_clean_loss_plus_s2_w2():
    d = m.derive()
    assert d["equal"] is True and d["grad_equal"] is True
    s, w, x, b, y = d["symbols"]
    assert sp.simplify(d["penalty"] - s ** 2 * sum(wi ** 2 for wi in w)) == 0
    assert sp.simplify(d["expected"] - d["clean"] - d["lam"] / 2 * sum(wi ** 2 for wi in w)) == 0
    # the bias is not penalised: its expected gradient is the clean one
    assert sp.simplify(d["grad_expected"][-1] - sp.diff(d["clean"], b)) == 0
    # and the noise is really there: the expectation depends on s
    assert d["expected"].has(s)


@pytest.mark.parametrize("s", [0.1, m.S, 2.0])
def test_ridge_equivalent_solves_its_normal_equations(s):
    # The gradient of mean((Xw + b − y)²) + s²‖w‖², written out with NumPy, vanishes there.
    data = book_data()
    w, b = m.ridge_equivalent(data, s)
    X, y = _numpy(data)
    r = X @ w + b - y
    grad_w = 2 * X.T @ r / len(y) + 2 * s ** 2 * w
    grad_b = 2 * r.mean()
    scale = np.linalg.norm(2 * X.T @ y / len(y))
    assert np.linalg.norm(grad_w) < 1e-12 * scale and abs(grad_b) < 1e-12 * scale
    # the same minimiser as least squares on the design augmented with √n·s·I (bias column 0)
    n, dims = X.shape
    A = np.vstack([np.hstack([X, np.ones((n, 1))]),
                   np.hstack([np.sqrt(n) * s * np.eye(dims), np.zeros((dims, 1))])])
    theta = np.linalg.lstsq(A, np.concatenate([y, np.zeros(dims)]), rcond=None)[0]
    np.testing.assert_allclose(np.append(w, b), theta, rtol=1e-9, atol=1e-12)
    # and it minimises the closed-form expected loss: nearby points are worse
    best = m.expected_loss(np.append(w, b), data, s)
    rng = np.random.default_rng(0)
    for _ in range(5):
        assert m.expected_loss(np.append(w, b) + 1e-3 * rng.standard_normal(dims + 1), data,
                               s) > best


def test_ridge_equivalent_tends_to_ols_and_to_zero_weights():
    data = book_data()
    ols = quadratic(data).ols()
    for s in (0.0, 1e-6):
        w, b = m.ridge_equivalent(data, s)
        np.testing.assert_allclose(np.append(w, b), ols, rtol=1e-8, atol=1e-10)
    X, y = _numpy(data)
    norms = [np.linalg.norm(m.ridge_equivalent(data, s)[0]) for s in (1.0, 10.0, 1e3, 1e5)]
    assert all(a > b for a, b in zip(norms, norms[1:])) and norms[-1] < 1e-8
    # with w → 0 the unpenalised bias tends to the mean target
    assert m.ridge_equivalent(data, 1e5)[1] == pytest.approx(y.mean(), abs=1e-8)


def test_noisy_gradient_descent_lands_on_ridge():
    c = m.check_linear()
    assert c.tolerance == m.TOL_LINEAR
    c.assert_ok()
    # The tolerance is meaningful: the noise-free minimiser (OLS, s = 0) lies far outside it,
    # and so do the ridge solutions of noise levels 5% off (λ = 2s² about 10% off).
    data = book_data()
    ridge = np.append(*m.ridge_equivalent(data, m.S))

    def rel(theta):
        return np.linalg.norm(theta - ridge) / np.linalg.norm(ridge)

    assert rel(quadratic(data).ols()) > 10 * m.TOL_LINEAR
    assert c.values["gap_ols"] == pytest.approx(rel(quadratic(data).ols()))
    for s in (0.95 * m.S, 1.05 * m.S):
        assert rel(np.append(*m.ridge_equivalent(data, s))) > 2 * m.TOL_LINEAR
    # the average is what lands: a single late iterate wanders further than the tolerance, and
    # the average's own standard error is well inside it
    assert c.values["final_rel"] > m.TOL_LINEAR
    assert c.values["se_rel"] < m.TOL_LINEAR / 2


def test_bad_s_and_data_are_named():
    with pytest.raises(ValueError, match=r"^s=-0\.1 "):
        m.ridge_equivalent(book_data(), -0.1)
    with pytest.raises(ValueError, match=r"^s=nan "):
        m.train_with_noise(book_data(), float("nan"), epochs=2)
    with pytest.raises(ValueError, match=r"^data=\(1, 2\) "):
        m.train_with_noise((1, 2), 0.5, epochs=2)


# --- the excess loss of input noise (noise_excess), against closed forms ----------------------

class _Square(torch.nn.Module):
    """f(x) = (a·x)²: smooth, curved, and every moment of its noisy loss known in closed form."""

    def __init__(self, a):
        super().__init__()
        self.a = torch.nn.Parameter(torch.as_tensor(a, dtype=torch.float64))

    def forward(self, x):
        return (x @ self.a).reshape(-1, 1) ** 2


def test_noise_excess_of_a_quadratic_model_matches_its_closed_form():
    # u = a·x, η = a·ξ ~ N(0, τ²), τ² = s²‖a‖². With f = u²: Δ± = ±2uη + η², so the spread is
    # 4u²η² + η⁴ (mean 4u²τ² + 3τ⁴), the cross part (u² − y)·2η² (mean 2(u² − y)τ²), the
    # Jacobian term s²‖∇f‖² = 4u²τ², and Bishop's curvature term (f − y)Δf·s² = 2(u² − y)τ².
    gen = np.random.default_rng(3)
    n, dims = 300, 4
    a = gen.normal(size=dims) / 2
    x = torch.as_tensor(gen.normal(size=(n, dims)))
    y = torch.as_tensor(gen.normal(size=(n, 1)))
    u = x.numpy() @ a
    levels = (0.05, 0.3)
    res = m.noise_excess(_Square(a), x, y, levels, pairs=400, seed=1)
    for j, s in enumerate(levels):
        tau2 = s ** 2 * a @ a
        spread = np.mean(4 * u ** 2 * tau2 + 3 * tau2 ** 2)
        cross = np.mean(2 * (u ** 2 - y.numpy().ravel()) * tau2)
        assert res["jacobian"][j] == pytest.approx(np.mean(4 * u ** 2) * tau2, rel=1e-12)
        assert abs(res["excess"][j] - (spread + cross)) < 4 * res["se"][j]
        assert res["spread"][j] + res["cross"][j] == pytest.approx(res["excess"][j], rel=1e-12)
    # the curvature term is of the same order as the Jacobian term: the ratio does not go to 1
    assert abs(res["ratio"][0] - 1) > 0.05


def test_noise_excess_of_the_linear_model_is_s2_w2_and_its_cross_part_vanishes():
    check = m.check_linear_excess()
    assert check.passed, check
    assert check.values["cross_max"] < 1e-9
    ratio = check.values["ratio"]
    # the draws are shared and scaled: the same ratio at every level, within 4 SE of 1
    assert np.ptp(ratio) < 1e-12
    assert abs(ratio[0] - 1) < 4 * np.sqrt(2 / (200 * m.MC_PAIRS))


def test_noise_excess_leaves_the_model_as_it_was():
    model = MLP((3, 4, 1), dropout=0.5)
    model.train()
    before = flatten_params(model).clone()
    m.noise_excess(model, torch.randn(10, 3), torch.randn(10, 1), (0.1,), pairs=2)
    assert model.training and next(model.parameters()).dtype == torch.float32
    assert torch.equal(flatten_params(model), before)


@pytest.mark.parametrize("kwargs, name", [
    ({"s_values": (0.0,)}, "s_values"), ({"s_values": (-0.1,)}, "s_values"),
    ({"s_values": ()}, "s_values"), ({"pairs": 1}, "pairs"), ({"seed": -1}, "seed")])
def test_noise_excess_names_bad_input(kwargs, name):
    with pytest.raises(ValueError, match=name):
        m.noise_excess(MLP((3, 4, 1)), torch.randn(5, 3), torch.randn(5, 1), **kwargs)


def test_excess_over_members_loads_each_member_on_its_own_data():
    settings = SweepSettings(sizes=(50, 6, 1), n_train=30, n_val=20, n_test=20, epochs=5,
                             max_evals=None, snapshots=0)
    members = [Member(input_noise=0.1, data_seed=k, init_seed=k, seed=k) for k in (3, 4)]
    res = sweep(members, settings)
    out = m.excess_over_members(res, (0.1, 0.5), pairs=8)
    assert out["ratio"].shape == (2, 2)
    for k, member in enumerate(members):
        data = make_data(30, 20, 20, seed=member.data_seed)
        model = load_flat(MLP((50, 6, 1)), res.best_theta[k])
        direct = m.noise_excess(model, data.x_train, data.y_train, (0.1, 0.5), pairs=8)
        np.testing.assert_allclose(out["ratio"][k], direct["excess"] / direct["jacobian"],
                                   rtol=1e-12)
        assert out["grad_sq"][k] == pytest.approx(direct["grad_sq"], rel=1e-12)
        assert out["true_w_sq"][k] == pytest.approx(float((data.true_w ** 2).sum()), rel=1e-6)
    linear = sweep([Member()], SweepSettings(model="linear", n_train=60, n_val=5, n_test=5,
                                             epochs=2, max_evals=None, snapshots=0))
    with pytest.raises(ValueError, match="model='linear'"):
        m.excess_over_members(linear)
