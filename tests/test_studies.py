import pytest
import torch

from regcore import POST_RUNS, studies
from regcore.sweep import sweep


def test_post_member_carries_the_runs_settings():
    m = studies.post_member("l1", data_seed=3)
    assert (m.l1, m.data_seed, m.init_seed, m.seed) == (POST_RUNS["l1"].train.l1, 3, 42, 42)
    assert studies.post_member("minibatch").batch_size == 32
    assert studies.post_member("dropout", init_seed=7).seed == 7
    s = studies.post_settings("linear", n_train=50)
    assert (s.model, s.lr, s.epochs, s.n_train) == ("linear", 0.1, 500, 50)


def test_verdicts_and_claims():
    assert studies.verdict((0.1, 0.05, 0.15)) == "holds"
    assert studies.verdict((-0.1, -0.15, -0.05)) == "reversed"
    assert studies.verdict((0.0, -0.1, 0.1)) == "noise"
    claims = studies.claims({})
    assert claims["mlp worse than weight_decay"] == ("mlp", "weight_decay")
    assert claims["l1 worse than dropout"] == ("l1", "dropout")


def test_paired_refuses_unpaired_seeds():
    settings = studies.post_settings("mlp", epochs=3)
    a = sweep([studies.post_member("mlp", init_seed=s) for s in range(2)], settings)
    b = sweep([studies.post_member("mlp", init_seed=s + 1) for s in range(2)], settings)
    results = {("mlp", "init"): a, ("l1", "init"): b}
    with pytest.raises(ValueError, match="not paired"):
        studies.paired(results, "mlp", "l1", "init")
    results[("l1", "init")] = a
    assert studies.paired(results, "mlp", "l1", "init") == (0.0, 0.0, 0.0)


def test_markdown_table():
    assert studies.markdown_table(["a", "b"], [[1, 2]]) == "| a | b |\n|---|---|\n| 1 | 2 |"


# --- robustness of the summaries: winners at the grid's edge, and diverged members --------------

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from regcore import stats  # noqa: E402
from regcore.figures import sweeps as sweep_figures  # noqa: E402
from regcore.sweep import Member, SweepResult, SweepSettings  # noqa: E402


def fake_result(field, values, val, test=None, diverged=None, label=None) -> SweepResult:
    """A SweepResult without training: member k = (values[k // seeds], seed k % seeds)."""
    val = np.asarray(val, dtype=float)
    seeds = len(val) // len(values)
    members = tuple(Member(**{field: v}, data_seed=s, init_seed=s, seed=s, label=label or field)
                    for v in values for s in range(seeds))
    k = len(members)
    settings = SweepSettings(epochs=10, snapshots=0, n_val=10, n_test=10)
    return SweepResult(
        settings=settings, members=members, eval_epochs=settings.eval_epochs(),
        val_loss=np.zeros((k, len(settings.eval_epochs()))), train_loss=np.zeros((k, 11)),
        best_epoch=np.zeros(k, dtype=int), best_val_loss=val, train_loss_at_best=val,
        test_loss_at_best=val + 0.01 if test is None else np.asarray(test, dtype=float),
        snapshot_epochs=np.zeros(0, dtype=int), snapshots=np.zeros((k, 0, 1)),
        best_theta=np.zeros((k, 1)), final_theta=np.zeros((k, 1)),
        diverged_epoch=np.full(k, -1) if diverged is None else np.asarray(diverged))


def test_tuned_batch_size_full_batch_and_100():
    grid = studies.GRIDS["batch_size"]
    assert grid[-1] is None and 100 in grid
    # full batch wins: tuned is None, written "full batch" (not "0")
    res = fake_result("batch_size", grid, [0.5, 0.6, 0.4, 0.5, 0.3, 0.4, 0.2, 0.1])
    assert studies.tuned(res, "batch_size") is None
    assert studies.value_words("batch_size", None) == "full batch"
    # a batch of 100 wins
    res = fake_result("batch_size", grid, [0.5, 0.6, 0.4, 0.5, 0.1, 0.2, 0.3, 0.4])
    assert studies.tuned(res, "batch_size") == 100
    assert studies.value_words("batch_size", 100) == "100"
    assert studies.value_words("l1", 0.021) == "0.021"


