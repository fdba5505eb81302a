"""The instructor's workflow, end to end, with the real nbgrader on 01_derivatives.

One temporary course and one class, graded once (the module fixture), the way an instructor runs
it with `python -m course_lib.grading`:

    release --exchange       -> students fetch and submit through nbgrader's exchange
                                (alice twice: the later submission counts)
    collect                  -> from the exchange
    collect --lms-zip        -> from a Canvas-style zip (carol twice, dave late, a stray file)
    collect --lms-zip        -> from a damaged zip: erin's file is read, the headers of frank's
                                and of dave's newer file lie about their size (exit status 1)
    autograde --jobs 2       -> everyone at once: the good, and one student per bad case of
                                issues 6, 12 and 18, put into submitted/ as a collect would
                                leave them
    feedback, export, report

so one run also shows that no bad submission stops the grading of the others. Each bad case is
then checked for its grade (in the CSV export and the gradebook) and for the reason its feedback
page gives. A last test stops a notebook that ignores interrupts with the wall-clock limit.
"""
from __future__ import annotations

import base64
import copy
import csv
import io
import os
import re
import shutil
import struct
import zipfile
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from grading_tools import (
    SOLUTION_MARKERS,
    grade_id,
    is_test,
    make_course,
    nbgrader_meta,
    read,
    run_instructor,
    source_notebook,
    student_nbgrader,
    visible_text,
)
from nbgrader.utils import notebook_hash

from course_lib.grading.autograding import load_outcomes
from course_lib.grading.course import CONFIG_FILE, Course

pytestmark = [
    pytest.mark.slow,
    # nbgrader 0.9.6's API misspells `authenticator` when it releases feedback
    pytest.mark.filterwarnings("ignore:Passing unrecognized arguments:DeprecationWarning"),
]

NAME = "01_derivatives"
CELL_TIMEOUT = 12  # Execute.timeout of the test course, in seconds (the course uses 120)
POINTS = {"test_numerical_derivative": 2, "test_tangent_line": 2, "test_numerical_gradient": 3,
          "test_directional_derivative": 2}
ALL = set(POINTS)


@dataclass
class Case:
    """A student of the class: the tests the submission fails, its status, phrases of its
    feedback page, and whether that page starts with notes from grading."""

    fails: set[str]
    status: str = "graded"
    feedback: tuple[str, ...] = ()
    noted: bool = False

    @property
    def score(self) -> int:
        return sum(p for test, p in POINTS.items() if test not in self.fails)


CASES = {
    "complete": Case(set()),
    "exception": Case({"test_numerical_derivative"}, feedback=("raised IndexError",)),
    "wrong_shape": Case({"test_numerical_gradient"}, feedback=("shape (4,)",)),
    "wrong_dtype": Case({"test_numerical_gradient"}, feedback=("expected dtype float32",)),
    "nan": Case({"test_numerical_derivative"}, feedback=("NaN",)),
    "endless_loop": Case({"test_numerical_derivative"}, feedback=("did not finish",)),
    "ignores_interrupt": Case(ALL, "failed", ("did not stop when interrupted",
                                              "ran on the blank notebook"), noted=True),
    "huge_print": Case(set(), feedback=("Output truncated", "was cut to its first 10,000"),
                       noted=True),
    "deleted_test": Case({"test_directional_derivative"},
                         feedback=("test cell test_tangent_line was deleted",
                                   "answer cell directional_derivative was deleted"),
                         noted=True),
    "edited_test": Case(ALL, feedback=("test cell test_numerical_gradient was edited",),
                        noted=True),
    "duplicated_cell": Case(set(), feedback=("cell test_numerical_gradient appears 2 times",),
                            noted=True),
    "markdown_cell": Case(set(), feedback=("changed from a code cell to a markdown cell",),
                          noted=True),
    "invalid_json": Case(ALL, "invalid", ("could not be read as a notebook",), noted=True),
    "missing_notebook": Case(ALL, "missing", ("There is no 01_derivatives.ipynb",
                                              "found: Untitled.ipynb"), noted=True),
    "extra_files": Case(set(), feedback=("not used: data.csv, numpy.py",), noted=True),
    # issue 18: files and text that broke nbgrader's feedback or the autograde command
    # the notebook's folder is its sandbox's scratch: what it makes there never reaches nbgrader
    "leaves_a_socket": Case(set()),
    "hidden_marker": Case(set(), feedback=("# ### BEGIN HIDDEN TESTS (my own heading)",)),
    "bad_timestamp": Case(set(), feedback=(("The timestamp.txt of your submission could not be "
                                            "read (ParserError: Unknown string format"),
                                           "it was ignored, so no late penalty was computed"),
                          noted=True),
    # issue 12: HTML and JavaScript in outputs, a Markdown answer and a file name
    "html_and_escapes": Case(set(), feedback=("<script>window.PWNED = 'markdown'</script>",
                                              "these files were not used: <img src=x onerror="),
                             noted=True),
    # collected from the exchange and from the LMS zips
    "alice": Case(set()),
    "bob": Case({"test_tangent_line"}),
    "carol": Case(set()),
    "dave": Case(ALL),   # his newer file in the damaged zip could not be read: the earlier counts
    "erin": Case(set()),
}


