"""The fast paths of the performance work: the fused LSTM layer op, convolution's channels-last
output and both im2col layouts, and max pooling's offset index (ties, NaN, memory layouts).

Each is checked against finite differences (float64 gradcheck) and against the same maths written
with primitive ops or plain NumPy."""
import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite.nn.rnn import _lstm_step
from tensorlite.ops.recurrent import lstm_layer


def f64(rng, *shape, grad=True):
    return tl.tensor(rng.standard_normal(shape), dtype=np.float64, requires_grad=grad)


def channels_last(a):
    """The same values as ``a`` (N, C, *S), laid out in memory as (N, *S, C)."""
    return np.moveaxis(np.ascontiguousarray(np.moveaxis(a, 1, -1)), -1, 1)


# -- LSTM layer op -----------------------------------------------------------------------------

@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("steps", [1, 4])
def test_lstm_layer_gradcheck(reverse, bias, steps):
    rng = np.random.default_rng(steps)
    n, features, hidden = 3, 2, 2
    args = [f64(rng, steps, n, features), f64(rng, n, hidden), f64(rng, n, hidden),
            f64(rng, 4 * hidden, features), f64(rng, 4 * hidden, hidden)]
    if bias:
        args += [f64(rng, 4 * hidden), f64(rng, 4 * hidden)]
    assert tl.gradcheck(lambda *a: lstm_layer(*a, reverse=reverse), args)


def lstm_composite(x, h0, c0, w_ih, w_hh, b_ih, b_hh, reverse):
    """The same layer from primitive ops, one step at a time (the path LSTMCell takes)."""
    steps = x.shape[0]
    state, hs = (h0, c0), [None] * steps
    for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
        state = _lstm_step(x[t] @ w_ih.T + b_ih + b_hh, state, w_hh.T, None)
        hs[t] = state[0]
    return tl.stack(hs), state[1]


# the steps whose hidden state gets an upstream gradient: all, most (transposed at once), or a few
# (the others skipped: a model reading only h_n gives the last step alone)
@pytest.mark.parametrize("live", [(0, 1, 2, 3, 4), (0, 1, 3, 4), (4,), (0, 2), ()], ids=str)
@pytest.mark.parametrize("reverse", [False, True])
def test_lstm_layer_matches_the_step_by_step_composite(reverse, live):
    rng = np.random.default_rng(1)
    steps, n, features, hidden = 5, 4, 3, 6
    inputs = [f64(rng, steps, n, features), f64(rng, n, hidden), f64(rng, n, hidden),
              f64(rng, 4 * hidden, features), f64(rng, 4 * hidden, hidden), f64(rng, 4 * hidden),
              f64(rng, 4 * hidden)]
    upstream_h = rng.standard_normal((steps, n, hidden))
    upstream_h[[t for t in range(steps) if t not in live]] = 0.0
    upstream_c = rng.standard_normal((n, hidden))

    out = lstm_layer(*inputs, reverse=reverse)
    (out[:steps] * upstream_h).sum().add((out[steps] * upstream_c).sum()).backward()
    fused = [out.data] + [t.grad.copy() for t in inputs]
    for t in inputs:
        t.grad = None
    hs, c_n = lstm_composite(*inputs, reverse)
    ((hs * upstream_h).sum() + (c_n * upstream_c).sum()).backward()
    composite = [np.concatenate([hs.data, c_n.data[None]])] + [t.grad for t in inputs]
    for a, b in zip(fused, composite):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_lstm_layer_in_float32_stays_float32_and_skips_unneeded_gradients():
    rng = np.random.default_rng(2)
    x = tl.tensor(rng.standard_normal((3, 2, 4)).astype(np.float32))  # no gradient asked
    zeros = tl.zeros(2, 5)
    w_ih = tl.tensor(rng.standard_normal((20, 4)).astype(np.float32), requires_grad=True)
    w_hh = tl.tensor(rng.standard_normal((20, 5)).astype(np.float32), requires_grad=True)
    out = lstm_layer(x, zeros, zeros, w_ih, w_hh)
    assert out.dtype == np.float32 and out.shape == (4, 2, 5)
    out.sum().backward()
    assert w_ih.grad.dtype == np.float32 and w_hh.grad.dtype == np.float32
    assert x.grad is None and zeros.grad is None


