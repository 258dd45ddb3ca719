"""Edge cases found by comparing tensorlite with PyTorch: each test pins the behaviour we chose."""
from __future__ import annotations

import threading

import numpy as np
import pytest

import tensorlite as tl


def f64(values, requires_grad=True):
    return tl.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


# -- axis= everywhere ---------------------------------------------------------------------------

def test_axis_keyword_is_accepted_everywhere():
    x = tl.ones(2, 3)
    assert tl.softmax(x, axis=0).shape == (2, 3)
    np.testing.assert_allclose(x.log_softmax(axis=0).data, np.log(0.5))
    assert x.unsqueeze(axis=0).shape == (1, 2, 3)
    assert x.squeeze(axis=0).shape == (2, 3)
    assert x.argmax(axis=1).shape == (2,)
    assert tl.cat([x, x], axis=1).shape == (2, 6)


# -- accuracy and finite gradients --------------------------------------------------------------

def test_sigmoid_is_accurate_for_large_negative_inputs():
    x = tl.tensor([-17.0, -20.0, -40.0, 0.0, 40.0], dtype=np.float64)
    np.testing.assert_allclose(tl.sigmoid(x).data, 1 / (1 + np.exp(-x.data)), rtol=1e-12)
    np.testing.assert_array_equal(tl.sigmoid(tl.tensor([-1e4, 1e4])).data, [0.0, 1.0])
    assert tl.log(tl.sigmoid(tl.tensor([-20.0]))).item() == pytest.approx(-20.0, rel=1e-6)


def test_std_of_a_constant_has_zero_gradient():
    x = f64([1.0, 1.0, 1.0])
    x.std().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])
    y = f64([[1.0, 1.0], [1.0, 3.0]])
    y.std(dim=1).sum().backward()
    np.testing.assert_allclose(y.grad, [[0, 0], [-1 / np.sqrt(2), 1 / np.sqrt(2)]])


def test_pow_gradients_at_zero_base_are_zero_not_nan():
    x = f64([0.0, 1.0])
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])
    a, b = f64([0.0, 2.0]), f64([2.0, 0.0])
    (a ** b).sum().backward()
    np.testing.assert_allclose(b.grad, [0.0, np.log(2.0)])  # d/db = a**b log a, taken as 0 at a = 0
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])       # d/da = b a**(b-1): 0 at b = 0


def test_max_sends_the_gradient_to_a_nan():
    x = f64([1.0, np.nan, 3.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])


# -- gradients handed out are never shared ------------------------------------------------------

def test_grad_results_never_alias_each_other_or_the_caller():
    a, b = tl.tensor([1.0, 2.0], requires_grad=True), tl.tensor([3.0, 4.0], requires_grad=True)
    t1, t2 = a * 2, b * 2
    g1, g2 = tl.grad(((t1 + t2) * 3).sum(), [t1, t2])
    g1[0] = 99
    np.testing.assert_array_equal(g2, [3.0, 3.0])
    y = a * 2
    upstream = np.ones(2, np.float32)
    (g,) = tl.grad(y, [y], grad_outputs=upstream)
    assert g is not upstream and not np.shares_memory(g, upstream)


# -- the tape keeps its own copies of what the caller may reuse ---------------------------------

def test_index_arrays_and_masks_are_copied_when_recorded():
    x = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    idx = np.array([0, 1])
    y = x[idx]
    idx[:] = 2
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 0.0])
    a = tl.tensor([1.0, 2.0], requires_grad=True)
    mask = np.array([True, False])
    z = tl.where(mask, a, 0.0)
    mask[:] = False
    z.sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 0.0])


def test_requires_grad_false_on_a_computed_tensor_is_refused():
    y = tl.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="detach"):
        y.requires_grad_(False)


# -- grad mode ----------------------------------------------------------------------------------

def test_set_grad_enabled_as_a_plain_call_and_as_a_decorator():
    tl.set_grad_enabled(False)
    try:
        assert not tl.is_grad_enabled()
    finally:
        tl.set_grad_enabled(True)
    assert tl.is_grad_enabled()

    @tl.set_grad_enabled(False)
    def frozen(t):
        return t * 2

    assert tl.is_grad_enabled()                      # decorating switches nothing yet
    assert frozen(tl.ones(1, requires_grad=True)).grad_fn is None
    assert tl.is_grad_enabled()


