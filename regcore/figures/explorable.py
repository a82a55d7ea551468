"""Figures a reader can drive in the static site: one precomputed frame per setting, a control.

Chapter "Tuning, and more data" shows four: the weight-decay strength, the dropout rate, the
batch size and the learning curve of a chosen regulariser, each drawn from the sweeps of that
chapter (the same members as its static figures). Every frame is drawn while the page builds, as
an SVG in the house style, and shipped inside the page; a slider (ordered settings) or a selector
(named ones) swaps the frame. No kernel, no library, no network: the page reads offline.

Why not matplotlib's ``Animation.to_jshtml``, which also needs no library: its player labels
frames by index (not by the setting), has play/loop buttons that mean nothing for a choice of
setting, shows an empty ``<img>`` when scripts do not run, gives the image no alt text, and
stores raster frames: at the density the book's figures need on a 2x screen (200 dpi) five frames
of 20 curves took 1.79 MB against 0.30 MB as SVG here (``python benchmarks/explorable_size.py``,
a ratio of 5.9). The player here is one ``<img>`` that holds the initial frame (the static
fallback, with alt text naming the setting shown), an ``<input type="range">`` or ``<select>``
labelled with the setting's name, an ``<output>`` with the value, and a dozen lines of script.

:func:`explorable_html` writes the HTML; :func:`svg_frames` draws the frames with a function of
the setting; :func:`payload_bytes` is what a figure adds to its page (tested against 3 MB).
"""
from __future__ import annotations

import base64
import html
import io
import json
import re
from typing import Callable, Sequence

import matplotlib.pyplot as plt

#: Largest payload one explorable figure may add to its page, in bytes (3 MB, from the issue
#: "Learn by doing").
MAX_PAGE_BYTES = 3_000_000

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")

_SCRIPT = """(function () {
  var root = document.getElementById(%(id)s);
  var data = JSON.parse(root.querySelector("script[type='application/json']").textContent);
  var img = root.querySelector("img"), out = root.querySelector("output");
  var control = root.querySelector("input, select");
  function show() {
    var k = Number(control.value);
    img.src = data.frames[k];
    img.alt = data.alt + " Shown: " + data.labels[k] + ".";
    out.value = data.labels[k];
    if (control.tagName === "INPUT") control.setAttribute("aria-valuetext", data.labels[k]);
  }
  control.addEventListener("input", show);
  control.addEventListener("change", show);
})();"""


def svg_frames(draw: Callable[[object], plt.Figure], values: Sequence) -> list[bytes]:
    """Draw one frame per setting and return each as SVG.

    For each value, ``draw(value)`` makes a figure, which is saved as SVG in memory under the
    current matplotlib style (the house style once :func:`regcore.figures.style.use_book_style`
    has run) and closed.

    Parameters
    ----------
    draw : callable
        Takes one value and returns a ``matplotlib.figure.Figure``.
    values : sequence
        The settings, in the control's order.

    Returns
    -------
    list of bytes
        One SVG document per value, in order; the input of :func:`explorable_html`.
    """
    frames = []
    for value in values:
        fig = draw(value)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="svg")
        plt.close(fig)
        frames.append(buffer.getvalue())
    return frames


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


