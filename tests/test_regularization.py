"""Regularization: L2 weight decay, early stopping, shift augmentation (course_lib.regularization),
the Dropout layer, TwoLayerNet(dropout=...), fit's weight_decay / augment / patience, and the
schedules, against PyTorch where it has the same operation.

PyTorch's numbers are in fixtures/regularization_golden.npz, recorded by
scripts/record_regularization_golden.py (no torch import here); AdamW's trajectories are in
optimizer_golden.npz (tests/test_optimizers.py).
"""
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.data import make_moons
from course_lib.gradient import numerical_gradient
from course_lib.layers import Dropout
from course_lib.network import TwoLayerNet
from course_lib.optimizers import SGD, Adam, CosineDecay, StepDecay, Warmup
from course_lib.regularization import (
    RandomShift,
    early_stopping,
    is_decayed,
    l2_gradient,
    l2_penalty,
    shift_images,
)
from course_lib.training import fit

GOLDEN = np.load(Path(__file__).parent / "fixtures" / "regularization_golden.npz")
META = json.loads(str(GOLDEN["meta"]))
OPTIMIZER_GOLDEN = np.load(Path(__file__).parent / "fixtures" / "optimizer_golden.npz")


def random_params(rng, dtype=np.float64):
    return {"W1": rng.normal(size=(4, 3)).astype(dtype), "b1": rng.normal(size=3).astype(dtype),
            "W2": rng.normal(size=(3, 2)).astype(dtype), "b2": rng.normal(size=2).astype(dtype)}


# --- L2 weight decay -----------------------------------------------------------------------------

def test_l2_penalty_by_hand_counts_matrices_only():
    params = {"W": np.array([[1.0, 2.0], [3.0, 0.0]]), "b": np.array([10.0, 10.0])}
    assert l2_penalty(params, 0.1) == pytest.approx(0.5 * 0.1 * 14)
    assert type(l2_penalty(params, 0.1)) is float
    assert l2_penalty(params, 0) == 0
    grads = l2_gradient(params, 0.1)
    np.testing.assert_allclose(grads["W"], [[0.1, 0.2], [0.3, 0.0]])
    np.testing.assert_array_equal(grads["b"], [0.0, 0.0])
    assert is_decayed(params["W"]) and not is_decayed(params["b"])


@pytest.mark.parametrize("weight_decay", [1e-3, 0.5, 3.0])
def test_l2_gradient_is_the_numerical_gradient_of_the_penalty(weight_decay):
    params = random_params(np.random.default_rng(1))
    grads = l2_gradient(params, weight_decay)
    for key, w in params.items():
        numerical = numerical_gradient(lambda _: l2_penalty(params, weight_decay), w)
        np.testing.assert_allclose(grads[key], numerical, rtol=1e-6, atol=1e-9, err_msg=key)
    assert not np.allclose(grads["W1"], 0)


def test_l2_gradient_keeps_float32_and_returns_new_arrays():
    params = random_params(np.random.default_rng(2), np.float32)
    before = {k: v.copy() for k, v in params.items()}
    grads = l2_gradient(params, 0.01)
    assert all(grads[k].dtype == np.float32 and grads[k] is not params[k] for k in params)
    grads["W1"] += 1
    assert all(np.array_equal(params[k], before[k]) for k in params)


def test_l2_bad_arguments_are_named():
    with pytest.raises(ValueError, match="weight_decay: expected a finite number >= 0, got -1"):
        l2_penalty({"W": np.ones((2, 2))}, -1)
    with pytest.raises(TypeError, match="params: expected a dict of name -> ndarray, got list"):
        l2_gradient([np.ones((2, 2))], 0.1)


