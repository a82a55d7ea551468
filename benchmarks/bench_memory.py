"""Benchmark: fit in a fresh process with and without regcore.memory's setting.

    python benchmarks/bench_memory.py [--repeats 3]

Each measurement is a new interpreter (the setting is process-wide and cannot be undone) that
trains one of the post's runs once with ``fit`` (one torch thread) and reports epochs/s;
``REGCORE_KEEP_FREED_MEMORY=0`` keeps glibc's default thresholds. Prints medians side by side.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

ONE_RUN = """
import sys, time, torch
from dataclasses import replace
from regcore import POST_RUNS, fit, make_data
torch.set_num_threads(1)
exp = POST_RUNS[sys.argv[1]]
data = make_data(200)
start = time.perf_counter()
fit(exp.model.build(50), data, replace(exp.train, snapshot_every=0))
print(exp.train.epochs / (time.perf_counter() - start))
"""


def epochs_per_s(name: str, keep: bool) -> float:
    env = dict(os.environ, REGCORE_KEEP_FREED_MEMORY="1" if keep else "0")
    out = subprocess.run([sys.executable, "-c", ONE_RUN, name], env=env, check=True,
                         capture_output=True, text=True)
    return float(out.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"{'run (fresh process)':<22}{'glibc defaults':>15}{'kept memory':>13}{'ratio':>7}")
    for name in ("mlp", "minibatch", "dropout"):
        off = statistics.median(epochs_per_s(name, False) for _ in range(args.repeats))
        on = statistics.median(epochs_per_s(name, True) for _ in range(args.repeats))
        print(f"{name:<22}{off:>15.0f}{on:>13.0f}{on / off:>6.2f}x", flush=True)


if __name__ == "__main__":
    main()
