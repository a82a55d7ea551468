"""The execution statistics page (regcore.site.execution_table): book order, a true total."""
import json
import re

import pytest

pytestmark = pytest.mark.site


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html).strip()


def test_chapters_in_book_order_with_their_total(html_dir):
    page = (html_dir / "book" / "execution_stats.html").read_text()
    body = page[page.index("<tbody"):page.index("</tbody>")]
    rows = [[_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)]
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)]
    chapters, total = rows[:-1], rows[-1]
    # the order of the sidebar's table of contents (its home link is the root page)
    nav = page[page.index('class="bd-sidebar-primary'):page.index("</nav>",
                                                                 page.index("bd-sidebar-primary"))]
    toc = [re.sub(r"^\d+\.\s*", "", _text(a)) for a in
           re.findall(r'<a class="reference internal"[^>]*>(.*?)</a>', nav, re.S)]
    titles = [c[0] for c in chapters]
    assert [t for t in toc if t in titles] == titles
    assert all(c[3] in ("succeeded", "succeeded (in the background)") for c in chapters)
    # marked: exactly the chapters whose stored execution ran in the background lane
    recorded = html_dir.parent / ".jupyter_cache" / "regcore_execution_background.json"
    behind = json.loads(recorded.read_text()) if recorded.exists() else {}
    assert sum(c[3].endswith("(in the background)") for c in chapters) == sum(
        bool(v) for v in behind.values())
    assert total[0] == f"Total ({len(chapters)} chapters)"
    assert float(total[2]) == pytest.approx(sum(float(c[2]) for c in chapters),
                                            abs=0.05 * len(chapters))
