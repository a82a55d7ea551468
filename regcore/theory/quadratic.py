"""The linear model's loss as a quadratic, in closed form (float64, NumPy).

With ``A = [X, 1]`` (n × 51) and ``L(θ) = (1/n)‖Aθ − y‖²`` (torch's mean MSE), the Hessian is
``H = 2AᵀA/n`` and the gradient ``Hθ − c`` with ``c = 2Aᵀy/n``. Every theory module uses these
helpers: the OLS and ridge minimisers, the eigenbasis of ``H``, and the expected test error of a
parameter vector. The flat parameter order is regcore's (:func:`regcore.models.flatten_params`):
the 50 weights, then the bias.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._checks import check_real
from ..data import ToyData


@dataclass(frozen=True)
class Quadratic:
    r"""The linear model's training loss as a quadratic in its parameters (float64).

    :math:`L(\theta) = \tfrac12\theta^\top H\theta - c^\top\theta + \text{const}`.

    For a design ``A`` and targets ``y`` (float64 NumPy), ``L`` is torch's mean squared error
    :math:`\frac1n\lVert A\theta - y\rVert^2`, so :math:`H = 2A^\top A/n` and
    :math:`c = 2A^\top y/n`. Made by :func:`quadratic`; frozen. Every theory module reads the
    OLS and ridge minimisers and the eigenbasis of ``H`` from it.

    Attributes
    ----------
    A : numpy.ndarray
        The design ``[X, 1]``, ``(n, dims + 1)``.
    y : numpy.ndarray
        The targets, ``(n,)``.
    H : numpy.ndarray
        The Hessian :math:`2A^\top A/n`, ``(dims + 1, dims + 1)``.
    c : numpy.ndarray
        :math:`2A^\top y/n`, ``(dims + 1,)``; the gradient is :math:`H\theta - c`.
    evals : numpy.ndarray
        The eigenvalues of ``H``, ascending.
    evecs : numpy.ndarray
        The eigenvectors of ``H``, one per column, in the order of ``evals``.
    """

    A: np.ndarray
    y: np.ndarray
    H: np.ndarray
    c: np.ndarray
    evals: np.ndarray   # ascending eigenvalues of H
    evecs: np.ndarray   # columns: eigenvectors of H

    @property
    def n(self) -> int:
        """Number of training points, ``A.shape[0]``."""
        return self.A.shape[0]

    def loss(self, theta: np.ndarray) -> float:
        r"""The training loss :math:`\frac1n\lVert A\theta - y\rVert^2` at ``theta``.

        Parameters
        ----------
        theta : numpy.ndarray
            A parameter vector, the weights then the bias, ``(dims + 1,)``.

        Returns
        -------
        float
            The mean squared error on the training split.
        """
        r = self.A @ theta - self.y
        return float(r @ r / self.n)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        r"""The gradient :math:`H\theta - c` of the training loss at ``theta``.

        Parameters
        ----------
        theta : numpy.ndarray
            A parameter vector, the weights then the bias, ``(dims + 1,)``.

        Returns
        -------
        numpy.ndarray
            The gradient, ``(dims + 1,)``.
        """
        return self.H @ theta - self.c

    def ols(self) -> np.ndarray:
        r"""The unpenalised minimiser :math:`\theta_\mathrm{OLS} = H^{-1}c` (OLS with an intercept).

        Returns
        -------
        numpy.ndarray
            The minimiser, the weights then the bias, ``(dims + 1,)``.
        """
        return np.linalg.solve(self.H, self.c)

    def ridge(self, lam: float) -> np.ndarray:
        r"""The ridge minimiser :math:`(H + \lambda I)^{-1}c`.

        It minimises :math:`L + \frac\lambda2\lVert\theta\rVert^2`; the bias is penalised too, as
        torch's ``weight_decay`` penalises every parameter.

        Parameters
        ----------
        lam : float
            The penalty strength :math:`\lambda`, finite and >= 0.

        Returns
        -------
        numpy.ndarray
            The minimiser, the weights then the bias, ``(dims + 1,)``.

        Raises
        ------
        ValueError
            When ``lam`` is not a finite number >= 0 (the message names it).
        """
        lam = check_real("lam", lam, minimum=0.0)
        return np.linalg.solve(self.H + lam * np.eye(len(self.c)), self.c)

    def to_eigen(self, theta: np.ndarray) -> np.ndarray:
        r"""Coordinates of ``theta`` in the eigenbasis of ``H``: :math:`Q^\top\theta`.

        Parameters
        ----------
        theta : numpy.ndarray
            A parameter vector, the weights then the bias, ``(dims + 1,)``.

        Returns
        -------
        numpy.ndarray
            One coordinate per eigenvector, in the order of :attr:`evals` (ascending).
        """
        return self.evecs.T @ theta


def design(x) -> np.ndarray:
    """The design ``A = [X, 1]``: the inputs with a column of ones appended, as float64 NumPy.

    Parameters
    ----------
    x : torch.Tensor or array_like
        Inputs, ``(n, dims)``; a tensor is detached and moved to the CPU first.

    Returns
    -------
    numpy.ndarray
        ``(n, dims + 1)``, float64; the last column is ones (the bias).
    """
    x = np.asarray(x.detach().cpu().double() if hasattr(x, "detach") else x, dtype=np.float64)
    return np.hstack([x, np.ones((x.shape[0], 1))])


def quadratic(data: ToyData) -> Quadratic:
    """The training loss of the linear model on ``data`` as a :class:`Quadratic`.

    Built in float64 from the training split, whatever the data's dtype; ``H`` is
    eigendecomposed once here.

    Parameters
    ----------
    data : regcore.data.ToyData
        The draw whose training split defines the loss.

    Returns
    -------
    Quadratic
        ``A``, ``y``, ``H``, ``c`` and the eigenvalues (ascending) and eigenvectors of ``H``.
    """
    A = design(data.x_train)
    y = data.y_train.detach().cpu().double().numpy().ravel()
    n = A.shape[0]
    H = 2 * A.T @ A / n
    c = 2 * A.T @ y / n
    evals, evecs = np.linalg.eigh(H)
    return Quadratic(A, y, H, c, evals, evecs)


def true_theta(data: ToyData) -> np.ndarray:
    """The data's true weights and intercept as one float64 vector, ``(w, b)``.

    Parameters
    ----------
    data : regcore.data.ToyData
        The draw; ``true_w`` and ``true_b`` describe its raw (unwhitened) inputs.

    Returns
    -------
    numpy.ndarray
        ``(dims + 1,)``: the ``dims`` weights, then the intercept.
    """
    return np.concatenate([data.true_w.detach().cpu().double().numpy().ravel(),
                           data.true_b.detach().cpu().double().numpy().ravel()])


def expected_test_mse(theta: np.ndarray, data: ToyData) -> float:
    r"""The test MSE of ``theta`` averaged over new points.

    That is :math:`\sigma^2 + \lVert\theta - \theta_\mathrm{true}\rVert^2`, exact for the raw
    (not whitened) toy problem, whose inputs are :math:`x \sim N(0, I)`: then
    :math:`E[\tilde x\tilde x^\top] = I` for :math:`\tilde x = (x, 1)`. Used by the theory
    chapters to score a parameter vector without a test split's sampling error.

    Parameters
    ----------
    theta : numpy.ndarray
        A parameter vector of the linear model, the weights then the bias, ``(dims + 1,)``.
    data : regcore.data.ToyData
        The draw that defines :math:`\sigma` (``noise``) and :math:`\theta_\mathrm{true}`.

    Returns
    -------
    float
        The expected test MSE.

    Raises
    ------
    ValueError
        When ``data.whitened`` is true: the formula needs the raw inputs.
    """
    if data.whitened:
        raise ValueError("data.whitened=True is not allowed here: the formula needs raw x ~ N(0, I)")
    d = np.asarray(theta, dtype=np.float64) - true_theta(data)
    return float(data.noise ** 2 + d @ d)


def theta_of(model_or_state) -> np.ndarray:
    """A model's (or a state dict's) parameters as one float64 NumPy vector.

    The tensors are flattened and concatenated in the state dict's order: for
    :class:`regcore.models.Linear`, the weights, then the bias.

    Parameters
    ----------
    model_or_state : torch.nn.Module or dict
        A model (its ``state_dict()`` is read) or a state dict, e.g.
        ``FitResult.best_state``.

    Returns
    -------
    numpy.ndarray
        All parameters, float64, on the CPU.
    """
    state = model_or_state.state_dict() if hasattr(model_or_state, "state_dict") else model_or_state
    return np.concatenate([v.detach().cpu().double().numpy().ravel() for v in state.values()])
