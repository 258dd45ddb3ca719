"""Higher-order gradients of the elementwise ops (issue 16): arith's Abs Clip ClipTensor Cos Sin
Maximum Minimum Pow, every op of tensorlite.ops.math, LeakyRelu and Softplus, and the ops of
tensorlite.ops.activation_extra.

Each row of CASES is a public function that records one of these ops, its PyTorch twin and its
inputs; the test compares derivatives of order 1, 2 and 3 with PyTorch in float64 (see
``higher_order.derivatives``). Piecewise-linear functions are cubed (``_cubed``): their own
second derivative is 0, which PyTorch returns as a ZeroTensor, and the cube makes the graph rule
show (the second derivative of ``f**3`` is ``6 f f'**2 + 3 f**2 f''``). Inputs stay off the
kinks, except in the rows that check PyTorch's conventions there.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from higher_order import assert_matches_torch, derivatives

import tensorlite as tl
import tensorlite.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _rng(shape, seed=0):
    return np.random.default_rng(abs(hash(shape)) % 2**32 + seed)


def normal(*shape):
    return _rng(shape).standard_normal(shape)


def away(*shape):
    """|x| in [0.3, 1.5], random signs: off the kinks at 0."""
    r = _rng(shape, 1)
    return r.uniform(0.3, 1.5, shape) * r.choice([-1.0, 1.0], shape)


def positive(*shape):
    return _rng(shape, 2).uniform(0.5, 2.0, shape)


def unit(*shape):
    return _rng(shape, 3).uniform(-0.9, 0.9, shape)


def near(points, *shape):
    """Values within 0.3 of the given points (which stay away from kinks)."""
    r = _rng(shape, 4)
    return r.choice(points, shape) + r.uniform(-0.3, 0.3, shape)


def fractional(*shape):
    """Off the integers: in n + [0.1, 0.4]."""
    r = _rng(shape, 5)
    return r.uniform(0.1, 0.4, shape) + r.integers(-3, 3, shape)


def _t(a):
    return tl.Tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def _cubed(fn):
    return lambda *a: fn(*a) ** 3


def _hardsigmoid(a):
    return torch.clamp(a / 6 + 0.5, 0, 1)


C = pytest.param
CASES = [
    # arith
    C(_cubed(tl.abs), _cubed(torch.abs), [away(3, 4)], id="abs"),
    C(_cubed(lambda a: abs(a) + a.abs()), _cubed(lambda a: abs(a) + a.abs()), [away(5)], id="abs operator+method"),
    C(tl.sin, torch.sin, [normal(3, 4)], id="sin"),
    C(lambda a: a.cos(), torch.cos, [normal(3, 4)], id="cos"),
    C(_cubed(lambda a: tl.clip(a, -0.5, 0.7)), _cubed(lambda a: torch.clamp(a, -0.5, 0.7)),
      [near([-1.0, 0.0, 1.0], 3, 4)], id="clip"),
    C(_cubed(lambda a: a.clip(min=0.1) + a.clamp(max=0.2)), _cubed(lambda a: a.clamp(min=0.1) + a.clamp(max=0.2)),
      [away(3, 4)], id="clip min/max only"),
    C(_cubed(lambda a, lo, hi: tl.clip(a, lo, hi)), _cubed(lambda a, lo, hi: torch.clamp(a, lo, hi)),
      [normal(3, 4), normal(4) - 0.5, normal(3, 1) + 0.5], id="clip tensor bounds"),
    C(_cubed(lambda a, lo: tl.clip(a, min=lo)), _cubed(lambda a, lo: torch.clamp(a, min=lo)),
      [normal(3, 4), normal(4)], id="clip tensor min"),
    C(_cubed(lambda a, hi: a.clip(max=hi)), _cubed(lambda a, hi: torch.clamp(a, max=hi)),
      [normal(3, 4), normal(3, 1)], id="clip tensor max"),
    C(_cubed(lambda a, lo, hi: tl.clip(a, lo, hi)), _cubed(lambda a, lo, hi: torch.clamp(a, lo, hi)),
      [normal(3, 4), normal(3, 4) + 0.5, normal(3, 4) - 0.5], id="clip tensor bounds crossed"),
    C(_cubed(tl.maximum), _cubed(torch.maximum), [normal(3, 1), normal(4)], id="maximum"),
    C(_cubed(lambda a, b: a.minimum(b)), _cubed(torch.minimum), [normal(3, 4), normal()], id="minimum"),
    C(lambda a, b: a ** b, lambda a, b: a ** b, [positive(3, 1), normal(4)], id="pow"),
    C(tl.pow, torch.pow, [positive(), normal(2, 3)], id="pow 0-d base"),
    C(lambda a: 2.0 ** a, lambda a: 2.0 ** a, [normal(3, 4)], id="rpow"),
    # math: unary
    C(tl.tan, torch.tan, [unit(3, 4)], id="tan"),
    C(tl.asin, torch.asin, [unit(3, 4)], id="asin"),
    C(lambda a: a.acos(), torch.acos, [unit(3, 4)], id="acos"),
    C(tl.atan, torch.atan, [normal(3, 4)], id="atan"),
    C(tl.sinh, torch.sinh, [normal(3, 4)], id="sinh"),
    C(lambda a: a.cosh(), torch.cosh, [normal(3, 4)], id="cosh"),
    C(tl.asinh, torch.asinh, [normal(3, 4)], id="asinh"),
    C(tl.acosh, torch.acosh, [positive(3, 4) + 1], id="acosh"),
    C(tl.atanh, torch.atanh, [unit(3, 4)], id="atanh"),
    C(tl.rsqrt, torch.rsqrt, [positive(3, 4)], id="rsqrt"),
    C(tl.log2, torch.log2, [positive(3, 4)], id="log2"),
    C(lambda a: a.log10(), torch.log10, [positive(3, 4)], id="log10"),
    C(tl.log1p, torch.log1p, [positive(3, 4) - 0.4], id="log1p"),
    C(tl.expm1, torch.expm1, [normal(3, 4)], id="expm1"),
    C(tl.exp2, torch.exp2, [normal(3, 4)], id="exp2"),
    C(tl.erf, torch.erf, [1.5 * normal(3, 4)], id="erf"),
    C(lambda a: a.erfc(), torch.erfc, [1.5 * normal(3, 4)], id="erfc"),
    C(tl.square, torch.square, [normal(3, 4)], id="square"),
    C(tl.reciprocal, torch.reciprocal, [away(3, 4)], id="reciprocal"),
    C(_cubed(tl.frac), _cubed(torch.frac), [fractional(3, 4)], id="frac"),
    C(lambda a: tl.floor(a) + a.ceil() + tl.round(a) + a.trunc() + a.sign() + a * a,
      lambda a: torch.floor(a) + a.ceil() + torch.round(a) + a.trunc() + a.sign() + a * a,
      [fractional(3, 4)], id="floor ceil round trunc sign"),
    C(lambda a: tl.round(a, decimals=1) * a, lambda a: torch.round(a, decimals=1) * a, [normal(3, 4)],
      id="round decimals"),
    C(tl.floor, torch.floor, [fractional(3, 4)], id="floor alone"),
    # math: binary
    C(tl.atan2, torch.atan2, [normal(3, 1), away(4)], id="atan2"),
    C(lambda a, b: a.hypot(b), torch.hypot, [away(3, 4), normal(4)], id="hypot"),
    C(tl.logaddexp, torch.logaddexp, [normal(3, 1), normal(1, 4)], id="logaddexp"),
    C(_cubed(tl.fmod), _cubed(torch.fmod), [fractional(3, 4), np.full(4, 1.3)], id="fmod"),
    C(_cubed(lambda a, b: a % b), _cubed(lambda a, b: a % b), [fractional(3, 4), np.array(-0.7)], id="remainder"),
    C(lambda a, b: (a // b) * a + tl.floor_divide(a, b) * b + tl.div(a, b, rounding_mode="trunc") * a * b,
      lambda a, b: (torch.div(a, b, rounding_mode="floor") * (a + b)  # PyTorch cannot differentiate floor_divide
                    + torch.div(a, b, rounding_mode="trunc") * a * b),
      [fractional(3, 4), np.full(4, 1.3)], id="floor_divide // div(rounding_mode)"),
    C(lambda a, b: tl.lerp(a, b, 0.7), lambda a, b: torch.lerp(a, b, 0.7), [normal(3, 4), normal(4)],
      id="lerp scalar weight"),
    C(tl.lerp, torch.lerp, [normal(2, 3), normal(3), normal(2, 1)], id="lerp tensor weight"),
    C(lambda a, b, w: tl.lerp(a, b, w) ** 2, lambda a, b, w: torch.lerp(a, b, w) ** 2,
      [normal(), normal(), normal()], id="lerp 0-d squared"),
    # activation
    C(_cubed(lambda a: F.leaky_relu(a, 0.2)), _cubed(lambda a: TF.leaky_relu(a, 0.2)), [away(3, 4)],
      id="leaky_relu"),
    C(_cubed(tl.nn.LeakyReLU()), _cubed(TF.leaky_relu), [away(3, 4)], id="LeakyReLU"),
    C(F.softplus, TF.softplus, [3 * normal(3, 4)], id="softplus"),
    C(lambda a: F.softplus(a, 2.0, 3.0), lambda a: TF.softplus(a, 2.0, 3.0), [3 * normal(3, 4)],
      id="softplus beta threshold"),
    C(lambda a: F.softplus(a, -0.5), lambda a: TF.softplus(a, -0.5), [3 * normal(3, 4)], id="softplus negative beta"),
    C(tl.nn.Softplus(0.5, 1.0), lambda a: TF.softplus(a, 0.5, 1.0), [3 * normal(3, 4)], id="Softplus"),
    # activation_extra
    C(F.silu, TF.silu, [2 * normal(3, 4)], id="silu"),
    C(tl.nn.SiLU(), TF.silu, [2 * normal(3, 4)], id="SiLU"),
    C(lambda a: F.elu(a, 0.5), lambda a: TF.elu(a, 0.5), [away(3, 4)], id="elu"),
    C(tl.nn.ELU(1.5), lambda a: TF.elu(a, 1.5), [away(3, 4)], id="ELU"),
    C(F.selu, TF.selu, [away(3, 4)], id="selu"),
    C(tl.nn.SELU(), TF.selu, [away(3, 4)], id="SELU"),
    C(lambda a: F.celu(a, 2.0), lambda a: TF.celu(a, 2.0), [normal(3, 4)], id="celu"),
    C(tl.nn.CELU(0.5), lambda a: TF.celu(a, 0.5), [normal(3, 4)], id="CELU"),
    C(F.mish, TF.mish, [2 * normal(3, 4)], id="mish"),
    C(tl.nn.Mish(), TF.mish, [2 * normal(3, 4)], id="Mish"),
    C(_cubed(F.relu6), _cubed(TF.relu6), [near([-1.0, 2.0, 4.5, 7.0], 3, 4)], id="relu6"),
    C(_cubed(tl.nn.ReLU6()), _cubed(TF.relu6), [near([-1.0, 2.0, 4.5, 7.0], 3, 4)], id="ReLU6"),
    C(F.hardswish, TF.hardswish, [near([-4.0, -1.0, 2.0, 4.0], 3, 4)], id="hardswish"),
    C(_cubed(tl.nn.Hardswish()), _cubed(TF.hardswish), [near([-4.0, -1.0, 2.0, 4.0], 3, 4)], id="Hardswish"),
    # PyTorch cannot differentiate hardsigmoid twice: the same function, clamped
    C(_cubed(F.hardsigmoid), _cubed(_hardsigmoid), [near([-4.0, 1.0, 4.0], 3, 4)], id="hardsigmoid"),
    C(_cubed(tl.nn.Hardsigmoid()), _cubed(_hardsigmoid), [near([-4.0, 1.0, 4.0], 3, 4)], id="Hardsigmoid"),
    C(_cubed(F.hardtanh), _cubed(TF.hardtanh), [near([-2.0, 0.0, 2.0], 3, 4)], id="hardtanh"),
    C(_cubed(tl.nn.Hardtanh(-0.5, 1.5)), _cubed(lambda a: TF.hardtanh(a, -0.5, 1.5)),
      [near([-1.0, 0.5, 2.0], 3, 4)], id="Hardtanh"),
    C(F.softsign, TF.softsign, [away(3, 4)], id="softsign"),
    C(tl.nn.Softsign(), TF.softsign, [away(3, 4)], id="Softsign"),
    C(F.logsigmoid, TF.logsigmoid, [3 * normal(3, 4)], id="logsigmoid"),
    C(tl.nn.LogSigmoid(), TF.logsigmoid, [3 * normal(3, 4)], id="LogSigmoid"),
    C(F.glu, TF.glu, [normal(3, 4)], id="glu"),
    C(lambda a: F.glu(a, 1), lambda a: TF.glu(a, 1), [normal(2, 6, 2)], id="glu dim=1"),
    C(lambda a: F.glu(a, 0), lambda a: TF.glu(a, 0), [normal(2)], id="glu 1-d"),
    C(tl.nn.GLU(0), lambda a: TF.glu(a, 0), [normal(4, 3)], id="GLU"),
    C(F.normalize, TF.normalize, [normal(3, 4)], id="normalize"),
    C(lambda a: F.normalize(a, 3.0, -1), lambda a: TF.normalize(a, 3.0, -1), [away(3, 4)], id="normalize p=3"),
    C(lambda a: F.normalize(a, 1.5, 0), lambda a: TF.normalize(a, 1.5, 0), [away(3, 4)], id="normalize p=1.5"),
    C(lambda a: F.normalize(a, 1.0), lambda a: TF.normalize(a, 1.0), [away(3, 4)], id="normalize p=1"),
    C(lambda a: F.normalize(a, math.inf), lambda a: TF.normalize(a, math.inf), [normal(3, 4)], id="normalize p=inf"),
    C(lambda a: F.normalize(a, 2.0, 0), lambda a: TF.normalize(a, 2.0, 0), [normal()], id="normalize 0-d"),
    C(F.cosine_similarity, TF.cosine_similarity, [normal(3, 4), normal(1, 4)], id="cosine_similarity"),
    C(F.pairwise_distance, TF.pairwise_distance, [normal(3, 4), normal(4)], id="pairwise_distance"),
    C(lambda a, b: F.pairwise_distance(a, b, 1.5, keepdim=True),
      lambda a, b: TF.pairwise_distance(a, b, 1.5, keepdim=True), [normal(3, 4), normal(3, 4)],
      id="pairwise_distance p=1.5"),
    C(lambda a, b: F.pairwise_distance(a, b, math.inf) ** 2, lambda a, b: TF.pairwise_distance(a, b, math.inf) ** 2,
      [normal(3, 4), normal(3, 4)], id="pairwise_distance p=inf"),
    # losses (tensorlite.ops.loss_extra) recorded with these ops
    C(_cubed(F.l1_loss), _cubed(TF.l1_loss), [normal(3, 4), normal(3, 4)], id="l1_loss (abs)"),
    C(lambda a, b: F.smooth_l1_loss(a * 2, b, beta=0.7), lambda a, b: TF.smooth_l1_loss(a * 2, b, beta=0.7),
      [normal(3, 4), normal(3, 4)], id="smooth_l1_loss (abs)"),
    C(lambda a, b: F.huber_loss(a * 2, b, "sum", 0.7), lambda a, b: TF.huber_loss(a * 2, b, "sum", 0.7),
      [normal(3, 4), normal(3, 4)], id="huber_loss (abs)"),
    C(lambda a, b: F.cosine_embedding_loss(a, b, tl.tensor([1, -1, -1]), -0.9),
      lambda a, b: TF.cosine_embedding_loss(a, b, torch.tensor([1, -1, -1]), -0.9), [normal(3, 4), normal(3, 4)],
      id="cosine_embedding_loss (clip, Norm)"),
    C(_cubed(lambda a, b: F.margin_ranking_loss(a, b, tl.tensor([1, -1, 1, -1, 1]), 0.1)),
      _cubed(lambda a, b: TF.margin_ranking_loss(a, b, torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0]), 0.1)),
      [normal(5), normal(5) * 0.5], id="margin_ranking_loss (clip)"),
    C(lambda a, b, c: F.triplet_margin_loss(a, b, c, 3.0, swap=True),
      lambda a, b, c: TF.triplet_margin_loss(a, b, c, 3.0, swap=True), [normal(3, 4), away(3, 4), positive(3, 4)],
      id="triplet_margin_loss (Norm, minimum, clip)"),
]


@pytest.mark.parametrize("tl_fn, torch_fn, arrays", CASES)
def test_derivatives_match_torch(tl_fn, torch_fn, arrays):
    assert_matches_torch(tl_fn, torch_fn, arrays, order=3)


def _finite_and_matching_where_torch_is_finite(tl_fn, torch_fn, arrays, order=3):
    """Derivatives of order 1..order: ours are finite, and equal PyTorch's where its are finite
    (PyTorch gives NaN for some masked terms, as ``0 * inf``)."""
    ours = derivatives(tl_fn, arrays, order)
    theirs = derivatives(torch_fn, arrays, order, lib="torch")
    for k in range(order):
        for i, (x, y) in enumerate(zip(ours[k], theirs[k])):
            assert np.isfinite(x).all(), f"order {k + 1}, input {i}: {x}"
            finite = np.isfinite(y)
            np.testing.assert_allclose(x[finite], y[finite], rtol=1e-7, atol=1e-9, err_msg=f"order {k + 1}")
    return ours


def test_pow_conventions_at_zero():
    """a ** b at a == 0 and b == 0: PyTorch's first derivatives (d/da is 0 where b == 0, d/db is 0
    where a == 0 and b >= 0); second and third derivatives equal PyTorch's where those are finite,
    and are finite (the masked terms stay finite) where PyTorch's are NaN."""
    a = np.array([0.0, 0.0, 0.0, 2.0, 1.5, 0.0])
    b = np.array([0.0, 2.0, 3.5, 0.0, 1.0, 1.0])
    with np.errstate(divide="ignore", invalid="ignore"):  # the first-order rule: 0 ** -1 where b == 0 (masked)
        ours = _finite_and_matching_where_torch_is_finite(tl.pow, torch.pow, [a, b])
    np.testing.assert_array_equal(ours[0][1][[0, 1, 2, 5]], 0.0)  # d/db at a == 0, b >= 0
    np.testing.assert_array_equal(ours[0][0][[0, 3]], 0.0)  # d/da at b == 0
    # at a == 0 the true second derivatives of a ** 2: d2/da2 = 2, the others 0 (PyTorch: NaN)
    x, y = _t([0.0]), _t([2.0])
    ga, gb = tl.grad(tl.pow(x, y).sum(), [x, y], create_graph=True)
    np.testing.assert_array_equal(np.concatenate(tl.grad(ga.sum(), [x, y])), [2.0, 0.0])
    np.testing.assert_array_equal(np.concatenate(tl.grad(gb.sum(), [x, y], allow_unused=True)[1:]), [0.0])


