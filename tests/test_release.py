"""notebooks/ is exactly what nbgrader generates from solutions/ today, and nothing leaks into it.

Also checks the source notebooks follow the course's conventions (cell metadata, points in the
text), so that a new notebook in solutions/ is covered without touching this file.
"""
from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from grading_tools import (
    HIDDEN_MARKERS,
    NOTEBOOKS,
    ROOT,
    SOLUTION_MARKERS,
    assignments,
    grade_id,
    graders_of,
    is_answer,
    is_test,
    is_written,
    make_course,
    nbgrader,
    nbgrader_meta,
    read,
    region_lines,
    release_notebook,
    source_notebook,
    without_region,
)

from course_lib.grading.nbgrader_plugins import is_solution_note

# nbgrader generates every assignment: tens of seconds, so not part of the quick run
pytestmark = pytest.mark.slow

NAMES = assignments()
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]
TEXT_STUB = "YOUR ANSWER HERE"
GRADE_ID = re.compile(r"^[A-Za-z0-9_]+$")


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    """A temporary course with our config and solutions/, released by the real nbgrader command."""
    course = make_course(tmp_path_factory.mktemp("course"), NAMES)
    # one broken notebook must not hide the others: its own comparison fails (missing file)
    nbgrader(course, "generate_assignment", "*", "--force", check=False)
    return course / "notebooks"


def files_under(folder):
    return sorted(p.relative_to(folder) for p in folder.rglob("*")
                  if p.is_file() and ".ipynb_checkpoints" not in p.parts)


def test_every_assignment_is_released():
    released = sorted(p.name for p in NOTEBOOKS.iterdir() if p.is_dir()) if NOTEBOOKS.is_dir() else []
    assert released == NAMES, ("notebooks/ does not mirror solutions/: "
                               "run `python -m course_lib.grading release`")


@pytest.mark.parametrize("name", NAMES)
def test_release_is_what_nbgrader_generates_today(fresh_release, name):
    fresh, ours = fresh_release / name, NOTEBOOKS / name
    assert files_under(ours) == files_under(fresh)
    for relative in files_under(fresh):
        assert (ours / relative).read_bytes() == (fresh / relative).read_bytes(), (
            f"notebooks/{name}/{relative} differs from a fresh nbgrader generation: "
            f"run `python -m course_lib.grading release {name}`")


@pytest.mark.parametrize("name", NAMES)
def test_nothing_leaks_into_the_release(name):
    source, release = read(source_notebook(name)), read(release_notebook(name))
    text = release_notebook(name).read_text()
    for marker in SOLUTION_MARKERS + HIDDEN_MARKERS:
        assert marker not in text, f"{marker!r} left in notebooks/{name}"
    assert "widgets" not in release.metadata, "saved widget state in the release"
    released = {cell.id: cell for cell in release.cells}
    note, *source.cells = source.cells  # the note that this is the solution: solutions/ only
    assert is_solution_note(note) and not any(map(is_solution_note, release.cells))
    assert list(released) == [cell.id for cell in source.cells]
    for cell in release.cells:
        assert not {"execution", "ExecuteTime", "widgets"} & set(cell.metadata), cell.id
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"outputs in {cell.id}"
    for cell in source.cells:
        out = released[cell.id]
        solution = [line.strip() for line in region_lines(cell.source, SOLUTION_MARKERS)]
        if is_answer(cell):
            stub = [line.strip() for line in out.source.splitlines()]
            assert all(line in stub for line in CODE_STUB), f"{cell.id}: no standard stub"
            leaked = [line for line in solution if line and line in stub and line not in CODE_STUB]
            assert not leaked, f"{cell.id}: solution lines in the release: {leaked}"
        elif is_written(cell):
            assert TEXT_STUB in out.source
            assert not [line for line in solution if line and line in out.source]
        elif is_test(cell):
            assert out.source == without_region(cell.source, HIDDEN_MARKERS), \
                f"{cell.id}: the released test cell is not the visible part of the source"
        else:
            assert out.source == cell.source, f"{cell.id} changed in the release"


