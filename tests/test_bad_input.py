"""Bad input, as a new user might type it, across the library and the CLI: one table.

Each row is a call that must fail, the parameter its message must name and, where practical, the
offending value as the message shows it. The house convention (``regcore.settings``, on ``regcore._checks``) is a
``ValueError`` "name=value is not allowed: name must be …"; the CLI exits with status 2 and the
message on stderr (argparse's ``error``).
"""
from __future__ import annotations

import functools
import math
import sys

import pytest
import torch

import regcore
from regcore import MLP, Linear, ModelSpec, TrainSettings, fit, make_data, run, run_post
from regcore.__main__ import main
from regcore.data import whiten_design
from regcore.digits import digits_data
from regcore.optim import FlatOptimizer
from regcore.schedule import evaluation_epochs, log_epochs
from regcore.stats import mean_interval
from regcore.sweep import Member, SweepResult, SweepSettings, sweep, sweep_many, sweep_parallel
from regcore.sweep.cli import members_for

BIG = 2 ** 32  # one past the largest seed NumPy's legacy generator takes


@functools.cache
def _data():
    return make_data(n_train=40, n_val=20, n_test=20)


def _fit(model=None, settings=None, data=None):
    return fit(MLP() if model is None else model, _data() if data is None else data,
               TrainSettings(epochs=1) if settings is None else settings)


def row(call, name, value=None, exc=ValueError, id=None):
    return pytest.param(call, name, value, exc, id=id or name)


