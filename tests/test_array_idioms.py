"""``.data`` and ``.grad`` are ndarrays that also take PyTorch's in-place idioms (issue 22 part A,
issue 23's ``p.grad.data``): tensorlite.array.Array, compared with PyTorch doing the same."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.array import Array, as_array

torch = pytest.importorskip("torch")


def pair(values):
    """A tensorlite parameter and a torch parameter holding ``values`` (float64)."""
    a = np.asarray(values, dtype=np.float64)
    return tl.nn.Parameter(a.copy()), torch.nn.Parameter(torch.tensor(a))


def test_data_and_grad_are_ndarrays_of_the_subclass():
    layer = tl.nn.Linear(3, 2)
    layer(tl.ones(4, 3)).sum().backward()
    for p in layer.parameters():
        assert isinstance(p.data, np.ndarray) and type(p.data) is Array
        assert isinstance(p.grad, np.ndarray) and type(p.grad) is Array
        assert p.grad.data is p.grad and p.data.data is p.data  # PyTorch's p.grad.data
    for other in (tl.zeros(2), tl.tensor([1.0]), tl.Tensor(2, 3), layer(tl.ones(1, 3))):
        assert type(other.data) is np.ndarray  # the op loop never meets the subclass
    x = tl.ones(2, requires_grad=True)
    (x * 2).sum().backward()
    assert type(x.grad) is Array and x.grad.data is x.grad


def test_arithmetic_returns_plain_ndarrays():
    d = tl.nn.Parameter(np.arange(6.0).reshape(2, 3)).data
    for result in (d * 2, d + d, d @ d.T, np.exp(d), d.sum(0), d.astype(np.float32) * 1, -d, d > 1):
        assert type(result) is np.ndarray
    assert type(d.sum()) is np.float64  # scalars stay scalars
    assert type(d[0]) is Array  # a view is still one: p.data[0].zero_() writes into p


@pytest.mark.parametrize("method, args, kwargs", [
    ("zero_", (), {}),
    ("fill_", (2.5,), {}),
    ("add_", ([1.0, -2.0, 3.0],), {}),
    ("add_", ([1.0, -2.0, 3.0],), {"alpha": -0.1}),
    ("sub_", (0.5,), {}),
    ("sub_", ([1.0, -2.0, 3.0],), {"alpha": 2}),
    ("mul_", ([2.0, 0.5, -1.0],), {}),
    ("div_", (4.0,), {}),
    ("copy_", ([7.0, 8.0, 9.0],), {}),
    ("clamp_", (-0.5, 0.5), {}),
    ("clamp_", (), {"min": 0.0}),
    ("clamp_", (), {"max": 0.0}),
])
def test_in_place_idioms_match_torch(method, args, kwargs):
    mine, theirs = pair([0.3, -1.2, 2.0])
    out = getattr(mine.data, method)(*[np.asarray(a) if isinstance(a, list) else a for a in args], **kwargs)
    getattr(theirs.data, method)(*[torch.tensor(a, dtype=torch.float64) if isinstance(a, list) else a
                                   for a in args], **kwargs)
    assert out is mine.data  # returns the array itself, so calls chain
    np.testing.assert_allclose(mine.data, theirs.data.numpy(), rtol=1e-15)
    assert mine._version == 1


def test_sgd_by_hand_through_data_and_grad_as_torch():
    mine, theirs = pair([[0.3, -1.2], [2.0, 0.1]])
    for p in (mine, theirs):
        (p * p * p).sum().backward()
        p.grad.data.clamp_(-1, 1)
        p.data.add_(p.grad.data, alpha=-0.1)
        p.grad.zero_()
    np.testing.assert_allclose(mine.data, theirs.data.numpy(), rtol=1e-15)
    np.testing.assert_array_equal(mine.grad, 0)


def test_tensor_operands_and_grad_as_operand():
    w = tl.nn.Parameter(np.ones(3))
    w.data.add_(tl.tensor([1.0, 2.0, 3.0], dtype=np.float64), alpha=2)
    w.data.copy_(w.data * 2)
    np.testing.assert_allclose(w.data, [6.0, 10.0, 14.0])
    w.data.fill_(tl.tensor(1.5))
    np.testing.assert_allclose(w.data, 1.5)


def test_random_fills_are_seeded_and_have_the_right_moments():
    w = tl.nn.Parameter(np.zeros((200, 100), dtype=np.float32))
    tl.manual_seed(0)
    first = w.data.normal_(1.0, 0.02).copy()
    assert w.dtype == np.float32 and abs(first.mean() - 1.0) < 1e-3 and abs(first.std() - 0.02) < 1e-3
    tl.manual_seed(0)
    np.testing.assert_array_equal(w.data.normal_(1.0, 0.02), first)
    w.data.uniform_(-0.1, 0.3)
    assert w.data.min() >= -0.1 and w.data.max() < 0.3 and abs(w.data.mean() - 0.1) < 5e-3


def test_a_write_through_data_bumps_the_version_and_stops_a_stale_backward():
    w = tl.nn.Parameter(np.array([1.0, 2.0]))
    y = (w * w).sum()  # Mul saved w's memory
    w.data.mul_(3)
    with pytest.raises(RuntimeError, match=r"modified in place \(by ndarray.mul_\)"):
        y.backward()
    assert w._version == 1


def test_views_write_through():
    w = tl.nn.Parameter(np.zeros((2, 3)))
    w.data[0].fill_(1.0)
    w.data[:, 2].add_(5.0)
    np.testing.assert_array_equal(w.data, [[1, 1, 6], [0, 0, 5]])
    assert w._version == 2


def test_assigning_data_keeps_the_subclass_and_the_memory():
    w = tl.nn.Parameter(np.zeros(3))
    new = np.arange(3.0)
    w.data = new
    assert type(w.data) is Array and np.shares_memory(w.data, new)
    w.grad = np.ones(3)
    assert type(w.grad) is Array
    w.grad = None
    assert w.grad is None


def test_optimizers_and_state_dict_still_work_with_the_subclass():
    layer = tl.nn.Linear(2, 1)
    opt = tl.optim.Adam(layer.parameters(), lr=0.1)
    layer(tl.ones(3, 2)).sum().backward()
    opt.step()
    state = layer.state_dict()
    fresh = tl.nn.Linear(2, 1)
    fresh.load_state_dict(state)
    np.testing.assert_array_equal(fresh.weight.data, layer.weight.data)
    assert type(fresh.weight.data) is Array


def test_save_and_load_round_trip(tmp_path):
    layer = tl.nn.Linear(2, 2)
    tl.save(layer.state_dict(), tmp_path / "w.npz")
    loaded = tl.load(tmp_path / "w.npz")
    np.testing.assert_array_equal(loaded["weight"], layer.weight.data)


@pytest.mark.parametrize("call, exc, match", [
    (lambda a: a.add_(np.ones(4)), ValueError, r"add_: a value of shape \(4,\) cannot be written .* \(3,\)"),
    (lambda a: a.fill_(np.ones(2)), ValueError, "fill_: the value must be a number"),
    (lambda a: a.add_("x"), TypeError, "add_: expected an array"),
    (lambda a: a.normal_(0, -1), ValueError, "normal_: std must be >= 0"),
    (lambda a: a.uniform_(1, 0), ValueError, "uniform_: expects a <= b"),
    (lambda a: a.clamp_(), ValueError, "clamp_: at least one of min and max"),
    (lambda a: as_array(np.zeros(3, dtype=np.int64)).normal_(), TypeError, "normal_: needs a floating array"),
])
def test_bad_input_is_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call(as_array(np.zeros(3)))
