"""Input dropout on a linear model is ridge regression with a data-dependent penalty.

Chapter "Dropout on a linear model" (Srivastava et al. 2014, §9.1; Wager et al. 2013). Inverted
dropout (torch's) replaces x by ``x ⊙ r/(1 − p)`` with ``rᵢ ~ Bernoulli(1 − p)``. Averaged over the
masks, the squared error gains ``p/(1 − p) · Σᵢ wᵢ² xᵢ²`` — :func:`derive` obtains this with
``sympy.stats`` — so the expected training loss is ``L(θ) + p/(1 − p) Σᵢ dᵢ wᵢ²`` with
``dᵢ = mean_k x_kᵢ²`` and the bias unpenalised, minimised by :func:`dropout_ridge`. The checks:
a Monte Carlo average over masks against the formula, and a linear model trained with input
dropout (:class:`InputDropoutLinear`, Adam) whose averaged iterates must land on the closed form.
"""
from __future__ import annotations

import numpy as np
import sympy as sp
import sympy.stats as st
import torch
from torch import nn

from .._checks import check_int, check_real
from ..settings import check_setting
from ..seeding import post_protocol
from ..training import TrainSettings, fit
from ._common import batch_means_se, book_data, tail_mean
from .check import Check
from .quadratic import expected_test_mse, quadratic, theta_of

#: The post's dropout rate.
P = 0.1
#: Tolerance of :func:`check_monte_carlo`, in standard errors. The average of M independent mask
#: draws has standard error s/√M; ``|MC − formula|`` must be within 4 standard errors (a 4σ event
#: has probability ~6e-5).
TOL_MC_SIGMAS = 4.0
#: Tolerance of :func:`check_trained`, a fraction of ‖θ_dropout − θ_OLS‖. Trained with input
#: dropout (Adam, lr 0.01, full batch, 3000 epochs), the mean of the last half of the iterates
#: must be within 10% of that gap of the closed form. Single iterates wander by about the whole
#: gap; the average is over ~1500 correlated iterates. A resolution fixed in advance as a tenth of
#: the effect measured; the standard error is reported beside it.
TOL_TRAINED = 0.10


def derive() -> dict:
    r"""SymPy: what averaging over dropout masks adds to the squared error.

    With ``sympy.stats``: the expectation over Bernoulli masks :math:`r_i \sim
    \mathrm{Bernoulli}(1 - p)` of the squared error of the prediction
    :math:`\sum_i w_i x_i r_i/(1 - p) + b`, minus the squared error without dropout. Two
    features, so that the vanishing cross term (independent masks) shows; the result is
    :math:`\frac p{1 - p}(w_1^2x_1^2 + w_2^2x_2^2)`. Also the mean (:math:`x_1`) and the
    variance of one dropped-out input :math:`x_1 r/(1 - p)`.

    Returns
    -------
    dict
        ``"expected"`` (the mask-averaged squared error), ``"extra"`` (what it adds, factored),
        ``"extra_display"`` (the same with :math:`p/(1 - p)` pulled out, unevaluated, for
        display), ``"variance"`` and ``"variance_display"`` (the variance of a dropped-out
        input, as SymPy simplifies it and as the chapter writes it, :math:`p x_1^2/(1 - p)`),
        ``"mean"`` (its mean) and ``"symbols"``, ``(p, x1, x2, w1, w2, b, y)``.
    """
    p = sp.Symbol("p", positive=True)
    x1, x2, w1, w2, b, y = sp.symbols("x1 x2 w1 w2 b y", real=True)
    r1 = st.Bernoulli("r1", 1 - p)
    r2 = st.Bernoulli("r2", 1 - p)
    pred = w1 * x1 * r1 / (1 - p) + w2 * x2 * r2 / (1 - p) + b
    expected = st.E((y - pred) ** 2)
    plain = (y - w1 * x1 - w2 * x2 - b) ** 2
    extra = sp.factor(sp.simplify(expected - plain))
    one = st.Bernoulli("r", 1 - p)
    variance = sp.simplify(st.variance(x1 * one / (1 - p)))
    mean = sp.simplify(st.E(x1 * one / (1 - p)))
    # For display: the factor p/(1 − p) pulled out of SymPy's result (checked equal in the tests).
    inner = sp.expand(sp.simplify(extra * (1 - p) / p))
    display = sp.Mul(p / (1 - p), inner, evaluate=False)
    # SymPy simplifies the variance to −p x₁²/(p − 1); shown as p x₁²/(1 − p), as the text writes it.
    variance_display = p * x1 ** 2 / (1 - p)
    return {"expected": expected, "extra": extra, "extra_display": display,
            "variance": variance, "variance_display": variance_display, "mean": mean,
            "symbols": (p, x1, x2, w1, w2, b, y)}


