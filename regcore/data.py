"""The book's toy problem: a seeded linear-Gaussian regression task.

``y = x·w + b + noise·ε`` with ``x ~ N(0, I)``, ``w = randn(dims, 1)·3/√dims`` and ``b = randn(1)``.
Under the post's seeding protocol :func:`make_data` makes exactly the original code's draws, in its
order (w, b, train x, train noise, validation x, validation noise). The held-out *test* split is
drawn afterwards from a private generator, so adding it leaves the post's draws untouched; the
book selects on validation and reports on test. Used by every chapter, first in "The toy problem".
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import torch

from .settings import check_setting
from .seeding import post_protocol

#: Offset added to the data seed for the private generator of the test split.
TEST_SEED_OFFSET = 1_000_003


@dataclass(frozen=True)
class Splits:
    """Training, validation and test tensors: what :func:`regcore.training.fit` and the sweeps train on.

    The base of :class:`ToyData` (regression: float targets ``(n, 1)``) and of
    :class:`regcore.digits.DigitsData` (classification: integer class labels ``(n,)``); frozen.

    Attributes
    ----------
    x_train : torch.Tensor
        Training inputs, ``(n_train, dims)``.
    y_train : torch.Tensor
        Training targets: ``(n_train, 1)`` floats, or ``(n_train,)`` int64 class labels.
    x_val : torch.Tensor
        Validation inputs, ``(n_val, dims)``; the book selects on this split.
    y_val : torch.Tensor
        Validation targets, as ``y_train``.
    x_test : torch.Tensor
        Held-out test inputs, ``(n_test, dims)``; the book reports on this split.
    y_test : torch.Tensor
        Test targets, as ``y_train``.
    """

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor

    @property
    def dims(self) -> int:
        """Number of input features, ``x_train.shape[1]``."""
        return self.x_train.shape[1]

    @property
    def n_train(self) -> int:
        """Number of training points, ``x_train.shape[0]``."""
        return self.x_train.shape[0]

    @property
    def n_val(self) -> int:
        """Number of validation points, ``x_val.shape[0]``."""
        return self.x_val.shape[0]

    @property
    def n_test(self) -> int:
        """Number of test points, ``x_test.shape[0]``."""
        return self.x_test.shape[0]

    @property
    def outputs(self) -> int:
        """The output width a model of this data needs, 1 for float targets, else the number
        of classes (``n_classes``)."""
        return getattr(self, "n_classes", 1) if self.is_classification else 1

    @property
    def is_classification(self) -> bool:
        """Whether the targets are integer class labels (trained with cross-entropy)."""
        return not self.y_train.is_floating_point()

    def to(self, device=None, dtype=None) -> "Splits":
        """A copy with every tensor moved to ``device`` and its floating ones cast to ``dtype``.

        Class labels keep their integer dtype; the other fields are copied unchanged.

        Parameters
        ----------
        device : str or torch.device, optional
            Where to move the tensors, as for ``torch.Tensor.to``. Default ``None``: where they are.
        dtype : torch.dtype, optional
            What to cast the floating-point tensors to. Default ``None``: their own dtype.

        Returns
        -------
        Splits
            The moved copy, of the same class; ``self`` is unchanged.
        """
        moved = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, torch.Tensor):
                cast = dtype if value.is_floating_point() else None
                moved[f.name] = value.to(device=device, dtype=cast)
        return replace(self, **moved)


@dataclass(frozen=True)
class ToyData(Splits):
    """One draw of the toy problem: the splits, the true weights and how they were made.

    Made by :func:`make_data` (whitened by :func:`whiten_design`); frozen. As made, the tensors are
    float32 on CPU (:meth:`~Splits.to` moves or casts them). The splits (``x_train``, ``y_train``,
    ``x_val``, ``y_val``, ``x_test``, ``y_test``) are :class:`Splits`'; targets are ``(n, 1)``.

    Attributes
    ----------
    true_w : torch.Tensor
        The true weights ``w``, ``(dims, 1)``.
    true_b : torch.Tensor
        The true intercept ``b``, shape ``(1,)``.
    noise : float
        Standard deviation of the Gaussian noise on the targets.
    seed : int
        The data seed the draw was made with.
    whitened : bool
        Whether the inputs were whitened by :func:`whiten_design`. Default ``False``.
    """

    true_w: torch.Tensor
    true_b: torch.Tensor
    noise: float
    seed: int
    whitened: bool = False


def _check_whitenable(n_train: int, dims: int) -> None:
    """Whitening inverts the training covariance, which has rank < dims unless n_train > dims."""
    if n_train <= dims:
        raise ValueError(f"n_train={n_train} is not allowed with whiten=True and dims={dims}: "
                         "whitening needs n_train > dims (the training covariance must be "
                         "invertible)")


def whiten_design(data: ToyData) -> ToyData:
    """Whiten x by an affine map fitted on the training split, so that with A = [X, 1], AᵀA/n = I.

    Centring on the training mean and multiplying by the inverse square root of the training
    covariance (divided by n) makes the columns orthonormal and orthogonal to the intercept. The
    same map is applied to validation and test x; y is unchanged. Used by the L1 theory chapter,
    where soft-thresholding is exact only for such a design.

    Parameters
    ----------
    data : ToyData
        The draw to whiten. The map is computed in float64 and the result cast back to the data's
        dtype.

    Returns
    -------
    ToyData
        A copy with whitened ``x_train``, ``x_val`` and ``x_test`` and ``whitened=True``; the
        targets, ``true_w``, ``true_b`` (which still describe the unwhitened inputs), ``noise`` and
        ``seed`` are unchanged.

    Raises
    ------
    ValueError
        When ``data.n_train <= data.dims``: the training covariance is then not invertible (the
        message names ``n_train``).
    """
    _check_whitenable(data.n_train, data.dims)
    x = data.x_train.double()
    mean = x.mean(0, keepdim=True)
    cov = (x - mean).T @ (x - mean) / x.shape[0]
    evals, evecs = torch.linalg.eigh(cov)
    w_inv_sqrt = evecs @ torch.diag(evals.rsqrt()) @ evecs.T
    dtype = data.x_train.dtype

    def apply(z):
        return ((z.double() - mean) @ w_inv_sqrt).to(dtype)

    return replace(data, x_train=apply(data.x_train), x_val=apply(data.x_val),
                   x_test=apply(data.x_test), whitened=True)


def make_data(n_train: int = 200, n_val: int = 10_000, n_test: int = 10_000, dims: int = 50,
              noise: float = 0.2, seed: int = 42, whiten: bool = False) -> ToyData:
    """Draw the toy problem (float32, CPU) exactly as the post's code does, plus a test split.

    Parameters are checked first; a bad one raises ``ValueError`` naming it. ``w``, ``b``, the
    training and the validation split are drawn under the post's seeding protocol, scoped (the
    caller's random generators are left as they were); the test split is drawn afterwards from a
    private generator seeded with ``seed +`` :data:`TEST_SEED_OFFSET`.

    Parameters
    ----------
    n_train : int, optional
        Number of training points, >= 1. Default ``200``.
    n_val : int, optional
        Number of validation points, >= 1. Default ``10_000``.
    n_test : int, optional
        Number of held-out test points, >= 1. Default ``10_000``.
    dims : int, optional
        Number of input features, >= 1. Default ``50``.
    noise : float, optional
        Standard deviation of the Gaussian noise added to the targets, >= 0. Default ``0.2``.
    seed : int, optional
        The data seed, an integer in ``[0, 2**32)``. Default ``42``.
    whiten : bool, optional
        Return the draw whitened by :func:`whiten_design` (the same draws, then the affine map).
        Default ``False``.

    Returns
    -------
    ToyData
        The three splits, the true weights and intercept, ``noise`` and ``seed``.

    Raises
    ------
    ValueError
        When ``n_train``, ``n_val``, ``n_test``, ``dims``, ``noise`` or ``seed`` is not allowed (the
        message names it), or when ``whiten`` is true and ``n_train <= dims``.
    """
    n_train = check_setting("n_train", n_train)
    n_val = check_setting("n_val", n_val)
    n_test = check_setting("n_test", n_test)
    dims = check_setting("dims", dims)
    noise = check_setting("noise", noise)
    seed = check_setting("seed", seed)
    if whiten:
        _check_whitenable(n_train, dims)

    with post_protocol(seed):  # the original: reset_seeds(), then these draws in order
        true_w = torch.randn(dims, 1) * 3 / math.sqrt(dims)
        true_b = torch.randn(1)
        x_train = torch.randn(n_train, dims)
        y_train = x_train @ true_w + true_b + noise * torch.randn(n_train, 1)
        x_val = torch.randn(n_val, dims)
        y_val = x_val @ true_w + true_b + noise * torch.randn(n_val, 1)

    private = torch.Generator().manual_seed(seed + TEST_SEED_OFFSET)
    x_test = torch.randn(n_test, dims, generator=private)
    y_test = x_test @ true_w + true_b + noise * torch.randn(n_test, 1, generator=private)

    data = ToyData(x_train, y_train, x_val, y_val, x_test, y_test, true_w, true_b, noise, seed)
    return whiten_design(data) if whiten else data
