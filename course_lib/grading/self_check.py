"""`check`: one notebook graded exactly as the instructor's autograde grades it, hidden tests
included, for self-learners (and for students, where the course hands them the checker).

    python3 course.py check notebooks/01_derivatives/01_derivatives.ipynb
    course-instructor check NOTEBOOK      # python -m course_lib.grading check NOTEBOOK

The notebook goes through the pipeline of `autograde` itself (`course_lib.grading.autograding.
grade_submission`): in a private temporary course that holds only this assignment's source, copied
from `solutions/`, nbgrader generates the assignment; the notebook, copied, is the one submission;
it is checked and repaired as any submission is (`course_lib.grading.submission_check`), runs in the
sandboxed kernel, and its test cells are run by the trusted judge (`course_lib.grading.judge`). Everything
is local: it works offline.

What is printed comes from the graded copy and the gradebook: the points of each exercise and the
message of each failing test, in the assignment's language (Korean for a `_ko` edition). The judge reports an error as "Name: message", never with a
traceback, so no line of a hidden test is shown. The learner's file is only read; the temporary
course is deleted afterwards.
"""
from __future__ import annotations

import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course_lib.grading.autograding import TIME_LIMIT, grade_submission
from course_lib.grading.course import CONFIG_FILE, Course
from course_lib.grading.language import _, assignment_language, speaking
from course_lib.grading.submission_check import (
    grade_id,
    is_test_cell,
    quoted,
    read_notebook,
    without_control_characters,
)

STUDENT = "self-check"
# "# Exercise 3 (3 points): tests for numerical_gradient. ..." -> "Exercise 3", and
# "# 연습 문제 3 (3 points): numerical_gradient의 테스트. ..." -> "연습 문제 3"
EXERCISE_LINE = re.compile(r"#\s*((?:Exercise|연습\s*문제)\s+[\w.]+)")


class SelfCheckError(ValueError):
    """The notebook cannot be checked (not found, unreadable, not of this course); the message
    says why and what to do.
    """


@dataclass
class TestResult:
    """One graded cell of the checked notebook."""

    grade_id: str
    exercise: str
    score: float | None      # None: graded by a person, not here
    max_score: float
    messages: list[str]


def find_source(course: Course, path: Path) -> tuple[str, str]:
    """(assignment, notebook name) of the course that `path` is a copy of.

    The notebook's folder names the assignment when it is one (so a renamed copy such as
    `01_derivatives-Copy1.ipynb` in `notebooks/01_derivatives/` still counts); else its file name.
    """
    assignments = course.assignments()
    sources = {name: sorted(p.stem for p in (course.source_dir / name).glob("*.ipynb"))
               for name in assignments}
    folder, stem = path.parent.name, path.stem
    if folder in sources:
        if stem in sources[folder]:
            return folder, stem
        if len(sources[folder]) == 1:
            return folder, sources[folder][0]
    for name, stems in sources.items():
        if stem in stems:
            return name, stem
    if not assignments:
        raise SelfCheckError(
            f"{course.source_dir} holds no solutions, and the hidden tests live there: this copy "
            f"of the course cannot check notebooks (ask your instructor how to check yours)")
    raise SelfCheckError(f"{quoted(path.name)} is not a notebook of this course; the course's "
                         f"notebooks are {', '.join(assignments)} (in notebooks/<name>/)")


def read_learner_notebook(path: Path):
    """The notebook at `path`, or SelfCheckError saying why it cannot be checked."""
    if path.is_dir():
        notebooks = sorted(path.glob("*.ipynb"))
        if len(notebooks) != 1:
            raise SelfCheckError(f"{path}: expected a notebook file (or a folder holding one), "
                                 f"found {len(notebooks)} notebooks there")
        path = notebooks[0]
    if not path.is_file():
        raise SelfCheckError(f"{path}: no such notebook file")
    try:
        notebook = read_notebook(path)
    except ValueError as error:
        raise SelfCheckError(
            f"{path} could not be read as a notebook ({error}). Nothing was checked, and the file "
            f"was not changed. If it is open in JupyterLab, save it there again (File > Save "
            f"Notebook); otherwise take a fresh copy of the notebook (see 00_start_here)") from None
    if not notebook.cells:
        raise SelfCheckError(f"{path} has no cells, so there is nothing to check; the file was "
                             f"not changed. Take a fresh copy of the notebook (see 00_start_here)")
    return path, notebook


def private_course(course: Course, assignment: str, directory: Path) -> Course:
    """A course in `directory` with the course's config and only `assignment`'s source."""
    shutil.copy(course.root / CONFIG_FILE, directory / CONFIG_FILE)
    shutil.copytree(course.source_dir / assignment,
                    directory / course.source_dir.name / assignment)
    return Course.open(directory)


def exercise_names(source) -> dict[str, str]:
    """grade_id -> "Exercise N" (from the test cell's first comment) or the id itself."""
    names = {}
    for cell in source.cells:
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade"):
            continue
        found = EXERCISE_LINE.match(cell.source.lstrip()) if cell.cell_type == "code" else None
        names[meta["grade_id"]] = found.group(1) if found else meta["grade_id"]
    return names


def cell_messages(cell) -> list[str]:
    """What a graded test cell said: the judge's error line, and its printed text."""
    messages = []
    for output in cell.get("outputs", []):
        if output.output_type == "error":
            messages.append(f"{output.ename}: {output.evalue}")
        elif output.output_type == "stream" and output.text.strip():
            messages.append(output.text.strip())
    return messages


