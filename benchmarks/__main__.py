"""Run the benchmarks and print their tables.

    python -m benchmarks                     # every benchmark (python3 course.py bench does this)
    python -m benchmarks training course     # some of them, by name
    python -m benchmarks --quick             # tiny sizes: a smoke run that checks they work
    python -m benchmarks training -- --rounds 9   # options after -- go to each benchmark named

A benchmark is a module benchmarks/NAME_bench.py with a main(); each runs in a process of its own,
so that its BLAS settings and imports do not touch the others.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time

from benchmarks._common import ROOT

# Options that make a benchmark's smoke run; "--quick" unless listed here.
QUICK_OPTIONS = {"widgets": ["--steps", "2"]}


def available() -> dict[str, str]:
    """Benchmark name -> module, for every benchmarks/*_bench.py."""
    return {path.stem.removesuffix("_bench"): f"benchmarks.{path.stem}"
            for path in sorted((ROOT / "benchmarks").glob("*_bench.py"))}


def main(argv: list[str]) -> int:
    passed_on = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    benchmarks = available()
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"benchmarks to run (default: all): {', '.join(benchmarks)}")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    args = parser.parse_args(argv)
    unknown = [name for name in args.names if name not in benchmarks]
    if unknown:
        parser.error(f"names: unknown benchmark(s) {', '.join(unknown)}; expected some of "
                     f"{', '.join(benchmarks)}")
    outcomes = {}
    for name in args.names or list(benchmarks):
        options = QUICK_OPTIONS.get(name, ["--quick"]) if args.quick else []
        command = [sys.executable, "-m", benchmarks[name], *options, *passed_on]
        print(f"\n===== {name}: {' '.join(command[1:])}", flush=True)
        start = time.perf_counter()
        code = subprocess.call(command, cwd=ROOT)
        outcomes[name] = (code, time.perf_counter() - start)
    print("\n===== summary")
    for name, (code, seconds) in outcomes.items():
        print(f"{name:12} {'ok' if code == 0 else f'FAILED (exit code {code})':24} {seconds:7.1f} s")
    return 0 if all(code == 0 for code, _ in outcomes.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
