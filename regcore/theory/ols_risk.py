"""The best a linear model can score: the expected test MSE of OLS with an intercept.

Chapter "The best a linear model can score". For a Gaussian design ``x ~ N(0, I_p)`` and noise
σ, OLS with an intercept fitted on n points predicts a new point with error variance
``σ²[1/n + (x₀ − x̄)ᵀS⁻¹(x₀ − x̄)]`` (S the centred scatter matrix). Taking expectations —
``E[(x₀ − x̄)(x₀ − x̄)ᵀ] = (1 + 1/n)I`` (derived with ``sympy.stats``) and the inverse-Wishart mean
``E[S⁻¹] = I/(n − p − 2)`` (S ~ Wishart(I, n − 1)) — gives
``E[test MSE] = σ²(1 + 1/n)(1 + p/(n − p − 2))``; :func:`derive` assembles and factors it.
:func:`check_monte_carlo` draws many datasets from the book's generating process; and
:func:`check_baseline` compares the post's trained linear model at n = 200 and 400 with it.
"""
from __future__ import annotations

import numpy as np
import sympy as sp
import sympy.stats as st
import torch

from .._checks import check_int
from ..settings import check_setting
from ..experiments import run
from ._common import book_data
from .check import Check
from .quadratic import design, expected_test_mse, quadratic, theta_of

#: Tolerance of :func:`check_monte_carlo`, in standard errors. The Monte Carlo mean over
#: datasets must lie within 4 standard errors of the formula.
TOL_MC_SIGMAS = 4.0
#: Tolerance of :func:`check_baseline`, in standard deviations. A single dataset's test MSE
#: scatters around the expectation with the per-dataset standard deviation (measured by the Monte
#: Carlo), and the 10,000-point test split adds its own sampling error; the trained baseline must
#: lie within 3 of the combined standard deviations.
TOL_BASELINE_SIGMAS = 3.0


def derive() -> dict:
    r"""SymPy: the expected test MSE of OLS with an intercept, assembled and factored.

    Assembles :math:`\sigma^2[1 + 1/n + \operatorname{tr}(E[(x_0 - \bar x)(x_0 - \bar
    x)^\top]\,E[S^{-1}])]` for :math:`d` features: the spread
    :math:`E[(x_0 - \bar x)^2] = 1 + 1/n` per feature with ``sympy.stats``, the inverse-Wishart
    mean :math:`E[S^{-1}] = I/(n - d - 2)`. The factored result equals the textbook
    :math:`\sigma^2(1 + 1/n)(1 + d/(n - d - 2))`. Also its difference to the formula without
    an intercept (:math:`d + 1` columns) and its series for large :math:`n`.

    Returns
    -------
    dict
        ``"spread"`` (:math:`1 + 1/n`), ``"risk"`` (as assembled), ``"closed"`` (factored),
        ``"textbook"``, ``"equal_to_textbook"`` (``bool``, whether SymPy simplifies the
        difference to 0), ``"no_intercept"`` and ``"difference_to_no_intercept"``,
        ``"large_n"`` (the series in :math:`\epsilon = 1/n` to second order),
        ``"large_n_terms"`` (its coefficients of 1, :math:`1/n` and :math:`1/n^2`) and
        ``"symbols"``, ``(n, d, sigma)``; the number of features is the symbol named ``d``.
    """
    n, p, sigma = sp.symbols("n d sigma", positive=True)   # d features (p is dropout's)
    x0 = st.Normal("x0", 0, 1)
    xbar = st.Normal("xbar", 0, 1 / sp.sqrt(n))      # mean of n independent N(0, 1)
    spread = sp.simplify(st.E((x0 - xbar) ** 2))      # one diagonal entry: 1 + 1/n
    inv_wishart = 1 / ((n - 1) - p - 1)               # E[S⁻¹] = I/(ν − p − 1), ν = n − 1
    risk = sigma ** 2 * (1 + 1 / n + p * spread * inv_wishart)
    closed = sp.factor(risk)
    textbook = sigma ** 2 * (1 + 1 / n) * (1 + p / (n - p - 2))
    p1 = p + 1  # the no-intercept formula σ²(1 + p'/(n − p' − 1)) with p' = p + 1 columns
    no_intercept = sigma ** 2 * (1 + p1 / (n - p1 - 1))
    eps = sp.Symbol("epsilon", positive=True)
    large_n = sp.series(closed.subs(n, 1 / eps), eps, 0, 3).removeO()
    # The same series as coefficients of 1, 1/n, 1/n²: the chapter writes it in n, term by term.
    large_n_terms = [sp.factor(large_n.coeff(eps, k)) for k in range(3)]
    return {"spread": spread, "risk": risk, "closed": closed, "textbook": textbook,
            "equal_to_textbook": sp.simplify(closed - textbook) == 0,
            "difference_to_no_intercept": sp.factor(sp.simplify(closed - no_intercept)),
            "no_intercept": no_intercept, "large_n": large_n, "large_n_terms": large_n_terms,
            "symbols": (n, p, sigma)}


