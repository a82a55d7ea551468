"""Many settings or seeds trained at once, as one batched model with stacked parameters.

A sweep trains K *members* — each with its own weight decay, L2 and L1 strength, dropout rate,
batch size, data seed, init seed and training seed — that share the architecture, the number of
epochs, the optimiser and its learning rate. The K parameter vectors are the rows of one (K, P)
tensor; every layer is a batched matmul over the members, and the backward pass is written out
(:meth:`_Stacked.loss_and_grad`) so that all K gradients land in one (K, P) buffer; torch's
Adam/AdamW/SGD rule (:class:`regcore.optim.FlatOptimizer`), being elementwise, steps all rows at
once with per-member weight decay. Members with different batch sizes take different numbers of
steps per epoch, so :func:`sweep` trains them as separate groups.

Each member follows :func:`regcore.training.fit` with the same settings and seeds: the same data
(:func:`regcore.data.make_data` with its data seed), the same initial weights (the model built
with its init seed, then flattened), the same shuffles (a private generator seeded like fit's
global one makes fit's draws per epoch: a loader seed, a shuffle seed for ``randperm``, a
validation-loader seed) and the same operations. Whether a batched matmul rounds its sums as
fit's single one does depends on the BLAS kernel, so the faster forms are checked once per shape
against fit's own operations (:func:`_batched_is_exact`, :func:`_step_is_exact`) and used
only where they agree bit for bit. On this machine (MKL) the full batch and batches of 32 repeat
fit's arithmetic exactly, so even chaotic runs never separate from fit; batches of a few rows
shared by several members round differently in the last bits, and then plain runs agree to
1e-5 and chaotic ones until their trajectories separate. Dropout masks come from a generator of
each member's own (seeded by its training seed) and epoch 0 is measured in eval mode (fit's
``initial_eval="clean"``), so dropout members agree with ``fit`` in distribution over seeds,
not draw for draw, and a member's run is the same alone as in any
sweep or worker split. ``tests/test_sweep.py`` checks all of these.

Validation runs on a schedule (:mod:`regcore.schedule`); the best epoch is the evaluated epoch of
lowest validation loss, whose parameters are kept and scored once on the held-out test split.
Parameter snapshots are kept at log-spaced epochs only. The validation pass keeps activations
transposed, (K, width, rows), so each layer is one contiguous batched matmul. Speed against
``fit``: ``benchmarks/bench_sweep.py``. Used by the "Beyond one seed" chapters and
``python -m regcore sweep``.
"""
from __future__ import annotations

import math
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import torch
from tqdm.auto import tqdm

from ._checks import (check_choice, check_decoupled_decay, check_int, check_real, check_seed,
                      check_sizes)
from .data import make_data
from .experiments import ModelSpec
from .memory import keep_freed_memory
from .models import flatten_params
from .optim import FlatOptimizer
from .schedule import evaluation_epochs, log_epochs
from .training import OPTIMIZERS, resolve_device

MODEL_KINDS = ("linear", "mlp")


@dataclass(frozen=True)
class Member:
    """One member's own settings: penalties, dropout, batch size and its three seeds.

    ``seed`` is the training-run seed (:attr:`TrainSettings.seed`: shuffles and dropout in
    ``fit``); ``init_seed`` builds the model; ``data_seed`` draws the data. ``label`` is free text
    carried into the results (e.g. ``"l1"``). Checked when made.
    """

    weight_decay: float = 0.0
    l2: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0
    batch_size: int | None = None  # None: full batch
    data_seed: int = 42
    init_seed: int = 42
    seed: int = 42
    label: str = ""

    def __post_init__(self):
        check_real("weight_decay", self.weight_decay, minimum=0.0)
        check_real("l2", self.l2, minimum=0.0)
        check_real("l1", self.l1, minimum=0.0)
        check_real("dropout", self.dropout, minimum=0.0, below=1.0)
        if self.batch_size is not None:
            check_int("batch_size", self.batch_size, minimum=1)
        check_seed("data_seed", self.data_seed)
        check_seed("init_seed", self.init_seed)
        check_seed("seed", self.seed)
        if not isinstance(self.label, str):
            raise ValueError(f"label={self.label!r} is not allowed: label must be a string")


