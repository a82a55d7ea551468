"""Sphinx extension: execute the chapters that need it side by side, before Sphinx reads them.

MyST-NB executes a notebook when Sphinx reads its page, one page after another, so a build uses
one core while most chapters run (each sets one torch thread). Jupyter Book 1 has no ``-j``, and
Sphinx's own parallel read is refused here because two of Jupyter Book's extensions do not
declare themselves safe for it. After :mod:`regcore.site.fresh_cache` has dropped stale cache
records (``env-get-outdated``), this extension finds the notebook pages that MyST-NB's execution
cache cannot serve and marks them to be read; then (``env-before-read-docs``) it executes them on
``regcore_execution_workers`` cores (default: the number of cores, at most 2), longest first by
the time each took when it last ran in the foreground, never more at once than the cores allow
(a chapter that trains in a process pool declares ``regcore: {cores: 2}`` in its front matter and
counts for two), and stores each result in the cache exactly as MyST-NB's cache mode does (same
notebook, working directory, timeout and error settings, same record). MyST-NB then reads every
page from the cache.

``regcore_execution_spare`` (default 0) lets that many more cores' worth of chapters run than
there are cores. A pool chapter's serial parts (its analysis, its figures) and the tail of each
of its sweeps leave a core idle; with spare chapters running, the other processes take it up.
The book set 2 (two pool chapters at once, or one beside two single-core ones) when a clean build
took 616 s with 2 and 662 s with 1. With the 21 chapters of four parts the two settings build
equally fast: 723 s with 2 and 717 s with 0 (``benchmarks/build_cost.py``, one clean build each
within the hour, the fit speed 247 and 259 epochs/s; the machine's speed drifts by up to 10%), but
with 2 every chapter's recorded time is that of a chapter sharing its cores (the sweep chapters
took 1.4 to 2.3 times as long as with the cores to themselves), while with 0 a pool chapter has
both cores to itself and its recorded time is what a reader running it alone waits. The book now
sets 0.

``regcore_execution_background`` (default off; the book turns it on) adds a background lane: one
process at the lowest CPU priority (nice 19, inherited by the kernels it starts). While a chapter
that uses two cores runs, one waiting single-core chapter runs in that lane. The two-core
chapter's processes keep their cores (a nice-19 process gets about 1.5% of a core it shares with a
normal one), and the background chapter takes what they leave idle: the pool chapters' serial
cells, their figures and the tails of their pools. Its recorded time then includes the waits, and
the execution statistics page marks it "in the background" (:func:`background_pages`).

A notebook that fails is not stored: MyST-NB executes it again itself and reports the error as
usual, and a page the cache cannot serve is read again on the next build, so the build fails as
loudly as before. The numbers cannot depend on this: every chapter runs in its own kernel.
Enabled in ``_config.yml``; measured by ``benchmarks/build_cost.py``; tested in
``tests/built/test_parallel_execution.py``.
"""
from __future__ import annotations

import json
import multiprocessing
import os
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path

from .fresh_cache import _cache_dir, _is_nb_source

SECONDS_FILE = "regcore_execution_seconds.json"
BACKGROUND_FILE = "regcore_execution_background.json"


def _execute(nb, cwd: str, timeout, allow_errors: bool):
    """Run in a worker process: execute ``nb`` as MyST-NB's cache mode does."""
    from jupyter_cache.executors.utils import single_nb_execution

    result = single_nb_execution(nb, cwd=cwd, timeout=timeout, allow_errors=allow_errors,
                                 meta_override=True)
    error = None if result.err is None else type(result.err).__name__
    return result.nb, result.time, error


def _load_json(path: Path) -> dict:
    try:
        found = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _save_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True))


def _load_seconds(cache_dir: Path) -> dict:
    return _load_json(cache_dir / SECONDS_FILE)


def _load_background(cache_dir: Path) -> dict:
    """docname -> whether its stored execution ran in the background lane."""
    return _load_json(cache_dir / BACKGROUND_FILE)


def background_pages(env) -> set[str]:
    """The pages whose stored execution ran in the background lane, at the lowest priority beside
    a multi-core chapter: their recorded times include waiting for a core (the execution
    statistics page, :mod:`regcore.site.execution_table`, says so)."""
    return {d for d, behind in _load_background(_cache_dir(env)).items() if behind}