def explorable_html(name: str, frames: Sequence[bytes], labels: Sequence[str], *, control: str,
                    control_label: str, alt: str, initial: int = 0) -> str:
    """The HTML of one explorable figure: its frames, a control that swaps them, and a script.

    The ``<figure>`` element (id ``explore-<name>``) holds an ``<img>`` showing the ``initial``
    frame, with ``alt`` and the setting shown as its alt text, so that the page reads without
    scripts; a ``<label>`` with ``control_label``, the control (an ``<input type="range">`` or a
    ``<select>``) and an ``<output>`` with the setting shown; the frames as base64 ``data:`` URIs
    and the labels in a JSON ``<script>``; and a dozen lines of script that swap the image, its
    alt text and the output when the control moves. Nothing is loaded from elsewhere.

    Parameters
    ----------
    name : str
        Its id in the page (lower case, digits and hyphens), unique on the page.
    frames : sequence of bytes
        One SVG per setting, in the control's order (from :func:`svg_frames`).
    labels : sequence of str
        The setting of each frame as the reader reads it ("λ = 0.085", "full batch").
    control : {"slider", "select"}
        A range slider for ordered settings, a selector for named ones.
    control_label : str
        What the control sets ("weight decay λ").
    alt : str
        What the figure shows, for a reader who cannot see it; the setting shown is appended.
    initial : int, optional
        The frame shown first (and without scripts): the chapter's tuned setting, say; an index
        into ``frames``. Default ``0``.

    Returns
    -------
    str
        A ``<figure>`` element with its frames, control and script.

    Raises
    ------
    ValueError
        On a bad name, a frame count that differs from the labels', no frames, an unknown
        control, an empty alt text, an ``initial`` outside the frames, or a payload over
        :data:`MAX_PAGE_BYTES`.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"name={name!r} is not allowed: use lower-case letters, digits and "
                         "hyphens, starting with a letter")
    if len(frames) == 0 or len(frames) != len(labels):
        raise ValueError(f"frames ({len(frames)}) and labels ({len(labels)}) are not allowed: "
                         "give one label per frame, at least one frame")
    if control not in ("slider", "select"):
        raise ValueError(f"control={control!r} is not allowed: use 'slider' or 'select'")
    if not alt.strip():
        raise ValueError("alt='' is not allowed: describe what the figure shows")
    if not (isinstance(initial, int) and 0 <= initial < len(frames)):
        raise ValueError(f"initial={initial!r} is not allowed: give a frame index from 0 to "
                         f"{len(frames) - 1}")
    uris = [_data_uri(f) for f in frames]
    labels = [str(label) for label in labels]
    fig_id = f"explore-{name}"
    control_id = f"{fig_id}-control"
    if control == "slider":
        widget = (f'<input type="range" id="{control_id}" min="0" max="{len(frames) - 1}" '
                  f'step="1" value="{initial}" aria-valuetext="{html.escape(labels[initial])}">')
    else:
        options = "".join(f'<option value="{k}"{" selected" if k == initial else ""}>'
                          f"{html.escape(label)}</option>" for k, label in enumerate(labels))
        widget = f'<select id="{control_id}">{options}</select>'
    data = json.dumps({"frames": uris, "labels": labels, "alt": alt}, ensure_ascii=True)
    data = data.replace("</", "<\\/")   # never close the script element early
    page = (
        f'<figure class="regcore-explorable" id="{fig_id}">'
        f'<img src="{uris[initial]}" alt="{html.escape(alt)} Shown: '
        f'{html.escape(labels[initial])}." style="width:100%;height:auto;background:white">'
        f'<div class="regcore-explorable-control" style="display:flex;gap:0.75em;'
        f'align-items:center;flex-wrap:wrap;margin-top:0.4em">'
        f'<label for="{control_id}">{html.escape(control_label)}</label>{widget}'
        f'<output for="{control_id}" style="font-weight:600">{html.escape(labels[initial])}'
        f"</output></div>"
        f'<script type="application/json">{data}</script>'
        f"<script>{_SCRIPT % {'id': json.dumps(fig_id)}}</script>"
        f"</figure>")
    size = payload_bytes(page)
    if size > MAX_PAGE_BYTES:
        raise ValueError(f"frames of {size:,} bytes are not allowed for {name!r}: at most "
                         f"{MAX_PAGE_BYTES:,} per explorable figure (fewer frames or a simpler "
                         "drawing)")
    return page


def payload_bytes(page_html: str) -> int:
    """Bytes an explorable figure adds to its page: the length of its HTML in UTF-8.

    Parameters
    ----------
    page_html : str
        The figure's HTML, from :func:`explorable_html`.

    Returns
    -------
    int
        The number of bytes.
    """
    return len(page_html.encode("utf-8"))


class Explorable:
    """An explorable figure as a notebook output: displays as its HTML (``text/html``).

    Jupyter shows it through ``_repr_html_``; its plain-text form names the figure and its size
    (``<explorable figure 'name': 1,234 bytes>``) and contains no memory address, so that the
    stored outputs stay the same from one build to the next. Made by the functions of
    :mod:`regcore.figures.grid_explorers`.

    Parameters
    ----------
    page_html : str
        The figure's HTML, from :func:`explorable_html`.

    Attributes
    ----------
    html : str
        The figure's HTML, as given.
    """

    def __init__(self, page_html: str):
        self.html = page_html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:   # the plain-text output beside the HTML: stable, no address
        name = re.search(r'id="explore-([a-z0-9-]+)"', self.html).group(1)
        return f"<explorable figure {name!r}: {self.size:,} bytes>"

    @property
    def size(self) -> int:
        """Bytes the figure adds to its page, :func:`payload_bytes` of :attr:`html`."""
        return payload_bytes(self.html)
