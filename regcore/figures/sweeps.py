"""Figures of the "Beyond one seed" chapters: one function per figure kind, each returns a Figure.

* :func:`seeds_figure` — each post run's test loss over seeds (data seed varied, init seed
  varied), mean and 95% interval, beside the post's published single-seed number.
* :func:`differences_figure` — paired differences between runs with intervals (rankings).
* :func:`strength_figure` — validation and test loss against a regulariser's strength, one panel
  per regulariser, the tuned value marked.
* :func:`learning_curves_figure` — test loss against n_train, one band per model.

The numbers come from :mod:`regcore.studies`; the style from :func:`regcore.figures.style.use_book_style`.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FormatStrFormatter, LogLocator, NullFormatter

from .style import BEST_EPOCH_COLOUR, EXTRA_COLOURS, TEST_COLOUR, VAL_COLOUR

#: Colours of the two ways a seed is varied.
VARY_COLOURS = {"data": EXTRA_COLOURS[1], "init": EXTRA_COLOURS[0]}


def seeds_figure(rows: dict, published: dict) -> plt.Figure:
    """``rows[run] = {"data": (mean, low, high), "init": (...)}``; ``published[run]`` a number."""
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
    """``rows[label] = {"data": (mean, low, high), "init": (...)}`` of paired differences."""
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


def strength_figure(panels: dict) -> plt.Figure:
    """``panels[title] = (tick_labels, val (n, 3), test (n, 3), tuned_index)``, rows of
    (mean, low, high) per grid value; grid values sit at equal spacing, labelled."""
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
        ax.set_ylabel("MSE loss at best epoch")
    fig.legend(*axes[0, 0].get_legend_handles_labels(), loc="outside lower center", ncol=3,
               frameon=False)
    return fig


def learning_curves_figure(curves: dict) -> plt.Figure:
    """``curves[label] = (n_trains, rows (len(n_trains), 3))`` of test-loss (mean, low, high).

    A label's n_trains may be a subset of the others' (the tuned batch size has no run where one
    batch is the whole set) or empty (then it is left out of the figure and its legend).
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
    ax.set_xlabel("training points n")
    ax.set_ylabel("test loss at the best epoch")
    ax.legend()
    return fig
