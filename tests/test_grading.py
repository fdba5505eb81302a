"""Real nbgrader grading of every assignment, in a temporary copy of the course.

Two submissions per assignment go through `nbgrader autograde`: the solution notebook (full
autograded marks, no cell fails) and the untouched student notebook (it runs; only test cells
fail, each with a checks message; 0 points). Feedback for the untouched notebook must not show the
hidden tests. A last test sends badly behaved and tampered submissions through grading.
"""
from __future__ import annotations

import os
import time

import nbformat
import pytest
from grading_tools import (
    assignments,
    grade_id,
    hidden_test_lines,
    is_test,
    make_course,
    nbgrader,
    nbgrader_meta,
    read,
    record_timing,
    source_notebook,
    visible_text,
)
from nbgrader.api import Gradebook

from course_lib import fonts
from course_lib.grading import translation

pytestmark = pytest.mark.slow
NAMES = assignments()
COURSE_ID = "dl-foundations"
KOREAN = [name for name in NAMES if name.endswith(translation.SUFFIX)]


class GradedCourse:
    """A temporary course; each assignment is autograded once, on first use."""

    def __init__(self, root):
        self.root = root
        self.done: set[str] = set()

    def submit(self, student: str, name: str, notebook) -> None:
        folder = self.root / "submitted" / student / name
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, folder / f"{name}.ipynb")

    def autograde(self, name: str) -> None:
        if name in self.done:
            return
        nbgrader(self.root, "generate_assignment", name, "--force")  # the gradebook needs it
        self.submit("solution", name, read(source_notebook(name)))
        self.submit("untouched", name, read(self.release(name)))
        start = time.perf_counter()
        nbgrader(self.root, "autograde", name, "--force")
        record_timing(name, "nbgrader autograde, 2 submissions (s)", time.perf_counter() - start)
        self.done.add(name)

    def release(self, name: str):
        """The student notebook nbgrader generated in this course (test_release compares it
        with notebooks/)."""
        return self.root / "notebooks" / name / f"{name}.ipynb"

    def graded(self, student: str, name: str):
        return read(self.root / "autograded" / student / name / f"{name}.ipynb")

    def test_grades(self, student: str, name: str) -> dict[str, tuple[float, float]]:
        """grade_id -> (auto_score, max_score) of every autograded test cell."""
        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}", COURSE_ID) as gb:
            notebook = gb.find_submission_notebook(name, name, student)
            return {g.name: (g.auto_score, g.max_score) for g in notebook.grades
                    if g.cell_type == "code"}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return GradedCourse(make_course(tmp_path_factory.mktemp("graded_course"), NAMES))


def errors(cell) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error"]


@pytest.mark.parametrize("name", NAMES)
def test_solution_runs_and_gets_full_autograded_marks(course, name):
    course.autograde(name)
    failed = {cell.id: errors(cell) for cell in course.graded("solution", name).cells
              if errors(cell)}
    assert not failed, f"{name}: the solution notebook fails in cells {failed}"
    grades = course.test_grades("solution", name)
    expected = {grade_id(c) for c in read(source_notebook(name)).cells if is_test(c)}
    assert set(grades) == expected
    short = {g: score for g, score in grades.items() if score[0] != score[1]}
    assert not short, f"{name}: the solution loses points (score, max): {short}"


@pytest.mark.parametrize("name", NAMES)
def test_untouched_release_runs_and_scores_zero(course, name):
    course.autograde(name)
    for cell in course.graded("untouched", name).cells:
        if is_test(cell):
            assert errors(cell), f"{grade_id(cell)} passes on the untouched stub"
            assert all(e.startswith("AssertionError") for e in errors(cell)), \
                f"{grade_id(cell)} fails on the stub without a checks message: {errors(cell)}"
        else:
            assert not errors(cell), (f"{name}: cell {cell.id} fails in the untouched student "
                                      f"notebook (demo cells must not need the student's code): "
                                      f"{errors(cell)}")
    grades = course.test_grades("untouched", name)
    assert all(score == 0 for score, _ in grades.values()), f"{name}: stub earns points {grades}"


