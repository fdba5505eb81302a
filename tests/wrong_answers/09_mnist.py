"""Typical wrong answers and differently written correct answers for 09_mnist.

Consumed by tests/test_wrong_answers.py. Most wrong answers are a correct answer below with one
mistake put in by `with_mistake`.
"""
from grading_tools import with_mistake

NETWORK_LOSS = '''
def network_loss(params, x, t):
    labels = t.argmax(axis=1) if t.ndim == 2 else t
    if labels.shape != (x.shape[0],):
        raise ValueError(f"t has shape {t.shape}, but x has {x.shape[0]} samples")
    if labels.min() < 0 or labels.max() >= params["W2"].shape[1]:
        raise ValueError(f"t holds a label that is no class: {labels}")
    h = np.maximum(x @ params["W1"] + params["b1"], 0)
    s = h @ params["W2"] + params["b2"]
    m = s.max(axis=1, keepdims=True)
    log_sum_exp = m[:, 0] + np.log(np.exp(s - m).sum(axis=1))
    return float(np.mean(log_sum_exp - s[np.arange(len(s)), labels]))
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

DIGIT_NETWORK = '''
class DigitNetwork:
    def __init__(self, n_inputs, n_hidden, n_classes, seed=None):
        rng = np.random.default_rng(seed)
        params = {
            "W1": rng.normal(0.0, np.sqrt(2.0 / n_inputs), size=(n_inputs, n_hidden)),
            "b1": np.zeros(n_hidden),
            "W2": rng.normal(0.0, np.sqrt(2.0 / n_hidden), size=(n_hidden, n_classes)),
            "b2": np.zeros(n_classes),
        }
        self.params = {key: value for key, value in params.items()}

    def loss(self, x, t):
        return network_loss(self.params, x, t)

    def gradient(self, x, t):
        return network_gradient(self.params, x, t)

    def predict(self, x):
        hidden = np.maximum(x @ self.params["W1"] + self.params["b1"], 0)
        return np.argmax(hidden @ self.params["W2"] + self.params["b2"], axis=1)
'''

TRAIN_NETWORK = '''
def train_network(network, x, t, epochs, batch_size, lr, momentum=0.9, seed=None):
    rng = np.random.default_rng(seed)
    velocity = {key: np.zeros_like(value) for key, value in network.params.items()}
    batch_losses = []
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            rows = order[start:start + batch_size]
            xb, tb = x[rows], t[rows]
            batch_losses.append(float(network.loss(xb, tb)))
            grads = network.gradient(xb, tb)
            for key, param in network.params.items():
                velocity[key] = momentum * velocity[key] - lr * grads[key]
                param += velocity[key]
    return batch_losses
'''

ANSWERS = {
    "network_loss": {
        "tests": ["test_network_loss", "test_network_loss_checks"],
        "wrong": {
            "a loss not averaged over the batch (summed)": with_mistake(
                NETWORK_LOSS, "return float(np.mean(", "return float(np.sum("),
            "averaged over all N*K entries of a one-hot product": with_mistake(
                NETWORK_LOSS,
                "log_sum_exp = m[:, 0] + np.log(np.exp(s - m).sum(axis=1))\n"
                "    return float(np.mean(log_sum_exp - s[np.arange(len(s)), labels]))",
                "log_y = s - m - np.log(np.exp(s - m).sum(axis=1, keepdims=True))\n"
                "    onehot = np.eye(s.shape[1])[labels]\n"
                "    return float(-np.mean(onehot * log_y))"),
            "unstable: exp of the raw scores": with_mistake(
                NETWORK_LOSS,
                "m = s.max(axis=1, keepdims=True)\n"
                "    log_sum_exp = m[:, 0] + np.log(np.exp(s - m).sum(axis=1))\n"
                "    return float(np.mean(log_sum_exp - s[np.arange(len(s)), labels]))",
                "y = np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)\n"
                "    return float(-np.mean(np.log(y[np.arange(len(s)), labels])))"),
            "log of a shifted softmax plus 1e-7 (wrong for very large scores)": with_mistake(
                NETWORK_LOSS,
                "m = s.max(axis=1, keepdims=True)\n"
                "    log_sum_exp = m[:, 0] + np.log(np.exp(s - m).sum(axis=1))\n"
                "    return float(np.mean(log_sum_exp - s[np.arange(len(s)), labels]))",
                "e = np.exp(s - s.max(axis=1, keepdims=True))\n"
                "    y = e / e.sum(axis=1, keepdims=True)\n"
                "    return float(-np.mean(np.log(y[np.arange(len(s)), labels] + 1e-7)))"),
            "forgets the ReLU": with_mistake(
                NETWORK_LOSS, 'h = np.maximum(x @ params["W1"] + params["b1"], 0)',
                'h = x @ params["W1"] + params["b1"]'),
            "one-hot rows used as indices (only class indices work)": with_mistake(
                NETWORK_LOSS, "labels = t.argmax(axis=1) if t.ndim == 2 else t", "labels = t"),
            "one-hot rows read along the wrong axis": with_mistake(
                NETWORK_LOSS, "t.argmax(axis=1)", "t.argmax(axis=0)"),
            "no check of the labels (-1 is read as the last class)": with_mistake(
                NETWORK_LOSS, 'if labels.min() < 0 or labels.max() >= params["W2"].shape[1]:',
                'if labels.max() >= params["W2"].shape[1]:'),
            "only labels above the classes are caught (K is, -1 and -K are not)": with_mistake(
                NETWORK_LOSS, 'if labels.min() < 0 or labels.max() >= params["W2"].shape[1]:',
                'if labels.min() < -params["W2"].shape[1] or labels.max() >= params["W2"].shape[1]:'),
            "no check that t has one label per sample": with_mistake(
                NETWORK_LOSS, "if labels.shape != (x.shape[0],):", "if False:"),
        },
        "correct": {
            "np.logaddexp.reduce and take_along_axis": '''
