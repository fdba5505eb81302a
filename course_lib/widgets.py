"""Interactive tools: a gradient-descent stepper, an optimizer race, a network playground and a
backward-pass stepper.

Each tool comes in two parts:

- a plain state object that steps, resets and keeps a history, driven by tests and scripts
  without any browser: `GradientDescentRun` (one optimizer on one landscape),
  `OptimizerRaceState` (several runs, one clock), `PlaygroundState` (a network learning a toy
  data set) and `BackwardPassState` (the backward pass of a computational graph, node by node);
- a thin ipywidgets front end (`GradientDescentStepper`, `OptimizerRace`, `NetworkPlayground`,
  `BackwardPassStepper`)
  that draws its state with `course_lib.plotting` into a matplotlib Figure of its own (the Agg
  canvas, never pyplot's global state) and shows it as a PNG in an ``ipywidgets.Image``. After a
  step it only moves the data of the lines, arrows and images already drawn, and draws just
  those onto a saved copy of the rest of the figure (blitting); the contour plot, the axes and
  their ticks are drawn again only when some axis limits change.

Play runs the state in a background thread of the kernel, so the notebook stays responsive and
Pause (a message from the browser, handled by the kernel's main thread) can stop it. A lock
keeps the thread and the buttons from changing the state at the same time.

A run that diverges (its numbers overflow or it leaves the plotted region by a wide margin) is
stopped and says so; nothing that is not a finite number is ever drawn.
"""
from __future__ import annotations

import html
import inspect
import struct
import threading
import zlib
from collections.abc import Mapping
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_lib import plotting
from course_lib.autograd import pass_to_parents, topological_order
from course_lib.data import TOY_DATASETS, load_toy, train_val_test_split
from course_lib.landscapes import LANDSCAPES, get_landscape
from course_lib.network import ACTIVATION_LAYERS, TwoLayerNet
from course_lib.optimizers import OPTIMIZERS, get_optimizer
from course_lib.validation import as_float_array, check_choice, check_count, check_positive

# The hyper-parameter that plays the part of momentum in each optimizer that has one.
MOMENTUM_PARAMETER = {"momentum": "momentum", "nesterov": "momentum", "rmsprop": "decay",
                      "adam": "beta1", "adamw": "beta1"}
ADAPTIVE_OPTIMIZERS = ("adagrad", "rmsprop", "adam", "adamw")


def _as_landscape(landscape):
    """A Landscape from a name (checked against the registry) or a Landscape object."""
    if isinstance(landscape, str):
        return get_landscape(check_choice(landscape, LANDSCAPES, "landscape"))
    if not all(hasattr(landscape, attr) for attr in ("f", "grad", "dim", "bounds", "start")):
        raise TypeError(f"landscape: expected a name ({', '.join(LANDSCAPES)}) or a Landscape, "
                        f"got {type(landscape).__name__}")
    return landscape


def _optimizer_name(optimizer) -> str:
    key = optimizer.lower() if isinstance(optimizer, str) else optimizer
    return check_choice(key, OPTIMIZERS, "optimizer")


def _check_start(landscape, start) -> np.ndarray:
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
    optimizer = _optimizer_name(optimizer)
    if momentum is None:
        return {}
    if optimizer not in MOMENTUM_PARAMETER:
        raise ValueError(f"momentum: the {optimizer!r} optimizer has no momentum or beta; pass it "
                         f"only to one of {', '.join(MOMENTUM_PARAMETER)}, "
                         f"got momentum={momentum!r}")
    return {MOMENTUM_PARAMETER[optimizer]: momentum}


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
    landscape = _as_landscape(landscape)
    optimizer = _optimizer_name(optimizer)
    if optimizer in ADAPTIVE_OPTIMIZERS:
        width = min(high - low for low, high in landscape.bounds)
        lr = width / (8 if optimizer == "adagrad" else 40)
    else:
        lr = 0.5 / _curvature(landscape, [_check_start(landscape, start), *landscape.minima])
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


def stationary_kind(eigenvalues, rtol: float = 1e-6) -> str:
    """What a point with zero gradient is, from the eigenvalues of the Hessian there.

    An eigenvalue within `rtol` times the largest |eigenvalue| (or 1, if that is smaller) of 0
    counts as 0: then the second derivatives cannot decide ("flat": a plateau, or a point such
    as x^4 at 0 that only higher derivatives classify).
    """
    eigenvalues = np.asarray(eigenvalues, dtype=np.float64)
    tiny = rtol * max(1.0, float(np.abs(eigenvalues).max()))
    if np.any(np.abs(eigenvalues) <= tiny):
        return "flat"
    if np.all(eigenvalues > 0):
        return "minimum"
    return "maximum" if np.all(eigenvalues < 0) else "saddle point"


_KIND_SENTENCES = {"minimum": "a minimum", "saddle point": "a saddle point, not a minimum",
                   "maximum": "a maximum, not a minimum", "flat": "flat, the Hessian cannot tell"}


# --- plain state objects ---------------------------------------------------------------------

