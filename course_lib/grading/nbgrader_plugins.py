"""nbgrader preprocessors the course's `nbgrader_config.py` adds to nbgrader's own.

- `DropSolutionNotes` runs first when student versions are generated: the cell at the top of
  each solution notebook that says it is the solution (tagged `solution-note`) stays out of
  the student's notebook.
- `StripEditorState` runs last when student versions are generated: nbgrader keeps the widget
  state a notebook was saved with, and JupyterLab's timing metadata, in every release.
- `ClearHiddenTestsOfTests` runs when feedback is generated, in place of nbgrader's
  `ClearHiddenTests`, which reads every cell: `### BEGIN HIDDEN TESTS` typed into an answer (or a
  file name in the notes) made it stop, and the feedback page was not written. Hidden tests only
  ever live in test cells, which nbgrader restores from the gradebook before grading.
- `feedback_template_dirs()`: where the feedback page's template (`course_feedback`, nbgrader's
  own with a Content-Security-Policy) is found; `safe_html` is the filter it passes the page's
  body through: tags and attributes outside an allowlist are shown as text. `feedback_language`
  puts nbgrader's headings ("Score:", "Test cell" ...) into the assignment's language, and
  `hidden_output_note` is the course's note below them.
- `ShortenTestErrors` runs when feedback is generated: nbgrader's `ClearHiddenTests` removes the
  hidden tests from a test cell's source, but a failing cell's traceback still quotes the line
  that failed. Our test cells fail with a self-contained message (course_lib.checks), so the
  feedback keeps only that message.
- `SafeCollect` is nbgrader's collect with its copy from the exchange replaced: nbgrader (root)
  follows the links a student leaves in the inbound folder and copies what they point to (the
  gradebook, solutions/, another student's files); this copy takes ordinary files only.
- `JudgedExecute` replaces nbgrader's Execute when autograding: the kernel runs in a sandbox
  (course_lib.grading.sandbox) and the test cells are judged by a trusted process (course_lib.grading.judge).
"""
from __future__ import annotations

import ast
import contextlib
import json
import os
import queue
import re
import time
from pathlib import Path

import nbformat
import zmq
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError
from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_output
from nbgrader import utils
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.preprocessors import ClearHiddenTests, Execute
from traitlets import Bool

from course_lib.grading.judge.trusted import AGENT_CODE, CONNECT_TIMEOUT, Judge, names_defined_by
from course_lib.grading.language import N_, _, assignment_language, speaking
from course_lib.grading.submission_check import (
    copy_ordinary_files,
    is_test_cell,
    without_control_characters,
)

KERNEL_GONE = N_("the notebook's kernel had stopped (it ran out of memory, or the code ended "
                 "it?); this test gets no points.")
MAX_CELL_OUTPUT_BYTES = 4 << 20  # what one cell may print while graded; the rest is dropped
# Notebook metadata written by the editor or by widgets, never by the author.
EDITOR_NOTEBOOK_KEYS = ("widgets",)
EDITOR_CELL_KEYS = ("execution", "ExecuteTime", "widgets")


SOLUTION_NOTE_TAG = "solution-note"


def is_solution_note(cell) -> bool:
    return SOLUTION_NOTE_TAG in cell.metadata.get("tags", [])


class DropSolutionNotes(Preprocessor):
    """Remove the cells tagged `solution-note`: they exist in solutions/ only."""

    enabled = Bool(True)

    def preprocess(self, nb, resources):
        nb.cells = [cell for cell in nb.cells if not is_solution_note(cell)]
        return nb, resources


