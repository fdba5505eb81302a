"""Tests of course_lib.losses: values, label forms, stability, dtypes, gradients vs numerical."""
import math
import warnings

import numpy as np
import pytest
from gradcheck_log import assert_gradient_matches
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_lib.activations import softmax
from course_lib.losses import (
    cross_entropy,
    cross_entropy_grad,
    mean_squared_error,
    mean_squared_error_grad,
    one_hot,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
)


@st.composite
def classification(draw, low, high, single=None):
    """Scores of shape (N, K) (or (K,) for a single sample) with labels as indices or one-hot."""
    single = draw(st.booleans()) if single is None else single
    n_samples, n_classes = draw(st.integers(1, 5)), draw(st.integers(2, 6))
    shape = (n_classes,) if single else (n_samples, n_classes)
    scores = draw(hnp.arrays(np.float64, shape, elements=st.floats(low, high)))
    labels = np.array(draw(st.lists(st.integers(0, n_classes - 1),
                                    min_size=n_samples, max_size=n_samples)))
    if draw(st.booleans()):
        t = one_hot(labels, n_classes)
        t = t[0] if single else t
    else:
        t = int(labels[0]) if single else labels
    return scores, t


def as_batch(scores, t):
    """The same problem as a batch: scores (N, K) and index labels (N,)."""
    if scores.ndim == 1:
        scores, t = scores[None], np.atleast_1d(t) if np.ndim(t) == 0 else t[None]
    return scores, (np.argmax(t, axis=1) if np.ndim(t) == 2 else np.asarray(t))


# --- one_hot -------------------------------------------------------------------------------------

def test_one_hot_puts_a_single_one_per_row():
    encoded = one_hot(np.array([2, 0, 1, 2]), 3)
    np.testing.assert_array_equal(encoded, [[0, 0, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]])
    assert encoded.dtype == np.float64
    assert one_hot([1], 4, dtype=np.float32).dtype == np.float32


def test_one_hot_rejects_bad_input():
    with pytest.raises(ValueError, match=r"t: expected class indices in \[0, 3\), "
                                         r"got values from 0 to 5"):
        one_hot([0, 5], 3)
    with pytest.raises(ValueError, match=r"n_classes: expected a positive integer, got 0"):
        one_hot([0], 0)
    with pytest.raises(ValueError, match=r"t: expected class indices of shape \(N,\), "
                                         r"got shape \(2, 2\)"):
        one_hot([[0, 1], [1, 0]], 2)


# --- mean squared error --------------------------------------------------------------------------

def test_mean_squared_error_value_and_gradient():
    y, t = np.array([[1.0, 2.0, 3.0]]), np.array([[1.0, 0.0, 0.0]])
    loss = mean_squared_error(y, t)
    assert type(loss) is float and loss == pytest.approx(13 / 3)  # (0 + 4 + 9) / 3
    np.testing.assert_allclose(mean_squared_error_grad(y, t), [[0.0, 4 / 3, 2.0]])


@given(td=hnp.array_shapes(min_dims=0, max_dims=3, max_side=5).flatmap(lambda shape: st.tuples(
    hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)),
    hnp.arrays(np.float64, shape, elements=st.floats(0.1, 3) | st.floats(-3, -0.1)))))
def test_mean_squared_error_grad_matches_numerical_gradient(td, gradient_error_log):  # noqa: F811
    # y - t stays away from 0: there the gradient is 0 and the numerical one only round-off.
    # The loss is quadratic, so central differences have no truncation error and a larger h
    # only shrinks the round-off.
    t, difference = td
    y = np.asarray(t + difference)
    assert_gradient_matches(gradient_error_log, "mean_squared_error_grad",
                            lambda v: mean_squared_error(v, t), y, mean_squared_error_grad(y, t),
                            h=1e-4)


def test_mean_squared_error_rejects_bad_input():
    with pytest.raises(ValueError, match=r"y and t: expected the same shape, "
                                         r"got \(2, 3\) and \(3, 2\)"):
        mean_squared_error(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match=r"t: expected finite numbers, got 1 NaN"):
        mean_squared_error_grad(np.ones(2), np.array([0.0, np.nan]))


