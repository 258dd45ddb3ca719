"""Tensor(*sizes), new_* methods, random *_like, clone/contiguous, mT/T/t() and uint8 masks
(issue 22 part A, issue 23), against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl

torch = pytest.importorskip("torch")

DT = {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64,
      np.dtype(np.int64): torch.int64, np.dtype(np.uint8): torch.uint8}


def same_kind(mine, theirs):
    assert mine.shape == tuple(theirs.shape), (mine.shape, theirs.shape)
    assert DT[mine.dtype] == theirs.dtype, (mine.dtype, theirs.dtype)


@pytest.mark.parametrize("sizes", [(2, 3), (3,), (), (0,), (2, 0, 4)])
def test_legacy_constructor_with_sizes(sizes):
    mine, theirs = tl.Tensor(*sizes), torch.Tensor(*sizes)
    same_kind(mine, theirs)
    assert mine.is_leaf and not mine.requires_grad
    assert tl.Tensor(*sizes, dtype=np.float64).dtype == np.float64


def test_legacy_constructor_data_is_data_as_before():
    assert tl.Tensor([1.0, 2.0]).shape == (2,) and tl.Tensor(np.arange(3)).dtype == np.int64
    assert tl.Tensor(2.5).shape == () and tl.Tensor(True).dtype == np.bool_
    array = np.ones(3, dtype=np.float32)
    assert tl.Tensor(array).data is array  # wrapped, not copied
    assert tl.Tensor(2, 3, requires_grad=True).requires_grad


@pytest.mark.parametrize("args", [(2, 3.0), (2, -1), (2, "3"), (2, True)])
def test_legacy_constructor_refuses_mixed_sizes(args):
    with pytest.raises(TypeError, match="several arguments are a shape"):
        tl.Tensor(*args)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64])
def test_new_methods_take_self_dtype_as_torch(dtype):
    mine = tl.zeros(2, dtype=dtype)
    theirs = torch.zeros(2, dtype=DT[np.dtype(dtype)])
    same_kind(mine.new_zeros(2, 3), theirs.new_zeros(2, 3))
    same_kind(mine.new_zeros((2, 3)), theirs.new_zeros((2, 3)))
    same_kind(mine.new_ones(4), theirs.new_ones(4))
    same_kind(mine.new_full((2,), 3), theirs.new_full((2,), 3))
    same_kind(mine.new_empty(3, 1), theirs.new_empty(3, 1))
    same_kind(mine.new_tensor([1, 2]), theirs.new_tensor([1, 2]))
    np.testing.assert_array_equal(mine.new_full((2,), 3).data, theirs.new_full((2,), 3).numpy())
    np.testing.assert_array_equal(mine.new_ones(4).data, 1)
    np.testing.assert_array_equal(mine.new_tensor([1, 2]).data, [1, 2])
    same_kind(mine.new_zeros(2, dtype=np.float64), theirs.new_zeros(2, dtype=torch.float64))


def test_new_methods_requires_grad_and_copy():
    x = tl.ones(2, dtype=np.float64)
    data = np.array([1.0, 2.0])
    y = x.new_tensor(data, requires_grad=True)
    assert y.requires_grad and y.is_leaf and not np.shares_memory(y.data, data)
    assert x.new_zeros(2, requires_grad=True).requires_grad


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_like_as_torch(dtype):
    base, tbase = tl.zeros(3, 4, dtype=dtype), torch.zeros(3, 4, dtype=DT[np.dtype(dtype)])
    tl.manual_seed(0)
    same_kind(tl.rand_like(base), torch.rand_like(tbase))
    same_kind(tl.randn_like(base), torch.randn_like(tbase))
    same_kind(tl.randint_like(base, 5), torch.randint_like(tbase, 5))
    same_kind(tl.randint_like(base, 2, 5), torch.randint_like(tbase, 2, 5))
    same_kind(tl.rand_like(base, dtype=np.float64), torch.rand_like(tbase, dtype=torch.float64))
    r = tl.rand_like(tl.zeros(10000, dtype=dtype))
    assert 0 <= r.data.min() and r.data.max() < 1 and abs(r.data.mean() - 0.5) < 0.02
    n = tl.randn_like(tl.zeros(10000, dtype=dtype))
    assert abs(n.data.mean()) < 0.05 and abs(n.data.std() - 1) < 0.05
    i = tl.randint_like(tl.zeros(1000, dtype=dtype), 2, 5)
    assert set(np.unique(i.data)) == {2, 3, 4}
    assert tl.randn_like(base, requires_grad=True).requires_grad


def test_random_like_seeded():
    tl.manual_seed(3)
    a = tl.randn_like(tl.zeros(5)).data.copy()
    tl.manual_seed(3)
    np.testing.assert_array_equal(tl.randn_like(tl.zeros(5)).data, a)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: tl.rand_like(tl.zeros(2, dtype=np.int64)), TypeError, "rand_like: needs a floating dtype"),
    (lambda: tl.randn_like(tl.zeros(2, dtype=np.int64)), TypeError, "randn_like: needs a floating dtype"),
    (lambda: tl.randint_like(tl.zeros(2), 3, 3), ValueError, "randint_like: expects low < high"),
    (lambda: tl.randint_like(tl.zeros(2), 2.5), TypeError, "randint_like: high must be an int"),
])
def test_like_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_clone_is_a_recorded_copy():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    y, ty = x.clone(), tx.clone()
    assert y.grad_fn == "CloneBackward" and not np.shares_memory(y.data, x.data)
    (y * tl.tensor([3.0, 4.0])).sum().backward()
    (ty * torch.tensor([3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    z = tl.clone(tl.ones(2))
    assert z.grad_fn is None and z.data.flags["C_CONTIGUOUS"]
    tl.gradcheck(lambda a: tl.clone(a).exp(), [tl.tensor(np.ones((2, 3)), requires_grad=True)])


def test_contiguous_is_a_no_op_when_contiguous():
    x = tl.ones(2, 3, requires_grad=True)
    assert x.contiguous() is x and tl.contiguous(x) is x
    t = x.T
    c = t.contiguous()
    assert c is not t and c.data.flags["C_CONTIGUOUS"] and c.grad_fn == "ContiguousBackward"
    np.testing.assert_array_equal(c.data, t.data)
    (c * tl.arange(6.0).reshape(3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.arange(6.0).reshape(3, 2).T)
    tl.gradcheck(lambda a: a.mT.contiguous(), [tl.tensor(np.ones((2, 3, 4)), requires_grad=True)])


def test_mT_T_and_t_as_torch():
    a = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(tl.tensor(a).mT.data, torch.tensor(a).mT.numpy())
    m = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(tl.tensor(m).T.data, torch.tensor(m).T.numpy())
    np.testing.assert_array_equal(tl.tensor(m).t().data, torch.tensor(m).t().numpy())
    v = tl.tensor([1.0, 2.0])
    assert v.t() is v and tl.tensor(3.0).t().shape == ()
    with pytest.raises(ValueError, match="t: expects a tensor of at most 2 dims"):
        tl.tensor(a).t()
    with pytest.raises(ValueError, match="mT: expected a tensor of at least 2 dims"):
        _ = v.mT
    x = tl.tensor(m, requires_grad=True)
    tl.gradcheck(lambda x: x.t() @ x.mT.T, [x])


def test_uint8_mask_indexes_as_torch():
    a = np.arange(12.0).reshape(3, 4)
    mask = np.array([1, 0, 2], dtype=np.uint8)
    assert tl.uint8 == np.uint8
    mine = tl.tensor(a)[tl.tensor(mask).astype(tl.uint8)]
    with pytest.warns(UserWarning, match="uint8"):  # PyTorch deprecates it, but runs it
        theirs = torch.tensor(a)[torch.tensor(mask, dtype=torch.uint8)]
    np.testing.assert_array_equal(mine.data, theirs.numpy())
    x = tl.tensor(a, requires_grad=True)
    (x[tl.tensor(a > 5).astype(tl.uint8)] * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, np.where(a > 5, 2.0, 0.0))
    y = tl.tensor(a)
    y[tl.tensor(a < 3).astype(tl.uint8)] = -1
    assert (y.data == -1).sum() == 3
    # an int64 tensor of 0/1 stays an index list, as in PyTorch
    np.testing.assert_array_equal(tl.tensor(a)[tl.tensor([1, 0])].data, a[[1, 0]])
