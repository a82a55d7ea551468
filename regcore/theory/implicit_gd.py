"""Gradient descent and SGD regularise implicitly: the modified losses they follow.

Chapter "Implicit regularisation of gradient descent" (Barrett and Dherin 2021; Smith et al.
2021). Gradient descent with step η stays, to O(η²), on the gradient flow of the *modified* loss
``L̃ = L + (η/4)‖∇L‖²`` rather than of L. :func:`derive` finds the correction term with SymPy by
matching one GD step with the Taylor expansion of a flow (backward error analysis), and, for a
quadratic, the exact modified curvature ``−log(1 − ηh)/η`` and its series. :func:`check_gd` runs
full-batch SGD (regcore's ``fit``, float64) on the linear model for several η and measures how the
distance to each flow shrinks as η halves. :func:`check_sgd_epoch` does the same for one epoch of
minibatch SGD against Smith et al.'s ``C̃ = C + (η/4m)Σₖ‖∇Cₖ‖²``, for one batch order and
averaged over all orders of the m batches (iterating the exact update, vectorised over orders).
"""
from __future__ import annotations

import itertools

import numpy as np
import sympy as sp

from .._checks import check_int
from ..settings import check_setting
from ..training import TrainSettings
from ..models import Linear
from ._common import book_data, final_theta, fit_linear
from .check import Check
from .quadratic import quadratic, theta_of

#: Step sizes of the GD check (:func:`check_gd`), each half the one before.
ETAS = (0.04, 0.02, 0.01, 0.005)
#: The time horizon of the GD check; step size η runs round(HORIZON/η) steps.
HORIZON = 4.0
#: Tolerance of the second check of :func:`check_gd`, relative to ‖θ₀ − θ*‖. GD iterates equal
#: the flow of the exact modified quadratic loss up to float64 rounding over ≤ 800 steps of a
#: contracting iteration, so 1e-12.
TOL_EXACT = 1e-12
#: Step sizes for the SGD-epoch check (halving). The observed order is asymptotic, and the
#: tolerance log2(1 + mη_max·h_max) of :func:`check_sgd_epoch` is only small enough to tell
#: order 3 from 2.5 when the epoch's step is small, mη·h_max ≲ 0.3. With m = 6 batches and
#: h_max ≈ 4.41 that is η ≤ 0.01 (tolerance 0.34; measured deviations 0.11, 0.06, 0.03). From
#: η = 0.02 (mη·h_max = 0.53) the tolerance would be 0.61 and accept an order of 2.4.
SGD_ETAS = (0.01, 0.005, 0.0025, 0.00125)


def _order_tolerance(eta_max: float, h_max: float) -> float:
    """Asymptotic orders hold up to the next term, relatively ηh smaller: log2(1 + η·h_max)."""
    return float(np.log2(1 + eta_max * h_max))


