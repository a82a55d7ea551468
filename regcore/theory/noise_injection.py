"""Gaussian noise on a linear model's inputs is ridge regression on its weights (Tikhonov).

Chapter: "Noise injection is Tikhonov regularisation" (book/more/noise_injection.md). Bishop
(1995), "Training with noise is equivalent to Tikhonov regularization". Training on
``x̃ = x + ξ`` with ``ξ ~ N(0, s²I)`` drawn afresh at every
step (regcore's :attr:`~regcore.training.TrainSettings.input_noise`), a linear model's squared
error averaged over the noise is the clean squared error plus ``s²‖w‖²``, *exactly*: the cross
term vanishes because ξ has mean zero, and ``E[(w·ξ)²] = s²‖w‖²`` because its components are
independent. :func:`derive` obtains this, and the same identity for the gradients, with
``sympy.stats``. So the expected training loss is ``L(θ) + s²‖w‖²``: ridge on the weights with
the bias unpenalised, ``λ = 2s²`` in torch's convention (penalty ``(λ/2)‖w‖²``), minimised by
:func:`ridge_equivalent`. Why it matters: noise on the inputs is a regulariser whose strength
can be computed, not tuned. For a ReLU network the equivalence holds only to second order in
``s`` (the noise then also reaches the network's curvature), which is why the check here is on
the linear model.

The check (:func:`check_linear`): full-batch gradient descent with fresh noise at every step
(:func:`train_with_noise`, regcore's :func:`~regcore.training.fit`). Each step's gradient is
affine in θ and its average over the noise is the gradient of the expected loss, so the mean of
the iterates obeys the noise-free gradient descent on ``L + s²‖w‖²`` and settles at its
minimiser for any stable step; only the noise of a finite average of iterates remains, which
:data:`TOL_LINEAR` bounds.

For any model, :func:`noise_excess` measures by Monte Carlo how much the noise adds to the
training loss, ``E_ξ[(f(x + sξ) − y)²] − (f(x) − y)²`` averaged over the training points, and
sets it beside Bishop's leading term ``s² E‖∇ₓf‖²``. Antithetic pairs ``±ξ`` split the excess
into a *spread* part, the mean of ``(f(x ± sξ) − f(x))²``, and a *cross* part,
``(f − y)·(f(x + sξ) + f(x − sξ) − 2f(x))``, where the second-order expansion puts the residual
times the curvature. For the linear model the cross part is zero draw by draw and the spread's
mean is ``s²‖w‖²`` (:func:`check_linear_excess`); for a ReLU network the curvature lives on the
kinks, and the chapter measures how far the sum then strays from the Jacobian term.
"""
from __future__ import annotations

import copy
from dataclasses import replace

import numpy as np
import sympy as sp
import sympy.stats as st

import torch

from .._checks import check_int, check_real
from ..data import ToyData, make_data
from ..models import MLP, Linear, load_flat
from ..settings import check_setting
from ..training import FitResult, TrainSettings, fit
from ._common import batch_means_se, book_data, tail_mean
from .check import Check
from .quadratic import expected_test_mse, quadratic, theta_of

