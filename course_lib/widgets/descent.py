"""One optimizer walking on one landscape (`GradientDescentRun`), and what the Hessian says
where it stops.
"""
from __future__ import annotations

import numpy as np

from course_lib.optimizers import get_optimizer
from course_lib.validation import check_count, check_positive
from course_lib.widgets.readout import compact
from course_lib.widgets.settings import as_landscape, check_start, optimizer_name
from course_lib.widgets.stepping import Status


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


class GradientDescentRun(Status):
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
        self.landscape = as_landscape(landscape)
        self.optimizer_name = optimizer_name(optimizer)
        self.optimizer = get_optimizer(self.optimizer_name, lr=lr, **hyperparams)
        self.max_steps = check_count(max_steps, "max_steps")
        self.grad_tol = check_positive(grad_tol, "grad_tol")
        self.escape_factor = check_positive(escape_factor, "escape_factor")
        self.start = check_start(self.landscape, start)
        minima = list(getattr(self.landscape, "minima", []))
        # f at the global minimum, so the loss curve can show the gap f(x) - f(x*) on a log scale.
        self.optimum = min(float(self.landscape.f(m)) for m in minima) if minima else None
        self.reset()

    def reset(self, start=None) -> None:
        """Go back to the start point (a new one if given), forgetting the optimizer's state."""
        if start is not None:
            self.start = check_start(self.landscape, start)
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
                                   f"learning rate {compact(self.lr, 3)} is too large here")
            return True
        self._record(*measured)
        if self._escaped(x):
            self._stop("diverged", f"diverged at step {number}: x left the plotted region by a "
                                   f"factor of {compact(self.escape_factor)}; the learning rate "
                                   f"{compact(self.lr, 3)} is too large here")
        elif self._grad_norms[-1] < self.grad_tol:
            eigenvalues = np.linalg.eigvalsh(self.landscape.hessian(x))
            self.stationary_kind = stationary_kind(eigenvalues)
            shown = ", ".join(compact(value, 3) for value in eigenvalues)
            self._stop("stationary", f"stopped at step {number}: |grad| < "
                                     f"{compact(self.grad_tol)} (a "
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
