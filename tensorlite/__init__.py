"""tensorlite: a tape-based reverse-mode autograd engine on NumPy, with a PyTorch-shaped ``nn``.

>>> import tensorlite as tl
>>> x = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
array([2., 4., 6.], dtype=float32)
"""
from tensorlite import malloc  # noqa: F401  (tunes glibc's malloc once, at import)
from tensorlite.tensor import Tensor  # the ops and the engine build on it
from tensorlite import autograd, ops
from tensorlite.autograd import (
    GradcheckError, enable_grad, grad, gradcheck, is_grad_enabled, no_grad, set_grad_enabled,
)
from tensorlite.config import get_default_dtype, manual_seed, set_default_dtype
from tensorlite.creation import (
    arange, eye, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like,
)
from tensorlite.ops import (
    abs, add, argmax, argmin, astype, broadcast_to, cat, chunk, clip, concatenate, cos, div, eq,
    exp, expand, flatten, ge, getitem, gt, le, log, log_softmax, logsumexp, lt, matmul, max, maximum, mean,
    min, minimum, mul, ne, neg, pad, permute, pow, relu, reshape, setitem, sigmoid, sin, softmax, split,
    sqrt, squeeze, stack, std, sub, sum, swapaxes, tanh, transpose, unsqueeze, var, view, where,
)
from tensorlite.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from tensorlite.profiler import profile
from tensorlite.serialization import load, save
from tensorlite import nn  # layers build on everything above
from tensorlite import data, optim, training, viz  # last: the training stack and drawing build on nn

clamp = clip

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "zeros", "ones", "full", "arange", "rand", "randn", "zeros_like",
    "ones_like", "eye",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "grad", "gradcheck",
    "GradcheckError", "detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "AnomalyError",
    "profile", "manual_seed", "get_default_dtype", "set_default_dtype", "save", "load",
    "autograd", "ops", "nn", "optim", "data", "training", "viz",
    *ops.__all__, "clamp",
    "__version__",
]

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
