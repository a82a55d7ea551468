"""regcore.site.alt_text: a figure's caption becomes its image's alt text, and nothing else does."""
from docutils import nodes

from regcore.site.alt_text import caption_as_alt


def _figure(alt=None, caption="Validation loss against λ; the tuned value is marked."):
    image = nodes.image(uri="_images/abc123.svg", **({} if alt is None else {"alt": alt}))
    figure = nodes.figure("", image)
    if caption is not None:
        figure += nodes.caption("", "", nodes.Text(caption))
    doc = nodes.document(None, None)
    doc += figure
    return doc, image


def test_image_without_alt_gets_the_caption_text():
    doc, image = _figure(caption="Validation loss\n  against λ.")
    caption_as_alt(None, doc, "book/x")
    assert image["alt"] == "Validation loss against λ."


def test_an_alt_that_is_the_file_path_is_replaced():
    doc, image = _figure(alt="_images/abc123.svg")
    caption_as_alt(None, doc, "book/x")
    assert image["alt"].startswith("Validation loss")


def test_an_authors_alt_is_kept():
    doc, image = _figure(alt="Two curves, one falling.")
    caption_as_alt(None, doc, "book/x")
    assert image["alt"] == "Two curves, one falling."


def test_figure_without_caption_is_left_alone():
    doc, image = _figure(caption=None)
    caption_as_alt(None, doc, "book/x")
    assert "alt" not in image
