"""``tensorlite.nn.utils``: gradient clipping, parameters as one vector, and ``rnn.pad_sequence``.

As ``torch.nn.utils``: ``clip_grad_norm_`` and ``clip_grad_value_`` scale or clamp every ``.grad``
in place; ``parameters_to_vector`` / ``vector_to_parameters`` flatten the parameters into one
vector and back.
"""
from __future__ import annotations

import math
from typing import Any, Iterable

from tensorlite.autograd import mark_dirty
from tensorlite.backend import ndarray, xp
from tensorlite.nn.utils import rnn
from tensorlite.ops.index import cat
from tensorlite.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters", "rnn"]


def _tensors(parameters: Any, who: str) -> list[Tensor]:
    """``parameters`` (one tensor or an iterable of them) as a list, each checked to be a Tensor."""
    items = [parameters] if isinstance(parameters, Tensor) else parameters
    if isinstance(items, (ndarray, dict, str)):
        raise TypeError(f"{who}: expected a Tensor or an iterable of Tensors, got {type(parameters).__name__}")
    try:
        items = list(items)
    except TypeError:
        raise TypeError(f"{who}: expected a Tensor or an iterable of Tensors, got "
                        f"{type(parameters).__name__}") from None
    for i, p in enumerate(items):
        if not isinstance(p, Tensor):
            raise TypeError(f"{who}: parameter {i} is a {type(p).__name__}, not a Tensor")
    return items


def _norm_order(norm_type: Any) -> float:
    try:
        order = float(norm_type)
    except (TypeError, ValueError):
        raise ValueError(f"clip_grad_norm_: norm_type must be a number (or 'inf'), got {norm_type!r}") from None
    if math.isnan(order):
        raise ValueError("clip_grad_norm_: norm_type is NaN")
    return order


def _vector_norm(values: ndarray, order: float) -> Any:
    """PyTorch's ``linalg.vector_norm`` of the flattened ``values`` (in their dtype)."""
    flat = xp.abs(values.reshape(-1))
    if order == math.inf:
        return flat.max(initial=0)
    if order == -math.inf:
        return flat.min() if flat.size else xp.asarray(math.inf, values.dtype)
    if order == 0:
        return xp.asarray(xp.count_nonzero(flat), values.dtype)
    if order == 1:
        return flat.sum()
    if order == 2:
        return xp.sqrt(xp.dot(flat, flat))
    return xp.sum(flat ** order) ** (1.0 / order)


