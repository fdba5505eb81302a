"""Numerical derivatives and gradients, and how to check an analytic gradient against them.

A derivative is the limit of a difference quotient. With a small but finite step h we get an
approximation whose error has two sources: truncation (h is not 0) and round-off (f(x + h) and
f(x - h) are nearly equal, so their difference loses digits). The central difference

    f'(x) ~ (f(x + h) - f(x - h)) / (2h)

has truncation error O(h^2); the forward and backward differences only O(h).

A gradient check compares a gradient derived by hand (or by backpropagation) with the numerical one,
element by element. Element i passes when

    |analytic_i - numerical_i| <= atol + rtol * max(|analytic_i|, |numerical_i|),

with atol scaled to the gradient: a fixed fraction of its largest element plus the round-off that
dividing f's last digits by h leaves in every numerical derivative (noise(f) / h, where noise(f) is
measured: see `function_noise`). A purely
relative error would call a correct but tiny element wrong, because the numerical gradient's error
does not shrink with the element. Differences a little above that line (up to `SUSPICIOUS_BAND` times
it) are suspicious; beyond it the gradient is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from course_lib.language import _
from course_lib.validation import (
    as_float_array,
    check_choice,
    check_count,
    check_finite,
    check_positive,
    check_same_shape,
)

DIFFERENCE_METHODS = ("central", "forward", "backward")


@dataclass(frozen=True)
class CheckStandard:
    """The defaults of a gradient check for one floating-point precision.

    Attributes
    ----------
    h : float
        Step of the central difference: balances truncation (~h^2) against round-off (~eps/h).
    rtol : float
        Allowed relative difference of an element.
    atol_scale : float
        Allowed absolute difference as a fraction of the gradient's largest element.
    roundoff : float
        Allowed absolute difference in units of noise(f) / h, the round-off of a central difference.
    eps : float
        Machine epsilon of the precision: noise(f) is at least eps * |f|.
    """

    h: float
    rtol: float
    atol_scale: float
    roundoff: float
    eps: float


# Chosen by measurement (tests/test_gradient.py): every correct gradient of hundreds of random
# smooth networks passes; a factor or a sign fails, and one element 1 % off never passes (it fails
# where the element stands well above the numerical noise), in float64.
STANDARDS = {
    "float64": CheckStandard(h=1e-5, rtol=1e-6, atol_scale=1e-8, roundoff=30.0,
                             eps=float(np.finfo(np.float64).eps)),
    "float32": CheckStandard(h=5e-3, rtol=1e-3, atol_scale=1e-5, roundoff=10.0,
                             eps=float(np.finfo(np.float32).eps)),
}
SUSPICIOUS_BAND = 100.0  # up to this many times the allowed difference: SUSPICIOUS, beyond: FAIL
MAX_DIAGNOSED = 100      # elements over the line examined for a kink or a too large step


def _scalar_value(value) -> float:
    """Return f's result as a float, with a clear error when f returned an array."""
    if np.ndim(value) != 0:
        raise TypeError(f"f: expected f(x) to return a scalar, "
                        f"got an array of shape {np.shape(value)}")
    return float(value)


def numerical_derivative(f, x, h=1e-4, method="central") -> float:
    """Approximate the derivative f'(x) of a function of one variable by a difference quotient.

    Parameters
    ----------
    f : callable
        Function of one real number returning a real number.
    x : float
        Point at which to differentiate.
    h : float, default 1e-4
        Step size, > 0.
    method : {"central", "forward", "backward"}
        central:  (f(x + h) - f(x - h)) / (2h),  error O(h^2)
        forward:  (f(x + h) - f(x)) / h,         error O(h)
        backward: (f(x) - f(x - h)) / h,         error O(h)

    Returns
    -------
    float
    """
    x = float(as_float_array(x, "x", ndim=0))
    h = check_positive(h, "h")
    check_choice(method, DIFFERENCE_METHODS, "method")
    if method == "central":
        return (_scalar_value(f(x + h)) - _scalar_value(f(x - h))) / (2 * h)
    if method == "forward":
        return (_scalar_value(f(x + h)) - _scalar_value(f(x))) / h
    return (_scalar_value(f(x)) - _scalar_value(f(x - h))) / h


