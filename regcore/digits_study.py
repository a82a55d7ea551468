"""The digits chapter's experiment: the post's regularisers tuned on real data, over many splits.

The post's MLP shape (two hidden layers of 25 ReLU units), with 64 inputs and 10 outputs, is
trained with cross-entropy on :data:`N_TRAIN` images of scikit-learn's digits
(:mod:`regcore.digits`), with each regulariser at each value of :data:`GRIDS`, and softmax
regression (no hidden layer) beside it. Seed s sets the split, the initial weights and the
training seed together, so that every setting of seed s sees the same images and the
comparisons are paired. Each regulariser's strength is tuned on the validation split
(:func:`regcore.studies.tuned`, lowest mean validation loss) and reported on the test split,
which took no part in any choice. Adam at the post's learning rate throughout.

One sweep job per regulariser (:func:`grids`), so that the process pool shares them out; each
grid trains for its own number of epochs (:data:`EPOCHS`): long enough that the best epochs
(chosen on validation) fall well inside the run, measured when the grids were set (weight decay
and softmax regression still improve at 300 epochs; minibatch runs peak within the first 30).
Chapter "Do the lessons hold on real data?" (``book/more/digits.md``).
"""
from __future__ import annotations

import numpy as np

from .digits import N_CLASSES, PIXELS, digits_data, error_rates
from .sweep import Member, SweepResult, SweepSettings, sweep_many

#: The MLP, with the post's hidden layers and the digits' inputs and classes.
MLP_SIZES = (PIXELS, 25, 25, N_CLASSES)
#: Softmax regression, the same network without hidden layers.
LINEAR_SIZES = (PIXELS, N_CLASSES)

#: Training images, a small set as in the post.
N_TRAIN = 200
#: Validation images.
N_VAL = 500
#: Test images, the rest of the 1,797 but 500 kept for larger training sets.
N_TEST = 797

#: The grids, by the :class:`regcore.sweep.settings.Member` field (batch size None = full
#: batch, the plain MLP). Ranges chosen so that the tuned value lies inside each grid.
GRIDS = {
    "weight_decay": (1e-3, 3e-3, 1e-2, 3e-2),
    "l1": (3e-4, 1e-3, 3e-3),
    "dropout": (0.05, 0.1, 0.2, 0.5),
    "batch_size": (16, 64, None),
}

#: Epochs per grid, and for softmax regression ("linear").
EPOCHS = {"weight_decay": 600, "l1": 600, "dropout": 250, "batch_size": 150, "linear": 600}

#: Validation evaluations per member (every epoch to 16, then log-spaced).
EVALS = 48


def settings(run: str, n_train: int = N_TRAIN) -> SweepSettings:
    """The shared settings of one grid (``run`` a key of :data:`GRIDS`) or of ``"linear"``.

    Parameters
    ----------
    run : str
        ``"weight_decay"``, ``"l1"``, ``"dropout"``, ``"batch_size"`` or ``"linear"``.
    n_train : int, optional
        Training images. Default :data:`N_TRAIN`.

    Returns
    -------
    regcore.sweep.settings.SweepSettings
        Digits, cross-entropy, Adam at lr 0.01, :data:`EPOCHS` ``[run]`` epochs.

    Raises
    ------
    ValueError
        When ``run`` is not one of those names (the message names it).
    """
    if run not in EPOCHS:
        raise ValueError(f"run={run!r} is not allowed: run must be one of "
                         + ", ".join(repr(r) for r in EPOCHS))
    return SweepSettings(sizes=LINEAR_SIZES if run == "linear" else MLP_SIZES, dataset="digits",
                         n_train=n_train, n_val=N_VAL, n_test=N_TEST, epochs=EPOCHS[run],
                         max_evals=EVALS, snapshots=0)


