"""Check a submission against the released notebooks before nbgrader grades it.

Students hand in notebooks that make nbgrader stop or grade the wrong thing: a graded cell pasted
twice (nbgrader fails on it), a deleted test cell (nbgrader can fail while putting it back), a
file that is not a notebook at all, a notebook under another name, a `numpy.py` next to the
notebook that would replace numpy while the tests run. So nbgrader never reads
`submitted/<student>/<assignment>/` directly: `prepare_submission` writes a checked copy,

    prepared/<student>/<assignment>/<notebook>.ipynb   (+ nbgrader's timestamp.txt and
                                                         submission_secret.txt)

and says in plain words what it found and did. The notes become a Markdown cell at the top of the
notebook, so nbgrader's feedback shows them to the student. `submitted/` stays untouched.

What happens to each problem:

- a notebook that is missing, or cannot be read as a notebook: the blank release notebook is
  graded in its place (0 autograded points), with the reason;
- a graded cell that appears more than once: the last copy stays graded (as nbgrader intends),
  earlier copies become ordinary cells that still run;
- a deleted graded or answer cell: put back from the release (a test cell gets its hidden tests
  back from the gradebook, an answer cell comes back blank);
- a graded cell changed to another cell type, an edited test cell: noted; nbgrader restores both
  from the gradebook;
- any other file: not copied, and named; sockets, named pipes and devices are named as such;
- nbgrader's `timestamp.txt` and `submission_secret.txt`: copied when they are ordinary small
  files, and a timestamp only when nbgrader can read it (an unreadable one is named and ignored:
  nbgrader would stop on it, for the blank notebook too).

Every text of the student's own in a note (file names, cell ids, what the notebook reader said
about the file) is shown with `quoted`, as literal text: a note is Markdown, rendered into the
feedback page, and printed on the instructor's terminal. The notes speak the assignment's
language (course_lib.grading.language): `prepare_submission` writes them in Korean for a Korean
edition.
"""
from __future__ import annotations

import contextlib
import fnmatch
import os
import re
import shutil
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

from course_lib.grading.language import N_, _, assignment_language, speaking

PREPARED_DIRECTORY = "prepared"
NBGRADER_FILES = ("timestamp.txt", "submission_secret.txt")  # written by `nbgrader submit`
NOTES_CELL_ID = "grading-notes"
NOTES_TITLE = N_("**Notes from grading.**")
MAX_NBGRADER_FILE_BYTES = 4096
MAX_NOTEBOOK_BYTES = 64 << 20  # a timestamp or a secret is a line of text
# Line breaks, tabs, escape sequences ... and the Unicode controls that reorder or hide text.
INVISIBLE_CATEGORIES = ("Cc", "Zl", "Zp")
BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
FILE_KINDS = ((stat.S_ISSOCK, N_("a socket")), (stat.S_ISFIFO, N_("a named pipe")),
              (stat.S_ISCHR, N_("a character device")), (stat.S_ISBLK, N_("a block device")),
              (stat.S_ISLNK, N_("a symbolic link")), (stat.S_ISDIR, N_("a folder")))
NOT_ORDINARY = N_("not an ordinary file")


@dataclass
class CheckedSubmission:
    """What `prepare_submission` found in one student's submission of one assignment.

    status : "graded" when every notebook of the assignment could be used (perhaps repaired),
        "missing" or "invalid" when at least one was replaced by the blank release.
    notes : one sentence per finding, in the words the student reads in the feedback.
    """

    status: str = "graded"
    notes: list[str] = field(default_factory=list)


# -- the student's text, shown safely -------------------------------------------------------------

def without_control_characters(text: str, keep_newlines: bool = False) -> str:
    r"""`text` with each control character written out as an escape (ESC as `\x1b`).

    For what reaches a terminal or a one-line note: a file name with an escape sequence must not
    recolour or clear the instructor's terminal, nor a line break forge a line of output.
    """
    def shown(character: str) -> str:
        if keep_newlines and character == "\n":
            return character
        if unicodedata.category(character) in INVISIBLE_CATEGORIES or character in BIDI_CONTROLS:
            return ascii(character)[1:-1]
        return character
    return "".join(shown(c) for c in str(text))


