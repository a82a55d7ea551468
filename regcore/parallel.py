"""One process pool for the book's parallel runs: spawn processes, one torch thread each.

:func:`regcore.experiments.run_post` (the post's runs) and :func:`regcore.sweep.run.sweep_many` /
:func:`~regcore.sweep.run.sweep_parallel` (sweeps split into parts) hand their tasks to
:func:`map_tasks`. The processes are *spawned*, not forked (a forked child would inherit torch's
thread pool in an undefined state), each sets one torch thread (the fastest setting for these
small models and the one the chapters use, so a task gives the same bits here as in process) and
raises glibc's thresholds when the parent process has (:func:`regcore.memory.is_kept`). Tasks
start longest first when given a cost, so that short ones fill the cores at the end.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed

import torch
from tqdm.auto import tqdm

from . import memory


def _worker_setup(keep_memory: bool) -> None:
    torch.set_num_threads(1)
    if keep_memory:
        memory.keep_freed_memory()


def map_tasks(fn, tasks: list, workers: int, *, cost=None, progress: bool = False,
              desc: str = "") -> list:
    """``[fn(*task) for task in tasks]``, computed in ``workers`` spawned processes.

    ``fn`` must be importable (a module-level function) and its arguments picklable. ``cost``
    (optional) maps a task to a number: larger ones are submitted first. Results come back in
    the order of ``tasks``; an exception in a task is raised here.
    """
    order = sorted(range(len(tasks)), key=lambda i: -cost(tasks[i])) if cost else \
        list(range(len(tasks)))
    ctx = multiprocessing.get_context("spawn")
    results: list = [None] * len(tasks)
    with ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_setup,
                             initargs=(memory.is_kept(),)) as pool:
        futures = {pool.submit(fn, *tasks[i]): i for i in order}
        with tqdm(total=len(tasks), desc=desc, disable=not progress, leave=False) as bar:
            for fut in as_completed(futures):
                results[futures[fut]] = fut.result()
                bar.update()
    return results
