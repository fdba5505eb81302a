"""Comparing a result with the expected one; a failure says what differs, in plain words."""
from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from course_lib.checks.hints import (
    NONFINITE_HINT,
    Evidence,
    _shape_hint,
    shape_difference,
    value_hints,
)
from course_lib.language import _

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9


def _describe(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return _("an array of shape {shape}, dtype {dtype}").format(shape=value.shape,
                                                                   dtype=value.dtype)
    if isinstance(value, (bool, np.bool_)):
        return _("the boolean {value}").format(value=value)
    if isinstance(value, (numbers.Number, np.generic)):
        return _("the number {value}").format(value=repr(value))
    return _("a {type}").format(type=type(value).__name__)


def expected_line(what: str) -> str:
    """The line of a failure message that says what was expected (`got_line` is its twin)."""
    return _("expected {what}").format(what=what)


def got_line(what: str) -> str:
    return _("got      {what}").format(what=what)


def _format_number(x, other=None) -> str:
    """X with 6 significant digits, or as many as it takes to differ from `other`."""
    if not isinstance(x, (float, np.floating)):
        return repr(x)
    for digits in (6, 10, 17):
        text = f"{x:.{digits}g}"
        if other is None or text != f"{other:.{digits}g}":
            return text
    return text


def _index(flat: int, shape: tuple) -> str:
    return str(tuple(int(i) for i in np.unravel_index(flat, shape)))


def _message(what: str, lines: list[str], hints: list[str]) -> str:
    return "\n".join([f"{what}."] + [f"  {line}" for line in lines]
                     + [_("Hint: {hint}").format(hint=hint) for hint in hints if hint])


def _fail(what: str, lines: list[str], hints: list[str]) -> None:
    raise AssertionError(_message(what, lines, hints))


class ValueMismatch(AssertionError):
    """Values of the right form that differ, with what a hint needs to explain them.

    Its message gives the hints one case supports; `with_evidence` words it again with the hints
    that explain every failing case of a check (none, if no diagnosis explains them all).
    """

    def __init__(self, what: str, lines: list[str], evidence: Evidence, *, rtol: float,
                 integers: bool, extra_hints: list[str], part: str):
        self.what, self.lines, self.evidence = what, lines, evidence
        self.rtol, self.integers, self.extra_hints, self.part = rtol, integers, extra_hints, part
        super().__init__(_message(what, lines, value_hints([evidence], rtol, integers)
                                  + extra_hints))

    def with_evidence(self, others: list[ValueMismatch] | None) -> AssertionError:
        """The failure, hinted from itself and `others` (None: other cases failed otherwise)."""
        hints = [] if others is None else value_hints(
            [self.evidence] + [other.evidence for other in others], self.rtol, self.integers)
        return AssertionError(_message(self.what, self.lines, hints + self.extra_hints))

def _as_number_array(value, what: str, expected: np.ndarray) -> np.ndarray:
    try:
        arr = np.asarray(value)
    except Exception:  # ragged lists and odd objects: say what came back
        arr = np.asarray(None, dtype=object)
    if arr.dtype.kind not in "biuf":
        _fail(what, [expected_line(_describe(expected) if expected.ndim else _("a number")),
                     got_line(_describe(value))], [_("return numbers (a float or a numpy array).")])
    return arr


def _check_form(got, expected, what: str, check_dtype: bool, hints: list[str]):
    """Fail unless `got` is numbers of the expected shape (and dtype), finite where `expected` is.

    Returns got and expected as float64 arrays.
    """
    if got is None and expected is not None:
        _fail(what, [expected_line(_describe(np.asarray(expected))), got_line("None")],
              [_("did you forget to `return` the result?")] + hints)
    expected = np.asarray(expected)
    is_number = expected.ndim == 0
    got_arr = _as_number_array(got, what, expected)
    if got_arr.shape != expected.shape:
        wanted = (_("a single number") if is_number
                  else _("an array of shape {shape}").format(shape=expected.shape))
        shape_hint = (_("use a float (e.g. `float(...)` or `.item()`), not an array.")
                      if is_number else _shape_hint(got_arr.shape, expected.shape))
        lines = [expected_line(wanted), got_line(_describe(got_arr))]
        if (difference := shape_difference(got_arr.shape, expected.shape)) is not None:
            lines.append(f"({difference})")
        _fail(what, lines, [shape_hint] + hints)
    if check_dtype and got_arr.dtype != expected.dtype:
        _fail(what, [expected_line(_("dtype {dtype}").format(dtype=expected.dtype)),
                     got_line(_("dtype {dtype}").format(dtype=got_arr.dtype))],
              [_("keep the input's dtype: build constants with the input's dtype "
                 "(e.g. `np.asarray(2, dtype=x.dtype)`) instead of float64 ones.")] + hints)
    got_f = got_arr.astype(np.float64)
    expected_f = expected.astype(np.float64)
    bad_nonfinite = ~np.isfinite(got_f) & np.isfinite(expected_f)
    if bad_nonfinite.any():
        first = int(np.flatnonzero(bad_nonfinite)[0])
        _fail(what, [_("{count} of {size} values are NaN or inf where finite values are expected "
                       "(the first at index {index}: got {value})").format(
                           count=int(bad_nonfinite.sum()), size=got_f.size,
                           index=_index(first, got_f.shape), value=got_f.flat[first])],
              [_(NONFINITE_HINT)] + hints)
    return got_f, expected_f


def check_array(got, expected, what: str, *, rtol: float = DEFAULT_RTOL,
                atol: float = DEFAULT_ATOL, check_dtype: bool = False, hint: str | None = None,
                sizes: Mapping[int, str] | None = None) -> None:
    """Check that `got` (a number or an array) matches `expected` within the tolerances.

    Parameters
    ----------
    got : number or array_like
        What the student's code produced.
    expected : number or array_like
        The reference value.
    what : str
        Names the value and the case, e.g. "numerical_gradient on a 2x3 matrix".
    rtol, atol : float
        Element-wise tolerance: |got - expected| <= atol + rtol * |expected|.
    check_dtype : bool
        Also require the same dtype (e.g. float32 input must give a float32 result).
    hint : str, optional
        A topic-specific nudge added to every failure message.
    sizes : dict int -> str, optional
        Sizes worth naming when a result is off by that factor, e.g. {32: "the batch size"}.

    Raises
    ------
    AssertionError
        With a message naming the case, the expected and the obtained value and a hint.
    """
    try:
        _check_array(got, expected, what, rtol=rtol, atol=atol, check_dtype=check_dtype,
                     hint=hint, sizes=sizes)
    except ValueMismatch as mismatch:  # leaves as the plain AssertionError it is
        raise mismatch.with_evidence([]) from None


def _check_array(got, expected, what: str, *, rtol: float = DEFAULT_RTOL,
                 atol: float = DEFAULT_ATOL, check_dtype: bool = False, hint: str | None = None,
                 sizes: Mapping[int, str] | None = None, part: str = "") -> None:
    """check_array, raising a ValueMismatch when only the values differ; `part` says which part
    of a larger result this is (", returned value 2"), so that hints compare like with like.
    """
    hints = [hint] if hint else []
    integers = np.asarray(expected).dtype.kind in "iub"
    got_f, expected_f = _check_form(got, expected, what, check_dtype, hints)
    is_number = expected_f.ndim == 0
    close = np.isclose(got_f, expected_f, rtol=rtol, atol=atol, equal_nan=True)
    if close.all():
        return
    excess = np.where(close, -np.inf, np.abs(got_f - expected_f) - rtol * np.abs(expected_f))
    worst = int(np.argmax(excess))
    e, g = expected_f.flat[worst], got_f.flat[worst]
    rel = abs(g - e) / max(abs(e), abs(g))
    if is_number:
        lines = [_("expected {expected}, got {got}").format(expected=_format_number(e, g),
                                                            got=_format_number(g, e))]
    else:
        lines = [_("{count} of {size} values differ; the worst at index {index}: expected "
                   "{expected}, got {got}").format(
                       count=int((~close).sum()), size=close.size,
                       index=_index(worst, expected_f.shape), expected=_format_number(e, g),
                       got=_format_number(g, e))]
    if integers:
        off = g - e
        lines.append((_("({amount} too large)") if off > 0 else _("({amount} too small)")).format(
            amount=_format_number(abs(off))) if off == round(off)
            else _("(a whole number is expected)"))
    else:
        lines.append(_("(relative error {error}; allowed: rtol={rtol}, atol={atol})").format(
            error=f"{rel:.2g}", rtol=f"{rtol:g}", atol=f"{atol:g}"))
    finite = np.isfinite(got_f) & np.isfinite(expected_f)
    if not finite.all():  # compare the finite part only (this loses the shape)
        got_f, expected_f = got_f[finite], expected_f[finite]
    raise ValueMismatch(what, lines, Evidence(got_f, expected_f, sizes), rtol=rtol,
                        integers=integers, extra_hints=hints, part=part)


def _matches(got, expected, options: dict) -> bool:
    """True when check_result would accept `got` (used to test a guess about a mistake)."""
    try:
        _check_result(got, expected, "", **options)
    except AssertionError:
        return False
    return True


def check_result(got, expected, what: str, **options) -> None:
    """Compare results that may be numbers, arrays, None, tuples of them or dicts of them.

    Options as in `check_array`.
    """
    try:
        _check_result(got, expected, what, **options)
    except ValueMismatch as mismatch:  # leaves as the plain AssertionError it is
        raise mismatch.with_evidence([]) from None


def _check_count(got, expected: tuple, what: str) -> None:
    """Fail unless `got` is a tuple (or list) of as many values as `expected`."""
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        count = str(len(got)) if isinstance(got, (tuple, list)) else _("one value")
        _fail(what, [expected_line(_("{count} returned values").format(count=len(expected))),
                     got_line(count)], [_("return them as a tuple: `return a, b`.")])


def _check_result(got, expected, what: str, *, part: str = "", **options) -> None:
    """check_result, raising a ValueMismatch when only values differ (see _check_array)."""
    if expected is None:
        if got is not None:
            _fail(what, [_("expected nothing (None)"), got_line(_describe(got))],
                  [_("this function works in place and returns nothing.")])
        return
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            _fail(what, [expected_line(_("a dict with keys {keys}").format(
                keys=sorted(expected))), got_line(_describe(got))], [])
        if set(got) != set(expected):
            _fail(what, [expected_line(_("the keys {keys}").format(keys=sorted(expected))),
                         got_line(str(sorted(got)))], [])
        for key in expected:
            _check_result(got[key], expected[key],
                          _("{what}, entry {key}").format(what=what, key=repr(key)),
                         part=f"{part}[{key!r}]", **options)
        return
    if isinstance(expected, tuple):
        _check_count(got, expected, what)
        in_order = [_matches(g, e, options) for g, e in zip(got, expected, strict=True)]
        if (len(expected) > 1 and not all(in_order)
                and all(_matches(g, e, options) for g, e in zip(reversed(got), expected, strict=True))):
            _fail(what, [_("the {count} returned values are in the reverse order").format(
                count=len(expected))], [_("return them in the order the exercise gives.")])
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            _check_result(g, e, _("{what}, returned value {number}").format(what=what,
                                                                            number=i + 1),
                          part=f"{part}[{i}]", **options)
        return
    _check_array(got, expected, what, part=part, **options)
