"""Typical wrong answers and differently written correct answers for 09_mnist.

Consumed by tests/test_wrong_answers.py. Most wrong answers are a correct answer below with one
mistake put in by `with_mistake`.
"""
from grading_tools import with_mistake

NETWORK_LOSS = '''
def network_loss(params, x, t):
    h = np.maximum(x @ params["W1"] + params["b1"], 0)
    s = h @ params["W2"] + params["b2"]
    m = s.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + np.log(np.exp(s - m).sum(axis=1))
    return float(np.mean(log_sum_exp - s[np.arange(len(s)), t]))
'''

NETWORK_GRADIENT = '''
def network_gradient(params, x, t):
    n = len(x)
    a1 = x @ params["W1"] + params["b1"]
    h = np.maximum(a1, 0)
    s = h @ params["W2"] + params["b2"]
    ds = softmax(s, axis=1)
    ds[np.arange(n), t] -= 1
    ds /= n
    da1 = (ds @ params["W2"].T) * (a1 > 0)
    return {"W1": x.T @ da1, "b1": da1.sum(axis=0), "W2": h.T @ ds, "b2": ds.sum(axis=0)}
'''

ANSWERS = {
    "network_loss": {
        "wrong": {
            "a loss not averaged over the batch (summed)": with_mistake(
                NETWORK_LOSS, "return float(np.mean(", "return float(np.sum("),
            "averaged over all N*K entries of a one-hot product": with_mistake(
                NETWORK_LOSS,
                "log_sum_exp = m[:, 0] + np.log(np.exp(s - m).sum(axis=1))\n"
                "    return float(np.mean(log_sum_exp - s[np.arange(len(s)), t]))",
                "log_y = s - m - np.log(np.exp(s - m).sum(axis=1, keepdims=True))\n"
                "    onehot = np.eye(s.shape[1])[t]\n"
                "    return float(-np.mean(onehot * log_y))"),
            "unstable: exp of the raw scores": '''
def network_loss(params, x, t):
    h = np.maximum(x @ params["W1"] + params["b1"], 0)
    s = h @ params["W2"] + params["b2"]
    y = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(y[np.arange(len(s)), t])))
''',
            "log of a shifted softmax plus 1e-7 (wrong for very large scores)": '''
def network_loss(params, x, t):
    h = np.maximum(x @ params["W1"] + params["b1"], 0)
    s = h @ params["W2"] + params["b2"]
    e = np.exp(s - s.max(axis=1, keepdims=True))
    y = e / e.sum(axis=1, keepdims=True)
    return float(-np.mean(np.log(y[np.arange(len(s)), t] + 1e-7)))
''',
            "forgets the ReLU": with_mistake(
                NETWORK_LOSS, 'h = np.maximum(x @ params["W1"] + params["b1"], 0)',
                'h = x @ params["W1"] + params["b1"]'),
        },
        "correct": {
            "np.logaddexp.reduce and take_along_axis": '''
def network_loss(params, x, t):
    scores = np.maximum(0, x.dot(params["W1"]) + params["b1"]).dot(params["W2"]) + params["b2"]
    log_norm = np.logaddexp.reduce(scores, axis=1)
    correct = np.take_along_axis(scores, t[:, None], axis=1)[:, 0]
    return (log_norm - correct).mean().item()
''',
            "a loop over the samples": '''
import math


def network_loss(params, x, t):
    total = 0.0
    for sample, label in zip(x, t):
        hidden = np.maximum(sample @ params["W1"] + params["b1"], 0)
        scores = hidden @ params["W2"] + params["b2"]
        top = scores.max()
        total += top + math.log(np.exp(scores - top).sum()) - scores[label]
    return total / len(x)
''',
        },
    },
    "network_gradient": {
        "wrong": {
            # n = len(x) stays but is no longer used to scale the gradient.
            "not divided by the batch size": with_mistake(NETWORK_GRADIENT, "    ds /= n\n", ""),
            "bias gradients summed over axis=1": with_mistake(
                NETWORK_GRADIENT,
                '"b1": da1.sum(axis=0), "W2": h.T @ ds, "b2": ds.sum(axis=0)}',
                '"b1": da1.sum(axis=1), "W2": h.T @ ds, "b2": ds.sum(axis=1)}'),
            "dW transposed (dout.T @ input)": with_mistake(
                NETWORK_GRADIENT,
                '{"W1": x.T @ da1, "b1": da1.sum(axis=0), "W2": h.T @ ds,',
                '{"W1": da1.T @ x, "b1": da1.sum(axis=0), "W2": ds.T @ h,'),
            "forgets the ReLU's local gradient": with_mistake(
                NETWORK_GRADIENT, 'da1 = (ds @ params["W2"].T) * (a1 > 0)', 'da1 = ds @ params["W2"].T'),
            "ReLU mask taken from the gradient instead of the input": with_mistake(
                NETWORK_GRADIENT, 'da1 = (ds @ params["W2"].T) * (a1 > 0)',
                'dh = ds @ params["W2"].T\n    da1 = dh * (dh > 0)'),
            "first layer forgets the upstream gradient (uses the mask alone)": with_mistake(
                NETWORK_GRADIENT, 'da1 = (ds @ params["W2"].T) * (a1 > 0)',
                'da1 = (a1 > 0).astype(float)'),
        },
        "correct": {
            "one-hot with np.eye, einsum, np.where": '''
def network_gradient(params, x, t):
    a1 = np.einsum("nd,dh->nh", x, params["W1"]) + params["b1"]
    h = np.where(a1 > 0, a1, 0.0)
    s = h @ params["W2"] + params["b2"]
    e = np.exp(s - s.max(axis=1, keepdims=True))
    ds = (e / e.sum(axis=1, keepdims=True) - np.eye(s.shape[1])[t]) / x.shape[0]
    da1 = np.where(a1 > 0, ds @ params["W2"].T, 0.0)
    return {"W2": np.einsum("nh,nk->hk", h, ds), "b2": ds.sum(0),
            "W1": np.einsum("nd,nh->dh", x, da1), "b1": da1.sum(0)}
''',
        },
    },
    "train_digit_classifier": {
        "wrong": {
            "too few steps: one epoch of plain SGD with a small learning rate": '''
from course_lib.optimizers import SGD


def train_digit_classifier(x_train, t_train):
    model = TwoLayerNet(784, 100, 10, seed=0)
    fit(model, SGD(lr=0.01), x_train, t_train, epochs=1, batch_size=100, progress=False)
    return model
''',
            "too few steps: a single epoch of Adam": '''
def train_digit_classifier(x_train, t_train):
    model = TwoLayerNet(784, 100, 10, seed=0)
    fit(model, Adam(lr=1e-3), x_train, t_train, epochs=1, batch_size=100, progress=False)
    return model
''',
            "returns a network trained earlier in the notebook": '''
def train_digit_classifier(x_train, t_train):
    return net
''',
            "trains on the notebook's data instead of its arguments": '''
def train_digit_classifier(x_train_given, t_train_given):
    model = TwoLayerNet(784, 100, 10, seed=0)
    fit(model, Adam(lr=1e-3), x_search, t_search, epochs=10, batch_size=100, progress=False)
    return model
''',
            "returns the training history instead of the model": '''
def train_digit_classifier(x_train, t_train):
    model = TwoLayerNet(784, 100, 10, seed=0)
    return fit(model, Adam(lr=1e-3), x_train, t_train, epochs=10, batch_size=100, progress=False)
''',
        },
        "correct": {
            "momentum SGD and 50 hidden units": '''
from course_lib.optimizers import Momentum


def train_digit_classifier(x_train, t_train):
    model = TwoLayerNet(784, 50, 10, seed=1)
    fit(model, Momentum(lr=0.05, momentum=0.9), x_train, t_train, epochs=12, batch_size=64,
        seed=1, progress=False)
    return model
''',
            "an own loop over mini-batches with RMSProp": '''
from course_lib.data import minibatches


def train_digit_classifier(x_train, t_train):
    model = TwoLayerNet(784, 128, 10, seed=2)
    optimizer = RMSProp(lr=1e-3, decay=0.9)
    for epoch in range(8):
        for x_batch, t_batch in minibatches(x_train, t_train, 128, seed=epoch):
            optimizer.update(model.params, model.gradient(x_batch, t_batch))
    return model
''',
        },
    },
}
