"""Higher-order gradients of convolutions, pooling and resampling (issue 16).

Every op class of conv.py, conv_transpose.py, pool.py, adaptive_pool.py, resample.py,
grid_sample.py and windows.py has a ``backward_graph``; this file proves each one: derivatives of
order 1, 2 and 3 against PyTorch in float64 (each function is followed by a ``tanh`` or a cube so
that the higher orders do not vanish), ``tl.gradgradcheck`` on option combinations PyTorch cannot
differentiate twice or that are edge shapes, the recorded first derivative against the fast
first-order rule, and the graph rules on a second array library.
"""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import backend
from tensorlite.ops.conv import ConvNd, _input_from_source

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")  # PyTorch's own
TF = torch.nn.functional

from higher_order import assert_matches_torch  # noqa: E402  (tests/autograd is on the path)

rng = np.random.default_rng(16)


def r(*shape):
    return rng.standard_normal(shape)


def grid(*shape):  # sampling points, some outside [-1, 1]
    return rng.uniform(-1.25, 1.25, shape)


def both(fn):
    """One function for both libraries: ``fn(F, *inputs)``; returns (tensorlite fn, torch fn)."""
    return (lambda *a: fn(F, *a)), (lambda *a: fn(TF, *a))


# name: (fn(F, *inputs), input arrays, op classes it records). The outer tanh / cube keeps the
# second and third derivatives from vanishing (every op here is linear in each input).
CASES = {
    # ConvNd (channels-last and channel-major window layouts; both need Reframe in their rule)
    "conv1d bias": (lambda f, x, w, b: (f.conv1d(x, w, b) ** 3), [r(2, 3, 7), r(4, 3, 3), r(4)]),
    "conv1d stride padding dilation": (lambda f, x, w, b: f.conv1d(x, w, b, stride=2, padding=1, dilation=2).tanh(),
                                       [r(2, 3, 9), r(4, 3, 3), r(4)]),
    "conv1d groups, unread tail": (lambda f, x, w: f.conv1d(x, w, stride=3, groups=2).tanh(),
                                   [r(2, 4, 10), r(6, 2, 2)]),
    "conv2d same, even kernel": (lambda f, x, w: f.conv2d(x, w, padding="same") ** 3, [r(2, 2, 5, 4), r(3, 2, 2, 3)]),
    "conv2d stride padding dilation": (
        lambda f, x, w, b: f.conv2d(x, w, b, stride=(2, 1), padding=(1, 0), dilation=(1, 2)).tanh(),
        [r(2, 3, 6, 7), r(2, 3, 3, 2), r(2)]),
    "conv2d unbatched": (lambda f, x, w: f.conv2d(x, w, stride=2).tanh(), [r(3, 6, 5), r(2, 3, 2, 2)]),
    "conv2d channel-major, groups, padding": (lambda f, x, w, b: f.conv2d(x, w, b, padding=1, groups=2).tanh(),
                                              [r(2, 2, 9, 9), r(4, 1, 3, 3), r(4)]),
    "conv3d groups padding": (lambda f, x, w, b: f.conv3d(x, w, b, padding=1, groups=2).tanh(),
                              [r(1, 4, 3, 4, 3), r(2, 2, 2, 2, 2), r(2)]),
    # ConvTransposeNd (PyTorch cannot differentiate output_padding twice: gradgradcheck below)
    "conv_transpose1d stride padding": (lambda f, x, w, b: f.conv_transpose1d(x, w, b, stride=2, padding=1).tanh(),
                                        [r(2, 3, 5), r(3, 2, 3), r(2)]),
    "conv_transpose2d groups dilation": (
        lambda f, x, w: f.conv_transpose2d(x, w, stride=(2, 3), dilation=(2, 1), groups=2) ** 3,
        [r(2, 4, 3, 3), r(4, 1, 2, 2)]),
    "conv_transpose2d unbatched": (lambda f, x, w: f.conv_transpose2d(x, w, padding=1).tanh(),
                                   [r(2, 3, 3), r(2, 3, 3, 3)]),
    "conv_transpose3d": (lambda f, x, w, b: f.conv_transpose3d(x, w, b, stride=2).tanh(),
                         [r(1, 2, 2, 3, 2), r(2, 2, 2, 2, 2), r(2)]),
    # MaxPoolNd (routes through TakePlaneGrad / TakePlane), AvgPoolNd (AvgPoolMap both ways)
    "max_pool1d padding": (lambda f, x: f.max_pool1d(x, 3, 2, 1) ** 3, [r(2, 3, 8)]),
    "max_pool2d": (lambda f, x: f.max_pool2d(x, 2) ** 3, [r(2, 3, 4, 5)]),
    "max_pool2d dilation ceil_mode": (lambda f, x: f.max_pool2d(x, (2, 3), (1, 2), (1, 1), dilation=(2, 1),
                                                                 ceil_mode=True) ** 3, [r(2, 2, 6, 7)]),
    "max_pool2d unbatched overlapping": (lambda f, x: f.max_pool2d(x, 3, 1, 1) ** 3, [r(2, 4, 4)]),
    "max_pool3d": (lambda f, x: f.max_pool3d(x, 2, 1) ** 3, [r(1, 2, 3, 4, 3)]),
    "avg_pool1d count_include_pad=False": (lambda f, x: f.avg_pool1d(x, 3, 2, 1, count_include_pad=False) ** 3,
                                           [r(2, 3, 8)]),
    "avg_pool2d": (lambda f, x: f.avg_pool2d(x, 2) ** 3, [r(2, 3, 4, 5)]),
    "avg_pool2d ceil_mode padding": (lambda f, x: f.avg_pool2d(x, 3, 2, 1, ceil_mode=True) ** 3, [r(1, 2, 6, 5)]),
    "avg_pool3d": (lambda f, x: f.avg_pool3d(x, 2, 1, 1) ** 3, [r(1, 2, 3, 4, 3)]),
    # TakePlane, TakePlaneGrad, MaxUnpoolNd; Resample, ResampleGrad (adaptive average pooling)
    "adaptive_max_pool1d": (lambda f, x: f.adaptive_max_pool1d(x, 3) ** 3, [r(2, 3, 7)]),
    "adaptive_max_pool2d": (lambda f, x: f.adaptive_max_pool2d(x, (2, 3)) ** 3, [r(2, 3, 5, 7)]),
    "max_pool2d return_indices": (lambda f, x: f.max_pool2d(x, 3, 1, 1, return_indices=True)[0] ** 3,
                                  [r(2, 3, 5, 5)]),
    "max_unpool1d": (lambda f, x: f.max_unpool1d(*f.max_pool1d(x, 2, return_indices=True), 2) ** 3, [r(2, 3, 6)]),
    "max_unpool2d": (lambda f, x: f.max_unpool2d(*f.max_pool2d(x, 2, return_indices=True), 2) ** 3,
                     [r(2, 3, 4, 6)]),
    "adaptive_avg_pool1d": (lambda f, x: f.adaptive_avg_pool1d(x, 3) ** 3, [r(2, 3, 7)]),
    "adaptive_avg_pool2d": (lambda f, x: f.adaptive_avg_pool2d(x, (2, 3)) ** 3, [r(2, 3, 5, 7)]),
    "adaptive_avg_pool3d": (lambda f, x: f.adaptive_avg_pool3d(x, 2) ** 3, [r(1, 2, 3, 4, 5)]),
    # Resample: every interpolate mode
    "interpolate nearest": (lambda f, x: f.interpolate(x, size=7) ** 3, [r(2, 3, 4)]),
    "interpolate nearest-exact": (lambda f, x: f.interpolate(x, size=7, mode="nearest-exact") ** 3, [r(2, 3, 4)]),
    "interpolate linear": (lambda f, x: f.interpolate(x, size=7, mode="linear") ** 3, [r(2, 3, 4)]),
    "interpolate linear align_corners": (
        lambda f, x: f.interpolate(x, size=3, mode="linear", align_corners=True) ** 3, [r(2, 3, 5)]),
    "interpolate bilinear": (lambda f, x: f.interpolate(x, scale_factor=1.5, mode="bilinear") ** 3,
                             [r(1, 2, 4, 5)]),
    "interpolate bicubic": (lambda f, x: f.interpolate(x, scale_factor=1.5, mode="bicubic") ** 3, [r(1, 2, 4, 5)]),
    "interpolate nearest 2d": (lambda f, x: f.interpolate(x, scale_factor=1.5) ** 3, [r(1, 2, 4, 5)]),
    "interpolate area": (lambda f, x: f.interpolate(x, size=(3, 2), mode="area") ** 3, [r(1, 2, 4, 5)]),
    "interpolate trilinear": (lambda f, x: f.interpolate(x, size=(3, 4, 2), mode="trilinear",
                                                         align_corners=True) ** 3, [r(1, 2, 2, 3, 4)]),
}
for _mode in ("bilinear", "nearest"):  # GridSample
    for _padding in ("zeros", "border", "reflection"):
        for _corners in (False, True):
            CASES[f"grid_sample {_mode} {_padding} align_corners={_corners}"] = (
                lambda f, x, g, m=_mode, p=_padding, c=_corners:
                    f.grid_sample(x, g, mode=m, padding_mode=p, align_corners=c).tanh(),
                [r(2, 2, 3, 4), grid(2, 3, 2, 2)])


