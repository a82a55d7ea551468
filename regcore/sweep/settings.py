"""What a sweep is asked for and what it gives back: members, shared settings, results.

A sweep trains K *members* (:class:`Member`: each its own penalties, dropout, batch size and
seeds) under one :class:`SweepSettings` (what they all share: model, data size, optimiser,
epochs, validation schedule, device) and returns one :class:`SweepResult` with the members along
the first axis of every array. The classes check their fields when made, and
:func:`check_members` checks that a list of members can train together, so that a bad setting
fails at once with a message naming it rather than deep inside the training loop
(``tests/test_bad_input.py``). Kept apart from the training code so that the chapters
("Beyond one seed": ``book/beyond/seeds.md``, ``tuning.md``, through :mod:`regcore.studies`)
and ``python -m regcore sweep`` (:mod:`regcore.sweep.cli`) can describe and read sweeps
without the batched model.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

import numpy as np

from ..settings import (MODEL_KINDS, check_batch_fits, check_decoupled_decay,  # noqa: F401
                        check_fields, check_setting)
from ..schedule import evaluation_epochs, log_epochs


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
        check_fields(self)  # each field's own check: regcore.settings.SETTINGS


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
        check_setting("model", self.model)
        object.__setattr__(self, "sizes", tuple(self.sizes))
        if self.model == "linear":
            if len(self.sizes) != 2 and self.sizes != SweepSettings.sizes:
                raise ValueError(f"sizes={self.sizes!r} is not allowed for model='linear': "
                                 "give (dims, 1) or leave the default")
            if len(self.sizes) != 2:
                object.__setattr__(self, "sizes", (self.sizes[0], 1))
        check_fields(self)  # each field's own check: regcore.settings.SETTINGS
        if self.max_evals is not None and self.max_evals < self.dense_epochs + 2:
            raise ValueError(f"max_evals={self.max_evals!r} is not allowed: max_evals must be an "
                             f"integer >= {self.dense_epochs + 2} (dense_epochs + 2: the dense "
                             "epochs, then at least two log-spaced ones)")

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
        check_batch_fits(m.batch_size, settings.n_train, name=f"members[{i}].batch_size")
        if settings.optimizer == "adamw":
            check_decoupled_decay(settings.lr, m.weight_decay,
                                  name=f"members[{i}].weight_decay")
    return members
