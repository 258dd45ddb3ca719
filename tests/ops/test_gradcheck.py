"""Every op's backward rule against float64 central differences, driven by one table.

Each spec names an op, a function of tensors, and the input shapes to try. Every case runs with
contiguous, non-contiguous and negative-stride inputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest

import tensorlite as tl


def normal(rng, shape):
    return rng.standard_normal(shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def away_from_zero(rng, shape):
    """|x| in [0.3, 1.5] with random signs: no kink of relu/abs within eps."""
    return rng.uniform(0.3, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


@dataclass
class Spec:
    name: str
    fn: Callable[..., Any]
    shapes: list[tuple[tuple[int, ...], ...]]
    make: list[Callable[..., np.ndarray]] | Callable[..., np.ndarray] = normal
    ids: list[str] = field(default_factory=list)


S = Spec
BINARY_SHAPES = [((), ()), ((3, 1, 4), (5, 4)), ((2, 3), ()), ((4,), (2, 1)), ((2, 3), (2, 3))]
UNARY_SHAPES = [((),), ((5,),), ((2, 3, 4),)]
REDUCE_SHAPES = [((2, 3, 4),)]
cond = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])

SPECS = [
    # arithmetic, with broadcasting
    S("add", lambda a, b: a + b, BINARY_SHAPES),
    S("sub", lambda a, b: a - b, BINARY_SHAPES),
    S("mul", lambda a, b: a * b, BINARY_SHAPES),
    S("div", lambda a, b: a / b, BINARY_SHAPES, [normal, away_from_zero]),
    S("pow tensor**tensor", lambda a, b: a ** b, BINARY_SHAPES, [positive, normal]),
    S("pow tensor**2", lambda a: a ** 2, UNARY_SHAPES),
    S("pow tensor**-1.5", lambda a: a ** -1.5, UNARY_SHAPES, positive),
    S("rpow 2**tensor", lambda a: 2.0 ** a, UNARY_SHAPES),
    S("radd / rsub / rmul / rdiv", lambda a: 1.0 - 2.0 * a + 3.0 / a + (1 + a), UNARY_SHAPES, away_from_zero),
    S("ndarray op tensor", lambda a: np.full(a.shape, 2.0, a.dtype) * a - np.ones(a.shape, a.dtype), UNARY_SHAPES),
    S("neg", lambda a: -a, UNARY_SHAPES),
    # elementwise math
    S("abs", lambda a: abs(a), UNARY_SHAPES, away_from_zero),
    S("exp", tl.exp, UNARY_SHAPES),
    S("log", tl.log, UNARY_SHAPES, positive),
    S("sqrt", tl.sqrt, UNARY_SHAPES, positive),
    S("sin", tl.sin, UNARY_SHAPES),
    S("cos", tl.cos, UNARY_SHAPES),
    S("tanh", tl.tanh, UNARY_SHAPES),
    S("sigmoid", tl.sigmoid, UNARY_SHAPES),
    S("relu", tl.relu, UNARY_SHAPES, away_from_zero),
    S("clip", lambda a: a.clip(-0.5, 0.7), UNARY_SHAPES, lambda r, s: r.uniform(-1.1, 1.1, s).round(1) + 0.05),
    S("clip min only", lambda a: tl.clip(a, min=0.1), UNARY_SHAPES, away_from_zero),
    S("maximum", tl.maximum, BINARY_SHAPES),
    S("minimum", tl.minimum, BINARY_SHAPES),
    S("where", lambda a, b: tl.where(tl.tensor(cond), a, b), [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (3, 4))]),
    # reductions
    S("sum all", lambda a: a.sum(), REDUCE_SHAPES + UNARY_SHAPES[:1]),
    S("sum dim=1", lambda a: a.sum(dim=1), REDUCE_SHAPES),
    S("sum axis=(0,-1) keepdims", lambda a: a.sum(axis=(0, -1), keepdims=True), REDUCE_SHAPES),
    S("mean all", lambda a: a.mean(), REDUCE_SHAPES + UNARY_SHAPES[:1]),
    S("mean dim=-1 keepdim", lambda a: a.mean(dim=-1, keepdim=True), REDUCE_SHAPES),
    S("mean dims (0,2)", lambda a: tl.mean(a, (0, 2)), REDUCE_SHAPES),
    S("max all", lambda a: a.max(), REDUCE_SHAPES),
    S("max dim=1", lambda a: a.max(dim=1), REDUCE_SHAPES),
    S("max axis=-1 keepdims", lambda a: a.max(axis=-1, keepdims=True), REDUCE_SHAPES),
    S("min dims (0,1)", lambda a: a.min(dim=(0, 1)), REDUCE_SHAPES),
    S("var all (unbiased)", lambda a: a.var(), REDUCE_SHAPES),
    S("var dim=1 correction=0", lambda a: a.var(dim=1, correction=0), REDUCE_SHAPES),
    S("var axis=-1 ddof=1 keepdims", lambda a: a.var(axis=-1, ddof=1, keepdims=True), REDUCE_SHAPES),
    S("std dim=(0,2)", lambda a: a.std(dim=(0, 2)), REDUCE_SHAPES),
    S("logsumexp all", lambda a: a.logsumexp(), REDUCE_SHAPES),
    S("logsumexp dim=1 keepdim", lambda a: a.logsumexp(dim=1, keepdim=True), REDUCE_SHAPES),
    S("softmax dim=-1", lambda a: a.softmax(dim=-1), REDUCE_SHAPES + [((5,),)]),
    S("softmax dim=0", lambda a: tl.softmax(a, dim=0), REDUCE_SHAPES),
    S("log_softmax dim=1", lambda a: a.log_softmax(dim=1), REDUCE_SHAPES),
    S("log_softmax axis=-1", lambda a: tl.log_softmax(a, axis=-1), [((4, 6),)]),
    # shapes
    S("reshape", lambda a: a.reshape(4, -1), REDUCE_SHAPES),
    S("view", lambda a: a.view((6, 4)), REDUCE_SHAPES),
    S("flatten", lambda a: a.flatten(), REDUCE_SHAPES),
    S("flatten start_dim=1", lambda a: a.flatten(1), REDUCE_SHAPES),
    S("transpose()", lambda a: a.transpose(), REDUCE_SHAPES),
    S("transpose(0, 2)", lambda a: a.transpose(0, 2), REDUCE_SHAPES),
    S(".T", lambda a: a.T, [((3, 5),)]),
    S("permute", lambda a: a.permute(2, 0, 1), REDUCE_SHAPES),
    S("swapaxes", lambda a: a.swapaxes(-1, 0), REDUCE_SHAPES),
    S("squeeze", lambda a: a.squeeze(), [((1, 3, 1),)]),
    S("squeeze dim", lambda a: a.squeeze(-1), [((1, 3, 1),)]),
    S("unsqueeze", lambda a: a.unsqueeze(1), [((3, 4),)]),
    S("unsqueeze scalar", lambda a: a.unsqueeze(-1), [((),)]),
    S("expand", lambda a: a.expand(2, -1, 4), [((3, 1),)]),
    S("broadcast_to", lambda a: a.broadcast_to((2, 3, 4)), [((3, 1),), ((),)]),
    # indexing and joining
    S("getitem int", lambda a: a[1], REDUCE_SHAPES),
    S("getitem slices", lambda a: a[:, 1:, ::-2], REDUCE_SHAPES),
    S("getitem ellipsis+None", lambda a: a[..., None, 0], REDUCE_SHAPES),
    S("getitem repeated indices", lambda a: a[[0, 0, 1, 0]], REDUCE_SHAPES),
    S("getitem index tensors", lambda a: a[tl.tensor([1, 1]), :, tl.tensor([3, 3])], REDUCE_SHAPES),
    S("getitem bool mask", lambda a: a[a.data > 0], REDUCE_SHAPES),
    S("cat", lambda a, b: tl.cat([a, b, a], dim=1), [((2, 3, 4), (2, 1, 4))]),
    S("concatenate axis=-1", lambda a, b: tl.concatenate([a, b], axis=-1), [((2, 3), (2, 5))]),
    S("stack", lambda a, b: tl.stack([a, b, a], dim=1), [((2, 3), (2, 3))]),
    S("stack dim=-1", lambda a, b: tl.stack([a, b], dim=-1), [((), ()), ((4,), (4,))]),
    S("split int", lambda a: a.split(2, dim=1), [((2, 5),)]),
    S("split sizes", lambda a: tl.split(a, [1, 3], dim=-1), [((3, 4),)]),
    S("chunk", lambda a: a.chunk(3), [((7, 2),)]),
    S("pad", lambda a: tl.pad(a, ((1, 0), (2, 3))), [((2, 3),)]),
    S("pad value", lambda a: tl.pad(a, 1, value=0.5), [((2, 3),)]),
    # matrix products
    S("matmul", lambda a, b: a @ b,
      [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
       ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3))]),
    S("matmul fn", tl.matmul, [((2, 3), (2, 3, 2))]),
    # issue 22 part A: PyTorch's products, norms and tl.linalg
    S("mm bmm mv dot outer", lambda a, b: tl.mm(a, b).sum() + tl.bmm(a[None], b[None]) + tl.mv(a, b[:, 0])[0]
      + tl.dot(a[0], b[:, 1]) + tl.outer(a[1], b[0]).sum(), [((2, 3), (3, 4))]),
    S("addmm addmv baddbmm", lambda i, a, b: tl.addmm(i, a, b, beta=0.5, alpha=2).sum()
      + tl.addmv(i[:2], a, b[:, 0], beta=-1).sum() + tl.baddbmm(i, a[None], b[None], alpha=3).sum(),
      [((4,), (2, 3), (3, 4))]),
    S("vector_norm", lambda a: tl.linalg.vector_norm(a, 3.0, dim=1) + tl.linalg.vector_norm(a, float("inf"), dim=1),
      [((2, 3, 4),)], away_from_zero),
    S("matrix_norm and norm",
      lambda a: tl.linalg.matrix_norm(a, "nuc") + tl.linalg.matrix_norm(a, 1) + a.norm(dim=(1, 2)), [((2, 3, 4),)]),
    S("inv det solve", lambda a, b: tl.linalg.inv(a).sum() + tl.linalg.det(a) + tl.linalg.solve(a, b).sum(),
      [((3, 3), (3, 2))], [lambda rng, shape: normal(rng, shape) + 3 * np.eye(3), normal]),
    S("cholesky qr", lambda a: tl.linalg.cholesky(a @ a.mT + tl.eye(3, dtype=a.dtype)).sum()
      + sum(t.sum() for t in tl.linalg.qr(a)), [((3, 3),)]),
    S("svd eigh", lambda a: sum((t * t).sum() for t in tl.linalg.svd(a, full_matrices=False))
      + sum((t * t).sum() for t in tl.linalg.eigh(a + a.mT)), [((3, 3),)]),
    S("clone contiguous mT t", lambda a: a.mT.contiguous().clone().t(), [((3, 2),)]),
]

LAYOUTS = ["contiguous", "non-contiguous", "negative-stride"]


def arrange(arr: np.ndarray, layout: str) -> np.ndarray:
    """The same values in memory laid out as asked."""
    if layout == "contiguous":
        return arr
    if layout == "non-contiguous":
        out = np.empty(arr.shape + (2,))[..., 0]
        out[...] = arr
        return out
    out = np.empty(arr.shape)[(slice(None, None, -1),) * arr.ndim + (Ellipsis,)]
    out[...] = arr
    return out


CASES = [
    pytest.param(spec, shapes, layout, id=f"{spec.name}-{shapes}-{layout}")
    for spec in SPECS for shapes in spec.shapes for layout in LAYOUTS
]


@pytest.mark.parametrize("spec, shapes, layout", CASES)
def test_gradcheck(spec, shapes, layout):
    rng = np.random.default_rng(abs(hash((spec.name, shapes))) % 2**32)
    makers = spec.make if isinstance(spec.make, list) else [spec.make] * len(shapes)
    inputs = [tl.Tensor(arrange(make(rng, shape), layout), requires_grad=True)
              for make, shape in zip(makers, shapes)]
    if layout == "non-contiguous":
        assert all(not t.data.flags.c_contiguous for t in inputs if t.ndim)
    assert tl.gradcheck(spec.fn, inputs)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_float32_gradients_keep_dtype_and_shape(spec):
    """Run each op in float32: every gradient has its input's shape and dtype."""
    rng = np.random.default_rng(0)
    shapes = spec.shapes[0]
    makers = spec.make if isinstance(spec.make, list) else [spec.make] * len(shapes)
    inputs = [tl.Tensor(make(rng, s).astype(np.float32), requires_grad=True) for make, s in zip(makers, shapes)]
    out = spec.fn(*inputs)
    outs = [out] if isinstance(out, tl.Tensor) else list(out)
    grads = tl.grad(outs, inputs, grad_outputs=[np.ones(o.shape, np.float32) for o in outs], retain_graph=True,
                    allow_unused=True)
    total = sum(o.sum() for o in outs)
    total.backward()
    for t, g in zip(inputs, grads):
        assert t.grad.shape == t.shape and t.grad.dtype == np.float32
        np.testing.assert_allclose(t.grad, np.zeros(t.shape) if g is None else g, rtol=1e-6)  # grad() agrees
    for o in outs:
        assert o.dtype == np.float32


