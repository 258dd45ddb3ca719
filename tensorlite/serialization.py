"""``save``/``load``: a dict of named arrays as an ``.npz`` file; nothing is ever pickled."""
from __future__ import annotations

import os
import tempfile
import zipfile
from typing import Any, Mapping

from tensorlite.backend import xp
from tensorlite.tensor import Tensor


def save(state_dict: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write named arrays (or tensors) to ``path`` as ``.npz``, atomically.

    The file is written to a temporary file beside ``path``, flushed to disk and renamed over
    ``path``, so an interrupted save leaves any previous file intact. ``path`` is used as given
    (no suffix is added).

    Examples
    --------
    >>> import os, tempfile, tensorlite as tl
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
    >>> tl.save({"w": tl.ones(2, 2), "step": 3}, path)
    >>> sorted(tl.load(path))
    ['step', 'w']
    """
    arrays = {}
    for key, value in state_dict.items():
        if not isinstance(key, str):
            raise TypeError(f"save: keys must be strings, got {key!r}")
        try:
            arr = value.data if isinstance(value, Tensor) else xp.asarray(value)
        except ValueError as e:
            raise ValueError(f"save: entry {key!r} is not an array: {e}") from None
        if arr.dtype.hasobject:
            raise TypeError(f"save: entry {key!r} holds Python objects (dtype {arr.dtype}); "
                            "only numeric arrays can be saved")
        arrays[key] = arr
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: the folder {folder!r} of {path!r} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                for key, arr in arrays.items():  # the .npz layout: one .npy file per key
                    with archive.open(key + ".npy", "w", force_zip64=True) as member:
                        xp.lib.format.write_array(member, xp.asanyarray(arr), allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a file written by :func:`save` into a dict of ndarrays, refusing pickled data.

    Raises
    ------
    ValueError
        when the file is not a readable ``.npz`` archive or holds object arrays.

    Examples
    --------
    >>> import os, tempfile, numpy as np, tensorlite as tl
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
    >>> tl.save({"b": np.arange(3)}, path)
    >>> tl.load(path)["b"]
    array([0, 1, 2])
    """
    path = os.fspath(path)
    bad = (ValueError, OSError, EOFError, zipfile.BadZipFile)
    with open(path, "rb") as f:  # FileNotFoundError passes through as it is
        try:
            archive = xp.load(f, allow_pickle=False)
        except bad as e:
            raise ValueError(f"load: {path!r} is not a valid tensorlite checkpoint (.npz without "
                             f"pickled objects): {e}") from None
        if not isinstance(archive, xp.lib.npyio.NpzFile):
            raise ValueError(f"load: {path!r} holds a single .npy array, not a .npz checkpoint")
        with archive:
            try:
                return {key: archive[key] for key in archive.files}
            except bad as e:
                raise ValueError(f"load: {path!r} is not a valid tensorlite checkpoint (.npz "
                                 f"without pickled objects): {e}") from None
