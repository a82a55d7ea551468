"""Fixtures for the checks of the built book (``pytest -m site`` after ``jupyter-book build``)."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML / "index.html").exists():
        pytest.fail(f"no built book at {HTML}: run `python3 make.py book` first")
    return HTML


@pytest.fixture(scope="session")
def pages(html_dir) -> list[Path]:
    """Every page of the book (not Sphinx's search and index pages)."""
    skip = {"search.html", "genindex.html", "index.html"}
    return sorted(p for p in html_dir.rglob("*.html")
                  if p.name not in skip and "_static" not in p.parts)
