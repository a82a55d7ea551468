"""regcore.seeding: the post's protocol inside a call, the caller's random streams untouched."""
import numpy as np
import pytest
import torch

from regcore import MLP, Linear, TrainSettings, fit, make_data, run
from regcore.reference import train_original
from regcore.seeding import post_protocol, reset_seeds
from regcore.sweep import Member, SweepSettings, sweep


def _states():
    return torch.get_rng_state(), np.random.get_state()[1].copy()


def _same(a, b) -> bool:
    return torch.equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_inside_the_scope_the_draws_are_those_after_a_global_reset():
    reset_seeds(7)
    expected = torch.randn(5), np.random.rand(3)
    torch.manual_seed(123)
    np.random.seed(123)
    with post_protocol(7):
        got = torch.randn(5), np.random.rand(3)
    assert torch.equal(got[0], expected[0]) and np.array_equal(got[1], expected[1])


def test_the_scope_restores_the_callers_streams_even_on_error():
    torch.manual_seed(5)
    np.random.seed(5)
    before = _states()
    with pytest.raises(RuntimeError):
        with post_protocol(1):
            torch.randn(3)
            np.random.rand(2)
            raise RuntimeError("inside")
    assert _same(_states(), before)


@pytest.mark.parametrize("call", [
    lambda data: make_data(n_train=20, n_val=30, n_test=30),
    lambda data: Linear(50, seed=3),
    lambda data: MLP((50, 8, 1), dropout=0.3, seed=3),
    lambda data: fit(MLP((50, 8, 1), dropout=0.3), data, TrainSettings(epochs=3)),
    lambda data: fit(MLP((50, 8, 1)), data, TrainSettings(epochs=3, input_noise=0.5)),
    lambda data: run("dropout", data=data, snapshot_every=0),
    lambda data: train_original(Linear(50), data.x_train, data.y_train, data.x_val, data.y_val,
                                epochs=2),
    lambda data: sweep([Member(dropout=0.2), Member(seed=3, input_noise=0.5)],
                       SweepSettings(sizes=(50, 8, 1), epochs=3, n_train=20, n_val=30,
                                     n_test=30, snapshots=0)),
], ids=["make_data", "Linear", "MLP", "fit", "fit input_noise", "run", "train_original",
        "sweep"])
def test_library_calls_leave_the_callers_generators_as_they_were(call, monkeypatch):
    # run("dropout") trains 2000 epochs: shorten it (the draws per epoch are what matters)
    import regcore.experiments as ex
    from dataclasses import replace
    monkeypatch.setitem(ex.POST_RUNS, "dropout",
                        replace(ex.POST_RUNS["dropout"],
                                train=replace(ex.POST_RUNS["dropout"].train, epochs=2)))
    data = make_data(n_train=20, n_val=30, n_test=30)
    torch.manual_seed(2024)
    np.random.seed(2024)
    before = _states()
    call(data)
    assert _same(_states(), before)


def test_input_noise_seeds_are_distinct_and_never_a_dropout_mask_seed():
    # One derivation for fit and the sweeps; its seeds lie in [2**62, 2**64), the dropout-mask
    # seeds (sweep.loop._mask_seed) below 2**62, so the two streams never coincide.
    from regcore.seeding import input_noise_seed
    from regcore.sweep.loop import _mask_seed
    seeds = [0, 1, 2, 41, 42, 43, 1_000_002, 2 ** 31, 2 ** 32 - 1]
    noise = [input_noise_seed(s) for s in seeds]
    assert len(set(noise)) == len(seeds)
    assert all(2 ** 62 <= n < 2 ** 64 for n in noise)
    assert all(_mask_seed(s) < 2 ** 62 for s in seeds)
    torch.Generator().manual_seed(input_noise_seed(2 ** 32 - 1))  # the largest one is accepted
