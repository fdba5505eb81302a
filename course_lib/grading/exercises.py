"""What an assignment asks of the student: its exercises, their solution lengths and points.

An *autograded* exercise is an answer cell (a code cell marked as solution, not graded itself)
with the test cells that grade it, named ``test_<answer id>`` or ``test_<answer id>_<part>`` (a
part earns its points on its own: partial credit). A *hand-graded* exercise is a graded solution
cell, usually a written derivation. The length of a solution is the number of lines between the
solution markers that are neither blank nor comments: what a student has to write.

    course-instructor exercises [NAME ...]     # a Markdown table per assignment, and a summary
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path

import nbformat

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"


@dataclass(frozen=True)
class Exercise:
    """One exercise of a notebook.

    Attributes
    ----------
    notebook : str
        The notebook's name, e.g. "01_derivatives".
    grade_id : str
        The answer cell's nbgrader grade id.
    kind : str
        "autograded" or "hand-graded".
    solution_lines : int
        Non-blank, non-comment lines of the solution.
    points : float
        For an autograded exercise the points of its test cells, else the cell's own.
    parts : int
        Test cells that grade it (0 for a hand-graded exercise).
    """

    notebook: str
    grade_id: str
    kind: str
    solution_lines: int
    points: float
    parts: int


def solution_lines(source: str) -> int:
    """Lines between the solution markers that are neither blank nor comments."""
    count, inside = 0, False
    for line in source.splitlines():
        stripped = line.strip()
        if BEGIN_SOLUTION in stripped:
            inside = True
        elif END_SOLUTION in stripped:
            inside = False
        elif inside and stripped and not stripped.startswith("#"):
            count += 1
    return count


def exercises(notebook: Path) -> list[Exercise]:
    """The exercises of one source notebook, in the order of their answer cells."""
    cells = nbformat.read(notebook, as_version=4).cells
    meta = [cell.metadata.get("nbgrader", {}) for cell in cells]
    tests = [(m["grade_id"], m.get("points", 0)) for m in meta
             if m.get("grade") and not m.get("solution")]
    found = []
    for cell, m in zip(cells, meta, strict=True):
        if not m.get("solution"):
            continue
        answer = m["grade_id"]
        if m.get("grade"):
            found.append(Exercise(notebook.stem, answer, "hand-graded",
                                  solution_lines(cell.source), m.get("points", 0), 0))
        elif cell.cell_type == "code":
            graders = [points for test, points in tests
                       if test == f"test_{answer}" or test.startswith(f"test_{answer}_")]
            found.append(Exercise(notebook.stem, answer, "autograded",
                                  solution_lines(cell.source), sum(graders), len(graders)))
    return found


def markdown_table(rows: list[Exercise]) -> str:
    """The exercises as a Markdown table."""
    lines = ["| notebook | exercise | kind | solution lines | points | graded parts |",
             "| --- | --- | --- | ---: | ---: | ---: |"]
    lines += [f"| {e.notebook} | {e.grade_id} | {e.kind} | {e.solution_lines} | {e.points:g} | "
              f"{e.parts} |" for e in rows]
    return "\n".join(lines)


def summary(rows: list[Exercise]) -> str:
    """One paragraph: how many exercises of each kind, the median length, the short ones."""
    auto = [e for e in rows if e.kind == "autograded"]
    if not auto:
        return f"{len(rows)} hand-graded exercise(s), no autograded one."
    lengths = [e.solution_lines for e in auto]
    short = sum(length <= 2 for length in lengths)
    split = sum(e.parts > 1 for e in auto)
    return (f"{len(auto)} autograded exercises ({sum(e.points for e in auto):g} points, "
            f"{split} in several graded parts) and {len(rows) - len(auto)} hand-graded ones "
            f"({sum(e.points for e in rows if e.kind != 'autograded'):g} points); solution "
            f"lengths: median {statistics.median(lengths):g} lines, {short} of {len(auto)} at "
            f"2 lines or fewer ({short / len(auto):.0%}).")
