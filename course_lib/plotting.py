"""The course's plots: landscapes with optimizer paths, 3-D surfaces, learning curves, decision
boundaries, confusion matrices and digit galleries.

Every ``plot_*`` function draws into the Axes it is given (``ax=...``) or, without one, into a new
pyplot figure, and returns what it drew into. The interactive tools in `course_lib.widgets` draw
with these same functions into a Figure of their own; as an optimizer steps, they call the
``update_*`` functions, which move the data of the artists already drawn instead of drawing the
plot again (recomputing a contour plot costs far more than moving a line).
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.colors import BoundaryNorm, to_rgb
from matplotlib.ticker import MaxNLocator

from course_lib.activations import softmax
from course_lib.fonts import use_hangul_font
from course_lib.landscapes import get_landscape
from course_lib.validation import as_float_array, check_class_indices

# One colour per path, curve or class, the same everywhere in the course.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
           "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")
DECISION_REGIONS_GID = "decision-regions"
use_hangul_font()  # the Korean editions' titles and labels


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _new_figure(figsize):
    # pyplot only when the caller gives no Axes: notebooks then show the figure inline, while the
    # widgets, which always pass their own Axes, never touch pyplot's global state.
    import matplotlib.pyplot as plt
    return plt.figure(figsize=figsize)


def _axes(ax, figsize=(5.0, 4.0), **subplot_kw):
    return ax if ax is not None else _new_figure(figsize).add_subplot(**subplot_kw)


def _landscape(landscape):
    return get_landscape(landscape) if isinstance(landscape, str) else landscape


# --- landscapes and paths --------------------------------------------------------------------

def grid_points(bounds, resolution: int):
    """A regular grid over a rectangle.

    Parameters
    ----------
    bounds : ((xmin, xmax), (ymin, ymax))
    resolution : int
        R, points per side.

    Returns
    -------
    xs : ndarray, shape (R,)
    ys : ndarray, shape (R,)
    points : ndarray, shape (R, R, 2)
        ``points[i, j] = (xs[j], ys[i])``: rows go along y, as images and contour plots expect.
    """
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    return xs, ys, np.stack(np.meshgrid(xs, ys), axis=-1)


def contour_levels(z, n_levels: int) -> np.ndarray:
    """Contour levels at the quantiles of `z`, so each band covers about the same area.

    Evenly spaced levels would put every line on the steep walls of a surface like Rosenbrock's
    and leave its flat valley, where the optimizers crawl, without a single one.

    Parameters
    ----------
    z : ndarray, any shape
        Function values on a grid.
    n_levels : int

    Returns
    -------
    ndarray, shape (L,), L <= n_levels, strictly increasing
    """
    return np.unique(np.quantile(z, np.linspace(0.0, 1.0, n_levels)))


def _check_path(landscape, path, name: str = "path") -> np.ndarray:
    path = as_float_array(path, name, ndim=(1, 2))
    path = path.reshape(-1, 1) if path.ndim == 1 and landscape.dim == 1 else path
    if path.ndim != 2 or path.shape[1] != landscape.dim:
        raise ValueError(f"{name}: expected points of shape (T, {landscape.dim}) on the "
                         f"{landscape.dim}-D landscape {landscape.name!r}, got {path.shape}")
    return path


def path_xy(landscape, path):
    """Where the points of a path appear in `plot_landscape`'s picture.

    Parameters
    ----------
    landscape : Landscape or str
    path : ndarray, shape (T, dim)
        Points visited, one per row.

    Returns
    -------
    xs, ys : ndarray, shape (T,)
        2-D landscape: the coordinates (x, y). 1-D landscape: x and the height f(x) on the curve.
    """
    landscape = _landscape(landscape)
    path = _check_path(landscape, path)
    if landscape.dim == 2:
        return path[:, 0], path[:, 1]
    return path[:, 0], landscape.f(path)


def plot_path(ax, landscape, path, label=None, color=None):
    """Draw one optimizer path (points joined by a line) on a landscape drawn by `plot_landscape`.

    Returns
    -------
    Line2D
        Move it with `update_path` as the path grows.
    """
    line, = ax.plot(*path_xy(landscape, path), "-o", color=color, label=label,
                    markersize=3, linewidth=1.5)
    return line


def update_path(line, landscape, path) -> None:
    """Give a line drawn by `plot_path` the points of `path`, shape (T, dim)."""
    line.set_data(*path_xy(landscape, path))


def plot_landscape(landscape, ax=None, paths=None, levels: int = 25, resolution: int = 200,
                   show_minima: bool = True):
    """Contour plot of a 2-D landscape (or the curve of a 1-D one), with optimizer paths.

    Parameters
    ----------
    landscape : Landscape or str
        E.g. ``"rosenbrock"`` or ``get_landscape("rosenbrock")``.
    ax : Axes, optional
    paths : dict of str -> ndarray, shape (T, dim), optional
        Named paths, each drawn with `plot_path` in its own colour and listed in a legend.
    levels : int
        Number of contour levels (placed by `contour_levels`).
    resolution : int
        Grid points per side.
    show_minima : bool
        Mark the landscape's minima with stars.

    Returns
    -------
    Axes
        Its limits are the landscape's bounds and stay fixed, so a diverging path leaves the
        picture instead of shrinking it.
    """
    landscape = _landscape(landscape)
    ax = _axes(ax)
    if landscape.dim == 2:
        _draw_contours(ax, landscape, levels, resolution)
    else:
        _draw_curve(ax, landscape, resolution)
    if show_minima and landscape.minima:
        mx, my = path_xy(landscape, np.array(landscape.minima))
        ax.plot(mx, my, "*", color="white", markeredgecolor="black", markersize=13, zorder=5)
    ax.set_autoscale_on(False)
    for i, (name, path) in enumerate((paths or {}).items()):
        plot_path(ax, landscape, path, label=name, color=_color(i))
    if paths:
        ax.legend(loc="upper right", fontsize="small")
    ax.set_title(landscape.name)
    return ax


def _draw_contours(ax, landscape, levels, resolution):
    xs, ys, points = grid_points(landscape.bounds, resolution)
    z = landscape.f(points)
    bands = contour_levels(z, levels)
    ax.contourf(xs, ys, z, levels=bands, cmap="viridis", norm=BoundaryNorm(bands, 256), alpha=0.85)
    ax.contour(xs, ys, z, levels=bands, colors="white", linewidths=0.4, alpha=0.6)
    ax.set_xlim(landscape.bounds[0])
    ax.set_ylim(landscape.bounds[1])
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def _draw_curve(ax, landscape, resolution):
    xs = np.linspace(*landscape.bounds[0], resolution)
    fx = landscape.f(xs[:, None])
    ax.plot(xs, fx, color="black", linewidth=1.5)
    margin = 0.08 * (fx.max() - fx.min())
    ax.set_xlim(landscape.bounds[0])
    ax.set_ylim(fx.min() - margin, fx.max() + margin)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")


def plot_surface_3d(landscape, ax=None, paths=None, resolution: int = 80):
    """The surface z = f(x, y) of a 2-D landscape in 3-D, with optional paths on it.

    Parameters
    ----------
    landscape : Landscape or str, 2-D
    ax : Axes3D, optional
        An Axes made with ``projection="3d"``.
    paths : dict of str -> ndarray, shape (T, 2), optional
    resolution : int

    Returns
    -------
    Axes3D
    """
    landscape = _landscape(landscape)
    if landscape.dim != 2:
        raise ValueError(f"landscape: expected a 2-D landscape for a surface plot, got "
                         f"{landscape.name!r} with dim {landscape.dim}; use plot_landscape")
    ax = _axes(ax, figsize=(6.0, 5.0), projection="3d")
    if not hasattr(ax, "plot_surface"):
        raise ValueError("ax: expected a 3-D Axes (made with projection='3d'), got a 2-D Axes")
    xs, ys, points = grid_points(landscape.bounds, resolution)
    grid_x, grid_y = np.meshgrid(xs, ys)
    ax.plot_surface(grid_x, grid_y, landscape.f(points), cmap="viridis", alpha=0.8,
                    linewidth=0, antialiased=True)
    for i, (name, path) in enumerate((paths or {}).items()):
        path = _check_path(landscape, path, f"paths[{name!r}]")
        ax.plot(path[:, 0], path[:, 1], landscape.f(path), "-o", color=_color(i), label=name,
                markersize=3, zorder=10)
    if paths:
        ax.legend(loc="upper right", fontsize="small")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_zlabel("f(x, y)")
    ax.set_title(landscape.name)
    return ax


# --- curves ------------------------------------------------------------------------------------

def _curve_xy(values, start: int, log: bool):
    """x and y of one curve: `values` is y (x = start, start+1, ...) or a pair (x, y).

    Drops non-finite points (and non-positive ones on a log axis): nothing that cannot be drawn
    is handed to matplotlib.
    """
    if isinstance(values, tuple) and len(values) == 2:
        x, y = (np.asarray(v, dtype=np.float64) for v in values)
    else:
        y = np.asarray(values, dtype=np.float64).reshape(-1)
        x = start + np.arange(len(y), dtype=np.float64)
    keep = np.isfinite(x) & np.isfinite(y) & ((y > 0) if log else True)
    return x[keep], y[keep]


def plot_curves(curves, ax=None, xlabel: str = "step", ylabel: str = "loss", log: bool = False,
                start: int = 0):
    """Named curves on one Axes, e.g. the loss of several optimizers per step.

    Parameters
    ----------
    curves : dict of str -> ndarray, shape (T,), or a pair (x, y) of shape (T,) each
        The value at step ``start + i`` is ``values[i]``; a pair gives its own x.
    ax : Axes, optional
    xlabel, ylabel : str
    log : bool
        Logarithmic y axis (non-positive values are left out).
    start : int
        x of the first value (0 for "step 0 = the start point", 1 for "after epoch 1").

    Returns
    -------
    Axes
        Each curve is a line labelled with its name; `update_curves` moves them.
    """
    ax = _axes(ax)
    for i, (label, values) in enumerate(curves.items()):
        ax.plot(*_curve_xy(values, start, log), color=_color(i), label=label, linewidth=1.5)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="major", alpha=0.3)
    if curves:
        ax.legend(fontsize="small")
    return ax


def update_curves(ax, curves, start: int = 0, grow_only: bool = False) -> None:
    """Give the lines drawn by `plot_curves` new data (matched by label) and rescale the axes.

    With `grow_only` the limits only ever widen, and then to round numbers (x to a power of 2,
    y to whole decades on a log axis, to tick marks on a linear one), so a tool that redraws
    after every step only rarely has to draw the axes themselves again.
    """
    log = ax.get_yscale() == "log"
    xs, ys = [np.empty(0)], [np.empty(0)]
    for line in ax.get_lines():
        if line.get_label() in curves:
            x, y = _curve_xy(curves[line.get_label()], start, log)
            line.set_data(x, y)
            xs.append(x)
            ys.append(y)
    x, y = np.concatenate(xs), np.concatenate(ys)
    if not grow_only:
        ax.relim()
        ax.autoscale_view()
    elif len(x):
        _grow_limits(ax, x, y, start, log)


def _grow_limits(ax, x, y, start: int, log: bool) -> None:
    x_high, (y_low, y_high) = ax.get_xlim()[1], ax.get_ylim()
    if x.max() > x_high:
        ax.set_xlim(start, start + 2.0 ** np.ceil(np.log2(max(x.max() - start, 8))))
    if y.min() < y_low or y.max() > y_high:
        low, high = min(y.min(), y_low), max(y.max(), y_high)
        if log:
            low, high = 10.0 ** np.floor(np.log10(low)), 10.0 ** np.ceil(np.log10(high))
        else:
            ticks = MaxNLocator(nbins=5).tick_values(low, high)
            low, high = min(ticks[0], low), max(ticks[-1], high)
        ax.set_ylim(low, high)


def _history_field(history, key: str):
    """history[key] of a dict, history.key of a History; None when missing."""
    return history.get(key) if isinstance(history, Mapping) else getattr(history, key, None)


def _history_value(history, key: str) -> list:
    value = _history_field(history, key)
    return list(value) if value is not None else []


def _learning_curve_panels(history) -> dict:
    """The curves of each panel: {"loss": {label: values}, "accuracy": {...}}, non-empty ones."""
    loss = _history_value(history, "loss")
    panels = {"loss": {}, "accuracy": {}}
    batch_loss = _history_value(history, "batch_loss")
    if batch_loss and loss:
        # Batch i (from 0) ends at epoch (i + 1) / B, for B batches per epoch.
        per_epoch = _history_field(history, "batches_per_epoch") or len(batch_loss) / len(loss)
        panels["loss"]["batch loss"] = (np.arange(1, len(batch_loss) + 1) / per_epoch, batch_loss)
    for panel, key, label in (("loss", "loss", "training loss"),
                              ("loss", "val_loss", "validation loss"),
                              ("accuracy", "accuracy", "training accuracy"),
                              ("accuracy", "val_accuracy", "validation accuracy")):
        if values := _history_value(history, key):
            panels[panel][label] = values
    return {name: curves for name, curves in panels.items() if curves}


def plot_learning_curves(history, ax=None, log_loss: bool = False, xlabel: str = "epoch",
                         start: int = 1):
    """Loss (and accuracy, when recorded) per epoch, for training and validation data.

    Parameters
    ----------
    history : training.History or dict
        Lists ``loss`` and optionally ``accuracy``, ``val_loss``, ``val_accuracy`` (one value per
        epoch) and ``batch_loss`` (one per mini-batch, drawn faintly at fractional epochs, using
        ``batches_per_epoch`` when given).
    ax : Axes or sequence of Axes, optional
        One Axes for the loss panel, or (loss Axes, accuracy Axes). Default: a new figure with one
        panel per recorded quantity.
    log_loss : bool
        Logarithmic loss axis.
    xlabel : str
    start : int
        x of the first value: 1 for "after epoch 1", 0 when the history starts before training.

    Returns
    -------
    list of Axes
        [loss] or [loss, accuracy]; `update_learning_curves` moves their lines.
    """
    panels = _learning_curve_panels(history)
    if "loss" not in panels:
        raise ValueError("history: expected a non-empty 'loss' list (one value per epoch), "
                         "got none")
    if ax is None:
        figure = _new_figure((5.0 * len(panels), 3.6))
        axes = [figure.add_subplot(1, len(panels), i + 1) for i in range(len(panels))]
    else:
        axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    # axes given by the caller may be fewer than the panels: those panels are not drawn
    for axis, (name, curves) in zip(axes, panels.items(), strict=False):
        plot_curves(curves, axis, xlabel=xlabel, ylabel=name, start=start,
                    log=log_loss and name == "loss")
        if "batch loss" in curves:
            axis.get_lines()[0].set(alpha=0.3, linewidth=0.8, color="gray")
            axis.legend(fontsize="small")  # again, to show the grey
    return axes


def update_learning_curves(axes, history, start: int = 1, grow_only: bool = False) -> None:
    """Move the lines of `plot_learning_curves` to a longer `history` (e.g. during training);
    `grow_only` as in `update_curves`.
    """
    for axis, curves in zip(axes, _learning_curve_panels(history).values(), strict=False):
        update_curves(axis, curves, start=start, grow_only=grow_only)


# --- classifiers --------------------------------------------------------------------------------

def decision_colors(predict, points) -> np.ndarray:
    """RGBA colours showing a classifier's decision at each point.

    Each point gets the colour of its predicted class, more opaque where the classifier is sure:
    alpha grows from 0.1 (all K classes equally likely) to 0.55 (probability 1).

    Parameters
    ----------
    predict : callable
        ``predict(points) -> scores`` of shape (M, K) (logits; softmax turns them into
        probabilities) or class indices of shape (M,).
    points : ndarray, shape (..., 2)

    Returns
    -------
    ndarray, shape (..., 4)
    """
    flat = points.reshape(-1, 2)
    scores = np.asarray(predict(flat))
    if scores.ndim == 2 and scores.shape[0] == len(flat) and scores.shape[1] >= 2:
        probabilities = softmax(as_float_array(scores, "predict(points)", allow_nonfinite=True))
        classes = probabilities.argmax(axis=1)
        k = scores.shape[1]
        confidence = np.nan_to_num((probabilities.max(axis=1) - 1 / k) / (1 - 1 / k))
    elif scores.shape == (len(flat),):
        classes = check_class_indices(scores, len(flat), None, "predict(points)")
        confidence = np.ones(len(flat))
    else:
        raise ValueError(f"predict: expected scores of shape ({len(flat)}, K >= 2) or class "
                         f"indices of shape ({len(flat)},) for {len(flat)} points, got shape "
                         f"{scores.shape}")
    palette = np.array([to_rgb(color) for color in PALETTE])
    rgb = palette[classes % len(PALETTE)]
    alpha = 0.1 + 0.45 * np.clip(confidence, 0.0, 1.0)
    return np.column_stack([rgb, alpha]).reshape(*points.shape[:-1], 4)


def plot_decision_boundary(predict, x, t, ax=None, resolution: int = 150, padding: float = 0.15):
    """The regions a classifier assigns to each class, with the data on top.

    Parameters
    ----------
    predict : callable
        ``predict(points)`` for points of shape (M, 2): scores (M, K), e.g. ``net.predict``, or
        class indices (M,).
    x : ndarray, shape (N, 2)
        The data points.
    t : ndarray, shape (N,) class indices, or (N, K) one-hot
    ax : Axes, optional
    resolution : int
        Grid points per side.
    padding : float
        Margin around the data, as a fraction of its extent.

    Returns
    -------
    Axes
        `update_decision_boundary` recolours the regions after the classifier changed.
    """
    x = as_float_array(x, "x", ndim=2)
    if x.shape[1] != 2:
        raise ValueError(f"x: expected 2-D points of shape (N, 2), got {x.shape}")
    labels = check_class_indices(t, len(x), None, "t")
    low, high = x.min(axis=0), x.max(axis=0)
    margin = padding * np.where(high > low, high - low, 1.0)  # all points on a line: pad by 1
    bounds = tuple(zip(low - margin, high + margin, strict=True))
    ax = _axes(ax)
    _, _, points = grid_points(bounds, resolution)
    ax.imshow(decision_colors(predict, points), origin="lower", aspect="auto",
              extent=(*bounds[0], *bounds[1]), interpolation="bilinear",
              gid=DECISION_REGIONS_GID)
    ax.scatter(x[:, 0], x[:, 1], c=[_color(k) for k in labels], s=14, edgecolors="black",
               linewidths=0.4)
    ax.set_xlim(bounds[0])
    ax.set_ylim(bounds[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return ax


def update_decision_boundary(ax, predict) -> None:
    """Recolour the regions drawn by `plot_decision_boundary` for the classifier's new state."""
    image = next(im for im in ax.images if im.get_gid() == DECISION_REGIONS_GID)
    x0, x1, y0, y1 = image.get_extent()
    resolution = image.get_array().shape[0]
    _, _, points = grid_points(((x0, x1), (y0, y1)), resolution)
    image.set_data(decision_colors(predict, points))