# -- notebooks --------------------------------------------------------------------------------

def answered(release, wrong: dict[str, str] | None = None):
    """The release notebook with the solutions' answers (minus the markers), or `wrong` ones."""
    solution = {grade_id(c): c.source for c in read(source_notebook(NAME)).cells
                if nbgrader_meta(c).get("solution")}
    notebook = copy.deepcopy(release)
    for cell in notebook.cells:
        name = nbgrader_meta(cell).get("grade_id")
        if nbgrader_meta(cell).get("solution"):
            cell.source = "\n".join(line for line in solution[name].splitlines()
                                    if not any(m in line for m in SOLUTION_MARKERS))
        if wrong and name in wrong:
            cell.source = wrong[name]
    return notebook


def cell_index(notebook, name: str) -> int:
    return next(i for i, c in enumerate(notebook.cells) if nbgrader_meta(c).get("grade_id") == name)


# A gradient of the student's own (course_lib's may not be called by the answer it solves),
# right but for how it is returned.
OWN_GRADIENT = """def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        kept = x[index]
        x[index] = kept + h
        up = f(x)
        x[index] = kept - h
        down = f(x)
        x[index] = kept
        grad[index] = (up - down) / (2 * h)
"""
WRONG = {
    "exception": {"numerical_derivative":
                  "def numerical_derivative(f, x, h=1e-4):\n    values = [f(x + h), f(x - h)]\n"
                  "    return (values[1] - values[2]) / (2 * h)"},
    "wrong_shape": {"numerical_gradient":
                    OWN_GRADIENT + "    return grad.ravel()"},
    "wrong_dtype": {"numerical_gradient":
                    OWN_GRADIENT + "    return grad.astype(np.float64)"},
    "nan": {"numerical_derivative": "def numerical_derivative(f, x, h=1e-4):\n    return float('nan')"},
    "endless_loop": {"numerical_derivative":
                     "def numerical_derivative(f, x, h=1e-4):\n    while True:\n        pass"},
    "bob": {"tangent_line": "def tangent_line(f, a, h=1e-4):\n    return f(a), 0.0"},
}
# The interrupt lands on the inner loop, inside the try; the outer loop goes on for ever.
IGNORES_INTERRUPT = """
while True:
    try:
        while True:
            pass
    except KeyboardInterrupt:
        print("not now")
"""
IGNORES_SIGINT = "\nimport signal, time\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\ntime.sleep(1000)"
# Files in its folder that nbgrader's feedback cannot copy (ENXIO; a pipe blocks).
MAKES_SPECIAL_FILES = """
import os, socket
listener = socket.socket(socket.AF_UNIX)
listener.bind("left.sock")
os.mkfifo("answers.fifo")
"""
HIDDEN_MARKER = "\n# ### BEGIN HIDDEN TESTS (my own heading)\n"
SHOWS_HTML = """
from IPython.display import HTML, Javascript, display
display(HTML("<script>window.PWNED = 'html'</script>"
             "<img src=x onerror=\\"window.PWNED = 'img'\\">"))
display(Javascript("window.PWNED = 'javascript'"))
"""
HTML_ANSWER = ("Round-off. <script>window.PWNED = 'markdown'</script> "
               "<img src=x onerror=\"window.PWNED = 'onerror'\"> [see](javascript:window.PWNED=1)")
