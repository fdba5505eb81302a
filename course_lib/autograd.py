"""Automatic differentiation from scratch: numbers and arrays that remember how they were made.

Every operation on a `Value` (a number) or a `Tensor` (an array) returns a new node of a
computational graph, built as the computation runs. A node keeps

- ``data``: its result;
- ``parents``: the nodes it was computed from;
- how to send a gradient back to each parent, written beside the forward computation: the local
  derivative d(out)/d(parent), a number (`Value.local_grads`), or, for arrays, a function that
  turns d(root)/d(out) into this parent's share of d(root)/d(parent) (`Tensor.backward_fns`).

``root.backward()`` puts the nodes in topological order (`topological_order`: every node after
its parents) and walks it backwards (`backpropagate`), applying the chain rule once per edge:

    d(root)/d(parent) += d(out)/d(parent) * d(root)/d(out)

With ``+=``: a node used several times (twice by one node in ``x * x``, or by several nodes)
collects one contribution per use. This is reverse-mode automatic differentiation, what
``loss.backward()`` does in PyTorch, in the style of Karpathy's micrograd.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from course_lib.layers import sum_to_shape
from course_lib.validation import as_float_array


def topological_order(root) -> list:
    """Every node that `root` depends on, `root` included, each once, every node after its parents.

    A depth-first search that appends a node once all its parents are appended. It keeps its own
    stack instead of recursing, so that graphs deeper than Python's recursion limit (a sum of
    thousands of terms) work too.

    Parameters
    ----------
    root : Value or Tensor

    Returns
    -------
    list
        The nodes; the leaves come first, `root` is last.
    """
    order, visited = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in visited:
            visited.add(node)
            stack.append((node, True))  # popped again after all of its parents
            # reversed: the first parent is popped (and placed) first, as in a recursive search
            stack.extend((parent, False) for parent in reversed(node.parents))
    return order


def backpropagate(order: list) -> dict:
    """d(root)/d(node) for every node of `order`, by the chain rule, in reverse topological order.

    Parameters
    ----------
    order : list
        Nodes in topological order, as `topological_order` returns them; the root is last.

    Returns
    -------
    dict
        node -> d(root)/d(node): a float for a Value, an array of the node's shape for a Tensor.

    Raises
    ------
    ValueError
        When a node comes up before any node that uses it has passed it a gradient.
    """
    if not order:
        raise ValueError("order: expected the nodes of a graph, got an empty list")
    root = order[-1]
    grads = {root: root.seed_grad()}  # d(root)/d(root) = 1
    for node in reversed(order):      # a node's gradient is complete before it is passed on
        if node not in grads:
            raise ValueError(f"order: {node!r} comes after every node that uses it (or is not in "
                             f"the graph of the last node): not a topological order")
        pass_to_parents(node, grads)
    return grads


def pass_to_parents(node, grads: dict) -> list:
    """One step of the backward pass: add `node`'s share of the gradient to each of its parents.

    Parameters
    ----------
    node : Value or Tensor
        Its gradient grads[node] must be complete.
    grads : dict
        node -> gradient collected so far; updated (parents that had none get an entry).

    Returns
    -------
    list of (parent, share)
        What each parent received, in the order of node.parents.
    """
    shares = list(zip(node.parents, node.chain(grads[node]), strict=True))
    for parent, share in shares:
        # a parent used more than once collects the shares of every use
        grads[parent] = grads[parent] + share if parent in grads else share
    return shares


class _Node:
    """What `Value` and `Tensor` share: a place in the graph and the backward pass."""

    def __init__(self, parents, op: str, label: str):
        self.parents = tuple(parents)
        self.op = op
        self.label = label

    def backward(self) -> None:
        """Set ``grad`` of this node and of every node it depends on to d(this node)/d(node).

        The gradients replace those of an earlier backward pass. (PyTorch instead adds them to
        the earlier ones, which is why its training loops call ``zero_grad()`` first.)
        """
        for node, grad in backpropagate(topological_order(self)).items():
            node.grad = grad


def _exponent(exponent) -> float:
    if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
        raise TypeError(f"**: expected a number as the exponent, got {type(exponent).__name__} "
                        f"(only a constant exponent is supported)")
    return float(exponent)


class Value(_Node):
    """A number that remembers how it was computed.

    Parameters
    ----------
    data : float
    parents : tuple of Value, optional
        The nodes this one was computed from (empty for a leaf: an input or a parameter).
    local_grads : tuple of float, optional
        d(this)/d(parent), one per parent, in the same order.
    op : str, optional
        The operation that made it ("+", "*", "exp", ...), for printing and drawing.
    label : str, optional
        A name, for printing and drawing.

    Attributes
    ----------
    grad : float
        d(root)/d(this) after ``root.backward()``; 0 before.
    """

    def __init__(self, data, parents=(), local_grads=(), op: str = "", label: str = ""):
        super().__init__(parents, op, label)
        if isinstance(data, _Node) or not isinstance(data, numbers.Real):
            raise TypeError(f"Value: expected a number, got {type(data).__name__}")
        self.data = float(data)
        self.local_grads = tuple(float(g) for g in local_grads)
        if len(self.local_grads) != len(self.parents):
            raise ValueError(f"Value: {len(self.parents)} parents but "
                             f"{len(self.local_grads)} local gradients")
        self.grad = 0.0

    def seed_grad(self) -> float:
        return 1.0

    def chain(self, upstream: float) -> tuple:
        """Each parent's share of the gradient: local derivative times upstream gradient."""
        return tuple(local * upstream for local in self.local_grads)

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # -- operations: the forward result and the local derivatives, side by side ---------------

    def __add__(self, other):
        other = as_value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __sub__(self, other):
        other = as_value(other)
        return Value(self.data - other.data, (self, other), (1.0, -1.0), "-")

    def __mul__(self, other):
        other = as_value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "*")

    def __truediv__(self, other):
        other = as_value(other)
        a, b = self.data, other.data
        return Value(a / b, (self, other), (1 / b, -a / b ** 2), "/")

    def __pow__(self, exponent):
        n = _exponent(exponent)
        return Value(self.data ** n, (self,), (n * self.data ** (n - 1),), f"**{n:g}")

    def __neg__(self):
        return Value(-self.data, (self,), (-1.0,), "neg")

    def exp(self):
        out = math.exp(self.data)
        return Value(out, (self,), (out,), "exp")  # (e^x)' = e^x: the result itself

    def log(self):
        if self.data <= 0:
            raise ValueError(f"log: expected a positive number, got {self.data}")
        return Value(math.log(self.data), (self,), (1 / self.data,), "log")

    def tanh(self):
        out = math.tanh(self.data)
        return Value(out, (self,), (1 - out * out,), "tanh")

    def relu(self):
        positive = self.data > 0
        return Value(self.data if positive else 0.0, (self,), (1.0 if positive else 0.0,), "relu")

    # a number on the left: 2 * x, 1 - x, 1 / x
    def __radd__(self, other):
        return as_value(other) + self

    def __rsub__(self, other):
        return as_value(other) - self

    def __rmul__(self, other):
        return as_value(other) * self

    def __rtruediv__(self, other):
        return as_value(other) / self


