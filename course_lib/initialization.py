"""Initial weights: how large the random starting weights of a layer should be.

A unit of a fully connected layer computes a weighted sum over its fan_in inputs,
a = x_1 w_1 + ... + x_fan_in w_fan_in. With weights and inputs drawn independently and the
weights centred on 0, the variance of a sum of independent terms is the sum of their variances:

    Var(a) = fan_in * Var(w) * E[x^2].

The signal keeps its size from layer to layer when this factor is 1:

- tanh (and the sigmoid near 0) is close to the identity for small inputs, so E[x^2] is about
  Var of the layer below: Var(w) = 1 / fan_in keeps the forward signal, 1 / fan_out the backward
  one; Glorot and Bengio (2010) take the compromise Var(w) = 2 / (fan_in + fan_out) ("Xavier");
- ReLU sets half of a zero-centred input to 0, so E[x^2] is half the variance of the sum below
  it: Var(w) = 2 / fan_in makes up for that (He et al., 2015).

Weights are stored as (fan_in, fan_out), the layout of `course_lib.layers.Affine` (x W + b).
"""
from __future__ import annotations

import math

import numpy as np

from course_lib.validation import check_choice, check_count, check_positive

WEIGHT_INITS = ("he", "xavier")


def xavier_std(fan_in: int, fan_out: int) -> float:
    """Glorot (Xavier) standard deviation: sqrt(2 / (fan_in + fan_out)).

    The same variance as Keras's default ``glorot_uniform`` and PyTorch's
    ``torch.nn.init.xavier_normal_``; for tanh and sigmoid layers.
    """
    fan_in, fan_out = check_count(fan_in, "fan_in", 1), check_count(fan_out, "fan_out", 1)
    return math.sqrt(2 / (fan_in + fan_out))


def he_std(fan_in: int) -> float:
    """He (Kaiming) standard deviation: sqrt(2 / fan_in), for ReLU layers.

    PyTorch's ``torch.nn.init.kaiming_normal_(w, nonlinearity="relu")`` (its default fan-in mode).
    """
    return math.sqrt(2 / check_count(fan_in, "fan_in", 1))


def init_weight_std(weight_init_std, fan_in: int, fan_out: int) -> float:
    """Standard deviation of the initial weights of a layer with fan_in inputs and fan_out outputs.

    Parameters
    ----------
    weight_init_std : {"he", "xavier"} or float
        A rule (`he_std`, `xavier_std`) or the standard deviation itself (0.01 in many
        textbooks; 0 shows why symmetry must break).
    fan_in, fan_out : int

    Returns
    -------
    float
    """
    if isinstance(weight_init_std, str):
        check_choice(weight_init_std, WEIGHT_INITS, "weight_init_std")
        if weight_init_std == "he":
            return he_std(fan_in)
        return xavier_std(fan_in, fan_out)
    return check_positive(weight_init_std, "weight_init_std", allow_zero=True)


def init_weights(fan_in: int, fan_out: int, weight_init_std="he", rng=None,
                 dtype=np.float64) -> np.ndarray:
    """Initial weights of one layer: normal, mean 0, the standard deviation `init_weight_std` gives.

    Parameters
    ----------
    fan_in, fan_out : int
    weight_init_std : {"he", "xavier"} or float, default "he"
    rng : numpy.random.Generator or int or None
        The random generator (or its seed).
    dtype : numpy dtype, default float64

    Returns
    -------
    W : ndarray, shape (fan_in, fan_out)
    """
    fan_in, fan_out = check_count(fan_in, "fan_in"), check_count(fan_out, "fan_out")
    std = init_weight_std(weight_init_std, fan_in, fan_out)
    rng = np.random.default_rng(rng)
    return (std * rng.standard_normal((fan_in, fan_out))).astype(dtype)
