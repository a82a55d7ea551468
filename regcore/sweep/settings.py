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

from .._checks import _fail
from ..settings import (MODEL_KINDS, check_batch_fits, check_decoupled_decay,  # noqa: F401
                        check_fields, check_setting)
from ..schedule import evaluation_epochs, log_epochs


@dataclass(frozen=True)
class Member:
    """One member's own settings: penalties, dropout, input noise, batch size and its three seeds.

    ``seed`` is the training-run seed (:attr:`regcore.training.TrainSettings.seed`: shuffles,
    dropout and input noise in ``fit``); ``init_seed`` builds the model; ``data_seed`` draws the
    data. ``label`` is free text carried into the results (e.g. ``"l1"``). Checked when made.

    Attributes
    ----------
    weight_decay : float
        The optimiser's weight decay, >= 0, as :attr:`regcore.training.TrainSettings.weight_decay`.
        Default ``0.0``.
    l2 : float
        Manual L2 strength, >= 0. Default ``0.0``.
    l1 : float
        Manual L1 strength, >= 0. Default ``0.0``.
    activation_l1 : float
        L1 on the MLP's hidden activations, >= 0, as
        :attr:`regcore.training.TrainSettings.activation_l1`. Default ``0.0``.
    dropout : float
        Dropout probability of the MLP's hidden layers, in ``[0, 1)``; 0 for the linear model.
        Default ``0.0``.
    input_noise : float
        Standard deviation of the Gaussian noise added to the member's training inputs at every
        step, a finite number >= 0, as :attr:`regcore.training.TrainSettings.input_noise`: drawn
        from the member's own generator, seeded as ``fit`` seeds it
        (:func:`regcore.seeding.input_noise_seed` of ``seed``), so that the member's noise is
        ``fit``'s draw for draw. Default ``0.0``.
    batch_size : int or None
        Minibatch size, >= 1 and at most the sweep's ``n_train``; ``None``: full batch.
        Default ``None``.
    data_seed : int
        Seed of the member's data, an integer in ``[0, 2**32)``. Default ``42``.
    init_seed : int
        Seed of the member's initial weights, an integer in ``[0, 2**32)``. Default ``42``.
    seed : int
        Training-run seed (the shuffles, the member's own dropout-mask generator and its
        input-noise generator), an integer in ``[0, 2**32)``. Default ``42``.
    label : str
        Free text carried into the results, e.g. to pick members with :meth:`SweepResult.where`.
        Default ``""``.

    Raises
    ------
    ValueError
        When a field is not allowed (the message names it).
    """

    weight_decay: float = 0.0
    l2: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0
    input_noise: float = 0.0  # std of Gaussian noise on the training inputs; 0: none
    batch_size: int | None = None  # None: full batch
    data_seed: int = 42
    init_seed: int = 42
    seed: int = 42
    label: str = ""
    activation_l1: float = 0.0  # L1 on the hidden activations, per input

    def __post_init__(self):
        check_fields(self)  # each field's own check: regcore.settings.SETTINGS


