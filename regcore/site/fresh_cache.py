"""Sphinx extension: a chapter re-executes when the regcore code it imports changes.

Why. MyST-NB's execution cache (jupyter-cache) keys an executed notebook on its own code cells
only, and Sphinx re-reads a page only when its source changes. A change inside ``regcore`` alone
would therefore leave pages that show results of code that is no longer there.

What. Each notebook page gets a *key*: SHA-256 over the relative paths and code (the syntax tree
without docstrings, :func:`code_bytes`) of exactly the modules of the packages in
``regcore_fresh_packages`` (default ``["regcore"]``) that running the page imports. A page whose key changed since it was last built is re-read by Sphinx and executed
again by MyST-NB; every other page stays as it is, served from the cache. Plain Markdown pages and
pages that import nothing from the packages are never invalidated by package changes.

How.

* The module set is found statically (nothing is imported): the page's code cells and then, module
  by module, the package sources are parsed with :mod:`ast`. Every ``import`` counts, wherever it
  stands (inside functions, ``try``, ``if TYPE_CHECKING``), relative ones included;
  ``from p import name`` counts ``p.name`` when that is a module; a submodule brings its parent
  packages' ``__init__.py``; ``from p import *`` brings the submodules named in ``p.__all__``;
  ``importlib.import_module("p.m")`` with a literal name counts. What cannot be parsed counts as
  importing every module of the packages.
* ``env-get-outdated`` computes every page's key. Where the key differs from the one stored in
  ``regcore_fresh_keys.json`` inside the jupyter-cache folder, the page's cache records are
  removed (records whose ``uri`` is the page's source, as MyST-NB stores it, and the record that
  ``match_cache_notebook`` finds for the page's notebook) and the new key is stored: from then on
  the cache holds nothing run under the old code. Pages whose key differs from the one kept in the
  Sphinx environment (set on ``doctree-read``, so only pages actually read are marked) are
  returned as outdated, so Sphinx re-reads them and MyST-NB, finding no record, executes them.
  The environment is pickled by Sphinx only after a completed read phase: an interrupted build
  leaves those pages outdated for the next one.
* Sphinx parallel reading is supported: the keys read in a worker are merged back on
  ``env-merge-info``.
* The per-hash cache folders of the earlier scheme (``<cache>/code-<hash>``) are removed.

Enabled in ``_config.yml`` (``sphinx.extra_extensions``); tested in ``tests/site`` (the import
resolver) and ``tests/built`` (two builds of a small book). The book describes it in the
introduction, "Reading, running and rebuilding".
"""
from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import re
import shutil
from pathlib import Path
from typing import Iterable

KEYS_FILE = "regcore_fresh_keys.json"
"""Name of the file, inside the jupyter-cache folder, that maps docname -> key of its records."""

_OLD_CACHE_DIR = re.compile(r"code-[0-9a-f]{16}")


# --------------------------------------------------------------------------- static imports


def package_root(name: str) -> Path:
    """Folder of the package ``name`` (dotted names allowed), found without importing it.

    Only the top-level name is looked up with :func:`importlib.util.find_spec` (which, for a
    top-level name, does not import anything); sub-packages are folders below it.
    """
    top, *rest = name.split(".")
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise ValueError(f"regcore_fresh_packages entry {name!r} is not an importable package")
    root = Path(next(iter(spec.submodule_search_locations)))
    for part in rest:
        root = root / part
    if not (root / "__init__.py").is_file():
        raise ValueError(f"regcore_fresh_packages entry {name!r} is not an importable package")
    return root


def _relative_base(module: str | None, level: int, current: str | None,
                   is_package: bool) -> str | None:
    """Absolute name that ``from <level dots><module> import ...`` refers to, or None.

    ``current`` is the importing module's name (None in a notebook, where relative imports
    have no meaning); ``is_package`` says whether it is a package's ``__init__``.
    """
    if level == 0:
        return module
    if current is None:
        return None
    parts = current.split(".") if is_package else current.split(".")[:-1]
    if level - 1 >= len(parts):
        return None  # beyond the top-level package: an ImportError at run time
    base = ".".join(parts[:len(parts) - (level - 1)])
    return f"{base}.{module}" if module else base