#: Standard deviation of the noise on each input in the check (the noise level).
S = 0.5
#: Learning rate of :func:`train_with_noise` (SGD, full batch: plain gradient descent).
LR = 0.01
#: Training epochs of :func:`train_with_noise`, one step each (full batch); the iterates of the
#: last half are averaged. ``fit`` takes ~1.1 ms per epoch here with float64 noise (~0.7 ms
#: without noise, 0.28 ms for the ``randn``), so 8000 epochs take ~8.6 s on one thread; 60,000
#: took 68 s for a relative distance of 0.18% (seed 0) instead of ~0.4%. The slowest mode of
#: the expected loss decays as exp(−lr·λ_min·t) with λ_min ≈ 0.97, so the first half is ample
#: burn-in (e^−39 by epoch 4000).
EPOCHS = 8_000
#: Validation points kept by :func:`train_with_noise`: ``fit`` validates every epoch, which this
#: check does not use; the first :data:`VAL_ROWS` of the split keep it cheap.
VAL_ROWS = 256
#: Tolerance of :func:`check_linear`, relative to ‖θ_ridge‖. What is left is the noise of an
#: average of 4000 correlated iterates (the bias is zero: the expected step is the noise-free
#: gradient step on L + s²‖w‖², see the module). Measured with the defaults over training seeds
#: 0–4: 0.356%, 0.385%, 0.368%, 0.325%, 0.421% (batch-means standard errors 0.34–0.39%); the
#: tolerance is the worst, 0.42%, times 2.4. Still sharp: the ridge solutions for s 5% off
#: (λ ±10%) lie 2.5% away, OLS 39% away.
TOL_LINEAR = 0.01
#: Noise levels at which :func:`noise_excess` compares the excess loss with the Jacobian term by
#: default: from far below the noise the chapter's MLP is trained with to as large as the inputs'
#: own spread (the inputs have unit variance).
EXPANSION_S = (0.01, 0.03, 0.1, 0.3, 1.0)
#: Antithetic pairs ``±ξ`` of noise draws (each a draw for every training point) per Monte Carlo
#: average of :func:`noise_excess`. For the linear model the excess relative to ``s²‖w‖²`` then has
#: a standard error of ``√(2/(n·pairs))``, 0.9% at n = 200 (a χ²₁ mean over n·pairs terms).
MC_PAIRS = 128
#: Tolerance of :func:`check_linear_excess`, in Monte Carlo standard errors. A mean of
#: 25,600 independent terms is normal to a good approximation, and beyond 4 standard errors it
#: strays with probability 6e-5, so the check does not fail by chance.
TOL_EXCESS_SE = 4.0


def derive() -> dict:
    r"""SymPy: the squared error averaged over Gaussian input noise, and its gradient.

    With ``sympy.stats``, three features (so that the vanishing cross terms of independent noise
    show) and :math:`\xi_i \sim N(0, s^2)` independent: the expectation of
    :math:`(\sum_i w_i(x_i + \xi_i) + b - y)^2` against the closed form
    :math:`(\sum_i w_ix_i + b - y)^2 + s^2\sum_i w_i^2`, and the expected gradient with respect
    to each :math:`w_i` and :math:`b` against the gradient of the closed form (for :math:`b`,
    that of the clean squared error: the bias is not penalised).

    Returns
    -------
    dict
        ``"expected"`` (the noise-averaged squared error, expanded), ``"closed"`` (the closed
        form), ``"clean"`` (the squared error without noise), ``"penalty"``
        (:math:`s^2\sum_i w_i^2`), ``"lam"`` (:math:`2s^2`, the strength in torch's convention
        :math:`\frac\lambda2\lVert w\rVert^2`), ``"equal"`` (``True`` when SymPy simplifies
        ``expected − closed`` to 0), ``"grad_expected"`` and ``"grad_closed"`` (lists over
        :math:`w_1, w_2, w_3, b`: the expected gradient and the gradient of the closed form),
        ``"grad_equal"`` (``True`` when every difference simplifies to 0), ``"noise"`` (the three
        random variables) and ``"symbols"``, ``(s, (w1, w2, w3), (x1, x2, x3), b, y)``.
    """
    s = sp.Symbol("s", positive=True)
    w = sp.symbols("w1:4", real=True)
    x = sp.symbols("x1:4", real=True)
    b, y = sp.symbols("b y", real=True)
    xi = [st.Normal(f"xi{i}", 0, s) for i in range(1, 4)]
    noisy = (sum(wi * (xj + ni) for wi, xj, ni in zip(w, x, xi)) + b - y) ** 2
    clean = (sum(wi * xj for wi, xj in zip(w, x)) + b - y) ** 2
    penalty = s ** 2 * sum(wi ** 2 for wi in w)
    closed = clean + penalty
    expected = sp.expand(st.E(sp.expand(noisy)))
    params = (*w, b)
    grad_expected = [sp.expand(st.E(sp.expand(sp.diff(noisy, p)))) for p in params]
    grad_closed = [sp.diff(closed, p) for p in params]
    return {"expected": expected, "closed": closed, "clean": clean, "penalty": penalty,
            "lam": 2 * s ** 2, "equal": bool(sp.simplify(expected - closed) == 0),
            "grad_expected": grad_expected, "grad_closed": grad_closed,
            "grad_equal": all(bool(sp.simplify(ge - gc) == 0)
                              for ge, gc in zip(grad_expected, grad_closed)),
            "noise": tuple(xi), "symbols": (s, w, x, b, y)}


