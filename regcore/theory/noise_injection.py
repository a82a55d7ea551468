"""Gaussian noise on a linear model's inputs is ridge regression on its weights (Tikhonov).

Chapter: book/beyond/noise.md (planned). Bishop (1995), "Training with noise is equivalent to
Tikhonov regularization". Training on ``x̃ = x + ξ`` with ``ξ ~ N(0, s²I)`` drawn afresh at every
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
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import sympy as sp
import sympy.stats as st

from .._checks import check_real
from ..data import ToyData
from ..models import Linear
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
