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
#: Monte Carlo over masks: the average of M independent mask draws has standard error s/√M;
#: |MC − formula| must be within 4 standard errors (a 4σ event has probability ~6e-5).
TOL_MC_SIGMAS = 4.0
#: Trained with input dropout (Adam, lr 0.01, full batch, 3000 epochs): the mean of the last half
#: of the iterates must be within 10% of ‖θ_dropout − θ_OLS‖ of the closed form. Single iterates
#: wander by about the whole gap; the average is over ~1500 correlated iterates. A resolution
#: fixed in advance as a tenth of the effect measured; the standard error is reported beside it.
TOL_TRAINED = 0.10


def derive() -> dict:
    """SymPy: E over Bernoulli masks of the squared error minus the noiseless squared error.

    Two features, so that the vanishing cross term (independent masks) shows.
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
    """Minimiser of the mask-averaged loss: ``(H + 2p/(1−p)·diag(d, 0)) θ = c``."""
    p = check_real("p", p, minimum=0.0, below=1.0)
    q = quadratic(data)
    d = (q.A[:, :-1] ** 2).mean(0)
    penalty = np.diag(np.append(d, 0.0))
    return np.linalg.solve(q.H + 2 * p / (1 - p) * penalty, q.c)


def expected_loss(theta: np.ndarray, data, p: float = P) -> float:
    """``L(θ) + p/(1−p) Σᵢ dᵢ wᵢ²`` — the training loss averaged over dropout masks."""
    q = quadratic(data)
    d = (q.A[:, :-1] ** 2).mean(0)
    return q.loss(theta) + p / (1 - p) * float((d * theta[:-1] ** 2).sum())


class InputDropoutLinear(nn.Module):
    """``Dropout(p)`` on the inputs, then regcore's linear layer (same seeded initialisation)."""

    def __init__(self, dims: int = 50, p: float = P, seed: int = 42):
        dims = check_setting("dims", dims)
        p = check_real("p", p, minimum=0.0, below=1.0)
        super().__init__()
        self.sizes = (dims, 1)
        with post_protocol(seed):
            self.net = nn.Linear(dims, 1)
        self.drop = nn.Dropout(p)

    def forward(self, x):
        return self.net(self.drop(x))


def check_monte_carlo(p: float = P, masks: int = 4000, seed: int = 0) -> Check:
    """Average training loss over ``masks`` dropout masks at θ_OLS vs the closed-form expectation.

    Measured: |MC mean − formula| in units of the MC standard error.
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
    """Adam with input dropout (float64, full batch): iterate mean vs :func:`dropout_ridge`."""
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
