"""Data-parallel training over MPI: the process group and its collectives, on mpi4py.

Launch ``mpiexec -n N python script.py``; in the script call :func:`init_process_group`, wrap
the model in :class:`tensorlite.nn.parallel.DistributedDataParallel` and give each rank its
share of the data with :class:`tensorlite.data.DistributedSampler`. ``pip install ".[mpi]"``
brings mpi4py and the MPICH wheel (which provides ``mpiexec``); importing this module never
needs them.

Collectives work in place on an ndarray or on a Tensor's ``.data``. After
:func:`init_process_group` an uncaught exception on any rank prints that rank's traceback and
aborts every rank (``MPI_Abort``), so a failure ends the job instead of leaving the other ranks
waiting forever.

Examples
--------
>>> import numpy as np
>>> import tensorlite.distributed as dist
>>> dist.is_initialized()                # nothing started yet: single-process code is unaffected
False
>>> x = np.arange(3.0)
>>> if dist.is_initialized():            # in a script: dist.init_process_group() first
...     dist.all_reduce(x, op="mean")     # under mpiexec -n N: the mean over the N ranks
>>> x
array([0., 1., 2.])
"""
from __future__ import annotations

import sys
import time
from typing import Any

from tensorlite.autograd import Op
from tensorlite.backend import ndarray, xp
from tensorlite.tensor import Tensor

__all__ = [
    "is_available", "init_process_group", "is_initialized", "get_rank", "get_world_size",
    "barrier", "broadcast", "all_reduce", "destroy_process_group",
]

_INSTALL = 'pip install ".[mpi]" (mpi4py and the MPICH wheel, which brings mpiexec)'
_OPS = ("sum", "mean", "max", "min")

_mpi: Any = None          # the mpi4py.MPI module, once a process group exists
_comm: Any = None         # the communicator of the process group (a duplicate of COMM_WORLD)
_previous_excepthook: Any = None
_REPORT_SECONDS = 0.2  # how long a failing rank waits between its report and the abort


def is_available() -> bool:
    """Whether mpi4py is installed, so that :func:`init_process_group` can work.

    Returns
    -------
    bool

    Examples
    --------
    >>> import tensorlite.distributed as dist
    >>> isinstance(dist.is_available(), bool)
    True
    """
    try:
        import mpi4py  # noqa: F401  (the package only: MPI itself starts with mpi4py.MPI)
    except ImportError:
        return False
    return True


def _import_mpi(where: str) -> Any:
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError(f"tensorlite.distributed.{where}: mpi4py is not installed ({e}); {_INSTALL}") from None
    return MPI


def init_process_group(backend: str = "mpi") -> None:
    """Join the process group of every rank ``mpiexec`` started (one rank when run directly).

    Also installs an exception hook: an uncaught exception on any rank prints its traceback and
    aborts the whole job.

    Parameters
    ----------
    backend : str, default 'mpi'
        The only backend: MPI through mpi4py.

    Raises
    ------
    ImportError
        When mpi4py is not installed (the message names the ``mpi`` extra).
    RuntimeError
        When a process group already exists.

    Examples
    --------
    In a script started with ``mpiexec -n 2 python script.py``:

    >>> import tensorlite.distributed as dist
    >>> dist.init_process_group()                                   # doctest: +SKIP
    >>> dist.get_rank(), dist.get_world_size()                      # doctest: +SKIP
    (0, 2)
    """
    global _mpi, _comm, _previous_excepthook
    if backend != "mpi":
        raise ValueError(f"init_process_group: the only backend is 'mpi', got {backend!r}")
    MPI = _import_mpi("init_process_group")
    if _comm is not None:
        raise RuntimeError("init_process_group: the process group is already initialized; "
                           "call destroy_process_group first")
    _mpi, _comm = MPI, MPI.COMM_WORLD.Dup()
    _previous_excepthook = sys.excepthook
    sys.excepthook = _abort_on_exception


def _abort_on_exception(kind: Any, value: Any, traceback: Any) -> None:
    """``sys.excepthook`` while a process group exists: report, then end every rank."""
    rank, size = _comm.Get_rank(), _comm.Get_size()
    (_previous_excepthook or sys.__excepthook__)(kind, value, traceback)
    if size > 1:
        sys.stderr.write(f"tensorlite.distributed: rank {rank} of {size} failed with the exception "
                         "above; aborting every rank (MPI_Abort)\n")
    sys.stderr.flush()
    time.sleep(_REPORT_SECONDS)  # mpiexec forwards the report before the abort ends its reading
    _mpi.COMM_WORLD.Abort(1)


def is_initialized() -> bool:
    """Whether :func:`init_process_group` was called (and not undone).

    Returns
    -------
    bool

    Examples
    --------
    >>> import tensorlite.distributed as dist
    >>> dist.is_initialized()
    False
    """
    return _comm is not None


def _group(where: str) -> Any:
    if _comm is None:
        _import_mpi(where)
        raise RuntimeError(f"tensorlite.distributed.{where}: the default process group has not been "
                           "initialized; call init_process_group first")
    return _comm


def get_rank() -> int:
    """This process's rank, from 0 to ``get_world_size() - 1``.

    Returns
    -------
    int

    Examples
    --------
    >>> import tensorlite.distributed as dist
    >>> if dist.is_initialized():
    ...     print(dist.get_rank())
    """
    return int(_group("get_rank").Get_rank())


