"""The legacy explicit-backward path: ``dout = criterion.backward(); model.backward(dout)``."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn
from tensorlite.autograd import Op


class Spy(Op):
    """x * w, noting for which inputs each backward was asked to compute a gradient."""

    asked: list = []

    def forward(self, x, w):
        self.save(x, w)
        return x * w

    def backward(self, grad):
        x, w = self.saved
        Spy.asked.append(self.needs_input_grad)
        return (None if self.parents[0] is None else grad * w), grad * x


class Scale(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.w = nn.Parameter(np.arange(1, n + 1, dtype=np.float32))

    def forward(self, x):
        return Spy.apply(x, self.w)


class Chain(nn.Module):
    """Seed style: children in _modules, forward and backward loop over them."""

    def __init__(self):
        super().__init__()
        self.add_module("Linear0", nn.Linear(4, 3))
        self.add_module("Scale", Scale(3))
        self.add_module("Linear1", nn.Linear(3, 2))

    def forward(self, x):
        for module in self._modules.values():
            x = module.forward(x)
        return x

    def backward(self, dout):
        for module in reversed(self._modules.values()):
            dout = module.backward(dout)
        return dout


class ChainInherited(Chain):
    """The same model without its own backward: the inherited one walks the whole segment."""

    backward = nn.Module.backward


def _grads(model):
    return {n: p.grad.copy() for n, p in model.named_parameters()}


@pytest.mark.parametrize("cls", [Chain, ChainInherited])
def test_legacy_matches_loss_backward_and_returns_dx(cls):
    tl.manual_seed(0)
    model = cls()
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    y = np.random.default_rng(1).standard_normal((5, 2)).astype(np.float32)

    out = model.forward(x)
    loss = ((out - y) ** 2).mean()
    loss.backward()
    modern = _grads(model)
    xt = tl.tensor(x, requires_grad=True)
    (dx_expected,) = tl.grad(((model(xt) - y) ** 2).mean(), [xt])

    model.zero_grad()
    out = model.forward(x)
    dout = 2 * (out.data - y) / out.size
    dx = model.backward(dout)
    assert isinstance(dx, np.ndarray) and dx.dtype == np.float32
    np.testing.assert_allclose(dx, dx_expected, rtol=1e-5, atol=1e-7)
    legacy = _grads(model)
    assert modern.keys() == legacy.keys()
    for name in modern:
        np.testing.assert_allclose(legacy[name], modern[name], rtol=1e-5, atol=1e-7, err_msg=name)


def test_segment_stops_at_the_module_input():
    model = Chain()
    out = model.forward(np.ones((2, 4), dtype=np.float32))
    d_mid = model.Linear1.backward(np.ones_like(out.data))
    assert d_mid.shape == (2, 3)
    assert model.Linear1.weight.grad is not None
    assert model.Scale.w.grad is None and model.Linear0.weight.grad is None  # earlier: untouched
    model.Scale.backward(d_mid)
    assert model.Scale.w.grad is not None and model.Linear0.weight.grad is None


def test_input_gradient_costs_nothing_on_the_ordinary_path():
    layer = Scale(3)
    Spy.asked.clear()
    layer(np.ones((2, 3), dtype=np.float32)).sum().backward()
    assert Spy.asked == [(False, True)]  # the plain-array input's gradient was not computed
    layer.forward(np.ones((2, 3), dtype=np.float32))
    dx = layer.backward(np.ones((2, 3), dtype=np.float32))
    assert Spy.asked[-1] == (True, True)
    np.testing.assert_array_equal(dx, np.tile([1, 2, 3], (2, 1)))
    assert layer.w.grad.tolist() == [4, 4, 4]  # two backward calls, each accumulating 2 per element


def test_both_paths_on_one_forward_accumulate_twice_or_raise():
    layer = nn.Linear(3, 2)
    x = np.ones((4, 3), dtype=np.float32)
    out = layer.forward(x)
    out.sum().backward(retain_graph=True)
    once = layer.weight.grad.copy()
    layer.backward(np.ones((4, 2), dtype=np.float32))
    np.testing.assert_allclose(layer.weight.grad, 2 * once)
    out = layer.forward(x)
    out.sum().backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        layer.backward(np.ones((4, 2), dtype=np.float32))


class TwoInputs(nn.Module):
    def forward(self, x, pair):
        a, b = pair
        return x * a + b, (x * b).sum()


def test_several_inputs_and_outputs():
    m = TwoInputs()
    x = np.full(3, 2.0, dtype=np.float32)
    a = tl.tensor([1.0, 2.0, 3.0])
    b = np.ones(3, dtype=np.float32)
    m.forward(x, (a, b))
    dx, (da, db) = m.backward(np.ones(3, dtype=np.float32))  # dout for the first output only
    np.testing.assert_array_equal(dx, [1, 2, 3])
    np.testing.assert_array_equal(da, [2, 2, 2])
    np.testing.assert_array_equal(db, [1, 1, 1])
    m.forward(x, (a, b))
    dx, (da, db) = m.backward((None, np.float32(1.0)))  # only the second output
    np.testing.assert_array_equal(dx, [1, 1, 1])
    assert da is None
    np.testing.assert_array_equal(db, [2, 2, 2])


def test_integer_inputs_get_none():
    class Pick(nn.Module):
        def forward(self, x, idx):
            return x[idx]

    m = Pick()
    m.forward(np.arange(4, dtype=np.float32), np.array([0, 0, 3]))
    dx, didx = m.backward(np.ones(3, dtype=np.float32))
    np.testing.assert_array_equal(dx, [2, 0, 0, 1])
    assert didx is None


def test_scalar_output_needs_no_dout():
    class Energy(nn.Module):
        def forward(self, x):
            return (x * x).sum()

    m = Energy()
    m.forward(np.array([1.0, -2.0], dtype=np.float32))
    np.testing.assert_array_equal(m.backward(), [2, -4])


def test_errors_name_the_module():
    layer = nn.Linear(3, 2)
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=3.*no recorded forward"):
        layer.backward(np.ones((1, 2)))
    with tl.no_grad():
        layer.forward(np.ones((1, 3), dtype=np.float32))
    with pytest.raises(RuntimeError, match="no_grad"):
        layer.backward(np.ones((1, 2)))
    layer.forward(np.ones((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"dout has shape \(2, 2\).*shape \(1, 2\)"):
        layer.backward(np.ones((2, 2)))
    with pytest.raises(RuntimeError, match="only a scalar output"):
        layer.backward()


def test_forward_converts_arrays_and_keeps_user_tensors_untouched():
    layer = nn.Linear(3, 2)
    x = tl.ones(1, 3)
    layer(x).sum().backward()
    assert x.grad is None and not x.requires_grad
    with tl.no_grad():
        assert isinstance(layer.forward(np.ones((1, 3), dtype=np.float32)), tl.Tensor)


def test_lstm_backward_takes_a_gradient_per_output_shaped_like_the_outputs():
    tl.set_default_dtype(np.float64)
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = np.random.default_rng(0).standard_normal((5, 2, 3))
    xt = tl.tensor(x, requires_grad=True)
    out, (h, c) = lstm(xt)
    rng = np.random.default_rng(1)
    g = [rng.standard_normal(t.shape) for t in (out, h, c)]
    expected_all, expected_out = tl.grad([out, h, c], [xt], grad_outputs=g, retain_graph=True)[0], \
        tl.grad(out, [xt], grad_outputs=g[0])[0]
    lstm.forward(x)
    np.testing.assert_allclose(lstm.backward((g[0], (g[1], g[2]))), expected_all, rtol=1e-10)
    lstm.forward(x)
    np.testing.assert_allclose(lstm.backward(g[0]), expected_out, rtol=1e-10)  # output only


def test_loss_targets_are_not_tracked():
    criterion = nn.BCELoss()
    p = tl.tensor([0.2, 0.7], requires_grad=True)
    y = np.array([0.0, 1.0], dtype=np.float32)
    criterion(p, y)
    assert criterion._last_call.input_keys[1] is None  # the float target got no optional leaf
    assert criterion.backward().shape == (2,)


def test_masking_holds_with_many_live_graphs():
    layer = nn.Linear(2, 2)
    kept = [layer(np.ones((1, 2), dtype=np.float32)) for _ in range(2000)]  # graphs kept alive
    Spy.asked.clear()
    scale = Scale(2)
    scale(np.ones(2, dtype=np.float32)).sum().backward()
    assert Spy.asked == [(False, True)] and len(kept) == 2000
