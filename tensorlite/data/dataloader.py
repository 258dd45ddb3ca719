"""``DataLoader``: iterate over a dataset in (shuffled) mini-batches."""
from __future__ import annotations

from typing import Any, Iterator

from tensorlite.backend import ndarray, xp
from tensorlite.data.dataset import _check_generator, fetch
from tensorlite.ops.args import integer
from tensorlite.tensor import Tensor


def _to_tensors(batch: Any) -> Any:
    if isinstance(batch, ndarray) and batch.dtype.kind in "fiub":
        return Tensor(batch)
    if isinstance(batch, tuple):
        return tuple(_to_tensors(b) for b in batch)
    if isinstance(batch, dict):
        return {k: _to_tensors(v) for k, v in batch.items()}
    return batch


class DataLoader:
    """Mini-batches of a dataset, one epoch per ``iter(loader)``.

    What it yields: the collated batch, by default as NumPy arrays — for a dataset whose samples
    are ``(x, y)`` pairs, a tuple ``(X, Y)`` with ``X`` of shape ``(B, *x.shape)`` and ``Y`` of
    shape ``(B,)``. With ``as_tensor=True`` every numeric array in it becomes a
    :class:`~tensorlite.Tensor` (no copy, ``requires_grad=False``). The last batch is smaller
    when ``batch_size`` does not divide ``len(dataset)``, unless ``drop_last``.

    How it fetches: when the dataset has ``__getitems__`` (``TensorDataset``, ``Subset`` of one,
    ``MNIST``), one call per batch with the batch's int64 index array, so an array-backed dataset
    costs one fancy-indexing per batch and no Python loop over samples. Otherwise it calls
    ``dataset[i]`` per index and stacks the samples with :func:`default_collate`.

    Parameters
    ----------
    dataset : Dataset
        Anything with ``__len__`` and ``__getitem__`` (and optionally ``__getitems__``).
    batch_size : int, default 1
    shuffle : bool, default False
        Draw a new permutation of the indices at the start of every epoch.
    drop_last : bool, default False
        Skip the last batch when it is smaller than ``batch_size``.
    generator : numpy.random.Generator, optional
        Source of the permutations; by default :func:`tensorlite.config.generator` at the start
        of each epoch, so ``tl.manual_seed(n)`` makes the order reproducible.
    as_tensor : bool, default False
        Yield Tensors instead of ndarrays.
    sampler : iterable of int, optional
        The indices to load, in order, each epoch (with ``__len__``), such as a
        :class:`~tensorlite.data.DistributedSampler`; instead of ``shuffle``.

    Raises
    ------
    ValueError
        When the dataset is empty, ``batch_size < 1``, or both ``sampler`` and ``shuffle`` are given.
    TypeError
        When ``batch_size`` is not an int or ``generator`` is not a numpy Generator.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
    >>> loader = DataLoader(ds, batch_size=2)
    >>> len(loader)
    3
    >>> [y.tolist() for x, y in loader]
    [[0, 1], [2, 3], [4]]
    >>> loader = DataLoader(ds, batch_size=2, shuffle=True, drop_last=True,
    ...                     generator=np.random.default_rng(0), as_tensor=True)
    >>> x, y = next(iter(loader))
    >>> type(x).__name__, x.shape, x.requires_grad
    ('Tensor', (2, 2), False)
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        generator: Any = None,
        as_tensor: bool = False,
        sampler: Any = None,
    ) -> None:
        try:
            n = len(dataset)
        except TypeError:
            raise TypeError(
                f"DataLoader: the dataset must have __len__ and __getitem__, got {type(dataset).__name__}"
            ) from None
        if n == 0:
            raise ValueError(f"DataLoader: the dataset {dataset!r} is empty (len 0); there is nothing to load")
        batch_size = integer(batch_size, "batch_size", "DataLoader")
        if batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got {batch_size}")
        if generator is not None:
            _check_generator(generator, "DataLoader")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler and shuffle=True exclude each other; the sampler "
                             "decides the order (DistributedSampler has its own shuffle)")
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.generator = generator
        self.as_tensor = bool(as_tensor)
        self.sampler = sampler

    def __len__(self) -> int:
        """The number of batches per epoch."""
        n = len(self.dataset) if self.sampler is None else len(self.sampler)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        if self.sampler is not None:
            indices = getattr(self.sampler, "indices", None)
            order = indices() if callable(indices) else xp.fromiter(iter(self.sampler), dtype=xp.int64)
            n = len(order)
        elif self.shuffle:
            n = len(self.dataset)
            order = _check_generator(self.generator, "DataLoader").permutation(n)
        else:
            n = len(self.dataset)
            order = xp.arange(n)
        stop = (n // self.batch_size if self.drop_last else -(-n // self.batch_size)) * self.batch_size
        for start in range(0, min(stop, n), self.batch_size):
            batch = fetch(self.dataset, order[start:start + self.batch_size])
            yield _to_tensors(batch) if self.as_tensor else batch

    def __repr__(self) -> str:
        return (
            f"DataLoader({self.dataset!r}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last}, as_tensor={self.as_tensor}"
            + (f", sampler={self.sampler!r})" if self.sampler is not None else ")")
        )


__all__ = ["DataLoader"]
