"""Higher-order gradients of the reductions, scans, sorting and selection ops, copies and random
samples: derivatives of order 1, 2 and 3 against PyTorch (float64), and ``tl.gradgradcheck`` on
keepdim, 0-d, size-1 and broadcast cases.

Every op class of reduce.py, reduce_extra.py, scan.py, sorting.py, copying.py and the recorded
samples of creation.py appears below through each public function that records it.
"""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
from tests.autograd.higher_order import assert_matches_torch, derivatives

torch = pytest.importorskip("torch")
F = tl.nn.functional
TF = torch.nn.functional


def rand(*shape):
    return lambda rng: rng.standard_normal(shape)


def positive(*shape):
    return lambda rng: rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


def with_zeros(shape, zeros):
    """Values away from 0, with exact zeros at the flat positions ``zeros``."""
    def make(rng):
        a = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
        a.reshape(-1)[list(zeros)] = 0.0
        return a
    return make


def with_nan(shape, nans):
    """Normal values with NaN at the flat positions ``nans`` (skipped by nansum/nanmean)."""
    def make(rng):
        a = rng.standard_normal(shape)
        a.reshape(-1)[list(nans)] = np.nan
        return a
    return make


def torch_logcumsumexp(x, dim):
    """PyTorch's ``logcumsumexp`` rebuilt from ``logsumexp`` over a masked matrix: the reference
    beyond order 2, where ``torch.logcumsumexp``'s own rule (through ``log(abs(grad))``) gives NaN
    wherever an upstream gradient element is exactly 0."""
    x = x.movedim(dim, -1)
    n = x.shape[-1]
    below = torch.arange(n)[None, :] <= torch.arange(n)[:, None]  # [j, i]: i <= j
    out = torch.logsumexp(torch.where(below, x[..., None, :], -torch.inf), -1)
    return out.movedim(-1, dim)


NEG_INF = np.array([[-np.inf, 0.0, 0.5], [0.0, 1.0, -np.inf]])


def ties(rng):
    """Max/min ties in every row (tied extremes share the gradient in both libraries)."""
    return np.array([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, -1.0, -1.0], [2.0, 2.0, 2.0, 2.0]])


def repeats(rng):
    """Rows whose most frequent value is unique (mode picks it in both libraries)."""
    return np.array([[1.0, 2.0, 2.0, 0.5, 3.0], [4.0, -1.0, 0.0, 4.0, 1.0]])


