"""Optimizers on a fixed quadratic against reference loops written from the published update equations
(PyTorch's documented algorithms) in plain float64 NumPy; dtype, memory, state_dict, groups, closure."""
import importlib
import tracemalloc

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import nn, optim

# f(w) = 0.5 * sum(a * w**2) + b . w, whose gradient is a * w + b
A = np.array([1.0, 2.0, 0.5, 3.0, 0.25])
B = np.array([0.3, -0.2, 0.1, 0.0, -1.0])
W0 = np.array([1.0, -1.5, 2.0, 0.5, -0.25])
STEPS = 8


def quadratic(w):
    return 0.5 * (tl.tensor(A) * w * w).sum() + (tl.tensor(B) * w).sum()


def run(cls, kwargs, steps=STEPS, dtype=np.float64):
    """The trajectory of ``cls`` minimizing the quadratic, gradients from tensorlite's autograd."""
    w = tl.tensor(W0.astype(dtype), requires_grad=True)
    opt = cls([w], **kwargs)
    out = []
    for _ in range(steps):
        opt.zero_grad()
        loss = 0.5 * (tl.tensor(A.astype(dtype)) * w * w).sum() + (tl.tensor(B.astype(dtype)) * w).sum()
        loss.backward()
        opt.step()
        out.append(w.data.copy())
    return np.array(out), w, opt


# -- reference loops: the equations of the torch.optim documentation, step by step ---------------------
def sgd_ref(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    w, b, out = W0.copy(), None, []
    for _ in range(STEPS):
        g = A * w + B
        if maximize:
            g = -g
        if weight_decay:
            g = g + weight_decay * w
        if momentum:
            b = g if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        w = w - lr * g
        out.append(w)
    return np.array(out)


def adam_ref(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False,
             decoupled=False):
    b1, b2 = betas
    w, m, v, vmax, out = W0.copy(), 0.0, 0.0, 0.0, []
    for t in range(1, STEPS + 1):
        g = A * w + B
        if maximize:
            g = -g
        if decoupled:
            w = w - lr * weight_decay * w
        elif weight_decay:
            g = g + weight_decay * w
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        if amsgrad:
            vmax = np.maximum(vmax, v)
            v_hat = vmax / (1 - b2 ** t)
        else:
            v_hat = v / (1 - b2 ** t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(w)
    return np.array(out)


def rmsprop_ref(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False):
    w, v, g_avg, b, out = W0.copy(), 0.0, 0.0, 0.0, []
    for _ in range(STEPS):
        g = A * w + B
        if maximize:
            g = -g
        if weight_decay:
            g = g + weight_decay * w
        v = alpha * v + (1 - alpha) * g * g
        v_tilde = v
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg * g_avg
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            w = w - lr * b
        else:
            w = w - lr * g / (np.sqrt(v_tilde) + eps)
        out.append(w)
    return np.array(out)


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, weight_decay=0.2),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.5),
    dict(lr=0.1, momentum=0.9, nesterov=True),
    dict(lr=0.05, momentum=0.7, nesterov=True, weight_decay=0.1),
    dict(lr=0.05, momentum=0.7, dampening=0.2, weight_decay=0.1, maximize=True),
    dict(lr=0.05, maximize=True),
]
ADAM_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, betas=(0.5, 0.9), eps=1e-3),
    dict(lr=0.1, betas=(0.2, 0.6)),                       # 1 - beta1 > 0.5
    dict(lr=0.1, weight_decay=0.3),
    dict(lr=0.1, amsgrad=True),
    dict(lr=0.1, amsgrad=True, weight_decay=0.1, maximize=True),
    dict(lr=0.1, maximize=True),
]
RMSPROP_CASES = [
    dict(),
    dict(lr=0.05, alpha=0.9, eps=1e-4),
    dict(lr=0.05, alpha=0.3),                             # 1 - alpha > 0.5
    dict(lr=0.01, weight_decay=0.2),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.01, centered=True),
    dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1),
    dict(lr=0.01, alpha=0.3, centered=True, maximize=True),
]


