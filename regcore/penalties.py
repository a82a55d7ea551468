"""The post's explicit penalties, as the gradient terms its training loop adds.

Manual L2 adds ``l2·θ`` (the gradient of ``(l2/2)‖θ‖²``) and manual L1 adds ``l1·sign θ`` (a
subgradient of ``l1‖θ‖₁``; ``sign 0 = 0``) to every parameter's gradient after ``backward`` and
before the optimiser's step. Used by :func:`regcore.training.fit`; chapters "Weight decay and L2"
and "L1 and sparsity".
"""
from __future__ import annotations

import torch


def l2_penalty(params, l2: float) -> torch.Tensor:
    """``(l2/2)·Σ‖θ‖²``: the loss whose gradient is the manual L2 term."""
    return 0.5 * l2 * sum((p * p).sum() for p in params)


def l1_penalty(params, l1: float) -> torch.Tensor:
    """``l1·Σ‖θ‖₁``: the loss whose (sub)gradient is the manual L1 term."""
    return l1 * sum(p.abs().sum() for p in params)


@torch.no_grad()
def add_penalty_gradient_(grad: torch.Tensor, param: torch.Tensor, l2: float = 0.0,
                          l1: float = 0.0) -> torch.Tensor:
    """Add ``l2·θ`` then ``l1·sign θ`` to ``grad`` in place (the post's order) and return it.

    Rounded as the original's ``param.grad.data += l2_reg*param.data``: the product is rounded
    to float32 first, then the sum. A fused ``grad.add_(param, alpha=l2)`` rounds once and gives
    different last bits in about one element in ten — which is also why the post's manual-L2 run
    and its weight-decay run (Adam's fused ``grad.add(param, alpha=wd)``) are not the same bits.
    """
    if l2:
        grad.add_(param * l2)
    if l1:
        grad.add_(torch.sign(param) * l1)
    return grad
