"""nbgrader preprocessors the course's `nbgrader_config.py` adds to nbgrader's own.

- `StripEditorState` runs last when student versions are generated: nbgrader keeps the widget
  state a notebook was saved with, and JupyterLab's timing metadata, in every release.
- `ShortenTestErrors` runs when feedback is generated: nbgrader's `ClearHiddenTests` removes the
  hidden tests from a test cell's source, but a failing cell's traceback still quotes the line
  that failed. Our test cells fail with a self-contained message (course_lib.checks), so the
  feedback keeps only that message.
"""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbgrader import utils
from traitlets import Bool

# Notebook metadata written by the editor or by widgets, never by the author.
EDITOR_NOTEBOOK_KEYS = ("widgets",)
EDITOR_CELL_KEYS = ("execution", "ExecuteTime", "widgets")


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


def is_autograded_test(cell) -> bool:
    """True for an nbgrader "Autograder tests" cell (graded, not a solution)."""
    return utils.is_grade(cell) and not utils.is_solution(cell)


class ShortenTestErrors(Preprocessor):
    """Replace the traceback of a failed test cell with its last line, "Error: message"."""

    enabled = Bool(True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and is_autograded_test(cell):
            for output in cell.outputs:
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
