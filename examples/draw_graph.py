"""Draw three computation graphs to SVG: the seed's CNN (with its loss, after a backward), one
LSTM step, each grouped by module, and a gradient penalty, whose gradient part (recorded with
create_graph=True) is marked as such, into examples/output/ (git-ignored).

Run: python examples/draw_graph.py

Renders with Graphviz's `dot` when it is installed, else with `graphviz-pure`, which pip installs
with tensorlite; if neither runs, the graphs are written as .dot text instead.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import numpy as np

import tensorlite as tl
from tensorlite import nn, viz

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed_models import CNNClassifier  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "output"


def cnn_loss(batch: int = 4) -> tl.Tensor:
    """The CNN's loss on a small batch of random 28x28 images, after ``backward``."""
    tl.manual_seed(0)
    rng = np.random.default_rng(0)
    model = CNNClassifier(28 * 28, 10)
    x = rng.random((batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, batch)
    loss = nn.CategoricalCrossEntropyLoss()(model(x), y)
    loss.backward()
    return loss


def lstm_step(batch: int = 4) -> tuple[tuple[tl.Tensor, tl.Tensor], dict[str, tl.Tensor]]:
    """One LSTMCell step from a given state: returns ``(h, c)`` and the inputs by name (they
    require grad, so the graph reaches them and draws them under these names)."""
    tl.manual_seed(0)
    rng = np.random.default_rng(0)
    cell = nn.LSTMCell(8, 16)
    inputs = {name: tl.tensor(rng.standard_normal((batch, size), dtype=np.float32), requires_grad=True)
              for name, size in [("x", 8), ("h0", 16), ("c0", 16)]}
    return cell(inputs["x"], (inputs["h0"], inputs["c0"])), inputs


def gradient_penalty(batch: int = 4) -> tuple[tl.Tensor, dict[str, tl.Tensor]]:
    """A WGAN-GP penalty: ``(|d critic / d x| - 1)²`` averaged, for a small critic. The gradient is
    taken with ``create_graph=True``, so the penalty's graph holds the critic's forward and the ops
    that its backward recorded (drawn in "backward of ..." clusters)."""
    tl.manual_seed(0)
    critic = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    x = tl.randn(batch, 2, requires_grad=True)
    (grad_x,) = tl.grad(critic(x).sum(), x, create_graph=True)
    penalty = ((grad_x.norm(dim=1) - 1) ** 2).mean()
    return penalty, {"x": x, **dict(critic.named_parameters())}


def node_count(dot: str) -> int:
    """Op and tensor nodes in DOT text written by tl.viz (the legend and notes not counted)."""
    return len(re.findall(r"^\s*(?:op|leaf)\d+ \[", dot, flags=re.M))


def main(out_dir: Path = RESULTS) -> dict[str, dict[str, float]]:
    """Draw the three graphs into ``out_dir``; print and return each one's node count and timings."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {}
    h_c, inputs = lstm_step()
    penalty, names = gradient_penalty()
    for name, root, options in [("cnn_graph", cnn_loss(), {"show_grads": True}),
                                ("lstm_graph", h_c, {"params": inputs, "rankdir": "LR"}),
                                ("penalty_graph", penalty, {"params": names})]:
        start = time.perf_counter()
        graph = viz.draw(root, **options)
        drawn = time.perf_counter() - start
        try:
            path = viz.save(graph, out_dir / f"{name}.svg")
        except viz.GraphvizNotFoundError as error:
            print(error)
            path = viz.save(graph, out_dir / f"{name}.dot")
        rendered = time.perf_counter() - start - drawn
        nodes = node_count(graph.source)
        figures[name] = {"nodes": nodes, "draw_s": drawn, "render_s": rendered}
        print(f"{path.name}: {nodes} nodes; drawn in {drawn * 1e3:.1f} ms, written in {rendered * 1e3:.0f} ms")
    return figures


if __name__ == "__main__":
    argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split())).parse_args()
    main()
