"""Grading throughput: submissions graded per minute by `instructor autograde`, 1 and 2 at a time.

    python -m benchmarks grading
    python -m benchmarks.grading_bench [--submissions 40] [--workers 1 2] [--no-dask]
                                       [--chapter-submissions 4] [--quick] [--profile]

A practice class (course_lib.grading.practice_class) of N students hands in 01_derivatives, each with a
different mix of solved answers. Every run grades the whole class in a fresh copy of the same
released course, with the real command, start-up included:

- nbgrader's own `nbgrader autograde` (one process, one student after another): the baseline;
- `instructor autograde --jobs W` for each W of --workers: each submission checked, then graded
  in a process of its own with a time limit, W at a time;
- `instructor autograde --engine dask` on a local Dask cluster of W worker processes on
  127.0.0.1, for each W (unless --no-dask);
- then every chapter (00 to 13, English editions) with a smaller class, `--jobs` at the largest W.

Beside each run's wall-clock time: the CPU seconds all its processes used (from a cpuacct
control group, where this machine lets the benchmark make one), which other work on the machine
does not change, and the load average after it. Each run must grade every student (checked in its
records), or the benchmark stops. BLAS threads are pinned (default 1 per kernel): the kernels of
concurrent gradings share the cores. `--profile` times the steps of one grading instead
(benchmarks/grading_profile.py).
"""
from __future__ import annotations

import argparse
import contextlib
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


def released_course(folder: Path, students: int, assignment: str = ASSIGNMENT) -> Path:
    """A course in `folder` with `assignment` released and a practice class's submissions."""
    folder.mkdir()
    shutil.copy(ROOT / CONFIG_FILE, folder / CONFIG_FILE)
    shutil.copytree(ROOT / "solutions" / assignment, folder / "solutions" / assignment)
    run(folder, str(Path(sys.executable).parent / "nbgrader"), "generate_assignment", assignment,
        "--force")
    write_practice_class(folder, assignment, students)
    return folder


def chapters() -> list[str]:
    """The English editions of the chapters, 00 to 13 (the Korean ones grade alike)."""
    return sorted(p.name for p in (ROOT / "solutions").iterdir()
                  if p.is_dir() and not p.name.endswith("_ko") and any(p.glob("*.ipynb")))


class CpuMeter:
    """CPU seconds used by this process and all it starts, from a cgroup v1 cpuacct group.

    The benchmark moves itself into a group of its own, so the grading processes, kernels and
    Dask workers it starts are counted, and other work on the machine is not. (cgroup v2 is left
    alone: the sandbox makes its kernels' groups under the grader's own, which v2 forbids once
    a process sits in that group.) `seconds()` is None where no group can be made.
    """

    HIERARCHY = Path("/sys/fs/cgroup/cpuacct")

    def __init__(self):
        self.group = self.HIERARCHY / f"grading-bench-{os.getpid()}"
        try:
            self.group.mkdir()
            (self.group / "cgroup.procs").write_text(str(os.getpid()))
        except OSError:
            with contextlib.suppress(OSError):
                self.group.rmdir()
            self.group = None

    def seconds(self) -> float | None:
        if self.group is None:
            return None
        return int((self.group / "cpuacct.usage").read_text()) * 1e-9

    def close(self) -> None:
        """Leave the group and remove it."""
        if self.group is not None:
            (self.HIERARCHY / "cgroup.procs").write_text(str(os.getpid()))
            with contextlib.suppress(OSError):
                self.group.rmdir()


def load_average() -> str:
    return " / ".join(f"{v:.1f}" for v in os.getloadavg())


