"""Computational-graph layers: the building blocks of backpropagation.

Every layer is a node of a computational graph with two methods:

- ``forward(...)`` computes the node's output and keeps what the backward pass will need;
- ``backward(dout)`` receives the upstream gradient dL/d(out) and returns the gradient with
  respect to each input, by the chain rule dL/d(in) = dL/d(out) * d(out)/d(in).

Calling ``forward`` on the layers in order and then ``backward`` in reverse order is
backpropagation. Layers with parameters (``Affine``) also keep the gradients of their
parameters after ``backward`` (``dW``, ``db``).

All layers keep the dtype of their input: float32 in, float32 out.
"""
from __future__ import annotations

import math

import numpy as np

from course_lib.validation import as_float_array, check_labels, check_positive


def sum_to_shape(grad, shape: tuple) -> np.ndarray:
    """Sum `grad` over the axes that broadcasting added or stretched, so that it gets `shape`.

    An input that broadcasting reused for several outputs (a bias b of shape (H,) added to every
    row of x of shape (N, H)) collects the upstream gradients of all those outputs:
    db = sum_n dout_n. This is the backward pass of broadcasting.

    Parameters
    ----------
    grad : ndarray, the broadcast shape (e.g. (N, H))
    shape : tuple
        The input's shape before broadcasting (e.g. (H,) or (1, H)); it must broadcast to
        grad's shape.

    Returns
    -------
    ndarray, shape `shape`
    """
    if np.shape(grad) == shape:
        return grad
    n_added = np.ndim(grad) - len(shape)
    stretched = tuple(n_added + i for i, size in enumerate(shape) if size == 1)
    return np.sum(grad, axis=tuple(range(n_added)) + stretched, keepdims=True).reshape(shape)


class Multiply:
    """Multiplication node: out = x * y (elementwise, with numpy broadcasting).

    Each input's local gradient is the other input: dL/dx = dout * y, dL/dy = dout * x.
    """

    def forward(self, x, y):
        """Return out = x * y and keep x and y for the backward pass.

        Parameters
        ----------
        x, y : scalars or ndarrays that broadcast together

        Returns
        -------
        out : ndarray or scalar, the broadcast shape
        """
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        """Return (dx, dy) = (dout * y, dout * x), each summed down to its input's shape.

        Parameters
        ----------
        dout : ndarray, the shape of out
            Upstream gradient dL/d(out).

        Returns
        -------
        dx : ndarray, the shape of x
        dy : ndarray, the shape of y
        """
        dx = sum_to_shape(dout * self.y, np.shape(self.x))
        dy = sum_to_shape(dout * self.x, np.shape(self.y))
        return dx, dy


class Add:
    """Addition node: out = x + y (elementwise, with numpy broadcasting).

    Addition passes the upstream gradient on unchanged: dL/dx = dL/dy = dout.
    """

    def forward(self, x, y):
        """Return x + y (scalars or arrays that broadcast together); keep only their shapes."""
        self.x_shape, self.y_shape = np.shape(x), np.shape(y)
        return x + y

    def backward(self, dout):
        """Return (dx, dy): the upstream gradient dout, summed down to the shapes of x and y."""
        return sum_to_shape(dout, self.x_shape), sum_to_shape(dout, self.y_shape)


