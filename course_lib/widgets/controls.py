"""The controls the tools share."""
from __future__ import annotations

import ipywidgets as widgets


def log_slider(description: str, value: float, low: int = -4, high: int = 1):
    """A learning-rate slider whose position is log10(value): 1e-4 ... 10 in even steps."""
    return widgets.FloatLogSlider(value=value, base=10, min=low, max=high, step=0.05,
                                  description=description, readout_format=".3g",
                                  continuous_update=False, style={"description_width": "initial"})
