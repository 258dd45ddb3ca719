"""Datasets with files behind them: ``MNIST`` and the offline subset, as
``from tensorlite.data import datasets; datasets.MNIST(...)`` (the layout of ``torchvision.datasets``).

The code lives in :mod:`tensorlite.data.mnist`.
"""
from tensorlite.data.mnist import (
    MD5,
    MIRRORS,
    MNIST,
    ImageDataset,
    default_root,
    download_mnist,
    load_mnist,
    mnist_subset,
    read_idx,
)

__all__ = [
    "MNIST", "ImageDataset", "load_mnist", "mnist_subset", "read_idx", "download_mnist", "default_root",
    "MIRRORS", "MD5",
]
