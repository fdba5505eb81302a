"""What the graded notebooks' test cells call: compare an answer with the reference, explain a failure.

A failed check raises AssertionError with a message in plain words: which case failed (as the test
describes it, never its hidden inputs), what was expected and what came back (shape, dtype, the worst
element and its index) and, when the numbers show a usual mistake, a hint:

    numerical_gradient: wrong result on a 3x4 matrix and a cubic function.
      12 of 12 values differ; the worst at index (1, 2): expected 5.10125, got 10.2025
      (relative error 0.5; allowed: rtol=1e-06, atol=1e-09)
    Hint: every value is 2 times too large: a factor 2 is missing from a denominator (or ...)

In a Korean edition (a notebook folder ending in `_ko`, or COURSE_LANGUAGE=ko) the same message
is Korean, with the same numbers and the same hints (course_lib.language).

Typical use in a test cell::

    check_function(numerical_gradient, reference.numerical_gradient, [
        case("a 2x3 matrix", lambda x: np.sum(x**2), rng.normal(size=(2, 3))),
    ], name="numerical_gradient")
"""
from __future__ import annotations

from course_lib.checks.cases import Case, case, fresh_case
from course_lib.checks.compare import DEFAULT_ATOL, DEFAULT_RTOL, check_array, check_result
from course_lib.checks.functions import (
                                        check_calls_independent,
                                        check_examples,
                                        check_function,
                                        check_gradient,
)
from course_lib.checks.graphs import (
                                        check_node_gradients,
                                        check_topological_order,
                                        describe_node,
                                        graph_of,
                                        nodes_left_unchanged,
)
from course_lib.checks.harness import DEFAULT_TIME_LIMIT, _student_line, call_student
from course_lib.checks.hints import NONFINITE_HINT
from course_lib.checks.recorded import RECORDED, recorded
from course_lib.failure_display import install as _install_failure_display

__all__ = ["Case", "case", "fresh_case", "DEFAULT_ATOL", "DEFAULT_RTOL", "DEFAULT_TIME_LIMIT",
           "NONFINITE_HINT", "RECORDED", "call_student", "check_array", "check_calls_independent",
           "check_examples", "check_function", "check_gradient", "check_node_gradients", "check_result",
           "check_topological_order", "describe_node", "graph_of", "nodes_left_unchanged",
           "recorded", "_student_line"]

_install_failure_display()  # in a notebook: the message, not the library's frames
