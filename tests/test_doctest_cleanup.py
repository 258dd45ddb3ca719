"""A test run leaves nothing behind in the temporary folder: the doctests' scratch folders (made with
``tempfile.mkdtemp()`` in the examples) are removed when each doctest ends (see ../conftest.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# every file whose examples write files (checkpoints, images, MNIST test files)
WRITERS = ["tensorlite/serialization.py", "tensorlite/training.py", "tensorlite/data/mnist.py",
           "tensorlite/viz.py", "docs/guide/models.rst", "docs/guide/training.rst", "docs/guide/graphs.rst"]


def test_the_doctests_leave_no_temporary_folders(tmp_path):
    """Each run left a dozen folders of checkpoints and images in /tmp."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch), "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           f"--basetemp={tmp_path / 'pytest'}", *WRITERS], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert " passed" in done.stdout
    assert sorted(p.name for p in scratch.iterdir()) == []
