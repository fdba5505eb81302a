"""The pure parts of collecting and checking submissions, without nbgrader (fast).

tests/test_instructor_workflow.py runs the same code on real submissions with the real nbgrader;
these tests pin the rules: which LMS file names are read and how, which copy of a submission
counts, how a damaged notebook is repaired, how an over-long output is cut.
"""
from __future__ import annotations

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_lib.autograding import MAX_OUTPUT_CHARACTERS, shorten_outputs
from course_lib.lms_zip import ZipEntry, latest_entries, name_pattern
from course_lib.submission_check import (NOTES_CELL_ID, add_notes, blank_release, grade_id,
                                         keep_last_copies, report_changed_cells,
                                         restore_deleted_cells)

NOTEBOOKS = ["01_derivatives", "derivatives"]


@pytest.mark.parametrize("filename, student, notebook, late, copy", [
    ("doejohn_40213_1650322_01_derivatives.ipynb", "doejohn", "01_derivatives", False, None),
    ("doejohn_LATE_40213_1650322_01_derivatives-2.ipynb", "doejohn", "01_derivatives", True, "2"),
    ("ann.lee_01_derivatives.ipynb", "ann.lee", "01_derivatives", False, None),
    ("kim_7_derivatives.ipynb", "kim", "derivatives", False, None),
])
def test_lms_names_give_student_and_notebook(filename, student, notebook, late, copy):
    match = name_pattern(NOTEBOOKS).match(filename)
    assert (match["student"], match["notebook"], bool(match["late"]), match["copy"]) == \
        (student, notebook, late, copy)


@pytest.mark.parametrize("filename", [
    "Jane Doe_123_assignsubmission_file_01_derivatives.ipynb",  # a space: not a student id
    "01_derivatives.ipynb",                                      # no student
    "doejohn_40213_1650322_02_gradient_descent.ipynb",           # another assignment
    "doejohn_40213_1650322_01_derivatives.py",                   # not a notebook
    "doejohn_40213_1650322_01_derivatives (1).ipynb",            # not Canvas's renaming
])
def test_other_names_are_not_read(filename):
    assert name_pattern(["01_derivatives"]).match(filename) is None


def entry(member: str, day: int, copy: int = 0, student: str = "ann") -> ZipEntry:
    return ZipEntry(member, student, "01_derivatives", False, (2024, 3, day, 9, 0, 0), copy)


def test_the_latest_copy_counts_and_the_others_are_named():
    first, second, third = entry("a", 1), entry("b", 2), entry("c", 2, copy=1)
    other = entry("d", 1, student="bo")
    latest, superseded = latest_entries([third, first, other, second])
    assert latest == [third, other]
    assert superseded == [f"ann handed in 01_derivatives.ipynb 3 times: {m} is older than c and "
                          f"was not used" for m in ("a", "b")]


# -- repairs ----------------------------------------------------------------------------------

def graded(cell, name: str, **meta):
    cell.metadata["nbgrader"] = {"grade_id": name, **meta}
    return cell


def release():
    return new_notebook(cells=[
        new_markdown_cell("# intro"),
        graded(new_code_cell("def f():\n    raise NotImplementedError()"), "f", solution=True),
        graded(new_code_cell("assert f() == 1"), "test_f", grade=True, locked=True, points=1),
        graded(new_markdown_cell("YOUR ANSWER HERE"), "why", grade=True, solution=True),
        graded(new_code_cell("def g():\n    raise NotImplementedError()"), "g", solution=True),
        graded(new_code_cell("assert g() == 2"), "test_g", grade=True, locked=True, points=1),
    ])


def ids(notebook) -> list:
    return [grade_id(c) for c in notebook.cells]


def test_only_the_last_copy_of_a_graded_cell_stays_graded():
    notebook = release()
    copy = nbformat.from_dict(notebook.cells[2])
    copy.source = "assert f() == 1  # my copy"
    notebook.cells.insert(3, copy)
    notes = keep_last_copies(notebook)
    assert ids(notebook) == [None, "f", None, "test_f", "why", "g", "test_g"]
    assert notebook.cells[3].source.endswith("# my copy")
    assert notes == ["The cell `test_f` appears 2 times in your notebook. Only the last copy is "
                     "graded; the others ran as ordinary cells."]


def test_deleted_cells_come_back_in_their_place():
    notebook = release()
    del notebook.cells[4:6]  # the answer g and its test
    del notebook.cells[2]    # the test of f
    notes = restore_deleted_cells(notebook, release())
    assert ids(notebook) == ids(release())
    assert notebook.cells[4].source == release().cells[4].source  # g comes back blank
    assert notes == [
        "The test cell `test_f` was deleted from your notebook; it was put back as released.",
        "The answer cell `g` was deleted from your notebook; it was put back blank, so its tests "
        "fail.",
        "The test cell `test_g` was deleted from your notebook; it was put back as released."]


def test_changed_type_and_edited_tests_are_reported():
    notebook = release()
    notebook.cells[1] = graded(new_markdown_cell("def f(): return 1"), "f", solution=True)
    notebook.cells[5].source = "pass"
    notebook.cells[2].source += "\n"  # trailing white space is no edit
    assert report_changed_cells(notebook, release()) == [
        "The answer cell `f` was changed from a code cell to a markdown cell; it was graded as "
        "a code cell.",
        "The test cell `test_g` was edited; it was graded with the original text."]


def test_notes_go_into_one_cell_at_the_top(tmp_path):
    notebook = add_notes(release(), ["first"])
    add_notes(notebook, ["second"])
    assert notebook.cells[0].id == NOTES_CELL_ID and len(notebook.cells) == len(release().cells) + 1
    assert notebook.cells[0].source.endswith("- first\n- second")
    unchanged = release()
    assert add_notes(unchanged, []) is unchanged and len(unchanged.cells) == 6


def test_blank_release_keeps_the_written_answers(tmp_path):
    path = tmp_path / "release.ipynb"
    nbformat.write(release(), path)
    student = release()
    student.cells[3].source = "Because of round-off."
    student.cells[1].source = "def f():\n    return 1"
    blank = blank_release(path, student)
    assert blank.cells[3].source == "Because of round-off."
    assert blank.cells[1].source == release().cells[1].source


def test_long_outputs_are_cut_and_short_ones_kept():
    long_text = "x" * (MAX_OUTPUT_CHARACTERS + 5)
    cell = new_code_cell("", outputs=[
        new_output("stream", name="stdout", text=long_text),
        new_output("execute_result", data={"text/plain": long_text, "image/png": "iVBOR"},
                   execution_count=1),
        new_output("stream", name="stderr", text="short")])
    assert shorten_outputs(cell) == [len(long_text), len(long_text)]
    assert cell.outputs[0].text == (f"{'x' * MAX_OUTPUT_CHARACTERS}\n... output cut: "
                                    f"{len(long_text):,} characters in all ...")
    assert cell.outputs[1].data["image/png"] == "iVBOR" and cell.outputs[2].text == "short"
