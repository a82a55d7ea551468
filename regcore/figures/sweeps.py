"""Figures of the "Beyond one seed" chapters: one function per figure kind, each returns a Figure.

* :func:`seeds_figure` — each post run's test loss over seeds (data seed varied, init seed
  varied), mean and 95% interval, beside the post's published single-seed number.
* :func:`differences_figure` — paired differences between runs with intervals (rankings).
* :func:`strength_figure` — validation and test loss against a regulariser's strength, one panel
  per regulariser, the tuned value marked.
* :func:`learning_curves_figure` — test loss against n_train, one band per model.

The numbers come from :mod:`regcore.studies`; the style from
:func:`regcore.figures.style.use_book_style`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

from .style import BEST_EPOCH_COLOUR, EXTRA_COLOURS, TEST_COLOUR, VAL_COLOUR

#: Colours of the two ways a seed is varied.
VARY_COLOURS = {"data": EXTRA_COLOURS[1], "init": EXTRA_COLOURS[0]}


def seeds_figure(rows: dict, published: dict) -> plt.Figure:
    """Each run's test loss over seeds, beside the number the post published.

    Per run, two points with error bars, the mean and 95% interval of the test loss at the best
    epoch with the data seed varied and with the init seed varied, and a cross at the number
    the post published (one seed, validation loss), on a logarithmic axis. Chapter "The post
    over many seeds".

    Parameters
    ----------
    rows : dict
        ``{run: {"data": (mean, low, high), "init": (mean, low, high)}}``, in drawing order.
    published : dict
        ``{run: number}``, the post's published loss; a run that is missing (or ``None``) gets
        no cross.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    names = list(rows)
    xs = np.arange(len(names))
    fig, ax = plt.subplots(figsize=(8, 3.8))
    for offset, vary in ((-0.15, "data"), (0.15, "init")):
        colour = VARY_COLOURS[vary]
        m = np.array([rows[n][vary] for n in names])
        ax.errorbar(xs + offset, m[:, 0], yerr=[m[:, 0] - m[:, 1], m[:, 2] - m[:, 0]],
                    fmt="o", color=colour, capsize=3, ms=4,
                    label=f"test loss, {vary} seed varied (mean, 95% interval)")
    pub = [published.get(n) for n in names]
    ax.scatter([x for x, p in zip(xs, pub) if p is not None], [p for p in pub if p is not None],
               marker="x", color="black", zorder=3, label="published (one seed, validation)")
    ax.set_yscale("log")
    ax.set_xticks(xs, names, rotation=20)
    ax.set_ylabel("MSE loss at the best epoch")
    ax.legend()
    return fig


def differences_figure(rows: dict) -> plt.Figure:
    """Paired differences of test loss between runs, with intervals, one row per comparison.

    Per comparison, two points with horizontal error bars, the mean and 95% interval of the
    paired difference with the data seed varied and with the init seed varied, and a vertical
    line at zero. The first label is drawn at the top. Chapter "The post over many seeds".

    Parameters
    ----------
    rows : dict
        ``{label: {"data": (mean, low, high), "init": (mean, low, high)}}``, in drawing order
        from the top.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, its height growing with the number of rows.
    """
    labels = list(rows)
    ys = np.arange(len(labels))[::-1]
    fig, ax = plt.subplots(figsize=(8, 0.45 * len(labels) + 1.2))
    for offset, vary in ((0.12, "data"), (-0.12, "init")):
        colour = VARY_COLOURS[vary]
        m = np.array([rows[lab][vary] for lab in labels])
        ax.errorbar(m[:, 0], ys + offset, xerr=[m[:, 0] - m[:, 1], m[:, 2] - m[:, 0]], fmt="o",
                    color=colour, capsize=3, ms=4, label=f"{vary} seed varied")
    ax.axvline(0, color="black", lw=1)
    ax.set_yticks(ys, labels)
    ax.set_xlabel("difference of test loss (mean over paired seeds, 95% interval)")
    ax.legend()
    return fig


