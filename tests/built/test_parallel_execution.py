"""regcore.site.parallel_execution: chapters run side by side, and a failure still fails.

Tiny books in a temporary folder (a few seconds each): three pages that sleep and print when they
ran. With the extension two of them run at the same time and every page shows its output; a page
that raises fails the build, and fails the next build too (not served as written with its error).
"""
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from notebook_pages import notebook_page

pytestmark = pytest.mark.site

JB = Path(sys.executable).parent / "jupyter-book"
BODY = ("import os, pathlib, time  # page {name}\nstart = time.time()\n{work}\n"
        "group = pathlib.Path('/proc/self/autogroup')\n"
        "group = group.read_text().split()[-1] if group.exists() else 'none'\n"
        "print(f'ran {{start:.3f}} {{time.time():.3f}} nice {{os.nice(0)}} session {{group}}')\n")


def _make_book(root: Path, works: dict[str, str], two_cores=(), spare: int = 0,
               background: bool = False) -> None:
    for name, work in works.items():
        cell = BODY.format(name=name, work=work)  # distinct cells: distinct cache records
        extra = "regcore:\n  cores: 2\n" if name in two_cores else ""
        (root / f"{name}.md").write_text(notebook_page(name, cell, extra))
    names = list(works)
    (root / "_toc.yml").write_text(f"format: jb-book\nroot: {names[0]}\nchapters:\n"
                                   + "".join(f"- file: {n}\n" for n in names[1:]))
    (root / "_config.yml").write_text(textwrap.dedent(f"""\
        title: parallel
        only_build_toc_files: true
        execute:
          execute_notebooks: cache
        sphinx:
          config:
            nb_execution_raise_on_error: true
            regcore_execution_workers: 2
            regcore_execution_spare: {spare}
            regcore_execution_background: {str(background).lower()}
          extra_extensions:
            - regcore.site.fresh_cache
            - regcore.site.parallel_execution
        """))


def _build(root: Path) -> int:
    out = subprocess.run([str(JB), "build", str(root), "-W", "--keep-going"],
                         env=dict(os.environ), capture_output=True, text=True, timeout=300)
    return out.returncode


def _intervals(root: Path, names) -> dict[str, tuple[float, float]]:
    found = {}
    for name in names:
        html = (root / "_build" / "html" / f"{name}.html").read_text()
        match = re.search(r"ran ([\d.]+) ([\d.]+)", html)
        assert match, f"{name}.html shows no output"
        found[name] = (float(match[1]), float(match[2]))
    return found


def test_pages_run_side_by_side(tmp_path):
    works = {name: "time.sleep(3)" for name in ("a", "b", "c")}
    _make_book(tmp_path, works)
    assert _build(tmp_path) == 0
    spans = sorted(_intervals(tmp_path, works).values())
    overlaps = [s2[0] < s1[1] for s1, s2 in zip(spans, spans[1:])]
    assert any(overlaps), spans


def test_a_two_core_page_runs_alone(tmp_path):
    # 4 s each: long enough that the pool's second process (spawned on demand) starts in time
    works = {name: "time.sleep(4)" for name in ("a", "b", "c")}
    _make_book(tmp_path, works, two_cores=("b",))
    assert _build(tmp_path) == 0
    spans = _intervals(tmp_path, works)
    alone = spans.pop("b")
    for start, end in spans.values():
        assert end <= alone[0] or start >= alone[1], (alone, spans)
    (a0, a1), (c0, c1) = spans.values()
    assert c0 < a1 and a0 < c1  # the single-core pages still ran side by side


def test_with_a_spare_slot_one_page_runs_beside_a_two_core_page(tmp_path):
    works = {name: "time.sleep(4)" for name in ("a", "b", "c", "d")}
    _make_book(tmp_path, works, two_cores=("b",), spare=1)
    assert _build(tmp_path) == 0
    spans = _intervals(tmp_path, works)
    b0, b1 = spans.pop("b")
    beside = sorted((max(s0, b0), min(s1, b1)) for s0, s1 in spans.values()
                    if s0 < b1 and b0 < s1)
    assert beside, spans  # the spare slot was used, by one page at a time (never 2 + 2 cores)
    assert all(first[1] <= second[0] for first, second in zip(beside, beside[1:])), (b0, b1, spans)


def test_in_the_background_lane_pages_run_beside_a_two_core_page(tmp_path):
    works = {name: "time.sleep(4)" for name in ("a", "b", "c", "d")}
    _make_book(tmp_path, works, two_cores=("b",), background=True)
    assert _build(tmp_path) == 0
    spans = _intervals(tmp_path, works)
    b0, b1 = spans.pop("b")
    beside = {name for name, (s0, s1) in spans.items() if s0 < b1 and b0 < s1}
    (recorded,) = (tmp_path / "_build").rglob("regcore_execution_background.json")
    behind = {d for d, flag in json.loads(recorded.read_text()).items() if flag}
    # pages ran beside the two-core page only in the background lane, one after another
    assert beside and beside <= behind, (b0, b1, spans, behind)
    lane = sorted(spans[name] for name in behind)
    assert all(first[1] <= second[0] for first, second in zip(lane, lane[1:])), lane
    # the lane's pages ran at the lowest priority, and so did their kernels' sessions where Linux
    # shares the CPU between sessions first (autogroup); the other pages at the normal one
    for name in works:
        html = (tmp_path / "_build" / "html" / f"{name}.html").read_text()
        nice, session = re.search(r"nice (\d+) session (\w+)", html).groups()
        want = "19" if name in behind else "0"
        assert nice == want and session in (want, "none"), (name, nice, session)


def test_a_failing_page_fails_this_build_and_the_next(tmp_path):
    works = {"a": "time.sleep(1)", "b": "raise ValueError('boom')", "c": "time.sleep(1)"}
    _make_book(tmp_path, works)
    assert _build(tmp_path) != 0
    assert _build(tmp_path) != 0  # --keep-going wrote the page; it is still not served
    (tmp_path / "b.md").write_text((tmp_path / "b.md").read_text().replace(
        "raise ValueError('boom')", "time.sleep(1)"))
    assert _build(tmp_path) == 0
    assert set(_intervals(tmp_path, works)) == set(works)
