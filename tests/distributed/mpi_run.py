"""Run a worker script under ``mpiexec -n N`` (real MPI processes) with a hard timeout."""
from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def mpiexec() -> str:
    """The ``mpiexec`` next to this Python (the MPICH wheel's), else the one on PATH; skip
    the test when mpi4py or mpiexec is missing."""
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip('the MPI tests need mpi4py and mpiexec: pip install ".[mpi]"')
    local = Path(sys.executable).parent / "mpiexec"
    found = str(local) if local.exists() else shutil.which("mpiexec")
    if found is None:
        pytest.skip('the MPI tests need mpiexec: pip install ".[mpi]" (the MPICH wheel brings it)')
    return found


def run_mpi(args: list[str], n: int = 2, timeout: float = 60, expect_ok: bool = True,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``mpiexec -n n python args...``; a hang fails the test after ``timeout`` seconds."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    command = [mpiexec(), "-n", str(n), sys.executable, *args]
    # a session of its own, so that a hang can be ended with every process mpiexec started
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env, cwd=cwd or ROOT, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"{' '.join(command)} hung: no exit after {timeout} s\n"
                    f"stdout:\n{stdout}\nstderr:\n{stderr}")
    done = subprocess.CompletedProcess(command, process.returncode, stdout, stderr)
    if expect_ok and done.returncode != 0:
        pytest.fail(f"{' '.join(command)} exited with {done.returncode}\n"
                    f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}")
    return done
