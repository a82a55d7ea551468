"""Many settings or seeds trained at once, as one batched model with stacked parameters.

A sweep trains K *members* — each with its own weight decay, L2 and L1 strength, dropout rate,
input noise, activation penalty, batch size, data seed, init seed and training seed — that share the architecture,
the number of epochs, the optimiser and its learning rate. The K parameter vectors are the rows
of one (K, P) tensor; every layer is a batched matmul over the members, and the backward pass is
written out (``_Stacked.loss_and_grad`` in :mod:`regcore.sweep.stacked`) so that all K gradients
land in one (K, P) buffer; torch's Adam/AdamW/SGD rule (:class:`regcore.optim.FlatOptimizer`),
being elementwise, steps all rows at once with per-member weight decay. Members with different
batch sizes take different numbers of steps per epoch, so :func:`~regcore.sweep.run.sweep` trains
them as separate groups. Members train on the toy problem with mean squared error, or on
splits of the handwritten digits with cross-entropy (``SweepSettings(dataset="digits")``,
:mod:`regcore.digits`).

Each member follows :func:`regcore.training.fit` with the same settings and seeds: the same data
(:func:`regcore.data.make_data` with its data seed), the same initial weights (the model built
with its init seed, then flattened), the same shuffles (a private generator seeded like fit's
global one makes fit's draws per epoch: a loader seed, a shuffle seed for ``randperm``, a
validation-loader seed) and the same operations. Whether a batched matmul rounds its sums as
fit's single one does depends on the BLAS kernel, so the faster forms are checked once per shape
against fit's own operations (:mod:`regcore.sweep.exactness`) and used only where they agree
bit for bit. On this machine (MKL) the full batch and batches of 32 repeat fit's arithmetic
exactly, so even chaotic runs never separate from fit; batches of a few rows shared by several
members round differently in the last bits, and then plain runs agree to 1e-5 and chaotic ones
until their trajectories separate. Dropout masks come from a generator of each member's own
(seeded by its training seed) and epoch 0 is measured in eval mode (fit's
``initial_eval="clean"``), so dropout members agree with ``fit`` in distribution over seeds,
not draw for draw, and a member's run is the same alone as in any sweep or worker split. Input
noise, by contrast, comes from a generator seeded as ``fit`` seeds its own
(:func:`regcore.seeding.input_noise_seed`), so a noisy member repeats ``fit`` draw for draw.
``tests/test_sweep.py`` checks all of these.

Validation runs on a schedule (:mod:`regcore.schedule`); the best epoch is the evaluated epoch of
lowest validation loss, whose parameters are kept and scored once on the held-out test split.
Parameter snapshots are kept at log-spaced epochs only. The validation pass keeps activations
transposed, (K, width, rows), so each layer is one contiguous batched matmul. Speed against
``fit``: ``benchmarks/bench_sweep.py``. Used by the "Beyond one seed" chapters
(``book/beyond/seeds.md``, ``tuning.md``, through :mod:`regcore.studies`) and
``python -m regcore sweep``.

The submodules, one idea each:

* :mod:`~regcore.sweep.settings`: what a sweep is asked for and gives back — :class:`~regcore.sweep.settings.Member`,
  :class:`~regcore.sweep.settings.SweepSettings`, :class:`~regcore.sweep.settings.SweepResult`,
  :func:`~regcore.sweep.settings.check_members`, ``MODEL_KINDS``;
* :mod:`~regcore.sweep.exactness`: the probes of which batched forms round as ``fit`` does,
  cached per shape, and :func:`~regcore.sweep.exactness.repeats_fit_exactly`;
* :mod:`~regcore.sweep.stacked`: the batched model ``_Stacked``, its forward pass and its
  written-out backward pass;
* :mod:`~regcore.sweep.loop`: the training loop of one group of members sharing a batch size;
* :mod:`~regcore.sweep.run`: :func:`~regcore.sweep.run.sweep`, :func:`~regcore.sweep.run.sweep_parallel` and
  :func:`~regcore.sweep.run.sweep_many`, in
  this process or on :func:`regcore.parallel.map_tasks`'s worker processes;
* :mod:`~regcore.sweep.cli`: ``python -m regcore sweep`` (imported by ``regcore/__main__.py``
  only, not here).
"""
from .exactness import repeats_fit_exactly
from .run import sweep, sweep_many, sweep_parallel
from .settings import MODEL_KINDS, Member, SweepResult, SweepSettings, check_members

__all__ = ["MODEL_KINDS", "Member", "SweepSettings", "SweepResult", "check_members", "sweep",
           "sweep_parallel", "sweep_many", "repeats_fit_exactly"]
