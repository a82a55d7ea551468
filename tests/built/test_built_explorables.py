"""The explorable figures, driven like a reader would (headless Chromium, offline): moving the
control changes the picture, its alt text and the value shown, with no console error; without
scripts the initial frame still shows; in dark mode the frames keep their white ground; each
adds at most 3 MB to its page."""
import pytest
from built_site import HTML

from regcore.figures.explorable import MAX_PAGE_BYTES

pytestmark = pytest.mark.site

PAGE = "book/beyond/tuning.html"
NAMES = ["weight-decay", "dropout", "batch-size", "learning-curve"]


def _state(figure):
    return figure.evaluate("""f => ({src: f.querySelector('img').getAttribute('src'),
        alt: f.querySelector('img').alt, shown: f.querySelector('output').value,
        natural: f.querySelector('img').naturalWidth})""")


def _move(figure):
    """Move the control to another setting, as a reader does (keyboard on the slider)."""
    control = figure.locator("input, select").first
    if control.evaluate("c => c.tagName") == "SELECT":
        values = control.evaluate("s => [...s.options].map(o => o.value)")
        current = control.input_value()
        control.select_option(next(v for v in values if v != current))
    else:
        control.focus()
        at_end = control.evaluate("c => c.value === c.max")
        control.press("ArrowLeft" if at_end else "ArrowRight")


def test_the_page_has_the_four_explorable_figures():
    html = (HTML / PAGE).read_text()
    for name in NAMES:
        assert f'id="explore-{name}"' in html, name


@pytest.mark.parametrize("name", NAMES)
def test_moving_the_control_changes_the_figure(browser, server, name):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/{PAGE}", wait_until="load")
    figure = page.locator(f"#explore-{name}")
    figure.scroll_into_view_if_needed()
    before, pixels_before = _state(figure), figure.locator("img").screenshot()
    assert before["natural"] > 0 and before["shown"]
    _move(figure)
    page.wait_for_function(
        "([id, src]) => document.getElementById(id).querySelector('img').getAttribute('src') "
        "!== src", arg=[f"explore-{name}", before["src"]], timeout=5_000)
    page.evaluate(f"""() => new Promise(done => {{
        const img = document.querySelector('#explore-{name} img');
        img.complete ? done() : (img.onload = done); }})""")
    after, pixels_after = _state(figure), figure.locator("img").screenshot()
    assert after["shown"] != before["shown"] and after["alt"] != before["alt"]
    assert after["shown"] in after["alt"]
    assert pixels_after != pixels_before, "the picture did not change"
    assert not errors, errors
    size = len(figure.evaluate("f => f.outerHTML").encode("utf-8"))
    assert size <= MAX_PAGE_BYTES, f"{name}: {size:,} bytes"
    page.close()


def test_without_scripts_each_figure_shows_its_initial_frame(browser, server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{server}/{PAGE}", wait_until="load")
    for name in NAMES:
        img = page.locator(f"#explore-{name} img")
        img.scroll_into_view_if_needed()
        page.wait_for_function(f"document.querySelector('#explore-{name} img').complete")
        assert img.evaluate("i => i.naturalWidth") > 0, name
        assert len(img.get_attribute("alt").split()) > 10, name
    context.close()


def _luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour given as 0-255 channels."""
    def linear(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_dark_mode_keeps_the_frames_on_white_and_the_control_legible(browser, server):
    page = browser.new_page(color_scheme="dark")
    page.goto(f"{server}/{PAGE}", wait_until="load")
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    for name in NAMES:
        img = page.locator(f"#explore-{name} img")
        assert img.evaluate("i => getComputedStyle(i).backgroundColor") == "rgb(255, 255, 255)"
        # the control's label against the background it is actually drawn on (the first
        # ancestor with an opaque background): WCAG contrast of at least 4.5
        text, ground = page.locator(f"#explore-{name} label").evaluate("""l => {
            const rgb = s => s.match(/[0-9.]+/g).map(Number);
            let e = l, bg = null;
            while (e) { const c = rgb(getComputedStyle(e).backgroundColor);
                        if (c.length < 4 || c[3] > 0) { bg = c; break; } e = e.parentElement; }
            return [rgb(getComputedStyle(l).color), bg || [255, 255, 255]]; }""")
        lighter, darker = sorted((_luminance(text[:3]), _luminance(ground[:3])), reverse=True)
        contrast = (lighter + 0.05) / (darker + 0.05)
        assert contrast >= 4.5, (name, text, ground, contrast)
    page.close()
