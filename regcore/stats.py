"""Small statistics for comparisons over seeds: t intervals, a two-sample test, separation epochs.

* :func:`mean_interval` — mean and two-sided Student-t interval of a sample (the "Beyond one seed"
  chapters report every score over ≥ 20 seeds this way).
* :func:`paired_difference` — the same for the difference of two paired samples (one seed, two
  runs), which decides whether a ranking of the post survives the seeds.
* :func:`welch_difference` — the difference of the means of two independent samples and its
  Welch interval (unequal variances, Welch–Satterthwaite degrees of freedom, not rounded).
* :func:`ks_two_sample` — the Kolmogorov–Smirnov two-sample statistic and its exact p-value;
  ``tests/test_sweep.py`` uses it to show that dropout members of a sweep and single ``fit`` runs
  have the same distribution of scores over seeds.
* :func:`separation_epoch` — the first epoch at which two histories differ by more than a relative
  tolerance (when a chaotic batched run leaves the single run's trajectory).
* :func:`t_quantile` — a Student-t quantile, for the chapters that print one.

The statistics themselves are SciPy's (``scipy.stats``: ``t.ppf``, ``ttest_ind``, ``ks_2samp``).
These thin wrappers exist for two reasons: they are the book's vocabulary (a chapter says
``paired_difference(a, b)`` and gets ``(mean, low, high)`` as plain floats, not a SciPy result
object), and they check their input the house way — NaN or infinite values, too few values or
mismatched sizes raise ``ValueError`` naming the parameter, where SciPy would return NaN.
"""
from __future__ import annotations

import numpy as np
from scipy import stats as _st

from ._checks import check_real


def _sample(name: str, values, minimum: int = 2) -> np.ndarray:
    """``values`` as a flat float array of finite numbers, at least ``minimum`` of them."""
    try:
        v = np.asarray(values, dtype=float).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"{name}={values!r} is not allowed: {name} must be a sequence of "
                         "numbers") from None
    if v.size < minimum:
        raise ValueError(f"{name} of size {v.size} is not allowed: {name} must hold at least "
                         f"{minimum} value{'s' if minimum > 1 else ''}")
    bad = np.flatnonzero(~np.isfinite(v))
    if bad.size:
        raise ValueError(f"{name}[{bad[0]}]={float(v[bad[0]])!r} is not allowed: {name} must "
                         f"hold finite numbers only ({bad.size} of its {v.size} are not)")
    return v


def _level(level) -> float:
    return check_real("level", level, minimum=0.0, strict=True, below=1.0)


def t_quantile(p: float, df: float) -> float:
    """The ``p`` quantile of Student's t with ``df`` degrees of freedom (0.5 < p < 1).

    ``df`` need not be an integer (Welch's degrees of freedom are not); ``scipy.stats.t.ppf``.

    Parameters
    ----------
    p : float
        The probability, 0.5 < p < 1.
    df : float
        Degrees of freedom, > 0.

    Returns
    -------
    float
        The quantile.

    Raises
    ------
    ValueError
        When ``p`` or ``df`` is not allowed (the message names it).
    """
    check_real("p", p, minimum=0.5, strict=True, below=1.0)
    check_real("df", df, minimum=0.0, strict=True)
    return float(_st.t.ppf(p, df))


def mean_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the sample mean and its two-sided Student-t interval.

    ``mean ± t(½ + level/2, n − 1)·s/√n`` with ``s`` the sample standard deviation — the
    interval of ``scipy.stats.ttest_1samp(values, 0).confidence_interval(level)``. A sample
    without spread gives the degenerate interval ``(mean, mean, mean)``.

    Parameters
    ----------
    values : array_like
        The sample, flattened: at least 2 numbers, all finite.
    level : float, optional
        Confidence level, 0 < level < 1. Default ``0.95``.

    Returns
    -------
    mean : float
        The sample mean.
    low, high : float
        The interval's ends.

    Raises
    ------
    ValueError
        When ``values`` is not a sequence of numbers, holds fewer than 2 or a NaN or infinite
        value, or when ``level`` is not allowed (the message names the parameter).
    """
    v = _sample("values", values)
    level = _level(level)
    mean = float(v.mean())
    if np.all(v == v[0]):
        return mean, mean, mean
    ci = _st.ttest_1samp(v, 0.0).confidence_interval(level)
    return mean, float(ci.low), float(ci.high)


def paired_difference(a, b, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and interval of ``a - b`` over paired seeds; an interval excluding 0 is a ranking.

    The interval is that of :func:`mean_interval` on ``a - b``.

    Parameters
    ----------
    a : array_like
        The first sample, flattened: at least 2 finite numbers.
    b : array_like
        The second sample, paired with ``a`` entry by entry: the same size.
    level : float, optional
        Confidence level, 0 < level < 1. Default ``0.95``.

    Returns
    -------
    mean : float
        Mean of ``a - b``.
    low, high : float
        The interval's ends.

    Raises
    ------
    ValueError
        When ``a`` or ``b`` is not allowed (not numbers, fewer than 2, or a NaN or infinite value),
        when their sizes differ, or when ``level`` is not allowed (the message names the
        parameter).
    """
    a, b = _sample("a", a), _sample("b", b)
    if a.shape != b.shape:
        raise ValueError(f"a of size {a.size} and b of size {b.size} are not allowed: paired "
                         "samples must have the same size")
    return mean_interval(a - b, level)


