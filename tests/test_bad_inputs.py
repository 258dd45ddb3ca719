"""Every row of ../shared/BAD_INPUTS.md: each case raises the stated exception type with a message
naming the op or layer (its repr) and the values involved. One row per case: a new case is one line.

The end of the file checks the table's "Also:" paragraph: strided and negative-stride NumPy inputs
are accepted and get correct gradients, and NaN/inf inputs are numbers, not errors.
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


def _backward_after(write, f=lambda w, x: w * x):
    """Record f(w, x), run ``write(w, x)``, then backward: row 11's saved-memory check."""
    w, x = _leaf(2, 3), tl.tensor(np.ones((2, 3), dtype=np.float32))
    y = f(w, x).sum()
    write(w, x)
    y.backward()


def _optimizer_step_between_forward_and_backward():
    model = nn.Linear(3, 2)
    loss = model(_leaf(4, 3)).sum()
    for p in model.parameters():
        p.grad = np.ones_like(p.data)
    optim.SGD(model.parameters(), lr=0.1).step()
    loss.backward()


def _second_backward():
    y = (_leaf(2) * 2).sum()
    y.backward()
    y.backward()


def _second_grad():
    x = _leaf(3)
    y = (x * x).sum()
    tl.grad(y, [x])
    tl.grad(y, [x])


def _stepped(opt_class, *shapes, **options):
    """An optimizer over fresh parameters of ``shapes`` after one step (so it has state)."""
    params = [_leaf(*s) for s in shapes]
    opt = opt_class(params, **options)
    for p in params:
        p.grad = np.ones(p.shape, np.float32)
    opt.step()
    return opt


def _optimizer_state_mismatch():
    """Every problem at once: an invalid lr in the saved group and two swapped state shapes."""
    sd = _stepped(optim.Adam, (2,), (3,)).state_dict()
    sd["param_groups"][0]["lr"] = -1
    optim.Adam([_leaf(3), _leaf(2)]).load_state_dict(sd)


OPTIMIZERS = [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop]
WITH_EPS = [optim.Adam, optim.AdamW, optim.RMSprop]
WITH_BETAS = [optim.Adam, optim.AdamW]

