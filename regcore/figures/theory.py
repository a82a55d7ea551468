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

#: The colours of a figure's series, in order (:data:`regcore.figures.style.SERIES_COLOURS`).
COLOURS = SERIES_COLOURS
#: Dotted slope guides run this factor below the series they belong to.
GUIDE_OFFSET = 0.45


def _legend_below(ax, ncol: int = 1) -> None:
    """A panel's legend under its axes: side-by-side panels are too narrow for a legend inside
    them that hides no data, and a long legend would cover a single panel's."""
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), frameon=False, ncol=ncol)


def factor_figure(panels) -> plt.Figure:
    """Per-eigendirection factors against the curvature h: measured points over a theory curve.

    One panel per entry of ``panels``, side by side (at most
    :data:`~regcore.figures.style.MAX_WIDTH_IN` inches wide in all). Each panel draws the theory
    curve in black over the range of ``h`` and, over it, each set of measured factors at the
    curvatures ``h``, in the series colours; its legend sits under it. Chapters "Weight decay in
    the Hessian's eigenbasis" and "Early stopping as L2".

    Parameters
    ----------
    panels : sequence of dict
        One dict per panel, with ``"title"``; ``"h"``, the curvatures (eigenvalues of H);
        ``"curve"``, a callable of an array of h that returns the theory's factors;
        ``"curve_label"``; ``"points"``, a list of ``(label, factors, marker)`` with one factor
        per curvature and a matplotlib marker such as ``"o"``; and optionally ``"ylabel"``
        (default ``"factor"``) and ``"ylim"``, a pair.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, one panel per entry.
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
    """Expected test MSE of ridge against λ on log–log axes, with marked points.

    The curve is black; each mark is a point in the series colours, in order, with a legend
    entry. Chapter "Weight decay in the Hessian's eigenbasis" draws
    :func:`regcore.theory.ridge_eigen.linear_risk_of_lambda` with it.

    Parameters
    ----------
    lams : array_like
        The values of λ.
    risks : array_like
        The expected test MSE at each λ.
    marks : sequence of tuple
        ``(label, lam, risk)`` per marked point.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
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
    r"""Soft-thresholding (left) and the swing of the should-be-zero coordinates (right).

    Left: the soft-threshold :math:`\operatorname{sign}(w)\max(|w| - t, 0)` at ``threshold``
    as a black line over the range of the OLS coordinates, ISTA's coordinates against the OLS
    ones as points, and the coordinates the closed form sets to exactly 0 circled. Right: for
    each run, its coordinates over the epochs as thin lines in the run's colour, over a grey
    band from ``-band`` to ``band`` labelled as SGD's :math:`\pm 2\eta\lambda`. The legends sit
    under the panels. Chapter "L1: soft-thresholding, and where sparsity shows".

    Parameters
    ----------
    ols : numpy.ndarray
        The OLS coordinates.
    closed : numpy.ndarray
        The closed-form lasso coordinates, one per OLS coordinate; only which are 0 is drawn.
    ista : numpy.ndarray
        ISTA's coordinates, one per OLS coordinate.
    threshold : float
        The threshold :math:`t` of the line.
    swing_epochs : sequence of array_like
        Per run, the epochs of its rows in ``swings``.
    swings : sequence of numpy.ndarray
        Per run, the coordinates drawn, ``(epochs, coordinates)``.
    band : float
        The half-width of the grey band.
    labels : sequence of str
        Per run, its legend label.

    Returns
    -------
    matplotlib.figure.Figure
        The two-panel figure.
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
    """Histograms of several samples, as densities, with vertical reference lines.

    Each sample is a histogram of 60 bins, normalised to a density, half transparent, in the
    series colours in order; each line is a vertical line with a legend entry. The legend sits
    under the axes, in two columns. Chapters "L1: soft-thresholding, and where sparsity shows"
    and "The best a linear model can score".

    Parameters
    ----------
    samples : sequence of tuple
        ``(label, values)`` per sample.
    lines : sequence of tuple
        ``(label, x, colour, linestyle)`` per line; a ``colour`` that is an ``int`` i picks the
        i-th series colour (that of the i-th sample), any other is passed to matplotlib.
    xlabel : str
        The x axis's label.
    log : bool, optional
        Draw the densities on a logarithmic axis. Default ``False``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
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
    """Coordinates of several series against reference coordinates ``x``, with the line y = x.

    Each series is drawn as points in the series colours, in order; the line y = x spans the
    range of all values. The legend sits under the axes. Chapter "Dropout on a linear model"
    draws trained and OLS coordinates against the closed form with it.

    Parameters
    ----------
    x : array_like
        The reference coordinates (x axis).
    series : sequence of tuple
        ``(label, values, marker)`` per series, one value per reference coordinate and a
        matplotlib marker such as ``"o"``.
    xlabel : str
        The x axis's label.
    ylabel : str
        The y axis's label.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
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
    """Errors against the step size on log–log axes, one panel per entry, with slope guides.

    One panel per entry of ``panels``, side by side (at most
    :data:`~regcore.figures.style.MAX_WIDTH_IN` inches wide in all), with x ticks at the step
    sizes. Each series is drawn as points joined by lines in the series colours, in order. A
    series with a non-zero ``slope`` gets a dotted guide line of that slope in its colour,
    through :data:`GUIDE_OFFSET` times the series' error at the last step size (so that it runs
    below the series, not over it), labelled "slope k" at the smallest step. The legends sit
    under the panels. Chapter "Implicit regularisation of gradient descent".

    Parameters
    ----------
    panels : sequence of dict
        One dict per panel, with ``"title"``, ``"etas"`` (the step sizes) and ``"series"``, a
        list of ``(label, errors, slope)`` with one error per step size and ``slope`` the
        expected order (0 for no guide).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, one panel per entry.
    """
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
    """Distances of the iterates over the epochs on log–log axes, one line per series.

    The lines are in the series colours, in order; epoch 0 is drawn at epoch 1, where the log
    axis can show it. Chapter "Adam + L2 versus AdamW" draws the distances to the OLS and ridge
    solutions with it.

    Parameters
    ----------
    epochs : array_like
        The epochs, shared by every series.
    series : sequence of tuple
        ``(label, values)`` per series, one value per epoch.
    ylabel : str
        The y axis's label.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    fig, ax = plt.subplots(figsize=(6.5, 3.5))
    for i, (label, values) in enumerate(series):
        ax.loglog(np.maximum(epochs, 1), values, color=COLOURS[i % len(COLOURS)], label=label)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.legend()
    return fig