# (name, tensorlite fn, torch fn, input makers); both fns take the same tensors.
CASES = [
    # reduce.py: Max Min (all dims, tuples of dims), Var Std (correction, keepdim), Logsumexp,
    # Softmax LogSoftmax (along different dims)
    ("max all", lambda x: x.max() * x.sum(), lambda x: x.max() * x.sum(), [rand(3, 4)]),
    ("tl.max dims tuple", lambda x: tl.max(x, (0, 2)) ** 2, lambda x: torch.amax(x, (0, 2)) ** 2, [rand(2, 3, 4)]),
    ("min all 0-d", lambda x: tl.min(x) ** 3, lambda x: torch.min(x) ** 3, [rand()]),
    ("min dims keepdim", lambda x: x.min(dim=(0, 1), keepdim=True) * x,
     lambda x: torch.amin(x, (0, 1), keepdim=True) * x, [rand(2, 3, 4)]),
    ("max ties", lambda x: tl.max(x) * x, lambda x: torch.max(x) * x, [ties]),
    ("var all", lambda x: x.var() ** 2, lambda x: x.var() ** 2, [rand(3, 4)]),
    ("var dim correction=0", lambda x: tl.var(x, 1, correction=0) ** 2,
     lambda x: torch.var(x, 1, correction=0) ** 2, [rand(2, 3, 4)]),
    ("var dims ddof=2 keepdim", lambda x: x.var(axis=(0, 2), ddof=2, keepdims=True) * x,
     lambda x: torch.var(x, (0, 2), correction=2, keepdim=True) * x, [rand(2, 3, 4)]),
    ("var of an intermediate", lambda x: tl.var(x * x + 3, 1) ** 2, lambda x: torch.var(x * x + 3, 1) ** 2,
     [rand(3, 4)]),
    ("std of an intermediate keepdim", lambda x: (x.exp() * 5).std(0, keepdim=True) * x,
     lambda x: (x.exp() * 5).std(0, keepdim=True) * x, [rand(3, 4)]),
    ("std all", lambda x: x.std().exp(), lambda x: x.std().exp(), [rand(3, 4)]),
    ("std dim correction=0 keepdim", lambda x: tl.std(x, dim=-1, correction=0, keepdim=True) * x,
     lambda x: torch.std(x, -1, correction=0, keepdim=True) * x, [rand(2, 3, 4)]),
    ("std dims", lambda x: x.std(dim=(0, 2)) ** 3, lambda x: x.std(dim=(0, 2)) ** 3, [rand(2, 3, 4)]),
    ("var_mean", lambda x: tl.var_mean(x, 1)[0] * tl.var_mean(x, 1)[1],
     lambda x: torch.var_mean(x, 1)[0] * torch.var_mean(x, 1)[1], [rand(3, 4)]),
    ("std_mean keepdim correction=0", lambda x: tl.std_mean(x, 0, correction=0, keepdim=True)[0] * x,
     lambda x: torch.std_mean(x, 0, correction=0, keepdim=True)[0] * x, [rand(3, 4)]),
    ("logsumexp all", lambda x: x.logsumexp() ** 2, lambda x: torch.logsumexp(x, (0, 1)) ** 2, [rand(3, 4)]),
    ("logsumexp dim=0", lambda x: tl.logsumexp(x, 0) ** 2, lambda x: torch.logsumexp(x, 0) ** 2, [rand(3, 4)]),
    ("logsumexp dims keepdim", lambda x: x.logsumexp((0, 2), keepdim=True) * x,
     lambda x: torch.logsumexp(x, (0, 2), keepdim=True) * x, [rand(2, 3, 4)]),
    ("logsumexp of an intermediate with -inf", lambda x: tl.logsumexp(x * x + NEG_INF, 1) ** 2,
     lambda x: torch.logsumexp(x * x + torch.tensor(NEG_INF), 1) ** 2, [rand(2, 3)]),
    ("logsumexp of an intermediate dims", lambda x: tl.logsumexp(x.exp() * 3, (0, 2)) ** 2,
     lambda x: torch.logsumexp(x.exp() * 3, (0, 2)) ** 2, [rand(2, 3, 4)]),
    ("logsumexp -inf input", lambda x: x.logsumexp(1) ** 2, lambda x: x.logsumexp(1) ** 2,
     [lambda rng: np.where(np.eye(2, 3, dtype=bool), -np.inf, rng.standard_normal((2, 3)))]),
    ("softmax -inf input", lambda x: x.softmax(1) ** 2, lambda x: x.softmax(1) ** 2,
     [lambda rng: np.where(np.eye(2, 3, dtype=bool), -np.inf, rng.standard_normal((2, 3)))]),
    ("logsumexp 0-d", lambda x: tl.logsumexp(x) ** 3, lambda x: torch.logsumexp(x, 0) ** 3, [rand()]),
    ("softmax dim=-1", lambda x: x.softmax(-1) ** 2, lambda x: x.softmax(-1) ** 2, [rand(3, 4)]),
    ("softmax dim=0", lambda x: tl.softmax(x, dim=0) ** 2, lambda x: torch.softmax(x, 0) ** 2, [rand(2, 3, 4)]),
    ("F.softmax dim=1", lambda x: F.softmax(x, dim=1) * x, lambda x: TF.softmax(x, dim=1) * x, [rand(2, 3, 4)]),
    ("softmin dim=1", lambda x: F.softmin(x, dim=1) ** 2, lambda x: TF.softmin(x, dim=1) ** 2, [rand(2, 3, 4)]),
    ("log_softmax dim=1", lambda x: x.log_softmax(1) ** 2, lambda x: x.log_softmax(1) ** 2, [rand(2, 3, 4)]),
    ("log_softmax dim=-1", lambda x: F.log_softmax(x, dim=-1) ** 2, lambda x: TF.log_softmax(x, -1) ** 2,
     [rand(3, 5)]),
    ("log_softmax dim=0 axis", lambda x: tl.log_softmax(x, axis=0) * x, lambda x: torch.log_softmax(x, 0) * x,
     [rand(3, 4)]),
    ("nn.Softmax nn.LogSoftmax nn.Softmin", lambda x: tl.nn.Softmax(1)(x) * tl.nn.LogSoftmax(0)(x)
     + tl.nn.Softmin(-1)(x) ** 2, lambda x: torch.nn.Softmax(1)(x) * torch.nn.LogSoftmax(0)(x)
     + torch.nn.Softmin(-1)(x) ** 2, [rand(2, 3, 4)]),
    # reduce_extra.py: Amax Amin Nanmean Nansum Prod
    ("amax dims", lambda x: tl.amax(x, (0, 2)) ** 2, lambda x: torch.amax(x, (0, 2)) ** 2, [rand(2, 3, 4)]),
    ("amin keepdim ties", lambda x: x.amin(-1, keepdim=True) * x, lambda x: x.amin(-1, keepdim=True) * x, [ties]),
    ("nansum", lambda x: tl.nansum(x, (0, 1)) ** 2, lambda x: torch.nansum(x, (0, 1)) ** 2, [rand(2, 3, 4)]),
    ("nansum all", lambda x: x.nansum() * x, lambda x: x.nansum() * x, [rand(3, 4)]),
    ("nanmean", lambda x: x.nanmean(-1) ** 2, lambda x: x.nanmean(-1) ** 2, [rand(2, 3, 4)]),
    ("nansum with NaN", lambda x: tl.nansum(x, 1) ** 3, lambda x: torch.nansum(x, 1) ** 3,
     [with_nan((3, 4), [1, 6, 7])]),
    ("nanmean with NaN", lambda x: x.nanmean(0) ** 3, lambda x: x.nanmean(0) ** 3, [with_nan((3, 4), [1, 5, 7])]),
    ("nanmean keepdim", lambda x: tl.nanmean(x, 0, keepdim=True) * x,
     lambda x: torch.nanmean(x, 0, keepdim=True) * x, [rand(3, 4)]),
    ("prod all", lambda x: x.prod() * x, lambda x: x.prod() * x, [positive(2, 3)]),
    ("prod dim", lambda x: tl.prod(x, 1) ** 2, lambda x: torch.prod(x, 1) ** 2, [positive(2, 3, 4)]),
    ("prod dim keepdim", lambda x: x.prod(0, keepdim=True) * x, lambda x: x.prod(0, keepdim=True) * x,
     [positive(3, 4)]),
    ("prod 0-d", lambda x: x.prod() ** 3, lambda x: x.prod() ** 3, [rand()]),
    ("prod 0-d zero", lambda x: x.prod() * x + x.prod(), lambda x: x.prod() * x + x.prod(), [with_zeros((), [0])]),
    ("prod dim one zero", lambda x: x.prod(-1) ** 2, lambda x: x.prod(-1) ** 2, [with_zeros((2, 3, 4), [1, 14])]),
    ("prod dim two zeros", lambda x: x.prod(1) * x.sum(1), lambda x: x.prod(1) * x.sum(1),
     [with_zeros((3, 4), [0, 4, 11])]),
    ("prod all one zero", lambda x: x.prod() * x, lambda x: x.prod() * x, [with_zeros((2, 3), [4])]),
    ("prod all two zeros", lambda x: x.prod() * x, lambda x: x.prod() * x, [with_zeros((2, 3), [1, 4])]),
    ("prod all three zeros", lambda x: x.prod() * x.sum(), lambda x: x.prod() * x.sum(),
     [with_zeros((2, 3), [0, 1, 4])]),
    # scan.py: Cumsum Cumprod Logcumsumexp
    ("cumsum", lambda x: x.cumsum(1) ** 3, lambda x: x.cumsum(1) ** 3, [rand(2, 3, 4)]),
    ("cumsum 0-d", lambda x: tl.cumsum(x, 0) ** 3, lambda x: torch.cumsum(x, 0) ** 3, [rand()]),
    ("cumprod", lambda x: x.cumprod(-1) ** 2, lambda x: x.cumprod(-1) ** 2, [positive(2, 3, 4)]),
    ("cumprod dim=0", lambda x: tl.cumprod(x, dim=0) * x, lambda x: torch.cumprod(x, 0) * x, [positive(4, 3)]),
    ("cumprod 0-d", lambda x: x.cumprod(0) ** 3, lambda x: x.cumprod(0) ** 3, [rand()]),
    ("cumprod one zero", lambda x: x.cumprod(1) ** 2, lambda x: x.cumprod(1) ** 2, [with_zeros((2, 4), [1, 7])]),
    ("cumprod zeros", lambda x: x.cumprod(0) * x, lambda x: x.cumprod(0) * x, [with_zeros((4, 3), [0, 3, 4, 8])]),
    ("logcumsumexp", lambda x: x.logcumsumexp(1) ** 2, lambda x: torch_logcumsumexp(x, 1) ** 2, [rand(2, 4, 3)]),
    ("logcumsumexp dim=0", lambda x: tl.logcumsumexp(x, axis=0) * x, lambda x: torch_logcumsumexp(x, 0) * x,
     [rand(4, 3)]),
    ("logcumsumexp 0-d", lambda x: x.logcumsumexp(0) ** 3, lambda x: x.logcumsumexp(0) ** 3, [rand()]),
    # sorting.py: Sort Topk Kthvalue MedianDim Median Mode Cummax Cummin MaxDim MinDim
    ("sort", lambda x: x.sort(1, descending=True).values ** 3, lambda x: x.sort(1, descending=True).values ** 3,
     [rand(2, 3, 4)]),
    ("sort 0-d", lambda x: tl.sort(x).values ** 3, lambda x: torch.sort(x).values ** 3, [rand()]),
    ("topk", lambda x: x.topk(2, 0).values ** 3, lambda x: x.topk(2, 0).values ** 3, [rand(3, 4)]),
    ("topk smallest", lambda x: tl.topk(x, 3, largest=False).values * x.sum(1, keepdim=True),
     lambda x: torch.topk(x, 3, largest=False).values * x.sum(1, keepdim=True), [rand(2, 5)]),
    ("kthvalue", lambda x: x.kthvalue(2).values ** 3, lambda x: x.kthvalue(2).values ** 3, [rand(3, 4)]),
    ("kthvalue keepdim", lambda x: tl.kthvalue(x, 1, 0, keepdim=True).values * x,
     lambda x: torch.kthvalue(x, 1, 0, keepdim=True).values * x, [rand(3, 4)]),
    ("median dim", lambda x: x.median(1).values ** 3, lambda x: x.median(1).values ** 3, [rand(3, 4)]),
    ("median dim keepdim", lambda x: tl.median(x, 0, keepdim=True).values * x,
     lambda x: torch.median(x, 0, keepdim=True).values * x, [rand(3, 4)]),
    ("median all", lambda x: x.median() * x, lambda x: x.median() * x, [rand(3, 4)]),
    ("mode", lambda x: x.mode(-1).values ** 3, lambda x: x.mode(-1).values ** 3, [repeats]),
    ("cummax", lambda x: x.cummax(1).values ** 3, lambda x: x.cummax(1).values ** 3, [rand(2, 5)]),
    ("cummin", lambda x: tl.cummin(x, 0).values * x, lambda x: torch.cummin(x, 0).values * x, [rand(4, 3)]),
    ("max dim", lambda x: x.max(1).values ** 3, lambda x: x.max(1).values ** 3, [rand(3, 4)]),
    ("min dim keepdim", lambda x: tl.min(x, 0, keepdim=True).values * x,
     lambda x: torch.min(x, 0, keepdim=True).values * x, [rand(3, 4)]),
    ("max dim 0-d", lambda x: tl.max(x, 0).values ** 3, lambda x: torch.max(x, 0).values ** 3, [rand()]),
    # copying.py: Clone Contiguous
    ("clone", lambda x: x.clone() ** 3, lambda x: x.clone() ** 3, [rand(3, 4)]),
    ("tl.clone", lambda x: tl.clone(x * x) * x, lambda x: torch.clone(x * x) * x, [rand(3)]),
    ("contiguous", lambda x: x.T.contiguous() ** 3, lambda x: x.T.contiguous() ** 3, [rand(3, 4)]),
    ("tl.contiguous", lambda x: tl.contiguous(x.mT) * x.mT, lambda x: x.mT.contiguous() * x.mT, [rand(2, 3)]),
    # creation.py: Normal Bernoulli (gradient 0 through the sample, at every order)
    ("normal", lambda m, s: tl.normal(m, s) + m ** 3 * s, lambda m, s: torch.normal(m, s) + m ** 3 * s,
     [rand(3), lambda rng: rng.uniform(0.5, 1.5, (3,))]),
    ("normal mean only", lambda m: tl.normal(m, 0.5) * 0 + m ** 3, lambda m: torch.normal(m, 0.5) * 0 + m ** 3,
     [rand(2, 3)]),
    ("bernoulli", lambda p: tl.bernoulli(p) + p ** 3, lambda p: torch.bernoulli(p) + p ** 3,
     [lambda rng: rng.uniform(0.1, 0.9, (2, 3))]),
]