def test_ties_and_bounds_follow_pytorch():
    """At ties of maximum/minimum and on the bounds of clip the first derivative through the graph
    rule is PyTorch's (half each at a tie; clip passes at its bounds), and the rest match too."""
    a = np.array([1.0, 2.0, -0.5, 0.7])
    b = np.array([1.0, 3.0, -0.5, 0.0])
    assert_matches_torch(_cubed(tl.maximum), _cubed(torch.maximum), [a, b])
    assert_matches_torch(_cubed(tl.minimum), _cubed(torch.minimum), [a, b])
    assert_matches_torch(_cubed(lambda t: tl.clip(t, -0.5, 0.7)), _cubed(lambda t: torch.clamp(t, -0.5, 0.7)), [a])
    assert_matches_torch(_cubed(lambda t, lo: tl.clip(t, min=lo)), _cubed(lambda t, lo: torch.clamp(t, min=lo)),
                         [a, b])


@pytest.mark.parametrize("p", [2.0, 3.0, 1.0, math.inf])
def test_norm_of_a_zero_slice(p):
    """normalize with an all-zero row: the norm's gradient is 0 there (PyTorch's); the higher
    derivatives are finite, and PyTorch's where PyTorch's are (for p = 2 its are NaN there)."""
    x = normal(3, 4)
    x[1] = 0
    _finite_and_matching_where_torch_is_finite(lambda a: F.normalize(a, p) * a.sum(),
                                               lambda a: TF.normalize(a, p) * a.sum(), [x])