@dataclass(frozen=True)
class SweepSettings:
    """What every member shares: model, data size, optimiser, epochs, schedule, device.

    ``max_evals=None`` validates every epoch; an integer validates every epoch up to
    ``dense_epochs`` and then log-spaced, at most ``max_evals`` times. ``snapshots`` is the number
    of log-spaced epochs whose parameters are kept (0: none). Checked when made.
    """

    model: str = "mlp"
    sizes: tuple = (50, 25, 25, 1)
    optimizer: str = "adam"
    lr: float = 0.01
    epochs: int = 1000
    n_train: int = 200
    n_val: int = 10_000
    n_test: int = 10_000
    noise: float = 0.2
    max_evals: int | None = 64
    dense_epochs: int = 16
    snapshots: int = 40
    device: str = "cpu"
    eval_chunk: int = 256

    def __post_init__(self):
        check_choice("model", self.model, MODEL_KINDS)
        object.__setattr__(self, "sizes", tuple(self.sizes))
        if self.model == "linear":
            if len(self.sizes) != 2 and self.sizes != SweepSettings.sizes:
                raise ValueError(f"sizes={self.sizes!r} is not allowed for model='linear': "
                                 "give (dims, 1) or leave the default")
            if len(self.sizes) != 2:
                object.__setattr__(self, "sizes", (self.sizes[0], 1))
        check_sizes("sizes", self.sizes)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_real("lr", self.lr, minimum=0.0, strict=True)
        check_int("epochs", self.epochs, minimum=1)
        check_int("n_train", self.n_train, minimum=1)
        check_int("n_val", self.n_val, minimum=1)
        check_int("n_test", self.n_test, minimum=1)
        check_real("noise", self.noise, minimum=0.0)
        check_int("dense_epochs", self.dense_epochs, minimum=0)
        if self.max_evals is not None:
            check_int("max_evals", self.max_evals, minimum=self.dense_epochs + 2)
        check_int("snapshots", self.snapshots, minimum=0)
        if self.snapshots == 1:
            raise ValueError("snapshots=1 is not allowed: snapshots must be 0 (none) or >= 2 "
                             "(the first and last epochs at least)")
        check_int("eval_chunk", self.eval_chunk, minimum=1)
        resolve_device(self.device)

    @property
    def dims(self) -> int:
        return self.sizes[0]

    def eval_epochs(self) -> np.ndarray:
        return evaluation_epochs(self.epochs, self.max_evals, self.dense_epochs)

    def snapshot_epochs(self) -> np.ndarray:
        return log_epochs(self.epochs, self.snapshots) if self.snapshots else np.zeros(0, int)

    def n_params(self) -> int:
        return sum(a * b + b for a, b in zip(self.sizes[:-1], self.sizes[1:]))

    def snapshot_bytes(self, members: int) -> int:
        """Bytes the float32 snapshots of ``members`` members take (512 members: well < 2 GB)."""
        return 4 * members * len(self.snapshot_epochs()) * self.n_params()


