"""Module hooks against PyTorch's behaviour: forward pre-hooks, forward hooks, full backward hooks
and backward pre-hooks; their order, replacement values, removal, and the gradients they see."""
from __future__ import annotations

import gc
import warnings

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn
from tensorlite.nn import hooks as hooks_module

torch = pytest.importorskip("torch")


def pair(seed=0):
    """The same small model in both libraries (float64): Linear -> Tanh -> Linear."""
    torch.manual_seed(seed)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    return ours.double(), theirs


def value(g):
    if g is None:
        return None
    return g.detach().numpy() if isinstance(g, torch.Tensor) else np.asarray(g.data)


def assert_same_events(ours, theirs):
    assert [e[0] for e in ours] == [e[0] for e in theirs]
    for a, b in zip(ours, theirs):
        assert len(a[1]) == len(b[1]), (a[0], len(a[1]), len(b[1]))
        for x, y in zip(a[1], b[1]):
            assert (x is None) == (y is None), a[0]
            if x is not None:
                np.testing.assert_allclose(x, y, rtol=1e-12, atol=1e-12, err_msg=a[0])


X = np.random.default_rng(1).standard_normal((5, 3))


# -- forward pre-hooks and forward hooks ----------------------------------------------------------

def forward_events(lib_nn, module, x, prepend_last=False):
    events = []
    handles = []
    for name in ("a", "b", "c"):
        prepend = prepend_last and name == "c"
        handles.append(module.register_forward_pre_hook(
            lambda m, args, name=name: events.append(f"pre {name}"), prepend=prepend))
        handles.append(module.register_forward_hook(
            lambda m, args, out, name=name: events.append(f"fwd {name}"), prepend=prepend))
    module(x)
    return events, handles


@pytest.mark.parametrize("prepend_last", [False, True])
def test_forward_hook_order_matches_torch(prepend_last):
    ours, theirs = pair()
    ev_ours, h_ours = forward_events(nn, ours, tl.tensor(X), prepend_last)
    ev_theirs, _ = forward_events(torch.nn, theirs, torch.tensor(X), prepend_last)
    assert ev_ours == ev_theirs
    assert ev_ours[0] == ("pre c" if prepend_last else "pre a")
    for h in h_ours:
        h.remove()
    before = len(ev_ours)
    ours(tl.tensor(X))
    assert len(ev_ours) == before  # removed: nothing runs


def test_nested_modules_run_hooks_in_call_order():
    ours, theirs = pair()
    logs = {"tl": [], "torch": []}
    for lib, model in (("tl", ours), ("torch", theirs)):
        for i, m in enumerate(model):
            m.register_forward_pre_hook(lambda m, a, i=i, log=logs[lib]: log.append(("pre", i)))
            m.register_forward_hook(lambda m, a, o, i=i, log=logs[lib]: log.append(("fwd", i)))
        model.register_forward_hook(lambda m, a, o, log=logs[lib]: log.append(("fwd", "all")))
    ours(tl.tensor(X))
    theirs(torch.tensor(X))
    assert logs["tl"] == logs["torch"]


def test_forward_pre_hook_replaces_args():
    for lib, wrap in ((nn, tl.tensor), (torch.nn, torch.tensor)):
        layer = lib.Identity()
        layer.register_forward_pre_hook(lambda m, args: args[0] + 1)  # not a tuple: wrapped in one
        h = layer.register_forward_pre_hook(lambda m, args: (args[0] * 10,))
        np.testing.assert_allclose(value(layer(wrap(np.zeros(2)))), [10.0, 10.0])
        h.remove()
        np.testing.assert_allclose(value(layer(wrap(np.zeros(2)))), [1.0, 1.0])


def test_forward_pre_hook_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, *, factor=1.0):
            return x * factor

    layer = Scale()
    seen = []

    def hook(module, args, kwargs):
        seen.append(dict(kwargs))
        return args, {"factor": kwargs["factor"] * 3}

    layer.register_forward_pre_hook(hook, with_kwargs=True)
    np.testing.assert_allclose(layer(tl.ones(2), factor=2.0).data, [6.0, 6.0])
    assert seen == [{"factor": 2.0}]
    layer.register_forward_pre_hook(lambda m, a, k: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match="new_args, new_kwargs"):
        layer(tl.ones(2), factor=2.0)