def test_activation_kinks_follow_pytorch():
    """At 0 (and at the bounds of the hard functions), derivatives of order 1-3 equal PyTorch's."""
    x = np.array([0.0, -3.0, 3.0, 6.0, -1.0, 1.0, 0.5])
    for ours, theirs in [(F.elu, TF.elu), (F.selu, TF.selu), (F.celu, TF.celu), (F.softsign, TF.softsign),
                         (F.hardswish, TF.hardswish), (_cubed(F.relu6), _cubed(TF.relu6)),
                         (_cubed(F.hardtanh), _cubed(TF.hardtanh)),
                         (_cubed(lambda t: F.leaky_relu(t, 0.1)), _cubed(lambda t: TF.leaky_relu(t, 0.1)))]:
        assert_matches_torch(ours, theirs, [x])
    # PyTorch cannot differentiate hardsigmoid twice: its first derivative, then zeros
    assert_matches_torch(_cubed(F.hardsigmoid), _cubed(TF.hardsigmoid), [x], order=1)
    for k, (d,) in enumerate(derivatives(F.hardsigmoid, [x], order=3)[1:]):
        np.testing.assert_array_equal(d, 0.0, err_msg=f"order {k + 2}")


def test_fourth_order():
    """The rules compose to any order: the 4th derivative of a few ops against PyTorch."""
    x = normal(2, 3) * 0.5
    for ours, theirs in [(lambda t: tl.sin(t) * t.atan(), lambda t: torch.sin(t) * t.atan()),
                         (lambda t: F.mish(t) + F.elu(t) + F.softplus(t, 2.0), lambda t: TF.mish(t) + TF.elu(t)
                          + TF.softplus(t, 2.0)),
                         (lambda t: tl.erf(t) * t.exp2() / t.cosh(), lambda t: torch.erf(t) * t.exp2() / t.cosh())]:
        ours_4 = derivatives(ours, [x], order=4)[3][0]
        theirs_4 = derivatives(theirs, [x], order=4, lib="torch")[3][0]
        np.testing.assert_allclose(ours_4, theirs_4, rtol=1e-7, atol=1e-9)


