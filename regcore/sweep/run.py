"""Running sweeps: in this process, split over worker processes, or several jobs on one pool.

:func:`sweep` groups the members by batch size, trains each group
(``regcore.sweep.loop._train_group``) and puts the results back in input order.
:func:`sweep_parallel` splits one sweep's members into parts and :func:`sweep_many` the members
of several sweeps; both hand the parts to :func:`regcore.parallel.map_tasks` (spawned
processes, one torch thread each), which is safe because a member's run does not depend on
which members share its process. The "Beyond one seed" chapters (``book/beyond/seeds.md``,
``tuning.md``) run their sweeps through :func:`sweep_many` (via :mod:`regcore.studies`);
``python -m regcore sweep`` (:mod:`regcore.sweep.cli`) through :func:`sweep` or
:func:`sweep_parallel`.
"""
from __future__ import annotations

import time

import numpy as np

from ..parallel import map_tasks
from ..settings import check_setting, resolve_device
from .loop import _train_group
from .settings import _PER_MEMBER, SweepResult, SweepSettings, check_members


def sweep(members, settings: SweepSettings = SweepSettings(), progress: bool = False,
          desc: str = "sweep") -> SweepResult:
    """Train every member of ``members`` (a sequence of ``Member``) under ``settings``.

    Members with the same batch size train together as one batched model; results come back in
    the input order. Each member's data is :func:`regcore.data.make_data` with the settings'
    sizes and noise and the member's ``data_seed`` (for ``dataset="digits"``, its split of the
    digits: :meth:`~regcore.sweep.settings.SweepSettings.make_data`). A member whose loss becomes NaN or infinite
    does not stop the sweep: its ``diverged_epoch`` in the result says when.

    Parameters
    ----------
    members : sequence of regcore.sweep.settings.Member
        The members to train, at least one.
    settings : regcore.sweep.settings.SweepSettings, optional
        What the members share. Default ``SweepSettings()``.
    progress : bool, optional
        Show a progress bar per batch-size group. Default ``False``.
    desc : str, optional
        Label of the progress bars (each followed by its group's batch size and member count).
        Default ``"sweep"``.

    Returns
    -------
    regcore.sweep.settings.SweepResult
        The members' histories, states and scores, members in input order.

    Raises
    ------
    ValueError
        For settings that are not a :class:`regcore.sweep.settings.SweepSettings`, an empty
        sweep, a member that is not a :class:`regcore.sweep.settings.Member`, dropout on the linear
        model, a batch size larger than ``n_train``, or (AdamW) ``lr * weight_decay >= 1``: the
        checks of :func:`regcore.sweep.settings.check_members` (the message names the parameter).
    """
    members = check_members(members, settings)
    device = resolve_device(settings.device)
    start = time.perf_counter()
    datasets = {s: settings.make_data(s) for s in sorted({m.data_seed for m in members})}
    groups: dict = {}
    for i, m in enumerate(members):
        groups.setdefault(m.batch_size or settings.n_train, []).append(i)
    parts, order = [], []
    for bs, idx in groups.items():
        group = [members[i] for i in idx]
        parts.append(_train_group(group, settings, datasets, device, progress,
                                  f"{desc} (batch {bs}, {len(group)} members)"))
        order += idx
    inverse = np.argsort(order)
    per = {name: np.concatenate([p[name] for p in parts])[inverse] for name in _PER_MEMBER}
    return SweepResult(settings=settings, members=members, eval_epochs=settings.eval_epochs(),
                       snapshot_epochs=settings.snapshot_epochs(),
                       seconds=time.perf_counter() - start, **per)


def sweep_parallel(members, settings: SweepSettings = SweepSettings(), workers: int = 2,
                   progress: bool = False, desc: str = "sweep") -> SweepResult:
    """:func:`sweep` with the members split into ``workers`` spawn processes (one thread each).

    Each member's result does not depend on which other members share its process (dropout
    masks included: every member has its own generator). CPU only; on CUDA this is
    :func:`sweep` in process.

    Parameters
    ----------
    members : sequence of regcore.sweep.settings.Member
        The members to train; split into ``workers`` parts of contiguous members.
    settings : regcore.sweep.settings.SweepSettings, optional
        What the members share. Default ``SweepSettings()``.
    workers : int, optional
        Number of processes, >= 1; with 1, or fewer than two members, the sweep runs in this
        process. Default ``2``.
    progress : bool, optional
        Show a progress bar of the parts. Default ``False``.
    desc : str, optional
        Label of the progress bar. Default ``"sweep"``.

    Returns
    -------
    regcore.sweep.settings.SweepResult
        As from :func:`sweep`, members in input order; ``seconds`` is the sum over the parts.

    Raises
    ------
    ValueError
        When ``workers`` is not allowed, or for the members and settings that :func:`sweep`
        refuses (the message names the parameter).
    """
    members = check_members(members, settings)
    workers = check_setting("workers", workers)
    if workers == 1 or len(members) < 2 or resolve_device(settings.device).type != "cpu":
        return sweep(members, settings, progress, desc)
    chunks = [c for c in np.array_split(np.arange(len(members)), workers) if len(c)]
    tasks = [(tuple(members[i] for i in c), settings, False, desc) for c in chunks]
    results = map_tasks(sweep, tasks, len(chunks), progress=progress, desc=desc)
    return SweepResult.concat(results)


