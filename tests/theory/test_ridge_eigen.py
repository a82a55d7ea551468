import numpy as np
import pytest

from regcore.theory import ridge_eigen as m
from regcore.theory._common import book_data
from regcore.theory.quadratic import quadratic


def test_derived_factor_matches_hand_derivation():
    d = m.derive()
    theta, w, h, lam = d["symbols"]
    rng = np.random.default_rng(1)
    for hv, lv, wv in rng.uniform(0.1, 5, size=(5, 3)):
        got = float(d["minimiser"].rhs.subs({h: hv, lam: lv, w: wv}))
        assert got == pytest.approx(hv * wv / (hv + lv), rel=1e-14)


def test_ridge_closed_form_equals_augmented_least_squares():
    # (1/n)‖Aθ − y‖² + (λ/2)‖θ‖² ∝ ‖Aθ − y‖² + ‖√(nλ/2) θ‖²: a stacked least-squares problem
    q = quadratic(book_data())
    lam = 0.085
    A_aug = np.vstack([q.A, np.sqrt(q.n * lam / 2) * np.eye(q.A.shape[1])])
    y_aug = np.concatenate([q.y, np.zeros(q.A.shape[1])])
    expected = np.linalg.lstsq(A_aug, y_aug, rcond=None)[0]
    np.testing.assert_allclose(q.ridge(lam), expected, rtol=1e-10, atol=1e-12)


def test_hessian_spectrum_is_the_documented_range():
    q = quadratic(book_data())
    assert 0.4 < q.evals[0] < 0.6 and 4.2 < q.evals[-1] < 4.6


def test_full_batch_check_uses_module_tolerance():
    c = m.check_full_batch()
    assert c.tolerance == m.TOL_FULL_BATCH
    c.assert_ok()
    # per direction, the trained ratio is h/(h+λ) to float precision as well
    assert c.values["max_ratio_error"] < 1e-9


def test_minibatch_adam_check():
    c = m.check_minibatch_adam()
    assert c.tolerance == m.TOL_MINIBATCH
    c.assert_ok()
    # averaging is what makes it pass: the final iterate alone is much further off
    assert c.values["final_rel"] > 2 * c.measured


def test_post_lambda_is_too_strong_for_the_linear_model():
    r = m.linear_risk_of_lambda()
    assert r["post_risk"] > r["ols_risk"] > r["best_risk"]
    assert r["overshoot"] > 10
    # leaving the bias unpenalised does not rescue it
    assert r["post_risk_free_bias"] > 1.5 * r["ols_risk"]


def test_bad_input_names_the_parameter():
    with pytest.raises(ValueError, match="lr="):
        m.check_full_batch(lr=1.0)
    with pytest.raises(ValueError, match="lam="):
        m.ridge_factors(-1.0)
