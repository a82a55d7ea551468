"""Sphinx extension that keeps the built pages clean in a reader's browser, offline.

Jupyter Book 1 always loads sphinx-thebe, whose inline configuration names a CDN script and is
emitted twice per page (a ``const`` declared twice: a console error on every page). The book has
no live kernels, so this extension drops thebe's scripts from every page. It also gives the
theme's colour mode a default before the theme script reads it: on a first visit
pydata-sphinx-theme finds an empty mode in local storage and logs a console error.
Every executed chapter also gets an ``.ipynb`` download (with its outputs) beside the ``.md``
source in the theme's download menu: the theme offers it only when a launch service is configured,
and this book, offline by design, configures none.
``tests/built/test_browser.py`` checks that pages load without console errors or network requests.
"""
from __future__ import annotations

import shutil
from pathlib import Path

_DEFAULT_MODE = ('if (!document.documentElement.dataset.mode) '
                 '{ document.documentElement.dataset.mode = "auto"; }')


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    kept = []
    for script in scripts:
        name = str(script.filename if hasattr(script, "filename") else script)
        body = str(getattr(script, "attributes", {}).get("body", ""))
        if "thebe" in name.lower() or "THEBE_JS_URL" in body:
            continue
        kept.append(script)
    context["script_files"] = kept


def _offer_notebook(app, pagename, templatename, context, doctree) -> None:
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.exists():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("html-page-context", _offer_notebook, priority=400)  # before the theme's buttons
    app.add_js_file(None, body=_DEFAULT_MODE, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
