"""The cost of a Hessian-vector product, relative to the gradient it builds on, next to PyTorch.

Run from the repository root (either form)::

    python -m benchmarks.higher_order
    python -m benchmarks --only hvp

What is timed
-------------
An MLP classifier (784 -> 128 -> 64 -> 10, tanh, cross entropy; float32, batch 64) and, on
each side (tensorlite, and PyTorch when installed):

* **gradient**: the forward pass and the gradient of the loss with respect to every parameter
  (``tl.grad(loss, params)``, ``torch.autograd.grad``): one forward, one backward;
* **HVP**: the Hessian-vector product by double backward, as one writes it in both libraries:
  ``g = grad(loss, params, create_graph=True)``, then ``grad(sum(g_i * v_i), params)``, with a
  fixed random ``v``.

The figure of merit is ``HVP / (2 × gradient)``: the HVP costs one forward, one backward that
records itself, and the backward of that recorded backward, so about two gradients' worth of work
is the yardstick (PyTorch's own ratio is shown beside ours). ``tl/PyTorch`` compares the HVP
times directly. The sides alternate in rounds and each figure is its best round, as in
``benchmarks/overhead.py``; before timing, both sides' HVPs are checked to agree.
"""
from __future__ import annotations

import argparse
import time
from typing import Any, Callable

import numpy as np

import tensorlite as tl
from tensorlite.nn import functional as F

SIZES = (784, 128, 64, 10)
BATCH = 64


def _weights(seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    arrays = []
    for n_in, n_out in zip(SIZES, SIZES[1:]):
        arrays.append((rng.standard_normal((n_out, n_in)) / np.sqrt(n_in)).astype(np.float32))
        arrays.append(np.zeros(n_out, np.float32))
    return arrays


def _data(seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((BATCH, SIZES[0])).astype(np.float32), rng.integers(0, SIZES[-1], BATCH)


def tensorlite_side() -> tuple[Callable[[], Any], Callable[[], Any]]:
    params = [tl.tensor(a, requires_grad=True) for a in _weights()]
    x, y = (tl.tensor(a) for a in _data())
    v = [tl.tensor(a) for a in _weights(2)]

    def loss() -> tl.Tensor:
        h = x
        for i in range(0, len(params) - 2, 2):
            h = F.linear(h, params[i], params[i + 1]).tanh()
        return F.cross_entropy(F.linear(h, params[-2], params[-1]), y)

    def gradient() -> Any:
        return tl.grad(loss(), params)

    def hvp() -> Any:
        g = tl.grad(loss(), params, create_graph=True)
        return tl.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)

    return gradient, hvp


def torch_side(torch: Any) -> tuple[Callable[[], Any], Callable[[], Any]]:
    params = [torch.tensor(a, requires_grad=True) for a in _weights()]
    x, y = (torch.tensor(a) for a in _data())
    v = [torch.tensor(a) for a in _weights(2)]
    tf = torch.nn.functional

    def loss() -> Any:
        h = x
        for i in range(0, len(params) - 2, 2):
            h = tf.linear(h, params[i], params[i + 1]).tanh()
        return tf.cross_entropy(tf.linear(h, params[-2], params[-1]), y)

    def gradient() -> Any:
        return torch.autograd.grad(loss(), params)

    def hvp() -> Any:
        g = torch.autograd.grad(loss(), params, create_graph=True)
        return torch.autograd.grad(sum((gi * vi).sum() for gi, vi in zip(g, v)), params)

    return gradient, hvp


def _best(fn: Callable[[], Any], iterations: int) -> float:
    start = time.perf_counter()
    for _ in range(iterations):
        fn()
    return (time.perf_counter() - start) / iterations


def measure(torch: Any, iterations: int = 20, rounds: int = 5) -> dict[str, Any]:
    """Best-of-``rounds`` ms per call for each side's gradient and HVP, alternating sides."""
    sides = {"tensorlite": tensorlite_side()}
    if torch is not None:
        sides["PyTorch"] = torch_side(torch)
        ours = [np.asarray(h) for h in sides["tensorlite"][1]()]
        theirs = [h.numpy() for h in sides["PyTorch"][1]()]
        for a, b in zip(ours, theirs):
            if not np.allclose(a, b, rtol=2e-3, atol=2e-5):
                raise AssertionError("benchmarks.higher_order: tensorlite's HVP differs from PyTorch's")
    best: dict[str, dict[str, float]] = {s: {"gradient": float("inf"), "hvp": float("inf")} for s in sides}
    names = list(sides)
    for r in range(rounds):
        for s in names[r % len(names):] + names[:r % len(names)]:
            gradient, hvp = sides[s]
            best[s]["gradient"] = min(best[s]["gradient"], _best(gradient, iterations))
            best[s]["hvp"] = min(best[s]["hvp"], _best(hvp, iterations))
    result: dict[str, Any] = {"ms": {s: {k: v * 1e3 for k, v in b.items()} for s, b in best.items()},
                              "hvp_over_two_gradients": {s: b["hvp"] / (2 * b["gradient"]) for s, b in best.items()}}
    if "PyTorch" in best:
        result["hvp tl/PyTorch"] = best["tensorlite"]["hvp"] / best["PyTorch"]["hvp"]
        result["gradient tl/PyTorch"] = best["tensorlite"]["gradient"] / best["PyTorch"]["gradient"]
    return result


def format_table(result: dict[str, Any]) -> str:
    lines = [f"{'side':<12}{'gradient ms':>13}{'HVP ms':>10}{'HVP/(2 grad)':>14}"]
    for side, ms in result["ms"].items():
        lines.append(f"{side:<12}{ms['gradient']:>13.2f}{ms['hvp']:>10.2f}"
                     f"{result['hvp_over_two_gradients'][side]:>14.2f}")
    if "hvp tl/PyTorch" in result:
        lines.append(f"tensorlite/PyTorch: gradient {result['gradient tl/PyTorch']:.2f}, "
                     f"HVP {result['hvp tl/PyTorch']:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    from benchmarks.overhead import _load_torch

    parser = argparse.ArgumentParser(prog="python -m benchmarks.higher_order", description=__doc__.split("\n")[0])
    parser.add_argument("--iterations", type=int, default=20, help="calls per round and side (default 20)")
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds (default 5)")
    parser.add_argument("--no-torch", action="store_true", help="time tensorlite only")
    args = parser.parse_args(argv)
    torch = None if args.no_torch else _load_torch()
    print(f"== Hessian-vector product: MLP {' -> '.join(map(str, SIZES))}, batch {BATCH}, "
          f"best of {args.rounds} alternating rounds")
    print(format_table(measure(torch, args.iterations, args.rounds)))


if __name__ == "__main__":
    main()
