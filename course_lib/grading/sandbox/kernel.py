"""Run a student's kernel, and the trusted judge, in a sandbox while a notebook is graded.

nbgrader starts one kernel per submitted notebook. `SandboxedKernelManager` starts it through the
sandbox's launcher (`course_lib.grading.sandbox.launcher`, a module light to import), `python -m
course_lib.grading.sandbox.launcher --settings JSON -- python -m ipykernel_launcher -f
CONNECTION_FILE`, which, as root:

1. puts itself into a control group of its own with memory, CPU and process limits for all the
   kernel's processes together (`course_lib.grading.sandbox.cgroup`; where the machine offers one);
2. starts bubblewrap (`bwrap`, Debian `bubblewrap`) with a file-system view made from an
   allowlist: the system's programs and libraries (/usr, a few files of /etc), Python and the
   virtual environment, course_lib (all read-only), and the kernel's private, size-limited
   scratch file system (its working folder, /tmp, /dev/shm, its home). New PID, IPC, network
   and UTS namespaces: it sees no other process, no System V objects, no network. A seccomp
   filter (`course_lib.grading.sandbox.seccomp`) refuses the system calls a notebook never needs.
   `--die-with-parent`: when the kernel manager ends it, everything in it ends;
3. inside, becomes a user id of its own (`UserIdLease`) with every capability dropped, then
   executes the kernel.

The kernel's working folder is NOT nbgrader's (autograded/<student>/<assignment>/, where the
notebook under grading, hidden tests included, is written): the kernel sees a fresh empty folder
at the same path, on its scratch file system, which is discarded after grading. So nothing the
kernel writes reaches nbgrader's folders or the feedback (no link, no special file, no file
recording a hidden test's inputs), and what it writes is bounded by the scratch's size. The kernel's standard
output and error go nowhere: no descriptor of the grading log (or any trusted file) reaches it.
An answer that calls course_lib's own solution of the same exercise gets an error ("write your
own"): the kernel sees those course_lib modules with a guard in that function
(`course_lib.grading.sandbox.references`).

Where bubblewrap is missing, the hand-written namespace code below (`_private_view`) is the
fallback: network and mount namespaces, hidden folders, the same user ids and limits, but other
processes stay visible and there is no system-call filter. Without root, only the limits apply.
`isolation_report()` says which of these ran.

The judge (`course_lib.grading.judge.trusted`) runs the same way, as a user id of its own, with course_lib and a
folder for its sockets; it creates each socket in a folder only it and the kernel's user may
enter (set-group-id, so the socket belongs to the kernel's group from the start: no chmod).
"""
from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from traitlets import Float, Integer, Set

import course_lib
from course_lib.grading.sandbox import seccomp as sandbox_seccomp
from course_lib.grading.sandbox.cgroup import SubmissionCgroup, cgroups_work
from course_lib.grading.sandbox.launcher import (  # noqa: F401  (the sandbox's names, in one place)
    CLONE_NEWNS,
    DISK_BYTES,
    HIDDEN_SYSTEM_DIRS,
    MNT_DETACH,
    MS_NODEV,
    MS_NOSUID,
    MS_REC,
    MS_SLAVE,
    SANDBOX_ENV,
    SYSTEM_READ_ONLY,
    _check,
    _libc,
    _mount,
    bubblewrap,
    bubblewrap_command,
    is_root,
    launch,
    namespaces_work,
    sandbox_mode,
)

UID_BASE, UID_SLOTS = 200_000, 1000  # user ids of the kernels and judges: 200000, 200001, ...
DEFAULT_LIMITS = {"cpu_seconds": 600, "memory_bytes": 4 << 30, "processes": 256,
                  "file_bytes": 64 << 20}
