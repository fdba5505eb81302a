"""Typical wrong answers and differently written correct answers for 04_loss_functions."""

from grading_tools import with_mistake

# Correct answers that several wrong answers below change in one place each.
CROSS_ENTROPY = '''
def cross_entropy(p, t, eps=1e-7):
    p, t = np.asarray(p), np.asarray(t)
    if p.ndim == 1:
        p = p.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 else t.reshape(1)
    if t.ndim == 2:
        t = t.argmax(axis=1)
    return float(-np.mean(np.log(p[np.arange(p.shape[0]), t] + eps)))
'''

SOFTMAX_CROSS_ENTROPY = '''
def softmax_cross_entropy(logits, t):
    t = np.asarray(t)
    if t.ndim == 2:
        t = t.argmax(axis=1)
    m = logits.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))
    return float(np.mean(log_sum_exp - logits[np.arange(len(t)), t]))
'''

SOFTMAX_CROSS_ENTROPY_GRAD = '''
def softmax_cross_entropy_grad(logits, t):
    n, k = logits.shape
    t = np.asarray(t)
    target = t if t.ndim == 2 else np.eye(k)[t]
    return (softmax(logits, axis=1) - target) / n
'''

MSE_AND_GRAD = '''
def mean_squared_error_and_grad(y, t):
    difference = y - t
    loss = float(np.mean(difference ** 2))
    grad = 2 * difference / difference.size
    return loss, grad
'''

