"""Checking a student's function on cases: fresh inputs, unchanged inputs, the result compared."""
from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Mapping

import numpy as np

from course_lib.checks.cases import Case
from course_lib.checks.compare import (
    DEFAULT_ATOL,
    DEFAULT_RTOL,
    ValueMismatch,
    _check_count,
    _check_form,
    _check_result,
    _fail,
    _format_number,
    _index,
    check_result,
)
from course_lib.checks.harness import DEFAULT_TIME_LIMIT, call_student
from course_lib.checks.hints import Evidence, value_hints
from course_lib.language import N_, _

KEEPS_STATE_HINT = N_("the function keeps something from an earlier call: compute every result "
                      "from the arguments alone.")


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


_POSITIONAL = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def _argument_names(functions, args: tuple, kwargs: dict) -> list[tuple[str, object]]:
    """(name, value) of each argument, positional ones named by the first of `functions` whose
    signature names them all (the student's function first: messages use the student's names).
    """
    for function in functions:
        try:
            parameters = inspect.signature(function).parameters.values()
        except (TypeError, ValueError):
            continue
        names = [p.name for p in parameters if p.kind in _POSITIONAL]
        if len(names) >= len(args):
            return list(zip(names[:len(args)], args, strict=True)) + list(kwargs.items())
    return ([(_("argument {number}").format(number=i + 1), a) for i, a in enumerate(args)]
            + list(kwargs.items()))


def _check_unchanged(before, arguments, name: str, description: str) -> None:
    for (path, old), (_same_path, new) in zip(before, arguments, strict=True):
        if old.shape != new.shape:
            detail = _("its shape changed from {before} to {after}").format(before=old.shape,
                                                                             after=new.shape)
        elif not np.array_equal(old, new, equal_nan=True):
            same = old == new
            if old.dtype.kind == "f":
                same |= np.isnan(old) & np.isnan(new)
            changed = np.flatnonzero(~same)
            i = int(changed[0])
            detail = _("{count} of {size} values differ after the call (at index {index} it "
                       "was {before}, now {after})").format(
                           count=changed.size, size=old.size, index=_index(i, old.shape),
                           before=_format_number(old.flat[i], new.flat[i]),
                           after=_format_number(new.flat[i], old.flat[i]))
        else:
            continue
        _fail(_("{name} changed its input `{input}` on {case}").format(
                  name=name, input=path, case=description), [detail],
              [_("a function must leave its inputs as it found them: if you change a value "
                 "temporarily, put the old value back before moving on.")])


def _returned_value(got, expected: tuple, returned: tuple[int, str], what: str):
    """Returned value `returned[0]` of a tuple result, once the tuple has the expected length."""
    _check_count(got, expected, what)
    return got[returned[0]], expected[returned[0]]


def _wrong_result(name: str, description: str) -> str:
    return _("{name}: wrong result on {case}").format(name=name, case=description)


def _check_call(student, c: Case, expected, *, name: str, named_by: tuple, inputs_unchanged: bool,
                time_limit, options: dict, returned: tuple[int, str] | None = None) -> None:
    """Run one case on fresh arguments and compare the result (or one returned value of it, see
    `check_function`) with `expected`.
    """
    args, kwargs = c.arguments()
    arguments = [(path, arr) for arg_name, value in _argument_names(named_by, args, kwargs)
                 for path, arr in _arrays_in(value, arg_name)]
    before = [(path, arr.copy()) for path, arr in arguments]
    got = call_student(student, *args, name=name, description=c.description,
                       time_limit=time_limit, **kwargs)
    if inputs_unchanged:
        _check_unchanged(before, arguments, name, c.description)
    sizes = {}
    for path, arr in arguments:
        sizes.setdefault(arr.size, _("the number of values in `{input}`").format(input=path))
        if arr.ndim >= 2:
            sizes.setdefault(arr.shape[0], _("the number of rows (the batch size) of "
                                             "`{input}`").format(input=path))
            sizes.setdefault(arr.shape[-1], _("the number of columns of `{input}`").format(
                input=path))
    what = _wrong_result(name, c.description)
    if returned is not None:
        got, expected = _returned_value(got, expected, returned, what)
        what = _("{name}: wrong {part} (returned value {number}) on {case}").format(
            name=name, part=returned[1], number=returned[0] + 1, case=c.description)
    _check_result(got, expected, what, sizes=sizes, **options)