def test_grad_mode_is_per_thread():
    seen = []
    inside, release = threading.Event(), threading.Event()

    def worker():
        with tl.no_grad():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=worker)
    thread.start()
    inside.wait(5)
    seen.append(tl.is_grad_enabled())
    release.set()
    thread.join()
    assert seen == [True]


# -- scalars, dtypes and bad operands -----------------------------------------------------------

def test_numpy_scalars_take_the_tensor_dtype():
    x = tl.ones(2)
    assert (x ** np.float64(2)).dtype == np.float32
    assert tl.clip(x, np.float64(0), np.float64(0.5)).dtype == np.float32
    assert (tl.tensor([1, 4]) ** 0.5).dtype == np.float32
    assert (x + np.float64(1)).dtype == np.float32


@pytest.mark.parametrize("bad", [None, "2", object()])
def test_non_numeric_operands_are_refused(bad):
    for op in (lambda: tl.ones(2) + bad, lambda: tl.maximum(tl.ones(2), bad),
               lambda: tl.where(tl.ones(2) > 0, tl.ones(2), bad)):
        with pytest.raises(TypeError):
            op()


def test_function_forms_accept_arrays_and_lists():
    assert tl.sum(np.ones(3)).item() == 3
    assert tl.clip(np.ones(3), 0, 0.5).tolist() == [0.5] * 3
    assert tl.reshape(np.ones(3), 3, 1).shape == (3, 1)
    assert tl.mean([1.0, 2.0]).item() == 1.5 and tl.max([1.0, 2.0]).item() == 2.0
    assert tl.softmax([1.0, 1.0]).tolist() == [0.5, 0.5]


def test_python_float_lists_get_the_default_dtype():
    assert tl.cat([[1.0], [2.0]]).dtype == np.float32
    assert tl.add([1.0], [2.0]).dtype == np.float32
    assert tl.matmul([[1.0]], [[2.0]]).dtype == np.float32


def test_float_sizes_and_dims_are_refused_not_truncated():
    for call in (lambda: tl.ones(1).expand(2.7), lambda: tl.pad(tl.ones(2), 1.5), lambda: tl.randn(2.5),
                 lambda: tl.ones(2, 3).permute(1.0, 0.0), lambda: tl.ones(2).unsqueeze(1.0),
                 lambda: tl.ones(3).reshape(3.0)):
        with pytest.raises(TypeError):
            call()


# -- 0-d and empty tensors ----------------------------------------------------------------------

def test_zero_dim_tensors():
    x = tl.tensor(1.0, requires_grad=True)
    assert tl.logsumexp(x).item() == 1.0
    assert tl.softmax(x).item() == 1.0
    assert tl.argmax(x).item() == 0
    with pytest.raises(TypeError, match="0-d"):
        list(x)
    for call in (lambda: tl.cat([x, x]), lambda: x.split(1), lambda: x.chunk(1), lambda: tl.pad(x, 1)):
        with pytest.raises(ValueError, match="0-d"):
            call()


def test_empty_tensors():
    e = tl.zeros(0, 3)
    assert e.softmax(0).shape == (0, 3) and e.log_softmax(0).shape == (0, 3)
    np.testing.assert_array_equal(e.logsumexp(0).data, [-np.inf] * 3)
    assert e.max(1).values.shape == (0,) and e.max(1).indices.shape == (0,)
    with pytest.raises(ValueError, match="empty"):
        e.max(0)
    with pytest.raises(ValueError, match="empty"):
        tl.zeros(0).argmax()
    assert tl.arange(3.0)[[]].shape == (0,)


def test_clear_errors_instead_of_raw_numpy_ones():
    x = tl.ones(2, 3)
    with pytest.raises(IndexError, match="argmax"):
        x.argmax(5)
    with pytest.raises(TypeError, match="cat"):
        tl.cat(tl.ones(2))
    assert tl.cat(t for t in (x, x)).shape == (4, 3)          # any iterable of tensors
    assert x[:tl.tensor(1)].shape == (1, 3)                   # integer tensors work as slice bounds


# -- checkpoints ----------------------------------------------------------------------------------

def test_save_keeps_any_string_key(tmp_path):
    path = tmp_path / "ckpt.npz"
    tl.save({"file": np.ones(2), "allow_pickle": np.zeros(1), "args": np.arange(3)}, path)
    assert sorted(tl.load(path)) == ["allow_pickle", "args", "file"]
    with pytest.raises(ValueError, match="save: entry 'ragged'"):
        tl.save({"ragged": [[1], [1, 2]]}, path)
    with pytest.raises(FileNotFoundError, match="missing"):
        tl.save({"a": np.ones(1)}, tmp_path / "missing" / "x.npz")


