"""The figures behind the tips in docs/guide/performance.rst.

Run from the repository root::

    python docs/_static/guide/time_tips.py [--rounds 7] [--steps 10]

On the seed's CNN (``examples/mnist_cnn.py``: two 5x5 convolutions, max pooling, a linear layer)
with batches of 64 random MNIST-shaped images, it times, alternating the two variants within
the run (each round in the reverse order of the one before; a variant's figure is its median
over the rounds):

* a training step's gradient computation (``zero_grad``, forward, loss, ``backward``) with
  float32 and with float64 parameters and inputs.

It then measures, with ``tracemalloc``, an evaluation forward pass with grad mode on (the
default: the tape is recorded) and under ``tl.no_grad()``: the memory the pass allocated at its
peak and the memory still held while its output is alive.

Last, it prints ``tl.profile()``'s table for ten training steps of the float32 model.
"""
from __future__ import annotations

import argparse
import sys
import tracemalloc
from pathlib import Path
from typing import Any, Callable

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT))

from time_porting import time_paths  # noqa: E402  (this folder: the same alternating timer)

import tensorlite as tl  # noqa: E402
from tensorlite import nn  # noqa: E402


def forward_memory(run: Callable[[], Any]) -> tuple[float, float]:
    """MiB allocated at the peak of ``run()`` and MiB still held while its result is alive."""
    tracemalloc.start()
    start = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    result = run()
    held, peak = tracemalloc.get_traced_memory()
    del result
    tracemalloc.stop()
    return (peak - start) / 2**20, (held - start) / 2**20


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--steps", type=int, default=10)
    args = parser.parse_args(argv)

    from mnist_cnn import CNNClassifier

    rng = np.random.default_rng(0)
    x32 = rng.random((64, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    criterion = nn.CrossEntropyLoss()
    tl.manual_seed(0)
    model32 = CNNClassifier()
    tl.manual_seed(0)
    model64 = CNNClassifier().double()
    x64 = x32.astype(np.float64)

    def train_step(model: nn.Module, x: np.ndarray) -> Callable[[], None]:
        def step() -> None:
            model.zero_grad()
            criterion(model(x), y).backward()
        return step

    def recorded() -> Any:
        return model32(x32)

    def unrecorded() -> Any:
        with tl.no_grad():
            return model32(x32)

    model32.eval()
    dtype = time_paths({"float32": train_step(model32, x32), "float64": train_step(model64, x64)},
                      args.rounds, args.steps)
    print(f"seed CNN, batch 64, median of {args.rounds} rounds of {args.steps} steps")
    print(f"training step, float32: {dtype['float32']:.2f} ms, float64: {dtype['float64']:.2f} ms, "
          f"float64 / float32 = {dtype['float64'] / dtype['float32']:.2f}")
    for name, run in [("recorded", recorded), ("no_grad", unrecorded)]:
        peak, held = forward_memory(run)
        print(f"evaluation forward, {name}: {peak:.1f} MiB allocated at the peak, {held:.1f} MiB held "
              "while the output is alive")
    model32.train()
    step = train_step(model32, x32)
    with tl.profile() as prof:
        for _ in range(10):
            step()
    print("tl.profile() of 10 training steps (zero_grad, forward, loss, backward), float32:")
    print(prof.table())


if __name__ == "__main__":
    main()
