"""Instructor commands, a thin layer over nbgrader's Python API.

    course-instructor check-config          # load nbgrader_config.py, fail loudly
    course-instructor release [NAME ...] [--exchange]
    course-instructor collect NAME [--lms-zip ZIP]
    course-instructor autograde NAME [--student S] [--jobs N] [--time-limit SECONDS]
    course-instructor feedback NAME [--student S]
    course-instructor export [NAME ...] [--output grades.csv]
    course-instructor report [NAME ...] [--output grades_report.html]
    course-instructor status [NAME ...]
    course-instructor exercises [NAME ...]  # what each assignment asks, and its points
    course-instructor exercises --document  # docs/exercises.md
    course-instructor translate extract|check|build [NAME ...]   # the Korean editions
    course-instructor check NOTEBOOK [--time-limit SECONDS]  # a learner's self-check
    python -m course_lib.grading release    # the same without the script on PATH
    python3 course.py instructor release    # the same, from a fresh checkout

docs/instructors.md walks through them. Submissions are checked before nbgrader sees them
(course_lib.grading.submission_check), each is graded in a process of its own with a time limit
(course_lib.grading.autograding), and the grades come out as CSV and as an HTML report
(course_lib.grading.report).

Every command first loads `nbgrader_config.py` itself. nbgrader would only log an error in that
file and go on with its defaults (other directories, hidden tests shown in feedback), so here a
broken file stops the command with exit status 2 and a message naming the problem.

To add a command (collect, autograde, feedback, export, report ...), write a function
`cmd_name(course: Course, args) -> int` and register it with `@command("name", help, arguments)`;
`Course` gives it the loaded config, the nbgrader API and the assignment names.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

import nbformat

from course_lib.grading.course import CONFIG_FILE, Course, CourseConfigError, nbgrader_environment
from course_lib.grading.engines import add_engine_arguments, autograde_executor
from course_lib.grading.submission_check import without_control_characters

# -- commands ---------------------------------------------------------------------------------

COMMANDS: dict[str, tuple] = {}


def command(name: str, help: str, arguments=None):
    """Register `function(course, args) -> exit status` as the subcommand `name`."""
    def register(function):
        COMMANDS[name] = (function, help, arguments)
        return function
    return register


def assignment_names(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="assignments to process (default: all in the source directory)")


def grading_summary(notebook: Path) -> str:
    """'4 autograded tests (9 points), 1 answer graded by hand (2 points)' for a notebook."""
    cells = [c.metadata.get("nbgrader", {}) for c in nbformat.read(notebook, as_version=4).cells]
    graded = [m for m in cells if m.get("grade")]
    tests = [m for m in graded if not m.get("solution")]
    manual = [m for m in graded if m.get("solution")]
    if not graded:
        return "no graded cells"

    def part(group, what):
        plural = "" if len(group) == 1 else "s"
        return (f"{len(group)} {what.format(s=plural)} "
                f"({sum(m.get('points', 0) for m in group):g} points)")
    return ", ".join(part(g, w) for g, w in ((tests, "autograded test{s}"),
                                             (manual, "answer{s} graded by hand")) if g)


@command("check-config", "load nbgrader_config.py and report the settings the course uses")
def cmd_check_config(course: Course, args) -> int:
    cd = course.config.CourseDirectory
    print(f"{course.root / CONFIG_FILE}: OK (course {cd.get('course_id')!r}, "
          f"{cd.source_directory}/ -> {cd.release_directory}/)")
    return 0


def release_arguments(parser: argparse.ArgumentParser) -> None:
    assignment_names(parser)
    parser.add_argument("--exchange", action="store_true",
                        help="also put the student versions into nbgrader's exchange, for "
                             "students to fetch (replacing an earlier release there)")


@command("release", "regenerate the student notebooks from the solutions (nbgrader, --force)",
         release_arguments)
def cmd_release(course: Course, args) -> int:
    names = course.select(args.names)
    for name in names:
        result = course.api.generate_assignment(name, force=True)
        if not result["success"]:
            return failed(f"{name}: nbgrader generate_assignment", result)
        for notebook in sorted((course.release_dir / name).glob("*.ipynb")):
            print(f"released {notebook.relative_to(course.root)}: {grading_summary(notebook)}")
        if args.exchange:
            course.config.ExchangeReleaseAssignment.force = True
            result = course.api.release_assignment(name)
            if not result["success"]:
                return failed(f"{name}: nbgrader release_assignment", result)
            print(f"{name}: in the exchange ({exchange_root(course)}), ready to fetch")
    if not args.names:
        remove_orphan_releases(course)
    return 0


def failed(what: str, result: dict) -> int:
    """Print nbgrader's error for a step that failed; the exit status 1."""
    say(f"{what} failed\n{result.get('error', '')}\n{result.get('log', '')}", file=sys.stderr)
    return 1