def risk_formula(n: int, p: int = 50, sigma: float = 0.2) -> float:
    r"""The expected test MSE :math:`\sigma^2(1 + 1/n)(1 + p/(n - p - 2))` of OLS with an intercept.

    Evaluates :func:`derive`'s factored expression (which calls the number of features
    :math:`d`; here ``p``).

    Parameters
    ----------
    n : int
        Training points, an integer >= ``p + 3`` (the inverse-Wishart mean needs
        :math:`n > p + 2`).
    p : int, optional
        Number of features. Default ``50``, the book's.
    sigma : float, optional
        Standard deviation of the noise. Default ``0.2``, the book's.

    Returns
    -------
    float
        The expected test MSE.

    Raises
    ------
    ValueError
        When ``n`` is not an integer >= ``p + 3`` (the message names it).
    """
    n = check_int("n", n, minimum=p + 3)
    d = derive()
    ns, ps, ss = d["symbols"]
    return float(d["closed"].subs({ns: n, ps: p, ss: sigma}))


def monte_carlo(n: int = 200, datasets: int = 4000, seed: int = 0, chunk: int = 500) -> np.ndarray:
    r"""Exact test MSE of OLS on each of ``datasets`` fresh datasets of ``n`` points.

    The exact test MSE is :math:`\sigma^2 + \lVert\hat\theta - \theta_\mathrm{true}\rVert^2`.
    Each of ``datasets`` datasets has ``n`` points from the book's generating process (50
    features, :math:`x \sim N(0, I)`, noise :math:`\sigma = 0.2`). The OLS error does not
    depend on the true parameters, :math:`\hat\theta - \theta_\mathrm{true} =
    (A^\top A)^{-1}A^\top(\sigma\varepsilon)`, so only the design and the noise are drawn
    (torch, float64, from a private generator; batched solves, ``chunk`` datasets at a time).

    Parameters
    ----------
    n : int, optional
        Training points per dataset, >= 53 (the formula needs :math:`n > 52`). Default ``200``.
    datasets : int, optional
        Number of datasets, >= 2. Default ``4000``.
    seed : int, optional
        Seed of the private torch generator, an integer in ``[0, 2**32)``. Default ``0``.
    chunk : int, optional
        Datasets drawn and solved at once, > 0; the draws depend on it. Default ``500``.

    Returns
    -------
    numpy.ndarray
        The exact test MSE of each dataset's OLS fit, ``(datasets,)``.

    Raises
    ------
    ValueError
        When ``n``, ``datasets`` or ``seed`` is not allowed (the message names it).
    """
    n = check_int("n", n, minimum=53)
    datasets = check_int("datasets", datasets, minimum=2)
    data = book_data()
    sigma = data.noise
    gen = torch.Generator().manual_seed(check_setting("seed", seed))
    out = []
    for start in range(0, datasets, chunk):
        m = min(chunk, datasets - start)
        X = torch.randn(m, n, data.dims, generator=gen, dtype=torch.float64)
        A = torch.cat([X, torch.ones(m, n, 1, dtype=torch.float64)], dim=2)
        noise = sigma * torch.randn(m, n, 1, generator=gen, dtype=torch.float64)
        At = A.transpose(1, 2)
        err = torch.linalg.solve(At @ A, At @ noise)[..., 0]
        out.append((sigma ** 2 + (err ** 2).sum(1)).numpy())
    return np.concatenate(out)