def test_forward_hook_replaces_output_and_sees_the_args():
    ours, theirs = pair()
    results = []
    for model, x in ((ours, tl.tensor(X)), (theirs, torch.tensor(X))):
        seen = []
        model[0].register_forward_hook(lambda m, args, out, seen=seen: seen.append(value(args[0])))
        model[0].register_forward_hook(lambda m, args, out: out * 2)
        model[0].register_forward_hook(lambda m, args, out, seen=seen: seen.append(value(out)))
        results.append((value(model(x)), seen))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    for a, b in zip(results[0][1], results[1][1]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_forward_hook_with_kwargs():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    layer = Scale()
    layer.register_forward_hook(lambda m, args, kwargs, out: out + kwargs["factor"], with_kwargs=True)
    np.testing.assert_allclose(layer(tl.ones(2), factor=2.0).data, [4.0, 4.0])


def test_forward_hook_always_call_runs_when_forward_raises():
    for lib in (nn, torch.nn):
        class Broken(lib.Module):
            def forward(self, x):
                raise ValueError("broken")

        calls = []
        layer = Broken()
        layer.register_forward_hook(lambda m, a, o, calls=calls: calls.append(("plain", o)))
        layer.register_forward_hook(lambda m, a, o, calls=calls: calls.append(("always", o)), always_call=True)
        with pytest.raises(ValueError, match="broken"):
            layer(tl.ones(2) if lib is nn else torch.ones(2))
        assert calls == [("always", None)]


def test_handles_remove_twice_and_work_as_context_managers():
    layer = nn.Identity()
    live = hooks_module.live
    h = layer.register_forward_hook(lambda m, a, o: o * 2)
    assert hooks_module.live == live + 1
    h.remove()
    h.remove()
    assert hooks_module.live == live and "_hooks" not in layer.__dict__
    with layer.register_forward_hook(lambda m, a, o: o * 3):
        assert layer(tl.ones(1)).item() == 3.0
    assert layer(tl.ones(1)).item() == 1.0 and hooks_module.live == live


def test_a_dead_module_releases_its_hooks_from_the_count():
    live = hooks_module.live
    layer = nn.Identity()
    layer.register_forward_hook(lambda m, a, o: o)
    layer.register_forward_pre_hook(lambda m, a: None)
    assert hooks_module.live == live + 2
    del layer
    gc.collect()
    assert hooks_module.live == live


def test_hooks_do_not_run_on_forward_called_directly():
    """As in PyTorch: hooks run when the module is called, not on module.forward(x)."""
    layer = nn.Identity()
    layer.register_forward_hook(lambda m, a, o: o * 2)
    assert layer.forward(tl.ones(1)).item() == 1.0
    assert layer(tl.ones(1)).item() == 2.0


def test_hooks_must_be_callable():
    with pytest.raises(TypeError, match="callable"):
        nn.Identity().register_forward_hook(3)


# -- full backward hooks and backward pre-hooks -------------------------------------------------------

def backward_events(model, x, lib, replace=None, pre_replace=None):
    events = []
    for i, m in enumerate(model):
        def hook(m, gin, gout, i=i):
            events.append((f"hook {i}", [value(g) for g in gin] + ["|"] + [value(g) for g in gout]))
            if replace is not None and i == replace:
                return tuple(None if g is None else g * 3 for g in gin)

        def pre(m, gout, i=i):
            events.append((f"pre {i}", [value(g) for g in gout]))
            if pre_replace is not None and i == pre_replace:
                return tuple(None if g is None else g * -2 for g in gout)

        m.register_full_backward_pre_hook(pre)
        m.register_full_backward_hook(hook)
    out = model(x)
    (out * out).sum().backward()
    grads = [value(p.grad) for p in model.parameters()] + [value(x.grad)]
    return [(n, [None if (isinstance(v, str)) else v for v in vals]) for n, vals in events], grads


@pytest.mark.parametrize("replace,pre_replace", [(None, None), (2, None), (0, None), (None, 1), (1, 2)])
def test_backward_hooks_match_torch(replace, pre_replace):
    """Order of calls, grad_input/grad_output values, and the effect of replacing them."""
    ours, theirs = pair()
    x_ours, x_theirs = tl.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    ev_ours, g_ours = backward_events(ours, x_ours, "tl", replace, pre_replace)
    ev_theirs, g_theirs = backward_events(theirs, x_theirs, "torch", replace, pre_replace)
    assert_same_events(ev_ours, ev_theirs)
    for a, b in zip(g_ours, g_theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_backward_hook_when_no_input_requires_grad_matches_torch():
    """The first layer of a model: the hook runs with the output gradients, grad_input all None."""
    ours, theirs = pair()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ev_ours, g_ours = backward_events(ours, tl.tensor(X), "tl")
    assert any("no input requires grad" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ev_theirs, g_theirs = backward_events(theirs, torch.tensor(X), "torch")
    assert_same_events(ev_ours, ev_theirs)


def test_backward_hook_that_returns_values_when_no_input_requires_grad_raises():
    layer = nn.Linear(3, 2).double()
    layer.register_full_backward_hook(lambda m, gin, gout: (tl.ones(5, 3),))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match="must return None"):
            layer(tl.tensor(X)).sum().backward()


class Mixed:
    """forward(a, k, b, c): a number among the arguments, an input that needs no gradient, one
    that is not used; two outputs, one of them unused."""

    @staticmethod
    def make(lib):
        class Two(lib.Module):
            def forward(self, a, k, b, c):
                return a * k, (a * b).tanh()
        return Two()


def test_grad_input_and_grad_output_layout_matches_torch():
    events = {}
    for lib, wrap in (("tl", tl.tensor), ("torch", torch.tensor)):
        m = Mixed.make(nn if lib == "tl" else torch.nn)
        log = events[lib] = []
        m.register_full_backward_pre_hook(lambda m, gout, log=log: log.append(("pre", [value(g) for g in gout])))
        m.register_full_backward_hook(lambda m, gin, gout, log=log: log.append(
            ("hook", [value(g) for g in gin] + [value(g) for g in gout])))
        a = wrap(np.array([0.5, -1.0]), requires_grad=True)
        b = wrap(np.array([2.0, 3.0]))
        c = wrap(np.ones(3), requires_grad=True)
        p, q = m(a, 3.0, b, c)
        q.sum().backward()
        log.append(("a.grad", [value(a.grad)]))
    assert_same_events(events["tl"], events["torch"])


def test_backward_hooks_in_tl_grad_and_create_graph():
    """tl.grad runs the hooks; under create_graph=True they get Tensors with a graph, and what
    they return is differentiated again (as torch.autograd.grad(create_graph=True))."""
    results = {}
    for lib in ("tl", "torch"):
        ours, theirs = pair()
        model = ours if lib == "tl" else theirs
        x = tl.tensor(X, requires_grad=True) if lib == "tl" else torch.tensor(X, requires_grad=True)
        flags = []

        def hook(m, gin, gout, flags=flags):
            flags.append((gin[0].requires_grad, gout[0].requires_grad))
            return (gin[0] * gin[0],)  # a non-linear replacement, so the second order sees it

        model[2].register_full_backward_hook(hook)
        out = (model(x) ** 2).sum()
        grad = tl.grad if lib == "tl" else torch.autograd.grad
        (g,) = grad(out, x, create_graph=True)
        (h,) = grad((g * g).sum(), x)
        results[lib] = (value(g), value(h), flags)
    np.testing.assert_allclose(results["tl"][0], results["torch"][0], rtol=1e-10)
    np.testing.assert_allclose(results["tl"][1], results["torch"][1], rtol=1e-10)
    # as in torch, the second walk passes the call again (its graph holds the hooked nodes)
    assert results["tl"][2] == results["torch"][2] == [(True, True), (False, False)]


def test_backward_hooks_in_tl_grad_first_order():
    ours, _ = pair()
    ours[0].register_full_backward_hook(lambda m, gin, gout: (gin[0] * 0,))
    x = tl.tensor(X, requires_grad=True)
    (g,) = tl.grad(ours(x).sum(), x)  # first order: ndarray results, hooks applied
    assert isinstance(g, np.ndarray) and not g.any()


def test_backward_hooks_in_legacy_module_backward():
    ours, theirs = pair()
    seen = []
    ours[0].register_full_backward_hook(lambda m, gin, gout: (gin[0] * 2,))
    ours[2].register_full_backward_pre_hook(lambda m, gout: seen.append(value(gout[0])))
    x = tl.tensor(X, requires_grad=True)
    out = ours(x)
    dout = np.ones((5, 2))
    dx = ours.backward(dout)
    assert out.shape == (5, 2)  # (kept alive until backward(dout): the module holds its call weakly)
    theirs[0].register_full_backward_hook(lambda m, gin, gout: (gin[0] * 2,))
    xt = torch.tensor(X, requires_grad=True)
    theirs(xt).backward(torch.tensor(dout))
    np.testing.assert_allclose(dx, xt.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(seen[0], dout)
    for p, q in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-12)
    # a single layer's own backward(dout) walks from its hooked output to its input
    ours.zero_grad()
    seen.clear()
    y = ours[2](tl.tensor(np.ones((5, 4)), requires_grad=True))
    dx2 = ours[2].backward(np.ones((5, 2)))
    np.testing.assert_allclose(dx2, np.ones((5, 2)) @ ours[2].weight.data)
    assert len(seen) == 1 and y.shape == (5, 2)


def test_hooks_of_a_call_are_those_registered_when_it_ran():
    layer = nn.Linear(3, 2).double()
    x = tl.tensor(X, requires_grad=True)
    out = layer(x)
    calls = []
    layer.register_full_backward_hook(lambda m, gin, gout: calls.append(1))
    out.sum().backward()
    assert calls == []  # as in PyTorch: the call ran without backward hooks
    layer(x).sum().backward()
    assert calls == [1]


def test_backward_hook_returning_the_wrong_count_raises():
    layer = nn.Linear(3, 2).double()
    layer.register_full_backward_hook(lambda m, gin, gout: (gin[0], gin[0]))
    with pytest.raises(RuntimeError, match="expected a tuple of 1"):
        layer(tl.tensor(X, requires_grad=True)).sum().backward()
    layer2 = nn.Linear(3, 2).double()
    layer2.register_full_backward_hook(lambda m, gin, gout: (tl.ones(2, 2),))
    with pytest.raises(RuntimeError, match="shape"):
        layer2(tl.tensor(X, requires_grad=True)).sum().backward()


def test_recurrent_layer_outputs_nested_tuple():
    """An LSTM returns (out, (h, c)): only the top-level tensor has a grad_output, as in torch."""
    got = {}
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 2).double()
    ours = nn.LSTM(3, 2)
    ours.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs.state_dict().items()})
    ours = ours.double()
    xs = np.random.default_rng(2).standard_normal((4, 1, 3))
    for lib, model, x in (("tl", ours, tl.tensor(xs, requires_grad=True)),
                          ("torch", theirs, torch.tensor(xs, requires_grad=True))):
        log = got[lib] = []
        model.register_full_backward_hook(lambda m, gin, gout, log=log: log.append(
            ("hook", [value(g) for g in gin] + [value(g) for g in gout])))
        out, (h, c) = model(x)
        (out.sum() + (h * c).sum()).backward()
        log.append(("x.grad", [value(x.grad)]))
    assert_same_events(got["tl"], got["torch"])


def test_no_hooks_keeps_the_fast_path():
    """While no module has a hook, Module.__call__ is the plain one (it calls forward, nothing
    else); the first hook puts in a __call__ that checks for hooks, the last removal takes it away."""
    gc.collect()  # modules of earlier tests that died with hooks
    base = hooks_module.live
    checking = hooks_module._call_checking_hooks
    assert (nn.Module.__call__ is checking) == (base > 0)
    before = nn.Module.__call__
    if not base:
        assert before.__qualname__ == "Module.__call__"
    layer = nn.Identity()
    h = layer.register_forward_hook(lambda m, a, o: o * 2)
    assert nn.Module.__call__ is checking and hooks_module.live == base + 1
    assert nn.Linear(1, 1)(tl.ones(1, 1)).shape == (1, 1) and layer(tl.ones(1)).item() == 2.0
    h.remove()
    assert nn.Module.__call__ is before and hooks_module.live == base
