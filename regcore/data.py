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
class ToyData:
    """One draw of the toy problem: the splits, the true weights and how they were made."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    true_w: torch.Tensor
    true_b: torch.Tensor
    noise: float
    seed: int
    whitened: bool = False

    @property
    def dims(self) -> int:
        return self.x_train.shape[1]

    @property
    def n_train(self) -> int:
        return self.x_train.shape[0]

    @property
    def n_val(self) -> int:
        return self.x_val.shape[0]

    @property
    def n_test(self) -> int:
        return self.x_test.shape[0]

    def to(self, device=None, dtype=None) -> "ToyData":
        """A copy with every tensor moved to ``device`` and/or cast to ``dtype``."""
        moved = {f.name: getattr(self, f.name).to(device=device, dtype=dtype)
                 for f in fields(self) if isinstance(getattr(self, f.name), torch.Tensor)}
        return replace(self, **moved)


def _check_whitenable(n_train: int, dims: int) -> None:
    """Whitening inverts the training covariance, which has rank < dims unless n_train > dims."""
    if n_train <= dims:
        raise ValueError(f"n_train={n_train} is not allowed with whiten=True and dims={dims}: "
                         "whitening needs n_train > dims (the training covariance must be "
                         "invertible)")


def whiten_design(data: ToyData) -> ToyData:
    """Affine map of x fitted on the training split so that, with A = [X, 1], AᵀA/n = I.

    Centring on the training mean and multiplying by the inverse square root of the training
    covariance (divided by n) makes the columns orthonormal and orthogonal to the intercept. The
    same map is applied to validation and test x; y is unchanged. Used by the L1 theory chapter,
    where soft-thresholding is exact only for such a design.
    Raises ``ValueError`` when ``data.n_train <= data.dims``.
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

    Parameters are checked first; a bad one raises ``ValueError`` naming it.
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
