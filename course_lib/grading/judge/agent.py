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


def serve(socket_path: str, namespace: dict) -> None:
    """Connect to the judge at `socket_path` and answer until it is done with this test cell."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(socket_path)
        endpoint = Endpoint(sock, STUDENT_SIDE_OPS, mirror_sent_arrays=False)
        endpoint.namespace = namespace
        endpoint.serve()