def quoted(text: str) -> str:
    """`text` as a Markdown code span: shown literally in the feedback page, never as HTML.

    The fence is one backtick longer than the longest run of backticks inside, so no text can
    close it early (CommonMark code spans).
    """
    text = without_control_characters(text)
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    padding = " " if not text.strip() or text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def file_kind(mode: int) -> str:
    """'a socket', 'a named pipe' ... for a file that is not an ordinary file."""
    return _(next((kind for test, kind in FILE_KINDS if test(mode)), NOT_ORDINARY))


def is_special(mode: int) -> bool:
    """A socket, a named pipe or a device: copying one fails (ENXIO) or never ends."""
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode))


def read_small_file(path: Path, limit: int) -> bytes:
    """The bytes of `path`, or ValueError saying why not: not an ordinary file, or too big.

    Opened without following a symbolic link and without waiting on a named pipe.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        try:
            kind = file_kind(os.lstat(path).st_mode)
        except OSError:
            kind = error.strerror
        raise ValueError(kind) from None
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(stream.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise ValueError(file_kind(mode))
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise ValueError(_more_than(limit))
    return data


def _more_than(limit: int) -> str:
    return _("more than {count} bytes").format(count=f"{limit:,}")


def copy_ordinary_files(source: Path, target: Path, ignore: list[str] = (),
                        max_file_bytes: int | None = None) -> list[str]:
    """Copy the ordinary files under `source` into `target` (made if missing), with folders.

    Works on file descriptors and never follows a symbolic link, so a student who swaps a file
    for a link meanwhile gains nothing; never writes over an existing file of `target`. Left
    out: links, sockets, pipes and devices, a file with a second name elsewhere (a hard link:
    it could be someone else's file), names matching `ignore`, files over `max_file_bytes`.

    Returns
    -------
    list of str
        What was left out, as 'name (a symbolic link)' ..., the names `quoted`.
    """
    left_out: list[str] = []
    target.mkdir(parents=True, exist_ok=True)
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        source_fd = os.open(source, flags)
    except OSError:
        kind = file_kind(os.lstat(source).st_mode) if os.path.lexists(source) else _("missing")
        return [f"{quoted(source.name)} ({kind})"]
    target_fd = os.open(target, flags)
    try:
        _copy_folder(source_fd, target_fd, "", list(ignore), max_file_bytes, left_out)
    finally:
        os.close(source_fd)
        os.close(target_fd)
    return left_out


def _copy_folder(source_fd: int, target_fd: int, prefix: str, ignore: list[str],
                 max_file_bytes: int | None, left_out: list[str]) -> None:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    for name in sorted(os.listdir(source_fd)):
        shown = quoted(prefix + name)
        if any(fnmatch.fnmatch(name, pattern) for pattern in ignore):
            continue
        try:
            info = os.stat(name, dir_fd=source_fd, follow_symlinks=False)
        except OSError:
            continue  # gone meanwhile
        if stat.S_ISDIR(info.st_mode):
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, 0o755, dir_fd=target_fd)
            try:
                inner_source = os.open(name, flags, dir_fd=source_fd)
            except OSError:
                left_out.append(_("{name} (a folder that could not be read)").format(name=shown))
                continue
            try:
                inner_target = os.open(name, flags, dir_fd=target_fd)
                try:
                    _copy_folder(inner_source, inner_target, f"{prefix}{name}/", ignore,
                                 max_file_bytes, left_out)
                finally:
                    os.close(inner_target)
            finally:
                os.close(inner_source)
        elif not stat.S_ISREG(info.st_mode):
            left_out.append(f"{shown} ({file_kind(info.st_mode)})")
        else:
            _copy_file(name, source_fd, target_fd, shown, max_file_bytes, left_out)


def _copy_file(name: str, source_fd: int, target_fd: int, shown: str,
               max_file_bytes: int | None, left_out: list[str]) -> None:
    try:
        inp = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=source_fd)
    except OSError as error:
        left_out.append(f"{shown} ({error.strerror})")
        return
    try:
        info = os.fstat(inp)
        if not stat.S_ISREG(info.st_mode):  # swapped after the look
            left_out.append(f"{shown} ({file_kind(info.st_mode)})")
            return
        if info.st_nlink > 1:
            left_out.append(_("{name} (a hard link: a second name of another file)").format(
                name=shown))
            return
        if max_file_bytes is not None and info.st_size > max_file_bytes:
            left_out.append(f"{shown} ({_more_than(max_file_bytes)})")
            return
        try:
            out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644,
                          dir_fd=target_fd)
        except FileExistsError:
            left_out.append(_("{name} (the grader's own file of that name)").format(name=shown))
            return
        try:
            while chunk := os.read(inp, 1 << 20):
                os.write(out, chunk)
        finally:
            os.close(out)
    finally:
        os.close(inp)


# -- cells ------------------------------------------------------------------------------------

def grade_id(cell) -> str | None:
    """The nbgrader id of a graded, answer or locked cell; None for an ordinary cell."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_test_cell(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def is_code_answer(cell) -> bool:
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("solution")) and not meta.get("grade")


