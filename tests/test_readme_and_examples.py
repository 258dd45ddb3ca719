"""The README's Python example and the demo script run as documented."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def test_readme_python_blocks_run():
    """The autograd example fills the grads; the op example passes its own gradcheck assert; the
    nn example's explicit-backward pass gives the gradients loss.backward() gave."""
    blocks = re.findall(r"```python\n(.*?)```", (ROOT / "README.md").read_text(), flags=re.S)
    assert len(blocks) == 3, "README.md should hold the autograd, op and nn examples"
    namespaces = []
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)
        namespaces.append(namespace)
    assert namespaces[0]["x"].grad.shape == (2, 2) and namespaces[0]["w"].grad.shape == (2, 3)
    assert namespaces[1]["x"].grad is None          # gradcheck goes through tl.grad
    nn_example = namespaces[2]
    assert nn_example["dx"].shape == (32, 1, 28, 28)
    for name, p in nn_example["model"].named_parameters():
        np.testing.assert_allclose(p.grad, nn_example["grads"][name], rtol=1e-5, atol=1e-7, err_msg=name)


def test_autograd_demo_learns_the_spirals(capsys):
    spec = importlib.util.spec_from_file_location("autograd_demo", ROOT / "examples" / "autograd_demo.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    accuracy = demo.main(steps=900)
    assert accuracy > 0.95
    assert "final accuracy" in capsys.readouterr().out
