"""Shared fixtures: the post's data, drawn once per test session; one torch thread.

One thread, as the chapters use (regcore.site.glue.setup_chapter): these small models run
fastest so, and with two threads a busy second core makes every step wait (seen: a 1000-epoch
MLP run took 58 s instead of 3 s while another process used the other core).
"""
import pytest
import torch

torch.set_num_threads(1)

from regcore import make_data


@pytest.fixture(scope="session")
def data200():
    return make_data(n_train=200)


@pytest.fixture(scope="session")
def data400():
    return make_data(n_train=400)


@pytest.fixture(scope="session")
def post_runs():
    """The post's seven runs at n_train 200 and 400, whole, once per session (two processes)."""
    from regcore import run_post

    return run_post(n_trains=(200, 400), snapshot_every=0)