def test_learning_curve_helpers_without_the_tuned_batch_size():
    ns = (50, 100, 200, 400)
    score = {(label, n): (0.5 / n, 0.4 / n, 0.6 / n) for label in ("linear", "mlp") for n in ns}
    # tuned batch size 100: no run where one batch holds the whole set (n <= 100)
    score.update({("batch_size", n): (0.4 / n, 0.3 / n, 0.5 / n) for n in (200, 400)})
    assert studies.curve(score, "batch_size", ns) == ([200, 400], [score[("batch_size", 200)],
                                                                  score[("batch_size", 400)]])
    assert studies.curve(score, "dropout", ns) == ([], [])   # full batch: no curve of its own
    fig = sweep_figures.learning_curves_figure(
        {label: studies.curve(score, label, ns) for label in ("linear", "mlp", "batch_size",
                                                             "dropout")})
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["linear", "mlp", "batch_size"]
    assert list(ax.get_xticks()) == list(ns)
    fig.canvas.draw()   # the labels shown: the sizes trained, no log-axis minor labels among them
    shown = [t.get_text() for t in ax.get_xticklabels(minor=False) + ax.get_xticklabels(minor=True)
             if t.get_text() and ax.get_xlim()[0] <= t.get_position()[0] <= ax.get_xlim()[1]]
    assert shown == [str(n) for n in ns], shown
    plt.close(fig)
    # the table against the plain MLP at 400 points skips a regulariser without a run at 200
    curves = {("mlp", 400): fake_result("l1", (0.0,), [0.30, 0.32, 0.31], label="mlp"),
              ("l1", 200): fake_result("l1", (0.05,), [0.20, 0.22, 0.21], label="l1")}
    table = studies.versus_more_data(curves, ("l1", "batch_size"))
    assert list(table) == ["l1"]
    assert table["l1"] == stats.welch_difference(curves[("l1", 200)].test_loss_at_best,
                                                 curves[("mlp", 400)].test_loss_at_best)


def test_strength_figure_with_full_batch_and_an_empty_value():
    grid = studies.GRIDS["batch_size"]
    nan = (np.nan, np.nan, np.nan)
    rows = [(0.3, 0.2, 0.4), nan, (0.3, 0.25, 0.35), (0.2, 0.1, 0.3)]
    ticks = [studies.value_words("batch_size", v) for v in grid]
    panels = {f"panel {i}": (ticks, rows, rows, grid.index(None)) for i in range(4)}
    fig = sweep_figures.strength_figure(panels)
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["16", "32", "100",
                                                                     "full batch"]
    plt.close(fig)


def test_diverged_members_are_left_out_of_means_intervals_and_optima():
    # weight decay 0.5 looks best only through seed 2, which diverged (its best loss is from
    # before it did, and low)
    val = [0.30, 0.32, 0.31, 0.35, 0.36, 0.001]
    diverged = [-1, -1, -1, -1, -1, 7]
    res = fake_result("weight_decay", (0.1, 0.5), val, diverged=diverged)
    assert studies.tuned(res, "weight_decay", (0.1, 0.5)) == 0.1
    kept = res.where(weight_decay=0.5)
    assert studies.summary(kept, "best_val_loss") == stats.mean_interval([0.35, 0.36])
    assert studies.finite(res).diverged_epoch.tolist() == [-1] * 5
    n, total, where = studies.divergence_report({"weight_decay": res})
    assert (n, total) == (1, 6)
    assert where == "weight_decay, weight_decay 0.5, seed 2 at epoch 7"
    assert studies.divergence_report(studies.finite(res)) == (0, 5, "")
    # fewer than two finite members: no summary (or NaNs for a figure), and not a candidate
    two = fake_result("weight_decay", (0.1, 0.5), [0.3, 0.3, 0.3, 0.01, 0.01, 0.01],
                      diverged=[-1, -1, -1, 3, -1, 7])
    assert studies.tuned(two, "weight_decay", (0.1, 0.5)) == 0.1
    with pytest.raises(ValueError, match="at least 2 must stay finite"):
        studies.summary(two.where(weight_decay=0.5))
    assert np.isnan(studies.summary(two.where(weight_decay=0.5), nan_if_empty=True)).all()
    with pytest.raises(ValueError, match="fewer than 2 members that stayed finite"):
        studies.tuned(two, "weight_decay", (0.5,))
    # paired differences drop the seeds at which either run diverged; Welch drops them per group
    a = fake_result("l1", (0.1,), [0.3, 0.4, 0.5, 0.6], diverged=[-1, -1, 2, -1], label="a")
    b = fake_result("l1", (0.1,), [0.2, 0.2, 0.2, 0.9], diverged=[-1, 5, -1, -1], label="b")
    results = {("a", "init"): a, ("b", "init"): b}
    ta, tb = a.test_loss_at_best, b.test_loss_at_best
    assert studies.paired(results, "a", "b", "init") == stats.paired_difference(ta[[0, 3]],
                                                                               tb[[0, 3]])
    assert studies.unpaired(a, b) == stats.welch_difference(ta[[0, 1, 3]], tb[[0, 2, 3]])


