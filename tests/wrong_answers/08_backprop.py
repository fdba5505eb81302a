"""Typical wrong answers and differently written correct answers for 08_backprop."""

MULTIPLY_ADD_CORRECT_ADD = '''

class Add:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout, dout
'''

MULTIPLY_ADD_CORRECT_MULTIPLY = '''
class Multiply:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x
'''

ANSWERS = {
    "multiply_add": {
        "wrong": {
            "multiply forgets the upstream gradient (uses 1 instead of dout)": '''
class Multiply:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return self.y, self.x
''' + MULTIPLY_ADD_CORRECT_ADD,
            "multiply does not swap the inputs": '''
class Multiply:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.x, dout * self.y
''' + MULTIPLY_ADD_CORRECT_ADD,
            "add returns the local gradient 1 instead of dout": MULTIPLY_ADD_CORRECT_MULTIPLY + '''

class Add:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return 1.0, 1.0
''',
            "add returns one gradient instead of a pair": MULTIPLY_ADD_CORRECT_MULTIPLY + '''

class Add:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout
''',
        },
        "correct": {
            "np.multiply and copies of dout": '''
import numpy as np


class Multiply:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return np.multiply(dout, self.y), np.multiply(self.x, dout)


class Add:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return np.copy(dout) * 1, np.copy(dout) * 1
''',
        },
    },
    "relu": {
        "wrong": {
            "mask computed on the output after modification": '''
class Relu:
    def forward(self, x):
        out = x.copy()
        out[out < 0] = 0
        self.mask = out < 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx
''',
            "forward overwrites its input x": '''
class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx
''',
            "backward forgets the upstream gradient (returns the local gradient)": '''
import numpy as np


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        return np.maximum(x, 0)

    def backward(self, dout):
        return (~self.mask).astype(float)
''',
            "backward overwrites dout": '''
import numpy as np


class Relu:
    def forward(self, x):
        self.mask = x <= 0
        return np.maximum(x, 0)

    def backward(self, dout):
        dout[self.mask] = 0
        return dout
''',
            "lets the gradient through at x = 0": '''
import numpy as np


class Relu:
    def forward(self, x):
        self.x = x
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * (self.x >= 0)
''',
        },
        "correct": {
            "np.maximum, keeps x, multiplies by the boolean": '''
import numpy as np


class Relu:
    def forward(self, x):
        self.x = x.copy()
        return np.maximum(x, 0)

    def backward(self, dout):
        return dout * (self.x > 0)
''',
            "np.where with a mask of the output": '''
import numpy as np


class Relu:
    def forward(self, x):
        out = np.where(x > 0, x, 0.0).astype(x.dtype)
        self.positive = out > 0
        return out

    def backward(self, dout):
        return np.where(self.positive, dout, 0).astype(dout.dtype)
''',
        },
    },
    "sigmoid": {
        "wrong": {
            "forgets the upstream gradient (uses 1 instead of dout)": '''
class Sigmoid:
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return self.out * (1.0 - self.out)
''',
            "applies the derivative formula to the output (sigma'(out))": '''
class Sigmoid:
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        s = sigmoid(self.out)
        return dout * s * (1.0 - s)
''',
            "drops the factor y (only 1 - y)": '''
class Sigmoid:
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * (1.0 - self.out)
''',
        },
        "correct": {
            "keeps x and uses exp(-x) / (1 + exp(-x))^2": '''
import numpy as np


class Sigmoid:
    def forward(self, x):
        self.x = x
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * self.out * np.exp(-self.x)
''',
            "y - y**2": '''
class Sigmoid:
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * (self.out - self.out ** 2)
''',
        },
    },
    "affine": {
        "wrong": {
            "forgets the upstream gradient (uses 1 instead of dout)": '''
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        ones = np.ones_like(dout)
        self.dW = self.x.T @ ones
        self.db = ones.sum(axis=0)
        return ones @ self.W.T
''',
            "bias gradient summed over axis=1": '''
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=1)
        return dout @ self.W.T
''',
            "dW = dout @ x": '''
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = dout @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W.T
''',
            "dW transposed (dout.T @ x)": '''
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = dout.T @ self.x
        self.db = dout.sum(axis=0)
        return dout @ self.W.T
''',
            "bias gradient averaged instead of summed": '''
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.mean(axis=0)
        return dout @ self.W.T
''',
            "dx uses W instead of W transposed (runs only for square W)": '''
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        W = self.W if self.W.shape[0] == self.W.shape[1] else self.W.T
        return dout @ W
''',
        },
        "correct": {
            "np.dot and np.sum": '''
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx
''',
            "einsum, sum over the batch one row at a time": '''
import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = np.einsum("ni,nj->ij", self.x, dout)
        self.db = sum(row for row in dout)
        return np.einsum("nj,ij->ni", dout, self.W)
''',
        },
    },
    "softmax_with_loss": {
        "wrong": {
            "not divided by the batch size": '''
import numpy as np


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x, axis=1)
        return softmax_cross_entropy(x, t)

    def backward(self, dout=1.0):
        n, k = self.y.shape
        onehot = np.eye(k)[self.t] if self.t.ndim == 1 else self.t
        return dout * (self.y - onehot)
''',
            "forgets the upstream gradient dout": '''
import numpy as np


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x, axis=1)
        return softmax_cross_entropy(x, t)

    def backward(self, dout=1.0):
        n, k = self.y.shape
        onehot = np.eye(k)[self.t] if self.t.ndim == 1 else self.t
        return (self.y - onehot) / n
''',
            "handles only one-hot labels": '''
import numpy as np


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x, axis=1)
        return softmax_cross_entropy(x, t)

    def backward(self, dout=1.0):
        return dout * (self.y - self.t) / len(self.y)
''',
            "divided by the number of classes instead of the batch size": '''
import numpy as np


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x, axis=1)
        return softmax_cross_entropy(x, t)

    def backward(self, dout=1.0):
        n, k = self.y.shape
        onehot = np.eye(k)[self.t] if self.t.ndim == 1 else self.t
        return dout * (self.y - onehot) / k
''',
            "subtracts in place from self.y (a second backward is wrong)": '''
import numpy as np


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x, axis=1)
        return softmax_cross_entropy(x, t)

    def backward(self, dout=1.0):
        n = len(self.y)
        labels = self.t if self.t.ndim == 1 else self.t.argmax(axis=1)
        dx = self.y
        dx[np.arange(n), labels] -= 1
        return dx * dout / n
''',
        },
        "correct": {
            "index subtraction on a copy": '''
import numpy as np


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x, axis=1)
        return softmax_cross_entropy(x, t)

    def backward(self, dout=1.0):
        n = self.y.shape[0]
        labels = self.t.argmax(axis=1) if self.t.ndim == 2 else self.t
        dx = self.y.copy()
        dx[np.arange(n), labels] -= 1
        return dx * (dout / n)
''',
            "one-hot built with a comparison": '''
import numpy as np


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x, axis=1)
        return softmax_cross_entropy(x, t)

    def backward(self, dout=1.0):
        k = self.y.shape[1]
        onehot = (self.t[:, None] == np.arange(k)) if self.t.ndim == 1 else self.t
        return (self.y - onehot) * dout / self.y.shape[0]
''',
        },
    },
    "check_layer": {
        "wrong": {
            "ignores dout in the pretend loss (numerical gradient of sum(out))": '''
def check_layer(layer, x, dout):
    layer.forward(x)
    analytic = layer.backward(dout).copy()
    return gradient_check(lambda x_moved: np.sum(layer.forward(x_moved)), x, analytic)
''',
            "backward called with ones instead of dout": '''
def check_layer(layer, x, dout):
    out = layer.forward(x)
    analytic = layer.backward(np.ones_like(out)).copy()
    return gradient_check(lambda x_moved: np.sum(layer.forward(x_moved) * dout), x, analytic)
''',
            "compares the numerical gradient with itself": '''
def check_layer(layer, x, dout):
    def pretend_loss(x_moved):
        return np.sum(layer.forward(x_moved) * dout)
    numerical = numerical_gradient(pretend_loss, x, h=1e-5)
    return gradient_check(pretend_loss, x, numerical)
''',
            "forward differences of its own (truncation error too large)": '''
def check_layer(layer, x, dout):
    from course_lib.gradient import GradientCheckResult
    layer.forward(x)
    analytic = layer.backward(dout).copy()
    f = lambda x_moved: np.sum(layer.forward(x_moved) * dout)
    numerical = np.zeros_like(x)
    base = f(x.copy())
    for i in np.ndindex(x.shape):
        moved = x.copy()
        moved[i] += 1e-4
        numerical[i] = (f(moved) - base) / 1e-4
    error = max_relative_error(analytic, numerical)
    return GradientCheckResult(passed=error < 1e-7, max_relative_error=error)
''',
        },
        "correct": {
            "works on a copy of x, named function": '''
def check_layer(layer, x, dout):
    x_work = x.copy()
    layer.forward(x_work)
    analytic = np.array(layer.backward(dout), copy=True)

    def loss(z):
        return float((layer.forward(z) * dout).sum())

    return gradient_check(loss, x_work, analytic)
''',
        },
    },
    "softplus": {
        "wrong": {
            "backward forgets the upstream gradient": '''
class Softplus:
    def forward(self, x):
        self.x = x
        return np.logaddexp(0.0, x)

    def backward(self, dout):
        return sigmoid(self.x)
''',
            "backward uses softplus itself as the derivative": '''
class Softplus:
    def forward(self, x):
        self.x = x
        return np.logaddexp(0.0, x)

    def backward(self, dout):
        return dout * np.logaddexp(0.0, self.x)
''',
            "backward uses the sigmoid of the output instead of the input": '''
class Softplus:
    def forward(self, x):
        self.out = np.logaddexp(0.0, x)
        return self.out

    def backward(self, dout):
        return dout * sigmoid(self.out)
''',
            "forward is log(exp(x)) (forgets the 1 +)": '''
class Softplus:
    def forward(self, x):
        self.x = x
        return x.copy()

    def backward(self, dout):
        return dout * sigmoid(self.x)
''',
        },
        "correct": {
            "log1p(exp(x)) and 1 / (1 + exp(-x)) written out": '''
import numpy as np


class Softplus:
    def forward(self, x):
        self.x = x
        return np.log1p(np.exp(x))

    def backward(self, dout):
        return dout / (1.0 + np.exp(-self.x))
''',
            "keeps exp(x) from the forward pass": '''
import numpy as np


class Softplus:
    def forward(self, x):
        self.e = np.exp(x)
        return np.log(1.0 + self.e)

    def backward(self, dout):
        return dout * self.e / (1.0 + self.e)
''',
        },
    },
}
