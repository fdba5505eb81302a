"""Typical wrong answers, and correct answers written differently, for 03_linear_regression.

grade_id of the answer cell -> {"wrong": {description: cell source}, "correct": {...}};
optional "tests": the test cells that grade it (default: test_<grade_id>). Read by
tests/test_wrong_answers.py, which runs each source in place of the answer cell.
"""

from grading_tools import with_mistake

# Correct answers that several wrong answers below change in one place each.
LINEAR_MSE_AND_GRAD = '''
def linear_mse_and_grad(x, A, t):
    residuals = A @ x - t
    loss = float(np.mean(residuals ** 2))
    grad = 2 * A.T @ residuals / len(t)
    return loss, grad
'''

NORMAL_EQUATIONS = '''
def normal_equations(A, t):
    if np.linalg.matrix_rank(A) < A.shape[1]:
        raise ValueError("the columns of A are not independent")
    return np.linalg.solve(A.T @ A, A.T @ t)
'''

FIT_GRADIENT_DESCENT = '''
def fit_gradient_descent(A, t, lr, n_steps, x0=None):
    x = np.zeros(A.shape[1]) if x0 is None else np.array(x0, dtype=float)
    losses = [mean_squared_error(A @ x, t)]
    for _ in range(n_steps):
        x = x - lr * A.T @ mean_squared_error_grad(A @ x, t)
        losses.append(mean_squared_error(A @ x, t))
    return x, np.array(losses)
'''

