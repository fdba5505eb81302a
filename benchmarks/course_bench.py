"""How long the course takes to run: every solution notebook executed top to bottom, timed.

    python -m benchmarks course
    python -m benchmarks.course_bench [--quick] [--notebooks 01 09] [--timeout 1800]

Each notebook in solutions/ runs in a fresh kernel (nbclient), in its own folder, as in JupyterLab;
the time includes starting the kernel. A notebook that stops with an error is reported with the
cell and the error, and the timing of the rest goes on. --quick runs only the first notebook.
"""
from __future__ import annotations

import argparse
import os
import time
from datetime import datetime

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

from benchmarks._common import ROOT, environment_lines, print_table, restart_with_blas_environment

SOLUTIONS = ROOT / "solutions"


def solution_notebooks(prefixes: list[str] | None) -> list:
    paths = sorted(SOLUTIONS.glob("*/*.ipynb"))
    if prefixes:
        paths = [p for p in paths if any(p.stem.startswith(prefix) for prefix in prefixes)]
    return paths


def cell_seconds(cell) -> float:
    """Seconds a cell ran, from the timestamps nbclient records in its metadata (0 if it did not run)."""
    timing = cell.metadata.get("execution", {})
    if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
        return 0.0
    start, end = (datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
                  for key in ("iopub.execute_input", "shell.execute_reply"))
    return (end - start).total_seconds()


def execute(path, timeout: int) -> tuple[float, int, str, str]:
    """Run the notebook at `path`; return (seconds, code cells, its slowest cell, "ok" or what
    went wrong).
    """
    nb = nbformat.read(path, as_version=4)
    n_code = sum(cell.cell_type == "code" for cell in nb.cells)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    try:
        client.execute()
        status = "ok"
    except CellTimeoutError:
        status = f"timed out after {timeout} s in one cell"
    except CellExecutionError as err:
        failed = next((i for i, cell in enumerate(nb.cells)
                       if any(o.get("output_type") == "error" for o in cell.get("outputs", []))), "?")
        status = f"error in cell {failed}: {err.ename}: {str(err.evalue)[:60]}"
    seconds = time.perf_counter() - start
    slowest = max(range(len(nb.cells)), key=lambda i: cell_seconds(nb.cells[i]))
    return seconds, n_code, f"cell {slowest}: {cell_seconds(nb.cells[slowest]):.1f} s", status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="run only the first notebook")
    parser.add_argument("--notebooks", nargs="+", metavar="PREFIX",
                        help="only the notebooks whose names start with these, e.g. 01 09")
    parser.add_argument("--timeout", type=int, default=1800, help="seconds allowed per cell")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="BLAS threads of the kernels (default: all cores, as for a student)")
    parser.add_argument("--keep-openblas-env", action="store_true",
                        help="keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE if they are set")
    args = parser.parse_args()
    restart_with_blas_environment(args.threads, args.keep_openblas_env)

    print("\n".join(environment_lines(args.threads)))
    paths = solution_notebooks(args.notebooks)
    if args.quick:
        paths = paths[:1]
    if not paths:
        raise SystemExit(f"no solution notebooks found in {SOLUTIONS} for {args.notebooks}")
    rows, total = [], 0.0
    for path in paths:
        seconds, n_code, slowest, status = execute(path, args.timeout)
        total += seconds
        rows.append([path.stem, str(n_code), f"{seconds:.1f}", slowest, status])
        print(f"  {path.stem}: {seconds:.1f} s, {status}", flush=True)
    n_ok = sum(row[-1] == "ok" for row in rows)
    rows.append(["total", "", f"{total:.1f}", "", f"{n_ok} of {len(paths)} ran to the end"])
    print_table(["notebook", "code cells", "seconds", "slowest cell", "status"], rows,
                title="Course execution: each solution notebook top to bottom in a fresh kernel "
                      "(kernel start included)")
    print(f"\nload average at the end: {' / '.join(f'{v:.1f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
