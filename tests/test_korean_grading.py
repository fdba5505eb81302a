"""The checks speak Korean through the real paths: a kernel, and autograde + feedback.

- In a kernel started in a Korean edition's folder (as JupyterLab starts it), a visible test's
  failure is Korean, shown under the Korean "test failed" line; the same wrong answer in the
  English edition fails in English with the same diagnosis: every typical wrong answer of
  tests/wrong_answers/13_autograd.py fails the same test cells in both, with as many hints and
  the same numbers.
- `instructor autograde` and `feedback` on one Korean and one English submission (the same wrong
  answers, a stray file): the Korean feedback page shows the checks' messages, nbgrader's
  headings, the grading notes and the course's note in Korean, the English one in English; the
  hidden tests' messages say no more in Korean than in English; `report --language ko` is Korean.
- `course.py check` on the Korean edition prints its points and messages in Korean.
"""
from __future__ import annotations

import copy
import os
import re

import nbformat
import pytest
from grading_tools import (
    ROOT,
    SOLUTION_MARKERS,
    KernelSession,
    grade_id,
    graders_of,
    hidden_test_lines,
    is_test,
    make_course,
    nbgrader_meta,
    read,
    run_instructor,
    source_notebook,
    visible_text,
)
from nbformat.v4 import new_code_cell
from test_wrong_answers import load_answers

from course_lib.language import ENVIRONMENT_VARIABLE

pytestmark = pytest.mark.slow

ENGLISH, KOREAN = "13_autograd", "13_autograd_ko"
HANGUL = re.compile(r"[\uac00-\ud7a3]")
NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")
# the wrong answers handed in, one per exercise whose tests call course_lib.checks
WRONG = {"local_derivatives": "multiplication does not swap the inputs",
         "backpropagate": "the root starts at 0",
         "sum_to_shape": "drops the stretched axes (no keepdims)"}


@pytest.fixture(scope="module")
def no_language_override():
    """The folder decides in these tests: no COURSE_LANGUAGE of the caller's."""
    saved = os.environ.pop(ENVIRONMENT_VARIABLE, None)
    yield
    if saved is not None:
        os.environ[ENVIRONMENT_VARIABLE] = saved


def same_diagnosis(english: str, korean: str) -> None:
    """The Korean failure says what the English one says: as many hints, the same numbers."""
    assert english.count("Hint: ") == korean.count("힌트: "), (english, korean)
    assert "Hint: " not in korean and "힌트" not in english, (english, korean)
    assert sorted(NUMBER.findall(korean)) == sorted(NUMBER.findall(english)), (english, korean)


# -- in a kernel ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def kernels(no_language_override):
    sessions = {name: KernelSession(source_notebook(name)) for name in (ENGLISH, KOREAN)}
    yield sessions
    for session in sessions.values():
        session.close()


def shown_failure(session: KernelSession, source: str) -> str:
    """What the student sees under a test cell that failed: its error output's lines."""
    cell = new_code_cell(source)
    session.client.execute_cell(cell, 0)
    errors = [output for output in cell.outputs if output.output_type == "error"]
    assert errors, f"the test cell passed:\n{source[:200]}"
    return "\n".join(errors[0].traceback)


def test_a_visible_test_fails_in_korean_in_the_korean_edition(kernels):
    answer = "matmul_backward"
    wrong = load_answers(ENGLISH)[answer]["wrong"]["db = dout.T @ a (transposed)"]
    shown = {}
    for name, session in kernels.items():
        assert session.errors == [], session.errors
        test = graders_of(session.nb, answer)[0]
        session.run(wrong)
        try:
            shown[name] = shown_failure(session, session.cells[test].source)
        finally:
            assert session.run(session.cells[answer].source) is None
    assert "\x1b[31m테스트 실패\x1b[0m (이 셀의" in shown[KOREAN], shown[KOREAN]
    assert "결과가 틀렸습니다" in shown[KOREAN] and "힌트: " in shown[KOREAN], shown[KOREAN]
    assert "\x1b[31mTest failed\x1b[0m (line" in shown[ENGLISH], shown[ENGLISH]
    assert "wrong result" in shown[ENGLISH] and not HANGUL.search(shown[ENGLISH]), shown[ENGLISH]
    same_diagnosis(shown[ENGLISH], shown[KOREAN])


def test_every_wrong_answer_fails_alike_in_both_editions(kernels):
    """The same wrong-answer suite, both languages: the same cells fail, with the same hints."""
    compared = 0
    for answer, entry in load_answers(ENGLISH).items():
        tests = graders_of(kernels[ENGLISH].nb, answer)
        assert graders_of(kernels[KOREAN].nb, answer) == tests
        for description, source in entry["wrong"].items():
            results = {name: session.try_answer(answer, source, tests)
                       for name, session in kernels.items()}
            for test in tests:
                english, korean = results[ENGLISH][test], results[KOREAN][test]
                assert (english is None) == (korean is None), (answer, description, test)
                if english is not None:
                    same_diagnosis(english, korean)
                    compared += 1
    assert compared >= 15


# -- autograde and feedback -------------------------------------------------------------------------

