"""The thread pool (``tl.set_num_threads``): its switch, its BLAS hand-over, error handling, and
every op that splits its batch over it giving what one thread gives.

The ops split only when each part gets enough work (``MIN_ELEMENTS``); the ``split`` fixture sets
that to 1, so that the small shapes here are cut into as many parts as threads, and checks that a
split happened at all (a test whose split path never ran would prove nothing).
"""
import math
import multiprocessing
import os
import threading
import time

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import parallel


@pytest.fixture
def threads():
    before = tl.get_num_threads()
    yield
    tl.set_num_threads(before)


@pytest.fixture
def blas_turn(monkeypatch, threads):
    """The pool on (2 threads) but not owning the cores: no op split within POOL_TURN."""
    tl.set_num_threads(2)
    monkeypatch.setattr(parallel, "_last_split", -math.inf)


@pytest.fixture
def split(monkeypatch, threads):
    """Every op splits into 3 parts (threads), however small, and the pool keeps the cores (so
    products and the Adam update split too); counts the parallel calls made."""
    tl.set_num_threads(3)
    monkeypatch.setattr(parallel, "MIN_ELEMENTS", 1)
    monkeypatch.setattr(parallel, "MIN_PRODUCT", 1)
    monkeypatch.setattr(parallel, "POOL_TURN", math.inf)
    monkeypatch.setattr(parallel, "_last_split", time.monotonic())
    calls = []
    real = parallel._get_pool

    def counting():  # called once per split call
        calls.append(1)
        return real()

    monkeypatch.setattr(parallel, "_get_pool", counting)
    return calls


def blas_threads():
    from threadpoolctl import threadpool_info

    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


# -- the switch ------------------------------------------------------------------------------------

def test_default_is_blas_thread_count_at_import():
    # the test process may have changed it; a fresh one shows the default
    code = ("import tensorlite as tl, tensorlite.parallel as p; "
            "print(tl.get_num_threads(), max(p._blas_threads, default=1), p._cpus())")
    env = {k: v for k, v in os.environ.items() if k != "TENSORLITE_NUM_THREADS"}
    out = _run(code, env)
    threads, blas, cpus = map(int, out.split())
    assert threads == max(1, min(blas, cpus))


def test_environment_variable_sets_the_default():
    env = {**os.environ, "TENSORLITE_NUM_THREADS": "3"}
    assert _run("import tensorlite as tl; print(tl.get_num_threads())", env).strip() == "3"
    env["TENSORLITE_NUM_THREADS"] = "zero"
    with pytest.raises(AssertionError, match="TENSORLITE_NUM_THREADS must be a positive integer"):
        _run("import tensorlite", env)


def _run(code, env):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True, None])
def test_set_num_threads_refuses_non_positive_ints(bad, threads):
    with pytest.raises(ValueError, match=r"set_num_threads: expected a positive int, got"):
        tl.set_num_threads(bad)


def test_blas_is_held_to_one_thread_while_the_pool_has_the_cores(threads, monkeypatch):
    if not parallel._blas:
        pytest.skip("threadpoolctl finds no BLAS to control here")
    own = parallel._blas_threads
    tl.set_num_threads(2)
    assert blas_threads() == own  # nothing split yet: BLAS's turn
    F.max_pool2d(tl.tensor(np.ones((8, 4, 128, 128), np.float32)), 2)  # splits
    assert blas_threads() == [1] * len(own)
    tl.set_num_threads(1)  # off: BLAS gets its own count back
    assert blas_threads() == own
    assert tl.get_num_threads() == 1


# -- parallel_for / parallel_map -----------------------------------------------------------------

def test_ranges_cover_everything_once_in_order(split):
    seen = []
    lock = threading.Lock()

    def record(start, stop):
        with lock:
            seen.append((start, stop))
        return start

    assert parallel.parallel_map(10, record) == [0, 3, 6]
    assert sorted(seen) == [(0, 3), (3, 6), (6, 10)]
    assert parallel.parallel_map(0, record) == []
    assert parallel.parallel_map(2, record) == [0, 1]  # never more parts than items


def test_small_work_stays_on_the_calling_thread(threads):
    tl.set_num_threads(2)
    names = []
    parallel.parallel_for(8, lambda start, stop: names.append(threading.current_thread().name), work=10)
    assert names == [threading.current_thread().name]


