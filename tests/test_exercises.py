"""course_lib.grading.exercises: what an assignment asks, counted from its source notebook."""
import nbformat
from grading_tools import make_course
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_lib.grading.cli import main
from course_lib.grading.exercises import exercises, solution_lines, summary


def graded(cell, grade_id, *, grade, solution, points=0):
    cell.metadata["nbgrader"] = {"grade": grade, "grade_id": grade_id, "solution": solution,
                                 "locked": not solution, "points": points, "schema_version": 3}
    return cell


def test_solution_lines_count_what_a_student_writes():
    source = ("def f(x):\n    \"\"\"Doc.\"\"\"\n    ### BEGIN SOLUTION\n    # a comment\n\n"
              "    y = x + 1\n    return y\n    ### END SOLUTION\n")
    assert solution_lines(source) == 2
    assert solution_lines("x = 1\n") == 0  # no markers: nothing to write


def test_exercises_pair_answers_with_their_test_cells_and_parts(tmp_path):
    nb = new_notebook(cells=[
        graded(new_code_cell("def f():\n    ### BEGIN SOLUTION\n    a = 1\n    b = 2\n    return a + b"
                             "\n    ### END SOLUTION"), "f", grade=False, solution=True),
        graded(new_code_cell("assert f() == 3"), "test_f_value", grade=True, solution=False,
               points=2),
        graded(new_code_cell("assert f"), "test_f_type", grade=True, solution=False, points=1),
        graded(new_code_cell("assert g"), "test_fg", grade=True, solution=False, points=5),
        graded(new_markdown_cell("### BEGIN SOLUTION\nd/dx x^2 = 2x\n### END SOLUTION"),
               "derive", grade=True, solution=True, points=3),
    ])
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(nb, path)
    auto, written = exercises(path)
    assert (auto.grade_id, auto.kind, auto.solution_lines, auto.points, auto.parts) == \
        ("f", "autograded", 3, 3, 2)  # test_fg belongs to an answer "fg", not to "f"
    assert (written.kind, written.solution_lines, written.points) == ("hand-graded", 1, 3)
    assert summary([auto, written]) == (
        "1 autograded exercises (3 points, 1 in several graded parts) and 1 hand-graded ones "
        "(3 points); solution lengths: median 3 lines, 0 of 1 at 2 lines or fewer (0%).")


def test_the_command_prints_a_table_per_assignment(tmp_path, capsys):
    course = make_course(tmp_path, ["01_derivatives"])
    assert main(["--root", str(course), "exercises", "01_derivatives"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("## 01_derivatives\n\n| notebook | exercise | kind |")
    assert "| 01_derivatives | numerical_derivative | autograded |" in out
    assert "autograded exercises" in out and "All:" not in out
