"""Small helpers the chapters use to glue computed numbers into their prose.

Every number in the book's prose comes from a computation through MyST-NB's ``glue``; these
helpers glue the headline numbers of a run (and its settings) under predictable keys, so a
chapter needs one line per run. Keys: ``<prefix>-best-val``, ``-best-epoch``, ``-train-at-best``,
``-test-at-best``, ``-final-val``, ``-final-train``. Used by chapters 2–9.
"""
from __future__ import annotations

from numbers import Integral

import torch
from threadpoolctl import threadpool_limits
from matplotlib_inline.backend_inline import set_matplotlib_formats
from myst_nb import glue

from ..experiments import Experiment
from ..figures.runs import PREDICTION_POINTS
from ..figures.style import use_book_style
from ..memory import keep_freed_memory
from ..training import FitResult


def setup_chapter() -> None:
    """What every chapter does first: the house figure style with figures shown as SVG, one torch
    thread and one BLAS thread for NumPy, glibc's thresholds raised
    (:func:`regcore.memory.keep_freed_memory`).

    One thread is the fastest setting for these small models, keeps a chapter's speed steady when
    other processes share the machine, and makes no chapter's numbers depend on the core count.
    NumPy's BLAS (through threadpoolctl, which finds the library NumPy loaded) matters where
    other chapters execute alongside: measured with one other build running, the double-descent
    chapter's Monte Carlo (thousands of small solves) took 30.6 s with NumPy's default threads
    and 7.2 s with one, its random-features study 77.9 s and 8.4 s. The memory setting changes
    speed only, never a number.
    """
    use_book_style()
    set_matplotlib_formats("svg")
    torch.set_num_threads(1)
    threadpool_limits(1)   # for the rest of the kernel: every BLAS library loaded so far
    keep_freed_memory()


def glue_value(key: str, value) -> None:
    """Glue one number (NumPy scalars cast to plain int or float first) without displaying it."""
    if isinstance(value, bool):
        glue(key, value, display=False)
    elif isinstance(value, Integral):
        glue(key, int(value), display=False)
    else:
        glue(key, float(value), display=False)


def glue_result(prefix: str, result: FitResult) -> None:
    """Glue the headline numbers of one run under ``prefix``."""
    glue_value(f"{prefix}-best-val", result.best_val_loss)
    glue_value(f"{prefix}-best-epoch", result.best_epoch)
    glue_value(f"{prefix}-train-at-best", result.best_train_loss)
    glue_value(f"{prefix}-test-at-best", result.test_loss_at_best)
    glue_value(f"{prefix}-final-val", result.val_loss[-1])
    glue_value(f"{prefix}-final-train", result.train_loss[-1])
    glue_value(f"{prefix}-epochs", result.epochs)


def glue_settings(prefix: str, experiment: Experiment) -> None:
    """Glue a named run's settings: lr, epochs, penalties, batch size, dropout."""
    t = experiment.train
    glue_value(f"{prefix}-lr", t.lr)
    glue_value(f"{prefix}-epochs-set", t.epochs)
    glue_value(f"{prefix}-weight-decay", t.weight_decay)
    glue_value(f"{prefix}-l2", t.l2)
    glue_value(f"{prefix}-l1", t.l1)
    glue_value(f"{prefix}-dropout", experiment.model.dropout)
    if t.batch_size is not None:
        glue_value(f"{prefix}-batch-size", t.batch_size)
    if experiment.published_val_loss is not None:
        glue_value(f"{prefix}-published", experiment.published_val_loss)


def glue_words(key: str, text: str) -> None:
    """Glue a phrase that depends on a result (shown with ``{glue:md}``, without quotes)."""
    from IPython.display import Markdown

    glue(key, Markdown(text), display=False)


def glue_prediction_sizes(data) -> None:
    """Glue ``pred-points`` and ``pred-n-val``: what a predictions figure's caption quotes."""
    glue_value("pred-points", PREDICTION_POINTS)
    glue_value("pred-n-val", data.n_val)


#: A best epoch in the last 5% of training is read as "still improving when training stopped".
LATE_BEST_SHARE = 0.95


def glue_convergence(prefix: str, result: FitResult) -> bool:
    """Glue ``<prefix>-convergence``: whether the run's best epoch came before the end.

    A best epoch within the last 5% of the epochs means the validation loss was still falling
    when training stopped, so the run's "best" is where it was cut off, not a minimum; the
    chapters say so instead of reading such a run as converged. Returns whether it is late.
    """
    late = result.best_epoch >= LATE_BEST_SHARE * result.epochs
    from .claims import pick

    pick(f"{prefix}-convergence", late,
         f"Its best epoch, {result.best_epoch} of {result.epochs}, lies in the last "
         f"{1 - LATE_BEST_SHARE:.0%} of training: the validation loss was still falling when "
         "training stopped, so this is where the run was cut off rather than a minimum, and a "
         "longer run could do better.",
         f"Its best epoch, {result.best_epoch} of {result.epochs}, lies well before the end: "
         "the validation loss had stopped improving by then.")
    return late


def as_math(expr, lhs: str | None = None):
    """A SymPy expression as ``IPython.display.Math`` (optionally ``lhs = expr``), for
    ``glue(..., display=False)`` and ``{glue:math}`` in the theory chapters."""
    import sympy as sp
    from IPython.display import Math

    body = sp.latex(expr)
    return Math(body if lhs is None else f"{lhs} = {body}")


def words_list(items, code: bool = False) -> str:
    """Items as prose: ``"a"``, ``"a and b"``, ``"a, b and c"`` (``""`` for none); ``code`` sets
    each in backticks (run names). Used where a chapter lists what a result holds for."""
    words = [f"`{item}`" if code else str(item) for item in items]
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]
