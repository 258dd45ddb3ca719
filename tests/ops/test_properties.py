"""Property tests (Hypothesis): for random shapes, axes, hyper-parameters and graphs,

a. the elementwise ops (broadcasting pairs included) and the reductions give NumPy's values and
   gradients that match finite differences (``tl.gradcheck``, float64);
b. convolutions and poolings of any valid kernel, stride, padding, dilation, groups and
   ceil_mode give outputs of the documented size, ``floor((L + 2p - d(k - 1) - 1) / s) + 1``,
   the values of a direct loop over the windows, and gradients that match finite differences;
c. random valid graphs of ops (unary, broadcasting binary, reductions, reshapes, indexing,
   cat/stack/split, matmul, pad, casts) always run backward, and every leaf gets a gradient of
   its own shape and dtype, which matches finite differences.

CI runs every property with the fixed profile below: derandomized (the same examples on every
run), no deadline, no example database, and the number of examples given beside each test
(multiplied by the environment variable TENSORLITE_HYPOTHESIS_SCALE, default 1, for a deeper run).
Values come from a NumPy generator seeded by a drawn integer; Hypothesis draws the structure.
"""
from __future__ import annotations

import math
import operator
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, mutually_broadcastable_shapes, valid_tuple_axes

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

# When a property fails, Hypothesis's pytest plugin writes a patch of the failing example with
# libcst, whose import warns (DeprecationWarning) in the report hook: under filterwarnings=error
# that would replace the failure's report with an INTERNALERROR.
pytestmark = pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")

CI = settings(derandomize=True, deadline=None, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def examples(n: int) -> settings:
    """The CI profile with ``n`` examples for one property (times TENSORLITE_HYPOTHESIS_SCALE)."""
    return settings(CI, max_examples=n * int(os.environ.get("TENSORLITE_HYPOTHESIS_SCALE", "1")))


seeds = st.integers(0, 2**32 - 1)


def leaf(values, dtype=np.float64):
    return tl.tensor(np.asarray(values, dtype=np.float64), dtype=dtype, requires_grad=True)


def close(got, expected, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(np.asarray(got, dtype=np.float64), expected, rtol=rtol, atol=atol)


# == a. elementwise ops and reductions =============================================================

def away_from_kinks(rng, shape):
    """Values (k + 1/2) / 10 in (-2, 2): at least 0.05 from 0 and from every multiple of 0.1
    (the kinks of relu, abs, leaky_relu and of clip at the bounds used below)."""
    return (rng.integers(-20, 20, shape) + 0.5) / 10


def positive(rng, shape):
    return rng.uniform(0.2, 3.0, shape)


UNARY = {
    # name: (tensorlite function, NumPy reference, domain of the input)
    "neg": (operator.neg, np.negative, away_from_kinks),
    "exp": (tl.exp, np.exp, away_from_kinks),
    "log": (tl.log, np.log, positive),
    "sqrt": (tl.sqrt, np.sqrt, positive),
    "sin": (tl.sin, np.sin, away_from_kinks),
    "cos": (lambda x: x.cos(), np.cos, away_from_kinks),
    "tanh": (tl.tanh, np.tanh, away_from_kinks),
    "sigmoid": (lambda x: x.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), away_from_kinks),
    "relu": (tl.relu, lambda a: np.maximum(a, 0), away_from_kinks),
    "abs": (abs, np.abs, away_from_kinks),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), lambda a: np.where(a > 0, a, 0.1 * a), away_from_kinks),
    "softplus": (F.softplus, lambda a: np.logaddexp(0, a), away_from_kinks),
    "clip": (lambda x: tl.clip(x, -0.5, 0.7), lambda a: np.clip(a, -0.5, 0.7), away_from_kinks),
    "clip(min)": (lambda x: x.clip(min=-0.3), lambda a: np.maximum(a, -0.3), away_from_kinks),
    "clip(max)": (lambda x: tl.clamp(x, max=0.2), lambda a: np.minimum(a, 0.2), away_from_kinks),
    "pow 2": (lambda x: x ** 2, np.square, away_from_kinks),
    "pow 3": (lambda x: tl.pow(x, 3), lambda a: a ** 3, away_from_kinks),
    "pow -1.5": (lambda x: x ** -1.5, lambda a: a ** -1.5, positive),
    "pow 0.5": (lambda x: x ** 0.5, np.sqrt, positive),
    "rpow": (lambda x: 2.0 ** x, lambda a: 2.0 ** a, away_from_kinks),
    "rsub": (lambda x: 1.5 - x, lambda a: 1.5 - a, away_from_kinks),
    "rdiv": (lambda x: 2.0 / x, lambda a: 2.0 / a, positive),
}


