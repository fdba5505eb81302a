"""Tests of course_lib.gradient: difference quotients, numerical gradients, relative error."""
import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

from course_lib.gradient import (GradientCheckResult, gradient_check, max_relative_error,
                                 numerical_derivative, numerical_gradient, relative_error)

FAST = settings(max_examples=40, deadline=None)


def uniform_array(shape, low=-2.0, high=2.0, seed=0, dtype=np.float64):
    """A real ndarray (also for shape (), where numpy would hand back a scalar)."""
    return np.asarray(np.random.default_rng(seed).uniform(low, high, size=shape), dtype=dtype)


def cubic_sum(x):
    """f(x) = sum(x^3 + 2x), gradient 3x^2 + 2."""
    return float(np.sum(x ** 3 + 2 * x))


# --- numerical_derivative ------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["central", "forward", "backward"])
@pytest.mark.parametrize("x", [-2.0, 0.0, 0.5, 3.0])
def test_numerical_derivative_matches_known_derivative(method, x):
    # error of the one-sided differences is about h/2 * |f''| <= 1e-4 here
    assert numerical_derivative(np.sin, x, method=method) == pytest.approx(math.cos(x), abs=1e-4)


def test_numerical_derivative_returns_python_float():
    assert type(numerical_derivative(np.exp, np.float32(1.0))) is float


def test_numerical_derivative_methods_use_the_right_points():
    # f(x) = x^2 at x = 1, h = 0.1: forward (1.21 - 1)/0.1 = 2.1, backward (1 - 0.81)/0.1 = 1.9,
    # central (1.21 - 0.81)/0.2 = 2 exactly (central differences are exact for quadratics)
    square = lambda v: v * v  # noqa: E731
    assert numerical_derivative(square, 1.0, h=0.1, method="forward") == pytest.approx(2.1)
    assert numerical_derivative(square, 1.0, h=0.1, method="backward") == pytest.approx(1.9)
    assert numerical_derivative(square, 1.0, h=0.1, method="central") == pytest.approx(2.0)


@pytest.mark.parametrize("f, df, x", [(np.exp, np.exp, 1.0),
                                      (np.sin, np.cos, 0.7),
                                      (lambda v: v ** 4, lambda v: 4 * v ** 3, 1.3)])
def test_central_difference_error_is_second_order_forward_first_order(f, df, x):
    """Shrinking h tenfold divides the forward error by ~10 and the central error by ~100."""
    def error(h, method):
        return abs(numerical_derivative(f, x, h=h, method=method) - df(x))

    for method, expected_order in [("forward", 1), ("backward", 1), ("central", 2)]:
        order = math.log10(error(1e-2, method) / error(1e-3, method))
        assert order == pytest.approx(expected_order, abs=0.1), method
    for h in (1e-1, 1e-2, 1e-3):
        assert error(h, "central") < error(h, "forward") / 10


def test_numerical_derivative_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"method: unknown name 'midpoint'; expected one of "
                                         r"backward, central, forward"):
        numerical_derivative(np.sin, 1.0, method="midpoint")
    with pytest.raises(ValueError, match=r"h: expected a finite number > 0, got 0"):
        numerical_derivative(np.sin, 1.0, h=0)
    with pytest.raises(ValueError, match=r"x: expected 0 dimension\(s\), got shape \(2,\)"):
        numerical_derivative(np.sin, np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"x: expected finite numbers, got 1 NaN"):
        numerical_derivative(np.sin, float("nan"))
    with pytest.raises(TypeError, match=r"f: expected f\(x\) to return a scalar, "
                                        r"got an array of shape \(2,\)"):
        numerical_derivative(lambda v: np.array([v, v]), 1.0)


# --- numerical_gradient --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 2)])
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-7), (np.float32, 1e-2)])
def test_numerical_gradient_any_shape_keeps_shape_and_dtype(shape, dtype, tol):
    x = uniform_array(shape, dtype=dtype)
    grad = numerical_gradient(cubic_sum, x)
    assert grad.shape == x.shape
    assert grad.dtype == dtype
    np.testing.assert_allclose(grad, 3 * x.astype(np.float64) ** 2 + 2, rtol=tol)


