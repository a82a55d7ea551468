"""Plumbing shared by the theory checks: float64 data and linear models, and iterate averages."""
from __future__ import annotations

import numpy as np
import torch

from ..data import ToyData, make_data, whiten_design
from ..models import Linear
from ..training import FitResult, TrainSettings, fit
from .quadratic import theta_of


def book_data(n_train: int = 200, whiten: bool = False) -> ToyData:
    """The book's toy problem in float64 (the post's seed 42 draws).

    Whitening is applied *after* the cast, so that ``AᵀA/n = I`` holds to float64 precision
    (whitening in float32 leaves errors of ~1e-8, visible in the L1 chapter's exact checks).
    """
    data = make_data(n_train=n_train).to(dtype=torch.float64)
    return whiten_design(data) if whiten else data


def fit_linear(data: ToyData, settings: TrainSettings, init=None) -> FitResult:
    """Train regcore's Linear model in float64 with ``settings``; ``init`` 'zero' or None (seeded)."""
    model = Linear(data.dims).double()
    if init == "zero":
        with torch.no_grad():
            for p in model.parameters():
                p.zero_()
    return fit(model, data, settings)


def final_theta(result: FitResult) -> np.ndarray:
    return theta_of(result.final_state)


def tail_mean(result: FitResult, fraction: float = 0.5) -> np.ndarray:
    """Mean of the per-epoch snapshots over the last ``fraction`` of training (iterate averaging)."""
    epochs = np.asarray(result.snapshot_epochs)
    keep = epochs > epochs[-1] * (1 - fraction)
    return np.asarray(result.snapshots, dtype=np.float64)[keep].mean(0)


def batch_means_se(snapshots: np.ndarray, n_batches: int = 10) -> float:
    """Standard error (Euclidean norm) of the mean of correlated iterates, by batch means."""
    m = len(snapshots) // n_batches * n_batches
    means = np.asarray(snapshots[-m:], dtype=np.float64).reshape(n_batches, -1,
                                                                  snapshots.shape[1]).mean(1)
    return float(np.linalg.norm(means.std(0, ddof=1)) / np.sqrt(n_batches))
