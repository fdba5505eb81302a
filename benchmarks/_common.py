"""What the benchmark scripts share: a clean BLAS environment, a description of the machine, tables."""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Some machines set these so that old OpenBLAS builds pick a safe kernel; they make a current
# numpy use an older, slower kernel than the processor supports.
OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
RESTARTED = "COURSE_BENCH_RESTARTED"  # set in the restarted process, so it restarts only once


def restart_with_blas_environment(threads: int, keep_openblas_overrides: bool) -> None:
    """Run this same command again (once) with BLAS threads pinned and the OpenBLAS overrides unset.

    BLAS libraries read their environment when they load, so the only sure way to change it is a
    fresh process. The change holds for this benchmark process and its children only.
    """
    if os.environ.get(RESTARTED):
        return
    env = dict(os.environ, **{name: str(threads) for name in THREAD_VARIABLES})
    removed = []
    if not keep_openblas_overrides:
        removed = [f"{name}={env.pop(name)}" for name in OPENBLAS_OVERRIDES if name in env]
    env[RESTARTED] = " ".join(removed) or "-"
    sys.stdout.flush()
    os.execve(sys.executable, [sys.executable, *sys.orig_argv[1:]], env)


def limit_blas_threads(threads: int) -> None:
    """Pin the BLAS libraries loaded so far to `threads` (the environment did so at start too)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(threads)


def environment_lines(threads: int) -> list[str]:
    """Lines describing the machine, its load and the BLAS that numpy runs, for a benchmark header."""
    import numpy as np

    lines = [f"machine: {os.cpu_count()} cores ({_cpu_model()}), load average "
             f"{' / '.join(f'{v:.1f}' for v in os.getloadavg())} (1 / 5 / 15 min)"]
    removed = os.environ.get(RESTARTED, "-")
    if removed != "-":
        lines.append(f"unset for this benchmark process only: {removed} (they force an older "
                     f"OpenBLAS kernel; --keep-openblas-env keeps them)")
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return lines + [f"numpy {np.__version__}: BLAS kernel unknown (install threadpoolctl to "
                        f"see it); {threads} thread(s) requested through the environment"]
    for info in threadpool_info():
        if info["user_api"] == "blas" and "numpy" in info["filepath"]:
            lines.append(f"numpy {np.__version__}: {info['internal_api']} {info['version']}, "
                         f"kernel {info.get('architecture', '?')}, {info['num_threads']} "
                         f"thread(s) (pinned to {threads})")
    return lines


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown processor"


def print_table(headers: list[str], rows: list[list], title: str | None = None) -> None:
    """Print rows of already formatted cells under headers; the first column left-aligned."""
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(row[i]) for row in cells)) for i, h in enumerate(headers)]

    def line(row):
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(row, widths, strict=True)))

    if title:
        print(f"\n{title}")
    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print(line(row))
    sys.stdout.flush()
