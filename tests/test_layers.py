"""Tests of course_lib.layers: backward passes against numerical gradients, values, dtypes, errors."""
import warnings

import numpy as np
import pytest
from gradcheck_log import assert_gradient_matches as check
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_lib.activations import sigmoid, softmax
from course_lib.layers import Add, Affine, Multiply, Relu, Sigmoid, SoftmaxWithLoss, Tanh
from course_lib.losses import softmax_cross_entropy

SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, max_side=4)


def positive(shape):
    """float64 arrays with values in [0.5, 2].

    With positive inputs and a positive upstream gradient, no entry of a gradient that is a sum
    (dW = x^T dout, a broadcast input's gradient) can cancel to nearly 0, where the relative error
    would measure round-off instead of the backward pass.
    """
    return hnp.arrays(np.float64, shape, elements=st.floats(0.5, 2.0))


def signed(shape, low=0.1, high=2.0):
    """float64 arrays with low <= |x| <= high, either sign (away from the ReLU kink at 0)."""
    magnitude = st.floats(low, high)
    elements = st.tuples(st.sampled_from([-1.0, 1.0]), magnitude).map(lambda p: p[0] * p[1])
    return hnp.arrays(np.float64, shape, elements=elements)


def projected(layer_forward, dout):
    """The scalar L = sum(forward(...) * dout), whose gradient with respect to out is dout."""
    return lambda *inputs: float(np.sum(layer_forward(*inputs) * dout))


# --- backward passes against numerical gradients -------------------------------------------------

@given(data=st.data(), shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4))
@pytest.mark.parametrize("layer_class", [Multiply, Add])
def test_multiply_and_add_backward_match_numerical_gradient(layer_class, data, shapes,
                                                            gradient_error_log):  # noqa: F811
    x = data.draw(positive(shapes.input_shapes[0]))
    y = data.draw(positive(shapes.input_shapes[1]))
    dout = data.draw(positive(shapes.result_shape))
    layer = layer_class()
    layer.forward(x, y)
    dx, dy = layer.backward(dout)
    f = projected(layer.forward, dout)
    name = layer_class.__name__
    check(gradient_error_log, f"{name}.backward dx", lambda _: f(x, y), x, dx)
    check(gradient_error_log, f"{name}.backward dy", lambda _: f(x, y), y, dy)


@given(data=st.data(), n=st.integers(1, 4), sample_shape=SHAPES, hidden=st.integers(1, 5))
def test_affine_backward_matches_numerical_gradient(data, n, sample_shape, hidden,
                                                    gradient_error_log):  # noqa: F811
    x = data.draw(positive((n, *sample_shape)))
    W = data.draw(positive((int(np.prod(sample_shape)), hidden)))
    b = data.draw(positive((hidden,)))
    dout = data.draw(positive((n, hidden)))
    layer = Affine(W, b)
    layer.forward(x)
    dx = layer.backward(dout)
    assert dx.shape == x.shape
    f = projected(layer.forward, dout)
    for label, value, analytic in [("dx", x, dx), ("dW", W, layer.dW), ("db", b, layer.db)]:
        check(gradient_error_log, f"Affine.backward {label}", lambda _: f(x), value, analytic)


@given(data=st.data(), shape=SHAPES)
@pytest.mark.parametrize("layer_class", [Relu, Sigmoid, Tanh])
def test_activation_backward_matches_numerical_gradient(layer_class, data, shape,
                                                        gradient_error_log):  # noqa: F811
    x = data.draw(signed(shape))
    dout = data.draw(signed(shape, 0.5, 2.0))
    layer = layer_class()
    layer.forward(x)
    dx = layer.backward(dout)
    f = projected(layer.forward, dout)
    check(gradient_error_log, f"{layer_class.__name__}.backward", lambda _: f(x), x, dx)


@given(data=st.data(), n=st.integers(1, 5), k=st.integers(2, 6), one_hot=st.booleans(),
       dout=st.floats(0.5, 2.0))
def test_softmax_with_loss_backward_matches_numerical_gradient(data, n, k, one_hot, dout,
                                                               gradient_error_log):  # noqa: F811
    x = data.draw(hnp.arrays(np.float64, (n, k), elements=st.floats(-2.0, 2.0)))
    t = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))
    labels = np.eye(k)[t] if one_hot else t
    layer = SoftmaxWithLoss()
    layer.forward(x, labels)
    dx = layer.backward(dout)
    check(gradient_error_log, "SoftmaxWithLoss.backward",
          lambda _: dout * layer.forward(x, labels), x, dx)


