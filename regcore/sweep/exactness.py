"""Probes: which batched forms round their sums exactly as ``fit`` does, measured once per shape.

A sweep member should repeat :func:`regcore.training.fit` with the same settings and seeds. The
batched model (:mod:`regcore.sweep.stacked`) runs the same operations as fit's single model, but
whether a batched matmul rounds its sums as fit's single one does depends on the BLAS kernel,
the CPU and the shape, so it cannot be decided once and for all. The probes here run the batched
forms and fit's own operations (``_fit_width_one``, ``_fit_loss_and_grad``) on random
numbers and compare the bits; their answers are cached per shape, layout, dtype and device.

What they buy: where a probe agrees, the batched kernels round as fit's, every step gives fit's
bits, and members repeat ``fit`` bit for bit over whole runs, chaotic ones included (on this
machine with MKL: the full batch and batches of 32). Where no layout agrees the sweep still runs,
and its members follow fit to float32 round-off instead. Cost, measured on the book's machine
(one thread): about 20 ms per shape, once per process (17-25 ms for batches of 16, 32, 100 and
200 rows of the post's MLP), against 1.6 s for one 20-member, 300-epoch full-batch sweep; the
faster layout they clear for use makes that sweep 1.23 times as fast (2.00 s without it, medians
of three). So they pay for themselves in the first sweep and buy bit-exactness besides.

Used by ``_Stacked`` in :mod:`regcore.sweep.stacked` to pick its layouts, by ``tests/test_sweep.py``,
and through :func:`repeats_fit_exactly` by the "Beyond one seed" chapter
(``book/beyond/seeds.md``) to say which holds where the book was built.
"""
from __future__ import annotations

import torch

from ..settings import resolve_device


def _fit_width_one(h, w, b, g):
    """What ``fit`` computes for a width-one ``nn.Linear``, member by member: output and dW."""
    out = torch.stack([torch.nn.functional.linear(hk, wk, bk[0])
                       for hk, wk, bk in zip(h.unbind(0), w.unbind(0), b.unbind(0))])
    grad_w = torch.stack([gk.T.mm(hk) for hk, gk in zip(h.unbind(0), g.unbind(0))])
    return out, grad_w


def _batched_width_one_out(h, w, b):
    return torch.bmm(w, h.transpose(1, 2)).transpose(1, 2) + b


def _batched_width_one_grad_w(h, g):
    return torch.bmm(h.transpose(1, 2), g).transpose(1, 2)


_EXACT_BATCHED: dict = {}


def _batched_is_exact(rows: int, n_in: int, dtype, device) -> tuple[bool, bool]:
    """Whether the batched forms of the width-one layer give ``fit``'s bits for this shape.

    For one output unit ``nn.Linear`` runs matrix × vector products (gemv), whose sums may round
    differently from the batched matmul a wider layer uses. Two batched forms, ``w @ hᵀ`` for the
    output and ``hᵀ @ g`` for the weight gradient, reach the same kernel on this machine for most
    shapes, but that depends on the BLAS library, the CPU and the shape (MKL loops plainly below
    rows × inputs = 400). So it is measured once per shape on random data, against ``fit``'s own
    operations: returns (output exact, weight gradient exact).
    """
    key = (rows, n_in, dtype, str(device))
    if key not in _EXACT_BATCHED:
        gen = torch.Generator().manual_seed(rows * 1000 + n_in)
        draw = lambda *shape: torch.randn(*shape, generator=gen, dtype=dtype).to(device)  # noqa
        h, w, b, g = draw(3, rows, n_in), draw(3, 1, n_in), draw(3, 1, 1), draw(3, rows, 1)
        out, grad_w = _fit_width_one(h, w, b, g)
        _EXACT_BATCHED[key] = (torch.equal(_batched_width_one_out(h, w, b), out),
                               torch.equal(_batched_width_one_grad_w(h, g), grad_w))
    return _EXACT_BATCHED[key]



