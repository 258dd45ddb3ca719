"""In-place tensor methods and the version counter that guards saved arrays (BAD_INPUTS rows 10, 11)."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn, optim


def _leaf(values, requires_grad=True):
    return tl.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


# -- values ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("method, args, expected", [
    ("add_", (2.0,), [3.0, 4.0, 5.0]),
    ("sub_", (1.0,), [0.0, 1.0, 2.0]),
    ("mul_", (np.array([1.0, 0.0, 2.0], dtype=np.float32),), [1.0, 0.0, 6.0]),
    ("div_", (2.0,), [0.5, 1.0, 1.5]),
    ("pow_", (2,), [1.0, 4.0, 9.0]),
    ("clamp_", (1.5, 2.5), [1.5, 2.0, 2.5]),
    ("clip_", (None, 2.0), [1.0, 2.0, 2.0]),
    ("fill_", (7,), [7.0, 7.0, 7.0]),
    ("zero_", (), [0.0, 0.0, 0.0]),
    ("copy_", (np.array([4.0, 5.0, 6.0]),), [4.0, 5.0, 6.0]),
])
def test_in_place_methods_write_into_the_same_memory(method, args, expected):
    array = np.array([1.0, 2.0, 3.0], dtype=np.float32)
    x = tl.Tensor(array)  # wraps the array, no copy
    view = x.reshape(3, 1)
    out = getattr(x, method)(*args)
    assert out is x and x.data is array and x.dtype == np.float32
    np.testing.assert_allclose(array, expected)
    np.testing.assert_allclose(view.data[:, 0], expected)  # a view sees the write
    assert x._version == 1 and view._version == 1  # views share the counter


def test_add_with_alpha_and_augmented_operators():
    x = tl.ones(2)
    x.add_(tl.tensor([1.0, 2.0]), alpha=3)
    np.testing.assert_allclose(x.data, [4.0, 7.0])
    y = x
    y += 1
    y -= 0.5
    y *= 2
    y /= 3
    assert y is x
    np.testing.assert_allclose(x.data, [3.0, 5.0])
    assert x._version == 5


def test_setitem_writes_basic_advanced_and_masked_indices():
    x = tl.zeros(3, 4)
    x[0] = 1
    x[1, [0, 2]] = tl.tensor([5.0, 6.0])
    x[x > 5.5] = -1
    x[..., 3] = np.arange(3.0, dtype=np.float32)
    np.testing.assert_allclose(x.data, [[1, 1, 1, 0], [5, 0, -1, 1], [0, 0, 0, 2]])


def test_copy_casts_and_broadcasts():
    x = tl.zeros(2, 3, dtype=np.float32)
    x.copy_(np.array([1, 2, 3]))  # int64 source, cast as PyTorch's copy_ does
    np.testing.assert_allclose(x.data, [[1, 2, 3], [1, 2, 3]])
    assert x.dtype == np.float32


# -- errors -------------------------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda w: w.add_(1.0),
    lambda w: w.mul_(2.0),
    lambda w: w.zero_(),
    lambda w: w.copy_(np.zeros(3)),
    lambda w: w.__setitem__(0, 5.0),
    lambda w: w.__iadd__(1.0),
])
def test_in_place_on_a_leaf_that_requires_grad_is_refused(call):
    w = _leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=r"leaf tensor that requires grad \(shape \(3,\), float64\).*no_grad"):
        call(w)
    np.testing.assert_allclose(w.data, [1.0, 2.0, 3.0])  # untouched
    assert w._version == 0


def test_in_place_on_a_leaf_under_no_grad_is_allowed():
    w = _leaf([1.0, 2.0])
    with tl.no_grad():
        w.sub_(tl.tensor([0.5, 0.5], dtype=np.float64))
        w[1] = 0
    np.testing.assert_allclose(w.data, [0.5, 0.0])
    assert w.requires_grad and w.is_leaf and w._version == 2


@pytest.mark.parametrize("call, error, pattern", [
    (lambda x: x.add_(np.ones((2, 3), dtype=np.float32)), ValueError, r"add_.*\(2, 3\).*\(3,\)"),
    (lambda x: x.mul_(np.ones(3)), TypeError, r"mul.*float32.*float64"),
    (lambda x: x.copy_(np.ones(4)), ValueError, r"copy_.*\(4,\).*\(3,\)"),
    (lambda x: x.fill_(np.ones(2)), ValueError, r"fill_.*one-element.*\(2,\)"),
    (lambda x: x.__setitem__(slice(0, 2), np.ones(3, dtype=np.float32)), ValueError,
     r"setitem.*\(3,\).*\(2,\).*\(3,\)"),
    (lambda x: x.__setitem__(5, 1.0), IndexError, r"setitem.*\(3,\)"),
])
def test_in_place_bad_operands_name_the_op_and_shapes(call, error, pattern):
    x = tl.ones(3)
    with pytest.raises(error, match=pattern):
        call(x)
    np.testing.assert_allclose(x.data, 1.0)


def test_int_tensor_cannot_take_a_float_result():
    x = tl.tensor([1, 2, 3])
    with pytest.raises(TypeError, match=r"add_.*float32.*int64"):
        x.add_(tl.ones(3, requires_grad=True))


# -- recorded in-place ops --------------------------------------------------------------------------

def test_in_place_on_a_result_takes_its_place_on_the_tape():
    x = _leaf([1.0, 2.0, 3.0])
    y = x.exp()
    saved = y.data
    y.mul_(2)  # Exp saved its output: it must keep the old values
    assert y.grad_fn == "MulBackward" and y.data is not saved
    y[0] = 0.0
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 2 * np.exp(2.0), 2 * np.exp(3.0)])


def test_in_place_with_an_operand_that_requires_grad():
    a = tl.zeros(3, dtype=np.float64)  # a leaf that needs no gradient
    w = _leaf([1.0, 2.0, 3.0])
    a.add_(w * 2)
    assert a.grad_fn == "AddBackward" and a.requires_grad
    (a * a).sum().backward()
    np.testing.assert_allclose(w.grad, 8 * w.data)


@pytest.mark.parametrize("index", [1, slice(0, 2), ([0, 2],), (np.array([True, False, True]),)])
def test_setitem_gradients(index):
    x = tl.tensor(np.random.default_rng(0).standard_normal(3), dtype=np.float64, requires_grad=True)
    v = tl.tensor(np.array(0.7), dtype=np.float64, requires_grad=True)
    assert tl.gradcheck(lambda a, b: tl.setitem(a * 1.5, index, b * b).tanh(), [x, v])


def test_setitem_gradient_of_a_broadcast_value_on_rows():
    x = tl.tensor(np.random.default_rng(1).standard_normal((3, 4)), dtype=np.float64, requires_grad=True)
    v = tl.tensor(np.random.default_rng(2).standard_normal((1, 4)), dtype=np.float64, requires_grad=True)
    assert tl.gradcheck(lambda a, b: tl.setitem(a, slice(1, None), b).sin(), [x, v])


# -- the version counter (row 11) ---------------------------------------------------------------------

def test_optimizer_step_before_backward_is_detected():
    model = nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = model(tl.randn(4, 3, requires_grad=True)).sum()  # dL/dx needs the weight: it is saved
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match=r"Linear \(entry #\d+, output shape \(4, 2\)\).*\(2, 3\).*"
                                           r"optimizer step.*version 2"):
        loss.backward()


def test_writing_a_saved_input_under_no_grad_is_detected():
    w = _leaf([1.0, 2.0])
    x = tl.tensor([3.0, 4.0], dtype=np.float64)
    y = (w * x).sum()
    with tl.no_grad():
        x.mul_(2)
    with pytest.raises(RuntimeError, match=r"Mul .*shape \(2,\).*Tensor.mul_.*version 1"):
        y.backward()


def test_a_write_through_a_view_is_detected():
    w = _leaf([1.0, 2.0, 3.0, 4.0])
    x = tl.tensor(np.arange(4.0))
    y = (w * x).sum()
    x.reshape(2, 2)[0].fill_(9)  # writes x's memory through a view
    with pytest.raises(RuntimeError, match="Tensor.fill_"):
        y.backward()


def test_a_write_into_memory_no_entry_saved_is_fine():
    w = _leaf([1.0, 2.0])
    x = tl.tensor([3.0, 4.0], dtype=np.float64)
    y = (w + x).sum()  # Add saves nothing
    x.zero_()
    y.backward()
    np.testing.assert_allclose(w.grad, [1.0, 1.0])


@pytest.mark.parametrize("write", [
    lambda m: nn.init.zeros_(m.weight),
    lambda m: m.load_state_dict({k: v * 2 for k, v in m.state_dict().items()}),
])
def test_init_and_load_state_dict_bump_versions(write):
    model = nn.Linear(2, 2)
    loss = model(tl.ones(1, 2, requires_grad=True)).sum()  # dL/dx needs the weight: it is saved
    before = model.weight._version
    write(model)
    assert model.weight._version == before + 1
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_training_loops_with_batchnorm_and_every_optimizer_run_clean():
    for make in (lambda p: optim.SGD(p, lr=0.1, momentum=0.9), optim.Adam, optim.AdamW, optim.RMSprop):
        tl.manual_seed(0)
        model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1D(4), nn.ReLU(), nn.Linear(4, 2))
        opt = make(model.parameters())
        before = [p._version for p in model.parameters()]
        for _ in range(3):
            opt.zero_grad()
            model(tl.randn(8, 3)).sum().backward()
            opt.step()
        writes = 2 if isinstance(opt, optim.AdamW) else 1  # AdamW decays, then steps
        assert [p._version for p in model.parameters()] == [v + 3 * writes for v in before]


def test_version_counts_only_library_writes():
    x = tl.zeros(3)
    assert x._version == 0
    x.data[0] = 1  # NumPy writes bypass the counter (documented)
    assert x._version == 0
    x.add_(1)
    assert x._version == 1
