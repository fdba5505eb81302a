"""The initialization explorer: what the initial weights do to a deep network's signal.

Two parts, like the tools of `course_lib.widgets`:

- `SignalState`, a plain object: a `DeepNet` of `depth` hidden layers at its initial weights
  runs one batch of random inputs forward and backward; it keeps each hidden layer's outputs
  (for the histograms), their standard deviations, each layer's weight-gradient norm and the
  loss, next to ln K. Tests and scripts drive it without a browser.
- `InitExplorer`, a thin ipywidgets front end: depth, activation, initialization, standard
  deviation and batch norm on/off; every change recomputes the state and redraws the figure
  (histograms in the top row, gradient norms and standard deviations per layer below) into a
  matplotlib Figure of its own, shown as a PNG.
"""
from __future__ import annotations

import html
import math

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_lib.deep_network import DeepNet
from course_lib.initialization import WEIGHT_INITS
from course_lib.network import ACTIVATION_LAYERS
from course_lib.validation import check_choice, check_count, check_positive
from course_lib.widgets import DPI, ERROR_COLOR, png_bytes
from course_lib.widgets.readout import html_table

MAX_DEPTH = 10
# Gradient norms are drawn on a log axis; an exact 0 (zero initialization) sits on this floor.
NORM_FLOOR = 1e-12


class SignalState:
    """A deep network at its initial weights, measured on one batch of random inputs.

    Parameters
    ----------
    depth : int, 1 .. MAX_DEPTH
        Number of hidden layers, each `width` units wide.
    activation : {"relu", "sigmoid", "tanh"}
    weight_init_std : {"he", "xavier"} or float >= 0
        The rule or the standard deviation of every layer's weights.
    batch_norm : bool
        A BatchNorm layer (training mode: batch statistics) before each activation.
    width : int
        Units per hidden layer, and the number of input features.
    n_samples : int
        Size of the batch of standard-normal inputs.
    n_classes : int
        K, the outputs of the last layer; labels are drawn at random.
    seed : int
        Seeds the inputs, the labels and the weights.

    Attributes
    ----------
    hidden_outputs : list of ndarray, shape (n_samples, width), one per hidden layer
    activation_stds : ndarray, shape (depth,)
    grad_norms : ndarray, shape (depth + 1,)
        Frobenius norm of dL/dW_l for l = 1 .. depth + 1 (the output layer last).
    loss : float
        The cross-entropy of the untrained network; ln K for a network that knows nothing.
    """

    def __init__(self, depth: int = 5, activation: str = "tanh", weight_init_std="xavier",
                 batch_norm: bool = False, width: int = 100, n_samples: int = 1000,
                 n_classes: int = 10, seed: int = 0):
        self.width = check_count(width, "width", 2)
        self.n_samples = check_count(n_samples, "n_samples", 2)
        self.n_classes = check_count(n_classes, "n_classes", 2)
        self.seed = seed
        rng = np.random.default_rng(seed)
        self.x = rng.standard_normal((self.n_samples, self.width))
        self.t = rng.integers(0, self.n_classes, size=self.n_samples)
        self.update(depth=depth, activation=activation, weight_init_std=weight_init_std,
                    batch_norm=batch_norm)

    def update(self, **settings) -> None:
        """Change any of depth, activation, weight_init_std, batch_norm and measure again.

        The settings are checked first: a bad one raises and leaves the state as it was.
        """
        unknown = set(settings) - {"depth", "activation", "weight_init_std", "batch_norm"}
        if unknown:
            raise TypeError(f"update: unknown setting(s) {', '.join(sorted(unknown))}; expected "
                            f"depth, activation, weight_init_std or batch_norm")
        current = {name: getattr(self, name) for name in
                   ("depth", "activation", "weight_init_std", "batch_norm") if hasattr(self, name)}
        new = {**current, **settings}
        depth = check_count(new["depth"], "depth", 1)
        if depth > MAX_DEPTH:
            raise ValueError(f"depth: expected at most {MAX_DEPTH} hidden layers, got {depth}")
        activation = check_choice(new["activation"], ACTIVATION_LAYERS, "activation")
        init = new["weight_init_std"]
        if isinstance(init, str):
            check_choice(init, WEIGHT_INITS, "weight_init_std")
        else:
            init = check_positive(init, "weight_init_std", allow_zero=True)
        net = DeepNet(self.width, [self.width] * depth, self.n_classes, activation, init,
                      batch_norm=bool(new["batch_norm"]), dtype=np.float64, seed=self.seed)
        with np.errstate(over="ignore"):
            loss, grads = net.loss_and_gradient(self.x, self.t)
        self.depth, self.activation, self.weight_init_std = depth, activation, init
        self.batch_norm = bool(new["batch_norm"])
        self.network, self.loss = net, float(loss)
        self.hidden_outputs = net.hidden_outputs
        self.activation_stds = np.array([out.std() for out in self.hidden_outputs])
        self.grad_norms = np.array([np.linalg.norm(grads[f"W{i}"]) for i in range(1, depth + 2)])

    @property
    def expected_loss(self) -> float:
        """ln K: the loss of a network that gives every class probability 1/K."""
        return math.log(self.n_classes)

    @property
    def settings(self) -> dict:
        return {"depth": self.depth, "activation": self.activation,
                "weight_init_std": self.weight_init_std, "batch_norm": self.batch_norm}

    def summary(self) -> str:
        """The measurements in one line, for a readout or a printout."""
        ratio = self.grad_norms[0] / max(self.grad_norms[-1], NORM_FLOOR)
        return (f"loss at init {self.loss:.3f} (ln K = {self.expected_loss:.3f}); activation std "
                f"layer 1 {self.activation_stds[0]:.3g}, layer {self.depth} "
                f"{self.activation_stds[-1]:.3g}; |dL/dW| first/last layer {ratio:.3g}")


