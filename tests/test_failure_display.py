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


TEST_CELL = """\
# Exercise 2 (2 points): tests for tangent_line. Run this cell to check your answer.
from course_lib.checks import case, check_examples

check_examples(tangent_line, [(case("x**2 at 3", lambda x: x**2, 3.0), (6.0, -9.0))],
               name="tangent_line")"""


def test_a_test_cell_run_before_its_answer_names_the_cell_to_run_first():
    before_answer, before_imports, student_typo, plain = run_cells(
        TEST_CELL,
        # np comes from the notebook's first cell
        TEST_CELL.replace("check_examples(tangent_line", "at = np.array([3.0])\ncheck_examples(tangent_line"),
        "def tangent_line(f, a, h=1e-4):\n    return slope_of(f, a), 0.0\n\n" + TEST_CELL,
        "undefined_name + 1")
    text = "\n".join(error_of(before_answer)["traceback"])
    assert "Not run yet\x1b[0m: `tangent_line` is not defined, so these tests cannot run." in text
    assert ("Run the answer cell of Exercise 2 (the cell above that defines `tangent_line`) first"
            in text)
    assert "Traceback" not in text and len(error_of(before_answer)["traceback"]) == 2
    other = "\n".join(error_of(before_imports)["traceback"])
    assert "`np` is not defined" in other and "Run the cells above this one first" in other
    # a NameError inside the student's own function is theirs to read, with its traceback
    typo = "\n".join(error_of(student_typo)["traceback"])
    assert "slope_of" in typo and "Not run yet" not in typo
    assert "Not run yet" not in "\n".join(error_of(plain)["traceback"])
