"""Wrong answers graded the way students are: `course.py instructor autograde` and `feedback`.

tests/test_wrong_answers.py runs every variant in one live kernel, where the test cell and the
answer share a process. Graded, the test cell runs in the trusted judge and reaches the answer over
the wire (handles, mirrored arrays), which is where a check can go blind (an in-place change that
does not travel), break (isinstance on a handle) or name the wrong thing (`args` instead of the
student's `x0`). Here each chapter with wrong answers (but TOO_SLOW's) is one class, graded in one
autograde run:

- "correct-0": the first differently written correct answer in every answer cell (full marks);
- "wrong-0", "wrong-1": the first and second typical wrong answer in every answer cell (each loses
  points in its own test cells);
- "said-0", "said-1", ...: chosen mistakes whose feedback page must say given words: the hints a
  mistake must trigger, near misses that must get no hint, integer language for whole numbers,
  and the student's own parameter names, also when the student renamed them.

No failure message anywhere names `args`, `kwargs` or "argument n".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from grading_tools import (
    assignments,
    grade_id,
    is_answer,
    is_test,
    make_course,
    read,
    run_instructor,
    source_notebook,
    visible_text,
)
from nbgrader.api import Gradebook
from test_wrong_answers import THROUGH_AUTOGRADE, load_answers

pytestmark = pytest.mark.slow
COURSE_ID = "dl-foundations"
# Chapters not graded here, and why (the Korean editions: tests/test_korean_grading.py).
TOO_SLOW = {
    "12_regularization": "every submission trains a digit classifier from scratch: its class took "
                         "almost 6 minutes on a busy 2-core machine, the other chapters 1-4",
}
CHAPTERS = [name for name in assignments()
            if not name.endswith("_ko") and name not in TOO_SLOW and load_answers(name)]
WRONG_PER_ANSWER = 2  # submissions "wrong-0" and "wrong-1": the first two wrong answers of each cell
LEAKS = ("`args`", "`kwargs`", "argument 1", "argument 2", "argument 3", "argument 4")


@dataclass(frozen=True)
class Wrong:
    """The wrong answer of tests/wrong_answers/<chapter>.py with this description, its parameters
    renamed as {old: new} (a student is free to name them)."""

    description: str
    renamed: tuple[tuple[str, str], ...] = ()

    def source(self, chapter: str, answer_id: str) -> str:
        source = load_answers(chapter)[answer_id]["wrong"][self.description]
        for old, new in self.renamed:
            source = re.sub(rf"\b{old}\b", new, source)
        return source


def renamed(description: str, **names: str) -> Wrong:
    return Wrong(description, tuple(names.items()))


@dataclass(frozen=True)
class Said:
    """What the feedback on one test cell says: it loses its points, with a message containing
    `words` and none of `never`."""

    words: tuple[str, ...]
    never: tuple[str, ...] = ()


def says(*words: str, never: tuple[str, ...] = ()) -> Said:
    return Said(words, never)


def no_hint(*words: str) -> Said:
    """A near miss: the message says what differs and gives no hint (none explains it all)."""
    return Said(words, ("Hint:",))


# chapter -> students; a student: answer id -> (its answer, {test cell: Said, or None when the
# test cell keeps its points})
FEEDBACK = {
    "01_derivatives": [{
        "numerical_derivative": (Wrong("central difference without the 2"), {
            "test_numerical_derivative": says("Hint: in every failing case the result is 2 times "
                                              "too large.")}),
        "numerical_gradient": (renamed("forgets to restore x", f="func", x="point"), {
            "test_numerical_gradient": says("numerical_gradient changed its input `point`")}),
        # one direction gives one number: no sign hint for a single value, only what differs
        "directional_derivative": (Wrong("steps backwards along v"), {
            "test_directional_derivative": no_hint("expected 3.6, got -3.6")}),
    }, {
        # 6e-08 instead of 6 is a factor, but one number alone is always some factor of another
        "numerical_derivative": (Wrong("precedence slip: divides by 2 and then multiplies by h"), {
            "test_numerical_derivative": no_hint("expected 6, got 6e-08")}),
        "directional_derivative": (Wrong("divides by the squared length of v"), {
            "test_directional_derivative": no_hint("expected 3.6, got 0.72")}),
    }],
    "02_gradient_descent": [{
        "gradient_descent": (renamed("updates x0 itself instead of a copy", x0="start", grad="gradient"),
                             {"test_gradient_descent": says("gradient_descent changed its input `start`",
                                                            never=("`x0`",))}),
        "largest_stable_lr": (Wrong("1 / lambda_max (the best step for one curvature, not the border)"), {
            "test_largest_stable_lr_value": says("Hint: in every failing case the result is 2 times "
                                                 "too small.")}),
        # a path one element too long is an off-by-one, not a question of axes
        "gradient_descent_until": (Wrong("tests only after a step, so it always steps once"), {
            "test_gradient_descent_until": no_hint("(one element too many along axis 0)")}),
    }, {
        "gradient_descent": (Wrong("one step too few"), {
            "test_gradient_descent": no_hint("(one element too few along axis 0)")}),
        "largest_stable_lr": (Wrong("2 / the trace (the sum of the eigenvalues)"), {
            "test_largest_stable_lr_value": no_hint("expected 0.2, got 0.181818")}),
    }],
    "03_linear_regression": [{
        "linear_mse_and_grad": (Wrong("residuals the other way round: t - Ax (gradient of the wrong sign)"), {
            "test_linear_mse_and_grad_loss": None,
            "test_linear_mse_and_grad_grad": says("Hint: every value is of the wrong sign")}),
        "newton_step": (renamed("changes x in place", x="point", grad="g", hessian="H"), {
            "test_newton_step": says("newton_step changed its input `point`", never=("`x`",))}),
    }, {
        "linear_mse_and_grad": (Wrong("residuals summed over the points before multiplying by A^T"), {
            "test_linear_mse_and_grad_loss": None,
            "test_linear_mse_and_grad_grad": no_hint("wrong gradient (returned value 2)")}),
    }],
    "04_loss_functions": [{
        "mean_squared_error_and_grad": (
            renamed("sums the squares instead of averaging them", y="pred", t="target"),
            {"test_mean_squared_error_and_grad_loss": says(
                "Hint: in every failing case the result is n times too large, and n is the number "
                "of values in `pred`: did you forget to divide by it?"),
             "test_mean_squared_error_and_grad_grad": None}),
        "softmax_cross_entropy_grad": (
            renamed("forgets to divide by the batch size N", logits="scores", t="labels"),
            {"test_softmax_cross_entropy_grad": says(
                "Hint: every value is 2 times too large, and 2 is the number of rows (the batch "
                "size) of `scores`: did you forget to divide by it?")}),
    }, {
        "softmax_cross_entropy_grad": (Wrong("subtracts 1 in the columns t of every row (y[:, t] -= 1)"), {
            "test_softmax_cross_entropy_grad": no_hint("2 of 6 values differ")}),
        "cross_entropy": (Wrong("mean over all N*K terms of t*log(p) (divides by N*K)"), {
            "test_cross_entropy": no_hint("expected 0.43375, got 0.144583")}),
    }],
    "05_activations": [{
        "relu_forward_backward": (
            renamed("stops the gradient in dout in place (changes dout)", x="inputs", dout="upstream"),
            {"test_relu_forward_backward_z": says("changed its input `upstream`", never=("`dout`",)),
             "test_relu_forward_backward_dx": says("changed its input `upstream`")}),
        "softmax": (Wrong("no shift: overflows for large scores or a small temperature"), {
            "test_softmax": says("Hint: NaN or inf usually comes from an overflow")}),
    }, {
        "relu_forward_backward": (Wrong("backward multiplies by the output instead of the switch"), {
            "test_relu_forward_backward_z": None,
            "test_relu_forward_backward_dx": no_hint("expected 5, got 10")}),
        "softmax": (Wrong("divides by the temperature after the exponential"), {
            "test_softmax": no_hint("wrong result on the temperature T = 2")}),
    }],
    "06_minibatch": [{
        # whole numbers: "1 too small" and an off-by-one, never a relative error or "close"
        "count_updates": (Wrong("floor division drops the last partial batch even without drop_last"), {
            "test_count_updates": says("expected 469, got 468", "(1 too small)",
                                       "Hint: the result is one too small: an off-by-one",
                                       never=("relative error", "close, but"))}),
    }, {
        "count_updates": (Wrong("plain division gives a fraction of an iteration"), {
            "test_count_updates": says("(a whole number is expected)",
                                       "Hint: whole numbers are expected",
                                       never=("relative error", "close, but"))}),
    }],
    "08_backprop": [{
        "affine": (Wrong("bias gradient averaged instead of summed"), {
            "test_affine": says("Hint: every value is 2 times too small, and 2 is the number of "
                                "rows (the batch size) of `x`: did you divide by it once too often")}),
        "softmax_with_loss": (Wrong("not divided by the batch size"), {
            "test_softmax_with_loss": says("Hint: every value is 2 times too large, and 2 is the number "
                                           "of rows (the batch size) of `x`: did you forget to divide "
                                           "by it?")}),
    }],
}


def through_autograde(chapter: str) -> list[dict]:
    """test_wrong_answers' selection for the chapter, as one more student of FEEDBACK's form."""
    selection = THROUGH_AUTOGRADE.get(chapter)
    if not selection:
        return []
    return [{answer_id: (Wrong(description), {test: says(words) if words else None
                                              for test, words in expected.items()})
             for answer_id, (description, expected) in selection.items()}]


def said_students(chapter: str) -> list[dict]:
    return through_autograde(chapter) + FEEDBACK.get(chapter, [])


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


def chosen_submission(name: str, student: dict):
    """The solution notebook with the student's chosen answers."""
    nb = read(source_notebook(name))
    present = {grade_id(c) for c in nb.cells if is_answer(c)}
    assert set(student) <= present, f"{name}: no answer cells {set(student) - present}"
    for cell in nb.cells:
        if is_answer(cell) and grade_id(cell) in student:
            answer = student[grade_id(cell)][0]
            cell.source = answer.source(name, grade_id(cell)) if isinstance(answer, Wrong) else answer
    return nb


