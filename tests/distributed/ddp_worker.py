"""Checks run on every rank under ``mpiexec -n N python tests/distributed/ddp_worker.py CHECK...``.

Each check raises on failure (the exception hook of tensorlite.distributed then aborts the job
with the traceback); rank 0 prints ``ok CHECK`` after each passed check.
"""
from __future__ import annotations

import os
import sys

import numpy as np

import tensorlite as tl
import tensorlite.distributed as dist
from tensorlite import nn, optim
from tensorlite.nn.parallel import DistributedDataParallel as DDP


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))


def cnn(batch_norm: type | None = None) -> nn.Module:
    layers = [nn.Conv2d(1, 4, 3, padding=1, bias=batch_norm is None)]  # a bias before BN gets only rounding noise
    if batch_norm is not None:
        layers.append(batch_norm(4))
    layers += [nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(4 * 4 * 4, 3)]
    return nn.Sequential(*layers)


def data(kind: str, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 6) if kind == "mlp" else (n, 1, 8, 8))
    return x, rng.integers(0, 3, size=n)


def assert_same_on_every_rank(model: nn.Module, what: str) -> None:
    mine = np.concatenate([p.data.ravel() for p in model.parameters()])
    reference = mine.copy()
    dist.broadcast(reference, src=0)
    if not np.array_equal(mine, reference):
        raise AssertionError(f"{what}: rank {dist.get_rank()}'s parameters differ from rank 0's "
                             f"by {np.abs(mine - reference).max()}")


def assert_close(a: nn.Module, b: nn.Module, what: str, rtol: float = 1e-9) -> None:
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        scale = max(np.abs(q.data).max(), 1e-12)
        err = np.abs(p.data - q.data).max() / scale
        if "VERBOSE" in os.environ and dist.get_rank() == 0:
            print(f"{what} {name}: {err:.2g}")
        if not err <= rtol:
            raise AssertionError(f"{what}: parameter {name} differs by {err:.3g} (relative) on rank "
                                 f"{dist.get_rank()}")


