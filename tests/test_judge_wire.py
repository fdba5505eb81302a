"""The wire between the trusted judge and the student's kernel (course_lib.grading.judge.wire),
over a real socket pair: values arrive as they left, handles work both ways, arrays changed in
place travel back whichever side made them, temporary arrays are let go, and every malformed or oversized message is refused with a WireError that
says what was wrong, never a crash of another kind and never a hang."""
import json
import socket
import struct
import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_lib.grading.judge import wire
from course_lib.grading.judge.agent import STUDENT_SIDE_OPS
from course_lib.grading.judge.trusted import JUDGE_SIDE_OPS
from course_lib.grading.judge.wire import (
    MAX_DEPTH,
    MAX_FRAMES,
    MAX_HEADER,
    Endpoint,
    Remote,
    WireError,
    array_to_bytes,
    receive_message,
    send_message,
)

TIMEOUT = 10  # seconds: a test that would hang fails instead


class Kernel:
    """The student's side, answering in a thread from `namespace`, as judge.agent.serve does."""

    def __init__(self, sock: socket.socket, namespace: dict):
        self.endpoint = Endpoint(sock, STUDENT_SIDE_OPS, judge=False)
        self.endpoint.namespace = namespace
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        try:
            self.endpoint.serve()
        except BaseException as error:  # reported by the test, not lost in the thread
            self.error = error


@pytest.fixture
def pair():
    """(judge endpoint, the kernel's socket) on a connected socket pair with timeouts."""
    judge_sock, kernel_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    for sock in (judge_sock, kernel_sock):
        sock.settimeout(TIMEOUT)
    yield Endpoint(judge_sock, JUDGE_SIDE_OPS, judge=True), kernel_sock
    judge_sock.close()
    kernel_sock.close()


@pytest.fixture
def judge_with_kernel(pair):
    """A judge endpoint talking to a kernel thread; `serve(namespace)` starts the kernel."""
    judge, kernel_sock = pair
    kernels = []

    def serve(namespace):
        kernels.append(Kernel(kernel_sock, namespace))
        return judge
    yield serve
    if kernels and not judge.broken:
        judge.request("done")
        kernels[0].thread.join(TIMEOUT)
        assert kernels[0].error is None


def fetch(judge: Endpoint, name: str):
    reply = judge.request("get", name=name)
    assert reply["defined"], name
    return reply["value"]


# ---------------------------------------------------------------------------------------------
# What works
# ---------------------------------------------------------------------------------------------

def test_plain_values_arrive_as_they_left(judge_with_kernel):
    sent = {"ints": [1, -2, 3], "pair": (0.5, "text"), "nothing": None, "flag": True,
            "nested": {"a": [(1, 2), {"b": [3.0]}]},
            "f32": np.arange(6, dtype=np.float32).reshape(2, 3),
            "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
            "ints64": np.array([1, 2], dtype=np.int64), "bools": np.array([True, False]),
            "complex": np.array([1 + 2j]), "scalar": np.float32(2.5), "zero_d": np.array(3.0)}
    judge = judge_with_kernel({"echo": lambda value: value})
    got = fetch(judge, "echo")(sent)
    assert got.keys() == sent.keys()
    for key, value in sent.items():
        if isinstance(value, np.ndarray | np.generic):
            assert type(got[key]) is type(value) and got[key].dtype == value.dtype, key
            np.testing.assert_array_equal(got[key], value)
        else:
            assert got[key] == value and type(got[key]) is type(value), key


def test_functions_travel_as_handles_and_callbacks_are_answered(judge_with_kernel):
    judge = judge_with_kernel({"apply_twice": lambda f, x: f(f(x)), "answer": 42})
    assert fetch(judge, "answer") == 42
    apply_twice = fetch(judge, "apply_twice")
    assert isinstance(apply_twice, Remote)
    calls = []

    def double(x):  # runs in the judge, called from the kernel over the wire
        calls.append(x)
        return 2 * x
    assert apply_twice(double, 5) == 20 and calls == [5, 10]
    assert judge.request("get", name="missing") == {"defined": False}


def test_an_array_changed_in_place_by_the_student_changes_the_judges_array(judge_with_kernel):
    def step(params, grads):
        params -= 0.5 * grads
    judge = judge_with_kernel({"step": step})
    params, grads = np.array([1.0, 2.0]), np.array([2.0, 2.0])
    before = params
    fetch(judge, "step")(params, grads)
    assert params is before and params.tolist() == [0.0, 1.0]
    assert grads.tolist() == [2.0, 2.0]