def _import_module_target(call: ast.Call, current: str | None,
                          is_package: bool) -> str | None:
    """The module named by ``importlib.import_module("x")`` / ``__import__("x")``, if literal."""
    func = call.func
    fname = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if fname not in ("import_module", "__import__") or not call.args:
        return None
    first = call.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return None
    target = first.value
    if not target.startswith("."):
        return target
    level = len(target) - len(target.lstrip("."))
    return _relative_base(target[level:] or None, level, current, is_package)


def imported_names(tree: ast.AST, current: str | None = None,
                   is_package: bool = False) -> tuple[set[str], set[str]]:
    """Names an AST may import, anywhere in it: (candidate module names, ``import *`` bases).

    Candidates include ``p.name`` for every ``from p import name``; whether that is a module is
    decided by the caller. ``current``/``is_package`` resolve relative imports.
    """
    names: set[str] = set()
    stars: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _relative_base(node.module, node.level, current, is_package)
            if base is None:
                continue
            names.add(base)
            for alias in node.names:
                if alias.name == "*":
                    stars.add(base)
                else:
                    names.add(f"{base}.{alias.name}")
        elif isinstance(node, ast.Call):
            target = _import_module_target(node, current, is_package)
            if target:
                names.add(target)
    return names, stars


def _static_all(tree: ast.Module) -> list[str] | None:
    """The literal ``__all__`` of a module, [] if it has none, None if it is not literal."""
    found: list[str] = []
    for node in tree.body:
        targets = (node.targets if isinstance(node, ast.Assign)
                   else [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign))
                   else [])
        if not any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            continue
        value = node.value
        if not isinstance(value, (ast.List, ast.Tuple)) or not all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts):
            return None
        found.extend(e.value for e in value.elts)
    return found


class PackageIndex:
    """The modules of some packages, and what each imports, read from their sources.

    Parsed files are remembered, so resolving many pages in one build parses each module once.
    """

    def __init__(self, names: Iterable[str]):
        """Locate the packages ``names``; ValueError for a name that is not a package."""
        self.roots = {name: package_root(name) for name in names}
        self._trees: dict[str, ast.Module | None] = {}

    def file_of(self, name: str) -> Path | None:
        """Source file of module ``name`` if it belongs to the packages, else None."""
        for package in sorted(self.roots, key=len, reverse=True):
            if name == package or name.startswith(package + "."):
                rest = name.split(".")[package.count(".") + 1:]
                base = self.roots[package].joinpath(*rest)
                for path in (base / "__init__.py", base.with_name(base.name + ".py")):
                    if path.is_file():
                        return path
                return None
        return None

    def all_modules(self) -> set[str]:
        """Every module of the packages (the conservative answer)."""
        found = set()
        for package, root in self.roots.items():
            for path in root.rglob("*.py"):
                parts = path.relative_to(root).with_suffix("").parts
                if parts[-1] == "__init__":
                    parts = parts[:-1]
                name = ".".join((package, *parts))
                if self.file_of(name) == path:  # skips files in folders that are not packages
                    found.add(name)
        return found

    def submodules(self, name: str) -> set[str]:
        """Direct submodules of package ``name``."""
        path = self.file_of(name)
        if path is None or path.name != "__init__.py":
            return set()
        children = {p.stem for p in path.parent.glob("*.py") if p.name != "__init__.py"}
        children |= {p.parent.name for p in path.parent.glob("*/__init__.py")}
        return {f"{name}.{child}" for child in children}

    def tree(self, name: str) -> ast.Module | None:
        """Parsed source of module ``name``; None when it does not parse."""
        if name not in self._trees:
            path = self.file_of(name)
            try:
                self._trees[name] = ast.parse(path.read_bytes(), str(path))
            except (SyntaxError, ValueError, OSError):
                self._trees[name] = None
        return self._trees[name]

    def star_names(self, base: str) -> set[str]:
        """Modules ``from base import *`` may import besides ``base``: those in its ``__all__``."""
        tree = self.tree(base) if self.file_of(base) else None
        if tree is None:
            return set()
        names = _static_all(tree)
        if names is None:  # __all__ computed: any submodule may be in it
            return self.submodules(base)
        return {f"{base}.{n}" for n in names}

    def imports_of(self, name: str) -> set[str]:
        """Candidate module names module ``name`` imports (all modules if it does not parse)."""
        tree = self.tree(name)
        if tree is None:
            return self.all_modules()
        is_package = self.file_of(name).name == "__init__.py"
        names, stars = imported_names(tree, name, is_package)
        for base in stars:
            names |= self.star_names(base)
        return names

    def closure(self, names: Iterable[str]) -> set[str]:
        """Modules of the packages that importing ``names`` runs, transitively.

        A name counts with each of its parent packages (their ``__init__`` runs first); names
        that are not modules of the packages (``p.some_function``, numpy, ...) are dropped.
        """
        found: set[str] = set()
        todo = list(names)
        while todo:
            candidate = todo.pop()
            parts = candidate.split(".")
            for i in range(1, len(parts) + 1):
                module = ".".join(parts[:i])
                if module in found or self.file_of(module) is None:
                    continue
                found.add(module)
                todo.extend(self.imports_of(module))
        return found

    def relative_path(self, name: str) -> str:
        """Stable relative path of module ``name``: ``pkg/sub/mod.py`` or ``pkg/sub/__init__.py``."""
        parts = name.split(".")
        path = self.file_of(name)
        return "/".join(parts + [path.name] if path.name == "__init__.py"
                        else parts[:-1] + [path.name])

    def key(self, modules: Iterable[str]) -> str:
        """SHA-256 over the sorted (relative path, code) of ``modules``; see :func:`code_bytes`."""
        digest = hashlib.sha256()
        for rel, name in sorted((self.relative_path(m), m) for m in modules):
            data = code_bytes(self.file_of(name).read_bytes())
            digest.update(f"{rel}\0{len(data)}\0".encode())
            digest.update(data)
        return digest.hexdigest()


