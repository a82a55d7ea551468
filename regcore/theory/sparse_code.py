"""L1 on activations: a toy sparse autoencoder recovers features stored in superposition.

Chapter: "L1 on activations: a toy sparse autoencoder" (book/more/sparse_autoencoder.md). Why it
matters: every other penalty in the book acts on the *weights*; an L1 penalty on a layer's
*activations* asks instead that each input be explained by few active units, and when the data
are sparse combinations of more directions than the space has dimensions (superposition, Elhage
et al. 2022, "Toy Models of Superposition") that is what recovers the directions (Sharkey, Braun
& Millidge 2022; Bricken et al. 2023, "Towards Monosemanticity").

The data (:func:`make_sparse_data`): ``k`` non-negative features, each active independently with
probability ``p_active`` and then of magnitude uniform on (0, 1], embedded as the unit columns
of a random ``m × k`` matrix ``F`` with ``m < k``: ``x = F a``. The autoencoder
(:func:`train_autoencoder`, :func:`train_autoencoders`): code ``f = ReLU(W_e x + b_e)`` with
``h`` units, reconstruction ``x̂ = W_d f + b_d``, loss ``mean ‖x − x̂‖² + λ·mean ‖f‖₁`` over a
minibatch, Adam, and the decoder's columns renormalised to unit norm after every step (otherwise
the penalty is evaded by shrinking ``f`` and growing ``W_d``). Recovery is the mean max cosine
similarity (:func:`mmcs`): for each true direction the largest cosine with any decoder column,
averaged over the features. :func:`recovery_study` trains many λ and seeds at once (one stack
of models, batched matrix products, as :mod:`regcore.sweep` does for MLPs) together with two
contrasts: λ = 0, and L1 on the encoder's *weights* (``λ_w‖W_e‖₁``) instead of on the code.

The exact part (:func:`derive_threshold`, :func:`check_threshold`): for a fixed decoder ``D``
with orthonormal columns (``DᵀD = I``), ``‖x − Df‖² = ‖x − DDᵀx‖² + ‖Dᵀx − f‖²``, so the loss
``‖x − Df‖² + λΣf`` over ``f ≥ 0`` separates into the one-dimensional problems
``(z − f)² + λf`` with ``z = Dᵀx``, each minimised at ``max(z − λ/2, 0)``: the code is
``f* = ReLU(Dᵀx − λ/2)``, an encoder with tied weights and bias ``−λ/2``. SymPy derives the
one-dimensional minimiser and the separation; the check compares the closed form with a generic
bounded minimiser (SciPy's L-BFGS-B) on the joint problem.

Randomness: every draw comes from a private ``torch.Generator`` whose seed is derived from the
caller's seed and the stream's name with :class:`numpy.random.SeedSequence` (data, initial
weights, minibatches: three independent streams). The global generators are never touched.
Using the seed itself for two streams would be a trap here: ``F`` and the initial decoder are
both normalised Gaussian matrices, and drawn from the same stream the decoder would start *on*
the true features.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.optimize
import sympy as sp
import torch

from .._checks import _fail, check_int, check_real, check_seed, check_sequence
from ..optim import FlatOptimizer
from ..settings import check_setting, resolve_device
from .check import Check

#: Features ``k`` of the study's data.
K_FEATURES = 16
#: Dimensions ``m`` of the study's data, so 16 directions share 8 dimensions (superposition
#: by a factor of 2).
M_DIMS = 8
#: Code units ``h`` of the study's autoencoders, as many as there are features. With 32 units
#: the best MMCS was the same (0.960 against 0.962 at λ = 0.3, 4 seeds, 3000 steps) for 1.6
#: times the time.
HIDDEN = 16
#: Points per data set of the study.
N_POINTS = 4096
#: Probability that a feature is active, so 1.6 of the 16 are active in an average input.
P_ACTIVE = 0.1
#: Adam's learning rate. At 0.003 the same 2000 steps left the loss still falling and the MMCS
#: 0.01–0.03 lower (8 seeds).
LR = 0.01
#: Training steps, enough that the loss has levelled off. Measured (8 seeds, λ = 0.1, 0.3, 1),
#: the mean minibatch loss of steps 900–1000 is on average 1.5%, 0.01%, 0.1% above that of
#: steps 1900–2000 (at most 5% for one seed: a 100-step mean of minibatch losses is noisy).
STEPS = 2000
#: Minibatch size, drawn with replacement. Training costs ~0.045 ms per model and step at 64
#: rows and 16 units on one core (0.085 ms at 128 rows and 32 units).
BATCH = 64
#: Code L1 strengths λ of :func:`recovery_study`, from too weak to too strong. Measured with
#: the defaults (20 seeds), mean MMCS 0.834, 0.907, 0.966, 0.918, 0.695; at λ = 3 the code
#: collapses (93% of the units dead, L0 ≈ 0). λ = 0 gives 0.711 and the random initial decoders
#: 0.591.
LAMBDAS = (0.03, 0.1, 0.3, 1.0, 3.0)
#: Strengths λ_w of the contrast with L1 on the encoder's weights (``λ_w‖W_e‖₁``, a sum over its
#: ``h·m`` entries).
WEIGHT_LAMBDAS = (0.001, 0.01, 0.1)
#: Seeds of :func:`recovery_study` (data, initial weights and minibatches), 0 to 19. With 9
#: models per seed (5 λ, λ = 0, 3 λ_w), the default study trains 180 models for 2000 steps in
#: 16.3–18.1 s on one core of a shared 2-core machine (17.9–19.3 s with the data and the
#: scoring).
SEEDS = 20
#: Steps whose minibatch indices are drawn at once (``steps × batch`` integers per seed).
INDEX_CHUNK = 100
#: Decoder dimensions ``m`` of :func:`check_threshold`.
CHECK_M = 8
#: Code units ``h`` of :func:`check_threshold`, at most ``m`` (orthonormal columns).
CHECK_H = 6
#: Penalty λ of :func:`check_threshold`. With ``z = Dᵀx ~ N(0, I)`` the threshold λ/2 = 0.25
#: zeroes 60% of the code (``P(z ≤ 0.25)``), so both branches are exercised.
CHECK_LAMBDA = 0.5
#: Inputs of :func:`check_threshold`, solved as one problem of ``points × h`` variables. The
#: check took 0.5–1.3 s on a shared 2-core machine, most of it SymPy's derivation (0.6–1.7 s
#: alone); each L-BFGS-B solve takes ~0.1 s.
CHECK_POINTS = 1000
#: Projected-gradient tolerance of the numerical minimiser (SciPy's L-BFGS-B ``gtol``). With
#: ``ftol=0`` the only other ways it stops are an objective that no longer decreases at all
#: (float64 rounding; the non-orthogonal contrast stops so, at projected gradients ~1e-7) and
#: the iteration cap.
PGTOL = 1e-12
#: Tolerance of :func:`check_threshold`, the largest absolute difference between the closed form
#: and the numerical minimiser (and the lambdified SymPy minimiser, which agrees exactly). With
#: the Hessian 2I the distance to the minimiser is at most the projected gradient (see
#: :func:`check_threshold`), which stops L-BFGS-B below :data:`PGTOL`, so the tolerance is
#: :data:`PGTOL`. Measured with the defaults over seeds 0–9: 1.6e-15 to 5.3e-15 (projected
#: gradients 2.6e-15 to 9.8e-15, reached in 2 iterations), float64 rounding of codes ~1.
TOL_THRESHOLD = PGTOL

_STREAM_DATA, _STREAM_INIT, _STREAM_BATCHES, _STREAM_CHECK = 1, 2, 3, 4


def _generator(seed: int, stream: int) -> torch.Generator:
    """A private CPU generator for ``stream`` of ``seed`` (a SeedSequence-derived 64-bit seed)."""
    derived = np.random.SeedSequence([seed, stream]).generate_state(1, np.uint64)[0]
    return torch.Generator().manual_seed(int(derived))


def _device(device: str) -> torch.device:
    return resolve_device(check_setting("device", device))


class SparseData(NamedTuple):
    """A draw of :func:`make_sparse_data`; unpacks as ``x, a, F`` (float32 tensors)."""

    #: The inputs ``F a``, ``(n, m)``.
    x: torch.Tensor
    #: The features' activations, ``(n, k)``, 0 where inactive and in (0, 1] where active.
    a: torch.Tensor
    #: The features' directions, unit columns, ``(m, k)``.
    F: torch.Tensor


def make_sparse_data(n: int = N_POINTS, k: int = K_FEATURES, m: int = M_DIMS,
                     p_active: float = P_ACTIVE, seed: int = 0) -> SparseData:
    r"""Sparse non-negative features in superposition: :math:`x = Fa`.

    From one private generator (seeded from ``seed``), in this order: :math:`F` with independent
    standard-normal entries, each column divided by its norm (in float64, then rounded to
    float32); for each of the ``n × k`` activations, whether it is active (uniform draw below
    ``p_active``); then its magnitude, :math:`1 - u` with :math:`u` uniform on [0, 1), so in
    (0, 1] and never exactly 0 (an activation is positive exactly when it is active). The inputs
    are :math:`x = Fa` computed in float64 from the float32 ``a`` and ``F``, rounded once.

    Parameters
    ----------
    n : int, optional
        Points, >= 1. Default :data:`N_POINTS`, ``4096``.
    k : int, optional
        Features, >= 1. Default :data:`K_FEATURES`, ``16``.
    m : int, optional
        Dimensions, >= 1 (superposition when ``m < k``). Default :data:`M_DIMS`, ``8``.
    p_active : float, optional
        Probability that a feature is active, in (0, 1]. Default :data:`P_ACTIVE`, ``0.1``.
    seed : int, optional
        Seed of the draw, an integer in ``[0, 2**32)``. Default ``0``.

    Returns
    -------
    SparseData
        ``(x, a, F)``: float32 CPU tensors ``(n, m)``, ``(n, k)`` and ``(m, k)``.

    Raises
    ------
    ValueError
        When ``n``, ``k``, ``m``, ``p_active`` or ``seed`` is not allowed (the message names it).
    """
    n = check_int("n", n, minimum=1)
    k = check_int("k", k, minimum=1)
    m = check_int("m", m, minimum=1)
    p_active = check_real("p_active", p_active, minimum=0.0, strict=True)
    if p_active > 1:
        _fail("p_active", p_active, "a finite number > 0 and <= 1")
    seed = check_seed("seed", seed)
    gen = _generator(seed, _STREAM_DATA)
    F = torch.randn(m, k, generator=gen, dtype=torch.float64)
    F = (F / F.norm(dim=0, keepdim=True)).float()
    active = torch.rand(n, k, generator=gen, dtype=torch.float64) < p_active
    magnitude = 1 - torch.rand(n, k, generator=gen, dtype=torch.float64)
    a = torch.where(active, magnitude, 0.0).float()
    x = (a.double() @ F.double().T).float()
    return SparseData(x, a, F)


# --- the exact code of an orthonormal decoder ---------------------------------------------------

def derive_threshold() -> dict:
    r"""SymPy: the minimiser of :math:`(z - f)^2 + \lambda f` over :math:`f \ge 0`, and why the
    multi-dimensional problem reduces to it.

    The objective is convex in :math:`f` (second derivative 2). Its stationary point
    :math:`z - \lambda/2` is the minimiser where it is feasible, :math:`z > \lambda/2`; otherwise
    the derivative :math:`\lambda - 2z` at :math:`f = 0` is >= 0 and the minimiser is the
    boundary :math:`f = 0`. Assembled: ``Piecewise((z − λ/2, z > λ/2), (0, True))``, compared
    with :math:`\max(z - \lambda/2, 0)`, ReLU of the shifted input. The separation: for an
    orthogonal :math:`D` (a 2-D rotation by a symbol :math:`\varphi`),
    :math:`\lVert x - Df\rVert^2 - \lVert D^\top x - f\rVert^2` simplifies to 0.

    Returns
    -------
    dict
        ``"objective"``, ``"stationary"`` (:math:`z - \lambda/2`), ``"condition"`` (where it is
        feasible, :math:`z > \lambda/2`), ``"boundary_slope"`` (the derivative at 0,
        :math:`\lambda - 2z`), ``"second_derivative"`` (2), ``"minimiser"`` (the
        ``sympy.Piecewise``), ``"relu"`` (:math:`\max(z - \lambda/2, 0)`), ``"equal"``
        (``True`` when SymPy simplifies their difference to 0), ``"minimum"`` (the objective at
        the minimiser, a ``Piecewise``), ``"separation"`` (the simplified difference for the
        rotation), ``"separates"`` (``True`` when it is 0) and ``"symbols"``,
        ``(z, lambda, f)``.
    """
    z, f = sp.symbols("z f", real=True)
    lam = sp.Symbol("lambda", positive=True)
    objective = (z - f) ** 2 + lam * f
    (stationary,) = sp.solve(sp.diff(objective, f), f)
    condition = sp.solve(stationary > 0, z)                     # feasible interior point
    boundary_slope = sp.diff(objective, f).subs(f, 0)           # >= 0 exactly where not
    minimiser = sp.Piecewise((stationary, condition), (0, True))
    relu = sp.Max(z - lam / 2, 0)
    equal = sp.simplify((minimiser - relu.rewrite(sp.Piecewise)).rewrite(sp.Piecewise)) == 0
    minimum = sp.piecewise_fold(objective.subs(f, minimiser))
    phi = sp.Symbol("phi", real=True)
    x = sp.Matrix(sp.symbols("x1 x2", real=True))
    fv = sp.Matrix(sp.symbols("f1 f2", real=True))
    D = sp.Matrix([[sp.cos(phi), -sp.sin(phi)], [sp.sin(phi), sp.cos(phi)]])
    separation = sp.simplify(((x - D * fv).T * (x - D * fv))[0]
                             - ((D.T * x - fv).T * (D.T * x - fv))[0])
    return {"objective": objective, "stationary": stationary, "condition": condition,
            "boundary_slope": boundary_slope, "second_derivative": sp.diff(objective, f, 2),
            "minimiser": minimiser, "relu": relu, "equal": bool(equal), "minimum": minimum,
            "separation": separation, "separates": separation == 0, "symbols": (z, lam, f)}


def threshold_code(x, D, lam: float) -> np.ndarray:
    r"""The exact non-negative L1 code of an orthonormal decoder: :math:`\mathrm{ReLU}(D^\top x
    - \lambda/2)`.

    The minimiser of :math:`\lVert x - Df\rVert^2 + \lambda\sum_i f_i` over :math:`f \ge 0`
    when :math:`D^\top D = I` (see the module); for another ``D`` only an approximation.
    Nothing is checked about ``D``.

    Parameters
    ----------
    x : array_like
        Inputs, ``(n, m)``, one per row.
    D : array_like
        The decoder, ``(m, h)``.
    lam : float
        The penalty λ, a finite number >= 0.

    Returns
    -------
    numpy.ndarray
        The codes, float64, ``(n, h)``.

    Raises
    ------
    ValueError
        When ``lam`` is not a finite number >= 0 (the message names it).
    """
    lam = check_real("lam", lam, minimum=0.0)
    x = np.asarray(x, dtype=np.float64)
    D = np.asarray(D, dtype=np.float64)
    return np.maximum(x @ D - lam / 2, 0.0)


def _code_objective(x: np.ndarray, D: np.ndarray, lam: float):
    """``f ↦ Σ_points ‖x − Df‖² + λΣf`` and its gradient, on the flat ``(n·h,)`` codes."""
    n, h = len(x), D.shape[1]

    def fun(flat):
        f = flat.reshape(n, h)
        r = f @ D.T - x
        return float((r * r).sum() + lam * f.sum()), (2 * r @ D + lam).ravel()

    return fun


def numerical_code(x, D, lam: float, start=None) -> dict:
    r"""The non-negative L1 code by a generic bounded minimiser (SciPy's L-BFGS-B).

    Minimises :math:`\sum_j \lVert x_j - Df_j\rVert^2 + \lambda\sum_{j,i} f_{ji}` over all codes
    :math:`f \ge 0` at once (the points do not interact), with the exact gradient, from
    ``start``, until the projected gradient's largest component is below :data:`PGTOL` or the
    objective no longer decreases at all (``ftol=0``). Knows nothing of the closed form, and
    works for any ``D``.

    Parameters
    ----------
    x : array_like
        Inputs, ``(n, m)``.
    D : array_like
        The decoder, ``(m, h)``.
    lam : float
        The penalty λ, a finite number >= 0.
    start : array_like or None, optional
        The starting codes, ``(n, h)`` (SciPy projects them on f >= 0). Default ``None``:
        zeros.

    Returns
    -------
    dict
        ``"code"`` (float64, ``(n, h)``), ``"projected_gradient"`` (the largest component of
        :math:`P(f - \nabla g) - f` at the result, recomputed here; with :math:`D^\top D = I`
        it bounds the distance to the minimiser, see :func:`check_threshold`), ``"objective"``,
        ``"iterations"`` and ``"message"`` (SciPy's).

    Raises
    ------
    ValueError
        When ``lam`` is not a finite number >= 0 (the message names it).
    """
    lam = check_real("lam", lam, minimum=0.0)
    x = np.asarray(x, dtype=np.float64)
    D = np.asarray(D, dtype=np.float64)
    n, h = len(x), D.shape[1]
    start = np.zeros(n * h) if start is None else np.asarray(start, dtype=np.float64).ravel()
    fun = _code_objective(x, D, lam)
    res = scipy.optimize.minimize(fun, start, jac=True, method="L-BFGS-B",
                                  bounds=[(0.0, None)] * (n * h),
                                  options={"ftol": 0.0, "gtol": PGTOL, "maxiter": 10_000,
                                           "maxls": 50})
    value, grad = fun(res.x)
    pg = np.maximum(res.x - grad, 0.0) - res.x
    return {"code": res.x.reshape(n, h), "projected_gradient": float(np.abs(pg).max()),
            "objective": value, "iterations": int(res.nit), "message": str(res.message)}


def _orthonormal(m: int, h: int, gen: torch.Generator) -> np.ndarray:
    """An ``m × h`` matrix with orthonormal columns: Q of a Gaussian matrix's QR."""
    q, r = np.linalg.qr(torch.randn(m, h, generator=gen, dtype=torch.float64).numpy())
    return q * np.sign(np.diag(r))


def check_threshold(m: int = CHECK_M, h: int = CHECK_H, lam: float = CHECK_LAMBDA,
                    points: int = CHECK_POINTS, seed: int = 0) -> Check:
    r"""Check: with an orthonormal decoder the L1 code is :math:`\mathrm{ReLU}(D^\top x -
    \lambda/2)`.

    From a private generator (seeded from ``seed``): a decoder :math:`D` (``m × h``) with
    orthonormal columns (QR of a Gaussian matrix), ``points`` inputs :math:`x \sim N(0, I_m)`
    (so :math:`z = D^\top x \sim N(0, I_h)`), and a starting code uniform on [0, 1). The closed
    form :func:`threshold_code` is compared with (a) :func:`numerical_code` from that start and
    (b) the one-dimensional minimiser of :func:`derive_threshold`, lambdified and applied to
    every :math:`z`. Measured: the larger of the two largest absolute differences, against
    :data:`TOL_THRESHOLD`.

    Why the numerical minimiser is that close: with :math:`D^\top D = I` the Hessian is
    :math:`2I`, and the minimiser is the projected step :math:`P(f - \nabla g(f)/2)` from any
    :math:`f`. The projected step's length :math:`\lVert P(f - t\nabla g) - f\rVert` grows with
    :math:`t` (per coordinate: the projection on :math:`[0, \infty)` is separable), so
    :math:`|f_i - f^*_i| \le |P(f - \nabla g)_i - f_i|`: the distance is at most the projected
    gradient that stops L-BFGS-B (:data:`PGTOL`), recomputed at the result and returned. For
    contrast, ``values["non_orthonormal_gap"]``: the same comparison for a decoder of
    normalised Gaussian columns, not orthogonal, where the closed form is not the minimiser.

    Parameters
    ----------
    m : int, optional
        Dimensions, >= 1. Default :data:`CHECK_M`, ``8``.
    h : int, optional
        Code units, from 1 to ``m``. Default :data:`CHECK_H`, ``6``.
    lam : float, optional
        The penalty λ, a finite number > 0. Default :data:`CHECK_LAMBDA`, ``0.5``.
    points : int, optional
        Inputs, >= 1. Default :data:`CHECK_POINTS`, ``1000``.
    seed : int, optional
        Seed of the draws, an integer in ``[0, 2**32)``. Default ``0``.

    Returns
    -------
    regcore.theory.check.Check
        The largest difference; ``values`` holds ``"numerical_gap"`` and ``"sympy_gap"`` (the
        two differences), ``"projected_gradient"`` (the bound on the numerical gap),
        ``"objective_gap"`` (the numerical result's objective minus the closed form's, >= 0 up
        to rounding), ``"kkt"`` (the closed form's largest violation of the optimality
        conditions: :math:`|2(f_i - z_i) + \lambda|` where :math:`f_i > 0`,
        :math:`\max(0, 2z_i - \lambda)` where :math:`f_i = 0`), ``"zero_fraction"`` (of the
        closed-form code), ``"iterations"``, ``"non_orthonormal_gap"``, ``"closed"`` and
        ``"numerical"`` (the codes), ``"D"``, ``"x"``, ``"m"``, ``"h"``, ``"lam"``,
        ``"points"`` and ``"seconds"``.

    Raises
    ------
    ValueError
        When ``m``, ``h``, ``lam``, ``points`` or ``seed`` is not allowed (the message names it).
    """
    m = check_int("m", m, minimum=1)
    h = check_int("h", h, minimum=1)
    if h > m:
        _fail("h", h, f"an integer from 1 to m = {m} (at most m orthonormal columns)")
    lam = check_real("lam", lam, minimum=0.0, strict=True)
    points = check_int("points", points, minimum=1)
    seed = check_seed("seed", seed)
    start_time = time.perf_counter()
    gen = _generator(seed, _STREAM_CHECK)
    D = _orthonormal(m, h, gen)
    x = torch.randn(points, m, generator=gen, dtype=torch.float64).numpy()
    start = torch.rand(points, h, generator=gen, dtype=torch.float64).numpy()
    closed = threshold_code(x, D, lam)
    num = numerical_code(x, D, lam, start)
    numerical_gap = float(np.abs(num["code"] - closed).max())
    d = derive_threshold()
    z_sym, lam_sym, _ = d["symbols"]
    one_d = np.vectorize(sp.lambdify((z_sym, lam_sym), d["minimiser"], "math"), otypes=[float])
    z = x @ D
    sympy_gap = float(np.abs(one_d(z, lam) - closed).max()) if d["equal"] else float("inf")
    fun = _code_objective(x, D, lam)
    grad = (2 * (closed - z) + lam)
    kkt = float(np.where(closed > 0, np.abs(grad), np.maximum(0.0, -grad)).max())
    # contrast: unit columns that are not orthogonal
    G = torch.randn(m, h, generator=gen, dtype=torch.float64).numpy()
    G /= np.linalg.norm(G, axis=0)
    contrast = numerical_code(x, G, lam, start)
    non_orthonormal_gap = float(np.abs(contrast["code"] - threshold_code(x, G, lam)).max())
    return Check("L1 code of an orthonormal decoder = ReLU(Dᵀx − λ/2) (L-BFGS-B, SymPy)",
                 max(numerical_gap, sympy_gap), TOL_THRESHOLD,
                 f"the minimiser's stopping rule: projected gradient < {PGTOL:g}, which bounds "
                 "the distance for Hessian 2I, plus float64 rounding, with a margin",
                 {"numerical_gap": numerical_gap, "sympy_gap": sympy_gap,
                  "projected_gradient": num["projected_gradient"],
                  "objective_gap": num["objective"] - fun(closed.ravel())[0], "kkt": kkt,
                  "zero_fraction": float((closed == 0).mean()), "iterations": num["iterations"],
                  "non_orthonormal_gap": non_orthonormal_gap,
                  "non_orthonormal_iterations": contrast["iterations"],
                  "non_orthonormal_projected_gradient": contrast["projected_gradient"],
                  "closed": closed,
                  "numerical": num["code"], "D": D, "x": x, "m": m, "h": h, "lam": lam,
                  "points": points, "seconds": time.perf_counter() - start_time})


# --- recovery ------------------------------------------------------------------------------------

def mmcs(decoder, F) -> float:
    r"""Mean max cosine similarity: how well the decoder's columns recover the true directions.

    For each column :math:`F_j`, the largest cosine :math:`\max_i \cos(F_j, D_i)` over the
    decoder's columns :math:`D_i`, averaged over :math:`j` (Sharkey, Braun & Millidge 2022). The
    cosine is signed: a column pointing away from a feature does not recover it (the codes are
    non-negative). 1 exactly when every feature has a decoder column along it. Computed in
    float64.

    Parameters
    ----------
    decoder : array_like or torch.Tensor
        The decoder, ``(m, h)``, one direction per column, none zero.
    F : array_like or torch.Tensor
        The true directions, ``(m, k)``, none zero.

    Returns
    -------
    float
        The MMCS, in [-1, 1].

    Raises
    ------
    ValueError
        When ``decoder`` or ``F`` is not a finite 2-D array with non-zero columns, or their
        numbers of rows differ (the message names it).
    """
    D = _columns("decoder", decoder)
    F = _columns("F", F)
    if F.shape[0] != D.shape[0]:
        raise ValueError(f"F of shape {F.shape} is not allowed: F must have {D.shape[0]} rows, "
                         "as many as decoder")
    return float(_max_cosines(D[None], F[None])[0].mean())


def _as_array(t) -> np.ndarray:
    if isinstance(t, torch.Tensor):
        t = t.detach().cpu()
    return np.asarray(t, dtype=np.float64)


def _columns(name: str, value) -> np.ndarray:
    """``value`` as a finite float64 ``(rows, columns)`` array with no zero column."""
    try:
        arr = _as_array(value)
    except (TypeError, ValueError):
        arr = None
    if (arr is None or arr.ndim != 2 or 0 in arr.shape or not np.all(np.isfinite(arr))
            or np.any(np.linalg.norm(arr, axis=0) == 0)):
        shape = getattr(arr, "shape", None)
        raise ValueError(f"{name} of shape {shape} is not allowed: {name} must be a finite 2-D "
                         "array (m, columns) with no zero column")
    return arr


def _max_cosines(D: np.ndarray, F: np.ndarray) -> np.ndarray:
    """For stacks ``D`` (S, m, h) and ``F`` (S, m, k): each feature's largest cosine, (S, k)."""
    D = D / np.linalg.norm(D, axis=1, keepdims=True)
    F = F / np.linalg.norm(F, axis=1, keepdims=True)
    return (np.swapaxes(F, 1, 2) @ D).max(-1)


@dataclass(frozen=True, eq=False)
class AutoencoderResult:
    """One trained sparse autoencoder (:func:`train_autoencoder`); CPU float32 tensors.

    Attributes
    ----------
    encoder : torch.Tensor
        :math:`W_e`, ``(h, m)``.
    encoder_bias : torch.Tensor
        :math:`b_e`, ``(h,)``.
    decoder : torch.Tensor
        :math:`W_d`, ``(m, h)``, unit columns (renormalised after every step).
    decoder_bias : torch.Tensor
        :math:`b_d`, ``(m,)``.
    loss : torch.Tensor
        The penalised loss of every step's minibatch, before the step, ``(steps,)``.
    reconstruction : torch.Tensor
        Its reconstruction part, the minibatch's mean :math:`\\lVert x - \\hat x\\rVert^2`,
        ``(steps,)``.
    l1_code : float
        The code penalty λ.
    l1_weights : float
        The encoder-weight penalty λ_w.
    seed : int
        The training seed (initial weights and minibatches).
    seconds : float
        Wall-clock time of the training run (of the whole stack it was trained in).
    """

    encoder: torch.Tensor
    encoder_bias: torch.Tensor
    decoder: torch.Tensor
    decoder_bias: torch.Tensor
    loss: torch.Tensor
    reconstruction: torch.Tensor
    l1_code: float
    l1_weights: float
    seed: int
    seconds: float

    def code(self, x: torch.Tensor) -> torch.Tensor:
        """The code :math:`\\mathrm{ReLU}(W_e x + b_e)` of each row of ``x``.

        Parameters
        ----------
        x : torch.Tensor
            Inputs, ``(n, m)``.

        Returns
        -------
        torch.Tensor
            Codes, float32, ``(n, h)``.
        """
        x = torch.as_tensor(x).detach().to("cpu", torch.float32)
        return torch.relu(torch.addmm(self.encoder_bias, x, self.encoder.T))

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """The reconstruction :math:`W_d f + b_d` of each row of ``x``.

        Parameters
        ----------
        x : torch.Tensor
            Inputs, ``(n, m)``.

        Returns
        -------
        torch.Tensor
            Reconstructions, float32, ``(n, m)``.
        """
        return torch.addmm(self.decoder_bias, self.code(x), self.decoder.T)


@dataclass(frozen=True, eq=False)
class AutoencoderStack:
    """K sparse autoencoders trained together (:func:`train_autoencoders`); CPU tensors.

    Attributes
    ----------
    encoder : torch.Tensor
        ``(K, h, m)``.
    encoder_bias : torch.Tensor
        ``(K, h)``.
    decoder : torch.Tensor
        ``(K, m, h)``, unit columns.
    decoder_bias : torch.Tensor
        ``(K, m)``.
    initial_decoder : torch.Tensor
        The decoders before training, ``(K, m, h)``: random unit columns.
    loss : torch.Tensor
        Each member's minibatch loss at every step, ``(K, steps)``.
    reconstruction : torch.Tensor
        Its reconstruction part, ``(K, steps)``.
    l1_code : numpy.ndarray
        Each member's λ, ``(K,)``.
    l1_weights : numpy.ndarray
        Each member's λ_w, ``(K,)``.
    seeds : numpy.ndarray
        Each member's training seed, ``(K,)``.
    data_index : numpy.ndarray
        Each member's data set (an index into the stack of inputs), ``(K,)``.
    seconds : float
        Wall-clock time of the training.
    """

    encoder: torch.Tensor
    encoder_bias: torch.Tensor
    decoder: torch.Tensor
    decoder_bias: torch.Tensor
    initial_decoder: torch.Tensor
    loss: torch.Tensor
    reconstruction: torch.Tensor
    l1_code: np.ndarray
    l1_weights: np.ndarray
    seeds: np.ndarray
    data_index: np.ndarray
    seconds: float

    def member(self, i: int) -> AutoencoderResult:
        """Member ``i`` as an :class:`AutoencoderResult`.

        Parameters
        ----------
        i : int
            The member, ``0 <= i < K``.

        Returns
        -------
        AutoencoderResult
            Its parameters and histories (views of this stack's tensors).
        """
        return AutoencoderResult(self.encoder[i], self.encoder_bias[i], self.decoder[i],
                                 self.decoder_bias[i], self.loss[i], self.reconstruction[i],
                                 float(self.l1_code[i]), float(self.l1_weights[i]),
                                 int(self.seeds[i]), self.seconds)


def _inputs(x) -> torch.Tensor:
    """``x`` as a finite float32 CPU tensor ``(S, n, m)`` (a 2-D ``x`` is one data set)."""
    try:
        t = torch.as_tensor(x).detach().to("cpu", torch.float32)
    except (TypeError, ValueError, RuntimeError):
        t = None
    if t is not None and t.ndim == 2:
        t = t[None]
    if t is None or t.ndim != 3 or 0 in t.shape or not bool(torch.isfinite(t).all()):
        raise ValueError(f"x of shape {getattr(t, 'shape', None)} is not allowed: x must be a "
                         "finite tensor (n, m), or a stack of data sets (S, n, m)")
    return t


def _per_member(name: str, values, check) -> tuple:
    values = check_sequence(name, values, "a non-empty sequence")
    return tuple(check(f"{name}[{i}]", v) for i, v in enumerate(values))


def train_autoencoders(x, hidden: int, l1_code, l1_weights, seeds, data_index=None,
                       lr: float = LR, steps: int = STEPS, batch: int = BATCH,
                       device: str = "cpu") -> AutoencoderStack:
    r"""Train K sparse autoencoders at once, one stack of parameters and batched products.

    Member :math:`i` minimises, over minibatches of its data set, :math:`\frac1B\sum_b
    \lVert x_b - \hat x_b\rVert^2 + \lambda_i \frac1B\sum_b \lVert f_b\rVert_1 +
    \lambda_{w,i}\lVert W_e\rVert_1` with :math:`f = \mathrm{ReLU}(W_e x + b_e)` and
    :math:`\hat x = W_d f + b_d`, by Adam (regcore's :class:`~regcore.optim.FlatOptimizer`,
    torch's update rule, elementwise, so the members do not interact), and after every step
    divides each column of :math:`W_d` by its norm. The members' gradients are those of the sum
    of their losses; each member's depends on its own parameters and data only.

    Seeding: member :math:`i`'s initial decoder has standard-normal entries, columns normalised,
    from a private generator seeded from ``seeds[i]`` (its own stream), and its encoder starts
    as the decoder's transpose (tied), both biases at 0. Its minibatches are ``batch`` rows
    drawn uniformly with replacement from another stream of ``seeds[i]``, the same for members
    of the same seed (paired comparisons across λ). Float32 throughout; the draws are made on
    the CPU, so they do not depend on ``device``. The same arguments give the same bits (on one
    device and thread count); on the CPU a member's results are also those of its run alone.

    Parameters
    ----------
    x : torch.Tensor or array_like
        Inputs ``(n, m)``, or a stack of data sets ``(S, n, m)``, finite; used in float32.
    hidden : int
        Code units h, >= 1.
    l1_code : sequence of float
        λ of each member, finite numbers >= 0; its length is the number of members K.
    l1_weights : sequence of float
        λ_w of each member, finite numbers >= 0, K of them.
    seeds : sequence of int
        Training seed of each member, integers in ``[0, 2**32)``, K of them.
    data_index : sequence of int or None, optional
        Data set of each member, integers in ``[0, S)``, K of them. Default ``None``: all 0.
    lr : float, optional
        Adam's learning rate, > 0. Default :data:`LR`, ``0.01``.
    steps : int, optional
        Training steps, >= 1. Default :data:`STEPS`, ``2000``.
    batch : int, optional
        Minibatch rows, >= 1. Default :data:`BATCH`, ``64``.
    device : str, optional
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``. Default ``"cpu"``.

    Returns
    -------
    AutoencoderStack
        The trained parameters and loss histories, on the CPU.

    Raises
    ------
    ValueError
        When an argument is not allowed, or the per-member sequences differ in length (the
        message names it).
    RuntimeError
        When a member's loss became NaN or infinite.
    """
    X = _inputs(x)
    hidden = check_int("hidden", hidden, minimum=1)
    l1_code = _per_member("l1_code", l1_code, lambda n, v: check_real(n, v, minimum=0.0))
    K = len(l1_code)
    l1_weights = _per_member("l1_weights", l1_weights, lambda n, v: check_real(n, v, minimum=0.0))
    seeds = _per_member("seeds", seeds, check_seed)
    S = X.shape[0]
    data_index = (0,) * K if data_index is None else _per_member(
        "data_index", data_index, lambda n, v: _index(n, v, S))
    for name, values in (("l1_weights", l1_weights), ("seeds", seeds),
                         ("data_index", data_index)):
        if len(values) != K:
            _fail(name, values, f"a sequence of {K} values, one per member (as l1_code)")
    lr = check_setting("lr", lr)
    steps = check_int("steps", steps, minimum=1)
    batch = check_int("batch", batch, minimum=1)
    dev = _device(device)
    _, n, m = X.shape
    h = hidden
    start = time.perf_counter()
    # the flat layout of a member: W_e (h·m), b_e (h), W_d (m·h), b_d (m)
    o1, o2, o3 = h * m, h * m + h, 2 * h * m + h
    theta = torch.zeros(K, o3 + m)
    for i, s in enumerate(seeds):
        D = torch.randn(m, h, generator=_generator(s, _STREAM_INIT), dtype=torch.float64)
        D = (D / D.norm(dim=0, keepdim=True)).float()
        theta[i, :o1] = D.T.reshape(-1)
        theta[i, o2:o3] = D.reshape(-1)
    initial_decoder = theta[:, o2:o3].view(K, m, h).clone()
    theta = theta.to(dev)
    X = X.to(dev)
    lc = torch.tensor(l1_code, dtype=torch.float32, device=dev)
    lw = torch.tensor(l1_weights, dtype=torch.float32, device=dev)
    weighted = any(l1_weights)
    rows = torch.tensor(data_index, device=dev)[:, None]
    opt = FlatOptimizer("adam", lr)
    gens = {s: _generator(s, _STREAM_BATCHES) for s in sorted(set(seeds))}
    loss_hist = torch.empty(steps, K, device=dev)
    rec_hist = torch.empty(steps, K, device=dev)
    We_, be_, Wd_, bd_ = (theta[:, :o1].view(K, h, m), theta[:, o1:o2].view(K, 1, h),
                          theta[:, o2:o3].view(K, m, h), theta[:, o3:].view(K, 1, m))
    for t0 in range(0, steps, INDEX_CHUNK):
        c = min(INDEX_CHUNK, steps - t0)
        drawn = {s: torch.randint(n, (c, batch), generator=g) for s, g in gens.items()}
        idx = torch.stack([drawn[s] for s in seeds], 1).to(dev)       # (c, K, batch)
        for t in range(c):
            xb = X[rows, idx[t]]                                     # (K, batch, m)
            th = theta.detach().requires_grad_(True)
            We, be = th[:, :o1].view(K, h, m), th[:, o1:o2].view(K, 1, h)
            Wd, bd = th[:, o2:o3].view(K, m, h), th[:, o3:].view(K, 1, m)
            f = torch.relu(torch.baddbmm(be, xb, We.transpose(1, 2)))
            xh = torch.baddbmm(bd, f, Wd.transpose(1, 2))
            rec = ((xh - xb) ** 2).sum(-1).mean(-1)
            loss = rec + lc * f.sum(-1).mean(-1)                       # f >= 0: ‖f‖₁ = Σf
            if weighted:
                loss = loss + lw * We.abs().sum((1, 2))
            (grad,) = torch.autograd.grad(loss.sum(), th)
            with torch.no_grad():
                opt.step(theta, grad)
                Wd_.div_(Wd_.norm(dim=1, keepdim=True))
                loss_hist[t0 + t] = loss
                rec_hist[t0 + t] = rec
    loss_hist, rec_hist = loss_hist.T.cpu(), rec_hist.T.cpu()
    bad = ~torch.isfinite(loss_hist[:, -1])
    if bool(bad.any()):
        raise RuntimeError(f"training diverged for members {bad.nonzero()[:, 0].tolist()}: "
                           "their last loss is not finite (lower lr or the penalty)")
    theta = theta.cpu()
    return AutoencoderStack(theta[:, :o1].view(K, h, m), theta[:, o1:o2].view(K, h),
                            theta[:, o2:o3].view(K, m, h), theta[:, o3:].view(K, m),
                            initial_decoder, loss_hist, rec_hist, np.asarray(l1_code),
                            np.asarray(l1_weights), np.asarray(seeds), np.asarray(data_index),
                            time.perf_counter() - start)


def _index(name: str, value, size: int) -> int:
    value = check_int(name, value, minimum=0)
    if value >= size:
        _fail(name, value, f"an integer from 0 to {size - 1} (an index into the {size} data sets)")
    return value


def train_autoencoder(x, hidden: int = HIDDEN, l1_code: float = 0.0, l1_weights: float = 0.0,
                      lr: float = LR, steps: int = STEPS, batch: int = BATCH, seed: int = 0,
                      device: str = "cpu") -> AutoencoderResult:
    r"""Train one sparse autoencoder with an L1 penalty on its code (or its encoder's weights).

    :func:`train_autoencoders` with one member: code :math:`f = \mathrm{ReLU}(W_e x + b_e)`,
    reconstruction :math:`\hat x = W_d f + b_d`, loss
    :math:`\mathrm{mean}\lVert x - \hat x\rVert^2 + \lambda\,\mathrm{mean}\lVert f\rVert_1 +
    \lambda_w\lVert W_e\rVert_1` on minibatches of ``batch`` rows, Adam, the decoder's columns
    renormalised to unit norm after every step.

    Parameters
    ----------
    x : torch.Tensor or array_like
        Inputs, ``(n, m)``, finite, e.g. ``make_sparse_data().x``.
    hidden : int, optional
        Code units h, >= 1. Default :data:`HIDDEN`, ``16``.
    l1_code : float, optional
        λ, the L1 penalty on the code, >= 0. Default ``0.0``.
    l1_weights : float, optional
        λ_w, the L1 penalty on the encoder's weights, >= 0. Default ``0.0``.
    lr : float, optional
        Adam's learning rate, > 0. Default :data:`LR`, ``0.01``.
    steps : int, optional
        Training steps, >= 1. Default :data:`STEPS`, ``2000``.
    batch : int, optional
        Minibatch rows, >= 1. Default :data:`BATCH`, ``64``.
    seed : int, optional
        Training seed (initial weights and minibatches), an integer in ``[0, 2**32)``.
        Default ``0``.
    device : str, optional
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``. Default ``"cpu"``.

    Returns
    -------
    AutoencoderResult
        Decoder ``(m, h)``, encoder ``(h, m)``, biases, loss histories and seconds.

    Raises
    ------
    ValueError
        When an argument is not allowed (the message names it).
    RuntimeError
        When the loss became NaN or infinite.
    """
    x = _inputs(x)
    if x.shape[0] != 1:
        raise ValueError(f"x of shape {tuple(x.shape)} is not allowed: x must be 2-D, (n, m)")
    for name, value in (("l1_code", l1_code), ("l1_weights", l1_weights)):
        check_real(name, value, minimum=0.0)
    seed = check_seed("seed", seed)
    return train_autoencoders(x, hidden, (l1_code,), (l1_weights,), (seed,), None, lr, steps,
                              batch, device).member(0)


@torch.no_grad()
def evaluate_stack(stack: AutoencoderStack, x) -> dict:
    r"""Each member of a stack on all of its data set: reconstruction, code sparsity, dead units.

    Parameters
    ----------
    stack : AutoencoderStack
        The trained members.
    x : torch.Tensor or array_like
        The inputs they were trained on, ``(n, m)`` or ``(S, n, m)``.

    Returns
    -------
    dict
        Arrays ``(K,)``: ``"mse"`` (mean :math:`\lVert x - \hat x\rVert^2` over the points),
        ``"mse_rel"`` (that over the mean :math:`\lVert x\rVert^2`, the fraction of the
        signal not reconstructed), ``"l0"`` (mean number of active code units per input),
        ``"active_fraction"`` (that over h), ``"l1"`` (mean :math:`\lVert f\rVert_1`) and
        ``"dead"`` (fraction of units active on no input).

    Raises
    ------
    ValueError
        When ``x`` is not allowed or does not match the stack (the message names it).
    """
    X = _inputs(x)
    if X.shape[-1] != stack.decoder.shape[1] or int(stack.data_index.max()) >= X.shape[0]:
        raise ValueError(f"x of shape {tuple(X.shape)} is not allowed: x must be the data the "
                         "stack was trained on")
    xs = X[torch.as_tensor(stack.data_index)]
    f = torch.relu(torch.baddbmm(stack.encoder_bias[:, None], xs, stack.encoder.transpose(1, 2)))
    xh = torch.baddbmm(stack.decoder_bias[:, None], f, stack.decoder.transpose(1, 2))
    mse = ((xh.double() - xs.double()) ** 2).sum(-1).mean(-1)
    l0 = (f > 0).double().sum(-1).mean(-1)
    return {"mse": mse.numpy(), "mse_rel": (mse / (xs.double() ** 2).sum(-1).mean(-1)).numpy(),
            "l0": l0.numpy(), "active_fraction": (l0 / f.shape[-1]).numpy(),
            "l1": f.double().sum(-1).mean(-1).numpy(),
            "dead": (~(f > 0).any(1)).double().mean(-1).numpy()}


def recovery_study(lambdas=LAMBDAS, seeds: int = SEEDS, weight_lambdas=WEIGHT_LAMBDAS,
                   k: int = K_FEATURES, m: int = M_DIMS, hidden: int = HIDDEN,
                   n: int = N_POINTS, p_active: float = P_ACTIVE, lr: float = LR,
                   steps: int = STEPS, batch: int = BATCH, device: str = "cpu") -> dict:
    r"""Feature recovery against the code penalty λ, with λ = 0 and L1 on weights for contrast.

    For each seed :math:`s` in ``range(seeds)``: the data ``make_sparse_data(n, k, m, p_active,
    seed=s)``, and autoencoders of ``hidden`` units trained with training seed :math:`s` (so
    the same initial weights and minibatches for every penalty of a seed: paired) at each λ of
    ``lambdas``, at λ = 0, and with L1 on the encoder's weights at each λ_w of
    ``weight_lambdas`` — all in one :func:`train_autoencoders` stack. Each is scored on its
    whole data set (:func:`evaluate_stack`; the data are fresh draws of a known distribution and the
    model has ``2hm + h + m`` parameters for ``n`` points, so the training set stands for it)
    and by :func:`mmcs` of its decoder against its data's :math:`F`.

    Parameters
    ----------
    lambdas : sequence of float, optional
        Code penalties λ, finite numbers > 0. Default :data:`LAMBDAS`.
    seeds : int, optional
        Seeds 0 to ``seeds - 1``; >= 1. Default :data:`SEEDS`, ``20``.
    weight_lambdas : sequence of float, optional
        Encoder-weight penalties λ_w, finite numbers > 0; may be empty. Default
        :data:`WEIGHT_LAMBDAS`.
    k, m, hidden, n, p_active : optional
        The data's and the model's sizes, as in :func:`make_sparse_data` and
        :func:`train_autoencoder`. Defaults :data:`K_FEATURES`, :data:`M_DIMS`,
        :data:`HIDDEN`, :data:`N_POINTS`, :data:`P_ACTIVE`.
    lr, steps, batch : optional
        Training, as in :func:`train_autoencoder`. Defaults :data:`LR`, :data:`STEPS`,
        :data:`BATCH`.
    device : str, optional
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``. Default ``"cpu"``.

    Returns
    -------
    dict
        For L1 on the code, arrays ``(seeds, len(lambdas))``: ``"mmcs"``, ``"mse"``,
        ``"mse_rel"``, ``"l0"``, ``"active_fraction"``, ``"dead"`` and ``"final_loss"`` (mean
        minibatch loss over the last 100 steps); the same keys prefixed ``"none_"`` for λ = 0,
        ``(seeds,)``, and ``"weights_"`` for L1 on the weights, ``(seeds,
        len(weight_lambdas))``; ``"initial_mmcs"`` ``(seeds,)`` (the untrained random decoder,
        the baseline), ``"true_l0"`` ``(seeds,)`` (mean number of active features per input),
        ``"true_mse"`` ``(seeds,)`` (mean :math:`\lVert x\rVert^2`), ``"lambdas"``,
        ``"weight_lambdas"``, ``"seeds"``, ``"sizes"`` (a dict of k, m, hidden, n, p_active,
        lr, steps, batch) and ``"seconds"`` (training time).

    Raises
    ------
    ValueError
        When an argument is not allowed (the message names it).
    RuntimeError
        When a member's loss became NaN or infinite.
    """
    lambdas = _penalties("lambdas", lambdas, min_len=1)
    weight_lambdas = _penalties("weight_lambdas", weight_lambdas, min_len=0)
    seeds = check_int("seeds", seeds, minimum=1)
    data = [make_sparse_data(n, k, m, p_active, seed=s) for s in range(seeds)]
    X = torch.stack([d.x for d in data])
    groups = [("code", lam, 0.0) for lam in lambdas] + [("none", 0.0, 0.0)] + \
             [("weights", 0.0, lw) for lw in weight_lambdas]
    per_seed = len(groups)
    members = [(s, g) for s in range(seeds) for g in groups]
    stack = train_autoencoders(X, hidden, [g[1] for _, g in members],
                               [g[2] for _, g in members], [s for s, _ in members],
                               [s for s, _ in members], lr, steps, batch, device)
    scores = evaluate_stack(stack, X)
    scores["final_loss"] = stack.loss[:, -min(100, steps):].double().mean(1).numpy()
    F = np.stack([d.F.double().numpy() for d in data])
    F_members = F[stack.data_index]
    scores["mmcs"] = _max_cosines(stack.decoder.double().numpy(), F_members).mean(-1)
    out = {}
    columns = {"code": slice(0, len(lambdas)), "none": len(lambdas),
               "weights": slice(len(lambdas) + 1, per_seed)}
    for group, prefix in (("code", ""), ("none", "none_"), ("weights", "weights_")):
        for key, values in scores.items():
            out[prefix + key] = values.reshape(seeds, per_seed)[:, columns[group]]
    init = stack.initial_decoder.double().numpy().reshape(seeds, per_seed, m, hidden)[:, 0]
    out["initial_mmcs"] = _max_cosines(init, F).mean(-1)
    out["true_l0"] = np.array([float((d.a > 0).double().sum(1).mean()) for d in data])
    out["true_mse"] = np.array([float((d.x.double() ** 2).sum(1).mean()) for d in data])
    out.update(lambdas=np.asarray(lambdas), weight_lambdas=np.asarray(weight_lambdas),
               seeds=seeds, seconds=stack.seconds,
               sizes={"k": k, "m": m, "hidden": hidden, "n": n, "p_active": p_active,
                      "lr": lr, "steps": steps, "batch": batch})
    return out


def _penalties(name: str, values, min_len: int) -> tuple:
    """A sequence of finite numbers > 0 (at least ``min_len``), as a tuple of floats."""
    values = check_sequence(name, values, "a sequence of finite numbers > 0", min_len=min_len)
    return tuple(check_real(f"{name}[{i}]", v, minimum=0.0, strict=True)
                 for i, v in enumerate(values))
