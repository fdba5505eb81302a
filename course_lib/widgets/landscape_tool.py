"""The front end of a few runs on one landscape: contour plot, paths, loss curves, readout."""
from __future__ import annotations

import html
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np

from course_lib import plotting
from course_lib.landscapes import LANDSCAPES
from course_lib.widgets.readout import ERROR_COLOR, compact, html_table, status_html
from course_lib.widgets.settings import check_start
from course_lib.widgets.tool import Tool


class LandscapeTool(Tool):
    """A landscape with the paths of a few runs, their loss curves and a readout per run.

    With ``split_1d`` each run of a 1-D landscape gets its own panel (the stepper's "converges
    beside diverges"); with ``show_gradient`` each current point carries a -grad f arrow.
    """

    split_1d = False
    show_gradient = False
    # Why a setting changed by itself at the last surface change ("" when none did).
    settings_note = ""

    def _landscape_controls(self) -> None:
        """The surface menu and the start-point sliders, shared by the stepper and the race."""
        self._surfaces = dict(LANDSCAPES)  # name -> Landscape, plus any Landscape passed in
        self.surface = widgets.Dropdown(options=list(self._surfaces), description="surface")
        self.start_box = widgets.HBox()
        self._syncing = False

    @contextmanager
    def _syncing_controls(self):
        """Set several controls at once without each change rebuilding the state."""
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = False

    def _show_landscape(self, landscape, start) -> np.ndarray:
        """Point the surface menu and the start sliders at `landscape`; return the start point."""
        if self._surfaces.get(landscape.name) is not landscape:
            # A landscape of one's own (e.g. a regression loss) joins the menu under its name.
            name = landscape.name if landscape.name not in LANDSCAPES else f"{landscape.name} (own)"
            self._surfaces[name] = landscape
            self.surface.options = list(self._surfaces)
        self.surface.value = next(name for name, known in self._surfaces.items()
                                  if known is landscape)
        self._landscape = landscape
        start = check_start(landscape, start)
        self.start_sliders = [
            widgets.FloatSlider(value=float(value), min=low, max=high, step=(high - low) / 200,
                                continuous_update=False, description=f"start {'xy'[i]}")
            for i, ((low, high), value) in enumerate(zip(landscape.bounds, start, strict=True))]
        for slider in self.start_sliders:
            slider.observe(self._on_setting, names="value")
        self.start_box.children = self.start_sliders
        return start

    @property
    def _start(self) -> list[float]:
        return [slider.value for slider in self.start_sliders]

    def _on_setting(self, _change) -> None:
        if not self._syncing:
            self.settings_note = ""
            self._rebuild(self._make_state)

    def _on_surface(self, change) -> None:
        if not self._syncing:
            self._change_surface(self._surfaces[change["new"]])

    def _change_surface(self, landscape) -> None:
        """A surface picked in the menu: by default every setting starts afresh."""
        self._set_landscape(landscape)

    def _panels(self) -> list[list[str]]:
        labels = list(self.state.runs)
        if self.split_1d and self.state.landscape.dim == 1:
            return [[label] for label in labels]
        return [labels]

    def _draw(self) -> None:
        panels = self._panels()
        axes = self.figure.subplots(1, len(panels) + 1,
                                    gridspec_kw={"width_ratios": [1.15] * len(panels) + [1]})
        self.landscape_axes, self.loss_axis = list(axes[:-1]), axes[-1]
        self.path_lines, self.arrows, self._panel_of = {}, {}, {}
        colors = {label: plotting.PALETTE[i] for i, label in enumerate(self.state.runs)}
        for ax, labels in zip(self.landscape_axes, panels, strict=True):
            plotting.plot_landscape(self.state.landscape, ax, levels=20, resolution=120)
            for label in labels:
                run = self.state.runs[label]
                self._panel_of[label] = ax
                self.path_lines[label] = plotting.plot_path(ax, run.landscape, run.path,
                                                            label=self._run_label(label),
                                                            color=colors[label])
                if self.show_gradient:
                    self.arrows[label] = ax.quiver([0.0], [0.0], [0.0], [0.0], angles="xy",
                                                   scale_units="xy", scale=1, color="black",
                                                   width=0.012, zorder=6)
            ax.legend(loc="upper right", fontsize="small")
        plotting.plot_curves(self._loss_curves(), self.loss_axis, xlabel="step",
                             ylabel="f(x) - f(x*)" if self._has_optimum() else "f(x)",
                             log=self._has_optimum())
        self._animate(*self.path_lines.values(), *self.arrows.values(),
                      *self.loss_axis.get_lines())

    def _run_label(self, label: str) -> str:
        return f"{label} (lr {self.state.runs[label].lr:.3g})"

    def _has_optimum(self) -> bool:
        return all(run.optimum is not None for run in self.state.runs.values())

    def _loss_curves(self) -> dict:
        if self._has_optimum():
            return {self._run_label(label): run.gaps for label, run in self.state.runs.items()}
        return {self._run_label(label): run.losses for label, run in self.state.runs.items()}

    def _update(self) -> None:
        for label, run in self.state.runs.items():
            plotting.update_path(self.path_lines[label], run.landscape, run.path)
            if label in self.arrows:
                self._update_arrow(self.arrows[label], run, self._panel_of[label])
        for ax in self.landscape_axes:
            runs = [run for label, run in self.state.runs.items() if self._panel_of[label] is ax]
            ax.set_title(self._panel_title(runs), fontsize="medium",
                         color=ERROR_COLOR if any(run.diverged for run in runs) else "black")
        plotting.update_curves(self.loss_axis, self._loss_curves(), grow_only=True)

    def _panel_title(self, runs) -> str:
        """The landscape's name, and how the run ended once it has (the step count is in the
        readout: a title that changed every step would cost a full draw per step).
        """
        name = self.state.landscape.name
        if len(runs) == 1 and not runs[0].running:
            how = runs[0].stationary_kind or runs[0].status
            return f"{name}: {how} at step {runs[0].steps}"
        return name

    @staticmethod
    def _update_arrow(arrow, run, ax) -> None:
        """Put the arrow at the current point, pointing along -grad f (downhill). Its length is
        |grad| relative to the largest |grad| of the run so far, times 12% of the panel's width:
        long on steep ground, shrinking as the gradient vanishes.
        """
        gradient, norm = run.gradient, run.grad_norms[-1]
        arrow.set_visible(run.running and norm > 0)
        if not arrow.get_visible():
            return
        length = 0.12 * np.diff(ax.get_xlim())[0] * norm / run.grad_norms.max()
        xs, ys = plotting.path_xy(run.landscape, run.path[-1:])
        direction = -gradient / norm
        if run.landscape.dim == 1:
            direction = np.array([direction[0], 0.0])
        arrow.set_offsets([[xs[0], ys[0]]])
        arrow.set_UVC(length * direction[0], length * direction[1])

    def _readout_html(self) -> str:
        rows = []
        for label, run in self.state.runs.items():
            point = ", ".join(compact(v) for v in run.path[-1])
            rows.append([html.escape(label), run.optimizer_name, compact(run.lr, 3), run.steps,
                         f"({point})", compact(run.losses[-1], 6), compact(run.grad_norms[-1], 3),
                         status_html(run.status, run.message, run.stationary_kind)])
        table = html_table(["run", "optimizer", "lr", "step", "x", "f(x)", "|grad|", "status"],
                           rows)
        return table + (f"<p>{html.escape(self.settings_note)}</p>" if self.settings_note else "")
