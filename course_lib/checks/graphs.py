"""Checks on computational graphs (chapter 13): orders, node gradients, untouched nodes."""
from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager

import numpy as np

from course_lib.checks.compare import _describe, _fail, check_array, expected_line, got_line
from course_lib.language import _


def describe_node(node) -> str:
    """'the input x (data 3)' or "the '*' node (data 9)", for messages about a graph."""
    data = getattr(node, "data", None)
    value = (_("shape {shape}").format(shape=data.shape)
             if isinstance(data, np.ndarray) and data.ndim
             else _("data {data}").format(data=f"{float(data):.4g}"))
    if getattr(node, "label", ""):
        return _("the node {label} ({value})").format(label=repr(node.label), value=value)
    if not getattr(node, "parents", ()):
        return _("the constant leaf ({value})").format(value=value)
    return _("the {op} node ({value})").format(op=repr(node.op), value=value)


def check_topological_order(got, root, what: str, reference_grads: Mapping | None = None,
                            reference: str = "the reference", **options) -> None:
    """Check that `got` lists every node `root` depends on exactly once, each after its parents.

    Parameters
    ----------
    got : list
        What the student's topological sort returned.
    root : Value or Tensor
        The graph's output (it must come last).
    what : str
        Names the function and the case, e.g. "topological_order on x * x".
    reference_grads : mapping leaf node -> gradient, optional
        With it, once every node is listed once, backpropagation runs along `got` and the
        leaves' gradients must equal these (e.g. PyTorch's); an order that breaks the chain rule
        fails here with the numbers, before the order itself is examined.
    reference : str
        Names the source of reference_grads in messages, e.g. "PyTorch's autograd".
    options
        rtol, atol for the comparison with reference_grads, as in `check_array`.
    """
    from course_lib.autograd import backpropagate, topological_order  # late: see check_gradient
    nodes = topological_order(root)
    if not isinstance(got, (list, tuple)):
        _fail(what, [expected_line(_("a list of the graph's {count} nodes").format(
                         count=len(nodes))), got_line(_describe(got))],
              [_("return a list of nodes, the leaves first and the root last.")])
    members = {id(node) for node in nodes}
    strangers = [item for item in got if id(item) not in members]
    if strangers:
        _fail(what, [_("{count} of the {size} items returned are not nodes of the graph (the "
                       "first: {first})").format(count=len(strangers), size=len(got),
                                                 first=_describe(strangers[0]))],
              [_("return the nodes themselves (not their data or their labels).")])
    counts = {}
    for node in got:
        counts[node] = counts.get(node, 0) + 1
    repeated = [node for node in nodes if counts.get(node, 0) > 1]
    if repeated:
        _fail(what, [_("{node} appears {count} times").format(node=describe_node(repeated[0]),
                                                              count=counts[repeated[0]])],
              [_("list each node once, however many nodes use it: remember which nodes you have "
                 "visited already.")])
    missing = [node for node in nodes if node not in counts]
    if missing:
        _fail(what, [_("{count} of the graph's {size} nodes are missing, e.g. {node}").format(
                         count=len(missing), size=len(nodes), node=describe_node(missing[0]))],
              [_("visit the parents of every node, down to the leaves; the root belongs to the "
                 "list too.")])
    if reference_grads is not None:
        try:
            along = backpropagate(list(got))
        except ValueError:  # a node came up before its users: the check below says which
            along = None
        for leaf, gradient in ([] if along is None else reference_grads.items()):
            check_array(along[leaf], gradient,
                        _("{what}: backpropagation along this order gives a wrong gradient of "
                          "{node} (compared with {reference})").format(
                              what=what, node=describe_node(leaf), reference=reference),
                        hint=_("a node passed its gradient on before all of it had arrived: "
                               "every node must come after all of its parents, so that, walked "
                               "backwards, it comes after every node that uses it."), **options)
    position = {node: i for i, node in enumerate(got)}
    for node in got:
        early = [parent for parent in node.parents if position[parent] > position[node]]
        if early:
            hint = (_("the list starts with the root: a node must come after its parents, so "
                      "reverse it.") if got[0] is root and len(got) > 1 else
                    _("add a node only after all of its parents are added (depth first), not "
                      "when you first meet it."))
            _fail(what, [_("{node} comes before its parent {parent}").format(
                node=describe_node(node), parent=describe_node(early[0]))], [hint])


def check_node_gradients(got, expected: Mapping, what: str, **options) -> None:
    """Check a dict node -> gradient against `expected` (the same nodes), node by node.

    Parameters
    ----------
    got : dict
        What the student's backward pass returned.
    expected : dict
        node -> the right gradient, for every node of the graph.
    what : str
        Names the function and the case.
    options
        rtol, atol, hint, as in `check_array`.
    """
    if not isinstance(got, Mapping):
        _fail(what, [expected_line(_("a dict with an entry for each of the {count} nodes").format(
                         count=len(expected))), got_line(_describe(got))],
              [_("return a dict: node -> d(root)/d(node).")])
    missing = [node for node in expected if node not in got]
    if missing:
        _fail(what, [_("{count} of the {size} nodes have no gradient in the dict, e.g. "
                       "{node}").format(count=len(missing), size=len(expected),
                                        node=describe_node(missing[0]))],
              [_("every node of `order` needs its entry, the root (gradient 1) and the leaves "
                 "too.")])
    for node, gradient in expected.items():
        check_array(got[node], gradient, _("{what}: wrong gradient of {node}").format(
            what=what, node=describe_node(node)), **options)


def _same(a, b) -> bool:
    return a is b or (isinstance(a, float) and isinstance(b, float) and a == b)


@contextmanager
def nodes_left_unchanged(nodes, what: str):
    """Fail if the code run inside changes, adds or removes an attribute of a graph node.

    When a notebook is graded, the student's code receives the grader's nodes as handles that
    cannot be changed; code that marks or fills in the nodes would pass here and fail there.

    Parameters
    ----------
    nodes : list of Value
    what : str
        Names the function and the case, e.g. "topological_order on x * x".
    """
    missing = object()
    before = [dict(vars(node)) for node in nodes]
    yield
    for node, attributes in zip(nodes, before, strict=True):
        now = vars(node)
        changed = sorted(key for key in set(now) | set(attributes)
                         if not _same(now.get(key, missing), attributes.get(key, missing)))
        if changed:
            _fail(what, [_("{node} was changed: {attributes}").format(
                         node=describe_node(node), attributes=", ".join(changed))],
                  [_("leave the nodes as they are: keep what you need in a set, list or dict of "
                     "your own.")])


def graph_of(expr: str, inputs: Mapping) -> tuple:
    """The graph of a recorded expression, built with `course_lib.autograd.Value`.

    Parameters
    ----------
    expr : str
        Python text, as recorded with PyTorch (e.g. "(a * b + a).tanh()"); the same operators and
        methods build the graph here.
    inputs : mapping name -> float
        The leaves, each labelled with its name.

    Returns
    -------
    root : Value
    leaves : dict name -> Value
    """
    from course_lib.autograd import Value  # late: checks must import without it
    leaves = {name: Value(value, label=name) for name, value in inputs.items()}
    return eval(expr, {}, dict(leaves)), leaves  # our own recorded text, never a student's