def test_lstm_layer_forward_without_grad_equals_forward_with_grad():
    rng = np.random.default_rng(3)
    args = [tl.tensor(rng.standard_normal(s).astype(np.float32)) for s in [(6, 3, 2), (3, 4), (3, 4), (16, 2), (16, 4)]]
    with tl.no_grad():
        plain = lstm_layer(*args).data
    args[3].requires_grad_()
    np.testing.assert_array_equal(lstm_layer(*args).data, plain)


def test_lstm_layer_backward_twice_with_retain_graph():
    rng = np.random.default_rng(4)
    w = f64(rng, 8, 2)
    out = lstm_layer(f64(rng, 3, 1, 2, grad=False), tl.zeros(1, 2, dtype=np.float64),
                     tl.zeros(1, 2, dtype=np.float64), w, f64(rng, 8, 2))
    out.sum().backward(retain_graph=True)
    first = w.grad.copy()
    out.sum().backward()
    np.testing.assert_allclose(w.grad, 2 * first)


def test_lstm_layer_backward_leaves_its_incoming_gradient_alone():
    # one sample: (1, H).T is contiguous, so a gradient taken as is would be updated in place,
    # and the other addend of out + p, which gets the same array, would see the change
    rng = np.random.default_rng(5)
    args = [f64(rng, 3, 1, 2), f64(rng, 1, 4), f64(rng, 1, 4), f64(rng, 16, 2), f64(rng, 16, 4)]
    p = f64(rng, 4, 1, 4)
    g = rng.standard_normal((4, 1, 4))
    (lstm_layer(*args) + p).backward(tl.tensor(g))
    np.testing.assert_array_equal(p.grad, g)


@pytest.mark.parametrize("bad, message", [
    (dict(x=(0, 2, 3)), r"x must have shape \(L, N, F\) with L >= 1"),
    (dict(w_hh=(8, 3)), r"w_hh must have shape \(4H, H\)"),
    (dict(h0=(2, 3)), r"h0 must have shape \(2, 2\)"),
    (dict(w_ih=(8, 4)), r"w_ih must have shape \(8, 3\)"),
])
def test_lstm_layer_names_a_wrong_shape(bad, message):
    shapes = dict(x=(4, 2, 3), h0=(2, 2), c0=(2, 2), w_ih=(8, 3), w_hh=(8, 2))
    shapes.update(bad)
    with pytest.raises(ValueError, match=message):
        lstm_layer(*(tl.zeros(*s) for s in shapes.values()))


def test_lstm_layer_wants_both_biases_or_none():
    with pytest.raises(ValueError, match="both biases"):
        lstm_layer(tl.zeros(2, 1, 3), tl.zeros(1, 2), tl.zeros(1, 2), tl.zeros(8, 3), tl.zeros(8, 2), tl.zeros(8))


# -- convolution -------------------------------------------------------------------------------

def conv2d_reference(x, w, b):
    """Direct loops over kernel offsets, NumPy only (valid padding, stride 1)."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    out = np.zeros((n, o, h - kh + 1, wd - kw + 1))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nchw,oc->nohw", x[:, :, i:i + out.shape[2], j:j + out.shape[3]], w[:, :, i, j])
    return out + b[:, None, None]


@pytest.mark.parametrize("channels", [1, 6])  # channel-major im2col (few channels) and channels-last
def test_conv2d_output_is_a_channels_last_view_with_the_right_values(channels):
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, channels, 9, 8))
    w, b = rng.standard_normal((4, channels, 3, 3)), rng.standard_normal(4)
    out = F.conv2d(tl.tensor(x, dtype=np.float64), tl.tensor(w, dtype=np.float64), tl.tensor(b, dtype=np.float64))
    assert out.shape == (3, 4, 7, 6)
    assert np.moveaxis(out.data, 1, -1).flags.c_contiguous  # (N, H, W, C) in memory
    np.testing.assert_allclose(out.data, conv2d_reference(x, w, b), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("channels, groups", [(1, 1), (2, 2), (6, 1), (6, 3)])
def test_conv2d_gradcheck_with_a_channels_last_input(channels, groups):
    rng = np.random.default_rng(6)
    x = tl.tensor(channels_last(rng.standard_normal((2, channels, 6, 5))), requires_grad=True)
    w, b = f64(rng, 6, channels // groups, 3, 2), f64(rng, 6)
    assert tl.gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=1, groups=groups), [x, w, b])


def test_two_convs_in_a_row_match_contiguous_inputs():
    """A conv reading another conv's channels-last output gives what it gives on a C-order copy."""
    rng = np.random.default_rng(7)
    w1, w2 = f64(rng, 5, 2, 3, 3), f64(rng, 3, 5, 3, 3)
    x = f64(rng, 2, 2, 8, 8, grad=False)
    mid = F.conv2d(x, w1)
    out = F.conv2d(mid, w2)
    out.sum().backward()
    chained = (out.data, w1.grad.copy(), w2.grad.copy())
    w1.grad = w2.grad = None
    mid = F.conv2d(x, w1)
    mid_c = tl.tensor(np.ascontiguousarray(mid.data), requires_grad=True)  # C order
    out_c = F.conv2d(mid_c, w2)
    out_c.sum().backward()
    mid.backward(np.ascontiguousarray(mid_c.grad))
    np.testing.assert_allclose(chained[0], out_c.data, rtol=1e-12)
    np.testing.assert_allclose(chained[1], w1.grad, rtol=1e-12)
    np.testing.assert_allclose(chained[2], w2.grad, rtol=1e-12)


