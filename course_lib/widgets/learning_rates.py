"""Learning-rate heuristics: a first rate to try, and the smallest rate that diverges."""
from __future__ import annotations

import numpy as np

from course_lib.widgets.descent import GradientDescentRun
from course_lib.widgets.settings import (
    ADAPTIVE_OPTIMIZERS,
    as_landscape,
    check_start,
    optimizer_name,
)


def _curvature(landscape, points) -> float:
    """The largest |eigenvalue| of the Hessian over `points`: how sharply the surface bends."""
    return max(float(np.abs(np.linalg.eigvalsh(landscape.hessian(p))).max()) for p in points)


def suggested_lr(landscape, optimizer: str, start=None) -> float:
    """A learning rate that makes `optimizer` converge on `landscape`, for a first try.

    Plain and momentum methods step by ``lr * grad``: they are stable on a quadratic of curvature
    lambda when lr < 2 / lambda, so we take lr = 0.5 / lambda with lambda the sharpest curvature
    at the start point and the minima. Adaptive methods (AdaGrad, RMSProp, Adam) step about ``lr`` in each coordinate
    whatever the gradient's size, so lr is a fraction of the plotted region instead.

    Returns
    -------
    float
        Rounded to one significant digit, as a person would type it.
    """
    landscape = as_landscape(landscape)
    optimizer = optimizer_name(optimizer)
    if optimizer in ADAPTIVE_OPTIMIZERS:
        width = min(high - low for low, high in landscape.bounds)
        lr = width / (8 if optimizer == "adagrad" else 40)
    else:
        lr = 0.5 / _curvature(landscape, [check_start(landscape, start), *landscape.minima])
    return float(f"{lr:.1g}")


def diverging_lr(landscape, optimizer: str = "sgd", start=None, steps: int = 200) -> float:
    """The smallest learning rate on a grid from 1e-3 to 10 with which `optimizer` diverges.

    Found by trying (each try is a `GradientDescentRun` of at most `steps` steps), because on a
    surface that is not a quadratic, such as the double well, no formula gives it.

    Raises
    ------
    ValueError
        When no learning rate up to 10 diverges.
    """
    for lr in np.round(np.logspace(-3, 1, 33), 4):
        run = GradientDescentRun(landscape, optimizer, lr=float(lr), start=start, max_steps=steps)
        run.run(steps)
        if run.diverged:
            return float(lr)
    raise ValueError(f"optimizer: {optimizer!r} did not diverge on this landscape with any "
                     f"learning rate up to 10 within {steps} steps")


def lr_problem(landscape, optimizer: str, lr: float, start=None, steps: int = 200,
               **hyperparams) -> str | None:
    """Why `lr` makes no sense for `optimizer` on `landscape`, in words, or None when it does.

    It makes no sense when a run with it diverges within `steps` steps (a rate kept from a
    flatter surface can blow up on a steeper one).
    """
    run = GradientDescentRun(landscape, optimizer, lr=lr, start=start, max_steps=steps,
                             **hyperparams)
    run.run(steps)
    if not run.diverged:
        return None
    return (f"the learning rate {lr:.3g} diverges on {run.landscape.name} within "
            f"{run.steps} steps")
