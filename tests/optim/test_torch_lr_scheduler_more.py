"""OneCycleLR, CyclicLR, CosineAnnealingWarmRestarts, LinearLR, ConstantLR, PolynomialLR,
MultiplicativeLR, SequentialLR and ChainedScheduler against torch.optim.lr_scheduler (issue 22):
the lr (and the momentum they cycle) of every parameter group over 40 steps, and state_dict round
trips that continue exactly."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import optim
from tensorlite.optim import lr_scheduler as tl_sched

torch = pytest.importorskip("torch")
STEPS = 40


class Decay:
    """A callable object: its __dict__ is saved."""

    def __init__(self):
        self.calls = 0

    def __call__(self, epoch):
        self.calls += 1
        return 0.97 if epoch % 3 else 1.01


def _factories(lib):
    S = lib.optim.lr_scheduler if lib is torch else tl_sched
    return {
        "MultiplicativeLR": [lambda o: S.MultiplicativeLR(o, lambda e: 0.95),
                             lambda o: S.MultiplicativeLR(o, [lambda e: 0.9, lambda e: 1.0 - 0.01 * e])],
        "ConstantLR": [lambda o: S.ConstantLR(o), lambda o: S.ConstantLR(o, factor=0.5, total_iters=7)],
        "LinearLR": [lambda o: S.LinearLR(o), lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.1, total_iters=9),
                     lambda o: S.LinearLR(o, start_factor=0.2, end_factor=0.7, total_iters=50)],
        "PolynomialLR": [lambda o: S.PolynomialLR(o), lambda o: S.PolynomialLR(o, total_iters=25, power=2.5)],
        "CosineAnnealingWarmRestarts": [lambda o: S.CosineAnnealingWarmRestarts(o, T_0=7),
                                        lambda o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=1e-3)],
        "CyclicLR": [lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
                     lambda o: S.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=3,
                                          step_size_down=5, mode="triangular2", base_momentum=[0.7, 0.75]),
                     lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5, mode="exp_range",
                                          gamma=0.97, cycle_momentum=False),
                     lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2, scale_fn=lambda x: 0.9 ** x,
                                          scale_mode="iterations")],
        "OneCycleLR": [lambda o: S.OneCycleLR(o, max_lr=0.5, total_steps=STEPS + 1),
                       lambda o: S.OneCycleLR(o, max_lr=[0.5, 1.0], epochs=6, steps_per_epoch=7, pct_start=0.25,
                                              anneal_strategy="linear", div_factor=10.0, final_div_factor=100.0),
                       lambda o: S.OneCycleLR(o, max_lr=0.3, total_steps=STEPS, three_phase=True,
                                              base_momentum=0.8, max_momentum=[0.9, 0.99])],
        "SequentialLR": [lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=0.1, total_iters=4),
                                                      S.ExponentialLR(o, gamma=0.9)], milestones=[5]),
                         lambda o: S.SequentialLR(o, [S.ConstantLR(o, factor=0.3, total_iters=3),
                                                      S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
                                                      S.StepLR(o, step_size=4, gamma=0.5)], milestones=[3, 15]),
                         lambda o: S.SequentialLR(o, [S.PolynomialLR(o, total_iters=6, power=0.5),
                                                      S.MultiStepLR(o, milestones=[3, 8], gamma=0.3)],
                                                  milestones=[6])],
        "ChainedScheduler": [lambda o: S.ChainedScheduler([S.ConstantLR(o, factor=0.2, total_iters=4),
                                                           S.ExponentialLR(o, gamma=0.95)]),
                             lambda o: S.ChainedScheduler([S.LinearLR(o, start_factor=0.5, total_iters=6),
                                                           S.CosineAnnealingWarmRestarts(o, T_0=5),
                                                           S.MultiplicativeLR(o, lambda e: 0.99)], optimizer=o)],
    }


CASES = [(name, i, opt) for name, makers in _factories(torch).items() for i in range(len(makers))
         for opt in (["SGD", "Adam"] if name in ("CyclicLR", "OneCycleLR") else ["SGD"])]


def _optimizers(opt_name):
    kwargs = dict(lr=0.1, momentum=0.9) if opt_name == "SGD" else dict(lr=0.1)
    ours = getattr(optim, opt_name)([{"params": [tl.ones(2, requires_grad=True)]},
                                     {"params": [tl.ones(1, requires_grad=True)], "lr": 0.3}], **kwargs)
    theirs = getattr(torch.optim, opt_name)([{"params": [torch.ones(2, requires_grad=True)]},
                                             {"params": [torch.ones(1, requires_grad=True)], "lr": 0.3}], **kwargs)
    return ours, theirs


def _momenta(opt):
    return [g["betas"][0] if "betas" in g else g["momentum"] for g in opt.param_groups]


@pytest.mark.parametrize("name, index, opt_name", CASES, ids=[f"{n}{i}-{o}" for n, i, o in CASES])
def test_lr_sequence_matches_torch(name, index, opt_name):
    ours, theirs = _optimizers(opt_name)
    mine = _factories(tl)[name][index](ours)
    reference = _factories(torch)[name][index](theirs)
    for step in range(STEPS):
        got, expected = [g["lr"] for g in ours.param_groups], [g["lr"] for g in theirs.param_groups]
        np.testing.assert_allclose(got, expected, rtol=1e-14, atol=1e-17, err_msg=f"step {step}")
        np.testing.assert_allclose(mine.get_last_lr(), reference.get_last_lr(), rtol=1e-14, atol=1e-17)
        np.testing.assert_allclose(_momenta(ours), _momenta(theirs), rtol=1e-14)
        ours.step()
        theirs.step()
        mine.step()
        reference.step()


@pytest.mark.parametrize("name, index", [(n, i) for n, makers in _factories(tl).items() for i in range(len(makers))])
def test_state_dict_round_trip_continues_exactly(name, index):
    ours, _ = _optimizers("SGD")
    scheduler = _factories(tl)[name][index](ours)
    for _ in range(9):
        ours.step()
        scheduler.step()
    saved_opt, saved = ours.state_dict(), scheduler.state_dict()
    expected = []
    for _ in range(15):
        ours.step()
        scheduler.step()
        expected.append(scheduler.get_last_lr())

    fresh, _ = _optimizers("SGD")
    other = _factories(tl)[name][index](fresh)
    fresh.load_state_dict(saved_opt)
    other.load_state_dict(saved)
    got = []
    for _ in range(15):
        fresh.step()
        other.step()
        got.append(other.get_last_lr())
    assert got == expected


def test_cosine_warm_restarts_with_fractional_epochs_matches_torch():
    ours, theirs = _optimizers("SGD")
    mine = tl_sched.CosineAnnealingWarmRestarts(ours, T_0=3, T_mult=2)
    reference = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(theirs, T_0=3, T_mult=2)
    for epoch in np.arange(0, 12, 0.25):
        mine.step(float(epoch))
        reference.step(float(epoch))
        np.testing.assert_allclose(mine.get_last_lr(), reference.get_last_lr(), rtol=1e-14)


def test_one_cycle_refuses_stepping_past_the_end():
    ours, _ = _optimizers("SGD")
    scheduler = tl_sched.OneCycleLR(ours, max_lr=0.1, total_steps=3)
    for _ in range(2):
        scheduler.step()
    scheduler.step()
    with pytest.raises(ValueError, match="OneCycleLR: tried to step 4 times; the schedule has total_steps=3"):
        scheduler.step()


@pytest.mark.parametrize("make, error, message", [
    (lambda o: tl_sched.ConstantLR(o, factor=1.5), ValueError, r"ConstantLR: factor must be in \[0, 1\], got 1.5"),
    (lambda o: tl_sched.LinearLR(o, start_factor=0), ValueError, r"LinearLR: start_factor must be in \(0, 1\]"),
    (lambda o: tl_sched.PolynomialLR(o, total_iters=0), ValueError, "PolynomialLR: total_iters must be positive"),
    (lambda o: tl_sched.CosineAnnealingWarmRestarts(o, T_0=2.5), ValueError, "T_0 must be a positive integer, got 2.5"),
    (lambda o: tl_sched.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "T_mult must be an integer >= 1"),
    (lambda o: tl_sched.CyclicLR(o, 0.1, 1.0, mode="sine"), ValueError, "CyclicLR: mode must be"),
    (lambda o: tl_sched.CyclicLR(o, [0.1], 1.0), ValueError, "CyclicLR: expected 2 values for base_lr"),
    (lambda o: tl_sched.CyclicLR(optim.Adagrad(o.param_groups[0]["params"]), 0.1, 1.0), ValueError,
     "CyclicLR: cycle_momentum=True needs an optimizer with a 'momentum' or 'betas' option, Adagrad has neither"),
    (lambda o: tl_sched.OneCycleLR(o, 1.0), ValueError, "OneCycleLR: give total_steps, or both epochs"),
    (lambda o: tl_sched.OneCycleLR(o, 1.0, total_steps=10, pct_start=1), ValueError, "pct_start must be a float"),
    (lambda o: tl_sched.OneCycleLR(o, 1.0, total_steps=10, anneal_strategy="cosine"), ValueError, "anneal_strategy"),
    (lambda o: tl_sched.SequentialLR(o, [tl_sched.ConstantLR(o)], milestones=[3]), ValueError,
     "SequentialLR: expects one milestone fewer than schedulers, got 1 schedulers and 1 milestones"),
    (lambda o: tl_sched.SequentialLR(o, [tl_sched.ReduceLROnPlateau(o), tl_sched.ConstantLR(o)], [2]), ValueError,
     "ReduceLROnPlateau"),
    (lambda o: tl_sched.ChainedScheduler([]), ValueError, "ChainedScheduler: expects at least one scheduler"),
    (lambda o: tl_sched.ChainedScheduler([tl_sched.ConstantLR(o), tl_sched.ConstantLR(_optimizers("SGD")[0])]),
     ValueError, "ChainedScheduler: every scheduler must belong to the same optimizer, but scheduler 1"),
    (lambda o: tl_sched.MultiplicativeLR(o, 0.5), TypeError, "MultiplicativeLR: lr_lambda should be a function"),
])
def test_bad_options_name_the_scheduler_and_the_value(make, error, message):
    ours, _ = _optimizers("SGD")
    with pytest.raises(error, match=message):
        make(ours)
