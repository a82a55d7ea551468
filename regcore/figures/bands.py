"""Bands over seeds against a setting on a log axis: :func:`bands_figure`.

One band (mean and 95% interval over seeds) per series, one panel per measured quantity, the
setting on a logarithmic x axis. Chapter "Noise injection is Tikhonov regularisation" draws with
it what input noise adds to trained MLPs' loss against the noise level (the numbers from
:func:`regcore.theory.noise_injection.excess_over_members`), chapter "L1 on activations: a toy
sparse autoencoder" the recovery of the features against the penalty. The style is
:func:`regcore.figures.style.use_book_style`'s.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from .style import MAX_WIDTH_IN, SERIES_COLOURS


def bands_figure(x, panels, xlabel: str) -> plt.Figure:
    """Means and intervals against a setting on a log x axis, one band per series, side by side.

    Each series is a line through its means with markers and a filled band between its interval
    ends, in the series colours in order; a thin black line marks a panel's ``"reference"`` (for the
    ratio to the Jacobian term, 1: the term is the whole excess, as it is for the linear
    model). The x ticks are the levels. The legend, shared, sits under the panels.

    Parameters
    ----------
    x : array_like
        The settings (x axis, > 0), shared by every series.
    panels : sequence of dict
        One dict per panel: ``"title"``, ``"ylabel"``, ``"series"``, a list of
        ``(label, rows)`` with one row ``(mean, low, high)`` per setting, and optionally
        ``"reference"``, the y value of a thin black line.

    xlabel : str
        The x axis's label.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, one panel per entry.
    """
    x = np.asarray(x, dtype=float)
    fig, axes = plt.subplots(1, len(panels), figsize=(min(4.4 * len(panels), MAX_WIDTH_IN), 4.2),
                             squeeze=False)
    for ax, panel in zip(axes[0], panels):
        ref = panel.get("reference")
        if ref is not None:
            ax.axhline(ref, color="black", lw=1)
        for i, (label, rows) in enumerate(panel["series"]):
            rows = np.asarray(rows, dtype=float)
            colour = SERIES_COLOURS[i % len(SERIES_COLOURS)]
            ax.plot(x, rows[:, 0], "o-", color=colour, ms=4, label=label)
            ax.fill_between(x, rows[:, 1], rows[:, 2], color=colour, alpha=0.2, lw=0)
        ax.set_xscale("log")
        ax.set_xticks(x)
        ax.set_xticklabels([f"{v:g}" for v in x])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel(xlabel)
        ax.set_ylabel(panel["ylabel"])
        ax.set_title(panel["title"])
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=min(len(labels), 3),
               frameon=False)
    return fig
