#!/usr/bin/env python3
"""The course's one entry point: set up a local environment, then open the course or test it.

    python3 course.py lab       # open the course in JupyterLab (the main job)
    python3 course.py lab --instructor   # the same, with nbgrader's instructor tools shown
    python3 course.py check NOTEBOOK     # grade your notebook, hidden tests included (self-check)
    python3 course.py test      # run the whole test suite (--coverage: with line coverage)
    python3 course.py bench     # run the benchmarks and print their tables
    python3 course.py lint      # ruff over the code (its configuration: pyproject.toml)
    python3 course.py instructor release   # instructors: regenerate notebooks/ from solutions/, grade, ...

Each command creates the virtual environment `.venv/` next to this file when it is missing, and
refreshes it when `pyproject.toml` changed since the last install. Only the Python standard library
is used here, so this file runs on a fresh machine that has nothing but Python >= 3.11.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
MIN_PYTHON = (3, 11)
START_NOTEBOOK = "notebooks/00_start_here/00_start_here.ipynb"
# nbgrader's instructor tools, and the exchange lists that only work with a course exchange: a
# student's JupyterLab does without them (submitting is described in 00_start_here)
INSTRUCTOR_PLUGINS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:course-list",
                      "@jupyter/nbgrader:menu"]
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader",
                                "nbgrader.server_extensions.assignment_list",
                                "nbgrader.server_extensions.course_list"]


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def ensure_environment(extras: str) -> Path:
    """Create or refresh `.venv` with the course installed (editable) plus `extras`."""
    if sys.version_info < MIN_PYTHON:
        sys.exit(f"This course needs Python >= {MIN_PYTHON[0]}.{MIN_PYTHON[1]}; "
                 f"this is {sys.version.split()[0]}. Install a newer Python and run again.")
    python = venv_python()
    if not python.exists():
        print(f"Creating the virtual environment {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    spec = f".[{extras}]" if extras else "."
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + spec.encode()).hexdigest()
    stamp = VENV / f".installed-{extras or 'base'}"
    if not stamp.exists() or stamp.read_text() != digest:
        print(f"Installing the course and its dependencies ({spec}) into {VENV} ...", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "--disable-pip-version-check",
                        "--quiet", "--editable", spec], cwd=ROOT, check=True)
        stamp.write_text(digest)
    return python


def student_config() -> Path:
    """Write the student mode's Jupyter configuration into .venv and return its folder.

    It hides nbgrader's instructor tools, and makes a JupyterLab terminal a shell in the course
    folder with the course's environment first on PATH, so that the commands the notebooks give
    (`nbgrader validate notebooks/...`) work as written.
    """
    folder = VENV / "student-config"
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": dict.fromkeys(INSTRUCTOR_PLUGINS, True)}, indent=1))
    server = {"ServerApp": {"jpserver_extensions": dict.fromkeys(INSTRUCTOR_SERVER_EXTENSIONS,
                                                                  False)}}
    bash = shutil.which("bash")
    if os.name != "nt" and bash:
        rcfile = folder / "terminal.bashrc"
        rcfile.write_text(f'[ -f ~/.bashrc ] && . ~/.bashrc\n'
                          f'export PATH="{venv_python().parent}:$PATH" VIRTUAL_ENV="{VENV}"\n'
                          f'cd "{ROOT}"\n')
        server["ServerApp"]["terminado_settings"] = {
            "shell_command": [bash, "--rcfile", str(rcfile), "-i"]}
    (folder / "jupyter_server_config.json").write_text(json.dumps(server, indent=1))
    return folder


# The course runs offline: JupyterLab does not fetch Jupyter's news nor ask the learner about it.
LAB_SETTINGS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                                 "checkForUpdates": False}}


def lab_settings() -> Path:
    """Write the course's JupyterLab defaults where this environment's JupyterLab reads them
    (`overrides.d` in its application settings); return the file. A learner's own settings
    still win.
    """
    path = VENV / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "course.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(LAB_SETTINGS, indent=1))
    return path


def lab_invocation(rest: list[str]) -> tuple[list[str], dict[str, str]]:
    """The arguments (after the Python executable) and environment of `course.py lab`.

    The printed URL (and the browser) opens 00_start_here; as root, JupyterLab needs
    --allow-root; `--instructor` keeps nbgrader's instructor tools; other arguments (e.g.
    --no-browser, --ip, --port) go to JupyterLab.
    """
    rest = list(rest)
    lab_settings()
    env = {"PATH": f"{venv_python().parent}{os.pathsep}{os.environ.get('PATH', '')}",
           "VIRTUAL_ENV": str(VENV)}
    if "--instructor" in rest:
        rest.remove("--instructor")
    else:
        extra = os.environ.get("JUPYTER_CONFIG_PATH")
        env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
            [str(student_config())] + ([extra] if extra else []))
    args = ["-m", "jupyter", "lab", "--notebook-dir", str(ROOT),
            f"--LabApp.default_url=/lab/tree/{START_NOTEBOOK}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in rest:
        print("Running as root (a container or a classroom image?): starting JupyterLab with "
              "--allow-root.", flush=True)
        args.append("--allow-root")
    return args + rest, env


def test_arguments(rest: list[str]) -> list[str]:
    """pytest's arguments for `course.py test REST`: `--coverage` asks for line coverage of
    course_lib, subprocesses included (pyproject.toml's [tool.coverage.run]); it doubles the time,
    so it is off unless asked for.
    """
    if "--coverage" not in rest:
        return list(rest)
    rest = [argument for argument in rest if argument != "--coverage"]
    return ["--cov=course_lib", "--cov-report=term", *rest]


def check_invocation(rest: list[str]) -> list[str]:
    """The arguments (after the Python executable) of `course.py check NOTEBOOK`: the grading
    system's `check` of this course. It runs in the user's folder, so that a relative NOTEBOOK
    path means what it says.
    """
    return ["-m", "course_lib.grading", "--root", str(ROOT), "check", *rest]


def run(python: Path, *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> int:
    return subprocess.call([str(python), *args], cwd=cwd, env={**os.environ, **(env or {})})


def main(argv: list[str]) -> int:
    commands = ("lab", "check", "test", "bench", "lint", "instructor")
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "lab":
        python = ensure_environment("")
        args, env = lab_invocation(rest)
        return run(python, *args, env=env)
    if command == "check":
        python = ensure_environment("grading")
        return run(python, *check_invocation(rest), cwd=Path.cwd())
    if command == "test":
        python = ensure_environment("test")
        # Notebook kernels and graders run side by side: one BLAS thread each keeps them from
        # fighting over the cores.
        return run(python, "-m", "pytest", *test_arguments(rest),
                   env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    if command == "bench":
        python = ensure_environment("test")
        return run(python, "-m", "benchmarks", *rest)
    if command == "lint":
        python = ensure_environment("test")
        return run(python, "-m", "ruff", "check", *rest)
    python = ensure_environment("grading")
    return run(python, "-m", "course_lib.grading", *rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
