"""Make the 5,000 real MNIST digits the course ships for working offline (course_lib/data/digits/).

    .venv/bin/python scripts/make_mnist_subset.py [MNIST_DIR]   # default: ../shared/data/mnist

It takes 500 digits of each class from the MNIST test set: the first 250 of that class in each
half of the file (the first 5,000 test images were written by Census Bureau employees, the
last 5,000 by students; both kinds of handwriting are in the subset), keeps the file order, and
writes them as two gzip-compressed IDX files (the format of the originals, read by
`course_lib.data.read_idx`) with a fixed gzip time stamp, so that the same input always gives
the same bytes. Their SHA-256 sums go into course_lib/data/digits/README.md and
course_lib/data/mnist.py by hand.
"""
from __future__ import annotations

import gzip
import hashlib
import struct
import sys
from pathlib import Path

import numpy as np

from course_lib.data import read_idx

ROOT = Path(__file__).resolve().parents[1]
PER_CLASS_AND_HALF = 250
IDX_TYPE_UBYTE = 0x08


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file's bytes: magic 00 00 08 <ndim>, big-endian uint32 sizes, the uint8 values."""
    header = struct.pack(">BBBB", 0, 0, IDX_TYPE_UBYTE, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.uint8).tobytes()


def subset(labels: np.ndarray) -> np.ndarray:
    """Indices, in file order, of the first PER_CLASS_AND_HALF of each class in each half."""
    half = len(labels) // 2
    chosen = []
    for start, stop in ((0, half), (half, len(labels))):
        part = np.arange(start, stop)
        for digit in range(10):
            chosen.append(part[labels[start:stop] == digit][:PER_CLASS_AND_HALF])
    return np.sort(np.concatenate(chosen))


def main(mnist_dir: Path) -> None:
    images = read_idx(mnist_dir / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(mnist_dir / "t10k-labels-idx1-ubyte.gz")
    keep = subset(labels)
    out = ROOT / "course_lib" / "data" / "digits"
    for name, array in (("mnist-5k-images-idx3-ubyte.gz", images[keep]),
                        ("mnist-5k-labels-idx1-ubyte.gz", labels[keep])):
        data = gzip.compress(idx_bytes(array), compresslevel=9, mtime=0)
        (out / name).write_bytes(data)
        print(f"{name}: shape {array.shape}, {len(data):,} bytes, "
              f"sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "mnist")