@dataclass(frozen=True, eq=False)
class SweepResult:
    """What a sweep produced; arrays have the members along their first axis, in input order.

    ``val_loss[k, j]`` is member k's validation loss at ``eval_epochs[j]``; ``train_loss[k, e]``
    its mean training loss of epoch e (every epoch; epoch 0 in eval mode before training, as
    ``fit`` with ``initial_eval="clean"``). ``snapshots[k, s]`` is its flat parameter vector at ``snapshot_epochs[s]`` (order of
    :func:`regcore.models.flatten_params`). ``diverged_epoch`` is -1 for members whose losses
    stayed finite.
    """

    settings: SweepSettings
    members: tuple
    eval_epochs: np.ndarray
    val_loss: np.ndarray
    train_loss: np.ndarray
    best_epoch: np.ndarray
    best_val_loss: np.ndarray
    train_loss_at_best: np.ndarray
    test_loss_at_best: np.ndarray
    snapshot_epochs: np.ndarray
    snapshots: np.ndarray = field(repr=False)
    best_theta: np.ndarray = field(repr=False)
    final_theta: np.ndarray = field(repr=False)
    diverged_epoch: np.ndarray = field(repr=False)
    seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.members)

    def records(self) -> list[dict]:
        """One flat dict per member: its settings and headline numbers (CLI's JSON/CSV rows)."""
        rows = []
        for k, m in enumerate(self.members):
            row = asdict(m)
            row["batch_size"] = ("full" if m.batch_size is None else m.batch_size)
            row.update(best_epoch=int(self.best_epoch[k]),
                       best_val_loss=float(self.best_val_loss[k]),
                       train_loss_at_best=float(self.train_loss_at_best[k]),
                       test_loss_at_best=float(self.test_loss_at_best[k]),
                       diverged_epoch=int(self.diverged_epoch[k]))
            rows.append(row)
        return rows

    def select(self, index) -> "SweepResult":
        """The members at ``index`` (an int array, a boolean mask or a slice), as a result."""
        idx = np.arange(len(self.members))[index]
        per = {name: getattr(self, name)[idx] for name in _PER_MEMBER}
        return replace(self, members=tuple(self.members[i] for i in idx), **per)

    def where(self, **conditions) -> "SweepResult":
        """The members whose fields equal the given values, e.g. ``where(label="l1")``."""
        mask = np.array([all(getattr(m, k) == v for k, v in conditions.items())
                         for m in self.members], dtype=bool)
        return self.select(mask)

    @staticmethod
    def concat(results) -> "SweepResult":
        """Members of several results with the same settings, in the given order."""
        results = list(results)
        if not results:
            raise ValueError("results=[] is not allowed: results must hold at least one "
                             "SweepResult")
        for i, r in enumerate(results):
            if not isinstance(r, SweepResult):
                raise ValueError(f"results[{i}]={type(r).__name__} is not allowed: results must "
                                 "be SweepResult objects")
            if r.settings != results[0].settings:
                raise ValueError(f"results[{i}].settings={r.settings!r} is not allowed: all "
                                 "results must share results[0].settings")
        first = results[0]
        per = {name: np.concatenate([getattr(r, name) for r in results]) for name in _PER_MEMBER}
        members = tuple(m for r in results for m in r.members)
        return replace(first, members=members, seconds=sum(r.seconds for r in results), **per)


_PER_MEMBER = ("val_loss", "train_loss", "best_epoch", "best_val_loss", "train_loss_at_best",
               "test_loss_at_best", "snapshots", "best_theta", "final_theta", "diverged_epoch")


# --- the batched model -------------------------------------------------------------------------

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


def _fit_loss_and_grad(theta, sizes, x, y):
    """Each member's loss and gradient as ``fit`` gets them: its layers, mse_loss, autograd.

    ``theta`` (K, P) in ``flatten_params`` order, ``x`` (K, B, in), ``y`` (K, B, 1).
    """
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
            loss = torch.nn.functional.mse_loss(h, yk)
            loss.backward()
        losses.append(loss.detach())
        grads.append(t.grad)
    return torch.stack(losses), torch.stack(grads)


_EXACT_STEP: dict = {}
#: Independent random draws a step probe must get right before a layout counts as exact.
PROBE_DRAWS = 8


