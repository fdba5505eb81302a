"""Benchmarks: scripts that measure speed and print tables, run with `python -m benchmarks`.

Each `*_bench.py` module here is a script of its own; `__main__` runs all of them or some. They
measure the contenders of a comparison side by side in one run, so that the ratios hold even on a
busy machine; the absolute seconds vary from run to run.
"""
