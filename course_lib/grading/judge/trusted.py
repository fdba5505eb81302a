"""Trusted judging: run each autograded test cell outside the student's kernel.

nbgrader would run a test cell (hidden tests included) inside the student's kernel, where the
submission may have replaced `np.allclose`, `course_lib.checks`, `AssertionError` or anything else
the test relies on, and may read the hidden tests as they run. Here the grader runs the test cell
in a separate Python process, the judge, with its own fresh numpy and course_lib:

- the names the test cell uses are resolved there: the notebook's imports (taken from the
  instructor's source notebook, not from the submission) are imported afresh, each once a test
  cell reads a name it binds (tests that never draw never import matplotlib); the names the
  submission defines in its answer cells are fetched from the kernel, as plain data or, for a
  function or class, as a handle whose calls the kernel computes (`course_lib.grading.judge.wire`);
- the test cell never reaches the kernel; the kernel only sees the arguments of the calls;
- the judge's verdict (the cell's printed text, or its error) becomes the cell's output, which
  nbgrader grades as usual. An error is reported as "Name: message", never with a traceback.

    python -m course_lib.grading.judge.trusted   # the judge process; `Judge` below starts and drives it
"""
from __future__ import annotations

import builtins
import contextlib
import dis
import io
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import time

from course_lib.grading.judge.wire import Endpoint, Remote, WireError
from course_lib.grading.language import _, course_language, speaking
from course_lib.language import ENGLISH, ENVIRONMENT_VARIABLE

JUDGE_SIDE_OPS = {"call", "getattr"}
# Contains "course_lib", so that checks never quotes a test cell's line as the student's.
TEST_CELL_FILENAME = "<course_lib judge: test cell>"
CONNECT_TIMEOUT = 30.0
STARTUP_TIMEOUT = 60.0  # seconds for a new judge process to be ready for its first test cell
MAX_PRINTED = 20_000
MAX_ANSWER_BYTES = 1 << 20  # one answer line of the judge to the grader
AGENT_CODE = ("__import__('course_lib.grading.judge.agent', fromlist=['serve'])"
              ".serve({path!r}, globals())")


# -- which names a test cell needs ------------------------------------------------------------

def _instructions(code):
    yield from dis.get_instructions(code)
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            yield from _instructions(const)


def names_read(code) -> set[str]:
    """Global names read anywhere in `code` (functions defined in it included)."""
    return {i.argval for i in _instructions(code) if i.opname in ("LOAD_GLOBAL", "LOAD_NAME")}


def names_bound(code) -> set[str]:
    """Names `code` binds at its top level (assignments, def, class, import)."""
    return {i.argval for i in dis.get_instructions(code)
            if i.opname in ("STORE_NAME", "STORE_GLOBAL", "IMPORT_NAME")}


def names_defined_by(sources: list[str]) -> set[str]:
    """Top-level names bound by cells (those that do not compile are skipped)."""
    names = set()
    for source in sources:
        try:
            names |= names_bound(compile(source, "<cell>", "exec"))
        except (SyntaxError, ValueError):
            continue
    return names


# -- the judge process ------------------------------------------------------------------------

def _fetch(endpoint: Endpoint, name: str, data_only: bool):
    """(defined, value) of a global of the student's notebook."""
    answer = endpoint.request("get", name=name)
    if not isinstance(answer, dict) or not answer.get("defined"):
        return False, None
    value = answer.get("value")
    if data_only and isinstance(value, Remote):
        return False, None
    return True, value


def _bind_names(code, namespace: dict, endpoint: Endpoint, job: dict) -> None:
    """Give the test cell the names it reads but does not bind itself."""
    student_names, trusted = set(job["student_names"]), set(job["trusted_names"])
    for name in sorted(names_read(code) - names_bound(code) - set(dir(builtins)) - trusted):
        if name in student_names:
            defined, value = _fetch(endpoint, name, data_only=False)
        elif name in namespace:
            continue  # defined by an earlier test cell
        else:  # set by some other cell of the notebook: take it only if it is plain data
            defined, value = _fetch(endpoint, name, data_only=True)
        if defined:
            namespace[name] = value
        else:
            namespace.pop(name, None)