def get_world_size() -> int:
    """The number of ranks in the process group.

    Returns
    -------
    int

    Examples
    --------
    >>> import tensorlite.distributed as dist
    >>> if dist.is_initialized():
    ...     print(dist.get_world_size())
    """
    return int(_group("get_world_size").Get_size())


def barrier() -> None:
    """Wait until every rank has called ``barrier``.

    Examples
    --------
    >>> import tensorlite.distributed as dist
    >>> if dist.is_initialized():
    ...     dist.barrier()
    """
    _group("barrier").Barrier()


def _buffer(x: Any, where: str) -> Any:
    """The ndarray behind ``x`` (an ndarray or a Tensor), checked for in-place collectives."""
    data = x.data if isinstance(x, Tensor) else x
    if not isinstance(data, ndarray):
        raise TypeError(f"{where}: expected an ndarray or a Tensor, got {type(x).__name__}")
    if not data.flags.writeable:
        raise ValueError(f"{where}: the array of shape {data.shape} is read-only; collectives work in place")
    return data


def broadcast(x: Any, src: int = 0) -> None:
    """Overwrite ``x`` in place, on every rank, with rank ``src``'s values.

    Parameters
    ----------
    x : ndarray or Tensor
        Of the same shape and dtype on every rank.
    src : int, default 0
        The rank whose values are sent.

    Examples
    --------
    >>> import numpy as np, tensorlite.distributed as dist
    >>> x = np.zeros(2)
    >>> if dist.is_initialized():
    ...     dist.broadcast(x, src=0)
    """
    comm = _group("broadcast")
    data = _buffer(x, "broadcast")
    if not 0 <= src < comm.Get_size():
        raise ValueError(f"broadcast: src must be a rank in [0, {comm.Get_size()}), got {src}")
    work = data if data.flags.c_contiguous else xp.ascontiguousarray(data)
    comm.Bcast(work, root=src)
    if work is not data:
        data[...] = work


def all_reduce(x: Any, op: str = "sum") -> None:
    """Reduce ``x`` over the ranks and leave the result in ``x`` on every rank (in place).

    Parameters
    ----------
    x : ndarray or Tensor
        Of the same shape and dtype on every rank; a Tensor's ``.data`` is reduced.
    op : {'sum', 'mean', 'max', 'min'}, default 'sum'
        Elementwise over ranks; 'mean' is the sum divided by the world size (floating only).

    Examples
    --------
    >>> import numpy as np, tensorlite.distributed as dist
    >>> x = np.ones(2)
    >>> if dist.is_initialized():
    ...     dist.all_reduce(x, op="mean")
    >>> x
    array([1., 1.])
    """
    comm = _group("all_reduce")
    data = _buffer(x, "all_reduce")
    if op not in _OPS:
        raise ValueError(f"all_reduce: op must be one of {', '.join(map(repr, _OPS))}, got {op!r}")
    if op == "mean" and data.dtype.kind != "f":
        raise TypeError(f"all_reduce: op='mean' needs a floating array, got dtype {data.dtype}")
    work = data if data.flags.c_contiguous else xp.ascontiguousarray(data)
    mpi_op = {"sum": _mpi.SUM, "mean": _mpi.SUM, "max": _mpi.MAX, "min": _mpi.MIN}[op]
    comm.Allreduce(_mpi.IN_PLACE, work, op=mpi_op)
    if op == "mean":
        work /= comm.Get_size()
    if work is not data:
        data[...] = work


def destroy_process_group() -> None:
    """Leave the process group and restore the exception hook (MPI itself ends at exit).

    Examples
    --------
    >>> import tensorlite.distributed as dist
    >>> if dist.is_initialized():
    ...     dist.destroy_process_group()
    """
    global _comm, _previous_excepthook
    comm = _group("destroy_process_group")
    if sys.excepthook is _abort_on_exception:
        sys.excepthook = _previous_excepthook
    _previous_excepthook = None
    _comm = None
    comm.Free()


# -- for the library: DistributedDataParallel and SyncBatchNorm -------------------------------


def _new_communicator(where: str) -> Any:
    """A communicator of its own over the process group's ranks (so that collectives of
    different users cannot interleave), and the mpi4py.MPI module."""
    return _group(where).Dup(), _mpi


class AllReduceSum(Op):
    """Differentiable sum over ranks: each rank gets ``sum_r x_r``; the gradient of a sum over
    ranks is again the sum over ranks of the upstream gradients (every rank backpropagates its
    own loss). ``comm`` is the communicator; every rank must apply it in the same order."""

    def forward(self, x, comm):
        self.comm = comm
        out = xp.ascontiguousarray(x).copy()
        comm.Allreduce(_mpi.IN_PLACE, out, op=_mpi.SUM)
        return out

    def backward(self, grad):
        out = xp.ascontiguousarray(grad).copy()
        self.comm.Allreduce(_mpi.IN_PLACE, out, op=_mpi.SUM)
        return out

    def backward_graph(self, grad):
        # linear: the gradient is again a recorded sum over ranks (as PyTorch's differentiable all_reduce)
        return AllReduceSum.apply(grad, comm=self.comm)
