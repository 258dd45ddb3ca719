"""``SyncBatchNorm``: batch normalisation whose batch statistics are taken over every rank's batch.

Under :class:`~tensorlite.nn.parallel.DistributedDataParallel` each rank sees only its share of
a batch; a plain BatchNorm normalises with the statistics of that share. SyncBatchNorm sums the
per-channel statistics over the ranks with a differentiable allreduce (whose gradient is again
an allreduce), so N ranks with batch B each normalise, and differentiate, exactly as one
process with batch N·B. The arithmetic is a composition of ordinary ops around the allreduce.
"""
from __future__ import annotations

from typing import Any

from tensorlite import distributed as dist
from tensorlite.autograd import mark_dirty, no_grad
from tensorlite.nn.module import Module
from tensorlite.nn.normalization import _BUFFERS, _BatchNorm, _check_floating
from tensorlite.ops.norm import _check_batch_norm_input
from tensorlite.tensor import Tensor

__all__ = ["SyncBatchNorm"]


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation with the batch statistics reduced over all ranks, of ``(N, C, *)``.

    Outside a process group (or with one rank), and in eval mode, it is an ordinary BatchNorm.

    Parameters
    ----------
    num_features : int
        C, the number of channels (axis 1 of the input).
    eps : float, default 1e-5
        Added to the variance before the square root.
    momentum : float or None, default 0.1
        Weight of each batch's statistics in the running averages; None: a cumulative moving
        average.
    affine : bool, default True
        Learn a per-channel ``weight`` and ``bias``, each of shape (C,).
    track_running_stats : bool, default True
        Keep running statistics (of the whole batch over all ranks) as buffers.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input (N, C), (N, C, L), (N, C, H, W) or (N, C, D, H, W); the output has the same
    shape. Every rank must call it in training mode the same number of times, in the same order
    (each call is a collective), as it must run backward. Each rank's N may differ.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite import nn
    >>> model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU())
    >>> model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
    >>> model[1]
    SyncBatchNorm(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
    >>> model(tl.randn(2, 1, 5, 5)).shape        # one process: an ordinary BatchNorm
    (2, 4, 3, 3)
    """

    ndims = (2, 3, 4, 5)
    _comm: Any = None

    def forward(self, x: Tensor) -> Tensor:
        if not (self.training and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(x)
        weight, bias = self._parameters["weight"], self._parameters["bias"]
        running_mean, running_var, tracked = (self._buffers[name] for name in _BUFFERS)
        _check_batch_norm_input(x.shape, self.num_features, self.ndims, False, self)
        _check_floating(self, x, weight if weight is not None else running_mean)
        if self._comm is None:
            self._comm = dist._new_communicator(type(self).__name__)[0]
        axes = (0, *range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        count = self._comm.allreduce(x.size // x.shape[1])
        if count <= 1:
            raise ValueError(f"{self!r}: expected more than 1 value per channel over all ranks when "
                             f"training, got input of shape {x.shape} on this rank")
        mean = dist.AllReduceSum.apply(x.sum(axis=axes), comm=self._comm) / count
        centred = x - mean.reshape(shape)
        var = dist.AllReduceSum.apply((centred * centred).sum(axis=axes), comm=self._comm) / count
        y = centred / (var + self.eps).sqrt().reshape(shape)
        if weight is not None and bias is not None:
            y = y * weight.reshape(shape) + bias.reshape(shape)
        if running_mean is not None and running_var is not None and tracked is not None:
            with no_grad():
                tracked.data += 1
                factor = 1.0 / float(tracked.data) if self.momentum is None else self.momentum
                running_mean.data *= 1 - factor
                running_mean.data += factor * mean.data
                running_var.data *= 1 - factor
                running_var.data += (factor * count / (count - 1)) * var.data
                for buffer in (running_mean, running_var, tracked):
                    mark_dirty(buffer.data, "SyncBatchNorm's running-statistics update")
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module: Module) -> Module:
        """Replace every BatchNorm layer in ``module`` by a SyncBatchNorm with the same parameters.

        The new layers share the old ones' parameters and buffers and training mode.

        Parameters
        ----------
        module : Module
            A model (or a single BatchNorm layer).

        Returns
        -------
        Module
            ``module`` with its BatchNorm children replaced (a new SyncBatchNorm when ``module``
            itself is a BatchNorm).

        Examples
        --------
        >>> from tensorlite import nn
        >>> nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(3))
        SyncBatchNorm(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
        """
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            sync = cls(module.num_features, module.eps, module.momentum, module.affine,
                       module.track_running_stats)
            for name, param in module._parameters.items():
                sync._parameters[name] = param
            for name, buffer in module._buffers.items():
                sync._buffers[name] = buffer
            sync.train(module.training)
            return sync
        for name, child in list(module._modules.items()):
            if child is not None:
                converted = cls.convert_sync_batchnorm(child)
                if converted is not child:
                    module._modules[name] = converted
        return module
