"""How a failed check looks in a notebook: the plain message and the test's own line, no library frames.

A failing check raises AssertionError with a message written for the student. IPython would
print it under the full traceback, which runs through several frames of `course_lib` before the
message: the first screen a student sees would be library code. `install()` registers an IPython
handler that shows, for an AssertionError raised inside `course_lib`, only

    Test failed (line 12 of this cell: `check_function(mean_rows, ...)`):
    mean_rows: wrong result on a batch of 3 samples.
      ...

A test cell run before its answer cell stops with a NameError at its first call. Then, instead
of the bare error, it says which cell to run first:

    Not run yet: `tangent_line` is not defined, so these tests cannot run.
    Run the answer cell of Exercise 2 (the cell above that defines `tangent_line`) first, then
    this test cell again.

Everything else (a student's own error, an assert in a test cell) keeps IPython's usual
traceback. Outside IPython (pytest, scripts) nothing changes. Both displays speak the checks'
language (course_lib.language): Korean in a Korean edition.
"""
from __future__ import annotations

import linecache
import re
import traceback
from pathlib import Path

from course_lib.language import _

LIBRARY = Path(__file__).resolve().parent
# the first line of every test cell, "# Exercise 2 (2 points): tests for tangent_line. ..." in
# English, "# 연습 문제 2 (2점): tangent_line의 테스트. ..." in a Korean edition; a cell that grades
# one part of an exercise names the part: "# Exercise 1, the loss (2 points): tests for ..."
TEST_CELL_HEADER = re.compile(r"#\s*(?:Exercise|연습\s*문제)\s+([\w.]+)(?:,[^(]*)?\s*\([^)]*\):\s*"
                              r"(?:tests? for ([^.]*)|(.*?)의 테스트)")
PYTHON_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _red(text: str) -> str:
    return f"\x1b[31m{text}\x1b[0m"


def _in_library(filename: str) -> bool:
    try:
        return Path(filename).resolve().is_relative_to(LIBRARY)
    except (OSError, ValueError):
        return False


def _is_cell(filename: str) -> bool:
    return "ipykernel" in filename or filename.startswith("<")


def not_run_yet(value: BaseException) -> list[str] | None:
    """The lines to show for a NameError raised by a test cell itself, or None for any other
    error (a NameError inside a student's function is the student's own to read).
    """
    frames = traceback.extract_tb(value.__traceback__)
    if not isinstance(value, NameError) or not frames or not _is_cell(frames[-1].filename):
        return None
    header = TEST_CELL_HEADER.match((linecache.getlines(frames[-1].filename) or [""])[0].strip())
    if header is None or not value.name:
        return None
    exercise, tested = header.group(1), PYTHON_NAME.findall(header.group(2) or header.group(3))
    name = value.name
    if name in tested:
        advice = _("Run the answer cell of Exercise {exercise} (the cell above that defines "
                   "`{name}`) first, then this test cell again.").format(exercise=exercise,
                                                                         name=name)
    else:
        advice = _("Run the cells above this one first (menu Run > Run All Above Selected "
                   "Cell), then this test cell again.")
    return [_("{not_run_yet}: `{name}` is not defined, so these tests cannot run.").format(
        not_run_yet=_red(_("Not run yet")), name=name), advice]


def short_traceback(value: BaseException) -> list[str] | None:
    """The lines to show for `value`, or None when it did not come from a course_lib check."""
    frames = traceback.extract_tb(value.__traceback__)
    if not isinstance(value, AssertionError) or not frames or not _in_library(frames[-1].filename):
        return None
    outside = [f for f in frames if not _in_library(f.filename)]
    where = ""
    if outside:
        line = outside[-1]
        fields = dict(line=line.lineno, code=(line.line or "").strip(),
                      file=Path(line.filename).name)
        if _is_cell(line.filename):
            where = (_(" (line {line} of this cell: `{code}`)") if line.line
                     else _(" (line {line} of this cell)")).format(**fields)
        else:
            where = (_(" ({file}, line {line}: `{code}`)") if line.line
                     else _(" ({file}, line {line})")).format(**fields)
    return [_("{test_failed}{where}:").format(test_failed=_red(_("Test failed")), where=where),
            *str(value).splitlines()]


def _handler(shell, etype, value, tb, tb_offset=None):
    lines = short_traceback(value) or not_run_yet(value)
    if lines is None:
        return shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    shell._showtraceback(etype, value, lines)
    return lines


def install() -> bool:
    """Register the short display in the running IPython kernel; False when there is none."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((AssertionError, NameError), _handler)
    return True
