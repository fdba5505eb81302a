"""course_lib.data: IDX parsing on the real MNIST files, the downloader against a real loopback
HTTP server, the offline fallback, toy data sets, splits and mini-batches.

Every download test talks only to 127.0.0.1: an autouse fixture points the default mirrors at a
closed loopback port and the cache at a temporary directory.
"""
import gzip
import hashlib
import socket
import struct
import warnings

import numpy as np
import pytest

from course_lib import data
from course_lib.data import (
    MNIST_FILES,
    MnistDownloadError,
    MnistFallbackWarning,
    download_mnist_file,
    load_mnist,
    load_mnist_fallback,
    minibatches,
    read_idx,
    train_val_test_split,
)

TEST_IMAGES, TEST_LABELS = "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"
TRAIN_IMAGES, TRAIN_LABELS = "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"
# Published per-class counts of the MNIST labels.
TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def closed_loopback_url() -> str:
    """A URL on 127.0.0.1 at a port nothing listens on: connections are refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture(autouse=True)
def offline_defaults(monkeypatch, tmp_path):
    """Never reach the internet or the user's cache from these tests."""
    monkeypatch.setenv("COURSE_LIB_MNIST_MIRRORS", closed_loopback_url())
    monkeypatch.setenv("COURSE_LIB_DATA", str(tmp_path / "default-data"))


@pytest.fixture
def cache(tmp_path):
    return tmp_path / "cache"


def files_in(directory):
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def assert_same_splits(first, second):
    """Compare two ((x_train, t_train), (x_test, t_test)) results array by array."""
    for pair_a, pair_b in zip(first, second, strict=True):
        for a, b in zip(pair_a, pair_b, strict=True):
            np.testing.assert_array_equal(a, b)


def write_idx(path, array, type_code):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    path.write_bytes(header + array.tobytes())


# ---------------------------------------------------------------------------------------------
# read_idx
# ---------------------------------------------------------------------------------------------

def test_read_idx_parses_the_real_test_images(shared_mnist):
    images = read_idx(shared_mnist / TEST_IMAGES)
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert images.min() == 0 and images.max() == 255
    assert (images[:, 0, :] == 0).all()  # MNIST digits are centred: the top row is blank


def test_read_idx_parses_the_real_labels(shared_mnist):
    test_labels = read_idx(shared_mnist / TEST_LABELS)
    train_labels = read_idx(shared_mnist / TRAIN_LABELS)
    assert test_labels.shape == (10000,) and train_labels.shape == (60000,)
    assert np.bincount(test_labels).tolist() == TEST_LABEL_COUNTS
    assert np.bincount(train_labels).tolist() == TRAIN_LABEL_COUNTS
    assert test_labels[:5].tolist() == [7, 2, 1, 0, 4]
    assert train_labels[:5].tolist() == [5, 0, 4, 1, 9]


def test_read_idx_reads_uncompressed_files_too(shared_mnist, tmp_path):
    raw = tmp_path / "t10k-labels-idx1-ubyte"
    raw.write_bytes(gzip.decompress((shared_mnist / TEST_LABELS).read_bytes()))
    np.testing.assert_array_equal(read_idx(raw), read_idx(shared_mnist / TEST_LABELS))


@pytest.mark.parametrize("type_code, dtype", [(0x09, ">i1"), (0x0B, ">i2"), (0x0C, ">i4"),
                                              (0x0D, ">f4"), (0x0E, ">f8")])
def test_read_idx_handles_every_idx_type_big_endian(tmp_path, type_code, dtype):
    expected = (np.arange(24).reshape(2, 3, 4) * 7 - 50).astype(dtype)
    write_idx(tmp_path / "x.idx", expected, type_code)
    got = read_idx(tmp_path / "x.idx")
    assert got.shape == (2, 3, 4) and got.dtype.isnative
    np.testing.assert_array_equal(got, expected)


