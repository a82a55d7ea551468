"""regcore.site.run_chapter: a chapter runs outside the build, cell by cell, the exercises'
cells marked, their printed output kept; a failing solution stops it with the cell's error."""
import pytest
from nbclient.exceptions import CellExecutionError
from notebook_pages import notebook_page

from regcore.site.run_chapter import execute, main


def _chapter(tmp_path, solution: str):
    page = notebook_page("Chapter", "x = 3")
    page += "\n## Exercises\n\n```{code-cell} ipython3\n" + solution + "\n```\n"
    path = tmp_path / "chapter.md"
    path.write_text(page)
    return path


def test_cells_run_in_order_and_exercises_are_marked(tmp_path):
    runs = execute(_chapter(tmp_path, "assert x ** 2 == 9\nprint('squared', x ** 2)"))
    assert [run.in_exercises for run in runs] == [False, True]
    assert runs[1].printed == "squared 9\n"
    assert all(run.seconds >= 0 for run in runs)


def test_a_failing_solution_stops_the_run(tmp_path):
    with pytest.raises(CellExecutionError, match="AssertionError"):
        execute(_chapter(tmp_path, "assert x == 4"))


def test_the_command_line_prints_the_cells_and_the_total(tmp_path, capsys):
    main([str(_chapter(tmp_path, "print('done')"))])
    out = capsys.readouterr().out
    assert "(exercises)" in out and "done" in out and "2 code cells" in out


def test_other_files_are_refused(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("x")
    with pytest.raises(ValueError, match="path must be a .md chapter or an .ipynb notebook"):
        execute(path)
