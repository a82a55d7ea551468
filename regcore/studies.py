"""The "Beyond one seed" chapters' experiments: which members, which settings, which summaries.

* :func:`post_over_seeds` — the post's seven runs over seeds, the data seed and the init seed
  varied separately (chapter "The post over many seeds").
* :func:`strength_grids` — validation loss against weight decay, L1 strength, dropout p and batch
  size over seeds, and :func:`tuned` — the grid value of lowest mean validation loss
  (chapter "Tuning, and more data").
* :func:`learning_curves` — test loss against n_train for the linear model, the plain MLP and
  each tuned regularised MLP (same chapter).
* :func:`noise_grid` — validation and test loss against the standard deviation of Gaussian noise
  on the MLP's training inputs, over seeds (chapter "Noise injection is Tikhonov regularisation").
* :func:`activation_penalty` — the MLP with L1 on its hidden activations beside the post's L1 on
  its weights, over seeds, and :func:`firing_on_test` — how many hidden units fire per test
  input (chapter "L1 on activations: a toy sparse autoencoder").
* :func:`summary` — mean and 95% interval of a score per group of members.
* :func:`divergence_report` — which members diverged, and when.

Every number is selected on validation (best epoch among the scheduled evaluations, tuned value by
mean validation loss) and reported on the held-out test split. A member whose losses became
infinite or NaN (``SweepResult.diverged_epoch >= 0``) keeps a finite best loss from before it
diverged, which would flatter its group: it is left out of every mean, interval and tuned optimum
here (:func:`finite`), and the chapters say how many diverged and where. The grids and seed counts
live here so that the chapters only call and plot.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from .experiments import POST_RUNS
from .stats import mean_interval, paired_difference, welch_difference
from .sweep import Member, SweepResult, SweepSettings, sweep_many

#: Fewest members that stayed finite for a group to be summarised (a mean and an interval).
MIN_MEMBERS = 2

#: The post's runs in its order, and the regularised ones the chapters tune.
RUNS = ("linear", "mlp", "weight_decay", "l2", "l1", "minibatch", "dropout")

#: The grids of the tuning chapter, by the Member field, and its values (batch size None = full
#: batch).
GRIDS = {
    "weight_decay": (0.01, 0.03, 0.085, 0.2, 0.5),
    "l1": (0.003, 0.01, 0.021, 0.05, 0.1),
    "dropout": (0.05, 0.1, 0.2, 0.5),
    "batch_size": (16, 32, 100, None),
}

#: The epochs of each grid, 1000 for all, as in the learning curves that use the tuned values (the
#: post's L1 and dropout runs take 2000; 1000 keeps the chapter's build within its time budget).
GRID_EPOCHS = {"weight_decay": 1000, "l1": 1000, "dropout": 1000, "batch_size": 1000}

#: The input-noise grid of chapter "Noise injection is Tikhonov regularisation", the standard
#: deviation of the Gaussian noise added to every training input at every step (0 is the plain
#: MLP, the seeds' paired baseline). The inputs have unit variance, so 0.5 is half their spread.
NOISE_GRID = (0.0, 0.02, 0.05, 0.1, 0.2, 0.5)

#: The epochs of each level of :data:`NOISE_GRID`. The plain MLP and the weakest noise keep
#: improving on validation for hundreds of epochs (at 1000 epochs, two plain seeds peaked at 875
#: and 1000), so they take the tuning grids' 1000; from 0.05 on every seed's best epoch was at most
#: 155 of 1000, so those levels take 400, and the chapter asserts that each of their members peaks
#: within the first half. (All six at 1000 took 31 s of the chapter's 55 s on two workers.)
NOISE_EPOCHS = {0.0: 1000, 0.02: 1000, 0.05: 400, 0.1: 400, 0.2: 400, 0.5: 400}

#: The activation penalties (0 is none) that chapter "L1 on activations" puts on the post's MLP,
#: a weak one (the lowest mean validation loss of a wider grid tried when the chapter was
#: written) and one strong enough to silence most units.
ACTIVATION_L1 = (0.0, 0.003, 0.3)

#: The epochs of those runs.
ACTIVATION_EPOCHS = 600

#: The training-set sizes of the learning curves, from 4 times fewer to 4 times more points than
#: the post's 200. (Up to 1600 until the build's cost was cut: that point alone took a third of the
#: chapter's time, as the full-batch cost grows with n.)
N_TRAINS = (50, 100, 200, 400, 800)

#: Validation budget of the grids and the learning curves (every epoch to 16, then log-spaced).
#: One schedule for both: a curve's point at the grids' n_train is then the tuned grid members
#: themselves (reused, not retrained), and the page has one test score per tuned model. Each
#: evaluation on the 10,000 validation points costs about as much as ten training epochs at
#: n_train 200 (measured: 20 members, 1000 epochs; 48 evaluations were a quarter to a third of the
#: run), so the budget is a large part of the chapter's cost.
TUNING_EVALS = 48

#: The validation points of every tuning study (the grids, the learning curves, the noise grid,
#: the activation penalties, the AdamW runs), against the post's 10,000. The validation split only
#: picks each member's best epoch and each grid's value; its evaluations cost in proportion to its
#: size: at n_train 50, 48 evaluations of 10,000 points pass 480,000 points forward against the
#: 50,000 forward and back of 1000 full-batch epochs, and on the grids the 10,000 points cost a
#: fifth of the time (two grids on two workers: 39.6 s with 10,000, 32.5 s with 2,000; the
#: tuning chapter alone took 226 s before and 184 s after). The training and test splits are the
#: same draws either way (:func:`regcore.data.make_data`); the validation inputs are the first
#: 2,000 of the 10,000 (their targets' noise is drawn after all the inputs, so it differs).
TUNING_N_VAL = 2_000

#: The training-set size at which a minibatch MLP of the learning curves takes ``epochs`` epochs;
#: at other n it takes as many optimiser steps as there (the post's n_train).
STEPS_N_TRAIN = 200


def post_member(name: str, data_seed: int = 42, init_seed: int = 42, **changes) -> Member:
    """The member that stands for the post's run ``name`` (training seed = init seed).

    Its penalties, dropout and batch size are the run's (:data:`regcore.experiments.POST_RUNS`)
    and its label is ``name``.

    Parameters
    ----------
    name : str
        One of the post's runs, a key of :data:`regcore.experiments.POST_RUNS`.
    data_seed : int, optional
        The member's data seed. Default ``42``.
    init_seed : int, optional
        The member's init seed, also its training seed. Default ``42``.
    **changes
        Other :class:`regcore.sweep.settings.Member` fields to set (e.g. ``label``), applied last.

    Returns
    -------
    regcore.sweep.settings.Member
        The member.

    Raises
    ------
    KeyError
        When ``name`` is not one of the post's runs.
    ValueError
        When a seed or a changed field is not allowed (the message names it).
    TypeError
        When ``changes`` names something that is not a field of
        :class:`regcore.sweep.settings.Member`.
    """
    exp = POST_RUNS[name]
    t = exp.train
    m = Member(weight_decay=t.weight_decay, l2=t.l2, l1=t.l1, dropout=exp.model.dropout,
               batch_size=t.batch_size, data_seed=data_seed, init_seed=init_seed, seed=init_seed,
               label=name)
    return replace(m, **changes)


def post_settings(name: str, **changes) -> SweepSettings:
    """Sweep settings of the post's run ``name`` (model, optimiser, lr, epochs) with changes.

    The other fields keep the defaults of :class:`regcore.sweep.settings.SweepSettings`, except
    ``snapshots=0``: no parameter snapshots unless ``changes`` ask for them.

    Parameters
    ----------
    name : str
        One of the post's runs, a key of :data:`regcore.experiments.POST_RUNS`.
    **changes
        Other :class:`regcore.sweep.settings.SweepSettings` fields to set (e.g. ``n_train``,
        ``max_evals``), applied last.

    Returns
    -------
    regcore.sweep.settings.SweepSettings
        The settings.

    Raises
    ------
    KeyError
        When ``name`` is not one of the post's runs.
    ValueError
        When a changed field is not allowed (the message names it).
    TypeError
        When ``changes`` names something that is not a field of
        :class:`regcore.sweep.settings.SweepSettings`.
    """
    exp = POST_RUNS[name]
    base = SweepSettings(model=exp.model.kind, optimizer=exp.train.optimizer, lr=exp.train.lr,
                         epochs=exp.train.epochs, snapshots=0)
    return replace(base, **changes)


def post_over_seeds(seeds: int = 20, workers: int = 2, progress: bool = False) -> dict:
    """The post's seven runs over seeds, the data seed and the init seed varied separately.

    Runs that share the model kind and the number of epochs train as one sweep (chapter "The post
    over many seeds").

    Parameters
    ----------
    seeds : int, optional
        Number of seeds, s = 0 … seeds-1. Default ``20``.
    workers : int, optional
        Processes for :func:`regcore.sweep.run.sweep_many`, >= 1. Default ``2``.
    progress : bool, optional
        Show progress bars. Default ``False``.

    Returns
    -------
    dict
        ``{(run, vary): SweepResult}``, ``vary`` 'data' (data seeds 0…seeds-1, init 42) or 'init'
        (init and training seeds 0…seeds-1, data 42); every run at n_train 200, default schedule.
        Keys in the order of :data:`RUNS`, 'data' before 'init'.

    Raises
    ------
    ValueError
        When ``workers`` is not allowed (the message names it), or when ``seeds`` < 1 (a sweep
        with no members).
    """
    jobs: dict = {}
    for name in RUNS:
        key = (POST_RUNS[name].model.kind, POST_RUNS[name].train.epochs)
        members = jobs.setdefault(key, ([], post_settings(name)))[0]
        for s in range(seeds):
            members.append(post_member(name, data_seed=s, label=f"{name}|data"))
            members.append(post_member(name, init_seed=s, label=f"{name}|init"))
    results = sweep_many(jobs, workers, progress)
    out = {}
    for res in results.values():
        for label in sorted({m.label for m in res.members}):
            name, vary = label.split("|")
            out[(name, vary)] = res.where(label=label)
    return {(n, v): out[(n, v)] for n in RUNS for v in ("data", "init")}


def strength_grids(seeds: int = 20, workers: int = 2, progress: bool = False) -> dict:
    """``{field: SweepResult}``: the MLP at each value of ``GRIDS[field]`` × seeds.

    Seed s sets the data, init and training seeds together (all sources of variation), so that
    the members at different strengths are paired by seed. Each grid is the post's MLP at n_train
    200, trained ``GRID_EPOCHS[field]`` epochs (:data:`GRID_EPOCHS`) with the validation budget
    :data:`TUNING_EVALS` on :data:`TUNING_N_VAL` validation points (chapter "Tuning, and more
    data").

    Parameters
    ----------
    seeds : int, optional
        Number of seeds, s = 0 … seeds-1. Default ``20``.
    workers : int, optional
        Processes for :func:`regcore.sweep.run.sweep_many`, >= 1. Default ``2``.
    progress : bool, optional
        Show progress bars. Default ``False``.

    Returns
    -------
    dict
        ``{field: SweepResult}`` for each field of :data:`GRIDS`, in its order; each result's
        members are value by value, seeds 0…seeds-1 within each, labelled ``field``.

    Raises
    ------
    ValueError
        When ``workers`` is not allowed (the message names it), or when ``seeds`` < 1.
    """
    jobs = {}
    for field, values in GRIDS.items():
        members = [Member(**{field: v}, data_seed=s, init_seed=s, seed=s, label=field)
                   for v in values for s in range(seeds)]
        jobs[field] = (members, post_settings("mlp", epochs=GRID_EPOCHS[field],
                                              max_evals=TUNING_EVALS, n_val=TUNING_N_VAL))
    return sweep_many(jobs, workers, progress)


def noise_grid(seeds: int = 20, workers: int = 2, progress: bool = False) -> dict:
    """The post's MLP trained with each input-noise level of :data:`NOISE_GRID`, over seeds.

    As :func:`strength_grids` does for the other regularisers: seed s sets the data, init and
    training seeds together, so that members at different noise levels are paired by seed; n_train
    200, :data:`NOISE_EPOCHS` epochs per level, validation budget :data:`TUNING_EVALS` on
    :data:`TUNING_N_VAL` validation points; the
    parameters at each member's best epoch are kept (``best_theta``), as every sweep keeps them.
    Chapter "Noise injection is Tikhonov regularisation".

    Parameters
    ----------
    seeds : int, optional
        Number of seeds, s = 0 … seeds-1. Default ``20``.
    workers : int, optional
        Processes for :func:`regcore.sweep.run.sweep_many`, >= 1. Default ``2``.
    progress : bool, optional
        Show progress bars. Default ``False``.

    Returns
    -------
    dict
        Each level of :data:`NOISE_GRID` (in order) to its :class:`regcore.sweep.settings.SweepResult`:
        seeds 0…seeds-1, labelled ``"input_noise"``, trained for that level's epochs.

    Raises
    ------
    ValueError
        When ``workers`` is not allowed (the message names it), or when ``seeds`` < 1.
    """
    # one job per level, so that the pool's workers share the grid
    jobs = {v: ([Member(input_noise=v, data_seed=s, init_seed=s, seed=s, label="input_noise")
                 for s in range(seeds)],
                post_settings("mlp", epochs=NOISE_EPOCHS[v], max_evals=TUNING_EVALS,
                              n_val=TUNING_N_VAL))
            for v in NOISE_GRID}
    results = sweep_many(jobs, workers, progress)
    return {v: results[v] for v in NOISE_GRID}


def activation_penalty(seeds: int = 20, workers: int = 2, progress: bool = False) -> dict:
    """The post's MLP with each penalty of :data:`ACTIVATION_L1` on its hidden activations, and
    with the post's L1 on its weights, over seeds.

    Seed s sets the data, init and training seeds together (paired across settings); n_train
    200, :data:`ACTIVATION_EPOCHS` epochs, :data:`TUNING_N_VAL` validation points, validation
    budget :data:`TUNING_EVALS`. Chapter "L1 on activations: a toy sparse autoencoder".

    Parameters
    ----------
    seeds : int, optional
        Number of seeds, s = 0 … seeds-1. Default ``20``.
    workers : int, optional
        Processes for :func:`regcore.sweep.run.sweep_many`, >= 1. Default ``2``.
    progress : bool, optional
        Show progress bars. Default ``False``.

    Returns
    -------
    dict
        ``{("activation_l1", v): SweepResult}`` for each v of :data:`ACTIVATION_L1`, then
        ``("l1", POST_RUNS["l1"].train.l1)``; members in seed order.

    Raises
    ------
    ValueError
        When ``workers`` is not allowed (the message names it), or when ``seeds`` < 1.
    """
    settings = post_settings("mlp", epochs=ACTIVATION_EPOCHS, max_evals=TUNING_EVALS,
                             n_val=TUNING_N_VAL)
    l1 = POST_RUNS["l1"].train.l1
    jobs = {("activation_l1", v): [Member(activation_l1=v, data_seed=s, init_seed=s, seed=s,
                                          label="activation_l1") for s in range(seeds)]
            for v in ACTIVATION_L1}
    jobs[("l1", l1)] = [Member(l1=l1, data_seed=s, init_seed=s, seed=s, label="l1")
                        for s in range(seeds)]
    return sweep_many({k: (m, settings) for k, m in jobs.items()}, workers, progress)


def firing_on_test(result: SweepResult) -> np.ndarray:
    """Hidden units firing per input on each member's own test split, at its best epoch.

    Parameters
    ----------
    result : regcore.sweep.settings.SweepResult
        A sweep of the MLP on the toy problem.

    Returns
    -------
    numpy.ndarray
        One mean count per member (:func:`regcore.analysis.units_firing`).
    """
    from .analysis import units_firing
    from .data import make_data
    st = result.settings
    x = {s: make_data(st.n_train, st.n_val, st.n_test, st.dims, st.noise, seed=s).x_test
         for s in sorted({m.data_seed for m in result.members})}
    return np.array([units_firing(result.best_theta[i], st.sizes, x[m.data_seed])[0]
                     for i, m in enumerate(result.members)])


def finite(result: SweepResult) -> SweepResult:
    """The members of ``result`` that never diverged (``diverged_epoch == -1``).

    Parameters
    ----------
    result : regcore.sweep.settings.SweepResult
        Any sweep's result.

    Returns
    -------
    regcore.sweep.settings.SweepResult
        Those members, in order.
    """
    return result.select(np.asarray(result.diverged_epoch) < 0)


def tuned(result: SweepResult, field: str, values=None) -> object:
    """The grid value of ``field`` with the lowest mean validation loss over seeds.

    Diverged members are left out of the means; a grid value with fewer than :data:`MIN_MEMBERS`
    finite members cannot be chosen. ``values`` defaults to ``GRIDS[field]``.

    Parameters
    ----------
    result : regcore.sweep.settings.SweepResult or dict
        A grid, e.g. ``strength_grids()[field]``, or a mapping from each grid value to its
        members, e.g. :func:`noise_grid`'s.
    field : str
        The :class:`regcore.sweep.settings.Member` field the grid varies, e.g. ``"l1"``.
    values : sequence, optional
        The grid values to choose from. Default ``None``: ``GRIDS[field]``.

    Returns
    -------
    object
        The chosen value (a float, an int, or ``None`` for full batch); the first of equal means.

    Raises
    ------
    ValueError
        When no value can be chosen.
    KeyError
        When ``values`` is ``None`` and ``field`` is not a key of :data:`GRIDS`.
    """
    values = tuple(GRIDS[field] if values is None else values)
    means = []
    for v in values:
        kept = finite(result[v] if isinstance(result, Mapping) else result.where(**{field: v}))
        means.append(kept.best_val_loss.mean() if len(kept) >= MIN_MEMBERS else np.inf)
    if not np.isfinite(means).any():
        raise ValueError(f"no value of {field} is allowed as tuned: every one of {values!r} has "
                         f"fewer than {MIN_MEMBERS} members that stayed finite")
    return values[int(np.argmin(means))]


def value_words(field: str, value) -> str:
    """A grid value as the chapters write it: batch size None is 'full batch'.

    Parameters
    ----------
    field : str
        The grid's field, e.g. ``"batch_size"``.
    value : float, int or None
        The grid value.

    Returns
    -------
    str
        ``"full batch"`` for a batch size of ``None``, else the value formatted with ``:g``.
    """
    if field == "batch_size" and value is None:
        return "full batch"
    return f"{value:g}"


def learning_curves(best: dict, seeds: int = 20, n_trains=N_TRAINS, epochs: int = 1000,
                    workers: int = 2, progress: bool = False, grids: dict | None = None) -> dict:
    """Test loss against n_train: the linear model, the plain MLP and each tuned regularised MLP.

    Seed s sets the data, init and training seeds. Full-batch MLPs train ``epochs`` epochs, the
    linear model the post's 500; a minibatch MLP trains as many optimiser *steps* as it does at
    n_train ``STEPS_N_TRAIN`` = 200 (``epochs·200/n`` epochs, at least 20), which keeps its cost
    flat in n. A tuned batch size of None (full batch) is the plain MLP and adds no run; nor does
    one at an n no larger than the batch (one batch would be the whole set). Validation as in the
    grids: :data:`TUNING_EVALS` evaluations on :data:`TUNING_N_VAL` points.

    ``grids`` (from :func:`strength_grids`): a group whose members and settings the grids already
    trained (the tuned values and the plain MLP at the grids' n_train, same seeds, same schedule)
    is taken from them instead of trained again; identical members give identical results, which
    ``tests/test_studies.py`` checks against a curve trained without ``grids``.

    Parameters
    ----------
    best : dict
        ``{field: value}``: the tuned regularisers (:func:`tuned`), fields of :data:`GRIDS`.
    seeds : int, optional
        Number of seeds, s = 0 … seeds-1. Default ``20``.
    n_trains : sequence of int, optional
        Training-set sizes. Default ``N_TRAINS``, ``(50, 100, 200, 400, 800)``.
    epochs : int, optional
        Epochs of the full-batch MLPs. Default ``1000``.
    workers : int, optional
        Processes for :func:`regcore.sweep.run.sweep_many`, >= 1. Default ``2``.
    progress : bool, optional
        Show progress bars. Default ``False``.
    grids : dict or None, optional
        The result of :func:`strength_grids`, to reuse. Default ``None``: train every group.

    Returns
    -------
    dict
        ``{(label, n_train): SweepResult}`` for the linear model (label 'linear'), the plain MLP
        ('mlp') and one MLP per tuned regulariser ``best = {field: value}`` (label = field); the
        trained groups first, then those taken from ``grids``.

    Raises
    ------
    ValueError
        When ``workers``, ``epochs`` or an ``n_train`` is not allowed (the message names it), or
        when ``seeds`` < 1.
    """
    jobs = {}
    for n in n_trains:
        jobs[("linear", n)] = ([Member(data_seed=s, init_seed=s, seed=s, label="linear")
                                for s in range(seeds)],
                               post_settings("linear", n_train=n, max_evals=TUNING_EVALS,
                                             n_val=TUNING_N_VAL))
        full = [("mlp", {})] + [(f, {f: v}) for f, v in best.items() if f != "batch_size"]
        jobs[("mlps", n)] = ([Member(**fields, data_seed=s, init_seed=s, seed=s, label=label)
                              for label, fields in full for s in range(seeds)],
                             post_settings("mlp", n_train=n, epochs=epochs,
                                           max_evals=TUNING_EVALS, n_val=TUNING_N_VAL))
        b = best.get("batch_size")
        if b is not None and b < n:
            jobs[("batch", n)] = ([Member(batch_size=b, data_seed=s, init_seed=s, seed=s,
                                          label="batch_size") for s in range(seeds)],
                                  post_settings("mlp", n_train=n, max_evals=TUNING_EVALS,
                                                n_val=TUNING_N_VAL,
                                                epochs=max(20, round(epochs * STEPS_N_TRAIN
                                                                     / n))))
    reused = _take_from_grids(jobs, grids or {})
    results = sweep_many(jobs, workers, progress)
    out = {}
    for (_, n), res in results.items():
        for label in dict.fromkeys(m.label for m in res.members):
            out[(label, n)] = res.where(label=label)
    return {**out, **reused}


def _take_from_grids(jobs: dict, grids: dict) -> dict:
    """Remove from ``jobs`` every curve group the ``grids`` hold already; return those groups as
    ``{(label, n): SweepResult}`` relabelled for the curve.

    A group is taken only when the grid's settings equal the curve job's and its members equal
    the curve's field for field (the label aside); a job left with no members is dropped.
    """
    taken = {}
    for key in list(jobs):
        members, settings = jobs[key]
        kept = []
        for label in dict.fromkeys(m.label for m in members):
            want = [m for m in members if m.label == label]
            found = _grid_members(grids, settings, want)
            if found is None:
                kept.extend(want)
            else:
                taken[(label, settings.n_train)] = replace(
                    found, members=tuple(replace(m, label=label) for m in found.members))
        if kept:
            jobs[key] = (kept, settings)
        else:
            del jobs[key]
    return taken


def _grid_members(grids: dict, settings: SweepSettings, want: list) -> SweepResult | None:
    """The members ``want`` (labels aside) from a grid trained with ``settings``, in their order,
    or None when no grid holds them all."""
    key = [replace(m, label="") for m in want]
    for res in grids.values():
        if res.settings != settings:
            continue
        index = {replace(m, label=""): i for i, m in enumerate(res.members)}
        if all(k in index for k in key):
            return res.select(np.array([index[k] for k in key]))
    return None


def _kept(result: SweepResult, what: str) -> SweepResult:
    kept = finite(result)
    if len(kept) < MIN_MEMBERS:
        raise ValueError(f"{what} of {len(result)} members, {len(result) - len(kept)} diverged, "
                         f"is not allowed: at least {MIN_MEMBERS} must stay finite")
    return kept


def unpaired(a: SweepResult, b: SweepResult,
             score: str = "test_loss_at_best") -> tuple[float, float, float]:
    """Mean of ``score(a) − score(b)`` for independent groups and its 95% Welch interval.

    Over the members of each that stayed finite (:func:`regcore.stats.welch_difference`).

    Parameters
    ----------
    a : regcore.sweep.settings.SweepResult
        The first group.
    b : regcore.sweep.settings.SweepResult
        The second group.
    score : str, optional
        A per-member array of :class:`regcore.sweep.settings.SweepResult`, e.g. ``"best_val_loss"``.
        Default ``"test_loss_at_best"``.

    Returns
    -------
    mean : float
        Mean of ``score(a)`` minus mean of ``score(b)``.
    low, high : float
        The interval's ends.

    Raises
    ------
    ValueError
        When fewer than :data:`MIN_MEMBERS` members of ``a`` or of ``b`` stayed finite.
    """
    return welch_difference(getattr(_kept(a, "group a"), score),
                            getattr(_kept(b, "group b"), score))


def summary(result: SweepResult, score: str = "test_loss_at_best",
            nan_if_empty: bool = False) -> tuple[float, float, float]:
    """Mean and 95% interval of a score over the members of ``result`` that stayed finite.

    Fewer than :data:`MIN_MEMBERS` of them: ``ValueError``, or NaNs with ``nan_if_empty`` (for a
    figure, which leaves the point out). The interval is Student's t
    (:func:`regcore.stats.mean_interval`).

    Parameters
    ----------
    result : regcore.sweep.settings.SweepResult
        The group.
    score : str, optional
        A per-member array of :class:`regcore.sweep.settings.SweepResult`, e.g. ``"best_val_loss"``.
        Default ``"test_loss_at_best"``.
    nan_if_empty : bool, optional
        Return NaNs instead of raising when too few members stayed finite. Default ``False``.

    Returns
    -------
    mean : float
        The mean score.
    low, high : float
        The interval's ends.

    Raises
    ------
    ValueError
        When fewer than :data:`MIN_MEMBERS` members stayed finite and ``nan_if_empty`` is false.
    """
    if nan_if_empty and len(finite(result)) < MIN_MEMBERS:
        return (np.nan, np.nan, np.nan)
    return mean_interval(getattr(_kept(result, "a group"), score))


def _describe(member: Member) -> str:
    parts = [member.label] if member.label else []
    for name in ("weight_decay", "l2", "l1", "dropout"):
        if getattr(member, name):
            parts.append(f"{name} {getattr(member, name):g}")
    if member.batch_size is not None:
        parts.append(f"batch {member.batch_size}")
    seeds = {member.data_seed, member.init_seed, member.seed}
    parts.append(f"seed {member.seed}" if len(seeds) == 1 else
                 f"data seed {member.data_seed}, init seed {member.init_seed}")
    return ", ".join(parts)


def divergence_report(results) -> tuple[int, int, str]:
    """How many members diverged, of how many, and where: over a SweepResult or a dict of them.

    Dict keys that are tuples ``(label, n_train)`` add the n.

    Parameters
    ----------
    results : regcore.sweep.settings.SweepResult or dict
        One result, or a dict of results (e.g. from :func:`learning_curves`).

    Returns
    -------
    diverged : int
        How many members diverged.
    members : int
        How many members there are in all.
    where : str
        Each diverged member and its epoch, e.g. "l1, l1 0.1, seed 3 (n = 200) at epoch 57; …"
        (empty when none did).
    """
    items = results.items() if isinstance(results, dict) else [(None, results)]
    total, where = 0, []
    for key, res in items:
        total += len(res)
        for k in np.flatnonzero(np.asarray(res.diverged_epoch) >= 0):
            n = f" (n = {res.settings.n_train})" if isinstance(key, tuple) and any(
                isinstance(x, int) for x in key) else ""
            where.append(f"{_describe(res.members[k])}{n} at epoch {int(res.diverged_epoch[k])}")
    return len(where), total, "; ".join(where)


def curve(scores: dict, label: str, n_trains=N_TRAINS) -> tuple[list, list]:
    """``(ns, rows)``: the n of ``n_trains`` at which ``scores`` has ``(label, n)``, and its rows.

    The tuned batch size has no run where a batch would hold the whole training set (n ≤ batch
    size; full batch: at no n), so its curve may be short or empty.

    Parameters
    ----------
    scores : dict
        Anything keyed by ``(label, n_train)``, e.g. the result of :func:`learning_curves`.
    label : str
        The curve's label, e.g. ``"mlp"``.
    n_trains : sequence of int, optional
        The n to look up, in order. Default ``N_TRAINS``.

    Returns
    -------
    ns : list
        The n (int) of ``n_trains`` that ``scores`` has for ``label``.
    rows : list
        ``scores[(label, n)]`` for each of them.
    """
    ns = [n for n in n_trains if (label, n) in scores]
    return ns, [scores[(label, n)] for n in ns]


def versus_more_data(curves: dict, labels, small: int = 200, large: int = 400) -> dict:
    """Test loss of each regularised MLP at ``small`` points minus the plain MLP's at ``large``.

    Parameters
    ----------
    curves : dict
        The result of :func:`learning_curves`.
    labels : iterable of str
        Labels of regularised MLPs, e.g. ``("weight_decay", "l1")``.
    small : int, optional
        The regularised MLPs' n_train. Default ``200``.
    large : int, optional
        The plain MLP's n_train. Default ``400``.

    Returns
    -------
    dict
        ``{label: (mean, low, high)}``: Welch difference of test loss (:func:`unpaired`),
        regularised MLP at ``small`` points minus the plain MLP at ``large``, for each label that
        has a run at ``small``.

    Raises
    ------
    KeyError
        When ``curves`` has no plain MLP (``"mlp"``) at ``large``.
    ValueError
        When too few members of a group stayed finite (:func:`unpaired`).
    """
    return {label: unpaired(curves[(label, small)], curves[("mlp", large)])
            for label in labels if (label, small) in curves}


#: The post's ranking, best validation loss first (published numbers, one seed).
POST_RANKING = ("dropout", "l1", "minibatch", "weight_decay", "mlp")


def paired(results: dict, a: str, b: str, vary: str,
           score: str = "test_loss_at_best") -> tuple[float, float, float]:
    """Mean and 95% interval of ``score(a) − score(b)`` over the same seeds (``vary``).

    Over the seeds at which neither run diverged (:func:`paired_results`).

    Parameters
    ----------
    results : dict
        The result of :func:`post_over_seeds`, keyed by ``(run, vary)``.
    a : str
        The first run, e.g. ``"mlp"``.
    b : str
        The second run.
    vary : str
        Which seeds vary: ``"data"`` or ``"init"``.
    score : str, optional
        A per-member array of :class:`regcore.sweep.settings.SweepResult`.
        Default ``"test_loss_at_best"``.

    Returns
    -------
    mean : float
        Mean of the paired differences.
    low, high : float
        The interval's ends.

    Raises
    ------
    KeyError
        When ``results`` has no ``(a, vary)`` or ``(b, vary)``.
    ValueError
        As :func:`paired_results`.
    """
    return paired_results(results[(a, vary)], results[(b, vary)], score, (a, b))


def paired_results(ra: SweepResult, rb: SweepResult, score: str = "test_loss_at_best",
                   names=("a", "b")) -> tuple[float, float, float]:
    """Mean and 95% interval of ``score(ra) − score(rb)``, members paired by their seeds.

    Over the seeds at which neither diverged (:func:`regcore.stats.paired_difference`).

    Parameters
    ----------
    ra : regcore.sweep.settings.SweepResult
        The first group.
    rb : regcore.sweep.settings.SweepResult
        The second group, with the same seeds in the same order.
    score : str, optional
        A per-member array of :class:`regcore.sweep.settings.SweepResult`.
        Default ``"test_loss_at_best"``.
    names : tuple of str, optional
        What to call ``ra`` and ``rb`` in error messages. Default ``("a", "b")``.

    Returns
    -------
    mean : float
        Mean of the paired differences.
    low, high : float
        The interval's ends.

    Raises
    ------
    ValueError
        If the seeds differ (each member's data, init and training seeds, in order), or when both
        stayed finite at fewer than :data:`MIN_MEMBERS` seeds.
    """
    a, b = names
    seeds = lambda r: [(m.data_seed, m.init_seed, m.seed) for m in r.members]  # noqa: E731
    if seeds(ra) != seeds(rb):
        raise ValueError(f"runs {a!r} and {b!r} are not paired: their members' seeds differ")
    both = (np.asarray(ra.diverged_epoch) < 0) & (np.asarray(rb.diverged_epoch) < 0)
    if both.sum() < MIN_MEMBERS:
        raise ValueError(f"runs {a!r} and {b!r} are not allowed here: at fewer than "
                         f"{MIN_MEMBERS} seeds did both stay finite")
    return paired_difference(getattr(ra, score)[both], getattr(rb, score)[both])


def verdict(interval: tuple[float, float, float]) -> str:
    """'holds' when the interval of (worse − better) is above 0, 'reversed' below, else 'noise'.

    Parameters
    ----------
    interval : tuple of float
        ``(mean, low, high)`` of worse minus better, e.g. from :func:`paired`.

    Returns
    -------
    str
        ``"holds"``, ``"reversed"`` or ``"noise"``.
    """
    _, low, high = interval
    return "holds" if low > 0 else ("reversed" if high < 0 else "noise")


def claims(results: dict) -> dict:
    """The post's comparisons as ``{claim: (worse, better)}``: each says ``worse`` > ``better``.

    The claims come from :data:`POST_RANKING` alone: each run against the next better one, the
    plain MLP against the three best, and the best (dropout) against the linear model.

    Parameters
    ----------
    results : dict
        Not used.

    Returns
    -------
    dict
        ``{claim: (worse, better)}``, e.g. ``{"l1 worse than dropout": ("l1", "dropout"), ...}``.
    """
    out = {f"{w} worse than {b}": (w, b) for b, w in zip(POST_RANKING[:-1], POST_RANKING[1:])}
    out.update({f"mlp worse than {r}": ("mlp", r) for r in POST_RANKING[:-2]})
    out.update({f"{r} worse than linear": (r, "linear") for r in POST_RANKING[:1]})
    return out


def markdown_table(header, rows) -> str:
    """A MyST/Markdown pipe table from a header and rows of cells (already formatted).

    Parameters
    ----------
    header : sequence of str
        The column titles.
    rows : iterable
        Rows, each a sequence of cells; every cell is written with ``str``.

    Returns
    -------
    str
        The table's lines joined by newlines, without a final newline.
    """
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
