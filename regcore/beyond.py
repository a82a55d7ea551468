"""The "Beyond one seed" chapters' experiments: which members, which settings, which summaries.

* :func:`post_over_seeds` — the post's seven runs over seeds, the data seed and the init seed
  varied separately (chapter "The post over many seeds").
* :func:`strength_grids` — validation loss against weight decay, L1 strength, dropout p and batch
  size over seeds, and :func:`tuned` — the grid value of lowest mean validation loss
  (chapter "Tuning, and more data").
* :func:`learning_curves` — test loss against n_train for the linear model, the plain MLP and
  each tuned regularised MLP (same chapter).
* :func:`summary` — mean and 95% interval of a score per group of members.

Every number is selected on validation (best epoch among the scheduled evaluations, tuned value by
mean validation loss) and reported on the held-out test split. The grids and seed counts live here
so that the chapters only call and plot.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from .experiments import POST_RUNS
from .stats import mean_interval
from .sweep import Member, SweepResult, SweepSettings, sweep_many

#: The post's runs in its order, and the regularised ones the chapters tune.
RUNS = ("linear", "mlp", "weight_decay", "l2", "l1", "minibatch", "dropout")

#: Grids of the tuning chapter: the Member field and its values (batch size None = full batch).
GRIDS = {
    "weight_decay": (0.0, 0.01, 0.03, 0.085, 0.2, 0.5),
    "l1": (0.0, 0.003, 0.01, 0.021, 0.05, 0.1),
    "dropout": (0.0, 0.05, 0.1, 0.2, 0.3, 0.5),
    "batch_size": (8, 16, 32, 64, None),
}

#: Epochs of each grid: the post's run of that regulariser.
GRID_EPOCHS = {"weight_decay": 1000, "l1": 2000, "dropout": 2000, "batch_size": 1000}

N_TRAINS = (50, 100, 200, 400, 800, 1600)


def post_member(name: str, data_seed: int = 42, init_seed: int = 42, **changes) -> Member:
    """The member that stands for the post's run ``name`` (training seed = init seed)."""
    exp = POST_RUNS[name]
    t = exp.train
    m = Member(weight_decay=t.weight_decay, l2=t.l2, l1=t.l1, dropout=exp.model.dropout,
               batch_size=t.batch_size, data_seed=data_seed, init_seed=init_seed, seed=init_seed,
               label=name)
    return replace(m, **changes)


def post_settings(name: str, **changes) -> SweepSettings:
    """Sweep settings of the post's run ``name`` (model, optimiser, lr, epochs) with changes."""
    exp = POST_RUNS[name]
    base = SweepSettings(model=exp.model.kind, optimizer=exp.train.optimizer, lr=exp.train.lr,
                         epochs=exp.train.epochs, snapshots=0)
    return replace(base, **changes)


def post_over_seeds(seeds: int = 20, workers: int = 2, progress: bool = False) -> dict:
    """``{(run, vary): SweepResult}``, ``vary`` 'data' (data seeds 0…seeds-1, init 42) or 'init'
    (init and training seeds 0…seeds-1, data 42); every run at n_train 200, default schedule."""
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
    the members at different strengths are paired by seed.
    """
    jobs = {}
    for field, values in GRIDS.items():
        members = [Member(**{field: v}, data_seed=s, init_seed=s, seed=s, label=field)
                   for v in values for s in range(seeds)]
        jobs[field] = (members, post_settings("mlp", epochs=GRID_EPOCHS[field]))
    return sweep_many(jobs, workers, progress)


def tuned(result: SweepResult, field: str) -> tuple:
    """The grid value of ``field`` with the lowest mean validation loss over seeds."""
    values = GRIDS[field]
    means = [result.where(**{field: v}).best_val_loss.mean() for v in values]
    return values[int(np.argmin(means))]


def learning_curves(best: dict, seeds: int = 20, n_trains=N_TRAINS, epochs: int = 1000,
                    workers: int = 2, progress: bool = False) -> dict:
    """``{(model, n_train): SweepResult}`` for the linear model, the plain MLP and one MLP per
    tuned regulariser ``best = {field: value}``; seed s sets data, init and training seeds.

    Every MLP trains ``epochs`` epochs (the linear model the post's 500), on the default schedule.
    """
    jobs = {}
    for n in n_trains:
        jobs[("linear", n)] = ([Member(data_seed=s, init_seed=s, seed=s, label="linear")
                                for s in range(seeds)],
                               post_settings("linear", n_train=n))
        variants = [("mlp", {})] + [(f, {f: v}) for f, v in best.items()]
        members = []
        for label, fields in variants:
            if fields.get("batch_size") is not None and fields["batch_size"] > n:
                fields = {"batch_size": None}
            members += [Member(**fields, data_seed=s, init_seed=s, seed=s, label=label)
                        for s in range(seeds)]
        jobs[("mlps", n)] = (members, post_settings("mlp", n_train=n, epochs=epochs))
    results = sweep_many(jobs, workers, progress)
    out = {}
    for (kind, n), res in results.items():
        for label in dict.fromkeys(m.label for m in res.members):
            out[(label, n)] = res.where(label=label)
    return out


def summary(result: SweepResult, score: str = "test_loss_at_best") -> tuple[float, float, float]:
    """``(mean, low, high)`` of a per-member score over the members of ``result``."""
    return mean_interval(getattr(result, score))
