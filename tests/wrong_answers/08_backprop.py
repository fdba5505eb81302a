"""Typical wrong answers and differently written correct answers for 08_backprop.

Consumed by tests/test_wrong_answers.py. Most wrong answers are a correct answer below with one
mistake put in by `with_mistake`.
"""
from grading_tools import with_mistake

MULTIPLY_ADD = '''
class Multiply:
    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class Add:
    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout, dout
'''

RELU = '''
class Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = dout.copy()
        dx[self.mask] = 0
        return dx
'''

SIGMOID = '''
class Sigmoid:
    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1.0 - self.out)
'''

AFFINE = '''
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
        return dout @ self.W.T
'''

SOFTMAX_WITH_LOSS = '''
import numpy as np


class SoftmaxWithLoss:
    def forward(self, x, t):
        self.t = np.asarray(t)
        self.y = softmax(x, axis=1)
        return softmax_cross_entropy(x, t)

    def backward(self, dout=1.0):
        n, k = self.y.shape
        onehot = np.eye(k)[self.t] if self.t.ndim == 1 else self.t
        return dout * (self.y - onehot) / n
'''

SOFTMAX_BACKWARD = '''\
        n, k = self.y.shape
        onehot = np.eye(k)[self.t] if self.t.ndim == 1 else self.t
        return dout * (self.y - onehot) / n
'''

SOFTPLUS = '''
class Softplus:
    def forward(self, x):
        self.x = x
        return np.logaddexp(0.0, x)

    def backward(self, dout):
        return dout * sigmoid(self.x)
'''

LAYER_NETWORK = '''
class LayerNetwork:
    def __init__(self, params):
        self.params = params
        self.layers = [Affine(params["W1"], params["b1"]), Relu(), Affine(params["W2"], params["b2"])]
        self.loss_layer = SoftmaxWithLoss()

    def loss(self, x, t):
        for layer in self.layers:
            x = layer.forward(x)
        return float(self.loss_layer.forward(x, t))

    def gradient(self, x, t):
        self.loss(x, t)
        dout = self.loss_layer.backward(1.0)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        first, second = self.layers[0], self.layers[2]
        return {"W1": first.dW, "b1": first.db, "W2": second.dW, "b2": second.db}
'''

