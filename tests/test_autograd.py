"""Tests of course_lib.autograd against PyTorch's autograd, numerical gradients and the course's layers.

PyTorch's values were recorded by scripts/record_autograd_golden.py into
course_lib/recorded/torch_autograd.json (the chapter's graders read the same file); no torch import
here. Also: the graph drawing, the backward-pass stepper and the graph checks the graders use.
"""
from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_lib import autograd, checks, plotting
from course_lib.autograd import Tensor, Value
from course_lib.gradient import numerical_derivative, numerical_gradient
from course_lib.layers import Affine, Relu, SoftmaxWithLoss
from course_lib.network import TwoLayerNet
from course_lib.widgets import BackwardPassState, BackwardPassStepper

TORCH = checks.recorded("torch_autograd")
METHODS = {"exp": Value.exp, "log": Value.log, "tanh": Value.tanh, "relu": Value.relu}
BINARY = {"+": lambda x, y: x + y, "-": lambda x, y: x - y, "*": lambda x, y: x * y,
          "/": lambda x, y: x / y}


def torch_arrays(record: dict, *keys: str) -> list[np.ndarray]:
    return [np.array(record[key], dtype=record["dtype"]) for key in keys]


# --- Value: each operation, whole graphs -----------------------------------------------------

def test_the_recording_covers_every_operation_and_both_sets():
    ops = {c["op"] for c in TORCH["local_derivatives"]}
    assert ops == set(BINARY) | set(METHODS) | {"**"}
    for section in ("local_derivatives", "expressions", "matmul", "sum_to_shape", "sum_backward"):
        assert {c["set"] for c in TORCH[section]} == {"visible", "hidden"}, section
    assert TORCH["torch_version"].startswith("2.")


@pytest.mark.parametrize("record", TORCH["local_derivatives"],
                         ids=lambda c: f"{c['op']}{c['inputs']}")
