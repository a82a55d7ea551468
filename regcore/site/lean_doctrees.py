"""Sphinx extension: each page's stored doctree holds that page only, not the whole build.

MyST-Parser renders an ``{eval-rst}`` block (the reference pages' ``autosummary`` and
``automodule`` blocks) into a scratch docutils document that shares the page's settings, then
moves the parsed nodes into the page; the nodes keep pointing at the scratch document
(``node.document``). Sphinx strips the build environment from the page's own settings before it
pickles the doctree, but not from the scratch document's, so every reference page's doctree
carried a copy of the whole ``BuildEnvironment``: 5.6-7.0 MB each, 120 MB in all, against tens of
kB for a chapter. Sphinx unpickles every doctree at least twice per build (figure numbering, then
writing): measured with cProfile on a rebuild that re-read every page (no execution), 98 loads
took 8.2 s and 47 dumps 2.0 s of the 63 s, most of it those copies.

On ``doctree-read`` (after the page's transforms, before Sphinx pickles it) every node that points
at another document is pointed at the page's own. Nothing rendered changes: the nodes, their
text and attributes stay as they are. Tested in ``tests/built/test_doctrees.py``.
"""
from __future__ import annotations

from docutils import nodes


def rehome_nodes(doctree: nodes.document) -> int:
    """Point every node of ``doctree`` whose ``document`` is another document at ``doctree``;
    returns how many were moved."""
    moved = 0
    for node in doctree.findall(include_self=False):
        owner = node.__dict__.get("_document")
        if owner is not None and owner is not doctree:
            node.document = doctree
            moved += 1
    return moved


def _on_doctree_read(app, doctree) -> None:
    rehome_nodes(doctree)


def setup(app):
    app.connect("doctree-read", _on_doctree_read)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
