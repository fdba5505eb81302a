"""The sandbox launcher: the first process of every kernel and judge, before it becomes one.

    python -m course_lib.grading.sandbox.launcher --settings JSON -- COMMAND ...

`course_lib.grading.sandbox.kernel` describes the sandbox and starts kernels through this module.
It joins the kernel's control group, then runs COMMAND in bubblewrap (as root through
`course_lib.grading.sandbox.become`), or with the fallback's namespaces, or with limits only. It
imports the standard library and the sandbox's own small modules only, not jupyter_client or zmq:
it runs twice for every submission graded (its kernel and its judge), so its start-up counts.
"""
from __future__ import annotations

import ctypes
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from course_lib.grading.sandbox import seccomp as sandbox_seccomp
from course_lib.grading.sandbox.become import become, set_limits
from course_lib.grading.sandbox.cgroup import join

CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 0x40000
MS_SLAVE = 0x80000
MNT_DETACH = 0x2
PR_SET_NO_NEW_PRIVS = 38
# open_tree and move_mount: the same numbers on every architecture (added after the tables merged)
SYS_OPEN_TREE, SYS_MOVE_MOUNT = 428, 429
OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC, AT_RECURSIVE = 0x1, 0o2000000, 0x8000
MOVE_MOUNT_F_EMPTY_PATH, AT_FDCWD = 0x4, -100
# The fallback hides these behind an empty file system: where a machine keeps other people's files.
HIDDEN_SYSTEM_DIRS = ("/home", "/root", "/srv", "/mnt", "/media", "/run", "/var/lib", "/opt")
SCRATCH_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
# What bubblewrap shows of the system, read-only, besides Python and course_lib.
SYSTEM_READ_ONLY = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc/ld.so.cache",
                    "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/fonts",
                    "/etc/localtime", "/etc/mime.types", "/etc/ssl/certs")
SANDBOX_ENV = "COURSE_SANDBOX"  # "namespaces": use the fallback even where bubblewrap works
DISK_BYTES = 256 << 20        # the kernel's scratch: working folder, /tmp, /dev/shm and home

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           options: str | None = None) -> None:
    encode = (lambda s: s.encode() if s is not None else None)
    _check(_libc.mount(encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags),
                       encode(options)), f"mount {target}")


# -- what can be isolated here ----------------------------------------------------------------

def is_root() -> bool:
    return os.geteuid() == 0