def test_read_idx_rejects_a_bad_magic_number(tmp_path):
    path = tmp_path / "bad.idx"
    path.write_bytes(b"\x12\x34\x08\x01" + bytes(8))
    with pytest.raises(ValueError, match=r"bad\.idx: not an IDX file.*magic number.*12 34 08 01"):
        read_idx(path)


def test_read_idx_rejects_a_truncated_file(shared_mnist, tmp_path):
    raw = gzip.decompress((shared_mnist / TEST_LABELS).read_bytes())
    (tmp_path / "short").write_bytes(raw[:-1])
    with pytest.raises(ValueError, match=r"truncated IDX file: shape \(10000,\).*"
                                         r"needs 10008 bytes, got 10007"):
        read_idx(tmp_path / "short")
    (tmp_path / "header").write_bytes(b"\x00\x00\x08\x03\x00\x00")
    with pytest.raises(ValueError, match="header needs 16 bytes, got 6"):
        read_idx(tmp_path / "header")


def test_read_idx_rejects_a_cut_gzip_stream(shared_mnist, tmp_path):
    packed = (shared_mnist / TEST_LABELS).read_bytes()
    (tmp_path / "cut.gz").write_bytes(packed[:len(packed) // 2])
    with pytest.raises(ValueError, match="broken gzip stream"):
        read_idx(tmp_path / "cut.gz")


# ---------------------------------------------------------------------------------------------
# Downloading against a loopback server
# ---------------------------------------------------------------------------------------------

def test_download_fetches_verifies_and_caches_a_file(shared_mnist, serve_files, cache, capfd):
    server = serve_files({TEST_LABELS: shared_mnist / TEST_LABELS})
    path = download_mnist_file(TEST_LABELS, cache_dir=cache, mirrors=[server.url])
    assert path == cache / TEST_LABELS
    assert hashlib.sha256(path.read_bytes()).hexdigest() == MNIST_FILES[TEST_LABELS]
    assert files_in(cache) == [TEST_LABELS]
    assert path.stat().st_mode & 0o777 == 0o644  # readable by others sharing the cache
    assert TEST_LABELS in capfd.readouterr().err  # the progress bar names the file
    download_mnist_file(TEST_LABELS, cache_dir=cache, mirrors=[server.url])
    assert server.requests == [TEST_LABELS]  # the second call used the cache


def test_mirrors_and_cache_come_from_environment_variables(shared_mnist, serve_files, tmp_path,
                                                           monkeypatch):
    server = serve_files({TEST_LABELS: shared_mnist / TEST_LABELS})
    monkeypatch.setenv("COURSE_LIB_MNIST_MIRRORS", f"{closed_loopback_url()}, {server.url}")
    monkeypatch.setenv("COURSE_LIB_DATA", str(tmp_path / "env-data"))
    path = download_mnist_file(TEST_LABELS, progress=False)
    assert path == tmp_path / "env-data" / "mnist" / TEST_LABELS
    assert server.requests == [TEST_LABELS]


def test_mirrors_are_tried_in_order_until_one_works(shared_mnist, serve_files, cache):
    empty = serve_files({})  # answers 404
    good = serve_files({TEST_LABELS: shared_mnist / TEST_LABELS})
    download_mnist_file(TEST_LABELS, cache_dir=cache, progress=False,
                        mirrors=[closed_loopback_url(), empty.url, good.url])
    assert empty.requests == [TEST_LABELS] and good.requests == [TEST_LABELS]
    assert files_in(cache) == [TEST_LABELS]


def test_a_wrong_checksum_rejects_the_file(shared_mnist, serve_files, cache):
    server = serve_files({TEST_LABELS: shared_mnist / TEST_LABELS})
    wrong = "0" * 64
    with pytest.raises(MnistDownloadError) as info:
        download_mnist_file(TEST_LABELS, cache_dir=cache, mirrors=[server.url], sha256=wrong,
                            progress=False)
    message = str(info.value)
    assert f"{server.url}{TEST_LABELS}: checksum mismatch" in message
    assert wrong in message and MNIST_FILES[TEST_LABELS] in message  # expected and got
    assert "What to do" in message and str(cache) in message
    assert files_in(cache) == []  # no rejected or temporary file left behind


def test_a_connection_cut_halfway_leaves_no_partial_file(shared_mnist, serve_files, cache):
    size = (shared_mnist / TEST_IMAGES).stat().st_size
    server = serve_files({TEST_IMAGES: shared_mnist / TEST_IMAGES},
                         cut_after={TEST_IMAGES: size // 2})
    with pytest.raises(MnistDownloadError,
                       match=rf"{TEST_IMAGES}.*connection cut: "
                             rf"received {size // 2} of {size} bytes"):
        download_mnist_file(TEST_IMAGES, cache_dir=cache, mirrors=[server.url], progress=False)
    assert files_in(cache) == []


def test_a_silent_server_times_out(cache):
    """A socket that accepts connections but never answers, like a mirror that hangs."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        with pytest.raises(MnistDownloadError, match=r"no data for 0.2 seconds, gave up"):
            download_mnist_file(TEST_LABELS, cache_dir=cache, mirrors=[url], timeout=0.2,
                                progress=False)
    assert files_in(cache) == []


def test_a_cut_mirror_is_followed_by_the_next(shared_mnist, serve_files, cache):
    files = {TEST_LABELS: shared_mnist / TEST_LABELS}
    cut = serve_files(files, cut_after={TEST_LABELS: 100})
    good = serve_files(files)
    path = download_mnist_file(TEST_LABELS, cache_dir=cache, mirrors=[cut.url, good.url],
                               progress=False)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == MNIST_FILES[TEST_LABELS]
    assert files_in(cache) == [TEST_LABELS]


def test_a_corrupt_cached_file_is_downloaded_again(shared_mnist, serve_files, cache):
    cache.mkdir()
    (cache / TEST_LABELS).write_bytes(b"not mnist")
    server = serve_files({TEST_LABELS: shared_mnist / TEST_LABELS})
    path = download_mnist_file(TEST_LABELS, cache_dir=cache, mirrors=[server.url], progress=False)
    assert path.read_bytes() == (shared_mnist / TEST_LABELS).read_bytes()


def test_an_unknown_file_name_is_rejected():
    with pytest.raises(ValueError, match="filename: unknown name 'mnist.zip'; expected one of"):
        download_mnist_file("mnist.zip")


# ---------------------------------------------------------------------------------------------
# load_mnist
# ---------------------------------------------------------------------------------------------

@pytest.fixture
def mnist_mirror(shared_mnist, serve_files):
    """A loopback mirror serving the real test set also under the training-set names (the real
    training images are not available), with the matching checksum table."""
    server = serve_files({TRAIN_IMAGES: shared_mnist / TEST_IMAGES,
                          TRAIN_LABELS: shared_mnist / TEST_LABELS,
                          TEST_IMAGES: shared_mnist / TEST_IMAGES,
                          TEST_LABELS: shared_mnist / TEST_LABELS})
    checksums = dict(MNIST_FILES)
    checksums[TRAIN_IMAGES] = MNIST_FILES[TEST_IMAGES]
    checksums[TRAIN_LABELS] = MNIST_FILES[TEST_LABELS]
    return server, checksums


def test_load_mnist_downloads_and_prepares_the_arrays(mnist_mirror, shared_mnist, cache):
    server, checksums = mnist_mirror
    (x_train, t_train), (x_test, t_test) = load_mnist(
        cache_dir=cache, mirrors=[server.url], checksums=checksums, allow_fallback=False,
        progress=False)
    assert sorted(server.requests) == sorted(MNIST_FILES)
    assert files_in(cache) == sorted(MNIST_FILES)
    assert x_train.shape == x_test.shape == (10000, 784)
    assert x_test.dtype == np.float32 and 0 <= x_test.min() and x_test.max() == 1
    assert t_test.dtype == np.int64 and np.bincount(t_test).tolist() == TEST_LABEL_COUNTS
    pixels = read_idx(shared_mnist / TEST_IMAGES)
    np.testing.assert_allclose(x_test[123].reshape(28, 28), pixels[123] / 255, rtol=1e-6)


def test_load_mnist_uses_the_cache_when_the_server_is_gone(mnist_mirror, cache):
    server, checksums = mnist_mirror
    first = load_mnist(cache_dir=cache, mirrors=[server.url], checksums=checksums,
                       allow_fallback=False, progress=False)
    server.stop()
    second = load_mnist(cache_dir=cache, mirrors=[server.url], checksums=checksums,
                        allow_fallback=False, progress=False)
    assert_same_splits(first, second)


def test_load_mnist_shapes_options(mnist_mirror, cache):
    server, checksums = mnist_mirror
    options = dict(cache_dir=cache, mirrors=[server.url], checksums=checksums, progress=False)
    (x, t), _ = load_mnist(flatten=False, one_hot=True, dtype=np.float64, **options)
    assert x.shape == (10000, 1, 28, 28) and x.dtype == np.float64
    assert t.shape == (10000, 10) and (t.sum(axis=1) == 1).all()
    (x_raw, t_idx), _ = load_mnist(normalize=False, **options)
    assert x_raw.max() == 255 and x_raw.dtype == np.float32
    np.testing.assert_array_equal(t.argmax(axis=1), t_idx)
    with pytest.raises(ValueError, match="dtype: expected a float dtype.*got int32"):
        load_mnist(dtype=np.int32, **options)


def test_load_mnist_rejects_files_that_do_not_fit_together(shared_mnist, serve_files, cache):
    """60,000 real training labels next to 10,000 images: a clear error, not a silent mix-up."""
    server = serve_files({TRAIN_IMAGES: shared_mnist / TEST_IMAGES,
                          TRAIN_LABELS: shared_mnist / TRAIN_LABELS,
                          TEST_IMAGES: shared_mnist / TEST_IMAGES,
                          TEST_LABELS: shared_mnist / TEST_LABELS})
    checksums = dict(MNIST_FILES, **{TRAIN_IMAGES: MNIST_FILES[TEST_IMAGES]})
    with pytest.raises(ValueError, match=r"train files do not fit together: images "
                                         r"\(10000, 28, 28\), labels \(60000,\)"):
        load_mnist(cache_dir=cache, mirrors=[server.url], checksums=checksums, progress=False)


def test_load_mnist_rejects_an_incomplete_checksum_table():
    with pytest.raises(ValueError, match="checksums: expected the file names"):
        load_mnist(checksums={TEST_LABELS: MNIST_FILES[TEST_LABELS]})


def test_load_mnist_without_a_server_raises_a_clear_error(cache):
    url = closed_loopback_url()
    with pytest.raises(MnistDownloadError) as info:
        load_mnist(cache_dir=cache, mirrors=[url], allow_fallback=False, progress=False)
    message = str(info.value)
    assert f"{url}{TRAIN_IMAGES}: cannot connect" in message and "refused" in message
    assert "COURSE_LIB_MNIST_MIRRORS" in message
    assert files_in(cache) == []


def test_load_mnist_falls_back_to_real_digits_with_a_warning(cache):
    with pytest.warns(MnistFallbackWarning, match=r"could not be downloaded.*shipped with the course.*"
                                                  r"4,000.*1,000.*run load_mnist\(\) again"):
        (x_train, t_train), (x_test, t_test) = load_mnist(cache_dir=cache, progress=False)
    assert x_train.shape == (4000, 784) and x_test.shape == (1000, 784)
    assert x_train.dtype == np.float32 and x_train.min() == 0 and x_train.max() == 1
    assert np.bincount(t_train).tolist() == [400] * 10
    assert np.bincount(t_test).tolist() == [100] * 10
    assert not (np.diff(t_train) >= 0).all()  # shuffled, not sorted by class
    train_rows = {row.tobytes() for row in x_train}
    test_rows = {row.tobytes() for row in x_test}
    assert len(train_rows) == 4000 and len(test_rows) == 1000 and not train_rows & test_rows
    assert files_in(cache) == []


def test_the_fallback_split_is_the_same_every_time(cache):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MnistFallbackWarning)
        first = load_mnist(cache_dir=cache, progress=False, flatten=False)
        second = load_mnist(cache_dir=cache, progress=False, flatten=False)
    assert first[0][0].shape == (4000, 1, 28, 28)
    assert_same_splits(first, second)


def test_the_shipped_digits_are_checked_before_use(tmp_path, monkeypatch):
    """A damaged or missing file of the offline digits is named, not read as digits."""
    from course_lib.data import mnist
    copy = tmp_path / "digits"
    copy.mkdir()
    for name in mnist.FALLBACK_FILES:
        (copy / name).write_bytes((mnist.FALLBACK_DIR / name).read_bytes())
    monkeypatch.setattr(mnist, "FALLBACK_DIR", copy)
    assert len(load_mnist_fallback()[0][0]) == 4000  # the copy itself is fine
    labels = copy / "mnist-5k-labels-idx1-ubyte.gz"
    damaged = bytearray(labels.read_bytes())
    damaged[100] ^= 0xFF
    labels.write_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="labels-idx1-ubyte.gz: not the file the course ships"):
        load_mnist_fallback()
    labels.unlink()
    with pytest.raises(ValueError, match="offline MNIST digits are missing.*reinstall"):
        load_mnist_fallback()


def test_the_shipped_digits_are_500_real_test_digits_per_class(shared_mnist):
    """They are the digits scripts/make_mnist_subset.py picks from the real MNIST test set."""
    from course_lib.data import mnist
    images = read_idx(mnist.FALLBACK_DIR / "mnist-5k-images-idx3-ubyte.gz")
    labels = read_idx(mnist.FALLBACK_DIR / "mnist-5k-labels-idx1-ubyte.gz")
    assert images.shape == (5000, 28, 28) and np.bincount(labels).tolist() == [500] * 10
    test_images = read_idx(shared_mnist / TEST_IMAGES)
    test_labels = read_idx(shared_mnist / TEST_LABELS)
    first_sevens = np.flatnonzero(test_labels[:5000] == 7)[:250]
    np.testing.assert_array_equal(images[labels == 7][:250], test_images[first_sevens])


# ---------------------------------------------------------------------------------------------
# Toy data sets
# ---------------------------------------------------------------------------------------------

TOY_MAKERS = [data.make_spirals, data.make_xor, data.make_circles, data.make_moons]


@pytest.mark.parametrize("make", TOY_MAKERS)
def test_toy_sets_have_balanced_labelled_points(make):
    x, t = make(n_samples=101, noise=0.1, seed=3)
    assert x.shape == (101, 2) and x.dtype == np.float32
    assert t.shape == (101,) and t.dtype == np.int64
    assert sorted(np.bincount(t).tolist()) == [50, 51]
    assert not (np.diff(t) >= 0).all()  # shuffled


@pytest.mark.parametrize("make", TOY_MAKERS)
def test_toy_sets_are_reproducible_from_the_seed(make):
    x1, t1 = make(seed=7)
    x2, t2 = make(seed=7)
    x3, _ = make(seed=8)
    np.testing.assert_array_equal(x1, x2)
    np.testing.assert_array_equal(t1, t2)
    assert not np.array_equal(x1, x3)


@pytest.mark.parametrize("make", TOY_MAKERS)
def test_toy_sets_reject_bad_arguments(make):
    with pytest.raises(ValueError, match="n_samples: expected an integer >= 2, got 1"):
        make(n_samples=1)
    with pytest.raises(ValueError, match="noise: expected a finite number >= 0, got -0.1"):
        make(noise=-0.1)


def test_xor_labels_follow_the_signs_without_noise():
    x, t = data.make_xor(n_samples=400, noise=0.0, dtype=np.float64)
    np.testing.assert_array_equal(t, (x[:, 0] * x[:, 1] < 0).astype(np.int64))
    assert np.abs(x).max() <= 1


def test_circles_lie_on_their_radii_without_noise():
    x, t = data.make_circles(n_samples=200, noise=0.0, factor=0.3, dtype=np.float64)
    radius = np.hypot(x[:, 0], x[:, 1])
    np.testing.assert_allclose(radius[t == 0], 1.0)
    np.testing.assert_allclose(radius[t == 1], 0.3)


def test_moons_lie_on_their_half_circles_without_noise():
    x, t = data.make_moons(n_samples=200, noise=0.0, dtype=np.float64)
    upper, lower = x[t == 0], x[t == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert (upper[:, 1] >= 0).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5).all()


def test_spiral_arms_are_rotations_of_each_other_without_noise():
    x, t = data.make_spirals(n_samples=300, noise=0.0, n_classes=3, dtype=np.float64)
    turn = 2 * np.pi / 3
    rotate = np.array([[np.cos(turn), -np.sin(turn)], [np.sin(turn), np.cos(turn)]])
    arms = [x[t == k][np.argsort(np.hypot(*x[t == k].T))] for k in range(3)]
    np.testing.assert_allclose(arms[0] @ rotate.T, arms[1], atol=1e-12)
    np.testing.assert_allclose(arms[1] @ rotate.T, arms[2], atol=1e-12)
    assert np.hypot(*x.T).max() == pytest.approx(1.0)


def test_load_toy_dispatches_by_name_and_lists_valid_names():
    np.testing.assert_array_equal(data.load_toy("moons", n_samples=50, seed=1)[0],
                                  data.make_moons(n_samples=50, seed=1)[0])
    with pytest.raises(ValueError, match="name: unknown name 'swirl'; expected one of "
                                         "circles, moons, spirals, xor"):
        data.load_toy("swirl")


def test_linear_regression_data_follow_the_line():
    x, y = data.make_linear_regression(n_samples=50, slope=-1.5, intercept=4.0, noise=0.0)
    assert x.shape == y.shape == (50,) and y.dtype == np.float32
    np.testing.assert_allclose(y, -1.5 * x + 4.0, rtol=1e-6)
    assert -2 <= x.min() and x.max() <= 2
    x, y = data.make_linear_regression(n_samples=5000, slope=3.0, intercept=-1.0, noise=0.5,
                                       seed=2, dtype=np.float64)
    slope, intercept = np.polyfit(x, y, 1)
    assert slope == pytest.approx(3.0, abs=0.05) and intercept == pytest.approx(-1.0, abs=0.05)
    assert np.std(y - (3.0 * x - 1.0)) == pytest.approx(0.5, rel=0.05)


def test_linear_regression_rejects_an_empty_range():
    with pytest.raises(ValueError, match=r"x_range: expected \(low, high\) with low < high"):
        data.make_linear_regression(x_range=(1, 1))


# ---------------------------------------------------------------------------------------------
# Splits and mini-batches
# ---------------------------------------------------------------------------------------------

def indexed_data(n, dtype=np.float32):
    """x row i holds (i, -i) and t[i] = i, so every sample can be traced."""
    x = np.column_stack([np.arange(n), -np.arange(n)]).astype(dtype)
    return x, np.arange(n)


def test_split_sizes_cover_every_sample_once():
    x, t = indexed_data(103)
    (x_tr, t_tr), (x_va, t_va), (x_te, t_te) = train_val_test_split(x, t, 0.2, 0.1, seed=0)
    assert (len(t_tr), len(t_va), len(t_te)) == (72, 21, 10)
    assert sorted(np.concatenate([t_tr, t_va, t_te]).tolist()) == list(range(103))
    for xs, ts in [(x_tr, t_tr), (x_va, t_va), (x_te, t_te)]:
        np.testing.assert_array_equal(xs[:, 0], ts)  # rows stay with their labels
        assert xs.dtype == np.float32
    assert not (np.diff(t_tr) > 0).all()  # shuffled


def test_split_is_reproducible_from_the_seed():
    x, t = indexed_data(50)
    a = train_val_test_split(x, t, seed=4)
    b = train_val_test_split(x, t, seed=4)
    c = train_val_test_split(x, t, seed=5)
    np.testing.assert_array_equal(a[2][1], b[2][1])
    assert not np.array_equal(a[0][1], c[0][1])


def test_split_allows_an_empty_validation_set_and_keeps_one_hot_labels():
    x, _ = indexed_data(20)
    t = np.eye(4)[np.arange(20) % 4]
    (x_tr, t_tr), (x_va, t_va), (x_te, t_te) = train_val_test_split(x, t, 0.0, 0.25)
    assert x_va.shape == (0, 2) and t_va.shape == (0, 4)
    assert t_tr.shape == (15, 4) and t_te.shape == (5, 4)


@pytest.mark.parametrize("kwargs, message", [
    (dict(val_fraction=0.5, test_fraction=0.5), "expected a sum below 1"),
    (dict(val_fraction=-0.1), "val_fraction: expected a finite number >= 0"),
    (dict(test_fraction="a lot"), "test_fraction: expected a number"),
])
def test_split_rejects_bad_fractions(kwargs, message):
    x, t = indexed_data(10)
    with pytest.raises((ValueError, TypeError), match=message):
        train_val_test_split(x, t, **kwargs)


def test_split_and_minibatches_reject_x_and_t_of_different_lengths():
    x, t = indexed_data(10)
    with pytest.raises(ValueError,
                       match="x and t: expected the same number of samples, got 10 and 9"):
        train_val_test_split(x, t[:9])
    with pytest.raises(ValueError, match="got 10 and 9"):
        minibatches(x, t[:9], batch_size=4)  # at the call, before the first batch


def test_minibatches_cover_an_epoch_with_a_partial_last_batch():
    x, t = indexed_data(100)
    batches = list(minibatches(x, t, batch_size=32, seed=0))
    assert [len(tb) for _, tb in batches] == [32, 32, 32, 4]
    seen = np.concatenate([tb for _, tb in batches])
    assert sorted(seen.tolist()) == list(range(100)) and not (np.diff(seen) > 0).all()
    for xb, tb in batches:
        np.testing.assert_array_equal(xb[:, 0], tb)
        assert xb.dtype == np.float32 and xb.shape[1:] == (2,)


def test_minibatches_drop_last_and_keep_order_without_shuffle():
    x, t = indexed_data(10)
    batches = [tb.tolist() for _, tb in minibatches(x, t, 4, shuffle=False, drop_last=True)]
    assert batches == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert [len(tb) for _, tb in minibatches(x, t, 20)] == [10]
    assert list(minibatches(x, t, 20, drop_last=True)) == []


def test_minibatch_order_follows_the_seed():
    x, t = indexed_data(100)

    def order(seed):
        return np.concatenate([tb for _, tb in minibatches(x, t, 10, seed=seed)])

    np.testing.assert_array_equal(order(1), order(1))
    assert not np.array_equal(order(1), order(2))
    assert not np.array_equal(order(None), order(None))  # a fresh order each epoch


@pytest.mark.parametrize("batch_size", [0, 2.5, True])
def test_minibatches_reject_a_bad_batch_size(batch_size):
    x, t = indexed_data(10)
    with pytest.raises(ValueError, match=f"batch_size: expected an integer >= 1, got {batch_size}"):
        minibatches(x, t, batch_size)
