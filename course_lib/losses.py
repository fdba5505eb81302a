"""Loss functions and their gradients.

A loss turns the network's output and the correct answer into one number to minimise:

- mean squared error, for regression:     L = mean((y - t)^2)
- cross-entropy, for class probabilities: L = -(1/N) sum_n log p[n, t_n]
- softmax followed by cross-entropy, computed from the raw scores (logits) in one stable step.

Labels t may be class indices, shape (N,) (or one int for a single sample), or one-hot rows,
shape (N, K) (or (K,)). Losses are returned as Python floats, averaged over the batch; gradients
keep the shape and dtype of the prediction.
"""
from __future__ import annotations

import numpy as np

from course_lib.activations import softmax
from course_lib.validation import (
    as_float_array,
    check_class_indices,
    check_labels,
    check_positive,
    check_same_shape,
)


def one_hot(t, n_classes, dtype=np.float64):
    """Encode class indices as one-hot rows.

    Parameters
    ----------
    t : ndarray of int, shape (N,)
        Class indices in [0, n_classes).
    n_classes : int
        Number of classes K.
    dtype : float dtype, default float64

    Returns
    -------
    ndarray, shape (N, K): row n is 1 in column t[n] and 0 elsewhere
    """
    if not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"n_classes: expected a positive integer, got {n_classes!r}")
    t = np.asarray(t)
    if t.ndim != 1:
        raise ValueError(f"t: expected class indices of shape (N,), got shape {t.shape}")
    t = check_labels(t, t.shape[0], int(n_classes), "t")
    encoded = np.zeros((t.shape[0], int(n_classes)), dtype=dtype)
    encoded[np.arange(t.shape[0]), t] = 1
    return encoded


def mean_squared_error(y, t) -> float:
    """Mean squared error over all elements:  L = (1/M) sum_i (y_i - t_i)^2,  M = y.size.

    Parameters
    ----------
    y : ndarray, any shape
        Prediction.
    t : ndarray, same shape as y
        Target.

    Returns
    -------
    float
    """
    y, t = _prediction_and_target(y, t)
    return float(np.mean((y - t) ** 2))


def mean_squared_error_grad(y, t):
    """Gradient of `mean_squared_error` with respect to y:  dL/dy = 2 (y - t) / y.size.

    Returns
    -------
    ndarray, same shape and dtype as y
    """
    y, t = _prediction_and_target(y, t)
    return 2 * (y - t) / y.size


def _prediction_and_target(y, t):
    """Check the arguments of the squared error; t takes y's dtype so float32 stays float32."""
    y = as_float_array(y, "y")
    t = as_float_array(t, "t")
    check_same_shape(y, t, "y", "t")
    return y, t.astype(y.dtype, copy=False)


def _scores_and_indices(scores, t, name):
    """Return scores as a batch (N, K) and the labels t as class indices (N,).

    scores : (K,) with t an int or one-hot (K,)   -> a batch of one sample
    scores : (N, K) with t indices (N,) or one-hot (N, K)
    """
    scores = as_float_array(scores, name, ndim=(1, 2))
    batch = scores.reshape(1, -1) if scores.ndim == 1 else scores
    n_samples, n_classes = batch.shape
    t = np.asarray(t)
    if scores.ndim == 1 and t.ndim == 0:
        t = t.reshape(1)
    elif scores.ndim == 1 and t.ndim == 1:
        check_same_shape(scores, t, name, "t (one-hot)")
        t = t.reshape(1, -1)
    elif scores.ndim == 1:
        raise ValueError(f"t: expected one class index or a one-hot vector of shape {scores.shape} "
                         f"for a single sample {name} of shape {scores.shape}, got shape {t.shape}")
    return batch, check_class_indices(t, n_samples, n_classes, "t")


def cross_entropy(p, t, eps=1e-7) -> float:
    """Cross-entropy of predicted probabilities p against labels t, averaged over the batch.

        L = -(1/N) sum_n log(p[n, t_n] + eps)

    eps keeps log away from log(0) = -inf when a probability underflows to 0.

    Parameters
    ----------
    p : ndarray, shape (N, K) or (K,)
        Class probabilities (each >= 0), e.g. the output of softmax.
    t : ndarray of int, shape (N,), or one-hot ndarray, same shape as p, or int for p of shape (K,)
        Correct classes.
    eps : float, default 1e-7

    Returns
    -------
    float
    """
    batch, indices, eps = _probabilities_and_indices(p, t, eps)
    picked = batch[np.arange(batch.shape[0]), indices]
    return float(-np.mean(np.log(picked + eps)))


def cross_entropy_grad(p, t, eps=1e-7):
    """Gradient of `cross_entropy` with respect to p.

        dL/dp[n, k] = -1 / (N (p[n, k] + eps))  if k == t_n,  else 0

    Returns
    -------
    ndarray, same shape and dtype as p
    """
    batch, indices, eps = _probabilities_and_indices(p, t, eps)
    rows = np.arange(batch.shape[0])
    grad = np.zeros_like(batch)
    grad[rows, indices] = -1 / (batch.shape[0] * (batch[rows, indices] + eps))
    return grad.reshape(np.shape(p))


def _probabilities_and_indices(p, t, eps):
    """Check the arguments of the cross-entropy; return p as a batch (N, K), class indices and eps.

    eps comes back as a Python float, so that adding it keeps float32 arrays float32.
    """
    eps = check_positive(eps, "eps")
    batch, indices = _scores_and_indices(p, t, "p")
    if batch.size and batch.min() < 0:
        raise ValueError(f"p: expected probabilities >= 0, got a minimum of {batch.min()}")
    return batch, indices, eps


def softmax_cross_entropy(logits, t) -> float:
    """Cross-entropy of softmax(logits) against labels t, averaged over the batch, computed stably.

    With log softmax(z)_k = z_k - logsumexp(z) and logsumexp(z) = m + log sum_j exp(z_j - m),
    m = max_j z_j, no exponent is positive, so logits of any size give a finite loss:

        L = (1/N) sum_n (logsumexp(z_n) - z_n[t_n])

    Parameters
    ----------
    logits : ndarray, shape (N, K) or (K,)
        Raw class scores.
    t : ndarray of int, shape (N,), or one-hot ndarray, same shape as logits, or int for (K,)

    Returns
    -------
    float
    """
    batch, indices = _scores_and_indices(logits, t, "logits")
    largest = batch.max(axis=1)
    log_sum_exp = largest + np.log(np.exp(batch - largest[:, None]).sum(axis=1))
    picked = batch[np.arange(batch.shape[0]), indices]
    return float(np.mean(log_sum_exp - picked))


def softmax_cross_entropy_grad(logits, t):
    """Gradient of `softmax_cross_entropy` with respect to the logits:  (softmax(z) - onehot(t)) / N

    Returns
    -------
    ndarray, same shape and dtype as logits
    """
    batch, indices = _scores_and_indices(logits, t, "logits")
    grad = softmax(batch, axis=1)
    grad[np.arange(batch.shape[0]), indices] -= 1
    return (grad / batch.shape[0]).reshape(np.shape(logits))
