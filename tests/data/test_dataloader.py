"""DataLoader: batching, len, drop_last, shuffling, the fast and fallback paths, bad input."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite.data import DataLoader, Dataset, TensorDataset


def make_ds(n=10):
    return TensorDataset(np.arange(2 * n, dtype=np.float32).reshape(n, 2), np.arange(n))


class Counting(Dataset):
    """Plain dataset (no __getitems__) that counts __getitem__ calls; sample i is (i*ones(3), i)."""

    def __init__(self, n):
        self.n, self.calls = n, 0

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        self.calls += 1
        return np.full(3, i, np.float64), i


class CountingBatches(Counting):
    def __init__(self, n):
        super().__init__(n)
        self.batch_calls = 0

    def __getitems__(self, idx):
        self.batch_calls += 1
        return np.repeat(idx[:, None].astype(np.float64), 3, axis=1), idx


def labels_per_batch(loader):
    return [y.tolist() for _, y in loader]


def test_batches_in_order_with_values():
    loader = DataLoader(make_ds(10), batch_size=4)
    batches = list(loader)
    assert len(loader) == len(batches) == 3
    x, y = batches[1]
    assert x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(x, [[8, 9], [10, 11], [12, 13], [14, 15]])
    assert labels_per_batch(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]


@pytest.mark.parametrize("n, bs, drop_last, expected", [
    (10, 3, False, 4), (10, 3, True, 3), (9, 3, False, 3), (9, 3, True, 3), (2, 5, False, 1), (2, 5, True, 0),
    (1, 1, False, 1),
])
def test_len_and_drop_last(n, bs, drop_last, expected):
    loader = DataLoader(make_ds(n), batch_size=bs, drop_last=drop_last)
    batches = list(loader)
    assert len(loader) == len(batches) == expected
    if drop_last:
        assert all(len(y) == bs for _, y in batches)
    elif expected:
        assert sum(len(y) for _, y in batches) == n


def test_default_batch_size_is_one():
    assert labels_per_batch(DataLoader(make_ds(3))) == [[0], [1], [2]]


def test_shuffle_visits_every_sample_once_per_epoch_and_reshuffles():
    loader = DataLoader(make_ds(23), batch_size=5, shuffle=True, generator=np.random.default_rng(0))
    epochs = [np.concatenate([y for _, y in loader]) for _ in range(3)]
    for order in epochs:
        np.testing.assert_array_equal(np.sort(order), np.arange(23))
    assert not np.array_equal(epochs[0], epochs[1])
    # the order is the generator's permutation, drawn at the start of each epoch
    rng = np.random.default_rng(0)
    for order in epochs:
        np.testing.assert_array_equal(order, rng.permutation(23))


def test_shuffle_drop_last_batches_are_distinct_samples():
    loader = DataLoader(make_ds(23), batch_size=5, shuffle=True, drop_last=True, generator=np.random.default_rng(1))
    seen = np.concatenate([y for _, y in loader])
    assert len(seen) == 20 and len(np.unique(seen)) == 20


def test_shuffle_reproducible_with_manual_seed():
    loader = DataLoader(make_ds(50), batch_size=8, shuffle=True)
    tl.manual_seed(123)
    first = labels_per_batch(loader)
    tl.manual_seed(123)
    assert labels_per_batch(loader) == first
    assert labels_per_batch(loader) != first  # the next epoch is a new permutation
    tl.manual_seed(123)
    np.testing.assert_array_equal(np.concatenate(first), np.random.default_rng(123).permutation(50))


def test_as_tensor_yields_tensors_without_grad():
    loader = DataLoader(make_ds(6), batch_size=4, as_tensor=True)
    x, y = next(iter(loader))
    assert isinstance(x, tl.Tensor) and isinstance(y, tl.Tensor)
    assert not x.requires_grad and not y.requires_grad
    assert x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(x.numpy(), [[0, 1], [2, 3], [4, 5], [6, 7]])


def test_array_backed_dataset_takes_one_call_per_batch():
    ds = CountingBatches(10)
    x, y = list(DataLoader(ds, batch_size=4))[-1]
    assert ds.batch_calls == 3 and ds.calls == 0
    np.testing.assert_array_equal(y, [8, 9])
    np.testing.assert_array_equal(x, [[8, 8, 8], [9, 9, 9]])


def test_fallback_collate_for_plain_dataset():
    ds = Counting(7)
    batches = list(DataLoader(ds, batch_size=3, as_tensor=True))
    assert ds.calls == 7
    x, y = batches[2]
    assert isinstance(x, tl.Tensor) and x.shape == (1, 3) and x.dtype == np.float64
    np.testing.assert_array_equal(x.numpy(), [[6, 6, 6]])
    np.testing.assert_array_equal(batches[0][1].numpy(), [0, 1, 2])


def test_empty_dataset_is_an_error_naming_it():
    with pytest.raises(ValueError, match=r"TensorDataset\(\(0, 3\) float64\) is empty"):
        DataLoader(TensorDataset(np.zeros((0, 3))))


@pytest.mark.parametrize("bs", [0, -2])
def test_batch_size_below_one(bs):
    with pytest.raises(ValueError, match=f"batch_size must be a positive int, got {bs}"):
        DataLoader(make_ds(), batch_size=bs)


@pytest.mark.parametrize("bs", [2.0, True, "4", None])
def test_batch_size_not_an_int(bs):
    with pytest.raises(TypeError, match=f"batch_size must be an int, got {type(bs).__name__}"):
        DataLoader(make_ds(), batch_size=bs)


def test_numpy_int_batch_size_and_other_bad_input():
    assert len(DataLoader(make_ds(10), batch_size=np.int64(5))) == 2
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        DataLoader(make_ds(), shuffle=True, generator=0)
    with pytest.raises(TypeError, match="must have __len__ and __getitem__, got int"):
        DataLoader(5)
