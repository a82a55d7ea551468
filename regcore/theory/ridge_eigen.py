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
#: Tolerance of :func:`check_full_batch`, a relative error. Full-batch SGD in float64 must match
#: the closed form to it: the iteration contracts to the fixed point, so only rounding (~1e-16
#: per operation, times a few hundred operations of size ‖θ‖) remains; 1e-10 leaves five orders
#: of margin for other BLAS builds.
TOL_FULL_BATCH = 1e-10
#: Tolerance of :func:`check_minibatch_adam`, a fraction of the ridge−OLS gap. Minibatch Adam's
#: iterate mean must sit within 5% of the gap from the ridge solution: a resolution fixed in
#: advance (the effect measured is the gap), against iterates whose single values wander 15–30%
#: of it. The standard error of the mean is reported beside it.
TOL_MINIBATCH = 0.05


def derive() -> dict:
    r"""SymPy: the minimiser of the penalised loss along one eigendirection of ``H``.

    Minimises :math:`\frac h2(\theta - u)^2 + \frac\lambda2\theta^2` over :math:`\theta`, where
    :math:`h` is the curvature of the direction and :math:`u` the OLS solution's coordinate
    there (named apart from the weights :math:`w`): the stationary point is
    :math:`hu/(h + \lambda)`, the OLS coordinate times :math:`h/(h + \lambda)`. Chapter "Weight
    decay in the Hessian's eigenbasis" prints these expressions.

    Returns
    -------
    dict
        ``"objective"`` (the penalised loss), ``"stationary"`` (its derivative set to 0, a
        ``sympy.Eq``), ``"minimiser"`` (``sympy.Eq`` of :math:`\hat\theta` and the solution),
        ``"factor"`` (:math:`h/(h + \lambda)`), ``"curvature"`` (the second derivative,
        :math:`h + \lambda`) and ``"symbols"``, the SymPy symbols ``(theta, u, h, lambda)``.
    """
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
    r"""The closed form on the book's data: eigenvalues, factors, OLS and ridge minimisers.

    The eigenvalues :math:`h` of ``H``, the factors :math:`h/(h+\lambda)`, and the two
    minimisers of the linear model's training loss. The data are the post's draw (seed 42) in
    float64; the factors are :func:`derive`'s expression evaluated at each eigenvalue. Also
    used by :func:`regcore.figures.grid_explorers.weight_decay_explorer`.

    Parameters
    ----------
    lam : float, optional
        The weight decay :math:`\lambda`, finite and >= 0. Default ``LAMBDA``, ``0.085``.
    n_train : int, optional
        Training points of the draw, >= 1. Default ``200``.

    Returns
    -------
    dict
        ``"data"`` (the float64 :class:`regcore.data.ToyData`), ``"q"`` (its
        :class:`~regcore.theory.quadratic.Quadratic`), ``"evals"`` (the eigenvalues of ``H``,
        ascending), ``"factors"`` (:math:`h/(h+\lambda)` per eigenvalue), ``"ols"`` and
        ``"ridge"`` (the minimisers, weights then bias) and ``"lam"``.

    Raises
    ------
    ValueError
        When ``lam`` or ``n_train`` is not allowed (the message names it).
    """
    lam = check_real("lam", lam, minimum=0.0)
    data = book_data(n_train)
    q = quadratic(data)
    d = derive()
    _, _, h, lam_s = d["symbols"]
    f = sp.lambdify((h, lam_s), d["factor"], "numpy")
    return {"data": data, "q": q, "evals": q.evals, "factors": f(q.evals, lam),
            "ols": q.ols(), "ridge": q.ridge(lam), "lam": lam}


def eigen_ratios(theta: np.ndarray, closed: dict) -> np.ndarray:
    r"""Per-eigendirection ratio of ``theta`` to :math:`\theta_\mathrm{OLS}`.

    The ratio :math:`(Q^\top\theta)_\alpha / (Q^\top\theta_\mathrm{OLS})_\alpha` for each
    eigenvector :math:`\alpha` of ``H``; for the ridge solution it is :math:`h/(h+\lambda)`.

    Parameters
    ----------
    theta : numpy.ndarray
        A parameter vector of the linear model, weights then bias, ``(dims + 1,)``.
    closed : dict
        The result of :func:`ridge_factors` (its ``"q"`` and ``"ols"`` are read).

    Returns
    -------
    numpy.ndarray
        One ratio per eigendirection, in the order of ascending eigenvalues.
    """
    q = closed["q"]
    return q.to_eigen(theta) / q.to_eigen(closed["ols"])


