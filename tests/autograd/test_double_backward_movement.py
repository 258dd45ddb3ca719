"""Higher-order gradients of the indexing, joining, movement, gather/scatter, einsum and padding
ops: derivatives of order 1-3 against PyTorch (float64) for every public function that records
them, then ``tl.gradgradcheck`` on edge shapes (0-d, size-1 dims, broadcasting) that PyTorch
cannot serve as an oracle for.

Each function is raised to the third power after the op, so that the op's graph rule, the rule of
that rule (a getitem's is an IndexPut, whose rule is the getitem again) and so on are all on the
path of the second and third derivatives.
"""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tests.autograd.higher_order import assert_matches_torch, derivatives

torch = pytest.importorskip("torch")
tF = torch.nn.functional

rng = np.random.default_rng(16)


def n(*shape):
    return rng.standard_normal(shape)


def away(*shape):
    """Values away from 0 and from each other's magnitude ties (for prod / amax)."""
    return rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def T(L, v):
    """An index (or mask) tensor of library ``L``."""
    return L.tensor(np.asarray(v))


def _setitem_inplace(L, a, v, index):
    b = a * 1.0  # a non-leaf copy, written in place
    b[index] = v * v
    return b


def _scatter_inplace(L, a, s):
    b = a * 1.0
    b.scatter_(1, T(L, [[0, 2], [1, 1], [2, 0]]), s)
    return b


def _index_add_inplace(L, a, s):
    b = a * 1.0
    b.index_add_(-1, T(L, [0, 2, 0]), s, alpha=-1.5)
    return b


I3 = [[0, 0], [2, 2], [1, 0]]  # repeated indices along dim 1 of a (3, 4) input

