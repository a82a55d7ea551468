"""The API reference's "used in" back-links: which chapters call each regcore function or class.

d2l types its "defined in" notes by hand; here they are generated. When the book is read, every
chapter's code cells are parsed (:mod:`ast`, the cells as MyST-NB reads them), the regcore names
they use are collected — ``from regcore.x import f`` then ``f(...)``, ``import regcore.x as x``
then ``x.f``, ``regcore.f`` — and each is resolved to the object it names, so that a chapter that
calls ``regcore.fit`` and one that calls ``regcore.training.fit`` both count for
``regcore.training.fit``. When autodoc documents an object, a "Used in" paragraph with links to
those chapters is appended to its docstring. The regcore reference pages (book/reference/) use
it; tests/site/test_api_links.py checks the scanner, tests/built the links.

It also keeps sphinx-codeautolink's links (names in code cells → their entries) on Markdown pages
across incremental builds: see :func:`keep_codeautolink_links_on_markdown_pages`.
"""
from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path
from types import ModuleType
from typing import Iterable

from .fresh_cache import _parse_cell, code_cells, read_notebook

PACKAGE = "regcore"
#: Docnames of the reference pages (re-read when the back-links they show change).
REFERENCE_PREFIX = "book/reference/"


def _aliases(tree: ast.AST) -> dict[str, str]:
    """Local name → dotted regcore path bound by the cell's imports."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == PACKAGE:
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    else:
                        bound[PACKAGE] = PACKAGE
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and \
                node.module.split(".")[0] == PACKAGE:
            for alias in node.names:
                if alias.name != "*":
                    bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return [node.id] + parts[::-1]
    return None


def used_paths(cells: Iterable[str]) -> set[str]:
    """Dotted regcore paths the cells use (names bound by imports and attributes off them);
    aliases from earlier cells stay bound in later ones, as in a running notebook."""
    bound: dict[str, str] = {}
    paths: set[str] = set()
    for source in cells:
        tree = _parse_cell(source)
        if tree is None:
            continue
        bound.update(_aliases(tree))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Attribute, ast.Name)) and not isinstance(
                    getattr(node, "ctx", None), ast.Store):
                chain = _dotted(node)
                if chain and chain[0] in bound:
                    paths.add(".".join([bound[chain[0]]] + chain[1:]))
    return paths


def canonical(path: str) -> str | None:
    """The name autodoc documents ``path``'s object under (``module.qualname`` of a function or
    class, the module's name for a module), or None if it does not resolve to one."""
    parts = path.split(".")
    obj = None
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        break
    if isinstance(obj, ModuleType):
        return obj.__name__
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if module and qualname and module.split(".")[0] == PACKAGE:
        return f"{module}.{qualname}"
    return None   # a constant, an instance, or something from another package


def usage_index(chapters: dict[str, list[str]]) -> dict[str, list[str]]:
    """``{canonical name: [docnames]}`` from ``{docname: code cells}``; docnames in the given
    order. A method used as ``obj.method`` cannot be resolved statically and is not listed."""
    index: dict[str, list[str]] = {}
    for docname, cells in chapters.items():
        for path in sorted(used_paths(cells)):
            name = canonical(path)
            if name and docname not in index.setdefault(name, []):
                index[name].append(docname)
    return index


# --------------------------------------------------------------------------- Sphinx


def _chapters(app) -> dict[str, list[str]]:
    """Code cells of every notebook page of the book, by docname, in the table of contents'
    order where Sphinx knows it (``env.found_docs`` otherwise)."""
    env = app.env
    out = {}
    for docname in sorted(env.found_docs):
        path = Path(env.doc2path(docname))
        if path.suffix not in (".md", ".ipynb"):
            continue
        notebook = read_notebook(path)
        if notebook is not None:
            out[docname] = code_cells(notebook)
    return out


def _on_process_docstring(app, what, name, obj, options, lines) -> None:
    if what not in ("function", "class", "method", "module"):
        return
    index = getattr(app.env, "regcore_api_usage", None)
    if index is None:
        index = app.env.regcore_api_usage = usage_index(_chapters(app))
    key = name if what == "module" else canonical(name)
    docs = index.get(key, [])
    if docs:
        lines.extend(["", "**Used in:** " + ", ".join(f":doc:`/{d}`" for d in docs) + "."])


def pages_to_reread(found_docs, usage: dict, last_read: dict | None) -> list[str]:
    """The reference pages to read again because their back-links changed: all of them when the
    chapters' usage index differs from the one they were last read with, else none (a page whose
    own source or documented module changed is re-read by Sphinx anyway)."""
    if usage == last_read:
        return []
    return sorted(d for d in found_docs if d.startswith(REFERENCE_PREFIX))


def _on_env_get_outdated(app, env, added, changed, removed) -> list[str]:
    """Scan the chapters' code (the index :func:`_on_process_docstring` uses) and re-read the
    reference pages if it changed. They used to be re-read on every build; since the back-links
    depend only on this index, an unchanged build now reads none of them (measured: an unchanged
    rebuild 16.5 s before, with the 20 reference pages re-read and written)."""
    env.regcore_api_usage = usage_index(_chapters(app))
    pages = pages_to_reread(env.found_docs, env.regcore_api_usage,
                            getattr(env, "regcore_api_usage_read", None))
    # the environment is saved only after a successful read, so a failed build reads them again
    env.regcore_api_usage_read = env.regcore_api_usage
    return pages


# --------------------------------------------------------------------------- codeautolink's cache

SOURCE_SUFFIXES = (".md", ".ipynb", ".rst")


def _read_codeautolink_cache(cache) -> None:
    """sphinx-codeautolink 0.19's ``DataCache.read``, keeping the entries of Markdown and notebook
    pages too: the original keeps a page's parsed code only if ``<page>.rst`` exists, so after an
    incremental build every chapter that was written but not re-read lost its links to the
    reference (a stale page). Same format and checks otherwise."""
    from sphinx_codeautolink.extension.block import CodeExample, Name, SourceTransform

    path = cache.cache_dir / cache.cache_filename
    if not path.exists():
        return
    for page, transforms in json.loads(path.read_text("utf-8")).items():
        if not any((cache.src_dir / (page + suffix)).exists() for suffix in SOURCE_SUFFIXES):
            continue
        for transform in transforms:
            transform["example"] = CodeExample(**transform["example"])
            transform["names"] = [Name(**n) for n in transform["names"]]
        cache.transforms[page] = [SourceTransform(**t) for t in transforms]


def keep_codeautolink_links_on_markdown_pages() -> None:
    """Install :func:`_read_codeautolink_cache` (called by :func:`setup`)."""
    from sphinx_codeautolink.extension.cache import DataCache
    DataCache.read = _read_codeautolink_cache


def setup(app):
    keep_codeautolink_links_on_markdown_pages()
    app.connect("autodoc-process-docstring", _on_process_docstring)
    app.connect("env-get-outdated", _on_env_get_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
