"""Adam with an L2 penalty is not AdamW: where each one's iterates stop.

Chapter "Adam + L2 versus AdamW" (Loshchilov and Hutter 2019). Adam with L2 (torch's Adam
``weight_decay``, or the post's manual ``l2``) feeds ``∇L + λθ`` to Adam, which stops only where
that vanishes: the ridge solution. AdamW (torch: ``θ ← θ(1 − ηλ) − η m̂/(√v̂ + ε)``) stops where
``m̂/(√v̂ + ε) + λθ = 0``, i.e. ``∇L + λ(√v̂ + ε) ⊙ θ = 0`` at full batch (``m̂ → ∇L``): an L2
penalty scaled per coordinate by the gradient's own size. As full-batch gradients vanish,
``√v̂ → 0`` and AdamW drifts to OLS. :func:`derive` solves both stationary conditions in one
eigendirection with SymPy; the checks train the linear model with ``fit`` and iterate torch's
AdamW rule (:class:`regcore.optim.FlatOptimizer`) to read off ``v̂``.
:func:`mlp_runs` trains the post's MLP with each rule over seeds (the chapter's "And on the MLP?").
"""
from __future__ import annotations

import numpy as np
import sympy as sp
import torch

from .._checks import check_int, check_real
from ..models import Linear
from ..optim import FlatOptimizer
from ..training import TrainSettings
from ._common import book_data, fit_linear, tail_mean
from .check import Check
from .quadratic import quadratic, theta_of

#: The post's weight decay, the λ of every check here.
LAMBDA = 0.085
#: The learning rate of Adam and AdamW in the checks on the linear model.
LR = 0.01
#: Tolerance of :func:`check_adam_l2`, a fraction of the ridge−OLS gap. With full-batch Adam + L2
#: the mean of the last 20% of the iterates must be within 1e-4 of the gap from ridge. Adam at a
#: constant lr never settles to a point (late, small gradients make its normalised step restart
#: in bursts that reach ~1e-2 of the gap and return), so the average is used; the bursts
#: oscillate about ridge and cancel in it. 1e-4 is a resolution far below anything a figure
#: shows, not a bound derived from the dynamics.
TOL_ADAM_L2 = 1e-4
#: Tolerance of :func:`check_adamw_balance`, which measures AdamW's quasi-stationary balance
#: ‖m̂/(√v̂+ε) + λθ‖ / ‖λθ‖ after 2000 full-batch steps. The point still drifts (√v̂ is an average
#: over ~1/(1−β₂) = 1000 steps of a shrinking gradient), so the balance cannot be exact; we call
#: it stationary when the net step is under 5% of the decay.
TOL_ADAMW_BALANCE = 0.05
#: Tolerance of :func:`check_adamw_lands`, a fraction of the ridge−OLS gap. Where full-batch
#: AdamW ends after 3000 epochs, its distance to OLS over the gap; below 0.5 means nearer to OLS
#: than to ridge — the decision the check makes.
TOL_ADAMW_NEAR_OLS = 0.5


