"""What the digits look like: :func:`examples_figure`, a row of training images with labels.

Chapter "Do the lessons hold on real data?" (``book/more/digits.md``) opens with it, so that a
reader sees the 8×8 inputs the networks classify. Grey levels as stored (0 white, 1 black after
the division by 16); the style is :func:`regcore.figures.style.use_book_style`'s.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .style import MAX_WIDTH_IN


def examples_figure(x, y, per_class: int = 1) -> plt.Figure:
    """The first ``per_class`` images of each class in ``x``, one column per class, labelled.

    Parameters
    ----------
    x : array_like
        Images as rows of 64 pixels in [0, 1], ``(n, 64)``.
    y : array_like
        Their labels 0-9, ``(n,)``.
    per_class : int, optional
        Rows of the figure: images shown per class. Default ``1``.

    Returns
    -------
    matplotlib.figure.Figure
        ``per_class`` × 10 panels, each titled with its label.

    Raises
    ------
    ValueError
        When a class has fewer than ``per_class`` images in ``x`` (the message names it).
    """
    x, y = np.asarray(x), np.asarray(y)
    classes = range(10)
    picks = {c: np.flatnonzero(y == c)[:per_class] for c in classes}
    for c, idx in picks.items():
        if len(idx) < per_class:
            raise ValueError(f"per_class={per_class} is not allowed here: class {c} has only "
                             f"{len(idx)} images in x")
    width = min(MAX_WIDTH_IN, 7.0)
    fig, axes = plt.subplots(per_class, 10, figsize=(width, width / 10 * per_class * 1.3),
                             squeeze=False)
    for c in classes:
        for r in range(per_class):
            ax = axes[r, c]
            ax.imshow(x[picks[c][r]].reshape(8, 8), cmap="Greys", vmin=0, vmax=1,
                      interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(str(c))
    return fig
