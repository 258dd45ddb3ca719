"""The older library's constants: ``SAVE_DIR`` (results and checkpoints) and ``DATA_DIR``.

Both are relative to the working directory, as they were. ``get_loaders`` reads MNIST from
tensorlite's cache (``$TENSORLITE_DATA`` or ``~/.cache/tensorlite``), not from ``DATA_DIR``.

Examples
--------
>>> from tensorlite.legacy.utils.constants import SAVE_DIR
>>> SAVE_DIR
'./results'
"""
from __future__ import annotations

__all__ = ["SAVE_DIR", "DATA_DIR"]

SAVE_DIR = "./results"
DATA_DIR = "./data"
