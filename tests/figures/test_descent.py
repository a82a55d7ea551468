"""regcore.figures.descent: the double-descent figures draw what they are given, gaps included."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from regcore.figures import style  # noqa: E402
from regcore.figures.descent import model_wise_figure, sample_wise_figure  # noqa: E402


def test_sample_wise_figure_leaves_a_gap_where_the_risk_is_infinite():
    style.use_book_style()
    n_curve = np.arange(45, 56)
    gap = np.abs(n_curve - 50.0)
    closed = np.where(gap <= 1, np.nan, 1.0 / np.maximum(gap, 1))
    rows = np.array([[1.0, 0.9, 1.1], [0.5, 0.4, 0.6]])
    fig = sample_wise_figure(n_curve, closed, [45, 55], rows, rows / 2, 50, 0.04)
    ax = fig.axes[0]
    line = ax.get_lines()[0]
    assert np.isnan(line.get_ydata()).sum() == 3          # n = 49, 50, 51 not drawn
    assert ax.get_yscale() == "log"
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "n = p = 50" in labels and "noise floor σ²" in labels
    assert fig.get_figwidth() <= style.MAX_WIDTH_IN
    plt.close(fig)


def test_model_wise_figure_draws_every_seed_and_the_median():
    style.use_book_style()
    N = np.array([10, 100, 200, 1000])
    mn = np.array([[5.0, 4.0, 90.0, 0.5], [6.0, 5.0, 30.0, 0.4], [7.0, 3.0, 50.0, 0.6]])
    fig = model_wise_figure(N, mn, mn / 3, 200)
    ax = fig.axes[0]
    # 3 seeds + 1 median per fit, and the threshold line
    assert len(ax.get_lines()) == 2 * (3 + 1) + 1
    median = [l for l in ax.get_lines() if l.get_label().startswith("minimum norm")][0]
    np.testing.assert_allclose(median.get_ydata(), [6.0, 4.0, 50.0, 0.5])
    plt.close(fig)
