"""Forward + backward time per layer, tensorlite next to PyTorch on the same weights and inputs.

Run from the repository root (either form)::

    python -m benchmarks.layers
    python benchmarks/layers.py --rounds 20 --only conv --json layers.json

What is timed
-------------
One iteration of a case sets every parameter's ``.grad`` (and the input's) to None, runs the
layer forward on a fixed float32 input and propagates a fixed upstream gradient back with
``out.backward(g)``. The input requires grad when the layer sits inside a network (its gradient is
part of the work), not when the layer is a network's first layer (MNIST-shaped input).

PyTorch (when installed) gets the very same weights (tensorlite's ``state_dict`` loaded into the
torch layer), input and upstream gradient, and as many threads as NumPy's BLAS. Before timing, the
outputs and every gradient of both sides are compared, so the sides cannot be doing different work.
The sides alternate in rounds, each round starting with the other side; each side's figure is its
best round (on a shared machine other work only adds time). The ratio is tensorlite's time over
PyTorch's: below 1 means tensorlite is faster.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):  # run as ``python benchmarks/layers.py``: make tensorlite importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import tensorlite as tl  # noqa: E402
from benchmarks.overhead import _environment, _load_torch, _pin_malloc_thresholds  # noqa: E402
from tensorlite import nn  # noqa: E402


@dataclass
class Case:
    """One layer on one input: ``make()`` builds the tensorlite layer; ``torch_layer(torch)`` the
    PyTorch one of the same configuration."""

    name: str
    make: Callable[[], Any]
    torch_layer: Callable[[Any], Any]
    input_shape: tuple[int, ...]
    input_grad: bool  # whether the input's gradient is part of the work
    iterations: int  # per side and round


CASES = [
    Case("Linear 784->256, batch 250", lambda: nn.Linear(784, 256),
         lambda torch: torch.nn.Linear(784, 256), (250, 784), False, 40),
    Case("Conv2D 1->16 5x5 on 64x1x28x28", lambda: nn.Conv2D(1, 16, 5),
         lambda torch: torch.nn.Conv2d(1, 16, 5), (64, 1, 28, 28), False, 10),
    Case("Conv2D 16->32 5x5 on 64x16x12x12", lambda: nn.Conv2D(16, 32, 5),
         lambda torch: torch.nn.Conv2d(16, 32, 5), (64, 16, 12, 12), True, 10),
    Case("MaxPool2D 2x2 on 64x16x24x24", lambda: nn.MaxPool2D(2),
         lambda torch: torch.nn.MaxPool2d(2), (64, 16, 24, 24), True, 20),
    Case("BatchNorm1D(256) on 250x256", lambda: nn.BatchNorm1D(256),
         lambda torch: torch.nn.BatchNorm1d(256), (250, 256), True, 100),
    Case("LSTM 28->128, seq 28, batch 64", lambda: nn.LSTM(28, 128, batch_first=True),
         lambda torch: torch.nn.LSTM(28, 128, batch_first=True), (64, 28, 28), False, 5),
]


def _first(out: Any) -> Any:
    """The main output of a layer (an LSTM returns ``(output, (h, c))``)."""
    return out[0] if isinstance(out, tuple) else out


def _step(layer: Any, params: list[Any], x: Any, g: Any) -> None:
    for p in params:
        p.grad = None
    x.grad = None
    _first(layer(x)).backward(g)


class Side:
    """One library's layer, input and upstream gradient, ready to time."""

    def __init__(self, layer: Any, x: Any, g: Any) -> None:
        self.layer, self.x, self.g = layer, x, g
        self.params = list(layer.parameters())

    def run(self, n: int) -> float:
        """Seconds per iteration over ``n`` iterations."""
        layer, params, x, g = self.layer, self.params, self.x, self.g
        start = time.perf_counter()
        for _ in range(n):
            _step(layer, params, x, g)
        return (time.perf_counter() - start) / n