def describe(cell) -> str:
    """'The test cell `x`', 'The answer cell `x`' or 'The cell `x`' (a release cell), as a
    note's first words.
    """
    meta = cell.metadata["nbgrader"]
    kind = (_("The test cell {id}") if is_test_cell(cell) else _("The answer cell {id}")
            if meta.get("solution") else _("The cell {id}"))
    return kind.format(id=quoted(grade_id(cell)))


def read_notebook(path: Path, own_file: bool = False):
    """The notebook at `path`, or ValueError saying in words why it is not a usable notebook.

    With `own_file` (a student's file), it is read through a descriptor opened without following
    a link, and refused if it has a second name (a hard link to someone else's file?).
    """
    try:
        if own_file:
            descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(descriptor, "rb") as stream:
                info = os.fstat(stream.fileno())
                if not stat.S_ISREG(info.st_mode) or info.st_nlink > 1:
                    raise ValueError("not an ordinary file of its own (a link?)")
                notebook = nbformat.reads(stream.read(MAX_NOTEBOOK_BYTES + 1).decode(),
                                          as_version=4)
        else:
            notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
    except Exception as error:  # a student's file can be anything: say what the reader said
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        raise ValueError(f"{type(error).__name__}: {first_line}"[:300]) from None
    return notebook


# -- repairs ----------------------------------------------------------------------------------

def keep_last_copies(notebook) -> list[str]:
    """Ungrade all but the last copy of each graded cell that appears more than once."""
    copies: dict[str, list] = {}
    for cell in notebook.cells:
        if grade_id(cell):
            copies.setdefault(grade_id(cell), []).append(cell)
    notes = []
    for name, cells in copies.items():
        if len(cells) > 1:
            for cell in cells[:-1]:
                del cell.metadata["nbgrader"]
            notes.append(_("The cell {id} appears {count} times in your notebook. Only the last "
                           "copy is graded; the others ran as ordinary cells.").format(
                               id=quoted(name), count=len(cells)))
    return notes


def index_of(notebook, name: str) -> int | None:
    return next((i for i, c in enumerate(notebook.cells) if grade_id(c) == name), None)


def restore_deleted_cells(notebook, release) -> list[str]:
    """Put back graded, answer and locked cells of the release that the notebook lacks.

    Each goes right after the cell that precedes it in the release, so answers and their tests
    keep their order. (nbgrader's own OverwriteCells.add_missing_cells fails when an answer
    and its test cell are both gone.)
    """
    notes = []
    previous = -1  # where the last release cell is in the notebook
    for cell in release.cells:
        name = grade_id(cell)
        if not name:
            continue
        index = index_of(notebook, name)
        if index is not None:
            previous = index
            continue
        previous += 1
        notebook.cells.insert(previous, nbformat.from_dict(cell))
        notes.append((_("{cell} was deleted from your notebook; it was put back blank, so its "
                        "tests fail.") if is_code_answer(cell) else
                      _("{cell} was deleted from your notebook; it was put back as released."))
                     .format(cell=describe(cell)))
    return notes


