"""Rows of ../shared/BAD_INPUTS.md that the core and nn cover: each case raises the stated exception
type with a message naming the op and the values involved. One row per case: a new case is one line.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn, optim


def _leaf(*shape, dtype=np.float32):
    return tl.tensor(np.ones(shape, dtype=dtype), requires_grad=True)


def _second_backward():
    y = (_leaf(2) * 2).sum()
    y.backward()
    y.backward()


CASES = [
    # (row, case, call, exception, patterns the message must contain)
    (1, "int tensor requires_grad", lambda: tl.tensor([1, 2], requires_grad=True), TypeError,
     ["floating", "int64"]),
    (1, "requires_grad_ on int tensor", lambda: tl.arange(3).requires_grad_(), TypeError, ["int64"]),
    (2, "matmul inner dims", lambda: _leaf(2, 3) @ _leaf(4, 5), ValueError,
     ["matmul", r"\(2, 3\)", r"\(4, 5\)"]),
    (2, "matmul vector", lambda: tl.matmul(_leaf(3), _leaf(4)), ValueError, ["matmul", r"\(3,\)", r"\(4,\)"]),
    (2, "matmul batch dims", lambda: _leaf(2, 3, 4) @ _leaf(5, 4, 2), ValueError,
     ["matmul", "batch", r"\(2, 3, 4\)", r"\(5, 4, 2\)"]),
    (3, "elementwise add", lambda: _leaf(2) + _leaf(4), ValueError, ["add", r"\(2,\)", r"\(4,\)"]),
    (3, "elementwise mul", lambda: _leaf(2, 3) * _leaf(3, 2), ValueError, ["mul", r"\(2, 3\)", r"\(3, 2\)"]),
    (3, "maximum", lambda: tl.maximum(_leaf(2), _leaf(3)), ValueError, ["maximum", r"\(2,\)", r"\(3,\)"]),
    (3, "comparison", lambda: _leaf(2) < _leaf(3), ValueError, ["lt", r"\(2,\)", r"\(3,\)"]),
    (3, "broadcast_to", lambda: _leaf(3).broadcast_to(4, 2), ValueError, ["broadcast_to", r"\(3,\)", r"\(4, 2\)"]),
    (4, "Linear in_features", lambda: nn.Linear(3, 2)(_leaf(5, 4)), ValueError,
     [r"Linear\(in_features=3, out_features=2, bias=True\)", "expected input with last dim 3", r"\(5, 4\)"]),
    (4, "Linear on a scalar", lambda: nn.Linear(3, 2)(_leaf()), ValueError, [r"Linear\(in_features=3", r"\(\)"]),
    (5, "float64 input into float32 Linear", lambda: nn.Linear(2, 2)(np.ones((1, 2))), TypeError,
     [r"Linear\(in_features=2", "float64", "float32", "astype"]),
    (5, "float32 @ float64", lambda: _leaf(2, 2) @ _leaf(2, 2, dtype=np.float64), TypeError,
     ["matmul", "float32", "float64"]),
    (5, "float32 + float64 ndarray", lambda: _leaf(2) + np.ones(2), TypeError, ["add", "float32", "float64"]),
    (5, "cat float32 with float64", lambda: tl.cat([_leaf(2), _leaf(2, dtype=np.float64)]), TypeError,
     ["cat", "float32", "float64"]),
    (6, "backward on non-scalar", lambda: (_leaf(3) * 2).backward(), RuntimeError, ["scalar", r"\(3,\)"]),
    (7, "backward grad shape", lambda: (_leaf(3) * 2).backward(np.ones(4)), ValueError, [r"\(4,\)", r"\(3,\)"]),
    (8, "second backward", _second_backward, RuntimeError, ["second time", "retain_graph=True"]),
    (9, "backward without grad path", lambda: (tl.ones(3) * 2).sum().backward(), RuntimeError,
     ["does not require grad"]),
    (5, "float64 input into float32 Conv2D", lambda: nn.Conv2D(1, 1, 3)(np.ones((1, 1, 5, 5))), TypeError,
     [r"Conv2D\(1, 1, kernel_size=\(3, 3\)", "float64", "float32"]),
    (5, "float64 input into float32 LSTM", lambda: nn.LSTM(3, 2)(np.ones((1, 1, 3))), TypeError,
     [r"LSTM\(3, 2\)", "float64", "float32"]),
    (12, "Conv2D channels", lambda: nn.Conv2D(3, 4, 3)(_leaf(1, 2, 8, 8)), ValueError,
     [r"Conv2D\(3, 4, kernel_size=\(3, 3\)", "3 channels", r"\(1, 2, 8, 8\)"]),
    (12, "Conv2D ndim", lambda: nn.Conv2D(3, 4, 3)(_leaf(8, 8)), ValueError,
     [r"Conv2D\(3, 4", "3-D or 4-D", r"\(8, 8\)"]),
    (12, "conv1d weight channels", lambda: F.conv1d(_leaf(1, 2, 8), _leaf(4, 3, 3)), ValueError,
     ["conv1d", r"\(1, 2, 8\)", r"\(4, 3, 3\)"]),
    (13, "kernel larger than padded input", lambda: nn.Conv2D(1, 1, 5, padding=1)(_leaf(1, 1, 2, 2)),
     ValueError, [r"Conv2D\(1, 1, kernel_size=\(5, 5\)", r"\(4, 4\)", r"\(5, 5\)"]),
    (13, "pool output size 0", lambda: nn.MaxPool2D(4)(_leaf(1, 1, 3, 3)), ValueError,
     [r"MaxPool2D\(kernel_size=4", r"\(1, 1, 3, 3\)", r"output size would be \(0, 0\)"]),
    (13, "avg_pool1d output size 0", lambda: F.avg_pool1d(_leaf(1, 1, 2), 3), ValueError,
     ["avg_pool1d", r"\(1, 1, 2\)", r"\(0,\)"]),
    (14, "BatchNorm1D batch of 1 in training", lambda: nn.BatchNorm1D(3)(_leaf(1, 3)), ValueError,
     [r"BatchNorm1D\(3, eps=1e-05", "more than 1 value per channel", r"\(1, 3\)"]),
    (14, "BatchNorm1D features", lambda: nn.BatchNorm1D(3)(_leaf(4, 5)), ValueError,
     [r"BatchNorm1D\(3", "3 channels", r"\(4, 5\)"]),
    (14, "BatchNorm2D ndim", lambda: nn.BatchNorm2D(3)(_leaf(4, 3)), ValueError,
     [r"BatchNorm2D\(3", "4D", r"\(4, 3\)"]),
    (15, "CE target batch", lambda: nn.CrossEntropyLoss()(_leaf(4, 3), np.array([0, 1, 2])), ValueError,
     [r"CrossEntropyLoss\(\)", r"\(4, 3\)", r"\(3,\)"]),
    (15, "CE target out of range", lambda: nn.CrossEntropyLoss()(_leaf(4, 3), np.array([0, 1, 2, 3])),
     IndexError, [r"CrossEntropyLoss\(\)", "target 3", "3 classes"]),
    (15, "CE negative target", lambda: F.cross_entropy(_leaf(4, 3), np.array([0, 1, -2, 1])), IndexError,
     ["cross_entropy", "target -2"]),
    (15, "CE float index targets", lambda: nn.CrossEntropyLoss()(_leaf(4, 3), np.array([0.0, 1, 2, 1])),
     TypeError, [r"CrossEntropyLoss\(\)", "float64", r"\(4,\)", "integers"]),
    (15, "NLL target out of range", lambda: nn.NLLLoss()(_leaf(4, 3), np.array([0, 1, 5, 1])), IndexError,
     [r"NLLLoss\(\)", "target 5"]),
    (15, "CCE target out of range", lambda: nn.CCELoss()(_leaf(4, 3), np.array([0, 1, 5, 1])), IndexError,
     [r"CategoricalCrossEntropyLoss\(\)", "target 5"]),
    (15, "MSE shapes never broadcast", lambda: nn.MSELoss()(_leaf(4, 3), np.ones((4, 1), np.float32)),
     ValueError, [r"MSELoss\(\)", r"\(4, 3\)", r"\(4, 1\)"]),
    (16, "LSTM input_size", lambda: nn.LSTM(4, 8)(_leaf(5, 2, 3)), ValueError,
     [r"LSTM\(4, 8\)", "expected 4, got 3", r"\(5, 2, 3\)"]),
    (16, "GRU h0 shape", lambda: nn.GRU(4, 8)(_leaf(5, 2, 4), _leaf(1, 3, 8)), ValueError,
     [r"GRU\(4, 8\)", r"\(1, 2, 8\)", r"\(1, 3, 8\)"]),
    (16, "RNNCell input_size", lambda: nn.RNNCell(4, 8)(_leaf(2, 3)), ValueError,
     [r"RNNCell\(4, 8\)", "expected 4, got 3"]),
    (17, "optimizer lr < 0", lambda: optim.Adam([_leaf(2)], lr=-1), ValueError, ["Adam", "learning rate -1"]),
    (17, "optimizer empty params", lambda: optim.SGD([], lr=0.1), ValueError, ["SGD", "empty parameter list"]),
    (17, "optimizer bare tensor", lambda: optim.SGD(_leaf(2), lr=0.1), TypeError,
     ["SGD", "iterable of Tensors or dicts", "got Tensor"]),
    (17, "optimizer beta >= 1", lambda: optim.Adam([_leaf(2)], betas=(0.9, 1.0)), ValueError,
     ["Adam", "beta", "1.0", r"\[0, 1\)"]),
    (17, "optimizer beta < 0", lambda: optim.AdamW([_leaf(2)], betas=(-0.1, 0.9)), ValueError, ["AdamW", "-0.1"]),
    (17, "optimizer eps < 0", lambda: optim.RMSprop([_leaf(2)], eps=-1e-8), ValueError, ["RMSprop", "eps", "-1e-08"]),
    (17, "optimizer momentum < 0", lambda: optim.SGD([_leaf(2)], momentum=-0.5), ValueError,
     ["SGD", "momentum", "-0.5"]),
    (17, "nesterov without momentum", lambda: optim.SGD([_leaf(2)], nesterov=True), ValueError,
     ["SGD", "Nesterov", "momentum=0"]),
    (17, "optimizer int tensor", lambda: optim.SGD([tl.arange(3)]), TypeError, ["SGD", "floating", "int64"]),
    (17, "optimizer non-leaf tensor", lambda: optim.Adam([_leaf(2) * 2]), ValueError, ["Adam", "non-leaf", "Mul"]),
    (18, "reshape size", lambda: _leaf(6).reshape(4, 2), ValueError, ["reshape", r"\[4, 2\]", "6"]),
    (18, "reshape two -1", lambda: _leaf(6).reshape(-1, -1), ValueError, ["reshape", r"\[-1, -1\]"]),
    (19, "object array", lambda: tl.Tensor(np.array([object(), 1], dtype=object)), TypeError, ["object"]),
    (19, "string array", lambda: tl.tensor(np.array(["a", "b"])), TypeError, ["<U1"]),
    (19, "string list", lambda: tl.tensor(["a", "b"]), TypeError, ["dtype"]),
    (19, "complex array", lambda: tl.Tensor(np.ones(2, dtype=complex)), TypeError, ["complex128"]),
    (20, "load_state_dict", lambda: nn.Sequential(nn.Linear(2, 3)).load_state_dict(
        {"0.weight": np.zeros((2, 2)), "1.bias": np.zeros(3)}), KeyError,
     ["missing keys 0.bias", "unexpected keys 1.bias", r"0.weight: checkpoint shape \(2, 2\), model shape \(3, 2\)"]),
    (20, "load_state_dict shape, strict=False", lambda: nn.Linear(2, 3).load_state_dict(
        {"bias": np.zeros(2)}, strict=False), ValueError, [r"bias: checkpoint shape \(2,\), model shape \(3,\)"]),
    (21, "grad of unused input", lambda: tl.grad((_leaf(2) * 2).sum(), [_leaf(2)]), RuntimeError,
     ["not have been used", "allow_unused"]),
]


@pytest.mark.parametrize("row, case, call, exception, patterns", CASES,
                         ids=[f"row{c[0]}-{c[1]}" for c in CASES])
def test_bad_input(row, case, call, exception, patterns):
    with pytest.raises(exception) as info:
        call()
    for pattern in patterns:
        assert re.search(pattern, str(info.value)), (
            f"row {row} ({case}): message {str(info.value)!r} lacks {pattern!r}")


def test_every_row_of_core_and_nn_is_covered():
    # rows 10, 11 (in-place safety) belong to the reliability issue
    assert {c[0] for c in CASES} == {1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}
