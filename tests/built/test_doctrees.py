"""The stored doctrees hold their own page only (regcore.site.lean_doctrees)."""
import pickle

import pytest
from docutils import nodes

from built_site import HTML

DOCTREES = HTML.parent / ".doctrees"

pytestmark = pytest.mark.site


def _stored() -> list:
    return sorted(DOCTREES.rglob("*.doctree"))


def test_the_reference_pages_are_stored():
    names = {p.relative_to(DOCTREES).as_posix() for p in _stored()}
    assert "book/reference/index.doctree" in names and "book/reference/sweep.doctree" in names


@pytest.mark.parametrize("path", _stored(), ids=lambda p: p.relative_to(DOCTREES).as_posix())
def test_every_node_belongs_to_its_own_page(path):
    """Before the extension every reference page's nodes from an ``{eval-rst}`` block pointed at
    MyST's scratch document, whose settings carry the whole build environment."""
    doctree = pickle.loads(path.read_bytes())
    foreign = [type(n).__name__ for n in doctree.findall(include_self=False)
               if n.__dict__.get("_document") not in (None, doctree)]
    assert not foreign, f"{len(foreign)} nodes point at another document, e.g. {foreign[:3]}"


def test_a_reference_page_is_smaller_than_a_build_environment():
    """An independent bound: the stored environment (every page's metadata) is far larger than
    one reference page's doctree; with the copies each page was about as large as it."""
    env_size = (DOCTREES / "environment.pickle").stat().st_size
    largest = max(p.stat().st_size for p in (DOCTREES / "book" / "reference").glob("*.doctree"))
    assert largest < env_size / 2, (largest, env_size)
