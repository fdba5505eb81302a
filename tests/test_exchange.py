"""nbgrader's exchange between two real OS users on one machine, as on a JupyterHub server.

As root, the module creates a throwaway instructor and student (removed afterwards with
`userdel -r`), a shared exchange directory (mode 1777, as nbgrader's docs say) and a site-wide
nbgrader config (the test's stand-in for /etc/jupyter/nbgrader_config.py, found through
JUPYTER_CONFIG_PATH). The instructor's private course directory holds our nbgrader_config.py and
one assignment. Then each user, in a clean environment, runs the course venv's real nbgrader:

    instructor  python -m course_lib.grading check-config, release --exchange
    student     nbgrader fetch_assignment, fills in the answers, validate, submit
    instructor  python -m course_lib.grading collect, autograde, feedback
    student     nbgrader fetch_feedback

docs/jupyterhub.md describes the same set-up for a real class.
"""
from __future__ import annotations

import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from grading_tools import (
    HIDDEN_MARKERS,
    ROOT,
    SOLUTION_MARKERS,
    autograded_points,
    hidden_test_lines,
    is_test,
    is_written,
    nbgrader_meta,
    read,
    source_notebook,
    visible_text,
    without_region,
)
from nbgrader.api import Gradebook
from switches import skip_or_fail

from course_lib.grading.course import CONFIG_FILE, RAISE_CONFIG_ERRORS

pytestmark = pytest.mark.slow

ASSIGNMENT = "01_derivatives"  # small: four autograded exercises and one written answer
COURSE_ID = "dl-foundations"
VENV_BIN = Path(sys.executable).parent  # the course venv, course_lib installed editable
VERSION_PROBE = "import sys, course_lib; print(sys.version)"
TOOLS = ("useradd", "userdel", "runuser")


@dataclass
class User:
    name: str
    home: Path

    @property
    def uid(self) -> int:
        return pwd.getpwnam(self.name).pw_uid

    @property
    def gid(self) -> int:
        return pwd.getpwnam(self.name).pw_gid