def report_changed_cells(notebook, release) -> list[str]:
    """Notes on graded cells whose type changed and locked cells whose text changed.

    nbgrader itself puts both back from the gradebook; the notes tell the student why their
    version was not used.
    """
    released = {grade_id(c): c for c in release.cells if grade_id(c)}
    notes = []
    for cell in notebook.cells:
        original = released.get(grade_id(cell))
        if original is None:
            continue
        if cell.cell_type != original.cell_type:
            notes.append(_("{cell} was changed from a {released} cell to a {handed_in} cell; it "
                           "was graded as a {released} cell.").format(
                               cell=describe(original), released=original.cell_type,
                               handed_in=cell.cell_type))
        elif (original.metadata["nbgrader"].get("locked")
              and cell.source.strip() != original.source.strip()):
            notes.append(_("{cell} was edited; it was graded with the original text.").format(
                cell=describe(original)))
    return notes


def notes_cell(notes: list[str]):
    text = "\n".join([_(NOTES_TITLE) + " " + _("These notes were added when your notebook was "
                                                "graded; the notebook you handed in is kept "
                                                "unchanged."), ""]
                     + [f"- {note}" for note in notes])
    return new_markdown_cell(text, id=NOTES_CELL_ID)


def add_notes(notebook, notes: list[str]):
    """Add `notes` to the notes cell at the top of the notebook (made when missing)."""
    if not notes:
        return notebook
    cell = notebook.cells[0] if notebook.cells else None
    if cell is not None and cell.get("id") == NOTES_CELL_ID:
        cell.source += "".join(f"\n- {note}" for note in notes)
        return notebook
    notebook.nbformat_minor = max(notebook.nbformat_minor, 5)  # cell ids came with 4.5
    for number, cell in enumerate(notebook.cells):
        cell.setdefault("id", f"cell-{number}")
    notebook.cells.insert(0, notes_cell(notes))
    return notebook


def blank_release(release_path: Path, answers_from=None):
    """The release notebook: what is graded when the student's notebook cannot be.

    Written answers (graded Markdown cells) of `answers_from`, the student's notebook when it
    could be read, are kept so that they can still be graded by hand.
    """
    notebook = nbformat.read(release_path, as_version=4)
    if answers_from is not None:
        written = {grade_id(c): c.source for c in answers_from.cells
                   if grade_id(c) and c.cell_type == "markdown"}
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("solution") and grade_id(cell) in written:
                cell.source = written[grade_id(cell)]
    return notebook


# -- a whole submission -----------------------------------------------------------------------

def ignored(relative: Path, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in relative.parts for pattern in patterns)


def other_files(folder: Path, expected: set[str], patterns: list[str]) -> list[str]:
    """Files in `folder` that are neither expected notebooks nor nbgrader's own files."""
    if not folder.is_dir():
        return []
    found = [p.relative_to(folder) for p in sorted(folder.rglob("*")) if p.is_file()]
    return [str(p) for p in found if not ignored(p, patterns)
            and str(p) not in expected and str(p) not in NBGRADER_FILES]


def special_files(folder: Path) -> list[str]:
    """'name (a socket)' for each socket, named pipe or device in `folder` (symbolic links not
    followed).
    """
    found = []
    for directory, _folders, names in os.walk(folder):
        for name in sorted(names):
            mode = os.lstat(os.path.join(directory, name)).st_mode
            if is_special(mode):
                relative = os.path.relpath(os.path.join(directory, name), folder)
                found.append(f"{quoted(relative)} ({file_kind(mode)})")
    return found


def nbgrader_file_problem(name: str, data: bytes) -> str | None:
    """Why nbgrader cannot use this `timestamp.txt` (None when it can, or for another file)."""
    if name != "timestamp.txt":
        return None
    from nbgrader.utils import parse_utc  # late: nbgrader is slow to import
    try:
        text = data.decode("utf-8").strip()
        if text:
            parse_utc(text) - parse_utc("1970-01-01 00:00:00")  # nbgrader computes with it
    except (ValueError, OverflowError, TypeError) as error:  # what dateutil raises on junk
        return f"{type(error).__name__}: {error}"
    return None


def copy_nbgrader_files(source: Path, target: Path) -> list[str]:
    """Copy nbgrader's own files that nbgrader can use; a note on each that it cannot."""
    notes = []
    for name in NBGRADER_FILES:
        if not os.path.lexists(source / name):
            continue
        try:
            data = read_small_file(source / name, MAX_NBGRADER_FILE_BYTES)
            problem = nbgrader_file_problem(name, data)
        except ValueError as error:
            problem = str(error)
        if problem is None:
            (target / name).write_bytes(data)
        else:
            note = (_("The {name} of your submission could not be read ({problem}); it was "
                      "ignored, so no late penalty was computed.") if name == "timestamp.txt"
                    else _("The {name} of your submission could not be read ({problem}); it "
                           "was ignored."))
            notes.append(note.format(name=name, problem=quoted(problem[:200])))
    return notes


