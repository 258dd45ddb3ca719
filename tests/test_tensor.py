"""Tensor construction, attributes, dtype rules, NumPy interplay and factories."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl


def test_tensor_wraps_ndarray_without_copy_and_tensor_copies():
    arr = np.arange(6, dtype=np.float64).reshape(2, 3)
    wrapped = tl.Tensor(arr)
    copied = tl.tensor(arr)
    assert wrapped.data is arr and wrapped.dtype == np.float64
    assert copied.data is not arr and not np.shares_memory(copied.data, arr)
    view = arr[:, ::-1]
    assert tl.Tensor(view).data is view            # strided inputs are kept as they are


def test_python_values_get_default_dtypes():
    assert tl.tensor([1.0, 2.0]).dtype == np.float32
    assert tl.tensor(3.5).shape == ()
    assert tl.tensor([1, 2]).dtype == np.int64
    assert tl.tensor([True, False]).dtype == np.bool_
    assert tl.tensor([1, 2], dtype=np.float32).dtype == np.float32
    tl.set_default_dtype(np.float64)
    assert tl.tensor([1.0]).dtype == np.float64
    assert tl.zeros(2).dtype == np.float64 and tl.randn(2).dtype == np.float64
    with pytest.raises(TypeError, match="floating"):
        tl.set_default_dtype(np.int32)


def test_attributes():
    x = tl.ones(2, 3, requires_grad=True)
    assert x.shape == (2, 3) and x.ndim == 2 and x.size == 6 and x.numel() == 6
    assert x.dtype == np.float32 and x.grad is None and x.is_leaf and x.grad_fn is None
    assert x.T.shape == (3, 2) and len(x) == 2
    assert (x * 2).grad_fn == "MulBackward"
    assert tl.tensor([4.0]).item() == 4.0 and float(tl.tensor(2.0)) == 2.0
    assert tl.tensor([[1, 2]]).tolist() == [[1, 2]]
    assert x.numpy() is x.data
    with pytest.raises(ValueError, match="one-element"):
        x.item()


def test_repr():
    assert repr(tl.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(tl.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(tl.tensor([1.0], dtype=np.float64)) == "tensor([1.], dtype=float64)"
    assert repr(tl.tensor([1.0], requires_grad=True) * 2) == "tensor([2.], grad_fn=<MulBackward>)"


def test_one_promotion_rule():
    f32, f64 = tl.ones(2), tl.ones(2, dtype=np.float64)
    assert (f32 * 2).dtype == np.float32 and (2.5 - f32).dtype == np.float32
    assert (f32 * np.float64(2.0)).dtype == np.float32      # NumPy scalars act like Python scalars
    assert (f32 + tl.tensor([1, 2])).dtype == np.float32     # ints are cast to the float operand
    assert (f64 + np.array([True, False])).dtype == np.float64
    assert (tl.arange(3) * 2).dtype == np.int64
    assert (tl.arange(3) * 0.5).dtype == np.float32          # an int tensor with a float scalar
    assert (tl.arange(3) / 2).dtype == np.float32            # true division of ints
    for op in (lambda a, b: a + b, lambda a, b: a @ b, tl.maximum, lambda a, b: tl.where(a > 0, a, b)):
        with pytest.raises(TypeError, match="float32.*float64|float64.*float32"):
            op(f32, f64)


def test_ndarray_on_the_left_defers_to_tensor():
    x = tl.ones(2, requires_grad=True)
    y = np.array([2.0, 3.0], dtype=np.float32) * x
    assert isinstance(y, tl.Tensor) and y.grad_fn == "MulBackward"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])
    assert np.asarray(tl.ones(2)).dtype == np.float32


def test_comparisons_return_bool_tensors_without_grad():
    x = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for result in (x < 2, x <= 2, x > 2, x >= 2, x == 2, x != 2):
        assert result.dtype == np.bool_ and not result.requires_grad
    np.testing.assert_array_equal((x == 2).data, [False, True, False])
    assert {x: 1}[x] == 1                                   # tensors stay hashable


def test_factories():
    assert tl.zeros(2, 3).shape == (2, 3) and tl.zeros((2, 3)).shape == (2, 3)
    assert tl.ones(4).data.sum() == 4
    assert tl.full((2, 2), 7.0).data.max() == 7.0
    assert tl.arange(5).dtype == np.int64 and tl.arange(0.0, 1.0, 0.5).tolist() == [0.0, 0.5]
    np.testing.assert_array_equal(tl.eye(3).data, np.eye(3))
    assert tl.zeros_like(tl.ones(2, dtype=np.float64)).dtype == np.float64
    assert tl.ones_like(tl.zeros(3)).data.sum() == 3
    assert tl.rand(100).data.min() >= 0 and tl.rand(100).data.max() < 1
    assert tl.randn(3, 4, requires_grad=True).requires_grad
    assert tl.zeros(2, dtype=np.float64).dtype == np.float64


def test_manual_seed_makes_random_factories_repeatable():
    tl.manual_seed(7)
    a, b = tl.randn(5).numpy(), tl.rand(5).numpy()
    tl.manual_seed(7)
    np.testing.assert_array_equal(tl.randn(5).numpy(), a)
    np.testing.assert_array_equal(tl.rand(5).numpy(), b)
    assert not np.array_equal(tl.randn(5).numpy(), a)


@pytest.mark.parametrize("method, args, expected", [
    ("transpose", (), (4, 3, 2)),
    ("transpose", (0, 2), (4, 3, 2)),
    ("transpose", (1, 2, 0), (3, 4, 2)),
    ("permute", (2, 0, 1), (4, 2, 3)),
    ("swapaxes", (0, 1), (3, 2, 4)),
    ("flatten", (), (24,)),
    ("flatten", (0, 1), (6, 4)),
    ("view", (-1, 4), (6, 4)),
    ("unsqueeze", (-1,), (2, 3, 4, 1)),
])
def test_shape_methods(method, args, expected):
    assert getattr(tl.ones(2, 3, 4), method)(*args).shape == expected


def test_numpy_and_pytorch_spellings():
    x = tl.tensor([[1.0, 2.0], [3.0, 5.0]])
    assert x.sum(axis=1, keepdims=True).shape == (2, 1)
    assert x.sum(dim=1, keepdim=True).shape == (2, 1)
    assert x.var().item() == pytest.approx(np.var(x.data, ddof=1))
    assert x.var(ddof=0).item() == pytest.approx(np.var(x.data))
    assert x.std(dim=0, correction=0).tolist() == pytest.approx([1.0, 1.5])
    assert x.max(dim=1).values.tolist() == [2.0, 5.0] and x.max(axis=1).indices.tolist() == [1, 1]
    assert x.argmax(dim=1).tolist() == [1, 1] and x.argmin().item() == 0
    with pytest.raises(TypeError, match="both"):
        x.sum(dim=0, axis=1)
    with pytest.raises(IndexError, match="out of range"):
        x.sum(dim=2)
    assert [t.shape for t in tl.ones(5, 2).split(2)] == [(2, 2), (2, 2), (1, 2)]
    assert [t.shape for t in tl.ones(5, 2).split([1, 4])] == [(1, 2), (4, 2)]
    assert [t.shape for t in tl.ones(6, 2).chunk(4)] == [(2, 2), (2, 2), (2, 2)]
    assert x.clamp(0, 2).tolist() == [[1.0, 2.0], [2.0, 2.0]]
    assert x.transpose(0, 1).tolist() == x.T.tolist() == x.transpose(-2, -1).tolist()  # swaps, as PyTorch
    assert x.transpose((0, 1)).tolist() == x.tolist()  # one tuple: NumPy's permutation
    assert x.T.tolist() == [[1.0, 3.0], [2.0, 5.0]]


def test_size_is_numpys_count_and_pytorchs_size_call():
    x = tl.zeros(2, 3, 4)
    assert x.size == 24 == x.numel() and x.size() == (2, 3, 4)
    assert x.size(0) == 2 and x.size(-1) == 4 and tl.tensor(1.0).size() == ()
    with pytest.raises(IndexError, match=r"size\(\): dim 3 is out of range.*\(2, 3, 4\)"):
        x.size(3)
    with pytest.raises(TypeError, match="size"):
        x.size(1.0)


def test_pytorch_dtype_names():
    torch = pytest.importorskip("torch")
    for name in ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
                 "half", "float", "double", "short", "int", "long"):
        ours, theirs = getattr(tl, name), getattr(torch, name)
        assert str(tl.zeros(1, dtype=ours).dtype) == str(theirs).replace("torch.", ""), name
    assert tl.ones(2, dtype=tl.float64).to(tl.long).dtype == np.int64
    assert tl.arange(3).float().dtype == tl.float32
