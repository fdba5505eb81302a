"""The IDX file format of the MNIST files.

A 4-byte magic number (two zero bytes, a type code, the number of dimensions), one big-endian
uint32 per dimension, then the values in C order; the files are usually gzip-compressed.
"""
from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

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
