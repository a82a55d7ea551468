"""Command line: ``python -m regcore post --n-train 200 [--json]`` and ``python -m regcore run NAME``.

``post`` trains the post's seven runs (in parallel processes, with a progress bar on stderr) and
prints a table, or with ``--json`` one JSON object mapping each run name to its headline numbers.
"""
from __future__ import annotations

import argparse
import json
import sys

from .experiments import POST_RUNS, RUN_NAMES, run, run_post
from .memory import keep_freed_memory


def _table(rows: dict) -> str:
    head = f"{'run':<14}{'best val':>10}{'epoch':>7}{'train@best':>12}{'test@best':>11}" \
           f"{'published':>11}{'seconds':>9}"
    lines = [head, "-" * len(head)]
    for name, s in rows.items():
        pub = POST_RUNS[name].published_val_loss
        lines.append(f"{name:<14}{s['best_val_loss']:>10.4f}{s['best_epoch']:>7d}"
                     f"{s['best_train_loss']:>12.4f}{s['test_loss_at_best']:>11.4f}"
                     f"{'' if pub is None else f'{pub:.2f}':>11}{s['seconds']:>9.2f}")
    return "\n".join(lines)


def _add_sweep_parser(sub) -> ImportError | None:
    """Register ``python -m regcore sweep`` (:mod:`regcore.sweep.cli`).

    If that import fails, ``sweep`` is still registered, as a stub, and the error is returned:
    :func:`main` raises it when ``sweep`` is asked for (so the user sees the real
    ``ImportError``, not argparse's "invalid choice"), while ``post`` and ``run`` still work.
    """
    try:
        from .sweep.cli import add_parser
    except ImportError as err:
        sub.add_parser("sweep", help="unavailable (import failed)",
                       description=f"unavailable: importing regcore.sweep.cli failed: {err}")
        return err
    add_parser(sub)
    return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m regcore",
                                     description="Train the book's runs from the command line.")
    sub = parser.add_subparsers(dest="command", required=True)
    post = sub.add_parser("post", help="the post's seven runs")
    post.add_argument("--n-train", type=int, default=200)
    post.add_argument("--runs", nargs="+", choices=RUN_NAMES, default=list(RUN_NAMES))
    post.add_argument("--workers", type=int, default=None, help="processes (default: up to 2)")
    post.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    post.add_argument("--json", action="store_true", help="print one JSON object")
    post.add_argument("--no-progress", action="store_true")
    one = sub.add_parser("run", help="one of the post's runs, with a per-epoch progress bar")
    one.add_argument("name", choices=RUN_NAMES)
    one.add_argument("--n-train", type=int, default=200)
    one.add_argument("--device", default="cpu")
    one.add_argument("--json", action="store_true")
    one.add_argument("--no-progress", action="store_true")
    sweep_error = _add_sweep_parser(sub)
    args, extra = parser.parse_known_args(argv)
    if args.command == "sweep" and sweep_error is not None:
        raise ImportError("python -m regcore sweep is unavailable: importing regcore.sweep.cli "
                          f"failed: {sweep_error}") from sweep_error
    if extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")

    keep_freed_memory()  # the command line's runs get the allocator setting (speed only)
    try:
        if args.command == "post":
            results = run_post((args.n_train,), tuple(args.runs), workers=args.workers,
                               device=args.device, snapshot_every=0,
                               progress=not args.no_progress)
            rows = {name: r.summary() for (name, _), r in results.items()}
        elif args.command == "run":
            r = run(args.name, args.n_train, device=args.device, snapshot_every=0,
                    progress=not args.no_progress)
            rows = {args.name: r.summary()}
        else:
            return args.handler(args)
    except ValueError as err:
        parser.error(str(err))
    print(json.dumps(rows, indent=2) if args.json else _table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
