"""Gradient-based optimizers, learning-rate schedules and Newton's method.

Every optimizer has the same interface (the style of *Deep Learning from Scratch*)::

    opt = Adam(lr=0.001)
    for step in range(n_steps):
        grads = model.gradient(x, t)      # dict: name -> ndarray, like model.params
        opt.update(model.params, grads)   # changes the arrays of model.params in place

State such as a velocity is created lazily, per parameter name, on the first update, so one optimizer
works for any set of parameters. In the formulas below ``w`` is one parameter array, ``g`` its
gradient, ``lr`` the learning rate of this step (``lr * schedule(step)`` with a schedule) and every
operation is elementwise.

Relation to PyTorch (``torch.optim``), which the tests use as an independent reference:

- SGD, AdaGrad, RMSProp, Adam and AdamW (which decays weight matrices only, see `AdamW`) follow the
  same formulas as PyTorch (with PyTorch's defaults ``lr_decay=0``, ``momentum=0``,
  ``centered=False``, ``amsgrad=False``, and ``weight_decay=0`` except in AdamW), and ``eps`` is
  added *outside* the square root, ``g / (sqrt(h) + eps)``, as PyTorch, Keras and Deep Learning
  from Scratch do. (Goodfellow et al. put it inside for RMSProp, ``sqrt(eps + h)``.)
- Momentum and Nesterov use the *velocity form* ``v <- mu v - lr g; w <- w + v``, where PyTorch keeps
  ``b <- mu b + g; w <- w - lr b``. With a constant learning rate ``v = -lr b`` and the two give the
  same steps. With a schedule they differ: the velocity form keeps the momentum of steps taken with
  the old, larger learning rate, PyTorch rescales the whole buffer by the new rate at once.

Each class writes its update as the formula, in its method `formula`. `update` runs the same
update written in place, from `course_lib.optimizers_in_place`, which is faster on large layers;
``in_place=False`` runs the formula itself. The tests check both forms against PyTorch.
"""
from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from course_lib import optimizers_in_place as in_place
from course_lib.regularization import is_decayed
from course_lib.validation import (
    as_float_array,
    check_choice,
    check_count,
    check_positive,
    check_same_shape,
)


def _check_fraction(value, name: str) -> float:
    """Return `value` as a float, raising ValueError unless 0 <= value < 1 (a momentum or decay rate)."""
    number = check_positive(value, name, allow_zero=True)
    if number >= 1:
        raise ValueError(f"{name}: expected a number in [0, 1), got {value!r}")
    return number


