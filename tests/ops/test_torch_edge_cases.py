"""Edge cases where tensorlite now gives PyTorch's answer: reductions over a size-0 dim, the gradient
of ``a ** b`` w.r.t. ``b`` at ``a = 0``, and ``clamp`` with tensor bounds (values and gradients)."""
from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import tensorlite as tl

torch = pytest.importorskip("torch")


def _same(ours, theirs):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = ours.data if isinstance(ours, tl.Tensor) else np.asarray(ours)
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0, equal_nan=True)


# -- reductions over a size-0 dim: nan, with a gradient of the input's (empty) shape ---------------

EMPTY = [((0,), None), ((0,), 0), ((3, 0), -1), ((3, 0), None), ((0, 3), 0), ((3, 0), 0), ((2, 0, 4), (0, 1))]


@pytest.mark.parametrize("name, correction", [("std", 0), ("std", 1), ("var", 0), ("var", 1), ("mean", None)])
@pytest.mark.parametrize("shape, dim", EMPTY, ids=str)
def test_reductions_over_a_size_0_dim_give_nan_as_pytorch(name, correction, shape, dim):
    """std/var raised a NumPy ValueError (or a 'Mean of empty slice' warning) instead of nan."""
    kwargs = {} if correction is None else {"correction": correction}
    x = tl.zeros(*shape, dtype=np.float64, requires_grad=True)
    t = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    ours = getattr(tl, name)(x, dim=dim, **kwargs)       # and no warning: filterwarnings=error

    def theirs(**options):
        with warnings.catch_warnings():                    # PyTorch warns: degrees of freedom <= 0
            warnings.simplefilter("ignore", UserWarning)
            return getattr(torch, name)(t, dim=dim, **kwargs, **options)

    _same(ours, theirs())
    assert ours.dtype == np.float64
    ours.sum().backward()
    theirs().sum().backward()
    _same(x.grad, t.grad)
    if dim is not None:
        for keepdim in (True, False):
            _same(getattr(tl, name)(x, dim=dim, keepdim=keepdim, **kwargs), theirs(keepdim=keepdim))


def test_std_of_a_size_0_dim_in_float32_keeps_the_dtype():
    assert tl.zeros(0, 2).std(0).dtype == np.float32 and np.isnan(tl.zeros(0, 2).std(0).data).all()


# -- d(a ** b)/db at a = 0 ---------------------------------------------------------------------------

GRID = [-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0]


def test_pow_gradients_match_pytorch_on_a_grid_with_zeros():
    """At a = 0 the gradient w.r.t. b was 0 for every b; PyTorch's is -inf for b < 0 (0 for b >= 0)."""
    pairs = list(itertools.product([0.0, 0.5, 1.0, 2.0, 3.0], GRID))   # a >= 0: real powers only
    a_values, b_values = (np.array(v, dtype=np.float64) for v in zip(*pairs))
    a, b = tl.tensor(a_values, requires_grad=True), tl.tensor(b_values, requires_grad=True)
    ta, tb = (torch.tensor(v, requires_grad=True) for v in (a_values, b_values))
    upstream = np.linspace(0.5, 2.0, len(pairs))
    with np.errstate(divide="ignore", invalid="ignore"):   # 0 ** -1 = inf, as NumPy warns
        out = a ** b
        out.backward(upstream)
    (ta ** tb).backward(torch.tensor(upstream))
    _same(out, ta ** tb)
    _same(b.grad, tb.grad)
    _same(a.grad, ta.grad)
    at_zero = a_values == 0
    assert (b.grad[at_zero & (b_values < 0)] == -np.inf).all()
    assert (b.grad[at_zero & (b_values >= 0)] == 0).all()


def test_pow_gradient_wrt_the_exponent_passes_gradcheck_away_from_zero():
    a = tl.tensor(np.array([0.5, 1.5, 2.0, 3.0]), requires_grad=True)
    b = tl.tensor(np.array([-1.5, 0.0, 2.0, 0.5]), requires_grad=True)
    assert tl.gradcheck(lambda x, y: x ** y, [a, b])


