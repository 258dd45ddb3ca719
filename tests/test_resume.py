"""Resuming from a checkpoint continues bit for bit: for every optimizer (each option set) and every
scheduler in tensorlite.optim, saving at step k and resuming gives the same learning rates, the same
parameters and the same random numbers for the next 20 steps as never stopping.

The checkpoint keeps the type of every value of the optimizer's and the scheduler's state (a
MultiStepLR's milestone counter kept its int keys only by accident of JSON before: they came back as
strings and the lr never decayed again after a resume).
"""
from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tensorlite as tl
from tensorlite import nn, optim
from tensorlite.data import DataLoader, TensorDataset
from tensorlite.optim import lr_scheduler as sched
from tensorlite.training import fit, load_checkpoint, save_checkpoint

STEPS_AFTER = 20

OPTIMIZERS = {  # every option that changes the state or the arithmetic, alone and together
    "SGD": [dict(lr=0.05), dict(lr=0.05, momentum=0.9), dict(lr=0.05, momentum=0.9, dampening=0.3),
            dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
            dict(lr=0.05, momentum=0.5, weight_decay=0.1, maximize=True)],
    "Adam": [dict(lr=0.01), dict(lr=0.01, amsgrad=True), dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
             dict(lr=0.01, amsgrad=True, maximize=True, decoupled_weight_decay=True, weight_decay=0.05)],
    "AdamW": [dict(lr=0.01), dict(lr=0.01, amsgrad=True, weight_decay=0.2)],
    "RMSprop": [dict(lr=0.01), dict(lr=0.01, momentum=0.9), dict(lr=0.01, centered=True),
                dict(lr=0.01, momentum=0.5, centered=True, weight_decay=0.1, alpha=0.9)],
    # issue 22 (resumed with each of the schedulers in NEW_PAIRINGS, see CASES)
    "Adagrad": [dict(lr=0.05), dict(lr=0.05, lr_decay=0.1, initial_accumulator_value=0.2, weight_decay=0.1)],
    "Adadelta": [dict(), dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)],
    "Adamax": [dict(lr=0.01), dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.1)],
    "NAdam": [dict(lr=0.01), dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, momentum_decay=0.01)],
    "RAdam": [dict(lr=0.01), dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, decoupled_weight_decay=True)],
    "ASGD": [dict(lr=0.05), dict(lr=0.05, t0=3, lambd=0.01, weight_decay=0.1)],
    "LBFGS": [dict(lr=0.1, max_iter=3, history_size=4), dict(lr=0.5, max_iter=4, line_search_fn="strong_wolfe")],
}


class Halving(sched.LRScheduler):
    """A user's scheduler built on the base class."""

    def get_lr(self):
        return [base_lr * 0.5 ** self.last_epoch for base_lr in self.base_lrs]


class Warmup:
    """A callable object: LambdaLR saves its __dict__."""

    def __init__(self):
        self.calls = 0

    def __call__(self, epoch):
        self.calls += 1
        return min(1.0, (epoch + 1) / 4) * 0.9 ** self.calls


