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

#: The post's weight decay.
LAMBDA_POST = 0.085
#: A λ much larger than every curvature of H, where early stopping matches ridge.
LAMBDA_LARGE = 50.0
#: Tolerance of :func:`check_exact`, an absolute difference. GD's factors 1 − (1 − ηh)^τ read off
#: the trained model must equal the closed form; a contracting iteration in float64 leaves
#: rounding only, so 1e-10 absolute (factors are ≤ 1).
TOL_EXACT = 1e-10
# The ridge/early-stopping match at λ = 50: derive()'s series gives a relative mismatch
# h/(2λ) + O(η h, (h/λ)²) per direction; the tolerance h_max/λ is twice the leading term.
# (Computed from the data in check_large_lambda, so it has no constant here.)
#: Tolerance of :func:`check_post_lambda`, a fraction of the ridge−OLS gap. Where early stopping
#: at λ = 0.085 lands, its distance to OLS over the gap; below 0.5 means nearer to OLS than to
#: ridge.
TOL_NEAR_OLS = 0.5


def derive() -> dict:
    r"""SymPy: GD's recurrence solved, the stopping time that matches ridge, and its limits.

    Along one eigendirection of curvature :math:`h`, gradient descent from 0 towards the OLS
    coordinate :math:`w` is :math:`\theta_{k+1} = \theta_k - \eta h(\theta_k - w)`; ``rsolve``
    gives :math:`\theta_k = [1 - (1 - \eta h)^k]w`. Setting the factor equal to ridge's
    :math:`h/(h + \lambda)` gives the matching stopping time :math:`\tau`, which tends to
    :math:`1/(\eta\lambda)` as :math:`h \to 0`; at :math:`\tau = 1/(\eta\lambda)` the ratio of
    the two factors is expanded to first order in :math:`h`.

    Returns
    -------
    dict
        ``"path"`` (:math:`\theta_k`), ``"gd_factor"`` (:math:`1 - (1 - \eta h)^k`),
        ``"ridge_factor"``, ``"tau_match"`` (the matching :math:`\tau`), ``"tau_small_h"`` (its
        limit, :math:`1/(\eta\lambda)`), ``"mismatch"`` (GD's factor over ridge's at
        :math:`\tau = 1/(\eta\lambda)`, to first order in :math:`h`) and ``"symbols"``,
        ``(h, lambda, eta, tau)``.
    """
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
    r"""Per-direction factors of GD after ``steps`` steps and of ridge at ``lam``.

    Nothing is checked here.

    Parameters
    ----------
    evals : numpy.ndarray
        The curvatures :math:`h`, eigenvalues of ``H``.
    lam : float
        The ridge strength :math:`\lambda`.
    lr : float
        GD's step :math:`\eta`.
    steps : int
        Number of GD steps :math:`\tau` from 0.

    Returns
    -------
    dict
        ``"gd"`` (:math:`1 - (1 - \eta h)^\tau`) and ``"ridge"`` (:math:`h/(h + \lambda)`), one
        factor per eigenvalue.
    """
    return {"gd": 1 - (1 - lr * evals) ** steps, "ridge": evals / (evals + lam)}


