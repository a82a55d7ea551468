import json
import subprocess
import sys

from regcore import run


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "regcore", *args], capture_output=True,
                          text=True, timeout=300)


def test_post_json_maps_run_names_to_headline_numbers():
    out = _cli("post", "--n-train", "200", "--runs", "linear", "mlp", "--json", "--no-progress")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    assert list(rows) == ["linear", "mlp"]
    keys = {"best_val_loss", "best_epoch", "best_train_loss", "test_loss_at_best", "seconds"}
    assert all(set(r) == keys for r in rows.values())
    ref = run("linear", 200, snapshot_every=0).summary()
    assert rows["linear"]["best_val_loss"] == ref["best_val_loss"]
    assert rows["linear"]["best_epoch"] == ref["best_epoch"]


def test_table_and_errors():
    out = _cli("run", "linear", "--no-progress")
    assert out.returncode == 0 and "best val" in out.stdout and "linear" in out.stdout
    bad = _cli("post", "--n-train", "0", "--no-progress")
    assert bad.returncode == 2 and "n_train=0" in bad.stderr
