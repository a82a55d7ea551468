"""Double descent: the minimum-norm fit's risk peaks where n = p, and tuned ridge removes the peak.

Chapter: "Double descent, and the regularisation that removes it" (book/more/double_descent.md).
Why it matters: the textbook U-curve says that more parameters than data points overfit, yet the
*minimum-norm* least-squares fit gets better again past the interpolation threshold; the bad
place is the threshold itself, where the fit must pass through every noisy point with a nearly
singular design. A penalty of the right strength removes the peak altogether.

Sample-wise (:func:`sample_wise`, :func:`check_sample_wise`): for an isotropic Gaussian design
``x ~ N(0, I_p)``, ``y = w·x + σε`` without intercept, and the minimum-norm solution
``ŵ = X⁺y``, the excess risk ``R = E‖ŵ − w‖²`` (the test MSE is ``σ² + R``) is, by
Belkin, Hsu & Xu (2020, Thm 1), ``‖w‖²(1 − n/p) + σ²n/(p − n − 1)`` for ``n ≤ p − 2`` and
``σ²p/(n − p − 1)`` for ``n ≥ p + 2``, and infinite in between (:func:`min_norm_risk`). For
``n < p`` the fit sees ``w`` only through its projection on the row space of ``X``, a random
n-dimensional subspace, hence the bias ``‖w‖²(1 − n/p)``; the noise term is ``σ²`` times the
trace of an inverse-Wishart mean, which blows up as the smallest singular value of ``X`` nears
zero. Ridge in the sum form ``‖y − Xw‖² + λ‖w‖²`` at ``λ* = pσ²/‖w‖²``
(:func:`optimal_lambda`) is the best ridge for every ``n`` (the risk of a fixed ``w`` is that
of every rotation of it, and averaged over rotations ridge at ``λ*`` is the posterior mean of a
Gaussian prior with the same second moments), and its risk decreases in ``n``: no peak
(Nakkiran et al. 2021). The study uses the toy problem's true weights (``make_data()`` with seed
42, p = 50, ‖w‖² ≈ 9.78) and noise σ = 0.2, without its intercept.

Gradient descent (:func:`check_gd_min_norm`): from zero, every gradient step on a least-squares
loss is a combination of the rows of the design, so the iterates never leave the row space, and
when the model can interpolate (n < p + 1 with the bias) they converge to the minimum-norm
interpolator; the component of any other starting point in the null space never decays.

Model-wise (:func:`model_wise`, Belkin, Hsu, Ma & Mandal 2019): random ReLU features
``φ(x) = ReLU(Vx)`` of the toy's inputs, V fixed and random (N × p), min-norm fit on n = 200
points: the test error peaks where the number of features reaches the number of training points,
and ridge tuned on the validation split flattens the curve.
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from .._checks import _fail, check_int, check_real, check_sequence
from ..data import make_data
from ..models import Linear
from ..settings import check_setting, check_stable_lr
from ..training import TrainSettings
from ._common import book_data, final_theta, fit_linear
from .check import Check
from .quadratic import design, theta_of

#: Standard deviation of the noise in the sample-wise study, the toy problem's (``make_data``'s
#: default noise).
SIGMA = 0.2
#: Training-set sizes of the sample-wise study (p = 50), from far below the interpolation
#: threshold to four times past it, denser near n = p; the three sizes n = 49, 50, 51, whose
#: risk is infinite, are left out. With :data:`DATASETS` data sets, :func:`sample_wise` takes
#: ~6 s on one core (measured 5.8 s on a shared 2-core machine; half of it drawing the 1.05e8
#: normal numbers of the designs).
N_VALUES = (10, 20, 30, 40, 44, 46, 48, 52, 54, 56, 60, 70, 80, 100, 150, 200)
#: Independent data sets per training-set size in the sample-wise study. The Monte Carlo
#: standard error of the mean risk is then 0.2–1.3% of it at ``|n − p| >= 6`` and 1.5–11% nearer,
#: where it is not to be trusted (:data:`MIN_GAP`).
DATASETS = 2000
#: Data sets drawn and solved at once by :func:`sample_wise` (a 500 × 200 × 50 float64 stack
#: takes 40 MB); the draws depend on it.
CHUNK = 500
#: Smallest distance ``|n − p|`` at which :func:`check_sample_wise` compares the Monte Carlo mean
#: with the closed form. The risk's k-th moment needs the k-th inverse moment of the smallest
#: eigenvalue of a Wishart matrix, which exists only for ``|n − p| >= 2k``: the mean needs 2, the
#: variance (and so a standard error) 4, and the third moment, which bounds how far the mean
#: of 2000 data sets is from normal (Berry–Esseen), 6.
MIN_GAP = 6
#: Tolerance of :func:`check_sample_wise`, in Monte Carlo standard errors, for the largest
#: deviation over the checked sizes (12 of the default grid). Were the means normal, a deviation
#: beyond 4 would happen with probability 6e-5 per size, 8e-4 for any of the 12. The risks are
#: skewed to the right, so the deviations' left tail is heavier: over seeds 0–99 at n = 44, 56, 60
#: and 70 (400 means) the deviations had a standard deviation of 1.02–1.06 and the largest was
#: 3.6; a false failure stays a matter of a few in a thousand seeds. The default seed's largest
#: deviation is 2.25 (at n = 200).
TOL_SE = 4.0
#: Training points of :func:`check_gd_min_norm`, fewer than the 51 parameters of the linear
#: model with its bias, so that it interpolates and the minimum-norm solution is not OLS.
GD_N_TRAIN = 30
#: Learning rate of :func:`check_gd_min_norm`. With 30 points the non-zero eigenvalues of
#: ``AᵀA/n`` (A = [X, 1]) lie in [0.099, 5.11]; gradient descent on the mean squared error,
#: Hessian ``2AᵀA/n``, is stable below 1/5.11 = 0.196 and the error in the row space shrinks by
#: ``max|1 − 2·lr·μ|`` = 1 − 0.3 · 0.099 = 0.970 per step at lr = 0.15.
GD_LR = 0.15
#: Epochs (= full-batch steps) of :func:`check_gd_min_norm`. After them 0.9703¹⁰⁰⁰ = 7.9e-14
#: of the initial distance is left in the row space. ``fit`` takes ~0.9 ms per epoch here
#: (validation on :data:`VAL_ROWS` points included), so the check's two runs take 1.8 s.
GD_EPOCHS = 1000
#: Validation points kept in :func:`check_gd_min_norm`'s runs. ``fit`` validates every epoch,
#: which the check does not use; the first :data:`VAL_ROWS` of the split keep it cheap.
VAL_ROWS = 256
#: Tolerance of :func:`check_gd_min_norm`, relative to ‖θ⁺‖. The run from zero is left at most
#: ``ρ^T`` = 7.9e-14 from θ⁺ in exact arithmetic (ρ the contraction per step, T the epochs);
#: float64 rounding adds at most ~1e-16 per step, 2.2e-13 over 1000 steps if it never cancels.
#: 1e-10 is 450 times the larger of the two (measured: 5.9e-15); the run from the seeded init
#: stays 0.16 away, its init's null-space part.
TOL_GD = 1e-10
#: Numbers of random ReLU features of :func:`model_wise`, from 10 to 1000, log-spaced away from
#: the threshold and dense around N = n_train = 200.
N_FEATURES = (10, 25, 50, 100, 150, 180, 190, 200, 210, 220, 250, 300, 400, 600, 1000)
#: Seeds of :func:`model_wise` (data and features), 0 to 19. The defaults take ~6 s on one core
#: (measured 6.4 s on a shared 2-core machine; one SVD per seed and N, and the predictions of
#: every λ at once).
RF_SEEDS = 20
#: Training points of :func:`model_wise`, the book's n_train.
RF_N_TRAIN = 200
#: Validation points of :func:`model_wise`, on which ridge's λ is chosen.
RF_N_VAL = 2000
#: Test points of :func:`model_wise`, on which both fits are scored.
RF_N_TEST = 2000
#: Ridge penalties (sum form, on every coefficient) among which :func:`model_wise` chooses on the
#: validation split, four per decade from 1e-4 to 1e4. Measured with the defaults: the chosen λ
#: is ~10 near the threshold, and only at N <= 25 and N = 1000 do some seeds take the smallest.
LAMBDAS = tuple(float(v) for v in np.logspace(-4, 4, 33))


def toy_weights() -> np.ndarray:
    """The toy problem's true weights (data seed 42) as a float64 vector, ``(50,)``.

    ``make_data()`` draws them first under the post's seeding protocol, so they do not depend
    on the split sizes; one point per split is drawn here instead of 10,000.

    Returns
    -------
    numpy.ndarray
        ``true_w`` of ``make_data()``, float64, ``(50,)``.
    """
    return make_data(n_train=1, n_val=1, n_test=1).true_w.double().numpy().ravel()


def min_norm_risk(n: int, p: int, w_sq: float, sigma: float) -> float:
    r"""The excess risk :math:`E\lVert\hat w - w\rVert^2` of the minimum-norm least-squares fit.

    For :math:`x \sim N(0, I_p)`, :math:`y = w\cdot x + \sigma\varepsilon` and
    :math:`\hat w = X^+y` on ``n`` points (Belkin, Hsu & Xu 2020, Thm 1):
    :math:`\lVert w\rVert^2(1 - n/p) + \sigma^2 n/(p - n - 1)` for :math:`n \le p - 2`,
    :math:`\sigma^2 p/(n - p - 1)` for :math:`n \ge p + 2`, and infinite for
    :math:`n \in \{p - 1, p, p + 1\}` when :math:`\sigma > 0`. Without noise the fit is the
    projection of :math:`w` on the row space and the risk :math:`\lVert w\rVert^2\max(0, 1 -
    n/p)` for every ``n``. The test MSE on a new point is :math:`\sigma^2` more.

    Parameters
    ----------
    n : int
        Training points, an integer >= 1.
    p : int
        Features, an integer >= 1.
    w_sq : float
        :math:`\lVert w\rVert^2`, a finite number >= 0.
    sigma : float
        Standard deviation of the noise, a finite number >= 0.

    Returns
    -------
    float
        The excess risk; ``numpy.inf`` at the three sizes around ``p`` when ``sigma > 0``.

    Raises
    ------
    ValueError
        When ``n``, ``p``, ``w_sq`` or ``sigma`` is not allowed (the message names it).
    """
    n = check_int("n", n, minimum=1)
    p = check_int("p", p, minimum=1)
    w_sq = check_real("w_sq", w_sq, minimum=0.0)
    sigma = check_real("sigma", sigma, minimum=0.0)
    bias = w_sq * max(0.0, 1 - n / p)
    if sigma == 0:
        return bias
    if n <= p - 2:
        return bias + sigma ** 2 * n / (p - n - 1)
    if n >= p + 2:
        return sigma ** 2 * p / (n - p - 1)
    return float(np.inf)


def optimal_lambda(p: int, w_sq: float, sigma: float) -> float:
    r"""The risk-optimal ridge penalty :math:`\lambda^* = p\sigma^2/\lVert w\rVert^2` (sum form).

    For the penalty :math:`\lVert y - Xw\rVert^2 + \lambda\lVert w\rVert^2` and an isotropic
    Gaussian design, optimal at every ``n``: the noise-to-signal ratio per coordinate.

    Parameters
    ----------
    p : int
        Features, an integer >= 1.
    w_sq : float
        :math:`\lVert w\rVert^2`, a finite number > 0.
    sigma : float
        Standard deviation of the noise, a finite number >= 0.

    Returns
    -------
    float
        :math:`p\sigma^2/\lVert w\rVert^2`.

    Raises
    ------
    ValueError
        When ``p``, ``w_sq`` or ``sigma`` is not allowed (the message names it).
    """
    p = check_int("p", p, minimum=1)
    w_sq = check_real("w_sq", w_sq, minimum=0.0, strict=True)
    sigma = check_real("sigma", sigma, minimum=0.0)
    return p * sigma ** 2 / w_sq


def _design_and_targets(X, y) -> tuple[np.ndarray, np.ndarray]:
    """``X`` as float64 ``(..., n, p)`` and ``y`` as float64 ``(..., n)``, both finite."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim < 2 or 0 in X.shape or not np.all(np.isfinite(X)):
        raise ValueError(f"X of shape {X.shape} is not allowed: X must be a finite array "
                         "(..., n, p) with n, p >= 1")
    y = np.asarray(y, dtype=np.float64)
    if y.shape != X.shape[:-1] or not np.all(np.isfinite(y)):
        raise ValueError(f"y of shape {y.shape} is not allowed: y must be finite, of shape "
                         f"{X.shape[:-1]} (X's without its last axis)")
    return X, y