def dropout_ridge(data, p: float = P) -> np.ndarray:
    r"""The minimiser of the mask-averaged training loss of the linear model: dropout's ridge.

    Solves :math:`(H + \frac{2p}{1 - p}\operatorname{diag}(d, 0))\theta = c` with
    :math:`d_i` the mean of :math:`x_{ki}^2` over the training points :math:`k`: the stationary
    point of :func:`expected_loss`, a ridge penalty scaled per feature, the bias unpenalised.

    Parameters
    ----------
    data : regcore.data.ToyData
        The draw; its training split defines the loss.
    p : float, optional
        The dropout probability, in ``[0, 1)``. Default ``P``, ``0.1``.

    Returns
    -------
    numpy.ndarray
        The minimiser, weights then bias, ``(dims + 1,)``.

    Raises
    ------
    ValueError
        When ``p`` is not a number in ``[0, 1)`` (the message names it).
    """
    p = check_real("p", p, minimum=0.0, below=1.0)
    q = quadratic(data)
    d = (q.A[:, :-1] ** 2).mean(0)
    penalty = np.diag(np.append(d, 0.0))
    return np.linalg.solve(q.H + 2 * p / (1 - p) * penalty, q.c)


def expected_loss(theta: np.ndarray, data, p: float = P) -> float:
    r"""The training loss averaged over input-dropout masks, in closed form.

    :math:`L(\theta) + \frac p{1 - p}\sum_i d_i w_i^2`, with :math:`d_i` the mean of
    :math:`x_{ki}^2` over the training points and :math:`w` the weights (the bias is not
    penalised). ``p`` is not checked here.

    Parameters
    ----------
    theta : numpy.ndarray
        Parameters of the linear model, weights then bias, ``(dims + 1,)``.
    data : regcore.data.ToyData
        The draw; its training split defines the loss.
    p : float, optional
        The dropout probability. Default ``P``, ``0.1``.

    Returns
    -------
    float
        The expected training loss.
    """
    q = quadratic(data)
    d = (q.A[:, :-1] ** 2).mean(0)
    return q.loss(theta) + p / (1 - p) * float((d * theta[:-1] ** 2).sum())


class InputDropoutLinear(nn.Module):
    """A linear model with dropout on its inputs: ``Dropout(p)``, then ``nn.Linear(dims, 1)``.

    The layer is created under the post's seeding protocol with ``seed``, as in
    :class:`regcore.models.Linear`, so it starts from the same weights. Trained by
    :func:`check_trained`; torch's inverted dropout scales the kept inputs by :math:`1/(1 - p)`
    in training mode and does nothing in eval mode.

    Parameters
    ----------
    dims : int, optional
        Number of inputs, >= 1. Default ``50``.
    p : float, optional
        The dropout probability, in ``[0, 1)``. Default ``P``, ``0.1``.
    seed : int, optional
        Init seed. Default ``42``.

    Attributes
    ----------
    sizes : tuple
        ``(dims, 1)``, the input and output widths (read by
        :func:`regcore.training.check_model_fits`).
    net : torch.nn.Linear
        The layer.
    drop : torch.nn.Dropout
        The dropout on the inputs.

    Raises
    ------
    ValueError
        When ``dims`` or ``p`` is not allowed (the message names it).
    """

    def __init__(self, dims: int = 50, p: float = P, seed: int = 42):
        dims = check_setting("dims", dims)
        p = check_real("p", p, minimum=0.0, below=1.0)
        super().__init__()
        self.sizes = (dims, 1)
        with post_protocol(seed):
            self.net = nn.Linear(dims, 1)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        """The model's output for the inputs ``x``, dropped out in training mode.

        Parameters
        ----------
        x : torch.Tensor
            Inputs, ``(rows, dims)``.

        Returns
        -------
        torch.Tensor
            Outputs, ``(rows, 1)``.
        """
        return self.net(self.drop(x))


