"""The gradients of the L2 and L1 penalties, and SGD's weight-decay update.

Chapter "Weight decay in the Hessian's eigenbasis" (its section on the identities the training loop
relies on). SymPy differentiates ``(λ/2)Σθᵢ²`` and ``λΣ|θᵢ|`` and expands one SGD step on
``L + (λ/2)‖θ‖²``; :func:`check` compares those with what regcore's code does in float64 —
autograd through :mod:`regcore.penalties`, the manual gradient terms the post adds, and one step of
:class:`regcore.optim.FlatOptimizer` — and that training with ``weight_decay=λ`` equals training
with manual ``l2=λ`` up to rounding (SGD and Adam: both add ``λθ`` to the gradient).
"""
from __future__ import annotations

import numpy as np
import sympy as sp
import torch

from ..optim import FlatOptimizer
from ..penalties import add_penalty_gradient_, l1_penalty, l2_penalty
from ..training import TrainSettings
from ._common import book_data, final_theta, fit_linear
from .check import Check

#: Tolerance of :func:`check`, an absolute difference. The identities are evaluated in float64
#: on values of order one: a few roundings of relative size 2⁻⁵³ ≈ 1.1e-16, so 1e-14 absolute.
TOL_IDENTITY = 1e-14
#: Tolerance of :func:`check_same_training`, an absolute difference. Training with weight_decay
#: and with manual l2 adds the same term, rounded differently (weight decay: one fused
#: multiply-add, as torch's ``grad.add(param, alpha=λ)``; the post's manual L2: the product
#: rounded, then the sum), so the two runs differ by roundings: about one 2⁻⁵³-relative error per
#: step and parameter, which a convex linear problem does not amplify — over 50 epochs on O(1)
#: weights, at most 1e-12.
TOL_SAME_TRAINING = 1e-12
#: Epochs of the weight_decay-versus-manual-l2 training comparison.
SAME_EPOCHS = 50


def derive(n: int = 3) -> dict:
    r"""SymPy: gradients of the L2 and L1 penalties over ``n`` parameters, and the SGD step.

    Differentiates :math:`\frac\lambda2\sum_i\theta_i^2` and :math:`\lambda\sum_i|\theta_i|`, and
    expands one SGD step :math:`\theta_i - \eta(g_i + \lambda\theta_i)` on
    :math:`L + \frac\lambda2\lVert\theta\rVert^2` into
    :math:`(1 - \eta\lambda)\theta_i - \eta g_i`, where :math:`g_i` stands for the components
    of :math:`\nabla L`.

    Parameters
    ----------
    n : int, optional
        Number of parameters (symbols). Default ``3``.

    Returns
    -------
    dict
        ``"theta"`` (the parameter symbols), ``"l2"`` and ``"l1"`` (the penalties),
        ``"grad_l2"`` and ``"grad_l1"`` (their gradients, ``sympy.Matrix``; SymPy writes the
        derivative of :math:`|\theta_i|` as ``sign``), ``"sgd_step"`` (the expanded step, a
        ``sympy.Matrix``) and ``"symbols"``, ``(lambda, eta, g)`` with ``g`` the gradient
        symbols.
    """
    theta = sp.symbols(f"theta1:{n + 1}", real=True)
    lam, eta = sp.symbols("lambda eta", positive=True)
    g = sp.symbols(f"g1:{n + 1}", real=True)  # components of ∇L
    l2 = lam / 2 * sum(t ** 2 for t in theta)
    l1 = lam * sum(sp.Abs(t) for t in theta)
    grad_l2 = sp.Matrix([sp.diff(l2, t) for t in theta])
    grad_l1 = sp.Matrix([sp.diff(l1, t) for t in theta])
    step = sp.Matrix([t - eta * (gi + sp.diff(l2, t)) for t, gi in zip(theta, g)])
    step = step.applyfunc(lambda e: sp.collect(sp.expand(e), theta))
    return {"theta": theta, "l2": l2, "l1": l1, "grad_l2": grad_l2, "grad_l1": grad_l1,
            "sgd_step": step, "symbols": (lam, eta, g)}


