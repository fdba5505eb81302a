"""Tests of course_lib.activations: values, stability, dtypes, derivatives vs numerical ones."""
import warnings

import numpy as np
import pytest
from gradcheck_log import assert_gradient_matches
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_lib.activations import (
    ACTIVATIONS,
    get_activation,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_backward,
    step,
    step_grad,
    tanh,
    tanh_grad,
)

SHAPES = hnp.array_shapes(min_dims=0, max_dims=3, max_side=5)
ELEMENTWISE = [(step, step_grad), (sigmoid, sigmoid_grad), (tanh, tanh_grad), (relu, relu_grad)]


def moderate_arrays(shape, away_from_zero=False):
    """float64 arrays with values in [-3, 3]; optionally |x| >= 0.01 (away from the kinks at 0).

    Beyond |x| = 3 tanh' < 0.01: the numerical derivative would lose too many digits to round-off.
    """
    magnitude = st.floats(0.01 if away_from_zero else 0.0, 3.0)
    elements = st.tuples(st.sampled_from([-1.0, 1.0]), magnitude).map(lambda p: p[0] * p[1])
    return hnp.arrays(np.float64, shape, elements=elements)


def upstream_for(x, seed=0):
    """A fixed upstream gradient with |w| in [0.5, 2], so no element of dL/dx is nearly zero."""
    rng = np.random.default_rng(seed)
    return np.asarray(rng.choice([-1.0, 1.0], size=x.shape) * rng.uniform(0.5, 2.0, size=x.shape))


# --- values --------------------------------------------------------------------------------------

def test_step_and_relu_values_including_the_kink():
    x = np.array([-2.0, -0.0, 0.0, 1e-300, 3.0])
    np.testing.assert_array_equal(step(x), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(relu(x), [0, 0, 0, 1e-300, 3.0])
    np.testing.assert_array_equal(relu_grad(x), [0, 0, 0, 1, 1])
    np.testing.assert_array_equal(step_grad(x), np.zeros(5))


@given(x=hnp.arrays(np.float64, SHAPES, elements=st.floats(-30, 30)))
def test_sigmoid_and_tanh_match_their_formulas(x):
    np.testing.assert_allclose(sigmoid(x), 1 / (1 + np.exp(-x)), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(sigmoid(-x), 1 - sigmoid(x), atol=1e-15)
    # tanh(x) = 2 sigmoid(2x) - 1 ties the two functions together independently of np.tanh
    np.testing.assert_allclose(tanh(x), 2 * sigmoid(2 * x) - 1, atol=1e-14)


def test_largest_slopes_sigmoid_quarter_tanh_one():
    x = np.linspace(-6, 6, 1201)
    assert sigmoid_grad(x).max() == pytest.approx(0.25) and sigmoid_grad(x).argmax() == 600
    assert tanh_grad(x).max() == pytest.approx(1.0) and tanh_grad(x).argmax() == 600


@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
                    elements=st.floats(-50, 50)), data=st.data())