@pytest.mark.parametrize("run, optimizer_class", [("l2_sgd", SGD), ("l2_adam", Adam)])
def test_l2_in_the_gradient_is_torchs_coupled_weight_decay(run, optimizer_class):
    """torch.optim.SGD/Adam(weight_decay=wd) add wd * w to the gradient: our l2_gradient."""
    _, options, weight_decay = META["l2_runs"][run]
    x, y = (OPTIMIZER_GOLDEN[f"least_squares__{k}"] for k in ("X", "Y"))
    params = {k: OPTIMIZER_GOLDEN[f"least_squares__{k}"].copy() for k in ("W", "b")}
    optimizer = optimizer_class(**options)
    for step in range(1, META["n_steps"] + 1):
        r = x @ params["W"] + params["b"] - y
        grads = {"W": 2 * x.T @ r / r.size, "b": 2 * r.sum(axis=0) / r.size}
        decay = l2_gradient(params, weight_decay)
        optimizer.update(params, {k: g + decay[k] for k, g in grads.items()})
        for k, w in params.items():
            np.testing.assert_allclose(w, GOLDEN[f"{run}__{k}"][step], rtol=1e-10, atol=1e-12)
    assert np.abs(GOLDEN[f"{run}__W"][-1] - GOLDEN[f"{run}__W"][0]).max() > 1e-2


# --- early stopping -------------------------------------------------------------------------------

@pytest.mark.parametrize("losses, patience, expected", [
    ([], 3, (None, None)),
    ([1.0], 1, (1, None)),
    ([3.0, 2.0, 2.5, 2.6], 2, (2, 4)),
    ([3.0, 2.0, 2.5, 1.0, 1.5], 2, (4, None)),   # improves again in time
    ([2.0, 2.0, 2.0], 2, (1, 3)),                # equal is not better
    ([1.0, 2.0, 3.0, 0.5], 2, (1, 3)),           # stops before the later improvement
    ([1.0, float("nan"), float("nan")], 2, (1, 3)),
    ([5.0, 4.0, 3.0, 2.0, 1.0], 1, (5, None)),
    ([1.0, 1.1], 1, (1, 2)),
])
def test_early_stopping_by_hand(losses, patience, expected):
    assert early_stopping(losses, patience) == expected
    assert early_stopping(np.array(losses, dtype=np.float32), patience) == expected


@settings(max_examples=200)
@given(st.lists(st.floats(0, 5, allow_nan=False), max_size=30), st.integers(1, 6))
def test_early_stopping_stops_where_the_wait_runs_out(losses, patience):
    best, stop = early_stopping(losses, patience)
    seen = losses[:stop] if stop else losses
    if not losses:
        assert (best, stop) == (None, None)
        return
    assert best == int(np.argmin(seen)) + 1  # argmin: the first of equal minima
    if stop is None:
        assert len(losses) - best < patience
    else:
        assert stop - best == patience
        assert early_stopping(losses[:stop - 1], patience)[1] is None  # not earlier


def test_early_stopping_bad_arguments():
    with pytest.raises(ValueError, match="patience: expected an integer >= 1, got 0"):
        early_stopping([1.0], 0)
    with pytest.raises(ValueError, match="val_losses: expected 1 dimension"):
        early_stopping([[1.0, 2.0]], 2)


# --- shifts ----------------------------------------------------------------------------------------

def test_shift_images_by_hand():
    image = np.arange(1, 10, dtype=np.float32).reshape(1, 3, 3)
    down_right = shift_images(image, 1, 1, height=3, width=3)
    np.testing.assert_array_equal(down_right[0], [[0, 0, 0], [0, 1, 2], [0, 4, 5]])
    up_left = shift_images(image, -1, -2, height=3, width=3)
    np.testing.assert_array_equal(up_left[0], [[6, 0, 0], [9, 0, 0], [0, 0, 0]])
    assert down_right.dtype == np.float32
    np.testing.assert_array_equal(shift_images(image, 0, 0, 3, 3), image)


def test_shift_images_keeps_flat_rows_and_channel_axes():
    rng = np.random.default_rng(0)
    pictures = rng.random((5, 1, 28, 28))
    flat = shift_images(pictures.reshape(5, 784), 2, -3)
    assert flat.shape == (5, 784)
    np.testing.assert_array_equal(flat.reshape(5, 1, 28, 28), shift_images(pictures, 2, -3))
    # the same as rolling and blacking out the pixels that wrapped around
    rolled = np.roll(pictures, (2, -3), axis=(2, 3))
    rolled[:, :, :2, :] = 0
    rolled[:, :, :, -3:] = 0
    np.testing.assert_array_equal(shift_images(pictures, 2, -3), rolled)