@pytest.mark.parametrize("kwargs", SGD_CASES, ids=str)
def test_sgd_matches_equations(kwargs):
    np.testing.assert_allclose(run(optim.SGD, kwargs)[0], sgd_ref(**kwargs), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("kwargs", ADAM_CASES, ids=str)
def test_adam_matches_equations(kwargs):
    np.testing.assert_allclose(run(optim.Adam, kwargs)[0], adam_ref(**kwargs), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("kwargs", [dict(lr=0.1), dict(lr=0.1, weight_decay=0.5, amsgrad=True),
                                    dict(lr=0.1, weight_decay=0.2, maximize=True)], ids=str)
def test_adamw_matches_equations(kwargs):
    expected = adam_ref(decoupled=True, **{"weight_decay": 1e-2, **kwargs})
    np.testing.assert_allclose(run(optim.AdamW, kwargs)[0], expected, rtol=1e-10, atol=1e-13)
    np.testing.assert_array_equal(run(optim.Adam, {"weight_decay": 1e-2, "decoupled_weight_decay": True,
                                                   **kwargs})[0], run(optim.AdamW, kwargs)[0])


@pytest.mark.parametrize("kwargs", RMSPROP_CASES, ids=str)
def test_rmsprop_matches_equations(kwargs):
    np.testing.assert_allclose(run(optim.RMSprop, kwargs)[0], rmsprop_ref(**kwargs), rtol=1e-10, atol=1e-13)


def test_hand_computed_first_steps():
    # SGD, momentum 0.9, lr 0.1 on w0 = 1 with f = w**2/2 + 0.3 w: g1 = 1.3, w1 = 0.87;
    # g2 = 1.17, b2 = 0.9 * 1.3 + 1.17 = 2.34, w2 = 0.87 - 0.234 = 0.636
    w = tl.tensor([1.0], dtype=np.float64, requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    for expected in (0.87, 0.636):
        opt.zero_grad()
        (0.5 * w * w + 0.3 * w).sum().backward()
        opt.step()
        assert w.data[0] == pytest.approx(expected, rel=1e-14)
    # Adam's first step is lr * g / (|g| + eps): a move of lr against the sign of each gradient
    traj = run(optim.Adam, dict(lr=0.1), steps=1)[0]
    np.testing.assert_allclose(traj[0], W0 - 0.1 * np.sign(A * W0 + B), rtol=1e-7)
    # RMSprop's first step divides by sqrt(1 - alpha) |g|: lr / sqrt(0.01) = 10 lr
    traj = run(optim.RMSprop, dict(lr=0.01), steps=1)[0]
    np.testing.assert_allclose(traj[0], W0 - 0.1 * np.sign(A * W0 + B), rtol=1e-7)


def test_defaults_are_pytorchs():
    w = [tl.ones(1, requires_grad=True)]
    assert optim.SGD(w).defaults == dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                                         maximize=False)
    assert optim.Adam(w).defaults == dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                                          amsgrad=False, maximize=False, decoupled_weight_decay=False)
    assert optim.AdamW(w).defaults["weight_decay"] == 1e-2
    assert optim.AdamW(w).defaults["decoupled_weight_decay"] is True
    assert optim.RMSprop(w).defaults == dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                                             centered=False, maximize=False)


ALL = [(optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
       (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, maximize=True)),
       (optim.Adam, dict(lr=0.1, amsgrad=True, weight_decay=0.1)),
       (optim.AdamW, dict(lr=0.1, maximize=True)),
       (optim.RMSprop, dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.1))]
ALL_IDS = [f"{cls.__name__}-{kw}" for cls, kw in ALL]


