"""The older library's helpers: ``onehot`` and ``get_loaders``."""
from __future__ import annotations

from typing import Any

from tensorlite.backend import xp
from tensorlite.data import DataLoader, Subset
from tensorlite.data.datasets import load_mnist
from tensorlite.tensor import Tensor

__all__ = ["onehot", "get_loaders"]


def onehot(targets: Any, num_classes: int) -> Any:
    """One-hot rows for integer class labels.

    Parameters
    ----------
    targets : ndarray or Tensor of ints, shape (N,)
        Class labels in ``[0, num_classes)``.
    num_classes : int
        The number of columns.

    Returns
    -------
    ndarray (N, num_classes) float32

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy.utils.utils import onehot
    >>> onehot(np.array([2, 0]), 3)
    array([[0., 0., 1.],
           [1., 0., 0.]], dtype=float32)
    """
    t = targets.data if isinstance(targets, Tensor) else xp.asarray(targets)
    if t.dtype.kind not in "iu" or t.ndim != 1:
        raise TypeError(f"onehot: targets must be a 1-d array of integer labels, got {t.dtype} of shape {t.shape}")
    if t.size and (t.min() < 0 or t.max() >= num_classes):
        raise ValueError(f"onehot: labels range over [{t.min()}, {t.max()}], outside [0, {num_classes})")
    return xp.eye(num_classes, dtype=xp.float32)[t]


def get_loaders(dataset_name: str, batch_size: int, root: Any = None, full: bool | None = None,
                max_samples: int | None = None) -> tuple[DataLoader, DataLoader]:
    """The training and validation loaders of a dataset, as the older library's scripts use them.

    ``'MNIST'`` is read with :func:`tensorlite.data.datasets.load_mnist`: full MNIST (60,000 /
    10,000) when its files are in the cache, otherwise the offline 5,000-digit subset (4,000 /
    1,000). The loaders yield ``(images, labels)`` Tensors (images (B, 1, 28, 28) float32 in
    [0, 1], labels (B,) int64), on which the old scripts call ``.numpy()``; the training loader
    shuffles.

    Parameters
    ----------
    dataset_name : str
        ``'MNIST'`` (the only dataset tensorlite reads).
    batch_size : int
        Samples per batch.
    root : str, optional
        The cache root (default ``$TENSORLITE_DATA`` or ``~/.cache/tensorlite``).
    full : bool, optional
        True: full MNIST; False: the subset; None (default): full MNIST if cached.
    max_samples : int, optional
        Keep only the first ``max_samples`` samples of each split (quick runs).

    Returns
    -------
    train_loader, val_loader : DataLoader

    Examples
    --------
    >>> from tensorlite.legacy.utils.utils import get_loaders
    >>> train_loader, val_loader = get_loaders("MNIST", 250, full=False)
    >>> data, targets = next(iter(val_loader))
    >>> data.numpy().shape, targets.numpy().shape, len(train_loader)
    ((250, 1, 28, 28), (250,), 16)
    """
    if str(dataset_name).upper() != "MNIST":
        raise ValueError(f"get_loaders: unknown dataset {dataset_name!r}; tensorlite reads 'MNIST'")
    train: Any
    val: Any
    train, val, _ = load_mnist(root, full=full)
    if max_samples is not None:
        train = Subset(train, xp.arange(min(max_samples, len(train))))
        val = Subset(val, xp.arange(min(max_samples, len(val))))
    return (DataLoader(train, batch_size=batch_size, shuffle=True, as_tensor=True),
            DataLoader(val, batch_size=batch_size, shuffle=False, as_tensor=True))
