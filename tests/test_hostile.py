"""Hostile submissions go through a real `nbgrader autograde` and earn nothing (or do no harm).

One batch of submissions of 01_derivatives is autograded once with the course's config (sandboxed
kernel, trusted judge); each attack is one student. The cheats are also autograded by plain
nbgrader (Execute in the student's kernel, no sandbox), where they must earn points: that shows
each attack is real, and the course's config is what stops it. A few checks run the sandbox
launcher directly (CPU limit, running without root).
"""
from __future__ import annotations

import json
import os
import pwd
import re
import socket
import subprocess
import sys
import threading
import uuid

import nbformat
import pytest
from grading_tools import (
    hidden_test_lines,
    is_test,
    make_course,
    nbgrader,
    nbgrader_meta,
    read,
    source_notebook,
)
from nbgrader.api import Gradebook

from course_lib.grading.sandbox import kernel as sandbox

pytestmark = pytest.mark.slow
NAME = "01_derivatives"
COURSE_ID = "dl-foundations"
FULL_MARKS = 9
needs_root = pytest.mark.skipif(not sandbox.is_root() or not sandbox.namespaces_work(),
                                reason="isolation needs root and namespaces")

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
import json
from pathlib import Path
import course_lib
course = Path.cwd().parents[2]  # autograded/<student>/<assignment>
checkout = Path(course_lib.__file__).resolve().parents[1]
places = {"the gradebook": course / "gradebook.db",
          "solutions/": course / "solutions" / "01_derivatives" / "01_derivatives.ipynb",
          "another student's submission": course / "submitted" / "solution" / "01_derivatives" / "01_derivatives.ipynb",
          "the checkout's solutions/": checkout / "solutions" / "01_derivatives" / "01_derivatives.ipynb",
          "the checkout's .git": checkout / ".git" / "HEAD"}
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

# Spies for the hidden tests: any cell the kernel runs, and where its functions are called from.
SPY = """
import inspect
SEEN = []
get_ipython().events.register("pre_run_cell", lambda info: SEEN.append(info.raw_cell))
get_ipython().events.register("post_run_cell", lambda result: print("SPY", SEEN[-1:]))
_honest_gradient = numerical_gradient
def numerical_gradient(f, x, h=1e-4):
    for frame in inspect.stack():
        SEEN.append(f"{frame.filename}:{frame.code_context}")
    try:
        SEEN.append(inspect.getsource(f))
    except (TypeError, OSError):
        pass
    return _honest_gradient(f, x, h)
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


def solution_with(extra: str, answer_id: str = "directional_derivative", after: bool = True):
    """The instructor's solution with `extra` code added to one answer cell."""
    nb = read(source_notebook(NAME))
    for cell in nb.cells:
        if nbgrader_meta(cell).get("grade_id") == answer_id:
            cell.source = cell.source + "\n" + extra if after else extra + "\n" + cell.source
    return nb


def stub_with(extra: str, release):
    """The untouched student notebook with `extra` code at the end of every answer cell."""
    nb = read(release)
    for answer_id in WRONG_ANSWERS:
        for cell in nb.cells:
            if nbgrader_meta(cell).get("grade_id") == answer_id:
                cell.source += "\n" + extra
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


def submit(course, student, nb):
    folder = course / "submitted" / student / NAME
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{NAME}.ipynb")


def scores(course, student) -> dict[str, float]:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gb:
        notebook = gb.find_submission_notebook(NAME, NAME, student)
        return {g.name: g.auto_score for g in notebook.grades if g.cell_type == "code"}


def graded(course, student):
    return read(course / "autograded" / student / NAME / f"{NAME}.ipynb")


def printed(course, student) -> str:
    """Everything the graded notebook shows: printed text and error messages."""
    parts = []
    for cell in graded(course, student).cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            parts.append(f"{output.get('ename', '')}: {output.get('evalue', '')}")
            parts.extend(output.get("traceback", []))
    return "\n".join(parts)


def errors_of(course, student) -> dict[str, list[str]]:
    return {nbgrader_meta(c)["grade_id"]: [f"{o.ename}: {o.evalue}" for o in c.outputs
                                          if o.output_type == "error"]
            for c in graded(course, student).cells if is_test(c)}


def hidden_lines() -> set[str]:
    return hidden_test_lines(read(source_notebook(NAME)), min_length=12)


