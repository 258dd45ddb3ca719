"""Per-op cost of tensorlite's tape engine, next to PyTorch and to hand-written NumPy.

Run from the repository root (either form)::

    python -m benchmarks.overhead
    python benchmarks/overhead.py --iterations 20000 --rounds 20 --json overhead.json

What is timed
-------------
One iteration sets ``a.grad = b.grad = c.grad = None`` (a training loop's
``zero_grad(set_to_none=True)``) and runs ``((a * b + c).tanh()).sum().backward()`` on float32
leaves ``a, b, c`` that require grad: 4 recorded ops (mul, add, tanh, sum) and their backward.
Three sides do the same work:

* tensorlite: the expression above (:func:`autograd_step`);
* PyTorch: the very same function on torch tensors (skipped when ``import torch`` fails); torch
  gets as many threads as tensorlite computes on (``tl.get_num_threads()``, or NumPy's BLAS count when larger);
* NumPy seed-style: the forward and the backward written out by hand the way the library
  tensorlite grew out of did it, each step's backward applying the chain rule to the upstream
  gradient it receives (:func:`numpy_seed_style`). This is the reference for the target.
* NumPy minimal: the least arithmetic the expression needs, skipping the multiplication by the
  all-ones upstream gradient of ``sum`` (:func:`numpy_forward_backward`); shown for information.

Two shapes: ``(4,)``, where the arithmetic is negligible and the time is Python overhead (the
engine's bookkeeping per op), and ``(256, 256)``, where the arithmetic dominates and the engine
should add little on top of NumPy.

The sides alternate in rounds, each round starting with the next side, so a change in machine
speed during the run, and PyTorch's OpenMP threads still spinning after its turn, hit all sides
alike. Each side's figure is its best round (the least time per iteration): on a shared machine
other work only ever adds time, so the fastest of many short rounds is the steadiest estimate of
a side's own cost (the JSON keeps every round). "µs/op" is that divided by the 4 recorded ops. The ratios compare
tensorlite with each other side (below 1 means tensorlite is faster).

Before timing, the gradients tensorlite (and PyTorch) compute are checked against the
hand-written NumPy ones, so the sides cannot be doing different work; a mismatch aborts.

Targets
-------
* on ``(4,)``: tensorlite ≤ 0.3× PyTorch per op (the speed issue's target);
* on ``(256, 256)``: within 10% of hand-written NumPy (tensorlite/NumPy seed-style ≤ 1.10).

Options: ``--iterations N`` iterations per side on ``(4,)`` (default 10,000; ``(256, 256)``
runs ``N // 5``), ``--rounds R`` (default 10; the iterations are split across the rounds),
``--json PATH`` to also write the results as JSON.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):  # run as ``python benchmarks/overhead.py``: make tensorlite importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import tensorlite as tl  # noqa: E402

TINY: tuple[int, ...] = (4,)
LARGE: tuple[int, ...] = (256, 256)
OPS_PER_ITERATION = 4  # mul, add, tanh, sum
LARGE_DIVISOR = 5  # (256, 256) runs this many times fewer iterations than (4,)
TORCH_TARGET = 0.3  # tensorlite/PyTorch per op on TINY
NUMPY_TARGET = 1.10  # tensorlite/NumPy on LARGE

SIDES = ("tensorlite", "PyTorch", "NumPy seed-style", "NumPy minimal")
NUMPY = "NumPy seed-style"  # the hand-written reference the target is measured against

Step = Callable[[Any, Any, Any], Any]


# ----------------------------------------------------------------------------------------------
# The work


def autograd_step(a: Any, b: Any, c: Any) -> None:
    """One training-loop iteration on leaves of an autograd library (tensorlite or PyTorch)."""
    a.grad = b.grad = c.grad = None
    ((a * b + c).tanh()).sum().backward()


def numpy_forward_backward(
    a: np.ndarray, b: np.ndarray, c: np.ndarray
) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """The same expression and its gradients by hand: returns ``(out, da, db, dc)``."""
    m = a * b
    s = m + c
    t = np.tanh(s)
    out = t.sum()
    dt = 1 - t * t  # d out / d s (the upstream gradient of sum is all ones)
    return out, dt * b, dt * a, dt


def numpy_seed_style(
    a: np.ndarray, b: np.ndarray, c: np.ndarray
) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
    """The expression by hand in the explicit-backward style: every step's backward multiplies
    by the gradient handed down from the step after it. Returns ``(out, da, db, dc)``."""
    m = a * b
    s = m + c
    t = np.tanh(s)
    out = t.sum()
    dout = np.ones_like(out)
    dt = np.broadcast_to(dout, t.shape)  # sum.backward
    ds = dt * (1 - t * t)  # tanh.backward
    return out, ds * b, ds * a, ds  # mul.backward, add.backward


def _pin_malloc_thresholds() -> bool:
    """Keep glibc's malloc from handing large blocks back to the OS between iterations.

    By default glibc serves blocks above a moving threshold with fresh ``mmap`` pages and trims
    the heap on ``free``, so whether a 256 KiB temporary costs page faults depends on the
    allocation history of the process: the same NumPy code was seen to run 120 µs or 450 µs
    per iteration. Pinning both thresholds makes every side allocate alike. Returns False where
    there is no glibc (the benchmark then runs with the platform's default).
    """
    from tensorlite.malloc import set_malloc_thresholds

    return set_malloc_thresholds(mmap=1 << 30, trim=1 << 30)


def _load_torch() -> Any:
    """Return the torch module with its thread count set, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(_numpy_threads())
    return torch


def _numpy_threads() -> int:
    """The cores tensorlite computes on: its thread pool's size, or NumPy's BLAS thread count
    when that is larger (the pool off), as threadpoolctl tells it, else the number of CPUs."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return max(tl.get_num_threads(), os.cpu_count() or 1)
    counts = [int(p["num_threads"]) for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(tl.get_num_threads(), *counts) if counts else (os.cpu_count() or 1)


def _make_sides(shape: tuple[int, ...], torch: Any) -> dict[str, tuple[Step, tuple[Any, ...]]]:
    """Fresh float32 inputs of ``shape`` for each side, each side with its own copies."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape).astype(np.float32) for _ in range(3)]
    sides: dict[str, tuple[Step, tuple[Any, ...]]] = {
        "tensorlite": (autograd_step, tuple(tl.Tensor(x.copy(), requires_grad=True) for x in arrays)),
        "NumPy seed-style": (numpy_seed_style, tuple(x.copy() for x in arrays)),
        "NumPy minimal": (numpy_forward_backward, tuple(x.copy() for x in arrays)),
    }
    if torch is not None:
        leaves = tuple(torch.from_numpy(x.copy()).requires_grad_(True) for x in arrays)
        sides["PyTorch"] = (autograd_step, leaves)
    return sides


def _check_same_work(sides: dict[str, tuple[Step, tuple[Any, ...]]], shape: tuple[int, ...]) -> None:
    """Abort unless every autograd side's gradients equal the hand-written NumPy ones.

    tensorlite runs the same NumPy ufuncs, so ``np.allclose``'s defaults apply; PyTorch's own
    float32 tanh may differ in the last bits, so it gets an absolute tolerance of 1e-6 too.
    """
    _, arrays = sides["NumPy minimal"]
    _, *expected = numpy_forward_backward(*arrays)
    for name, atol in (("tensorlite", 1e-8), ("PyTorch", 1e-6), ("NumPy seed-style", 1e-8)):
        if name not in sides:
            continue
        step, leaves = sides[name]
        result = step(*leaves)
        grads = result[1:] if name.startswith("NumPy") else [leaf.grad for leaf in leaves]
        for label, grad, want in zip("abc", grads, expected):
            got = np.asarray(grad)  # a torch tensor converts through __array__
            if got.shape != want.shape or got.dtype != want.dtype or not np.allclose(got, want, atol=atol):
                sys.exit(
                    f"overhead: {name}'s gradient of {label} on shape {shape} differs from the "
                    f"hand-written NumPy one (got dtype {got.dtype}, shape {got.shape}); the "
                    "benchmark would compare different work, aborting"
                )


# ----------------------------------------------------------------------------------------------
# Timing


def _time_loop(step: Step, args: tuple[Any, ...], n: int) -> float:
    """Seconds per iteration of ``n`` calls of ``step(*args)``."""
    a, b, c = args
    start = time.perf_counter()
    for _ in range(n):
        step(a, b, c)
    return (time.perf_counter() - start) / n


@dataclass
class ShapeResult:
    """Per-iteration times of each side on one shape, one entry per round."""

    shape: tuple[int, ...]
    iterations: int  # per side, all rounds together
    rounds: dict[str, list[float]] = field(default_factory=dict)  # side -> seconds per iteration

    def us_per_iter(self, side: str) -> float | None:
        times = self.rounds.get(side)
        return min(times) * 1e6 if times else None

    def us_per_op(self, side: str) -> float | None:
        t = self.us_per_iter(side)
        return None if t is None else t / OPS_PER_ITERATION

    def ratio(self, other: str) -> float | None:
        """tensorlite's time over ``other``'s (below 1: tensorlite is faster)."""
        mine, theirs = self.us_per_iter("tensorlite"), self.us_per_iter(other)
        return None if mine is None or theirs is None else mine / theirs


def measure(shape: tuple[int, ...], iterations: int, rounds: int, torch: Any) -> ShapeResult:
    """Time every side on ``shape`` in alternating rounds of ``ceil(iterations / rounds)``."""
    sides = _make_sides(shape, torch)
    _check_same_work(sides, shape)
    per_round = max(1, math.ceil(iterations / rounds))
    order = [name for name in SIDES if name in sides]
    for name in order:  # warm-up: first-call costs, caches, allocator pools
        _time_loop(*sides[name], max(1, per_round // 10))
    result = ShapeResult(shape, per_round * rounds, {name: [] for name in order})
    for r in range(rounds):
        # Rotate who goes first: PyTorch's OpenMP threads keep spinning for a while after it
        # returns, which slows whichever side runs right after it.
        for name in order[r % len(order):] + order[:r % len(order)]:
            result.rounds[name].append(_time_loop(*sides[name], per_round))
    return result


# ----------------------------------------------------------------------------------------------
# Report


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{suffix}"


def format_table(results: list[ShapeResult]) -> str:
    """The results as a text table: µs per iteration and per op, and tensorlite's ratios."""
    head1 = f"{'shape':<11} {'iters':>6} |" + "".join(f" {name:<17}|" for name in SIDES)
    head1 += f" {'tl/PyTorch':>10} | {'tl/NumPy seed':>13} | {'tl/NumPy min':>12}"
    head2 = f"{'':<11} {'/side':>6} |" + f" {'µs/iter':>8} {'µs/op':>7} |" * len(SIDES)
    lines = [head1, head2, "-" * len(head1)]
    for r in results:
        row = f"{str(r.shape):<11} {r.iterations:>6} |"
        for name in SIDES:
            row += f" {_fmt(r.us_per_iter(name), '8.2f'):>8} {_fmt(r.us_per_op(name), '7.2f'):>7} |"
        row += f" {_fmt(r.ratio('PyTorch'), '.3f', '×'):>10} | {_fmt(r.ratio(NUMPY), '.3f', '×'):>13}"
        row += f" | {_fmt(r.ratio('NumPy minimal'), '.3f', '×'):>12}"
        lines.append(row)
    return "\n".join(lines)


def targets(results: list[ShapeResult]) -> list[dict[str, Any]]:
    """The two targets, each with the measured ratio and PASS, MISS or SKIP."""
    by_shape = {r.shape: r for r in results}
    checks = [
        (f"target: tensorlite ≤ {TORCH_TARGET}× PyTorch per op on {TINY}", TINY, "PyTorch", TORCH_TARGET),
        (f"target: within 10% of hand-written NumPy, seed-style (ratio ≤ {NUMPY_TARGET:.2f}) on {LARGE}",
         LARGE, NUMPY, NUMPY_TARGET),
    ]
    out = []
    for text, shape, other, limit in checks:
        ratio = by_shape[shape].ratio(other) if shape in by_shape else None
        verdict = "SKIP" if ratio is None else ("PASS" if ratio <= limit else "MISS")
        out.append({"target": text, "shape": list(shape), "versus": other, "limit": limit,
                    "ratio": ratio, "verdict": verdict})
    return out


def _environment(torch: Any) -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "tensorlite": tl.__version__,
        "torch": None if torch is None else torch.__version__,
        "torch_threads": None if torch is None else torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "machine": platform.machine(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.overhead",
        description="Per-op cost of tensorlite's tape engine vs PyTorch and hand-written NumPy.",
    )
    parser.add_argument("--iterations", type=int, default=10_000, metavar="N",
                        help=f"iterations per side on {TINY} (default 10000); "
                             f"{LARGE} runs N // {LARGE_DIVISOR}")
    parser.add_argument("--rounds", type=int, default=10, metavar="R",
                        help="alternating rounds the iterations are split across (default 10)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    if args.iterations < 1 or args.rounds < 1:
        parser.error("--iterations and --rounds must be positive")

    pinned = _pin_malloc_thresholds()
    torch = _load_torch()
    env = _environment(torch)
    env["malloc_thresholds_pinned"] = pinned
    print(
        f"tensorlite {env['tensorlite']} | numpy {env['numpy']} | "
        + (f"torch {env['torch']} ({env['torch_threads']} threads)" if torch else "torch: not installed")
        + f" | python {env['python']} | {env['cpu_count']} CPUs"
    )
    print(f"iteration: a.grad = b.grad = c.grad = None; ((a*b + c).tanh()).sum().backward()  "
          f"[{OPS_PER_ITERATION} ops, float32]; best of {args.rounds} alternating rounds\n")

    plan = [(TINY, args.iterations), (LARGE, max(args.rounds, args.iterations // LARGE_DIVISOR))]
    results = [measure(shape, n, args.rounds, torch) for shape, n in plan]
    print(format_table(results))
    print()
    verdicts = targets(results)
    width = max(len(v["target"]) for v in verdicts)
    for v in verdicts:
        print(f"{v['target']:<{width}}  ratio {_fmt(v['ratio'], '.3f', '×'):>7}  {v['verdict']}")

    if args.json is not None:
        payload = {
            "environment": env,
            "rounds": args.rounds,
            "ops_per_iteration": OPS_PER_ITERATION,
            "results": [
                {
                    "shape": list(r.shape),
                    "iterations_per_side": r.iterations,
                    "us_per_iter": {name: r.us_per_iter(name) for name in r.rounds},
                    "us_per_op": {name: r.us_per_op(name) for name in r.rounds},
                    "us_per_iter_by_round": {name: [t * 1e6 for t in ts] for name, ts in r.rounds.items()},
                    "ratio_vs_torch": r.ratio("PyTorch"),
                    "ratio_vs_numpy_seed_style": r.ratio(NUMPY),
                    "ratio_vs_numpy_minimal": r.ratio("NumPy minimal"),
                }
                for r in results
            ],
            "targets": verdicts,
        }
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