def test_numerical_gradient_perturbs_in_place_so_closures_work():
    weights = np.array([[1.0, -2.0], [0.5, 3.0]])
    def loss(_):  # ignores its argument and reads the weights directly, like a network's loss
        return float(np.sum(weights ** 2))
    np.testing.assert_allclose(numerical_gradient(loss, weights), 2 * weights, rtol=1e-9)


def test_numerical_gradient_moves_one_element_at_a_time_by_h():
    x = np.arange(6.0).reshape(2, 3)
    original = x.copy()
    seen = []
    numerical_gradient(lambda v: seen.append(v - original) or 0.0, x, h=0.5)
    assert len(seen) == 2 * x.size  # two evaluations per element: the cost of numerical gradients
    for k, difference in enumerate(seen):
        expected = np.zeros_like(x)
        expected.flat[k // 2] = 0.5 if k % 2 == 0 else -0.5
        np.testing.assert_array_equal(difference, expected)


@pytest.mark.parametrize("shape", [(), (3,), (2, 2), (2, 1, 3)])
def test_numerical_gradient_restores_input_exactly(shape):
    x = uniform_array(shape, seed=1)
    original = x.copy()
    numerical_gradient(cubic_sum, x, h=0.1)  # 0.1: x +- h -+ h would not round back to x
    np.testing.assert_array_equal(x, original)


@FAST
@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), data=st.data())
def test_numerical_gradient_restores_input_when_f_raises(shape, data):
    x = uniform_array(shape, seed=2)
    original = x.copy()
    fail_at = data.draw(st.integers(1, 2 * x.size), label="failing call")
    calls = []

    def failing(v):
        calls.append(1)
        if len(calls) == fail_at:
            raise RuntimeError("f failed")
        return cubic_sum(v)

    with pytest.raises(RuntimeError, match="f failed"):
        numerical_gradient(failing, x, h=0.1)
    np.testing.assert_array_equal(x, original)


def test_numerical_gradient_accepts_lists_and_integers_as_float64():
    grad = numerical_gradient(cubic_sum, [1, 2])
    assert grad.dtype == np.float64
    np.testing.assert_allclose(grad, [5.0, 14.0], rtol=1e-7)


def test_numerical_gradient_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"x: expected finite numbers, got 0 NaN and 1 inf"):
        numerical_gradient(cubic_sum, np.array([1.0, np.inf]))
    with pytest.raises(ValueError, match=r"h: expected a finite number > 0, got -0.1"):
        numerical_gradient(cubic_sum, np.ones(2), h=-0.1)
    with pytest.raises(TypeError, match=r"f: expected f\(x\) to return a scalar, "
                                        r"got an array of shape \(2,\)"):
        numerical_gradient(lambda v: v * 2, np.ones(2))


# --- relative_error ------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, expected", [(1.0, 1.0, 0.0), (0.0, 0.0, 0.0), (1.0, -1.0, 1.0),
                                            (2.0, 0.0, 1.0), (3.0, 1.0, 0.5),
                                            (1e-20, 2e-20, 1e-20 / 1e-12)])
def test_relative_error_definition(a, b, expected):
    assert relative_error(np.array([a]), np.array([b]))[0] == pytest.approx(expected)


@FAST
@given(ab=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4).flatmap(
    lambda shape: st.tuples(*[hnp.arrays(np.float64, shape, elements=st.floats(-1e6, 1e6))] * 2)))
def test_relative_error_is_symmetric_and_between_0_and_1(ab):
    a, b = ab
    errors = relative_error(a, b)
    assert errors.shape == a.shape
    np.testing.assert_array_equal(errors, relative_error(b, a))
    assert np.all((errors >= 0) & (errors <= 1))
    assert np.all(errors[a == b] == 0)