def check_monte_carlo(p: float = P, masks: int = 4000, seed: int = 0) -> Check:
    r"""Check: the training loss averaged over random dropout masks equals :func:`expected_loss`.

    At :math:`\theta_\mathrm{OLS}` of the post's draw (float64), ``masks`` independent masks are
    drawn (each input kept with probability :math:`1 - p`, kept inputs scaled by
    :math:`1/(1 - p)`) and the training loss computed under each. Measured: the absolute
    difference between the Monte Carlo mean and the formula, in units of the Monte Carlo
    standard error, against :data:`TOL_MC_SIGMAS`.

    Parameters
    ----------
    p : float, optional
        The dropout probability. Default ``P``, ``0.1``.
    masks : int, optional
        Number of masks, >= 2. Default ``4000``.
    seed : int, optional
        Seed of NumPy's generator for the masks. Default ``0``.

    Returns
    -------
    regcore.theory.check.Check
        The distance in standard errors; ``values`` holds ``"mc"`` (the Monte Carlo mean),
        ``"formula"``, ``"se"`` (the standard error), ``"plain"`` (the loss without dropout)
        and ``"masks"``.

    Raises
    ------
    ValueError
        When ``masks`` is not an integer >= 2 (the message names it).
    """
    masks = check_int("masks", masks, minimum=2)
    data = book_data()
    q = quadratic(data)
    theta = q.ols()
    rng = np.random.default_rng(seed)
    X, y = q.A[:, :-1], q.y
    losses = np.empty(masks)
    for i in range(masks):
        r = rng.random(X.shape) >= p
        resid = (X * r / (1 - p)) @ theta[:-1] + theta[-1] - y
        losses[i] = resid @ resid / len(y)
    se = losses.std(ddof=1) / np.sqrt(masks)
    formula = expected_loss(theta, data, p)
    return Check("dropout, Monte Carlo over masks = formula", abs(losses.mean() - formula) / se,
                 TOL_MC_SIGMAS, "Monte Carlo error (standard errors)",
                 {"mc": float(losses.mean()), "formula": formula, "se": float(se),
                  "plain": q.loss(theta), "masks": masks})


def check_trained(p: float = P, lr: float = 0.01, epochs: int = 3000, seed: int = 42) -> Check:
    r"""Check: a linear model trained with input dropout lands on :func:`dropout_ridge` on average.

    Trains :class:`InputDropoutLinear` (float64, the post's draw) with Adam at full batch, a
    snapshot every epoch; the dropout masks make single iterates wander. Measured: the distance
    of the mean of the iterates over the last half of training from the closed form, over the
    dropout−OLS gap :math:`\lVert\theta_\mathrm{dropout} - \theta_\mathrm{OLS}\rVert`, against
    :data:`TOL_TRAINED`.

    Parameters
    ----------
    p : float, optional
        The dropout probability, in ``[0, 1)``. Default ``P``, ``0.1``.
    lr : float, optional
        Adam's learning rate, > 0. Default ``0.01``.
    epochs : int, optional
        Training epochs, >= 1. Default ``3000``.
    seed : int, optional
        The init seed and the training seed (the masks), an integer in ``[0, 2**32)``.
        Default ``42``.

    Returns
    -------
    regcore.theory.check.Check
        The relative distance; ``values`` holds ``"final_rel"`` (the same for the final
        iterate), ``"se_rel"`` (the mean's standard error by batch means, in units of the gap),
        ``"mean"``, ``"closed"``, ``"ols"``, ``"snapshots"``, the exact expected test MSEs
        ``"risk_ols"``, ``"risk_dropout"`` and ``"risk_trained"`` (of the mean), ``"lr"``,
        ``"epochs"``, ``"p"``, ``"d"`` (the per-feature mean of :math:`x^2`) and ``"noise"``.

    Raises
    ------
    ValueError
        When ``p``, ``lr``, ``epochs`` or ``seed`` is not allowed (the message names it).
    regcore.training.DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    data = book_data()
    model = InputDropoutLinear(data.dims, p, seed).double()
    res = fit(model, data, TrainSettings(optimizer="adam", lr=lr, epochs=epochs, seed=seed,
                                         snapshot_every=1))
    q = quadratic(data)
    closed, ols = dropout_ridge(data, p), q.ols()
    gap = np.linalg.norm(closed - ols)
    mean = tail_mean(res)
    half = np.asarray(res.snapshots, dtype=np.float64)[len(res.snapshots) // 2:]
    return Check("dropout, trained iterate mean = dropout ridge",
                 np.linalg.norm(mean - closed) / gap, TOL_TRAINED,
                 "iterate noise: a resolution of 10% of the dropout−OLS gap",
                 {"final_rel": float(np.linalg.norm(theta_of(res.final_state) - closed) / gap),
                  "se_rel": float(batch_means_se(half) / gap), "mean": mean, "closed": closed,
                  "ols": ols, "snapshots": np.asarray(res.snapshots, dtype=np.float64),
                  "risk_ols": expected_test_mse(ols, data),
                  "risk_dropout": expected_test_mse(closed, data),
                  "risk_trained": expected_test_mse(mean, data), "lr": lr, "epochs": epochs,
                  "p": p, "d": (q.A[:, :-1] ** 2).mean(0), "noise": data.noise})
