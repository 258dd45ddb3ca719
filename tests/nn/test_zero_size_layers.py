"""Layers with a size of 0 build as in PyTorch 2.13 (nn.Linear(0, 3) died with ZeroDivisionError), with
PyTorch's warning where its initialiser warns ("Initializing zero-element tensors is a no-op", from
kaiming_uniform_ on a weight without elements), and PyTorch's refusals where it refuses (RNN layers)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn

torch = pytest.importorskip("torch")

NO_OP = "Initializing zero-element tensors is a no-op"

# (tensorlite layer, PyTorch layer) built from the same arguments
CASES = [
    ("Linear", "Linear", (0, 3)), ("Linear", "Linear", (3, 0)), ("Linear", "Linear", (0, 0)),
    ("Conv1D", "Conv1d", (0, 3, 3)), ("Conv2D", "Conv2d", (0, 3, 3)), ("Conv2D", "Conv2d", (3, 0, 3)),
    ("Conv2D", "Conv2d", (0, 0, 1)), ("Conv3D", "Conv3d", (0, 2, 1)),
    ("Embedding", "Embedding", (0, 3)), ("Embedding", "Embedding", (3, 0)),
    ("RNNCell", "RNNCell", (0, 3)), ("RNNCell", "RNNCell", (3, 0)), ("LSTMCell", "LSTMCell", (0, 3)),
    ("LSTMCell", "LSTMCell", (3, 0)), ("GRUCell", "GRUCell", (0, 3)), ("GRUCell", "GRUCell", (3, 0)),
    ("BatchNorm1D", "BatchNorm1d", (0,)), ("BatchNorm2D", "BatchNorm2d", (0,)), ("LayerNorm", "LayerNorm", (0,)),
    ("LayerNorm", "LayerNorm", ((2, 0),)),
]


def _build(factory, args):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        layer = factory(*args)
    return layer, [str(w.message) for w in caught]


@pytest.mark.parametrize("ours, theirs, args", CASES, ids=[f"{o}{a}" for o, _, a in CASES])
def test_zero_size_layers_build_as_in_pytorch_with_its_warnings(ours, theirs, args):
    layer, our_warnings = _build(getattr(nn, ours), args)
    reference, their_warnings = _build(getattr(torch.nn, theirs), args)
    assert our_warnings == their_warnings
    shapes = {name: tuple(p.shape) for name, p in layer.named_parameters()}
    assert shapes == {name: tuple(p.shape) for name, p in reference.named_parameters()}
    for name, p in layer.named_parameters():
        if name.startswith("bias") and p.size and ours in ("Linear", "Conv1D", "Conv2D", "Conv3D"):
            assert (p.data == 0).all()          # U(-0, 0): fan_in is 0, as in PyTorch


@pytest.mark.parametrize("ours, theirs", [("RNN", "RNN"), ("LSTM", "LSTM"), ("GRU", "GRU")])
@pytest.mark.parametrize("args", [(0, 3), (3, 0)])
def test_zero_size_recurrent_layers_are_refused_as_in_pytorch(ours, theirs, args):
    with pytest.raises(ValueError):
        getattr(torch.nn, theirs)(*args)
    with pytest.raises(ValueError, match=f"{ours}: (input|hidden)_size must be a positive int, got 0"):
        getattr(nn, ours)(*args)


def test_the_warning_is_pytorchs_and_points_at_the_caller():
    with pytest.warns(UserWarning, match=NO_OP) as caught:
        nn.Linear(0, 3)
    assert caught[0].filename.endswith("linear.py")     # where the layer initialises, as PyTorch
    with pytest.warns(UserWarning, match=NO_OP):
        nn.init.kaiming_normal_(tl.zeros(0, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.Linear(2, 3)                                    # no warning with elements


def test_zero_size_layers_run_forward_and_backward_as_pytorch():
    with pytest.warns(UserWarning, match=NO_OP):
        linear = nn.Linear(0, 3)
    x = tl.zeros(2, 0, requires_grad=True)
    out = linear(x)
    reference = torch.nn.functional.linear(torch.zeros(2, 0), torch.tensor(linear.weight.data),
                                           torch.tensor(linear.bias.data))
    np.testing.assert_array_equal(out.data, reference.numpy())
    out.sum().backward()
    assert x.grad.shape == (2, 0) and linear.weight.grad.shape == (3, 0)
    np.testing.assert_array_equal(linear.bias.grad, [2.0, 2.0, 2.0])
    with pytest.warns(UserWarning, match=NO_OP):
        conv = nn.Conv2D(0, 3, 1)
    assert conv(tl.zeros(1, 0, 2, 2)).shape == (1, 3, 2, 2)
