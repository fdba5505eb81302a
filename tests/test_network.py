"""Tests of course_lib.network.TwoLayerNet: backprop against numerical gradients, initialisation,
dtypes, input checks, and learning real MNIST digits."""
import math
import time

import numpy as np
import pytest
from gradcheck_log import assert_gradient_matches
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from threadpoolctl import threadpool_limits  # a test dependency (pyproject.toml)

from course_lib.data import read_idx
from course_lib.gradient import gradient_check
from course_lib.losses import softmax_cross_entropy
from course_lib.network import TwoLayerNet
from course_lib.optimizers import RMSProp
from course_lib.training import fit

ACTIVATIONS = ["relu", "sigmoid", "tanh"]


def signed(shape, low=0.1, high=2.0):
    """float64 arrays with low <= |x| <= high, either sign."""
    magnitude = st.floats(low, high)
    elements = st.tuples(st.sampled_from([-1.0, 1.0]), magnitude).map(lambda p: p[0] * p[1])
    return hnp.arrays(np.float64, shape, elements=elements)


def small_problem(seed=0, n=5, d=4, h=6, k=3, dtype=np.float64, activation="relu"):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(d, h, k, activation=activation, dtype=dtype, seed=seed)
    return net, rng.normal(size=(n, d)).astype(dtype), rng.integers(0, k, size=n)


# --- backpropagation against numerical gradients --------------------------------------------------

@given(data=st.data(), n=st.integers(1, 4), d=st.integers(1, 4), h=st.integers(1, 5),
       k=st.integers(2, 4), seed=st.integers(0, 2**16))
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradient_matches_numerical_gradient(data, n, d, h, k, activation, seed,
                                             gradient_error_log):  # noqa: F811
    net = TwoLayerNet(d, h, k, activation=activation, dtype=np.float64, seed=seed)
    net.params["b1"][:] = data.draw(signed((h,), 0.1, 1.0))
    net.params["b2"][:] = data.draw(signed((k,), 0.1, 1.0))
    x = data.draw(signed((n, d)))
    t = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    # A step of h = 1e-5 must not carry a hidden ReLU input across its kink at 0.
    assume(np.abs(x @ net.params["W1"] + net.params["b1"]).min() > 1e-3)
    grads = net.gradient(x, t)
    before = {key: value.copy() for key, value in net.params.items()}
    numerical = net.numerical_gradient(x, t, h=1e-5)
    for key in net.params:
        np.testing.assert_array_equal(net.params[key], before[key])  # every element restored
        # the network's own numerical gradient and the course's gradient check agree on it
        result = gradient_check(lambda _: net.loss(x, t), net.params[key], grads[key])
        np.testing.assert_allclose(numerical[key], result.numerical, rtol=1e-6,
                                   atol=1e-9 * np.abs(numerical[key]).max(initial=1.0))
        assert_gradient_matches(gradient_error_log, f"TwoLayerNet {activation} {key}",
                                lambda _: net.loss(x, t), net.params[key], grads[key])


def test_one_hot_labels_give_the_same_loss_and_gradient_as_indices():
    net, x, t = small_problem(seed=1)
    loss, grads = net.loss_and_gradient(x, t)
    loss_one_hot, grads_one_hot = net.loss_and_gradient(x, np.eye(3)[t])
    assert loss_one_hot == pytest.approx(loss)
    for key in grads:
        np.testing.assert_allclose(grads_one_hot[key], grads[key])


def test_loss_and_gradient_runs_one_forward_pass(monkeypatch):
    net, x, t = small_problem(seed=2)
    expected_loss, expected_grads = net.loss(x, t), net.gradient(x, t)
    passes = []
    forward = net._forward
    monkeypatch.setattr(net, "_forward", lambda x: passes.append(1) or forward(x))
    loss, grads = net.loss_and_gradient(x, t)
    assert len(passes) == 1
    assert loss == expected_loss
    for key in grads:
        np.testing.assert_array_equal(grads[key], expected_grads[key])


def test_loss_is_the_softmax_cross_entropy_of_the_scores():
    net, x, t = small_problem(seed=3)
    assert type(net.loss(x, t)) is float  # a Python float, not a numpy scalar
    assert net.loss(x, t) == pytest.approx(softmax_cross_entropy(net.predict(x), t))


