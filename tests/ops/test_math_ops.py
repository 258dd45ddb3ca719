"""Issue 15, part A, without PyTorch: ``erf``/``erfc`` against ``math.erf`` to float64 precision,
gradients at zeros of ``prod``/``cumprod`` against finite differences, the zero gradient of the
piecewise-constant ops, bad input (each error names the op and the values), the factories and the
reproducibility of the random ones. (tests/ops/test_torch_math.py compares with PyTorch.)
"""
from __future__ import annotations

import math

import numpy as np
import pytest

import tensorlite as tl

rng = np.random.default_rng(15)


def test_erf_and_erfc_are_exact_to_float64():
    x = np.concatenate([np.geomspace(1e-300, 1e-3, 2000), np.linspace(0, 6.5, 80001), np.linspace(6.5, 26.5, 18001)])
    x = np.concatenate([x, -x])
    erf, erfc = tl.erf(tl.tensor(x)).data, tl.erfc(tl.tensor(x)).data
    want_erf = np.array([math.erf(v) for v in x])
    want_erfc = np.array([math.erfc(v) for v in x])
    rel = lambda got, want: np.abs(got - want) / np.maximum(np.abs(want), np.finfo(float).tiny)  # noqa: E731
    assert rel(erf, want_erf).max() < 2e-15
    assert rel(erfc, want_erfc).max() < 2e-15
    np.testing.assert_array_equal(tl.erf(tl.tensor([np.inf, -np.inf, 0.0, -0.0])).data, [1, -1, 0, -0.0])
    np.testing.assert_array_equal(tl.erfc(tl.tensor([np.inf, -np.inf, 30.0])).data, [0, 2, 0])
    assert np.isnan(tl.erf(tl.tensor([np.nan])).data).all()
    f32 = tl.erf(tl.tensor(x[:1000].astype(np.float32)))
    assert f32.dtype == np.float32


def test_cumprod_zeros_against_finite_differences():
    a = np.array([[1.5, 0.0, 2.0, 0.0, 3.0], [0.0, 1.2, -0.7, 2.0, 1.1], [1.1, 1.2, 1.3, 0.9, 0.0]])
    assert tl.gradcheck(lambda t: t.cumprod(1), [tl.tensor(a, requires_grad=True)])
    assert tl.gradcheck(lambda t: t.prod(1), [tl.tensor(a, requires_grad=True)])


def test_piecewise_constant_ops_have_zero_gradient():
    x = tl.tensor([-1.5, 0.5, 2.5], requires_grad=True)
    y = tl.floor(x) + tl.ceil(x) + tl.round(x) + tl.trunc(x) + tl.sign(x) + x // 2 + x.div(2, rounding_mode="trunc")
    assert y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0, 0, 0])


def test_integer_tensor_to_a_negative_power_is_an_error():
    with pytest.raises(ValueError, match=r"pow: an integer tensor .* negative integer power \(-1\)"):
        tl.tensor([2, 3]) ** -1
    np.testing.assert_array_equal((tl.tensor([2, 3]) ** 2).data, [4, 9])
    np.testing.assert_allclose((tl.tensor([2, 4]) ** -0.5).data, [2 ** -0.5, 0.5], rtol=1e-6)
    np.testing.assert_allclose((tl.tensor([2.0]) ** -1).data, [0.5])