def test_shift_images_bad_arguments():
    with pytest.raises(ValueError, match=r"images: expected shape \(N, 784\) or \(N, ..., 28, 28\), got \(2, 10\)"):
        shift_images(np.zeros((2, 10)), 1, 1)
    with pytest.raises(ValueError, match=r"dy, dx: expected shifts smaller than the image"):
        shift_images(np.zeros((2, 784)), 28, 0)


def test_random_shift_moves_each_image_by_its_own_small_shift():
    rng = np.random.default_rng(1)
    images = np.zeros((400, 28, 28), dtype=np.float32)
    images[:, 14, 14] = 1.0  # a single bright pixel shows where each image went
    augment = RandomShift(max_shift=2, seed=3)
    out = augment(images.reshape(400, 784)).reshape(400, 28, 28)
    assert out.dtype == np.float32
    rows, cols = np.nonzero(out)[1:]
    shifts = np.column_stack([rows - 14, cols - 14])
    assert len(shifts) == 400 and np.abs(shifts).max() == 2
    assert len(np.unique(shifts, axis=0)) == 25  # all (2 * 2 + 1)^2 shifts occur
    again = augment(images.reshape(400, 784)).reshape(400, 28, 28)
    assert not np.array_equal(out, again)  # a new draw on every call
    np.testing.assert_array_equal(RandomShift(2, seed=3)(images), out)  # seeded
    assert rng is not None and repr(augment) == "RandomShift(max_shift=2)"


# --- dropout -------------------------------------------------------------------------------------