@pytest.mark.parametrize("name", CASES)
def test_orders_1_to_3_match_torch(name):
    fn, arrays = CASES[name]
    ours, theirs = both(fn)
    if "grid_sample nearest" in name:
        # the grid's gradient is a constant 0 here, PyTorch's a 0 with a graph: the helper draws
        # its random weights only for gradients with a graph, so take the inputs one at a time
        for i in range(len(arrays)):
            assert_matches_torch(ours, theirs, arrays, order=3, wrt=[i])
    else:
        assert_matches_torch(ours, theirs, arrays, order=3)


@pytest.mark.parametrize("name", ["conv2d stride padding dilation", "conv_transpose2d groups dilation",
                                  "grid_sample bilinear zeros align_corners=False", "max_pool2d"])
def test_each_input_alone_matches_torch(name):
    """The rules when only one input needs a gradient (the others are constants in the graph)."""
    fn, arrays = CASES[name]
    ours, theirs = both(fn)
    for i in range(len(arrays)):
        assert_matches_torch(ours, theirs, arrays, order=2, wrt=[i])


@pytest.mark.parametrize("name", list(CASES)[::3])
def test_recorded_first_derivative_equals_the_fast_rule(name):
    fn, arrays = CASES[name]
    xs = [tl.tensor(a, dtype=np.float64, requires_grad=True) for a in arrays]
    out = fn(F, *xs)
    weights = r(*out.shape)
    fast = tl.grad(out, xs, grad_outputs=weights, retain_graph=True)
    recorded = tl.grad(out, xs, grad_outputs=weights, create_graph=True)
    for a, b in zip(fast, recorded):
        assert isinstance(b, tl.Tensor)
        np.testing.assert_allclose(b.data, a, rtol=1e-12, atol=1e-12)


