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
- :mod:`~tensorlite.ops.math`    more elementwise math: trigonometric, hyperbolic, erf, rounding, fmod
- :mod:`~tensorlite.ops.logical` bitwise and logical ops, isnan/isinf/isfinite/isclose (no gradient)
- :mod:`~tensorlite.ops.scan`    cumsum, cumprod, logcumsumexp
- :mod:`~tensorlite.ops.reduce_extra` prod, any/all, amax/amin, nansum/nanmean, std_mean/var_mean

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

# issue 15, part A: math, bitwise/logical ops and tests, scans, more reductions
from tensorlite.ops.logical import (  # noqa: E402
    allclose, bitwise_and, bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor,
    isclose, isfinite, isinf, isnan, logical_and, logical_not, logical_or, logical_xor,
)
from tensorlite.ops.math import (  # noqa: E402
    acos, acosh, asin, asinh, atan, atan2, atanh, ceil, cosh, erf, erfc, exp2, expm1, floor, floor_divide,
    fmod, frac, hypot, lerp, log10, log1p, log2, logaddexp, reciprocal, remainder, round, rsqrt, sign, sinh,
    square, tan, trunc,
)
from tensorlite.ops.reduce_extra import (  # noqa: E402
    all, amax, amin, any, nanmean, nansum, prod, std_mean, var_mean,
)
from tensorlite.ops.scan import cumprod, cumsum, logcumsumexp  # noqa: E402

__all__ += [
    "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "asinh", "acosh", "atanh", "rsqrt", "log2",
    "log10", "log1p", "expm1", "exp2", "erf", "erfc", "sign", "floor", "ceil", "round", "trunc", "frac",
    "fmod", "remainder", "floor_divide", "logaddexp", "lerp", "hypot", "square", "reciprocal",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift", "bitwise_right_shift",
    "logical_and", "logical_or", "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "isclose",
    "allclose",
    "prod", "any", "all", "amax", "amin", "nansum", "nanmean", "var_mean", "std_mean",
    "cumsum", "cumprod", "logcumsumexp",
]
