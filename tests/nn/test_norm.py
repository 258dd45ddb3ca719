"""BatchNorm1D/2D/3D and LayerNorm: values, gradients against finite differences, running
statistics, train/eval behaviour, state_dict and bad inputs."""
from __future__ import annotations

import re

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

SHAPES = {  # layer class -> input shapes it accepts, all with 3 channels
    nn.BatchNorm1D: [(5, 3), (4, 3, 2)],
    nn.BatchNorm2D: [(2, 3, 3, 2)],
    nn.BatchNorm3D: [(2, 3, 2, 2, 2)],
}
CASES = [(cls, shape) for cls, shapes in SHAPES.items() for shape in shapes]


def reference_bn(x, mean, var, w, b, eps=1e-5):
    shape = (1, -1) + (1,) * (x.ndim - 2)
    return (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps) * w.reshape(shape) + b.reshape(shape)


def batch_stats(x):
    axes = (0,) + tuple(range(2, x.ndim))
    return x.mean(axis=axes), x.var(axis=axes), x.var(axis=axes, ddof=1)


def float64_layer(cls, *args, **kwargs):
    tl.set_default_dtype(np.float64)
    layer = cls(*args, **kwargs)
    tl.set_default_dtype(np.float32)
    rng = np.random.default_rng(7)
    for p in layer.parameters():  # away from the ones/zeros start, so every term of the rule counts
        p.data[...] = rng.uniform(0.5, 1.5, p.shape) * rng.choice([-1, 1], p.shape)
    return layer


# -- batch norm: values and gradients ---------------------------------------------------------

@pytest.mark.parametrize("cls, shape", CASES)
def test_batch_norm_train_values_match_the_formula(cls, shape):
    rng = np.random.default_rng(0)
    layer = float64_layer(cls, 3)
    x = rng.normal(2.0, 3.0, shape)
    mean, var, _ = batch_stats(x)
    out = layer(x)
    np.testing.assert_allclose(out.numpy(), reference_bn(x, mean, var, layer.weight.data, layer.bias.data),
                               rtol=1e-12, atol=1e-12)
    assert out.dtype == np.float64


@pytest.mark.parametrize("cls, shape", CASES)
def test_batch_norm_train_gradients_of_input_weight_and_bias(cls, shape):
    rng = np.random.default_rng(1)
    layer = float64_layer(cls, 3)
    x = tl.tensor(rng.normal(1.0, 2.0, shape), requires_grad=True)
    assert tl.gradcheck(lambda x, *params: layer(x), [x, *layer.parameters()])


@pytest.mark.parametrize("cls, shape", CASES)
def test_batch_norm_eval_gradients_of_input_weight_and_bias(cls, shape):
    rng = np.random.default_rng(2)
    layer = float64_layer(cls, 3)
    layer.running_mean.data[...] = rng.normal(size=3)
    layer.running_var.data[...] = rng.uniform(0.5, 2.0, 3)
    layer.eval()
    x = tl.tensor(rng.normal(size=shape), requires_grad=True)
    assert tl.gradcheck(lambda x, *params: layer(x), [x, *layer.parameters()])


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_without_affine_or_with_only_some_parameters(training):
    rng = np.random.default_rng(3)
    x = tl.tensor(rng.normal(size=(4, 3, 5)), requires_grad=True)
    w = tl.tensor(rng.normal(size=3), requires_grad=True)
    b = tl.tensor(rng.normal(size=3), requires_grad=True)
    rm, rv = rng.normal(size=3), rng.uniform(0.5, 2, 3)
    assert tl.gradcheck(lambda x: F.batch_norm(x, rm.copy(), rv.copy(), training=training), [x])
    assert tl.gradcheck(lambda x, w: F.batch_norm(x, rm.copy(), rv.copy(), w, None, training), [x, w])
    assert tl.gradcheck(lambda x, b: F.batch_norm(x, rm.copy(), rv.copy(), None, b, training), [x, b])
    layer = float64_layer(nn.BatchNorm1D, 3, affine=False)
    assert list(layer.parameters()) == []
    mean, var, _ = batch_stats(x.data)
    np.testing.assert_allclose(layer(x).numpy(), reference_bn(x.data, mean, var, np.ones(3), np.zeros(3)),
                               rtol=1e-12)