def histogram_range(activation: str, outputs) -> tuple[float, float]:
    """The x range of a hidden layer's histogram: the activation's own range where it has one
    (tanh (-1, 1), sigmoid (0, 1)), for ReLU 0 to the largest output (at least 1e-3).
    """
    if activation == "tanh":
        return -1.0, 1.0
    if activation == "sigmoid":
        return 0.0, 1.0
    return 0.0, max(float(np.max(outputs)), 1e-3)


def plot_signal(state: SignalState, figure: Figure, bins: int = 30) -> dict:
    """Draw `state` into `figure`: one histogram per hidden layer, then the gradient norms and
    the standard deviations per layer.

    Returns
    -------
    dict with "histograms" (list of Axes, one per hidden layer), "norms" and "stds" (Axes)
    """
    # A fixed layout: constrained layout would measure every tick label of 12 axes per redraw.
    grid = figure.add_gridspec(2, state.depth, height_ratios=[1, 1.1], left=0.06, right=0.98,
                               bottom=0.1, top=0.84, hspace=0.55, wspace=0.25)
    histograms = [figure.add_subplot(grid[0, i]) for i in range(state.depth)]
    for layer, (ax, outputs) in enumerate(zip(histograms, state.hidden_outputs, strict=True),
                                          start=1):
        low, high = histogram_range(state.activation, outputs)
        counts, edges = np.histogram(outputs, bins=bins, range=(low, high))
        ax.stairs(counts, edges, fill=True, color="tab:blue")  # one artist, not `bins` bars
        ax.set_title(f"layer {layer}\nstd {outputs.std():.2g}", fontsize=8)
        ax.set_xticks([low, high], [f"{low:.2g}", f"{high:.2g}"], fontsize=7)
        ax.set_yticks([])
    half = max(state.depth // 2, 1)
    norms = figure.add_subplot(grid[1, :half])
    stds = figure.add_subplot(grid[1, half:]) if state.depth > 1 else norms.twinx()
    layers = np.arange(1, state.depth + 2)
    shown = np.maximum(state.grad_norms, NORM_FLOOR)
    norms.bar(layers, shown, color=["tab:orange"] * state.depth + ["tab:gray"])
    norms.set_yscale("log")
    norms.set_ylim(min(shown.min() / 10, 1e-3), max(shown.max() * 10, 10.0))
    for layer, value in zip(layers, state.grad_norms, strict=True):
        if value == 0:
            norms.text(layer, NORM_FLOOR * 3, "0", ha="center", fontsize=8, color=ERROR_COLOR)
    norms.set(xticks=layers, xlabel="layer (last: output)", title="|dL/dW| per layer")
    stds.plot(layers[:-1], state.activation_stds, "o-", color="tab:blue")
    stds.set(xticks=layers[:-1], xlabel="hidden layer", ylim=(0, None),
             title="std of the layer's outputs")
    figure.suptitle(f"{state.depth} x {state.activation}, init {state.weight_init_std!r}"
                    f"{', batch norm' if state.batch_norm else ''}: loss {state.loss:.3g} "
                    f"(ln K = {state.expected_loss:.3g})", fontsize=10)
    return {"histograms": histograms, "norms": norms, "stds": stds}


class InitExplorer(widgets.VBox):
    """Pick depth, activation, initialization and batch norm; the figure redraws.

    Parameters
    ----------
    depth, activation, weight_init_std, batch_norm : see `SignalState`
    **options
        More `SignalState` settings: width, n_samples, n_classes, seed.

    Attributes
    ----------
    state : SignalState
    """

    def __init__(self, depth: int = 5, activation: str = "tanh", weight_init_std="xavier",
                 batch_norm: bool = False, **options):
        super().__init__()
        self.state = SignalState(depth, activation, weight_init_std, batch_norm, **options)
        fixed = not isinstance(self.state.weight_init_std, str)
        self.depth = widgets.IntSlider(value=self.state.depth, min=1, max=MAX_DEPTH,
                                       description="depth", continuous_update=False)
        self.activation = widgets.Dropdown(options=list(ACTIVATION_LAYERS),
                                           value=self.state.activation, description="activation")
        self.init = widgets.Dropdown(options=[*WEIGHT_INITS, "std"],
                                     value="std" if fixed else self.state.weight_init_std,
                                     description="init")
        self.std = widgets.FloatLogSlider(value=self.state.weight_init_std if fixed and
                                          self.state.weight_init_std > 0 else 0.01,
                                          base=10, min=-3, max=1, step=0.05, description="std",
                                          readout_format=".3g", continuous_update=False,
                                          disabled=not fixed)
        self.batch_norm = widgets.Checkbox(value=self.state.batch_norm, description="batch norm")
        self.figure = Figure(figsize=(11.0, 5.0), dpi=DPI)
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png")
        self.readout = widgets.HTML()
        controls = widgets.VBox([widgets.HBox([self.depth, self.activation, self.batch_norm]),
                                 widgets.HBox([self.init, self.std])])
        self.children = [controls, self.image, self.readout]
        self.add_class("course-tool")
        self.add_class("course-InitExplorer")
        self.image.add_class("course-figure")
        self.readout.add_class("course-readout")
        for control in (self.depth, self.activation, self.init, self.std, self.batch_norm):
            control.observe(self._on_change, names="value")
        self.redraw()

    def _weight_init_std(self):
        return self.std.value if self.init.value == "std" else self.init.value

    def _on_change(self, _change) -> None:
        self.std.disabled = self.init.value != "std"
        try:
            self.state.update(depth=self.depth.value, activation=self.activation.value,
                              weight_init_std=self._weight_init_std(),
                              batch_norm=self.batch_norm.value)
        except Exception as error:  # noqa: BLE001 - shown to the user, not hidden
            self.readout.value = (f'<b style="color:{ERROR_COLOR}">error: '
                                  f'{html.escape(type(error).__name__)}: '
                                  f'{html.escape(str(error))}</b>')
            return
        self.redraw()

    def redraw(self) -> None:
        """Draw the state afresh and update the readout."""
        self.figure.clear()
        self.axes = plot_signal(self.state, self.figure)
        self.figure.canvas.draw()
        self.image.value = png_bytes(np.asarray(self.figure.canvas.buffer_rgba())[:, :, :3])
        state = self.state
        rows = [["loss at init", f"{state.loss:.4g} (ln K = {state.expected_loss:.4g})"],
                ["activation std, layer 1 .. last",
                 " ".join(f"{s:.2g}" for s in state.activation_stds)],
                ["|dL/dW|, layer 1 .. output", " ".join(f"{g:.2g}" for g in state.grad_norms)]]
        self.readout.value = html_table(["", ""], rows)
