"""regcore.figures.style: the house style makes SVG with real text no smaller than the body size,
the split colours from a colour-blind-safe palette, and byte-identical files for the same figure."""
import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from regcore.figures import style  # noqa: E402
from regcore.figures.runs import training_figure  # noqa: E402
from svg_text import baseline_font_sizes  # noqa: E402


class _Run:
    """A stand-in FitResult: what training_figure reads, with a best epoch at the very end."""
    epochs = 50
    val_loss = np.linspace(1.0, 0.1, 51)
    train_loss = np.linspace(0.9, 0.05, 51)
    best_epoch, best_train_loss, best_val_loss = 50, 0.05, 0.1
    snapshot_epochs = np.arange(51)
    snapshots = np.random.default_rng(0).normal(size=(51, 30))


def _svg(fig) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    return buf.getvalue()


def test_text_is_text_and_never_smaller_than_the_house_size():
    style.use_book_style()
    svg = _svg(training_figure(_Run(), "a title"))
    sizes = baseline_font_sizes(svg)
    assert sizes, "no text elements: text was drawn as paths"
    # matplotlib writes sizes in points as SVG user units (1 unit = 1 pt at natural size)
    assert min(sizes) >= style.FONT_PT


def test_figures_fit_the_column():
    style.use_book_style()
    fig = training_figure(_Run())
    assert fig.get_figwidth() <= style.MAX_WIDTH_IN
    plt.close(fig)


def test_the_same_figure_gives_the_same_bytes():
    style.use_book_style()
    assert _svg(training_figure(_Run())) == _svg(training_figure(_Run()))


def test_split_colours_are_distinct_okabe_ito_colours():
    splits = [style.TRAIN_COLOUR, style.VAL_COLOUR, style.TEST_COLOUR]
    assert len(set(splits)) == 3 and set(splits) <= set(style.OKABE_ITO.values())
    assert set(style.SERIES_COLOURS) <= set(style.OKABE_ITO.values())