class KernelNet:
    """A student's network: its methods read the current `params`."""

    def __init__(self):
        self.params = {"W": np.array([1.0, 2.0])}

    def total(self):
        return float(self.params["W"].sum())


def test_an_array_the_kernel_made_and_the_judge_changes_in_place_is_changed_in_the_kernel(
        judge_with_kernel):
    judge = judge_with_kernel({"KernelNet": KernelNet})
    net = fetch(judge, "KernelNet")()
    weights = net.params["W"]
    weights *= 3.0  # as a test that checks the methods read the current weights
    assert net.total() == 9.0
    assert net.params["W"] is weights  # the same array each time, as in one process


class KernelLayer:
    """A student's layer whose backward overwrites the array its forward returned."""

    def forward(self, x):
        self.out = x * 2.0
        return self.out

    def backward(self):
        self.out[...] = 0.0


def test_a_returned_array_the_kernel_changes_later_changes_the_judges_copy(judge_with_kernel):
    judge = judge_with_kernel({"KernelLayer": KernelLayer})
    layer = fetch(judge, "KernelLayer")()
    out = layer.forward(np.array([1.0, 2.0]))
    assert out.tolist() == [2.0, 4.0]
    layer.backward()
    assert out.tolist() == [0.0, 0.0]  # what a test in the kernel would see


class JudgeNet:
    """The course library's network as a test hands it to the student's training loop."""

    def __init__(self):
        self.params = {"W": np.zeros(3)}

    def ping(self):
        return None


def update_after_another_request(net):
    weights = net.params["W"]
    net.ping()        # a message each way while the student holds the judge's array
    weights += 1.0    # then changed, and let go before the reply


def update_with_out(net):
    np.add(net.params["W"], 2.0, out=net.params["W"])  # fetched twice, changed, let go


@pytest.mark.parametrize("update", [update_after_another_request, update_with_out])
def test_the_last_change_of_a_copy_the_student_lets_go_reaches_the_judge(judge_with_kernel,
                                                                         update):
    judge = judge_with_kernel({"update": update})
    net = JudgeNet()
    weights = net.params["W"]
    fetch(judge, "update")(net)
    assert net.params["W"] is weights and weights.tolist() != [0.0, 0.0, 0.0]


def test_arrays_come_back_as_the_arrays_that_left(judge_with_kernel):
    kept = {}

    def keep(array):
        kept["judges"] = array
        return array

    def make():
        kept["kernels"] = np.zeros(2)
        return kept["kernels"]
    judge = judge_with_kernel({"keep": keep, "make": make,
                               "is_kept": lambda array, key: array is kept[key]})
    mine = np.ones(3)
    assert fetch(judge, "keep")(mine) is mine
    theirs = fetch(judge, "make")()
    assert fetch(judge, "is_kept")(theirs, "kernels") is True
    assert fetch(judge, "is_kept")(mine, "judges") is True


def test_temporary_arrays_are_let_go_on_both_sides(pair):
    judge, kernel_sock = pair

    def loop(callback, steps):
        for step in range(steps):  # a training loop: a new batch and a new gradient each step
            gradient = callback(np.full(1_000, float(step)))
            assert gradient.shape == (1_000,)
    kernel = Kernel(kernel_sock, {"loop": loop})
    fetch(judge, "loop")(lambda batch: batch * 2.0, 300)
    judge.request("get", name="loop")  # one more message each way: the last drops arrive
    assert len(judge.own) + len(judge.theirs) <= 4
    assert len(kernel.endpoint.own) + len(kernel.endpoint.theirs) <= 4
    judge.request("done")
    kernel.thread.join(TIMEOUT)
    assert kernel.error is None


def test_a_kernel_that_keeps_every_array_hits_a_clear_limit(pair, monkeypatch):
    monkeypatch.setattr(wire, "MAX_MIRRORED", 100_000)
    judge, kernel_sock = pair
    hoard = []
    Kernel(kernel_sock, {"keep": hoard.append})
    keep = fetch(judge, "keep")
    with pytest.raises(WireError, match="does not let them go"):
        for _ in range(20):
            keep(np.zeros(1_000))  # 8,000 bytes each, all kept by the kernel


