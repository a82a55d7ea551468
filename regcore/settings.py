"""Every setting regcore takes, declared once: its name, what is allowed, and how it is checked.

The settings classes (:class:`regcore.training.TrainSettings`,
:class:`regcore.experiments.ModelSpec`, :class:`regcore.sweep.settings.Member`,
:class:`regcore.sweep.settings.SweepSettings`) and the functions that take a
setting as an argument (:func:`regcore.data.make_data`, the models, the command line) check it here:
:func:`check_fields` checks every field of a (frozen) dataclass whose name is in
:data:`SETTINGS`, :func:`check_setting` one value. A bad value raises ``ValueError`` naming the
parameter, the value and what is allowed (``tests/test_bad_input.py``). What is checked where two
settings meet (AdamW's ``lr * weight_decay``, a batch no larger than the training set) is here
too. The check primitives (an integer, a finite real, …) are in ``regcore/_checks.py``.
"""
from __future__ import annotations

from dataclasses import fields

import torch

from ._checks import (_fail, check_choice, check_decoupled_decay, check_int, check_real,
                      check_seed, check_sizes)

OPTIMIZERS = ("adam", "adamw", "sgd")
INITIAL_EVALS = ("post", "clean")  # epoch 0 in training mode as the original, or in eval mode
MODEL_KINDS = ("linear", "mlp")
LOSSES = ("mse", "cross_entropy")  # regression targets, or class labels
DATASETS = ("toy", "digits")  # regcore.data.make_data, regcore.digits.digits_data


def resolve_device(device: str) -> torch.device:
    """``"auto"`` → CUDA when present, else CPU; else ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.

    Only CPU and CUDA devices are allowed (``"meta"`` has no data, ``"mps"`` and the others are
    untested), and a CUDA one must exist here; otherwise ``ValueError`` naming the device.
    """
    allowed = "'auto', 'cpu', 'cuda' or 'cuda:N'"
    if not isinstance(device, str):
        raise ValueError(f"device={device!r} is not allowed: device must be a string, one of "
                         f"{allowed}")
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        dev = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        dev = None
    if dev is None or dev.type not in ("cpu", "cuda") or (dev.type == "cpu" and dev.index):
        raise ValueError(f"device={device!r} is not allowed: device must be {allowed}")
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} is not allowed here: no CUDA device is available "
                         "(use 'cpu' or 'auto')")
    if dev.type == "cuda" and dev.index is not None and dev.index >= torch.cuda.device_count():
        raise ValueError(f"device={device!r} is not allowed here: device must be 'cuda:N' with "
                         f"N < {torch.cuda.device_count()}, the number of CUDA devices")
    return dev


def _optional(check):
    """A check that also lets ``None`` through (batch size None: full batch; no eval cap)."""
    return lambda name, value: None if value is None else check(name, value)


def _label(name, value) -> str:
    if not isinstance(value, str):
        _fail(name, value, "a string")
    return value


def _snapshots(name, value) -> int:
    value = check_int(name, value, minimum=0)
    if value == 1:
        _fail(name, value, "0 (none) or >= 2 (the first and last epochs at least)")
    return value


def _device(name, value) -> str:
    resolve_device(value)
    return value


#: name -> check(name, value) returning the value as stored. One entry per setting.
SETTINGS = {
    # model
    "kind": lambda n, v: check_choice(n, v, MODEL_KINDS),
    "model": lambda n, v: check_choice(n, v, MODEL_KINDS),
    "sizes": check_sizes,
    "dims": lambda n, v: check_int(n, v, minimum=1),
    "dropout": lambda n, v: check_real(n, v, minimum=0.0, below=1.0),
    # optimisation and penalties
    "optimizer": lambda n, v: check_choice(n, v, OPTIMIZERS),
    "loss": lambda n, v: check_choice(n, v, LOSSES),
    "lr": lambda n, v: check_real(n, v, minimum=0.0, strict=True),
    "epochs": lambda n, v: check_int(n, v, minimum=1),
    "weight_decay": lambda n, v: check_real(n, v, minimum=0.0),
    "l2": lambda n, v: check_real(n, v, minimum=0.0),
    "l1": lambda n, v: check_real(n, v, minimum=0.0),
    # L1 on the hidden activations (after each ReLU), per input: the sparse-autoencoder chapter
    "activation_l1": lambda n, v: check_real(n, v, minimum=0.0),
    "batch_size": _optional(lambda n, v: check_int(n, v, minimum=1)),
    # the standard deviation of the Gaussian noise added to every training input at every step
    "input_noise": lambda n, v: check_real(n, v, minimum=0.0),
    "initial_eval": lambda n, v: check_choice(n, v, INITIAL_EVALS),
    # seeds
    "seed": check_seed,
    "data_seed": check_seed,
    "init_seed": check_seed,
    "seeds": lambda n, v: check_int(n, v, minimum=1),  # how many seeds a study or sweep runs
    # data
    "dataset": lambda n, v: check_choice(n, v, DATASETS),
    "n_train": lambda n, v: check_int(n, v, minimum=1),
    "n_val": lambda n, v: check_int(n, v, minimum=1),
    "n_test": lambda n, v: check_int(n, v, minimum=1),
    "noise": lambda n, v: check_real(n, v, minimum=0.0),
    # recording and schedule
    "snapshot_every": lambda n, v: check_int(n, v, minimum=0),
    "snapshots": _snapshots,
    "max_evals": _optional(lambda n, v: check_int(n, v, minimum=2)),
    "dense_epochs": lambda n, v: check_int(n, v, minimum=0),
    "eval_chunk": lambda n, v: check_int(n, v, minimum=1),
    # running
    "device": _device,
    "workers": lambda n, v: check_int(n, v, minimum=1),
    "label": _label,
}


def check_setting(name: str, value, *, shown_as: str | None = None):
    """``value`` checked as the setting ``name``; ``shown_as`` names it in the error (e.g.
    ``"members[3].dropout"``). Returns the value as stored (ints as int, reals as float)."""
    return SETTINGS[name](shown_as or name, value)


def check_fields(obj) -> None:
    """Check every field of the dataclass ``obj`` that is a setting, and store the checked value
    (works on frozen dataclasses; call it first in ``__post_init__``)."""
    for f in fields(obj):
        if f.name in SETTINGS:
            object.__setattr__(obj, f.name, check_setting(f.name, getattr(obj, f.name)))


def check_stable_lr(lr, limit: float, why: str):
    """``lr`` as the setting, and below ``limit`` (``why``: the reason, e.g. 2/h_max for gradient
    descent on a quadratic); used by the theory checks whose closed forms need a stable step."""
    lr = check_setting("lr", lr)
    if lr >= limit:
        raise ValueError(f"lr={lr!r} is not allowed here: lr must be < {limit:g} ({why})")
    return lr


def check_batch_fits(batch_size: int | None, n_train: int, *, name: str = "batch_size") -> int:
    """The batch size a run uses (None: the whole training set), which must not exceed it."""
    if batch_size is None:
        return n_train
    if batch_size > n_train:
        raise ValueError(f"{name}={batch_size} is not allowed: with n_train={n_train} it must be "
                         f"between 1 and {n_train} (the last incomplete batch is dropped)")
    return batch_size


__all__ = ["SETTINGS", "check_setting", "check_fields", "check_batch_fits", "check_stable_lr",
           "check_decoupled_decay", "resolve_device", "OPTIMIZERS", "INITIAL_EVALS",
           "MODEL_KINDS"]
