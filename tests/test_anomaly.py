"""tl.detect_anomaly(): the first op that produces a NaN or an inf, in forward or backward, raises."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
from tensorlite import autograd, nn


class Log(nn.Module):
    def forward(self, x):
        return x.log()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(3, 3), Log())

    def forward(self, x):
        return self.body(x)


def _net_with_negative_outputs():
    net = Net()
    with tl.no_grad():
        net.body[0].weight.fill_(-1.0)
        net.body[0].bias.zero_()
    return net


def test_forward_names_the_op_module_path_shapes_and_source_line():
    net = _net_with_negative_outputs()
    with pytest.raises(tl.AnomalyError) as info, tl.detect_anomaly():
        net(tl.ones(2, 3))  # log of negative numbers: NaN
    message = str(info.value)
    assert "forward of Log produced NaN in its output of shape (2, 3) from finite inputs" in message
    assert "module: Net.body.1 (Log)" in message
    assert "input shapes: (2, 3)" in message
    assert "test_anomaly.py:13: return x.log()" in message  # the line that recorded the op


def test_backward_names_the_rule_that_made_the_inf():
    x = tl.tensor([0.0, 4.0], requires_grad=True)
    with tl.detect_anomaly():
        y = (x.sqrt() * 3).sum()  # finite forward; d sqrt/dx at 0 is inf
        with pytest.raises(tl.AnomalyError) as info:
            y.backward()
    message = str(info.value)
    assert "backward rule of Sqrt produced inf in the gradient of input 0 (shape (2,))" in message
    assert "y = (x.sqrt() * 3).sum()" in message
    assert x.grad is None


def test_overflow_and_zero_over_zero_are_caught_in_float32_and_float64():
    for dtype in (np.float32, np.float64):
        with tl.detect_anomaly():
            with pytest.raises(tl.AnomalyError, match="forward of Exp produced inf"):
                tl.tensor([1000.0], dtype=dtype).exp()
            with pytest.raises(tl.AnomalyError, match="forward of Div produced NaN"):
                tl.zeros(2, dtype=dtype) / tl.zeros(2, dtype=dtype)


def test_ops_that_only_pass_on_a_nan_or_inf_do_not_raise():
    x = tl.tensor([np.nan, 1.0], requires_grad=True)
    masked = tl.where(tl.tensor([True, False]), tl.tensor([-np.inf, -np.inf]), x)
    with tl.detect_anomaly():
        (x * 2).sum().backward()
        y = tl.tensor([1.0, 2.0], requires_grad=True)
        tl.where(tl.tensor([True, False]), y, tl.tensor([-np.inf, -np.inf])).max().backward()
    assert np.isnan(x.grad).sum() == 0 and np.isinf(masked.data).sum() == 1
    np.testing.assert_allclose(y.grad, [1.0, 0.0])


def test_checks_run_under_no_grad_too():
    with tl.no_grad(), tl.detect_anomaly(), pytest.raises(tl.AnomalyError, match="Log"):
        tl.zeros(1).log()


def test_off_by_default_and_after_the_block_even_on_error():
    assert autograd.function._hook is None and not tl.is_anomaly_enabled()
    with pytest.raises(tl.AnomalyError), tl.detect_anomaly():
        tl.zeros(1).log()
    assert autograd.function._hook is None and not tl.is_anomaly_enabled()
    with np.errstate(divide="ignore"):
        y = tl.zeros(1, requires_grad=True).log()  # off: numbers are numbers
    assert np.isneginf(y.data).all() and getattr(y._ctx, "anomaly", None) is None


def test_set_detect_anomaly_and_the_decorator():
    tl.set_detect_anomaly(True)
    try:
        assert tl.is_anomaly_enabled()
        with pytest.raises(tl.AnomalyError):
            tl.zeros(1).log()
    finally:
        tl.set_detect_anomaly(False)
    assert autograd.function._hook is None

    @tl.detect_anomaly()
    def step(x):
        return x.log()

    with pytest.raises(tl.AnomalyError):
        step(tl.zeros(1))
    assert step(tl.ones(1)).item() == 0.0


@pytest.mark.parametrize("profile_outside", [True, False])
def test_composes_with_the_profiler(profile_outside):
    x = tl.ones(2, requires_grad=True)
    if profile_outside:
        with tl.profile() as prof, tl.detect_anomaly():
            (x * 3).sum().backward()
    else:
        with tl.detect_anomaly(), tl.profile() as prof:
            (x * 3).sum().backward()
    assert prof.stats["Mul"].forward_calls == 1 and prof.stats["Mul"].backward_calls == 1
    assert autograd.function._hook is None
    with tl.profile(), tl.detect_anomaly(), pytest.raises(tl.AnomalyError):
        tl.zeros(1).log()


def test_training_step_with_anomaly_detection_matches_without():
    def run(detect):
        tl.manual_seed(0)
        model = nn.Sequential(nn.Conv2D(1, 2, 3), nn.ReLU(), nn.MaxPool2D(2), nn.Flatten(),
                              nn.Linear(2 * 3 * 3, 3))
        x, y = tl.randn(4, 1, 8, 8), tl.tensor([0, 1, 2, 0])
        if detect:
            with tl.detect_anomaly():
                nn.CrossEntropyLoss()(model(x), y).backward()
        else:
            nn.CrossEntropyLoss()(model(x), y).backward()
        return [p.grad for p in model.parameters()]

    for a, b in zip(run(True), run(False)):
        np.testing.assert_array_equal(a, b)


def test_a_numpy_write_into_saved_memory_is_caught_under_detection():
    w = tl.ones(3, requires_grad=True)
    x = tl.tensor([1.0, 2.0, 3.0])
    with tl.detect_anomaly():
        y = (w * x).sum()
        x.data[0] = 100.0  # bypasses the version counter
        with pytest.raises(tl.AnomalyError, match=r"shape \(3,\) that Mul saved.*x.data\[...\]"):
            y.backward()
