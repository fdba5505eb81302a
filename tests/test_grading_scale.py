"""Grading at scale (issue 7): many graders writing one gradebook at the same time.

- SQLite, the gradebook of one machine: a gradebook prepared by the course lets writers go on
  while someone holds a long read, and makes a writer wait for a long write, where nbgrader's
  own SQLite gradebook fails with "database is locked" (real nbgrader Gradebook writes from
  separate processes);
- `instructor autograde --jobs 2` grades a practice class of 4 into one SQLite gradebook, into a
  real PostgreSQL server that the test starts, and on a real Dask cluster of two worker
  processes on 127.0.0.1: every student's grades land, and equal those of grading one at a time;
- a submission that forks until its process limit refuses, graded beside others, does not make
  their kernels fail;
- the engine options and the gradebook URL: clear messages, the right defaults.
"""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from grading_tools import make_course, nbgrader
from nbgrader.api import Gradebook
from postgres_server import REQUIRED, PostgresServer, missing_reason

from course_lib.grading.autograding import load_outcomes
from course_lib.grading.course import Course, nbgrader_environment
from course_lib.grading.engines import (
    SQLITE_BUSY_TIMEOUT,
    EngineError,
    gradebook_url,
    grading_executor,
    loopback_cluster,
    prepare_gradebook,
)
from course_lib.grading.practice_class import write_practice_class

ASSIGNMENT = "01_derivatives"
CLASS_SIZE = 4
COURSE_ID = "dl-foundations"
# Graded concurrently, the jobs' own durations add up to more than the wall-clock time of the
# run (about twice with 2 at a time); one at a time, they add up to less.
OVERLAP = 1.3


@pytest.fixture(autouse=True)
def nbgrader_on_path(monkeypatch):
    """nbgrader runs `alembic` by name when it creates a gradebook in this process."""
    monkeypatch.setenv("PATH", nbgrader_environment()["PATH"])


# -- a course, a class, a grading run ---------------------------------------------------------

def practice_course(folder: Path, db_url: str | None = None) -> Path:
    """A course with ASSIGNMENT released (into `db_url`, if given) and CLASS_SIZE submissions."""
    root = make_course(folder, [ASSIGNMENT])
    if db_url:
        with (root / "nbgrader_config.py").open("a") as config:
            config.write(f"\nc.CourseDirectory.db_url = {db_url!r}\n")
    nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    write_practice_class(root, ASSIGNMENT, CLASS_SIZE)
    return root


def autograde(root: Path, *options: str) -> float:
    """Run `instructor autograde ASSIGNMENT *options`; its wall-clock seconds."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "course_lib.grading", "--root", str(root),
                             "autograde", ASSIGNMENT, *options], env=nbgrader_environment(),
                            capture_output=True, text=True)
    assert result.returncode == 0, f"autograde {options} failed:\n{result.stdout[-4000:]}" \
                                   f"\n{result.stderr[-4000:]}"
    return time.perf_counter() - start


def class_grades(db_url: str) -> dict[str, dict[str, float | None]]:
    """student -> {test cell -> autograded score} of every submission in the gradebook."""
    with Gradebook(db_url, COURSE_ID) as gradebook:
        return {submission.student.id: {grade.name: grade.auto_score
                                        for notebook in submission.notebooks
                                        for grade in notebook.grades if grade.cell_type == "code"}
                for submission in gradebook.find_assignment(ASSIGNMENT).submissions}


def overlap(root: Path, wall_seconds: float) -> float:
    """The jobs' own seconds added up, over the run's wall-clock seconds."""
    outcomes = load_outcomes(Course.open(root), ASSIGNMENT)
    return sum(o.seconds for o in outcomes.values()) / wall_seconds


def assert_all_landed(grades: dict, reference: dict) -> None:
    assert sorted(grades) == sorted(reference), "a student's submission is missing"
    missing = {s: [c for c, score in cells.items() if score is None]
               for s, cells in grades.items() if None in cells.values()}
    assert not missing, f"test cells without an autograded score: {missing}"
    assert grades == reference, "grades differ from those graded one at a time"


@pytest.fixture(scope="module")
def serial_grades(tmp_path_factory) -> dict:
    """The practice class graded one at a time into SQLite: the reference."""
    root = practice_course(tmp_path_factory.mktemp("serial"))
    wall = autograde(root, "--jobs", "1")
    assert overlap(root, wall) < 1.0
    grades = class_grades(gradebook_url(None, root))
    totals = {sum(cells.values()) for cells in grades.values()}
    assert len(totals) >= 3, f"the practice class should score differently: {grades}"
    return grades


# -- SQLite under concurrent writers ----------------------------------------------------------

WRITER = """
import json, sys
from nbgrader.api import Gradebook
url, students = sys.argv[1], sys.argv[2:]
print("ready", flush=True)
try:
    for student in students:
        with Gradebook(url, "dl-foundations") as gradebook:
            gradebook.update_or_create_student(student)
            gradebook.update_or_create_submission("hw", student)
            notebook = gradebook.find_submission_notebook("nb", "hw", student)
            for grade in notebook.grades:
                grade.auto_score = 1.0
            gradebook.db.commit()
    print(json.dumps("ok"))