def equivalence(kind: str, opt: str, batch_norm: type | None = None, steps: int = 4, batch: int = 6,
                bucket_cap_mb: float = 0.001) -> None:
    """N ranks with batch B each train exactly as one process with batch N·B."""
    rank, world = dist.get_rank(), dist.get_world_size()
    build = mlp if kind == "mlp" else (lambda: cnn(batch_norm))
    tl.manual_seed(0)
    reference = build()
    if batch_norm is nn.SyncBatchNorm:  # the single process uses the plain BatchNorm
        reference = nn.Sequential(*[nn.BatchNorm2d(4) if isinstance(m, nn.SyncBatchNorm) else m
                                    for m in reference])
    tl.manual_seed(100 + rank)  # different on every rank: the wrapper must broadcast rank 0's
    model = DDP(build(), bucket_cap_mb=bucket_cap_mb)
    reference.load_state_dict(model.module.state_dict())  # rank 0's initial values
    make = {"sgd": lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
            "adam": lambda ps: optim.Adam(ps, lr=0.01)}[opt]
    opt_ref, opt_ddp = make(reference.parameters()), make(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    for step in range(steps):
        x, y = data(kind, world * batch, seed=step)
        opt_ref.zero_grad()
        loss_fn(reference(tl.tensor(x)), y).backward()
        opt_ref.step()
        mine = slice(rank * batch, (rank + 1) * batch)
        opt_ddp.zero_grad()
        loss_fn(model(tl.tensor(x[mine])), y[mine]).backward()
        opt_ddp.step()
    what = f"{kind}/{opt}" + (f"/{batch_norm.__name__}" if batch_norm else "")
    assert_close(model.module, reference, what)
    assert_same_on_every_rank(model, what)
    if batch_norm is nn.SyncBatchNorm:
        for name in ("running_mean", "running_var"):
            a, b = getattr(model.module[1], name).data, getattr(reference[1], name).data
            err = np.abs(a - b).max() / np.abs(b).max()
            assert err <= 1e-9, f"{what}: {name} differs by {err:.3g} (relative): {a} != {b}"


def check_equivalence() -> None:
    tl.set_default_dtype(np.float64)
    for kind in ("mlp", "cnn"):
        for opt in ("sgd", "adam"):
            equivalence(kind, opt)
    equivalence("cnn", "sgd", bucket_cap_mb=25)  # one bucket
    equivalence("cnn", "adam", batch_norm=nn.SyncBatchNorm)


def check_no_sync() -> None:
    """Accumulating two micro-batches under no_sync, then syncing, equals one big batch."""
    tl.set_default_dtype(np.float64)
    rank, world = dist.get_rank(), dist.get_world_size()
    tl.manual_seed(0)
    reference, model = mlp(), DDP(mlp())
    reference.load_state_dict(model.module.state_dict())
    x, y = data("mlp", 4 * world, seed=1)
    loss_fn = nn.CrossEntropyLoss()
    loss_fn(reference(tl.tensor(x)), y).backward()  # the mean over the whole batch...
    # ...as two micro-batches on each rank: the first accumulated locally, the second averaged
    mine = x[rank * 4:(rank + 1) * 4], y[rank * 4:(rank + 1) * 4]
    with model.no_sync():
        (loss_fn(model(tl.tensor(mine[0][:2])), mine[1][:2]) / 2).backward()
    local = model.module[0].weight.grad.copy()
    (loss_fn(model(tl.tensor(mine[0][2:])), mine[1][2:]) / 2).backward()
    for p, q in zip(model.parameters(), reference.parameters()):
        assert np.allclose(p.grad, q.grad, rtol=1e-9, atol=1e-12), "no_sync: gradients differ"
    assert world == 1 or not np.allclose(local, model.module[0].weight.grad), "no_sync averaged"


def check_unused_parameter() -> None:
    """A parameter that gets no gradient on one rank still takes part: nobody waits forever."""
    tl.set_default_dtype(np.float64)
    rank, world = dist.get_rank(), dist.get_world_size()

    class TwoHeads(nn.Module):
        def __init__(self):
            super().__init__()
            self.body, self.a, self.b = nn.Linear(3, 4), nn.Linear(4, 1), nn.Linear(4, 1)

        def forward(self, x, head):
            return (self.a if head == "a" else self.b)(self.body(x))

    tl.manual_seed(0)
    model = DDP(TwoHeads(), bucket_cap_mb=1e-5)
    x = tl.tensor(np.full((2, 3), float(rank + 1)))
    model(x, "a" if rank == 0 else "b").sum().backward()  # rank 0 never reaches b, rank 1 never a
    got = {n: p.grad for n, p in model.module.named_parameters()}
    # d(sum of 2 outputs)/d(bias) is 2 on a rank that used the head, 0 on the others: the mean
    expect = {"a.bias": np.full(1, 2.0 / world), "b.bias": np.full(1, 2.0 * (world - 1) / world)}
    for name in ("a.bias", "b.bias"):
        assert got[name] is not None and np.allclose(got[name], expect[name]), (name, got[name], expect[name])


def check_state_dict() -> None:
    model = DDP(mlp())
    keys = list(model.state_dict())
    assert keys[0] == "module.0.weight" and all(k.startswith("module.") for k in keys), keys
    assert model.module.__class__ is nn.Sequential
    model.load_state_dict(model.state_dict())


def check_buckets() -> None:
    """Buckets hold the parameters in reverse order, split at bucket_cap_mb."""
    model = DDP(mlp())  # 25 MiB: one bucket
    params = list(model.module.parameters())
    assert [b.params for b in model._buckets] == [params[::-1]]
    small = DDP(mlp(), bucket_cap_mb=16 * 16 * 4 / 2 ** 20)  # fits one 16x16 float32 weight
    sizes = [[p.shape for p in b.params] for b in small._buckets]
    assert sizes == [[(3,), (3, 16), (16,)], [(16, 16)], [(16,), (16, 6)]], sizes


def check_overlap() -> None:
    """Each bucket's allreduce starts as soon as its gradients are in, while backward goes on:
    the output layer's before the first layer's gradient is ready."""
    model = DDP(mlp(), bucket_cap_mb=1e-6)  # one parameter per bucket
    log = []
    start = model._start
    model._start = lambda bucket: (log.append(("start", bucket.params[0].shape)), start(bucket))[1]
    first = model.module[0].weight
    first.register_post_accumulate_grad_hook(lambda p: log.append(("ready", p.shape)))
    model(tl.tensor(np.ones((4, 6), np.float32))).sum().backward()
    starts = [i for i, (what, _) in enumerate(log) if what == "start"]
    assert len(starts) == 6 and log[starts[0]] == ("start", (3,)), log
    assert starts[0] < log.index(("ready", (16, 6))), log
    assert not model._requests and not model._in_backward


def check_mismatch() -> None:
    """Models that differ across ranks fail at wrap time, on every rank, naming the difference."""
    width = 16 if dist.get_rank() == 0 else 17
    try:
        DDP(nn.Sequential(nn.Linear(6, width), nn.ReLU(), nn.Linear(width, 3)))
    except RuntimeError as e:
        assert "'0.weight' has shape (16, 6) on rank 0 but (17, 6) on rank 1" in str(e), str(e)
    else:
        raise AssertionError("DDP accepted models of different shapes")


def check_collectives() -> None:
    rank, world = dist.get_rank(), dist.get_world_size()
    x = np.full(3, float(rank))
    dist.all_reduce(x, op="sum")
    assert np.array_equal(x, np.full(3, sum(range(world)))), x
    t = tl.tensor(np.full((2, 2), float(rank + 1)))
    dist.all_reduce(t, op="mean")
    assert np.allclose(t.data, (world + 1) / 2), t
    for op, expect in (("max", world - 1), ("min", 0)):
        v = np.array([rank], dtype=np.int64)
        dist.all_reduce(v, op=op)
        assert v[0] == expect, (op, v)
    view = np.zeros((4, 4))[:, 1]  # not contiguous: reduced through a copy
    view[...] = rank + 1
    dist.broadcast(view, src=world - 1)
    assert np.all(view == world), view
    dist.barrier()


def check_fit_stop() -> None:
    """A callback that stops on one rank only stops every rank (no rank left waiting)."""
    from tensorlite.data import DataLoader, DistributedSampler, TensorDataset
    from tensorlite.training import fit

    x, y = data("mlp", 32, seed=0)
    ds = TensorDataset(x.astype(np.float32), y)
    model = DDP(mlp())
    history = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1),
                  DataLoader(ds, batch_size=4, sampler=DistributedSampler(ds)), epochs=5,
                  callbacks=[lambda epoch, history, model: dist.get_rank() == 1], progress=False)
    assert history.epochs == 1, history.epochs


