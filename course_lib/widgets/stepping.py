"""What every plain state object shares: `run(n)` over its `step()`, and a status with a reason."""
from __future__ import annotations

from course_lib.validation import check_count, check_positive


class Steps:
    """`run` for a state whose `step()` returns False once it cannot move any more."""

    def run(self, n_steps: int) -> int:
        """Take up to `n_steps` steps, fewer if the state stops; return how many were taken."""
        n_steps = check_count(n_steps, "n_steps")
        taken = 0
        while taken < n_steps and self.step():
            taken += 1
        return taken


class Status(Steps):
    """A state moved by one `optimizer` that stops by itself: `status` says how ("running",
    "diverged", ...), `message` says why in one sentence.
    """

    status, message = "running", ""

    @property
    def lr(self) -> float:
        """The optimizer's learning rate; it may change between steps."""
        return self.optimizer.lr

    @lr.setter
    def lr(self, value: float) -> None:
        self.optimizer.lr = check_positive(value, "lr")

    def _stop(self, status: str, message: str) -> None:
        self.status, self.message = status, message

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"
