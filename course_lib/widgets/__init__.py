"""Interactive tools: a gradient-descent stepper, an optimizer race, a network playground and a
backward-pass stepper.

Each tool comes in two parts:

- a plain state object that steps, resets and keeps a history, driven by tests and scripts
  without any browser: `GradientDescentRun` (one optimizer on one landscape),
  `OptimizerRaceState` (several runs, one clock), `PlaygroundState` (a network learning a toy
  data set) and `BackwardPassState` (the backward pass of a computational graph, node by node);
- a thin ipywidgets front end (`GradientDescentStepper`, `OptimizerRace`, `NetworkPlayground`,
  `BackwardPassStepper`)
  that draws its state with `course_lib.plotting` into a matplotlib Figure of its own (the Agg
  canvas, never pyplot's global state) and shows it as a PNG in an ``ipywidgets.Image``. After a
  step it only moves the data of the lines, arrows and images already drawn, and draws just
  those onto a saved copy of the rest of the figure (blitting); the contour plot, the axes and
  their ticks are drawn again only when some axis limits change.

Play runs the state in a background thread of the kernel, so the notebook stays responsive and
Pause (a message from the browser, handled by the kernel's main thread) can stop it. A lock
keeps the thread and the buttons from changing the state at the same time.

A run that diverges (its numbers overflow or it leaves the plotted region by a wide margin) is
stopped and says so; nothing that is not a finite number is ever drawn.

One idea per module: `stepping` (what the state objects share), `settings` (checking a run's
settings), `descent`, `race`, `playground_state` and `backward_pass` (the state objects),
`learning_rates` (a first rate to try, the smallest that diverges), `png` (the encoder),
`player` (the Play thread), `controls` and `readout` (parts of the front ends), `tool` and
`landscape_tool` (what the front ends share), and one module per front end: `stepper`,
`race_tool`, `playground`, `backward_stepper`. Import them from here: `course_lib.widgets`.
"""
from course_lib.widgets.backward_pass import BackwardPassState
from course_lib.widgets.backward_stepper import BackwardPassStepper
from course_lib.widgets.descent import GradientDescentRun, stationary_kind
from course_lib.widgets.learning_rates import diverging_lr, lr_problem, suggested_lr
from course_lib.widgets.playground import NetworkPlayground
from course_lib.widgets.playground_state import PlaygroundState
from course_lib.widgets.png import png_bytes
from course_lib.widgets.race import OptimizerRaceState
from course_lib.widgets.race_tool import OptimizerRace
from course_lib.widgets.readout import ERROR_COLOR, MINIMUM_COLOR, WARNING_COLOR
from course_lib.widgets.settings import ADAPTIVE_OPTIMIZERS, MOMENTUM_PARAMETER, momentum_settings
from course_lib.widgets.stepper import GradientDescentStepper
from course_lib.widgets.tool import DPI

__all__ = ["ADAPTIVE_OPTIMIZERS", "DPI", "ERROR_COLOR", "MINIMUM_COLOR", "MOMENTUM_PARAMETER",
           "WARNING_COLOR", "BackwardPassState", "BackwardPassStepper", "GradientDescentRun",
           "GradientDescentStepper", "NetworkPlayground", "OptimizerRace", "OptimizerRaceState",
           "PlaygroundState", "diverging_lr", "lr_problem", "momentum_settings", "png_bytes",
           "stationary_kind", "suggested_lr"]