def test_bad_inputs_name_the_op():
    with pytest.raises(TypeError, match="bitwise_and: defined for integer and bool tensors only, got dtype float32"):
        tl.ones(2) & tl.ones(2)
    with pytest.raises(TypeError, match="bitwise_not"):
        ~tl.ones(2)
    with pytest.raises(TypeError, match="bitwise_left_shift: not defined for bool"):
        tl.tensor([True]) << tl.tensor([True])
    with pytest.raises(ValueError, match="bitwise_right_shift: negative shift"):
        tl.tensor([4]) >> tl.tensor([-1])
    with pytest.raises(ValueError, match=r"bitwise_or: shapes \(2,\) and \(3,\)"):
        tl.tensor([1, 2]) | tl.tensor([1, 2, 3])
    with pytest.raises(ZeroDivisionError, match="remainder: integer division by zero"):
        tl.tensor([1, 2]) % 0
    with pytest.raises(ZeroDivisionError, match="floor_divide: integer division by zero"):
        tl.tensor([1, 2]) // tl.tensor([1, 0])
    with pytest.raises(ValueError, match="div: rounding_mode must be None, 'trunc' or 'floor', got 'round'"):
        tl.div(tl.ones(2), 2, rounding_mode="round")
    with pytest.raises(ValueError, match=r"atan2: shapes \(2,\) and \(3,\) cannot be broadcast"):
        tl.atan2(tl.ones(2), tl.ones(3))
    with pytest.raises(TypeError, match="lerp: operands have different floating dtypes"):
        tl.lerp(tl.ones(2), tl.ones(2, dtype=np.float64), 0.5)
    with pytest.raises(TypeError, match="round: decimals must be an int, got float 1.5"):
        tl.round(tl.ones(2), 1.5)
    with pytest.raises(TypeError, match="floor: not defined for a bool tensor"):
        tl.floor(tl.tensor([True]))
    with pytest.raises(IndexError, match="cumsum: dim 2 is out of range for a tensor with 2 dims"):
        tl.ones(2, 3).cumsum(2)
    with pytest.raises(TypeError, match="cumsum: dim is required"):
        tl.ones(2, 3).cumsum()
    with pytest.raises(TypeError, match="logcumsumexp: expected a floating tensor, got dtype int64"):
        tl.tensor([1, 2]).logcumsumexp(0)
    with pytest.raises(TypeError, match=r"prod: dim must be one int \(as in PyTorch\), got tuple"):
        tl.ones(2, 3).prod((0, 1))
    with pytest.raises(ValueError, match="amax: cannot reduce a tensor of shape"):
        tl.ones(0, 3).amax(0)
    with pytest.raises(IndexError, match="any: dim 3 is out of range"):
        tl.ones(2, 3).any(3)
    with pytest.raises(ValueError, match="isclose: rtol must be at least 0, got -1"):
        tl.isclose(tl.ones(2), tl.ones(2), rtol=-1)
    with pytest.raises(TypeError, match="nanmean: expected a floating tensor"):
        tl.nanmean(tl.tensor([1, 2]))


def test_factories():
    assert tl.empty(2, 3).shape == (2, 3) and tl.empty((4,)).dtype == np.float32
    e = tl.empty_like(tl.tensor([1, 2]))
    assert e.shape == (2,) and e.dtype == np.int64
    np.testing.assert_array_equal(tl.full_like(tl.ones(2), 7).data, [7, 7])
    assert tl.full_like(tl.ones(2), 7, dtype=np.int32).dtype == np.int32
    assert tl.full_like(tl.ones(2), 0.5, requires_grad=True).requires_grad


def test_random_factories_are_reproducible_and_in_range():
    def draw():
        tl.manual_seed(3)
        return (tl.randint(10, (50,)), tl.randint(-3, 3, (4, 5)), tl.randperm(20), tl.normal(1.0, 2.0, (1000,)),
                tl.bernoulli(tl.full((1000,), 0.25)), tl.multinomial(tl.tensor([[1.0, 0.0, 3.0], [0.0, 1.0, 1.0]]), 2),
                tl.multinomial(tl.tensor([0.2, 0.0, 0.8]), 4000, replacement=True))
    first, second = draw(), draw()
    for x, y in zip(first, second):
        np.testing.assert_array_equal(x.data, y.data)
    r10, r33, perm, n, bern, mult, rep = first
    assert r10.dtype == np.int64 and r10.data.min() >= 0 and r10.data.max() < 10
    assert r33.shape == (4, 5) and r33.data.min() >= -3 and r33.data.max() < 3
    np.testing.assert_array_equal(np.sort(perm.data), np.arange(20))
    assert abs(n.data.mean() - 1) < 0.3 and abs(n.data.std() - 2) < 0.3
    assert set(np.unique(bern.data)) <= {0.0, 1.0} and 0.18 < bern.data.mean() < 0.32
    assert mult.shape == (2, 2) and mult.dtype == np.int64
    np.testing.assert_array_equal(np.sort(mult.data, axis=1), [[0, 2], [1, 2]])
    counts = np.bincount(rep.data, minlength=3)
    assert counts[1] == 0 and 0.75 < counts[2] / 4000 < 0.85
    m = tl.normal(tl.tensor([0.0, 100.0]), tl.tensor([1e-9, 1e-9]))
    np.testing.assert_allclose(m.data, [0, 100], atol=1e-6)
    assert tl.normal(tl.zeros(3, dtype=np.float64), 1.0).dtype == np.float64