PLAIN_NBGRADER = """
# the control: nbgrader's own Execute, test cells in the student's kernel, no sandbox
from nbconvert.preprocessors import ClearMetadataPreprocessor as _Clear
c.Autograde.autograde_preprocessors = [nbg.Execute, nbg.IgnorePattern, _Clear, nbg.LimitOutput,
                                       nbg.SaveAutoGrades, nbg.AssignLatePenalties,
                                       nbg.CheckCellMetadata]
"""


def new_course(directory, plain: bool = False):
    course = make_course(directory, [NAME])
    if plain:
        with open(course / "nbgrader_config.py", "a") as config:
            config.write(PLAIN_NBGRADER)
    nbgrader(course, "generate_assignment", NAME, "--force")
    return course


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """The course after one autograde run of every attack (and of the honest solution)."""
    course = new_course(tmp_path_factory.mktemp("hostile"))
    release = course / "notebooks" / NAME / f"{NAME}.ipynb"
    listener, marker = Listener(), f"hostile-{uuid.uuid4().hex}"
    submissions = {
        "solution": read(source_notebook(NAME)),
        **{attack: cheating(source, release) for attack, source in CHEATS.items()},
        "reads_secrets": stub_with(READ_SECRETS, release),
        "writes_outside": solution_with(WRITE_OUTSIDE.replace("{marker}", marker)),
        "network": solution_with(NETWORK.replace("{port}", str(listener.port))),
        "fork_bomb": solution_with(FORK_BOMB),
        "memory_hog": solution_with(MEMORY_HOG),
        "huge_file": solution_with(HUGE_FILE),
        "spy": solution_with(SPY, "numerical_gradient"),
        "breaks_the_grader": solution_with(BREAK_THE_AGENT),
    }
    for student, nb in submissions.items():
        submit(course, student, nb)
    try:
        nbgrader(course, "autograde", NAME, "--force")
    finally:
        listener.stop()
    nbgrader(course, "generate_feedback", NAME, "--force")
    return course, listener, marker


def test_honest_solution_gets_full_marks_in_the_sandbox(attacked):
    course, _, _ = attacked
    assert scores(course, "solution") == {"test_numerical_derivative": 2, "test_tangent_line": 2,
                                          "test_numerical_gradient": 3,
                                          "test_directional_derivative": 2}


@pytest.mark.parametrize("attack", list(CHEATS))
def test_cheat_earns_nothing_and_says_why(attacked, attack):
    course, _, _ = attacked
    assert sum(scores(course, attack).values()) == 0
    for test, errors in errors_of(course, attack).items():
        assert errors and errors[0].startswith("AssertionError: "), (test, errors)
        assert "wrong result" in errors[0] or "should have raised" in errors[0], (test, errors)


def test_secrets_cannot_be_read(attacked):
    course, _, _ = attacked
    text = printed(course, "reads_secrets")
    assert "READ" not in text
    for what in ("the gradebook", "solutions/", "another student's submission",
                 "the checkout's solutions/", "the checkout's .git"):
        assert f"blocked {what}:" in text
    assert sum(scores(course, "reads_secrets").values()) == 0
    assert "is not implemented yet" in errors_of(course, "reads_secrets")[
        "test_numerical_derivative"][0]


def test_nothing_is_written_outside_the_submission(attacked):
    course, _, marker = attacked
    text = printed(course, "writes_outside")
    for what in ("the gradebook", "solutions/", "the release"):
        assert f"blocked {what}:" in text
    assert "WROTE its own folder" in text
    assert not (course / "solutions" / NAME / "hacked.txt").exists()
    assert not (course / "notebooks" / NAME / "hacked.txt").exists()
    assert not os.path.exists(f"/tmp/{marker}"), "the kernel wrote into the real /tmp"
    assert (course / "autograded" / "writes_outside" / NAME / "own_file.txt").exists()
    assert sum(scores(course, "writes_outside").values()) == FULL_MARKS


def test_no_network(attacked):
    course, listener, _ = attacked
    text = printed(course, "network")
    assert "CONNECTED" not in text and "no network: [Errno 101] Network is unreachable" in text
    assert listener.accepted == 0
    assert sum(scores(course, "network").values()) == FULL_MARKS


def test_fork_bomb_is_stopped(attacked):
    course, _, _ = attacked
    found = re.search(r"fork refused after (\d+) children", printed(course, "fork_bomb"))
    assert found, printed(course, "fork_bomb")[-2000:]
    assert int(found.group(1)) < 256
    assert sum(scores(course, "fork_bomb").values()) == FULL_MARKS


def test_memory_hog_gets_a_memory_error(attacked):
    course, _, _ = attacked
    assert "MemoryError: Unable to allocate 5.00 GiB" in printed(course, "memory_hog")
    assert sum(scores(course, "memory_hog").values()) == FULL_MARKS


