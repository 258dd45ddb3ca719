"""What the legacy explicit-backward path costs next to ``loss.backward()``.

Run from the repository root::

    python docs/_static/guide/time_porting.py [--rounds 15] [--steps 10]

For the seed README's two models (``examples/seed_models.py``: the FNN with its own ``backward``
loop over its modules, the CNN inheriting ``Module.backward``), on one batch of 64 random
MNIST-shaped images, it times one training step's gradient computation in the two styles:

* modern: ``loss = criterion(model(x), y); loss.backward()``
* legacy: ``out = model.forward(x); loss = criterion.forward(out, y); dout = criterion.backward();
  model.backward(dout)``

each preceded by ``model.zero_grad()`` (the optimizer step is the same on both paths and is left
out). A third path is ``loss.backward()`` with an input that requires a gradient, so the one walk
also computes dL/dx (which the legacy path computes only for such an input too).

It first checks that all paths give the same parameter gradients. The rounds alternate the paths,
each round in the reverse order of the one before; each round times ``--steps`` steps of a path;
a path's figure is its median milliseconds per step over the rounds, and the ratios are taken
between medians of this run.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT))

import tensorlite as tl  # noqa: E402
from tensorlite import nn  # noqa: E402


def steps(model: nn.Module, criterion: nn.Module, x: np.ndarray, y: np.ndarray,
          ) -> dict[str, Callable[[], Any]]:
    """The two ways to fill every parameter's ``.grad`` for one batch."""

    def modern() -> None:
        model.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()

    def modern_dx() -> None:
        model.zero_grad()
        xt = tl.tensor(x, requires_grad=True)
        loss = criterion(model(xt), y)
        loss.backward()

    def legacy() -> None:
        model.zero_grad()
        out = model.forward(x)
        loss = criterion.forward(out, y)  # noqa: F841  (held: it keeps the loss's graph)
        dout = criterion.backward()
        model.backward(dout)

    return {"modern": modern, "modern_dx": modern_dx, "legacy": legacy}


def same_gradients(model: nn.Module, paths: dict[str, Callable[[], Any]]) -> bool:
    grads = {}
    for name, step in paths.items():
        step()
        grads[name] = {n: p.grad.copy() for n, p in model.named_parameters()}
    return all(np.allclose(grads["modern"][n], g[n], rtol=1e-5, atol=1e-7)
               for g in grads.values() for n in grads["modern"])


def time_paths(paths: dict[str, Callable[[], Any]], rounds: int, n_steps: int) -> dict[str, float]:
    """Median ms per step of each path; the rounds alternate which path goes first."""
    for step in paths.values():  # warm-up
        for _ in range(3):
            step()
    times: dict[str, list[float]] = {name: [] for name in paths}
    order = list(paths)
    for r in range(rounds):
        for name in order if r % 2 == 0 else order[::-1]:
            step = paths[name]
            start = time.perf_counter()
            for _ in range(n_steps):
                step()
            times[name].append((time.perf_counter() - start) / n_steps * 1e3)
    return {name: statistics.median(t) for name, t in times.items()}


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args(argv)

    from seed_models import CNNClassifier, FNNClassifier

    tl.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((args.batch, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, args.batch)
    results = {}
    print(f"batch {args.batch}, {args.rounds} rounds of {args.steps} steps per path, median ms per step")
    print(f"{'model':<30} {'loss.backward()':>16} {'+ input grad':>13} {'model.backward(dout)':>21} "
          f"{'legacy / modern':>16}")
    for label, model in [("seed FNN (own backward loop)", FNNClassifier(28 * 28, 10)),
                         ("seed CNN (inherited backward)", CNNClassifier(28 * 28, 10))]:
        paths = steps(model, nn.CategoricalCrossEntropyLoss(), x, y)
        if not same_gradients(model, paths):
            raise SystemExit(f"{label}: the two paths gave different gradients")
        ms = time_paths(paths, args.rounds, args.steps)
        ratio = ms["legacy"] / ms["modern"]
        results[label] = {**ms, "ratio": ratio}
        print(f"{label:<30} {ms['modern']:>13.2f} ms {ms['modern_dx']:>10.2f} ms {ms['legacy']:>18.2f} ms "
              f"{ratio:>16.2f}")
    return results


if __name__ == "__main__":
    main()
