"""L1 soft-thresholds the OLS solution — exactly only for a whitened design, and only a proximal
step makes exact zeros.

Chapter "L1: soft-thresholding and where sparsity shows" (Goodfellow et al. 2016, §7.1.2;
Tibshirani 1996). With a diagonal Hessian the penalised loss splits into one-dimensional
problems ``(h/2)(θ − w)² + λ|θ|``; SymPy solves each sign branch and :func:`derive` assembles the
soft-threshold ``sign(w)·max(|w| − λ/h, 0)``. On the whitened toy problem (``AᵀA/n = I``, so
``H = 2I``) that is the exact lasso solution: :func:`check_ista` iterates the proximal update
(ISTA) and must land on it to float64 precision, with the same exact zeros. The post's update adds
``λ·sign θ`` to the gradient instead: :func:`check_sign_gradient` trains with it and measures how
far the should-be-zero weights swing around zero. :func:`sparsity_counts` counts small weights in
the linear model and the post's MLP.
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from .._checks import check_int, check_real
from ..settings import check_stable_lr
from ..experiments import run
from ..training import TrainSettings
from ._common import book_data, fit_linear
from .check import Check
from .quadratic import quadratic

#: The post's L1 strength.
LAMBDA = 0.021
#: A stronger λ for the exact-zero checks: on the whitened data the post's λ = 0.021 (threshold
#: λ/2 = 0.0105) zeroes nothing, since the smallest |θ_OLS| there is 0.013; at λ = 0.1 four
#: coordinates fall below the threshold 0.05.
LAMBDA_DEMO = 0.1
#: ISTA on H = 2I contracts by (1 − 2η) per step to the closed form; what remains after it has
#: converged is float64 rounding, ~1e-16 relative to |θ| ≲ 3: 1e-12 is a loose bound.
TOL_ISTA = 1e-12
#: Sign-gradient SGD: near zero a step moves θ by η(2(θ − w) + λ sign θ), at most 2ηλ when
#: |w| < λ/2 (the threshold) and |θ| small, so the should-be-zero weights stay within 2ηλ once
#: they have arrived. Measured: max |θᵢ| over the last half of training, in units of 2ηλ; ≤ 1.
TOL_SIGN_AMPLITUDE = 1.0


def soft_threshold(w, t):
    """``sign(w)·max(|w| − t, 0)`` (NumPy)."""
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


def derive() -> dict:
    """SymPy: the minimiser of ``(h/2)(θ − u)² + λ|θ|`` by sign branches, as a Piecewise."""
    u = sp.Symbol("u", real=True)   # the unregularised minimiser (the book's u)
    h, lam = sp.symbols("h lambda", positive=True)
    tp = sp.Symbol("theta", positive=True)
    tn = sp.Symbol("theta", negative=True)
    (pos,) = sp.solve(sp.diff(h / 2 * (tp - u) ** 2 + lam * tp, tp), tp)   # θ > 0 branch
    (neg,) = sp.solve(sp.diff(h / 2 * (tn - u) ** 2 - lam * tn, tn), tn)   # θ < 0 branch
    # A branch is valid when its solution has the branch's sign; otherwise θ = 0 (subgradient
    # condition |h u| ≤ λ).
    piecewise = sp.Piecewise((pos, sp.solve(pos > 0, u)), (neg, sp.solve(neg < 0, u)),
                             (0, True))
    threshold = sp.solve(sp.Eq(pos, 0), u)[0]
    return {"positive_branch": pos, "negative_branch": neg, "minimiser": piecewise,
            "threshold": threshold, "symbols": (u, h, lam)}


def closed_form(lam: float = LAMBDA) -> dict:
    """On the whitened data: θ_OLS = Aᵀy/n, H = 2I, lasso θ = S(θ_OLS, λ/2) (bias penalised too)."""
    lam = check_real("lam", lam, minimum=0.0)
    data = book_data(whiten=True)
    q = quadratic(data)
    ols = q.ols()
    h = np.diag(q.H)
    return {"data": data, "q": q, "ols": ols, "h": h, "lasso": soft_threshold(ols, lam / h),
            "threshold": lam / h, "lam": lam,
            "whiteness": float(np.abs(q.H - 2 * np.eye(len(h))).max())}


def ista(q, lam: float, lr: float, steps: int, theta0=None) -> np.ndarray:
    """Proximal gradient descent ``θ ← S_{ηλ}(θ − η∇L)``; returns every iterate (steps+1 rows)."""
    theta = np.zeros(len(q.c)) if theta0 is None else np.array(theta0, dtype=float)
    out = np.empty((steps + 1, len(theta)))
    out[0] = theta
    for k in range(steps):
        theta = soft_threshold(theta - lr * q.grad(theta), lr * lam)
        out[k + 1] = theta
    return out


def check_ista(lam: float = LAMBDA_DEMO, lr: float = 0.1, steps: int = 400) -> Check:
    """ISTA on the whitened data against the soft-threshold closed form (max abs difference)."""
    cf = closed_form(lam)
    lr = check_stable_lr(lr, 1.0, "ISTA on whitened data: step below 1/h = 1")
    steps = check_int("steps", steps, minimum=1)
    path = ista(cf["q"], lam, lr, steps)
    theta = path[-1]
    zeros_closed = np.flatnonzero(cf["lasso"] == 0)
    zeros_ista = np.flatnonzero(theta == 0)
    err = float(np.abs(theta - cf["lasso"]).max())
    if not np.array_equal(zeros_closed, zeros_ista):
        err = np.inf  # a differing set of exact zeros fails the check outright
    return Check("L1, ISTA = soft-threshold (whitened)", err, TOL_ISTA,
                 "float64 rounding after convergence",
                 {"theta": theta, "path": path, "zeros": zeros_closed, "lr": lr, "steps": steps,
                  **cf})


def _swing_around_zero(res, cf: dict, lam: float):
    """Snapshots, their last half, the closed form's zero mask and the largest |θᵢ| there."""
    snaps = np.asarray(res.snapshots, dtype=np.float64)
    tail = snaps[len(snaps) // 2:]
    zero = cf["lasso"] == 0
    if not zero.any():
        raise ValueError(f"lam={lam!r} is not allowed here: it zeroes no coordinate, so there is "
                         "no swing around zero to measure (use a larger lam, e.g. LAMBDA_DEMO)")
    return snaps, tail, zero, float(np.abs(tail[:, zero]).max())


def check_sign_gradient(lam: float = LAMBDA_DEMO, lr: float = 0.05, epochs: int = 600) -> Check:
    """Full-batch SGD with the post's ``l1·sign θ`` term on the whitened data (float64).

    Measured: max |θᵢ| over the last half of the epochs, over the coordinates the closed form
    sets to zero, divided by 2ηλ.
    """
    cf = closed_form(lam)
    res = fit_linear(cf["data"], TrainSettings(optimizer="sgd", lr=lr, epochs=epochs, l1=lam,
                                               snapshot_every=1))
    snaps, tail, zero, amplitude = _swing_around_zero(res, cf, lam)
    mean_err = float(np.abs(tail.mean(0) - cf["lasso"]).max())
    return Check("L1, sign-gradient SGD swings within 2ηλ of zero",
                 amplitude / (2 * lr * lam), TOL_SIGN_AMPLITUDE,
                 "the largest step the update can take near zero",
                 {"amplitude": amplitude, "exact_zeros": int((snaps[-1] == 0).sum()),
                  "tail_mean_max_error": mean_err, "snapshots": snaps, "zero_mask": zero,
                  "lr": lr, **cf})


def adam_sign_amplitude(lam: float = LAMBDA_DEMO, lr: float = 0.01, epochs: int = 1000,
                        batch_size: int | None = None) -> dict:
    """The post's Adam with ``l1=λ`` on the whitened data: swing of the should-be-zero weights.

    Returns the max |θᵢ| over the last half of training (over the closed form's zeros), and the
    same in units of ``lr`` and of the threshold λ/2. No tolerance: a measurement the chapter
    reports.
    """
    cf = closed_form(lam)
    res = fit_linear(cf["data"], TrainSettings(optimizer="adam", lr=lr, epochs=epochs, l1=lam,
                                               batch_size=batch_size, snapshot_every=1))
    snaps, _, zero, amplitude = _swing_around_zero(res, cf, lam)
    return {"amplitude": amplitude, "lr": lr, "per_lr": amplitude / lr,
            "per_threshold": amplitude / float(cf["threshold"][0]),
            "exact_zeros": int((snaps[-1] == 0).sum()), "snapshots": snaps, "zero_mask": zero,
            "batch_size": batch_size}


def sparsity_counts(lam: float = LAMBDA) -> dict:
    """Where L1 sparsity shows: zeros of the lasso on the raw linear problem vs the MLP's weights.

    Linear: ISTA (η = 0.2, 3000 steps, converged) on the raw data counts exact zeros among the 50
    weights. MLP: the post's L1 run and its unregularised run, best states; the fraction of
    weights below the threshold λ/2 in magnitude.
    """
    data = book_data()
    q = quadratic(data)
    lasso_raw = ista(q, lam, 0.2, 3000)[-1]
    out = {"linear_zeros": int((lasso_raw[:-1] == 0).sum()), "linear_weights": len(lasso_raw) - 1,
           "linear_below": int((np.abs(q.ols()[:-1]) < lam / 2).sum())}
    for name in ("l1", "mlp"):
        res = run(name, 200, snapshot_every=0)
        w = np.concatenate([v.numpy().ravel() for k, v in res.best_state.items()
                            if k.endswith("weight")])
        out[f"{name}_small_fraction"] = float((np.abs(w) < lam / 2).mean())
        out[f"{name}_weights"] = np.abs(w)
    out["mlp_n_weights"] = int(len(out["l1_weights"]))
    return out