except Exception as error:
    print(json.dumps(f"{type(error).__name__}: {error}"))
"""


def small_gradebook(path: Path) -> str:
    """A fresh SQLite gradebook (nbgrader's own URL) with one assignment of two test cells."""
    url = f"sqlite:///{path}"
    with Gradebook(url, COURSE_ID) as gradebook:
        gradebook.update_or_create_assignment("hw")
        gradebook.update_or_create_notebook("nb", "hw")
        for cell in ("test_a", "test_b"):
            gradebook.update_or_create_grade_cell(cell, "nb", "hw", max_score=1.0,
                                                  cell_type="code")
    return url


def start_writers(url: str, groups: list[list[str]]) -> list[subprocess.Popen]:
    """One process per group of students, each writing their grades; all ready to write."""
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, *group],
                                stdout=subprocess.PIPE, text=True, env=nbgrader_environment())
               for group in groups]
    for writer in writers:
        assert writer.stdout.readline().strip() == "ready"
    return writers


def finish(writers: list[subprocess.Popen]) -> list[str]:
    """Each writer's last word: "ok", or the error that stopped it.

    Read from `writer.stdout` itself, not by `communicate(timeout=...)`: that reads the raw pipe
    and loses what `readline()` already buffered, the whole output of a writer that is quick.
    """
    words = []
    for writer in writers:
        writer.wait(timeout=300)
        lines = writer.stdout.read().splitlines()
        assert lines, f"a writer ended (exit code {writer.returncode}) without a word"
        words.append(json.loads(lines[-1]))
    return words


def graded_students(url: str) -> set[str]:
    with Gradebook(url, COURSE_ID) as gradebook:
        return {s.student.id for s in gradebook.find_assignment("hw").submissions
                if all(g.auto_score == 1.0 for n in s.notebooks for g in n.grades)}


GROUPS = [["ann", "ben", "cem"], ["dia", "eli", "fay"]]


def contested_gradebook(folder: Path, prepared: bool) -> str:
    """A small gradebook in `folder`: as the course prepares it, or nbgrader's own (the control)."""
    url = small_gradebook(folder / "gradebook.db")
    if prepared:
        url = gradebook_url(url, folder)
        prepare_gradebook(url, COURSE_ID)
    return url


def assert_every_writer_landed(words: list[str], url: str, prepared: bool) -> None:
    """Prepared: every writer's grades are in. The control: nbgrader's own gradebook fails."""
    if prepared:
        assert words == ["ok", "ok"]
        assert graded_students(url) == {s for group in GROUPS for s in group}
    else:
        assert all("database is locked" in word for word in words), words