# --- cross-entropy -------------------------------------------------------------------------------

def test_cross_entropy_value_of_a_single_sample():
    p = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    assert cross_entropy(p, 2) == pytest.approx(-math.log(0.6 + 1e-7))
    assert cross_entropy(p, one_hot([2], 10)[0]) == cross_entropy(p, 2)
    assert cross_entropy(p, 7) == pytest.approx(-math.log(0.1 + 1e-7))
    # a zero probability of the right class costs -log(eps), large but finite
    assert cross_entropy(p, 3) == pytest.approx(-math.log(1e-7))


@given(problem=classification(0.0, 1.0))
def test_cross_entropy_is_the_batch_mean_for_every_label_form(problem):
    p, t = problem
    batch, indices = as_batch(p, t)
    per_sample = [-math.log(batch[n, indices[n]] + 1e-7) for n in range(len(indices))]
    assert cross_entropy(p, t) == pytest.approx(np.mean(per_sample), rel=1e-12)
    assert cross_entropy(batch, indices) == pytest.approx(cross_entropy(p, t), rel=1e-12)
    np.testing.assert_allclose(cross_entropy_grad(batch, indices).reshape(p.shape),
                               cross_entropy_grad(p, t), rtol=1e-12)


@given(problem=classification(0.05, 1.0))
def test_cross_entropy_grad_matches_numerical_gradient(problem, gradient_error_log):  # noqa: F811
    p, t = problem
    grad = cross_entropy_grad(p, t)
    assert grad.shape == p.shape
    assert_gradient_matches(gradient_error_log, "cross_entropy_grad",
                            lambda v: cross_entropy(v, t), p, grad)


def test_cross_entropy_grad_only_touches_the_correct_classes():
    p = np.array([[0.2, 0.8], [0.5, 0.5]])
    np.testing.assert_allclose(cross_entropy_grad(p, [1, 0]),
                               [[0.0, -1 / (2 * (0.8 + 1e-7))], [-1 / (2 * (0.5 + 1e-7)), 0.0]])


@pytest.mark.parametrize("p, t, error, message", [
    (np.full((2, 3), 1 / 3), [0, 3], ValueError,
     r"t: expected class indices in \[0, 3\), got values from 0 to 3"),
    (np.full((2, 3), 1 / 3), [0, -1], ValueError,
     r"t: expected class indices in \[0, 3\), got values from -1 to 0"),
    (np.full((2, 3), 1 / 3), [0, 1, 2], ValueError,
     r"t: expected 2 labels \(one per sample\), got 3"),
    (np.full((2, 3), 1 / 3), np.eye(3), ValueError,
     r"t: expected one-hot labels of shape \(2, 3\), got \(3, 3\)"),
    (np.full((2, 3), 1 / 3), [[0, 1, 1], [1, 0, 0]], ValueError,
     r"t: expected one-hot rows \(a single 1, the rest 0\)"),
    (np.full(3, 1 / 3), np.array([0, 1, 0, 0]), ValueError,
     r"p and t \(one-hot\): expected the same shape, got \(3,\) and \(4,\)"),
    (np.full(3, 1 / 3), np.array([[0, 1, 0]]), ValueError,
     r"t: expected one class index or a one-hot vector of shape \(3,\) for a single sample p"),
    (np.full((2, 2, 2), 1 / 2), [0, 1], ValueError,
     r"p: expected 1 or 2 dimension\(s\), got shape \(2, 2, 2\)"),
    (np.array([0.5, np.nan]), 0, ValueError, r"p: expected finite numbers, got 1 NaN"),
    (np.array([1.5, -0.5]), 0, ValueError,
     r"p: expected probabilities >= 0, got a minimum of -0.5"),
    (np.array([0.5, 0.5]), 0.5, ValueError, r"t: expected integer class indices, got dtype float"),
])
def test_cross_entropy_rejects_bad_input(p, t, error, message):
    for function in (cross_entropy, cross_entropy_grad):
        with pytest.raises(error, match=message):
            function(p, t)


