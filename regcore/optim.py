"""torch's Adam, AdamW and SGD update rules applied to one flat parameter vector.

``torch.optim`` on CPU loops over a model's parameter tensors in Python and converts its scalars
on every step: for the post's small MLP that costs more than the forward and backward passes of a
32-row batch. :class:`FlatParameters` re-seats a model's parameters as views of one vector, and
:class:`FlatOptimizer` applies the same elementwise operations as torch's single-tensor
implementation (``torch/optim/adam.py``, ``sgd.py``, defaults betas = (0.9, 0.999), eps = 1e-8,
no momentum, no amsgrad) to that vector in one go. Elementwise operations do not depend on how the
elements are grouped, so the results are the same bits; ``tests/test_fidelity.py`` checks them
against the original loop, which uses ``torch.optim``. Used by :func:`regcore.training.fit`.
"""
from __future__ import annotations

import torch
from torch import nn


class FlatParameters:
    """A model's parameters as views of one flat vector ``flat``, with a flat ``grad``."""

    def __init__(self, model: nn.Module):
        self.params = list(model.parameters())
        self.names = [name for name, _ in model.named_parameters()]
        self.flat = torch.cat([p.detach().reshape(-1) for p in self.params])
        self.grad = torch.zeros_like(self.flat)
        offset = 0
        for p in self.params:
            n = p.numel()
            p.data = self.flat[offset:offset + n].view_as(p)
            offset += n

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def gather_grad(self) -> torch.Tensor:
        """Copy every parameter's ``.grad`` into ``grad`` (one kernel) and return it."""
        torch.cat([p.grad.reshape(-1) for p in self.params], out=self.grad)
        return self.grad

    def state_dict(self, flat: torch.Tensor | None = None) -> dict:
        """``{name: tensor}`` copies (on CPU) of ``flat`` (default: the current parameters)."""
        flat = self.flat if flat is None else flat
        out, offset = {}, 0
        for name, p in zip(self.names, self.params):
            out[name] = flat[offset:offset + p.numel()].view_as(p).detach().cpu().clone()
            offset += p.numel()
        return out


class FlatOptimizer:
    """One step of torch's ``adam``, ``adamw`` or ``sgd`` rule on a flat vector, in place.

    ``weight_decay`` is a float, or a tensor that broadcasts against the parameters — e.g. a
    (K, 1) column giving each row of a (K, P) stack of models its own decay
    (:mod:`regcore.sweep`); a row with 0 takes exactly the undecayed step.
    """

    def __init__(self, kind: str, lr: float, weight_decay: float | torch.Tensor = 0.0,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8):
        if kind not in ("adam", "adamw", "sgd"):
            raise ValueError(f"kind={kind!r} is not allowed: kind must be 'adam', 'adamw' or 'sgd'")
        self.kind, self.lr, self.weight_decay = kind, lr, weight_decay
        if isinstance(weight_decay, torch.Tensor):
            self._decays = bool((weight_decay != 0).any())
        else:
            self._decays = weight_decay != 0
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.step_count = 0
        self.exp_avg = self.exp_avg_sq = None

    @torch.no_grad()
    def step(self, param: torch.Tensor, grad: torch.Tensor) -> None:
        lr, wd = self.lr, self.weight_decay
        if self.kind == "sgd":
            if self._decays:
                grad = self._coupled_decay(grad, param)
            param.add_(grad, alpha=-lr)
            return
        if self.exp_avg is None:
            self.exp_avg = torch.zeros_like(param)
            self.exp_avg_sq = torch.zeros_like(param)
        # torch counts steps in a float32 tensor read back with .item(): exact below 2**24
        self.step_count += 1
        step = float(self.step_count)
        if self._decays:
            if self.kind == "adamw":
                param.mul_(1 - lr * wd)
            else:
                grad = self._coupled_decay(grad, param)
        beta1, beta2 = self.beta1, self.beta2
        self.exp_avg.lerp_(grad, 1 - beta1)
        self.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        bias_correction1 = 1 - beta1 ** step
        bias_correction2 = 1 - beta2 ** step
        step_size = lr / bias_correction1
        denom = (self.exp_avg_sq.sqrt() / bias_correction2 ** 0.5).add_(self.eps)
        param.addcdiv_(self.exp_avg, denom, value=-step_size)

    def _coupled_decay(self, grad: torch.Tensor, param: torch.Tensor) -> torch.Tensor:
        """``grad + weight_decay·θ``, as torch's ``grad.add(param, alpha=weight_decay)``."""
        wd = self.weight_decay
        if isinstance(wd, torch.Tensor):
            return torch.addcmul(grad, param, wd)
        return grad.add(param, alpha=wd)