def test_a_student_exception_comes_back_as_that_exception_with_its_message(judge_with_kernel):
    def broken(x):
        raise ValueError(f"no good: {x}")

    class CustomError(Exception):
        pass

    def custom():
        raise CustomError("mine")
    judge = judge_with_kernel({"broken": broken, "custom": custom})
    with pytest.raises(ValueError, match="no good: 3"):
        fetch(judge, "broken")(3)
    with pytest.raises(Exception, match="mine") as info:
        fetch(judge, "custom")()
    assert type(info.value).__name__ == "CustomError"  # a stand-in: the judge never unpickles
    assert fetch(judge, "broken") is not None  # the wire still works after an error


def test_an_exception_of_a_library_keeps_its_built_in_base(judge_with_kernel):
    """numpy's LinAlgError is a ValueError: a test that expects ValueError accepts it graded too;
    a student's own subclass of FileNotFoundError arrives by its name as a FileNotFoundError."""
    class MissingFile(FileNotFoundError):
        pass

    def singular():
        np.linalg.cholesky(-np.eye(2))

    def missing():
        raise MissingFile("no data here")
    judge = judge_with_kernel({"singular": singular, "missing": missing})
    with pytest.raises(ValueError, match="not positive definite") as info:
        fetch(judge, "singular")()
    assert type(info.value).__name__ == "LinAlgError" and isinstance(info.value, wire.RemoteError)
    with pytest.raises(FileNotFoundError, match="no data here") as info:
        fetch(judge, "missing")()
    assert type(info.value).__name__ == "MissingFile" and isinstance(info.value, wire.RemoteError)


def test_the_judge_reads_no_private_attribute_and_sets_none(judge_with_kernel):
    class Optimizer:
        lr = 0.1
        _secret = "x"
    judge = judge_with_kernel({"opt": Optimizer()})
    optimizer = fetch(judge, "opt")
    assert optimizer.lr == 0.1
    with pytest.raises(AttributeError):
        optimizer.__array_interface__  # noqa: B018 (the access is the test)
    with pytest.raises(AttributeError, match="cannot set"):
        optimizer.lr = 1.0


# ---------------------------------------------------------------------------------------------
# What is refused
# ---------------------------------------------------------------------------------------------

def ask_and_get_reply(judge: Endpoint, kernel_sock: socket.socket, reply: bytes):
    """The judge asks for a global; the fake kernel reads the request and sends raw `reply`."""
    def kernel():
        receive_message(kernel_sock)
        kernel_sock.sendall(reply)
        kernel_sock.shutdown(socket.SHUT_WR)
    thread = threading.Thread(target=kernel, daemon=True)
    thread.start()
    try:
        return judge.request("get", name="f")
    finally:
        thread.join(TIMEOUT)


def framed(*parts: bytes) -> bytes:
    return b"".join(struct.pack("!Q", len(p)) + p for p in parts)


def header_bytes(value) -> bytes:
    return json.dumps(value).encode()


REFUSED = {
    "an oversized header": (struct.pack("!Q", MAX_HEADER + 1), "over the limit"),
    "a header that is not JSON": (framed(b"{not json"), "broke"),
    "a header that is not an object": (framed(header_bytes([1, 2])), "malformed message header"),
    "a header without a frame count": (framed(header_bytes({"op": "reply"})), "malformed"),
    "a negative frame count": (framed(header_bytes({"op": "reply", "frames": -1})), "-1 arrays"),
    "too many frames": (framed(header_bytes({"op": "reply", "frames": MAX_FRAMES + 1})),
                        f"{MAX_FRAMES + 1} arrays"),
    "an oversized frame": (framed(header_bytes({"op": "reply", "frames": 1}))
                           + struct.pack("!Q", (1 << 30) + 1), "an array of"),
    "a message cut short": (framed(header_bytes({"op": "reply", "frames": 2}), b"x"), "hung up"),
    "an unknown kind of value": (framed(header_bytes({"op": "reply", "frames": 0,
                                                      "value": {"t": "pickle"}})),
                                 "unknown kind of value"),
    "a value that is not a tree": (framed(header_bytes({"op": "reply", "frames": 0,
                                                        "value": [1, 2]})), "unknown value"),
    "a missing frame": (framed(header_bytes({"op": "reply", "frames": 0,
                                             "value": {"t": "array", "f": 0}})),
                        "missing array"),
    "a frame that is not .npy": (framed(header_bytes({"op": "reply", "frames": 1,
                                                      "value": {"t": "array", "f": 0}}),
                                        b"\x93NUMPY garbage"), "broke"),
    "an object array": (framed(header_bytes({"op": "reply", "frames": 1,
                                             "value": {"t": "array", "f": 0}}),
                               array_to_bytes(np.array(["text"]))), "dtype"),
    "a handle the judge never gave": (framed(header_bytes({"op": "reply", "frames": 0,
                                                           "value": {"t": "yours", "id": 7}})),
                                      "never gave out"),
    "a mirror the judge never sent": (framed(header_bytes({"op": "reply", "frames": 0,
                                                           "value": {"t": "mirror", "m": 9}})),
                                      "never saw"),
    "an untrusted module": (framed(header_bytes({"op": "reply", "frames": 0,
                                                 "value": {"t": "module", "name": "antigravity"}})),
                            "does not import"),
    "a dataclass from elsewhere": (framed(header_bytes({"op": "reply", "frames": 0, "value": {
        "t": "dataclass", "module": "os", "name": "stat_result", "fields": {}}})),
        "outside course_lib"),
    "a request for an unknown object": (framed(header_bytes({"op": "call", "frames": 0,
                                                             "target": 12345})),
                                        "never gave out"),
}


