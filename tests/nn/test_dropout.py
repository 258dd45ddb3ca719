"""Dropout, Dropout2D, Dropout3D and the functional forms: statistics with a fixed seed, inverted
scaling, whole-channel masks, eval identity, reproducibility and bad inputs."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics_and_exact_scaling(p):
    tl.manual_seed(0)
    x = tl.tensor(np.random.default_rng(0).uniform(1, 2, (200, 500)).astype(np.float32), requires_grad=True)
    out = nn.Dropout(p)(x)
    y = out.numpy()
    kept = y != 0
    assert abs((~kept).mean() - p) < 0.005  # 100,000 draws: the standard error is below 0.0016
    np.testing.assert_array_equal(y[kept], x.data[kept] * np.float32(1 / (1 - p)))
    assert abs(y.mean() - x.data.mean()) < 0.02 * x.data.mean()  # inverted dropout keeps the mean
    out.backward(np.ones_like(y))
    np.testing.assert_array_equal(x.grad, np.where(kept, np.float32(1 / (1 - p)), 0))
    assert y.dtype == x.grad.dtype == np.float32


def test_dropout_keeps_float64():
    tl.manual_seed(5)
    x = tl.tensor(np.ones((50, 40)), requires_grad=True)
    y = F.dropout(x, 0.25)
    assert y.dtype == np.float64
    assert set(np.unique(y.numpy())) <= {0.0, 1 / 0.75}


@pytest.mark.parametrize("cls, shape", [
    (nn.Dropout2D, (20, 30, 3, 4)), (nn.Dropout2D, (40, 3, 4)),
    (nn.Dropout3D, (20, 30, 2, 3, 2)), (nn.Dropout3D, (40, 2, 3, 2)),
])
def test_channel_dropout_zeroes_whole_channels(cls, shape):
    tl.manual_seed(1)
    spatial = 2 if cls is nn.Dropout2D else 3
    x = tl.tensor(np.random.default_rng(1).uniform(1, 2, shape).astype(np.float32), requires_grad=True)
    y = cls(0.4)(x).numpy()
    axes = tuple(range(len(shape) - spatial, len(shape)))
    dropped = (y == 0).all(axis=axes)
    kept = (y == x.data * np.float32(1 / 0.6)).all(axis=axes)
    assert (dropped ^ kept).all()  # every channel is either all zero or all scaled
    assert abs(dropped.mean() - 0.4) < 0.08
    assert 0 < dropped.sum() < dropped.size


def test_functional_channel_dropout():
    tl.manual_seed(2)
    y = F.dropout1d(tl.ones(30, 20, 5), 0.5).numpy()
    assert ((y == 0).all(axis=2) | (y == 2).all(axis=2)).all()
    assert 0.4 < (y == 0).mean() < 0.6
    assert F.dropout2d(tl.ones(2, 3, 4, 4), 0.5, training=False).numpy().sum() == 96
    assert F.dropout3d(tl.ones(3, 2, 2, 2), 1.0).numpy().sum() == 0


@pytest.mark.parametrize("layer, shape", [
    (nn.Dropout(0.5), (2, 3, 4, 4, 4)), (nn.Dropout2D(0.5), (2, 3, 4, 4)), (nn.Dropout3D(0.5), (2, 3, 4, 4, 4)),
])
def test_eval_mode_is_the_identity(layer, shape):
    tl.manual_seed(3)
    x = tl.tensor(np.random.default_rng(3).normal(size=shape).astype(np.float32), requires_grad=True)
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), x.data)
    layer.train()
    assert (layer(x).numpy() == 0).any()


def test_p_zero_is_the_identity_and_p_one_gives_zeros():
    x = tl.tensor(np.arange(1.0, 13.0, dtype=np.float32).reshape(3, 4), requires_grad=True)
    np.testing.assert_array_equal(nn.Dropout(0.0)(x).numpy(), x.data)
    out = nn.Dropout(1.0)(x)
    np.testing.assert_array_equal(out.numpy(), np.zeros((3, 4)))
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros((3, 4)))
    assert not np.isnan(nn.Dropout2D(1.0)(tl.ones(2, 2, 2, 2)).numpy()).any()


def test_manual_seed_reproduces_the_mask():
    x = tl.ones(64, 64)
    tl.manual_seed(123)
    a = F.dropout(x, 0.5).numpy()
    b = F.dropout(x, 0.5).numpy()
    tl.manual_seed(123)
    c = F.dropout(x, 0.5).numpy()
    np.testing.assert_array_equal(a, c)
    assert (a != b).any()


def test_legacy_backward_applies_the_same_mask():
    tl.manual_seed(4)
    layer = nn.Dropout(0.3)
    x = np.random.default_rng(4).normal(size=(10, 20)).astype(np.float32)
    out = layer.forward(tl.tensor(x, requires_grad=True))
    y = out.data
    dout = np.full((10, 20), 2.0, dtype=np.float32)
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dx, np.where(y != 0, np.float32(2.0) * np.float32(1 / 0.7), 0))


def test_repr_and_aliases():
    assert repr(nn.Dropout(0.25)) == "Dropout1D(p=0.25, inplace=False)"
    assert nn.Dropout is nn.Dropout1D
    assert not hasattr(nn, "Dropout1d")  # PyTorch's Dropout1d drops channels: no look-alike alias
    assert nn.Dropout2d is nn.Dropout2D and nn.Dropout3d is nn.Dropout3D
    assert repr(nn.Dropout2D()) == "Dropout2D(p=0.5, inplace=False)"


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_p_outside_the_unit_interval_is_a_value_error(p):
    with pytest.raises(ValueError, match=f"between 0 and 1, got {p}"):
        nn.Dropout(p)
    with pytest.raises(ValueError, match="dropout2d: .*between 0 and 1"):
        F.dropout2d(tl.ones(1, 1, 2, 2), p)
    with pytest.raises(TypeError, match="must be a float"):
        nn.Dropout("0.5")  # type: ignore[arg-type]


def test_channel_dropout_wrong_ndim_names_the_layer_and_the_shape():
    layer = nn.Dropout2D(0.5)
    with pytest.raises(ValueError) as e:
        layer(tl.ones(2, 3, 4, 4, 4))
    assert repr(layer) in str(e.value) and "(2, 3, 4, 4, 4)" in str(e.value)
    with pytest.raises(ValueError, match=r"Dropout3D.*\(2, 3\)"):  # (a 3-D input warns, as in PyTorch)
        nn.Dropout3D()(tl.ones(2, 3))
    with pytest.raises(ValueError, match=r"dropout1d: .*\(5,\)"):
        F.dropout1d(tl.ones(5))
    with pytest.raises(TypeError, match="floating"):
        F.dropout(tl.tensor([1, 2, 3]))


def test_dropout2d_on_a_2d_input_warns_and_drops_values_as_pytorch():
    """Issue 22: PyTorch 2.13 warns (UserWarning) and drops each value of an (N, C) input on its own."""
    x = tl.ones(200, 50)
    for call in (nn.Dropout2d(0.5), lambda t: F.dropout2d(t, 0.5)):
        who = r"(dropout2d|Dropout2D\(p=0.5, inplace=False\))"
        with pytest.warns(UserWarning, match=who + r": got a 2-D input \(shape \(200, 50\)\)"):
            y = call(x).numpy()
        assert set(np.unique(y)) == {0.0, 2.0}
        zeros = y == 0
        assert 0.45 < zeros.mean() < 0.55
        assert not zeros.all(axis=1).any() and not zeros.all(axis=0).any()  # not whole rows or columns
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        torch.nn.Dropout2d(0.5)(torch.ones(3, 4))


def test_dropout3d_on_a_3d_input_warns_and_drops_whole_slices_of_dim_0_as_pytorch():
    """PyTorch 2.13 warns and reads a 3-D input as one unbatched sample whose channels are dim 0."""
    x = tl.ones(64, 3, 5)
    for call in (nn.Dropout3d(0.5), lambda t: F.dropout3d(t, 0.5)):
        with pytest.warns(UserWarning, match=r"got a 3-D input \(shape \(64, 3, 5\)\)"):
            y = call(x).numpy()
        per_slice = y.reshape(64, -1)
        assert all(len(np.unique(row)) == 1 for row in per_slice)  # each dim-0 slice whole
        assert set(np.unique(per_slice)) == {0.0, 2.0}
    torch = pytest.importorskip("torch")
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        out = torch.nn.Dropout3d(0.5)(torch.ones(64, 3, 5))
    assert all(len(torch.unique(row)) == 1 for row in out.reshape(64, -1))