def derive() -> dict:
    r"""SymPy: where Adam + L2 and AdamW stop, along one eigendirection.

    The gradient along one eigendirection is :math:`g = h(\theta - u)`, with :math:`u` the OLS
    coordinate (as in chapter "Weight decay in the Hessian's eigenbasis"). Adam + L2 stops where
    :math:`g + \lambda\theta = 0`: the ridge point :math:`hu/(h + \lambda)`. AdamW stops where
    :math:`\theta(1 - \eta\lambda) - \eta g/(s + \epsilon) = \theta`, with :math:`s =
    \sqrt{\hat v}`: at :math:`hu/(h + \lambda')`, an L2 penalty of strength :math:`\lambda' =
    \lambda(s + \epsilon)`. At rest at full batch (:math:`s = |g|`, :math:`u > 0`,
    :math:`\theta < u`) its stationary point is solved to first order in :math:`\epsilon`.

    Returns
    -------
    dict
        ``"adam_l2"`` and ``"adamw"`` (the two stationary points), ``"effective_lambda"``
        (:math:`\lambda(s + \epsilon)`), ``"adamw_at_rest"`` (AdamW's point at rest,
        :math:`u` plus a term of order :math:`\epsilon`) and ``"symbols"``,
        ``(theta, u, h, lambda, eta, s, epsilon)``.
    """
    theta, u = sp.symbols("theta u", real=True)
    h, lam, eta, s, eps = sp.symbols("h lambda eta s epsilon", positive=True)
    g = h * (theta - u)
    (adam_l2,) = sp.solve(sp.Eq(g + lam * theta, 0), theta)
    # AdamW: θ = θ(1 − ηλ) − η g/(s + ε), with s = √v̂
    (adamw,) = sp.solve(sp.Eq(theta * (1 - eta * lam) - eta * g / (s + eps), theta), theta)
    effective = sp.simplify(h * u / adamw - h)   # the λ' with θ = h u/(h + λ')
    # Full batch, at rest: s = |g| = h(u − θ) for u > 0, θ < u. Perturbation in ε: θ = u + aε.
    a = sp.Symbol("a", real=True)
    step = theta * (1 - eta * lam) - eta * g / (-g + eps) - theta
    rest = sp.numer(sp.together(step)).subs(theta, u + a * eps)
    (a_sol,) = sp.solve(sp.expand(rest).coeff(eps, 1), a)   # the balance's leading order
    at_rest = u + a_sol * eps
    return {"adam_l2": adam_l2, "adamw": adamw, "effective_lambda": effective,
            "adamw_at_rest": at_rest,
            "symbols": (theta, u, h, lam, eta, s, eps)}


#: The fraction of Adam + L2's iterates averaged (the last 20%).
TAIL_ADAM_L2 = 0.2


