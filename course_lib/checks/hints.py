"""Hints: the usual mistakes recognised from the numbers alone."""
from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

NONFINITE_HINT = ("NaN or inf usually comes from an overflow (exp of a large number: subtract "
                  "the maximum first), a log of 0 (add a small eps) or a division by 0.")


def _shape_hint(got: tuple, expected: tuple) -> str:
    if got == ():
        return "you returned one number; one value per element (or per sample) is expected."
    if len(got) >= 2 and got == expected[::-1]:
        return "the shape is transposed: check the order of a matrix product or a missing/extra `.T`."
    if len(got) == len(expected) - 1 and any(expected[:i] + expected[i + 1:] == got
                                              for i in range(len(expected))):
        return "one axis was summed or averaged away that should stay: check `axis` and `keepdims`."
    if math.prod(got) == math.prod(expected):
        return ("the right number of values in another shape: check a reshape, a flatten, or "
                "`keepdims` in a sum or mean.")
    return "if you summed, averaged or took a maximum, check the `axis`."


def _integer_near(x: float) -> int | None:
    k = round(x)
    return k if 2 <= k <= 10_000 and abs(x - k) <= 1e-3 * k else None


def _factor_hint(c: float, every: str, sizes: Mapping[int, str] | None) -> str | None:
    """A hint for a result that is `c` times the expected one, when c says something."""
    if abs(c + 1) < 1e-4:
        return f"{every} of the wrong sign: check the order of a subtraction or a minus sign."
    if (k := _integer_near(c)) is not None:
        if sizes and k in sizes:
            return (f"{every} {k} times too large, and {k} is {sizes[k]}: did you forget to "
                    f"divide by it?")
        if k == 2:
            return (f"{every} 2 times too large: a factor 2 is missing from a denominator (or "
                    f"there is one too many in a numerator).")
        return f"{every} {k} times too large: did you forget to divide by {k}?"
    if (k := _integer_near(1 / c)) is not None:
        size = f", and {k} is {sizes[k]}" if sizes and k in sizes else ""
        return (f"{every} {k} times too small{size}: did you divide by {k} once too often, or "
                f"average where a sum is wanted?")
    if abs(math.log10(abs(c))) > 4:
        return (f"{every} {c:.3g} times the expected value: check the parentheses and the "
                f"order of operations.")
    return None


def _value_hints(got: np.ndarray, expected: np.ndarray, rtol: float,
                 sizes: Mapping[int, str] | None) -> list[str]:
    """Recognise the usual mistakes from the numbers alone (got and expected: finite, same shape)."""
    every = "the result is" if got.size == 1 else "every value is"
    difference = got - expected
    scale = np.maximum(np.abs(expected), np.abs(got))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(scale > 0, np.abs(difference) / scale, 0.0)
    all_differ = bool(np.all(rel > 0))
    if all_differ and float(np.max(rel)) < 1e-2:
        return ["close, but not accurate enough: the idea is right, check the accuracy of the "
                "formula (or a step size you chose yourself)."]
    largest = float(np.max(np.abs(expected)))
    # (almost) 0 where something was expected: round-off left over from a cancellation counts too
    if largest > 0 and float(np.max(np.abs(got))) <= 1e-9 * largest:
        return [f"{every} 0: is the result computed and stored in what you return?"]
    nonzero = np.abs(expected) > 1e-12 * max(1.0, largest)
    if nonzero.any() and np.allclose(got[~nonzero], 0, atol=1e-12):
        ratio = got[nonzero] / expected[nonzero]
        c = float(np.median(ratio))
        if c != 0 and abs(c - 1) > 1e-3 and np.allclose(ratio, c, rtol=1e-4, atol=0):
            if (hint := _factor_hint(c, every, sizes)) is not None:
                return [hint]
            if got.size > 1:
                return [f"every value is off by the same factor {c:.4g}: check the constants "
                        f"in your formula."]
    if got.size > 1 and np.allclose(difference, difference.flat[0], rtol=1e-6, atol=1e-12):
        return [f"every value is off by the same amount {difference.flat[0]:.4g}: check a "
                f"constant term you add or leave out."]
    if got.ndim == 2 and got.shape[0] == got.shape[1] and np.allclose(got, expected.T, rtol=rtol):
        return ["your result is the transpose of the expected one."]
    return []
