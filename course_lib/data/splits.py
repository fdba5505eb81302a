"""Splitting a data set into train, validation and test parts, and mini-batches of it."""
from __future__ import annotations

import numpy as np

from course_lib.validation import check_count, check_positive


def check_pair(x, t):
    """x and t as arrays, with a clear error unless they hold one row per sample, as many each."""
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0:
        raise ValueError(f"x and t: expected arrays with one row per sample, got shapes "
                         f"{x.shape} and {t.shape}")
    if len(x) != len(t):
        raise ValueError(f"x and t: expected the same number of samples, got {len(x)} and {len(t)}")
    return x, t


def train_val_test_split(x, t, val_fraction: float = 0.1, test_fraction: float = 0.1,
                         seed: int | None = 0):
    """Shuffle the samples and cut them into training, validation and test sets.

    The validation set gets round(N * val_fraction) samples, the test set round(N * test_fraction),
    the training set the rest. No sample lands in two sets. dtypes are kept.

    Parameters
    ----------
    x : ndarray, shape (N, ...)
    t : ndarray, shape (N,) or (N, K)
    val_fraction, test_fraction : float in [0, 1), summing to less than 1
    seed : int or None

    Returns
    -------
    ((x_train, t_train), (x_val, t_val), (x_test, t_test))
    """
    x, t = check_pair(x, t)
    val_fraction = check_positive(val_fraction, "val_fraction", allow_zero=True)
    test_fraction = check_positive(test_fraction, "test_fraction", allow_zero=True)
    if val_fraction + test_fraction >= 1:
        raise ValueError(f"val_fraction and test_fraction: expected a sum below 1 (something "
                         f"left to train on), got {val_fraction} + {test_fraction}")
    n = len(x)
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    if n - n_val - n_test < 1:
        raise ValueError(f"x: expected enough samples to leave one for training, got {n}")
    order = np.random.default_rng(seed).permutation(n)
    cuts = np.split(order, [n - n_val - n_test, n - n_test])
    return tuple((x[idx], t[idx]) for idx in cuts)


def minibatches(x, t, batch_size: int, shuffle: bool = True, seed: int | None = None,
                drop_last: bool = False):
    """Iterate over (x_batch, t_batch) pairs covering the data once (one epoch).

    With `shuffle`, the order is a random permutation (fixed by `seed`; a fresh one each call when
    seed is None). The last batch holds the N mod batch_size leftover samples, unless `drop_last`.

    Parameters
    ----------
    x : ndarray, shape (N, ...)
    t : ndarray, shape (N,) or (N, K)
    batch_size : int >= 1

    Yields
    ------
    x_batch : ndarray, shape (B, ...);  t_batch : ndarray, shape (B,) or (B, K)
        B = batch_size, except possibly the last batch.
    """
    x, t = check_pair(x, t)  # checked here, not at the first next(), so errors point at the call
    return ((x[rows], t[rows]) for rows in batch_rows(len(x), batch_size, shuffle, seed, drop_last))


def batch_rows(n_samples: int, batch_size: int, shuffle: bool = True, seed: int | None = None,
               drop_last: bool = False) -> list[np.ndarray]:
    """The indices of the samples of each mini-batch of one epoch, as `minibatches` takes them.

    Returns
    -------
    list of ndarray of int
        One array of indices into range(n_samples) per batch, in the order of the batches.
    """
    check_count(batch_size, "batch_size", 1)
    order = np.random.default_rng(seed).permutation(n_samples) if shuffle else np.arange(n_samples)
    stop = n_samples - n_samples % batch_size if drop_last else n_samples
    return [order[i:i + batch_size] for i in range(0, stop, batch_size)]
