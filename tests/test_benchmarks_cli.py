"""The benchmarks' command line (``--help`` says how long each mode and part takes) and harness."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_help_says_how_long_each_mode_takes():
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--help"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert done.returncode == 0, done.stderr
    text = done.stdout
    full = re.search(r"python -m benchmarks +about (\d+) minutes: overhead .* min, layers .* min, train .* min", text)
    quick = re.search(r"python -m benchmarks --quick +(\d+) to (\d+) minutes", text)
    assert full and quick, text
    assert int(quick[2]) < int(full[1])
    assert "--no-torch" in text and "--only overhead|layers|train" in text


def test_thread_split_benchmark_runs_one_small_case():
    """``python -m benchmarks.thread_split`` times both configurations in fresh processes."""
    done = subprocess.run([sys.executable, "-m", "benchmarks.thread_split", "--models", "fnn", "--batches", "8"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
                          timeout=300)
    assert done.returncode == 0, done.stderr
    row = done.stdout.strip().splitlines()[-1].split()
    assert row[:2] == ["fnn", "8"] and row[-1].endswith("x") and float(row[2]) > 0 and float(row[3]) > 0


def test_training_benchmark_lets_spinning_threads_sleep_before_each_epoch(monkeypatch):
    """Each epoch starts SETTLE_SECONDS after the previous one ended: a BLAS or OpenMP pool's idle
    threads spin for a while after their last product and would take a core from the other side's
    epoch (PyTorch's FNN epochs right after a tensorlite epoch ran 20-26% slower without it)."""
    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks import train

    events: list[str] = []

    class FakeWorker:
        def __init__(self, side: str, *args: object) -> None:
            self.side = side

        def ask(self, command: str) -> dict[str, float]:
            events.append(f"{self.side}:{command}")
            return {"seconds": 1.0} if command == "epoch" else {"peak_rss_mb": 1.0}

        def close(self) -> None:
            pass

    monkeypatch.setattr(train, "Worker", FakeWorker)
    monkeypatch.setattr(train.time, "sleep", lambda seconds: events.append(f"sleep {seconds}"))
    train.measure_row("fnn", 64, 640, 2, 1, train.SIDES)
    epochs = [i for i, e in enumerate(events) if e.endswith(":epoch")]
    assert len(epochs) == 4 and train.SETTLE_SECONDS >= 0.2  # OpenBLAS spins about 0.13 s
    assert all(events[i - 1] == f"sleep {train.SETTLE_SECONDS}" for i in epochs), events