def test_cross_entropy_rejects_a_non_positive_eps():
    with pytest.raises(ValueError, match=r"eps: expected a finite number > 0, got 0"):
        cross_entropy(np.array([0.5, 0.5]), 0, eps=0)


# --- softmax with cross-entropy ------------------------------------------------------------------

@given(problem=classification(-20.0, 20.0))
def test_softmax_cross_entropy_matches_the_naive_formula(problem):
    logits, t = problem
    batch, indices = as_batch(logits, t)
    probabilities = np.exp(batch) / np.exp(batch).sum(axis=1, keepdims=True)  # safe: |z| <= 20
    naive = -np.mean(np.log(probabilities[np.arange(len(indices)), indices]))
    assert softmax_cross_entropy(logits, t) == pytest.approx(naive, rel=1e-9, abs=1e-12)
    expected_grad = (probabilities - one_hot(indices, batch.shape[1])) / len(indices)
    np.testing.assert_allclose(softmax_cross_entropy_grad(logits, t),
                               expected_grad.reshape(logits.shape), rtol=1e-9, atol=1e-15)


@given(problem=classification(-3.0, 3.0))
def test_softmax_cross_entropy_grad_matches_numerical_gradient(problem,
                                                               gradient_error_log):  # noqa: F811
    logits, t = problem
    grad = softmax_cross_entropy_grad(logits, t)
    assert grad.shape == logits.shape
    assert_gradient_matches(gradient_error_log, "softmax_cross_entropy_grad",
                            lambda v: softmax_cross_entropy(v, t), logits, grad)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy_is_stable_for_huge_logits(dtype):
    logits = np.array([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, 1000.0]], dtype=dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an overflow RuntimeWarning fails the test
        assert softmax_cross_entropy(logits[:1], [0]) == 0.0
        assert softmax_cross_entropy(logits[:1], [2]) == 2000.0
        assert softmax_cross_entropy(logits, [2, 1]) == pytest.approx((2000 + math.log(3)) / 2)
        grad = softmax_cross_entropy_grad(logits, [2, 1])
    np.testing.assert_allclose(grad, [[0.5, 0, -0.5], [1 / 6, -1 / 3, 1 / 6]], atol=1e-7)
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-7)


def test_softmax_cross_entropy_agrees_with_cross_entropy_of_softmax():
    logits = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]])
    assert softmax_cross_entropy(logits, [0, 1]) == pytest.approx(
        cross_entropy(softmax(logits), [0, 1]), rel=1e-6)  # eps = 1e-7 makes the small difference


def test_softmax_cross_entropy_rejects_bad_input():
    with pytest.raises(ValueError, match=r"logits: expected finite numbers, got 0 NaN and 1 inf"):
        softmax_cross_entropy(np.array([[np.inf, 0.0]]), [0])
    with pytest.raises(ValueError, match=r"t: expected class indices in \[0, 2\), "
                                         r"got values from 2 to 2"):
        softmax_cross_entropy_grad(np.zeros((1, 2)), [2])
    with pytest.raises(ValueError, match=r"logits: expected 1 or 2 dimension\(s\), got shape \(\)"):
        softmax_cross_entropy(1.0, 0)


# --- dtypes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("loss, grad, prediction, t", [
    (mean_squared_error, mean_squared_error_grad, [[0.2, 0.7], [0.9, 0.1]], np.eye(2)),
    (cross_entropy, cross_entropy_grad, [[0.2, 0.8], [0.9, 0.1]], [1, 0]),
    (cross_entropy, cross_entropy_grad, [0.2, 0.8], 1),
    (softmax_cross_entropy, softmax_cross_entropy_grad, [[2.0, -1.0], [0.5, 3.0]], np.eye(2)),
])
def test_losses_are_python_floats_and_gradients_keep_dtype(loss, grad, prediction, t, dtype):
    prediction = np.array(prediction, dtype=dtype)
    assert type(loss(prediction, t)) is float
    assert grad(prediction, t).dtype == dtype
    # float32 gives the float64 answer to float32 precision
    assert loss(prediction, t) == pytest.approx(loss(prediction.astype(np.float64), t), rel=1e-6)