def namespaces_work() -> bool:
    """True if this process may make network and mount namespaces (tried in a child process)."""
    if not is_root():
        return False
    pid = os.fork()
    if pid == 0:  # the child tries, and reports by its exit status
        os._exit(0 if _libc.unshare(CLONE_NEWNS | CLONE_NEWNET) == 0 else 1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


@functools.lru_cache(maxsize=None)
def _bubblewrap_runs(path: str, as_root: bool) -> bool:
    probe = [path, *([] if as_root else ["--unshare-user"]), "--unshare-pid", "--unshare-net",
             "--unshare-ipc", "--ro-bind", "/", "/", "--proc", "/proc", "--", "/bin/true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def bubblewrap() -> str | None:
    """The path of a bubblewrap that works here (None: missing, refused, or turned off)."""
    path = shutil.which("bwrap")
    if path is None or os.environ.get(SANDBOX_ENV) == "namespaces":
        return None
    return path if _bubblewrap_runs(path, is_root()) else None


def sandbox_mode() -> str:
    """"bubblewrap", "namespaces" (the fallback) or "limits" (not root, no bubblewrap)."""
    if bubblewrap():
        return "bubblewrap"
    return "namespaces" if namespaces_work() else "limits"


# -- the launcher (runs as the kernel's process, then exec's the kernel) ----------------------

def _detached_copy(path: str) -> int:
    """A file descriptor holding a copy of the mount tree at `path` (open_tree, Linux 5.2+)."""
    fd = _libc.syscall(SYS_OPEN_TREE, AT_FDCWD, path.encode(),
                       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)
    _check(0 if fd >= 0 else -1, f"open_tree {path}")
    return fd


def _private_view(hidden: list[str], kept: list[str], binds: dict[str, str]) -> None:
    """The fallback: own network and mount namespaces; `hidden` directories emptied, `kept`
    ones shown again, and each target of `binds` (a folder or a file) replaced by its source.
    """
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks to the real system
    shown = [(path, _detached_copy(path), os.stat(path)) for path in
             {p for p in kept if os.path.isdir(p)}]
    shown += [(target, _detached_copy(source), None) for target, source in binds.items()]
    for path in sorted(set(hidden), key=len):
        if os.path.isdir(path) and not os.path.islink(path):
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0755")
    for path, fd, before in sorted(shown, key=lambda entry: len(entry[0])):
        if before is None or not (os.path.exists(path) and os.path.samestat(os.stat(path), before)):
            if not os.path.exists(path):
                os.makedirs(path)  # inside the empty file system that hides it
            _check(_libc.syscall(SYS_MOVE_MOUNT, fd, b"", AT_FDCWD, path.encode(),
                                 MOVE_MOUNT_F_EMPTY_PATH), f"move_mount {path}")
        os.close(fd)


def _data_descriptor(data: bytes) -> int:
    descriptor = os.memfd_create("course-sandbox", 0)  # inheritable: bwrap reads it after exec
    os.write(descriptor, data)
    os.lseek(descriptor, 0, os.SEEK_SET)
    return descriptor


def bubblewrap_command(settings: dict, workdir: str, command: list[str]) -> list[str]:
    """The bwrap command line that runs `command` in the view `settings` describe.

    As root, bwrap sets up the view and an inner step (`course_lib.grading.sandbox.become`) drops to the
    sandbox user: bwrap run by an ordinary user could only bind folders that user may reach, and
    the course's folders are root's. Not as root, bwrap makes a user namespace instead.
    """
    # the grader found bwrap already; a launcher of its own would run bwrap once more to check
    arguments = [settings.get("bwrap") or bubblewrap() or "bwrap", "--unshare-pid", "--unshare-ipc", "--unshare-net",
                 "--unshare-uts", "--unshare-cgroup-try", "--die-with-parent",
                 "--proc", "/proc", "--dev", "/dev"]
    # ipykernel ends itself when its parent is process 1, as bubblewrap's is in the new PID
    # namespace; --die-with-parent does its job
    arguments += ["--unsetenv", "JPY_PARENT_PID"]
    # Not --new-session: jupyter_client already starts the kernel in a session of its own with no
    # terminal, and a second session would put the kernel out of reach of the interrupt signals
    # nbgrader sends to that session's process group.
    if is_root():
        arguments += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    else:
        arguments += ["--unshare-user", "--disable-userns"]
    disk = settings.get("disk")
    scratch = {"/tmp": f"{disk}/tmp", "/var/tmp": f"{disk}/tmp", "/dev/shm": f"{disk}/shm"} \
        if disk else {}
    read_only = {p: p for p in sorted(set(settings["read_only"]))}
    read_write = {p: p for p in settings.get("read_write", [])}
    read_write.update({f"{disk}/home": f"{disk}/home", workdir: f"{disk}/work"} if disk
                      else {workdir: workdir})
    # /tmp first (the other folders may be inside it), then every folder on the way to a mount
    # point: bwrap would make those readable by root only
    if disk:
        arguments += [a for target, source in scratch.items() for a in ("--bind", source, target)]
    else:  # the judge: a private scratch of its own
        arguments += ["--size", str(DISK_BYTES), "--tmpfs", "/tmp"]
    targets = [*read_only, *settings.get("stubs", {}), *read_write]
    for folder in sorted({str(a) for t in targets for a in Path(t).parents} - {"/", *scratch},
                         key=len):
        arguments += ["--perms", "0755", "--dir", folder]
    for path in SYSTEM_READ_ONLY:
        arguments += ["--ro-bind-try", path, path]
    arguments += [a for target, source in read_only.items() for a in ("--ro-bind", source, target)]
    for path, source in sorted(settings.get("stubs", {}).items()):
        arguments += ["--perms", "0444", "--ro-bind-data", str(_data_descriptor(source.encode())),
                      path]
    for folder in settings.get("empty", []):  # e.g. __pycache__ next to a stubbed module
        arguments += ["--tmpfs", folder]
    arguments += [a for target, source in read_write.items() for a in ("--bind", source, target)]
    if settings.get("seccomp") and sandbox_seccomp.available():
        arguments += ["--seccomp", str(sandbox_seccomp.program_descriptor())]
    uid = settings.get("uid")
    if uid is None or not is_root():
        return arguments + ["--chdir", workdir, "--", *command]
    # bwrap, root without CAP_DAC_OVERRIDE, may not enter the sandbox user's folder: the inner
    # step does, as that user
    inner = json.dumps({"uid": uid, "limits": settings["limits"], "cwd": workdir})
    return arguments + ["--chdir", "/", "--", sys.executable, "-I", "-m",
                        "course_lib.grading.sandbox.become", inner, "--", *command]


def launch(settings: dict, command: list[str]) -> None:
    """Apply the sandbox to this process, then replace it with `command` (never returns)."""
    workdir = os.getcwd()
    home = settings.get("home") or workdir
    os.environ.update(HOME=home, IPYTHONDIR=os.path.join(home, "ipython"),
                      MPLCONFIGDIR=os.path.join(home, "matplotlib"),
                      XDG_CACHE_HOME=os.path.join(home, "cache"),
                      JUPYTER_RUNTIME_DIR=os.path.join(home, "runtime"), TMPDIR="/tmp")
    join(settings.get("cgroup", []))
    uid = settings.get("uid")
    if settings["mode"] == "bubblewrap":
        if uid is None or not is_root():
            set_limits(settings["limits"])
        command = bubblewrap_command(settings, workdir, command)
        # nbgrader interrupts a cell with SIGINT to the kernel's process group, where bwrap is
        # too: bwrap must not die of it (and the kernel with it); the kernel sets its own handler
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        os.execvp(command[0], command)
    if settings["mode"] == "namespaces":
        disk = settings["disk"]
        binds = {workdir: f"{disk}/work", "/tmp": f"{disk}/tmp", "/var/tmp": f"{disk}/tmp",
                 "/dev/shm": f"{disk}/shm", **settings.get("stub_files", {})}
        binds.update({folder: settings["empty_dir"] for folder in settings.get("empty", [])})
        _private_view(hidden=settings["hidden"] + list(HIDDEN_SYSTEM_DIRS),
                      kept=[workdir, home, *settings["read_only"],
                            *settings.get("read_write", [])], binds=binds)
        os.chdir(workdir)  # the same folder, now seen through the new mounts
    set_limits(settings["limits"])
    if uid is not None and is_root():
        become(uid)
    os.execvp(command[0], command)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    values = dict(zip(options[::2], options[1::2], strict=True))
    launch(json.loads(values["--settings"]), command)


if __name__ == "__main__":
    main()
