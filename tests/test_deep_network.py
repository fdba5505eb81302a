"""course_lib.deep_network.DeepNet: backprop against numerical gradients (with and without batch
norm), the same numbers as TwoLayerNet for one hidden layer, training and inference modes, and
training with `fit`."""
import numpy as np
import pytest

from course_lib.data import load_toy
from course_lib.deep_network import DeepNet
from course_lib.gradient import max_relative_error
from course_lib.network import TwoLayerNet
from course_lib.optimizers import Adam
from course_lib.training import fit


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("batch_norm", [False, True])
def test_backprop_matches_the_numerical_gradient(activation, batch_norm):
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(6, 5)), rng.integers(0, 3, size=6)
    net = DeepNet(5, [4, 4, 3], 3, activation, "xavier", batch_norm=batch_norm, dtype=np.float64, seed=1)
    expected_keys = {f"{p}{i}" for i in range(1, 5) for p in "Wb"}
    if batch_norm:
        expected_keys |= {f"{p}{i}" for i in range(1, 4) for p in ("gamma", "beta")}
    running = [(n.running_mean.copy(), n.running_var.copy()) for n in net.norm_layers]
    numerical = net.numerical_gradient(x, t, h=1e-5)
    for norm, (mean, var) in zip(net.norm_layers, running, strict=True):  # numerical_gradient put them back
        np.testing.assert_array_equal(norm.running_mean, mean)
        np.testing.assert_array_equal(norm.running_var, var)
    loss, grads = net.loss_and_gradient(x, t)
    assert set(grads) == set(net.params) == expected_keys
    for key in grads:
        assert grads[key].shape == net.params[key].shape, key
        # a bias right before batch norm has a zero gradient (the mean removes it): compare
        # absolutely there, relatively elsewhere
        if batch_norm and key in ("b1", "b2", "b3"):
            assert np.abs(grads[key]).max() < 1e-12 and np.abs(numerical[key]).max() < 1e-8
        else:
            assert max_relative_error(grads[key], numerical[key]) < 1e-5, key
    assert loss == pytest.approx(net.loss(x, t, train=True))


def test_one_hidden_layer_without_batch_norm_is_the_two_layer_network():
    rng = np.random.default_rng(2)
    x, t = rng.normal(size=(7, 4)), rng.integers(0, 3, size=7)
    deep, two = DeepNet(4, [6], 3, "tanh", "he", seed=3), TwoLayerNet(4, 6, 3, "tanh", "he", seed=3)
    for key in two.params:
        np.testing.assert_array_equal(deep.params[key], two.params[key])
    np.testing.assert_array_equal(deep.predict(x), two.predict(x))
    (loss_deep, grads_deep), (loss_two, grads_two) = deep.loss_and_gradient(x, t), two.loss_and_gradient(x, t)
    assert loss_deep == loss_two
    for key in grads_two:
        np.testing.assert_array_equal(grads_deep[key], grads_two[key])


def test_train_mode_updates_running_averages_and_inference_does_not():
    rng = np.random.default_rng(4)
    x, t = rng.normal(loc=3.0, size=(20, 5)), rng.integers(0, 2, size=20)
    net = DeepNet(5, [8, 8], 2, batch_norm=True, momentum=0.5, seed=0)
    assert len(net.norm_layers) == 2
    inference_before = net.predict(x)
    net.loss(x, t), net.accuracy(x, t), net.predict(x)  # evaluation never changes the model
    np.testing.assert_array_equal(net.norm_layers[0].running_mean, 0)
    net.loss_and_gradient(x, t)
    assert np.abs(net.norm_layers[0].running_mean).max() > 0.1
    assert not np.allclose(net.predict(x), inference_before)
    # in training mode a sample's scores depend on its batch, in inference mode they do not
    assert not np.allclose(net.predict(x[:5], train=True), net.predict(x, train=True)[:5])
    np.testing.assert_allclose(net.predict(x[:5]), net.predict(x)[:5], rtol=1e-6)


def test_hidden_outputs_are_the_activations_of_the_last_pass():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(10, 3))
    net = DeepNet(3, [4, 5, 6], 2, "relu", dtype=np.float64, seed=0)
    net.predict(x)
    assert [h.shape for h in net.hidden_outputs] == [(10, 4), (10, 5), (10, 6)]
    h1 = np.maximum(x @ net.params["W1"] + net.params["b1"], 0)
    np.testing.assert_allclose(net.hidden_outputs[0], h1)
    assert (net.hidden_outputs[2] >= 0).all()


def test_batch_norm_makes_a_badly_initialized_deep_net_trainable():
    x, t = load_toy("spirals", n_samples=200, seed=0)
    accuracy = {}
    for batch_norm in (False, True):
        net = DeepNet(2, [32] * 6, 2, "tanh", 0.01, batch_norm=batch_norm, dtype=np.float64, seed=0)
        history = fit(net, Adam(lr=0.01), x, t, epochs=60, batch_size=50, seed=0, progress=False)
        accuracy[batch_norm] = history.accuracy[-1]
    assert accuracy[False] < 0.6 and accuracy[True] > 0.8, accuracy


def test_no_hidden_layer_is_softmax_regression_and_float32_stays_float32():
    net = DeepNet(4, [], 3, seed=0)
    assert set(net.params) == {"W1", "b1"} and net.output_size == 3
    scores = net.predict(np.ones((2, 4), dtype=np.float64))
    assert scores.dtype == np.float32 and scores.shape == (2, 3)
    _, grads = DeepNet(4, [5], 3, batch_norm=True, seed=0).loss_and_gradient(np.ones((3, 4)), [0, 1, 2])
    assert all(g.dtype == np.float32 for g in grads.values())


@pytest.mark.parametrize("make, message", [
    (lambda: DeepNet(0, [3], 2), "input_size"),
    (lambda: DeepNet(3, [4, 0], 2), r"hidden_sizes\[1\]"),
    (lambda: DeepNet(3, [4], 2, activation="gelu"), "relu, sigmoid, tanh"),
    (lambda: DeepNet(3, [4], 2, dtype=np.int32), "float32 or float64"),
    (lambda: DeepNet(3, [4], 2, weight_init_std="glorot"), "he, xavier"),
    (lambda: DeepNet(3, [4], 2).predict(np.ones((2, 5))), r"\(N, 3\)"),
    (lambda: DeepNet(3, [4], 2, batch_norm=True).loss_and_gradient(np.ones((1, 3)), [0]), "at least 2"),
])
def test_bad_arguments_get_a_clear_message(make, message):
    with pytest.raises((ValueError, TypeError), match=message):
        make()
