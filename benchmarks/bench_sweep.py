"""Benchmark: a batched 64-member sweep against the validation floor and against 64 × fit.

    python benchmarks/bench_sweep.py [--repeats 3] [--members 64]

One torch thread throughout. Prints (medians of ``--repeats``):

* the machine's matmul rate: a 1024³ float32 GEMM (the peak), and the time of one forward pass of
  the post's MLP over the 10,000 validation points (the issue's ~0.75 ms);
* FLOPs per model-epoch (validation forward + training forward/backward at n_train 200) and the
  floor they set, FLOPs ÷ peak rate, in model-epochs/s;
* (a) a sweep validating every epoch: model-epochs/s and its ratio to the floor (target ≤ 2);
* (b) a sweep on the default validation schedule (every epoch up to 16, then log-spaced, ≤ 64
  evaluations) over the post's 1000 epochs, against ``fit`` run alone (every epoch validated, as
  the post does): model-epochs/s and the ratio (target ≥ 10); the same for the minibatch run;
* the memory of the thinned snapshots of a 512-member, 2000-epoch sweep;
* which batched forms the sweep found bit-exact against fit on this machine, and whether glibc
  keeps freed memory mapped (:mod:`regcore.memory`; ``fit`` and the sweep both set it, so both
  sides of (b) run with it).

The machine is shared: figures move with the load of other processes; medians damp that.
"""
from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace

import torch
import torch.nn.functional as F

from regcore import MLP, POST_RUNS, fit, make_data
from regcore.memory import keep_freed_memory
from regcore.sweep import Member, SweepSettings, repeats_fit_exactly, sweep
from regcore.sweep.exactness import _batched_is_exact, _step_is_exact


def _median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def matmul_gflops(repeats: int) -> float:
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    a @ b
    return 2 * 1024 ** 3 / _median_seconds(lambda: [a @ b for _ in range(10)], repeats) * 10 / 1e9


def flops_per_model_epoch(sizes, n_train, n_val, batch_size=None) -> tuple[float, float]:
    """``(validation, training)`` multiply-add FLOPs (×2) of one model for one epoch."""
    pairs = list(zip(sizes[:-1], sizes[1:]))
    fwd = sum(2 * a * b for a, b in pairs)              # per row
    bwd = sum(2 * a * b for a, b in pairs) + sum(2 * a * b for a, b in pairs[1:])
    rows = n_train if batch_size is None else (n_train // batch_size) * batch_size
    return n_val * fwd, rows * (fwd + bwd)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--members", type=int, default=64)
    parser.add_argument("--full-epochs", type=int, default=40,
                        help="epochs of the every-epoch sweep in (a)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    k, reps = args.members, args.repeats
    data = make_data(200)
    members = [Member(seed=s, init_seed=s) for s in range(k)]

    gflops = matmul_gflops(reps)
    model = MLP().eval()
    with torch.no_grad():
        model(data.x_val)
        fwd_ms = 1e3 * _median_seconds(lambda: [F.mse_loss(model(data.x_val), data.y_val)
                                                for _ in range(20)], reps) / 20
    val_f, train_f = flops_per_model_epoch((50, 25, 25, 1), 200, 10_000)
    floor = gflops * 1e9 / (val_f + train_f)
    print("Machine (1 thread; shared with other jobs, so figures move with their load)")
    print(f"  matmul rate, 1024^3 float32 GEMM:           {gflops:8.1f} GFLOP/s")
    print(f"  one MLP forward over 10,000 val points:     {fwd_ms:8.3f} ms "
          f"({val_f / 1e6:.1f} MFLOP, {val_f / fwd_ms / 1e6:.1f} GFLOP/s)")
    print(f"  FLOPs per model-epoch (val + train, n=200): {(val_f + train_f) / 1e6:8.1f} MFLOP")
    print(f"  floor = FLOPs / matmul rate:                {floor:8.0f} model-epochs/s")

    # (a) every epoch validated
    full = SweepSettings(epochs=args.full_epochs, max_evals=None, snapshots=0)
    sweep(members, replace(full, epochs=3))  # warm-up
    t_a = _median_seconds(lambda: sweep(members, full), reps)
    rate_a = k * full.epochs / t_a
    print(f"\n(a) {k} members, validation every epoch ({full.epochs} epochs, n_train 200)")
    print(f"  sweep: {rate_a:8.0f} model-epochs/s; floor / sweep = {floor / rate_a:.2f} "
          f"(target <= 2); time per model-epoch {1e3 / rate_a:.3f} ms")

    # (b) validation schedule against fit alone, the post's MLP runs
    print(f"\n(b) {k} members on the validation schedule vs fit (every epoch validated)")
    for name in ("mlp", "minibatch"):
        exp = POST_RUNS[name]
        epochs = exp.train.epochs
        sched = SweepSettings(epochs=epochs, snapshots=0)  # default schedule
        bmembers = [replace(m, batch_size=exp.train.batch_size) for m in members]
        fit(exp.model.build(50), data, replace(exp.train, epochs=20, snapshot_every=0))  # warm
        fit_s = _median_seconds(lambda: fit(exp.model.build(50), data,
                                            replace(exp.train, snapshot_every=0)), reps)
        fit_rate = epochs / fit_s
        t_b = _median_seconds(lambda: sweep(bmembers, sched), reps)
        rate_b = k * epochs / t_b
        print(f"  {name:<10} ({epochs} epochs, {len(sched.eval_epochs())} evaluations): "
              f"fit {fit_rate:6.0f} epochs/s, sweep {rate_b:7.0f} model-epochs/s, "
              f"ratio {rate_b / fit_rate:5.1f}x (target >= 10)", flush=True)

    print("\nbit-exact against fit's operations (rows: batched one-output layer forward/"
          "gradient, faster layouts):")
    for rows in (200, 32, 8, 4):
        fwd, grad = _batched_is_exact(rows, 25, torch.float32, "cpu")
        print(f"  {rows:>4} rows: one-output layer {fwd}/{grad}, layouts "
              f"{_step_is_exact(rows, (50, 25, 25, 1), True)}; whole step exact "
              f"{repeats_fit_exactly(rows)}")
    print(f"glibc keeps freed memory mapped (regcore.memory): {keep_freed_memory()}")

    big = SweepSettings(epochs=2000)
    print(f"\nsnapshots of a 512-member 2000-epoch sweep ({len(big.snapshot_epochs())} epochs "
          f"kept): {big.snapshot_bytes(512) / 2 ** 30:.2f} GiB")


if __name__ == "__main__":
    main()