@pytest.mark.parametrize("name, tl_fn, torch_fn, makers", CASES, ids=[c[0] for c in CASES])
def test_orders_1_to_3_match_torch(name, tl_fn, torch_fn, makers):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    arrays = [make(rng) for make in makers]
    assert_matches_torch(tl_fn, torch_fn, arrays, order=3)


LARGE = [  # exp of the inputs overflows: the rules must not
    ("logsumexp", lambda x: tl.logsumexp(x * 400, -1) ** 2, lambda x: torch.logsumexp(x * 400, -1) ** 2),
    ("softmax", lambda x: tl.softmax(x * 400, 0) * x, lambda x: torch.softmax(x * 400, 0) * x),
    ("log_softmax", lambda x: tl.log_softmax(x * 400, 1) * x, lambda x: torch.log_softmax(x * 400, 1) * x),
    ("logcumsumexp", lambda x: (x * 400).logcumsumexp(-1) ** 2, lambda x: torch_logcumsumexp(x * 400, -1) ** 2),
]


@pytest.mark.parametrize("name, tl_fn, torch_fn", LARGE, ids=[c[0] for c in LARGE])
def test_large_inputs(name, tl_fn, torch_fn):
    """Orders 1 and 2 against PyTorch on inputs up to about 1000 (no overflow to inf or NaN); the
    third derivative there is rounding noise on terms of size 400**3, so it is only checked finite."""
    a = np.random.default_rng(3).standard_normal((2, 4)) * 2
    assert_matches_torch(tl_fn, torch_fn, [a], order=2)
    assert all(np.isfinite(g).all() for order in derivatives(tl_fn, [a], 3) for g in order)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_logcumsumexp_matches_torch_own_rule_to_order_2(dim):
    """Against ``torch.logcumsumexp`` itself where its rule is finite (orders 1 and 2)."""
    rng = np.random.default_rng(dim + 5)
    assert_matches_torch(lambda x: tl.logcumsumexp(x, dim) ** 2, lambda x: torch.logcumsumexp(x, dim) ** 2,
                         [rng.standard_normal((3, 4))], order=2)