class Machine:
    """Throwaway OS users sharing an exchange, each running commands in a clean environment."""

    def __init__(self, base: Path):
        self.base = base
        self.exchange = base / "exchange"
        self.site_config = base / "etc-jupyter"  # plays the part of /etc/jupyter
        self.users: list[User] = []
        self.bin = VENV_BIN  # where the users' python, nbgrader, alembic and jupyter are
        self.extra_environment: dict[str, Path] = {}

    def add_user(self, role: str) -> User:
        name = f"nbx{role[0]}{secrets.token_hex(4)}"  # e.g. nbxs1a2b3c4d: never an existing user
        try:
            pwd.getpwnam(name)
        except KeyError:
            pass
        else:
            raise AssertionError(f"user {name} exists already; not touching it")
        home = self.base / "home" / name
        subprocess.run(["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/sh",
                        name], check=True, capture_output=True, text=True)
        user = User(name, home)
        self.users.append(user)
        return user

    def remove_users(self) -> list[str]:
        """userdel -r every user made here; the problems, if any."""
        problems = []
        for user in self.users:
            done = subprocess.run(["userdel", "-r", user.name], capture_output=True, text=True)
            if done.returncode not in (0, 12):  # 12: home removed, but no mail spool to remove
                problems.append(f"userdel -r {user.name}: {done.returncode} {done.stderr.strip()}")
        return problems

    def environment(self, user: User) -> list[str]:
        """`env -i ...`: nothing leaks from root's environment into the user's commands."""
        variables = {"HOME": user.home, "USER": user.name, "LOGNAME": user.name,
                     "PATH": f"{self.bin}:/usr/bin:/bin", "LANG": "C.UTF-8",
                     "JUPYTER_CONFIG_PATH": self.site_config, **RAISE_CONFIG_ERRORS,
                     **self.extra_environment}
        return ["env", "-i", *(f"{key}={value}" for key, value in variables.items())]

    def run(self, user: User, *command, cwd: Path, check: bool = True):
        done = subprocess.run(["runuser", "-u", user.name, "--", *self.environment(user),
                               *map(str, command)], cwd=cwd, capture_output=True, text=True,
                              timeout=600)
        if check and done.returncode != 0:
            raise AssertionError(f"{user.name}: {' '.join(map(str, command))} failed "
                                 f"({done.returncode}):\n{done.stdout[-3000:]}\n"
                                 f"{done.stderr[-5000:]}")
        return done

    def nbgrader(self, user: User, *args, cwd: Path):
        return self.run(user, self.bin / "nbgrader", *args, cwd=cwd)

    def python_version_of(self, user: User) -> str:
        """sys.version of the users' python, after importing course_lib."""
        probe = self.run(user, self.bin / "python", "-c", VERSION_PROBE, cwd=user.home,
                         check=False)
        return probe.stdout.strip() if probe.returncode == 0 else probe.stderr[-2000:]

    def give_users_this_python(self, user: User) -> None:
        """Let the users run this very interpreter and the course venv's packages.

        The course venv's interpreter may live where other users cannot read it (pyenv under
        /root, mode 0700). Their `python` then silently starts on the system's libpython and
        standard library, another patch release: here 3.11.2, on which soupsieve, and so
        nbconvert's HTML export of feedback, fails. Without touching the repo or /root, they
        get a venv on a copy of this interpreter, over the course venv's site-packages.
        """
        for needed in (ROOT, VENV_BIN.parent):
            private = next((p for p in (needed, *needed.parents)
                            if not p.stat().st_mode & stat.S_IXOTH), None)
            if private is not None:
                pytest.skip(f"{private} is closed to other users (mode "
                            f"{stat.S_IMODE(private.stat().st_mode):o}), so they cannot run "
                            f"{needed}; this test does not change its permissions")
        if self.python_version_of(user) == sys.version:
            return
        self.bin, library = portable_venv(self.base)
        self.extra_environment = {"LD_LIBRARY_PATH": library}
        version = self.python_version_of(user)
        assert version == sys.version, f"the users' python is not this one: {version}"


def require_root_and_user_tools() -> None:
    if os.geteuid() != 0:
        skip_or_fail("COURSE_REQUIRE_ROOT", "creating the instructor and student OS users needs root")
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not found: cannot create and switch OS users")


def link_or_copy(source, destination) -> None:
    try:
        os.link(source, destination)
    except OSError:  # another file system
        shutil.copy2(source, destination)


def portable_venv(base: Path) -> tuple[Path, Path]:
    """A venv in base/venv on a copy of this interpreter (base/python), whose site-packages
    adds the course venv's; the course venv's console scripts, re-pointed at it, and Jupyter
    data and config.

    Returns its bin directory and the directory of its libpython (for LD_LIBRARY_PATH: the
    interpreter's RUNPATH names the unreadable original).
    """
    interpreter = base / "python"
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    shutil.copytree(stdlib, interpreter / "lib" / stdlib.name, copy_function=link_or_copy,
                    ignore=shutil.ignore_patterns("site-packages", "test", "idlelib", "tkinter",
                                                  "config-*"))
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        link_or_copy(Path(sysconfig.get_config_var("LIBDIR"),
                          sysconfig.get_config_var("INSTSONAME")),
                     interpreter / "lib" / sysconfig.get_config_var("INSTSONAME"))
    (interpreter / "bin").mkdir()
    python = interpreter / "bin" / Path(sys.executable).resolve().name
    shutil.copy2(Path(sys.executable).resolve(), python)
    venv = base / "venv"
    subprocess.run([python, "-m", "venv", "--without-pip", venv], check=True,
                   env={**os.environ, "LD_LIBRARY_PATH": str(interpreter / "lib")})
    site_packages = sysconfig.get_paths(vars={"base": str(venv)})["purelib"]
    Path(site_packages, "course_venv.pth").write_text(
        f"import site; site.addsitedir({sysconfig.get_paths()['purelib']!r})\n")
    for jupyter_dir in ("share/jupyter", "etc/jupyter"):  # nbconvert's templates, extensions
        (venv / jupyter_dir).parent.mkdir(exist_ok=True)
        (venv / jupyter_dir).symlink_to(VENV_BIN.parent / jupyter_dir)
    shebang, new_shebang = f"#!{sys.executable}\n", f"#!{venv / 'bin' / 'python'}\n"
    for script in VENV_BIN.iterdir():
        target = venv / "bin" / script.name
        if target.exists() or not script.is_file():
            continue
        content = script.read_bytes()
        if content.startswith(shebang.encode()):
            target.write_bytes(new_shebang.encode() + content[len(shebang):])
            target.chmod(0o755)
    return venv / "bin", interpreter / "lib"