def test_work_runs_on_other_threads(split):
    names = set()
    together = threading.Barrier(3, timeout=30)  # every part waits until all three have started

    def meet(start, stop):
        names.add(threading.current_thread().name)
        together.wait()

    parallel.parallel_for(3, meet)
    assert len(names) == 3


def test_an_error_in_any_part_is_raised_after_all_parts_finish(split):
    finished = []

    def fail_in_the_middle(start, stop):
        if start == 3:
            raise KeyError("part two")
        finished.append(start)

    with pytest.raises(KeyError, match="part two"):
        parallel.parallel_for(9, fail_in_the_middle)
    assert sorted(finished) == [0, 6]
    parallel.parallel_for(9, lambda start, stop: None)  # the pool still works


def test_nested_calls_run_on_the_worker_itself(split):
    inner = []

    def outer(start, stop):
        parallel.parallel_for(4, lambda a, b: inner.append((a, b)))

    parallel.parallel_for(3, outer)
    # the calling thread's part splits (3 parts); each worker's part does not
    assert sorted(inner) == sorted([(0, 1), (1, 2), (2, 4), (0, 4), (0, 4)])


def test_a_forked_child_starts_its_own_pool(split):
    parallel.parallel_for(3, lambda start, stop: None)  # the parent's workers exist
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork here")
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        assert pool.apply(_conv_in_child) == pytest.approx(_conv_in_child())


def _conv_in_child():
    parallel.MIN_ELEMENTS = 1
    x = np.arange(2 * 3 * 6 * 6, dtype=np.float64).reshape(2, 3, 6, 6) / 50
    return float(F.conv2d(tl.tensor(x), tl.ones(4, 3, 3, 3, dtype=np.float64)).sum().item())


# -- ops that split: the same results as one thread, and exact gradients ------------------------

def run_both(fn, arrays, split_calls):
    """fn's output and gradients with the pool split everywhere, then on one thread."""
    results = []
    for n in (3, 1):
        tl.set_num_threads(n)
        before = len(split_calls)
        leaves = [tl.tensor(a, requires_grad=True) for a in arrays]
        out = fn(*leaves)
        out.backward(tl.tensor(np.cos(np.arange(out.data.size)).reshape(out.shape)))
        results.append((out.data, [leaf.grad for leaf in leaves]))
        if n == 3:
            assert len(split_calls) > before, "the op did not split"
    (out3, grads3), (out1, grads1) = results
    np.testing.assert_allclose(out3, out1, rtol=1e-12, atol=1e-12)
    for g3, g1 in zip(grads3, grads1):
        np.testing.assert_allclose(g3, g1, rtol=1e-12, atol=1e-12)
    return out3


CONV_CASES = [  # (input shape, weight shape, keyword arguments)
    ((5, 3, 9, 8), (4, 3, 3, 2), {}),                                       # channel-major
    ((5, 8, 7, 7), (6, 8, 3, 3), dict(padding=1)),                          # channels-last
    ((4, 4, 10, 9), (6, 2, 3, 3), dict(stride=2, dilation=(1, 2), groups=2)),
    ((3, 2, 11), (3, 2, 4), dict(stride=3, padding=2)),
    ((3, 2, 5, 5, 4), (2, 2, 2, 3, 2), dict(padding=(1, 0, 1))),
]


@pytest.mark.parametrize("xs, ws, kw", CONV_CASES)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_splits_like_one_thread(split, xs, ws, kw, bias):
    rng = np.random.default_rng(0)
    conv = {3: F.conv1d, 4: F.conv2d, 5: F.conv3d}[len(xs)]
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws)] + ([rng.standard_normal(ws[0])] if bias else [])
    run_both(lambda *t: conv(*t, **kw), arrays, split)
    tl.set_num_threads(3)
    leaves = [tl.tensor(a, requires_grad=True) for a in arrays]
    assert tl.gradcheck(lambda *t: conv(*t, **kw), leaves)