# A file name with HTML and an escape sequence (it would turn the instructor's terminal red).
HOSTILE_FILE_NAME = "<img src=x onerror=alert(1)>\x1b[31mred.txt"


def bad_submissions(release) -> dict[str, object]:
    """student -> notebook (or raw text for the invalid one) for each bad case."""
    good = answered(release)
    made = {student: answered(release, wrong) for student, wrong in WRONG.items()
            if student in CASES and student != "bob"}
    made["complete"] = good

    nb = copy.deepcopy(good)
    nb.cells[cell_index(nb, "tangent_line")].source += IGNORES_INTERRUPT
    made["ignores_interrupt"] = nb

    nb = copy.deepcopy(good)  # many lines (nbgrader's LimitOutput), one very long line (ours)
    nb.cells[cell_index(nb, "tangent_line")].source += (
        "\nfor i in range(100_000):\n    print('line', i)")
    nb.cells[cell_index(nb, "numerical_gradient")].source += "\nprint('x' * 3_000_000)"
    made["huge_print"] = nb

    nb = copy.deepcopy(good)  # a test cell, and an answer with its test (nbgrader fails on that)
    for name in ("test_tangent_line", "directional_derivative", "test_directional_derivative"):
        del nb.cells[cell_index(nb, name)]
    made["deleted_test"] = nb

    nb = copy.deepcopy(release)  # no answers, and every test cell made to pass
    for cell in nb.cells:
        if is_test(cell):
            cell.source = "print('All tests pass!')"
    made["edited_test"] = nb

    nb = copy.deepcopy(good)
    index = cell_index(nb, "test_numerical_gradient")
    duplicate = copy.deepcopy(nb.cells[index])
    duplicate.id = "pasted-copy"
    nb.cells.insert(index + 1, duplicate)
    made["duplicated_cell"] = nb

    nb = copy.deepcopy(good)
    index = cell_index(nb, "numerical_derivative")
    code = nb.cells[index]
    nb.cells[index] = nbformat.v4.new_markdown_cell(code.source, metadata=code.metadata,
                                                    id=code.id)
    made["markdown_cell"] = nb

    nb = copy.deepcopy(good)
    nb.cells[cell_index(nb, "tangent_line")].source += MAKES_SPECIAL_FILES
    made["leaves_a_socket"] = nb

    nb = copy.deepcopy(good)  # nbgrader's ClearHiddenTests stopped on it in any cell
    nb.cells[cell_index(nb, "numerical_gradient")].source += HIDDEN_MARKER
    made["hidden_marker"] = nb

    made["bad_timestamp"] = good

    nb = copy.deepcopy(good)
    nb.cells[cell_index(nb, "tangent_line")].source += SHOWS_HTML
    nb.cells[cell_index(nb, "why_roundoff")].source = HTML_ANSWER
    made["html_and_escapes"] = nb

    made["invalid_json"] = '{"cells": [{"cell_type": "code", "source": "x = 1"'
    made["missing_notebook"] = ("Untitled.ipynb", good)
    made["extra_files"] = good
    return made