def check_full_batch(lam: float = LAMBDA, lr: float = 0.4, epochs: int = 300) -> Check:
    r"""Check: full-batch SGD (float64) with ``weight_decay=λ`` lands on the ridge solution.

    The ridge solution is :math:`(H + \lambda I)^{-1}c`. Trains regcore's linear model (seeded
    initialisation, float64 data of the post's draw) with :func:`regcore.training.fit`, SGD at
    full batch for ``epochs`` epochs, and measures the relative error
    :math:`\lVert\theta - \theta_\mathrm{ridge}\rVert / \lVert\theta_\mathrm{ridge}\rVert` of
    the final parameters against :data:`TOL_FULL_BATCH`.

    Parameters
    ----------
    lam : float, optional
        The weight decay :math:`\lambda`, finite and >= 0. Default ``LAMBDA``, ``0.085``.
    lr : float, optional
        SGD's step, > 0 and below :math:`2/(h_\mathrm{max} + \lambda)`, where gradient descent
        on the quadratic is stable. Default ``0.4``.
    epochs : int, optional
        Full-batch steps, >= 1. Default ``300``.

    Returns
    -------
    regcore.theory.check.Check
        The relative error; ``values`` holds ``"theta"`` (the final parameters), ``"ratios"``
        (:func:`eigen_ratios` of them), ``"factors"`` and ``"evals"`` (from
        :func:`ridge_factors`), ``"lr"``, ``"epochs"``, ``"lam"`` and ``"max_ratio_error"``, the
        largest absolute difference between the ratios and the factors.

    Raises
    ------
    ValueError
        When ``lam``, ``lr`` or ``epochs`` is not allowed, or ``lr`` is not below the stability
        limit (the message names it).
    """
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


#: Adam's learning rate in the post's minibatch run.
MINIBATCH_LR = 0.01
#: The batch size of the post's minibatch run.
MINIBATCH_SIZE = 32


def check_minibatch_adam(lam: float = LAMBDA, lr: float = MINIBATCH_LR, epochs: int = 1000,
                         batch_size: int = MINIBATCH_SIZE, seed: int = 42) -> Check:
    r"""Check: the iterate mean of the post's minibatch Adam (``weight_decay=λ``) is ridge.

    Trains regcore's linear model (float64, seeded initialisation) with Adam, minibatches of
    ``batch_size`` and a snapshot every epoch. Minibatch noise keeps single iterates wandering
    around the ridge solution, so the check measures the mean :math:`\bar\theta` of the
    per-epoch iterates over the last half of training:
    :math:`\lVert\bar\theta - \theta_\mathrm{ridge}\rVert / \lVert\theta_\mathrm{ridge} -
    \theta_\mathrm{OLS}\rVert`, against :data:`TOL_MINIBATCH`.

    Parameters
    ----------
    lam : float, optional
        The weight decay :math:`\lambda`, finite and > 0 (the measurement divides by the
        ridge−OLS gap). Default ``LAMBDA``, ``0.085``.
    lr : float, optional
        Adam's learning rate, > 0. Default ``MINIBATCH_LR``, ``0.01``.
    epochs : int, optional
        Training epochs, >= 1. Default ``1000``.
    batch_size : int, optional
        Minibatch size, from 1 to the 200 training points. Default ``MINIBATCH_SIZE``, ``32``.
    seed : int, optional
        The training seed (the shuffles), an integer in ``[0, 2**32)``. Default ``42``.

    Returns
    -------
    regcore.theory.check.Check
        The distance of the iterate mean; ``values`` holds ``"final_rel"`` (the same for the
        final iterate), ``"wander_min"`` and ``"wander_max"`` (the range of the single iterates'
        distances over the last half), ``"se_rel"`` (the mean's standard error by batch means,
        in units of the gap), ``"ratios"`` and ``"final_ratios"`` (:func:`eigen_ratios` of the
        mean and of the final iterate), ``"factors"``, ``"evals"``, ``"median_ratio_error"``
        and ``"max_ratio_error"`` (of the mean's ratios against the factors), ``"ols_eigen"``
        (the OLS solution in the eigenbasis) and ``"epochs"``.

    Raises
    ------
    ValueError
        When ``lam``, ``lr``, ``epochs``, ``batch_size`` or ``seed`` is not allowed (the
        message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
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
    r"""Expected test MSE of the linear model's ridge solution over a grid of λ.

    The risk is :math:`\sigma^2 + \lVert\hat\theta(\lambda) - \theta_\mathrm{true}\rVert^2`.
    Gives the risk-optimal :math:`\lambda` on the grid and the risks of OLS and of the post's
    :math:`\lambda` (:data:`LAMBDA`), for the chapter's warning that :math:`\lambda = 0.085` is
    tuned for the MLP, not for the linear model. The risks are exact for the book's Gaussian
    design (:func:`regcore.theory.quadratic.expected_test_mse`); nothing is trained.

    Parameters
    ----------
    lams : array_like or None, optional
        The grid of :math:`\lambda`. Default ``None``: 301 values log-spaced from ``1e-5`` to
        ``1``.
    n_train : int, optional
        Training points of the post's draw, >= 1. Default ``200``.

    Returns
    -------
    dict
        ``"lams"`` and ``"risks"`` (the grid and the risk at each value), ``"best_lam"`` and
        ``"best_risk"`` (the grid's minimum), ``"ols_risk"``, ``"post_risk"`` (ridge at
        :data:`LAMBDA`, bias penalised), ``"post_risk_free_bias"`` (the same with the intercept
        not penalised, as scikit-learn's ``Ridge``) and ``"overshoot"``, :data:`LAMBDA` over
        ``best_lam``.

    Raises
    ------
    ValueError
        When ``n_train`` or a value of ``lams`` is not allowed (the message names it).
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
