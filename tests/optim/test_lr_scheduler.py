"""Learning-rate schedulers: lr sequences against closed forms and hand-worked ReduceLROnPlateau runs."""
import math

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import optim
from tensorlite.optim import lr_scheduler as sched

EPOCHS = 14


def _opt(*lrs):
    return optim.SGD([{"params": [tl.ones(1, requires_grad=True)], "lr": lr} for lr in lrs])


def _sequence(opt, scheduler, epochs=EPOCHS, metrics=None):
    """The lr of every group at epochs 0 .. epochs-1 (the lr used during that epoch)."""
    out = []
    for epoch in range(epochs):
        out.append([g["lr"] for g in opt.param_groups])
        assert scheduler.get_last_lr() == out[-1]
        opt.step()
        scheduler.step() if metrics is None else scheduler.step(metrics[epoch])
    return np.array(out)


def test_step_lr():
    opt = _opt(0.1, 1.0)
    got = _sequence(opt, sched.StepLR(opt, step_size=3, gamma=0.5))
    expected = [[0.1 * 0.5 ** (e // 3), 0.5 ** (e // 3)] for e in range(EPOCHS)]
    np.testing.assert_allclose(got, expected, rtol=1e-15)
    assert got[:7, 0].tolist() == [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025]


def test_multi_step_lr_with_a_repeated_milestone():
    opt = _opt(0.1)
    got = _sequence(opt, sched.MultiStepLR(opt, milestones=[2, 5, 5, 9], gamma=0.1))[:, 0]
    expected = [0.1] * 2 + [0.01] * 3 + [1e-4] * 4 + [1e-5] * 5
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_exponential_lr():
    opt = _opt(0.1)
    got = _sequence(opt, sched.ExponentialLR(opt, gamma=0.9))[:, 0]
    np.testing.assert_allclose(got, 0.1 * 0.9 ** np.arange(EPOCHS), rtol=1e-13)


@pytest.mark.parametrize("T_max, eta_min", [(5, 0.01), (4, 0.0), (1, 0.02)])
def test_cosine_annealing_follows_the_closed_form_past_t_max(T_max, eta_min):
    opt = _opt(0.1, 0.3)
    got = _sequence(opt, sched.CosineAnnealingLR(opt, T_max=T_max, eta_min=eta_min))
    e = np.arange(EPOCHS)[:, None]
    expected = eta_min + (np.array([0.1, 0.3]) - eta_min) * (1 + np.cos(np.pi * e / T_max)) / 2
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-15)
    assert got[T_max, 0] == pytest.approx(eta_min, abs=1e-15)


def test_lambda_lr_one_function_per_group():
    opt = _opt(0.1, 1.0)
    got = _sequence(opt, sched.LambdaLR(opt, [lambda e: 1 / (1 + e), lambda e: 0.5 ** (e // 2)]))
    expected = [[0.1 / (1 + e), 0.5 ** (e // 2)] for e in range(EPOCHS)]
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_two_schedulers_compose():
    # recursive forms multiply the current lr, so stacking schedulers composes their factors (as PyTorch)
    opt = _opt(1.0)
    a, b = sched.StepLR(opt, step_size=2, gamma=0.5), sched.ExponentialLR(opt, gamma=0.9)
    got = []
    for _ in range(8):
        got.append(opt.param_groups[0]["lr"])
        opt.step()
        a.step()
        b.step()
    np.testing.assert_allclose(got, [0.9 ** e * 0.5 ** (e // 2) for e in range(8)], rtol=1e-13)


def test_construction_sets_initial_lr_and_base_lrs():
    opt = _opt(0.1, 0.2)
    s = sched.ExponentialLR(opt, gamma=0.5)
    assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.2] == s.base_lrs
    assert s.last_epoch == 0 and s.get_last_lr() == [0.1, 0.2]
    s.step()
    assert s.last_epoch == 1 and s.get_last_lr() == [0.05, 0.1]
    s.get_last_lr().append(7)  # a copy
    assert s.get_last_lr() == [0.05, 0.1]
    with pytest.raises(KeyError, match=r"param_groups\[0\] has no 'initial_lr'"):
        sched.StepLR(_opt(0.1), step_size=2, last_epoch=3)


def test_resuming_with_last_epoch_uses_initial_lr():
    opt = _opt(0.1)
    opt.param_groups[0]["initial_lr"] = 1.0
    s = sched.CosineAnnealingLR(opt, T_max=4, last_epoch=1)
    assert s.get_last_lr() == [0.1] and s.last_epoch == 2 and s.base_lrs == [1.0]  # the lr is kept (PyTorch)
    s.step()  # then the recursion goes on from the current lr: 0.1 * (1 + cos(3 pi / 4)) / (1 + cos(pi / 2))
    assert s.get_last_lr() == [pytest.approx(0.1 * (1 - math.sqrt(0.5)), rel=1e-14)]


@pytest.mark.parametrize("make", [
    lambda o: sched.CosineAnnealingLR(o, T_max=6, eta_min=0.001),
    lambda o: sched.StepLR(o, step_size=2, gamma=0.3),
    lambda o: sched.MultiStepLR(o, milestones=[3, 6], gamma=0.3),
    lambda o: sched.ExponentialLR(o, gamma=0.8),
    lambda o: sched.LambdaLR(o, lambda e: 1 / (1 + e)),
])
def test_state_dict_round_trip_continues_identically(make):
    opt = _opt(0.1, 0.5)
    s = make(opt)
    _sequence(opt, s, epochs=4)
    opt_sd, s_sd = opt.state_dict(), s.state_dict()
    assert "optimizer" not in s_sd and s_sd["last_epoch"] == 4
    opt2 = _opt(0.7, 0.7)
    s2 = make(opt2)  # as in PyTorch: build the scheduler, then load both states
    opt2.load_state_dict(opt_sd)
    s2.load_state_dict(s_sd)
    np.testing.assert_array_equal(_sequence(opt2, s2, epochs=8), _sequence(opt, s, epochs=8))


def test_lambda_lr_state_dict_keeps_callable_objects():
    class Warmup:
        def __init__(self, n):
            self.n = n

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.n)

    opt = _opt(1.0)
    s = sched.LambdaLR(opt, Warmup(4))
    sd = s.state_dict()
    assert sd["lr_lambdas"] == [{"n": 4}]
    other = Warmup(10)
    s2 = sched.LambdaLR(_opt(1.0), other)
    s2.load_state_dict(sd)
    assert other.n == 4 and s2.last_epoch == 0
    assert sched.LambdaLR(_opt(1.0), lambda e: 1.0).state_dict()["lr_lambdas"] == [None]


def test_reduce_on_plateau_patience_cooldown_min_lr():
    opt = _opt(0.1)
    s = sched.ReduceLROnPlateau(opt, factor=0.5, patience=2, cooldown=1, min_lr=0.03)
    metrics = [1.0, 0.9, 0.95, 0.92, 0.91, 0.93, 0.94, 0.8, 0.85, 0.86, 0.87, 0.88, 0.89, 0.9, 0.91]
    lrs = []
    for m in metrics:
        s.step(m)
        lrs.append(s.get_last_lr()[0])
    # epoch 5: third bad epoch > patience 2 -> 0.05, then one cooldown epoch whose bad count is dropped;
    # epoch 11: -> max(0.025, min_lr) = 0.03; epoch 15: max(0.015, 0.03) = 0.03, no change
    assert lrs == [0.1] * 4 + [0.05] * 6 + [0.03] * 5
    assert s.best == 0.8 and s.last_epoch == 15


def test_reduce_on_plateau_max_mode_abs_threshold():
    opt = _opt(1.0)
    s = sched.ReduceLROnPlateau(opt, mode="max", factor=0.1, patience=0, threshold=0.1, threshold_mode="abs")
    lrs = []
    for m in [0.5, 0.55, 0.7, 0.75, 0.9]:  # 0.55 and 0.75 do not beat best + 0.1
        s.step(tl.tensor(m))
        lrs.append(s.get_last_lr()[0])
    np.testing.assert_allclose(lrs, [1.0, 0.1, 0.1, 0.01, 0.01], rtol=1e-15)
    assert s.best == pytest.approx(0.9)


def test_reduce_on_plateau_rel_threshold_and_eps():
    opt = _opt(1.0)
    s = sched.ReduceLROnPlateau(opt, patience=0, threshold=0.1)  # must fall below 0.9 * best
    s.step(1.0)
    s.step(0.95)
    assert s.get_last_lr() == [0.1]
    tiny = _opt(1e-8)
    s = sched.ReduceLROnPlateau(tiny, patience=0)
    s.step(1.0)
    s.step(2.0)  # 1e-8 - 1e-9 < eps: not changed
    assert s.get_last_lr() == [1e-8]


def test_reduce_on_plateau_min_lr_per_group_and_state_dict():
    opt = _opt(1.0, 1.0)
    s = sched.ReduceLROnPlateau(opt, patience=0, factor=0.5, min_lr=[0.0, 0.6])
    for m in [1.0, 2.0, 3.0]:
        s.step(m)
    assert s.get_last_lr() == [0.25, 0.6]
    s2 = sched.ReduceLROnPlateau(_opt(1.0, 1.0))
    s2.load_state_dict(s.state_dict())
    assert (s2.best, s2.patience, s2.min_lrs, s2.last_epoch) == (1.0, 0, [0.0, 0.6], 3)


@pytest.mark.parametrize("make, error, pattern", [
    (lambda: sched.StepLR(object(), 2), TypeError, "StepLR: expected an Optimizer, got object"),
    (lambda: sched.StepLR(_opt(0.1), 0), ValueError, "step_size must be a positive integer, got 0"),
    (lambda: sched.CosineAnnealingLR(_opt(0.1), 0), ValueError, "T_max must be positive, got 0"),
    (lambda: sched.LambdaLR(_opt(0.1, 0.2), [math.exp]), ValueError, "expected 2 lr_lambdas .*got 1"),
    (lambda: sched.ReduceLROnPlateau(_opt(0.1), factor=1.0), ValueError, r"factor must be in \[0, 1\), got 1.0"),
    (lambda: sched.ReduceLROnPlateau(_opt(0.1), mode="low"), ValueError, "mode must be 'min' or 'max', got 'low'"),
    (lambda: sched.ReduceLROnPlateau(_opt(0.1), threshold_mode="x"), ValueError, "threshold_mode"),
    (lambda: sched.ReduceLROnPlateau(_opt(0.1), min_lr=[0, 0]), ValueError, "expected 1 min_lrs"),
])
def test_bad_arguments(make, error, pattern):
    with pytest.raises(error, match=pattern):
        make()
