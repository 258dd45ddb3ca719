"""tl.save / tl.load: npz round trips and what save refuses (what load refuses, and atomicity under a kill,
are in test_checkpoint_safety.py)."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl


def test_round_trip(tmp_path):
    path = tmp_path / "model.ckpt"                      # the path is used exactly as given
    state = {"layer.weight": tl.randn(3, 2), "layer.bias": np.zeros(2), "steps": 5}
    tl.save(state, path)
    assert path.exists() and not (tmp_path / "model.ckpt.npz").exists()
    loaded = tl.load(path)
    assert set(loaded) == set(state)
    np.testing.assert_array_equal(loaded["layer.weight"], state["layer.weight"].data)
    assert loaded["layer.weight"].dtype == np.float32 and loaded["steps"] == 5


def test_save_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "ckpt.npz"
    tl.save({"a": np.ones(2)}, path)
    with pytest.raises(TypeError, match="objects"):
        tl.save({"a": np.array([{}, None], dtype=object)}, path)
    np.testing.assert_array_equal(tl.load(path)["a"], np.ones(2))   # the old file is intact
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.npz"]       # no temporary left behind


def test_save_rejects_non_string_keys(tmp_path):
    with pytest.raises(TypeError, match="strings"):
        tl.save({1: np.ones(2)}, tmp_path / "x.npz")