def _moved(f, x: np.ndarray, index: tuple, step: float) -> tuple[float, float]:
    """f with x[index] moved by `step` in place (and put back, even when f raises).

    Returns f's value and the step actually taken: in float32, x + h is rounded, and dividing by
    the rounded step instead of h removes that error from the difference quotient.
    """
    original = x[index]  # a numpy scalar: a copy, not a view
    try:
        x[index] = original + step
        taken = float(x[index]) - float(original)
        value = _scalar_value(f(x))
    finally:
        x[index] = original
    return value, taken


def _writable_point(x) -> np.ndarray:
    """x itself when f may read it through a closure (a float ndarray), else a float64 copy."""
    if not (isinstance(x, np.ndarray) and x.dtype in (np.float32, np.float64)):
        x = as_float_array(x, "x")
    check_finite(x, "x")
    return x


def numerical_gradient(f, x, h=1e-4) -> np.ndarray:
    """Approximate the gradient of a scalar function f at x by central differences.

    Each element x[i] is moved to x[i] + h and x[i] - h IN PLACE, one element at a time, so `f` may
    read x through its argument or through a closure (e.g. a network's parameter arrays). The
    element is always put back afterwards, even when `f` raises.

        grad[i] = (f(x + h e_i) - f(x - h e_i)) / (2h)

    Parameters
    ----------
    f : callable
        f(x) -> float.
    x : ndarray, any shape (0-d included), float32 or float64
        Point at which to differentiate. Other input (lists, integers) is first copied to a float64
        array; then only f's argument sees the perturbation.
    h : float, default 1e-4
        Step size, > 0. In float32 the round-off error is about 1e-7 * |f| / h, so gradient checks
        are best done in float64.

    Returns
    -------
    grad : ndarray, same shape and dtype as x
    """
    h = check_positive(h, "h")
    x = _writable_point(x)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        f_plus, up = _moved(f, x, index, h)
        f_minus, down = _moved(f, x, index, -h)
        grad[index] = (f_plus - f_minus) / (up - down)
    return grad


# Coefficients of the 6th difference; their squares sum to 924.
_SIXTH_DIFFERENCE = np.array([1.0, -6.0, 15.0, -20.0, 15.0, -6.0, 1.0])


def function_noise(f, x, step, directions=3, seed=0) -> float:
    """Estimate the round-off noise in computed values of f near x (its standard deviation).

    f is evaluated at 7 equally spaced points x + j * step * p (j = -3 ... 3) along a few random
    unit directions p. For a smooth f the 6th difference of those values is about step^6 times f's
    6th derivative, nothing for a small step; what remains is the rounding error of each value,
    and 6th difference / sqrt(924) estimates its size (the idea of Moré and Wild's ECnoise). A
    loss whose value is small while its parts are large (a confident classifier: log-sum-exp of
    large scores) has far more noise than eps * |f|, and a central difference divides it by h.

    Parameters
    ----------
    f : callable
        f(x) -> float; x is moved in place and put back, as in `numerical_gradient`.
    x : ndarray, float32 or float64
    step : float
        Spacing of the points, > 0; much smaller than the step of the difference quotient, so that
        a kink of f is rarely inside the probe.
    directions : int, default 3
        How many random directions to probe; the largest estimate is returned.
    seed : int, default 0

    Returns
    -------
    float
    """
    rng = np.random.default_rng(seed)
    original = x.copy()
    largest = 0.0
    try:
        for _ in range(directions):
            p = rng.standard_normal(x.shape)
            p /= max(float(np.linalg.norm(p)), 1e-300)
            values = []
            for j in range(-3, 4):
                x[...] = original + j * step * p
                values.append(_scalar_value(f(x)))
            largest = max(largest, abs(float(_SIXTH_DIFFERENCE @ values)) / np.sqrt(924.0))
    finally:
        x[...] = original
    return largest


