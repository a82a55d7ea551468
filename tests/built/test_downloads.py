"""Run it yourself: a chapter's notebook, downloaded from its page's download button, runs to
the end outside the build (nbclient, in a folder of its own), its glue calls and exercise
solutions included. Two chapters: a part-one chapter and a theory chapter."""
import re
import shutil

import pytest
from built_site import HTML

from regcore.site.run_chapter import execute

pytestmark = pytest.mark.site


@pytest.mark.parametrize("chapter", ["book/toy_problem.html", "book/theory/dropout.html"])
def test_downloaded_notebook_runs_outside_the_build(chapter, tmp_path):
    page = HTML / chapter
    links = re.findall(r'href="([^"]+\.ipynb)"', page.read_text())
    assert len(links) == 1, f"{chapter}: expected one .ipynb download link, found {links}"
    source = (page.parent / links[0]).resolve()
    assert source.is_file(), f"the download link {links[0]} points to nothing"
    notebook = shutil.copy(source, tmp_path / source.name)   # as a reader's download
    timings = execute(notebook)
    assert timings, "no code cell ran"
    assert any(run.in_exercises for run in timings), "no exercise solution ran"
