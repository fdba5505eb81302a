"""`GradientDescentStepper`: gradient descent one step at a time, on a 1-D or 2-D landscape."""
from __future__ import annotations

import inspect

import ipywidgets as widgets

from course_lib.optimizers import OPTIMIZERS
from course_lib.widgets.controls import log_slider
from course_lib.widgets.descent import GradientDescentRun
from course_lib.widgets.landscape_tool import LandscapeTool
from course_lib.widgets.learning_rates import diverging_lr, lr_problem, suggested_lr
from course_lib.widgets.race import OptimizerRaceState
from course_lib.widgets.settings import (
    MOMENTUM_PARAMETER,
    as_landscape,
    momentum_settings,
    optimizer_name,
)


class GradientDescentStepper(LandscapeTool):
    """Gradient descent, one step at a time, on a 1-D or 2-D landscape.

    Controls: the surface, the optimizer, the learning rate (log slider), momentum (or beta, for
    the optimizers that have one), the start point; Step, Run N, Play/Pause, Reset. The figure
    shows the path and the -grad f arrow on the contour plot and the loss gap f(x) - f(x*) per
    step on a log scale; the readout gives step, x, f(x) and |grad|.

    On a 1-D landscape there are two runs side by side, A and B, one with each learning rate
    (by default A converges and B diverges, see `diverging_lr`).

    Changing a control starts the run afresh from the start point with the new settings. A new
    surface keeps the optimizer, momentum and learning rate, unless that rate diverges there (then
    it gets the surface's default, and the readout says why).

    Parameters
    ----------
    landscape : str or Landscape, default "ill_conditioned"
    optimizer : str, default "sgd"
    lr : float, optional
        Default `suggested_lr`; in 1-D a quarter of `diverging_lr`.
    momentum : float, optional
        The optimizer's momentum (Momentum, Nesterov), decay (RMSProp) or beta1 (Adam).
    start : array_like, shape (dim,), optional
    compare_lr : float, optional
        Learning rate of run B in 1-D; default `diverging_lr`.

    Attributes
    ----------
    state : OptimizerRaceState
        With one run, "A" (two, "A" and "B", on a 1-D landscape).
    """

    split_1d = True
    show_gradient = True

    def __init__(self, landscape="ill_conditioned", optimizer: str = "sgd", lr: float | None = None,
                 momentum: float | None = None, start=None, compare_lr: float | None = None):
        landscape = as_landscape(landscape)
        optimizer = optimizer_name(optimizer)
        momentum_settings(optimizer, momentum)  # reject a momentum for SGD before building
        self._landscape_controls()
        self.optimizer = widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer,
                                          description="optimizer")
        self.lr = log_slider("learning rate", 0.1)
        self.compare_lr = log_slider("learning rate B", 1.0)
        self.momentum = widgets.FloatSlider(value=0.9, min=0.0, max=0.999, step=0.01,
                                            continuous_update=False, description="momentum")
        controls = widgets.VBox([widgets.HBox([self.surface, self.optimizer, self.momentum]),
                                 self.lr, self.compare_lr,
                                 self.start_box])
        super().__init__(controls, figsize=(10.0, 4.0))
        self._set_landscape(landscape, lr, momentum, start, compare_lr, raise_errors=True)
        self.surface.observe(self._on_surface, names="value")
        self.optimizer.observe(self._on_optimizer, names="value")
        for control in (self.lr, self.compare_lr, self.momentum):
            control.observe(self._on_setting, names="value")

    @property
    def run(self) -> GradientDescentRun:
        """The main run, A."""
        return self.state.runs["A"]

    def _set_landscape(self, landscape, lr=None, momentum=None, start=None, compare_lr=None,
                       raise_errors=False) -> None:
        """Put every control to the values for this landscape, then build state and figure."""
        optimizer = self.optimizer.value
        with self._syncing_controls():
            start = self._show_landscape(landscape, start)
            self.compare_lr.layout.display = None if landscape.dim == 1 else "none"
            default_lr, default_compare_lr = self._default_lrs(optimizer, start)
            self.lr.value = default_lr if lr is None else lr
            self.compare_lr.value = default_compare_lr if compare_lr is None else compare_lr
            self._set_momentum_control(optimizer, momentum)
        self._rebuild(self._make_state, raise_errors)

    def _change_surface(self, landscape) -> None:
        """Keep the optimizer, momentum and learning rates on the new surface where they still
        make sense; a learning rate that diverges there goes back to the surface's default, and
        the readout says so. (Run B's rate is kept between 1-D surfaces only: on 2-D there is
        no run B.) The start point is the new surface's own.
        """
        optimizer = self.optimizer.value
        momentum = None if self.momentum.disabled else self.momentum.value
        problem = lr_problem(landscape, optimizer, self.lr.value,
                             **momentum_settings(optimizer, momentum))
        compare_lr = self.compare_lr.value if landscape.dim == self._landscape.dim == 1 else None
        self.settings_note = (f"Note: {problem}, so it was set to this surface's default."
                              if problem else "")
        self._set_landscape(landscape, None if problem else self.lr.value, momentum,
                            compare_lr=compare_lr)

    def _default_lrs(self, optimizer: str, start) -> tuple[float, float]:
        """(lr of run A, lr of run B): in 1-D, B diverges and A, 4 times smaller, converges
        (adaptive optimizers, whose steps are about lr long, may not diverge at all).
        """
        lr = suggested_lr(self._landscape, optimizer, start)
        if self._landscape.dim == 2:
            return lr, self.compare_lr.value
        try:
            bad = diverging_lr(self._landscape, optimizer, start)
        except ValueError:
            return lr, self.compare_lr.max
        return float(f"{bad / 4:.2g}"), bad

    def _set_momentum_control(self, optimizer: str, momentum) -> None:
        name = MOMENTUM_PARAMETER.get(optimizer)
        self.momentum.disabled = name is None
        self.momentum.description = name or "momentum"
        if name is not None:
            default = inspect.signature(OPTIMIZERS[optimizer]).parameters[name].default
            self.momentum.value = default if momentum is None else momentum

    def _make_state(self) -> OptimizerRaceState:
        optimizer = self.optimizer.value
        settings = {"optimizer": optimizer, "lr": self.lr.value}
        if not self.momentum.disabled:
            settings.update(momentum_settings(optimizer, self.momentum.value))
        runs = {"A": settings}
        if self._landscape.dim == 1:
            runs["B"] = {**settings, "lr": self.compare_lr.value}
        return OptimizerRaceState(self._landscape, runs, start=self._start)

    def _on_optimizer(self, change) -> None:
        if self._syncing:
            return
        self.settings_note = ""
        with self._syncing_controls():
            self._set_momentum_control(change["new"], None)
            self.lr.value, self.compare_lr.value = self._default_lrs(change["new"], self._start)
        self._rebuild(self._make_state)
