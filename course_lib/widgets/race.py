"""Several optimizers on one landscape, moved by one clock (`OptimizerRaceState`)."""
from __future__ import annotations

from collections.abc import Mapping

from course_lib.widgets.descent import GradientDescentRun
from course_lib.widgets.learning_rates import suggested_lr
from course_lib.widgets.settings import as_landscape, optimizer_name
from course_lib.widgets.stepping import Steps


def _race_entries(optimizers, landscape, start) -> dict:
    """label -> GradientDescentRun keyword arguments, from names or from label -> settings."""
    if isinstance(optimizers, str):
        optimizers = [optimizers]
    if isinstance(optimizers, Mapping):
        entries = {label: dict(settings) for label, settings in optimizers.items()}
    else:
        names = list(optimizers)
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"optimizers: expected each name once, got {', '.join(repeated)} more "
                             f"than once; pass a dict label -> settings to race an optimizer "
                             f"against itself")
        entries = {name: {} for name in names}
    if not entries:
        raise ValueError("optimizers: expected at least one optimizer, got none")
    for label, settings in entries.items():
        settings.setdefault("optimizer", label)
        settings["optimizer"] = optimizer_name(settings["optimizer"])
        settings.setdefault("lr", suggested_lr(landscape, settings["optimizer"], start))
    return entries


class OptimizerRaceState(Steps):
    """Several optimizers on one landscape from one start point, moved by one clock.

    Parameters
    ----------
    landscape : str or Landscape
    optimizers : sequence of str, or dict of str -> dict
        Names (each with `suggested_lr`), or labels mapped to `GradientDescentRun` settings, e.g.
        ``{"small lr": {"optimizer": "sgd", "lr": 0.01}, "large lr": {"optimizer": "sgd",
        "lr": 1.1}}``.
    start : array_like, shape (dim,), optional
    max_steps : int

    Attributes
    ----------
    runs : dict of str -> GradientDescentRun
    steps : int
        Ticks of the clock: how many times at least one run moved.
    """

    def __init__(self, landscape="rosenbrock", optimizers=("sgd", "momentum", "rmsprop", "adam"),
                 start=None, max_steps: int = 10_000):
        self.landscape = as_landscape(landscape)
        entries = _race_entries(optimizers, self.landscape, start)
        self.runs = {label: GradientDescentRun(self.landscape, start=start, max_steps=max_steps,
                                               **settings)
                     for label, settings in entries.items()}
        self.steps = 0

    def step(self) -> bool:
        """Move every run that is still running by one step; False when none could move."""
        moved = [run.step() for run in self.runs.values() if run.running]
        if moved:
            self.steps += 1
        return bool(moved)

    def reset(self, start=None) -> None:
        """Every run back to the start point (a new one, shared by all, if given)."""
        for run in self.runs.values():
            run.reset(start)
        self.steps = 0

    @property
    def running(self) -> bool:
        return any(run.running for run in self.runs.values())

    @property
    def history(self) -> dict:
        """label -> that run's `GradientDescentRun.history`."""
        return {label: run.history for label, run in self.runs.items()}
