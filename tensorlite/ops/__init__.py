"""The op library. Each family module holds its ops' forward and backward rules together:

- :mod:`~tensorlite.ops.arith`   elementwise arithmetic, math, activations, clip, maximum, where
- :mod:`~tensorlite.ops.reduce`  sum, mean, max/min, var/std, logsumexp, softmax, log_softmax
- :mod:`~tensorlite.ops.shape`   reshape, transpose/permute, squeeze/unsqueeze, broadcast_to
- :mod:`~tensorlite.ops.index`   __getitem__, cat, stack, split, chunk, pad
- :mod:`~tensorlite.ops.linalg`  matmul; linear (``F.linear``, the affine map of ``nn.Linear``)
- :mod:`~tensorlite.ops.norm`    batch_norm, layer_norm (fused ops with closed-form backward)
- :mod:`~tensorlite.ops.compare` comparisons (no gradient)
- :mod:`~tensorlite.ops.conv`, :mod:`~tensorlite.ops.pool`, :mod:`~tensorlite.ops.loss`,
  :mod:`~tensorlite.ops.activation`, :mod:`~tensorlite.ops.recurrent`: the fused layer ops
- :mod:`~tensorlite.ops.inplace`  the in-place tensor methods
- :mod:`~tensorlite.ops.movement` flip, roll, repeat, tile, tril/triu, diagonal, unfold, meshgrid, ...
- :mod:`~tensorlite.ops.gather`   gather, scatter(_add/_reduce), index_select/index_add, masks, one_hot
- :mod:`~tensorlite.ops.sorting`  sort, topk, kthvalue, median, mode, cummax/cummin, max/min(dim)
- :mod:`~tensorlite.ops.einsum`   einsum, with a gradient for every operand

and what they share: :mod:`~tensorlite.ops.operands` (operands to tensors of one dtype),
:mod:`~tensorlite.ops.args` (argument checks, made once where an argument enters) and
:mod:`~tensorlite.ops.windows` (the window geometry of convolution and pooling).
"""
from tensorlite.ops.arith import (
    abs, add, astype, clip, cos, div, exp, log, maximum, minimum, mul, neg, pow, relu, sigmoid,
    sin, sqrt, sub, tanh, where,
)
from tensorlite.ops.compare import eq, ge, gt, le, lt, ne
from tensorlite.ops.index import cat, chunk, concatenate, getitem, pad, setitem, split, stack
from tensorlite.ops.linalg import matmul
from tensorlite.ops.reduce import (
    argmax, argmin, log_softmax, logsumexp, max, mean, min, softmax, std, sum, var,
)
from tensorlite.ops.shape import (
    broadcast_to, expand, flatten, permute, reshape, squeeze, swapaxes, transpose, unsqueeze, view,
)

__all__ = [
    "abs", "add", "astype", "clip", "cos", "div", "exp", "log", "maximum", "minimum", "mul", "neg",
    "pow", "relu", "sigmoid", "sin", "sqrt", "sub", "tanh", "where",
    "eq", "ge", "gt", "le", "lt", "ne",
    "cat", "chunk", "concatenate", "getitem", "pad", "setitem", "split", "stack",
    "matmul",
    "argmax", "argmin", "log_softmax", "logsumexp", "max", "mean", "min", "softmax", "std", "sum", "var",
    "broadcast_to", "expand", "flatten", "permute", "reshape", "squeeze", "swapaxes", "transpose",
    "unsqueeze", "view",
]

# movement, gather/scatter, sorting, einsum (issue 15, part B)
from tensorlite.ops.einsum import einsum  # noqa: E402
from tensorlite.ops.gather import (  # noqa: E402
    gather, index_add, index_select, masked_fill, masked_select, nonzero, one_hot, scatter, scatter_add,
    scatter_reduce,
)
from tensorlite.ops.movement import (  # noqa: E402
    diag, diag_embed, diagonal, flip, meshgrid, movedim, narrow, repeat, repeat_interleave, roll, tile,
    tril, triu, unflatten,
)
from tensorlite.ops.sorting import argsort, cummax, cummin, kthvalue, median, mode, sort, topk  # noqa: E402

__all__ += [
    "einsum",
    "gather", "index_add", "index_select", "masked_fill", "masked_select", "nonzero", "one_hot", "scatter",
    "scatter_add", "scatter_reduce",
    "diag", "diag_embed", "diagonal", "flip", "meshgrid", "movedim", "narrow", "repeat", "repeat_interleave",
    "roll", "tile", "tril", "triu", "unflatten",
    "argsort", "cummax", "cummin", "kthvalue", "median", "mode", "sort", "topk",
]
