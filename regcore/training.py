"""Fit one model to the toy problem, as the post's loop does but without its overheads.

:func:`fit` reproduces the original training loop (see :mod:`regcore.reference`) bit for bit on
CPU: it resets the seeds at the start of the run (scoped, :func:`regcore.seeding.post_protocol`:
the caller's generators are untouched afterwards), makes the same draws from the global generator
as the original's ``DataLoader`` iterators (a base seed per iterator, a shuffle seed per training
epoch, then the ``randperm``), shuffles even at full batch, and sums in the same order. What it
drops is the cost: no ``DataLoader``, no per-row collation of 10,000 validation rows, and the
optimiser's update done on one flat parameter vector (:mod:`regcore.optim`) rather than in a
Python loop over tensors.

It records per epoch (epoch 0 before training): the mean training loss of the epoch's batches
(train mode, before each step), the validation loss, and — every
``snapshot_every`` epochs — a flat copy of all parameters. The best epoch is the one of lowest
validation loss; its state is *copied* (the original kept a reference to live tensors). The test
split is evaluated once, on the best state, at the end. Used by every chapter.

Epoch 0 has two protocols (:attr:`TrainSettings.initial_eval`). ``"post"`` (the default) is the
original's: its loop measures the starting point *before* any ``model.train()``/``model.eval()``
call, so a freshly built model is still in training mode — for a model with dropout the epoch-0
passes run with dropout on, draw masks from the global generator (every later mask comes from a
later point of the stream) and record noisy epoch-0 losses. ``"clean"`` evaluates epoch 0 in eval
mode and draws no masks, the protocol of the chapters that go beyond the post and of
:mod:`regcore.sweep`. Without dropout the two are the same bits.

Input noise (:attr:`TrainSettings.input_noise`, not in the post) adds ``s·ξ``, ξ standard
normal, to every training batch's inputs at every step, drawn from a private generator seeded
from the training seed (:func:`regcore.seeding.input_noise_seed`), so the post's draws stay where
they were; epoch 0, validation and test see the clean inputs. For a linear model this is ridge
regression in expectation (Bishop 1995; :mod:`regcore.theory.noise_injection`). With
``input_noise=0`` (the default) nothing is drawn and the loop is the post's.

The loss (:attr:`TrainSettings.loss`) is the post's mean squared error, or cross-entropy for
data with class labels (:mod:`regcore.digits`, chapter "Do the lessons hold on real data?"):
``F.cross_entropy`` of the model's outputs (one per class) and the labels, in the same loop.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from tqdm.auto import tqdm

from .settings import (INITIAL_EVALS, OPTIMIZERS, check_batch_fits, check_decoupled_decay,  # noqa: F401
                       check_fields, resolve_device)
from .data import Splits
from .models import MLP
from .optim import FlatOptimizer, FlatParameters
from .penalties import add_penalty_gradient_
from .seeding import input_noise_seed, post_protocol



class DivergenceError(RuntimeError):
    """A run whose loss became NaN or infinite; ``epoch`` says when.

    Raised by :func:`fit` at the first epoch whose training or validation loss is not finite; the
    message gives both losses and suggests a lower learning rate or penalty.

    Parameters
    ----------
    epoch : int
        The epoch whose loss was not finite (0: before training).
    train_loss : float
        That epoch's training loss.
    val_loss : float
        That epoch's validation loss.

    Attributes
    ----------
    epoch : int
        The epoch whose loss was not finite.
    """

    def __init__(self, epoch: int, train_loss: float, val_loss: float):
        self.epoch = epoch
        super().__init__(f"training diverged at epoch {epoch}: train loss {train_loss!r}, "
                         f"validation loss {val_loss!r} (lower lr or the penalty)")


@dataclass(frozen=True)
class TrainSettings:
    """Everything that decides a training run; checked when made.

    Frozen. Each field is checked by its own rule (``regcore.settings.SETTINGS``) whenever the
    settings are made, ``dataclasses.replace`` included; the batch size is checked against the
    data's ``n_train`` by :func:`fit`.

    Attributes
    ----------
    optimizer : str
        ``"adam"``, ``"adamw"`` or ``"sgd"``: torch's update rule, applied to one flat parameter
        vector. Default ``"adam"``.
    lr : float
        Learning rate, > 0. Default ``0.01``.
    epochs : int
        Number of training epochs, >= 1. Default ``1000``.
    weight_decay : float
        The optimiser's own weight decay, >= 0: ``weight_decay·θ`` added to the gradient for Adam
        and SGD; for AdamW the weights are multiplied by ``1 - lr·weight_decay`` each step.
        Default ``0.0``.
    l2 : float
        Manual L2 strength, >= 0: ``l2·θ`` added to the gradient before the step. Default ``0.0``.
    l1 : float
        Manual L1 strength, >= 0: ``l1·sign θ`` added to the gradient before the step.
        Default ``0.0``.
    activation_l1 : float
        L1 on the hidden activations, >= 0: ``activation_l1 · Σ h / rows`` (every hidden unit's
        activation after its ReLU, summed over the units of all hidden layers and averaged over
        the batch's rows) added to the loss that is differentiated; the recorded losses leave it
        out, as they leave out ``l2`` and ``l1``. Needs a :class:`regcore.models.MLP` with hidden
        layers. Default ``0.0``.
    loss : str
        ``"mse"`` (mean squared error, for float targets, the post's) or ``"cross_entropy"``
        (for integer class labels, e.g. :func:`regcore.digits.digits_data`; the model has one
        output per class). Must suit the data (:func:`check_model_fits`). Default ``"mse"``.
    input_noise : float
        Standard deviation ``s`` of Gaussian noise added to the training inputs, a finite
        number >= 0: before every step's forward pass the batch's inputs ``x`` become
        ``x + s·ξ``, with ξ standard normal of the batch's shape, drawn (one ``randn`` per step)
        from a private generator on the run's device seeded with
        :func:`regcore.seeding.input_noise_seed` of ``seed``. Epoch 0, validation and test use
        the clean inputs; the recorded training loss is that of the noisy batches. 0: no noise,
        no draws. Default ``0.0``.
    batch_size : int or None
        Minibatch size, >= 1 and at most the data's ``n_train`` (an incomplete last batch is
        dropped); ``None``: full batch. Default ``None``.
    seed : int
        Training-run seed (the shuffles, dropout masks and input noise), an integer in
        ``[0, 2**32)``. Default ``42``.
    device : str
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"auto"`` (CUDA when present, else CPU); a CUDA
        device must exist here. Default ``"cpu"``.
    snapshot_every : int
        Keep a flat copy of all parameters every ``snapshot_every`` epochs and at the last one,
        >= 0; 0: no snapshots. Default ``1``.
    initial_eval : str
        How epoch 0 is measured: ``"post"``, in training mode as the original (dropout on), or
        ``"clean"``, in eval mode (see :mod:`regcore.training`). Default ``"post"``.

    Raises
    ------
    ValueError
        When a field is not allowed (the message names it), or when ``optimizer="adamw"`` and
        ``lr * weight_decay >= 1``.
    """

    optimizer: str = "adam"
    lr: float = 0.01
    epochs: int = 1000
    weight_decay: float = 0.0
    l2: float = 0.0
    l1: float = 0.0
    input_noise: float = 0.0  # std of Gaussian noise on the training inputs; 0: none
    batch_size: int | None = None  # None: full batch
    seed: int = 42
    device: str = "cpu"
    snapshot_every: int = 1  # 0: no parameter snapshots
    initial_eval: str = "post"  # epoch 0: "post" (train mode, as the original) or "clean" (eval)
    loss: str = "mse"  # or "cross_entropy" (class labels)
    activation_l1: float = 0.0  # L1 on the hidden activations, per input

    def __post_init__(self):
        check_fields(self)  # each field's own check: regcore.settings.SETTINGS
        if self.optimizer == "adamw":
            check_decoupled_decay(self.lr, self.weight_decay)


@dataclass(frozen=True, eq=False)
class FitResult:
    """What one run produced. Loss arrays have one entry per epoch, epoch 0 first.

    Returned by :func:`fit`; frozen. Epoch 0 is measured before any training step (see
    :attr:`TrainSettings.initial_eval`).

    Attributes
    ----------
    settings : TrainSettings
        The settings of the run.
    train_loss : numpy.ndarray
        Mean loss of each epoch's training batches (each measured before its step; with
        ``input_noise``, on the noisy inputs from epoch 1 on), shape ``(epochs + 1,)``.
    val_loss : numpy.ndarray
        Validation loss after each epoch, shape ``(epochs + 1,)``.
    snapshot_epochs : numpy.ndarray
        The epochs (int) whose parameters were kept: every ``snapshot_every``-th and the last;
        empty when ``snapshot_every`` is 0.
    snapshots : numpy.ndarray
        The kept parameters, float32, ``(len(snapshot_epochs), n_params)``; each row a flat vector
        in the order of :func:`regcore.models.flatten_params`.
    best_epoch : int
        The epoch of lowest validation loss (the first of equal ones).
    best_state : dict
        ``{name: torch.Tensor}``: copies, on CPU, of the parameters at ``best_epoch``, named as in
        ``model.named_parameters()``.
    final_state : dict
        The same for the parameters after the last epoch.
    test_loss_at_best : float
        The loss (mean squared error or cross-entropy) of ``best_state`` on the held-out test
        split, evaluated once at the end.
    seconds : float
        Wall-clock time of the run, epoch 0 to the test evaluation, in seconds.
    """

    settings: TrainSettings
    train_loss: np.ndarray
    val_loss: np.ndarray
    snapshot_epochs: np.ndarray
    snapshots: np.ndarray  # (len(snapshot_epochs), n_params), float32
    best_epoch: int
    best_state: dict = field(repr=False)
    final_state: dict = field(repr=False)
    test_loss_at_best: float
    seconds: float

    @property
    def best_val_loss(self) -> float:
        """The lowest validation loss, at :attr:`best_epoch`."""
        return float(self.val_loss[self.best_epoch])

    @property
    def best_train_loss(self) -> float:
        """Training loss *at the best epoch* (the original minimised it separately: an erratum)."""
        return float(self.train_loss[self.best_epoch])

    @property
    def epochs(self) -> int:
        """Number of training epochs, ``len(val_loss) - 1``."""
        return len(self.val_loss) - 1

    def summary(self) -> dict:
        """The headline numbers as plain floats, the CLI's JSON record.

        Returns
        -------
        dict
            ``best_val_loss``, ``best_epoch`` (an int), ``best_train_loss``, ``test_loss_at_best``
            and ``seconds``.
        """
        return {"best_val_loss": self.best_val_loss, "best_epoch": int(self.best_epoch),
                "best_train_loss": self.best_train_loss,
                "test_loss_at_best": float(self.test_loss_at_best), "seconds": float(self.seconds)}

    def settings_dict(self) -> dict:
        """The run's settings as a plain dict.

        Returns
        -------
        dict
            ``dataclasses.asdict(settings)``: field name to value.
        """
        return asdict(self.settings)


def epoch_mean(losses: list) -> float:
    """The epoch's loss as the original records it: ``np.mean`` of the batch losses.

    NumPy sums pairwise (eight partial sums from eight batches on), which can differ in the last
    bit from a left-to-right ``sum``: with 12 batches (n_train 400, batch 32) it does.

    Parameters
    ----------
    losses : list of float
        The epoch's batch losses, in order.

    Returns
    -------
    float
        Their mean.
    """
    return float(np.mean(losses))


def _draw_loader_base_seed() -> None:
    """The draw a ``DataLoader`` iterator makes from the global generator when created."""
    torch.empty((), dtype=torch.int64).random_()


def _draw_shuffle(n: int) -> torch.Tensor:
    """A ``RandomSampler`` epoch: one seed from the global generator, then ``randperm``."""
    seed = int(torch.empty((), dtype=torch.int64).random_().item())
    return torch.randperm(n, generator=torch.Generator().manual_seed(seed))


def _batches(x: torch.Tensor, y: torch.Tensor, perm: torch.Tensor, batch_size: int):
    """The epoch's batches in shuffled order, dropping an incomplete last one.

    One gather per epoch, then contiguous views: the same values the original's per-row
    collation stacks, at a fraction of the cost.
    """
    n_batches = len(perm) // batch_size
    keep = perm[: n_batches * batch_size]
    return zip(x[keep].view(n_batches, batch_size, -1).unbind(0),
               y[keep].view(n_batches, batch_size, *y.shape[1:]).unbind(0))


def check_model_fits(model: nn.Module, data: Splits, loss: str = "mse") -> None:
    """Raise ``ValueError`` when ``model`` cannot be trained on ``data`` with ``loss``.

    That is: ``model`` is not an ``nn.Module`` with parameters or ``data`` not a
    :class:`regcore.data.Splits` (e.g. :class:`regcore.data.ToyData`); the model's parameters do
    not share one dtype; the model's input width (its ``sizes[0]``, or else its first
    ``nn.Linear`` layer's ``in_features``) is not the data's dims; its output width (``sizes[-1]``
    or the last ``nn.Linear``'s ``out_features``) is not what the data needs (1 for the toy problem, the number of classes for class labels); its
    parameters' dtype is not the data's; or ``loss`` does not suit the targets (``"mse"`` for
    float targets, ``"cross_entropy"`` for class labels).

    Parameters
    ----------
    model : torch.nn.Module
        The model to check.
    data : regcore.data.Splits
        The data it is to be trained on.
    loss : str, optional
        The loss it is to be trained with, :attr:`TrainSettings.loss`. Default ``"mse"``.

    Raises
    ------
    ValueError
        When any of the above holds (the message names the value and what would fit).
    """
    if not isinstance(model, nn.Module):
        raise ValueError(f"model={model!r} is not allowed: model must be a torch.nn.Module, "
                         "e.g. regcore.MLP()")
    if not isinstance(data, Splits):
        raise ValueError(f"data={data!r} is not allowed: data must be a ToyData (or another "
                         "regcore.data.Splits), e.g. regcore.make_data()")
    wanted = "cross_entropy" if data.is_classification else "mse"
    if loss != wanted:
        kind = "class labels" if data.is_classification else "float targets"
        raise ValueError(f"loss={loss!r} is not allowed for this data: its targets are {kind}, "
                         f"so loss must be {wanted!r}")
    params = list(model.parameters())
    if not params:
        raise ValueError(f"model={type(model).__name__} is not allowed: the model has no "
                         "parameters to train")
    dtypes = sorted({str(p.dtype) for p in params})
    if len(dtypes) > 1:
        raise ValueError(f"model dtypes {dtypes} are not allowed: all of the model's parameters "
                         "must have one dtype")
    if params[0].dtype != data.x_train.dtype:
        raise ValueError(f"model dtype={params[0].dtype} does not match data dtype="
                         f"{data.x_train.dtype}: cast one to the other, e.g. "
                         f"model.to({data.x_train.dtype}) or data.to(dtype={params[0].dtype})")
    sizes = getattr(model, "sizes", None)
    names = ("sizes[0]", "sizes[-1]")
    if sizes is None:  # a model of the caller's own: its first and last nn.Linear layers
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        if not linears:
            return
        sizes = (linears[0].in_features, linears[-1].out_features)
        names = ("in_features", "out_features")
    if sizes[0] != data.dims:
        raise ValueError(f"{names[0]}={sizes[0]} does not fit the data: the model's input width "
                         f"must equal the data's dims={data.dims}")
    if sizes[-1] != data.outputs:
        what = (f"{data.outputs} classes" if data.is_classification
                else "one output (the toy problem)")
        raise ValueError(f"{names[1]}={sizes[-1]} does not fit the data: it has {what}, so the "
                         f"model's output width must be {data.outputs}")


def fit(model: nn.Module, data: Splits, settings: TrainSettings = TrainSettings(),
        progress: bool = False, desc: str | None = None) -> FitResult:
    """Train ``model`` on ``data`` with ``settings``; return a :class:`~regcore.training.FitResult`.

    ``model`` is trained in place (it ends in its final state and in eval mode, on the settings'
    device). The run resets the seeds at its start under the post's seeding protocol, scoped: the
    caller's random generators are as they were afterwards.

    Parameters
    ----------
    model : torch.nn.Module
        The model to train, e.g. a :class:`regcore.models.MLP`; its input width must be the data's
        ``dims``, its output width 1 (or the number of classes) and its dtype the data's
        (:func:`check_model_fits`).
    data : regcore.data.Splits
        A :class:`regcore.data.ToyData` or :class:`regcore.digits.DigitsData`. Trained on the
        training split, the best epoch selected on the validation split, scored once
        on the test split.
    settings : TrainSettings, optional
        Optimiser, penalties, input noise, epochs, batch size, seed, device, recording and loss.
        Default ``TrainSettings()``.
    progress : bool, optional
        Show a progress bar of the epochs. Default ``False``.
    desc : str or None, optional
        Label of the progress bar. Default ``None``.

    Returns
    -------
    FitResult
        Loss histories, snapshots, best epoch and states, and the test loss at the best epoch.

    Raises
    ------
    ValueError
        When ``settings`` is not a :class:`TrainSettings`, when the model does not fit the data
        (:func:`check_model_fits`), when the batch size is larger than ``data.n_train``, or when the
        settings' device is not available here (the message names the value).
    DivergenceError
        When a training or validation loss becomes NaN or infinite.
    """
    if not isinstance(settings, TrainSettings):
        raise ValueError(f"settings={settings!r} is not allowed: settings must be a "
                         "TrainSettings, e.g. regcore.TrainSettings(lr=0.01)")
    check_model_fits(model, data, settings.loss)
    loss_fn = F.cross_entropy if settings.loss == "cross_entropy" else F.mse_loss
    act_l1 = settings.activation_l1
    if act_l1 and not (isinstance(model, MLP) and len(model.sizes) > 2):
        raise ValueError(f"activation_l1={act_l1!r} is not allowed for this model: it penalises "
                         "hidden activations, so the model must be a regcore.MLP with hidden "
                         "layers (use 0.0)")
    n = data.n_train
    batch_size = check_batch_fits(settings.batch_size, n)
    device = resolve_device(settings.device)
    model.to(device)
    d = data.to(device)
    x_train, y_train, x_val, y_val = d.x_train, d.y_train, d.x_val, d.y_val
    flat = FlatParameters(model)
    theta = flat.flat
    optimizer = FlatOptimizer(settings.optimizer, settings.lr, settings.weight_decay)
    l2, l1 = settings.l2, settings.l1
    # Input noise from a private generator (the post's global draws stay where they were); with
    # input_noise 0 there is no generator and the loop below is the post's, draw for draw.
    noise = settings.input_noise
    noise_gen = (torch.Generator(device=device).manual_seed(input_noise_seed(settings.seed))
                 if noise else None)

    epochs = settings.epochs
    every = settings.snapshot_every
    snap_epochs = (sorted(set(range(0, epochs + 1, every)) | {epochs}) if every else [])
    snap_row = {e: i for i, e in enumerate(snap_epochs)}
    snapshots = torch.empty(len(snap_epochs), theta.numel(), device=device)
    train_hist = np.empty(epochs + 1)
    val_hist = np.empty(epochs + 1)
    best_theta = theta.clone()
    best_epoch, best_val = 0, math.inf

    def record(epoch: int, train_loss: float, val_loss: float) -> None:
        nonlocal best_epoch, best_val
        if not (math.isfinite(train_loss) and math.isfinite(val_loss)):
            raise DivergenceError(epoch, train_loss, val_loss)
        train_hist[epoch] = train_loss
        val_hist[epoch] = val_loss
        if epoch in snap_row:
            snapshots[snap_row[epoch]].copy_(theta)
        if val_loss < best_val:
            best_epoch, best_val = epoch, val_loss
            best_theta.copy_(theta)

    def validation_loss() -> float:
        _draw_loader_base_seed()
        with torch.no_grad():
            return loss_fn(model(x_val), y_val).item()

    start = time.perf_counter()
    with post_protocol(settings.seed):  # the original: reset_seeds() first; scoped here
        # Epoch 0: the original iterates each loader once before training, with the model in the
        # mode its constructor left it in (training mode: dropout on); "clean" uses eval mode.
        model.train(settings.initial_eval == "post")
        _draw_loader_base_seed()
        with torch.no_grad():
            losses = [loss_fn(model(xb), yb).item()
                      for xb, yb in _batches(x_train, y_train, _draw_shuffle(n), batch_size)]
        record(0, epoch_mean(losses), validation_loss())

        bar = tqdm(total=epochs, desc=desc, disable=not progress, leave=False)
        for epoch in range(1, epochs + 1):
            model.train()
            _draw_loader_base_seed()
            losses = []
            for xb, yb in _batches(x_train, y_train, _draw_shuffle(n), batch_size):
                if noise_gen is not None:  # one (rows, dims) draw per step, before the forward
                    xb = xb + noise * torch.randn(xb.shape, generator=noise_gen,
                                                  dtype=xb.dtype, device=device)
                flat.zero_grad()
                if act_l1:  # the penalty's gradient reaches each h as fl(act_l1 / rows)
                    out, hidden = model.forward_hidden(xb)
                    loss = loss_fn(out, yb)
                    penalty = sum(h.sum() for h in hidden) * (act_l1 / xb.shape[0])
                    (loss + penalty).backward()
                else:
                    loss = loss_fn(model(xb), yb)
                    loss.backward()
                grad = flat.gather_grad()
                if l2 or l1:
                    add_penalty_gradient_(grad, theta, l2, l1)
                optimizer.step(theta, grad)
                losses.append(loss.item())
            model.eval()
            record(epoch, epoch_mean(losses), validation_loss())
            bar.update()
        bar.close()

    best_state = flat.state_dict(best_theta)
    with torch.no_grad():
        best_on_device = {k: v.to(device) for k, v in best_state.items()}
        test_loss = loss_fn(torch.func.functional_call(model, best_on_device, (d.x_test,)),
                            d.y_test).item()
    final_state = flat.state_dict()
    seconds = time.perf_counter() - start
    return FitResult(settings, train_hist, val_hist, np.asarray(snap_epochs, dtype=int),
                     snapshots.cpu().numpy(), best_epoch, best_state, final_state,
                     float(test_loss), seconds)