CASES = [
    # (row, case, call, exception, patterns the message must contain)
    (1, "int tensor requires_grad", lambda: tl.tensor([1, 2], requires_grad=True), TypeError,
     ["floating", "int64"]),
    (1, "requires_grad = True on int tensor", lambda: setattr(tl.arange(3), "requires_grad", True), TypeError,
     ["int64", r"\(3,\)"]),
    (1, "requires_grad = False on a computed tensor", lambda: setattr(_leaf(2) * 2, "requires_grad", False),
     RuntimeError, ["Mul", "detach"]),
    (1, "requires_grad_ on int tensor", lambda: tl.arange(3).requires_grad_(), TypeError, ["int64"]),
    (1, "bool tensor requires_grad", lambda: tl.tensor([True], requires_grad=True), TypeError, ["floating", "bool"]),
    (1, "Tensor(int ndarray) requires_grad", lambda: tl.Tensor(np.arange(3), requires_grad=True), TypeError,
     ["int64", r"\(3,\)"]),
    (1, "int factory requires_grad", lambda: tl.zeros(3, dtype=np.int32, requires_grad=True), TypeError, ["int32"]),
    (1, "int Parameter", lambda: nn.Parameter(np.arange(3)), TypeError, ["floating", "int64"]),
    (2, "matmul inner dims", lambda: _leaf(2, 3) @ _leaf(4, 5), ValueError,
     ["matmul", r"\(2, 3\)", r"\(4, 5\)"]),
    (2, "matmul vector", lambda: tl.matmul(_leaf(3), _leaf(4)), ValueError, ["matmul", r"\(3,\)", r"\(4,\)"]),
    (2, "matmul vector @ matrix", lambda: _leaf(3) @ _leaf(4, 5), ValueError, ["matmul", r"\(3,\)", r"\(4, 5\)"]),
    (2, "matmul matrix @ vector", lambda: _leaf(3, 4) @ _leaf(5), ValueError, ["matmul", r"\(3, 4\)", r"\(5,\)"]),
    (2, "matmul of a 0-d tensor", lambda: _leaf() @ _leaf(3), ValueError, ["matmul", r"\(\)", r"\(3,\)"]),
    (2, "matmul batch dims", lambda: _leaf(2, 3, 4) @ _leaf(5, 4, 2), ValueError,
     ["matmul", "batch", r"\(2, 3, 4\)", r"\(5, 4, 2\)"]),
    (3, "elementwise add", lambda: _leaf(2) + _leaf(4), ValueError, ["add", r"\(2,\)", r"\(4,\)"]),
    (3, "elementwise sub", lambda: _leaf(2, 3) - _leaf(4), ValueError, ["sub", r"\(2, 3\)", r"\(4,\)"]),
    (3, "elementwise mul", lambda: _leaf(2, 3) * _leaf(3, 2), ValueError, ["mul", r"\(2, 3\)", r"\(3, 2\)"]),
    (3, "elementwise div", lambda: _leaf(2) / _leaf(3), ValueError, ["div", r"\(2,\)", r"\(3,\)"]),
    (3, "elementwise pow", lambda: _leaf(2) ** _leaf(3), ValueError, ["pow", r"\(2,\)", r"\(3,\)"]),
    (3, "maximum", lambda: tl.maximum(_leaf(2), _leaf(3)), ValueError, ["maximum", r"\(2,\)", r"\(3,\)"]),
    (3, "minimum", lambda: tl.minimum(_leaf(2), _leaf(3)), ValueError, ["minimum", r"\(2,\)", r"\(3,\)"]),
    (3, "where", lambda: tl.where(np.ones(2, bool), _leaf(3), _leaf(2)), ValueError,
     ["where", r"\(2,\)", r"\(3,\)"]),
    (3, "comparison", lambda: _leaf(2) < _leaf(3), ValueError, ["lt", r"\(2,\)", r"\(3,\)"]),
    (3, "broadcast_to", lambda: _leaf(3).broadcast_to(4, 2), ValueError, ["broadcast_to", r"\(3,\)", r"\(4, 2\)"]),
    (4, "Linear in_features", lambda: nn.Linear(3, 2)(_leaf(5, 4)), ValueError,
     [r"Linear\(in_features=3, out_features=2, bias=True\)", "expected input with last dim 3", r"\(5, 4\)"]),
    (4, "Linear on a 3-D input", lambda: nn.Linear(3, 2)(_leaf(2, 5, 4)), ValueError,
     [r"Linear\(in_features=3", r"\(2, 5, 4\)", "last dim 4"]),
    (4, "Linear on a scalar", lambda: nn.Linear(3, 2)(_leaf()), ValueError, [r"Linear\(in_features=3", r"\(\)"]),
    (4, "F.linear weight", lambda: F.linear(_leaf(2, 3), _leaf(4, 5)), ValueError,
     ["linear", r"\(2, 3\)", r"\(4, 5\)"]),
    (5, "float64 input into float32 Linear", lambda: nn.Linear(2, 2)(np.ones((1, 2))), TypeError,
     [r"Linear\(in_features=2", "float64", "float32", "astype"]),
    (5, "float32 @ float64", lambda: _leaf(2, 2) @ _leaf(2, 2, dtype=np.float64), TypeError,
     ["matmul", "float32", "float64"]),
    (5, "float32 + float64 ndarray", lambda: _leaf(2) + np.ones(2), TypeError, ["add", "float32", "float64"]),
    (5, "cat float32 with float64", lambda: tl.cat([_leaf(2), _leaf(2, dtype=np.float64)]), TypeError,
     ["cat", "float32", "float64"]),
    (5, "float64 input into float32 Conv2D", lambda: nn.Conv2D(1, 1, 3)(np.ones((1, 1, 5, 5))), TypeError,
     [r"Conv2D\(1, 1, kernel_size=\(3, 3\)", "float64", "float32"]),
    (5, "float64 input into float32 LSTM", lambda: nn.LSTM(3, 2)(np.ones((1, 1, 3))), TypeError,
     [r"LSTM\(3, 2\)", "float64", "float32"]),
    (5, "float64 input into float32 BatchNorm2D", lambda: nn.BatchNorm2D(3)(np.ones((2, 3, 4, 4))), TypeError,
     [r"BatchNorm2D\(3", "float64", r"\(2, 3, 4, 4\)", "float32"]),
    (5, "float64 input into float32 LayerNorm", lambda: nn.LayerNorm(4)(np.ones((2, 4))), TypeError,
     [r"LayerNorm\(\(4,\)", "float64", "float32"]),
    (6, "backward on non-scalar", lambda: (_leaf(3) * 2).backward(), RuntimeError, ["scalar", r"\(3,\)"]),
    (6, "grad() of a non-scalar", lambda: tl.grad(_leaf(3) * 2, [_leaf(3)]), RuntimeError,
     ["grad", "scalar", r"\(3,\)"]),
    (7, "backward grad shape", lambda: (_leaf(3) * 2).backward(np.ones(4)), ValueError, [r"\(4,\)", r"\(3,\)"]),
    (7, "grad() grad_outputs shape", lambda: tl.grad(_leaf(3) * 2, [_leaf(3)], grad_outputs=[np.ones(4)]),
     ValueError, ["grad", r"\(4,\)", r"\(3,\)"]),
    (8, "second backward", _second_backward, RuntimeError, ["second time", "retain_graph=True"]),
    (8, "second grad()", _second_grad, RuntimeError, ["second time", "retain_graph=True"]),
    (9, "backward without grad path", lambda: (tl.ones(3) * 2).sum().backward(), RuntimeError,
     ["does not require grad"]),
    (9, "grad() without grad path", lambda: tl.grad((tl.ones(3) * 2).sum(), [_leaf(3)]), RuntimeError,
     ["grad", "does not require grad", r"\(\)"]),
    (10, "add_ on a leaf", lambda: _leaf(3).add_(1.0), RuntimeError,
     ["add_", "leaf tensor that requires grad", r"\(3,\)", "no_grad"]),
    (10, "+= on a parameter", lambda: nn.Linear(2, 2).weight.__iadd__(1.0), RuntimeError,
     ["add_", "leaf", r"\(2, 2\)", "float32"]),
    (10, "setitem on a leaf", lambda: _leaf(2, 2).__setitem__((0, 0), 5.0), RuntimeError,
     ["__setitem__", "leaf", r"\(2, 2\)"]),
    (10, "zero_ on a leaf", lambda: _leaf(4).zero_(), RuntimeError, ["fill_", "leaf", r"\(4,\)"]),
    (11, "saved input changed by mul_ under no_grad",
     lambda: _backward_after(lambda w, x: x.mul_(2)), RuntimeError,
     ["Mul", r"output shape \(2, 3\)", "Tensor.mul_", "version 1"]),
    (11, "saved parameter changed under no_grad",
     lambda: _backward_after(lambda w, x: tl.no_grad()(w.sub_)(0.1), lambda w, x: w * w), RuntimeError,
     ["Mul", r"shape \(2, 3\)", "Tensor.sub_", "version 1"]),
    (11, "optimizer step between forward and backward", _optimizer_step_between_forward_and_backward,
     RuntimeError, ["Linear", r"\(4, 2\)", "optimizer step", "version"]),
    (11, "x[i] = v on a saved input", lambda: _backward_after(lambda w, x: x.__setitem__(0, 3.0)),
     RuntimeError, ["Mul", "Tensor.__setitem__", "version 1"]),
    (12, "Conv2D channels", lambda: nn.Conv2D(3, 4, 3)(_leaf(1, 2, 8, 8)), ValueError,
     [r"Conv2D\(3, 4, kernel_size=\(3, 3\)", "3 channels", r"\(1, 2, 8, 8\)"]),
    (12, "Conv2D ndim", lambda: nn.Conv2D(3, 4, 3)(_leaf(8, 8)), ValueError,
     [r"Conv2D\(3, 4", "3-D or 4-D", r"\(8, 8\)"]),
    (12, "Conv2D groups channels", lambda: nn.Conv2D(4, 4, 3, groups=2)(_leaf(1, 2, 8, 8)), ValueError,
     [r"Conv2D\(4, 4, .*groups=2\)", "4 channels", r"\(1, 2, 8, 8\)"]),
    (12, "Conv1D channels", lambda: nn.Conv1D(3, 4, 3)(_leaf(1, 2, 8)), ValueError,
     [r"Conv1D\(3, 4, kernel_size=\(3,\)", "3 channels", r"\(1, 2, 8\)"]),
    (12, "Conv1D ndim", lambda: nn.Conv1D(3, 4, 3)(_leaf(1, 1, 3, 8)), ValueError,
     [r"Conv1D\(3, 4", "2-D or 3-D", r"\(1, 1, 3, 8\)"]),
    (12, "Conv3D channels", lambda: nn.Conv3D(3, 4, 3)(_leaf(1, 2, 5, 5, 5)), ValueError,
     [r"Conv3D\(3, 4, kernel_size=\(3, 3, 3\)", "3 channels", r"\(1, 2, 5, 5, 5\)"]),
    (12, "Conv3D ndim", lambda: nn.Conv3D(3, 4, 3)(_leaf(3, 5, 5)), ValueError,
     [r"Conv3D\(3, 4", "4-D or 5-D", r"\(3, 5, 5\)"]),
    (12, "conv1d weight channels", lambda: F.conv1d(_leaf(1, 2, 8), _leaf(4, 3, 3)), ValueError,
     ["conv1d", r"\(1, 2, 8\)", r"\(4, 3, 3\)"]),
    (12, "MaxPool1D ndim", lambda: nn.MaxPool1D(2)(_leaf(8)), ValueError,
     [r"MaxPool1D\(kernel_size=2", "2-D or 3-D", r"\(8,\)"]),
    (12, "MaxPool2D ndim", lambda: nn.MaxPool2D(2)(_leaf(8, 8)), ValueError,
     [r"MaxPool2D\(kernel_size=2", "3-D or 4-D", r"\(8, 8\)"]),
    (12, "MaxPool3D ndim", lambda: nn.MaxPool3D(2)(_leaf(8, 8)), ValueError,
     [r"MaxPool3D\(kernel_size=2", "4-D or 5-D", r"\(8, 8\)"]),
    (12, "AvgPool1D ndim", lambda: nn.AvgPool1D(2)(_leaf(8)), ValueError,
     [r"AvgPool1D\(kernel_size=\(2,\)", "2-D or 3-D", r"\(8,\)"]),
    (12, "AvgPool2D ndim", lambda: nn.AvgPool2D(2)(_leaf(1, 1, 1, 8, 8)), ValueError,
     [r"AvgPool2D\(kernel_size=2", "3-D or 4-D", r"\(1, 1, 1, 8, 8\)"]),
    (12, "AvgPool3D ndim", lambda: nn.AvgPool3D(2)(_leaf(8, 8)), ValueError,
     [r"AvgPool3D\(kernel_size=2", "4-D or 5-D", r"\(8, 8\)"]),
    (12, "max_pool2d ndim", lambda: F.max_pool2d(_leaf(8, 8), 2), ValueError, ["max_pool2d", r"\(8, 8\)"]),
    (13, "kernel larger than padded input", lambda: nn.Conv2D(1, 1, 5, padding=1)(_leaf(1, 1, 2, 2)),
     ValueError, [r"Conv2D\(1, 1, kernel_size=\(5, 5\)", r"\(4, 4\)", r"\(5, 5\)"]),
    (13, "Conv1D kernel larger than input", lambda: nn.Conv1D(1, 1, 5)(_leaf(1, 1, 3)), ValueError,
     [r"Conv1D\(1, 1, kernel_size=\(5,\)", r"\(3,\)", r"\(5,\)", r"\(1, 1, 3\)"]),
    (13, "Conv3D kernel larger than input", lambda: nn.Conv3D(1, 1, 3)(_leaf(1, 1, 2, 4, 4)), ValueError,
     [r"Conv3D\(1, 1, kernel_size=\(3, 3, 3\)", r"\(2, 4, 4\)", r"\(3, 3, 3\)"]),
    (13, "conv2d dilated kernel too large", lambda: F.conv2d(_leaf(1, 1, 4, 4), _leaf(1, 1, 3, 3), dilation=2),
     ValueError, ["conv2d", r"\(4, 4\)", "dilated", r"\(5, 5\)"]),
    (13, "pool output size 0", lambda: nn.MaxPool2D(4)(_leaf(1, 1, 3, 3)), ValueError,
     [r"MaxPool2D\(kernel_size=4", r"\(1, 1, 3, 3\)", r"output size would be \(0, 0\)"]),
    (13, "MaxPool1D output size 0", lambda: nn.MaxPool1D(3)(_leaf(1, 1, 2)), ValueError,
     [r"MaxPool1D\(kernel_size=3", r"\(1, 1, 2\)", r"output size would be \(0,\)"]),
    (13, "MaxPool3D output size 0", lambda: nn.MaxPool3D(3)(_leaf(1, 1, 2, 4, 4)), ValueError,
     [r"MaxPool3D\(kernel_size=3", r"\(1, 1, 2, 4, 4\)", r"output size would be \(0, 1, 1\)"]),
    (13, "avg_pool1d output size 0", lambda: F.avg_pool1d(_leaf(1, 1, 2), 3), ValueError,
     ["avg_pool1d", r"\(1, 1, 2\)", r"\(0,\)"]),
    (13, "AvgPool2D output size 0", lambda: nn.AvgPool2D(3)(_leaf(1, 1, 2, 4)), ValueError,
     [r"AvgPool2D\(kernel_size=3", r"\(1, 1, 2, 4\)", r"output size would be \(0, 1\)"]),
    (13, "AvgPool3D output size 0", lambda: nn.AvgPool3D(2)(_leaf(1, 1, 1, 4, 4)), ValueError,
     [r"AvgPool3D\(kernel_size=2", r"\(1, 1, 1, 4, 4\)", r"output size would be \(0, 2, 2\)"]),
    (13, "pool padding over half the kernel", lambda: nn.MaxPool2D(2, padding=2)(_leaf(1, 1, 4, 4)), ValueError,
     [r"MaxPool2D\(kernel_size=2", r"padding \(2, 2\)", "half"]),
    (14, "BatchNorm1D batch of 1 in training", lambda: nn.BatchNorm1D(3)(_leaf(1, 3)), ValueError,
     [r"BatchNorm1D\(3, eps=1e-05", "more than 1 value per channel", r"\(1, 3\)"]),
    (14, "BatchNorm1D (N, C, L) with N*L = 1", lambda: nn.BatchNorm1D(3)(_leaf(1, 3, 1)), ValueError,
     [r"BatchNorm1D\(3", "more than 1 value per channel", r"\(1, 3, 1\)"]),
    (14, "BatchNorm1D features", lambda: nn.BatchNorm1D(3)(_leaf(4, 5)), ValueError,
     [r"BatchNorm1D\(3", "3 channels", r"\(4, 5\)"]),
    (14, "BatchNorm1D (N, C, L) features", lambda: nn.BatchNorm1D(3)(_leaf(4, 5, 6)), ValueError,
     [r"BatchNorm1D\(3", "3 channels", r"\(4, 5, 6\)"]),
    (14, "BatchNorm1D ndim", lambda: nn.BatchNorm1D(3)(_leaf(2, 3, 4, 4)), ValueError,
     [r"BatchNorm1D\(3", "2D or 3D", r"\(2, 3, 4, 4\)"]),
    (14, "BatchNorm2D ndim", lambda: nn.BatchNorm2D(3)(_leaf(4, 3)), ValueError,
     [r"BatchNorm2D\(3", "4D", r"\(4, 3\)"]),
    (14, "BatchNorm2D channels", lambda: nn.BatchNorm2D(3)(_leaf(2, 4, 5, 5)), ValueError,
     [r"BatchNorm2D\(3", "3 channels", r"\(2, 4, 5, 5\)"]),
    (14, "BatchNorm2D one value per channel", lambda: nn.BatchNorm2D(3)(_leaf(1, 3, 1, 1)), ValueError,
     [r"BatchNorm2D\(3", "more than 1 value per channel", r"\(1, 3, 1, 1\)"]),
    (14, "batch_norm batch of 1 in training", lambda: F.batch_norm(_leaf(1, 3), None, None, training=True),
     ValueError, ["batch_norm", "more than 1 value per channel", r"\(1, 3\)"]),
    (14, "LayerNorm trailing dims", lambda: nn.LayerNorm(4)(_leaf(2, 5)), ValueError,
     [r"LayerNorm\(\(4,\)", r"\(4,\)", r"\(2, 5\)"]),
    (15, "CE target batch", lambda: nn.CrossEntropyLoss()(_leaf(4, 3), np.array([0, 1, 2])), ValueError,
     [r"CrossEntropyLoss\(\)", r"\(4, 3\)", r"\(3,\)"]),
    (15, "CE index target shape", lambda: nn.CrossEntropyLoss()(_leaf(4, 3), np.zeros((4, 2), np.int64)),
     ValueError, [r"CrossEntropyLoss\(\)", r"\(4,\)", r"\(4, 2\)"]),
    (15, "CE spatial target shape", lambda: nn.CrossEntropyLoss()(_leaf(2, 3, 5), np.zeros((2, 4), np.int64)),
     ValueError, [r"CrossEntropyLoss\(\)", r"\(2, 5\)", r"\(2, 4\)", r"\(2, 3, 5\)"]),
    (15, "CE target out of range", lambda: nn.CrossEntropyLoss()(_leaf(4, 3), np.array([0, 1, 2, 3])),
     IndexError, [r"CrossEntropyLoss\(\)", "target 3", "3 classes"]),
    (15, "CE negative target", lambda: F.cross_entropy(_leaf(4, 3), np.array([0, 1, -2, 1])), IndexError,
     ["cross_entropy", "target -2"]),
    (15, "CE float index targets", lambda: nn.CrossEntropyLoss()(_leaf(4, 3), np.array([0.0, 1, 2, 1])),
     TypeError, [r"CrossEntropyLoss\(\)", "float64", r"\(4,\)", "integers"]),
    (15, "CE bool targets", lambda: nn.CrossEntropyLoss()(_leaf(4, 3), np.array([True, False, True, False])),
     TypeError, [r"CrossEntropyLoss\(\)", "bool", "integers"]),
    (15, "CE probability target shape", lambda: nn.CrossEntropyLoss()(_leaf(4, 3), np.ones((4, 2), np.float32)),
     TypeError, [r"CrossEntropyLoss\(\)", r"\(4, 2\)", r"probabilities .*\(4, 3\)"]),
    (15, "NLL target batch", lambda: nn.NLLLoss()(_leaf(4, 3), np.array([0, 1, 2])), ValueError,
     [r"NLLLoss\(\)", r"\(4, 3\)", r"\(3,\)"]),
    (15, "NLL target out of range", lambda: nn.NLLLoss()(_leaf(4, 3), np.array([0, 1, 5, 1])), IndexError,
     [r"NLLLoss\(\)", "target 5"]),
    (15, "NLL negative target", lambda: F.nll_loss(_leaf(4, 3), np.array([0, 1, -3, 1])), IndexError,
     ["nll_loss", "target -3", "3 classes"]),
    (15, "NLL float targets", lambda: nn.NLLLoss()(_leaf(4, 3), np.array([0.0, 1, 2, 1])), TypeError,
     [r"NLLLoss\(\)", "float64", "is not class indices", "integers"]),
    (15, "CCE target out of range", lambda: nn.CCELoss()(_leaf(4, 3), np.array([0, 1, 5, 1])), IndexError,
     [r"CategoricalCrossEntropyLoss\(\)", "target 5"]),
    (15, "MSE shapes never broadcast", lambda: nn.MSELoss()(_leaf(4, 3), np.ones((4, 1), np.float32)),
     ValueError, [r"MSELoss\(\)", r"\(4, 3\)", r"\(4, 1\)"]),
    (15, "BCE shapes", lambda: nn.BCELoss()(_leaf(4, 1), np.ones(4, np.float32)), ValueError,
     [r"BCELoss\(\)", r"\(4, 1\)", r"\(4,\)"]),
    (15, "BCEWithLogits shapes", lambda: nn.BCEWithLogitsLoss()(_leaf(4, 1), np.ones(4, np.float32)), ValueError,
     [r"BCEWithLogitsLoss\(\)", r"\(4, 1\)", r"\(4,\)"]),
    (16, "LSTM input_size", lambda: nn.LSTM(4, 8)(_leaf(5, 2, 3)), ValueError,
     [r"LSTM\(4, 8\)", "expected 4, got 3", r"\(5, 2, 3\)"]),
    (16, "LSTM batch_first input_size", lambda: nn.LSTM(4, 8, batch_first=True)(_leaf(2, 5, 3)), ValueError,
     [r"LSTM\(4, 8, batch_first=True\)", "expected 4, got 3", r"\(2, 5, 3\)"]),
    (16, "GRU input_size", lambda: nn.GRU(4, 8)(_leaf(5, 2, 3)), ValueError,
     [r"GRU\(4, 8\)", "expected 4, got 3", r"\(5, 2, 3\)"]),
    (16, "RNN input_size", lambda: nn.RNN(4, 8)(_leaf(5, 2, 3)), ValueError,
     [r"RNN\(4, 8\)", "expected 4, got 3", r"\(5, 2, 3\)"]),
    (16, "LSTM ndim", lambda: nn.LSTM(4, 8)(_leaf(5, 2, 4, 1)), ValueError,
     [r"LSTM\(4, 8\)", "3-D", r"\(5, 2, 4, 1\)"]),
    (16, "LSTM c0 shape", lambda: nn.LSTM(4, 8)(_leaf(5, 2, 4), (_leaf(1, 2, 8), _leaf(2, 2, 8))), ValueError,
     [r"LSTM\(4, 8\)", r"c0 of shape \(1, 2, 8\)", r"\(2, 2, 8\)"]),
    (16, "bidirectional LSTM h0 shape", lambda: nn.LSTM(4, 8, bidirectional=True)(
        _leaf(5, 2, 4), (_leaf(1, 2, 8), _leaf(1, 2, 8))), ValueError,
     [r"LSTM\(4, 8, bidirectional=True\)", r"h0 of shape \(2, 2, 8\)", r"\(1, 2, 8\)"]),
    (16, "GRU h0 shape", lambda: nn.GRU(4, 8)(_leaf(5, 2, 4), _leaf(1, 3, 8)), ValueError,
     [r"GRU\(4, 8\)", r"\(1, 2, 8\)", r"\(1, 3, 8\)"]),
    (16, "RNNCell input_size", lambda: nn.RNNCell(4, 8)(_leaf(2, 3)), ValueError,
     [r"RNNCell\(4, 8\)", "expected 4, got 3"]),
    (16, "LSTMCell input_size", lambda: nn.LSTMCell(4, 8)(_leaf(2, 3)), ValueError,
     [r"LSTMCell\(4, 8\)", "expected 4, got 3", r"\(2, 3\)"]),
    (16, "GRUCell input_size", lambda: nn.GRUCell(4, 8)(_leaf(2, 3)), ValueError,
     [r"GRUCell\(4, 8\)", "expected 4, got 3", r"\(2, 3\)"]),
    *[(17, f"{o.__name__} lr < 0", lambda o=o: o([_leaf(2)], lr=-1), ValueError, [o.__name__, "learning rate -1"])
      for o in OPTIMIZERS],
    *[(17, f"{o.__name__} empty params", lambda o=o: o([]), ValueError, [o.__name__, "empty parameter list"])
      for o in OPTIMIZERS],
    *[(17, f"{o.__name__} bare tensor", lambda o=o: o(_leaf(2)), TypeError,
       [o.__name__, "iterable of Tensors or dicts", "got Tensor"]) for o in OPTIMIZERS],
    *[(17, f"{o.__name__} weight_decay < 0", lambda o=o: o([_leaf(2)], weight_decay=-1e-4), ValueError,
       [o.__name__, "weight_decay", "-0.0001"]) for o in OPTIMIZERS],
    *[(17, f"{o.__name__} eps < 0", lambda o=o: o([_leaf(2)], eps=-1e-8), ValueError, [o.__name__, "eps", "-1e-08"])
      for o in WITH_EPS],
    *[(17, f"{o.__name__} beta2 >= 1", lambda o=o: o([_leaf(2)], betas=(0.9, 1.0)), ValueError,
       [o.__name__, "beta", "index 1", "1.0", r"\[0, 1\)"]) for o in WITH_BETAS],
    *[(17, f"{o.__name__} beta1 < 0", lambda o=o: o([_leaf(2)], betas=(-0.1, 0.9)), ValueError,
       [o.__name__, "index 0", "-0.1"]) for o in WITH_BETAS],
    (17, "optimizer betas not a pair", lambda: optim.Adam([_leaf(2)], betas=(0.9,)), ValueError,
     ["Adam", "pair", r"\(0.9,\)"]),
    (17, "optimizer lr not a number", lambda: optim.SGD([_leaf(2)], lr="0.1"), TypeError, ["SGD", "lr", "'0.1'"]),
    (17, "optimizer lr NaN", lambda: optim.Adam([_leaf(2)], lr=float("nan")), ValueError, ["Adam", "nan"]),
    (17, "optimizer momentum < 0", lambda: optim.SGD([_leaf(2)], momentum=-0.5), ValueError,
     ["SGD", "momentum", "-0.5"]),
    (17, "RMSprop alpha < 0", lambda: optim.RMSprop([_leaf(2)], alpha=-0.1), ValueError, ["RMSprop", "alpha", "-0.1"]),
    (17, "nesterov without momentum", lambda: optim.SGD([_leaf(2)], nesterov=True), ValueError,
     ["SGD", "Nesterov", "momentum=0"]),
    (17, "optimizer empty generator", lambda: optim.Adam(p for p in []), ValueError, ["Adam", "empty parameter list"]),
    (17, "optimizer ndarray param", lambda: optim.SGD([np.ones(2)]), TypeError, ["SGD", "parameter 0", "ndarray"]),
    (17, "optimizer int tensor", lambda: optim.SGD([tl.arange(3)]), TypeError, ["SGD", "floating", "int64"]),
    (17, "optimizer non-leaf tensor", lambda: optim.Adam([_leaf(2) * 2]), ValueError, ["Adam", "non-leaf", "Mul"]),
    (17, "optimizer duplicate param", lambda: (lambda p: optim.SGD([p, p]))(_leaf(2)), ValueError,
     ["SGD", "group 0", "more than once"]),
    (17, "optimizer param in two groups", lambda: (lambda p: optim.SGD([{"params": [p]}, {"params": [p]}]))(_leaf(2)),
     ValueError, ["SGD", "more than one parameter group"]),
    (17, "optimizer group without params", lambda: optim.SGD([{"lr": 0.1}]), ValueError, ["SGD", "'params'", "lr"]),
    (18, "reshape size", lambda: _leaf(6).reshape(4, 2), ValueError, ["reshape", r"\[4, 2\]", "6"]),
    (18, "reshape tuple", lambda: _leaf(2, 3).reshape((5,)), ValueError, ["reshape", r"\[5\]", r"\(2, 3\)"]),
    (18, "reshape -1 that does not divide", lambda: _leaf(7).reshape(-1, 2), ValueError,
     ["reshape", r"\[-1, 2\]", "size 7"]),
    (18, "reshape two -1", lambda: _leaf(6).reshape(-1, -1), ValueError, ["reshape", r"\[-1, -1\]"]),
    (18, "view size", lambda: tl.view(_leaf(6), 4, 2), ValueError, ["view", r"\[4, 2\]", r"\(6,\)"]),
    (18, "Tensor.view size", lambda: _leaf(2, 3).view(4, 2), ValueError,
     ["view", r"\[4, 2\]", r"\(2, 3\)", "size 6"]),
    (19, "object array", lambda: tl.Tensor(np.array([object(), 1], dtype=object)), TypeError, ["Tensor", "object"]),
    (19, "object array into tl.tensor", lambda: tl.tensor(np.array([object()], dtype=object)), TypeError,
     ["tensor", "object", r"\(1,\)"]),
    (19, "string array", lambda: tl.tensor(np.array(["a", "b"])), TypeError, ["tensor", "<U1", r"\(2,\)"]),
    (19, "string array into Tensor", lambda: tl.Tensor(np.array(["a"])), TypeError, ["Tensor", "<U1"]),
    (19, "string list", lambda: tl.tensor(["a", "b"]), TypeError, ["dtype"]),
    (19, "bytes array", lambda: tl.Tensor(np.array([b"a"])), TypeError, ["Tensor", "S1"]),
    (19, "complex array", lambda: tl.Tensor(np.ones(2, dtype=complex)), TypeError, ["Tensor", "complex128"]),
    (19, "complex array into tl.tensor", lambda: tl.tensor(np.ones(2, dtype=np.complex64)), TypeError,
     ["tensor", "complex64"]),
    (19, "complex list", lambda: tl.tensor([1 + 2j]), TypeError, ["complex128"]),
    (19, "datetime array", lambda: tl.Tensor(np.array(["2020-01-01"], dtype="datetime64[D]")), TypeError,
     ["datetime64"]),
    (19, "None", lambda: tl.tensor(None), TypeError, ["tensor", "object"]),
    (19, "ragged list", lambda: tl.tensor([[1, 2], [3]]), TypeError, ["tensor", "inhomogeneous"]),
    (19, "object Parameter", lambda: nn.Parameter(np.array([object()], dtype=object)), TypeError, ["object"]),
    (20, "load_state_dict", lambda: nn.Sequential(nn.Linear(2, 3)).load_state_dict(
        {"0.weight": np.zeros((2, 2)), "1.bias": np.zeros(3)}), KeyError,
     ["missing keys 0.bias", "unexpected keys 1.bias", r"0.weight: checkpoint shape \(2, 2\), model shape \(3, 2\)"]),
    (20, "load_state_dict missing keys", lambda: nn.Linear(2, 3).load_state_dict({}), KeyError,
     [r"state_dict for Linear", "missing keys weight, bias"]),
    (20, "load_state_dict unexpected key", lambda: nn.Linear(2, 3).load_state_dict(
        {**nn.Linear(2, 3).state_dict(), "scale": np.ones(1)}), KeyError, ["Linear", "unexpected keys scale"]),
    (20, "load_state_dict shapes, all listed", lambda: nn.Sequential(nn.Linear(2, 3), nn.Linear(3, 1)).load_state_dict(
        nn.Sequential(nn.Linear(4, 3), nn.Linear(3, 2)).state_dict()), ValueError,
     [r"0.weight: checkpoint shape \(3, 4\), model shape \(3, 2\)", r"1.weight: .*\(2, 3\).*\(1, 3\)",
      r"1.bias: checkpoint shape \(2,\), model shape \(1,\)"]),
    (20, "load_state_dict shape, strict=False", lambda: nn.Linear(2, 3).load_state_dict(
        {"bias": np.zeros(2)}, strict=False), ValueError, [r"bias: checkpoint shape \(2,\), model shape \(3,\)"]),
    (20, "load_state_dict BatchNorm buffers", lambda: nn.BatchNorm1D(3).load_state_dict(
        nn.BatchNorm1D(4).state_dict()), ValueError, ["BatchNorm1D", r"running_mean: .*\(4,\).*\(3,\)", "running_var"]),
    (20, "load_state_dict non-numeric value", lambda: nn.Linear(1, 1).load_state_dict(
        {"weight": np.array([["a"]]), "bias": np.zeros(1)}), ValueError, ["Linear", "weight", "<U1"]),
    (20, "load_state_dict of a path", lambda: nn.Linear(2, 3).load_state_dict("ckpt.npz"), TypeError,
     ["Linear", "mapping", "str", r"tl.load\(path\)"]),
    (20, "Optimizer.load_state_dict, all listed", _optimizer_state_mismatch, ValueError,
     ["Adam", "5 problem", "group 0: invalid learning rate -1", r"'exp_avg' of parameter 0 has shape \(2,\), the "
      r"parameter has shape \(3,\)", r"'exp_avg_sq' of parameter 0", r"'exp_avg' of parameter 1 has shape \(3,\)"]),
    (20, "Optimizer.load_state_dict groups", lambda: optim.SGD([_leaf(2)], momentum=0.9).load_state_dict(
        _stepped(optim.SGD, (2,), (3,), momentum=0.9).state_dict()), ValueError,
     ["SGD", "group 0 has 2 parameters in the state dict, 1 in the optimizer"]),
    (20, "Optimizer.load_state_dict orphan state", lambda: optim.SGD([_leaf(2)]).load_state_dict(
        {"state": {3: {"momentum_buffer": np.ones(2)}}, "param_groups": [{"params": [0], "lr": 0.1}]}), ValueError,
     ["SGD", "state for parameter 3", "only 1 parameters"]),
    (20, "Optimizer.load_state_dict no state", lambda: optim.SGD([_leaf(2)]).load_state_dict({"param_groups": []}),
     ValueError, ["SGD", "no 'state' entry", "param_groups"]),
    (21, "grad of unused input", lambda: tl.grad((_leaf(2) * 2).sum(), [_leaf(2)]), RuntimeError,
     ["not have been used", "allow_unused"]),
    (21, "grad of unused second input", lambda: (lambda x: tl.grad((x * 2).sum(), [x, _leaf(3)]))(_leaf(2)),
     RuntimeError, ["input 1", r"\(3,\)", "not have been used", "allow_unused=True"]),
    (25, "grad of a gradient made without create_graph",
     lambda: (lambda x: tl.grad(tl.tensor(tl.grad((x * x).sum(), x)[0]).sum(), x))(_leaf(3)), RuntimeError,
     ["does not require grad", "create_graph=True"]),
    (25, "backward(create_graph=True)", lambda: (_leaf(3) * 2).sum().backward(create_graph=True), RuntimeError,
     ["create_graph=True", r"tl\.grad"]),
    (26, "grad_outputs of the wrong shape", lambda: (lambda x: tl.grad(x * 2, x, np.ones(4, np.float32)))(_leaf(3)),
     ValueError, [r"grad_outputs\[0\]", r"\(4,\)", r"\(3,\)"]),
    (26, "grad_outputs of the wrong shape, create_graph",
     lambda: (lambda x: tl.grad(x * 2, x, tl.ones(2, 3), create_graph=True))(_leaf(3)),
     ValueError, [r"grad_outputs\[0\]", r"\(2, 3\)", r"\(3,\)"]),
    (26, "grad_outputs of an integer dtype", lambda: (lambda x: tl.grad(x * 2, x, np.ones(3, np.int64)))(_leaf(3)),
     TypeError, [r"grad_outputs\[0\]", "int64", "float32"]),
    (26, "integer inputs", lambda: tl.grad((_leaf(3) * 2).sum(), [tl.tensor([1, 2])], create_graph=True),
     TypeError, ["input 0", "int64", "floating"]),
]