def _fits(X: np.ndarray, y: np.ndarray, lams) -> list[np.ndarray]:
    """Ridge ``(XᵀX + λI)⁻¹Xᵀy`` for each λ in ``lams`` on stacks, through the smaller Gram matrix.

    For n < p the push-through identity gives ``Xᵀ(XXᵀ + λI)⁻¹y``, which at λ = 0 is the
    minimum-norm interpolator; for n >= p, λ = 0 is OLS, also X⁺y.
    """
    n, p = X.shape[-2:]
    Xt = np.swapaxes(X, -1, -2)
    out = []
    if n < p:
        G, eye = X @ Xt, np.eye(n)
        for lam in lams:
            out.append((Xt @ np.linalg.solve(G + lam * eye, y[..., None]))[..., 0])
    else:
        G, b, eye = Xt @ X, Xt @ y[..., None], np.eye(p)
        for lam in lams:
            out.append(np.linalg.solve(G + lam * eye, b)[..., 0])
    return out


def min_norm_fit(X, y) -> np.ndarray:
    r"""The minimum-norm least-squares fit :math:`X^+y`, for one design or a stack of them.

    Through the smaller Gram matrix: :math:`X^\top(XX^\top)^{-1}y` when :math:`n < p` (the
    interpolator of least norm), :math:`(X^\top X)^{-1}X^\top y` (OLS) otherwise. Both equal
    ``numpy.linalg.pinv(X) @ y`` when ``X`` has full rank :math:`\min(n, p)`, as a Gaussian
    design has with probability one; the Gram matrix squares the condition number, which costs
    accuracy only next to :math:`n = p`, where the risk is infinite anyway.

    Parameters
    ----------
    X : array_like
        Designs, ``(..., n, p)``, finite.
    y : array_like
        Targets, ``(..., n)``, finite.

    Returns
    -------
    numpy.ndarray
        The fits, float64, ``(..., p)``.

    Raises
    ------
    ValueError
        When ``X`` or ``y`` does not have an allowed shape or is not finite (the message names
        it).
    numpy.linalg.LinAlgError
        When the Gram matrix is exactly singular (``X`` of lower rank).
    """
    X, y = _design_and_targets(X, y)
    return _fits(X, y, (0.0,))[0]


