"""Record PyTorch autograd's gradients for chapter 13 (autograd from scratch) and its tests.

PyTorch is the independent reference: torch.autograd differentiates every case below, and the
inputs, results and gradients are stored as JSON, so that the chapter's graders and
tests/test_autograd.py compare against them without importing torch.

    .venv/bin/pip install torch==2.13.0          # only for this script; never a course dependency
    .venv/bin/python scripts/record_autograd_golden.py

The file lives inside course_lib (course_lib/recorded/torch_autograd.json), not in tests/fixtures,
because the notebook's graders read it: they run wherever course_lib is installed (a student's
JupyterLab, the grading sandbox), where tests/ does not exist.

Sections of the file (every case has "set": "visible" or "hidden", the graders' split):
- "local_derivatives": one operation of one or two numbers, {"op", "inputs", "out", "grads"};
  for "**" the second input is a constant exponent and only d/d(base) is recorded.
- "expressions": {"expr", "about", "inputs", "out", "grads"}; "expr" is Python text that computes
  the same graph with torch tensors and with course_lib.autograd.Value (the same operators and
  methods); "about" says in words what the graph shows.
- "matmul": {"a", "b", "dout", "da", "db", "dtype"}: out = a @ b, backward with upstream dout.
- "sum_to_shape": {"grad", "shape", "expected", "dtype"}: out = x + y with y of `shape`
  broadcast to the shape of grad; backward with upstream grad; expected = d/dy.
- "sum_backward": {"shape", "axis", "keepdims", "dout", "expected", "dtype"}: out = x.sum(axis).
- "two_layer_net": params, x, t, the loss and the gradients of relu(x W1 + b1) W2 + b2 with the
  mean softmax cross-entropy.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch

OUTPUT = Path(__file__).resolve().parents[1] / "course_lib" / "recorded" / "torch_autograd.json"
DTYPES = {"float64": torch.float64, "float32": torch.float32}


def tensor(value, dtype="float64", grad=False):
    return torch.tensor(np.asarray(value), dtype=DTYPES[dtype], requires_grad=grad)


def plain(t) -> object:
    """A tensor as nested lists of Python floats (float64 digits are kept exactly by JSON)."""
    return t.detach().to(torch.float64).numpy().tolist()


# -- the local derivative of each operation -------------------------------------------------

BINARY = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
          "/": lambda x, y: x / y}
UNARY = {"exp": torch.exp, "log": torch.log, "tanh": torch.tanh, "relu": torch.relu}
LOCAL_POINTS = {  # visible first, then hidden
    "+": [(2.0, -3.0), (-0.5, 0.25), (1e6, 1e-6)],
    "-": [(2.0, -3.0), (0.75, 4.0), (-1e-3, 1e3)],
    "*": [(2.0, -3.0), (-1.5, 0.5), (3.0, 3.0), (0.0, 7.0)],
    "/": [(1.0, 4.0), (-3.0, 0.5), (2.0, -8.0), (1e-3, 1e-2)],
    "**": [(3.0, 2.0), (-2.0, 3.0), (4.0, 0.5), (1.5, -1.0), (0.5, 0.0), (2.0, 1.0)],
    "exp": [(1.0,), (-2.0,), (0.0,), (5.0,), (-30.0,)],
    "log": [(2.0,), (0.1,), (1.0,), (1e-4,), (50.0,)],
    "tanh": [(0.5,), (-1.0,), (0.0,), (3.0,), (-20.0,)],
    "relu": [(1.5,), (-2.0,), (0.0,), (1e-9,), (-1e-9,)],
}


def local_derivative_case(op: str, inputs: tuple, visible: bool) -> dict:
    if op == "**":
        base, exponent = tensor(inputs[0], grad=True), inputs[1]
        out, leaves = base ** exponent, [base]
    elif op in BINARY:
        leaves = [tensor(v, grad=True) for v in inputs]
        out = BINARY[op](*leaves)
    else:
        leaves = [tensor(inputs[0], grad=True)]
        out = UNARY[op](leaves[0])
    out.backward()
    return {"op": op, "inputs": list(inputs), "out": plain(out),
            "grads": [plain(leaf.grad) for leaf in leaves], "set": "visible" if visible else "hidden"}


# -- whole expressions: the graph, its order and the accumulation of gradients ---------------

EXPRESSIONS = [  # (expr, inputs, set, what the graph shows)
    ("x * x", {"x": 3.0}, "visible", "x * x: one node using x twice"),
    ("(a * b + a).tanh() * 2 - b / a", {"a": 0.5, "b": -1.5}, "visible",
     "tanh(a b + a) * 2 - b / a: a and b used by several nodes"),
    ("x * x * x", {"x": -1.25}, "hidden", "x * x * x"),
    ("(x + y) * (x + y)", {"x": 1.5, "y": -4.0}, "hidden", "(x + y) * (x + y), two separate sums"),
    # (name := ...) keeps a node to use it again. a is reached by a short and by a long path:
    # a node must wait for all of its gradient before it passes it on
    ("(a := x.exp()) + (a * 2).tanh()", {"x": -0.3}, "hidden",
     "exp(x) + tanh(2 exp(x)), exp(x) reached by a short and a long path"),
    ("(h := w * x + b).relu() * h.tanh() - h ** 2 / 4", {"w": 0.7, "x": -2.0, "b": 3.0}, "hidden",
     "relu(h) tanh(h) - h^2 / 4 with h = w x + b used three times"),
    ("(h := w * x + b).relu() + h / 2", {"w": 1.5, "x": -1.0, "b": 0.5}, "hidden",
     "relu(h) + h / 2 with h = w x + b < 0"),
    ("((x * y).exp() + 1).log() / (x ** 2 + y ** 2)", {"x": 0.4, "y": -0.9}, "hidden",
     "log(exp(x y) + 1) / (x^2 + y^2)"),
    ("(1 - x.tanh() ** 2) * x.relu() + 3 / (x * x + 1)", {"x": 0.8}, "hidden",
     "(1 - tanh(x)^2) relu(x) + 3 / (x^2 + 1)"),
    # each step uses the node before it twice: 2^30 paths from x to the result
    ("(y := x, " + ", ".join(["y := (y * 0.9 + y.tanh()) * 0.6"] * 30) + ")[-1]", {"x": 0.8},
     "visible", "30 steps y = (0.9 y + tanh(y)) * 0.6, each using y twice (2^30 paths)"),
]


def expression_case(expr: str, inputs: dict, which: str, about: str) -> dict:
    leaves = {name: tensor(value, grad=True) for name, value in inputs.items()}
    out = eval(expr, {}, dict(leaves))  # our own fixed text, evaluated as the graders do
    out.backward()
    return {"expr": expr, "about": about, "inputs": inputs, "out": plain(out),
            "grads": {name: plain(leaf.grad) for name, leaf in leaves.items()}, "set": which}


# -- arrays: matmul, the backward of broadcasting, the backward of sum -----------------------

def matmul_case(rng, n: int, d: int, h: int, dtype: str, which: str) -> dict:
    a, b, dout = rng.normal(size=(n, d)), rng.normal(size=(d, h)), rng.normal(size=(n, h))
    if dtype == "float32":
        a, b, dout = (v.astype(np.float32) for v in (a, b, dout))
    ta, tb = tensor(a, dtype, grad=True), tensor(b, dtype, grad=True)
    (ta @ tb).backward(tensor(dout, dtype))
    return {"a": a.tolist(), "b": b.tolist(), "dout": dout.tolist(), "da": plain(ta.grad),
            "db": plain(tb.grad), "dtype": dtype, "set": which}


def sum_to_shape_case(rng, big: tuple, small: tuple, dtype: str, which: str) -> dict:
    grad = rng.normal(size=big)
    if dtype == "float32":
        grad = grad.astype(np.float32)
    x, y = tensor(rng.normal(size=big), dtype, grad=True), tensor(rng.normal(size=small), dtype, grad=True)
    (x + y).backward(tensor(grad, dtype))
    return {"grad": grad.tolist(), "shape": list(small), "expected": plain(y.grad), "dtype": dtype,
            "set": which}


def sum_backward_case(rng, shape: tuple, axis, keepdims: bool, dtype: str, which: str) -> dict:
    x = tensor(rng.normal(size=shape), dtype, grad=True)
    out = x.sum() if axis is None else x.sum(dim=axis, keepdim=keepdims)
    dout = rng.normal(size=tuple(out.shape))
    if dtype == "float32":
        dout = dout.astype(np.float32)
    out.backward(tensor(dout, dtype))
    return {"shape": list(shape), "axis": list(axis) if isinstance(axis, tuple) else axis,
            "keepdims": keepdims, "dout": dout.tolist(), "expected": plain(x.grad), "dtype": dtype,
            "set": which}


def two_layer_net_case(rng) -> dict:
    d, h, k, n = 6, 5, 3, 4
    arrays = {"W1": rng.normal(size=(d, h)), "b1": rng.normal(size=h), "W2": rng.normal(size=(h, k)),
              "b2": rng.normal(size=k)}
    x, t = rng.normal(size=(n, d)), rng.integers(0, k, size=n)
    params = {key: tensor(value, grad=True) for key, value in arrays.items()}
    scores = torch.relu(tensor(x) @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    loss = torch.nn.functional.cross_entropy(scores, torch.tensor(t))
    loss.backward()
    return {"params": {key: value.tolist() for key, value in arrays.items()}, "x": x.tolist(),
            "t": t.tolist(), "loss": plain(loss),
            "grads": {key: plain(value.grad) for key, value in params.items()}}


def main() -> None:
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(1313)
    record = {
        "torch_version": torch.__version__,
        "local_derivatives": [local_derivative_case(op, inputs, visible=i == 0)
                              for op, points in LOCAL_POINTS.items()
                              for i, inputs in enumerate(points)],
        "expressions": [expression_case(*item) for item in EXPRESSIONS],
        "matmul": [matmul_case(rng, 2, 3, 4, "float64", "visible"),
                   matmul_case(rng, 5, 4, 3, "float64", "hidden"),
                   matmul_case(rng, 1, 6, 2, "float64", "hidden"),
                   matmul_case(rng, 4, 1, 3, "float64", "hidden"),
                   matmul_case(rng, 3, 3, 3, "float64", "hidden"),
                   matmul_case(rng, 8, 5, 7, "float32", "visible")],
        "sum_to_shape": [sum_to_shape_case(rng, big, small, dtype, which) for big, small, dtype, which in [
            ((3, 4), (4,), "float64", "visible"),
            ((3, 4), (3, 1), "float64", "visible"),
            ((3, 4), (1, 4), "float64", "hidden"),
            ((2, 3, 4), (1, 3, 1), "float64", "hidden"),
            ((2, 3, 4), (3, 4), "float64", "hidden"),
            ((2, 5, 4), (2, 1, 4), "float64", "hidden"),
            ((3, 4), (), "float64", "visible"),
            ((4, 3), (1, 1), "float64", "hidden"),
            ((5,), (1,), "float64", "hidden"),
            ((2, 3), (2, 3), "float64", "hidden"),
            ((6, 5), (5,), "float32", "visible")]],
        "sum_backward": [sum_backward_case(rng, shape, axis, keepdims, dtype, which)
                         for shape, axis, keepdims, dtype, which in [
            ((3, 4), 1, False, "float64", "visible"),
            ((3, 4), 0, False, "float64", "hidden"),
            ((3, 4), 1, True, "float64", "hidden"),
            ((3, 4), None, False, "float64", "visible"),
            ((2, 3, 4), (0, 2), False, "float64", "hidden"),
            ((2, 3, 4), (0, 2), True, "float64", "visible"),
            ((2, 3, 4), -1, False, "float64", "visible"),
            ((5,), 0, True, "float64", "hidden"),
            ((4, 6), 0, True, "float32", "visible")]],
        "two_layer_net": two_layer_net_case(rng),
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(record, indent=1) + "\n")
    counts = {key: len(value) for key, value in record.items() if isinstance(value, list)}
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size / 1024:.1f} KiB, torch {torch.__version__}): {counts}")


if __name__ == "__main__":
    main()