def test_conv_input_gradient_over_several_chunks_of_images(monkeypatch):
    """The input gradient is built a few images at a time: chunk sizes must not change it."""
    import tensorlite.ops.conv as conv
    rng = np.random.default_rng(8)
    x, w = f64(rng, 7, 4, 6, 6), f64(rng, 3, 4, 3, 3)
    F.conv2d(x, w).sum().backward()
    whole = x.grad.copy()
    x.grad = None
    monkeypatch.setattr(conv, "_GRAD_CHUNK", 1)  # one image per chunk
    F.conv2d(x, w).sum().backward()
    np.testing.assert_allclose(x.grad, whole, rtol=1e-12)


# -- max pooling -------------------------------------------------------------------------------

def max_pool_reference(x, k, s):
    """Output and input gradient (upstream all ones) by loops: the first maximum of a window in
    row-major order gets the gradient, a window holding NaN gives NaN and no gradient."""
    n, c, h, w = x.shape
    oh, ow = (h - k) // s + 1, (w - k) // s + 1
    out, grad = np.empty((n, c, oh, ow)), np.zeros_like(x)
    for idx in np.ndindex(n, c, oh, ow):
        window = x[idx[0], idx[1], idx[2] * s:idx[2] * s + k, idx[3] * s:idx[3] * s + k]
        if np.isnan(window).any():
            out[idx] = np.nan
            continue
        i, j = np.unravel_index(int(np.argmax(window)), window.shape)  # argmax: the first maximum
        out[idx] = window[i, j]
        grad[idx[0], idx[1], idx[2] * s + i, idx[3] * s + j] += 1
    return out, grad


@pytest.mark.parametrize("k, s", [(2, 2), (3, 3), (3, 2), (2, 1)])  # tiling, 9 offsets, overlapping
@pytest.mark.parametrize("layout", ["contiguous", "channels-last"])
def test_max_pool_with_ties_and_nan_matches_the_loops(k, s, layout):
    rng = np.random.default_rng(9)
    x = np.round(rng.standard_normal((2, 3, 7, 7)))  # many ties
    x[0, 1, 2, 3] = np.nan
    if layout == "channels-last":
        x = channels_last(x)
    t = tl.tensor(x, requires_grad=True)
    out = F.max_pool2d(t, k, s)
    out.backward(np.ones(out.shape))
    want_out, want_grad = max_pool_reference(np.asarray(x), k, s)
    np.testing.assert_array_equal(out.data, want_out)
    np.testing.assert_array_equal(t.grad, want_grad)


def test_max_pool_gradient_with_a_gradient_in_another_layout():
    rng = np.random.default_rng(10)
    x = tl.tensor(channels_last(rng.standard_normal((2, 4, 6, 6))), requires_grad=True)
    out = F.max_pool2d(x, 2)
    g = rng.standard_normal(out.shape)  # C order, while the pooling's index is channels last
    out.backward(g)
    _, ones_grad = max_pool_reference(x.data, 2, 2)
    np.testing.assert_allclose(x.grad, np.repeat(np.repeat(g, 2, axis=2), 2, axis=3) * ones_grad)


def test_max_pool_gradcheck_with_padding_on_a_channels_last_input():
    rng = np.random.default_rng(11)
    x = tl.tensor(channels_last(rng.standard_normal((2, 3, 5, 5))), requires_grad=True)
    assert tl.gradcheck(lambda t: F.max_pool2d(t, 3, 2, padding=1), [x])
