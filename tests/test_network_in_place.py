"""TrainingStep (course_lib.network_in_place) against PyTorch and against the layers it stands in for.

fixtures/training_step_golden.npz holds PyTorch training a 12-9-4 ReLU network, recorded by
scripts/record_training_step_golden.py; these tests replay it with numpy only (no torch import).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from course_lib.data import batch_rows, minibatches
from course_lib.network import TwoLayerNet
from course_lib.network_in_place import TrainingStep, fits
from course_lib.optimizers import SGD, Adam, RMSProp
from course_lib.training import fit

GOLDEN = np.load(Path(__file__).parent / "fixtures" / "training_step_golden.npz")
META = json.loads(str(GOLDEN["meta"]))
OPTIMIZERS = {"rmsprop": lambda s: RMSProp(lr=s["lr"], decay=s["alpha"], eps=s["eps"]),
              "adam": lambda s: Adam(lr=s["lr"], beta1=s["betas"][0], beta2=s["betas"][1],
                                     eps=s["eps"]),
              "sgd": lambda s: SGD(lr=s["lr"])}


def golden_network() -> TwoLayerNet:
    net = TwoLayerNet(*META["sizes"], dtype=np.float64)
    for key in net.params:
        net.params[key][...] = GOLDEN[f"start_{key}"]
    return net


def golden_batches() -> list[np.ndarray]:
    return np.split(GOLDEN["batch_rows"], np.cumsum(GOLDEN["batch_lengths"])[:-1])


def test_golden_file_has_a_short_batch_and_every_optimizer():
    assert META["torch_version"].startswith("2.")
    assert set(META["optimizers"]) == set(OPTIMIZERS)
    lengths = GOLDEN["batch_lengths"]
    assert lengths.min() < lengths.max() == META["batch_size"]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("form", ["TrainingStep", "layers and formula"])
def test_training_follows_torch(name, form):
    """Every batch's loss, the first gradients and the weights after every step are PyTorch's."""
    net = golden_network()
    optimizer = OPTIMIZERS[name](META["optimizers"][name][1])
    x, t = GOLDEN["x"], GOLDEN["t"]
    if form == "TrainingStep":
        step = TrainingStep(net, optimizer, x, t, META["batch_size"])
    else:
        optimizer.in_place = False  # the teaching form: each update is the optimizer's formula
    for i, rows in enumerate(golden_batches()):
        if form == "TrainingStep":
            loss = step(rows)
            grads = step.grads
        else:
            loss, grads = net.loss_and_gradient(x[rows], t[rows])
            optimizer.update(net.params, grads)
        assert loss == pytest.approx(GOLDEN[f"{name}__loss"][i], rel=1e-12), f"batch {i}"
        if i == 0:
            for key, g in grads.items():
                np.testing.assert_allclose(g, GOLDEN[f"{name}__grad_{key}"], rtol=1e-10,
                                           atol=1e-13, err_msg=key)
        for key, w in net.params.items():
            np.testing.assert_allclose(w, GOLDEN[f"{name}__after_{key}"][i], rtol=1e-9,
                                       atol=1e-12, err_msg=f"{key} after batch {i}")


def mnist_sized_problem(n=300, seed=3):
    rng = np.random.default_rng(seed)
    x = rng.random((n, 28, 28), dtype=np.float32)  # images: the step flattens them
    x[:, :3] = 0  # blank rows, as MNIST's borders: their weights get zero gradients
    return x, rng.integers(0, 10, n)


@pytest.mark.parametrize("labels", ["indices", "one-hot"])
def test_training_step_is_the_layers_step_in_float32(labels):
    x, t = mnist_sized_problem()
    if labels == "one-hot":
        t = np.eye(10, dtype=np.float32)[t]
    layered, fused = TwoLayerNet(784, 64, 10, seed=5), TwoLayerNet(784, 64, 10, seed=5)
    opt_layered, opt_fused = RMSProp(lr=0.01), RMSProp(lr=0.01)
    step = TrainingStep(fused, opt_fused, x, t, batch_size=64)
    for epoch in range(2):  # the same step object serves every epoch
        for rows in batch_rows(len(x), 64, seed=epoch):  # 4 full batches and one of 44
            loss, grads = layered.loss_and_gradient(x[rows], t[rows])
            opt_layered.update(layered.params, grads)
            assert step(rows) == pytest.approx(loss, rel=1e-6)
            for key, g in grads.items():
                np.testing.assert_allclose(step.grads[key], g, rtol=1e-5, atol=1e-6, err_msg=key)
    for key, w in layered.params.items():
        assert fused.params[key].dtype == np.float32
        np.testing.assert_allclose(fused.params[key], w, rtol=1e-5, atol=1e-6, err_msg=key)
    assert np.abs(fused.params["W1"] - TwoLayerNet(784, 64, 10, seed=5).params["W1"]).max() > 1e-3


def test_training_step_reuses_its_gradient_arrays():
    x, t = mnist_sized_problem(n=100)
    step = TrainingStep(TwoLayerNet(784, 32, 10), SGD(lr=0.1), x, t, batch_size=50)
    step(np.arange(50))
    first = {key: g for key, g in step.grads.items()}
    step(np.arange(50, 100))
    assert all(step.grads[key] is g for key, g in first.items())


def test_training_step_works_on_float64_data_for_a_float32_network():
    x, t = mnist_sized_problem(n=64)
    net = TwoLayerNet(784, 16, 10)
    reference = TwoLayerNet(784, 16, 10)
    step = TrainingStep(net, SGD(lr=0.1), x.astype(np.float64), t, batch_size=64)
    loss = step(np.arange(64))
    expected, grads = reference.loss_and_gradient(x, t)
    assert loss == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(step.grads["W1"], grads["W1"], rtol=1e-5, atol=1e-7)


def test_fit_trains_with_the_training_step_and_gets_the_layers_history(monkeypatch):
    calls = []
    original = TrainingStep.__call__
    monkeypatch.setattr(TrainingStep, "__call__", lambda self, rows: calls.append(len(rows))
                        or original(self, rows))
    x, t = mnist_sized_problem(n=200)
    fused = fit(TwoLayerNet(784, 32, 10), RMSProp(lr=0.01), x, t, epochs=2, batch_size=64,
                progress=False)
    assert calls == [64, 64, 64, 8] * 2
    # an augmentation that changes nothing sends fit through the layers
    layered = fit(TwoLayerNet(784, 32, 10), RMSProp(lr=0.01), x, t, epochs=2, batch_size=64,
                  progress=False, augment=lambda x_batch: x_batch)
    assert len(calls) == 8
    np.testing.assert_allclose(fused.batch_loss, layered.batch_loss, rtol=1e-5)
    np.testing.assert_allclose(fused.loss, layered.loss, rtol=1e-5)
    assert fused.accuracy == layered.accuracy


@pytest.mark.parametrize("make, settings", [
    (lambda: TwoLayerNet(4, 3, 2), {}),
    (lambda: TwoLayerNet(4, 3, 2, activation="tanh"), None),
    (lambda: TwoLayerNet(4, 3, 2, activation="sigmoid"), None),
    (lambda: TwoLayerNet(4, 3, 2, dropout=0.5), None),
    (lambda: TwoLayerNet(4, 3, 2), {"weight_decay": 0.01}),
    (lambda: TwoLayerNet(4, 3, 2), {"augment": lambda x: x}),
])
def test_fits_only_what_the_training_step_computes(make, settings):
    assert fits(make(), **(settings or {})) is (settings is not None and not settings)


def test_a_network_the_step_does_not_fit_is_refused_by_name():
    with pytest.raises(ValueError, match="TrainingStep needs a TwoLayerNet with activation 'relu'"):
        TrainingStep(TwoLayerNet(4, 3, 2, activation="tanh"), SGD(), np.zeros((5, 4)),
                     np.zeros(5, int), batch_size=5)


@pytest.mark.parametrize("x, t, message", [
    (np.full((5, 4), np.nan), np.zeros(5, int), "x: expected finite numbers, got 20 NaN"),
    (np.zeros((5, 3)), np.zeros(5, int), r"x: expected shape \(N, 4\)"),
    (np.zeros((5, 4)), np.full(5, 2), r"t: expected class indices in \[0, 2\)"),
    (np.zeros((5, 4)), np.zeros(4, int), "t: expected 5 labels"),
])
def test_bad_training_data_is_reported_when_the_step_is_made(x, t, message):
    with pytest.raises(ValueError, match=message):
        TrainingStep(TwoLayerNet(4, 3, 2), SGD(), x, t, batch_size=5)


@pytest.mark.filterwarnings("ignore:invalid value encountered in matmul")
def test_the_step_checks_its_scores_as_the_network_does():
    net = TwoLayerNet(4, 3, 2, dtype=np.float64)
    step = TrainingStep(net, SGD(), np.ones((5, 4)), np.zeros(5, int), batch_size=5)
    net.params["W2"][...] = np.inf
    with pytest.raises(FloatingPointError, match="scores: .* NaN or inf"):
        step(np.arange(5))


def test_batch_rows_are_the_rows_of_minibatches():
    x, t = np.arange(23)[:, None] * 1.0, np.arange(23)
    rows = batch_rows(23, 5, seed=4)
    assert [len(r) for r in rows] == [5, 5, 5, 5, 3]
    assert sorted(np.concatenate(rows)) == list(range(23))
    for r, (x_batch, t_batch) in zip(rows, minibatches(x, t, 5, seed=4), strict=True):
        np.testing.assert_array_equal(t_batch, r)
        np.testing.assert_array_equal(x_batch[:, 0], r)
    assert [len(r) for r in batch_rows(23, 5, seed=4, drop_last=True)] == [5] * 4
    np.testing.assert_array_equal(np.concatenate(batch_rows(7, 3, shuffle=False)), np.arange(7))