ANSWERS = {
    "multiply_add": {
        "wrong": {
            "multiply forgets the upstream gradient (uses 1 instead of dout)": with_mistake(
                MULTIPLY_ADD, "return dout * self.y, dout * self.x", "return self.y, self.x"),
            "multiply does not swap the inputs": with_mistake(
                MULTIPLY_ADD, "return dout * self.y, dout * self.x", "return dout * self.x, dout * self.y"),
            "add returns the local gradient 1 instead of dout": with_mistake(
                MULTIPLY_ADD, "return dout, dout", "return 1.0, 1.0"),
            "add returns one gradient instead of a pair": with_mistake(
                MULTIPLY_ADD, "return dout, dout", "return dout"),
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
            "mask computed on the output after modification": with_mistake(
                RELU,
                "self.mask = x <= 0\n        out = x.copy()\n        out[self.mask] = 0",
                "out = x.copy()\n        out[out < 0] = 0\n        self.mask = out < 0"),
            "forward overwrites its input x": with_mistake(RELU, "out = x.copy()", "out = x"),
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
            "forgets the upstream gradient (uses 1 instead of dout)": with_mistake(
                SIGMOID, "return dout * self.out * (1.0 - self.out)", "return self.out * (1.0 - self.out)"),
            "applies the derivative formula to the output (sigma'(out))": with_mistake(
                SIGMOID, "return dout * self.out * (1.0 - self.out)",
                "s = sigmoid(self.out)\n        return dout * s * (1.0 - s)"),
            "drops the factor y (only 1 - y)": with_mistake(
                SIGMOID, "return dout * self.out * (1.0 - self.out)", "return dout * (1.0 - self.out)"),
            "keeps x and uses exp(-x) / (1 + exp(-x))^2 (NaN for x in the thousands)": '''
import numpy as np


class Sigmoid:
    def forward(self, x):
        self.x = x
        self.out = 1 / (1 + np.exp(-x))
        return self.out

    def backward(self, dout):
        return dout * self.out * self.out * np.exp(-self.x)
''',
            "keeps the first forward pass's output": with_mistake(
                SIGMOID, "        self.out = sigmoid(x)\n        return self.out",
                "        if not hasattr(self, \"out\"):\n            self.out = sigmoid(x)\n        return sigmoid(x)"),
        },
        "correct": {
            "its own stable sigmoid with np.where": '''
import numpy as np


class Sigmoid:
    def forward(self, x):
        e = np.exp(-np.abs(x))  # never overflows
        self.out = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)
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
        "tests": ["test_affine", "test_affine_calls"],
        "wrong": {
            "keeps a copy of W from the first forward pass (misses the optimizer's steps)": '''
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        if not hasattr(self, "W_T"):
            self.W_T = self.W.T.copy()  # "cache" the transpose for backward
        self.x = x
        return x @ self.W + self.b

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W_T
''',
            "forward returns its input's buffer: adds in place into a stored array": '''
class Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self.x = x
        self.out = x @ self.W
        self.out += self.b
        return self.out

    def backward(self, dout):
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        self.out *= 0  # "free" the cached output
        return dout @ self.W.T
''',
            "keeps the first batch's input (only the first forward counts)": with_mistake(
                AFFINE, "        self.x = x\n", "        if not hasattr(self, \"x\"):\n            self.x = x\n"),
            # np comes from the notebook's kernel, as in the other answers without an import.
            "forgets the upstream gradient (uses 1 instead of dout)": with_mistake(
                AFFINE,
                "self.dW = self.x.T @ dout\n"
                "        self.db = dout.sum(axis=0)\n"
                "        return dout @ self.W.T",
                "ones = np.ones_like(dout)\n        self.dW = self.x.T @ ones\n"
                "        self.db = ones.sum(axis=0)\n        return ones @ self.W.T"),
            "bias gradient summed over axis=1": with_mistake(
                AFFINE, "self.db = dout.sum(axis=0)", "self.db = dout.sum(axis=1)"),
            "dW = dout @ x": with_mistake(AFFINE, "self.dW = self.x.T @ dout", "self.dW = dout @ self.x"),
            "dW transposed (dout.T @ x)": with_mistake(
                AFFINE, "self.dW = self.x.T @ dout", "self.dW = dout.T @ self.x"),
            "bias gradient averaged instead of summed": with_mistake(
                AFFINE, "self.db = dout.sum(axis=0)", "self.db = dout.mean(axis=0)"),
            "dx uses W instead of W transposed (runs only for square W)": with_mistake(
                AFFINE, "return dout @ self.W.T",
                "W = self.W if self.W.shape[0] == self.W.shape[1] else self.W.T\n        return dout @ W"),
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
            "not divided by the batch size": with_mistake(
                SOFTMAX_WITH_LOSS, "return dout * (self.y - onehot) / n", "return dout * (self.y - onehot)"),
            "forgets the upstream gradient dout": with_mistake(
                SOFTMAX_WITH_LOSS, "return dout * (self.y - onehot) / n", "return (self.y - onehot) / n"),
            "handles only one-hot labels": with_mistake(
                SOFTMAX_WITH_LOSS, SOFTMAX_BACKWARD,
                "        return dout * (self.y - self.t) / len(self.y)\n"),
            "divided by the number of classes instead of the batch size": with_mistake(
                SOFTMAX_WITH_LOSS, "return dout * (self.y - onehot) / n",
                "return dout * (self.y - onehot) / k"),
            "subtracts in place from self.y (a second backward is wrong)": with_mistake(
                SOFTMAX_WITH_LOSS, SOFTMAX_BACKWARD, '''\
        n = len(self.y)
        labels = self.t if self.t.ndim == 1 else self.t.argmax(axis=1)
        dx = self.y
        dx[np.arange(n), labels] -= 1
        return dx * dout / n
'''),
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
    from course_lib.gradient import GradientCheckResult, max_relative_error
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
    return GradientCheckResult(verdict="PASS" if error < 1e-7 else "FAIL",
                               max_error_ratio=error / 1e-7, max_relative_error=error)
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
            "backward forgets the upstream gradient": with_mistake(
                SOFTPLUS, "return dout * sigmoid(self.x)", "return sigmoid(self.x)"),
            "backward uses softplus itself as the derivative": with_mistake(
                SOFTPLUS, "return dout * sigmoid(self.x)", "return dout * np.logaddexp(0.0, self.x)"),
            "backward uses the sigmoid of the output instead of the input": '''
class Softplus:
    def forward(self, x):
        self.out = np.logaddexp(0.0, x)
        return self.out

    def backward(self, dout):
        return dout * sigmoid(self.out)
''',
            "forward is log(exp(x)) (forgets the 1 +)": with_mistake(
                SOFTPLUS, "return np.logaddexp(0.0, x)", "return x.copy()"),
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
    "LayerNetwork": {
        "wrong": {
            "the layers hold copies of the weights": with_mistake(
                LAYER_NETWORK, "self.layers = [Affine(params[\"W1\"], params[\"b1\"]), Relu(), "
                "Affine(params[\"W2\"], params[\"b2\"])]",
                "copies = {key: value.copy() for key, value in params.items()}\n        self.layers = "
                "[Affine(copies[\"W1\"], copies[\"b1\"]), Relu(), Affine(copies[\"W2\"], copies[\"b2\"])]"),
            "backward through the layers in forward order": with_mistake(
                LAYER_NETWORK, "for layer in reversed(self.layers):", "for layer in self.layers:"),
            "the two Affine layers' gradients swapped": with_mistake(
                LAYER_NETWORK, "first, second = self.layers[0], self.layers[2]",
                "second, first = self.layers[0], self.layers[2]"),
            "forgets the forward pass in gradient (uses the last loss call's cache)": with_mistake(
                LAYER_NETWORK, "        self.loss(x, t)\n        dout", "        dout"),
            "fills one dict in place, so the previous call's gradients change": with_mistake(
                LAYER_NETWORK, "        first, second = self.layers[0], self.layers[2]\n"
                "        return {\"W1\": first.dW, \"b1\": first.db, \"W2\": second.dW, \"b2\": second.db}",
                "        first, second = self.layers[0], self.layers[2]\n"
                "        if not hasattr(self, \"grads\"):\n"
                "            self.grads = {key: np.zeros_like(value) for key, value in self.params.items()}\n"
                "        for key, value in ((\"W1\", first.dW), (\"b1\", first.db), (\"W2\", second.dW), "
                "(\"b2\", second.db)):\n            self.grads[key][...] = value\n        return self.grads"),
        },
        "correct": {
            "named layers and a loop that collects the gradients": '''
class LayerNetwork:
    def __init__(self, params):
        self.params = params
        self.affine1 = Affine(params["W1"], params["b1"])
        self.relu = Relu()
        self.affine2 = Affine(params["W2"], params["b2"])
        self.layers = [self.affine1, self.relu, self.affine2]
        self.loss_layer = SoftmaxWithLoss()

    def loss(self, x, t):
        scores = self.affine2.forward(self.relu.forward(self.affine1.forward(x)))
        return float(self.loss_layer.forward(scores, t))

    def gradient(self, x, t):
        self.loss(x, t)
        self.affine1.backward(self.relu.backward(self.affine2.backward(self.loss_layer.backward(1.0))))
        grads = {}
        for suffix, layer in (("1", self.affine1), ("2", self.affine2)):
            grads["W" + suffix], grads["b" + suffix] = layer.dW.copy(), layer.db.copy()
        return grads
''',
        },
    },
}
