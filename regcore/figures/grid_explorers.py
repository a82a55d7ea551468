"""The four explorable figures of chapter "Tuning, and more data", drawn from its sweeps.

Each takes the chapter's results (the strength grids of :func:`regcore.studies.strength_grids`,
the learning curves' scores) and returns an :class:`~regcore.figures.explorable.Explorable`:

* :func:`weight_decay_explorer` — λ → the MLP's validation curve over the seeds, the size of its
  weights, and the shrinkage factors h/(h+λ) that λ would apply to the linear model's solution.
* :func:`dropout_explorer` — p → every seed's validation curve and the test losses.
* :func:`batch_size_explorer` — batch size → the training loss epoch by epoch (its noise), the
  validation curve, and each seed's best validation loss.
* :func:`learning_curve_explorer` — a regulariser → its tuned learning curve beside the plain MLP's
  and the linear model's.

Axes are fixed across a figure's frames, so that moving the control moves the data, not the
axes; the setting shown is highlighted among the others where the panel shows all of them.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from ..studies import finite, value_words
from ..theory import ridge_eigen
from .explorable import Explorable, explorable_html, svg_frames
from .style import BEST_EPOCH_COLOUR, TRAIN_COLOUR, VAL_COLOUR, TEST_COLOUR

#: Colour of the settings not shown (the context for the highlighted one).
OTHER_COLOUR = "#b8b8b8"


def _members(result, field: str, value):
    return finite(result.where(**{field: value}))


def _limits(arrays, log: bool = True, pad: float = 1.15) -> tuple[float, float]:
    values = np.concatenate([np.ravel(a) for a in arrays])
    values = values[np.isfinite(values) & ((values > 0) if log else True)]
    low, high = float(values.min()), float(values.max())
    return (low / pad, high * pad) if log else (low - (high - low) * 0.05,
                                                high + (high - low) * 0.05)


def _strip(ax, groups: list, chosen: int, ticks: list, ylabel: str) -> None:
    """One column of points per setting, the chosen setting's coloured, the others grey."""
    for k, values in enumerate(groups):
        colour = VAL_COLOUR if k == chosen else OTHER_COLOUR
        jitter = np.linspace(-0.18, 0.18, len(values)) if len(values) > 1 else np.zeros(1)
        ax.plot(k + jitter, values, "o", ms=3.5, color=colour, alpha=0.9)
        ax.plot([k - 0.3, k + 0.3], [np.mean(values)] * 2, color=BEST_EPOCH_COLOUR
                if k == chosen else OTHER_COLOUR, lw=2)
    ax.set_xticks(range(len(groups)), ticks, rotation=45 if len(groups) > 4 else 0)
    ax.set_ylabel(ylabel)


def _mean_and_spread(ax, epochs, curves, colour, label) -> None:
    """Mean over seeds and the band between the 10th and 90th percentiles of the seeds."""
    ax.plot(epochs, curves.mean(axis=0), color=colour, lw=2, label=label)
    ax.fill_between(epochs, *np.percentile(curves, [10, 90], axis=0), color=colour, alpha=0.2,
                    lw=0)


def weight_decay_explorer(grid, values, tuned) -> Explorable:
    r"""The weight-decay explorer: a slider over λ, three panels per value.

    For each λ of the grid, with the members that never diverged: the MLP's validation loss
    over the epochs (mean over seeds and the band from the 10th to the 90th percentile of the
    seeds), the norm of each seed's parameters at its best epoch beside those of the other
    strengths (this λ in colour), and the factors :math:`h/(h+\lambda)` by which λ shrinks the
    linear model's solution along each eigendirection of curvature h
    (:func:`regcore.theory.ridge_eigen.ridge_factors`, the curve and the eigenvalues of the
    post's draw). The validation axis is the same in every frame.

    Parameters
    ----------
    grid : regcore.sweep.settings.SweepResult
        The weight-decay grid of :func:`regcore.studies.strength_grids`.
    values : sequence of float
        Its λ values, in the slider's order.
    tuned : float
        The λ chosen on validation, one of ``values``; shown first.

    Returns
    -------
    regcore.figures.explorable.Explorable
        The figure (id ``explore-weight-decay``), one frame per value.

    Raises
    ------
    ValueError
        When ``tuned`` is not one of ``values``, or the frames exceed
        :data:`~regcore.figures.explorable.MAX_PAGE_BYTES`.
    """
    members = [_members(grid, "weight_decay", v) for v in values]
    norms = [np.linalg.norm(m.best_theta, axis=1) for m in members]
    closed = {v: ridge_eigen.ridge_factors(v) for v in values}
    val_lim = _limits([m.val_loss for m in members])
    ticks = [value_words("weight_decay", v) for v in values]

    def draw(k):
        fig, (a, b, c) = plt.subplots(1, 3, figsize=(8, 3.4), width_ratios=(1.3, 1, 1))
        _mean_and_spread(a, members[k].eval_epochs, members[k].val_loss, VAL_COLOUR,
                         "validation")
        a.set(xscale="log", yscale="log", ylim=val_lim, xlabel="epoch",
              ylabel="validation loss", title="MLP, over seeds")
        _strip(b, norms, k, ticks, "‖θ‖ at the best epoch")
        b.set(xlabel="λ", title="size of the weights")
        evals = closed[values[k]]["evals"]
        h = np.geomspace(evals.min() / 2, evals.max() * 2, 200)
        c.plot(h, h / (h + values[k]), color=TRAIN_COLOUR, lw=1.5)
        c.plot(evals, closed[values[k]]["factors"], "o", ms=3.5, color=TRAIN_COLOUR)
        c.set(xscale="log", ylim=(0, 1.05), xlabel="curvature h", ylabel="h/(h+λ)",
              title="linear model")
        return fig

    return Explorable(explorable_html(
        "weight-decay", svg_frames(draw, range(len(values))), [f"λ = {t}" for t in ticks],
        control="slider", control_label="Adam weight decay λ", initial=list(values).index(tuned),
        alt=("Three panels for one weight-decay strength λ of the MLP: its validation loss over "
             "the epochs (mean over seeds and the band of the middle 80% of seeds), the norm of "
             "each seed's weights at its best epoch beside the other strengths, and the factors "
             "h/(h+λ) by which λ shrinks the linear model's solution along each eigendirection "
             "of curvature h.")))