def check_adam_l2(lam: float = LAMBDA, lr: float = LR, epochs: int = 3000) -> Check:
    r"""Check: full-batch Adam with ``weight_decay=λ`` (Adam + L2) stops at the ridge solution.

    Trains regcore's linear model (float64, seeded initialisation, the post's draw) with Adam
    at full batch, a snapshot every epoch. Measured: the distance of the mean of the last
    :data:`TAIL_ADAM_L2` of the iterates from the ridge solution, over the ridge−OLS gap,
    against :data:`TOL_ADAM_L2`.

    Parameters
    ----------
    lam : float, optional
        The weight decay :math:`\lambda`, finite and > 0. Default ``LAMBDA``, ``0.085``.
    lr : float, optional
        Adam's learning rate, > 0. Default ``LR``, ``0.01``.
    epochs : int, optional
        Training epochs, >= 1. Default ``3000``.

    Returns
    -------
    regcore.theory.check.Check
        The relative distance; ``values`` holds ``"mean"``, ``"ridge"``, ``"ols"``, ``"gap"``,
        ``"snapshots"``, ``"epochs"`` and ``"tail"``.

    Raises
    ------
    ValueError
        When ``lam``, ``lr`` or ``epochs`` is not allowed (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    lam = check_real("lam", lam, minimum=0.0, strict=True)
    data = book_data()
    q = quadratic(data)
    ridge, ols = q.ridge(lam), q.ols()
    res = fit_linear(data, TrainSettings(optimizer="adam", lr=lr, epochs=epochs,
                                         weight_decay=lam, snapshot_every=1))
    mean = tail_mean(res, TAIL_ADAM_L2)
    gap = np.linalg.norm(ridge - ols)
    return Check("Adam + L2 (full batch) stops at ridge", np.linalg.norm(mean - ridge) / gap,
                 TOL_ADAM_L2, "Adam's constant-lr bursts; a resolution of 1e-4 of the gap",
                 {"mean": mean, "ridge": ridge, "ols": ols, "gap": float(gap),
                  "snapshots": np.asarray(res.snapshots, dtype=np.float64),
                  "epochs": epochs, "tail": TAIL_ADAM_L2})


def adamw_path(lam: float = LAMBDA, lr: float = LR, steps: int = 3000,
               record=(500, 1000, 2000, 3000)) -> dict:
    r"""Iterate torch's AdamW rule (float64, full batch) and record its state at chosen steps.

    The rule is :class:`regcore.optim.FlatOptimizer` (``"adamw"``), applied to the linear
    model's parameters as one vector from the seeded initialisation of
    :class:`regcore.models.Linear`, with the exact gradient :math:`H\theta - c` of the post's
    draw; its moment estimates give :math:`\hat m` and :math:`s = \sqrt{\hat v} + \epsilon`.
    ``lr`` is not checked here.

    Parameters
    ----------
    lam : float, optional
        The weight decay :math:`\lambda`, finite and > 0. Default ``LAMBDA``, ``0.085``.
    lr : float, optional
        The learning rate. Default ``LR``, ``0.01``.
    steps : int, optional
        Number of steps, >= 1. Default ``3000``.
    record : sequence of int, optional
        The steps (counted from 1) after which the state is recorded. Default
        ``(500, 1000, 2000, 3000)``.

    Returns
    -------
    dict
        ``{step: state}`` for each step of ``record`` that is reached, in step order; a state
        holds ``"theta"``, ``"grad"`` (:math:`\nabla L` at ``theta``), ``"s"``, ``"balance"``
        (:math:`\lVert\hat m/s + \lambda\theta\rVert / \lVert\lambda\theta\rVert`, 0 at an exact
        stationary point), ``"dist_ols"`` (distance to OLS over the ridge−OLS gap),
        ``"median_effective_l2"`` (the median of :math:`\lambda s`), ``"steps"`` and
        ``"beta2"``.

    Raises
    ------
    ValueError
        When ``lam`` or ``steps`` is not allowed (the message names it).
    """
    lam = check_real("lam", lam, minimum=0.0, strict=True)
    steps = check_int("steps", steps, minimum=1)
    data = book_data()
    q = quadratic(data)
    H, c = torch.tensor(q.H), torch.tensor(q.c)
    theta = torch.tensor(theta_of(Linear(data.dims).double()))
    opt = FlatOptimizer("adamw", lr, lam)
    out = {}
    for k in range(1, steps + 1):
        opt.step(theta, H @ theta - c)
        if k in record:
            g = H @ theta - c
            m_hat = opt.exp_avg / (1 - opt.beta1 ** k)
            s = (opt.exp_avg_sq / (1 - opt.beta2 ** k)).sqrt() + opt.eps
            out[k] = {"theta": theta.numpy().copy(), "grad": g.numpy(), "s": s.numpy(),
                      "balance": float((m_hat / s + lam * theta).norm() / (lam * theta).norm()),
                      "dist_ols": float(np.linalg.norm(theta.numpy() - q.ols())
                                        / np.linalg.norm(q.ridge(lam) - q.ols())),
                      "median_effective_l2": float((lam * s).median()),
                      "steps": k, "beta2": opt.beta2}
    return out


def check_adamw_balance(lam: float = LAMBDA, steps: int = 2000) -> Check:
    r"""Check: after ``steps`` full-batch steps AdamW is near its stationary condition.

    The condition is :math:`\hat m/(\sqrt{\hat v} + \epsilon) + \lambda\theta = 0`. Measured:
    the ``"balance"`` of :func:`adamw_path` at step ``steps`` (learning rate :data:`LR`),
    against :data:`TOL_ADAMW_BALANCE`.

    Parameters
    ----------
    lam : float, optional
        The weight decay :math:`\lambda`, finite and > 0. Default ``LAMBDA``, ``0.085``.
    steps : int, optional
        Number of steps, >= 1. Default ``2000``.

    Returns
    -------
    regcore.theory.check.Check
        The balance; ``values`` is :func:`adamw_path`'s state at step ``steps``.

    Raises
    ------
    ValueError
        When ``lam`` or ``steps`` is not allowed (the message names it).
    """
    rec = adamw_path(lam, steps=steps, record=(steps,))[steps]
    return Check("AdamW balance m̂/(√v̂+ε) = −λθ", rec["balance"], TOL_ADAMW_BALANCE,
                 "a drifting point: net step under 5% of the decay term", rec)


def check_adamw_lands(lam: float = LAMBDA, lr: float = LR, epochs: int = 3000) -> Check:
    r"""Check: full-batch AdamW ends nearer the OLS solution than the ridge solution.

    Trains regcore's linear model (float64, seeded initialisation, the post's draw) with AdamW
    at full batch, a snapshot every epoch. Measured: the distance of the last snapshot to OLS,
    over the ridge−OLS gap, against :data:`TOL_ADAMW_NEAR_OLS`. The snapshots are float32,
    which sets a floor under the distances.

    Parameters
    ----------
    lam : float, optional
        AdamW's weight decay :math:`\lambda`, finite and >= 0 with ``lr * lam < 1``.
        Default ``LAMBDA``, ``0.085``.
    lr : float, optional
        The learning rate, > 0. Default ``LR``, ``0.01``.
    epochs : int, optional
        Training epochs, >= 1. Default ``3000``.

    Returns
    -------
    regcore.theory.check.Check
        The relative distance; ``values`` holds ``"to_ols"`` and ``"to_ridge"`` (the distance
        of every snapshot, over the gap) and ``"epochs"`` (the snapshots' epochs).

    Raises
    ------
    ValueError
        When ``lam``, ``lr`` or ``epochs`` is not allowed, or ``lr * lam >= 1`` (the message
        names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    data = book_data()
    q = quadratic(data)
    res = fit_linear(data, TrainSettings(optimizer="adamw", lr=lr, epochs=epochs,
                                         weight_decay=lam, snapshot_every=1))
    ridge, ols = q.ridge(lam), q.ols()
    gap = np.linalg.norm(ridge - ols)
    snaps = np.asarray(res.snapshots, dtype=np.float64)
    return Check("AdamW (full batch) ends nearer OLS than ridge",
                 np.linalg.norm(snaps[-1] - ols) / gap, TOL_ADAMW_NEAR_OLS,
                 "the midpoint between the two candidate end points",
                 {"to_ols": np.linalg.norm(snaps - ols, axis=1) / gap,
                  "to_ridge": np.linalg.norm(snaps - ridge, axis=1) / gap,
                  "epochs": np.asarray(res.snapshot_epochs)})


def minibatch_effective_lambda(lam: float = LAMBDA, lr: float = LR, epochs: int = 1000,
                               batch_size: int = 32) -> dict:
    r"""Minibatch AdamW on the linear model: which coupled L2 strength its iterate mean matches.

    Trains regcore's linear model (float64, seeded initialisation, the post's draw) with AdamW
    in minibatches, a snapshot every epoch, and takes the mean :math:`\bar\theta` of the last
    half of the iterates. :math:`\lambda_\mathrm{eff}` minimises
    :math:`\lVert\bar\theta - \theta_\mathrm{ridge}(\lambda')\rVert` over 241 values of
    :math:`\lambda'` log-spaced from ``1e-4`` to ``0.2``; reported with the remaining distance,
    no tolerance. Minibatch noise keeps :math:`\sqrt{\hat v}` from vanishing, so the decay stays
    active.

    Parameters
    ----------
    lam : float, optional
        AdamW's weight decay, finite and >= 0 with ``lr * lam < 1``. Default ``LAMBDA``,
        ``0.085``.
    lr : float, optional
        The learning rate, > 0. Default ``LR``, ``0.01``.
    epochs : int, optional
        Training epochs, >= 1. Default ``1000``.
    batch_size : int, optional
        Minibatch size, from 1 to the 200 training points. Default ``32``.

    Returns
    -------
    dict
        ``"lambda_eff"``; ``"residual"``, ``"dist_ols"`` and ``"dist_ridge"`` (the mean's
        distance to ridge at :math:`\lambda_\mathrm{eff}`, to OLS and to ridge at ``lam``, each
        over the ridge−OLS gap at ``lam``); ``"grid"`` and ``"dist"`` (the distance at each
        grid value, over the same gap); ``"epochs"`` and ``"batch_size"``.

    Raises
    ------
    ValueError
        When ``lam``, ``lr``, ``epochs`` or ``batch_size`` is not allowed, or ``lr * lam >= 1``
        (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    data = book_data()
    q = quadratic(data)
    res = fit_linear(data, TrainSettings(optimizer="adamw", lr=lr, epochs=epochs,
                                         weight_decay=lam, batch_size=batch_size,
                                         snapshot_every=1))
    mean = tail_mean(res)
    grid = np.geomspace(1e-4, 0.2, 241)
    dist = np.array([np.linalg.norm(q.ridge(l) - mean) for l in grid])
    gap = np.linalg.norm(q.ridge(lam) - q.ols())
    best = int(np.argmin(dist))
    return {"lambda_eff": float(grid[best]), "residual": float(dist[best] / gap),
            "dist_ols": float(np.linalg.norm(mean - q.ols()) / gap),
            "dist_ridge": float(np.linalg.norm(mean - q.ridge(lam)) / gap),
            "grid": grid, "dist": dist / gap, "epochs": epochs, "batch_size": batch_size}


#: The runs of :func:`mlp_runs` on the post's MLP, as (label, optimizer, weight_decay).
#: AdamW at the post's strength, and at ten times it (AdamW's decay per step is lr·λ, the same
#: small number for any gradient, where Adam + L2's pull is rescaled by Adam to the step size).
MLP_RUNS = (("no decay", "adam", 0.0), ("Adam + L2", "adam", LAMBDA),
            ("AdamW", "adamw", LAMBDA), ("AdamW, 10 λ", "adamw", 10 * LAMBDA))
#: The number of seeds of :func:`mlp_runs`.
MLP_SEEDS = 20


def mlp_runs(seeds: int = MLP_SEEDS, runs=MLP_RUNS, workers: int = 1,
             progress: bool = False) -> dict:
    """The post's MLP trained with each of ``runs`` over seeds, as one sweep per run.

    The settings are those of the post's weight-decay run (:func:`regcore.studies.post_settings`:
    the MLP, its learning rate and epochs, n_train 200, full batch) with the run's optimizer and
    weight decay; seed s sets the data, init and training seeds together, so the runs are paired
    by seed. Validation follows the tuning chapter's schedule
    (:data:`regcore.studies.TUNING_EVALS` evaluations on :data:`regcore.studies.TUNING_N_VAL`
    points); scores are on test. This is the chapter's
    "And on the MLP?": the linear-model checks say where each method stops on a quadratic loss;
    on the MLP the measurable question is what each does to the test loss at the best epoch.

    Parameters
    ----------
    seeds : int, optional
        Number of seeds, s = 0 … seeds-1, >= 2. Default ``MLP_SEEDS``, ``20``.
    runs : sequence of tuple, optional
        ``(label, optimizer, weight_decay)`` per run. Default ``MLP_RUNS``.
    workers : int, optional
        Processes for :func:`regcore.sweep.run.sweep_many`, >= 1. Default ``1``.
    progress : bool, optional
        Show progress bars. Default ``False``.

    Returns
    -------
    dict
        ``{label: SweepResult}`` (:class:`regcore.sweep.settings.SweepResult`), in the order of
        ``runs``; members seed by seed.

    Raises
    ------
    ValueError
        When ``seeds`` is not an integer >= 2, or when ``workers``, an optimizer or a weight
        decay is not allowed (the message names it).
    """
    from ..studies import TUNING_EVALS, TUNING_N_VAL, post_settings
    from ..sweep import Member, sweep_many

    seeds = check_int("seeds", seeds, minimum=2)
    jobs = {}
    for label, optimizer, lam in runs:
        settings = post_settings("weight_decay", optimizer=optimizer, max_evals=TUNING_EVALS,
                                 n_val=TUNING_N_VAL)
        members = [Member(weight_decay=lam, data_seed=s, init_seed=s, seed=s, label=label)
                   for s in range(seeds)]
        jobs[label] = (members, settings)
    return sweep_many(jobs, workers, progress)
