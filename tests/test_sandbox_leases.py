"""User ids for kernels: one machine-wide lease, never an id that still has a process."""
from __future__ import annotations

import os
import subprocess

import pytest

from course_lib.grading.sandbox import kernel as sandbox


@pytest.mark.root(reason="leasing user ids needs root")
def test_a_lease_is_machine_wide_and_skips_an_id_that_still_has_a_process(tmp_path, monkeypatch):
    first = sandbox.UserIdLease()
    # another grading run with another temporary folder still sees the first lease
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    second = sandbox.UserIdLease()
    assert second.uid != first.uid
    # a process left running under an id whose lock is free (a killed run) keeps it taken
    free_uid = second.uid + 1
    # `sleep` from the system, not this checkout's Python: a private checkout's Python is out of
    # reach of other users
    survivor = subprocess.Popen(
        ["sleep", "60"], preexec_fn=lambda: os.setresuid(free_uid, free_uid, free_uid))
    try:
        third = sandbox.UserIdLease()
        assert third.uid not in (first.uid, second.uid, free_uid)
        third.release()
    finally:
        survivor.kill()
        survivor.wait()
    second.release()
    first.release()
