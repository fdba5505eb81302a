"""The student kernel's isolation during grading.

- `kernel`  the kernel manager nbgrader uses, the launcher, per-kernel users and limits
"""
