"""The book's figures, one module per kind of result; each function returns a matplotlib Figure.

* :mod:`~regcore.figures.style` — the house style and the split colours.
* :mod:`~regcore.figures.runs` — single training runs (chapters 2–8).
* :mod:`~regcore.figures.sweeps` — results over seeds and settings (part "Beyond one seed").
* :mod:`~regcore.figures.theory` — closed forms against trained models (part "Theory, checked").
"""
