"""The set-up files agree with each other, and the bootstrap script works as the README says."""
import ast
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _requirement(spec: str) -> tuple[str, str]:
    """Split 'numpy>=1.26' into ('numpy', '>=1.26'), normalising the name as pip does."""
    name, constraint = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), constraint.split("#")[0].strip()


def _pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    specs = project["dependencies"] + [s for group in extras.values() for s in group]
    return dict(_requirement(s) for s in specs if not s.startswith("course-lib["))


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


def test_the_code_passes_the_linter_as_ci_runs_it():
    """`python3 course.py lint` (ruff with pyproject.toml's rules), which .ci/run runs first."""
    result = subprocess.run([sys.executable, str(ROOT / "course.py"), "lint"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-1000:]
    assert "python3 course.py lint" in (ROOT / ".ci" / "run").read_text()


def test_readme_gives_the_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "python3 course.py lab" in readme
    assert "python3 course.py test" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "python3 course.py test" in ci


# ---------------------------------------------------------------------------------------------
# Installed from a wheel, outside the checkout
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory):
    """A wheel of the course built from a copy of the sources, installed without its
    dependencies into a fresh venv that borrows them from this one (a .pth file: no download).

    Returns the fresh venv's bin folder and a course directory elsewhere (its config and an empty
    source folder), the way an instructor who ran `pip install course-lib` would have it."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "course_lib", source / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    # with build isolation: pip fetches the setuptools pyproject.toml asks for, as for any wheel
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "--quiet", "-w", str(work / "dist"), str(source)], check=True)
    wheel = next((work / "dist").glob("course_lib-*.whl"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    site_packages = next(venv.glob("lib/python3*/site-packages"))
    borrowed = [p for p in sys.path if p.endswith("site-packages")]
    (site_packages / "borrowed-dependencies.pth").write_text("\n".join(borrowed) + "\n")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps",
                    "--no-index", "--quiet", str(wheel)], check=True)
    course = work / "my-course"
    (course / "solutions").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    return venv / "bin", course


@pytest.mark.slow
def test_the_wheel_installs_the_package_its_data_and_the_instructor_script(installed_wheel):
    bin_dir, course = installed_wheel
    code = ("import course_lib, course_lib.grading.nbgrader_plugins as p, pathlib;"
            "from course_lib.data import load_mnist_fallback;"
            "print(course_lib.__file__);"
            "print(len(load_mnist_fallback()[0][0]));"
            "print(all(pathlib.Path(d).is_dir() for d in p.feedback_template_dirs()));"
            # the Korean catalogs of the checks and of the grading system
            "from course_lib.language import _;"
            "from course_lib.grading.language import _ as g, speaking;"
            "print(_('Test failed', 'ko') == '테스트 실패')\n"
            "with speaking('ko'): print(g('Score:'))")
    result = subprocess.run([str(bin_dir / "python"), "-c", code], cwd=course,
                            capture_output=True, text=True, check=True)
    where, digits, templates, checks_korean, grading_korean = result.stdout.split()
    assert "site-packages" in where and not where.startswith(str(ROOT))
    assert digits == "4000" and templates == "True"
    assert checks_korean == "True" and grading_korean == "점수:"
    assert (bin_dir / "course-instructor").is_file()


@pytest.mark.slow
def test_the_instructor_script_finds_the_course_in_the_current_folder_or_by_root(installed_wheel,
                                                                                  tmp_path):
    bin_dir, course = installed_wheel
    script = str(bin_dir / "course-instructor")
    here = subprocess.run([script, "check-config"], cwd=course, capture_output=True, text=True)
    assert here.returncode == 0, here.stderr
    assert f"{course / 'nbgrader_config.py'}: OK" in here.stdout
    named = subprocess.run([script, "--root", str(course), "check-config"], cwd=tmp_path,
                           capture_output=True, text=True)
    assert named.returncode == 0 and str(course) in named.stdout
    nowhere = subprocess.run([script, "check-config"], cwd=tmp_path, capture_output=True,
                             text=True)
    assert nowhere.returncode == 2
    assert f"{tmp_path / 'nbgrader_config.py'}: not found; run this in a course directory" \
        in nowhere.stderr and "--root" in nowhere.stderr


# ---------------------------------------------------------------------------------------------
# Who needs what
# ---------------------------------------------------------------------------------------------

# import name -> distribution name, for the third-party packages the code imports
DISTRIBUTIONS = {"IPython": "ipython", "ipywidgets": "ipywidgets", "matplotlib": "matplotlib",
                 "numpy": "numpy", "pooch": "pooch", "tqdm": "tqdm", "psutil": "psutil",
                 "nbgrader": "nbgrader", "nbformat": "nbgrader", "nbconvert": "nbgrader",
                 "jupyter_client": "nbgrader", "jupyter_core": "nbgrader", "zmq": "nbgrader",
                 "nbclient": "nbgrader",
                 "traitlets": "nbgrader", "sqlalchemy": "nbgrader", "bleach": "nbgrader",
                 "requests": "pooch", "dask": "dask", "distributed": "distributed",
                 "psycopg2": "psycopg2-binary", "babel": "babel"}


def third_party_imports(paths) -> set[str]:
    found = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            found |= {n.split(".")[0] for n in names
                      if n.split(".")[0] not in sys.stdlib_module_names
                      and n.split(".")[0] != "course_lib"}
    return found


def requirement_names(specs) -> set[str]:
    return {_requirement(spec)[0] for spec in specs if not spec.startswith("course-lib")}


def test_a_students_install_holds_what_the_teaching_library_imports_and_no_grading_stack():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    student = requirement_names(project["dependencies"])
    teaching = [p for p in (ROOT / "course_lib").rglob("*.py") if "grading" not in p.parts]
    needed = {DISTRIBUTIONS[name] for name in third_party_imports(teaching)}
    assert needed <= student | {"ipython"}, needed - student  # ipython comes with jupyterlab
    assert {"numpy", "matplotlib", "ipywidgets", "pooch"} <= needed  # the scan sees imports
    assert not student & {"psutil", "dask", "distributed", "psycopg2-binary", "mlxtend",
                          "scikit-learn", "scipy", "pandas"}


def test_the_grading_extra_holds_what_the_grading_system_imports():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    grading = requirement_names(project["dependencies"]) | requirement_names(extras["grading"])
    scale = grading | requirement_names(extras["scale"])
    code = list((ROOT / "course_lib" / "grading").rglob("*.py"))
    needed = {DISTRIBUTIONS[name] for name in third_party_imports(code)}
    assert "psutil" in needed and needed <= scale | {"ipython"}, needed - scale
    optional = {"dask", "distributed", "psycopg2-binary"}  # imported only by `--engine dask` ...
    assert needed - optional <= grading, needed - optional - grading
    assert "course-lib[grading]" in extras["scale"] and "course-lib[scale]" in extras["test"]
