"""Run a student's kernel in a sandbox while it is graded.

nbgrader starts one kernel per submitted notebook. `SandboxedKernelManager` starts it through this
module's launcher, `python -m course_lib.grading.sandbox.kernel --private-dir D --settings JSON --
python -m ipykernel_launcher -f CONNECTION_FILE`, which, before it becomes the kernel (exec, same
pid):

1. limits CPU time, address space, processes and file size (setrlimit, soft = hard);
2. as root: leaves the network (a new network namespace: no interface but a loopback that is
   down) and gets its own view of the files (a new mount namespace): empty, private file systems
   over the course directory, this checkout of course_lib, /tmp, /home, /srv ... and the kernel's
   own submission folder, course_lib, Python and the private directory D mounted back;
3. as root: becomes an unprivileged user id of its own (`UserIdLease`: 200000, 200001, ...; no
   /etc/passwd entry needed) with no supplementary groups and no way to regain privileges
   (PR_SET_NO_NEW_PRIVS), owning only its submission folder and D. After grading, every process
   left running under that id is ended.

The kernel talks to nbgrader over ZMQ "ipc" sockets in D (unix sockets, which work across network
namespaces), and so does the trusted judge (`course_lib.grading.judge`). Where a step is
impossible (not root, no namespaces), grading still works with what is possible;
`isolation_report()` says which.
"""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer

import course_lib

UID_BASE, UID_SLOTS = 200_000, 1000  # user ids of the kernels: 200000, 200001, ...
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x1000, 0x4000, 0x40000
PR_SET_NO_NEW_PRIVS = 38
# the package the kernel imports: the teaching library (and this grading system inside it)
COURSE_LIB = Path(course_lib.__file__).resolve().parent
# open_tree and move_mount: the same numbers on every architecture (added after the tables merged)
SYS_OPEN_TREE, SYS_MOVE_MOUNT = 428, 429
OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC, AT_RECURSIVE = 0x1, 0o2000000, 0x8000
MOVE_MOUNT_F_EMPTY_PATH, AT_FDCWD = 0x4, -100
# Hidden behind an empty file system: where a machine keeps other people's files.
HIDDEN_SYSTEM_DIRS = ("/home", "/root", "/srv", "/mnt", "/media", "/run", "/var/lib", "/opt")
# Replaced by a private, size-limited, writable scratch file system.
SCRATCH_DIRS = ("/tmp", "/var/tmp", "/dev/shm")
SCRATCH_SIZE = "256m"
DEFAULT_LIMITS = {"cpu_seconds": 600, "memory_bytes": 4 << 30, "processes": 256,
                  "file_bytes": 64 << 20}

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


LEASE_FOLDER = Path("/run/course-sandbox-uids")


def _user_ids_with_processes() -> set[int]:
    """The real user ids of every running process (from /proc)."""
    ids = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            for line in status.read_text().splitlines():
                if line.startswith("Uid:"):
                    ids.add(int(line.split()[1]))
                    break
        except (OSError, ValueError, IndexError):
            continue  # the process ended meanwhile
    return ids


