"""Which epochs to evaluate (validation) and which to keep (parameter snapshots).

Validating every epoch costs one forward pass over the 10,000 validation points per model and
epoch — more than a full-batch training step on 200 points — so it sets a floor under any training
loop, batched or not. A *validation schedule* evaluates every epoch early on, where the loss moves
fast, and then at log-spaced epochs, where it moves slowly; the best epoch is chosen among the
evaluated ones. :func:`evaluation_epochs` makes such a schedule, :func:`log_epochs` the thinned
snapshot epochs. Used by :mod:`regcore.sweep` and the "Beyond one seed" chapters, whose captions
state the schedule of each figure.
"""
from __future__ import annotations

import numpy as np

from ._checks import check_int
from .settings import check_setting


def log_epochs(epochs: int, count: int) -> np.ndarray:
    """About ``count`` distinct epochs from 0 to ``epochs``, log-spaced, always with 0 and the end.

    Returns a sorted int array of at most ``count`` entries (fewer when rounding merges
    neighbours); ``count`` >= 2.
    """
    epochs = check_setting("epochs", epochs)
    count = check_int("count", count, minimum=2)
    if count >= epochs + 1:
        return np.arange(epochs + 1)
    inner = np.geomspace(1, epochs, count - 1).round().astype(int)
    return np.unique(np.concatenate([[0], inner, [epochs]]))


def evaluation_epochs(epochs: int, max_evals: int | None = None, dense: int = 20) -> np.ndarray:
    """The epochs at which validation loss is measured.

    ``max_evals=None``: every epoch, 0 to ``epochs``. Otherwise every epoch up to ``dense``, then
    log-spaced up to ``epochs`` (always included), at most ``max_evals`` evaluations in all.
    Raises ``ValueError`` naming a parameter that is out of range.
    """
    epochs = check_setting("epochs", epochs)
    if max_evals is None:
        return np.arange(epochs + 1)
    dense = check_int("dense", dense, minimum=0)
    max_evals = check_int("max_evals", max_evals, minimum=dense + 2)
    if max_evals >= epochs + 1:
        return np.arange(epochs + 1)
    head = np.arange(min(dense, epochs) + 1)
    left = max_evals - len(head)
    start = max(dense, 1)
    # Fill the tail with up to ``left`` log-spaced epochs after ``dense``; rounding can merge
    # neighbours, so ask for more points until the budget is used (never exceeded).
    best = np.array([epochs])
    for ask in range(left, 4 * left + 2):
        tail = np.geomspace(start, epochs, ask + 1)[1:].round().astype(int)
        tail = np.unique(tail[tail > head[-1]])
        if len(tail) > left:
            break
        best = tail
    return np.unique(np.concatenate([head, best, [epochs]]))