@pytest.mark.slow
@pytest.mark.parametrize("prepared", [False, True], ids=["nbgrader-default", "course"])
def test_a_long_reader_stops_no_writer(tmp_path, prepared):
    """Someone reads the gradebook (formgrader, an export) all the while the graders write."""
    url = contested_gradebook(tmp_path, prepared)
    reader = sqlite3.connect(tmp_path / "gradebook.db", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM grade").fetchall()  # holds the read until COMMIT
    try:
        words = finish(start_writers(url, GROUPS))
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert_every_writer_landed(words, url, prepared)


@pytest.mark.slow
@pytest.mark.parametrize("prepared", [False, True], ids=["nbgrader-default", "course"])
def test_a_writer_waits_for_a_long_write(tmp_path, prepared):
    """A write lock held for longer than SQLite's default 5 s wait (a slow export, say)."""
    url = contested_gradebook(tmp_path, prepared)
    holder = sqlite3.connect(tmp_path / "gradebook.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock
    try:
        writers = start_writers(url, GROUPS)
        deadline = time.monotonic() + 7.0
        while time.monotonic() < deadline and any(w.poll() is None for w in writers):
            time.sleep(0.1)
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert_every_writer_landed(finish(writers), url, prepared)


# -- the class, graded concurrently ------------------------------------------------------------

@pytest.mark.slow
def test_two_jobs_into_one_sqlite_gradebook(tmp_path, serial_grades):
    root = practice_course(tmp_path)
    wall = autograde(root, "--jobs", "2")
    url = gradebook_url(None, root)
    assert_all_landed(class_grades(url), serial_grades)
    assert overlap(root, wall) > OVERLAP, "the two jobs did not run at the same time"
    mode = sqlite3.connect(root / "gradebook.db").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


# Forks until the sandbox's process limit refuses, then keeps its children for 25 s: long
# enough for the kernels of the next submissions to start beside it.
PROCESS_HOG = """
import os, time
forked = 0
try:
    for _ in range(2000):  # bounded, even without a limit
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        forked += 1
except OSError as error:
    print(f"fork refused after {forked}: {error}")
time.sleep(25)
"""


@pytest.mark.slow
def test_a_process_hog_does_not_fail_the_submissions_graded_beside_it(tmp_path, serial_grades):
    """The process limit counts per user: each concurrent kernel needs a user id of its own."""
    root = practice_course(tmp_path)
    hog = root / "submitted" / "student_00" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(hog, as_version=4)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(PROCESS_HOG))
    nbformat.write(notebook, hog)
    autograde(root, "--jobs", "2")  # student_00 and student_01 first, then the others
    grades = class_grades(gradebook_url(None, root))
    neighbours = {s: g for s, g in serial_grades.items() if s != "student_00"}
    assert {s: grades[s] for s in neighbours} == neighbours


@pytest.fixture(scope="module")
def postgres():
    reason = missing_reason()
    if reason:
        if os.environ.get(REQUIRED) == "1":
            pytest.fail(f"{REQUIRED}=1 but {reason}")
        pytest.skip(reason)
    with PostgresServer.start() as server:
        yield server


@pytest.mark.slow
def test_two_jobs_into_postgresql(tmp_path, postgres, serial_grades):
    url = postgres.create_database("practice_class")
    root = practice_course(tmp_path, db_url=url)
    wall = autograde(root, "--jobs", "2")
    assert not (root / "gradebook.db").exists(), "grades went to SQLite, not PostgreSQL"
    assert_all_landed(class_grades(url), serial_grades)
    assert overlap(root, wall) > OVERLAP, "the two jobs did not run at the same time"


@pytest.fixture(scope="module")
def dask_scheduler() -> str:
    """The scheduler address of a Dask cluster of two worker processes on 127.0.0.1."""
    with loopback_cluster(2) as address:
        yield address


@pytest.mark.slow
def test_dask_cluster_grades_the_class(tmp_path, dask_scheduler, serial_grades):
    assert dask_scheduler.startswith("tcp://127.0.0.1:")
    root = practice_course(tmp_path)
    wall = autograde(root, "--engine", "dask", "--scheduler", dask_scheduler)
    assert_all_landed(class_grades(gradebook_url(None, root)), serial_grades)
    assert overlap(root, wall) > OVERLAP, "the two workers did not grade at the same time"


@pytest.mark.slow
def test_a_sqlite_gradebook_is_refused_for_workers_on_other_machines(tmp_path, dask_scheduler,
                                                                    monkeypatch):
    monkeypatch.setattr(socket, "gethostname", lambda: "the-instructors-laptop")
    with pytest.raises(EngineError, match="PostgreSQL"):
        with grading_executor("dask", 1, dask_scheduler, tmp_path, gradebook_url(None, tmp_path)):
            pass
    with grading_executor("dask", 1, dask_scheduler, tmp_path,
                          "postgresql+psycopg2://grader@db.example/course"):
        pass  # a database server is fine


@pytest.mark.slow
def test_workers_must_see_the_course_directory(tmp_path, dask_scheduler):
    with pytest.raises(EngineError, match="do not see the course directory"):
        with grading_executor("dask", 1, dask_scheduler, tmp_path / "elsewhere"):
            pass


@pytest.mark.slow
def test_daemonic_dask_workers_are_refused_with_the_fix(tmp_path):
    with loopback_cluster(1, daemon=True) as address:  # Dask's default
        with pytest.raises(EngineError, match="DASK_DISTRIBUTED__WORKER__DAEMON=False"):
            with grading_executor("dask", 1, address, tmp_path):
                pass


# -- options and URLs -------------------------------------------------------------------------

def test_sqlite_gradebooks_get_a_busy_timeout_and_others_stay_as_given(tmp_path):
    default = gradebook_url(None, tmp_path)
    assert default == f"sqlite:///{tmp_path.resolve()}/gradebook.db?timeout={SQLITE_BUSY_TIMEOUT:g}"
    assert gradebook_url("", tmp_path) == default
    assert gradebook_url("sqlite:////x/g.db?timeout=3", tmp_path) == "sqlite:////x/g.db?timeout=3"
    server = "postgresql+psycopg2://grader:s3cret@db.example:5432/class"
    assert gradebook_url(server, tmp_path) == server


def test_the_course_config_opens_the_gradebook_with_the_timeout(tmp_path):
    root = make_course(tmp_path, [])
    assert Course.open(root).coursedir.db_url == gradebook_url(None, root)


@pytest.mark.parametrize("engine, jobs, scheduler, named", [
    ("local", 0, None, "--jobs"),
    ("local", 2, "tcp://127.0.0.1:8786", "--scheduler"),
    ("dask", 1, None, "--scheduler"),
    ("dask", 3, "tcp://127.0.0.1:8786", "--jobs"),
    ("slurm", 1, None, "--engine"),
])
def test_wrong_engine_options_name_the_option(engine, jobs, scheduler, named):
    with pytest.raises(EngineError, match=named):
        with grading_executor(engine, jobs, scheduler):
            pass


# -- grading throughput (issue 16): what each submission no longer pays for -------------------

FORK_SERVER_PROBE = "course_lib.grading.autograding"


def _report_and_change_the_module(sender) -> None:
    """Body of a fork-server child: what it inherited, then a change a grading could leave."""
    from course_lib.grading import autograding
    sender.send((os.getpid(), autograding.TIME_LIMIT, "matplotlib" in sys.modules))
    autograding.TIME_LIMIT = -1.0
    sys.modules["matplotlib"] = None  # as if a grading had imported something odd


def fork_server_child(context) -> tuple:
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_report_and_change_the_module, args=(sender,))
    child.start()
    sender.close()
    report = receiver.recv()
    child.join()
    return report


