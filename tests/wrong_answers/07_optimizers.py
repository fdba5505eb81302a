"""Typical wrong answers and differently written correct answers for 07_optimizers.

Consumed by tests/test_wrong_answers.py. Most wrong answers are a correct answer below with one
mistake put in by `with_mistake`.
"""
from grading_tools import with_mistake

MOMENTUM_INIT = '''
class Momentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None
'''

ADAGRAD_INIT = '''
class AdaGrad:
    def __init__(self, lr=0.01, eps=1e-8):
        self.lr = lr
        self.eps = eps
        self.h = None
'''

RMSPROP_INIT = '''
class RMSProp:
    def __init__(self, lr=0.001, decay=0.99, eps=1e-8):
        self.lr = lr
        self.decay = decay
        self.eps = eps
        self.h = None
'''

ADAM_INIT = '''
class Adam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.t = 0
        self.m = None
        self.v = None
'''

STEP_DECAY_INIT = '''
class StepDecay:
    def __init__(self, every, factor):
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:
            raise ValueError(f"every: expected a whole number >= 1, got {every!r}")
        if not 0 < factor <= 1:
            raise ValueError(f"factor: expected a number in (0, 1], got {factor!r}")
        self.every = every
        self.factor = factor
'''

STEP_DECAY = STEP_DECAY_INIT + '''
    def __call__(self, step):
        return float(self.factor) ** (step // self.every)
'''

MOMENTUM = MOMENTUM_INIT + '''
    def update(self, params, grads):
        if self.v is None:
            self.v = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]
'''

ADAGRAD = ADAGRAD_INIT + '''
    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            self.h[key] += grads[key] ** 2
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)
'''

RMSPROP = RMSPROP_INIT + '''
    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            self.h[key] = self.decay * self.h[key] + (1 - self.decay) * grads[key] ** 2
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + self.eps)
'''

ADAM = ADAM_INIT + '''
    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(value) for key, value in params.items()}
            self.v = {key: np.zeros_like(value) for key, value in params.items()}
        self.t += 1
        for key in params:
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            m_hat = self.m[key] / (1 - self.beta1 ** self.t)
            v_hat = self.v[key] / (1 - self.beta2 ** self.t)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
'''