@pytest.mark.parametrize("name", NAMES)
def test_source_follows_the_notebook_format(name):
    path = source_notebook(name)
    nb = read(path)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    ids = [cell.id for cell in nb.cells]
    assert len(ids) == len(set(ids)), "duplicate cell ids"
    # a learner who opens it sees first that this is the solution, and where their copy is
    assert is_solution_note(nb.cells[0]) and "**SOLUTION notebook" in nb.cells[0].source
    assert f"notebooks/{name}/{path.name}" in nb.cells[0].source
    assert not any(map(is_solution_note, nb.cells[1:]))
    graded = [cell for cell in nb.cells if nbgrader_meta(cell)]
    grade_ids = [grade_id(cell) for cell in graded]
    assert len(grade_ids) == len(set(grade_ids)), "duplicate grade_id"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, \
                f"{cell.id}: solutions are stored without outputs"
        if HIDDEN_MARKERS[0] in cell.source:
            assert is_test(cell), f"{cell.id}: hidden tests outside a test cell"
    for cell in graded:
        meta, gid = nbgrader_meta(cell), grade_id(cell)
        assert meta.get("schema_version") == 3 and meta.get("task") is False, gid
        assert GRADE_ID.match(gid), f"grade_id {gid!r}: letters, digits and _ only"
        if is_test(cell):
            assert cell.cell_type == "code" and meta["locked"] and meta["points"] > 0, gid
            assert gid.startswith("test_"), f"test cell {gid!r} must be named test_<answer id>"
            first_line = cell.source.splitlines()[0]
            points = f"{meta['points']:g} point"
            # a Korean edition may say it in Korean: "(2점)"
            stated = [f"({points}"] + ([f"({meta['points']:g}점"] if name.endswith("_ko") else [])
            assert first_line.startswith("#") and any(s in first_line for s in stated), \
                f"{gid}: the first line must state the points, e.g. '# Exercise 1 ({points}s): ...'"
        elif is_answer(cell):
            assert SOLUTION_MARKERS[0] in cell.source and not meta["locked"], gid
            assert graders_of(nb, gid), f"answer {gid} has no test cell test_{gid}"
        elif is_written(cell):
            assert cell.cell_type == "markdown" and meta["points"] > 0, gid
            assert SOLUTION_MARKERS[0] in cell.source, f"{gid}: mark the model answer"
    tests = [grade_id(c) for c in graded if is_test(c)]
    answers = [grade_id(c) for c in graded if is_answer(c)]
    orphans = [t for t in tests if not any(t == f"test_{a}" or t.startswith(f"test_{a}_")
                                           for a in answers)]
    assert not orphans, f"test cells that grade no answer cell: {orphans}"


def test_saved_widget_state_and_outputs_are_stripped(tmp_path):
    """nbgrader alone keeps a notebook's saved widget state; our config removes it."""
    name = NAMES[-1]
    course = make_course(tmp_path, [name])
    path = course / "solutions" / name / f"{name}.ipynb"
    nb = read(path)
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {"m": {}}}}
    code = next(cell for cell in nb.cells if cell.cell_type == "code")
    code.metadata["execution"] = {"iopub.execute_input": "2024-01-01T00:00:00Z"}
    code.execution_count = 7
    code.outputs = [nbformat.v4.new_output("stream", text="saved output\n")]
    nbformat.write(nb, path)
    nbgrader(course, "generate_assignment", name, "--force")
    released = read(course / "notebooks" / name / f"{name}.ipynb")
    assert "widgets" not in released.metadata
    out = next(cell for cell in released.cells if cell.id == code.id)
    assert out.outputs == [] and out.execution_count is None and "execution" not in out.metadata


def differing(a: dict, b: dict) -> str:
    return ", ".join(str(p) for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p))


def test_release_command_is_deterministic(tmp_path):
    """`instructor release` run twice gives the same bytes as notebooks/ in the repository."""
    course = make_course(tmp_path, NAMES)
    (course / "notebooks" / "stale_assignment").mkdir(parents=True)  # removed as an orphan
    command = [sys.executable, "-m", "course_lib.grading", "--root", str(course), "release"]
    first = subprocess.run(command, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    snapshot = {p: (course / "notebooks" / p).read_bytes() for p in files_under(course / "notebooks")}
    shutil.rmtree(course / "notebooks" / NAMES[-1])
    second = subprocess.run(command, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    again = {p: (course / "notebooks" / p).read_bytes() for p in files_under(course / "notebooks")}
    assert again == snapshot, "a second release changed: " + differing(again, snapshot)
    ours = {p: (NOTEBOOKS / p).read_bytes() for p in files_under(NOTEBOOKS)}
    assert again == ours, "notebooks/ is not what the release command makes: " + differing(again, ours)
    for name in NAMES:
        assert f"released notebooks/{name}/{name}.ipynb" in first.stdout


def test_course_py_routes_instructor_commands_here(monkeypatch):
    """`python3 course.py instructor release` runs `python -m course_lib.grading release`.

    The environment set-up is replaced, so that the test never reinstalls the venv.
    """
    spec = importlib.util.spec_from_file_location("course_entry", ROOT / "course.py")
    course_py = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(course_py)
    calls = []
    monkeypatch.setattr(course_py, "ensure_environment", lambda extras: Path(sys.executable))
    monkeypatch.setattr(course_py, "run", lambda python, *args: calls.append(args) or 0)
    assert course_py.main(["instructor", "release", "01_derivatives"]) == 0
    assert calls == [("-m", "course_lib.grading", "release", "01_derivatives")]