def ridge_fit(X, y, lam: float) -> np.ndarray:
    r"""Ridge in the sum form: :math:`\arg\min_w \lVert y - Xw\rVert^2 + \lambda\lVert w\rVert^2`.

    :math:`(X^\top X + \lambda I)^{-1}X^\top y`, computed as :math:`X^\top(XX^\top + \lambda
    I)^{-1}y` when :math:`n < p`; for one design or a stack of them. At :math:`\lambda = 0`,
    :func:`min_norm_fit`.

    Parameters
    ----------
    X : array_like
        Designs, ``(..., n, p)``, finite.
    y : array_like
        Targets, ``(..., n)``, finite.
    lam : float
        The penalty :math:`\lambda`, a finite number >= 0.

    Returns
    -------
    numpy.ndarray
        The fits, float64, ``(..., p)``.

    Raises
    ------
    ValueError
        When ``X``, ``y`` or ``lam`` is not allowed (the message names it).
    numpy.linalg.LinAlgError
        When ``lam`` is 0 and the Gram matrix is exactly singular.
    """
    X, y = _design_and_targets(X, y)
    lam = check_real("lam", lam, minimum=0.0)
    return _fits(X, y, (lam,))[0]


def _weights(w) -> np.ndarray:
    """``w`` as a finite float64 vector of at least one entry (None: :func:`toy_weights`)."""
    if w is None:
        return toy_weights()
    try:
        arr = None if isinstance(w, (str, bytes)) else np.asarray(w, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim != 1 or len(arr) == 0 or not np.all(np.isfinite(arr)):
        _fail("w", w, "a 1-D sequence of finite numbers, at least one")
    return arr


def _sizes(name: str, values) -> tuple:
    """A non-empty sequence of integers >= 1, as a tuple of ints."""
    values = check_sequence(name, values, "a sequence of integers >= 1")
    return tuple(check_int(f"{name}[{i}]", v, minimum=1) for i, v in enumerate(values))


def sample_wise(w=None, sigma: float = SIGMA, n_values=N_VALUES, datasets: int = DATASETS,
                lam: float | None = None, seed: int = 0) -> dict:
    r"""Monte Carlo: the excess risk of min-norm and ridge fits over fresh data sets, for each n.

    For each ``n`` of ``n_values``, ``datasets`` independent data sets of the model
    :math:`y = w\cdot x + \sigma\varepsilon`, :math:`x \sim N(0, I_p)`, no intercept: a fresh
    design ``X`` (n × p) and fresh noise each, from a private ``numpy.random.default_rng((seed,
    n))`` (so the data sets at one ``n`` do not depend on the other sizes, nor on ``lam``: calls
    that differ in ``lam`` alone see the same data sets), drawn :data:`CHUNK` data sets at a time
    (the draws depend on it). On each, the minimum-norm fit :math:`X^+y` and ridge at ``lam``
    (sum form), both as :func:`min_norm_fit` and :func:`ridge_fit` compute them, on the same data
    set (paired), and the exact excess risk :math:`\lVert\hat w - w\rVert^2` of each (the test
    MSE is :math:`\sigma^2` more). Sizes next to :math:`p` are allowed, but the risk's mean is
    infinite at :math:`p - 1, p, p + 1` (the Monte Carlo mean there estimates nothing finite),
    its variance at :math:`|n - p| < 4` and its third moment at :math:`|n - p| <`
    :data:`MIN_GAP`.

    Parameters
    ----------
    w : array_like or None, optional
        The true weights, a 1-D sequence of finite numbers (p = its length). Default ``None``:
        :func:`toy_weights`, the toy problem's (p = 50).
    sigma : float, optional
        Standard deviation of the noise, a finite number >= 0. Default :data:`SIGMA`, ``0.2``.
    n_values : sequence of int, optional
        Training-set sizes, integers >= 1. Default :data:`N_VALUES`.
    datasets : int, optional
        Data sets per size, >= 2. Default :data:`DATASETS`, ``2000``.
    lam : float or None, optional
        Ridge penalty (sum form), a finite number >= 0. Default ``None``:
        :func:`optimal_lambda` of ``w`` and ``sigma``, which needs ``w`` not all zero.
    seed : int, optional
        Seed of the draws, an integer in ``[0, 2**32)``. Default ``0``.

    Returns
    -------
    dict
        ``"n"`` (int array), ``"closed"`` (:func:`min_norm_risk` per size), the per-dataset
        risks ``"min_norm"`` and ``"ridge"`` (``(sizes, datasets)``), their means
        ``"min_norm_mean"``, ``"ridge_mean"`` and standard errors (standard deviation /
        √datasets) ``"min_norm_se"``, ``"ridge_se"``; and ``"lam"``, ``"w_sq"``, ``"sigma"``,
        ``"p"``, ``"datasets"``, ``"seed"`` and ``"seconds"`` (wall-clock time).

    Raises
    ------
    ValueError
        When ``w``, ``sigma``, ``n_values``, ``datasets``, ``lam`` or ``seed`` is not allowed,
        or ``lam`` is None and ``w`` is zero (the message names it).
    """
    w = _weights(w)
    sigma = check_real("sigma", sigma, minimum=0.0)
    n_values = _sizes("n_values", n_values)
    datasets = check_int("datasets", datasets, minimum=2)
    seed = check_setting("seed", seed)
    p, w_sq = len(w), float(w @ w)
    if lam is None:
        if w_sq == 0:
            raise ValueError("lam=None is not allowed with w = 0: λ* = pσ²/‖w‖² is infinite; "
                             "give lam, a finite number >= 0")
        lam = optimal_lambda(p, w_sq, sigma)
    lam = check_real("lam", lam, minimum=0.0)
    start = time.perf_counter()
    risk = {k: np.empty((len(n_values), datasets)) for k in ("min_norm", "ridge")}
    for i, n in enumerate(n_values):
        rng = np.random.default_rng((seed, n))
        for lo in range(0, datasets, CHUNK):
            m = min(CHUNK, datasets - lo)
            X = rng.standard_normal((m, n, p))
            y = X @ w + sigma * rng.standard_normal((m, n))
            for key, fit in zip(("min_norm", "ridge"), _fits(X, y, (0.0, lam))):
                risk[key][i, lo:lo + m] = ((fit - w) ** 2).sum(-1)
    out = {"n": np.asarray(n_values),
           "closed": np.array([min_norm_risk(n, p, w_sq, sigma) for n in n_values]), **risk}
    for key in ("min_norm", "ridge"):
        out[f"{key}_mean"] = risk[key].mean(1)
        out[f"{key}_se"] = risk[key].std(1, ddof=1) / np.sqrt(datasets)
    out.update(lam=lam, w_sq=w_sq, sigma=sigma, p=p, datasets=datasets, seed=seed,
               seconds=time.perf_counter() - start)
    return out


def check_sample_wise(w=None, sigma: float = SIGMA, n_values=N_VALUES,
                      datasets: int = DATASETS, seed: int = 0) -> Check:
    r"""Check: the Monte Carlo risk of the min-norm fit agrees with :func:`min_norm_risk`.

    :func:`sample_wise` with ridge at :math:`\lambda^*` (:func:`optimal_lambda`). Measured: the
    largest :math:`|\bar R - R|/\mathrm{SE}` over the sizes with :math:`|n - p| \ge`
    :data:`MIN_GAP` (only there is the Monte Carlo mean close to normal: nearer the peak the
    inverse-Wishart moments that the risk's variance and third moment need do not exist),
    against :data:`TOL_SE`.

    Parameters
    ----------
    w : array_like or None, optional
        The true weights. Default ``None``: :func:`toy_weights`.
    sigma : float, optional
        Standard deviation of the noise, >= 0. Default :data:`SIGMA`, ``0.2``.
    n_values : sequence of int, optional
        Training-set sizes, integers >= 1, at least one with :math:`|n - p| \ge`
        :data:`MIN_GAP`. Default :data:`N_VALUES`.
    datasets : int, optional
        Data sets per size, >= 2. Default :data:`DATASETS`.
    seed : int, optional
        Seed of the draws. Default ``0``.

    Returns
    -------
    regcore.theory.check.Check
        The largest deviation in standard errors; ``values`` holds everything
        :func:`sample_wise` returns (ridge at :math:`\lambda^*`, per-dataset arrays included),
        ``"z"`` (the signed deviation per size, NaN where not checked) and ``"checked"``
        (boolean mask of the sizes compared).

    Raises
    ------
    ValueError
        When an argument is not allowed (see :func:`sample_wise`), ``w`` is zero, or no size of
        ``n_values`` is :data:`MIN_GAP` or more from p (the message names it).
    """
    w = _weights(w)
    n_checked = _sizes("n_values", n_values)
    p = len(w)
    checked = np.array([abs(n - p) >= MIN_GAP for n in n_checked])
    if not checked.any():
        _fail("n_values", n_values, f"a sequence of sizes with at least one n at |n - p| >= "
              f"{MIN_GAP} (p = {p})")
    res = sample_wise(w, sigma, n_checked, datasets, None, seed)
    z = np.full(len(checked), np.nan)
    z[checked] = ((res["min_norm_mean"] - res["closed"]) / res["min_norm_se"])[checked]
    return Check("min-norm least squares: Monte Carlo risk = closed form (Belkin, Hsu & Xu)",
                 float(np.max(np.abs(z[checked]))), TOL_SE,
                 f"Monte Carlo error: {TOL_SE:g} standard errors, at |n - p| >= {MIN_GAP}",
                 {**res, "z": z, "checked": checked})


def check_gd_min_norm(n_train: int = GD_N_TRAIN, lr: float = GD_LR,
                      epochs: int = GD_EPOCHS) -> Check:
    r"""Check: gradient descent from zero converges to the minimum-norm interpolator.

    On the book's data with ``n_train`` < 51 points (float64, with the intercept), regcore's
    :class:`~regcore.models.Linear` is trained by :func:`regcore.training.fit` with SGD at full
    batch (plain gradient descent on the mean squared error) from zero, and once more from its
    seeded default init. Measured: :math:`\lVert\theta_T - \theta^+\rVert/\lVert\theta^+\rVert`
    for the run from zero, with :math:`\theta^+ = A^+y` (``numpy.linalg.pinv``) for the
    augmented design :math:`A = [X, 1]` and :math:`\theta` the weights then the bias, against
    :data:`TOL_GD`. Each step adds a combination of the rows of :math:`A`, so the error
    :math:`\theta_t - \theta^+` keeps its null-space part, zero from zero, and its row-space part
    shrinks by at least :math:`\rho = \max|1 - 2\,\mathrm{lr}\,\mu|` per step over the non-zero
    eigenvalues :math:`\mu` of :math:`A^\top A/n`: at most :math:`\rho^T` of
    :math:`\lVert\theta^+\rVert` is left after :math:`T` steps. From the seeded init
    :math:`\theta_0`, GD converges to :math:`\theta^+ + (I - A^+A)\theta_0` instead.

    Parameters
    ----------
    n_train : int, optional
        Training points, an integer from 1 to 50 (fewer than the model's 51 parameters).
        Default :data:`GD_N_TRAIN`, ``30``.
    lr : float, optional
        Learning rate, > 0 and below the stability limit :math:`1/\mu_\max`. Default
        :data:`GD_LR`, ``0.15``.
    epochs : int, optional
        Training epochs (= steps), >= 1. Default :data:`GD_EPOCHS`, ``1000``.

    Returns
    -------
    regcore.theory.check.Check
        The relative distance of the run from zero; ``values`` holds ``"seeded"`` (the same
        distance for the seeded init), ``"seeded_null"`` (the part of the seeded init in the
        null space, :math:`\lVert(I - A^+A)\theta_0\rVert/\lVert\theta^+\rVert`, where that run
        stops), ``"seeded_limit"`` (the seeded run's distance from
        :math:`\theta^+ + (I - A^+A)\theta_0`, relative to ‖θ⁺‖), ``"min_norm"``
        (:math:`\theta^+`), ``"theta_zero"`` and ``"theta_seeded"`` (the final parameters),
        ``"mu_min"`` and ``"mu_max"`` (the smallest non-zero and the largest eigenvalue of
        :math:`A^\top A/n`), ``"rho"``, ``"bound"`` (:math:`\rho^T`), ``"rounding"``
        (:math:`T` times float64's machine epsilon), ``"history_zero"`` and
        ``"history_seeded"`` (the relative distance at every epoch, the init's at 0 included,
        from ``fit``'s float32 snapshots: it floors at ~1e-7), ``"n_train"``, ``"lr"``, ``"epochs"`` and
        ``"seconds"`` (the two runs' wall-clock time).

    Raises
    ------
    ValueError
        When ``n_train``, ``lr`` or ``epochs`` is not allowed (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    n_train = check_int("n_train", n_train, minimum=1)
    data = book_data(n_train=n_train)
    if n_train > data.dims:
        _fail("n_train", n_train, f"an integer from 1 to {data.dims} (fewer points than the "
              f"{data.dims + 1} parameters: otherwise the least-squares solution is unique)")
    A = design(data.x_train)
    y = data.y_train.double().numpy().ravel()
    mu = np.linalg.eigvalsh(A @ A.T / n_train)  # the non-zero eigenvalues of AᵀA/n
    mu_min, mu_max = float(mu[0]), float(mu[-1])
    lr = check_stable_lr(lr, 1 / mu_max, "gradient descent on the mean squared error, Hessian "
                         "2AᵀA/n, is stable below 1/μ_max")
    epochs = check_setting("epochs", epochs)
    settings = TrainSettings(optimizer="sgd", lr=lr, epochs=epochs, snapshot_every=1)
    small = replace(data, x_val=data.x_val[:VAL_ROWS], y_val=data.y_val[:VAL_ROWS])
    pinv = np.linalg.pinv(A)
    theta_plus = pinv @ y
    scale = float(np.linalg.norm(theta_plus))
    runs = {init: fit_linear(small, settings, init=init) for init in ("zero", None)}
    theta_zero, theta_seeded = (final_theta(runs[k]) for k in ("zero", None))
    theta_init = theta_of(Linear(data.dims))  # fit_linear's seeded init, before its cast
    null_init = theta_init - pinv @ (A @ theta_init)
    rho = max(abs(1 - 2 * lr * mu_min), abs(1 - 2 * lr * mu_max))

    def rel(theta):
        return float(np.linalg.norm(theta - theta_plus) / scale)

    def history(res):
        return np.linalg.norm(np.asarray(res.snapshots, dtype=np.float64) - theta_plus,
                              axis=1) / scale

    return Check("gradient descent from zero = minimum-norm interpolator", rel(theta_zero),
                 TOL_GD, f"row-space contraction ρ^T = {rho ** epochs:.2g} and float64 rounding "
                 f"(≤ T·eps = {epochs * np.finfo(float).eps:.2g}), with a margin",
                 {"seeded": rel(theta_seeded),
                  "seeded_null": float(np.linalg.norm(null_init) / scale),
                  "seeded_limit": rel(theta_seeded - null_init), "min_norm": theta_plus,
                  "theta_zero": theta_zero, "theta_seeded": theta_seeded,
                  "mu_min": mu_min, "mu_max": mu_max, "rho": rho, "bound": rho ** epochs,
                  "rounding": epochs * float(np.finfo(float).eps),
                  "history_zero": history(runs["zero"]), "history_seeded": history(runs[None]),
                  "n_train": n_train, "lr": lr, "epochs": epochs,
                  "seconds": sum(r.seconds for r in runs.values())})


def random_features(x, V) -> np.ndarray:
    r"""Random ReLU features :math:`\varphi(x) = \max(0, Vx)`, row by row: ``ReLU(x Vᵀ)``.

    Parameters
    ----------
    x : array_like
        Inputs, ``(n, p)``.
    V : array_like
        The fixed feature directions, ``(N, p)``, one feature per row.

    Returns
    -------
    numpy.ndarray
        The features, float64, ``(n, N)``.

    Raises
    ------
    ValueError
        When ``x`` or ``V`` is not a 2-D array, or their numbers of columns differ (the message
        names ``V``).
    """
    x = np.asarray(x, dtype=np.float64)
    V = np.asarray(V, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"x of shape {x.shape} is not allowed: x must be 2-D, (n, p)")
    if V.ndim != 2 or V.shape[1] != x.shape[1]:
        raise ValueError(f"V of shape {V.shape} is not allowed: V must be 2-D, (N, "
                         f"{x.shape[1]}), as many columns as x")
    return np.maximum(x @ V.T, 0.0)


def _numpy(t) -> np.ndarray:
    return t.detach().cpu().double().numpy()


def _mse(features: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """MSE of ``[features[:, :N], 1] @ theta`` for each column of ``theta`` ``(N + 1, k)``,
    without building the design."""
    N = len(theta) - 1
    return np.mean((features[:, :N] @ theta[:N] + theta[N] - y[:, None]) ** 2, axis=0)


def model_wise(n_features=N_FEATURES, seeds: int = RF_SEEDS, n_train: int = RF_N_TRAIN,
               lambdas=LAMBDAS, n_val: int = RF_N_VAL, n_test: int = RF_N_TEST) -> dict:
    r"""Random-features regression on the toy problem: test MSE against the number of features.

    For each seed :math:`s` in ``range(seeds)``: the data ``make_data(n_train, n_val, n_test,
    seed=s)`` (float64 here, with its intercept) and feature directions :math:`V` with
    independent :math:`N(0, 1/p)` entries from ``numpy.random.default_rng(s)``, drawn once for
    the largest ``N``: the features of a smaller ``N`` are the first ``N`` rows (nested, so
    that along ``N`` only the number of features changes). For each ``N`` the design is
    :math:`A = [\varphi(X), 1]` (:func:`random_features` and a constant column), and from one
    thin SVD :math:`A = USV^\top`:

    * the minimum-norm least-squares fit :math:`A^+y` (singular values below
      :math:`\max(n, N + 1)\,\epsilon\,s_\max` dropped, as ``numpy.linalg.lstsq`` does), which
      interpolates the training data once :math:`N + 1 \ge n`;
    * ridge :math:`\lVert y - A\theta\rVert^2 + \lambda\lVert\theta\rVert^2` for every
      :math:`\lambda` of ``lambdas`` at once, :math:`\theta_\lambda = V\,\mathrm{diag}(s/(s^2 +
      \lambda))\,U^\top y`. The penalty is on *every* coefficient, the constant's included, so
      that :math:`\lambda \to 0` gives the min-norm fit above. The :math:`\lambda` of least
      validation MSE is chosen, and that fit scored on the test split.

    Parameters
    ----------
    n_features : sequence of int, optional
        Numbers of features N, integers >= 1. Default :data:`N_FEATURES`.
    seeds : int, optional
        How many seeds, 0 to ``seeds - 1``; >= 1. Default :data:`RF_SEEDS`, ``20``.
    n_train : int, optional
        Training points, >= 1. Default :data:`RF_N_TRAIN`, ``200``.
    lambdas : sequence of float, optional
        Ridge penalties, finite numbers > 0. Default :data:`LAMBDAS`.
    n_val : int, optional
        Validation points, >= 1. Default :data:`RF_N_VAL`, ``2000``.
    n_test : int, optional
        Test points, >= 1. Default :data:`RF_N_TEST`, ``2000``.

    Returns
    -------
    dict
        Arrays ``(seeds, len(n_features))``: ``"min_norm_test"`` and ``"min_norm_train"``
        (the min-norm fit's test and training MSE), ``"ridge_test"`` (the tuned ridge's test
        MSE), ``"ridge_val"`` (its validation MSE) and ``"ridge_lambda"`` (the chosen λ);
        ``(seeds, len(n_features), len(lambdas))``: ``"ridge_val_all"`` and
        ``"ridge_test_all"`` (every λ's validation and test MSE); and ``"n_features"`` (int
        array), ``"lambdas"``, ``"seeds"``, ``"n_train"``, ``"n_val"``, ``"n_test"``,
        ``"noise"`` (the targets' noise variance, the floor of any test MSE) and ``"seconds"``.

    Raises
    ------
    ValueError
        When ``n_features``, ``seeds``, ``n_train``, ``lambdas``, ``n_val`` or ``n_test`` is
        not allowed (the message names it).
    """
    n_features = _sizes("n_features", n_features)
    seeds = check_setting("seeds", seeds)
    n_train = check_setting("n_train", n_train)
    lambdas = check_sequence("lambdas", lambdas, "a sequence of finite numbers > 0")
    lambdas = np.array([check_real(f"lambdas[{i}]", v, minimum=0.0, strict=True)
                        for i, v in enumerate(lambdas)])
    n_val = check_setting("n_val", n_val)
    n_test = check_setting("n_test", n_test)
    shape = (seeds, len(n_features))
    out = {k: np.empty(shape) for k in ("min_norm_test", "min_norm_train", "ridge_test",
                                        "ridge_val", "ridge_lambda")}
    out["ridge_val_all"] = np.empty((*shape, len(lambdas)))
    out["ridge_test_all"] = np.empty((*shape, len(lambdas)))
    start = time.perf_counter()
    for s in range(seeds):
        data = make_data(n_train, n_val, n_test, seed=s)
        p = data.dims
        V = np.random.default_rng(s).standard_normal((max(n_features), p)) / np.sqrt(p)
        splits = [(random_features(_numpy(x), V), _numpy(y).ravel())
                  for x, y in ((data.x_train, data.y_train), (data.x_val, data.y_val),
                               (data.x_test, data.y_test))]
        (f_tr, y_tr), (f_val, y_val), (f_te, y_te) = splits
        for j, N in enumerate(n_features):
            A = np.hstack([f_tr[:, :N], np.ones((n_train, 1))])
            U, sv, Vt = np.linalg.svd(A, full_matrices=False)
            uy = U.T @ y_tr
            keep = sv > max(A.shape) * np.finfo(float).eps * sv[0]
            # coefficients in the SVD basis: min-norm (first column), then ridge for every λ
            coef = np.column_stack([np.where(keep, uy / np.where(keep, sv, 1.0), 0.0),
                                    (sv / (sv ** 2 + lambdas[:, None])).T * uy[:, None]])
            theta = Vt.T @ coef  # (N + 1, 1 + lambdas)
            train, val, test = (_mse(f, y, theta) for f, y in splits)
            out["min_norm_train"][s, j], out["min_norm_test"][s, j] = train[0], test[0]
            best = int(np.argmin(val[1:]))
            out["ridge_val_all"][s, j], out["ridge_test_all"][s, j] = val[1:], test[1:]
            out["ridge_val"][s, j], out["ridge_test"][s, j] = val[1 + best], test[1 + best]
            out["ridge_lambda"][s, j] = lambdas[best]
    out.update(n_features=np.asarray(n_features), lambdas=lambdas, seeds=seeds,
               n_train=n_train, n_val=n_val, n_test=n_test, noise=float(data.noise) ** 2,
               seconds=time.perf_counter() - start)
    return out
