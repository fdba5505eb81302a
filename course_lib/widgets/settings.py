"""The settings of a run, checked once: landscape, optimizer, start point, momentum."""
from __future__ import annotations

import numpy as np

from course_lib.landscapes import LANDSCAPES, get_landscape
from course_lib.optimizers import OPTIMIZERS
from course_lib.validation import as_float_array, check_choice

# The hyper-parameter that plays the part of momentum in each optimizer that has one.
MOMENTUM_PARAMETER = {"momentum": "momentum", "nesterov": "momentum", "rmsprop": "decay",
                      "adam": "beta1", "adamw": "beta1"}
ADAPTIVE_OPTIMIZERS = ("adagrad", "rmsprop", "adam", "adamw")


def as_landscape(landscape):
    """A Landscape from a name (checked against the registry) or a Landscape object."""
    if isinstance(landscape, str):
        return get_landscape(check_choice(landscape, LANDSCAPES, "landscape"))
    if not all(hasattr(landscape, attr) for attr in ("f", "grad", "dim", "bounds", "start")):
        raise TypeError(f"landscape: expected a name ({', '.join(LANDSCAPES)}) or a Landscape, "
                        f"got {type(landscape).__name__}")
    return landscape


def optimizer_name(optimizer) -> str:
    key = optimizer.lower() if isinstance(optimizer, str) else optimizer
    return check_choice(key, OPTIMIZERS, "optimizer")


def check_start(landscape, start) -> np.ndarray:
    """`start` as a float64 point of shape (dim,); the landscape's own start point for None."""
    start = landscape.start if start is None else start
    start = as_float_array(start, "start", ndim=(0, 1)).reshape(-1)
    if start.shape != (landscape.dim,):
        raise ValueError(f"start: expected {landscape.dim} coordinate(s) on the {landscape.dim}-D "
                         f"landscape {landscape.name!r}, got {start.size}")
    return start.astype(np.float64)


def momentum_settings(optimizer: str, momentum=None) -> dict:
    """The optimizer's keyword for a momentum-like coefficient, e.g. ``{"beta1": 0.8}`` for Adam.

    Momentum and Nesterov call it ``momentum``, RMSProp ``decay`` (of its running average),
    Adam ``beta1``. With `momentum` None, the optimizer keeps its default.

    Raises
    ------
    ValueError
        When `momentum` is given for an optimizer without such a coefficient (SGD, AdaGrad).
    """
    optimizer = optimizer_name(optimizer)
    if momentum is None:
        return {}
    if optimizer not in MOMENTUM_PARAMETER:
        raise ValueError(f"momentum: the {optimizer!r} optimizer has no momentum or beta; pass it "
                         f"only to one of {', '.join(MOMENTUM_PARAMETER)}, "
                         f"got momentum={momentum!r}")
    return {MOMENTUM_PARAMETER[optimizer]: momentum}
