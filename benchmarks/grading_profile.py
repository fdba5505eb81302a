"""Where the seconds of one grading go: a timed walk through `grade_submission`.

    python -m benchmarks.grading_bench --profile [--rounds 3]

The benchmark grades one submission of a practice class (the student who solved every answer)
with the real `grade_submission`, after wrapping the steps it passes through in timers: the
grader's own steps, nbgrader's application and preprocessors, the gradebook's opens, the
sandboxed kernel's start, each of the notebook's cells, the judge, the kernel's shutdown. The
grading child is forked from this process (instead of the fork server) so that it inherits the
timers; each timer appends its wall-clock seconds to one file, which every process of the
grading shares. Costs that no function call shows (starting Python, importing nbgrader, a
fork-server child) are measured beside it with the same commands the grading runs.
"""
from __future__ import annotations

import functools
import inspect
import json
import multiprocessing
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

EVENTS_ENV = "COURSE_PROFILE_EVENTS"
KERNEL_CPU = "CPU of the kernel's processes (launcher, bwrap, ipykernel)"
JUDGE_CPU = "CPU of the judge's processes (launcher, bwrap, judge)"

# (label, depth in the table, module, attribute path): the steps timed, in the order they run.
# A step at depth d is part of the step above it at depth d - 1.
STEPS = [
    ("grade_submission, all of it", 0, "course_lib.grading.autograding", "_grade_submission"),
    ("open the course (load nbgrader_config.py)", 1, "course_lib.grading.course", "Course.open"),
    ("check the submission, write prepared/", 1, "course_lib.grading.autograding",
     "prepare_submission"),
    ("grading child: start, grade, stop", 1, "course_lib.grading.autograding", "run_autograde"),
    ("in the child: nbgrader's autograde", 2, "nbgrader.apps.api", "NbGraderAPI.autograde"),
    ("gradebook: student, submission, notebook checks", 3, "nbgrader.converters.autograde",
     "Autograde.init_assignment"),
    ("sanitize: OverwriteCells (from the gradebook)", 3, "nbgrader.preprocessors",
     "OverwriteCells.preprocess"),
    ("JudgedExecute: run and judge the notebook", 3, "course_lib.grading.nbgrader_plugins",
     "JudgedExecute.preprocess"),
    ("sandbox set-up: user id, cgroup, scratch", 4, "course_lib.grading.sandbox.kernel",
     "SandboxedKernelManager.__init__"),
    ("kernel launch (launcher, bwrap, become)", 4, "nbclient.client",
     "NotebookClient.start_new_kernel"),
    ("kernel start until ready (ipykernel)", 4, "nbclient.client",
     "NotebookClient.start_new_kernel_client"),
    ("the notebook's own cells", 4, "nbclient.client", "NotebookClient.execute_cell"),
    ("judge process start (imports)", 4, "course_lib.grading.judge.trusted", "Judge.__init__"),
    ("judging the test cells (judge start included)", 4, "course_lib.grading.nbgrader_plugins",
     "JudgedExecute._judge_cell"),
    ("kernel shutdown and clean-up", 4, "course_lib.grading.nbgrader_plugins",
     "JudgedExecute._cleanup_kernel"),
    ("SaveAutoGrades (gradebook writes)", 3, "nbgrader.preprocessors",
     "SaveAutoGrades.preprocess"),
    ("gradebook opens (create_engine, schema check)", 3, "nbgrader.api", "Gradebook.__init__"),
    ("cut long outputs, add notes", 1, "course_lib.grading.autograding", "shorten_long_outputs"),
    ("gradebook read: the score", 1, "course_lib.grading.autograding", "submission_score"),
    ("write the outcome record", 1, "course_lib.grading.autograding", "Outcome.save"),
]


def record(label: str, seconds: float, cpu: float) -> None:
    """Append one timing to the events file (O_APPEND: processes never mix their lines)."""
    with open(os.environ[EVENTS_ENV], "a") as stream:
        stream.write(json.dumps([label, seconds, cpu]) + "\n")


