"""Calling the student's code: a time limit, and every way a call goes wrong in plain words."""
from __future__ import annotations

import inspect
import signal
import threading
import traceback
from contextlib import contextmanager

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
