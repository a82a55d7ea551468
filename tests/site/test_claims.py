"""regcore.site.claims: a claim is glued only when it holds, and fails loudly with its numbers."""
import numpy as np
import pytest

from regcore.site import claims


@pytest.fixture
def glued(monkeypatch):
    store = {}
    monkeypatch.setattr(claims, "_glue_words", lambda key, text: store.__setitem__(key, text))
    return store


def test_claim_glues_when_it_holds(glued):
    assert claims.claim("k", "below", np.float64(1.0) < 2.0, a=1.0, b=2.0) == "below"
    assert glued == {"k": "below"}


def test_claim_fails_with_its_text_and_numbers(glued):
    with pytest.raises(claims.ClaimError) as err:
        claims.claim("do-below", "the training curve sits below", 3.0 < 2.0, train=3.0, val=2.0)
    msg = str(err.value)
    assert "do-below" in msg and "the training curve sits below" in msg
    assert "train=3" in msg and "val=2" in msg
    assert glued == {}


def test_check_claim_asserts_without_glue(glued):
    claims.check_claim("differ by exactly 0", 0.0 == 0.0, diff=0.0)
    with pytest.raises(claims.ClaimError, match="diff=1e-07"):
        claims.check_claim("differ by exactly 0", 1e-7 == 0.0, diff=1e-7)
    assert glued == {}


def test_pick_selects_the_wording(glued):
    assert claims.pick("a", False, "below", "above") == "above"
    assert claims.pick("b", np.bool_(True), "below", "above") == "below"
    assert glued == {"a": "above", "b": "below"}


def test_a_number_is_not_a_condition(glued):
    with pytest.raises(TypeError, match="holds=0.5"):
        claims.claim("k", "text", 0.5)


def test_a_late_best_epoch_is_flagged(glued):
    """A best epoch within the last 5% of training is called "cut off", never "converged"."""
    from types import SimpleNamespace

    from regcore.site.glue import glue_convergence

    assert glue_convergence("mb", SimpleNamespace(best_epoch=999, epochs=1000)) is True
    assert "cut off" in glued["mb-convergence"] and "999 of 1000" in glued["mb-convergence"]
    assert glue_convergence("l1", SimpleNamespace(best_epoch=949, epochs=1000)) is False
    assert "well before the end" in glued["l1-convergence"]
