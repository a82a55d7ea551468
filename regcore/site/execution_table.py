"""Sphinx extension: the execution statistics page's table, in the book's order, with a total.

MyST-NB's ``nb-exec-table`` lists executed notebooks alphabetically by path and marks success
with an emoji the book's fonts may lack. The directive ``book-exec-table`` takes the same data
(MyST-NB's per-page execution metadata) and lists the chapters in the order of the table of
contents, by title, with when each was executed, how long it took and whether it succeeded in
words (with "in the background" for a chapter that ran in the build's background lane,
:func:`regcore.site.parallel_execution.background_pages`), and a last row with the total. The page is rewritten whenever a chapter is executed again
(it registers as an execution-table page with MyST-NB). Used by ``book/execution_stats.md``.
"""
from __future__ import annotations

from datetime import datetime

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective


class BookExecTableNode(nodes.General, nodes.Element):
    """Placeholder, replaced once every page has been read."""


class BookExecTable(SphinxDirective):
    def run(self):
        from myst_nb.ext.execution_tables import METADATA_KEY
        from myst_nb.sphinx_ import NbMetadataCollector

        # so that MyST-NB rewrites this page when a chapter is executed again
        NbMetadataCollector.set_doc_data(self.env, self.env.docname, METADATA_KEY, True)
        return [BookExecTableNode()]


def book_order(env, root: str) -> list[str]:
    """Every document reachable from ``root`` through the toctrees, depth first, root first."""
    order, stack, seen = [], [root], set()
    while stack:
        doc = stack.pop()
        if doc in seen:
            continue
        seen.add(doc)
        order.append(doc)
        stack.extend(reversed(env.toctree_includes.get(doc, [])))
    return order


def _cell(content) -> nodes.entry:
    paragraph = nodes.paragraph()
    paragraph += content
    return nodes.entry("", paragraph)


def _table(env, docname: str, rows: list[tuple[str, dict]]) -> nodes.table:
    header = ("Chapter", "Executed", "Run time (s)", "Status")
    table = nodes.table(classes=["colwidths-auto"])
    group = nodes.tgroup(cols=len(header))
    table += group
    group += [nodes.colspec(colwidth=1) for _ in header]
    head = nodes.thead()
    group += head
    head += nodes.row("", *[_cell(nodes.Text(h)) for h in header])
    body = nodes.tbody()
    group += body
    from .parallel_execution import background_pages

    behind = background_pages(env)
    total = 0.0
    for doc, data in rows:
        link = pending_xref(refdoc=docname, reftarget="/" + doc, reftype="doc", refdomain="std",
                            refexplicit=True, refwarn=True, classes=["xref", "doc"])
        link += nodes.inline(text=env.titles[doc].astext() if doc in env.titles else doc)
        runtime = data.get("runtime")
        total += runtime or 0.0
        when = datetime.fromtimestamp(data["mtime"]).strftime("%Y-%m-%d %H:%M") \
            if data.get("mtime") else ""
        status = "succeeded" if data.get("succeeded") else f"failed: {data.get('error') or ''}"
        body += nodes.row("", _cell(link), _cell(nodes.Text(when)),
                          _cell(nodes.Text("-" if runtime is None else f"{runtime:.1f}")),
                          _cell(nodes.Text(status + (" (in the background)" if doc in behind
                                                     else ""))))
    body += nodes.row("", _cell(nodes.strong(text=f"Total ({len(rows)} chapters)")),
                      _cell(nodes.Text("")), _cell(nodes.strong(text=f"{total:.1f}")),
                      _cell(nodes.Text("")))
    return table


class BookExecTableTransform(SphinxPostTransform):
    default_priority = 8  # before the reference resolvers, like MyST-NB's own table

    def run(self, **kwargs) -> None:
        from myst_nb.sphinx_ import NbMetadataCollector

        metadata = NbMetadataCollector.get_doc_data(self.env)
        rows = [(doc, metadata[doc]["exec_data"])
                for doc in book_order(self.env, self.config.root_doc)
                if metadata.get(doc, {}).get("exec_data")]
        for node in self.document.findall(BookExecTableNode):
            node.replace_self(_table(self.env, self.env.docname, rows))


def setup(app):
    app.add_node(BookExecTableNode)
    app.add_directive("book-exec-table", BookExecTable)
    app.add_post_transform(BookExecTableTransform)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
