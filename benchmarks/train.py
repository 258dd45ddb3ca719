"""End-to-end training speed and peak memory: tensorlite next to PyTorch, each in its own process.

Run from the repository root (either form)::

    python -m benchmarks.train
    python benchmarks/train.py --models cnn --batches 250 --rounds 5 --json train.json

What is timed
-------------
One epoch of training on ``--samples`` (10,000) random MNIST-shaped float32 samples (values in
[0, 1), labels 0-9, the same on both sides), in batches of 64 and 250 (the last batch holds what
is left): forward, ``cross_entropy``, ``zero_grad``, backward, ``Adam(lr=1e-3).step()``. Models:

* FNN: Linear 784->256, ReLU, Linear 256->128, ReLU, Linear 128->64, ReLU, Linear 64->10;
* CNN: Conv 1->16 5x5, MaxPool 2, ReLU, Conv 16->32 5x5, MaxPool 2, ReLU, Flatten, Linear 512->10;
* LSTM: 28 steps of 28 features (the image rows), hidden 128, the last hidden state -> Linear 10;
* ViT: 16 patches of 7x7 -> Linear 49->64, a class token, position embeddings, a 2-layer pre-norm
  TransformerEncoder (4 heads, feed-forward 128, tanh GELU, no dropout), LayerNorm, Linear 64->10
  (the model of ``examples/mnist_transformer.py``).

Each side runs in a worker process of its own (tensorlite's never imports torch), started once per
row and warmed up with a few steps. The rounds alternate the sides, each round starting with the
other one; each round is one epoch per side; a side's figure is its median samples per second.
Before each epoch the coordinator waits ``SETTLE_SECONDS``: a BLAS or OpenMP thread pool keeps
its idle threads spinning for a while after its last product (OpenBLAS: about 0.13 s), and those
would take a core from the other side's epoch if it started at once (measured: PyTorch's FNN epochs
that directly followed a tensorlite epoch ran 20-26% slower than the one that followed its own).
The ratio is tensorlite's samples/s over PyTorch's (above 1: tensorlite is faster). PyTorch gets
as many threads as tensorlite computes on (its thread pool, ``tl.get_num_threads()``, or NumPy's
BLAS threads with the pool off), and the same glibc malloc thresholds that ``import tensorlite``
sets (``tensorlite/backend.py``: freed blocks are kept for reuse instead of being returned to the
OS after every step), so the two run under the same allocator settings.

Peak memory is each worker's peak resident set size (``VmHWM``, else ``ru_maxrss``) after all its
epochs: the whole process, the library, the data set (31 MB) and the training, as ``top`` would
show it. The memory ratio is tensorlite's over PyTorch's (below 1: tensorlite uses less).
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as ``python benchmarks/train.py``: make benchmarks importable
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

MODELS = ("fnn", "cnn", "lstm", "vit")
BATCHES = (64, 250)
SIDES = ("tensorlite", "PyTorch")
LR = 1e-3
WARMUP_STEPS = 3
SETTLE_SECONDS = 0.3  # the pause before each epoch, for the other side's spinning threads to sleep
# tensorlite / PyTorch samples per second, at least (the speed issue's targets; the ViT has none
# there); tensorlite / PyTorch peak memory of every row, at most
TARGETS = {"fnn": 1.5, "cnn": 1.0, "lstm": 1.0, "vit": 0.5}
RSS_TARGET = 0.35


# ----------------------------------------------------------------------------------------------
# The data and the models (inside a worker)

def make_data(samples: int) -> tuple[np.ndarray, np.ndarray]:
    """``samples`` MNIST-shaped images (N, 1, 28, 28) in [0, 1) and labels 0-9, seeded."""
    rng = np.random.default_rng(0)
    return rng.random((samples, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, samples)


def _shape_input(model: str, x: np.ndarray) -> np.ndarray:
    """The batch as each model reads it: flat rows, images, 28 steps of 28 features (views), or
    16 patches of 7x7 pixels (a copy)."""
    if model == "vit":
        return np.ascontiguousarray(x.reshape(len(x), 4, 7, 4, 7).transpose(0, 1, 3, 2, 4)).reshape(len(x), 16, 49)
    return x.reshape(len(x), 784) if model == "fnn" else (x if model == "cnn" else x.reshape(len(x), 28, 28))


def build_model(nn: Any, model: str) -> Any:
    """The benchmark's ``model`` built from ``nn``: ``tensorlite.nn`` or ``torch.nn``, which spell
    these layers alike."""
    if model == "fnn":
        return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                             nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
    if model == "cnn":
        return nn.Sequential(nn.Conv2d(1, 16, 5), nn.MaxPool2d(2), nn.ReLU(), nn.Conv2d(16, 32, 5),
                             nn.MaxPool2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(512, 10))

    if model == "vit":
        return _vision_transformer(nn)

    class LSTMClassifier(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lstm = nn.LSTM(28, 128, batch_first=True)
            self.fc = nn.Linear(128, 10)

        def forward(self, x: Any) -> Any:
            _, (h, _) = self.lstm(x)
            return self.fc(h[-1])

    return LSTMClassifier()


def _vision_transformer(nn: Any) -> Any:
    """The ViT of examples/mnist_transformer.py, written once for both libraries."""
    lib = sys.modules[nn.__name__.split(".")[0]]  # tensorlite or torch

    class ViT(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Linear(49, 64)
            self.cls_token = nn.Parameter(lib.zeros(1, 1, 64))
            self.pos_embedding = nn.Parameter(lib.zeros(1, 17, 64))
            nn.init.normal_(self.pos_embedding, std=0.02)
            layer = nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, activation=nn.GELU(approximate="tanh"),
                                               batch_first=True, norm_first=True)
            self.encoder = nn.TransformerEncoder(layer, 2, norm=nn.LayerNorm(64), enable_nested_tensor=False)
            self.head = nn.Linear(64, 10)

        def forward(self, patches: Any) -> Any:  # (N, 16, 49)
            n = patches.shape[0]
            tokens = lib.cat([self.cls_token.expand(n, 1, 64), self.embed(patches)], dim=1)
            return self.head(self.encoder(tokens + self.pos_embedding)[:, 0])

    return ViT()


def tensorlite_trainer(model: str) -> Callable[[np.ndarray, np.ndarray], float]:
    """One training step of ``model`` in tensorlite: ``step(x, y) -> loss``."""
    import tensorlite as tl
    from tensorlite import nn
    from tensorlite.nn import functional as F
    from tensorlite.optim import Adam

    tl.manual_seed(0)
    net = build_model(nn, model)
    opt = Adam(net.parameters(), lr=LR)

    def step(x: np.ndarray, y: np.ndarray) -> float:
        opt.zero_grad()
        loss = F.cross_entropy(net(_shape_input(model, x)), y)
        loss.backward()
        opt.step()
        return float(loss.data)

    return step


def torch_trainer(model: str, threads: int) -> Callable[[np.ndarray, np.ndarray], float]:
    """The same step in PyTorch."""
    import torch
    from torch import nn

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = build_model(nn, model)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    cross_entropy = torch.nn.functional.cross_entropy

    def step(x: np.ndarray, y: np.ndarray) -> float:
        opt.zero_grad()
        loss = cross_entropy(net(torch.from_numpy(_shape_input(model, x))), torch.from_numpy(y))
        loss.backward()
        opt.step()
        return float(loss.item())

    return step


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (``VmHWM``, else ``ru_maxrss``)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20  # kB on Linux, bytes on macOS


def _malloc_like_tensorlite() -> None:
    """Give the PyTorch worker the malloc thresholds ``import tensorlite`` sets (tensorlite/backend.py),
    without importing tensorlite there: both sides then run under the same allocator settings, so
    the ratio compares the frameworks, not the allocator configuration."""
    spec = importlib.util.spec_from_file_location("_tensorlite_backend", ROOT / "tensorlite" / "backend.py")
    assert spec is not None and spec.loader is not None
    spec.loader.exec_module(importlib.util.module_from_spec(spec))  # runs _keep_freed_memory()


def worker(side: str, model: str, batch: int, samples: int, threads: int) -> int:
    """Serve one side of one row over stdin/stdout, one JSON line per command: ``epoch`` trains
    one epoch and answers its seconds; ``rss`` answers the peak memory; ``quit`` ends."""
    if side == "PyTorch":
        _malloc_like_tensorlite()
    x, y = make_data(samples)
    step = tensorlite_trainer(model) if side == "tensorlite" else torch_trainer(model, threads)
    for i in range(WARMUP_STEPS):
        step(x[i * batch:(i + 1) * batch], y[i * batch:(i + 1) * batch])
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "epoch":
            start = time.perf_counter()
            loss = 0.0
            for i in range(0, samples, batch):
                loss = step(x[i:i + batch], y[i:i + batch])
            seconds = time.perf_counter() - start
            print(json.dumps({"seconds": seconds, "loss": loss}), flush=True)
        elif command == "rss":
            print(json.dumps({"peak_rss_mb": peak_rss_mb()}), flush=True)
        elif command == "quit":
            break
    return 0


# ----------------------------------------------------------------------------------------------
# The coordinator

class Worker:
    """A worker process for one side of one row."""

    def __init__(self, side: str, model: str, batch: int, samples: int, threads: int) -> None:
        self.side = side
        env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.train", "--worker", side, "--models", model,
             "--batches", str(batch), "--samples", str(samples), "--threads", str(threads)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.ask(None)  # wait for "ready"

    def ask(self, command: str | None) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if command is not None:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"train: the {self.side} worker ended without answering "
                               f"{command or 'ready'!r} (exit status {self.proc.wait()})")
        return json.loads(line)

    def close(self) -> None:
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        self.proc.wait(timeout=60)


def torch_available() -> bool:
    """Whether ``import torch`` works (checked in a subprocess: this process stays torch-free)."""
    return subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0


def measure_row(model: str, batch: int, samples: int, rounds: int, threads: int,
                sides: tuple[str, ...]) -> dict[str, Any]:
    """Alternate the sides' epochs for ``rounds`` rounds; returns the row for the JSON file."""
    workers = {side: Worker(side, model, batch, samples, threads) for side in sides}
    seconds: dict[str, list[float]] = {side: [] for side in sides}
    try:
        for r in range(rounds):
            for side in sides[r % len(sides):] + sides[:r % len(sides)]:
                time.sleep(SETTLE_SECONDS)
                seconds[side].append(workers[side].ask("epoch")["seconds"])
        rss = {side: workers[side].ask("rss")["peak_rss_mb"] for side in sides}
    finally:
        for w in workers.values():
            w.close()
    row: dict[str, Any] = {"name": f"{model.upper()} batch {batch}", "model": model, "batch": batch,
                           "samples": samples, "rounds": rounds}
    for side in sides:
        row[side] = {"samples_per_s": statistics.median(samples / s for s in seconds[side]),
                     "samples_per_s_by_round": [samples / s for s in seconds[side]],
                     "peak_rss_mb": rss[side]}
    if len(sides) == 2:
        row["ratio"] = row["tensorlite"]["samples_per_s"] / row["PyTorch"]["samples_per_s"]
        row["rss_ratio"] = row["tensorlite"]["peak_rss_mb"] / row["PyTorch"]["peak_rss_mb"]
    return row


