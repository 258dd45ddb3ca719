"""tensorlite.legacy.nn: the older library's losses (probabilities and one-hot targets, one loss
per sample, backward(y, t)), summarize(), RNN, Reshape, BiLinear; and an old-style model's
gradients against the older library's own arithmetic and against loss.backward()."""
import io

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.legacy import nn


@pytest.fixture(autouse=True)
def _float64():
    previous = tl.get_default_dtype()
    tl.set_default_dtype(np.float64)
    tl.manual_seed(0)
    yield
    tl.set_default_dtype(previous)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _probabilities_and_targets(n=6, c=4, seed=0):
    rng = np.random.default_rng(seed)
    y = _softmax(rng.normal(size=(n, c)))
    t = np.eye(c)[rng.integers(0, c, n)]
    return y, t


# -- losses ------------------------------------------------------------------------------------

def test_cross_entropy_forward_is_per_sample_and_reductions_apply():
    y, t = _probabilities_and_targets()
    expected = -np.log(y[t.astype(bool)] + 1e-8)
    per_sample = nn.CrossEntropyLoss().forward(y, t)
    np.testing.assert_allclose(per_sample.data, expected, rtol=1e-12)
    assert per_sample.shape == (6,)
    assert float(nn.CrossEntropyLoss(reduction=np.mean).forward(y, t)) == pytest.approx(expected.mean())
    assert float(nn.CrossEntropyLoss(reduction=np.sum).forward(y, t)) == pytest.approx(expected.sum())
    assert float(nn.CrossEntropyLoss(reduction=lambda v: v.max()).forward(y, t)) == pytest.approx(expected.max())
    # class indices are one-hot encoded
    np.testing.assert_allclose(nn.CrossEntropyLoss().forward(y, t.argmax(1)).data, expected, rtol=1e-12)


def test_cross_entropy_backward_is_the_gradient_at_the_probabilities():
    y, t = _probabilities_and_targets()
    np.testing.assert_allclose(nn.CrossEntropyLoss().backward(y, t), -t / (6 * y), rtol=1e-12)
    # the reduction does not change it (the gradient of the batch mean, as the older library)
    np.testing.assert_allclose(nn.CrossEntropyLoss(reduction=np.sum).backward(y, t), -t / (6 * y))


def test_cross_entropy_backward_through_softmax_is_the_old_convention_at_the_logits():
    logits = np.random.default_rng(1).normal(size=(5, 3))
    t = np.eye(3)[[0, 2, 1, 1, 0]]
    softmax, loss = nn.Softmax(), nn.CrossEntropyLoss()
    y = softmax.forward(logits)
    dz = softmax.backward(loss.backward(y, t))
    np.testing.assert_allclose(dz, (y.data - t) / 5, atol=1e-15)


def test_cross_entropy_backward_stays_finite_for_an_underflowed_probability():
    y = np.array([[0.0, 1.0]], dtype=np.float32)
    g = nn.CrossEntropyLoss().backward(y, np.array([[1.0, 0.0]], dtype=np.float32))
    assert np.isfinite(g).all() and g.dtype == np.float32


def test_cross_entropy_forward_differentiates_on_the_tape():
    logits = np.random.default_rng(2).normal(size=(4, 3))
    t = np.eye(3)[[0, 2, 1, 1]]
    tl.gradcheck(lambda z: nn.CrossEntropyLoss(reduction=np.mean).forward(z.softmax(-1), t),
                 [tl.tensor(logits, requires_grad=True)])


def test_losses_reject_mismatched_targets_and_bad_reductions():
    y, t = _probabilities_and_targets()
    with pytest.raises(ValueError, match=r"CrossEntropyLoss: the target has shape \(6, 3\)"):
        nn.CrossEntropyLoss().forward(y, t[:, :3])
    with pytest.raises(IndexError, match="class index 4"):
        nn.CrossEntropyLoss().forward(y, np.array([0, 1, 2, 3, 4, 0]))
    with pytest.raises(TypeError, match="reduction must be None or a callable"):
        nn.CrossEntropyLoss(reduction="mean")


def test_mean_squared_loss_is_per_sample_and_its_backward_is_the_mean_gradient():
    rng = np.random.default_rng(3)
    y, t = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    loss = nn.MeanSquaredLoss()
    np.testing.assert_allclose(loss.forward(y, t).data, 0.5 * ((y - t) ** 2).sum(1), rtol=1e-12)
    yt = tl.tensor(y, requires_grad=True)
    nn.MeanSquaredLoss(reduction=np.mean).forward(yt, t).backward()
    np.testing.assert_allclose(loss.backward(y, t), yt.grad, rtol=1e-12)
    np.testing.assert_allclose(loss.backward(y, t), (y - t) / 5, rtol=1e-12)


# -- an old-style model: the older library's gradients, and loss.backward() -------------------

class FNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.add_module("linear_0", nn.Linear(8, 6))
        self.add_module("activation_0", nn.ReLU())
        self.add_module("linear_1", nn.Linear(6, 4))
        self.add_module("activation_1", nn.Softmax())

    def forward(self, x):
        for module in self._modules.values():
            x = module.forward(x)
        return x

    def backward(self, delta):
        for module in reversed(self._modules.values()):
            delta = module.backward(delta)
        return delta


def _old_library_gradients(model, x, t):
    """The older library's explicit backward, step by step in NumPy: its loss gave (y - t) / N
    at the logits (its Softmax.backward was the identity), its Linear dW = delta.T x,
    db = sum(delta), dx = delta W, its ReLU din * (a > 0)."""
    w0, b0 = model.linear_0.weight.data, model.linear_0.bias.data
    w1, b1 = model.linear_1.weight.data, model.linear_1.bias.data
    a = np.maximum(0, x @ w0.T + b0)
    y = _softmax(a @ w1.T + b1)
    delta = (y - t) / x.shape[0]
    grads = {"linear_1.weight": delta.T @ a, "linear_1.bias": delta.sum(0)}
    delta = (delta @ w1) * (a > 0)
    grads.update({"linear_0.weight": delta.T @ x, "linear_0.bias": delta.sum(0)})
    return grads, delta @ w0


def test_old_style_model_gets_the_old_librarys_gradients():
    rng = np.random.default_rng(4)
    x, t = rng.normal(size=(10, 8)), np.eye(4)[rng.integers(0, 4, 10)]
    model, loss = FNN(), nn.CrossEntropyLoss()
    y = model.forward(x)
    dx = model.backward(loss.backward(y, t))
    expected, expected_dx = _old_library_gradients(model, x, t)
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, expected[name], rtol=1e-10, atol=1e-14, err_msg=name)
    np.testing.assert_allclose(dx, expected_dx, rtol=1e-10, atol=1e-14)


def test_old_style_backward_equals_loss_backward_on_the_tape():
    rng = np.random.default_rng(5)
    x, t = rng.normal(size=(10, 8)), np.eye(4)[rng.integers(0, 4, 10)]
    model = FNN()
    loss = nn.CrossEntropyLoss(reduction=np.mean, eps=0.0)
    y = model.forward(x)
    model.backward(loss.backward(y, t))
    explicit = {n: p.grad.copy() for n, p in model.named_parameters()}
    model.zero_grad()
    loss.forward(model.forward(x), t).backward()
    for name, p in model.named_parameters():
        np.testing.assert_allclose(p.grad, explicit[name], rtol=1e-10, atol=1e-14, err_msg=name)