def ridge_equivalent(data, s: float = S) -> tuple[np.ndarray, float]:
    r"""The exact minimiser of the noise-averaged training loss: ridge, the bias unpenalised.

    Minimises :math:`\frac1n\lVert Xw + b - y\rVert^2 + s^2\lVert w\rVert^2` in float64 (NumPy).
    Setting the derivative in :math:`b` to zero gives :math:`b = \bar y - \bar x\cdot w`; with it
    the derivative in :math:`w` vanishes where
    :math:`(X_c^\top X_c/n + s^2I)\,w = X_c^\top y_c/n`, for the centred :math:`X_c = X - \bar x`
    and :math:`y_c = y - \bar y`. At :math:`s = 0`, ordinary least squares with an intercept.

    Parameters
    ----------
    data : regcore.data.ToyData
        The draw; its training split defines the loss.
    s : float, optional
        Standard deviation of the input noise, a finite number >= 0. Default :data:`S`, ``0.5``.

    Returns
    -------
    tuple
        ``(w, b)``: the weights, a float64 array ``(dims,)``, and the bias, a float.

    Raises
    ------
    ValueError
        When ``s`` is not a finite number >= 0 (the message names it).
    """
    s = check_real("s", s, minimum=0.0)
    X = data.x_train.detach().cpu().double().numpy()
    y = data.y_train.detach().cpu().double().numpy().ravel()
    n = len(y)
    x_mean, y_mean = X.mean(0), y.mean()
    Xc, yc = X - x_mean, y - y_mean
    w = np.linalg.solve(Xc.T @ Xc / n + s ** 2 * np.eye(X.shape[1]), Xc.T @ yc / n)
    return w, float(y_mean - x_mean @ w)


def expected_loss(theta: np.ndarray, data, s: float = S) -> float:
    r"""The training loss averaged over the input noise, in closed form.

    :math:`L(\theta) + s^2\lVert w\rVert^2`, with :math:`L` the mean squared error on the
    training split and :math:`w` the weights (the bias is not penalised). ``s`` is not checked
    here.

    Parameters
    ----------
    theta : numpy.ndarray
        Parameters of the linear model, the weights then the bias, ``(dims + 1,)``.
    data : regcore.data.ToyData
        The draw; its training split defines the loss.
    s : float, optional
        Standard deviation of the input noise. Default :data:`S`, ``0.5``.

    Returns
    -------
    float
        The expected training loss.
    """
    theta = np.asarray(theta, dtype=np.float64)
    return quadratic(data).loss(theta) + s ** 2 * float(theta[:-1] @ theta[:-1])


def _train(data, s: float, lr: float, epochs: int, seed: int) -> FitResult:
    """The run behind :func:`train_with_noise`: its FitResult, a snapshot every epoch."""
    s = check_real("s", s, minimum=0.0)
    settings = TrainSettings(optimizer="sgd", lr=lr, epochs=epochs, input_noise=s, seed=seed,
                             snapshot_every=1)
    if not isinstance(data, ToyData):  # named here, before its validation split is cut
        raise ValueError(f"data={data!r} is not allowed: data must be a ToyData, e.g. "
                         "regcore.theory._common.book_data()")
    model = Linear(data.dims).to(data.x_train.dtype)
    small = replace(data, x_val=data.x_val[:VAL_ROWS], y_val=data.y_val[:VAL_ROWS])
    return fit(model, small, settings)