def format_row(row: dict[str, Any]) -> str:
    tl_, pt = row["tensorlite"], row.get("PyTorch")
    ratio = row.get("ratio")
    target = TARGETS[row["model"]]
    verdict = "" if ratio is None else ("PASS" if ratio >= target else "MISS")
    text = (f"{row['name']:<16} {tl_['samples_per_s']:>10,.0f} "
            f"{pt['samples_per_s'] if pt else float('nan'):>10,.0f} "
            f"{'n/a' if ratio is None else f'{ratio:.2f}x':>7} {f'>={target:g} {verdict}':>10} "
            f"{tl_['peak_rss_mb']:>8.0f} {pt['peak_rss_mb'] if pt else float('nan'):>8.0f} "
            f"{'n/a' if ratio is None else format(row['rss_ratio'], '.2f') + 'x':>7}")
    return text


HEADER = (f"{'model':<16} {'tl samp/s':>10} {'torch s/s':>10} {'tl/torch':>7} {'target':>10} "
          f"{'tl MiB':>8} {'torch MiB':>8} {'mem':>7}")


def run(models: tuple[str, ...] = MODELS, batches: tuple[int, ...] = BATCHES, samples: int = 10_000,
        rounds: int = 3, threads: int | None = None, with_torch: bool | None = None) -> list[dict[str, Any]]:
    """Measure and print every (model, batch) row; returns the rows."""
    if threads is None:
        from benchmarks.overhead import _numpy_threads
        threads = _numpy_threads()
    if with_torch is None:
        with_torch = torch_available()
    sides = SIDES if with_torch else SIDES[:1]
    print(f"end-to-end training, one epoch of {samples:,} samples per round, median of {rounds} "
          f"alternating rounds, Adam lr={LR:g}, float32" + ("" if with_torch else " (torch not installed)"))
    print(HEADER + "\n" + "-" * len(HEADER))
    rows = []
    for model in models:
        for batch in batches:
            row = measure_row(model, batch, samples, rounds, threads, sides)
            print(format_row(row), flush=True)
            rows.append(row)
    memory = [row["rss_ratio"] for row in rows if "rss_ratio" in row]
    if memory:
        verdict = "PASS" if max(memory) <= RSS_TARGET else "MISS"
        print(f"target: peak memory of every row <= {RSS_TARGET}x PyTorch's: at most {max(memory):.2f}x {verdict}")
    print()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.train", description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated: fnn,cnn,lstm,vit")
    parser.add_argument("--batches", default=",".join(map(str, BATCHES)), help="comma-separated batch sizes")
    parser.add_argument("--samples", type=int, default=10_000, help="samples per epoch (default 10000)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--threads", type=int, default=None, help="PyTorch threads (default: tensorlite's)")
    parser.add_argument("--no-torch", action="store_true", help="time tensorlite only")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    parser.add_argument("--worker", choices=SIDES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    models = tuple(m.strip().lower() for m in args.models.split(",") if m.strip())
    batches = tuple(int(b) for b in args.batches.split(",") if b.strip())
    if not models or any(m not in MODELS for m in models):
        parser.error(f"--models must name some of {', '.join(MODELS)}, got {args.models!r}")
    if not batches or min(batches) < 1 or args.samples < max(batches) * (WARMUP_STEPS + 1) or args.rounds < 1:
        parser.error("--batches, --samples and --rounds must be positive, with samples >= 4 batches")
    if args.worker:
        return worker(args.worker, models[0], batches[0], args.samples, args.threads or 1)
    rows = run(models, batches, args.samples, args.rounds, args.threads, False if args.no_torch else None)
    if args.json is not None:
        args.json.write_text(json.dumps({"results": rows}, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
