"""What the graded notebooks' test cells call: compare an answer with the reference, explain a failure.

A failed check raises AssertionError with a message in plain words: which case failed (as the test
describes it, never its hidden inputs), what was expected and what came back (shape, dtype, the worst
element and its index) and, when the numbers show a usual mistake, a hint:

    numerical_gradient: wrong result on a 3x4 matrix and a cubic function.
      12 of 12 values differ; the worst at index (1, 2): expected 5.10125, got 10.2025
      (relative error 0.5; allowed: rtol=1e-06, atol=1e-09)
    Hint: every value is 2 times too large: a factor 2 is missing from a denominator (or ...)

Typical use in a test cell::

    check_function(numerical_gradient, reference.numerical_gradient, [
        case("a 2x3 matrix", lambda x: np.sum(x**2), rng.normal(size=(2, 3))),
    ], name="numerical_gradient")
"""
from __future__ import annotations

import copy
import inspect
import json
import math
import numbers
import signal
import threading
import traceback
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_lib.failure_display import install as _install_failure_display

DEFAULT_RTOL = 1e-6
DEFAULT_ATOL = 1e-9
DEFAULT_TIME_LIMIT = 10.0  # seconds per call of a student function
NONFINITE_HINT = ("NaN or inf usually comes from an overflow (exp of a large number: subtract "
                  "the maximum first), a log of 0 (add a small eps) or a division by 0.")


_install_failure_display()  # in a notebook: the message, not the library's frames


# -- cases ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One call of the function under test, described in words for the failure message."""

    description: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    make: Callable | None = None

    def arguments(self) -> tuple[tuple, dict]:
        """Fresh (args, kwargs) for one call, so that the answer and the reference never share."""
        if self.make is not None:
            made = self.make()
            return (tuple(made) if isinstance(made, (tuple, list)) else (made,)), {}
        return copy.deepcopy(self.args), copy.deepcopy(self.kwargs)


def case(description: str, *args, **kwargs) -> Case:
    """A case whose arguments are deep-copied for every call."""
    return Case(description, args, kwargs)


def fresh_case(description: str, make: Callable[[], tuple]) -> Case:
    """A case whose arguments `make()` builds anew for every call.

    Use it when the arguments must stay linked, e.g. `f` closes over the array `x` it is given
    with: `fresh_case("...", lambda: make_loss_and_params())`.
    """
    return Case(description, make=make)


# -- calling the student's code ---------------------------------------------------------------

class _TimeUp(BaseException):
    """Raised in the student's code when its time is up.

    A BaseException, so that `except Exception` in a student's loop does not swallow it; raised
    again every 50 ms until the call returns, and a call that caught it anyway still fails.
    """


@contextmanager
def _time_limit(seconds: float | None):
    """Raise _TimeUp after `seconds` and every 50 ms after that (Unix main thread only; elsewhere
    no limit). Yields a dict whose "fired" is True once the time was up."""
    state = {"fired": False}
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield state
        return

    def on_alarm(signum, frame):
        state["fired"] = True
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield state
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _student_line(tb) -> str:
    """' (in numerical_gradient, line 7: `return a / b`)' for the last frame outside libraries."""
    frames = [f for f in traceback.extract_tb(tb)
              if "site-packages" not in f.filename and "course_lib" not in f.filename
              and not f.filename.startswith("<frozen")]
    if not frames:
        return ""
    last = frames[-1]
    code = f": `{last.line.strip()}`" if last.line else ""
    return f" (in {last.name}, line {last.lineno}{code})"


