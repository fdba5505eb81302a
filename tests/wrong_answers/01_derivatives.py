"""Typical wrong answers, and correct answers written differently, for 01_derivatives.

grade_id of the answer cell -> {"wrong": {description: cell source}, "correct": {...}};
optional "tests": the test cells that grade it (default: test_<grade_id>). Read by
tests/test_wrong_answers.py, which runs each source in place of the answer cell.
"""

from grading_tools import with_mistake

# A correct answer that several wrong answers below change in one place each.
NUMERICAL_GRADIENT = '''
def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = f(x)
            x[index] = original - h
            f_minus = f(x)
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
'''

ANSWERS = {
    "numerical_derivative": {
        "wrong": {
            "forward difference": '''
def numerical_derivative(f, x, h=1e-4):
    return (f(x + h) - f(x)) / h
''',
            "backward difference": '''
def numerical_derivative(f, x, h=1e-4):
    return (f(x) - f(x - h)) / h
''',
            "central difference without the 2": '''
def numerical_derivative(f, x, h=1e-4):
    return (f(x + h) - f(x - h)) / h
''',
            "the two terms swapped (wrong sign)": '''
def numerical_derivative(f, x, h=1e-4):
    return (f(x - h) - f(x + h)) / (2 * h)
''',
            "ignores the step h it is given": '''
def numerical_derivative(f, x, h=1e-4):
    step = 1e-4
    return (f(x + step) - f(x - step)) / (2 * step)
''',
            "a far too small step": '''
def numerical_derivative(f, x, h=1e-4):
    h = 1e-13
    return (f(x + h) - f(x - h)) / (2 * h)
''',
            "precedence slip: divides by 2 and then multiplies by h": '''
def numerical_derivative(f, x, h=1e-4):
    return (f(x + h) - f(x - h)) / 2 * h
''',
        },
        "correct": {
            "divides by 2 and by h separately": '''
def numerical_derivative(f, x, h=1e-4):
    return (f(x + h) - f(x - h)) / 2 / h
''',
            "the average of the forward and backward differences": '''
def numerical_derivative(f, x, h=1e-4):
    forward = (f(x + h) - f(x)) / h
    backward = (f(x) - f(x - h)) / h
    return (forward + backward) / 2
''',
            "named intermediate values and a float result": '''
def numerical_derivative(f, x, h=1e-4):
    right = f(x + h)
    left = f(x - h)
    return float((right - left) / (h + h))
''',
        },
    },
    "tangent_line": {
        "wrong": {
            "the secant through a - h and a + h (np.polyfit): its intercept is not the tangent's": '''
def tangent_line(f, a, h=1e-4):
    slope, intercept = np.polyfit([a - h, a + h], [f(a - h), f(a + h)], 1)
    return slope, intercept
''',
            "the intercept is f(a)": '''
def tangent_line(f, a, h=1e-4):
    slope = gradient.numerical_derivative(f, a, h)
    return slope, f(a)
''',
            "the intercept has the wrong sign": '''
def tangent_line(f, a, h=1e-4):
    slope = gradient.numerical_derivative(f, a, h)
    return slope, f(a) + slope * a
''',
            "returns (intercept, slope)": '''
def tangent_line(f, a, h=1e-4):
    slope = gradient.numerical_derivative(f, a, h)
    return f(a) - slope * a, slope
''',
            "returns only the slope": '''
def tangent_line(f, a, h=1e-4):
    return gradient.numerical_derivative(f, a, h)
''',
            "a forward-difference slope": '''
def tangent_line(f, a, h=1e-4):
    slope = (f(a + h) - f(a)) / h
    return slope, f(a) - slope * a
''',
        },
        "correct": {
            "its own central difference": '''
def tangent_line(f, a, h=1e-4):
    slope = (f(a + h) - f(a - h)) / (2 * h)
    return slope, f(a) - slope * a
''',
            "evaluates the tangent at x = 0 for the intercept, returns a list": '''
def tangent_line(f, a, h=1e-4):
    slope = gradient.numerical_derivative(f, a, h)
    def tangent(x):
        return f(a) + slope * (x - a)
    return [slope, tangent(0.0)]
''',
        },
    },
    "numerical_gradient": {
        "wrong": {
            "forgets to restore x": '''
def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f(x)
        x[index] = original - h
        f_minus = f(x)
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
''',
            "restores x only when f does not raise": '''
def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + h
        f_plus = f(x)
        x[index] = original - h
        f_minus = f(x)
        x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
''',
            "perturbs a copy of x (f reading x itself sees nothing)": '''
def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        shifted = x.copy()
        shifted[index] += h
        f_plus = f(shifted)
        shifted[index] -= 2 * h
        f_minus = f(shifted)
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
''',
            "only works for 1-D arrays": with_mistake(
                NUMERICAL_GRADIENT, "for index in np.ndindex(x.shape):", "for index in range(len(x)):"),
            "forward difference": '''
def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    f_x = f(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            grad[index] = (f(x) - f_x) / h
        finally:
            x[index] = original
    return grad
''',
            "returns float64 for float32 input": with_mistake(
                NUMERICAL_GRADIENT, "grad = np.zeros_like(x)", "grad = np.zeros(x.shape)"),
            # The last line of the loop moves into the try, followed by `except Exception: pass`.
            "swallows the error that f raises": with_mistake(
                NUMERICAL_GRADIENT,
                "        finally:\n"
                "            x[index] = original\n"
                "        grad[index] = (f_plus - f_minus) / (2 * h)\n",
                "            grad[index] = (f_plus - f_minus) / (2 * h)\n"
                "        except Exception:\n"
                "            pass\n"
                "        finally:\n"
                "            x[index] = original\n"),
        },
        "correct": {
            "np.nditer with multi_index and a plain float copy of each element": '''
def numerical_gradient(f, x, h=1e-4):
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        i = it.multi_index
        keep = float(x[i])
        try:
            x[i] = keep + h
            up = f(x)
            x[i] = keep - h
            down = f(x)
        finally:
            x[i] = keep
        grad[i] = (up - down) / (2 * h)
        it.iternext()
    return grad
''',
            "flat positions turned into indices with np.unravel_index": '''
def numerical_gradient(f, x, h=1e-4):
    grad = np.empty_like(x)
    for position in range(x.size):
        index = np.unravel_index(position, x.shape)
        saved = x[index].copy()
        try:
            x[index] += h
            f_plus = f(x)
            x[index] -= 2 * h
            f_minus = f(x)
        finally:
            x[index] = saved
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad
''',
        },
    },
    "directional_derivative": {
        "wrong": {
            "does not normalise v": '''
def directional_derivative(f, x, v, h=1e-4):
    return float(gradient.numerical_gradient(f, x, h) @ v)
''',
            "divides by the squared length of v": '''
def directional_derivative(f, x, v, h=1e-4):
    return float(gradient.numerical_gradient(f, x, h) @ v / np.sum(v**2))
''',
            "returns the gradient instead of a slope": '''
def directional_derivative(f, x, v, h=1e-4):
    return gradient.numerical_gradient(f, x, h)
''',
            "returns the length of the gradient": '''
def directional_derivative(f, x, v, h=1e-4):
    return float(np.linalg.norm(gradient.numerical_gradient(f, x, h)))
''',
            "steps backwards along v": '''
def directional_derivative(f, x, v, h=1e-4):
    u = v / np.linalg.norm(v)
    return (f(x - h * u) - f(x + h * u)) / (2 * h)
''',
            "one direction only: float() of K slopes fails": '''
def directional_derivative(f, x, v, h=1e-4):
    if np.linalg.norm(v) == 0:
        raise ValueError("v has length zero")
    return float(gradient.numerical_gradient(f, x, h) @ (v / np.linalg.norm(v)))
''',
            "divides every direction by the norm of the whole matrix": '''
def directional_derivative(f, x, v, h=1e-4):
    v = np.asarray(v, dtype=float)
    if v.shape[-1] != len(x) or v.ndim > 2 or np.any(np.linalg.norm(v, axis=-1) == 0):
        raise ValueError("bad direction v")
    slopes = (v / np.linalg.norm(v)) @ gradient.numerical_gradient(f, x.astype(float), h)
    return float(slopes) if v.ndim == 1 else slopes
''',
            "normalises the columns of the matrix, not its rows": '''
def directional_derivative(f, x, v, h=1e-4):
    v = np.asarray(v, dtype=float)
    if v.shape[-1] != len(x) or v.ndim > 2 or np.any(np.linalg.norm(v, axis=-1) == 0):
        raise ValueError("bad direction v")
    slopes = (v / np.linalg.norm(v, axis=0)) @ gradient.numerical_gradient(f, x.astype(float), h)
    return float(slopes) if v.ndim == 1 else slopes
''',
            "no check for a zero direction (0 / 0 gives nan)": '''
def directional_derivative(f, x, v, h=1e-4):
    v = np.asarray(v, dtype=float)
    slopes = (v / np.linalg.norm(v, axis=-1, keepdims=True)) @ gradient.numerical_gradient(f, x.astype(float), h)
    return float(slopes) if v.ndim == 1 else slopes
''',
            "calls a short direction zero (a tolerance instead of exactly zero)": '''
def directional_derivative(f, x, v, h=1e-4):
    v = np.asarray(v, dtype=float)
    if v.shape[-1] != len(x) or v.ndim > 2:
        raise ValueError("v has the wrong shape")
    lengths = np.linalg.norm(v, axis=-1, keepdims=True)
    if np.any(lengths < 1e-6):
        raise ValueError("v has a direction of length zero")
    slopes = (v / lengths) @ gradient.numerical_gradient(f, x.astype(float), h)
    return float(slopes) if v.ndim == 1 else slopes
''',
            "no shape check (a 3-D v gives a matrix of slopes)": '''
def directional_derivative(f, x, v, h=1e-4):
    v = np.asarray(v, dtype=float)
    lengths = np.linalg.norm(v, axis=-1, keepdims=True)
    if np.any(lengths == 0):
        raise ValueError("v has a direction of length zero")
    slopes = (v / lengths) @ gradient.numerical_gradient(f, x.astype(float), h)
    return float(slopes) if v.ndim == 1 else slopes
''',
            "a 1x4 matrix of directions returns a number, not an array of one slope": '''
def directional_derivative(f, x, v, h=1e-4):
    v = np.asarray(v, dtype=float)
    if v.shape[-1] != len(x) or v.ndim > 2:
        raise ValueError("v has the wrong shape")
    lengths = np.linalg.norm(v, axis=-1, keepdims=True)
    if np.any(lengths == 0):
        raise ValueError("v has a direction of length zero")
    slopes = (v / lengths) @ gradient.numerical_gradient(f, x.astype(float), h)
    return slopes.item() if slopes.size == 1 else slopes
''',
            "normalises v in place (the caller's directions change)": '''
def directional_derivative(f, x, v, h=1e-4):
    if v.shape[-1] != len(x) or v.ndim > 2:
        raise ValueError("v has the wrong shape")
    lengths = np.linalg.norm(v, axis=-1, keepdims=True)
    if np.any(lengths == 0):
        raise ValueError("v has a direction of length zero")
    v /= lengths
    slopes = v @ gradient.numerical_gradient(f, x.astype(float), h)
    return float(slopes) if v.ndim == 1 else slopes
''',
            "ignores the step h it is given": '''
def directional_derivative(f, x, v, h=1e-4):
    v = np.asarray(v, dtype=float)
    if v.shape[-1] != len(x) or v.ndim > 2:
        raise ValueError("v has the wrong shape")
    lengths = np.linalg.norm(v, axis=-1, keepdims=True)
    if np.any(lengths == 0):
        raise ValueError("v has a direction of length zero")
    slopes = (v / lengths) @ gradient.numerical_gradient(f, x.astype(float))
    return float(slopes) if v.ndim == 1 else slopes
''',
        },
        "correct": {
            "a central difference along each unit direction, one row at a time": '''
def directional_derivative(f, x, v, h=1e-4):
    x = x.astype(float)
    rows = np.atleast_2d(v).astype(float)
    if v.ndim > 2 or rows.shape[1] != x.shape[0]:
        raise ValueError(f"v must have shape {x.shape} or (K, {x.shape[0]}), not {v.shape}")
    slopes = []
    for row in rows:
        length = np.sqrt(row @ row)
        if length == 0:
            raise ValueError("v holds a zero direction")
        u = row / length
        slopes.append((f(x + h * u) - f(x - h * u)) / (2 * h))
    return float(slopes[0]) if v.ndim == 1 else np.array(slopes)
''',
            "np.einsum and a hand-made norm": '''
def directional_derivative(f, x, v, h=1e-4):
    d = np.asarray(v) * 1.0
    if d.ndim == 0 or d.ndim > 2 or d.shape[-1] != x.size:
        raise ValueError("v: wrong shape " + str(d.shape))
    norms = np.sqrt(np.einsum("...i,...i->...", d, d))
    if (norms == 0).any():
        raise ValueError("v: a zero direction")
    g = gradient.numerical_gradient(f, x.copy().astype(np.float64), h)
    result = np.einsum("...i,i->...", d, g) / norms
    return result.item() if d.ndim == 1 else result
''',
        },
    },
}
