"""The exercises, as a reader meets them: every chapter ends with 2-4, each with a solution that
is collapsed until clicked and then shows an executed output; the student edition
(``make.py book --student``) has the same exercises and no solution at all.

The solutions' assertions themselves run in the build (a failing one stops it); these checks are
about what the reader sees."""
import re

import pytest
from built_site import HTML, NUMBERED_CHAPTERS, STUDENT_HTML

pytestmark = pytest.mark.site

EXERCISE = re.compile(r'<div class="exercise admonition" id="(ex-[a-z0-9-]+)"')
SOLUTION = re.compile(r'<div class="solution dropdown admonition" id="[^"]*"')


def _exercise_ids(html: str) -> list[str]:
    return EXERCISE.findall(html)


def test_every_chapter_is_in_the_list():
    assert len(NUMBERED_CHAPTERS) >= 17


@pytest.mark.parametrize("chapter", NUMBERED_CHAPTERS)
def test_chapter_ends_with_two_to_four_exercises_each_with_a_solution(chapter):
    html = (HTML / chapter).read_text()
    ids = _exercise_ids(html)
    assert 2 <= len(ids) <= 4, f"{chapter}: {len(ids)} exercises"
    assert len(SOLUTION.findall(html)) == len(ids), f"{chapter}: not one solution per exercise"
    assert html.index('id="exercises"') < html.index(ids[0]), "exercises outside their section"
    for ex in ids:  # each solution names its exercise and links back to it
        assert f'href="#{ex}"' in html, f"{chapter}: no solution links to {ex}"


def test_some_exercise_of_every_chapter_is_predict_then_run():
    missing = [c for c in NUMBERED_CHAPTERS
               if "Predict, then run" not in (HTML / c).read_text()]
    assert not missing, missing


def test_every_theory_chapter_asks_for_a_derivation():
    missing = [c for c in NUMBERED_CHAPTERS if c.startswith("book/theory/")
               and "Derive:" not in (HTML / c).read_text()]
    assert not missing, missing


@pytest.mark.parametrize("chapter", NUMBERED_CHAPTERS)
def test_solutions_are_collapsed_until_clicked_and_show_executed_output(browser, server, chapter):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/{chapter}", wait_until="load")
    solutions = page.locator("div.solution.dropdown")
    assert solutions.count() >= 2
    for i in range(solutions.count()):
        solution = solutions.nth(i)
        output = solution.locator(".cell_output").first
        assert solution.locator(".cell_output").count() >= 1, f"solution {i}: no executed output"
        solution.scroll_into_view_if_needed()
        assert not output.is_visible(), f"solution {i} is open before it is clicked"
        solution.locator("button.toggle-button").first.click()
        output.wait_for(state="visible", timeout=5_000)
        assert output.inner_text().strip(), f"solution {i}: the output is empty"
    assert not errors, errors
    page.close()


@pytest.mark.parametrize("chapter", NUMBERED_CHAPTERS)
def test_student_edition_has_the_exercises_and_no_solution(chapter):
    if not (STUDENT_HTML / "index.html").exists():
        pytest.fail(f"no student edition at {STUDENT_HTML}: run `python3 make.py book --student`")
    full, student = (HTML / chapter).read_text(), (STUDENT_HTML / chapter).read_text()
    assert _exercise_ids(student) == _exercise_ids(full)
    assert 'class="solution' not in student
    assert "solution-content" not in student
    # nothing of the solutions' code survives: their cells are gone, the chapter's own are not
    n_cells = lambda html: html.count('class="cell docutils container"')
    n_solution_cells = sum(s.count('class="cell docutils container"')
                           for s in full.split('class="solution dropdown')[1:])
    assert n_cells(student) == n_cells(full) - n_solution_cells
