"""regcore.site.fresh_cache without a build: the static import resolver, the page key, the
cache-record removal, and the module sets of the real book's chapters."""
import importlib
import itertools
import textwrap
from pathlib import Path

import nbformat
import pytest

from notebook_pages import notebook_page
from regcore.site import fresh_cache as fc

ROOT = Path(__file__).resolve().parents[2]
_names = (f"fcpkg{i}" for i in itertools.count())



@pytest.fixture
def make_pkg(tmp_path, monkeypatch):
    """Write a package from {relative path: source} under a fresh name; return its index.

    Sources may say ``PKG`` for the package's name.
    """
    monkeypatch.syspath_prepend(str(tmp_path))

    def make(files: dict[str, str]) -> fc.PackageIndex:
        name = next(_names)
        for rel, source in {"__init__.py": "", **files}.items():
            path = tmp_path / name / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(source).replace("PKG", name))
        importlib.invalidate_caches()
        index = fc.PackageIndex([name])
        index.name = name
        return index

    return make


def _found(index: fc.PackageIndex, *cells: str) -> set[str]:
    """Modules the cells import, without the package's name (``""`` is its ``__init__``)."""
    cells = [textwrap.dedent(c).replace("PKG", index.name) for c in cells]
    return {m.removeprefix(index.name).removeprefix(".") for m in fc.cells_modules(cells, index)}


def test_relative_imports(make_pkg):
    index = make_pkg({
        "sub/__init__.py": "from . import x\n",
        "sub/x.py": "from .y import f\n",
        "sub/y.py": "from ..z import g\n",
        "z.py": "from . import VALUE\n",  # a name of the package, not a module
        "unused.py": "",
    })
    assert _found(index, "import PKG.sub") == {"", "sub", "sub.x", "sub.y", "z"}


def test_from_package_import_submodule_or_name(make_pkg):
    index = make_pkg({"__init__.py": "VALUE = 1\n", "a.py": "", "b.py": ""})
    assert _found(index, "from PKG import a") == {"", "a"}
    assert _found(index, "from PKG import VALUE") == {""}
    assert _found(index, "from PKG import a as alias, b") == {"", "a", "b"}


def test_transitive_chain(make_pkg):
    index = make_pkg({"a.py": "from . import b\n", "b.py": "import PKG.c\n",
                      "c.py": "from PKG.d import thing\n", "d.py": "thing = 1\n", "e.py": ""})
    assert _found(index, "import PKG.a") == {"", "a", "b", "c", "d"}


def test_parent_inits_count(make_pkg):
    index = make_pkg({"__init__.py": "from .top import T\n", "top.py": "",
                      "deep/__init__.py": "from .helper import h\n", "deep/helper.py": "",
                      "deep/leaf.py": "", "other.py": ""})
    assert _found(index, "from PKG.deep.leaf import x") == {"", "top", "deep", "deep.helper",
                                                            "deep.leaf"}


def test_cycles_end(make_pkg):
    index = make_pkg({"a.py": "from . import b\n", "b.py": "from .a import f\n"})
    assert _found(index, "import PKG.b") == {"", "a", "b"}


def test_imports_anywhere_count(make_pkg):
    index = make_pkg({
        "a.py": """\
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from . import typed
            try:
                from . import optional
            except ImportError:
                pass

            def later():
                from .lazy import f
                return f

            class K:
                def m(self):
                    import importlib
                    return importlib.import_module("PKG.dynamic")
            """,
        "typed.py": "", "optional.py": "", "lazy.py": "", "dynamic.py": "", "never.py": ""})
    assert _found(index, "import PKG.a") == {"", "a", "typed", "optional", "lazy", "dynamic"}


def test_star_import_follows_all(make_pkg):
    index = make_pkg({"__init__.py": "__all__ = ['a', 'VALUE']\nVALUE = 1\n", "a.py": "",
                      "b.py": ""})
    assert _found(index, "from PKG import *") == {"", "a"}


def test_magics_parse_and_unparsable_cells_take_everything(make_pkg):
    index = make_pkg({"a.py": "", "b.py": ""})
    assert _found(index, "%matplotlib inline\nfrom PKG import a") == {"", "a"}
    assert _found(index, "import numpy") == set()
    assert _found(index, "this is not python (") == {"", "a", "b"}


def test_key_follows_exactly_the_module_set(make_pkg, tmp_path):
    index = make_pkg({"a.py": "from .b import X\n", "b.py": "X = 1\n", "c.py": "Y = 1\n"})
    pkg = tmp_path / index.name
    page_a = fc.cells_modules([f"import {index.name}.a"], index)
    page_c = fc.cells_modules([f"import {index.name}.c"], index)
    key_a, key_c, key_none = index.key(page_a), index.key(page_c), index.key(set())
    (pkg / "b.py").write_text("X = 2\n")
    assert index.key(page_a) != key_a
    assert index.key(page_c) == key_c and index.key(set()) == key_none
    assert fc.cells_modules(["import os"], index) == set()