GRADGRAD = [
    C(lambda a, b: a ** b, [positive(3, 1), normal(1, 4)], id="pow broadcast"),
    C(lambda a, b: a ** b, [positive(), normal(3)], id="pow 0-d"),
    C(tl.atan2, [normal(), away(2, 1)], id="atan2"),
    C(tl.hypot, [away(1, 4), away(3, 1)], id="hypot"),
    C(tl.logaddexp, [normal(3, 1), normal()], id="logaddexp"),
    C(tl.lerp, [normal(1, 3), normal(2, 1), normal()], id="lerp"),
    C(tl.fmod, [fractional(2, 3), np.full((1, 3), 1.3)], id="fmod"),
    C(lambda a, b: a % b, [fractional(3), np.array(-0.7)], id="remainder"),
    C(lambda a, b: tl.maximum(a, b) * tl.minimum(a, b), [normal(3, 1), normal(1, 4)], id="maximum minimum"),
    C(lambda a, lo, hi: tl.clip(a, lo, hi) * a, [normal(3, 4), normal(1, 4) - 0.5, normal(3, 1) + 0.5],
      id="clip tensor bounds"),
    C(lambda a: tl.sin(a) * tl.cos(a) * abs(a), [away()], id="sin cos abs 0-d"),
    C(lambda a: tl.tan(a) + tl.asin(a) + tl.acos(a) + tl.atan(a) + tl.atanh(a), [unit(1, 3)], id="trig"),
    C(lambda a: tl.sinh(a) + tl.cosh(a) + tl.asinh(a) + tl.acosh(a + 2) + tl.erf(a) + tl.erfc(a), [np.array(-0.3)],
      id="hyperbolic erf 0-d"),
    C(lambda a: tl.rsqrt(a) + tl.log2(a) + tl.log10(a) + tl.log1p(a) + tl.expm1(a) + tl.exp2(a) + tl.square(a)
      + tl.reciprocal(a) + tl.frac(a) * a, [positive(2, 1)], id="logs powers"),
    C(lambda a: F.leaky_relu(a, 0.3) * a + F.softplus(a, 1.5) + F.silu(a) + F.mish(a) + F.logsigmoid(a),
      [away(3, 1)], id="smooth activations"),
    C(lambda a: F.elu(a) + F.selu(a) + F.celu(a, 0.7) + F.softsign(a) + F.hardswish(a) * a,
      [away()], id="elu family 0-d"),
    C(lambda a: (F.relu6(a) + F.hardtanh(a) + F.hardsigmoid(a)) * a, [near([-4.0, 0.5, 5.0], 1, 3)],
      id="hard activations"),
    C(lambda a: F.glu(a, 0), [normal(2, 1)], id="glu size-1"),
    C(lambda a: F.normalize(a, 2.5, 1), [away(2, 3)], id="normalize p=2.5"),
    C(lambda a, b: F.cosine_similarity(a, b, 0), [normal(3, 1), normal(3, 2)], id="cosine_similarity"),
]


