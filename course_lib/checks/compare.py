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

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9


def _describe(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}, dtype {value.dtype}"
    if isinstance(value, (bool, np.bool_)):
        return f"the boolean {value}"
    if isinstance(value, (numbers.Number, np.generic)):
        return f"the number {value!r}"
    return f"a {type(value).__name__}"


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
                     + [f"Hint: {hint}" for hint in hints if hint])


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
        _fail(what, [f"expected {_describe(expected) if expected.ndim else 'a number'}",
                     f"got      {_describe(value)}"], ["return numbers (a float or a numpy array)."])
    return arr


def _check_form(got, expected, what: str, check_dtype: bool, hints: list[str]):
    """Fail unless `got` is numbers of the expected shape (and dtype), finite where `expected` is.

    Returns got and expected as float64 arrays.
    """
    if got is None and expected is not None:
        _fail(what, [f"expected {_describe(np.asarray(expected))}", "got      None"],
              ["did you forget to `return` the result?"] + hints)
    expected = np.asarray(expected)
    is_number = expected.ndim == 0
    got_arr = _as_number_array(got, what, expected)
    if got_arr.shape != expected.shape:
        wanted = "a single number" if is_number else f"an array of shape {expected.shape}"
        shape_hint = ("use a float (e.g. `float(...)` or `.item()`), not an array."
                      if is_number else _shape_hint(got_arr.shape, expected.shape))
        lines = [f"expected {wanted}", f"got      {_describe(got_arr)}"]
        if (difference := shape_difference(got_arr.shape, expected.shape)) is not None:
            lines.append(f"({difference})")
        _fail(what, lines, [shape_hint] + hints)
    if check_dtype and got_arr.dtype != expected.dtype:
        _fail(what, [f"expected dtype {expected.dtype}", f"got      dtype {got_arr.dtype}"],
              ["keep the input's dtype: build constants with the input's dtype "
               "(e.g. `np.asarray(2, dtype=x.dtype)`) instead of float64 ones."] + hints)
    got_f = got_arr.astype(np.float64)
    expected_f = expected.astype(np.float64)
    bad_nonfinite = ~np.isfinite(got_f) & np.isfinite(expected_f)
    if bad_nonfinite.any():
        first = int(np.flatnonzero(bad_nonfinite)[0])
        _fail(what, [f"{int(bad_nonfinite.sum())} of {got_f.size} values are NaN or inf where "
                     f"finite values are expected (the first at index {_index(first, got_f.shape)}"
                     f": got {got_f.flat[first]})"], [NONFINITE_HINT] + hints)
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
        lines = [f"expected {_format_number(e, g)}, got {_format_number(g, e)}"]
    else:
        lines = [f"{int((~close).sum())} of {close.size} values differ; the worst at index "
                 f"{_index(worst, expected_f.shape)}: expected {_format_number(e, g)}, got "
                 f"{_format_number(g, e)}"]
    if integers:
        off = g - e
        lines.append(f"({_format_number(abs(off))} too {'large' if off > 0 else 'small'})"
                     if off == round(off) else "(a whole number is expected)")
    else:
        lines.append(f"(relative error {rel:.2g}; allowed: rtol={rtol:g}, atol={atol:g})")
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


def _check_result(got, expected, what: str, *, part: str = "", **options) -> None:
    """check_result, raising a ValueMismatch when only values differ (see _check_array)."""
    if expected is None:
        if got is not None:
            _fail(what, ["expected nothing (None)", f"got      {_describe(got)}"],
                  ["this function works in place and returns nothing."])
        return
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            _fail(what, [f"expected a dict with keys {sorted(expected)}",
                         f"got      {_describe(got)}"], [])
        if set(got) != set(expected):
            _fail(what, [f"expected the keys {sorted(expected)}", f"got      {sorted(got)}"], [])
        for key in expected:
            _check_result(got[key], expected[key], f"{what}, entry {key!r}",
                         part=f"{part}[{key!r}]", **options)
        return
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            count = len(got) if isinstance(got, (tuple, list)) else "one value"
            _fail(what, [f"expected {len(expected)} returned values", f"got      {count}"],
                  ["return them as a tuple: `return a, b`."])
        in_order = [_matches(g, e, options) for g, e in zip(got, expected, strict=True)]
        if (len(expected) > 1 and not all(in_order)
                and all(_matches(g, e, options) for g, e in zip(reversed(got), expected, strict=True))):
            _fail(what, [f"the {len(expected)} returned values are in the reverse order"],
                  ["return them in the order the exercise gives."])
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            _check_result(g, e, f"{what}, returned value {i + 1}", part=f"{part}[{i}]",
                         **options)
        return
    _check_array(got, expected, what, part=part, **options)
