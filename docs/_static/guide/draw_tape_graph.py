"""Draw the small graph shown in docs/guide/tape.rst with tl.viz.

Run from the repository root (needs the Graphviz ``dot`` program)::

    python docs/_static/guide/draw_tape_graph.py

Writes ``docs/_static/guide/tape_graph.svg``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # run from a checkout without installing

import tensorlite as tl  # noqa: E402

OUT = Path(__file__).resolve().parent / "tape_graph.svg"


def main(path: Path = OUT) -> Path:
    tl.manual_seed(0)
    x = tl.tensor(np.random.default_rng(0).random((4, 3)), dtype="float32")  # an input: no gradient
    w = tl.randn(3, 2, requires_grad=True)
    b = tl.zeros(2, requires_grad=True)
    loss = ((x @ w + b).tanh() ** 2).mean()
    loss.backward()
    return tl.viz.save(loss, path, params={"w": w, "b": b}, show_grads=True)


if __name__ == "__main__":
    print(main())