@pytest.mark.parametrize("problem", sorted(REFUSED))
def test_a_malformed_reply_is_refused_with_a_clear_error(pair, problem):
    judge, kernel_sock = pair
    reply, message = REFUSED[problem]
    with pytest.raises(WireError, match=message):
        ask_and_get_reply(judge, kernel_sock, reply)
    assert judge.broken  # and the judge does not go on reading a stream it cannot trust
    with pytest.raises(WireError, match="broke"):
        judge.request("get", name="f")


def test_values_nested_too_deeply_are_refused_both_ways(pair):
    judge, kernel_sock = pair
    deep = None
    for _ in range(MAX_DEPTH + 2):
        deep = {"t": "list", "v": [deep]}
    with pytest.raises(WireError, match="nested too deeply"):
        ask_and_get_reply(judge, kernel_sock, framed(header_bytes({"op": "reply", "frames": 0,
                                                                   "value": deep})))
    value = []
    for _ in range(MAX_DEPTH + 2):
        value = [value]
    with pytest.raises(ValueError, match="nested too deeply to send"):
        Endpoint(socket.socket(), JUDGE_SIDE_OPS, True).encode(value, [])


def test_a_request_the_judge_does_not_answer_gets_an_error_reply(pair):
    """The kernel asks the judge for `get` (its globals) while the judge waits for a reply: the
    judge answers PermissionError and goes on waiting for its own reply."""
    judge, kernel_sock = pair

    def kernel():
        receive_message(kernel_sock)  # the judge's request
        send_message(kernel_sock, {"op": "get", "name": "secret", "updates": {}}, [])
        answer, _ = receive_message(kernel_sock)
        send_message(kernel_sock, {"op": "reply", "value": answer["type"], "updates": {}}, [])
    thread = threading.Thread(target=kernel, daemon=True)
    thread.start()
    judge.namespace = {"secret": "hidden test input"}
    assert judge.request("get", name="f") == "PermissionError"
    thread.join(TIMEOUT)


JSON_TREES = st.recursive(
    st.none() | st.booleans() | st.integers(-10, 10) | st.floats(allow_nan=False)
    | st.text(max_size=5),
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(st.sampled_from(["t", "f", "m", "v", "k", "id", "name", "fields", "type"]),
                      children, max_size=4),
    max_leaves=12)
KINDS = st.sampled_from(["scalar", "array", "mirror", "tuple", "list", "dict", "module",
                         "dataclass", "yours", "ref", "other"])


@st.composite
def hostile_values(draw):
    """Trees shaped like encoded values, with wrong, missing or odd fields."""
    node = draw(st.dictionaries(st.sampled_from(["f", "m", "v", "k", "id", "name", "fields"]),
                                JSON_TREES, max_size=4))
    node["t"] = draw(KINDS)
    return node


@given(value=JSON_TREES | hostile_values(),
       frames=st.lists(st.binary(max_size=64), max_size=3),
       updates=st.dictionaries(st.text(max_size=3), st.integers(-2, 4), max_size=2))
def test_fuzzed_replies_give_a_value_or_a_wire_error_and_never_hang(value, frames, updates):
    judge_sock, kernel_sock = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    with judge_sock, kernel_sock:
        for sock in (judge_sock, kernel_sock):
            sock.settimeout(TIMEOUT)
        judge = Endpoint(judge_sock, JUDGE_SIDE_OPS, judge=True)
        reply = framed(header_bytes({"op": "reply", "frames": len(frames), "value": value,
                                     "updates": updates}), *frames)
        try:
            ask_and_get_reply(judge, kernel_sock, reply)
        except WireError:
            assert judge.broken
