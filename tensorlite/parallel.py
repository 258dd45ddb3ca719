"""tensorlite's thread pool: the big, batch-splittable ops run on every core.

NumPy runs elementwise work, copies and reductions on one thread; only its BLAS (matrix
products) uses several. tensorlite keeps a small pool of worker threads, and the heavy ops that
work image by image split their batch over it: convolutions (the window copy, its product, the
weight gradient and the scatter of the input gradient) and max pooling. NumPy releases the GIL
inside its loops, so the parts run at the same time, each writing its own slice of one
preallocated result.

The pool and BLAS take turns owning the cores, because they cannot share them: after a product
on several threads, BLAS's idle threads busy-wait for about a tenth of a second, and would take
the cores from the pool's workers. So:

* from an op's split until a second passes without one (a convolutional network), the pool owns
  the cores: BLAS is held to one thread (through threadpoolctl), and matrix products
  (:func:`matmul`) and the Adam update split over the pool too;
* otherwise BLAS owns them, with the thread count it had when tensorlite was imported: the first
  large product (:class:`~tensorlite.nn.Linear`, ``matmul``) or LSTM layer
  (:func:`with_blas_threads`) after the pool's turn gives it back. An MLP or an LSTM trains as it
  would with the pool off.

``tl.set_num_threads(1)`` turns the pool off and gives BLAS its threads back for good. While the
pool has its turn, NumPy products in your own code run on one thread.

The default is the ``TENSORLITE_NUM_THREADS`` environment variable, else the number of threads
BLAS had at import (NumPy's default: one per core), capped at the number of CPUs this process may
use. An op splits only when each part gets enough work to outweigh waking a thread (about 20 µs):
small tensors always run on the calling thread.
"""
from __future__ import annotations

import functools
import math
import os
import queue
import threading
import time
from typing import Any, Callable

__all__ = ["get_num_threads", "set_num_threads", "parallel_for", "parallel_map", "split_work", "matmul",
           "with_blas_threads", "pool_has_cores"]

#: The least work (elements touched) worth giving a thread of its own.
MIN_ELEMENTS = 1 << 17
#: The multiply-adds from which a product is worth several threads.
MIN_PRODUCT = 1 << 18
#: A product's multiply-adds cost about this many elements' worth of copying (for :func:`split_work`).
FLOPS_PER_ELEMENT = 16
#: Seconds the pool keeps the cores after its last split (see :func:`pool_has_cores`).
POOL_TURN = 1.0


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _blas_controllers() -> list[Any]:
    """threadpoolctl's controllers of the BLAS libraries NumPy loaded (empty where it cannot tell)."""
    try:
        import numpy  # noqa: F401  (loads BLAS, so that threadpoolctl finds it)
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover  (a dependency; only a broken install lacks it)
        return []
    return [c for c in ThreadpoolController().lib_controllers if c.user_api == "blas"]


_blas = _blas_controllers()
_blas_threads = [c.num_threads for c in _blas]  # BLAS's own thread counts, restored by set_num_threads(1)


def _default_threads() -> int:
    env = os.environ.get("TENSORLITE_NUM_THREADS")
    if env:
        try:
            wanted = int(env)
        except ValueError:
            raise ValueError(f"TENSORLITE_NUM_THREADS must be a positive integer, got {env!r}") from None
        if wanted < 1:
            raise ValueError(f"TENSORLITE_NUM_THREADS must be a positive integer, got {env!r}")
        return wanted
    return max(1, min(max(_blas_threads, default=1), _cpus()))


class _Pool:
    """``workers`` daemon threads taking ``(fn, part, start, stop, results)`` from one queue and
    putting ``(part, fn(start, stop), error)`` into ``results``."""

    def __init__(self, workers: int) -> None:
        self.tasks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self.pid = os.getpid()
        self.threads = [threading.Thread(target=self._work, name=f"tensorlite-{i + 1}", daemon=True)
                        for i in range(workers)]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        _local.worker = True
        while (task := self.tasks.get()) is not None:
            _run(*task)
            del task  # no reference to the op's arrays while waiting for the next task

    def close(self) -> None:
        for _ in self.threads:
            self.tasks.put(None)


