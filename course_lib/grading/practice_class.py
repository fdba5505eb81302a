"""A made-up class, to try the grading pipeline before real students hand anything in.

Student k of a practice class hands in the released notebook with some of its answer cells
filled in from the solution: answer j (counting answer cells from 0) when bit j of k is set, so
student 0 hands in the blank notebook and the students together cover every mix of solved and
unsolved answers. Their grades are known in advance, and they take as long to grade as real work.

    write_practice_class(course_root, "01_derivatives", 40)   # submitted/student_00 ... student_39
"""
from __future__ import annotations

from pathlib import Path

import nbformat

from course_lib.grading.submission_check import is_code_answer


def practice_notebook(released, solution, student: int):
    """The notebook student number `student` hands in: `released` with some answers solved.

    Parameters
    ----------
    released, solution : NotebookNode
        The student version of a notebook and its source, with the same nbgrader cells.
    student : int
        Answer j comes from `solution` when bit j of `student` is set.
    """
    solved = {cell.metadata.nbgrader.grade_id: cell.source
              for cell in solution.cells if is_code_answer(cell)}
    notebook = nbformat.from_dict(released)
    answers = [cell for cell in notebook.cells if is_code_answer(cell)]
    for j, cell in enumerate(answers):
        if student >> j & 1:
            cell.source = solved[cell.metadata.nbgrader.grade_id]
    return notebook


def student_name(student: int) -> str:
    return f"student_{student:02d}"


def write_practice_class(root: Path, assignment: str, count: int,
                         source_directory: str = "solutions",
                         release_directory: str = "notebooks") -> list[str]:
    """Write `submitted/<student>/<assignment>/` for `count` practice students; their names.

    The assignment must be released (`instructor release`) in the course at `root`.
    """
    if count < 1:
        raise ValueError(f"count: expected at least 1 student, got {count}")
    released = sorted((Path(root) / release_directory / assignment).glob("*.ipynb"))
    if not released:
        raise FileNotFoundError(f"assignment: no released notebook in "
                                f"{Path(root) / release_directory / assignment}; release "
                                f"{assignment!r} first")
    names = [student_name(k) for k in range(count)]
    for path in released:
        release = nbformat.read(path, as_version=4)
        solution = nbformat.read(Path(root) / source_directory / assignment / path.name,
                                 as_version=4)
        for k, name in enumerate(names):
            folder = Path(root) / "submitted" / name / assignment
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(practice_notebook(release, solution, k), folder / path.name)
    return names
