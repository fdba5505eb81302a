"""The cases a test runs: one call of the function under test, described in words."""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One call of the function under test, described in words for the failure message."""

    description: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    make: Callable | None = None

    def arguments(self) -> tuple[tuple, dict]:
        """Fresh (args, kwargs) for one call, so that the answer and the reference never share."""
        if self.make is not None:
            made = self.make()
            return (tuple(made) if isinstance(made, (tuple, list)) else (made,)), {}
        return copy.deepcopy(self.args), copy.deepcopy(self.kwargs)


def case(description: str, *args, **kwargs) -> Case:
    """A case whose arguments are deep-copied for every call."""
    return Case(description, args, kwargs)


def fresh_case(description: str, make: Callable[[], tuple]) -> Case:
    """A case whose arguments `make()` builds anew for every call.

    Use it when the arguments must stay linked, e.g. `f` closes over the array `x` it is given
    with: `fresh_case("...", lambda: make_loss_and_params())`.
    """
    return Case(description, make=make)
