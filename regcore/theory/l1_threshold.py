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
#: A stronger λ for the exact-zero checks. On the whitened data the post's λ = 0.021 (threshold
#: λ/2 = 0.0105) zeroes nothing, since the smallest ``|θ_OLS|`` there is 0.013; at λ = 0.1 four
#: coordinates fall below the threshold 0.05.
LAMBDA_DEMO = 0.1
#: Tolerance of :func:`check_ista`, an absolute difference. ISTA on H = 2I contracts by (1 − 2η)
#: per step to the closed form; what remains after it has converged is float64 rounding, ~1e-16
#: relative to ``|θ| ≲ 3``, so 1e-12 is a loose bound.
TOL_ISTA = 1e-12
#: Tolerance of :func:`check_sign_gradient`, in units of 2ηλ. Near zero a sign-gradient SGD step
#: moves θ by η(2(θ − w) + λ sign θ), at most 2ηλ when ``|w| < λ/2`` (the threshold) and ``|θ|``
#: small, so the should-be-zero weights stay within 2ηλ once they have arrived. Measured:
#: ``max |θᵢ|`` over the last half of training, in units of 2ηλ; ≤ 1.
TOL_SIGN_AMPLITUDE = 1.0


def soft_threshold(w, t):
    r"""The soft-threshold :math:`S_t(w) = \operatorname{sign}(w)\max(|w| - t, 0)`, elementwise.

    Moves each value by ``t`` towards zero and sets those within ``t`` of zero to exactly 0: the
    lasso solution for a diagonal Hessian, and the proximal step of :func:`ista`.

    Parameters
    ----------
    w : array_like
        The values to threshold.
    t : float or array_like
        The threshold, >= 0; an array is broadcast against ``w`` (one threshold per value).

    Returns
    -------
    numpy.ndarray
        The thresholded values, the shape of ``w`` and ``t`` broadcast.
    """
    return np.sign(w) * np.maximum(np.abs(w) - t, 0.0)


def derive() -> dict:
    r"""SymPy: the minimiser of :math:`\frac h2(\theta - u)^2 + \lambda|\theta|` by sign branches.

    :math:`u` is the unregularised minimiser. Each branch (:math:`\theta > 0`,
    :math:`\theta < 0`) is solved for its stationary point and kept where the solution has the
    branch's sign; elsewhere :math:`\theta = 0` (the subgradient condition
    :math:`|hu| \le \lambda`). Assembled, that is the soft-threshold
    :math:`\operatorname{sign}(u)\max(|u| - \lambda/h, 0)`.

    Returns
    -------
    dict
        ``"positive_branch"`` (:math:`u - \lambda/h`), ``"negative_branch"``
        (:math:`u + \lambda/h`), ``"minimiser"`` (the ``sympy.Piecewise`` of both and 0),
        ``"threshold"`` (the :math:`u` where the positive branch reaches 0,
        :math:`\lambda/h`) and ``"symbols"``, ``(u, h, lambda)``.
    """
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
    r"""The lasso's closed form on the whitened data: the soft-thresholded OLS solution.

    On the post's draw whitened in float64 (:func:`regcore.data.whiten_design`,
    :math:`A^\top A/n = I`), :math:`H = 2I` and :math:`\theta_\mathrm{OLS} = A^\top y/n`, so the
    minimiser of :math:`L + \lambda\lVert\theta\rVert_1` (the bias penalised too) is
    :math:`S_{\lambda/h}(\theta_\mathrm{OLS})` with :math:`h = 2`, coordinate by coordinate
    (:func:`soft_threshold`; :math:`h` is read off the diagonal of ``H``).

    Parameters
    ----------
    lam : float, optional
        The L1 strength :math:`\lambda`, finite and >= 0. Default ``LAMBDA``, ``0.021``.

    Returns
    -------
    dict
        ``"data"`` (the whitened float64 :class:`regcore.data.ToyData`), ``"q"`` (its
        :class:`~regcore.theory.quadratic.Quadratic`), ``"ols"``, ``"h"`` (the diagonal of
        ``H``), ``"lasso"`` (the closed form), ``"threshold"`` (:math:`\lambda/h` per
        coordinate), ``"lam"`` and ``"whiteness"``, the largest absolute entry of
        :math:`H - 2I`.

    Raises
    ------
    ValueError
        When ``lam`` is not a finite number >= 0 (the message names it).
    """
    lam = check_real("lam", lam, minimum=0.0)
    data = book_data(whiten=True)
    q = quadratic(data)
    ols = q.ols()
    h = np.diag(q.H)
    return {"data": data, "q": q, "ols": ols, "h": h, "lasso": soft_threshold(ols, lam / h),
            "threshold": lam / h, "lam": lam,
            "whiteness": float(np.abs(q.H - 2 * np.eye(len(h))).max())}


