"""F.pad in every mode (negative widths included), the padding layers and pixel (un)shuffle,
against PyTorch: values and gradients in float32 and float64, and the errors for bad input."""
import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

torch = pytest.importorskip("torch")

MODES = ["constant", "reflect", "replicate", "circular"]
PADS = [
    ((2, 3, 5), (2, 1)),
    ((3, 5), (-1, 3)),
    ((3, 5), (-2, 3)),
    ((2, 2, 4, 5), (1, 2, 3, -1)),
    ((2, 4, 5), (3, 3, -1, -2)),
    ((1, 2, 3, 4, 5), (1, 2, 2, 1, 0, 2)),
    ((2, 3, 3, 4, 5), (-1, 1, 1, 1, 2, 2)),
    ((2, 3, 4), (0, 0)),
]


def _compare(fn, tfn, x, dtype, rng):
    xt, tx = tl.tensor(x.astype(dtype), requires_grad=True), torch.tensor(x.astype(dtype), requires_grad=True)
    y, ty = fn(xt), tfn(tx)
    assert y.shape == tuple(ty.shape) and y.dtype == dtype
    np.testing.assert_array_equal(y.data, ty.detach().numpy())
    r = rng.standard_normal(y.shape).astype(dtype)
    (y * tl.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("shape, pad", PADS)
def test_pad_matches_pytorch(shape, pad, mode, dtype):
    rng = np.random.default_rng(len(shape) + sum(pad))
    x = rng.standard_normal(shape)
    try:
        torch.nn.functional.pad(torch.tensor(x), pad, mode=mode)
    except (RuntimeError, NotImplementedError, ValueError):
        with pytest.raises(ValueError, match="pad: "):
            F.pad(x, pad, mode=mode)
        return
    _compare(lambda t: F.pad(t, pad, mode=mode), lambda t: torch.nn.functional.pad(t, pad, mode=mode), x, dtype, rng)


def test_constant_value_and_gradcheck():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4))
    np.testing.assert_array_equal(F.pad(x, (1, -1, 2, 0), value=2.5).data,
                                  torch.nn.functional.pad(torch.tensor(x), (1, -1, 2, 0), value=2.5).numpy())
    for mode in MODES:
        t = tl.tensor(rng.standard_normal((2, 3, 4)), requires_grad=True)
        assert tl.gradcheck(lambda a, m=mode: F.pad(a, (2, -1, 1, 2), mode=m), [t])


LAYERS = [
    ("ReflectionPad1d", (2,), (2, 3, 5)), ("ReflectionPad2d", ((1, 2, 0, 3),), (3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 3, 3)), ("ReplicationPad1d", ((3, -1),), (2, 4)),
    ("ReplicationPad2d", (2,), (1, 2, 3, 4)), ("ReplicationPad3d", ((1, 0, 2, 1, 0, 1),), (1, 2, 2, 3, 4)),
    ("CircularPad1d", (2,), (2, 3, 4)), ("CircularPad2d", ((1, 1, 2, 0),), (1, 2, 3, 4)),
    ("CircularPad3d", (1,), (1, 1, 2, 3, 4)), ("ZeroPad1d", ((1, -2),), (2, 5)),
    ("ZeroPad2d", ((1, 1, 2, 0),), (1, 2, 3, 4)), ("ZeroPad3d", (1,), (1, 2, 2, 2)),
    ("ConstantPad1d", (2, 3.5), (2, 4)), ("ConstantPad2d", ((1, 0, 2, 3), -1), (1, 2, 3, 4)),
    ("ConstantPad3d", (1, 0.5), (1, 2, 2, 2)),
]


@pytest.mark.parametrize("name, args, shape", LAYERS)
def test_padding_layers_match_pytorch(name, args, shape):
    ref, layer = getattr(torch.nn, name)(*args), getattr(nn, name)(*args)
    assert repr(layer) == repr(ref)
    assert layer.padding == ref.padding
    rng = np.random.default_rng(0)
    _compare(layer, ref, rng.standard_normal(shape), np.float64, rng)


@pytest.mark.parametrize("r, shape", [(2, (2, 8, 3, 5)), (3, (9, 2, 2)), (1, (1, 3, 2, 2)), (2, (2, 1, 4, 3, 2))])
def test_pixel_shuffle_and_unshuffle_match_pytorch(r, shape):
    rng = np.random.default_rng(r)
    x = rng.standard_normal(shape)
    _compare(nn.PixelShuffle(r), torch.nn.PixelShuffle(r), x, np.float32, rng)
    y = F.pixel_shuffle(x, r)
    _compare(nn.PixelUnshuffle(r), torch.nn.PixelUnshuffle(r), y.data, np.float64, rng)
    np.testing.assert_array_equal(F.pixel_unshuffle(y, r).data, x)
    assert repr(nn.PixelShuffle(r)) == repr(torch.nn.PixelShuffle(r))


def test_bad_input_is_refused():
    x = tl.ones(1, 2, 3)
    with pytest.raises(ValueError, match="pad: mode must be one of 'constant', 'reflect'.*got 'mirror'"):
        F.pad(x, (1, 1), mode="mirror")
    with pytest.raises(ValueError, match=r"reflect.*below the dim's size: got \(3, 0\) for dim 2 of size 3"):
        F.pad(x, (3, 0), mode="reflect")
    with pytest.raises(ValueError, match="circular.*at most the dim's size"):
        F.pad(x, (4, 0), mode="circular")
    with pytest.raises(ValueError, match=r"4 widths need a 3-D or 4-D input, got shape \(2, 3\)"):
        F.pad(tl.ones(2, 3), (1, 1, 1, 1), mode="replicate")
    with pytest.raises(ValueError, match="negative size"):
        F.pad(x, (-2, -2))
    with pytest.raises(ValueError, match="flat tuple"):
        F.pad(x, (1, 1, 1))
    with pytest.raises(TypeError, match="pad width"):
        F.pad(x, (1.5, 1))
    with pytest.raises(ValueError, match="only for mode='constant'"):
        F.pad(x, (1, 1), mode="reflect", value=1.0)
    with pytest.raises(ValueError, match="ReflectionPad2d: padding must be an int or a tuple of 4 ints"):
        nn.ReflectionPad2d((1, 2))
    with pytest.raises(ValueError, match=r"pixel_shuffle: expected an input of shape \(\*, C \* r\*\*2, H, W\) "
                                         r"with r=2, got shape \(1, 3, 2, 2\)"):
        F.pixel_shuffle(tl.ones(1, 3, 2, 2), 2)
    with pytest.raises(ValueError, match="PixelUnshuffle: downscale_factor must be positive"):
        nn.PixelUnshuffle(0)
    with pytest.raises(ValueError, match=r"pixel_unshuffle.*got shape \(1, 3, 3, 2\)"):
        F.pixel_unshuffle(tl.ones(1, 3, 3, 2), 2)


def test_circular_wider_than_what_cropping_leaves():
    """(-2, 4) on 5 elements wraps the 3 left more than once: PyTorch gives these values but a
    different gradient (its backward assumes one wrap), so the gradient is checked numerically."""
    x = np.arange(10.0).reshape(2, 5)
    np.testing.assert_array_equal(F.pad(x, (-2, 4), mode="circular").data,
                                  torch.nn.functional.pad(torch.tensor(x), (-2, 4), mode="circular").numpy())
    t = tl.tensor(np.random.default_rng(0).standard_normal((2, 5)), requires_grad=True)
    assert tl.gradcheck(lambda a: F.pad(a, (-2, 4), mode="circular"), [t])
