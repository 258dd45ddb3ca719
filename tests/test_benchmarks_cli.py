"""``python -m benchmarks --help`` says how long each mode and part takes."""
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