# (name, f(L, *inputs) with L = tensorlite or torch, input arrays)
CASES = [
    # getitem (Getitem -> IndexPut -> Getitem ...)
    ("getitem int and slices", lambda L, a: a[1, 1::2], [n(3, 4)]),
    ("getitem None, ellipsis", lambda L, a: a[..., None, 1:], [n(2, 3, 4)]),
    ("getitem repeated list", lambda L, a: a[[0, 0, 2, 0]], [n(3, 4)]),
    ("getitem int beside index lists", lambda L, a: a[1, :, [0, 3, 3]], [n(2, 3, 4)]),
    ("getitem two index tensors", lambda L, a: a[T(L, [1, 1, 0]), :, T(L, [3, 3, 0])], [n(2, 3, 4)]),
    ("getitem bool mask", lambda L, a: a[T(L, [[True, False, True, True]] * 3)], [n(3, 4)]),
    ("split", lambda L, a: L.cat(a.split(2, dim=-1)[::-1], -1), [n(3, 5)]),
    ("chunk", lambda L, a: a.chunk(2, 0)[1], [n(5, 2)]),
    ("narrow", lambda L, a: a.narrow(-1, 1, 2), [n(3, 4)]),
    ("masked_select", lambda L, a: a.masked_select(T(L, [True, False, True, True])), [n(3, 4)]),
    ("embedding repeated ids", lambda L, w: (F if L is tl else tF).embedding(T(L, [[2, 0, 2]]), w), [n(4, 3)]),
    # setitem (both inputs)
    ("setitem index list", lambda L, a, v: _setitem_inplace(L, a, v, [0, 2]), [n(3, 4), n(4)]),
    ("setitem slice, broadcast value", lambda L, a, v: _setitem_inplace(L, a, v, (slice(1, None), 1)),
     [n(3, 4), n(1)]),
    ("setitem bool mask", lambda L, a, v: _setitem_inplace(L, a, v, T(L, [True, False, True])), [n(3, 4), n(2, 4)]),
    # joining
    ("cat", lambda L, a, b: L.cat([a, b * b, a], dim=-1), [n(2, 3), n(2, 2)]),
    ("concatenate 1-d", lambda L, a, b: L.concatenate([b, a]), [n(3), n(2)]),
    ("stack", lambda L, a, b: L.stack([a, b, a], dim=1), [n(2, 3), n(2, 3)]),
    ("stack dim=-1 of 0-d", lambda L, a, b: L.stack([a * b, a], dim=-1), [n(), n()]),
    # movement
    ("flip", lambda L, a: L.flip(a, (0, -1)), [n(2, 3, 4)]),
    ("roll", lambda L, a: a.roll((1, -2), (0, -1)), [n(3, 4)]),
    ("roll flat", lambda L, a: L.roll(a, 5), [n(3, 4)]),
    ("repeat", lambda L, a: a.repeat(2, 1, 3), [n(3, 2)]),
    ("tile", lambda L, a: L.tile(a, (2, 1)), [n(3, 2)]),
    ("repeat_interleave", lambda L, a: L.repeat_interleave(a, T(L, [2, 0, 1]), dim=-1), [n(2, 3)]),
    ("tril", lambda L, a: L.tril(a, -1), [n(2, 3, 4)]),
    ("triu", lambda L, a: a.triu(1), [n(3, 4)]),
    ("diagonal", lambda L, a: L.diagonal(a, 1, 0, -1), [n(3, 2, 4)]),
    ("diagonal negative offset", lambda L, a: a.diagonal(-1), [n(4, 3)]),
    ("diag_embed", lambda L, a: L.diag_embed(a, -1, 0, 2), [n(2, 3)]),
    ("diag 1-d and 2-d", lambda L, a: L.diag(L.diag(a, 1), 1) * L.diag(L.diag(a), 0), [n(3)]),
    ("unfold", lambda L, a: a.unfold(-1, 3, 2), [n(2, 7)]),
    ("unfold overlapping windows", lambda L, a: a.unfold(0, 2, 1), [n(4, 2)]),
    # gather / scatter
    ("gather", lambda L, a: L.gather(a, 1, T(L, [[0, 0, 3], [2, 2, 2], [1, 0, 1]])), [n(3, 4)]),
    ("gather dim=-2", lambda L, a: a.gather(-2, T(L, [[0, 2, 2, 0]])), [n(3, 4)]),
    ("scatter", lambda L, a, s: L.scatter(a, 1, T(L, [[0], [2], [1]]), s), [n(3, 4), n(3, 1)]),
    ("scatter in place", _scatter_inplace, [n(3, 4), n(3, 2)]),
    ("scatter_add", lambda L, a, s: L.scatter_add(a, 1, T(L, I3), s * s), [n(3, 4), n(3, 2)]),
    ("index_select", lambda L, a: L.index_select(a, -1, T(L, [3, 0, 3])), [n(2, 4)]),
    ("index_add", lambda L, a, s: L.index_add(a, 0, T(L, [2, 2]), s * s, alpha=0.5), [n(3, 4), n(2, 4)]),
    ("index_add in place", _index_add_inplace, [n(2, 3), n(2, 3)]),
    ("sort (a Gather rule)", lambda L, a: L.sort(a, -1, descending=True).values, [n(3, 4)]),
    ("topk kthvalue cummax max(dim) median(dim) (Gather rules)",
     lambda L, a: L.topk(a, 2, -1).values * L.kthvalue(a, 2, 1).values[:, None] + L.cummax(a, 1).values[:, :2]
     + L.max(a, 1).values[:, None] - L.median(a, 0).values[:2], [n(3, 4)]),
    # einsum
    ("einsum matmul", lambda L, a, b: L.einsum("bij,jk->bik", a, b), [n(2, 3, 4), n(4, 2)]),
    ("einsum same operand twice", lambda L, a: L.einsum("ij,ij->i", a, a), [n(3, 4)]),
    ("einsum diagonal and ellipsis", lambda L, a, b: L.einsum("...ii,...i->...", a, b), [n(2, 3, 3), n(3)]),
    ("einsum three operands, implicit output", lambda L, a, b, c: L.einsum("ij,jk,k", a, b, c),
     [n(2, 3), n(3, 4), n(4)]),
    ("einsum letter of one operand only", lambda L, a, b: L.einsum("ij,k->ik", a, b), [n(2, 3), n(4)]),
    # padding
    ("pad constant", lambda L, a: (F if L is tl else tF).pad(a, (1, 2, 0, 1), value=0.5), [n(2, 3)]),
    ("pad constant crop", lambda L, a: (F if L is tl else tF).pad(a, (1, -2, -1, 2)), [n(2, 3, 4)]),
    ("pad reflect", lambda L, a: (F if L is tl else tF).pad(a, (2, 1), mode="reflect"), [n(2, 3, 4)]),
    ("pad reflect 2-d", lambda L, a: (F if L is tl else tF).pad(a, (1, 1, 2, 0), mode="reflect"), [n(1, 2, 3, 3)]),
    ("pad replicate 3-d", lambda L, a: (F if L is tl else tF).pad(a, (1, 0, 0, 2, 1, 1), mode="replicate"),
     [n(1, 2, 2, 2, 3)]),
    ("pad circular, negative widths", lambda L, a: (F if L is tl else tF).pad(a, (2, -1), mode="circular"),
     [n(2, 3)]),
]

