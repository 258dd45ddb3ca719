"""Tensor.register_post_accumulate_grad_hook and autograd.queue_callback (the engine's hook points)."""
import gc

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn
from tensorlite.autograd import engine, queue_callback


def test_hook_sees_the_final_gradient_once_and_before_backward_returns():
    a = tl.tensor(np.arange(3.0), requires_grad=True)
    b = tl.tensor(np.ones(3), requires_grad=True)
    seen = []
    handles = [t.register_post_accumulate_grad_hook(lambda t, n=n: seen.append((n, t.grad.copy())))
               for n, t in (("a", a), ("b", b))]
    # a is used by the first and the last recorded op; b only by the last: b is final first
    ((a * 2).sum() + ((a + 1) * b).sum()).backward()
    assert [n for n, _ in seen] == ["b", "a"]
    np.testing.assert_array_equal(seen[0][1], [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(seen[1][1], [3.0, 3.0, 3.0])
    for h in handles:
        h.remove()
    assert not engine._hooked


def test_hook_runs_mid_walk_as_soon_as_the_last_consumer_ran():
    """The hook of the last layer's weight runs while the first layer's backward is still ahead."""
    tl.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    events = []
    handles = [p.register_post_accumulate_grad_hook(lambda p, n=n: events.append(n))
               for n, p in model.named_parameters()]
    first_weight = model[0].weight
    model(tl.randn(5, 3)).sum().backward()
    # reverse order of use: the output layer's parameters first, the input layer's last
    assert events.index("2.weight") < events.index("0.weight")
    assert events.index("2.bias") < events.index("0.bias")
    assert sorted(events) == sorted(n for n, _ in model.named_parameters())
    assert first_weight.grad is not None
    for h in handles:
        h.remove()


def test_hook_gradients_match_torch_and_accumulate():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(4, 3))
    w = tl.tensor(x, requires_grad=True)
    wt = torch.tensor(x, requires_grad=True)
    got, want = [], []
    h = w.register_post_accumulate_grad_hook(lambda t: got.append(t.grad.copy()))
    wt.register_post_accumulate_grad_hook(lambda t: want.append(t.grad.clone().numpy()))
    for _ in range(2):  # the second backward accumulates into .grad; the hook sees the sum
        ((w * w).sum() + (w + w).tanh().sum()).backward()
        ((wt * wt).sum() + (wt + wt).tanh().sum()).backward()
    assert len(got) == len(want) == 2
    for g, e in zip(got, want):
        np.testing.assert_allclose(g, e, rtol=1e-12)
    h.remove()


def test_hook_may_change_grad_in_place_without_touching_other_gradients():
    """Add passes one array to both inputs: a hook writing into one .grad must not change the other."""
    a = tl.tensor(np.ones(2), requires_grad=True)
    b = tl.tensor(np.ones(2), requires_grad=True)
    h = a.register_post_accumulate_grad_hook(lambda t: t.grad.__imul__(10))
    ((a + b) * 3).sum().backward()
    np.testing.assert_array_equal(a.grad, [30.0, 30.0])
    np.testing.assert_array_equal(b.grad, [3.0, 3.0])
    h.remove()


def test_callbacks_run_after_every_grad_is_written():
    a = tl.tensor(np.ones(2), requires_grad=True)
    b = tl.tensor(np.ones(2), requires_grad=True)
    order = []

    def hook(t):
        order.append("hook")
        queue_callback(lambda: order.append(("callback", b.grad is not None)))

    h = a.register_post_accumulate_grad_hook(hook)
    (a * b).sum().backward()
    assert order == ["hook", ("callback", True)]
    with pytest.raises(RuntimeError, match="queue_callback: no backward"):
        queue_callback(lambda: None)
    h.remove()


def test_no_hook_for_grad_or_unreached_leaves_and_removal():
    a = tl.tensor(np.ones(2), requires_grad=True)
    b = tl.tensor(np.ones(2), requires_grad=True)
    calls = []
    h = a.register_post_accumulate_grad_hook(calls.append)
    tl.grad((a * 2).sum(), [a])  # writes no .grad: no hook
    (b * 2).sum().backward()      # a not reached
    assert calls == []
    h.remove()
    (a * 2).sum().backward()
    assert calls == [] and not engine._hooked


def test_module_backward_segment_runs_hooks():
    """The legacy Module.backward(dout) walks a segment: hooks fire there too."""
    tl.manual_seed(0)
    layer = nn.Linear(3, 2)
    calls = []
    handles = [p.register_post_accumulate_grad_hook(lambda p: calls.append(p.shape)) for p in layer.parameters()]
    out = layer(tl.randn(4, 3))  # noqa: F841  (keeps the graph alive)
    layer.backward(np.ones((4, 2), np.float32))
    assert sorted(calls) == [(2,), (2, 3)]
    for h in handles:
        h.remove()


def test_bad_registrations_and_dead_tensors():
    with pytest.raises(TypeError, match="must be callable"):
        tl.ones(2, requires_grad=True).register_post_accumulate_grad_hook(3)
    with pytest.raises(RuntimeError, match="not a leaf"):
        (tl.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print)
    with pytest.raises(RuntimeError, match="does not require grad"):
        tl.ones(2).register_post_accumulate_grad_hook(print)
    t = tl.ones(2, requires_grad=True)
    t.register_post_accumulate_grad_hook(print)
    assert engine._hooked
    del t
    gc.collect()
    assert not engine._hooked  # the ordinary walk is back once the hooked tensor is gone
