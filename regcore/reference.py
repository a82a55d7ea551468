"""A faithful, deliberately naive re-implementation of the post's original training loop.

This is the yardstick, not a tool: the fidelity tests check that :func:`regcore.training.fit`
reproduces its histories bit for bit, the benchmark (``benchmarks/bench_post.py``) times it
beside ``fit``, and chapter "Notes on the original code" uses it to show the errata.

:func:`train_original` follows ``training_loop`` in the post's ``utils.py``
(TomKite57/regularisation_blog) statement by statement; each block below names the lines it
mirrors. What it keeps, on purpose, because it decides the numbers:

* ``reset_seeds()`` first, then ``DataLoader`` over ``TensorDataset`` for both splits
  (training shuffled with ``drop_last=True`` even at full batch; validation in one batch of all
  rows, collated row by row every epoch);
* the starting point (epoch 0) measured *before* any ``model.train()``/``model.eval()`` call,
  so in whatever mode the model is — a freshly built model is in training mode, and a model with
  dropout then draws masks from the global generator during both epoch-0 passes;
* the penalties added to ``param.grad.data`` as two separate loops (all L2 terms, then all L1
  terms), each as ``grad += coef * param`` (a rounded product, then a rounded sum);
* losses recorded as ``np.mean`` of the batches' ``.item()`` values;
* with ``copy_best=False``, the original bug of keeping ``model.state_dict()`` (live tensors) as
  the "best" state.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .seeding import post_protocol, reset_seeds


def train_original(model: nn.Module, x_train, y_train, x_val, y_val, **settings) -> dict:
    """Train as the original ``training_loop`` does (``_training_loop``, below it in the source); returns its
    histories and "best" state. The original's global seed reset happens inside a
    :func:`regcore.seeding.post_protocol` scope, so the caller's generators are left as they were."""
    with post_protocol(settings.get("seed", 42)):
        return _training_loop(model, x_train, y_train, x_val, y_val, **settings)


def _training_loop(model: nn.Module, x_train, y_train, x_val, y_val, *, optimizer: str = "adam",
                   lr: float = 0.01, epochs: int = 1000, weight_decay: float = 0.0,
                   l2: float = 0.0, l1: float = 0.0, batch_size: int | None = None,
                   seed: int = 42, copy_best: bool = False) -> dict:
    """Train as the original ``training_loop`` does; returns its histories and "best" state.

    Keys: ``train`` and ``val`` (one loss per epoch, epoch 0 first), ``params`` (a flat copy of
    all parameters per epoch), ``best_epoch`` (the original's rule: the first training epoch
    whose validation loss is below every earlier one; epoch 0 never counts) and ``best_state``.
    """
    # utils.py: "reset_seeds()", "model.to(device)", "histories = defaultdict(list)"
    reset_seeds(seed)
    history = {"train": [], "val": [], "params": []}
    train_dataset = TensorDataset(x_train, y_train)
    validation_dataset = TensorDataset(x_val, y_val)

    # "batch_size = min(batch_size, len(train_dataset)) if batch_size else len(train_dataset)",
    # then the two DataLoaders (validation: one batch of every row, drop_last=True as well)
    batch_size = min(batch_size, len(train_dataset)) if batch_size else len(train_dataset)
    train_loader = DataLoader(train_dataset, batch_size=batch_size, shuffle=True, drop_last=True)
    validation_loader = DataLoader(validation_dataset, batch_size=len(validation_dataset),
                                   shuffle=False, drop_last=True)

    # "if optimiser == 'adam': ... torch.optim.Adam(model.parameters(), lr=lr, weight_decay=...)"
    opt_class = {"adam": torch.optim.Adam, "adamw": torch.optim.AdamW, "sgd": torch.optim.SGD}
    opt = opt_class[optimizer](model.parameters(), lr=lr, weight_decay=weight_decay)
    criterion = nn.MSELoss()

    def snapshot():  # "histories['model_state'].append(model.get_weights())", all parameters
        return torch.cat([p.detach().clone().flatten() for p in model.parameters()])

    # "best_model_state = None; best_loss = np.inf"
    best_state, best_loss, best_epoch = None, np.inf, None

    # "# Starting point": no model.train()/model.eval() before it — the model is in the mode it
    # was handed in (a fresh model: training mode, so dropout is on and draws masks here).
    with torch.no_grad():
        history["params"].append(snapshot())
        train_loss = []
        for x, y in train_loader:
            train_loss.append(criterion(model(x), y).item())
        history["train"].append(np.mean(train_loss))
        val_loss = []
        for x, y in validation_loader:
            val_loss.append(criterion(model(x), y).item())
        history["val"].append(np.mean(val_loss))

    # "# Training loop"
    for epoch in range(1, epochs + 1):
        model.train()
        epoch_losses = []
        for x, y in train_loader:
            opt.zero_grad()
            y_pred = model(x)
            loss = criterion(y_pred, y)
            loss.backward()
            # "# Manual regularisation": two loops, "param.grad.data += l2_reg*param.data" and
            # "param.grad.data += l1_reg*torch.sign(param.data)"
            if l2:
                for param in model.parameters():
                    if param.requires_grad:
                        param.grad.data += l2 * param.data
            if l1:
                for param in model.parameters():
                    if param.requires_grad:
                        param.grad.data += l1 * torch.sign(param.data)
            opt.step()
            epoch_losses.append(loss.item())

        # "# Record batch": mean training loss, then the parameters
        history["train"].append(np.mean(epoch_losses))
        history["params"].append(snapshot())

        # "# Record validation loss": eval mode, one pass over the validation loader
        model.eval()
        epoch_losses = []
        with torch.no_grad():
            for x, y in validation_loader:
                epoch_losses.append(criterion(model(x), y).item())
        history["val"].append(np.mean(epoch_losses))

        # "if histories['val_loss'][-1] < best_loss: ... best_model_state = model.state_dict()"
        if history["val"][-1] < best_loss:
            best_loss, best_epoch = history["val"][-1], epoch
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
