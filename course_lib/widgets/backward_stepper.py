"""`BackwardPassStepper`: step through a backward pass and watch the gradients arrive."""
from __future__ import annotations

import html
from collections.abc import Mapping

import ipywidgets as widgets
import numpy as np

from course_lib import plotting
from course_lib.widgets.backward_pass import BackwardPassState
from course_lib.widgets.readout import html_table
from course_lib.widgets.tool import Tool


def _number(value) -> str:
    return f"{float(value):.4g}" if np.ndim(value) == 0 else f"an array of shape {np.shape(value)}"


class BackwardPassStepper(Tool):
    """Step through the backward pass of a computational graph and watch the gradients arrive.

    The graph is drawn with `course_lib.plotting.plot_graph`: the node of the last step in
    yellow, the gradients collected so far in red. The readout says what the node passed to
    each parent.

    Parameters
    ----------
    graphs : Value or Tensor, or dict name -> Value or Tensor
        The graph (its root) to step through, or several to choose from in a menu.

    Attributes
    ----------
    state : BackwardPassState
    """

    frame_steps = 1
    play_interval = 0.6

    def __init__(self, graphs):
        self._graphs = dict(graphs) if isinstance(graphs, Mapping) else {"graph": graphs}
        if not self._graphs:
            raise ValueError("graphs: expected at least one graph")
        self.graph = widgets.Dropdown(options=list(self._graphs), description="graph")
        super().__init__(widgets.HBox([self.graph]), figsize=(10.0, 4.2))
        self.run_steps.value = 100
        self._rebuild(self._make_state, raise_errors=True)
        self.graph.observe(lambda _: self._rebuild(self._make_state), names="value")

    def _make_state(self) -> BackwardPassState:
        return BackwardPassState(self._graphs[self.graph.value])

    def _draw(self) -> None:
        self.axis = self.figure.subplots()

    def _update(self) -> None:
        # The texts of the nodes change at every step, so the graph is drawn afresh; the title
        # names the step, which makes `_render` draw the whole figure.
        state = self.state
        self.axis.clear()
        plotting.plot_graph(state.root, ax=self.axis, grads=state.grads, highlight=state.current)
        self.axis.set_title(f"backward pass: {state.steps} of {len(state.order)} nodes done")

    def _readout_html(self) -> str:
        state = self.state
        if state.current is None:
            return "Press Step: the root starts with the gradient 1."
        rows = [[html.escape(plotting.node_name(parent)), _number(share)]
                for parent, share in state.shares]
        head = (f"At {html.escape(plotting.node_name(state.current))}: gradient "
                f"{_number(state.grads[state.current])}")
        if not rows:
            return head + ", a leaf: nothing to pass on."
        return head + "; its parents get their shares:" + html_table(["parent", "share"], rows)