def derive() -> dict:
    r"""SymPy: backward error analysis of one GD step, for a general loss and for a quadratic.

    For a general 1-D loss :math:`L`, it finds the :math:`O(\eta)` correction to the velocity
    of a flow whose Taylor expansion over a time :math:`\eta` matches one GD step to
    :math:`O(\eta^2)`, and confirms that the corrected velocity is
    :math:`-\frac{d}{d\theta}(L + \frac\eta4 L'^2)`, the modified loss. For a quadratic of
    curvature :math:`h`, it solves :math:`e^{-\eta\tilde h} = 1 - \eta h` for the exact
    modified curvature :math:`\tilde h = -\log(1 - \eta h)/\eta`, expands it in :math:`\eta`,
    and gives the curvature of the modified loss, :math:`h + \eta h^2/2`, to compare.

    Returns
    -------
    dict
        ``"correction"`` (the velocity's correction, :math:`-\frac12 L'L''`),
        ``"modified_loss"``, ``"matches"`` (``bool``, whether the two agree),
        ``"exact_curvature"``, ``"series"`` (its expansion to :math:`O(\eta^3)`),
        ``"modified_curvature"`` and ``"symbols"``, ``(theta, eta, h)``.
    """
    theta, eta = sp.symbols("theta eta", real=True)
    L = sp.Function("L")
    f1 = sp.Symbol("f_1")  # the unknown O(η) correction to the flow's velocity
    v0 = -sp.diff(L(theta), theta)
    velocity = v0 + eta * f1
    # Taylor expansion of the flow θ̇ = v(θ) over a time η: θ + ηv + (η²/2) v'v + O(η³), with the
    # O(η) part of v'v dropped (it is O(η³) in the step).
    flow_step = theta + eta * velocity + eta ** 2 / 2 * sp.diff(v0, theta) * v0
    gd_step = theta + eta * v0
    (correction,) = sp.solve(sp.expand(flow_step - gd_step).coeff(eta, 2), f1)
    grad_sq = sp.diff(L(theta), theta) ** 2
    modified_loss = L(theta) + eta / 4 * grad_sq
    # the flow's velocity is −d/dθ of the modified loss, to first order in η:
    matches = sp.simplify(-sp.diff(modified_loss, theta) - (v0 + eta * correction)) == 0

    h, ht = sp.symbols("h htilde", positive=True)
    (exact,) = sp.solve(sp.Eq(sp.exp(-eta * ht), 1 - eta * h), ht)
    series = sp.series(exact, eta, 0, 3)
    e = sp.Symbol("e", real=True)
    quad = h / 2 * e ** 2
    modified_quad = quad + eta / 4 * sp.diff(quad, e) ** 2
    modified_curvature = sp.expand(sp.diff(modified_quad, e, 2))
    return {"correction": correction, "modified_loss": modified_loss, "matches": matches,
            "exact_curvature": exact, "series": series, "modified_curvature": modified_curvature,
            "symbols": (theta, eta, h)}


def _flow(M: np.ndarray, v: np.ndarray, times: np.ndarray, x0: np.ndarray) -> np.ndarray:
    """Gradient flow θ̇ = −(Mθ − v) of a quadratic (M symmetric positive definite) at ``times``."""
    evals, Q = np.linalg.eigh(M)
    star = np.linalg.solve(M, v)
    coef = Q.T @ (x0 - star)
    return star + (np.exp(-np.outer(times, evals)) * coef) @ Q.T


