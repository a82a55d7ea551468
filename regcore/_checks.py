"""Parameter checks shared by every settings object in regcore.

Each check raises ``ValueError`` that names the parameter, the value it got and what is
allowed, so that bad settings fail where they are made (scikit-learn's convention).
"""
from __future__ import annotations

import math
from numbers import Integral, Real


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
