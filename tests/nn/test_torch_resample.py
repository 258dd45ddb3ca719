"""interpolate / Upsample against PyTorch: every mode, align_corners both ways, size or
scale_factor, recompute_scale_factor; values and gradients in float32 and float64; errors."""
import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

torch = pytest.importorskip("torch")

MODES_BY_DIMS = {1: ["nearest", "nearest-exact", "linear", "area"],
                 2: ["nearest", "nearest-exact", "bilinear", "bicubic", "area"],
                 3: ["nearest", "nearest-exact", "trilinear", "area"]}
SHAPES = {1: (2, 3, 7), 2: (2, 2, 5, 6), 3: (1, 2, 3, 4, 5)}
SIZES = [dict(size=(4, 9, 2)), dict(scale_factor=2), dict(scale_factor=1.7), dict(scale_factor=0.45),
         dict(scale_factor=0.6, recompute_scale_factor=True), dict(scale_factor=(1.5, 0.6, 2.2)),
         dict(scale_factor=1.7, recompute_scale_factor=True), dict(size=None)]
CASES = [(d, mode, ac, i) for d, modes in MODES_BY_DIMS.items() for mode in modes
         for ac in ([None] if mode in ("nearest", "nearest-exact", "area") else [False, True])
         for i in range(len(SIZES))]


def _kwargs(d, i):
    kw = dict(SIZES[i])
    for key in ("size", "scale_factor"):
        if isinstance(kw.get(key), tuple):
            kw[key] = kw[key][:d]
    if "size" in kw and kw["size"] is None:
        kw["size"] = SHAPES[d][2:]  # the identity
    return kw


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("d, mode, align_corners, i", CASES)
def test_interpolate_matches_pytorch(d, mode, align_corners, i, dtype):
    kw = _kwargs(d, i)
    rng = np.random.default_rng(i)
    x = rng.standard_normal(SHAPES[d]).astype(dtype)
    tx = torch.tensor(x, requires_grad=True)
    ty = torch.nn.functional.interpolate(tx, mode=mode, align_corners=align_corners, **kw)
    xt = tl.tensor(x, requires_grad=True)
    y = F.interpolate(xt, mode=mode, align_corners=align_corners, **kw)
    assert y.shape == tuple(ty.shape) and y.dtype == dtype
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **tol)
    r = rng.standard_normal(y.shape).astype(dtype)
    (y * tl.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), **tol)


@pytest.mark.parametrize("mode, shape, kw", [
    ("linear", (2, 2, 5), dict(scale_factor=1.6, align_corners=False)),
    ("bilinear", (1, 2, 3, 4), dict(size=(5, 3), align_corners=True)),
    ("bicubic", (1, 1, 4, 4), dict(scale_factor=1.5)),
    ("trilinear", (1, 1, 2, 3, 2), dict(scale_factor=2)),
    ("nearest", (2, 1, 3, 5), dict(size=(4, 3))),
    ("area", (1, 2, 7, 5), dict(size=(3, 2))),
])
def test_gradcheck(mode, shape, kw):
    x = tl.tensor(np.random.default_rng(0).standard_normal(shape), requires_grad=True)
    assert tl.gradcheck(lambda t: F.interpolate(t, mode=mode, **kw), [x])


@pytest.mark.parametrize("cls, kwargs, shape", [
    ("Upsample", dict(scale_factor=2), (1, 2, 3, 4)),
    ("Upsample", dict(size=(5, 7), mode="bilinear"), (1, 2, 3, 4)),
    ("Upsample", dict(scale_factor=(2, 1.5), mode="bicubic", align_corners=True), (1, 2, 3, 4)),
    ("Upsample", dict(scale_factor=2, mode="trilinear"), (1, 1, 2, 3, 2)),
    ("UpsamplingNearest2d", dict(scale_factor=3), (2, 1, 2, 3)),
    ("UpsamplingBilinear2d", dict(size=5), (2, 1, 2, 3)),
])
def test_upsampling_layers_match_pytorch(cls, kwargs, shape):
    ref, layer = getattr(torch.nn, cls)(**kwargs), getattr(nn, cls)(**kwargs)
    assert repr(layer) == repr(ref)
    x = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_allclose(layer(tl.tensor(x)).data, ref(torch.tensor(x)).numpy(), rtol=1e-10, atol=1e-12)


def test_bad_input_is_refused():
    x = tl.ones(1, 2, 4)
    with pytest.raises(ValueError, match="interpolate: mode must be one of .* got 'cubic'"):
        F.interpolate(x, size=3, mode="cubic")
    with pytest.raises(ValueError, match=r"mode='bilinear' needs a 4-D input, got shape \(1, 2, 4\)"):
        F.interpolate(x, size=3, mode="bilinear")
    with pytest.raises(ValueError, match="align_corners can only be set with the interpolating modes"):
        F.interpolate(x, size=3, align_corners=False)
    with pytest.raises(ValueError, match="exactly one of size and scale_factor, got both"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match="got neither"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful with an explicit size"):
        F.interpolate(x, size=3, recompute_scale_factor=True)
    with pytest.raises(ValueError, match=r"sizes must be positive.*output size \(0,\)"):
        F.interpolate(x, scale_factor=0.1)
    with pytest.raises(ValueError, match=r"sizes must be positive.*output size \(-2,\)"):
        F.interpolate(x, size=-2)
    with pytest.raises(ValueError, match=r"expected a 3-D, 4-D or 5-D input .* got shape \(4,\)"):
        F.interpolate(tl.ones(4), size=2)
    with pytest.raises(ValueError, match="size .* must be an int or 1 ints"):
        F.interpolate(x, size=(2, 2))
    with pytest.raises(ValueError, match="Upsample: mode must be one of"):
        nn.Upsample(scale_factor=2, mode="linearr")
