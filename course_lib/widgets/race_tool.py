"""`OptimizerRace`: several optimizers racing on one surface, each with its own rate."""
from __future__ import annotations

from collections.abc import Mapping

import ipywidgets as widgets

from course_lib.optimizers import OPTIMIZERS
from course_lib.validation import check_positive
from course_lib.widgets.controls import log_slider
from course_lib.widgets.landscape_tool import LandscapeTool
from course_lib.widgets.learning_rates import suggested_lr
from course_lib.widgets.race import OptimizerRaceState
from course_lib.widgets.settings import as_landscape, optimizer_name


class OptimizerRace(LandscapeTool):
    """Several optimizers racing from one start point on one surface, one clock for all.

    Each optimizer has a checkbox (take part or not) and its own learning rate slider; the
    contour plot shows every path with a legend, the loss panel every loss gap, the readout one
    row per optimizer. Changing a control restarts the race.

    Parameters
    ----------
    landscape : str or Landscape, default "rosenbrock"
    optimizers : sequence of str
        The ones taking part at first.
    lrs : dict of str -> float, optional
        Learning rates; default `suggested_lr` for each.
    start : array_like, shape (dim,), optional

    Attributes
    ----------
    state : OptimizerRaceState
    """

    def __init__(self, landscape="rosenbrock", optimizers=("sgd", "momentum", "rmsprop", "adam"),
                 lrs: Mapping | None = None, start=None):
        landscape = as_landscape(landscape)
        names = [optimizers] if isinstance(optimizers, str) else list(optimizers)
        chosen = [optimizer_name(name) for name in names]
        lrs = {optimizer_name(name): check_positive(lr, f"lrs[{name!r}]")
               for name, lr in (lrs or {}).items()}
        self._landscape_controls()
        self.enabled = {name: widgets.Checkbox(value=name in chosen, description=name,
                                               indent=False, layout=widgets.Layout(width="110px"))
                        for name in OPTIMIZERS}
        self.lrs = {name: log_slider("lr", 0.01, width="340px") for name in OPTIMIZERS}
        rows = [widgets.HBox([self.enabled[name], self.lrs[name]]) for name in OPTIMIZERS]
        grid = widgets.GridBox(rows,
                               layout=widgets.Layout(grid_template_columns="repeat(2, 460px)"))
        super().__init__(widgets.VBox([self.surface, grid, self.start_box]), figsize=(10.0, 4.2))
        self._set_landscape(landscape, lrs, start, raise_errors=True)
        self.surface.observe(self._on_surface, names="value")
        for control in [*self.enabled.values(), *self.lrs.values()]:
            control.observe(self._on_setting, names="value")

    def _set_landscape(self, landscape, lrs=None, start=None, raise_errors=False) -> None:
        with self._syncing_controls():
            start = self._show_landscape(landscape, start)
            for name, slider in self.lrs.items():
                slider.value = (lrs or {}).get(name) or suggested_lr(landscape, name, start)
        self._rebuild(self._make_state, raise_errors)

    def _make_state(self) -> OptimizerRaceState:
        runs = {name: {"lr": self.lrs[name].value} for name, box in self.enabled.items()
                if box.value}
        if not runs:
            raise ValueError("optimizers: tick at least one optimizer to race")
        return OptimizerRaceState(self._landscape, runs, start=self._start)