def gd_distances(etas=ETAS, horizon: float = HORIZON) -> dict:
    r"""How far gradient descent stays from three gradient flows, for each step size.

    For each :math:`\eta`: the largest :math:`\lVert\theta_k - \varphi(k\eta)\rVert` over the
    steps :math:`k \le \mathrm{horizon}/\eta`. :math:`\theta_k` is the exact update
    :math:`\theta \leftarrow \theta - \eta\nabla L` iterated in float64 NumPy from the seeded
    initialisation of :class:`regcore.models.Linear` on the post's draw;
    :func:`regcore.training.fit` (full-batch SGD, float64) is run too and its final state
    compared with the last iterate (its per-epoch snapshots are float32, too coarse for the
    exact comparison). :math:`\varphi` is the flow of :math:`L`, of :math:`\tilde L = L +
    \frac\eta4\lVert\nabla L\rVert^2`, and of the exact modified loss :math:`\frac12
    e^\top[-\log(I - \eta H)/\eta]e`, all from the same start.

    Parameters
    ----------
    etas : sequence of float, optional
        The step sizes, each > 0. Default ``ETAS``, ``(0.04, 0.02, 0.01, 0.005)``.
    horizon : float, optional
        The time the comparison spans; each step size runs ``round(horizon/η)`` steps.
        Default ``HORIZON``, ``4.0``.

    Returns
    -------
    dict
        ``"etas"``, then one array entry per step size for each of ``"L"``, ``"Ltilde"`` and
        ``"exact"`` (the distances to the three flows) and ``"fit_vs_update"`` (the largest
        absolute difference between ``fit``'s final parameters and the last iterate);
        ``"scale"`` (:math:`\lVert\theta_0 - \theta_\mathrm{OLS}\rVert`) and ``"h_max"`` (the
        largest eigenvalue of ``H``).

    Raises
    ------
    ValueError
        When a step size is not allowed as a learning rate, or when ``horizon/η`` rounds to
        fewer than 1 step (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    data = book_data()
    q = quadratic(data)
    out = {"etas": np.asarray(etas, dtype=float), "L": [], "Ltilde": [], "exact": [],
           "fit_vs_update": []}
    scale = None
    for eta in etas:
        steps = check_int("horizon/eta", int(round(horizon / eta)), minimum=1)
        res = fit_linear(data, TrainSettings(optimizer="sgd", lr=float(eta), epochs=steps,
                                             snapshot_every=0))
        x0 = theta_of(Linear(data.dims).double())
        path = np.empty((steps + 1, len(x0)))
        path[0] = x0
        for k in range(steps):
            path[k + 1] = path[k] - eta * q.grad(path[k])
        out["fit_vs_update"].append(float(np.abs(final_theta(res) - path[-1]).max()))
        t = eta * np.arange(steps + 1)
        star = q.ols()
        scale = np.linalg.norm(x0 - star)
        mod = q.H + eta / 2 * q.H @ q.H   # Hessian of L̃ (gradient H θ − c + (η/2) H(Hθ − c))
        log_h = -np.log1p(-eta * q.evals) / eta
        exact_M = (q.evecs * log_h) @ q.evecs.T
        for key, M in (("L", q.H), ("Ltilde", mod), ("exact", exact_M)):
            phi = _flow(M, M @ star, t, x0)
            out[key].append(float(np.linalg.norm(path - phi, axis=1).max()))
    for key in ("L", "Ltilde", "exact", "fit_vs_update"):
        out[key] = np.asarray(out[key])
    out["scale"] = float(scale)
    out["h_max"] = float(q.evals[-1])
    return out


def _orders(errors: np.ndarray) -> np.ndarray:
    """Observed orders log2(err(η)/err(η/2)) for consecutive halvings."""
    return np.log2(errors[:-1] / errors[1:])


def check_gd(etas=ETAS, horizon: float = HORIZON) -> tuple[Check, Check]:
    r"""Two checks: GD's error orders to the flows of L and L̃, and GD on the exact modified flow.

    From :func:`gd_distances`: the observed order of each halving,
    :math:`\log_2(\mathrm{err}(\eta)/\mathrm{err}(\eta/2))`, must be 1 for the flow of
    :math:`L` and 2 for the flow of :math:`\tilde L`. The first check measures the largest
    deviation from those orders, against the tolerance :math:`\log_2(1 + \eta_\mathrm{max}
    h_\mathrm{max})` (the next term of the expansion). The second measures the largest distance
    of GD (both the exact update and ``fit``) from the flow of the exact modified loss, over
    ``scale``, against :data:`TOL_EXACT`.

    Parameters
    ----------
    etas : sequence of float, optional
        The step sizes, each half the one before. Default ``ETAS``.
    horizon : float, optional
        The time the comparison spans. Default ``HORIZON``, ``4.0``.

    Returns
    -------
    tuple of regcore.theory.check.Check
        ``(orders, exact)``. ``orders.values`` holds :func:`gd_distances`'s result and
        ``"orders_L"`` and ``"orders_Ltilde"``, the observed orders; ``exact.values`` holds
        :func:`gd_distances`'s result.

    Raises
    ------
    ValueError
        When a step size or ``horizon`` is not allowed (see :func:`gd_distances`).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    dist = gd_distances(etas, horizon)
    o_l, o_lt = _orders(dist["L"]), _orders(dist["Ltilde"])
    dev = max(np.abs(o_l - 1).max(), np.abs(o_lt - 2).max())
    tol = _order_tolerance(max(etas), dist["h_max"])
    orders = Check("GD error orders: O(η) to the flow of L, O(η²) to that of L̃", dev, tol,
                   "the next term of the expansion, relatively η·h_max smaller",
                   {**dist, "orders_L": o_l, "orders_Ltilde": o_lt})
    worst = max(dist["exact"].max(), dist["fit_vs_update"].max()) / dist["scale"]
    exact = Check("GD (fit and the exact update) = flow of the exact modified quadratic", worst,
                  TOL_EXACT, "float64 rounding over the iterations", dist)
    return orders, exact


