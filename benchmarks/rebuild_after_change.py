"""Benchmark: how long the book takes to rebuild after a change in one regcore module.

    python benchmarks/rebuild_after_change.py [--module regcore/theory/l1_threshold.py]

Needs a complete build first (``python3 make.py book``: ``_build/`` present). Then it times three
builds with ``jupyter-book build . -W -n --keep-going``:

1. ``unchanged``: nothing changed, nothing should run;
2. ``after change``: one harmless comment line appended to ``--module``; only the chapters
   that import that module (``regcore.site.fresh_cache``) should run again;
3. ``restored``: the module put back byte for byte (and its modification time), so the cache
   ends as it began; the same chapters run once more, under the original code.

The module is restored even when a build fails or is interrupted. For each build it prints the
seconds, the chapters executed (MyST-NB's "Executing notebook" lines) and the chapters re-read
(their executed notebook under ``_build/jupyter_execute`` rewritten). Do not edit the book while
this runs.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMENT = b"# rebuild_after_change.py: a temporary comment, removed when the benchmark ends\n"
_EXECUTING = re.compile(r"^(?P<path>\S.*?): Executing notebook using")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Result:
    """One timed build."""

    scenario: str
    seconds: float
    returncode: int
    executed: list[str]
    reread: list[str]


def notebook_mtimes(book: Path) -> dict[str, int]:
    """Chapter (relative path without suffix) -> mtime of its executed notebook in the build."""
    folder = book / "_build" / "jupyter_execute"
    return {p.relative_to(folder).with_suffix("").as_posix(): p.stat().st_mtime_ns
            for p in folder.rglob("*.ipynb")}


def executed_chapters(output: str, book: Path) -> list[str]:
    """Chapters MyST-NB executed, from the lines it prints before executing a notebook."""
    found = []
    for line in _ANSI.sub("", output).splitlines():
        match = _EXECUTING.match(line.strip())
        if match:
            path = Path(match["path"])
            try:
                path = path.resolve().relative_to(book.resolve())
            except ValueError:
                pass
            found.append(path.with_suffix("").as_posix())
    return sorted(set(found))


def timed_build(scenario: str, book: Path, jupyter_book: Path, log_dir: Path) -> Result:
    """Run one build of the book; keep its output in ``log_dir``; return what it did."""
    before = notebook_mtimes(book)
    start = time.perf_counter()
    out = subprocess.run([str(jupyter_book), "build", ".", "-W", "-n", "--keep-going"],
                         cwd=book, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    output = out.stdout + out.stderr
    (log_dir / f"{scenario.replace(' ', '_')}.log").write_text(output)
    after = notebook_mtimes(book)
    reread = sorted(name for name, mtime in after.items() if before.get(name) != mtime)
    return Result(scenario, seconds, out.returncode, executed_chapters(output, book), reread)


def print_table(results: list[Result]) -> None:
    """The results as a plain-text table."""
    print(f"\n{'scenario':<14} {'seconds':>8}  {'build':<7} pages executed (re-read)")
    for r in results:
        status = "ok" if r.returncode == 0 else f"rc={r.returncode}"
        executed = ", ".join(r.executed) or "-"
        print(f"{r.scenario:<14} {r.seconds:>8.1f}  {status:<7} {len(r.executed)}: {executed}"
              f" ({len(r.reread)} re-read)")
        extra = sorted(set(r.reread) - set(r.executed))
        if extra:
            print(f"{'':<33}re-read, served from cache: {', '.join(extra)}")


def parse_args(argv=None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="Prints: scenario, seconds, pages executed. Build logs go to --log-dir.")
    parser.add_argument("--module", type=Path, default=Path("regcore/theory/l1_threshold.py"),
                        help="module to change, relative to the book (default: %(default)s)")
    parser.add_argument("--book", type=Path, default=ROOT,
                        help="the book's folder, with _config.yml and _build/ (default: repo)")
    parser.add_argument("--jupyter-book", type=Path,
                        default=Path(sys.executable).parent / "jupyter-book",
                        help="jupyter-book executable (default: next to this Python)")
    parser.add_argument("--log-dir", type=Path, default=None,
                        help="where to keep each build's output (default: _build/rebuild_bench)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    """Time the three builds; restore the module whatever happens."""
    args = parse_args(argv)
    book = args.book.resolve()
    module = (book / args.module).resolve()
    if not (book / "_build" / "jupyter_execute").is_dir():
        sys.exit(f"no complete build in {book / '_build'}: run `python3 make.py book` first")
    if not module.is_file():
        sys.exit(f"no module {module}")
    log_dir = (args.log_dir or book / "_build" / "rebuild_bench").resolve()
    log_dir.mkdir(parents=True, exist_ok=True)

    results = [timed_build("unchanged", book, args.jupyter_book, log_dir)]
    original, stat = module.read_bytes(), module.stat()
    try:
        sep = b"" if original.endswith(b"\n") or not original else b"\n"
        module.write_bytes(original + sep + COMMENT)
        results.append(timed_build("after change", book, args.jupyter_book, log_dir))
    finally:
        module.write_bytes(original)
        os.utime(module, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        print(f"restored {module.relative_to(book)}", file=sys.stderr)
    results.append(timed_build("restored", book, args.jupyter_book, log_dir))
    print_table(results)
    print(f"\nbuild logs: {log_dir}")
    return 0 if all(r.returncode == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
