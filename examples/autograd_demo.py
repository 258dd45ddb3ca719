"""Train a two-layer network on two interleaved spirals with nothing but tensors and autograd.

Run: python examples/autograd_demo.py [--steps N]
"""
from __future__ import annotations

import argparse
from typing import Sequence

import numpy as np

import tensorlite as tl


def spirals(n_per_class: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved 2-D spirals, labels 0 and 1."""
    t = np.sqrt(rng.random(n_per_class)) * 3 * np.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3 * np.pi)
    x = np.concatenate([arm, -arm]) + rng.normal(0, 0.02, (2 * n_per_class, 2))
    y = np.repeat([0, 1], n_per_class)
    return x.astype(np.float32), y


def main(steps: int = 1500) -> float:
    """Train, print progress, and return the final training accuracy."""
    tl.manual_seed(0)
    rng = np.random.default_rng(0)
    x_np, y_np = spirals(500, rng)
    x, y = tl.tensor(x_np), tl.tensor(y_np)

    hidden = 64
    w1 = (tl.randn(2, hidden) * (2 / 2) ** 0.5).requires_grad_()
    b1 = tl.zeros(hidden, requires_grad=True)
    w2 = (tl.randn(hidden, hidden) * (2 / hidden) ** 0.5).requires_grad_()
    b2 = tl.zeros(hidden, requires_grad=True)
    w3 = (tl.randn(hidden, 2) * (1 / hidden) ** 0.5).requires_grad_()
    b3 = tl.zeros(2, requires_grad=True)
    params = [w1, b1, w2, b2, w3, b3]

    lr = 0.1
    for step in range(steps + 1):
        h = (x @ w1 + b1).relu()
        h = (h @ w2 + b2).relu()
        logits = h @ w3 + b3
        # cross entropy: pick the log-probability of each sample's class
        loss = -logits.log_softmax(dim=1)[tl.arange(len(y)), y].mean()
        for p in params:
            p.grad = None
        loss.backward()
        with tl.no_grad():
            for p in params:
                p.data -= lr * p.grad
        if step % 300 == 0 or step == steps:
            accuracy = (logits.argmax(dim=1) == y).data.mean()
            print(f"step {step:5d}  loss {loss.item():.4f}  accuracy {accuracy:.3f}")
    print(f"final accuracy on {len(y)} points: {accuracy:.3f}")
    return float(accuracy)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1500, help="gradient descent steps (default 1500)")
    args = parser.parse_args(argv)
    if args.steps < 0:
        parser.error(f"argument --steps: must be 0 or more, got {args.steps}")
    return args


if __name__ == "__main__":
    main(parse_args().steps)