def _step_is_exact(rows: int, sizes: tuple, fast: bool, dtype=torch.float32,
                   device="cpu") -> bool:
    """Whether :class:`_Stacked`'s training step, in the given layouts, gives fit's bits.

    MKL's small batched matmuls run faster as ``W @ aᵀ`` than as ``a @ Wᵀ`` (``fast``) and round
    the same way for most shapes, but not all (batches of a few rows take other kernels).
    Measured once per shape against :func:`_fit_loss_and_grad`: one step of three random
    members, on :data:`PROBE_DRAWS` independent draws. With few, small layers a single draw can
    happen to round alike where most do not (one draw called (8, 5, 4, 3, 1) at 32 rows exact;
    17 of 18 others did not), so every draw must agree.
    """
    key = (rows, tuple(sizes), fast, dtype, str(device))
    if key not in _EXACT_STEP:
        gen = torch.Generator().manual_seed(rows)
        n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
        exact = True
        for _ in range(PROBE_DRAWS):
            theta = (torch.rand(3, n_params, generator=gen, dtype=dtype) - 0.5).to(device)
            x = torch.randn(3, rows, sizes[0], generator=gen, dtype=dtype).to(device)
            y = torch.randn(3, rows, 1, generator=gen, dtype=dtype).to(device)
            loss, grad = _Stacked(theta, sizes, fast=fast).loss_and_grad(x, y)
            ref_loss, ref_grad = _fit_loss_and_grad(theta, sizes, x, y)
            exact = exact and torch.equal(loss, ref_loss) and torch.equal(grad, ref_grad)
            if not exact:
                break
        _EXACT_STEP[key] = exact
    return _EXACT_STEP[key]


def repeats_fit_exactly(rows: int, sizes: tuple = (50, 25, 25, 1), device: str = "cpu") -> bool:
    """Whether sweep members training on batches of ``rows`` rows repeat ``fit`` bit for bit.

    True when the layouts the sweep picks give fit's bits for one step of several members (then
    every step does: the same operations on the same numbers). Measured on this machine; used
    by the "Beyond one seed" chapters to say which holds where the book was built.
    """
    device = resolve_device(device)
    return (_step_is_exact(rows, sizes, True, torch.float32, device)
            or _step_is_exact(rows, sizes, False, torch.float32, device))


class _Stacked:
    """Views of the (K, P) parameter tensor as per-layer weights (K, out, in) and biases (K, 1, out).

    The flat layout is ``flatten_params``'s: weight then bias of each ``nn.Linear`` in order.
    :meth:`loss_and_grad` is the training step's forward and backward pass written out: batched
    forms of the operations autograd runs for one model in ``fit`` (so that each member gets
    fit's bits), with the gradient written straight into one (K, P) buffer. ``fast``: use the
    faster matmul layouts (``None``: where :func:`_step_is_exact` says they are exact).
    """

    def __init__(self, theta: torch.Tensor, sizes: tuple, fast: bool | None = None):
        self.layers, self.grad_views = [], []
        self.sizes, self.fast = tuple(sizes), fast
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
        return _step_is_exact(x.shape[1], self.sizes, True, x.dtype, x.device)

    def forward(self, x: torch.Tensor, keep: list | None = None) -> torch.Tensor:
        """``x`` (K, B, in) → (K, B, 1); ``keep`` holds one dropout multiplier per hidden layer."""
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
                acts.append(_width_one_out(x, w, b))
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

    def loss_and_grad(self, x, y, keep=None) -> tuple[torch.Tensor, torch.Tensor]:
        """Mean squared error per member (K,) and its gradient (K, P), the buffer ``self.grad``.

        The gradient of member k's loss alone lands in row k (the members do not interact).
        """
        fast = self._use_fast(x)
        acts = self._forward(x, keep, fast)
        diff = acts[-1] - y
        per_member = (diff ** 2).mean((1, 2))
        # mean then square, backwards: (1/N)·(2·diff), which rounds as fit's mse_loss backward
        g = (2 * diff) * (1.0 / diff[0].numel())
        last = len(self.layers) - 1
        for i in range(last, -1, -1):
            (w, _), (gw, gb), h = self.layers[i], self.grad_views[i], acts[i]
            if i == last:
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
            if i == last:
                g = g * w  # an outer product: one multiplication per entry, as in fit
            elif fast:
                g = torch.bmm(w.transpose(1, 2), g.transpose(1, 2)).transpose(1, 2)
            else:
                g = torch.bmm(g, w)
            g = torch.ops.aten.threshold_backward(g, h, 0)
            if keep is not None:
                g = g * keep[i - 1]
        return per_member, self.grad

    @torch.no_grad()
    def loss(self, x: torch.Tensor, y: torch.Tensor, chunk: int, shared: bool) -> torch.Tensor:
        """Mean squared error per member (K,) over all rows, in chunks of rows (eval mode).

        ``shared``: ``x`` is one (N, in) design used by every member, so the first layer is one
        (K·out, in) × (in, chunk) GEMM; otherwise ``x`` is (K, N, in) and ``y`` (K, N, 1).
        Activations are kept transposed, (K, width, chunk), so every layer is a contiguous
        batched matmul and the ReLUs run in place. Sums in float64.
        """
        k = self.layers[0][0].shape[0]
        n = x.shape[-2]
        total = torch.zeros(k, dtype=torch.float64, device=x.device)
        (w0, b0), rest = self.layers[0], self.layers[1:]
        w0_all, b0_all = w0.reshape(-1, w0.shape[-1]), b0.reshape(-1, 1)
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            if shared:
                h = torch.addmm(b0_all, w0_all, x[start:stop].T).view(k, -1, stop - start)
                yc = y[start:stop].view(1, -1)
            else:
                h = torch.baddbmm(b0.transpose(1, 2), w0, x[:, start:stop].transpose(1, 2))
                yc = y[:, start:stop, 0]
            for w, b in rest:
                h = torch.baddbmm(b.transpose(1, 2), w, h.relu_())
            diff = h[:, 0] - yc
            total += (diff * diff).sum(1, dtype=torch.float64)
        return total / n