def _sgd_setup(batch_size: int = 32, seed: int = 0):
    data = book_data()
    q = quadratic(data)
    n = q.n
    m = n // batch_size
    perm = np.random.default_rng(seed).permutation(n)[: m * batch_size].reshape(m, batch_size)
    Hk = np.stack([2 * q.A[i].T @ q.A[i] / batch_size for i in perm])
    ck = np.stack([2 * q.A[i].T @ q.y[i] / batch_size for i in perm])
    return q, Hk, ck, m


def sgd_epoch_distances(etas=SGD_ETAS, batch_size: int = 32, seed: int = 0) -> dict:
    r"""One epoch of minibatch SGD from θ = 0 against the flows of C and C̃, for each step size.

    The post's draw (float64) is split, by a seeded permutation, into :math:`m` = ``200 //
    batch_size`` batches of ``batch_size`` points (the remaining points are left out);
    :math:`C` is the mean of the batch losses :math:`C_k` and :math:`\tilde C = C +
    \frac\eta{4m}\sum_k\lVert\nabla C_k\rVert^2` (Smith et al. 2021). For each :math:`\eta`, the
    exact update :math:`\theta \leftarrow \theta - \eta(H_k\theta - c_k)` is iterated over the
    :math:`m` batches in NumPy, for every one of the :math:`m!` batch orders at once, and the
    end point compared with each flow at time :math:`m\eta`: for the first order alone
    (``fixed``) and for the mean over all orders (``avg``).

    Parameters
    ----------
    etas : sequence of float, optional
        The step sizes. Default ``SGD_ETAS``, ``(0.01, 0.005, 0.0025, 0.00125)``.
    batch_size : int, optional
        Points per batch, >= 1, giving at most 7 batches (at most 5,040 orders). Default ``32``:
        6 batches.
    seed : int, optional
        Seed of NumPy's generator for the permutation. Default ``0``.

    Returns
    -------
    dict
        One array entry per step size for each of ``"fixed_C"``, ``"fixed_Ct"``, ``"avg_C"``
        and ``"avg_Ct"`` (the distances of the fixed order's and the averaged end point to the
        flows of :math:`C` and :math:`\tilde C`); ``"etas"``, ``"m"``, ``"h_max"`` (the largest
        eigenvalue of :math:`C`'s Hessian), ``"minimiser_shift"`` (how far the minimiser of
        :math:`\tilde C` is from that of :math:`C` at the largest step, ``"shift_eta"``),
        ``"minimiser_norm"`` (the norm of :math:`C`'s minimiser), ``"batch_size"``,
        ``"n_train"`` and ``"n_orders"``.

    Raises
    ------
    ValueError
        When ``batch_size`` is not allowed or gives more than 7 batches (the message names it).
    """
    batch_size = check_setting("batch_size", batch_size)
    q, Hk, ck, m = _sgd_setup(batch_size, seed)
    if m > 7:
        raise ValueError(f"batch_size={batch_size} is not allowed here: it gives m={m} batches "
                         "and m! orders to average (use a batch size with at most 7 batches)")
    orders = np.array(list(itertools.permutations(range(m))))
    H, c = Hk.mean(0), ck.mean(0)
    out = {k: [] for k in ("fixed_C", "fixed_Ct", "avg_C", "avg_Ct")}
    for eta in etas:
        theta = np.zeros((len(orders), Hk.shape[1]))
        for j in range(m):
            idx = orders[:, j]
            theta = theta - eta * (np.einsum("oij,oj->oi", Hk[idx], theta) - ck[idx])
        fixed, avg = theta[0], theta.mean(0)
        M = H + eta / (2 * m) * np.einsum("kij,kjl->il", Hk, Hk)
        v = c + eta / (2 * m) * np.einsum("kij,kj->i", Hk, ck)
        t = np.array([m * eta])
        x0 = np.zeros(len(c))
        phi_c = _flow(H, c, t, x0)[0]
        phi_ct = _flow(M, v, t, x0)[0]
        out["fixed_C"].append(np.linalg.norm(fixed - phi_c))
        out["fixed_Ct"].append(np.linalg.norm(fixed - phi_ct))
        out["avg_C"].append(np.linalg.norm(avg - phi_c))
        out["avg_Ct"].append(np.linalg.norm(avg - phi_ct))
    out = {k: np.asarray(v) for k, v in out.items()}
    shift_eta = float(max(etas))
    M = H + shift_eta / (2 * m) * np.einsum("kij,kjl->il", Hk, Hk)
    v = c + shift_eta / (2 * m) * np.einsum("kij,kj->i", Hk, ck)
    out.update(etas=np.asarray(etas, dtype=float), m=m, h_max=float(np.linalg.eigvalsh(H)[-1]),
               minimiser_shift=float(np.linalg.norm(np.linalg.solve(M, v) - np.linalg.solve(H, c))),
               shift_eta=shift_eta, minimiser_norm=float(np.linalg.norm(np.linalg.solve(H, c))),
               batch_size=batch_size, n_train=q.n, n_orders=len(orders))
    return out


