"""Typical wrong answers and differently written correct answers for 12_regularization.

Consumed by tests/test_wrong_answers.py. Most wrong answers are a correct answer below with one
mistake put in by `with_mistake`.
"""
from grading_tools import with_mistake

REGULARIZED = '''
def regularized_loss_and_gradient(model, x, t, weight_decay):
    loss, grads = model.loss_and_gradient(x, t)
    for key in ("W1", "W2"):
        w = model.params[key]
        loss += 0.5 * weight_decay * np.sum(w * w)
        grads[key] = grads[key] + weight_decay * w
    return float(loss), grads
'''

DROPOUT = '''
class Dropout:
    def __init__(self, p, seed=None):
        self.p = p
        self.rng = np.random.default_rng(seed)

    def forward(self, x, training=True):
        if not training:
            self.scale = None
            return x
        keep = self.rng.random(x.shape) >= self.p
        self.scale = keep / (1 - self.p)
        return x * self.scale

    def backward(self, dout):
        if self.scale is None:
            return dout
        return dout * self.scale
'''

EARLY_STOPPING = '''
def early_stopping(val_losses, patience):
    best_epoch, best_loss = None, float("inf")
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best_loss:
            best_epoch, best_loss = epoch, loss
        elif epoch - best_epoch == patience:
            return best_epoch, epoch
    return best_epoch, None
'''

WARMUP_COSINE = '''
def warmup_cosine(step, warmup_steps, total_steps):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(step - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)
    return 0.5 * (1 + np.cos(np.pi * progress))
'''

TRAIN_REGULARIZED = '''
def train_regularized(x_train, t_train):
    model = TwoLayerNet(784, 200, 10, seed=0, dropout=0.5)
    fit(model, Adam(lr=1e-3), x_train, t_train, epochs=60, batch_size=50, seed=0, progress=False,
        augment=RandomShift(2, seed=0))
    return model
'''