def test_each_operation_has_torchs_result_and_local_derivatives(record):
    op, inputs = record["op"], record["inputs"]
    leaves = [Value(v) for v in (inputs if op in BINARY else inputs[:1])]
    if op in BINARY:
        out = BINARY[op](*leaves)
    elif op == "**":
        out = leaves[0] ** inputs[1]
    else:
        out = METHODS[op](leaves[0])
    out.backward()
    assert out.data == pytest.approx(record["out"], rel=1e-12, abs=1e-300)
    assert out.local_grads == pytest.approx(record["grads"], rel=1e-12, abs=1e-15)
    assert [leaf.grad for leaf in leaves] == pytest.approx(record["grads"], rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("record", TORCH["expressions"], ids=lambda c: c["about"][:30])
def test_whole_graphs_give_torchs_gradients_and_the_numerical_ones(record):
    root, leaves = checks.graph_of(record["expr"], record["inputs"])
    root.backward()
    assert root.data == pytest.approx(record["out"], rel=1e-12)
    for name, leaf in leaves.items():
        assert leaf.grad == pytest.approx(record["grads"][name], rel=1e-10, abs=1e-14), name
        numerical = numerical_derivative(
            lambda v, name=name: checks.graph_of(record["expr"], {**record["inputs"], name: v})[0].data,
            record["inputs"][name], h=1e-5)
        assert leaf.grad == pytest.approx(numerical, rel=1e-6, abs=1e-9), name


def test_numbers_on_either_side_become_constant_leaves():
    x = Value(2.0, label="x")
    out = 3 - x / 4 + 2 * x - 1 / x + x * 0.5
    out.backward()
    assert out.data == pytest.approx(3 - 0.5 + 4 - 0.5 + 1)
    assert x.grad == pytest.approx(-0.25 + 2 + 1 / 4 + 0.5)
    constants = [n for n in autograd.topological_order(out) if not n.parents and n is not x]
    assert sorted(c.data for c in constants) == [0.5, 1.0, 2.0, 3.0, 4.0]


def test_a_node_used_twice_collects_both_shares_and_backward_replaces_old_gradients():
    x = Value(3.0)
    square = x * x
    assert square.parents == (x, x)
    square.backward()
    assert x.grad == 6.0
    square.backward()  # PyTorch would give 12: here every backward starts afresh
    assert x.grad == 6.0 and square.grad == 1.0
    cube = square * x
    cube.backward()
    assert (x.grad, square.grad) == (27.0, 3.0)


def test_topological_order_lists_each_node_once_after_its_parents():
    for record in TORCH["expressions"]:
        root, _ = checks.graph_of(record["expr"], record["inputs"])
        order = autograd.topological_order(root)
        checks.check_topological_order(order, root, record["about"])
        assert order[-1] is root


def test_graphs_deeper_than_the_recursion_limit_work():
    x = Value(1.0)
    total = x
    for _ in range(5000):
        total = total + x * 0.001
    total.backward()
    assert x.grad == pytest.approx(6.0)
    assert len(autograd.topological_order(total)) == 3 * 5000 + 1


def test_backpropagate_refuses_an_order_that_is_not_topological():
    x = Value(0.5)
    y = x.tanh()
    root = y * 2
    two = root.parents[1]
    assert autograd.topological_order(root) == [x, y, two, root]
    # walked backwards, x comes up before y (its only user) has passed it anything
    with pytest.raises(ValueError, match="not a topological order"):
        autograd.backpropagate([y, x, two, root])
    with pytest.raises(ValueError, match="empty list"):
        autograd.backpropagate([])


def test_value_rejects_bad_input_with_clear_messages():
    with pytest.raises(TypeError, match="expected a number"):
        Value("3")
    with pytest.raises(TypeError, match="expected a number"):
        Value(Value(1.0))
    with pytest.raises(ValueError, match="log: expected a positive number, got -1"):
        Value(-1.0).log()
    with pytest.raises(TypeError, match="constant exponent"):
        Value(2.0) ** Value(3.0)
    with pytest.raises(ValueError, match="2 parents but 1 local gradients"):
        Value(1.0, (Value(1.0), Value(2.0)), (1.0,))


# --- Tensor: matmul, broadcasting, sum against PyTorch; the network against the layers ---------

@pytest.mark.parametrize("record", TORCH["matmul"],
                         ids=lambda c: f"{np.shape(c['a'])}@{np.shape(c['b'])}")
def test_matmul_backward_is_torchs(record):
    a, b, dout, da, db = torch_arrays(record, "a", "b", "dout", "da", "db")
    ta, tb = Tensor(a), Tensor(b)
    out = ta @ tb
    assert out.data.dtype == a.dtype
    (out * Tensor(dout)).sum().backward()
    tolerance = {"rtol": 1e-5, "atol": 1e-6} if a.dtype == np.float32 else {"rtol": 1e-12}
    np.testing.assert_allclose(ta.grad, da, **tolerance)
    np.testing.assert_allclose(tb.grad, db, **tolerance)
    assert ta.grad.dtype == a.dtype


@pytest.mark.parametrize("record", TORCH["sum_to_shape"],
                         ids=lambda c: f"{np.shape(c['grad'])}->{c['shape']}")
def test_broadcast_inputs_get_torchs_summed_gradients(record):
    grad, expected = torch_arrays(record, "grad", "expected")
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=grad.shape).astype(grad.dtype))
    y = Tensor(rng.normal(size=record["shape"]).astype(grad.dtype))
    for out in (x + y, y + x):
        (out * Tensor(grad)).sum().backward()
        assert y.grad.shape == tuple(record["shape"]) and y.grad.dtype == grad.dtype
        np.testing.assert_allclose(y.grad, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(x.grad, grad, rtol=1e-6)


@pytest.mark.parametrize("record", TORCH["sum_backward"],
                         ids=lambda c: f"{c['shape']}-{c['axis']}-{c['keepdims']}")
def test_sum_backward_is_torchs(record):
    dout, expected = torch_arrays(record, "dout", "expected")
    axis = tuple(record["axis"]) if isinstance(record["axis"], list) else record["axis"]
    x = Tensor(np.ones(record["shape"], dtype=dout.dtype))
    total = x.sum(axis=axis, keepdims=record["keepdims"])
    assert total.shape == dout.shape
    (total * Tensor(dout)).sum().backward()
    np.testing.assert_allclose(x.grad, expected, rtol=1e-6)
    x.grad[...] = 0  # a gradient of its own, not a read-only broadcast view
    assert x.grad.dtype == dout.dtype


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
@pytest.mark.parametrize("shapes", [((3, 4), (4,)), ((2, 1, 3), (4, 1)), ((), (2, 2))])
def test_broadcasting_operations_match_numerical_gradients(op, shapes):
    rng = np.random.default_rng(1)
    x0, y0 = rng.uniform(0.5, 2.0, size=shapes[0]), rng.uniform(0.5, 2.0, size=shapes[1])
    weights = rng.normal(size=np.broadcast_shapes(*shapes))
    x, y = Tensor(x0), Tensor(y0)
    (BINARY[op](x, y) * Tensor(weights)).sum().backward()
    def f(_):
        return float(np.sum(BINARY[op](x0, y0) * weights))
    np.testing.assert_allclose(x.grad, numerical_gradient(f, x0, h=1e-6), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(y.grad, numerical_gradient(f, y0, h=1e-6), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("method", ["exp", "log", "tanh", "relu", "square", "reciprocal root",
                                    "negative"])
def test_elementwise_tensor_operations_match_numerical_gradients(method):
    rng = np.random.default_rng(2)
    x0 = rng.uniform(0.2, 2.0, size=(3, 2)) * np.array([1.0, -1.0])
    if method in ("log", "reciprocal root"):
        x0 = np.abs(x0)
    apply = {"exp": lambda t: t.exp(), "log": lambda t: t.log(), "tanh": lambda t: t.tanh(),
             "relu": lambda t: t.relu(), "square": lambda t: t ** 2,
             "reciprocal root": lambda t: t ** -0.5, "negative": lambda t: -t}[method]
    weights = rng.normal(size=x0.shape)
    x = Tensor(x0)
    (apply(x) * Tensor(weights)).sum().backward()
    def f(values):
        return float(np.sum(apply(Tensor(values)).data * weights))
    np.testing.assert_allclose(x.grad, numerical_gradient(f, x0.copy(), h=1e-6), rtol=1e-6, atol=1e-9)


def test_float32_stays_float32_through_every_operation_and_its_gradient():
    x = Tensor(np.array([[0.5, -2.0]], dtype=np.float32))
    w = Tensor(np.ones((2, 3), dtype=np.float32))
    out = ((x @ w + 1) * 2 - x.sum() / 3) ** 2
    out = (out.exp().log() + out.tanh() - out.relu()).sum(axis=1, keepdims=True).sum()
    out.backward()
    assert out.data.dtype == x.grad.dtype == w.grad.dtype == np.float32


def network_loss(params, x, t):
    hidden = (Tensor(x) @ params["W1"] + params["b1"]).relu()
    return autograd.softmax_cross_entropy(hidden @ params["W2"] + params["b2"], t)


def test_the_two_layer_network_gets_torchs_loss_and_gradients():
    record = TORCH["two_layer_net"]
    leaves = {key: Tensor(np.array(value), label=key) for key, value in record["params"].items()}
    loss = network_loss(leaves, np.array(record["x"]), np.array(record["t"]))
    loss.backward()
    assert float(loss.data) == pytest.approx(record["loss"], rel=1e-12)
    for key, leaf in leaves.items():
        np.testing.assert_allclose(leaf.grad, record["grads"][key], rtol=1e-10, atol=1e-14,
                                   err_msg=key)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_two_layer_network_gets_the_gradients_of_the_course_layers(dtype):
    rng = np.random.default_rng(3)
    x, t = rng.normal(size=(7, 5)).astype(dtype), rng.integers(0, 4, size=7)
    net = TwoLayerNet(5, 6, 4, dtype=dtype, seed=1)
    net.params["b1"] += rng.normal(size=6).astype(dtype)  # nonzero biases: their sums are tested
    leaves = {key: Tensor(value) for key, value in net.params.items()}
    loss = network_loss(leaves, x, t)
    loss.backward()
    expected_loss, by_layers = net.loss_and_gradient(x, t)
    tolerance = ({"rtol": 1e-4, "atol": 1e-6} if dtype == np.float32
                 else {"rtol": 1e-10, "atol": 1e-13})
    assert float(loss.data) == pytest.approx(expected_loss, rel=tolerance["rtol"])
    for key, leaf in leaves.items():
        assert leaf.grad.dtype == dtype
        np.testing.assert_allclose(leaf.grad, by_layers[key], **tolerance, err_msg=key)
    # and layer by layer, with an upstream gradient that is not 1: Affine, ReLU, softmax loss
    affine, relu, softmax = Affine(net.params["W1"], net.params["b1"]), Relu(), SoftmaxWithLoss()
    scores = relu.forward(affine.forward(x))
    softmax.forward(scores, t)
    affine.backward(relu.backward(softmax.backward(2.5)))
    w1, b1 = Tensor(net.params["W1"]), Tensor(net.params["b1"])
    (autograd.softmax_cross_entropy((Tensor(x) @ w1 + b1).relu(), t) * 2.5).backward()
    np.testing.assert_allclose(w1.grad, affine.dW, **tolerance)
    np.testing.assert_allclose(b1.grad, affine.db, **tolerance)


def test_softmax_cross_entropy_stays_finite_for_huge_scores():
    scores = Tensor(np.array([[1000.0, -1000.0, 0.0], [0.0, 0.0, 800.0]]))
    loss = autograd.softmax_cross_entropy(scores, [1, 2])
    loss.backward()
    assert float(loss.data) == pytest.approx(1000.0, rel=1e-12)
    np.testing.assert_allclose(scores.grad, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)


def test_tensor_rejects_bad_input_with_clear_messages():
    with pytest.raises(ValueError, match=r"@: expected 2-D arrays .* got \(2, 3\) and \(2, 3\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="log: expected positive numbers, got 1 of 2"):
        Tensor([1.0, 0.0]).log()
    with pytest.raises(ValueError, match=r"labels: expected 2 class indices in \[0, 3\)"):
        autograd.softmax_cross_entropy(Tensor(np.zeros((2, 3))), [0, 3])
    with pytest.raises(TypeError, match="numeric array"):
        Tensor(["a"])
    with pytest.raises(TypeError, match="constant exponent"):
        Tensor([1.0]) ** Tensor([2.0])


# --- the picture, the stepper and the graders' graph checks ----------------------------------

def test_plot_graph_draws_every_node_left_to_right_with_the_gradients_given():
    a, b = Value(0.5, label="a"), Value(-1.5, label="b")
    out = (a * b + a).tanh() * 2 - b / a
    order = autograd.topological_order(out)
    grads = autograd.backpropagate(order)
    ax = plotting.plot_graph(out, grads=grads, highlight=a)
    boxes = [text for text in ax.texts if text.get_gid() == plotting.GRAPH_NODE_GID]
    assert len(boxes) == len(order)
    assert sum("grad" in text.get_text() for text in boxes) == len(order)
    edges = sum(len(node.parents) for node in order)
    assert len([p for p in ax.texts if p not in boxes]) == edges  # one arrow per edge
    positions = plotting.graph_layout(out)
    assert all(positions[p][0] < positions[n][0] for n in order for p in n.parents)
    highlighted = [t for t in boxes if t.get_text().startswith("a\n")]
    face = [box.get_bbox_patch().get_facecolor()[:3] for box in (highlighted[0], boxes[-1])]
    assert face[0] != face[1]
    matplotlib.pyplot.close("all")


def test_the_stepper_state_passes_gradients_one_node_at_a_time():
    x = Value(3.0, label="x")
    root = x * x + x
    state = BackwardPassState(root)
    assert state.grads == {root: 1.0} and state.running
    assert state.step() and state.current is root
    assert state.grads[x] == 1.0  # from the addition only, so far
    assert state.run(10) == 2 and not state.running and not state.step()
    assert state.grads == autograd.backpropagate(autograd.topological_order(root))
    assert state.grads[x] == 7.0 and [share for _, share in state.shares] == []
    state.reset()
    assert state.steps == 0 and state.grads == {root: 1.0} and state.current is None


def test_the_stepper_widget_redraws_and_explains_each_step():
    x = Value(3.0, label="x")
    tensor = Tensor(np.ones((2, 2)), label="w")
    tool = BackwardPassStepper({"x * x": x * x, "sum": (tensor * 2).sum()})
    assert "Press Step" in tool.readout.value
    first_image = tool.image.value
    tool.step_button.click()
    assert tool.image.value != first_image
    assert "At the &#x27;*&#x27; node: gradient 1; its parents" in tool.readout.value
    assert tool.readout.value.count("<tr>") == 3
    tool.run_button.click()
    assert "At x: gradient 6, a leaf" in tool.readout.value
    tool.graph.value = "sum"
    assert tool.state.root.op == "sum" and tool.state.steps == 0
    tool.run_button.click()
    assert "At w: gradient an array of shape (2, 2)" in tool.readout.value
    with pytest.raises(ValueError, match="at least one graph"):
        BackwardPassStepper({})


def test_graph_checks_name_what_is_wrong():
    x = Value(3.0, label="x")
    root = x * x + x
    order = autograd.topological_order(root)
    checks.check_topological_order(order, root, "ok", reference_grads={x: 7.0})
    cases = {
        "not a list": (None, "expected a list"),
        "the data": ([n.data for n in order], "not nodes of the graph"),
        "twice": (order + [x], "appears 2 times"),
        "missing": (order[1:], "1 of the graph's 3 nodes are missing"),
        "reversed": (order[::-1], "reverse it"),
    }
    for name, (got, message) in cases.items():
        with pytest.raises(AssertionError, match=message):
            checks.check_topological_order(got, root, name)
    with pytest.raises(AssertionError, match="compared with PyTorch"):
        checks.check_topological_order(order, root, "grads", reference_grads={x: 6.0},
                                       reference="PyTorch")
    grads = autograd.backpropagate(order)
    checks.check_node_gradients(grads, grads, "ok")
    with pytest.raises(AssertionError, match="1 of the 3 nodes have no gradient"):
        checks.check_node_gradients({n: g for n, g in grads.items() if n is not x}, grads, "missing")
    with pytest.raises(AssertionError, match="wrong gradient of the node 'x'"):
        checks.check_node_gradients({**grads, x: 6.0}, grads, "accumulation")
    with pytest.raises(AssertionError, match="expected a dict"):
        checks.check_node_gradients([1.0], grads, "a list")
    with checks.nodes_left_unchanged(order, "ok"):
        x.grad = float("3")  # another float object, the same value
        x.grad = 0.0
    for change in (lambda: setattr(x, "grad", 1.0), lambda: setattr(root, "visited", True),
                   lambda: delattr(root, "label")):
        with pytest.raises(AssertionError, match="was changed: (grad|visited|label)"):
            with checks.nodes_left_unchanged(order, "marked"):
                change()
