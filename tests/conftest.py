"""Shared fixtures: the post's data, drawn once per test session."""
import pytest

from regcore import make_data


@pytest.fixture(scope="session")
def data200():
    return make_data(n_train=200)


@pytest.fixture(scope="session")
def data400():
    return make_data(n_train=400)
