"""A change inside the library re-executes exactly the pages that import the changed code.

Builds a small book twice in a temporary folder. The package ``freshpkg`` has ``a`` (which imports
``b`` relatively), ``b`` and an independent ``c``; page ``one`` imports ``freshpkg.a``, page ``two``
imports ``freshpkg.c``, page ``three`` imports nothing, page ``plain`` is Markdown. Every page
prints a token that changes on each execution. Between the builds only ``b.py`` changes. With
``regcore.site.fresh_cache`` the second build shows the new value on page one (its token changes)
while pages two and three keep their tokens and are not even re-read (their doctrees are not
rewritten). The control build without the extension shows that the test can fail: there
jupyter-cache and Sphinx keep the stale page. A build killed while executing a changed page leaves
that page to the next build.
"""
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


PAGES = {
    "one": ("from freshpkg.a import VALUE", 'f"value={VALUE}"'),
    "two": ("from freshpkg import c", 'f"other={c.OTHER}"'),
    "three": ("", '"nothing"'),
}


def _page(name: str, imports: str, shown: str) -> str:
    """A notebook page that prints ``shown`` and a token new at every execution."""
    cell = f"import time\n{imports}\nprint({shown}, f'token={{time.time_ns()}}')\n"
    return notebook_page(f"Page {name}", cell)


def _make_book(root: Path, with_extension: bool) -> None:
    pkg = root / "freshpkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text('"""A toy package."""\n')
    (pkg / "a.py").write_text("from .b import VALUE\n")
    (pkg / "b.py").write_text("VALUE = 'first'\n")
    (pkg / "c.py").write_text("OTHER = 'c'\n")
    for name, (imports, shown) in PAGES.items():
        (root / f"{name}.md").write_text(_page(name, imports, shown))
    (root / "plain.md").write_text("# Plain\n\nNo code here.\n")
    (root / "_toc.yml").write_text(textwrap.dedent("""\
        format: jb-book
        root: one
        chapters:
        - file: two
        - file: three
        - file: plain
        """))
    config = textwrap.dedent("""\
        title: fresh
        only_build_toc_files: true
        execute:
          execute_notebooks: cache
        sphinx:
          config:
            regcore_fresh_packages: [freshpkg]
            nb_execution_raise_on_error: true
        """)
    if with_extension:
        config += "  extra_extensions:\n    - regcore.site.fresh_cache\n"
    (root / "_config.yml").write_text(config)


def _build(root: Path, succeeds: bool = True, **environ: str) -> str:
    """Build the book (with ``environ`` added to the environment); return the build's output."""
    env = dict(os.environ, PYTHONPATH=str(root), **environ)
    out = subprocess.run([str(JB), "build", str(root)], env=env, capture_output=True, text=True,
                         timeout=300)
    assert (out.returncode == 0) == succeeds, out.stdout[-3000:] + out.stderr[-3000:]
    return out.stdout


def _shown(root: Path) -> dict[str, tuple[str, str]]:
    """page -> (what it printed, its token), read from the built HTML."""
    found = {}
    for name in PAGES:
        html = (root / "_build" / "html" / f"{name}.html").read_text()
        match = re.search(r"([\w=]+) token=(\d+)", html)
        assert match, f"{name}.html shows no token"
        found[name] = match.groups()
    return found


def _doctree_mtimes(root: Path) -> dict[str, int]:
    return {name: (root / "_build" / ".doctrees" / f"{name}.doctree").stat().st_mtime_ns
            for name in [*PAGES, "plain"]}


@pytest.mark.parametrize("with_extension", [True, False])
def test_library_change_reaches_exactly_its_pages(tmp_path, with_extension):
    _make_book(tmp_path, with_extension)
    _build(tmp_path)
    before, read_before = _shown(tmp_path), _doctree_mtimes(tmp_path)
    assert before["one"][0] == "value=first" and before["two"][0] == "other=c"

    (tmp_path / "freshpkg" / "b.py").write_text("VALUE = 'second'\n")  # only page one's code
    log = _build(tmp_path)
    after, read_after = _shown(tmp_path), _doctree_mtimes(tmp_path)

    if not with_extension:  # the failure the extension prevents
        assert after["one"] == before["one"]
        return
    assert after["one"][0] == "value=second" and after["one"][1] != before["one"][1]
    for name in ("two", "three"):  # not executed again: the same token
        assert after[name] == before[name], name
    changed = {name for name in read_before if read_after[name] != read_before[name]}
    assert changed == {"one"}, log[-3000:]
    assert "0 added, 1 changed, 0 removed" in log


def test_interrupted_build_leaves_the_page_outdated(tmp_path):
    """A build killed while executing a page whose code changed does not mark the page fresh.

    The second build drops page one's cached run, starts executing it and is killed there (the
    kernel kills the builder, as a power cut or kill -9 would; Sphinx's own error handling would
    instead discard its environment). The third build, with no change at all, must still re-read
    page one and execute it.
    """
    _make_book(tmp_path, with_extension=True)
    _build(tmp_path)
    (tmp_path / "freshpkg" / "b.py").write_text(
        "import os, signal\n"
        "if os.environ.get('FRESH_KILL_BUILD'):\n"
        "    os.kill(os.getppid(), signal.SIGKILL)  # the builder that started this kernel\n"
        "    os._exit(1)\n"
        "VALUE = 'second'\n")
    _build(tmp_path, succeeds=False, FRESH_KILL_BUILD="1")
    log = _build(tmp_path)
    assert _shown(tmp_path)["one"][0] == "value=second", log[-3000:]
