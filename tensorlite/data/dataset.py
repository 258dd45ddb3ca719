"""Datasets: the ``Dataset`` protocol, ``TensorDataset``, ``Subset``, ``random_split``, ``default_collate``.

A dataset maps an index to one sample (``__getitem__``) and knows its size (``__len__``). An
*array-backed* dataset also has ``__getitems__(indices)``, which returns a whole batch at once by
fancy indexing; :class:`~tensorlite.data.DataLoader` then needs no Python loop over samples.
PyTorch 2.x calls a hook of the same name, but there it returns a list of samples; here it
returns the already collated batch (what ``default_collate`` would make of those samples).
"""
from __future__ import annotations

import math
import numbers
from typing import Any, Sequence

from tensorlite import config
from tensorlite.backend import ndarray, xp
from tensorlite.ops.args import integer
from tensorlite.tensor import Tensor


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__(i)`` and ``__len__()``.

    Define ``__getitems__(indices)`` too when a batch can be taken at once (fancy indexing into
    arrays): it receives a 1-D int64 index array and returns the collated batch, e.g. a tuple
    ``(images of shape (B, ...), labels of shape (B,))``.

    Examples
    --------
    >>> from tensorlite.data import Dataset
    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return float(i), i * i
    >>> len(Squares()), Squares()[3]
    (4, (3.0, 9))
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