def test_random_factories_refuse_bad_arguments():
    with pytest.raises(ValueError, match="randint: low must be below high"):
        tl.randint(5, 5, (2,))
    with pytest.raises(TypeError, match="randint: expected"):
        tl.randint(5)
    with pytest.raises(ValueError, match="randperm: n must be a non-negative int, got -1"):
        tl.randperm(-1)
    with pytest.raises(ValueError, match="normal: std must be non-negative"):
        tl.normal(0.0, -1.0, (2,))
    with pytest.raises(ValueError, match="bernoulli: probabilities must be in"):
        tl.bernoulli(tl.tensor([1.5]))
    with pytest.raises(ValueError, match="multinomial: cannot draw 2 samples without replacement from a row with 1"):
        tl.multinomial(tl.tensor([1.0, 0.0, 0.0]), 2)
    with pytest.raises(ValueError, match="multinomial: weights must be finite, non-negative"):
        tl.multinomial(tl.tensor([1.0, -1.0]), 1)
    with pytest.raises(ValueError, match="arange: step must be nonzero"):
        tl.arange(0, 1, 0)
    with pytest.raises(ValueError, match="arange: the range"):
        tl.arange(0, 1, -0.1)
    with pytest.raises(ValueError, match="linspace: steps must be a non-negative int, got -2"):
        tl.linspace(0, 1, -2)


def test_samples_from_tensors_that_require_grad_are_recorded_with_zero_gradient():
    """As in PyTorch: normal(mean, std) and bernoulli(p) record an entry whose gradient is 0."""
    m = tl.zeros(3, requires_grad=True)
    s = tl.ones(3, requires_grad=True)
    p = tl.full((3,), 0.5, requires_grad=True)
    y = tl.normal(m, s)
    b = tl.bernoulli(p)
    assert y.grad_fn == "NormalBackward" and b.grad_fn == "BernoulliBackward"
    (y.sum() + b.sum() + tl.normal(m, 2.0).sum()).backward()
    np.testing.assert_array_equal(m.grad, [0, 0, 0])
    np.testing.assert_array_equal(s.grad, [0, 0, 0])
    np.testing.assert_array_equal(p.grad, [0, 0, 0])
    assert not tl.normal(tl.zeros(3), 1.0).requires_grad


def test_infinities_and_nans_give_values_not_warnings():
    """Out-of-domain and infinite inputs give NaN or inf as in PyTorch (the suite turns warnings
    into errors, so a NumPy warning fails here)."""
    x = tl.tensor([np.inf, -np.inf, 2.0, -2.0, 1e30, np.nan, 0.0])
    for fn in (tl.tan, tl.asin, tl.acos, tl.atan, tl.sinh, tl.cosh, tl.asinh, tl.acosh, tl.atanh, tl.rsqrt,
               tl.log2, tl.log10, tl.log1p, tl.expm1, tl.exp2, tl.erf, tl.erfc, tl.square, tl.reciprocal,
               tl.frac, tl.sign, tl.floor, tl.round, lambda t: t.prod(), lambda t: t.cumprod(0),
               lambda t: t.cumsum(0), lambda t: t.logcumsumexp(0), tl.nansum, tl.nanmean):
        fn(x)
    for fn in (tl.atan2, tl.hypot, tl.logaddexp, tl.fmod, tl.remainder, tl.floor_divide,
               lambda a, b: tl.lerp(a, b, 0.3)):
        fn(x, x)
    assert np.isnan(tl.asin(tl.tensor([2.0])).item()) and tl.sinh(tl.tensor([1e4])).item() == np.inf
