"""group_norm / instance_norm and GroupNorm, InstanceNorm1d/2d/3d against PyTorch: values and
gradients in float32 and float64, running statistics, state_dict, reprs and errors."""
import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _tol(dtype):
    return dict(rtol=1e-4, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("shape, groups", [((2, 6, 5), 3), ((3, 4, 3, 5), 2), ((2, 4, 7), 4), ((2, 4, 7), 1),
                                           ((2, 6, 2, 3, 2), 6), ((4, 4), 2)])
def test_group_norm_matches_pytorch(shape, groups, affine, dtype):
    rng = np.random.default_rng(len(shape) * groups)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    w, b = rng.standard_normal(shape[1]).astype(dtype), rng.standard_normal(shape[1]).astype(dtype)
    mine = [tl.tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    y = F.group_norm(mine[0], groups, *(mine[1:] if affine else (None, None)))
    ty = TF.group_norm(theirs[0], groups, *(theirs[1:] if affine else (None, None)))
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **_tol(dtype))
    r = rng.standard_normal(shape).astype(dtype)
    (y * tl.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    for m, t in zip(mine if affine else mine[:1], theirs):
        assert m.grad.dtype == dtype
        np.testing.assert_allclose(m.grad, t.grad.numpy(), **_tol(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("use_input_stats", [True, False])
@pytest.mark.parametrize("shape", [(2, 3, 5), (3, 2, 4, 3), (2, 2, 2, 3, 2)])
def test_instance_norm_matches_pytorch(shape, use_input_stats, dtype):
    rng = np.random.default_rng(len(shape))
    x = (rng.standard_normal(shape) * 2 - 1).astype(dtype)
    w, b = rng.standard_normal(shape[1]).astype(dtype), rng.standard_normal(shape[1]).astype(dtype)
    rm, rv = rng.standard_normal(shape[1]).astype(dtype), rng.uniform(1, 2, shape[1]).astype(dtype)
    trm, trv = torch.tensor(rm), torch.tensor(rv)
    xt, wt, bt = (tl.tensor(a, requires_grad=True) for a in (x, w, b))
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    y = F.instance_norm(xt, rm, rv, wt, bt, use_input_stats=use_input_stats, momentum=0.3)
    ty = TF.instance_norm(tx, trm, trv, tw, tb, use_input_stats=use_input_stats, momentum=0.3)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), **_tol(dtype))
    np.testing.assert_allclose(rm, trm.numpy(), **_tol(dtype))
    np.testing.assert_allclose(rv, trv.numpy(), **_tol(dtype))
    r = rng.standard_normal(shape).astype(dtype)
    (y * tl.tensor(r)).sum().backward()
    (ty * torch.tensor(r)).sum().backward()
    for m, t in [(xt, tx), (wt, tw), (bt, tb)]:
        np.testing.assert_allclose(m.grad, t.grad.numpy(), **_tol(dtype))


def test_gradcheck():
    rng = np.random.default_rng(0)
    x, w, b = (tl.tensor(rng.standard_normal(s), requires_grad=True) for s in ((2, 4, 3, 2), (4,), (4,)))
    assert tl.gradcheck(lambda x, w, b: F.group_norm(x, 2, w, b), [x, w, b])
    assert tl.gradcheck(lambda x, w, b: F.instance_norm(x, weight=w, bias=b), [x, w, b])


def test_group_norm_layer_matches_pytorch_and_loads_its_state_dict():
    torch.manual_seed(0)
    ref = torch.nn.GroupNorm(3, 6, eps=1e-3, dtype=torch.float64)
    with torch.no_grad():
        ref.weight.uniform_(0.5, 1.5)
        ref.bias.uniform_(-1, 1)
    tl.set_default_dtype(np.float64)
    layer = nn.GroupNorm(3, 6, eps=1e-3)
    assert repr(layer) == repr(ref)
    assert np.all(layer.weight.data == 1) and np.all(layer.bias.data == 0)
    layer.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    assert list(layer.state_dict()) == list(ref.state_dict())
    x = np.random.default_rng(0).standard_normal((2, 6, 4, 4))
    np.testing.assert_allclose(layer(tl.tensor(x)).data, ref(torch.tensor(x)).detach().numpy(), rtol=1e-10)
    assert nn.GroupNorm(2, 4, affine=False).weight is None


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("affine, track", [(False, False), (True, False), (True, True), (False, True)])
def test_instance_norm_layers_match_pytorch(d, affine, track):
    ref = getattr(torch.nn, f"InstanceNorm{d}d")(4, affine=affine, track_running_stats=track, momentum=0.2,
                                                 dtype=torch.float64)
    tl.set_default_dtype(np.float64)
    layer = getattr(nn, f"InstanceNorm{d}d")(4, affine=affine, track_running_stats=track, momentum=0.2)
    assert repr(layer) == repr(ref)
    assert list(layer.state_dict()) == list(ref.state_dict())
    if affine:
        with torch.no_grad():
            ref.weight.uniform_(0.5, 1.5)
            ref.bias.uniform_(-1, 1)
        layer.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    rng = np.random.default_rng(d)
    for shape in [(2, 4, *(5, 3, 2)[:d]), (4, *(3, 4, 2)[:d])]:  # batched and unbatched
        for train in (True, False, True):
            layer.train(train)
            ref.train(train)
            x = rng.standard_normal(shape)
            xt, tx = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
            y, ty = layer(xt), ref(tx)
            np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
            y.sum().backward()
            ty.sum().backward()
            np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-8, atol=1e-10)
            if track:
                np.testing.assert_allclose(layer.running_mean.data, ref.running_mean.numpy(), rtol=1e-10)
                np.testing.assert_allclose(layer.running_var.data, ref.running_var.numpy(), rtol=1e-10)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match=r"group_norm: the 6 channels of the input of shape \(2, 6, 3\) are not "
                                         r"divisible by num_groups=4"):
        F.group_norm(tl.ones(2, 6, 3), 4)
    with pytest.raises(ValueError, match=r"group_norm: weight has shape \(3,\), expected \(6,\)"):
        F.group_norm(tl.ones(2, 6, 3), 2, tl.ones(3))
    with pytest.raises(ValueError, match="GroupNorm: num_channels=6 must be divisible by num_groups=4"):
        nn.GroupNorm(4, 6)
    with pytest.raises(ValueError, match=r"GroupNorm\(2, 6.*expected input of shape \(N, 6, \*\), got shape \(2, 4"):
        nn.GroupNorm(2, 6)(tl.ones(2, 4, 3))
    with pytest.raises(ValueError, match=r"InstanceNorm2d\(3.*expected input with 3 channels .* \(2, 4, 5, 5\)"):
        nn.InstanceNorm2d(3, affine=True)(tl.ones(2, 4, 5, 5))
    with pytest.warns(UserWarning, match="has 4 channels, not num_features=3"):
        nn.InstanceNorm2d(3)(tl.randn(2, 4, 5, 5))
    with pytest.raises(ValueError, match=r"InstanceNorm1d\(3.*expected a 2-D \(unbatched\) or 3-D input.* \(3,\)"):
        nn.InstanceNorm1d(3)(tl.ones(3))
    with pytest.raises(ValueError, match="more than 1 spatial element"):
        nn.InstanceNorm1d(3)(tl.ones(2, 3, 1))
    with pytest.raises(ValueError, match="running_mean and running_var are needed when use_input_stats=False"):
        F.instance_norm(tl.ones(2, 3, 4), use_input_stats=False)


def test_bias_false_as_pytorch():
    for ref, layer in [(torch.nn.GroupNorm(2, 4, bias=False), nn.GroupNorm(2, 4, bias=False)),
                       (torch.nn.InstanceNorm2d(4, affine=True, bias=False),
                        nn.InstanceNorm2d(4, affine=True, bias=False))]:
        assert repr(layer) == repr(ref)
        assert list(layer.state_dict()) == list(ref.state_dict())
        x = np.random.default_rng(0).standard_normal((2, 4, 3, 3)).astype(np.float32)
        expected = ref(torch.tensor(x)).detach().numpy()
        np.testing.assert_allclose(layer(tl.tensor(x)).data, expected, rtol=1e-5, atol=1e-6)
