"""Batch normalization (Ioffe and Szegedy, 2015) as a computational-graph layer.

In training, every feature (column) of a mini-batch x of shape (N, D) is standardized with the
batch's own mean and variance, then scaled and shifted by two learned parameters:

    mu = mean_n x,   var = mean_n (x - mu)^2,   x_hat = (x - mu) / sqrt(var + eps),
    out = gamma * x_hat + beta.

A prediction must not depend on which other samples share its batch, so at inference the layer
uses running averages of mu and var collected during training instead. The conventions are
PyTorch's ``torch.nn.BatchNorm1d``: `momentum` is the weight of the new batch,

    running_mean <- (1 - momentum) running_mean + momentum mu,
    running_var  <- (1 - momentum) running_var  + momentum var * N / (N - 1),

the running variance takes the unbiased batch variance, the normalization the biased one.
(Keras and *Deep Learning from Scratch* call 1 - momentum "momentum": 0.99 or 0.9.)
"""
from __future__ import annotations

import numpy as np

from course_lib.validation import as_float_array, check_positive


class BatchNorm:
    """Batch normalization over the batch axis of (N, D) inputs.

    Parameters
    ----------
    gamma : ndarray, shape (D,)
        Scale; the layer keeps a reference, so in-place updates are seen (starts at 1).
    beta : ndarray, shape (D,)
        Shift (starts at 0).
    momentum : float in (0, 1], default 0.1
        Weight of each new batch in the running averages.
    eps : float, default 1e-5
        Added to the variance, so that a feature that is constant in a batch divides by
        sqrt(eps), not by 0.
    running_mean, running_var : ndarray, shape (D,), optional
        Start values of the running averages; default 0 and 1 (inference then leaves x as it is).

    Attributes
    ----------
    running_mean, running_var : ndarray, shape (D,)
        Updated by every forward pass in training mode.
    dgamma, dbeta : ndarray, shape (D,)
        dL/dgamma and dL/dbeta after ``backward``.
    """

    def __init__(self, gamma, beta, momentum: float = 0.1, eps: float = 1e-5,
                 running_mean=None, running_var=None):
        self.gamma, self.beta = gamma, beta
        self.momentum = check_positive(momentum, "momentum")
        if self.momentum > 1:
            raise ValueError(f"momentum: expected a weight in (0, 1], got {momentum!r}")
        self.eps = check_positive(eps, "eps")
        size = np.shape(gamma)
        if len(size) != 1 or np.shape(beta) != size:
            raise ValueError(f"gamma and beta: expected two vectors of the same length D, got "
                             f"shapes {np.shape(gamma)} and {np.shape(beta)}")
        dtype = np.asarray(gamma).dtype
        self.running_mean = (np.zeros(size, dtype) if running_mean is None
                             else np.array(running_mean, dtype=dtype))
        self.running_var = (np.ones(size, dtype) if running_var is None
                            else np.array(running_var, dtype=dtype))
        self.dgamma = self.dbeta = None

    def forward(self, x, train: bool = True) -> np.ndarray:
        """Return out = gamma * x_hat + beta, x normalized feature by feature.

        Parameters
        ----------
        x : ndarray, shape (N, D)
            In training N >= 2 (one sample has no variance).
        train : bool, default True
            True: normalize with the batch's mean and variance and update the running averages;
            False: normalize with the running averages.

        Returns
        -------
        out : ndarray, shape (N, D), in the dtype of x
        """
        x = as_float_array(x, "x", ndim=2)
        n, d = x.shape
        if d != len(self.gamma):
            raise ValueError(f"x: expected shape (N, {len(self.gamma)}) (gamma has "
                             f"{len(self.gamma)} features), got shape {x.shape}")
        self.train = train
        if train:
            if n < 2:
                raise ValueError(f"x: training needs a batch of at least 2 samples to estimate a "
                                 f"variance, got shape {x.shape}")
            mean = x.mean(axis=0)
            var = x.var(axis=0)
            m = self.momentum
            self.running_mean = ((1 - m) * self.running_mean + m * mean).astype(x.dtype)
            self.running_var = ((1 - m) * self.running_var + m * var * n / (n - 1)).astype(x.dtype)
        else:
            mean, var = self.running_mean, self.running_var
        self.inv_std = (1 / np.sqrt(var + self.eps)).astype(x.dtype)
        self.x_hat = (x - mean) * self.inv_std
        return self.gamma * self.x_hat + self.beta

    def backward(self, dout) -> np.ndarray:
        """Return dx, and set dgamma and dbeta.

        Parameters
        ----------
        dout : ndarray, shape (N, D)
            Upstream gradient dL/d(out).

        Returns
        -------
        dx : ndarray, shape (N, D)

        Notes
        -----
        In training mu and var depend on every sample of the batch, so each dx[n] collects three
        paths (through x_hat directly, through var, through mu); with g = dout * gamma,

            dx = inv_std * (g - mean_n g - x_hat * mean_n (g * x_hat)).

        In inference mode the statistics are constants: dx = g * inv_std.
        Also sets self.dgamma = sum_n dout * x_hat and self.dbeta = sum_n dout.
        """
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.x_hat).sum(axis=0)
        g = dout * self.gamma
        if not self.train:
            return g * self.inv_std
        return self.inv_std * (g - g.mean(axis=0) - self.x_hat * (g * self.x_hat).mean(axis=0))
