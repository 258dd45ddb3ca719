"""``save``/``load``: a dict of named arrays as an ``.npz`` file; nothing is ever pickled.

``save`` writes a temporary file beside the target, flushes it to disk and renames it over the
target, so a crash or a kill half way leaves the previous file intact. ``load`` reads the zip
archive member by member with ``allow_pickle=False`` and refuses, with a ``ValueError`` naming
the file and the entry, anything that is not a plain numeric (or string) array.
"""
from __future__ import annotations

import errno
import math
import os
import secrets
import stat
import zipfile
import zlib
from typing import Any, Mapping

from tensorlite.backend import xp
from tensorlite.tensor import Tensor

_npy = xp.lib.format
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a zip archive with members / an empty one
_BROKEN = (ValueError, OSError, EOFError, zipfile.BadZipFile, zlib.error)
_MAX_NAME = 0xFFFF  # a zip member name's length field holds 16 bits (bytes of UTF-8)


def _member_name(key: str) -> str:
    """The archive member that holds entry ``key``; ValueError when ``load`` could not give ``key`` back."""
    name = key + ".npy"
    why = None
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError as e:
        why = f"it cannot be encoded as UTF-8 ({e.reason} at position {e.start})"
    else:
        if "\x00" in key:
            why = f"it holds a NUL character (at position {key.index(chr(0))}), where a zip member name ends"
        elif zipfile.ZipInfo(name).filename != name:
            why = f"the zip format stores it as {zipfile.ZipInfo(name).filename[:-4]!r}"
        elif size > _MAX_NAME:
            why = f"it is {size - 4} bytes long in UTF-8, and the zip format allows at most {_MAX_NAME - 4}"
    if why is not None:
        shown = key if len(key) <= 60 else key[:40] + f"...({len(key)} characters)"
        raise ValueError(f"save: key {shown!r} cannot be saved: {why}; nothing was written")
    return name


