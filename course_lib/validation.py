"""Input checks shared by the whole library.

Every public function checks its arguments with these helpers, so that bad input fails early with a
message that names the argument, what was expected and what was given, e.g.

    ValueError: t: expected class indices in [0, 10), got values from 0 to 12
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np


def as_float_array(x, name: str, ndim: int | Iterable[int] | None = None,
                   allow_nonfinite: bool = False) -> np.ndarray:
    """Return `x` as a float ndarray, keeping float32 as float32; other input becomes float64.

    Raises TypeError when `x` is not numeric, ValueError when it has the wrong number of
    dimensions or (unless `allow_nonfinite`) holds NaN or inf.
    """
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub":
        raise TypeError(f"{name}: expected a numeric array, got dtype {arr.dtype}")
    if arr.dtype not in (np.float32, np.float64):
        arr = arr.astype(np.float64)
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            wanted = " or ".join(str(d) for d in allowed)
            raise ValueError(f"{name}: expected {wanted} dimension(s), "
                             f"got shape {arr.shape} ({arr.ndim} dimension(s))")
    if not allow_nonfinite:
        check_finite(arr, name)
    return arr


def check_finite(arr: np.ndarray, name: str) -> None:
    """Raise ValueError naming how many NaN or inf values `arr` holds."""
    if arr.dtype.kind == "f" and not all_finite(arr):
        n_nan = int(np.isnan(arr).sum())
        n_inf = int(np.isinf(arr).sum())
        raise ValueError(f"{name}: expected finite numbers, got {n_nan} NaN and {n_inf} inf "
                         f"value(s) in an array of shape {arr.shape}")


def all_finite(arr: np.ndarray) -> bool:
    """Whether every value of the float array `arr` is finite.

    The sum of the squares is finite only then (NaN and inf carry through it, and no term is
    negative to cancel an inf), and BLAS computes it in one pass without a temporary array, about
    twice as fast as ``np.isfinite(arr).all()`` on a layer's gradient. Only when the sum
    overflows (values beyond about 1e19 in float32) is each value looked at.
    """
    if arr.dtype in (np.float32, np.float64) and arr.flags.c_contiguous and arr.size:
        flat = arr.reshape(-1)
        with np.errstate(over="ignore"):  # an overflow only sends the check to the fallback
            if np.isfinite(flat @ flat):
                return True
    return bool(np.isfinite(arr).all())


def check_same_shape(a, b, name_a: str, name_b: str) -> None:
    """Raise ValueError naming both shapes unless the arrays (or array_likes) a and b match."""
    if np.shape(a) != np.shape(b):
        raise ValueError(f"{name_a} and {name_b}: expected the same shape, "
                         f"got {np.shape(a)} and {np.shape(b)}")


def check_positive(value, name: str, allow_zero: bool = False) -> float:
    """Return `value` as a float: TypeError unless it is a number, ValueError unless it is finite
    and > 0 (>= 0 with `allow_zero`).
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: expected a number, got {value!r}") from None
    ok = number >= 0 if allow_zero else number > 0
    if not np.isfinite(number) or not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: expected a finite number {bound}, got {value!r}")
    return number


def check_labels(t, n_samples: int, n_classes: int | None, name: str = "t") -> np.ndarray:
    """Check class labels given as indices (N,) or one-hot rows (N, K); return them as an array.

    Index labels must be integers in [0, n_classes); one-hot rows must hold one 1 and zeros.
    """
    t = np.asarray(t)
    if t.ndim == 1:
        if t.dtype.kind not in "iu":
            if t.dtype.kind != "f" or not np.all(np.mod(t, 1) == 0):
                raise ValueError(f"{name}: expected integer class indices, got dtype {t.dtype}")
            t = t.astype(np.int64)
        if t.shape[0] != n_samples:
            raise ValueError(f"{name}: expected {n_samples} labels (one per sample), "
                             f"got {t.shape[0]}")
        if n_classes is not None and t.size and (t.min() < 0 or t.max() >= n_classes):
            raise ValueError(f"{name}: expected class indices in [0, {n_classes}), "
                             f"got values from {t.min()} to {t.max()}")
        return t
    if t.ndim == 2:
        expected = (n_samples, n_classes if n_classes is not None else t.shape[1])
        if t.shape != expected:
            raise ValueError(f"{name}: expected one-hot labels of shape {expected}, got {t.shape}")
        if not (np.all((t == 0) | (t == 1)) and np.all(t.sum(axis=1) == 1)):
            raise ValueError(f"{name}: expected one-hot rows (a single 1, the rest 0), "
                             f"got other values")
        return t
    raise ValueError(f"{name}: expected labels of shape (N,) or one-hot (N, K), got {t.shape}")


def check_class_indices(t, n_samples: int, n_classes: int | None, name: str = "t") -> np.ndarray:
    """Check labels as `check_labels` does and return them as class indices, shape (N,).

    One-hot rows (N, K) become the index of their 1: ``t.argmax(axis=1)``.
    """
    t = check_labels(t, n_samples, n_classes, name)
    return t.argmax(axis=1) if t.ndim == 2 else t


def check_choice(value: str, choices: Iterable[str], name: str) -> str:
    """Raise ValueError listing the valid names when `value` is not one of `choices`."""
    options = sorted(choices)
    if value not in options:
        raise ValueError(f"{name}: unknown name {value!r}; expected one of {', '.join(options)}")
    return value


def check_count(value, name: str, minimum: int = 1) -> int:
    """Return `value` as an int, raising ValueError unless it is an integer >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return int(value)
