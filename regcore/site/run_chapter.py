"""Run one chapter outside the book build, as a reader who downloaded it would.

    python -m regcore.site.run_chapter book/theory/l1.md          # a chapter's MyST source
    python -m regcore.site.run_chapter _build/html/_sources/book/dropout.ipynb   # a download

Executes the notebook top to bottom with nbclient in the chapter's own folder (as the build
does), stops at the first error and prints the seconds each cell took, the exercise solutions'
cells (those after the "Exercises" heading) marked, so an author can check a solution's assertion
and its cost without building the book. The site tests (tests/built/test_downloads.py) use
:func:`execute` on two downloaded notebooks: the glue calls must be harmless outside the build.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbclient import NotebookClient

from .fresh_cache import read_notebook


def read(path: Path) -> nbformat.NotebookNode:
    """A chapter as a notebook: ``.ipynb`` as is, ``.md`` read as the build reads it
    (:func:`regcore.site.fresh_cache.read_notebook`, MyST-NB's own reader)."""
    if path.suffix == ".ipynb":
        return nbformat.read(path, as_version=4)
    notebook = read_notebook(path) if path.suffix == ".md" else None
    if notebook is None:
        raise ValueError(f"path must be a .md chapter or an .ipynb notebook, got {str(path)!r}")
    return notebook


class CellRun(NamedTuple):
    """One executed code cell: its index in the notebook, the seconds it took, whether it
    belongs to the exercises (after an "Exercises" heading) and what it printed."""
    index: int
    seconds: float
    in_exercises: bool
    printed: str


def execute(path: str | Path, timeout: int = 900) -> list[CellRun]:
    """Execute the notebook at ``path`` in its folder; one :class:`CellRun` per code cell.
    Raises nbclient's ``CellExecutionError`` on the first failing cell."""
    path = Path(path).resolve()
    nb = read(path)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    timings: list[CellRun] = []
    in_exercises = False
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "markdown" and any(
                    line.strip().lstrip("#").strip() == "Exercises"
                    for line in cell.source.splitlines() if line.startswith("#")):
                in_exercises = True
            if cell.cell_type != "code":
                continue
            start = time.perf_counter()
            client.execute_cell(cell, index)
            printed = "".join(o.get("text", "") for o in cell.get("outputs", [])
                              if o.get("output_type") == "stream")
            timings.append(CellRun(index, time.perf_counter() - start, in_exercises, printed))
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="chapters (.md) or notebooks (.ipynb)")
    args = parser.parse_args(argv)
    for path in args.paths:
        timings = execute(path)
        total = sum(run.seconds for run in timings)
        exercises = sum(run.seconds for run in timings if run.in_exercises)
        for run in timings:
            print(f"{path}  cell {run.index:3d}  {run.seconds:7.2f} s"
                  f"{'  (exercises)' if run.in_exercises else ''}")
            if run.in_exercises and run.printed:   # the numbers a solution's assertion is about
                print("    " + run.printed.rstrip().replace("\n", "\n    "))
        print(f"{path}: {len(timings)} code cells, {total:.1f} s in all, "
              f"{exercises:.1f} s in the exercises", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