def test_pow_broadcasts_the_zero_rule():
    a = tl.tensor(np.array([[0.0], [2.0]]), requires_grad=True)
    b = tl.tensor(np.array([-1.0, 1.0]), requires_grad=True)
    ta, tb = torch.tensor([[0.0], [2.0]], dtype=torch.float64, requires_grad=True), \
        torch.tensor([-1.0, 1.0], dtype=torch.float64, requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        (a ** b).sum().backward()
    (ta ** tb).sum().backward()
    _same(b.grad, tb.grad)
    _same(a.grad, ta.grad)


# -- clamp with tensor bounds ----------------------------------------------------------------------

X = [-2.0, 0.0, 0.5, 1.0, 3.0, 0.2, 0.7, 0.4]
LO = [-1.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.7, 0.4]   # ties, and lo > hi in the sixth place
HI = [1.0, 1.0, 1.0, 1.0, 1.0, 0.3, 0.7, 0.4]


@pytest.mark.parametrize("which", ["both", "min", "max"])
def test_clamp_with_tensor_bounds_matches_pytorch_values_and_gradients(which):
    """clamp(min=Tensor, max=Tensor) was refused ('bounds must be numbers')."""
    x, lo, hi = (tl.tensor(np.array(v), requires_grad=True) for v in (X, LO, HI))
    tx, tlo, thi = (torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in (X, LO, HI))
    bounds = {"both": ((lo, hi), (tlo, thi)), "min": ((lo, None), (tlo, None)), "max": ((None, hi), (None, thi))}
    (mine_lo, mine_hi), (their_lo, their_hi) = bounds[which]
    out, expected = tl.clamp(x, min=mine_lo, max=mine_hi), torch.clamp(tx, min=their_lo, max=their_hi)
    _same(out, expected)
    upstream = np.arange(1.0, len(X) + 1)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    for mine, theirs in ((x, tx), (lo, tlo), (hi, thi)):
        if theirs.grad is not None:
            _same(mine.grad, theirs.grad)
        else:
            assert mine.grad is None
    assert x.clamp(min=mine_lo, max=mine_hi).grad_fn == out.grad_fn      # the method too


def test_clamp_with_tensor_bounds_passes_gradcheck():
    rng = np.random.default_rng(0)
    x = tl.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    lo = tl.tensor(rng.normal(size=(4,)) - 0.5, requires_grad=True)     # broadcast bounds
    hi = tl.tensor(rng.normal(size=(3, 1)) + 1.0, requires_grad=True)
    assert tl.gradcheck(lambda a, b, c: tl.clamp(a, min=b, max=c), [x, lo, hi])
    assert tl.gradcheck(lambda a, b: tl.clamp(a, min=b), [x, lo])
    assert tl.gradcheck(lambda a, c: tl.clamp(a, max=c), [x, hi])


def test_clamp_tensor_bounds_broadcast_and_promote_as_pytorch():
    out = tl.clamp(tl.zeros(3), min=tl.zeros(2, 3), max=tl.ones(2, 1))
    assert out.shape == tuple(torch.clamp(torch.zeros(3), min=torch.zeros(2, 3), max=torch.ones(2, 1)).shape)
    ints = tl.clamp(tl.tensor([1, 5]), min=tl.tensor([2.5, 0.0]))
    _same(ints, torch.clamp(torch.tensor([1, 5]), min=torch.tensor([2.5, 0.0])))
    assert ints.dtype == np.float32
    assert tl.clamp(tl.tensor([1.0, 5.0]), min=np.array([2.0, 0.0], np.float32), max=4).data.tolist() == [2.0, 4.0]
    with pytest.raises(ValueError, match=r"clip: the bounds' shapes \[\(2,\)\] do not broadcast with the input's"):
        tl.clamp(tl.zeros(3), min=tl.zeros(2))
