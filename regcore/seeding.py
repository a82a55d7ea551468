"""The post's seeding protocol: reset torch, CUDA and NumPy generators to one seed.

The original code resets all three before drawing the data, at the start of every model
constructor and at the start of every training run; regcore does the same at the same places
(:mod:`regcore.data`, :mod:`regcore.models`, :mod:`regcore.training`), which is what makes its
runs repeat the original's bit for bit. Chapter "The toy problem" explains the protocol.
"""
from __future__ import annotations

import numpy as np
import torch


def reset_seeds(seed: int) -> None:
    """Reset the global torch generator, every CUDA generator and NumPy's legacy generator."""
    torch.manual_seed(seed)
    torch.cuda.manual_seed(seed)
    np.random.seed(seed)
