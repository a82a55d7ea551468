"""Small statistics for comparisons over seeds: t intervals, a two-sample test, separation epochs.

* :func:`mean_interval` — mean and two-sided Student-t interval of a sample (the "Beyond one seed"
  chapters report every score over ≥ 20 seeds this way).
* :func:`paired_difference` — the same for the difference of two paired samples (one seed, two
  runs), which decides whether a ranking of the post survives the seeds.
* :func:`ks_two_sample` — the Kolmogorov–Smirnov two-sample statistic and its asymptotic p-value;
  ``tests/test_sweep.py`` uses it to show that dropout members of a sweep and single ``fit`` runs
  have the same distribution of scores over seeds.
* :func:`separation_epoch` — the first epoch at which two histories differ by more than a relative
  tolerance (when a chaotic batched run leaves the single run's trajectory).

Pure NumPy and the standard library (no SciPy on the book's machine).
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import check_real


def _t_cdf(t: float, df: int) -> float:
    """Student-t CDF by Simpson's rule on the density from 0 to |t| (accurate to ~1e-10)."""
    c = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)) / math.sqrt(df * math.pi)
    a = abs(t)
    m = 2000
    xs = np.linspace(0.0, a, m + 1)
    f = c * (1 + xs * xs / df) ** (-(df + 1) / 2)
    area = (a / m / 3) * (f[0] + f[-1] + 4 * f[1:-1:2].sum() + 2 * f[2:-1:2].sum())
    return 0.5 + math.copysign(area, t)


def t_quantile(p: float, df: int) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (0.5 < p < 1)."""
    check_real("p", p, minimum=0.5, strict=True, below=1.0)
    if df < 1:
        raise ValueError(f"df={df!r} is not allowed: df must be an integer >= 1")
    lo, hi = 0.0, 1.0
    while _t_cdf(hi, df) < p:
        hi *= 2
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _t_cdf(mid, df) < p else (lo, mid)
    return 0.5 * (lo + hi)


def mean_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the sample mean and its two-sided Student-t interval."""
    v = np.asarray(values, dtype=float).ravel()
    if v.size < 2:
        raise ValueError(f"values of size {v.size} are not allowed: an interval needs at least "
                         "2 values")
    check_real("level", level, minimum=0.0, strict=True, below=1.0)
    mean = float(v.mean())
    half = t_quantile(0.5 + level / 2, v.size - 1) * float(v.std(ddof=1)) / math.sqrt(v.size)
    return mean, mean - half, mean + half


def paired_difference(a, b, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and interval of ``a - b`` over paired seeds; an interval excluding 0 is a ranking."""
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"a of size {a.size} and b of size {b.size} are not allowed: paired "
                         "samples must have the same size")
    return mean_interval(a - b, level)


def ks_two_sample(a, b) -> tuple[float, float]:
    """``(D, p)``: the two-sample Kolmogorov–Smirnov statistic and its asymptotic p-value.

    D is the largest gap between the two empirical CDFs; p uses the Kolmogorov distribution
    with Stephens' small-sample correction, ``λ = (√nₑ + 0.12 + 0.11/√nₑ)·D``.
    """
    a = np.sort(np.asarray(a, dtype=float).ravel())
    b = np.sort(np.asarray(b, dtype=float).ravel())
    if a.size == 0 or b.size == 0:
        raise ValueError("an empty sample is not allowed: both samples need values")
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / a.size
    cdf_b = np.searchsorted(b, grid, side="right") / b.size
    d = float(np.abs(cdf_a - cdf_b).max())
    ne = a.size * b.size / (a.size + b.size)
    lam = (math.sqrt(ne) + 0.12 + 0.11 / math.sqrt(ne)) * d
    if lam < 1e-3:
        return d, 1.0
    p = 2 * sum((-1) ** (j - 1) * math.exp(-2 * j * j * lam * lam) for j in range(1, 101))
    return d, float(min(max(p, 0.0), 1.0))


def separation_epoch(epochs, ours, reference, rtol: float = 1e-5) -> int | None:
    """The first of ``epochs`` where ``|ours − reference| > rtol·|reference|``; None if never."""
    ours, reference = np.asarray(ours, dtype=float), np.asarray(reference, dtype=float)
    bad = np.nonzero(np.abs(ours - reference) > rtol * np.abs(reference))[0]
    return int(np.asarray(epochs)[bad[0]]) if bad.size else None


def welch_difference(a, b, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``a`` minus mean of ``b`` (independent samples) and its Welch t interval."""
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if a.size < 2 or b.size < 2:
        raise ValueError("samples of fewer than 2 values are not allowed: an interval needs 2")
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1)) if se else 1
    diff = float(a.mean() - b.mean())
    half = t_quantile(0.5 + level / 2, max(1, int(df))) * se
    return diff, diff - half, diff + half
