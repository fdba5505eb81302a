"""Hints: the usual mistakes recognised from the numbers alone."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from course_lib.language import N_, _

NONFINITE_HINT = N_("NaN or inf usually comes from an overflow (exp of a large number: subtract "
                  "the maximum first), a log of 0 (add a small eps) or a division by 0.")
# Whom a hint speaks of: subjects of its sentence ("every value is 2 times too large").
THE_RESULT = N_("the result is")
EVERY_CASE_RESULT = N_("in every failing case the result is")
EVERY_VALUE = N_("every value is")


def _shape_hint(got: tuple, expected: tuple) -> str | None:
    """A hint for a result of the wrong shape, or None when the shapes say nothing certain."""
    if got == ():
        return _("you returned one number; one value per element (or per sample) is expected.")
    if len(got) >= 2 and got == expected[::-1]:
        return _("the shape is transposed: check the order of a matrix product or a missing/extra "
                 "`.T`.")
    if len(got) == len(expected) - 1 and any(expected[:i] + expected[i + 1:] == got
                                              for i in range(len(expected))):
        return _("one axis was summed or averaged away that should stay: check `axis` and "
                 "`keepdims`.")
    if math.prod(got) == math.prod(expected):
        return _("the right number of values in another shape: check a reshape, a flatten, or "
                 "`keepdims` in a sum or mean.")
    return None


def shape_difference(got: tuple, expected: tuple) -> str | None:
    """'2 elements too many along axis 0' when the shapes differ in the length of one axis."""
    if len(got) != len(expected):
        return None
    differing = [i for i, (g, e) in enumerate(zip(got, expected, strict=True)) if g != e]
    if len(differing) != 1:
        return None
    axis = differing[0]
    extra = got[axis] - expected[axis]
    many = extra > 0
    if abs(extra) == 1:
        text = _("one element too many") if many else _("one element too few")
    else:
        text = (_("{count} elements too many") if many
                else _("{count} elements too few")).format(count=abs(extra))
    if len(got) == 1:
        return text
    return _("{difference} along axis {axis}").format(difference=text, axis=axis)


def _integer_near(x: float) -> int | None:
    k = round(x)
    return k if 2 <= k <= 10_000 and abs(x - k) <= 1e-3 * k else None


@dataclass(frozen=True)
class Evidence:
    """One failing case as the hints see it: the finite values of the result and the reference."""

    got: np.ndarray
    expected: np.ndarray
    sizes: Mapping[int, str] | None = None


def _ratio(item: Evidence) -> float | None:
    """C when got == c * expected in every element of the case (zeros where 0 is expected)."""
    got, expected = item.got, item.expected
    largest = float(np.max(np.abs(expected), initial=0.0))
    nonzero = np.abs(expected) > 1e-12 * max(1.0, largest)
    if not nonzero.any() or not np.allclose(got[~nonzero], 0, atol=1e-12):
        return None
    ratios = got[nonzero] / expected[nonzero]
    c = float(np.median(ratios))
    if c == 0 or not np.allclose(ratios, c, rtol=1e-4, atol=0):
        return None
    return c


def _named_size(evidence: list[Evidence], ratios: list[float], every: str) -> str | None:
    """'... k times too large, and k is <name>' when, in every case, the factor is that case's size
    of the same name (the batch size may differ from case to case).
    """
    for flip, direction in ((False, "large"), (True, "small")):
        ks = [_integer_near(1 / c if flip else c) for c in ratios]
        if any(k is None for k in ks):
            continue
        names = {item.sizes.get(k) if item.sizes else None for item, k in zip(evidence, ks, strict=True)}
        if len(names) == 1 and (name := names.pop()) is not None:
            k = ks[0] if len(set(ks)) == 1 else "n"
            if direction == "large":
                text = _("{every} {k} times too large, and {k} is {name}: did you forget to "
                         "divide by it?")
            else:
                text = _("{every} {k} times too small, and {k} is {name}: did you divide by it "
                         "once too often, or average where a sum is wanted?")
            return text.format(every=every, k=k, name=name)
    return None


def _factor_hint(c: float, every: str) -> str:
    """The hint for a result that is c times the expected one in every element and case."""
    k = None
    if abs(c + 1) < 1e-4:
        text = _("{every} of the wrong sign: check the order of a subtraction or a minus sign.")
    elif (k := _integer_near(c)) is not None:
        text = _("{every} {k} times too large.")
    elif (k := _integer_near(1 / c)) is not None:
        text = _("{every} {k} times too small.")
    else:
        text = _("{every} off by the same factor {c}: check the constants in your formula.")
    return text.format(every=every, k=k, c=f"{c:.4g}")


def _integer_hints(evidence: list[Evidence], every: str) -> list[str]:
    """Integer language: whole-number differences, never 'close' or a relative error."""
    differences = np.concatenate([(item.got - item.expected).ravel() for item in evidence])
    differing = differences[differences != 0]
    if differing.size and not np.allclose(differing, np.round(differing), rtol=0, atol=1e-9):
        return [_("whole numbers are expected: return integers (e.g. with `np.round` and "
                  "`.astype(int)`, or an integer division `//`).")]
    if differing.size and np.all(differing == differing[0]) and abs(differing[0]) == 1:
        scope = _("every value that differs is") if every == _(EVERY_VALUE) else every
        text = (_("{every} one too large: an off-by-one, e.g. a count or a range that starts or "
                  "stops one step off.") if differing[0] > 0 else
                _("{every} one too small: an off-by-one, e.g. a count or a range that starts or "
                  "stops one step off."))
        return [text.format(every=scope)]
    return []


def value_hints(evidence: list[Evidence], rtol: float, integers: bool = False) -> list[str]:
    """Hints that explain every differing element of every failing case, or none.

    Parameters
    ----------
    evidence : list of Evidence
        The failing cases of one check (their finite values, each pair of the same shape).
    rtol : float
        The tolerance the check applies.
    integers : bool
        The expected values are integers: differences are spoken of as whole numbers.
    """
    single = len(evidence) == 1 and evidence[0].got.size == 1
    every = _(THE_RESULT if single else EVERY_CASE_RESULT
              if all(e.got.size == 1 for e in evidence) else EVERY_VALUE)
    if integers:
        hints = _integer_hints(evidence, every)
        if hints:
            return hints
    got = np.concatenate([e.got.ravel() for e in evidence])
    expected = np.concatenate([e.expected.ravel() for e in evidence])
    if got.size == 0:
        return []
    difference = got - expected
    scale = np.maximum(np.abs(expected), np.abs(got))
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(scale > 0, np.abs(difference) / scale, 0.0)
    if not integers and bool(np.all(rel > 0)) and float(np.max(rel)) < 1e-2:
        return [_("close, but not accurate enough: the idea is right, check the accuracy of the "
                  "formula (or a step size you chose yourself).")]
    largest = float(np.max(np.abs(expected)))
    # (almost) 0 where something was expected: round-off left over from a cancellation counts too
    if largest > 0 and float(np.max(np.abs(got))) <= 1e-9 * largest:
        return [_("{every} 0: is the result computed and stored in what you return?").format(
            every=every)]
    ratios = [_ratio(item) for item in evidence]
    if all(c is not None and abs(c - 1) > 1e-3 for c in ratios):
        if (named := _named_size(evidence, ratios, every)) is not None:
            return [named]
        # one number alone is always some factor times another: a factor says something only
        # when it is the same across several values
        if got.size > 1 and np.allclose(ratios, ratios[0], rtol=1e-4, atol=0):
            return [_factor_hint(ratios[0], every)]
    if got.size > 1 and np.allclose(difference, difference[0], rtol=1e-6, atol=1e-12):
        return [_("{every} off by the same amount {difference}: check a constant term you add "
                  "or leave out.").format(every=every, difference=f"{difference[0]:.4g}")]
    if all(e.got.ndim == 2 and e.got.shape[0] == e.got.shape[1] > 1
           and np.allclose(e.got, e.expected.T, rtol=rtol) for e in evidence):
        return [_("your result is the transpose of the expected one.")]
    return []