@pytest.mark.parametrize("row, case, call, exception, patterns", CASES,
                         ids=[f"row{c[0]}-{c[1]}" for c in CASES])
def test_bad_input(row, case, call, exception, patterns):
    with pytest.raises(exception) as info:
        call()
    for pattern in patterns:
        assert re.search(pattern, str(info.value)), (
            f"row {row} ({case}): message {str(info.value)!r} lacks {pattern!r}")


def test_case_names_are_unique():
    names = [(c[0], c[1]) for c in CASES]
    assert len(names) == len(set(names))


def test_every_row_of_the_table_is_covered():
    assert {c[0] for c in CASES} == set(range(1, 22)) | {25, 26}  # 22-24, 27-30: in the ops' and distributed tests


def test_unused_inputs_are_fine_with_allow_unused():
    x, unused = _leaf(2), _leaf(3)
    gx, gu = tl.grad((x * 2).sum(), [x, unused], allow_unused=True)
    np.testing.assert_array_equal(gx, [2, 2])
    assert gu is None and x.grad is None


# -- the "Also:" paragraph -----------------------------------------------------------------------
# NumPy hands out views with any strides; tensors wrap them as they are (tl.Tensor) or copy them
# (tl.tensor), and gradients must come out right either way.

STRIDED = {
    "reversed x[::-1]": lambda a: a[::-1],
    "transposed x.T": lambda a: a.T,
    "every other column x[:, ::2]": lambda a: a[:, ::2],
}

