import math

import numpy as np
import pytest

from regcore.stats import (ks_two_sample, mean_interval, paired_difference, separation_epoch,
                           t_quantile, welch_difference)


@pytest.mark.parametrize("df, expected", [(1, 12.706204736), (5, 2.570581836),
                                          (19, 2.093024054), (1000, 1.962339081)])
def test_t_quantiles_match_tables(df, expected):
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-6)


def test_interval_is_mean_plus_minus_t_times_standard_error():
    v = np.array([1.0, 2.0, 3.0, 4.0])
    mean, lo, hi = mean_interval(v)
    half = 3.182446305 * math.sqrt(5 / 3) / 2  # t(0.975, 3) · s / √n, s² = 5/3
    assert mean == 2.5 and lo == pytest.approx(2.5 - half) and hi == pytest.approx(2.5 + half)


def test_interval_covers_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    hits = sum(lo <= 1.0 <= hi for _, lo, hi in
               (mean_interval(rng.normal(1.0, 2.0, 20)) for _ in range(2000)))
    assert 0.935 < hits / 2000 < 0.965


def test_paired_and_welch_differences():
    a, b = np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.5, 2.0])
    assert paired_difference(a, b) == mean_interval(a - b)
    d, lo, hi = welch_difference(a, b)
    assert d == pytest.approx(a.mean() - b.mean()) and lo < d < hi
    with pytest.raises(ValueError, match="same size"):
        paired_difference(a, b[:2])


def test_ks_statistic_and_p_value():
    assert ks_two_sample([1, 2, 3], [1, 2, 3]) == (0.0, 1.0)
    d, p = ks_two_sample(np.arange(20), np.arange(100, 120))
    assert d == 1.0 and p < 1e-8
    rng = np.random.default_rng(1)
    rejections = sum(ks_two_sample(rng.normal(size=30), rng.normal(size=30))[1] < 0.05
                     for _ in range(400))
    assert rejections / 400 < 0.08  # about 5% false alarms (the asymptotic p is conservative)


def test_separation_epoch():
    epochs = np.array([0, 1, 2, 5])
    ref = np.array([1.0, 1.0, 1.0, 1.0])
    assert separation_epoch(epochs, ref * (1 + 1e-6), ref) is None
    assert separation_epoch(epochs, np.array([1.0, 1.0, 1.001, 1.0]), ref) == 2