def test_relative_error_keeps_dtype_and_max_is_python_float():
    a32 = np.array([1.0, 2.0], dtype=np.float32)
    assert relative_error(a32, a32 * 2).dtype == np.float32
    largest = max_relative_error([1.0, 2.0, 4.0], [1.0, 1.0, 4.0])
    assert type(largest) is float and largest == pytest.approx(1 / 3)
    assert max_relative_error(np.zeros(0), np.zeros(0)) == 0.0


def test_relative_error_rejects_shape_mismatch():
    with pytest.raises(ValueError, match=r"a and b: expected the same shape, "
                                         r"got \(2,\) and \(3,\)"):
        relative_error(np.ones(2), np.ones(3))


# --- gradient_check ------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 2)])
def test_gradient_check_passes_a_correct_gradient(shape):
    x = uniform_array(shape, seed=3)
    result = gradient_check(cubic_sum, x, 3 * x ** 2 + 2)
    assert isinstance(result, GradientCheckResult)
    assert result.passed and bool(result)
    assert type(result.max_relative_error) is float and result.max_relative_error < 1e-7
    assert str(result).startswith("Gradient check PASSED")


@pytest.mark.parametrize("shape, wrong_index", [((5,), (3,)), ((3, 4), (1, 2)),
                                                ((2, 3, 2), (1, 0, 1)), ((), ())])
def test_gradient_check_fails_a_wrong_gradient_and_names_the_worst_element(shape, wrong_index):
    x = uniform_array(shape, 0.5, 2.0, seed=4)
    analytic = np.asarray(3 * x ** 2 + 2)  # an array also for shape ()
    analytic[wrong_index] *= 1.5  # the bug: one element off by half
    result = gradient_check(cubic_sum, x, analytic, n_worst=3)
    assert not result.passed and not bool(result)
    index, bad_analytic, numerical, error = result.worst[0]
    assert index == wrong_index
    assert bad_analytic == analytic[wrong_index]
    assert numerical == pytest.approx(3 * x[wrong_index] ** 2 + 2, rel=1e-8)
    assert error == pytest.approx(0.2, rel=1e-6)  # |1.5g - g| / (1.5g + g)
    assert result.max_relative_error == error
    assert len(result.worst) == min(3, x.size)
    assert [w[3] for w in result.worst] == sorted((w[3] for w in result.worst), reverse=True)
    table = str(result).splitlines()
    assert table[0].startswith("Gradient check FAILED: max relative error 2.000e-01")
    assert table[2].startswith(str(wrong_index))


def test_gradient_check_worst_is_an_int_tuple_index():
    x = np.ones((2, 2))
    result = gradient_check(cubic_sum, x, np.zeros((2, 2)), n_worst=10)
    assert [w[0] for w in result.worst] == [(0, 0), (0, 1), (1, 0), (1, 1)]  # ties keep index order
    assert all(type(i) is int for w in result.worst for i in w[0])


def test_gradient_check_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"analytic and x: expected the same shape, "
                                         r"got \(3,\) and \(2,\)"):
        gradient_check(cubic_sum, np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match=r"analytic: expected finite numbers, got 1 NaN"):
        gradient_check(cubic_sum, np.ones(2), np.array([1.0, np.nan]))
    with pytest.raises(ValueError, match=r"numerical gradient \(f gave NaN or inf near x\): "
                                         r"expected finite numbers, got 1 NaN"):
        gradient_check(lambda v: np.nan if v[0] < 0 else float(v.sum()), np.zeros(2), np.ones(2))
    with pytest.raises(ValueError, match=r"tol: expected a finite number > 0"):
        gradient_check(cubic_sum, np.ones(2), np.ones(2), tol=0)
    with pytest.raises(ValueError, match=r"n_worst: expected an integer >= 0, got 2.5"):
        gradient_check(cubic_sum, np.ones(2), np.ones(2), n_worst=2.5)
    with pytest.raises(ValueError, match=r"n_worst: expected an integer >= 0, got -1"):
        gradient_check(cubic_sum, np.ones(2), np.ones(2), n_worst=-1)
    assert gradient_check(cubic_sum, np.ones(2), 3 * np.ones(2) + 2, n_worst=0).worst == []