FUNCTIONS = {  # each takes a (4, 4) float64 input (after the layout) and one float64 (4, 3) weight
    "mul and broadcast add": lambda x, w: (x * x + x[:1]).sum(0),
    "matmul": lambda x, w: x @ w,
    "tanh, softmax": lambda x, w: x.tanh().softmax(-1),
    "getitem, reshape, max": lambda x, w: x[[0, 2, 2]].reshape(-1).max(),
    "conv2d": lambda x, w: F.conv2d(x.reshape(1, 1, *x.shape), w.reshape(1, 1, *w.shape)[..., :2, :2]),
}


def _strided(layout, rng):
    base = rng.standard_normal((4, 8) if "::2" in layout else (4, 4))
    return STRIDED[layout](base)


@pytest.mark.parametrize("layout", STRIDED)
@pytest.mark.parametrize("fn", FUNCTIONS)
def test_strided_numpy_inputs_get_correct_gradients(layout, fn):
    rng = np.random.default_rng(0)
    arr = _strided(layout, rng)
    assert not arr.flags.c_contiguous and arr.shape == (4, 4)
    before = arr.copy()
    x = tl.Tensor(arr, requires_grad=True)                  # wraps the view itself
    assert x.data is arr
    w = tl.tensor(rng.standard_normal((4, 3)), dtype=np.float64, requires_grad=True)
    assert tl.gradcheck(FUNCTIONS[fn], [x, w])
    assert tl.gradcheck(FUNCTIONS[fn], [tl.tensor(arr, requires_grad=True), w])   # a copy of it
    np.testing.assert_array_equal(arr, before)               # the caller's array is untouched


