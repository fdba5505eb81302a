"""Wrong answers graded the way students are: through `nbgrader autograde` and the trusted judge.

tests/test_wrong_answers.py runs every variant in one live kernel, where the test cell and the
answer share a process. Graded, the test cell runs in the judge and reaches the answer over the
wire (handles, mirrored arrays), which is where a check can go blind (an in-place change that
does not travel) or break (isinstance on a handle). Here, per chapter, a few submissions are the
solution with one variant in every answer cell: the k-th typical wrong answer (each must lose
points in its own test cells) or the first differently written correct one (full marks).
Chapters 06-09 for now.
"""
from __future__ import annotations

import nbformat
import pytest
from grading_tools import grade_id, is_answer, make_course, nbgrader, read, source_notebook
from nbgrader.api import Gradebook
from test_wrong_answers import load_answers

pytestmark = pytest.mark.slow
COURSE_ID = "dl-foundations"
CHAPTERS = ["06_minibatch", "07_optimizers", "08_backprop", "09_mnist"]
WRONG_PER_ANSWER = 2  # submissions "wrong-0" and "wrong-1": the first two wrong answers of each cell


def submission(name: str, kind: str, k: int):
    """The solution notebook with variant k of `kind` in every answer cell (the solution where an
    answer has fewer variants); the answer ids that were replaced."""
    nb = read(source_notebook(name))
    answers, replaced = load_answers(name), []
    for cell in nb.cells:
        variants = list(answers.get(grade_id(cell), {}).get(kind, {}).values()) if is_answer(cell) else []
        if k < len(variants):
            cell.source = variants[k]
            replaced.append(grade_id(cell))
    return nb, replaced


def scores(course, name: str, student: str) -> dict[str, tuple[float, float]]:
    """grade_id -> (auto_score, max_score) of every autograded test cell of the submission."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        notebook = gb.find_submission_notebook(name, name, student)
        return {g.name: (g.auto_score, g.max_score) for g in notebook.grades if g.cell_type == "code"}


@pytest.mark.parametrize("name", CHAPTERS)
def test_wrong_answers_lose_points_when_graded(tmp_path, name):
    course = make_course(tmp_path, [name])
    nbgrader(course, "generate_assignment", name, "--force")
    replaced = {}
    students = [("correct-0", "correct", 0)] + [(f"wrong-{k}", "wrong", k) for k in range(WRONG_PER_ANSWER)]
    for student, kind, k in students:
        nb, replaced[student] = submission(name, kind, k)
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    nbgrader(course, "autograde", name, "--force")
    answers = load_answers(name)

    graded = scores(course, name, "correct-0")
    assert replaced["correct-0"], f"{name}: no correct variants to grade"
    lost = {test: score for test, score in graded.items() if score[0] != score[1]}
    assert not lost, f"{name}: differently written correct answers lose points when graded: {lost}"
    for student, _, k in students[1:]:
        graded = scores(course, name, student)
        for answer_id in replaced[student]:
            tests = answers[answer_id].get("tests", [f"test_{answer_id}"])
            description = list(answers[answer_id]["wrong"])[k]
            loses = any(graded[test][0] < graded[test][1] for test in tests)
            assert loses, f"{name}: the wrong answer '{description}' of {answer_id} keeps full marks " \
                          f"when graded ({ {test: graded[test] for test in tests} })"
