"""The conventions where NumPy and PyTorch disagree follow PyTorch: transpose(d0, d1) swaps on
every rank, .mT, indexing with ints beside advanced indices, and tuples inside an index."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl

torch = pytest.importorskip("torch")

rng = np.random.default_rng(0)


@pytest.mark.parametrize("shape", [(3,), (2, 3), (2, 3, 4), (2, 1, 3, 4)])
@pytest.mark.parametrize("dims", [(0, -1), (-2, -1), (-1, -2), (0, 0), (1, 0)])
def test_transpose_with_two_dims_swaps_them_on_every_rank(shape, dims):
    if max(d % len(shape) if d < 0 else d for d in dims) >= len(shape) or min(dims) < -len(shape):
        pytest.skip("dims outside the shape")
    data = rng.standard_normal(shape)
    x, tx = tl.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    got, want = x.transpose(*dims), tx.transpose(*dims)
    np.testing.assert_array_equal(got.data, want.detach().numpy())
    np.testing.assert_array_equal(tl.transpose(x, *dims).data, want.detach().numpy())
    cotangent = rng.standard_normal(got.shape)
    got.backward(cotangent)
    want.backward(torch.tensor(cotangent))
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())


def test_transpose_numpy_forms_and_mT():
    x = tl.ones(2, 3, 4)
    assert x.transpose().shape == (4, 3, 2) and x.transpose((2, 0, 1)).shape == (4, 2, 3)
    assert x.transpose(2, 0, 1).shape == (4, 2, 3) and x.transpose([1, 0, 2]).shape == (3, 2, 4)
    data = rng.standard_normal((2, 3, 4))
    np.testing.assert_array_equal(tl.tensor(data).mT.data, torch.tensor(data).mT.numpy())
    np.testing.assert_array_equal(tl.tensor(data[0]).mT.data, data[0].T)
    with pytest.raises(ValueError, match="one dim"):
        x.transpose(1)
    with pytest.raises(ValueError, match="at least 2 dims"):
        _ = tl.ones(3).mT
    with pytest.raises(IndexError, match="out of range"):
        tl.ones(2, 3).transpose(0, 2)


def test_attention_idiom_on_a_2d_key():
    q, k = rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    got = tl.tensor(q) @ tl.tensor(k).transpose(-2, -1)
    np.testing.assert_allclose(got.data, q @ k.T)


def _torch_index(index):
    parts = index if isinstance(index, tuple) else (index,)
    return tuple(torch.tensor(i) if isinstance(i, (list, np.ndarray)) else
                 (torch.tensor(list(i)) if isinstance(i, tuple) else i) for i in parts)


MASK = rng.random((2, 5)) > 0.5
INDICES = [
    (0, slice(None), [0, 1]),
    ([0, 1], slice(None), 0),
    (slice(None), 1, slice(None), [3, 0, 3]),
    (0, [1, 2]),
    (1, Ellipsis, [0, 2]),
    (0, None, slice(None), [0, 1]),
    ([[0], [1]], 2, [0, 2]),
    ((0, 1),),
    ((1, 0), slice(None), (2, 2)),
    (MASK, 1),
    (1, slice(1, 4), [2, 0], slice(None)),
]


@pytest.mark.parametrize("index", INDICES, ids=[str(i) for i in range(len(INDICES))])
def test_indexing_follows_pytorch(index):
    data = rng.standard_normal((2, 5, 3, 4))
    x, tx = tl.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    got, want = x[index], tx[_torch_index(index)]
    assert got.shape == tuple(want.shape)
    np.testing.assert_array_equal(got.data, want.detach().numpy())
    cotangent = rng.standard_normal(got.shape)
    got.backward(cotangent)
    want.backward(torch.tensor(cotangent))
    np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    # writing through the same index
    y, ty = tl.zeros(2, 5, 3, 4, dtype=np.float64), torch.zeros(2, 5, 3, 4, dtype=torch.float64)
    value = rng.standard_normal(got.shape)
    y[index] = value
    ty[_torch_index(index)] = torch.tensor(value)
    np.testing.assert_array_equal(y.data, ty.numpy())


def test_a_0d_integer_tensor_indexes_as_an_int():
    for index in [(tl.tensor(0), slice(None), [0, 1]), (tl.tensor(1), slice(None), 1)]:
        want = torch.zeros(2, 5, 3)[tuple(torch.tensor(i.data) if isinstance(i, tl.Tensor) else i for i in index)]
        assert tl.zeros(2, 5, 3)[index].shape == tuple(want.shape)


def test_the_issue_example():
    assert tl.zeros(2, 5, 3)[0, :, [0, 1]].shape == (5, 2)
    v = tl.tensor(rng.standard_normal((5, 2)), requires_grad=True)
    out = tl.setitem(tl.zeros(2, 5, 3, dtype=np.float64), (0, slice(None), [0, 1]), v)
    out.sum().backward()
    np.testing.assert_array_equal(v.grad, np.ones((5, 2)))