def handed_in(release, wrong: dict[str, str]):
    """The release with the solution's answers, and `wrong` ones for some exercises."""
    solution = {grade_id(c): c.source for c in read(source_notebook(ENGLISH)).cells
                if nbgrader_meta(c).get("solution")}
    notebook = copy.deepcopy(release)
    for cell in notebook.cells:
        name = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution"):
            cell.source = wrong.get(name) or "\n".join(
                line for line in solution[name].splitlines()
                if not any(marker in line for marker in SOLUTION_MARKERS))
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory, no_language_override):
    """A class with one submission of each edition, autograded, with feedback and reports."""
    course = make_course(tmp_path_factory.mktemp("korean-class"), [ENGLISH, KOREAN])
    answers = load_answers(ENGLISH)
    wrong = {name: answers[name]["wrong"][description] for name, description in WRONG.items()}
    output = {}
    for name in (ENGLISH, KOREAN):
        status, output[f"release {name}"] = run_instructor(course, "release", name)
        assert status == 0, output[f"release {name}"]
        folder = course / "submitted" / "kim" / name
        folder.mkdir(parents=True)
        release = read(course / "notebooks" / name / f"{name}.ipynb")
        nbformat.write(handed_in(release, wrong), folder / f"{name}.ipynb")
        (folder / "scratch.txt").write_text("my notes\n")
    def step(*args: str) -> None:
        status, output[" ".join(args)] = run_instructor(course, *args)
        assert status == 0, output[" ".join(args)]

    # the assignment decides what its students read, whatever the instructor's COURSE_LANGUAGE
    os.environ[ENVIRONMENT_VARIABLE] = "ko"
    try:
        for name in (ENGLISH, KOREAN):
            step("autograde", name)
            step("feedback", name)
        step("report", "--output", "report_ko.html")  # the course's language: COURSE_LANGUAGE
    finally:
        del os.environ[ENVIRONMENT_VARIABLE]
    step("report", "--output", "report_en.html")
    step("report", "--language", "ko", "--output", "report_flag.html")
    return course


def feedback(course, name: str) -> str:
    return visible_text((course / "feedback" / "kim" / name / f"{name}.html").read_text())


def graded_errors(course, name: str) -> dict[str, str]:
    """Test cell -> "Ename: evalue" of each failed test cell of the graded notebook."""
    notebook = read(course / "autograded" / "kim" / name / f"{name}.ipynb")
    return {grade_id(cell): f"{output.ename}: {output.evalue}" for cell in notebook.cells
            if is_test(cell) for output in cell.outputs if output.output_type == "error"}


def test_the_korean_feedback_speaks_korean(graded):
    page = feedback(graded, KOREAN)
    for korean in ("점수:", "테스트 셀", "채점 노트.", "과제의 노트북만 채점합니다",
                   "scratch.txt", "숨은 테스트가 드러날 수 있기 때문입니다", "힌트: ",
                   "결과가 틀렸습니다"):
        assert korean in page, korean
    # ("wrong result" is still there: in the test cells' code the page shows)
    for english in ("Score:", "Test cell", "Notes from grading", "Hint:",
                    "could give the hidden tests away"):
        assert english not in page, english


def test_the_english_feedback_stays_english(graded):
    page = feedback(graded, ENGLISH)
    for english in ("Score:", "Test cell", "Notes from grading", "Hint: ", "wrong result",
                    "Only the assignment's notebooks are graded", "could give the hidden tests away"):
        assert english in page, english
    for korean in ("점수:", "테스트 셀", "채점 노트", "힌트", "결과가 틀렸습니다"):
        assert korean not in page, korean


def test_the_hidden_tests_say_no_more_in_korean(graded):
    english, korean = graded_errors(graded, ENGLISH), graded_errors(graded, KOREAN)
    assert set(english) == set(korean) and len(english) >= len(WRONG), (english, korean)
    for test in english:
        assert HANGUL.search(korean[test]), korean[test]
        same_diagnosis(english[test], korean[test])
    for name in (ENGLISH, KOREAN):  # no line of a hidden test reaches either page
        page = feedback(graded, name)
        assert not [line for line in hidden_test_lines(read(source_notebook(name))) if line in page]


def test_the_class_report_speaks_the_courses_language(graded):
    korean = visible_text((graded / "report_ko.html").read_text(encoding="utf-8"))
    english = visible_text((graded / "report_en.html").read_text(encoding="utf-8"))
    assert visible_text((graded / "report_flag.html").read_text(encoding="utf-8")) == korean
    assert "dl-foundations 성적" in korean and "성적" not in english
    assert "채점된 제출물 1개, 제출하지 않은 학생 0명" in korean
    assert "Grades of dl-foundations" in english and "1 graded submissions" in english
    assert "제출한 그대로 채점됨" in korean  # the statuses' meanings


def test_the_self_check_of_the_korean_edition_speaks_korean(tmp_path, no_language_override):
    answers = load_answers(ENGLISH)
    wrong = {name: answers[name]["wrong"][description] for name, description in WRONG.items()}
    learner = tmp_path / KOREAN / f"{KOREAN}.ipynb"
    learner.parent.mkdir()
    release = read(ROOT / "notebooks" / KOREAN / f"{KOREAN}.ipynb")
    nbformat.write(handed_in(release, wrong), learner)
    status, output = run_instructor(ROOT, "check", str(learner))
    assert status == 1, output
    assert f"{learner}의 자가 점검: 강사의 autograde와 똑같이 채점했습니다(숨은 테스트 포함)." in output
    assert re.search(r"^연습 문제 1 \(test_local_derivatives\): 3점 중 0점, 아직$", output, re.M), output
    assert re.search(r"^연습 문제 4 \(test_matmul_backward\): 2점 중 2점, 통과$", output, re.M), output
    assert "힌트: " in output and "Hint" not in output
    assert "자동 채점 테스트: 15점 중 " in output and "서술형 답 3점은 사람이 채점합니다." in output
    assert not [line for line in hidden_test_lines(read(source_notebook(KOREAN))) if line in output]