def plot_confusion_matrix(cm, ax=None, class_names=None, normalize: bool = False):
    """A confusion matrix as a heat map with the count (or fraction) in each cell.

    Parameters
    ----------
    cm : ndarray, shape (K, K)
        ``cm[i, j]`` = number of samples of true class i predicted as class j.
    ax : Axes, optional
    class_names : sequence of str, length K, optional
    normalize : bool
        Divide each row by its sum: the diagonal then holds each class's recall.

    Returns
    -------
    Axes
    """
    cm = as_float_array(cm, "cm", ndim=2)
    if cm.shape[0] != cm.shape[1] or (cm < 0).any():
        raise ValueError(f"cm: expected a square matrix of counts >= 0, got shape {cm.shape} "
                         f"with smallest value {cm.min()}")
    k = cm.shape[0]
    names = [str(i) for i in range(k)] if class_names is None else [str(n) for n in class_names]
    if len(names) != k:
        raise ValueError(f"class_names: expected {k} names (one per row of cm), got {len(names)}")
    if normalize:
        totals = cm.sum(axis=1, keepdims=True)
        cm = np.divide(cm, totals, out=np.zeros_like(cm), where=totals > 0)
    ax = _axes(ax, figsize=(0.55 * k + 2.5, 0.55 * k + 2.0))
    ax.imshow(cm, cmap="Blues")
    threshold = cm.max() / 2
    for i in range(k):
        for j in range(k):
            text = f"{cm[i, j]:.2f}" if normalize else f"{cm[i, j]:.0f}"
            ax.text(j, i, text, ha="center", va="center", fontsize="small",
                    color="white" if cm[i, j] > threshold else "black")
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.set_title("confusion matrix" + (" (rows normalised)" if normalize else ""))
    return ax