def test_predict_is_affine_activation_affine():
    net, x, _ = small_problem(seed=4, activation="tanh")
    p = net.params
    expected = np.tanh(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    np.testing.assert_allclose(net.predict(x), expected)


def test_predict_flattens_each_sample():
    net = TwoLayerNet(6, 4, 3, seed=5)
    x = np.random.default_rng(5).random((2, 2, 3), dtype=np.float32)
    np.testing.assert_array_equal(net.predict(x), net.predict(x.reshape(2, 6)))


def test_accuracy_counts_the_highest_scores():
    net, x, _ = small_problem(seed=6, n=50)
    best = net.predict(x).argmax(axis=1)
    t = best.copy()
    t[:10] = (t[:10] + 1) % 3  # ten wrong labels out of 50
    assert net.accuracy(x, t) == pytest.approx(0.8)
    assert net.accuracy(x, np.eye(3)[t]) == pytest.approx(0.8)


def test_params_replaced_by_new_arrays_are_used():
    net, x, t = small_problem(seed=7)
    net.params["W2"] = np.zeros_like(net.params["W2"])
    net.params["b2"] = np.array([0.0, 5.0, 0.0])
    assert net.accuracy(x, np.ones(len(x), dtype=int)) == 1.0
    assert net.gradient(x, t)["W2"].shape == net.params["W2"].shape


# --- initialisation ------------------------------------------------------------------------------

def test_params_have_the_documented_shapes_dtype_and_zero_biases():
    net = TwoLayerNet(784, 50, 10)
    assert {key: value.shape for key, value in net.params.items()} == {
        "W1": (784, 50), "b1": (50,), "W2": (50, 10), "b2": (10,)}
    assert all(value.dtype == np.float32 for value in net.params.values())
    assert not net.params["b1"].any() and not net.params["b2"].any()


def test_the_seed_fixes_the_initial_weights():
    same = TwoLayerNet(20, 10, 3, seed=42), TwoLayerNet(20, 10, 3, seed=42)
    other = TwoLayerNet(20, 10, 3, seed=43)
    np.testing.assert_array_equal(same[0].params["W1"], same[1].params["W1"])
    assert not np.array_equal(same[0].params["W1"], other.params["W1"])


@pytest.mark.parametrize("weight_init_std, std1, std2", [
    ("he", math.sqrt(2 / 1000), math.sqrt(2 / 500)),
    ("xavier", math.sqrt(2 / 1500), math.sqrt(2 / 510)),
    (0.01, 0.01, 0.01),
])
def test_weight_init_std(weight_init_std, std1, std2):
    net = TwoLayerNet(1000, 500, 10, weight_init_std=weight_init_std, seed=0)
    # 500,000 and 5,000 draws: the sample std is within 1% and 5% of the true one
    assert net.params["W1"].std() == pytest.approx(std1, rel=0.01)
    assert net.params["W2"].std() == pytest.approx(std2, rel=0.05)
    assert abs(net.params["W1"].mean()) < 0.01 * std1


def test_zero_init_makes_every_hidden_unit_the_same():
    _, x, t = small_problem(seed=8)
    net = TwoLayerNet(4, 6, 3, weight_init_std=0.0, activation="sigmoid", dtype=np.float64)
    grads = net.gradient(x, t)
    # every hidden unit outputs sigmoid(0) = 0.5, so all get the same outgoing gradient
    assert np.abs(grads["W2"]).max() > 0
    np.testing.assert_array_equal(grads["W2"], np.broadcast_to(grads["W2"][0], grads["W2"].shape))


# --- dtypes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_float32_stays_float32_end_to_end(activation):
    net, x, t = small_problem(seed=9, dtype=np.float32, activation=activation)
    assert net.predict(x).dtype == np.float32
    assert net.predict(x.astype(np.float64)).dtype == np.float32  # input cast to the net's dtype
    loss, grads = net.loss_and_gradient(x, t)
    assert type(loss) is float
    assert all(grads[key].dtype == np.float32 for key in net.params)
    assert all(net.numerical_gradient(x, t, h=1e-2)[key].dtype == np.float32 for key in net.params)


def test_float32_gradient_is_close_to_float64_gradient():
    net32, x, t = small_problem(seed=10, dtype=np.float32)
    net64 = TwoLayerNet(4, 6, 3, dtype=np.float64, seed=10)
    grads32, grads64 = net32.gradient(x, t), net64.gradient(x, t)
    for key in grads32:
        np.testing.assert_allclose(grads32[key], grads64[key], rtol=1e-4, atol=1e-6)


def test_integer_images_are_accepted():
    net = TwoLayerNet(4, 3, 2, seed=11)
    pixels = np.array([[0, 255, 128, 7]], dtype=np.uint8)
    np.testing.assert_allclose(net.predict(pixels), net.predict(pixels.astype(np.float32)))


# --- bad input -----------------------------------------------------------------------------------

def test_wrong_input_width_is_named():
    net = TwoLayerNet(4, 3, 2)
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 4\) \(input_size = 4 values per "
                                         r"sample\), got shape \(5, 3\)"):
        net.predict(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"x: expected shape \(N, 4\).*got shape \(4,\)"):
        net.loss(np.zeros(4), np.array([0]))


