"""Devices (issue 22 part A, issue 23's tl.cuda): "cpu" everywhere PyTorch takes a device, a clear
error for "cuda", and the objects PyTorch code reads (Tensor.device, is_cuda, tl.cuda)."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl

torch = pytest.importorskip("torch")

NO_GPU = "no GPU backend"


def test_device_objects_behave_like_torch():
    for spec in ("cpu", "cuda", "cuda:1"):
        mine, theirs = tl.device(spec), torch.device(spec)
        assert (mine.type, mine.index, str(mine)) == (theirs.type, theirs.index, str(theirs))
    assert repr(tl.device("cpu")) == repr(torch.device("cpu"))
    assert tl.device("cuda", 1) == "cuda:1" and tl.device("cpu") == tl.device(tl.device("cpu"))
    assert tl.device("cpu") != "cuda" and len({tl.device("cpu"), tl.device("cpu")}) == 1
    assert tl.device(0) == "cuda:0"


@pytest.mark.parametrize("spec, exc, match", [
    ("gpu", ValueError, "unknown device type 'gpu'"),
    ("cuda:x", ValueError, "invalid device string"),
    (1.5, TypeError, "expected a string, a device or an int"),
])
def test_bad_device_specs(spec, exc, match):
    with pytest.raises(exc, match=match):
        tl.device(spec)


def test_tensor_device_attributes():
    x = tl.ones(2)
    assert x.device == torch.ones(2).device.type and x.device == tl.device("cpu")
    assert x.is_cuda is False and x.cpu() is x
    with pytest.raises(RuntimeError, match=f"Tensor.cuda: device 'cuda' is not available: .*{NO_GPU}"):
        x.cuda()
    with pytest.raises(RuntimeError, match="device 'cuda:1' is not available"):
        x.cuda(1)


def test_the_usual_device_line_runs():
    device = tl.device("cuda" if tl.cuda.is_available() else "cpu")
    assert device == "cpu" and tl.cuda.device_count() == 0
    model = tl.nn.Linear(2, 3).to(device)
    x = tl.randn(4, 2).to(device)
    assert model(x).device == device
    tl.cuda.manual_seed(0)
    tl.cuda.manual_seed_all(0)


FACTORIES = [
    lambda d: tl.tensor([1.0], device=d), lambda d: tl.zeros(2, device=d), lambda d: tl.ones(2, device=d),
    lambda d: tl.full((2,), 1.0, device=d), lambda d: tl.arange(3, device=d), lambda d: tl.eye(2, device=d),
    lambda d: tl.rand(2, device=d), lambda d: tl.randn(2, device=d), lambda d: tl.zeros_like(tl.ones(2), device=d),
    lambda d: tl.ones_like(tl.ones(2), device=d), lambda d: tl.rand_like(tl.ones(2), device=d),
    lambda d: tl.randn_like(tl.ones(2), device=d), lambda d: tl.randint_like(tl.ones(2), 5, device=d),
    lambda d: tl.ones(2).new_zeros(2, device=d), lambda d: tl.ones(2).new_ones(2, device=d),
    lambda d: tl.ones(2).new_full((2,), 1.0, device=d), lambda d: tl.ones(2).new_empty(2, device=d),
    lambda d: tl.ones(2).new_tensor([1.0], device=d), lambda d: tl.Tensor(2, device=d),
    lambda d: tl.ones(2).to(d), lambda d: tl.ones(2).to(device=d),
    lambda d: tl.nn.Linear(2, 2, device=d), lambda d: tl.nn.Conv2d(1, 1, 3, device=d),
    lambda d: tl.nn.BatchNorm2d(2, device=d), lambda d: tl.nn.LayerNorm(2, device=d),
    lambda d: tl.nn.Embedding(3, 2, device=d), lambda d: tl.nn.LSTM(2, 3, device=d),
    lambda d: tl.nn.GRUCell(2, 3, device=d), lambda d: tl.nn.Linear(2, 2).to(d),
    lambda d: tl.nn.Linear(2, 2).to(device=d),
]


@pytest.mark.parametrize("make", FACTORIES)
def test_device_argument_everywhere(make):
    for device in ("cpu", tl.device("cpu"), "cpu:0", None):
        assert make(device) is not None
    for device in ("cuda", "cuda:0", tl.device("cuda"), "mps"):
        with pytest.raises(RuntimeError, match=NO_GPU):
            make(device)


@pytest.mark.parametrize("cls, args", [
    (tl.nn.Linear, (3, 2)), (tl.nn.Conv1d, (2, 3, 3)), (tl.nn.Conv2d, (2, 3, 3)), (tl.nn.Conv3d, (2, 3, 3)),
    (tl.nn.BatchNorm1d, (3,)), (tl.nn.BatchNorm2d, (3,)), (tl.nn.BatchNorm3d, (3,)), (tl.nn.LayerNorm, (3,)),
    (tl.nn.Embedding, (4, 3)), (tl.nn.RNN, (2, 3)), (tl.nn.LSTM, (2, 3)), (tl.nn.GRU, (2, 3)),
    (tl.nn.RNNCell, (2, 3)), (tl.nn.LSTMCell, (2, 3)), (tl.nn.GRUCell, (2, 3)),
])
def test_layer_dtype_argument_as_torch(cls, args):
    mine = cls(*args, device="cpu", dtype=np.float64)
    theirs = getattr(torch.nn, cls.__name__.replace("D", "d") if cls.__name__[-2:] == "1D" or cls.__name__[-2:] in
                     ("2D", "3D") else cls.__name__)(*args, device="cpu", dtype=torch.float64)
    mine_params = dict(mine.named_parameters())
    assert set(mine_params) == {n for n, _ in theirs.named_parameters()}
    assert {p.dtype for p in mine_params.values()} == {np.dtype(np.float64)}
    floating = [b for b in mine.buffers() if b.dtype.kind == "f"]
    assert all(b.dtype == np.float64 for b in floating)
    with pytest.raises(TypeError, match="parameters must be floating"):
        cls(*args, dtype=np.int64)


def test_linear_takes_device_and_dtype_positionally_as_torch():
    layer = tl.nn.Linear(3, 2, True, "cpu", np.float64)
    assert layer.weight.dtype == np.float64 and layer.bias is not None


def test_tensor_to_forms_as_torch():
    x = tl.ones(2, requires_grad=True)
    assert x.to("cpu") is x and x.to(tl.device("cpu")) is x and x.to(np.float32) is x
    y = x.to("cpu", np.float64)
    assert y.dtype == np.float64 and y.grad_fn is not None
    y.sum().backward()
    assert x.grad.dtype == np.float32
    assert x.to(tl.zeros(1, dtype=np.float64)).dtype == np.float64
    assert x.to(dtype=np.float64, device="cpu").dtype == np.float64
    assert x.to("float64").dtype == np.float64
    z = x.to("cpu", copy=True)
    assert z is not x and not np.shares_memory(z.data, x.data)
    with pytest.raises(TypeError, match="the dtype is given twice"):
        x.to(np.float32, np.float64)


def test_module_to_forms():
    layer = tl.nn.Linear(2, 2)
    assert layer.to("cpu") is layer and layer.cpu() is layer
    assert layer.to(tl.device("cpu"), np.float64).weight.dtype == np.float64
    assert layer.to(tl.ones(1, dtype=np.float32)).weight.dtype == np.float32
    with pytest.raises(RuntimeError, match=NO_GPU):
        layer.cuda()