def train_with_noise(data, s: float = S, lr: float = LR, epochs: int = EPOCHS,
                     seed: int = 0) -> np.ndarray:
    r"""Train the linear model with input noise; return the mean of its late iterates.

    :class:`regcore.models.Linear` (init seed 42, in the data's dtype) is trained by
    :func:`regcore.training.fit` with SGD at full batch, so plain gradient descent, one step per
    epoch, and ``input_noise=s``: before every step the training inputs become
    :math:`x + s\xi` with fresh standard-normal :math:`\xi`. ``fit`` keeps a snapshot of the
    parameters after every epoch; what is averaged is the parameters after epochs
    :math:`\lfloor E/2\rfloor + 1, \dots, E` (the last half of the iterates; each snapshot is
    stored in float32, a rounding of ~6e-8 relative, far below the noise of the average). The
    validation split is cut to its first :data:`VAL_ROWS` points: ``fit`` validates every epoch,
    and the average does not use it.

    Parameters
    ----------
    data : regcore.data.ToyData
        The draw to train on, e.g. :func:`regcore.theory._common.book_data` (float64).
    s : float, optional
        Standard deviation of the input noise, a finite number >= 0. Default :data:`S`, ``0.5``.
    lr : float, optional
        Learning rate, > 0. Default :data:`LR`, ``0.01``.
    epochs : int, optional
        Training epochs (= steps), >= 1. Default :data:`EPOCHS`.
    seed : int, optional
        The training seed (the noise, through :func:`regcore.seeding.input_noise_seed`; and the
        shuffles, which do not matter at full batch), an integer in ``[0, 2**32)``. Default ``0``.

    Returns
    -------
    numpy.ndarray
        The mean of the iterates over the last half of training, float64, the weights then the
        bias, ``(dims + 1,)``.

    Raises
    ------
    ValueError
        When ``s``, ``lr``, ``epochs`` or ``seed`` is not allowed, or ``data`` is not a
        :class:`regcore.data.ToyData` (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    return tail_mean(_train(data, s, lr, epochs, seed))


def check_linear(s: float = S, lr: float = LR, epochs: int = EPOCHS, seed: int = 0) -> Check:
    r"""Check: gradient descent with input noise lands, on average, on :func:`ridge_equivalent`.

    On the book's data (float64), :func:`train_with_noise`; measured: the relative distance
    :math:`\lVert\bar\theta - \theta_\mathrm{ridge}\rVert/\lVert\theta_\mathrm{ridge}\rVert` of
    the mean of the last half of the iterates from the closed form (weights and bias), against
    :data:`TOL_LINEAR`. For scale, the same distance of the OLS solution (the minimiser without
    noise) is returned as ``"gap_ols"``.

    Parameters
    ----------
    s : float, optional
        Standard deviation of the input noise, a finite number >= 0. Default :data:`S`, ``0.5``.
    lr : float, optional
        Learning rate, > 0. Default :data:`LR`, ``0.01``.
    epochs : int, optional
        Training epochs (= steps), >= 1. Default :data:`EPOCHS`.
    seed : int, optional
        The training seed (the noise), an integer in ``[0, 2**32)``. Default ``0``.

    Returns
    -------
    regcore.theory.check.Check
        The relative distance; ``values`` holds ``"gap_ols"`` (‖θ_OLS − θ_ridge‖/‖θ_ridge‖),
        ``"se_rel"`` (the mean's standard error by batch means, relative to ‖θ_ridge‖),
        ``"final_rel"`` (the distance of the last iterate alone), ``"mean"``, ``"ridge"`` and
        ``"ols"`` (float64 vectors, weights then bias), the exact expected test MSEs
        ``"risk_ols"``, ``"risk_ridge"`` and ``"risk_trained"`` (of the mean), ``"s"``,
        ``"lam"`` (:math:`2s^2`), ``"lr"``, ``"epochs"``, ``"seed"`` and ``"seconds"`` (the
        training run's wall-clock time).

    Raises
    ------
    ValueError
        When ``s``, ``lr``, ``epochs`` or ``seed`` is not allowed (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    data = book_data()
    res = _train(data, s, lr, epochs, seed)
    mean = tail_mean(res)
    w, b = ridge_equivalent(data, s)
    ridge = np.append(w, b)
    ols = quadratic(data).ols()
    scale = np.linalg.norm(ridge)
    epochs_kept = np.asarray(res.snapshot_epochs)
    half = np.asarray(res.snapshots, dtype=np.float64)[epochs_kept > epochs_kept[-1] / 2]
    final = theta_of(res.final_state)
    return Check("noise injection, trained iterate mean = ridge on the weights (λ = 2s²)",
                 np.linalg.norm(mean - ridge) / scale, TOL_LINEAR,
                 "iterate noise: the worst of 5 seeds (0.42%) times 2.4",
                 {"gap_ols": float(np.linalg.norm(ols - ridge) / scale),
                  "se_rel": float(batch_means_se(half) / scale),
                  "final_rel": float(np.linalg.norm(final - ridge) / scale),
                  "mean": mean, "ridge": ridge, "ols": ols,
                  "risk_ols": expected_test_mse(ols, data),
                  "risk_ridge": expected_test_mse(ridge, data),
                  "risk_trained": expected_test_mse(mean, data), "s": s, "lam": 2 * s ** 2,
                  "lr": lr, "epochs": epochs, "seed": seed, "seconds": res.seconds})


def noise_excess(model, x, y, s_values=EXPANSION_S, pairs: int = MC_PAIRS, seed: int = 0) -> dict:
    r"""Monte Carlo: the training loss the input noise adds, beside Bishop's Jacobian term.

    For each noise level :math:`s`, with the same standard-normal draws :math:`\xi` scaled by
    :math:`s` (common random numbers across levels) and their negatives (antithetic pairs):
    :math:`\Delta_\pm = f(x \pm s\xi) - f(x)` for every training point, and the excess of the
    noisy squared error over the clean one, averaged over a pair,
    :math:`\tfrac12(\Delta_+^2 + \Delta_-^2) + r(\Delta_+ + \Delta_-)` with the residual
    :math:`r = f(x) - y`: the *spread* (first part) and the *cross* part (second), each averaged
    over points and pairs. Beside it, Bishop's leading term :math:`s^2\,\overline{\lVert\nabla_x
    f\rVert^2}` (the mean over the points, by autograd). The model is evaluated as it is, in
    float64, in eval mode (no dropout), on CPU; it is not changed.

    Parameters
    ----------
    model : torch.nn.Module
        A model of one output, e.g. :class:`regcore.models.MLP` or
        :class:`regcore.models.Linear`.
    x, y : torch.Tensor
        Training inputs ``(n, dims)`` and targets ``(n, 1)``.
    s_values : sequence of float, optional
        Noise levels, each a finite number > 0. Default :data:`EXPANSION_S`.
    pairs : int, optional
        Antithetic pairs of draws, >= 2. Default :data:`MC_PAIRS`.
    seed : int, optional
        Seed of the draws (a private generator), an integer in ``[0, 2**32)``. Default ``0``.

    Returns
    -------
    dict
        Arrays over ``s_values``: ``"s"``, ``"excess"`` (spread + cross), ``"se"`` (its standard
        error over pairs), ``"spread"``, ``"cross"``, ``"jacobian"`` (:math:`s^2` times the mean
        squared gradient norm) and ``"ratio"`` (excess / jacobian); and the floats ``"clean"``
        (the clean training MSE) and ``"grad_sq"`` (the mean squared gradient norm).

    Raises
    ------
    ValueError
        When ``s_values``, ``pairs`` or ``seed`` is not allowed (the message names it).
    """
    s_values, pairs, seed = _check_excess_args(s_values, pairs, seed)
    x = torch.as_tensor(x).detach().to("cpu", torch.float64)
    return _excess(_evaluation_copy(model), x, y, s_values, _draws(pairs, x.shape, seed))


def _check_excess_args(s_values, pairs, seed) -> tuple:
    """The checked ``s_values`` (a tuple), ``pairs`` and ``seed`` of :func:`noise_excess`."""
    s_values = tuple(check_real("s_values", v, minimum=0.0, strict=True) for v in s_values)
    if not s_values:
        raise ValueError("s_values=() is not allowed: give at least one noise level > 0")
    return s_values, check_int("pairs", pairs, minimum=2), check_setting("seed", seed)


def _draws(pairs: int, shape, seed: int) -> torch.Tensor:
    """``pairs`` standard-normal draws of the noise on every point, float64, ``(pairs, *shape)``."""
    gen = torch.Generator().manual_seed(seed)
    return torch.randn((pairs, *shape), generator=gen, dtype=torch.float64)


def _excess(net, x: torch.Tensor, y, s_values: tuple, xi: torch.Tensor) -> dict:
    """:func:`noise_excess` on a float64 eval-mode ``net`` with the draws ``xi`` given."""
    pairs, n, dims = xi.shape
    y = torch.as_tensor(y).detach().to("cpu", torch.float64).reshape(n, 1)
    xg = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(net(xg).sum(), xg)  # rows are independent: per-point gradients
    grad_sq = float((grad ** 2).sum(1).mean())
    out = {k: [] for k in ("excess", "se", "spread", "cross")}
    with torch.no_grad():
        f = net(x)
        r = f - y
        clean = float((r ** 2).mean())
        for s in s_values:
            # x + sξ and x − sξ for every pair and point as one batch of rows: one forward pass,
            # and any model of (rows, dims) inputs works
            step = s * xi
            both = net(torch.stack((x + step, x - step)).reshape(-1, dims)).reshape(2, pairs, n, 1)
            up, down = both[0] - f, both[1] - f
            spread = ((up ** 2 + down ** 2) / 2).mean((1, 2))
            cross = (r * (up + down)).mean((1, 2))
            per_pair = spread + cross
            out["excess"].append(float(per_pair.mean()))
            out["se"].append(float(per_pair.std() / np.sqrt(pairs)))
            out["spread"].append(float(spread.mean()))
            out["cross"].append(float(cross.mean()))
    res = {k: np.asarray(v) for k, v in out.items()}
    res["s"] = np.asarray(s_values)
    res["jacobian"] = res["s"] ** 2 * grad_sq
    res["ratio"] = res["excess"] / res["jacobian"]
    res["clean"], res["grad_sq"] = clean, grad_sq
    return res


def _evaluation_copy(model):
    """A float64 CPU copy of ``model`` in eval mode, so that the caller's model is left as it was."""
    return copy.deepcopy(model).to("cpu", torch.float64).eval()


def check_linear_excess(s_values=EXPANSION_S, pairs: int = MC_PAIRS, seed: int = 0) -> Check:
    r"""Check: for the linear model, the Monte Carlo excess is :math:`s^2\lVert w\rVert^2`.

    The control for :func:`noise_excess` before it is turned on a network: the OLS solution of
    the book's data as a :class:`regcore.models.Linear`, its excess at each level of
    ``s_values`` against the exact :math:`s^2\lVert w\rVert^2` (which is also its Jacobian
    term). Measured: the largest deviation over the levels, in Monte Carlo standard errors,
    against :data:`TOL_EXCESS_SE`; the cross part must vanish draw by draw (antithetic pairs),
    which ``values["cross_max"]`` reports relative to the excess.

    Parameters
    ----------
    s_values : sequence of float, optional
        Noise levels, each > 0. Default :data:`EXPANSION_S`.
    pairs : int, optional
        Antithetic pairs, >= 2. Default :data:`MC_PAIRS`.
    seed : int, optional
        Seed of the draws. Default ``0``.

    Returns
    -------
    regcore.theory.check.Check
        The deviation in standard errors; ``values`` holds the :func:`noise_excess` result
        (``"excess"``), ``"exact"`` (:math:`s^2\lVert w\rVert^2` per level), ``"ratio"``
        (excess / exact per level) and ``"cross_max"``.

    Raises
    ------
    ValueError
        When ``s_values``, ``pairs`` or ``seed`` is not allowed (the message names it).
    """
    data = book_data()
    theta = quadratic(data).ols()
    model = Linear(data.dims).double()
    with torch.no_grad():
        model.net.weight.copy_(torch.as_tensor(theta[:-1]).reshape(1, -1))
        model.net.bias.fill_(float(theta[-1]))
    res = noise_excess(model, data.x_train, data.y_train, s_values, pairs, seed)
    exact = res["s"] ** 2 * float(theta[:-1] @ theta[:-1])
    z = np.abs(res["excess"] - exact) / res["se"]
    cross_max = float(np.max(np.abs(res["cross"]) / res["excess"]))
    measured = float(z.max()) if cross_max < 1e-9 else float("inf")
    return Check("noise excess of the linear model = s²‖w‖² (Monte Carlo)", measured,
                 TOL_EXCESS_SE, "Monte Carlo error of 2·pairs·n draws: 4 standard errors",
                 {"excess": res, "exact": exact, "ratio": res["excess"] / exact,
                  "cross_max": cross_max})


def excess_over_members(result, s_values=EXPANSION_S, pairs: int = MC_PAIRS,
                        seed: int = 0) -> dict:
    r""":func:`noise_excess` for every member of a sweep of MLPs, at its best epoch.

    Each member's parameters at its best epoch (``result.best_theta``) are loaded into a
    :class:`regcore.models.MLP` of the sweep's sizes, and its training data drawn again as the
    sweep drew it (:func:`regcore.data.make_data` with the settings' sizes and noise and the
    member's data seed; only the training split is used). The draws of :math:`\xi` are the same
    for every member (``seed``).

    Parameters
    ----------
    result : regcore.sweep.settings.SweepResult
        A sweep of MLPs, e.g. :func:`regcore.studies.noise_grid`.
    s_values : sequence of float, optional
        Noise levels, each > 0. Default :data:`EXPANSION_S`.
    pairs : int, optional
        Antithetic pairs, >= 2. Default :data:`MC_PAIRS`.
    seed : int, optional
        Seed of the draws. Default ``0``.

    Returns
    -------
    dict
        ``"s"`` (the levels) and arrays ``(members, levels)``: ``"ratio"`` (excess / Jacobian
        term), ``"spread"`` and ``"cross"`` (each / Jacobian term), ``"se"`` (the excess's Monte
        Carlo standard error / Jacobian term); and arrays ``(members,)``: ``"grad_sq"`` (the
        member's mean squared input gradient, its slope) and ``"true_w_sq"`` (the slope of the
        true function of its data, :math:`\lVert w_\mathrm{true}\rVert^2`).

    Raises
    ------
    ValueError
        When ``result`` is not a sweep of MLPs, or ``s_values``, ``pairs`` or ``seed`` is not
        allowed (the message names it).
    """
    st = result.settings
    if st.model != "mlp":
        raise ValueError(f"result of model={st.model!r} is not allowed: excess_over_members "
                         "takes a sweep of MLPs")
    s_values, pairs, seed = _check_excess_args(s_values, pairs, seed)
    xi = _draws(pairs, (st.n_train, st.dims), seed)   # one set of draws for every member
    rows = {k: [] for k in ("ratio", "spread", "cross", "se")}
    slopes, true_slopes = [], []
    data = {}
    for member, theta in zip(result.members, result.best_theta):
        if member.data_seed not in data:
            # the training split is drawn before the others: one validation and one test
            # point give the sweep's training data, without drawing 20,000 more points
            data[member.data_seed] = make_data(st.n_train, 1, 1, st.dims, st.noise,
                                               seed=member.data_seed)
        d = data[member.data_seed]
        model = load_flat(MLP(st.sizes), theta)
        res = _excess(_evaluation_copy(model), d.x_train.to(torch.float64), d.y_train,
                      s_values, xi)
        for k in rows:
            rows[k].append(res["excess" if k == "ratio" else k] / res["jacobian"])
        slopes.append(res["grad_sq"])
        true_slopes.append(float((d.true_w.double() ** 2).sum()))
    out = {k: np.asarray(v) for k, v in rows.items()}
    out["grad_sq"], out["true_w_sq"] = np.asarray(slopes), np.asarray(true_slopes)
    out["s"] = np.asarray(tuple(s_values), dtype=float)
    return out
