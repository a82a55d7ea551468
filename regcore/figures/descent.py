"""Figures of chapter "Double descent, and the regularisation that removes it".

* :func:`sample_wise_figure` — test MSE of the minimum-norm fit and of optimal ridge against the
  training-set size: the closed form as a curve, the Monte Carlo means with their intervals as
  points.
* :func:`model_wise_figure` — test MSE against the number of random features, every seed as a
  thin line and the median as a thick one, for the minimum-norm fit and for tuned ridge.

The numbers come from :mod:`regcore.theory.double_descent`; the style from
:func:`regcore.figures.style.use_book_style`. Both use a logarithmic loss axis: the peak is
orders of magnitude above the floor.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import EXTRA_COLOURS, TEST_COLOUR, TRAIN_COLOUR

#: Colour of the minimum-norm fit, and of ridge, in both figures.
MIN_NORM_COLOUR, RIDGE_COLOUR = TRAIN_COLOUR, EXTRA_COLOURS[0]


def sample_wise_figure(n_curve, closed_curve, n, min_norm, ridge, p: int,
                       noise_floor: float) -> plt.Figure:
    """Test MSE against the training-set size: closed form, Monte Carlo, and optimal ridge.

    The closed form is a line (NaN where it is infinite leaves a gap); the Monte Carlo means are
    points with error bars of their 95% intervals, min-norm and ridge in their colours; a dotted
    vertical line marks ``n = p`` and a dashed horizontal one the noise floor σ². Log y axis.

    Parameters
    ----------
    n_curve, closed_curve : array_like
        Sizes and the closed-form test MSE of the min-norm fit there (NaN for infinite).
    n : array_like
        Sizes of the Monte Carlo study.
    min_norm, ridge : array_like
        Rows ``(mean, low, high)`` of the test MSE per size, for the min-norm fit and for ridge.
    p : int
        Number of features (the interpolation threshold).
    noise_floor : float
        σ², the test MSE of the true function.

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with its legend under the axes.
    """
    fig, ax = plt.subplots(figsize=(6.5, 4.4))
    ax.plot(n_curve, closed_curve, color=MIN_NORM_COLOUR, lw=1.2,
            label="minimum norm, closed form")
    for rows, colour, marker, label in ((min_norm, MIN_NORM_COLOUR, "o", "minimum norm, Monte Carlo"),
                                        (ridge, RIDGE_COLOUR, "s", "ridge at λ*, Monte Carlo")):
        rows = np.asarray(rows, dtype=float)
        ax.errorbar(n, rows[:, 0], yerr=[rows[:, 0] - rows[:, 1], rows[:, 2] - rows[:, 0]],
                    fmt=marker, ms=4, color=colour, capsize=2, label=label,
                    ls="-" if marker == "s" else "none", lw=1)
    ax.axvline(p, color="black", ls=":", lw=1.2, label=f"n = p = {p}")
    ax.axhline(noise_floor, color=TEST_COLOUR, ls="--", lw=1, label="noise floor σ²")
    ax.set_yscale("log")
    ax.set_xlabel("training points n")
    ax.set_ylabel("expected test MSE")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False, ncol=2)
    return fig


def model_wise_figure(n_features, min_norm, ridge, n_train: int) -> plt.Figure:
    """Test MSE against the number of random features, every seed and the median.

    Each row of ``min_norm`` and ``ridge`` (one seed) is a thin translucent line, the median
    over seeds a thick one with markers; a dotted vertical line marks ``N = n_train``. Log–log
    axes.

    Parameters
    ----------
    n_features : array_like
        Numbers of features N (x axis).
    min_norm, ridge : array_like
        Test MSE ``(seeds, len(n_features))`` of the min-norm fit and of tuned ridge.
    n_train : int
        Training points (the interpolation threshold, N + 1 = n).

    Returns
    -------
    matplotlib.figure.Figure
        The figure, with its legend under the axes.
    """
    fig, ax = plt.subplots(figsize=(6.5, 4.4))
    for values, colour, label in ((min_norm, MIN_NORM_COLOUR, "minimum norm"),
                                  (ridge, RIDGE_COLOUR, "ridge, λ tuned on validation")):
        values = np.asarray(values, dtype=float)
        for row in values:
            ax.plot(n_features, row, color=colour, lw=0.6, alpha=0.3)
        ax.plot(n_features, np.median(values, axis=0), "o-", color=colour, ms=4, lw=2,
                label=f"{label} (median; thin lines: each seed)")
    ax.axvline(n_train, color="black", ls=":", lw=1.2, label=f"N = n_train = {n_train}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("random ReLU features N")
    ax.set_ylabel("test MSE")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), frameon=False, ncol=1)
    return fig