CPU_CORES = 1.0               # what one submission may use of the machine's cores
# Parts of the private folder: what the kernel writes (a size-limited file system), its ZMQ
# sockets, and the judge's sockets.
DISK, IPC, JUDGE = "disk", "ipc", "judge"
DISK_PARTS = ("work", "tmp", "shm", "home")
MAX_MESSAGE_BYTES = 16 << 20  # one message from the kernel; a bigger one is dropped by ZMQ
# the package the kernel imports: the teaching library (and this grading system inside it)
COURSE_LIB = Path(course_lib.__file__).resolve().parent  # "namespaces": use the fallback even where bubblewrap works

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
    """A user id of its own for one kernel or judge (root only), held until `release()`.

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
        True when student code is fully isolated (bubblewrap, seccomp, cgroup, own user).
    messages : list of str
        One line per part, starting with "OK" or "NOT ISOLATED".
    """
    limits = {**DEFAULT_LIMITS, **(limits or {})}
    mode = sandbox_mode()
    messages = [f"OK   limits: {limits['cpu_seconds']} s of CPU, "
                f"{limits['memory_bytes'] >> 20} MiB of address space per process, "
                f"{limits['processes']} processes, files up to {limits['file_bytes'] >> 20} MiB"]
    groups = cgroups_work()
    if groups:
        messages.append(f"OK   submission limits ({groups}): memory and {CPU_CORES:g} CPU core "
                        f"for all of a kernel's processes together")
    else:
        messages.append("NOT ISOLATED  submission limits: no writable cgroup here, so memory is "
                        "limited per process only (several processes of one kernel can use "
                        "more together) and a kernel may use every core")
    if is_root():
        messages.append(f"OK   user: student code and the judge run as user ids of their own "
                        f"(from {UID_BASE}), and what a kernel leaves running is ended after "
                        f"grading")
    else:
        messages.append(f"NOT ISOLATED  user: not running as root (uid {os.geteuid()}), so student "
                        f"code runs as this user and can read and change everything this user "
                        f"can, the gradebook and solutions/ included. Grade as root to fix this.")
    if mode == "bubblewrap":
        messages.append("OK   sandbox: bubblewrap; the kernel sees only Python, course_lib and a "
                        f"private scratch of {DISK_BYTES >> 20} MiB (not the notebook under "
                        "grading); no network, no other processes, no System V IPC")
        if sandbox_seccomp.available():
            messages.append("OK   system calls: a seccomp filter refuses ptrace, mount, "
                            "namespaces, keyrings, bpf, perf events, kernel modules ...")
        else:
            messages.append("NOT ISOLATED  system calls: libseccomp is missing (Debian "
                            "libseccomp2), so no system-call filter applies")
    elif mode == "namespaces":
        messages.append("NOT ISOLATED  sandbox: bubblewrap is missing (Debian bubblewrap), so "
                        "the fallback runs: no network and the course folders hidden, but the "
                        "kernel sees other processes and system folders, and no seccomp filter "
                        "applies")
    else:
        messages.append("NOT ISOLATED  network and files: neither bubblewrap nor namespaces "
                        "work here, so student code keeps the network and sees every file its "
                        "user may read.")
    messages.append("OK   judging: test cells run in a separate trusted process; student code "
                    "only computes values, and what it prints then is not shown")
    return not any(m.startswith("NOT") for m in messages), messages


# -- the private folders of a kernel -----------------------------------------------------------

def course_lib_package() -> str:
    return str(COURSE_LIB)