def code_bytes(source: bytes) -> bytes:
    """What of a module's source can change what running it computes.

    The module's syntax tree with its docstrings removed, dumped without line numbers: editing a
    docstring, a comment or the layout of the code leaves it unchanged, so the API reference can be
    written without re-executing the chapters. A module that reads docstrings at run time (its
    source mentions ``__doc__``) and a module that does not parse are taken byte for byte. Pages
    that *show* a module's text (``literalinclude``) are re-read by Sphinx itself, without
    execution, when the file changes.
    """
    if b"__doc__" in source:
        return source
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return source
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, include_attributes=False).encode()


def _parse_cell(source: str) -> ast.Module | None:
    """A code cell as Python; IPython magics are first turned into calls; None if impossible."""
    try:
        return ast.parse(source)
    except SyntaxError:
        pass
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        return ast.parse(TransformerManager().transform_cell(source))
    except Exception:  # no IPython, or not Python at all
        return None


def cells_modules(cells: Iterable[str], index: PackageIndex) -> set[str]:
    """Modules of the packages that running these code cells imports (see :meth:`closure`).

    A cell that does not parse counts as importing every module of the packages.
    """
    names: set[str] = set()
    for source in cells:
        tree = _parse_cell(source)
        if tree is None:
            return index.all_modules()
        found, stars = imported_names(tree)
        names |= found
        for base in stars:
            names |= {base} | index.star_names(base)
    return index.closure(names)


# --------------------------------------------------------------------------- notebooks


def read_notebook(path: str | Path, text: str | None = None, md_config=None, nb_config=None):
    """The notebook MyST-NB reads from ``path`` (``.ipynb``, MyST Markdown notebook, or a custom
    format), or None when MyST-NB treats the file as plain Markdown.

    Uses :func:`myst_nb.core.read.create_nb_reader`, as MyST-NB's Sphinx parser does; the
    configurations default to MyST's and MyST-NB's defaults.
    """
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    text = Path(path).read_text(encoding="utf8") if text is None else text
    reader = create_nb_reader(str(path), md_config or MdParserConfig(),
                              nb_config or NbParserConfig(), text)
    return None if reader is None else reader.read(text)


