"""Dataset, TensorDataset, Subset, random_split and default_collate."""
import numpy as np
import pytest

import tensorlite as tl
from tensorlite.data import Dataset, Subset, TensorDataset, default_collate, random_split
from tensorlite.data.dataset import fetch


class Squares(Dataset):
    """A plain dataset with no __getitems__: sample i is (float32 [i, i], i*i)."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return np.array([i, i], np.float32), i * i


def test_dataset_base_methods_are_abstract():
    with pytest.raises(NotImplementedError, match="Dataset must define __len__"):
        len(Dataset())
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


def test_tensor_dataset_indexing_and_batches():
    x = np.arange(12.0).reshape(6, 2)
    y = np.array([5, 4, 3, 2, 1, 0])
    ds = TensorDataset(tl.Tensor(x), y)
    assert len(ds) == 6
    assert ds.tensors[0] is x and ds.tensors[1] is y  # tensors unwrapped, arrays not copied
    xi, yi = ds[4]
    np.testing.assert_array_equal(xi, [8.0, 9.0])
    assert yi == 1
    xb, yb = ds.__getitems__(np.array([5, 0, 5]))
    np.testing.assert_array_equal(xb, [[10.0, 11.0], [0.0, 1.0], [10.0, 11.0]])
    np.testing.assert_array_equal(yb, [0, 5, 0])


def test_tensor_dataset_bad_shapes():
    with pytest.raises(ValueError, match=r"same first dimension.*\(3, 2\), \(4,\)"):
        TensorDataset(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match=r"\(\)"):
        TensorDataset(np.zeros(3), np.float64(1.0))
    with pytest.raises(ValueError, match="at least one array"):
        TensorDataset()


def test_subset_maps_indices_and_batches_fast_and_slow():
    base = TensorDataset(np.arange(10) * 10)
    sub = Subset(base, [7, 2, 9])
    assert len(sub) == 3
    assert sub[0][0] == 70 and sub[-1][0] == 90
    np.testing.assert_array_equal(sub.__getitems__(np.array([2, 0]))[0], [90, 70])
    nested = Subset(sub, [2, 1])  # a subset of a subset stays array-backed
    np.testing.assert_array_equal(nested.__getitems__(np.array([0, 1]))[0], [90, 20])
    plain = Subset(Squares(), [5, 1])  # falls back to per-item __getitem__ and collate
    x, y = plain.__getitems__(np.array([0, 1]))
    np.testing.assert_array_equal(x, [[5, 5], [1, 1]])
    np.testing.assert_array_equal(y, [25, 1])


def test_fetch_uses_getitems_when_present():
    x, y = fetch(Squares(), np.array([3, 0]))
    assert x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_array_equal(y, [9, 0])


def _sizes(parts):
    return [len(p) for p in parts]


def test_random_split_lengths_and_fractions():
    ds = TensorDataset(np.arange(10))
    gen = np.random.default_rng(0)
    assert _sizes(random_split(ds, [3, 7], generator=gen)) == [3, 7]
    assert _sizes(random_split(ds, [0.5, 0.3, 0.2], generator=gen)) == [5, 3, 2]
    # floor(10/3) = 3 each, the remainder 1 goes to the first subset (PyTorch's rule)
    assert _sizes(random_split(ds, [1 / 3, 1 / 3, 1 / 3], generator=gen)) == [4, 3, 3]
    # floor(10 * 0.25) = 2 each, remainder 2 dealt to the first two subsets
    assert _sizes(random_split(ds, [0.25] * 4, generator=gen)) == [3, 3, 2, 2]
    assert _sizes(random_split(ds, [0, 10], generator=gen)) == [0, 10]


def test_random_split_fraction_sizes_match_torch():
    torch = pytest.importorskip("torch")
    for n, fractions in [(10, [1 / 3] * 3), (7, [0.25] * 4), (101, [0.8, 0.1, 0.1]), (9, [0.6, 0.4])]:
        expected = _sizes(torch.utils.data.random_split(range(n), fractions))
        assert _sizes(random_split(TensorDataset(np.arange(n)), fractions)) == expected


def test_random_split_is_a_disjoint_cover_and_reproducible():
    ds = TensorDataset(np.arange(50))
    parts = random_split(ds, [20, 20, 10], generator=np.random.default_rng(3))
    together = np.concatenate([p.indices for p in parts])
    np.testing.assert_array_equal(np.sort(together), np.arange(50))
    np.testing.assert_array_equal(together, np.random.default_rng(3).permutation(50))
    tl.manual_seed(11)
    a = random_split(ds, [25, 25])[0].indices
    tl.manual_seed(11)
    b = random_split(ds, [25, 25])[0].indices
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, random_split(ds, [25, 25])[0].indices)


def test_random_split_bad_input():
    ds = TensorDataset(np.arange(10))
    with pytest.raises(ValueError, match=r"summing to the dataset's length 10"):
        random_split(ds, [3, 3])
    with pytest.raises(ValueError, match="non-negative"):
        random_split(ds, [-1, 11])
    with pytest.raises(TypeError, match="each length must be an int"):
        random_split(ds, [5.5, 4.5])
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        random_split(ds, [5, 5], generator=42)


def test_default_collate_types():
    x, y, z = default_collate([(np.zeros(2, np.float32), 1, 0.5), (np.ones(2, np.float32), 2, 1.5)])
    np.testing.assert_array_equal(x, [[0, 0], [1, 1]])
    assert x.dtype == np.float32 and y.dtype == np.int64 and z.dtype == np.float32
    np.testing.assert_array_equal(z, [0.5, 1.5])
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([np.float64(1), np.float64(2)]).dtype == np.float64
    stacked = default_collate([tl.tensor([1.0, 2.0]), tl.tensor([3.0, 4.0])])
    np.testing.assert_array_equal(stacked, [[1, 2], [3, 4]])
    batch = default_collate([{"x": np.zeros(3), "name": "a"}, {"x": np.ones(3), "name": "b"}])
    assert batch["name"] == ["a", "b"] and batch["x"].shape == (2, 3)


def test_default_collate_bad_samples():
    with pytest.raises(ValueError, match=r"different shapes \[\(2,\), \(3,\)\]"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="different numbers of fields"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="cannot batch samples of type object"):
        default_collate([object(), object()])


# -- Subset: indices are integers or a boolean mask, never truncated floats ----------------------------

@pytest.mark.parametrize("indices", [[1.5], [0.0, 2.0], np.array([1.9]), np.float64(1.0), ["1"], [None]],
                         ids=repr)
def test_subset_refuses_indices_that_are_not_integers(indices):
    """[1.5] was silently truncated to index 1."""
    with pytest.raises(TypeError, match="Subset: indices must be integers or a boolean mask, got dtype"):
        Subset(TensorDataset(np.arange(4)), indices)


@pytest.mark.parametrize("as_type", [np.array, list, tl.tensor], ids=["ndarray", "list", "tensor"])
def test_subset_with_a_boolean_mask_selects_where_true(as_type):
    """NumPy's meaning; the mask was read as the indices 0 and 1."""
    ds = TensorDataset(np.arange(5) * 10)
    mask = as_type([False, True, False, True, True])
    sub = Subset(ds, mask)
    assert sub.indices.tolist() == [1, 3, 4] and len(sub) == 3
    assert [int(sub[i][0]) for i in range(3)] == [10, 30, 40]
    assert sub.__getitems__(np.array([2, 0]))[0].tolist() == [40, 10]
    np.testing.assert_array_equal(np.arange(5)[np.asarray(mask)], sub.indices)


@pytest.mark.parametrize("mask, message", [
    ([True, False], r"needs one entry per sample \(5\), got 2"),
    (np.ones((1, 5), bool), r"must be one-dimensional, got shape \(1, 5\)"),
])
def test_subset_refuses_a_boolean_mask_of_the_wrong_shape(mask, message):
    with pytest.raises(ValueError, match="Subset: a boolean mask " + message):
        Subset(TensorDataset(np.arange(5)), mask)


@pytest.mark.parametrize("indices, expected", [([3, 0, 3], [3, 0, 3]), ([], []), (np.array([2], np.uint8), [2]),
                                               (np.int64(1), [1]), (tl.tensor([4, 1]), [4, 1])], ids=repr)
def test_subset_keeps_integer_indices_as_given(indices, expected):
    sub = Subset(TensorDataset(np.arange(5)), indices)
    assert sub.indices.dtype == np.int64 and sub.indices.tolist() == expected


def test_random_split_refuses_fractional_lengths_that_do_not_sum_to_one():
    with pytest.raises(TypeError, match="random_split: each length must be an int, got float 1.5"):
        random_split(TensorDataset(np.arange(10)), [1.5, 8.5])
