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
  beside the predictions figures of ``regcore.figures.runs``).
* :func:`units_firing` — how many hidden units fire (ReLU output > 0) per input, for flat
  parameter vectors (chapter "L1 on activations": L1 on activations against L1 on weights).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ._checks import check_real
from .training import FitResult


def near_zero_fraction(result: FitResult, tol: float) -> np.ndarray:
    """Fraction of all parameters with ``|θ| < tol`` at each of ``result.snapshot_epochs``.

    Parameters
    ----------
    result : regcore.training.FitResult
        A run with parameter snapshots (``snapshot_every`` >= 1).
    tol : float
        The threshold, > 0.

    Returns
    -------
    numpy.ndarray
        One fraction per snapshot, shape ``(len(result.snapshot_epochs),)``.

    Raises
    ------
    ValueError
        When ``tol`` is not allowed (the message names it), or when ``result`` has no snapshots.
    """
    tol = check_real("tol", tol, minimum=0.0, strict=True)
    snaps = np.asarray(result.snapshots)
    if snaps.shape[0] == 0:
        raise ValueError("result has no parameter snapshots: train with snapshot_every >= 1")
    return (np.abs(snaps) < tol).mean(axis=1)


def first_divergence(a: np.ndarray, b: np.ndarray) -> int | None:
    """Index of the first entry where ``a`` and ``b`` differ at all, or None if identical.

    Parameters
    ----------
    a : array_like
        E.g. a loss history (one entry per epoch, so the index is the epoch).
    b : array_like
        The same shape as ``a``.

    Returns
    -------
    int or None
        The index in the flattened arrays, or ``None``. NaN entries count as different.

    Raises
    ------
    ValueError
        When the shapes of ``a`` and ``b`` differ.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        raise ValueError(f"a.shape={a.shape} and b.shape={b.shape} must be equal")
    differ = np.flatnonzero(a != b)
    return int(differ[0]) if len(differ) else None


def active_units(state: dict, key: str, tol: float) -> int:
    """Rows (units) of weight matrix ``state[key]`` with at least one ``|w| >= tol``.

    Parameters
    ----------
    state : dict
        ``{name: torch.Tensor}``, e.g. :attr:`regcore.training.FitResult.best_state`.
    key : str
        Name of a 2-D weight, e.g. ``"net.0.weight"`` (an MLP's first layer: one row per hidden
        unit).
    tol : float
        The threshold, > 0.

    Returns
    -------
    int
        The number of such rows.

    Raises
    ------
    ValueError
        When ``tol`` is not allowed (the message names it), ``key`` is not in ``state``, or
        ``state[key]`` is not 2-D.
    """
    tol = check_real("tol", tol, minimum=0.0, strict=True)
    if key not in state:
        raise ValueError(f"key={key!r} is not allowed: key must be one of {sorted(state)}")
    w = state[key]
    if w.dim() != 2:
        raise ValueError(f"key={key!r} names a tensor of shape {tuple(w.shape)}: a weight "
                         "matrix (2-D) is needed")
    return int((w.abs() >= tol).any(dim=1).sum())


def eval_loss(model: torch.nn.Module, state: dict, x: torch.Tensor, y: torch.Tensor) -> float:
    """MSE of ``model`` with parameters ``state`` on ``(x, y)``, in eval mode (no dropout).

    Parameters
    ----------
    model : torch.nn.Module
        The architecture, e.g. a :class:`regcore.models.MLP`; its own parameters are not changed,
        but it is left in eval mode.
    state : dict
        ``{name: torch.Tensor}`` parameters to use, e.g.
        :attr:`regcore.training.FitResult.best_state`; moved to ``x``'s device.
    x : torch.Tensor
        Inputs, ``(rows, dims)``.
    y : torch.Tensor
        Targets, ``(rows, 1)``.

    Returns
    -------
    float
        The mean squared error.
    """
    model.eval()
    with torch.no_grad():
        out = torch.func.functional_call(model, {k: v.to(x.device) for k, v in state.items()},
                                         (x,))
        return F.mse_loss(out, y).item()


def r_squared(pred: np.ndarray, truth: np.ndarray) -> float:
    """Coefficient of determination 1 − SS_res / SS_tot.

    Parameters
    ----------
    pred : array_like
        Predictions (flattened).
    truth : array_like
        True values (flattened), as many as ``pred``.

    Returns
    -------
    float
        ``1 − Σ(truth − pred)² / Σ(truth − mean(truth))²``.
    """
    pred, truth = np.ravel(pred), np.ravel(truth)
    return float(1 - ((truth - pred) ** 2).sum() / ((truth - truth.mean()) ** 2).sum())


def predict(model, state: dict, x: torch.Tensor) -> np.ndarray:
    """Predictions of ``model`` with parameters ``state`` (eval mode), as a NumPy vector.

    Parameters
    ----------
    model : torch.nn.Module
        The architecture, e.g. a :class:`regcore.models.MLP`; its own parameters are not changed,
        but it is left in eval mode.
    state : dict
        ``{name: torch.Tensor}`` parameters to use, e.g.
        :attr:`regcore.training.FitResult.best_state`; moved to ``x``'s device.
    x : torch.Tensor
        Inputs, ``(rows, dims)``.

    Returns
    -------
    numpy.ndarray
        The predictions, shape ``(rows,)``.
    """
    model.eval()
    with torch.no_grad():
        out = torch.func.functional_call(model, {k: v.to(x.device) for k, v in state.items()},
                                         (x,))
    return out.cpu().numpy().ravel()


def mse_standard_error(model, state: dict, x: torch.Tensor, y: torch.Tensor) -> float:
    """Standard error of a split's mean squared error as an estimate of the model's expected one.

    It is the standard deviation of the squared residuals over √n. A test score is itself a sample
    mean, so it carries this sampling error; the chapter "Notes on the original code" sets the
    validation-selection bias against it. For Gaussian residuals of variance s² it is s²·√(2/n).

    Parameters
    ----------
    model : torch.nn.Module
        The architecture, e.g. a :class:`regcore.models.MLP`; its own parameters are not changed,
        but it is left in eval mode.
    state : dict
        ``{name: torch.Tensor}`` parameters to use, e.g.
        :attr:`regcore.training.FitResult.best_state`; moved to ``x``'s device.
    x : torch.Tensor
        Inputs, ``(rows, dims)``.
    y : torch.Tensor
        Targets, ``(rows, 1)``.

    Returns
    -------
    float
        The standard error (sample standard deviation, ``ddof=1``).

    Raises
    ------
    ValueError
        When ``x`` has fewer than 2 rows (the message names ``len(x)``).
    """
    if len(x) < 2:
        raise ValueError(f"len(x)={len(x)} is not allowed: a standard error needs at least 2 points")
    squared = (predict(model, state, x) - y.cpu().numpy().ravel()) ** 2
    return float(squared.std(ddof=1) / np.sqrt(len(squared)))


def units_firing(thetas, sizes: tuple, x: torch.Tensor) -> np.ndarray:
    """Mean number of hidden units whose ReLU output is above zero, per input, per parameter vector.

    Counted over all hidden layers of the MLP (eval mode: no dropout) and averaged over the rows
    of ``x``. L1 on the activations (:attr:`regcore.training.TrainSettings.activation_l1`) asks
    for few of them; L1 on the weights switches off whole units but not, by itself, the units'
    activity per input.

    Parameters
    ----------
    thetas : array_like
        Flat parameter vectors, ``(K, P)`` (a sweep's ``best_theta``) or ``(P,)``, in the order of
        :func:`regcore.models.flatten_params` for an MLP of widths ``sizes``.
    sizes : tuple
        The MLP's layer widths, with at least one hidden layer.
    x : torch.Tensor
        Inputs, ``(rows, sizes[0])``.

    Returns
    -------
    numpy.ndarray
        ``(K,)``: for each vector, the mean over inputs of the number of firing hidden units.
    """
    from .models import MLP, load_flat
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float32))
    model = MLP(sizes).eval()
    counts = []
    with torch.no_grad():
        for theta in thetas:
            _, hidden = load_flat(model, theta).forward_hidden(x)
            counts.append(float(sum((h > 0).sum(1).double() for h in hidden).mean()))
    return np.asarray(counts)
