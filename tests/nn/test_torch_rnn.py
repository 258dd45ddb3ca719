"""RNN, LSTM, GRU and their cells against PyTorch: weights copied through a state_dict converted
to NumPy, then outputs, final states and every gradient (input, initial state, parameters)
compared in float64."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn

torch = pytest.importorskip("torch")

MODES = {
    "rnn_tanh": ("RNN", "RNNCell", {}),
    "rnn_relu": ("RNN", "RNNCell", {"nonlinearity": "relu"}),
    "lstm": ("LSTM", "LSTMCell", {}),
    "gru": ("GRU", "GRUCell", {}),
}
TOL = dict(rtol=1e-9, atol=1e-11)


def pair(mode, *args, cell=False, **kw):
    """A tensorlite module and a PyTorch one with the same float64 weights."""
    layer, cell_name, extra = MODES[mode]
    name = cell_name if cell else layer
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(*args, **extra, **kw).double()
    tl.set_default_dtype(np.float64)
    ours = getattr(nn, name)(*args, **extra, **kw)
    state = {k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    ours.load_state_dict(state)
    return ours, theirs


def as_list(mode, result, cell=False):
    if cell:
        return list(result) if mode == "lstm" else [result]
    out, state = result
    return [out, *state] if mode == "lstm" else [out, state]


def assert_matches_torch(mode, ours, theirs, inputs, make_args, cell=False):
    """Run both on ``inputs`` (arrays), backpropagate one random cotangent per output, compare."""
    ts = [torch.tensor(a, requires_grad=True) for a in inputs]
    ls = [tl.tensor(a, requires_grad=True) for a in inputs]
    t_outs = as_list(mode, theirs(*make_args(ts)), cell)
    l_outs = as_list(mode, ours(*make_args(ls)), cell)
    rng = np.random.default_rng(0)
    cotangents = [rng.standard_normal(tuple(o.shape)) for o in t_outs]
    assert len(l_outs) == len(t_outs)
    for lo, to in zip(l_outs, t_outs):
        assert lo.shape == tuple(to.shape)
        np.testing.assert_allclose(lo.data, to.detach().numpy(), **TOL)
    sum((o * torch.tensor(c)).sum() for o, c in zip(t_outs, cotangents)).backward()
    sum((o * tl.tensor(c)).sum() for o, c in zip(l_outs, cotangents)).backward()
    for lt, tt in zip(ls, ts):
        np.testing.assert_allclose(lt.grad, tt.grad.numpy(), **TOL)
    t_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, t_params[name].grad.numpy(), err_msg=name, **TOL)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_layer_against_torch(mode, batch_first, with_state, bidirectional):
    ours, theirs = pair(mode, 3, 4, num_layers=2, batch_first=batch_first, bidirectional=bidirectional)
    rng = np.random.default_rng(1)
    layers = 4 if bidirectional else 2
    inputs = [rng.standard_normal((2, 5, 3) if batch_first else (5, 2, 3))]
    if with_state:
        inputs += [rng.standard_normal((layers, 2, 4)) for _ in range(2 if mode == "lstm" else 1)]

    def make_args(ts):
        if not with_state:
            return (ts[0],)
        return (ts[0], tuple(ts[1:]) if mode == "lstm" else ts[1])

    assert_matches_torch(mode, ours, theirs, inputs, make_args)


@pytest.mark.parametrize("mode", MODES)
def test_unbatched_and_no_bias_against_torch(mode):
    ours, theirs = pair(mode, 3, 4, num_layers=2, bidirectional=True, bias=False)
    rng = np.random.default_rng(2)
    inputs = [rng.standard_normal((6, 3))] + [rng.standard_normal((4, 4))
                                              for _ in range(2 if mode == "lstm" else 1)]
    assert_matches_torch(mode, ours, theirs, inputs, lambda ts: (ts[0], tuple(ts[1:]) if mode == "lstm" else ts[1]))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("batched", [False, True])
def test_cell_against_torch(mode, with_state, batched):
    ours, theirs = pair(mode, 3, 4, cell=True)
    rng = np.random.default_rng(3)
    lead = (2,) if batched else ()
    inputs = [rng.standard_normal(lead + (3,))]
    if with_state:
        inputs += [rng.standard_normal(lead + (4,)) for _ in range(2 if mode == "lstm" else 1)]

    def make_args(ts):
        if not with_state:
            return (ts[0],)
        return (ts[0], tuple(ts[1:]) if mode == "lstm" else ts[1])

    assert_matches_torch(mode, ours, theirs, inputs, make_args, cell=True)


def test_float32_state_dict_from_torch():
    """A float32 PyTorch LSTM's state_dict loads into the default float32 layer; same outputs."""
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(5, 7, num_layers=2, batch_first=True, bidirectional=True)
    ours = nn.LSTM(5, 7, num_layers=2, batch_first=True, bidirectional=True)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((3, 9, 5)).astype(np.float32)
    out, (h, c) = ours(x)
    t_out, (t_h, t_c) = theirs(torch.tensor(x))
    assert out.dtype == np.float32
    for a, b in ((out, t_out), (h, t_h), (c, t_c)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_repr_matches_torch():
    for args, kw in [((4, 8), dict(num_layers=2, batch_first=True, bidirectional=True)),
                     ((3, 5), dict(bias=False, dropout=0.5, num_layers=3))]:
        for name in ("LSTM", "GRU"):
            assert repr(getattr(nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))
    for name in ("RNNCell", "LSTMCell", "GRUCell"):
        assert repr(getattr(nn, name)(3, 4, bias=False)) == repr(getattr(torch.nn, name)(3, 4, bias=False))
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == repr(torch.nn.RNNCell(3, 4, nonlinearity="relu"))


def test_default_init_range_matches_torch():
    ours, theirs = nn.GRU(6, 9, num_layers=2), torch.nn.GRU(6, 9, num_layers=2)
    for (name, p), (t_name, tp) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == t_name and p.shape == tuple(tp.shape)
        bound = np.abs(tp.detach().numpy()).max()
        assert np.abs(p.data).max() <= 1 / 3 and bound <= 1 / 3  # 1/sqrt(9)
