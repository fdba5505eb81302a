"""Typical wrong answers and differently written correct answers for 05_activations."""

ANSWERS = {
    "sigmoid": {
        "wrong": {
            "sign error in the exponent: 1 / (1 + exp(x))": '''
def sigmoid(x):
    return 1 / (1 + np.exp(x))
''',
            "exp(x) / (1 + exp(x)) everywhere (nan for large positive x)": '''
def sigmoid(x):
    e = np.exp(x)
    return e / (1 + e)
''',
            "tanh instead of the sigmoid": '''
def sigmoid(x):
    return np.tanh(x)
''',
            "math.exp, which only takes single numbers": '''
import math

def sigmoid(x):
    return 1 / (1 + math.exp(-x))
''',
            "clips x in place to avoid the overflow (changes the input)": '''
def sigmoid(x):
    np.clip(x, -500, 500, out=x)
    return 1 / (1 + np.exp(-x))
''',
        },
        "correct": {
            "the textbook formula 1 / (1 + exp(-x)) (overflow warnings, right values)": '''
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
''',
            "through tanh: (1 + tanh(x / 2)) / 2": '''
def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))
''',
            "two formulas chosen with a boolean mask": '''
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1 / (1 + np.exp(-x[positive]))
    e = np.exp(x[~positive])
    out[~positive] = e / (1 + e)
    return out
''',
        },
    },
    "sigmoid_backward": {
        "wrong": {
            "derivative written as s instead of s (1 - s)": '''
def sigmoid_backward(x, dout):
    return dout * activations.sigmoid(x)
''',
            "applies y (1 - y) to the input x instead of to sigmoid(x)": '''
def sigmoid_backward(x, dout):
    return dout * x * (1 - x)
''',
            "forgets the upstream gradient dout": '''
def sigmoid_backward(x, dout):
    s = activations.sigmoid(x)
    return s * (1 - s)
''',
            "uses 1 - s only": '''
def sigmoid_backward(x, dout):
    return dout * (1 - activations.sigmoid(x))
''',
            "the largest slope 1/4 everywhere": '''
def sigmoid_backward(x, dout):
    return 0.25 * dout
''',
        },
        "correct": {
            "exp(-x) / (1 + exp(-x))**2 written out": '''
def sigmoid_backward(x, dout):
    e = np.exp(-x)
    return dout * e / (1 + e) ** 2
''',
            "through the course library's sigmoid_grad": '''
def sigmoid_backward(x, dout):
    return np.multiply(dout, activations.sigmoid_grad(x))
''',
            "sigmoid(x) * sigmoid(-x), by symmetry": '''
def sigmoid_backward(x, dout):
    return dout * activations.sigmoid(x) * activations.sigmoid(-x)
''',
        },
    },
    "relu": {
        "wrong": {
            "np.max(x, 0) reduces along axis 0 instead of comparing with 0": '''
def relu(x):
    return np.max(x, 0)
''',
            "the absolute value": '''
def relu(x):
    return np.abs(x)
''',
            "sets negative values to 0 in place (changes the input)": '''
def relu(x):
    x[x < 0] = 0
    return x
''',
            "Leaky ReLU instead of ReLU": '''
def relu(x):
    return np.maximum(x, 0.01 * x)
''',
            "returns the mask instead of the values": '''
def relu(x):
    return (x > 0).astype(float)
''',
        },
        "correct": {
            "np.where(x > 0, x, 0)": '''
def relu(x):
    return np.where(x > 0, x, 0.0)
''',
            "multiplying by a boolean mask": '''
def relu(x):
    return x * (x > 0)
''',
            "clipping a copy from below": '''
def relu(x):
    return np.clip(x, 0, None)
''',
        },
    },
    "relu_backward": {
        "wrong": {
            "passes the gradient through at negative inputs": '''
def relu_backward(x, dout):
    return dout
''',
            "multiplies by relu(x) instead of the mask [x > 0]": '''
def relu_backward(x, dout):
    return dout * np.maximum(x, 0)
''',
            "forgets the upstream gradient dout": '''
def relu_backward(x, dout):
    return (x > 0).astype(float)
''',
            "lets the gradient through at x = 0 as well (x >= 0)": '''
def relu_backward(x, dout):
    return dout * (x >= 0)
''',
            "inverted mask: passes the gradient where x < 0": '''
def relu_backward(x, dout):
    return dout * (x < 0)
''',
            "zeroes dout in place (changes the input)": '''
def relu_backward(x, dout):
    dout[x <= 0] = 0
    return dout
''',
        },
        "correct": {
            "np.where on the mask": '''
def relu_backward(x, dout):
    return np.where(x > 0, dout, 0.0)
''',
            "a copy of dout with the blocked entries set to 0": '''
def relu_backward(x, dout):
    dx = np.array(dout, copy=True)
    dx[x <= 0] = 0
    return dx
''',
            "the Heaviside step with value 0 at 0": '''
def relu_backward(x, dout):
    return dout * np.heaviside(x, 0.0)
''',
        },
    },
    "softmax": {
        "wrong": {
            "unstable: exp(x) / sum without subtracting the maximum (overflows)": '''
def softmax(x):
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)
''',
            "normalises over the wrong axis (columns instead of rows)": '''
def softmax(x):
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
''',
            "one maximum for the whole batch instead of one per row": '''
def softmax(x):
    e = np.exp(x - x.max())
    return e / e.sum(axis=-1, keepdims=True)
''',
            "sums over the whole batch instead of each row": '''
def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum()
''',
            "forgets keepdims (the row sums broadcast against the wrong axis)": '''
def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)
''',
            "only handles batches (axis=1)": '''
def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''',
            "shifts x in place (changes the input)": '''
def softmax(x):
    x -= x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)
''',
            "hardmax instead of softmax": '''
def softmax(x):
    return (x == x.max(axis=-1, keepdims=True)).astype(float)
''',
        },
        "correct": {
            "exp(x - logsumexp(x)) with np.logaddexp.reduce": '''
def softmax(x):
    log_norm = np.logaddexp.reduce(x, axis=-1, keepdims=True)
    return np.exp(x - log_norm)
''',
            "a loop over the rows of a 2-D view": '''
def softmax(x):
    rows = x.reshape(-1, x.shape[-1])
    out = np.empty(rows.shape)
    for i, row in enumerate(rows):
        e = np.exp(row - np.max(row))
        out[i] = e / np.sum(e)
    return out.reshape(x.shape)
''',
        },
    },
}
