"""The set-up files agree with each other, and the bootstrap script works as the README says."""
import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirement(spec: str) -> tuple[str, str]:
    """Split 'numpy>=1.26' into ('numpy', '>=1.26'), normalising the name as pip does."""
    name, constraint = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), constraint.split("#")[0].strip()


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(_requirement(s) for s in specs)


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    return {name: c for name, c in map(_requirement, conda) if name not in ("python", "pip")}


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    pyproject, conda = _pyproject_requirements(), _conda_requirements()
    assert sorted(pyproject) == sorted(conda), (
        f"only in pyproject.toml: {sorted(set(pyproject) - set(conda))}; "
        f"only in environment.yml: {sorted(set(conda) - set(pyproject))}")
    differing = {n: (pyproject[n], conda[n]) for n in pyproject if pyproject[n] != conda[n]}
    assert not differing, f"version constraints differ (pyproject, conda): {differing}"


def test_environment_yml_pins_the_python_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python{project['requires-python']}" in env["dependencies"]


def test_course_lib_does_its_numerics_with_numpy_alone():
    """No module of course_lib imports torch, scipy, sklearn, pandas or tensorflow, anywhere in
    the file (also inside functions, in `import a, b` lists, or as `import scipy.linalg`).

    It still needs matplotlib, ipywidgets, nbgrader, ... at run time: those are not numerics."""
    forbidden = {"torch", "scipy", "sklearn", "pandas", "tensorflow"}
    files = sorted((ROOT / "course_lib").rglob("*.py"))
    assert len(files) > 10, files  # the glob found the library
    offenders = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            offenders += [f"{path.name}:{node.lineno} {name}" for name in names
                          if name.split(".")[0] in forbidden]
    assert offenders == []


def test_bootstrap_script_explains_its_commands_and_rejects_unknown_ones():
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "frobnicate"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "python3 course.py lab" in result.stdout and "python3 course.py test" in result.stdout


def test_readme_gives_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "python3 course.py lab" in readme
    assert "python3 course.py test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 course.py test" in ci
