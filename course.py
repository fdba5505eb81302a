#!/usr/bin/env python3
"""The course's one entry point: set up a local environment, then open the course or test it.

    python3 course.py lab       # open the course in JupyterLab (the main job)
    python3 course.py test      # run the whole test suite
    python3 course.py bench     # run the benchmarks and print their tables
    python3 course.py instructor release   # instructors: regenerate notebooks/ from solutions/, grade, ...

Each command creates the virtual environment `.venv/` next to this file when it is missing, and
refreshes it when `pyproject.toml` changed since the last install. Only the Python standard library
is used here, so this file runs on a fresh machine that has nothing but Python >= 3.11.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
MIN_PYTHON = (3, 11)


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


def run(python: Path, *args: str, env: dict[str, str] | None = None) -> int:
    return subprocess.call([str(python), *args], cwd=ROOT, env={**os.environ, **(env or {})})


def main(argv: list[str]) -> int:
    commands = ("lab", "test", "bench", "instructor")
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "lab":
        python = ensure_environment("")
        return run(python, "-m", "jupyter", "lab", "--notebook-dir", str(ROOT),
                   "notebooks/00_start_here/00_start_here.ipynb", *rest)
    if command == "test":
        python = ensure_environment("test")
        # Line coverage of the library is part of every full run's report. Notebook kernels and
        # graders run side by side: one BLAS thread each keeps them from fighting over the cores.
        return run(python, "-m", "pytest", "--cov=course_lib", "--cov-report=term", *rest,
                   env={"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    if command == "bench":
        python = ensure_environment("test")
        return run(python, "-m", "benchmarks", *rest)
    python = ensure_environment("")
    return run(python, "-m", "course_lib.instructor", *rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
