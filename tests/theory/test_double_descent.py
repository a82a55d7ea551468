"""Double descent: the closed-form risk, the min-norm and ridge fits, the Monte Carlo study,
gradient descent to the min-norm interpolator, and random-features regression."""
import numpy as np
import pytest

from regcore.data import make_data
from regcore.theory import double_descent as m
from regcore.theory._common import book_data
from regcore.theory.quadratic import design


# --- the closed form ------------------------------------------------------------------------

def test_closed_form_by_hand():
    # n <= p − 2: bias ‖w‖²(1 − n/p) plus σ²n/(p − n − 1); n >= p + 2: σ²p/(n − p − 1)
    assert m.min_norm_risk(10, 50, 9.0, 0.2) == pytest.approx(9 * 0.8 + 0.04 * 10 / 39, rel=1e-14)
    assert m.min_norm_risk(48, 50, 9.0, 0.2) == pytest.approx(9 * 0.04 + 0.04 * 48, rel=1e-14)
    assert m.min_norm_risk(70, 50, 9.0, 0.2) == pytest.approx(0.04 * 50 / 19, rel=1e-14)
    # past the threshold the risk does not depend on w: X has full column rank, no bias
    assert m.min_norm_risk(70, 50, 0.0, 0.2) == m.min_norm_risk(70, 50, 100.0, 0.2)


@pytest.mark.parametrize("p", [5, 50])
def test_risk_is_infinite_only_at_the_three_sizes_around_p(p):
    for n in (p - 1, p, p + 1):
        assert m.min_norm_risk(n, p, 3.0, 0.2) == np.inf
    for n in (p - 2, p + 2):
        assert np.isfinite(m.min_norm_risk(n, p, 3.0, 0.2))
    # without noise nothing blows up: the fit is the projection of w on the row space
    assert m.min_norm_risk(p - 1, p, 3.0, 0.0) == pytest.approx(3.0 / p)
    assert m.min_norm_risk(p, p, 3.0, 0.0) == 0.0


def test_noise_term_past_the_threshold_is_an_inverse_wishart_trace():
    # A separate Monte Carlo: for n > p, X⁺ε has E‖X⁺ε‖² = E tr((XᵀX)⁻¹), and the mean of the
    # inverse of a Wishart(I_p, n) matrix is I/(n − p − 1).
    rng = np.random.default_rng(11)
    n, p, draws = 40, 10, 20000
    X = rng.standard_normal((draws, n, p))
    traces = np.trace(np.linalg.inv(np.swapaxes(X, 1, 2) @ X), axis1=1, axis2=2)
    se = traces.std(ddof=1) / np.sqrt(draws)
    assert abs(traces.mean() - p / (n - p - 1)) < 4 * se
    sigma = 0.3
    assert m.min_norm_risk(n, p, 5.0, sigma) == pytest.approx(sigma ** 2 * p / (n - p - 1))


def test_bias_below_the_threshold_is_the_null_space_part_of_w():
    # A separate Monte Carlo: for n < p the fit sees w only through its projection on the row
    # space of X, a uniformly random n-dimensional subspace, so E‖(I − X⁺X)w‖² = ‖w‖²(1 − n/p);
    # the noise part is σ² E tr((XXᵀ)⁻¹) = σ²n/(p − n − 1).
    rng = np.random.default_rng(12)
    n, p, draws = 8, 24, 20000
    w = rng.standard_normal(p)
    X = rng.standard_normal((draws, n, p))
    null_part = w - (np.linalg.pinv(X) @ (X @ w)[..., None])[..., 0]
    bias = (null_part ** 2).sum(1)
    assert abs(bias.mean() - w @ w * (1 - n / p)) < 4 * bias.std(ddof=1) / np.sqrt(draws)
    traces = np.trace(np.linalg.inv(X @ np.swapaxes(X, 1, 2)), axis1=1, axis2=2)
    assert abs(traces.mean() - n / (p - n - 1)) < 4 * traces.std(ddof=1) / np.sqrt(draws)
    sigma = 0.5
    assert m.min_norm_risk(n, p, w @ w, sigma) == pytest.approx(
        w @ w * (1 - n / p) + sigma ** 2 * n / (p - n - 1))


