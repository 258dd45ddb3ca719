"""glibc's malloc tuned for training loops: freed blocks kept for reuse (Linux with glibc only).

Imported once by ``import tensorlite``; ``TENSORLITE_MALLOC=default`` in the environment (or any
``MALLOC_*_`` setting of the user's own) leaves malloc alone.
"""
from __future__ import annotations

import ctypes
import os
import sys


def _keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed memory for reuse instead of handing it back to the OS.

    A training step allocates and frees the same large arrays (im2col matrices, gate and
    gradient buffers: tens of MB) every iteration. By default glibc serves blocks above a moving
    threshold (at most 32 MB) with fresh pages and trims the heap once more than twice that
    threshold lies free at its top, which happens at the end of every step: the next step then
    faults every page in again and the kernel zeroes it. Measured on the benchmark CNN at batch
    250 this costs a third of the step. With the thresholds set, blocks up to 32 MB come from the
    heap and up to 256 MB of free heap is kept. Linux with glibc only; ``TENSORLITE_MALLOC=default``
    in the environment (or any ``MALLOC_*_`` setting of the user's own) leaves malloc alone.
    """
    if not sys.platform.startswith("linux") or os.environ.get("TENSORLITE_MALLOC") == "default":
        return False
    if any(k in os.environ for k in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")):
        return False
    return set_malloc_thresholds(mmap=32 << 20, trim=256 << 20)


def set_malloc_thresholds(mmap: int, trim: int) -> bool:
    """Set glibc's ``M_MMAP_THRESHOLD`` and ``M_TRIM_THRESHOLD`` (bytes) with ``mallopt``.

    Returns False where there is no glibc (the process keeps its platform's defaults).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        m_trim_threshold, m_mmap_threshold = -1, -3
        return bool(libc.mallopt(m_mmap_threshold, mmap) and libc.mallopt(m_trim_threshold, trim))
    except (OSError, AttributeError):
        return False


malloc_tuned = _keep_freed_memory()
"""Whether importing tensorlite set glibc's malloc thresholds (see ``_keep_freed_memory``)."""

__all__ = ["set_malloc_thresholds", "malloc_tuned"]
