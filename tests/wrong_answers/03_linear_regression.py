"""Typical wrong answers, and correct answers written differently, for 03_linear_regression.

grade_id of the answer cell -> {"wrong": {description: cell source}, "correct": {...}};
optional "tests": the test cells that grade it (default: test_<grade_id>). Read by
tests/test_wrong_answers.py, which runs each source in place of the answer cell.
"""

from grading_tools import with_mistake

# Correct answers that several wrong answers below change in one place each: the solution, and the
# same loop with the gradient (2/N) A^T (A x - y) written out.
FIT_GRADIENT_DESCENT = '''
def fit_gradient_descent(A, y, lr, n_steps):
    x = np.zeros(A.shape[1])
    for _ in range(n_steps):
        x = x - lr * linear_mse_grad(x, A, y)
    return x
'''

FIT_GRADIENT_DESCENT_GRADIENT_WRITTEN_OUT = '''
def fit_gradient_descent(A, y, lr, n_steps):
    x = np.zeros(A.shape[1])
    for _ in range(n_steps):
        x = x - lr * 2 * A.T @ (A @ x - y) / len(y)
    return x
'''

ANSWERS = {
    "linear_mse": {
        "wrong": {
            "the sum instead of the mean (no division by N)": '''
def linear_mse(x, A, y):
    return float(np.sum((A @ x - y) ** 2))
''',
            "half the mean (the 1/2 convention of some texts)": '''
def linear_mse(x, A, y):
    return float(np.mean((A @ x - y) ** 2) / 2)
''',
            "the root of the mean squared error": '''
def linear_mse(x, A, y):
    return float(np.sqrt(np.mean((A @ x - y) ** 2)))
''',
            "the mean absolute error": '''
def linear_mse(x, A, y):
    return float(np.mean(np.abs(A @ x - y)))
''',
            "squared residuals without the mean (a vector)": '''
def linear_mse(x, A, y):
    return (A @ x - y) ** 2
''',
            "the square of the mean residual": '''
def linear_mse(x, A, y):
    return float(np.mean(A @ x - y) ** 2)
''',
        },
        "correct": {
            "residuals the other way round, as a dot product": '''
def linear_mse(x, A, y):
    r = y - A @ x
    return r @ r / len(y)
''',
            "a norm squared over the number of rows": '''
def linear_mse(x, A, y):
    return np.linalg.norm(np.dot(A, x) - y) ** 2 / A.shape[0]
''',
            "a loop over the points": '''
def linear_mse(x, A, y):
    total = 0.0
    for row, target in zip(A, y):
        total += (row @ x - target) ** 2
    return total / len(y)
''',
        },
    },
    "linear_mse_grad": {
        "wrong": {
            "without the factor 2": '''
def linear_mse_grad(x, A, y):
    return A.T @ (A @ x - y) / len(y)
''',
            "without the division by N (the gradient of the sum)": '''
def linear_mse_grad(x, A, y):
    return 2 * A.T @ (A @ x - y)
''',
            "the wrong sign (y - Ax): gradient ascent": '''
def linear_mse_grad(x, A, y):
    return 2 * A.T @ (y - A @ x) / len(y)
''',
            "A instead of A transposed": '''
def linear_mse_grad(x, A, y):
    return 2 * A @ (A @ x - y) / len(y)
''',
            "the gradient with respect to the predictions, not the parameters": '''
def linear_mse_grad(x, A, y):
    return 2 * (A @ x - y) / len(y)
''',
            "divides by the number of parameters instead of the number of points": '''
def linear_mse_grad(x, A, y):
    return 2 * A.T @ (A @ x - y) / len(x)
''',
        },
        "correct": {
            "A^T A x - A^T y": '''
def linear_mse_grad(x, A, y):
    return 2 / len(y) * (A.T @ A @ x - A.T @ y)
''',
            "the residual as a row vector times A": '''
def linear_mse_grad(x, A, y):
    return (A @ x - y) @ A * 2 / A.shape[0]
''',
            "the mean over the points of residual times row": '''
def linear_mse_grad(x, A, y):
    residuals = A @ x - y
    return 2 * np.mean(residuals[:, None] * A, axis=0)
''',
        },
    },
    "normal_equations": {
        "wrong": {
            "A^T y on the right forgotten": '''
def normal_equations(A, y):
    return np.linalg.solve(A.T @ A, y)
''',
            "A A^T instead of A^T A": '''
def normal_equations(A, y):
    return np.linalg.solve(A @ A.T, A.T @ y)
''',
            "drops A^T A (only A^T y)": '''
def normal_equations(A, y):
    return A.T @ y
''',
            "divides by the diagonal of A^T A only": '''
def normal_equations(A, y):
    return (A.T @ y) / np.diag(A.T @ A)
''',
        },
        "correct": {
            "the explicit inverse (works, though solve is better)": '''
def normal_equations(A, y):
    return np.linalg.inv(A.T @ A) @ A.T @ y
''',
            "numpy's least-squares solver": '''
def normal_equations(A, y):
    solution, *_ = np.linalg.lstsq(A, y, rcond=None)
    return solution
''',
            "the pseudo-inverse": '''
def normal_equations(A, y):
    return np.linalg.pinv(A) @ y
''',
        },
    },
    "fit_gradient_descent": {
        "wrong": {
            "gradient ascent": with_mistake(
                FIT_GRADIENT_DESCENT_GRADIENT_WRITTEN_OUT, "x = x - lr", "x = x + lr"),
            "the gradient of the sum (no division by N)": with_mistake(
                FIT_GRADIENT_DESCENT_GRADIENT_WRITTEN_OUT, "(A @ x - y) / len(y)", "(A @ x - y)"),
            "the gradient without the factor 2": with_mistake(
                FIT_GRADIENT_DESCENT_GRADIENT_WRITTEN_OUT, "lr * 2 * A.T", "lr * A.T"),
            "starts from ones instead of zeros": with_mistake(
                FIT_GRADIENT_DESCENT, "np.zeros(A.shape[1])", "np.ones(A.shape[1])"),
            "one step too few": with_mistake(FIT_GRADIENT_DESCENT, "range(n_steps)", "range(1, n_steps)"),
            "returns the normal-equations solution without descending": '''
def fit_gradient_descent(A, y, lr, n_steps):
    return np.linalg.solve(A.T @ A, A.T @ y)
''',
        },
        "correct": {
            "in-place updates with A^T A and A^T y computed once": '''
def fit_gradient_descent(A, y, lr, n_steps):
    n = A.shape[0]
    gram, target = A.T @ A, A.T @ y
    x = np.zeros(A.shape[1])
    for _ in range(n_steps):
        x -= lr * 2 / n * (gram @ x - target)
    return x
''',
            "course_lib's SGD optimizer": '''
from course_lib.optimizers import SGD

def fit_gradient_descent(A, y, lr, n_steps):
    params = {"x": np.zeros(A.shape[1])}
    optimizer = SGD(lr=lr)
    for _ in range(n_steps):
        optimizer.update(params, {"x": linear_mse_grad(params["x"], A, y)})
    return params["x"]
''',
            "a while loop with the gradient written out": '''
def fit_gradient_descent(A, y, lr, n_steps):
    x = np.zeros(A.shape[1])
    step = 0
    while step < n_steps:
        residuals = A @ x - y
        x = x - lr * (2 / len(y)) * (residuals @ A)
        step += 1
    return x
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
