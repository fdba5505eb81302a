"""Typical wrong answers and differently written correct answers for 11_initialization.

Consumed by tests/test_wrong_answers.py. Most wrong answers are a correct answer below with one
mistake put in by `with_mistake`.
"""
from grading_tools import with_mistake

INIT_RULES = '''
import math


def xavier_std(fan_in, fan_out):
    return math.sqrt(2 / (fan_in + fan_out))


def he_std(fan_in):
    return math.sqrt(2 / fan_in)
'''

DIAGNOSE = '''
import numpy as np


def diagnose_initialization(weights, activation):
    for layer, W in enumerate(weights, start=1):
        n_in, n_out = W.shape
        if np.all(W == W.flat[0]):
            return "symmetric", layer
        if activation == "relu":
            rule = np.sqrt(2 / n_in)
        else:
            rule = np.sqrt(2 / (n_in + n_out))
        ratio = W.std() / rule
        if ratio < 1 / 3:
            return "too small", layer
        if ratio > 3:
            return "too large", layer
    return "ok", None
'''

FORWARD = '''
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=0)
    var = x.var(axis=0)
    x_hat = (x - mean) / np.sqrt(var + eps)
    return gamma * x_hat + beta
'''

BACKWARD = '''
import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    n = len(x)
    mean = x.mean(axis=0)
    inv_std = 1 / np.sqrt(x.var(axis=0) + eps)
    x_hat = (x - mean) * inv_std
    dx_hat = dout * gamma
    dvar = np.sum(dx_hat * (x - mean), axis=0) * -0.5 * inv_std ** 3
    dmean = -np.sum(dx_hat, axis=0) * inv_std + dvar * -2 * np.mean(x - mean, axis=0)
    dx = dx_hat * inv_std + dvar * 2 * (x - mean) / n + dmean / n
    dgamma = np.sum(dout * x_hat, axis=0)
    dbeta = np.sum(dout, axis=0)
    return dx, dgamma, dbeta
'''

RUNNING = '''
import numpy as np


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    n = len(x)
    mean = x.mean(axis=0)
    var = x.var(axis=0) * n / (n - 1)
    return (1 - momentum) * running_mean + momentum * mean, (1 - momentum) * running_var + momentum * var


def batchnorm_inference(x, gamma, beta, running_mean, running_var, eps=1e-5):
    x_hat = (x - running_mean) / np.sqrt(running_var + eps)
    return gamma * x_hat + beta
'''

