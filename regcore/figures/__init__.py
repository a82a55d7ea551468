"""The book's figures, one module per kind of result: matplotlib Figures and explorable figures.

Each drawing function returns a matplotlib Figure; those of :mod:`~regcore.figures.grid_explorers`
return an :class:`~regcore.figures.explorable.Explorable`, HTML a reader drives.

* :mod:`~regcore.figures.style` — the house style and the split colours.
* :mod:`~regcore.figures.runs` — single training runs (chapters 2–8).
* :mod:`~regcore.figures.sweeps` — results over seeds and settings (part "Beyond one seed").
* :mod:`~regcore.figures.theory` — closed forms against trained models (part "Theory, checked").
* :mod:`~regcore.figures.descent` — test error against data and features, the double-descent
  peak (chapter "Double descent, and the regularisation that removes it").
* :mod:`~regcore.figures.bands` — means and intervals over seeds against a setting on a log axis
  (part "What else regularises").
* :mod:`~regcore.figures.explorable` — figures a reader drives with a slider or a selector, as
  self-contained HTML (one precomputed frame per setting).
* :mod:`~regcore.figures.grid_explorers` — the four explorable figures of chapter "Tuning, and
  more data".
"""
