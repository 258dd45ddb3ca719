"""tensorlite.legacy.optim: model.parameters (the bound method), L1/L2 decay, gradient clipping,
a settable lr, and PyTorch's update arithmetic (Adam keeps its moments, Nesterov is right)."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite.legacy import nn, optim


def _param(values):
    return tl.nn.Parameter(np.array(values, dtype=np.float64))


def _with_grad(values, grad):
    p = _param(values)
    p.grad = np.array(grad, dtype=np.float64)
    return p


def test_takes_the_bound_method_model_parameters():
    model = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
    for opt in (optim.SGD(model.parameters), optim.Adam(model.parameters)):
        assert [p for g in opt.param_groups for p in g["params"]] == list(model.parameters())


def test_sgd_l1_l2_and_clipping_in_the_old_order():
    p = _with_grad([1.0, -2.0, 0.5], [3.0, -0.2, 0.1])
    opt = optim.SGD([p], lr=0.1, l1_weight_decay=0.01, l2_weight_decay=0.1, gradient_clip=1.0)
    opt.step()
    clipped = np.array([1.0, -0.2, 0.1])
    step = clipped + 0.01 * np.sign([1.0, -2.0, 0.5]) + 0.1 * np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(p.data, np.array([1.0, -2.0, 0.5]) - 0.1 * step, rtol=1e-12)
    np.testing.assert_array_equal(p.grad, [3.0, -0.2, 0.1])  # .grad itself is untouched


def test_l1_decay_is_the_gradient_of_the_l1_penalty():
    values = np.array([0.7, -1.3, 0.0])
    p = _with_grad(values, np.zeros(3))
    optim.SGD([p], lr=1.0, l1_weight_decay=0.5).step()
    # d/dp 0.5 * |p| = 0.5 * sign(p): negative weights move up, zero stays
    np.testing.assert_allclose(p.data, values - 0.5 * np.sign(values))


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_momentum_and_nesterov_match_tensorlite_optim(nesterov):
    a, b = _param([1.0, -2.0]), _param([1.0, -2.0])
    legacy = optim.SGD([a], lr=0.1, momentum=0.9, nesterov=nesterov)
    reference = tl.optim.SGD([b], lr=0.1, momentum=0.9, nesterov=nesterov)
    for _ in range(3):
        for p, opt in ((a, legacy), (b, reference)):
            p.grad = 2 * p.data
            opt.step()
    np.testing.assert_allclose(a.data, b.data, rtol=1e-12)


def test_adam_keeps_its_moments_and_matches_torch():
    torch = pytest.importorskip("torch")
    start = np.array([1.0, -2.0, 0.5])
    p = _param(start)
    q = torch.tensor(start, requires_grad=True)
    opt = optim.Adam([p], lr=0.1, l2_weight_decay=0.01)
    ref = torch.optim.Adam([q], lr=0.1, weight_decay=0.01)
    for _ in range(4):
        p.grad = 2 * p.data + 1
        q.grad = 2 * q.detach() + 1
        opt.step()
        ref.step()
    np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=1e-10)
    assert opt.state[p]["step"] == 4
    np.testing.assert_allclose(opt.state[p]["exp_avg"], ref.state[q]["exp_avg"].numpy(), rtol=1e-10)


def test_lr_is_settable_and_schedulers_work():
    p = _with_grad([1.0], [1.0])
    opt = optim.Adam([p], lr=0.01)
    opt.lr = 0.5
    assert opt.lr == 0.5 and opt.param_groups[0]["lr"] == 0.5
    scheduler = tl.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.1)
    opt.step()
    scheduler.step()
    assert opt.lr == pytest.approx(0.05)


def test_bad_options_are_rejected():
    p = _with_grad([1.0], [1.0])
    with pytest.raises(ValueError, match="SGD: invalid l1_weight_decay value -1"):
        optim.SGD([p], l1_weight_decay=-1)
    with pytest.raises(TypeError, match="Adam: gradient_clip must be a real number"):
        optim.Adam([p], gradient_clip="big")
    with pytest.raises(ValueError, match="Adam: invalid learning rate -1"):
        optim.Adam([p]).lr = -1
    with pytest.raises(ValueError, match="Nesterov momentum requires"):
        optim.SGD([p], nesterov=True)
