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
torch layer), input and upstream gradient, and as many threads as tensorlite uses. Before timing, the
outputs and every gradient of both sides are compared, so the sides cannot be doing different work.
The sides alternate in rounds, each round starting with the other side; each side's figure is its
best round (on a shared machine other work only adds time). The ratio is tensorlite's time over
PyTorch's: below 1 means tensorlite is faster.

A second table, "fused op vs the same maths from primitive ops", times each of tensorlite's fused
ops (an op with its own backward rule: ``F.linear``, ``F.cross_entropy``, ``F.batch_norm`` in
training mode, ``F.layer_norm``) against the same function composed from primitive ops (matmul,
transpose, log_softmax, indexing, mean, var, sqrt, ...), on the same inputs, with the same checks
and alternation. Its ratio is fused over composite: below 1 means the fused op pays for itself.
``--only`` filters the rows of both tables; ``--json`` writes both.
"""
from __future__ import annotations

import argparse
import functools
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

if __package__ in (None, ""):  # run as ``python benchmarks/layers.py``: make tensorlite importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import tensorlite as tl  # noqa: E402
from benchmarks.overhead import _environment, _load_torch, _pin_malloc_thresholds  # noqa: E402
from tensorlite import nn  # noqa: E402
from tensorlite.nn import functional as F  # noqa: E402


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

# issue 15 part D: a DCGAN-style decoder step (x2 upsampling) and a group norm
CASES += [
    Case("ConvTranspose2d 64->32 4x4 s2 p1 on 32x64x8x8", lambda: nn.ConvTranspose2d(64, 32, 4, 2, 1),
         lambda torch: torch.nn.ConvTranspose2d(64, 32, 4, 2, 1), (32, 64, 8, 8), True, 10),
    Case("GroupNorm(8, 32) on 32x32x16x16", lambda: nn.GroupNorm(8, 32),
         lambda torch: torch.nn.GroupNorm(8, 32), (32, 32, 16, 16), True, 20),
]


# -- attention and transformers: self-attention on one input, so that a case has one input ----------

class _SelfAttention(nn.MultiheadAttention):
    """``MultiheadAttention(x, x, x, need_weights=False)``: the call a transformer layer makes."""

    def forward(self, x: Any) -> Any:  # type: ignore[override]
        return super().forward(x, x, x, need_weights=False)[0]


class _CausalAttention(nn.Module):
    """``scaled_dot_product_attention(x, x, x, is_causal=True)`` on (N, heads, L, head_dim)."""

    def forward(self, x: Any) -> Any:
        return F.scaled_dot_product_attention(x, x, x, is_causal=True)


def _torch_self_attention(torch: Any) -> Any:
    class SelfAttention(torch.nn.MultiheadAttention):
        def forward(self, x: Any) -> Any:
            return super().forward(x, x, x, need_weights=False)[0]
    return SelfAttention(64, 4, batch_first=True)


def _torch_causal_attention(torch: Any) -> Any:
    class CausalAttention(torch.nn.Module):
        def forward(self, x: Any) -> Any:
            return torch.nn.functional.scaled_dot_product_attention(x, x, x, is_causal=True)
    return CausalAttention()


CASES += [
    Case("scaled_dot_product_attention causal on 32x4x64x16", _CausalAttention, _torch_causal_attention,
         (32, 4, 64, 16), True, 20),
    Case("MultiheadAttention(64, 4) self-attention on 32x64x64", lambda: _SelfAttention(64, 4, batch_first=True),
         _torch_self_attention, (32, 64, 64), True, 10),
    Case("TransformerEncoderLayer(64, 4, ff 128) on 32x64x64",
         lambda: nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, batch_first=True),
         lambda torch: torch.nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, batch_first=True),
         (32, 64, 64), True, 5),
]


# -- fused ops next to their composites ------------------------------------------------------------

def _rand(rng: np.random.Generator, *shape: int, grad: bool = True) -> tl.Tensor:
    return tl.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=grad)


def _labels(rng: np.random.Generator, n: int, classes: int) -> tl.Tensor:
    return tl.tensor(rng.integers(0, classes, n))


def _cross_entropy(x: tl.Tensor, t: tl.Tensor) -> tl.Tensor:
    """Mean negative log-likelihood of the target classes under log_softmax."""
    return -tl.log_softmax(x, dim=1)[np.arange(x.shape[0]), t].mean()


def _normalize(x: tl.Tensor, axes: tuple[int, ...], w: tl.Tensor, b: tl.Tensor, eps: float = 1e-5) -> tl.Tensor:
    """``(x - mean) / sqrt(var + eps) * w + b``, statistics (biased variance) over ``axes``."""
    mean = x.mean(axes, keepdim=True)
    var = x.var(axes, keepdim=True, correction=0)
    return (x - mean) / (var + eps).sqrt() * w + b


def _batch_norm(x: tl.Tensor, w: tl.Tensor, b: tl.Tensor) -> tl.Tensor:
    """Training-mode batch norm of (N, C, ...): statistics per channel over every other axis."""
    per_channel = (1, -1) + (1,) * (x.ndim - 2)
    return _normalize(x, (0, *range(2, x.ndim)), w.reshape(per_channel), b.reshape(per_channel))


@dataclass
class FusedCase:
    """One fused op next to the same maths composed from primitive ops: ``make(rng)`` returns the
    inputs (float ones requiring grad, except where a case says otherwise), passed to both sides."""

    name: str
    make: Callable[[np.random.Generator], list[Any]]
    fused: Callable[..., Any]
    composite: Callable[..., Any]
    iterations: int  # per side and round


def _train_batch_norm(x: tl.Tensor, w: tl.Tensor, b: tl.Tensor) -> tl.Tensor:
    """The fused op in training mode, without running statistics (the composite keeps none)."""
    return F.batch_norm(x, None, None, w, b, training=True)


FUSED_CASES = [  # the linear input needs no gradient, as in the layer table (a network's first layer)
    FusedCase("F.linear 784->256, batch 250",
              lambda r: [_rand(r, 250, 784, grad=False), _rand(r, 256, 784), _rand(r, 256)],
              F.linear, lambda x, w, b: x @ w.T + b, 40),
    FusedCase("F.cross_entropy on 250x10", lambda r: [_rand(r, 250, 10), _labels(r, 250, 10)],
              F.cross_entropy, _cross_entropy, 400),
    FusedCase("F.cross_entropy on 64x1000", lambda r: [_rand(r, 64, 1000), _labels(r, 64, 1000)],
              F.cross_entropy, _cross_entropy, 200),
    FusedCase("F.batch_norm train on 250x256", lambda r: [_rand(r, 250, 256), _rand(r, 256), _rand(r, 256)],
              _train_batch_norm, _batch_norm, 100),
    FusedCase("F.batch_norm train on 64x16x24x24",
              lambda r: [_rand(r, 64, 16, 24, 24), _rand(r, 16), _rand(r, 16)],
              _train_batch_norm, _batch_norm, 10),
    FusedCase("F.layer_norm(256) on 250x256", lambda r: [_rand(r, 250, 256), _rand(r, 256), _rand(r, 256)],
              lambda x, w, b: F.layer_norm(x, 256, w, b), lambda x, w, b: _normalize(x, (-1,), w, b), 100),
]


def _attention(q: tl.Tensor, k: tl.Tensor, v: tl.Tensor) -> tl.Tensor:
    """Causal attention from primitive ops: matmul, a constant mask added, softmax, matmul."""
    L, S = q.shape[-2], k.shape[-2]
    mask = tl.tensor(np.where(np.tril(np.ones((L, S), bool)), 0, -np.inf).astype(q.dtype))
    return ((q @ k.transpose(-2, -1)) * (1 / math.sqrt(q.shape[-1])) + mask).softmax(-1) @ v


def _gelu_tanh(x: tl.Tensor) -> tl.Tensor:
    return 0.5 * x * (1 + (math.sqrt(2 / math.pi) * (x + 0.044715 * x * x * x)).tanh())


FUSED_CASES += [
    FusedCase("F.scaled_dot_product_attention causal on 32x4x64x16",
              lambda r: [_rand(r, 32, 4, 64, 16), _rand(r, 32, 4, 64, 16), _rand(r, 32, 4, 64, 16)],
              lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), _attention, 20),
    FusedCase("F.gelu(approximate='tanh') on 32x64x128", lambda r: [_rand(r, 32, 64, 128)],
              lambda x: F.gelu(x, approximate="tanh"), _gelu_tanh, 20),
]


# -- timing -----------------------------------------------------------------------------------------

def _first(out: Any) -> Any:
    """The main output of a layer (an LSTM returns ``(output, (h, c))``)."""
    return out[0] if isinstance(out, tuple) else out


class Side:
    """One side of a comparison: a forward computation on some leaves (tensorlite or torch
    tensors), and the fixed upstream gradient its output is backpropagated with."""

    def __init__(self, forward: Callable[[], Any], leaves: list[Any], g: Any) -> None:
        self.forward, self.leaves, self.g = forward, leaves, g

    def step(self) -> Any:
        """One iteration: clear the leaves' gradients, forward, backward; returns the output."""
        for leaf in self.leaves:
            leaf.grad = None
        out = self.forward()
        out.backward(self.g)
        return out

    def run(self, n: int) -> float:
        """Seconds per iteration over ``n`` iterations."""
        step = self.step
        start = time.perf_counter()
        for _ in range(n):
            step()
        return (time.perf_counter() - start) / n

    def results(self) -> list[np.ndarray]:
        """The output, then the gradient of every leaf that requires one."""
        out = self.step()
        return [np.asarray(out.detach())] + [np.asarray(v.grad) for v in self.leaves if v.requires_grad]