def _shuffle_seeds(seed: int, epochs: int) -> list[int]:
    """The ``randperm`` seeds ``fit`` draws for epochs 0…epochs under training seed ``seed``.

    Per epoch ``fit`` draws three int64 from the global generator (training loader, shuffle,
    validation loader), the middle one seeding the shuffle; one vector draw gives the same values.
    """
    g = torch.Generator().manual_seed(seed)
    draws = torch.empty(3 * (epochs + 1), dtype=torch.int64).random_(generator=g)
    return draws[1::3].tolist()


def _mask_seed(seed: int) -> int:
    """The seed of a member's dropout-mask generator, from its training seed."""
    return (seed + 1) * 1_000_003 % 2 ** 62


def _dropout_masks(dropping, k, rows, hidden, device) -> list:
    """One (K, rows, width) multiplier per hidden layer: 1 for members without dropout, else
    Bernoulli(1 - p) / (1 - p) drawn from the member's own generator (fit's arithmetic: the
    mask is divided by 1 - p, then multiplies the activations)."""
    masks = []
    for width in hidden:
        mask = torch.ones(k, rows, width, device=device)
        for i, q, gen in dropping:
            mask[i].bernoulli_(q, generator=gen).div_(q)
        masks.append(mask)
    return masks


def _train_group(members, settings, datasets, device, progress, desc):
    """Train members that share a batch size; returns a dict of per-member numpy arrays."""
    k = len(members)
    n = settings.n_train
    bs = members[0].batch_size or n
    if bs > n:
        raise ValueError(f"batch_size={bs} is not allowed: with n_train={n} it must be between 1 "
                         f"and {n} (the last incomplete batch is dropped)")
    n_batches = n // bs
    epochs = settings.epochs
    sizes = (settings.dims,) + tuple(settings.sizes[1:])

    # Data: one copy per distinct data seed; members index it.
    seeds = sorted({m.data_seed for m in members})
    shared = len(seeds) == 1
    pick = torch.tensor([seeds.index(m.data_seed) for m in members], device=device)
    x_tr = torch.stack([datasets[s].x_train for s in seeds]).to(device)[pick]
    y_tr = torch.stack([datasets[s].y_train for s in seeds]).to(device)[pick]

    def split(name):
        xs = torch.stack([getattr(datasets[s], "x_" + name) for s in seeds]).to(device)
        ys = torch.stack([getattr(datasets[s], "y_" + name) for s in seeds]).to(device)
        return (xs[0], ys[0]) if shared else (xs[pick], ys[pick])

    x_val, y_val = split("val")

    # Initial parameters: each member's model built with its init seed, flattened.
    spec = lambda m: ModelSpec(settings.model, sizes, m.dropout, m.init_seed)  # noqa: E731
    theta = torch.stack([flatten_params(spec(m).build(settings.dims)) for m in members]).to(device)
    net = _Stacked(theta, sizes)
    col = lambda name: torch.tensor([[getattr(m, name)] for m in members],  # noqa: E731
                                    dtype=theta.dtype, device=device)
    wd, l2, l1 = col("weight_decay"), col("l2"), col("l1")
    any_wd = bool((wd != 0).any())
    any_l2, any_l1 = bool((l2 != 0).any()), bool((l1 != 0).any())
    hidden = list(sizes[1:-1])
    # Dropout: each member draws its masks from its own generator, seeded by its training seed
    # (not fit's stream), so its run does not depend on which members share its sweep.
    dropping = [(i, 1.0 - m.dropout, torch.Generator(device=device).manual_seed(
        _mask_seed(m.seed))) for i, m in enumerate(members) if m.dropout > 0]
    optimizer = FlatOptimizer(settings.optimizer, settings.lr, wd if any_wd else 0.0)
    perm_seeds = [_shuffle_seeds(m.seed, epochs) for m in members]
    perm_gen = torch.Generator()
    # Rows are gathered from one small copy when the members share their data (it stays in
    # cache), else from the members' stacked copies.
    row_start = 0 if shared else (torch.arange(k, device=device) * n)[:, None]
    x_flat = x_tr[0] if shared else x_tr.reshape(k * n, -1)
    y_flat = y_tr[0] if shared else y_tr.reshape(k * n, 1)
    perm = torch.empty(k, n, dtype=torch.long)
    perm_rows = perm.unbind(0)

    def shuffled(epoch):
        for s, row in zip(perm_seeds, perm_rows):
            perm_gen.manual_seed(s[epoch])
            torch.randperm(n, generator=perm_gen, out=row)
        index = (perm.to(device)[:, : n_batches * bs] + row_start).reshape(-1)
        return (x_flat.index_select(0, index).view(k, n_batches, bs, -1),
                y_flat.index_select(0, index).view(k, n_batches, bs, 1))

    eval_epochs = settings.eval_epochs()
    is_eval = np.zeros(epochs + 1, dtype=bool)
    is_eval[eval_epochs] = True
    snap_epochs = settings.snapshot_epochs()
    snap_row = {int(e): i for i, e in enumerate(snap_epochs)}
    snapshots = torch.empty(len(snap_epochs), k, theta.shape[1], device=device)
    val_hist = torch.empty(len(eval_epochs), k, dtype=torch.float64, device=device)
    train_hist = torch.empty(epochs + 1, k, dtype=torch.float64, device=device)
    best_val = torch.full((k,), math.inf, dtype=torch.float64, device=device)
    best_epoch = torch.zeros(k, dtype=torch.long, device=device)
    best_theta = theta.detach().clone()
    diverged = torch.full((k,), -1, dtype=torch.long, device=device)
    chunk = settings.eval_chunk

    def record(epoch, train_loss, j):
        train_hist[epoch] = train_loss
        bad = ~torch.isfinite(train_loss)
        if is_eval[epoch]:
            val = net.loss(x_val, y_val, chunk, shared)
            val_hist[j] = val
            bad |= ~torch.isfinite(val)
            better = val < best_val
            best_val.copy_(torch.where(better, val, best_val))
            best_epoch.copy_(torch.where(better, epoch, best_epoch))
            best_theta.copy_(torch.where(better[:, None], theta.detach(), best_theta))
        diverged.copy_(torch.where(bad & (diverged < 0), epoch, diverged))
        if epoch in snap_row:
            snapshots[snap_row[epoch]].copy_(theta.detach())

    # Epoch 0: evaluated before training, in eval mode, on the epoch-0 shuffle: fit's "clean"
    # protocol (TrainSettings.initial_eval); without dropout the same bits as the "post" one.
    with torch.no_grad():
        xb, yb = shuffled(0)
        losses = torch.stack([((net.forward(xb[:, j]) - yb[:, j]) ** 2).mean((1, 2))
                              for j in range(n_batches)])
    record(0, losses.double().mean(0), 0)
    j_eval = 1
    bar = tqdm(total=epochs, desc=desc, disable=not progress, leave=False)
    for epoch in range(1, epochs + 1):
        xb, yb = shuffled(epoch)
        losses = torch.empty(n_batches, k, device=device)
        for j in range(n_batches):
            keep = _dropout_masks(dropping, k, bs, hidden, device) if dropping else None
            per_member, grad = net.loss_and_grad(xb[:, j], yb[:, j], keep)
            if any_l2:  # product rounded, then the sum: the original's two roundings
                grad.add_(theta * l2)
            if any_l1:
                grad.add_(torch.sign(theta) * l1)
            optimizer.step(theta, grad)
            losses[j] = per_member
        with torch.no_grad():
            record(epoch, losses.double().mean(0), j_eval)
        if is_eval[epoch]:
            j_eval += 1
        bar.update()
    bar.close()

    # Score each member's best state once on the held-out test split.
    x_test, y_test = split("test")
    best_net = _Stacked(best_theta, sizes)
    test = best_net.loss(x_test, y_test, chunk, shared)
    be = best_epoch.cpu().numpy()
    train_np = train_hist.T.cpu().numpy()
    return {
        "val_loss": val_hist.T.cpu().numpy(), "train_loss": train_np, "best_epoch": be,
        "best_val_loss": best_val.cpu().numpy(),
        "train_loss_at_best": train_np[np.arange(k), be],
        "test_loss_at_best": test.cpu().numpy(),
        "snapshots": snapshots.transpose(0, 1).cpu().numpy(),
        "best_theta": best_theta.cpu().numpy(), "final_theta": theta.detach().cpu().numpy(),
        "diverged_epoch": diverged.cpu().numpy(),
    }