def test_the_fork_server_gives_each_grading_a_clean_child_with_the_grader_imported():
    from course_lib.grading.autograding import FORK_SERVER_MODULES, TIME_LIMIT, process_context
    context = process_context()
    first, second = fork_server_child(context), fork_server_child(context)
    assert first[0] != second[0], "two submissions were graded by one process"
    # the second child sees nothing of what the first changed
    assert first[1:] == second[1:] == (TIME_LIMIT, False)
    assert {"nbgrader.apps", "course_lib.grading.judge.trusted",
            "course_lib.grading.sandbox.kernel"} <= set(FORK_SERVER_MODULES)


def judge_verdicts(statements: list[str], trusted: set[str], cells: list[str],
                   folder: Path) -> list[dict]:
    """Run `cells` in a real judge process (not sandboxed) against an empty student kernel."""
    import threading

    from course_lib.grading.judge import agent
    from course_lib.grading.judge.trusted import Judge
    judge = Judge(statements, trusted, set(), wait=False)
    verdicts = []
    try:
        for number, source in enumerate(cells):
            path = str(folder / f"judge-{number}.sock")
            assert judge.start(source, path, timeout=60)
            student = threading.Thread(target=agent.serve, args=(path, {}))
            student.start()
            verdicts.append(judge.verdict(60))
            student.join(timeout=60)
    finally:
        judge.close()
    return verdicts


