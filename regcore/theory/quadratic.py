"""The linear model's loss as a quadratic, in closed form (float64, NumPy).

With ``A = [X, 1]`` (n × 51) and ``L(θ) = (1/n)‖Aθ − y‖²`` (torch's mean MSE), the Hessian is
``H = 2AᵀA/n`` and the gradient ``Hθ − c`` with ``c = 2Aᵀy/n``. Every theory module uses these
helpers: the OLS and ridge minimisers, the eigenbasis of ``H``, and the expected test error of a
parameter vector. The flat parameter order is regcore's (:func:`regcore.flatten_params`): the 50
weights, then the bias.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_real
from ..data import ToyData


@dataclass(frozen=True)
class Quadratic:
    """``L(θ) = ½θᵀHθ − cᵀθ + const`` for a design ``A`` and targets ``y`` (float64)."""

    A: np.ndarray
    y: np.ndarray
    H: np.ndarray
    c: np.ndarray
    evals: np.ndarray   # ascending eigenvalues of H
    evecs: np.ndarray   # columns: eigenvectors of H

    @property
    def n(self) -> int:
        return self.A.shape[0]

    def loss(self, theta: np.ndarray) -> float:
        r = self.A @ theta - self.y
        return float(r @ r / self.n)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        return self.H @ theta - self.c

    def ols(self) -> np.ndarray:
        """The unpenalised minimiser ``H⁻¹c``."""
        return np.linalg.solve(self.H, self.c)

    def ridge(self, lam: float) -> np.ndarray:
        """The minimiser of ``L + (λ/2)‖θ‖²`` (bias penalised too): ``(H + λI)⁻¹c``."""
        lam = check_real("lam", lam, minimum=0.0)
        return np.linalg.solve(self.H + lam * np.eye(len(self.c)), self.c)

    def to_eigen(self, theta: np.ndarray) -> np.ndarray:
        """Coordinates of ``theta`` in H's eigenbasis (``Qᵀθ``)."""
        return self.evecs.T @ theta


def design(x) -> np.ndarray:
    """``A = [X, 1]`` as float64 NumPy."""
    x = np.asarray(x.detach().cpu().double() if hasattr(x, "detach") else x, dtype=np.float64)
    return np.hstack([x, np.ones((x.shape[0], 1))])


def quadratic(data: ToyData) -> Quadratic:
    """The training loss of the linear model on ``data`` as a :class:`Quadratic`."""
    A = design(data.x_train)
    y = data.y_train.detach().cpu().double().numpy().ravel()
    n = A.shape[0]
    H = 2 * A.T @ A / n
    c = 2 * A.T @ y / n
    evals, evecs = np.linalg.eigh(H)
    return Quadratic(A, y, H, c, evals, evecs)


def true_theta(data: ToyData) -> np.ndarray:
    """The data's true ``(w, b)`` as one float64 vector."""
    return np.concatenate([data.true_w.detach().cpu().double().numpy().ravel(),
                           data.true_b.detach().cpu().double().numpy().ravel()])


def expected_test_mse(theta: np.ndarray, data: ToyData) -> float:
    """``σ² + ‖θ − θ_true‖²``: the test MSE of ``theta`` averaged over new x ~ N(0, I).

    Exact for the raw (not whitened) toy problem, because ``E[x̃x̃ᵀ] = I`` for ``x̃ = (x, 1)``.
    """
    if data.whitened:
        raise ValueError("data.whitened=True is not allowed here: the formula needs raw x ~ N(0, I)")
    d = np.asarray(theta, dtype=np.float64) - true_theta(data)
    return float(data.noise ** 2 + d @ d)


def theta_of(model_or_state) -> np.ndarray:
    """A Linear model's (or its state dict's) parameters as one float64 vector, weight then bias."""
    state = model_or_state.state_dict() if hasattr(model_or_state, "state_dict") else model_or_state
    return np.concatenate([v.detach().cpu().double().numpy().ravel() for v in state.values()])
