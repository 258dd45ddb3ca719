"""TENSORLITE_REQUIRE_TORCH=1 (set by CI after it installs torch) makes the PyTorch comparisons
run or fail, never skip: checked by running pytest on a comparison module in a subprocess, with
torch made unimportable by a small plugin, before pytest starts or once it has started."""
from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULE = "tests/nn/test_torch_conv.py"  # starts with pytest.importorskip("torch")
BLOCK_AT_START = "import sys\nsys.modules['torch'] = None\n"
BLOCK_AFTER_CONFIGURE = "import sys\n\ndef pytest_sessionstart(session):\n    sys.modules['torch'] = None\n"


def _pytest(tmp_path, require, plugin):
    (tmp_path / f"{plugin}.py").write_text({"block_at_start": BLOCK_AT_START,
                                            "block_after_configure": BLOCK_AFTER_CONFIGURE}[plugin])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)]),
           "TENSORLITE_REQUIRE_TORCH": require}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", plugin,
                           "-rs", MODULE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_without_the_variable_the_comparisons_skip_when_torch_is_missing(tmp_path):
    done = _pytest(tmp_path, "", "block_at_start")
    assert done.returncode in (0, 5), done.stdout + done.stderr  # 5: every test skipped, none collected
    assert "skipped" in done.stdout and "could not import 'torch'" in done.stdout


def test_with_the_variable_a_missing_torch_is_an_error_that_says_what_to_install(tmp_path):
    done = _pytest(tmp_path, "1", "block_at_start")
    assert done.returncode != 0
    assert "TENSORLITE_REQUIRE_TORCH is set, but torch does not import" in done.stderr
    assert "pip install torch==2.13.0" in done.stderr


@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_with_the_variable_a_skip_for_torch_fails(tmp_path):
    done = _pytest(tmp_path, "1", "block_after_configure")
    assert done.returncode != 0, done.stdout
    assert "TENSORLITE_REQUIRE_TORCH is set, but this skipped" in done.stdout
    assert "could not import 'torch'" in done.stdout