def _check_update_arguments(params, grads) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Check every pair before touching any, so a bad gradient leaves all parameters unchanged.

    Returns (key, w, g) triples with g in the dtype of w (float32 parameters stay float32).
    """
    for name, value in (("params", params), ("grads", grads)):
        if not isinstance(value, Mapping):
            raise TypeError(f"{name}: expected a dict of name -> ndarray, got {type(value).__name__}")
    missing = [key for key in params if key not in grads]
    if missing:
        raise ValueError(f"grads: expected a gradient for every key of params {list(params)}, "
                         f"missing {missing}")
    triples = []
    for key, w in params.items():
        if not isinstance(w, np.ndarray) or w.dtype not in (np.float32, np.float64):
            given = f"ndarray of dtype {w.dtype}" if isinstance(w, np.ndarray) else type(w).__name__
            raise TypeError(f"params[{key!r}]: expected a float32 or float64 ndarray "
                            f"(it is updated in place), got {given}")
        g = as_float_array(grads[key], f"grads[{key!r}]")
        check_same_shape(w, g, f"params[{key!r}]", f"grads[{key!r}]")
        triples.append((key, w, g.astype(w.dtype, copy=False)))
    return triples


class Optimizer:
    """Base class: holds the learning rate, the schedule, the step count and the per-parameter state.

    Parameters
    ----------
    lr : float
        Learning rate, > 0.
    schedule : callable, optional
        ``schedule(step) -> factor``; the update number ``step`` (0, 1, 2, ...) uses the learning rate
        ``lr * schedule(step)``. See `StepDecay`, `ExponentialDecay`, `InverseTimeDecay`,
        `CosineDecay`, `Warmup`.
    in_place : bool, default True
        Run the update written in place (`course_lib.optimizers_in_place`); False runs the
        method `formula`, the same update as the blackboard writes it (slower on large layers).

    Attributes
    ----------
    step : int
        Number of `update` calls so far.
    state : dict
        ``state[key][slot]`` is an ndarray shaped like ``params[key]`` (e.g. the velocity).
    """

    def __init__(self, lr: float, schedule=None, in_place: bool = True):
        self.lr = check_positive(lr, "lr")
        if schedule is not None and not callable(schedule):
            raise TypeError(f"schedule: expected a callable step -> factor or None, "
                            f"got {type(schedule).__name__}")
        self.schedule = schedule
        self.in_place = bool(in_place)
        self.reset()

    def reset(self) -> None:
        """Forget all state (velocities, running averages) and set the step count back to 0."""
        self.step = 0
        self.state = {}

    @property
    def current_lr(self) -> float:
        """The learning rate the next update uses: ``lr * schedule(step)``."""
        if self.schedule is None:
            return self.lr
        return self.lr * check_positive(self.schedule(self.step), f"schedule({self.step})")

    def update(self, params: dict, grads: dict) -> None:
        """Take one step: change every array ``params[key]`` in place using ``grads[key]``.

        Parameters
        ----------
        params : dict of str -> ndarray (float32 or float64), any shapes
        grads : dict of str -> ndarray, ``grads[key]`` of the shape of ``params[key]``, finite
            Keys that are not in `params` are ignored.

        Every call counts as one step (Adam's bias correction and the schedule use the count),
        so pass all parameters in each call. All pairs are checked before any array changes.
        """
        lr = self.current_lr
        update_one = self._update_in_place if self.in_place else self.formula
        for key, w, g in _check_update_arguments(params, grads):
            update_one(key, w, g, lr)
        self.step += 1

    def formula(self, key: str, w: np.ndarray, g: np.ndarray, lr: float) -> None:
        """The update of one parameter array `w` (in place) with gradient `g` and rate `lr`."""
        raise NotImplementedError

    def _update_in_place(self, key: str, w: np.ndarray, g: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    def _slots(self, key: str, w: np.ndarray, *names: str) -> list[np.ndarray]:
        """Return the state arrays `names` of parameter `key`, created as zeros like `w` on first use."""
        if key not in self.state:
            self.state[key] = {name: np.zeros_like(w) for name in names}
        slots = [self.state[key][name] for name in names]
        if slots[0].shape != w.shape:
            raise ValueError(f"params[{key!r}]: shape changed from {slots[0].shape} to {w.shape} "
                             f"since the last update; call reset() before optimizing new parameters")
        return slots

    def __repr__(self) -> str:
        names = [n for n in inspect.signature(type(self)).parameters if n != "in_place"]
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)!r}' for n in names)})"


class SGD(Optimizer):
    """Stochastic gradient descent:  ``w <- w - lr g``  (as ``torch.optim.SGD``)."""

    def __init__(self, lr: float = 0.01, schedule=None, in_place: bool = True):
        super().__init__(lr, schedule, in_place)

    def formula(self, key, w, g, lr):
        w -= lr * g

    def _update_in_place(self, key, w, g, lr):
        in_place.sgd(w, g, lr)


class Momentum(Optimizer):
    """SGD with momentum, velocity form::

        v <- mu v - lr g
        w <- w + v

    ``v`` starts at 0, so the first step is a plain SGD step. The velocity is added to ``w`` once;
    adding ``mu v`` again (as some notes do) would be a different, wrong update. PyTorch writes
    ``b <- mu b + g; w <- w - lr b``: the same steps for a constant ``lr`` (``v = -lr b``), different
    ones when a schedule changes ``lr``.

    Parameters
    ----------
    lr : float, > 0
    momentum : float in [0, 1)
        ``mu``, the fraction of the velocity kept from one step to the next.
    schedule : callable, optional
    in_place : bool, default True
        See `Optimizer`.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9, schedule=None,
                 in_place: bool = True):
        super().__init__(lr, schedule, in_place)
        self.momentum = _check_fraction(momentum, "momentum")

    def formula(self, key, w, g, lr):
        (v,) = self._slots(key, w, "velocity")
        v[...] = self.momentum * v - lr * g
        w += v

    def _update_in_place(self, key, w, g, lr):
        in_place.momentum(w, g, *self._slots(key, w, "velocity"), lr, self.momentum)