SCHEDULERS = {  # name -> factories; each option set that stores something different
    "StepLR": [lambda o: sched.StepLR(o, step_size=3, gamma=0.5)],
    "MultiStepLR": [lambda o: sched.MultiStepLR(o, milestones=[2, 4, 4, 9, 13, 17], gamma=0.5)],
    "ExponentialLR": [lambda o: sched.ExponentialLR(o, gamma=0.9)],
    "CosineAnnealingLR": [lambda o: sched.CosineAnnealingLR(o, T_max=5, eta_min=0.001)],
    "LambdaLR": [lambda o: sched.LambdaLR(o, lambda epoch: 0.95 ** epoch),
                 lambda o: sched.LambdaLR(o, [lambda epoch: 1 / (epoch + 1), Warmup()])],
    "ReduceLROnPlateau": [lambda o: sched.ReduceLROnPlateau(o, factor=0.5, patience=1),
                          lambda o: sched.ReduceLROnPlateau(o, mode="max", factor=0.7, patience=0, cooldown=2,
                                                            threshold_mode="abs", min_lr=[0.0, 1e-3])],
    "LRScheduler": [Halving],
    None: [lambda o: None],
    # issue 22
    "MultiplicativeLR": [lambda o: sched.MultiplicativeLR(o, lambda epoch: 0.97),
                         lambda o: sched.MultiplicativeLR(o, [lambda epoch: 0.9, Warmup()])],
    "ConstantLR": [lambda o: sched.ConstantLR(o, factor=0.5, total_iters=6)],
    "LinearLR": [lambda o: sched.LinearLR(o, start_factor=0.2, end_factor=0.9, total_iters=10)],
    "PolynomialLR": [lambda o: sched.PolynomialLR(o, total_iters=15, power=1.5)],
    "CosineAnnealingWarmRestarts": [lambda o: sched.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-3)],
    "CyclicLR": [lambda o: sched.CyclicLR(o, base_lr=0.01, max_lr=0.05, step_size_up=3, mode="triangular2",
                                          cycle_momentum="momentum" in o.defaults or "betas" in o.defaults),
                 lambda o: sched.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=2, step_size_down=3,
                                          mode="exp_range", gamma=0.95, cycle_momentum=False)],
    "OneCycleLR": [lambda o: sched.OneCycleLR(o, max_lr=[0.05, 0.1], total_steps=40, three_phase=True,
                                              cycle_momentum="momentum" in o.defaults or "betas" in o.defaults)],
    "SequentialLR": [lambda o: sched.SequentialLR(o, [sched.LinearLR(o, start_factor=0.1, total_iters=3),
                                                      sched.MultiStepLR(o, milestones=[2, 6], gamma=0.5)],
                                                  milestones=[4])],
    "ChainedScheduler": [lambda o: sched.ChainedScheduler([sched.ConstantLR(o, factor=0.5, total_iters=5),
                                                           sched.LambdaLR(o, Warmup())])],
}
NEW_OPTIMIZERS = ["Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam", "ASGD", "LBFGS"]
NEW_SCHEDULERS = ["MultiplicativeLR", "ConstantLR", "LinearLR", "PolynomialLR", "CosineAnnealingWarmRestarts",
                  "CyclicLR", "OneCycleLR", "SequentialLR", "ChainedScheduler"]


def test_the_tables_cover_every_optimizer_and_scheduler():
    assert set(OPTIMIZERS) == set(optim.__all__) - {"Optimizer", "lr_scheduler"}
    assert set(SCHEDULERS) - {None} == set(sched.__all__)


def _pairs():
    """Every optimizer with every scheduler, except that the ones issue 22 added are paired with a few
    (each new optimizer with no scheduler, StepLR and ChainedScheduler; each new scheduler with SGD,
    Adam and RMSprop) to keep the product small."""
    for o, options in OPTIMIZERS.items():
        for s, factories in SCHEDULERS.items():
            if o in NEW_OPTIMIZERS and s not in (None, "StepLR", "ChainedScheduler"):
                continue
            if s in NEW_SCHEDULERS and o not in ("SGD", "Adam", "RMSprop") + tuple(NEW_OPTIMIZERS):
                continue
            if o == "LBFGS" and s not in (None, "StepLR"):
                continue
            for i in range(len(options)):
                for j in range(len(factories)):
                    if s in NEW_SCHEDULERS and o not in NEW_OPTIMIZERS and i > 1:
                        continue
                    yield pytest.param(o, i, s, j, id=f"{o}{i}-{s}{j}")


CASES = list(_pairs())


def _setup(opt_name, opt_index, sched_name, sched_index, seed):
    tl.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    head = list(model[2].parameters())
    groups = [{"params": list(model[0].parameters())}, {"params": head, "lr": 0.02}]
    if opt_name == "LBFGS":  # one parameter group only
        groups = list(model.parameters())
    opt = getattr(optim, opt_name)(groups, **OPTIMIZERS[opt_name][opt_index])
    return model, opt, SCHEDULERS[sched_name][sched_index](opt)


def _train(model, opt, scheduler, steps):
    """``steps`` steps; the lrs used and the parameters after each. Draws noise from the generator."""
    x = np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3)
    lrs, params = [], []
    for _ in range(steps):
        opt.zero_grad()
        noise = tl.randn(5, 2)                              # the noise checks the generator's state too
        loss = ((model(x) - noise) ** 2).mean()
        loss.backward()
        lrs.append([group["lr"] for group in opt.param_groups])
        if isinstance(opt, optim.LBFGS):
            def closure(noise=noise):
                opt.zero_grad()
                value = ((model(x) - noise) ** 2).mean()
                value.backward()
                return value
            opt.step(closure)
        else:
            opt.step()
        if isinstance(scheduler, sched.ReduceLROnPlateau):
            scheduler.step(round(float(loss.data), 1))      # rounded: plateaus happen
        elif scheduler is not None:
            scheduler.step()
        params.append([p.data.copy() for p in model.parameters()])
    return lrs, params


