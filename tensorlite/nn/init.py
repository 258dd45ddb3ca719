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