ANSWERS = {
    "linear_mse_and_grad": {
        "tests": ["test_linear_mse_and_grad_loss", "test_linear_mse_and_grad_grad"],
        "wrong": {
            "sum instead of mean in the loss": with_mistake(
                LINEAR_MSE_AND_GRAD, "loss = float(np.mean(residuals ** 2))",
                "loss = float(np.sum(residuals ** 2))"),
            "the norm instead of its square": with_mistake(
                LINEAR_MSE_AND_GRAD, "loss = float(np.mean(residuals ** 2))",
                "loss = float(np.linalg.norm(residuals) / len(t))"),
            "the loss as a 1-element array": with_mistake(
                LINEAR_MSE_AND_GRAD, "loss = float(np.mean(residuals ** 2))",
                "loss = np.mean(residuals ** 2, keepdims=True)"),
            "gradient without the factor 2": with_mistake(
                LINEAR_MSE_AND_GRAD, "grad = 2 * A.T @ residuals / len(t)",
                "grad = A.T @ residuals / len(t)"),
            "gradient without the division by N": with_mistake(
                LINEAR_MSE_AND_GRAD, "grad = 2 * A.T @ residuals / len(t)",
                "grad = 2 * A.T @ residuals"),
            "gradient divided by D instead of N": with_mistake(
                LINEAR_MSE_AND_GRAD, "grad = 2 * A.T @ residuals / len(t)",
                "grad = 2 * A.T @ residuals / len(x)"),
            "residuals the other way round: t - Ax (gradient of the wrong sign)": with_mistake(
                LINEAR_MSE_AND_GRAD, "residuals = A @ x - t", "residuals = t - A @ x"),
            "residuals summed over the points before multiplying by A^T": with_mistake(
                LINEAR_MSE_AND_GRAD, "grad = 2 * A.T @ residuals / len(t)",
                "grad = 2 * A.sum(axis=0) * residuals.mean()"),
            "only works for two columns (a, b) written out": '''
def linear_mse_and_grad(x, A, t):
    a, b = x
    residuals = a * A[:, 0] + b - t
    grad = np.array([2 * np.mean(residuals * A[:, 0]), 2 * np.mean(residuals)])
    return float(np.mean(residuals ** 2)), grad
''',
            "updates x in place while computing (changes the input)": '''
def linear_mse_and_grad(x, A, t):
    residuals = A @ x - t
    grad = 2 * A.T @ residuals / len(t)
    x -= 0.0 * grad + 1.0
    return float(np.mean(residuals ** 2)), grad
''',
        },
        "correct": {
            "the dot product of the residuals with themselves, and a matrix product": '''
def linear_mse_and_grad(x, A, t):
    r = np.dot(A, x) - t
    n = A.shape[0]
    return float(r @ r / n), np.dot(r, A) * (2.0 / n)
''',
            "the sums over the points written with einsum": '''
def linear_mse_and_grad(x, A, t):
    residuals = np.einsum("nd,d->n", A, x) - t
    return float(np.mean(np.square(residuals))), 2 * np.einsum("nd,n->d", A, residuals) / len(t)
''',
        },
    },
    "normal_equations": {
        "tests": ["test_normal_equations_solution", "test_normal_equations_error"],
        "wrong": {
            "solves A^T A x = t (forgets A^T on the right)": '''
def normal_equations(A, t):
    if np.linalg.matrix_rank(A) < A.shape[1]:
        raise ValueError("the columns of A are not independent")
    return np.linalg.solve(A.T @ A, t[:A.shape[1]])
''',
            "A A^T instead of A^T A": with_mistake(
                NORMAL_EQUATIONS, "np.linalg.solve(A.T @ A, A.T @ t)",
                "np.linalg.lstsq(A @ A.T, t, rcond=None)[0][:A.shape[1]]"),
            "no check: returns whatever lstsq gives for dependent columns": '''
def normal_equations(A, t):
    return np.linalg.lstsq(A, t, rcond=None)[0]
''',
            "checks only that A has at least as many rows as columns": with_mistake(
                NORMAL_EQUATIONS, "if np.linalg.matrix_rank(A) < A.shape[1]:",
                "if A.shape[0] < A.shape[1]:"),
            "the wrong kind of error (AssertionError)": with_mistake(
                NORMAL_EQUATIONS, 'raise ValueError("the columns of A are not independent")',
                'raise AssertionError("the columns of A are not independent")'),
            "a ValueError that does not say what is wrong": with_mistake(
                NORMAL_EQUATIONS, 'raise ValueError("the columns of A are not independent")',
                'raise ValueError("bad input")'),
            "the rank of A^T A compared with N instead of D": with_mistake(
                NORMAL_EQUATIONS, "if np.linalg.matrix_rank(A) < A.shape[1]:",
                "if np.linalg.matrix_rank(A.T @ A) < A.shape[0]:"),
        },
        "correct": {
            "lstsq after a rank check, with the rank lstsq reports": '''
def normal_equations(A, t):
    x, _, rank, _ = np.linalg.lstsq(A, t, rcond=None)
    if rank < A.shape[1]:
        raise ValueError(f"A has rank {rank} < {A.shape[1]}: its columns are not independent")
    return x
''',
            "the singular values decide": '''
def normal_equations(A, t):
    singular = np.linalg.svd(A, compute_uv=False)
    if len(singular) < A.shape[1] or singular.min() <= 1e-10 * singular.max():
        raise ValueError("the matrix is singular: the columns of A are not independent")
    return np.linalg.solve(A.T @ A, A.T @ t)
''',
        },
    },
    "fit_gradient_descent": {
        "tests": ["test_fit_gradient_descent_x", "test_fit_gradient_descent_losses"],
        "wrong": {
            "ignores the start x0": with_mistake(
                FIT_GRADIENT_DESCENT, "x = np.zeros(A.shape[1]) if x0 is None else np.array(x0, dtype=float)",
                "x = np.zeros(A.shape[1])"),
            "moves x0 in place (changes the input)": with_mistake(
                FIT_GRADIENT_DESCENT, "x = np.zeros(A.shape[1]) if x0 is None else np.array(x0, dtype=float)",
                "x = np.zeros(A.shape[1]) if x0 is None else x0"
                ).replace("x = x - lr *", "x -= lr *"),
            "adds the gradient (ascent)": with_mistake(
                FIT_GRADIENT_DESCENT, "x = x - lr * A.T", "x = x + lr * A.T"),
            "forgets A^T: steps with the gradient of the predictions": with_mistake(
                FIT_GRADIENT_DESCENT, "x = x - lr * A.T @ mean_squared_error_grad(A @ x, t)",
                "x = x - lr * mean_squared_error_grad(A @ x, t)[:A.shape[1]]"),
            "one step too few (range(n_steps - 1))": with_mistake(
                FIT_GRADIENT_DESCENT, "for _ in range(n_steps):", "for _ in range(n_steps - 1):"),
            "losses without the start (n_steps numbers)": with_mistake(
                FIT_GRADIENT_DESCENT, "losses = [mean_squared_error(A @ x, t)]", "losses = []"),
            "an integer start stays integer (steps are truncated)": with_mistake(
                FIT_GRADIENT_DESCENT, "x = np.zeros(A.shape[1]) if x0 is None else np.array(x0, dtype=float)",
                "x = np.zeros(A.shape[1]) if x0 is None else np.array(x0)"
                ).replace("x = x - lr *", "x[:] = x - lr *"),
            "the losses as a list": with_mistake(
                FIT_GRADIENT_DESCENT, "return x, np.array(losses)", "return x, losses"),
        },
        "correct": {
            "the gradient written out: (2/N) A^T (Ax - t)": '''
def fit_gradient_descent(A, t, lr, n_steps, x0=None):
    x = np.zeros(A.shape[1]) if x0 is None else np.asarray(x0, dtype=float).copy()
    losses = np.empty(n_steps + 1)
    for step in range(n_steps + 1):
        residuals = A @ x - t
        losses[step] = np.mean(residuals ** 2)
        if step < n_steps:
            x = x - lr * 2 * A.T @ residuals / len(t)
    return x, losses
''',
        },
    },
    "newton_step": {
        "wrong": {
            "multiplies by H instead of H^-1": '''
def newton_step(x, grad, hessian):
    return x - hessian @ grad
''',
            "the wrong sign": '''
def newton_step(x, grad, hessian):
    return x + np.linalg.solve(hessian, grad)
''',
            "divides by the diagonal of H only": '''
def newton_step(x, grad, hessian):
    return x - grad / np.diag(hessian)
''',
            "a plain gradient step": '''
def newton_step(x, grad, hessian):
    return x - grad
''',
            "changes x in place": '''
def newton_step(x, grad, hessian):
    x -= np.linalg.solve(hessian, grad)
    return x
''',
        },
        "correct": {
            "the explicit inverse": '''
def newton_step(x, grad, hessian):
    return x - np.linalg.inv(hessian) @ grad
''',
            "least squares for the step": '''
def newton_step(x, grad, hessian):
    step = np.linalg.lstsq(hessian, grad, rcond=None)[0]
    return x - step
''',
            "solve with a column vector, then flatten": '''
def newton_step(x, grad, hessian):
    step = np.linalg.solve(hessian, grad.reshape(-1, 1)).ravel()
    new_x = x.copy()
    new_x -= step
    return new_x
''',
        },
    },
}
