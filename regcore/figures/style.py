"""The book's figure style and colours, shared by every figure module.

:func:`use_book_style` sets the house style for every later figure; every chapter calls it
through ``regcore.site.glue.setup_chapter``, which also makes the chapters' figures SVG.

* **Legible at the page's width.** Text is 11.5 pt in every part of a figure (ticks, labels, legends,
  titles) and figures are at most :data:`MAX_WIDTH_IN` inches wide, so that in the book's column
  (about 660 px at a 1280 px window, where an 8-inch figure is shown at 0.86 of its size) no figure
  text renders smaller than 80% of the 16 px body text.
  ``tests/built/test_figures.py`` measures it in the built pages.
* **Vector, with real text.** SVG with text kept as text (``svg.fonttype: none``): sharp at any
  zoom, selectable, searchable. Dense layers (scatter clouds, thousands of trajectories) are
  rasterised inside the SVG at :data:`RASTER_DPI`, twice the screen's pixel density.
* **Colour-blind safe.** The Okabe–Ito palette (Okabe & Ito, "Color Universal Design", 2008),
  whose eight colours stay distinct under the common colour-vision deficiencies; training,
  validation and test are blue, vermilion and bluish green in every figure of the book.
* **Dark mode.** A white figure background, so that black text stays legible in the theme's dark
  mode.
* **Deterministic files.** No creation date and fixed element ids in the SVG, so that the same
  numbers give byte-identical figures.
"""
from __future__ import annotations

import os

import matplotlib
from cycler import cycler

#: The Okabe–Ito colours, by name.
OKABE_ITO = {
    "blue": "#0072B2", "vermilion": "#D55E00", "bluish green": "#009E73", "orange": "#E69F00",
    "reddish purple": "#CC79A7", "sky blue": "#56B4E9", "yellow": "#F0E442", "black": "#000000",
}
#: The training split's colour in every figure (Okabe–Ito blue).
TRAIN_COLOUR = OKABE_ITO["blue"]
#: The validation split's colour in every figure (Okabe–Ito vermilion).
VAL_COLOUR = OKABE_ITO["vermilion"]
#: The test split's colour in every figure (Okabe–Ito bluish green).
TEST_COLOUR = OKABE_ITO["bluish green"]
#: Further colours, in the order figures with more series use them.
EXTRA_COLOURS = (OKABE_ITO["orange"], OKABE_ITO["reddish purple"], OKABE_ITO["sky blue"])
#: Every series colour in order, the splits first, then the extras.
SERIES_COLOURS = (TRAIN_COLOUR, VAL_COLOUR, TEST_COLOUR) + EXTRA_COLOURS
#: The marker of a run's best epoch; not a split colour, since it sits on the split curves.
BEST_EPOCH_COLOUR = "black"

#: Widest figure, in inches; at 96 px per inch this is the book column's width at a 1280 px
#: window.
MAX_WIDTH_IN = 8.0
#: Size in points of every text of a figure (ticks, labels, legends, titles; figure titles 1 pt
#: more).
FONT_PT = 11.5
#: Resolution (dots per inch) of the layers rasterised inside an SVG, and of saved raster images.
RASTER_DPI = 200


def use_book_style() -> None:
    """Set the house style for every later figure (matplotlib's global ``rcParams``).

    White backgrounds; every text :data:`FONT_PT` points (figure titles one more); the series
    colours :data:`SERIES_COLOURS` in order; a light grid and no top spine; constrained layout;
    SVG with text kept as text and fixed element ids, and rasterised layers at
    :data:`RASTER_DPI`. It also sets the environment variable ``SOURCE_DATE_EPOCH`` to ``0``
    unless it is set already, so that matplotlib writes no date into the SVG files. The style
    stays in force for the rest of the process, or until ``rcParams`` change; nothing is
    returned. Every chapter calls it first, through ``regcore.site.glue.setup_chapter``.
    """
    os.environ.setdefault("SOURCE_DATE_EPOCH", "0")   # matplotlib writes no build date into SVG
    matplotlib.rcParams.update({
        "figure.facecolor": "white", "axes.facecolor": "white", "savefig.facecolor": "white",
        "figure.dpi": 110, "savefig.dpi": RASTER_DPI,
        "font.size": FONT_PT, "axes.titlesize": FONT_PT, "axes.labelsize": FONT_PT,
        "xtick.labelsize": FONT_PT, "ytick.labelsize": FONT_PT, "legend.fontsize": FONT_PT,
        "legend.title_fontsize": FONT_PT, "figure.titlesize": FONT_PT + 1,
        "axes.prop_cycle": cycler(color=list(SERIES_COLOURS)),
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False,
        "svg.fonttype": "none", "svg.hashsalt": "regcore",
        "figure.constrained_layout.use": True,
    })