class PendingImports:
    """The notebook's import statements, each run in the judge's namespace when a test cell first
    reads a name it binds: a judge whose tests never use `plt` never imports matplotlib.
    """

    def __init__(self):
        self.pending: list[tuple[object, set[str]]] = []  # (compiled statement, names it binds)

    def add(self, statements: list[str]) -> None:
        for statement in statements:
            try:
                code = compile(statement, "<course_lib judge: imports>", "exec")
            except (SyntaxError, ValueError):
                continue  # the notebook's own line: it fails there as well
            self.pending.append((code, names_bound(code)))

    def run_needed(self, names: set[str], namespace: dict) -> None:
        """Run, in their order, the pending statements that bind any of `names`."""
        needed = [entry for entry in self.pending if entry[1] & names]
        self.pending = [entry for entry in self.pending if not entry[1] & names]
        for code, _bound in needed:
            with contextlib.suppress(Exception):  # as in the notebook: a failed import binds nothing
                exec(code, namespace)


def judge_cell(job: dict, namespace: dict, protocol, imports: PendingImports | None = None
               ) -> dict:
    """Run one test cell against the student's kernel; return its printed text and its error.

    `imports` holds the notebook's import statements not run yet; those binding a name the cell
    reads run first.
    """
    path = job["socket"]
    printed = io.StringIO()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        # The socket's folder gives it the kernel's group (set-group-id) and the umask (main)
        # leaves it group-writable: no chmod through a path, which a link could redirect.
        listener.bind(path)
        listener.listen(1)
        listener.settimeout(CONNECT_TIMEOUT)
        _write(protocol, {"listening": True})
        try:
            connection = listener.accept()[0]
        except OSError:
            return {"stdout": "", "error": {
                "ename": "NotGraded", "evalue": _("the notebook's kernel did not answer the "
                                                  "grader (did the notebook change course_lib or "
                                                  "the kernel?); this test gets no points.")}}
    error = None
    with connection:
        connection.settimeout(job["timeout"])
        endpoint = Endpoint(connection, JUDGE_SIDE_OPS, judge=True)
        try:
            code = compile(job["source"], TEST_CELL_FILENAME, "exec")
            if imports is not None:
                imports.run_needed(names_read(code), namespace)
            _bind_names(code, namespace, endpoint, job)
            with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                exec(code, namespace)
        except WireError as failure:
            error = {"ename": "NotGraded", "evalue": _(
                "the notebook's kernel stopped answering the grader ({problem}); this test gets "
                "no points.").format(problem=failure)}
        except BaseException as failure:  # the test failed (or the test code itself is broken)
            error = {"ename": type(failure).__name__, "evalue": str(failure)}
        if not endpoint.broken:
            with contextlib.suppress(Exception):
                connection.settimeout(5)
                endpoint.request("done")
    os.unlink(path)
    if error is not None:  # a student's value can be quoted in a message: cut at the source
        error = {key: str(value)[:MAX_PRINTED] for key, value in error.items()}
    return {"stdout": printed.getvalue()[:MAX_PRINTED], "error": error}


def _write(stream, message: dict) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


def main() -> None:
    """Read jobs (JSON lines) on stdin; answer on the original stdout, one JSON line each.

    Its messages, and the checks the test cells call, speak the language COURSE_LANGUAGE names.
    """
    with speaking(course_language()):
        _serve()


def _serve() -> None:
    protocol = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever test code prints can never be mistaken for an answer
    os.umask(0o007)  # its sockets: for this user and the kernel's group only
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    imports = PendingImports()
    for line in sys.stdin:
        job = json.loads(line)
        if job["op"] == "imports":
            imports.add(job["statements"])
            _write(protocol, {"ok": True})
        elif job["op"] == "judge":
            _write(protocol, judge_cell(job, namespace, protocol, imports))


# -- the grader's handle on a judge process ---------------------------------------------------

