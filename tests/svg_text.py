"""Font sizes of the text in a matplotlib SVG (``svg.fonttype: none``), for the figure checks.

Returns the sizes of the text on each line's baseline, in SVG user units (points at the figure's
natural size). Raised or lowered pieces of a line (the exponent in a log axis' "10⁻²") are
conventionally smaller and are left out: a piece whose ``y`` differs from its line's first piece.
"""
import re
import xml.etree.ElementTree as ET

_NS = "{http://www.w3.org/2000/svg}"
_SIZE = re.compile(r"font-size:\s*([\d.]+)px")


def baseline_font_sizes(svg: str) -> list[float]:
    sizes = []
    for text in ET.fromstring(svg).iter(f"{_NS}text"):
        own = _SIZE.search(text.get("style", ""))
        if own and (text.text or "").strip():
            sizes.append(float(own.group(1)))
        spans = list(text.iter(f"{_NS}tspan"))
        if not spans:
            continue
        base_y = spans[0].get("y")
        for span in spans:
            m = _SIZE.search(span.get("style", ""))
            if m and span.get("y") == base_y and (span.text or "").strip():
                sizes.append(float(m.group(1)))
    return sizes


def view_box_width(svg: str) -> float:
    return float(ET.fromstring(svg).get("viewBox").split()[2])