@examples(200)
@given(shape=array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3),
       op=st.sampled_from(sorted(UNARY)), seed=seeds)
def test_unary_values_and_gradients(shape, op, seed):
    fn, reference, domain = UNARY[op]
    x = leaf(domain(np.random.default_rng(seed), shape))
    out = fn(x)
    assert out.shape == shape and out.dtype == np.float64
    close(out.data, reference(x.data))
    assert tl.gradcheck(fn, [x])


def _nonzero(rng, shape):
    """Magnitudes in [0.5, 2] with random signs: safe denominators."""
    return rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


BINARY = {
    # name: (tensorlite function, NumPy reference, values of a, values of b)
    "add": (operator.add, np.add, None, None),
    "sub": (tl.sub, np.subtract, None, None),
    "mul": (tl.mul, np.multiply, None, None),
    "div": (operator.truediv, np.divide, None, _nonzero),
    "maximum": (tl.maximum, np.maximum, None, None),
    "minimum": (tl.minimum, np.minimum, None, None),
    "pow": (operator.pow, np.power, positive, lambda rng, shape: rng.uniform(-2, 2, shape)),
    "where": (lambda a, b: tl.where(a > b, a, b * 2), lambda a, b: np.where(a > b, a, b * 2), None, None),
}


@examples(300)
@given(shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
       op=st.sampled_from(sorted(BINARY)), scalar=st.sampled_from([None, "left", "right"]), seed=seeds)
def test_broadcasting_binary_values_and_gradients(shapes, op, scalar, seed):
    """Both operands tensors of any two broadcastable shapes, or one a Python scalar."""
    fn, reference, a_values, b_values = BINARY[op]
    rng = np.random.default_rng(seed)
    a_shape, b_shape = shapes.input_shapes
    # distinct values: maximum, minimum and where stay away from ties, where the slope jumps
    n_a = math.prod(a_shape)
    distinct = rng.permutation(np.linspace(-2, 2, n_a + math.prod(b_shape)))
    values = [np.asarray((a_values or (lambda r, s: distinct[:n_a].reshape(s)))(rng, a_shape)),
              np.asarray((b_values or (lambda r, s: distinct[n_a:].reshape(s)))(rng, b_shape))]
    if scalar is not None:  # a Python float (type float exactly: NumPy's float64 is a subclass)
        side = 0 if scalar == "left" else 1
        values[side] = float(values[side].flat[0])
    operands = [v if type(v) is float else leaf(v) for v in values]
    tensors = [t for t in operands if type(t) is not float]

    def call(*ts):
        it = iter(ts)
        return fn(*(v if type(v) is float else next(it) for v in operands))

    out = call(*tensors)
    assert out.shape == np.broadcast_shapes(*map(np.shape, values)) and out.dtype == np.float64
    close(out.data, reference(*values))
    assert tl.gradcheck(call, tensors)


@st.composite
def axes_for(draw, ndim):
    """None, one axis or a tuple of distinct axes of an ``ndim``-dim tensor, some negative."""
    if ndim == 0 or draw(st.booleans()) and draw(st.booleans()):
        return None
    axes = draw(valid_tuple_axes(ndim, min_size=1))
    axes = tuple(ax % ndim - (ndim if draw(st.booleans()) else 0) for ax in axes)
    return axes[0] if len(axes) == 1 and draw(st.booleans()) else axes


def _logsumexp(a, axis, keepdims):
    m = a.max(axis=axis, keepdims=True)
    out = np.log(np.exp(a - m).sum(axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=axis)


def _values(result):
    """max/min along one dim give (values, indices); over several dims or all, the values."""
    return result.values if isinstance(result, tuple) else result


REDUCTIONS = {
    # name: (tensorlite method, NumPy reference), both of (array, axes, keepdims)
    "sum": (lambda x, ax, k: x.sum(dim=ax, keepdim=k), lambda a, ax, k: a.sum(axis=ax, keepdims=k)),
    "mean": (lambda x, ax, k: tl.mean(x, axis=ax, keepdims=k), lambda a, ax, k: a.mean(axis=ax, keepdims=k)),
    "max": (lambda x, ax, k: _values(x.max(dim=ax, keepdim=k)), lambda a, ax, k: a.max(axis=ax, keepdims=k)),
    "min": (lambda x, ax, k: _values(tl.min(x, axis=ax, keepdims=k)), lambda a, ax, k: a.min(axis=ax, keepdims=k)),
    "var": (lambda x, ax, k: x.var(dim=ax, keepdim=k, correction=0), lambda a, ax, k: a.var(axis=ax, keepdims=k)),
    "var unbiased": (lambda x, ax, k: x.var(dim=ax, keepdim=k),
                     lambda a, ax, k: a.var(axis=ax, keepdims=k, ddof=1)),
    "std": (lambda x, ax, k: tl.std(x, axis=ax, keepdims=k, ddof=0), lambda a, ax, k: a.std(axis=ax, keepdims=k)),
    "std unbiased": (lambda x, ax, k: x.std(dim=ax, keepdim=k, correction=1),
                     lambda a, ax, k: a.std(axis=ax, keepdims=k, ddof=1)),
    "logsumexp": (lambda x, ax, k: x.logsumexp(dim=ax, keepdim=k), _logsumexp),
}


@examples(300)
@given(data=st.data(), shape=array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3),
       op=st.sampled_from(sorted(REDUCTIONS)), keep=st.booleans(), seed=seeds)