def check_members(members, settings: SweepSettings) -> tuple:
    """``members`` as a tuple, after checking that they can train together under ``settings``.

    Raises ``ValueError`` for settings that are not :class:`SweepSettings`, an empty or
    non-sequence ``members``, a member that is not a :class:`Member`, dropout on the linear
    model, a batch size larger than ``n_train``, or (AdamW) ``lr * weight_decay >= 1``.
    """
    if not isinstance(settings, SweepSettings):
        raise ValueError(f"settings={settings!r} is not allowed: settings must be a "
                         "SweepSettings")
    if isinstance(members, Member):
        raise ValueError(f"members={members!r} is not allowed: members must be a sequence of "
                         "Member objects (wrap one in a list)")
    members = tuple(members)
    if not members:
        raise ValueError("members=() is not allowed: a sweep needs at least one Member")
    for i, m in enumerate(members):
        if not isinstance(m, Member):
            raise ValueError(f"members[{i}]={m!r} is not allowed: members must be Member objects")
        if settings.model == "linear" and m.dropout:
            raise ValueError(f"members[{i}].dropout={m.dropout!r} is not allowed for "
                             "model='linear': the linear model has no dropout (use 0.0)")
        if m.batch_size is not None and m.batch_size > settings.n_train:
            raise ValueError(f"members[{i}].batch_size={m.batch_size} is not allowed: with "
                             f"n_train={settings.n_train} it must be between 1 and "
                             f"{settings.n_train}")
        if settings.optimizer == "adamw":
            check_decoupled_decay(settings.lr, m.weight_decay,
                                  name=f"members[{i}].weight_decay")
    return members


