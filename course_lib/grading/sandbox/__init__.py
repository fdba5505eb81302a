"""The student kernel's isolation during grading.

- `kernel`      the kernel manager nbgrader uses, the launcher (bubblewrap, or the fallback),
                per-kernel users and the isolation report
- `become`      the last step inside the sandbox: limits, the sandbox user, then the kernel
- `seccomp`     the system-call filter bubblewrap loads
- `cgroup`      memory, CPU and process limits for all of a kernel's processes together
- `references`  course_lib's solutions of a notebook's exercises, guarded against their answers
"""
