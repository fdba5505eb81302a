"""Helpers shared by the grading tests: find the assignments, read their cells, build a temporary
nbgrader course, run the real `nbgrader` command, and keep one kernel per notebook."""
from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import sys
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell

from course_lib.grading import cli
from course_lib.grading.course import CONFIG_FILE, nbgrader_environment

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"
TIMINGS = ROOT / "test-artifacts" / "notebook_timings.txt"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
HIDDEN_MARKERS = ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS")


def assignments() -> list[str]:
    """Every assignment in solutions/ (a folder holding a notebook): tests cover new ones by itself."""
    if not SOLUTIONS.is_dir():
        return []
    return sorted(p.name for p in SOLUTIONS.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def source_notebook(name: str) -> Path:
    return SOLUTIONS / name / f"{name}.ipynb"


def release_notebook(name: str) -> Path:
    return NOTEBOOKS / name / f"{name}.ipynb"


def read(path: Path):
    return nbformat.read(path, as_version=4)


# -- cell kinds ----------------------------------------------------------------------------------

def nbgrader_meta(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def is_answer(cell) -> bool:
    """An autograded answer: a code cell marked as solution, not graded itself."""
    meta = nbgrader_meta(cell)
    return cell.cell_type == "code" and meta.get("solution", False) and not meta.get("grade", False)


def is_test(cell) -> bool:
    """An autograder test cell: graded, not a solution."""
    meta = nbgrader_meta(cell)
    return meta.get("grade", False) and not meta.get("solution", False)


def is_written(cell) -> bool:
    """An answer graded by hand: graded and a solution."""
    meta = nbgrader_meta(cell)
    return meta.get("grade", False) and meta.get("solution", False)


def grade_id(cell) -> str:
    return nbgrader_meta(cell)["grade_id"]


def graders_of(nb, answer_id: str) -> list[str]:
    """The test cells that belong to an answer: `test_<id>` and `test_<id>_<suffix>`."""
    return [grade_id(c) for c in nb.cells if is_test(c)
            and (grade_id(c) == f"test_{answer_id}" or grade_id(c).startswith(f"test_{answer_id}_"))]


def _marked(source: str, markers: tuple[str, str]):
    """(line, whether it lies in a marked region) for each line of `source` but the markers."""
    inside = False
    for line in source.split("\n"):
        if markers[0] in line:
            inside = True
        elif markers[1] in line:
            inside = False
        else:
            yield line, inside


def region_lines(source: str, markers: tuple[str, str]) -> list[str]:
    """The lines strictly between the begin and end markers (all regions of the cell)."""
    return [line for line, inside in _marked(source, markers) if inside]


def without_region(source: str, markers: tuple[str, str]) -> str:
    """The cell source with the marked regions (markers included) removed."""
    return "\n".join(line for line, inside in _marked(source, markers) if not inside)


def hidden_test_lines(nb, min_length: int = 8) -> set[str]:
    """The lines of `nb`'s hidden tests that would give them away if shown: longer than
    `min_length` characters and in no visible part of the notebook."""
    visible = "\n".join(without_region(c.source, HIDDEN_MARKERS) for c in nb.cells)
    return {line.strip() for c in nb.cells if is_test(c)
            for line in region_lines(c.source, HIDDEN_MARKERS)
            if len(line.strip()) > min_length and line.strip() not in visible}


def with_mistake(correct: str, right: str, wrong: str) -> str:
    """`correct` with its one occurrence of `right` replaced by `wrong`: a wrong answer that
    differs from a correct one in exactly the mistake it is named after."""
    count = correct.count(right)
    if count != 1:
        raise ValueError(f"expected {right!r} once in the correct answer, found it {count} times")
    return correct.replace(right, wrong)


def autograded_points(nb) -> float:
    return sum(nbgrader_meta(c).get("points", 0) for c in nb.cells if is_test(c))


# -- a temporary nbgrader course -----------------------------------------------------------------

def make_course(directory: Path, names: list[str]) -> Path:
    """A course in `directory`: our nbgrader_config.py and solutions/<name> for each name."""
    shutil.copy(ROOT / CONFIG_FILE, directory / CONFIG_FILE)
    for name in names:
        shutil.copytree(SOLUTIONS / name, directory / "solutions" / name)
    return directory


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real `nbgrader` command in `course` (config errors raise there, see instructor)."""
    command = [str(Path(sys.executable).parent / "nbgrader"), *args]
    result = subprocess.run(command, cwd=course, env=nbgrader_environment(),
                            capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-5000:]}")
    return result


def record_timing(name: str, what: str, seconds: float) -> None:
    """Append a line to test-artifacts/notebook_timings.txt (the numbers the report quotes)."""
    TIMINGS.parent.mkdir(exist_ok=True)
    with TIMINGS.open("a") as f:
        f.write(f"{name}\t{what}\t{seconds:.1f}\n")


# -- one kernel per notebook ---------------------------------------------------------------------

class KernelSession:
    """A notebook executed once in a live kernel, then single cells run on demand.

    The kernel's working directory is the notebook's folder, as in JupyterLab and nbgrader.
    """

    def __init__(self, path: Path, timeout: int = 120):
        self.path = path
        self.nb = read(path)
        self.client = NotebookClient(self.nb, timeout=timeout, kernel_name="python3",
                                     allow_errors=True,
                                     resources={"metadata": {"path": str(path.parent)}})
        self.client.km = self.client.create_kernel_manager()
        self.client.start_new_kernel()
        self.client.start_new_kernel_client()
        self.cells = {grade_id(c): c for c in self.nb.cells if nbgrader_meta(c).get("grade_id")}
        start = time.perf_counter()
        self.errors = [(i, error) for i, cell in enumerate(self.nb.cells)
                       if cell.cell_type == "code" and (error := self.run(cell.source)) is not None]
        self.seconds = time.perf_counter() - start

    def run(self, source: str) -> str | None:
        """Execute `source` as a new cell; return "Ename: evalue" if it failed, else None."""
        cell = new_code_cell(source)
        self.client.execute_cell(cell, 0)
        for output in cell.outputs:
            if output.output_type == "error":
                return f"{output.ename}: {output.evalue}"
        return None

    def try_answer(self, answer_id: str, source: str, tests: list[str]) -> dict[str, str | None]:
        """Run `source` in place of the answer cell, then its tests; restore the real answer.

        Returns test grade_id -> "Ename: message" when that test cell failed, None when it passed.
        """
        try:
            self.run(source)
            return {test: self.run(self.cells[test].source) for test in tests}
        finally:
            restored = self.run(self.cells[answer_id].source)
            assert restored is None, f"restoring {answer_id} failed: {restored}"

    def close(self) -> None:
        self.client._cleanup_kernel()  # nbclient's own shutdown of the kernel and its channels


def visible_text(html_text: str) -> str:
    """The text a reader of an HTML page sees: tags removed, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_text))


def run_instructor(course: Path, *args: str) -> tuple[int, str]:
    """`course-instructor --root course ARGS` in this process: (exit status, what it printed on
    stdout and stderr)."""
    output = io.StringIO()
    with redirect_stdout(output), redirect_stderr(output):
        status = cli.main(["--root", str(course), *args])
    return status, output.getvalue()


def student_nbgrader(home: Path, exchange: Path, *args: str) -> None:
    """The real `nbgrader` as a student would run it, in the student's home folder."""
    command = [str(Path(sys.executable).parent / "nbgrader"), *args,
               f"--Exchange.root={exchange}", "--CourseDirectory.course_id=dl-foundations"]
    result = subprocess.run(command, cwd=home, env=nbgrader_environment(),
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
