"""tensorlite: a tape-based reverse-mode autograd engine on NumPy, with a PyTorch-shaped ``nn``.

>>> import tensorlite as tl
>>> x = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
array([2., 4., 6.], dtype=float32)
"""
import importlib as _importlib
from typing import TYPE_CHECKING as _TYPE_CHECKING, Any as _Any

from tensorlite import malloc  # noqa: F401  (tunes glibc's malloc once, at import)
from tensorlite.tensor import Tensor  # the ops and the engine build on it
from tensorlite import autograd, ops
from tensorlite.autograd import (
    GradcheckError, enable_grad, grad, gradcheck, gradgradcheck, is_grad_enabled, no_grad, set_grad_enabled,
)
from tensorlite.config import get_default_dtype, manual_seed, set_default_dtype
from tensorlite.parallel import get_num_threads, set_num_threads
from tensorlite.creation import (
    arange, eye, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like,
)
from tensorlite.ops import (
    abs, add, argmax, argmin, astype, broadcast_to, cat, chunk, clip, concatenate, cos, div, eq,
    exp, expand, flatten, ge, getitem, gt, le, log, log_softmax, logsumexp, lt, matmul, max, maximum, mean,
    min, minimum, mul, ne, neg, pad, permute, pow, relu, reshape, setitem, sigmoid, sin, softmax, split,
    sqrt, squeeze, stack, std, sub, sum, swapaxes, tanh, transpose, unsqueeze, var, view, where,
)
# issue 15, part A: math, bitwise/logical ops and tests, scans, more reductions, more factories
from tensorlite.ops import (  # noqa: F401  (listed in __all__ through ops.__all__)
    acos, acosh, all, allclose, amax, amin, any, asin, asinh, atan, atan2, atanh, bitwise_and,
    bitwise_left_shift, bitwise_not, bitwise_or, bitwise_right_shift, bitwise_xor, ceil, cosh, cumprod,
    cumsum, erf, erfc, exp2, expm1, floor, floor_divide, fmod, frac, hypot, isclose, isfinite, isinf,
    isnan, lerp, log10, log1p, log2, logaddexp, logcumsumexp, logical_and, logical_not, logical_or,
    logical_xor, nanmean, nansum, prod, reciprocal, remainder, round, rsqrt, sign, sinh, square,
    std_mean, tan, trunc, var_mean,
)
from tensorlite.creation import (
    bernoulli, empty, empty_like, full_like, linspace, logspace, multinomial, normal, randint, randperm,
)
from tensorlite.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from tensorlite.profiler import profile
from tensorlite.serialization import load, save
from tensorlite import nn  # layers build on everything above
from tensorlite import data, optim, training  # last: the training stack builds on nn

clamp = clip

if _TYPE_CHECKING:  # for type checkers and editors; at run time tl.viz loads on first use
    from tensorlite import viz

def __getattr__(name: str) -> _Any:
    """``tl.viz`` is imported on first use, so ``import tensorlite`` does not import ``graphviz``."""
    if name == "viz":
        return _importlib.import_module("tensorlite.viz")
    raise AttributeError(f"module 'tensorlite' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "viz"})


# movement, gather/scatter, sorting, einsum (issue 15, part B); return_types as torch.return_types
from tensorlite import return_types  # noqa: E402
from tensorlite.ops import (  # noqa: E402
    argsort, cummax, cummin, diag, diag_embed, diagonal, einsum, flip, gather, index_add, index_select,
    kthvalue, masked_fill, masked_select, median, meshgrid, mode, movedim, narrow, nonzero, one_hot,
    repeat, repeat_interleave, roll, scatter, scatter_add, scatter_reduce, sort, tile, topk, tril, triu,
    unflatten,
)

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "zeros", "ones", "full", "arange", "rand", "randn", "zeros_like",
    "ones_like", "eye",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "grad", "gradcheck", "gradgradcheck",
    "GradcheckError", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "AnomalyError",
    "profile", "manual_seed", "get_default_dtype", "set_default_dtype", "save", "load",
    "get_num_threads", "set_num_threads",
    "autograd", "ops", "nn", "optim", "data", "training", "viz",
    *ops.__all__, "clamp",
    "__version__",
]

__all__ += ["return_types"]
__all__ += ["empty", "empty_like", "full_like", "linspace", "logspace", "randint", "randperm", "normal",
            "bernoulli", "multinomial"]
# -- issue 22 part A: devices, .data idioms, new factories, linear algebra --------------------
from tensorlite import cuda, linalg  # noqa: E402
from tensorlite.creation import rand_like, randint_like, randn_like  # noqa: E402
from tensorlite.device import device  # noqa: E402
from tensorlite.ops.copying import clone, contiguous  # noqa: E402
from tensorlite.ops.linalg_extra import addmm, addmv, baddbmm, bmm, dot, mm, mv, norm, outer  # noqa: E402

from numpy import uint8  # noqa: E402  (PyTorch's ByteTensor dtype; a uint8 index is a mask)

__all__ += [
    "cuda", "linalg", "device", "rand_like", "randn_like", "randint_like", "clone", "contiguous",
    "mm", "bmm", "mv", "dot", "outer", "addmm", "addmv", "baddbmm", "norm",
]

# -- real models (issues 22/23): interop names ---------------------------------------------
from tensorlite.interop import as_tensor, from_numpy, spmm  # noqa: E402

__all__ += ["as_tensor", "from_numpy", "spmm"]

# PyTorch's dtype names, as NumPy dtypes (``dtype=tl.float32``, ``x.to(tl.int64)``); last, since
# ``float``, ``int``, ``bool`` ... shadow the builtins in this namespace (as they do in torch's)
from numpy import (  # noqa: E402
    float16, float32, float64, int8, int16, int32, int64,
)
from numpy import bool_ as bool  # noqa: E402, A004
from numpy import float16 as half, float32 as float, float64 as double  # noqa: E402, A004
from numpy import int16 as short, int32 as int, int64 as long  # noqa: E402, A004
