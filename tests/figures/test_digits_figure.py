"""regcore.figures.digits: one panel per class showing that class's images."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from regcore.figures import style  # noqa: E402
from regcore.figures.digits import examples_figure  # noqa: E402


def test_each_panel_shows_the_first_images_of_its_class():
    style.use_book_style()
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(10), 3)[::-1]
    x = rng.random((30, 64))
    fig = examples_figure(x, y, per_class=2)
    assert len(fig.axes) == 20 and fig.get_figwidth() <= style.MAX_WIDTH_IN
    for c in range(10):
        first = np.flatnonzero(y == c)
        for r in range(2):
            ax = fig.axes[r * 10 + c]
            np.testing.assert_array_equal(ax.get_images()[0].get_array(),
                                          x[first[r]].reshape(8, 8))
        assert fig.axes[c].get_title() == str(c)
    plt.close(fig)


def test_too_few_images_of_a_class_is_refused():
    with pytest.raises(ValueError, match="per_class=2"):
        examples_figure(np.zeros((10, 64)), np.arange(10), per_class=2)