def strength_figure(panels: dict, ylabel: str = "MSE loss at best epoch") -> plt.Figure:
    """Validation and test loss against a regulariser's strength, one panel per regulariser.

    In each panel the grid values sit at equal spacing, labelled. The validation loss is a line
    with a filled band of its interval, the test loss a dashed line with dotted interval edges
    (so that neither hides the other), and a dashed vertical line marks the tuned value; the
    loss axis is logarithmic. Chapter "Tuning, and more data" (and "Do the lessons hold on real
    data?", with cross-entropy).

    Parameters
    ----------
    panels : dict
        ``{title: (tick_labels, val, test, tuned_index)}`` for one panel or up to four (a 2 × 2
        grid; chapter "Noise injection is Tikhonov regularisation" draws one): ``val`` and
        ``test`` have one row ``(mean, low, high)`` per grid value, ``tuned_index`` is the
        position of the tuned value.
    ylabel : str, optional
        The loss axis's label. Default ``"MSE loss at best epoch"``.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with one legend under it.
    """
    if len(panels) == 1:
        fig, ax = plt.subplots(figsize=(5.6, 4.2))
        axes = np.array([[ax]])
    else:
        fig, axes = plt.subplots(2, 2, figsize=(8, 6.6))
    for ax, (title, (ticks, val, test, best)) in zip(axes.ravel(), panels.items()):
        xs = np.arange(len(ticks))
        # Validation and test often coincide: a filled band for validation, the test interval as
        # dashed edges, so that neither hides the other and no mixed colour appears.
        val, test = np.asarray(val), np.asarray(test)
        ax.plot(xs, val[:, 0], "o-", color=VAL_COLOUR, ms=4, label="validation")
        ax.fill_between(xs, val[:, 1], val[:, 2], color=VAL_COLOUR, alpha=0.18, lw=0)
        ax.plot(xs, test[:, 0], "s--", color=TEST_COLOUR, ms=4, label="test")
        for edge in (1, 2):
            ax.plot(xs, test[:, edge], ":", color=TEST_COLOUR, lw=1.2)
        ax.axvline(best, color=BEST_EPOCH_COLOUR, ls="--", lw=1.2,
                   label="tuned (lowest mean validation)")
        ax.set_xticks(xs, ticks)
        ax.set_yscale("log")
        # Log axis labelled at 1, 2 and 5 times each power of ten, in plain numbers
        ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_title(title)
        ax.set_ylabel(ylabel)
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=3,
               frameon=False)
    return fig


def learning_curves_figure(curves: dict) -> plt.Figure:
    """Test loss against the number of training points, one line and band per model.

    Each curve is the mean test loss at the best epoch with a band of its interval, on
    log–log axes, with a tick at every training-set size of any curve. A label's sizes may be a
    subset of the others' (the tuned batch size has no run where one batch is the whole set) or
    empty (then it is left out of the figure and its legend). Chapter "Tuning, and more data".

    Parameters
    ----------
    curves : dict
        ``{label: (n_trains, rows)}``, ``rows`` one ``(mean, low, high)`` of the test loss per
        training-set size, in drawing order.

    Returns
    -------
    matplotlib.figure.Figure
        The figure.
    """
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    for label, (ns, rows) in curves.items():
        if not len(ns):
            continue
        rows = np.asarray(rows, dtype=float).reshape(len(ns), 3)
        line, = ax.plot(ns, rows[:, 0], "o-", ms=3, label=label)
        ax.fill_between(ns, rows[:, 1], rows[:, 2], color=line.get_color(), alpha=0.15)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sorted({n for ns, _ in curves.values() for n in ns}))
    ax.get_xaxis().set_major_formatter(plt.ScalarFormatter())
    ax.xaxis.set_minor_formatter(NullFormatter())   # only the sizes trained are labelled
    ax.set_xlabel("training points n")
    ax.set_ylabel("test loss at the best epoch")
    ax.legend()
    return fig
