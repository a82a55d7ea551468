"""What the checks of the built book share: where it is, which pages it has, and how to wait for
MathJax to finish typesetting a page (used by test_browser, test_figures, test_code_shown)."""
from pathlib import Path

HTML = Path(__file__).resolve().parents[2] / "_build" / "html"

#: Every page of the built book, without Sphinx's index, search and redirect pages.
PAGES = sorted(p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
               if "_static" not in p.parts
               and p.relative_to(HTML).as_posix() not in ("genindex.html", "search.html",
                                                          "index.html"))
#: The book's own pages (chapters and the "About this book" pages).
CHAPTERS = [p for p in PAGES if p.startswith("book/")]


def wait_for_math(page) -> int:
    """Wait until MathJax has typeset the page; return how many formulas the page has."""
    n_math = page.evaluate("document.querySelectorAll('.math').length")
    if n_math:
        page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                               timeout=20_000)
        page.evaluate("() => MathJax.startup.promise")
    return n_math
