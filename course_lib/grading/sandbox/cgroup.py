"""Memory, CPU and process limits for a whole submission (every process of a kernel together).

setrlimit limits one process at a time: three children of a kernel may each use the whole
RLIMIT_AS. A control group counts all of them. `SubmissionCgroup` makes one for each kernel, under
the grader's own group, in the cgroup v2 file system when it offers the memory controller, else in
the v1 hierarchies (memory, cpu, pids) when they are writable; where neither is possible
`create()` returns False and the isolation report says so.

Limits: memory (the kernel's processes together; going over it ends the biggest of them, which
nbgrader reports as a dead kernel), CPU (at most `cpu_cores` cores), processes. `end_all()` kills
every process still in the group, then the group is removed.
"""
from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
CPU_PERIOD_US = 100_000


def _own_paths() -> dict[str, str]:
    """controller (or "" for cgroup v2) -> this process's group, from /proc/self/cgroup."""
    paths = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else [""]:
            paths[controller] = path
    return paths


def _v2_mount() -> Path | None:
    for candidate in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
        if (candidate / "cgroup.controllers").is_file():
            return candidate
    return None


def _write(path: Path, value: str) -> None:
    with open(path, "w") as stream:
        stream.write(value)


class SubmissionCgroup:
    """One control group for the processes of one kernel (root only)."""

    def __init__(self, name: str, memory_bytes: int, cpu_cores: float, processes: int):
        self.name, self.memory_bytes = name, memory_bytes
        self.cpu_cores, self.processes = cpu_cores, processes
        self.folders: list[Path] = []
        self.version = None
        self.problem = ""  # why create() failed, for the log

    def create(self) -> bool:
        """Make the group and set its limits; False (and nothing made) where impossible."""
        if self.folders:  # made already (the kernel restarted)
            return True
        try:
            if self._create_v2() or self._create_v1():
                return True
            self.problem = "no cgroup v2 memory controller, no writable v1 hierarchies"
        except (OSError, ValueError) as error:
            self.problem = f"{type(error).__name__}: {error}"
        self.remove()
        return False

    def _create_v2(self) -> bool:
        mount, own = _v2_mount(), _own_paths().get("")
        if mount is None or own is None:
            return False
        parent = mount / own.lstrip("/")
        if "memory" not in (parent / "cgroup.subtree_control").read_text().split():
            return False  # enabling it would need the grader itself moved out of its group
        folder = parent / f"course-{self.name}"
        folder.mkdir()
        self.folders, self.version = [folder], 2
        _write(folder / "memory.max", str(self.memory_bytes))
        with contextlib.suppress(OSError):
            _write(folder / "memory.swap.max", "0")
        if (folder / "cpu.max").exists():
            _write(folder / "cpu.max", f"{int(self.cpu_cores * CPU_PERIOD_US)} {CPU_PERIOD_US}")
        if (folder / "pids.max").exists():
            _write(folder / "pids.max", str(self.processes))
        return True

    def _create_v1(self) -> bool:
        own = _own_paths()
        if not all((CGROUP_ROOT / c / "cgroup.procs").exists() for c in ("memory", "cpu")):
            return False
        for controller in ("memory", "cpu", "pids"):
            if controller not in own or not (CGROUP_ROOT / controller).is_dir():
                continue
            folder = CGROUP_ROOT / controller / own[controller].lstrip("/") / f"course-{self.name}"
            folder.mkdir()
            self.folders.append(folder)
            if controller == "memory":
                _write(folder / "memory.limit_in_bytes", str(self.memory_bytes))
                with contextlib.suppress(OSError):  # only where swap is accounted
                    _write(folder / "memory.memsw.limit_in_bytes", str(self.memory_bytes))
            elif controller == "cpu":
                _write(folder / "cpu.cfs_period_us", str(CPU_PERIOD_US))
                _write(folder / "cpu.cfs_quota_us", str(int(self.cpu_cores * CPU_PERIOD_US)))
            else:
                _write(folder / "pids.max", str(self.processes))
        self.version = 1
        return bool(self.folders)

    @property
    def procs_files(self) -> list[str]:
        """The files a process writes "0" into to join the group (the launcher does)."""
        return [str(folder / "cgroup.procs") for folder in self.folders]

    def pids(self) -> set[int]:
        found = set()
        for folder in self.folders:
            with contextlib.suppress(OSError, ValueError):
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
        return found

    def end_all(self) -> None:
        """SIGKILL every process in the group, until it is empty (a fork bomb keeps forking)."""
        for _ in range(50):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.05)

    def remove(self) -> None:
        self.end_all()
        for folder in self.folders:
            for _ in range(20):  # a killed process leaves its group a moment later
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.05)
        self.folders = []


def join(procs_files: list[str]) -> None:
    """Put the calling process into the group (the sandbox launcher, before it drops root)."""
    for path in procs_files:
        _write(Path(path), "0")


def cgroups_work() -> str | None:
    """"cgroup v2" or "cgroup v1" when this process may make limited groups, else None."""
    if os.geteuid() != 0:
        return None
    probe = SubmissionCgroup(f"probe-{os.getpid()}", 1 << 30, 1.0, 64)
    try:
        return f"cgroup v{probe.version}" if probe.create() else None
    finally:
        probe.remove()
