"""The regulariser chapters show the code that matters, as it runs.

Each shows the call that trains its runs (a visible code cell) and the few lines of regcore that
implement its regulariser, rendered from regcore's own source (``literalinclude``): the listing
in the built page must be the function's current source, line for line.
"""
import html
import importlib
import inspect
import re

import pytest
from built_site import HTML

pytestmark = pytest.mark.site


SHOWN = {
    "book/weight_decay.html": ["regcore.penalties:add_penalty_gradient_",
                               "regcore.optim:FlatOptimizer.step"],
    "book/l1_sparsity.html": ["regcore.penalties:add_penalty_gradient_"],
    "book/minibatch.html": ["regcore.training:_draw_shuffle", "regcore.training:_batches"],
    "book/dropout.html": ["regcore.models:MLP"],
}


def _code_blocks(page: str) -> list[list[str]]:
    """The text of every highlighted code block of the page, as stripped non-empty lines."""
    blocks = re.findall(r'<div class="highlight"><pre>(.*?)</pre>', page, flags=re.S)
    return [[ln.strip() for ln in html.unescape(re.sub(r"<[^>]+>", "", b)).splitlines()
             if ln.strip()] for b in blocks]


def _source_lines(target: str) -> list[str]:
    module, qualname = target.split(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return [ln.strip() for ln in inspect.getsource(obj).splitlines() if ln.strip()]


@pytest.mark.parametrize("page_path", sorted(SHOWN))
def test_chapter_shows_its_regulariser_from_regcore_source(page_path):
    blocks = _code_blocks((HTML / page_path).read_text())
    for target in SHOWN[page_path]:
        assert _source_lines(target) in blocks, f"{page_path} does not show {target} as it is now"


@pytest.mark.parametrize("page_path", sorted(SHOWN))
def test_chapter_shows_the_call_that_trains_its_runs(page_path):
    blocks = _code_blocks((HTML / page_path).read_text())
    assert any(any(ln.startswith(("data = regcore.make_data(", "regcore.run(")) or "= regcore.run(" in ln
                   for ln in b) for b in blocks), f"{page_path}: no visible regcore.run call"
