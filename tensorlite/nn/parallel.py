"""``DistributedDataParallel``: one model per rank, gradients averaged over ranks during backward.

How the gradients travel (as PyTorch's DDP does it): the parameters that require grad are laid
out, in reverse registration order (roughly the order backward reaches them), in flat buckets
of about ``bucket_cap_mb`` each. A post-accumulate-grad hook on every parameter copies its
``.grad`` into its bucket as soon as backward has finished it; when a bucket is full its
non-blocking allreduce (``MPI_Iallreduce``) starts while backward goes on with the layers
below. When the walk ends, an end-of-backward callback starts the buckets still waiting
(parameters that got no gradient on this rank count as zeros), waits for every allreduce and
writes the mean over ranks back into each ``.grad``, all before ``backward()`` returns.
Buckets start in the same order on every rank, as MPI requires.
"""
from __future__ import annotations

import contextlib
import time
from typing import Any, Iterator

from tensorlite import distributed as dist
from tensorlite.autograd import queue_callback
from tensorlite.backend import xp
from tensorlite.nn.module import Module

__all__ = ["DistributedDataParallel", "DDP"]


class _Bucket:
    """Parameters of one dtype whose gradients travel in one flat array."""

    def __init__(self, params: list[Any], dtype: Any) -> None:
        self.params = params
        self.slices: list[slice] = []
        offset = 0
        for p in params:
            self.slices.append(slice(offset, offset + p.data.size))
            offset += p.data.size
        self.flat = xp.zeros(offset, dtype=dtype)
        self.ready: set[int] = set()  # indices (into params) of the gradients copied in

    def nbytes(self) -> int:
        return self.flat.nbytes


