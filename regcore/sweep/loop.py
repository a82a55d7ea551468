"""The training loop of one group of sweep members: those that share a batch size.

Members with the same batch size take the same number of steps per epoch, so they train as one
batched model (:class:`~regcore.sweep.stacked._Stacked`); :func:`regcore.sweep.run.sweep` hands
each group to :func:`_train_group`. A :class:`_GroupRun` holds the group's tensors (data,
stacked parameters, optimiser, histories) and its steps as named methods: the epoch's shuffle
(:meth:`~_GroupRun.shuffled`), one epoch of training steps (:meth:`~_GroupRun.train_epoch`), the
bookkeeping after each epoch (:meth:`~_GroupRun.record`) and the final test score
(:meth:`~_GroupRun.results`).

Each member follows :func:`regcore.training.fit` with its settings and seeds: the same data, the
same initial weights, the same shuffles (:func:`_shuffle_seeds` makes fit's per-epoch draws
from a private generator) and the same operations in the same order, which
``tests/test_sweep.py`` checks bit for bit; any change here must keep every floating-point
operation, random draw and generator seeding where it is. Dropout masks come from each member's
own generator (:func:`_mask_seed`, :func:`_dropout_masks`), so a member's run does not depend on
which members share its sweep. Input noise comes from each noisy member's own generator too,
seeded as ``fit`` seeds its own (:func:`regcore.seeding.input_noise_seed`) and drawn in
``fit``'s order (one ``(rows, dims)`` draw per step), so a member's noise is ``fit``'s draw for
draw. Used by the "Beyond one seed" chapters (``book/beyond/seeds.md``, ``tuning.md``) and
``python -m regcore sweep``.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from tqdm.auto import tqdm

from ..experiments import ModelSpec
from ..models import flatten_params
from ..optim import FlatOptimizer
from ..seeding import input_noise_seed
from ..settings import check_batch_fits
from .stacked import _Stacked


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


def _column(members, name: str, dtype, device) -> torch.Tensor:
    """The members' values of field ``name`` as a (K, 1) column."""
    return torch.tensor([[getattr(m, name)] for m in members], dtype=dtype, device=device)