def code_cells(notebook) -> list[str]:
    """Sources of the notebook's code cells; none for a kernel that is not Python."""
    meta = notebook.get("metadata", {})
    language = (meta.get("kernelspec", {}).get("language")
                or meta.get("language_info", {}).get("name") or "python")
    if not str(language).lower().startswith("python"):
        return []
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def notebook_modules(path: str | Path, index: PackageIndex, **configs) -> set[str] | None:
    """Modules of the packages the notebook at ``path`` imports; None if it is no notebook."""
    notebook = read_notebook(path, **configs)
    return None if notebook is None else cells_modules(code_cells(notebook), index)


# --------------------------------------------------------------------------- the cache


def _cache_dir(env) -> Path:
    """The jupyter-cache folder MyST-NB uses (set by MyST-NB on ``builder-inited``)."""
    configured = getattr(getattr(env, "mystnb_config", None), "execution_cache_path", "") or ""
    return Path(configured) if configured else Path(env.app.outdir).parent / ".jupyter_cache"


def remove_old_scheme(cache_dir: Path) -> list[Path]:
    """Remove the ``code-<hash>`` cache folders of the whole-package scheme; return them."""
    removed = []
    if cache_dir.is_dir():
        for old in cache_dir.iterdir():
            if old.is_dir() and _OLD_CACHE_DIR.fullmatch(old.name):
                shutil.rmtree(old, ignore_errors=True)
                removed.append(old)
    return removed


def load_keys(cache_dir: Path) -> dict[str, str]:
    """docname -> key stored with the cache ({} if none or unreadable)."""
    try:
        keys = json.loads((cache_dir / KEYS_FILE).read_text(encoding="utf8"))
    except (OSError, ValueError):
        return {}
    return keys if isinstance(keys, dict) else {}


