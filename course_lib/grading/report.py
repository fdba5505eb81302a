"""The class's grades: a row per student and assignment, a CSV file, and an HTML report.

Scores come from nbgrader's gradebook, so points given by hand in formgrader count; the status
and the notes of each submission come from the records `instructor autograde` keeps
(course_lib.grading.autograding). The report shows, per assignment, the distribution of the
scores, the share of submissions that pass each autograded test cell, and the submissions that
could not be graded as handed in, with the reason. Numbers are computed first (`summarize`),
then drawn, in the course's language (`report_html(..., language)`; course_lib.grading.language):
the page and its plots in Korean for a class run in Korean, the CSV file's columns and statuses
always as nbgrader and scripts know them. Notes stay in the language they were written in, their
assignment's.
"""
from __future__ import annotations

import base64
import csv
import html
import io
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
from matplotlib.figure import Figure

from course_lib.grading.autograding import STATUSES, load_outcomes
from course_lib.grading.language import _, speaking
from course_lib.grading.submission_check import grade_id, is_test_cell
from course_lib.language import ENGLISH, KOREAN

CSV_FIELDS = ["assignment", "student", "score", "max_score", "status", "needs_manual_grade",
              "notes"]
NOT_SUBMITTED = "not submitted"


@dataclass
class GradeRow:
    """One student's grade on one assignment; score is None when there is no grade."""

    assignment: str
    student: str
    score: float | None
    max_score: float
    status: str
    needs_manual_grade: bool = False
    notes: str = ""


@dataclass
class AssignmentSummary:
    """What the report shows for one assignment.

    scores : the score of every submission that has a grade
    pass_counts : test cell -> (submissions passing it, submissions graded)
    problems : rows of submissions not graded as handed in (status other than "graded")
    noted : rows of submissions graded as handed in, with notes (repairs, ignored files ...)
    """

    name: str
    max_score: float
    scores: list[float]
    pass_counts: dict[str, tuple[int, int]]
    problems: list[GradeRow] = field(default_factory=list)
    noted: list[GradeRow] = field(default_factory=list)
    not_submitted: int = 0


# -- numbers ----------------------------------------------------------------------------------

def graded_assignments(course) -> list[str]:
    """Assignments of the gradebook with at least one submission."""
    with course.gradebook() as gradebook:
        return [a.name for a in gradebook.assignments if a.submissions]


def grade_rows(course, assignments: list[str]) -> list[GradeRow]:
    """A row per student of the gradebook and per assignment, in that order."""
    from nbgrader.api import MissingEntry
    rows = []
    with course.gradebook() as gradebook:
        students = sorted(s.id for s in gradebook.students)
        for name in assignments:
            outcomes = load_outcomes(course, name)
            max_score = float(gradebook.find_assignment(name).max_score)
            for student in students:
                try:
                    submission = gradebook.find_submission(name, student)
                except MissingEntry:
                    rows.append(GradeRow(name, student, 0.0, max_score, NOT_SUBMITTED))
                    continue
                outcome = outcomes.get(student)
                status = outcome.status if outcome else "graded"
                score = None if status == "error" else float(submission.score)
                rows.append(GradeRow(name, student, score, max_score, status,
                                     bool(submission.needs_manual_grade),
                                     " ".join(outcome.notes) if outcome else ""))
    return rows


def test_cells(course, assignment: str) -> list[str]:
    """The autograded test cells of an assignment's release notebooks, in notebook order."""
    return [grade_id(cell) for path in sorted((course.release_dir / assignment).glob("*.ipynb"))
            for cell in nbformat.read(path, as_version=4).cells
            if grade_id(cell) and is_test_cell(cell) and cell.cell_type == "code"]


def pass_counts(course, assignment: str, students: set[str]) -> dict[str, tuple[int, int]]:
    """test cell -> (passing, graded) over the submissions of `students`."""
    tests = test_cells(course, assignment)
    passed = dict.fromkeys(tests, 0)
    with course.gradebook() as gradebook:
        for submission in gradebook.find_assignment(assignment).submissions:
            if submission.student.id not in students:
                continue
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.name in passed and (grade.score or 0) >= grade.max_score > 0:
                        passed[grade.name] += 1
    return {test: (passed[test], len(students)) for test in tests}


def summarize(course, rows: list[GradeRow]) -> list[AssignmentSummary]:
    summaries = []
    for name in dict.fromkeys(row.assignment for row in rows):
        mine = [r for r in rows if r.assignment == name]
        with_grade = [r for r in mine if r.status != NOT_SUBMITTED and r.score is not None]
        summaries.append(AssignmentSummary(
            name, mine[0].max_score, [r.score for r in with_grade],
            pass_counts(course, name, {r.student for r in with_grade}),
            problems=[r for r in mine if r.status not in ("graded", NOT_SUBMITTED)],
            noted=[r for r in mine if r.status == "graded" and r.notes],
            not_submitted=sum(r.status == NOT_SUBMITTED for r in mine)))
    return summaries


def write_csv(rows: list[GradeRow], path: Path) -> None:
    with open(path, "w", newline="") as stream:
        writer = csv.DictWriter(stream, CSV_FIELDS)
        writer.writeheader()
        for row in rows:
            values = asdict(row)
            values["score"] = "" if row.score is None else f"{row.score:g}"
            values["max_score"] = f"{row.max_score:g}"
            writer.writerow(values)