def say(text: str, file=None) -> None:
    """Print `text`, which may hold students' file names, ids or output, without its control
    characters: an escape sequence in a name must not reach the instructor's terminal.
    """
    print(without_control_characters(text, keep_newlines=True), file=file)


def exchange_root(course: Course) -> Path:
    from nbgrader.exchange.default.exchange import Exchange
    return Path(Exchange(coursedir=course.coursedir, config=course.config).root)


def remove_orphan_releases(course: Course) -> None:
    """Delete release folders whose source is gone: notebooks/ only ever mirrors solutions/."""
    if not course.release_dir.is_dir():
        return
    sources = set(course.assignments())
    for folder in sorted(course.release_dir.iterdir()):
        if folder.is_dir() and folder.name not in sources:
            print(f"removing {folder.relative_to(course.root)}: no such assignment in "
                  f"{course.source_dir.name}/")
            shutil.rmtree(folder)


# -- collecting, grading, feedback, grades ---------------------------------------------------

def one_assignment(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment")


def collect_arguments(parser: argparse.ArgumentParser) -> None:
    one_assignment(parser)
    parser.add_argument("--lms-zip", type=Path, metavar="ZIP",
                        help="a zip of submissions downloaded from an LMS (Canvas layout: "
                             "<student>_..._<notebook>.ipynb) instead of nbgrader's exchange")


@command("collect", "copy submissions into submitted/: from nbgrader's exchange or an LMS zip",
         collect_arguments)
def cmd_collect(course: Course, args) -> int:
    name = course.select([args.assignment])[0]
    if args.lms_zip:
        return collect_zip(course, name, args.lms_zip)
    result = course.api.collect(name, update=True)
    if not result["success"]:
        return failed(f"{name}: nbgrader collect", result)
    inbound = exchange_root(course) / course.coursedir.course_id / "inbound"
    handed_in = Counter(p.name.split("+")[0] for p in inbound.glob(f"*+{name}+*"))
    for student, times in sorted(handed_in.items()):
        again = f" (handed in {times} times: the latest counts)" if times > 1 else ""
        say(f"{student}: {course.folder('submitted', student, name).relative_to(course.root)}"
            f"{again}")
    print(f"{name}: {len(handed_in)} submissions in the exchange")
    return 0


def collect_zip(course: Course, name: str, zip_path: Path) -> int:
    """Exit status 1 when the zip, or a file of a student in it, cannot be read."""
    from course_lib.grading.lms_zip import BadLmsZip, import_zip
    if not zip_path.is_file():
        raise SystemExit(f"--lms-zip: expected a zip file, {zip_path} does not exist")
    try:
        imported = import_zip(course, name, zip_path)
    except BadLmsZip as error:
        say(f"--lms-zip: {error}; nothing was collected. Download the zip again.",
            file=sys.stderr)
        return 1
    for student, entries in sorted(imported.used.items()):
        late = " (marked LATE by the LMS)" if any(e.late for e in entries) else ""
        say(f"{student}: {', '.join(e.member for e in entries)}{late}")
    for line in imported.superseded:
        say(f"older copy: {line}")
    for folder in imported.replaced:
        say(f"replaced the earlier submission in {folder}")
    for line in imported.unused:
        say(f"not used: {line}")
    for student, problems in sorted(imported.unreadable.items()):
        say(f"NOT COLLECTED {student}: {'; '.join(problems)}. Nothing of {student}'s was "
            f"written to submitted/; download the zip again or ask {student} for the file.",
            file=sys.stderr)
    unreadable = f", {len(imported.unreadable)} not collected" if imported.unreadable else ""
    say(f"{name}: {len(imported.used)} students from {zip_path.name}{unreadable}")
    return 1 if imported.unreadable else 0


def autograde_arguments(parser: argparse.ArgumentParser) -> None:
    from course_lib.grading.autograding import TIME_LIMIT
    one_assignment(parser)
    parser.add_argument("--student", action="append", metavar="S",
                        help="grade only this student (repeat for more; default: everyone "
                             "in submitted/)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="grade N students at a time (default: 1)")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT, metavar="SECONDS",
                        help="wall-clock limit per student; a submission still running is "
                             "stopped and scores 0 with the reason (default: %(default)g)")
    add_engine_arguments(parser)  # issue 7: --engine local|dask, --scheduler


@command("autograde", "grade every submission, each in its own process with a time limit",
         autograde_arguments)
def cmd_autograde(course: Course, args) -> int:
    from course_lib.grading.autograding import grade_students, submitted_students
    name = course.select([args.assignment])[0]
    if args.time_limit <= 0:
        raise SystemExit(f"--time-limit: expected a positive number of seconds, got "
                         f"{args.time_limit:g}")
    students = choose_students(submitted_students(course, name), args.student,
                               f"submissions of {name} in submitted/", f"collect {name}")
    with course.gradebook() as gradebook:  # made here once, not by parallel jobs
        if name not in {a.name for a in gradebook.assignments}:
            raise SystemExit(f"{name} is not in the gradebook yet: run `release {name}` first")
    print_isolation_report()
    start, statuses = time.perf_counter(), Counter()
    with autograde_executor(course, args) as pool:  # issue 7: threads here, or a Dask cluster
        for number, outcome in enumerate(grade_students(pool, course.root, name, students,
                                                        args.time_limit), 1):
            statuses[outcome.status] += 1
            score = "no grade" if outcome.score is None else f"{outcome.score:g}"
            say(f"[{number}/{len(students)}] {outcome.student}: {score} of "
                f"{outcome.max_score:g} points, {outcome.status} ({outcome.seconds:.0f} s)")
            for note in outcome.notes:
                say(f"    {without_control_characters(note)}")
            if outcome.retried:
                say(f"    graded a second time; the first try failed: "
                    f"{without_control_characters(outcome.retried)}")
    counts = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
    print(f"{name}: {len(students)} submissions in {time.perf_counter() - start:.0f} s "
          f"({counts})")
    return 1 if statuses["error"] else 0


def print_isolation_report() -> None:
    """Say plainly, before any student code runs, what this machine cannot isolate."""
    from course_lib.grading.sandbox.kernel import isolation_report
    isolated, messages = isolation_report()
    print("Student code is isolated as follows:" if isolated else
          "WARNING: this machine cannot fully isolate student code while grading:")
    for message in messages:
        print(f"    {message}")


def choose_students(available: list[str], wanted: list[str] | None, what: str,
                    step: str) -> list[str]:
    """`wanted` (the --student options) checked against `available`, or all of `available`.

    `what` names what is available ("submissions of X in submitted/"), `step` the command that
    makes it.
    """
    unknown = sorted(set(wanted or []) - set(available))
    if unknown:
        raise SystemExit(f"--student: expected students with {what}; {', '.join(unknown)} "
                         f"has none. There are: {', '.join(available) or 'none'}")
    if not available:
        raise SystemExit(f"there are no {what}: run `{step}` first")
    return sorted(wanted) if wanted else available


def feedback_arguments(parser: argparse.ArgumentParser) -> None:
    one_assignment(parser)
    parser.add_argument("--student", action="append", metavar="S",
                        help="only this student (repeat for more; default: every graded one)")


@command("feedback", "write each student's feedback page and release it through the exchange",
         feedback_arguments)
def cmd_feedback(course: Course, args) -> int:
    from course_lib.grading.autograding import remove_special_files
    name = course.select([args.assignment])[0]
    graded = sorted(p.parent.name for p in
                    (course.root / course.coursedir.autograded_directory).glob(f"*/{name}"))
    students = choose_students(graded, args.student,
                               f"graded submissions of {name} in autograded/", f"autograde {name}")
    for student in students:  # left after autograde (by a process that outlived the notebook?)
        removed = remove_special_files(course.folder("autograded", student, name))
        if removed:
            say(f"{student}: removed from autograded/: {', '.join(removed)} (not ordinary "
                f"files; nbgrader's feedback cannot copy them)")
    results = ([course.api.generate_feedback(name, s, force=True) for s in args.student]
               if args.student else [course.api.generate_feedback(name, force=True)])
    status = max(failed(f"{name}: nbgrader generate_feedback", r) if not r["success"] else 0
                 for r in results)
    for student in students:
        folder = course.folder("feedback", student, name)
        pages = ", ".join(str(p.relative_to(course.root)) for p in sorted(folder.glob("*.html")))
        if not pages:
            say(f"{student}: no feedback page (see nbgrader's error above)")
        elif (folder / "submission_secret.txt").is_file():  # it came through the exchange
            result = course.api.release_feedback(name, student)
            if not result["success"]:
                status = failed(f"{student}: nbgrader release_feedback", result)
                continue
            say(f"{student}: {pages}, released (students run `nbgrader fetch_feedback`)")
        else:
            say(f"{student}: {pages} (not from the exchange: hand it out, e.g. through the LMS)")
    return status


def names_and_output(default: str, what: str):
    """The arguments of a command writing one file: assignment names and --output."""
    def arguments(parser: argparse.ArgumentParser) -> None:
        assignment_names(parser)
        parser.add_argument("--output", type=Path, default=Path(default),
                            help=f"the {what} to write (default: %(default)s in the course root)")
    return arguments


@command("export", "write the grades to a CSV file, a row per student and assignment",
         names_and_output("grades.csv", "CSV file"))
def cmd_export(course: Course, args) -> int:
    from course_lib.grading.report import grade_rows, write_csv
    rows = grade_rows(course, graded_names(course, args.names))
    path = course.root / args.output
    write_csv(rows, path)
    print(f"{path}: {len(rows)} rows")
    return 0


def graded_names(course: Course, names: list[str]) -> list[str]:
    """`names` checked, or every assignment with a submission in the gradebook."""
    from course_lib.grading.report import graded_assignments
    return course.select(names) if names else graded_assignments(course)


def report_arguments(parser: argparse.ArgumentParser) -> None:
    from course_lib.language import LANGUAGES
    names_and_output("grades_report.html", "HTML page")(parser)
    parser.add_argument("--language", choices=LANGUAGES, default=None,
                        help="the page's language (default: the one the environment variable "
                             "COURSE_LANGUAGE names, else en)")


@command("report", "write an HTML page: scores, pass rate per test cell, problem submissions",
         report_arguments)
def cmd_report(course: Course, args) -> int:
    from course_lib.grading.language import course_language
    from course_lib.grading.report import grade_rows, report_html, summarize
    try:
        language = args.language or course_language()
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    summaries = summarize(course, grade_rows(course, graded_names(course, args.names)))
    path = course.root / args.output
    path.write_text(report_html(course.coursedir.course_id, summaries,
                                language), encoding="utf-8")
    print(f"{path}: open it in a browser")
    return 0


def exercises_arguments(parser: argparse.ArgumentParser) -> None:
    assignment_names(parser)
    parser.add_argument("--document", action="store_true",
                        help="print docs/exercises.md instead: every English assignment and the "
                             "solution lengths of chapters 01-09 (no NAME with it)")


@command("exercises", "per assignment: each exercise, hand- or autograded, what it asks, its "
                      "solution length, points and visible cases", exercises_arguments)
def cmd_exercises(course: Course, args) -> int:
    from course_lib.grading.exercises import document, exercises, markdown_table, summary
    if args.document:
        if args.names:
            print("error: --document covers every assignment; give no NAME with it",
                  file=sys.stderr)
            return 2
        print(document(course.source_dir), end="")
        return 0
    everything = []
    for name in course.select(args.names):
        rows = [row for notebook in sorted((course.source_dir / name).glob("*.ipynb"))
                for row in exercises(notebook)]
        everything += rows
        print(f"## {name}\n\n{markdown_table(rows)}\n\n{summary(rows)}\n")
    if len(args.names) != 1:
        print(f"All: {summary(everything)}")
    return 0


@command("status", "per assignment: submissions collected, graded (by outcome), feedback written",
         assignment_names)
def cmd_status(course: Course, args) -> int:
    from course_lib.grading.autograding import load_outcomes, submitted_students
    for name in course.select(args.names):
        submitted = submitted_students(course, name)
        outcomes = load_outcomes(course, name)
        feedback = [s for s in submitted if any(course.folder("feedback", s, name).glob("*.html"))]
        counts = Counter(o.status for o in outcomes.values())
        statuses = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        ungraded = sorted(set(submitted) - set(outcomes))
        say(f"{name}: {len(submitted)} submitted, {len(outcomes)} autograded"
            + (f" ({statuses})" if statuses else "")
            + f", {len(feedback)} with feedback"
            + (f"; not autograded yet: {', '.join(ungraded)}" if ungraded else ""))
        for outcome in outcomes.values():
            if outcome.status != "graded":
                say(f"    {outcome.student}: {outcome.status}: "
                    f"{without_control_characters(outcome.reason)}")
    return 0


def translate_arguments(parser: argparse.ArgumentParser) -> None:
    from course_lib.grading.translation import add_arguments
    add_arguments(parser)


@command("translate", "the Korean editions: extract the catalogs, check them, build "
         "solutions/<name>_ko (course_lib.grading.translation)", translate_arguments)
def cmd_translate(course: Course, args) -> int:
    from course_lib.grading.translation import run
    return run(args.action, args.names, course.root)


def messages_arguments(parser: argparse.ArgumentParser) -> None:
    from course_lib.grading.catalogs import add_arguments
    add_arguments(parser)


@command("messages", "the catalogs of the checks' and the grading system's texts: extract them "
         "from the code, compile them, check them (course_lib.grading.catalogs)",
         messages_arguments)
def cmd_messages(course: Course, args) -> int:
    from course_lib.grading.catalogs import run
    return run(args.action)


def check_arguments(parser: argparse.ArgumentParser) -> None:
    from course_lib.grading.autograding import TIME_LIMIT
    parser.add_argument("notebook", type=Path, metavar="NOTEBOOK",
                        help="the notebook to check, e.g. notebooks/01_derivatives/"
                             "01_derivatives.ipynb (it is only read)")
    parser.add_argument("--time-limit", type=float, default=TIME_LIMIT, metavar="SECONDS",
                        help="wall-clock limit for grading it (default: %(default)g)")


@command("check", "grade one notebook as autograde would, hidden tests included, and print the "
         "points and messages per exercise (never the hidden tests)", check_arguments)
def cmd_check(course: Course, args) -> int:
    from course_lib.grading.self_check import run
    if args.time_limit <= 0:
        raise SystemExit(f"--time-limit: expected a positive number of seconds, got "
                         f"{args.time_limit:g}")
    return run(course, args.notebook, args.time_limit)


# -- entry point ------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course-instructor",
                                     description="Instructor commands (over nbgrader).")
    parser.add_argument("--root", type=Path, default=None,
                        help="course directory holding nbgrader_config.py (default: the current "
                             "folder if it holds one, else the checkout course_lib comes from)")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text, arguments) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if arguments:
            arguments(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.update(nbgrader_environment())
    try:
        course = Course.open(args.root)
    except CourseConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    function = COMMANDS[args.command][0]
    return function(course, args)