def test_std_of_a_constant_slice_has_zero_derivatives():
    """The first-order gradient of std where it is 0 is 0 (PyTorch's convention); so are the
    higher ones in tensorlite, where PyTorch's are NaN (0 * inf in its rule)."""
    a = np.array([[1.0, 1.0, 1.0], [0.5, 2.0, -1.0]])
    ours = derivatives(lambda x: x.std(1) * x.sum(1), [a], 3)
    theirs = derivatives(lambda x: x.std(1) * x.sum(1), [a], 3, lib="torch")
    for k in range(3):
        np.testing.assert_array_equal(ours[k][0][0], 0.0)
        np.testing.assert_allclose(ours[k][0][1], theirs[k][0][1], rtol=1e-7, atol=1e-9)
    assert np.isnan(theirs[1][0][0]).all()  # documents the difference; revisit if PyTorch changes


def test_nanmean_of_an_all_nan_slice_has_zero_derivatives():
    """PyTorch gives NaN there (its nanmean is nansum / count, with count 0); tensorlite gives 0,
    the first-order gradient it gives too."""
    x = tl.tensor([[np.nan, np.nan], [1.0, 2.0]], dtype=np.float64, requires_grad=True)
    (g,) = tl.grad((x.nanmean(1) * tl.tensor([1.0, 3.0], dtype=np.float64)).sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.data, [[0.0, 0.0], [1.5, 1.5]])
    (h,) = tl.grad((g * g).sum(), x, allow_unused=True) if g.requires_grad else (None,)
    assert h is None or np.array_equal(h, np.zeros((2, 2)))