def relative_error(a, b) -> np.ndarray:
    """Elementwise relative error between two arrays of the same shape.

        rel_error = |a - b| / max(|a| + |b|, 1e-12)

    The result lies in [0, 1]: 0 when a == b, 1 when the two have opposite signs or one is 0 and
    the other is not. It is informative for elements of about the gradient's own size; for a tiny
    element, the round-off of a numerical gradient alone makes it large (`gradient_check` therefore
    uses a mixed criterion).

    Parameters
    ----------
    a, b : ndarray, same shape

    Returns
    -------
    ndarray, same shape as a
    """
    a = as_float_array(a, "a")
    b = as_float_array(b, "b")
    check_same_shape(a, b, "a", "b")
    return np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-12)


def max_relative_error(a, b) -> float:
    """Largest elementwise `relative_error` between a and b (0.0 for empty arrays)."""
    return float(relative_error(a, b).max(initial=0.0))


@dataclass
class GradientCheckResult:
    """Outcome of `gradient_check`; truthy only for PASS, printed as a report.

    Attributes
    ----------
    verdict : {"PASS", "SUSPICIOUS", "FAIL"}
        PASS: every checked element within its allowed difference (with the step h / 10 where h
        was too large). SUSPICIOUS: some element up to `SUSPICIOUS_BAND` times over it, or over it
        only next to a kink. FAIL: some element further over.
    max_error_ratio : float
        Largest |analytic - numerical| / allowed over the elements that nothing explains
        (<= 1 passes).
    max_relative_error : float
        Largest `relative_error` over the checked elements, for comparison with other tools.
    worst : list of (index, analytic, numerical, difference, allowed, note)
        The elements furthest over their allowed difference, worst first; index is a tuple of
        ints; note is "kink", "step" (see `gradient_check`) or "".
    n_checked, n_elements : int
        How many elements were compared, of how many.
    kinks, steps : int
        Elements over the line explained by a kink of f, or by a step h too large.
    rtol, atol, h : float
        The criterion and step the check used; precision names its defaults.
    precision : str
    numerical : ndarray, shape of the gradient
        The numerical gradient; NaN where an element was not checked.
    """

    verdict: str
    max_error_ratio: float
    max_relative_error: float
    worst: list = field(default_factory=list)
    n_checked: int = 0
    n_elements: int = 0
    kinks: int = 0
    steps: int = 0
    rtol: float = STANDARDS["float64"].rtol
    atol: float = 0.0
    h: float = STANDARDS["float64"].h
    precision: str = "float64"
    numerical: np.ndarray | None = field(default=None, repr=False)

    @property
    def passed(self) -> bool:
        return self.verdict == "PASS"

    def __bool__(self) -> bool:
        return self.passed

    def summary(self) -> str:
        """One line: the verdict and what it rests on."""
        checked = (_("{checked} of {size} elements") if self.n_checked < self.n_elements
                   else _("all {size} elements")).format(checked=self.n_checked,
                                                         size=self.n_elements)
        if self.verdict == "PASS":
            text = (_("every element agrees ({steps} only as the step shrinks)") if self.steps
                    else _("every element agrees")).format(steps=self.steps)
        elif self.verdict == "FAIL":
            text = _("the gradient is wrong")
        elif self.max_error_ratio > 1:
            text = _("some elements are a little off")
        else:
            text = _("agrees except where the numerical gradient is unreliable")
        return _("Gradient check {verdict}: {text} (worst unexplained difference {ratio} x "
                 "allowed; {checked}; {precision}, h = {h})").format(
                     verdict=self.verdict, text=text, ratio=f"{self.max_error_ratio:.2g}",
                     checked=checked, precision=self.precision, h=f"{self.h:g}")

    def __str__(self) -> str:
        lines = [self.summary(),
                 _("  allowed: |analytic - numerical| <= {atol} + {rtol} * "
                   "max(|analytic|, |numerical|)").format(atol=f"{self.atol:.2g}",
                                                          rtol=f"{self.rtol:g}")]
        if self.verdict == "SUSPICIOUS" and self.max_error_ratio > 1:
            lines.append(_("  some elements differ by more than round-off and truncation explain, "
                           "but by less than {band} x: a small mistake (a term left out?), or a "
                           "bug in a few elements only").format(band=f"{SUSPICIOUS_BAND:g}"))
        if self.kinks:
            lines.append(_("  kink: {count} element(s) lie within h of a point where f is not "
                           "smooth (a ReLU or max input within h of its corner); the slopes on "
                           "the two sides differ and your value equals one of them, so the "
                           "numerical gradient, not your value, is off there. Move x off the kink "
                           "to check it.").format(count=self.kinks))
        if self.steps:
            lines.append(_("  step: {count} element(s) agree only as the step shrinks (h / 10 "
                           "misses by 30 x less, or not at all): f bends too fast there for h = "
                           "{h}, or has a kink between h / 10 and h away; they count as "
                           "agreeing.").format(count=self.steps, h=f"{self.h:g}"))
        if self.worst:
            lines.append(f"  {'index':<14}{'analytic':>15}{'numerical':>15}{'difference':>12}"
                         f"{'allowed':>10}")
        for index, analytic, numerical, difference, allowed, note in self.worst:
            lines.append(f"  {str(index):<14}{analytic:>15.8g}{numerical:>15.8g}{difference:>12.2e}"
                         f"{allowed:>10.1e}  {note}".rstrip())
        return "\n".join(lines)


