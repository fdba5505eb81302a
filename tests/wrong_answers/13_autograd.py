"""Typical wrong answers and differently written correct answers for 13_autograd.

Consumed by tests/test_wrong_answers.py. Most wrong answers are a correct answer below with one
mistake put in by `with_mistake`.
"""
from grading_tools import with_mistake

LOCAL_DERIVATIVES = '''
def local_derivatives(op, x, y=None):
    if op == "+":
        return 1.0, 1.0
    if op == "-":
        return 1.0, -1.0
    if op == "*":
        return y, x
    if op == "/":
        return 1 / y, -x / y ** 2
    if op == "**":
        return (y * x ** (y - 1),)
    if op == "exp":
        return (math.exp(x),)
    if op == "log":
        return (1 / x,)
    if op == "tanh":
        return (1 - math.tanh(x) ** 2,)
    if op == "relu":
        return (1.0 if x > 0 else 0.0,)
    raise ValueError(op)
'''

TOPOLOGICAL_ORDER = '''
def topological_order(root):
    order, visited = [], set()

    def visit(node):
        if node not in visited:
            visited.add(node)
            for parent in node.parents:
                visit(parent)
            order.append(node)

    visit(root)
    return order
'''

BACKPROPAGATE = '''
def backpropagate(order):
    grads = {node: 0.0 for node in order}
    grads[order[-1]] = 1.0
    for node in reversed(order):
        for parent, local in zip(node.parents, node.local_grads):
            grads[parent] += local * grads[node]
    return grads
'''

MATMUL_BACKWARD = '''
def matmul_backward(a, b, dout):
    return dout @ b.T, a.T @ dout
'''

SUM_TO_SHAPE = '''
def sum_to_shape(grad, shape):
    added = grad.ndim - len(shape)
    grad = grad.sum(axis=tuple(range(added)))
    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1)
    return grad.sum(axis=stretched, keepdims=True)
'''

SUM_BACKWARD = '''
def sum_backward(dout, shape, axis=None, keepdims=False):
    dout = np.asarray(dout)
    if axis is not None and not keepdims:
        dout = np.expand_dims(dout, axis)
    return np.broadcast_to(dout, shape).copy()
'''

# the visited set left out: each node is visited (and appended) once per path to it
NO_VISITED_SET = with_mistake(
    TOPOLOGICAL_ORDER,
    "        if node not in visited:\n            visited.add(node)\n"
    "            for parent in node.parents:\n                visit(parent)\n"
    "            order.append(node)",
    "        for parent in node.parents:\n            visit(parent)\n        order.append(node)")

