"""The batched model: K members' parameters as one (K, P) tensor, forward and backward written out.

:class:`_Stacked` views the rows of the (K, P) parameter tensor as per-layer weights and biases,
so every layer is one batched matmul over the members, and its training step
(:meth:`_Stacked.loss_and_grad`) is the forward and backward pass that autograd runs for one
model in ``fit``, written out in batched form with all K gradients landing in one (K, P) buffer
(for one optimiser step on all rows, :class:`regcore.optim.FlatOptimizer`). Written out rather
than left to autograd so that each member gets fit's operations in fit's order, hence fit's
bits; the layouts whose rounding agrees are picked by the probes of
:mod:`regcore.sweep.exactness`. :meth:`_Stacked.loss` is the validation and test pass (eval
mode, in chunks of rows). Trained by :mod:`regcore.sweep.loop`, for the "Beyond one seed"
chapters (``book/beyond/seeds.md``, ``tuning.md``) and ``python -m regcore sweep``.

Two losses: the toy problem's mean squared error (one output), and cross-entropy over class
labels (one output per class, the digits chapter ``book/more/digits.md``), whose backward is
torch's own two kernels (``nll_loss``'s gradient, then ``_log_softmax_backward_data``) applied to
all members at once, and whose recorded loss is ``nll_loss`` member by member, as ``fit`` gets
them from ``F.cross_entropy``.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .exactness import (_batched_is_exact, _batched_width_one_grad_w, _batched_width_one_out,
                        _step_is_exact)


def _width_one_out(h, w, b):
    """``h`` (K, B, in) through K one-output layers ``w`` (K, 1, in), ``b`` (K, 1, 1), as fit.

    Batched where :func:`_batched_is_exact` says that gives fit's bits, else ``addmv`` member by
    member (about two microseconds each).
    """
    if _batched_is_exact(h.shape[1], h.shape[2], h.dtype, h.device)[0]:
        return _batched_width_one_out(h, w, b)
    out = torch.empty(h.shape[:2], dtype=h.dtype, device=h.device)
    for o, hk, wk, bk in zip(out.unbind(0), h.unbind(0), w[:, 0].unbind(0), b[:, 0].unbind(0)):
        torch.addmv(bk, hk, wk, out=o)
    return out.unsqueeze(-1)


def _width_one_grad_w(h, g):
    """The weight gradient (K, 1, in) of :func:`_width_one_out` for output gradient ``g``."""
    if _batched_is_exact(h.shape[1], h.shape[2], h.dtype, h.device)[1]:
        return _batched_width_one_grad_w(h, g)
    # mv without out=: the out= variant takes another kernel whose sums round differently
    return torch.stack([torch.mv(hk, gk) for hk, gk in
                        zip(h.transpose(1, 2).unbind(0), g[:, :, 0].unbind(0))]).unsqueeze(1)


class _Stacked:
    """Views of the (K, P) parameter tensor as per-layer weights (K, out, in) and biases (K, 1, out).

    The flat layout is ``flatten_params``'s: weight then bias of each ``nn.Linear`` in order.
    :meth:`loss_and_grad` is the training step's forward and backward pass written out: batched
    forms of the operations autograd runs for one model in ``fit`` (so that each member gets
    fit's bits), with the gradient written straight into one (K, P) buffer. ``fast``: use the
    faster matmul layouts (``None``: where :func:`_step_is_exact` says they are exact).
    """

    def __init__(self, theta: torch.Tensor, sizes: tuple, fast: bool | None = None,
                 loss: str = "mse"):
        self.layers, self.grad_views = [], []
        self.sizes, self.fast, self.loss_kind = tuple(sizes), fast, loss
        self.width_one = self.sizes[-1] == 1
        self.grad = torch.empty_like(theta)
        k, offset = theta.shape[0], 0
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            w = theta[:, offset:offset + n_in * n_out].view(k, n_out, n_in)
            gw = self.grad[:, offset:offset + n_in * n_out].view(k, n_out, n_in)
            offset += n_in * n_out
            b = theta[:, offset:offset + n_out].view(k, 1, n_out)
            gb = self.grad[:, offset:offset + n_out].view(k, 1, n_out)
            offset += n_out
            self.layers.append((w, b))
            self.grad_views.append((gw, gb))

    def _use_fast(self, x) -> bool:
        if self.fast is not None:
            return self.fast
        return _step_is_exact(x.shape[1], self.sizes, True, x.dtype, x.device, self.loss_kind)

    def forward(self, x: torch.Tensor, keep: list | None = None) -> torch.Tensor:
        """``x`` (K, B, in) → (K, B, out); ``keep`` holds one dropout multiplier per hidden layer."""
        return self._forward(x, keep, self._use_fast(x))[-1]

    def _forward(self, x, keep, fast):
        """Every layer's input, then the output: [x, a1, …, out].

        ``fast``: hidden layers but the last compute ``W @ aᵀ`` (outputs stored transposed);
        the last hidden layer always stores its output row by row, the layout the one-output
        layer needs for fit's bits.
        """
        acts = [x]
        last = len(self.layers) - 1
        for i, (w, b) in enumerate(self.layers):
            if i == last:
                acts.append(_width_one_out(x, w, b) if self.width_one
                            else torch.baddbmm(b, x, w.transpose(1, 2)))
                return acts
            if fast and i < last - 1:
                x = torch.baddbmm(b.transpose(1, 2), w, x.transpose(1, 2)).transpose(1, 2)
            else:
                x = torch.baddbmm(b, x, w.transpose(1, 2))
            if keep is not None:
                x = x * keep[i]
            x = torch.relu(x)
            acts.append(x)
        return acts

    def batch_loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Each member's loss (K,) on one batch of outputs ``out`` (K, B, out) and targets ``y``
        ((K, B, 1) floats, or (K, B) labels), as ``fit`` computes it for one model."""
        if self.loss_kind == "cross_entropy":
            return torch.stack([F.cross_entropy(o, t) for o, t in zip(out, y)])
        return ((out - y) ** 2).mean((1, 2))

    def _output_grad(self, out, y):
        """Each member's loss (K,) and its gradient with respect to the outputs (K, B, out)."""
        if self.loss_kind == "cross_entropy":
            # F.cross_entropy is log_softmax then nll_loss; backwards, nll_loss puts
            # -(1/B) (rounded in the output's dtype) at each row's label and log_softmax's own
            # backward kernel turns that into (softmax - onehot)/B: the same kernels as fit's
            logp = torch.log_softmax(out, -1)
            per_member = torch.stack([F.nll_loss(lp, t) for lp, t in zip(logp, y)])
            scale = -(torch.ones((), dtype=out.dtype, device=out.device) / y.shape[1])
            g_logp = torch.zeros_like(out).scatter_(-1, y.unsqueeze(-1), scale.expand(
                y.shape + (1,)))
            g = torch.ops.aten._log_softmax_backward_data(g_logp, logp, -1, out.dtype)
            return per_member, g
        diff = out - y
        # mean then square, backwards: (1/N)·(2·diff), which rounds as fit's mse_loss backward
        return (diff ** 2).mean((1, 2)), (2 * diff) * (1.0 / diff[0].numel())

    def loss_and_grad(self, x, y, keep=None, activation_l1=None) -> tuple[torch.Tensor,
                                                                          torch.Tensor]:
        """Each member's loss (K,) and its gradient (K, P), the buffer ``self.grad``.

        Mean squared error for targets (K, B, 1), cross-entropy for labels (K, B). The gradient
        of member k's loss alone lands in row k (the members do not interact).
        ``activation_l1``: a (K, 1, 1) float64 column of the members' activation penalties, or
        None; its gradient, ``activation_l1 / B`` rounded once to the parameters' dtype (fit's
        ``sum(h) * (λ / rows)``), is added to each hidden layer's gradient before the ReLU's
        backward, where autograd accumulates it in fit. The returned loss leaves it out.
        """
        act = (None if activation_l1 is None
               else (activation_l1 / x.shape[1]).to(self.grad.dtype))
        fast = self._use_fast(x)
        acts = self._forward(x, keep, fast)
        per_member, g = self._output_grad(acts[-1], y)
        last = len(self.layers) - 1
        for i in range(last, -1, -1):
            (w, _), (gw, gb), h = self.layers[i], self.grad_views[i], acts[i]
            if i == last and self.width_one:
                gw.copy_(_width_one_grad_w(h, g))
            elif fast:
                gw.copy_(torch.bmm(g.transpose(1, 2), h))
            else:
                gw.copy_(torch.bmm(h.transpose(1, 2), g).transpose(1, 2))
            # fit sums the bias gradient down the rows of a row-major (N, out) matrix; another
            # layout would reduce in another order
            gb.copy_(g.contiguous().sum(1, keepdim=True))
            if i == 0:
                break
            if i == last and self.width_one:
                g = g * w  # an outer product: one multiplication per entry, as in fit
            elif fast:
                g = torch.bmm(w.transpose(1, 2), g.transpose(1, 2)).transpose(1, 2)
            else:
                g = torch.bmm(g, w)
            if act is not None:
                g = g + act
            g = torch.ops.aten.threshold_backward(g, h, 0)
            if keep is not None:
                g = g * keep[i - 1]
        return per_member, self.grad

    @torch.no_grad()
    def loss(self, x: torch.Tensor, y: torch.Tensor, chunk: int, shared: bool) -> torch.Tensor:
        """The loss per member (K,) over all rows, in chunks of rows (eval mode).

        Mean squared error, or cross-entropy for labels. ``shared``: ``x`` is one (N, in) design
        used by every member, so the first layer is one (K·out, in) × (in, chunk) GEMM, and ``y``
        is (N, 1) or (N,); otherwise ``x`` is (K, N, in) and ``y`` (K, N, 1) or (K, N).
        Activations are kept transposed, (K, width, chunk), so every layer is a contiguous
        batched matmul and the ReLUs run in place. Sums in float64.
        """
        k = self.layers[0][0].shape[0]
        n = x.shape[-2]
        total = torch.zeros(k, dtype=torch.float64, device=x.device)
        labels = self.loss_kind == "cross_entropy"
        (w0, b0), rest = self.layers[0], self.layers[1:]
        w0_all, b0_all = w0.reshape(-1, w0.shape[-1]), b0.reshape(-1, 1)
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            if shared:
                h = torch.addmm(b0_all, w0_all, x[start:stop].T).view(k, -1, stop - start)
                yc = y[start:stop].view(1, -1)
            else:
                h = torch.baddbmm(b0.transpose(1, 2), w0, x[:, start:stop].transpose(1, 2))
                yc = y[:, start:stop] if labels else y[:, start:stop, 0]
            for w, b in rest:
                h = torch.baddbmm(b.transpose(1, 2), w, h.relu_())
            if labels:  # h is (K, classes, rows): minus the log-probability of each label
                logp = torch.log_softmax(h, 1)
                picked = logp.gather(1, yc.expand(k, -1).unsqueeze(1))
                total -= picked.sum((1, 2), dtype=torch.float64)
            else:
                diff = h[:, 0] - yc
                total += (diff * diff).sum(1, dtype=torch.float64)
        return total / n