def _diagnose(f, x, index, h, analytic, allowed) -> str:
    """Why element `index` may be over its allowed difference without a mistake: "kink", "step" or "".

    "step" means the element agrees in the limit of small steps; "kink" that no step can check it.

    When the central difference with h / 10 agrees with `analytic`, or misses it by 30 times less
    (truncation error is O(h^2); a mistake's difference does not shrink), the step was too large
    for how fast f bends there, or a kink lies between h / 10 and h away: "step". Otherwise, when
    the forward and backward slopes differ by far more than allowed, still differ with h / 10
    (where f is smooth they differ by h |f''|, ten times less), and `analytic` equals one of them,
    x[index] lies within h of a kink (ReLU or max with an input near its corner), where the slope
    jumps and a central difference mixes the two sides: "kink".
    """
    def slopes(step):
        f_at_x, _ = _moved(f, x, index, 0.0)
        f_plus, up = _moved(f, x, index, step)
        f_minus, down = _moved(f, x, index, -step)
        return (f_plus - f_at_x) / up, (f_at_x - f_minus) / -down, (f_plus - f_minus) / (up - down)

    forward, backward, central = slopes(h)
    small_forward, small_backward, small_central = slopes(h / 10)
    # truncation error shrinks 100-fold with h / 10; a mistake's difference stays as it is
    miss, small_miss = abs(analytic - central), abs(analytic - small_central)
    if small_miss <= allowed or 30 * small_miss <= miss:
        return "step"
    # where f is smooth, forward - backward = h f'' shrinks tenfold with h / 10; a jump does not
    jump, small_jump = abs(forward - backward), abs(small_forward - small_backward)
    one_sided = (forward, backward, small_forward, small_backward)
    if jump > 10 * allowed and small_jump > 0.2 * jump and \
            min(abs(analytic - slope) for slope in one_sided) <= SUSPICIOUS_BAND * allowed:
        return "kink"
    return ""


