"""tensorlite.optim against torch.optim: the same parameters after 20 steps on random gradients, and the
same lr sequences from every scheduler (skipped when PyTorch is not installed)."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import optim
from tensorlite.optim import lr_scheduler as tl_sched

torch = pytest.importorskip("torch")

STEPS = 20

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.7), amsgrad=True)),  # 1 - beta1 > 0.5: lerp's other formula
    ("Adam", dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.05)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.001, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.001, momentum=0.9, centered=True)),
    ("RMSprop", dict(lr=0.001, alpha=0.3, centered=True, maximize=True)),
    ("RMSprop", dict(lr=0.001, momentum=0.5, weight_decay=0.01)),
]


def _run_both(name, kwargs, dtype, seed=0):
    rng = np.random.default_rng(seed)
    shapes = [(4, 3), (3,)]
    w0 = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(STEPS)]
    ours = [tl.tensor(w.copy(), requires_grad=True) for w in w0]
    theirs = [torch.tensor(w.copy(), requires_grad=True) for w in w0]
    # two groups: the second with its own lr, to exercise per-group options
    opt = getattr(optim, name)([{"params": ours[:1]}, {"params": ours[1:], "lr": 0.02}], **kwargs)
    topt = getattr(torch.optim, name)([{"params": theirs[:1]}, {"params": theirs[1:], "lr": 0.02}], **kwargs)
    for step_grads in grads:
        for p, q, g in zip(ours, theirs, step_grads):
            # the gradient depends on the parameter (a quadratic) plus noise, so trajectories can drift apart
            p.grad = 0.5 * p.data + g
            q.grad = 0.5 * q.detach() + torch.from_numpy(g)
        opt.step()
        topt.step()
    return ours, theirs, opt, topt


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[f"{n}-{k}" for n, k in CONFIGS])
def test_matches_torch_float64(name, kwargs):
    ours, theirs, opt, topt = _run_both(name, kwargs, np.float64)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10, atol=1e-14)
    for p, q in zip(ours, theirs):
        for key, value in topt.state[q].items():
            if key == "step":
                assert opt.state[p]["step"] == value.item()
            else:
                np.testing.assert_allclose(opt.state[p][key], value.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name, kwargs", CONFIGS[::3], ids=[f"{n}-{k}" for n, k in CONFIGS[::3]])
def test_matches_torch_float32(name, kwargs):
    ours, theirs, _, _ = _run_both(name, kwargs, np.float32, seed=1)
    for p, q in zip(ours, theirs):
        assert p.dtype == np.float32
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=2e-5, atol=1e-6)


def _lr_sequences(make_ours, make_theirs, n_groups=1, steps=30, metrics=None):
    lrs = [0.1 * (i + 1) for i in range(n_groups)]
    p = [tl.ones(1, requires_grad=True) for _ in lrs]
    q = [torch.ones(1, requires_grad=True) for _ in lrs]
    opt = optim.SGD([{"params": [x], "lr": lr} for x, lr in zip(p, lrs)])
    topt = torch.optim.SGD([{"params": [x], "lr": lr} for x, lr in zip(q, lrs)])
    sched, tsched = make_ours(opt), make_theirs(topt)
    ours, theirs = [], []
    for i in range(steps):
        ours.append([g["lr"] for g in opt.param_groups])
        theirs.append([g["lr"] for g in topt.param_groups])
        opt.step()
        topt.step()
        if metrics is None:
            sched.step()
            tsched.step()
        else:
            sched.step(metrics[i])
            tsched.step(metrics[i])
    assert sched.get_last_lr() == pytest.approx(tsched.get_last_lr(), rel=1e-12)
    return np.array(ours), np.array(theirs)


SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 11], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
]


@pytest.mark.parametrize("name, kwargs", SCHEDULERS, ids=[f"{n}-{k}" for n, k in SCHEDULERS])
def test_scheduler_matches_torch(name, kwargs):
    ours, theirs = _lr_sequences(lambda o: getattr(tl_sched, name)(o, **kwargs),
                                 lambda o: getattr(torch.optim.lr_scheduler, name)(o, **kwargs), n_groups=2)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-15)


def test_lambda_lr_matches_torch():
    fns = [lambda e: 0.95 ** e, lambda e: 1.0 / (1 + e // 4)]
    ours, theirs = _lr_sequences(lambda o: tl_sched.LambdaLR(o, fns),
                                 lambda o: torch.optim.lr_scheduler.LambdaLR(o, fns), n_groups=2)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(mode="min", factor=0.5, patience=2, cooldown=1, min_lr=0.02),
    dict(mode="max", factor=0.3, patience=1, threshold=0.05, threshold_mode="abs", min_lr=[0.0, 0.05]),
    dict(mode="max", factor=0.5, patience=0, threshold=0.1, cooldown=2),
])
def test_reduce_on_plateau_matches_torch(kwargs):
    metrics = list(np.random.default_rng(3).standard_normal(40).cumsum() * 0.1 + 5.0)
    ours, theirs = _lr_sequences(lambda o: tl_sched.ReduceLROnPlateau(o, **kwargs),
                                 lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, **kwargs),
                                 n_groups=2, steps=40, metrics=metrics)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert len(np.unique(ours[:, 0])) > 2  # the test sequence actually reduces the lr several times
