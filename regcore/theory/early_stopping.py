"""Early stopping acts like L2 — but only when the curvatures are small against λ.

Chapter "Early stopping as L2" (Goodfellow et al. 2016, §7.8). Gradient descent from θ = 0 on a
quadratic reaches, after τ steps, ``[1 − (1 − ηh)^τ]·θ_OLS`` in each eigendirection (SymPy's
``rsolve`` of the recurrence); ridge gives ``h/(h + λ)·θ_OLS``. The two agree when
``(1 − ηh)^τ = λ/(h + λ)``, which :func:`derive` solves for τ: for h ≪ λ, τ ≈ 1/(ηλ). On the toy
problem H's eigenvalues run from about 0.5 to 4.4, so at the post's λ = 0.085 (h/λ from 5 to 50)
stopping at τ = 1/(ηλ) lands near OLS, not near ridge; at λ = 50 the correspondence holds.
Zero initialisation throughout; training with ``fit`` (full-batch SGD, float64).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from .._checks import check_real
from ..settings import check_setting
from ..training import TrainSettings
from ._common import book_data, final_theta, fit_linear
from .check import Check
from .quadratic import expected_test_mse, quadratic

LAMBDA_POST = 0.085
LAMBDA_LARGE = 50.0
#: GD's factors 1 − (1 − ηh)^τ read off the trained model must equal the closed form: a
#: contracting iteration in float64, so rounding only: 1e-10 absolute (factors are ≤ 1).
TOL_EXACT = 1e-10
#: The ridge/early-stopping match at λ = 50: derive()'s series gives a relative mismatch
#: h/(2λ) + O(η h, (h/λ)²) per direction; the tolerance h_max/λ is twice the leading term.
#: (Computed from the data in :func:`check_large_lambda`.)
#: Where early stopping at λ = 0.085 lands: distance to OLS over the ridge−OLS gap; below 0.5
#: means nearer to OLS than to ridge.
TOL_NEAR_OLS = 0.5


def derive() -> dict:
    """SymPy: GD's recurrence solved, the stopping time that matches ridge, and its limits."""
    k = sp.Symbol("k", integer=True, nonnegative=True)
    h, lam, eta, w = sp.symbols("h lambda eta w", positive=True)
    x = sp.Function("x")
    # θ_{k+1} = θ_k − η h (θ_k − w), θ_0 = 0
    path = sp.rsolve(x(k + 1) - x(k) + eta * h * (x(k) - w), x(k), {x(0): 0})
    gd_factor = sp.simplify(path / w)
    ridge_factor = h / (h + lam)
    tau = sp.Symbol("tau", positive=True)
    (tau_match,) = sp.solve(sp.Eq(1 - (1 - eta * h) ** tau, ridge_factor), tau)
    small_h = sp.limit(tau_match, h, 0)
    # the mismatch at τ = 1/(ηλ): GD factor over ridge factor, to first order in h
    mismatch = sp.series(sp.simplify((1 - (1 - eta * h) ** (1 / (eta * lam))) / ridge_factor),
                         h, 0, 2).removeO()
    mismatch = sp.simplify(mismatch)
    return {"path": path, "gd_factor": gd_factor, "ridge_factor": ridge_factor,
            "tau_match": tau_match, "tau_small_h": small_h, "mismatch": mismatch,
            "symbols": (h, lam, eta, tau)}


def factors(evals: np.ndarray, lam: float, lr: float, steps: int) -> dict:
    """Per-direction factors of GD after ``steps`` and of ridge at ``lam``."""
    return {"gd": 1 - (1 - lr * evals) ** steps, "ridge": evals / (evals + lam)}


def run_gd(lam: float, lr: float) -> dict:
    """Train the zero-initialised linear model for τ = round(1/(ηλ)) full-batch steps."""
    lam = check_real("lam", lam, minimum=0.0, strict=True)
    lr = check_setting("lr", lr)
    steps = max(1, int(round(1 / (lr * lam))))
    data = book_data()
    q = quadratic(data)
    res = fit_linear(data, TrainSettings(optimizer="sgd", lr=lr, epochs=steps, snapshot_every=0),
                     init="zero")
    theta = final_theta(res)
    measured = q.to_eigen(theta) / q.to_eigen(q.ols())
    return {"theta": theta, "steps": steps, "measured": measured, "q": q, "data": data,
            "lam": lam, "lr": lr, **factors(q.evals, lam, lr, steps)}


def check_exact(lam: float = LAMBDA_POST, lr: float = 0.1) -> Check:
    """The trained model's eigen-factors equal 1 − (1 − ηh)^τ (the solved recurrence)."""
    r = run_gd(lam, lr)
    return Check("early stopping: trained factors = 1 − (1 − ηh)^τ",
                 np.abs(r["measured"] - r["gd"]).max(), TOL_EXACT, "float64 rounding", r)


def check_large_lambda(lam: float = LAMBDA_LARGE, lr: float = 0.001) -> Check:
    """At λ = 50 (h ≪ λ): max relative mismatch of the GD and ridge factors, against h_max/λ."""
    r = run_gd(lam, lr)
    rel = np.abs(r["measured"] / r["ridge"] - 1)
    return Check("early stopping at τ = 1/(ηλ) = ridge when h ≪ λ (λ = 50)", rel.max(),
                 r["q"].evals[-1] / lam, "twice the leading term h/(2λ) of the series",
                 {**r, "relative": rel})


def check_post_lambda(lam: float = LAMBDA_POST, lr: float = 0.1) -> Check:
    """At the post's λ = 0.085: early stopping at τ = 1/(ηλ) lands nearer OLS than ridge."""
    r = run_gd(lam, lr)
    q, data = r["q"], r["data"]
    ols, ridge = q.ols(), q.ridge(lam)
    gap = np.linalg.norm(ridge - ols)
    return Check("early stopping at λ = 0.085 lands near OLS",
                 np.linalg.norm(r["theta"] - ols) / gap, TOL_NEAR_OLS,
                 "the midpoint between the two candidate end points",
                 {**r, "to_ridge": float(np.linalg.norm(r["theta"] - ridge) / gap),
                  "risk_stopped": expected_test_mse(r["theta"], data),
                  "risk_ols": expected_test_mse(ols, data),
                  "risk_ridge": expected_test_mse(ridge, data)})