@pytest.mark.parametrize("layout", STRIDED)
def test_a_conv_layer_takes_strided_numpy_input(layout):
    """Conv2D on a strided view (its legacy ndarray input): same output, parameter gradients and
    input gradient as on a contiguous copy, and they pass gradcheck."""
    tl.set_default_dtype(np.float64)
    rng = np.random.default_rng(1)
    layer = nn.Conv2D(1, 2, 3, padding=1)
    arr = _strided(layout, rng)[None, None]                  # (1, 1, 4, 4), still strided
    assert not arr.flags.c_contiguous
    results = []
    for x in (arr, np.ascontiguousarray(arr)):
        layer.zero_grad()
        out = layer(tl.tensor(x, requires_grad=True))  # the strided array, wrapped without a copy
        dx = layer.backward(np.ones(out.shape))
        results.append((out.data, layer.weight.grad, layer.bias.grad, dx))
    for strided, contiguous in zip(*results):
        np.testing.assert_allclose(strided, contiguous, rtol=1e-12, atol=1e-12)
    assert tl.gradcheck(lambda x, w: F.conv2d(x, w, layer.bias, padding=1),
                       [tl.Tensor(arr, requires_grad=True), layer.weight])


# NaN and inf are numbers: no op refuses them. Row 0 holds them, row 1 is finite; row-wise ops must
# keep row 1 finite and equal to what it is without row 0, forward and backward. (NumPy may warn
# about inf - inf and the like; a warning is not an error, so RuntimeWarnings are let through.)

