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
    out = model.forward(x)  # a plain array: its gradient is not asked for
    dout = 2 * (out.data - y) / out.size
    assert model.backward(dout) is None
    legacy = _grads(model)
    for name in modern:
        np.testing.assert_allclose(legacy[name], modern[name], rtol=1e-5, atol=1e-7, err_msg=name)

    model.zero_grad()
    xt = tl.tensor(x, requires_grad=True)  # an input that requires grad: dL/dx comes back
    out = model.forward(xt)
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


def test_an_input_that_needs_no_gradient_is_never_differentiated():
    layer = Scale(3)
    Spy.asked.clear()
    layer(np.ones((2, 3), dtype=np.float32)).sum().backward()
    assert Spy.asked == [(False, True)]  # the plain-array input's gradient was not computed
    out = layer.forward(np.ones((2, 3), dtype=np.float32))
    assert layer.backward(np.ones((2, 3), dtype=np.float32)) is None
    assert Spy.asked[-1] == (False, True) and out.requires_grad
    out = layer.forward(tl.ones(2, 3, requires_grad=True))
    dx = layer.backward(np.ones((2, 3), dtype=np.float32))
    assert Spy.asked[-1] == (True, True)
    np.testing.assert_array_equal(dx, np.tile([1, 2, 3], (2, 1)))
    assert layer.w.grad.tolist() == [6, 6, 6]  # three backward calls, each accumulating 2 per element


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
    x = tl.full((3,), 2.0, requires_grad=True)
    a = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = np.ones(3, dtype=np.float32)  # needs no gradient: None comes back for it
    outs = m.forward(x, (a, b))
    dx, (da, db) = m.backward(np.ones(3, dtype=np.float32))  # dout for the first output only
    np.testing.assert_array_equal(dx, [1, 2, 3])
    np.testing.assert_array_equal(da, [2, 2, 2])
    assert db is None
    outs = m.forward(x, (a, b))
    dx, (da, db) = m.backward((None, np.float32(1.0)))  # only the second output
    np.testing.assert_array_equal(dx, [1, 1, 1])
    assert da is None and db is None and len(outs) == 2


def test_integer_inputs_get_none():
    class Pick(nn.Module):
        def forward(self, x, idx):
            return x[idx]

    m = Pick()
    out = m.forward(tl.arange(4.0, requires_grad=True), np.array([0, 0, 3]))
    dx, didx = m.backward(np.ones(3, dtype=np.float32))
    np.testing.assert_array_equal(dx, [2, 0, 0, 1])
    assert didx is None and out.shape == (3,)


def test_scalar_output_needs_no_dout():
    class Energy(nn.Module):
        def forward(self, x):
            return (x * x).sum()

    m = Energy()
    energy = m.forward(tl.tensor([1.0, -2.0], requires_grad=True))
    np.testing.assert_array_equal(m.backward(), [2, -4])
    assert energy.item() == 5


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
    outputs = lstm.forward(xt)
    np.testing.assert_allclose(lstm.backward((g[0], (g[1], g[2]))), expected_all, rtol=1e-10)
    outputs = lstm.forward(xt)
    np.testing.assert_allclose(lstm.backward(g[0]), expected_out, rtol=1e-10)  # output only
    assert outputs[0].shape == (5, 2, 4)


def test_loss_targets_are_not_tracked():
    criterion = nn.BCELoss()
    p = tl.tensor([0.2, 0.7], requires_grad=True)
    y = np.array([0.0, 1.0], dtype=np.float32)
    loss = criterion(p, y)
    assert criterion._last_call.input_nodes[1] is None  # the target needs no gradient: not tracked
    assert criterion.backward().shape == (2,) and loss.shape == ()


def test_layers_and_functions_agree_on_requires_grad():
    x = tl.tensor([-1.0, 2.0])
    assert nn.ReLU()(x).requires_grad is tl.relu(x).requires_grad is False
    assert nn.Linear(2, 2)(x).requires_grad  # its parameters require grad
    assert not nn.Softmax()(np.ones(3, dtype=np.float32)).requires_grad


def test_a_frozen_model_records_nothing_and_says_how_to_get_dx():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    for p in model.parameters():
        p.requires_grad_(False)
    out = model(np.ones((2, 3), dtype=np.float32))
    assert out.grad_fn is None and not out.requires_grad
    with pytest.raises(RuntimeError, match=r"recorded nothing.*requires_grad=True"):
        model.backward(np.ones((2, 2), dtype=np.float32))
    x = tl.ones(2, 3, requires_grad=True)
    out = model(x)
    assert model.backward(np.ones((2, 2), dtype=np.float32)).shape == (2, 3)
    assert all(p.grad is None for p in model.parameters())


def test_backward_after_the_output_was_dropped_says_why():
    layer = nn.Linear(3, 2)
    layer.forward(np.ones((1, 3), dtype=np.float32))  # the output is not kept
    with pytest.raises(RuntimeError, match=r"Linear\(in_features=3.*graph of the last forward call was freed"):
        layer.backward(np.ones((1, 2), dtype=np.float32))


def test_dropping_the_output_frees_the_graph_and_dropping_the_model_frees_it():
    import gc
    import weakref

    gc.collect()
    gc.disable()
    try:
        model = nn.Sequential(nn.Linear(30, 20), nn.ReLU(), nn.Linear(20, 10))
        out = model(np.ones((4, 30), dtype=np.float32))
        entry = weakref.ref(out._ctx)
        activations = [weakref.ref(e) for e in _entries(out)]
        del out
        assert entry() is None and all(a() is None for a in activations)  # no cycle holds them

        loss = model(np.ones((4, 30), dtype=np.float32)).sum()
        loss.backward()
        model_ref, param_ref = weakref.ref(model), weakref.ref(model[0].weight)
        del model, loss
        assert model_ref() is None and param_ref() is None  # freed by reference counting alone
    finally:
        gc.enable()


def _entries(t):
    seen, stack = [], [t._ctx]
    while stack:
        e = stack.pop()
        seen.append(e)
        stack.extend(p for p in e.parents if isinstance(p, tl.autograd.Op))
    return seen


def test_a_layer_without_parameters_on_a_plain_input_returns_none():
    # the seed's loop `dout = m.backward(dout)` ends at the first layer; a Flatten there has
    # nothing to walk (its input needs no gradient) and returns None instead of raising
    model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    out = model[1].forward(model[0].forward(np.ones((3, 2, 2), dtype=np.float32)))
    dout = model[1].backward(np.ones((3, 2), dtype=np.float32))
    assert dout is None  # the Flatten output needs no gradient: dL/d(it) is not computed
    assert model[0].backward(np.ones((3, 4), dtype=np.float32)) is None
    assert model[1].weight.grad is not None and out.shape == (3, 2)
