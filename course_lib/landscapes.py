"""Loss landscapes: small 1-D and 2-D test functions with analytic gradients and Hessians.

They are where the course watches optimizers move: a round bowl, an elongated (ill-conditioned)
bowl, Rosenbrock's curved valley, a surface with a local and a global minimum, and a saddle.

Each landscape is vectorised over points: ``p`` has shape ``(..., dim)``, its last axis holds the
coordinates (x) or (x, y), so one call evaluates a whole contour grid::

    bowl = get_landscape("bowl")
    xs, ys = np.meshgrid(np.linspace(-3, 3, 101), np.linspace(-3, 3, 101))
    z = bowl.f(np.stack([xs, ys], axis=-1))        # shape (101, 101)
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from course_lib.validation import as_float_array, check_choice


@dataclass(frozen=True, eq=False)
class Landscape:
    """A test function of 1 or 2 variables.

    Attributes
    ----------
    name : str
    dim : int
        Number of coordinates, 1 or 2.
    description : str
        The formula and what the surface shows.
    bounds : tuple of (low, high) pairs, one per coordinate
        A window that shows the interesting part, e.g. for contour plots.
    minima : list of ndarray, shape (dim,)
        The local minima, sorted by f: the global minimum first.
    start : ndarray, shape (dim,)
        A start point that shows what the surface does to an optimizer.
    """

    name: str
    dim: int
    description: str
    bounds: tuple
    minima: list
    start: np.ndarray
    # Formulas in terms of the coordinates: f(x, y) -> z, grad(x, y) -> (dz/dx, dz/dy),
    # hessian(x, y) -> ((d2z/dx2, d2z/dxdy), (d2z/dydx, d2z/dy2)).
    formula: Callable = field(repr=False)
    gradient_formula: Callable = field(repr=False)
    hessian_formula: Callable = field(repr=False)

    def _coordinates(self, p, single: bool = False) -> tuple[np.ndarray, list[np.ndarray]]:
        p = as_float_array(p, "p")
        if p.ndim == 0 or p.shape[-1] != self.dim or (single and p.ndim != 1):
            wanted = f"({self.dim},)" if single else f"(..., {self.dim})"
            raise ValueError(f"p: expected shape {wanted} (the last axis holds the {self.dim} "
                             f"coordinate(s) of the {self.name!r} landscape), got {p.shape}")
        return p, [p[..., i] for i in range(self.dim)]

    def f(self, p) -> np.ndarray:
        """Value at each point.  p : ndarray, shape (..., dim)  ->  ndarray, shape (...)"""
        p, coords = self._coordinates(p)
        return np.asarray(self.formula(*coords), dtype=p.dtype)

    def grad(self, p) -> np.ndarray:
        """Gradient at each point.  p : ndarray, shape (..., dim)  ->  ndarray, shape (..., dim)"""
        p, coords = self._coordinates(p)
        parts = np.broadcast_arrays(*self.gradient_formula(*coords), p[..., 0])[:-1]
        return np.stack(parts, axis=-1).astype(p.dtype, copy=False)

    def hessian(self, p) -> np.ndarray:
        """Matrix of second derivatives at one point.  p : ndarray, shape (dim,)  ->  (dim, dim)"""
        p, coords = self._coordinates(p, single=True)
        return np.array(self.hessian_formula(*coords), dtype=p.dtype)


def _point(*coords: float) -> np.ndarray:
    point = np.array(coords, dtype=np.float64)
    point.flags.writeable = False
    return point


# Double well: f(x) = x^4/4 - x^3/3 - x^2, f'(x) = x^3 - x^2 - 2x = x (x + 1) (x - 2).
# The roots of f' are exact: minima at x = 2 (f = -8/3, global) and x = -1 (f = -5/12), a hump at 0.

def _double_well(x):
    return x ** 4 / 4 - x ** 3 / 3 - x ** 2


def _double_well_slope(x):
    return x ** 3 - x ** 2 - 2 * x


def _double_well_curvature(x):
    return 3 * x ** 2 - 2 * x - 2


def _make_landscapes() -> dict[str, Landscape]:
    """Build the registry; each entry states f, its gradient and its Hessian side by side."""
    entries = [
        Landscape(
            "bowl", 2,
            "Round bowl f(x, y) = x^2 + y^2: the gradient points straight at the minimum (0, 0).",
            ((-3.0, 3.0), (-3.0, 3.0)), [_point(0, 0)], _point(-2.5, 2.0),
            lambda x, y: x ** 2 + y ** 2,
            lambda x, y: (2 * x, 2 * y),
            lambda x, y: ((2, 0), (0, 2))),
        Landscape(
            "ill_conditioned", 2,
            "Elongated bowl f(x, y) = x^2/20 + y^2: curvature 1/10 along x and 2 along y "
            "(condition number 20), so plain gradient descent zig-zags across the valley.",
            ((-10.0, 10.0), (-5.0, 5.0)), [_point(0, 0)], _point(-7.0, 2.0),
            lambda x, y: x ** 2 / 20 + y ** 2,
            lambda x, y: (x / 10, 2 * y),
            lambda x, y: ((1 / 10, 0), (0, 2))),
        Landscape(
            "rosenbrock", 2,
            "Rosenbrock f(x, y) = (1 - x)^2 + 100 (y - x^2)^2: a curved, flat-bottomed valley; "
            "the minimum (1, 1) is easy to reach and hard to approach.",
            ((-2.0, 2.0), (-1.0, 3.0)), [_point(1, 1)], _point(-1.2, 1.0),
            lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
            lambda x, y: (-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)),
            lambda x, y: ((2 - 400 * y + 1200 * x ** 2, -400 * x), (-400 * x, 200))),
        Landscape(
            "local_minimum", 2,
            "Two valleys f(x, y) = x^4/4 - x^3/3 - x^2 + (y - x/2)^2: a local minimum at (-1, -0.5) "
            "(f = -5/12), the global one at (2, 1) (f = -8/3), a saddle point at (0, 0) between them.",
            ((-2.5, 3.0), (-2.0, 2.5)), [_point(2, 1), _point(-1, -0.5)], _point(-2.2, 1.5),
            lambda x, y: _double_well(x) + (y - x / 2) ** 2,
            lambda x, y: (_double_well_slope(x) - (y - x / 2), 2 * (y - x / 2)),
            lambda x, y: ((_double_well_curvature(x) + 1 / 2, -1), (-1, 2))),
        Landscape(
            "saddle", 2,
            "Saddle f(x, y) = x^2 + y^4/4 - y^2/2: at (0, 0) the surface curves up along x and down "
            "along y; the gradient vanishes there, so descent stalls before rolling off to a "
            "minimum at (0, 1) or (0, -1) (f = -1/4).",
            ((-2.5, 2.5), (-2.0, 2.0)), [_point(0, 1), _point(0, -1)], _point(-2.0, 0.001),
            lambda x, y: x ** 2 + y ** 4 / 4 - y ** 2 / 2,
            lambda x, y: (2 * x, y ** 3 - y),
            lambda x, y: ((2, 0), (0, 3 * y ** 2 - 1))),
        Landscape(
            "parabola", 1,
            "Parabola f(x) = x^2: gradient descent x <- x - lr 2x converges for lr < 1 "
            "(oscillating for lr > 1/2) and diverges for lr > 1.",
            ((-3.0, 3.0),), [_point(0)], _point(2.5),
            lambda x: x ** 2,
            lambda x: (2 * x,),
            lambda x: ((2,),)),
        Landscape(
            "double_well", 1,
            "Double well f(x) = x^4/4 - x^3/3 - x^2: a local minimum at x = -1 (f = -5/12) and the "
            "global one at x = 2 (f = -8/3), separated by a hump at x = 0.",
            ((-2.5, 3.0),), [_point(2), _point(-1)], _point(-2.0),
            _double_well,
            lambda x: (_double_well_slope(x),),
            lambda x: ((_double_well_curvature(x),),)),
    ]
    return {landscape.name: landscape for landscape in entries}


LANDSCAPES = _make_landscapes()


def get_landscape(name: str) -> Landscape:
    """Return the landscape called `name`; ValueError listing the valid names otherwise."""
    return LANDSCAPES[check_choice(name, LANDSCAPES, "name")]
