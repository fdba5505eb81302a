"""The controls the tools share."""
from __future__ import annotations

import ipywidgets as widgets

# log10 steps of the learning-rate sliders: 2.3 % apart, so the arrow keys nudge the rate, and a
# typed value is kept as typed (ipywidgets snaps only what the handle does)
LOG_STEP = 0.01
# On a row of its own it takes the output's width, up to 760 pixels: five decades over about
# 600 pixels of track, so that a 25-pixel drag changes lr by a factor of 1.6, not 12.
LOG_SLIDER_WIDTH = "760px"


def log_slider(description: str, value: float, low: int = -4, high: int = 1,
               width: str = LOG_SLIDER_WIDTH):
    """A learning-rate slider whose position is log10(value): 1e-4 ... 10, wide and fine.

    Give it a row of its own (an HBox shares its width among its children).
    """
    return widgets.FloatLogSlider(value=value, base=10, min=low, max=high, step=LOG_STEP,
                                  description=description, readout_format=".3g",
                                  continuous_update=False, style={"description_width": "initial"},
                                  layout=widgets.Layout(width="100%", max_width=width))