def check_fail() -> None:
    """Rank 1 raises; rank 0 would wait forever in the allreduce without the abort."""
    model = DDP(mlp())
    if dist.get_rank() == 1:
        raise ValueError("rank 1 fails on purpose")
    model(tl.tensor(np.ones((2, 6), np.float32))).sum().backward()
    raise AssertionError("rank 0 finished a backward that rank 1 never joined")


def check_sampler() -> None:
    from tensorlite.data import DataLoader, DistributedSampler, TensorDataset

    ds = TensorDataset(np.arange(11))
    sampler = DistributedSampler(ds, seed=3)  # rank and world size from the process group
    sampler.set_epoch(2)
    mine = np.concatenate([y for (y,) in DataLoader(ds, batch_size=2, sampler=sampler)])
    everyone = np.zeros((dist.get_world_size(), len(mine)), dtype=mine.dtype)
    everyone[dist.get_rank()] = mine
    dist.all_reduce(everyone, op="sum")  # the other rows are zeros on each rank
    assert set(everyone.ravel()) == set(range(11)), everyone


CHECKS = {name[len("check_"):]: f for name, f in globals().items() if name.startswith("check_")}

if __name__ == "__main__":
    dist.init_process_group("mpi")
    for name in sys.argv[1:]:
        CHECKS[name]()
        tl.set_default_dtype(np.float32)
        dist.barrier()
        if dist.get_rank() == 0:
            print(f"ok {name}", flush=True)