class Affine:
    """Fully connected (affine) layer: out = x W + b.

    Parameters
    ----------
    W : ndarray, shape (D, H)
        Weights; the layer keeps a reference, so in-place updates of W are seen.
    b : ndarray, shape (H,)
        Biases.
    input_grad : bool, default True
        Whether ``backward`` computes dx. The first layer of a network does not need it (nobody
        asks for the gradient with respect to the data), and skipping it saves one of the
        layer's two large matrix products.

    Attributes
    ----------
    dW : ndarray, shape (D, H)
        dL/dW after ``backward``: dW = x^T dout.
    db : ndarray, shape (H,)
        dL/db after ``backward``: db = sum over the batch of dout.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray, input_grad: bool = True):
        self.W, self.b = W, b
        self.input_grad = input_grad
        self.dW = self.db = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Return out = x W + b and keep x for the backward pass.

        Parameters
        ----------
        x : ndarray, shape (N, d_1, ..., d_k) with d_1 * ... * d_k = D
            Each sample is flattened to a row of D numbers (an image (N, 28, 28) becomes
            (N, 784)).

        Returns
        -------
        out : ndarray, shape (N, H)
        """
        x = np.asarray(x)
        if x.ndim < 2 or math.prod(x.shape[1:]) != self.W.shape[0]:
            raise ValueError(f"x: expected shape (N, ...) with {self.W.shape[0]} values per sample "
                             f"(W has shape {self.W.shape}), got shape {x.shape}")
        self.x_shape = x.shape
        self.x = x.reshape(len(x), -1)
        out = self.x @ self.W
        out += self.b  # in place: adding b in one go would make a second (N, H) array
        return out

    def backward(self, dout: np.ndarray) -> np.ndarray | None:
        """Return dx = dout W^T and set dW = x^T dout, db = sum over the batch of dout.

        Parameters
        ----------
        dout : ndarray, shape (N, H)
            Upstream gradient dL/d(out).

        Returns
        -------
        dx : ndarray, the shape of the x given to forward, or None
            None when the layer was made with input_grad=False. Also sets ``self.dW`` (D, H)
            and ``self.db`` (H,).
        """
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not self.input_grad:
            return None
        return (dout @ self.W.T).reshape(self.x_shape)


class Relu:
    """Rectified linear unit: out = max(0, x), elementwise.

    Its local gradient is 1 where x > 0 and 0 elsewhere, so backward lets dout through where the
    input was positive and blocks it where it was not.

    Parameters
    ----------
    inplace : bool, default False
        Overwrite x with the output in ``forward`` and dout with dx in ``backward``. This saves
        two arrays the size of the layer per step; use it only when nobody else needs x or dout
        afterwards (true for the hidden layer inside a network).
    """

    def __init__(self, inplace: bool = False):
        self.inplace = inplace

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Return out = max(0, x) and keep it (it tells the backward pass where x > 0).

        Parameters
        ----------
        x : ndarray, any shape

        Returns
        -------
        out : ndarray, the shape of x
        """
        # The output remembers where x > 0 (exactly where out > 0), so no separate mask is kept.
        self.out = np.maximum(x, 0, out=x if self.inplace else None)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return dx = dout * [x > 0]: the gradient passes where the input was positive.

        Parameters
        ----------
        dout : ndarray, the shape of x
            Upstream gradient dL/d(out).

        Returns
        -------
        dx : ndarray, the shape of x
        """
        return np.multiply(dout, self.out > 0, out=dout if self.inplace else None)