@dataclass
class GradedClass:
    """One chapter's submissions after autograde and feedback."""

    name: str
    course: Path
    replaced: dict[str, list[str]]

    def scores(self, student: str) -> dict[str, tuple[float, float]]:
        """grade_id -> (auto_score, max_score) of every autograded test cell of the submission."""
        with Gradebook(f"sqlite:///{self.course / 'gradebook.db'}", COURSE_ID) as gb:
            notebook = gb.find_submission_notebook(self.name, self.name, student)
            return {g.name: (g.auto_score, g.max_score) for g in notebook.grades
                    if g.cell_type == "code"}

    def messages(self, student: str) -> dict[str, str]:
        """Test cell -> "Ename: evalue" of each test cell of the graded notebook ("" if it passed)."""
        path = self.course / "autograded" / student / self.name / f"{self.name}.ipynb"
        return {grade_id(cell): "\n".join(f"{o.ename}: {o.evalue}" for o in cell.get("outputs", [])
                                          if o.output_type == "error")
                for cell in read(path).cells if is_test(cell)}

    def feedback(self, student: str) -> str:
        """The words of the student's feedback page, as a reader sees them, on one line."""
        path = self.course / "feedback" / student / self.name / f"{self.name}.html"
        return " ".join(visible_text(path.read_text(encoding="utf-8")).split())