def _layer_sides(case: Case, torch: Any) -> dict[str, Side]:
    tl.manual_seed(0)
    rng = np.random.default_rng(0)
    layer = case.make()
    x = rng.standard_normal(case.input_shape).astype(np.float32)
    with tl.no_grad():
        out_shape = _first(layer(x)).shape
    g = rng.standard_normal(out_shape).astype(np.float32)
    t_x = tl.tensor(x.copy(), requires_grad=case.input_grad)
    sides = {"tensorlite": Side(lambda: _first(layer(t_x)), [*layer.parameters(), t_x], g)}
    if torch is not None:
        t_layer = case.torch_layer(torch)
        t_layer.load_state_dict({k: torch.from_numpy(np.array(v)) for k, v in layer.state_dict().items()})
        p_x = torch.from_numpy(x.copy()).requires_grad_(case.input_grad)
        sides["PyTorch"] = Side(lambda: _first(t_layer(p_x)), [*t_layer.parameters(), p_x],
                                torch.from_numpy(g.copy()))
    return sides


def _fused_sides(case: FusedCase) -> dict[str, Side]:
    sides = {}
    for name, fn in (("fused", case.fused), ("composite", case.composite)):
        inputs = case.make(np.random.default_rng(0))  # the same values for both sides
        with tl.no_grad():
            out_shape = fn(*inputs).shape
        g = np.random.default_rng(1).standard_normal(out_shape).astype(np.float32)
        sides[name] = Side(functools.partial(fn, *inputs), inputs, g)
    return sides


