"""regcore.figures.explorable and grid_explorers: one frame per setting, each a different SVG
with text as text; the HTML's control, labels and alt text match the frames; bad input named;
the same results give the same bytes. The browser checks (the control changes the picture) are
in tests/built/test_explorable.py."""
import base64
import json
import re

import numpy as np
import pytest

from regcore.figures import grid_explorers
from regcore.figures.explorable import MAX_PAGE_BYTES, explorable_html, svg_frames
from regcore.figures.style import use_book_style
from regcore.sweep import Member, SweepSettings, sweep

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><text>%d</text></svg>'


def _payload(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json">(.*?)</script>', page,
                                re.S).group(1).replace("<\\/", "</"))


def test_slider_html_holds_every_frame_and_starts_at_initial():
    frames = [SVG % k for k in range(3)]
    page = explorable_html("demo", frames, ["a", "b", "c"], control="slider",
                           control_label="setting", alt="Demo figure.", initial=1)
    data = _payload(page)
    assert [base64.b64decode(u.split(",", 1)[1]) for u in data["frames"]] == frames
    assert data["labels"] == ["a", "b", "c"]
    assert 'type="range"' in page and 'max="2"' in page and 'value="1"' in page
    img = re.search(r"<img [^>]*>", page).group(0)
    assert data["frames"][1] in img and 'alt="Demo figure. Shown: b."' in img
    assert '<label for="explore-demo-control">setting</label>' in page


def test_select_html_has_one_option_per_frame():
    page = explorable_html("pick", [SVG % 0, SVG % 1], ["first", "second <b>"],
                           control="select", control_label="which", alt="A choice.")
    assert page.count("<option") == 2 and "second &lt;b&gt;" in page
    assert '<option value="0" selected>' in page


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="Bad Name"), "name='Bad Name' is not allowed"),
    (dict(labels=["only one"]), r"frames \(2\) and labels \(1\) are not allowed"),
    (dict(control="knob"), "control='knob' is not allowed"),
    (dict(alt=" "), "alt='' is not allowed"),
    (dict(initial=2), "initial=2 is not allowed: give a frame index from 0 to 1"),
])
def test_bad_input_is_named(kwargs, message):
    args = dict(name="ok", frames=[SVG % 0, SVG % 1], labels=["a", "b"], control="slider",
                control_label="x", alt="Fine.")
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        explorable_html(**args)


def test_too_large_a_figure_is_refused():
    big = [b"<svg>" + b"x" * (MAX_PAGE_BYTES // 2) + b"</svg>"] * 2
    with pytest.raises(ValueError, match="are not allowed for 'big'"):
        explorable_html("big", big, ["a", "b"], control="slider", control_label="x", alt="Big.")


def test_script_cannot_be_closed_by_a_label():
    page = explorable_html("esc", [SVG % 0], ["</script><b>"], control="select",
                           control_label="x", alt="Escaped.")
    assert page.count("</script>") == 2   # the JSON block's and the script's own


@pytest.fixture(scope="module")
def tiny_grids():
    """Grids like the tuning chapter's, tiny: 2 seeds, 40 epochs, n_train 60."""
    use_book_style()
    settings = SweepSettings(n_train=60, n_val=500, n_test=500, epochs=40, lr=0.01,
                             snapshots=0, dense_epochs=8, max_evals=14)
    grids = {}
    for field, values in (("weight_decay", (0.01, 0.5)), ("dropout", (0.1, 0.5)),
                          ("batch_size", (16, None))):
        members = [Member(**{field: v}, data_seed=s, init_seed=s, seed=s, label=field)
                   for v in values for s in range(2)]
        grids[field] = (sweep(members, settings), values)
    return grids


@pytest.mark.parametrize("field, build", [
    ("weight_decay", grid_explorers.weight_decay_explorer),
    ("dropout", grid_explorers.dropout_explorer),
    ("batch_size", grid_explorers.batch_size_explorer),
])
def test_grid_explorers_draw_one_distinct_frame_per_value(tiny_grids, field, build):
    result, values = tiny_grids[field]
    fig = build(result, values, values[-1])
    data = _payload(fig.html)
    frames = [base64.b64decode(u.split(",", 1)[1]) for u in data["frames"]]
    assert len(frames) == len(values) == len(set(frames))
    assert all(b"<text" in f for f in frames)           # text as text, legible and searchable
    assert 'value="%d"' % (len(values) - 1) in fig.html   # starts at the tuned value
    again = build(result, values, values[-1])
    assert again.html == fig.html                          # deterministic bytes


def test_learning_curve_explorer_draws_each_choice(tiny_grids):
    rows = lambda scale: [(scale * m, scale * m * 0.9, scale * m * 1.1) for m in (1.0, 0.5, 0.3)]
    curves = {"linear": ((50, 100, 200), rows(0.1)), "mlp": ((50, 100, 200), rows(1.0)),
              "l1": ((50, 100, 200), rows(0.6)), "dropout": ((50, 100, 200), rows(0.7)),
              "batch_size": ((), [])}
    fig = grid_explorers.learning_curve_explorer(
        curves, {"l1": "L1", "dropout": "dropout", "batch_size": "batch size"},
        {"linear": "linear model", "mlp": "plain MLP"})
    data = _payload(fig.html)
    assert data["labels"] == ["L1", "dropout"]   # a choice without a curve is left out
    assert len(set(data["frames"])) == 2