@pytest.fixture(scope="module", params=CHAPTERS)
def graded(request, tmp_path_factory) -> GradedClass:
    """The chapter released, its students' submissions autograded, their feedback written: the
    instructor's commands, run as an instructor runs them."""
    name = request.param
    course = make_course(tmp_path_factory.mktemp(f"graded-{name}"), [name])

    def step(*args: str) -> None:
        status, output = run_instructor(course, *args)
        assert status == 0, f"{' '.join(args)} failed ({status}):\n{output[-5000:]}"

    step("release", name)
    replaced = {}
    handed_in = {}
    for student, kind, k in [("correct-0", "correct", 0)] + [
            (f"wrong-{k}", "wrong", k) for k in range(WRONG_PER_ANSWER)]:
        handed_in[student], replaced[student] = submission(name, kind, k)
    for k, chosen in enumerate(said_students(name)):
        handed_in[f"said-{k}"] = chosen_submission(name, chosen)
    for student, nb in handed_in.items():
        folder = course / "submitted" / student / name
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{name}.ipynb")
    step("autograde", name, "--jobs", "2")
    step("feedback", name)
    return GradedClass(name, course, replaced)


def test_correct_answers_keep_their_points_when_graded(graded):
    assert graded.replaced["correct-0"], f"{graded.name}: no correct variants to grade"
    lost = {test: score for test, score in graded.scores("correct-0").items() if score[0] != score[1]}
    assert not lost, f"{graded.name}: differently written correct answers lose points when graded: " \
                     f"{lost}\n{ {test: graded.messages('correct-0')[test] for test in lost} }"


@pytest.mark.parametrize("k", range(WRONG_PER_ANSWER))
def test_wrong_answers_lose_points_when_graded(graded, k):
    answers, student = load_answers(graded.name), f"wrong-{k}"
    scores, messages = graded.scores(student), graded.messages(student)
    for answer_id in graded.replaced[student]:
        tests = answers[answer_id].get("tests", [f"test_{answer_id}"])
        description = list(answers[answer_id]["wrong"])[k]
        assert any(scores[test][0] < scores[test][1] for test in tests), \
            f"{graded.name}: the wrong answer '{description}' of {answer_id} keeps full marks when " \
            f"graded ({ {test: scores[test] for test in tests} })"
    leaking = {test: message for test, message in messages.items() if any(leak in message for leak in LEAKS)}
    assert not leaking, f"{graded.name}: messages name the judge's arguments, not the student's: {leaking}"


def test_the_feedback_says_what_each_chosen_mistake_gets(graded):
    students = said_students(graded.name)
    if not students:
        pytest.skip(f"{graded.name}: no chosen mistakes")
    for k, student in enumerate(students):
        scores, messages, page = (graded.scores(f"said-{k}"), graded.messages(f"said-{k}"),
                                  graded.feedback(f"said-{k}"))
        for answer_id, (answer, expected) in student.items():
            what = f"{graded.name}, said-{k}: {answer} in {answer_id}"
            for test, said in expected.items():
                score, max_score = scores[test]
                message = messages[test]
                if said is None:
                    assert score == max_score and not message, f"{what} should keep {test}: {message}"
                    continue
                assert score == 0, f"{what} keeps {score} points of {test}"
                assert message.startswith("AssertionError: "), f"{what}: {test} not a checks message: {message}"
                words = " ".join(message.removeprefix("AssertionError: ").split())
                assert words in page, f"{what}: the feedback page does not show {test}'s message {words!r}"
                for text in said.words:
                    assert text in words, f"{what}: {test} should say {text!r}: {message}"
                for text in said.never + LEAKS:
                    assert text not in words, f"{what}: {test} should not say {text!r}: {message}"