def _check_same_work(label: str, sides: dict[str, Side]) -> None:
    """Abort unless both sides compute the same output and gradients (float32 tolerance)."""
    if len(sides) < 2:
        return
    (name_a, a_side), (name_b, b_side) = sides.items()
    for i, (a, b) in enumerate(zip(a_side.results(), b_side.results(), strict=True)):
        scale = max(1.0, float(np.abs(b).max(initial=0.0)))
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-3, atol=1e-4 * scale):
            sys.exit(f"layers: {label}: {name_a} and {name_b} differ in "
                     f"{'the output' if i == 0 else f'gradient {i}'} (shapes {a.shape}, {b.shape}); "
                     "the benchmark would compare different work, aborting")


def measure(label: str, sides: dict[str, Side], iterations: int, rounds: int) -> dict[str, list[float]]:
    """Check that the sides do the same work, then time them in alternating rounds, each round
    starting with the next side; returns seconds per iteration, per side and round."""
    _check_same_work(label, sides)
    order = list(sides)
    for side in sides.values():  # warm-up
        side.run(max(1, iterations // 4))
    times: dict[str, list[float]] = {name: [] for name in order}
    for r in range(rounds):
        for name in order[r % len(order):] + order[:r % len(order)]:
            times[name].append(sides[name].run(iterations))
    return times


def _table(title: str, columns: tuple[str, str, str], rows: Iterable[tuple[str, dict[str, list[float]]]],
           sides: tuple[str, str]) -> list[dict[str, Any]]:
    """Print one table, a row as soon as it is measured (``rows`` may be a generator); returns the
    rows for the JSON file."""
    header = f"{title:<36} {columns[0]:>13} {columns[1]:>13} {columns[2]:>11}"
    print(header + "\n" + "-" * len(header))
    out = []
    for name, times in rows:
        best = {side: min(ts) * 1e3 for side, ts in times.items()}
        ratio = best[sides[0]] / best[sides[1]] if sides[1] in best else None
        print(f"{name:<36} {best[sides[0]]:>13.3f} {best.get(sides[1], math.nan):>13.3f} "
              f"{'n/a' if ratio is None else f'{ratio:.2f}x':>11}")
        out.append({"name": name, "ms": best, "ratio": ratio,
                    "ms_by_round": {k: [t * 1e3 for t in v] for k, v in times.items()}})
    print()
    return out


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
    layer_cases = [c for c in CASES if args.only.lower() in c.name.lower()]
    fused_cases = [c for c in FUSED_CASES if args.only.lower() in c.name.lower()]
    if not layer_cases and not fused_cases:
        parser.error(f"--only {args.only!r} matches no case")
    payload: dict[str, Any] = {"environment": env, "rounds": args.rounds}
    if layer_cases:
        print("tensorlite vs PyTorch on the same weights and inputs")
        rows = _table("layer", ("tensorlite ms", "PyTorch ms", "tl/PyTorch"),
                      ((c.name, measure(c.name, _layer_sides(c, torch), c.iterations, args.rounds))
                       for c in layer_cases), ("tensorlite", "PyTorch"))
        for row, case in zip(rows, layer_cases):
            row.update(input_shape=list(case.input_shape), input_grad=case.input_grad)
        payload["results"] = rows
    if fused_cases:
        print("fused op vs the same maths from primitive ops (tensorlite on both sides)")
        payload["fused_vs_composite"] = _table(
            "fused op", ("fused ms", "composite ms", "fused/comp"),
            ((c.name, measure(c.name, _fused_sides(c), c.iterations, args.rounds)) for c in fused_cases),
            ("fused", "composite"))
    if args.json is not None:
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