def show_digits(images, labels=None, predictions=None, n_cols: int = 10, max_images: int = 50,
                figure=None):
    """A gallery of digit images, titled with their labels and/or predictions.

    With both labels and predictions, a mistake is titled "pred p (true t)" in red and framed in
    red; a correct image is titled with its digit.

    Parameters
    ----------
    images : ndarray, shape (N, 784), (N, 28, 28) or (N, 1, 28, 28)
        Any square image size works: the pixel count must be a square number.
    labels : ndarray, shape (N,), optional
    predictions : ndarray, shape (N,), optional
    n_cols : int
    max_images : int
        Only the first `max_images` are shown.
    figure : Figure, optional
        Draw into this (empty) figure.

    Returns
    -------
    Figure
    """
    images = as_float_array(images, "images", ndim=(2, 3, 4))
    side = int(round(np.sqrt(np.prod(images.shape[1:]))))
    if side * side != np.prod(images.shape[1:]):
        raise ValueError(f"images: expected square images, e.g. shape (N, 784) or (N, 28, 28), "
                         f"got {images.shape}")
    images = images.reshape(len(images), side, side)
    labels = None if labels is None else check_class_indices(labels, len(images), None, "labels")
    predictions = (None if predictions is None
                   else check_class_indices(predictions, len(images), None, "predictions"))
    n = min(len(images), max_images)
    n_rows = max(1, -(-n // n_cols))
    figure = figure if figure is not None else _new_figure((1.0 * n_cols, 1.25 * n_rows))
    for i in range(n):
        ax = figure.add_subplot(n_rows, n_cols, i + 1)
        ax.imshow(images[i], cmap="gray_r")
        ax.set_xticks([])
        ax.set_yticks([])
        title, wrong = _digit_title(i, labels, predictions)
        ax.set_title(title, fontsize="small", color="#d62728" if wrong else "black")
        for spine in ax.spines.values():
            spine.set(color="#d62728" if wrong else "lightgray", linewidth=2.5 if wrong else 0.5)
    return figure


def _digit_title(i: int, labels, predictions) -> tuple[str, bool]:
    if predictions is None:
        return ("" if labels is None else str(labels[i])), False
    if labels is None:
        return f"pred {predictions[i]}", False
    if predictions[i] == labels[i]:
        return str(labels[i]), False
    return f"pred {predictions[i]} (true {labels[i]})", True


# --- computational graphs --------------------------------------------------------------------

GRAPH_NODE_GID = "graph-node"


def graph_layout(root) -> dict:
    """Positions for drawing the graph of `root`: node -> (x, y).

    x is the node's depth: one more than its deepest parent, so every arrow points to the right.
    A labelled leaf (an input, a parameter) has depth 0; an unlabelled one (a constant such as
    the 2 in ``2 * x``) sits just left of the first node that uses it. The nodes of one depth are
    spread evenly over y, from the top in the order of the mean height of their parents.
    """
    from course_lib.autograd import topological_order  # late: plotting does not need autograd
    order = topological_order(root)
    depth = {}
    for node in order:
        depth[node] = 1 + max((depth[p] for p in node.parents), default=-1)
    first_use = {}
    for node in order:
        for parent in node.parents:
            first_use[parent] = min(first_use.get(parent, depth[node]), depth[node])
    for node in order:
        if not node.parents and not node.label and node in first_use:
            depth[node] = first_use[node] - 1
    columns: dict[int, list] = {}
    for node, x in depth.items():
        columns.setdefault(x, []).append(node)
    positions = {}
    for x in sorted(columns):
        column = columns[x]
        if x > 0:  # beside its parents (at the mean of their heights), so arrows cross less
            column.sort(key=lambda node: -np.mean([positions[p][1] for p in node.parents])
                        if node.parents else 0.0)
        positions.update({node: (x, (len(column) - 1) / 2 - i) for i, node in enumerate(column)})
    return positions


def node_name(node) -> str:
    """How a graph node is called in plots and readouts: its label, its operation or "constant"."""
    return node.label or (f"the {node.op!r} node" if node.parents else "a constant")


def _node_text(node) -> str:
    name = node.label or (node.op if node.parents else "")
    shape = getattr(node.data, "shape", ())
    value = f"shape {shape}" if shape else f"{float(node.data):.4g}"
    return f"{name}\n{value}" if name else value


def plot_graph(root, ax=None, grads: Mapping | None = None, highlight=None):
    """Draw the computational graph of a `course_lib.autograd` Value or Tensor.

    Each node is a box with its label (or, inside the graph, its operation) and its value (a
    Tensor: its shape); arrows run from the parents to the node computed from them. A node used
    twice by the same node (``x * x``) gets two arrows.

    Parameters
    ----------
    root : Value or Tensor
        The graph is everything `root` was computed from.
    ax : Axes, optional
    grads : mapping node -> gradient, optional
        Gradients to write under the values, in red (e.g. what `backpropagate` returns, or the
        part of it known so far); nodes missing from it show none.
    highlight : node, optional
        A node to draw in yellow (the one the backward pass is at).

    Returns
    -------
    Axes
    """
    positions = graph_layout(root)
    depth = max(x for x, _ in positions.values())
    height = max(1 + 2 * abs(y) for _, y in positions.values())
    ax = _axes(ax, figsize=(min(2.2 * depth + 2.5, 14.0), min(1.1 * height + 1.0, 9.0)))
    for node, (x, y) in positions.items():
        for k, parent in enumerate(node.parents):
            repeated = node.parents[:k].count(parent)  # x * x: bend the second arrow
            ax.annotate("", xy=(x, y), xytext=positions[parent],
                        arrowprops={"arrowstyle": "->", "color": "gray", "shrinkA": 24,
                                    "shrinkB": 24,
                                    "connectionstyle": f"arc3,rad={0.3 * repeated}"})
        text = _node_text(node)
        if grads is not None and node in grads:
            grad = grads[node]
            text += f"\ngrad {float(grad):.4g}" if np.ndim(grad) == 0 else "\ngrad ✓"
        color = "#ffe680" if node is highlight else ("#f2f2f2" if node.parents else "#dbe9f6")
        ax.text(x, y, text, ha="center", va="center", fontsize=9, gid=GRAPH_NODE_GID,
                bbox={"boxstyle": "round,pad=0.4", "facecolor": color, "edgecolor": "black"})
    ax.set_xlim(-0.6, depth + 0.6)
    top = max(abs(y) for _, y in positions.values()) + 0.6
    ax.set_ylim(-top, top)
    ax.axis("off")
    return ax
