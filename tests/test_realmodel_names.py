"""Names that real PyTorch model code uses, each compared with PyTorch (issues 22/23)."""
import pickle

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn as nn

torch = pytest.importorskip("torch")


def test_size_callable_and_still_numel():
    x = tl.ones(2, 3, 4)
    t = torch.ones(2, 3, 4)
    assert x.size == 24 and isinstance(x.size, int)
    assert x.size() == tuple(t.size())
    assert [x.size(d) for d in (0, 1, 2, -1, -3)] == [t.size(d) for d in (0, 1, 2, -1, -3)]
    with pytest.raises(IndexError, match=r"size\(\): dim 3 is out of range"):
        x.size(3)
    with pytest.raises(IndexError, match="out of range"):
        tl.tensor(1.0).size(0)
    with pytest.raises(TypeError, match="size"):
        x.size(1.0)
    assert pickle.loads(pickle.dumps(x.size)) == 24


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_comparison_methods(name):
    a = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    b = np.array([2.0, 2.0, 2.0])
    got = getattr(tl.tensor(a), name)(tl.tensor(b))
    want = getattr(torch.tensor(a), name)(torch.tensor(b))
    np.testing.assert_array_equal(got.data, want.numpy())
    np.testing.assert_array_equal(getattr(tl.tensor(a), name)(2.0).data,
                                  getattr(torch.tensor(a), name)(2.0).numpy())


