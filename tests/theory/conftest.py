"""The theory checks train small models: one torch thread (the machine is shared)."""
import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_thread():
    torch.set_num_threads(1)
