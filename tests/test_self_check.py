"""`course.py check NOTEBOOK`: a learner's notebook graded with the hidden tests, never showing them.

The command runs as `course.py check` runs it (`course.check_invocation`), with real nbgrader,
the sandbox and the trusted judge, on notebooks of chapter 01: the untouched release, a
submission whose code raises only inside a hidden test, one without cells and one that is broken
JSON. Each time the output must hold no line of a hidden test and the learner's file must be
unchanged.
"""
from __future__ import annotations

import importlib.util
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from grading_tools import (
    ROOT,
    SOLUTION_MARKERS,
    grade_id,
    hidden_test_lines,
    is_answer,
    read,
    release_notebook,
    source_notebook,
)

NAME = "01_derivatives"
spec = importlib.util.spec_from_file_location("course_entry", ROOT / "course.py")
course = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course)


def check(notebook: Path, cwd: Path, **options) -> subprocess.CompletedProcess:
    """`python3 course.py check NOTEBOOK` as it runs after setting up the environment."""
    return subprocess.run([sys.executable, *course.check_invocation([str(notebook)])], cwd=cwd,
                          capture_output=True, text=True, timeout=600, **options)


def solved(name: str, **replaced: str):
    """The release notebook with every answer cell holding the solution's code (or `replaced`
    for the answer ids given)."""
    source = {grade_id(c): c.source for c in read(source_notebook(name)).cells if is_answer(c)}
    notebook = read(release_notebook(name))
    for cell in notebook.cells:
        if is_answer(cell):
            cell.source = replaced.get(grade_id(cell), "\n".join(
                line for line in source[grade_id(cell)].split("\n")
                if not any(marker in line for marker in SOLUTION_MARKERS)))
    return notebook


def assert_no_hidden_test_line(output: str) -> None:
    leaked = [line for line in hidden_test_lines(read(source_notebook(NAME))) if line in output]
    assert not leaked, f"the self-check shows hidden test lines: {leaked[:5]}"


def exercise_lines(output: str) -> dict[str, str]:
    return dict(re.findall(r"^(Exercise \d+) \(test_\w+\): (.*)$", output, re.M))


@pytest.mark.slow
def test_untouched_release_scores_zero_with_the_plain_messages(tmp_path):
    learner = tmp_path / "mine" / NAME / f"{NAME}.ipynb"
    learner.parent.mkdir(parents=True)
    learner.write_bytes(release_notebook(NAME).read_bytes())
    before = learner.stat().st_mtime_ns
    # a relative path, from the learner's own folder: it means what it says
    result = check(Path(NAME) / f"{NAME}.ipynb", cwd=tmp_path / "mine")
    assert result.returncode == 1, result.stderr
    lines = exercise_lines(result.stdout)
    assert list(lines) == ["Exercise 1", "Exercise 2", "Exercise 3", "Exercise 4"]
    assert all(line.startswith("0 of") and line.endswith("not yet") for line in lines.values())
    assert result.stdout.count("is not implemented yet") == 4
    assert "Autograded tests: 0 of 9 points" in result.stdout
    assert "why_roundoff: a written answer, graded by a person (2 points)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert_no_hidden_test_line(result.stdout + result.stderr)
    assert learner.read_bytes() == release_notebook(NAME).read_bytes()
    assert learner.stat().st_mtime_ns == before
    assert sorted(p.name for p in learner.parent.iterdir()) == [f"{NAME}.ipynb"]


@pytest.mark.slow
def test_code_that_raises_inside_a_hidden_test_is_scored_without_showing_the_test(tmp_path):
    # right for the visible cases (all at positive points), raising for a hidden one (x = -2)
    answer = ("def numerical_derivative(f, x, h=1e-4):\n"
              "    if x < 0:\n"
              "        raise ValueError('only positive points, please')\n"
              "    return (f(x + h) - f(x - h)) / (2 * h)\n")
    learner = tmp_path / f"{NAME}.ipynb"
    nbformat.write(solved(NAME, numerical_derivative=answer), learner)
    result = check(learner, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = exercise_lines(result.stdout)
    assert lines["Exercise 1"] == "0 of 2 points, not yet"
    assert [lines[f"Exercise {n}"] for n in (2, 3, 4)] == [
        "2 of 2 points, passed", "3 of 3 points, passed", "2 of 2 points, passed"]
    block = result.stdout.split("Exercise 1 (test_numerical_derivative)")[1].split("\nwhy_roundoff")[0]
    assert "The visible tests pass." in block and "only positive points, please" in block
    assert "Autograded tests: 7 of 9 points" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    assert_no_hidden_test_line(result.stdout + result.stderr)


@pytest.mark.slow
def test_a_solved_notebook_passes_as_an_ordinary_user(tmp_path):
    """Run by nobody when the suite runs as root (then grading has no sandbox user): the same
    grading, the same score."""
    if os.geteuid() != 0:
        folder = tmp_path
        options = {}
    else:  # pytest's own folders are private to root: one that nobody may enter
        folder = Path(tempfile.mkdtemp(prefix="self-check-nobody-"))
        folder.chmod(0o777)
        nobody = pwd.getpwnam("nobody")

        def become_nobody():
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
        options = {"preexec_fn": become_nobody,
                   "env": {**os.environ, "HOME": str(folder), "TMPDIR": str(folder)}}
    try:
        learner = folder / f"{NAME}.ipynb"
        nbformat.write(solved(NAME), learner)
        learner.chmod(0o644)
        try:
            probe = subprocess.run([sys.executable, "-c", "import course_lib.grading.self_check"],
                                   capture_output=True, **options)
        except PermissionError:  # the interpreter itself lies in a private folder
            probe = None
        if probe is None or probe.returncode != 0:
            pytest.skip(f"nobody cannot use this checkout ({ROOT} is private)")
        result = check(learner, cwd=folder, **options)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Autograded tests: 9 of 9 points" in result.stdout
    finally:
        if folder != tmp_path:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("content, says", [
    ('{"cells": [', "could not be read as a notebook (NotJSONError"),
    ('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "has no cells"),
    ('{"metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "could not be read as a notebook"),
])
def test_a_broken_notebook_gets_a_clear_message_and_stays_as_it_was(tmp_path, content, says):
    learner = tmp_path / f"{NAME}.ipynb"
    learner.write_text(content)
    result = check(learner, cwd=tmp_path)
    assert result.returncode == 2
    assert says in result.stderr and "Traceback" not in result.stderr
    assert learner.read_text() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == [learner.name]


def test_a_notebook_of_no_assignment_is_named_with_the_course_notebooks(tmp_path):
    learner = tmp_path / "my_own.ipynb"
    nbformat.write(read(release_notebook(NAME)), learner)
    result = check(learner, cwd=tmp_path)
    assert result.returncode == 2
    assert "`my_own.ipynb` is not a notebook of this course" in result.stderr
    assert NAME in result.stderr and "Traceback" not in result.stderr
    missing = check(tmp_path / "nothing.ipynb", cwd=tmp_path)
    assert missing.returncode == 2 and "no such notebook file" in missing.stderr
