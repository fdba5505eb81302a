"""How live do the interactive tools feel? Median time of one step plus its redraw, per tool.

    python -m benchmarks widgets
    python -m benchmarks.widgets_bench [--steps 60]

A redraw is everything the browser needs after a click: the state's step, the artists moved to
the new state, the PNG rendered and the readout rebuilt. Three ways of redrawing are timed:

- blit      what the widgets do: move the artists' data, restore the saved background and
            draw only the moving artists (a full draw only when an axis changes its limits);
- full      move the artists' data, then let Agg draw the whole figure again;
- scratch   clear the figure and plot everything anew (contours, paths, curves) each step.

Timings are wall-clock on a shared machine: compare the columns of one run, not runs.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from course_lib.widgets import GradientDescentStepper, NetworkPlayground, OptimizerRace

TOOLS = {
    "stepper 2-D (rosenbrock, sgd)": lambda: GradientDescentStepper("rosenbrock", "sgd"),
    "stepper 1-D (double_well, A and B)": lambda: GradientDescentStepper("double_well"),
    "race (rosenbrock, 4 optimizers)": lambda: OptimizerRace("rosenbrock"),
    "playground (spirals, 16 tanh)": lambda: NetworkPlayground("spirals"),
}


def blit(tool) -> None:
    tool.state.step()
    tool.redraw()


def full(tool) -> None:
    tool.state.step()
    tool._background_key = None  # forces canvas.draw() of everything
    tool.redraw()


def scratch(tool) -> None:
    tool.state.step()
    state = tool.state
    tool._rebuild(lambda: state, raise_errors=True)


def median_ms(make_tool, redraw, steps: int) -> tuple[float, float, int]:
    """Median and 90th percentile of one step + redraw, in ms, and the PNG size in bytes."""
    tool = make_tool()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        redraw(tool)
        times.append(time.perf_counter() - start)
    return 1000 * np.median(times), 1000 * np.percentile(times, 90), len(tool.image.value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60, help="steps timed per tool and method")
    steps = parser.parse_args().steps
    print(f"median (90th percentile) of step + redraw over {steps} steps, milliseconds\n")
    header = f"{'tool':36} {'blit':>15} {'full':>15} {'scratch':>15} {'full/blit':>9} " \
             f"{'scratch/blit':>12} {'PNG KB':>7}"
    print(header)
    print("-" * len(header))
    for name, make_tool in TOOLS.items():
        results = {method.__name__: median_ms(make_tool, method, steps)
                   for method in (blit, full, scratch)}
        cells = [f"{m:7.1f} ({p:5.1f})" for m, p, _ in results.values()]
        ratio_full = results["full"][0] / results["blit"][0]
        ratio_scratch = results["scratch"][0] / results["blit"][0]
        print(f"{name:36} {cells[0]:>15} {cells[1]:>15} {cells[2]:>15} {ratio_full:9.1f} "
              f"{ratio_scratch:12.1f} {results['blit'][2] / 1024:7.0f}")


if __name__ == "__main__":
    main()
