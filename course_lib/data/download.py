"""Downloading the MNIST files once, from the first public mirror that works.

pooch does the transfer, the SHA-256 check, and the cache (a download goes to a temporary file
that is moved into place only after its checksum passes, so the cache never holds a partial or
corrupt file). This module adds what the course needs around it: several mirrors tried in turn,
environment variables for the mirrors and the cache, and one error that says, per mirror, what
went wrong and what to do.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import pooch
from tqdm.auto import tqdm

from course_lib.validation import check_choice

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
# pooch reports every download at INFO level; the progress bar says it already
pooch.get_logger().setLevel("WARNING")


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
    (separated by spaces or commas), else `MNIST_MIRRORS`.
    """
    if mirrors is None:
        mirrors = os.environ.get(MIRRORS_ENV, "").replace(",", " ").split() or MNIST_MIRRORS
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    mirrors = [str(m) for m in mirrors]
    if not mirrors:
        raise ValueError("mirrors: expected at least one base URL, got an empty list")
    return [m if m.endswith("/") else m + "/" for m in mirrors]


def download_mnist_file(filename: str, cache_dir=None, mirrors=None, sha256: str | None = None,
                        progress: bool = True, timeout: float = DOWNLOAD_TIMEOUT) -> Path:
    """Return the path of a verified MNIST file in the cache, downloading it if needed.

    A cached file is used when its SHA-256 is right (a wrong one is fetched again). Otherwise
    each mirror is tried in turn until one delivers the file with the right checksum.

    Parameters
    ----------
    filename : str
        e.g. ``"t10k-labels-idx1-ubyte.gz"``; a key of `MNIST_FILES` unless `sha256` is given.
    cache_dir, mirrors
        See `mnist_cache_dir` and `mnist_mirrors`.
    sha256 : str, optional
        Expected hex digest; defaults to ``MNIST_FILES[filename]``.
    progress : bool
        Show a tqdm progress bar, named after the file, while downloading.
    timeout : float
        Seconds a connection may stay silent before the mirror counts as failed.

    Returns
    -------
    Path
        ``cache_dir / filename``, readable by everyone who shares the cache.

    Raises
    ------
    MnistDownloadError
        When no mirror delivers the file with the right checksum.
    """
    if sha256 is None:
        sha256 = MNIST_FILES[check_choice(filename, MNIST_FILES, "filename")]
    cache_dir = mnist_cache_dir(cache_dir)
    attempts = []
    for base in mnist_mirrors(mirrors):
        url = base + filename
        try:
            path = Path(_retrieve(url, filename, cache_dir, sha256, progress, timeout))
        except (OSError, ValueError) as error:  # requests' errors are OSErrors; a bad hash
            attempts.append((url, _what_went_wrong(error, timeout)))
            continue
        path.chmod(0o644)  # pooch's temporary file is private; a class may share one cache
        return path
    raise MnistDownloadError(filename, cache_dir, attempts)


def _retrieve(url: str, filename: str, cache_dir: Path, sha256: str, progress: bool,
              timeout: float) -> str:
    # total=1 until pooch sets the real size: a tqdm of unknown total cannot be tested for truth
    bar = tqdm(desc=filename, total=1, unit="B", unit_scale=True, unit_divisor=1024,
               disable=not progress)
    try:
        downloader = pooch.HTTPDownloader(progressbar=bar if progress else False,
                                          chunk_size=CHUNK_SIZE, timeout=timeout)
        return pooch.retrieve(url, known_hash=f"sha256:{sha256}", fname=filename,
                              path=cache_dir, downloader=downloader)
    finally:
        bar.close()


def _what_went_wrong(error: Exception, timeout: float) -> str:
    """One line for a failed mirror, from pooch's or requests' exception."""
    import requests  # pooch's transport; imported by pooch when it downloads

    text = str(error)
    mismatch = re.search(r"expected sha256:([0-9a-f]{64}) but got ([0-9a-f]{64})", text)
    if isinstance(error, ValueError) and mismatch:
        return (f"checksum mismatch: expected sha256 {mismatch[1]}, got {mismatch[2]} "
                f"(the file was rejected)")
    if isinstance(error, requests.HTTPError):
        response = error.response
        return f"HTTP error {response.status_code} {response.reason}"
    if isinstance(error, requests.Timeout):
        return f"no data for {timeout} seconds, gave up"
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        cut = re.search(r"IncompleteRead\((\d+) bytes read, (\d+) more expected\)", text)
        if cut:
            received, missing = int(cut[1]), int(cut[2])
            return f"connection cut: received {received} of {received + missing} bytes"
        return f"connection cut during the download ({text})"
    if isinstance(error, requests.ConnectionError):
        reason = re.search(r"\] ([^'\")]+)", text)
        return f"cannot connect ({reason[1] if reason else text})"
    return f"{type(error).__name__}: {text}"
