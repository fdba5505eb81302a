"""Small 2-D classification sets (spirals, XOR, circles, moons) and a 1-D regression set."""
from __future__ import annotations

import numpy as np

from course_lib.validation import check_choice, check_count, check_positive


def _check_toy_args(n_samples, noise, n_classes=2):
    """n_samples needs at least one point per class; noise is a standard deviation."""
    check_count(n_samples, "n_samples", n_classes)
    return check_positive(noise, "noise", allow_zero=True)


def _class_sizes(n_samples: int, n_classes: int) -> list[int]:
    """Split n_samples as evenly as possible: sizes differ by at most one."""
    return [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]


def _finish(parts, noise, rng, dtype):
    """Stack per-class point clouds, add Gaussian noise of std `noise`, shuffle."""
    x = np.concatenate(parts)
    t = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parts)])
    x = x + noise * rng.standard_normal(x.shape)
    order = rng.permutation(len(x))
    return x[order].astype(dtype), t[order]


def make_spirals(n_samples: int = 300, noise: float = 0.2, seed: int | None = 0,
                 n_classes: int = 2, dtype=np.float32):
    """Interleaved spiral arms, one per class: not separable by any line.

    Arm k has points at radius r in [0, 1] and angle theta = 2 pi r + 2 pi k / K (one full turn
    as r grows), x = r (cos theta, sin theta).

    Parameters
    ----------
    n_samples : int
        Total number of points, split evenly over the classes.
    noise : float
        Standard deviation of the Gaussian noise added to the angle (radians).
    seed : int or None
    n_classes : int
        Number of arms, K >= 2.

    Returns
    -------
    x : ndarray, shape (N, 2)
    t : ndarray, shape (N,) int64, values in [0, K)
    """
    check_count(n_classes, "n_classes", 2)
    noise = _check_toy_args(n_samples, noise, n_classes)
    rng = np.random.default_rng(seed)
    parts = []
    for k, size in enumerate(_class_sizes(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, size)
        theta = 2 * np.pi * (r + k / n_classes) + noise * rng.standard_normal(size)
        parts.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
    return _finish(parts, 0.0, rng, dtype)


def make_xor(n_samples: int = 300, noise: float = 0.1, seed: int | None = 0, dtype=np.float32):
    """XOR: points uniform in [-1, 1]^2, class 1 where the two coordinates have opposite signs.

    Labels come from the clean points, then Gaussian noise of std `noise` is added, so with
    noise > 0 a few points cross the axes.

    Returns
    -------
    x : ndarray, shape (N, 2)
    t : ndarray, shape (N,) int64 in {0, 1}
    """
    noise = _check_toy_args(n_samples, noise)
    rng = np.random.default_rng(seed)
    parts = []
    for k, size in enumerate(_class_sizes(n_samples, 2)):
        p = rng.uniform(0.0, 1.0, size=(size, 2))
        quadrant = rng.integers(0, 2, size=size)  # which of the class's two quadrants
        sign_x = np.where(quadrant == 0, 1.0, -1.0)
        sign_y = sign_x * (-1.0 if k == 1 else 1.0)
        parts.append(p * np.column_stack([sign_x, sign_y]))
    return _finish(parts, noise, rng, dtype)


def make_circles(n_samples: int = 300, noise: float = 0.05, seed: int | None = 0,
                 factor: float = 0.5, dtype=np.float32):
    """Two concentric circles: class 0 on the unit circle, class 1 on the circle of radius `factor`.

    Returns
    -------
    x : ndarray, shape (N, 2)
    t : ndarray, shape (N,) int64 in {0, 1}
    """
    noise = _check_toy_args(n_samples, noise)
    factor = check_positive(factor, "factor")
    if factor >= 1:
        raise ValueError(f"factor: expected the inner radius in (0, 1), got {factor!r}")
    rng = np.random.default_rng(seed)
    parts = []
    for radius, size in zip((1.0, factor), _class_sizes(n_samples, 2), strict=True):
        angle = rng.uniform(0.0, 2 * np.pi, size)
        parts.append(radius * np.column_stack([np.cos(angle), np.sin(angle)]))
    return _finish(parts, noise, rng, dtype)


def make_moons(n_samples: int = 300, noise: float = 0.1, seed: int | None = 0, dtype=np.float32):
    """Two interleaving half circles of radius 1.

    Class 0: (cos a, sin a) for a in [0, pi]; class 1: (1 - cos a, 0.5 - sin a).

    Returns
    -------
    x : ndarray, shape (N, 2)
    t : ndarray, shape (N,) int64 in {0, 1}
    """
    noise = _check_toy_args(n_samples, noise)
    rng = np.random.default_rng(seed)
    upper, lower = _class_sizes(n_samples, 2)
    a, b = rng.uniform(0.0, np.pi, upper), rng.uniform(0.0, np.pi, lower)
    parts = [np.column_stack([np.cos(a), np.sin(a)]),
             np.column_stack([1.0 - np.cos(b), 0.5 - np.sin(b)])]
    return _finish(parts, noise, rng, dtype)


TOY_DATASETS = {
    "spirals": make_spirals,
    "xor": make_xor,
    "circles": make_circles,
    "moons": make_moons,
}


def load_toy(name: str, **kwargs):
    """Make the toy 2-D set `name` (circles, moons, spirals, xor); kwargs go to its maker."""
    return TOY_DATASETS[check_choice(name, TOY_DATASETS, "name")](**kwargs)


def make_linear_regression(n_samples: int = 100, slope: float = 2.0, intercept: float = 1.0,
                           noise: float = 0.5, seed: int | None = 0, x_range=(-2.0, 2.0),
                           dtype=np.float32):
    """Points on the line y = slope * x + intercept plus Gaussian noise of std `noise`.

    Returns
    -------
    x : ndarray, shape (N,), uniform in `x_range`
    y : ndarray, shape (N,)
    """
    check_count(n_samples, "n_samples", 1)
    noise = check_positive(noise, "noise", allow_zero=True)
    low, high = (float(v) for v in x_range)
    if not low < high:
        raise ValueError(f"x_range: expected (low, high) with low < high, got {x_range!r}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, n_samples)
    y = slope * x + intercept + noise * rng.standard_normal(n_samples)
    return x.astype(dtype), y.astype(dtype)
