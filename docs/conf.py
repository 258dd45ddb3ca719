"""Sphinx configuration for the tensorlite documentation.

Build offline, warning-free: ``sphinx-build -W --keep-going -b html docs docs/_build/html``.
Nothing here fetches from the network (no intersphinx).
"""
from __future__ import annotations

import os
import sys

# Document the tensorlite next to this folder (the checkout), installed or not.
sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))

import tensorlite  # noqa: E402

project = "tensorlite"
author = "the tensorlite authors"
copyright = "tensorlite authors, MIT licence"
version = release = tensorlite.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",  # renders :math: in the browser; the build itself fetches nothing
    "numpydoc",
]

exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
templates_path: list[str] = []
root_doc = "index"
default_role = "code"  # a bare `x` in a docstring is inline code, not a dangling cross-reference

# Every cross-reference (:func:`...`, :class:`...`) must resolve: with -W a broken one fails the
# build. Without intersphinx, names from other projects cannot resolve; they are listed here.
nitpicky = True
nitpick_ignore = [
    ("py:class", "graphviz.Digraph"),
    ("py:class", "graphviz.ExecutableNotFound"),
]

# -- autodoc -----------------------------------------------------------------------------------
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc Parameters sections already give the types
autoclass_content = "class"  # the class docstring documents the constructor (numpydoc style)

# -- numpydoc ----------------------------------------------------------------------------------
numpydoc_show_class_members = False  # the API pages list members with autodoc's :members:
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_use_plots = False

# -- HTML --------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"tensorlite {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
