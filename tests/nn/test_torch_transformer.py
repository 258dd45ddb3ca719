"""MultiheadAttention and the transformer layers against PyTorch: a PyTorch state_dict converted
to NumPy loads (strict) and gives the same outputs and the same gradients (inputs and every
parameter), in float32 and float64, eval mode (dropout off), with masks of every kind."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn

torch = pytest.importorskip("torch")
# PyTorch's own note that its nested-tensor fast path is off for these models
pytestmark = pytest.mark.filterwarnings("ignore:enable_nested_tensor is True:UserWarning")

TOL = {np.float32: dict(rtol=2e-4, atol=2e-5), np.float64: dict(rtol=1e-9, atol=1e-11)}
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}


def _load(ours, theirs):
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()}, strict=True)
    return ours


def _compare(ours, theirs, inputs, dtype, call=None, masks=None):
    """Forward both with the same inputs (and masks, as kwargs), compare outputs and gradients."""
    call = call or (lambda m, *xs, **kw: m(*xs, **kw))
    masks = masks or {}
    t_in = [torch.tensor(x, requires_grad=True) for x in inputs]
    o_in = [tl.tensor(x, requires_grad=True) for x in inputs]
    t_masks = {k: torch.tensor(v) for k, v in masks.items()}
    t_out = call(theirs, *t_in, **t_masks)
    o_out = call(ours, *o_in, **masks)
    t_out = t_out if isinstance(t_out, tuple) else (t_out,)
    o_out = o_out if isinstance(o_out, tuple) else (o_out,)
    rng = np.random.default_rng(1)
    t_loss = o_loss = 0
    for t, o in zip(t_out, o_out):
        if t is None:
            assert o is None
            continue
        np.testing.assert_allclose(o.data, t.detach().numpy(), **TOL[dtype])
        g = rng.standard_normal(t.shape).astype(dtype)
        t_loss = t_loss + (t * torch.tensor(g)).sum()
        o_loss = o_loss + (o * tl.tensor(g)).sum()
    t_loss.backward()
    o_loss.backward()
    for a, b in zip(o_in, t_in):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), **TOL[dtype])
    theirs_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        tg = theirs_params[name].grad
        np.testing.assert_allclose(p.grad, np.zeros(p.shape) if tg is None else tg.numpy(), **TOL[dtype],
                                   err_msg=name)


def _pair(make_ours, make_theirs, dtype):
    torch.manual_seed(0)
    theirs = make_theirs().to(TORCH_DTYPE[dtype]).eval()
    with tl.default_dtype(dtype) if hasattr(tl, "default_dtype") else _DefaultDtype(dtype):
        ours = make_ours().eval()
    return _load(ours, theirs), theirs


class _DefaultDtype:
    def __init__(self, dtype):
        self.dtype = dtype

    def __enter__(self):
        self.old = tl.get_default_dtype()
        tl.set_default_dtype(self.dtype)

    def __exit__(self, *exc):
        tl.set_default_dtype(self.old)


DTYPES = [np.float32, np.float64]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", [
    dict(), dict(batch_first=True), dict(bias=False), dict(add_bias_kv=True), dict(add_zero_attn=True),
    dict(kdim=3, vdim=5), dict(kdim=3, vdim=5, add_bias_kv=True, add_zero_attn=True, batch_first=True),
], ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()) or "default")
@pytest.mark.parametrize("need_weights, average", [(True, True), (True, False), (False, True)])
def test_multihead_attention_cross(dtype, kwargs, need_weights, average):
    rng = np.random.default_rng(0)
    E, H, L, S, N = 8, 2, 4, 6, 3
    ours, theirs = _pair(lambda: nn.MultiheadAttention(E, H, **kwargs),
                         lambda: torch.nn.MultiheadAttention(E, H, **kwargs), dtype)
    kd, vd = kwargs.get("kdim", E), kwargs.get("vdim", E)
    bf = kwargs.get("batch_first", False)
    shape = (lambda n, length, d: (n, length, d)) if bf else (lambda n, length, d: (length, n, d))
    q, k, v = (rng.standard_normal(shape(N, n, d)).astype(dtype) for n, d in ((L, E), (S, kd), (S, vd)))
    padding = [[False] * (S - i) + [True] * i for i in range(N)]
    masks = dict(attn_mask=rng.standard_normal((L, S)).astype(dtype),
                 key_padding_mask=np.where(padding, -np.inf, 0).astype(dtype))
    _compare(ours, theirs, [q, k, v], dtype,
             lambda m, a, b, c, **kw: m(a, b, c, need_weights=need_weights, average_attn_weights=average, **kw),
             masks)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mask", ["none", "bool", "float", "per-head bool", "causal"])
def test_multihead_self_attention(dtype, mask):
    rng = np.random.default_rng(2)
    E, H, L, N = 12, 3, 5, 2
    ours, theirs = _pair(lambda: nn.MultiheadAttention(E, H), lambda: torch.nn.MultiheadAttention(E, H), dtype)
    x = rng.standard_normal((L, N, E)).astype(dtype)
    masks = {}
    if mask == "bool":
        masks["attn_mask"] = rng.random((L, L)) < 0.3
        np.fill_diagonal(masks["attn_mask"], False)
    elif mask == "float":
        masks["attn_mask"] = rng.standard_normal((L, L)).astype(dtype)
    elif mask == "per-head bool":
        masks["attn_mask"] = np.broadcast_to(np.triu(np.ones((L, L), bool), 1), (N * H, L, L)).copy()
    elif mask == "causal":
        masks["attn_mask"] = nn.Transformer.generate_square_subsequent_mask(L, dtype=dtype).numpy()
    for need in (True, False):
        extra = dict(is_causal=True) if mask == "causal" and not need else {}
        _compare(ours, theirs, [x], dtype,
                 lambda m, a, need=need, extra=extra, **kw: m(a, a, a, need_weights=need, **extra, **kw), masks)
        ours.zero_grad()
        theirs.zero_grad()


def test_multihead_attention_unbatched():
    rng = np.random.default_rng(3)
    ours, theirs = _pair(lambda: nn.MultiheadAttention(6, 2), lambda: torch.nn.MultiheadAttention(6, 2), np.float64)
    q, k = rng.standard_normal((4, 6)), rng.standard_normal((5, 6))
    _compare(ours, theirs, [q, k, k], np.float64, masks=dict(key_padding_mask=np.array([False] * 4 + [True])))


LAYER_KWARGS = [
    dict(), dict(norm_first=True), dict(activation="gelu", batch_first=True), dict(bias=False, layer_norm_eps=1e-3),
]
IDS = ["post-norm relu", "pre-norm", "gelu batch_first", "no bias"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", LAYER_KWARGS, ids=IDS)
def test_encoder_layer_and_stack(dtype, kwargs):
    rng = np.random.default_rng(4)
    E, H, L, N = 8, 2, 5, 3
    common = dict(dim_feedforward=16, **kwargs)

    def ours():
        return nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, **common), 2, norm=nn.LayerNorm(E))

    def theirs():
        return torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(E, H, **common), 2,
                                           norm=torch.nn.LayerNorm(E), enable_nested_tensor=False)
    o, t = _pair(ours, theirs, dtype)
    bf = kwargs.get("batch_first", False)
    x = rng.standard_normal((N, L, E) if bf else (L, N, E)).astype(dtype)
    masks = dict(mask=np.triu(np.ones((L, L), bool), 1),
                 src_key_padding_mask=np.array([[False] * (L - i) + [True] * i for i in range(N)]))
    _compare(o, t, [x], dtype, masks=masks)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kwargs", LAYER_KWARGS, ids=IDS)
def test_decoder_layer_and_stack(dtype, kwargs):
    rng = np.random.default_rng(5)
    E, H, T, S, N = 8, 2, 4, 6, 2
    common = dict(dim_feedforward=16, **kwargs)
    o, t = _pair(lambda: nn.TransformerDecoder(nn.TransformerDecoderLayer(E, H, **common), 2),
                 lambda: torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(E, H, **common), 2), dtype)
    bf = kwargs.get("batch_first", False)
    tgt = rng.standard_normal((N, T, E) if bf else (T, N, E)).astype(dtype)
    mem = rng.standard_normal((N, S, E) if bf else (S, N, E)).astype(dtype)
    masks = dict(tgt_mask=np.triu(np.ones((T, T), bool), 1),
                 memory_key_padding_mask=np.array([[False] * S, [False] * 4 + [True] * 2]))
    _compare(o, t, [tgt, mem], dtype, masks=masks)


@pytest.mark.parametrize("dtype", DTYPES)
def test_full_transformer(dtype):
    rng = np.random.default_rng(6)
    kw = dict(d_model=8, nhead=2, num_encoder_layers=2, num_decoder_layers=1, dim_feedforward=16, batch_first=True)
    o, t = _pair(lambda: nn.Transformer(**kw), lambda: torch.nn.Transformer(**kw), dtype)
    src = rng.standard_normal((2, 6, 8)).astype(dtype)
    tgt = rng.standard_normal((2, 3, 8)).astype(dtype)
    masks = dict(tgt_mask=nn.Transformer.generate_square_subsequent_mask(3, dtype=dtype).numpy(),
                 src_key_padding_mask=np.where([[False] * 6, [False] * 5 + [True]], -np.inf, 0).astype(dtype))
    _compare(o, t, [src, tgt], dtype, masks=masks)


def test_state_dict_keys_and_shapes_follow_pytorch():
    for ours, theirs in [
        (nn.MultiheadAttention(8, 2), torch.nn.MultiheadAttention(8, 2)),
        (nn.MultiheadAttention(8, 2, kdim=3, vdim=4, add_bias_kv=True, bias=False),
         torch.nn.MultiheadAttention(8, 2, kdim=3, vdim=4, add_bias_kv=True, bias=False)),
        (nn.Transformer(16, 2, 1, 2, 32), torch.nn.Transformer(16, 2, 1, 2, 32)),
    ]:
        expected = {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
        assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == expected


def test_default_init_follows_pytorch():
    """Xavier-uniform in_proj (bound sqrt(6 / (E + 3E))), zero biases, out_proj kaiming-uniform."""
    tl.manual_seed(0)
    m = nn.MultiheadAttention(64, 4)
    bound = np.sqrt(6 / (64 + 192))
    w = m.in_proj_weight.data
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.all(m.in_proj_bias.data == 0) and np.all(m.out_proj.bias.data == 0)
    assert np.abs(m.out_proj.weight.data).max() <= 1 / 8
    t = nn.Transformer(16, 2, 1, 1, 32)
    layer_w = t.encoder.layers[0].linear1.weight.data  # xavier: sqrt(6 / (16 + 32))
    assert np.abs(layer_w).max() <= np.sqrt(6 / 48) and np.abs(layer_w).max() > 0.25


def test_clones_start_equal_and_train_apart():
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    enc = nn.TransformerEncoder(layer, 3)
    w = [lyr.linear1.weight for lyr in enc.layers]
    np.testing.assert_array_equal(w[0].data, w[2].data)
    assert w[0] is not w[1] and w[0].data is not w[1].data
    assert len(list(enc.parameters())) == 3 * len(list(layer.parameters()))


def test_generate_square_subsequent_mask_matches_pytorch():
    np.testing.assert_array_equal(nn.Transformer.generate_square_subsequent_mask(4).numpy(),
                                  torch.nn.Transformer.generate_square_subsequent_mask(4).numpy())
    assert nn.Transformer.generate_square_subsequent_mask(0).shape == (0, 0)
    assert nn.Transformer.generate_square_subsequent_mask(2, "cpu", np.float64).dtype == np.float64
    with pytest.raises(RuntimeError, match="CPU only"):
        nn.Transformer.generate_square_subsequent_mask(2, device="cuda")


def test_gelu_layer_and_activation_callable():
    x = np.linspace(-3, 3, 13)
    for approximate in ("none", "tanh"):
        np.testing.assert_allclose(nn.GELU(approximate)(x).numpy(),
                                   torch.nn.GELU(approximate)(torch.tensor(x)).numpy(), rtol=1e-13, atol=1e-15)
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    layer = nn.TransformerEncoderLayer(4, 2, 8, activation=nn.GELU(), dropout=0.0)
    assert layer(tl.randn(3, 1, 4)).shape == (3, 1, 4)
