"""Each typical wrong answer loses its points; each correct answer written differently keeps them.

The answers live in tests/wrong_answers/<assignment>.py as ANSWERS: the grade id of an answer cell
-> {"wrong": {description: source}, "correct": {...}, optionally "tests": [test cell ids]}. For
speed, each solution notebook runs once in one kernel; then every variant replaces its answer
cell, runs the test cells that grade it (hidden tests included) and the real answer is put back.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from grading_tools import (
    KernelSession,
    assignments,
    grade_id,
    graders_of,
    is_answer,
    read,
    record_timing,
    source_notebook,
)

# every chapter's solution runs in a kernel first: minutes, so not part of the quick run
pytestmark = pytest.mark.slow

WRONG_ANSWERS = Path(__file__).resolve().parent / "wrong_answers"


def load_answers(name: str) -> dict:
    """ANSWERS from tests/wrong_answers/<name>.py, or {} when the file does not exist yet.

    A translated edition (<name>_ko) has the English one's cells and grade ids: the same answers
    must lose or keep their points in both languages.
    """
    path = WRONG_ANSWERS / f"{name.removesuffix('_ko')}.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location(f"wrong_answers_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.ANSWERS


def variants():
    for name in assignments():
        for answer_id, entry in load_answers(name).items():
            for kind in ("wrong", "correct"):
                for description in entry.get(kind, {}):
                    yield pytest.param(name, answer_id, kind, description,
                                       id=f"{name}-{answer_id}-{kind}-{description}")


@pytest.fixture(scope="session")
def sessions():
    """assignment -> KernelSession, started on first use and shut down at the end."""
    started: dict[str, KernelSession] = {}

    def get(name: str) -> KernelSession:
        if name not in started:
            started[name] = KernelSession(source_notebook(name))
            record_timing(name, "solution run in one kernel (s)", started[name].seconds)
        return started[name]

    yield get
    for session in started.values():
        session.close()


@pytest.mark.parametrize("name", assignments())
def test_every_exercise_has_wrong_and_correct_answers(name):
    nb = read(source_notebook(name))
    answers = load_answers(name)
    answer_ids = [grade_id(c) for c in nb.cells if is_answer(c)]
    unknown = set(answers) - set(answer_ids)
    assert not unknown, f"tests/wrong_answers/{name}.py names no answer cell of the notebook: {unknown}"
    for answer_id in answer_ids:
        entry = answers.get(answer_id, {})
        assert entry.get("wrong"), f"{name}: no typical wrong answer for {answer_id}"
        assert entry.get("correct"), f"{name}: no differently written correct answer for {answer_id}"
        tests = entry.get("tests", [f"test_{answer_id}"])
        assert set(tests) <= set(graders_of(nb, answer_id)) and tests, \
            f"{name}: {answer_id} is graded by {graders_of(nb, answer_id)}, the file names {tests}"


@pytest.mark.parametrize("name", [n for n in assignments() if load_answers(n)])
def test_solution_runs_without_errors_in_the_session(sessions, name):
    session = sessions(name)
    assert not session.errors, f"{name}: cells failed when run top to bottom: {session.errors}"


@pytest.mark.parametrize("name, answer_id, kind, description", list(variants()))
def test_variant(sessions, name, answer_id, kind, description):
    entry = load_answers(name)[answer_id]
    session = sessions(name)
    assert not session.errors, f"{name}: the solution notebook itself fails: {session.errors}"
    tests = entry.get("tests", [f"test_{answer_id}"])
    results = session.try_answer(answer_id, entry[kind][description], tests)
    if kind == "correct":
        failed = {test: error for test, error in results.items() if error}
        assert not failed, f"a correct answer ({description}) loses points: {failed}"
    else:
        failures = [error for error in results.values() if error]
        assert failures, f"the wrong answer '{description}' passes {tests}"
        assert all(error.startswith("AssertionError") for error in failures), \
            f"the wrong answer '{description}' fails without a checks message: {failures}"


# -- a selection for the real autograde pipeline ------------------------------------------------
#
# In `nbgrader autograde` the test cells run in the trusted judge, outside the student's kernel: the
# student's functions are handles, their arrays travel over a socket, callbacks go back the other
# way. A wrong answer can behave differently there (and messages could name `args` instead of the
# student's parameters), so tests/test_wrong_answers_graded.py grades these as one more submission
# per chapter, with a wrong answer in every exercise. Each test cell named below must lose its
# points (with a message containing the text given) or keep them (None: partial credit for a right
# part).

THROUGH_AUTOGRADE = {
    "01_derivatives": {
        "numerical_derivative": ("forward difference", {"test_numerical_derivative": "wrong result"}),
        "tangent_line": ("the secant through a - h and a + h (np.polyfit): its intercept is not the tangent's",
                         {"test_tangent_line": "the large step h = 0.5"}),
        "numerical_gradient": ("perturbs a copy of x (f reading x itself sees nothing)",
                               {"test_numerical_gradient": "reads the 2x2 matrix itself"}),
        "directional_derivative": ("does not normalise v",
                                   {"test_directional_derivative": "wrong result"}),
    },
    "02_gradient_descent": {
        "gradient_descent": ("updates x0 itself instead of a copy",
                             {"test_gradient_descent": "gradient_descent changed its input `x0`"}),
        "largest_stable_lr": ("checks nothing (a number for any matrix)",
                              {"test_largest_stable_lr_value": None,
                               "test_largest_stable_lr_checks": "should have raised ValueError"}),
        "gradient_descent_until": ("computes the gradient twice per step",
                                   {"test_gradient_descent_until": "called grad 23 times"}),
    },
    "03_linear_regression": {
        "linear_mse_and_grad": ("gradient without the factor 2",
                                {"test_linear_mse_and_grad_loss": None,
                                 "test_linear_mse_and_grad_grad": "every value is 2 times too small"}),
        "normal_equations": ("no check: returns whatever lstsq gives for dependent columns",
                             {"test_normal_equations_solution": None,
                              "test_normal_equations_error": "should have raised ValueError"}),
        "fit_gradient_descent": ("moves x0 in place (changes the input)",
                                 {"test_fit_gradient_descent_x": "changed its input `x0`",
                                  "test_fit_gradient_descent_losses": "changed its input `x0`"}),
        "newton_step": ("changes x in place", {"test_newton_step": "changed its input `x`"}),
    },
    "04_loss_functions": {
        "mean_squared_error_and_grad": ("returns a numpy float, not a Python float",
                                        {"test_mean_squared_error_and_grad_loss": "must be a Python float",
                                         "test_mean_squared_error_and_grad_grad": None}),
        "cross_entropy": ("ignores the eps argument (always 1e-7)", {"test_cross_entropy": "with eps = 0.01"}),
        "softmax_cross_entropy": ("shifts the logits in place (changes the input)",
                                  {"test_softmax_cross_entropy": "changed its input `logits`"}),
        "softmax_cross_entropy_grad": ("sign flipped: (t - y) / N",
                                       {"test_softmax_cross_entropy_grad": "wrong sign"}),
    },
    "05_activations": {
        "sigmoid_forward_backward": ("keeps the first call's output for later calls",
                                     {"test_sigmoid_forward_backward_z": "called after",
                                      "test_sigmoid_forward_backward_dx": "sigmoid_forward_backward"}),
        "relu_forward_backward": ("stops the gradient in dout in place (changes dout)",
                                  {"test_relu_forward_backward_z": "changed its input `dout`",
                                   "test_relu_forward_backward_dx": "changed its input `dout`"}),
        "softmax": ("one maximum for the whole batch instead of one per row",
                    {"test_softmax": "NaN or inf"}),
    },
}