@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_scales_like_torch_and_keeps_the_expected_value(p):
    x = GOLDEN["dropout__x"]
    torch_out = GOLDEN[f"dropout__p{p}__out"]
    kept_by_torch = torch_out != 0
    np.testing.assert_allclose(torch_out[kept_by_torch], x[kept_by_torch] / (1 - p), rtol=1e-6)
    layer = Dropout(p, seed=0)
    trials = META["dropout"]["trials"]
    outs = np.stack([layer.forward(x) for _ in range(trials)])
    assert outs.dtype == np.float32
    kept = outs != 0
    # every kept value is scaled exactly as torch scales it
    np.testing.assert_allclose(outs[0][kept[0]], x[kept[0]] / (1 - p), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.005
    # the mean over many passes is x, as torch's is (4 standard errors)
    tolerance = 4 * np.abs(x) * np.sqrt(p / (1 - p) / trials)
    torch_mean = GOLDEN[f"dropout__p{p}__mean"]
    assert np.all(np.abs(outs.mean(axis=0) - x) < tolerance)
    assert np.all(np.abs(torch_mean - x) < tolerance)
    np.testing.assert_array_equal(layer.forward(x, training=False), GOLDEN[f"dropout__p{p}__eval"])


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_backward_is_torchs_gradient_for_the_same_mask(p):
    x, dout = GOLDEN["dropout__x"], GOLDEN["dropout__dout"]
    layer = Dropout(p)
    layer.forward(x)
    layer.mask = GOLDEN[f"dropout__p{p}__out"] != 0  # torch's mask (x has no zeros)
    np.testing.assert_allclose(layer.backward(dout), GOLDEN[f"dropout__p{p}__grad"], rtol=1e-6)


def test_dropout_backward_is_the_numerical_gradient_for_a_fixed_mask():
    rng = np.random.default_rng(4)
    x, dout = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    layer = Dropout(0.4, seed=9)
    layer.forward(x)
    dx = layer.backward(dout)

    def loss(x_moved):
        return np.sum(Dropout(0.4, seed=9).forward(x_moved) * dout)  # the same mask every time

    np.testing.assert_allclose(dx, numerical_gradient(loss, x), rtol=1e-6, atol=1e-9)
    assert 0 < np.count_nonzero(dx) < dx.size


def test_dropout_draws_a_new_mask_each_pass_and_none_at_test_time():
    layer, x = Dropout(0.5, seed=1), np.ones((50, 40))
    first, second = layer.forward(x), layer.forward(x)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(layer.backward(np.ones_like(x)), second)  # the last mask
    assert layer.forward(x, training=False) is x and layer.mask is None
    dout = np.full_like(x, 3.0)
    assert layer.backward(dout) is dout
    np.testing.assert_array_equal(Dropout(0.0).forward(x), x)


@pytest.mark.parametrize("p, error", [(1.0, ValueError), (-0.1, ValueError), ("half", TypeError)])
def test_dropout_rejects_bad_probabilities(p, error):
    with pytest.raises(error, match="p: expected"):
        Dropout(p)


# --- the network with dropout ------------------------------------------------------------------

def test_two_layer_net_drops_only_in_training_mode():
    x = np.random.default_rng(5).normal(size=(6, 4))
    plain = TwoLayerNet(4, 20, 3, dtype=np.float64, seed=1)
    net = TwoLayerNet(4, 20, 3, dtype=np.float64, seed=1, dropout=0.5)
    assert not net.training
    np.testing.assert_array_equal(net.predict(x), plain.predict(x))
    assert len(net.layers) == 4 and isinstance(net.layers[2], Dropout)
    net.training = True
    assert not np.allclose(net.predict(x), plain.predict(x))
    assert not np.allclose(net.predict(x), net.predict(x))


def test_two_layer_net_with_dropout_backpropagates_through_the_mask():
    rng = np.random.default_rng(6)
    x, t = rng.normal(size=(5, 4)), rng.integers(0, 3, size=5)

    def net_with_the_same_mask():
        net = TwoLayerNet(4, 7, 3, dtype=np.float64, seed=2, dropout=0.3)
        net.training = True
        return net

    net = net_with_the_same_mask()
    _, grads = net.loss_and_gradient(x, t)
    for key in ("W1", "b1", "W2"):
        def loss(_, key=key):
            fresh = net_with_the_same_mask()  # the same seed: the same first mask
            fresh.params = net.params
            return fresh.loss(x, t)
        np.testing.assert_allclose(grads[key], numerical_gradient(loss, net.params[key]),
                                   rtol=1e-5, atol=1e-8, err_msg=key)


# --- fit's hooks ---------------------------------------------------------------------------------

@pytest.fixture
def moons():
    x, t = make_moons(n_samples=200, noise=0.3, seed=0)
    return x[:100], t[:100], x[100:], t[100:]


def test_fit_weight_decay_adds_the_l2_penalty_to_loss_and_gradient(moons):
    x, t, _, _ = moons
    decayed, by_hand = (TwoLayerNet(2, 8, 2, dtype=np.float64, seed=0) for _ in range(2))
    history = fit(decayed, SGD(lr=0.1), x, t, epochs=3, batch_size=len(x), progress=False,
                  weight_decay=0.05)
    optimizer, losses = SGD(lr=0.1), []
    for _ in range(3):
        loss, grads = by_hand.loss_and_gradient(x, t)
        losses.append(loss + l2_penalty(by_hand.params, 0.05))
        decay = l2_gradient(by_hand.params, 0.05)
        optimizer.update(by_hand.params, {k: g + decay[k] for k, g in grads.items()})
    np.testing.assert_allclose(history.batch_loss, losses, rtol=1e-12)
    for k in decayed.params:
        np.testing.assert_allclose(decayed.params[k], by_hand.params[k], rtol=1e-12)
    assert history.loss[-1] == pytest.approx(decayed.loss(x, t))  # without the penalty
    plain = TwoLayerNet(2, 8, 2, dtype=np.float64, seed=0)
    fit(plain, SGD(lr=0.1), x, t, epochs=3, batch_size=len(x), progress=False)
    assert np.linalg.norm(decayed.params["W1"]) < np.linalg.norm(plain.params["W1"])


def test_fit_with_patience_stops_and_restores_the_best_weights(moons):
    x, t, x_val, t_val = moons
    net = TwoLayerNet(2, 64, 2, seed=0)
    seen = {}

    def keep(epoch, history):
        seen[epoch] = {k: v.copy() for k, v in net.params.items()}

    history = fit(net, Adam(lr=0.05), x, t, epochs=300, batch_size=20, x_val=x_val, t_val=t_val,
                  progress=False, patience=5, callback=keep)
    best, stop = early_stopping(history.val_loss, 5)
    assert history.epochs == stop < 300 and history.best_epoch == best == stop - 5
    assert min(history.val_loss) < history.val_loss[-1]
    for k in net.params:
        np.testing.assert_array_equal(net.params[k], seen[best][k])
    assert net.loss(x_val, t_val) == pytest.approx(history.val_loss[best - 1])


def test_fit_without_an_early_stop_keeps_the_best_epoch_too(moons):
    x, t, x_val, t_val = moons
    net = TwoLayerNet(2, 64, 2, seed=0)
    history = fit(net, Adam(lr=0.05), x, t, epochs=40, batch_size=20, x_val=x_val, t_val=t_val,
                  progress=False, patience=100)
    assert history.epochs == 40 and history.best_epoch == int(np.argmin(history.val_loss)) + 1
    assert history.best_epoch < 40  # so the weights after the last epoch are not the result
    assert net.loss(x_val, t_val) == pytest.approx(min(history.val_loss))


def test_fit_augments_every_training_batch_and_measures_the_data_as_given(moons):
    x, t, _, _ = moons
    batches = []

    def flip(x_batch):
        batches.append(x_batch.copy())
        return -x_batch

    net = TwoLayerNet(2, 8, 2, dtype=np.float64, seed=0)
    history = fit(net, SGD(lr=0.1), x, t, epochs=2, batch_size=30, progress=False, augment=flip)
    assert len(batches) == 2 * 4 and sum(len(b) for b in batches) == 2 * len(x)
    assert history.loss[-1] == pytest.approx(net.loss(x, t))
    twin = TwoLayerNet(2, 8, 2, dtype=np.float64, seed=0)
    fit(twin, SGD(lr=0.1), -x, t, epochs=2, batch_size=30, progress=False)
    for k in net.params:  # the same shuffling: training on -x is the same run
        np.testing.assert_allclose(net.params[k], twin.params[k], rtol=1e-12)


def test_fit_trains_in_training_mode_and_measures_in_test_mode(moons):
    x, t, x_val, t_val = moons
    modes = []

    class Spy(TwoLayerNet):
        def loss_and_gradient(self, x, t):
            modes.append(("update", self.training))
            return super().loss_and_gradient(x, t)

        def loss(self, x, t):
            modes.append(("loss", self.training))
            return super().loss(x, t)

    net = Spy(2, 8, 2, seed=0, dropout=0.5)
    history = fit(net, Adam(lr=0.01), x, t, epochs=2, batch_size=50, x_val=x_val, t_val=t_val,
                  progress=False)
    assert ("update", True) in modes and ("update", False) not in modes
    measured = [training for kind, training in modes if kind == "loss" and not training]
    assert len(measured) == 2 * 2 and not net.training
    assert history.val_loss[-1] == pytest.approx(net.loss(x_val, t_val))  # no dropout: repeatable


def test_fit_regularization_arguments_are_checked(moons):
    x, t, x_val, t_val = moons
    net = TwoLayerNet(2, 8, 2)
    with pytest.raises(ValueError, match="patience: early stopping watches the validation loss"):
        fit(net, "adam", x, t, epochs=2, batch_size=10, progress=False, patience=3)
    with pytest.raises(ValueError, match="patience: expected an integer >= 1, got 0"):
        fit(net, "adam", x, t, epochs=2, batch_size=10, x_val=x_val, t_val=t_val,
            progress=False, patience=0)
    with pytest.raises(ValueError, match="weight_decay: expected a finite number >= 0"):
        fit(net, "adam", x, t, epochs=2, batch_size=10, progress=False, weight_decay=-1e-3)
    with pytest.raises(TypeError, match="augment: expected a callable x_batch -> x_batch or None"):
        fit(net, "adam", x, t, epochs=2, batch_size=10, progress=False, augment=2)


# --- schedules against torch.optim.lr_scheduler ----------------------------------------------------

def course_schedule(name):
    settings = META["schedules"][name]
    if name == "step":
        return StepDecay(**settings)
    if name == "cosine":
        return CosineDecay(**settings)
    if name == "warmup":
        return Warmup(**settings)
    return Warmup(settings["steps"], CosineDecay(settings["total_steps"] - settings["steps"]))


@pytest.mark.parametrize("name", ["step", "cosine", "warmup", "warmup_cosine"])
def test_schedules_match_torchs_schedulers(name):
    torch_factors = GOLDEN[f"schedule__{name}"]
    ours = [course_schedule(name)(step) for step in range(META["n_schedule_steps"])]
    np.testing.assert_allclose(ours, torch_factors, rtol=1e-9, atol=1e-12)
    assert torch_factors.min() < 0.9 * torch_factors.max()  # the schedule does change lr
