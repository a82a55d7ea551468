"""Benchmark: the clean build's cost in units of the post's MLP ``fit`` ("fit-epochs").

    python benchmarks/build_cost.py [--fit-only] [--repeat N] [--first-parts N]

Absolute build times differ between machines by almost 2x, in proportion to how fast they train,
so the build is measured in a unit of its own work: build seconds x epochs/s of the post's MLP
``fit`` (n_train 200, one torch thread, 300 epochs), sampled five times just before and five
times just after the build on the same machine. The figure uses the median of those ten samples
and is printed with the range the slowest and the fastest sample give: on a shared machine the
fit's speed moves by a third within minutes while the build's seconds hold (this machine, one day:
two builds of the same commit took 500 and 503 s while three-sample medians read 263, 400, 473
and 356 epochs/s). The build is ``jupyter-book build . -W -n --keep-going`` in a
fresh copy of the tracked files (``git ls-files``) in a temporary folder: no execution cache,
nothing from an earlier build. Prints the fit speed, the build's seconds, the ratio, and each
chapter's execution seconds as the build's execution cache recorded them.
Targets: the 17 chapters of the first three parts at <= 150k fit-epochs (issue "A house that
shows its design"); the whole book, part "What else regularises" included, at <= 250k (issue
"Part four").

``--first-parts 3`` measures the book as it stood before part four: the copy's ``_toc.yml`` keeps
only the first three numbered parts (and the unnumbered reference and "About" parts), the later
parts' chapter files are deleted, and the build runs without ``-W -n`` (pages that link to the
deleted chapters, such as the introduction, warn instead of failing); everything else is the same.

``--repeat N`` makes N clean builds and prints each one's figure and their median. The chapters'
kernels import regcore from this checkout's installed copy, not from the temporary folder: do not
edit this checkout while the benchmark runs (measure a commit in a clone of its own).
Also printed: the seconds from the build's start to the end of the side-by-side execution
(:mod:`regcore.site.parallel_execution`) and from there to the end (reading and writing).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIT_EPOCHS = 300


def fit_samples(repeats: int = 5) -> list[float]:
    """Epochs/s of ``repeats`` runs of the post's MLP (n_train 200, one thread, 300 epochs)."""
    import torch

    from regcore import POST_RUNS, fit, make_data
    from regcore.memory import keep_freed_memory

    torch.set_num_threads(1)
    keep_freed_memory()  # as the chapters do (regcore.site.glue.setup_chapter)
    exp, data = POST_RUNS["mlp"], make_data(200)
    settings = replace(exp.train, epochs=FIT_EPOCHS, snapshot_every=0)
    speeds = []
    for _ in range(repeats):
        start = time.perf_counter()
        fit(exp.model.build(data.dims), data, settings)
        speeds.append(FIT_EPOCHS / (time.perf_counter() - start))
    return speeds


def speeds_words(speeds: list[float]) -> str:
    return f"median {statistics.median(speeds):.0f} epochs/s (range {min(speeds):.0f}-{max(speeds):.0f})"


def clean_copy(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True,
                           text=True).stdout.split()
    for name in files:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)


def keep_first_parts(book: Path, n: int) -> list[str]:
    """Cut the copy's table of contents to its first ``n`` numbered parts (unnumbered parts stay)
    and delete the dropped chapters' files; returns the dropped parts' captions."""
    import yaml

    toc_file = book / "_toc.yml"
    toc = yaml.safe_load(toc_file.read_text())
    numbered = [part for part in toc["parts"] if part.get("numbered")]
    if not 1 <= n <= len(numbered):
        raise SystemExit(f"--first-parts must be between 1 and {len(numbered)}, got {n}")
    dropped = numbered[n:]
    for part in dropped:
        for chapter in part["chapters"]:
            for found in book.glob(chapter["file"] + ".*"):
                found.unlink()
    toc["parts"] = [part for part in toc["parts"] if part not in dropped]
    toc_file.write_text(yaml.safe_dump(toc, sort_keys=False))
    return [part["caption"] for part in dropped]


def chapter_seconds(book: Path) -> dict[str, float]:
    """Execution seconds per chapter from the build's jupyter-cache (MyST-NB's records)."""
    from jupyter_cache import get_cache

    times = {}
    for db in (book / "_build").rglob("global.db"):  # wherever the build put its cache
        for record in get_cache(db.parent).list_cache_records():
            data = record.data or {}
            if "execution_seconds" in data:
                times[Path(record.uri).relative_to(book.resolve()).as_posix()] = data["execution_seconds"]
    return times


def clean_build(jb: Path, first_parts: int | None = None) -> tuple[float, float, dict[str, float]]:
    """One clean build of a fresh copy: (seconds, seconds until the execution phase ended,
    execution seconds per chapter). ``first_parts``: see :func:`keep_first_parts`."""
    tmp = Path(tempfile.mkdtemp(prefix="build-cost-"))
    try:
        clean_copy(tmp)
        strict = ["--warningiserror", "--nitpick"]
        if first_parts is not None:
            dropped = keep_first_parts(tmp, first_parts)
            print(f"without part(s): {', '.join(dropped) or 'none'} (built without -W -n)",
                  flush=True)
            strict = []
        start = time.perf_counter()
        executed = start
        with subprocess.Popen([str(jb), "build", str(tmp), *strict,
                               "--keep-going"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) as proc:
            output = []
            for line in proc.stdout:
                output.append(line)
                if "[parallel_execution]" in line and "executed in" in line:
                    executed = time.perf_counter()
        if proc.returncode:
            tail = "".join(output[-40:])
            raise SystemExit(f"{tail}\nthe build failed (exit {proc.returncode}); its last lines are above")
        seconds = time.perf_counter() - start
        return seconds, executed - start, chapter_seconds(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fit-only", action="store_true", help="only the fit speed")
    parser.add_argument("--repeat", type=int, default=1, help="clean builds to make (median)")
    parser.add_argument("--first-parts", type=int, default=None, metavar="N",
                        help="build only the first N numbered parts (3: the book before part four)")
    args = parser.parse_args()
    before = fit_samples()
    print(f"fit (post MLP, n_train 200, 1 thread): {speeds_words(before)}", flush=True)
    if args.fit_only:
        return
    jb = Path(sys.executable).parent / "jupyter-book"
    costs = []
    for i in range(args.repeat):
        seconds, executed, chapters = clean_build(jb, args.first_parts)
        after = fit_samples()
        print(f"fit after build {i + 1}: {speeds_words(after)}", flush=True)
        samples, before = before + after, after
        speed = statistics.median(samples)
        for name, secs in sorted(chapters.items(), key=lambda kv: -kv[1]):
            print(f"  {name:<40}{secs:>8.1f} s")
        costs.append(seconds * speed)
        print(f"clean build {i + 1}: {seconds:.0f} s (execution done at {executed:.0f} s) x "
              f"{speed:.0f} epochs/s (median of {len(samples)} samples) = "
              f"{costs[-1] / 1000:.0f}k fit-epochs (slowest to fastest sample: "
              f"{seconds * min(samples) / 1000:.0f}k-{seconds * max(samples) / 1000:.0f}k)",
              flush=True)
    target = {None: "; target <= 250k (whole book)",
              3: "; target <= 150k (the first three parts)"}.get(args.first_parts, "")
    print(f"median of {len(costs)}: {statistics.median(costs) / 1000:.0f}k fit-epochs "
          f"(each: {', '.join(f'{c / 1000:.0f}k' for c in costs)}{target})")


if __name__ == "__main__":
    main()