def _run(fn: Callable[[int, int], Any], part: int, start: int, stop: int, results: Any) -> None:
    """One task of a worker: its outcome or its error goes to ``results``."""
    try:
        results.put((part, fn(start, stop), None))
    except BaseException as error:  # handed to the caller, which raises it
        results.put((part, None, error))


_local = threading.local()
_threads = 1
_pool: _Pool | None = None


def get_num_threads() -> int:
    """Return the number of threads tensorlite's ops may use (see :func:`set_num_threads`).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.get_num_threads() >= 1
    True
    """
    return _threads


def set_num_threads(n: int) -> None:
    """Set how many threads tensorlite's heavy ops split their batch over, as ``torch.set_num_threads``.

    With ``n > 1``, convolutions and max pooling split their work over a pool of ``n - 1`` worker
    threads plus the calling thread, and BLAS is held to one thread while they do (see
    :mod:`tensorlite.parallel`). ``n == 1`` turns the pool off: every op runs on the calling
    thread and BLAS has the thread count it had when tensorlite was imported. The results do not
    depend on ``n`` beyond float rounding of sums split into parts (weight gradients).

    The default is the ``TENSORLITE_NUM_THREADS`` environment variable, else BLAS's thread count
    at import (one per core), at most the CPUs this process may use.

    Parameters
    ----------
    n : int
        At least 1.

    Examples
    --------
    >>> import tensorlite as tl
    >>> before = tl.get_num_threads()
    >>> tl.set_num_threads(1)  # everything on the calling thread; BLAS as NumPy had it
    >>> tl.get_num_threads()
    1
    >>> tl.set_num_threads(before)
    """
    global _threads, _pool
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")
    if _pool is not None and len(_pool.threads) != n - 1:
        _pool.close()
        _pool = None
    _threads = n
    _give_blas_back()  # BLAS is held to one thread only while the pool has the cores


_blas_held = False  # whether BLAS is held to one thread, for the pool's turn
_last_split = -math.inf  # time.monotonic() of the pool's last split


def pool_has_cores() -> bool:
    """Whether the pool owns the cores now: it is on and split an op within :data:`POOL_TURN`."""
    return _threads > 1 and time.monotonic() - _last_split < POOL_TURN


def _hold_blas() -> None:
    """The pool's turn: BLAS on one thread (its parts make their own products)."""
    global _blas_held
    if not _blas_held:
        for controller in _blas:
            controller.set_num_threads(1)
        _blas_held = True


def _give_blas_back() -> None:
    """BLAS's turn: its own thread count again, as NumPy had it at import."""
    global _blas_held
    if _blas_held:
        for controller, threads in zip(_blas, _blas_threads):
            controller.set_num_threads(threads)
        _blas_held = False


