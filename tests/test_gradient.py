"""Tests of course_lib.gradient: difference quotients, numerical gradients, relative error."""
import math

import numpy as np
import pytest
import smooth_nets
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_lib.gradient import (
    STANDARDS,
    SUSPICIOUS_BAND,
    GradientCheckResult,
    function_noise,
    gradient_check,
    max_relative_error,
    numerical_derivative,
    numerical_gradient,
    relative_error,
)


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
    assert result.verdict == "PASS" and result.passed and bool(result)
    assert type(result.max_error_ratio) is float and result.max_error_ratio < 1
    assert result.n_checked == result.n_elements == x.size
    assert str(result).startswith("Gradient check PASS: every element agrees")


@pytest.mark.parametrize("shape, wrong_index", [((5,), (3,)), ((3, 4), (1, 2)),
                                                ((2, 3, 2), (1, 0, 1)), ((), ())])
def test_gradient_check_fails_a_wrong_gradient_and_names_the_worst_element(shape, wrong_index):
    x = uniform_array(shape, 0.5, 2.0, seed=4)
    analytic = np.asarray(3 * x ** 2 + 2)  # an array also for shape ()
    analytic[wrong_index] *= 1.5  # the bug: one element off by half
    result = gradient_check(cubic_sum, x, analytic, n_worst=3)
    assert result.verdict == "FAIL" and not result.passed and not bool(result)
    index, bad_analytic, numerical, difference, allowed, note = result.worst[0]
    assert index == wrong_index and note == ""
    assert bad_analytic == analytic[wrong_index]
    assert numerical == pytest.approx(3 * x[wrong_index] ** 2 + 2, rel=1e-8)
    assert difference == pytest.approx(abs(bad_analytic - numerical))
    assert allowed == pytest.approx(result.atol + result.rtol * abs(bad_analytic))
    assert result.max_error_ratio == pytest.approx(difference / allowed)
    assert result.max_relative_error == pytest.approx(0.2, rel=1e-6)  # |1.5g - g| / (1.5g + g)
    assert len(result.worst) == min(3, x.size)
    ratios = [w[3] / w[4] for w in result.worst]
    assert ratios == sorted(ratios, reverse=True)
    table = str(result).splitlines()
    assert table[0].startswith("Gradient check FAIL: the gradient is wrong")
    assert table[3].strip().startswith(str(wrong_index))


def test_gradient_check_accepts_tiny_correct_elements_that_relative_error_rejects():
    """The review's cases: a correct element far smaller than the rest, and an exact zero."""
    x = np.array([np.pi / 2])  # d/dx sin = cos(pi/2) = 6e-17, numerically 0
    assert gradient_check(lambda v: float(np.sum(np.sin(v))), x, np.cos(x)).passed
    # elements spanning 8 orders of magnitude, each exact
    scales = np.array([1.0, 1e-3, 1e-6, 1e-8])
    x = np.array([0.3, -0.7, 1.1, 0.2])
    f = lambda v: float(np.sum(scales * np.sin(v)))  # noqa: E731
    result = gradient_check(f, x, scales * np.cos(x))
    assert result.passed, str(result)
    assert max_relative_error(scales * np.cos(x), result.numerical) > 1e-7  # the old check failed


def test_gradient_check_measures_the_noise_of_a_confident_classifier():
    """Large scores, small loss: round-off far above eps * |loss|, yet the check passes."""
    rng = np.random.default_rng(5)
    scores = rng.normal(size=(8, 4)) * 40
    labels = scores.argmax(axis=1)

    def loss(s):
        shifted = s - s.max(axis=1, keepdims=True)
        return float(np.mean(np.log(np.exp(shifted).sum(axis=1)) - shifted[np.arange(8), labels]))

    shifted = scores - scores.max(axis=1, keepdims=True)
    p = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    p[np.arange(8), labels] -= 1
    result = gradient_check(loss, scores, p / 8)
    assert result.passed, str(result)
    assert function_noise(loss, scores, 1e-8) > 100 * np.finfo(float).eps * loss(scores)


@pytest.mark.parametrize("mistake", ["factor 2", "sign", "transpose", "one element 1 % off",
                                     "1/N forgotten"])
