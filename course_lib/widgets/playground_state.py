"""A two-layer network learning a 2-D toy data set, one step at a time (`PlaygroundState`)."""
from __future__ import annotations

import inspect
from collections.abc import Mapping

import numpy as np

from course_lib.data import TOY_DATASETS, load_toy, train_val_test_split
from course_lib.network import ACTIVATION_LAYERS, TwoLayerNet
from course_lib.optimizers import get_optimizer
from course_lib.validation import check_choice, check_count, check_positive
from course_lib.widgets.readout import compact
from course_lib.widgets.settings import optimizer_name
from course_lib.widgets.stepping import Status


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


class PlaygroundState(Status):
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
        self.optimizer = get_optimizer(optimizer_name(optimizer), lr=lr)
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
        be drawn.
        """
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
            self._diverge(f"the loss {compact(loss, 3)} is more than "
                          f"{compact(self.divergence_factor)} times its start value "
                          f"{compact(self.history['loss'][0], 3)}")
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
                               f"learning rate than {compact(self.lr, 3)}, then Reset")

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
