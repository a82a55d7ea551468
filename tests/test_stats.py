"""regcore.stats against values that do not come from it: printed t tables, closed forms, R's
documented ``t.test`` output on the ``sleep`` data, and KS p-values by enumeration."""
import math
from itertools import combinations

import numpy as np
import pytest

from regcore.stats import (ks_two_sample, mean_interval, paired_difference, separation_epoch,
                           t_quantile, welch_difference)


# Student (1908) / Cushny & Peebles: extra hours of sleep under two drugs, ten patients
# (R's ``datasets::sleep``, column ``extra`` by ``group``).
SLEEP_1 = np.array([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0])
SLEEP_2 = np.array([1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4])


@pytest.mark.parametrize("df, expected", [(1, 12.706204736), (5, 2.570581836), (9, 2.262157163),
                                          (19, 2.093024054), (1000, 1.962339081)])
def test_t_quantiles_match_tables(df, expected):
    # t_{0.975, df} from a printed t table (e.g. NIST/SEMATECH e-Handbook, table 1.3.6.7.2)
    assert t_quantile(0.975, df) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize("p", [0.6, 0.9, 0.975, 0.999])
def test_t_quantiles_match_closed_forms(p):
    # df = 1 is the Cauchy distribution: tan(π(p − ½)); df = 2 has F(t) = ½ + t/(2√(2 + t²)),
    # so t = (2p − 1)·√(2 / (4p(1 − p))).
    assert t_quantile(p, 1) == pytest.approx(math.tan(math.pi * (p - 0.5)), rel=1e-12)
    assert t_quantile(p, 2) == pytest.approx((2 * p - 1) * math.sqrt(2 / (4 * p * (1 - p))),
                                             rel=1e-12)


def _t_cdf_by_simpson(t, df, m=20_000):
    """A second implementation: Simpson's rule on the Student-t density from 0 to t."""
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    xs = np.linspace(0.0, t, m + 1)
    f = c * (1 + xs * xs / df) ** (-(df + 1) / 2)
    return 0.5 + (t / m / 3) * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())


@pytest.mark.parametrize("df", [2.5, 3.7409, 17.776])
def test_t_quantiles_at_non_integer_df(df):
    # Welch's degrees of freedom are not integers and must not be rounded: the quantile at
    # df = 17.776 lies strictly between those at 17 and 18, and the CDF integrated by hand
    # gives back p.
    q = t_quantile(0.975, df)
    assert _t_cdf_by_simpson(q, df) == pytest.approx(0.975, abs=1e-9)
    assert t_quantile(0.975, math.ceil(df)) < q < t_quantile(0.975, math.floor(df))


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


def test_paired_interval_matches_r_and_the_t_table():
    # R, example(t.test): with(sleep, t.test(extra[group == 1], extra[group == 2], paired = TRUE))
    # prints "t = -4.0621, df = 9 ... 95 percent confidence interval: -2.4598858 -0.7001142,
    # mean difference -1.58".
    d, lo, hi = paired_difference(SLEEP_1, SLEEP_2)
    assert d == pytest.approx(-1.58, abs=1e-12)
    assert lo == pytest.approx(-2.4598858, abs=1e-7) and hi == pytest.approx(-0.7001142, abs=1e-7)
    # and by hand: mean ± t_{0.975, 9}·s/√10 with t_{0.975, 9} = 2.262157163 from the t table
    diff = SLEEP_1 - SLEEP_2
    s = math.sqrt(sum((x - diff.mean()) ** 2 for x in diff) / 9)
    assert hi - d == pytest.approx(2.262157163 * s / math.sqrt(10), abs=1e-8)
    assert paired_difference(SLEEP_1, SLEEP_2) == mean_interval(diff)


def test_welch_interval_matches_r_with_non_integer_df():
    # R, example(t.test): t.test(extra ~ group, data = sleep) (Welch by default) prints
    # "t = -1.8608, df = 17.776, p-value = 0.07939 ... 95 percent confidence interval:
    # -3.3654832 0.2054832; mean in group 1 0.75, mean in group 2 2.33".
    d, lo, hi = welch_difference(SLEEP_1, SLEEP_2)
    assert d == pytest.approx(0.75 - 2.33, abs=1e-12)
    assert lo == pytest.approx(-3.3654832, abs=1e-7) and hi == pytest.approx(0.2054832, abs=1e-7)
    # Welch–Satterthwaite by hand: ν is not an integer, and truncating it to 17 (as the old
    # hand-written version did) gives an interval that misses R's digits.
    va, vb = SLEEP_1.var(ddof=1) / 10, SLEEP_2.var(ddof=1) / 10
    nu = (va + vb) ** 2 / (va ** 2 / 9 + vb ** 2 / 9)
    assert nu == pytest.approx(17.776, abs=5e-4)
    assert (d - lo) / math.sqrt(va + vb) == pytest.approx(t_quantile(0.975, nu), rel=1e-12)
    truncated_half = t_quantile(0.975, 17) * math.sqrt(va + vb)
    assert abs((d - truncated_half) - (-3.3654832)) > 1e-3
    assert d / math.sqrt(va + vb) == pytest.approx(-1.8608, abs=5e-5)  # R's t statistic


