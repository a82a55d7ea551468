"""The regcore reference, as a reader uses it: every reference page is in the navigation, its
entries carry "Used in" back-links that lead to chapters, and names in the chapters' code cells
link to their entries."""
import re

import pytest
import yaml
from built_site import HTML

pytestmark = pytest.mark.site

TOC = yaml.safe_load((HTML.parents[1] / "_toc.yml").read_text())
REFERENCE = next(part for part in TOC["parts"] if part["caption"] == "regcore reference")
PAGES = [REFERENCE["chapters"][0]["file"]] + [s["file"] for s in
                                             REFERENCE["chapters"][0]["sections"]]


def test_every_reference_page_is_reachable_from_the_navigation(browser, server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/book/intro.html", wait_until="load")
    page.click("nav.bd-links a[href$='reference/index.html']")
    page.wait_for_url("**/book/reference/index.html")
    for name in PAGES[1:]:
        link = page.locator(f"nav.bd-links a[href$='{name.rsplit('/', 1)[1]}.html']").first
        assert link.count() == 1, f"{name} is not in the navigation of the reference index"
        href = link.get_attribute("href")
        response = page.request.get(f"{server}/book/reference/{href}")
        assert response.ok, href
    page.close()


@pytest.mark.parametrize("name", PAGES[1:])
def test_entries_are_documented_in_numpy_style(name):
    html = (HTML / f"{name}.html").read_text()
    assert html.count('<dl class="py function">') + html.count('<dl class="py class">') >= 1
    if name.endswith(("training", "data", "studies", "stats", "analysis", "experiments")):
        assert "Parameters" in html and "Returns" in html


def test_back_links_lead_to_chapters_that_use_the_entry():
    html = (HTML / "book/reference/training.html").read_text()
    entry = html[html.index('id="regcore.training.fit"'):]
    end = entry.find('<dl class="py', 1)
    entry = entry[:end if end > 0 else len(entry)]   # up to the next entry, if any
    used = re.search(r"Used in:</strong>(.*?)</p>", entry, re.S)
    assert used, "regcore.training.fit has no Used in"
    targets = re.findall(r'href="([^"#]+)"', used.group(1))
    assert targets, "no chapter linked"
    for href in targets:
        chapter = (HTML / "book/reference" / href).resolve()
        assert chapter.is_file(), href
        assert "fit" in chapter.read_text(), f"{href} does not call fit"


def test_every_back_link_resolves():
    broken = []
    for name in PAGES:
        page = HTML / f"{name}.html"
        html = page.read_text()
        for block in re.findall(r"Used in:</strong>(.*?)</p>", html, re.S):
            for href in re.findall(r'href="([^"#]+)', block):
                if not (page.parent / href).resolve().is_file():
                    broken.append((name, href))
    assert not broken, broken


def test_code_cells_link_names_to_the_reference():
    html = (HTML / "book/weight_decay.html").read_text()
    links = re.findall(r'<a class="sphinx-codeautolink-a"[^>]*href="([^"]+)"', html)
    assert any("reference/" in href and "regcore." in href for href in links), links[:10]
