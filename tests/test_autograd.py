"""The engine: recording, the reverse walk, accumulation, release, grad(), grad mode."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import tensorlite as tl


def leaf(values, dtype=np.float64):
    return tl.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


def test_each_op_records_one_entry_with_its_inputs():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    c = tl.tensor([5.0, 6.0], dtype=np.float64)  # needs no gradient
    y = a * b + c
    add = y._ctx
    mul = add.parents[0]
    assert y.grad_fn == "AddBackward" and type(mul).__name__ == "Mul"
    assert add.parents == (mul, None)       # c needs no gradient: nothing recorded for it
    assert mul.parents == (a, b)            # leaves are referenced directly
    assert mul.seq < add.seq                # recording order
    assert a.is_leaf and not y.is_leaf


def test_gradients_accumulate_over_two_backward_calls():
    x = leaf([1.0, 2.0])
    for _ in range(2):
        (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, -2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad, [4.0, -8.0])


def test_second_backward_through_a_released_graph_raises():
    x = leaf([1.0])
    y = (x.exp() * 2).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()


def test_saved_arrays_are_released_after_backward():
    x = leaf(np.ones((3, 3)))
    h = x.exp()
    y = h.sin()
    ref = weakref.ref(y._ctx.saved[0])      # Sin saved h's data
    del h                                   # the graph itself must not keep it alive
    gc.collect()
    assert ref() is not None
    y.sum().backward()
    gc.collect()
    assert y._ctx.saved is None
    assert ref() is None


def test_retain_graph_keeps_saved_arrays():
    x = leaf([1.0, 2.0])
    y = x.sin()
    y.sum().backward(retain_graph=True)
    assert y._ctx.saved is not None


def test_no_grad_records_nothing():
    x = leaf([1.0, 2.0])
    with tl.no_grad():
        y = x * 2 + 1
        assert not tl.is_grad_enabled()
    assert tl.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf

    @tl.no_grad()
    def double(t):
        return t * 2

    assert double(x).grad_fn is None

    @tl.no_grad
    def triple(t):
        return t * 3

    @tl.enable_grad
    def recorded(t):
        return t * 3

    assert triple(x).grad_fn is None and triple.__name__ == "triple"
    with tl.no_grad():
        assert recorded(x).grad_fn == "MulBackward"
    with tl.no_grad():
        with tl.enable_grad():
            z = x * 2
    assert z.grad_fn == "MulBackward"
    with tl.set_grad_enabled(False):
        assert (x + 1).grad_fn is None


def test_detach_cuts_the_graph():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.data is y.data
    (y * d).sum().backward()              # d is a constant: dy/dx only through y
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])


def test_diamond_accumulates_both_paths():
    x = leaf([1.5, -2.0])
    y = x * 2
    z = y * y + y.sin()                   # y used by two ops, and twice by one
    z.sum().backward()
    yv = 2 * np.array([1.5, -2.0])
    np.testing.assert_allclose(x.grad, 2 * (2 * yv + np.cos(yv)))


def test_an_entry_waits_for_every_later_consumer():
    # Add's first input (early) is an entry that also feeds its second (late): the walk must run
    # late's rule before early's, even though early is the first new entry Add hands a gradient to
    x = leaf([0.5, 2.0])
    early = x.exp()
    late = early * 3
    with tl.profile() as prof:
        (early + late).sum().backward()
    np.testing.assert_allclose(x.grad, 4 * np.exp([0.5, 2.0]), rtol=1e-6)
    assert prof.stats["Exp"].backward_calls == 1


def test_tensor_used_as_both_operands():
    x = leaf([3.0])
    (x * x).backward()
    np.testing.assert_array_equal(x.grad, [6.0])


def test_long_chain_needs_no_recursion():
    x = leaf([1.0])
    y = x
    for _ in range(100_000):
        y = y + 1.0
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0])
    assert y.item() == 100_001.0


def test_grad_with_several_inputs_leaves_grad_untouched():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    h = x * w
    out = (h * h).sum()
    gx, gw, gh = tl.grad(out, [x, w, h])
    np.testing.assert_allclose(gh, 2 * h.data)
    np.testing.assert_allclose(gx, 2 * h.data * w.data)
    np.testing.assert_allclose(gw, 2 * h.data * x.data)
    assert x.grad is None and w.grad is None


def test_grad_of_several_outputs_with_grad_outputs():
    x = leaf([1.0, 2.0])
    (g,) = tl.grad([x * 2, x * x], [x], grad_outputs=[np.array([1.0, 1.0]), np.array([0.5, 0.0])])
    np.testing.assert_allclose(g, [3.0, 2.0])


def test_grad_allow_unused_returns_none():
    x, unused = leaf([1.0]), leaf([2.0])
    gx, gu = tl.grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gu is None and gx[0] == 2.0


def test_backward_with_an_explicit_gradient():
    x = leaf([1.0, 2.0, 3.0])
    (x * 2).backward(tl.tensor([1.0, 0.0, -1.0], dtype=np.float64))
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, -2.0])


def test_backward_on_a_leaf():
    x = leaf([1.0, 2.0])
    x.backward(np.ones(2))
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_leaf_gradients_are_separate_writable_arrays():
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()               # Add hands the same array to both inputs
    assert a.grad is not b.grad
    a.grad *= 10                           # an in-place update (e.g. gradient clipping)
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    c = leaf(np.ones((2, 3)))
    c.sum().backward()                     # Sum's rule returns a read-only broadcast view
    assert c.grad.flags.writeable and c.grad.shape == (2, 3)


def test_broadcast_gradient_is_reduced_to_each_input_shape():
    a = leaf(np.ones((3, 1, 4)))
    b = leaf(np.ones((5, 4)))
    s = leaf(2.0)
    (a * b * s).sum().backward()
    assert a.grad.shape == (3, 1, 4) and b.grad.shape == (5, 4) and s.grad.shape == ()
    np.testing.assert_array_equal(a.grad, np.full((3, 1, 4), 10.0))
    np.testing.assert_array_equal(b.grad, np.full((5, 4), 6.0))
    assert s.grad == 60.0


def test_only_inputs_that_need_a_gradient_get_one():
    computed = []

    class Spy(tl.autograd.Op):
        def forward(self, a, b):
            return a * b

        def backward(self, grad):
            computed.append(self.needs_input_grad)
            return None, grad

    x, c = tl.tensor([1.0]), leaf([2.0])
    Spy.apply(x, c).sum().backward()
    assert computed == [(False, True)]
    assert x.grad is None and c.grad is not None


def test_gradient_dtype_follows_the_input():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    assert x.grad.dtype == np.float32
    (x.double() * x.double()).sum().backward()
    assert x.grad.dtype == np.float32


def test_zero_grad_and_requires_grad_():
    x = tl.ones(2).requires_grad_()
    (x * 2).sum().backward()
    x.zero_grad()
    assert x.grad is None
    assert not x.requires_grad_(False).requires_grad


def test_segment_backward_stops_at_its_input():
    """The engine call behind the legacy ``Module.backward(dout)``: walk only output -> input."""
    w1, w2 = leaf([2.0]), leaf([3.0])
    x = leaf([1.0])
    h = x * w1                      # an earlier "module"
    out = (h * w2).tanh()           # the segment between h and out
    dout = np.array([0.5])
    (dh,) = tl.autograd.backward([out], [dout], inputs=[h], stop_at_inputs=True)
    local = 0.5 * (1 - np.tanh(6.0) ** 2)
    np.testing.assert_allclose(dh, [local * 3.0])
    np.testing.assert_allclose(w2.grad, [local * 2.0])
    assert w1.grad is None and x.grad is None      # nothing past the segment's input
    (dx,) = tl.autograd.backward([h], [dh], inputs=[x], stop_at_inputs=True)
    np.testing.assert_allclose(w1.grad, [local * 3.0 * 1.0])
    np.testing.assert_allclose(dx, [local * 3.0 * 2.0])


def test_grad_of_an_intermediate_is_a_plain_array():
    x = leaf(np.ones((2, 3)))
    y = x * 2
    (gy,) = tl.grad(y.sum(), [y])
    assert gy.shape == (2, 3) and gy.base is None and gy.flags.writeable


@pytest.mark.parametrize("block, inside", [(tl.no_grad, False), (tl.enable_grad, True),
                                           (lambda: tl.set_grad_enabled(False), False)])
def test_grad_mode_decorators_hold_on_every_resumption_of_a_generator(block, inside):
    x = tl.ones(2, requires_grad=True)
    outer = not inside

    @block()
    def gen():
        for _ in range(3):
            seen = tl.is_grad_enabled()
            received = yield (x * 2).requires_grad, seen
            assert received == "ping" or received is None
        return "done"

    with tl.set_grad_enabled(outer):
        g = gen()
        results = [next(g)]
        assert tl.is_grad_enabled() is outer  # the caller's mode between resumptions
        results.append(g.send("ping"))
        results.append(next(g))
        with pytest.raises(StopIteration) as stop:
            next(g)
        assert tl.is_grad_enabled() is outer
    assert results == [(inside, inside)] * 3 and stop.value.value == "done"


def test_a_decorated_generator_sees_exceptions_thrown_in_and_closes():
    closed = []

    @tl.no_grad()
    def gen():
        try:
            yield 1
        except KeyError:
            closed.append(tl.is_grad_enabled())
            yield 2
        finally:
            closed.append("finally")

    g = gen()
    assert next(g) == 1
    assert g.throw(KeyError("k")) == 2 and closed == [False]
    g.close()
    assert closed == [False, "finally"] and tl.is_grad_enabled()