class UserIdLease:
    """A user id of its own for one kernel (root only), held until `release()`.

    The id has no entry in /etc/passwd (none is needed to run as it). A lock file in one folder for
    the whole machine (not the grader's temporary folder, which differs between grading runs) keeps
    two kernels graded at once, by any run, from sharing one; an id that still has a process is
    skipped. Its own id gives each kernel its own process limit (RLIMIT_NPROC counts per user),
    and lets `release()` end every process the kernel left behind, even one that escaped its
    process group.
    """

    def __init__(self):
        folder = LEASE_FOLDER if LEASE_FOLDER.parent.is_dir() else \
            Path(tempfile.gettempdir()) / LEASE_FOLDER.name
        folder.mkdir(mode=0o700, exist_ok=True)
        for slot in range(UID_SLOTS):
            handle = open(folder / f"{slot}.lock", "w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            if UID_BASE + slot in _user_ids_with_processes():
                handle.close()  # left over from a run that was killed: not ours to reuse
                continue
            self.uid, self._handle = UID_BASE + slot, handle
            return
        raise RuntimeError(f"all {UID_SLOTS} sandbox user ids are in use")

    def release(self) -> None:
        end_processes_of(self.uid)
        self._handle.close()


def end_processes_of(uid: int) -> None:
    """SIGKILL every process of `uid`: a child becomes `uid` and signals everything it may (-1)."""
    for _ in range(3):  # a fork bomb may still be forking while the first round goes by
        pid = os.fork()
        if pid == 0:
            try:
                os.setresuid(uid, uid, uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)


def isolation_report(limits: dict | None = None) -> tuple[bool, list[str]]:
    """What the sandbox does on this machine, in plain words, for the instructor to read.

    Returns
    -------
    ok : bool
        True when student code is fully isolated (limits, own user, no network, hidden files).
    messages : list of str
        One line per part, starting with "OK" or "NOT ISOLATED".
    """
    limits = {**DEFAULT_LIMITS, **(limits or {})}
    messages = [f"OK   limits: {limits['cpu_seconds']} s of CPU, "
                f"{limits['memory_bytes'] >> 20} MiB of memory, {limits['processes']} processes, "
                f"files up to {limits['file_bytes'] >> 20} MiB"]
    if is_root():
        messages.append(f"OK   user: student code runs as a user id of its own for each notebook "
                        f"(from {UID_BASE}), can write only its own submission folder, and what "
                        f"it leaves running is ended after grading")
    else:
        messages.append(f"NOT ISOLATED  user: not running as root (uid {os.geteuid()}), so student "
                        f"code runs as this user and can read and change everything this user "
                        f"can, the gradebook and solutions/ included. Grade as root to fix this.")
    if namespaces_work():
        messages.append("OK   network: none (a network namespace of its own)")
        messages.append("OK   files: the course directory, /tmp, /home, /srv and the course_lib "
                        "checkout are hidden; only its submission, course_lib and Python are seen")
    else:
        messages.append("NOT ISOLATED  network and files: cannot create namespaces here "
                        f"({'not root' if not is_root() else 'unshare refused'}), so student code "
                        "keeps the network and sees every file its user may read.")
    messages.append("OK   judging: test cells run in a separate trusted process; student code "
                    "only computes values")
    return not any(m.startswith("NOT") for m in messages), messages


# -- the launcher (runs as the kernel's process, then exec's the kernel) ----------------------

def _set_limits(limits: dict) -> None:
    for name, key in (("RLIMIT_CPU", "cpu_seconds"), ("RLIMIT_AS", "memory_bytes"),
                      ("RLIMIT_NPROC", "processes"), ("RLIMIT_FSIZE", "file_bytes")):
        value = int(limits[key])
        resource.setrlimit(getattr(resource, name), (value, value))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _detached_copy(path: str) -> int:
    """A file descriptor holding a copy of the mount tree at `path` (open_tree, Linux 5.2+)."""
    fd = _libc.syscall(SYS_OPEN_TREE, AT_FDCWD, path.encode(),
                       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)
    _check(0 if fd >= 0 else -1, f"open_tree {path}")
    return fd


def _private_view(hidden: list[str], kept: list[str]) -> None:
    """Own network and mount namespaces; `hidden` directories emptied, `kept` ones shown again."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing we mount leaks to the real system
    kept = sorted({p for p in kept if os.path.isdir(p)}, key=len)
    copies = {path: (_detached_copy(path), os.stat(path)) for path in kept}
    for path in sorted(set(hidden), key=len):
        if os.path.isdir(path) and not os.path.islink(path):
            scratch = path in SCRATCH_DIRS
            options = f"size={SCRATCH_SIZE},mode=1777" if scratch else "size=1m,mode=0755"
            _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, options)
    for path, (fd, before) in copies.items():
        if not (os.path.exists(path) and os.path.samestat(os.stat(path), before)):
            os.makedirs(path, exist_ok=True)  # inside the empty file system that hides it
            _check(_libc.syscall(SYS_MOVE_MOUNT, fd, b"", AT_FDCWD, path.encode(),
                                 MOVE_MOUNT_F_EMPTY_PATH), f"move_mount {path}")
        os.close(fd)


def _give_to(path: str, uid: int, gid: int) -> None:
    for folder, dirs, files in os.walk(path):
        os.chown(folder, uid, gid)
        for name in files:
            os.chown(os.path.join(folder, name), uid, gid, follow_symlinks=False)


def _become(uid: int) -> None:
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def launch(private_dir: str, settings: dict, command: list[str]) -> None:
    """Apply the sandbox to this process, then replace it with `command` (never returns)."""
    workdir = os.getcwd()
    os.environ.update(HOME=private_dir, IPYTHONDIR=os.path.join(private_dir, "ipython"),
                      MPLCONFIGDIR=os.path.join(private_dir, "matplotlib"),
                      XDG_CACHE_HOME=os.path.join(private_dir, "cache"),
                      JUPYTER_RUNTIME_DIR=os.path.join(private_dir, "runtime"))
    if settings.get("namespaces"):
        _private_view(hidden=settings["hidden"] + list(HIDDEN_SYSTEM_DIRS) + list(SCRATCH_DIRS),
                      kept=[workdir, private_dir] + settings["kept"])
        os.chdir(workdir)  # the same folder, now seen through the new mounts
    uid = settings.get("uid")
    if uid is not None and is_root():
        _give_to(workdir, uid, uid)
        _give_to(private_dir, uid, uid)
        _set_limits(settings["limits"])
        _become(uid)
    else:
        _set_limits(settings["limits"])
    os.execvp(command[0], command)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--")
    options, command = argv[:split], argv[split + 1:]
    values = dict(zip(options[::2], options[1::2]))
    launch(values["--private-dir"], json.loads(values["--settings"]), command)


# -- the kernel manager nbgrader uses ---------------------------------------------------------

def course_lib_checkout() -> Path | None:
    """The source checkout course_lib is imported from (None when installed in site-packages)."""
    package = COURSE_LIB
    return None if "site-packages" in package.parts else package.parent


def grading_dirs(config) -> list[str]:
    """Where nbgrader keeps what students must not see: the course root and the gradebook's folder
    (and the current folder, where nbgrader was started)."""
    from nbgrader.coursedir import CourseDirectory  # late: only the grader needs nbgrader
    coursedir = CourseDirectory(config=config)
    folders = [os.getcwd(), os.path.abspath(coursedir.root)]
    if coursedir.db_url.startswith("sqlite:///"):
        folders.append(os.path.dirname(os.path.abspath(coursedir.db_url[len("sqlite:///"):])))
    return [folder for folder in folders if folder != "/"]


class SandboxedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel starts through the sandbox launcher.

    Every kernel gets a private directory (`private_dir`) for its ipc sockets and scratch files,
    and the judge's socket.
    """

    cpu_seconds = Integer(DEFAULT_LIMITS["cpu_seconds"],
                          help="CPU seconds of a kernel").tag(config=True)
    memory_bytes = Integer(DEFAULT_LIMITS["memory_bytes"],
                           help="address space of a kernel").tag(config=True)
    processes = Integer(DEFAULT_LIMITS["processes"],
                        help="processes and threads of the sandbox user").tag(config=True)
    file_bytes = Integer(DEFAULT_LIMITS["file_bytes"],
                         help="largest file a kernel may write").tag(config=True)

    def __init__(self, **kwargs):
        self.private_dir = tempfile.mkdtemp(prefix="course-sandbox-")
        os.chmod(self.private_dir, 0o700)
        self.namespaces = namespaces_work()
        self.lease = UserIdLease() if is_root() else None
        super().__init__(**kwargs)
        if self.namespaces:
            self.transport = "ipc"
            self.ip = os.path.join(self.private_dir, "kernel")
        self.connection_file = os.path.join(self.private_dir, "kernel.json")

    def limits(self) -> dict:
        return {"cpu_seconds": self.cpu_seconds, "memory_bytes": self.memory_bytes,
                "processes": self.processes, "file_bytes": self.file_bytes}

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        checkout = course_lib_checkout()
        package = str(COURSE_LIB)
        settings = {"limits": self.limits(), "uid": self.lease.uid if self.lease else None,
                    "namespaces": self.namespaces,
                    "hidden": grading_dirs(self.config) + ([str(checkout)] if checkout else []),
                    "kept": [package, sys.prefix, sys.base_prefix, sys.exec_prefix]}
        return [sys.executable, "-m", "course_lib.grading.sandbox.kernel",
                "--private-dir", self.private_dir, "--settings", json.dumps(settings), "--",
                *command]

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            if self.lease is not None:  # a fork bomb's children outlive a kernel that exits
                self.lease.release()
            shutil.rmtree(self.private_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