for _red in ("sum", "mean", "prod", "amax", "amin"):
    for _inc in (True, False):
        CASES.append((f"scatter_reduce {_red} include_self={_inc}",
                      lambda L, a, s, r=_red, i=_inc: L.scatter_reduce(a, 1, T(L, I3), s, r, include_self=i),
                      [away(3, 4), away(3, 2)]))
# prod with zeros: one zero of src per place, and zeros of the input
_a0, _s0 = away(3, 4), away(3, 2)
_a0[0, 0] = _a0[2, 3] = 0.0
_s0[1, 0] = 0.0
CASES += [(f"scatter_reduce prod with zeros include_self={i}",
           lambda L, a, s, i=i: L.scatter_reduce(a, 1, T(L, I3), s, "prod", include_self=i), [_a0, _s0])
          for i in (True, False)]
_amax_tie = away(3, 4)
CASES.append(("scatter_reduce amax with ties", lambda L, a, s: L.scatter_reduce(a, 1, T(L, I3), s, "amax"),
              [_amax_tie, np.array([[_amax_tie[0, 0] + 1, _amax_tie[0, 0] + 1], [0.0, -5.0], [9.0, 9.0]])]))


@pytest.mark.parametrize("name, f, arrays", CASES, ids=[c[0] for c in CASES])
def test_orders_1_to_3_match_torch(name, f, arrays):
    assert_matches_torch(lambda *xs: f(tl, *xs) ** 3, lambda *xs: f(torch, *xs) ** 3, arrays, order=3)


def test_the_cases_are_not_trivial():
    """Each case has non-zero second derivatives (so a graph rule that gave zeros would fail)."""
    for name, f, arrays in CASES:
        second = derivatives(lambda *xs, f=f: f(tl, *xs) ** 3, arrays, order=2)[1]
        assert any(np.abs(g).max() > 1e-6 for g in second), name


def test_getitem_rule_is_indexput_and_back():
    """The gradient of getitem is an IndexPut entry; the gradient of that is a getitem again."""
    x = tl.tensor(n(3, 4), requires_grad=True)
    (g,) = tl.grad((x[[0, 0]] ** 2).sum(), [x], create_graph=True)
    names = set()
    stack, seen = [g._ctx], set()
    while stack:
        op = stack.pop()
        if op is None or not isinstance(op, tl.autograd.Op) or id(op) in seen:
            continue
        seen.add(id(op))
        names.add(op.name)
        stack.extend(op.parents)
    assert "IndexPut" in names
    # the Hessian-vector product of sum(x[[2, 2, 1]] ** 2): 2 * v at each read, adding up
    v = n(3, 4)
    (g,) = tl.grad((x[[2, 2, 1]] ** 2).sum(), [x], create_graph=True)
    (hv,) = tl.grad((g * tl.tensor(v)).sum(), [x])
    np.testing.assert_allclose(hv, 2 * v * np.array([[0.0], [1.0], [2.0]]))


# -- edge shapes and broadcasting, against finite differences ------------------------------------

def _t(a):
    return tl.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


