"""Sphinx extension that makes the phone navigation open: the ☰ and "Contents" buttons.

pydata-sphinx-theme 0.17 (which sphinx-book-theme 1.3 pins exactly) binds its sidebar dialogs to
the *first* element with the class ``primary-toggle`` (and ``secondary-toggle``) in the page. It
also renders such a button itself, in its header, and sphinx-book-theme renders the one a reader
actually sees in the article header; that second button gets no handler, so on a phone tapping it
does nothing (pydata/pydata-sphinx-theme#2451, open upstream). No released theme pair avoids it:
the book theme pins 0.17.1, and older book themes lack other fixes the book relies on.

This shim forwards a click on any later toggle to the first one of its kind, so every such button
does what the theme meant (the dialog on a phone, collapsing the sidebar on a wide screen). It is
a few lines of inline script, not a copy of the theme's handler, so it keeps working if the theme
changes what the handler does. Remove it when the theme fixes #2451.
``tests/built/test_browser.py`` opens the navigation at phone width in Chromium and follows a link.
"""
from __future__ import annotations

_FORWARD_CLICKS = """
document.addEventListener("DOMContentLoaded", () => {
  for (const kind of ["primary-toggle", "secondary-toggle"]) {
    const [first, ...others] = document.querySelectorAll("." + kind);
    for (const button of others) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        first.click();
      });
    }
  }
});
"""


def setup(app):
    app.add_js_file(None, body=_FORWARD_CLICKS, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