def gradient_check(f, x, analytic, h=None, *, rtol=None, atol=None, precision=None, sample=None,
                   seed=0, n_worst=5) -> GradientCheckResult:
    """Compare an analytic gradient of f at x with the numerical gradient, element by element.

    Element i is within the allowed difference when

        |analytic_i - numerical_i| <= atol + rtol * max(|analytic_i|, |numerical_i|).

    Parameters
    ----------
    f : callable
        f(x) -> float (x is perturbed in place, see `numerical_gradient`).
    x : ndarray, any shape
    analytic : ndarray, same shape as x
        The gradient to check.
    h : float, optional
        Step of the central difference; default from `precision` (1e-5 in float64, 1e-2 in
        float32).
    rtol : float, optional
        Relative tolerance; default 1e-6 (float64) or 1e-2 (float32).
    atol : float, optional
        Absolute tolerance. Default: scaled to the gradient, atol_scale * max|g| plus
        roundoff * noise(f) / h (see `STANDARDS` and `function_noise`; noise(f) is at least
        eps * |f|), so a tiny but correct element passes.
    precision : {"float64", "float32"}, optional
        Which defaults to use; default float32 when x is a float32 array, else float64. float32
        keeps 7 digits, so its check can only catch mistakes of more than about 1 %.
    sample : int, optional
        Check only this many elements, drawn at random without repeats (for a large parameter,
        where each element costs two evaluations of f). Default: every element.
    seed : int or None, default 0
        Seed of the random sample.
    n_worst : int, default 5
        How many of the worst elements to report.

    Returns
    -------
    GradientCheckResult
        Truthy when the verdict is PASS; print it for a report with the worst elements.
    """
    analytic = as_float_array(analytic, "analytic")
    check_same_shape(analytic, x, "analytic", "x")
    check_finite(analytic, "analytic")
    x = _writable_point(x)
    if precision is None:
        precision = "float32" if x.dtype == np.float32 else "float64"
    standard = STANDARDS[check_choice(precision, STANDARDS, "precision")]
    h = standard.h if h is None else check_positive(h, "h")
    rtol = standard.rtol if rtol is None else check_positive(rtol, "rtol", allow_zero=True)
    n_worst = check_count(n_worst, "n_worst", minimum=0)
    flat = np.arange(x.size)
    if sample is not None and check_count(sample, "sample") < x.size:
        flat = np.sort(np.random.default_rng(seed).choice(x.size, size=sample, replace=False))

    indices = [np.unravel_index(i, x.shape) for i in flat]
    plus = [_moved(f, x, index, h) for index in indices]
    minus = [_moved(f, x, index, -h) for index in indices]
    f_plus, up = np.array(plus, dtype=np.float64).reshape(-1, 2).T
    f_minus, down = np.array(minus, dtype=np.float64).reshape(-1, 2).T
    numerical = (f_plus - f_minus) / (up - down)
    check_finite(numerical, "numerical gradient (f gave NaN or inf near x)")
    claimed = analytic.astype(np.float64).ravel()[flat]

    if atol is None:
        largest = float(np.max(np.maximum(np.abs(claimed), np.abs(numerical)), initial=0.0))
        f_scale = float(np.max(np.maximum(np.abs(f_plus), np.abs(f_minus)), initial=0.0))
        # the probe's step: far below h, but large enough for x's own dtype to resolve
        probe = max(h / 1000, 16 * float(np.finfo(x.dtype).eps) * float(np.abs(x).max(initial=1.0)))
        noise = max(function_noise(f, x, probe), standard.eps * f_scale)
        atol = standard.atol_scale * largest + standard.roundoff * noise / h
    atol = check_positive(atol, "atol", allow_zero=True)
    difference = np.abs(claimed - numerical)
    allowed = atol + rtol * np.maximum(np.abs(claimed), np.abs(numerical))
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(difference == 0, 0.0, difference / allowed)

    notes = [""] * flat.size
    over = np.flatnonzero(ratio > 1)
    for k in over[np.argsort(-ratio[over], kind="stable")][:MAX_DIAGNOSED]:
        notes[k] = _diagnose(f, x, indices[k], h, claimed[k], allowed[k])
    explained = np.array([bool(note) for note in notes], dtype=bool)
    worst_ratio = float(np.where(explained, 0.0, ratio).max(initial=0.0))
    if worst_ratio > SUSPICIOUS_BAND:
        verdict = "FAIL"
    elif worst_ratio > 1 or "kink" in notes:
        verdict = "SUSPICIOUS"
    else:
        verdict = "PASS"

    # stable sort: equal ratios keep index order
    worst = [(tuple(int(i) for i in indices[k]), float(claimed[k]), float(numerical[k]),
              float(difference[k]), float(allowed[k]), notes[k])
             for k in np.argsort(-ratio, kind="stable")[:n_worst]]
    full = np.full(x.size, np.nan)
    full[flat] = numerical
    return GradientCheckResult(
        verdict=verdict, max_error_ratio=worst_ratio,
        max_relative_error=max_relative_error(claimed, numerical), worst=worst,
        n_checked=int(flat.size), n_elements=int(x.size), kinks=notes.count("kink"),
        steps=notes.count("step"), rtol=rtol, atol=atol, h=h, precision=precision, numerical=full.reshape(x.shape))
