"""Benchmark: the post's original loop (regcore.reference) beside regcore.fit, same settings.

    python benchmarks/bench_post.py [--repeats 3]

Prints, for each of the post's runs at n_train 200, the median epochs/s of the naive loop and of
fit (both single-threaded, in this process) and their ratio; then the median wall time of all
14 runs (7 runs × n_train 200 and 400) through ``run_post`` with two worker processes.
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import torch

from regcore import POST_RUNS, fit, make_data, run_post
from regcore.reference import train_original


def _naive_epochs_per_s(exp, data, epochs):
    t = exp.train
    start = time.perf_counter()
    train_original(exp.model.build(data.dims), data.x_train, data.y_train, data.x_val, data.y_val,
                   optimizer=t.optimizer, lr=t.lr, epochs=epochs, weight_decay=t.weight_decay,
                   l2=t.l2, l1=t.l1, batch_size=t.batch_size, seed=t.seed)
    return epochs / (time.perf_counter() - start)


def _fit_epochs_per_s(exp, data, epochs):
    settings = replace(exp.train, epochs=epochs)
    start = time.perf_counter()
    fit(exp.model.build(data.dims), data, settings)
    return epochs / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--naive-epochs", type=int, default=15)
    parser.add_argument("--fit-epochs", type=int, default=300)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = make_data(n_train=200)
    fit(POST_RUNS["mlp"].model.build(50), data, replace(POST_RUNS["mlp"].train, epochs=20))  # warm

    print(f"{'run (n_train 200)':<20}{'naive ep/s':>12}{'fit ep/s':>11}{'ratio':>8}")
    for name, exp in POST_RUNS.items():
        naive = statistics.median(_naive_epochs_per_s(exp, data, args.naive_epochs)
                                  for _ in range(args.repeats))
        fast = statistics.median(_fit_epochs_per_s(exp, data, args.fit_epochs)
                                 for _ in range(args.repeats))
        print(f"{name:<20}{naive:>12.1f}{fast:>11.0f}{fast / naive:>7.0f}x", flush=True)

    walls = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        run_post((200, 400), workers=2)
        walls.append(time.perf_counter() - start)
    print(f"all 14 runs, 2 worker processes: median {statistics.median(walls):.1f} s "
          f"(runs: {', '.join(f'{w:.1f}' for w in walls)})")


if __name__ == "__main__":
    main()
