"""The built HTML, read as files: every page present and nothing loaded from the network."""
import re

import pytest

pytestmark = pytest.mark.site

LOADS = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(https?:)?//', re.I)


def test_every_toc_page_was_built(html_dir, pages):
    names = {p.relative_to(html_dir).as_posix() for p in pages}
    assert "book/intro.html" in names


def test_no_page_loads_from_the_network(pages):
    offenders = {p.name: LOADS.findall(p.read_text()) for p in pages}
    assert not {k: v for k, v in offenders.items() if v}


def test_chapters_offer_their_notebook_and_source(html_dir):
    page = html_dir / "book" / "toy_problem.html"
    html = page.read_text()
    for suffix in (".ipynb", ".md"):
        href = f"../_sources/book/toy_problem{suffix}"
        assert f'href="{href}"' in html, f"no download link {href}"
        assert (page.parent / href).resolve().exists()


#: A Markdown table that reached the page as text: a paragraph that starts and ends with pipes.
RAW_TABLE = re.compile(r"<p>\s*\|[^<]*\|\s*(?:</p>|\n)")


def test_no_page_shows_a_raw_markdown_table(pages):
    offenders = {p.name: RAW_TABLE.findall(p.read_text())[:1] for p in pages}
    assert not {k: v for k, v in offenders.items() if v}
