"""What an assignment asks of the student: its exercises, their solution lengths and points.

An *autograded* exercise is an answer cell (a code cell marked as solution, not graded itself)
with the test cells that grade it, named ``test_<answer id>`` or ``test_<answer id>_<part>`` (a
part earns its points on its own: partial credit). A *hand-graded* exercise is a graded solution
cell, usually a written derivation. The length of a solution is the number of lines between the
solution markers that are neither blank nor comments: what a student has to write.

What the student derives or builds is the first sentence of the exercise's text: the markdown
after the last bold label (**Exercise 2 (3 points).**, **Derivation ...**, **Question ...**) above
the answer cell. Its *listed requirements* are the items of the lists in that text; its *visible
cases* are what the visible part of its test cells (hidden tests left out) checks: each case
(``case(``, ``fresh_case(``), each expected error and each ``assert`` or ``raise AssertionError``.

    course-instructor exercises [NAME ...]     # a Markdown table per assignment, and a summary
    course-instructor exercises --document     # docs/exercises.md: every English assignment
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from pathlib import Path

import nbformat

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
# the bold label that starts an exercise's text, and what follows it
LABEL = re.compile(r"\*\*((?:Exercise|Derivation|Question|Written answer|Task)\b[^*]*)\*\*(.*)",
                   re.S)
LIST_ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)\s+\S", re.M)
VISIBLE_CHECK = re.compile(r"\b(?:fresh_)?case\(|expected_error=|^\s*assert\b|raise AssertionError",
                           re.M)
TASK_LENGTH = 110


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
    task : str
        What the student derives or builds: the first sentence of the exercise's text ("" when
        no labelled text precedes the answer cell).
    requirements : int
        Items of the lists in the exercise's text.
    visible_cases : int
        Cases, expected errors and assertions in the visible part of its test cells.
    """

    notebook: str
    grade_id: str
    kind: str
    solution_lines: int
    points: float
    parts: int
    task: str = ""
    requirements: int = 0
    visible_cases: int = 0


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


def visible_cases(source: str) -> int:
    """Cases, expected errors and assertions of a test cell outside its hidden tests and comments."""
    visible, hidden = [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            hidden = True
        elif END_HIDDEN in line:
            hidden = False
        elif not hidden and not line.lstrip().startswith(("#", "from ", "import ")):
            visible.append(line)
    return len(VISIBLE_CHECK.findall("\n".join(visible)))


def first_sentence(text: str) -> str:
    """The first sentence of markdown `text` on one line, cut to TASK_LENGTH characters without
    leaving a formula or code span open; '|' escaped for a table.
    """
    # "...: 1. With Taylor's formula ...": the sentence goes on into the list's first item
    words = re.sub(r"(?<=:) (?:1\.|[-*]) ", " ", " ".join(text.split()), count=1)
    end = re.search(r"(?<!e\.g)(?<!i\.e)[.?](?=\s|$)", words)
    sentence = words[:end.start() + (words[end.start()] == "?")] if end else words
    if len(sentence) > TASK_LENGTH:
        sentence = sentence[:TASK_LENGTH].rsplit(" ", 1)[0]
        while sentence.count("$") % 2 or sentence.count("`") % 2:
            sentence = sentence[:max(sentence.rfind("$"), sentence.rfind("`"))].rstrip()
        sentence += " …"
    return sentence.replace("|", r"\|")


def _task(label: str, text: str) -> str:
    """What the exercise asks: a subtitle of the label ("Question (2 points): derive ..."), else the
    first sentence of its text (of its list's first item when the text starts with a list).
    """
    subtitle = label.split(":", 1)[1] if ":" in label else ""
    if subtitle.strip():
        return first_sentence(subtitle)
    return first_sentence(re.sub(r"^\s*1\.\s+", "", text))


def exercises(notebook: Path) -> list[Exercise]:
    """The exercises of one source notebook, in the order of their answer cells."""
    cells = nbformat.read(notebook, as_version=4).cells
    meta = [cell.metadata.get("nbgrader", {}) for cell in cells]
    tests = [(m["grade_id"], m.get("points", 0), visible_cases(cell.source))
             for cell, m in zip(cells, meta, strict=True) if m.get("grade") and not m.get("solution")]
    found, label, text = [], "", ""
    for cell, m in zip(cells, meta, strict=True):
        if cell.cell_type == "markdown" and not m.get("solution"):
            labels = list(LABEL.finditer(cell.source))
            if labels:
                label, text = labels[-1].group(1), labels[-1].group(2)
        if not m.get("solution"):
            continue
        answer, task, requirements = m["grade_id"], _task(label, text), len(LIST_ITEM.findall(text))
        if m.get("grade"):
            found.append(Exercise(notebook.stem, answer, "hand-graded", solution_lines(cell.source),
                                  m.get("points", 0), 0, task, requirements, 0))
        elif cell.cell_type == "code":
            graders = [(points, cases) for test, points, cases in tests
                       if test == f"test_{answer}" or test.startswith(f"test_{answer}_")]
            found.append(Exercise(notebook.stem, answer, "autograded", solution_lines(cell.source),
                                  sum(points for points, _ in graders), len(graders), task,
                                  requirements, sum(cases for _, cases in graders)))
        label, text = "", ""  # an exercise's text belongs to the answer cell below it only
    return found


def markdown_table(rows: list[Exercise]) -> str:
    """The exercises as a Markdown table."""
    lines = ["| notebook | exercise | kind | what the student derives or builds | solution lines | "
             "points | graded parts | listed requirements | visible cases |",
             "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {e.notebook} | {e.grade_id} | {e.kind} | {e.task} | {e.solution_lines} | "
              f"{e.points:g} | {e.parts} | {e.requirements} | {e.visible_cases} |" for e in rows]
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


def document(source_dir: Path) -> str:
    """docs/exercises.md: a table per English assignment of `source_dir` that has exercises, and
    the solution lengths of chapters 01-09's autograded exercises in one line.
    """
    parts = ["# Exercises", "",
             "Generated by `python course.py instructor exercises --document` from `solutions/`; "
             "do not edit by hand (a test compares the two). Column meanings: "
             "`course_lib/grading/exercises.py`.", ""]
    everything = []
    for folder in sorted(p for p in source_dir.iterdir() if p.is_dir()):
        if folder.name.endswith("_ko"):
            continue
        rows = [row for notebook in sorted(folder.glob("*.ipynb")) for row in exercises(notebook)]
        if rows:
            everything += rows
            parts += [f"## {folder.name}", "", markdown_table(rows), "", summary(rows), ""]
    core = [e.solution_lines for e in everything
            if e.kind == "autograded" and e.notebook[:2] in {f"{n:02d}" for n in range(1, 10)}]
    short = sum(length <= 2 for length in core)
    parts += ["## Summary", "", f"All: {summary(everything)}", "",
              f"Chapters 01-09: {len(core)} autograded exercises, median solution length "
              f"{statistics.median(core):g} lines, {short} of {len(core)} at 2 lines or fewer "
              f"({short / len(core):.0%})."]
    return "\n".join(parts) + "\n"