class _Steps:
    """`run` for a state whose `step()` returns False once it cannot move any more."""

    def run(self, n_steps: int) -> int:
        """Take up to `n_steps` steps, fewer if the state stops; return how many were taken."""
        n_steps = check_count(n_steps, "n_steps")
        taken = 0
        while taken < n_steps and self.step():
            taken += 1
        return taken


class _Status(_Steps):
    """A state moved by one `optimizer` that stops by itself: `status` says how ("running",
    "diverged", ...), `message` says why in one sentence."""

    status, message = "running", ""

    @property
    def lr(self) -> float:
        """The optimizer's learning rate; it may change between steps."""
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = check_positive(value, "lr")

    def _stop(self, status: str, message: str) -> None:
        self.status, self.message = status, message

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"


class GradientDescentRun(_Status):
    """One optimizer walking on one landscape, one step at a time.

    Each step reads the gradient at the current point x and lets the optimizer move x (for SGD,
    x <- x - lr grad f(x)). The run stops by itself when it

    - reaches a point where |grad f(x)| < `grad_tol`: a minimum, a saddle point or a plateau,
      which the gradient alone cannot tell apart; the Hessian there can, and `stationary_kind`
      says what it shows;
    - diverges: x, f(x) or the gradient overflow, or x gets more than `escape_factor` times the
      half-width of the landscape's bounds away from their centre;
    - reaches `max_steps`.

    Parameters
    ----------
    landscape : str or Landscape
        A name from `course_lib.landscapes.LANDSCAPES`, e.g. ``"rosenbrock"``, or a Landscape.
    optimizer : str
        A name from `course_lib.optimizers.OPTIMIZERS`, e.g. ``"momentum"``.
    lr : float, > 0
        Learning rate.
    start : array_like, shape (dim,), optional
        Start point; default the landscape's ``start``.
    max_steps : int
    grad_tol : float, > 0
    escape_factor : float, > 0
    **hyperparams
        Passed to the optimizer, e.g. ``momentum=0.8`` or ``beta1=0.9, beta2=0.99``.

    Attributes
    ----------
    status : {"running", "stationary", "diverged", "stopped"}
        "stationary": stopped on a small gradient; "stopped": after `max_steps` steps.
    stationary_kind : {"minimum", "saddle point", "maximum", "flat"} or None
        What the Hessian's eigenvalues say about the point where a "stationary" run stopped
        (all positive, both signs, all negative, or one of them about 0); None otherwise.
    message : str
        Why the run stopped, in one sentence; "" while it runs.
    gradient : ndarray, shape (dim,)
        The gradient at the current point (the last row of `path`).
    """

    def __init__(self, landscape="bowl", optimizer: str = "sgd", lr: float = 0.1, start=None,
                 max_steps: int = 10_000, grad_tol: float = 1e-8, escape_factor: float = 100.0,
                 **hyperparams):
        self.landscape = _as_landscape(landscape)
        self.optimizer_name = _optimizer_name(optimizer)
        self.optimizer = get_optimizer(self.optimizer_name, lr=lr, **hyperparams)
        self.max_steps = check_count(max_steps, "max_steps")
        self.grad_tol = check_positive(grad_tol, "grad_tol")
        self.escape_factor = check_positive(escape_factor, "escape_factor")
        self.start = _check_start(self.landscape, start)
        minima = list(getattr(self.landscape, "minima", []))
        # f at the global minimum, so the loss curve can show the gap f(x) - f(x*) on a log scale.
        self.optimum = min(float(self.landscape.f(m)) for m in minima) if minima else None
        self.reset()

    def reset(self, start=None) -> None:
        """Go back to the start point (a new one if given), forgetting the optimizer's state."""
        if start is not None:
            self.start = _check_start(self.landscape, start)
        self.optimizer.reset()
        self._params = {"x": self.start.copy()}
        self._path, self._losses, self._grad_norms = [], [], []
        self.stationary_kind = None
        self._stop("running", "")
        measured = self._evaluate(self.start)
        if not all(np.isfinite(m).all() for m in measured):
            raise ValueError(f"start: f or its gradient is not finite at {self.start}")
        self._record(*measured)

    def _evaluate(self, x):
        """f(x), grad f(x) and |grad f(x)|, any of which may overflow far from the minimum."""
        with np.errstate(all="ignore"):
            gradient = self.landscape.grad(x)
            return float(self.landscape.f(x)), gradient, float(np.linalg.norm(gradient))

    def _record(self, value: float, gradient: np.ndarray, grad_norm: float) -> None:
        self._path.append(self._params["x"].copy())
        self._losses.append(value)
        self._grad_norms.append(grad_norm)
        self.gradient = gradient

    def _escaped(self, x: np.ndarray) -> bool:
        low, high = np.array(self.landscape.bounds, dtype=np.float64).T
        return bool(np.any(np.abs(x - (low + high) / 2) > self.escape_factor * (high - low) / 2))

    def step(self) -> bool:
        """Take one step; return False (and do nothing) once the run has stopped."""
        if self.status != "running":
            return False
        with np.errstate(all="ignore"):
            self.optimizer.update(self._params, {"x": self.gradient})
        x = self._params["x"]
        measured = self._evaluate(x)
        number = self.steps + 1
        if not (np.isfinite(x).all() and all(np.isfinite(m).all() for m in measured)):
            x[...] = self._path[-1]  # keep the last finite point as the current one
            self._stop("diverged", f"diverged at step {number}: the numbers overflowed; the "
                                   f"learning rate {self.lr:.3g} is too large here")
            return True
        self._record(*measured)
        if self._escaped(x):
            self._stop("diverged", f"diverged at step {number}: x left the plotted region by a "
                                   f"factor of {self.escape_factor:g}; the learning rate "
                                   f"{self.lr:.3g} is too large here")
        elif self._grad_norms[-1] < self.grad_tol:
            eigenvalues = np.linalg.eigvalsh(self.landscape.hessian(x))
            self.stationary_kind = stationary_kind(eigenvalues)
            shown = ", ".join(f"{value:.3g}" for value in eigenvalues)
            self._stop("stationary", f"stopped at step {number}: |grad| < {self.grad_tol:g} (a "
                                     f"minimum, a saddle or a plateau); Hessian eigenvalues "
                                     f"{shown}: {_KIND_SENTENCES[self.stationary_kind]}")
        elif number >= self.max_steps:
            self._stop("stopped", f"stopped after max_steps = {self.max_steps} steps")
        return True

    @property
    def steps(self) -> int:
        """Number of steps recorded (the start point is step 0)."""
        return len(self._path) - 1

    @property
    def path(self) -> np.ndarray:
        """Points visited, shape (steps + 1, dim); all finite."""
        return np.array(self._path)

    @property
    def losses(self) -> np.ndarray:
        """f at each point of `path`, shape (steps + 1,)."""
        return np.array(self._losses)

    @property
    def grad_norms(self) -> np.ndarray:
        """|grad f| at each point of `path`, shape (steps + 1,)."""
        return np.array(self._grad_norms)

    @property
    def gaps(self) -> np.ndarray | None:
        """f(x_t) - f(x*) for the global minimum x*, shape (steps + 1,); None without minima."""
        return None if self.optimum is None else self.losses - self.optimum

    @property
    def history(self) -> dict:
        """{"path": (T, dim), "loss": (T,), "grad_norm": (T,)} with T = steps + 1."""
        return {"path": self.path, "loss": self.losses, "grad_norm": self.grad_norms}

    def __repr__(self) -> str:
        return (f"GradientDescentRun({self.landscape.name!r}, {self.optimizer!r}, "
                f"steps={self.steps}, status={self.status!r})")


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
        settings["optimizer"] = _optimizer_name(settings["optimizer"])
        settings.setdefault("lr", suggested_lr(landscape, settings["optimizer"], start))
    return entries


