"""Typical wrong answers and differently written correct answers for 05_activations."""

ANSWERS = {
    "sigmoid_forward_backward": {
        "tests": ["test_sigmoid_forward_backward_z", "test_sigmoid_forward_backward_dx"],
        "wrong": {
            "exp(x) / (1 + exp(x)) everywhere (nan for large positive x)": '''
def sigmoid_forward_backward(x, dout):
    e = np.exp(x)
    z = e / (1 + e)
    return z, dout * z * (1 - z)
''',
            "sign error in the exponent: 1 / (1 + exp(x))": '''
def sigmoid_forward_backward(x, dout):
    z = 1 / (1 + np.exp(x))
    return z, dout * z * (1 - z)
''',
            "backward applies z (1 - z) to the input x": '''
def sigmoid_forward_backward(x, dout):
    e = np.exp(-np.abs(x))
    z = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return z, dout * x * (1 - x)
''',
            "backward forgets the upstream gradient dout": '''
def sigmoid_forward_backward(x, dout):
    e = np.exp(-np.abs(x))
    z = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return z, z * (1 - z)
''',
            "returns (dx, z), the two values swapped": '''
def sigmoid_forward_backward(x, dout):
    z = 0.5 * (1 + np.tanh(0.5 * x))
    return dout * z * (1 - z), z
''',
            "float64 constants turn a float32 input into float64": '''
def sigmoid_forward_backward(x, dout):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    z = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    return z, dout * z * (1 - z)
''',
            "a result array of the input's dtype (integer inputs are truncated)": '''
def sigmoid_forward_backward(x, dout):
    z = np.empty_like(x)
    z[...] = 1 / (1 + np.exp(-x))
    return z, dout * z * (1 - z)
''',
            "a loop over the first axis (fails on a single number)": '''
def sigmoid_forward_backward(x, dout):
    z = np.empty(np.shape(x), dtype=np.result_type(x, np.float32))
    for i in range(len(x)):
        z[i] = 1 / (1 + np.exp(-x[i]))
    return z, dout * z * (1 - z)
''',
            "clips x in place to avoid the overflow (changes the input)": '''
def sigmoid_forward_backward(x, dout):
    np.clip(x, -500, 500, out=x)
    z = 1 / (1 + np.exp(-x))
    return z, dout * z * (1 - z)
''',
            "keeps the first call's output for later calls": '''
_saved = {}

def sigmoid_forward_backward(x, dout):
    if "z" not in _saved or _saved["z"].shape != np.shape(x):
        _saved["z"] = 0.5 * (1 + np.tanh(0.5 * x))
    z = _saved["z"]
    return z, dout * z * (1 - z)
''',
            "backward written as 1 - z**2 (the tanh slope)": '''
def sigmoid_forward_backward(x, dout):
    z = 0.5 * (1 + np.tanh(0.5 * x))
    return z, dout * (1 - z ** 2)
''',
        },
        "correct": {
            "the textbook formula 1 / (1 + exp(-x)) (overflow warnings, right values)": '''
def sigmoid_forward_backward(x, dout):
    z = 1 / (1 + np.exp(-x))
    dx = dout * z * (1 - z)
    return z, dx
''',
            "through tanh: (1 + tanh(x / 2)) / 2, and the slope from e^-|x|": '''
def sigmoid_forward_backward(x, dout):
    z = 0.5 * (1 + np.tanh(0.5 * x))
    e = np.exp(-np.abs(x))
    return z, dout * e / (1 + e) ** 2
''',
            "two formulas chosen with a boolean mask, in the input's float dtype": '''
def sigmoid_forward_backward(x, dout):
    x = np.asarray(x)
    z = np.empty(x.shape, dtype=np.result_type(x, np.float32))
    positive = x >= 0
    z[positive] = 1 / (1 + np.exp(-x[positive]))
    e = np.exp(x[~positive])
    z[~positive] = e / (1 + e)
    return z, dout * z * (1 - z)
''',
        },
    },
    "relu_forward_backward": {
        "tests": ["test_relu_forward_backward_z", "test_relu_forward_backward_dx"],
        "wrong": {
            "takes the slope 1 at the kink x = 0": '''
def relu_forward_backward(x, dout):
    return np.maximum(x, 0), dout * (x >= 0)
''',
            "sets negative inputs to 0 in place (changes x)": '''
def relu_forward_backward(x, dout):
    mask = x <= 0
    x[mask] = 0
    dout_copy = dout.copy()
    dout_copy[mask] = 0
    return x, dout_copy
''',
            "stops the gradient in dout in place (changes dout)": '''
def relu_forward_backward(x, dout):
    dout[x <= 0] = 0
    return np.maximum(x, 0), dout
''',
            "backward forgets dout: returns the mask": '''
def relu_forward_backward(x, dout):
    return np.maximum(x, 0), (x > 0).astype(x.dtype)
''',
            "backward multiplies by the output instead of the switch": '''
def relu_forward_backward(x, dout):
    z = np.maximum(x, 0)
    return z, dout * z
''',
            "float64 results for float32 arrays": '''
def relu_forward_backward(x, dout):
    z = np.maximum(x, 0.0).astype(float)
    return z, np.where(x > 0, dout, 0.0).astype(float)
''',
            "returns (dx, z), the two values swapped": '''
def relu_forward_backward(x, dout):
    return dout * (x > 0), np.maximum(x, 0)
''',
            "leaky ReLU with slope 0.01 for negative inputs": '''
def relu_forward_backward(x, dout):
    return np.where(x > 0, x, 0.01 * x), np.where(x > 0, dout, 0.01 * dout)
''',
        },
        "correct": {
            "np.maximum and a boolean mask": '''
def relu_forward_backward(x, dout):
    z = np.maximum(x, 0)
    dx = np.where(x > 0, dout, np.zeros_like(dout))
    return z, dx
''',
            "copies, then zeros with boolean indexing": '''
def relu_forward_backward(x, dout):
    off = x <= 0
    z = np.array(x, copy=True)
    z[off] = 0
    dx = np.array(dout, copy=True)
    dx[off] = 0
    return z, dx
''',
        },
    },
    "softmax": {
        "wrong": {
            "divides by the temperature after the exponential": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    e = np.exp(x - x.max(axis=-1, keepdims=True)) / temperature
    return e / e.sum(axis=-1, keepdims=True)
''',
            "multiplies by the temperature": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    z = x * temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''',
            "no shift: overflows for large scores or a small temperature": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    e = np.exp(x / temperature)
    return e / e.sum(axis=-1, keepdims=True)
''',
            "never checks the temperature": '''
def softmax(x, temperature=1.0):
    z = x / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''',
            "lets a tiny negative temperature through (checks T > -1e-6)": '''
def softmax(x, temperature=1.0):
    if temperature <= -1e-6 or temperature == 0:
        raise ValueError("the temperature must be positive")
    z = x / temperature
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
''',
            "unstable: exp(x) / sum without subtracting the maximum (overflows)": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    x = x / temperature
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)
''',
            "normalises over the wrong axis (columns instead of rows)": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    x = x / temperature
    e = np.exp(x - x.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
''',
            "one maximum for the whole batch instead of one per row": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    x = x / temperature
    e = np.exp(x - x.max())
    return e / e.sum(axis=-1, keepdims=True)
''',
            "sums over the whole batch instead of each row": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    x = x / temperature
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum()
''',
            "forgets keepdims (the row sums broadcast against the wrong axis)": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    x = x / temperature
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)
''',
            "only handles batches (axis=1)": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    x = x / temperature
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
''',
            "shifts x in place (changes the input)": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    x /= temperature
    x -= x.max(axis=-1, keepdims=True)
    e = np.exp(x)
    return e / e.sum(axis=-1, keepdims=True)
''',
            "hardmax instead of softmax": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    x = x / temperature
    return (x == x.max(axis=-1, keepdims=True)).astype(float)
''',
        },
        "correct": {
            "exp(x - logsumexp(x)) with np.logaddexp.reduce": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    x = x / temperature
    log_norm = np.logaddexp.reduce(x, axis=-1, keepdims=True)
    return np.exp(x - log_norm)
''',
            "a loop over the rows of a 2-D view": '''
def softmax(x, temperature=1.0):
    if temperature <= 0:
        raise ValueError("the temperature must be positive")
    x = x / temperature
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