def test_a_member_that_diverges_in_a_real_sweep():
    # SGD with weight decay 100 at lr 0.1 multiplies the weights by 1 − 10 = −9 per step: it
    # overflows float32 within a few dozen epochs; its best loss (epoch 0) stays finite
    settings = SweepSettings(model="linear", optimizer="sgd", lr=0.1, epochs=60, n_train=50,
                             n_val=100, n_test=100, snapshots=0, max_evals=None)
    members = [Member(data_seed=s, init_seed=s, seed=s, label="plain") for s in range(3)]
    res = sweep(members + [Member(weight_decay=100.0, label="plain")], settings)
    assert res.diverged_epoch[:3].tolist() == [-1, -1, -1] and res.diverged_epoch[3] > 0
    assert np.isfinite(res.test_loss_at_best[3])
    assert studies.summary(res) == stats.mean_interval(res.test_loss_at_best[:3])
    n, total, where = studies.divergence_report(res)
    assert (n, total) == (1, 4)
    assert where == f"plain, weight_decay 100, seed 42 at epoch {res.diverged_epoch[3]}"


def test_learning_curves_reuse_the_grids_members_exactly(monkeypatch):
    """A curve's point at the grids' n_train is taken from the grids, not retrained, and equals
    the same point trained on its own, number for number."""
    import numpy as np

    monkeypatch.setattr(studies, "GRIDS", {"l1": (0.003, 0.01), "batch_size": (32, None)})
    monkeypatch.setattr(studies, "GRID_EPOCHS", {"l1": 30, "batch_size": 30})
    small = studies.post_settings
    monkeypatch.setattr(studies, "TUNING_N_VAL", 300)
    monkeypatch.setattr(studies, "post_settings",
                        lambda name, **c: small(name, **{"n_test": 300, **c}))
    trained = []
    real_sweep_many = studies.sweep_many

    def recording(jobs, *args):
        trained.extend((key, m.label) for key, (members, _) in jobs.items() for m in members)
        return real_sweep_many(jobs, *args)

    grids = studies.strength_grids(seeds=2, workers=1)
    best = {"l1": 0.01, "batch_size": 32}
    monkeypatch.setattr(studies, "sweep_many", recording)
    reused = studies.learning_curves(best, seeds=2, n_trains=(100, 200), epochs=30, workers=1,
                                     grids=grids)
    retrained_here = {(label, key[1]) for key, label in trained}
    trained.clear()
    fresh = studies.learning_curves(best, seeds=2, n_trains=(100, 200), epochs=30, workers=1)
    for label in ("mlp", "l1", "batch_size"):
        assert (label, 200) not in retrained_here and (label, 100) in retrained_here
    assert ("linear", 200) in retrained_here          # the grids hold no linear model
    assert reused.keys() == fresh.keys()
    for key in fresh:
        a, b = reused[key], fresh[key]
        assert a.settings.n_val == b.settings.n_val == 300    # every group: TUNING_N_VAL
        assert [m.label for m in a.members] == [m.label for m in b.members] == [key[0]] * 2
        for field in ("test_loss_at_best", "best_val_loss", "val_loss", "train_loss"):
            np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=str(key))