ANSWERS = {
    "mean_squared_error_and_grad": {
        "tests": ["test_mean_squared_error_and_grad_loss", "test_mean_squared_error_and_grad_grad"],
        "wrong": {
            "sums the squares instead of averaging them": with_mistake(
                MSE_AND_GRAD, "loss = float(np.mean(difference ** 2))",
                "loss = float(np.sum(difference ** 2))"),
            "divides by the batch size only (sum over the outputs, mean over the samples)":
                with_mistake(MSE_AND_GRAD, "loss = float(np.mean(difference ** 2))",
                             "loss = float(np.sum(difference ** 2) / len(y))"),
            "forgets to square: errors of opposite sign cancel": with_mistake(
                MSE_AND_GRAD, "loss = float(np.mean(difference ** 2))",
                "loss = float(np.mean(difference))"),
            "returns one loss per sample instead of one number": with_mistake(
                MSE_AND_GRAD, "loss = float(np.mean(difference ** 2))",
                "loss = np.mean(difference ** 2, axis=-1)"),
            "returns a numpy float, not a Python float": with_mistake(
                MSE_AND_GRAD, "loss = float(np.mean(difference ** 2))",
                "loss = np.mean(difference ** 2)"),
            "forgets the factor 2 of the gradient": with_mistake(
                MSE_AND_GRAD, "grad = 2 * difference / difference.size",
                "grad = difference / difference.size"),
            "gradient divided by the batch size instead of the number of elements": with_mistake(
                MSE_AND_GRAD, "grad = 2 * difference / difference.size",
                "grad = 2 * difference / len(difference)"),
            "gradient of the wrong sign: 2 (t - y) / M": with_mistake(
                MSE_AND_GRAD, "grad = 2 * difference / difference.size",
                "grad = -2 * difference / difference.size"),
            "gradient in float64 for float32 arrays": with_mistake(
                MSE_AND_GRAD, "grad = 2 * difference / difference.size",
                "grad = (2 * difference / difference.size).astype(np.float64)"),
            "computes the difference in place in y (changes the input)": '''
def mean_squared_error_and_grad(y, t):
    y -= t
    return float(np.mean(y ** 2)), 2 * y / y.size
''',
            "the gradient divides by len(y), which fails on single numbers": with_mistake(
                MSE_AND_GRAD, "grad = 2 * difference / difference.size",
                "grad = 2 * difference / (len(y) * y.shape[1]) if y.ndim == 2 else 2 * difference / len(y)"),
            "returns (grad, loss), the two values swapped": with_mistake(
                MSE_AND_GRAD, "return loss, grad", "return grad, loss"),
        },
        "correct": {
            "np.square and the .mean() method": '''
def mean_squared_error_and_grad(y, t):
    error = np.subtract(y, t)
    return float(np.square(error).mean()), error * (2 / error.size)
''',
            "a dot product of the flattened difference with itself": '''
def mean_squared_error_and_grad(y, t):
    flat = (y - t).ravel()
    loss = float(flat @ flat) / flat.size
    return loss, (2.0 / flat.size) * (y - t)
''',
        },
    },
    "cross_entropy": {
        "wrong": {
            "returns a numpy float, not a Python float": with_mistake(
                CROSS_ENTROPY, "return float(-np.mean(", "return (-np.mean("),
            "one-hot rows found by the largest label (fails when it is missing)": '''
def cross_entropy(p, t, eps=1e-7):
    p, t = np.asarray(p), np.asarray(t)
    if p.ndim == 1:
        p = p.reshape(1, -1)
        t = t.reshape(1, -1) if t.ndim == 1 else t.reshape(1)
    if t.ndim == 1:
        t = np.eye(t.max() + 1)[t]
    return float(-np.mean(np.sum(t * np.log(p + eps), axis=1)))
''',
            "sums over the batch instead of averaging (forgets to divide by N)": with_mistake(
                CROSS_ENTROPY, "-np.mean(", "-np.sum("),
            "no eps: log(0) gives inf": with_mistake(CROSS_ENTROPY, "t] + eps)", "t])"),
            "ignores the eps argument (always 1e-7)": with_mistake(CROSS_ENTROPY, "+ eps", "+ 1e-7"),
            "mean over all N*K terms of t*log(p) (divides by N*K)": '''
def cross_entropy(p, t, eps=1e-7):
    p, t = np.atleast_2d(p), np.asarray(t)
    k = p.shape[1]
    onehot = t.reshape(p.shape) if t.size == p.size else np.eye(k)[t.reshape(-1)]
    return float(-np.mean(onehot * np.log(p + eps)))
''',
            "picks p[:, t], an N x N block, instead of p[np.arange(N), t]": with_mistake(
                CROSS_ENTROPY, "p[np.arange(p.shape[0]), t]", "p[:, t]"),
            "turns one-hot labels into indices along the wrong axis (axis=0)": with_mistake(
                CROSS_ENTROPY, "t.argmax(axis=1)", "t.argmax(axis=0)"),
            "only handles index labels": '''
def cross_entropy(p, t, eps=1e-7):
    p = np.atleast_2d(p)
    t = np.asarray(t).reshape(-1).astype(int)
    return float(-np.mean(np.log(p[np.arange(p.shape[0]), t[:p.shape[0]]] + eps)))
''',
            "only handles batches, not a single sample": '''
def cross_entropy(p, t, eps=1e-7):
    t = np.asarray(t)
    if t.ndim == 2:
        t = t.argmax(axis=1)
    return float(-np.mean(np.log(p[np.arange(p.shape[0]), t] + eps)))
''',
        },
        "correct": {
            "the one-hot form -sum(t log(p + eps)) / N, indices made one-hot with np.eye": '''
def cross_entropy(p, t, eps=1e-7):
    p = np.asarray(p)
    t = np.asarray(t)
    if p.ndim == 1:
        p, t = p[np.newaxis, :], t[np.newaxis, ...]
    if t.ndim == 1:
        t = np.eye(p.shape[1])[t]
    return float(-np.sum(t * np.log(p + eps)) / p.shape[0])
''',
            "np.take_along_axis on a 2-D view": '''
def cross_entropy(p, t, eps=1e-7):
    single = np.ndim(p) == 1
    p2 = np.atleast_2d(p)
    t = np.asarray(t)
    if single:
        t = np.reshape(np.argmax(t) if t.ndim == 1 else t, (1,))
    elif t.ndim == 2:
        t = np.argmax(t, axis=1)
    picked = np.take_along_axis(p2, t.reshape(-1, 1), axis=1)
    return float(-np.log(picked + eps).mean())
''',
        },
    },
    "softmax_cross_entropy": {
        "wrong": {
            "returns a numpy float, not a Python float": with_mistake(
                SOFTMAX_CROSS_ENTROPY, "return float(np.mean(", "return (np.mean("),
            "unstable: log of a naive softmax without the max shift (overflows)": '''
def softmax_cross_entropy(logits, t):
    t = np.asarray(t)
    if t.ndim == 2:
        t = t.argmax(axis=1)
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(p[np.arange(len(t)), t])))
''',
            "goes through probabilities with eps (the loss is capped at 16.1)": '''
def softmax_cross_entropy(logits, t):
    t = np.asarray(t)
    if t.ndim == 2:
        t = t.argmax(axis=1)
    p = softmax(logits, axis=1)
    return float(-np.mean(np.log(p[np.arange(len(t)), t] + 1e-7)))
''',
            "one maximum for the whole batch instead of one per row": with_mistake(
                SOFTMAX_CROSS_ENTROPY,
                "m = logits.max(axis=1, keepdims=True)\n"
                "    log_sum_exp = m[:, 0] +",
                "m = logits.max()\n"
                "    log_sum_exp = m +"),
            "sums over the batch instead of averaging (forgets to divide by N)": with_mistake(
                SOFTMAX_CROSS_ENTROPY, "np.mean(", "np.sum("),
            "adds the correct class's logit instead of subtracting it": with_mistake(
                SOFTMAX_CROSS_ENTROPY, "log_sum_exp - logits", "log_sum_exp + logits"),
            "shifts the logits in place (changes the input)": with_mistake(
                SOFTMAX_CROSS_ENTROPY,
                "m = logits.max(axis=1, keepdims=True)\n"
                "    log_sum_exp = m[:, 0] + np.log(np.sum(np.exp(logits - m), axis=1))",
                "logits -= logits.max(axis=1, keepdims=True)\n"
                "    log_sum_exp = np.log(np.sum(np.exp(logits), axis=1))"),
            "the row maximum without keepdims (broadcasts against the wrong axis)": with_mistake(
                SOFTMAX_CROSS_ENTROPY,
                "m = logits.max(axis=1, keepdims=True)\n"
                "    log_sum_exp = m[:, 0] +",
                "m = logits.max(axis=1)\n"
                "    log_sum_exp = m +"),
        },
        "correct": {
            "np.logaddexp.reduce along the rows": '''
def softmax_cross_entropy(logits, t):
    t = np.asarray(t)
    idx = t.argmax(axis=1) if t.ndim == 2 else t
    log_sum_exp = np.logaddexp.reduce(logits, axis=1)
    return float(np.mean(log_sum_exp - logits[np.arange(logits.shape[0]), idx]))
''',
            "a stable log-softmax, then the one-hot sum": '''
def softmax_cross_entropy(logits, t):
    n, k = logits.shape
    t = np.asarray(t)
    onehot = t if t.ndim == 2 else np.eye(k)[t]
    shifted = logits - np.max(logits, axis=-1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    return float(-(onehot * log_probs).sum() / n)
''',
        },
    },
    "softmax_cross_entropy_grad": {
        "wrong": {
            "the number of classes taken from the labels (t.max() + 1)": with_mistake(
                SOFTMAX_CROSS_ENTROPY_GRAD, "np.eye(k)[t]", "np.eye(t.max() + 1)[t]"),
            "forgets to divide by the batch size N": with_mistake(
                SOFTMAX_CROSS_ENTROPY_GRAD,
                "(softmax(logits, axis=1) - target) / n",
                "softmax(logits, axis=1) - target"),
            "sign flipped: (t - y) / N": with_mistake(
                SOFTMAX_CROSS_ENTROPY_GRAD,
                "(softmax(logits, axis=1) - target)",
                "(target - softmax(logits, axis=1))"),
            "unstable softmax exp(z) / sum exp(z) (overflows for logits like 1000)": with_mistake(
                SOFTMAX_CROSS_ENTROPY_GRAD,
                "    return (softmax(logits, axis=1)",
                "    e = np.exp(logits)\n"
                "    return (e / e.sum(axis=1, keepdims=True)"),
            "softmax over the wrong axis (columns instead of rows)": with_mistake(
                SOFTMAX_CROSS_ENTROPY_GRAD, "axis=1", "axis=0"),
            "subtracts 1 in the columns t of every row (y[:, t] -= 1)": '''
def softmax_cross_entropy_grad(logits, t):
    t = np.asarray(t)
    if t.ndim == 2:
        t = t.argmax(axis=1)
    y = softmax(logits, axis=1)
    y[:, t] -= 1
    return y / logits.shape[0]
''',
            "forgets the target: softmax(z) / N": '''
def softmax_cross_entropy_grad(logits, t):
    return softmax(logits, axis=1) / logits.shape[0]
''',
            "shifts the logits in place (changes the input)": with_mistake(
                SOFTMAX_CROSS_ENTROPY_GRAD,
                "    return (softmax(logits, axis=1)",
                "    logits -= logits.max(axis=1, keepdims=True)\n"
                "    e = np.exp(logits)\n"
                "    return (e / e.sum(axis=1, keepdims=True)"),
        },
        "correct": {
            "an own shifted softmax, then 1 subtracted at the labels": '''
def softmax_cross_entropy_grad(logits, t):
    t = np.asarray(t)
    idx = t.argmax(axis=1) if t.ndim == 2 else t
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    y[np.arange(len(idx)), idx] -= 1
    return y / len(idx)
''',
            "one_hot from the course library, divided before subtracting": '''
def softmax_cross_entropy_grad(logits, t):
    n, k = logits.shape
    t = np.asarray(t)
    target = losses.one_hot(t, k) if t.ndim == 1 else t
    return softmax(logits) / n - target / n
''',
        },
    },
}