def with_blas_threads(method: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate an op's ``forward`` or ``backward`` whose work is a chain of small matrix
    products that cannot be split (an LSTM's steps): unless the pool owns the cores
    (:func:`pool_has_cores`), BLAS has its own thread count while it runs.

    Examples
    --------
    >>> from tensorlite.parallel import with_blas_threads
    >>> @with_blas_threads
    ... def steps(a):
    ...     return a @ a
    """
    @functools.wraps(method)
    def run(*args: Any, **kwargs: Any) -> Any:
        if _blas_held and not pool_has_cores():
            _give_blas_back()
        return method(*args, **kwargs)

    return run


def _get_pool() -> _Pool:
    global _pool
    if _pool is None or _pool.pid != os.getpid():  # a forked child has no worker threads
        _pool = _Pool(_threads - 1)
    return _pool


def split_work(parts: int, work: int) -> int:
    """How many parts (at most ``parts``) to split ``work`` elements into: one unless each part
    gets at least :data:`MIN_ELEMENTS`, and one inside a pool worker (no nested splits)."""
    if _threads == 1 or getattr(_local, "worker", False):
        return 1
    return max(1, min(_threads, parts, work // MIN_ELEMENTS))


def parallel_for(total: int, fn: Callable[[int, int], Any], work: int | None = None) -> None:
    """Call ``fn(start, stop)`` on consecutive ranges covering ``range(total)``, in parallel.

    The ranges are as even as possible, one per thread (see :func:`split_work`: ``work`` is the
    number of elements the whole call touches, ``total`` when not given); the calling thread runs
    the first. ``fn`` must only write its own range's part of preallocated results. The first
    exception raised by any range is raised here, after every range has finished.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.parallel import parallel_for
    >>> out = np.zeros(10)
    >>> def fill(start, stop):
    ...     out[start:stop] = np.arange(start, stop)
    >>> parallel_for(10, fill)
    >>> out
    array([0., 1., 2., 3., 4., 5., 6., 7., 8., 9.])
    """
    parallel_map(total, fn, work)


def parallel_map(total: int, fn: Callable[[int, int], Any], work: int | None = None) -> list[Any]:
    """As :func:`parallel_for`, returning what each range's call returned, in order (one
    element when the work is not split): partial results, such as a sum's parts, to combine.
    A split gives the pool the cores for :data:`POOL_TURN` seconds (:func:`pool_has_cores`).

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.parallel import parallel_map
    >>> a = np.arange(10.0)
    >>> float(sum(parallel_map(10, lambda start, stop: a[start:stop].sum())))
    45.0
    """
    global _last_split
    parts = split_work(total, total if work is None else work)
    if parts <= 1:
        return [fn(0, total)] if total else []
    _last_split = time.monotonic()
    _hold_blas()
    pool = _get_pool()
    bounds = [total * i // parts for i in range(parts + 1)]
    outcomes: list[Any] = [None] * parts
    results: queue.SimpleQueue[tuple[int, Any, BaseException | None]] = queue.SimpleQueue()
    for i in range(1, parts):
        pool.tasks.put((fn, i, bounds[i], bounds[i + 1], results))
    error: BaseException | None = None
    try:
        outcomes[0] = fn(bounds[0], bounds[1])
    except BaseException as caught:
        error = caught
    for _ in range(1, parts):
        i, outcome, failed = results.get()
        outcomes[i] = outcome
        error = error or failed
    if error is not None:
        raise error
    return outcomes


def matmul(xp: Any, a: Any, b: Any) -> Any:
    """``a @ b`` on every core: split over the pool while it owns the cores, else with BLAS's own
    threads (see the module docstring). A small product (under :data:`MIN_PRODUCT` multiply-adds)
    is a plain ``xp.matmul``.

    The pool splits by rows of ``a`` (its leading dims flattened) or by columns of a 2-D ``b``,
    whichever there are more of, or by matrices of two stacks with the same batch dims; anything
    else (broadcast batch dims, vectors) runs with BLAS on one thread.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.parallel import matmul
    >>> matmul(np, np.ones((2, 3)), np.ones((3, 4))).shape
    (2, 4)
    """
    if _threads == 1 or a.ndim < 2 or b.ndim < 2 or a.size * b.shape[-1] < MIN_PRODUCT:
        return xp.matmul(a, b)
    if not pool_has_cores():
        _give_blas_back()
        return xp.matmul(a, b)
    m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
    if b.ndim == 2 and (a.ndim == 2 or a.flags.c_contiguous):
        m = a.size // k
        by_rows = m >= n
        rows = a.reshape(m, k)
        out = xp.empty((m, n), xp.result_type(a, b))

        def block(start: int, stop: int) -> None:
            if by_rows:
                xp.matmul(rows[start:stop], b, out=out[start:stop])
            else:
                xp.matmul(rows, b[:, start:stop], out=out[:, start:stop])

        parallel_for(m if by_rows else n, block, work=m * n * k // FLOPS_PER_ELEMENT)
        return out.reshape(*a.shape[:-1], n)
    if a.shape[:-2] != b.shape[:-2]:
        return xp.matmul(a, b)
    batch = a.size // (m * k)
    a3, b3 = a.reshape(batch, m, k), b.reshape(batch, k, n)
    stack = xp.empty((batch, m, n), xp.result_type(a, b))

    def matrices(start: int, stop: int) -> None:
        xp.matmul(a3[start:stop], b3[start:stop], out=stack[start:stop])

    parallel_for(batch, matrices, work=batch * m * n * k // FLOPS_PER_ELEMENT)
    return stack.reshape(*a.shape[:-1], n)


set_num_threads(_default_threads())
