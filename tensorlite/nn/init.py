"""Weight initialisation, in place, as ``torch.nn.init``: ``uniform_ normal_ constant_ zeros_ ones_
xavier_uniform_ xavier_normal_ kaiming_uniform_ kaiming_normal_`` and ``calculate_gain``.

Each function fills ``tensor.data`` in place (keeping its dtype), records nothing on the tape, and
returns the tensor. Random draws come from :func:`tensorlite.config.generator`, so
``tl.manual_seed`` makes them reproducible.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

from tensorlite import config
from tensorlite.autograd import mark_dirty
from tensorlite.backend import xp
from tensorlite.tensor import Tensor

__all__ = [
    "calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "xavier_uniform_",
    "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
]


def _fill(tensor: Tensor, values: Any) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor or Parameter, got {type(tensor).__name__}")
    tensor.data[...] = values
    mark_dirty(tensor.data, "nn.init")
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (PyTorch's table).

    Parameters
    ----------
    nonlinearity : str
        'linear', 'identity', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d',
        'conv_transpose3d', 'sigmoid' (gain 1), 'tanh' (5/3), 'relu' (sqrt(2)), 'leaky_relu'
        (sqrt(2 / (1 + negative_slope^2))) or 'selu' (3/4).
    param : float, optional
        The negative slope of 'leaky_relu' (default 0.01); ignored otherwise.

    Returns
    -------
    float
        The gain.

    Examples
    --------
    >>> from tensorlite.nn import init
    >>> round(init.calculate_gain("relu"), 4), round(init.calculate_gain("tanh"), 4)
    (1.4142, 1.6667)
    """
    linear = ("linear", "identity", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
              "conv_transpose2d", "conv_transpose3d", "sigmoid")
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of shape ``(out, in, *kernel)``."""
    if tensor.ndim < 2:
        raise ValueError(f"nn.init: fan in and fan out need a tensor of at least 2 dims, got shape "
                         f"{tensor.shape}")
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _no_elements(tensor: Tensor) -> bool:
    """True (with PyTorch's warning) when ``tensor`` has no elements: the kaiming initialisers, which
    would divide by a fan of 0, leave it as it is."""
    if 0 not in tensor.shape:
        return False
    warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
    return True


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"nn.init: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with draws from U(a, b).

    Parameters
    ----------
    tensor : Tensor of any shape
        The tensor (or Parameter) to fill in place; it keeps its dtype.
    a : float, default 0.0
        The lower bound.
    b : float, default 1.0
        The upper bound.

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> w = tl.nn.init.uniform_(tl.zeros(1000), -0.5, 0.5)
    >>> bool((w.data >= -0.5).all() and (w.data < 0.5).all())
    True
    """
    return _fill(tensor, config.generator().uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with draws from N(mean, std^2).

    Parameters
    ----------
    tensor : Tensor of any shape
        The tensor (or Parameter) to fill in place; it keeps its dtype.
    mean : float, default 0.0
        The mean of the normal distribution.
    std : float, default 1.0
        Its standard deviation.

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> w = tl.nn.init.normal_(tl.zeros(10000), mean=3.0, std=0.5)
    >>> round(float(w.data.mean()), 1), round(float(w.data.std()), 1)
    (3.0, 0.5)
    """
    return _fill(tensor, config.generator().normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``.

    Parameters
    ----------
    tensor : Tensor of any shape
        The tensor (or Parameter) to fill in place; it keeps its dtype.
    val : float
        The value of every element.

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.init.constant_(tl.zeros(3), 0.5)
    tensor([0.5, 0.5, 0.5])
    """
    return _fill(tensor, val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros.

    Parameters
    ----------
    tensor : Tensor of any shape
        The tensor (or Parameter) to fill in place; it keeps its dtype.

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.init.zeros_(tl.ones(2, 2))
    tensor([[0., 0.],
            [0., 0.]])
    """
    return _fill(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones.

    Parameters
    ----------
    tensor : Tensor of any shape
        The tensor (or Parameter) to fill in place; it keeps its dtype.

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.Linear(2, 3)
    >>> tl.nn.init.ones_(layer.bias)
    Parameter containing:
    tensor([1., 1., 1.], requires_grad=True)
    """
    return _fill(tensor, 1)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Parameters
    ----------
    tensor : Tensor of shape ``(out, in, *kernel)``
        The weight to fill in place, at least 2-D; ``fan_in = in * prod(kernel)``,
        ``fan_out = out * prod(kernel)``.
    gain : float, default 1.0
        A scaling factor, e.g. ``calculate_gain('tanh')``.

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> w = tl.nn.init.xavier_uniform_(tl.zeros(300, 300))   # a = sqrt(6 / 600) = 0.1
    >>> bool(abs(w.data).max() <= 0.1), bool(abs(w.data).max() > 0.099)
    (True, True)
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot normal: N(0, std^2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Parameters
    ----------
    tensor : Tensor of shape ``(out, in, *kernel)``
        The weight to fill in place, at least 2-D; ``fan_in = in * prod(kernel)``,
        ``fan_out = out * prod(kernel)``.
    gain : float, default 1.0
        A scaling factor, e.g. ``calculate_gain('tanh')``.

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> w = tl.nn.init.xavier_normal_(tl.zeros(100, 100), gain=2.0)   # std = 2 * sqrt(2 / 200) = 0.2
    >>> round(float(w.data.std()), 2)
    0.2
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu") -> Tensor:
    """He uniform: U(-b, b) with ``b = gain * sqrt(3 / fan)``; ``a`` is the leaky-ReLU slope.

    PyTorch's default for Linear and Conv weights is ``kaiming_uniform_(w, a=math.sqrt(5))``,
    which is U(-1/sqrt(fan_in), 1/sqrt(fan_in)).

    Parameters
    ----------
    tensor : Tensor of shape ``(out, in, *kernel)``
        The weight to fill in place, at least 2-D; ``fan_in = in * prod(kernel)``,
        ``fan_out = out * prod(kernel)``.
    a : float, default 0
        The negative slope of the leaky ReLU that follows (used with ``'leaky_relu'`` only).
    mode : {'fan_in', 'fan_out'}, default 'fan_in'
        Which fan to use: 'fan_in' keeps the variance of the forward pass, 'fan_out' of the
        backward pass.
    nonlinearity : str, default 'leaky_relu'
        The nonlinearity that follows, for :func:`calculate_gain` (e.g. 'relu', 'leaky_relu').

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import math, tensorlite as tl
    >>> w = tl.nn.init.kaiming_uniform_(tl.zeros(64, 100), a=math.sqrt(5))
    >>> bool(abs(w.data).max() <= 0.1)
    True
    """
    if _no_elements(tensor):
        return tensor
    gain = calculate_gain(nonlinearity, a)
    bound = gain * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu") -> Tensor:
    """He normal: N(0, std^2) with ``std = gain / sqrt(fan)``.

    Parameters
    ----------
    tensor : Tensor of shape ``(out, in, *kernel)``
        The weight to fill in place, at least 2-D; ``fan_in = in * prod(kernel)``,
        ``fan_out = out * prod(kernel)``.
    a : float, default 0
        The negative slope of the leaky ReLU that follows (used with ``'leaky_relu'`` only).
    mode : {'fan_in', 'fan_out'}, default 'fan_in'
        Which fan to use: 'fan_in' keeps the variance of the forward pass, 'fan_out' of the
        backward pass.
    nonlinearity : str, default 'leaky_relu'
        The nonlinearity that follows, for :func:`calculate_gain` (e.g. 'relu', 'leaky_relu').

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> w = tl.nn.init.kaiming_normal_(tl.zeros(100, 200), nonlinearity="relu")   # sqrt(2 / 200) = 0.1
    >>> round(float(w.data.std()), 2)
    0.1
    """
    if _no_elements(tensor):
        return tensor
    return normal_(tensor, 0.0, calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode)))


# ----------------------------------------------------------------------------------------------
# More of PyTorch's initialisers (issue 22)

__all__ += ["orthogonal_", "trunc_normal_", "eye_", "dirac_"]


def _phi(z: float) -> float:
    """The standard normal CDF."""
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def _truncated_standard_normal(lo: float, hi: float, n: int) -> Any:
    """``n`` draws of N(0, 1) conditioned on [lo, hi], by rejection from the cheaper proposal:
    N(0, 1) itself when it lands inside often enough, else a uniform on the interval (cut 40
    standard deviations past its nearer end, where the density is below 1e-300 of its peak)."""
    generator = config.generator()
    inside = _phi(hi) - _phi(lo)
    near = 0.0 if lo <= 0.0 <= hi else min(abs(lo), abs(hi))
    start, stop = max(lo, -near - 40.0), min(hi, near + 40.0)
    use_normal = inside >= 0.05 and not (start == stop)
    out = xp.empty(n)
    filled = 0
    while filled < n:
        want = n - filled
        if use_normal:
            z = generator.standard_normal(int(want / inside * 1.1) + 16)
            z = z[(z >= lo) & (z <= hi)]
        elif start == stop:
            z = xp.full(want, start)
        else:
            z = generator.uniform(start, stop, 4 * want + 16)
            keep = generator.random(z.shape) < xp.exp(-(z - near) * (z + near) / 2.0 if near else -z * z / 2.0)
            z = z[keep]
        z = z[:want]
        out[filled:filled + z.size] = z
        filled += z.size
    return out


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0) -> Tensor:
    """Fill with draws from N(mean, std^2) truncated to [a, b] (``a`` and ``b`` are values, not stds).

    The draws follow the truncated normal exactly (by rejection), so, unlike PyTorch's inverse-CDF
    method, they stay right when [a, b] lies far from the mean (PyTorch warns there).

    Parameters
    ----------
    tensor : Tensor of any shape
        The tensor (or Parameter) to fill in place; it keeps its dtype.
    mean : float, default 0.0
        The mean of the normal distribution before truncation.
    std : float, default 1.0
        Its standard deviation (> 0).
    a : float, default -2.0
        The lower cut-off.
    b : float, default 2.0
        The upper cut-off (>= a).

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> w = tl.nn.init.trunc_normal_(tl.zeros(10000), std=0.02, a=-0.04, b=0.04)
    >>> bool(abs(w.data).max() <= 0.04), round(float(w.data.std()), 3)
    (True, 0.018)
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor or Parameter, got {type(tensor).__name__}")
    for name, value in (("mean", mean), ("std", std), ("a", a), ("b", b)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise ValueError(f"trunc_normal_: {name} must be a number, got {value!r}")
    if not std > 0:
        raise ValueError(f"trunc_normal_: std must be positive, got {std}")
    if not a <= b:
        raise ValueError(f"trunc_normal_: the interval [a, b] = [{a}, {b}] is empty")
    z = _truncated_standard_normal((a - mean) / std, (b - mean) / std, math.prod(tensor.shape))
    return _fill(tensor, xp.clip(z * std + mean, a, b).reshape(tensor.shape))


def orthogonal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Fill with a (semi-)orthogonal matrix (Saxe et al.), drawn uniformly (Haar), times ``gain``.

    The tensor is seen as a matrix of ``shape[0]`` rows (the other dims flattened): its rows are
    orthonormal when it has fewer rows than columns, its columns otherwise. As PyTorch: the QR
    decomposition of a standard normal matrix, with the signs of R's diagonal moved into Q.

    Parameters
    ----------
    tensor : Tensor of at least 2 dims
        The tensor (or Parameter) to fill in place; it keeps its dtype.
    gain : float, default 1.0
        Scale of the result.

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> w = tl.nn.init.orthogonal_(tl.zeros(3, 5))
    >>> np.allclose(w.data @ w.data.T, np.eye(3), atol=1e-6)
    True
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor or Parameter, got {type(tensor).__name__}")
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: only tensors with 2 or more dimensions are supported, got shape "
                         f"{tensor.shape}")
    if 0 in tensor.shape:
        return tensor
    rows = tensor.shape[0]
    cols = math.prod(tensor.shape) // rows
    flat = config.generator().standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = xp.linalg.qr(flat)
    q *= xp.sign(xp.diagonal(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, (q * gain).reshape(tensor.shape))


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal of a non-square one too).

    Parameters
    ----------
    tensor : Tensor of shape (n, m)
        The tensor (or Parameter) to fill in place; it keeps its dtype.

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.init.eye_(tl.zeros(2, 3)).numpy()
    array([[1., 0., 0.],
           [0., 1., 0.]], dtype=float32)
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor or Parameter, got {type(tensor).__name__}")
    if tensor.ndim != 2:
        raise ValueError(f"eye_: only 2-D tensors are supported, got shape {tensor.shape}")
    return _fill(tensor, xp.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a conv weight with the Dirac delta: the convolution then copies its input channels.

    Each group's first ``min(out_channels / groups, in_channels)`` output channels get a 1 at the
    kernel's centre for the input channel of the same index; the rest is zero.

    Parameters
    ----------
    tensor : Tensor of 3, 4 or 5 dims
        A weight of shape ``(out_channels, in_channels, *kernel)``, filled in place.
    groups : int, default 1
        The number of groups of output channels (must divide ``out_channels``).

    Returns
    -------
    Tensor
        ``tensor`` itself.

    Examples
    --------
    >>> import tensorlite as tl
    >>> w = tl.nn.init.dirac_(tl.zeros(2, 2, 3))
    >>> w.numpy()[:, :, 1]
    array([[1., 0.],
           [0., 1.]], dtype=float32)
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"nn.init: expected a Tensor or Parameter, got {type(tensor).__name__}")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: only tensors of 3, 4 or 5 dims are supported, got shape {tensor.shape}")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"dirac_: groups must be a positive integer, got {groups!r}")
    out_channels = tensor.shape[0]
    if out_channels % groups:
        raise ValueError(f"dirac_: dim 0 of shape {tensor.shape} ({out_channels}) must be divisible by "
                         f"groups={groups}")
    per_group = out_channels // groups
    n = min(per_group, tensor.shape[1])
    values = xp.zeros(tensor.shape)
    outs = (xp.arange(groups)[:, None] * per_group + xp.arange(n)).ravel()
    ins = xp.tile(xp.arange(n), groups)
    values[(outs, ins) + tuple(size // 2 for size in tensor.shape[2:])] = 1
    return _fill(tensor, values)
