"""The book's figure style and colours, shared by every figure module.

:func:`use_book_style` sets a white figure background (so that figures stay legible in the
theme's dark mode) and SVG-friendly fonts; every chapter calls it through
:func:`regcore.site.glue.setup_chapter`. The three split colours are used for the training,
validation and test curves in every figure of the book.
"""
from __future__ import annotations

import matplotlib

TRAIN_COLOUR = "tab:blue"
VAL_COLOUR = "tab:red"
TEST_COLOUR = "tab:green"


def use_book_style() -> None:
    """Set the house style for every later figure."""
    matplotlib.rcParams.update({
        "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white",
        "figure.dpi": 110, "savefig.dpi": 150, "font.size": 10, "axes.grid": True,
        "grid.alpha": 0.3, "axes.spines.top": False, "svg.fonttype": "path",
        "figure.constrained_layout.use": True,
    })