def tree_cpu_seconds(pid: int) -> float:
    """CPU seconds (user and system) used so far by process `pid` and all its descendants."""
    import psutil
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def timed(label: str, function):
    """`function` (plain or async) wrapped in a timer that records under `label`."""
    if inspect.iscoroutinefunction(function):
        @functools.wraps(function)
        async def async_wrapper(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return await function(*args, **kwargs)
            finally:
                record(label, time.perf_counter() - start, time.process_time() - cpu)
        return async_wrapper

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start, cpu = time.perf_counter(), time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            record(label, time.perf_counter() - start, time.process_time() - cpu)
    return wrapper


def install_timers() -> None:
    """Wrap every step of STEPS where it is defined (a class attribute or a module function)."""
    import importlib
    for label, _depth, module_name, attribute in STEPS:
        owner = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        original = inspect.getattr_static(owner, name)
        if isinstance(original, classmethod):
            setattr(owner, name, classmethod(timed(label, original.__func__)))
        else:
            setattr(owner, name, timed(label, original))
    # the functions autograding imported by name are bound there, not in their modules
    from course_lib.grading import autograding, submission_check
    autograding.prepare_submission = timed(STEPS[2][0], submission_check.prepare_submission)
    # the CPU time of the kernel's and the judge's processes, read just before they are ended
    from course_lib.grading.judge.trusted import Judge
    from course_lib.grading.nbgrader_plugins import JudgedExecute
    cleanup, close = JudgedExecute._cleanup_kernel, Judge.close

    def cleanup_kernel(self):
        process = getattr(self.km.provisioner, "process", None) if self.km else None
        if process is not None:
            record(KERNEL_CPU, 0.0, tree_cpu_seconds(process.pid))
        return cleanup(self)

    def close_judge(self):
        record(JUDGE_CPU, 0.0, tree_cpu_seconds(self.process.pid))
        return close(self)

    JudgedExecute._cleanup_kernel, Judge.close = cleanup_kernel, close_judge


def command_seconds(command: list[str], rounds: int) -> float:
    """Median wall-clock seconds of running `command`."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def _nothing() -> None:
    return None


def fork_server_child_seconds(rounds: int) -> float:
    """Median seconds to start and join a fork-server child (the server already running)."""
    from course_lib.grading.autograding import process_context
    context = process_context()
    times = []
    for _ in range(rounds + 1):  # the first one also starts the server
        start = time.perf_counter()
        child = context.Process(target=_nothing)
        child.start()
        child.join()
        times.append(time.perf_counter() - start)
    times = sorted(times[1:])
    return times[len(times) // 2]


def process_costs(rounds: int) -> list[tuple[str, float]]:
    """What starting the processes of a grading costs, each measured on its own."""
    python = sys.executable
    costs = [
        ("start Python (python -c pass)", command_seconds([python, "-c", "pass"], rounds)),
        ("start Python and import nbgrader.apps (the fork server does this once)",
         command_seconds([python, "-c", "import nbgrader.apps"], rounds)),
        ("a fork-server child: start and join", fork_server_child_seconds(rounds)),
        ("start Python and import the sandbox launcher (course_lib.grading.sandbox.kernel)",
         command_seconds([python, "-c", "import course_lib.grading.sandbox.kernel"], rounds)),
        ("start Python and import ipykernel's kernel app",
         command_seconds([python, "-c", "import ipykernel.kernelapp"], rounds)),
        ("start Python and import the judge (course_lib.grading.judge.trusted)",
         command_seconds([python, "-I", "-m", "course_lib.grading.judge.trusted"], rounds)),
        ("start Python and import numpy, matplotlib.pyplot (the notebook's first cell)",
         command_seconds([python, "-c", "import numpy, matplotlib.pyplot"], rounds)),
    ]
    from course_lib.grading.sandbox.kernel import bubblewrap
    bwrap = bubblewrap()
    if bwrap:
        costs.append(("bubblewrap around /bin/true",
                      command_seconds([bwrap, "--unshare-pid", "--unshare-net", "--ro-bind", "/",
                                       "/", "--proc", "/proc", "--", "/bin/true"], rounds)))
    return costs


def _grade_in_child(root: str, assignment: str, student: str, sender) -> None:
    from course_lib.grading.autograding import grade_submission
    outcome = grade_submission(root, assignment, student)
    sender.send(outcome.status)


def profile_grading(root: Path, assignment: str, student: str, events: Path) -> dict:
    """Grade `student` once with every step timed; label -> (calls, seconds)."""
    events.write_text("")
    os.environ[EVENTS_ENV] = str(events)
    # A child of this process grades, so that the timers installed here do not stay behind;
    # inside, the grading child is forked from it rather than from the fork server.
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_profiled_grading, args=(str(root), assignment, student,
                                                            sender))
    child.start()
    status = receiver.recv()
    child.join()
    if status != "graded":
        raise SystemExit(f"profile: {student}'s submission was {status}, not graded")
    totals: dict[str, list] = defaultdict(lambda: [0, 0.0, 0.0])
    for line in events.read_text().splitlines():
        label, seconds, cpu = json.loads(line)
        totals[label][0] += 1
        totals[label][1] += seconds
        totals[label][2] += cpu
    return {label: tuple(value) for label, value in totals.items()}


def _profiled_grading(root: str, assignment: str, student: str, sender) -> None:
    from course_lib.grading import autograding
    install_timers()
    autograding.process_context = lambda: multiprocessing.get_context("fork")
    _grade_in_child(root, assignment, student, sender)


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def profile_rows(rounds: list[dict]) -> list[list]:
    """Table rows: each step, indented by depth, with its calls, its median wall-clock seconds
    and the median CPU seconds of the process running it (the grader or the grading child).
    """
    rows = []
    total = median([r[STEPS[0][0]][1] for r in rounds])
    for label, depth, _module, _attribute in STEPS:
        measured = [r[label] for r in rounds if label in r]
        if not measured:
            continue
        seconds = median([m[1] for m in measured])
        rows.append([f"{'  ' * depth}{label}", measured[0][0], f"{seconds:.2f}",
                     f"{100 * seconds / total:.0f} %", f"{median([m[2] for m in measured]):.2f}"])
    for label in (KERNEL_CPU, JUDGE_CPU):
        measured = [r[label][2] for r in rounds if label in r]
        if measured:
            rows.append([label, len(measured) // len(rounds), "", "", f"{median(measured):.2f}"])
    return rows