def sweep(members, settings: SweepSettings = SweepSettings(), progress: bool = False,
          desc: str = "sweep") -> SweepResult:
    """Train every member of ``members`` (a sequence of :class:`Member`) under ``settings``.

    Members with the same batch size train together as one batched model; results come back in
    the input order. Raises ``ValueError`` for an empty sweep, a member that is not a
    :class:`Member`, dropout on the linear model, or a batch size larger than ``n_train``.
    """
    members = check_members(members, settings)
    device = resolve_device(settings.device)
    keep_freed_memory()
    start = time.perf_counter()
    datasets = {s: make_data(settings.n_train, settings.n_val, settings.n_test, settings.dims,
                             settings.noise, seed=s) for s in sorted({m.data_seed for m in members})}
    groups: dict = {}
    for i, m in enumerate(members):
        groups.setdefault(m.batch_size or settings.n_train, []).append(i)
    parts, order = [], []
    for bs, idx in groups.items():
        group = [members[i] for i in idx]
        parts.append(_train_group(group, settings, datasets, device, progress,
                                  f"{desc} (batch {bs}, {len(group)} members)"))
        order += idx
    inverse = np.argsort(order)
    per = {name: np.concatenate([p[name] for p in parts])[inverse] for name in _PER_MEMBER}
    return SweepResult(settings=settings, members=members, eval_epochs=settings.eval_epochs(),
                       snapshot_epochs=settings.snapshot_epochs(),
                       seconds=time.perf_counter() - start, **per)


