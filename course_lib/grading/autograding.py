"""Autograde one submission in a process of its own, with a wall-clock limit.

`grade_submission(root, assignment, student)` is the unit of work of `instructor autograde`: a
plain function of plain arguments that returns an `Outcome`, so any executor can run it: the
thread pool of `--jobs N`, or a Dask cluster through `client.get_executor()`. One call

1. checks the submission and writes the copy that nbgrader grades (`submission_check`);
2. runs nbgrader's autograde for this one student in a child process, which is stopped, with
   the notebook's kernel, after `time_limit` seconds. nbgrader gives up on a whole submission when
   a cell ignores the interrupt it sends after `Execute.timeout`, and other code never returns;
3. if nbgrader could not grade the notebook (after a second try when the cause is not
   recognisably the notebook's), grades the blank release notebook in its place with the reason
   on top, so the student still gets a grade (0 for the autograded tests), feedback and the
   reason;
4. removes the sockets, named pipes and devices the notebook made in its folder (nbgrader's
   feedback copies the folder and stops on them), and cuts outputs too long to show (nbgrader's
   LimitOutput counts lines, not characters);
5. records the outcome in `grading_outcomes/<assignment>/<student>.json` (nbgrader's log next to
   it, `.log`), where `export`, `report` and `status` find it.

Children start from a fork server that has imported nbgrader once, so a submission costs the time
its notebook takes, not nbgrader's start-up. The process calling `grade_submission` must be allowed
to start processes (for Dask workers: the setting `distributed.worker.daemon: False`).
"""
from __future__ import annotations

import faulthandler
import json
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, as_completed
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import psutil

from course_lib.grading.course import Course, nbgrader_environment
from course_lib.grading.language import N_, _, assignment_language, speaking
from course_lib.grading.submission_check import (
    PREPARED_DIRECTORY,
    add_notes,
    file_kind,
    is_special,
    prepare_blank_submission,
    prepare_submission,
    quoted,
)

FORK_SERVER_MODULES = ["nbgrader.apps", "course_lib.grading.autograding",
                       "course_lib.grading.nbgrader_plugins", "course_lib.grading.sandbox.kernel",
                       "course_lib.grading.judge.trusted", "nbclient", "nbconvert.exporters",
                       "sqlalchemy.dialects.sqlite", "sqlite3"]
TIME_LIMIT = 900.0               # seconds for one student's submission, all notebooks
OUTCOMES_DIRECTORY = "grading_outcomes"
MAX_OUTPUT_CHARACTERS = 10_000   # per output of a graded notebook
STATUSES = {
    "graded": N_("graded as handed in (perhaps repaired, see the notes)"),
    "missing": N_("a notebook is missing: the blank notebook was graded"),
    "invalid": N_("a notebook could not be read: the blank notebook was graded"),
    "failed": N_("nbgrader could not grade the notebook: the blank notebook was graded"),
    "error": N_("no grade: nbgrader could not grade even the blank notebook"),
}
# What nbgrader's log says when it gave up on a notebook -> the reason, in words.
FAILURES = [
    (("CellTimeoutError", "UnresponsiveKernelError"),
     N_("a cell was still running after the limit of {cell_timeout} s per cell and did not "
        "stop when interrupted (an endless loop that catches KeyboardInterrupt?)")),
    (("DeadKernelError", "Kernel died"),
     N_("the Python process running it died (it ran out of memory, or the code ended the "
        "process?)")),
]


@dataclass
class Outcome:
    """How one student's submission of one assignment was graded.

    score is the gradebook's total (autograded and manual points so far), None only for the
    status "error"; notes are the sentences the student also reads at the top of the feedback;
    retried, for the instructor, says why nbgrader had to grade the submission a second time
    (its grading process died, say).
    """

    assignment: str
    student: str
    status: str
    score: float | None
    max_score: float
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    retried: str = ""  # why a first run of nbgrader failed, when it was run again


    @property
    def reason(self) -> str:
        """Why the submission was not graded as handed in ("" when it was)."""
        return "" if self.status == "graded" else " ".join(self.notes)

    def save(self, course: Course) -> None:
        path = outcome_path(course, self.assignment, self.student)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(asdict(self), indent=1))
        temporary.replace(path)  # readers never see half a file


def outcome_path(course: Course, assignment: str, student: str, suffix: str = ".json") -> Path:
    return course.root / OUTCOMES_DIRECTORY / assignment / f"{student}{suffix}"


def load_outcomes(course: Course, assignment: str) -> dict[str, Outcome]:
    """student -> the recorded Outcome of each graded submission of `assignment`."""
    folder = course.root / OUTCOMES_DIRECTORY / assignment
    outcomes = [Outcome(**json.loads(p.read_text())) for p in sorted(folder.glob("*.json"))]
    return {o.student: o for o in outcomes}


def submitted_students(course: Course, assignment: str) -> list[str]:
    """Students with a folder `submitted/<student>/<assignment>/`."""
    folder = course.root / course.coursedir.submitted_directory
    return sorted(p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir())


# -- one student ------------------------------------------------------------------------------

