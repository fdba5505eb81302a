"""Activation functions and their derivatives.

A neuron computes a weighted sum and passes it through an activation function h. Without a
nonlinear h, a stack of layers collapses into a single linear map. Each elementwise activation
comes with its derivative h'(x), which backpropagation multiplies into the upstream gradient.

All functions accept float32 or float64 arrays of any shape and return the same dtype.
"""
from __future__ import annotations

import numpy as np

from course_lib.validation import as_float_array, check_choice, check_same_shape


def step(x):
    """Step function: 1 where x > 0, else 0 (the perceptron's activation).

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    ndarray of 0.0 and 1.0, same shape and dtype as x
    """
    x = as_float_array(x, "x")
    return (x > 0).astype(x.dtype)


def step_grad(x):
    """Derivative of `step`: 0 everywhere (undefined at 0), which is why it cannot be trained
    by gradient descent.
    """
    x = as_float_array(x, "x")
    return np.zeros_like(x)


def sigmoid(x):
    """Logistic sigmoid  s(x) = 1 / (1 + exp(-x)), computed without overflow.

    exp(-x) overflows for x < -709 (float64), so for negative x we use the equal form
    exp(x) / (1 + exp(x)); both forms then only ever exponentiate -|x| <= 0.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    ndarray, same shape and dtype as x, values in [0, 1]
    """
    x = as_float_array(x, "x")
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_grad(x):
    """Derivative of the sigmoid:  s'(x) = s(x) (1 - s(x)), at most 1/4 (at x = 0).

    Parameters
    ----------
    x : ndarray, any shape
        The input of the sigmoid (not its output).
    """
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    """Hyperbolic tangent  tanh(x) = (e^x - e^-x) / (e^x + e^-x) = 2 s(2x) - 1, zero-centred.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    ndarray, same shape and dtype as x, values in [-1, 1]
    """
    return np.tanh(as_float_array(x, "x"))


def tanh_grad(x):
    """Derivative of tanh:  tanh'(x) = 1 - tanh(x)^2, at most 1 (at x = 0)."""
    t = tanh(x)
    return 1 - t * t


def relu(x):
    """Rectified linear unit  relu(x) = max(0, x): passes positive inputs, blocks the rest.

    Parameters
    ----------
    x : ndarray, any shape

    Returns
    -------
    ndarray, same shape and dtype as x, values >= 0
    """
    return np.maximum(as_float_array(x, "x"), 0)


def relu_grad(x):
    """Derivative of ReLU: 1 where x > 0, else 0 (we take 0 at the kink x = 0)."""
    return step(x)


def _check_axis(axis, ndim: int) -> int:
    """Return `axis` as an int, raising ValueError unless it is a valid axis of an ndim-array."""
    if not isinstance(axis, (int, np.integer)) or not -ndim <= axis < ndim:
        raise ValueError(f"axis: expected an integer in [{-ndim}, {ndim}) for an array with "
                         f"{ndim} dimension(s), got {axis!r}")
    return int(axis)


def softmax(x, axis=-1):
    """Softmax along `axis`:  y_k = exp(x_k) / sum_j exp(x_j).

    Subtracting max_j x_j first leaves the result unchanged (it cancels between numerator and
    denominator) but keeps every exponent <= 0, so exp never overflows.

    Parameters
    ----------
    x : ndarray, shape (K,) or (N, K) or any shape with at least one dimension
        Scores (logits).
    axis : int, default -1
        The axis that holds the classes.

    Returns
    -------
    ndarray, same shape and dtype as x; sums to 1 along `axis`
    """
    x = as_float_array(x, "x")
    if x.ndim == 0:
        raise ValueError("x: expected at least 1 dimension (the classes), got a scalar")
    axis = _check_axis(axis, x.ndim)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(y, dout, axis=-1):
    """Backward pass of softmax: the gradient with respect to its input x, where y = softmax(x).

    The Jacobian is dy_i/dx_j = y_i (delta_ij - y_j), so

        dx = y * (dout - sum(dout * y, axis, keepdims=True))

    Parameters
    ----------
    y : ndarray, any shape with at least one dimension
        Output of `softmax(x, axis)`.
    dout : ndarray, same shape as y
        Upstream gradient dL/dy.
    axis : int, default -1

    Returns
    -------
    dx : ndarray, same shape as y
    """
    y = as_float_array(y, "y")
    dout = as_float_array(dout, "dout")
    check_same_shape(y, dout, "y", "dout")
    if y.ndim == 0:
        raise ValueError("y: expected at least 1 dimension (the classes), got a scalar")
    axis = _check_axis(axis, y.ndim)
    return y * (dout - (dout * y).sum(axis=axis, keepdims=True))


ACTIVATIONS = {
    "step": (step, step_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
}


def get_activation(name):
    """Return the pair (function, derivative) registered under `name` in ACTIVATIONS.

    Raises ValueError listing the valid names when `name` is unknown.
    """
    check_choice(name, ACTIVATIONS, "activation")
    return ACTIVATIONS[name]
