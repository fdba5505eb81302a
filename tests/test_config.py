"""nbgrader_config.py holds the settings the course relies on, and a broken config fails loudly.

nbgrader itself only logs an exception raised by its config file and carries on with its defaults;
our tools load the file themselves and stop (exit status 2) with a message naming the problem.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from grading_tools import ROOT, make_course, nbgrader

from course_lib.grading import cli, course
from course_lib.grading.nbgrader_plugins import (
    ClearHiddenTestsOfTests,
    ShortenTestErrors,
    StripEditorState,
)

BROKEN = {
    "a syntax error": ('course_id = "dl-foundations"', 'course_id = "dl-foundations'),
    "a misspelt name": ("c = get_config()", "c = get_config()\nc.Execute.timeout = TIMEOUT"),
    "a missing import": ("from nbgrader import preprocessors as nbg",
                         "from nbgrader import preprocessors as nbg\nimport course_lib.no_such_module"),
    "the wrong source directory": ('source_directory = "solutions"', 'source_directory = "source"'),
}


def run_instructor(root, *args):
    return subprocess.run([sys.executable, "-m", "course_lib.grading", "--root", str(root), *args],
                          capture_output=True, text=True)


@pytest.fixture
def instructor_main(monkeypatch, capsys):
    """Run `cli.main` in this process; its changes to os.environ are undone afterwards."""
    for key in ("PATH", *course.RAISE_CONFIG_ERRORS):
        monkeypatch.setenv(key, os.environ.get(key, ""))

    def main(root, *args):
        status = cli.main(["--root", str(root), *args])
        return status, capsys.readouterr()
    return main


def write_broken_config(tmp_path, problem):
    old, new = BROKEN[problem]
    text = (ROOT / course.CONFIG_FILE).read_text()
    assert old in text, f"the test's edit for {problem!r} no longer applies"
    (tmp_path / course.CONFIG_FILE).write_text(text.replace(old, new, 1))


def test_config_holds_the_course_settings():
    config = course.load_config(ROOT)
    assert config.CourseDirectory.course_id == "dl-foundations"
    assert config.CourseDirectory.source_directory == "solutions"
    assert config.CourseDirectory.release_directory == "notebooks"
    assert config.CourseDirectory.root == str(ROOT)
    assert 10 <= config.Execute.timeout <= 600
    assert config.OverwriteCells.add_missing_cells is True
    assert config.GenerateAssignment.preprocessors[-1] is StripEditorState
    feedback = [p.__name__ for p in config.GenerateFeedback.preprocessors]
    assert feedback.index(ClearHiddenTestsOfTests.__name__) < feedback.index(
        ShortenTestErrors.__name__)
    assert config.GenerateFeedback.HTMLExporter.sanitize_html is True


def test_check_config_reports_ok():
    result = run_instructor(ROOT, "check-config")
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout and "solutions/ -> notebooks/" in result.stdout


@pytest.mark.parametrize("problem", list(BROKEN))
def test_broken_config_stops_the_instructor_tool(tmp_path, instructor_main, problem):
    write_broken_config(tmp_path, problem)
    shutil.copytree(ROOT / "solutions" / "01_derivatives", tmp_path / "solutions" / "01_derivatives")
    status, output = instructor_main(tmp_path, "release")
    assert status == 2
    assert output.err.startswith(f"error: {tmp_path / 'nbgrader_config.py'}")
    assert not (tmp_path / "notebooks").exists(), "released despite a broken config"


def test_broken_config_exits_non_zero_from_the_command_line(tmp_path):
    write_broken_config(tmp_path, "a syntax error")
    result = run_instructor(tmp_path, "release")
    assert result.returncode == 2
    assert "is broken: SyntaxError" in result.stderr


def test_broken_config_message_names_the_cause(tmp_path):
    write_broken_config(tmp_path, "a misspelt name")
    with pytest.raises(course.CourseConfigError, match="NameError: name 'TIMEOUT' is not defined"):
        course.load_config(tmp_path)
    write_broken_config(tmp_path, "the wrong source directory")
    with pytest.raises(course.CourseConfigError,
                       match="expected CourseDirectory.source_directory = 'solutions', got 'source'"):
        course.load_config(tmp_path)


def test_missing_config_is_reported(tmp_path, instructor_main):
    status, output = instructor_main(tmp_path, "release")
    assert status == 2 and "not found" in output.err


def test_nbgrader_command_also_stops_on_a_broken_config(tmp_path):
    """With the environment our tools set, the nbgrader command itself exits non-zero too."""
    course = make_course(tmp_path, ["01_derivatives"])
    write_broken_config(course, "a misspelt name")
    result = nbgrader(course, "generate_assignment", "01_derivatives", check=False)
    assert result.returncode != 0
    assert "TIMEOUT" in result.stderr + result.stdout
    assert not (course / "notebooks").exists()


def test_unknown_assignment_is_refused(tmp_path, instructor_main):
    make_course(tmp_path, ["01_derivatives"])
    with pytest.raises(SystemExit, match="unknown assignment\\(s\\) 99_nothing"):
        instructor_main(tmp_path, "release", "99_nothing")