def _as_array(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.data
    return x if isinstance(x, ndarray) else xp.asarray(x)


class TensorDataset(Dataset):
    """A dataset over arrays (or tensors) that share their first dimension: sample ``i`` is
    ``tuple(a[i] for a in arrays)``.

    Parameters
    ----------
    *arrays : ndarray, Tensor or nested sequences, each of shape ``(N, ...)``
        Tensors are unwrapped to their ``.data`` and ndarrays are kept without a copy.

    Attributes
    ----------
    tensors : tuple of ndarray

    Raises
    ------
    ValueError
        When no array is given, one is 0-d, or their first dimensions differ.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.data import TensorDataset
    >>> ds = TensorDataset(np.arange(6.0).reshape(3, 2), np.array([0, 1, 1]))
    >>> len(ds)
    3
    >>> x1, y1 = ds[1]
    >>> x1, int(y1)
    (array([2., 3.]), 1)
    >>> x, y = ds.__getitems__(np.array([2, 0]))
    >>> x.shape, y
    ((2, 2), array([1, 0]))
    """

    def __init__(self, *arrays: Any) -> None:
        if not arrays:
            raise ValueError("TensorDataset: expected at least one array")
        self.tensors = tuple(_as_array(a) for a in arrays)
        shapes = [a.shape for a in self.tensors]
        if any(len(s) == 0 for s in shapes) or len({s[0] for s in shapes}) != 1:
            raise ValueError(
                f"TensorDataset: all arrays need the same first dimension (number of samples), "
                f"got shapes {', '.join(str(s) for s in shapes)}"
            )

    def __len__(self) -> int:
        return int(self.tensors[0].shape[0])

    def __getitem__(self, index: Any) -> tuple[Any, ...]:
        return tuple(a[index] for a in self.tensors)

    def __getitems__(self, indices: Any) -> tuple[Any, ...]:
        return tuple(a[indices] for a in self.tensors)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{a.shape} {a.dtype}" for a in self.tensors)
        return f"TensorDataset({shapes})"


def fetch(dataset: Any, indices: Any) -> Any:
    """The batch of ``dataset`` at the 1-D int array ``indices``: one ``__getitems__`` call when
    the dataset has it, else ``default_collate`` over ``dataset[i]`` for each index.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.data import TensorDataset
    >>> from tensorlite.data.dataset import fetch
    >>> fetch(TensorDataset(np.arange(5)), np.array([4, 1]))
    (array([4, 1]),)
    """
    getitems = getattr(dataset, "__getitems__", None)
    if getitems is not None:
        return getitems(indices)
    return default_collate([dataset[int(i)] for i in indices])


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order (``Subset(ds, idx)[k]`` is
    ``ds[idx[k]]``). Array-backed when ``dataset`` is.

    Parameters
    ----------
    dataset : Dataset
    indices : sequence of int, 1-D int array or tensor, or 1-D boolean mask
        The positions to take. A boolean mask (NumPy's meaning) has one entry per sample of
        ``dataset`` and selects the samples where it is True.

    Raises
    ------
    TypeError
        for indices that are not integers (floats such as ``1.5`` are never truncated) or a
        boolean mask.
    ValueError
        for a boolean mask that is not 1-D of length ``len(dataset)``.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.data import Subset, TensorDataset
    >>> sub = Subset(TensorDataset(np.arange(10) * 10), [7, 2])
    >>> len(sub), int(sub[0][0])
    (2, 70)
    >>> sub.__getitems__(np.array([1, 0]))
    (array([20, 70]),)
    >>> Subset(TensorDataset(np.arange(4)), np.array([True, False, False, True])).indices
    array([0, 3])
    """

    def __init__(self, dataset: Any, indices: Any) -> None:
        self.dataset = dataset
        self.indices = _index_array(indices, dataset, "Subset")

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: Any) -> Any:
        return self.dataset[int(self.indices[index])]

    def __getitems__(self, indices: Any) -> Any:
        return fetch(self.dataset, self.indices[indices])

    def __repr__(self) -> str:
        return f"Subset({self.dataset!r}, {len(self)} indices)"


def _index_array(indices: Any, dataset: Any, where: str) -> Any:
    """``indices`` as a 1-D int64 array: integers as given, a boolean mask as the positions where it
    is True; anything else (floats, strings, objects) is refused, never truncated."""
    arr = indices.data if isinstance(indices, Tensor) else xp.asarray(indices)
    if arr.dtype == bool:
        if arr.ndim != 1:
            raise ValueError(f"{where}: a boolean mask must be one-dimensional, got shape {arr.shape}")
        if len(arr) != len(dataset):
            raise ValueError(f"{where}: a boolean mask needs one entry per sample ({len(dataset)}), "
                             f"got {len(arr)}")
        return xp.flatnonzero(arr)
    if arr.size == 0:
        return arr.reshape(0).astype(xp.int64)  # [] is float64 to NumPy: an empty selection
    if arr.dtype.kind not in "iu":
        shown = arr.ravel()[:5].tolist()
        raise TypeError(f"{where}: indices must be integers or a boolean mask, got dtype {arr.dtype} "
                        f"({shown!r:.60})")
    return arr.astype(xp.int64, copy=False).reshape(-1)


def _check_generator(generator: Any, where: str) -> Any:
    if generator is None:
        return config.generator()
    if not isinstance(generator, xp.random.Generator):
        raise TypeError(
            f"{where}: generator must be a numpy.random.Generator (e.g. numpy.random.default_rng(0)) "
            f"or None, got {type(generator).__name__}"
        )
    return generator


def random_split(dataset: Any, lengths: Sequence[Any], generator: Any = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random :class:`Subset` s of the given lengths.

    Parameters
    ----------
    dataset : Dataset
    lengths : sequence of int or of float
        Sizes summing to ``len(dataset)``, or fractions summing to 1. As in PyTorch, fractions
        give ``floor(frac * len)`` samples each and the remainder is dealt one by one to the
        subsets in order.
    generator : numpy.random.Generator, optional
        Source of the permutation; by default :func:`tensorlite.config.generator`, which
        ``tl.manual_seed`` seeds.

    Returns
    -------
    list of Subset

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.data import TensorDataset, random_split
    >>> ds = TensorDataset(np.arange(10))
    >>> a, b = random_split(ds, [0.7, 0.3], generator=np.random.default_rng(0))
    >>> len(a), len(b), sorted(np.concatenate([a.indices, b.indices]).tolist()) == list(range(10))
    (7, 3, True)
    """
    n = len(dataset)
    lengths = list(lengths)
    is_fraction = (
        bool(lengths)
        and all(isinstance(f, numbers.Real) and not isinstance(f, numbers.Integral) for f in lengths)
        and math.isclose(sum(lengths), 1.0)
        and sum(lengths) <= 1 + 1e-9
    )
    if is_fraction:
        if any(not 0 <= f <= 1 for f in lengths):
            raise ValueError(f"random_split: fractions must lie in [0, 1], got {lengths}")
        sizes = [math.floor(n * f) for f in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
    else:
        sizes = [integer(s, "each length", "random_split") for s in lengths]
        if any(s < 0 for s in sizes) or sum(sizes) != n:
            raise ValueError(
                f"random_split: lengths {lengths} must be non-negative ints summing to the dataset's "
                f"length {n}, or fractions summing to 1"
            )
    perm = _check_generator(generator, "random_split").permutation(n)
    bounds = xp.cumsum([0, *sizes])
    return [Subset(dataset, perm[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])]


def default_collate(samples: Sequence[Any]) -> Any:
    """Stack a list of samples into one batch, field by field.

    ndarrays and tensors are stacked along a new first axis; Python ints and bools become int64 and
    bool arrays, Python floats arrays of the default float dtype (float32), NumPy scalars keep
    their dtype; tuples and lists are collated element-wise into a tuple, dicts key by key;
    strings are returned as a list.

    Parameters
    ----------
    samples : sequence
        A non-empty list of samples of one structure (e.g. ``(image, label)`` tuples), as a
        :class:`~tensorlite.data.Dataset` returns them.

    Returns
    -------
    ndarray, tuple, dict or list
        The batch, of the samples' structure: each array field of shape ``(B, *field_shape)``,
        each number field of shape ``(B,)``, with ``B = len(samples)``.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.data import default_collate
    >>> x, y = default_collate([(np.zeros(2), 1), (np.ones(2), 0)])
    >>> x
    array([[0., 0.],
           [1., 1.]])
    >>> y
    array([1, 0])
    """
    first = samples[0]
    if isinstance(first, (tuple, list)):
        widths = {len(s) for s in samples}
        if len(widths) != 1:
            raise ValueError(f"default_collate: samples have different numbers of fields: {sorted(widths)}")
        return tuple(default_collate(field) for field in zip(*samples))
    if isinstance(first, dict):
        return {key: default_collate([s[key] for s in samples]) for key in first}
    if isinstance(first, str):
        return list(samples)
    if isinstance(first, (Tensor, ndarray)):
        arrays = [s.data if isinstance(s, Tensor) else s for s in samples]
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1:
            raise ValueError(f"default_collate: cannot stack samples of different shapes {sorted(shapes)}")
        return xp.stack(arrays)
    if isinstance(first, xp.generic):  # before the Python types: numpy.float64 is a float
        return xp.asarray(samples)
    if isinstance(first, bool):
        return xp.asarray(samples, dtype=bool)
    if isinstance(first, int):
        return xp.asarray(samples, dtype=xp.int64)
    if isinstance(first, float):
        return xp.asarray(samples, dtype=config.get_default_dtype())
    if isinstance(first, numbers.Number):
        return xp.asarray(samples)
    raise TypeError(
        f"default_collate: cannot batch samples of type {type(first).__name__}; a sample must be "
        "an ndarray, a Tensor, a number, a string, or a tuple/list/dict of those"
    )


__all__ = ["Dataset", "TensorDataset", "Subset", "random_split", "default_collate", "fetch"]
