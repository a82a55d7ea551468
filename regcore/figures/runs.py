"""Figures of single training runs: one function per figure kind, each returns a matplotlib Figure.

* :func:`training_figure` — the post's training visualisation: losses per epoch (log–log) with the
  best epoch marked, and every parameter's trajectory with the L1 and L2 norms on a twin axis.
* :func:`predictions_figure` — predictions against truth on the training and validation splits, R².
* :func:`comparison_figure` — best-epoch train and validation losses of several runs, keyed by name.

Chapters 2–8 call these; the numbers on the figures come from :class:`regcore.FitResult`, the
style and colours from :mod:`regcore.figures.style`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

from ..analysis import predict, r_squared
from .style import BEST_EPOCH_COLOUR, EXTRA_COLOURS, TRAIN_COLOUR, VAL_COLOUR

def _log_spaced(epochs: np.ndarray, max_points: int = 400) -> np.ndarray:
    """Indices into ``epochs`` (sorted, starting at 0 or 1) spread evenly on a log axis."""
    if len(epochs) <= max_points:
        return np.arange(len(epochs))
    targets = np.unique(np.geomspace(max(epochs[0], 1), epochs[-1], max_points).round())
    return np.unique(np.searchsorted(epochs, targets).clip(0, len(epochs) - 1))


def training_figure(result, title: str = "") -> plt.Figure:
    """The post's training visualisation for one :class:`~regcore.FitResult`."""
    epochs = np.arange(len(result.val_loss))
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 6.2), sharex=True,
                                      height_ratios=[1, 1.15])
    top.loglog(epochs[1:], result.train_loss[1:], color=TRAIN_COLOUR, label="train")
    top.loglog(epochs[1:], result.val_loss[1:], color=VAL_COLOUR, label="validation")
    best = max(result.best_epoch, 1)
    top.axvline(best, color=BEST_EPOCH_COLOUR, ls="--", lw=1.2,
                label=f"best epoch ({result.best_epoch}): train {result.best_train_loss:.4f}, "
                      f"validation {result.best_val_loss:.4f}")
    # A log axis ends a little after the last epoch, so a best epoch at the end stays visible.
    top.set_xlim(1, len(epochs) * 1.15)
    top.set_ylabel("MSE loss")
    if title:
        fig.suptitle(title)

    snap_epochs = np.asarray(result.snapshot_epochs)
    keep = snap_epochs >= 1
    snap_epochs, snaps = snap_epochs[keep], np.asarray(result.snapshots)[keep]
    if len(snap_epochs):
        idx = _log_spaced(snap_epochs)
        x, traj = snap_epochs[idx], snaps[idx]
        segments = np.stack([np.broadcast_to(x, traj.T.shape), traj.T], axis=-1)
        lines = LineCollection(segments, colors="black", linewidths=0.4, alpha=0.12,
                               rasterized=True)
        bottom.add_collection(lines)
        bottom.set_xscale("log")
        lo, hi = np.percentile(traj, [0.1, 99.9])
        pad = 0.05 * (hi - lo)
        bottom.set_ylim(lo - pad, hi + pad)
        norms = bottom.twinx()
        # The L1 norm of all parameters is tens of times their L2 norm: on a shared linear axis
        # the L2 norm would be a flat line at the bottom, so the norms get a log axis.
        norms.semilogy(x, np.abs(traj).sum(1), color=EXTRA_COLOURS[0], lw=2, label="L1 norm")
        norms.semilogy(x, np.sqrt((traj ** 2).sum(1)), color=EXTRA_COLOURS[1], lw=2,
                       label="L2 norm")
        norms.set_ylabel("norm of all parameters (log)")
        norms.grid(False)
    bottom.axvline(best, color=BEST_EPOCH_COLOUR, ls="--", lw=1.2)
    bottom.set_xlabel("epoch")
    bottom.set_ylabel("parameter value")
    # Legends outside the axes: no curve is ever hidden behind one.
    handles = [h for ax in fig.axes for h in ax.get_legend_handles_labels()[0]]
    fig.legend(handles=handles, loc="outside lower center", ncol=2, frameon=False)
    return fig


#: Validation points drawn in the predictions figures (all 10,000 would hide each other); the
#: chapters glue this number into the captions.
PREDICTION_POINTS = 2000


def predictions_figure(model, state: dict, data, title: str = "") -> plt.Figure:
    """Predicted against true y on the training split and the first :data:`PREDICTION_POINTS`
    validation points; each panel's R² is over its whole split (as the chapters' prose)."""
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.8), sharex=True, sharey=True)
    for ax, (name, x, y, shown, colour) in zip(axes, [
            ("training", data.x_train, data.y_train, len(data.x_train), TRAIN_COLOUR),
            ("validation", data.x_val, data.y_val, PREDICTION_POINTS, VAL_COLOUR)]):
        pred = predict(model, state, x)
        truth = y.cpu().numpy().ravel()
        r2 = r_squared(pred, truth)
        pred, truth = pred[:shown], truth[:shown]
        ax.scatter(truth, pred, s=5, alpha=0.5, color=colour, rasterized=True)
        lim = [min(truth.min(), pred.min()), max(truth.max(), pred.max())]
        ax.plot(lim, lim, color="black", lw=1, label="y = x")
        ax.set_title(f"{name}: R² = {r2:.3f}")
        ax.set_xlabel("true y")
        ax.legend(loc="upper left")
    axes[0].set_ylabel("predicted y")
    if title:
        fig.suptitle(title)
    return fig


def comparison_figure(rows: dict, reference: str = "linear", title: str = "") -> plt.Figure:
    """Best-epoch train (blue) and validation (red) loss per run.

    ``rows`` maps a run name to ``(train_loss, val_loss)`` or to ``(train, val, val_low,
    val_high)`` for an interval; the ``reference`` run is drawn first and as a dashed line.
    Names label their own bars, so a name can never sit on another run's numbers.
    """
    names = list(rows)
    if reference in names:
        names.remove(reference)
        names.insert(0, reference)
    fig, ax = plt.subplots(figsize=(8, 3.8))
    xs = np.arange(len(names))
    train = np.array([rows[n][0] for n in names])
    val = np.array([rows[n][1] for n in names])
    ax.bar(xs - 0.2, train, width=0.4, color=TRAIN_COLOUR, label="train (at best epoch)")
    ax.bar(xs + 0.2, val, width=0.4, color=VAL_COLOUR, label="validation (best)")
    if all(len(rows[n]) == 4 for n in names):
        lo = np.array([rows[n][2] for n in names])
        hi = np.array([rows[n][3] for n in names])
        ax.errorbar(xs + 0.2, val, yerr=[val - lo, hi - val], fmt="none", color="black",
                    capsize=3, label="95% interval")
    if reference in rows:
        ax.axhline(rows[reference][1], color="black", ls="--", lw=1,
                   label=f"{reference} validation")
    ax.set_xticks(xs, names, rotation=20)
    ax.set_ylabel("MSE loss")
    ax.legend()
    if title:
        ax.set_title(title)
    return fig
