"""tl.profile(): exact counts per op name, times, the table, nesting, exceptions, and that nothing
is recorded once the block is left."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite import autograd
from tensorlite.autograd import Op
from tensorlite.profiler import OpStats, profile


def leaves():
    a = tl.tensor([1.0, 2.0], requires_grad=True)
    b = tl.tensor([3.0, 4.0], requires_grad=True)
    return a, b


def test_counts_are_exact_for_a_known_graph():
    a, b = leaves()
    with profile() as prof:
        y = ((a * b) * a * b).sum()  # Mul x3, Sum x1
        y.backward()
    assert set(prof.stats) == {"Mul", "Sum"}
    mul, total = prof.stats["Mul"], prof.stats["Sum"]
    assert (mul.forward_calls, mul.backward_calls) == (3, 3)
    assert (total.forward_calls, total.backward_calls) == (1, 1)
    np.testing.assert_allclose(a.grad, 2 * a.data * b.data ** 2)  # the profiled run computes the same


def test_forward_only_and_no_grad_ops_are_counted_without_backward():
    a, b = leaves()
    with profile() as prof:
        with tl.no_grad():
            a + b
        a - b
    assert prof.stats["Add"].forward_calls == 1 and prof.stats["Add"].backward_calls == 0
    assert prof.stats["Sub"].forward_calls == 1 and prof.stats["Sub"].backward_calls == 0


def test_times_are_nonnegative_and_add_up():
    a, b = leaves()
    with profile() as prof:
        for _ in range(20):
            (a * b + a).tanh().sum().backward()
    for s in prof.stats.values():
        assert s.forward_time >= 0 and s.backward_time >= 0
        assert s.total_time == pytest.approx(s.forward_time + s.backward_time)
    assert sum(s.total_time for s in prof.stats.values()) <= prof.wall_time
    assert {n: s.forward_calls for n, s in prof.stats.items()} == {"Mul": 20, "Add": 20, "Tanh": 20, "Sum": 20}


def test_table_rows_are_sorted_by_total_time_and_name_every_op():
    prof = profile()
    prof.stats = {"Small": OpStats(1, 0.001, 1, 0.001), "Big": OpStats(2, 0.010, 2, 0.020),
                  "Middle": OpStats(5, 0.004, 0, 0.0)}
    prof._start, prof._end = 0.0, 0.05  # a block of 50 ms
    lines = prof.table().splitlines()
    assert [line.split()[0] for line in lines[2:5]] == ["Big", "Middle", "Small"]
    big = lines[2].split()
    assert big[1:6] == ["2", "10.000", "2", "20.000", "30.000"] and big[6] == "60.0%"
    assert lines[-2].split()[-2:] == ["14.000", "28.0%"]  # outside ops: 50 - 36 ms
    assert [line.split()[0] for line in prof.table(sort_by="calls").splitlines()[2:5]] == ["Middle", "Big", "Small"]
    assert [line.split()[0] for line in prof.table(sort_by="backward").splitlines()[2:5]] == ["Big", "Small", "Middle"]
    assert len(prof.table(limit=1).splitlines()) == len(lines) - 2
    assert str(prof) == prof.table()


def test_table_rejects_an_unknown_sort_key():
    with pytest.raises(ValueError, match="sort_by must be one of"):
        profile().table(sort_by="name")


def test_nothing_is_recorded_after_the_block():
    a, b = leaves()
    with profile() as prof:
        (a * b).sum().backward()
    assert autograd.function._hook is None
    before = {n: (s.forward_calls, s.backward_calls) for n, s in prof.stats.items()}
    (a * b).sum().backward()
    assert {n: (s.forward_calls, s.backward_calls) for n, s in prof.stats.items()} == before
    assert "inactive" in repr(prof)
    wall = prof.wall_time
    assert prof.wall_time == wall  # frozen once the block is left


def test_nested_profiles_both_record_the_inner_ops():
    a, b = leaves()
    with profile() as outer:
        (a * b).sum()
        with profile() as inner:
            (a * b).sum().backward()
        assert autograd.function._hook is outer
    assert autograd.function._hook is None
    assert inner.stats["Mul"].forward_calls == 1 and inner.stats["Mul"].backward_calls == 1
    assert outer.stats["Mul"].forward_calls == 2 and outer.stats["Mul"].backward_calls == 1


def test_profiles_left_out_of_order_unlink_cleanly():
    first, second = profile(), profile()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)  # the outer one first
    a, b = leaves()
    a * b
    assert second.stats["Mul"].forward_calls == 1 and "Mul" not in first.stats
    second.__exit__(None, None, None)
    assert autograd.function._hook is None


def test_an_exception_in_the_block_leaves_the_profiler_inactive():
    a, b = leaves()
    with pytest.raises(ZeroDivisionError):
        with profile() as prof:
            a * b
            raise ZeroDivisionError("in the block")
    assert autograd.function._hook is None and prof.stats["Mul"].forward_calls == 1


class Failing(Op):
    def forward(self, x):
        raise FloatingPointError("Failing.forward")


def test_an_op_that_raises_is_not_counted_and_the_next_ones_are():
    a, b = leaves()
    with profile() as prof:
        with pytest.raises(FloatingPointError):
            Failing.apply(a)
        a * b
    assert "Failing" not in prof.stats and prof.stats["Mul"].forward_calls == 1
    assert not prof._busy


def test_ops_applied_inside_an_op_forward_count_in_the_outer_op():
    class Outer(Op):
        def forward(self, x):
            return tl.tensor(x).exp().data  # an op applied inside another op's forward

        def backward(self, grad):
            return grad

    a, _ = leaves()
    with profile() as prof:
        Outer.apply(a).sum().backward()
    assert "Exp" not in prof.stats
    assert prof.stats["Outer"].forward_calls == 1 and prof.stats["Outer"].backward_calls == 1


def test_a_profile_cannot_be_entered_twice_at_once():
    prof = profile()
    with prof:
        with pytest.raises(RuntimeError, match="already active"):
            prof.__enter__()
    assert autograd.function._hook is None


def test_the_legacy_module_backward_is_profiled_too():
    tl.manual_seed(0)
    layer = tl.nn.Linear(3, 2)
    with profile() as prof:
        out = layer.forward(np.ones((4, 3), dtype=np.float32))
        layer.backward(np.ones((4, 2), dtype=np.float32))
    assert out.shape == (4, 2)
    assert prof.stats["Linear"].forward_calls == 1 and prof.stats["Linear"].backward_calls == 1
