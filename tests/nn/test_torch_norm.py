"""Optional comparison with PyTorch (skipped when it is not installed): BatchNorm running
statistics and gradients over several steps, LayerNorm, Embedding with padding_idx, state_dicts."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn

torch = pytest.importorskip("torch")


def float64(cls, *args, **kwargs):
    tl.set_default_dtype(np.float64)
    try:
        return cls(*args, **kwargs)
    finally:
        tl.set_default_dtype(np.float32)


def copy_params(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def check_against_torch(ours, theirs, x, g, rtol=1e-10, grad_rtol=1e-9, atol=1e-12):
    """Forward ``x`` through both layers and backward ``g``; compare the outputs (``rtol``) and
    the input gradients (``grad_rtol``), both with ``atol``."""
    xt = torch.tensor(x, requires_grad=True)
    out_t = theirs(xt)
    out_t.backward(torch.tensor(g))
    xo = tl.tensor(x, requires_grad=True)
    out = ours(xo)
    out.backward(g)
    np.testing.assert_allclose(out.numpy(), out_t.detach().numpy(), rtol=rtol, atol=atol)
    np.testing.assert_allclose(xo.grad, xt.grad.numpy(), rtol=grad_rtol, atol=atol)


@pytest.mark.parametrize("ours_cls, theirs_cls, shape", [
    (nn.BatchNorm1D, torch.nn.BatchNorm1d, (6, 4)),
    (nn.BatchNorm1D, torch.nn.BatchNorm1d, (3, 4, 5)),
    (nn.BatchNorm2D, torch.nn.BatchNorm2d, (3, 4, 3, 2)),
    (nn.BatchNorm3D, torch.nn.BatchNorm3d, (2, 4, 2, 3, 2)),
])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_matches_torch_over_several_steps(ours_cls, theirs_cls, shape, momentum):
    rng = np.random.default_rng(0)
    theirs = theirs_cls(4, momentum=momentum).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(rng.normal(size=4)))
        theirs.bias.copy_(torch.tensor(rng.normal(size=4)))
    ours = float64(ours_cls, 4, momentum=momentum)
    copy_params(ours, theirs)
    for step in range(3):
        x = rng.normal(step, 1 + step, shape)
        check_against_torch(ours, theirs, x, rng.normal(size=shape))
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-9)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key], value.numpy(), rtol=1e-12, err_msg=key)
    x = rng.normal(size=shape)
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(x).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("track", [True, False])
def test_batch_norm_outputs_match_torch_in_train_and_eval(track):
    rng = np.random.default_rng(1)
    theirs = torch.nn.BatchNorm2d(3, affine=False, track_running_stats=track).double()
    ours = float64(nn.BatchNorm2D, 3, affine=False, track_running_stats=track)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for mode in ("train", "eval", "train"):
        getattr(ours, mode)()
        getattr(theirs, mode)()
        x = rng.normal(2, 3, (4, 3, 2, 2))
        np.testing.assert_allclose(ours(x).numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)


def test_float32_batch_norm_is_close_to_torch():
    rng = np.random.default_rng(2)
    theirs, ours = torch.nn.BatchNorm2d(8), nn.BatchNorm2D(8)
    x = rng.normal(3, 2, (16, 8, 12, 12)).astype(np.float32)
    g = rng.normal(size=x.shape).astype(np.float32)
    check_against_torch(ours, theirs, x, g, rtol=1e-7, grad_rtol=1e-7, atol=1e-5)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-5)


def test_layer_norm_matches_torch():
    rng = np.random.default_rng(3)
    theirs = torch.nn.LayerNorm((3, 4)).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(rng.normal(size=(3, 4))))
        theirs.bias.copy_(torch.tensor(rng.normal(size=(3, 4))))
    ours = float64(nn.LayerNorm, (3, 4))
    copy_params(ours, theirs)
    check_against_torch(ours, theirs, rng.normal(1, 2, (2, 5, 3, 4)), rng.normal(size=(2, 5, 3, 4)))
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(ours.bias.grad, theirs.bias.grad.numpy(), rtol=1e-9)


def test_embedding_with_padding_matches_torch():
    theirs = torch.nn.Embedding(7, 3, padding_idx=1).double()
    ours = float64(nn.Embedding, 7, 3, padding_idx=1)
    copy_params(ours, theirs)
    with torch.no_grad():
        theirs.weight[1] = 5.0
    ours.weight.data[1] = 5.0
    idx = np.array([[1, 2, 2], [6, 1, 0]])
    g = np.random.default_rng(4).normal(size=(2, 3, 3))
    out_t = theirs(torch.tensor(idx))
    out_t.backward(torch.tensor(g))
    out = ours(idx)
    out.backward(g)
    np.testing.assert_array_equal(out.numpy(), out_t.detach().numpy())
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-12)
    assert repr(ours) == repr(theirs)


def test_dropout_scaling_matches_torch():
    x = np.random.default_rng(5).uniform(1, 2, (100, 100)).astype(np.float32)
    tl.manual_seed(0)
    ours = nn.Dropout(0.3)(x).numpy()
    theirs = torch.nn.Dropout(0.3)(torch.tensor(x)).numpy()
    for y in (ours, theirs):  # both keep about 70% and scale the kept values by 1 / 0.7
        np.testing.assert_allclose(y[y != 0] / x[y != 0], 1 / 0.7, rtol=1e-6)
        assert abs((y == 0).mean() - 0.3) < 0.02