# --- forward values and the bookkeeping between forward and backward -----------------------------

def test_multiply_and_add_on_scalars_give_the_chain_rule_by_hand():
    # price 100 x 2 items, plus 50 shipping, x 1.1 tax
    items, tax, shipping = Multiply(), Multiply(), Add()
    total = tax.forward(shipping.forward(items.forward(100.0, 2), 50.0), 1.1)
    assert total == pytest.approx(275.0)
    d_subtotal, d_tax = tax.backward(1.0)
    d_items_cost, d_shipping = shipping.backward(d_subtotal)
    d_price, d_count = items.backward(d_items_cost)
    assert (d_price, d_count, d_shipping, d_tax) == pytest.approx((2.2, 110.0, 1.1, 250.0))


def test_broadcast_inputs_collect_the_gradient_of_every_output_they_fed():
    x = np.arange(6.0).reshape(2, 3)
    row, col = np.array([1.0, 2.0, 3.0]), np.array([[10.0], [20.0]])
    add = Add()
    add.forward(x, row)
    dout = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    dx, drow = add.backward(dout)
    np.testing.assert_array_equal(dx, dout)
    np.testing.assert_array_equal(drow, [5.0, 7.0, 9.0])
    mul = Multiply()
    mul.forward(x, col)
    dx, dcol = mul.backward(dout)
    np.testing.assert_array_equal(dx, dout * col)
    np.testing.assert_array_equal(dcol, [[0 + 2 + 6], [12 + 20 + 30]])


def test_affine_flattens_each_sample_and_restores_the_shape_of_dx():
    rng = np.random.default_rng(0)
    x, W, b = rng.normal(size=(5, 2, 3)), rng.normal(size=(6, 4)), rng.normal(size=4)
    layer = Affine(W, b)
    out = layer.forward(x)
    np.testing.assert_allclose(out, x.reshape(5, 6) @ W + b)
    dout = rng.normal(size=(5, 4))
    dx = layer.backward(dout)
    assert dx.shape == (5, 2, 3)
    np.testing.assert_allclose(dx, (dout @ W.T).reshape(5, 2, 3))
    np.testing.assert_allclose(layer.dW, x.reshape(5, 6).T @ dout)
    np.testing.assert_allclose(layer.db, dout.sum(axis=0))


def test_affine_without_input_grad_returns_none_but_the_same_parameter_gradients():
    rng = np.random.default_rng(1)
    x, W, b, dout = rng.normal(size=(3, 4)), rng.normal(size=(4, 2)), rng.normal(size=2), rng.normal(size=(3, 2))
    full, first = Affine(W, b), Affine(W, b, input_grad=False)
    full.forward(x)
    first.forward(x)
    assert full.backward(dout) is not None
    assert first.backward(dout) is None
    np.testing.assert_array_equal(first.dW, full.dW)
    np.testing.assert_array_equal(first.db, full.db)


def test_affine_sees_in_place_updates_of_its_weights():
    W, b = np.ones((2, 2)), np.zeros(2)
    layer = Affine(W, b)
    W -= 1.0  # what an optimizer does
    np.testing.assert_array_equal(layer.forward(np.ones((1, 2))), [[0.0, 0.0]])


def test_activation_values():
    x = np.array([[-2.0, -0.5, 0.0, 0.5, 3.0]])
    np.testing.assert_array_equal(Relu().forward(x), [[0, 0, 0, 0.5, 3.0]])
    np.testing.assert_allclose(Sigmoid().forward(x), 1 / (1 + np.exp(-x)))
    np.testing.assert_allclose(Tanh().forward(x), np.tanh(x))


def test_relu_passes_the_gradient_only_where_the_input_was_positive():
    layer = Relu()
    x = np.array([-1.0, 0.0, 2.0])
    layer.forward(x)
    np.testing.assert_array_equal(layer.backward(np.array([5.0, 6.0, 7.0])), [0.0, 0.0, 7.0])
    np.testing.assert_array_equal(x, [-1.0, 0.0, 2.0])  # not in place by default