def give(path: Path, user: User) -> None:
    """chown -R path to user."""
    for item in [path, *path.rglob("*")]:
        os.chown(item, user.uid, user.gid, follow_symlinks=False)


def make_exchange(machine: Machine) -> None:
    """The shared exchange (world-writable, sticky) and the site-wide nbgrader config."""
    machine.exchange.mkdir()
    machine.exchange.chmod(0o1777)
    machine.site_config.mkdir()
    (machine.site_config / "nbgrader_config.py").write_text(
        f"c = get_config()\n"
        f"c.Exchange.root = {str(machine.exchange)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n")


def make_course(instructor: User) -> Path:
    """The instructor's private course directory (config, solutions and student version), and
    the instructor's own nbgrader config pointing at it, as docs/jupyterhub.md sets them up."""
    course = instructor.home / COURSE_ID
    course.mkdir()
    shutil.copy(ROOT / CONFIG_FILE, course / CONFIG_FILE)
    for folder in ("solutions", "notebooks"):
        shutil.copytree(ROOT / folder / ASSIGNMENT, course / folder / ASSIGNMENT)
    jupyter = instructor.home / ".jupyter"
    jupyter.mkdir()
    (jupyter / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\n")
    give(course, instructor)
    give(jupyter, instructor)
    course.chmod(0o700)  # students must not read it
    return course


def fill_in_answers(notebook: Path, student: User) -> None:
    """What a good student does: the solution of every answer cell, written in the notebook."""
    solutions = {nbgrader_meta(c)["grade_id"]: c.source
                 for c in read(source_notebook(ASSIGNMENT)).cells
                 if nbgrader_meta(c).get("solution")}
    nb = read(notebook)
    for cell in nb.cells:
        if nbgrader_meta(cell).get("solution"):
            lines = solutions[nbgrader_meta(cell)["grade_id"]].splitlines()
            cell.source = "\n".join(line for line in lines
                                    if not any(marker in line for marker in SOLUTION_MARKERS))
    nbformat.write(nb, notebook)
    os.chown(notebook, student.uid, student.gid)


@pytest.fixture(scope="module")
def semester():
    """The whole release-to-feedback round trip; what each user saw, for the tests to check."""
    require_root_and_user_tools()
    base = Path(tempfile.mkdtemp(prefix="nbgrader-exchange-"))
    base.chmod(0o755)  # users must traverse it to reach their homes and the exchange
    (base / "home").mkdir(mode=0o755)
    machine = Machine(base)
    try:
        make_exchange(machine)
        instructor, student = machine.add_user("instructor"), machine.add_user("student")
        machine.give_users_this_python(student)
        course = make_course(instructor)
        tool = (machine.bin / "python", "-m", "course_lib.grading", "--root", course)
        config = machine.run(instructor, *tool, "check-config", cwd=course).stdout
        machine.run(instructor, *tool, "release", ASSIGNMENT, "--exchange", cwd=course)

        machine.nbgrader(student, "fetch_assignment", ASSIGNMENT, cwd=student.home)
        fetched = student.home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        fetched_release = read(fetched)
        fill_in_answers(fetched, student)
        validate = machine.nbgrader(student, "validate", fetched, cwd=student.home).stdout
        machine.nbgrader(student, "submit", ASSIGNMENT, cwd=student.home)

        for step in ("collect", "autograde", "feedback"):
            machine.run(instructor, *tool, step, ASSIGNMENT, cwd=instructor.home)
        machine.nbgrader(student, "fetch_feedback", ASSIGNMENT, cwd=student.home)

        with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
            graded = gradebook.find_submission(ASSIGNMENT, student.name)
            score, max_score = graded.score, graded.max_score
        yield SimpleNamespace(machine=machine, instructor=instructor, student=student,
                              course=course, config=config, validate=validate,
                              fetched_release=fetched_release, score=score, max_score=max_score)
    finally:
        problems = machine.remove_users()
        shutil.rmtree(base, ignore_errors=True)
        assert not problems, "\n".join(problems)


def feedback_pages(semester) -> list[Path]:
    return sorted((semester.student.home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))


def test_the_instructor_runs_the_instructor_tool_on_the_course(semester):
    assert f"course {COURSE_ID!r}" in semester.config, semester.config


def test_the_student_fetches_exactly_what_the_instructor_released(semester):
    released = read(semester.course / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    assert [c.source for c in semester.fetched_release.cells] == [c.source for c in released.cells]


def test_validate_passes_the_filled_in_notebook(semester):
    # `nbgrader validate` exits 0 either way: its message is the verdict
    assert "Success! Your notebook passes all the tests." in semester.validate, semester.validate


def test_autograde_gives_full_autograded_marks(semester):
    source = read(source_notebook(ASSIGNMENT))
    written = sum(nbgrader_meta(c)["points"] for c in source.cells if is_written(c))
    assert semester.score == autograded_points(source) > 0
    assert semester.max_score == semester.score + written


def test_the_student_gets_feedback_showing_the_score(semester):
    pages = feedback_pages(semester)
    assert len(pages) == 1, f"expected one feedback page, found {pages}"
    assert pages[0].stat().st_uid == semester.student.uid
    text = visible_text(pages[0].read_text())
    assert f"Score: {semester.score:.1f} / {semester.max_score:.1f}" in text


def test_the_feedback_shows_no_hidden_tests(semester):
    text = visible_text(feedback_pages(semester)[0].read_text())
    source = read(source_notebook(ASSIGNMENT))
    hidden = hidden_test_lines(source)
    assert hidden, f"{ASSIGNMENT} should have hidden tests for this test to mean something"
    first_test = next(c for c in source.cells if is_test(c))
    shown = [line.strip() for line in without_region(first_test.source, HIDDEN_MARKERS).splitlines()
             if len(line.strip()) > 8]
    assert shown[0] in text, "the feedback should show the visible tests"
    leaked = sorted(line for line in hidden if line in text)
    assert not leaked, f"the feedback shows hidden test lines: {leaked[:5]}"


@pytest.mark.parametrize("what", ["gradebook.db", f"solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                                  f"autograded/STUDENT/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"])
def test_the_student_cannot_read_the_course_directory(semester, what):
    path = semester.course / what.replace("STUDENT", semester.student.name)
    assert path.is_file(), f"{path} should exist for this test to mean something"
    denied = semester.machine.run(semester.student, "cat", path, cwd=semester.student.home,
                                  check=False)
    assert denied.returncode != 0 and "Permission denied" in denied.stderr, denied


def test_the_student_cannot_list_submissions_or_feedback_or_change_the_release(semester):
    course_exchange = semester.machine.exchange / COURSE_ID
    student, run = semester.student, semester.machine.run
    for private in ("inbound", "feedback"):  # everyone's submissions, everyone's feedback
        listing = run(student, "ls", course_exchange / private, cwd=student.home, check=False)
        assert listing.returncode != 0 and "Permission denied" in listing.stderr, listing
    released = course_exchange / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert released.is_file()
    tamper = run(student, "cp", "/dev/null", released, cwd=student.home, check=False)
    assert tamper.returncode != 0 and "Permission denied" in tamper.stderr, tamper
