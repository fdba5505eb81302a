"""`NetworkPlayground`: a two-layer network learning a toy data set live."""
from __future__ import annotations

import html

import ipywidgets as widgets

from course_lib import plotting
from course_lib.data import TOY_DATASETS
from course_lib.network import ACTIVATION_LAYERS, TwoLayerNet
from course_lib.optimizers import OPTIMIZERS
from course_lib.widgets.controls import log_slider
from course_lib.widgets.playground_state import PlaygroundState
from course_lib.widgets.readout import ERROR_COLOR, compact, html_table, status_html
from course_lib.widgets.settings import optimizer_name
from course_lib.widgets.tool import Tool


class NetworkPlayground(Tool):
    """A two-layer network learning a 2-D toy data set live.

    Controls: data set, hidden width, activation, optimizer and learning rate; Step, Run N,
    Play/Pause, Reset. The decision regions (coloured by predicted class, stronger where the
    network is sure) and the loss and accuracy curves redraw as it learns. The learning rate can
    change while it trains; the other controls start afresh.

    Parameters
    ----------
    dataset, hidden_size, activation, optimizer, lr : see `PlaygroundState`
    network_class : class, default TwoLayerNet
        Plug in your own network: any class with TwoLayerNet's interface.
    **options
        More `PlaygroundState` settings: n_samples, noise, batch_size, seed, holdout (drawn as
        hollow points, with held-out curves beside the training curves).

    Attributes
    ----------
    state : PlaygroundState
    """

    frame_steps = 5
    resolution = 90  # decision-region grid points per side

    def __init__(self, dataset: str = "spirals", hidden_size: int = 16, activation: str = "tanh",
                 optimizer: str = "adam", lr: float = 0.02, network_class=TwoLayerNet,
                 **options):
        self._network_class, self._options = network_class, options
        first = PlaygroundState(dataset, hidden_size, activation, optimizer, lr,
                                network_class=network_class, **options)
        self.dataset = widgets.Dropdown(options=list(TOY_DATASETS), value=first.dataset,
                                        description="data")
        self.hidden_size = widgets.IntSlider(value=first.hidden_size, min=1, max=64,
                                             continuous_update=False, description="hidden width",
                                             style={"description_width": "initial"})
        self.activation = widgets.Dropdown(options=list(ACTIVATION_LAYERS),
                                           value=first.activation, description="activation")
        self.optimizer = widgets.Dropdown(options=list(OPTIMIZERS),
                                          value=optimizer_name(optimizer), description="optimizer")
        self.lr = log_slider("learning rate", first.lr)
        controls = widgets.VBox([widgets.HBox([self.dataset, self.hidden_size, self.activation]),
                                 widgets.HBox([self.optimizer]), self.lr])
        super().__init__(controls, figsize=(11.0, 3.8))
        self.run_steps.value = 100
        self._rebuild(lambda: first, raise_errors=True)
        for control in (self.dataset, self.hidden_size, self.activation, self.optimizer):
            control.observe(lambda _: self._rebuild(self._make_state), names="value")
        self.lr.observe(self._on_lr, names="value")

    def _make_state(self) -> PlaygroundState:
        return PlaygroundState(self.dataset.value, self.hidden_size.value, self.activation.value,
                               self.optimizer.value, self.lr.value,
                               network_class=self._network_class, **self._options)

    def _on_lr(self, change) -> None:
        self._guarded(setattr, self.state, "lr", change["new"])
        self._guarded(self.redraw)

    def _draw(self) -> None:
        self.boundary_axis, *self.curve_axes = self.figure.subplots(
            1, 3, gridspec_kw={"width_ratios": [1.2, 1, 1]})
        plotting.plot_decision_boundary(self.state.network.predict, self.state.x, self.state.t,
                                        ax=self.boundary_axis, resolution=self.resolution)
        if len(self.state.x_holdout):  # hollow: the points the network never trains on
            self.boundary_axis.scatter(*self.state.x_holdout.T, s=22, facecolors="none",
                                       edgecolors=[plotting.PALETTE[k] for k in self.state.t_holdout],
                                       linewidths=1.2, label="held out")
        plotting.plot_learning_curves(self.state.history, ax=self.curve_axes, log_loss=True,
                                      xlabel="step", start=0)
        self.curve_axes[1].set_ylim(0.0, 1.02)  # accuracy: the whole range, never rescaled
        self._animate(*self.boundary_axis.images, *self.boundary_axis.collections,
                      *(line for ax in self.curve_axes for line in ax.get_lines()))

    def _update(self) -> None:
        state = self.state
        plotting.update_decision_boundary(self.boundary_axis, state.network.predict)
        plotting.update_learning_curves(self.curve_axes, state.history, start=0, grow_only=True)
        title = f"{state.dataset}, {self.optimizer.value} (lr {compact(state.lr, 3)})"
        self.boundary_axis.set_title(f"{title}: diverged" if state.diverged else title,
                                     color=ERROR_COLOR if state.diverged else "black")

    def _readout_html(self) -> str:
        state = self.state
        rows = [["network", html.escape(state.network_class.__name__)],
                ["optimizer", html.escape(self.optimizer.value)],
                ["learning rate", compact(state.lr, 3)],
                ["step", state.steps],
                ["loss", compact(state.history["loss"][-1])],
                ["accuracy", f"{state.history['accuracy'][-1]:.1%}"]]
        if len(state.x_holdout):
            rows += [["held-out loss", compact(state.history["val_loss"][-1])],
                     ["held-out accuracy", f"{state.history['val_accuracy'][-1]:.1%}"]]
        rows.append(["status", status_html(state.status, state.message)])
        if state.ignored:
            rows.append(["note", f"{html.escape(state.network_class.__name__)} takes no "
                                 f"{' or '.join(state.ignored)} argument; that control does "
                                 f"nothing"])
        return html_table(["", ""], rows)
