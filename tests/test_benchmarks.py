"""Smoke test of the benchmarks' entry point: `python -m benchmarks --quick training course` runs
the training and course benchmarks on tiny sizes and prints their tables. No timing is asserted:
speed is what the benchmarks print, not a test. (Other benchmarks have smoke tests of their own.)

PyTorch is switched off here (COURSE_BENCH_WITHOUT_TORCH), as it is missing on a fresh machine:
the tests never import it.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_benchmarks(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, COURSE_BENCH_WITHOUT_TORCH="1")
    return subprocess.run([sys.executable, "-m", "benchmarks", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def quick_run() -> subprocess.CompletedProcess:
    return run_benchmarks("--quick", "training", "course")


@pytest.mark.slow
def test_the_benchmarks_named_run_to_the_end(quick_run):
    assert quick_run.returncode == 0, quick_run.stdout[-3000:] + quick_run.stderr[-3000:]
    summary = quick_run.stdout.split("===== summary", 1)[1]
    assert re.findall(r"^(\w+) +ok ", summary, re.MULTILINE) == ["training", "course"], summary


@pytest.mark.slow
def test_training_benchmark_prints_its_five_tables(quick_run):
    out = quick_run.stdout
    for title in ("1. One epoch, 784-512-10 ReLU, RMSProp, batch 128, float32",
                  "2. Matrix-product throughput", "3. Accuracy", "4. Deep Learning from Scratch",
                  "5. Memory of a course_lib epoch"):
        assert title in out, f"missing table {title!r}"
    assert re.search(r"^course_lib +\d+\.\d{3} ", out, re.MULTILINE), "no seconds per epoch"
    assert re.search(r"course_lib reaches \d+% of numpy's matmul limit", out)
    assert re.search(r"^course_lib \(fit\) +\d+\.\d\d% ", out, re.MULTILINE), "no accuracy"
    assert re.search(r"^peak extra during an epoch +\d+\.\d\d += \d+\.\d batches", out, re.MULTILINE)
    # the data are real digits, and the output says how the epoch was built from them
    assert "real MNIST" in out and "tiled" in out
    # without PyTorch its columns are skipped, with a message saying so
    assert "PyTorch switched off" in out
    assert not re.search(r"^PyTorch +\d", out, re.MULTILINE)


@pytest.mark.slow
def test_benchmarks_report_the_blas_kernel_and_threads(quick_run):
    assert re.search(r"numpy \S+: \w+ \S+, kernel \w+, 1 thread\(s\) \(pinned to 1\)", quick_run.stdout)


@pytest.mark.slow
def test_course_benchmark_times_a_solution_notebook(quick_run):
    table = quick_run.stdout.split("Course execution", 1)[1]
    assert re.search(r"^00_start_here +\d+ +\d+\.\d +cell \d+: \d+\.\d s +ok$", table, re.MULTILINE), table
    assert re.search(r"^total +\d+\.\d", table, re.MULTILINE)


def test_an_unknown_benchmark_name_lists_the_valid_ones():
    result = run_benchmarks("nonsense")
    assert result.returncode == 2
    assert re.search(r"unknown benchmark\(s\) nonsense; expected some of .*course.*training",
                     result.stderr), result.stderr