class _SmoothActivation:
    """An elementwise activation whose derivative can be written with its output alone.

    forward keeps out = f(x); backward returns dx = dout * f'(x), with f'(x) computed from out
    (no need to keep x, and no second evaluation of f).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Return out = f(x) and keep it for the backward pass.

        Parameters
        ----------
        x : ndarray, any shape

        Returns
        -------
        out : ndarray, the shape of x
        """
        self.out = self.function(x)
        return self.out

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return dx = dout * f'(x), with f'(x) computed from the kept output.

        Parameters
        ----------
        dout : ndarray, the shape of x
            Upstream gradient dL/d(out).

        Returns
        -------
        dx : ndarray, the shape of x
        """
        return dout * self.derivative_from_output(self.out)


class Sigmoid(_SmoothActivation):
    """Logistic sigmoid: out = 1 / (1 + exp(-x)), elementwise, values in (0, 1).

    Its derivative is out (1 - out), at most 1/4 (at x = 0). The forward pass computes
    1 / (1 + exp(-x)) as exp(-log(1 + exp(-x))) with `np.logaddexp`, which never overflows
    (`course_lib.activations.sigmoid` does the same with two branches, and checks its input; a
    layer inside a network gets checked data).
    """

    @staticmethod
    def function(x):
        return np.exp(-np.logaddexp(0, -x))

    @staticmethod
    def derivative_from_output(out):
        return out * (1 - out)


class Tanh(_SmoothActivation):
    """Hyperbolic tangent: out = tanh(x), elementwise, zero-centred, values in (-1, 1).

    Its derivative is 1 - out^2, at most 1 (at x = 0).
    """

    function = staticmethod(np.tanh)

    @staticmethod
    def derivative_from_output(out):
        return 1 - out * out


class SoftmaxWithLoss:
    """Softmax followed by the cross-entropy loss, as one node.

    Forward: y = softmax(x) row by row, L = -(1/N) sum_n log y[n, t_n].
    Together the two have the simplest of gradients: dL/dx = (y - onehot(t)) / N.

    Attributes
    ----------
    y : ndarray, shape (N, K)
        The class probabilities of the last forward pass.
    """

    def forward(self, x: np.ndarray, t: np.ndarray) -> float:
        """Return the mean cross-entropy of softmax(x) against the labels t.

        Parameters
        ----------
        x : ndarray, shape (N, K)
            Scores (logits) of N samples for K classes.
        t : ndarray, shape (N,) or (N, K)
            Class indices with values in [0, K), or one-hot rows.

        Returns
        -------
        loss : float
        """
        x = as_float_array(x, "x", ndim=2)
        self.t = check_labels(t, len(x), x.shape[1], name="t")
        labels = self.t.argmax(axis=1) if self.t.ndim == 2 else self.t
        # Subtracting each row's maximum changes neither y nor L, and keeps every exponent <= 0.
        shifted = x - x.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1)
        self.y = exp / total[:, None]
        # -log y[n, t_n] = log(total_n) - shifted[n, t_n] (log-sum-exp): taken from the logits,
        # not from log(y), so the loss stays finite even where y underflows to 0.
        return float(np.mean(np.log(total) - shifted[np.arange(len(x)), labels]))

    def backward(self, dout: float = 1.0) -> np.ndarray:
        """Return dx = dout * (y - onehot(t)) / N.

        Parameters
        ----------
        dout : float, default 1.0
            Upstream gradient dL'/dL (1 when L is the final loss).

        Returns
        -------
        dx : ndarray, shape (N, K)
        """
        n = len(self.y)
        dx = self.y.copy()  # a fresh array, so that self.y survives for a second backward
        if self.t.ndim == 1:
            dx[np.arange(n), self.t] -= 1
        else:
            dx -= self.t
        dx *= dout / n
        return dx


class Dropout:
    """Inverted dropout: in training, each value is dropped (set to 0) with probability p and the
    kept ones are scaled up by 1 / (1 - p); at test time the layer does nothing.

        training:  out = x * mask / (1 - p),  mask[i] = 1 with probability 1 - p, else 0
        test:      out = x

    The scaling keeps the expected value unchanged, E[out] = (1 - p) * x / (1 - p) = x, so the
    next layer sees values of the same size in training and at test time, and nothing needs
    rescaling after training. A fresh mask is drawn on every training forward pass; backward
    lets the gradient through the same mask with the same scaling, dx = dout * mask / (1 - p).
    As ``torch.nn.Dropout(p)``.

    Parameters
    ----------
    p : float in [0, 1)
        Probability of dropping each value.
    seed : int or None, default 0
        Seed of the masks: the same seed gives the same sequence of masks.

    Attributes
    ----------
    mask : ndarray of bool, the shape of x, or None
        Where the last training forward pass kept its input; None after a test-time pass.
    """

    def __init__(self, p: float = 0.5, seed: int | None = 0):
        self.p = check_positive(p, "p", allow_zero=True)
        if self.p >= 1:
            raise ValueError(f"p: expected a dropping probability in [0, 1), got {p!r}")
        self.rng = np.random.default_rng(seed)
        self.mask = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """Return x * mask / (1 - p) with a fresh mask in training, x itself at test time.

        Parameters
        ----------
        x : ndarray, any shape
        training : bool, default True
            False (test time) returns x unchanged.

        Returns
        -------
        out : ndarray, the shape and dtype of x
        """
        if not training:
            self.mask = None
            return x
        self.mask = self.rng.random(np.shape(x)) >= self.p
        return x * self._scaled_mask(x)

    def backward(self, dout: np.ndarray) -> np.ndarray:
        """Return dx = dout * mask / (1 - p), or dout itself after a test-time pass.

        Parameters
        ----------
        dout : ndarray, the shape of x
            Upstream gradient dL/d(out).

        Returns
        -------
        dx : ndarray, the shape of x
        """
        if self.mask is None:
            return dout
        return dout * self._scaled_mask(dout)

    def _scaled_mask(self, like: np.ndarray) -> np.ndarray:
        """mask / (1 - p) in the dtype of `like` (float32 stays float32)."""
        return self.mask * np.asarray(1 / (1 - self.p), dtype=np.result_type(like, np.float32))