@pytest.mark.parametrize("cls, kwargs", ALL, ids=ALL_IDS)
def test_float32_stays_float32(cls, kwargs):
    traj, w, opt = run(cls, kwargs, dtype=np.float32)
    assert traj.dtype == np.float32 and w.dtype == np.float32
    for key, value in opt.state[w].items():
        assert key == "step" and value == STEPS or value.dtype == np.float32, key
    np.testing.assert_allclose(traj, run(cls, kwargs)[0], rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("cls, kwargs", ALL, ids=ALL_IDS)
def test_updates_in_place_with_bounded_temporaries(cls, kwargs):
    n = 250_000
    w = tl.tensor(np.linspace(-1, 1, n, dtype=np.float32), requires_grad=True)
    w.grad = np.linspace(1, 2, n, dtype=np.float32)
    opt = cls([w], **kwargs)
    data = w.data
    opt.step()  # creates the state buffers
    tracemalloc.start()
    try:
        opt.step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert w.data is data  # the same array, updated in place
    assert peak <= 2 * data.nbytes + 65536, f"{peak / data.nbytes:.2f} parameter sizes of temporaries"


@pytest.mark.parametrize("kwargs", [dict(lr=0.01), dict(lr=0.01, amsgrad=True, weight_decay=0.1),
                                    dict(lr=0.01, maximize=True, decoupled_weight_decay=True, weight_decay=0.1)],
                         ids=str)
def test_adam_updates_a_large_parameter_in_blocks_exactly_as_in_one_piece(kwargs):
    # a contiguous parameter of more than one block is updated a cache-sized block at a time; a
    # strided one (the same values) in one piece: the arithmetic must not depend on which
    from tensorlite.optim.adam import _BLOCK

    n = 2 * _BLOCK + 123
    rng = np.random.default_rng(0)
    values, grads = rng.standard_normal((2, n)).astype(np.float32)
    blocked = nn.Parameter(values.copy())
    strided = nn.Parameter(np.repeat(values, 2)[::2])
    assert blocked.data.flags.c_contiguous and not strided.data.flags.c_contiguous
    opts = [optim.Adam([blocked], **kwargs), optim.Adam([strided], **kwargs)]
    for step in range(3):
        blocked.grad = grads * (step + 1)
        strided.grad = grads * (step + 1)
        for opt in opts:
            opt.step()
    np.testing.assert_array_equal(blocked.data, strided.data)
    assert not np.array_equal(blocked.data, values)


def test_every_parameter_write_goes_through_apply(monkeypatch):
    """Writes into parameters happen only in optimizer._apply_ (the hook for a version counter)."""
    real = importlib.import_module("tensorlite.optim.optimizer")._apply_
    calls = []

    def guarded(param, ufunc, operand, part=None):
        param.data.flags.writeable = True
        try:
            real(param, ufunc, operand, part)
        finally:
            param.data.flags.writeable = False
        calls.append(ufunc.__name__)

    for module in ("sgd", "adam", "rmsprop"):
        monkeypatch.setattr(importlib.import_module(f"tensorlite.optim.{module}"), "_apply_", guarded)
    for cls, kwargs in ALL + [(optim.AdamW, dict(weight_decay=0.1))]:
        w = tl.tensor(W0.copy(), requires_grad=True)
        w.data.flags.writeable = False
        opt = cls([w], **kwargs)
        for _ in range(2):
            w.grad = A * w.data + B
            opt.step()  # a write outside _apply_ would raise "assignment destination is read-only"
        assert not np.array_equal(w.data, W0)
    assert "multiply" in calls and "subtract" in calls


def test_zero_grad_both_modes():
    w = tl.ones(3, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (2 * w).sum().backward()
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and np.array_equal(grad, np.zeros(3, np.float32))
    opt.zero_grad()
    assert w.grad is None


def test_params_without_grad_are_skipped():
    w, frozen = tl.ones(2, requires_grad=True), tl.ones(2, requires_grad=True)
    opt = optim.Adam([w, frozen], lr=0.1)
    (w * 3).sum().backward()
    opt.step()
    assert np.array_equal(frozen.data, np.ones(2)) and frozen not in opt.state
    np.testing.assert_allclose(w.data, [0.9, 0.9], rtol=1e-6)


def test_param_groups_have_their_own_options():
    w1, w2 = tl.tensor(W0.copy(), requires_grad=True), tl.tensor(W0.copy(), requires_grad=True)
    opt = optim.SGD([{"params": [w1]}, {"params": w2, "lr": 0.01, "momentum": 0.9}], lr=0.1)
    assert opt.param_groups[0]["momentum"] == 0 and opt.param_groups[1]["params"] == [w2]
    for _ in range(STEPS):
        opt.zero_grad()
        (quadratic(w1) + quadratic(w2)).backward()
        opt.step()
    np.testing.assert_allclose(w1.data, sgd_ref(lr=0.1)[-1], rtol=1e-12)
    np.testing.assert_allclose(w2.data, sgd_ref(lr=0.01, momentum=0.9)[-1], rtol=1e-12)


def test_add_param_group():
    w1, w2 = tl.ones(2, requires_grad=True), tl.ones(3, requires_grad=True)
    opt = optim.Adam([w1], lr=0.1, betas=(0.8, 0.9))
    opt.add_param_group({"params": [w2], "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["betas"] == (0.8, 0.9)
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [w1]})
    with pytest.raises(ValueError, match="same tensor more than once"):
        opt.add_param_group({"params": [tl.ones(1, requires_grad=True)] * 2})
    with pytest.raises(TypeError, match="ordered collection"):
        opt.add_param_group({"params": {tl.ones(1, requires_grad=True)}})
    with pytest.raises(TypeError, match="parameter 1 of group 2 is a ndarray"):
        opt.add_param_group({"params": [tl.ones(1, requires_grad=True), np.ones(2)]})
    with pytest.raises(ValueError, match=r"Adam: invalid learning rate -0.5"):
        opt.add_param_group({"params": [tl.ones(1, requires_grad=True)], "lr": -0.5})
    assert len(opt.param_groups) == 2


def test_closure_reevaluates_under_enable_grad():
    w = tl.tensor(W0.copy(), requires_grad=True)
    opt = optim.SGD([w], lr=0.1, momentum=0.9)
    calls = []

    def closure():
        opt.zero_grad()
        loss = quadratic(w)
        loss.backward()
        calls.append(loss.item())
        return loss

    with tl.no_grad():  # step runs the closure with recording on even inside no_grad
        losses = [opt.step(closure).item() for _ in range(STEPS)]
    assert losses == calls and len(calls) == STEPS
    assert losses[0] == pytest.approx(0.5 * (A * W0 * W0).sum() + B @ W0)
    np.testing.assert_allclose(w.data, sgd_ref(lr=0.1, momentum=0.9)[-1], rtol=1e-12)
    assert opt.step() is None


@pytest.mark.parametrize("cls, kwargs", ALL, ids=ALL_IDS)
def test_state_dict_round_trip_continues_identically(cls, kwargs):
    rng = np.random.default_rng(0)
    params = [tl.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in [(3, 2), (4,)]]
    opt = cls([{"params": params[:1]}, {"params": params[1:], "lr": 0.02}], **kwargs)

    def steps(optimizer, ps, n, seed):
        r = np.random.default_rng(seed)
        for _ in range(n):
            for p in ps:
                p.grad = (p.data + r.standard_normal(p.shape)).astype(np.float32)
            optimizer.step()

    steps(opt, params, 3, seed=1)
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 1] and [g["params"] for g in sd["param_groups"]] == [[0], [1]]
    assert sd["param_groups"][1]["lr"] == 0.02
    for key, value in sd["state"][0].items():  # copies, not the live buffers
        if isinstance(value, np.ndarray):
            assert value is not opt.state[params[0]][key]
            value += 1.0
    sd = opt.state_dict()
    copies = [tl.tensor(p.data.copy(), requires_grad=True) for p in params]
    fresh = cls([{"params": copies[:1]}, {"params": copies[1:]}], lr=0.5)
    fresh.load_state_dict(sd)
    assert fresh.param_groups[1]["lr"] == 0.02 and fresh.param_groups[0]["lr"] == kwargs["lr"]
    assert fresh.param_groups[1]["params"][0] is copies[1]
    steps(opt, params, 4, seed=2)
    steps(fresh, copies, 4, seed=2)
    for p, q in zip(params, copies):
        np.testing.assert_array_equal(p.data, q.data)
        assert q.dtype == np.float32
    for p, q in zip(params, copies):
        for key, value in opt.state[p].items():
            np.testing.assert_array_equal(fresh.state[q][key], value)


def test_load_state_dict_casts_copies_and_reads_plain_arrays():
    w = tl.tensor(W0.copy(), requires_grad=True)
    opt = optim.Adam([w], lr=0.1, betas=(0.8, 0.9))
    w.grad = A * w.data + B
    opt.step()
    sd = opt.state_dict()
    # the shape a flat .npz round trip gives: numbers as 0-d arrays, tuples as 1-d arrays
    sd["state"][0]["step"] = np.array(sd["state"][0]["step"])
    sd["param_groups"][0]["betas"] = np.array(sd["param_groups"][0]["betas"])
    sd["param_groups"][0]["lr"] = np.array(0.1)
    w32 = tl.tensor(W0.astype(np.float32), requires_grad=True)
    opt32 = optim.Adam([w32])
    opt32.load_state_dict(sd)
    state = opt32.state[w32]
    assert state["step"] == 1 and isinstance(state["step"], int)
    assert state["exp_avg"].dtype == np.float32 and state["exp_avg"] is not sd["state"][0]["exp_avg"]
    assert opt32.param_groups[0]["betas"] == (0.8, 0.9) and opt32.param_groups[0]["lr"] == 0.1
    np.testing.assert_allclose(state["exp_avg"], 0.2 * (A * W0 + B), rtol=1e-6)


def test_load_state_dict_rejects_mismatches():
    w1, w2 = tl.ones(2, requires_grad=True), tl.ones(3, requires_grad=True)
    opt = optim.SGD([w1, w2], lr=0.1, momentum=0.9)
    w1.grad, w2.grad = np.ones(2, np.float32), np.ones(3, np.float32)
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match=r"1 parameter group\(s\), the optimizer has 2"):
        optim.SGD([{"params": [tl.ones(2, requires_grad=True)]}, {"params": [tl.ones(3, requires_grad=True)]}],
                  momentum=0.9).load_state_dict(sd)
    with pytest.raises(ValueError, match="group 0 has 2 parameters in the state dict, 1 in the optimizer"):
        optim.SGD([tl.ones(2, requires_grad=True)], momentum=0.9).load_state_dict(sd)
    swapped = optim.SGD([tl.ones(3, requires_grad=True), tl.ones(2, requires_grad=True)], momentum=0.9)
    with pytest.raises(ValueError, match=r"'momentum_buffer' of parameter 0 has shape \(2,\), the parameter "
                                         r"has shape \(3,\)"):
        swapped.load_state_dict(sd)
    assert not swapped.state  # nothing half-loaded
    with pytest.raises(ValueError, match="no 'param_groups' entry"):
        opt.load_state_dict({"state": {}})


