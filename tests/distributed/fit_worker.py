"""``training.fit`` under ``mpiexec -n N python tests/distributed/fit_worker.py OUT_DIR``.

Every rank trains the same DDP model on its share of each batch (DistributedSampler), with a
validation loader, a checkpoint and EarlyStopping, then resumes for one more epoch. Rank 0
writes the history and the final parameters to ``OUT_DIR/result.npz``; the test compares them
with ``train(...)`` run by one process on the whole batches.
"""
from __future__ import annotations

import os
import sys

import numpy as np

import tensorlite as tl
import tensorlite.distributed as dist
from tensorlite import nn, optim
from tensorlite.data import DataLoader, DistributedSampler, TensorDataset
from tensorlite.training import EarlyStopping, fit

PER_RANK_BATCH = 8


def train(out_dir: str, world: int, rank: int, epochs: int, resume: bool) -> tuple[nn.Module, object]:
    """Train (or resume); ``world`` ranks with batch 8 each, or one process with batch 8·world."""
    tl.set_default_dtype(np.float64)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    train_set, val_set = TensorDataset(x[:64], y[:64]), TensorDataset(x[64:], y[64:])
    distributed = dist.is_initialized() and dist.get_world_size() > 1
    batch = PER_RANK_BATCH if distributed else PER_RANK_BATCH * world
    replicas, me = (world, rank) if distributed else (1, 0)
    train_loader = DataLoader(train_set, batch_size=batch,
                              sampler=DistributedSampler(train_set, replicas, me, seed=5))
    val_loader = DataLoader(val_set, batch_size=batch,
                            sampler=DistributedSampler(val_set, replicas, me, shuffle=False))
    tl.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2))
    if distributed:
        model = nn.parallel.DistributedDataParallel(model)
    optimizer = optim.SGD(model.parameters(), lr=0.2, momentum=0.5)
    history = fit(model, nn.CrossEntropyLoss(), optimizer, train_loader, val_loader, epochs=epochs,
                  checkpoint_path=os.path.join(out_dir, "checkpoint.npz"), resume=resume,
                  callbacks=[EarlyStopping("val_loss", patience=5)], progress=True)
    return model, history


if __name__ == "__main__":
    out = sys.argv[1]
    dist.init_process_group()
    rank, world = dist.get_rank(), dist.get_world_size()
    model, _ = train(out, world, rank, epochs=2, resume=False)
    dist.barrier()
    model, history = train(out, world, rank, epochs=3, resume=True)
    # the same history and parameters on every rank
    flat = np.concatenate([np.asarray(history.train_loss), np.asarray(history.val_loss),
                           *[p.data.ravel() for p in model.parameters()]])
    reference = flat.copy()
    dist.broadcast(reference, src=0)
    assert np.array_equal(flat, reference), f"rank {rank} differs from rank 0"
    if rank == 0:
        np.savez(os.path.join(out, "result.npz"), train_loss=history.train_loss, val_loss=history.val_loss,
                 val_accuracy=history.val_accuracy, samples_per_second=history.samples_per_second,
                 epochs=history.epochs, **{k: v for k, v in model.module.state_dict().items()})
