"""Real data: scikit-learn's bundled handwritten digits, split by a seed, and error rates.

The 1,797 images of 8×8 pixels (64 features, grey levels 0-16, ten classes) ship inside
scikit-learn (``sklearn.datasets.load_digits`` reads a file of the package, nothing is
downloaded). :func:`digits_data` shuffles them with a seed and cuts a test split, a validation
split and a training split, in that order, so that for one seed a larger training set contains
the smaller ones and the test and validation images are the same whatever ``n_train`` is.
Pixels are divided by 16 (inputs in [0, 1]); the scale is fixed, not fitted, so no statistic of
the held-out images leaks into training. Labels are int64 class indices, so
:func:`regcore.training.fit` and :mod:`regcore.sweep` train with cross-entropy.

:func:`error_rates` scores trained parameters (rows of a sweep's ``best_theta``) as the fraction
of images whose largest output is not their label. Used by the chapter "Do the lessons hold on
real data?" (``book/more/digits.md``).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch

from .data import Splits
from .models import MLP, load_flat
from .settings import check_setting

#: Images in the data set, classes, and pixels per image (8×8).
DIGITS_ROWS = 1797
N_CLASSES = 10
PIXELS = 64
#: The largest grey level; pixels are divided by it.
GREY_LEVELS = 16.0


@dataclass(frozen=True)
class DigitsData(Splits):
    """One seeded split of the digits: float32 pixels in [0, 1] and int64 labels (CPU).

    The splits (``x_train`` … ``y_test``) are :class:`regcore.data.Splits`'; inputs are
    ``(n, 64)``, labels ``(n,)``. Made by :func:`digits_data`; frozen.

    Attributes
    ----------
    seed : int
        The split seed.
    n_classes : int
        Number of classes, 10.
    """

    seed: int
    n_classes: int = N_CLASSES


@lru_cache(maxsize=1)
def _images() -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 images (float64 pixels 0-16) and labels, read once from scikit-learn."""
    from sklearn.datasets import load_digits  # imported here: only this chapter needs it
    bunch = load_digits()
    return bunch.data, bunch.target


def check_split_sizes(n_train: int, n_val: int, n_test: int) -> tuple[int, int, int]:
    """The three split sizes, each >= 1 and together at most the 1,797 images."""
    n_train = check_setting("n_train", n_train)
    n_val = check_setting("n_val", n_val)
    n_test = check_setting("n_test", n_test)
    if n_train + n_val + n_test > DIGITS_ROWS:
        raise ValueError(f"n_train={n_train} is not allowed with n_val={n_val} and "
                         f"n_test={n_test}: the digits have {DIGITS_ROWS} images, so n_train must "
                         f"be at most {DIGITS_ROWS - n_val - n_test}")
    return n_train, n_val, n_test


def digits_data(n_train: int = 200, n_val: int = 500, n_test: int = 797,
                seed: int = 0) -> DigitsData:
    """The digits shuffled with ``seed`` and cut into test, validation and training splits.

    The permutation is NumPy's ``default_rng(seed).permutation(1797)``; the first ``n_test``
    images are the test split, the next ``n_val`` the validation split and the next ``n_train``
    the training split. The rest are unused.

    Parameters
    ----------
    n_train : int, optional
        Training images, >= 1. Default ``200``.
    n_val : int, optional
        Validation images, >= 1. Default ``500``.
    n_test : int, optional
        Test images, >= 1. Default ``797`` (with the default validation split, 500 images are
        left for training).
    seed : int, optional
        The split seed, an integer in ``[0, 2**32)``. Default ``0``.

    Returns
    -------
    DigitsData
        The splits, pixels divided by 16.

    Raises
    ------
    ValueError
        When a size or the seed is not allowed, or the three sizes add up to more than 1,797
        (the message names the parameter).
    """
    n_train, n_val, n_test = check_split_sizes(n_train, n_val, n_test)
    seed = check_setting("seed", seed)
    pixels, labels = _images()
    order = np.random.default_rng(seed).permutation(DIGITS_ROWS)
    cuts = np.cumsum([n_test, n_val, n_train])
    test, val, train = order[:cuts[0]], order[cuts[0]:cuts[1]], order[cuts[1]:cuts[2]]

    def x(rows):
        return torch.from_numpy(pixels[rows] / GREY_LEVELS).float()

    def y(rows):
        return torch.from_numpy(labels[rows]).long()

    return DigitsData(x(train), y(train), x(val), y(val), x(test), y(test), seed)


def error_rates(thetas, sizes: tuple, x: torch.Tensor, y: torch.Tensor) -> np.ndarray:
    """The fraction of images each parameter vector classifies wrongly (largest output ≠ label).

    Parameters
    ----------
    thetas : array_like
        Flat parameter vectors, ``(K, P)`` (a sweep's ``best_theta``) or ``(P,)``, in the order of
        :func:`regcore.models.flatten_params` for an MLP of widths ``sizes``.
    sizes : tuple
        The MLP's layer widths, e.g. ``(64, 25, 25, 10)``.
    x : torch.Tensor
        Inputs, ``(n, sizes[0])``.
    y : torch.Tensor
        Labels, ``(n,)``.

    Returns
    -------
    numpy.ndarray
        One error rate in [0, 1] per parameter vector, ``(K,)``.
    """
    thetas = np.atleast_2d(np.asarray(thetas, dtype=np.float32))
    model = MLP(sizes).eval()
    rates = []
    with torch.no_grad():
        for theta in thetas:
            predicted = load_flat(model, theta)(x).argmax(1)
            rates.append(float((predicted != y).double().mean()))
    return np.asarray(rates)