def ks_two_sample(a, b) -> tuple[float, float]:
    """``(D, p)``: the two-sample Kolmogorov–Smirnov statistic and its p-value.

    D is the largest gap between the two empirical CDFs. p is ``scipy.stats.ks_2samp`` with
    ``method="exact"``: the exact null distribution of D for samples of these sizes from one
    continuous distribution (the book compares 20–40 seeds, where the asymptotic Kolmogorov
    formula is conservative). With ties the exact p is conservative too; for samples too large
    for the exact computation SciPy falls back to the asymptotic distribution, with a warning.

    Parameters
    ----------
    a : array_like
        The first sample, flattened: at least 1 finite number.
    b : array_like
        The second sample, likewise; its size may differ from ``a``'s.

    Returns
    -------
    D : float
        The statistic.
    p : float
        Its two-sided p-value.

    Raises
    ------
    ValueError
        When ``a`` or ``b`` is not allowed: not numbers, empty, or holding a NaN or infinite value
        (the message names it).
    """
    a, b = _sample("a", a, minimum=1), _sample("b", b, minimum=1)
    res = _st.ks_2samp(a, b, alternative="two-sided", method="exact")
    return float(res.statistic), float(res.pvalue)


def separation_epoch(epochs, ours, reference, rtol: float = 1e-5) -> int | None:
    """The first of ``epochs`` where ``|ours − reference| > rtol·|reference|``; None if never.

    Parameters
    ----------
    epochs : array_like
        The epoch of each entry of the histories (flattened).
    ours : array_like
        A history, e.g. a sweep member's losses at ``epochs``: finite numbers.
    reference : array_like
        The history to compare with, e.g. ``fit``'s: finite numbers, as many as ``ours``.
    rtol : float, optional
        Relative tolerance, >= 0. Default ``1e-5``.

    Returns
    -------
    int or None
        The first epoch beyond the tolerance, or ``None``.

    Raises
    ------
    ValueError
        When ``rtol`` is not allowed, ``ours`` or ``reference`` is empty or holds a NaN or infinite
        value, or the three sizes differ (the message names the parameter).
    """
    rtol = check_real("rtol", rtol, minimum=0.0)
    ours, reference = _sample("ours", ours, 1), _sample("reference", reference, 1)
    epochs = np.asarray(epochs).ravel()
    if not ours.size == reference.size == epochs.size:
        raise ValueError(f"epochs, ours and reference of sizes {epochs.size}, {ours.size} and "
                         f"{reference.size} are not allowed: they must have the same size")
    bad = np.nonzero(np.abs(ours - reference) > rtol * np.abs(reference))[0]
    return int(epochs[bad[0]]) if bad.size else None


def welch_difference(a, b, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of ``a`` minus mean of ``b`` (independent samples) and its Welch t interval.

    ``diff ± t(½ + level/2, ν)·se`` with ``se² = s_a²/n_a + s_b²/n_b`` and the Welch–Satterthwaite
    ``ν = se⁴ / ((s_a²/n_a)²/(n_a − 1) + (s_b²/n_b)²/(n_b − 1))``, not rounded — the interval of
    ``scipy.stats.ttest_ind(a, b, equal_var=False)``. Two samples without spread give
    ``(diff, diff, diff)``.

    Parameters
    ----------
    a : array_like
        The first sample, flattened: at least 2 finite numbers.
    b : array_like
        The second sample, likewise; its size may differ from ``a``'s.
    level : float, optional
        Confidence level, 0 < level < 1. Default ``0.95``.

    Returns
    -------
    diff : float
        Mean of ``a`` minus mean of ``b``.
    low, high : float
        The interval's ends.

    Raises
    ------
    ValueError
        When ``a`` or ``b`` is not allowed (not numbers, fewer than 2, or a NaN or infinite value),
        or when ``level`` is not allowed (the message names the parameter).
    """
    a, b = _sample("a", a), _sample("b", b)
    level = _level(level)
    diff = float(a.mean() - b.mean())
    if np.all(a == a[0]) and np.all(b == b[0]):
        return diff, diff, diff
    ci = _st.ttest_ind(a, b, equal_var=False).confidence_interval(level)
    return diff, float(ci.low), float(ci.high)