def check_monte_carlo(n: int = 200, datasets: int = 4000, seed: int = 0) -> Check:
    """Check: the mean exact test MSE of OLS over fresh datasets equals :func:`risk_formula`.

    Draws :func:`monte_carlo` datasets and measures the absolute difference between their mean
    and the formula (50 features, noise 0.2) in units of the Monte Carlo standard error,
    against :data:`TOL_MC_SIGMAS`.

    Parameters
    ----------
    n : int, optional
        Training points per dataset, >= 53. Default ``200``.
    datasets : int, optional
        Number of datasets, >= 2. Default ``4000``.
    seed : int, optional
        Seed of the private generator, an integer in ``[0, 2**32)``. Default ``0``.

    Returns
    -------
    regcore.theory.check.Check
        The distance in standard errors; ``values`` holds ``"mc"`` (the mean), ``"formula"``,
        ``"se"`` (the standard error), ``"spread"`` (the per-dataset standard deviation, which
        :func:`check_baseline` takes), ``"risks"`` (every dataset's), ``"n"`` and
        ``"datasets"``.

    Raises
    ------
    ValueError
        When ``n``, ``datasets`` or ``seed`` is not allowed (the message names it).
    """
    risks = monte_carlo(n, datasets, seed)
    formula = risk_formula(n)
    se = risks.std(ddof=1) / np.sqrt(len(risks))
    return Check(f"OLS risk, Monte Carlo over datasets (n = {n})",
                 abs(risks.mean() - formula) / se, TOL_MC_SIGMAS,
                 "Monte Carlo error (standard errors)",
                 {"mc": float(risks.mean()), "formula": formula, "se": float(se),
                  "spread": float(risks.std(ddof=1)), "risks": risks, "n": n,
                  "datasets": len(risks)})


def check_baseline(n: int, spread: float) -> Check:
    """Check: the post's linear model trained on ``n`` points scores what :func:`risk_formula` says.

    Trains the post's linear run (:func:`regcore.experiments.run`, ``"linear"``, float32) on the
    post's draw with ``n`` training points and takes its test loss at the best epoch. Measured:
    the absolute difference between that test loss and the formula in units of the combined
    standard deviation, the per-dataset ``spread`` and the test split's standard error added in
    quadrature, against :data:`TOL_BASELINE_SIGMAS`.

    Parameters
    ----------
    n : int
        Training points, >= 53.
    spread : float
        The per-dataset standard deviation of the test MSE, ``values["spread"]`` of
        :func:`check_monte_carlo` at the same ``n``.

    Returns
    -------
    regcore.theory.check.Check
        The distance in standard deviations; ``values`` holds ``"test"`` (the test loss at the
        best epoch), ``"val"`` (the best validation loss), ``"formula"``, ``"test_se"`` (the
        test split's standard error of the mean squared error, for the best state in float64),
        ``"spread"``, ``"n"``, and the exact expected test MSEs of this draw's OLS solution
        (``"this_draw_ols"``) and of the trained model (``"this_draw_trained"``).

    Raises
    ------
    ValueError
        When ``n`` is not an integer >= 53 (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    res = run("linear", n, snapshot_every=0)
    data = book_data(n)
    theta = theta_of(res.best_state)
    resid = design(data.x_test) @ theta - data.y_test.numpy().ravel()
    test_se = float((resid ** 2).std(ddof=1) / np.sqrt(len(resid)))
    formula = risk_formula(n)
    scale = float(np.hypot(spread, test_se))
    q = quadratic(data)
    return Check(f"OLS risk, the post's linear model (n = {n})",
                 abs(res.test_loss_at_best - formula) / scale, TOL_BASELINE_SIGMAS,
                 "per-dataset spread and test-split sampling error",
                 {"test": float(res.test_loss_at_best), "val": res.best_val_loss,
                  "formula": formula, "test_se": test_se, "spread": spread, "n": n,
                  "this_draw_ols": expected_test_mse(q.ols(), data),
                  "this_draw_trained": expected_test_mse(theta, data)})
