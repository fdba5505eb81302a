"""Grading throughput: submissions graded per minute by `instructor autograde`, 1 and 2 at a time.

    python -m benchmarks grading
    python -m benchmarks.grading_bench [--submissions 40] [--workers 1 2] [--dask] [--quick]

A practice class (course_lib.grading.practice_class) of N students hands in 01_derivatives, each with a
different mix of solved answers. Every run grades the whole class in a fresh copy of the same
released course, with the real command, start-up included:

- nbgrader's own `nbgrader autograde` (one process, one student after another): the baseline;
- `instructor autograde --jobs W` for each W of --workers: each submission checked, then graded
  in a process of its own with a time limit, W at a time;
- with --dask, `instructor autograde --engine dask` on a local Dask cluster of W worker processes
  on 127.0.0.1, for each W.

Each run must grade every student (checked in its records), or the benchmark stops. BLAS threads
are pinned (default 1 per kernel): the kernels of concurrent gradings share the cores.
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from benchmarks._common import ROOT, environment_lines, print_table, restart_with_blas_environment
from course_lib.grading.autograding import load_outcomes
from course_lib.grading.course import CONFIG_FILE, Course, nbgrader_environment
from course_lib.grading.engines import loopback_cluster
from course_lib.grading.practice_class import write_practice_class

ASSIGNMENT = "01_derivatives"


def released_course(folder: Path, students: int) -> Path:
    """A course in `folder` with ASSIGNMENT released and a practice class's submissions."""
    folder.mkdir()
    shutil.copy(ROOT / CONFIG_FILE, folder / CONFIG_FILE)
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, folder / "solutions" / ASSIGNMENT)
    run(folder, str(Path(sys.executable).parent / "nbgrader"), "generate_assignment", ASSIGNMENT,
        "--force")
    write_practice_class(folder, ASSIGNMENT, students)
    return folder


def run(course: Path, *command: str) -> float:
    """Run `command` in `course`; its wall-clock seconds. Stops the benchmark if it fails."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=course, env=nbgrader_environment(),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n"
                         f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def graded_by_nbgrader(course: Path) -> int:
    return len(list((course / "autograded").glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb")))


def graded_by_instructor(course: Path) -> int:
    outcomes = load_outcomes(Course.open(course), ASSIGNMENT).values()
    return sum(o.status == "graded" for o in outcomes)


def contenders(workers: list[int], dask: bool) -> list[tuple]:
    """(label, workers, command options or None for plain nbgrader, cluster) of each run."""
    runs = [("nbgrader autograde (plain, one process)", 1, None, None)]
    runs += [(f"instructor autograde --jobs {w}", w, ["--jobs", str(w)], None) for w in workers]
    if dask:
        runs += [(f"instructor autograde --engine dask ({w} worker{'s' * (w > 1)})", w,
                  ["--engine", "dask"], w) for w in workers]
    return runs


def grade(template: Path, scratch: Path, options: list[str] | None,
          cluster_workers: int | None) -> tuple[float, int]:
    """Grade the class in a fresh copy of `template`; (seconds, submissions graded)."""
    course = scratch / "course"
    shutil.rmtree(course, ignore_errors=True)
    shutil.copytree(template, course)
    if options is None:
        seconds = run(course, str(Path(sys.executable).parent / "nbgrader"), "autograde",
                      ASSIGNMENT, "--force")
        return seconds, graded_by_nbgrader(course)
    cluster = loopback_cluster(cluster_workers) if cluster_workers else nullcontext()
    with cluster as address:
        scheduler = ["--scheduler", address] if address else []
        seconds = run(course, sys.executable, "-m", "course_lib.grading", "--root",
                      str(course), "autograde", ASSIGNMENT, *options, *scheduler)
    return seconds, graded_by_instructor(course)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40, metavar="N",
                        help="students in the practice class (default: %(default)s)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], metavar="W",
                        help="submissions graded at a time, one run each (default: 1 2)")
    parser.add_argument("--dask", action="store_true",
                        help="also grade on a local Dask cluster of W worker processes")
    parser.add_argument("--quick", action="store_true", help="4 submissions: a smoke run")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads of each kernel (default: %(default)s)")
    parser.add_argument("--profile", action="store_true",
                        help="only time the steps of one grading (benchmarks/grading_profile.py)")
    parser.add_argument("--rounds", type=int, default=3, metavar="R",
                        help="with --profile: gradings timed, the median shown (default: 3)")
    parser.add_argument("--keep-openblas-env", action="store_true",
                        help="keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE if they are set")
    args = parser.parse_args()
    if args.submissions < 1 or min(args.workers) < 1:
        parser.error(f"--submissions and --workers: expected whole numbers >= 1, got "
                     f"{args.submissions} and {args.workers}")
    restart_with_blas_environment(args.threads, args.keep_openblas_env)
    students = 4 if args.quick else args.submissions

    print("\n".join(environment_lines(args.threads)))
    if args.profile:
        return profile(args.rounds)
    results = []
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as scratch:
        template = released_course(Path(scratch) / "template", students)
        for label, workers, options, cluster in contenders(args.workers, args.dask):
            seconds, graded = grade(template, Path(scratch), options, cluster)
            if graded != students:
                raise SystemExit(f"{label}: graded {graded} of {students} submissions")
            load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
            results.append((label, workers, 60 * students / seconds, seconds, load))
            print(f"  {label}: {seconds:.0f} s, {results[-1][2]:.1f} submissions per minute",
                  flush=True)
    reference = results[1][2]  # the first `--jobs` run
    rows = [[label, workers, f"{seconds:.0f}", f"{seconds / students:.1f}", f"{rate:.1f}",
             f"{rate / reference:.2f}x", load]
            for label, workers, rate, seconds, load in results]
    print_table(["run", "at a time", "seconds", "s per submission", "per minute",
                 f"vs --jobs {args.workers[0]}", "load after (1/5/15 min)"], rows,
                title=f"Grading {students} submissions of {ASSIGNMENT} (start-up included)")

def profile(rounds: int) -> None:
    """Print where the seconds of grading one submission go (see benchmarks/grading_profile)."""
    from benchmarks.grading_profile import process_costs, profile_grading, profile_rows
    # 4 answers: student 15 solved them all, so every test runs in full
    students = 16
    with tempfile.TemporaryDirectory(prefix="grading-profile-") as scratch:
        course = released_course(Path(scratch) / "course", students)
        timings = [profile_grading(course, ASSIGNMENT, f"student_{students - 1:02d}",
                                   Path(scratch) / "events.jsonl") for _ in range(rounds)]
    load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    print_table(["step", "calls", "seconds", "of all", "CPU s"], profile_rows(timings),
                title=f"One grading of {ASSIGNMENT}, median of {rounds} (load after: {load})")
    costs = process_costs(max(rounds, 3))
    load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    print_table(["process", "seconds"], [[label, f"{s:.2f}"] for label, s in costs],
                title=f"Starting the processes, each on its own (load after: {load})")


if __name__ == "__main__":
    main()
