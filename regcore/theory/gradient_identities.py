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

#: Identities evaluated in float64 on values of order one: a few roundings of relative size
#: 2⁻⁵³ ≈ 1.1e-16, so 1e-14 absolute. Training with weight_decay and with manual l2 adds the same
#: term, rounded differently (weight decay: one fused multiply-add, as torch's
#: ``grad.add(param, alpha=λ)``; the post's manual L2: the product rounded, then the sum), so the
#: two runs differ by roundings: about one 2⁻⁵³-relative error per step and parameter, which a
#: convex linear problem does not amplify — over 50 epochs on O(1) weights, at most 1e-12.
TOL_IDENTITY = 1e-14
TOL_SAME_TRAINING = 1e-12
#: Epochs of the weight_decay-versus-manual-l2 training comparison.
SAME_EPOCHS = 50


def derive(n: int = 3) -> dict:
    """SymPy: gradients of the penalties over ``n`` parameters, and the expanded SGD step."""
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
    """Largest absolute difference between SymPy's identities and regcore's float64 code."""
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
    """weight_decay=λ and manual l2=λ train the same model up to rounding (SGD, Adam, 50 epochs)."""
    same = identities.values["same_training"]
    return Check("weight_decay = manual l2 (SGD, Adam)", max(same.values()), TOL_SAME_TRAINING,
                 "the same term, rounded once (fused) or twice (manual)", {"same_training": same})
