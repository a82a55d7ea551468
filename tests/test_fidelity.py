"""fit() against a faithful naive re-implementation of the post's loop (regcore.reference).

Bit for bit: every epoch's training and validation loss and every parameter snapshot, for all
seven runs at n_train 200 and 400, over the first epochs (the naive loop runs ~10 epochs/s).
"""
from dataclasses import replace

import numpy as np
import pytest
import torch

from regcore import POST_RUNS, fit, make_data
from regcore.reference import train_original

EPOCHS = 24


@pytest.mark.parametrize("n_train", [200, 400])
@pytest.mark.parametrize("name", list(POST_RUNS))
def test_fit_reproduces_the_original_loop_bit_for_bit(name, n_train, data200, data400):
    data = data200 if n_train == 200 else data400
    exp = POST_RUNS[name]
    settings = replace(exp.train, epochs=EPOCHS)
    ours = fit(exp.model.build(data.dims), data, settings)
    t = settings
    orig = train_original(exp.model.build(data.dims), data.x_train, data.y_train, data.x_val,
                          data.y_val, optimizer=t.optimizer, lr=t.lr, epochs=EPOCHS,
                          weight_decay=t.weight_decay, l2=t.l2, l1=t.l1,
                          batch_size=t.batch_size, seed=t.seed)
    assert np.array_equal(ours.train_loss, np.array(orig["train"]))
    assert np.array_equal(ours.val_loss, np.array(orig["val"]))
    assert np.array_equal(ours.snapshots, torch.stack(orig["params"]).numpy())


def test_original_best_state_bug_and_its_fix():
    """The original keeps live tensors as its "best" state; the copy keeps the best epoch's."""
    exp = POST_RUNS["mlp"]
    kwargs = dict(lr=0.01, epochs=150)
    d = make_data(n_val=500)  # a small validation split keeps the naive loop quick
    buggy = train_original(exp.model.build(50), d.x_train, d.y_train, d.x_val, d.y_val, **kwargs)
    model = exp.model.build(50)
    fixed = train_original(model, d.x_train, d.y_train, d.x_val, d.y_val, copy_best=True,
                           **kwargs)
    assert fixed["best_epoch"] < 150
    final = model.state_dict()
    assert all(torch.equal(buggy["best_state"][k], final[k]) for k in final)  # the bug
    assert not all(torch.equal(fixed["best_state"][k], final[k]) for k in final)