def test_softmax_sums_to_one_and_matches_the_formula_along_any_axis(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
    y = softmax(x, axis=axis)
    assert y.shape == x.shape
    np.testing.assert_allclose(y.sum(axis=axis), 1.0, rtol=1e-12)
    naive = np.exp(x) / np.exp(x).sum(axis=axis, keepdims=True)  # safe: |x| <= 50
    np.testing.assert_allclose(y, naive, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(softmax(x + 123.0, axis=axis), y, rtol=1e-9, atol=1e-300)


def test_softmax_default_axis_is_the_last():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(softmax(x), [softmax(x[0]), [1 / 3] * 3])
    np.testing.assert_allclose(softmax(x, axis=0)[:, 0], softmax(np.array([1.0, 0.0])))


# --- stability and dtypes ------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_inputs_neither_overflow_nor_warn(dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow RuntimeWarning fails the test
        np.testing.assert_array_equal(sigmoid(np.array([-1000.0, 1000.0], dtype=dtype)), [0, 1])
        np.testing.assert_array_equal(sigmoid_grad(np.array([-1e3, 1e3], dtype=dtype)), [0, 0])
        np.testing.assert_array_equal(softmax(np.array([1000.0, 1000.0], dtype=dtype)), [0.5, 0.5])
        np.testing.assert_array_equal(softmax(np.array([-1000.0, 0.0], dtype=dtype)), [0, 1])
        y = softmax(np.array([[1000.0, 990.0], [-1000.0, -1000.0]], dtype=dtype))
        np.testing.assert_allclose(y, [[1 / (1 + np.exp(-10.0)), 1 / (1 + np.exp(10.0))],
                                       [0.5, 0.5]], rtol=1e-6)
        assert np.all(np.isfinite(tanh_grad(np.array([-1000.0, 1000.0], dtype=dtype))))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("function", [step, step_grad, sigmoid, sigmoid_grad, tanh, tanh_grad,
                                      relu, relu_grad, softmax])
def test_output_keeps_input_dtype(function, dtype):
    x = np.linspace(-3, 3, 12).reshape(3, 4).astype(dtype)
    assert function(x).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_backward_keeps_dtype(dtype):
    y = softmax(np.arange(6.0, dtype=dtype).reshape(2, 3))
    assert softmax_backward(y, np.ones_like(y)).dtype == dtype


def test_integer_input_becomes_float64():
    assert sigmoid(np.array([0, 1])).dtype == np.float64
    np.testing.assert_array_equal(relu([-1, 2]), [0.0, 2.0])


# --- derivatives against numerical gradients -----------------------------------------------------

@given(x=SHAPES.flatmap(lambda shape: moderate_arrays(shape, away_from_zero=True)))
@pytest.mark.parametrize("function, derivative", ELEMENTWISE, ids=lambda f: f.__name__)
def test_elementwise_derivatives_match_numerical_gradient(function, derivative, x,
                                                          gradient_error_log):  # noqa: F811
    w = upstream_for(x)
    assert_gradient_matches(gradient_error_log, derivative.__name__,
                            lambda v: float(np.sum(w * function(v))), x, w * derivative(x))


@given(x=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5).flatmap(moderate_arrays),
       data=st.data())
def test_softmax_backward_matches_numerical_gradient(x, data, gradient_error_log):  # noqa: F811
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
    dout = upstream_for(x, seed=1)
    assert_gradient_matches(gradient_error_log, "softmax_backward",
                            lambda v: float(np.sum(dout * softmax(v, axis=axis))), x,
                            softmax_backward(softmax(x, axis=axis), dout, axis=axis))


# --- registry and errors -------------------------------------------------------------------------

def test_registry_pairs_each_function_with_its_derivative():
    assert set(ACTIVATIONS) == {"step", "sigmoid", "tanh", "relu"}
    for function, derivative in ELEMENTWISE:
        assert get_activation(function.__name__) == (function, derivative)


def test_unknown_activation_lists_the_valid_names():
    with pytest.raises(ValueError, match=r"activation: unknown name 'swish'; "
                                         r"expected one of relu, sigmoid, step, tanh"):
        get_activation("swish")


@pytest.mark.parametrize("function", [step, sigmoid, tanh, relu, softmax, sigmoid_grad])
def test_nan_and_inf_are_rejected(function):
    with pytest.raises(ValueError, match=r"x: expected finite numbers, got 1 NaN and 1 inf value"):
        function(np.array([0.0, np.nan, -np.inf]))


def test_softmax_rejects_scalars_and_bad_axes():
    with pytest.raises(ValueError, match=r"x: expected at least 1 dimension \(the classes\), "
                                         r"got a scalar"):
        softmax(3.0)
    with pytest.raises(ValueError, match=r"axis: expected an integer in \[-2, 2\) for an array "
                                         r"with 2 dimension\(s\), got 2"):
        softmax(np.ones((2, 3)), axis=2)
    with pytest.raises(ValueError, match=r"axis: expected an integer .* got 0.5"):
        softmax(np.ones(3), axis=0.5)


def test_softmax_backward_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"y and dout: expected the same shape, "
                                         r"got \(2, 3\) and \(3, 2\)"):
        softmax_backward(np.full((2, 3), 1 / 3), np.ones((3, 2)))
