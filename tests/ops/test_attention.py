"""The fused attention-family ops: ``gelu`` (both forms) and ``scaled_dot_product_attention``:
gradients against finite differences, values and gradients against PyTorch in float32 and
float64, dropout reproducible from tensorlite's generator, fully masked rows, and bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import config, nn
from tensorlite.ops.attention import _erf

RNG = np.random.default_rng(0)


def T(shape, rng=RNG):
    return tl.tensor(rng.standard_normal(shape), requires_grad=True)


def test_private_erf_is_float64_accurate():
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, -0.0, 1.5, -1.5, 6.0, 30.0, -np.inf, np.inf]])
    expected = np.array([math.erf(v) for v in x])
    np.testing.assert_allclose(_erf(x), expected, rtol=2e-15, atol=1e-15)
    assert _erf(x.astype(np.float32)).dtype == np.float32
    assert np.isnan(_erf(np.array([np.nan])))[0]


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_gradcheck(approximate):
    for shape in [(), (7,), (2, 3, 4)]:
        assert tl.gradcheck(lambda x: F.gelu(x, approximate=approximate), [T(shape) * 2])
    assert F.gelu(tl.tensor([1.0], requires_grad=True)).grad_fn == "GeluBackward"


@pytest.mark.parametrize("case", [
    dict(), dict(is_causal=True), dict(mask="bool"), dict(mask="float"), dict(mask="float-grad"),
    dict(scale=0.2, mask="bool"), dict(broadcast=True),
])
def test_sdpa_gradcheck(case):
    rng = np.random.default_rng(1)
    kshape = (1, 3, 5, 4) if case.get("broadcast") else (2, 3, 5, 4)
    q, k, v = T((2, 3, 4, 4), rng), T(kshape, rng), T(kshape[:-1] + (6,), rng)
    inputs = [q, k, v]
    mask = None
    if case.get("mask") == "bool":
        mask = rng.random((4, 5)) > 0.3
        mask[:, 0] = True
    elif case.get("mask") == "float":
        mask = rng.standard_normal((2, 1, 4, 5))
    elif case.get("mask") == "float-grad":
        mask = T((4, 5), rng)
        inputs.append(mask)

    def fn(q, k, v, *m):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=m[0] if m else mask,
                                              is_causal=case.get("is_causal", False), scale=case.get("scale"))
    assert tl.gradcheck(fn, inputs)


def test_sdpa_dropout_gradcheck_with_a_fixed_mask():
    q, k, v = T((2, 3, 4)), T((2, 5, 4)), T((2, 5, 3))

    def fn(q, k, v):
        tl.manual_seed(7)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.4)
    assert tl.gradcheck(fn, [q, k, v])


def test_sdpa_dropout_draws_from_tensorlites_generator():
    rng = np.random.default_rng(2)
    q, k, v = (rng.standard_normal(s) for s in [(2, 3, 4), (2, 5, 4), (2, 5, 3)])
    p = 0.3
    tl.manual_seed(11)
    out = F.scaled_dot_product_attention(q, k, v, dropout_p=p)
    tl.manual_seed(11)
    keep = (config.generator().random((2, 3, 5), dtype=np.float32) >= p) / (1 - p)
    s = q @ k.transpose(0, 2, 1) / 2
    w = np.exp(s - s.max(-1, keepdims=True))
    w /= w.sum(-1, keepdims=True)
    np.testing.assert_allclose(out.numpy(), (w * keep) @ v, rtol=1e-12)
    tl.manual_seed(11)
    np.testing.assert_array_equal(F.scaled_dot_product_attention(q, k, v, dropout_p=p).numpy(), out.numpy())
    assert np.all(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0).numpy() == 0)


def test_fully_masked_rows_give_zeros_and_zero_gradients():
    q, k, v = T((1, 3, 4)), T((1, 5, 4)), T((1, 5, 2))
    mask = np.ones((3, 5), bool)
    mask[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    assert np.all(out.numpy()[0, 1] == 0) and np.all(np.isfinite(out.numpy()))
    out.sum().backward()
    assert np.all(q.grad[0, 1] == 0) and np.all(np.isfinite(k.grad))


torch = None


def _torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_pytorch(dtype, approximate):
    torch = _torch()
    x = np.concatenate([np.linspace(-10, 10, 401), [-40.0, 40.0]]).astype(dtype)
    ours = tl.tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    y, ty = F.gelu(ours, approximate=approximate), torch.nn.functional.gelu(theirs, approximate=approximate)
    y.sum().backward()
    ty.sum().backward()
    # The negative tail is 1 + erf (or 1 + tanh) near 0: both libraries lose the same digits there.
    # And NumPy's float32 tanh(-9.9) is -0.99999994 where PyTorch's is -1: 1 - t^2 is then 1.2e-7
    # instead of 0, times x du/dx (about 10) in the tanh form's derivative: 2e-6 absolute.
    tol = dict(rtol=1e-6, atol=2e-6) if dtype == np.float32 else dict(rtol=1e-13, atol=1e-14)
    assert y.dtype == dtype and ours.grad.dtype == dtype
    np.testing.assert_allclose(y.numpy(), ty.detach().numpy(), **tol)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), **tol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", ["plain", "causal", "bool", "float", "float-grad", "scale", "3d", "2d", "L!=S causal"])
def test_sdpa_matches_pytorch(dtype, case):
    torch = _torch()
    rng = np.random.default_rng(3)
    qs, ks, vs = (2, 3, 4, 8), (2, 3, 6, 8), (2, 3, 6, 5)
    if case == "3d":
        qs, ks, vs = (3, 4, 8), (1, 6, 8), (1, 6, 5)
    elif case == "2d":
        qs, ks, vs = (4, 8), (6, 8), (6, 5)
    elif case == "L!=S causal":
        qs, ks, vs = (2, 6, 8), (2, 4, 8), (2, 4, 5)
    arrays = [rng.standard_normal(s).astype(dtype) for s in (qs, ks, vs)]
    kw: dict = {}
    if case in ("causal", "L!=S causal"):
        kw["is_causal"] = True
    elif case == "bool":
        kw["attn_mask"] = rng.random((2, 1, 4, 6)) > 0.4
    elif case in ("float", "float-grad"):
        kw["attn_mask"] = rng.standard_normal((4, 6)).astype(dtype)
    elif case == "scale":
        kw["scale"] = 0.05
    if case == "float-grad":
        arrays.append(kw.pop("attn_mask"))
    ours = [tl.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    if case == "float-grad":
        kw["attn_mask"], tkw["attn_mask"] = ours[3], theirs[3]
    out = F.scaled_dot_product_attention(*ours[:3], **kw)
    tout = torch.nn.functional.scaled_dot_product_attention(*theirs[:3], **tkw)
    g = rng.standard_normal(out.shape).astype(dtype)
    (out * g).sum().backward()
    (tout * torch.tensor(g)).sum().backward()
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-13)
    assert out.dtype == dtype and out.grad_fn == "ScaledDotProductAttentionBackward"
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), **tol)
    for a, b in zip(ours, theirs):
        assert a.grad.dtype == dtype
        np.testing.assert_allclose(a.grad, b.grad.numpy(), **tol)


def test_fused_attention_equals_the_composite_of_recorded_ops():
    q, k, v = T((2, 2, 4, 3)), T((2, 2, 5, 3)), T((2, 2, 5, 3))
    mask = RNG.random((4, 5)) > 0.3
    mask[:, 0] = True
    fused = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    scores = q @ k.transpose(-2, -1) / math.sqrt(3) + tl.tensor(np.where(mask, 0.0, -np.inf))
    composite = scores.softmax(-1) @ v
    np.testing.assert_allclose(fused.numpy(), composite.numpy(), rtol=1e-12)


BAD = [
    (lambda: F.gelu(tl.ones(2), approximate="fast"), ValueError, "gelu: approximate must be 'none' or 'tanh'"),
    (lambda: F.scaled_dot_product_attention(tl.ones(2, 3, 4), tl.ones(2, 5, 3), tl.ones(2, 5, 3)),
     ValueError, r"query's last dim 4 must equal key's 3"),
    (lambda: F.scaled_dot_product_attention(tl.ones(2, 3, 4), tl.ones(2, 5, 4), tl.ones(2, 6, 3)),
     ValueError, "same sequence length"),
    (lambda: F.scaled_dot_product_attention(tl.ones(2, 3, 4), tl.ones(3, 5, 4), tl.ones(3, 5, 4)),
     ValueError, "do not broadcast"),
    (lambda: F.scaled_dot_product_attention(tl.ones(4), tl.ones(4), tl.ones(4)), ValueError, "at least 2 dims"),
    (lambda: F.scaled_dot_product_attention(tl.ones(2, 3, 4), tl.ones(2, 5, 4), tl.ones(2, 5, 4),
                                            attn_mask=np.ones((3, 4), bool)),
     ValueError, r"attn_mask of shape \(3, 4\) does not broadcast to .*\(2, 3, 5\)"),
    (lambda: F.scaled_dot_product_attention(tl.ones(2, 3, 4), tl.ones(2, 5, 4), tl.ones(2, 5, 4),
                                            attn_mask=np.zeros((3, 5))),
     TypeError, "attn_mask must be bool or of the query's dtype float32, got float64"),
    (lambda: F.scaled_dot_product_attention(tl.ones(3, 4), tl.ones(5, 4), tl.ones(5, 4),
                                            attn_mask=np.ones((3, 5), bool), is_causal=True),
     ValueError, "not both"),
    (lambda: F.scaled_dot_product_attention(tl.ones(3, 4), tl.ones(5, 4), tl.ones(5, 4), dropout_p=1.5),
     ValueError, "scaled_dot_product_attention: dropout_p"),
    (lambda: nn.MultiheadAttention(10, 3), ValueError, "embed_dim 10 must be divisible by num_heads 3"),
    (lambda: nn.TransformerEncoderLayer(10, 4), ValueError, "embed_dim 10 must be divisible by num_heads 4"),
    (lambda: nn.MultiheadAttention(8, 2)(tl.ones(3, 2, 6), tl.ones(3, 2, 6), tl.ones(3, 2, 6)),
     ValueError, r"MultiheadAttention\(embed_dim=8, num_heads=2\): expected query of shape \(L, N, 8\).*"
                 r"got \(3, 2, 6\)"),
    (lambda: nn.MultiheadAttention(8, 2)(tl.ones(3, 2, 8), tl.ones(4, 3, 8), tl.ones(4, 3, 8)),
     ValueError, "key and value must have the query's batch size"),
    (lambda: nn.MultiheadAttention(8, 2)(tl.ones(3, 2, 8), tl.ones(4, 2, 8), tl.ones(4, 2, 8),
                                         attn_mask=np.ones((3, 3), bool)),
     ValueError, r"attn_mask must have shape \(L, S\) = \(3, 4\) or \(N \* num_heads, L, S\) = \(4, 3, 4\), "
                 r"got \(3, 3\)"),
    (lambda: nn.MultiheadAttention(8, 2)(tl.ones(3, 2, 8), tl.ones(4, 2, 8), tl.ones(4, 2, 8),
                                         key_padding_mask=np.ones((2, 3), bool)),
     ValueError, r"key_padding_mask must have shape \(N, S\) = \(2, 4\)"),
    (lambda: nn.MultiheadAttention(8, 2)(tl.ones(3, 2, 8), tl.ones(3, 2, 8), tl.ones(3, 2, 8),
                                         attn_mask=np.zeros((3, 3))),
     TypeError, "attn_mask must be bool or of the input's dtype float32, got float64"),
    (lambda: nn.MultiheadAttention(8, 2)(tl.ones(3, 2, 8), tl.ones(3, 2, 8), tl.ones(3, 2, 8), is_causal=True),
     ValueError, "is_causal=True is a hint"),
    (lambda: nn.TransformerEncoderLayer(8, 2, activation="swish"), ValueError, "activation must be 'relu', 'gelu'"),
    (lambda: nn.TransformerEncoder("layer", 2), TypeError, "TransformerEncoder: expected a layer"),
    (lambda: nn.Transformer(8, 2, 1, 1, 16)(tl.ones(3, 2, 8), tl.ones(3, 4, 8)), ValueError, "same batch size"),
    (lambda: nn.GELU("exact"), ValueError, "GELU: approximate"),
]


@pytest.mark.parametrize("call, error, message", BAD, ids=[m for _, _, m in BAD])
def test_bad_input_is_refused_with_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_multihead_attention_dropout_uses_the_generator_and_is_off_in_eval():
    tl.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = tl.randn(4, 2, 8)
    for need in (True, False):
        tl.manual_seed(1)
        a = mha(x, x, x, need_weights=need)[0].numpy()
        tl.manual_seed(1)
        b = mha(x, x, x, need_weights=need)[0].numpy()
        c = mha(x, x, x, need_weights=need)[0].numpy()
        np.testing.assert_array_equal(a, b)
        assert not np.allclose(a, c)
    mha.eval()
    np.testing.assert_allclose(mha(x, x, x)[0].numpy(), mha(x, x, x, need_weights=False)[0].numpy(), rtol=1e-5,
                               atol=1e-6)


def test_multihead_attention_gradcheck():
    tl.set_default_dtype(np.float64)
    try:
        tl.manual_seed(0)
        mha = nn.MultiheadAttention(6, 2, kdim=4, vdim=5, add_bias_kv=True, add_zero_attn=True, batch_first=True)
    finally:
        tl.set_default_dtype(np.float32)
    rng = np.random.default_rng(4)
    q, k, v = T((2, 3, 6), rng), T((2, 4, 4), rng), T((2, 4, 5), rng)
    kpm = np.array([[False, False, False, True], [False] * 4])
    for need in (True, False):
        assert tl.gradcheck(lambda q, k, v, w, need=need: mha(q, k, v, key_padding_mask=kpm, need_weights=need)[0]
                            * w.sum(),
                            [q, k, v, mha.q_proj_weight])
