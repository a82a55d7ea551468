"""Toy MyST notebook pages for the tests that build or read small books (tests/built, tests/site)."""


def notebook_page(title: str, code: str, extra_front: str = "") -> str:
    """A MyST Markdown notebook: front matter (jupytext, Python kernel, ``extra_front`` lines),
    a heading and one code cell holding ``code``."""
    front = ("---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
             "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n"
             + extra_front + "---\n")
    return front + f"\n# {title}\n\n```{{code-cell}} ipython3\n{code.rstrip()}\n```\n"
