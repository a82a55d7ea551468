"""A faithful, deliberately naive re-implementation of the post's original training loop.

This is the yardstick, not a tool: the fidelity tests check that :func:`regcore.training.fit`
reproduces its histories bit for bit, the benchmark (``benchmarks/bench_post.py``) times it
beside ``fit``, and chapter "Notes on the original code" uses it to show the errata. It keeps
the original's shape: ``DataLoader`` over ``TensorDataset`` for both splits (training shuffled
with ``drop_last=True`` even at full batch; validation collated row by row every epoch), losses
averaged over the epoch's batches, and — with ``copy_best=False`` — the original bug of keeping
``model.state_dict()`` (live tensors) as the "best" state.
"""
from __future__ import annotations

import math
from contextlib import contextmanager

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .seeding import reset_seeds


def train_original(model: nn.Module, x_train, y_train, x_val, y_val, *, optimizer: str = "adam",
                   lr: float = 0.01, epochs: int = 1000, weight_decay: float = 0.0,
                   l2: float = 0.0, l1: float = 0.0, batch_size: int | None = None,
                   seed: int = 42, copy_best: bool = False) -> dict:
    """Train as the original notebook does; returns its histories and its "best" state."""
    reset_seeds(seed)
    train_loader = DataLoader(TensorDataset(x_train, y_train),
                              batch_size=batch_size or len(x_train), shuffle=True, drop_last=True)
    val_loader = DataLoader(TensorDataset(x_val, y_val), batch_size=len(x_val))
    opt_class = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
    opt = opt_class[optimizer](model.parameters(), lr=lr, weight_decay=weight_decay)
    loss_fn = nn.MSELoss()

    def evaluate(loader):
        model.eval()
        with torch.no_grad():
            losses = [loss_fn(model(x), y).item() for x, y in loader]
        return sum(losses) / len(losses)

    def snapshot():
        return torch.cat([p.detach().clone().flatten() for p in model.parameters()])

    history = {"train": [evaluate(train_loader)], "val": [evaluate(val_loader)],
               "params": [snapshot()]}
    best_val, best_state, best_epoch = math.inf, None, 0
    for epoch in range(1, epochs + 1):
        model.train()
        losses = []
        for x, y in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    if l2:
                        p.grad.add_(p, alpha=l2)
                    if l1:
                        p.grad.add_(torch.sign(p), alpha=l1)
            opt.step()
            losses.append(loss.item())
        history["train"].append(sum(losses) / len(losses))
        history["val"].append(evaluate(val_loader))
        history["params"].append(snapshot())
        if history["val"][-1] < best_val:
            best_val, best_epoch = history["val"][-1], epoch
            state = model.state_dict()
            best_state = {k: v.clone() for k, v in state.items()} if copy_best else state
    history["best_epoch"] = best_epoch
    history["best_state"] = best_state
    return history


@contextmanager
def counting_row_fetches():
    """Count the single rows a ``TensorDataset`` hands to data loaders inside the block.

    Chapter "Notes on the original code" uses it to show where the original loop's time goes:
    every epoch its loaders fetch and collate every training and every validation row one by one.
    """
    counter = {"rows": 0}
    original = TensorDataset.__getitem__

    def counted(self, index):
        counter["rows"] += 1
        return original(self, index)

    TensorDataset.__getitem__ = counted
    try:
        yield counter
    finally:
        TensorDataset.__getitem__ = original