def pending_notebooks(app, env, docnames) -> list[tuple[str, Path, object, object]]:
    """(docname, path, notebook, read format) of the pages to read whose notebook the execution
    cache cannot serve."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    cache = get_cache(_cache_dir(env))
    pending = []
    for docname in sorted(docnames):
        path = Path(env.doc2path(docname))
        if not _is_nb_source(app, str(path)):
            continue
        text = path.read_text(encoding="utf8")
        try:
            reader = create_nb_reader(str(path), env.myst_config, env.mystnb_config, text)
            if reader is None:
                continue
            notebook = reader.read(text)
        except Exception:  # MyST-NB reports it when it reads the page
            continue
        try:
            cache.match_cache_notebook(notebook)
        except KeyError:
            pending.append((docname, path, notebook, reader.read_fmt))
    return pending


def _cores(notebook) -> int:
    """Cores a chapter keeps busy by itself: its front matter's ``regcore: {cores: N}`` (the
    chapters that train in a process pool say 2), else 1."""
    return int(notebook.metadata.get("regcore", {}).get("cores", 1))


def _lower_priority() -> None:
    """Initializer of the background lane's process: the lowest CPU priority for it and for the
    kernels it starts.

    A niceness alone is not enough on Linux with autogroup scheduling (the default of most
    distributions, and of the machines this book is built on): the CPU is shared between sessions
    first, and Jupyter starts each kernel in a session of its own, so a nice-19 kernel would still
    get a core's worth against a pool chapter's session. The kernel's session (its autogroup) is
    therefore set to nice 19 too, right after the kernel starts: jupyter_client launches kernels
    with the ``Popen`` of its ``launcher`` module, replaced here, in this process only, by one that
    does that. Without autogroup (no ``/proc/<pid>/autogroup``) the niceness alone suffices.
    Measured here (two busy processes at normal priority and one at nice 19, each in a session of
    its own, 5 s on two cores): the nice-19 one got 3.3 CPU-seconds, as much as each of the
    others, with its session at nice 0, and 0.12 with its session at nice 19.
    """
    import jupyter_client.launcher

    os.nice(19)
    jupyter_client.launcher.Popen = _popen_at_lowest_priority


def _popen_at_lowest_priority(*args, **kwargs):
    import subprocess

    process = subprocess.Popen(*args, **kwargs)
    try:
        Path(f"/proc/{process.pid}/autogroup").write_text("19")
    except OSError:   # no autogroup scheduling here
        pass
    return process


def _submit(pool, item, config):
    return pool.submit(_execute, item[2], str(item[1].parent), config.execution_timeout,
                       config.execution_allow_errors)


def _schedule(pool, pending: list, cores: int, config, spare: int = 0, background=None):
    """Yield ``(item, result, in_background)`` as the notebooks finish, running at once only as
    many as the cores allow, plus ``spare``: with ``spare`` 0 a chapter that uses two cores runs
    alone on two and single-core ones run in pairs; with 1, a single-core chapter runs beside a
    two-core one (on the core its serial parts leave idle) and single-core ones three at a time.

    ``background``: a one-process pool at the lowest CPU priority. While a multi-core chapter runs,
    one waiting single-core chapter runs there; it gets only the cycles the others leave idle
    (their serial parts, the tails of their process pools), so the chapters in front keep their
    pace and the build shortens. A chapter once started in the background stays there.
    """
    waiting, running, free = list(pending), {}, cores + spare
    while waiting or running:
        for item in list(waiting):
            need = min(_cores(item[2]), cores)
            if need <= free:
                waiting.remove(item)
                free -= need
                running[_submit(pool, item, config)] = (item, need, False)
        singles = [item for item in waiting if _cores(item[2]) == 1]
        if (background is not None and singles
                and not any(bg for _, _, bg in running.values())
                and any(need > 1 for _, need, _ in running.values())):
            item = singles[-1]   # the shortest by the last build's times
            waiting.remove(item)
            running[_submit(background, item, config)] = (item, 0, True)
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            item, need, in_background = running.pop(future)
            free += need
            yield item, future.result(), in_background


def _record_seconds(seconds: dict, docname: str, took: float, in_background: bool) -> None:
    """Record how long ``docname`` took, the order of the next build (longest first).

    A chapter that ran in the background lane waited for idle cycles: its time says how busy the
    two-core chapters beside it were, not how long it is (in one build "Weight decay and L2" took
    96 s there against 12-20 s on a core of its own). Such a time is not recorded; the chapter
    keeps the time of its last run in the foreground, or none (then it counts as never run).
    """
    if not in_background:
        seconds[docname] = took


def _uncached_pages(app, env, added, changed, removed) -> list[str]:
    """Every notebook page the cache cannot serve is read again, even if its source did not
    change: after a build whose execution failed (``--keep-going`` writes the page with its
    error), the next build must execute it again, not pass on the stored page."""
    config = getattr(env, "mystnb_config", None)
    if config is None or config.execution_mode != "cache":
        env.regcore_pending_execution = []
        return []
    env.regcore_pending_execution = pending_notebooks(app, env, env.found_docs - set(removed))
    return [docname for docname, *_ in env.regcore_pending_execution]


def _pre_execute(app, env, docnames) -> None:
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from sphinx.util import logging

    config = getattr(env, "mystnb_config", None)
    workers = app.config.regcore_execution_workers or min(2, os.cpu_count() or 1)
    reading = set(docnames)
    pending = [p for p in getattr(env, "regcore_pending_execution", []) if p[0] in reading]
    env.regcore_pending_execution = []
    if config is None or not pending:
        return
    cache_dir = _cache_dir(env)
    # a page about to be executed (here, or by MyST-NB) has not run in the background yet
    in_background = {d: b for d, b in _load_background(cache_dir).items()
                     if d not in {p[0] for p in pending}}
    _save_json(cache_dir / BACKGROUND_FILE, in_background)
    if workers < 2 or len(pending) < 2:
        return
    logger = logging.getLogger(__name__)
    seconds = _load_seconds(cache_dir)
    # longest first by the time each took when it last had a core of its own (_record_seconds);
    # never-run ones first, the multi-core ones ahead
    pending.sort(key=lambda item: (-seconds.get(item[0], float("inf")), -_cores(item[2])))
    logger.info("[parallel_execution] executing %d notebooks on %d cores: %s",
                len(pending), workers, ", ".join(p[0] for p in pending))
    cache = get_cache(cache_dir)
    ctx = multiprocessing.get_context("spawn")
    spare = app.config.regcore_execution_spare
    background = (ProcessPoolExecutor(1, mp_context=ctx, initializer=_lower_priority)
                  if app.config.regcore_execution_background else None)
    with ProcessPoolExecutor(min(workers + spare, len(pending)), mp_context=ctx) as pool:
        for (docname, path, _, read_fmt), (executed, took, error), behind in _schedule(
                pool, pending, workers, config, spare, background):
            if error is not None:  # MyST-NB runs it again and reports the error
                logger.info("[parallel_execution] %s failed (%s); MyST-NB will report it",
                            docname, error)
                continue
            record = (cache.add_nb_to_project(str(path), read_data=read_fmt) if read_fmt
                      else cache.add_nb_to_project(str(path)))
            cache.cache_notebook_bundle(
                CacheBundleIn(executed, record.uri, data={"execution_seconds": took}),
                check_validity=False, overwrite=True)
            _record_seconds(seconds, docname, took, behind)
            in_background[docname] = behind
            logger.info("[parallel_execution] %s executed in %.1f s%s", docname, took,
                        " (in the background)" if behind else "")
    if background is not None:
        background.shutdown()
    _save_json(cache_dir / SECONDS_FILE, seconds)
    _save_json(cache_dir / BACKGROUND_FILE, in_background)


def setup(app):
    app.add_config_value("regcore_execution_workers", 0, "")
    app.add_config_value("regcore_execution_spare", 0, "")
    app.add_config_value("regcore_execution_background", False, "")
    app.connect("env-get-outdated", _uncached_pages, priority=900)  # after fresh_cache's
    app.connect("env-before-read-docs", _pre_execute, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