class OptimizerRaceState(_Steps):
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
        self.landscape = _as_landscape(landscape)
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


def _check_network_class(network_class):
    """Fail early, naming what is missing, when a plugged-in class cannot be trained here."""
    if not isinstance(network_class, type):
        raise TypeError(f"network_class: expected a class like TwoLayerNet, got {network_class!r}")
    lacking = [name for name in ("predict", "loss")
               if not callable(getattr(network_class, name, None))]
    if not any(callable(getattr(network_class, name, None))
               for name in ("gradient", "loss_and_gradient")):
        lacking.append("gradient")
    if lacking:
        raise TypeError(f"network_class: expected a class with TwoLayerNet's methods predict, loss "
                        f"and gradient (or loss_and_gradient); {network_class.__name__} lacks "
                        f"{', '.join(lacking)}")
    return network_class


class PlaygroundState(_Status):
    """A two-layer network learning a 2-D toy data set, one optimizer step at a time.

    Parameters
    ----------
    dataset : {"spirals", "xor", "circles", "moons"}
    hidden_size : int
        H, the width of the hidden layer.
    activation : {"relu", "sigmoid", "tanh"}
    optimizer : str
        A name from `course_lib.optimizers.OPTIMIZERS`.
    lr : float, > 0
    n_samples : int
        Size of the data set.
    noise : float, optional
        Noise of the data set; default that of its maker in `course_lib.data`.
    batch_size : int, optional
        Mini-batch size; default None: every step uses the whole data set.
    seed : int
        Seeds the data, the initial weights and the batches: the same seed, the same run.
    holdout : float in [0, 1), default 0
        Fraction of the data set kept out of training, to see how the network does on points it
        never learns from; with 0 every point trains.
    max_steps : int
    divergence_factor : float
        The run counts as diverged when the loss overflows or exceeds this many times the loss
        of the untrained network. (The cross-entropy of a bounded network such as one with tanh
        units may grow without end but never overflow: a far too large learning rate makes it
        oscillate at huge values.)
    network_class : class, default TwoLayerNet
        Any class with TwoLayerNet's interface: built as ``network_class(input_size=2,
        hidden_size=H, output_size=K)`` (plus ``activation=`` and ``seed=`` when its constructor
        takes them), with ``params`` (dict of arrays), ``predict(x) -> scores (N, K)``,
        ``loss(x, t) -> float`` and ``gradient(x, t) -> dict`` or
        ``loss_and_gradient(x, t) -> (float, dict)``.

    Attributes
    ----------
    x : ndarray, shape (N, 2);  t : ndarray, shape (N,) int
        The training points.
    x_holdout : ndarray, shape (M, 2);  t_holdout : ndarray, shape (M,) int
        The held-out points (M = 0 without `holdout`).
    network : the model being trained
    history : dict with lists "loss" and "accuracy" on the training points, one value per step,
        starting with the untrained network (so ``len(history["loss"]) == steps + 1``), and with
        `holdout` also "val_loss" and "val_accuracy" on the held-out points; all finite
    status : {"running", "diverged", "stopped"};  message : str
        Why it stopped, e.g. "diverged at step 4: the loss 31.2 is more than 20 times ...".
    ignored : list of str
        Settings the network class does not take (e.g. "activation"), so the controls say so.
    """

    def __init__(self, dataset: str = "spirals", hidden_size: int = 16, activation: str = "tanh",
                 optimizer: str = "adam", lr: float = 0.02, n_samples: int = 200, noise=None,
                 batch_size: int | None = None, seed: int = 0, max_steps: int = 100_000,
                 divergence_factor: float = 20.0, network_class=TwoLayerNet,
                 holdout: float = 0.0):
        self.dataset = check_choice(dataset, TOY_DATASETS, "dataset")
        self.hidden_size = check_count(hidden_size, "hidden_size")
        self.activation = check_choice(activation, ACTIVATION_LAYERS, "activation")
        self.optimizer = get_optimizer(_optimizer_name(optimizer), lr=lr)
        self.batch_size = None if batch_size is None else check_count(batch_size, "batch_size")
        self.seed, self.max_steps = seed, check_count(max_steps, "max_steps")
        self.divergence_factor = check_positive(divergence_factor, "divergence_factor")
        self.network_class = _check_network_class(network_class)
        extra = {} if noise is None else {"noise": noise}
        holdout = check_positive(holdout, "holdout", allow_zero=True)
        if holdout >= 1:
            raise ValueError(f"holdout: expected a fraction in [0, 1), got {holdout!r}")
        x, t = load_toy(self.dataset, n_samples=check_count(n_samples, "n_samples"), seed=seed,
                        **extra)
        self.n_classes = int(t.max()) + 1
        # without a holdout the points keep their order, so runs stay as they were
        (self.x, self.t), (self.x_holdout, self.t_holdout), _ = (
            train_val_test_split(x, t, val_fraction=holdout, test_fraction=0.0, seed=seed)
            if holdout else ((x, t), (x[:0], t[:0]), None))
        self.reset()

    def _build_network(self):
        parameters = inspect.signature(self.network_class).parameters
        takes_any = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
        optional = {"activation": self.activation, "seed": self.seed}
        self.ignored = [name for name in optional if name not in parameters and not takes_any]
        settings = {name: value for name, value in optional.items() if name not in self.ignored}
        network = self.network_class(input_size=2, hidden_size=self.hidden_size,
                                     output_size=self.n_classes, **settings)
        if not isinstance(getattr(network, "params", None), Mapping):
            raise TypeError(f"network_class: expected {self.network_class.__name__} objects to "
                            f"have a dict `params` of parameter arrays, like TwoLayerNet, got "
                            f"{type(getattr(network, 'params', None)).__name__}")
        return network

    def reset(self) -> None:
        """A freshly initialised network (same seed, same weights) and optimizer."""
        self.network = self._build_network()
        self.optimizer.reset()
        self._rng = np.random.default_rng(self.seed)
        self.history = {"loss": [], "accuracy": []}
        if len(self.x_holdout):
            self.history.update(val_loss=[], val_accuracy=[])
        self._stop("running", "")
        self._record()

    def _record(self) -> None:
        """Append the loss and accuracy on the training (and held-out) points; a loss that is
        not finite is not recorded but stops the run, so the history holds only numbers that can
        be drawn."""
        with np.errstate(all="ignore"):
            measured = self._measure("", self.x, self.t)
            if len(self.x_holdout):
                measured.update(self._measure("val_", self.x_holdout, self.t_holdout))
        loss = measured["loss"]
        for key, what in (("loss", "loss"), ("val_loss", "held-out loss")):
            if key in measured and not np.isfinite(measured[key]):
                self._diverge(f"the {what} became {measured[key]}")
                return
        if self.history["loss"] and loss > self.divergence_factor * self.history["loss"][0]:
            self._diverge(f"the loss {loss:.3g} is more than {self.divergence_factor:g} times its "
                          f"start value {self.history['loss'][0]:.3g}")
            return
        for key, value in measured.items():
            self.history[key].append(value)
        if self.steps >= self.max_steps:
            self._stop("stopped", f"stopped after max_steps = {self.max_steps} steps")

    def _measure(self, prefix: str, x, t) -> dict:
        """The network's loss and accuracy on the points (x, t), named prefix + "loss", ..."""
        return {prefix + "loss": float(self.network.loss(x, t)),
                prefix + "accuracy": float(np.mean(self.predict_classes(x) == t))}

    def _diverge(self, reason: str) -> None:
        self._stop("diverged", f"diverged at step {self.steps + 1}: {reason}; try a smaller "
                               f"learning rate than {self.lr:.3g}, then Reset")

    def _batch(self):
        if self.batch_size is None or self.batch_size >= len(self.x):
            return self.x, self.t
        chosen = self._rng.choice(len(self.x), size=self.batch_size, replace=False)
        return self.x[chosen], self.t[chosen]

    def _gradients(self, x, t) -> dict:
        if hasattr(self.network, "loss_and_gradient"):
            return self.network.loss_and_gradient(x, t)[1]
        return self.network.gradient(x, t)

    def step(self) -> bool:
        """One optimizer step on a batch; return False (and do nothing) once stopped."""
        if self.status != "running":
            return False
        try:
            with np.errstate(all="ignore"):
                grads = self._gradients(*self._batch())
        except FloatingPointError as error:
            self._diverge(str(error))
            return True
        if not all(np.isfinite(np.asarray(g)).all() for g in grads.values()):
            self._diverge("a gradient holds NaN or inf")
            return True
        with np.errstate(all="ignore"):
            self.optimizer.update(self.network.params, grads)
        self._record()
        return True

    def predict_classes(self, x) -> np.ndarray:
        """Predicted class of each point.  x : ndarray, shape (M, 2)  ->  ndarray, shape (M,) int"""
        return np.asarray(self.network.predict(x)).argmax(axis=1)

    @property
    def steps(self) -> int:
        return len(self.history["loss"]) - 1