def test_degenerate_samples_give_degenerate_intervals():
    assert mean_interval([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
    assert welch_difference([1.0, 1.0], [3.0, 3.0, 3.0]) == (-2.0, -2.0, -2.0)


@pytest.mark.parametrize("call, name", [
    (lambda: mean_interval([1.0, math.nan, 3.0]), r"values\[1\]=nan"),
    (lambda: mean_interval(np.array([1.0, 2.0, math.inf])), r"values\[2\]=inf"),
    (lambda: mean_interval([1.0]), "values of size 1"),
    (lambda: mean_interval([1.0, 2.0], level=1.0), "level=1.0"),
    (lambda: paired_difference([1.0, 2.0], [math.nan, 1.0]), r"b\[0\]=nan"),
    (lambda: paired_difference([1.0, 2.0, 3.0], [1.0, 2.0]), "a of size 3 and b of size 2"),
    (lambda: welch_difference([1.0, -math.inf], [1.0, 2.0]), r"a\[1\]=-inf"),
    (lambda: welch_difference([1.0, 2.0], [1.0]), "b of size 1"),
    (lambda: ks_two_sample([1.0, 2.0], [math.nan]), r"b\[0\]=nan"),
    (lambda: ks_two_sample([], [1.0]), "a of size 0"),
    (lambda: separation_epoch([0, 1], [1.0, math.nan], [1.0, 1.0]), r"ours\[1\]=nan"),
    (lambda: separation_epoch([0, 1], [1.0, 1.0], [1.0]), "epochs, ours and reference of sizes 2, 2 and 1"),
    (lambda: t_quantile(0.975, 0), "df=0"),
    (lambda: t_quantile(0.4, 3), "p=0.4")])
def test_bad_input_is_refused_by_name(call, name):
    with pytest.raises(ValueError, match=rf"^{name} .*not allowed"):
        call()


def _ks_p_by_enumeration(a, b):
    """Exact two-sided p of D under H0: every split of the pooled values is equally likely."""
    pooled = np.concatenate([a, b])

    def stat(ia):
        x, y = pooled[list(ia)], np.delete(pooled, list(ia))
        return max(abs(np.mean(x <= t) - np.mean(y <= t)) for t in pooled)

    observed = stat(range(len(a)))
    splits = list(combinations(range(len(pooled)), len(a)))
    return observed, sum(stat(s) >= observed - 1e-12 for s in splits) / len(splits)


def test_ks_statistic_and_p_value():
    assert ks_two_sample([1, 2, 3], [1, 2, 3]) == (0.0, 1.0)
    # Disjoint samples: D = 1, reached by 2 of the C(n+m, n) equally likely orderings.
    assert ks_two_sample([1, 2, 3], [4, 5, 6]) == (1.0, pytest.approx(2 / math.comb(6, 3)))
    d, p = ks_two_sample(np.arange(20), np.arange(100, 120))
    assert d == 1.0 and p == pytest.approx(2 / math.comb(40, 20), rel=1e-9)
    # An interleaved case: D by hand (after 0.5, a's CDF is 3/5 and b's 1/7 -> D = 16/35),
    # p by enumerating all C(12, 5) = 792 splits.
    a = np.array([0.1, 0.4, 0.5, 0.9, 1.3])
    b = np.array([0.2, 0.6, 0.7, 1.0, 1.1, 1.2, 1.5])
    d, p = ks_two_sample(a, b)
    d_enum, p_enum = _ks_p_by_enumeration(a, b)
    assert d == pytest.approx(16 / 35) and d_enum == pytest.approx(16 / 35)
    assert p == pytest.approx(p_enum, rel=1e-9) and 0.05 < p < 1
    rng = np.random.default_rng(1)
    rejections = sum(ks_two_sample(rng.normal(size=30), rng.normal(size=30))[1] < 0.05
                     for _ in range(400))
    assert rejections / 400 < 0.08  # about 5% false alarms (the asymptotic p is conservative)


def test_separation_epoch():
    epochs = np.array([0, 1, 2, 5])
    ref = np.array([1.0, 1.0, 1.0, 1.0])
    assert separation_epoch(epochs, ref * (1 + 1e-6), ref) is None
    assert separation_epoch(epochs, np.array([1.0, 1.0, 1.001, 1.0]), ref) == 2