def save_keys(cache_dir: Path, keys: dict[str, str]) -> None:
    """Store docname -> key with the cache (written to a temporary file, then renamed)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = cache_dir / (KEYS_FILE + ".tmp")
    tmp.write_text(json.dumps(keys, indent=1, sort_keys=True), encoding="utf8")
    tmp.replace(cache_dir / KEYS_FILE)


def drop_records(cache, source: Path, notebook) -> list[int]:
    """Remove a page's executed notebooks from a jupyter-cache; return their primary keys.

    A record is the page's when its ``uri`` is the page's absolute source path (MyST-NB's
    ``NotebookClientCache`` caches under ``add_nb_to_project(path).uri``) or when
    ``match_cache_notebook`` matches the page's notebook (same code cells and kernelspec).
    """
    uri = str(Path(source).absolute())
    pks = {record.pk for record in cache.list_cache_records() if record.uri == uri}
    if notebook is not None:
        from jupyter_cache.base import CachingError

        try:
            pks.add(cache.match_cache_notebook(notebook).pk)
        except (KeyError, CachingError):  # no match, or a notebook jupyter-cache cannot hash
            pass
    for pk in sorted(pks):
        try:
            cache.remove_cache(pk)
        except KeyError:  # executed notebook already gone: remove the dangling record
            from jupyter_cache.cache.db import NbCacheRecord

            NbCacheRecord.remove_records([pk], cache.db)
    return sorted(pks)


# --------------------------------------------------------------------------- Sphinx


def _is_nb_source(app, path: str) -> bool:
    """Whether MyST-NB parses ``path`` (its suffix is registered for the ``myst-nb`` parser)."""
    suffixes = app.config.source_suffix
    if not isinstance(suffixes, dict):
        return True
    return any(path.endswith(s) and kind == "myst-nb" for s, kind in suffixes.items())


def page_keys(app, env, index: PackageIndex) -> dict[str, tuple[str, object]]:
    """docname -> (key, notebook) for every notebook page of the project."""
    md_config = getattr(env, "myst_config", None)
    nb_config = getattr(env, "mystnb_config", None)
    pages = {}
    for docname in sorted(env.found_docs):
        path = env.doc2path(docname)
        if not _is_nb_source(app, path):
            continue
        try:
            notebook = read_notebook(path, md_config=md_config, nb_config=nb_config)
        except Exception:  # MyST-NB reports it when it reads the page; assume the worst
            pages[docname] = (index.key(index.all_modules()), None)
            continue
        if notebook is not None:
            pages[docname] = (index.key(cells_modules(code_cells(notebook), index)), notebook)
    return pages


def _refresh_cache(env, pages: dict[str, tuple[str, object]]) -> list[str]:
    """Remove cache records of pages whose key changed; store the keys. Return the pages whose
    records were removed."""
    cache_dir = _cache_dir(env)
    remove_old_scheme(cache_dir)
    stored = load_keys(cache_dir)
    stale = [d for d, (key, _) in pages.items() if stored.get(d) != key]
    dropped = []
    if stale and (cache_dir / "global.db").is_file():
        from jupyter_cache import get_cache

        cache = get_cache(cache_dir)
        dropped = [d for d in stale
                   if drop_records(cache, Path(env.doc2path(d)), pages[d][1])]
    keys = {d: key for d, (key, _) in pages.items()}
    if keys != stored:
        save_keys(cache_dir, keys)
    return dropped


def _on_env_get_outdated(app, env, added, changed, removed) -> list[str]:
    """Clear stale cache records; return the pages read under another key (to be re-read)."""
    from sphinx.util import logging

    index = PackageIndex(app.config.regcore_fresh_packages)
    pages = page_keys(app, env, index)
    env.regcore_fresh_pending = {d: key for d, (key, _) in pages.items()}
    dropped = _refresh_cache(env, pages)
    read = getattr(env, "regcore_fresh_keys", {})
    outdated = sorted(d for d, (key, _) in pages.items()
                      if read.get(d) != key and d not in added)
    logger = logging.getLogger(__name__)
    if dropped:
        logger.info("[fresh_cache] imported code changed, cached run dropped: %s",
                    ", ".join(dropped))
    if outdated:
        logger.info("[fresh_cache] imported code changed, page re-read: %s", ", ".join(outdated))
    return outdated


def _on_doctree_read(app, doctree) -> None:
    """Mark the page just read as built with its current key."""
    env = app.env
    key = getattr(env, "regcore_fresh_pending", {}).get(env.docname)
    if key is not None:
        if not hasattr(env, "regcore_fresh_keys"):
            env.regcore_fresh_keys = {}
        env.regcore_fresh_keys[env.docname] = key


def _on_env_purge_doc(app, env, docname) -> None:
    """Forget the key of a page that is about to be re-read or was removed."""
    getattr(env, "regcore_fresh_keys", {}).pop(docname, None)


def _on_env_merge_info(app, env, docnames, other) -> None:
    """Take the keys of pages a parallel reader read into the main environment."""
    theirs = getattr(other, "regcore_fresh_keys", {})
    if not hasattr(env, "regcore_fresh_keys"):
        env.regcore_fresh_keys = {}
    for docname in docnames:
        if docname in theirs:
            env.regcore_fresh_keys[docname] = theirs[docname]


def _on_env_updated(app, env) -> list[str]:
    """Drop the keys computed for this build (they are not part of the pickled environment)."""
    if hasattr(env, "regcore_fresh_pending"):
        del env.regcore_fresh_pending
    return []


def _check_packages(app, config) -> None:
    """Fail early, with the entry named, when ``regcore_fresh_packages`` names no package."""
    for name in config.regcore_fresh_packages:
        package_root(name)


def setup(app):
    """Register the config value and the event handlers."""
    app.add_config_value("regcore_fresh_packages", ["regcore"], "env")
    app.connect("config-inited", _check_packages)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("doctree-read", _on_doctree_read)
    app.connect("env-purge-doc", _on_env_purge_doc)
    app.connect("env-merge-info", _on_env_merge_info)
    app.connect("env-updated", _on_env_updated)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
