"""Rows of ../shared/BAD_INPUTS.md that the core and nn cover: each case raises the stated exception
type with a message naming the op and the values involved. One row per case: a new case is one line.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn


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


def test_every_core_row_is_covered():
    assert {c[0] for c in CASES} == {1, 2, 3, 4, 5, 6, 7, 8, 9, 18, 19, 20, 21}