class WrongTanh(tl.autograd.Op):
    """A deliberately wrong rule (missing the square), to show gradcheck catches it."""

    def forward(self, a):
        out = np.tanh(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (1 - out)


def test_gradcheck_catches_a_wrong_rule():
    x = tl.tensor(np.linspace(-1, 1, 7), requires_grad=True)
    with pytest.raises(tl.GradcheckError, match=r"worst mismatch at index \(\d+,\)"):
        tl.gradcheck(lambda t: WrongTanh.apply(t), [x])


def test_gradcheck_reports_the_worst_element():
    class OffAtTwo(tl.autograd.Op):
        def forward(self, a):
            return a * 1.0

        def backward(self, grad):
            g = grad.copy()
            g[2] += 0.5
            g[4] += 0.1
            return g

    x = tl.tensor(np.ones(6), requires_grad=True)
    with pytest.raises(tl.GradcheckError, match=r"index \(2,\): analytic \S+ vs numeric \S+ .*2 of 6 elements differ"):
        tl.gradcheck(lambda t: OffAtTwo.apply(t), [x])


def test_tie_conventions():
    """maximum/minimum and max/min split ties equally; clip passes at bounds; relu, abs give 0 at 0."""
    a = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = tl.tensor([1.0, 5.0, 0.0], requires_grad=True)
    tl.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad, [0.5, 1.0, 0.0])
    a.grad = b.grad = None
    tl.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0, 0.0])

    x = tl.tensor([[1.0, 4.0, 4.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x.grad = None
    x.min().backward()
    np.testing.assert_allclose(x.grad, [[1, 0, 0], [0, 0, 0]])

    c = tl.tensor([-1.0, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    c.clip(0.0, 1.0).sum().backward()
    np.testing.assert_array_equal(c.grad, [0, 1, 1, 1, 0])
    z = tl.tensor([0.0, -0.0, 1.0], requires_grad=True)
    (z.relu() + abs(z)).sum().backward()
    np.testing.assert_array_equal(z.grad, [0.0, 0.0, 2.0])


def test_repeated_indices_accumulate():
    x = tl.zeros(3, requires_grad=True)
    x[tl.tensor([0, 2, 0, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_cast_sends_gradient_back_in_input_dtype():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    y = x.astype(np.float64)
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_family_is_stable_at_1e4(dtype):
    big = tl.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4]], dtype=dtype, requires_grad=True)
    p = big.softmax(dim=1)
    lp = big.log_softmax(dim=1)
    lse = big.logsumexp(dim=1)
    for t in (p, lp, lse):
        assert np.isfinite(t.data).all()
    np.testing.assert_allclose(p.data, [[1, 0, 0], [1 / 3] * 3, [1 / 3] * 3], atol=1e-6)
    np.testing.assert_allclose(lp.data[0], [0, -2e4, -1e4], rtol=1e-6)
    np.testing.assert_allclose(lse.data, [1e4, -1e4 + np.log(3), 1e4 + np.log(3)], rtol=1e-6)
    (p.sum() + lp.sum() + lse.sum()).backward()
    assert np.isfinite(big.grad).all()
    s = tl.tensor([-1e4, 0.0, 1e4], dtype=dtype)
    np.testing.assert_array_equal(s.sigmoid().data, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(s.tanh().data, [-1.0, 0.0, 1.0])


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log")
def test_logsumexp_of_all_minus_inf_is_minus_inf():
    x = tl.tensor([-np.inf, -np.inf])
    assert tl.logsumexp(x).item() == -np.inf
