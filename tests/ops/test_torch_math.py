"""Issue 15, part A, against PyTorch: the math ops, the integer and logical operators, the scans
and reductions, the tests (isnan, isclose, ...) and the factories; values and gradients, in
float32 and float64 (tests/ops/test_math_ops.py has what needs no PyTorch).
"""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl

torch = pytest.importorskip("torch")

rng = np.random.default_rng(15)


def normal(shape):
    return rng.standard_normal(shape)


def positive(shape):
    return rng.uniform(0.2, 3.0, shape)


def unit(shape):  # inside (-1, 1)
    return rng.uniform(-0.9, 0.9, shape)


def above_one(shape):
    return rng.uniform(1.1, 4.0, shape)


def away_from_zero(shape):
    return rng.uniform(0.3, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def halves(shape):  # includes exact halves (round half to even) and integers
    return rng.integers(-8, 8, shape) / 2 + rng.choice([0.0, 0.25], shape)


# name: (tensorlite function, torch function, input makers)
UNARY = {
    "tan": (tl.tan, torch.tan, [unit]),
    "asin": (tl.asin, torch.asin, [unit]),
    "acos": (tl.acos, torch.acos, [unit]),
    "atan": (tl.atan, torch.atan, [normal]),
    "sinh": (tl.sinh, torch.sinh, [normal]),
    "cosh": (tl.cosh, torch.cosh, [normal]),
    "asinh": (tl.asinh, torch.asinh, [normal]),
    "acosh": (tl.acosh, torch.acosh, [above_one]),
    "atanh": (tl.atanh, torch.atanh, [unit]),
    "rsqrt": (tl.rsqrt, torch.rsqrt, [positive]),
    "log2": (tl.log2, torch.log2, [positive]),
    "log10": (tl.log10, torch.log10, [positive]),
    "log1p": (tl.log1p, torch.log1p, [positive]),
    "expm1": (tl.expm1, torch.expm1, [normal]),
    "exp2": (tl.exp2, torch.exp2, [normal]),
    "erf": (tl.erf, torch.erf, [lambda s: 2 * normal(s)]),
    "erfc": (tl.erfc, torch.erfc, [lambda s: 2 * normal(s)]),
    "sign": (tl.sign, torch.sign, [away_from_zero]),
    "floor": (tl.floor, torch.floor, [halves]),
    "ceil": (tl.ceil, torch.ceil, [halves]),
    "round": (tl.round, torch.round, [halves]),
    "round decimals=1": (lambda a: tl.round(a, decimals=1), lambda a: torch.round(a, decimals=1), [normal]),
    "trunc": (tl.trunc, torch.trunc, [halves]),
    "frac": (tl.frac, torch.frac, [halves]),
    "square": (tl.square, torch.square, [normal]),
    "reciprocal": (tl.reciprocal, torch.reciprocal, [away_from_zero]),
    "atan2": (tl.atan2, torch.atan2, [normal, normal]),
    "fmod": (tl.fmod, torch.fmod, [lambda s: 5 * normal(s), away_from_zero]),
    "remainder": (tl.remainder, torch.remainder, [lambda s: 5 * normal(s), away_from_zero]),
    "% operator": (lambda a, b: a % b, lambda a, b: a % b, [lambda s: 5 * normal(s), away_from_zero]),
    "logaddexp": (tl.logaddexp, torch.logaddexp, [normal, normal]),
    "hypot": (tl.hypot, torch.hypot, [normal, normal]),
    "lerp scalar weight": (lambda a, b: tl.lerp(a, b, 0.3), lambda a, b: torch.lerp(a, b, 0.3), [normal, normal]),
    "lerp weight 0.8": (lambda a, b: a.lerp(b, 0.8), lambda a, b: a.lerp(b, 0.8), [normal, normal]),
    "lerp tensor weight": (tl.lerp, torch.lerp, [normal, normal, lambda s: rng.uniform(-0.5, 1.5, s)]),
    "prod": (lambda a: a.prod(), lambda a: a.prod(), [normal]),
    "prod dim=1 keepdim": (lambda a: a.prod(1, keepdim=True), lambda a: a.prod(1, keepdim=True), [normal]),
    "cumsum": (lambda a: a.cumsum(1), lambda a: a.cumsum(1), [normal]),
    "cumprod": (lambda a: a.cumprod(-1), lambda a: a.cumprod(-1), [normal]),
    "logcumsumexp": (lambda a: a.logcumsumexp(0), lambda a: a.logcumsumexp(0), [normal]),
    "amax": (lambda a: a.amax(), lambda a: a.amax(), [normal]),
    "amin dims": (lambda a: a.amin(dim=(0, 2)), lambda a: a.amin(dim=(0, 2)), [normal]),
    "nansum": (lambda a: a.nansum(1), lambda a: a.nansum(1), [normal]),
    "nanmean": (lambda a: a.nanmean(), lambda a: a.nanmean(), [normal]),
    "sum dim=()": (lambda a: a.sum(dim=()), lambda a: a.sum(dim=()), [normal]),
    "std_mean": (lambda a: tl.std_mean(a, 1), lambda a: torch.std_mean(a, 1), [normal]),
    "var_mean": (lambda a: tl.var_mean(a, (0, 2), correction=0, keepdim=True),
                 lambda a: torch.var_mean(a, (0, 2), correction=0, keepdim=True), [normal]),
}
SHAPES = {1: [(2, 3, 4)], 2: [(2, 3, 4), (3, 4)], 3: [(2, 3, 4), (3, 4), (4,)]}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", UNARY)
def test_value_and_gradient_match_torch(name, dtype):
    fn, torch_fn, makers = UNARY[name]
    arrays = [make(shape).astype(dtype) for make, shape in zip(makers, SHAPES[len(makers)][: len(makers)])]
    if name.startswith("nan"):
        arrays[0][0, 1, 2] = np.nan
    ours = [tl.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(*ours), torch_fn(*theirs)
    outs = list(out) if isinstance(out, tuple) else [out]
    refs = list(ref) if isinstance(ref, tuple) else [ref]
    tol = dict(rtol=2e-6, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-13)
    for o, r in zip(outs, refs):
        assert o.dtype == dtype and o.shape == tuple(r.shape)
        np.testing.assert_allclose(o.data, r.detach().numpy(), **tol)
    weights = [rng.standard_normal(o.shape).astype(dtype) for o in outs]
    sum((o * w).sum() for o, w in zip(outs, weights)).backward()
    sum((r * torch.tensor(w)).sum() for r, w in zip(refs, weights)).backward()
    for t, u in zip(ours, theirs):
        expected = np.zeros(t.shape, dtype) if u.grad is None else u.grad.numpy()
        assert t.grad.dtype == dtype
        np.testing.assert_allclose(t.grad, expected, rtol=tol["rtol"] * 5, atol=tol["atol"] * 10)


@pytest.mark.parametrize("values", [[0.0, 2.0, 3.0], [2.0, 0.0, 0.0, 3.0], [0.0, 0.0, 0.0], [1.5, -2.0, 4.0]])
def test_prod_and_cumprod_gradients_at_zeros(values):
    for dims in [(), (2, 1)]:
        a = np.tile(np.array(values), dims or 1).reshape(*(dims[:1] or ()), -1) if dims else np.array(values)
        x = tl.tensor(a, dtype=np.float64, requires_grad=True)
        y = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        (x.prod(-1) * 1.5).sum().backward()
        (y.prod(-1) * 1.5).sum().backward()
        np.testing.assert_allclose(x.grad, y.grad.numpy())
        x.grad = None
        w = rng.standard_normal(a.shape)
        (x.cumprod(-1) * w).sum().backward()
        y.grad = None
        (y.cumprod(-1) * torch.tensor(w)).sum().backward()
        np.testing.assert_allclose(x.grad, y.grad.numpy(), rtol=1e-12, atol=1e-14)


INT_OPS = {
    "%": (lambda a, b: a % b), "//": (lambda a, b: a // b), "&": (lambda a, b: a & b),
    "|": (lambda a, b: a | b), "^": (lambda a, b: a ^ b), "<<": (lambda a, b: a << (b % 5)),
    ">>": (lambda a, b: a >> (b % 5)), "fmod": (lambda a, b: a.fmod(b)),
    "div trunc": (lambda a, b: a.div(b, rounding_mode="trunc")),
    "div floor": (lambda a, b: a.div(b, rounding_mode="floor")),
    "logical_and": (lambda a, b: a.logical_and(b)), "logical_or": (lambda a, b: a.logical_or(b)),
    "logical_xor": (lambda a, b: a.logical_xor(b)),
}


@pytest.mark.parametrize("name", INT_OPS)
def test_integer_operators_match_torch(name):
    fn = INT_OPS[name]
    a = rng.integers(-20, 20, (4, 5))
    b = rng.integers(1, 7, (5,)) * rng.choice([-1, 1], (5,))
    if name in ("<<", ">>"):
        b = np.abs(b)
    got, want = fn(tl.tensor(a), tl.tensor(b)), fn(torch.tensor(a), torch.tensor(b))
    assert got.dtype == want.numpy().dtype
    np.testing.assert_array_equal(got.data, want.numpy())
    # reflected forms with a Python int on the left
    if name in ("%", "//", "&", "|", "^"):
        np.testing.assert_array_equal(fn(7, tl.tensor(b)).data, fn(7, torch.tensor(b)).numpy())


def test_bool_and_unary_integer_ops_match_torch():
    p = np.array([True, False, True, False])
    q = np.array([True, True, False, False])
    for fn in (lambda a, b: a & b, lambda a, b: a | b, lambda a, b: a ^ b, lambda a, b: ~a):
        np.testing.assert_array_equal(fn(tl.tensor(p), tl.tensor(q)).data, fn(torch.tensor(p), torch.tensor(q)).numpy())
    i = np.array([0, 5, -3])
    np.testing.assert_array_equal((~tl.tensor(i)).data, (~torch.tensor(i)).numpy())
    f = np.array([0.0, -1.5, 2.0])
    np.testing.assert_array_equal(tl.logical_not(tl.tensor(f)).data, torch.logical_not(torch.tensor(f)).numpy())
    np.testing.assert_array_equal(tl.sign(tl.tensor(i)).data, torch.sign(torch.tensor(i)).numpy())
    np.testing.assert_array_equal(tl.floor(tl.tensor(i)).data, i)


def test_integer_division_and_remainder_of_floats_match_torch():
    a = np.array([-7.5, 7.5, -3.0, 3.0, 0.5])
    b = np.array([2.0, -2.0, 2.0, -2.0, 0.25])
    for fn in (lambda x, y: x // y, lambda x, y: x % y, lambda x, y: x.fmod(y),
               lambda x, y: x.div(y, rounding_mode="trunc"), lambda x, y: x.div(y, rounding_mode="floor")):
        np.testing.assert_array_equal(fn(tl.tensor(a), tl.tensor(b)).data, fn(torch.tensor(a), torch.tensor(b)).numpy())


def test_reduction_dtypes_and_dim_conventions_match_torch():
    i32 = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    b = np.array([[True, False, True], [False, False, False]])
    for name in ("sum", "prod"):
        for arr in (i32, b):
            got = getattr(tl.tensor(arr), name)()
            want = getattr(torch.tensor(arr), name)()
            assert got.dtype == want.numpy().dtype and got.item() == want.item()
    assert tl.tensor(i32).cumsum(1).dtype == np.int64
    assert tl.tensor(i32).sum(dtype=np.float64).dtype == np.float64
    x = np.arange(6.0).reshape(2, 3)
    for fn in (lambda t: t.sum(dim=()), lambda t: t.mean(dim=()), lambda t: t.amax(dim=()),
               lambda t: t.nansum(dim=()), lambda t: t.any(dim=()), lambda t: t.all(dim=1, keepdim=True),
               lambda t: t.any(), lambda t: t.all(dim=(0, 1))):
        got, want = fn(tl.tensor(x)), fn(torch.tensor(x))
        np.testing.assert_array_equal(got.data, want.numpy())
    u8 = np.array([0, 3], dtype=np.uint8)
    assert tl.tensor(u8).any().dtype == torch.tensor(u8).any().numpy().dtype == np.uint8
    assert np.isnan(tl.nanmean(tl.tensor([np.nan, np.nan])).item())


def test_tests_match_torch():
    a = np.array([1.0, np.nan, np.inf, -np.inf, 1.0 + 1e-7, 0.0])
    b = np.array([1.0, np.nan, np.inf, np.inf, 1.0, 1e-9])
    for name in ("isnan", "isinf", "isfinite"):
        np.testing.assert_array_equal(getattr(tl.tensor(a), name)().data, getattr(torch.tensor(a), name)().numpy())
        np.testing.assert_array_equal(getattr(tl, name)(tl.tensor([1, 2])).data,
                                      getattr(torch, name)(torch.tensor([1, 2])).numpy())
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.0, "atol": 0.0}):
        np.testing.assert_array_equal(tl.isclose(tl.tensor(a), tl.tensor(b), **kw).data,
                                      torch.isclose(torch.tensor(a), torch.tensor(b), **kw).numpy())
        assert tl.allclose(a[4:], b[4:], **kw) == torch.allclose(torch.tensor(a[4:]), torch.tensor(b[4:]), **kw)
    assert tl.tensor(a).allclose(a, equal_nan=True) is True


@pytest.mark.parametrize("args", [(0, 1, 0.1), (0.1, 1.0, 0.1), (1, 0, -0.3), (-2.5, 3.7, 0.7), (0, 1.0000001, 0.1),
                                  (5.5,)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_arange_with_float_steps_matches_torch(args, dtype):
    got = tl.arange(*args, dtype=dtype)
    want = torch.arange(*args, dtype=getattr(torch, np.dtype(dtype).name))
    assert got.shape == tuple(want.shape) and got.dtype == dtype
    # the length rule exactly; the values to the last bit or two (PyTorch's vectorised kernel rounds
    # some float64 values differently from one start + i * step)
    scale = max(abs(v) for v in args[:2]) if len(args) > 1 else args[0]
    np.testing.assert_allclose(got.data, want.numpy(), rtol=0, atol=4 * np.finfo(dtype).eps * scale)


@pytest.mark.parametrize("args", [(0, 1, 7), (-3.3, 10.1, 11), (2, 2, 1), (0, 1, 0), (1, -1, 2), (0.0, 1e-3, 100)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linspace_and_logspace_match_torch(args, dtype):
    tdtype = getattr(torch, np.dtype(dtype).name)
    np.testing.assert_array_equal(tl.linspace(*args, dtype=dtype).data, torch.linspace(*args, dtype=tdtype).numpy())
    np.testing.assert_allclose(tl.logspace(*args, dtype=dtype).data, torch.logspace(*args, dtype=tdtype).numpy(),
                               rtol=1e-6 if dtype == np.float32 else 1e-14)
    np.testing.assert_allclose(tl.logspace(0, 3, 4, base=2.0, dtype=dtype).data, [1, 2, 4, 8])

