"""In-place writes: a version counter per array memory.

Every write the library makes into an existing array (the in-place Tensor methods, optimizer
steps, nn.init, load_state_dict, BatchNorm's running statistics) calls ``mark_dirty``, which bumps
the version of the memory written -- the ndarray that owns it, so views share one counter -- and
notes when (a number from the same sequence that orders tape entries). The reverse walk checks
an entry's saved arrays only when some write happened after the entry was recorded; in a
training loop (step, then forward, then backward) that is one integer comparison per entry.
"""
from __future__ import annotations

import functools
import weakref
from typing import Any

from tensorlite.autograd import function
from tensorlite.autograd.function import Op, module_path
from tensorlite.backend import is_array

__all__ = ["mark_dirty", "version_of"]

_versions: dict[int, list[Any]] = {}  # id(owner) -> [weakref to owner, version, seq of last write, by]
_last_write = -1  # the sequence number of the latest mark_dirty


def _owner(array: Any) -> Any:
    """The ndarray that owns ``array``'s memory (itself, or the base of a view)."""
    while is_array(array.base):
        array = array.base
    return array


def _forget(key: int, ref: Any) -> None:
    entry = _versions.get(key)
    if entry is not None and entry[0] is ref:
        del _versions[key]


def mark_dirty(array: Any, by: str) -> None:
    """Record that ``array``'s memory was written in place (``by`` names the writer, for errors).

    Call it after writing into an array that a tape entry may have saved: the reverse walk then
    refuses to use an entry that saved this memory before the write.
    """
    global _last_write
    owner = _owner(array)
    key = id(owner)
    entry = _versions.get(key)
    if entry is None or entry[0]() is not owner:
        entry = _versions[key] = [weakref.ref(owner, functools.partial(_forget, key)), 0, 0, by]
    _last_write = next(function._sequence)
    entry[1] += 1
    entry[2] = _last_write
    entry[3] = by


def version_of(array: Any) -> int:
    """How many times the library has written into ``array``'s memory in place (0 if never)."""
    owner = _owner(array)
    entry = _versions.get(id(owner))
    return entry[1] if entry is not None and entry[0]() is owner else 0


def check_versions(op: Op) -> None:
    """Raise if memory that ``op`` saved for backward was written in place after ``op`` was recorded."""
    for saved in op.saved or ():
        for array in (saved if isinstance(saved, (tuple, list)) else (saved,)):
            if not is_array(array):
                continue
            owner = _owner(array)
            entry = _versions.get(id(owner))
            if entry is not None and entry[2] > op.seq and entry[0]() is owner:
                where = f" (recorded in {module_path(op.module)})" if op.module is not None else ""
                raise RuntimeError(
                    f"backward: {op.name} (entry #{op.seq}, output shape {op.shape}){where} saved an "
                    f"array of shape {array.shape} for its backward rule, and that memory was modified "
                    f"in place (by {entry[3]}) after {op.name} was recorded (it is now at version "
                    f"{entry[1]}), so the gradient would be wrong. Modify it only after backward() "
                    "(e.g. call optimizer.step() after loss.backward()), or compute on a copy "
                    "(y = x * 1, or an out-of-place op such as x = x + 1 instead of x.add_(1))."
                )