def grade_submission(root, assignment: str, student: str,
                     time_limit: float = TIME_LIMIT) -> Outcome:
    """Check, autograde and record one submission; see the module docstring.

    Parameters
    ----------
    root : str or Path
        The course directory (holding nbgrader_config.py).
    assignment, student : str
        The submission `submitted/<student>/<assignment>/`.
    time_limit : float
        Wall-clock seconds for one run of nbgrader on this submission.

    Returns
    -------
    Outcome
        Also saved in grading_outcomes/<assignment>/<student>.json; its notes in the
        assignment's language.
    """
    with speaking(assignment_language(assignment)):
        return _grade_submission(root, assignment, student, time_limit)


def _grade_submission(root, assignment: str, student: str, time_limit: float) -> Outcome:
    start = time.perf_counter()
    course = Course.open(Path(root))
    checked = prepare_submission(course, assignment, student)
    status, notes = checked.status, list(checked.notes)
    log = outcome_path(course, assignment, student, ".log")
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    result, retried = run_autograde(course.root, assignment, student, time_limit, log), ""
    if not result["success"] and status == "graded" and known_failure(result) is None:
        # not recognisably the notebook's fault (a locked gradebook, a grading process killed
        # from outside?): try it once more, and say so
        retried = last_line(result)
        result = run_autograde(course.root, assignment, student, time_limit, log)
    if not result["success"] and status == "graded":
        reason = failure_reason(result, time_limit, course.config.Execute.get("timeout", 30))
        status = "failed"
        notes.append(_("Your notebook could not be graded as handed in: {reason}. The tests "
                       "below ran on the blank notebook instead, so the autograded tests score "
                       "0; your written answers are kept for grading by hand.").format(
                           reason=reason))
        prepare_blank_submission(course, assignment, student, notes)
        # the blank notebook is the course's own code: only a broken machine makes it hang
        result = run_autograde(course.root, assignment, student, max(time_limit, TIME_LIMIT),
                               log)
    if result["success"]:
        graded = course.folder("autograded", student, assignment)
        notes += shorten_long_outputs(graded, special_files_note(remove_special_files(graded)))
        score, max_score = submission_score(course, assignment, student)
    else:
        status, score, max_score = "error", None, assignment_max_score(course, assignment)
        notes.append(_("nbgrader could not grade even the blank notebook; see {log}: "
                       "{message}").format(log=log, message=last_line(result)))
    outcome = Outcome(assignment, student, status, score, max_score, notes,
                      round(time.perf_counter() - start, 1), retried)
    outcome.save(course)
    return outcome


def known_failure(result: dict) -> str | None:
    """The entry of FAILURES that nbgrader's log shows, "stopped", or None."""
    if result.get("stopped"):
        return "stopped"
    text = f"{result.get('log', '')}\n{result.get('error', '')}"
    return next((reason for markers, reason in FAILURES
                 if any(marker in text for marker in markers)), None)


def failure_reason(result: dict, time_limit: float, cell_timeout) -> str:
    """Why nbgrader did not grade a notebook, in words, from its result."""
    known = known_failure(result)
    if known == "stopped":
        return _("the notebook did not finish in {seconds} s (an endless loop that ignores "
                 "interrupts?)").format(seconds=f"{time_limit:g}")
    if known is not None:
        return _(known).format(cell_timeout=cell_timeout)
    return _("nbgrader stopped with {message}").format(message=last_line(result))