def network_loss(params, x, t):
    t = np.asarray(t)
    k = params["b2"].shape[0]
    idx = t.nonzero()[1] if t.ndim == 2 else t
    if t.shape[0:1] != x.shape[0:1] or idx.shape != (x.shape[0],) or t.ndim > 2:
        raise ValueError("t must hold one label per row of x")
    if not np.all((0 <= idx) & (idx < k)):
        raise ValueError("labels outside 0..K-1")
    scores = np.maximum(0, x.dot(params["W1"]) + params["b1"]).dot(params["W2"]) + params["b2"]
    log_norm = np.logaddexp.reduce(scores, axis=1)
    correct = np.take_along_axis(scores, idx[:, None], axis=1)[:, 0]
    return (log_norm - correct).mean().item()
''',
            "a loop over the samples, one-hot rows multiplied in": '''
import math


def network_loss(params, x, t):
    n_classes = len(params["b2"])
    if t.ndim == 1:
        if len(t) != len(x):
            raise ValueError(f"{len(t)} labels for {len(x)} samples")
        for label in t:
            if not 0 <= label < n_classes:
                raise ValueError(f"label {label} is not a class 0..{n_classes - 1}")
        t = np.eye(n_classes)[t]
    elif t.shape != (len(x), n_classes):
        raise ValueError(f"one-hot labels of shape {t.shape} for {len(x)} samples")
    total = 0.0
    for sample, target in zip(x, t):
        hidden = np.maximum(sample @ params["W1"] + params["b1"], 0)
        scores = hidden @ params["W2"] + params["b2"]
        top = scores.max()
        total += top + math.log(np.exp(scores - top).sum()) - scores @ target
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
    "DigitNetwork": {
        "tests": ["test_DigitNetwork", "test_DigitNetwork_gradient"],
        "wrong": {
            # first: graded through the judge too (test_wrong_answers_graded), where an in-place
            # change of an array the kernel made must travel back
            "copies the weights for the methods (in-place changes unseen)": with_mistake(
                DIGIT_NETWORK, "        self.params = {key: value for key, value in params.items()}",
                "        self.params = {key: value for key, value in params.items()}\n"
                "        self.frozen = {key: value.copy() for key, value in params.items()}").replace(
                "return network_loss(self.params, x, t)", "return network_loss(self.frozen, x, t)").replace(
                "return network_gradient(self.params, x, t)", "return network_gradient(self.frozen, x, t)"),
            "weights of standard deviation 0.01 instead of He's": with_mistake(
                DIGIT_NETWORK, "np.sqrt(2.0 / n_inputs)", "0.01"),
            "ignores the seed": with_mistake(
                DIGIT_NETWORK, "rng = np.random.default_rng(seed)", "rng = np.random.default_rng()"),
            "float32 parameters": with_mistake(
                DIGIT_NETWORK, "        self.params = {key: value for key, value in params.items()}",
                "        self.params = {key: value.astype(np.float32) for key, value in params.items()}"),
            "predict returns the scores, not the classes": with_mistake(
                DIGIT_NETWORK, "return np.argmax(hidden @ self.params[\"W2\"] + self.params[\"b2\"], axis=1)",
                "return hidden @ self.params[\"W2\"] + self.params[\"b2\"]"),
            "predict returns the classes as floats": with_mistake(
                DIGIT_NETWORK, "axis=1)", "axis=1).astype(float)"),
            "loss returns a one-element array": with_mistake(
                DIGIT_NETWORK, "return network_loss(self.params, x, t)",
                "return np.array([network_loss(self.params, x, t)])"),
            "gradient also takes an SGD step (backprop that updates the weights)": with_mistake(
                DIGIT_NETWORK, "        return network_gradient(self.params, x, t)",
                "        grads = network_gradient(self.params, x, t)\n"
                "        for key in self.params:\n            self.params[key] -= 0.01 * grads[key]\n"
                "        return grads"),
            "gradient not divided by the batch size": with_mistake(
                DIGIT_NETWORK, "        return network_gradient(self.params, x, t)",
                "        return {key: len(x) * g for key, g in network_gradient(self.params, x, t).items()}"),
        },
        "correct": {
            "self-contained, with standard_normal draws and np.take_along_axis": '''
class DigitNetwork:
    def __init__(self, n_inputs, n_hidden, n_classes, seed=None):
        rng = np.random.default_rng(seed)
        self.params = {}
        for name, (fan_in, fan_out) in (("1", (n_inputs, n_hidden)), ("2", (n_hidden, n_classes))):
            self.params["W" + name] = rng.standard_normal((fan_in, fan_out)) * (2.0 / fan_in) ** 0.5
            self.params["b" + name] = np.zeros(fan_out)

    def _forward(self, x):
        a1 = x @ self.params["W1"] + self.params["b1"]
        return a1, np.maximum(a1, 0.0) @ self.params["W2"] + self.params["b2"]

    def loss(self, x, t):
        _, s = self._forward(x)
        log_p = s - np.logaddexp.reduce(s, axis=1, keepdims=True)
        return -np.take_along_axis(log_p, t.reshape(-1, 1), axis=1).mean().item()

    def gradient(self, x, t):
        a1, s = self._forward(x)
        z1 = np.maximum(a1, 0.0)
        ds = np.exp(s - np.logaddexp.reduce(s, axis=1, keepdims=True))
        ds[np.arange(len(x)), t] -= 1.0
        ds /= len(x)
        da1 = (ds @ self.params["W2"].T) * (a1 > 0)
        return {"W1": x.T @ da1, "b1": da1.sum(axis=0), "W2": z1.T @ ds, "b2": ds.sum(axis=0)}

    def predict(self, x):
        return self._forward(x)[1].argmax(axis=1)
''',
        },
    },
    "train_network": {
        "tests": ["test_train_network", "test_train_network_digits"],
        "wrong": {
            "a new generator every epoch (the same order every epoch)": with_mistake(
                TRAIN_NETWORK, "        order = rng.permutation(len(x))",
                "        order = np.random.default_rng(seed).permutation(len(x))"),
            "the velocity kept from one call to the next (a module-level dict)": with_mistake(
                TRAIN_NETWORK, "    velocity = {key: np.zeros_like(value) for key, value in network.params.items()}\n",
                "    for key, value in network.params.items():\n"
                "        VELOCITY.setdefault(key, np.zeros_like(value))\n    velocity = VELOCITY\n").replace(
                "def train_network(", "VELOCITY = {}\n\n\ndef train_network("),
            "records the loss after the update": with_mistake(
                TRAIN_NETWORK, "            batch_losses.append(float(network.loss(xb, tb)))\n", "").replace(
                "                param += velocity[key]\n",
                "                param += velocity[key]\n            batch_losses.append(float(network.loss(xb, tb)))\n"),
            "drops the last, smaller batch": with_mistake(
                TRAIN_NETWORK, "range(0, len(x), batch_size)", "range(0, len(x) - batch_size + 1, batch_size)"),
            "replaces the parameter arrays instead of changing them in place": with_mistake(
                TRAIN_NETWORK, "            for key, param in network.params.items():\n"
                "                velocity[key] = momentum * velocity[key] - lr * grads[key]\n"
                "                param += velocity[key]",
                "            for key in list(network.params):\n"
                "                velocity[key] = momentum * velocity[key] - lr * grads[key]\n"
                "                network.params[key] = network.params[key] + velocity[key]"),
            "ignores momentum (plain SGD)": with_mistake(
                TRAIN_NETWORK, "velocity[key] = momentum * velocity[key] - lr * grads[key]",
                "velocity[key] = -lr * grads[key]"),
            "a fixed momentum of 0.9, whatever is passed": with_mistake(
                TRAIN_NETWORK, "velocity[key] = momentum * velocity[key] - lr * grads[key]",
                "velocity[key] = 0.9 * velocity[key] - lr * grads[key]"),
            "the notes' momentum step (w += momentum * v - lr * g)": with_mistake(
                TRAIN_NETWORK, "param += velocity[key]", "param += momentum * velocity[key] - lr * grads[key]"),
            "seed=None treated as seed 0": with_mistake(
                TRAIN_NETWORK, "np.random.default_rng(seed)", "np.random.default_rng(0 if seed is None else seed)"),
        },
        "correct": {
            "velocities as a list, batches from np.split, np.add with out=": '''
def train_network(network, x, t, epochs, batch_size, lr, momentum=0.9, seed=None):
    rng = np.random.default_rng(seed)
    keys = list(network.params)
    velocities = [np.zeros_like(network.params[key]) for key in keys]
    history = []
    for epoch in range(epochs):
        order = rng.permutation(x.shape[0])
        for rows in np.split(order, np.arange(batch_size, x.shape[0], batch_size)):
            history.append(float(network.loss(x[rows], t[rows])))
            grads = network.gradient(x[rows], t[rows])
            for i, key in enumerate(keys):
                velocities[i] *= momentum
                velocities[i] -= lr * grads[key]
                np.add(network.params[key], velocities[i], out=network.params[key])
    return history
''',
        },
    },
}