def grids(seeds: int = 20, workers: int = 2, progress: bool = False,
          n_train: int = N_TRAIN) -> dict:
    """Every grid of :data:`GRIDS` and softmax regression over ``seeds`` seeds.

    Parameters
    ----------
    seeds : int, optional
        Number of seeds, s = 0 … seeds-1 (split, init and training seed). Default ``20``.
    workers : int, optional
        Processes for :func:`regcore.sweep.run.sweep_many`, >= 1. Default ``2``.
    progress : bool, optional
        Show progress bars. Default ``False``.
    n_train : int, optional
        Training images. Default :data:`N_TRAIN`.

    Returns
    -------
    dict
        ``{field: SweepResult}`` for each field of :data:`GRIDS` (members value by value, seeds
        in order within each, labelled ``field``), then ``"linear"`` (seeds in order).

    Raises
    ------
    ValueError
        When ``seeds``, ``workers`` or ``n_train`` is not allowed (the message names it).
    """
    jobs = {field: ([Member(**{field: v}, data_seed=s, init_seed=s, seed=s, label=field)
                     for v in values for s in range(seeds)], settings(field, n_train))
            for field, values in GRIDS.items()}
    jobs["linear"] = ([Member(data_seed=s, init_seed=s, seed=s, label="linear")
                       for s in range(seeds)], settings("linear", n_train))
    return sweep_many(jobs, workers, progress)


def errors_at_best(result: SweepResult) -> np.ndarray:
    """Each member's error rate on its own split's test images, at its best epoch.

    Parameters
    ----------
    result : regcore.sweep.settings.SweepResult
        A digits sweep (``settings.dataset == "digits"``).

    Returns
    -------
    numpy.ndarray
        One error rate in [0, 1] per member, in order.

    Raises
    ------
    ValueError
        When ``result`` is not a digits sweep.
    """
    st = result.settings
    if st.dataset != "digits":
        raise ValueError(f"result.settings.dataset={st.dataset!r} is not allowed: errors_at_best "
                         "scores a digits sweep (dataset='digits')")
    splits = {s: digits_data(st.n_train, st.n_val, st.n_test, seed=s)
              for s in sorted({m.data_seed for m in result.members})}
    return np.array([error_rates(result.best_theta[i], st.sizes, splits[m.data_seed].x_test,
                                 splits[m.data_seed].y_test)[0]
                     for i, m in enumerate(result.members)])


#: The runs the chapter compares, as :func:`regcore.studies.claims` names them, and their names
#: in prose.
RUNS = ("weight_decay", "l1", "dropout", "minibatch", "mlp", "linear")
NAMES = {"weight_decay": "weight decay", "l1": "L1", "dropout": "dropout",
         "minibatch": "minibatch", "mlp": "plain MLP", "linear": "softmax regression"}


def tuned_runs(results: dict) -> dict:
    """Each run of :data:`RUNS` at its tuned setting: the members of :func:`grids` it stands for.

    A regulariser's setting is the grid value of lowest mean validation loss
    (:func:`regcore.studies.tuned`); ``"minibatch"`` is the best batch size below the full batch
    (the full batch is the plain MLP, ``"mlp"``); ``"linear"`` is softmax regression. Every run's
    members come in seed order, so runs are paired by seed.

    Parameters
    ----------
    results : dict
        What :func:`grids` returned.

    Returns
    -------
    dict
        ``{run: (value, SweepResult, errors)}`` in the order of :data:`RUNS`: the tuned value
        (``None`` for the plain MLP and softmax regression), those members, and their test error
        rates (:func:`errors_at_best`).
    """
    from .studies import tuned  # studies imports the sweeps; only the chapter needs this
    minis = tuple(v for v in GRIDS["batch_size"] if v is not None)
    where = {field: (field, tuned(results[field], field, values))
             for field, values in GRIDS.items() if field != "batch_size"}
    where["minibatch"] = ("batch_size", tuned(results["batch_size"], "batch_size", minis))
    where["mlp"] = ("batch_size", None)
    out = {}
    for run in RUNS:
        if run == "linear":
            group, value = results["linear"], None
        else:
            field, value = where[run]
            group = results[field].select(np.array([getattr(m, field) == value
                                                    for m in results[field].members]))
        out[run] = (value, group, errors_at_best(group))
    return out