def check(lam: float = 0.085, lr: float = 0.1, seed: int = 0) -> Check:
    r"""Check: regcore's float64 code computes the penalties' gradients and the SGD step exactly.

    On a random parameter vector of 51 values (seeded; the first three set to 0, where
    :math:`\operatorname{sign} 0 = 0` is the subgradient torch and the post use) and a random
    gradient, it compares with :math:`\lambda\theta` and :math:`\lambda\operatorname{sign}\theta`:
    autograd through :func:`regcore.penalties.l2_penalty` and
    :func:`regcore.penalties.l1_penalty`, and the manual terms of
    :func:`regcore.penalties.add_penalty_gradient_`; and it compares one step of
    :class:`regcore.optim.FlatOptimizer` (SGD with ``weight_decay=λ``) with :func:`derive`'s
    expanded step. Measured: the largest absolute difference, against :data:`TOL_IDENTITY`.

    It also trains regcore's linear model (float64, the post's draw) for :data:`SAME_EPOCHS`
    epochs at full batch and lr 0.05, with ``weight_decay=λ`` and with manual ``l2=λ``, for SGD
    and for Adam, and stores the largest difference of the final parameters; the separate check
    :func:`check_same_training` reads it.

    Parameters
    ----------
    lam : float, optional
        The penalty strength :math:`\lambda`. Default ``0.085``.
    lr : float, optional
        The step of the single SGD step compared. Default ``0.1``.
    seed : int, optional
        Seed of NumPy's generator for the random vectors. Default ``0``.

    Returns
    -------
    regcore.theory.check.Check
        The largest difference; ``values`` holds ``"errors"`` (the difference of each identity,
        by name) and ``"same_training"`` (``{"sgd": ..., "adam": ...}``, the largest absolute
        difference between the two trainings' final parameters).

    Raises
    ------
    ValueError
        When ``lam`` is not allowed as a weight decay or L2 strength (finite, >= 0; the message
        names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    rng = np.random.default_rng(seed)
    theta_np = rng.standard_normal(51)
    theta_np[:3] = 0.0  # sign(0) = 0: the subgradient torch and the post use
    grad_np = rng.standard_normal(51)
    theta = torch.tensor(theta_np, requires_grad=True)
    errors = {}

    (g2,) = torch.autograd.grad(l2_penalty([theta], lam), theta)
    errors["autograd (λ/2)‖θ‖² − λθ"] = np.abs(g2.numpy() - lam * theta_np).max()
    (g1,) = torch.autograd.grad(l1_penalty([theta], lam), theta)
    errors["autograd λ‖θ‖₁ − λ sign θ"] = np.abs(g1.numpy() - lam * np.sign(theta_np)).max()
    manual = add_penalty_gradient_(torch.zeros(51, dtype=torch.float64), theta.detach(), l2=lam)
    errors["manual l2 term − λθ"] = np.abs(manual.numpy() - lam * theta_np).max()
    manual = add_penalty_gradient_(torch.zeros(51, dtype=torch.float64), theta.detach(), l1=lam)
    errors["manual l1 term − λ sign θ"] = np.abs(manual.numpy() - lam * np.sign(theta_np)).max()

    d = derive(1)
    lam_s, eta_s, g_s = d["symbols"]
    step = sp.lambdify((d["theta"][0], g_s[0], lam_s, eta_s), d["sgd_step"][0], "numpy")
    param = torch.tensor(theta_np)
    FlatOptimizer("sgd", lr, weight_decay=lam).step(param, torch.tensor(grad_np))
    errors["SGD step − SymPy's (1 − ηλ)θ − η∇L"] = np.abs(
        param.numpy() - step(theta_np, grad_np, lam, lr)).max()
    worst = max(errors.values())

    data = book_data()
    same = {}
    for opt in ("sgd", "adam"):
        a = final_theta(fit_linear(data, TrainSettings(optimizer=opt, lr=0.05, epochs=SAME_EPOCHS,
                                                       weight_decay=lam, snapshot_every=0)))
        b = final_theta(fit_linear(data, TrainSettings(optimizer=opt, lr=0.05, epochs=SAME_EPOCHS,
                                                       l2=lam, snapshot_every=0)))
        same[opt] = float(np.abs(a - b).max())
    return Check("penalty gradients and the SGD decay step", worst, TOL_IDENTITY,
                 "float64 rounding of a few operations on O(1) values",
                 {"errors": {k: float(v) for k, v in errors.items()}, "same_training": same})


def check_same_training(identities: Check) -> Check:
    """Check: ``weight_decay=λ`` and manual ``l2=λ`` train the same linear model up to rounding.

    Nothing is trained here: the two trainings (SGD and Adam, :data:`SAME_EPOCHS` epochs) are
    those :func:`check` ran. Measured: the larger of the two optimisers' largest absolute
    differences, against :data:`TOL_SAME_TRAINING`.

    Parameters
    ----------
    identities : regcore.theory.check.Check
        The result of :func:`check` (its ``values["same_training"]`` is read).

    Returns
    -------
    regcore.theory.check.Check
        The largest difference; ``values`` holds ``"same_training"``, the difference per
        optimiser.
    """
    same = identities.values["same_training"]
    return Check("weight_decay = manual l2 (SGD, Adam)", max(same.values()), TOL_SAME_TRAINING,
                 "the same term, rounded once (fused) or twice (manual)", {"same_training": same})