def _temporary_beside(path: str) -> tuple[int, str]:
    """Create ``.<name>.<random>.tmp`` in the folder of ``path``; return its descriptor and path.

    Opened with mode 0o666 so the process umask applies, as for a file made with ``open``;
    when ``path`` exists, its permission bits are copied instead (a 0600 file stays 0600).
    """
    folder, name = os.path.split(os.path.abspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:  # pragma: no cover - 2**-32 chance
            continue
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            return fd, tmp
        try:
            if hasattr(os, "fchmod"):
                os.fchmod(fd, mode)
            else:  # pragma: no cover - Windows
                os.chmod(tmp, mode)
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
        return fd, tmp


def _sync_folder(folder: str) -> None:
    """Flush a folder's entries (the rename) to disk; a no-op where folders cannot be opened."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save(state_dict: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write named arrays (or tensors) to ``path`` as ``.npz``, atomically.

    The arrays go to a temporary file ``.<name>.<random>.tmp`` beside ``path``, which is flushed
    to disk (``fsync``) and renamed over ``path``; the folder is then flushed too, so the rename
    itself survives a power cut. A save that fails or is interrupted leaves any previous file at
    ``path`` intact. An existing file keeps its permission bits, and a ``path`` that is a
    symbolic link keeps being one: the file it points to is replaced, as ``torch.save`` writes
    through a link. Every key is checked before anything is written: one that the zip format
    cannot store as given (a NUL character, more than 65531 bytes of UTF-8, a lone surrogate) is
    refused, so a failed save never replaces a good file. A failed save removes its temporary
    file; a process killed mid-save (SIGKILL, power loss) cannot, and ``save`` does not remove
    such leftovers later, since it cannot tell them from another process's save in progress:
    they are safe to delete. ``path`` is used as given (no suffix is added).

    Parameters
    ----------
    state_dict : Mapping of str to Tensor or array_like
        The named arrays, e.g. ``model.state_dict()``; tensors are saved as their ``.data``.
    path : str or os.PathLike
        The file to write.

    Raises
    ------
    TypeError
        for a key that is not a string, or an entry holding Python objects.
    ValueError
        for a key that could not be read back as given (see above), or an entry that is not an
        array.
    FileNotFoundError
        when the folder of ``path`` does not exist.

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
        _member_name(key)
        try:
            arr = value.data if isinstance(value, Tensor) else xp.asarray(value)
        except ValueError as e:
            raise ValueError(f"save: entry {key!r} is not an array: {e}") from None
        if arr.dtype.hasobject:
            raise TypeError(f"save: entry {key!r} holds Python objects (dtype {arr.dtype}); "
                            "only numeric arrays can be saved")
        arrays[key] = arr
    path = os.fspath(path)
    if os.path.islink(path):  # write the file the link points to, and keep the link
        path = os.path.realpath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: the folder {folder!r} of {path!r} does not exist")
    fd, tmp = _temporary_beside(path)
    try:
        with os.fdopen(fd, "wb") as f:
            with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                for key, arr in arrays.items():  # the .npz layout: one .npy file per key
                    with archive.open(_member_name(key), "w", force_zip64=True) as member:
                        _npy.write_array(member, xp.asanyarray(arr), allow_pickle=False)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _sync_folder(folder)


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a file written by :func:`save` (or ``np.savez``) into a dict of ndarrays.

    Nothing is ever unpickled: every entry is read with ``allow_pickle=False``, and an entry whose
    header declares Python objects is refused before its data is read.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.npz`` file to read.

    Returns
    -------
    dict of str to ndarray
        One entry per array in the file, in the file's order.

    Raises
    ------
    FileNotFoundError
        when ``path`` does not exist.
    IsADirectoryError
        when ``path`` is a folder.
    ValueError
        naming the file (and the entry, where one is at fault) when the file is not an ``.npz``
        archive (a text file, an empty file, a single ``.npy``, a pickle), is truncated or
        corrupt, or holds object arrays or members that are not ``.npy`` arrays.

    Examples
    --------
    >>> import os, tempfile, numpy as np, tensorlite as tl
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
    >>> tl.save({"b": np.arange(3)}, path)
    >>> tl.load(path)["b"]
    array([0, 1, 2])
    """
    path = os.fspath(path)

    def refuse(why: str) -> ValueError:
        return ValueError(f"load: {path!r} is not a valid tensorlite checkpoint: {why}")

    if os.path.isdir(path):
        raise IsADirectoryError(errno.EISDIR, "load: expected a checkpoint file, got a folder", path)
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, "load: no such checkpoint file", path) from None
    with f:
        head = f.read(6)
        if head == b"\x93NUMPY":
            raise refuse("it holds a single .npy array (written by np.save), not an .npz archive of "
                         "named arrays (written by tl.save)")
        if head[:4] not in _ZIP_MAGIC:
            if not head:
                raise refuse("the file is empty")
            if len(head) < 4 and _ZIP_MAGIC[0].startswith(head):
                raise refuse(f"the archive is truncated (the file holds {len(head)} bytes)")
            raise refuse(f"it is not an .npz (zip) archive: it starts with {head!r}")
        f.seek(0)
        try:
            archive = zipfile.ZipFile(f)
        except _BROKEN as e:
            raise refuse(f"the archive is truncated or corrupt ({e})") from None
        with archive:
            out: dict[str, Any] = {}
            for info in archive.infolist():
                if not info.filename.endswith(".npy"):
                    raise refuse(f"member {info.filename!r} is not a .npy array")
                key = info.filename[:-len(".npy")]
                if key in out:
                    raise refuse(f"entry {key!r} appears twice")
                out[key] = _read_entry(archive, info, key, refuse)
            return out


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, refuse: Any) -> Any:
    """One ``.npy`` member as an ndarray, checking its header before reading any data."""
    problem = None
    try:
        with archive.open(info) as member:
            version = _npy.read_magic(member)
            if version in ((1, 0), (2, 0)):  # what np.save writes (read_array checks any other)
                read_header = _npy.read_array_header_1_0 if version == (1, 0) else _npy.read_array_header_2_0
                shape, _, dtype = read_header(member)
                nbytes = math.prod(shape) * dtype.itemsize
                if dtype.hasobject:
                    problem = (f"holds Python objects (dtype {dtype}), which would need unpickling; "
                               "tensorlite never unpickles")
                elif nbytes > info.file_size:
                    problem = (f"declares shape {shape} and dtype {dtype} ({nbytes} bytes) but holds "
                               f"{info.file_size} bytes")
            if problem is None:
                member.seek(0)
                arr = _npy.read_array(member, allow_pickle=False)  # refuses pickles itself, too
                member.read()  # read to the end, so the zip's CRC-32 of the entry is checked
    except _BROKEN as e:
        raise refuse(f"entry {key!r} is corrupt or unreadable ({e})") from None
    if problem is not None:
        raise refuse(f"entry {key!r} {problem}")
    return arr