def test_gradient_check_fails_each_kind_of_mistake(mistake):
    rng = np.random.default_rng(11)
    net = dict(params={"W0": rng.normal(size=(4, 4)), "b0": rng.normal(size=4),
                       "W1": rng.normal(size=(4, 3)), "b1": rng.normal(size=3)},
               x=rng.normal(size=(6, 4)), t=rng.integers(0, 3, size=6), activation="tanh",
               loss="cross_entropy", depth=2)
    w = net["params"]["W0"]  # square: a transpose keeps the shape
    _, grads = smooth_nets.forward_backward(net)
    g = grads["W0"]
    wrong = {"factor 2": 2 * g, "sign": -g, "transpose": g.T,
             "1/N forgotten": g * len(net["x"])}.get(mistake)
    if wrong is None:
        wrong = g.copy()
        wrong.flat[np.argsort(np.abs(g), axis=None)[g.size // 2]] *= 1.01
    result = gradient_check(lambda _: smooth_nets.loss_of(net), w, wrong)
    assert result.verdict == "FAIL", str(result)


def check_random_networks(seeds, dtype):
    """Every correct gradient of the networks passes; every mistake above the resolution is caught.

    Returns how many gradients were checked and how many of them were large enough (1000 times
    the check's atol) to plant mistakes in.
    """
    checked = caught = 0
    for seed in seeds:
        net = smooth_nets.random_net(seed, dtype)
        for name, array, exact in smooth_nets.arrays_and_gradients(net):
            loss = lambda _, net=net: smooth_nets.loss_of(net)  # noqa: E731
            result = gradient_check(loss, array, exact)
            assert result.passed, f"network {seed}, {name} ({dtype.__name__}):\n{result}"
            checked += 1
            biggest = np.unravel_index(np.argmax(np.abs(exact)), exact.shape)
            if np.abs(exact[biggest]) <= 1000 * result.atol:
                continue  # the gradient is at the level of the numerical gradient's noise
            one_off = exact.copy()
            one_off[biggest] *= 1.01 if dtype == np.float64 else 1.1
            for wrong in (2 * exact, -exact):
                assert gradient_check(loss, array, wrong).verdict == "FAIL", (seed, name)
            one_off_result = gradient_check(loss, array, one_off)
            assert not one_off_result, (seed, name)  # SUSPICIOUS at least ...
            if np.abs(exact[biggest]) > 1e5 * result.atol:  # ... and FAIL when well resolved
                assert one_off_result.verdict == "FAIL", (seed, name)
            caught += 1
    return checked, caught


def test_gradient_check_on_random_smooth_networks_quick():
    checked, caught = check_random_networks(range(20), np.float64)
    assert checked >= 80 and caught >= checked // 2


@pytest.mark.slow
@pytest.mark.parametrize("dtype, count", [(np.float64, 200), (np.float32, 150)])
def test_gradient_check_on_hundreds_of_random_smooth_networks(dtype, count):
    """Measured when the defaults were chosen, on 300 float64 and 200 float32 networks: the worst
    correct element used 0.07 (float64) and 0.98 (float32) of its allowed difference."""
    checked, caught = check_random_networks(range(100, 100 + count), dtype)
    assert checked >= 4 * count and caught >= checked // (2 if dtype == np.float64 else 10)


@pytest.mark.parametrize("corner, verdict, note", [(0.0, "SUSPICIOUS", "kink"),
                                                   (-4e-7, "SUSPICIOUS", "kink"),
                                                   (3e-6, "PASS", "step")])
def test_gradient_check_explains_a_relu_kink_instead_of_failing(corner, verdict, note):
    """An input within h of ReLU's corner: the numerical slope is a mix of 0 and 1. Within h / 10
    no step can check the element (a kink); between h / 10 and h the step h / 10 can."""
    x = np.array([corner, -0.5, 0.3, 1.2])
    dout = np.array([2.0, 1.0, -1.0, 0.5])
    relu_loss = lambda v: float(np.sum(np.maximum(v, 0) * dout))  # noqa: E731
    result = gradient_check(relu_loss, x, dout * (x > 0))
    assert result.verdict == verdict and (result.kinks, result.steps) == (
        (1, 0) if note == "kink" else (0, 1)), str(result)
    assert result.worst[0][0] == (0,) and result.worst[0][5] == note
    assert (note == "kink") == ("not smooth" in str(result))
    # a wrong ReLU backward (dout ignored) next to the same kink still fails on the other elements
    assert gradient_check(relu_loss, x, 1.0 * (x > 0)).verdict == "FAIL"


def test_gradient_check_counts_a_too_large_step_as_agreeing():
    """sin(30 x) bends so fast that h = 1e-3 misses by 150 x the allowed difference; h / 10 misses
    by 100 x less: the truncation error of a correct gradient, not a mistake."""
    x = np.array([0.2, 0.5])
    result = gradient_check(lambda v: float(np.sum(np.sin(30 * v))), x, 30 * np.cos(30 * x), h=1e-3)
    assert result.verdict == "PASS" and result.steps == 2, str(result)
    assert "only as the step shrinks" in str(result)
    assert gradient_check(lambda v: float(np.sum(np.sin(30 * v))), x, 31 * np.cos(30 * x),
                          h=1e-3).verdict == "FAIL"


def test_gradient_check_flags_a_small_mistake_as_suspicious():
    x = uniform_array((6,), 0.5, 2.0, seed=6)
    analytic = 3 * x ** 2 + 2
    analytic[2] *= 1 + 3e-5  # a few times the allowed 1e-6: too much for round-off, not a bug-sized miss
    result = gradient_check(cubic_sum, x, analytic)
    assert result.verdict == "SUSPICIOUS" and not result, str(result)
    assert 1 < result.max_error_ratio <= SUSPICIOUS_BAND
    assert "a small mistake" in str(result)


def test_gradient_check_float32_mode():
    x = uniform_array((3, 4), seed=7, dtype=np.float32)
    f = lambda v: float(np.sum(v ** 3 + 2 * v, dtype=np.float32))  # noqa: E731
    exact = (3 * x ** 2 + 2).astype(np.float32)
    result = gradient_check(f, x, exact)
    assert result.precision == "float32" and result.h == STANDARDS["float32"].h
    assert result.passed, str(result)
    assert not gradient_check(f, x, exact * np.float32(1.01))  # 1 % off: at least SUSPICIOUS
    assert gradient_check(f, x, exact * np.float32(1.5)).verdict == "FAIL"
    # the float64 standard applied to float32 arithmetic: the round-off of f is measured, so a
    # correct gradient still does not fail, though the check says little
    assert gradient_check(f, x, exact, precision="float64").verdict != "FAIL"


def test_gradient_check_samples_elements_of_a_large_parameter():
    x = uniform_array((40, 50), seed=8)
    calls = []

    def f(v):
        calls.append(1)
        return cubic_sum(v)

    exact = 3 * x ** 2 + 2
    result = gradient_check(f, x, exact, sample=30, seed=1)
    assert result.passed and result.n_checked == 30 and result.n_elements == 2000
    assert "30 of 2000 elements" in result.summary()
    assert np.isnan(result.numerical).sum() == 2000 - 30
    assert len(calls) <= 2 * 30 + 3 * 7  # two per sampled element, and the noise probe
    same = gradient_check(cubic_sum, x, exact, sample=30, seed=1).numerical
    np.testing.assert_array_equal(np.isnan(same), np.isnan(result.numerical))
    wrong = exact.copy()
    wrong[np.isfinite(result.numerical)] *= 2  # caught when the sample covers the mistake
    assert gradient_check(cubic_sum, x, wrong, sample=30, seed=1).verdict == "FAIL"
    assert gradient_check(cubic_sum, x, exact, sample=5000).n_checked == 2000


def test_gradient_check_restores_x_and_accepts_explicit_tolerances():
    x = uniform_array((3, 3), seed=9)
    original = x.copy()
    result = gradient_check(cubic_sum, x, 3 * x ** 2 + 2, 1e-4, rtol=1e-3, atol=1e-6)
    np.testing.assert_array_equal(x, original)
    assert (result.h, result.rtol, result.atol) == (1e-4, 1e-3, 1e-6)
    assert not gradient_check(cubic_sum, x, 3 * x ** 2 + 2.01, rtol=1e-3, atol=1e-6)


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
    with pytest.raises(ValueError, match=r"rtol: expected a finite number >= 0"):
        gradient_check(cubic_sum, np.ones(2), np.ones(2), rtol=-1)
    with pytest.raises(ValueError, match=r"precision: unknown name 'float16'"):
        gradient_check(cubic_sum, np.ones(2), np.ones(2), precision="float16")
    with pytest.raises(ValueError, match=r"sample: expected an integer >= 1, got 0"):
        gradient_check(cubic_sum, np.ones(2), np.ones(2), sample=0)
    with pytest.raises(ValueError, match=r"n_worst: expected an integer >= 0, got 2.5"):
        gradient_check(cubic_sum, np.ones(2), np.ones(2), n_worst=2.5)
    with pytest.raises(ValueError, match=r"n_worst: expected an integer >= 0, got -1"):
        gradient_check(cubic_sum, np.ones(2), np.ones(2), n_worst=-1)
    assert gradient_check(cubic_sum, np.ones(2), 3 * np.ones(2) + 2, n_worst=0).worst == []