def test_optimal_lambda_and_the_toy_weights():
    assert m.optimal_lambda(50, 8.0, 0.2) == pytest.approx(50 * 0.04 / 8.0)
    assert m.optimal_lambda(50, 8.0, 0.0) == 0.0
    w = m.toy_weights()
    assert w.dtype == np.float64 and w.shape == (50,)
    np.testing.assert_array_equal(w, make_data().true_w.double().numpy().ravel())


# --- the fits -----------------------------------------------------------------------------

def test_min_norm_fit_interpolates_from_the_row_space():
    rng = np.random.default_rng(1)
    X, y = rng.standard_normal((20, 50)), rng.standard_normal(20)
    w = m.min_norm_fit(X, y)
    np.testing.assert_allclose(X @ w, y, atol=1e-10)                       # interpolates
    np.testing.assert_allclose(w - np.linalg.pinv(X) @ (X @ w), 0, atol=1e-12)  # row space
    np.testing.assert_allclose(w, np.linalg.pinv(X) @ y, rtol=1e-9, atol=1e-12)
    # any other interpolator (w plus a null-space vector) has a larger norm
    v = rng.standard_normal(50)
    other = w + v - np.linalg.pinv(X) @ (X @ v)
    np.testing.assert_allclose(X @ other, y, atol=1e-10)
    assert np.linalg.norm(other) > np.linalg.norm(w)
    # more points than features: OLS, as lstsq gives it
    X2, y2 = rng.standard_normal((80, 50)), rng.standard_normal(80)
    np.testing.assert_allclose(m.min_norm_fit(X2, y2), np.linalg.lstsq(X2, y2, rcond=None)[0],
                               rtol=1e-9, atol=1e-12)


