"""Every figure in the built book, as a reader at a 1280 px window meets it (headless Chromium).

* Its alt text describes it (the caption, via regcore.site.alt_text): at least a few words and
  never a file name.
* An SVG figure's text is at least 80% of the body text's size as the page shows it: the smallest
  baseline font size in the file, scaled by the width the page gives the image.
* A raster image has at least two image pixels per CSS pixel shown (sharp on a 2× screen).
"""
import base64
import re

import pytest
from built_site import CHAPTERS, HTML, wait_for_math
from svg_text import baseline_font_sizes, view_box_width

pytestmark = pytest.mark.site

MIN_SHARE_OF_BODY = 0.8
MIN_DENSITY = 2.0


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_figures_are_described_and_legible(browser, server, page_path):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/{page_path}", wait_until="load")
    page.evaluate("""() => Promise.all([...document.images].map(img => img.complete ? null :
        new Promise(done => { img.onload = img.onerror = done; })))""")
    body_px = page.evaluate("parseFloat(getComputedStyle(document.querySelector('article p')).fontSize)")
    images = page.evaluate("""() => [...document.querySelectorAll('article img')].map(img => ({
        src: img.getAttribute('src'), alt: img.getAttribute('alt') || '',
        natural: img.naturalWidth, shown: img.getBoundingClientRect().width}))""")
    page.close()
    problems = []
    for img in images:
        inline = img["src"].startswith("data:image/svg+xml;base64,")   # explorable figures' frames
        name = "inline SVG" if inline else img["src"].rsplit("/", 1)[-1]
        alt = img["alt"].strip()
        if len(alt.split()) < 3 or re.search(r"\.(png|svg|jpe?g|gif)$", alt):
            problems.append(f"{name}: alt text {alt!r}")
        if inline or img["src"].endswith(".svg"):
            svg = (base64.b64decode(img["src"].split(",", 1)[1]).decode() if inline else
                   (HTML / page_path).parent.joinpath(img["src"]).resolve().read_text())
            scale = img["shown"] / view_box_width(svg)
            smallest = min(baseline_font_sizes(svg), default=None)
            if smallest is None:
                problems.append(f"{name}: no text elements (text drawn as paths?)")
            elif smallest * scale < MIN_SHARE_OF_BODY * body_px:
                problems.append(f"{name}: text {smallest * scale:.1f} px shown, body {body_px:.1f} px")
        elif img["shown"] and img["natural"] / img["shown"] < MIN_DENSITY:
            problems.append(f"{name}: {img['natural'] / img['shown']:.2f} image px per CSS px")
    assert not problems, problems


@pytest.mark.parametrize("page_path", CHAPTERS)
def test_display_equations_fit_the_column(browser, server, page_path):
    """At a 1280 px window no displayed equation runs past the right edge of the text column
    (MathJax 3 does not break lines: a long one is clipped or needs scrolling)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/{page_path}", wait_until="load")
    wait_for_math(page)
    too_wide = page.evaluate("""() => {
        const column = document.querySelector('article').getBoundingClientRect();
        return [...document.querySelectorAll('mjx-container[display="true"]')].map(m => {
            const box = m.firstElementChild.getBoundingClientRect();
            return [m.textContent.slice(0, 50), Math.round(box.right - column.right)];
        }).filter(([, over]) => over > 1); }""")
    page.close()
    assert not too_wide, f"equations past the column's edge (text, px over): {too_wide}"