def test_reduction_values_and_gradients(data, shape, op, keep, seed):
    axes = data.draw(axes_for(len(shape)), label="axes")
    reduced = math.prod(shape if axes is None else [shape[ax] for ax in np.atleast_1d(axes)])
    if reduced < 2:  # one element: the unbiased estimate is 0 / 0 (NaN, as in PyTorch)
        op = op.replace(" unbiased", "")
    fn, reference = REDUCTIONS[op]
    # distinct values: max and min away from ties; spread so that std stays away from 0
    x = leaf(np.random.default_rng(seed).permutation(np.linspace(-1.5, 1.5, math.prod(shape))).reshape(shape))
    out = fn(x, axes, keep)
    expected = reference(x.data, axes, keep)
    assert out.shape == np.shape(expected) and out.dtype == np.float64
    close(out.data, expected)
    assert tl.gradcheck(lambda t: fn(t, axes, keep), [x])


SOFTMAXES = {
    "softmax": (lambda x, ax: x.softmax(dim=ax), lambda a, ax: np.exp(a - _logsumexp(a, ax, True))),
    "log_softmax": (lambda x, ax: tl.log_softmax(x, axis=ax), lambda a, ax: a - _logsumexp(a, ax, True)),
    "nn.Softmax": (lambda x, ax: nn.Softmax(dim=ax)(x), lambda a, ax: np.exp(a - _logsumexp(a, ax, True))),
    "nn.LogSoftmax": (lambda x, ax: nn.LogSoftmax(dim=ax)(x), lambda a, ax: a - _logsumexp(a, ax, True)),
}


@examples(100)
@given(data=st.data(), shape=array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4),
       op=st.sampled_from(sorted(SOFTMAXES)), seed=seeds)
def test_softmax_values_and_gradients(data, shape, op, seed):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1), label="axis")
    fn, reference = SOFTMAXES[op]
    x = leaf(np.random.default_rng(seed).normal(0, 3, shape))
    out = fn(x, axis)
    assert out.shape == shape
    close(out.data, reference(x.data, axis))
    assert tl.gradcheck(lambda t: fn(t, axis), [x])


# == b. convolution and pooling hyper-parameters ===================================================

def conv_out(n, k, s, p_total, d):
    """PyTorch's output length: floor((L + 2p - d(k - 1) - 1) / s) + 1, with ``p_total`` = 2p."""
    return (n + p_total - d * (k - 1) - 1) // s + 1


def conv_reference(x, w, b, stride, pads, dilation, groups):
    """Cross-correlation by a direct loop over the output positions (x (N, C, *S), pads one
    (before, after) pair per spatial dim)."""
    d = len(stride)
    xp_ = np.pad(x, [(0, 0), (0, 0), *pads])
    n, c, o, kernel = x.shape[0], x.shape[1], w.shape[0], w.shape[2:]
    out_size = [conv_out(s, k, st_, lo + hi, dl) for s, k, st_, (lo, hi), dl
                in zip(x.shape[2:], kernel, stride, pads, dilation)]
    out = np.zeros((n, o, *out_size))
    cg, og = c // groups, o // groups
    for pos in np.ndindex(*out_size):
        window = xp_[(slice(None), slice(None)) + tuple(
            slice(q * st_, q * st_ + dl * (k - 1) + 1, dl) for q, st_, dl, k in zip(pos, stride, dilation, kernel))]
        for g in range(groups):
            out[(slice(None), slice(g * og, (g + 1) * og)) + pos] = np.tensordot(
                window[:, g * cg:(g + 1) * cg], w[g * og:(g + 1) * og],
                axes=(list(range(1, d + 2)), list(range(1, d + 2))))
    return out if b is None else out + b.reshape(o, *(1,) * d)


