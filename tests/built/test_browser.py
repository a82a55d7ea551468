"""Every built page, opened like a reader would: headless Chromium (Debian's), network off.

Each page must load without console errors or failed requests, every image must have a non-zero
natural size, MathJax must have typeset every formula without errors, and no request may leave
the machine (the site is self-contained).
"""
import pytest
from built_site import PAGES, wait_for_math

pytestmark = pytest.mark.site



def test_pages_were_found():
    assert "book/intro.html" in PAGES and len(PAGES) >= 5


def test_index_redirects_to_the_introduction(browser, server):
    page = browser.new_page()
    page.goto(f"{server}/index.html")
    page.wait_for_url("**/book/intro.html", timeout=10_000)
    assert "Regularisation" in page.title()
    page.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_page_reads_like_a_reader_sees_it(browser, server, page_path):
    context = browser.new_context()
    outside, failed, errors = [], [], []

    def route(r):
        if r.request.url.startswith(server):
            r.continue_()
        else:  # the network is off: anything else is a load from outside
            outside.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: failed.append(r.url))
    response = page.goto(f"{server}/{page_path}", wait_until="load")
    assert response is not None and response.ok

    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.evaluate("""() => Promise.all([...document.images].map(img => img.complete ? null :
        new Promise(done => { img.onload = img.onerror = done; })))""")
    bad_images = page.evaluate("""() => [...document.images]
        .filter(img => !(img.naturalWidth > 0 && img.naturalHeight > 0))
        .map(img => img.getAttribute('src'))""")

    n_math = wait_for_math(page)
    if n_math:
        typeset = page.evaluate("document.querySelectorAll('mjx-container').length")
        math_errors = page.evaluate("document.querySelectorAll('mjx-merror').length")
    else:
        typeset = math_errors = 0
    context.close()

    assert not outside, f"requests to the network: {outside}"
    assert not failed, f"failed requests: {failed}"
    assert not errors, f"console errors: {errors}"
    assert not bad_images, f"images without a natural size: {bad_images}"
    assert typeset >= n_math, f"MathJax typeset {typeset} of {n_math} formulas"
    assert math_errors == 0, f"{math_errors} MathJax errors"


PHONE = dict(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
_LINKS_IN_VIEW = """sel => [...document.querySelectorAll(sel)].filter(a => {
    const r = a.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= innerWidth
        && r.top >= 0 && r.bottom <= innerHeight; }).map(a => a.href)"""


@pytest.mark.parametrize("page_path", ["book/dropout.html", "book/theory/l1.html"])
def test_phone_navigation_opens_and_its_links_work(browser, server, page_path):
    """At phone width the visible ☰ button opens the book's navigation and a chapter link in it
    leads to that chapter; the "Contents" button opens the page's own table of contents."""
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{server}/{page_path}", wait_until="load")
    nav_links = "#pst-primary-sidebar-modal nav.bd-docs-nav a"
    assert page.evaluate(_LINKS_IN_VIEW, nav_links) == [], "navigation is open before any tap"
    page.locator(".primary-toggle:visible").first.tap()
    page.wait_for_timeout(300)
    shown = page.evaluate(_LINKS_IN_VIEW, nav_links)
    assert shown, "tapping the visible navigation button did not open the navigation"
    target = next(h for h in shown if h.endswith("book/l1_sparsity.html"))
    page.locator(f'{nav_links}[href$="l1_sparsity.html"]').first.tap()
    page.wait_for_url(target, timeout=10_000)
    heading = page.locator("article h1").first.inner_text()
    assert "L1 and sparsity" in heading, heading

    page.goto(f"{server}/{page_path}", wait_until="load")
    toc_links = "#pst-secondary-sidebar-modal a"
    page.locator(".secondary-toggle:visible").first.tap()
    page.wait_for_timeout(300)
    assert page.evaluate(_LINKS_IN_VIEW, toc_links), "the 'Contents' button did not open the page's contents"
    context.close()
