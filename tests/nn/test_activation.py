"""Activation ops and modules: values against NumPy, gradients against finite differences,
stability at +-1e4, reprs and the legacy ``backward(dout)``."""
import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn


def t64(a, requires_grad=False):
    return tl.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def away_from(values, points, margin=1e-3):
    """``values`` nudged so that no element is within ``margin`` of a kink in ``points``."""
    for p in points:
        close = np.abs(values - p) < margin
        values = np.where(close, p + 2 * margin, values)
    return values


X = away_from(np.random.default_rng(0).standard_normal((3, 5)) * 3, [0.0])


# -- NumPy references ----------------------------------------------------------------------------

def ref_softplus(x, beta=1.0, threshold=20.0):
    x = np.asarray(x, dtype=np.float64)
    z = beta * x
    with np.errstate(over="ignore"):
        smooth = np.log1p(np.exp(np.minimum(z, 700))) / beta
    return np.where(z > threshold, x, smooth)


def ref_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


REFERENCES = [
    (lambda: nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (lambda: nn.Tanh(), np.tanh),
    (lambda: nn.ReLU(), lambda x: np.maximum(x, 0)),
    (lambda: nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x)),
    (lambda: nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (lambda: nn.Softplus(), ref_softplus),
    (lambda: nn.Softplus(beta=2, threshold=3), lambda x: ref_softplus(x, 2, 3)),
    (lambda: nn.Softplus(beta=0.5, threshold=1), lambda x: ref_softplus(x, 0.5, 1)),
    (lambda: nn.Softmax(), lambda x: ref_softmax(x, -1)),
    (lambda: nn.Softmax(dim=0), lambda x: ref_softmax(x, 0)),
    (lambda: nn.LogSoftmax(), lambda x: np.log(ref_softmax(x, -1))),
    (lambda: nn.LogSoftmax(dim=0), lambda x: np.log(ref_softmax(x, 0))),
]


@pytest.mark.parametrize("make,ref", REFERENCES)
def test_module_values_and_gradients(make, ref):
    layer = make()
    x = X
    if isinstance(layer, nn.Softplus):  # keep off the threshold, where the rule switches
        x = away_from(x, [layer.threshold / layer.beta])
    np.testing.assert_allclose(layer(t64(x)).data, ref(x), rtol=1e-12, atol=1e-14)
    assert tl.gradcheck(lambda a: layer(a), [t64(x, requires_grad=True)])


@pytest.mark.parametrize("make,ref", REFERENCES)
def test_float32_stays_float32(make, ref):
    x = tl.tensor(X.astype(np.float32), requires_grad=True)
    out = make()(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_allclose(out.data, ref(X.astype(np.float32).astype(np.float64)), rtol=1e-5, atol=1e-6)


def test_functional_forms():
    x = t64(X)
    np.testing.assert_allclose(F.leaky_relu(x, 0.3).data, np.where(X > 0, X, 0.3 * X))
    np.testing.assert_allclose(F.softplus(x, beta=3, threshold=5).data, ref_softplus(X, 3, 5), rtol=1e-12)


def test_leaky_relu_gradient_at_zero_is_the_slope():
    x = t64([0.0, -1.0, 1.0], requires_grad=True)
    (g,) = tl.grad(F.leaky_relu(x, 0.25).sum(), [x])
    np.testing.assert_array_equal(g, [0.25, 0.25, 1.0])


def test_softplus_threshold_region_is_the_identity():
    x = t64([10.0, 10.5, 11.0], requires_grad=True)
    out = F.softplus(x, beta=2, threshold=20)  # beta * x > 20 only for 10.5 and 11
    np.testing.assert_array_equal(out.data[1:], [10.5, 11.0])
    np.testing.assert_allclose(out.data[0], np.log1p(np.exp(20.0)) / 2, rtol=1e-14)
    (g,) = tl.grad(out.sum(), [x])
    np.testing.assert_array_equal(g[1:], 1.0)
    np.testing.assert_allclose(g[0], 1 / (1 + np.exp(-20.0)), rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("fn", [
    F.sigmoid, F.tanh, F.leaky_relu,
    F.softplus,
    lambda x: F.softplus(x, beta=1, threshold=1e9),  # no linear region: the stable formula alone
    lambda x: F.softplus(x, beta=-2),
])
def test_extreme_inputs_give_finite_values_and_gradients(dtype, fn):
    x = tl.tensor(np.array([-1e4, -100.0, 0.0, 100.0, 1e4], dtype=dtype), requires_grad=True)
    out = fn(x)
    (g,) = tl.grad(out.sum(), [x])
    assert out.dtype == dtype and g.dtype == dtype
    assert np.isfinite(out.data).all() and np.isfinite(g).all()


def test_softplus_large_inputs_are_accurate_without_the_threshold():
    x = t64([-1e4, -50.0, 50.0, 1e4])
    np.testing.assert_allclose(F.softplus(x, threshold=1e9).data, [0, np.exp(-50.0), 50, 1e4], rtol=1e-14)


def test_reprs():
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.Softplus(beta=2)) == "Softplus(beta=2, threshold=20.0)"  # as PyTorch shows it
    assert repr(nn.Softmax()) == "Softmax(dim=-1)"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.LogSoftmax()) == "LogSoftmax(dim=-1)"
    assert repr(nn.ReLU()) == "ReLU()" and repr(nn.Sigmoid()) == "Sigmoid()" and repr(nn.Tanh()) == "Tanh()"


def test_softmax_without_dim_uses_the_last_axis():
    x = np.random.default_rng(1).standard_normal((2, 3, 4))
    np.testing.assert_allclose(nn.Softmax()(t64(x)).data.sum(axis=-1), 1.0)
    np.testing.assert_allclose(nn.LogSoftmax()(t64(x)).data, np.log(ref_softmax(x, -1)), rtol=1e-12)


def test_bad_arguments():
    with pytest.raises(ValueError, match="softplus: beta"):
        F.softplus(tl.zeros(2), beta=0)
    with pytest.raises(ValueError, match="Softplus: beta"):
        nn.Softplus(beta=0.0)
    with pytest.raises(TypeError, match="Softplus: threshold"):
        nn.Softplus(threshold=None)
    with pytest.raises(TypeError, match="leaky_relu: negative_slope"):
        F.leaky_relu(tl.zeros(2), negative_slope="0.1")
    with pytest.raises(IndexError, match="softmax"):
        nn.Softmax(dim=2)(tl.zeros(2, 3))


@pytest.mark.parametrize("make,ref", REFERENCES)
def test_legacy_backward_returns_input_gradient(make, ref):
    layer = make()
    out = layer.forward(t64(X, requires_grad=True))  # an input that requires grad
    dout = np.random.default_rng(2).standard_normal(X.shape)
    dx = layer.backward(dout)
    assert out.shape == X.shape
    x = t64(X, requires_grad=True)
    np.testing.assert_allclose(dx, tl.grad(make()(x), [x], dout)[0], rtol=1e-12)
