"""Two fixes that let sphinx-exercise 1.2.1 serve the book's exercises (every chapter's last section).

1. **The student edition**: ``hide_solutions`` for the book's gated solutions (below).
2. **Bodies as containers**: sphinx-exercise wraps each exercise's and solution's body in a
   ``section`` without a title (all with the id ``exercise-content`` or ``solution-content``). Extensions that walk
   sections expect a title in each — sphinx-codeautolink, which links the names in code cells to
   the API reference, pops one per section and crashes ("pop from empty list") — and the repeated
   id is invalid HTML. :class:`SolutionBodiesAsContainers` turns each into a ``container`` with
   that name as its class and no id.

**The student edition.** Every chapter ends with exercises whose solutions are *gated* (``solution-start`` … code cells …
``solution-end``), because only the gated form can hold executed code cells. sphinx-exercise
1.2.1 cannot hide those: with ``hide_solutions = True`` its ``solution-start`` returns nothing,
so the solution's prose and cells stay on the page and the orphaned ``solution-end`` node crashes
the HTML writer (executablebooks/sphinx-exercise#89, open). This extension makes the switch work:
when ``hide_solutions`` is on, ``solution-start`` leaves a marker and a transform, run before the
extension's own gate checks, removes everything from the marker to its ``solution-end``.
With ``hide_solutions`` off this part changes nothing.

Build the student edition with ``python3 make.py book --student`` (see book/how_to_run.md);
the solutions still execute (their assertions still guard the book), they are only not shown.
"""
from __future__ import annotations

from docutils import nodes
from sphinx.transforms import SphinxTransform
from sphinx_exercise.directive import SolutionStartDirective
from sphinx_exercise.nodes import solution_end_node


class hidden_solution_start(nodes.Element):
    """Where a solution hidden by ``hide_solutions`` began (never written out)."""


class HidableSolutionStart(SolutionStartDirective):
    """``solution-start`` that leaves a marker when the solution is hidden."""

    def run(self):
        result = super().run()
        if self.env.app.config.hide_solutions and not result:
            return [hidden_solution_start(target=self.arguments[0])]
        return result


class RemoveHiddenSolutions(SphinxTransform):
    """Remove each hidden solution: its marker, the content up to its ``solution-end``, and that."""

    default_priority = 5   # before sphinx-exercise's CheckGatedDirectives and merges

    def apply(self, **kwargs) -> None:
        for marker in list(self.document.findall(hidden_solution_start)):
            parent = marker.parent
            start = parent.index(marker)
            end = next((i for i in range(start + 1, len(parent.children))
                        if isinstance(parent.children[i], solution_end_node)), None)
            if end is None:
                raise ValueError(f"solution-start for {marker['target']!r} in "
                                 f"{self.env.docname} has no solution-end after it at the "
                                 "same level")
            for child in parent.children[start:end + 1]:
                parent.remove(child)


#: The ids sphinx-exercise gives the untitled sections around exercise and solution bodies.
BODY_IDS = ("exercise-content", "solution-content")


class SolutionBodiesAsContainers(SphinxTransform):
    """Each untitled body section (:data:`BODY_IDS`) becomes a container with that class, no id."""

    default_priority = 20   # after sphinx-exercise's merges of gated solutions (priority 10)

    def apply(self, **kwargs) -> None:
        for section in list(self.document.findall(nodes.section)):
            kind = next((i for i in section["ids"] if i in BODY_IDS), None)
            if kind and not any(isinstance(child, nodes.title) for child in section.children):
                body = nodes.container(classes=[kind])
                body.extend(section.children)
                section.replace_self(body)
                body["ids"] = []   # replace_self copied the section's (repeated) id over


def setup(app):
    app.setup_extension("sphinx_exercise")
    app.add_directive("solution-start", HidableSolutionStart, override=True)
    app.add_node(hidden_solution_start)
    app.add_transform(RemoveHiddenSolutions)
    app.add_transform(SolutionBodiesAsContainers)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
