"""Embedding and F.embedding: lookup values, accumulated gradients of repeated indices,
padding_idx, initialisation and bad indices."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn


def test_lookup_of_any_index_shape():
    emb = nn.Embedding(10, 4)
    idx = np.array([[[1, 2], [3, 9]], [[0, 0], [5, 1]]])
    out = emb(idx)
    assert out.shape == (2, 2, 2, 4) and out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), emb.weight.data[idx])
    np.testing.assert_array_equal(emb(tl.tensor(7)).numpy(), emb.weight.data[7])  # a 0-d index
    np.testing.assert_array_equal(emb([3, 4]).numpy(), emb.weight.data[[3, 4]])  # a list
    assert emb(np.array([], dtype=np.int64)).shape == (0, 4)


def test_repeated_indices_accumulate_their_gradients():
    emb = nn.Embedding(5, 3)
    idx = np.array([[1, 1, 4], [1, 0, 4]], dtype=np.int32)
    r = np.random.default_rng(0).normal(size=(2, 3, 3)).astype(np.float32)
    (emb(idx) * r).sum().backward()
    expected = np.zeros((5, 3), np.float32)
    np.add.at(expected, idx, r)
    np.testing.assert_allclose(emb.weight.grad, expected, rtol=1e-6)
    np.testing.assert_allclose(emb.weight.grad[1], r[0, 0] + r[0, 1] + r[1, 0], rtol=1e-6)
    np.testing.assert_array_equal(emb.weight.grad[[2, 3]], 0)


def test_gradcheck_of_the_functional_form():
    w = tl.tensor(np.random.default_rng(1).normal(size=(6, 2)), requires_grad=True)
    idx = np.array([[0, 5, 5], [2, 0, 5]])
    assert tl.gradcheck(lambda w: F.embedding(idx, w), [w])
    # with padding_idx every other row gets the same gradient, and the padding row none
    r = np.random.default_rng(2).normal(size=(2, 3, 2))
    plain, padded = (tl.grad((F.embedding(idx, w, padding_idx=pad) * r).sum(), [w])[0] for pad in (None, 5))
    np.testing.assert_array_equal(padded[:5], plain[:5])
    assert (plain[5] != 0).all() and (padded[5] == 0).all()


def test_padding_row_starts_at_zero_and_gets_no_gradient():
    tl.manual_seed(0)
    emb = nn.Embedding(6, 3, padding_idx=2)
    np.testing.assert_array_equal(emb.weight.data[2], 0)
    emb.weight.data[2] = 7.0  # a padding row changed by hand is still looked up as it is
    idx = np.array([[2, 1, 2], [2, 2, 0]])
    out = emb(idx)
    np.testing.assert_array_equal(out.numpy(), emb.weight.data[idx])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad[2], 0)
    np.testing.assert_array_equal(emb.weight.grad[1], 1)
    np.testing.assert_array_equal(emb.weight.grad[0], 1)
    np.testing.assert_array_equal(emb.weight.grad[[3, 4, 5]], 0)


def test_negative_padding_idx_counts_from_the_end():
    emb = nn.Embedding(5, 2, padding_idx=-1)
    assert emb.padding_idx == 4 and repr(emb) == "Embedding(5, 2, padding_idx=4)"
    np.testing.assert_array_equal(emb.weight.data[4], 0)
    w = tl.tensor(np.ones((5, 2)), requires_grad=True)
    F.embedding([4, 4, 1], w, padding_idx=-1).sum().backward()
    np.testing.assert_array_equal(w.grad[:, 0], [0, 1, 0, 0, 0])
    with pytest.raises(ValueError, match="padding_idx 5 is out of range for 5"):
        nn.Embedding(5, 2, padding_idx=5)


def test_initialisation_is_standard_normal_and_seeded():
    tl.manual_seed(3)
    a = nn.Embedding(1000, 50)
    tl.manual_seed(3)
    b = nn.Embedding(1000, 50)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert abs(a.weight.data.mean()) < 0.01 and abs(a.weight.data.std() - 1) < 0.01
    assert a.weight.dtype == np.float32 and repr(a) == "Embedding(1000, 50)"


def test_from_pretrained():
    table = np.arange(6.0, dtype=np.float32).reshape(3, 2)
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb([2, 0]).numpy(), [[4, 5], [0, 1]])
    table[0] = -1  # a copy was taken
    assert emb.weight.data[0, 0] == 0
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad


@pytest.mark.parametrize("bad", [10, -1, 123])
def test_out_of_range_index_names_the_layer_and_the_value(bad):
    emb = nn.Embedding(10, 3)
    with pytest.raises(IndexError) as e:
        emb(np.array([[0, bad], [1, 2]]))
    assert repr(emb) in str(e.value) and f"index {bad} " in str(e.value)
    with pytest.raises(IndexError, match=f"embedding: index {bad} "):
        F.embedding([bad], emb.weight)


@pytest.mark.parametrize("bad", [np.array([0.0, 1.0]), np.array([True, False]), [0.5]])
def test_non_integer_indices_are_a_type_error(bad):
    emb = nn.Embedding(4, 2)
    with pytest.raises(TypeError, match=r"Embedding\(4, 2\).*integers"):
        emb(bad)
    with pytest.raises(TypeError, match="embedding: indices must be integers"):
        F.embedding(bad, emb.weight)