def run(course: Path, *command: str) -> float:
    """Run `command` in `course`; its wall-clock seconds. Stops the benchmark if it fails."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=course, env=nbgrader_environment(),
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n"
                         f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def graded_by_nbgrader(course: Path, assignment: str) -> int:
    return len(list((course / "autograded").glob(f"*/{assignment}/*.ipynb")))


def graded_by_instructor(course: Path, assignment: str) -> int:
    outcomes = load_outcomes(Course.open(course), assignment).values()
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
          cluster_workers: int | None, assignment: str = ASSIGNMENT) -> tuple[float, int]:
    """Grade the class in a fresh copy of `template`; (seconds, submissions graded).

    The seconds of a Dask run count from the cluster's start: a class graded on a cluster
    waits for it too.
    """
    course = scratch / "course"
    shutil.rmtree(course, ignore_errors=True)
    shutil.copytree(template, course)
    if options is None:
        seconds = run(course, str(Path(sys.executable).parent / "nbgrader"), "autograde",
                      assignment, "--force")
        return seconds, graded_by_nbgrader(course, assignment)
    start = time.perf_counter()
    cluster = loopback_cluster(cluster_workers) if cluster_workers else nullcontext()
    with cluster as address:
        scheduler = ["--scheduler", address] if address else []
        run(course, sys.executable, "-m", "course_lib.grading", "--root", str(course),
            "autograde", assignment, *options, *scheduler)
    return time.perf_counter() - start, graded_by_instructor(course, assignment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=40, metavar="N",
                        help="students in the practice class of 01 (default: %(default)s)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], metavar="W",
                        help="submissions graded at a time, one run each (default: 1 2)")
    parser.add_argument("--no-dask", action="store_true",
                        help="leave out the runs on a local Dask cluster")
    parser.add_argument("--chapter-submissions", type=int, default=4, metavar="N",
                        help="students per chapter in the rates of every chapter; 0 leaves "
                             "them out (default: %(default)s)")
    parser.add_argument("--quick", action="store_true",
                        help="4 submissions of 01, 2 of two chapters: a smoke run")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads of each kernel (default: %(default)s)")
    parser.add_argument("--profile", action="store_true",
                        help="only time the steps of one grading (benchmarks/grading_profile.py)")
    parser.add_argument("--rounds", type=int, default=3, metavar="R",
                        help="with --profile: gradings timed, the median shown (default: 3)")
    parser.add_argument("--keep-openblas-env", action="store_true",
                        help="keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE if they are set")
    args = parser.parse_args()
    if args.submissions < 1 or min(args.workers) < 1 or args.chapter_submissions < 0:
        parser.error(f"--submissions, --workers, --chapter-submissions: expected whole numbers "
                     f">= 1 (>= 0 for chapters), got {args.submissions}, {args.workers} and "
                     f"{args.chapter_submissions}")
    restart_with_blas_environment(args.threads, args.keep_openblas_env)
    print("\n".join(environment_lines(args.threads)))
    print("The machine may be shared: the load average is printed beside every figure, and the "
          "CPU seconds, which other work does not change, beside the wall-clock times.")
    if args.profile:
        return profile(args.rounds)
    students = 4 if args.quick else args.submissions
    meter = CpuMeter()
    with tempfile.TemporaryDirectory(prefix="grading-bench-") as scratch, \
            contextlib.closing(meter):
        template = released_course(Path(scratch) / "template", students)
        results = [measure(meter, label, workers, students, template, Path(scratch), options,
                           cluster)
                   for label, workers, options, cluster
                   in contenders(args.workers, not args.no_dask)]
        chapter_count = 2 if args.quick else args.chapter_submissions
        names = chapters()[:2] if args.quick else chapters()
        at_a_time = max(args.workers)
        chapter_results = [chapter_rate(meter, name, chapter_count, at_a_time, Path(scratch))
                           for name in names] if chapter_count else []
    reference = results[1][2]  # the first `--jobs` run
    rows = [[label, workers, f"{seconds:.0f}", f"{seconds / students:.1f}", f"{rate:.1f}",
             f"{rate / reference:.2f}x", cpu_text(cpu, students), load]
            for label, workers, rate, seconds, cpu, load in results]
    print_table(["run", "at a time", "seconds", "s per submission", "per minute",
                 f"vs --jobs {args.workers[0]}", "CPU s per submission",
                 "load after (1/5/15 min)"], rows,
                title=f"Grading {students} submissions of {ASSIGNMENT} (start-up included)")
    if chapter_results:
        print_table(["chapter", "submissions", "graded as handed in", "seconds", "per minute",
                     "CPU s per submission", "load after"],
                    [[name, count, graded, f"{seconds:.0f}", f"{60 * count / seconds:.1f}",
                      cpu_text(cpu, count), load]
                     for name, count, graded, seconds, cpu, load in chapter_results],
                    title=f"Every chapter: `instructor autograde --jobs {at_a_time}`, a practice "
                          f"class each (start-up included)")


def cpu_text(cpu: float | None, submissions: int) -> str:
    return "n/a" if cpu is None else f"{cpu / submissions:.2f}"


def measure(meter: CpuMeter, label: str, workers: int, students: int, template: Path,
            scratch: Path, options: list[str] | None, cluster: int | None) -> tuple:
    """(label, workers, per minute, seconds, CPU seconds or None, load after) of one run."""
    cpu = meter.seconds()
    seconds, graded = grade(template, scratch, options, cluster)
    if graded != students:
        raise SystemExit(f"{label}: graded {graded} of {students} submissions")
    used = None if cpu is None else meter.seconds() - cpu
    rate, load = 60 * students / seconds, load_average()
    print(f"  {label}: {seconds:.0f} s, {rate:.1f} submissions per minute, "
          f"{cpu_text(used, students)} CPU s per submission (load {load})", flush=True)
    return label, workers, rate, seconds, used, load


def chapter_rate(meter: CpuMeter, name: str, students: int, jobs: int, scratch: Path) -> tuple:
    """(chapter, students, graded, seconds, CPU seconds or None, load after) of its class."""
    template = released_course(scratch / f"template-{name}", students, name)
    cpu = meter.seconds()
    seconds, graded = grade(template, scratch, ["--jobs", str(jobs)], None, name)
    used = None if cpu is None else meter.seconds() - cpu
    shutil.rmtree(template)
    load = load_average()
    print(f"  {name}: {seconds:.0f} s for {students} ({graded} graded as handed in), "
          f"{60 * students / seconds:.1f} per minute (load {load})", flush=True)
    return name, students, graded, seconds, used, load


def profile(rounds: int) -> None:
    """Print where the seconds of grading one submission go (see benchmarks/grading_profile)."""
    from benchmarks.grading_profile import process_costs, profile_grading, profile_rows
    # 4 answers: student 15 solved them all, so every test runs in full
    students = 16
    with tempfile.TemporaryDirectory(prefix="grading-profile-") as scratch:
        course = released_course(Path(scratch) / "course", students)
        timings = [profile_grading(course, ASSIGNMENT, f"student_{students - 1:02d}",
                                   Path(scratch) / "events.jsonl") for _ in range(rounds)]
    load = load_average()
    print_table(["step", "calls", "seconds", "of all", "CPU s"], profile_rows(timings),
                title=f"One grading of {ASSIGNMENT}, median of {rounds} (load after: {load})")
    costs = process_costs(max(rounds, 3))
    load = load_average()
    print_table(["process", "seconds"], [[label, f"{s:.2f}"] for label, s in costs],
                title=f"Starting the processes, each on its own (load after: {load})")


if __name__ == "__main__":
    main()
