"""Check primitives: an integer, a finite real in a range, one of a set, a seed, layer widths.

:mod:`regcore.settings` builds every setting's one check from these; functions with parameters
of their own (a theory check's ``masks``, a tolerance) use them directly. Each check raises
``ValueError`` that names the parameter, the value it got and what is allowed, so that bad
settings fail where they are made (scikit-learn's convention).
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Integral, Real

#: Every seed also resets NumPy's legacy generator (:mod:`regcore.seeding`), which takes
#: 0 <= seed < 2**32; a larger one would fail there, naming no parameter.
SEED_LIMIT = 2 ** 32


def _fail(name: str, value, allowed: str) -> None:
    raise ValueError(f"{name}={value!r} is not allowed: {name} must be {allowed}")


def check_int(name: str, value, *, minimum: int | None = None) -> int:
    """An integer (bools refused), at least ``minimum`` when given."""
    allowed = "an integer" + (f" >= {minimum}" if minimum is not None else "")
    if isinstance(value, bool) or not isinstance(value, Integral):
        _fail(name, value, allowed)
    if minimum is not None and value < minimum:
        _fail(name, value, allowed)
    return int(value)


def check_real(name: str, value, *, minimum: float | None = None, strict: bool = False,
               below: float | None = None) -> float:
    """A finite real number in ``[minimum, below)`` (``(minimum, below)`` when ``strict``)."""
    lo = "" if minimum is None else (f" > {minimum}" if strict else f" >= {minimum}")
    hi = "" if below is None else f" and < {below}"
    allowed = "a finite number" + lo + hi
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        _fail(name, value, allowed)
    if minimum is not None and (value <= minimum if strict else value < minimum):
        _fail(name, value, allowed)
    if below is not None and value >= below:
        _fail(name, value, allowed)
    return float(value)


def check_choice(name: str, value, choices) -> str:
    """One of a fixed set of strings."""
    if value not in choices:
        _fail(name, value, "one of " + ", ".join(repr(c) for c in choices))
    return value


def check_seed(name: str, value) -> int:
    """A seed every generator regcore resets accepts: an integer in ``[0, 2**32)``."""
    if (isinstance(value, bool) or not isinstance(value, Integral)
            or not 0 <= value < SEED_LIMIT):
        _fail(name, value, "an integer >= 0 and < 2**32")
    return int(value)


def check_sequence(name: str, value, allowed: str, *, min_len: int = 1) -> tuple:
    """A sequence (not a string, not a lone number) of at least ``min_len`` items, as a tuple.

    ``allowed`` says what the items must be, e.g. ``"a sequence of integers"``.
    """
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        _fail(name, value, allowed)
    items = tuple(value)
    if len(items) < min_len:
        _fail(name, value, allowed)
    return items


def check_sizes(name: str, value) -> tuple:
    """Layer widths of a model: input, hidden…, output; integers >= 1.

    The output width is checked against the data where the two meet (1 for the toy problem's
    regression, the number of classes for digits): :func:`regcore.training.check_model_fits`,
    :class:`regcore.sweep.settings.SweepSettings`.
    """
    sizes = check_sequence(name, value, "a sequence of at least two layer widths (input, "
                           "hidden..., output)", min_len=2)
    for i, s in enumerate(sizes):
        check_int(f"{name}[{i}]", s, minimum=1)
    return sizes


def check_decoupled_decay(lr: float, weight_decay: float, *, name: str = "weight_decay") -> None:
    """AdamW multiplies the weights by ``1 - lr*weight_decay`` each step: it must stay above 0.

    At or below 0 every step flips or zeroes the weights, whatever the gradient says.
    """
    if lr * weight_decay >= 1:
        raise ValueError(f"{name}={weight_decay!r} is not allowed with optimizer='adamw' and "
                         f"lr={lr!r}: lr*weight_decay must be < 1 (AdamW multiplies the weights "
                         f"by 1 - lr*weight_decay = {1 - lr * weight_decay:g} each step)")
