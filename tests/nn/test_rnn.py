"""Recurrent layers: RNN (tanh, relu), LSTM, GRU and their cells.

Values are checked against a plain NumPy implementation of PyTorch's equations, gradients through
time against finite differences (float64, 2 layers x bidirectional x batch_first, with and without
an initial state), plus dropout between layers, shapes, repr, state_dict keys and bad inputs.
"""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn

MODES = {
    "rnn_tanh": (nn.RNN, nn.RNNCell, {}),
    "rnn_relu": (nn.RNN, nn.RNNCell, {"nonlinearity": "relu"}),
    "lstm": (nn.LSTM, nn.LSTMCell, {}),
    "gru": (nn.GRU, nn.GRUCell, {}),
}


def make(mode, *args, cell=False, seed=0, **kw):
    layer, cell_cls, extra = MODES[mode]
    tl.manual_seed(seed)
    return (cell_cls if cell else layer)(*args, **extra, **kw)


# ---------------------------------------------------------------------------------------------
# A NumPy reference of PyTorch's equations

def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def np_cell(mode, x, state, w_ih, w_hh, b_ih, b_hh):
    """One step; ``state`` is (h,) or (h, c)."""
    gx, gh = x @ w_ih.T + b_ih, state[0] @ w_hh.T + b_hh
    h = state[0]
    n = h.shape[-1]
    if mode == "lstm":
        i, f, g, o = (gx + gh)[..., :n], (gx + gh)[..., n:2 * n], (gx + gh)[..., 2 * n:3 * n], (gx + gh)[..., 3 * n:]
        c = sigmoid(f) * state[1] + sigmoid(i) * np.tanh(g)
        return sigmoid(o) * np.tanh(c), c
    if mode == "gru":
        r = sigmoid(gx[..., :n] + gh[..., :n])
        z = sigmoid(gx[..., n:2 * n] + gh[..., n:2 * n])
        new = np.tanh(gx[..., 2 * n:] + r * gh[..., 2 * n:])
        return ((1 - z) * new + z * h,)
    pre = gx + gh
    return (np.tanh(pre) if mode == "rnn_tanh" else np.maximum(pre, 0),)


