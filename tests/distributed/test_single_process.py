"""tensorlite.distributed and its companions in one process, without mpiexec."""
import sys

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.distributed as dist
from tensorlite import nn
from tensorlite.data import DataLoader, DistributedSampler, TensorDataset


def torch_partition(n, world, rank, drop_last, order=None):
    """PyTorch's DistributedSampler over ``order`` (default 0..n-1), through torch itself."""
    torch = pytest.importorskip("torch")
    from torch.utils.data import DistributedSampler as TorchSampler

    sampler = TorchSampler(range(n), num_replicas=world, rank=rank, shuffle=False, drop_last=drop_last)
    picked = list(sampler)
    assert len(sampler) == len(picked)
    del torch
    return picked if order is None else [int(order[i]) for i in picked]


@pytest.mark.parametrize("n", [1, 5, 10, 11, 12])
@pytest.mark.parametrize("world", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("drop_last", [False, True])
def test_sampler_partition_is_pytorchs(n, world, drop_last):
    for rank in range(world):
        ours = DistributedSampler(TensorDataset(np.arange(n)), world, rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == torch_partition(n, world, rank, drop_last)
        assert len(ours) == len(list(ours))
        # shuffled: PyTorch's partition of the epoch's permutation (NumPy's, seeded by seed + epoch)
        shuffled = DistributedSampler(TensorDataset(np.arange(n)), world, rank, seed=4, drop_last=drop_last)
        shuffled.set_epoch(3)
        order = np.random.default_rng(4 + 3).permutation(n)
        assert list(shuffled) == torch_partition(n, world, rank, drop_last, order)


def test_sampler_shares_cover_the_dataset_and_change_with_the_epoch():
    ds = TensorDataset(np.arange(10))
    shares = [DistributedSampler(ds, 3, r, seed=1) for r in range(3)]
    padded = np.empty(12, dtype=np.int64)  # rank r holds positions r, r + 3, ... of the padded order
    for r, s in enumerate(shares):
        padded[r::3] = list(s)
    assert sorted(padded[:10]) == list(range(10)) and list(padded[10:]) == list(padded[:2])
    for s in shares:
        s.set_epoch(1)
    again = [DistributedSampler(ds, 3, r, seed=1) for r in range(3)]
    for s in again:
        s.set_epoch(1)
    assert [list(s) for s in shares] == [list(s) for s in again]  # the same on every rank
    assert not np.array_equal(np.concatenate([list(s) for s in shares]),
                              np.concatenate([padded[r::3] for r in range(3)]))


def test_dataloader_with_a_sampler():
    ds = TensorDataset(np.arange(10), np.arange(10) * 10)
    sampler = DistributedSampler(ds, 2, 1, shuffle=False)
    loader = DataLoader(ds, batch_size=2, sampler=sampler)
    assert len(loader) == 3
    assert [x.tolist() for x, _ in loader] == [[1, 3], [5, 7], [9]]
    assert len(DataLoader(ds, batch_size=2, sampler=sampler, drop_last=True)) == 2
    assert [x.tolist() for x, _ in DataLoader(ds, batch_size=3, sampler=[4, 2, 0, 9])] == [[4, 2, 0], [9]]
    assert "sampler=DistributedSampler(num_replicas=2, rank=1" in repr(loader)
    with pytest.raises(ValueError, match="sampler and shuffle=True exclude each other"):
        DataLoader(ds, batch_size=2, shuffle=True, sampler=sampler)


def test_sampler_bad_input():
    ds = TensorDataset(np.arange(4))
    with pytest.raises(ValueError, match=r"rank must be in \[0, 1\], got 2"):
        DistributedSampler(ds, 2, 2)
    with pytest.raises(ValueError, match="num_replicas must be positive"):
        DistributedSampler(ds, 0, 0)
    with pytest.raises(TypeError, match="rank must be an int"):
        DistributedSampler(ds, 2, 1.0)
    with pytest.raises(RuntimeError, match="init_process_group first or pass num_replicas and rank"):
        DistributedSampler(ds)


def test_use_before_init_process_group():
    pytest.importorskip("mpi4py")
    assert dist.is_available() and not dist.is_initialized()
    for call in (dist.get_rank, dist.get_world_size, dist.barrier, lambda: dist.all_reduce(np.ones(2)),
                 lambda: dist.broadcast(np.ones(2)), dist.destroy_process_group):
        with pytest.raises(RuntimeError, match="call init_process_group first"):
            call()
    with pytest.raises(RuntimeError, match="call init_process_group first"):
        nn.parallel.DistributedDataParallel(nn.Linear(2, 2))
    with pytest.raises(ValueError, match="the only backend is 'mpi'"):
        dist.init_process_group("nccl")


def test_without_mpi4py_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)  # as if not installed: import fails
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", None)
    assert dist.is_available() is False
    for call in (dist.init_process_group, dist.get_rank, lambda: dist.all_reduce(np.ones(2))):
        with pytest.raises(ImportError, match=r'pip install "\.\[mpi\]"'):
            call()
    assert not dist.is_initialized()


def test_sync_batchnorm_in_one_process_is_batchnorm():
    tl.manual_seed(0)
    x = tl.randn(6, 3, 4, 4)
    bn = nn.BatchNorm2d(3)
    nn.init.normal_(bn.weight)
    model = nn.SyncBatchNorm.convert_sync_batchnorm(nn.Sequential(nn.Identity(), bn))
    sync = model[1]
    assert type(sync) is nn.SyncBatchNorm and sync.weight is bn.weight and sync.running_mean is bn.running_mean
    reference = nn.BatchNorm2d(3)
    reference.load_state_dict(bn.state_dict())
    np.testing.assert_allclose(sync(x).data, reference(x).data, rtol=1e-6)
    np.testing.assert_allclose(sync.running_var.data, reference.running_var.data, rtol=1e-6)
    assert nn.SyncBatchNorm.convert_sync_batchnorm(sync) is sync
    with pytest.raises(ValueError, match="expected input with 3 channels"):
        sync(tl.randn(2, 4, 3))
