"""The functional form of every layer: ``import tensorlite.nn.functional as F``.

Each function lives beside its op's backward rule in :mod:`tensorlite.ops` (or beside its layer when
it is a composition of ops); this module gathers them under PyTorch's names.
"""
from typing import Any

from tensorlite import ops
from tensorlite.nn.dropout import dropout, dropout1d, dropout2d, dropout3d
from tensorlite.nn.embedding import embedding
from tensorlite.ops import log_softmax, relu, sigmoid, softmax, tanh
from tensorlite.ops.activation import leaky_relu, softplus
from tensorlite.ops.args import integer
from tensorlite.ops.conv import conv1d, conv2d, conv3d
from tensorlite.ops.linalg import linear
from tensorlite.ops.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    categorical_cross_entropy,
    cross_entropy,
    mse_loss,
    nll_loss,
)
from tensorlite.ops.norm import batch_norm, layer_norm
from tensorlite.ops.operands import as_tensor
from tensorlite.ops.pool import avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d, max_pool3d
from tensorlite.tensor import Tensor

__all__ = [
    # linear, activations, padding
    "linear", "relu", "sigmoid", "tanh", "softmax", "log_softmax", "leaky_relu", "softplus", "pad",
    # convolution and pooling
    "conv1d", "conv2d", "conv3d", "max_pool1d", "max_pool2d", "max_pool3d",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    # normalisation, dropout, embedding
    "batch_norm", "layer_norm", "dropout", "dropout1d", "dropout2d", "dropout3d", "embedding",
    # losses
    "cross_entropy", "nll_loss", "mse_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "categorical_cross_entropy",
]


def pad(input: Any, pad: Any, mode: str = "constant", value: float = 0.0) -> Tensor:
    """Pad with a constant, PyTorch style: ``pad`` is a flat tuple of ``(before, after)`` pairs
    starting from the LAST dim: ``(left, right)`` pads the last dim, ``(left, right, top,
    bottom)`` the last two, and so on. (``tl.pad`` takes NumPy's ``((before, after), ...)``.)

    Only ``mode='constant'`` and non-negative widths are supported.

    Parameters
    ----------
    input : Tensor or array_like
        The tensor to pad.
    pad : tuple of int
        An even number of non-negative widths, at most two per dim of ``input``, last dim first.
    mode : str, default 'constant'
        Only 'constant'.
    value : float, default 0.0
        The constant to pad with.

    Returns
    -------
    Tensor
        ``input``'s shape with each padded dim grown by its ``before + after``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.pad(tl.ones(1, 2, 3), (1, 2)).shape
    (1, 2, 6)
    >>> F.pad(tl.ones(1, 2, 3), (0, 0, 1, 1)).shape
    (1, 4, 3)
    """
    x = as_tensor(input, "pad")
    if mode != "constant":
        raise ValueError(f"pad: only mode='constant' is supported, got {mode!r}")
    widths = [integer(w, "pad width", "pad") for w in pad] if isinstance(pad, (tuple, list)) else None
    if widths is None or len(widths) % 2 or len(widths) // 2 > x.ndim:
        raise ValueError(f"pad: pad must be a flat tuple of (before, after) pairs, at most one pair per "
                         f"dim of the input of shape {x.shape}, got {pad!r}")
    pairs = [(widths[i], widths[i + 1]) for i in range(0, len(widths), 2)]
    pad_width = [(0, 0)] * (x.ndim - len(pairs)) + pairs[::-1]
    return ops.pad(x, pad_width, value=value)


# issue 15 part D: transposed convolution, upsampling, group/instance norm, adaptive pooling, padding
from tensorlite.ops.conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d  # noqa: E402

__all__ += ["conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]