@st.composite
def conv_cases(draw):
    d = draw(st.integers(1, 3), label="dims")
    small = d == 3  # fewer channels and images in 3-D, to keep finite differences cheap
    groups = draw(st.integers(1, 2 if small else 3), label="groups")
    cg, og = draw(st.integers(1, 1 if small else 2)), draw(st.integers(1, 1 if small else 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    padding = draw(st.sampled_from(["int", "tuple", "same", "valid"]), label="padding kind")
    stride = (1,) * d if padding == "same" else tuple(draw(st.integers(1, 3)) for _ in range(d))
    if padding == "same":
        pads = tuple((dl * (k - 1) // 2, dl * (k - 1) - dl * (k - 1) // 2) for k, dl in zip(kernel, dilation))
    elif padding == "valid":
        pads = ((0, 0),) * d
    else:
        ps = (draw(st.integers(0, 2)),) * d if padding == "int" else tuple(draw(st.integers(0, 2)) for _ in range(d))
        pads = tuple((p, p) for p in ps)
        padding = ps[0] if padding == "int" else ps
    # an input that the dilated kernel fits in once padded, plus up to 3 (1 in 3-D) more
    size = tuple(max(1, dl * (k - 1) + 1 - lo - hi) + draw(st.integers(0, 3 if d < 3 else 1))
                 for k, dl, (lo, hi) in zip(kernel, dilation, pads))
    batch = draw(st.sampled_from([None, 1] if small else [None, 1, 2]), label="batch")  # None: unbatched
    return dict(d=d, groups=groups, cin=groups * cg, cout=groups * og, kernel=kernel, stride=stride,
                padding=padding, pads=pads, dilation=dilation, size=size, batch=batch,
                bias=draw(st.booleans(), label="bias"), layer=draw(st.booleans(), label="nn layer"))


CONV_FUNCTIONS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_LAYERS = {1: nn.Conv1D, 2: nn.Conv2D, 3: nn.Conv3D}


@examples(200)
@given(case=conv_cases(), seed=seeds)
def test_conv_output_size_values_and_gradients(case, seed):
    rng = np.random.default_rng(seed)
    d, groups = case["d"], case["groups"]
    in_shape = (case["cin"], *case["size"]) if case["batch"] is None else (case["batch"], case["cin"], *case["size"])
    x = leaf(rng.standard_normal(in_shape))
    args = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"], groups=groups)
    if case["layer"]:  # the layer, built in float64, with its own initial weights
        tl.set_default_dtype(np.float64)
        try:
            layer = CONV_LAYERS[d](case["cin"], case["cout"], case["kernel"], bias=case["bias"], **args)
        finally:
            tl.set_default_dtype(np.float32)
        w, b = layer.weight, layer.bias
        params = [w] if b is None else [w, b]

        def fn(x, *_):  # gradcheck perturbs the parameters in place
            return layer(x)
    else:
        w = leaf(rng.standard_normal((case["cout"], case["cin"] // groups, *case["kernel"])))
        b = leaf(rng.standard_normal(case["cout"])) if case["bias"] else None
        params = [w] if b is None else [w, b]

        def fn(x, w, b=None):
            return CONV_FUNCTIONS[d](x, w, b, **args)
    out = fn(x, *params)

    expected_size = tuple(conv_out(n, k, s, lo + hi, dl) for n, k, s, (lo, hi), dl
                          in zip(case["size"], case["kernel"], case["stride"], case["pads"], case["dilation"]))
    if case["padding"] == "same":
        assert expected_size == case["size"]
    batch = () if case["batch"] is None else (case["batch"],)
    assert out.shape == (*batch, case["cout"], *expected_size)
    x4 = x.data if case["batch"] is not None else x.data[None]
    ref = conv_reference(x4, w.data, None if b is None else b.data, case["stride"], case["pads"],
                         case["dilation"], groups)
    close(out.data, ref if case["batch"] is not None else ref[0])
    assert tl.gradcheck(fn, [x, *params])


def pool_out(n, k, s, p, d, ceil_mode):
    """PyTorch's pooling output length: floor (or ceil) of (L + 2p - d(k - 1) - 1) / s, plus 1;
    with ceil_mode the last window must start inside the input or the left padding."""
    span = n + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


def pool_reference(x, kind, kernel, stride, padding, dilation, ceil_mode, count_include_pad):
    """Pooling by a direct loop over the output positions: the maximum of the window's input
    elements, or their sum divided by the window size (counted with the padding, never past it,
    or without it)."""
    d = len(kernel)
    out_size = [pool_out(n, k, s, p, dl, ceil_mode) for n, k, s, p, dl
                in zip(x.shape[-d:], kernel, stride, padding, dilation)]
    out = np.zeros((*x.shape[:-d], *out_size))
    for pos in np.ndindex(*out_size):
        starts = [q * s - p for q, s, p in zip(pos, stride, padding)]
        index = [np.array([st_ + dl * j for j in range(k) if 0 <= st_ + dl * j < n], dtype=int)
                 for st_, dl, k, n in zip(starts, dilation, kernel, x.shape[-d:])]
        window = x[(Ellipsis, *np.ix_(*index))].reshape(*x.shape[:-d], -1)
        if kind == "max":
            out[(Ellipsis, *pos)] = window.max(axis=-1)
        else:
            counts = [min(st_ + k, n + p) - st_ if count_include_pad else len(i) for st_, k, n, p, i
                      in zip(starts, kernel, x.shape[-d:], padding, index)]
            out[(Ellipsis, *pos)] = window.sum(axis=-1) / math.prod(counts)
    return out


@st.composite
def pool_cases(draw):
    d = draw(st.integers(1, 3), label="dims")
    kind = draw(st.sampled_from(["max", "avg"]), label="kind")
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = draw(st.one_of(st.none(), st.tuples(*(st.integers(1, 3) for _ in range(d)))), label="stride")
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d)) if kind == "max" else (1,) * d
    # big enough for the dilated kernel once padded, and for every window to hold an input element
    size = tuple(max(dl, dl * (k - 1) + 1 - 2 * p) + draw(st.integers(0, 4 if d < 3 else 1))
                 for k, dl, p in zip(kernel, dilation, padding))
    small = d == 3
    return dict(d=d, kind=kind, kernel=kernel, stride=stride, padding=padding, dilation=dilation, size=size,
                batch=draw(st.sampled_from([(), (1,)] if small else [(), (1,), (2,)]), label="batch"),
                channels=draw(st.integers(1, 1 if small else 2)), ceil_mode=draw(st.booleans(), label="ceil_mode"),
                count_include_pad=draw(st.booleans(), label="count_include_pad"),
                layer=draw(st.booleans(), label="nn layer"))


POOL_LAYERS = {("max", 1): nn.MaxPool1D, ("max", 2): nn.MaxPool2D, ("max", 3): nn.MaxPool3D,
               ("avg", 1): nn.AvgPool1D, ("avg", 2): nn.AvgPool2D, ("avg", 3): nn.AvgPool3D}
POOL_FUNCTIONS = {("max", 1): F.max_pool1d, ("max", 2): F.max_pool2d, ("max", 3): F.max_pool3d,
                  ("avg", 1): F.avg_pool1d, ("avg", 2): F.avg_pool2d, ("avg", 3): F.avg_pool3d}


@examples(200)
@given(case=pool_cases(), seed=seeds)
def test_pool_output_size_values_and_gradients(case, seed):
    d, kind = case["d"], case["kind"]
    shape = (*case["batch"], case["channels"], *case["size"])
    # distinct values (a permutation): each max-pool window has one maximum, no tie
    x = leaf(np.random.default_rng(seed).permutation(np.linspace(-2, 2, math.prod(shape))).reshape(shape))
    extra = ({"dilation": case["dilation"]} if kind == "max" else
             {"count_include_pad": case["count_include_pad"]})
    args = dict(stride=case["stride"], padding=case["padding"], ceil_mode=case["ceil_mode"], **extra)
    if case["layer"]:
        fn = POOL_LAYERS[kind, d](case["kernel"], **args)
    else:
        def fn(t):
            return POOL_FUNCTIONS[kind, d](t, case["kernel"], **args)
    out = fn(x)

    stride = case["stride"] or case["kernel"]
    expected = tuple(pool_out(n, k, s, p, dl, case["ceil_mode"]) for n, k, s, p, dl
                     in zip(case["size"], case["kernel"], stride, case["padding"], case["dilation"]))
    assert out.shape == (*case["batch"], case["channels"], *expected)
    close(out.data, pool_reference(x.data, kind, case["kernel"], stride, case["padding"], case["dilation"],
                                   case["ceil_mode"], case["count_include_pad"]))
    assert tl.gradcheck(fn, [x])


# == c. random graphs of ops ======================================================================

MAX_SIZE = 48  # elements per tensor in a random graph: enough for every op, cheap to gradcheck


class Graph:
    """A random graph of ops built step by step from Hypothesis draws.

    ``steps`` replays it on any leaves: a step is None (take the next leaf) or
    ``(function, operand indices)``. The output adds up ``sum(node * weight)`` over the nodes
    that no step used (so every leaf reaches it), with fixed random weights.
    """

    def __init__(self, draw, rng, dtype):
        self.draw, self.rng, self.dtype = draw, rng, dtype
        self.steps, self.nodes, self.leaves, self.used = [], [], [], set()
        self.lossy = False  # a cast to float32 somewhere: too coarse for finite differences
        self.weights = {}

    def pick(self, label="operand"):
        return self.draw(st.integers(0, len(self.nodes) - 1), label=label)

    def new_leaf(self, shape, dtype=None):
        t = leaf(self.rng.standard_normal(shape), dtype or self.dtype)
        self.steps.append(None)
        self.leaves.append(t)
        self.nodes.append(t)
        return len(self.nodes) - 1

    def add(self, fn, *operands):
        out = fn(*(self.nodes[i] for i in operands))
        self.steps.append((fn, operands))
        self.nodes.append(out)
        self.used.update(operands)
        return out

    def output(self, nodes):
        total = None
        for i in range(len(nodes)):
            if i in self.used:
                continue
            w = self.weights.setdefault(i, np.asarray(self.rng.standard_normal(nodes[i].shape)))
            term = (nodes[i] * w.astype(nodes[i].dtype)).sum().astype(np.float64)
            total = term if total is None else total + term
        return total

    def replay(self, *leaves):
        it, nodes = iter(leaves), []
        for step in self.steps:
            nodes.append(next(it) if step is None else step[0](*(nodes[i] for i in step[1])))
        return self.output(nodes)


def broadcastable_shape(draw, shape):
    """A shape that broadcasts with ``shape`` to ``shape``: trailing dims kept or set to 1."""
    keep = draw(st.integers(0, len(shape)))
    return tuple(1 if draw(st.booleans()) else s for s in shape[len(shape) - keep:])


SMOOTH_UNARY = {
    "tanh": tl.tanh, "sigmoid": tl.sigmoid, "sin": tl.sin, "cos": tl.cos, "neg": operator.neg,
    "exp(tanh)": lambda x: x.tanh().exp(), "square": lambda x: x * x, "softplus": F.softplus,
    "log(x^2 + 1)": lambda x: (x * x + 1).log(), "sqrt(x^2 + 1)": lambda x: (x ** 2 + 1).sqrt(),
    # kinks: random normal values land within the finite-difference step of one with
    # probability about 1e-6 per element
    "relu": tl.relu, "abs": abs, "leaky_relu": F.leaky_relu, "clip": lambda x: x.clip(-0.5, 0.5),
}

GRAPH_BINARY = {
    "add": operator.add, "sub": operator.sub, "mul": operator.mul,
    "div": lambda a, b: a / (b * b + 1), "maximum": tl.maximum, "minimum": tl.minimum,
    "where": lambda a, b: tl.where(a > b, a, b),
    "pow": lambda a, b: (a.sigmoid() + 0.5 if isinstance(a, tl.Tensor) else a * a) ** (
        b.tanh() if isinstance(b, tl.Tensor) else b),
}

GRAPH_REDUCTIONS = {
    "sum": lambda x, ax, k: x.sum(dim=ax, keepdim=k), "mean": lambda x, ax, k: x.mean(dim=ax, keepdim=k),
    "max": lambda x, ax, k: _values(x.max(dim=ax, keepdim=k)),
    "min": lambda x, ax, k: _values(x.min(dim=ax, keepdim=k)),
    "var": lambda x, ax, k: x.var(dim=ax, keepdim=k, correction=0),
    "logsumexp": lambda x, ax, k: x.logsumexp(dim=ax, keepdim=k),
}


def step_unary(g, draw):
    name = draw(st.sampled_from(sorted(SMOOTH_UNARY)), label="unary")
    g.add(SMOOTH_UNARY[name], g.pick())


def step_binary(g, draw):
    i = g.pick()
    a = g.nodes[i]
    partners = [j for j, t in enumerate(g.nodes) if t.dtype == a.dtype and t.ndim <= a.ndim and all(
        s in (1, n) for s, n in zip(t.shape[::-1], a.shape[::-1]))]
    kind = draw(st.sampled_from(["node", "leaf", "scalar", "array"]), label="second operand")
    fn = GRAPH_BINARY[draw(st.sampled_from(sorted(GRAPH_BINARY)), label="binary")]
    if kind == "scalar":
        c = float(draw(st.sampled_from([-1.5, 0.5, 2.0])))
        g.add(lambda x: fn(x, c) if c != 2.0 else fn(c, x), i)
    elif kind == "array":  # a constant that needs no gradient
        c = g.rng.standard_normal(broadcastable_shape(draw, a.shape))
        g.add(lambda x: fn(x, c.astype(x.dtype)), i)
    else:
        j = draw(st.sampled_from(partners), label="partner") if kind == "node" else \
            g.new_leaf(broadcastable_shape(draw, a.shape), a.dtype)
        swap = draw(st.booleans(), label="swap")
        g.add(lambda x, y: fn(y, x) if swap else fn(x, y), i, j)


def step_reduce(g, draw):
    i = g.pick()
    x = g.nodes[i]
    if x.ndim and draw(st.booleans(), label="softmax"):
        axis = draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
        fn = draw(st.sampled_from([tl.softmax, tl.log_softmax]))
        g.add(lambda t: fn(t, dim=axis), i)
        return
    axes = draw(axes_for(x.ndim), label="axes")
    keep = draw(st.booleans(), label="keepdim")
    fn = GRAPH_REDUCTIONS[draw(st.sampled_from(sorted(GRAPH_REDUCTIONS)), label="reduction")]
    g.add(lambda t: fn(t, axes, keep), i)


def step_shape(g, draw):
    i = g.pick()
    x = g.nodes[i]
    choices = ["reshape(-1)", "unsqueeze"] + (["transpose", "permute", "T", "flatten"] if x.ndim else []) + \
        (["swapaxes"] if x.ndim >= 2 else []) + (["squeeze"] if 1 in x.shape else []) + \
        (["expand"] if 2 * x.size <= MAX_SIZE else []) + (["split dim"] if x.ndim and x.shape[0] % 2 == 0 else [])
    kind = draw(st.sampled_from(choices), label="shape op")
    if kind == "reshape(-1)":
        g.add(lambda t: t.reshape(-1), i)
    elif kind == "unsqueeze":
        dim = draw(st.integers(-x.ndim - 1, x.ndim), label="dim")
        g.add(lambda t: t.unsqueeze(dim), i)
    elif kind == "transpose":
        g.add(lambda t: t.transpose(), i)
    elif kind == "permute":
        perm = draw(st.permutations(range(x.ndim)), label="perm")
        g.add(lambda t: t.permute(*perm), i)
    elif kind == "T":
        g.add(lambda t: t.T, i)
    elif kind == "flatten":
        start = draw(st.integers(0, x.ndim - 1), label="start_dim")
        g.add(lambda t: t.flatten(start), i)
    elif kind == "swapaxes":
        a, b = draw(st.integers(0, x.ndim - 1)), draw(st.integers(0, x.ndim - 1))
        g.add(lambda t: tl.swapaxes(t, a, b), i)
    elif kind == "squeeze":
        dim = draw(st.sampled_from([None] + [k for k, s in enumerate(x.shape) if s == 1]), label="dim")
        g.add(lambda t: t.squeeze(dim), i)
    elif kind == "expand":  # a new leading dim of 2, or a size-1 dim grown to 2
        ones = [k for k, s in enumerate(x.shape) if s == 1]
        if ones and draw(st.booleans()):
            shape = tuple(2 if k == ones[0] else s for k, s in enumerate(x.shape))
            g.add(lambda t: t.expand(*shape), i)
        else:
            g.add(lambda t: tl.broadcast_to(t, (2, *x.shape)), i)
    else:
        g.add(lambda t: t.reshape(2, t.shape[0] // 2, *t.shape[1:]), i)


def step_index(g, draw):
    i = g.pick()
    x = g.nodes[i]
    if x.ndim == 0:
        g.add(lambda t: t[None], i)
        return
    axis = draw(st.integers(0, x.ndim - 1), label="axis")
    n = x.shape[axis]
    kind = draw(st.sampled_from(["slice", "int", "repeated indices", "mask", "ellipsis"]), label="index")
    if kind == "slice":  # never empty
        step = draw(st.sampled_from([1, 2, -1]), label="step")
        start = draw(st.integers(-n, n - 1), label="start")
        stop = None if draw(st.booleans(), label="to the end") else (start + n + step) % n if step > 0 else None
        if not range(n)[slice(start, stop, step)]:
            stop = None
        key = (slice(None),) * axis + (slice(start, stop, step),)
    elif kind == "int":
        key = (slice(None),) * axis + (draw(st.integers(-n, n - 1)),)
    elif kind == "repeated indices":  # advanced indexing: repeats accumulate their gradients
        most = max(1, min(3, MAX_SIZE * n // x.size - 1))
        chosen = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=most), label="indices")
        key = (slice(None),) * axis + (np.array([*chosen, chosen[0] - n if chosen[0] >= 0 else chosen[0]]),)
    elif kind == "mask":  # a boolean mask of the tensor's shape, never all False
        key = g.rng.random(x.shape) < 0.6
        key.flat[0] = True
    else:  # a new axis before the last, whose order is reversed
        key = (Ellipsis, None, slice(None, None, -1))
    g.add(lambda t: t[key], i)


def step_combine(g, draw):
    i = g.pick()
    x = g.nodes[i]
    kinds = (["pad"] if x.ndim else []) + (["cat", "stack"] if 2 * x.size <= MAX_SIZE else []) + \
        (["split", "chunk"] if max(x.shape, default=1) >= 2 else [])
    kind = draw(st.sampled_from(kinds), label="combine")
    if kind == "cat" and x.ndim:  # with itself, or with a new leaf of size 1 along the axis
        axis = draw(st.integers(-x.ndim, x.ndim - 1), label="axis")
        j = i if draw(st.booleans(), label="with itself") else \
            g.new_leaf(tuple(1 if k == axis % x.ndim else s for k, s in enumerate(x.shape)), x.dtype)
        g.add(lambda a, b: tl.cat([a, b], axis), i, j)
    elif kind in ("cat", "stack"):
        j = i if draw(st.booleans(), label="with itself") else g.new_leaf(x.shape, x.dtype)
        axis = draw(st.integers(-x.ndim - 1, x.ndim), label="axis")
        g.add(lambda a, b: tl.stack([a, b], axis), i, j)
    elif kind in ("split", "chunk"):  # one of the pieces
        axis = draw(st.sampled_from([k for k, s in enumerate(x.shape) if s >= 2]), label="axis")
        piece = draw(st.integers(0, 1), label="piece")
        if kind == "split":
            cut = draw(st.integers(1, x.shape[axis] - 1), label="cut")
            g.add(lambda t: tl.split(t, [cut, t.shape[axis] - cut], axis)[piece], i)
        else:
            g.add(lambda t: t.chunk(2, axis)[piece], i)
    else:  # zeros around some dims, as long as the result stays small
        widths = tuple((draw(st.integers(0, 1)), draw(st.integers(0, 1))) for _ in x.shape)
        if math.prod(s + lo + hi for s, (lo, hi) in zip(x.shape, widths)) > MAX_SIZE:
            widths = ((0, 0),) * x.ndim
        g.add(lambda t: tl.pad(t, widths), i)


def step_matmul(g, draw):
    i = g.pick()
    x = g.nodes[i]
    if x.ndim == 0:
        g.add(lambda t: t * t, i)
        return
    m = draw(st.integers(1, 3), label="m")
    if x.ndim >= 2 and draw(st.booleans(), label="on the left"):  # w @ x, w (m, rows)
        if x.size // x.shape[-2] * m > MAX_SIZE:
            m = 1
        j = g.new_leaf((m, x.shape[-2]), x.dtype)
        g.add(lambda a, b: tl.matmul(b, a), i, j)
        return
    # x @ w: w (k,), (k, m) or, when x is a matrix or a batch, a batch (b, k, m) that broadcasts
    k = x.shape[-1]
    shapes = [(k,), (k, m)]
    if x.ndim >= 2:
        shapes.append((2 if x.ndim == 2 or x.shape[-3] == 2 else 1, k, m))
    shape = draw(st.sampled_from(shapes), label="w shape")
    if (np.zeros(x.shape) @ np.zeros(shape)).size > MAX_SIZE:
        shape = (k,)
    j = g.new_leaf(shape, x.dtype)
    g.add(lambda a, b: a @ b, i, j)


def step_cast(g, draw):
    i = g.pick()
    target = np.float32 if g.nodes[i].dtype == np.float64 else np.float64
    g.lossy = True
    g.add(lambda t: t.astype(target), i)


STEPS = [step_unary, step_binary, step_reduce, step_shape, step_index, step_combine, step_matmul, step_cast]


@st.composite
def graphs(draw):
    dtype = draw(st.sampled_from([np.float64, np.float32]), label="dtype")
    g = Graph(draw, np.random.default_rng(draw(seeds, label="seed")), dtype)
    for _ in range(draw(st.integers(1, 2), label="first leaves")):
        g.new_leaf(draw(array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4), label="leaf shape"))
    for _ in range(draw(st.integers(2, 10), label="steps")):
        draw(st.sampled_from(STEPS), label="step")(g, draw)
    return g


@examples(400)
@given(g=graphs())
def test_random_graphs_backward_gives_every_leaf_a_gradient_of_its_shape_and_dtype(g):
    out = g.replay(*g.leaves)
    assert out.shape == () and out.requires_grad
    out.backward()
    for k, t in enumerate(g.leaves):
        assert t.grad is not None, f"leaf {k} of shape {t.shape} got no gradient"
        assert t.grad.shape == t.shape and t.grad.dtype == t.dtype, \
            f"leaf {k}: gradient {t.grad.shape} {t.grad.dtype} for a tensor {t.shape} {t.dtype}"
        assert np.isfinite(t.grad).all()
    if not g.lossy:  # the same graph replayed on float64 copies of the leaves
        assert tl.gradcheck(g.replay, g.leaves)