def _fit_loss_and_grad(theta, sizes, x, y, loss: str = "mse"):
    """Each member's loss and gradient as ``fit`` gets them: its layers, its loss, autograd.

    ``theta`` (K, P) in ``flatten_params`` order, ``x`` (K, B, in), ``y`` (K, B, 1) targets
    (``loss="mse"``) or (K, B) labels (``loss="cross_entropy"``).
    """
    loss_fn = (torch.nn.functional.cross_entropy if loss == "cross_entropy"
               else torch.nn.functional.mse_loss)
    losses, grads = [], []
    for t, xk, yk in zip(theta, x, y):
        with torch.enable_grad():
            t = t.clone().requires_grad_(True)
            h, offset = xk, 0
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
                w = t[offset:offset + n_in * n_out].view(n_out, n_in)
                offset += n_in * n_out
                h = torch.nn.functional.linear(h, w, t[offset:offset + n_out])
                offset += n_out
                if i < len(sizes) - 2:
                    h = torch.relu(h)
            value = loss_fn(h, yk)
            value.backward()
        losses.append(value.detach())
        grads.append(t.grad)
    return torch.stack(losses), torch.stack(grads)


_EXACT_STEP: dict = {}
#: Independent random draws a step probe must get right before a layout counts as exact.
PROBE_DRAWS = 8


def _step_is_exact(rows: int, sizes: tuple, fast: bool, dtype=torch.float32,
                   device="cpu", loss: str = "mse") -> bool:
    """Whether the training step of ``_Stacked`` (:mod:`regcore.sweep.stacked`), in the given
    layouts, gives fit's bits.

    MKL's small batched matmuls run faster as ``W @ aᵀ`` than as ``a @ Wᵀ`` (``fast``) and round
    the same way for most shapes, but not all (batches of a few rows take other kernels).
    Measured once per shape against ``_fit_loss_and_grad``: one step of three random
    members, on :data:`PROBE_DRAWS` independent draws. With few, small layers a single draw can
    happen to round alike where most do not (one draw called (8, 5, 4, 3, 1) at 32 rows exact;
    17 of 18 others did not), so every draw must agree.
    """
    key = (rows, tuple(sizes), fast, dtype, str(device), loss)
    if key not in _EXACT_STEP:
        from .stacked import _Stacked  # imported here: stacked.py imports this module
        gen = torch.Generator().manual_seed(rows)
        n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        exact = True
        for _ in range(PROBE_DRAWS):
            theta = (torch.rand(3, n_params, generator=gen, dtype=dtype) - 0.5).to(device)
            x = torch.randn(3, rows, sizes[0], generator=gen, dtype=dtype).to(device)
            if loss == "cross_entropy":
                y = torch.randint(sizes[-1], (3, rows), generator=gen).to(device)
            else:
                y = torch.randn(3, rows, 1, generator=gen, dtype=dtype).to(device)
            value, grad = _Stacked(theta, sizes, fast=fast, loss=loss).loss_and_grad(x, y)
            ref_value, ref_grad = _fit_loss_and_grad(theta, sizes, x, y, loss)
            exact = exact and torch.equal(value, ref_value) and torch.equal(grad, ref_grad)
            if not exact:
                break
        _EXACT_STEP[key] = exact
    return _EXACT_STEP[key]


def repeats_fit_exactly(rows: int, sizes: tuple = (50, 25, 25, 1), device: str = "cpu",
                        loss: str = "mse") -> bool:
    """Whether sweep members training on batches of ``rows`` rows repeat ``fit`` bit for bit.

    True when the layouts the sweep picks give fit's bits for one step of several members (then
    every step does: the same operations on the same numbers). Measured on this machine; used
    by the "Beyond one seed" chapters and the digits chapter (``loss="cross_entropy"``) to say
    which holds where the book was built.
    """
    device = resolve_device(device)
    return (_step_is_exact(rows, sizes, True, torch.float32, device, loss)
            or _step_is_exact(rows, sizes, False, torch.float32, device, loss))
