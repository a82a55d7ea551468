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

    ``basis`` says what the tolerance rests on (float precision, iterate noise, Monte Carlo
    error, a truncated series); ``values`` holds the numbers and arrays behind the measurement,
    for the chapter's figure and prose. ``passed`` is computed, never passed in.
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
        """Raise ``AssertionError`` naming the check, the measurement and the tolerance."""
        if not self.passed:
            raise AssertionError(f"theory check {self.name!r} failed: measured {self.measured:.6g} "
                                 f"> tolerance {self.tolerance:.6g} (tolerance rests on: "
                                 f"{self.basis})")
        return self

    def __str__(self) -> str:
        verdict = "ok" if self.passed else "FAILED"
        return f"{self.name}: {self.measured:.3g} <= {self.tolerance:.3g} [{verdict}]"