# --- the widgets -------------------------------------------------------------------------------

DPI = 80
ERROR_COLOR = "#d62728"
MINIMUM_COLOR = "#2ca02c"   # a run that stopped on a minimum the Hessian confirms
WARNING_COLOR = "#ff7f0e"   # a run that stopped on a saddle, a maximum or a flat point


def _log_slider(description: str, value: float, low: int = -4, high: int = 1):
    """A learning-rate slider whose position is log10(value): 1e-4 ... 10 in even steps."""
    return widgets.FloatLogSlider(value=value, base=10, min=low, max=high, step=0.05,
                                  description=description, readout_format=".3g",
                                  continuous_update=False, style={"description_width": "initial"})


def _status_html(status: str, message: str, kind: str | None = None) -> str:
    """The status in colour: red when diverged, green only on a minimum the Hessian confirms,
    orange on any other point with a small gradient (a saddle is not a success)."""
    color = {"diverged": ERROR_COLOR, "stationary": MINIMUM_COLOR if kind == "minimum"
             else WARNING_COLOR}.get(status, "inherit")
    return f'<span style="color:{color}">{html.escape(message or status)}</span>'


def _html_table(header, rows) -> str:
    cells = "".join(f"<th style='padding:0 8px'>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td style='padding:0 8px'>{c}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table style='font-family:monospace'><tr>{cells}</tr>{body}</table>"


def png_bytes(rgb) -> bytes:
    """Encode an image as PNG, quickly: no row filters and the fastest zlib level.

    A PNG file is a signature and chunks (length, 4-letter type, data, CRC-32): IHDR gives
    width, height, bit depth 8 and colour type 2 (RGB); IDAT holds the zlib-compressed rows, each
    led by its filter type (0, none); IEND ends the file. Image libraries try several filters
    per row to shrink the file, which for a plot costs more time than it saves bytes.

    Parameters
    ----------
    rgb : ndarray, shape (H, W, 3), uint8

    Returns
    -------
    bytes
    """
    height, width, _ = rgb.shape
    rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 1:] = rgb.reshape(height, 3 * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", checksum)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows.tobytes(), 1)) + chunk(b"IEND", b""))


class _Tool(widgets.VBox):
    """What the three tools share: the buttons, Play/Pause, the readout and the PNG figure.

    A subclass builds `self.state`, draws it once in `_draw` (passing the artists that change
    from step to step to `_animate`) and moves those artists in `_update`; `_readout_html`
    describes the state in words and numbers.
    """

    frame_steps = 1       # steps per frame while playing
    play_interval = 0.05  # pause between frames, seconds

    def __init__(self, controls, figsize):
        super().__init__()
        # Constrained layout makes room for the tick labels on every full draw, e.g. when a
        # log axis grows from 1e0 to 1e-15.
        self.figure = Figure(figsize=figsize, dpi=DPI, layout="constrained")
        FigureCanvasAgg(self.figure)
        self.image = widgets.Image(format="png")
        self.readout = widgets.HTML()
        self.step_button = widgets.Button(description="Step", icon="step-forward")
        self.run_steps = widgets.BoundedIntText(value=50, min=1, max=100_000, description="N",
                                                layout=widgets.Layout(width="130px"),
                                                style={"description_width": "15px"})
        self.run_button = widgets.Button(description="Run N", icon="forward")
        self.play_button = widgets.Button(description="Play", icon="play")
        self.reset_button = widgets.Button(description="Reset", icon="undo")
        self._lock = threading.RLock()
        self._animated, self._background, self._background_key = [], None, None
        self._player = None
        self._stop_playing = threading.Event()
        self.step_button.on_click(lambda _: self._advance(1))
        self.run_button.on_click(lambda _: self._advance(self.run_steps.value))
        self.play_button.on_click(lambda _: self.pause() if self.playing else self.play())
        self.reset_button.on_click(lambda _: self.reset())
        buttons = widgets.HBox([self.step_button, self.run_steps, self.run_button,
                                self.play_button, self.reset_button])
        self.children = [controls, buttons, self.image, self.readout]
        # CSS classes, so that browser tests (and course styles) can find each part.
        self.add_class("course-tool")
        self.add_class(f"course-{type(self).__name__}")
        self.image.add_class("course-figure")
        self.readout.add_class("course-readout")

    # Subclasses fill these in.
    def _draw(self) -> None:
        raise NotImplementedError

    def _update(self) -> None:
        raise NotImplementedError

    def _readout_html(self) -> str:
        raise NotImplementedError

    def _guarded(self, action, *args) -> None:
        """Run `action` under the lock; show an exception in the readout instead of losing it
        in the kernel log (a student's network class may raise anything)."""
        try:
            with self._lock:
                action(*args)
        except Exception as error:  # noqa: BLE001 - shown to the user, not hidden
            self._stop_playing.set()
            self.readout.value = (f'<b style="color:{ERROR_COLOR}">error: '
                                  f'{html.escape(type(error).__name__)}: '
                                  f'{html.escape(str(error))}</b>')

    def _advance(self, n_steps: int) -> None:
        def advance():
            if self.state.running:
                self.state.run(n_steps)
            self.redraw()
        self._guarded(advance)

    def reset(self) -> None:
        """Stop playing, put the state back at its start and draw the figure afresh."""
        def reset_state():
            self.state.reset()
            return self.state
        self._rebuild(reset_state)

    def _rebuild(self, make_state, raise_errors: bool = False) -> None:
        """Replace the state after a control changed and draw the figure afresh.

        Errors (say, a bad setting) go to the readout, or to the caller with `raise_errors`.
        """
        self.pause()

        def rebuild():
            self.state = make_state()
            self.figure.clear()
            self._animated, self._background_key = [], None
            self._draw()
            self.redraw()
        if raise_errors:
            with self._lock:
                rebuild()
        else:
            self._guarded(rebuild)

    def _animate(self, *artists) -> None:
        """Mark artists that change every step: a full draw leaves them out, `_render` blits
        them."""
        for artist in artists:
            if artist is not None:
                artist.set_animated(True)
                self._animated.append(artist)

    def redraw(self) -> None:
        """Move the drawn artists to the current state, render the PNG, update the readout."""
        with self._lock:
            self._update()
            self.image.value = self._render()
            self.readout.value = self._readout_html()

    def _render(self) -> bytes:
        """The figure as PNG bytes: a full draw when an axis changed its limits or title, else
        the saved background with only the animated artists drawn on top.

        Text is what Agg draws slowest, so titles and legends stay in the background: titles
        change only when a run stops, and then the whole figure is drawn again.
        """
        canvas = self.figure.canvas
        key = [(ax.get_xlim(), ax.get_ylim(), ax.get_title(), ax.title.get_color())
               for ax in self.figure.axes]
        if key != self._background_key:
            canvas.draw()
            self._background, self._background_key = canvas.copy_from_bbox(self.figure.bbox), key
        else:
            canvas.restore_region(self._background)
        for artist in self._animated:
            self.figure.draw_artist(artist)
        return png_bytes(np.asarray(canvas.buffer_rgba())[:, :, :3])

    # Play / Pause
    @property
    def playing(self) -> bool:
        return self._player is not None and self._player.is_alive()

    def play(self) -> None:
        """Step and redraw in a background thread until paused or the state stops."""
        if self.playing:
            return
        self._stop_playing = threading.Event()
        self._player = threading.Thread(target=self._play, args=(self._stop_playing,),
                                        name=f"{type(self).__name__} player", daemon=True)
        self.play_button.description, self.play_button.icon = "Pause", "pause"
        self._player.start()

    def pause(self) -> None:
        """Stop playing and wait for the current frame to finish."""
        self._stop_playing.set()
        player = self._player
        if player is not None and player is not threading.current_thread():
            player.join()
        self.play_button.description, self.play_button.icon = "Play", "play"

    def _play(self, stop: threading.Event) -> None:
        while not stop.is_set() and self.state.running:
            self._advance(self.frame_steps)
            stop.wait(self.play_interval)
        if self._stop_playing is stop:  # not replaced by a newer Play
            self.play_button.description, self.play_button.icon = "Play", "play"


class _LandscapeTool(_Tool):
    """A landscape with the paths of a few runs, their loss curves and a readout per run.

    With ``split_1d`` each run of a 1-D landscape gets its own panel (the stepper's "converges
    beside diverges"); with ``show_gradient`` each current point carries a -grad f arrow.
    """

    split_1d = False
    show_gradient = False

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
        start = _check_start(landscape, start)
        self.start_sliders = [
            widgets.FloatSlider(value=float(value), min=low, max=high, step=(high - low) / 200,
                                continuous_update=False, description=f"start {'xy'[i]}")
            for i, ((low, high), value) in enumerate(zip(landscape.bounds, start))]
        for slider in self.start_sliders:
            slider.observe(self._on_setting, names="value")
        self.start_box.children = self.start_sliders
        return start

    @property
    def _start(self) -> list[float]:
        return [slider.value for slider in self.start_sliders]

    def _on_setting(self, _change) -> None:
        if not self._syncing:
            self._rebuild(self._make_state)

    def _on_surface(self, change) -> None:
        if not self._syncing:
            self._set_landscape(self._surfaces[change["new"]])

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
        for ax, labels in zip(self.landscape_axes, panels):
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
        readout: a title that changed every step would cost a full draw per step)."""
        name = self.state.landscape.name
        if len(runs) == 1 and not runs[0].running:
            how = runs[0].stationary_kind or runs[0].status
            return f"{name}: {how} at step {runs[0].steps}"
        return name

    @staticmethod
    def _update_arrow(arrow, run, ax) -> None:
        """Put the arrow at the current point, pointing along -grad f (downhill). Its length is
        |grad| relative to the largest |grad| of the run so far, times 12% of the panel's width:
        long on steep ground, shrinking as the gradient vanishes."""
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
            point = ", ".join(f"{v:.4g}" for v in run.path[-1])
            rows.append([html.escape(label), run.optimizer_name, f"{run.lr:.3g}", run.steps,
                         f"({point})", f"{run.losses[-1]:.6g}", f"{run.grad_norms[-1]:.3g}",
                         _status_html(run.status, run.message, run.stationary_kind)])
        return _html_table(["run", "optimizer", "lr", "step", "x", "f(x)", "|grad|", "status"],
                           rows)


class GradientDescentStepper(_LandscapeTool):
    """Gradient descent, one step at a time, on a 1-D or 2-D landscape.

    Controls: the surface, the optimizer, the learning rate (log slider), momentum (or beta, for
    the optimizers that have one), the start point; Step, Run N, Play/Pause, Reset. The figure
    shows the path and the -grad f arrow on the contour plot and the loss gap f(x) - f(x*) per
    step on a log scale; the readout gives step, x, f(x) and |grad|.

    On a 1-D landscape there are two runs side by side, A and B, one with each learning rate
    (by default A converges and B diverges, see `diverging_lr`).

    Changing a control starts the run afresh from the start point with the new settings.

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
        landscape = _as_landscape(landscape)
        optimizer = _optimizer_name(optimizer)
        momentum_settings(optimizer, momentum)  # reject a momentum for SGD before building
        self._landscape_controls()
        self.optimizer = widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer,
                                          description="optimizer")
        self.lr = _log_slider("learning rate", 0.1)
        self.compare_lr = _log_slider("learning rate B", 1.0)
        self.momentum = widgets.FloatSlider(value=0.9, min=0.0, max=0.999, step=0.01,
                                            continuous_update=False, description="momentum")
        controls = widgets.VBox([widgets.HBox([self.surface, self.optimizer]),
                                 widgets.HBox([self.lr, self.compare_lr, self.momentum]),
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

    def _default_lrs(self, optimizer: str, start) -> tuple[float, float]:
        """(lr of run A, lr of run B): in 1-D, B diverges and A, 4 times smaller, converges
        (adaptive optimizers, whose steps are about lr long, may not diverge at all)."""
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
        with self._syncing_controls():
            self._set_momentum_control(change["new"], None)
            self.lr.value, self.compare_lr.value = self._default_lrs(change["new"], self._start)
        self._rebuild(self._make_state)


class OptimizerRace(_LandscapeTool):
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
        landscape = _as_landscape(landscape)
        names = [optimizers] if isinstance(optimizers, str) else list(optimizers)
        chosen = [_optimizer_name(name) for name in names]
        lrs = {_optimizer_name(name): check_positive(lr, f"lrs[{name!r}]")
               for name, lr in (lrs or {}).items()}
        self._landscape_controls()
        self.enabled = {name: widgets.Checkbox(value=name in chosen, description=name,
                                               indent=False, layout=widgets.Layout(width="110px"))
                        for name in OPTIMIZERS}
        self.lrs = {name: _log_slider("lr", 0.01) for name in OPTIMIZERS}
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


class NetworkPlayground(_Tool):
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
                                          value=_optimizer_name(optimizer), description="optimizer")
        self.lr = _log_slider("learning rate", first.lr)
        controls = widgets.VBox([widgets.HBox([self.dataset, self.hidden_size, self.activation]),
                                 widgets.HBox([self.optimizer, self.lr])])
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
        self.boundary_axis.set_title(f"{state.dataset}: diverged" if state.diverged
                                     else state.dataset,
                                     color=ERROR_COLOR if state.diverged else "black")

    def _readout_html(self) -> str:
        state = self.state
        rows = [["network", html.escape(state.network_class.__name__)],
                ["step", state.steps],
                ["loss", f"{state.history['loss'][-1]:.4g}"],
                ["accuracy", f"{state.history['accuracy'][-1]:.1%}"]]
        if len(state.x_holdout):
            rows += [["held-out loss", f"{state.history['val_loss'][-1]:.4g}"],
                     ["held-out accuracy", f"{state.history['val_accuracy'][-1]:.1%}"]]
        rows.append(["status", _status_html(state.status, state.message)])
        if state.ignored:
            rows.append(["note", f"{html.escape(state.network_class.__name__)} takes no "
                                 f"{' or '.join(state.ignored)} argument; that control does "
                                 f"nothing"])
        return _html_table(["", ""], rows)


# --- the backward pass, node by node ---------------------------------------------------------

class BackwardPassState(_Steps):
    """The backward pass of one computational graph (`course_lib.autograd`), one node at a time.

    The nodes are taken in reverse topological order. Each step takes the next node, whose
    gradient is then complete, and adds its share (local derivative times its gradient) to each
    of its parents: `course_lib.autograd.pass_to_parents`. After the last step, `grads` is what
    `backpropagate` returns.

    Parameters
    ----------
    root : Value or Tensor

    Attributes
    ----------
    order : list
        The graph's nodes in topological order (root last).
    grads : dict
        node -> gradient collected so far; the root starts with 1.
    current : node or None
        The node of the last step.
    shares : list of (parent, share)
        What the last step gave each parent of `current`.
    """

    def __init__(self, root):
        self.root = root
        self.order = topological_order(root)
        self.reset()

    def reset(self) -> None:
        """Back to the start: only the root has its gradient, 1."""
        self.steps = 0
        self.grads = {self.root: self.root.seed_grad()}
        self.current, self.shares = None, []

    @property
    def running(self) -> bool:
        return self.steps < len(self.order)

    def step(self) -> bool:
        """Let the next node pass its gradient to its parents; False once every node has."""
        if not self.running:
            return False
        self.current = self.order[len(self.order) - 1 - self.steps]
        self.shares = pass_to_parents(self.current, self.grads)
        self.steps += 1
        return True


def _number(value) -> str:
    return f"{float(value):.4g}" if np.ndim(value) == 0 else f"an array of shape {np.shape(value)}"


class BackwardPassStepper(_Tool):
    """Step through the backward pass of a computational graph and watch the gradients arrive.

    The graph is drawn with `course_lib.plotting.plot_graph`: the node of the last step in
    yellow, the gradients collected so far in red. The readout says what the node passed to
    each parent.

    Parameters
    ----------
    graphs : Value or Tensor, or dict name -> Value or Tensor
        The graph (its root) to step through, or several to choose from in a menu.

    Attributes
    ----------
    state : BackwardPassState
    """

    frame_steps = 1
    play_interval = 0.6

    def __init__(self, graphs):
        self._graphs = dict(graphs) if isinstance(graphs, Mapping) else {"graph": graphs}
        if not self._graphs:
            raise ValueError("graphs: expected at least one graph")
        self.graph = widgets.Dropdown(options=list(self._graphs), description="graph")
        super().__init__(widgets.HBox([self.graph]), figsize=(10.0, 4.2))
        self.run_steps.value = 100
        self._rebuild(self._make_state, raise_errors=True)
        self.graph.observe(lambda _: self._rebuild(self._make_state), names="value")

    def _make_state(self) -> BackwardPassState:
        return BackwardPassState(self._graphs[self.graph.value])

    def _draw(self) -> None:
        self.axis = self.figure.subplots()

    def _update(self) -> None:
        # The texts of the nodes change at every step, so the graph is drawn afresh; the title
        # names the step, which makes `_render` draw the whole figure.
        state = self.state
        self.axis.clear()
        plotting.plot_graph(state.root, ax=self.axis, grads=state.grads, highlight=state.current)
        self.axis.set_title(f"backward pass: {state.steps} of {len(state.order)} nodes done")

    def _readout_html(self) -> str:
        state = self.state
        if state.current is None:
            return "Press Step: the root starts with the gradient 1."
        rows = [[html.escape(plotting.node_name(parent)), _number(share)]
                for parent, share in state.shares]
        head = (f"At {html.escape(plotting.node_name(state.current))}: gradient "
                f"{_number(state.grads[state.current])}")
        if not rows:
            return head + ", a leaf: nothing to pass on."
        return head + "; its parents get their shares:" + _html_table(["parent", "share"], rows)