ANSWERS = {
    "Momentum": {
        "wrong": {
            "the notes' loop: w moves by momentum * velocity - lr * gradient": with_mistake(
                MOMENTUM, "params[key] += self.v[key]",
                "params[key] += self.momentum * self.v[key] - self.lr * grads[key]"),
            "the velocity is not kept from one update to the next": MOMENTUM_INIT + '''
    def update(self, params, grads):
        for key in params:
            v = np.zeros_like(params[key])
            v = self.momentum * v - self.lr * grads[key]
            params[key] += v
''',
            "the gradient pushes the velocity uphill": with_mistake(
                MOMENTUM, "- self.lr * grads[key]", "+ self.lr * grads[key]"),
            "the step uses the old velocity, updated afterwards": with_mistake(
                MOMENTUM,
                "self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]\n"
                "            params[key] += self.v[key]",
                "params[key] += self.v[key]\n"
                "            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]"),
            "one velocity shared by all parameters": MOMENTUM_INIT + '''
    def update(self, params, grads):
        for key in params:
            if self.v is None:
                self.v = np.zeros_like(params[key])
            self.v = self.momentum * self.v - self.lr * grads[key]
            params[key] += self.v
''',
            "replaces the parameter arrays instead of updating them in place": with_mistake(
                MOMENTUM, "params[key] += self.v[key]", "params[key] = params[key] + self.v[key]"),
        },
        "correct": {
            "PyTorch's form: b <- mu b + g, w <- w - lr b": MOMENTUM_INIT + '''
    def update(self, params, grads):
        if self.v is None:
            self.v = {}
        for key, w in params.items():
            b = self.v.setdefault(key, np.zeros_like(w))
            b *= self.momentum
            b += grads[key]
            w -= self.lr * b
''',
            "in-place velocity arrays created one key at a time": MOMENTUM_INIT + '''
    def update(self, params, grads):
        if self.v is None:
            self.v = {}
        for key in params.keys():
            if key not in self.v:
                self.v[key] = np.zeros_like(params[key])
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * grads[key]
            params[key] += self.v[key]
''',
        },
    },
    "AdaGrad": {
        "wrong": {
            "no eps: 0 / 0 on a weight without gradient": ADAGRAD_INIT + '''
    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / np.sqrt(self.h[key])
''',
            "h holds only the newest squared gradient": ADAGRAD_INIT + '''
    def update(self, params, grads):
        for key in params:
            h = grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(h) + self.eps)
''',
            "forgets the square root": with_mistake(
                ADAGRAD, "/ (np.sqrt(self.h[key]) + self.eps)", "/ (self.h[key] + self.eps)"),
            "accumulates the gradients instead of their squares": with_mistake(
                ADAGRAD, "self.h[key] += grads[key] ** 2", "self.h[key] += np.abs(grads[key])"),
        },
        "correct": {
            "Deep Learning from Scratch style, with eps = 1e-7": ADAGRAD_INIT + '''
    def update(self, params, grads):
        if self.h is None:
            self.h = {}
            for key, val in params.items():
                self.h[key] = np.zeros_like(val)
        for key in params.keys():
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)
''',
            "eps inside the square root": ADAGRAD_INIT + '''
    def update(self, params, grads):
        if self.h is None:
            self.h = {k: np.zeros(p.shape, dtype=p.dtype) for k, p in params.items()}
        for k in params:
            g = grads[k]
            self.h[k] = self.h[k] + np.square(g)
            params[k] -= self.lr * g / np.sqrt(self.h[k] + self.eps)
''',
        },
    },
    "RMSProp": {
        "wrong": {
            "accumulates like AdaGrad (forgets the decay)": with_mistake(
                RMSPROP, "self.h[key] = self.decay * self.h[key] + (1 - self.decay) * grads[key] ** 2",
                "self.h[key] += grads[key] ** 2"),
            "drops the (1 - decay) factor": with_mistake(
                RMSPROP, "+ (1 - self.decay) * grads[key] ** 2", "+ grads[key] ** 2"),
            "swaps decay and 1 - decay": with_mistake(
                RMSPROP, "self.h[key] = self.decay * self.h[key] + (1 - self.decay) * grads[key] ** 2",
                "self.h[key] = (1 - self.decay) * self.h[key] + self.decay * grads[key] ** 2"),
            "forgets the square root": with_mistake(
                RMSPROP, "/ (np.sqrt(self.h[key]) + self.eps)", "/ (self.h[key] + self.eps)"),
            "no eps: 0 / 0 on a weight without gradient": with_mistake(
                RMSPROP, "/ (np.sqrt(self.h[key]) + self.eps)", "/ np.sqrt(self.h[key])"),
        },
        "correct": {
            "in-place moving average with setdefault": RMSPROP_INIT + '''
    def update(self, params, grads):
        if self.h is None:
            self.h = {}
        for key, w in params.items():
            g = grads[key]
            h = self.h.setdefault(key, np.zeros_like(w))
            h *= self.decay
            h += (1 - self.decay) * g * g
            w -= self.lr * g / (np.sqrt(h) + self.eps)
''',
            "eps inside the square root (as in Goodfellow et al.)": RMSPROP_INIT + '''
    def update(self, params, grads):
        if self.h is None:
            self.h = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            self.h[key] = self.h[key] + (1 - self.decay) * (grads[key] ** 2 - self.h[key])
            params[key] -= self.lr * grads[key] / np.sqrt(self.h[key] + self.eps)
''',
        },
    },
    "Adam": {
        "wrong": {
            "no bias correction": ADAM_INIT + '''
    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(value) for key, value in params.items()}
            self.v = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            params[key] -= self.lr * self.m[key] / (np.sqrt(self.v[key]) + self.eps)
''',
            "counts t once per parameter instead of once per update": with_mistake(
                ADAM, "self.t += 1\n        for key in params:\n",
                "for key in params:\n            self.t += 1\n"),
            "counts t after using it (1 - beta ** 0 = 0 at the first update)": ADAM_INIT + '''
    def update(self, params, grads):
        if self.m is None:
            self.m = {key: np.zeros_like(value) for key, value in params.items()}
            self.v = {key: np.zeros_like(value) for key, value in params.items()}
        for key in params:
            self.m[key] = self.beta1 * self.m[key] + (1 - self.beta1) * grads[key]
            self.v[key] = self.beta2 * self.v[key] + (1 - self.beta2) * grads[key] ** 2
            m_hat = self.m[key] / (1 - self.beta1 ** self.t)
            v_hat = self.v[key] / (1 - self.beta2 ** self.t)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
        self.t += 1
''',
            "corrects only the second moment": with_mistake(
                ADAM,
                "m_hat = self.m[key] / (1 - self.beta1 ** self.t)\n"
                "            v_hat = self.v[key] / (1 - self.beta2 ** self.t)\n"
                "            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)",
                "v_hat = self.v[key] / (1 - self.beta2 ** self.t)\n"
                "            params[key] -= self.lr * self.m[key] / (np.sqrt(v_hat) + self.eps)"),
            "no eps: 0 / 0 on a weight without gradient": with_mistake(
                ADAM, "/ (np.sqrt(v_hat) + self.eps)", "/ np.sqrt(v_hat)"),
            "pairs gradients with parameters by position (zip of the two dicts)": with_mistake(
                ADAM, "        for key in params:\n            self.m[key] = self.beta1 * self.m[key] + "
                "(1 - self.beta1) * grads[key]\n            self.v[key] = self.beta2 * self.v[key] + "
                "(1 - self.beta2) * grads[key] ** 2",
                "        for key, g in zip(params, grads.values()):\n            self.m[key] = self.beta1 * "
                "self.m[key] + (1 - self.beta1) * g\n            self.v[key] = self.beta2 * self.v[key] + "
                "(1 - self.beta2) * g ** 2"),
            "state kept on the class, shared by every Adam optimizer": '''
class Adam:
    t, m, v = 0, {}, {}

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps

    def update(self, params, grads):
        Adam.t += 1
        for key in params:
            if key not in Adam.m:
                Adam.m[key], Adam.v[key] = np.zeros_like(params[key]), np.zeros_like(params[key])
            Adam.m[key] = self.beta1 * Adam.m[key] + (1 - self.beta1) * grads[key]
            Adam.v[key] = self.beta2 * Adam.v[key] + (1 - self.beta2) * grads[key] ** 2
            m_hat = Adam.m[key] / (1 - self.beta1 ** Adam.t)
            v_hat = Adam.v[key] / (1 - self.beta2 ** Adam.t)
            params[key] -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)
''',
            "the paper's efficient form (its eps acts before the bias correction)": ADAM_INIT + '''
    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = {}, {}
            for key, val in params.items():
                self.m[key] = np.zeros_like(val)
                self.v[key] = np.zeros_like(val)
        self.t += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.t) / (1.0 - self.beta1 ** self.t)
        for key in params.keys():
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + self.eps)
''',
            "ignores the eps it is given (a fixed 1e-8)": with_mistake(
                ADAM, "/ (np.sqrt(v_hat) + self.eps)", "/ (np.sqrt(v_hat) + 1e-8)"),
        },
        "correct": {
            "in-place moments created one key at a time": ADAM_INIT + '''
    def update(self, params, grads):
        if self.m is None:
            self.m, self.v = {}, {}
        self.t = self.t + 1
        for key, w in params.items():
            g = grads[key]
            m = self.m.setdefault(key, np.zeros_like(w))
            v = self.v.setdefault(key, np.zeros_like(w))
            m *= self.beta1
            m += (1 - self.beta1) * g
            v *= self.beta2
            v += (1 - self.beta2) * np.square(g)
            w -= self.lr * (m / (1 - self.beta1 ** self.t)) / (np.sqrt(v / (1 - self.beta2 ** self.t)) + self.eps)
''',
        },
    },
    "StepDecay": {
        "wrong": {
            "a continuous exponent step / every": STEP_DECAY_INIT + '''
    def __call__(self, step):
        return self.factor ** (step / self.every)
''',
            "decays one update too early": STEP_DECAY_INIT + '''
    def __call__(self, step):
        return self.factor ** ((step + 1) // self.every)
''',
            "multiplies instead of raising to a power": STEP_DECAY_INIT + '''
    def __call__(self, step):
        return self.factor * (step // self.every) or 1.0
''',
            "uses the remainder instead of the quotient": STEP_DECAY_INIT + '''
    def __call__(self, step):
        return self.factor ** (step % self.every)
''',
            "no argument checks": with_mistake(
                STEP_DECAY, "        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 1:\n"
                "            raise ValueError(f\"every: expected a whole number >= 1, got {every!r}\")\n"
                "        if not 0 < factor <= 1:\n"
                "            raise ValueError(f\"factor: expected a number in (0, 1], got {factor!r}\")\n", ""),
            "refuses numpy integers (isinstance(every, int))": with_mistake(
                STEP_DECAY, "not isinstance(every, (int, np.integer))", "not isinstance(every, int)"),
            "accepts True as every": with_mistake(STEP_DECAY, "isinstance(every, bool) or ", ""),
            "accepts a factor of 0": with_mistake(STEP_DECAY, "if not 0 < factor <= 1:", "if not 0 <= factor <= 1:"),
            "an int factor of 1 for factor = 1 (1 ** k)": with_mistake(
                STEP_DECAY, "return float(self.factor) ** (step // self.every)",
                "return self.factor ** (step // self.every) if self.factor != 1 else 1"),
            "one message for both checks (names neither)": with_mistake(
                STEP_DECAY, "raise ValueError(f\"every: expected a whole number >= 1, got {every!r}\")",
                "raise ValueError(\"invalid schedule\")").replace(
                "raise ValueError(f\"factor: expected a number in (0, 1], got {factor!r}\")",
                "raise ValueError(\"invalid schedule\")"),
        },
        "correct": {
            "math.floor of the division": STEP_DECAY_INIT + '''
    def __call__(self, step):
        import math
        return math.pow(self.factor, math.floor(step / self.every))
''',
            "numbers.Integral checks and a loop that multiplies": '''
import numbers


class StepDecay:
    def __init__(self, every, factor):
        if not isinstance(every, numbers.Integral) or isinstance(every, bool) or int(every) <= 0:
            raise ValueError("every must be a positive whole number, got " + repr(every))
        if not (factor > 0 and factor <= 1):
            raise ValueError("factor must lie in (0, 1], got " + repr(factor))
        self.every, self.factor = int(every), float(factor)

    def __call__(self, step):
        result = 1.0
        for _ in range(step // self.every):
            result *= self.factor
        return result
''',
        },
    },
}
