"""Optional comparison with PyTorch (skipped when it is not installed): convolution and pooling
layers with weights copied from PyTorch give the same outputs and gradients, and the same reprs."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn

torch = pytest.importorskip("torch")

CONV_CASES = [
    # (dims, input shape, in, out, kernel, keyword arguments)
    (1, (3, 4, 11), 4, 6, 3, dict(stride=2, padding=1)),
    (1, (4, 10), 4, 4, 4, dict(padding="same", dilation=2, groups=2)),   # unbatched, even kernel
    (2, (2, 3, 9, 8), 3, 5, (3, 2), dict(stride=(2, 1), padding=(1, 0), bias=False)),
    (2, (2, 4, 8, 8), 4, 8, 4, dict(padding="same", groups=4)),
    (2, (2, 4, 10, 9), 4, 6, 3, dict(stride=3, padding=2, dilation=2, groups=2)),
    (2, (6, 7, 7), 6, 3, 2, dict(padding="valid", groups=3)),
    (3, (2, 2, 5, 6, 5), 2, 4, (2, 3, 2), dict(stride=(1, 2, 1), padding=1)),
    (3, (2, 4, 5, 5, 6), 4, 4, 2, dict(padding="same", dilation=(1, 2, 1), groups=2)),
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("case", CONV_CASES)
def test_conv_layers_match_pytorch(case):
    d, shape, c_in, c_out, kernel, kwargs = case
    torch.manual_seed(0)
    ref = getattr(torch.nn, f"Conv{d}d")(c_in, c_out, kernel, dtype=torch.float64, **kwargs)
    tl.set_default_dtype(np.float64)
    layer = getattr(nn, f"Conv{d}D")(c_in, c_out, kernel, **kwargs)
    assert repr(layer) == repr(ref).replace(f"Conv{d}d", f"Conv{d}D")
    assert [n for n, _ in layer.named_parameters()] == [n for n, _ in ref.named_parameters()]
    layer.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})

    x = np.random.default_rng(0).standard_normal(shape)
    tx = torch.tensor(x, requires_grad=True)
    xt = tl.tensor(x, requires_grad=True)
    ty, y = ref(tx), layer(xt)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = np.random.default_rng(1).standard_normal(y.shape)
    ty.backward(torch.tensor(g))
    y.backward(g)
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    for (name, p), tp in zip(layer.named_parameters(), ref.parameters()):
        np.testing.assert_allclose(p.grad, tp.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_conv_float32_matches_pytorch():
    torch.manual_seed(0)
    ref = torch.nn.Conv2d(16, 32, 5)
    layer = nn.Conv2D(16, 32, 5)
    layer.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((8, 16, 12, 12)).astype(np.float32)
    tx, xt = torch.tensor(x, requires_grad=True), tl.tensor(x, requires_grad=True)
    ty, y = ref(tx), layer(xt)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-4, atol=1e-5)
    ty.sum().backward()
    y.sum().backward()
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.weight.grad, ref.weight.grad.numpy(), rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(layer.bias.grad, ref.bias.grad.numpy(), rtol=1e-4, atol=1e-3)


POOL_CASES = [
    ("Max", 1, (2, 3, 11), dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)),
    ("Max", 2, (2, 3, 8, 8), dict(kernel_size=2)),
    ("Max", 2, (3, 9, 7), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True)),
    ("Max", 3, (1, 2, 5, 6, 7), dict(kernel_size=3, stride=2, padding=1)),
    ("Avg", 1, (2, 3, 10), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)),
    ("Avg", 2, (2, 3, 8, 8), dict(kernel_size=2)),
    ("Avg", 2, (2, 3, 9, 7), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("Avg", 2, (3, 9, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("Avg", 3, (1, 2, 5, 6, 7), dict(kernel_size=(2, 3, 3), stride=2, padding=1, ceil_mode=True,
                                     count_include_pad=False)),
]


@pytest.mark.parametrize("kind,d,shape,kwargs", POOL_CASES)
def test_pool_layers_match_pytorch(kind, d, shape, kwargs):
    ref = getattr(torch.nn, f"{kind}Pool{d}d")(**kwargs)
    layer = getattr(nn, f"{kind}Pool{d}D")(**kwargs)
    assert repr(layer) == repr(ref).replace(f"Pool{d}d", f"Pool{d}D")
    x = np.round(np.random.default_rng(0).standard_normal(shape) * 2) / 2  # with ties
    tx = torch.tensor(x, requires_grad=True)
    xt = tl.tensor(x, requires_grad=True)
    ty, y = ref(tx), layer(xt)
    np.testing.assert_allclose(y.data, ty.detach().numpy(), rtol=1e-12)
    g = np.random.default_rng(1).standard_normal(y.shape)
    ty.backward(torch.tensor(g))
    y.backward(g)
    np.testing.assert_allclose(xt.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-15)