@pytest.mark.parametrize("name", NAMES)
def test_feedback_shows_messages_but_no_hidden_tests(course, name):
    course.autograde(name)
    nbgrader(course.root, "generate_feedback", name, "--student", "untouched", "--force")
    text = visible_text((course.root / "feedback" / "untouched" / name / f"{name}.html").read_text())
    source = read(source_notebook(name))
    leaked = [line for line in hidden_test_lines(source) if line in text]
    assert not leaked, f"{name}: the feedback shows hidden test lines: {leaked[:5]}"
    tests = [c for c in source.cells if is_test(c)]
    if tests:
        # the checks speak the notebook's language
        assert ("아직 구현되지 않았습니다" if name in KOREAN else "is not implemented yet") in text
        first_visible_line = tests[0].source.splitlines()[1].strip()
        assert first_visible_line in text, "feedback should show the visible tests"
        assert "most recent call last" not in text, "a traceback in the feedback"


@pytest.mark.parametrize("name", KOREAN)
def test_korean_figures_have_every_glyph(course, name):
    """The graded solution's figures, drawn by the kernel as a student's would be: matplotlib
    warns for each Hangul glyph its font lacks (a notebook that plots must set the font up with
    course_lib.fonts.use_hangul_font, which importing course_lib.plotting does)."""
    if fonts.hangul_font() is None:
        if os.environ.get("COURSE_REQUIRE_HANGUL_FONT") == "1":
            pytest.fail(f"COURSE_REQUIRE_HANGUL_FONT=1 but {fonts.INSTALL_HINT}")
        pytest.skip(fonts.INSTALL_HINT)
    course.autograde(name)
    graded = course.graded("solution", name)
    assert any("image/png" in output.get("data", {}) for cell in graded.cells
               for output in cell.get("outputs", [])), f"{name}: no figure was drawn"
    boxes = [cell.id for cell in graded.cells for output in cell.get("outputs", [])
             if "missing from font" in output.get("text", "")]
    assert not boxes, f"{name}: Hangul drawn as boxes in cells {sorted(set(boxes))}"


def replace_answer(nb, answer_id: str, source: str):
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == answer_id:
            cell.source = source
    return nb


@pytest.mark.parametrize("name", ["01_derivatives"])  # it uses the exercises of this notebook
def test_bad_and_tampered_submissions_get_a_clear_grade(tmp_path, name):
    """An endless loop, a huge print and edited or deleted test cells cost only their own points."""
    course = GradedCourse(make_course(tmp_path, [name]))
    nbgrader(course.root, "generate_assignment", name, "--force")

    bad = read(source_notebook(name))
    replace_answer(bad, "numerical_derivative",
                   "def numerical_derivative(f, x, h=1e-4):\n    while True:\n        pass")
    for cell in bad.cells:
        if nbgrader_meta(cell).get("grade_id") == "tangent_line":
            cell.source += "\nfor i in range(100_000):\n    print('debug', i)"
    replace_answer(bad, "directional_derivative", "while True:\n    pass")
    course.submit("bad", name, bad)

    tampered = read(course.release(name))
    tests = [c for c in tampered.cells if is_test(c)]
    for cell in tests:
        cell.source = "pass"
    tampered.cells.remove(tests[0])
    course.submit("tampered", name, tampered)

    start = time.perf_counter()
    nbgrader(course.root, "autograde", name, "--force", "--Execute.timeout=15")
    record_timing(name, "autograde of the bad and tampered submissions (s)",
                  time.perf_counter() - start)

    bad_grades = course.test_grades("bad", name)
    assert {g: s for g, (s, _) in bad_grades.items()} == {
        "test_numerical_derivative": 0, "test_tangent_line": 2,
        "test_numerical_gradient": 3, "test_directional_derivative": 0}
    graded = {c.id: c for c in course.graded("bad", name).cells}
    assert "did not finish within 10 s" in errors(graded["test_numerical_derivative"])[0]
    printed = "".join(o.get("text", "") for o in graded["tangent_line"].outputs)
    assert printed.count("\n") < 300 and "Output truncated" in printed

    tampered_grades = course.test_grades("tampered", name)
    assert set(tampered_grades) == {grade_id(c) for c in tests}
    assert all(score == 0 for score, _ in tampered_grades.values())
    restored = {grade_id(c): c.source for c in course.graded("tampered", name).cells if is_test(c)}
    assert set(restored) == {grade_id(c) for c in tests}, "the deleted test cell is not back"
    assert all("check_" in source for source in restored.values())
