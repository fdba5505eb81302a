"""Helpers for the gradient tests: check an analytic gradient and log the largest relative error.

Each test module that uses the `gradient_error_log` fixture prints, when it finishes, one line per
checked function, easy to find in the pytest output:

    [gradcheck] sigmoid_grad            largest relative error 3.1e-10 over 40 checks
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume

from course_lib.gradient import gradient_check

TOLERANCE = 1e-7  # float64, away from kinks
VANISHING = 1e-3  # see assert_gradient_matches


@pytest.fixture(scope="module")
def gradient_error_log(request):
    """Dict label -> list of max relative errors, printed when the test module finishes."""
    log: dict[str, list[float]] = {}
    yield log
    capture = request.config.pluginmanager.getplugin("capturemanager")
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    with capture.global_and_fixture_disabled():
        reporter.write("\n")  # -q prints progress dots without a line break
        for label, errors in sorted(log.items()):
            reporter.write_line(f"[gradcheck] {label:<28} largest relative error "
                                f"{max(errors):.1e} over {len(errors)} checks")


def assert_gradient_matches(log, label, f, x, analytic, h=1e-5):
    """Assert that `analytic` agrees with the numerical gradient of f at x (float64, tol 1e-7).

    Call it inside a hypothesis test. Draws where an element of the gradient is nearly but not
    exactly 0 (below VANISHING times the largest one, e.g. when softmax's dout - sum(dout * y)
    cancels) are skipped, as are kinks: there the numerical gradient's round-off, about
    1e-16 |f| / h, is no longer small against the element, and the relative error means nothing.
    """
    magnitude = np.abs(analytic)
    assume(np.all((magnitude == 0) | (magnitude >= VANISHING * magnitude.max(initial=0.0))))
    result = gradient_check(f, x, analytic, h=h, tol=TOLERANCE)
    log.setdefault(label, []).append(result.max_relative_error)
    assert result.passed, f"{label}, x of shape {x.shape}:\n{result}"
