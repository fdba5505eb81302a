"""The pure parts of collecting and checking submissions, without nbgrader (fast).

tests/test_instructor_workflow.py runs the same code on real submissions with the real nbgrader;
these tests pin the rules: which LMS file names are read and how, which copy of a submission
counts, how a damaged notebook is repaired, how an over-long output is cut, how the student's
text is shown in notes, pages and terminals.
"""
from __future__ import annotations

import os
import socket

import nbformat
import pytest
from nbconvert.filters import markdown2html
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_lib.grading.autograding import (
    MAX_OUTPUT_CHARACTERS,
    remove_special_files,
    shorten_outputs,
)
from course_lib.grading.lms_zip import ZipEntry, latest_entries, name_pattern
from course_lib.grading.nbgrader_plugins import safe_html
from course_lib.grading.submission_check import (
    NOTES_CELL_ID,
    add_notes,
    blank_release,
    grade_id,
    keep_last_copies,
    nbgrader_file_problem,
    quoted,
    read_small_file,
    report_changed_cells,
    restore_deleted_cells,
    without_control_characters,
)

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


# -- the student's text, shown safely ---------------------------------------------------------

@pytest.mark.parametrize("text", ["<img src=x onerror=alert(1)>", "a`<b>`b", "``<i>x</i>```",
                                  "`<script>", " <b> ", ""])
def test_quoted_text_is_never_html_in_a_note(text):
    rendered = markdown2html(f"- see {quoted(text)}.")
    assert rendered.count("<code>") == 1 and "<b>" not in rendered and "<i>" not in rendered
    assert "<img" not in rendered and "<script" not in rendered
    inside = rendered[rendered.index("<code>") + 6:rendered.index("</code>")]
    assert inside.replace("&lt;", "<").replace("&gt;", ">").strip() == text.strip()


def test_control_characters_are_written_out():
    assert without_control_characters("a\x1b[31mb\u202ec\r\nd\te") == \
        "a\\x1b[31mb\\u202ec\\r\\nd\\te"
    assert without_control_characters("one\ntwo\x07", keep_newlines=True) == "one\ntwo\\x07"
    assert without_control_characters("번역 ok") == "번역 ok"


def test_only_small_ordinary_files_are_read(tmp_path):
    (tmp_path / "ok.txt").write_text("2024-03-01 10:00:00 UTC")
    os.mkfifo(tmp_path / "pipe")  # reading it would wait for ever
    os.symlink(tmp_path / "ok.txt", tmp_path / "link")
    (tmp_path / "big").write_bytes(b"x" * 5000)
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(tmp_path / "sock"))
        assert read_small_file(tmp_path / "ok.txt", 100) == b"2024-03-01 10:00:00 UTC"
        for name, reason in (("pipe", "a named pipe"), ("link", "a symbolic link"),
                             ("sock", "a socket"), ("big", "more than 100 bytes")):
            with pytest.raises(ValueError, match=reason):
                read_small_file(tmp_path / name, 100)
        assert remove_special_files(tmp_path) == ["`pipe` (a named pipe)", "`sock` (a socket)"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big", "link", "ok.txt"]


@pytest.mark.parametrize("text, problem", [
    (b"2024-03-01 10:00:00.123456 UTC", None),
    (b"2024-03-01 10:00:00 +0900", None),
    (b"", None),  # nbgrader ignores an empty one itself
    (b"next tuesday", "ParserError"),
    (b"99999999999999999999", "OverflowError"),
    (b"\xff\xfe2024", "UnicodeDecodeError"),
])
def test_a_timestamp_is_used_only_when_nbgrader_can_read_it(text, problem):
    found = nbgrader_file_problem("timestamp.txt", text)
    assert (found if found is None else found.split(":")[0]) == problem


def test_feedback_html_keeps_markup_and_shows_scripts_as_text():
    page = ('<div class="cell"><h2 id="x">Title</h2><p><code>f(x)</code> <a href="#top">top</a>'
            '<img src="data:image/png;base64,iVBOR" alt="plot"></p>'
            '<script>alert(1)</script><img src="https://tracker.example/x.png" onerror="alert(2)">'
            '<a href="javascript:alert(3)">x</a><iframe src="data:text/html,hi"></iframe></div>')
    assert safe_html(page) == (
        '<div class="cell"><h2 id="x">Title</h2><p><code>f(x)</code> <a href="#top">top</a>'
        '<img src="data:image/png;base64,iVBOR" alt="plot"></p>'
        '&lt;script&gt;alert(1)&lt;/script&gt;<img>'
        '<a>x</a>&lt;iframe src="data:text/html,hi"&gt;&lt;/iframe&gt;</div>')
