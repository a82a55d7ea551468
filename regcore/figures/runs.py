"""Figures of single training runs: one function per figure kind, each returns a matplotlib Figure.

* :func:`training_figure` — the post's training visualisation: losses per epoch (log–log) with the
  best epoch marked, and every parameter's trajectory with the L1 and L2 norms on a twin axis.
* :func:`predictions_figure` — predictions against truth on the training and validation splits, R².
* :func:`comparison_figure` — best-epoch train and validation losses of several runs, keyed by name.

Chapters 2–8 call these; the numbers on the figures come from
:class:`regcore.training.FitResult`, the style and colours from :mod:`regcore.figures.style`.
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
    """The post's training visualisation for one run: losses above, parameter trajectories below.

    Top: the training and validation losses per epoch on log–log axes (from epoch 1), with a
    dashed line at the best epoch (drawn at epoch 1 when the best is epoch 0) whose legend entry
    gives the best epoch and its two losses. Bottom: every parameter's value over the epochs of
    the run's snapshots (epoch 0 left out, at most about 400 epochs evenly spread on the log
    axis, the y range cut to the 0.1 and 99.9 percentiles of the values drawn), with the L1
    and L2 norms of all parameters on a second, logarithmic axis. Without snapshots the bottom
    panel shows only the best-epoch line. The legends sit under the panels.

    Parameters
    ----------
    result : regcore.training.FitResult
        The run; its losses, best epoch and snapshots are drawn.
    title : str, optional
        The figure's title. Default ``""``: none.

    Returns
    -------
    matplotlib.figure.Figure
        The two-panel figure.
    """
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


#: Validation points drawn in the predictions figures (all 10,000 would hide each other). The
#: chapters glue this number into the captions.
PREDICTION_POINTS = 2000


def predictions_figure(model, state: dict, data, title: str = "") -> plt.Figure:
    """Predicted against true y, on the training split and on the validation split.

    Left: every training point; right: the first :data:`PREDICTION_POINTS` validation points.
    Each panel has the line y = x and its R² in the title, computed over the whole split (as the
    chapters' prose) with :func:`regcore.analysis.predict` and
    :func:`regcore.analysis.r_squared`.

    Parameters
    ----------
    model : torch.nn.Module
        The architecture, e.g. a :class:`regcore.models.MLP`; it is left in eval mode.
    state : dict
        The parameters to predict with, e.g. :attr:`regcore.training.FitResult.best_state`.
    data : regcore.data.ToyData
        The draw whose training and validation splits are drawn.
    title : str, optional
        The figure's title. Default ``""``: none.

    Returns
    -------
    matplotlib.figure.Figure
        The two-panel figure.
    """
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
    """Best-epoch training and validation loss of several runs, as pairs of bars.

    One pair of bars per run: the training loss at the best epoch (blue) and the best
    validation loss (vermilion), labelled by the run's name under its own bars, so a name can
    never sit on another run's numbers. When every row has four numbers, the validation bars get
    error bars of the interval. The ``reference`` run, when present, is drawn first and its
    validation loss as a dashed horizontal line across the figure. Chapter "Comparison, and more
    data" draws the post's runs with it.

    Parameters
    ----------
    rows : dict
        ``{name: (train_loss, val_loss)}``, or ``{name: (train_loss, val_loss, val_low,
        val_high)}`` for an interval, in drawing order.
    reference : str, optional
        The name of the reference run. Default ``"linear"``.
    title : str, optional
        The axes' title. Default ``""``: none.

    Returns
    -------
    matplotlib.figure.Figure
        The bar chart.
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
