"""``DistributedSampler``: each rank's share of a dataset, for data-parallel training."""
from __future__ import annotations

import math
from typing import Any, Iterator

from tensorlite.backend import xp
from tensorlite.ops.args import integer

__all__ = ["DistributedSampler"]


class DistributedSampler:
    """The indices of ``dataset`` that rank ``rank`` of ``num_replicas`` trains on, per epoch.

    PyTorch's partition: the index list (a permutation seeded by ``seed + epoch`` when
    shuffling, the same on every rank; else ``0 .. len-1``) is padded by repeating its start
    to a multiple of ``num_replicas`` (or cut to one with ``drop_last``), and rank ``r`` takes
    every ``num_replicas``-th index from ``r``. So the ranks' shares are disjoint (but for the
    padding), of equal size, and together cover the dataset. Give it to a
    :class:`~tensorlite.data.DataLoader` as ``sampler=`` and call :meth:`set_epoch` at the
    start of each epoch for a new order.

    Parameters
    ----------
    dataset : Dataset
        Anything with ``__len__``.
    num_replicas : int, optional
        The number of ranks; by default the process group's world size.
    rank : int, optional
        This process's rank; by default the process group's.
    shuffle : bool, default True
        A new permutation each epoch (NumPy's ``default_rng(seed + epoch)``).
    seed : int, default 0
        The same on every rank.
    drop_last : bool, default False
        Cut the tail so that it divides evenly, instead of padding.

    Raises
    ------
    RuntimeError
        When ``num_replicas`` or ``rank`` is omitted and no process group is initialized.
    ValueError
        When ``rank`` is not in ``[0, num_replicas)``.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.data import DataLoader, DistributedSampler, TensorDataset
    >>> ds = TensorDataset(np.arange(10))
    >>> [list(DistributedSampler(ds, num_replicas=3, rank=r, shuffle=False)) for r in range(3)]
    [[0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]]
    >>> sampler = DistributedSampler(ds, num_replicas=2, rank=1, seed=7)
    >>> sampler.set_epoch(3)
    >>> loader = DataLoader(ds, batch_size=2, sampler=sampler)
    >>> len(sampler), len(loader)
    (5, 3)
    """

    def __init__(self, dataset: Any, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from tensorlite import distributed as dist

            if not dist.is_initialized():
                raise RuntimeError("DistributedSampler: no process group is initialized; call "
                                   "tensorlite.distributed.init_process_group first or pass "
                                   "num_replicas and rank")
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        num_replicas = integer(num_replicas, "num_replicas", "DistributedSampler")
        rank = integer(rank, "rank", "DistributedSampler")
        if num_replicas < 1:
            raise ValueError(f"DistributedSampler: num_replicas must be positive, got {num_replicas}")
        if not 0 <= rank < num_replicas:
            raise ValueError(f"DistributedSampler: rank must be in [0, {num_replicas - 1}], got {rank}")
        self.dataset, self.num_replicas, self.rank = dataset, num_replicas, rank
        self.shuffle, self.seed, self.drop_last = bool(shuffle), integer(seed, "seed", "DistributedSampler"), \
            bool(drop_last)
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def set_epoch(self, epoch: int) -> None:
        """Use the permutation of ``epoch`` (call it with the same epoch on every rank).

        Parameters
        ----------
        epoch : int
            Added to the seed.
        """
        self.epoch = integer(epoch, "epoch", "DistributedSampler.set_epoch")

    def indices(self) -> Any:
        """This rank's indices for the current epoch, as an int64 array.

        Returns
        -------
        ndarray of shape (len(self),)
        """
        n = len(self.dataset)
        if self.shuffle:
            order = xp.random.default_rng(self.seed + self.epoch).permutation(n)
        else:
            order = xp.arange(n)
        if self.total_size > n:  # pad by repeating the list from its start
            order = xp.resize(order, self.total_size)
        else:
            order = order[:self.total_size]
        return order[self.rank:self.total_size:self.num_replicas].astype(xp.int64)

    def __iter__(self) -> Iterator[int]:
        return iter(self.indices().tolist())

    def __len__(self) -> int:
        return self.num_samples

    def __repr__(self) -> str:
        return (f"DistributedSampler(num_replicas={self.num_replicas}, rank={self.rank}, "
                f"shuffle={self.shuffle}, seed={self.seed}, drop_last={self.drop_last})")