def test_summarize_prints_each_submodule_and_the_parameter_count():
    out = io.StringIO()
    FNN().summarize(file=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split()[0] == "linear_0" and "in_features=8, out_features=6" in lines[0]
    assert [line.split()[0] for line in lines[:4]] == ["linear_0", "activation_0", "linear_1", "activation_1"]
    assert lines[-1] == f"Total number of parameters: {8 * 6 + 6 + 6 * 4 + 4}"


# -- RNN ---------------------------------------------------------------------------------------

def _rnn_reference(rnn, x, h0=None):
    h = np.zeros((x.shape[1], rnn.hidden_size)) if h0 is None else h0
    states = [h]
    for step in x:
        h = np.tanh(step @ rnn.Wxh.data.T + h @ rnn.Whh.data.T + rnn.b.data)
        states.append(h)
    return np.stack(states)


def test_rnn_returns_its_states_directly_with_the_old_layout():
    rnn = nn.RNN(3, 5, 2)
    x = np.random.default_rng(6).normal(size=(7, 4, 3))
    h = rnn.forward(x)
    assert h.shape == (8, 4, 5)
    np.testing.assert_allclose(h.data, _rnn_reference(rnn, x), rtol=1e-12)
    h0 = np.random.default_rng(7).normal(size=(4, 5))
    np.testing.assert_allclose(rnn.forward(x, h0).data, _rnn_reference(rnn, x, h0), rtol=1e-12)
    rnn_bf = nn.RNN(3, 5, 2, time_first=False)
    rnn_bf.load_state_dict(rnn.state_dict())
    np.testing.assert_allclose(rnn_bf.forward(x.transpose(1, 0, 2)).data, h.data.transpose(1, 0, 2))
    assert sorted(n for n, _ in rnn.named_parameters()) == ["Whh", "Wxh", "b"]


def test_rnn_gradients_check_and_backward_matches_the_tape():
    rnn = nn.RNN(3, 4, 2)
    x = np.random.default_rng(8).normal(size=(5, 2, 3))
    tl.gradcheck(lambda v: rnn.forward(v)[-1], [tl.tensor(x, requires_grad=True)])
    delta = np.random.default_rng(9).normal(size=(6, 2, 4))
    out = rnn.forward(x)
    dx = rnn.backward(delta)
    explicit = {n: p.grad.copy() for n, p in rnn.named_parameters()}
    rnn.zero_grad()
    xt = tl.tensor(x, requires_grad=True)
    (rnn.forward(xt) * delta).sum().backward()
    np.testing.assert_allclose(dx, xt.grad, rtol=1e-12)
    for name, p in rnn.named_parameters():
        np.testing.assert_allclose(p.grad, explicit[name], rtol=1e-12, err_msg=name)
    assert out.shape == delta.shape


def test_rnn_bptt_truncate_cuts_the_gradient_every_k_steps():
    rnn = nn.RNN(2, 3, 1, bptt_truncate=2)
    xt = tl.tensor(np.random.default_rng(10).normal(size=(6, 1, 2)), requires_grad=True)
    rnn.forward(xt)[-1].sum().backward()
    reached = np.abs(xt.grad).sum(axis=(1, 2)) > 0
    assert reached.tolist() == [False, False, False, False, True, True]
    full = nn.RNN(2, 3, 1)
    xt.grad = None
    full.forward(xt)[-1].sum().backward()
    assert (np.abs(xt.grad).sum(axis=(1, 2)) > 0).all()


def test_rnn_rejects_a_wrong_input_size():
    with pytest.raises(ValueError, match=r"RNN\(input_size=3\): expected input \(T, N, D\) with D = 3"):
        nn.RNN(3, 4, 2).forward(np.zeros((5, 2, 4)))


# -- Reshape and BiLinear ----------------------------------------------------------------------

def test_reshape_reshapes_the_whole_input_and_backward_restores_the_shape():
    layer = nn.Reshape((-1, 1, 4, 4))
    out = layer.forward(np.arange(32.0).reshape(2, 16))
    assert out.shape == (2, 1, 4, 4)
    np.testing.assert_array_equal(layer.backward(np.ones((2, 1, 4, 4))), np.ones((2, 16)))
    assert nn.Reshape(-1).forward(np.zeros((2, 3))).shape == (6,)


def test_bilinear_forward_gradients_and_two_input_backward():
    layer = nn.BiLinear(3, 4, 2)
    rng = np.random.default_rng(11)
    x1, x2 = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    expected = np.einsum("ni,oij,nj->no", x1, layer.weight.data, x2) + layer.bias.data
    np.testing.assert_allclose(layer.forward(x1, x2).data, expected, rtol=1e-12)
    tl.gradcheck(lambda a, b: layer(a, b), [tl.tensor(x1, requires_grad=True), tl.tensor(x2, requires_grad=True)])
    delta = rng.normal(size=(5, 2))
    out = layer.forward(x1, x2)  # held: the module keeps its last call weakly
    dx1, dx2 = layer.backward(delta)
    assert out.shape == delta.shape
    np.testing.assert_allclose(dx1, np.einsum("no,oij,nj->ni", delta, layer.weight.data, x2), rtol=1e-12)
    np.testing.assert_allclose(dx2, np.einsum("no,oij,ni->nj", delta, layer.weight.data, x1), rtol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, np.einsum("no,ni,nj->oij", delta, x1, x2), rtol=1e-12)
    np.testing.assert_allclose(layer.bias.grad, delta.sum(0), rtol=1e-12)


def test_bilinear_with_one_input_uses_it_twice():
    layer = nn.BiLinear(3, 3, 2)
    x = np.random.default_rng(12).normal(size=(4, 3))
    np.testing.assert_allclose(layer.forward(x).data, layer.forward(x, x).data)
    tl.gradcheck(lambda a: layer(a), [tl.tensor(x, requires_grad=True)])
    with pytest.raises(ValueError, match=r"BiLinear.*expected inputs \(\.\.\., 3\) and \(\.\.\., 3\)"):
        layer.forward(np.zeros((4, 2)))


def test_bilinear_matches_torch():
    torch = pytest.importorskip("torch")
    layer = nn.BiLinear(3, 4, 2)
    rng = np.random.default_rng(13)
    x1, x2 = rng.normal(size=(5, 3)), rng.normal(size=(5, 4))
    expected = torch.nn.functional.bilinear(torch.tensor(x1), torch.tensor(x2), torch.tensor(layer.weight.data),
                                            torch.tensor(layer.bias.data))
    np.testing.assert_allclose(layer.forward(x1, x2).data, expected.numpy(), rtol=1e-12)


def test_rnn_backward_takes_the_gradient_of_the_last_state_alone():
    rnn = nn.RNN(3, 4)  # output_size may be left out, as the older library's own RNN example did
    x = np.random.default_rng(14).normal(size=(5, 2, 3))
    delta = np.random.default_rng(15).normal(size=(2, 4))
    states = rnn.forward(x)  # held: the module keeps its last call weakly
    dx = rnn.backward(delta)
    assert states.shape == (6, 2, 4)
    xt = tl.tensor(x, requires_grad=True)
    (rnn.forward(xt)[-1] * delta).sum().backward()
    np.testing.assert_allclose(dx, xt.grad, rtol=1e-12)