class StripEditorState(Preprocessor):
    """Remove saved widget state and cell timing metadata from a notebook."""

    enabled = Bool(True)  # nbconvert preprocessors are off unless enabled

    def preprocess(self, nb, resources):
        for key in EDITOR_NOTEBOOK_KEYS:
            nb.metadata.pop(key, None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        for key in EDITOR_CELL_KEYS:
            cell.metadata.pop(key, None)
        return cell, resources


class ClearHiddenTestsOfTests(ClearHiddenTests):
    """nbgrader's ClearHiddenTests on the test cells only; the student's cells are left as typed."""

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            return super().preprocess_cell(cell, resources, index)
        return cell, resources


def feedback_template_dirs() -> list[str]:
    """Template folders of the feedback page: the course's `course_feedback`, then nbgrader's
    `feedback` it extends.
    """
    import nbgrader
    return [str(Path(__file__).parent / "feedback_templates"),
            str(Path(nbgrader.__file__).parent / "server_extensions" / "formgrader" / "templates")]


# What a feedback page's body may hold: the tags nbconvert, nbgrader and Markdown make, and
# attributes that cannot run anything. Images only as data: URLs (nothing loads from elsewhere).
FEEDBACK_TAGS = {"a", "b", "blockquote", "body", "br", "code", "del", "div", "em", "h1", "h2",
                 "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "main", "ol", "p", "pre", "s",
                 "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul"}
PLAIN_ATTRIBUTES = {"align", "alt", "class", "colspan", "height", "id", "name", "rowspan", "title",
                    "width"}


def allowed_attribute(tag: str, name: str, value: str) -> bool:
    url = value.strip().lower()
    if name == "href":
        return tag == "a" and not url.startswith("data:")
    if name == "src":
        return tag == "img" and url.startswith("data:image/")
    return name in PLAIN_ATTRIBUTES


def safe_html(html: str) -> str:
    """`html` with every tag and attribute outside the allowlist escaped into text: a student's
    `<script>`, `onerror=` or `javascript:` link shows as what it is and does nothing.
    """
    import bleach  # nbconvert's own sanitizer (its sanitize_html misses nbgrader's Markdown cells)
    return bleach.clean(html, tags=FEEDBACK_TAGS, attributes=allowed_attribute,
                        protocols={"http", "https", "mailto", "data"}, strip_comments=True)


# nbgrader's headings in its feedback page (feedback/index.html.j2), each in the markup around
# it there: a student's text that looks the same can only be translated, never changed otherwise.
FEEDBACK_HEADINGS = [
    ('<span class="nbgrader-label">{}</span>', N_("Student's answer")),
    ('<span class="nbgrader-label">{}</span>', N_("Student's task")),
    ('<span class="nbgrader-label">{} <code>', N_("Grade cell:")),
    ('<span class="nbgrader-label">{} <code>', N_("Task:")),
    ('">{}</a> (', N_("Test cell")),
    ('">{}</a> (', N_("Coding free-response")),
    ('">{}</a> (', N_("Written response")),
    ('">{}</a> (', N_("Task")),
    ('">{}</a></li>', N_("Comment")),
    ('<li class="late-penalty">{} (', N_("Late submission penalty")),
    ('<a href="#top">{}</a>', N_("(Top)")),
    ('<b>{}</b>', N_("Comments:")),
]
SCORE = re.compile(r"(?<=[(\s])Score:(?= -?\d)")  # "(Score: 2.0 / 3.0)", "Score: 2.0 / 3.0"
HIDDEN_OUTPUT_NOTE = N_("What your functions printed while the graded tests called them is not "
                        "shown: it could give the hidden tests away. The tests ran after your "
                        "notebook's last cell.")


def feedback_language(html: str, assignment: str) -> str:
    """The feedback page's body with nbgrader's headings in the language of `assignment`."""
    with speaking(assignment_language(assignment)):
        for markup, heading in FEEDBACK_HEADINGS:
            html = html.replace(markup.format(heading), markup.format(_(heading)))
        return SCORE.sub(_("Score:"), html)


def hidden_output_note(assignment: str) -> str:
    """The note below the feedback page, in the language of `assignment`."""
    with speaking(assignment_language(assignment)):
        return _(HIDDEN_OUTPUT_NOTE)


class ShortenTestErrors(Preprocessor):
    """Replace the traceback of a failed test cell with its last line, "Error: message"."""

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_test_cell(cell):
            for output in cell.outputs:
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources


class SafeCollect(ExchangeCollect):
    """nbgrader's collect, copying from the exchange through descriptors: no link is followed,
    and links, sockets, pipes, devices and hard links are left out with a warning.
    """

    def do_copy(self, src, dest, log=None):
        dest = Path(dest)
        if dest.exists():  # nbgrader removed it before an update; never copy into a stale one
            raise RuntimeError(f"{dest} exists already")
        left_out = copy_ordinary_files(Path(src), dest, ignore=self.coursedir.ignore,
                                       max_file_bytes=1000 * self.coursedir.max_file_size)
        for item in left_out:
            self.log.warning("not collected from %s: %s", without_control_characters(src),
                             without_control_characters(item))


# -- trusted judging while autograding --------------------------------------------------------

def answer_definitions(source_notebook) -> set[str]:
    """The functions and classes the answer cells of the instructor's notebook define: the
    exercises, whose course_lib versions the graded kernel may not call.
    """
    names = set()
    for cell in source_notebook.cells:
        if cell.cell_type != "code" or not cell.metadata.get("nbgrader", {}).get("solution"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        names |= {node.name for node in tree.body
                  if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return names


def instructor_imports(source_notebook) -> tuple[list[str], set[str]]:
    """The import statements of the instructor's cells (not answers, not tests) and the names
    they bind: what a test cell may use from the notebook without trusting the submission.
    """
    statements, names = [], set()
    for cell in source_notebook.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or meta.get("solution") or meta.get("grade"):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                statements.append(ast.unparse(node))
                names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
    return statements, names


class JudgedExecute(Execute):
    """nbgrader's Execute, in a sandboxed kernel, with every autograded test cell judged outside it.

    Answer and other cells run in the student's kernel as usual (started by
    `course_lib.grading.sandbox.kernel.SandboxedKernelManager`). A test cell is not sent to the kernel: a trusted
    judge process runs it (`course_lib.grading.judge.trusted`), calling the submission's functions in the kernel
    with plain data, and the cell's output becomes what the judge printed or the error it raised.

    The judge, and the messages here, speak the assignment's language (Korean for `NN_name_ko`,
    course_lib.grading.language). Hidden inputs stay hidden: the test cells are judged once the notebook's last cell has run
    (in the order they appear), so no cell runs after a hidden test has called the student's
    functions; what those functions print while judged is not collected; the message of an error
    they raise is cut short (`judge.wire.MAX_STUDENT_MESSAGE`). A cell's output is cut at
    MAX_CELL_OUTPUT_BYTES as it arrives, and the kernel's sockets drop a message over
    `sandbox.MAX_MESSAGE_BYTES`: nothing large reaches this (root) process.
    """

    def __init__(self, *args, **kwargs):
        # late: the sandbox needs Unix (fcntl, resource, libc), and nbgrader_config.py, which
        # imports this module, is loaded by every nbgrader command, a student's on Windows too
        from course_lib.grading.sandbox.kernel import SandboxedKernelManager
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        # The kernel is killed, not asked to stop: a polite shutdown only waits for the student's
        # process to tidy up, and cleaning up the sandbox ends everything it left anyway.
        kwargs.setdefault("shutdown_kernel", "immediate")
        super().__init__(*args, **kwargs)
        self._judge = None
        self._judged = 0

    def preprocess(self, nb, resources=None, km=None):
        self._student_names = names_defined_by(
            [c.source for c in nb.cells if c.cell_type == "code" and utils.is_solution(c)])
        source = self._source_notebook(resources)
        self._imports, self._trusted_names = instructor_imports(source) if source else ([], set())
        self._exercises = answer_definitions(source) if source else set()
        self._output_bytes, self._waiting, self._iopub_events = {}, [], None
        self._language = assignment_language((resources or {}).get("nbgrader", {})
                                             .get("assignment", ""))
        try:
            with speaking(self._language):
                return super().preprocess(nb, resources, km)
        finally:
            self._close_judge()

    def _source_notebook(self, resources):
        """The instructor's version of the notebook being graded (None if it is not found)."""
        info = (resources or {}).get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        path = os.path.join(coursedir.format_path(coursedir.source_directory, ".",
                                                  info.get("assignment", "")),
                            f"{info.get('notebook', '')}.ipynb")
        if not os.path.isfile(path):
            self.log.warning("judging without the source notebook %s: the test cells get only "
                             "the modules the submission imported", path)
            return None
        return nbformat.read(path, as_version=4)

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        km.reference_names = set(self._exercises)
        if any(c.cell_type == "code" and is_test_cell(c) for c in self.nb.cells):
            # the judge starts now, beside the kernel, not when the first test cell is reached
            self._judge = self._new_judge(km)
        return km

    def _new_judge(self, km) -> Judge:
        """A judge process for this notebook, sandboxed to meet the kernel `km` manages."""
        return Judge(self._imports, self._trusted_names, self._student_names,
                     socket_dir=km.judge_dir, kernel_uid=km.uid, limits=km.limits(),
                     language=self._language, wait=False)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_test_cell(cell):
            self._waiting.append(cell)
            cell.outputs, cell.execution_count = [], None
        else:
            self._watch_iopub()
            try:
                cell, resources = super().preprocess_cell(cell, resources, index)
            except CellTimeoutError:  # its output's end was lost with an oversized message?
                if not self._iopub_events.poll(0):
                    raise  # no: a cell that did not finish in time
            if self._iopub_broken():
                from course_lib.grading.sandbox.kernel import MAX_MESSAGE_BYTES
                cell.outputs.append(new_output("stream", name="stderr", text="\n{}\n".format(
                    _("... output cut: this cell sent a message of more than {count} bytes; the "
                      "rest of its output is lost ...").format(count=f"{MAX_MESSAGE_BYTES:,}"))))
        if index == len(self.nb.cells) - 1:
            # The test cells are judged after the notebook's last cell has run: a function that
            # records what a hidden test passes it has no later cell left to print it in.
            for waiting in self._waiting:
                waiting.outputs = self._judge_cell(waiting)
        return cell, resources

    def _watch_iopub(self) -> None:
        """Watch the output socket: the kernel's sockets drop a message over MAX_MESSAGE_BYTES by
        closing the connection, which ZMQ never opens again.
        """
        if self._iopub_events is not None:
            return
        address = f"inproc://iopub-monitor-{id(self)}"
        self.kc.iopub_channel.socket.monitor(address, zmq.EVENT_DISCONNECTED)
        self._iopub_events = zmq.Context.shadow(self.kc.context.underlying).socket(zmq.PAIR)
        self._iopub_events.connect(address)

    def _stop_watching_iopub(self) -> None:
        if self._iopub_events is not None:
            with contextlib.suppress(zmq.ZMQError):
                self.kc.iopub_channel.socket.disable_monitor()
            self._iopub_events.close(linger=0)
            self._iopub_events = None

    async def _async_cleanup_kernel(self) -> None:
        self._stop_watching_iopub()  # an open socket would make ZMQ wait for ever at the end
        await super()._async_cleanup_kernel()

    _cleanup_kernel = run_sync(_async_cleanup_kernel)  # nbclient binds its own at class level

    def _iopub_broken(self) -> bool:
        """True (and the output socket connected again) if the kernel's output connection broke."""
        if not self._iopub_events.poll(0):
            return False
        self._stop_watching_iopub()
        self.kc.iopub_channel.close()
        self.kc._iopub_channel = None  # jupyter_client makes and connects a new one when asked
        self.kc.iopub_channel  # noqa: B018
        time.sleep(0.5)  # let it connect before the kernel publishes again
        return True

    def output(self, outs, msg, display_id, cell_index):
        """nbclient's output handling, stopped once a cell has printed MAX_CELL_OUTPUT_BYTES."""
        used = self._output_bytes.get(cell_index, 0)
        size = len(json.dumps(msg.get("content", {})))
        self._output_bytes[cell_index] = used + size
        if used + size <= MAX_CELL_OUTPUT_BYTES:
            return super().output(outs, msg, display_id, cell_index)
        if used <= MAX_CELL_OUTPUT_BYTES:
            outs.append(new_output("stream", name="stderr", text="\n{}\n".format(
                _("... output cut: this cell printed more than {count} bytes ...").format(
                    count=f"{MAX_CELL_OUTPUT_BYTES:,}"))))
        return None

    def _judge_cell(self, cell) -> list:
        if self._judge is None or not self._judge.alive():
            self._judge = self._new_judge(self.km)
        self._judged += 1
        path = os.path.join(self.km.judge_dir, f"judge-{self._judged}.sock")
        timeout = self.timeout or 300
        verdict = None
        if not self._kernel_alive():
            verdict = {"stdout": "", "error": {"ename": "NotGraded", "evalue": _(KERNEL_GONE)}}
        elif self._judge.start(cell.source, path, timeout):
            msg_id = self.kc.execute(AGENT_CODE.format(path=path), silent=True,
                                     store_history=False, allow_stdin=False)
            verdict = self._wait_for_verdict(timeout + CONNECT_TIMEOUT + 30)
            if self._kernel_alive():
                run_sync(self._async_settle)(msg_id)
        if verdict is None:  # the judge itself is stuck or gone: start a new one next time
            self._close_judge()
            verdict = {"stdout": "", "error": {"ename": "NotGraded", "evalue":
                       _("the grader could not run this test; it gets no points.")}}
        outputs = []
        if verdict["stdout"]:
            outputs.append(new_output("stream", name="stdout", text=verdict["stdout"]))
        if verdict["error"]:
            ename, evalue = verdict["error"]["ename"], verdict["error"]["evalue"]
            outputs.append(new_output("error", ename=ename, evalue=evalue,
                                      traceback=[f"{ename}: {evalue}"]))
        return outputs

    def _kernel_alive(self) -> bool:
        return bool(run_sync(self.km.is_alive)())

    def _wait_for_verdict(self, timeout: float) -> dict | None:
        """The judge's verdict; after the kernel has died, a few seconds more at most."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            verdict = self._judge.verdict(min(left, 2.0))
            if verdict is not None or not self._judge.alive():
                return verdict
            if not self._kernel_alive():
                return self._judge.verdict(5) or {"stdout": "", "error": {
                    "ename": "NotGraded", "evalue": KERNEL_GONE}}
        return None

    async def _async_settle(self, msg_id: str) -> bool:
        """Wait until the kernel has finished answering the judge; interrupt it if it has not."""
        for interrupt, seconds in ((False, 5), (True, 15)):
            if interrupt:
                await ensure_async(self.km.interrupt_kernel())
            deadline = time.monotonic() + seconds
            while (left := deadline - time.monotonic()) > 0:
                try:
                    reply = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))
                except queue.Empty:
                    break
                if reply["parent_header"].get("msg_id") == msg_id:
                    return True
        self.log.warning("the kernel did not stop after it answered the judge")
        return False

    def _close_judge(self) -> None:
        if self._judge is not None:
            self._judge.close()
            self._judge = None