def test_noise_grid_pairs_every_level_by_seed(monkeypatch):
    short = {v: (20 if v < 0.05 else 12) for v in studies.NOISE_GRID}
    monkeypatch.setattr(studies, "NOISE_EPOCHS", short)
    res = studies.noise_grid(seeds=2, workers=1)
    assert list(res) == list(studies.NOISE_GRID)
    for v, r in res.items():
        assert [m.input_noise for m in r.members] == [v, v]
        assert [m.seed for m in r.members] == [0, 1]
        assert all(m.data_seed == m.init_seed == m.seed for m in r.members)
        # each level trains for its own epochs: the validation curve ends at that epoch
        assert r.settings.epochs == short[v] and r.settings.max_evals == studies.TUNING_EVALS
        assert r.settings.n_val == studies.TUNING_N_VAL
        assert r.eval_epochs[-1] == short[v]
    # the plain level trains the same members as a grid without noise
    plain = res[0.0]
    again = studies.sweep_many({"x": ([m for m in plain.members], plain.settings)}, 1)["x"]
    np.testing.assert_array_equal(plain.val_loss, again.val_loss)
    # noise changes training: the weakest noise, at the same epochs, moves the losses
    assert not np.array_equal(res[min(v for v in studies.NOISE_GRID if v > 0)].val_loss,
                              plain.val_loss)


def test_tuned_takes_a_mapping_of_levels_as_it_takes_one_result(monkeypatch):
    monkeypatch.setattr(studies, "NOISE_EPOCHS", {v: 15 for v in studies.NOISE_GRID})
    res = studies.noise_grid(seeds=2, workers=1)
    joined = SweepResult.concat(res.values())   # same settings at every level here
    by_hand = min(studies.NOISE_GRID, key=lambda v: res[v].best_val_loss.mean())
    assert studies.tuned(res, "input_noise", studies.NOISE_GRID) == by_hand
    assert studies.tuned(joined, "input_noise", studies.NOISE_GRID) == by_hand


def test_strength_figure_with_one_panel():
    grid = studies.NOISE_GRID
    rows = [(0.3, 0.2, 0.4)] * len(grid)
    fig = sweep_figures.strength_figure({"input noise s": ([f"{v:g}" for v in grid], rows, rows,
                                                            1)})
    assert len(fig.axes) == 1 and fig.axes[0].get_title() == "input noise s"
    plt.close(fig)


def test_activation_penalty_pairs_settings_by_seed_and_counts_firing(monkeypatch):
    from regcore import make_data
    from regcore.analysis import units_firing
    monkeypatch.setattr(studies, "ACTIVATION_EPOCHS", 4)
    res = studies.activation_penalty(seeds=2, workers=1)
    l1 = POST_RUNS["l1"].train.l1
    assert list(res) == [("activation_l1", v) for v in studies.ACTIVATION_L1] + [("l1", l1)]
    for (field, value), r in res.items():
        assert [(getattr(m, field), m.data_seed, m.init_seed, m.seed) for m in r.members] == \
            [(value, s, s, s) for s in range(2)]
        assert r.settings.epochs == 4 and r.settings.n_val == studies.TUNING_N_VAL
    r = res[("l1", l1)]
    got = studies.firing_on_test(r)
    x1 = make_data(r.settings.n_train, seed=1).x_test
    assert got[1] == units_firing(r.best_theta[1], r.settings.sizes, x1)[0]


def test_tuning_validation_inputs_are_the_first_of_the_posts():
    """The tuning studies' smaller validation split (TUNING_N_VAL) draws the same inputs as the
    post's first points, and leaves the training and test splits as they were."""
    from regcore import make_data
    post, small = make_data(200), make_data(200, n_val=studies.TUNING_N_VAL)
    assert studies.TUNING_N_VAL < post.n_val
    assert torch.equal(small.x_val, post.x_val[:studies.TUNING_N_VAL])
    for split in ("x_train", "y_train", "x_test", "y_test"):
        assert torch.equal(getattr(small, split), getattr(post, split)), split
