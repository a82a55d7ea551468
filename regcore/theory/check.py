"""The result of one theory check: what was measured, against which tolerance, and why that one.

Every module of :mod:`regcore.theory` returns a :class:`Check` from its ``check*`` functions. The
chapters of the part "Theory, checked" glue ``measured`` and ``tolerance`` into their prose and
call :meth:`Check.assert_ok`, so that a broken check fails the book's build; the tests in
``tests/theory`` call the same functions with the same tolerances.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Check:
    """One measured agreement and the bound it must stay within (``measured <= tolerance``).

    Returned by every ``check*`` function of :mod:`regcore.theory`; frozen. ``basis`` says what
    the tolerance rests on (float precision, iterate noise, Monte Carlo error, a truncated
    series); ``values`` holds the numbers and arrays behind the measurement, for the chapter's
    figure and prose. ``measured`` and ``tolerance`` are stored as ``float``; ``passed`` is
    computed when the check is made, never passed in. Two checks compare equal on ``name``,
    ``measured``, ``tolerance``, ``basis`` and ``passed`` (``values`` is left out, and out of the
    ``repr``).

    Attributes
    ----------
    name : str
        What was checked, as the chapters and the failure message name it.
    measured : float
        The measured disagreement (a relative error, a number of standard errors, …).
    tolerance : float
        The largest ``measured`` that passes.
    basis : str
        What the tolerance rests on.
    values : dict
        The numbers and arrays behind the measurement, by name. Default ``{}``.
    passed : bool
        ``True`` when ``measured`` is finite and ``measured <= tolerance``; a NaN or infinite
        measurement fails.
    """

    name: str
    measured: float
    tolerance: float
    basis: str
    values: dict = field(default_factory=dict, repr=False, compare=False)
    passed: bool = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "measured", float(self.measured))
        object.__setattr__(self, "tolerance", float(self.tolerance))
        object.__setattr__(self, "passed",
                           math.isfinite(self.measured) and self.measured <= self.tolerance)

    def assert_ok(self) -> "Check":
        """Return the check if it passed; else raise ``AssertionError``.

        The chapters of the part "Theory, checked" call it on every check, so that a failed one
        stops the book's build.

        Returns
        -------
        Check
            ``self``, unchanged, so that the call can end an expression.

        Raises
        ------
        AssertionError
            When :attr:`passed` is false; the message names the check, the measurement, the
            tolerance and what the tolerance rests on.
        """
        if not self.passed:
            raise AssertionError(f"theory check {self.name!r} failed: measured {self.measured:.6g} "
                                 f"> tolerance {self.tolerance:.6g} (tolerance rests on: "
                                 f"{self.basis})")
        return self

    def __str__(self) -> str:
        verdict = "ok" if self.passed else "FAILED"
        return f"{self.name}: {self.measured:.3g} <= {self.tolerance:.3g} [{verdict}]"
