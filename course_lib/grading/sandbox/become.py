"""The last step into the sandbox: process limits, then an unprivileged user id, then the program.

    python -I -m course_lib.grading.sandbox.become SETTINGS_JSON -- COMMAND ...

bubblewrap runs it (as root, with no capability but CAP_SETUID and CAP_SETGID) once the
sandbox's view is in place; the launcher (`course_lib.grading.sandbox.launcher`) uses the same functions where
bubblewrap is missing. It imports nothing but the standard library: it runs before every kernel.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

PR_SET_NO_NEW_PRIVS = 38
LIMITS = (("RLIMIT_CPU", "cpu_seconds"), ("RLIMIT_AS", "memory_bytes"),
          ("RLIMIT_NPROC", "processes"), ("RLIMIT_FSIZE", "file_bytes"))


def set_limits(limits: dict) -> None:
    """setrlimit each of LIMITS (soft = hard, so the process cannot raise them), no core files."""
    for name, key in LIMITS:
        value = int(limits[key])
        resource.setrlimit(getattr(resource, name), (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def become(uid: int) -> None:
    """Become user and group `uid`, with no supplementary groups, never to regain privileges."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def main(argv: list[str]) -> None:
    split = argv.index("--")
    settings, command = json.loads(argv[0]), argv[split + 1:]
    set_limits(settings["limits"])
    become(int(settings["uid"]))
    os.chdir(settings["cwd"])  # only now: the folder is the sandbox user's own
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