GRADGRAD = {  # edge options and shapes, against finite differences of the first derivative
    "conv_transpose1d output_padding groups": (
        lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1, groups=2) ** 2,
        [r(2, 4, 5), r(4, 3, 3), r(6)]),
    "conv_transpose2d output_padding >= stride via dilation": (
        lambda x, w: F.conv_transpose2d(x, w, stride=(2, 1), dilation=(3, 2), output_padding=(2, 1)) ** 2,
        [r(1, 2, 3, 3), r(2, 2, 2, 2)]),
    "conv2d size-1 dims, kernel 1": (lambda x, w: F.conv2d(x, w) ** 2, [r(1, 1, 1, 3), r(2, 1, 1, 1)]),
    "conv1d stride past the kernel": (lambda x, w: F.conv1d(x, w, stride=4, padding=2) ** 2, [r(1, 2, 9), r(1, 2, 2)]),
    "conv3d unbatched same": (lambda x, w: F.conv3d(x, w, padding="same") ** 2, [r(2, 2, 3, 2), r(1, 2, 2, 2, 1)]),
    "max_pool1d kernel 1": (lambda x: F.max_pool1d(x, 1, 2) ** 3, [r(2, 5)]),
    "avg_pool3d unbatched": (lambda x: F.avg_pool3d(x, 2, 1, 1, count_include_pad=False) ** 3, [r(1, 2, 3, 2)]),
    "interpolate to size 1": (lambda x: F.interpolate(x, size=(1, 3), mode="bilinear") ** 3, [r(1, 1, 3, 2)]),
    "grid_sample bilinear, grid broadcast from affine_grid":
        (lambda x, th: F.grid_sample(x, F.affine_grid(th, (2, 1, 3, 3), align_corners=False), align_corners=False)
         ** 2, [r(2, 1, 3, 3), r(2, 2, 3) * 0.5]),
}


@pytest.mark.parametrize("name", GRADGRAD)
def test_gradgradcheck(name):
    fn, arrays = GRADGRAD[name]
    assert tl.gradgradcheck(fn, [tl.tensor(a, dtype=np.float64, requires_grad=True) for a in arrays])


@pytest.mark.parametrize("shape, w_shape, kw, view", [
    ((2, 16, 5, 5), (3, 16, 3, 3), dict(padding=1), False),  # channels-last windows, padded copy
    ((2, 2, 9, 8), (4, 1, 3, 3), dict(groups=2, padding=(2, 1)), False),  # channel-major, padded
    ((2, 1, 12, 12), (4, 1, 3, 3), {}, True),  # channel-major, unpadded: x itself
])
def test_conv_saves_its_input_not_the_window_matrix(shape, w_shape, kw, view):
    """ConvNd saves its (padded) input, not the window matrix (kernel-size times larger): backward
    rebuilds the windows, and the graph rule reads x from it."""
    x = tl.tensor(r(*shape), dtype=np.float64, requires_grad=True)
    w = tl.tensor(r(*w_shape), dtype=np.float64, requires_grad=True)
    d = len(w_shape) - 2
    out = getattr(F, f"conv{d}d")(x, w, **kw)
    op = out._ctx
    assert isinstance(op, ConvNd)
    xs, _, _ = op.saved
    assert xs.size <= np.prod([s + 2 * 2 for s in shape[2:]]) * np.prod(shape[:2])  # no window copy
    assert np.shares_memory(xs, x.data) == view
    np.testing.assert_array_equal(_input_from_source(np, xs, op.geometry), x.data)


