"""course_lib.grading.exercises: what an assignment asks, counted from its source notebook."""
import nbformat
from grading_tools import ROOT, make_course
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_lib.grading.cli import main
from course_lib.grading.exercises import (
    TASK_LENGTH,
    exercises,
    first_sentence,
    markdown_table,
    solution_lines,
    summary,
)


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


def test_each_exercise_says_what_it_asks_and_counts_its_visible_cases(tmp_path):
    nb = new_notebook(cells=[
        new_markdown_cell("**Derivation (2 points).** Work out, before the plot shows it:\n\n"
                          "1. the error order of the forward difference.\n2. The best step."),
        graded(new_markdown_cell("### BEGIN SOLUTION\nO(h)\n### END SOLUTION"), "derive",
               grade=True, solution=True, points=2),
        new_markdown_cell("Some prose.\n\n**Exercise 1 (3 points).** Write `f(x)`, which returns "
                          "the double of `x` | any shape, e.g. a matrix. More text.\n\n"
                          "- `x` is not changed;\n- the same dtype."),
        graded(new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n"
                             "    ### END SOLUTION"), "f", grade=False, solution=True),
        graded(new_code_cell("from course_lib.checks import case, check_function\n"
                             "# case( in a comment is no case\n"
                             "check_function(f, g, [case('a', 1), case('b', 2)])\n"
                             "assert f(0) == 0\n"
                             "### BEGIN HIDDEN TESTS\nassert f(5) == 10\n### END HIDDEN TESTS"),
               "test_f", grade=True, solution=False, points=3),
        new_markdown_cell("No label here."),
        graded(new_markdown_cell("### BEGIN SOLUTION\nwhy\n### END SOLUTION"), "why",
               grade=True, solution=True, points=1),
    ])
    path = tmp_path / "99_demo.ipynb"
    nbformat.write(nb, path)
    derive, auto, why = exercises(path)
    assert derive.task == "Work out, before the plot shows it: the error order of the forward difference"
    assert (derive.requirements, derive.visible_cases) == (2, 0)
    assert auto.task == r"Write `f(x)`, which returns the double of `x` \| any shape, e.g. a matrix"
    assert (auto.requirements, auto.visible_cases) == (2, 3)  # two cases and one assert, visible
    assert why.task == ""  # the label above belongs to Exercise 1's answer cell, not this one
    table = markdown_table([auto])
    assert table.splitlines()[0].startswith("| notebook | exercise | kind | what the student derives")
    assert table.splitlines()[2].endswith("| 1 | 3 | 1 | 2 | 3 |")


def test_a_long_task_is_cut_between_words_without_an_open_formula():
    text = "Write `g(x)` for " + "a value $x$ of some kind, " * 3 + "$\\frac{1}{2} x^2$ and more words."
    task = first_sentence(text)
    assert task.endswith(" …") and len(task) <= TASK_LENGTH + 2
    assert task.count("$") % 2 == 0 and task.count("`") % 2 == 0


def test_docs_exercises_md_is_what_the_command_prints(capsys):
    """The note's table of exercises cannot drift from the notebooks: regenerate it with
    `python course.py instructor exercises --document > docs/exercises.md`."""
    assert main(["--root", str(ROOT), "exercises", "--document"]) == 0
    printed = capsys.readouterr().out
    assert printed == (ROOT / "docs" / "exercises.md").read_text(encoding="utf-8"), \
        "docs/exercises.md is out of date: python course.py instructor exercises --document > docs/exercises.md"
    assert "## 01_derivatives" in printed and "_ko" not in printed
    assert "\nChapters 01-09: " in printed and "at 2 lines or fewer" in printed.splitlines()[-1]


def test_the_document_takes_no_assignment_names(capsys):
    assert main(["--root", str(ROOT), "exercises", "--document", "01_derivatives"]) == 2
    assert "no NAME" in capsys.readouterr().err