ANSWERS = {
    "regularized_loss_and_gradient": {
        "wrong": {
            "penalty without the 1/2 (lambda sum W^2) but gradient lambda W": with_mistake(
                REGULARIZED, "0.5 * weight_decay * np.sum(w * w)", "weight_decay * np.sum(w * w)"),
            "gradient 2 lambda W for the penalty (lambda / 2) sum W^2": with_mistake(
                REGULARIZED, "grads[key] + weight_decay * w", "grads[key] + 2 * weight_decay * w"),
            "the biases decayed too": with_mistake(
                REGULARIZED, 'for key in ("W1", "W2"):', 'for key in ("W1", "b1", "W2", "b2"):'),
            "the penalty's gradient subtracted": with_mistake(
                REGULARIZED, "grads[key] + weight_decay * w", "grads[key] - weight_decay * w"),
            "the penalty in the gradient only, not in the loss": with_mistake(
                REGULARIZED, "        loss += 0.5 * weight_decay * np.sum(w * w)\n", ""),
            "an L1 penalty (sum of |W|) in the loss": with_mistake(
                REGULARIZED, "np.sum(w * w)", "np.sum(np.abs(w))"),
            "decays the weights themselves instead of adding to the gradient": with_mistake(
                REGULARIZED, "        grads[key] = grads[key] + weight_decay * w\n",
                "        w *= 1 - weight_decay\n"),
        },
        "correct": {
            "a dict comprehension over the keys": '''
def regularized_loss_and_gradient(model, x, t, weight_decay):
    data_loss, data_grads = model.loss_and_gradient(x, t)
    penalty = weight_decay / 2 * sum((model.params[k] ** 2).sum() for k in ("W1", "W2"))
    grads = {k: g + weight_decay * model.params[k] if k.startswith("W") else g
             for k, g in data_grads.items()}
    return data_loss + penalty, grads
''',
            "in-place += on the returned gradients and np.vdot": '''
def regularized_loss_and_gradient(model, x, t, weight_decay):
    loss, grads = model.loss_and_gradient(x, t)
    w1, w2 = model.params["W1"], model.params["W2"]
    grads["W1"] += weight_decay * w1
    grads["W2"] += weight_decay * w2
    return loss + 0.5 * weight_decay * (np.vdot(w1, w1) + np.vdot(w2, w2)), grads
''',
        },
    },
    "dropout": {
        "wrong": {
            "no scaling (dropout without the inversion)": with_mistake(
                DROPOUT, "self.scale = keep / (1 - self.p)", "self.scale = keep * 1.0"),
            "kept values scaled by 1 / p": with_mistake(
                DROPOUT, "self.scale = keep / (1 - self.p)", "self.scale = keep / self.p"),
            "keeps each value with probability p": with_mistake(
                DROPOUT, "keep = self.rng.random(x.shape) >= self.p", "keep = self.rng.random(x.shape) < self.p"),
            "one mask for the whole batch (the same columns dropped in every row)": with_mistake(
                DROPOUT, "keep = self.rng.random(x.shape) >= self.p",
                "keep = self.rng.random(x.shape[-1]) >= self.p"),
            "the same mask on every call": with_mistake(
                DROPOUT, "        keep = self.rng.random(x.shape) >= self.p\n",
                "        if not hasattr(self, 'keep'):\n"
                "            self.keep = self.rng.random(x.shape) >= self.p\n"
                "        keep = self.keep\n"),
            "scales at test time too (multiplies by 1 - p)": with_mistake(
                DROPOUT, "            self.scale = None\n            return x\n",
                "            self.scale = None\n            return x * (1 - self.p)\n"),
            "drops at test time too": with_mistake(
                DROPOUT, "        if not training:\n            self.scale = None\n            return x\n", ""),
            "backward forgets the scaling": with_mistake(
                DROPOUT, "        return dout * self.scale\n", "        return dout * (self.scale > 0)\n"),
            "backward draws a new mask": with_mistake(
                DROPOUT, "        return dout * self.scale\n",
                "        keep = self.rng.random(dout.shape) >= self.p\n"
                "        return dout * keep / (1 - self.p)\n"),
            "changes x in place": with_mistake(
                DROPOUT, "        return x * self.scale\n", "        x *= self.scale\n        return x\n"),
            "backward after a test-time pass uses the last training mask": with_mistake(
                DROPOUT, "            self.scale = None\n            return x\n", "            return x\n"),
        },
        "correct": {
            "a boolean mask from binomial and np.where": '''
class Dropout:
    def __init__(self, p, seed=None):
        self.p = p
        self.rng = np.random.default_rng(seed)
        self.mask = None

    def forward(self, x, training=True):
        self.mask = None
        if training:
            self.mask = self.rng.binomial(1, 1 - self.p, size=np.shape(x)).astype(bool)
            return np.where(self.mask, x / (1 - self.p), 0.0)
        return np.array(x, copy=True)

    def backward(self, dout):
        if self.mask is None:
            return dout
        return np.where(self.mask, dout / (1 - self.p), 0.0)
''',
            "a mask of ones at test time": '''
class Dropout:
    def __init__(self, p, seed=None):
        self.p = p
        self.rng = np.random.default_rng(seed)

    def forward(self, x, training=True):
        if training:
            keep_probability = 1.0 - self.p
            self.mask = (self.rng.uniform(size=x.shape) < keep_probability) / keep_probability
        else:
            self.mask = np.ones_like(x)
        return x * self.mask

    def backward(self, dout):
        return dout * self.mask
''',
        },
    },
    "early_stopping": {
        "wrong": {
            "an equal loss counts as an improvement": with_mistake(
                EARLY_STOPPING, "if loss < best_loss:", "if loss <= best_loss:"),
            "epochs counted from 0": with_mistake(
                EARLY_STOPPING, "enumerate(val_losses, start=1)", "enumerate(val_losses)"),
            "stops one epoch too late": with_mistake(
                EARLY_STOPPING, "epoch - best_epoch == patience", "epoch - best_epoch == patience + 1"),
            "waits for the loss to rise against the previous epoch, not the best": '''
def early_stopping(val_losses, patience):
    best_epoch, best_loss, previous, waited = None, float("inf"), float("inf"), 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best_loss:
            best_epoch, best_loss = epoch, loss
        waited = 0 if loss < previous else waited + 1
        previous = loss
        if waited == patience:
            return best_epoch, epoch
    return best_epoch, None
''',
            "the last epoch instead of None when training goes on": with_mistake(
                EARLY_STOPPING, "    return best_epoch, None", "    return best_epoch, len(val_losses)"),
        },
        "correct": {
            "numpy running minimum": '''
def early_stopping(val_losses, patience):
    losses = np.asarray(val_losses, dtype=float)
    if losses.size == 0:
        return None, None
    epochs = np.arange(1, losses.size + 1)
    improved = np.concatenate([[True], losses[1:] < np.minimum.accumulate(losses)[:-1]])
    best_so_far = np.maximum.accumulate(np.where(improved, epochs, 0))
    stops = np.flatnonzero(epochs - best_so_far >= patience)
    if stops.size:
        return int(best_so_far[stops[0]]), int(stops[0]) + 1
    return int(best_so_far[-1]), None
''',
            "a counter of epochs waited": '''
def early_stopping(val_losses, patience):
    best_epoch, waited = None, 0
    for i, loss in enumerate(val_losses):
        if best_epoch is None or loss < val_losses[best_epoch - 1]:
            best_epoch, waited = i + 1, 0
        else:
            waited += 1
            if waited >= patience:
                return best_epoch, i + 1
    return best_epoch, None
''',
        },
    },
    "warmup_cosine": {
        "wrong": {
            "the warm-up starts at 0 (step / warmup_steps)": with_mistake(
                WARMUP_COSINE, "return (step + 1) / warmup_steps", "return step / warmup_steps"),
            "the cosine spans the whole run, not the steps after the warm-up": with_mistake(
                WARMUP_COSINE,
                "progress = min(step - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)",
                "progress = min(step, total_steps) / total_steps"),
            "cos itself, from 1 down to -1": with_mistake(
                WARMUP_COSINE, "return 0.5 * (1 + np.cos(np.pi * progress))", "return np.cos(np.pi * progress)"),
            "a linear decay instead of the cosine": with_mistake(
                WARMUP_COSINE, "return 0.5 * (1 + np.cos(np.pi * progress))", "return 1 - progress"),
            "rises again after total_steps": with_mistake(
                WARMUP_COSINE,
                "progress = min(step - warmup_steps, total_steps - warmup_steps) / (total_steps - warmup_steps)",
                "progress = (step - warmup_steps) / (total_steps - warmup_steps)"),
            "the warm-up one step too long": with_mistake(
                WARMUP_COSINE, "if step < warmup_steps:", "if step <= warmup_steps:"),
            "a whole cosine period (2 pi)": with_mistake(
                WARMUP_COSINE, "np.cos(np.pi * progress)", "np.cos(2 * np.pi * progress)"),
        },
        "correct": {
            "math.cos and an early return after the end": '''
import math


def warmup_cosine(step, warmup_steps, total_steps):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    if step >= total_steps:
        return 0.0
    fraction = (step - warmup_steps) / (total_steps - warmup_steps)
    return (math.cos(math.pi * fraction) + 1) / 2
''',
            "np.interp and np.clip": '''
def warmup_cosine(step, warmup_steps, total_steps):
    warm = np.interp(step, [0, max(warmup_steps - 1, 0)], [1 / max(warmup_steps, 1), 1.0])
    angle = np.pi * np.clip((step - warmup_steps) / (total_steps - warmup_steps), 0, 1)
    return float(warm if step < warmup_steps else (1 + np.cos(angle)) / 2)
''',
        },
    },
    "train_regularized": {
        "wrong": {
            "the plain network itself (no regularization)": '''
def train_regularized(x_train, t_train):
    model = TwoLayerNet(784, 100, 10, seed=0)
    fit(model, Adam(lr=1e-3), x_train, t_train, epochs=40, batch_size=50, seed=0, progress=False)
    return model
''',
            "too little: L2 with weight_decay 1e-3 only": '''
def train_regularized(x_train, t_train):
    model = TwoLayerNet(784, 100, 10, seed=0)
    fit(model, Adam(lr=1e-3), x_train, t_train, epochs=40, batch_size=50, seed=0, progress=False,
        weight_decay=1e-3)
    return model
''',
            "too little: dropout 0.5 only": '''
def train_regularized(x_train, t_train):
    model = TwoLayerNet(784, 100, 10, seed=0, dropout=0.5)
    fit(model, Adam(lr=1e-3), x_train, t_train, epochs=40, batch_size=50, seed=0, progress=False)
    return model
''',
            "returns a network trained earlier in the notebook": '''
def train_regularized(x_train, t_train):
    return combined_net
''',
            "trains on the notebook's images instead of its arguments": with_mistake(
                TRAIN_REGULARIZED, "x_train, t_train, epochs=60", "x_small, t_small, epochs=60"),
            "returns the training history instead of the model": with_mistake(
                TRAIN_REGULARIZED, "    fit(model, Adam(", "    return fit(model, Adam("),
        },
        "correct": {
            "a data set enlarged once by shifted copies, AdamW and dropout": '''
def train_regularized(x_train, t_train):
    shifts = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    x_big = np.concatenate([shift_images(x_train, dy, dx) for dy, dx in shifts])
    t_big = np.tile(t_train, len(shifts))
    model = TwoLayerNet(784, 200, 10, seed=1, dropout=0.3)
    fit(model, AdamW(lr=1e-3, weight_decay=0.05), x_big, t_big, epochs=6, batch_size=100, seed=1,
        progress=False)
    return model
''',
            "random shifts with early stopping on 100 digits held back": '''
def train_regularized(x_train, t_train):
    x_fit, t_fit, x_check, t_check = x_train[100:], t_train[100:], x_train[:100], t_train[:100]
    model = TwoLayerNet(784, 200, 10, seed=3, dropout=0.4)
    fit(model, Adam(lr=2e-3), x_fit, t_fit, epochs=60, batch_size=40, x_val=x_check, t_val=t_check,
        seed=3, progress=False, augment=RandomShift(2, seed=3), patience=15)
    return model
''',
        },
    },
}