@pytest.mark.parametrize("fn, arrays", GRADGRAD)
def test_gradgradcheck(fn, arrays):
    assert tl.gradgradcheck(fn, [_t(a) for a in arrays])


def test_float32_graph_rules_keep_dtype():
    """In float32 the second derivatives stay float32 (no float64 constant leaks into the graph)."""
    fns = [lambda a: F.normalize(a, math.inf), lambda a: tl.maximum(a, a * 0.5) * a,
           lambda a: tl.clip(a, -0.5, 0.5) * a,
           lambda a: F.elu(a) + F.softplus(a, 2.0) + F.glu(a) + tl.erf(a) + (a.abs() + 1) ** a,
           lambda a: tl.fmod(a, 0.7) * a + tl.floor(a) + tl.hypot(a, 1.0)]
    for fn in fns:
        x = tl.tensor(normal(4, 2), dtype=np.float32, requires_grad=True)
        (g,) = tl.grad(fn(x).sum(), x, create_graph=True)
        assert g.dtype == np.float32
        (h,) = tl.grad((g * g).sum(), x)
        assert h.dtype == np.float32 and np.isfinite(h).all()


def test_piecewise_constant_gradient_is_a_constant():
    """floor & co give a zero gradient with no graph (as PyTorch's zeros_like); differentiating it
    again says so clearly."""
    x = tl.tensor(fractional(3), requires_grad=True)
    (g,) = tl.grad(tl.floor(x).sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.data, 0.0)
    assert not g.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        tl.grad(g.sum(), x)