def write_submission(course: Path, student: str, content) -> None:
    folder = course / "submitted" / student / NAME
    folder.mkdir(parents=True)
    filename = f"{NAME}.ipynb"
    if isinstance(content, tuple):
        filename, content = content
    if isinstance(content, str):
        (folder / filename).write_text(content)
    else:
        nbformat.write(content, folder / filename)
    if student == "extra_files":
        (folder / "numpy.py").write_text("raise ImportError('the numpy.py of the submission')\n")
        (folder / "data.csv").write_text("x,y\n1,2\n")
    if student == "bad_timestamp":
        (folder / "timestamp.txt").write_text("handed in on time, honest!\n")
    if student == "html_and_escapes":
        (folder / HOSTILE_FILE_NAME).write_text("x")


# -- running things ---------------------------------------------------------------------------

def submit_through_exchange(root: Path, course: Path, exchange: Path) -> None:
    """alice fetches, submits the blank notebook, then her answers; bob submits his answers."""
    homes = {s: root / f"home_{s}" for s in ("alice", "bob")}
    for home in homes.values():
        home.mkdir()
    student_nbgrader(homes["alice"], exchange, "fetch_assignment", NAME)
    shutil.copytree(homes["alice"] / NAME, homes["bob"] / NAME)  # what bob's fetch gives him
    student_nbgrader(homes["alice"], exchange, "submit", NAME, "--student", "alice")
    release = read(course / "notebooks" / NAME / f"{NAME}.ipynb")
    nbformat.write(answered(release), homes["alice"] / NAME / f"{NAME}.ipynb")
    nbformat.write(answered(release, WRONG["bob"]), homes["bob"] / NAME / f"{NAME}.ipynb")
    student_nbgrader(homes["alice"], exchange, "submit", NAME, "--student", "alice")
    student_nbgrader(homes["bob"], exchange, "submit", NAME, "--student", "bob")


def canvas_zip(path: Path, release) -> Path:
    """A zip in Canvas's layout: carol twice (the later one right), dave late, a stray file."""
    text = {"blank": nbformat.writes(release), "right": nbformat.writes(answered(release))}
    files = [("carol_3011_90001_01_derivatives.ipynb", (2024, 3, 1, 10, 0, 0), text["blank"]),
             ("carol_3011_90007_01_derivatives-1.ipynb", (2024, 3, 2, 9, 0, 0), text["right"]),
             ("dave_LATE_3012_90002_01_derivatives.ipynb", (2024, 3, 3, 9, 0, 0), text["blank"]),
             ("dave_3012_90002_scratch.txt", (2024, 3, 3, 9, 0, 0), "notes")]
    with zipfile.ZipFile(path, "w") as archive:
        for name, date, content in files:
            archive.writestr(zipfile.ZipInfo(name, date), content)
    return path


def lie_about_size(data: bytes, member: str, size: int) -> bytes:
    """The zip `data` with both headers of `member` claiming `size` bytes uncompressed."""
    data = bytearray(data)
    name = member.encode()
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        name_at = 30 if signature == b"PK\x03\x04" else 46
        start = next(i for i in range(len(data)) if data.startswith(signature, i)
                     and data[i + name_at:i + name_at + len(name)] == name)
        data[start + size_at:start + size_at + 4] = struct.pack("<I", size)
    return bytes(data)


LYING_MEMBERS = ("frank_4002_91002_01_derivatives.ipynb",
                 "dave_LATE_3012_90009_01_derivatives-1.ipynb")
STRAY_WITH_ESCAPES = "notes\x1b]0;owned\x07.txt"


def damaged_zip(path: Path, release) -> Path:
    """erin's notebook, read fine; frank's and dave's newer one, whose headers say 100 bytes."""
    right = nbformat.writes(answered(release))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("erin_4001_91001_01_derivatives.ipynb",
                                         (2024, 3, 4, 9, 0, 0)), right)
        for member in LYING_MEMBERS:
            archive.writestr(zipfile.ZipInfo(member, (2024, 3, 5, 9, 0, 0)), right)
        archive.writestr(STRAY_WITH_ESCAPES, "x")
    data = buffer.getvalue()
    for member in LYING_MEMBERS:
        data = lie_about_size(data, member, 100)
    path.write_bytes(data)
    return path