def ista(q, lam: float, lr: float, steps: int, theta0=None) -> np.ndarray:
    r"""Proximal gradient descent (ISTA) on a quadratic with an L1 penalty.

    Iterates :math:`\theta \leftarrow S_{\eta\lambda}(\theta - \eta\nabla L(\theta))` in float64
    NumPy (:func:`soft_threshold`), which makes exact zeros. Nothing is checked here: a step
    above the stable range diverges.

    Parameters
    ----------
    q : regcore.theory.quadratic.Quadratic
        The loss :math:`L`.
    lam : float
        The L1 strength :math:`\lambda`.
    lr : float
        The step :math:`\eta`.
    steps : int
        Number of steps.
    theta0 : array_like or None, optional
        The start. Default ``None``: zeros.

    Returns
    -------
    numpy.ndarray
        Every iterate, the start first: ``(steps + 1, dims + 1)``.
    """
    theta = np.zeros(len(q.c)) if theta0 is None else np.array(theta0, dtype=float)
    out = np.empty((steps + 1, len(theta)))
    out[0] = theta
    for k in range(steps):
        theta = soft_threshold(theta - lr * q.grad(theta), lr * lam)
        out[k + 1] = theta
    return out


def check_ista(lam: float = LAMBDA_DEMO, lr: float = 0.1, steps: int = 400) -> Check:
    """Check: ISTA on the whitened data lands on the soft-threshold closed form, zeros included.

    Runs :func:`ista` from zero on :func:`closed_form`'s data and measures the largest absolute
    difference between the last iterate and the closed form, against :data:`TOL_ISTA`. If the
    two differ in which coordinates are exactly 0, the measurement is infinite and the check
    fails.

    Parameters
    ----------
    lam : float, optional
        The L1 strength, finite and >= 0. Default ``LAMBDA_DEMO``, ``0.1``, which zeroes four
        coordinates.
    lr : float, optional
        ISTA's step, > 0 and below 1 (:math:`2/h` with :math:`h = 2` on the whitened data).
        Default ``0.1``.
    steps : int, optional
        Number of ISTA steps, >= 1. Default ``400``.

    Returns
    -------
    regcore.theory.check.Check
        The largest difference; ``values`` holds ``"theta"`` (the last iterate), ``"path"``
        (every iterate), ``"zeros"`` (the indices the closed form sets to 0), ``"lr"``,
        ``"steps"`` and every entry of :func:`closed_form`'s result.

    Raises
    ------
    ValueError
        When ``lam``, ``lr`` or ``steps`` is not allowed (the message names it).
    """
    cf = closed_form(lam)
    lr = check_stable_lr(lr, 1.0, "ISTA on whitened data: step below 2/h = 1, h = 2")
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
    r"""Check: full-batch SGD with the post's ``l1·sign θ`` term swings within 2ηλ of zero.

    Trains regcore's linear model (float64, seeded initialisation) on :func:`closed_form`'s
    whitened data with SGD at full batch and manual ``l1=λ``, a snapshot every epoch. The
    coordinates the closed form sets to zero do not stay at zero; they swing around it.
    Measured: the largest :math:`|\theta_i|` over those coordinates and over the last half of
    the snapshots, divided by :math:`2\eta\lambda`, against :data:`TOL_SIGN_AMPLITUDE`.

    Parameters
    ----------
    lam : float, optional
        The L1 strength, finite and >= 0; it must set at least one coordinate of the closed form
        to zero. Default ``LAMBDA_DEMO``, ``0.1``.
    lr : float, optional
        SGD's step :math:`\eta`, > 0. Default ``0.05``.
    epochs : int, optional
        Training epochs, >= 1. Default ``600``.

    Returns
    -------
    regcore.theory.check.Check
        The swing in units of :math:`2\eta\lambda`; ``values`` holds ``"amplitude"`` (the swing
        itself), ``"exact_zeros"`` (how many parameters are exactly 0 in the last snapshot),
        ``"tail_mean_max_error"`` (the largest difference between the mean of the last half and
        the closed form), ``"snapshots"``, ``"zero_mask"`` (the closed form's zeros), ``"lr"``
        and every entry of :func:`closed_form`'s result.

    Raises
    ------
    ValueError
        When ``lam``, ``lr`` or ``epochs`` is not allowed, or when ``lam`` zeroes no coordinate
        (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
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
    r"""The post's Adam with ``l1=λ`` on the whitened data: the swing of the should-be-zero weights.

    Trains regcore's linear model (float64, seeded initialisation) with Adam and manual
    ``l1=λ``, a snapshot every epoch, and measures the largest :math:`|\theta_i|` over the last
    half of the snapshots and over the coordinates the closed form (:func:`closed_form`) sets to
    zero. No tolerance: a measurement the chapter reports.

    Parameters
    ----------
    lam : float, optional
        The L1 strength, finite and >= 0; it must set at least one coordinate of the closed form
        to zero. Default ``LAMBDA_DEMO``, ``0.1``.
    lr : float, optional
        Adam's learning rate, > 0. Default ``0.01``.
    epochs : int, optional
        Training epochs, >= 1. Default ``1000``.
    batch_size : int or None, optional
        Minibatch size, from 1 to the 200 training points. Default ``None``: full batch.

    Returns
    -------
    dict
        ``"amplitude"`` (the swing), ``"per_lr"`` (it over ``lr``), ``"per_threshold"`` (it
        over the threshold :math:`\lambda/2`), ``"exact_zeros"`` (how many parameters are
        exactly 0 in the last snapshot), ``"snapshots"``, ``"zero_mask"`` (the closed form's zeros),
        ``"lr"`` and ``"batch_size"``.

    Raises
    ------
    ValueError
        When ``lam``, ``lr``, ``epochs`` or ``batch_size`` is not allowed, or when ``lam``
        zeroes no coordinate (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
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
    r"""Where L1 sparsity shows: the lasso's zeros on the raw linear problem, the MLP's weights.

    Linear: :func:`ista` (:math:`\eta = 0.2`, 3000 steps, converged) on the raw (not whitened)
    float64 data counts the exact zeros among the 50 weights. MLP: the post's L1 run and its
    unregularised run (:func:`regcore.experiments.run`, ``"l1"`` and ``"mlp"``, float32) are
    trained, and the weights of their best states (the bias vectors left out) are compared with
    the threshold :math:`\lambda/2`.

    Parameters
    ----------
    lam : float, optional
        The L1 strength of the lasso and of the threshold. The MLP runs use the post's own
        strength whatever ``lam`` is. Default ``LAMBDA``, ``0.021``.

    Returns
    -------
    dict
        ``"linear_zeros"`` (exact zeros of the lasso's weights), ``"linear_weights"`` (50),
        ``"linear_below"`` (OLS weights smaller than :math:`\lambda/2` in magnitude),
        ``"l1_small_fraction"`` and ``"mlp_small_fraction"`` (the fraction of each MLP's weights
        below :math:`\lambda/2` in magnitude), ``"l1_weights"`` and ``"mlp_weights"`` (the
        weights' magnitudes) and ``"mlp_n_weights"`` (how many weights the MLP has).

    Raises
    ------
    regcore.training.DivergenceError
        When a training or validation loss of an MLP run becomes NaN or infinite.
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
