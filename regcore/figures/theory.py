"""Figures of the part "Theory, checked": one function per figure kind, each returning a Figure.

* :func:`factor_figure` — per-eigendirection factors against the curvature h, measured points
  over a theory curve (chapters "Weight decay in the Hessian's eigenbasis", "Early stopping as L2").
* :func:`risk_curve_figure` — expected test MSE of ridge over λ (weight decay chapter).
* :func:`threshold_figure` — soft-thresholding and the sign-gradient swing (L1 chapter).
* :func:`histogram_figure` — distributions with reference lines (L1 and OLS-risk chapters).
* :func:`scatter_figure` — closed-form against trained coordinates (dropout chapter).
* :func:`orders_figure` — errors against step size on log–log axes (implicit regularisation).
* :func:`distance_figure` — distances of iterates to candidate end points over epochs (AdamW).

Call :func:`regcore.figures.style.use_book_style` first; colours are the book's.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from .style import MAX_WIDTH_IN, SERIES_COLOURS, TRAIN_COLOUR, VAL_COLOUR

COLOURS = SERIES_COLOURS
#: Dotted slope guides run this factor below the series they belong to.
GUIDE_OFFSET = 0.45


def _legend_below(ax, ncol: int = 1) -> None:
    """A panel's legend under its axes: side-by-side panels are too narrow for a legend inside
    them that hides no data, and a long legend would cover a single panel's."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False, ncol=ncol)