def _build(case: Case, torch: Any) -> dict[str, Side]:
    tl.manual_seed(0)
    rng = np.random.default_rng(0)
    layer = case.make()
    x = rng.standard_normal(case.input_shape).astype(np.float32)
    with tl.no_grad():
        out_shape = _first(layer(x)).shape
    g = rng.standard_normal(out_shape).astype(np.float32)
    sides = {"tensorlite": Side(layer, tl.tensor(x.copy(), requires_grad=case.input_grad), g)}
    if torch is not None:
        t_layer = case.torch_layer(torch)
        t_layer.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in layer.state_dict().items()})
        t_x = torch.from_numpy(x.copy()).requires_grad_(case.input_grad)
        sides["PyTorch"] = Side(t_layer, t_x, torch.from_numpy(g.copy()))
    return sides


def _check_same_work(case: Case, sides: dict[str, Side]) -> None:
    """Abort unless both sides compute the same output and gradients (float32 tolerance)."""
    if "PyTorch" not in sides:
        return
    results = {}
    for name, side in sides.items():
        _step(side.layer, side.params, side.x, side.g)
        out = _first(side.layer(side.x))
        grads = [np.asarray(p.grad) for p in side.params]
        if case.input_grad:
            grads.append(np.asarray(side.x.grad))
        results[name] = [np.asarray(out.detach() if hasattr(out, "detach") else out)] + grads
    for i, (a, b) in enumerate(zip(results["tensorlite"], results["PyTorch"])):
        scale = max(1.0, float(np.abs(b).max()))
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-3, atol=1e-4 * scale):
            sys.exit(f"layers: {case.name}: tensorlite and PyTorch differ in "
                     f"{'the output' if i == 0 else f'gradient {i}'} (shapes {a.shape}, {b.shape}); "
                     "the benchmark would compare different work, aborting")


def measure(case: Case, rounds: int, torch: Any) -> dict[str, list[float]]:
    sides = _build(case, torch)
    _check_same_work(case, sides)
    order = list(sides)
    for side in sides.values():  # warm-up
        side.run(max(1, case.iterations // 4))
    times: dict[str, list[float]] = {name: [] for name in order}
    for r in range(rounds):
        for name in order[r % len(order):] + order[:r % len(order)]:
            times[name].append(sides[name].run(case.iterations))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.layers", description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds per case (default 10)")
    parser.add_argument("--only", default="", help="run only the cases whose name contains this text")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be positive")
    pinned = _pin_malloc_thresholds()
    torch = _load_torch()
    env = _environment(torch)
    env["malloc_thresholds_pinned"] = pinned
    print(f"tensorlite {env['tensorlite']} | numpy {env['numpy']} | "
          + (f"torch {env['torch']} ({env['torch_threads']} threads)" if torch else "torch: not installed")
          + f" | {env['cpu_count']} CPUs | float32, forward + backward, best of {args.rounds} rounds\n")
    header = f"{'layer':<36} {'tensorlite ms':>13} {'PyTorch ms':>11} {'tl/PyTorch':>11}"
    print(header + "\n" + "-" * len(header))
    rows = []
    for case in CASES:
        if args.only.lower() not in case.name.lower():
            continue
        times = measure(case, args.rounds, torch)
        best = {name: min(ts) * 1e3 for name, ts in times.items()}
        ratio = best["tensorlite"] / best["PyTorch"] if "PyTorch" in best else None
        print(f"{case.name:<36} {best['tensorlite']:>13.3f} "
              f"{best.get('PyTorch', math.nan):>11.3f} {'n/a' if ratio is None else f'{ratio:.2f}x':>11}")
        rows.append({"layer": case.name, "input_shape": list(case.input_shape), "input_grad": case.input_grad,
                     "ms": best, "ratio_vs_torch": ratio,
                     "ms_by_round": {k: [t * 1e3 for t in v] for k, v in times.items()}})
    if args.json is not None:
        args.json.write_text(json.dumps({"environment": env, "rounds": args.rounds, "results": rows},
                                        indent=2) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
