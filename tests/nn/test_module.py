"""Module, Parameter, containers, state_dict, summary and Linear."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn
from tensorlite.nn.module import StateDictError


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)
        self.register_buffer("count", np.zeros((), dtype=np.int64))
        self.scale = nn.Parameter(np.ones(4, dtype=np.float32))

    def forward(self, x):
        return self.fc(x) * self.scale


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.head = nn.Sequential(nn.Linear(4, 2), nn.Identity())
        self.shared = self.block.fc  # the same module twice: its parameters count once


def test_registration_order_names_and_dedup():
    net = Net()
    assert [n for n, _ in net.named_parameters()] == [
        "block.scale", "block.fc.weight", "block.fc.bias", "head.0.weight", "head.0.bias"]
    assert [n for n, _ in net.named_modules()] == ["", "block", "block.fc", "head", "head.0", "head.1"]
    assert [n for n, _ in net.named_children()] == ["block", "head", "shared"]
    assert [n for n, _ in net.named_buffers()] == ["block.count"]
    # as PyTorch: each module's own parameters, then its buffers, then its children; a shared
    # module appears under each of its names
    assert list(net.state_dict()) == ["block.scale", "block.count", "block.fc.weight", "block.fc.bias",
                                      "head.0.weight", "head.0.bias", "shared.weight", "shared.bias"]
    assert len(list(net.parameters())) == 5
    assert isinstance(net.block.count, tl.Tensor)


def test_sequential_keys_match_pytorch():
    model = nn.Sequential(nn.Linear(4, 3), nn.Identity(), nn.Linear(3, 2))
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert list(model._modules) == ["0", "1", "2"]


def test_setattr_rules():
    m = Block()
    with pytest.raises(TypeError, match="is a parameter"):
        m.scale = np.ones(4)
    m.scale = None
    assert "scale" not in dict(m.named_parameters())
    m.count = np.ones((), dtype=np.int64)
    assert isinstance(m.count, tl.Tensor) and m.count.item() == 1
    del m.fc
    assert not hasattr(m, "fc")

    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first in Early"):
        Early()
    with pytest.raises(KeyError, match="'.'"):
        nn.Module().add_module("a.b", nn.Identity())
    with pytest.raises(TypeError, match="not a Module"):
        nn.Module().add_module("a", 3)


def test_repr_nested_like_pytorch():
    model = nn.Sequential(nn.Linear(4, 3), nn.Sequential(nn.Identity()))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Linear(in_features=4, out_features=3, bias=True)\n"
        "  (1): Sequential(\n"
        "    (0): Identity()\n"
        "  )\n"
        ")"
    )
    assert repr(nn.Linear(2, 1, bias=False)) == "Linear(in_features=2, out_features=1, bias=False)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"


def test_train_eval_zero_grad_apply_requires_grad():
    net = Net()
    assert net.eval() is net and not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    out = net.head(net.block(tl.ones(2, 3)))
    out.sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    seen = []
    net.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen.count("Linear") == 3  # fc, head.0, and fc again as "shared", as in PyTorch
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_state_dict_round_trip_through_save(tmp_path):
    src, dst = Net(), Net()
    src.block.count.data += 3
    tl.save(src.state_dict(), tmp_path / "net.npz")
    weight = dst.block.fc.weight
    result = dst.load_state_dict(tl.load(tmp_path / "net.npz"))
    assert result == ([], [])
    assert dst.block.fc.weight is weight  # loaded in place: optimizers keep their references
    for (k, a), (_, b) in zip(src.state_dict().items(), dst.state_dict().items()):
        np.testing.assert_array_equal(a, b, err_msg=k)
    assert dst.block.count.item() == 3


def test_load_state_dict_reports_every_problem_at_once():
    net = Net()
    state = {k: v.copy() for k, v in net.state_dict().items()}
    del state["head.0.bias"]
    state["block.fc.weight"] = np.zeros((5, 3), dtype=np.float32)
    state["extra"] = np.zeros(1)
    with pytest.raises(StateDictError) as info:
        net.load_state_dict(state)
    message = str(info.value)
    for piece in ("head.0.bias", "extra", "block.fc.weight", "(5, 3)", "(4, 3)", "Net"):
        assert piece in message
    assert isinstance(info.value, KeyError) and isinstance(info.value, ValueError)
    # float64 values are cast to the float32 parameter; "shared" names the same weight
    state["block.fc.weight"] = state["shared.weight"] = np.zeros((4, 3))
    missing, unexpected = net.load_state_dict(state, strict=False)
    assert missing == ["head.0.bias"] and unexpected == ["extra"]
    assert net.block.fc.weight.dtype == np.float32 and not net.block.fc.weight.data.any()
    with pytest.raises(ValueError, match="wrong shape"):
        net.load_state_dict({"block.fc.weight": np.zeros(3)}, strict=False)


def test_containers():
    seq = nn.Sequential(nn.Linear(2, 2), nn.Identity())
    assert isinstance(seq[0], nn.Linear) and isinstance(seq[-1], nn.Identity)
    assert isinstance(seq[:1], nn.Sequential) and len(seq[:1]) == 1
    with pytest.raises(IndexError, match="out of range"):
        seq[2]
    seq.append(nn.Linear(2, 1))
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    del seq[1]
    assert len(seq) == 2
    named = nn.Sequential({"enc": nn.Linear(2, 3), "dec": nn.Linear(3, 2)})
    assert list(named.state_dict())[0] == "enc.weight"
    layers = nn.ModuleList([nn.Linear(1, 1)])
    layers += [nn.Linear(1, 2)]
    layers.insert(0, nn.Identity())
    assert [type(m).__name__ for m in layers] == ["Identity", "Linear", "Linear"]
    assert list(layers.state_dict()) == ["1.weight", "1.bias", "2.weight", "2.bias"]
    heads = nn.ModuleDict({"a": nn.Linear(1, 1)})
    heads["b"] = nn.Linear(1, 1)
    assert "b" in heads and list(heads.keys()) == ["a", "b"] and len(heads) == 2
    heads.pop("a")
    assert list(heads.state_dict()) == ["b.weight", "b.bias"]


def test_summary_table(capsys):
    model = nn.Sequential(nn.Linear(784, 32), nn.Sequential(nn.Linear(32, 10)), nn.Flatten())
    model.summary((5, 784))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["Layer", "(type)", "Output", "shape", "Params"]
    assert [line.split() for line in lines[2:7]] == [
        ["Sequential", "(5,", "10)", "0"],
        ["0:", "Linear", "(5,", "32)", "25,120"],
        ["1:", "Sequential", "(5,", "10)", "0"],
        ["0:", "Linear", "(5,", "10)", "330"],
        ["2:", "Flatten", "(5,", "10)", "0"],
    ]
    assert lines[5].startswith("    0: Linear")  # nested one level deeper
    assert lines[-2] == "Total params: 25,450" and lines[-1] == "Trainable params: 25,450"
    assert model[0]._last_call is None  # summary ran without recording


# -- Linear --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 5, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(shape, bias):
    tl.set_default_dtype(np.float64)
    layer = nn.Linear(3, 2, bias=bias)
    x = tl.randn(*shape, requires_grad=True)
    out = layer(x)
    assert out.shape == shape[:-1] + (2,)
    expected = x.data @ layer.weight.data.T + (layer.bias.data if bias else 0)
    np.testing.assert_allclose(out.data, expected)
    assert tl.gradcheck(lambda x, *params: layer(x), [x, *layer.parameters()])


def test_linear_default_init_matches_pytorch_bounds():
    tl.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / 20
    for p in (layer.weight, layer.bias):
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.95 * bound
    assert abs(layer.weight.data.std() - bound / np.sqrt(3)) < 1e-3  # uniform, not normal


def test_linear_bad_inputs_name_the_layer():
    layer = nn.Linear(3, 2)
    with pytest.raises(ValueError, match=r"Linear\(in_features=3, out_features=2, bias=True\): expected "
                                         r"input with last dim 3, got input of shape \(5, 4\)"):
        layer(tl.ones(5, 4))
    with pytest.raises(TypeError, match=r"Linear\(in_features=3.*float64.*float32"):
        layer(np.ones((5, 3)))
    assert layer(np.ones((5, 3), dtype=np.uint8)).dtype == np.float32  # integers are cast


def test_parameter():
    p = nn.Parameter(np.zeros(2, dtype=np.float32))
    assert p.requires_grad and p.is_leaf and repr(p).startswith("Parameter containing:")
    with pytest.raises(TypeError):
        nn.Parameter(np.zeros(2, dtype=np.int64))
    assert not nn.Parameter(np.zeros(2), requires_grad=False).requires_grad


def test_init_functions():
    tl.manual_seed(1)
    w = tl.zeros(200, 100)
    nn.init.xavier_uniform_(w)
    assert np.abs(w.data).max() <= np.sqrt(6 / 300)
    nn.init.kaiming_normal_(w, nonlinearity="relu")
    assert abs(w.data.std() - np.sqrt(2 / 100)) < 0.005
    nn.init.xavier_normal_(w, gain=2.0)
    assert abs(w.data.std() - 2 * np.sqrt(2 / 300)) < 0.005
    assert nn.init.constant_(w, 0.5).data.min() == 0.5
    assert nn.init.ones_(w).data.sum() == w.size and nn.init.zeros_(w).data.sum() == 0
    assert abs(nn.init.normal_(w, 3.0, 0.1).data.mean() - 3.0) < 0.01
    with pytest.raises(ValueError, match="at least 2 dims"):
        nn.init.xavier_uniform_(tl.zeros(3))
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        nn.init.calculate_gain("swish")
    tl.manual_seed(5)
    a = nn.Linear(3, 3).weight.data.copy()
    tl.manual_seed(5)
    np.testing.assert_array_equal(a, nn.Linear(3, 3).weight.data)


def test_replacing_keeps_the_registration_order():
    seq = nn.Sequential(nn.Linear(3, 4), nn.Identity(), nn.Linear(4, 2))
    seq[0] = nn.Linear(3, 4)
    assert list(seq._modules) == ["0", "1", "2"] and seq(tl.ones(1, 3)).shape == (1, 2)
    layer = nn.Linear(2, 3)
    layer.weight = nn.Parameter(layer.weight.data.copy())
    assert list(layer.state_dict()) == ["weight", "bias"]
    heads = nn.ModuleDict({"a": nn.Identity(), "b": nn.Identity()})
    heads["a"] = nn.Linear(1, 1)
    assert list(heads) == ["a", "b"]
    layers = nn.ModuleList([nn.Identity(), nn.Flatten()])
    layers[0] = nn.Linear(1, 1)
    assert [type(m).__name__ for m in layers] == ["Linear", "Flatten"]
    m = Block()
    m.register_buffer("count", np.ones((), dtype=np.int64), persistent=False)
    assert list(m._buffers) == ["count"] and "count" not in m.state_dict()


def test_sequential_delete_renumbers_like_pytorch():
    seq = nn.Sequential(nn.Linear(2, 2), nn.Identity(), nn.Linear(2, 1))
    seq.append(nn.Flatten())
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2"]
    assert list(seq.state_dict()) == ["1.weight", "1.bias"]


def test_shared_modules_listed_twice_without_dedup():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.Identity(), shared)
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias"]
    assert [n for n, _ in seq.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "2.weight", "2.bias"]


def test_to_double_float_and_get_submodule():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1D(2))
    weight = model[0].weight
    assert model.double() is model and weight.dtype == np.float64 and model[0].weight is weight
    assert model[1].running_mean.dtype == np.float64 and model[1].num_batches_tracked.dtype == np.int64
    x = tl.randn(4, 3, dtype=np.float64, requires_grad=True)
    assert tl.gradcheck(lambda x, *ps: model(x), [x, *model.parameters()])
    model.float().to("cpu")
    assert weight.dtype == np.float32 and model(np.ones((4, 3), dtype=np.float32)).dtype == np.float32
    with pytest.raises(TypeError, match="floating"):
        model.to(np.int32)
    assert model.get_submodule("1") is model[1] and model.get_submodule("") is model
    with pytest.raises(AttributeError, match="'5'"):
        model.get_submodule("5")


@pytest.mark.parametrize("make, data", [
    (lambda: nn.Linear(2, 3), [[1.0, 2.0]]),
    (lambda: nn.Conv2D(1, 2, 3, padding=1), [[[[0.0] * 4] * 4]]),
    (lambda: nn.BatchNorm1D(2), [[1.0, 2.0], [3.0, 5.0]]),
    (lambda: nn.Sequential(nn.Linear(2, 2), nn.ReLU()), [[1.0, -2.0]]),
    (lambda: nn.ReLU(), [1.0, -1.0]),
    (lambda: nn.Embedding(5, 2), [0, 4]),
])
def test_every_layer_takes_a_python_list_as_an_ndarray(make, data):
    tl.manual_seed(0)
    layer = make()
    from_list = layer(data)
    tl.manual_seed(0)
    expected = make()(np.array(data, dtype=np.float32 if isinstance(np.array(data).flat[0], float) else None))
    np.testing.assert_array_equal(from_list.data, expected.data)


def test_unflatten_is_the_inverse_of_flatten_as_pytorch():
    torch = pytest.importorskip("torch")
    x = np.arange(60.0).reshape(3, 20)
    for dim, sizes in ((1, (4, 5)), (-1, (2, -1, 5)), (0, (3, 1))):
        ours = nn.Unflatten(dim, sizes)(tl.tensor(x))
        theirs = torch.nn.Unflatten(dim, sizes)(torch.tensor(x))
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert repr(nn.Unflatten(1, (4, 5))) == repr(torch.nn.Unflatten(1, (4, 5)))
    xt = tl.tensor(x, requires_grad=True)
    assert tl.gradcheck(lambda t: nn.Unflatten(1, (4, 5))(t), [xt])
    with pytest.raises(ValueError, match=r"Unflatten\(dim=1, unflattened_size=\(3, 3\)\).*size 20"):
        nn.Unflatten(1, (3, 3))(tl.tensor(x))
    with pytest.raises(ValueError, match="unflattened_size must be"):
        nn.Unflatten(1, 5)