def test_the_judge_imports_a_notebooks_modules_only_once_a_test_cell_reads_them(tmp_path):
    statements = ["import numpy as np", "import matplotlib.pyplot as plt",
                  "from course_lib import gradient", "import no_such_module_anywhere as gone"]
    cells = ["import sys\nprint('matplotlib' in sys.modules, np.__name__, gradient.__name__)",
             "import sys\nprint(plt.__name__, 'matplotlib' in sys.modules)",
             "print(gone)"]
    verdicts = judge_verdicts(statements, {"np", "plt", "gradient", "gone"}, cells, tmp_path)
    assert [v["stdout"] for v in verdicts[:2]] == [
        "False numpy course_lib.gradient\n", "matplotlib.pyplot True\n"]
    # an import that fails binds nothing, as in the notebook, and the cell fails on the name
    assert verdicts[2]["error"]["ename"] == "NameError"


def test_a_judge_that_dies_before_it_is_ready_grades_nothing_and_says_so(tmp_path):
    from course_lib.grading.judge.trusted import Judge
    judge = Judge([], set(), set(), wait=False)
    judge.process.kill()
    judge.process.wait()
    try:
        assert judge.start("print(1)", str(tmp_path / "judge.sock"), timeout=5) is False
    finally:
        judge.close()


def grading_children_with_a_kernel() -> list[tuple]:
    """(grading child, its sandboxed processes) for each child of this process's fork server
    whose kernel runs."""
    import psutil

    from course_lib.grading.sandbox.kernel import UID_BASE, UID_SLOTS
    found = []
    for server in psutil.Process().children():
        try:
            if "forkserver" not in " ".join(server.cmdline()):
                continue
            for child in server.children():
                sandboxed = [p for p in child.children(recursive=True)
                             if UID_BASE <= p.uids().real < UID_BASE + UID_SLOTS]
                if any("ipykernel" in " ".join(p.cmdline()) for p in sandboxed):
                    found.append((child, sandboxed))
        except psutil.NoSuchProcess:
            continue
    return found


@pytest.mark.slow
@pytest.mark.root(sandbox=True)
def test_a_grading_process_killed_midway_loses_no_grade_and_is_reported(tmp_path, serial_grades):
    import threading

    from course_lib.grading.autograding import grade_submission
    root = practice_course(tmp_path)
    student = "student_03"
    outcome = {}
    grader = threading.Thread(target=lambda: outcome.update(
        result=grade_submission(root, ASSIGNMENT, student)))
    grader.start()
    killed, deadline = None, time.monotonic() + 300
    while killed is None and time.monotonic() < deadline:  # once its kernel runs, kill it
        for child, sandboxed in grading_children_with_a_kernel():
            child.kill()
            killed = sandboxed
            break
        time.sleep(0.05)
    grader.join(timeout=600)
    assert killed, "no grading child was ever seen running a kernel"
    result = outcome["result"]
    assert result.status == "graded" and "died" in result.retried, result
    assert class_grades(gradebook_url(None, root))[student] == serial_grades[student]
    alive = [p for p in killed if p.is_running()]
    assert not alive, f"sandboxed processes outlived the killed grading: {alive}"