class Nesterov(Momentum):
    """Nesterov accelerated gradient, velocity form (Sutskever et al. 2013, rewritten so that the
    gradient is taken at the current ``w``)::

        v <- mu v - lr g
        w <- w + mu v - lr g

    i.e. a momentum step followed by a look-ahead of ``mu v``. PyTorch (``nesterov=True``) writes
    ``b <- mu b + g; w <- w - lr (g + mu b)``: the same steps for a constant ``lr``, different ones
    under a schedule (see `Momentum`).

    Parameters
    ----------
    lr : float, > 0
    momentum : float in [0, 1)
    schedule : callable, optional
    in_place : bool, default True
        See `Optimizer`.
    """

    def formula(self, key, w, g, lr):
        (v,) = self._slots(key, w, "velocity")
        v[...] = self.momentum * v - lr * g
        w += self.momentum * v - lr * g

    def _update_in_place(self, key, w, g, lr):
        in_place.nesterov(w, g, *self._slots(key, w, "velocity"), lr, self.momentum)


class AdaGrad(Optimizer):
    """AdaGrad: each weight's step shrinks with the sum of its squared gradients::

        r <- r + g^2
        w <- w - lr g / (sqrt(r) + eps)

    As ``torch.optim.Adagrad`` with ``lr_decay=0, initial_accumulator_value=0``.

    Parameters
    ----------
    lr : float, > 0
    eps : float, > 0
        Keeps the division finite while ``r`` is 0.
    schedule : callable, optional
    in_place : bool, default True
        See `Optimizer`.
    """

    def __init__(self, lr: float = 0.01, eps: float = 1e-8, schedule=None,
                 in_place: bool = True):
        super().__init__(lr, schedule, in_place)
        self.eps = check_positive(eps, "eps")

    def formula(self, key, w, g, lr):
        (r,) = self._slots(key, w, "sum_sq_grad")
        r += g * g
        w -= lr * g / (np.sqrt(r) + self.eps)

    def _update_in_place(self, key, w, g, lr):
        in_place.adagrad(w, g, *self._slots(key, w, "sum_sq_grad"), lr, self.eps)


