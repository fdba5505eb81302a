"""course_lib's own solutions of a notebook's exercises, refused to the answers they solve.

course_lib implements every function a chapter asks the student to write (the trusted judge
compares the student's answers with it). An answer that only calls it, `return
gradient.numerical_derivative(f, x, h)`, would earn the points. While a notebook is graded, the
kernel's sandbox therefore shows it each teaching module that defines a function or class named
like one of the notebook's answers with a guard at the top of that function (of each method of
that class): while the judge is calling the student's `numerical_derivative`, course_lib's
`numerical_derivative` raises ReferenceRefused ("write your own"), and the test fails with
that message. The same function stays usable everywhere else, as the notebooks intend: a later
exercise may build on the library's version of an earlier one (`tangent_line` on
`gradient.numerical_derivative`), the notebook's own demonstrations run, and later chapters use
earlier chapters' code. The judge keeps the real module.

`course_lib.grading.judge.agent` knows which answer the judge is calling (`judged_names`); a kernel
that tampers with it is hand-written cheating the instructor can read in the notebook.
"""
from __future__ import annotations

import ast
from pathlib import Path

import course_lib

PACKAGE = Path(course_lib.__file__).resolve().parent  # the teaching library's modules
# Never guarded: the checks run in the judge, and the failure display only shows results.
NOT_EXERCISES = {"checks", "failure_display"}


def teaching_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.glob("*.py")
                  if p.stem not in NOT_EXERCISES and not p.stem.startswith("_"))


def _guard(module: str, name: str) -> ast.stmt:
    return ast.parse(f"__import__('course_lib.grading.judge.agent', fromlist=['refuse_own_reference'])"
                     f".refuse_own_reference({module!r}, {name!r})").body[0]


def _guarded(function: ast.FunctionDef | ast.AsyncFunctionDef, guard: ast.stmt) -> None:
    """Put `guard` first in the body of `function`, after its docstring."""
    start = 1 if ast.get_docstring(function) is not None else 0
    function.body.insert(start, guard)


def stubbed_source(path: Path, names: set[str]) -> str | None:
    """The source of module `path` with a guard in each top-level function named in `names` and
    in every method of each class named in `names`, or None when it defines none of them.
    """
    tree = ast.parse(path.read_text())
    found = False
    for node in tree.body:
        if getattr(node, "name", None) not in names:
            continue
        guard = _guard(path.stem, node.name)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _guarded(node, guard)
            found = True
        elif isinstance(node, ast.ClassDef):
            for method in node.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    _guarded(method, guard)
                    found = True
    return ast.unparse(tree) + "\n" if found else None


def stubbed_modules(names) -> dict[str, str]:
    """path of a teaching module -> its stubbed source, for each module that defines one of
    `names` (the functions and classes a notebook's answer cells define).
    """
    names = set(names)
    if not names:
        return {}
    stubs = {}
    for path in teaching_modules():
        source = stubbed_source(path, names)
        if source is not None:
            stubs[str(path)] = source
    return stubs