# -- second review -----------------------------------------------------------------------------

class Parameter(tl.Tensor):
    __slots__ = ()


def test_tensor_subclasses_stay_in_the_graph():
    p = Parameter(np.ones(3, np.float32), requires_grad=True)
    for out in (p * 2, p.exp(), p.sum(), p[0], p.reshape(3, 1), tl.softmax(p), p.clip(0, 2)):
        assert out.requires_grad
    (p.exp().sum() + p[0]).backward()
    np.testing.assert_allclose(p.grad, np.e + np.array([1, 0, 0]), rtol=1e-6)


def test_math_on_integer_and_bool_tensors_gives_the_default_float():
    for fn in (tl.exp, tl.log, tl.sqrt, tl.sin, tl.cos, tl.tanh, tl.sigmoid):
        assert fn(tl.tensor([1, 2])).dtype == np.float32
        assert fn(tl.tensor([True, True])).dtype == np.float32
    for fn in (tl.neg, tl.relu, abs):
        with pytest.raises(TypeError, match="bool"):
            fn(tl.tensor([True]))


def test_gradcheck_fails_when_finite_differences_are_nan():
    class Wrong(tl.autograd.Op):
        def forward(self, a):
            return np.where(a < 0, np.nan, a)

        def backward(self, grad):
            return grad * 3

    x = tl.tensor(np.array([0.0, 1.0, 2.0]), requires_grad=True)
    with pytest.raises(tl.GradcheckError):
        tl.gradcheck(lambda t: Wrong.apply(t).sum(), [x])


def test_tensor_from_a_list_with_a_dtype():
    assert tl.Tensor([1.0, 2.0], dtype=np.float64).dtype == np.float64


def test_overflowing_scalars_name_the_op():
    with pytest.raises(ValueError, match="add"):
        tl.ones(2) + 10 ** 400
    with pytest.raises(ValueError, match="mul"):
        tl.tensor([1], dtype=np.int8) * 1000
    with pytest.raises(ValueError, match="clip"):
        tl.clip(tl.tensor([1], dtype=np.int8), 0, 1000)


@pytest.mark.parametrize("call, exception, name", [
    (lambda x: x.sum(1.5), TypeError, "sum"),
    (lambda x: x.max(np.float64(1)), TypeError, "max"),
    (lambda x: x.sum(None, "yes"), TypeError, "sum"),
    (lambda x: tl.cat(None), TypeError, "cat"),
    (lambda x: tl.stack(5), TypeError, "stack"),
    (lambda x: x.split(1.5), TypeError, "split"),
    (lambda x: x.split(None), TypeError, "split"),
    (lambda x: tl.pad(x, 1, value="v"), TypeError, "pad"),
    (lambda x: x[[[0, 1], [0]]], IndexError, "getitem"),
    (lambda x: tl.grad(x.sum(), [x], grad_outputs=1.0), TypeError, "grad"),
    (lambda x: tl.grad([x.sum(), x.sum()], [x], grad_outputs=np.ones(2)), ValueError, "grad"),
    (lambda x: x.astype("nope"), TypeError, "astype"),
    (lambda x: x.astype(None), TypeError, "astype"),
    (lambda x: x.astype(object), TypeError, "astype"),
    (lambda x: tl.exp("text"), TypeError, "exp"),
    (lambda x: x.expand(3, 5), ValueError, "expand"),
    (lambda x: x.transpose(0, 5), IndexError, "transpose"),
])
def test_errors_name_the_op(call, exception, name):
    x = tl.ones(2, 3, requires_grad=True)
    with pytest.raises(exception, match=name):
        call(x)


def test_products_save_only_the_operand_the_gradient_needs():
    w = tl.ones(3, requires_grad=True)
    mask = tl.ones(3)
    y = (w * 1.0) * mask
    assert y._ctx.saved[1] is None                       # w * mask: d/dmask is not needed, so w is not kept
    z = tl.ones(2, 3) @ w
    assert z._ctx.saved[1] is None                       # d/dw needs the left operand only


def test_maximum_with_nan_sends_the_gradient_to_the_nan():
    a = tl.tensor([np.nan, 1.0, 2.0], requires_grad=True)
    b = tl.tensor([0.0, np.nan, 1.0], requires_grad=True)
    tl.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad, [0.0, 1.0, 0.0])
