"""Numerical derivatives and gradients, and how to check an analytic gradient against them.

A derivative is the limit of a difference quotient. With a small but finite step h we get an
approximation whose error has two sources: truncation (h is not 0) and round-off (f(x + h) and
f(x - h) are nearly equal, so their difference loses digits). The central difference

    f'(x) ~ (f(x + h) - f(x - h)) / (2h)

has truncation error O(h^2); the forward and backward differences only O(h).

A gradient check compares a gradient derived by hand (or by backpropagation) with the numerical one,
element by element, using the relative error defined in `relative_error`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from course_lib.validation import (as_float_array, check_choice, check_count, check_finite,
                                   check_positive, check_same_shape)

DIFFERENCE_METHODS = ("central", "forward", "backward")


def _scalar_value(value) -> float:
    """Return f's result as a float, with a clear error when f returned an array."""
    if np.ndim(value) != 0:
        raise TypeError(f"f: expected f(x) to return a scalar, "
                        f"got an array of shape {np.shape(value)}")
    return float(value)


def numerical_derivative(f, x, h=1e-4, method="central") -> float:
    """Approximate the derivative f'(x) of a function of one variable by a difference quotient.

    Parameters
    ----------
    f : callable
        Function of one real number returning a real number.
    x : float
        Point at which to differentiate.
    h : float, default 1e-4
        Step size, > 0.
    method : {"central", "forward", "backward"}
        central:  (f(x + h) - f(x - h)) / (2h),  error O(h^2)
        forward:  (f(x + h) - f(x)) / h,         error O(h)
        backward: (f(x) - f(x - h)) / h,         error O(h)

    Returns
    -------
    float
    """
    x = float(as_float_array(x, "x", ndim=0))
    h = check_positive(h, "h")
    check_choice(method, DIFFERENCE_METHODS, "method")
    if method == "central":
        return (_scalar_value(f(x + h)) - _scalar_value(f(x - h))) / (2 * h)
    if method == "forward":
        return (_scalar_value(f(x + h)) - _scalar_value(f(x))) / h
    return (_scalar_value(f(x)) - _scalar_value(f(x - h))) / h


def numerical_gradient(f, x, h=1e-4) -> np.ndarray:
    """Approximate the gradient of a scalar function f at x by central differences.

    Each element x[i] is moved to x[i] + h and x[i] - h IN PLACE, one element at a time, so `f` may
    read x through its argument or through a closure (e.g. a network's parameter arrays). The
    element is always put back afterwards, even when `f` raises.

        grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h)

    Parameters
    ----------
    f : callable
        f(x) -> float.
    x : ndarray, any shape (0-d included), float32 or float64
        Point at which to differentiate. Other input (lists, integers) is first copied to a float64
        array; then only f's argument sees the perturbation.
    h : float, default 1e-4
        Step size, > 0. In float32 the round-off error is about 1e-7 * |f| / h, so gradient checks
        are best done in float64.

    Returns
    -------
    grad : ndarray, same shape and dtype as x
    """
    h = check_positive(h, "h")
    if not (isinstance(x, np.ndarray) and x.dtype in (np.float32, np.float64)):
        x = as_float_array(x, "x")
    check_finite(x, "x")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]  # a numpy scalar: a copy, not a view
        try:
            x[index] = original + h
            f_plus = _scalar_value(f(x))
            x[index] = original - h
            f_minus = _scalar_value(f(x))
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def relative_error(a, b) -> np.ndarray:
    """Elementwise relative error between two arrays of the same shape.

        rel_error = |a - b| / max(|a| + |b|, 1e-12)

    The result lies in [0, 1]: 0 when a == b, 1 when the two have opposite signs or one is 0 and
    the other is not. The floor 1e-12 makes two exact zeros count as agreement (error 0).

    Parameters
    ----------
    a, b : ndarray, same shape

    Returns
    -------
    ndarray, same shape as a
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    check_same_shape(a, b, "a", "b")
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)


def max_relative_error(a, b) -> float:
    """Largest elementwise `relative_error` between a and b (0.0 for empty arrays)."""
    return float(relative_error(a, b).max(initial=0.0))


@dataclass
class GradientCheckResult:
    """Outcome of `gradient_check`.

    Attributes
    ----------
    passed : bool
        True when max_relative_error < tol.
    max_relative_error : float
    worst : list of (index, analytic, numerical, rel_error)
        The elements with the largest relative error, worst first; index is a tuple of ints.
    tol : float
        The tolerance the check used.
    """
    passed: bool
    max_relative_error: float
    worst: list = field(default_factory=list)
    tol: float = 1e-7

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        verdict = "PASSED" if self.passed else "FAILED"
        lines = [f"Gradient check {verdict}: max relative error {self.max_relative_error:.3e} "
                 f"(tolerance {self.tol:.1e})",
                 f"{'index':<16}{'analytic':>16}{'numerical':>16}{'rel. error':>12}"]
        for index, analytic, numerical, error in self.worst:
            lines.append(f"{str(index):<16}{analytic:>16.8g}{numerical:>16.8g}{error:>12.3e}")
        return "\n".join(lines)


def gradient_check(f, x, analytic, h=1e-5, tol=1e-7, n_worst=5) -> GradientCheckResult:
    """Compare an analytic gradient of f at x with the numerical gradient, element by element.

    Parameters
    ----------
    f : callable
        f(x) -> float (x is perturbed in place, see `numerical_gradient`).
    x : ndarray, any shape
    analytic : ndarray, same shape as x
        The gradient to check.
    h : float, default 1e-5
        Step of the central difference.
    tol : float, default 1e-7
        The check passes when the largest relative error is below tol. 1e-7 suits float64; float32
        round-off rarely allows better than about 1e-3.
    n_worst : int, default 5
        How many of the worst elements to report.

    Returns
    -------
    GradientCheckResult
        Truthy when passed; print it for a table of the worst elements.
    """
    analytic = as_float_array(analytic, "analytic")
    tol = check_positive(tol, "tol")
    n_worst = check_count(n_worst, "n_worst", minimum=0)
    check_same_shape(analytic, x, "analytic", "x")
    numerical = numerical_gradient(f, x, h)
    check_finite(numerical, "numerical gradient (f gave NaN or inf near x)")
    errors = relative_error(analytic, numerical)
    # stable sort of -errors: equal errors keep index order
    worst_first = np.argsort(-errors, axis=None, kind="stable")[:n_worst]
    worst = [(tuple(int(i) for i in np.unravel_index(flat, errors.shape)),
              float(analytic.flat[flat]), float(numerical.flat[flat]), float(errors.flat[flat]))
             for flat in worst_first]
    largest = float(errors.max(initial=0.0))
    return GradientCheckResult(passed=largest < tol, max_relative_error=largest,
                               worst=worst, tol=tol)