@dataclass(frozen=True)
class SweepSettings:
    """What every member shares: model, data, optimiser, epochs, schedule, device.

    ``dataset="toy"`` (the default) trains on the toy problem (:func:`regcore.data.make_data`
    with the member's data seed) with mean squared error; ``dataset="digits"`` on the member's
    split of the handwritten digits (:func:`regcore.digits.digits_data` with its data seed as the
    split seed) with cross-entropy, an MLP of 64 inputs and 10 outputs (``sizes=(64, 10)`` is
    softmax regression).

    ``max_evals=None`` validates every epoch; an integer validates every epoch up to
    ``dense_epochs`` and then log-spaced, at most ``max_evals`` times. ``snapshots`` is the number
    of log-spaced epochs whose parameters are kept (0: none). Checked when made.

    Attributes
    ----------
    model : str
        ``"mlp"`` or ``"linear"``. Default ``"mlp"``.
    sizes : tuple
        Layer widths: input (the data's dims), hidden..., output (1 for the toy problem, 10 for
        the digits). For ``model="linear"``, give ``(dims, 1)`` or leave the default, which
        becomes ``(50, 1)``. Default ``(50, 25, 25, 1)``.
    optimizer : str
        ``"adam"``, ``"adamw"`` or ``"sgd"``. Default ``"adam"``.
    lr : float
        Learning rate, > 0. Default ``0.01``.
    epochs : int
        Number of training epochs, >= 1. Default ``1000``.
    n_train : int
        Training points of every member's data, >= 1. Default ``200``.
    n_val : int
        Validation points, >= 1. Default ``10_000``.
    n_test : int
        Held-out test points, >= 1. Default ``10_000``. For the digits the three sizes together
        are at most 1,797 (e.g. ``n_val=500, n_test=797``).
    noise : float
        Standard deviation of the toy problem's noise, >= 0 (unused for the digits).
        Default ``0.2``.
    max_evals : int or None
        Most validation evaluations per member, >= ``dense_epochs + 2``; ``None``: every epoch.
        Default ``64``.
    dense_epochs : int
        Every epoch up to this one is validated before the log-spaced ones, >= 0. Default ``16``.
    snapshots : int
        Number of log-spaced epochs whose parameters are kept: 0 (none) or >= 2 (the first and
        last epochs at least). Default ``40``.
    device : str
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"``. Default ``"cpu"``.
    eval_chunk : int
        Rows of the validation and test splits per batched evaluation pass, >= 1.
        Default ``256``.
    dataset : str
        ``"toy"`` or ``"digits"`` (see above). Default ``"toy"``.

    Raises
    ------
    ValueError
        When a field is not allowed (the message names it), when ``model="linear"`` and ``sizes``
        is neither ``(dims, 1)`` nor the default, when ``max_evals < dense_epochs + 2``, or when
        the sizes do not fit the dataset (output 1 for the toy problem; 64 inputs, 10 outputs
        and ``model="mlp"`` for the digits, whose splits must fit in its 1,797 images).
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
    dataset: str = "toy"  # or "digits" (regcore.digits, cross-entropy)

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
        self._check_dataset()
        if self.max_evals is not None and self.max_evals < self.dense_epochs + 2:
            raise ValueError(f"max_evals={self.max_evals!r} is not allowed: max_evals must be an "
                             f"integer >= {self.dense_epochs + 2} (dense_epochs + 2: the dense "
                             "epochs, then at least two log-spaced ones)")

    def _check_dataset(self) -> None:
        """The model's widths and the split sizes against the dataset."""
        if self.dataset == "toy":
            if self.sizes[-1] != 1:
                _fail("sizes[-1]", self.sizes[-1], "1 (the toy problem has one output)")
            return
        from ..digits import N_CLASSES, PIXELS, check_split_sizes
        if self.model != "mlp":
            raise ValueError(f"model={self.model!r} is not allowed with dataset='digits': use "
                             f"model='mlp' (sizes=({PIXELS}, {N_CLASSES}) is softmax regression)")
        if self.sizes[0] != PIXELS:
            _fail("sizes[0]", self.sizes[0], f"{PIXELS} with dataset='digits' (8x8 pixels)")
        if self.sizes[-1] != N_CLASSES:
            _fail("sizes[-1]", self.sizes[-1], f"{N_CLASSES} with dataset='digits' (one output "
                  "per class)")
        check_split_sizes(self.n_train, self.n_val, self.n_test)

    @property
    def loss(self) -> str:
        """The loss the members train with, ``"mse"`` for the toy problem and
        ``"cross_entropy"`` for the digits."""
        return "cross_entropy" if self.dataset == "digits" else "mse"

    def make_data(self, seed: int):
        """The data of a member with data seed ``seed``.

        Parameters
        ----------
        seed : int
            The member's ``data_seed``.

        Returns
        -------
        regcore.data.ToyData or regcore.digits.DigitsData
            :func:`regcore.data.make_data` with these sizes and noise, or
            :func:`regcore.digits.digits_data` with these split sizes.
        """
        if self.dataset == "digits":
            from ..digits import digits_data
            return digits_data(self.n_train, self.n_val, self.n_test, seed=seed)
        from ..data import make_data
        return make_data(self.n_train, self.n_val, self.n_test, self.dims, self.noise, seed=seed)

    @property
    def dims(self) -> int:
        """Number of input features of the model and the data, ``sizes[0]``."""
        return self.sizes[0]

    def eval_epochs(self) -> np.ndarray:
        """The epochs at which validation loss is measured (``max_evals``, ``dense_epochs``).

        Returns
        -------
        numpy.ndarray
            Sorted distinct epochs (int) from 0 to ``epochs``, both included.
        """
        return evaluation_epochs(self.epochs, self.max_evals, self.dense_epochs)

    def snapshot_epochs(self) -> np.ndarray:
        """The epochs whose parameters are kept: about ``snapshots`` log-spaced ones, or none.

        Returns
        -------
        numpy.ndarray
            Sorted distinct epochs (int) with 0 and ``epochs``, at most ``snapshots`` of them (fewer
            when rounding merges neighbours); empty when ``snapshots`` is 0.
        """
        return log_epochs(self.epochs, self.snapshots) if self.snapshots else np.zeros(0, int)

    def n_params(self) -> int:
        """Number of parameters of one member's model.

        Returns
        -------
        int
            Weights and biases of every layer of ``sizes``.
        """
        return sum(a * b + b for a, b in zip(self.sizes[:-1], self.sizes[1:]))

    def snapshot_bytes(self, members: int) -> int:
        """Bytes the float32 snapshots of ``members`` members take (512 members: well < 2 GB).

        Parameters
        ----------
        members : int
            Number of members.

        Returns
        -------
        int
            ``4 · members · len(snapshot_epochs()) · n_params()``.
        """
        return 4 * members * len(self.snapshot_epochs()) * self.n_params()


