import numpy as np
import pytest

from regcore import POST_RUNS, RUN_NAMES, ModelSpec, run, run_post


def test_the_post_table_settings():
    t = {n: e.train for n, e in POST_RUNS.items()}
    assert RUN_NAMES == ("linear", "mlp", "weight_decay", "l2", "l1", "minibatch", "dropout")
    assert (t["linear"].lr, t["linear"].epochs) == (0.1, 500)
    assert all(t[n].lr == 0.01 for n in RUN_NAMES[1:])
    assert [t[n].epochs for n in RUN_NAMES[1:]] == [1000, 1000, 1000, 2000, 1000, 2000]
    assert t["weight_decay"].weight_decay == 0.085 and t["l2"].l2 == 0.085
    assert t["l1"].l1 == 0.021 and t["minibatch"].batch_size == 32
    assert POST_RUNS["dropout"].model.dropout == 0.1
    assert all(e.train.optimizer == "adam" for e in POST_RUNS.values())
    assert sum(e.train.batch_size is not None for e in POST_RUNS.values()) == 1


#: The post's published best validation losses (its comparison table; see post-facts.md).
PUBLISHED = {"linear": 0.05, "mlp": 0.60, "weight_decay": 0.50, "l2": 0.50, "l1": 0.28,
             "minibatch": 0.31, "dropout": 0.27}
#: Smooth full-batch runs agree with another machine to the published rounding (0.005) plus a
#: little. L1's sign gradient, minibatches and dropout are chaotic: on another torch build such a
#: run is like another seed. Their seed-to-seed spread over init seeds (12 seeds, measured with
#: regcore.sweep) has standard deviation 0.026 (l1), 0.039 (minibatch), 0.047 (dropout); allow
#: 0.05, about one of them — still far from the plain MLP (0.60), so an inactive regulariser fails.
CHAOTIC_TOL = 0.05
SMOOTH_TOL = 0.005 + 1e-3
def test_published_numbers_are_the_posts():
    assert {n: e.published_val_loss for n, e in POST_RUNS.items()} == PUBLISHED


@pytest.mark.parametrize("name", RUN_NAMES)
def test_every_run_matches_the_published_number(name, post_runs):
    # all seven runs, manual L2 included; the exact values of the original code on this
    # machine are pinned in tests/test_fidelity.py
    r = post_runs[(name, 200)]
    tol = CHAOTIC_TOL if name in ("l1", "minibatch", "dropout") else SMOOTH_TOL
    assert abs(r.best_val_loss - PUBLISHED[name]) <= tol, (r.best_val_loss, PUBLISHED[name])


def test_parallel_runs_give_the_same_bits_as_in_process():
    parallel = run_post((200,), ("linear",), workers=2, snapshot_every=0)
    single = run("linear", 200, snapshot_every=0)
    assert list(parallel) == [("linear", 200)]
    assert np.array_equal(parallel[("linear", 200)].val_loss, single.val_loss)


def test_unknown_run_and_bad_spec_are_named():
    with pytest.raises(ValueError, match=r"^name='ridge' .*'linear'"):
        run("ridge")
    with pytest.raises(ValueError, match=r"^kind='cnn'"):
        ModelSpec(kind="cnn")
    with pytest.raises(ValueError, match=r"^dropout=0.2 .*linear"):
        ModelSpec(kind="linear", dropout=0.2)