def call_student(fn, *args, name: str, description: str, expected_error=None,
                 time_limit: float | None = DEFAULT_TIME_LIMIT, **kwargs):
    """Call `fn(*args, **kwargs)` as a test does and return its result.

    Every way the call can go wrong becomes an AssertionError in plain words: not implemented
    yet, wrong parameters, an exception, too slow. With `expected_error` (an exception class)
    the call must raise it; the exception is returned.
    """
    if not callable(fn):
        raise AssertionError(f"{name}: expected a function, got {type(fn).__name__}; "
                             f"run the cell that defines {name} first.")
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as error:
        raise AssertionError(f"{name} cannot be called the way the exercise describes "
                             f"({error}); keep the parameters given in the exercise.") from None
    except ValueError:  # some builtins have no signature; just call them
        pass
    too_slow = AssertionError(f"{name} did not finish within {time_limit or 0:g} s on "
                              f"{description}: is there an endless loop?")
    clock = {"fired": False}
    try:
        with _time_limit(time_limit) as clock:
            result = fn(*args, **kwargs)
    except NotImplementedError:
        raise AssertionError(f"{name} is not implemented yet: replace "
                             f"`raise NotImplementedError()` with your code.") from None
    except _TimeUp:
        raise too_slow from None
    except Exception as error:
        if clock["fired"]:  # caught the time limit, then failed in another way
            raise too_slow from None
        if expected_error is not None and isinstance(error, expected_error):
            return error
        raise AssertionError(f"{name} raised {type(error).__name__}: {error}\n"
                             f"  on {description}{_student_line(error.__traceback__)}") from None
    if clock["fired"]:  # the student's code caught the time limit and returned anyway
        raise too_slow
    if expected_error is not None:
        raise AssertionError(f"{name} should have raised {expected_error.__name__} on "
                             f"{description}, but it returned normally.")
    return result


# -- comparing results ------------------------------------------------------------------------

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
    """x with 6 significant digits, or as many as it takes to differ from `other`."""
    if not isinstance(x, (float, np.floating)):
        return repr(x)
    for digits in (6, 10, 17):
        text = f"{x:.{digits}g}"
        if other is None or text != f"{other:.{digits}g}":
            return text
    return text


def _index(flat: int, shape: tuple) -> str:
    return str(tuple(int(i) for i in np.unravel_index(flat, shape)))


def _fail(what: str, lines: list[str], hints: list[str]) -> None:
    message = "\n".join([f"{what}."] + [f"  {line}" for line in lines]
                        + [f"Hint: {hint}" for hint in hints if hint])
    raise AssertionError(message)


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
        _fail(what, [f"expected {wanted}", f"got      {_describe(got_arr)}"],
              [shape_hint] + hints)
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
    hints = [hint] if hint else []
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
    lines.append(f"(relative error {rel:.2g}; allowed: rtol={rtol:g}, atol={atol:g})")
    finite = np.isfinite(got_f) & np.isfinite(expected_f)
    if not finite.all():  # compare the finite part only (this loses the shape)
        got_f, expected_f = got_f[finite], expected_f[finite]
    _fail(what, lines, _value_hints(got_f, expected_f, rtol, sizes) + hints)


def _matches(got, expected, options: dict) -> bool:
    """True when check_result would accept `got` (used to test a guess about a mistake)."""
    try:
        check_result(got, expected, "", **options)
    except AssertionError:
        return False
    return True