def _run_cases(runs: list[Callable[[], None]]) -> None:
    """Run the cases in order; at the first whose values differ, run the rest as well, so that
    its hint is one that explains every failing case (or there is none).
    """
    for i, run in enumerate(runs):
        try:
            run()
        except ValueMismatch as first:
            others = []
            for later in runs[i + 1:]:
                try:
                    later()
                except ValueMismatch as other:
                    if other.part != first.part:
                        others = None
                        break
                    others.append(other)
                except AssertionError:  # failed in another way: no diagnosis explains both
                    others = None
                    break
            raise first.with_evidence(others) from None


def check_function(student, reference, cases, *, name: str | None = None,
                   rtol: float = DEFAULT_RTOL, atol: float = DEFAULT_ATOL,
                   check_dtype: bool = False, inputs_unchanged: bool = True,
                   hint: str | None = None,
                   time_limit: float | None = DEFAULT_TIME_LIMIT,
                   returned: tuple[int, str] | None = None) -> None:
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
    returned : (int, str), optional
        Compare only one value of a tuple result, e.g. (1, "the gradient dx"), so that the parts
        of an exercise can be graded (and earn points) one by one.
    """
    name = name or getattr(reference, "__name__", None) or _("your function")
    options = dict(rtol=rtol, atol=atol, check_dtype=check_dtype, hint=hint)

    def run(c: Case):
        ref_args, ref_kwargs = c.arguments()
        expected = reference(*ref_args, **ref_kwargs)
        _check_call(student, c, expected, name=name, named_by=(student, reference),
                    inputs_unchanged=inputs_unchanged, time_limit=time_limit, options=options,
                    returned=returned)

    _run_cases([lambda c=c: run(c) for c in cases])


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
    options = dict(rtol=rtol, atol=atol, check_dtype=check_dtype, hint=hint)
    _run_cases([lambda c=c, expected=expected: _check_call(
        student, c, expected, name=name, named_by=(student,), inputs_unchanged=inputs_unchanged,
        time_limit=time_limit, options=options) for c, expected in examples])


def check_calls_independent(student, reference, first: Case, second: Case, *, name: str,
                            returned: tuple[int, str] | None = None, **options) -> None:
    """Two calls must not share state, as real code calls a function again and again.

    The result of a call on `first` must still be right after a call on `second` (a function
    that returns a buffer it overwrites on the next call fails here), and a repeated call on
    `first` must give it again (a function that keeps state between calls fails here).

    Parameters
    ----------
    student, reference : callable
    first, second : Case
        Two cases with different results.
    name : str
    returned : (int, str), optional
        As in `check_function`.
    options
        rtol, atol, check_dtype, as in `check_array`.
    """
    def expected_of(c: Case):
        args, kwargs = c.arguments()
        result = reference(*args, **kwargs)
        return result if returned is None else result[returned[0]]

    def called(c: Case):
        args, kwargs = c.arguments()
        got = call_student(student, *args, name=name, description=c.description, **kwargs)
        what = _wrong_result(name, c.description)
        if returned is None:
            return got
        reference_args, reference_kwargs = c.arguments()
        return _returned_value(got, reference(*reference_args, **reference_kwargs), returned,
                               what)[0]

    kept = called(first)
    kept_copy = copy.deepcopy(kept)
    cases = dict(name=name, first=first.description, second=second.description)
    check_result(called(second), expected_of(second),
                 _("{name}: wrong result on {second}, called after {first}").format(**cases),
                 hint=_(KEEPS_STATE_HINT), **options)
    check_result(kept, expected_of(first),
                 _("{name}: the result of the call on {first} changed when the function was "
                   "called again, on {second}").format(**cases),
                 hint=_("return a new array from every call, not one the next call overwrites "
                        "(e.g. a buffer kept outside the function)."), **options)
    check_result(called(first), kept_copy if returned is None else expected_of(first),
                 _("{name}: a second call on {first} gives another result").format(**cases),
                 hint=_(KEEPS_STATE_HINT), **options)


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
    what = _("{what} (compared with a numerical gradient)").format(what=what)
    hints = [hint] if hint else []
    claimed = _check_form(analytic, np.zeros(np.shape(x)), what, False, hints)[0]
    result = gradient_check(f, x, claimed, h, rtol=rtol, atol=atol, n_worst=3)
    if result:
        return
    _fail(what, str(result).splitlines(),
          value_hints([Evidence(claimed, result.numerical)], result.rtol) + hints)
