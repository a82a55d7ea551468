#!/usr/bin/env python3
"""The book's two commands, for a fresh machine with only Python 3.11 and pip.

    python3 make.py book   install what is needed (into .venv) and build the book into _build/html
    python3 make.py book --student
                           the student edition (exercises without their solutions) into
                           _build/student/html, reusing the book's executed notebooks
    python3 make.py test   install what is needed, then run the unit tests, build the book and
                           check the built site in headless Chromium (Debian's package)

Both create ``.venv`` from ``requirements.txt`` and ``pyproject.toml`` (again only when those
files change). The build fails on any cell error, Sphinx warning or broken reference.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
CHROMIUM = Path("/usr/bin/chromium")


def sh(*cmd, env=None) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, env=env)


def ensure_python_env() -> None:
    """Create .venv and install the pinned requirements and regcore (editable)."""
    if sys.version_info[:2] != (3, 11):
        print(f"warning: the book is pinned for Python 3.11, this is {sys.version.split()[0]}",
              file=sys.stderr)
    if not (BIN / "python").exists():
        print(f"+ creating {VENV}", flush=True)
        venv.create(VENV, with_pip=True)
    key = hashlib.sha256(b"".join((ROOT / f).read_bytes()
                                  for f in ("requirements.txt", "pyproject.toml"))).hexdigest()
    stamp = VENV / ".installed"
    if not stamp.exists() or stamp.read_text() != key:
        sh(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        sh(BIN / "python", "-m", "pip", "install", "--quiet", "-r", "requirements.txt", "-e", ".")
        stamp.write_text(key)


def ensure_chromium() -> None:
    """Install Debian's chromium for the browser checks when it is missing (needs root)."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit("The site checks need Debian's chromium at /usr/bin/chromium: "
                 "run `apt-get install -y chromium` as root, then this command again.")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    sh("apt-get", "update", "-q", env=env)
    sh("apt-get", "install", "-y", "-q", "chromium", env=env)


def build_book() -> None:
    sh(BIN / "jupyter-book", "build", ".", "--warningiserror", "--nitpick", "--keep-going")
    print(f"The book is in {ROOT / '_build' / 'html' / 'index.html'}")


STUDENT = ROOT / "_build" / "student"


def build_student_edition() -> None:
    """The book with ``hide_solutions`` on (see regcore/site/exercises.py), built from
    _config.yml with two changes: solutions hidden, and the execution cache shared with the
    full build, so that notebooks already executed there are not executed again."""
    import yaml  # installed with jupyter-book, so only after ensure_python_env
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["sphinx"]["config"]["hide_solutions"] = True
    config["execute"]["cache"] = str(ROOT / "_build" / ".jupyter_cache")   # Jupyter Book's key
    STUDENT.mkdir(parents=True, exist_ok=True)
    student_config = STUDENT / "_config.yml"
    student_config.write_text(yaml.safe_dump(config, sort_keys=False))
    sh(BIN / "jupyter-book", "build", ".", "--config", student_config, "--path-output", STUDENT,
       "--warningiserror", "--nitpick", "--keep-going")
    print(f"The student edition is in {STUDENT / '_build' / 'html' / 'index.html'}")


def test() -> None:
    ensure_chromium()
    sh(BIN / "python", "-m", "pytest", "-q")             # unit suite (fast)
    build_book()                                         # the real toolchain, warnings as errors
    build_student_edition()                              # the same, without the solutions
    sh(BIN / "python", "-m", "pytest", "-q", "-m", "site")  # the built site, like a reader


def main(argv: list[str]) -> None:
    if argv not in (["book"], ["book", "--student"], ["test"]):
        sys.exit("usage: python3 make.py book [--student] | test")
    ensure_python_env()
    if argv == ["book", "--student"]:
        build_student_edition()
    else:
        build_book() if argv[0] == "book" else test()


if __name__ == "__main__":
    main(sys.argv[1:])
