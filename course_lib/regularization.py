"""Regularization: training a network to generalize instead of memorizing its training set.

- **L2 weight decay** adds (lambda / 2) * sum of the squared weights to the loss, so the gradient
  gains lambda * W: every step pulls each weight a little towards 0 (`l2_penalty`, `l2_gradient`).
  Only the weight matrices are decayed, not the biases: a bias multiplies no input, so a large
  bias does not make the network more sensitive to its input. (Decoupled weight decay, which
  shrinks the weights outside the gradient, is the optimizer `AdamW` in course_lib.optimizers;
  dropout is the layer `Dropout` in course_lib.layers.)
- **Early stopping** watches the validation loss after every epoch and stops once it has not
  improved for `patience` epochs; the weights of the best epoch are the result (`early_stopping`).
- **Data augmentation** trains on slightly changed copies of the images (here shifted by a pixel
  or two) that are still the same digit, a new copy in every epoch (`shift_images`,
  `RandomShift`).

`course_lib.training.fit` takes all three: ``fit(..., weight_decay=1e-3, patience=5,
augment=RandomShift(2))``.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from course_lib.validation import as_float_array, check_count, check_positive


def is_decayed(w: np.ndarray) -> bool:
    """Whether weight decay applies to a parameter array: to weight matrices (two or more
    dimensions), not to biases (one dimension).
    """
    return np.ndim(w) >= 2


def _check_params(params, name: str = "params") -> Mapping:
    if not isinstance(params, Mapping):
        raise TypeError(f"{name}: expected a dict of name -> ndarray, got {type(params).__name__}")
    return params


def l2_penalty(params: Mapping, weight_decay: float) -> float:
    """The L2 penalty of the weights:  (lambda / 2) * sum over weight matrices W of sum(W ** 2).

    Parameters
    ----------
    params : dict of str -> ndarray
        E.g. a TwoLayerNet's "W1" (D, H), "b1" (H,), "W2" (H, K), "b2" (K,); only the arrays
        with two or more dimensions count (see `is_decayed`).
    weight_decay : float, >= 0
        lambda.

    Returns
    -------
    float
    """
    weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
    squares = sum(float(np.sum(np.square(w, dtype=np.float64)))
                  for w in _check_params(params).values() if is_decayed(w))
    return 0.5 * weight_decay * squares


def l2_gradient(params: Mapping, weight_decay: float) -> dict:
    """The gradient of `l2_penalty`:  lambda * W for each weight matrix, 0 for each bias.

    Parameters
    ----------
    params : dict of str -> ndarray
    weight_decay : float, >= 0

    Returns
    -------
    dict of ndarray
        Same keys, shapes and dtypes as `params` (new arrays).
    """
    weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
    return {key: (w * np.asarray(weight_decay, dtype=w.dtype) if is_decayed(w) else np.zeros_like(w))
            for key, w in _check_params(params).items()}


def early_stopping(val_losses: Sequence[float], patience: int) -> tuple[int | None, int | None]:
    """Where early stopping stops, given the validation loss after each epoch so far.

    Epochs count from 1: ``val_losses[i]`` is the loss after epoch i + 1. An epoch *improves*
    when its loss is strictly lower than every loss before it (NaN never improves). Training
    stops after the epoch that is the `patience`-th in a row without improvement, and the
    result is the weights of the best epoch (the last improvement).

    Parameters
    ----------
    val_losses : sequence of float, one per epoch (may be empty)
    patience : int, >= 1
        Epochs without improvement to wait before stopping.

    Returns
    -------
    best_epoch : int or None
        The epoch with the lowest loss (the first one among equals); None when there is none.
    stop_epoch : int or None
        The epoch after which training stops; None while it goes on.
    """
    patience = check_count(patience, "patience", 1)
    losses = as_float_array(val_losses, "val_losses", ndim=1, allow_nonfinite=True)
    best_epoch, best = None, math.inf
    for epoch, loss in enumerate(losses, start=1):
        if loss < best:
            best_epoch, best = epoch, loss
        if epoch - (best_epoch or 0) >= patience:
            return best_epoch, epoch
    return best_epoch, None


def shift_images(images, dy: int, dx: int, height: int = 28, width: int = 28) -> np.ndarray:
    """Shift images by (dy, dx) pixels, filling the uncovered border with 0 (black).

    Positive dy moves the digit down, positive dx to the right.

    Parameters
    ----------
    images : ndarray, shape (N, height * width) (flattened) or (N, ..., height, width)
    dy, dx : int
        |dy| < height, |dx| < width.
    height, width : int
        Image size (MNIST: 28 x 28), used to unflatten rows of height * width pixels.

    Returns
    -------
    ndarray, shape and dtype of `images`
    """
    images = np.asarray(images)
    pictures = _as_pictures(images, height, width)
    dy, dx = int(dy), int(dx)
    if abs(dy) >= height or abs(dx) >= width:
        raise ValueError(f"dy, dx: expected shifts smaller than the image ({height} x {width}), "
                         f"got ({dy}, {dx})")
    shifted = np.zeros_like(pictures)
    shifted[..., max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        pictures[..., max(-dy, 0):height + min(-dy, 0), max(-dx, 0):width + min(-dx, 0)]
    return shifted.reshape(images.shape)


def _as_pictures(images: np.ndarray, height: int, width: int) -> np.ndarray:
    """images as (..., height, width), from flattened rows or already in that shape."""
    if images.ndim == 2 and images.shape[1] == height * width:
        return images.reshape(len(images), height, width)
    if images.ndim >= 3 and images.shape[-2:] == (height, width):
        return images
    raise ValueError(f"images: expected shape (N, {height * width}) or (N, ..., {height}, "
                     f"{width}), got {images.shape}")


class RandomShift:
    """Data augmentation: shift each image by its own random (dy, dx), each in
    [-max_shift, max_shift], a new draw on every call (so in every epoch).

    Pass it to `fit` as ``augment=RandomShift(2)``: fit calls it on every training mini-batch.

    Parameters
    ----------
    max_shift : int, >= 1
        Largest shift in pixels, in each direction.
    seed : int or None, default 0
    height, width : int
        Image size, as in `shift_images`.
    """

    def __init__(self, max_shift: int = 2, seed: int | None = 0, height: int = 28,
                 width: int = 28):
        self.max_shift = check_count(max_shift, "max_shift", 1)
        self.height, self.width = check_count(height, "height"), check_count(width, "width")
        self.rng = np.random.default_rng(seed)

    def __call__(self, images) -> np.ndarray:
        """images : ndarray, shape (N, height * width) or (N, ..., height, width) -> shifted
        copies, same shape and dtype.
        """
        images = np.asarray(images)
        shifts = self.rng.integers(-self.max_shift, self.max_shift + 1, size=(len(images), 2))
        out = np.empty_like(images)
        # Images with the same shift are moved together: at most (2 max_shift + 1)^2 groups.
        for dy, dx in np.unique(shifts, axis=0):
            same = np.all(shifts == (dy, dx), axis=1)
            out[same] = shift_images(images[same], dy, dx, self.height, self.width)
        return out

    def __repr__(self) -> str:
        return f"RandomShift(max_shift={self.max_shift})"
