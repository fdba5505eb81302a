"""A system-call filter (seccomp) for the student's kernel: what a notebook never needs is refused.

bubblewrap loads a classic BPF program from a file descriptor (`bwrap --seccomp FD`) just before
it starts the kernel. The program is compiled here by libseccomp (Debian `libseccomp2`), called
through ctypes: no maintained Python binding of libseccomp installs from PyPI into the course's
virtual environment (Debian's `python3-seccomp` belongs to the system Python only), and
libseccomp knows every architecture's system-call numbers, which a hand-assembled program would
have to list itself.

Refused calls fail with EPERM (the kernel gets an ordinary OSError, nothing crashes):
debugging other processes (ptrace, process_vm_*), mounting, namespaces (unshare, setns, and clone
with a CLONE_NEW* flag), kernel keyrings, BPF programs, perf events, loading kernel modules and
kernels, reboot, swap, clock changes, io_uring (whose requests bypass this filter) and
userfaultfd. clone3 fails with ENOSYS: its flags sit behind a pointer no filter can read, and
the C library then falls back to clone, whose flags are checked.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os

SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_CMP_MASKED_EQ = 7
# struct scmp_arg_cmp {unsigned int arg; enum scmp_compare op; scmp_datum_t datum_a, datum_b;}


class _ArgCompare(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


REFUSED_CALLS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
    "mount", "umount", "umount2", "pivot_root", "chroot", "fsopen", "fsconfig", "fsmount",
    "fspick", "move_mount", "open_tree", "mount_setattr",
    "unshare", "setns",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "reboot", "swapon", "swapoff", "acct", "quotactl",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "io_uring_setup", "io_uring_enter", "io_uring_register", "userfaultfd",
    "open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "syslog",
)
# Every CLONE_NEW* flag: CLONE_NEWNS, CGROUP, UTS, IPC, USER, PID, NET and TIME.
CLONE_NEW_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000,
                   0x40000000, 0x00000080)


def _errno_action(number: int) -> int:
    return 0x00050000 | (number & 0xFFFF)  # SCMP_ACT_ERRNO(number)


def _library():
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        library = ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
    library.seccomp_init.restype = ctypes.c_void_p
    library.seccomp_init.argtypes = [ctypes.c_uint32]
    library.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    library.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int,
                                               ctypes.c_uint, ctypes.POINTER(_ArgCompare)]
    library.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    library.seccomp_release.argtypes = [ctypes.c_void_p]
    return library


def available() -> bool:
    """True when libseccomp can be loaded (the filter can be built)."""
    return _library() is not None


def program_descriptor() -> int:
    """A file descriptor (inheritable, at offset 0) holding the BPF program that refuses
    REFUSED_CALLS and friends, as `bwrap --seccomp FD` reads it.

    Raises OSError when libseccomp is missing or refuses a rule.
    """
    library = _library()
    if library is None:
        raise OSError(errno.ENOENT, "libseccomp is not installed (Debian: libseccomp2)")
    context = library.seccomp_init(SCMP_ACT_ALLOW)
    if not context:
        raise OSError(errno.ENOMEM, "seccomp_init failed")
    try:
        def add(action: int, call: str, *compare: _ArgCompare) -> None:
            number = library.seccomp_syscall_resolve_name(call.encode())
            if number < 0:  # __NR_SCMP_ERROR: not a system call of this architecture
                return
            array = (_ArgCompare * len(compare))(*compare) if compare else None
            result = library.seccomp_rule_add_array(context, action, number, len(compare), array)
            if result < 0:
                raise OSError(-result, f"seccomp rule for {call}: {os.strerror(-result)}")

        for call in REFUSED_CALLS:
            add(_errno_action(errno.EPERM), call)
        for flag in CLONE_NEW_FLAGS:  # clone(flags, ...): any one of them set is refused
            add(_errno_action(errno.EPERM), "clone", _ArgCompare(0, SCMP_CMP_MASKED_EQ, flag, flag))
        add(_errno_action(errno.ENOSYS), "clone3")
        descriptor = os.memfd_create("course-seccomp", 0)  # inheritable: bwrap reads it
        result = library.seccomp_export_bpf(context, descriptor)
        if result < 0:
            os.close(descriptor)
            raise OSError(-result, f"seccomp_export_bpf: {os.strerror(-result)}")
        os.lseek(descriptor, 0, os.SEEK_SET)
        return descriptor
    finally:
        library.seccomp_release(context)