def last_line(result: dict) -> str:
    lines = [line.strip() for line in str(result.get("error") or result.get("log") or "")
             .splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no message"


def submission_score(course: Course, assignment: str, student: str) -> tuple[float, float]:
    with course.gradebook() as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return float(submission.score), float(submission.max_score)


def assignment_max_score(course: Course, assignment: str) -> float:
    with course.gradebook() as gradebook:
        return float(gradebook.find_assignment(assignment).max_score)


# -- nbgrader in a child process --------------------------------------------------------------

def process_context():
    """multiprocessing context for the children: a fork server with nbgrader imported."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # Windows: each child imports nbgrader
    context = multiprocessing.get_context("forkserver")
    # Imported once, in the server, not per submission: nbgrader, the course's plugins, the
    # sandbox, the judge's driver, the gradebook's SQLite driver. The server runs no student
    # code and opens nothing of a course, so its children start clean.
    context.set_forkserver_preload(FORK_SERVER_MODULES)
    return context


def run_autograde(root: Path, assignment: str, student: str, time_limit: float,
                  log: Path) -> dict:
    """nbgrader's autograde of `prepared/<student>/<assignment>/`, in a child process.

    Returns nbgrader's result ({"success", "error", "log"}), or {"success": False, "stopped":
    True} when the child and everything it started were killed after `time_limit` seconds.
    """
    context = process_context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=autograde_in_child,
                            args=(sender, str(root), assignment, student, str(log)))
    child.start()
    sender.close()
    try:
        if receiver.poll(time_limit):
            result = receiver.recv()
            child.join(timeout=10)  # let nbgrader shut its kernel down
        else:
            result = {"success": False, "stopped": True}
    except EOFError:  # the child ended without an answer
        child.join(timeout=10)
        result = {"success": False,
                  "error": f"the grading process died (exit code {child.exitcode})"}
    finally:
        receiver.close()
        stop_process_tree(child.pid)
        child.join()
    return result


def autograde_in_child(sender, root: str, assignment: str, student: str, log: str) -> None:
    """Body of the child process: grade, send nbgrader's result back."""
    from course_lib.grading.sandbox.kernel import private_mounts
    private_mounts()  # the kernels' scratch file systems end with this process, however it ends
    with open(log, "a") as stream:  # nbgrader's messages and the kernel's go to the log
        os.dup2(stream.fileno(), 1)
        os.dup2(stream.fileno(), 2)
    os.environ.update(nbgrader_environment())
    faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1`: where it hangs, in the log
    try:
        course = Course.open(Path(root))
        course.config.CourseDirectory.submitted_directory = PREPARED_DIRECTORY
        result = course.api.autograde(assignment, student, force=True, create=True)
    except Exception:  # whatever went wrong, the parent gets a result to report
        result = {"success": False, "error": traceback.format_exc()}
    sender.send({key: result.get(key, "") for key in ("success", "error", "log")})
    sender.close()


def stop_process_tree(pid: int) -> None:
    """Kill process `pid` and all its descendants (the notebook's kernel is one)."""
    try:
        parent = psutil.Process(pid)
        processes = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for process in processes:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(processes, timeout=10)


# -- after nbgrader ---------------------------------------------------------------------------

def shorten_text(holder, key: str) -> int:
    """Cut holder[key] to MAX_OUTPUT_CHARACTERS; return its former length if it was cut, else 0."""
    text = holder[key] if isinstance(holder[key], str) else "".join(holder[key])
    if len(text) <= MAX_OUTPUT_CHARACTERS:
        return 0
    holder[key] = (f"{text[:MAX_OUTPUT_CHARACTERS]}\n... output cut: {len(text):,} characters "
                   f"in all ...")
    return len(text)


def shorten_outputs(cell) -> list[int]:
    """Former lengths of the text outputs of `cell` that were cut."""
    lengths = []
    for output in cell.get("outputs", []):
        if output.output_type == "stream":
            lengths.append(shorten_text(output, "text"))
        for mime in output.get("data", {}):
            if mime.startswith("text/"):
                lengths.append(shorten_text(output.data, mime))
    return [n for n in lengths if n]


def shorten_long_outputs(folder: Path, notes: list[str] = ()) -> list[str]:
    """Cut over-long outputs in the graded notebooks of `folder`; add `notes` and notes on what
    was cut to each notebook; return them all.
    """
    all_notes = list(notes)
    for path in sorted(folder.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        cut = [_("An output of {count} characters was cut to its first {kept} characters.")
               .format(count=f"{n:,}", kept=f"{MAX_OUTPUT_CHARACTERS:,}")
               for cell in notebook.cells for n in shorten_outputs(cell)]
        if notes or cut:
            mode = path.stat().st_mode
            path.chmod(mode | 0o200)  # nbgrader leaves graded notebooks read-only
            nbformat.write(add_notes(notebook, [*notes, *cut]), path)
            path.chmod(mode)
        all_notes += cut
    return all_notes


def remove_special_files(folder: Path) -> list[str]:
    """Delete the sockets, named pipes and devices under `folder`; 'name (a socket)' for each.

    A notebook can make them in the folder it runs in; nbgrader's feedback copies every file of
    that folder and stops on them (ENXIO), or waits for ever on a pipe. Works on descriptors of
    the folders, never through a path the notebook could have changed into a link.
    """
    removed = []
    if not folder.is_dir():
        return removed
    for directory, _folders, names, descriptor in os.fwalk(folder):
        for name in sorted(names):
            mode = os.stat(name, dir_fd=descriptor, follow_symlinks=False).st_mode
            if is_special(mode):
                os.unlink(name, dir_fd=descriptor)
                relative = os.path.relpath(os.path.join(directory, name), folder)
                removed.append(f"{quoted(relative)} ({file_kind(mode)})")
    return removed


def special_files_note(removed: list[str]) -> list[str]:
    if not removed:
        return []
    return [_("Your notebook left files that are not ordinary files in its folder; they were "
              "removed: {files}.").format(files=", ".join(removed))]


# -- many students ----------------------------------------------------------------------------

def grade_students(executor: Executor, root, assignment: str, students: Iterable[str],
                   time_limit: float = TIME_LIMIT) -> Iterator[Outcome]:
    """Grade each student's submission on `executor`; yield the outcomes as they finish.

    `executor` is any concurrent.futures.Executor: a ThreadPoolExecutor (each job waits on its
    own child process), or Dask's `client.get_executor()`. An error in one job becomes an
    outcome with the status "error"; it never stops the others.
    """
    futures = {executor.submit(grade_submission, str(root), assignment, student, time_limit):
               student for student in students}
    for future in as_completed(futures):
        try:
            yield future.result()
        except Exception as error:  # a bug or a full disk: report it with the student's name
            yield Outcome(assignment, futures[future], "error", None, 0.0,
                          [f"grading stopped with {type(error).__name__}: {error}"])