def as_value(x) -> Value:
    """`x` itself if it is a Value, else a new leaf Value holding the number `x`."""
    return x if isinstance(x, Value) else Value(x)


class Tensor(_Node):
    """An array that remembers how it was computed: `Value` for numpy arrays.

    Operations broadcast as numpy does. A parent that broadcasting stretched (a bias (H,) added to
    every row of an (N, H) array) was used once per copy, so its gradient is the sum of the
    copies' gradients (`course_lib.layers.sum_to_shape`).

    Parameters
    ----------
    data : array_like
        float32 stays float32; anything else becomes float64.
    parents : tuple of Tensor, optional
    backward_fns : tuple of callables, optional
        One per parent: upstream gradient d(root)/d(this) -> this parent's share of
        d(root)/d(parent), of the parent's shape.
    op, label : str, optional
        For printing and drawing.

    Attributes
    ----------
    grad : ndarray or None
        d(root)/d(this), of the shape of data, after ``root.backward()``; None before.
    """

    def __init__(self, data, parents=(), backward_fns=(), op: str = "", label: str = ""):
        super().__init__(parents, op, label)
        if isinstance(data, _Node):
            raise TypeError("Tensor: expected an array, got a graph node")
        self.data = as_float_array(data, "Tensor data", allow_nonfinite=True)
        self.backward_fns = tuple(backward_fns)
        if len(self.backward_fns) != len(self.parents):
            raise ValueError(f"Tensor: {len(self.parents)} parents but "
                             f"{len(self.backward_fns)} backward functions")
        self.grad = None

    @property
    def shape(self) -> tuple:
        return self.data.shape

    def seed_grad(self) -> np.ndarray:
        return np.ones_like(self.data)

    def chain(self, upstream: np.ndarray) -> tuple:
        """Each parent's share of the gradient: its backward function of the upstream gradient."""
        return tuple(backward(upstream) for backward in self.backward_fns)

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Tensor({name}shape={self.shape}, op={self.op!r})"

    def _broadcast(self, other, out, backward_self, backward_other, op: str):
        """A node of two broadcast inputs: each gradient summed back to its input's shape."""
        return Tensor(out, (self, other),
                      (lambda g: sum_to_shape(backward_self(g), self.shape),
                       lambda g: sum_to_shape(backward_other(g), other.shape)), op)

    # -- operations: the forward result and the backward functions, side by side --------------

    def __add__(self, other):
        other = self._as_operand(other)
        return self._broadcast(other, self.data + other.data, lambda g: g, lambda g: g, "+")

    def __sub__(self, other):
        other = self._as_operand(other)
        return self._broadcast(other, self.data - other.data, lambda g: g, lambda g: -g, "-")

    def __mul__(self, other):
        other = self._as_operand(other)
        return self._broadcast(other, self.data * other.data,
                               lambda g: g * other.data, lambda g: g * self.data, "*")

    def __truediv__(self, other):
        other = self._as_operand(other)
        a, b = self.data, other.data
        return self._broadcast(other, a / b, lambda g: g / b, lambda g: -g * a / b ** 2, "/")

    def __pow__(self, exponent):
        n = _exponent(exponent)
        x = self.data
        return Tensor(x ** n, (self,), (lambda g: g * n * x ** (n - 1),), f"**{n:g}")

    def __neg__(self):
        return Tensor(-self.data, (self,), (lambda g: -g,), "neg")

    def __matmul__(self, other):
        """Matrix product of two 2-D arrays: (N, D) @ (D, H) -> (N, H)."""
        other = self._as_operand(other)
        a, b = self.data, other.data
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
            raise ValueError(f"@: expected 2-D arrays of shapes (N, D) and (D, H), got {a.shape} "
                             f"and {b.shape}")
        # out[n, h] = sum_d a[n, d] b[d, h]: each a[n, d] meets every b[d, :], and vice versa
        return Tensor(a @ b, (self, other), (lambda g: g @ b.T, lambda g: a.T @ g), "@")

    def sum(self, axis=None, keepdims: bool = False):
        """Sum over `axis` (an int, a tuple of ints or None for all), as numpy's sum."""
        shape = self.shape
        out = self.data.sum(axis=axis, keepdims=keepdims)

        def backward(g):
            # every summed element gets the gradient of the sum: broadcast it back
            if not keepdims and axis is not None:
                g = np.expand_dims(g, axis)
            return np.broadcast_to(g, shape).copy()

        return Tensor(out, (self,), (backward,), "sum")

    def exp(self):
        out = np.exp(self.data)
        return Tensor(out, (self,), (lambda g: g * out,), "exp")

    def log(self):
        x = self.data
        if not (x > 0).all():
            raise ValueError(f"log: expected positive numbers, got {int((x <= 0).sum())} of "
                             f"{x.size} values <= 0")
        return Tensor(np.log(x), (self,), (lambda g: g / x,), "log")

    def tanh(self):
        out = np.tanh(self.data)
        return Tensor(out, (self,), (lambda g: g * (1 - out * out),), "tanh")

    def relu(self):
        positive = self.data > 0
        return Tensor(np.where(positive, self.data, 0), (self,), (lambda g: g * positive,), "relu")

    def __radd__(self, other):
        return self._as_operand(other) + self

    def __rsub__(self, other):
        return self._as_operand(other) - self

    def __rmul__(self, other):
        return self._as_operand(other) * self

    def __rtruediv__(self, other):
        return self._as_operand(other) / self

    def __rmatmul__(self, other):
        return self._as_operand(other) @ self

    def _as_operand(self, other) -> Tensor:
        """`other` itself if it is a Tensor, else a constant leaf Tensor of this tensor's dtype."""
        if isinstance(other, Tensor):
            return other
        return Tensor(np.asarray(as_float_array(other, "operand"), dtype=self.data.dtype))


def softmax_cross_entropy(scores: Tensor, labels) -> Tensor:
    """Mean softmax cross-entropy, made of Tensor operations only (autograd differentiates it).

        L = -(1/N) sum_n log softmax(scores_n)[t_n],
        log softmax(s) = s - m - log sum_j exp(s_j - m),  m = max_j s_j

    The maximum m is subtracted as a constant (no node): it changes neither L nor its gradient,
    and keeps every exponent <= 0.

    Parameters
    ----------
    scores : Tensor, shape (N, K)
    labels : array_like of int, shape (N,), class indices in [0, K)

    Returns
    -------
    Tensor, shape ()
    """
    n, k = scores.shape
    labels = np.asarray(labels)
    in_range = labels.dtype.kind in "iu" and ((0 <= labels) & (labels < k)).all()
    if labels.shape != (n,) or not in_range:
        raise ValueError(f"labels: expected {n} class indices in [0, {k}), got {labels!r}")
    shifted = scores - scores.data.max(axis=1, keepdims=True)
    log_probs = shifted - shifted.exp().sum(axis=1, keepdims=True).log()
    onehot = np.eye(k, dtype=scores.data.dtype)[labels]
    return -(log_probs * onehot).sum() / n