def test_inplace_relu_reuses_its_arrays_and_gives_the_same_results():
    x = np.array([[-1.0, 2.0], [3.0, -4.0]])
    dout = np.array([[1.0, 1.0], [1.0, 1.0]])
    plain, inplace = Relu(), Relu(inplace=True)
    expected_out, expected_dx = plain.forward(x.copy()), plain.backward(dout.copy())
    x_work, dout_work = x.copy(), dout.copy()
    out = inplace.forward(x_work)
    dx = inplace.backward(dout_work)
    assert out is x_work and dx is dout_work
    np.testing.assert_array_equal(out, expected_out)
    np.testing.assert_array_equal(dx, expected_dx)


def test_softmax_with_loss_matches_the_loss_function_and_keeps_probabilities():
    x = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    t = np.array([1, 2])
    layer = SoftmaxWithLoss()
    assert layer.forward(x, t) == pytest.approx(softmax_cross_entropy(x, t))
    np.testing.assert_allclose(layer.y, softmax(x, axis=1))
    expected = (softmax(x, axis=1) - np.eye(3)[t]) / 2
    np.testing.assert_allclose(layer.backward(), expected)
    np.testing.assert_allclose(layer.backward(), expected)  # a second backward: same answer
    np.testing.assert_allclose(layer.backward(3.0), 3 * expected)


def test_softmax_with_loss_one_hot_and_index_labels_agree():
    x = np.random.default_rng(2).normal(size=(4, 3))
    t = np.array([0, 2, 2, 1])
    by_index, by_one_hot = SoftmaxWithLoss(), SoftmaxWithLoss()
    assert by_index.forward(x, t) == pytest.approx(by_one_hot.forward(x, np.eye(3)[t]))
    np.testing.assert_allclose(by_index.backward(), by_one_hot.backward())


def test_softmax_with_loss_is_stable_for_huge_logits():
    x = np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]], dtype=np.float32)
    layer = SoftmaxWithLoss()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = layer.forward(x, np.array([2, 1]))
        dx = layer.backward()
    assert loss == pytest.approx(1e4, rel=1e-6)  # sample 0: -log softmax = 2e4; sample 1: 0
    assert np.isfinite(dx).all()


# --- dtypes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_layer_keeps_the_input_dtype(dtype):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 3)).astype(dtype)
    dout = rng.normal(size=(4, 3)).astype(dtype)
    for layer in (Relu(), Relu(inplace=True), Sigmoid(), Tanh()):
        assert layer.forward(x.copy()).dtype == dtype
        assert layer.backward(dout.copy()).dtype == dtype, type(layer).__name__
    for layer in (Multiply(), Add()):
        assert layer.forward(x, x).dtype == dtype
        assert all(d.dtype == dtype for d in layer.backward(dout))
    affine = Affine(rng.normal(size=(3, 2)).astype(dtype), np.zeros(2, dtype))
    assert affine.forward(x).dtype == dtype
    assert affine.backward(dout[:, :2]).dtype == dtype
    assert affine.dW.dtype == dtype and affine.db.dtype == dtype
    loss_layer = SoftmaxWithLoss()
    assert type(loss_layer.forward(x, np.array([0, 1, 2, 0]))) is float  # not a numpy scalar
    assert loss_layer.y.dtype == dtype
    assert loss_layer.backward().dtype == dtype


# --- errors ---------------------------------------------------------------------------------------

def test_affine_rejects_a_wrong_input_width():
    layer = Affine(np.zeros((6, 2)), np.zeros(2))
    with pytest.raises(ValueError, match=r"x: expected shape \(N, \.\.\.\) with 6 values per sample "
                                         r"\(W has shape \(6, 2\)\), got shape \(3, 5\)"):
        layer.forward(np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"got shape \(6,\)"):
        layer.forward(np.zeros(6))  # one sample needs a batch axis


def test_softmax_with_loss_rejects_bad_labels_and_nan():
    layer = SoftmaxWithLoss()
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"t: expected class indices in \[0, 3\), got values from 0 to 3"):
        layer.forward(x, np.array([0, 3]))
    with pytest.raises(ValueError, match=r"t: expected 2 labels \(one per sample\), got 3"):
        layer.forward(x, np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=r"t: expected one-hot labels of shape \(2, 3\), got \(2, 4\)"):
        layer.forward(x, np.eye(4)[[0, 1]])
    with pytest.raises(ValueError, match=r"x: expected finite numbers, got 1 NaN"):
        layer.forward(np.array([[0.0, np.nan, 1.0], [0.0, 0.0, 0.0]]), np.array([0, 1]))


def test_sigmoid_layer_uses_the_stable_sigmoid():
    x = np.array([-1000.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(Sigmoid().forward(x), sigmoid(x))