def run_gd(lam: float, lr: float) -> dict:
    r"""Train the zero-initialised linear model for the stopping time that matches ridge at ``lam``.

    The stopping time is :math:`\tau` = round(:math:`1/(\eta\lambda)`) full-batch steps.
    regcore's linear model (float64, the post's draw), with its parameters set to zero, is
    trained by :func:`regcore.training.fit` with SGD at full batch and no penalty for
    :math:`\tau` steps (at least 1), and its final parameters are read in the eigenbasis of
    ``H`` as factors of the OLS coordinates.

    Parameters
    ----------
    lam : float
        The λ the stopping time matches, finite and > 0.
    lr : float
        SGD's step :math:`\eta`, > 0.

    Returns
    -------
    dict
        ``"theta"`` (the final parameters), ``"steps"`` (:math:`\tau`), ``"measured"`` (the
        factors read off, per eigendirection, ascending eigenvalues), ``"q"`` (the
        :class:`~regcore.theory.quadratic.Quadratic`), ``"data"``, ``"lam"``, ``"lr"``, and
        ``"gd"`` and ``"ridge"`` from :func:`factors`.

    Raises
    ------
    ValueError
        When ``lam`` or ``lr`` is not allowed (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
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
    r"""Check: the trained model's factors equal the solved recurrence, 1 − (1 − ηh)^τ.

    Measured: the largest absolute difference between :func:`run_gd`'s measured factors and
    the closed form, against :data:`TOL_EXACT`.

    Parameters
    ----------
    lam : float, optional
        The λ that sets :math:`\tau = 1/(\eta\lambda)`, finite and > 0. Default
        ``LAMBDA_POST``, ``0.085``.
    lr : float, optional
        SGD's step, > 0. Default ``0.1``.

    Returns
    -------
    regcore.theory.check.Check
        The largest difference; ``values`` is :func:`run_gd`'s result.

    Raises
    ------
    ValueError
        When ``lam`` or ``lr`` is not allowed (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    r = run_gd(lam, lr)
    return Check("early stopping: trained factors = 1 − (1 − ηh)^τ",
                 np.abs(r["measured"] - r["gd"]).max(), TOL_EXACT, "float64 rounding", r)


def check_large_lambda(lam: float = LAMBDA_LARGE, lr: float = 0.001) -> Check:
    r"""Check: at λ = 50, where every curvature h ≪ λ, early stopping matches ridge.

    The stopping time is :math:`\tau = 1/(\eta\lambda)` (rounded). Measured: the largest
    relative mismatch :math:`|f_\mathrm{GD}/f_\mathrm{ridge} - 1|` of the trained factors
    (:func:`run_gd`) against ridge's, over the eigendirections. The tolerance is
    :math:`h_\mathrm{max}/\lambda`, twice the leading term :math:`h/(2\lambda)` of
    :func:`derive`'s series.

    Parameters
    ----------
    lam : float, optional
        The λ, finite and > 0. Default ``LAMBDA_LARGE``, ``50.0``.
    lr : float, optional
        SGD's step, > 0. Default ``0.001``.

    Returns
    -------
    regcore.theory.check.Check
        The largest mismatch; ``values`` is :func:`run_gd`'s result and ``"relative"``, the
        mismatch per eigendirection.

    Raises
    ------
    ValueError
        When ``lam`` or ``lr`` is not allowed (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    r = run_gd(lam, lr)
    rel = np.abs(r["measured"] / r["ridge"] - 1)
    return Check("early stopping at τ = 1/(ηλ) = ridge when h ≪ λ (λ = 50)", rel.max(),
                 r["q"].evals[-1] / lam, "twice the leading term h/(2λ) of the series",
                 {**r, "relative": rel})


def check_post_lambda(lam: float = LAMBDA_POST, lr: float = 0.1) -> Check:
    r"""Check: at the post's λ = 0.085, early stopping lands nearer OLS than ridge.

    The stopping time is :math:`\tau = 1/(\eta\lambda)` (rounded). Measured: the distance of
    :func:`run_gd`'s final parameters to OLS over the ridge−OLS gap, against
    :data:`TOL_NEAR_OLS`.

    Parameters
    ----------
    lam : float, optional
        The λ, finite and > 0. Default ``LAMBDA_POST``, ``0.085``.
    lr : float, optional
        SGD's step, > 0. Default ``0.1``.

    Returns
    -------
    regcore.theory.check.Check
        The relative distance; ``values`` is :func:`run_gd`'s result and ``"to_ridge"`` (the
        distance to ridge over the gap) and the exact expected test MSEs ``"risk_stopped"``,
        ``"risk_ols"`` and ``"risk_ridge"``.

    Raises
    ------
    ValueError
        When ``lam`` or ``lr`` is not allowed (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
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