def factor_figure(panels) -> plt.Figure:
    """One panel per entry of ``panels``: dicts with ``title``, ``h`` (curvatures), ``curve``
    (a callable of h, the theory), ``curve_label`` and ``points`` — a list of
    ``(label, factors, marker)``.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(min(4.2 * len(panels), MAX_WIDTH_IN), 4.2),
                             squeeze=False)
    for ax, panel in zip(axes[0], panels):
        h = np.asarray(panel["h"])
        grid = np.linspace(h.min() * 0.9, h.max() * 1.05, 200)
        ax.plot(grid, panel["curve"](grid), color="black", lw=1.2, label=panel["curve_label"])
        for i, (label, values, marker) in enumerate(panel["points"]):
            ax.plot(h, values, marker, color=COLOURS[i % len(COLOURS)], ms=4, alpha=0.8,
                    label=label, ls="none")
        ax.set_xlabel("curvature h (eigenvalue of H)")
        ax.set_ylabel(panel.get("ylabel", "factor"))
        if "ylim" in panel:
            ax.set_ylim(*panel["ylim"])
        ax.set_title(panel["title"])
        _legend_below(ax)
    return fig


def risk_curve_figure(lams, risks, marks) -> plt.Figure:
    """Expected test MSE over λ (log axis); ``marks``: list of ``(label, λ, risk)`` points."""
    fig, ax = plt.subplots(figsize=(6, 3.4))
    ax.loglog(lams, risks, color="black", lw=1.2, label="ridge: σ² + ‖θ̂(λ) − θ_true‖²")
    for i, (label, lam, risk) in enumerate(marks):
        ax.plot([lam], [risk], "o", color=COLOURS[i % len(COLOURS)], label=label)
    ax.set_xlabel("λ")
    ax.set_ylabel("expected test MSE")
    ax.legend()
    return fig


def threshold_figure(ols, closed, ista, threshold, swing_epochs, swings, band, labels)\
        -> plt.Figure:
    """Left: soft-thresholded coordinates against OLS (closed form line, ISTA points).
    Right: should-be-zero coordinates over epochs for each run in ``swings`` (list of 2-D arrays
    epochs × coordinates), with the band ±``band``.
    """
    fig, (left, right) = plt.subplots(1, 2, figsize=(MAX_WIDTH_IN, 4.2))
    grid = np.linspace(ols.min() * 1.05, ols.max() * 1.05, 400)
    left.plot(grid, np.sign(grid) * np.maximum(np.abs(grid) - threshold, 0), color="black",
              lw=1, label="soft threshold (SymPy)")
    left.plot(ols, ista, "o", ms=4, color=TRAIN_COLOUR, label="ISTA")
    zero = closed == 0
    left.plot(ols[zero], ista[zero], "o", ms=6, mfc="none", color=VAL_COLOUR, label="exact zeros")
    left.set_xlabel("OLS coordinate")
    left.set_ylabel("lasso coordinate")
    _legend_below(left)
    for i, (epochs, values, label) in enumerate(zip(swing_epochs, swings, labels)):
        right.plot(epochs, values, color=COLOURS[i % len(COLOURS)], lw=0.5, alpha=0.6)
        right.plot([], [], color=COLOURS[i % len(COLOURS)], label=label)
    right.axhspan(-band, band, color="0.85", zorder=0, label="±2ηλ (SGD)")
    right.set_xlabel("epoch")
    right.set_ylabel("coordinates the lasso sets to 0")
    _legend_below(right)
    return fig


def histogram_figure(samples, lines, xlabel: str, log: bool = False) -> plt.Figure:
    """Histograms of ``samples`` (list of ``(label, values)``) with vertical ``lines``
    (list of ``(label, x, colour, linestyle)``); colour an int picks the i-th sample's colour."""
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    for i, (label, values) in enumerate(samples):
        ax.hist(values, bins=60, alpha=0.45, color=COLOURS[i % len(COLOURS)], label=label,
                density=True, log=log)
    for label, x, colour, style in lines:
        colour = COLOURS[colour % len(COLOURS)] if isinstance(colour, int) else colour
        ax.axvline(x, color=colour, ls=style, lw=1.2, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("density")
    _legend_below(ax, ncol=2)
    return fig


def scatter_figure(x, series, xlabel: str, ylabel: str) -> plt.Figure:
    """Coordinates ``series`` (list of ``(label, values, marker)``) against ``x``, with y = x."""
    fig, ax = plt.subplots(figsize=(5.4, 5.6))
    lim = [min(np.min(x), *(np.min(v) for _, v, _ in series)),
           max(np.max(x), *(np.max(v) for _, v, _ in series))]
    ax.plot(lim, lim, color="black", lw=1, label="y = x")
    for i, (label, values, marker) in enumerate(series):
        ax.plot(x, values, marker, ms=4, color=COLOURS[i % len(COLOURS)], label=label,
                ls="none", alpha=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _legend_below(ax)
    return fig


def orders_figure(panels) -> plt.Figure:
    """One log–log panel per entry: dicts with ``title``, ``etas`` and ``series`` — a list of
    ``(label, errors)``; dotted guide lines of slope 1, 2, 3 through each series' last point."""
    fig, axes = plt.subplots(1, len(panels), figsize=(min(4.4 * len(panels), MAX_WIDTH_IN), 4.6),
                             squeeze=False)
    for ax, panel in zip(axes[0], panels):
        etas = np.asarray(panel["etas"])
        for i, (label, errors, slope) in enumerate(panel["series"]):
            errors = np.asarray(errors)
            colour = COLOURS[i % len(COLOURS)]
            ax.loglog(etas, errors, "o-", color=colour, label=label)
            if slope:
                # The guide runs parallel to the series, a factor GUIDE_OFFSET below it (through
                # the series' own point it would hide under the line it is meant to be read against).
                guide = GUIDE_OFFSET * errors[-1] * (etas / etas[-1]) ** slope
                ax.loglog(etas, guide, ":", color=colour, lw=1.6)
                k = int(np.argmin(etas))   # labelled at the smallest step, inside the axes
                ax.annotate(f"slope {slope}", (etas[k], guide[k]), color=colour,
                            textcoords="offset points", xytext=(4, -14))
        ax.set_xticks(etas)
        ax.set_xticklabels([f"{e:g}" for e in etas])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("step size η")
        ax.set_ylabel("distance")
        ax.set_title(panel["title"])
        _legend_below(ax)
    return fig


def distance_figure(epochs, series, ylabel: str) -> plt.Figure:
    """Distances over epochs (log–log): ``series`` a list of ``(label, values)``."""
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    for i, (label, values) in enumerate(series):
        ax.loglog(np.maximum(epochs, 1), values, color=COLOURS[i % len(COLOURS)], label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    return fig
