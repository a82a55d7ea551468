"""Every built page, opened like a reader would: headless Chromium (Debian's), network off.

Each page must load without console errors or failed requests, every image must have a non-zero
natural size, MathJax must have typeset every formula without errors, and no request may leave
the machine (the site is self-contained).
"""
import functools
import http.server
import threading
from pathlib import Path

import pytest

pytestmark = pytest.mark.site

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HTML = Path(__file__).resolve().parents[2] / "_build" / "html"
PAGES = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
               if "_static" not in p.parts
               and p.relative_to(HTML).as_posix() not in ("genindex.html", "search.html",
                                                          "index.html"))


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (make.py test does)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


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

    n_math = page.evaluate("document.querySelectorAll('.math').length")
    if n_math:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=20_000)
        page.evaluate("() => MathJax.startup.promise")
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
