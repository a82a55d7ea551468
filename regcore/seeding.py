"""The post's seeding protocol, scoped to the call that needs it.

The original code resets the global torch, CUDA and NumPy generators to one seed before drawing
the data, at the start of every model constructor and at the start of every training run, and
then draws from those global generators (the data, the layers' initial weights, the loaders'
shuffles, dropout's masks). Each of those blocks begins with a reset, so no draw depends on what
came before it; regcore makes the same draws by running each block inside :func:`post_protocol`,
which resets the generators on entry *and puts the caller's generator states back on exit*. The
runs are the original's bit for bit (``tests/test_fidelity.py``) and calling regcore never moves
the caller's random streams (``tests/test_seeding.py``).

:func:`reset_seeds` is the original's global reset itself, for a reader who re-runs the post's
own code (chapter "Notes on the original code"); regcore's library calls do not use it
unscoped. Chapter "The toy problem" explains the protocol.

:func:`input_noise_seed` is not the post's: it seeds the private generator of the Gaussian noise
that ``input_noise`` adds to the training inputs, the one derivation that :func:`regcore.training.fit` and
the sweeps (:mod:`regcore.sweep.loop`) share, so that a sweep member's noise is fit's.
"""
from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch


def reset_seeds(seed: int) -> None:
    """The original's reset: the global torch generator, every CUDA generator and NumPy's legacy
    generator to ``seed``. Global and unscoped, as in the post; regcore itself uses
    :func:`post_protocol`."""
    torch.manual_seed(seed)
    torch.cuda.manual_seed(seed)
    np.random.seed(seed)


@contextmanager
def post_protocol(seed: int):
    """Inside: the global generators as right after the post's ``reset_seeds(seed)``. On exit
    (also on an error): the torch CPU, CUDA and NumPy generator states the caller had."""
    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    numpy_state = np.random.get_state()
    with torch.random.fork_rng(devices=devices):
        try:
            torch.manual_seed(seed)  # seeds every CUDA device too, as the original's two calls
            np.random.seed(seed)
            yield
        finally:
            np.random.set_state(numpy_state)


#: Multiplier of :func:`input_noise_seed` (a prime, as the dropout masks' 1_000_003 in
#: ``regcore.sweep.loop._mask_seed``, but a different one).
INPUT_NOISE_SEED_FACTOR = 1_000_033
#: Offset of :func:`input_noise_seed`: every dropout-mask seed is below ``2**62``, every
#: input-noise seed at or above it, so the two streams never share a seed.
INPUT_NOISE_SEED_OFFSET = 2 ** 62


def input_noise_seed(seed: int) -> int:
    """The seed of a run's input-noise generator, derived from its training seed ``seed``.

    ``2**62 + (seed + 1) * 1_000_033``: below ``2**64`` (``torch.Generator.manual_seed`` takes
    it) for every seed in ``[0, 2**32)``, distinct for distinct seeds, and disjoint from the
    dropout-mask seeds of the sweeps (``(seed + 1) * 1_000_003 % 2**62``). The noise is drawn
    from a private ``torch.Generator`` seeded with it, never from the global generator, so input
    noise leaves the post's draws (shuffles, dropout masks in ``fit``) where they were. Used by
    :func:`regcore.training.fit` and :class:`regcore.sweep.loop._GroupRun`.

    Parameters
    ----------
    seed : int
        The run's training seed (:attr:`regcore.training.TrainSettings.seed`,
        :attr:`regcore.sweep.settings.Member.seed`), already checked.

    Returns
    -------
    int
        The generator's seed, in ``[2**62, 2**64)``.
    """
    return INPUT_NOISE_SEED_OFFSET + (int(seed) + 1) * INPUT_NOISE_SEED_FACTOR
