import numpy as np
import pytest

from regcore.schedule import evaluation_epochs, log_epochs


def test_every_epoch_without_a_budget():
    assert np.array_equal(evaluation_epochs(7), np.arange(8))
    assert np.array_equal(evaluation_epochs(7, max_evals=50), np.arange(8))


@pytest.mark.parametrize("epochs, max_evals, dense", [(1000, 100, 20), (2000, 200, 20),
                                                      (500, 30, 10), (1000, 64, 0)])
def test_dense_head_then_log_spaced_tail_within_budget(epochs, max_evals, dense):
    e = evaluation_epochs(epochs, max_evals, dense)
    assert e[0] == 0 and e[-1] == epochs
    assert np.all(np.diff(e) > 0)
    assert max_evals - 3 <= len(e) <= max_evals  # the budget is used, never exceeded
    assert np.array_equal(e[: dense + 1], np.arange(dense + 1))
    tail = e[e >= max(dense, 1)].astype(float)
    ratios = tail[1:] / tail[:-1]
    # log-spaced: every step is about (epochs/dense)^(1/len(tail)); rounding widens early steps
    expected = (epochs / max(dense, 1)) ** (1 / (len(tail) - 1))
    assert np.all(ratios[len(ratios) // 3:] < expected * 1.05)
    assert ratios[-1] == pytest.approx(expected, rel=0.05)


def test_log_epochs_keep_ends_and_count():
    e = log_epochs(1000, 40)
    assert e[0] == 0 and e[-1] == 1000 and len(e) <= 40 and len(e) >= 30
    assert np.all(np.diff(e) > 0)
    assert np.array_equal(log_epochs(5, 40), np.arange(6))


@pytest.mark.parametrize("call, name", [
    (lambda: evaluation_epochs(0), "epochs"), (lambda: evaluation_epochs(100, 5, 20), "max_evals"),
    (lambda: evaluation_epochs(100, 50, -1), "dense"), (lambda: log_epochs(100, 1), "count")])
def test_bad_parameters_are_named(call, name):
    with pytest.raises(ValueError, match=name):
        call()
