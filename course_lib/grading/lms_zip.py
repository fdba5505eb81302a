"""Submissions downloaded from a learning management system (LMS) as one zip file.

Canvas's "Download Submissions" gives a flat zip with one file per uploaded file, named

    <student>_[LATE_]<user id>_<submission id>_<file name>
    e.g. doejohn_LATE_40213_1650322_01_derivatives.ipynb

and Canvas adds -1, -2 ... to a file name that was uploaded again (01_derivatives-1.ipynb). Any
zip whose files follow the same pattern works (Moodle's "Download all submissions" can be renamed
to it):

    <student>_<anything>_<notebook>[-<n>].ipynb   or   <student>_<notebook>[-<n>].ipynb

where <notebook> is the name of a notebook of the assignment and <student> is the nbgrader
student id (letters, digits, "." and "-"; an underscore ends it). Each file becomes
`submitted/<student>/<assignment>/<notebook>.ipynb`. A student with several files for one
notebook handed in more than once: the latest counts (the newest date in the zip, then the
highest -<n>), and the others are listed. Files that match nothing are listed, not copied.

A zip that is not a zip at all raises BadLmsZip. A member that cannot be read (a header that lies
about its size, a damaged or encrypted member) is skipped and named; every member of a student is
read before anything of theirs is written, so a student with an unreadable file gets nothing in
`submitted/` and keeps an earlier submission there.
"""
from __future__ import annotations

import re
import shutil
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

STUDENT = r"[A-Za-z0-9][A-Za-z0-9.-]*"
MAX_NOTEBOOK_BYTES = 50 * 2**20  # a notebook larger than this is not a course notebook
# What zipfile raises on a damaged member: a lying size or CRC, bad compressed data, a cut file,
# an unknown compression method, a password.
DAMAGED_MEMBER = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
                  OSError, ValueError)


class BadLmsZip(ValueError):
    """The file is not a zip that can be read (not a zip, cut short, damaged directory)."""


@dataclass(frozen=True)
class ZipEntry:
    """One file of the zip that is a notebook of the assignment."""

    member: str
    student: str
    notebook: str
    late: bool
    date: tuple   # the zip's (year, month, day, hour, minute, second)
    copy: int     # Canvas's -<n> suffix, 0 without one

    @property
    def order(self) -> tuple:
        return self.date, self.copy


@dataclass
class ZipImport:
    """What `import_zip` did: the files used per student, the older copies, the unused files,
    and the students not collected because a file of theirs could not be read.
    """

    used: dict[str, list[ZipEntry]] = field(default_factory=dict)
    superseded: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unreadable: dict[str, list[str]] = field(default_factory=dict)


def name_pattern(notebooks: list[str]) -> re.Pattern:
    """The file-name pattern for an assignment whose notebooks are `notebooks` (no .ipynb)."""
    names = "|".join(re.escape(n) for n in sorted(notebooks, key=len, reverse=True))
    # the middle part as short as possible: "ann_01_derivatives.ipynb" is 01_derivatives
    return re.compile(rf"^(?P<student>{STUDENT})_(?P<late>LATE_)?(?:.*?_)??"
                      rf"(?P<notebook>{names})(?:-(?P<copy>\d+))?\.ipynb$")


def read_entries(archive: zipfile.ZipFile,
                 notebooks: list[str]) -> tuple[list[ZipEntry], list[str]]:
    """(entries that are notebooks of the assignment, reasons for the files that are not)."""
    pattern = name_pattern(notebooks)
    entries, unused = [], []
    for info in archive.infolist():
        if info.is_dir():
            continue
        match = pattern.match(PurePosixPath(info.filename).name)
        if match is None:
            unused.append(f"{info.filename}: not <student>_..._<notebook>.ipynb for a notebook "
                          f"of this assignment ({', '.join(notebooks)})")
        elif info.file_size > MAX_NOTEBOOK_BYTES:
            unused.append(f"{info.filename}: {info.file_size:,} bytes, more than a notebook "
                          f"of this course can be")
        else:
            entries.append(ZipEntry(info.filename, match["student"], match["notebook"],
                                    bool(match["late"]), info.date_time,
                                    int(match["copy"] or 0)))
    return entries, unused


def latest_entries(entries: list[ZipEntry]) -> tuple[list[ZipEntry], list[str]]:
    """The latest entry per (student, notebook), and a sentence for each older one."""
    groups: dict[tuple[str, str], list[ZipEntry]] = {}
    for entry in entries:
        groups.setdefault((entry.student, entry.notebook), []).append(entry)
    latest, superseded = [], []
    for (student, notebook), group in sorted(groups.items()):
        group.sort(key=lambda e: e.order)
        latest.append(group[-1])
        superseded += [f"{student} handed in {notebook}.ipynb {len(group)} times: {e.member} "
                       f"is older than {group[-1].member} and was not used"
                       for e in group[:-1]]
    return latest, superseded


def read_member(archive: zipfile.ZipFile, member: str) -> bytes:
    """The bytes of one member, at most MAX_NOTEBOOK_BYTES (a header can lie about the size)."""
    with archive.open(member) as stream:
        data = stream.read(MAX_NOTEBOOK_BYTES + 1)
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"more than {MAX_NOTEBOOK_BYTES:,} bytes, though its header says "
                         f"less")
    return data


def read_student(archive: zipfile.ZipFile, entries: list[ZipEntry]) -> tuple[dict, list[str]]:
    """({notebook name: bytes} of the files that can be read, a reason per file that cannot)."""
    files, problems = {}, []
    for entry in entries:
        try:
            files[entry.notebook] = read_member(archive, entry.member)
        except DAMAGED_MEMBER as error:
            problems.append(f"{entry.member}: {type(error).__name__}: {error}")
    return files, problems


def import_zip(course, assignment: str, zip_path: Path) -> ZipImport:
    """Copy the notebooks of `assignment` in an LMS zip into `submitted/`.

    A student's earlier folder `submitted/<student>/<assignment>/` is replaced as a whole, unless
    a file of theirs in the zip cannot be read: then nothing of theirs changes.

    Parameters
    ----------
    course : course_lib.grading.course.Course
    assignment : str
    zip_path : Path
        The zip downloaded from the LMS.

    Raises
    ------
    BadLmsZip
        When `zip_path` cannot be read as a zip at all.
    """
    notebooks = sorted(p.stem for p in (course.release_dir / assignment).glob("*.ipynb"))
    result = ZipImport()
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise BadLmsZip(f"{zip_path} cannot be read as a zip file ({type(error).__name__}: "
                        f"{error})") from None
    with archive:
        entries, result.unused = read_entries(archive, notebooks)
        latest, result.superseded = latest_entries(entries)
        for entry in latest:
            result.used.setdefault(entry.student, []).append(entry)
        for student, used in sorted(result.used.items()):
            files, problems = read_student(archive, used)  # one student in memory at a time
            if problems:  # nothing of theirs, rather than part of a submission
                result.unreadable[student] = problems
                del result.used[student]
                continue
            folder = course.folder("submitted", student, assignment)
            if folder.exists():
                result.replaced.append(str(folder.relative_to(course.root)))
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            for notebook, data in files.items():
                (folder / f"{notebook}.ipynb").write_bytes(data)
    return result
