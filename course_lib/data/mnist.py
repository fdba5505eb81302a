"""Loading MNIST: the full set from the cache or a mirror, or the digits the course ships.

MNIST has 60,000 training and 10,000 test images of handwritten digits, 28 x 28 pixels. Without a
network, `load_mnist` falls back to 5,000 of the real test-set digits shipped in
`course_lib/data/digits/` (see its README: their origin, licence and checksums), and says so with a
`MnistFallbackWarning`.
"""
from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

import numpy as np

from course_lib.data.download import (
    MIRRORS_ENV,
    MNIST_FILES,
    MnistDownloadError,
    download_mnist_file,
)
from course_lib.data.idx import read_idx

FALLBACK_DIR = Path(__file__).resolve().parent / "digits"
# File name -> SHA-256, made by scripts/make_mnist_subset.py
FALLBACK_FILES = {
    "mnist-5k-images-idx3-ubyte.gz":
        "59e14c3d9fe1bf50579abe21ab19cdccefafe1f2e8f69ecdfc5307905cea139e",
    "mnist-5k-labels-idx1-ubyte.gz":
        "e12d3c03ce0021c681f2f54ef299322c5ae3ae1ec66ca877a5dddc86157711b6",
}
FALLBACK_TEST_EVERY = 5  # every 5th digit of each class goes to the fallback test set


class MnistFallbackWarning(UserWarning):
    """MNIST could not be downloaded, so the 5,000 digits shipped with the course are used."""


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot: bool = False,
               dtype=np.float32, cache_dir=None, allow_fallback: bool = True,
               progress: bool = True, mirrors=None, checksums: dict | None = None):
    """Load MNIST: 60,000 training and 10,000 test images of handwritten digits, 28 x 28 pixels.

    The four files are downloaded once (see `download_mnist_file`) and read from the cache after.
    If no mirror works and `allow_fallback` is true, the 5,000 real MNIST digits shipped with the
    course are used instead (4,000 train and 1,000 test, 400 and 100 per class), with a warning
    (`MnistFallbackWarning`).

    Parameters
    ----------
    normalize : bool
        Scale pixels from 0..255 to [0, 1] (x / 255).
    flatten : bool
        Images as rows of 784 values, shape (N, 784); else shape (N, 1, 28, 28).
    one_hot : bool
        Labels as one-hot rows, shape (N, 10), of `dtype`; else class indices (N,) int64.
    dtype : float dtype
        dtype of the images (float32 by default).
    cache_dir, mirrors
        See `mnist_cache_dir` and `mnist_mirrors`.
    allow_fallback : bool
        Fall back to the shipped digits when the download fails; else raise MnistDownloadError.
    progress : bool
        Show progress bars while downloading.
    checksums : dict, optional
        File name -> SHA-256, replacing `MNIST_FILES` (same four names), e.g. for a private mirror.

    Returns
    -------
    ((x_train, t_train), (x_test, t_test))
        x : ndarray, shape (N, 784) or (N, 1, 28, 28);  t : ndarray, shape (N,) or (N, 10)
    """
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype: expected a float dtype such as float32, got {dtype}")
    checksums = _check_checksums(checksums)
    try:
        arrays = _load_mnist_files(cache_dir, mirrors, checksums, progress)
    except MnistDownloadError as err:
        if not allow_fallback:
            raise
        warnings.warn(_fallback_message(err), MnistFallbackWarning, stacklevel=2)
        arrays = load_mnist_fallback()
    (x_train, t_train), (x_test, t_test) = arrays
    return (_prepare(x_train, t_train, normalize, flatten, one_hot, dtype),
            _prepare(x_test, t_test, normalize, flatten, one_hot, dtype))


def _check_checksums(checksums: dict | None) -> dict:
    if checksums is None:
        return MNIST_FILES
    if sorted(checksums) != sorted(MNIST_FILES):
        raise ValueError(f"checksums: expected the file names {sorted(MNIST_FILES)}, "
                         f"got {sorted(checksums)}")
    return dict(checksums)


def _load_mnist_files(cache_dir, mirrors, checksums: dict, progress: bool):
    paths = [download_mnist_file(name, cache_dir, mirrors, sha, progress)
             for name, sha in checksums.items()]
    arrays = dict(zip(checksums, (read_idx(p) for p in paths), strict=True))
    pairs = []
    for prefix in ("train", "t10k"):
        images = arrays[f"{prefix}-images-idx3-ubyte.gz"]
        labels = arrays[f"{prefix}-labels-idx1-ubyte.gz"]
        if images.shape[1:] != (28, 28) or labels.shape != images.shape[:1]:
            raise ValueError(f"MNIST {prefix} files do not fit together: images {images.shape}, "
                             f"labels {labels.shape}; expected (N, 28, 28) and (N,)")
        pairs.append((images, labels))
    return tuple(pairs)


def _fallback_message(err: MnistDownloadError) -> str:
    first_url, first_problem = err.attempts[0]
    return (f"MNIST could not be downloaded ({first_url}: {first_problem}), so this uses the "
            f"5,000 real MNIST digits shipped with the course instead: 4,000 for training "
            f"and 1,000 for testing, not 60,000 and 10,000. Results will be a little worse. To get "
            f"the full set, connect to the internet and run load_mnist() again (the files are "
            f"cached in {err.cache_dir}), or set {MIRRORS_ENV} to a mirror that works.")


def load_mnist_fallback():
    """The 5,000 MNIST digits shipped with the course, split the same way every time.

    Every 5th digit of each class goes to the test set, so the split is stratified: 4,000 train
    (400 per class) and 1,000 test (100 per class). Each part is shuffled with a fixed seed.

    Returns
    -------
    ((x_train, t_train), (x_test, t_test))
        x : ndarray, shape (N, 28, 28) uint8;  t : ndarray, shape (N,) uint8

    Raises
    ------
    ValueError
        When a shipped file is missing or not the file the course shipped (checksum).
    """
    images, labels = (read_idx(_verified_fallback_file(name)) for name in FALLBACK_FILES)
    rank_in_class = np.zeros(len(labels), dtype=np.int64)
    for digit in np.unique(labels):
        members = labels == digit
        rank_in_class[members] = np.arange(members.sum())
    is_test = rank_in_class % FALLBACK_TEST_EVERY == FALLBACK_TEST_EVERY - 1
    rng = np.random.default_rng(0)
    parts = []
    for mask in (~is_test, is_test):
        order = rng.permutation(np.flatnonzero(mask))
        parts.append((images[order], labels[order]))
    return tuple(parts)


def _verified_fallback_file(name: str) -> Path:
    path = FALLBACK_DIR / name
    if not path.is_file():
        raise ValueError(f"{path}: the offline MNIST digits are missing from this installation "
                         f"of course_lib; reinstall it (or connect to the internet)")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != FALLBACK_FILES[name]:
        raise ValueError(f"{path}: not the file the course ships (sha256 {digest}, expected "
                         f"{FALLBACK_FILES[name]}); reinstall course_lib")
    return path


def _prepare(images, labels, normalize, flatten, one_hot, dtype):
    x = images.astype(dtype)
    if normalize:
        x /= np.asarray(255, dtype=dtype)
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, 28, 28)
    t = labels.astype(np.int64)
    if one_hot:
        t = np.eye(10, dtype=dtype)[t]
    return x, t
