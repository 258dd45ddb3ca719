"""Adagrad, Adadelta, Adamax, NAdam, RAdam, ASGD and LBFGS against torch.optim (issue 22).

Float64 parameters over 20 steps with every option, two parameter groups; the state dict round
trip continues exactly as never stopping. PyTorch's CPU kernels fuse multiply-adds (one rounding
for ``a + b * c``), which NumPy has no primitive for, so the iterates agree to about 1e-14
relative rather than bit for bit.
"""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import optim

torch = pytest.importorskip("torch")

STEPS = 20

CONFIGS = [
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05, weight_decay=0.1, initial_accumulator_value=0.3, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.7, eps=1e-4, weight_decay=0.1)),
    ("Adadelta", dict(lr=0.5, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, betas=(0.3, 0.8), eps=1e-6, weight_decay=0.1)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, betas=(0.3, 0.9), momentum_decay=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1)),  # rho_t > 5 after a few steps
    ("RAdam", dict(lr=0.01, betas=(0.5, 0.5))),                              # rho_t never > 5
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.8), weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.6, t0=5, weight_decay=0.1)),
    ("ASGD", dict(lr=0.05, t0=0, maximize=True)),
]


def _problem(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,)]
    w0 = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(STEPS)]
    return w0, grads


def _make(name, kwargs, w0):
    ours = [tl.tensor(w.copy(), requires_grad=True) for w in w0]
    theirs = [torch.tensor(w.copy(), requires_grad=True) for w in w0]
    opt = getattr(optim, name)([{"params": ours[:1]}, {"params": ours[1:], "lr": 0.02}], **kwargs)
    topt = getattr(torch.optim, name)([{"params": theirs[:1]}, {"params": theirs[1:], "lr": 0.02}], **kwargs)
    return ours, theirs, opt, topt


def _step(ours, theirs, opt, topt, step_grads):
    for p, q, g in zip(ours, theirs, step_grads):
        p.grad = 0.5 * p.data + g                 # depends on the parameter: trajectories could drift
        q.grad = 0.5 * q.detach() + torch.from_numpy(g)
    opt.step()
    topt.step()


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
def test_matches_torch_float64_every_step(name, kwargs):
    w0, grads = _problem(0)
    ours, theirs, opt, topt = _make(name, kwargs, w0)
    for step_grads in grads:
        _step(ours, theirs, opt, topt, step_grads)
        for p, q in zip(ours, theirs):
            np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-13, atol=1e-15)
    for p, q in zip(ours, theirs):
        for key, value in topt.state[q].items():
            mine = opt.state[p][key]
            if key == "step":
                assert mine == int(value)
            else:
                np.testing.assert_allclose(mine, value.numpy(), rtol=1e-13, atol=1e-15, err_msg=key)


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
def test_matches_torch_float32(name, kwargs):
    w0, grads = _problem(1, np.float32)
    ours, theirs, opt, topt = _make(name, kwargs, w0)
    for step_grads in grads:
        _step(ours, theirs, opt, topt, step_grads)
    for p, q in zip(ours, theirs):
        assert p.data.dtype == np.float32
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
def test_state_dict_round_trip_continues_exactly(name, kwargs):
    w0, grads = _problem(2)
    ours, _, opt, _ = _make(name, kwargs, w0)
    for step_grads in grads[:7]:
        for p, g in zip(ours, step_grads):
            p.grad = 0.5 * p.data + g
        opt.step()
    saved = opt.state_dict()
    copies = [tl.tensor(p.data.copy(), requires_grad=True) for p in ours]
    new = getattr(optim, name)([{"params": copies[:1]}, {"params": copies[1:]}])
    new.load_state_dict(saved)
    assert [g["lr"] for g in new.param_groups] == [g["lr"] for g in opt.param_groups]
    for step_grads in grads[7:]:
        for p, q, g in zip(ours, copies, step_grads):
            p.grad = 0.5 * p.data + g
            q.grad = 0.5 * q.data + g
        opt.step()
        new.step()
    for p, q in zip(ours, copies):
        assert np.array_equal(p.data, q.data)