@pytest.mark.parametrize("opt_name, opt_index, sched_name, sched_index", CASES)
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(k=st.integers(0, 12))
def test_saving_at_step_k_and_resuming_continues_bit_for_bit(opt_name, opt_index, sched_name, sched_index, k):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ckpt.npz"
        model, opt, scheduler = _setup(opt_name, opt_index, sched_name, sched_index, seed=0)
        _train(model, opt, scheduler, k)
        save_checkpoint(path, model, opt, scheduler, epoch=k)
        expected = _train(model, opt, scheduler, STEPS_AFTER)     # never stopped

        model, opt, scheduler = _setup(opt_name, opt_index, sched_name, sched_index, seed=1)  # a new process
        tl.randn(7)                                                # elsewhere in its random stream
        assert load_checkpoint(path, model, opt, scheduler)["epoch"] == k
        got = _train(model, opt, scheduler, STEPS_AFTER)
    assert got[0] == expected[0]                                   # the lrs, exactly
    for step, (mine, theirs) in enumerate(zip(got[1], expected[1])):
        for a, b in zip(mine, theirs):
            assert a.dtype == b.dtype and np.array_equal(a, b), f"parameters differ {step + 1} steps after resuming"


def test_multistep_lr_still_decays_after_fit_resumes(tmp_path):
    """The reported case: fit(resume=True) with MultiStepLR never decayed again."""
    x = np.random.default_rng(0).normal(size=(32, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)

    def run(epochs, resume, path):
        tl.manual_seed(0)
        model = nn.Linear(2, 2)
        opt = optim.SGD(model.parameters(), lr=1.0)
        milestones = sched.MultiStepLR(opt, milestones=[2, 4], gamma=0.1)
        loader = DataLoader(TensorDataset(x, y), batch_size=8, shuffle=True)
        return fit(model, nn.CrossEntropyLoss(), opt, loader, epochs=epochs, scheduler=milestones,
                   checkpoint_path=path, resume=resume, progress=False), milestones

    straight, _ = run(6, False, tmp_path / "straight.npz")
    run(1, False, tmp_path / "stopped.npz")
    resumed, milestones = run(6, True, tmp_path / "stopped.npz")
    assert milestones.milestones == Counter({2: 1, 4: 1}) and all(type(k) is int for k in milestones.milestones)
    assert resumed.lr == straight.lr == pytest.approx([1.0, 0.1, 0.1, 0.01, 0.01, 0.01])
    assert resumed.train_loss == straight.train_loss


@pytest.mark.parametrize("value", [
    (1, 2.5), [1, (2, 3)], {1: "a", "1": "b", (2, 3): None, 2.5: True}, Counter({3: 2, 7: 1}),
    np.float32(0.1), np.int64(-3), np.bool_(True), np.arange(6, dtype=np.float16).reshape(2, 3),
    np.array(np.nan), [float("inf"), -0.0, float("nan")], 2 ** 100, {"dict": [1]}, {"tuple": "x"}, [],
], ids=repr)
def test_the_checkpoint_encoding_keeps_every_type(value):
    import json

    from tensorlite.training import _decode, _encode
    back = _decode(json.loads(json.dumps(_encode(value, "x"))))

    def same(a, b):
        assert type(a) is type(b)
        if isinstance(a, np.ndarray) or isinstance(a, np.generic):
            assert a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
        elif isinstance(a, (list, tuple)):
            assert len(a) == len(b) and all(same(p, q) is None for p, q in zip(a, b))
        elif isinstance(a, dict):
            assert list(a) == list(b) and all(type(p) is type(q) for p, q in zip(a, b))
            assert all(same(a[key], b[key]) is None for key in a)
        elif isinstance(a, float):
            assert str(a) == str(b)
        else:
            assert a == b

    same(value, back)


def test_save_checkpoint_refuses_state_it_cannot_store_before_writing(tmp_path):
    model = nn.Linear(2, 1)
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler = sched.StepLR(opt, step_size=2)
    scheduler.note = object()                      # a user's attribute: part of the state dict
    path = tmp_path / "ckpt.npz"
    save_checkpoint(path, model, opt)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"save_checkpoint: the scheduler entry\['state'\]\['note'\] holds an? "
                                        r"object"):
        save_checkpoint(path, model, opt, scheduler)
    assert path.read_bytes() == before