class RMSProp(Optimizer):
    """RMSProp: AdaGrad with a moving average of squared gradients, so old gradients are forgotten::

        r <- rho r + (1 - rho) g^2
        w <- w - lr g / (sqrt(r) + eps)

    As ``torch.optim.RMSprop`` with ``alpha=rho, momentum=0, centered=False`` (the same defaults
    for ``rho`` and ``eps``; PyTorch's default ``lr`` is 0.01). ``r`` starts at 0 and, unlike
    Adam's, is not bias-corrected: the first step is ``lr / sqrt(1 - rho)`` in each coordinate
    (10 lr for rho = 0.99), and the steps settle to about ``lr * g / rms(g)`` only after some
    ``1 / (1 - rho)`` updates.

    Parameters
    ----------
    lr : float, > 0
    decay : float in [0, 1)
        ``rho``, the weight of the old average.
    eps : float, > 0
    schedule : callable, optional
    in_place : bool, default True
        See `Optimizer`.
    """

    def __init__(self, lr: float = 0.001, decay: float = 0.99, eps: float = 1e-8, schedule=None,
                 in_place: bool = True):
        super().__init__(lr, schedule, in_place)
        self.decay = _check_fraction(decay, "decay")
        self.eps = check_positive(eps, "eps")

    def formula(self, key, w, g, lr):
        (r,) = self._slots(key, w, "mean_sq_grad")
        r[...] = self.decay * r + (1 - self.decay) * g * g
        w -= lr * g / (np.sqrt(r) + self.eps)

    def _update_in_place(self, key, w, g, lr):
        in_place.rmsprop(w, g, *self._slots(key, w, "mean_sq_grad"), lr, self.decay, self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015): momentum on the gradient plus RMSProp's scaling, bias-corrected::

        m <- b1 m + (1 - b1) g            (first moment: average gradient)
        r <- b2 r + (1 - b2) g^2          (second moment: average squared gradient)
        m_hat = m / (1 - b1^t),  r_hat = r / (1 - b2^t)      (t = step + 1)
        w <- w - lr m_hat / (sqrt(r_hat) + eps)

    As ``torch.optim.Adam`` (``amsgrad=False``). The correction undoes the pull of ``m, r = 0``
    towards zero during the first steps.

    Parameters
    ----------
    lr : float, > 0
    beta1, beta2 : float in [0, 1)
    eps : float, > 0
    schedule : callable, optional
    in_place : bool, default True
        See `Optimizer`.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8, schedule=None, in_place: bool = True):
        super().__init__(lr, schedule, in_place)
        self.beta1 = _check_fraction(beta1, "beta1")
        self.beta2 = _check_fraction(beta2, "beta2")
        self.eps = check_positive(eps, "eps")

    def formula(self, key, w, g, lr):
        m, r = self._slots(key, w, "mean_grad", "mean_sq_grad")
        b1, b2, t = self.beta1, self.beta2, self.step + 1
        m[...] = b1 * m + (1 - b1) * g
        r[...] = b2 * r + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        r_hat = r / (1 - b2 ** t)
        w -= lr * m_hat / (np.sqrt(r_hat) + self.eps)

    def _update_in_place(self, key, w, g, lr):
        m, r = self._slots(key, w, "mean_grad", "mean_sq_grad")
        in_place.adam(w, g, m, r, lr, self.beta1, self.beta2, self.eps, self.step + 1)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter 2019)::

        w <- w - lr * weight_decay * w          (shrink the weights, outside the gradient)
        w <- w - lr m_hat / (sqrt(v_hat) + eps)  (the Adam step of the loss gradient alone)

    L2 weight decay adds ``weight_decay * w`` to the gradient instead. With plain SGD the two are
    the same update; with Adam they are not: the L2 term passes through Adam's division by
    ``sqrt(v_hat)``, so a weight with large gradients is hardly decayed and one with tiny gradients
    is decayed hard. AdamW shrinks every weight by the same fraction ``lr * weight_decay`` per step.

    As ``torch.optim.AdamW`` (``amsgrad=False``), except that only weight matrices are decayed,
    not biases (`course_lib.regularization.is_decayed`), which torch does with two parameter
    groups.

    Parameters
    ----------
    lr : float, > 0
    weight_decay : float, >= 0
        Fraction of each weight removed per step, divided by lr (PyTorch's default is 0.01).
    beta1, beta2 : float in [0, 1)
    eps : float, > 0
    schedule : callable, optional
        Scales the decay too: the shrinking uses the step's learning rate.
    in_place : bool, default True
        See `Optimizer`.
    """

    def __init__(self, lr: float = 0.001, weight_decay: float = 0.01, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, schedule=None, in_place: bool = True):
        super().__init__(lr, beta1, beta2, eps, schedule, in_place)
        self.weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)

    def formula(self, key, w, g, lr):
        self._decay(w, lr)
        super().formula(key, w, g, lr)

    def _update_in_place(self, key, w, g, lr):
        self._decay(w, lr)
        super()._update_in_place(key, w, g, lr)

    def _decay(self, w, lr):
        """w <- w - lr weight_decay w, for weight matrices only (not biases)."""
        if is_decayed(w):
            w *= 1 - lr * self.weight_decay


# Learning-rate decay: callables step -> factor, passed as `schedule=` to any optimizer.

@dataclass(frozen=True)
class StepDecay:
    """Multiply the learning rate by `factor` every `every` steps:  ``factor ** (step // every)``.

    As ``torch.optim.lr_scheduler.StepLR(step_size=every, gamma=factor)``.
    """

    every: int
    factor: float

    def __post_init__(self):
        if isinstance(self.every, bool) or not isinstance(self.every, (int, np.integer)) or self.every < 1:
            raise ValueError(f"every: expected a whole number of steps >= 1, got {self.every!r}")
        if check_positive(self.factor, "factor") > 1:
            raise ValueError(f"factor: expected a number in (0, 1], got {self.factor!r}")

    def __call__(self, step: int) -> float:
        return float(self.factor) ** (step // self.every)


@dataclass(frozen=True)
class ExponentialDecay:
    """Shrink the learning rate by the same ratio every step:  ``rate ** step``.

    As ``torch.optim.lr_scheduler.ExponentialLR(gamma=rate)``.
    """

    rate: float

    def __post_init__(self):
        if check_positive(self.rate, "rate") > 1:
            raise ValueError(f"rate: expected a number in (0, 1], got {self.rate!r}")

    def __call__(self, step: int) -> float:
        return float(self.rate) ** step


@dataclass(frozen=True)
class InverseTimeDecay:
    """Learning rate proportional to 1 / time:  ``1 / (1 + k step)``.

    ``AdaGrad(lr, schedule=InverseTimeDecay(k))`` equals ``torch.optim.Adagrad(lr, lr_decay=k)``.
    """

    k: float

    def __post_init__(self):
        check_positive(self.k, "k", allow_zero=True)

    def __call__(self, step: int) -> float:
        return 1.0 / (1.0 + float(self.k) * step)


@dataclass(frozen=True)
class CosineDecay:
    """Lower the learning rate along half a cosine, from 1 to `min_factor` over `total_steps`::

        min_factor + (1 - min_factor) (1 + cos(pi step / total_steps)) / 2

    and `min_factor` after that. Slow at first, fastest in the middle, slow again at the end.
    As ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=total_steps, eta_min=min_factor * lr)``
    for steps up to T_max (torch's curve then rises again, a restart; this one stays down). With
    the default min_factor = 0 the factor reaches 0 at total_steps, so train for at most
    total_steps updates (steps 0 to total_steps - 1).
    """

    total_steps: int
    min_factor: float = 0.0

    def __post_init__(self):
        check_count(self.total_steps, "total_steps", 1)
        if check_positive(self.min_factor, "min_factor", allow_zero=True) > 1:
            raise ValueError(f"min_factor: expected a number in [0, 1], got {self.min_factor!r}")

    def __call__(self, step: int) -> float:
        progress = min(step, self.total_steps) / self.total_steps
        return self.min_factor + (1 - self.min_factor) * (1 + math.cos(math.pi * progress)) / 2


@dataclass(frozen=True)
class Warmup:
    """Raise the learning rate linearly during the first `steps` updates, then follow `then`::

        (step + 1) / steps          for step < steps       (1/steps, 2/steps, ..., 1)
        then(step - steps)          after (1 when then is None)

    so the schedule after the warm-up starts at its own step 0. In the first steps Adam's second
    moment and the weights themselves are still far from typical values; small steps keep the
    first updates from throwing the network somewhere bad. ``Warmup(w, CosineDecay(T - w))`` is
    the usual warm-up then cosine, as torch's
    ``SequentialLR([LinearLR(start_factor=1/w, total_iters=w - 1), CosineAnnealingLR(T - w)],
    milestones=[w])``.
    """

    steps: int
    then: object = None

    def __post_init__(self):
        check_count(self.steps, "steps", 1)
        if self.then is not None and not callable(self.then):
            raise TypeError(f"then: expected a schedule (a callable step -> factor) or None, "
                            f"got {type(self.then).__name__}")

    def __call__(self, step: int) -> float:
        if step < self.steps:
            return (step + 1) / self.steps
        return 1.0 if self.then is None else float(self.then(step - self.steps))


def newton_step(x, grad, hessian) -> np.ndarray:
    """One Newton-Raphson step:  ``x_new = x - H^{-1} g``.

    For a quadratic loss (e.g. linear regression with mean squared error) this lands on the
    minimum in one step, whatever the conditioning.

    Parameters
    ----------
    x : float or ndarray, shape (D,)
        Current point.
    grad : ndarray, shape of x
        Gradient of the loss at `x`.
    hessian : ndarray, shape (D, D) (or a number when x is a number)
        Matrix of second derivatives at `x`; must be invertible.

    Returns
    -------
    ndarray, shape and dtype of x
        The new point (x itself is not changed).
    """
    x = as_float_array(x, "x", ndim=(0, 1))
    g = as_float_array(grad, "grad")
    check_same_shape(x, g, "x", "grad")
    h = as_float_array(hessian, "hessian")
    n = x.size
    if h.shape != (n, n) and not (x.ndim == 0 and h.ndim == 0):
        raise ValueError(f"hessian: expected shape {(n, n)} for x of shape {x.shape}, got {h.shape}")
    h = h.reshape(n, n)
    singular_values = np.linalg.svd(h, compute_uv=False)
    if singular_values[-1] <= singular_values[0] * n * np.finfo(h.dtype).eps:
        raise ValueError(f"hessian: expected an invertible matrix, got a singular one (singular values "
                         f"{np.array2string(singular_values, precision=3)}); the loss is flat along some "
                         f"direction, so the Newton step -H^-1 grad is undefined")
    step = np.linalg.solve(h, g.reshape(n))
    return (x - step.reshape(x.shape)).astype(x.dtype, copy=False)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov,
              "adagrad": AdaGrad, "rmsprop": RMSProp, "adam": Adam, "adamw": AdamW}


def get_optimizer(name: str, **kwargs) -> Optimizer:
    """Build an optimizer by name, e.g. ``get_optimizer("adam", lr=0.01)``.

    Raises ValueError for an unknown name or hyper-parameter, listing the valid ones.
    """
    key = name.lower() if isinstance(name, str) else name
    optimizer_class = OPTIMIZERS[check_choice(key, OPTIMIZERS, "name")]
    accepted = list(inspect.signature(optimizer_class).parameters)
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise ValueError(f"{key}: unknown hyper-parameter(s) {', '.join(unknown)}; "
                         f"expected some of {', '.join(accepted)}")
    return optimizer_class(**kwargs)