def check_sgd_epoch(etas=SGD_ETAS, batch_size: int = 32) -> Check:
    r"""Check: averaged over batch orders, one SGD epoch follows the flow of C̃ to O(η³).

    From :func:`sgd_epoch_distances` (permutation seed 0): the observed orders
    :math:`\log_2(\mathrm{err}(\eta)/\mathrm{err}(\eta/2))` of the averaged end point's distance
    to the flow of :math:`\tilde C` must be 3. Measured: the largest deviation from 3, against
    :math:`\log_2(1 + m\eta_\mathrm{max}h_\mathrm{max})`. Also reported, without a tolerance:
    the orders for the single fixed order, and against the flow of :math:`C`.

    Parameters
    ----------
    etas : sequence of float, optional
        The step sizes, each half the one before. Default ``SGD_ETAS``.
    batch_size : int, optional
        Points per batch, giving at most 7 batches. Default ``32``.

    Returns
    -------
    regcore.theory.check.Check
        The largest deviation; ``values`` holds :func:`sgd_epoch_distances`'s result and the
        observed orders ``"orders_avg_Ct"``, ``"orders_avg_C"``, ``"orders_fixed_Ct"`` and
        ``"orders_fixed_C"``.

    Raises
    ------
    ValueError
        When ``batch_size`` is not allowed or gives more than 7 batches (the message names it).
    """
    dist = sgd_epoch_distances(etas, batch_size)
    o = _orders(dist["avg_Ct"])
    tol = _order_tolerance(dist["m"] * max(etas), dist["h_max"])
    return Check("SGD epoch (averaged over orders): O(η³) to the flow of C̃",
                 np.abs(o - 3).max(), tol,
                 "the next term of the expansion, relatively mη·h_max smaller",
                 {**dist, "orders_avg_Ct": o, "orders_avg_C": _orders(dist["avg_C"]),
                  "orders_fixed_Ct": _orders(dist["fixed_Ct"]),
                  "orders_fixed_C": _orders(dist["fixed_C"])})