def test_results(course: Course, assignment: str, notebook_name: str) -> list[TestResult]:
    """Each graded cell of the graded copy, in notebook order, with its points."""
    source = nbformat.read(course.source_dir / assignment / f"{notebook_name}.ipynb",
                           as_version=4)
    names = exercise_names(source)
    graded = nbformat.read(course.folder("autograded", STUDENT, assignment)
                           / f"{notebook_name}.ipynb", as_version=4)
    with course.gradebook() as gradebook:
        grades = {g.name: (float(g.auto_score or 0), float(g.max_score)) for g in
                  gradebook.find_submission_notebook(notebook_name, assignment, STUDENT).grades}
    results = []
    for cell in graded.cells:
        name = grade_id(cell)
        if name not in grades or name not in names:
            continue
        auto_score, max_score = grades[name]
        results.append(TestResult(name, names[name], auto_score if is_test_cell(cell) else None,
                                  max_score,
                                  cell_messages(cell) if is_test_cell(cell) else []))
    return results


def check(course: Course, notebook_path: Path, time_limit: float = TIME_LIMIT,
          workspace: Path | None = None):
    """Grade a copy of the notebook at `notebook_path`; return (outcome, results).

    Parameters
    ----------
    course : Course
        The course whose `solutions/` hold the assignment's source and hidden tests.
    notebook_path : Path
        The learner's notebook (or a folder holding just it); only read.
    time_limit : float
        Wall-clock seconds for grading it, as `autograde --time-limit`.
    workspace : Path, optional
        Where the temporary course is made (default: the system's temporary folder).

    Returns
    -------
    (course_lib.grading.autograding.Outcome, list of TestResult)

    Raises
    ------
    SelfCheckError
        When the notebook cannot be read or is not one of the course's.
    """
    path, _ = read_learner_notebook(Path(notebook_path))
    assignment, notebook_name = find_source(course, path)
    with tempfile.TemporaryDirectory(prefix="course-check-", dir=workspace,
                                     ignore_cleanup_errors=True) as directory:
        private = private_course(course, assignment, Path(directory))
        result = private.api.generate_assignment(assignment, force=True)
        if not result["success"]:
            raise RuntimeError(f"nbgrader could not generate {assignment} from its source: "
                               f"{result.get('error', '')}")
        submitted = private.folder("submitted", STUDENT, assignment)
        submitted.mkdir(parents=True)
        shutil.copyfile(path, submitted / f"{notebook_name}.ipynb")
        outcome = grade_submission(private.root, assignment, STUDENT, time_limit)
        results = (test_results(private, assignment, notebook_name)
                   if outcome.score is not None else [])
    return outcome, results


def points(value: float) -> str:
    return (_("{count} point") if value == 1 else _("{count} points")).format(count=f"{value:g}")


def report(notebook_path: Path, outcome, results: list[TestResult]) -> str:
    """The printed result: per exercise its points and messages, then the total; in the
    assignment's language.
    """
    with speaking(assignment_language(outcome.assignment)):
        return _report(notebook_path, outcome, results)


def _report(notebook_path: Path, outcome, results: list[TestResult]) -> str:
    lines = [_("Self-check of {notebook}, graded as the instructor's autograde grades it (hidden "
               "tests included):").format(notebook=notebook_path), ""]
    for note in outcome.notes:
        lines.append(_("Note: {note}").format(note=without_control_characters(note)))
    if outcome.notes:
        lines.append("")
    for result in results:
        name = (result.exercise if result.exercise == result.grade_id
                else f"{result.exercise} ({result.grade_id})")
        if result.score is None:
            lines.append(_("{exercise}: a written answer, graded by a person ({points}); not "
                           "scored here").format(exercise=name, points=points(result.max_score)))
            continue
        verdict = (_("{exercise}: {score} of {points}, passed") if result.score >= result.max_score
                   else _("{exercise}: {score} of {points}, not yet"))
        lines.append(verdict.format(exercise=name, score=f"{result.score:g}",
                                    points=points(result.max_score)))
        if result.score < result.max_score:
            lines += [f"    {line}" for message in result.messages
                      for line in without_control_characters(message, keep_newlines=True)
                      .splitlines()]
    tests = [r for r in results if r.score is not None]
    if outcome.score is None:
        lines.append(_("The notebook could not be graded: {reason}").format(
            reason=" ".join(outcome.notes)))
    else:
        scored = sum(r.score for r in tests)
        lines += ["", _("Autograded tests: {score} of {points} ({seconds} s).").format(
            score=f"{scored:g}", points=points(sum(r.max_score for r in tests)),
            seconds=f"{outcome.seconds:.0f}")]
        written = sum(r.max_score for r in results if r.score is None)
        if written:
            lines.append(_("Written answers worth {points} are graded by a person.").format(
                points=points(written)))
    return "\n".join(lines)


def run(course: Course, notebook_path: Path, time_limit: float = TIME_LIMIT) -> int:
    """The `check` command: print the report; the exit status is 0 when every autograded test
    passed, 1 when some did not, 2 when the notebook could not be checked.
    """
    try:
        outcome, results = check(course, notebook_path, time_limit)
    except SelfCheckError as error:
        print(f"check: {without_control_characters(str(error))}", file=sys.stderr)
        return 2
    print(report(notebook_path, outcome, results))
    if outcome.score is None:
        return 2
    return 0 if all(r.score >= r.max_score for r in results if r.score is not None) else 1