LIBRARY = [
    # make_data / whiten_design
    row(lambda: make_data(n_train=0), "n_train", "0", id="make_data n_train=0"),
    row(lambda: make_data(n_val=0), "n_val", "0", id="make_data n_val=0"),
    row(lambda: make_data(n_test=-5), "n_test", "-5", id="make_data n_test<0"),
    row(lambda: make_data(dims=0), "dims", "0", id="make_data dims=0"),
    row(lambda: make_data(noise=-0.1), "noise", "-0.1", id="make_data noise<0"),
    row(lambda: make_data(noise=math.nan), "noise", "nan", id="make_data noise=nan"),
    row(lambda: make_data(n_train=2.5), "n_train", "2.5", id="make_data n_train float"),
    row(lambda: make_data(n_train=True), "n_train", "True", id="make_data bool for int"),
    row(lambda: make_data(seed=-1), "seed", "-1", id="make_data seed<0"),
    row(lambda: make_data(seed=BIG), "seed", str(BIG), id="make_data seed>=2**32"),
    row(lambda: make_data(n_train=30, whiten=True), "n_train", "30", id="whiten n_train<dims"),
    row(lambda: whiten_design(make_data(n_train=10, n_val=5, n_test=5)), "n_train", "10",
        id="whiten_design n_train<dims"),
    # models
    row(lambda: Linear(dims=0), "dims", "0", id="Linear dims=0"),
    row(lambda: Linear(seed=BIG), "seed", str(BIG), id="Linear seed>=2**32"),
    row(lambda: MLP(sizes=(50,)), "sizes", "(50,)", id="MLP one width"),
    row(lambda: _fit(MLP(sizes=(50, 25, 3))), "sizes[-1]", "3", id="fit toy output width 3"),
    row(lambda: MLP(sizes=(50, 0, 1)), "sizes[1]", "0", id="MLP width 0"),
    row(lambda: MLP(sizes=50), "sizes", "50", id="MLP sizes int"),
    row(lambda: MLP(dropout=1.0), "dropout", "1.0", id="MLP dropout=1"),
    row(lambda: MLP(dropout=-0.1), "dropout", "-0.1", id="MLP dropout<0"),
    row(lambda: MLP(seed=BIG), "seed", str(BIG), id="MLP seed>=2**32"),
    # ModelSpec
    row(lambda: ModelSpec(kind="cnn"), "kind", "'cnn'", id="ModelSpec kind=cnn"),
    row(lambda: ModelSpec(sizes=(50,)), "sizes", "(50,)", id="ModelSpec one width"),
    row(lambda: ModelSpec(sizes=(50, 25, 0)), "sizes[2]", "0", id="ModelSpec output 0"),
    row(lambda: ModelSpec(seed=BIG), "seed", str(BIG), id="ModelSpec seed>=2**32"),
    row(lambda: ModelSpec(kind="linear", dropout=0.2), "dropout", "0.2", id="ModelSpec linear "
        "dropout"),
    row(lambda: ModelSpec(sizes=(30, 25, 1)).build(50), "sizes[0]", "30",
        id="ModelSpec.build width rewrite"),
    row(lambda: ModelSpec(sizes=(30, 25, 1)).build(50), "dims", "50",
        id="ModelSpec.build names dims"),
    # TrainSettings
    row(lambda: TrainSettings(lr=-0.1), "lr", "-0.1", id="lr<0"),
    row(lambda: TrainSettings(lr=0), "lr", "0", id="lr=0"),
    row(lambda: TrainSettings(lr=math.nan), "lr", "nan", id="lr=nan"),
    row(lambda: TrainSettings(lr="0.01"), "lr", "'0.01'", id="lr string"),
    row(lambda: TrainSettings(epochs=0), "epochs", "0", id="epochs=0"),
    row(lambda: TrainSettings(epochs=1.5), "epochs", "1.5", id="epochs=1.5"),
    row(lambda: TrainSettings(epochs=True), "epochs", "True", id="epochs bool"),
    row(lambda: TrainSettings(weight_decay=-1.0), "weight_decay", "-1.0", id="weight_decay<0"),
    row(lambda: TrainSettings(l2=-0.1), "l2", "-0.1", id="l2<0"),
    row(lambda: TrainSettings(l1=-0.5), "l1", "-0.5", id="l1<0"),
    row(lambda: TrainSettings(batch_size=0), "batch_size", "0", id="batch_size=0"),
    row(lambda: TrainSettings(input_noise=-0.1), "input_noise", "-0.1", id="input_noise<0"),
    row(lambda: TrainSettings(input_noise=math.nan), "input_noise", "nan", id="input_noise=nan"),
    row(lambda: TrainSettings(input_noise=math.inf), "input_noise", "inf", id="input_noise=inf"),
    row(lambda: TrainSettings(input_noise="0.1"), "input_noise", "'0.1'",
        id="input_noise string"),
    row(lambda: TrainSettings(input_noise=True), "input_noise", "True", id="input_noise bool"),
    row(lambda: TrainSettings(optimizer="rmsprop"), "optimizer", "'rmsprop'", id="rmsprop"),
    row(lambda: TrainSettings(seed=BIG), "seed", str(BIG), id="TrainSettings seed>=2**32"),
    row(lambda: TrainSettings(seed=-1), "seed", "-1", id="TrainSettings seed<0"),
    row(lambda: TrainSettings(snapshot_every=-1), "snapshot_every", "-1", id="snapshot_every<0"),
    row(lambda: TrainSettings(device="meta"), "device", "'meta'", id="device=meta"),
    row(lambda: TrainSettings(device="mps"), "device", "'mps'", id="device=mps"),
    row(lambda: TrainSettings(device="tpu"), "device", "'tpu'", id="device=tpu"),
    row(lambda: TrainSettings(device=f"cuda:{max(torch.cuda.device_count(), 1) + 7}"),
        "device", "'cuda:", id="device=cuda:N absent"),
    row(lambda: TrainSettings(device=0), "device", "0", id="device int"),
    row(lambda: TrainSettings(optimizer="adamw", lr=0.1, weight_decay=10.0), "weight_decay",
        "10.0", id="adamw lr*wd=1"),
    row(lambda: TrainSettings(optimizer="adamw", lr=0.5, weight_decay=3.0), "lr", "0.5",
        id="adamw lr*wd>1"),
    # fit
    row(lambda: _fit(settings=TrainSettings(epochs=1, batch_size=41)), "batch_size", "41",
        id="fit batch_size>n_train"),
    row(lambda: _fit(model=MLP().double()), "dtype", "torch.float64", id="fit float64 model"),
    row(lambda: _fit(model=MLP().double()), "data dtype", "torch.float32",
        id="fit names data dtype"),
    row(lambda: _fit(model=MLP((30, 5, 1))), "sizes[0]", "30", id="fit MLP width"),
    row(lambda: _fit(model=torch.nn.Sequential(torch.nn.Linear(30, 1))), "in_features", "30",
        id="fit Sequential width"),
    row(lambda: _fit(settings={"epochs": 1}), "settings", "{'epochs': 1}", id="fit settings dict"),
    row(lambda: _fit(model=torch.nn.ReLU()), "model", "ReLU", id="fit model without params"),
    row(lambda: _fit(data=(1, 2)), "data", "(1, 2)", id="fit data tuple"),
    # run / run_post
    row(lambda: run("ridge"), "name", "'ridge'", id="run unknown name"),
    row(lambda: run("linear", n_train=0), "n_train", "0", id="run n_train=0"),
    row(lambda: run("linear", device="meta"), "device", "'meta'", id="run device=meta"),
    row(lambda: run_post(n_trains=200), "n_trains", "200", id="run_post n_trains int"),
    row(lambda: run_post(n_trains=(0,)), "n_train", "0", id="run_post n_train=0"),
    row(lambda: run_post(n_trains=()), "n_trains", "()", id="run_post no n_trains"),
    row(lambda: run_post(names="linear"), "names", "'linear'", id="run_post names string"),
    row(lambda: run_post(names=("ridge",)), "name", "'ridge'", id="run_post unknown name"),
    row(lambda: run_post(workers=0), "workers", "0", id="run_post workers=0"),
    row(lambda: run_post(device="mps"), "device", "'mps'", id="run_post device=mps"),
    # sweep: Member, SweepSettings, sweep, sweep_many, concat, CLI helpers
    row(lambda: Member(weight_decay=-0.1), "weight_decay", "-0.1", id="Member wd<0"),
    row(lambda: Member(dropout=1.0), "dropout", "1.0", id="Member dropout=1"),
    row(lambda: Member(batch_size=0), "batch_size", "0", id="Member batch_size=0"),
    row(lambda: Member(input_noise=-0.5), "input_noise", "-0.5", id="Member input_noise<0"),
    row(lambda: Member(input_noise=math.inf), "input_noise", "inf",
        id="Member input_noise=inf"),
    row(lambda: Member(data_seed=BIG), "data_seed", str(BIG), id="Member data_seed>=2**32"),
    row(lambda: Member(init_seed=BIG), "init_seed", str(BIG), id="Member init_seed>=2**32"),
    row(lambda: Member(seed=BIG), "seed", str(BIG), id="Member seed>=2**32"),
    row(lambda: Member(label=3), "label", "3", id="Member label int"),
    row(lambda: SweepSettings(lr=0), "lr", "0", id="SweepSettings lr=0"),
    row(lambda: SweepSettings(optimizer="lbfgs"), "optimizer", "'lbfgs'", id="Sweep lbfgs"),
    row(lambda: SweepSettings(epochs=0), "epochs", "0", id="SweepSettings epochs=0"),
    row(lambda: SweepSettings(model="cnn"), "model", "'cnn'", id="SweepSettings model=cnn"),
    row(lambda: SweepSettings(sizes=(50,)), "sizes", "(50,)", id="SweepSettings one width"),
    row(lambda: SweepSettings(sizes=(50, 25, 2)), "sizes[-1]", "2", id="SweepSettings output 2"),
    row(lambda: SweepSettings(n_train=0), "n_train", "0", id="SweepSettings n_train=0"),
    # classification: the digits and cross-entropy
    row(lambda: digits_data(n_train=600), "n_train", "600", id="digits_data too many images"),
    row(lambda: digits_data(n_val=0), "n_val", "0", id="digits_data n_val=0"),
    row(lambda: digits_data(seed=-1), "seed", "-1", id="digits_data seed<0"),
    row(lambda: TrainSettings(loss="hinge"), "loss", "'hinge'", id="TrainSettings loss"),
    row(lambda: TrainSettings(activation_l1=-0.1), "activation_l1", "-0.1",
        id="TrainSettings activation_l1<0"),
    row(lambda: Member(activation_l1=math.nan), "activation_l1", "nan",
        id="Member activation_l1=nan"),
    row(lambda: _fit(Linear(), TrainSettings(epochs=1, activation_l1=0.1)), "activation_l1",
        "0.1", id="fit linear activation_l1"),
    row(lambda: sweep([Member(activation_l1=0.1)], SweepSettings(model="linear")),
        "activation_l1", "0.1", id="sweep linear activation_l1"),
    row(lambda: _fit(settings=TrainSettings(epochs=1, loss="cross_entropy")), "loss",
        "'cross_entropy'", id="fit cross-entropy on float targets"),
    row(lambda: _fit(MLP(sizes=(64, 10)), data=digits_data(n_train=50)), "loss", "'mse'",
        id="fit mse on labels"),
    row(lambda: _fit(MLP(sizes=(64, 9)), TrainSettings(epochs=1, loss="cross_entropy"),
                     digits_data(n_train=50)), "sizes[-1]", "9", id="fit digits 9 outputs"),
    row(lambda: SweepSettings(dataset="mnist"), "dataset", "'mnist'", id="SweepSettings mnist"),
    row(lambda: SweepSettings(dataset="digits", n_val=500, n_test=797), "sizes[0]", "50",
        id="SweepSettings digits 50 inputs"),
    row(lambda: SweepSettings(dataset="digits", sizes=(64, 25, 1), n_val=500, n_test=797),
        "sizes[-1]", "1", id="SweepSettings digits one output"),
    row(lambda: SweepSettings(dataset="digits", sizes=(64, 10)), "n_train", "200",
        id="SweepSettings digits splits too big"),
    row(lambda: SweepSettings(dataset="digits", model="linear", sizes=(64, 10)), "model",
        "'linear'", id="SweepSettings digits linear"),
    row(lambda: SweepSettings(noise=-1.0), "noise", "-1.0", id="SweepSettings noise<0"),
    row(lambda: SweepSettings(max_evals=5), "max_evals", "5", id="SweepSettings max_evals"),
    row(lambda: SweepSettings(snapshots=1), "snapshots", "1", id="SweepSettings snapshots=1"),
    row(lambda: SweepSettings(device="meta"), "device", "'meta'", id="SweepSettings meta"),
    row(lambda: sweep([]), "members", "()", id="sweep no members"),
    row(lambda: sweep(Member()), "members", "Member(", id="sweep one Member not a list"),
    row(lambda: sweep([Member(batch_size=500)]), "batch_size", "500", id="sweep batch>n_train"),
    row(lambda: sweep([Member(dropout=0.1)], SweepSettings(model="linear")), "dropout", "0.1",
        id="sweep linear dropout"),
    row(lambda: sweep([Member(weight_decay=100.0)], SweepSettings(optimizer="adamw", lr=0.01)),
        "weight_decay", "100.0", id="sweep adamw lr*wd=1"),
    row(lambda: sweep([Member()], {"lr": 0.01}), "settings", "{'lr': 0.01}",
        id="sweep settings dict"),
    row(lambda: sweep_parallel([Member(weight_decay=200.0)] * 2,
                               SweepSettings(optimizer="adamw")), "weight_decay", "200.0",
        id="sweep_parallel adamw"),
    row(lambda: sweep_many({}), "jobs", "{}", id="sweep_many no jobs"),
    row(lambda: sweep_many({"a": ([], SweepSettings())}), "members", "()",
        id="sweep_many empty job"),
    row(lambda: sweep_many({"a": [Member()]}), "jobs['a']", None, id="sweep_many bad job"),
    row(lambda: SweepResult.concat([]), "results", "[]", id="concat nothing"),
    row(lambda: members_for("mlp", {}, 1, "init", first_seed=BIG), "first_seed", str(BIG),
        id="members_for first_seed>=2**32"),
    row(lambda: members_for("mlp", {}, 2, "init", first_seed=BIG - 1), "seeds", "2",
        id="members_for last seed>=2**32"),
    row(lambda: members_for("mlp", {}, 1, "sideways"), "vary", "'sideways'", id="vary"),
    # schedule, optimiser, stats
    row(lambda: evaluation_epochs(0), "epochs", "0", id="evaluation_epochs epochs=0"),
    row(lambda: evaluation_epochs(100, max_evals=3, dense=16), "max_evals", "3",
        id="evaluation_epochs max_evals"),
    row(lambda: log_epochs(10, 1), "count", "1", id="log_epochs count=1"),
    row(lambda: FlatOptimizer("rmsprop", 0.01), "kind", "'rmsprop'", id="FlatOptimizer kind"),
    row(lambda: mean_interval([1.0, math.nan, 2.0]), "values", None, id="mean_interval nan"),
]


