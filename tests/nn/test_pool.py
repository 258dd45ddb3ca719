"""Pooling: ``max_pool*`` / ``avg_pool*`` and ``MaxPool*`` / ``AvgPool*`` against a naive loop
reference (padding, stride != kernel, dilation, ceil_mode, count_include_pad, 1D/2D/3D),
gradients against finite differences, the max-pool tie rule, reprs and bad inputs."""
import itertools

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn
from tensorlite.ops.pool import pool_output_size

MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def t64(a, requires_grad=False):
    return tl.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def as_tuple(v, d):
    return tuple(v) if isinstance(v, tuple) else (v,) * d


# -- the reference: one loop over output positions -----------------------------------------------

def ref_out_len(n, k, s, p, dl, ceil):
    span = n + 2 * p - dl * (k - 1) - 1
    out = (-(-span // s) if ceil else span // s) + 1
    if ceil and (out - 1) * s >= n + p:  # the last window starts inside the input or left padding
        out -= 1
    return out


def ref_pool(kind, x, kernel, stride=None, padding=0, dilation=1, ceil_mode=False, count_include_pad=True):
    """Returns the output and, for max, the input index (per window) that receives the gradient."""
    x = np.asarray(x, dtype=np.float64)
    d = len(kernel)
    stride = kernel if stride is None else as_tuple(stride, d)
    padding, dilation = as_tuple(padding, d), as_tuple(dilation, d)
    size = x.shape[-d:]
    out_size = [ref_out_len(n, k, s, p, dl, ceil_mode)
                for n, k, s, p, dl in zip(size, kernel, stride, padding, dilation)]
    out = np.zeros(x.shape[:-d] + tuple(out_size))
    grad = np.zeros_like(x)  # gradient of out.sum()
    for lead in np.ndindex(*x.shape[:-d]):
        for pos in np.ndindex(*out_size):
            starts = [q * s - p for q, s, p in zip(pos, stride, padding)]
            best, best_idx, total, inside = -np.inf, None, 0.0, []
            for off in np.ndindex(*kernel):
                idx = tuple(st + o * dl for st, o, dl in zip(starts, off, dilation))
                if all(0 <= i < n for i, n in zip(idx, size)):
                    v = x[lead + idx]
                    inside.append(lead + idx)
                    total += v
                    if v > best:  # strict: the first maximum in scan order wins
                        best, best_idx = v, lead + idx
            if kind == "max":
                out[lead + pos] = best
                grad[best_idx] += 1
            else:
                if count_include_pad:  # window clipped at the end of the right padding
                    count = np.prod([min(st + k, n + p) - st for st, k, n, p in zip(starts, kernel, size, padding)])
                else:
                    count = len(inside)
                out[lead + pos] = total / count
                for i in inside:
                    grad[i] += 1 / count
    return out, grad


# (dims, input size, kernel, stride, padding, dilation, ceil_mode, batched)
CASES = [
    (1, (8,), (2,), None, 0, 1, False, True),     # stride == kernel, tiles the input: reshape path
    (1, (9,), (3,), 2, 1, 1, False, True),
    (1, (10,), (3,), 2, 1, 2, True, False),
    (1, (5,), (3,), 3, 1, 1, True, True),         # ceil would add a window starting in the padding
    (2, (6, 6), (2, 2), None, 0, 1, False, True),  # reshape path
    (2, (7, 5), (2, 2), None, 0, 1, False, True),  # stride == kernel, the last row/column unused
    (2, (7, 5), (2, 2), None, 0, 1, True, True),   # ceil_mode: partial windows at the end
    (2, (7, 8), (3, 2), (2, 1), (1, 1), 1, False, True),
    (2, (8, 7), (3, 3), 2, 1, (1, 2), True, False),
    (2, (6, 6), (3, 3), 1, 0, 2, False, True),
    (3, (4, 4, 4), (2, 2, 2), None, 0, 1, False, True),
    (3, (5, 4, 6), (3, 2, 2), (2, 1, 2), (1, 1, 0), 1, True, True),
    (3, (4, 5, 4), (2, 3, 2), 1, (1, 1, 1), (2, 1, 1), False, False),
]


def case_args(case):
    d, size, kernel, stride, padding, dilation, ceil, batched = case
    x = np.random.default_rng(len(size) + sum(size)).permutation(
        np.prod(((2, 3) if batched else (3,)) + size)).reshape(((2, 3) if batched else (3,)) + size)
    return d, x.astype(np.float64) / 10, kernel, stride, padding, dilation, ceil  # distinct values


@pytest.mark.parametrize("case", CASES)
def test_max_pool_values_and_gradient(case):
    d, x, kernel, stride, padding, dilation, ceil = case_args(case)
    ref, ref_grad = ref_pool("max", x, kernel, stride, padding, dilation, ceil)
    xt = t64(x, True)
    y = MAX[d](xt, kernel, stride, padding, dilation, ceil)
    assert y.shape == ref.shape
    np.testing.assert_array_equal(y.data, ref)
    y.sum().backward()
    np.testing.assert_array_equal(xt.grad, ref_grad)
    assert tl.gradcheck(lambda t: MAX[d](t, kernel, stride, padding, dilation, ceil), [t64(x, True)])


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("case", [c for c in CASES if c[5] == 1])
def test_avg_pool_values_and_gradient(case, count_include_pad):
    d, x, kernel, stride, padding, _, ceil = case_args(case)
    ref, ref_grad = ref_pool("avg", x, kernel, stride, padding, 1, ceil, count_include_pad)
    xt = t64(x, True)
    y = AVG[d](xt, kernel, stride, padding, ceil, count_include_pad)
    assert y.shape == ref.shape
    np.testing.assert_allclose(y.data, ref, rtol=1e-12)
    y.sum().backward()
    np.testing.assert_allclose(xt.grad, ref_grad, rtol=1e-12)
    assert tl.gradcheck(lambda t: AVG[d](t, kernel, stride, padding, ceil, count_include_pad),
                        [t64(x, True)])


def test_count_include_pad_divisors():
    x = t64(np.ones((1, 1, 4)))
    # windows [pad, x0, x1], [x1, x2, x3], [x3, pad(, beyond the padding)]
    np.testing.assert_allclose(F.avg_pool1d(x, 3, 2, 1, ceil_mode=True).data, [[[2 / 3, 1, 1 / 2]]])
    np.testing.assert_allclose(F.avg_pool1d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False).data,
                               [[[1, 1, 1]]])


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    x = t64(np.array([[[[1.0, 3.0, 3.0, 3.0],
                        [3.0, 3.0, 2.0, 2.0],
                        [5.0, 5.0, 5.0, 5.0],
                        [5.0, 5.0, 5.0, 5.0]]]]), True)
    F.max_pool2d(x, 2).sum().backward()  # reshape path (expected values printed by PyTorch)
    np.testing.assert_array_equal(x.grad[0, 0], [[0, 1, 1, 0],
                                                 [0, 0, 0, 0],
                                                 [1, 0, 1, 0],
                                                 [0, 0, 0, 0]])
    x.grad = None
    F.max_pool2d(x, 2, stride=1).sum().backward()  # overlapping windows: each adds its own
    np.testing.assert_array_equal(x.grad[0, 0], [[0, 2, 1, 0],
                                                 [0, 0, 0, 0],
                                                 [2, 2, 2, 0],
                                                 [0, 0, 0, 0]])
    y = t64([[[2.0, 2.0, 2.0]]], True)
    F.max_pool1d(y, 3, stride=1, padding=1).sum().backward()  # windows [-inf 2 2] [2 2 2] [2 2 -inf]
    np.testing.assert_array_equal(y.grad, [[[2, 1, 0]]])


def test_max_pool_propagates_nan_and_pads_with_minus_infinity():
    x = t64([[[1.0, np.nan, 0.5, 2.0]]])
    np.testing.assert_array_equal(F.max_pool1d(x, 2).data, [[[np.nan, 2.0]]])
    neg = t64([[[-5.0, -6.0, -7.0]]])
    np.testing.assert_array_equal(F.max_pool1d(neg, 2, stride=2, padding=1).data, [[[-5.0, -6.0]]])


@pytest.mark.parametrize("n,k,s,p,dl,floor_len,ceil_len", [
    (5, 2, 2, 0, 1, 2, 3), (6, 3, 2, 1, 1, 3, 4), (7, 3, 3, 1, 1, 3, 3), (10, 4, 3, 2, 1, 4, 4),
    (8, 2, 3, 1, 2, 3, 3), (9, 3, 2, 0, 2, 3, 3), (4, 3, 2, 1, 1, 2, 3), (5, 3, 3, 1, 1, 2, 2),
])
def test_output_size_rule_matches_pytorch(n, k, s, p, dl, floor_len, ceil_len):
    assert pool_output_size(n, k, s, p, dl, False) == floor_len  # values printed by PyTorch 2.13
    assert pool_output_size(n, k, s, p, dl, True) == ceil_len
    assert F.max_pool1d(tl.zeros(1, 1, n), k, s, p, dl, True).shape == (1, 1, ceil_len)


def test_fast_path_reads_the_input_without_copying_it():
    x = np.random.default_rng(0).standard_normal((2, 3, 6, 8)).astype(np.float32)
    xt = tl.tensor(x, requires_grad=True)
    for pool in (F.max_pool2d, F.avg_pool2d):
        y = pool(xt, 2)
        expected = x.reshape(2, 3, 3, 2, 4, 2)
        expected = expected.max(axis=(3, 5)) if pool is F.max_pool2d else expected.mean(axis=(3, 5))
        np.testing.assert_allclose(y.data, expected, rtol=1e-6)
        assert y.dtype == np.float32
        y.sum().backward()
        assert xt.grad.dtype == np.float32 and xt.grad.shape == x.shape
        xt.grad = None


def test_unbatched_input():
    x = np.random.default_rng(1).standard_normal((3, 7, 7))
    for pool in (F.max_pool2d, F.avg_pool2d):
        np.testing.assert_allclose(pool(t64(x), 3, 2, 1).data, pool(t64(x[None]), 3, 2, 1).data[0])


# -- layers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("d", [1, 2, 3])
def test_layers(d):
    shape = (2, 3) + (5,) * d if d < 3 else (1, 2, 4, 5, 4)
    x = np.random.default_rng(d).permutation(np.prod(shape)).reshape(shape) / 7.0
    mp = {1: nn.MaxPool1D, 2: nn.MaxPool2D, 3: nn.MaxPool3D}[d](3, stride=2, padding=1, ceil_mode=True)
    ap = {1: nn.AvgPool1D, 2: nn.AvgPool2D, 3: nn.AvgPool3D}[d](3, stride=2, padding=1, count_include_pad=False)
    np.testing.assert_allclose(mp(t64(x)).data, ref_pool("max", x, (3,) * d, 2, 1, 1, True)[0])
    np.testing.assert_allclose(ap(t64(x)).data, ref_pool("avg", x, (3,) * d, 2, 1, 1, False, False)[0])
    for layer in (mp, ap):
        assert list(layer.parameters()) == []
        xt = t64(x, True)
        assert tl.gradcheck(layer, [xt])
        expected = tl.grad(layer(xt), [xt], grad_outputs=[np.ones(layer(xt).shape)])[0]
        out = layer.forward(xt)
        np.testing.assert_allclose(layer.backward(np.ones(out.shape)), expected)


def test_reprs_and_aliases():
    assert repr(nn.MaxPool2D(2)) == "MaxPool2D(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool1D(3, 1, 1)) == "MaxPool1D(kernel_size=3, stride=1, padding=1, dilation=1, ceil_mode=False)"
    assert repr(nn.MaxPool3D((2, 2, 2))) == \
        "MaxPool3D(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2D(2)) == "AvgPool2D(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.AvgPool1D(3, 1, 1)) == "AvgPool1D(kernel_size=(3,), stride=(1,), padding=(1,))"
    assert repr(nn.AvgPool3D(2, ceil_mode=True)) == "AvgPool3D(kernel_size=2, stride=2, padding=0)"
    for a, b in itertools.product(("Max", "Avg"), "123"):
        assert getattr(nn, f"{a}Pool{b}d") is getattr(nn, f"{a}Pool{b}D")


# -- bad inputs -----------------------------------------------------------------------------------

def test_output_too_small():
    with pytest.raises(ValueError, match=r"MaxPool2D\(kernel_size=3.*\(1, 1, 2, 2\) is too small.*\(0, 0\)"):
        nn.MaxPool2D(3)(tl.zeros(1, 1, 2, 2))
    with pytest.raises(ValueError, match=r"avg_pool1d: input of shape \(1, 1, 2\) is too small"):
        F.avg_pool1d(tl.zeros(1, 1, 2), 3)
    with pytest.raises(ValueError, match=r"max_pool1d: .*too small"):
        F.max_pool1d(tl.zeros(1, 1, 4), 2, dilation=4)


def test_padding_at_most_half_the_kernel():
    with pytest.raises(ValueError, match=r"max_pool2d: padding \(2, 2\) must be at most half the kernel size \(3, 3\)"):
        F.max_pool2d(tl.zeros(1, 1, 8, 8), 3, padding=2)
    with pytest.raises(ValueError, match=r"AvgPool1D\(.*padding \(2,\) must be at most half"):
        nn.AvgPool1D(3, padding=2)(tl.zeros(1, 1, 8))
    assert F.max_pool1d(tl.zeros(1, 1, 8), 2, padding=1).shape == (1, 1, 5)


def test_wrong_ndim():
    with pytest.raises(ValueError, match=r"MaxPool2D\(.*expected a 3-D or 4-D input \(C, H, W\) or "
                                         r"\(N, C, H, W\), got input of shape \(8, 8\)"):
        nn.MaxPool2D(2)(tl.zeros(8, 8))
    with pytest.raises(ValueError, match=r"avg_pool3d: expected a 4-D or 5-D input"):
        F.avg_pool3d(tl.zeros(1, 1, 1, 4, 4, 4), 2)


@pytest.mark.parametrize("args,error", [
    (dict(kernel_size=2.0), TypeError),
    (dict(kernel_size=0), ValueError),
    (dict(kernel_size=2, stride=0), ValueError),
    (dict(kernel_size=2, stride=(1, 1, 1)), TypeError),
    (dict(kernel_size=2, padding=-1), ValueError),
    (dict(kernel_size=2, dilation=0), ValueError),
])
def test_bad_hyper_parameters(args, error):
    with pytest.raises(error, match=r"MaxPool2D: (kernel_size|stride|padding|dilation) must be"):
        nn.MaxPool2D(**args)
    with pytest.raises(error, match=r"max_pool2d: "):
        F.max_pool2d(tl.zeros(1, 1, 4, 4), **args)
