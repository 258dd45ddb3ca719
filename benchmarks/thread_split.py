"""How much a training step gains when the batch is split over threads and BLAS runs single-threaded.

Run from the repository root::

    python -m benchmarks.thread_split                  # CNN, LSTM and FNN, batches 64 and 250
    python -m benchmarks.thread_split --models cnn --batches 250

What is timed
-------------
One training step's gradient (forward, then ``tl.grad`` of the cross entropy with respect to
every parameter) of the models of ``benchmarks/train.py`` (the FNN, the seed CNN and the LSTM),
in two configurations, each in its own process:

* **one thread**: the step with tensorlite's thread pool off (``TENSORLITE_NUM_THREADS=1``);
  BLAS keeps its default thread count, so matrix products use every core and everything else
  runs on one;
* **split**: the batch is cut in two halves, each half's step runs on its own Python thread, and
  the two gradients are added; BLAS is held to one thread (``OPENBLAS_NUM_THREADS=1``, set before
  NumPy loads), so the two threads own the two cores. NumPy releases the GIL inside its loops, so
  the array work of the two halves runs at the same time.

The split is what a thread pool inside tensorlite could reach at best for a step (Python between
ops stays serial there); it is a measurement for the speed issue's design, not a feature. With
BLAS at its default, the split loses: after each product, BLAS's own threads busy-wait on the
other core. Each figure is the best of several rounds of a few steps.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MODELS = ("cnn", "lstm", "fnn")


def _model(name: str) -> Any:
    import tensorlite as tl
    from benchmarks.train import build_model

    tl.manual_seed(0)
    return build_model(tl.nn, name)


def _inputs(name: str, batch: int) -> tuple[np.ndarray, np.ndarray]:
    from benchmarks.train import _shape_input

    rng = np.random.default_rng(0)
    return _shape_input(name, rng.random((batch, 1, 28, 28), dtype=np.float32)), rng.integers(0, 10, batch)


def time_step(name: str, batch: int, split: bool, rounds: int = 8, steps: int = 3) -> float:
    """Seconds per step, best of ``rounds`` (run in the process that times it)."""
    import tensorlite as tl

    model = _model(name)
    params = list(model.parameters())
    x, y = _inputs(name, batch)
    loss_fn = tl.nn.CrossEntropyLoss()
    pool = ThreadPoolExecutor(1)

    def gradient(part: slice) -> list[Any]:
        return tl.grad(loss_fn(model(x[part]), y[part]), params)

    def step() -> list[Any]:
        if not split:
            return gradient(slice(None))
        half = batch // 2
        first = pool.submit(gradient, slice(0, half))
        second = gradient(slice(half, None))
        return [a + b for a, b in zip(first.result(), second)]

    for _ in range(2):
        step()
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(steps):
            step()
        best = min(best, (time.perf_counter() - start) / steps)
    return best


def _run(name: str, batch: int, split: bool) -> float:
    """``time_step`` in a fresh process, with BLAS held to one thread for the split."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TENSORLITE_NUM_THREADS": "1"}  # tensorlite's pool off
    if split:
        env["OPENBLAS_NUM_THREADS"] = env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"
    code = (f"from benchmarks.thread_split import time_step; "
            f"print(time_step({name!r}, {batch}, {split}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.thread_split",
                                     description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated: cnn,lstm,fnn")
    parser.add_argument("--batches", default="64,250", help="comma-separated batch sizes (default 64,250)")
    args = parser.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    if not models or any(m not in MODELS for m in models):
        parser.error(f"--models takes some of {', '.join(MODELS)}, got {args.models!r}")
    batches = [int(b) for b in args.batches.split(",")]
    print(f"{'model':<6}{'batch':>6}{'one thread ms':>15}{'split ms':>10}{'speed-up':>10}")
    for name in models:
        for batch in batches:
            one, split = _run(name, batch, False), _run(name, batch, True)
            print(f"{name:<6}{batch:>6}{one * 1e3:>15.2f}{split * 1e3:>10.2f}{one / split:>9.2f}x", flush=True)


if __name__ == "__main__":
    main()
