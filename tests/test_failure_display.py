"""A failed check in a real kernel shows the message and the test's line, not the library's frames."""
from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

from course_lib.failure_display import short_traceback

pytestmark = pytest.mark.slow

FAILING_CHECK = """\
import numpy as np
from course_lib.checks import case, check_function

def mean_rows(x):
    return x.sum(axis=1)  # the student's mistake: a sum, not a mean

check_function(mean_rows, lambda x: x.mean(axis=1), [case("a 2x3 batch", np.ones((2, 3)))],
               name="mean_rows")"""


def run_cells(*sources: str) -> list[dict]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True).execute()
    return [cell.outputs for cell in nb.cells]


def error_of(outputs: list[dict]) -> dict:
    (error,) = [o for o in outputs if o["output_type"] == "error"]
    return error


def test_a_failed_check_shows_the_message_and_the_tests_line_only():
    failing, student_bug, own_assert, after = run_cells(
        FAILING_CHECK,
        "import numpy as np\nnp.ones(2) @ np.ones(3)",
        "assert 1 == 2, 'my own assert'",
        "print('the kernel goes on')")
    error = error_of(failing)
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error["traceback"]))  # without colours
    assert error["ename"] == "AssertionError"
    assert "mean_rows: wrong result on a 2x3 batch" in text
    assert "Test failed (line 7 of this cell: `check_function(mean_rows" in text
    assert "course_lib/checks" not in text and "site-packages" not in text
    assert len(error["traceback"]) <= 8
    # anything not raised by a check keeps IPython's full traceback
    assert "ValueError" in error_of(student_bug)["ename"]
    assert "Test failed" not in "\n".join(error_of(student_bug)["traceback"])
    own = "\n".join(error_of(own_assert)["traceback"])
    assert "my own assert" in own and "Test failed" not in own
    assert after[0]["text"] == "the kernel goes on\n"


def test_short_traceback_ignores_errors_from_outside_the_library():
    try:
        raise AssertionError("not a check")
    except AssertionError as error:
        assert short_traceback(error) is None
    try:
        from course_lib.checks import check_array
        check_array(1.0, 2.0, "a number")
    except AssertionError as error:
        lines = short_traceback(error)
        assert lines[1] == "a number." and "test_failure_display.py" in lines[0]
