"""regcore.site.exercises: with hide_solutions a gated solution disappears whole (prose,
code, the end marker) and the build stays warning-free; without it nothing changes.

Built with Sphinx and MyST-Parser on a two-exercise page (no kernel needed: the gate does not
depend on what is inside it); the real book's student edition is checked in tests/built."""
import textwrap

import pytest
from sphinx.cmd.build import build_main

PAGE = textwrap.dedent("""\
    # Page

    ```{exercise} First
    :label: ex-one

    Ask ONE-QUESTION.
    ```

    ```{solution-start} ex-one
    :class: dropdown
    ```

    GATED-ANSWER-ONE

    ```python
    GATED_CODE = 1
    ```

    ```{solution-end}
    ```

    Between the exercises: KEPT-TEXT.

    ```{exercise} Second
    :label: ex-two

    Ask TWO-QUESTION.
    ```

    ```{solution} ex-two
    :class: dropdown

    PLAIN-ANSWER-TWO
    ```

    After: ALSO-KEPT.
    """)


def _build(tmp_path, hide: bool, extra: str = "") -> str:
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"extensions = ['myst_parser', 'sphinx_exercise', 'regcore.site.exercises'{extra}]\n"
        f"hide_solutions = {hide}\n")
    (src / "index.md").write_text(PAGE)
    out = tmp_path / "out"
    status = build_main(["-W", "-n", "-q", "-b", "html", str(src), str(out)])
    assert status == 0, "the build failed or warned"
    return (out / "index.html").read_text()


@pytest.mark.parametrize("hide", [True, False])
def test_exercises_and_surrounding_text_stay(tmp_path, hide):
    html = _build(tmp_path, hide)
    for kept in ("ONE-QUESTION", "TWO-QUESTION", "KEPT-TEXT", "ALSO-KEPT"):
        assert kept in html


def test_hidden_solutions_are_gone_whole(tmp_path):
    html = _build(tmp_path, hide=True)
    for gone in ("GATED-ANSWER-ONE", "GATED_CODE", "PLAIN-ANSWER-TWO"):
        assert gone not in html
    assert 'class="solution' not in html


def test_shown_solutions_are_dropdowns_holding_their_content(tmp_path):
    html = _build(tmp_path, hide=False)
    assert html.count('class="solution dropdown') == 2
    gated = html[html.index('class="solution dropdown'):html.index("KEPT-TEXT")]
    assert "GATED-ANSWER-ONE" in gated and "GATED_CODE" in gated


def test_a_solution_start_without_its_end_is_an_error(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "extensions = ['myst_parser', 'sphinx_exercise', 'regcore.site.exercises']\n"
        "hide_solutions = True\n")
    (src / "index.md").write_text(PAGE.replace("```{solution-end}\n```\n", ""))
    assert build_main(["-W", "-q", "-b", "html", str(src), str(tmp_path / "out")]) != 0


def test_solution_bodies_are_containers_without_a_repeated_id(tmp_path):
    html = _build(tmp_path, hide=False)
    assert 'id="solution-content"' not in html
    assert html.count('class="solution-content') == 2


def test_codeautolink_walks_pages_with_solutions(tmp_path):
    """Before the fix sphinx-codeautolink crashed on the untitled solution sections."""
    html = _build(tmp_path, hide=False, extra=", 'sphinx_codeautolink'")
    assert "GATED_CODE" in html