ANSWERS = {
    "local_derivatives": {
        "wrong": {
            "subtraction: d out/dy = +1": with_mistake(
                LOCAL_DERIVATIVES, "return 1.0, -1.0", "return 1.0, 1.0"),
            "multiplication does not swap the inputs": with_mistake(
                LOCAL_DERIVATIVES, "return y, x", "return x, y"),
            "division: d out/dy = -1/y^2 (the x forgotten)": with_mistake(
                LOCAL_DERIVATIVES, "-x / y ** 2", "-1 / y ** 2"),
            "power rule without the factor n": with_mistake(
                LOCAL_DERIVATIVES, "(y * x ** (y - 1),)", "(x ** (y - 1),)"),
            "log's derivative taken as log(x)": with_mistake(
                LOCAL_DERIVATIVES, "(1 / x,)", "(math.log(x),)"),
            "tanh's derivative 1 - tanh(x), not squared": with_mistake(
                LOCAL_DERIVATIVES, "(1 - math.tanh(x) ** 2,)", "(1 - math.tanh(x),)"),
            "relu lets the gradient through at x = 0": with_mistake(
                LOCAL_DERIVATIVES, "1.0 if x > 0 else 0.0", "1.0 if x >= 0 else 0.0"),
            "exp returns a bare number instead of a tuple of one": with_mistake(
                LOCAL_DERIVATIVES, "return (math.exp(x),)", "return math.exp(x)"),
        },
        "correct": {
            "a dict of rules, exp and tanh from their outputs": '''
import numpy as np

RULES = {
    "+": lambda x, y: (1.0, 1.0),
    "-": lambda x, y: (1.0, -1.0),
    "*": lambda x, y: (y, x),
    "/": lambda x, y: (1.0 / y, -x / (y * y)),
    "**": lambda x, n: (n * x ** (n - 1),),
    "exp": lambda x, _: (np.exp(x),),
    "log": lambda x, _: (np.reciprocal(x),),
    "tanh": lambda x, _: (1.0 - np.tanh(x) * np.tanh(x),),
    "relu": lambda x, _: (np.float64(x > 0),),
}


def local_derivatives(op, x, y=None):
    return RULES[op](x, y)
''',
            "returns lists": with_mistake(
                LOCAL_DERIVATIVES, "return 1 / y, -x / y ** 2", "return [1 / y, -x / y ** 2]"),
        },
    },
    "topological_order": {
        "wrong": {
            "appends a node before its parents (root first)": with_mistake(
                TOPOLOGICAL_ORDER,
                "            for parent in node.parents:\n                visit(parent)\n"
                "            order.append(node)",
                "            order.append(node)\n            for parent in node.parents:\n"
                "                visit(parent)"),
            "no visited set: a node used twice appears twice": NO_VISITED_SET,
            "no visited set, duplicates skipped on append (once per path: far too slow)":
                with_mistake(NO_VISITED_SET, "        order.append(node)",
                             "        if node not in order:\n            order.append(node)"),
            "nodes told apart by their data (equal numbers count as one node)": with_mistake(
                TOPOLOGICAL_ORDER,
                "        if node not in visited:\n            visited.add(node)",
                "        if node.data not in visited:\n            visited.add(node.data)"),
            "the visited set and the list are default arguments (kept between calls)": '''
def topological_order(root, order=[], visited=set()):
    if root not in visited:
        visited.add(root)
        for parent in root.parents:
            topological_order(parent, order, visited)
        order.append(root)
    return order
''',
            "marks visited nodes with an attribute of their own": with_mistake(
                TOPOLOGICAL_ORDER,
                "        if node not in visited:\n            visited.add(node)",
                "        if not getattr(node, \"visited\", False):\n            node.visited = True"),
            "breadth first from the root, reversed": '''
def topological_order(root):
    seen, queue = [root], [root]
    while queue:
        node = queue.pop(0)
        for parent in node.parents:
            if parent not in seen:
                seen.append(parent)
                queue.append(parent)
    return seen[::-1]
''',
        },
        "correct": {
            "iterative, with an explicit stack": '''
def topological_order(root):
    order, placed, stack = [], set(), [(root, iter(root.parents))]
    while stack:
        node, parents = stack[-1]
        for parent in parents:
            if parent not in placed:
                stack.append((parent, iter(parent.parents)))
                break
        else:
            stack.pop()
            if node not in placed:
                placed.add(node)
                order.append(node)
    return order
''',
            "visited by id, returns a tuple": '''
def topological_order(root):
    order, seen = [], set()

    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in node.parents:
            visit(parent)
        order.append(node)

    visit(root)
    return tuple(order)
''',
        },
    },
    "backpropagate": {
        "wrong": {
            "= instead of += (a node keeps the share of its last use)": with_mistake(
                BACKPROPAGATE, "grads[parent] += local * grads[node]",
                "grads[parent] = local * grads[node]"),
            "walks the order forwards": with_mistake(
                BACKPROPAGATE, "for node in reversed(order):", "for node in order:"),
            "forgets the upstream gradient (passes the local derivative alone)": with_mistake(
                BACKPROPAGATE, "grads[parent] += local * grads[node]", "grads[parent] += local"),
            "the root starts at 0": with_mistake(BACKPROPAGATE, "    grads[order[-1]] = 1.0\n", ""),
            "returns the leaves only": with_mistake(
                BACKPROPAGATE, "    return grads",
                "    return {node: g for node, g in grads.items() if not node.parents}"),
            "stores the gradients in node.grad as well": with_mistake(
                BACKPROPAGATE, "    return grads",
                "    for node in order:\n        node.grad = grads[node]\n    return grads"),
        },
        "correct": {
            "dict.get, the root seeded in a fresh dict": '''
def backpropagate(order):
    grads = {order[-1]: 1.0}
    for node in order[::-1]:
        upstream = grads.get(node, 0.0)
        for parent, local in zip(node.parents, node.local_grads):
            grads[parent] = grads.get(parent, 0.0) + upstream * local
    return grads
''',
        },
    },
    "matmul_backward": {
        "wrong": {
            "da = dout @ b (b not transposed)": with_mistake(
                MATMUL_BACKWARD, "return dout @ b.T, a.T @ dout", "return dout @ b, a.T @ dout"),
            "da and db in the wrong order": with_mistake(
                MATMUL_BACKWARD, "return dout @ b.T, a.T @ dout", "return a.T @ dout, dout @ b.T"),
            "db = dout.T @ a (transposed)": with_mistake(
                MATMUL_BACKWARD, "return dout @ b.T, a.T @ dout", "return dout @ b.T, dout.T @ a"),
            "results cast to float64": with_mistake(
                MATMUL_BACKWARD, "return dout @ b.T, a.T @ dout",
                "return np.asarray(dout @ b.T, dtype=float), np.asarray(a.T @ dout, dtype=float)"),
        },
        "correct": {
            "np.dot and einsum": '''
def matmul_backward(a, b, dout):
    return np.dot(dout, b.T), np.einsum("nd,nh->dh", a, dout)
''',
        },
    },
    "sum_to_shape": {
        "wrong": {
            "always sums over axis 0": '''
def sum_to_shape(grad, shape):
    return grad.sum(axis=0)
''',
            "drops the stretched axes (no keepdims)": with_mistake(
                SUM_TO_SHAPE, "keepdims=True", "keepdims=False"),
            "averages the added axes instead of summing": with_mistake(
                SUM_TO_SHAPE, "grad = grad.sum(axis=tuple(range(added)))",
                "grad = grad.mean(axis=tuple(range(added)))"),
            "sums the leading axes only (stretched axes of size 1 ignored)": with_mistake(
                SUM_TO_SHAPE,
                "    stretched = tuple(axis for axis, size in enumerate(shape) if size == 1)\n"
                "    return grad.sum(axis=stretched, keepdims=True)",
                "    return grad"),
        },
        "correct": {
            "a loop over the axes": '''
def sum_to_shape(grad, shape):
    while grad.ndim > len(shape):
        grad = grad.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and grad.shape[axis] != 1:
            grad = grad.sum(axis=axis, keepdims=True)
    return np.asarray(grad).reshape(shape)
''',
        },
    },
    "sum_backward": {
        "wrong": {
            "does not put back the summed axes": with_mistake(
                SUM_BACKWARD,
                "    if axis is not None and not keepdims:\n"
                "        dout = np.expand_dims(dout, axis)\n", ""),
            "divides by the number of summed elements (the mean's backward)": with_mistake(
                SUM_BACKWARD, "return np.broadcast_to(dout, shape).copy()",
                "full = np.broadcast_to(dout, shape)\n"
                "    return full * (dout.size / full.size)"),
            "ones of the input's shape (dout forgotten)": with_mistake(
                SUM_BACKWARD, "return np.broadcast_to(dout, shape).copy()",
                "return np.ones(shape, dtype=dout.dtype)"),
            "returns dout itself": with_mistake(
                SUM_BACKWARD, "return np.broadcast_to(dout, shape).copy()", "return dout"),
        },
        "correct": {
            "zeros plus dout, axes normalised by hand": '''
def sum_backward(dout, shape, axis=None, keepdims=False):
    dout = np.asarray(dout)
    if axis is None:
        axes = tuple(range(len(shape)))
    else:
        axes = tuple(a % len(shape) for a in (axis if isinstance(axis, tuple) else (axis,)))
    if not keepdims:
        dout = dout.reshape([1 if i in axes else size for i, size in enumerate(shape)])
    return np.zeros(shape, dtype=dout.dtype) + dout
''',
        },
    },
}