class DistributedDataParallel(Module):
    """Train ``module`` on several ranks at once: each rank's ``.grad`` becomes the mean over ranks.

    Every rank builds the same model and wraps it; the parameters and buffers of rank 0 are
    broadcast to the others here, so all ranks start equal. Each rank then trains on its own
    share of every batch (see :class:`tensorlite.data.DistributedSampler`); after
    ``loss.backward()`` each parameter's ``.grad`` holds the mean of the ranks' gradients, so
    N ranks with batch B each compute exactly what one process computes with batch N·B (when
    the loss is a batch mean), and the optimizers keep the ranks equal.

    Parameters
    ----------
    module : Module
        The model; the same architecture on every rank.
    bucket_cap_mb : float, default 25
        The size of a gradient bucket in MiB (a parameter larger than that gets a bucket of its
        own). Smaller buckets start their allreduce sooner during backward; larger ones need
        fewer messages.
    broadcast_buffers : bool, default True
        At each forward in training mode, copy rank 0's buffers (BatchNorm's running
        statistics) to every rank, as PyTorch does, so the ranks' buffers stay equal.

    Attributes
    ----------
    module : Module
        The wrapped model (its ``state_dict`` has no ``module.`` prefix).
    wait_seconds : float
        The total time backward spent waiting for allreduces still under way when its walk
        ended (what communication cost beyond what overlapped with computing).

    Raises
    ------
    RuntimeError
        When no process group is initialized, or on every rank when the ranks' models differ in
        parameter or buffer names, shapes or dtypes (naming the first difference).

    Notes
    -----
    ``state_dict()`` keys carry PyTorch's ``module.`` prefix; save ``model.module.state_dict()``
    for a checkpoint that loads into the bare model. Gradients are averaged only in a backward
    through the wrapper's output, in one walk (``loss.backward()`` or the wrapper's own legacy
    ``backward(dout)``). Inside :meth:`no_sync` gradients accumulate locally. A parameter that got
    no gradient on a rank takes part with zeros; a parameter no rank computed a gradient for ends
    with a zero ``.grad`` (one process would leave it None).

    Examples
    --------
    In a script started with ``mpiexec -n 2 python train.py``:

    >>> import tensorlite as tl, tensorlite.distributed as dist
    >>> from tensorlite import nn
    >>> dist.init_process_group()                                         # doctest: +SKIP
    >>> model = nn.parallel.DistributedDataParallel(nn.Linear(4, 2))     # doctest: +SKIP
    >>> loss = model(tl.randn(8, 4)).square().mean()                     # doctest: +SKIP
    >>> loss.backward()          # every rank: .grad is the mean over both ranks   # doctest: +SKIP
    >>> list(model.state_dict())                                          # doctest: +SKIP
    ['module.weight', 'module.bias']
    """

    def __init__(self, module: Module, bucket_cap_mb: float = 25.0, broadcast_buffers: bool = True) -> None:
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: expected a tensorlite.nn.Module, got {type(module).__name__}")
        if not bucket_cap_mb > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be positive, got {bucket_cap_mb}")
        self.module = module
        self.bucket_cap_mb = float(bucket_cap_mb)
        self.broadcast_buffers = bool(broadcast_buffers)
        self._comm, self._mpi = dist._new_communicator("DistributedDataParallel")
        self._world = self._comm.Get_size()
        self._check_same_model()
        for t in list(module.parameters()) + [b for b in module.buffers() if b is not None]:
            dist.broadcast(t.data, src=0)  # with no gradient recorded: the data are written in place
        self._buckets = self._make_buckets()
        self._where = {id(p): (b, i) for b in self._buckets for i, p in enumerate(b.params)}
        self._require_sync = True
        self._in_backward = False
        self._next = 0  # the next bucket to start (in order, the same on every rank)
        self._requests: list[Any] = []
        self.wait_seconds = 0.0  # time spent at the end of backward waiting for the allreduces
        self._handles = [p.register_post_accumulate_grad_hook(self._grad_ready)
                         for b in self._buckets for p in b.params]

    # -- construction --------------------------------------------------------------------------
    def _check_same_model(self) -> None:
        mine = [("parameter", n, p.shape, p.dtype.str) for n, p in self.module.named_parameters()]
        mine += [("buffer", n, b.shape, b.dtype.str) for n, b in self.module.named_buffers() if b is not None]
        everyone = self._comm.allgather(mine)
        reference = everyone[0]
        for rank, theirs in enumerate(everyone[1:], start=1):
            problem = _first_difference(reference, theirs, rank)
            if problem:
                raise RuntimeError(f"DistributedDataParallel: the ranks' models differ: {problem}; "
                                   "every rank must build the same model")

    def _make_buckets(self) -> list[_Bucket]:
        cap = self.bucket_cap_mb * 2 ** 20
        buckets: list[_Bucket] = []
        current: list[Any] = []
        size = 0
        for p in reversed([p for p in self.module.parameters() if p.requires_grad]):
            if current and (p.dtype != current[0].dtype or size + p.data.nbytes > cap):
                buckets.append(_Bucket(current, current[0].dtype))
                current, size = [], 0
            current.append(p)
            size += p.data.nbytes
        if current:
            buckets.append(_Bucket(current, current[0].dtype))
        return buckets

    # -- forward and the gradient hooks --------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        if self.broadcast_buffers and self.training and self._world > 1:
            for b in self.module.buffers():
                if b is not None:
                    self._comm.Bcast(b.data, root=0)
        return self.module(*args, **kwargs)

    def _grad_ready(self, p: Any) -> None:
        """A parameter's gradient is final: copy it into its bucket; start full buckets in order."""
        if not self._require_sync:
            return
        if not self._in_backward:
            self._in_backward = True
            queue_callback(self._finish)
        bucket, i = self._where[id(p)]
        bucket.flat[bucket.slices[i]] = p.grad.reshape(-1)
        bucket.ready.add(i)
        self._start_full_buckets()
        if self._requests:  # let MPI progress the allreduces already under way
            self._mpi.Request.Testall(self._requests)

    def _start(self, bucket: _Bucket) -> None:
        self._requests.append(self._comm.Iallreduce(self._mpi.IN_PLACE, bucket.flat, op=self._mpi.SUM))
        self._next += 1

    def _start_full_buckets(self) -> None:
        while self._next < len(self._buckets) and len(self._buckets[self._next].ready) == \
                len(self._buckets[self._next].params):
            self._start(self._buckets[self._next])

    def _finish(self) -> None:
        """End of backward: start the remaining buckets (zeros for missing gradients), wait, and
        write the means back into ``.grad``."""
        try:
            for bucket in self._buckets[self._next:]:
                for i, sl in enumerate(bucket.slices):
                    if i not in bucket.ready:
                        bucket.flat[sl] = 0
                self._start(bucket)
            started = time.perf_counter()
            self._mpi.Request.Waitall(self._requests)
            self.wait_seconds += time.perf_counter() - started
            scale = 1.0 / self._world
            for bucket in self._buckets:
                bucket.flat *= scale
                for p, sl in zip(bucket.params, bucket.slices):
                    mean = bucket.flat[sl].reshape(p.shape)
                    if p.grad is None:
                        p.grad = mean.copy()
                    else:
                        p.grad[...] = mean
                bucket.ready.clear()
        finally:
            self._requests.clear()
            self._next = 0
            self._in_backward = False

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Inside, backward accumulates local gradients without averaging (gradient accumulation).

        The first backward after the block averages what accumulated.

        Examples
        --------
        >>> with ddp_model.no_sync():                      # doctest: +SKIP
        ...     loss_fn(ddp_model(x1), y1).backward()      # local only
        >>> loss_fn(ddp_model(x2), y2).backward()          # doctest: +SKIP
        """
        previous, self._require_sync = self._require_sync, False
        try:
            yield
        finally:
            self._require_sync = previous

    def extra_repr(self) -> str:
        return f"world_size={self._world}, buckets={len(self._buckets)}, bucket_cap_mb={self.bucket_cap_mb:g}"


def _first_difference(reference: list[Any], theirs: list[Any], rank: int) -> str:
    """Describe the first entry where ``theirs`` (rank ``rank``) differs from rank 0's, or ''."""
    for k, (a, b) in enumerate(zip(reference, theirs)):
        if a[:2] != b[:2]:
            return f"entry {k} is {a[0]} {a[1]!r} on rank 0 but {b[0]} {b[1]!r} on rank {rank}"
        if a[2] != b[2]:
            return f"{a[0]} {a[1]!r} has shape {a[2]} on rank 0 but {b[2]} on rank {rank}"
        if a[3] != b[3]:
            return f"{a[0]} {a[1]!r} has dtype {a[3]} on rank 0 but {b[3]} on rank {rank}"
    if len(reference) != len(theirs):
        longer, name = (reference, "rank 0") if len(reference) > len(theirs) else (theirs, f"rank {rank}")
        extra = longer[min(len(reference), len(theirs))]
        return f"{extra[0]} {extra[1]!r} exists only on {name}"
    return ""


DDP = DistributedDataParallel
