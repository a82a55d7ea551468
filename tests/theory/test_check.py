import math

import pytest

from regcore.theory.check import Check


def test_passed_is_measured_within_tolerance():
    assert Check("a", 1e-3, 1e-2, "x").passed
    assert Check("a", 1e-2, 1e-2, "x").passed
    assert not Check("a", 2e-2, 1e-2, "x").passed
    assert not Check("a", math.nan, 1.0, "x").passed
    assert not Check("a", math.inf, 1.0, "x").passed


def test_assert_ok_names_check_measurement_tolerance_and_basis():
    Check("fine", 0.5, 1.0, "x").assert_ok()
    with pytest.raises(AssertionError, match=r"'broken'.*2.*> tolerance 1.*Monte Carlo"):
        Check("broken", 2.0, 1.0, "Monte Carlo error").assert_ok()


def test_check_is_frozen():
    c = Check("a", 0.0, 1.0, "x")
    with pytest.raises(AttributeError):
        c.measured = 5.0