# -- drawing ----------------------------------------------------------------------------------

def plot_scores(summary: AssignmentSummary) -> Figure:
    """Histogram of the scores, one bar per point (or per twentieth of the maximum)."""
    figure = Figure(figsize=(6, 3.2), layout="constrained")
    axes = figure.subplots()
    width = max(1.0, summary.max_score / 20)
    # bars centred on 0, width, 2 width ... so that a whole score sits in the middle of its bar
    edges = [(i - 0.5) * width for i in range(int(summary.max_score / width) + 2)]
    axes.hist(summary.scores, bins=edges, color="tab:blue", edgecolor="white")
    if summary.scores:
        mean = statistics.fmean(summary.scores)
        axes.axvline(mean, color="black", ls="--",
                     label=_("mean {mean}").format(mean=f"{mean:.1f}"))
        axes.legend(loc="upper left")
    axes.set(xlabel=_("score (of {points} points)").format(points=f"{summary.max_score:g}"),
             ylabel=_("submissions"), title=_("{assignment}: scores").format(
                 assignment=summary.name), xlim=(edges[0], edges[-1]))
    axes.yaxis.get_major_locator().set_params(integer=True)
    return figure


def plot_pass_rates(summary: AssignmentSummary) -> Figure:
    """One horizontal bar per test cell: the percentage of submissions that pass it."""
    tests = list(summary.pass_counts)
    figure = Figure(figsize=(6, 0.45 * len(tests) + 1.2), layout="constrained")
    axes = figure.subplots()
    rates = [100 * p / n if n else 0.0 for p, n in summary.pass_counts.values()]
    axes.barh(tests, rates, color="tab:green")
    for y, (rate, (passed, total)) in enumerate(zip(rates, summary.pass_counts.values(), strict=True)):
        axes.text(min(rate, 80) + 1, y, f"{passed}/{total}", va="center")
    axes.invert_yaxis()  # first test on top
    axes.set(xlim=(0, 100), xlabel=_("submissions passing (%)"),
             title=_("{assignment}: pass rate per test cell").format(assignment=summary.name))
    return figure


def embedded_png(figure: Figure, description: str) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(description)}" src="data:image/png;base64,{data}">'


# -- the page ---------------------------------------------------------------------------------

def table(header: list[str], rows: list[list]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def heading(text: str, level: int = 3) -> str:
    return f"<h{level}>{html.escape(text)}</h{level}>"


def score_text(row: GradeRow) -> str:
    return _("no grade") if row.score is None else f"{row.score:g} / {row.max_score:g}"


def summary_section(summary: AssignmentSummary) -> str:
    scores = summary.scores
    numbers = (_("{graded} graded submissions, {missing} students without a submission. Mean "
                 "{mean}, median {median}, of {points} points.").format(
                     graded=len(scores), missing=summary.not_submitted,
                     mean=f"{statistics.fmean(scores):.2f}",
                     median=f"{statistics.median(scores):g}", points=f"{summary.max_score:g}")
               if scores else _("No graded submissions yet."))
    parts = [f"<h2>{html.escape(summary.name)}</h2>", f"<p>{html.escape(numbers)}</p>",
             embedded_png(plot_scores(summary), _("score distribution of {assignment}").format(
                 assignment=summary.name)),
             embedded_png(plot_pass_rates(summary), _("pass rate per test cell of "
                                                      "{assignment}").format(
                 assignment=summary.name)),
             table([_("test cell"), _("passing"), _("pass rate")],
                   [[test, f"{p}/{n}", f"{100 * p / n:.0f}%" if n else "-"]
                    for test, (p, n) in summary.pass_counts.items()])]
    if summary.problems:
        parts += [heading(_("Not graded as handed in")),
                  table([_("student"), _("status"), _("score"), _("reason")],
                        [[r.student, r.status, score_text(r), r.notes]
                         for r in summary.problems])]
    if summary.noted:
        parts += [heading(_("Graded, with notes")),
                  table([_("student"), _("score"), _("notes")],
                        [[r.student, score_text(r), r.notes] for r in summary.noted])]
    return "\n".join(parts)


STYLE = """body { font-family: sans-serif; max-width: 60em; margin: 2em auto; }
table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #ccc;
padding: 0.3em 0.6em; text-align: left; vertical-align: top; } img { display: block; }"""


def report_html(course_id: str, summaries: list[AssignmentSummary],
                language: str = ENGLISH) -> str:
    """The report page in `language` (its plots too: with a Hangul font in Korean)."""
    with speaking(language):
        if language == KOREAN:
            from course_lib.fonts import use_hangul_font
            use_hangul_font()  # or a warning that says which font to install
        statuses = heading(_("Statuses"), 2) + table(
            [_("status"), _("meaning")], [[s, _(m)] for s, m in STATUSES.items()])
        body = "\n".join(summary_section(s) for s in summaries)
        title = html.escape(_("Grades of {course}").format(course=course_id))
        return (f"<!DOCTYPE html>\n<html lang='{language}'><head><meta charset='utf-8'><title>"
                f"{title}</title><style>{STYLE}</style></head><body>\n<h1>{title}</h1>\n"
                f"{body}\n{statuses}</body></html>\n")
