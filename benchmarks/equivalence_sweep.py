"""How closely sweep members follow single ``fit`` runs at the post's full settings.

    python benchmarks/equivalence_sweep.py [--seeds 4] [--dropout-seeds 20]

For each of the post's runs except dropout, a 16-member sweep (validation every epoch) holds the
run at training/init seeds 0…``--seeds``-1 among other seeds; each of those members is compared
with ``fit`` at the same seeds over the whole run. Prints, per run, the largest relative deviation
of the validation loss before separation and the separation epoch (first epoch beyond 1e-5
relative; "never" when it stays within). Then the dropout run over ``--dropout-seeds`` seeds:
best validation loss of sweep members against fit, two-sample Kolmogorov–Smirnov. Finally how much
the validation schedule costs in selection: best validation loss among the scheduled epochs over
the best among all epochs. One torch thread.
"""
from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
import torch

from regcore import POST_RUNS, fit, make_data
from regcore.schedule import evaluation_epochs
from regcore.stats import ks_two_sample, mean_interval, separation_epoch
from regcore.sweep import Member, SweepSettings, sweep

RTOL = 1e-5


def member_of(name: str, seed: int) -> Member:
    t, m = POST_RUNS[name].train, POST_RUNS[name].model
    return Member(weight_decay=t.weight_decay, l2=t.l2, l1=t.l1, dropout=m.dropout,
                  batch_size=t.batch_size, init_seed=seed, seed=seed)


def settings_of(name: str, **kw) -> SweepSettings:
    exp = POST_RUNS[name]
    return SweepSettings(model=exp.model.kind, optimizer=exp.train.optimizer, lr=exp.train.lr,
                         epochs=exp.train.epochs, snapshots=0, **kw)


def fit_of(name: str, seed: int, data):
    exp = POST_RUNS[name]
    return fit(replace(exp.model, seed=seed).build(50), data,
               replace(exp.train, seed=seed, snapshot_every=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--dropout-seeds", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = make_data(200)
    print(f"{'run':<14}{'epochs':>7}  max rel. dev. before separation / separation epoch "
          f"(max rel. dev. over the whole run), seeds 0..{args.seeds - 1}")
    excess = {}
    for name in ("linear", "mlp", "minibatch", "weight_decay", "l2", "l1"):
        settings = settings_of(name, max_evals=None)
        members = [member_of(name, s) for s in range(16)]
        res = sweep(members, settings)
        cells = []
        for s in range(args.seeds):
            ref = fit_of(name, s, data)
            sep = separation_epoch(res.eval_epochs, res.val_loss[s], ref.val_loss, RTOL)
            upto = len(ref.val_loss) if sep is None else sep
            dev = np.max(np.abs(res.val_loss[s][:upto] - ref.val_loss[:upto])
                         / np.abs(ref.val_loss[:upto]))
            whole = np.max(np.abs(res.val_loss[s] - ref.val_loss) / np.abs(ref.val_loss))
            cells.append(f"{dev:.1e}/{'never' if sep is None else sep} ({whole:.0e})")
        print(f"{name:<14}{settings.epochs:>7}  " + "  ".join(cells), flush=True)
        sched = evaluation_epochs(settings.epochs, 64, 16)
        excess[name] = res.val_loss[:, sched].min(1) / res.val_loss.min(1) - 1

    name, k = "dropout", args.dropout_seeds
    members = [member_of(name, s) for s in range(k)]
    res = sweep(members, settings_of(name, max_evals=None))
    ref = np.array([fit_of(name, s, data).best_val_loss for s in range(k)])
    d, p = ks_two_sample(res.best_val_loss, ref)
    ms, mf = mean_interval(res.best_val_loss), mean_interval(ref)
    print(f"\ndropout over {k} seeds: sweep best val {ms[0]:.4f} [{ms[1]:.4f}, {ms[2]:.4f}], "
          f"fit {mf[0]:.4f} [{mf[1]:.4f}, {mf[2]:.4f}]; KS D = {d:.3f}, p = {p:.3f}")
    sched = evaluation_epochs(res.settings.epochs, 64, 16)
    excess[name] = res.val_loss[:, sched].min(1) / res.val_loss.min(1) - 1

    print("\nselection on the default schedule (<= 64 evaluations) vs every epoch: "
          "excess of the best validation loss, mean (max) over the 16 or so members")
    for name, e in excess.items():
        print(f"  {name:<14}{100 * e.mean():7.3f}% ({100 * e.max():.3f}%)")


if __name__ == "__main__":
    main()