ANSWERS = {
    "init_rules": {
        "wrong": {
            "xavier without the square root (the variance)": with_mistake(
                INIT_RULES, "math.sqrt(2 / (fan_in + fan_out))", "2 / (fan_in + fan_out)"),
            "xavier as sqrt(1 / fan_in) (Deep Learning from Scratch's version)": with_mistake(
                INIT_RULES, "math.sqrt(2 / (fan_in + fan_out))", "math.sqrt(1 / fan_in)"),
            "xavier as sqrt(1 / (fan_in + fan_out))": with_mistake(
                INIT_RULES, "math.sqrt(2 / (fan_in + fan_out))", "math.sqrt(1 / (fan_in + fan_out))"),
            "he as sqrt(1 / fan_in)": with_mistake(
                INIT_RULES, "math.sqrt(2 / fan_in)", "math.sqrt(1 / fan_in)"),
            "he as sqrt(2) / fan_in": with_mistake(
                INIT_RULES, "math.sqrt(2 / fan_in)", "math.sqrt(2) / fan_in"),
            "he returns a one-element array": with_mistake(
                INIT_RULES, "math.sqrt(2 / fan_in)", "__import__('numpy').sqrt([2 / fan_in])"),
        },
        "correct": {
            "numpy and powers": '''
import numpy as np


def xavier_std(fan_in, fan_out):
    return float(np.sqrt(2.0 / (fan_in + fan_out)))


def he_std(fan_in):
    return (2.0 / fan_in) ** 0.5
''',
        },
    },
    "diagnose_initialization": {
        "wrong": {
            "the He rule for every activation": with_mistake(
                DIAGNOSE, 'if activation == "relu":', "if True:"),
            "the Xavier rule for every activation": with_mistake(
                DIAGNOSE, 'if activation == "relu":', "if False:"),
            "He with fan_out": with_mistake(DIAGNOSE, "np.sqrt(2 / n_in)", "np.sqrt(2 / n_out)"),
            "Xavier as sqrt(1 / fan_in)": with_mistake(
                DIAGNOSE, "np.sqrt(2 / (n_in + n_out))", "np.sqrt(1 / n_in)"),
            "layers counted from 0": with_mistake(DIAGNOSE, "start=1", "start=0"),
            "only all-zero layers count as symmetric": with_mistake(
                DIAGNOSE, "np.all(W == W.flat[0])", "np.all(W == 0)"),
            "no symmetry check (a zero layer is 'too small')": with_mistake(
                DIAGNOSE, "np.all(W == W.flat[0])", "False"),
            "the last broken layer instead of the first": '''
import numpy as np


def diagnose_initialization(weights, activation):
    found = ("ok", None)
    for layer, W in enumerate(weights, start=1):
        n_in, n_out = W.shape
        rule = np.sqrt(2 / n_in) if activation == "relu" else np.sqrt(2 / (n_in + n_out))
        if np.all(W == W.flat[0]):
            found = ("symmetric", layer)
        elif W.std() / rule < 1 / 3:
            found = ("too small", layer)
        elif W.std() / rule > 3:
            found = ("too large", layer)
    return found
''',
            "too small and too large swapped": with_mistake(
                DIAGNOSE, 'return "too small", layer', 'return "too large", layer'),
            "the mean of |W| instead of the standard deviation": with_mistake(
                DIAGNOSE, "ratio = W.std() / rule", "ratio = np.abs(W).mean() / rule / 0.5"),
        },
        "correct": {
            "variances compared, ddof=1, rules by name": '''
import numpy as np


def diagnose_initialization(weights, activation):
    rules = {"relu": lambda n_in, n_out: 2 / n_in,
             "tanh": lambda n_in, n_out: 2 / (n_in + n_out),
             "sigmoid": lambda n_in, n_out: 2 / (n_in + n_out)}
    for i in range(len(weights)):
        W = np.asarray(weights[i], dtype=np.float64)
        if W.max() == W.min():
            return ("symmetric", i + 1)
        ratio_of_variances = W.var(ddof=1) / rules[activation](*W.shape)
        if ratio_of_variances < 1 / 9:
            return ("too small", i + 1)
        if ratio_of_variances > 9:
            return ("too large", i + 1)
    return ("ok", None)
''',
        },
    },
    "batchnorm_forward": {
        "wrong": {
            "no eps (a constant feature divides by 0)": with_mistake(
                FORWARD, "np.sqrt(var + eps)", "np.sqrt(var)"),
            "eps added outside the square root": with_mistake(
                FORWARD, "np.sqrt(var + eps)", "(np.sqrt(var) + eps)"),
            "normalized over the features (axis=1)": with_mistake(
                FORWARD, "mean = x.mean(axis=0)\n    var = x.var(axis=0)",
                "mean = x.mean(axis=1, keepdims=True)\n    var = x.var(axis=1, keepdims=True)"),
            "the unbiased variance (ddof=1)": with_mistake(FORWARD, "x.var(axis=0)", "x.var(axis=0, ddof=1)"),
            "the variance as E[x^2] - E[x]^2": with_mistake(
                FORWARD, "x.var(axis=0)", "(x ** 2).mean(axis=0) - mean ** 2"),
            "gamma and beta swapped": with_mistake(FORWARD, "gamma * x_hat + beta", "beta * x_hat + gamma"),
            "divided by the variance, not the standard deviation": with_mistake(
                FORWARD, "np.sqrt(var + eps)", "(var + eps)"),
        },
        "correct": {
            "two passes by hand, keepdims": '''
import numpy as np


def batchnorm_forward(x, gamma, beta, eps=1e-5):
    n = x.shape[0]
    mu = np.sum(x, axis=0, keepdims=True) / n
    centred = x - mu
    sigma2 = np.sum(centred * centred, axis=0, keepdims=True) / n
    return centred / np.sqrt(sigma2 + eps) * gamma[None, :] + beta[None, :]
''',
        },
    },
    "batchnorm_backward": {
        "wrong": {
            "mean and variance treated as constants": with_mistake(
                BACKWARD, "dx = dx_hat * inv_std + dvar * 2 * (x - mean) / n + dmean / n",
                "dx = dx_hat * inv_std"),
            "the path through the variance left out": with_mistake(
                BACKWARD, "dx = dx_hat * inv_std + dvar * 2 * (x - mean) / n + dmean / n",
                "dx = dx_hat * inv_std + dmean / n"),
            "the path through the mean left out": with_mistake(
                BACKWARD, "dx = dx_hat * inv_std + dvar * 2 * (x - mean) / n + dmean / n",
                "dx = dx_hat * inv_std + dvar * 2 * (x - mean) / n"),
            "dx without gamma (dout taken for dL/dx_hat)": with_mistake(
                BACKWARD, "dx_hat = dout * gamma", "dx_hat = dout"),
            "dvar without the factor -1/2": with_mistake(BACKWARD, " * -0.5 * inv_std ** 3", " * -inv_std ** 3"),
            "dgamma and dbeta swapped": with_mistake(
                BACKWARD, "return dx, dgamma, dbeta", "return dx, dbeta, dgamma"),
            "dgamma not summed over the batch": with_mistake(
                BACKWARD, "dgamma = np.sum(dout * x_hat, axis=0)", "dgamma = np.mean(dout * x_hat, axis=0)"),
            "dbeta as the mean instead of the sum": with_mistake(
                BACKWARD, "dbeta = np.sum(dout, axis=0)", "dbeta = np.mean(dout, axis=0)"),
            "the unbiased variance (N - 1) in the normalization": with_mistake(
                BACKWARD, "inv_std = 1 / np.sqrt(x.var(axis=0) + eps)",
                "inv_std = 1 / np.sqrt(x.var(axis=0, ddof=1) + eps)"),
        },
        "correct": {
            "the simplified formula": '''
import numpy as np


def batchnorm_backward(dout, x, gamma, eps=1e-5):
    s = 1.0 / np.sqrt(np.var(x, axis=0) + eps)
    x_hat = (x - np.mean(x, axis=0)) * s
    g = gamma * dout
    dx = s * (g - np.mean(g, axis=0) - x_hat * np.mean(g * x_hat, axis=0))
    return dx, np.einsum("nd,nd->d", dout, x_hat), dout.sum(0)
''',
        },
    },
    "running_stats": {
        "wrong": {
            "momentum on the old average (Keras's convention)": with_mistake(
                RUNNING,
                "(1 - momentum) * running_mean + momentum * mean, (1 - momentum) * running_var + momentum * var",
                "momentum * running_mean + (1 - momentum) * mean, momentum * running_var + (1 - momentum) * var"),
            "the biased batch variance in the running average": with_mistake(
                RUNNING, "var = x.var(axis=0) * n / (n - 1)", "var = x.var(axis=0)"),
            "updated in place": '''
import numpy as np


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    running_mean *= 1 - momentum
    running_mean += momentum * x.mean(axis=0)
    running_var *= 1 - momentum
    running_var += momentum * x.var(axis=0, ddof=1)
    return running_mean, running_var


def batchnorm_inference(x, gamma, beta, running_mean, running_var, eps=1e-5):
    return gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
''',
            "inference with the batch's own statistics": with_mistake(
                RUNNING, "x_hat = (x - running_mean) / np.sqrt(running_var + eps)",
                "x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)"),
            "inference without eps": with_mistake(
                RUNNING, "np.sqrt(running_var + eps)", "np.sqrt(running_var)"),
            "inference divides by the variance": with_mistake(
                RUNNING, "np.sqrt(running_var + eps)", "(running_var + eps)"),
        },
        "correct": {
            "np.var with ddof=1 and an explicit running update": '''
import numpy as np


def update_running_stats(running_mean, running_var, x, momentum=0.1):
    new_mean = running_mean + momentum * (np.mean(x, axis=0) - running_mean)
    new_var = running_var + momentum * (np.var(x, axis=0, ddof=1) - running_var)
    return new_mean, new_var


def batchnorm_inference(x, gamma, beta, running_mean, running_var, eps=1e-5):
    scale = gamma / np.sqrt(running_var + eps)
    return x * scale + (beta - running_mean * scale)
''',
        },
    },
}