@dataclass
class GradedClass:
    course: Path
    exchange: Path
    output: dict[str, str]  # what each command printed

    def feedback_text(self, student: str) -> str:
        path = self.course / "feedback" / student / NAME / f"{NAME}.html"
        return visible_text(path.read_text())

    def csv_rows(self) -> dict[str, dict]:
        with open(self.course / "grades.csv", newline="") as stream:
            return {row["student"]: row for row in csv.DictReader(stream)}

    def graded_notebook(self, student: str):
        return read(self.course / "autograded" / student / NAME / f"{NAME}.ipynb")


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory) -> GradedClass:
    root = tmp_path_factory.mktemp("class")
    course, exchange = root / "course", root / "exchange"
    course.mkdir()
    exchange.mkdir(mode=0o777)
    make_course(course, [NAME])
    with open(course / CONFIG_FILE, "a") as config:
        config.write(f"\n# the test's own exchange, and a shorter limit per cell\n"
                     f"c.Exchange.root = {str(exchange)!r}\n"
                     f"c.Execute.timeout = {CELL_TIMEOUT}\n")
    output = {}

    def step(label: str, *args: str, expected: int = 0) -> None:
        status, output[label] = run_instructor(course, *args)
        assert status == expected, f"{' '.join(args)}: exit status {status}\n{output[label]}"

    step("release", "release", NAME, "--exchange")
    submit_through_exchange(root, course, exchange)
    step("collect", "collect", NAME)
    release = read(course / "notebooks" / NAME / f"{NAME}.ipynb")
    step("collect_zip", "collect", NAME, "--lms-zip", str(canvas_zip(root / "canvas.zip", release)))
    step("collect_damaged_zip", "collect", NAME, "--lms-zip",
         str(damaged_zip(root / "damaged.zip", release)), expected=1)
    for student, content in bad_submissions(release).items():
        write_submission(course, student, content)
    step("autograde", "autograde", NAME, "--jobs", "2")
    step("feedback", "feedback", NAME)
    step("export", "export")
    step("report", "report")
    step("status", "status", NAME)
    return GradedClass(course, exchange, output)


# -- the bad cases ----------------------------------------------------------------------------

def test_one_autograde_run_grades_the_whole_class(graded_class):
    lines = [line for line in graded_class.output["autograde"].splitlines()
             if line.startswith("[")]
    assert len(lines) == len(CASES), graded_class.output["autograde"]
    assert {re.match(r"\[\d+/\d+\] (\w+):", line)[1] for line in lines} == set(CASES)
    assert f"{NAME}: {len(CASES)} submissions" in graded_class.output["autograde"]


def test_autograde_says_how_student_code_is_isolated_before_grading(graded_class):
    output = graded_class.output["autograde"]
    report = output.index("Student code is isolated as follows:" if os.geteuid() == 0
                          else "WARNING: this machine cannot fully isolate student code")
    assert "sandbox:" in output and report < output.index("[1/")


@pytest.mark.parametrize("student", CASES)
def test_each_submission_gets_its_grade(graded_class, student):
    case = CASES[student]
    row = graded_class.csv_rows()[student]
    assert (float(row["score"]), float(row["max_score"]), row["status"]) == (case.score, 11, case.status)
    outcome = load_outcomes(Course.open(graded_class.course), NAME)[student]
    assert (outcome.score, outcome.status) == (case.score, case.status)


@pytest.mark.parametrize("student", CASES)
def test_each_feedback_page_gives_the_reason(graded_class, student):
    text = graded_class.feedback_text(student)
    for phrase in CASES[student].feedback:
        assert phrase in text, f"{student}: {phrase!r} is not in the feedback"
    assert ("Notes from grading" in text) == CASES[student].noted


def test_a_duplicated_graded_cell_counts_once(graded_class):
    graded = graded_class.graded_notebook("duplicated_cell")
    graded_ids = [nbgrader_meta(c).get("grade_id") for c in graded.cells if is_test(c)]
    assert graded_ids.count("test_numerical_gradient") == 1
    assert float(graded_class.csv_rows()["duplicated_cell"]["max_score"]) == 11