def _worker_init() -> None:
    torch.set_num_threads(1)


def sweep_parallel(members, settings: SweepSettings = SweepSettings(), workers: int = 2,
                   progress: bool = False, desc: str = "sweep") -> SweepResult:
    """:func:`sweep` with the members split into ``workers`` spawn processes (one thread each).

    Each member's result does not depend on which other members share its process (dropout
    masks included: every member has its own generator). CPU only; on CUDA this is
    :func:`sweep` in process.
    """
    members = check_members(members, settings)
    workers = check_int("workers", workers, minimum=1)
    if workers == 1 or len(members) < 2 or resolve_device(settings.device).type != "cpu":
        return sweep(members, settings, progress, desc)
    chunks = [c for c in np.array_split(np.arange(len(members)), workers) if len(c)]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(len(chunks), mp_context=ctx, initializer=_worker_init) as pool:
        futures = [pool.submit(sweep, tuple(members[i] for i in c), settings, False, desc)
                   for c in chunks]
        bar = tqdm(total=len(futures), desc=desc, disable=not progress, leave=False)
        results = []
        for fut in futures:
            results.append(fut.result())
            bar.update()
        bar.close()
    return SweepResult.concat(results)


def sweep_many(jobs: dict, workers: int = 2, progress: bool = False) -> dict:
    """Several sweeps ``{key: (members, settings)}`` on one pool of ``workers`` processes.

    Each job is split into ``workers`` parts of contiguous members; all parts share the pool, so
    short and long jobs fill both cores. Returns ``{key: SweepResult}`` with members in order.
    With ``workers == 1`` (or on CUDA) the jobs run in this process.
    """
    workers = check_int("workers", workers, minimum=1)
    if not isinstance(jobs, dict) or not jobs:
        raise ValueError(f"jobs={jobs!r} is not allowed: jobs must be a non-empty dict "
                         "{key: (members, settings)}")
    for key, job in jobs.items():
        if not isinstance(job, (tuple, list)) or len(job) != 2:
            raise ValueError(f"jobs[{key!r}]={job!r} is not allowed: each job must be a pair "
                             "(members, settings)")
    jobs = {key: (check_members(members, settings), settings)
            for key, (members, settings) in jobs.items()}
    if workers == 1 or any(resolve_device(s.device).type != "cpu" for _, s in jobs.values()):
        return {key: sweep(m, s, progress, str(key)) for key, (m, s) in jobs.items()}
    tasks = []
    for key, (members, settings) in jobs.items():
        for part in np.array_split(np.arange(len(members)), min(workers, len(members))):
            tasks.append((key, tuple(members[i] for i in part), settings))
    # longest first: epochs × members × steps per epoch
    cost = lambda t: t[2].epochs * len(t[1]) * (1 + t[2].n_train // (t[1][0].batch_size  # noqa
                                                                     or t[2].n_train))
    order = sorted(range(len(tasks)), key=lambda i: -cost(tasks[i]))
    ctx = multiprocessing.get_context("spawn")
    parts: dict = {}
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init) as pool:
        futures = {i: pool.submit(sweep, tasks[i][1], tasks[i][2], False, str(tasks[i][0]))
                   for i in order}
        bar = tqdm(total=len(tasks), desc="sweeps", disable=not progress, leave=False)
        for i in range(len(tasks)):
            parts.setdefault(tasks[i][0], []).append(futures[i].result())
            bar.update()
        bar.close()
    return {key: SweepResult.concat(parts[key]) for key in jobs}
