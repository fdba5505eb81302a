"""The backward pass of a computational graph, one node at a time (`BackwardPassState`)."""
from __future__ import annotations

from course_lib.autograd import pass_to_parents, topological_order
from course_lib.widgets.stepping import Steps


class BackwardPassState(Steps):
    """The backward pass of one computational graph (`course_lib.autograd`), one node at a time.

    The nodes are taken in reverse topological order. Each step takes the next node, whose
    gradient is then complete, and adds its share (local derivative times its gradient) to each
    of its parents: `course_lib.autograd.pass_to_parents`. After the last step, `grads` is what
    `backpropagate` returns.

    Parameters
    ----------
    root : Value or Tensor

    Attributes
    ----------
    order : list
        The graph's nodes in topological order (root last).
    grads : dict
        node -> gradient collected so far; the root starts with 1.
    current : node or None
        The node of the last step.
    shares : list of (parent, share)
        What the last step gave each parent of `current`.
    """

    def __init__(self, root):
        self.root = root
        self.order = topological_order(root)
        self.reset()

    def reset(self) -> None:
        """Back to the start: only the root has its gradient, 1."""
        self.steps = 0
        self.grads = {self.root: self.root.seed_grad()}
        self.current, self.shares = None, []

    @property
    def running(self) -> bool:
        return self.steps < len(self.order)

    def step(self) -> bool:
        """Let the next node pass its gradient to its parents; False once every node has."""
        if not self.running:
            return False
        self.current = self.order[len(self.order) - 1 - self.steps]
        self.shares = pass_to_parents(self.current, self.grads)
        self.steps += 1
        return True