def test_labels_out_of_range_or_miscounted_are_named():
    net, x, _ = small_problem(seed=12)
    with pytest.raises(ValueError, match=r"t: expected class indices in \[0, 3\), got values from 0 to 5"):
        net.loss(x, np.array([0, 1, 2, 5, 0]))
    with pytest.raises(ValueError, match=r"t: expected class indices in \[0, 3\), got values from -1 to 2"):
        net.gradient(x, np.array([0, 1, 2, -1, 0]))
    with pytest.raises(ValueError, match=r"t: expected 5 labels \(one per sample\), got 4"):
        net.accuracy(x, np.array([0, 1, 2, 0]))
    with pytest.raises(ValueError, match=r"t: expected one-hot labels of shape \(5, 3\), got \(5, 4\)"):
        net.loss_and_gradient(x, np.eye(4)[[0, 1, 2, 3, 0]])


def test_nan_input_is_rejected():
    net, x, t = small_problem(seed=13)
    x[2, 1] = np.nan
    for method in (net.loss, net.loss_and_gradient, net.accuracy):
        with pytest.raises(ValueError, match=r"x: expected finite numbers, got 1 NaN and 0 inf"):
            method(x, t)


def test_diverged_parameters_are_reported():
    net, x, t = small_problem(seed=14)
    net.params["W2"][0, 0] = np.nan  # what a too large learning rate leads to
    for call in (lambda: net.predict(x), lambda: net.loss(x, t), lambda: net.loss_and_gradient(x, t)):
        with pytest.raises(FloatingPointError, match=r"scores: \d+ of the network's 15 scores are NaN "
                                                     r"or inf: the parameters hold NaN or inf"):
            call()


def test_bad_constructor_arguments_are_named():
    with pytest.raises(ValueError, match=r"activation: unknown name 'softplus'; expected one of "
                                         r"relu, sigmoid, tanh"):
        TwoLayerNet(4, 3, 2, activation="softplus")
    with pytest.raises(ValueError, match=r"weight_init_std: unknown name 'lecun'; expected one of he, xavier"):
        TwoLayerNet(4, 3, 2, weight_init_std="lecun")
    with pytest.raises(ValueError, match=r"weight_init_std: expected a finite number >= 0, got -0.1"):
        TwoLayerNet(4, 3, 2, weight_init_std=-0.1)
    with pytest.raises(ValueError, match=r"dtype: expected float32 or float64, got int64"):
        TwoLayerNet(4, 3, 2, dtype=np.int64)
    with pytest.raises(ValueError, match=r"hidden_size: expected an integer >= 1, got 0"):
        TwoLayerNet(4, 0, 2)


# --- learning real digits ------------------------------------------------------------------------

@pytest.mark.slow
def test_learns_real_mnist_digits(shared_mnist, capsys):
    images = read_idx(shared_mnist / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(shared_mnist / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
    x = images.reshape(len(images), -1).astype(np.float32) / 255
    x_train, t_train, x_test, t_test = x[:8000], labels[:8000], x[8000:], labels[8000:]
    net = TwoLayerNet(784, 128, 10, seed=0)
    # One BLAS thread: on a busy machine, threads that wait for each other make training 10x slower.
    start = time.perf_counter()
    with threadpool_limits(1):
        history = fit(net, RMSProp(lr=1e-3), x_train, t_train, epochs=6, batch_size=64,
                      progress=False)
    seconds = time.perf_counter() - start
    accuracy = net.accuracy(x_test, t_test)
    with capsys.disabled():
        print(f"\n[mnist] 8,000 training digits, 6 epochs: test accuracy {accuracy:.4f} on 2,000 "
              f"held-out digits, training took {seconds:.2f} s")
    assert history.loss[-1] < history.loss[0]
    assert accuracy >= 0.93
