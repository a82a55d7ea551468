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


def _numbered_chapters() -> list[str]:
    """The chapters of the book's numbered parts (as built pages), from _toc.yml."""
    import yaml
    toc = yaml.safe_load((HTML.parents[1] / "_toc.yml").read_text())
    return [f"{c['file']}.html" for part in toc["parts"] if part.get("numbered")
            for c in part["chapters"]]


#: The book's chapters proper: every one ends with exercises (not the "About this book" pages).
NUMBERED_CHAPTERS = _numbered_chapters()
#: The student edition (``python3 make.py book --student``): the book without the solutions.
STUDENT_HTML = HTML.parents[1] / "_build" / "student" / "_build" / "html"