def test_conv_of_a_channels_last_input_splits(split):
    # a conv's output is channels-last in memory; the next conv reads it without a copy
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((4, 3, 8, 8)), rng.standard_normal((8, 3, 3, 3)),
              rng.standard_normal((5, 8, 3, 3))]
    middle = []

    def two_convs(x, w1, w2):
        h = F.relu(F.conv2d(x, w1))
        middle.append(h.data)
        return F.conv2d(h, w2, padding=1)

    out = run_both(two_convs, arrays, split)
    assert out.shape == (4, 5, 6, 6)
    assert all(np.moveaxis(m, 1, -1).flags.c_contiguous for m in middle)  # the second conv's input: channels last


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=(2, 3), stride=1, dilation=(2, 1))])
def test_max_pool_splits_like_one_thread(split, kw):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 3, 8, 9))
    x[1, 2, :2, :2] = np.nan  # a NaN window: NaN out, no gradient, on whichever thread holds it
    out = run_both(lambda t: F.max_pool2d(t, **kw), [x], split)
    assert np.isnan(out).any()
    tl.set_num_threads(3)
    leaf = tl.tensor(rng.standard_normal((5, 3, 8, 9)), requires_grad=True)
    assert tl.gradcheck(lambda t: F.max_pool2d(t, **kw), [leaf])


def test_max_pool_of_a_conv_output_keeps_its_layout(split):
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((6, 2, 10, 10)), rng.standard_normal((4, 2, 3, 3))]
    out = run_both(lambda x, w: F.relu(F.max_pool2d(F.conv2d(x, w), 2)), arrays, split)
    assert out.shape == (6, 4, 4, 4)
    assert np.moveaxis(out, 1, -1).flags.c_contiguous  # pooled in the conv's channels-last layout


@pytest.mark.parametrize("xs, ws", [((7, 5), (3, 5)), ((2, 3, 4, 6), (5, 6)), ((3, 4), (9, 4))])
def test_linear_splits_like_one_thread_while_the_pool_has_the_cores(split, xs, ws):
    # rows of x when it has more rows than the weight has outputs, else the weight's rows
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])]
    run_both(F.linear, arrays, split)
    tl.set_num_threads(3)
    assert tl.gradcheck(F.linear, [tl.tensor(a, requires_grad=True) for a in arrays])


@pytest.mark.parametrize("a_shape, b_shape", [((7, 5), (5, 3)), ((2, 3, 4), (4, 6)), ((4, 3, 5), (4, 5, 2)),
                                          ((2, 2, 3, 4), (2, 2, 4, 3))])
def test_matmul_splits_like_one_thread_while_the_pool_has_the_cores(split, a_shape, b_shape):
    # by rows, by columns, and stacks of matrices by matrices; gradients are products too
    rng = np.random.default_rng(7)
    arrays = [rng.standard_normal(a_shape), rng.standard_normal(b_shape)]
    run_both(tl.matmul, arrays, split)
    tl.set_num_threads(3)
    assert tl.gradcheck(tl.matmul, [tl.tensor(a, requires_grad=True) for a in arrays])


def test_the_product_helper_leaves_other_shapes_to_numpy(split):
    assert parallel.matmul(np, np.ones((2, 3, 4)), np.ones((1, 4, 5))).shape == (2, 3, 5)  # broadcast
    assert parallel.matmul(np, np.ones(4), np.ones((4, 2))).shape == (2,)
    assert parallel.matmul(np, np.ones((3, 4)), np.ones(4)).shape == (3,)
    assert split == []  # none split
    np.testing.assert_array_equal(parallel.matmul(np, np.ones((6, 4)), np.ones((4, 2))), np.full((6, 2), 4.0))
    np.testing.assert_array_equal(parallel.matmul(np, np.ones((2, 4)), np.ones((4, 6))), np.full((2, 6), 4.0))
    assert len(split) == 2


def test_the_pool_keeps_the_cores_for_a_while_after_a_split(threads, monkeypatch):
    tl.set_num_threads(2)
    monkeypatch.setattr(parallel, "_last_split", -math.inf)
    assert not parallel.pool_has_cores()
    x = tl.tensor(np.ones((8, 4, 128, 128), np.float32))
    F.max_pool2d(x, 2)  # 4 x 131,072 elements: splits
    assert parallel.pool_has_cores()
    monkeypatch.setattr(parallel, "POOL_TURN", 0.0)
    assert not parallel.pool_has_cores()
    tl.set_num_threads(1)
    F.max_pool2d(x, 2)
    assert not parallel.pool_has_cores()  # the pool off never has them