def test_a_huge_print_is_cut_short(graded_class):
    def size(student: str) -> int:
        return (graded_class.course / "autograded" / student / NAME / f"{NAME}.ipynb").stat().st_size
    assert size("huge_print") < size("complete") + 30_000, "the 3 MB line or 100,000 lines stayed"
    graded = graded_class.graded_notebook("huge_print")

    def printed(answer: str) -> str:
        return "".join(o.get("text", "") for o in graded.cells[cell_index(graded, answer)].outputs)
    assert printed("tangent_line").count("\n") <= 200
    assert "output cut: 3,000,001 characters in all" in printed("numerical_gradient")


def test_extra_files_stay_out_of_grading(graded_class):
    graded = graded_class.course / "autograded" / "extra_files" / NAME
    assert not (graded / "numpy.py").exists() and not (graded / "data.csv").exists()
    assert (graded_class.course / "submitted" / "extra_files" / NAME / "numpy.py").exists()


def test_submitted_notebooks_are_left_as_handed_in(graded_class):
    submitted = graded_class.course / "submitted" / "duplicated_cell" / NAME / f"{NAME}.ipynb"
    ids = [nbgrader_meta(c).get("grade_id") for c in read(submitted).cells]
    assert ids.count("test_numerical_gradient") == 2
    assert "Notes from grading" not in submitted.read_text()


class Tags(HTMLParser):
    """The start tags of a page, with their attributes, in its <head> and after it."""

    def __init__(self, page: str):
        super().__init__()
        self.head, self.body, self._in_head = [], [], False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self._in_head = self._in_head or tag == "head"
        (self.head if self._in_head else self.body).append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_head = self._in_head and tag != "head"


def test_html_of_the_student_is_shown_not_run_in_the_feedback(graded_class):
    page = (graded_class.course / "feedback" / "html_and_escapes" / NAME / f"{NAME}.html").read_text()
    tags = Tags(page)
    policies = [a["content"] for tag, a in tags.head
                if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(policies) == 1 and "script-src 'none'" in policies[0] \
        and "default-src 'none'" in policies[0], policies
    assert page.index("Content-Security-Policy") < page.index("<style")  # before what it governs
    assert not [tag for tag, _ in tags.body if tag in ("script", "iframe", "object", "embed")]
    assert not [(tag, a) for tag, attributes in tags.body for a in attributes if a.startswith("on")]
    assert not [a for _, a in tags.body if a.get("href", "").lower().startswith("javascript:")]
    text = graded_class.feedback_text("html_and_escapes")
    assert "<script>window.PWNED = 'html'</script>" in text  # the output, shown as text
    assert text.count("window.PWNED = 'javascript'") == 1  # in the code; the output is dropped
    assert "\\x1b[31mred.txt" in text and "\x1b" not in page


PAST_THE_SANITIZER = ("<script>window.PWNED = 'script'</script>"
                      "<img src=x onerror=\"window.PWNED = 'onerror'\">")


@pytest.mark.browser
def test_no_script_runs_in_a_feedback_page_not_even_one_past_the_sanitizer(graded_class, chromium,
                                                                             tmp_path):
    """The page's Content-Security-Policy, in a real Chromium: a script put into the page (as if
    the sanitizer had missed it) does not run; without the policy it would (the control)."""
    page = (graded_class.course / "feedback" / "html_and_escapes" / NAME / f"{NAME}.html").read_text()
    injected = page.replace("</h4>", "</h4>" + PAST_THE_SANITIZER, 1)
    pages = {"as written": page, "with a script": injected,
             "the control, without the policy": re.sub(r"<meta [^>]*Content-Security-Policy[^>]*>",
                                                       "", injected)}
    found = {}
    for what, text in pages.items():
        path = tmp_path / f"{len(found)}.html"
        path.write_text(text)
        tab = chromium.new_page()
        tab.goto(path.as_uri())
        tab.wait_for_load_state("networkidle")
        found[what] = tab.evaluate("() => window.PWNED === undefined ? null : window.PWNED")
        tab.close()
    assert found == {"as written": None, "with a script": None,
                     "the control, without the policy": found["the control, without the policy"]}
    assert found["the control, without the policy"] in ("script", "onerror")


def test_the_class_report_escapes_the_notes(graded_class):
    page = (graded_class.course / "grades_report.html").read_text()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_terminal_output_shows_escape_sequences_as_text(graded_class):
    output = graded_class.output
    for label in ("autograde", "collect_damaged_zip", "status", "feedback"):
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f]", output[label]), label
    assert "\\x1b[31mred.txt" in output["autograde"]
    assert "not used: notes\\x1b]0;owned\\x07.txt" in output["collect_damaged_zip"]