def _rosenbrock(x):
    return ((1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2) + ((1 - x[2]) ** 2 + 100 * (x[3] - x[2] ** 2) ** 2)


LBFGS_CONFIGS = [
    dict(),
    dict(lr=0.5, history_size=3, max_iter=7),
    dict(line_search_fn="strong_wolfe"),
    dict(line_search_fn="strong_wolfe", history_size=2, max_iter=5, max_eval=9),
    dict(lr=0.8, tolerance_grad=1e-3, tolerance_change=1e-4, line_search_fn="strong_wolfe"),
]


@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad")  # torch's LBFGS calls float(loss)
@pytest.mark.parametrize("kwargs", LBFGS_CONFIGS, ids=repr)
def test_lbfgs_matches_torch_on_rosenbrock(kwargs):
    start = np.array([-1.2, 1.0, -0.5, 0.8])
    x = tl.tensor(start.copy(), requires_grad=True)
    tx = torch.tensor(start.copy(), requires_grad=True)
    opt, topt = optim.LBFGS([x], **kwargs), torch.optim.LBFGS([tx], **kwargs)

    def closure():
        opt.zero_grad()
        loss = _rosenbrock(x)
        loss.backward()
        return loss

    def tclosure():
        topt.zero_grad()
        loss = _rosenbrock(tx)
        loss.backward()
        return loss

    for step in range(6):
        ours, theirs = opt.step(closure), topt.step(tclosure)
        # the same path (evaluation and iteration counts below); Rosenbrock's bad conditioning magnifies
        # the rounding differences of fused multiply-adds over the 20 iterations of a step
        tol = 1e-10 if step == 0 else 1e-5
        np.testing.assert_allclose(float(ours.data), theirs.item(), rtol=tol, atol=tol)
        np.testing.assert_allclose(x.data, tx.detach().numpy(), rtol=tol, atol=tol)
        state, tstate = opt.state[x], topt.state[tx]
        assert state["func_evals"] == tstate["func_evals"] and state["n_iter"] == tstate["n_iter"]
        assert len(state["old_dirs"]) == len(tstate["old_dirs"])
    if kwargs == dict(line_search_fn="strong_wolfe"):
        np.testing.assert_allclose(x.data, np.ones(4), atol=1e-4)   # converged


def test_lbfgs_state_dict_round_trip_continues_exactly():
    def run(opt, x, steps):
        def closure():
            opt.zero_grad()
            loss = _rosenbrock(x)
            loss.backward()
            return loss
        for _ in range(steps):
            opt.step(closure)

    start = np.array([-1.2, 1.0, -0.5, 0.8])
    x = tl.tensor(start.copy(), requires_grad=True)
    opt = optim.LBFGS([x], max_iter=3, history_size=4, line_search_fn="strong_wolfe")
    run(opt, x, 2)
    saved = opt.state_dict()
    y = tl.tensor(x.data.copy(), requires_grad=True)
    new = optim.LBFGS([y], max_iter=3, history_size=4, line_search_fn="strong_wolfe")
    new.load_state_dict(saved)
    run(opt, x, 3)
    run(new, y, 3)
    assert np.array_equal(x.data, y.data)


def test_lbfgs_rejects_groups_and_bad_options():
    a, b = tl.ones(2, requires_grad=True), tl.ones(1, requires_grad=True)
    with pytest.raises(ValueError, match="LBFGS: doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(ValueError, match="LBFGS: line_search_fn must be None or 'strong_wolfe', got 'armijo'"):
        optim.LBFGS([a], line_search_fn="armijo")
    with pytest.raises(ValueError, match="LBFGS: history_size must be a positive integer, got 0"):
        optim.LBFGS([a], history_size=0)
    with pytest.raises(TypeError, match="LBFGS.step: needs a closure"):
        optim.LBFGS([a]).step()


@pytest.mark.parametrize("name, kwargs, message", [
    ("Adagrad", dict(lr=-1), r"Adagrad: invalid learning rate -1"),
    ("Adagrad", dict(lr_decay=-0.1), r"Adagrad: invalid lr_decay value -0.1"),
    ("Adagrad", dict(initial_accumulator_value=-1), r"Adagrad: invalid initial_accumulator_value value -1"),
    ("Adadelta", dict(rho=1.5), r"Adadelta: invalid rho value 1.5"),
    ("Adadelta", dict(eps=-1), r"Adadelta: invalid eps value -1"),
    ("Adamax", dict(betas=(1.0, 0.9)), r"Adamax: invalid beta parameter at index 0: 1.0"),
    ("NAdam", dict(momentum_decay=-1), r"NAdam: invalid momentum_decay value -1"),
    ("NAdam", dict(betas=(0.9, -0.1)), r"NAdam: invalid beta parameter at index 1: -0.1"),
    ("RAdam", dict(weight_decay=-1), r"RAdam: invalid weight_decay value -1"),
    ("ASGD", dict(lambd=-1), r"ASGD: invalid lambd value -1"),
    ("ASGD", dict(lr="fast"), r"ASGD: lr must be a real number, got 'fast'"),
])
def test_bad_options_name_the_optimizer_and_the_value(name, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        getattr(optim, name)([tl.ones(2, requires_grad=True)], **kwargs)
    with pytest.raises(ValueError, match=f"{name}: optimizer got an empty parameter list"):
        getattr(optim, name)([])