class Judge:
    """A judge process for one notebook, driven by the grader (see nbgrader_plugins).

    With `wait=False` the constructor returns as soon as the process is started, and the first
    `start()` waits until it is ready: the grader starts the judge beside the kernel.

    It runs sandboxed like the kernel (`course_lib.grading.sandbox.kernel`): as root, as a user id of its own
    that owns `socket_dir`, the folder where it listens for the kernel, with the kernel's user
    id as the folder's group (set-group-id) so that only the kernel can connect. It speaks
    `language` (the assignment's), whatever the grader's own COURSE_LANGUAGE says.
    """

    def __init__(self, import_statements: list[str], trusted_names: set[str],
                 student_names: set[str], socket_dir: str | None = None,
                 kernel_uid: int | None = None, limits: dict | None = None,
                 language: str = ENGLISH, wait: bool = True):
        self.trusted_names, self.student_names = sorted(trusted_names), sorted(student_names)
        from course_lib.grading.sandbox import kernel as sandbox  # late: Unix only, see plugins
        self.workdir = tempfile.mkdtemp(prefix="course-judge-")
        self.lease = sandbox.UserIdLease() if sandbox.is_root() else None
        command = [sys.executable, "-I", "-m", "course_lib.grading.judge.trusted"]
        if socket_dir is not None:
            command = self._sandboxed(command, socket_dir, kernel_uid, limits)
        env = {**os.environ, "MPLBACKEND": "Agg", ENVIRONMENT_VARIABLE: language}
        # -I: neither the current folder nor PYTHONPATH can put a module in the judge's way
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        cwd=self.workdir, env=env)
        self._buffer = b""
        self._send({"op": "imports", "statements": import_statements})
        self._starting = True
        if wait:  # else the judge gets ready while the kernel starts; start() waits for it
            self.ready()

    def ready(self) -> bool:
        """Wait (once) until the judge process has started; False if it never did."""
        if self._starting:
            self._starting = False
            self._started = self._answer(STARTUP_TIMEOUT) is not None
        return self._started

    def _sandboxed(self, command: list[str], socket_dir: str, kernel_uid: int | None,
                   limits: dict | None) -> list[str]:
        from course_lib.grading.sandbox import kernel as sandbox
        limits = {**sandbox.DEFAULT_LIMITS, **(limits or {})}
        limits["memory_bytes"] *= 2  # it holds the test's data and the kernel's answers
        uid = self.lease.uid if self.lease else None
        if uid is not None:
            os.chown(self.workdir, uid, uid)
            os.chown(socket_dir, uid, kernel_uid if kernel_uid is not None else uid)
            os.chmod(socket_dir, 0o2750)  # root's own new folder: no student process reaches it
        mode = sandbox.sandbox_mode()
        settings = {"mode": "bubblewrap" if mode == "bubblewrap" else "limits", "uid": uid,
                    "limits": limits, "read_only": sandbox.python_folders(),
                    "read_write": [socket_dir], "seccomp": True, "home": self.workdir,
                    "bwrap": sandbox.bubblewrap()}
        return [sys.executable, "-m", "course_lib.grading.sandbox.launcher", "--settings",
                json.dumps(settings), "--", *command]

    def _send(self, job: dict) -> None:
        self.process.stdin.write(json.dumps(job).encode() + b"\n")
        self.process.stdin.flush()

    def _answer(self, timeout: float) -> dict | None:
        """The judge's next line, or None after `timeout` seconds (or if it died)."""
        deadline = time.monotonic() + timeout
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            left = deadline - time.monotonic()
            if len(self._buffer) > MAX_ANSWER_BYTES:  # never from an honest judge
                return None
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return json.loads(line)

    def start(self, source: str, socket_path: str, timeout: float) -> bool:
        """Send a test cell; True once the judge listens on `socket_path` for the kernel."""
        if not self.ready():
            return False
        self._send({"op": "judge", "source": source, "socket": socket_path, "timeout": timeout,
                    "student_names": self.student_names, "trusted_names": self.trusted_names})
        return bool(self._answer(CONNECT_TIMEOUT))

    def verdict(self, timeout: float) -> dict | None:
        """The judge's {"stdout", "error"} for the cell started last, or None if it never came."""
        return self._answer(timeout)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        if self.lease is not None:
            self.lease.release()
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(OSError):
                stream.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