def np_layer(mode, module, x, hx=None):
    """The whole multi-layer, maybe bidirectional layer, from its state_dict: (L, N, H_in) in."""
    sd = module.state_dict()
    dirs = 2 if module.bidirectional else 1
    hidden, steps, batch = module.hidden_size, x.shape[0], x.shape[1]
    if hx is None:
        zeros = np.zeros((module.num_layers * dirs, batch, hidden))
        hx = (zeros, zeros) if mode == "lstm" else (zeros,)
    finals = []
    for layer in range(module.num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            params = [sd[f"{w}{sfx}"] for w in ("weight_ih", "weight_hh")]
            params += [sd.get(f"{b}{sfx}", np.zeros(len(params[0]))) for b in ("bias_ih", "bias_hh")]
            state = tuple(s[k] for s in hx)
            out = np.zeros((steps, batch, hidden))
            for t in (reversed(range(steps)) if d else range(steps)):
                state = np_cell(mode, x[t], state, *params)
                out[t] = state[0]
            outs.append(out)
            finals.append(state)
        x = np.concatenate(outs, axis=-1)
    return x, tuple(np.stack([f[j] for f in finals]) for j in range(len(hx)))


# ---------------------------------------------------------------------------------------------
# Values


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_layer_matches_numpy_reference(mode, batch_first, with_state):
    tl.set_default_dtype(np.float64)
    m = make(mode, 3, 4, num_layers=2, bidirectional=True, batch_first=batch_first)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 2, 3))  # (L, N, H_in)
    hx = None
    if with_state:
        hx = tuple(rng.standard_normal((4, 2, 4)) for _ in range(2 if mode == "lstm" else 1))
    want_out, want_state = np_layer(mode, m, x, hx)
    arg = None if hx is None else (hx if mode == "lstm" else hx[0])
    out, state = m(x.transpose(1, 0, 2) if batch_first else x, arg)
    state = state if mode == "lstm" else (state,)
    np.testing.assert_allclose(out.data, want_out.transpose(1, 0, 2) if batch_first else want_out,
                               rtol=1e-12, atol=1e-12)
    assert len(state) == len(want_state)
    for got, want in zip(state, want_state):
        np.testing.assert_allclose(got.data, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("with_state", [False, True])
def test_cell_matches_numpy_reference(mode, with_state):
    tl.set_default_dtype(np.float64)
    cell = make(mode, 3, 4, cell=True)
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3))
    n_state = 2 if mode == "lstm" else 1
    state = tuple(rng.standard_normal((2, 4)) for _ in range(n_state)) if with_state else \
        tuple(np.zeros((2, 4)) for _ in range(n_state))
    want = np_cell(mode, x, state, cell.weight_ih.data, cell.weight_hh.data, cell.bias_ih.data,
                   cell.bias_hh.data)
    hx = (state if mode == "lstm" else state[0]) if with_state else None
    got = cell(x, hx)
    got = got if mode == "lstm" else (got,)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.data, w, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_no_bias(mode):
    tl.set_default_dtype(np.float64)
    m = make(mode, 3, 4, bias=False, bidirectional=True)
    assert [n for n, _ in m.named_parameters()] == [
        "weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse"]
    x = np.random.default_rng(3).standard_normal((4, 2, 3))
    np.testing.assert_allclose(m(x)[0].data, np_layer(mode, m, x)[0], rtol=1e-12, atol=1e-12)
    cell = make(mode, 3, 4, bias=False, cell=True)
    assert cell.bias_ih is None and [n for n, _ in cell.named_parameters()] == ["weight_ih", "weight_hh"]
    want = np_cell(mode, x[0], (np.zeros((2, 4)),) * 2, cell.weight_ih.data, cell.weight_hh.data, 0, 0)
    got = cell(x[0])
    np.testing.assert_allclose((got[0] if mode == "lstm" else got).data, want[0], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", MODES)
def test_unbatched_equals_batch_of_one(mode):
    m = make(mode, 3, 4, num_layers=2, bidirectional=True, batch_first=True)
    x = np.random.default_rng(4).standard_normal((5, 3)).astype(np.float32)
    hx = np.random.default_rng(5).standard_normal((4, 4)).astype(np.float32)
    hx = (hx, hx * 2) if mode == "lstm" else hx
    out, state = m(x, hx)
    batched_hx = tuple(h[:, None] for h in hx) if mode == "lstm" else hx[:, None]
    out1, state1 = m(x[None], batched_hx)
    assert out.shape == (5, 8)
    np.testing.assert_allclose(out.data, out1.data[0], rtol=1e-6)
    for s, s1 in zip(state if mode == "lstm" else (state,), state1 if mode == "lstm" else (state1,)):
        assert s.shape == (4, 4)
        np.testing.assert_allclose(s.data, s1.data[:, 0], rtol=1e-6)
    cell = make(mode, 3, 4, cell=True)
    single, batch = cell(x[0]), cell(x[:1])
    for s, b in zip(single if mode == "lstm" else (single,), batch if mode == "lstm" else (batch,)):
        assert s.shape == (4,)
        np.testing.assert_allclose(s.data, b.data[0], rtol=1e-6)


def test_shapes_and_float32():
    lstm = nn.LSTM(4, 8, num_layers=3, bidirectional=True, batch_first=True)
    x = tl.randn(2, 7, 4, requires_grad=True)
    out, (h, c) = lstm(x)
    assert out.shape == (2, 7, 16) and h.shape == c.shape == (6, 2, 8)
    assert out.dtype == h.dtype == c.dtype == np.float32
    (out.sum() + h.sum() + c.sum()).backward()
    assert x.grad.dtype == np.float32 and all(p.grad.dtype == np.float32 for p in lstm.parameters())
    assert lstm.weight_ih_l1.shape == (32, 16) and lstm.weight_hh_l2_reverse.shape == (32, 8)
    gru = nn.GRU(4, 8)
    out, h = gru(tl.randn(7, 2, 4))
    assert out.shape == (7, 2, 8) and h.shape == (1, 2, 8)
    np.testing.assert_array_equal(out.data[-1], h.data[0])  # last step of the last layer


def test_int_input_is_cast_to_the_parameters_dtype():
    out, _ = nn.RNN(2, 3)(np.ones((4, 1, 2), dtype=np.int64))
    assert out.dtype == np.float32


def test_init_is_uniform_within_pytorch_bound():
    m = nn.LSTM(5, 16, num_layers=2)
    bound = 1 / np.sqrt(16)
    for p in m.parameters():
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.8 * bound
    tl.manual_seed(3)
    a = nn.GRU(5, 16).weight_hh_l0.data.copy()
    tl.manual_seed(3)
    np.testing.assert_array_equal(a, nn.GRU(5, 16).weight_hh_l0.data)


def test_state_dict_keys_follow_pytorch():
    m = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    keys = [f"{w}_l{k}{s}" for k in range(2) for s in ("", "_reverse")
            for w in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]
    assert list(m.state_dict()) == keys
    assert [len(ws) for ws in m.all_weights] == [4, 4, 4, 4]
    assert list(nn.GRUCell(3, 4).state_dict()) == ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
    other = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    x = np.random.default_rng(0).standard_normal((3, 2, 3)).astype(np.float32)
    other.load_state_dict({k: v.copy() for k, v in m.state_dict().items()})
    np.testing.assert_array_equal(other(x)[0].data, m(x)[0].data)


def test_repr_like_pytorch():
    assert repr(nn.LSTM(4, 8, num_layers=2, batch_first=True, bidirectional=True)) == \
        "LSTM(4, 8, num_layers=2, batch_first=True, bidirectional=True)"
    assert repr(nn.GRU(3, 5, bias=False, dropout=0.5, num_layers=2)) == \
        "GRU(3, 5, num_layers=2, bias=False, dropout=0.5)"
    assert repr(nn.RNN(3, 5)) == "RNN(3, 5)"
    assert repr(nn.RNN(3, 5, nonlinearity="relu")) == "RNN(3, 5, nonlinearity=relu)"
    assert repr(nn.RNNCell(3, 4, bias=False, nonlinearity="relu")) == "RNNCell(3, 4, bias=False, nonlinearity=relu)"
    assert repr(nn.LSTMCell(3, 4)) == "LSTMCell(3, 4)"
    assert repr(nn.GRUCell(3, 4)) == "GRUCell(3, 4)"
    assert nn.RNN(3, 5, nonlinearity="relu").nonlinearity == "relu"


# ---------------------------------------------------------------------------------------------
# Gradients through time


def _outputs(mode, result):
    out, state = result
    return [out, *state] if mode == "lstm" else [out, state]


# Each factor in both settings (the full product costs twice the time and checks the same code):
# 2 layers x bidirectional always; batch_first with an initial state (h0 is never batch-first),
# time-major without one.
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("batch_first, with_state", [(False, False), (True, True)])
def test_layer_gradcheck(mode, batch_first, with_state):
    tl.set_default_dtype(np.float64)
    m = make(mode, 3, 2, num_layers=2, bidirectional=True, batch_first=batch_first, seed=1)
    rng = np.random.default_rng(6)
    x = tl.tensor(rng.standard_normal((2, 3, 3) if batch_first else (3, 2, 3)), requires_grad=True)
    states = []
    if with_state:
        states = [tl.tensor(rng.standard_normal((4, 2, 2)), requires_grad=True)
                  for _ in range(2 if mode == "lstm" else 1)]

    def fn(x, *rest):
        hx = None
        if with_state:
            hx = tuple(rest[:2]) if mode == "lstm" else rest[0]
        return _outputs(mode, m(x, hx))

    assert tl.gradcheck(fn, [x, *states, *m.parameters()])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("batched", [False, True])
def test_cell_gradcheck(mode, with_state, batched):
    tl.set_default_dtype(np.float64)
    cell = make(mode, 3, 2, cell=True, seed=2)
    rng = np.random.default_rng(7)
    lead = (2,) if batched else ()
    x = tl.tensor(rng.standard_normal(lead + (3,)), requires_grad=True)
    states = [tl.tensor(rng.standard_normal(lead + (2,)), requires_grad=True)
              for _ in range((2 if mode == "lstm" else 1) if with_state else 0)]

    def fn(x, *rest):
        hx = (tuple(rest[:2]) if mode == "lstm" else rest[0]) if with_state else None
        out = cell(x, hx)
        return list(out) if mode == "lstm" else out

    assert tl.gradcheck(fn, [x, *states, *cell.parameters()])


def test_gradient_reaches_the_first_step_and_the_initial_state():
    lstm = nn.LSTM(3, 4, num_layers=2)
    x = tl.randn(6, 2, 3, requires_grad=True)
    h0, c0 = tl.zeros(2, 2, 4, requires_grad=True), tl.zeros(2, 2, 4, requires_grad=True)
    out, _ = lstm(x, (h0, c0))
    out[-1].sum().backward()
    assert np.abs(x.grad[0]).sum() > 0 and np.abs(h0.grad).sum() > 0 and np.abs(c0.grad).sum() > 0


def test_legacy_backward_returns_input_gradient():
    tl.set_default_dtype(np.float64)
    gru = make("gru", 3, 4, num_layers=2, batch_first=True)
    x = np.random.default_rng(8).standard_normal((2, 5, 3))
    dout = np.random.default_rng(9).standard_normal((2, 5, 4))
    out, _ = gru.forward(tl.tensor(x, requires_grad=True))
    dx = gru.backward(dout)
    grads = {n: p.grad.copy() for n, p in gru.named_parameters()}
    gru.zero_grad()
    xt = tl.tensor(x, requires_grad=True)
    (gru(xt)[0] * tl.tensor(dout)).sum().backward()
    np.testing.assert_allclose(dx, xt.grad, rtol=1e-10)
    for n, p in gru.named_parameters():
        np.testing.assert_allclose(grads[n], p.grad, rtol=1e-10)


@pytest.mark.parametrize("steps", [1, 2, 37])
@pytest.mark.parametrize("batch_first", [False, True])
def test_every_sequence_length(steps, batch_first):
    # the halving split of the time axis must hand each step its own projection
    tl.set_default_dtype(np.float64)
    m = make("rnn_tanh", 2, 3, bidirectional=True, batch_first=batch_first)
    x = np.random.default_rng(10).standard_normal((steps, 2, 2))
    out, h = m(x.transpose(1, 0, 2) if batch_first else x)
    want_out, (want_h,) = np_layer("rnn_tanh", m, x)
    np.testing.assert_allclose(out.data, want_out.transpose(1, 0, 2) if batch_first else want_out,
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(h.data, want_h, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------------------------
# Dropout between layers


def test_dropout_only_in_training():
    m = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = np.random.default_rng(11).standard_normal((4, 2, 3)).astype(np.float32)
    tl.manual_seed(0)
    train_a = m(x)[0].data
    tl.manual_seed(0)
    np.testing.assert_array_equal(m(x)[0].data, train_a)  # seeded: reproducible
    m.eval()
    eval_a, eval_b = m(x)[0].data, m(x)[0].data
    np.testing.assert_array_equal(eval_a, eval_b)
    assert not np.allclose(train_a, eval_a)
    m.dropout = 0.0
    m.train()
    np.testing.assert_array_equal(m(x)[0].data, eval_a)


def test_dropout_acts_between_layers_only():
    # dropout=1 zeroes the first layer's output, so the output no longer depends on x
    m = nn.GRU(3, 4, num_layers=2, dropout=1.0)
    a = m(np.ones((3, 2, 3), dtype=np.float32))[0].data
    b = m(np.full((3, 2, 3), -2.0, dtype=np.float32))[0].data
    np.testing.assert_array_equal(a, b)
    m.eval()
    assert not np.allclose(m(np.ones((3, 2, 3), dtype=np.float32))[0].data, a)


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="no effect"):
        nn.RNN(3, 4, dropout=0.2)


# ---------------------------------------------------------------------------------------------
# Bad inputs


def test_input_size_mismatch_names_layer_and_sizes():
    lstm = nn.LSTM(4, 8)
    with pytest.raises(ValueError, match=r"LSTM\(4, 8\).*expected 4, got 3"):
        lstm(np.zeros((5, 2, 3), dtype=np.float32))
    with pytest.raises(ValueError, match=r"GRUCell\(4, 8\).*expected 4, got 3"):
        nn.GRUCell(4, 8)(np.zeros((2, 3), dtype=np.float32))


@pytest.mark.parametrize("shape", [(4,), (1, 2, 3, 4)])
def test_wrong_ndim(shape):
    with pytest.raises(ValueError, match=r"RNN\(4, 2\).*got input of shape"):
        nn.RNN(4, 2)(np.zeros(shape, dtype=np.float32))
    with pytest.raises(ValueError, match=r"RNNCell\(4, 2\).*got input of shape"):
        nn.RNNCell(4, 2)(np.zeros(shape[1:] if len(shape) > 1 else (), dtype=np.float32))


def test_initial_state_of_wrong_shape():
    lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True)
    x = np.zeros((5, 7, 3), dtype=np.float32)
    good = np.zeros((2, 5, 4), dtype=np.float32)
    with pytest.raises(ValueError, match=r"expected h0 of shape \(2, 5, 4\), got h0 of shape \(1, 5, 4\)"):
        lstm(x, (good[:1], good))
    with pytest.raises(ValueError, match=r"expected c0 of shape \(2, 5, 4\), got c0 of shape \(2, 5, 3\)"):
        lstm(x, (good, good[..., :3]))
    with pytest.raises(TypeError, match=r"\(h0, c0\)"):
        lstm(x, good)
    with pytest.raises(ValueError, match=r"expected h0 of shape \(2, 4\)"):
        nn.GRU(3, 4, num_layers=2)(np.zeros((7, 3), dtype=np.float32), good)  # unbatched
    with pytest.raises(ValueError, match=r"GRUCell\(3, 4\): expected h0 of shape \(5, 4\)"):
        nn.GRUCell(3, 4)(np.zeros((5, 3), dtype=np.float32), np.zeros((4,), dtype=np.float32))


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="dropout"):
            nn.LSTM(3, 4, num_layers=2, dropout=p)
    with pytest.raises(ValueError, match="hidden_size"):
        nn.GRU(3, 0)
    with pytest.raises(ValueError, match="num_layers"):
        nn.LSTM(3, 4, num_layers=0)
    with pytest.raises(TypeError, match="input_size"):
        nn.LSTMCell(3.5, 4)
    with pytest.raises(ValueError, match="mode"):
        nn.RNNBase("SRU", 3, 4)


def test_dtype_mismatch_is_refused():
    with pytest.raises(TypeError, match=r"LSTM\(3, 4\).*float64"):
        nn.LSTM(3, 4)(np.zeros((2, 1, 3)))
