"""Adaptive pooling, max pooling with indices and max unpooling against PyTorch: values, indices
and gradients in float32 and float64, the layers, and the errors for bad input."""
import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _compare(fn, tfn, x, dtype, with_indices=False):
    rng = np.random.default_rng(0)
    x = x.astype(dtype)
    xt, tx = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = fn(xt), tfn(tx)
    if with_indices:
        (y, i), (ty, ti) = y, ty
        assert i.dtype == np.int64
        np.testing.assert_array_equal(i.data, ti.numpy())
    assert y.shape == tuple(ty.shape) and y.dtype == dtype
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **tol)
    r = rng.standard_normal(y.shape).astype(dtype)
    (y * tl.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), **tol)


ADAPTIVE = [(1, (2, 3, 7), 3), (1, (3, 5), 4), (1, (2, 3, 10), 1), (1, (2, 3, 4), 6),
            (2, (2, 3, 7, 5), (3, 2)), (2, (3, 5, 6), 4), (2, (2, 1, 9, 9), (1, None)), (2, (1, 2, 3, 4), (5, 7)),
            (3, (2, 2, 5, 4, 3), (2, 3, None)), (3, (1, 6, 5, 4), 2)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("d, shape, out", ADAPTIVE)
def test_adaptive_pooling_matches_pytorch(d, shape, out, dtype):
    x = np.random.default_rng(d).standard_normal(shape)
    _compare(lambda t: getattr(F, f"adaptive_avg_pool{d}d")(t, out),
             lambda t: getattr(TF, f"adaptive_avg_pool{d}d")(t, out), x, dtype)
    if d < 3:
        _compare(lambda t: getattr(F, f"adaptive_max_pool{d}d")(t, out, return_indices=True),
                 lambda t: getattr(TF, f"adaptive_max_pool{d}d")(t, out, return_indices=True), x, dtype, True)
        _compare(lambda t: getattr(F, f"adaptive_max_pool{d}d")(t, out),
                 lambda t: getattr(TF, f"adaptive_max_pool{d}d")(t, out), x, dtype)


POOLS = [(2, (2, 3, 8, 8), dict(kernel_size=2)), (2, (2, 3, 9, 7), dict(kernel_size=3, stride=2, padding=1)),
         (2, (1, 2, 9, 9), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=2)),
         (2, (3, 7, 7), dict(kernel_size=3, stride=2, ceil_mode=True)),
         (1, (2, 3, 9), dict(kernel_size=3, stride=2, padding=1)), (1, (4, 8), dict(kernel_size=2))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("d, shape, kw", POOLS)
def test_max_pool_indices_and_unpool_match_pytorch(d, shape, kw, dtype):
    x = np.random.default_rng(1).standard_normal(shape)
    _compare(lambda t: getattr(F, f"max_pool{d}d")(t, return_indices=True, **kw),
             lambda t: getattr(TF, f"max_pool{d}d")(t, return_indices=True, **kw), x, dtype, True)
    if "dilation" in kw:  # PyTorch's unpooling ignores dilation: its default size is too small
        return
    unpool_kw = {k: kw[k] for k in ("kernel_size", "stride", "padding") if k in kw}

    def ours(t):
        v, i = getattr(F, f"max_pool{d}d")(t, return_indices=True, **kw)
        return getattr(F, f"max_unpool{d}d")(v, i, output_size=shape[-d:], **unpool_kw)

    def theirs(t):
        v, i = getattr(TF, f"max_pool{d}d")(t, return_indices=True, **kw)
        return getattr(TF, f"max_unpool{d}d")(v, i, output_size=shape[-d:], **unpool_kw)
    _compare(ours, theirs, x, dtype)


def test_gradcheck():
    rng = np.random.default_rng(2)
    x = tl.tensor(rng.standard_normal((2, 2, 7, 5)), requires_grad=True)
    assert tl.gradcheck(lambda t: F.adaptive_avg_pool2d(t, (3, 2)), [x])
    assert tl.gradcheck(lambda t: F.adaptive_max_pool2d(t, (3, 4)), [x])
    assert tl.gradcheck(lambda t: F.max_pool2d(t, 3, 2, 1, return_indices=True)[0], [x])
    i = F.max_pool2d(x, 2, return_indices=True)[1]
    v = tl.tensor(rng.standard_normal(i.shape), requires_grad=True)
    assert tl.gradcheck(lambda t: F.max_unpool2d(t, i, 2, output_size=(7, 5)), [v])


def test_layers_match_pytorch():
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 6))
    for name, args in [("AdaptiveAvgPool2d", ((2, 3),)), ("AdaptiveAvgPool2d", (1,)),
                       ("AdaptiveMaxPool2d", ((3, None),)), ("AdaptiveAvgPool3d", (2,))]:
        ref, layer = getattr(torch.nn, name)(*args), getattr(nn, name)(*args)
        assert repr(layer) == repr(ref)
        np.testing.assert_allclose(layer(tl.tensor(x)).data, ref(torch.tensor(x)).numpy(), rtol=1e-12)
    y = np.random.default_rng(4).standard_normal((2, 3, 8))
    for name, args in [("AdaptiveAvgPool1d", (3,)), ("AdaptiveMaxPool1d", (5,))]:
        ref, layer = getattr(torch.nn, name)(*args), getattr(nn, name)(*args)
        assert repr(layer) == repr(ref)
        np.testing.assert_allclose(layer(tl.tensor(y)).data, ref(torch.tensor(y)).numpy(), rtol=1e-12)
    pool, unpool = nn.MaxPool2d(2, return_indices=True), nn.MaxUnpool2d(2)
    tpool, tunpool = torch.nn.MaxPool2d(2, return_indices=True), torch.nn.MaxUnpool2d(2)
    assert repr(unpool) == repr(tunpool) and repr(pool) == repr(tpool).replace("MaxPool2d", "MaxPool2D")
    v, i = pool(tl.tensor(x))
    tv, ti = tpool(torch.tensor(x))
    np.testing.assert_array_equal(i.data, ti.numpy())
    np.testing.assert_array_equal(unpool(v, i, output_size=x.shape).data,
                                  tunpool(tv, ti, output_size=x.shape).numpy())
    v1, i1 = nn.MaxPool1d(3, 2, return_indices=True)(tl.tensor(y))
    tv1, ti1 = torch.nn.MaxPool1d(3, 2, return_indices=True)(torch.tensor(y))
    np.testing.assert_array_equal(nn.MaxUnpool1d(3, 2)(v1, i1).data, torch.nn.MaxUnpool1d(3, 2)(tv1, ti1).numpy())


