"""Training speed: course_lib's two-layer network against PyTorch on the CPU, in one run.

    python -m benchmarks training                    # through the runner
    python -m benchmarks.training_bench [--rounds 7] [--threads 1] [--quick]

The network is 784-512-10 (ReLU, softmax cross-entropy), trained with RMSProp (lr 0.001) in
mini-batches of 128, float32, for epochs of 60,000 samples. Five tables:

1. seconds per epoch of course_lib (as `fit` trains: `TrainingStep`, and through the layers'
   `loss_and_gradient`), of PyTorch, and of the epoch's matrix products alone (numpy and torch),
   measured in rounds that rotate the order of the contenders; beside each, the peak resident
   memory an epoch adds (the same measure for both libraries); the ratio course_lib / PyTorch, the
   median of the ratios within a round, in CPU time (steadier when other processes compete for the
   cores; with one thread it is the work done) and in wall-clock time;
2. GFLOP/s reached, against the matmul limit (the same matrix products timed alone);
3. accuracy on real MNIST digits that training never saw;
4. the configuration of Deep Learning from Scratch (784-50-10 sigmoid, SGD lr 0.1, batch 100,
   10,000 iterations), in float32 and in the book's float64;
5. peak memory of an epoch (tracemalloc, which numpy reports its arrays to).

MNIST's training images are not available offline, so an epoch's 60,000 samples are the real
MNIST test-set digits, tiled with shifts of a pixel or two; accuracy comes from training on part of
the real test set and evaluating on the rest. BLAS threads are pinned to the same number for numpy
and PyTorch. Without PyTorch (or with COURSE_BENCH_WITHOUT_TORCH=1) its columns are skipped.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from statistics import median

import numpy as np

from benchmarks._common import (
    ROOT,
    environment_lines,
    limit_blas_threads,
    print_table,
    restart_with_blas_environment,
)
from course_lib.data import (
    batch_rows,
    load_mnist_fallback,
    minibatches,
    read_idx,
    train_val_test_split,
)
from course_lib.network import TwoLayerNet
from course_lib.network_in_place import TrainingStep
from course_lib.optimizers import SGD, RMSProp
from course_lib.training import fit

MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"
INPUT, HIDDEN, CLASSES = 784, 512, 10
BATCH_SIZE, LEARNING_RATE = 128, 0.001
# Shifts (dy, dx) of up to two pixels for the copies of the digits that fill an epoch, nearest
# first.
SHIFTS = sorted(((dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)),
                key=lambda s: (abs(s[0]) + abs(s[1]), s))
GEMM_TARGET, TORCH_TARGET = 0.75, 0.80  # issue 16: at least 75 % of the matmul limit, at most 0.8x PyTorch


def load_torch():
    """torch, or None (with a message) when it is missing or switched off."""
    if os.environ.get("COURSE_BENCH_WITHOUT_TORCH"):
        print("PyTorch switched off (COURSE_BENCH_WITHOUT_TORCH is set): its columns are skipped.")
        return None
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed, so its columns are skipped. To compare against it, "
              "install PyTorch's CPU build into the course's environment (.venv) and run again.")
        return None
    return torch


# -- data ------------------------------------------------------------------------------------------

def real_digits():
    """Real MNIST digits: images (N, 28, 28) uint8, labels (N,) int64, and where they come from."""
    images_file = MNIST_DIR / "t10k-images-idx3-ubyte.gz"
    if images_file.exists():
        images = read_idx(images_file)
        labels = read_idx(MNIST_DIR / "t10k-labels-idx1-ubyte.gz").astype(np.int64)
        return images, labels, f"the {len(images):,} real MNIST test-set digits ({MNIST_DIR})"
    (x_a, t_a), (x_b, t_b) = load_mnist_fallback()
    return (np.concatenate([x_a, x_b]), np.concatenate([t_a, t_b]).astype(np.int64),
            f"the 5,000 real MNIST digits shipped with the course ({images_file} not found)")


def as_rows(images: np.ndarray) -> np.ndarray:
    """Images (N, 28, 28) uint8 -> rows (N, 784) float32 in [0, 1]."""
    x = images.reshape(len(images), -1).astype(np.float32)
    x /= np.float32(255)
    return x


def tile_with_shifts(images, labels, n_samples: int):
    """n_samples training rows: copy k of the digits is shifted by SHIFTS[k] pixels.

    np.roll moves the image; MNIST's border is blank, so rolling by a pixel or two is a shift.
    """
    copies = math.ceil(n_samples / len(images))
    shifted = [np.roll(images, SHIFTS[k], axis=(1, 2)) for k in range(copies)]
    x = as_rows(np.concatenate(shifted)[:n_samples])
    return x, np.tile(labels, copies)[:n_samples]


def batch_sizes(n_samples: int, batch_size: int) -> list[int]:
    full, rest = divmod(n_samples, batch_size)
    return [batch_size] * full + ([rest] if rest else [])


def epoch_flops(n_samples: int) -> int:
    """Floating-point operations of the matrix products of one epoch (2 per multiply-add).

    Per batch of b: forward x W1 (b D H) and h W2 (b H K); backward dW2 = h^T ds (H b K),
    dh = ds W2^T (b K H) and dW1 = x^T dh (D b H). The first layer needs no dx.
    """
    return 2 * n_samples * (2 * INPUT * HIDDEN + 3 * HIDDEN * CLASSES)


# -- the contenders: each returns epoch(seed), which trains (or multiplies) for one epoch ----------

def course_lib_trainer(x, t, hidden=HIDDEN):
    """epoch(seed) as `course_lib.training.fit` trains this network (without fit's evaluation)."""
    net = TwoLayerNet(x.shape[1], hidden, CLASSES)
    optimizer = RMSProp(lr=LEARNING_RATE)
    step = TrainingStep(net, optimizer, x, t, BATCH_SIZE)

    def epoch(seed):
        for rows in batch_rows(len(x), BATCH_SIZE, seed=seed):
            float(step(rows))
    return epoch, net, optimizer


def course_lib_layers_trainer(x, t, hidden=HIDDEN):
    """epoch(seed) through the layers: loss_and_gradient and update for every batch."""
    net = TwoLayerNet(x.shape[1], hidden, CLASSES)
    optimizer = RMSProp(lr=LEARNING_RATE)

    def epoch(seed):
        for x_batch, t_batch in minibatches(x, t, BATCH_SIZE, seed=seed):
            loss, grads = net.loss_and_gradient(x_batch, t_batch)
            optimizer.update(net.params, grads)
            float(loss)
    return epoch


def torch_trainer(torch, x, t, hidden=HIDDEN):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(),
                                torch.nn.Linear(hidden, CLASSES))
    optimizer = torch.optim.RMSprop(model.parameters(), lr=LEARNING_RATE, alpha=0.99, eps=1e-8)
    x_all, t_all = torch.from_numpy(x), torch.from_numpy(t)

    def epoch(seed):
        order = torch.from_numpy(np.random.default_rng(seed).permutation(len(x)))
        for start in range(0, len(x), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            loss = torch.nn.functional.cross_entropy(model(x_all[batch]), t_all[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss.item()
    return epoch, model


def matmuls_alone(matmul, as_array, n_samples: int):
    """epoch(seed) doing only the epoch's matrix products, into preallocated outputs."""
    rng = np.random.default_rng(0)
    b_max = BATCH_SIZE

    def array(*shape):
        return as_array(rng.standard_normal(shape, dtype=np.float32))

    x, h, dh = array(b_max, INPUT), array(b_max, HIDDEN), array(b_max, HIDDEN)
    scores = array(b_max, CLASSES)
    W1, dW1, W2, dW2 = array(INPUT, HIDDEN), array(INPUT, HIDDEN), array(HIDDEN, CLASSES), \
        array(HIDDEN, CLASSES)
    sizes = batch_sizes(n_samples, BATCH_SIZE)

    def epoch(seed):
        for b in sizes:
            matmul(x[:b], W1, out=h[:b])          # forward, layer 1
            matmul(h[:b], W2, out=scores[:b])     # forward, layer 2
            matmul(h[:b].T, scores[:b], out=dW2)  # dW2 = h^T dscores
            matmul(scores[:b], W2.T, out=dh[:b])  # dh = dscores W2^T
            matmul(x[:b].T, dh[:b], out=dW1)      # dW1 = x^T dh
    return epoch


def seconds(run, seed) -> dict:
    """Wall-clock and CPU seconds of run(seed).

    CPU time leaves out the time the process waited for a core, so it is steadier on a busy
    machine; with one BLAS thread it is the work done.
    """
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    run(seed)
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def contenders_for(torch, x, t) -> dict:
    """name -> a function that builds the contender and returns its epoch(seed)."""
    n = len(x)
    builders = {"course_lib": lambda: course_lib_trainer(x, t)[0],
                "course_lib, layers": lambda: course_lib_layers_trainer(x, t)}
    if torch is not None:
        builders["PyTorch"] = lambda: torch_trainer(torch, x, t)[0]
    builders["matmuls alone (numpy)"] = lambda: matmuls_alone(np.matmul, np.asarray, n)
    if torch is not None:
        builders["matmuls alone (torch)"] = lambda: matmuls_alone(torch.mm, torch.from_numpy, n)
    return builders


def peak_of_first_epoch(build) -> int:
    """Bytes by which building a contender and its first epoch raise peak resident memory.

    Run in a fresh process (`peak_in_fresh_process`), so that no memory freed by another
    contender is reused. Linux resets the peak (VmHWM) when "5" is written to
    /proc/self/clear_refs; the measure sees numpy's and PyTorch's allocations alike.
    """
    status = Path("/proc/self/status")
    Path("/proc/self/clear_refs").write_text("5")
    before = _status_kb(status, "VmRSS")
    build()(0)
    return (_status_kb(status, "VmHWM") - before) * 1024


def peak_in_fresh_process(name: str, n_samples: int) -> float | None:
    """`peak_of_first_epoch` of one contender, measured by a fresh run of this script.

    None when the system cannot say (not Linux).
    """
    result = subprocess.run([sys.executable, "-m", "benchmarks.training_bench", "--peak-of", name,
                             "--samples", str(n_samples)], cwd=ROOT, capture_output=True,
                            text=True, timeout=600)
    last = (result.stdout.strip().splitlines() or ["?"])[-1]
    return float(last) if result.returncode == 0 and last.isdigit() else None


def _status_kb(status: Path, field: str) -> int:
    for line in status.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise OSError(f"{field} not in {status}")


def time_in_rounds(contenders: dict, rounds: int, warm_up: bool) -> dict:
    """times[name][clock]: one epoch's seconds per round, clock "wall" or "cpu".

    Each round rotates the order of the contenders, so none always runs first or last.
    """
    names = list(contenders)
    if warm_up:
        for name in names:
            seconds(contenders[name], seed=rounds)  # a seed no round uses
    times = {name: {"wall": [], "cpu": []} for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            for clock, value in seconds(contenders[name], seed=r).items():
                times[name][clock].append(value)
        print(f"  round {r + 1}/{rounds}: " +
              ", ".join(f"{n} {times[n]['wall'][-1]:.2f} s" for n in names), flush=True)
    return times


def paired_ratio(times: dict, a: str, b: str, clock: str) -> float:
    """Median over the rounds of time(a) / time(b), each ratio taken within one round."""
    return median([x / y for x, y in zip(times[a][clock], times[b][clock], strict=True)])


# -- the tables ------------------------------------------------------------------------------------

def speed_tables(torch, x, t, rounds: int, warm_up: bool) -> None:
    n = len(x)
    contenders = {name: build() for name, build in contenders_for(torch, x, t).items()}
    print(f"\ntiming {len(contenders)} contenders over {rounds} rounds of one epoch each "
          f"({n:,} samples, {len(batch_sizes(n, BATCH_SIZE))} batches)")
    times = time_in_rounds(contenders, rounds, warm_up)
    peaks = {name: peak_in_fresh_process(name, n) for name in contenders}
    rows = [[name, f"{median(ts['cpu']):.3f}", f"{min(ts['cpu']):.3f}", f"{median(ts['wall']):.3f}",
             f"{min(ts['wall']):.3f}", "?" if peaks[name] is None else f"{peaks[name] / 1e6:.1f}"]
            for name, ts in times.items()]
    print_table(["", "median CPU s/epoch", "best", "median wall s", "best", "peak MB"], rows,
                title=f"1. One epoch, 784-{HIDDEN}-10 ReLU, RMSProp, batch {BATCH_SIZE}, float32 "
                      f"(peak: resident memory that building it and its first epoch add, VmHWM, each in a fresh "
                      f"process)")
    if torch is not None:
        cpu_ratio, ratio = (paired_ratio(times, "course_lib", "PyTorch", clock)
                            for clock in ("cpu", "wall"))
        print(f"course_lib / PyTorch: {cpu_ratio:.2f}x the CPU time ({ratio:.2f}x wall clock; "
              f"medians of the per-round ratios; target <= {TORCH_TARGET}x: "
              f"{'meets' if cpu_ratio <= TORCH_TARGET else 'MISSES'})")

    flops = epoch_flops(n)
    rows = []
    for library, limit in (("course_lib", "matmuls alone (numpy)"),
                           ("course_lib, layers", "matmuls alone (numpy)"),
                           ("PyTorch", "matmuls alone (torch)")):
        if library in times:
            rows.append([library, f"{flops / median(times[library]['cpu']) / 1e9:.1f}",
                         f"{flops / median(times[limit]['cpu']) / 1e9:.1f}",
                         f"{paired_ratio(times, limit, library, 'cpu'):.0%}",
                         f"{paired_ratio(times, limit, library, 'wall'):.0%}"])
    print_table(["", "GFLOP/s reached (CPU time)", "matmul limit GFLOP/s", "fraction of limit",
                 "in wall time"],
                rows, title=f"2. Matrix-product throughput ({flops / 1e9:.1f} GFLOP per epoch; the "
                            f"limit is the same products timed alone)")
    fraction, wall_fraction = (paired_ratio(times, "matmuls alone (numpy)", "course_lib", clock)
                               for clock in ("cpu", "wall"))
    print(f"course_lib reaches {fraction:.0%} of numpy's matmul limit in CPU time "
          f"({wall_fraction:.0%} wall clock; target >= {GEMM_TARGET:.0%}: "
          f"{'meets' if fraction >= GEMM_TARGET else 'MISSES'})")


def accuracy_table(torch, images, labels, epochs: int) -> None:
    x = as_rows(images)
    (x_train, t_train), _, (x_test, t_test) = train_val_test_split(
        x, labels, val_fraction=0.0, test_fraction=0.2, seed=0)
    rows = []
    net = TwoLayerNet(INPUT, HIDDEN, CLASSES)
    start = time.perf_counter()
    history = fit(net, RMSProp(lr=LEARNING_RATE), x_train, t_train, epochs, BATCH_SIZE,
                  x_val=x_test, t_val=t_test, progress=False)
    rows.append(["course_lib (fit)", *accuracy_cells(history.val_accuracy),
                 f"{time.perf_counter() - start:.1f}"])
    if torch is not None:
        epoch, model = torch_trainer(torch, x_train, t_train)
        accuracies = []
        start = time.perf_counter()
        for e in range(epochs):
            epoch(seed=e)
            with torch.no_grad():
                predicted = model(torch.from_numpy(x_test)).argmax(dim=1).numpy()
            accuracies.append(np.mean(predicted == t_test))
        rows.append(["PyTorch", *accuracy_cells(accuracies), f"{time.perf_counter() - start:.1f}"])
    print_table(["", "accuracy, last epoch", "best epoch", "seconds"], rows,
                title=f"3. Accuracy: trained {epochs} epoch(s) on {len(x_train):,} real digits, "
                      f"evaluated on the other {len(x_test):,} (never seen in training)")


def accuracy_cells(accuracies) -> list[str]:
    best = int(np.argmax(accuracies))
    return [f"{accuracies[-1]:.2%}", f"{accuracies[best]:.2%} (epoch {best + 1})"]


DLFS_HIDDEN, DLFS_BATCH, DLFS_LR = 50, 100, 0.1


def dlfs_course_lib(x, t, iterations: int, evaluate):
    """Deep Learning from Scratch's chapter-4 training, with course_lib's network and optimizer."""
    net = TwoLayerNet(INPUT, DLFS_HIDDEN, CLASSES, activation="sigmoid", weight_init_std=0.01,
                      dtype=x.dtype)
    optimizer = SGD(lr=DLFS_LR)
    rng = np.random.default_rng(0)
    for i in range(iterations):
        batch = rng.choice(len(x), DLFS_BATCH)  # with replacement, as the book draws batches
        loss, grads = net.loss_and_gradient(x[batch], t[batch])
        optimizer.update(net.params, grads)
        evaluate(i, net.predict)
    return float(loss)


def dlfs_plain_numpy(x, t, iterations: int, evaluate):
    """The same training in plain numpy, as the book writes it: no layers, no input checks."""
    rng = np.random.default_rng(0)
    W1 = (0.01 * rng.standard_normal((INPUT, DLFS_HIDDEN))).astype(x.dtype)
    W2 = (0.01 * rng.standard_normal((DLFS_HIDDEN, CLASSES))).astype(x.dtype)
    b1, b2 = np.zeros(DLFS_HIDDEN, x.dtype), np.zeros(CLASSES, x.dtype)

    def forward(x_batch):
        hidden = 1 / (1 + np.exp(-(x_batch @ W1 + b1)))
        return hidden, hidden @ W2 + b2

    rows = np.arange(DLFS_BATCH)
    for i in range(iterations):
        batch = rng.choice(len(x), DLFS_BATCH)
        x_batch, t_batch = x[batch], t[batch]
        hidden, scores = forward(x_batch)
        y = np.exp(scores - scores.max(axis=1, keepdims=True))
        y /= y.sum(axis=1, keepdims=True)
        loss = -np.mean(np.log(y[rows, t_batch] + 1e-7))
        dscores = y
        dscores[rows, t_batch] -= 1
        dscores /= DLFS_BATCH
        dhidden = (dscores @ W2.T) * hidden * (1 - hidden)
        for param, grad in ((W1, x_batch.T @ dhidden), (b1, dhidden.sum(axis=0)),
                            (W2, hidden.T @ dscores), (b2, dscores.sum(axis=0))):
            param -= DLFS_LR * grad
        evaluate(i, lambda inputs: forward(inputs)[1])
    return float(loss)


def dlfs_table(x, t, x_test, t_test, iterations: int) -> None:
    """Deep Learning from Scratch, chapter 4: 784-50-10 sigmoid, SGD lr 0.1, batch 100.

    As the book: each iteration draws a random batch; after every epoch's worth of iterations the
    accuracy on the whole training and test sets is measured (part of the time, as in the book).
    """
    per_epoch = max(len(x) // DLFS_BATCH, 1)
    rows = []
    for dtype in (np.float32, np.float64):
        data = [(x.astype(dtype), t), (x_test.astype(dtype), t_test)]

        def evaluate(i, predict, data=data):  # this dtype's data, bound now
            if i % per_epoch == 0:
                for inputs, labels in data:
                    np.mean(predict(inputs).argmax(axis=1) == labels)

        for name, train in (("course_lib", dlfs_course_lib), ("plain numpy", dlfs_plain_numpy)):
            start = time.perf_counter()
            loss = train(data[0][0], t, iterations, evaluate)
            rows.append([name, np.dtype(dtype).name, f"{time.perf_counter() - start:.2f}",
                         f"{loss:.3f}"])
    print_table(["", "dtype", "seconds", "last batch loss"], rows,
                title=f"4. Deep Learning from Scratch's configuration: 784-50-10 sigmoid, SGD lr 0.1, "
                      f"batch 100, {iterations:,} iterations, accuracy on {len(x):,} + "
                      f"{len(x_test):,} samples every {per_epoch} iterations")
    print("plain numpy: the same steps written here without layers or input checks, as the book "
          "writes them (the book's code itself is float64)")


def memory_table(x, t) -> None:
    epoch, net, optimizer = course_lib_trainer(x, t)
    epoch(seed=0)  # the optimizer's state exists from here on: not part of an epoch's peak
    tracemalloc.start()
    epoch(seed=1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    batch = x[:BATCH_SIZE].nbytes + t[:BATCH_SIZE].nbytes
    params = sum(p.nbytes for p in net.params.values())
    state = sum(a.nbytes for slots in optimizer.state.values() for a in slots.values())
    mb = 1e-6
    rows = [["training data (x and t)", f"{(x.nbytes + t.nbytes) * mb:.1f}", "held before"],
            ["parameters", f"{params * mb:.2f}", "held before"],
            ["optimizer state", f"{state * mb:.2f}", "held before"],
            ["one batch (x and t)", f"{batch * mb:.2f}", ""],
            ["peak extra during an epoch", f"{peak * mb:.2f}",
             f"= {peak / batch:.1f} batches = {peak / params:.1f}x the parameters"]]
    print_table(["", "MB", ""], rows,
                title="5. Memory of a course_lib epoch (tracemalloc: numpy's arrays and Python "
                      "objects allocated during the epoch)")
    print(f"peak during an epoch: data + {peak * mb:.1f} MB; PyTorch's memory is not traced here")


def torch_line(torch) -> str:
    """torch's version, threads, BLAS (from its build configuration) and the kernel it picked."""
    config = torch.__config__.show()
    blas = next((part.split("=", 1)[1] for part in config.replace(",", "\n").split()
                 if part.startswith("BLAS_INFO=")), "unknown")
    library = next((line.strip(" -") for line in config.splitlines()
                    if "Math Kernel Library Version" in line or "OpenBLAS" in line), "")
    return (f"torch {torch.__version__}: BLAS {blas}{f' ({library})' if library else ''}, kernel "
            f"{torch.backends.cpu.get_cpu_capability()}, {torch.get_num_threads()} thread(s) "
            f"(pinned to the same number)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="timed epochs per contender")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads for numpy and PyTorch alike (default 1: the machine is "
                             "shared, and more threads than free cores make timings erratic)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run, not a measure")
    parser.add_argument("--keep-openblas-env", action="store_true",
                        help="keep OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE if they are set")
    parser.add_argument("--peak-of", help=argparse.SUPPRESS)  # used by peak_in_fresh_process
    parser.add_argument("--samples", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    restart_with_blas_environment(args.threads, args.keep_openblas_env)

    limit_blas_threads(args.threads)
    torch = load_torch()
    if args.peak_of:
        images, labels, _ = real_digits()
        x, t = tile_with_shifts(images, labels, args.samples)
        print(peak_of_first_epoch(contenders_for(torch, x, t)[args.peak_of]))
        return
    print("\n".join(environment_lines(args.threads)))
    if torch is not None:
        torch.set_num_threads(args.threads)
        print(torch_line(torch))
    n_train = 20 * BATCH_SIZE if args.quick else 60_000
    rounds = 2 if args.quick else args.rounds

    images, labels, source = real_digits()
    x, t = tile_with_shifts(images, labels, n_train)
    print(f"\ndata: {source}; an epoch's {n_train:,} samples are these digits tiled "
          f"{math.ceil(n_train / len(images))} time(s), each copy shifted by a pixel or two "
          f"(MNIST's training images are not available offline)")
    speed_tables(torch, x, t, rounds, warm_up=not args.quick)
    n_digits = 2_000 if args.quick else len(images)
    accuracy_table(torch, images[:n_digits], labels[:n_digits], epochs=1 if args.quick else 10)
    dlfs_table(x, t, as_rows(images), labels, iterations=50 if args.quick else 10_000)
    memory_table(x, t)
    print(f"\nload average at the end: {' / '.join(f'{v:.1f}' for v in os.getloadavg())} "
          f"(1 / 5 / 15 min; CPU times are steadier than wall times when it exceeds the cores)")


if __name__ == "__main__":
    main()
