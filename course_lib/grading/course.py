"""The data model of a course directory: its loaded nbgrader config and the nbgrader API.

`Course.open(root)` loads `root/nbgrader_config.py` itself (`load_config`) and stops with
CourseConfigError on any problem: nbgrader would only log an error in that file and go on with its
defaults (other directories, hidden tests shown in feedback). Every grading command starts here.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from traitlets.config import Config, PyFileConfigLoader

from course_lib.grading.engines import gradebook_url

CONFIG_FILE = "nbgrader_config.py"
# nbgrader subprocesses started by our tools (and by tests) stop on a broken config, too.
RAISE_CONFIG_ERRORS = {"TRAITLETS_APPLICATION_RAISE_CONFIG_FILE_ERROR": "1"}
# What the rest of the course relies on; a config that loads but lost these is broken as well.
REQUIRED_SETTINGS = {
    ("CourseDirectory", "source_directory"): "solutions",
    ("CourseDirectory", "release_directory"): "notebooks",
}


class CourseConfigError(RuntimeError):
    """nbgrader_config.py is missing, raises, or lacks a setting the course relies on."""


def default_root() -> Path:
    """The course directory when none is named: the current folder if it holds
    nbgrader_config.py, else the checkout this package was imported from (when it is one).

    Installed from a wheel, the package lives in site-packages, which is no course: then only the
    current folder counts, and the error says so.
    """
    here = Path.cwd()
    checkout = Path(__file__).resolve().parents[2]
    for candidate in (here, checkout):
        if (candidate / CONFIG_FILE).is_file():
            return candidate
    return here  # load_config then reports the missing file in this folder


def load_config(root: Path) -> Config:
    """Load `root/nbgrader_config.py` with traitlets, raising CourseConfigError on any problem."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise CourseConfigError(f"{path}: not found; run this in a course directory (the one "
                                f"holding {CONFIG_FILE}) or name it with --root")
    config = Config()
    # As nbgrader does: the machine's and the user's nbgrader_config.py first (on JupyterHub,
    # /etc/jupyter holds Exchange.root), the course's own file last, so that it wins.
    for directory in [*reversed(jupyter_config_path()), str(root)]:
        if not (Path(directory) / CONFIG_FILE).is_file():
            continue
        try:
            config.merge(PyFileConfigLoader(CONFIG_FILE, path=directory).load_config())
        except Exception as error:  # a config file can raise anything; report it, whatever it is
            cause = error.__cause__ or error
            raise CourseConfigError(
                f"{Path(directory) / CONFIG_FILE} is broken: {type(cause).__name__}: {cause}\n"
                f"(nbgrader itself would only log this and use its defaults)") from error
    for (section, key), wanted in REQUIRED_SETTINGS.items():
        value = config[section].get(key)
        if value != wanted:
            raise CourseConfigError(f"{path}: expected {section}.{key} = {wanted!r}, got {value!r}")
    config.CourseDirectory.root = str(root)
    # Issue 7: SQLite gradebooks wait for concurrent writers (course_lib.grading.engines).
    config.CourseDirectory.db_url = gradebook_url(config.CourseDirectory.get("db_url"), root)
    return config


@dataclass
class Course:
    """A course directory: its root, its loaded nbgrader config and (lazily) the nbgrader API."""

    root: Path
    config: Config
    _api: object = field(default=None, repr=False)
    _coursedir: object = field(default=None, repr=False)

    @classmethod
    def open(cls, root: Path | None = None) -> Course:
        root = Path(root if root is not None else default_root()).resolve()
        return cls(root, load_config(root))

    @property
    def source_dir(self) -> Path:
        return self.root / self.config.CourseDirectory.source_directory

    @property
    def release_dir(self) -> Path:
        return self.root / self.config.CourseDirectory.release_directory

    @property
    def api(self):
        """nbgrader.apps.NbGraderAPI bound to this course (imported late: it is slow to import)."""
        if self._api is None:
            from nbgrader.apps import NbGraderAPI
            self._api = NbGraderAPI(coursedir=self.coursedir, config=self.config)
        return self._api

    @property
    def coursedir(self):
        """nbgrader's CourseDirectory: folder names, layout and ignored files, as configured."""
        if self._coursedir is None:
            from nbgrader.coursedir import CourseDirectory
            self._coursedir = CourseDirectory(config=self.config)
        return self._coursedir

    def folder(self, step: str, student: str, assignment: str) -> Path:
        """`<root>/<step>/<student>/<assignment>` in nbgrader's layout.

        `step` is "submitted", "autograded" or "feedback" (the folder names configured for
        them) or the name of a folder of our own, such as "prepared".
        """
        directory = getattr(self.coursedir, f"{step}_directory", step)
        return Path(self.coursedir.format_path(directory, student, assignment))

    def gradebook(self):
        """nbgrader's Gradebook of this course; use it in a `with` block."""
        from nbgrader.api import Gradebook
        return Gradebook(self.coursedir.db_url, self.coursedir.course_id)

    def assignments(self) -> list[str]:
        """Names of the assignments in the source directory (folders holding a notebook)."""
        return sorted(p.name for p in self.source_dir.iterdir()
                      if p.is_dir() and any(p.glob("*.ipynb")))

    def select(self, names: list[str]) -> list[str]:
        """`names` checked against the source directory; all assignments when `names` is empty."""
        known = self.assignments()
        unknown = [n for n in names if n not in known]
        if unknown:
            raise SystemExit(f"unknown assignment(s) {', '.join(unknown)}; "
                             f"{self.source_dir} holds: {', '.join(known) or 'nothing'}")
        return names or known


def nbgrader_environment() -> dict[str, str]:
    """os.environ for nbgrader: config errors raise, and this venv's scripts are on PATH.

    nbgrader runs the `alembic` script by name when it opens a gradebook, so a venv Python
    started without activating the venv (as course.py does) must find it on PATH.
    """
    scripts = str(Path(sys.executable).parent)
    path = os.environ.get("PATH", "")
    if scripts not in path.split(os.pathsep):
        path = os.pathsep.join([scripts, path]) if path else scripts
    return {**os.environ, **RAISE_CONFIG_ERRORS, "PATH": path}
