"""regcore: the library behind the executable textbook on regularisation.

The flow: :mod:`regcore.data` (the seeded toy problem) → :mod:`regcore.models` (Linear, MLP) →
:mod:`regcore.training` (fit one model) → :mod:`regcore.experiments` (the post's named runs) →
figures and numbers in the chapters.
"""
from .data import ToyData, make_data
from .experiments import POST_RUNS, RUN_NAMES, Experiment, ModelSpec, run, run_post
from .models import MLP, Linear, count_params, flatten_params
from .seeding import reset_seeds
from .training import DivergenceError, FitResult, TrainSettings, fit

__all__ = ["ToyData", "make_data", "POST_RUNS", "RUN_NAMES", "Experiment", "ModelSpec", "run",
           "run_post", "MLP", "Linear", "count_params", "flatten_params", "reset_seeds",
           "DivergenceError", "FitResult", "TrainSettings", "fit"]