class _GroupRun:
    """Members that share a batch size, while they train: their tensors and their steps.

    Made before training (data, initial parameters, optimiser, empty histories); then
    :meth:`initial_epoch`, :meth:`train_epoch` for epochs 1…epochs, and :meth:`results`.
    """

    def __init__(self, members, settings, datasets, device):
        self.k = len(members)
        self.n = n = settings.n_train
        self.bs = bs = check_batch_fits(members[0].batch_size, n)
        self.n_batches = n // bs
        self.epochs = settings.epochs
        self.sizes = (settings.dims,) + tuple(settings.sizes[1:])
        self.datasets, self.device = datasets, device
        self._load_data(members)
        self._init_params(members, settings)
        self._init_history(settings)

    def _load_data(self, members):
        """One copy per distinct data seed; members index it."""
        device = self.device
        self.seeds = seeds = sorted({m.data_seed for m in members})
        self.shared = len(seeds) == 1
        self.pick = torch.tensor([seeds.index(m.data_seed) for m in members], device=device)
        self.x_tr = torch.stack([self.datasets[s].x_train for s in seeds]).to(device)[self.pick]
        self.y_tr = torch.stack([self.datasets[s].y_train for s in seeds]).to(device)[self.pick]
        self.x_val, self.y_val = self.split("val")

    def _init_params(self, members, settings):
        """Initial parameters (each member's model built with its init seed, flattened),
        penalties, dropout and input-noise generators, optimiser and the shuffle's state."""
        k, n, device, sizes = self.k, self.n, self.device, self.sizes
        self.theta = theta = torch.stack([
            flatten_params(ModelSpec(settings.model, sizes, m.dropout, m.init_seed)
                           .build(settings.dims)) for m in members]).to(device)
        self.loss_kind = settings.loss
        self.net = _Stacked(theta, sizes, loss=self.loss_kind)
        wd = _column(members, "weight_decay", theta.dtype, device)
        self.l2 = _column(members, "l2", theta.dtype, device)
        self.l1 = _column(members, "l1", theta.dtype, device)
        any_wd = bool((wd != 0).any())
        self.any_l2, self.any_l1 = bool((self.l2 != 0).any()), bool((self.l1 != 0).any())
        act = _column(members, "activation_l1", torch.float64, device)
        self.act_l1 = act[:, :, None] if bool((act != 0).any()) else None  # (K, 1, 1)
        self.hidden = list(sizes[1:-1])
        # Dropout: each member draws its masks from its own generator, seeded by its training
        # seed (not fit's stream), so its run does not depend on which members share its sweep.
        self.dropping = [(i, 1.0 - m.dropout, torch.Generator(device=device).manual_seed(
            _mask_seed(m.seed))) for i, m in enumerate(members) if m.dropout > 0]
        # Input noise: each noisy member draws from its own generator, seeded as fit seeds its
        # own, so its noise is fit's; members without noise have none and draw nothing.
        self.noisy = [(i, m.input_noise, torch.Generator(device=device).manual_seed(
            input_noise_seed(m.seed))) for i, m in enumerate(members) if m.input_noise > 0]
        self.optimizer = FlatOptimizer(settings.optimizer, settings.lr, wd if any_wd else 0.0)
        self.perm_seeds = [_shuffle_seeds(m.seed, self.epochs) for m in members]
        self.perm_gen = torch.Generator()
        # Rows are gathered from one small copy when the members share their data (it stays in
        # cache), else from the members' stacked copies.
        shared = self.shared
        self.row_start = 0 if shared else (torch.arange(k, device=device) * n)[:, None]
        self.x_flat = self.x_tr[0] if shared else self.x_tr.reshape(k * n, -1)
        self.y_tail = tuple(self.y_tr.shape[2:])  # (1,) for targets, () for labels
        self.y_flat = self.y_tr[0] if shared else self.y_tr.reshape(k * n, *self.y_tail)
        self.perm = torch.empty(k, n, dtype=torch.long)
        self.perm_rows = self.perm.unbind(0)

    def _init_history(self, settings):
        """Empty per-member histories, best-so-far state and snapshots."""
        k, epochs, device, theta = self.k, self.epochs, self.device, self.theta
        eval_epochs = settings.eval_epochs()
        self.is_eval = np.zeros(epochs + 1, dtype=bool)
        self.is_eval[eval_epochs] = True
        snap_epochs = settings.snapshot_epochs()
        self.snap_row = {int(e): i for i, e in enumerate(snap_epochs)}
        self.snapshots = torch.empty(len(snap_epochs), k, theta.shape[1], device=device)
        self.val_hist = torch.empty(len(eval_epochs), k, dtype=torch.float64, device=device)
        self.train_hist = torch.empty(epochs + 1, k, dtype=torch.float64, device=device)
        self.best_val = torch.full((k,), math.inf, dtype=torch.float64, device=device)
        self.best_epoch = torch.zeros(k, dtype=torch.long, device=device)
        self.best_theta = theta.detach().clone()
        self.diverged = torch.full((k,), -1, dtype=torch.long, device=device)
        self.chunk = settings.eval_chunk
        self.j_eval = 0  # the row of val_hist the next evaluated epoch fills

    def split(self, name: str):
        """The members' ``name`` split (``"val"`` or ``"test"``): one shared copy or one each."""
        xs = torch.stack([getattr(self.datasets[s], "x_" + name) for s in self.seeds])
        ys = torch.stack([getattr(self.datasets[s], "y_" + name) for s in self.seeds])
        xs, ys = xs.to(self.device), ys.to(self.device)
        return (xs[0], ys[0]) if self.shared else (xs[self.pick], ys[self.pick])

    def shuffled(self, epoch: int):
        """Epoch ``epoch``'s batches, (K, batches, rows, in) and (K, batches, rows, 1) targets
        or (K, batches, rows) labels."""
        k, n, bs, n_batches = self.k, self.n, self.bs, self.n_batches
        for s, row in zip(self.perm_seeds, self.perm_rows):
            self.perm_gen.manual_seed(s[epoch])
            torch.randperm(n, generator=self.perm_gen, out=row)
        index = (self.perm.to(self.device)[:, : n_batches * bs] + self.row_start).reshape(-1)
        return (self.x_flat.index_select(0, index).view(k, n_batches, bs, -1),
                self.y_flat.index_select(0, index).view(k, n_batches, bs, *self.y_tail))

    def record(self, epoch: int, train_loss: torch.Tensor, j: int) -> None:
        """Store epoch ``epoch``'s training loss; on evaluated epochs validate (row ``j``) and
        keep the best state; mark divergence; keep a snapshot where one is due."""
        theta = self.theta
        self.train_hist[epoch] = train_loss
        bad = ~torch.isfinite(train_loss)
        if self.is_eval[epoch]:
            val = self.net.loss(self.x_val, self.y_val, self.chunk, self.shared)
            self.val_hist[j] = val
            bad |= ~torch.isfinite(val)
            better = val < self.best_val
            self.best_val.copy_(torch.where(better, val, self.best_val))
            self.best_epoch.copy_(torch.where(better, epoch, self.best_epoch))
            self.best_theta.copy_(torch.where(better[:, None], theta.detach(), self.best_theta))
        self.diverged.copy_(torch.where(bad & (self.diverged < 0), epoch, self.diverged))
        if epoch in self.snap_row:
            self.snapshots[self.snap_row[epoch]].copy_(theta.detach())

    def initial_epoch(self) -> None:
        """Epoch 0: evaluated before training, in eval mode, on the epoch-0 shuffle: fit's
        "clean" protocol (TrainSettings.initial_eval); without dropout the same bits as the
        "post" one."""
        with torch.no_grad():
            xb, yb = self.shuffled(0)
            losses = torch.stack([self.net.batch_loss(self.net.forward(xb[:, j]), yb[:, j])
                                  for j in range(self.n_batches)])
        self.record(0, losses.double().mean(0), 0)
        self.j_eval = 1

    def train_epoch(self, epoch: int) -> None:
        """One epoch of training steps on its shuffle, then :meth:`record`.

        Noisy members' inputs get their noise in place (``xb`` is this epoch's own gather): per
        step, one ``(rows, dims)`` draw from the member's generator, scaled by its ``s``, then
        added, fit's ``x + s·ξ`` in fit's two roundings.
        """
        theta = self.theta
        xb, yb = self.shuffled(epoch)
        losses = torch.empty(self.n_batches, self.k, device=self.device)
        for j in range(self.n_batches):
            for i, s, gen in self.noisy:
                x = xb[i, j]
                x.add_(s * torch.randn(x.shape, generator=gen, dtype=x.dtype,
                                       device=x.device))
            keep = _dropout_masks(self.dropping, self.k, self.bs, self.hidden, self.device) \
                if self.dropping else None
            per_member, grad = self.net.loss_and_grad(xb[:, j], yb[:, j], keep, self.act_l1)
            if self.any_l2:  # product rounded, then the sum: the original's two roundings
                grad.add_(theta * self.l2)
            if self.any_l1:
                grad.add_(torch.sign(theta) * self.l1)
            self.optimizer.step(theta, grad)
            losses[j] = per_member
        with torch.no_grad():
            self.record(epoch, losses.double().mean(0), self.j_eval)
        if self.is_eval[epoch]:
            self.j_eval += 1

    def results(self) -> dict:
        """Score each member's best state once on the held-out test split; per-member arrays."""
        k = self.k
        x_test, y_test = self.split("test")
        best_net = _Stacked(self.best_theta, self.sizes, loss=self.loss_kind)
        test = best_net.loss(x_test, y_test, self.chunk, self.shared)
        be = self.best_epoch.cpu().numpy()
        train_np = self.train_hist.T.cpu().numpy()
        return {
            "val_loss": self.val_hist.T.cpu().numpy(), "train_loss": train_np, "best_epoch": be,
            "best_val_loss": self.best_val.cpu().numpy(),
            "train_loss_at_best": train_np[np.arange(k), be],
            "test_loss_at_best": test.cpu().numpy(),
            "snapshots": self.snapshots.transpose(0, 1).cpu().numpy(),
            "best_theta": self.best_theta.cpu().numpy(),
            "final_theta": self.theta.detach().cpu().numpy(),
            "diverged_epoch": self.diverged.cpu().numpy(),
        }


def _train_group(members, settings, datasets, device, progress, desc):
    """Train members that share a batch size; returns a dict of per-member numpy arrays."""
    run = _GroupRun(members, settings, datasets, device)
    run.initial_epoch()
    bar = tqdm(total=run.epochs, desc=desc, disable=not progress, leave=False)
    for epoch in range(1, run.epochs + 1):
        run.train_epoch(epoch)
        bar.update()
    bar.close()
    return run.results()