def test_fits_on_stacks_are_the_fits_of_each_design():
    rng = np.random.default_rng(2)
    X, y = rng.standard_normal((3, 15, 40)), rng.standard_normal((3, 15))
    for fit in (m.min_norm_fit, lambda a, b: m.ridge_fit(a, b, 0.3)):
        stacked = fit(X, y)
        assert stacked.shape == (3, 40)
        for k in range(3):
            np.testing.assert_allclose(stacked[k], fit(X[k], y[k]), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("n", [20, 80])
def test_ridge_solves_its_normal_equations_and_tends_to_min_norm(n):
    rng = np.random.default_rng(3)
    X, y = rng.standard_normal((n, 50)), rng.standard_normal(n)
    lam = 0.7
    w = m.ridge_fit(X, y, lam)
    # the gradient of ‖y − Xw‖² + λ‖w‖², halved, vanishes
    np.testing.assert_allclose(X.T @ (X @ w - y) + lam * w, 0, atol=1e-10)
    gaps = [np.linalg.norm(m.ridge_fit(X, y, t) - m.min_norm_fit(X, y)) for t in (1e-2, 1e-5, 1e-8)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 1e-6 * np.linalg.norm(m.min_norm_fit(X, y))


# --- the sample-wise Monte Carlo ------------------------------------------------------------

def test_sample_wise_agrees_with_the_closed_form_and_pairs_its_data():
    res = m.sample_wise(n_values=(20, 80), datasets=1000, seed=5)
    assert res["min_norm"].shape == res["ridge"].shape == (2, 1000)
    z = (res["min_norm_mean"] - res["closed"]) / res["min_norm_se"]
    assert np.all(np.abs(z) < 4)
    # the closed form from the toy's weights, by hand
    w = make_data().true_w.double().numpy().ravel()
    assert res["w_sq"] == pytest.approx(w @ w, rel=1e-12)
    assert res["closed"][1] == pytest.approx(0.04 * 50 / 29)
    assert res["lam"] == pytest.approx(50 * 0.04 / (w @ w))
    # the data sets depend on the seed and n only: another lam, the same min-norm risks
    again = m.sample_wise(n_values=(80,), datasets=1000, seed=5, lam=3.0)
    np.testing.assert_array_equal(again["min_norm"][0], res["min_norm"][1])
    assert not np.array_equal(again["ridge"][0], res["ridge"][1])


def test_optimal_lambda_beats_half_and_twice_it():
    # Paired: the same data sets for the three penalties; the difference of mean risks must be
    # positive by more than 3 of its standard errors.
    lam = m.optimal_lambda(50, float(m.toy_weights() @ m.toy_weights()), m.SIGMA)
    runs = {f: m.sample_wise(n_values=(30, 70), datasets=3000, lam=f * lam, seed=1)["ridge"]
            for f in (0.5, 1.0, 2.0)}
    for f in (0.5, 2.0):
        diff = runs[f] - runs[1.0]
        assert np.all(diff.mean(1) > 3 * diff.std(1, ddof=1) / np.sqrt(diff.shape[1]))


def test_check_sample_wise_passes_and_ridge_has_no_peak():
    c = m.check_sample_wise()
    assert c.tolerance == m.TOL_SE == 4.0
    c.assert_ok()
    v = c.values
    n = v["n"]
    assert list(n[v["checked"]]) == [k for k in m.N_VALUES if abs(k - 50) >= 6]
    assert np.all(np.isnan(v["z"][~v["checked"]]))
    # ridge at λ* decreases in n and is far below min-norm next to the threshold
    assert np.all(np.diff(v["ridge_mean"]) < 0)
    assert np.all(v["ridge_mean"] <= v["min_norm_mean"])
    near = (n == 48) | (n == 52)
    assert np.all(v["ridge_mean"][near] < 0.5 * v["min_norm_mean"][near])
    # min-norm rises into the threshold and falls after it
    at = dict(zip(n.tolist(), v["min_norm_mean"]))
    assert at[46] < at[48] and at[52] > at[54] > at[56]


# --- gradient descent to the min-norm interpolator -----------------------------------------

def test_gradient_descent_from_zero_lands_on_the_min_norm_interpolator():
    c = m.check_gd_min_norm()
    assert c.tolerance == m.TOL_GD
    c.assert_ok()
    v = c.values
    # the tolerance rests on numbers that are below it
    assert v["bound"] < m.TOL_GD and v["rounding"] < m.TOL_GD
    # the seeded init keeps its null-space part, which is far outside the tolerance
    assert v["seeded"] > 1e6 * m.TOL_GD
    assert v["seeded"] == pytest.approx(v["seeded_null"], rel=1e-9)
    assert v["seeded_limit"] < m.TOL_GD
    # independently: θ⁺ interpolates, the eigenvalues and the rate
    data = book_data(n_train=m.GD_N_TRAIN)
    A = design(data.x_train)
    y = data.y_train.double().numpy().ravel()
    np.testing.assert_allclose(A @ v["min_norm"], y, atol=1e-10)
    np.testing.assert_allclose(A @ v["theta_zero"], y, atol=1e-9)
    evals = np.linalg.eigvalsh(A.T @ A / len(y))
    nonzero = evals[evals > 1e-10 * evals[-1]]
    assert len(nonzero) == m.GD_N_TRAIN
    assert v["mu_min"] == pytest.approx(nonzero[0], rel=1e-8)
    assert v["mu_max"] == pytest.approx(nonzero[-1], rel=1e-8)
    assert v["rho"] == pytest.approx(1 - 2 * m.GD_LR * nonzero[0], rel=1e-8)
    assert np.linalg.norm(v["theta_seeded"]) > np.linalg.norm(v["min_norm"])
    # the history from zero falls to the float32 floor; the seeded one levels off
    assert v["history_zero"][0] == pytest.approx(1.0) and v["history_zero"][-1] < 1e-6
    assert v["history_seeded"][-1] == pytest.approx(v["seeded"], rel=1e-5)


# --- random features ------------------------------------------------------------------------

def test_random_features_are_relus_of_projections():
    rng = np.random.default_rng(4)
    x, V = rng.standard_normal((5, 3)), rng.standard_normal((4, 3))
    phi = m.random_features(x, V)
    expected = [[max(0.0, float(sum(x[i, k] * V[j, k] for k in range(3)))) for j in range(4)]
                for i in range(5)]
    np.testing.assert_allclose(phi, expected, rtol=1e-12, atol=1e-15)


def test_model_wise_shapes_determinism_the_peak_and_a_fit_by_hand():
    kw = dict(n_features=(10, 200, 1000), seeds=3, n_val=500, n_test=500)
    res = m.model_wise(**kw)
    for k in ("min_norm_test", "min_norm_train", "ridge_test", "ridge_val", "ridge_lambda"):
        assert res[k].shape == (3, 3)
    assert res["ridge_test_all"].shape == (3, 3, len(m.LAMBDAS))
    again = m.model_wise(**kw)
    for k in ("min_norm_test", "ridge_test", "ridge_lambda", "ridge_test_all"):
        np.testing.assert_array_equal(res[k], again[k])
    mn, rt = res["min_norm_test"], res["ridge_test"]
    # interpolation once N + 1 >= n_train; not below
    assert np.all(res["min_norm_train"][:, 1:] < 1e-12) and np.all(res["min_norm_train"][:, 0] > 1)
    # the peak at N = n_train, for every seed, and tuned ridge far below it
    assert np.all(mn[:, 1] > mn[:, 0]) and np.all(mn[:, 1] > mn[:, 2])
    assert np.all(rt[:, 1] < 0.2 * mn[:, 1])
    # the chosen λ is the one of least validation error
    best = np.take_along_axis(res["ridge_val_all"], res["ridge_val_all"].argmin(-1)[..., None], -1)
    np.testing.assert_array_equal(res["ridge_val"], best[..., 0])
    # seed 1, N = 200, by hand with pinv: the same data, the first 200 rows of V
    data = make_data(200, 500, 500, seed=1)
    V = np.random.default_rng(1).standard_normal((1000, 50))[:200] / np.sqrt(50)

    def feats(x):
        return np.hstack([np.maximum(x.double().numpy() @ V.T, 0), np.ones((len(x), 1))])

    theta = np.linalg.pinv(feats(data.x_train)) @ data.y_train.double().numpy().ravel()
    test = np.mean((feats(data.x_test) @ theta - data.y_test.double().numpy().ravel()) ** 2)
    assert mn[1, 1] == pytest.approx(test, rel=1e-6)


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("call, name", [
    (lambda: m.min_norm_risk(0, 50, 1.0, 0.2), "n"),
    (lambda: m.min_norm_risk(10, 0, 1.0, 0.2), "p"),
    (lambda: m.min_norm_risk(10, 50, -1.0, 0.2), "w_sq"),
    (lambda: m.min_norm_risk(10, 50, 1.0, float("nan")), "sigma"),
    (lambda: m.min_norm_risk(10.5, 50, 1.0, 0.2), "n"),
    (lambda: m.optimal_lambda(50, 0.0, 0.2), "w_sq"),
    (lambda: m.optimal_lambda(50, 1.0, -0.1), "sigma"),
    (lambda: m.sample_wise(w=[], n_values=(10,), datasets=2), "w"),
    (lambda: m.sample_wise(w=[[1.0, 2.0]], n_values=(10,), datasets=2), "w"),
    (lambda: m.sample_wise(sigma=-1.0, n_values=(10,), datasets=2), "sigma"),
    (lambda: m.sample_wise(n_values=(), datasets=2), "n_values"),
    (lambda: m.sample_wise(n_values=(10, 0), datasets=2), r"n_values\[1\]"),
    (lambda: m.sample_wise(n_values=(10,), datasets=1), "datasets"),
    (lambda: m.sample_wise(n_values=(10,), datasets=2, lam=-1.0), "lam"),
    (lambda: m.sample_wise(w=[0.0, 0.0], n_values=(10,), datasets=2), "lam"),
    (lambda: m.sample_wise(n_values=(10,), datasets=2, seed=-1), "seed"),
    (lambda: m.check_sample_wise(n_values=(48, 50, 53), datasets=2), "n_values"),
    (lambda: m.check_gd_min_norm(n_train=51), "n_train"),
    (lambda: m.check_gd_min_norm(lr=0.25), "lr"),
    (lambda: m.check_gd_min_norm(epochs=0), "epochs"),
    (lambda: m.min_norm_fit(np.ones(3), np.ones(3)), "X"),
    (lambda: m.min_norm_fit(np.ones((3, 4)), np.ones(4)), "y"),
    (lambda: m.ridge_fit(np.eye(3), np.ones(3), -0.1), "lam"),
    (lambda: m.random_features(np.ones((3, 4)), np.ones((2, 5))), "V"),
    (lambda: m.model_wise(n_features=(10, 0), seeds=1), r"n_features\[1\]"),
    (lambda: m.model_wise(seeds=0), "seeds"),
    (lambda: m.model_wise(n_features=(10,), seeds=1, lambdas=(1.0, 0.0)), r"lambdas\[1\]"),
    (lambda: m.model_wise(n_features=(10,), seeds=1, n_val=0), "n_val"),
])
def test_bad_input_is_named(call, name):
    with pytest.raises(ValueError, match=rf"^{name}[= ]"):
        call()
