"""The book's side of regcore: what the chapters and the Sphinx build use, apart from the library.

* :mod:`~regcore.site.glue` — glue computed numbers into the prose (``setup_chapter``, run
  headlines, SymPy expressions as math).
* :mod:`~regcore.site.claims` — a comparative sentence is glued only when the result supports it.
* :mod:`~regcore.site.fresh_cache` — Sphinx extension: a chapter re-executes when the regcore code
  it imports changes.
* :mod:`~regcore.site.offline` — Sphinx extension: no CDN scripts or console errors in the pages.

A learner using regcore from a notebook needs none of these.
"""
