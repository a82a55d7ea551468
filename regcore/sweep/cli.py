"""``python -m regcore sweep``: a grid of settings × seeds as one batched sweep, JSON or CSV out.

    python -m regcore sweep --run l1 --l1 0.005 0.01 0.02 --seeds 20 --vary init --csv out.csv

Starts from one of the post's runs (its model, epochs, learning rate and regularisation), replaces
any setting given on the command line, and trains the grid (every combination of the listed
values) over ``--seeds`` seeds, varying the data seed, the init/training seed, or both. A progress
bar goes to stderr; one record per member goes to stdout (JSON list) or to a CSV file/stdout.
Registered by ``regcore/__main__.py`` (imported only when the command line is built); the
trainer is :func:`regcore.sweep.run.sweep` (:func:`~regcore.sweep.run.sweep_parallel` with
``--workers``). The command-line face of the sweeps behind the "Beyond one seed" chapters
(``book/beyond/seeds.md``, ``tuning.md``) and of chapter "Noise injection is Tikhonov
regularisation" (``--input-noise``: the standard deviation of the noise on the training inputs)
and "L1 on activations" (``--activation-l1``: L1 on the MLP's hidden activations).
``--dataset digits`` trains the same grid on scikit-learn's handwritten digits with cross-entropy,
as chapter "Do the lessons hold on real data?" does (``book/more/digits.md``): the run's network
with the digits' 64 inputs and 10 classes (the linear run becomes softmax regression), the
chapter's validation and test splits (:mod:`regcore.digits_study`), the split chosen by the data
seed.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import sys

from .._checks import SEED_LIMIT, check_choice
from ..settings import check_setting
from ..experiments import RUN_NAMES, get_experiment
from .run import sweep, sweep_parallel
from .settings import Member, SweepSettings

VARY = ("data", "init", "both")
DATASETS = ("toy", "digits")


def members_for(run: str, grid: dict, seeds: int, vary: str, first_seed: int = 0) -> list[Member]:
    """The members of a grid over a post run: every combination of ``grid`` values × seeds.

    ``grid`` maps a :class:`Member` field (weight_decay, l2, l1, dropout, input_noise,
    activation_l1, batch_size) to a list of values; fields not in it keep the run's value (no post
    run adds input noise or an activation penalty). ``vary`` says which seeds change: ``data`` (the
    data seed), ``init`` (init and training seed together) or ``both``.
    """
    exp = get_experiment(run)
    check_setting("seeds", seeds)
    check_setting("seed", first_seed, shown_as="first_seed")
    if first_seed + seeds > SEED_LIMIT:
        raise ValueError(f"seeds={seeds} is not allowed with first_seed={first_seed}: the seeds "
                         f"first_seed ... first_seed+seeds-1 must be < 2**32, so seeds must be "
                         f"<= {SEED_LIMIT - first_seed}")
    check_choice("vary", vary, VARY)
    t = exp.train
    base = dict(weight_decay=t.weight_decay, l2=t.l2, l1=t.l1, dropout=exp.model.dropout,
                input_noise=t.input_noise, activation_l1=t.activation_l1,
                batch_size=t.batch_size)
    keys = [k for k in base if grid.get(k)]
    out = []
    for values in itertools.product(*(grid[k] for k in keys)):
        fields = dict(base, **dict(zip(keys, values)))
        for s in range(first_seed, first_seed + seeds):
            data_seed = s if vary in ("data", "both") else 42
            init_seed = s if vary in ("init", "both") else 42
            out.append(Member(**fields, data_seed=data_seed, init_seed=init_seed,
                              seed=init_seed, label=run))
    return out


def settings_for(run: str, n_train: int, epochs: int | None, max_evals: int | None,
                 device: str, dataset: str = "toy") -> SweepSettings:
    """The sweep settings of the post's run ``run`` (its model, optimiser, learning rate and
    epochs unless ``epochs`` is given) on ``dataset``: ``"toy"``, the post's problem, or
    ``"digits"``, where the run's network takes the digits' inputs and classes (the linear run is
    softmax regression) and the splits are those of :mod:`regcore.digits_study`."""
    exp = get_experiment(run)
    check_choice("dataset", dataset, DATASETS)
    shape = {"model": exp.model.kind}
    if dataset == "digits":
        from .. import digits_study
        shape = {"model": "mlp", "dataset": "digits", "n_val": digits_study.N_VAL,
                 "n_test": digits_study.N_TEST,
                 "sizes": digits_study.LINEAR_SIZES if exp.model.kind == "linear"
                 else digits_study.MLP_SIZES}
    return SweepSettings(**shape, optimizer=exp.train.optimizer, lr=exp.train.lr,
                         epochs=exp.train.epochs if epochs is None else epochs,
                         n_train=n_train,
                         max_evals=max_evals, snapshots=0, device=device)


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def handle(args) -> int:
    grid = {"weight_decay": args.weight_decay, "l2": args.l2, "l1": args.l1,
            "dropout": args.dropout, "input_noise": args.input_noise,
            "activation_l1": args.activation_l1,
            "batch_size": [None if b == 0 else b for b in args.batch_size or []]}
    members = members_for(args.run, grid, args.seeds, args.vary, args.first_seed)
    max_evals = None if args.every_epoch else args.max_evals
    settings = settings_for(args.run, args.n_train, args.epochs, max_evals, args.device,
                            args.dataset)
    train = sweep if args.workers == 1 else (
        lambda m, s, progress, desc: sweep_parallel(m, s, args.workers, progress, desc))
    result = train(members, settings, progress=not args.no_progress, desc=f"sweep {args.run}")
    rows = result.records()
    if args.csv is not None:
        text = _csv(rows)
        if args.csv == "-":
            sys.stdout.write(text)
        else:
            with open(args.csv, "w", newline="") as fh:
                fh.write(text)
            print(f"{len(rows)} members, {result.seconds:.1f} s -> {args.csv}")
    else:
        print(json.dumps(rows, indent=1))
    return 0


def add_parser(subparsers) -> None:
    """Register ``sweep`` on the main parser's subparsers (called by ``regcore.__main__``)."""
    p = subparsers.add_parser("sweep", help="a grid of settings x seeds, trained as one batch",
                              description=__doc__.splitlines()[0])
    p.add_argument("--run", choices=RUN_NAMES, default="mlp",
                   help="the post's run to start from (model, epochs, lr, regularisation)")
    p.add_argument("--seeds", type=int, default=20, help="seeds per grid point")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--vary", choices=VARY, default="init",
                   help="data: data seed; init: init and training seed; both")
    for name in ("weight-decay", "l2", "l1", "dropout", "input-noise", "activation-l1"):
        p.add_argument(f"--{name}", type=float, nargs="+", metavar="V")
    p.add_argument("--batch-size", type=int, nargs="+", metavar="B", help="0 means full batch")
    p.add_argument("--dataset", choices=DATASETS, default="toy",
                   help="toy: the post's problem; digits: scikit-learn's digits, cross-entropy")
    p.add_argument("--n-train", type=int, default=200)
    p.add_argument("--epochs", type=int, default=None, help="default: the run's")
    p.add_argument("--max-evals", type=int, default=64, help="validation schedule budget")
    p.add_argument("--every-epoch", action="store_true", help="validate every epoch")
    p.add_argument("--workers", type=int, default=1, help="processes (CPU)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    p.add_argument("--csv", nargs="?", const="-", default=None, metavar="PATH",
                   help="write CSV (to PATH, or stdout without one) instead of JSON")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(handler=handle)