def dropout_explorer(grid, values, tuned) -> Explorable:
    """The dropout explorer: a slider over the dropout rate p, two panels per rate.

    For each rate of the grid, with the members that never diverged: every seed's validation
    loss over the epochs and their mean, and each seed's test loss at its best epoch beside
    those of the other rates (this rate in colour). The validation axis is the same in every
    frame.

    Parameters
    ----------
    grid : regcore.sweep.settings.SweepResult
        The dropout grid of :func:`regcore.studies.strength_grids`.
    values : sequence of float
        Its rates, in the slider's order.
    tuned : float
        The rate chosen on validation, one of ``values``; shown first.

    Returns
    -------
    regcore.figures.explorable.Explorable
        The figure (id ``explore-dropout``), one frame per rate.

    Raises
    ------
    ValueError
        When ``tuned`` is not one of ``values``, or the frames exceed
        :data:`~regcore.figures.explorable.MAX_PAGE_BYTES`.
    """
    members = [_members(grid, "dropout", v) for v in values]
    val_lim = _limits([m.val_loss for m in members])
    tests = [m.test_loss_at_best for m in members]
    ticks = [value_words("dropout", v) for v in values]

    def draw(k):
        fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.4), width_ratios=(1.5, 1))
        m = members[k]
        for curve in m.val_loss:
            a.plot(m.eval_epochs, curve, color=VAL_COLOUR, lw=0.7, alpha=0.35)
        a.plot(m.eval_epochs, m.val_loss.mean(axis=0), color=BEST_EPOCH_COLOUR, lw=2,
               label="mean over seeds")
        a.set(xscale="log", yscale="log", ylim=val_lim, xlabel="epoch",
              ylabel="validation loss", title=f"each seed at p = {ticks[k]}")
        a.legend(loc="upper right")
        _strip(b, tests, k, ticks, "test loss at the best epoch")
        b.set(yscale="log", xlabel="dropout p", title="all rates")
        return fig

    return Explorable(explorable_html(
        "dropout", svg_frames(draw, range(len(values))), [f"p = {t}" for t in ticks],
        control="slider", control_label="dropout rate p", initial=list(values).index(tuned),
        alt=("For one dropout rate p: every seed's validation loss over the epochs with their "
             "mean, and each seed's test loss at its best epoch beside those of the other "
             "rates.")))


