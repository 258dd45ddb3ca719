"""Fixtures for the doctests in tensorlite/ and docs/ (tests/conftest.py serves tests/)."""
from __future__ import annotations

import tempfile
from typing import Any, Iterator

import pytest


@pytest.fixture(autouse=True)
def _doctest_temporary_folders(request: Any, monkeypatch: Any) -> Iterator[None]:
    """Examples make their scratch folders with ``tempfile.mkdtemp()``: during a doctest those are
    made inside one temporary folder, removed with everything in it when the doctest ends."""
    if type(request.node).__name__ != "DoctestItem":
        yield
        return
    with tempfile.TemporaryDirectory(prefix="tensorlite-doctest-") as folder:
        monkeypatch.setattr(tempfile, "tempdir", folder)
        yield