def test_special_files_left_by_the_notebook_are_removed_before_feedback(graded_class):
    graded = graded_class.course / "autograded" / "leaves_a_socket" / NAME
    assert sorted(p.name for p in graded.iterdir()) == [f"{NAME}.ipynb"]
    assert "leaves_a_socket: feedback/leaves_a_socket" in graded_class.output["feedback"]


def test_a_timestamp_nbgrader_cannot_read_is_ignored(graded_class):
    assert not (graded_class.course / "prepared" / "bad_timestamp" / NAME / "timestamp.txt").exists()
    assert (graded_class.course / "submitted" / "bad_timestamp" / NAME / "timestamp.txt").exists()
    assert "bad_timestamp: 9 of 11 points, graded" in graded_class.output["autograde"]


def test_a_zip_member_whose_header_lies_is_skipped_and_the_rest_collected(graded_class):
    out = graded_class.output["collect_damaged_zip"]
    assert "Traceback" not in out
    assert "erin: erin_4001_91001_01_derivatives.ipynb" in out
    for student, member in zip(("frank", "dave"), LYING_MEMBERS, strict=True):
        assert (f"NOT COLLECTED {student}: {member}: BadZipFile: Bad CRC-32 for file "
                f"'{member}'") in out
    assert f"{NAME}: 1 students from damaged.zip, 2 not collected" in out
    assert not (graded_class.course / "submitted" / "frank").exists()
    dave = read(graded_class.course / "submitted" / "dave" / NAME / f"{NAME}.ipynb")
    assert dave == read(graded_class.course / "notebooks" / NAME / f"{NAME}.ipynb")  # the blank one


def test_a_file_that_is_not_a_zip_is_refused(graded_class, tmp_path):
    before = sorted(p.name for p in (graded_class.course / "submitted").iterdir())
    (tmp_path / "submissions.zip").write_text("<html>session expired, please log in</html>")
    status, out = run_instructor(graded_class.course, "collect", NAME, "--lms-zip",
                      str(tmp_path / "submissions.zip"))
    assert status == 1 and "Traceback" not in out
    assert "cannot be read as a zip file (BadZipFile: File is not a zip file); nothing was " \
           "collected" in out
    assert sorted(p.name for p in (graded_class.course / "submitted").iterdir()) == before


# -- the workflow -----------------------------------------------------------------------------

def test_release_puts_the_assignment_into_the_exchange(graded_class):
    outbound = graded_class.exchange / "dl-foundations" / "outbound" / NAME / f"{NAME}.ipynb"
    assert outbound.read_bytes() == (graded_class.course / "notebooks" / NAME /
                                     f"{NAME}.ipynb").read_bytes()
    assert "4 autograded tests (9 points)" in graded_class.output["release"]


def test_collect_from_the_exchange_takes_the_latest_submission(graded_class):
    assert "alice: submitted/alice/01_derivatives (handed in 2 times: the latest counts)" \
        in graded_class.output["collect"]
    assert float(graded_class.csv_rows()["alice"]["score"]) == 9  # her first one was blank


