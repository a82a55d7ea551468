import pytest

from regcore import POST_RUNS, beyond
from regcore.sweep import sweep


def test_post_member_carries_the_runs_settings():
    m = beyond.post_member("l1", data_seed=3)
    assert (m.l1, m.data_seed, m.init_seed, m.seed) == (POST_RUNS["l1"].train.l1, 3, 42, 42)
    assert beyond.post_member("minibatch").batch_size == 32
    assert beyond.post_member("dropout", init_seed=7).seed == 7
    s = beyond.post_settings("linear", n_train=50)
    assert (s.model, s.lr, s.epochs, s.n_train) == ("linear", 0.1, 500, 50)


def test_verdicts_and_claims():
    assert beyond.verdict((0.1, 0.05, 0.15)) == "holds"
    assert beyond.verdict((-0.1, -0.15, -0.05)) == "reversed"
    assert beyond.verdict((0.0, -0.1, 0.1)) == "noise"
    claims = beyond.claims({})
    assert claims["mlp worse than weight_decay"] == ("mlp", "weight_decay")
    assert claims["l1 worse than dropout"] == ("l1", "dropout")


def test_paired_refuses_unpaired_seeds():
    settings = beyond.post_settings("mlp", epochs=3)
    a = sweep([beyond.post_member("mlp", init_seed=s) for s in range(2)], settings)
    b = sweep([beyond.post_member("mlp", init_seed=s + 1) for s in range(2)], settings)
    results = {("mlp", "init"): a, ("l1", "init"): b}
    with pytest.raises(ValueError, match="not paired"):
        beyond.paired(results, "mlp", "l1", "init")
    results[("l1", "init")] = a
    assert beyond.paired(results, "mlp", "l1", "init") == (0.0, 0.0, 0.0)


def test_markdown_table():
    assert beyond.markdown_table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---|\n| 1 | 2 |"