def test_huge_file_is_cut_at_the_limit(attacked):
    course, _, _ = attacked
    assert "stopped after 64 MiB: [Errno 27] File too large" in printed(course, "huge_file")
    assert (course / "autograded" / "huge_file" / NAME / "huge.bin").stat().st_size == 64 << 20


def test_hidden_tests_never_reach_the_kernel_or_the_feedback(attacked):
    course, _, _ = attacked
    hidden = hidden_lines()
    assert len(hidden) > 10
    text = printed(course, "spy")
    assert "SPY" in text, "the spy did not run"
    assert not [line for line in hidden if line in text]
    feedback = (course / "feedback" / "spy" / NAME / f"{NAME}.html").read_text()
    assert not [line for line in hidden if line in feedback]
    assert sum(scores(course, "spy").values()) == FULL_MARKS


def test_breaking_the_grader_costs_only_the_tests_after_it(attacked):
    course, _, _ = attacked
    assert scores(course, "breaks_the_grader") == {
        "test_numerical_derivative": 2, "test_tangent_line": 2, "test_numerical_gradient": 3,
        "test_directional_derivative": 0}
    error = errors_of(course, "breaks_the_grader")["test_directional_derivative"][0]
    assert error.startswith("NotGraded: the notebook's kernel did not answer the grader")


def test_attacks_work_against_plain_nbgrader(tmp_path):
    """The control: without the sandbox and the judge, every cheat and spy succeeds."""
    course = new_course(tmp_path, plain=True)
    release = course / "notebooks" / NAME / f"{NAME}.ipynb"
    for attack, source in CHEATS.items():
        submit(course, attack, cheating(source, release))
    submit(course, "reads_secrets", stub_with(READ_SECRETS, release))
    submit(course, "spy", solution_with(SPY, "numerical_gradient"))
    nbgrader(course, "autograde", NAME, "--force")
    for attack in CHEATS:
        assert sum(scores(course, attack).values()) >= 2, attack
    assert sum(scores(course, "reads_secrets").values()) == FULL_MARKS
    assert [line for line in hidden_lines() if line in printed(course, "spy")]


# -- the launcher on its own ------------------------------------------------------------------

def run_launcher(tmp_path, code: str, settings: dict, **kwargs):
    private = tmp_path / "private"
    private.mkdir(exist_ok=True)
    command = [sys.executable, "-m", "course_lib.grading.sandbox.kernel", "--private-dir", str(private),
               "--settings", json.dumps(settings), "--", sys.executable, "-c", code]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          **kwargs)


def test_cpu_limit_stops_a_burning_kernel(tmp_path):
    limits = {**sandbox.DEFAULT_LIMITS, "cpu_seconds": 2}
    result = run_launcher(tmp_path, "while True: pass", {"limits": limits, "uid": None,
                                                         "namespaces": False})
    assert result.returncode in (-9, -24), result  # SIGXCPU at the limit (SIGKILL at the hard one)


@needs_root
def test_isolation_report_as_root():
    ok, messages = sandbox.isolation_report()
    assert ok, messages
    assert any(m.startswith("OK   user: student code runs as") for m in messages)
    assert any(m.startswith("OK   network: none") for m in messages)


@needs_root
def test_without_root_grading_still_runs_and_the_report_says_so(tmp_path):
    """As an ordinary user (nobody) the launcher applies the limits only, and the report says
    plainly what is not isolated."""
    nobody = pwd.getpwnam("nobody")
    os.chmod(tmp_path, 0o777)

    def become_nobody():
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)

    report = subprocess.run([sys.executable, "-c", "from course_lib.grading.sandbox import kernel as sandbox; "
                             "import json; print(json.dumps(sandbox.isolation_report()))"],
                            capture_output=True, text=True, preexec_fn=become_nobody, cwd=tmp_path)
    ok, messages = json.loads(report.stdout)
    assert not ok
    assert any(m.startswith("NOT ISOLATED  user: not running as root") for m in messages)
    assert any(m.startswith("NOT ISOLATED  network and files") for m in messages)
    code = "import resource, os; print(resource.getrlimit(resource.RLIMIT_FSIZE)[0], os.getuid())"
    result = run_launcher(tmp_path, code, {"limits": sandbox.DEFAULT_LIMITS, "uid": None,
                                           "namespaces": False}, preexec_fn=become_nobody)
    assert result.stdout.split() == [str(sandbox.DEFAULT_LIMITS["file_bytes"]),
                                     str(nobody.pw_uid)], result