def test_casts_and_shape_aliases():
    a = np.arange(6.0).reshape(2, 3) - 2.5
    x, t = tl.tensor(a), torch.tensor(a)
    for name in ("long", "int", "bool", "half", "float", "double"):
        got, want = getattr(x, name)(), getattr(t, name)()
        np.testing.assert_array_equal(got.data, want.numpy())
        assert got.dtype == want.numpy().dtype
    other = np.zeros((3, 2))
    np.testing.assert_array_equal(x.view_as(tl.tensor(other)).data, t.view_as(torch.tensor(other)).numpy())
    np.testing.assert_array_equal(x.reshape_as(tl.tensor(other)).data,
                                  t.reshape_as(torch.tensor(other)).numpy())
    row = np.array([[1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(tl.tensor(row).expand_as(x).data, torch.tensor(row).expand_as(t).numpy())
    assert x.type_as(tl.ones(1).float()).dtype == np.float32
    assert x.nelement() == t.nelement() and x.ndimension() == t.ndimension()
    assert x.is_xpu is False and x.is_mps is False


def test_view_as_gradient():
    a = np.arange(6.0).reshape(2, 3)
    x = tl.tensor(a, requires_grad=True)
    t = torch.tensor(a, requires_grad=True)
    w = np.arange(6.0).reshape(3, 2)
    (x.view_as(tl.tensor(w)) * tl.tensor(w)).sum().backward()
    (t.view_as(torch.tensor(w)) * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_from_numpy_shares_memory_and_as_tensor():
    a = np.arange(3.0)
    x, t = tl.from_numpy(a), torch.from_numpy(a)
    a[0] = 7.0
    np.testing.assert_array_equal(x.data, t.numpy())
    assert x.dtype == t.numpy().dtype
    with pytest.raises(TypeError, match="from_numpy"):
        tl.from_numpy([1.0, 2.0])
    assert tl.as_tensor(a).data is a
    np.testing.assert_array_equal(tl.as_tensor([1, 2]).data, torch.as_tensor([1, 2]).numpy())
    assert tl.as_tensor(a, dtype=np.float32).dtype == torch.as_tensor(a, dtype=torch.float32).numpy().dtype


def test_spmm_dense_matches_torch_with_gradients():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
    x, y = tl.tensor(a, requires_grad=True), tl.tensor(b, requires_grad=True)
    s, u = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    out, ref = tl.spmm(x, y), torch.spmm(s, u)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    ref.sum().backward()
    np.testing.assert_allclose(x.grad, s.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.grad, u.grad.numpy(), rtol=1e-12)


def test_empty_size_keyword():
    assert tl.empty(size=(2, 3)).shape == tuple(torch.empty(size=(2, 3)).shape)
    assert tl.empty(size=(2, 3), dtype=np.float64).dtype == np.float64
    with pytest.raises(TypeError, match="empty: give the shape"):
        tl.empty(2, size=(2, 3))


def test_range_index_get_and_set():
    a = np.arange(12.0).reshape(3, 4)
    y = np.array([1, 0, 3])
    x, t = tl.tensor(a), torch.tensor(a)
    np.testing.assert_array_equal(x[range(3), tl.tensor(y)].data, t[range(3), torch.tensor(y)].numpy())
    x[range(3), tl.tensor(y)] = 100.0
    t[range(3), torch.tensor(y)] = 100.0
    np.testing.assert_array_equal(x.data, t.numpy())


def test_attention_float_mask_of_another_dtype_is_promoted():
    rng = np.random.default_rng(1)
    torch.manual_seed(0)
    ref = torch.nn.MultiheadAttention(4, 2).double()
    mha = nn.MultiheadAttention(4, 2)
    mha.load_state_dict({k: tl.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()})
    mha.double()
    q = rng.standard_normal((5, 1, 4))
    mask = np.where(np.tril(np.ones((5, 5))) > 0, 0.0, -np.inf).astype(np.float32)  # float32 mask, float64 input
    # PyTorch's attention path (need_weights=False, as its Transformer layers call it) promotes
    out, _ = mha(tl.tensor(q), tl.tensor(q), tl.tensor(q), attn_mask=tl.tensor(mask), need_weights=False)
    want, _ = ref(torch.tensor(q), torch.tensor(q), torch.tensor(q), attn_mask=torch.tensor(mask),
                  need_weights=False)
    np.testing.assert_allclose(out.data, want.detach().numpy(), rtol=1e-10, atol=1e-12)
    for bad in (np.int64, np.float16):  # PyTorch refuses these too
        with pytest.raises(TypeError, match="must be bool or of the input's dtype float64"):
            mha(tl.tensor(q), tl.tensor(q), tl.tensor(q), attn_mask=tl.zeros(5, 5, dtype=bad), need_weights=False)
        with pytest.raises((RuntimeError, AssertionError)):
            ref(torch.tensor(q), torch.tensor(q), torch.tensor(q),
                attn_mask=torch.zeros(5, 5, dtype=getattr(torch, np.dtype(bad).name)), need_weights=False)


def test_tensor_type():
    x, t = tl.ones(2), torch.ones(2)
    for a, b in ((x, t), (x.double(), t.double()), (x.long(), t.long()), (x.bool(), t.bool())):
        assert a.type() == b.type()
    for dtype, tdtype in ((np.bool_, torch.bool), (np.int64, torch.long), (np.float64, torch.float64)):
        got, want = x.type(dtype), t.type(tdtype)
        np.testing.assert_array_equal(got.data, want.numpy())
        assert got.dtype == want.numpy().dtype
    assert x.type("torch.LongTensor").dtype == t.type("torch.LongTensor").numpy().dtype


LAYERS = [
    ("MultiheadAttention", (8, 2), {}),
    ("TransformerEncoderLayer", (8, 2, 16), {}),
    ("TransformerDecoderLayer", (8, 2, 16), {}),
    ("Transformer", (8, 2, 1, 1, 16), {"batch_first": True}),
    ("ConvTranspose2d", (2, 3, 3), {}),
    ("GroupNorm", (2, 4), {}),
    ("InstanceNorm2d", (4,), {"affine": True}),
    ("Bilinear", (2, 3, 4), {}),
    ("Embedding", (5, 3), {}),
]


@pytest.mark.parametrize("name, args, kwargs", LAYERS, ids=[n for n, _, _ in LAYERS])
def test_layer_device_and_dtype_keywords(name, args, kwargs):
    layer = getattr(nn, name)(*args, **kwargs, device="cpu", dtype=np.float64)
    ref = getattr(torch.nn, name)(*args, **kwargs, device="cpu", dtype=torch.float64)
    got = {k: (tuple(v.shape), v.dtype) for k, v in layer.state_dict().items()}
    want = {k: (tuple(v.shape), v.numpy().dtype) for k, v in ref.state_dict().items()}
    assert got == want
    assert {p.dtype for p in getattr(nn, name)(*args, **kwargs).parameters()} == {np.dtype(np.float32)}
    with pytest.raises(RuntimeError, match="no GPU backend"):
        getattr(nn, name)(*args, **kwargs, device="cuda")


def test_conv_transpose_padding_mode():
    assert nn.ConvTranspose2d(1, 1, 3, padding_mode="zeros").padding_mode == "zeros"
    with pytest.raises(ValueError, match="ConvTranspose2d: only padding_mode='zeros'"):
        nn.ConvTranspose2d(1, 1, 3, padding_mode="reflect")


def test_size_keeps_python_int_promotion():
    # an int subclass would be a strong int64 operand for NumPy (float32 / size -> float64)
    x = tl.ones(2, 3)
    a = np.ones(3, dtype=np.float32)
    assert (a / x.size).dtype == np.float32 and (x.size / a).dtype == np.float32
    assert (np.float32(1) * x.size).dtype == np.float32
    assert (tl.ones(2) / x.size).dtype == np.float32
    assert type(x.size + 1) is int and x.size // 4 == 1 and {x.size: "six"}[6] == "six"
    np.testing.assert_array_equal(np.arange(8) < x.size, np.arange(8) < 6)
