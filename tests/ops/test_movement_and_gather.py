"""Movement, gather/scatter and einsum against PyTorch: values, gradients, dtypes, bad input."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl

torch = pytest.importorskip("torch")

rng = np.random.default_rng(0)
A = rng.standard_normal((3, 4, 5))
M = rng.standard_normal((4, 4))
V = rng.standard_normal(4)
IDX = np.array([[[0, 2, 1, 1, 0]] * 4, [[1, 1, 2, 0, 0]] * 4])  # (2, 4, 5), values < 3
IDX1 = rng.integers(0, 4, (3, 2, 5))  # along dim 1 of A, smaller in dim 1
SRC = rng.standard_normal((3, 4, 5))


def t(a):
    return torch.tensor(a) if isinstance(a, np.ndarray) and a.dtype.kind in "iub" else a


# name: (tensorlite call, torch call, float arrays (get gradients), other arrays)
CASES = {
    "flip": (lambda x: tl.flip(x, (0, 2)), lambda x: torch.flip(x, (0, 2)), [A], []),
    "flip method": (lambda x: x.flip(-1), lambda x: x.flip(-1), [A], []),
    "roll dims": (lambda x: tl.roll(x, (1, -2), (0, 2)), lambda x: torch.roll(x, (1, -2), (0, 2)), [A], []),
    "roll flat": (lambda x: x.roll(3), lambda x: x.roll(3), [A], []),
    "repeat": (lambda x: x.repeat(2, 1, 1, 3), lambda x: x.repeat(2, 1, 1, 3), [A], []),
    "tile short": (lambda x: tl.tile(x, (2,)), lambda x: torch.tile(x, (2,)), [A], []),
    "tile method": (lambda x: x.tile(2, 1), lambda x: x.tile(2, 1), [M], []),
    "repeat_interleave int": (lambda x: tl.repeat_interleave(x, 2, dim=1),
                              lambda x: torch.repeat_interleave(x, 2, dim=1), [A], []),
    "repeat_interleave tensor": (lambda x, r: x.repeat_interleave(tl.tensor(r), 0),
                                 lambda x, r: x.repeat_interleave(torch.tensor(r), 0), [A], [np.array([2, 0, 1])]),
    "repeat_interleave flat": (lambda x: tl.repeat_interleave(x, 2), lambda x: torch.repeat_interleave(x, 2), [M], []),
    "tril": (lambda x: tl.tril(x, -1), lambda x: torch.tril(x, -1), [A], []),
    "triu": (lambda x: x.triu(1), lambda x: x.triu(1), [A], []),
    "diag 1d": (lambda x: tl.diag(x, 1), lambda x: torch.diag(x, 1), [V], []),
    "diag 2d": (lambda x: tl.diag(x, -1), lambda x: torch.diag(x, -1), [M], []),
    "diagonal": (lambda x: tl.diagonal(x, 1, 2, 0), lambda x: torch.diagonal(x, 1, 2, 0), [A], []),
    "diagonal method": (lambda x: x.diagonal(-2, dim1=-1, dim2=-2), lambda x: x.diagonal(-2, dim1=-1, dim2=-2),
                        [A], []),
    "diag_embed": (lambda x: tl.diag_embed(x, 1, 0, 2), lambda x: torch.diag_embed(x, 1, 0, 2), [A], []),
    "unflatten": (lambda x: x.unflatten(1, (2, -1)), lambda x: x.unflatten(1, (2, -1)), [A], []),
    "unfold": (lambda x: x.unfold(2, 2, 1), lambda x: x.unfold(2, 2, 1), [A], []),
    "unfold step": (lambda x: x.unfold(0, 2, 2), lambda x: x.unfold(0, 2, 2), [A], []),
    "narrow": (lambda x: tl.narrow(x, 1, -3, 2), lambda x: torch.narrow(x, 1, -3, 2), [A], []),
    "movedim": (lambda x: tl.movedim(x, (0, 1), (2, 0)), lambda x: torch.movedim(x, (0, 1), (2, 0)), [A], []),
    "meshgrid ij": (lambda x, y: tl.meshgrid(x, y)[0] * tl.meshgrid(x, y)[1],
                    lambda x, y: torch.meshgrid(x, y, indexing="ij")[0] * torch.meshgrid(x, y, indexing="ij")[1],
                    [V, V[:3]], []),
    "meshgrid xy": (lambda x, y: tl.meshgrid(x, y, indexing="xy")[0] * 2 + tl.meshgrid(x, y, indexing="xy")[1],
                    lambda x, y: torch.meshgrid(x, y, indexing="xy")[0] * 2 + torch.meshgrid(x, y, indexing="xy")[1],
                    [V, V[:3]], []),
    "gather": (lambda x, i: tl.gather(x, 0, tl.tensor(i)), lambda x, i: torch.gather(x, 0, t(i)), [A], [IDX]),
    "gather smaller": (lambda x, i: x.gather(1, tl.tensor(i)), lambda x, i: x.gather(1, t(i)), [A], [IDX1]),
    "scatter": (lambda x, s, i: tl.scatter(x, 1, tl.tensor(i[:, :, :1]), s),
                lambda x, s, i: torch.scatter(x, 1, t(np.ascontiguousarray(i[:, :, :1])), s), [A, SRC[:, :2, :1]],
                [np.argsort(rng.random((3, 2, 1)), axis=1)]),
    "scatter value": (lambda x, i: x.scatter(0, tl.tensor(i), value=2.0),
                      lambda x, i: x.scatter(0, t(i), value=2.0), [A], [IDX]),
    "scatter_add": (lambda x, s, i: tl.scatter_add(x, 1, tl.tensor(i), s),
                    lambda x, s, i: torch.scatter_add(x, 1, t(i), s), [A, SRC[:, :2]], [IDX1]),
    "index_select": (lambda x, i: tl.index_select(x, 1, tl.tensor(i)),
                     lambda x, i: torch.index_select(x, 1, t(i)), [A], [np.array([3, 0, 3])]),
    "index_add": (lambda x, s, i: tl.index_add(x, 1, tl.tensor(i), s, alpha=2.0),
                  lambda x, s, i: torch.index_add(x, 1, t(i), s, alpha=2.0), [A, SRC[:, :3]], [np.array([3, 0, 3])]),
    "masked_fill": (lambda x, m: x.masked_fill(tl.tensor(m), -1.5), lambda x, m: x.masked_fill(t(m), -1.5),
                    [A], [A[0] > 0]),
    "masked_fill tensor value": (lambda x, v, m: tl.masked_fill(x, tl.tensor(m), v.sum()),
                                 lambda x, v, m: torch.masked_fill(x, t(m), v.sum()), [A, V], [A[0, 0] > 0]),
    "masked_select": (lambda x, m: tl.masked_select(x, tl.tensor(m)), lambda x, m: torch.masked_select(x, t(m)),
                      [A], [A[0] > 0]),
}
for _reduce in ("sum", "prod", "mean", "amax", "amin"):
    for _self in (True, False):
        CASES[f"scatter_reduce {_reduce} include_self={_self}"] = (
            lambda x, s, i, r=_reduce, k=_self: tl.scatter_reduce(x, 1, tl.tensor(i), s, r, include_self=k),
            lambda x, s, i, r=_reduce, k=_self: torch.scatter_reduce(x, 1, t(i), s, r, include_self=k),
            [A, SRC[:, :2]], [IDX1])  # src of the index's shape (PyTorch's backward needs it)

EINSUM = {
    "ij,jk->ik": [(3, 4), (4, 5)],
    "bij,bjk->bik": [(2, 3, 4), (2, 4, 5)],
    "ii->i": [(4, 4)],
    "ii": [(4, 4)],
    "iji->j": [(3, 2, 3)],
    "ij->": [(3, 4)],
    "ij": [(3, 4)],
    "ji": [(3, 4)],
    "i,j->ij": [(3,), (4,)],
    "ij,ij->i": [(3, 4), (1, 4)],
    "...ij,...jk->...ik": [(2, 1, 3, 4), (5, 4, 2)],
    "b...,b...->b": [(3, 2, 2), (3, 2, 2)],
    "...i->...": [(2, 3, 4)],
    "i...->i": [(2, 3, 4)],
    "bhqd,bhkd->bhqk": [(2, 3, 4, 5), (2, 3, 6, 5)],
    "ij,jk,kl->il": [(2, 3), (3, 4), (4, 5)],
    "ijk,k->j": [(2, 3, 4), (4,)],
    "iij,j->i": [(3, 3, 4), (4,)],
}
for _eq, _shapes in EINSUM.items():
    CASES[f"einsum {_eq}"] = (lambda *xs, e=_eq: tl.einsum(e, *xs), lambda *xs, e=_eq: torch.einsum(e, *xs),
                              [rng.standard_normal(s) for s in _shapes], [])


def _run_both(name, dtype):
    fn, ref, floats, others = CASES[name]
    xs = [tl.tensor(a.astype(dtype), requires_grad=True) for a in floats]
    ts = [torch.tensor(a.astype(dtype), requires_grad=True) for a in floats]
    out, expected = fn(*xs, *others), ref(*ts, *others)
    return xs, ts, out, expected


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", CASES)
def test_values_and_gradients_match_pytorch(name, dtype):
    xs, ts, out, expected = _run_both(name, dtype)
    tol = dict(rtol=1e-10, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=1e-5)
    assert out.shape == tuple(expected.shape) and out.dtype == dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), **tol)
    cotangent = np.random.default_rng(1).standard_normal(out.shape).astype(dtype)
    out.backward(cotangent)
    expected.backward(torch.tensor(cotangent))
    for x, tt in zip(xs, ts):
        assert x.grad.dtype == dtype
        np.testing.assert_allclose(x.grad, tt.grad.numpy(), **tol)


def test_scatter_reduce_prod_gradient_with_zeros():
    x = np.array([[2.0, 0.0, 3.0], [1.0, 4.0, 0.0]])
    src = np.array([[0.0, 5.0, 0.0, 2.0], [3.0, 0.0, 2.0, 1.0]])
    index = np.array([[0, 0, 1, 2], [1, 1, 1, 2]])
    for include_self in (True, False):
        a, s = tl.tensor(x, requires_grad=True), tl.tensor(src, requires_grad=True)
        ta, ts = torch.tensor(x, requires_grad=True), torch.tensor(src, requires_grad=True)
        tl.scatter_reduce(a, 1, tl.tensor(index), s, "prod", include_self=include_self).sum().backward()
        torch.scatter_reduce(ta, 1, torch.tensor(index), ts, "prod", include_self=include_self).sum().backward()
        np.testing.assert_allclose(a.grad, ta.grad.numpy())
        np.testing.assert_allclose(s.grad, ts.grad.numpy())


def test_nonzero_and_one_hot_match_pytorch():
    x = np.array([[0.0, 1.5, 0.0], [2.0, 0.0, -1.0]])
    np.testing.assert_array_equal(tl.nonzero(x).data, torch.nonzero(torch.tensor(x)).numpy())
    for got, want in zip(tl.tensor(x).nonzero(as_tuple=True), torch.tensor(x).nonzero(as_tuple=True)):
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got.data, want.numpy())
    labels = np.array([[0, 3], [2, 1]])
    for n in (-1, 5):
        got = tl.one_hot(tl.tensor(labels), n)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got.data, torch.nn.functional.one_hot(torch.tensor(labels), n).numpy())


def test_a_src_larger_than_the_index_gets_zero_gradient_outside_it():
    x, src = tl.zeros(2, 3, requires_grad=True), tl.ones(3, 4, requires_grad=True)
    out = tl.scatter_add(x, 0, tl.tensor([[1, 0, 1]]), src)
    np.testing.assert_array_equal(out.data, [[0, 1, 0], [1, 0, 1]])
    (out * tl.arange(6.0).reshape(2, 3)).sum().backward()
    np.testing.assert_array_equal(src.grad, [[3, 1, 5, 0], [0, 0, 0, 0], [0, 0, 0, 0]])
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        assert tl.gradcheck(lambda a, s, r=reduce: tl.scatter_reduce(a, 0, tl.tensor([[1, 0, 1]]), s, r),
                            [tl.tensor(rng.standard_normal((2, 3)), requires_grad=True),
                             tl.tensor(rng.standard_normal((3, 4)), requires_grad=True)])


def test_gather_backward_accumulates_repeated_indices():
    x = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.gather(0, tl.tensor([2, 2, 0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 2.0])


def test_unfold_is_a_view_and_overlaps_add_gradients():
    x = tl.arange(5.0, requires_grad=True)
    w = x.unfold(0, 3, 1)
    assert w.shape == (3, 3) and np.shares_memory(w.data, x.data)
    w.sum().backward()
    np.testing.assert_array_equal(x.grad, [1, 2, 3, 2, 1])


BAD = [
    (lambda: tl.gather(tl.ones(2, 3), 1, tl.tensor([[5]])), IndexError,
     "index 5 is out of bounds for dim 1 with size 3"),
    (lambda: tl.gather(tl.ones(2, 3), 1, tl.tensor([[-1]])), IndexError, "index -1 is out of bounds for dim 1"),
    (lambda: tl.gather(tl.ones(2, 3), 1, tl.tensor([[0.0]])), TypeError, "gather: index must be an integer"),
    (lambda: tl.gather(tl.ones(2, 3), 1, tl.tensor([0])), ValueError, "as many dims"),
    (lambda: tl.gather(tl.ones(2, 3), 1, tl.zeros(3, 1, dtype=np.int64)), ValueError, "larger than the input"),
    (lambda: tl.gather(tl.ones(2, 3), 2, tl.tensor([[0]])), IndexError, "dim 2 is out of range"),
    (lambda: tl.scatter(tl.ones(2, 3), 0, tl.tensor([[2]]), tl.ones(1, 1)), IndexError,
     "scatter: index 2 is out of bounds for dim 0 with size 2"),
    (lambda: tl.scatter_add(tl.ones(2, 3), 0, tl.tensor([[1, 1]]), tl.ones(1, 1)), ValueError, "src of shape"),
    (lambda: tl.scatter(tl.ones(2, 3), 0, tl.tensor([[1.5]]), 1.0), TypeError, "integer"),
    (lambda: tl.scatter(tl.ones(2, 3), 0, tl.tensor([[1]])), TypeError, "exactly one of src and value"),
    (lambda: tl.scatter_reduce(tl.ones(3), 0, tl.tensor([1]), tl.ones(1), "max"), ValueError, "reduce must be"),
    (lambda: tl.index_select(tl.ones(2, 3), 1, tl.tensor([0, 3])), IndexError,
     "index_select: index 3 is out of bounds for dim 1 with size 3"),
    (lambda: tl.index_select(tl.ones(2, 3), 1, tl.tensor([True])), TypeError, "integer"),
    (lambda: tl.index_select(tl.ones(2, 3), 1, tl.zeros(2, 2, dtype=np.int64)), ValueError, "0-d or 1-d"),
    (lambda: tl.index_add(tl.ones(2, 3), 0, tl.tensor([0]), tl.ones(2, 3)), ValueError, "source of shape"),
    (lambda: tl.masked_fill(tl.ones(2, 3), tl.ones(3), 0.0), TypeError, "bool"),
    (lambda: tl.masked_fill(tl.ones(2, 3), tl.ones(2, 2) > 0, 0.0), ValueError, "does not broadcast"),
    (lambda: tl.masked_fill(tl.ones(2), tl.ones(2) > 0, "a"), TypeError, "value must be a number"),
    (lambda: tl.one_hot(tl.tensor([0, 3]), 3), IndexError, "index 3 is out of bounds"),
    (lambda: tl.one_hot(tl.tensor([0.0]), 3), TypeError, "integer"),
    (lambda: tl.einsum("ij,jk->ik", tl.ones(2, 3), tl.ones(4, 5)), ValueError, "subscript 'j' has size 3"),
    (lambda: tl.einsum("ij,jk->ik", tl.ones(2, 3, 4), tl.ones(3, 5)), ValueError,
     "subscripts 'ij' of operand 0 name 2 dims but the operand has shape \\(2, 3, 4\\)"),
    (lambda: tl.einsum("ij->ik", tl.ones(2, 3)), ValueError, "appear in no operand"),
    (lambda: tl.einsum("ij,jk", tl.ones(2, 3)), ValueError, "2 operand subscripts but 1 operands"),
    (lambda: tl.einsum("i1->i", tl.ones(2, 3)), ValueError, "must be letters"),
    (lambda: tl.einsum("ii->i", tl.ones(2, 3)), ValueError, "repeated in operand 0"),
    (lambda: tl.flip(tl.ones(2), (0, 0)), ValueError, "repeat"),
    (lambda: tl.roll(tl.ones(2, 2), (1, 1), 0), ValueError, "2 shifts for 1 dims"),
    (lambda: tl.ones(2, 3).repeat(2), ValueError, "at least one per dim"),
    (lambda: tl.repeat_interleave(tl.ones(3), tl.tensor([1, 2])), ValueError, "2 repeat counts"),
    (lambda: tl.tril(tl.ones(3)), ValueError, "at least 2 dims"),
    (lambda: tl.diagonal(tl.ones(3, 3), 0, 1, -1), ValueError, "must differ"),
    (lambda: tl.diag(tl.ones(2, 2, 2)), ValueError, "1-d or 2-d"),
    (lambda: tl.unflatten(tl.ones(2, 6), 1, (4, -1)), ValueError, "do not multiply to 6"),
    (lambda: tl.ones(5).unfold(0, 6, 1), ValueError, "size 6 is larger"),
    (lambda: tl.ones(5).unfold(0, 2, 0), ValueError, "step must be positive"),
    (lambda: tl.narrow(tl.ones(5), 0, 3, 3), ValueError, "exceeds dim 0 of size 5"),
    (lambda: tl.movedim(tl.ones(2, 3), (0, 1), 0), ValueError, "2 source dims and 1 destination"),
    (lambda: tl.meshgrid(tl.ones(2, 2)), ValueError, "0-d or 1-d"),
    (lambda: tl.meshgrid(tl.ones(2), indexing="yx"), ValueError, "indexing must be"),
]


@pytest.mark.parametrize("call, kind, message", BAD)
def test_bad_input_is_refused_with_a_clear_error(call, kind, message):
    with pytest.raises(kind, match=message):
        call()


def test_zero_dim_inputs_as_pytorch():
    for fn, ref in [
        (lambda x: x.gather(0, tl.tensor(0)), lambda x: x.gather(0, torch.tensor(0))),
        (lambda x: x.index_select(0, tl.tensor([0])), lambda x: x.index_select(0, torch.tensor([0]))),
        (lambda x: x.scatter_add(0, tl.tensor(0), tl.tensor(2.0)), lambda x: x.scatter_add(0, torch.tensor(0),
                                                                                           torch.tensor(2.0))),
        (lambda x: x.flip(0), lambda x: x.flip(0)),
    ]:
        got, want = fn(tl.tensor(3.0)), ref(torch.tensor(3.0))
        assert got.shape == tuple(want.shape)
        np.testing.assert_allclose(got.data, want.numpy())


def test_in_place_forms_match_pytorch():
    data, src = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    index, mask = np.array([[2, 0, 1, 1]]), data > 0
    w, tw = tl.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    s, ts = tl.tensor(src, requires_grad=True), torch.tensor(src, requires_grad=True)
    y, ty = w * 1, tw * 1
    y.masked_fill_(tl.tensor(mask), 0.5)
    ty.masked_fill_(torch.tensor(mask), 0.5)
    y.scatter_(0, tl.tensor(index), s[:1])
    ty.scatter_(0, torch.tensor(index), ts[:1])
    y.scatter_add_(1, tl.tensor(index), s[1:2])
    ty.scatter_add_(1, torch.tensor(index), ts[1:2])
    y.index_add_(0, tl.tensor([2, 2]), s[:2], alpha=3.0)
    ty.index_add_(0, torch.tensor([2, 2]), ts[:2], alpha=3.0)
    y.scatter_(1, tl.tensor([[0], [3], [1]]), value=-2.0)
    ty.scatter_(1, torch.tensor([[0], [3], [1]]), value=-2.0)
    np.testing.assert_allclose(y.data, ty.detach().numpy())
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(w.grad, tw.grad.numpy())
    np.testing.assert_allclose(s.grad, ts.grad.numpy())
