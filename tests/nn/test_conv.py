"""Convolution: ``conv1d/2d/3d`` and ``Conv1D/2D/3D`` against a naive loop reference, gradients
(input, weight, bias) against finite differences in float64, 'same' padding, groups, unbatched
input, initialisation, reprs and bad inputs."""
import math

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
LAYER = {1: nn.Conv1D, 2: nn.Conv2D, 3: nn.Conv3D}


def t64(a, requires_grad=False):
    return tl.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# -- the reference: loops over output positions and kernel offsets -------------------------------

def ref_pads(padding, kernel, dilation):
    if padding == "valid":
        return [(0, 0)] * len(kernel)
    if padding == "same":  # PyTorch: the smaller half before, the extra element after
        return [(dl * (k - 1) // 2, dl * (k - 1) - dl * (k - 1) // 2) for k, dl in zip(kernel, dilation)]
    p = padding if isinstance(padding, tuple) else (padding,) * len(kernel)
    return [(q, q) for q in p]


def ref_conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    x = np.asarray(x, dtype=np.float64)
    d = w.ndim - 2
    unbatched = x.ndim == d + 1
    if unbatched:
        x = x[None]
    kernel = w.shape[2:]
    stride = stride if isinstance(stride, tuple) else (stride,) * d
    dilation = dilation if isinstance(dilation, tuple) else (dilation,) * d
    xp_ = np.pad(x, [(0, 0), (0, 0)] + ref_pads(padding, kernel, dilation))
    o_ch, cg = w.shape[:2]
    out_size = [(xp_.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(d)]
    out = np.zeros((x.shape[0], o_ch, *out_size))
    for o in range(o_ch):
        group = o // (o_ch // groups)
        channels = slice(group * cg, (group + 1) * cg)
        for pos in np.ndindex(*out_size):
            for off in np.ndindex(*kernel):
                idx = tuple(p * s + k * dl for p, s, k, dl in zip(pos, stride, off, dilation))
                out[(slice(None), o, *pos)] += xp_[(slice(None), channels, *idx)] @ w[(o, slice(None), *off)]
        if b is not None:
            out[:, o] += b[o]
    return out[0] if unbatched else out


# (dims, input size, kernel, stride, padding, dilation, groups, batched)
CASES = [
    (1, (9,), (3,), 1, 0, 1, 1, True),
    (1, (10,), (4,), 2, 1, 1, 1, True),
    (1, (11,), (3,), 1, "same", 2, 2, True),
    (1, (8,), (2,), 3, 2, 2, 1, False),
    (2, (6, 7), (3, 3), 1, 0, 1, 1, True),
    (2, (7, 6), (3, 2), (2, 1), (1, 2), 1, 1, True),
    (2, (7, 8), (2, 4), 1, "same", 1, 1, True),      # even kernels: padding (0, 1) and (1, 2)
    (2, (8, 7), (3, 3), 1, "same", (2, 1), 2, True),
    (2, (7, 7), (2, 3), 2, 1, 2, 2, False),
    (2, (6, 6), (3, 3), 1, "valid", 1, 4, True),     # depthwise
    (2, (5, 5), (1, 1), 1, 0, 1, 1, True),           # 1x1
    (2, (9, 9), (2, 2), 3, 0, 1, 1, True),           # stride > kernel: gaps between windows
    (3, (4, 5, 4), (2, 3, 2), 1, 0, 1, 1, True),
    (3, (5, 4, 5), (2, 2, 3), (1, 2, 2), 1, (2, 1, 1), 2, True),
    (3, (4, 4, 5), (2, 2, 2), 1, "same", 1, 1, False),
]


def make_case(case, seed=0, bias=True):
    d, size, kernel, stride, padding, dilation, groups, batched = case
    rng = np.random.default_rng(seed)
    c_in, c_out = 4, 8
    x = rng.standard_normal(((2,) if batched else ()) + (c_in, *size))
    w = rng.standard_normal((c_out, c_in // groups, *kernel))
    b = rng.standard_normal(c_out) if bias else None
    return x, w, b, dict(stride=stride, padding=padding, dilation=dilation, groups=groups)


@pytest.mark.parametrize("case", CASES)
def test_forward_matches_reference(case):
    x, w, b, kw = make_case(case)
    d = case[0]
    y = CONV[d](t64(x), t64(w), t64(b), **kw)
    ref = ref_conv(x, w, b, **kw)
    assert y.shape == ref.shape
    np.testing.assert_allclose(y.data, ref, rtol=1e-10, atol=1e-10)
    y = CONV[d](t64(x), t64(w), None, **kw)
    np.testing.assert_allclose(y.data, ref_conv(x, w, None, **kw), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("case", CASES)
def test_gradients_match_finite_differences(case):
    x, w, b, kw = make_case(case, seed=1)
    d = case[0]
    xt, wt, bt = t64(x, True), t64(w, True), t64(b, True)
    assert tl.gradcheck(lambda x_, w_, b_: CONV[d](x_, w_, b_, **kw), [xt, wt, bt])


def test_gradients_of_one_input_at_a_time():
    x, w, b, kw = make_case(CASES[5], seed=2)
    x = x[:1]
    for needs in [(True, False, False), (False, True, False), (False, False, True), (True, True, False)]:
        xt, wt, bt = (t64(a, n) for a, n in zip((x, w, b), needs))
        assert tl.gradcheck(lambda x_, w_, b_: F.conv2d(x_, w_, b_, **kw), [xt, wt, bt])
        out = F.conv2d(xt, wt, bt, **kw)
        out.sum().backward()
        for t, n in zip((xt, wt, bt), needs):
            assert (t.grad is not None) == n


def test_same_padding_even_kernel_puts_the_extra_row_after():
    x = np.arange(25.0).reshape(1, 1, 5, 5)
    w = np.zeros((1, 1, 2, 2))
    w[0, 0, 0, 0] = 1.0  # picks the top-left element of each window
    y = F.conv2d(t64(x), t64(w), padding="same").data
    # total padding 1 per dim: 0 before, 1 after, so window (i, j) starts at x[i, j]
    np.testing.assert_array_equal(y[0, 0], x[0, 0])
    w = np.zeros((1, 1, 4, 4))
    w[0, 0, 0, 0] = 1.0  # total padding 3: 1 before, 2 after
    y = F.conv2d(t64(x), t64(w), padding="same").data
    expected = np.zeros((5, 5))
    expected[1:, 1:] = x[0, 0, :4, :4]
    np.testing.assert_array_equal(y[0, 0], expected)


def test_unbatched_input_gives_the_batched_result():
    x, w, b, kw = make_case(CASES[5])
    xt = t64(x[0], True)
    y = F.conv2d(xt, t64(w), t64(b), **kw)
    full = F.conv2d(t64(x), t64(w), t64(b), **kw)
    np.testing.assert_allclose(y.data, full.data[0])
    y.sum().backward()
    xb = t64(x, True)
    F.conv2d(xb, t64(w), t64(b), **kw).sum().backward()
    np.testing.assert_allclose(xt.grad, xb.grad[0])


@pytest.mark.parametrize("channels,width,padding", [(3, 12, 1), (1, 30, 0)])  # both window layouts
def test_non_contiguous_and_reversed_inputs(channels, width, padding):
    rng = np.random.default_rng(3)
    base = rng.standard_normal((2, channels, 9, width))
    x = base[:, :, ::-1, ::2]  # negative and non-unit strides
    w = rng.standard_normal((4, channels, 3, 3))[:, :, :, ::-1]
    y = F.conv2d(t64(x), t64(w), padding=padding)
    np.testing.assert_allclose(y.data, ref_conv(x, w, padding=padding), atol=1e-10)
    assert tl.gradcheck(lambda x_, w_: F.conv2d(x_, w_, padding=padding), [t64(x, True), t64(w, True)])


def test_float32_stays_float32():
    x = tl.randn(2, 3, 8, 8, requires_grad=True)
    conv = nn.Conv2D(3, 4, 3, padding=1)
    y = conv(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == conv.weight.grad.dtype == conv.bias.grad.dtype == np.float32
    np.testing.assert_allclose(
        y.data, ref_conv(x.data, conv.weight.data, conv.bias.data, padding=1), rtol=1e-4, atol=1e-4)


# -- layers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("d", [1, 2, 3])
def test_layer_gradients_and_parameters(d):
    tl.set_default_dtype(np.float64)
    tl.manual_seed(0)
    layer = LAYER[d](4, 6, 3, stride=2, padding=1, dilation=1, groups=2)
    assert layer.weight.shape == (6, 2) + (3,) * d and layer.bias.shape == (6,)
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]
    x = t64(np.random.default_rng(d).standard_normal((2 if d < 3 else 1, 4) + (5,) * d), True)
    np.testing.assert_allclose(layer(x).data, ref_conv(x.data, layer.weight.data, layer.bias.data,
                                                       stride=2, padding=1, groups=2), atol=1e-10)
    assert tl.gradcheck(lambda x_, *params: layer(x_), [x, *layer.parameters()])


def test_layer_without_bias():
    conv = nn.Conv1D(2, 3, 2, bias=False)
    assert conv.bias is None and [n for n, _ in conv.named_parameters()] == ["weight"]
    assert "bias" not in conv.state_dict()
    y = conv(tl.ones(1, 2, 4))
    np.testing.assert_allclose(y.data, ref_conv(np.ones((1, 2, 4)), conv.weight.data), rtol=1e-5)


def test_default_initialisation_matches_pytorchs_bounds():
    tl.manual_seed(0)
    conv = nn.Conv2D(8, 32, 5, groups=2)
    fan_in = 4 * 25
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform_(a=sqrt(5)) and the bias rule agree
    for p in (conv.weight.data, conv.bias.data):
        assert p.dtype == np.float32
        assert np.abs(p).max() <= bound
        assert np.abs(p).max() > 0.9 * bound  # uniform over the whole range
    assert abs(conv.weight.data.std() - bound / math.sqrt(3)) < 0.05 * bound
    tl.manual_seed(0)
    np.testing.assert_array_equal(nn.Conv2D(8, 32, 5, groups=2).weight.data, conv.weight.data)


def test_reprs_and_aliases():
    assert repr(nn.Conv2D(1, 16, 5)) == "Conv2D(1, 16, kernel_size=(5, 5), stride=(1, 1))"
    assert repr(nn.Conv1D(4, 8, 3, stride=2, padding=1, dilation=2, groups=2)) == \
        "Conv1D(4, 8, kernel_size=(3,), stride=(2,), padding=(1,), dilation=(2,), groups=2)"
    assert repr(nn.Conv2D(1, 16, 4, padding="same", bias=False)) == \
        "Conv2D(1, 16, kernel_size=(4, 4), stride=(1, 1), padding=same, bias=False)"
    assert repr(nn.Conv3D(2, 4, (1, 2, 3), padding="valid")) == \
        "Conv3D(2, 4, kernel_size=(1, 2, 3), stride=(1, 1, 1), padding=valid)"
    assert nn.Conv1d is nn.Conv1D and nn.Conv2d is nn.Conv2D and nn.Conv3d is nn.Conv3D


def test_legacy_backward_returns_the_input_gradient():
    tl.set_default_dtype(np.float64)
    conv = nn.Conv2D(2, 3, 3, padding=1)
    x = np.random.default_rng(4).standard_normal((2, 2, 5, 5))
    out = conv.forward(t64(x, True))
    dout = np.random.default_rng(5).standard_normal(out.shape)
    dx = conv.backward(dout)
    xt = t64(x, True)
    w, b = t64(conv.weight.data, True), t64(conv.bias.data, True)
    F.conv2d(xt, w, b, padding=1).backward(dout)
    np.testing.assert_allclose(dx, xt.grad, atol=1e-12)
    np.testing.assert_allclose(conv.weight.grad, w.grad, atol=1e-12)
    np.testing.assert_allclose(conv.bias.grad, b.grad, atol=1e-12)


# -- bad inputs -----------------------------------------------------------------------------------

def test_channel_mismatch_names_the_layer_and_shape():
    conv = nn.Conv2D(3, 4, 3)
    with pytest.raises(ValueError, match=r"Conv2D\(3, 4, kernel_size=\(3, 3\).*3 channels.*\(1, 2, 8, 8\)"):
        conv(tl.zeros(1, 2, 8, 8))
    with pytest.raises(ValueError, match=r"conv2d: .*3 channels.*\(1, 2, 8, 8\)"):
        F.conv2d(tl.zeros(1, 2, 8, 8), tl.zeros(4, 3, 3, 3))
    with pytest.raises(ValueError, match=r"groups=2"):
        F.conv2d(tl.zeros(1, 2, 8, 8), tl.zeros(4, 2, 3, 3), groups=2)


def test_wrong_ndim():
    with pytest.raises(ValueError, match=r"Conv2D\(.*expected a 3-D or 4-D input \(C, H, W\) or \(N, C, H, W\), "
                                         r"got input of shape \(8, 8\)"):
        nn.Conv2D(3, 4, 3)(tl.zeros(8, 8))
    with pytest.raises(ValueError, match=r"conv1d: expected a 2-D or 3-D input"):
        F.conv1d(tl.zeros(1, 1, 1, 8), tl.zeros(1, 1, 3))
    with pytest.raises(ValueError, match=r"conv3d: weight must have 5 dims"):
        F.conv3d(tl.zeros(1, 1, 4, 4, 4), tl.zeros(1, 1, 3, 3))


def test_kernel_larger_than_padded_input():
    with pytest.raises(ValueError, match=r"Conv2D\(.*padded input size \(4, 4\).*\(1, 3, 2, 2\).*\(5, 5\)"):
        nn.Conv2D(3, 4, 5, padding=1)(tl.zeros(1, 3, 2, 2))
    with pytest.raises(ValueError, match=r"conv1d: .*dilated kernel size \(5,\)"):
        F.conv1d(tl.zeros(1, 1, 4), tl.zeros(1, 1, 3), dilation=2)
    assert F.conv1d(tl.zeros(1, 1, 5), tl.zeros(1, 1, 3), dilation=2).shape == (1, 1, 1)


def test_groups_must_divide_the_channels():
    with pytest.raises(ValueError, match=r"Conv2D: in_channels=3 and out_channels=4 must both be "
                                         r"divisible by groups=2"):
        nn.Conv2D(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match=r"divisible by groups=2"):
        nn.Conv2D(4, 3, 3, groups=2)
    with pytest.raises(ValueError, match=r"conv2d: out_channels 3 .* not divisible by groups=2"):
        F.conv2d(tl.zeros(1, 4, 5, 5), tl.zeros(3, 2, 3, 3), groups=2)
    with pytest.raises(ValueError, match=r"groups must be a positive int"):
        F.conv2d(tl.zeros(1, 4, 5, 5), tl.zeros(4, 4, 3, 3), groups=0)


def test_padding_strings_and_same_with_stride():
    with pytest.raises(ValueError, match=r"Conv2D: padding must be .*'valid' or 'same', got 'full'"):
        nn.Conv2D(1, 1, 3, padding="full")
    with pytest.raises(ValueError, match=r"conv2d: padding must be"):
        F.conv2d(tl.zeros(1, 1, 5, 5), tl.zeros(1, 1, 3, 3), padding="SAME")
    with pytest.raises(ValueError, match=r"Conv2D: padding='same' needs stride 1, got stride=\(2, 2\)"):
        nn.Conv2D(1, 1, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"conv1d: padding='same' needs stride 1"):
        F.conv1d(tl.zeros(1, 1, 5), tl.zeros(1, 1, 3), stride=2, padding="same")
    with pytest.raises(ValueError, match=r"padding must be non-negative"):
        F.conv1d(tl.zeros(1, 1, 5), tl.zeros(1, 1, 3), padding=-1)


@pytest.mark.parametrize("kwargs,error", [
    (dict(kernel_size=2.5), TypeError),
    (dict(kernel_size=0), ValueError),
    (dict(kernel_size=(3, 3, 3)), TypeError),
    (dict(kernel_size=3, stride=0), ValueError),
    (dict(kernel_size=3, stride=1.0), TypeError),
    (dict(kernel_size=3, dilation=-1), ValueError),
    (dict(kernel_size=3, dilation=True), TypeError),
])
def test_bad_hyper_parameters(kwargs, error):
    with pytest.raises(error, match=r"Conv2D: (kernel_size|stride|dilation) must be"):
        nn.Conv2D(2, 2, **kwargs)


def test_bad_channel_counts_and_dtypes():
    with pytest.raises(ValueError, match=r"Conv1D: in_channels must be a non-negative int"):
        nn.Conv1D(-1, 2, 3)                  # 0 builds, as in PyTorch (tests/nn/test_zero_size_layers.py)
    with pytest.raises(TypeError, match=r"out_channels must be a non-negative int"):
        nn.Conv1D(2, 2.0, 3)
    with pytest.raises(TypeError, match=r"Conv1D\(2, 2.*float64"):
        nn.Conv1D(2, 2, 3)(np.zeros((1, 2, 5)))
    with pytest.raises(TypeError, match=r"conv1d: operands have different floating dtypes"):
        F.conv1d(np.zeros((1, 2, 5)), tl.zeros(2, 2, 3))
    with pytest.raises(ValueError, match=r"conv1d: bias must have shape \(2,\)"):
        F.conv1d(tl.zeros(1, 2, 5), tl.zeros(2, 2, 3), tl.zeros(3))