@dataclass(frozen=True, eq=False)
class SweepResult:
    """What a sweep produced; arrays have the members along their first axis, in input order.

    ``val_loss[k, j]`` is member k's validation loss at ``eval_epochs[j]``; ``train_loss[k, e]``
    its mean training loss of epoch e (every epoch; epoch 0 in eval mode before training, as
    ``fit`` with ``initial_eval="clean"``). ``snapshots[k, s]`` is its flat parameter vector at
    ``snapshot_epochs[s]`` (order of :func:`regcore.models.flatten_params`).
    ``diverged_epoch`` is -1 for members whose losses stayed finite.

    Below, K is the number of members, J of evaluated epochs, S of snapshot epochs and P of
    parameters per member.

    Attributes
    ----------
    settings : SweepSettings
        The settings the members shared.
    members : tuple
        The K :class:`Member` objects, in input order.
    eval_epochs : numpy.ndarray
        The evaluated epochs (int), ``settings.eval_epochs()``, shape ``(J,)``.
    val_loss : numpy.ndarray
        Validation losses, ``(K, J)``.
    train_loss : numpy.ndarray
        Mean training losses of every epoch, ``(K, epochs + 1)``.
    best_epoch : numpy.ndarray
        Each member's best epoch (int): the evaluated epoch of lowest validation loss, ``(K,)``.
    best_val_loss : numpy.ndarray
        Validation loss at the best epoch, ``(K,)``.
    train_loss_at_best : numpy.ndarray
        Training loss at the best epoch, ``(K,)``.
    test_loss_at_best : numpy.ndarray
        Test loss of the best epoch's parameters, scored once at the end, ``(K,)``.
    snapshot_epochs : numpy.ndarray
        The snapshot epochs (int), ``settings.snapshot_epochs()``, shape ``(S,)``.
    snapshots : numpy.ndarray
        Flat parameter vectors at the snapshot epochs, float32, ``(K, S, P)``.
    best_theta : numpy.ndarray
        Flat parameters at the best epoch, ``(K, P)``.
    final_theta : numpy.ndarray
        Flat parameters after the last epoch, ``(K, P)``.
    diverged_epoch : numpy.ndarray
        First epoch (int) at which the member's training loss, or its validation loss on an
        evaluated epoch, was NaN or infinite; -1 if none. ``(K,)``.
    seconds : float
        Wall-clock time of the sweep in seconds; for :meth:`concat`, the sum over its parts.
        Default ``0.0``.
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
        """One flat dict per member: its settings and headline numbers (CLI's JSON/CSV rows).

        Returns
        -------
        list of dict
            Per member, in order: its :class:`Member` fields (``batch_size`` ``"full"`` for
            ``None``) and ``best_epoch``, ``best_val_loss``, ``train_loss_at_best``,
            ``test_loss_at_best`` and ``diverged_epoch`` as plain ints and floats.
        """
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
        """The members at ``index`` (an int array, a boolean mask or a slice), as a result.

        Parameters
        ----------
        index : array_like or slice
            Positions of members (ints), a boolean mask of length ``len(self)``, or a slice; not a
            single int (write ``[k]``).

        Returns
        -------
        SweepResult
            Those members, in the order of ``index``, with the same settings, epochs and
            ``seconds``.

        Raises
        ------
        IndexError
            When ``index`` is out of range, or a mask of the wrong length (raised by NumPy).
        """
        idx = np.arange(len(self.members))[index]
        per = {name: getattr(self, name)[idx] for name in _PER_MEMBER}
        return replace(self, members=tuple(self.members[i] for i in idx), **per)

    def where(self, **conditions) -> "SweepResult":
        """The members whose fields equal the given values, e.g. ``where(label="l1")``.

        Parameters
        ----------
        **conditions
            :class:`Member` field names and the values to match; a member must match all of them.

        Returns
        -------
        SweepResult
            The matching members, in order (possibly none).

        Raises
        ------
        AttributeError
            When a condition names no field of :class:`Member`.
        """
        mask = np.array([all(getattr(m, k) == v for k, v in conditions.items())
                         for m in self.members], dtype=bool)
        return self.select(mask)

    @staticmethod
    def concat(results) -> "SweepResult":
        """Members of several results with the same settings, in the given order.

        Parameters
        ----------
        results : iterable of SweepResult
            The results to join, all with equal ``settings``.

        Returns
        -------
        SweepResult
            Their members in order, with the first result's epochs and the sum of their ``seconds``.

        Raises
        ------
        ValueError
            When ``results`` is empty, holds something that is not a :class:`SweepResult`, or holds
            results whose settings differ from the first's.
        """
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

    Parameters
    ----------
    members : sequence of Member
        The members of one sweep.
    settings : SweepSettings
        The settings they are to share.

    Returns
    -------
    tuple
        The members, in order.

    Raises
    ------
    ValueError
        For settings that are not :class:`SweepSettings`, an empty ``members`` or a single
        :class:`Member` in place of a sequence, a member that is not a :class:`Member`, dropout on
        the linear model, a batch size larger than ``n_train``, or (AdamW)
        ``lr * weight_decay >= 1``; the message names the parameter (e.g.
        ``members[3].batch_size``).
    TypeError
        When ``members`` is not iterable at all (raised by ``tuple(members)``).
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
        if m.activation_l1 and (settings.model == "linear" or len(settings.sizes) < 3):
            raise ValueError(f"members[{i}].activation_l1={m.activation_l1!r} is not allowed "
                             "without hidden layers: it penalises hidden activations (use 0.0)")
        check_batch_fits(m.batch_size, settings.n_train, name=f"members[{i}].batch_size")
        if settings.optimizer == "adamw":
            check_decoupled_decay(settings.lr, m.weight_decay,
                                  name=f"members[{i}].weight_decay")
    return members
