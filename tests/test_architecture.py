"""The two houses: the teaching library never imports the grading system, and no module of
course_lib takes part in an import circle (imports inside functions count too)."""
import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "course_lib"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, known: set[str]) -> set[str]:
    """The course_lib modules `path` imports, anywhere in the file (relative imports resolved,
    `from package import module` counted as the module)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {module for module in found if module in known and module != name}


def import_graph() -> dict[str, set[str]]:
    files = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(path) for path in files}
    return {module_name(path): imported_modules(path, known) for path in files}


def test_the_graph_sees_the_library_and_its_imports():
    graph = import_graph()
    assert len(graph) > 30
    assert "course_lib.validation" in graph["course_lib.activations"]
    assert "course_lib.layers" in graph["course_lib.network"]  # a relative import
    assert "course_lib.grading.course" in graph["course_lib.grading.autograding"]


def test_no_teaching_module_imports_the_grading_system():
    graph = import_graph()
    offenders = {module: sorted(m for m in imports if m.startswith("course_lib.grading"))
                 for module, imports in graph.items()
                 if not module.startswith("course_lib.grading")}
    assert {m: i for m, i in offenders.items() if i} == {}


def test_there_is_no_import_circle():
    graph = import_graph()
    state: dict[str, str] = {}
    circles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                circles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert circles == []


def test_without_unix_only_modules_the_library_and_the_nbgrader_config_still_load():
    """As on Windows: no fcntl, no resource, no libc through ctypes. Every teaching module
    imports, and nbgrader_config.py (which every nbgrader command of a student loads) too."""
    teaching = sorted(m for m in import_graph() if not m.startswith("course_lib.grading"))
    code = f"""
import ctypes, sys
sys.modules["fcntl"] = sys.modules["resource"] = None  # import fails, as on Windows
def no_libc(*args, **kwargs):
    raise OSError("no libc here")
ctypes.CDLL = no_libc
import importlib
for name in {teaching!r}:
    importlib.import_module(name)
from course_lib.grading.course import load_config
load_config(__import__("pathlib").Path({str(ROOT)!r}))
print("loaded", len({teaching!r}))
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "MPLBACKEND": "Agg"})
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["loaded", str(len(teaching))]
