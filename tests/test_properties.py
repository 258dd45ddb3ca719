"""Hypothesis: gradients of broadcasting elementwise ops and of reductions over random axes
match finite differences for any pair of broadcastable shapes."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes, valid_tuple_axes

import tensorlite as tl

PROFILE = settings(max_examples=40, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1.0),
    "maximum": tl.maximum,
    "minimum": tl.minimum,
    "where": lambda a, b: tl.where(a > b, a * 2, b),
}

pairs = mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3)


@PROFILE
@given(shapes=pairs, op=st.sampled_from(sorted(BINARY)), seed=st.integers(0, 2**16))
def test_broadcasting_binary_gradients(shapes, op, seed):
    rng = np.random.default_rng(seed)
    a_shape, b_shape = shapes.input_shapes
    # distinct values keep maximum/minimum/where away from ties, where the slope jumps
    values = rng.permutation(np.linspace(-2, 2, int(np.prod(a_shape)) + int(np.prod(b_shape))))
    a = tl.tensor(values[:int(np.prod(a_shape))].reshape(a_shape), dtype=np.float64, requires_grad=True)
    b = tl.tensor(values[int(np.prod(a_shape)):].reshape(b_shape), dtype=np.float64, requires_grad=True)
    out = BINARY[op](a, b)
    assert out.shape == shapes.result_shape
    assert tl.gradcheck(BINARY[op], [a, b])


@st.composite
def shape_and_axes(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    axes = draw(valid_tuple_axes(len(shape), min_size=1))
    return shape, axes


REDUCTIONS = {
    "sum": lambda x, axes, keep: x.sum(dim=axes, keepdim=keep),
    "mean": lambda x, axes, keep: x.mean(dim=axes, keepdim=keep),
    "max": lambda x, axes, keep: x.max(dim=axes, keepdim=keep),
    "var": lambda x, axes, keep: x.var(dim=axes, keepdim=keep, correction=0),
    "logsumexp": lambda x, axes, keep: x.logsumexp(dim=axes, keepdim=keep),
}


@PROFILE
@given(case=shape_and_axes(), op=st.sampled_from(sorted(REDUCTIONS)), keep=st.booleans(),
       seed=st.integers(0, 2**16))
def test_reduction_gradients(case, op, keep, seed):
    shape, axes = case
    rng = np.random.default_rng(seed)
    x = tl.tensor(rng.permutation(np.linspace(-1, 1, int(np.prod(shape)))).reshape(shape),
                  dtype=np.float64, requires_grad=True)
    expected = getattr(np, {"logsumexp": "sum"}.get(op, op))(x.data, axis=axes, keepdims=keep)
    assert REDUCTIONS[op](x, axes, keep).shape == np.shape(expected)
    assert tl.gradcheck(lambda t: REDUCTIONS[op](t, axes, keep), [x])
