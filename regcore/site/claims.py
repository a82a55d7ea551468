"""Claims: the book's comparative sentences, glued only when the computed result supports them.

A sentence such as "the training curve sits below the validation curve" or "dropout beats L1"
is a claim about a result. Typed into prose it stays on the page when the result changes; built
here it cannot. Two forms, used by every chapter that compares or quantifies:

* :func:`claim` — glue ``text`` under ``key`` only if ``holds`` is true; otherwise stop the build
  with :class:`ClaimError`, whose message quotes the sentence and the numbers it rests on.
  :func:`check_claim` is the same assertion for a sentence written directly in the prose (glued
  nothing, asserted on the page that states it).
* :func:`pick` — for a sentence that may fall either way: glue the wording the result selects
  (``pick("k", a < b, "below", "above")``), so no outcome fails the build and none misprints.

Numbers passed as keywords are only for the error message; glue them separately where the prose
shows them. Hand-written because MyST-NB's ``glue`` has no notion of a condition.
"""
from __future__ import annotations

from numbers import Real

import numpy as np


class ClaimError(AssertionError):
    """A sentence of the book that its own result no longer supports."""


def _truth(key: str, holds) -> bool:
    if isinstance(holds, (bool, np.bool_)):
        return bool(holds)
    raise TypeError(f"holds={holds!r} is not allowed for claim {key!r}: holds must be a bool "
                    "(the comparison itself, not a number)")


def _numbers(numbers: dict) -> str:
    parts = []
    for name, value in numbers.items():
        if isinstance(value, Real) and not isinstance(value, bool):
            parts.append(f"{name}={float(value):.6g}")
        else:
            parts.append(f"{name}={value!r}")
    return ", ".join(parts) if parts else "no numbers given"


def check_claim(text: str, holds, key: str = "prose", **numbers) -> None:
    """Raise :class:`ClaimError` quoting ``text`` and ``numbers`` unless ``holds`` is true."""
    if not _truth(key, holds):
        raise ClaimError(f"claim {key!r} does not hold on this build: {text!r} "
                         f"({_numbers(numbers)})")


def _glue_words(key: str, text: str) -> None:
    from .glue import glue_words

    glue_words(key, text)


def claim(key: str, text: str, holds, **numbers) -> str:
    """Glue ``text`` (Markdown, shown with ``{glue:md}``) under ``key`` if ``holds``; else fail.

    Returns ``text``, so a caption can reuse the same checked words.
    """
    check_claim(text, holds, key, **numbers)
    _glue_words(key, text)
    return text


def pick(key: str, condition, if_true: str, if_false: str) -> str:
    """Glue (under ``key``) and return the wording the result selects: ``if_true`` or
    ``if_false`` by ``condition``."""
    text = if_true if _truth(key, condition) else if_false
    _glue_words(key, text)
    return text
