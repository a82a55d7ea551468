"""regcore.figures.bands: the bands figure draws one band per series, the reference lines,
and fits the column."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from regcore.figures import style  # noqa: E402
from regcore.figures.bands import bands_figure  # noqa: E402


def test_bands_figure_draws_each_series_and_the_reference():
    style.use_book_style()
    s = [0.01, 0.1, 1.0]
    rows = np.array([[1.0, 0.9, 1.1], [1.05, 1.0, 1.1], [1.2, 1.1, 1.3]])
    fig = bands_figure(s, [
        {"title": "ratio", "ylabel": "r", "reference": 1.0,
         "series": [("a", rows), ("b", rows + 0.1)]},
        {"title": "cross", "ylabel": "c", "series": [("a", rows - 1), ("b", rows - 1.1)]}],
        "setting")
    left, right = fig.axes[:2]
    assert [t.get_text() for t in left.get_xticklabels()] == ["0.01", "0.1", "1"]
    assert left.get_xlabel() == "setting" and left.get_xscale() == "log"
    # two series lines plus the black reference line on the left, no reference on the right
    assert len(left.get_lines()) == 3 and len(right.get_lines()) == 2
    np.testing.assert_allclose(left.get_lines()[1].get_ydata(), rows[:, 0])
    assert len(left.collections) == 2          # one band per series
    assert fig.get_figwidth() <= style.MAX_WIDTH_IN
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a", "b"]
    plt.close(fig)