def test_collect_from_an_lms_zip(graded_class):
    out = graded_class.output["collect_zip"]
    assert "carol: carol_3011_90007_01_derivatives-1.ipynb" in out
    assert ("carol handed in 01_derivatives.ipynb 2 times: carol_3011_90001_01_derivatives.ipynb"
            " is older than carol_3011_90007_01_derivatives-1.ipynb") in out
    assert "dave: dave_LATE_3012_90002_01_derivatives.ipynb (marked LATE by the LMS)" in out
    assert "not used: dave_3012_90002_scratch.txt" in out
    assert sorted(p.name for p in (graded_class.course / "submitted" / "carol" / NAME).iterdir()) \
        == [f"{NAME}.ipynb"]


def test_feedback_is_released_through_the_exchange(graded_class):
    released = graded_class.exchange / "dl-foundations" / "feedback"
    for student in ("alice", "bob"):
        secret = (graded_class.course / "submitted" / student / NAME /
                  "submission_secret.txt").read_text()
        page = released / f"{notebook_hash(secret=secret, notebook_id=NAME)}.html"
        assert page.read_text() == (graded_class.course / "feedback" / student / NAME /
                                    f"{NAME}.html").read_text()
    assert len(list(released.glob("*.html"))) == 2  # the others did not come through it
    assert "carol: feedback/carol/01_derivatives/01_derivatives.html (not from the exchange" \
        in graded_class.output["feedback"]


def test_export_has_a_row_per_student_with_the_right_numbers(graded_class):
    rows = graded_class.csv_rows()
    assert set(rows) == set(CASES)
    assert {s: float(r["score"]) for s, r in rows.items()} == {s: c.score for s, c in CASES.items()}
    assert rows["invalid_json"]["notes"].startswith("01_derivatives.ipynb could not be read")
    assert rows["complete"]["notes"] == ""


def embedded_images(page: str) -> list[bytes]:
    return [base64.b64decode(data) for data in
            re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', page)]


def test_report_shows_the_plots_and_the_numbers(graded_class):
    page = (graded_class.course / "grades_report.html").read_text()
    images = embedded_images(page)
    assert len(images) == 2 and all(i.startswith(b"\x89PNG") and len(i) > 5000 for i in images)
    scores = [c.score for c in CASES.values()]
    mean = sum(scores) / len(scores)
    assert f"{len(CASES)} graded submissions" in page and f"Mean {mean:.2f}" in page
    text = visible_text(page)
    for test in POINTS:
        passing = sum(test not in c.fails for c in CASES.values())
        assert f"{test}{passing}/{len(CASES)}" in text.replace(" ", ""), test
    problems = text[text.index("Not graded as handed in"):text.index("Graded, with notes")]
    for student, case in CASES.items():
        assert (student in problems) == (case.status != "graded"), student
    assert "did not stop when interrupted" in problems


def test_status_summarises_the_class(graded_class):
    out = graded_class.output["status"]
    counts = ", ".join(f"{n} {status}" for status, n in
                       sorted(Counter(c.status for c in CASES.values()).items()))
    assert (f"{NAME}: {len(CASES)} submitted, {len(CASES)} autograded ({counts}), "
            f"{len(CASES)} with feedback") in out
    assert "    missing_notebook: missing: " in out


# -- the wall-clock limit ---------------------------------------------------------------------

def test_a_notebook_past_the_time_limit_is_stopped_and_scores_zero(graded_class):
    release = read(graded_class.course / "notebooks" / NAME / f"{NAME}.ipynb")
    notebook = answered(release)
    notebook.cells[cell_index(notebook, "numerical_derivative")].source += IGNORES_SIGINT
    write_submission(graded_class.course, "sleeper", notebook)
    status, out = run_instructor(graded_class.course, "autograde", NAME, "--student", "sleeper",
                      "--time-limit", "8")
    assert status == 0, out
    assert "sleeper: 0 of 11 points, failed" in out
    assert "the notebook did not finish in 8 s (an endless loop that ignores interrupts?)" in out
    outcome = load_outcomes(Course.open(graded_class.course), NAME)["sleeper"]
    assert outcome.status == "failed" and outcome.score == 0

