"""The batched sweep against single ``fit`` runs (the second implementation), and its bookkeeping.

Plain runs must follow fit within 1e-5 relative over the whole run; chaotic ones (weight decay, L1)
until their trajectories separate, which happens late; dropout members must have fit's
distribution of scores over seeds.
"""
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from regcore import MLP, Linear, TrainSettings, fit, make_data
from regcore.models import load_flat
from regcore.stats import ks_two_sample, separation_epoch
from regcore.sweep import Member, SweepResult, SweepSettings, sweep, sweep_parallel

RTOL = 1e-5


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """One torch thread: steady timings on a shared machine (results do not depend on it)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _close(ours, ref, atol=0.0):
    ours, ref = np.asarray(ours), np.asarray(ref)
    return np.abs(ours - ref) <= RTOL * np.abs(ref) + atol


def _fit(member, settings, **train):
    """The single run a member stands for: its data seed, init seed and training seed (on the
    toy problem, or on its split of the digits with cross-entropy)."""
    if settings.dataset == "digits":
        from regcore.digits import digits_data
        data = digits_data(settings.n_train, settings.n_val, settings.n_test,
                           seed=member.data_seed)
        model = MLP(settings.sizes, dropout=member.dropout, seed=member.init_seed)
    else:
        data = make_data(settings.n_train, seed=member.data_seed)
        model = (Linear(seed=member.init_seed) if settings.model == "linear"
                 else MLP(dropout=member.dropout, seed=member.init_seed))
    ts = TrainSettings(optimizer=settings.optimizer, lr=settings.lr, epochs=settings.epochs,
                       weight_decay=member.weight_decay, l2=member.l2, l1=member.l1,
                       input_noise=member.input_noise, batch_size=member.batch_size,
                       seed=member.seed, loss=settings.loss, **train)
    return fit(model, data, ts)


MIXED = (Member(), Member(data_seed=3, init_seed=5, seed=9), Member(batch_size=32),
         Member(weight_decay=0.085), Member(l2=0.085), Member(l1=0.021))


@pytest.fixture(scope="module")
def mixed():
    settings = SweepSettings(epochs=150, max_evals=None, snapshots=12)
    return settings, sweep(MIXED, settings)


@pytest.mark.parametrize("k", [0, 1, 2])
def test_plain_members_follow_fit_over_the_whole_run(mixed, k):
    settings, res = mixed
    ref = _fit(MIXED[k], settings)
    assert np.all(_close(res.val_loss[k], ref.val_loss))
    # training loss reaches ~1e-11 (round-off) late in the run: relative to 1e-5 or below 1e-8
    assert np.all(_close(res.train_loss[k], ref.train_loss, atol=1e-8))
    assert res.best_epoch[k] == ref.best_epoch
    assert res.test_loss_at_best[k] == pytest.approx(ref.test_loss_at_best, rel=RTOL)
    snaps = ref.snapshots[res.snapshot_epochs]
    assert np.allclose(res.snapshots[k], snaps, rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize("k", [3, 4, 5])
def test_chaotic_members_follow_fit_until_they_separate(mixed, k):
    settings, res = mixed
    ref = _fit(MIXED[k], settings)
    sep = separation_epoch(res.eval_epochs, res.val_loss[k], ref.val_loss, RTOL)
    # measured separations are late (see the report); well before them the histories agree
    assert sep is None or sep > 100
    assert np.all(_close(res.val_loss[k][:101], ref.val_loss[:101]))


def _final_flat(result):
    return torch.cat([v.reshape(-1) for v in result.final_state.values()]).numpy()


@pytest.mark.parametrize("model", ["mlp", "linear"])
def test_members_get_fits_bits_where_the_probes_say_so(model):
    # Stronger than 1e-5: on this machine (MKL) each member repeats fit's arithmetic exactly,
    # full batch and batch 32 alike, so even chaotic runs never separate. Several members per
    # group, so the batched kernels are the ones under test.
    members = [Member(), Member(seed=3, init_seed=4), Member(weight_decay=0.085),
               Member(l1=0.021, data_seed=5), Member(batch_size=32, l2=0.1),
               Member(batch_size=32, seed=7, init_seed=7)]
    settings = SweepSettings(model=model, epochs=60, max_evals=None, snapshots=0)
    res = sweep(members, settings)
    for k, m in enumerate(members):
        ref = _fit(m, settings, snapshot_every=0)
        assert np.array_equal(res.train_loss[k], ref.train_loss), k
        assert np.array_equal(res.final_theta[k], _final_flat(ref)), k


@pytest.mark.parametrize("model", ["linear", "mlp"])
def test_input_noise_members_repeat_fit_draw_for_draw(model):
    # Unlike dropout masks, input noise comes from a generator seeded as fit seeds its own
    # (regcore.seeding.input_noise_seed), one (rows, dims) draw per step: a noisy member is fit's
    # run, held to what plain members are held to (1e-5 over the whole run, and fit's bits where
    # the probes say so: full batch and batch 32 here). Noisy and clean members share a group;
    # the batch-32 member takes several steps (draws) per epoch.
    members = [Member(input_noise=0.3), Member(), Member(input_noise=0.3, seed=3, init_seed=4),
               Member(input_noise=0.1, data_seed=5), Member(input_noise=0.3, batch_size=32)]
    settings = SweepSettings(model=model, epochs=50, max_evals=None, snapshots=6)
    res = sweep(members, settings)
    for k, m in enumerate(members):
        ref = _fit(m, settings)
        assert np.all(_close(res.val_loss[k], ref.val_loss)), k
        assert np.all(_close(res.train_loss[k], ref.train_loss, atol=1e-8)), k
        assert res.best_epoch[k] == ref.best_epoch, k
        assert np.allclose(res.snapshots[k], ref.snapshots[res.snapshot_epochs], rtol=RTOL,
                           atol=1e-6), k
        assert np.array_equal(res.train_loss[k], ref.train_loss), k
        assert np.array_equal(res.final_theta[k], _final_flat(ref)), k
    # the noise acted (the clean member's epoch 1 differs), and only on training steps: epoch 0
    # is measured on clean inputs
    assert res.train_loss[0, 0] == res.train_loss[1, 0]
    assert not np.array_equal(res.train_loss[0, 1:], res.train_loss[1, 1:])


@pytest.mark.parametrize("rows", [3, 32, 200])
@pytest.mark.parametrize("sizes", [(50, 25, 25, 1), (50, 1), (8, 5, 4, 3, 1)])
def test_batched_step_matches_the_per_member_reference(rows, sizes, request):
    # Both layouts agree with fit's own operations to float32 round-off at every shape; the
    # probes pick bit-exact forms where they exist.
    from regcore.sweep.exactness import _fit_loss_and_grad, _step_is_exact
    from regcore.sweep.stacked import _Stacked
    gen = torch.Generator().manual_seed(rows)
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    theta = torch.rand(4, n_params, generator=gen) - 0.5
    x, y = torch.randn(4, rows, sizes[0], generator=gen), torch.randn(4, rows, 1, generator=gen)
    ref_loss, ref_grad = _fit_loss_and_grad(theta, sizes, x, y)
    for fast in (False, True):
        loss, grad = _Stacked(theta, sizes, fast=fast).loss_and_grad(x, y)
        assert torch.allclose(loss, ref_loss, rtol=1e-6, atol=0)
        assert torch.allclose(grad, ref_grad, rtol=1e-4, atol=1e-6)
        if _step_is_exact(rows, sizes, fast):
            # where the probe says a layout is exact, it is exact on other numbers too
            assert torch.equal(loss, ref_loss) and torch.equal(grad, ref_grad), fast


@pytest.mark.parametrize("rows", [3, 32, 200])
@pytest.mark.parametrize("sizes", [(50, 25, 25, 1), (50, 1), (8, 5, 4, 3, 1)])
def test_default_layout_is_bit_exact_where_a_probe_says_one_is(rows, sizes, request):
    # The layout _Stacked picks by itself (fast=None) gives fit's bits whenever either probe
    # found an exact layout for the shape; where neither did, there is nothing exact to test.
    from regcore.sweep.exactness import _fit_loss_and_grad, _step_is_exact
    from regcore.sweep.stacked import _Stacked
    probes = {fast: _step_is_exact(rows, sizes, fast) for fast in (True, False)}
    if not any(probes.values()):
        pytest.skip(f"_step_is_exact({rows}, {sizes}) is False for both layouts "
                    f"(fast=True: {probes[True]}, fast=False: {probes[False]}) on this machine: "
                    "sweep members with this shape follow fit to round-off, not bit for bit")
    gen = torch.Generator().manual_seed(rows + 1)
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    theta = torch.rand(5, n_params, generator=gen) - 0.5
    x, y = torch.randn(5, rows, sizes[0], generator=gen), torch.randn(5, rows, 1, generator=gen)
    ref_loss, ref_grad = _fit_loss_and_grad(theta, sizes, x, y)
    loss, grad = _Stacked(theta, sizes).loss_and_grad(x, y)
    assert torch.equal(loss, ref_loss) and torch.equal(grad, ref_grad), probes


def test_the_post_batch_sizes_repeat_fit_exactly_here():
    # what the chapters say about this machine; the sweep test above shows it over whole runs
    from regcore.sweep import repeats_fit_exactly
    assert repeats_fit_exactly(200) and repeats_fit_exactly(32)
    assert repeats_fit_exactly(200, (50, 1)) and repeats_fit_exactly(32, (50, 1))


def test_per_member_reference_is_fits_model_and_autograd():
    from regcore.sweep.exactness import _fit_loss_and_grad
    from regcore.models import flatten_params
    x, y = torch.randn(1, 40, 50), torch.randn(1, 40, 1)
    for model in (MLP(seed=3), Linear(seed=3)):
        F.mse_loss(model(x[0]), y[0]).backward()
        grad = torch.cat([p.grad.reshape(-1) for p in model.parameters()])
        _, ref = _fit_loss_and_grad(flatten_params(model)[None], model.sizes, x, y)
        assert torch.equal(ref[0], grad)


def test_linear_model_and_other_optimisers():
    for opt, lr, member in (("adam", 0.1, Member()), ("sgd", 0.1, Member(l2=0.05)),
                            ("adamw", 0.1, Member(weight_decay=0.3))):
        settings = SweepSettings(model="linear", optimizer=opt, lr=lr, epochs=80, max_evals=None,
                                 snapshots=0)
        res = sweep([member, Member(init_seed=1, seed=1)], settings)
        ref = _fit(member, settings)
        assert np.all(_close(res.val_loss[0], ref.val_loss)), opt
        assert res.best_epoch[0] == ref.best_epoch


def test_full_batch_sgd_members_reach_their_ridge_solutions():
    # Closed form, independent of fit: full-batch GD on MSE + (l2/2)|θ|² converges to ridge.
    data = make_data(200, seed=42)
    settings = SweepSettings(model="linear", optimizer="sgd", lr=0.2, epochs=3000, max_evals=30,
                             dense_epochs=5, snapshots=0)
    res = sweep([Member(l2=0.0), Member(l2=0.5)], settings)
    a = torch.cat([data.x_train, torch.ones(200, 1)], 1).double()
    y = data.y_train.double()
    for k, l2 in enumerate((0.0, 0.5)):
        ridge = torch.linalg.solve(a.T @ a / 100 + l2 * torch.eye(51, dtype=torch.float64),
                                   a.T @ y / 100).squeeze()
        assert np.allclose(res.final_theta[k], ridge.numpy(), atol=2e-5)


def test_dropout_members_have_fits_distribution_over_seeds():
    seeds = range(20)
    settings = SweepSettings(epochs=120, max_evals=None, snapshots=0)
    members = [Member(dropout=0.1, init_seed=s, seed=s) for s in seeds]
    ours = sweep(members + [Member(dropout=0.4, init_seed=s, seed=s) for s in seeds], settings)
    ref = np.array([_fit(m, settings, snapshot_every=0).best_val_loss for m in members])
    d, p = ks_two_sample(ours.best_val_loss[:20], ref)
    assert p > 0.05, (d, p)
    # the test has power: a different dropout rate is a different distribution
    d_other, p_other = ks_two_sample(ours.best_val_loss[20:], ref)
    assert p_other < 0.01, (d_other, p_other)


def test_zero_dropout_members_stay_exact_beside_dropout_members():
    settings = SweepSettings(epochs=60, max_evals=None, snapshots=0)
    res = sweep([Member(dropout=0.3), Member()], settings)
    ref = _fit(Member(), settings)
    assert np.all(_close(res.val_loss[1], ref.val_loss))


def test_a_dropout_member_runs_the_same_alone_and_in_any_split():
    settings = SweepSettings(epochs=40, max_evals=None, snapshots=0)
    members = [Member(dropout=0.2, seed=s, init_seed=s) for s in range(4)] + [Member()]
    together = sweep(members, settings)
    alone = sweep([members[2]], settings)
    split = sweep_parallel(members, settings, workers=2)
    assert np.array_equal(alone.val_loss[0], together.val_loss[2])
    assert np.array_equal(split.val_loss, together.val_loss)
    # and the masks differ between members: different seeds, different runs
    assert not np.array_equal(together.val_loss[0], together.val_loss[1])


def test_schedule_best_epoch_state_and_test_score():
    settings = SweepSettings(epochs=400, max_evals=40, dense_epochs=10, snapshots=0)
    res = sweep([Member(), Member(l1=0.021, seed=3, init_seed=3)], settings)
    assert len(res.eval_epochs) <= 40 and res.val_loss.shape == (2, len(res.eval_epochs))
    data = make_data(200)
    ref = _fit(Member(), SweepSettings(epochs=400))
    for k in range(2):
        j = int(np.argmin(res.val_loss[k]))
        assert res.best_epoch[k] == res.eval_epochs[j]
        assert res.best_val_loss[k] == res.val_loss[k, j]
        # an independent forward pass of the kept state gives the recorded scores
        model = MLP()
        state, offset = {}, 0
        for name, p in model.named_parameters():
            state[name] = torch.from_numpy(res.best_theta[k, offset:offset + p.numel()]
                                           ).view_as(p)
            offset += p.numel()
        with torch.no_grad():
            val = F.mse_loss(torch.func.functional_call(model, state, (data.x_val,)),
                             data.y_val).item()
            test = F.mse_loss(torch.func.functional_call(model, state, (data.x_test,)),
                              data.y_test).item()
        assert val == pytest.approx(res.best_val_loss[k], rel=RTOL)
        assert test == pytest.approx(res.test_loss_at_best[k], rel=RTOL)
    # the plain member's scheduled losses are fit's at the same epochs
    assert np.all(_close(res.val_loss[0], ref.val_loss[res.eval_epochs]))


def test_snapshot_memory_for_512_members_is_under_2_gb():
    settings = SweepSettings(epochs=2000)
    assert settings.snapshot_bytes(512) < 2 * 1024 ** 3
    small = SweepSettings(epochs=30, max_evals=None, snapshots=8)
    res = sweep([Member(seed=s) for s in range(3)], small)
    assert res.snapshots.nbytes == small.snapshot_bytes(3)
    assert res.snapshots.shape == (3, len(small.snapshot_epochs()), 1951)


def test_diverging_member_is_marked_and_others_are_untouched():
    settings = SweepSettings(model="linear", optimizer="sgd", lr=0.2, epochs=100, max_evals=None,
                             snapshots=0)
    res = sweep([Member(l2=20.0), Member()], settings)
    ref = _fit(Member(), settings)
    assert res.diverged_epoch[0] > 0 and res.diverged_epoch[1] == -1
    assert np.all(_close(res.val_loss[1], ref.val_loss))


def test_parallel_split_and_selection_keep_member_order():
    members = [Member(seed=s, init_seed=s, label=f"s{s}") for s in range(4)]
    settings = SweepSettings(epochs=40, max_evals=None, snapshots=5)
    one = sweep(members, settings)
    two = sweep_parallel(members, settings, workers=2)
    assert [m.label for m in two.members] == [m.label for m in members]
    # promised identical: each member's arithmetic does not depend on its process or neighbours
    for name in ("eval_epochs", "val_loss", "train_loss", "best_epoch", "best_val_loss",
                 "train_loss_at_best", "test_loss_at_best", "snapshot_epochs", "snapshots",
                 "best_theta", "final_theta", "diverged_epoch"):
        a, b = getattr(one, name), getattr(two, name)
        assert a.shape == b.shape and np.array_equal(a, b), name
    sub = one.where(label="s2")
    assert len(sub) == 1 and np.array_equal(sub.val_loss[0], one.val_loss[2])
    both = SweepResult.concat([one.select(slice(0, 2)), one.select(slice(2, 4))])
    assert np.array_equal(both.best_val_loss, one.best_val_loss)
    rec = one.records()[0]
    assert rec["label"] == "s0" and rec["best_epoch"] == one.best_epoch[0]


@pytest.mark.parametrize("make, name", [
    (lambda: Member(weight_decay=-0.1), "weight_decay"), (lambda: Member(dropout=1.0), "dropout"),
    (lambda: Member(batch_size=0), "batch_size"), (lambda: Member(data_seed=-1), "data_seed"),
    (lambda: SweepSettings(optimizer="lbfgs"), "optimizer"), (lambda: SweepSettings(lr=0), "lr"),
    (lambda: SweepSettings(max_evals=5), "max_evals"), (lambda: SweepSettings(snapshots=1),
                                                        "snapshots"),
    (lambda: SweepSettings(device="tpu"), "device"), (lambda: SweepSettings(model="cnn"), "model"),
    (lambda: sweep([]), "members"), (lambda: sweep([Member(batch_size=500)]), "batch_size"),
    (lambda: sweep([Member(dropout=0.1)], SweepSettings(model="linear")), "dropout")])
def test_bad_settings_are_refused_with_their_name(make, name):
    with pytest.raises(ValueError, match=name):
        make()


DIGITS = SweepSettings(sizes=(64, 16, 10), dataset="digits", n_train=120, n_val=300,
                       n_test=400, epochs=40, max_evals=None, snapshots=5)


@pytest.mark.parametrize("sizes", [(64, 16, 10), (64, 10)])
def test_digits_members_repeat_fits_cross_entropy_run(sizes):
    # Cross-entropy: the written-out backward (nll_loss's gradient, then log_softmax's own
    # backward kernel, for all members at once) against fit's autograd. Held to the plain
    # members' standard (1e-5 over the run), and to fit's bits where the probes say so.
    from regcore.sweep.exactness import repeats_fit_exactly
    settings = replace(DIGITS, sizes=sizes)
    members = [Member(data_seed=1), Member(data_seed=2, init_seed=3, seed=4, weight_decay=0.01),
               Member(data_seed=1, l1=0.001), Member(data_seed=2, batch_size=30, l2=0.01),
               Member(data_seed=1, batch_size=30, input_noise=0.1)]
    res = sweep(members, settings)
    for k, m in enumerate(members):
        ref = _fit(m, settings)
        assert np.all(_close(res.val_loss[k], ref.val_loss)), k
        assert np.all(_close(res.train_loss[k], ref.train_loss, atol=1e-8)), k
        assert res.best_epoch[k] == ref.best_epoch, k
        assert res.test_loss_at_best[k] == pytest.approx(ref.test_loss_at_best, rel=RTOL), k
        if repeats_fit_exactly(m.batch_size or settings.n_train, sizes, loss="cross_entropy"):
            assert np.array_equal(res.train_loss[k], ref.train_loss), k
            assert np.array_equal(res.final_theta[k], _final_flat(ref)), k
    # the runs learned: cross-entropy from about log(10) at the start to well below it
    assert np.all(res.train_loss[:, 0] > 0.8 * np.log(10))
    assert np.all(res.best_val_loss < 0.6 * np.log(10))


def test_digits_evaluation_pass_is_mean_cross_entropy():
    # _Stacked.loss (chunked, transposed, float64 sums) against F.cross_entropy per member,
    # for a shared split and for one split per member
    from regcore.digits import digits_data
    from regcore.sweep.stacked import _Stacked
    gen = torch.Generator().manual_seed(0)
    theta = torch.randn(3, 64 * 16 + 16 + 16 * 10 + 10, generator=gen) * 0.3
    data = [digits_data(50, 300, 400, seed=s) for s in (1, 2, 3)]
    net = _Stacked(theta, (64, 16, 10), loss="cross_entropy")
    shared = net.loss(data[0].x_val, data[0].y_val, chunk=128, shared=True)
    apart = net.loss(torch.stack([d.x_val for d in data]), torch.stack([d.y_val for d in data]),
                     chunk=128, shared=False)
    for k in range(3):
        model = load_flat(MLP((64, 16, 10)), theta[k])
        with torch.no_grad():
            ref0 = F.cross_entropy(model(data[0].x_val), data[0].y_val).item()
            refk = F.cross_entropy(model(data[k].x_val), data[k].y_val).item()
        assert float(shared[k]) == pytest.approx(ref0, rel=1e-6)
        assert float(apart[k]) == pytest.approx(refk, rel=1e-6)


@pytest.mark.parametrize("rows", [3, 30, 120])
@pytest.mark.parametrize("sizes", [(64, 16, 10), (64, 10), (8, 5, 4, 3)])
def test_cross_entropy_step_matches_fits_autograd(rows, sizes):
    # The per-member reference is F.cross_entropy and autograd on fit's layers; both layouts
    # agree with it to round-off, and bit for bit where the probe says so.
    from regcore.sweep.exactness import _fit_loss_and_grad, _step_is_exact
    from regcore.sweep.stacked import _Stacked
    gen = torch.Generator().manual_seed(rows)
    n_params = sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    theta = torch.rand(4, n_params, generator=gen) - 0.5
    x = torch.randn(4, rows, sizes[0], generator=gen)
    y = torch.randint(sizes[-1], (4, rows), generator=gen)
    ref_loss, ref_grad = _fit_loss_and_grad(theta, sizes, x, y, "cross_entropy")
    model = load_flat(MLP(sizes), theta[0])
    F.cross_entropy(model(x[0]), y[0]).backward()
    assert torch.equal(ref_grad[0], torch.cat([p.grad.reshape(-1) for p in model.parameters()]))
    for fast in (False, True):
        loss, grad = _Stacked(theta, sizes, fast=fast, loss="cross_entropy").loss_and_grad(x, y)
        assert torch.allclose(loss, ref_loss, rtol=1e-6, atol=0)
        assert torch.allclose(grad, ref_grad, rtol=1e-4, atol=1e-6)
        if _step_is_exact(rows, sizes, fast, loss="cross_entropy"):
            assert torch.equal(loss, ref_loss) and torch.equal(grad, ref_grad), fast


def test_activation_l1_members_repeat_fit_bit_for_bit():
    # The penalty's gradient fl(λ/rows), added to each hidden layer's gradient before the ReLU's
    # backward, as autograd accumulates it in fit; members with and without it share a group.
    from regcore.sweep import repeats_fit_exactly
    members = [Member(activation_l1=0.01), Member(), Member(activation_l1=0.003, seed=3,
                                                             init_seed=4, batch_size=32),
               Member(activation_l1=0.02, l1=0.01, data_seed=5)]
    settings = SweepSettings(epochs=60, max_evals=None, snapshots=0)
    res = sweep(members, settings)
    for k, m in enumerate(members):
        ts = TrainSettings(epochs=60, activation_l1=m.activation_l1, l1=m.l1,
                           batch_size=m.batch_size, seed=m.seed, snapshot_every=0)
        ref = fit(MLP(seed=m.init_seed), make_data(200, seed=m.data_seed), ts)
        assert np.all(_close(res.val_loss[k], ref.val_loss)), k
        if repeats_fit_exactly(m.batch_size or settings.n_train):
            assert np.array_equal(res.train_loss[k], ref.train_loss), k
            assert np.array_equal(res.final_theta[k], _final_flat(ref)), k
    # the penalty acted: the first two members differ only in it
    assert not np.array_equal(res.final_theta[0], res.final_theta[1])


def test_task_cost_orders_the_pools_tasks_by_their_work():
    """sweep_many starts its longest parts first: the estimate must rank what costs more higher,
    by about the factor measured in worker seconds (tuning grids and learning curves, 20 seeds)."""
    from regcore.studies import post_settings
    from regcore.sweep.run import _task_cost

    def at(n, n_val=2000, **fields):   # the tuning grids' schedule, where these were measured
        return (tuple(Member(**fields, seed=s) for s in range(4)),
                post_settings("mlp", n_train=n, epochs=1000, max_evals=48, n_val=n_val))

    assert _task_cost(at(200, dropout=0.1)) > 1.7 * _task_cost(at(200))       # measured 2.0x
    assert _task_cost(at(200, input_noise=0.1)) > 1.5 * _task_cost(at(200))   # measured 1.7x
    assert _task_cost(at(800, 10_000)) > 3 * _task_cost(at(50, 10_000))       # measured 4.1x
    assert _task_cost(at(200, batch_size=16)) > 2 * _task_cost(at(200))       # 16 and 32: 2.5x
    # twice the members, twice the work
    twice = (at(200)[0] * 2, at(200)[1])
    assert _task_cost(twice) == pytest.approx(2 * _task_cost(at(200)))