def test_the_derivatives_are_not_all_zero():
    """The comparisons above would pass vacuously if both sides gave zeros: second derivatives
    of a few ops are nonzero (and third derivatives of the nonlinear ones)."""
    rng = np.random.default_rng(1)
    for fn, arrays in [(lambda x: tl.softmax(x, 0) ** 2, [rng.standard_normal((3, 4))]),
                       (lambda x: x.var(1) ** 2, [rng.standard_normal((3, 4))]),
                       (lambda x: x.prod(), [with_zeros((2, 3), [1, 4])(rng)]),
                       (lambda x: x.cumprod(0), [with_zeros((4,), [1, 2])(rng)]),
                       (lambda x: x.logcumsumexp(0), [rng.standard_normal(5)]),
                       (lambda x: x.sort(0).values ** 3, [rng.standard_normal(5)])]:
        orders = derivatives(fn, arrays, 3)
        assert np.abs(orders[1][0]).max() > 1e-3


# -- gradgradcheck: keepdim, 0-d, size-1 dims, broadcasting ----------------------------------------

def _t(rng, *shape, low=None):
    a = rng.standard_normal(shape) if low is None else rng.uniform(low, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    return tl.tensor(a, dtype=np.float64, requires_grad=True)


GRADGRAD = [
    ("max keepdim size-1", lambda x: tl.amax(x, 1, keepdim=True) * x, (2, 1, 3)),
    ("min 0-d", lambda x: tl.min(x) * x, ()),
    ("var keepdim correction=0", lambda x: x.var(1, keepdim=True, correction=0) * x, (3, 4)),
    ("var size-1 dim correction=0", lambda x: x.var(-1, correction=0) + x.sum(-1), (3, 1)),
    ("std keepdim broadcast", lambda x, y: x.std(0, keepdim=True) * y, [(3, 4), (2, 1, 4)]),
    ("std 0-d output", lambda x: x.std() ** 2, (5,)),
    ("logsumexp keepdim 0-d", lambda x: x.logsumexp(0, keepdim=True) * x, ()),
    ("logsumexp broadcast", lambda x, y: tl.logsumexp(x + y, -1, keepdim=True), [(3, 1), (4,)]),
    ("softmax 0-d", lambda x: tl.softmax(x, 0) * x, ()),
    ("softmax size-1 dim", lambda x: tl.softmax(x, 1) * x, (3, 1)),
    ("log_softmax broadcast", lambda x, y: tl.log_softmax(x * y, 0), [(3, 1), (4,)]),
    ("prod keepdim zero", lambda x: (x * tl.tensor([1.0, 0.0, 1.0], dtype=np.float64)).prod(1, keepdim=True), (2, 3)),
    ("prod 0-d", lambda x: x.prod() * x, ()),
    ("nansum keepdim", lambda x: tl.nansum(x, 0, keepdim=True) * x, (3, 2)),
    ("nanmean size-1 dim", lambda x: tl.nanmean(x, 1) ** 2, (2, 1)),
    ("cumsum 0-d", lambda x: x.cumsum(0) * x, ()),
    ("cumprod zero", lambda x: (x * tl.tensor([1.0, 0.0, 1.0, 0.0], dtype=np.float64)).cumprod(0) * x, (4,)),
    ("logcumsumexp size-1", lambda x: x.logcumsumexp(1) * x, (3, 1)),
    ("sort keepdim-free 0-d", lambda x: x.sort().values * x, ()),
    ("topk broadcast", lambda x, y: (x * y).topk(2).values ** 2, [(3, 1), (4,)]),
    ("median keepdim", lambda x: x.median(0, keepdim=True).values * x, (3, 2)),
    ("cummax repeated picks", lambda x: x.cummax(0).values ** 2, (5,)),
    ("clone contiguous", lambda x: x.mT.contiguous().clone() ** 3, (2, 3)),
]


@pytest.mark.parametrize("name, fn, shapes", GRADGRAD, ids=[c[0] for c in GRADGRAD])
def test_gradgradcheck(name, fn, shapes):
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    shapes = shapes if isinstance(shapes, list) else [shapes]
    assert tl.gradgradcheck(fn, [_t(rng, *s, low=0.5) for s in shapes])


def test_prod_with_zeros_second_derivative_by_hand():
    """d2/da0 da1 of a0*a1*a2 at a1 = 0 is a2, d2/da1 da2 is a0, and with two zeros in the slice
    only the mixed derivative of the two zeros is nonzero."""
    x = tl.tensor([2.0, 0.0, 3.0], dtype=np.float64, requires_grad=True)
    (g,) = tl.grad(x.prod(), x, create_graph=True)
    np.testing.assert_allclose(g.data, [0.0, 6.0, 0.0])
    hess = np.stack([tl.grad(g[i], x, retain_graph=True)[0] for i in range(3)])
    np.testing.assert_allclose(hess, [[0, 3, 0], [3, 0, 2], [0, 2, 0]])
    y = tl.tensor([0.0, 5.0, 0.0], dtype=np.float64, requires_grad=True)
    (g,) = tl.grad(y.prod(), y, create_graph=True)
    np.testing.assert_allclose(g.data, [0.0, 0.0, 0.0])
    hess = np.stack([tl.grad(g[i], y, retain_graph=True)[0] for i in range(3)])
    np.testing.assert_allclose(hess, [[0, 0, 5], [0, 0, 0], [5, 0, 0]])


def test_graph_rules_record_their_own_gradient():
    """The gradients are Tensors with a graph (grad_fn set), in the input's dtype (float32 kept)."""
    x = tl.tensor(np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    for fn in [lambda t: t.softmax(0), lambda t: t.log_softmax(1), lambda t: t.logsumexp(1), lambda t: t.var(0),
               lambda t: t.std(1), lambda t: t.max(), lambda t: t.sort(1).values, lambda t: t.cumsum(1),
               lambda t: t.cumprod(0), lambda t: t.logcumsumexp(1), lambda t: t.prod(1), lambda t: t.nanmean(),
               lambda t: tl.nansum(t, 1), lambda t: t.clone(), lambda t: t.T.contiguous()]:
        (g,) = tl.grad((fn(x) ** 2).sum(), x, create_graph=True)
        assert g.requires_grad and g.grad_fn is not None and g.dtype == np.float32
        (h,) = tl.grad((g * g).sum(), x)
        assert h.dtype == np.float32 and np.isfinite(h).all()


def test_samples_give_zero_gradients_with_no_graph():
    """normal/bernoulli: the gradient through the sample is a constant 0 at every order."""
    m = tl.tensor([0.5, 1.0], dtype=np.float64, requires_grad=True)
    (g,) = tl.grad(tl.normal(m, 1.0).sum(), m, create_graph=True)
    np.testing.assert_array_equal(g.data, 0.0)
    assert not g.requires_grad
    (g,) = tl.grad(tl.bernoulli(m * 0.5).sum() + (m ** 2).sum(), m, create_graph=True)
    np.testing.assert_allclose(g.data, 2 * m.data)
    np.testing.assert_allclose(tl.grad(g.sum(), m)[0], [2.0, 2.0])


SEAM = {  # the graph rules compute with their inputs' array library, never NumPy itself
    "reduce": lambda a: a.max() + a.var(0).sum() + a.std() + a.logsumexp(1).sum() + (a.softmax(-1) * a).sum()
    + (a.log_softmax(0) * a).sum(),
    "reduce_extra": lambda a: tl.amax(a, (0, 1)).sum() + tl.nansum(a * a) + tl.nanmean(a, 1).sum() + a.prod(1).sum(),
    "scan": lambda a: (a.cumsum(1) * a).sum() + a.cumprod(-1).sum() + a.logcumsumexp(0).sum(),
    "sorting": lambda a: (a.sort(1).values * a).sum() + a.topk(2).values.sum() + a.median(1).values.sum()
    + a.cummax(2).values.sum() + a.max(0).values.sum() + a.median(),
    "copying": lambda a: (a.clone() * a.transpose(0, 2).contiguous().transpose(0, 2)).sum(),
    "prod and cumprod with zeros": lambda a: (a * (a > 0)).prod(2).sum() + (a * (a > 0)).cumprod(2).sum(),
}


@pytest.mark.parametrize("name", SEAM)
def test_graph_rules_stay_in_the_inputs_library(name):
    from tensorlite import backend
    from tests.test_backend_seam import Traced, traced

    def second(lift):
        x = tl.Tensor(lift(np.random.default_rng(0).standard_normal((2, 3, 4))), requires_grad=True)
        (g,) = tl.grad(SEAM[name](x) ** 2, x, create_graph=True)
        return g.data, tl.grad((g * g).sum(), x)[0]

    expected = second(lambda a: a)
    backend.register(Traced, traced)
    try:
        got = second(Traced)
    finally:
        del backend._libraries[Traced]
    for g, e in zip(got, expected):
        assert isinstance(g, Traced), f"{name}: a gradient left the traced library ({type(g).__name__})"
        np.testing.assert_allclose(g.a, e, rtol=1e-12, atol=1e-12)
