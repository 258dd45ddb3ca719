"""Transposed convolution against PyTorch: F.conv_transpose1d/2d/3d values and gradients in
float32 and float64 over several geometries, the layers' state_dict, init, repr and output_size,
and the errors for bad input."""
import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

torch = pytest.importorskip("torch")

CASES = [
    # (dims, input shape, C_out, kernel, stride, padding, output_padding, groups, dilation)
    (1, (2, 4, 7), 6, 3, 2, 1, 1, 2, 1),
    (1, (3, 5), 2, 4, 1, 0, 0, 1, 1),            # unbatched
    (1, (2, 2, 6), 4, 3, 3, 2, 2, 1, 2),
    (2, (2, 3, 5, 4), 4, (3, 2), (2, 1), (1, 0), (1, 0), 1, 1),
    (2, (2, 4, 4, 4), 4, 4, 2, 1, 0, 4, 1),      # depthwise, the usual x2 upsampler
    (2, (1, 6, 3, 5), 3, 2, 1, 0, 1, 3, 2),      # output_padding < dilation only
    (2, (4, 5, 5), 2, 3, 2, 2, 1, 1, (2, 1)),    # unbatched
    (3, (2, 2, 3, 4, 3), 4, 2, 2, 0, (1, 0, 1), 2, 1),
    (3, (1, 3, 3, 3, 2), 2, (2, 3, 1), 1, (1, 1, 0), 0, 1, (1, 2, 1)),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", CASES)
def test_functional_matches_pytorch(case, dtype):
    d, shape, c_out, kernel, stride, padding, output_padding, groups, dilation = case
    rng = np.random.default_rng(len(shape) * 7 + c_out)
    c_in = shape[-d - 1]
    k = kernel if isinstance(kernel, tuple) else (kernel,) * d
    x, w, b = (rng.standard_normal(s).astype(dtype) for s in (shape, (c_in, c_out // groups, *k), (c_out,)))
    kw = dict(stride=stride, padding=padding, output_padding=output_padding, groups=groups, dilation=dilation)
    xt, wt, bt = (tl.tensor(a, requires_grad=True) for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = getattr(F, f"conv_transpose{d}d")(xt, wt, bt, **kw)
    ty = getattr(torch.nn.functional, f"conv_transpose{d}d")(tx, tw, tb, **kw)
    assert y.shape == tuple(ty.shape) and y.dtype == dtype
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **tol)
    r = rng.standard_normal(y.shape).astype(dtype)
    (y * tl.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    for mine, theirs in [(xt, tx), (wt, tw), (bt, tb)]:
        assert mine.grad.dtype == dtype
        np.testing.assert_allclose(mine.grad, theirs.grad.numpy(), **tol)


@pytest.mark.parametrize("case", CASES[::2])
def test_gradcheck_float64(case):
    d, shape, c_out, kernel, stride, padding, output_padding, groups, dilation = case
    rng = np.random.default_rng(1)
    k = kernel if isinstance(kernel, tuple) else (kernel,) * d
    x, w, b = (tl.tensor(rng.standard_normal(s), requires_grad=True)
               for s in (shape, (shape[-d - 1], c_out // groups, *k), (c_out,)))
    fn = getattr(F, f"conv_transpose{d}d")
    assert tl.gradcheck(lambda x, w, b: fn(x, w, b, stride, padding, output_padding, groups, dilation), [x, w, b])


def test_only_some_inputs_need_gradients():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 3, 4, 4)), rng.standard_normal((3, 2, 3, 3))
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    torch.nn.functional.conv_transpose2d(tx, tw, stride=2).sum().backward()
    xt = tl.tensor(x, requires_grad=True)
    F.conv_transpose2d(xt, tl.tensor(w), stride=2).sum().backward()
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-10)
    wt = tl.tensor(w, requires_grad=True)
    F.conv_transpose2d(tl.tensor(x), wt, stride=2).sum().backward()
    np.testing.assert_allclose(wt.grad, tw.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("d, kwargs", [
    (1, dict(stride=2, padding=1, output_padding=1)),
    (2, dict(stride=(2, 1), padding=1, groups=2, bias=False)),
    (2, dict(stride=2, dilation=2, output_padding=1)),
    (3, dict(stride=2)),
])
def test_layers_match_pytorch(d, kwargs):
    torch.manual_seed(0)
    ref = getattr(torch.nn, f"ConvTranspose{d}d")(4, 6, 3, dtype=torch.float64, **kwargs)
    tl.set_default_dtype(np.float64)
    layer = getattr(nn, f"ConvTranspose{d}d")(4, 6, 3, **kwargs)
    assert repr(layer) == repr(ref)
    theirs = [(n, tuple(p.shape)) for n, p in ref.named_parameters()]
    assert [(n, p.shape) for n, p in layer.named_parameters()] == theirs
    layer.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 4, *(5, 4, 3)[:d]))
    tx, xt = torch.tensor(x, requires_grad=True), tl.tensor(x, requires_grad=True)
    ty, y = ref(tx), layer(xt)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    ty.sum().backward()
    y.sum().backward()
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, ref.weight.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_default_init_has_pytorchs_bounds():
    layer = nn.ConvTranspose2d(16, 8, 3, groups=2)
    fan_in = 4 * 9  # weight.shape[1] * kernel area, as PyTorch computes it
    assert layer.weight.shape == (16, 4, 3, 3)
    assert np.abs(layer.weight.data).max() <= 1 / np.sqrt(fan_in) + 1e-7
    assert np.abs(layer.weight.data).max() > 0.8 / np.sqrt(fan_in)
    assert np.abs(layer.bias.data).max() <= 1 / np.sqrt(fan_in) + 1e-7


def test_output_size_matches_pytorch():
    torch.manual_seed(0)
    ref = torch.nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1, dtype=torch.float64)
    tl.set_default_dtype(np.float64)
    layer = nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1)
    layer.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((1, 2, 4, 4))
    for size in [(10, 10), (11, 12), (1, 3, 12, 10)]:
        y = layer(tl.tensor(x), output_size=size)
        ty = ref(torch.tensor(x), output_size=size)
        np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match=r"ConvTranspose2d.*output_size \(13, 10\).*\[10, 12\]"):
        layer(tl.tensor(x), output_size=(13, 10))


def test_bad_input_is_refused_with_the_shapes():
    x, w = tl.ones(1, 4, 5, 5), tl.ones(4, 2, 3, 3)
    with pytest.raises(ValueError, match=r"conv_transpose2d: expected input with 4 channels.*\(1, 3, 5, 5\)"):
        F.conv_transpose2d(tl.ones(1, 3, 5, 5), w)
    with pytest.raises(ValueError, match="output_padding .* smaller than either stride"):
        F.conv_transpose2d(x, w, stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"conv_transpose2d: the output size \(-1, -1\)"):
        F.conv_transpose2d(tl.ones(1, 4, 1, 1), w, padding=2)
    with pytest.raises(ValueError, match="divisible by groups=3"):
        F.conv_transpose2d(x, w, groups=3)
    with pytest.raises(ValueError, match="bias must have shape"):
        F.conv_transpose2d(x, w, tl.ones(3))
    with pytest.raises(ValueError, match="weight must have 4 dims"):
        F.conv_transpose2d(x, tl.ones(4, 2, 3))
    with pytest.raises(ValueError, match=r"ConvTranspose1d\(4, 2.*expected input with 4 channels"):
        nn.ConvTranspose1d(4, 2, 3)(tl.ones(1, 5, 6))
    with pytest.raises(ValueError, match="ConvTranspose2d: in_channels=3 and out_channels=4 .* groups=2"):
        nn.ConvTranspose2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match="ConvTranspose2d: padding must be non-negative"):
        nn.ConvTranspose2d(3, 4, 3, padding=-1)
    with pytest.raises(TypeError, match="ConvTranspose2d.*input dtype float64"):
        nn.ConvTranspose2d(4, 2, 3)(tl.ones(1, 4, 5, 5, dtype=np.float64))
