"""Data sets for the course: MNIST, toy 2-D sets, regression data, splits and mini-batches.

- `idx`       reading the IDX files MNIST comes in
- `download`  fetching the MNIST files once, from the first mirror that works (pooch)
- `mnist`     `load_mnist`, and the 5,000 real digits shipped for working offline
- `toy`       spirals, XOR, circles, moons; a 1-D regression set
- `splits`    train/validation/test splits and mini-batches

Everything public is importable from `course_lib.data` itself.
"""
from course_lib.data.download import (
    DATA_ENV,
    MIRRORS_ENV,
    MNIST_FILES,
    MNIST_MIRRORS,
    MnistDownloadError,
    download_mnist_file,
    mnist_cache_dir,
    mnist_mirrors,
)
from course_lib.data.idx import read_idx
from course_lib.data.mnist import MnistFallbackWarning, load_mnist, load_mnist_fallback
from course_lib.data.splits import batch_rows, minibatches, train_val_test_split
from course_lib.data.toy import (
    TOY_DATASETS,
    load_toy,
    make_circles,
    make_linear_regression,
    make_moons,
    make_spirals,
    make_xor,
)

__all__ = ["DATA_ENV", "MIRRORS_ENV", "MNIST_FILES", "MNIST_MIRRORS", "TOY_DATASETS",
           "MnistDownloadError", "MnistFallbackWarning", "batch_rows", "download_mnist_file", "load_mnist",
           "load_mnist_fallback", "load_toy", "make_circles", "make_linear_regression",
           "make_moons", "make_spirals", "make_xor", "minibatches", "mnist_cache_dir",
           "mnist_mirrors", "read_idx", "train_val_test_split"]
