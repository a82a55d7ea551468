"""Measurements on finished runs that the chapters report: sparsity and history agreement.

* :func:`near_zero_fraction` — the share of parameters within ``tol`` of zero at each snapshot
  (chapter "L1 and sparsity").
* :func:`active_units` — how many hidden units of a layer still have a weight of size ``tol`` or
  more (chapter "L1 and sparsity": L1 switches whole units off).
* :func:`first_divergence` — the first epoch at which two loss histories differ (chapter "Weight
  decay and L2", where Adam's weight decay and the manual L2 term take the same step).
* :func:`eval_loss` — the mean squared error of a stored state in eval mode (chapter "Dropout",
  where the recorded training loss is measured with dropout on).
* :func:`predict`, :func:`r_squared` — a stored state's predictions and their R² (chapters 2–6,
  beside the predictions figures of :mod:`regcore.figures.runs`).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ._checks import check_real
from .training import FitResult


def near_zero_fraction(result: FitResult, tol: float) -> np.ndarray:
    """Fraction of all parameters with ``|θ| < tol`` at each of ``result.snapshot_epochs``."""
    tol = check_real("tol", tol, minimum=0.0, strict=True)
    snaps = np.asarray(result.snapshots)
    if snaps.shape[0] == 0:
        raise ValueError("result has no parameter snapshots: train with snapshot_every >= 1")
    return (np.abs(snaps) < tol).mean(axis=1)


def first_divergence(a: np.ndarray, b: np.ndarray) -> int | None:
    """Index of the first entry where ``a`` and ``b`` differ at all, or None if identical."""
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"a.shape={a.shape} and b.shape={b.shape} must be equal")
    differ = np.flatnonzero(a != b)
    return int(differ[0]) if len(differ) else None


def active_units(state: dict, key: str, tol: float) -> int:
    """Rows (units) of weight matrix ``state[key]`` with at least one ``|w| >= tol``."""
    tol = check_real("tol", tol, minimum=0.0, strict=True)
    if key not in state:
        raise ValueError(f"key={key!r} is not allowed: key must be one of {sorted(state)}")
    w = state[key]
    if w.dim() != 2:
        raise ValueError(f"key={key!r} names a tensor of shape {tuple(w.shape)}: a weight "
                         "matrix (2-D) is needed")
    return int((w.abs() >= tol).any(dim=1).sum())


def eval_loss(model: torch.nn.Module, state: dict, x: torch.Tensor, y: torch.Tensor) -> float:
    """MSE of ``model`` with parameters ``state`` on ``(x, y)``, in eval mode (no dropout)."""
    model.eval()
    with torch.no_grad():
        out = torch.func.functional_call(model, {k: v.to(x.device) for k, v in state.items()},
                                         (x,))
        return F.mse_loss(out, y).item()


def r_squared(pred: np.ndarray, truth: np.ndarray) -> float:
    """Coefficient of determination 1 − SS_res / SS_tot."""
    pred, truth = np.ravel(pred), np.ravel(truth)
    return float(1 - ((truth - pred) ** 2).sum() / ((truth - truth.mean()) ** 2).sum())


def predict(model, state: dict, x: torch.Tensor) -> np.ndarray:
    """Predictions of ``model`` with parameters ``state`` (eval mode), as a NumPy vector."""
    model.eval()
    with torch.no_grad():
        out = torch.func.functional_call(model, {k: v.to(x.device) for k, v in state.items()},
                                         (x,))
    return out.cpu().numpy().ravel()


def mse_standard_error(model, state: dict, x: torch.Tensor, y: torch.Tensor) -> float:
    """The standard error of a split's mean squared error as an estimate of the model's expected
    one: the standard deviation of the squared residuals over √n.

    A test score is itself a sample mean, so it carries this sampling error; the chapter "Notes on
    the original code" sets the validation-selection bias against it. For Gaussian residuals of
    variance s² it is s²·√(2/n).
    """
    if len(x) < 2:
        raise ValueError(f"len(x)={len(x)} is not allowed: a standard error needs at least 2 points")
    squared = (predict(model, state, x) - y.cpu().numpy().ravel()) ** 2
    return float(squared.std(ddof=1) / np.sqrt(len(squared)))