ROW_WISE = {
    "add, mul": lambda x: x * x + 1,
    "exp, log, sqrt": lambda x: (x.exp() + 1).log() + (x * x + 1).sqrt(),
    "tanh, sigmoid, relu": lambda x: x.tanh() + x.sigmoid() + x.relu(),
    "softmax": lambda x: x.softmax(-1),
    "log_softmax": lambda x: x.log_softmax(-1),
    "logsumexp": lambda x: x.logsumexp(-1),
    "max, mean, var": lambda x: x.max(-1).values + x.mean(-1) + x.var(-1),
    "matmul": lambda x: x @ tl.tensor(np.arange(12.0).reshape(4, 3), dtype=x.dtype),
    "Linear": lambda x: nn.Linear(4, 3)(x),
    "LayerNorm": lambda x: nn.LayerNorm(4)(x),
    "cross_entropy": lambda x: F.cross_entropy(x, np.array([0, 1])[-len(x):], reduction="none"),
    "mse_loss": lambda x: F.mse_loss(x, np.zeros(x.shape, x.dtype), reduction="none"),
    "conv1d": lambda x: nn.Conv1D(1, 2, 2)(x[:, None]),
    "max_pool1d": lambda x: F.max_pool1d(x[:, None], 2),
    "LSTM": lambda x: nn.LSTM(4, 3, batch_first=True)(x[:, None])[0],
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("fn", ROW_WISE)
def test_nan_and_inf_inputs_are_not_an_error(fn):
    data = np.array([[np.nan, np.inf, -np.inf, 1.0], [0.5, -1.0, 2.0, 3.0]], np.float32)
    tl.manual_seed(0)
    x = tl.tensor(data, requires_grad=True)
    out = ROW_WISE[fn](x)
    out.sum().backward()                                      # NaN in, NaN out: no exception
    assert not np.isfinite(out.data[0]).all()
    tl.manual_seed(0)
    finite = tl.tensor(data[1:], requires_grad=True)
    alone = ROW_WISE[fn](finite)
    alone.sum().backward()
    np.testing.assert_allclose(out.data[1], alone.data[0], rtol=1e-5, atol=1e-7)   # row 1 is untouched
    np.testing.assert_allclose(x.grad[1], finite.grad[0], rtol=1e-5, atol=1e-7)
