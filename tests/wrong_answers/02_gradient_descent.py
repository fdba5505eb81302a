"""Typical wrong answers, and correct answers written differently, for 02_gradient_descent.

grade_id of the answer cell -> {"wrong": {description: cell source}, "correct": {...}};
optional "tests": the test cells that grade it (default: test_<grade_id>). Read by
tests/test_wrong_answers.py, which runs each source in place of the answer cell.
"""

from grading_tools import with_mistake

# Correct answers that several wrong answers below change in one place each.
GRADIENT_DESCENT = '''
def gradient_descent(grad, x0, lr, n_steps):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(n_steps):
        x = x - lr * grad(x)
        path.append(x)
    return np.array(path)
'''

GRADIENT_DESCENT_UNTIL = '''
def gradient_descent_until(grad, x0, lr, tol=1e-6, max_steps=10_000):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(max_steps):
        g = grad(x)
        if np.linalg.norm(g) < tol:
            break
        x = x - lr * g
        path.append(x)
    return np.array(path)
'''

ANSWERS = {
    "gradient_descent": {
        "wrong": {
            "gradient ascent (steps with the gradient)": with_mistake(
                GRADIENT_DESCENT, "x = x - lr * grad(x)", "x = x + lr * grad(x)"),
            "forgets to record the start point": with_mistake(GRADIENT_DESCENT, "path = [x]", "path = []"),
            "records before each step, so the last point is missing (as in the notes)": '''
def gradient_descent(grad, x0, lr, n_steps):
    x = np.array(x0, dtype=float)
    path = []
    for _ in range(n_steps):
        path.append(x.copy())
        x -= lr * grad(x)
    return np.array(path)
''',
            "appends the same array, updated in place (every entry aliases the last point)": with_mistake(
                GRADIENT_DESCENT, "x = x - lr * grad(x)", "x -= lr * grad(x)"),
            "updates x0 itself instead of a copy": '''
def gradient_descent(grad, x0, lr, n_steps):
    x = x0
    path = [x.copy()]
    for _ in range(n_steps):
        x -= lr * grad(x)
        path.append(x.copy())
    return np.array(path)
''',
            "one step too few": with_mistake(GRADIENT_DESCENT, "range(n_steps)", "range(n_steps - 1)"),
            "returns only the last point": '''
def gradient_descent(grad, x0, lr, n_steps):
    x = np.array(x0, dtype=float)
    for _ in range(n_steps):
        x = x - lr * grad(x)
    return x
''',
        },
        "correct": {
            "a preallocated array filled row by row": '''
def gradient_descent(grad, x0, lr, n_steps):
    x0 = np.asarray(x0, dtype=float)
    path = np.empty((n_steps + 1,) + x0.shape)
    path[0] = x0
    for t in range(n_steps):
        path[t + 1] = path[t] - lr * grad(path[t].copy())
    return path
''',
            "in-place updates with a copy for each entry": '''
def gradient_descent(grad, x0, lr, n_steps):
    x = x0.copy()
    history = [x0.copy()]
    for step in range(n_steps):
        g = grad(x)
        x -= lr * g
        history.append(x.copy())
    return np.stack(history)
''',
            "a while loop over a list of copies": '''
def gradient_descent(grad, x0, lr, n_steps):
    points = [np.copy(x0)]
    while len(points) <= n_steps:
        points.append(points[-1] - lr * grad(np.copy(points[-1])))
    return np.array(points)
''',
        },
    },
    "largest_stable_lr": {
        "wrong": {
            "1 / lambda_max (the best step for one curvature, not the border)": '''
def largest_stable_lr(hessian):
    return float(1 / np.linalg.eigvalsh(np.atleast_2d(hessian)).max())
''',
            "2 / lambda_min (the flattest direction)": '''
def largest_stable_lr(hessian):
    return float(2 / np.linalg.eigvalsh(np.atleast_2d(hessian)).min())
''',
            "2 / the largest diagonal entry": '''
def largest_stable_lr(hessian):
    return float(2 / np.max(np.diag(np.atleast_2d(hessian))))
''',
            "2 / the largest entry": '''
def largest_stable_lr(hessian):
    return float(2 / np.max(hessian))
''',
            "2 / the trace (the sum of the eigenvalues)": '''
def largest_stable_lr(hessian):
    return float(2 / np.trace(np.atleast_2d(hessian)))
''',
            "2 / the largest absolute row sum (a bound, exact only for some matrices)": '''
def largest_stable_lr(hessian):
    h = np.atleast_2d(hessian)
    return float(2 / np.abs(h).sum(axis=1).max())
''',
        },
        "correct": {
            "2 / the spectral norm (equal to lambda_max for a positive definite matrix)": '''
def largest_stable_lr(hessian):
    return 2.0 / np.linalg.norm(np.atleast_2d(hessian), 2)
''',
            "general eigenvalues and a special case for numbers": '''
def largest_stable_lr(hessian):
    if np.ndim(hessian) == 0:
        return 2.0 / hessian
    lam = np.linalg.eigvals(hessian).real
    return 2.0 / lam.max()
''',
            "the largest singular value": '''
def largest_stable_lr(hessian):
    h = np.array(hessian, dtype=float, ndmin=2)
    return float(2 / np.linalg.svd(h, compute_uv=False)[0])
''',
        },
    },
    "gradient_descent_until": {
        "wrong": {
            "gradient ascent": with_mistake(GRADIENT_DESCENT_UNTIL, "x = x - lr * g", "x = x + lr * g"),
            "tests only after a step, so it always steps once": '''
def gradient_descent_until(grad, x0, lr, tol=1e-6, max_steps=10_000):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(max_steps):
        x = x - lr * grad(x)
        path.append(x)
        if np.linalg.norm(grad(x)) < tol:
            break
    return np.array(path)
''',
            "stops on the size of the step lr * |g| instead of |g|": '''
def gradient_descent_until(grad, x0, lr, tol=1e-6, max_steps=10_000):
    x = np.array(x0, dtype=float)
    path = [x]
    for _ in range(max_steps):
        step = lr * grad(x)
        if np.linalg.norm(step) < tol:
            break
        x = x - step
        path.append(x)
    return np.array(path)
''',
            "sums the gradient instead of taking its norm": with_mistake(
                GRADIENT_DESCENT_UNTIL, "np.linalg.norm(g) < tol", "abs(np.sum(g)) < tol"),
            "ignores max_steps (a diverging run never ends)": '''
def gradient_descent_until(grad, x0, lr, tol=1e-6, max_steps=10_000):
    x = np.array(x0, dtype=float)
    path = [x]
    while not np.linalg.norm(grad(x)) < tol:
        x = x - lr * grad(x)
        path.append(x)
    return np.array(path)
''',
            "forgets the start point": with_mistake(GRADIENT_DESCENT_UNTIL, "path = [x]", "path = []"),
            "appends the same array, updated in place": with_mistake(
                GRADIENT_DESCENT_UNTIL, "x = x - lr * g", "x -= lr * g"),
            "returns the last point instead of the path": '''
def gradient_descent_until(grad, x0, lr, tol=1e-6, max_steps=10_000):
    x = np.array(x0, dtype=float)
    for _ in range(max_steps):
        g = grad(x)
        if np.linalg.norm(g) < tol:
            break
        x = x - lr * g
    return x
''',
        },
        "correct": {
            "a while loop that counts the steps": '''
def gradient_descent_until(grad, x0, lr, tol=1e-6, max_steps=10_000):
    x = x0.copy()
    history = [x0.copy()]
    steps = 0
    g = grad(x)
    while steps < max_steps and np.sqrt(np.sum(g ** 2)) >= tol:
        x -= lr * g
        history.append(x.copy())
        steps += 1
        g = grad(x)
    return np.stack(history)
''',
            "a for loop over the step number with an early return": '''
def gradient_descent_until(grad, x0, lr, tol=1e-6, max_steps=10_000):
    points = [np.asarray(x0, dtype=float)]
    for t in range(max_steps):
        g = grad(points[t])
        if np.linalg.norm(g.ravel()) < tol:
            return np.array(points)
        points.append(points[t] - lr * g)
    return np.array(points)
''',
        },
    },
}
