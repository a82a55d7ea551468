"""regcore.digits: the seeded splits of scikit-learn's digits, error rates, and fit with cross-entropy.

The splits are checked against the images scikit-learn ships (each split's rows are images of the
data set with their own labels, disjoint, nested in n_train); fit's cross-entropy training is
checked against a second implementation: full-batch gradient descent on softmax regression written
out in NumPy float64 (the gradient of the mean cross-entropy is Xᵀ(softmax − onehot)/n).
"""
import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

from regcore import MLP, TrainSettings, fit
from regcore.digits import N_CLASSES, PIXELS, DigitsData, digits_data, error_rates
from regcore.models import flatten_params


@pytest.fixture(scope="module")
def images():
    bunch = load_digits()
    return bunch.data, bunch.target


def _rows_of(x, pixels):
    """Index of each row of ``x`` (pixels/16) among the scikit-learn images (an exact match)."""
    lookup = {tuple(row): i for i, row in enumerate(pixels)}
    return [lookup[tuple((xi * 16).round().astype(int).astype(float))] for xi in x.numpy()]


def test_splits_are_disjoint_images_with_their_labels(images):
    pixels, labels = images
    d = digits_data(300, 400, 500, seed=7)
    assert isinstance(d, DigitsData)
    assert (d.n_train, d.n_val, d.n_test, d.dims) == (300, 400, 500, PIXELS)
    assert d.x_train.dtype == torch.float32 and d.y_train.dtype == torch.int64
    assert float(d.x_train.min()) == 0.0 and float(d.x_train.max()) == 1.0
    assert d.is_classification and d.outputs == N_CLASSES
    rows = {}
    for split in ("train", "val", "test"):
        x, y = getattr(d, "x_" + split), getattr(d, "y_" + split)
        idx = _rows_of(x, pixels)
        # duplicates among the 1,797 images would make the lookup ambiguous: labels still match
        assert np.array_equal(labels[idx], y.numpy()), split
        assert np.array_equal(x.numpy() * 16, pixels[idx]), split
        rows[split] = set(idx)
        assert len(rows[split]) == len(idx), split
    assert not rows["train"] & rows["val"] and not rows["train"] & rows["test"]
    assert not rows["val"] & rows["test"]


def test_same_seed_same_split_and_training_sets_nest():
    a, b = digits_data(100, seed=3), digits_data(400, seed=3)
    assert torch.equal(a.x_test, b.x_test) and torch.equal(a.x_val, b.x_val)
    assert torch.equal(a.x_train, b.x_train[:100]) and torch.equal(a.y_train, b.y_train[:100])
    again = digits_data(100, seed=3)
    assert all(torch.equal(getattr(a, f), getattr(again, f))
               for f in ("x_train", "y_train", "x_val", "y_val", "x_test", "y_test"))
    other = digits_data(100, seed=4)
    assert not torch.equal(a.x_test, other.x_test)


def test_moving_to_float64_keeps_the_labels_integer():
    d = digits_data(50).to(dtype=torch.float64)
    assert d.x_train.dtype == torch.float64 and d.y_train.dtype == torch.int64


def test_error_rates_count_wrong_argmax():
    d = digits_data(50, seed=1)
    model = MLP((PIXELS, 10, N_CLASSES), seed=2)
    theta = flatten_params(model).numpy()
    with torch.no_grad():
        logits = model(d.x_test).numpy()
    by_hand = np.mean(logits.argmax(1) != d.y_test.numpy())
    rates = error_rates(np.stack([theta, theta]), (PIXELS, 10, N_CLASSES), d.x_test, d.y_test)
    assert rates.shape == (2,) and rates[0] == rates[1] == pytest.approx(by_hand, abs=0)
    # a model that always answers the first label of the test split is wrong on every other one
    const = np.zeros_like(theta)
    n_w = 10 * PIXELS + 10 + N_CLASSES * 10
    const[n_w + int(d.y_test[0])] = 1.0  # the output bias of that class
    assert error_rates(const, (PIXELS, 10, N_CLASSES), d.x_test, d.y_test)[0] == \
        pytest.approx(float((d.y_test != d.y_test[0]).double().mean()))


def _softmax_regression_gd(x, y, w, b, lr, steps):
    """Full-batch gradient descent on the mean cross-entropy of softmax(x wᵀ + b), float64."""
    onehot = np.eye(N_CLASSES)[y]
    for _ in range(steps):
        z = x @ w.T + b
        p = np.exp(z - z.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        g = (p - onehot) / len(y)
        w, b = w - lr * g.T @ x, b - lr * g.sum(0)
    return w, b


def test_cross_entropy_fit_is_softmax_regression_by_gradient_descent():
    d = digits_data(200, seed=5).to(dtype=torch.float64)
    model = MLP((PIXELS, N_CLASSES), seed=3).double()
    w0 = model.net[0].weight.detach().numpy().copy()
    b0 = model.net[0].bias.detach().numpy().copy()
    res = fit(model, d, TrainSettings(optimizer="sgd", lr=0.5, epochs=200, loss="cross_entropy",
                                      snapshot_every=0))
    w, b = _softmax_regression_gd(d.x_train.numpy(), d.y_train.numpy(), w0, b0, 0.5, 200)
    # float64 both ways, the same steps: agreement to round-off
    assert np.allclose(res.final_state["net.0.weight"].numpy(), w, rtol=0, atol=1e-10)
    assert np.allclose(res.final_state["net.0.bias"].numpy(), b, rtol=0, atol=1e-10)
    # and the recorded losses are the mean cross-entropies: epoch 0 at the start
    z = d.x_train.numpy() @ w0.T + b0
    logp = z - z.max(1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(1, keepdims=True))
    ce0 = -logp[np.arange(200), d.y_train.numpy()].mean()
    assert res.train_loss[0] == pytest.approx(ce0, rel=1e-12)
    # training lowers it (a trained classifier of 200 images, scored on 797 unseen ones)
    assert res.train_loss[-1] < 0.5 * res.train_loss[0]
    assert error_rates(flatten_params(model).numpy(), (PIXELS, N_CLASSES), d.x_test.float(),
                       d.y_test)[0] < 0.2