def test_a_large_product_after_the_pool_s_turn_gives_blas_its_threads_back(blas_turn):
    # while the pool does not own the cores, BLAS's own threads serve a product best
    if not parallel._blas:
        pytest.skip("threadpoolctl finds no BLAS to control here")
    own, held = parallel._blas_threads, [1] * len(parallel._blas)
    parallel._hold_blas()  # as the pool's last split left it
    rng = np.random.default_rng(4)
    small = [tl.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in ((8, 4), (3, 4))]
    F.linear(*small).sum().backward()
    assert blas_threads() == held  # a small product changes nothing
    big = [tl.tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True)
           for s in ((256, 128), (64, 128), (64,))]
    out = F.linear(*big)
    assert blas_threads() == own
    parallel._hold_blas()
    out.sum().backward()  # the gradients' products too
    assert blas_threads() == own
    np.testing.assert_allclose(parallel.matmul(np, big[0].data, big[1].data.T), big[0].data @ big[1].data.T)


def test_training_gives_the_same_weights_with_and_without_the_pool(threads):
    # the seed CNN on real shapes, where the ops split on their own (no lowered threshold)
    from benchmarks.train import build_model

    rng = np.random.default_rng(5)
    x = rng.random((64, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 64)
    weights = []
    for n in (2, 1):
        tl.set_num_threads(n)
        tl.manual_seed(0)
        model = build_model(tl.nn, "cnn")
        opt = tl.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(3):
            opt.zero_grad()
            tl.nn.CrossEntropyLoss()(model(tl.tensor(x)), tl.tensor(y)).backward()
            opt.step()
        weights.append([p.data.copy() for p in model.parameters()])
    for a, b in zip(*weights):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("forward_threads, backward_threads", [(3, 1), (1, 3), (2, 3)])
def test_backward_may_run_with_another_thread_count_than_forward(split, forward_threads, backward_threads):
    # backward rebuilds the windows in the same chunks of images, however the work is split
    import tensorlite.ops.conv as conv

    rng = np.random.default_rng(6)
    arrays = [rng.standard_normal((7, 2, 9, 9)), rng.standard_normal((3, 2, 3, 3))]
    monkey = pytest.MonkeyPatch()
    monkey.setattr(conv, "_CHUNK", 2 * 9 * 49)  # two images per chunk: 4 chunks over 3 threads
    try:
        grads = []
        for threads_forward, threads_backward in ((1, 1), (forward_threads, backward_threads)):
            tl.set_num_threads(threads_forward)
            x, w = (tl.tensor(a, requires_grad=True) for a in arrays)
            out = F.conv2d(x, w)
            tl.set_num_threads(threads_backward)
            out.backward(tl.tensor(np.sin(np.arange(out.data.size)).reshape(out.shape)))
            grads.append((x.grad, w.grad))
    finally:
        monkey.undo()
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_the_lstm_layer_gives_blas_its_threads_back_after_the_pool_s_turn(blas_turn, monkeypatch):
    # the LSTM's steps are a chain of small products: BLAS's own threads serve them better
    if not parallel._blas:
        pytest.skip("threadpoolctl finds no BLAS to control here")
    seen = []

    @parallel.with_blas_threads
    def steps():
        seen.append(blas_threads())

    parallel._hold_blas()
    monkeypatch.setattr(parallel, "_last_split", time.monotonic())  # the pool's turn: stays held
    steps()
    monkeypatch.setattr(parallel, "_last_split", -math.inf)  # the turn is over
    steps()
    assert seen == [[1] * len(parallel._blas), parallel._blas_threads]
    from tensorlite.ops.recurrent import LstmLayer
    assert LstmLayer.forward.__wrapped__ and LstmLayer.backward.__wrapped__


def test_the_workers_keep_no_reference_to_an_op_s_arrays(split):
    # a finished task's function (a closure over the op's arrays) must not stay alive in a worker
    import gc
    import weakref

    big = np.ones((6, 1000))
    alive = weakref.ref(big)

    def fill(start, stop, big=big):
        big[start:stop] *= 2

    parallel.parallel_for(6, fill)
    del big, fill
    gc.collect()
    assert alive() is None
