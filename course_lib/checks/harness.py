"""Calling the student's code: a time limit, and every way a call goes wrong in plain words."""
from __future__ import annotations

import inspect
import signal
import threading
import traceback
from contextlib import contextmanager

from course_lib.language import _

DEFAULT_TIME_LIMIT = 10.0  # seconds per call of a student function


class _TimeUp(BaseException):
    """Raised in the student's code when its time is up.

    A BaseException, so that `except Exception` in a student's loop does not swallow it; raised
    again every 50 ms until the call returns, and a call that caught it anyway still fails.
    """


@contextmanager
def _time_limit(seconds: float | None):
    """Raise _TimeUp after `seconds` and every 50 ms after that (Unix main thread only; elsewhere
    no limit). Yields a dict whose "fired" is True once the time was up.
    """
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
    if last.line:
        return _(" (in {function}, line {line}: `{code}`)").format(
            function=last.name, line=last.lineno, code=last.line.strip())
    return _(" (in {function}, line {line})").format(function=last.name, line=last.lineno)


def call_student(fn, *args, name: str, description: str, expected_error=None,
                 time_limit: float | None = DEFAULT_TIME_LIMIT, **kwargs):
    """Call `fn(*args, **kwargs)` as a test does and return its result.

    Every way the call can go wrong becomes an AssertionError in plain words: not implemented
    yet, wrong parameters, an exception, too slow. With `expected_error` (an exception class)
    the call must raise it; the exception is returned.
    """
    if not callable(fn):
        raise AssertionError(_("{name}: expected a function, got {type}; run the cell that "
                               "defines {name} first.").format(name=name,
                                                               type=type(fn).__name__))
    try:
        inspect.signature(fn).bind(*args, **kwargs)
    except TypeError as error:
        raise AssertionError(_("{name} cannot be called the way the exercise describes "
                               "({error}); keep the parameters given in the exercise.").format(
                                   name=name, error=error)) from None
    except ValueError:  # some builtins have no signature; just call them
        pass
    too_slow = AssertionError(_("{name} did not finish within {seconds} s on {case}: is there "
                                "an endless loop?").format(name=name, case=description,
                                                           seconds=f"{time_limit or 0:g}"))
    clock = {"fired": False}
    try:
        with _time_limit(time_limit) as clock:
            result = fn(*args, **kwargs)
    except NotImplementedError:
        raise AssertionError(_("{name} is not implemented yet: replace "
                               "`raise NotImplementedError()` with your code.").format(
                                   name=name)) from None
    except _TimeUp:
        raise too_slow from None
    except Exception as error:
        if clock["fired"]:  # caught the time limit, then failed in another way
            raise too_slow from None
        if expected_error is not None and isinstance(error, expected_error):
            return error
        raise AssertionError(_("{name} raised {error_type}: {error}\n  on {case}{where}").format(
            name=name, error_type=type(error).__name__, error=error, case=description,
            where=_student_line(error.__traceback__))) from None
    if clock["fired"]:  # the student's code caught the time limit and returned anyway
        raise too_slow
    if expected_error is not None:
        raise AssertionError(_("{name} should have raised {error_type} on {case}, but it "
                               "returned normally.").format(name=name, case=description,
                                                            error_type=expected_error.__name__))
    return result