def test_batch_norm_gradients_of_a_non_contiguous_input():
    rng = np.random.default_rng(4)
    layer = float64_layer(nn.BatchNorm2D, 3)
    data = rng.normal(size=(3, 2, 4, 2)).transpose(1, 0, 3, 2)[:, :, :, ::-1]  # (2, 3, 2, 4)
    x = tl.Tensor(data, requires_grad=True)  # wraps without a copy
    assert not x.data.flags.c_contiguous
    assert tl.gradcheck(lambda x, *params: layer(x), [x, *layer.parameters()])


def test_only_the_weight_gradient_is_asked_for():
    rng = np.random.default_rng(5)
    x = tl.tensor(rng.normal(size=(6, 3)))
    w = tl.tensor(rng.normal(size=3), requires_grad=True)
    for training in (True, False):
        out = F.batch_norm(x, np.zeros(3), np.ones(3), w, None, training)
        (gw,) = tl.grad((out * x).sum(), [w])
        mean, var, _ = batch_stats(x.data) if training else (np.zeros(3), np.ones(3), None)
        expected = ((x.data - mean) / np.sqrt(var + 1e-5) * x.data).sum(axis=0)
        np.testing.assert_allclose(gw, expected, rtol=1e-10)


def test_float32_stays_float32_and_agrees_with_float64():
    rng = np.random.default_rng(6)
    data = rng.normal(3.0, 2.0, (16, 4, 5, 5))
    layer32 = nn.BatchNorm2D(4)
    x32 = tl.tensor(data.astype(np.float32), requires_grad=True)
    out = layer32(x32)
    out.backward(np.ones_like(out.data) * np.arange(5, dtype=np.float32))
    assert out.dtype == x32.grad.dtype == layer32.weight.grad.dtype == layer32.running_var.dtype == np.float32
    layer64 = float64_layer(nn.BatchNorm2D, 4)
    layer64.weight.data[...], layer64.bias.data[...] = 1, 0
    x64 = tl.tensor(data, requires_grad=True)
    out64 = layer64(x64)
    out64.backward(np.ones_like(out64.data) * np.arange(5.0))
    np.testing.assert_allclose(out.numpy(), out64.numpy(), atol=1e-5)
    np.testing.assert_allclose(x32.grad, x64.grad, atol=1e-4)
    np.testing.assert_allclose(layer32.running_var.data, layer64.running_var.data, rtol=1e-5)


# -- running statistics and modes -------------------------------------------------------------

@pytest.mark.parametrize("cls, shape", CASES)
def test_running_statistics_after_several_steps(cls, shape):
    rng = np.random.default_rng(10)
    layer = float64_layer(cls, 3, momentum=0.3)
    rm, rv = np.zeros(3), np.ones(3)
    for step in range(4):
        x = rng.normal(step, 1 + step, shape)
        layer(x)
        mean, _, unbiased = batch_stats(x)
        rm = 0.7 * rm + 0.3 * mean
        rv = 0.7 * rv + 0.3 * unbiased
    np.testing.assert_allclose(layer.running_mean.data, rm, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.data, rv, rtol=1e-12)
    assert layer.num_batches_tracked.data.dtype == np.int64 and layer.num_batches_tracked.shape == ()
    assert layer.num_batches_tracked.item() == 4


