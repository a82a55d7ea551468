"""The post's runs as named, frozen settings — the one place for every hyperparameter the book uses.

:data:`POST_RUNS` maps a run name (``linear``, ``mlp``, ``weight_decay``, ``l2``, ``l1``,
``minibatch``, ``dropout``) to an :class:`Experiment`: a model spec, training settings and the
post's published best validation loss. :func:`run` trains one of them; :func:`run_post` trains
several, in parallel processes (one torch thread each, the steadiest here). Chapters 2–8.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from tqdm.auto import tqdm

from ._checks import check_choice, check_sequence
from .settings import check_fields, check_setting
from .data import ToyData, make_data
from .models import MLP, Linear
from .parallel import map_tasks
from .training import FitResult, TrainSettings, fit, resolve_device


@dataclass(frozen=True)
class ModelSpec:
    """Which model to build: ``kind`` 'linear' or 'mlp', MLP widths, dropout and init seed.

    Frozen; checked when made. :meth:`build` makes the model.

    Attributes
    ----------
    kind : str
        ``"linear"`` (:class:`regcore.models.Linear`) or ``"mlp"`` (:class:`regcore.models.MLP`).
        Default ``"mlp"``.
    sizes : tuple
        MLP layer widths: input, hidden..., output (integers >= 1, the last 1). Checked but not
        used for the linear model. Default ``(50, 25, 25, 1)``.
    dropout : float
        MLP dropout probability, in ``[0, 1)``; 0 for the linear model. Default ``0.0``.
    seed : int
        Init seed, an integer in ``[0, 2**32)``. Default ``42``.

    Raises
    ------
    ValueError
        When a field is not allowed (the message names it), or when ``kind="linear"`` and
        ``dropout`` is not 0.
    """

    kind: str = "mlp"
    sizes: tuple = (50, 25, 25, 1)
    dropout: float = 0.0
    seed: int = 42

    def __post_init__(self):
        check_fields(self)  # each field's own check: regcore.settings.SETTINGS
        if self.kind == "linear" and self.dropout:
            raise ValueError(f"dropout={self.dropout!r} is not allowed for kind='linear': the "
                             "post's linear model has no dropout (use 0.0)")

    def build(self, dims: int):
        """The model, created under the seeding protocol, for data of ``dims`` features.

        For kind 'mlp', ``sizes[0]`` must equal ``dims`` (``ValueError`` otherwise); the linear
        model has no hidden widths and takes ``dims`` inputs.

        Parameters
        ----------
        dims : int
            Number of input features of the data, >= 1.

        Returns
        -------
        regcore.models.Linear or regcore.models.MLP
            A new model with the initial weights of ``seed``.

        Raises
        ------
        ValueError
            When ``dims`` is not allowed (the message names it), or when ``kind="mlp"`` and
            ``sizes[0] != dims``.
        """
        dims = check_setting("dims", dims)
        if self.kind == "linear":
            return Linear(dims, seed=self.seed)
        if self.sizes[0] != dims:
            raise ValueError(f"sizes[0]={self.sizes[0]} does not fit dims={dims}: the model's "
                             "input width must equal the data's dims (use ModelSpec(sizes=("
                             f"{dims}, ...)))")
        return MLP(self.sizes, dropout=self.dropout, seed=self.seed)


@dataclass(frozen=True)
class Experiment:
    """A named run of the post: model, training settings, and the post's published number.

    The values of :data:`POST_RUNS`; frozen. ``model`` and ``train`` check themselves when made;
    nothing else is checked.

    Attributes
    ----------
    name : str
        The run's name, its key in :data:`POST_RUNS` (e.g. ``"dropout"``).
    title : str
        A title for figures and tables (e.g. ``"MLP, dropout 0.1"``).
    model : ModelSpec
        The model to build.
    train : regcore.training.TrainSettings
        The training settings.
    published_val_loss : float or None
        The best validation loss the post published for the run (one seed); ``None``: none.
        Default ``None``.
    """

    name: str
    title: str
    model: ModelSpec
    train: TrainSettings
    published_val_loss: float | None = None


def _mlp_run(name, title, published, epochs=1000, dropout=0.0, **train):
    return Experiment(name, title, ModelSpec("mlp", dropout=dropout),
                      TrainSettings(lr=0.01, epochs=epochs, **train), published)


#: The post's seven runs, in the order of its comparison figure.
POST_RUNS: dict[str, Experiment] = {e.name: e for e in (
    Experiment("linear", "Linear model", ModelSpec("linear"), TrainSettings(lr=0.1, epochs=500),
               0.05),
    _mlp_run("mlp", "MLP, no regularisation", 0.60),
    _mlp_run("weight_decay", "MLP, Adam weight decay", 0.50, weight_decay=0.085),
    _mlp_run("l2", "MLP, manual L2", 0.50, l2=0.085),
    _mlp_run("l1", "MLP, manual L1", 0.28, epochs=2000, l1=0.021),
    _mlp_run("minibatch", "MLP, minibatch 32", 0.31, batch_size=32),
    _mlp_run("dropout", "MLP, dropout 0.1", 0.27, epochs=2000, dropout=0.1),
)}

RUN_NAMES = tuple(POST_RUNS)


def get_experiment(name: str) -> Experiment:
    """The :class:`Experiment` of the post's run ``name``.

    Parameters
    ----------
    name : str
        One of ``RUN_NAMES``: ``"linear"``, ``"mlp"``, ``"weight_decay"``, ``"l2"``, ``"l1"``,
        ``"minibatch"``, ``"dropout"``.

    Returns
    -------
    Experiment
        ``POST_RUNS[name]``.

    Raises
    ------
    ValueError
        When ``name`` is not one of the post's runs (the message names it).
    """
    check_choice("name", name, RUN_NAMES)
    return POST_RUNS[name]


def run(name: str, n_train: int = 200, *, data: ToyData | None = None, device: str = "cpu",
        snapshot_every: int = 1, progress: bool = False) -> FitResult:
    """Train the post's run ``name`` on the post's data (or ``data``) and return its result.

    The model is built from the run's :class:`ModelSpec` for the data's dims and trained by
    :func:`regcore.training.fit` with the run's settings, ``device`` and ``snapshot_every``
    replaced.

    Parameters
    ----------
    name : str
        One of the post's runs, a key of :data:`POST_RUNS`.
    n_train : int, optional
        Training points of the post's data (:func:`regcore.data.make_data`, its other arguments
        left at their defaults); not used when ``data`` is given. Default ``200``.
    data : regcore.data.ToyData or None, optional
        Data to train on instead (keyword only). Default ``None``: the post's.
    device : str, optional
        Device to train on, as :attr:`regcore.training.TrainSettings.device` (keyword only).
        Default ``"cpu"``.
    snapshot_every : int, optional
        Parameter snapshots every so many epochs, 0 for none (keyword only). Default ``1``.
    progress : bool, optional
        Show a progress bar labelled ``name`` (keyword only). Default ``False``.

    Returns
    -------
    regcore.training.FitResult
        The run's histories, states and scores.

    Raises
    ------
    ValueError
        When ``name``, ``n_train``, ``device`` or ``snapshot_every`` is not allowed (the message
        names it), or when the run's model or batch size does not fit the data.
    regcore.training.DivergenceError
        When a loss becomes NaN or infinite.
    """
    exp = get_experiment(name)
    if data is None:
        data = make_data(n_train=n_train)
    settings = replace(exp.train, device=device, snapshot_every=snapshot_every)
    model = exp.model.build(data.dims)
    return fit(model, data, settings, progress=progress, desc=name)


def _run_job(name: str, n_train: int, device: str, snapshot_every: int) -> FitResult:
    return run(name, n_train, device=device, snapshot_every=snapshot_every)


#: Rough relative cost of each run (epochs × steps per epoch), to start the longest first.
def _cost(name: str, n_train: int) -> int:
    t = POST_RUNS[name].train
    steps = 1 if t.batch_size is None else n_train // t.batch_size
    return t.epochs * (1 + steps // 2)


def run_post(n_trains=(200,), names=RUN_NAMES, *, workers: int | None = None,
             device: str = "cpu", snapshot_every: int = 1,
             progress: bool = False) -> dict[tuple[str, int], FitResult]:
    """Train each run in ``names`` at each ``n_train``; results keyed by ``(name, n_train)``.

    With ``workers`` > 1 the runs go to that many processes (default: the CPU count, at most 2,
    the cores of this book's machine); results are the same bits as in-process runs with one
    thread. With one worker, or on a device other than ``"cpu"``, they run in this process.

    Parameters
    ----------
    n_trains : sequence of int, optional
        Training-set sizes, each >= 1 (the post's data at that size). Default ``(200,)``.
    names : sequence of str, optional
        Names of the post's runs. Default ``RUN_NAMES``: all seven, in the post's order.
    workers : int or None, optional
        Number of processes, >= 1 (keyword only). Default ``None``: as above.
    device : str, optional
        Device to train on (keyword only). Default ``"cpu"``.
    snapshot_every : int, optional
        Parameter snapshots every so many epochs, 0 for none (keyword only). Default ``1``.
    progress : bool, optional
        Show a progress bar of the runs (keyword only). Default ``False``.

    Returns
    -------
    dict
        ``{(name, n_train): FitResult}``, by increasing ``n_train``, then in the order of ``names``.

    Raises
    ------
    ValueError
        When ``names``, ``n_trains``, ``workers`` or ``device`` is not allowed (the message names
        it); a run's own errors (:func:`run`) are raised here too.
    """
    names = check_sequence("names", names, "a sequence of run names, e.g. ('linear', 'mlp')")
    for name in names:
        get_experiment(name)
    n_trains = check_sequence("n_trains", n_trains, "a sequence of integers, e.g. (200,)")
    n_trains = [check_setting("n_train", n) for n in n_trains]
    workers = (min(2, os.cpu_count() or 1) if workers is None
               else check_setting("workers", workers))
    resolve_device(device)
    jobs = [(name, n) for n in n_trains for name in names]
    if workers == 1 or device != "cpu":
        bar = tqdm(jobs, desc="post runs", disable=not progress)
        done = [_run_job(name, n, device, snapshot_every) for name, n in bar]
    else:
        done = map_tasks(_run_job, [(name, n, device, snapshot_every) for name, n in jobs],
                         workers, cost=lambda task: _cost(task[0], task[1]),
                         progress=progress, desc="post runs")
    results = dict(zip(jobs, done))
    return {job: results[job] for job in sorted(results, key=lambda j: (j[1], names.index(j[0])))}