def test_repr_like_pytorch():
    opt = optim.Adam([{"params": [tl.ones(1, requires_grad=True)]},
                      {"params": [tl.ones(1, requires_grad=True)], "lr": 0.1}])
    assert repr(opt) == (
        "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    decoupled_weight_decay: False\n"
        "    eps: 1e-08\n    lr: 0.001\n    maximize: False\n    weight_decay: 0\n\n"
        "Parameter Group 1\n    amsgrad: False\n    betas: (0.9, 0.999)\n    decoupled_weight_decay: False\n"
        "    eps: 1e-08\n    lr: 0.1\n    maximize: False\n    weight_decay: 0\n)")


def test_module_parameters_and_generators_are_accepted():
    model = tl.nn.Linear(3, 2)
    opt = optim.SGD(model.parameters(), lr=0.1)  # a generator
    assert [id(p) for p in opt.param_groups[0]["params"]] == [id(p) for p in model.parameters()]
    x = tl.tensor(np.ones((4, 3), np.float32))
    before = model.weight.data.copy()
    model(x).sum().backward()
    opt.step()
    np.testing.assert_allclose(model.weight.data, before - 0.1 * 4.0, rtol=1e-6)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop])
@pytest.mark.parametrize("container", [set, frozenset])
def test_a_set_of_parameters_is_refused_at_the_top_level_as_in_a_group(cls, container):
    """A set's order changes between runs, which breaks checkpoints; it was refused only inside a group."""
    p, q = tl.ones(2, requires_grad=True), tl.zeros(3, requires_grad=True)
    for params in (container([p, q]), [{"params": container([p, q])}]):
        with pytest.raises(TypeError, match=f"{cls.__name__}: parameters must be given in an ordered collection "
                                            f"\\(a list\\), not a {container.__name__}"):
            cls(params, lr=0.1)
    cls((t for t in [p, q]), lr=0.1)       # a generator is ordered: accepted, as before


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW, optim.RMSprop])
def test_a_tensor_assigned_to_grad_is_stored_as_its_array(cls):
    """p.grad = tl.ones(3) then step() failed with "operand 'Tensor' does not support ufuncs"."""
    p, q = tl.ones(3, requires_grad=True), tl.ones(3, requires_grad=True)
    grad = tl.tensor([0.5, -1.0, 2.0])
    p.grad = grad
    q.grad = grad.data.copy()
    assert isinstance(p.grad, np.ndarray) and np.shares_memory(p.grad, grad.data)  # PyTorch's alias
    cls([p], lr=0.1).step()
    cls([q], lr=0.1).step()
    np.testing.assert_array_equal(p.data, q.data)
    assert not np.array_equal(p.data, np.ones(3))
    p.grad = None
    assert p.grad is None
