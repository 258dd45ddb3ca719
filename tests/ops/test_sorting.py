"""sort, argsort, topk, kthvalue, median, mode, cummax, cummin and max/min(dim) against PyTorch:
values, indices (ties included), the named tuples, gradients, bad input."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl

torch = pytest.importorskip("torch")

rng = np.random.default_rng(0)
DISTINCT = rng.permutation(np.linspace(-2, 2, 60)).reshape(3, 4, 5)
TIES = rng.integers(0, 3, (3, 4, 7)).astype(np.float64)  # many ties
NANS = np.where(rng.random((3, 6)) < 0.2, np.nan, rng.integers(0, 3, (3, 6))).astype(np.float64)

# name: (tensorlite call, torch call, whether indices must agree with ties, kind of result)
CASES = {
    "max dim": (lambda x: x.max(1), lambda x: x.max(1), True),
    "max dim keepdim": (lambda x: tl.max(x, dim=-1, keepdim=True), lambda x: torch.max(x, dim=-1, keepdim=True), True),
    "min dim": (lambda x: tl.min(x, 0), lambda x: torch.min(x, 0), True),
    "min axis": (lambda x: x.min(axis=2), lambda x: x.min(dim=2), True),
    "sort": (lambda x: x.sort(), lambda x: x.sort(stable=True), True),
    "sort descending dim 0": (lambda x: tl.sort(x, 0, True),
                              lambda x: torch.sort(x, dim=0, descending=True, stable=True), True),
    "topk": (lambda x: x.topk(3), lambda x: x.topk(3), False),
    "topk smallest dim 1": (lambda x: tl.topk(x, 2, 1, largest=False), lambda x: torch.topk(x, 2, 1, largest=False),
                            False),
    "kthvalue": (lambda x: x.kthvalue(2), lambda x: x.kthvalue(2), False),
    "kthvalue keepdim dim 0": (lambda x: tl.kthvalue(x, 3, 0, True), lambda x: torch.kthvalue(x, 3, 0, True), False),
    "median dim": (lambda x: x.median(1), lambda x: x.median(1), True),
    "median dim keepdim": (lambda x: tl.median(x, -1, keepdim=True), lambda x: torch.median(x, -1, keepdim=True), True),
    "mode": (lambda x: x.mode(), lambda x: x.mode(), True),
    "mode dim 0": (lambda x: tl.mode(x, 0), lambda x: torch.mode(x, 0), True),
    "cummax": (lambda x: x.cummax(1), lambda x: x.cummax(1), True),
    "cummin": (lambda x: tl.cummin(x, -1), lambda x: torch.cummin(x, -1), True),
}


def _compare(name, data, dtype, check_indices):
    fn, ref, _ = CASES[name]
    x = tl.tensor(data.astype(dtype), requires_grad=True)
    tx = torch.tensor(data.astype(dtype), requires_grad=True)
    got, want = fn(x), ref(tx)
    kind = type(got).__name__
    assert kind == type(want).__name__ and repr(got).startswith(f"tensorlite.return_types.{kind}(")
    values, indices = got  # unpacks as a pair
    assert got[0] is got.values and got[1] is got.indices
    assert values.shape == tuple(want.values.shape) and values.dtype == dtype and indices.dtype == np.int64
    np.testing.assert_array_equal(values.data, want.values.detach().numpy())
    if check_indices:
        np.testing.assert_array_equal(indices.data, want.indices.numpy())
    else:  # the index PyTorch picks among equal values is unspecified: ours points at the value
        picked = np.take_along_axis(data, indices.data if indices.ndim == data.ndim else
                                    np.expand_dims(indices.data, _dim_of(name)), _dim_of(name))
        np.testing.assert_array_equal(picked.reshape(values.shape), values.data)
    cotangent = np.random.default_rng(1).standard_normal(values.shape).astype(dtype)
    values.backward(cotangent)
    want.values.backward(torch.tensor(cotangent))
    if check_indices:
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-6)
    else:  # the gradient goes to the picked element: the same total per slice
        np.testing.assert_allclose(x.grad.sum(), tx.grad.numpy().sum(), rtol=1e-6)


def _dim_of(name):
    return {"topk": -1, "topk smallest dim 1": 1, "kthvalue": -1, "kthvalue keepdim dim 0": 0}[name]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", CASES)
def test_distinct_values_match_pytorch(name, dtype):
    _compare(name, DISTINCT, dtype, True)


@pytest.mark.parametrize("name", CASES)
def test_ties_match_pytorch(name):
    _compare(name, TIES, np.float64, CASES[name][2])


@pytest.mark.parametrize("name", ["max dim", "min dim", "sort", "sort descending dim 0", "median dim", "cummax",
                                  "cummin", "topk"])
def test_nan_is_larger_than_every_number_as_in_pytorch(name):
    fn, ref, _ = CASES[name]
    got, want = fn(tl.tensor(NANS)), ref(torch.tensor(NANS))
    np.testing.assert_array_equal(got.values.data, want.values.numpy())
    if name == "topk":  # PyTorch's order among equal values is unspecified: check what is picked
        np.testing.assert_array_equal(np.take_along_axis(NANS, got.indices.data, -1), got.values.data)
    else:
        np.testing.assert_array_equal(got.indices.data, want.indices.numpy())


def test_argsort_and_integer_inputs():
    for descending in (False, True):
        want = torch.argsort(torch.tensor(TIES), dim=1, descending=descending, stable=True)
        np.testing.assert_array_equal(tl.argsort(tl.tensor(TIES), 1, descending).data, want.numpy())
    ints = TIES.astype(np.int64)
    got, want = tl.tensor(ints).sort(descending=True), torch.tensor(ints).sort(descending=True, stable=True)
    np.testing.assert_array_equal(got.values.data, want.values.numpy())
    np.testing.assert_array_equal(got.indices.data, want.indices.numpy())
    assert tl.tensor(ints).max(0).values.dtype == np.int64


def test_median_and_max_without_dim_return_a_value_and_share_the_gradient():
    data = np.array([[1.0, 3.0, 2.0], [3.0, 0.0, 2.0]])
    x, tx = tl.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    got, want = x.median(), tx.median()
    assert isinstance(got, tl.Tensor) and got.item() == want.item()  # the lower median
    got.backward()
    want.backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy())
    assert isinstance(tl.max(x), tl.Tensor) and tl.max(x).item() == 3.0
    assert np.isnan(tl.median(tl.tensor([1.0, np.nan, 2.0])).item())


def test_max_with_a_tensor_is_maximum_and_a_tuple_of_dims_gives_values():
    a, b = tl.tensor([1.0, 5.0]), tl.tensor([3.0, 2.0])
    assert tl.max(a, b).tolist() == [3.0, 5.0] and a.min(b).tolist() == [1.0, 2.0]
    assert tl.ones(2, 3).max(dim=(0, 1)).shape == ()


def test_pytorch_idioms_give_pytorch_answers():
    q = tl.tensor([[1.0, 7.0, 3.0], [9.0, 2.0, 4.0]])
    assert q.max(1)[0].tolist() == [7.0, 9.0]  # q.max(1)[0]: the maxima, not the first row
    _, predicted = q.max(1)
    assert predicted.tolist() == [1, 0]
    assert q.max(1).values.tolist() == [7.0, 9.0] and q.min(dim=0).indices.tolist() == [0, 1, 0]


GRADCHECK = {
    "max dim": lambda x: x.max(-1).values, "min dim keepdim": lambda x: x.min(0, keepdim=True).values,
    "sort": lambda x: x.sort(0).values, "sort descending": lambda x: x.sort(-1, descending=True).values,
    "topk": lambda x: x.topk(2).values, "kthvalue": lambda x: x.kthvalue(2, 0).values,
    "median": lambda x: x.median(-1).values, "median all": lambda x: x.median(),
    "mode": lambda x: x.mode(0).values, "cummax": lambda x: x.cummax(0).values,
    "cummin": lambda x: x.cummin(-1).values,
}


@pytest.mark.parametrize("shape", [(5,), (2, 3, 4)])
@pytest.mark.parametrize("name", GRADCHECK)
def test_gradcheck(name, shape):
    data = np.random.default_rng(2).permutation(np.linspace(-1, 1, int(np.prod(shape)))).reshape(shape)
    assert tl.gradcheck(GRADCHECK[name], [tl.tensor(data, requires_grad=True)])


def test_zero_dim_inputs_as_pytorch():
    for fn in (lambda x: x.max(0), lambda x: x.sort(), lambda x: x.topk(1), lambda x: x.kthvalue(1),
               lambda x: x.median(0), lambda x: x.mode(), lambda x: x.cummax(0), lambda x: x.cummin(-1)):
        got, want = fn(tl.tensor(3.0)), fn(torch.tensor(3.0))
        assert got.values.shape == tuple(want.values.shape) == ()
        assert got.indices.item() == want.indices.item() == 0


BAD = [
    (lambda: tl.topk(tl.ones(3), 4), ValueError, "topk: k=4 is out of range for dim 0 of size 3"),
    (lambda: tl.topk(tl.ones(3), 1.0), TypeError, "k must be an int"),
    (lambda: tl.kthvalue(tl.ones(3), 0), ValueError, "k=0 is out of range"),
    (lambda: tl.sort(tl.ones(3), 1), IndexError, "dim 1 is out of range"),
    (lambda: tl.ones(0, 2).max(0), ValueError, "empty"),
    (lambda: tl.ones(2, 0).median(1), ValueError, "empty"),
    (lambda: tl.ones(2, 0).mode(), ValueError, "empty"),
    (lambda: tl.median(tl.ones(0)), ValueError, "empty"),
    (lambda: tl.sort(tl.ones(3), descending="yes"), TypeError, "descending must be a bool"),
]


@pytest.mark.parametrize("call, kind, message", BAD)
def test_bad_input_is_refused_with_a_clear_error(call, kind, message):
    with pytest.raises(kind, match=message):
        call()
