"""The student's side of trusted judging: answer the judge's requests from inside the kernel.

The grader runs `serve(socket_path, globals())` in the student's kernel while the judge
(`course_lib.grading.judge.trusted`) runs a test cell. The judge asks for the notebook's
functions and calls them with its test inputs; this side computes and sends back plain data.
Nothing here is trusted: if a submission changes this module, it can only send back wrong data,
which the judge checks.
"""
from __future__ import annotations

import socket

from course_lib.grading.judge.wire import Endpoint

STUDENT_SIDE_OPS = {"get", "call", "getattr", "iter", "next", "len", "getitem", "done"}
REFUSAL = ("course_lib.{module}.{name} is the course's own solution of this exercise: an answer "
           "may not call it while it is graded; write your own {name}")
# The answers the judge is calling now (innermost last), by the names the judge asked for.
judged_names: list[str] = []


class ReferenceRefused(RuntimeError):
    """course_lib's solution of an exercise was called by the answer to that exercise."""


def refuse_own_reference(module: str, name: str) -> None:
    """Raise ReferenceRefused if the judge is calling the student's answer `name` (the guard
    `course_lib.grading.sandbox.references` puts into course_lib's own `name` while a notebook is graded).
    """
    if name in judged_names:
        raise ReferenceRefused(REFUSAL.format(module=module, name=name))


class AgentEndpoint(Endpoint):
    """The kernel's end: remembers which answer each object it handed out came from."""

    def __init__(self, sock: socket.socket):
        super().__init__(sock, STUDENT_SIDE_OPS, judge=False)
        self.origins: dict[int, str] = {}  # id of an object handed out -> the answer's name

    def _answer(self, header: dict, frames: list[bytes]) -> None:
        op = header.get("op")
        origin = str(header.get("name")) if op == "get" else self.origins.get(header.get("target"))
        if origin is None:
            return super()._answer(header, frames)
        judged_names.append(origin)  # while computing the answer and sending it
        try:
            return super()._answer(header, frames)
        finally:
            judged_names.pop()

    def encode(self, value, frames: list[bytes], depth: int = 0):
        node = super().encode(value, frames, depth)
        if isinstance(node, dict) and node.get("t") == "ref" and judged_names:
            self.origins.setdefault(node["id"], judged_names[-1])  # e.g. an instance it made
        return node


def serve(socket_path: str, namespace: dict) -> None:
    """Connect to the judge at `socket_path` and answer until it is done with this test cell."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(socket_path)
        endpoint = AgentEndpoint(sock)
        endpoint.namespace = namespace
        endpoint.serve()
