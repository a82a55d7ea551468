"""Sphinx extension that keeps the book's executed pages in step with regcore's code.

jupyter-cache re-executes a notebook only when its own cells change, and Sphinx re-reads a page
only when its source changes; a change inside regcore alone would leave stale pages. This
extension hashes the source of the packages the book imports (``regcore_fresh_packages``,
default ``["regcore"]``) and, when the book is configured:

* points MyST-NB's execution cache at a sub-folder named by that hash (removing the folders of
  other hashes), so changed code finds an empty cache and every notebook runs again;
* stores the hash as an ``env``-rebuild config value, so Sphinx re-reads every page.

Enabled in ``_config.yml`` (``sphinx.extra_extensions``); tested in ``tests/built``. Used by the
book's build, described in the introduction ("Rebuilding the book").
"""
from __future__ import annotations

import hashlib
import importlib.util
import shutil
from pathlib import Path


def package_hash(names) -> str:
    """SHA-256 over the relative paths and bytes of every ``.py`` file of the named packages."""
    digest = hashlib.sha256()
    for name in sorted(names):
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise ValueError(f"regcore_fresh_packages entry {name!r} is not an importable package")
        root = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(root.rglob("*.py")):
            digest.update(f"{name}/{path.relative_to(root).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _key_cache_on_code(app, config) -> None:
    code_hash = package_hash(config.regcore_fresh_packages)
    config.regcore_code_hash = code_hash
    base = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    if base.name.startswith("code-"):  # configured already (a re-initialised app)
        base = base.parent
    keep = base / f"code-{code_hash[:16]}"
    if base.is_dir():  # drop the caches of code that is no longer there
        for old in base.glob("code-*"):
            if old != keep:
                shutil.rmtree(old, ignore_errors=True)
    config.nb_execution_cache_path = str(keep)


def setup(app):
    app.add_config_value("regcore_fresh_packages", ["regcore"], "env")
    app.add_config_value("regcore_code_hash", "", "env")
    app.connect("config-inited", _key_cache_on_code, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