#: The fixed cost of one optimiser step of one member, counted in rows of its batch (an MLP step
#: of the post's size costs about as much as 32 more rows, for tensor set-up and the update).
STEP_ROWS = 32


def _task_cost(task) -> float:
    """A :func:`sweep` task's estimated size ``(members, settings, ...)``, to start the longest
    first: per member, epochs × steps × (rows per step + :data:`STEP_ROWS`), doubled for members
    that draw random numbers every step (dropout masks, input noise, each from the member's own
    generator), plus the validation passes (a forward pass, a third of a training row); all times
    the model's weights per row.

    Only the order matters. Calibrated on the tuning chapter's grids and learning curves (worker
    seconds per member, 1000 epochs): a dropout member took 2.0 times a plain one, a full-batch
    member at n_train 800 4.1 times one at 50 (with 48 evaluations of 10,000 points); the
    previous estimate (epochs × members × steps) ignored both, started the dropout parts last
    and left a core idle for 19% of the grids' time.
    """
    members, settings = task[0], task[1]
    sizes = settings.sizes
    weights = sum(a * b for a, b in zip(sizes, sizes[1:]))
    n = settings.n_train
    validation = len(settings.eval_epochs()) * settings.n_val / 3
    cost = 0.0
    for m in members:
        rows = min(m.batch_size or n, n)
        steps = -(-n // rows)
        draws = 2 if (m.dropout or m.input_noise) else 1
        cost += settings.epochs * steps * (rows + STEP_ROWS) * draws + validation
    return cost * weights


def sweep_many(jobs: dict, workers: int = 2, progress: bool = False) -> dict:
    """Several sweeps ``{key: (members, settings)}`` on one pool of ``workers`` processes.

    Each job is split into ``workers`` parts of contiguous members; all parts share the pool, so
    short and long jobs fill both cores. With ``workers == 1`` (or on CUDA) the jobs run in this
    process.

    Parameters
    ----------
    jobs : dict
        ``{key: (members, settings)}``: a sequence of :class:`regcore.sweep.settings.Member` and a
        :class:`regcore.sweep.settings.SweepSettings` per key; ``str(key)`` labels the progress
        bars.
    workers : int, optional
        Number of processes, >= 1. Default ``2``.
    progress : bool, optional
        Show progress bars. Default ``False``.

    Returns
    -------
    dict
        ``{key: SweepResult}`` with members in order, keys in the order of ``jobs``.

    Raises
    ------
    ValueError
        When ``workers`` is not allowed, ``jobs`` is not a non-empty dict, a job is not a pair
        ``(members, settings)``, or :func:`regcore.sweep.settings.check_members` refuses a job
        (the message names the parameter).
    """
    workers = check_setting("workers", workers)
    if not isinstance(jobs, dict) or not jobs:
        raise ValueError(f"jobs={jobs!r} is not allowed: jobs must be a non-empty dict "
                         "{key: (members, settings)}")
    for key, job in jobs.items():
        if not isinstance(job, (tuple, list)) or len(job) != 2:
            raise ValueError(f"jobs[{key!r}]={job!r} is not allowed: each job must be a pair "
                             "(members, settings)")
    jobs = {key: (check_members(members, settings), settings)
            for key, (members, settings) in jobs.items()}
    if workers == 1 or any(resolve_device(s.device).type != "cpu" for _, s in jobs.values()):
        return {key: sweep(m, s, progress, str(key)) for key, (m, s) in jobs.items()}
    keys, tasks = [], []
    for key, (members, settings) in jobs.items():
        for part in np.array_split(np.arange(len(members)), min(workers, len(members))):
            keys.append(key)
            tasks.append((tuple(members[i] for i in part), settings, False, str(key)))
    # longest first, so that short parts fill the cores at the end
    results = map_tasks(sweep, tasks, workers, cost=_task_cost, progress=progress, desc="sweeps")
    parts: dict = {}
    for key, result in zip(keys, results):
        parts.setdefault(key, []).append(result)
    return {key: SweepResult.concat(parts[key]) for key in jobs}