@pytest.mark.parametrize("call, name, value, exc", LIBRARY)
def test_library_names_the_bad_parameter(call, name, value, exc):
    with pytest.raises(exc) as err:
        call()
    message = str(err.value)
    assert name in message, message
    if value is not None:
        assert value in message, message


CLI = [
    (["run", "ridge"], "name", "'ridge'"),
    (["run", "linear", "--n-train", "0", "--no-progress"], "n_train", "0"),
    (["run", "linear", "--device", "meta", "--no-progress"], "device", "'meta'"),
    (["run", "linear", "--n-train", "2.5"], "--n-train", "2.5"),
    (["post", "--n-train", "0", "--no-progress"], "n_train", "0"),
    (["post", "--workers", "0", "--no-progress"], "workers", "0"),
    (["post", "--device", "mps", "--no-progress"], "device", "'mps'"),
    (["post", "--runs", "ridge"], "--runs", "'ridge'"),
    (["post", "--bogus", "1"], "--bogus", None),
    (["sweep", "--epochs", "0", "--no-progress"], "epochs", "0"),
    (["sweep", "--seeds", "0", "--no-progress"], "seeds", "0"),
    (["sweep", "--first-seed", str(BIG), "--seeds", "1"], "first_seed", str(BIG)),
    (["sweep", "--first-seed", str(BIG - 1), "--seeds", "2"], "seeds", "2"),
    (["sweep", "--max-evals", "0", "--seeds", "1"], "max_evals", "0"),
    (["sweep", "--n-train", "0", "--seeds", "1"], "n_train", "0"),
    (["sweep", "--dropout", "1.5", "--seeds", "1"], "dropout", "1.5"),
    (["sweep", "--l1", "-0.1", "--seeds", "1"], "l1", "-0.1"),
    (["sweep", "--batch-size", "-1", "--seeds", "1"], "batch_size", "-1"),
    (["sweep", "--batch-size", "500", "--seeds", "1"], "batch_size", "500"),
    (["sweep", "--workers", "0", "--seeds", "1"], "workers", "0"),
    (["sweep", "--device", "mps", "--seeds", "1"], "device", "'mps'"),
    (["sweep", "--run", "linear", "--dropout", "0.1", "--seeds", "1"], "dropout", "0.1"),
    (["sweep", "--run", "ridge"], "--run", "'ridge'"),
    (["sweep", "--vary", "sideways"], "--vary", "'sideways'"),
]


@pytest.mark.parametrize("argv, name, value", CLI, ids=[" ".join(a[:3]) for a, _, _ in CLI])
def test_cli_exits_with_a_message_naming_the_parameter(argv, name, value, capsys):
    with pytest.raises(SystemExit) as err:
        main(argv)
    assert err.value.code == 2
    stderr = capsys.readouterr().err
    assert name in stderr, stderr
    if value is not None:
        assert value in stderr, stderr


def test_a_broken_sweep_import_is_shown_not_hidden(monkeypatch):
    """If regcore.sweep.cli cannot be imported, ``sweep`` raises that ImportError (not argparse's
    "invalid choice"), and the other sub-commands still parse."""
    monkeypatch.setitem(sys.modules, "regcore.sweep.cli", None)
    with pytest.raises(ImportError, match=r"regcore\.sweep\.cli") as err:
        main(["sweep", "--seeds", "1"])
    assert isinstance(err.value.__cause__, ImportError)
    with pytest.raises(SystemExit) as exit_:
        main(["run", "ridge"])
    assert exit_.value.code == 2


def test_the_table_is_broad():
    assert len(LIBRARY) + len(CLI) + 1 >= 40
    assert regcore.RUN_NAMES  # the CLI rows use the post's run names
