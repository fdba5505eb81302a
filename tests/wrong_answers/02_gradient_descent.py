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

LARGEST_STABLE_LR = '''
def largest_stable_lr(hessian):
    H = np.atleast_2d(np.asarray(hessian, dtype=float))
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError(f"the Hessian must be a number or a square matrix, got shape {H.shape}")
    if not np.allclose(H, H.T):
        raise ValueError("the Hessian must be symmetric")
    eigenvalues = np.linalg.eigvalsh(H)
    if eigenvalues.min() <= 0:
        raise ValueError("the Hessian is not positive definite")
    return float(2 / eigenvalues.max())
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
            "returns the path as a list": with_mistake(GRADIENT_DESCENT, "return np.array(path)", "return path"),
            "copies x0 but updates in place (an integer start cannot take the steps)": '''
def gradient_descent(grad, x0, lr, n_steps):
    x = x0.copy()
    path = [x.copy()]
    for _ in range(n_steps):
        x -= lr * grad(x)
        path.append(x.copy())
    return np.array(path)
''',
            "a preallocated path for 1-D starts only": '''
def gradient_descent(grad, x0, lr, n_steps):
    path = np.zeros((n_steps + 1, len(x0)))
    path[0] = x0
    for t in range(n_steps):
        path[t + 1] = path[t] - lr * grad(path[t])
    return path
''',
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
        "tests": ["test_largest_stable_lr_value", "test_largest_stable_lr_checks"],
        "wrong": {
            "1 / lambda_max (the best step for one curvature, not the border)": with_mistake(
                LARGEST_STABLE_LR, "return float(2 / eigenvalues.max())", "return float(1 / eigenvalues.max())"),
            "2 / lambda_min (the flattest direction)": with_mistake(
                LARGEST_STABLE_LR, "return float(2 / eigenvalues.max())", "return float(2 / eigenvalues.min())"),
            "2 / the largest diagonal entry": with_mistake(
                LARGEST_STABLE_LR, "return float(2 / eigenvalues.max())", "return float(2 / np.diag(H).max())"),
            "2 / the trace (the sum of the eigenvalues)": with_mistake(
                LARGEST_STABLE_LR, "return float(2 / eigenvalues.max())", "return float(2 / np.trace(H))"),
            "2 / the largest absolute row sum (a bound, exact only for some matrices)": with_mistake(
                LARGEST_STABLE_LR, "return float(2 / eigenvalues.max())",
                "return float(2 / np.abs(H).sum(axis=1).max())"),
            "returns a numpy float": with_mistake(
                LARGEST_STABLE_LR, "return float(2 / eigenvalues.max())", "return 2 / eigenvalues.max()"),
            "checks nothing (a number for any matrix)": '''
def largest_stable_lr(hessian):
    return float(2 / np.linalg.eigvalsh(np.atleast_2d(hessian)).max())
''',
            "no symmetry check (eigvalsh reads one triangle only)": with_mistake(
                LARGEST_STABLE_LR, "if not np.allclose(H, H.T):", "if False:"),
            "positive definite judged by the diagonal entries": with_mistake(
                LARGEST_STABLE_LR, "if eigenvalues.min() <= 0:", "if np.diag(H).min() <= 0:"),
            "a zero eigenvalue let through (< 0 instead of <= 0)": with_mistake(
                LARGEST_STABLE_LR, "if eigenvalues.min() <= 0:", "if eigenvalues.min() < 0:"),
        },
        "correct": {
            "Cholesky decides positive definiteness (its LinAlgError is a ValueError)": '''
def largest_stable_lr(hessian):
    H = np.array(hessian, dtype=float, ndmin=2)
    if H.ndim != 2 or H.shape[0] != H.shape[1] or not np.allclose(H, H.T):
        raise ValueError("the Hessian must be a square symmetric matrix")
    np.linalg.cholesky(H)  # raises LinAlgError, a ValueError, if H is not positive definite
    return 2.0 / float(np.linalg.norm(H, 2))
''',
            "general eigenvalues and a special case for numbers": '''
def largest_stable_lr(hessian):
    if np.ndim(hessian) == 0:
        if hessian <= 0:
            raise ValueError(f"the curvature {hessian} is not positive")
        return 2.0 / float(hessian)
    H = np.asarray(hessian, dtype=float)
    if H.ndim != 2 or H.shape[0] != H.shape[1]:
        raise ValueError("not a square matrix")
    if np.abs(H - H.T).max() > 1e-8 * np.abs(H).max():
        raise ValueError("not symmetric")
    lam = np.linalg.eigvals(H).real
    if lam.min() <= 0:
        raise ValueError("not positive definite")
    return 2.0 / float(lam.max())
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
            "computes one gradient more than needed when max_steps ends the run": '''
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
            "forgets the start point": with_mistake(GRADIENT_DESCENT_UNTIL, "path = [x]", "path = []"),
            "computes the gradient twice per step": with_mistake(
                GRADIENT_DESCENT_UNTIL, "x = x - lr * g", "x = x - lr * grad(x)"),
            "returns the path as a list": with_mistake(GRADIENT_DESCENT_UNTIL, "return np.array(path)", "return path"),
            "stops when the norm is at most tol (<= instead of <)": with_mistake(
                GRADIENT_DESCENT_UNTIL, "if np.linalg.norm(g) < tol:", "if np.linalg.norm(g) <= tol:"),
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
    x = np.array(x0, dtype=float)
    history = [x.copy()]
    steps = 0
    while steps < max_steps:
        g = grad(x)
        if np.sqrt(np.sum(g ** 2)) < tol:
            break
        x -= lr * g
        history.append(x.copy())
        steps += 1
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
