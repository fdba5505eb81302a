"""The controls the tools share."""
from __future__ import annotations

import ipywidgets as widgets

# log10 steps of the learning-rate sliders: 2.3 % apart, so the arrow keys nudge the rate, and a
# typed value is kept as typed (ipywidgets snaps only what the handle does)
LOG_STEP = 0.01
LOG_SLIDER_WIDTH = "560px"  # five decades over about 400 pixels: 25 pixels move lr 2-fold


def log_slider(description: str, value: float, low: int = -4, high: int = 1):
    """A learning-rate slider whose position is log10(value): 1e-4 ... 10, wide and fine."""
    return widgets.FloatLogSlider(value=value, base=10, min=low, max=high, step=LOG_STEP,
                                  description=description, readout_format=".3g",
                                  continuous_update=False, style={"description_width": "initial"},
                                  layout=widgets.Layout(width=LOG_SLIDER_WIDTH))
