"""Sphinx extension: every figure's image gets its caption as alt text.

MyST-NB writes a cell's plot to a file and shows it in a figure with the caption from the cell's
metadata, but gives the image no ``alt``; Sphinx's HTML writer then falls back to the file's path
(``_images/5f3c….svg``), which is what a screen reader reads out and what shows when an image
fails to load. The caption is the description the author wrote for that figure, with the glued
numbers already in it, so this extension copies its text into the image's ``alt`` wherever an
image has none (or only its path). Writing alt text by hand beside each caption would be a second
copy that drifts. An image outside any figure keeps what it has, and ``tests/built`` fails on it.
"""
from __future__ import annotations

import re

from docutils import nodes


def _needs_alt(image: nodes.image) -> bool:
    alt = (image.get("alt") or "").strip()
    return not alt or alt == image.get("uri") or re.search(r"\.(png|svg|jpe?g|gif)$", alt) is not None


def caption_as_alt(app, doctree, docname) -> None:
    for figure in doctree.findall(nodes.figure):
        captions = [c for c in figure.children if isinstance(c, nodes.caption)]
        if not captions:
            continue
        text = " ".join(captions[0].astext().split())
        for image in figure.findall(nodes.image):
            if _needs_alt(image):
                image["alt"] = text


def setup(app):
    app.connect("doctree-resolved", caption_as_alt)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