def check_result(got, expected, what: str, **options) -> None:
    """Compare results that may be numbers, arrays, None, tuples of them or dicts of them."""
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
            check_result(got[key], expected[key], f"{what}, entry {key!r}", **options)
        return
    if isinstance(expected, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            count = len(got) if isinstance(got, (tuple, list)) else "one value"
            _fail(what, [f"expected {len(expected)} returned values", f"got      {count}"],
                  ["return them as a tuple: `return a, b`."])
        in_order = [_matches(g, e, options) for g, e in zip(got, expected)]
        if (len(expected) > 1 and not all(in_order)
                and all(_matches(g, e, options) for g, e in zip(reversed(got), expected))):
            _fail(what, [f"the {len(expected)} returned values are in the reverse order"],
                  ["return them in the order the exercise gives."])
        for i, (g, e) in enumerate(zip(got, expected)):
            check_result(g, e, f"{what}, returned value {i + 1}", **options)
        return
    check_array(got, expected, what, **options)


# -- inputs must come back unchanged ----------------------------------------------------------

def _arrays_in(value, path: str):
    """(path, array) for every ndarray inside value (nested tuples, lists and dicts)."""
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from _arrays_in(item, f"{path}[{i}]")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _arrays_in(item, f"{path}[{key!r}]")


def _argument_names(reference, args: tuple, kwargs: dict) -> list[tuple[str, object]]:
    try:
        params = list(inspect.signature(reference).parameters)
    except (TypeError, ValueError):
        params = []
    named = [(params[i] if i < len(params) else f"argument {i + 1}", a) for i, a in enumerate(args)]
    return named + list(kwargs.items())


def _check_unchanged(before, arguments, name: str, description: str) -> None:
    for (path, old), (_, new) in zip(before, arguments):
        if old.shape != new.shape:
            detail = f"its shape changed from {old.shape} to {new.shape}"
        elif not np.array_equal(old, new, equal_nan=True):
            same = old == new
            if old.dtype.kind == "f":
                same |= np.isnan(old) & np.isnan(new)
            changed = np.flatnonzero(~same)
            i = int(changed[0])
            detail = (f"{changed.size} of {old.size} values differ after the call (at index "
                      f"{_index(i, old.shape)} it was {_format_number(old.flat[i], new.flat[i])}, "
                      f"now {_format_number(new.flat[i], old.flat[i])})")
        else:
            continue
        _fail(f"{name} changed its input `{path}` on {description}", [detail],
              ["a function must leave its inputs as it found them: if you change a value "
               "temporarily, put the old value back before moving on."])


def _check_call(student, c: Case, expected, *, name: str, signature_of, inputs_unchanged: bool,
                time_limit, options: dict) -> None:
    """Run one case on fresh arguments and compare the result with `expected`."""
    args, kwargs = c.arguments()
    arguments = [(path, arr) for arg_name, value in _argument_names(signature_of, args, kwargs)
                 for path, arr in _arrays_in(value, arg_name)]
    before = [(path, arr.copy()) for path, arr in arguments]
    got = call_student(student, *args, name=name, description=c.description,
                       time_limit=time_limit, **kwargs)
    if inputs_unchanged:
        _check_unchanged(before, arguments, name, c.description)
    sizes = {}
    for path, arr in arguments:
        sizes.setdefault(arr.size, f"the number of values in `{path}`")
        if arr.ndim >= 2:
            sizes.setdefault(arr.shape[0], f"the number of rows (the batch size) of `{path}`")
            sizes.setdefault(arr.shape[-1], f"the number of columns of `{path}`")
    check_result(got, expected, f"{name}: wrong result on {c.description}", sizes=sizes,
                 **options)


def check_function(student, reference, cases, *, name: str | None = None,
                   rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
                   check_dtype: bool = False, inputs_unchanged: bool = True,
                   hint: str | None = None,
                   time_limit: float | None = DEFAULT_TIME_LIMIT) -> None:
    """Check `student` against `reference` on every case; raise AssertionError at the first failure.

    Parameters
    ----------
    student, reference : callable
        The student's function and the course_lib one with the same signature.
    cases : list of Case
        Made with `case(...)` or `fresh_case(...)`; each runs on fresh copies of its arguments.
    name : str, optional
        The function's name in messages (default: the reference's name).
    rtol, atol, check_dtype, hint
        As in `check_array`.
    inputs_unchanged : bool
        Require every array argument to be unchanged after the call (switch off for functions
        that update their arguments in place).
    time_limit : float or None
        Seconds a single call may take.
    """
    name = name or getattr(reference, "__name__", "your function")
    for c in cases:
        ref_args, ref_kwargs = c.arguments()
        expected = reference(*ref_args, **ref_kwargs)
        _check_call(student, c, expected, name=name, signature_of=reference,
                    inputs_unchanged=inputs_unchanged, time_limit=time_limit,
                    options=dict(rtol=rtol, atol=atol, check_dtype=check_dtype, hint=hint))


def check_examples(student, examples, *, name: str, rtol: float = DEFAULT_RTOL,
                   atol: float = DEFAULT_ATOL, check_dtype: bool = False,
                   inputs_unchanged: bool = True, hint: str | None = None,
                   time_limit: float | None = DEFAULT_TIME_LIMIT) -> None:
    """Like `check_function`, with known answers instead of a reference function.

    Parameters
    ----------
    examples : list of (Case, expected)
        Each case with the result it must give, e.g. worked out by hand.
    Other parameters as in `check_function`.
    """
    for c, expected in examples:
        _check_call(student, c, expected, name=name, signature_of=student,
                    inputs_unchanged=inputs_unchanged, time_limit=time_limit,
                    options=dict(rtol=rtol, atol=atol, check_dtype=check_dtype, hint=hint))


def check_gradient(analytic, f, x, what: str, *, h: float | None = None,
                   rtol: float | None = None, atol: float | None = None,
                   hint: str | None = None) -> None:
    """Check an analytic gradient against the numerical gradient of `f` at `x`.

    The standard is `course_lib.gradient.gradient_check`'s, the one students use: only a PASS
    passes; the failure message is its report (verdict, criterion, worst elements) and, when the
    numbers show a usual mistake across every element, a hint.

    Parameters
    ----------
    analytic : array_like, same shape as x
        The gradient to check (e.g. from a backward pass).
    f : callable
        f(x) -> float, the function whose gradient `analytic` claims to be.
    x : ndarray
        The point; `f` may close over it (it is perturbed in place and restored).
    what : str
        Names the gradient and the case, e.g. "dW of Affine on a batch of 4 samples".
    h, rtol, atol : float, optional
        As in `gradient_check`; by default its standard for x's precision.
    hint : str, optional
        A topic-specific nudge added to the failure message.
    """
    from course_lib.gradient import gradient_check  # late: checks must import without it
    what = f"{what} (compared with a numerical gradient)"
    hints = [hint] if hint else []
    claimed, _ = _check_form(analytic, np.zeros(np.shape(x)), what, False, hints)
    result = gradient_check(f, x, claimed, h, rtol=rtol, atol=atol, n_worst=3)
    if result:
        return
    _fail(what, str(result).splitlines(),
          _value_hints(claimed, result.numerical, result.rtol, None) + hints)


# -- recorded reference values and computational graphs ---------------------------------------

RECORDED = Path(__file__).resolve().parent / "recorded"


def recorded(name: str) -> dict:
    """Reference values recorded by a script in scripts/ (e.g. PyTorch's gradients), stored as
    course_lib/recorded/<name>.json so that graders find them wherever course_lib is installed."""
    return json.loads((RECORDED / f"{name}.json").read_text())


def describe_node(node) -> str:
    """'the input x (data 3)' or "the '*' node (data 9)", for messages about a graph."""
    data = getattr(node, "data", None)
    value = (f"shape {data.shape}" if isinstance(data, np.ndarray) and data.ndim
             else f"data {float(data):.4g}")
    if getattr(node, "label", ""):
        return f"the node {node.label!r} ({value})"
    if not getattr(node, "parents", ()):
        return f"the constant leaf ({value})"
    return f"the {node.op!r} node ({value})"


def check_topological_order(got, root, what: str, reference_grads: Mapping | None = None,
                            reference: str = "the reference", **options) -> None:
    """Check that `got` lists every node `root` depends on exactly once, each after its parents.

    Parameters
    ----------
    got : list
        What the student's topological sort returned.
    root : Value or Tensor
        The graph's output (it must come last).
    what : str
        Names the function and the case, e.g. "topological_order on x * x".
    reference_grads : mapping leaf node -> gradient, optional
        With it, once every node is listed once, backpropagation runs along `got` and the
        leaves' gradients must equal these (e.g. PyTorch's); an order that breaks the chain rule
        fails here with the numbers, before the order itself is examined.
    reference : str
        Names the source of reference_grads in messages, e.g. "PyTorch's autograd".
    options
        rtol, atol for the comparison with reference_grads, as in `check_array`.
    """
    from course_lib.autograd import backpropagate, topological_order  # late: see check_gradient
    nodes = topological_order(root)
    if not isinstance(got, (list, tuple)):
        _fail(what, [f"expected a list of the graph's {len(nodes)} nodes", f"got {_describe(got)}"],
              ["return a list of nodes, the leaves first and the root last."])
    members = {id(node) for node in nodes}
    strangers = [item for item in got if id(item) not in members]
    if strangers:
        _fail(what, [f"{len(strangers)} of the {len(got)} items returned are not nodes of the "
                     f"graph (the first: {_describe(strangers[0])})"],
              ["return the nodes themselves (not their data or their labels)."])
    counts = {}
    for node in got:
        counts[node] = counts.get(node, 0) + 1
    repeated = [node for node in nodes if counts.get(node, 0) > 1]
    if repeated:
        _fail(what, [f"{describe_node(repeated[0])} appears {counts[repeated[0]]} times"],
              ["list each node once, however many nodes use it: remember which nodes you have "
               "visited already."])
    missing = [node for node in nodes if node not in counts]
    if missing:
        _fail(what, [f"{len(missing)} of the graph's {len(nodes)} nodes are missing, e.g. "
                     f"{describe_node(missing[0])}"],
              ["visit the parents of every node, down to the leaves; the root belongs to the "
               "list too."])
    if reference_grads is not None:
        try:
            along = backpropagate(list(got))
        except ValueError:  # a node came up before its users: the check below says which
            along = None
        for leaf, gradient in ([] if along is None else reference_grads.items()):
            check_array(along[leaf], gradient, f"{what}: backpropagation along this order gives "
                        f"a wrong gradient of {describe_node(leaf)} (compared with {reference})",
                        hint="a node passed its gradient on before all of it had arrived: every "
                             "node must come after all of its parents, so that, walked backwards, "
                             "it comes after every node that uses it.", **options)
    position = {node: i for i, node in enumerate(got)}
    for node in got:
        early = [parent for parent in node.parents if position[parent] > position[node]]
        if early:
            hint = ("the list starts with the root: a node must come after its parents, so "
                    "reverse it." if got[0] is root and len(got) > 1 else
                    "add a node only after all of its parents are added (depth first), not when "
                    "you first meet it.")
            _fail(what, [f"{describe_node(node)} comes before its parent "
                         f"{describe_node(early[0])}"], [hint])


def check_node_gradients(got, expected: Mapping, what: str, **options) -> None:
    """Check a dict node -> gradient against `expected` (the same nodes), node by node.

    Parameters
    ----------
    got : dict
        What the student's backward pass returned.
    expected : dict
        node -> the right gradient, for every node of the graph.
    what : str
        Names the function and the case.
    options
        rtol, atol, hint, as in `check_array`.
    """
    if not isinstance(got, Mapping):
        _fail(what, [f"expected a dict with an entry for each of the {len(expected)} nodes",
                     f"got {_describe(got)}"], ["return a dict: node -> d(root)/d(node)."])
    missing = [node for node in expected if node not in got]
    if missing:
        _fail(what, [f"{len(missing)} of the {len(expected)} nodes have no gradient in the dict, "
                     f"e.g. {describe_node(missing[0])}"],
              ["every node of `order` needs its entry, the root (gradient 1) and the leaves too."])
    for node, gradient in expected.items():
        check_array(got[node], gradient, f"{what}: wrong gradient of {describe_node(node)}",
                    **options)


def _same(a, b) -> bool:
    return a is b or (isinstance(a, float) and isinstance(b, float) and a == b)


@contextmanager
def nodes_left_unchanged(nodes, what: str):
    """Fail if the code run inside changes, adds or removes an attribute of a graph node.

    When a notebook is graded, the student's code receives the grader's nodes as handles that
    cannot be changed; code that marks or fills in the nodes would pass here and fail there.

    Parameters
    ----------
    nodes : list of Value
    what : str
        Names the function and the case, e.g. "topological_order on x * x".
    """
    missing = object()
    before = [dict(vars(node)) for node in nodes]
    yield
    for node, attributes in zip(nodes, before, strict=True):
        now = vars(node)
        changed = sorted(key for key in set(now) | set(attributes)
                         if not _same(now.get(key, missing), attributes.get(key, missing)))
        if changed:
            _fail(what, [f"{describe_node(node)} was changed: {', '.join(changed)}"],
                  ["leave the nodes as they are: keep what you need in a set, list or dict of "
                   "your own."])


def graph_of(expr: str, inputs: Mapping) -> tuple:
    """The graph of a recorded expression, built with `course_lib.autograd.Value`.

    Parameters
    ----------
    expr : str
        Python text, as recorded with PyTorch (e.g. "(a * b + a).tanh()"); the same operators and
        methods build the graph here.
    inputs : mapping name -> float
        The leaves, each labelled with its name.

    Returns
    -------
    root : Value
    leaves : dict name -> Value
    """
    from course_lib.autograd import Value  # late: checks must import without it
    leaves = {name: Value(value, label=name) for name, value in inputs.items()}
    return eval(expr, {}, dict(leaves)), leaves  # our own recorded text, never a student's
