"""Helpers for the gradient tests: check an analytic gradient and log how close each check came.

Each test module that uses the `gradient_error_log` fixture prints, when it finishes, one line per
checked function, easy to find in the pytest output:

    [gradcheck] sigmoid_grad      worst difference 3.1e-03 x allowed over 40 checks

The check is `course_lib.gradient.gradient_check` with its float64 defaults, the same standard the
students and the graders use; a value below 1 passes.
"""
from __future__ import annotations

import pytest

from course_lib.gradient import gradient_check


@pytest.fixture(scope="module")
def gradient_error_log(request):
    """Dict label -> list of worst error ratios, printed when the test module finishes."""
    log: dict[str, list[float]] = {}
    yield log
    capture = request.config.pluginmanager.getplugin("capturemanager")
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    with capture.global_and_fixture_disabled():
        reporter.write("\n")  # -q prints progress dots without a line break
        for label, ratios in sorted(log.items()):
            reporter.write_line(f"[gradcheck] {label:<28} worst difference {max(ratios):.1e} "
                                f"x allowed over {len(ratios)} checks")


def assert_gradient_matches(log, label, f, x, analytic, h=None):
    """Assert that `analytic` passes the course's gradient check of f at x (float64 defaults)."""
    result = gradient_check(f, x, analytic, h=h)
    log.setdefault(label, []).append(result.max_error_ratio)
    assert result.passed, f"{label}, x of shape {x.shape}:\n{result}"