def fresh_folder(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def prepare_submission(course, assignment: str, student: str) -> CheckedSubmission:
    """Write the checked copy of `student`'s submission of `assignment` that nbgrader grades.

    Parameters
    ----------
    course : course_lib.grading.course.Course
        Gives the release notebooks (the reference) and nbgrader's folder layout.
    assignment, student : str
        As in `submitted/<student>/<assignment>/`.

    Returns
    -------
    CheckedSubmission
        The status and the notes (also written into the notebooks), in the assignment's
        language.
    """
    with speaking(assignment_language(assignment)):
        return _prepare_submission(course, assignment, student)


def _prepare_submission(course, assignment: str, student: str) -> CheckedSubmission:
    source = course.folder("submitted", student, assignment)
    target = fresh_folder(course.folder(PREPARED_DIRECTORY, student, assignment))
    releases = sorted((course.release_dir / assignment).glob("*.ipynb"))
    checked = CheckedSubmission()
    extra = other_files(source, {r.name for r in releases}, course.coursedir.ignore)
    if extra:
        checked.notes.append(_("Only the assignment's notebooks are graded; these files were "
                               "not used: {files}.").format(files=", ".join(map(quoted, extra))))
    special = special_files(source)
    if special:
        checked.notes.append(_("These are not ordinary files and were not used: {files}.").format(
            files=", ".join(special)))
    checked.notes += copy_nbgrader_files(source, target)
    shared_notes = list(checked.notes)
    for release_path in releases:
        notebook, status, notes = check_notebook(source / release_path.name, release_path, extra)
        if notebook is None:
            checked.status = status
            notebook = blank_release(release_path)
        nbformat.write(add_notes(notebook, shared_notes + notes), target / release_path.name)
        checked.notes.extend(notes)
    return checked


def prepare_blank_submission(course, assignment: str, student: str, notes: list[str]) -> None:
    """Replace the checked copy by the blank release notebooks, with `notes` on top.

    Used when nbgrader could not grade the student's notebook: the blank notebook still gets a
    grade (0 for the autograded tests) and feedback that says why. Written answers are kept.
    """
    target = course.folder(PREPARED_DIRECTORY, student, assignment)
    for release_path in sorted((course.release_dir / assignment).glob("*.ipynb")):
        try:
            answers = read_notebook(target / release_path.name)
        except ValueError:
            answers = None
        notebook = add_notes(blank_release(release_path, answers), notes)
        nbformat.write(notebook, target / release_path.name)


def check_notebook(path: Path, release_path: Path, extra: list[str]):
    """(notebook, status, notes) for one expected notebook of a submission.

    The notebook is None when the status is "missing" or "invalid".
    """
    if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
        kind = file_kind(os.lstat(path).st_mode)
        return None, "invalid", [_("{notebook} in your submission is {kind}, not a file, so it "
                                   "was not used and scores 0. Hand in the notebook itself.")
                                 .format(notebook=path.name, kind=kind)]
    if not path.is_file():
        others = [f for f in extra if f.endswith(".ipynb")]
        note = (_("There is no {notebook} in your submission (found: {found}; the name must be "
                  "exactly {notebook}), so it scores 0.") if others else
                _("There is no {notebook} in your submission, so it scores 0."))
        return None, "missing", [note.format(notebook=path.name,
                                             found=", ".join(map(quoted, others)))]
    try:
        notebook = read_notebook(path, own_file=True)
    except ValueError as error:
        return None, "invalid", [_("{notebook} could not be read as a notebook ({problem}), so "
                                   "it scores 0. Was it saved by JupyterLab?").format(
                                       notebook=path.name, problem=quoted(error))]
    release = nbformat.read(release_path, as_version=4)
    notes = (keep_last_copies(notebook) + restore_deleted_cells(notebook, release)
             + report_changed_cells(notebook, release))
    return notebook, "graded", notes