def clip_grad_norm_(parameters: Any, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale the gradients so that their total norm is at most ``max_norm``; return the total norm.

    The total norm is the ``norm_type`` norm of all the gradients together (the norm of the
    per-tensor norms); when it exceeds ``max_norm`` every gradient is multiplied by
    ``max_norm / (total_norm + 1e-6)``, in place. Parameters without a gradient are skipped.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensors
        The tensors whose ``.grad`` is clipped (e.g. ``model.parameters()``).
    max_norm : float
        The largest total norm allowed.
    norm_type : float or 'inf', default 2.0
        The order of the norm (``inf``: the largest absolute value).
    error_if_nonfinite : bool, default False
        Raise a RuntimeError when the total norm is NaN or infinite (the gradients are left as
        they are); otherwise they are scaled by it anyway, as PyTorch does.
    foreach : bool or None, default None
        Accepted for PyTorch compatibility; ignored.

    Returns
    -------
    Tensor
        The total norm before clipping, a 0-d tensor (0.0 when no parameter has a gradient).

    Examples
    --------
    >>> import tensorlite as tl
    >>> w = tl.ones(4, requires_grad=True)
    >>> (3 * w).sum().backward()                 # gradient [3, 3, 3, 3]: norm 6
    >>> total = tl.nn.utils.clip_grad_norm_([w], max_norm=1.0)
    >>> float(total), w.grad.round(4)
    (6.0, array([0.5, 0.5, 0.5, 0.5], dtype=float32))
    """
    params = _tensors(parameters, "clip_grad_norm_")
    order = _norm_order(norm_type)
    if isinstance(max_norm, bool) or not isinstance(max_norm, (int, float)) or math.isnan(max_norm):
        raise ValueError(f"clip_grad_norm_: max_norm must be a number, got {max_norm!r}")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return Tensor(xp.asarray(0.0, dtype=xp.float32))
    norms = xp.stack([xp.asarray(_vector_norm(g, order)) for g in grads])
    total = _vector_norm(norms, order)
    if error_if_nonfinite and not xp.isfinite(total):
        raise RuntimeError(f"clip_grad_norm_: the total norm of order {norm_type} of the gradients is non-finite "
                           f"({float(total)}), so it cannot be clipped; pass error_if_nonfinite=False to scale the "
                           "gradients by it anyway")
    coef = min(float(max_norm) / (float(total) + 1e-6), 1.0) if not math.isnan(float(total)) else math.nan
    for g in grads:
        with xp.errstate(invalid="ignore"):           # inf * 0 is NaN, as in PyTorch
            g *= xp.asarray(coef, dtype=g.dtype)
        mark_dirty(g, "clip_grad_norm_")
    return Tensor(xp.asarray(total))


def clip_grad_value_(parameters: Any, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient to [-clip_value, clip_value], in place.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensors
        The tensors whose ``.grad`` is clamped; those without a gradient are skipped.
    clip_value : float
        The largest absolute value allowed.
    foreach : bool or None, default None
        Accepted for PyTorch compatibility; ignored.

    Returns
    -------
    None

    Examples
    --------
    >>> import tensorlite as tl
    >>> w = tl.ones(3, requires_grad=True)
    >>> (w * tl.tensor([-5.0, 0.5, 2.0])).sum().backward()
    >>> tl.nn.utils.clip_grad_value_([w], clip_value=1.0)
    >>> w.grad
    array([-1. ,  0.5,  1. ], dtype=float32)
    """
    params = _tensors(parameters, "clip_grad_value_")
    if isinstance(clip_value, bool) or not isinstance(clip_value, (int, float)) or math.isnan(clip_value):
        raise ValueError(f"clip_grad_value_: clip_value must be a number, got {clip_value!r}")
    for p in params:
        if p.grad is not None:
            xp.clip(p.grad, -clip_value, clip_value, out=p.grad)
            mark_dirty(p.grad, "clip_grad_value_")


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All the parameters flattened and joined into one vector (recorded: gradients flow back).

    Parameters
    ----------
    parameters : iterable of Tensors
        E.g. ``model.parameters()``; each is flattened in C order.

    Returns
    -------
    Tensor of shape (total number of elements,)

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.Linear(3, 2)
    >>> tl.nn.utils.parameters_to_vector(layer.parameters()).shape
    (8,)
    """
    params = _tensors(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return cat([p.reshape(-1) for p in params])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of ``vec`` into the parameters, in place (the inverse of
    :func:`parameters_to_vector`).

    Parameters
    ----------
    vec : Tensor of shape (total number of elements,)
        The values, one vector.
    parameters : iterable of Tensors
        The tensors to overwrite (their ``.data``, in place; each keeps its dtype).

    Returns
    -------
    None

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.Linear(2, 1)
    >>> tl.nn.utils.vector_to_parameters(tl.tensor([1.0, 2.0, 3.0]), layer.parameters())
    >>> layer.weight.data, layer.bias.data
    (array([[1., 2.]], dtype=float32), array([3.], dtype=float32))
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor for vec, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: vec must be 1-D, got shape {vec.shape}")
    params = _tensors(parameters, "vector_to_parameters")
    total = sum(p.data.size for p in params)
    if vec.shape[0] != total:
        raise ValueError(f"vector_to_parameters: vec has {vec.shape[0]} elements, the parameters have {total}")
    offset = 0
    for p in params:
        n = p.data.size
        p.data[...] = vec.data[offset:offset + n].reshape(p.data.shape)
        mark_dirty(p.data, "vector_to_parameters")
        offset += n
