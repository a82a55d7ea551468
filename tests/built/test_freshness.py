"""A change inside the library reaches the next build's pages without a manual clean.

Builds a one-page book twice in a temporary folder: the page prints a constant from a small
package; between the builds only the package changes. With ``regcore.site.fresh_cache`` the second
build shows the new value. The control build without the extension shows that the test can fail:
there jupyter-cache and Sphinx keep the stale page.
"""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

JB = Path(sys.executable).parent / "jupyter-book"

PAGE = textwrap.dedent("""\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
    kernelspec:
      display_name: Python 3
      language: python
      name: python3
    ---

    # Fresh

    ```{code-cell} ipython3
    import freshpkg
    print(f"value={freshpkg.VALUE}")
    ```
    """)


def _make_book(root: Path, with_extension: bool) -> None:
    (root / "freshpkg").mkdir(parents=True)
    (root / "freshpkg" / "__init__.py").write_text("VALUE = 'first'\n")
    (root / "page.md").write_text(PAGE)
    (root / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    extensions = "    - regcore.site.fresh_cache\n" if with_extension else ""
    (root / "_config.yml").write_text(textwrap.dedent("""\
        title: fresh
        only_build_toc_files: true
        execute:
          execute_notebooks: cache
        sphinx:
          config:
            regcore_fresh_packages: [freshpkg]
        """) + ("  extra_extensions:\n" + extensions if with_extension else ""))


def _build(root: Path) -> str:
    env = dict(os.environ, PYTHONPATH=str(root))
    out = subprocess.run([str(JB), "build", str(root)], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return (root / "_build" / "html" / "page.html").read_text()


@pytest.mark.parametrize("with_extension", [True, False])
def test_library_change_reaches_the_page(tmp_path, with_extension):
    _make_book(tmp_path, with_extension)
    assert "value=first" in _build(tmp_path)
    (tmp_path / "freshpkg" / "__init__.py").write_text("VALUE = 'second'\n")
    html = _build(tmp_path)
    if with_extension:
        assert "value=second" in html and "value=first" not in html
    else:  # the failure the extension prevents
        assert "value=first" in html