def test_momentum_none_is_the_cumulative_average():
    rng = np.random.default_rng(11)
    layer = float64_layer(nn.BatchNorm1D, 3, momentum=None)
    batches = [rng.normal(i, 1 + i, (5, 3, 4)) for i in range(3)]
    for x in batches:
        layer(x)
    stats = [batch_stats(x) for x in batches]
    np.testing.assert_allclose(layer.running_mean.data, np.mean([s[0] for s in stats], axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.data, np.mean([s[2] for s in stats], axis=0), rtol=1e-12)
    assert layer.num_batches_tracked.item() == 3
    assert "momentum=None" in repr(layer)


def test_eval_uses_the_running_statistics_and_leaves_them_alone():
    rng = np.random.default_rng(12)
    layer = float64_layer(nn.BatchNorm2D, 3)
    for _ in range(3):
        layer(rng.normal(1, 2, (4, 3, 2, 2)))
    rm, rv = layer.running_mean.data.copy(), layer.running_var.data.copy()
    layer.eval()
    x = rng.normal(size=(1, 3, 2, 2))  # one sample is fine in eval
    out = layer(x)
    np.testing.assert_allclose(out.numpy(), reference_bn(x, rm, rv, layer.weight.data, layer.bias.data),
                               rtol=1e-12)
    np.testing.assert_array_equal(layer.running_mean.data, rm)
    np.testing.assert_array_equal(layer.running_var.data, rv)
    assert layer.num_batches_tracked.item() == 3
    assert layer(np.zeros((0, 3, 2, 2))).shape == (0, 3, 2, 2)  # an empty batch is fine in eval
    layer.train()
    layer(x.repeat(2, axis=0))
    assert layer.num_batches_tracked.item() == 4


def test_track_running_stats_false_uses_batch_statistics_in_both_modes():
    rng = np.random.default_rng(13)
    layer = float64_layer(nn.BatchNorm1D, 3, track_running_stats=False)
    assert layer.running_mean is None and layer.running_var is None and layer.num_batches_tracked is None
    assert list(layer.state_dict()) == ["weight", "bias"]
    x = rng.normal(2, 3, (6, 3))
    train_out = layer(x).numpy()
    eval_out = layer.eval()(x).numpy()
    mean, var, _ = batch_stats(x)
    np.testing.assert_allclose(eval_out, reference_bn(x, mean, var, layer.weight.data, layer.bias.data), rtol=1e-12)
    np.testing.assert_array_equal(train_out, eval_out)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        layer(x[:1])  # batch statistics of one value, also in eval


def test_state_dict_names_repr_and_aliases():
    layer = nn.BatchNorm2D(4)
    assert list(layer.state_dict()) == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    assert repr(layer) == "BatchNorm2D(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)"
    assert nn.BatchNorm1d is nn.BatchNorm1D and nn.BatchNorm2d is nn.BatchNorm2D and nn.BatchNorm3d is nn.BatchNorm3D
    np.testing.assert_array_equal(layer.weight.data, np.ones(4))
    np.testing.assert_array_equal(layer.bias.data, np.zeros(4))
    np.testing.assert_array_equal(layer.running_var.data, np.ones(4))
    other = nn.BatchNorm2D(4)
    state = {k: np.asarray(v) + 1 for k, v in layer.state_dict().items()}
    other.load_state_dict(state)
    assert other.num_batches_tracked.item() == 1 and other.num_batches_tracked.data.dtype == np.int64
    np.testing.assert_array_equal(other.running_mean.data, np.ones(4))
    other.reset_parameters()
    assert other.num_batches_tracked.item() == 0 and other.running_mean.data.sum() == 0


def test_functional_batch_norm_updates_buffers_in_place():
    rng = np.random.default_rng(14)
    x = rng.normal(1, 2, (8, 3, 5))
    rm, rv = np.zeros(3), np.ones(3)
    rm_t = tl.tensor(np.zeros(3))
    F.batch_norm(x, rm, rv, training=True, momentum=0.5)
    F.batch_norm(x, rm_t, tl.tensor(np.ones(3)), training=True, momentum=0.5)
    mean, var, unbiased = batch_stats(x)
    np.testing.assert_allclose(rm, 0.5 * mean, rtol=1e-12)
    np.testing.assert_allclose(rv, 0.5 + 0.5 * unbiased, rtol=1e-12)
    np.testing.assert_allclose(rm_t.data, rm, rtol=1e-12)
    out = F.batch_norm(x, None, None, training=True)  # no buffers: batch statistics, nothing updated
    np.testing.assert_allclose(out.numpy(), reference_bn(x, mean, var, np.ones(3), np.zeros(3)), rtol=1e-12)


def test_legacy_backward_matches_the_tape():
    rng = np.random.default_rng(15)
    x = rng.normal(size=(6, 3, 4)).astype(np.float32)
    dout = rng.normal(size=(6, 3, 4)).astype(np.float32)
    legacy, modern = nn.BatchNorm1D(3), nn.BatchNorm1D(3)
    out = legacy.forward(tl.tensor(x, requires_grad=True))
    dx = legacy.backward(dout)
    assert out.shape == x.shape
    xt = tl.tensor(x, requires_grad=True)
    modern(xt).backward(dout)
    np.testing.assert_allclose(dx, xt.grad, rtol=1e-6)
    np.testing.assert_allclose(legacy.weight.grad, modern.weight.grad, rtol=1e-6)
    np.testing.assert_allclose(legacy.bias.grad, modern.bias.grad, rtol=1e-6)


# -- batch norm: bad inputs -------------------------------------------------------------------

def test_one_value_per_channel_in_training_is_refused():
    layer = nn.BatchNorm1D(3)
    with pytest.raises(ValueError) as e:
        layer(tl.ones(1, 3))
    assert re.escape(repr(layer)) and repr(layer) in str(e.value) and "(1, 3)" in str(e.value)
    assert "more than 1 value per channel" in str(e.value)
    assert layer.num_batches_tracked.item() == 0  # refused before anything changed
    with pytest.raises(ValueError, match=r"BatchNorm2D\(3.*\(1, 3, 1, 1\)"):
        nn.BatchNorm2D(3)(tl.ones(1, 3, 1, 1))
    with pytest.raises(ValueError, match=r"batch_norm: .*\(1, 3\)"):
        F.batch_norm(tl.ones(1, 3), None, None, training=True)
    assert layer(tl.ones(1, 3, 2)).shape == (1, 3, 2)  # two values per channel are enough
    assert layer.eval()(tl.ones(1, 3)).shape == (1, 3)


@pytest.mark.parametrize("cls, shape", [
    (nn.BatchNorm1D, (4, 5)), (nn.BatchNorm1D, (4, 2, 6)), (nn.BatchNorm2D, (4, 5, 2, 2)),
    (nn.BatchNorm3D, (2, 4, 2, 2, 2)),
])
def test_channel_mismatch_names_the_layer_and_the_shape(cls, shape):
    layer = cls(3)
    with pytest.raises(ValueError) as e:
        layer(tl.ones(*shape))
    assert repr(layer) in str(e.value) and str(shape) in str(e.value) and "3 channels" in str(e.value)


@pytest.mark.parametrize("cls, shape", [
    (nn.BatchNorm1D, (3,)), (nn.BatchNorm1D, (2, 3, 2, 2)), (nn.BatchNorm2D, (2, 3)),
    (nn.BatchNorm2D, (2, 3, 4)), (nn.BatchNorm3D, (2, 3, 2, 2)),
])
def test_wrong_ndim_names_the_layer_and_the_shape(cls, shape):
    layer = cls(3)
    with pytest.raises(ValueError) as e:
        layer(tl.ones(*shape))
    assert repr(layer) in str(e.value) and str(shape) in str(e.value)


def test_other_bad_batch_norm_arguments():
    with pytest.raises(TypeError, match="BatchNorm1D.*float64"):
        nn.BatchNorm1D(3)(tl.tensor(np.ones((2, 3))))
    with pytest.raises(TypeError, match="floating"):
        nn.BatchNorm1D(3)(np.ones((2, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="num_features"):
        nn.BatchNorm1D(-1)                   # 0 builds, as in PyTorch
    with pytest.raises(ValueError, match="running_mean and running_var are needed"):
        F.batch_norm(tl.ones(2, 3), None, None, training=False)
    with pytest.raises(ValueError, match=r"weight has shape \(4,\)"):
        F.batch_norm(tl.ones(2, 3), None, None, tl.ones(4), training=True)
    with pytest.raises(ValueError, match=r"running_mean has shape \(2,\)"):
        F.batch_norm(tl.ones(2, 3), np.zeros(2, np.float32), np.ones(3, np.float32))
    with pytest.raises(TypeError, match="running_var has dtype float64"):
        F.batch_norm(tl.ones(2, 3), np.zeros(3, np.float32), np.ones(3))
    with pytest.raises(TypeError, match="float32 and float64"):
        F.batch_norm(tl.ones(2, 3), None, None, tl.tensor(np.ones(3)), training=True)


# -- layer norm -------------------------------------------------------------------------------

def reference_ln(x, k, w, b, eps=1e-5):
    axes = tuple(range(x.ndim - k, x.ndim))
    mean, var = x.mean(axis=axes, keepdims=True), x.var(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


@pytest.mark.parametrize("normalized_shape, shape", [(4, (3, 4)), ((3, 4), (2, 3, 4)), ((2, 2, 3), (2, 2, 2, 3))])
def test_layer_norm_values_and_gradients(normalized_shape, shape):
    rng = np.random.default_rng(20)
    layer = float64_layer(nn.LayerNorm, normalized_shape)
    x = tl.tensor(rng.normal(1, 2, shape), requires_grad=True)
    k = 1 if isinstance(normalized_shape, int) else len(normalized_shape)
    np.testing.assert_allclose(layer(x).numpy(), reference_ln(x.data, k, layer.weight.data, layer.bias.data),
                               rtol=1e-12, atol=1e-12)
    assert tl.gradcheck(lambda x, *params: layer(x), [x, *layer.parameters()])


def test_layer_norm_variants_and_functional():
    rng = np.random.default_rng(21)
    x = tl.tensor(rng.normal(size=(2, 3, 4)), requires_grad=True)
    b = tl.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    assert tl.gradcheck(lambda x: F.layer_norm(x, (3, 4)), [x])
    assert tl.gradcheck(lambda x, b: F.layer_norm(x, (3, 4), None, b), [x, b])
    plain = nn.LayerNorm(4, elementwise_affine=False)
    assert list(plain.parameters()) == [] and repr(plain) == "LayerNorm((4,), eps=1e-05, elementwise_affine=False)"
    no_bias = nn.LayerNorm([3, 4], bias=False)
    assert [n for n, _ in no_bias.named_parameters()] == ["weight"] and no_bias.normalized_shape == (3, 4)
    x32 = tl.tensor(x.data.astype(np.float32), requires_grad=True)
    out = nn.LayerNorm((3, 4))(x32)
    out.sum().backward()
    assert out.dtype == x32.grad.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), reference_ln(x.data, 2, 1.0, 0.0), atol=1e-5)
    assert nn.LayerNorm(4)(tl.zeros(0, 4)).shape == (0, 4)  # an empty batch is fine


def test_layer_norm_bad_inputs():
    layer = nn.LayerNorm((3, 4))
    with pytest.raises(ValueError) as e:
        layer(tl.ones(2, 4, 3))
    assert repr(layer) in str(e.value) and "(2, 4, 3)" in str(e.value)
    with pytest.raises(ValueError, match=r"LayerNorm.*\(4,\)"):
        layer(tl.ones(4))
    with pytest.raises(ValueError, match="normalized_shape"):
        nn.LayerNorm(-1)                     # 0 builds, as in PyTorch
    with pytest.raises(ValueError, match=r"layer_norm: .*\(2, 5\)"):
        F.layer_norm(tl.ones(2, 5), 4)
    with pytest.raises(ValueError, match=r"weight has shape \(3,\)"):
        F.layer_norm(tl.ones(2, 4), 4, tl.ones(3))
