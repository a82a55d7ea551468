"""The references page: every bibliography entry (each work the book cites) links to it."""
import re

import pytest

pytestmark = pytest.mark.site


def test_every_entry_has_a_link(html_dir):
    page = (html_dir / "book" / "references.html").read_text()
    entries = re.findall(r'<div class="citation"[^>]*>(.*?)</div>', page, re.S)
    assert entries, "no bibliography entries found on the references page"
    for entry in entries:
        assert re.search(r'<a [^>]*href="https?://', entry), entry
