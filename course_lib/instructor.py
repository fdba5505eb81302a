"""Instructor commands, a thin layer over nbgrader's Python API.

    python -m course_lib.instructor release [NAME ...]   # regenerate notebooks/ from solutions/
    python -m course_lib.instructor check-config         # load nbgrader_config.py, fail loudly
    python3 course.py instructor release                  # the same, from a fresh checkout

Every command first loads `nbgrader_config.py` itself. nbgrader would only log an error in that
file and go on with its defaults (other directories, hidden tests shown in feedback), so here a
broken file stops the command with exit status 2 and a message naming the problem.

To add a command (collect, autograde, feedback, export, report ...), write a function
`cmd_name(course: Course, args) -> int` and register it with `@command("name", help, arguments)`;
`Course` gives it the loaded config, the nbgrader API and the assignment names.
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from traitlets.config import Config, PyFileConfigLoader

ROOT = Path(__file__).resolve().parent.parent
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


def load_config(root: Path) -> Config:
    """Load `root/nbgrader_config.py` with traitlets, raising CourseConfigError on any problem."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise CourseConfigError(f"{path}: not found; the course root must hold {CONFIG_FILE}")
    try:
        config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    except Exception as error:  # a config file can raise anything; report it, whatever it is
        cause = error.__cause__ or error
        raise CourseConfigError(f"{path} is broken: {type(cause).__name__}: {cause}\n"
                                f"(nbgrader itself would only log this and use its defaults)"
                                ) from error
    for (section, key), wanted in REQUIRED_SETTINGS.items():
        value = config[section].get(key)
        if value != wanted:
            raise CourseConfigError(f"{path}: expected {section}.{key} = {wanted!r}, got {value!r}")
    config.CourseDirectory.root = str(root)
    return config


@dataclass
class Course:
    """A course directory: its root, its loaded nbgrader config and (lazily) the nbgrader API."""

    root: Path
    config: Config
    _api: object = field(default=None, repr=False)

    @classmethod
    def open(cls, root: Path = ROOT) -> Course:
        root = Path(root).resolve()
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
            from nbgrader.coursedir import CourseDirectory
            coursedir = CourseDirectory(config=self.config)
            self._api = NbGraderAPI(coursedir=coursedir, config=self.config)
        return self._api

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


# -- commands ---------------------------------------------------------------------------------

COMMANDS: dict[str, tuple] = {}


def command(name: str, help: str, arguments=None):
    """Register `function(course, args) -> exit status` as the subcommand `name`."""
    def register(function):
        COMMANDS[name] = (function, help, arguments)
        return function
    return register


def assignment_names(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help="assignments to process (default: all in the source directory)")


def grading_summary(notebook: Path) -> str:
    """'4 autograded tests (9 points), 1 answer graded by hand (2 points)' for a notebook."""
    cells = [c.metadata.get("nbgrader", {}) for c in nbformat.read(notebook, as_version=4).cells]
    graded = [m for m in cells if m.get("grade")]
    tests = [m for m in graded if not m.get("solution")]
    manual = [m for m in graded if m.get("solution")]
    if not graded:
        return "no graded cells"

    def part(group, what):
        plural = "" if len(group) == 1 else "s"
        return (f"{len(group)} {what.format(s=plural)} "
                f"({sum(m.get('points', 0) for m in group):g} points)")
    return ", ".join(part(g, w) for g, w in ((tests, "autograded test{s}"),
                                             (manual, "answer{s} graded by hand")) if g)


@command("check-config", "load nbgrader_config.py and report the settings the course uses")
def cmd_check_config(course: Course, args) -> int:
    cd = course.config.CourseDirectory
    print(f"{course.root / CONFIG_FILE}: OK (course {cd.get('course_id')!r}, "
          f"{cd.source_directory}/ -> {cd.release_directory}/)")
    return 0


@command("release", "regenerate the student notebooks from the solutions (nbgrader, --force)",
         assignment_names)
def cmd_release(course: Course, args) -> int:
    names = course.select(args.names)
    for name in names:
        result = course.api.generate_assignment(name, force=True)
        if not result["success"]:
            print(f"{name}: nbgrader generate_assignment failed\n{result.get('error', '')}"
                  f"\n{result.get('log', '')}", file=sys.stderr)
            return 1
        for notebook in sorted((course.release_dir / name).glob("*.ipynb")):
            print(f"released {notebook.relative_to(course.root)}: {grading_summary(notebook)}")
    if not args.names:
        remove_orphan_releases(course)
    return 0


def remove_orphan_releases(course: Course) -> None:
    """Delete release folders whose source is gone: notebooks/ only ever mirrors solutions/."""
    if not course.release_dir.is_dir():
        return
    sources = set(course.assignments())
    for folder in sorted(course.release_dir.iterdir()):
        if folder.is_dir() and folder.name not in sources:
            print(f"removing {folder.relative_to(course.root)}: no such assignment in "
                  f"{course.source_dir.name}/")
            shutil.rmtree(folder)


# -- entry point ------------------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course_lib.instructor",
                                     description="Instructor commands (over nbgrader).")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="course directory holding nbgrader_config.py (default: %(default)s)")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (_, help_text, arguments) in COMMANDS.items():
        sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if arguments:
            arguments(sub)
    return parser


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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.update(nbgrader_environment())
    try:
        course = Course.open(args.root)
    except CourseConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    function = COMMANDS[args.command][0]
    return function(course, args)


if __name__ == "__main__":
    sys.exit(main())
