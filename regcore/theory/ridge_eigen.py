"""Weight decay rescales the OLS solution along the Hessian's eigenvectors by h/(h+λ).

Chapter "Weight decay in the Hessian's eigenbasis" (Goodfellow et al. 2016, §7.1.1). In one
eigendirection of ``H`` with curvature ``h`` the loss is ``(h/2)(θ − w)²`` around the training
minimiser ``w = θ_OLS``; adding ``(λ/2)θ²`` (torch's ``weight_decay=λ`` for SGD and Adam, bias
included) moves the minimiser to ``h w/(h + λ)``. :func:`derive` obtains that with SymPy,
:func:`ridge_factors` evaluates it on the book's data, and the checks train regcore's linear
model: full-batch SGD must land on the closed form to float64 precision, and the post's minibatch
Adam only on average over its iterates. :func:`linear_risk_of_lambda` shows that the post's
λ = 0.085 is far too strong for the linear model.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from .._checks import check_int, check_real
from ..settings import check_setting, check_stable_lr
from ..training import TrainSettings
from ._common import batch_means_se, book_data, final_theta, fit_linear, tail_mean
from .check import Check
from .quadratic import expected_test_mse, quadratic

#: The post's weight decay.
LAMBDA = 0.085
#: Full-batch SGD in float64 must match the closed form to this relative error: the iteration
#: contracts to the fixed point, so only rounding (~1e-16 per operation, times a few hundred
#: operations of size ‖θ‖) remains; 1e-10 leaves five orders of margin for other BLAS builds.
TOL_FULL_BATCH = 1e-10
#: Minibatch Adam's iterate mean must sit within 5% of the ridge−OLS gap from the ridge solution:
#: a resolution fixed in advance (the effect measured is the gap), against iterates whose single
#: values wander 15–30% of it. The standard error of the mean is reported beside it.
TOL_MINIBATCH = 0.05


def derive() -> dict:
    """SymPy: minimise ``h/2 (θ − u)² + λ/2 θ²`` over θ (one eigendirection; u is the OLS
    solution's coordinate there, named apart from the weights w)."""
    theta, u = sp.symbols("theta u", real=True)
    h, lam = sp.symbols("h lambda", positive=True)
    objective = h / 2 * (theta - u) ** 2 + lam / 2 * theta ** 2
    stationary = sp.Eq(sp.diff(objective, theta), 0)
    (minimiser,) = sp.solve(stationary, theta)
    factor = sp.simplify(minimiser / u)
    curvature = sp.diff(objective, theta, 2)
    return {"objective": objective, "stationary": stationary,
            "minimiser": sp.Eq(sp.Symbol(r"\hat\theta"), minimiser),
            "factor": factor, "curvature": curvature, "symbols": (theta, u, h, lam)}


def ridge_factors(lam: float = LAMBDA, n_train: int = 200) -> dict:
    """The closed form on the book's data: H's eigenvalues, h/(h+λ), OLS and ridge minimisers."""
    lam = check_real("lam", lam, minimum=0.0)
    data = book_data(n_train)
    q = quadratic(data)
    d = derive()
    _, _, h, lam_s = d["symbols"]
    f = sp.lambdify((h, lam_s), d["factor"], "numpy")
    return {"data": data, "q": q, "evals": q.evals, "factors": f(q.evals, lam),
            "ols": q.ols(), "ridge": q.ridge(lam), "lam": lam}


def eigen_ratios(theta: np.ndarray, closed: dict) -> np.ndarray:
    """Per-eigendirection ratio of ``theta`` to θ_OLS (``(Qᵀθ)_α / (Qᵀθ_OLS)_α``)."""
    q = closed["q"]
    return q.to_eigen(theta) / q.to_eigen(closed["ols"])


def check_full_batch(lam: float = LAMBDA, lr: float = 0.4, epochs: int = 300) -> Check:
    """Full-batch SGD (float64) with ``weight_decay=λ`` against ``(H + λI)⁻¹c``."""
    lam = check_real("lam", lam, minimum=0.0)
    closed = ridge_factors(lam)
    top = closed["evals"][-1] + lam
    lr = check_stable_lr(lr, 2 / top, "gradient descent is stable below 2/(h_max + λ)")
    epochs = check_setting("epochs", epochs)
    res = fit_linear(closed["data"], TrainSettings(optimizer="sgd", lr=lr, epochs=epochs,
                                                   weight_decay=lam, snapshot_every=0))
    theta = final_theta(res)
    rel = np.linalg.norm(theta - closed["ridge"]) / np.linalg.norm(closed["ridge"])
    ratios = eigen_ratios(theta, closed)
    return Check("weight decay, full-batch SGD = ridge", rel, TOL_FULL_BATCH,
                 "float64 rounding of a contracting iteration",
                 {"theta": theta, "ratios": ratios, "factors": closed["factors"],
                  "evals": closed["evals"], "lr": lr, "epochs": epochs, "lam": lam,
                  "max_ratio_error": float(np.abs(ratios - closed["factors"]).max())})


#: The post's minibatch run: Adam's learning rate and batch size.
MINIBATCH_LR = 0.01
MINIBATCH_SIZE = 32


def check_minibatch_adam(lam: float = LAMBDA, lr: float = MINIBATCH_LR, epochs: int = 1000,
                         batch_size: int = MINIBATCH_SIZE, seed: int = 42) -> Check:
    """The post's minibatch Adam (``weight_decay=λ``): final iterate vs the mean of the last half.

    Measured: ``‖θ̄ − θ_ridge‖ / ‖θ_ridge − θ_OLS‖`` for the mean θ̄ of the per-epoch iterates over
    the last half of training.
    """
    lam = check_real("lam", lam, minimum=0.0, strict=True)
    closed = ridge_factors(lam)
    res = fit_linear(closed["data"], TrainSettings(optimizer="adam", lr=lr, epochs=epochs,
                                                   weight_decay=lam, batch_size=batch_size,
                                                   seed=seed, snapshot_every=1))
    gap = np.linalg.norm(closed["ridge"] - closed["ols"])
    mean = tail_mean(res)
    final = final_theta(res)
    half = np.asarray(res.snapshots, dtype=np.float64)[len(res.snapshots) // 2:]
    wander = np.linalg.norm(half - closed["ridge"], axis=1) / gap
    ratios = eigen_ratios(mean, closed)
    dev = np.abs(ratios - closed["factors"])
    return Check("weight decay, minibatch Adam iterate mean = ridge",
                 np.linalg.norm(mean - closed["ridge"]) / gap, TOL_MINIBATCH,
                 "iterate noise: a resolution of 5% of the ridge−OLS gap",
                 {"final_rel": float(np.linalg.norm(final - closed["ridge"]) / gap),
                  "wander_min": float(wander.min()), "wander_max": float(wander.max()),
                  "se_rel": float(batch_means_se(half) / gap), "ratios": ratios,
                  "final_ratios": eigen_ratios(final, closed),
                  "factors": closed["factors"], "evals": closed["evals"],
                  "median_ratio_error": float(np.median(dev)), "max_ratio_error": float(dev.max()),
                  "ols_eigen": closed["q"].to_eigen(closed["ols"]), "epochs": epochs})


def linear_risk_of_lambda(lams=None, n_train: int = 200) -> dict:
    """Expected test MSE ``σ² + ‖θ̂(λ) − θ_true‖²`` of the ridge solution over a grid of λ.

    The risk-optimal λ on the grid, and the risks of OLS and of the post's λ, for the chapter's
    warning that λ = 0.085 is tuned for the MLP, not for the linear model.
    """
    data = book_data(n_train)
    q = quadratic(data)
    lams = np.geomspace(1e-5, 1.0, 301) if lams is None else np.asarray(lams, dtype=float)
    risks = np.array([expected_test_mse(q.ridge(l), data) for l in lams])
    best = int(np.argmin(risks))
    free_bias = np.eye(len(q.c))
    free_bias[-1, -1] = 0.0   # sklearn's Ridge: intercept not penalised
    theta_free = np.linalg.solve(q.H + LAMBDA * free_bias, q.c)
    return {"post_risk_free_bias": expected_test_mse(theta_free, data),"lams": lams, "risks": risks, "best_lam": float(lams[best]),
            "best_risk": float(risks[best]), "ols_risk": expected_test_mse(q.ols(), data),
            "post_risk": expected_test_mse(q.ridge(LAMBDA), data),
            "overshoot": LAMBDA / float(lams[best])}