def python_folders() -> list[str]:
    """Where Python, the virtual environment and course_lib live (shown read-only)."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, course_lib_package()}
    folders |= {str(Path(p).resolve()) for p in sys.path if p and Path(p).is_dir()
                and "site-packages" in p}
    return sorted(f for f in folders if f not in ("/", "/usr") and os.path.isdir(f))


def course_lib_checkout() -> Path | None:
    """The source checkout course_lib is imported from (None when installed in site-packages)."""
    return None if "site-packages" in COURSE_LIB.parts else COURSE_LIB.parent


def grading_dirs(config) -> list[str]:
    """Where nbgrader keeps what students must not see: the course root and the gradebook's folder
    (and the current folder, where nbgrader was started): what the fallback hides.
    """
    from nbgrader.coursedir import CourseDirectory  # late: only the grader needs nbgrader
    coursedir = CourseDirectory(config=config)
    folders = [os.getcwd(), os.path.abspath(coursedir.root)]
    if coursedir.db_url.startswith("sqlite:///"):
        folders.append(os.path.dirname(os.path.abspath(coursedir.db_url[len("sqlite:///"):])))
    checkout = course_lib_checkout()
    return [folder for folder in folders if folder != "/"] + ([str(checkout)] if checkout else [])


def private_mounts() -> bool:
    """Give this process (single-threaded, root) a mount namespace of its own, so that the scratch
    file systems its kernels mount vanish with it, even when it is killed. False where impossible.
    """
    if not is_root() or _libc.unshare(CLONE_NEWNS) != 0:
        return False
    # Mounts made here stay here; the machine's later mounts still show (slave, not private).
    _mount(None, "/", None, MS_REC | MS_SLAVE)
    return True


def mount_scratch(folder: Path, size: int, uid: int | None) -> bool:
    """A size-limited tmpfs at `folder` (root only), owned by `uid`; False where impossible."""
    if not is_root():
        return False
    owner = f",uid={uid},gid={uid}" if uid is not None else ""
    try:
        _mount("tmpfs", str(folder), "tmpfs", MS_NOSUID | MS_NODEV,
               f"size={size},mode=0700{owner}")
    except OSError:
        return False
    return True


def unmount(folder: Path) -> None:
    with contextlib.suppress(OSError):
        _check(_libc.umount2(str(folder).encode(), MNT_DETACH), f"umount {folder}")


# -- the kernel manager nbgrader uses ---------------------------------------------------------

class SandboxedKernelManager(AsyncKernelManager):
    """An AsyncKernelManager whose kernel starts through the sandbox launcher.

    Every kernel gets a private folder (`private_dir`, root's) holding its scratch file system
    (`disk/`: working folder, /tmp, home), its ZMQ sockets (`ipc/`) and the judge's (`judge/`).
    """

    cpu_seconds = Integer(DEFAULT_LIMITS["cpu_seconds"],
                          help="CPU seconds of a kernel").tag(config=True)
    memory_bytes = Integer(DEFAULT_LIMITS["memory_bytes"],
                           help="memory of a kernel: all its processes together where a cgroup "
                                "is available, and the address space of each").tag(config=True)
    processes = Integer(DEFAULT_LIMITS["processes"],
                        help="processes and threads of the sandbox user").tag(config=True)
    file_bytes = Integer(DEFAULT_LIMITS["file_bytes"],
                         help="largest file a kernel may write").tag(config=True)
    disk_bytes = Integer(DISK_BYTES, help="what a kernel may write in all: its working folder, "
                         "/tmp and home (a size-limited file system)").tag(config=True)
    cpu_cores = Float(CPU_CORES, help="CPU cores a kernel may use").tag(config=True)
    reference_names = Set(help="names of this notebook's exercises: course_lib's functions of "
                          "these names cannot be called in the kernel")

    def __init__(self, **kwargs):
        self.private_dir = tempfile.mkdtemp(prefix="course-sandbox-")
        self.mode = sandbox_mode()
        self.lease = UserIdLease() if is_root() else None
        self.uid = self.lease.uid if self.lease else None
        self.cleaned = False
        super().__init__(**kwargs)
        self.cgroup = SubmissionCgroup(f"{os.getpid()}-{os.path.basename(self.private_dir)}",
                                       self.memory_bytes, self.cpu_cores, self.processes)
        self.disk = Path(self.private_dir) / DISK
        self.disk.mkdir()
        self.disk_mounted = mount_scratch(self.disk, self.disk_bytes, self.uid)
        for part in DISK_PARTS:
            (self.disk / part).mkdir(mode=0o700)
        for folder in (IPC, JUDGE):
            (Path(self.private_dir) / folder).mkdir(mode=0o700)
        if self.uid is not None:
            for folder in [self.disk, *(self.disk / p for p in DISK_PARTS),
                           Path(self.private_dir) / IPC]:
                os.chown(folder, self.uid, self.uid)
        if self.mode != "limits":
            self.transport = "ipc"
            self.ip = os.path.join(self.private_dir, IPC, "kernel")
        self.connection_file = os.path.join(self.private_dir, IPC, "kernel.json")

    @property
    def judge_dir(self) -> str:
        return os.path.join(self.private_dir, JUDGE)

    def limits(self) -> dict:
        return {"cpu_seconds": self.cpu_seconds, "memory_bytes": self.memory_bytes,
                "processes": self.processes, "file_bytes": self.file_bytes}

    def format_kernel_cmd(self, extra_arguments=None) -> list[str]:
        from course_lib.grading.sandbox.references import stubbed_modules
        command = super().format_kernel_cmd(extra_arguments)
        stubs = stubbed_modules(self.reference_names)
        stub_files, empty_dir = {}, os.path.join(self.private_dir, "empty")
        os.makedirs(empty_dir, mode=0o755, exist_ok=True)
        for number, (path, source) in enumerate(sorted(stubs.items())):  # for the fallback
            stub_files[path] = os.path.join(self.private_dir, f"stub-{number}.py")
            Path(stub_files[path]).write_text(source)
            os.chmod(stub_files[path], 0o644)
        grouped = self.cgroup.create()
        limits = self.limits()
        if grouped:  # the cgroup limits the kernel's memory; the address space is a backstop
            limits["memory_bytes"] *= 2
        settings = {"limits": limits, "uid": self.uid, "mode": self.mode,
                    "disk": str(self.disk), "home": str(self.disk / "home"),
                    "read_only": python_folders(), "seccomp": True,
                    "read_write": [os.path.join(self.private_dir, IPC), self.judge_dir],
                    "stubs": stubs, "stub_files": stub_files, "empty_dir": empty_dir,
                    "empty": sorted({str(Path(p).parent / "__pycache__") for p in stubs
                                     if (Path(p).parent / "__pycache__").is_dir()}),
                    "hidden": grading_dirs(self.config),
                    "cgroup": self.cgroup.procs_files if grouped else []}
        if self.cgroup.problem and is_root():
            self.log.warning("no cgroup for this kernel (%s): its memory is limited per process "
                             "only", self.cgroup.problem)
        if self.mode == "bubblewrap":
            settings["bwrap"] = bubblewrap()
        return [sys.executable, "-m", "course_lib.grading.sandbox.launcher", "--settings",
                json.dumps(settings), "--", *command]

    def client(self, **kwargs):
        """A client whose sockets drop any message of the kernel over MAX_MESSAGE_BYTES, before
        this (root) process holds it.
        """
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, MAX_MESSAGE_BYTES)
        return super().client(context=context, **kwargs)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        # Nothing the kernel prints reaches a file of the grader's (the grading log): a
        # descriptor of it would let the kernel write into that log.
        kw.update(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if self.uid is not None:
            os.chown(self.connection_file, self.uid, self.uid)
        await super()._async_launch_kernel(kernel_cmd, **kw)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if restart or self.cleaned:
            return
        self.cleaned = True
        self.cgroup.remove()
        if self.lease is not None:  # a fork bomb's children outlive a kernel that exits
            self.lease.release()
        if self.disk_mounted:
            unmount(self.disk)
        shutil.rmtree(self.private_dir, ignore_errors=True)

    # jupyter_client's AsyncKernelManager binds its parent's function here, which nbclient calls
    # when the kernel has died: ours must run then too (the cgroup, the user id, the scratch).
    cleanup_resources = _async_cleanup_resources