def test_not_a_package_is_an_error():
    with pytest.raises(ValueError, match="not an importable package"):
        fc.PackageIndex(["no_such_package_anywhere"])
    with pytest.raises(ValueError, match="not an importable package"):
        fc.PackageIndex(["textwrap"])  # a module, not a package


def test_notebooks_and_plain_pages(make_pkg, tmp_path):
    index = make_pkg({"a.py": ""})
    page = tmp_path / "page.md"
    page.write_text(notebook_page("P", f"import {index.name}.a"))
    assert fc.notebook_modules(page, index) == {index.name, f"{index.name}.a"}
    plain = tmp_path / "plain.md"
    plain.write_text(f"# Plain\n\n```python\nimport {index.name}.a\n```\n")
    assert fc.notebook_modules(plain, index) is None
    ipynb = tmp_path / "nb.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"from {index.name} import a")])
    nbformat.write(nb, ipynb)
    assert fc.notebook_modules(ipynb, index) == {index.name, f"{index.name}.a"}


def _executed(source: str):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source, execution_count=1)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    return nb


def test_drop_records_by_uri_and_by_notebook(tmp_path):
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    cache = get_cache(tmp_path / "cache")
    page = tmp_path / "page.md"
    old = cache.cache_notebook_bundle(CacheBundleIn(_executed("x = 1"), str(page)),
                                      check_validity=False)
    moved = cache.cache_notebook_bundle(CacheBundleIn(_executed("x = 2"), "/elsewhere/page.md"),
                                        check_validity=False)
    other = cache.cache_notebook_bundle(CacheBundleIn(_executed("y = 3"), "/other.md"),
                                        check_validity=False)
    dropped = fc.drop_records(cache, page, _executed("x = 2"))
    assert dropped == sorted([old.pk, moved.pk])
    assert [r.pk for r in cache.list_cache_records()] == [other.pk]


def test_old_cache_folders_are_removed(tmp_path):
    (tmp_path / "code-0123456789abcdef").mkdir()
    (tmp_path / "code-notahash").mkdir()
    (tmp_path / "executed").mkdir()
    fc.remove_old_scheme(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["code-notahash", "executed"]


def test_keys_file_round_trip(tmp_path):
    assert fc.load_keys(tmp_path / "missing") == {}
    fc.save_keys(tmp_path / "c", {"a": "1"})
    assert fc.load_keys(tmp_path / "c") == {"a": "1"}


def test_real_book_theory_l1_imports_its_own_theory_module_only():
    index = fc.PackageIndex(["regcore"])
    found = {index.relative_path(m) for m in fc.notebook_modules(ROOT / "book/theory/l1.md", index)}
    assert "regcore/theory/l1_threshold.py" in found
    assert "regcore/theory/dropout_ridge.py" not in found
    assert "regcore/__init__.py" in found and "regcore/theory/__init__.py" in found


def test_real_book_plain_pages_are_not_notebooks():
    index = fc.PackageIndex(["regcore"])
    assert fc.notebook_modules(ROOT / "book/references.md", index) is None


def test_key_ignores_docstrings_comments_and_layout_but_not_code(make_pkg, tmp_path):
    index = make_pkg({"a.py": '"""Module."""\n\ndef f(x):\n    """Doc."""\n    return x + 1\n'})
    pkg = tmp_path / index.name
    page = fc.cells_modules([f"import {index.name}.a"], index)
    before = index.key(page)
    (pkg / "a.py").write_text('"""Another module text."""\n# a comment\n\n\ndef f(x):\n'
                              '    """Other words."""\n\n    return (x + 1)  # same\n')
    assert index.key(page) == before
    (pkg / "a.py").write_text('def f(x):\n    return x + 2\n')
    changed = index.key(page)
    assert changed != before
    # only the first string of a body is its docstring; a second one is kept
    (pkg / "a.py").write_text('def f(x):\n    """Doc."""\n    "kept"\n    return x + 2\n')
    assert index.key(page) != changed


def test_a_module_that_reads_its_docstring_is_keyed_on_its_bytes():
    src = b'"""Usage: run me."""\nHELP = __doc__\n'
    assert fc.code_bytes(src) == src
    assert fc.code_bytes(b'"""One."""\nX = 1\n') == fc.code_bytes(b'"""Two."""\nX = 1\n')
    assert fc.code_bytes(b'X = (\n') == b'X = (\n'  # does not parse: taken as it is