def batch_size_explorer(grid, values, tuned, n_seeds_shown: int = 3) -> Explorable:
    """The batch-size explorer: a slider over the batch size, two panels per size.

    For each batch size of the grid, with the members that never diverged: the training loss
    of the first ``n_seeds_shown`` seeds epoch by epoch (noisy for small batches) with the mean
    validation loss, and each seed's best validation loss beside those of the other sizes (this
    size in colour). The loss axis is the same in every frame.

    Parameters
    ----------
    grid : regcore.sweep.settings.SweepResult
        The batch-size grid of :func:`regcore.studies.strength_grids`.
    values : sequence of int or None
        Its batch sizes, in the slider's order; ``None`` is full batch.
    tuned : int or None
        The batch size chosen on validation, one of ``values``; shown first.
    n_seeds_shown : int, optional
        How many seeds' training losses are drawn. Default ``3``.

    Returns
    -------
    regcore.figures.explorable.Explorable
        The figure (id ``explore-batch-size``), one frame per batch size.

    Raises
    ------
    ValueError
        When ``tuned`` is not one of ``values``, or the frames exceed
        :data:`~regcore.figures.explorable.MAX_PAGE_BYTES`.
    """
    members = [_members(grid, "batch_size", v) for v in values]
    best_val = [m.best_val_loss for m in members]
    train_lim = _limits([m.train_loss[:n_seeds_shown, 1:] for m in members]
                        + [m.val_loss.mean(axis=0) for m in members])
    ticks = [value_words("batch_size", v) for v in values]

    def draw(k):
        fig, (a, b) = plt.subplots(1, 2, figsize=(8, 3.4), width_ratios=(1.5, 1))
        m = members[k]
        epochs = np.arange(m.train_loss.shape[1])
        for s, curve in enumerate(m.train_loss[:n_seeds_shown]):
            a.plot(epochs[1:], curve[1:], color=TRAIN_COLOUR, lw=0.6, alpha=0.7,
                   label="training, one seed each" if s == 0 else None)
        a.plot(m.eval_epochs, m.val_loss.mean(axis=0), color=VAL_COLOUR, lw=2,
               label="validation, mean")
        a.set(xscale="log", yscale="log", ylim=train_lim, xlabel="epoch", ylabel="MSE loss",
              title=f"batch size {ticks[k]}")
        a.legend(loc="lower left")
        _strip(b, best_val, k, ticks, "best validation loss")
        b.set(yscale="log", xlabel="batch size", title="all batch sizes")
        return fig

    return Explorable(explorable_html(
        "batch-size", svg_frames(draw, range(len(values))), [f"batch size {t}" for t in ticks],
        control="slider", control_label="batch size", initial=list(values).index(tuned),
        alt=("For one batch size: the training loss of a few seeds epoch by epoch, noisy for "
             "small batches, with the mean validation loss, and each seed's best validation "
             "loss beside those of the other batch sizes.")))


def learning_curve_explorer(curves: dict, choices: dict, references: dict) -> Explorable:
    """The learning-curve explorer: a selector over the regularisers, one panel per choice.

    Each frame draws the chosen regulariser's learning curve (mean test loss at the best epoch
    against the number of training points, with the band of its interval) beside the reference
    curves, dashed in two greys (only the first two references are drawn). A choice whose curve
    has no points is left out of the selector. The axes are the same in every frame; the x
    ticks are every training-set size of any curve.

    Parameters
    ----------
    curves : dict
        ``{key: (n_trains, rows)}``, ``rows`` one ``(mean, low, high)`` of the test loss per
        size, for every key of ``choices`` and ``references``.
    choices : dict
        ``{key: label}``: the curves the selector offers, in its order, and what it calls them.
    references : dict
        ``{key: label}``: the curves drawn in every frame, and their legend labels.

    Returns
    -------
    regcore.figures.explorable.Explorable
        The figure (id ``explore-learning-curve``), one frame per choice with points; the first
        is shown first.

    Raises
    ------
    KeyError
        When a key of ``choices`` or ``references`` is not in ``curves``.
    ValueError
        When no choice has points, or the frames exceed
        :data:`~regcore.figures.explorable.MAX_PAGE_BYTES`.
    """
    everything = [np.asarray(rows, dtype=float)[:, 1:] for ns, rows in curves.values() if len(ns)]
    lim = _limits(everything)
    all_ns = sorted({n for ns, _ in curves.values() for n in ns})
    keys = [key for key in choices if len(curves[key][0])]

    def draw(k):
        fig, ax = plt.subplots(figsize=(8, 3.8))
        for (key, label), colour in zip(references.items(), ("#555555", OTHER_COLOUR)):
            ns, rows = curves[key]
            rows = np.asarray(rows, dtype=float)
            ax.plot(ns, rows[:, 0], "o--", ms=3, color=colour, label=label)
        ns, rows = curves[keys[k]]
        rows = np.asarray(rows, dtype=float)
        ax.plot(ns, rows[:, 0], "o-", ms=4, color=TEST_COLOUR, lw=2, label=choices[keys[k]])
        ax.fill_between(ns, rows[:, 1], rows[:, 2], color=TEST_COLOUR, alpha=0.2, lw=0)
        ax.set(xscale="log", yscale="log", ylim=lim, xlabel="training points n",
               ylabel="test loss at the best epoch")
        ax.set_xticks(all_ns, [str(n) for n in all_ns])
        ax.minorticks_off()
        ax.legend(loc="upper right")
        return fig

    return Explorable(explorable_html(
        "learning-curve", svg_frames(draw, range(len(keys))), [choices[k] for k in keys],
        control="select", control_label="regulariser",
        alt=("Test loss at the best epoch against the number of training points for the chosen "
             "regulariser at its tuned strength (mean and 95% interval over seeds), beside the "
             "plain MLP and the linear model.")))
