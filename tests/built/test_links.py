"""Every internal link of the built book leads to a page that exists and to an anchor on it."""
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.site


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


def _parse(path):
    c = _Collector()
    c.feed(path.read_text(encoding="utf-8"))
    return c


def test_internal_links_and_anchors_resolve(html_dir, pages):
    parsed = {}

    def get(path):
        if path not in parsed:
            parsed[path] = _parse(path)
        return parsed[path]

    broken = []
    checked = 0
    for page in pages:
        for href in get(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            if parts.path:
                target = (page.parent / unquote(parts.path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
            else:
                target = page
            checked += 1
            if not target.exists():
                broken.append(f"{page.relative_to(html_dir)}: {href} (no such file)")
                continue
            frag = unquote(parts.fragment)
            if frag and target.suffix == ".html" and frag not in get(target).ids:
                broken.append(f"{page.relative_to(html_dir)}: {href} (no anchor #{frag})")
    assert checked > 50, f"only {checked} internal links found: is the book built?"
    assert not broken, "broken internal links:\n" + "\n".join(broken)