GRADGRAD = [
    ("getitem of a 0-d tensor", lambda a: (a[None] * a[...]) ** 2, [n()]),
    ("getitem negative steps (not in PyTorch)", lambda a: a[::-1, 1::-2] ** 3, [n(3, 4)]),
    ("getitem size-1 dims, bool mask", lambda a: a[:, tl.tensor([True])] ** 3, [n(3, 1)]),
    ("getitem empty index list", lambda a: a[[]].sum() + (a ** 2).sum(), [n(3)]),
    ("setitem 0-d value broadcast", lambda a, v: tl.setitem(a, (slice(None), [0, 2]), v * v) ** 2, [n(2, 3), n()]),
    ("setitem value with leading 1s", lambda a, v: tl.setitem(a, 1, v ** 3) ** 2, [n(3, 2), n(1, 1, 2)]),
    ("cat of size-1 and size-0 parts", lambda a, b, c: tl.cat([a, b, c], -2) ** 3,
     [n(2, 1, 2), n(2, 0, 2), n(2, 3, 2)]),
    ("stack of one", lambda a: tl.stack([a * a]) ** 2, [n(1)]),
    ("tl.pad numpy form", lambda a: tl.pad(a ** 2, ((1, 0), (0, 2))) ** 2, [n(1, 2)]),
    ("flip of 0 dims", lambda a: tl.flip(a, ()) ** 3, [n(2)]),
    ("tile with more reps than dims", lambda a: tl.tile(a, (2, 1, 2)) ** 3, [n(1, 2)]),
    ("diag_embed of size 1", lambda a: tl.diag_embed(a, 1) ** 3, [n(1)]),
    ("diagonal empty", lambda a: tl.diagonal(a, 3).sum() + (a ** 3).sum(), [n(2, 2)]),
    ("unfold step past the end", lambda a: a.unfold(0, 1, 2) ** 3, [n(5)]),
    ("gather of a 0-d tensor", lambda a: tl.gather(a, 0, tl.tensor([0])) ** 3, [n()]),
    ("index_select of a 0-d tensor", lambda a: tl.index_select(a, 0, tl.tensor(0)) ** 3, [n()]),
    ("index_add of a 0-d tensor", lambda a, s: tl.index_add(a, 0, tl.tensor([0]), s ** 2) ** 3, [n(), n(1)]),
    ("scatter src larger than index", lambda a, s: tl.scatter(a, 0, tl.tensor([[2, 0]]), s ** 2) ** 2,
     [n(3, 2), n(2, 3)]),
    ("scatter_add src larger than index", lambda a, s: tl.scatter_add(a, 1, tl.tensor([[1, 1]]), s ** 2) ** 2,
     [n(2, 3), n(2, 4)]),
    ("scatter_reduce prod src larger than index",
     lambda a, s: tl.scatter_reduce(a, 1, tl.tensor([[1, 1], [0, 1]]), s, "prod", include_self=False) ** 2,
     [away(2, 3), away(3, 3)]),
    ("scatter_reduce mean of a 0-d input", lambda a, s: tl.scatter_reduce(a, 0, tl.tensor([0]), s, "mean") ** 3,
     [n(), n(1)]),
    ("einsum size-1 letter broadcasting", lambda a, b: tl.einsum("ij,ij->j", a, b) ** 2, [n(3, 1), n(3, 4)]),
    ("einsum to a 0-d output", lambda a: tl.einsum("ii", a * a) ** 3, [n(2, 2)]),
    ("pad reflect of a size-2 dim", lambda a: F.pad(a, (1, 1), mode="reflect") ** 3, [n(1, 2)]),
    ("pad circular and replicate, batched", lambda a: F.pad(F.pad(a, (1, 2), mode="circular"), (0, 0, 2, 0),
                                                            mode="replicate") ** 2, [n(1, 2, 3)]),
]


@pytest.mark.parametrize("name, f, arrays", GRADGRAD, ids=[c[0] for c in GRADGRAD])
def test_gradgradcheck_edge_shapes(name, f, arrays):
    assert tl.gradgradcheck(f, [_t(a) for a in arrays])


def test_prod_double_backward_with_two_zeros_on_one_place_raises():
    """As PyTorch: the double backward of scatter_reduce 'prod' with two zeros of src on one place
    is not supported; it raises (rather than returning a silently wrong derivative)."""
    a, s = _t(n(3)), _t([0.0, 0.0])
    out = tl.scatter_reduce(a, 0, tl.tensor([1, 1]), s, "prod")
    with pytest.raises(RuntimeError, match="more than one zero"):
        tl.grad(out.sum(), [s], create_graph=True)
    (g,) = tl.grad(tl.scatter_reduce(a, 0, tl.tensor([1, 1]), s, "prod").sum(), [s])  # first order: fine
    np.testing.assert_array_equal(g, [0.0, 0.0])


def test_first_order_unchanged():
    """Without create_graph, the gradients are the fast rules' arrays, as before."""
    x = _t(n(3, 4))
    (g,) = tl.grad((tl.gather(x, 1, tl.tensor([[0, 0]] * 3)) ** 2).sum(), [x])
    assert isinstance(g, np.ndarray)