def test_max_pool_nan_window_passes_no_gradient_at_any_order():
    """A window holding a NaN has a NaN maximum and passes no gradient (MaxPoolNd's convention),
    in the recorded rule too, whatever the upstream gradient."""
    x = tl.tensor([[[0.5, np.nan, 1.0, 2.0, -1.0, 3.0]]], dtype=np.float64, requires_grad=True)
    (g,) = tl.grad((F.max_pool1d(x, 2, 1) ** 3).sum(), [x], create_graph=True)
    np.testing.assert_array_equal(g.data, [[[0, 0, 0, 24, 0, 27]]])
    (gg,) = tl.grad(g.sum(), [x])  # (the cube's own rule meets the NaN: NaN * 0 in its windows)
    np.testing.assert_array_equal(gg[..., 3:], [[[24, 0, 18]]])


def test_graph_rules_record_differentiable_ops():
    """The gradient graph of a conv + pool is made of recorded ops, named as PyTorch would."""
    x = tl.tensor(r(1, 2, 6, 6), dtype=np.float64, requires_grad=True)
    w = tl.tensor(r(2, 2, 3, 3), dtype=np.float64, requires_grad=True)
    y = F.avg_pool2d(F.max_pool2d(F.conv2d(x, w, padding=1), 2), 1, padding=0)
    gx, gw = tl.grad((y ** 2).sum(), [x, w], create_graph=True)
    names = set()
    stack = [gx._ctx, gw._ctx]
    while stack:
        op = stack.pop()
        if op is None or isinstance(op, tl.Tensor) or op.name in names:
            continue
        names.add(op.name)
        stack.extend(op.parents)
    assert {"ConvNd", "ConvTransposeNd", "TakePlaneGrad", "AvgPoolMap"} <= names


# -- on a second array library (tests/test_backend_seam.py's traced NumPy) --------------------------

SEAM = {
    "conv2d, pools": (lambda x, w: F.avg_pool2d(F.max_pool2d(F.conv2d(x, w, padding=1, stride=1), 2), 2, 1, 1),
                      [r(2, 3, 6, 6), r(4, 3, 3, 3)]),
    "conv_transpose2d output_padding": (lambda x, w: F.conv_transpose2d(x, w, stride=2, output_padding=1),
                                        [r(2, 3, 3, 3), r(3, 2, 2, 2)]),
    "interpolate, adaptive pools, unpool": (
        lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear").sum() + F.adaptive_max_pool2d(x, 2).sum()
        + F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2).sum(), [r(1, 2, 4, 4)]),
    "grid_sample": (lambda x, g: F.grid_sample(x, g, align_corners=False), [r(2, 2, 3, 4), grid(2, 3, 2, 2)]),
}


@pytest.mark.parametrize("name", SEAM)
def test_graph_rules_compute_with_their_inputs_library(name):
    from test_backend_seam import Traced, traced  # tests/ is on the path (its conftest.py)

    fn, arrays = SEAM[name]

    def second(lift):
        xs = [tl.Tensor(lift(a.copy()), requires_grad=True) for a in arrays]
        out = fn(*xs)
        gs = tl.grad((out ** 2).sum(), xs, create_graph=True)
        return tl.grad(sum((g * g).sum() for g in gs), xs)

    expected = second(lambda a: a)
    backend.register(Traced, traced)
    try:
        got = second(Traced)
    finally:
        del backend._libraries[Traced]
    for g, e in zip(got, expected):
        assert isinstance(g, Traced)
        np.testing.assert_allclose(g.a, e, rtol=1e-10, atol=1e-10)


def test_a_small_cnn_to_third_order():
    """conv -> tanh -> max pool -> conv_transpose -> bilinear resize -> adaptive average pool,
    with every weight: derivatives of order 1-3 against PyTorch."""
    def net(f, x, w1, b1, w2):
        h = f.max_pool2d(f.conv2d(x, w1, b1, padding=1).tanh(), 2)
        h = f.interpolate(f.conv_transpose2d(h, w2, stride=2), scale_factor=0.75, mode="bilinear")
        return f.adaptive_avg_pool2d(h, 2).tanh()

    ours, theirs = both(net)
    assert_matches_torch(ours, theirs, [r(2, 2, 6, 6), r(3, 2, 3, 3) * 0.5, r(3), r(3, 2, 2, 2) * 0.5], order=3)