def test_bad_input_is_refused():
    x = tl.ones(1, 2, 5, 5)
    with pytest.raises(ValueError, match=r"adaptive_avg_pool2d: output_size must be positive, got \(-1, 2\)"):
        F.adaptive_avg_pool2d(x, (-1, 2))
    with pytest.raises(ValueError, match=r"adaptive_max_pool2d: expected a 3-D or 4-D .* shape \(5, 5\)"):
        F.adaptive_max_pool2d(tl.ones(5, 5), 2)
    with pytest.raises(ValueError, match="AdaptiveAvgPool2d: output_size must be positive"):
        nn.AdaptiveAvgPool2d(0)
    with pytest.raises(ValueError, match="AdaptiveAvgPool2d: output_size must be an int or a tuple of 2 ints"):
        nn.AdaptiveAvgPool2d((1, 2, 3))
    v, i = F.max_pool2d(x, 2, return_indices=True)
    with pytest.raises(ValueError, match=r"max_unpool2d: output_size \(7, 5\) must lie strictly between"):
        F.max_unpool2d(v, i, 2, output_size=(7, 5))
    with pytest.raises(ValueError, match=r"indices of shape \(1, 2, 1, 2\) must have the input's shape \(1, 2, 2, 2\)"):
        F.max_unpool2d(v, i[..., :1, :], 2)
    with pytest.raises(TypeError, match="max_unpool2d: indices must be an integer tensor"):
        F.max_unpool2d(v, i.data.astype(np.float32), 2)
    with pytest.raises(IndexError, match=r"max_unpool2d: indices must lie in \[0, 4\)"):
        F.max_unpool2d(v, i + 20, 1, stride=1)
    with pytest.raises(ValueError, match="max_pool2d: padding .* at most half the kernel size"):
        F.max_pool2d(x, 2, padding=2, return_indices=True)
