"""In-place tensor methods (``add_``, ``mul_``, ``zero_``, ``copy_``, ``x[i] = v``, ``+=`` ...).

Each one computes its result with the ordinary out-of-place op, then:

- when nothing is recorded (under ``tl.no_grad()``, or when no operand requires grad), writes the
  result into the tensor's own array, so every view of that memory sees it, and bumps the
  memory's version (:func:`tensorlite.autograd.mark_dirty`). An entry that saved this memory
  before the write refuses to run its backward rule, instead of giving a wrong gradient;
- when the op is recorded (the tensor, or an operand, requires grad and grad mode is on), the
  tensor takes the result's array and its place on the tape (its ``grad_fn`` becomes the op's).
  Arrays that earlier entries saved are left as they were, so their gradients stay right; views
  taken of the tensor before the call keep the old values (unlike PyTorch, where they share the
  write).

A leaf that requires grad (a parameter) may be changed in place only under ``tl.no_grad()``, as
optimizers do: otherwise the op raises, since the change could not be differentiated.
"""
from __future__ import annotations

from typing import Any, Callable

from tensorlite.autograd import is_grad_enabled, mark_dirty
from tensorlite.backend import array_module, xp
from tensorlite.ops.arith import add, clip, div, mul, pow, sub, where
from tensorlite.ops.index import setitem
from tensorlite.ops.operands import as_tensor
from tensorlite.tensor import Tensor


def _in_place(name: str, target: Tensor, fn: Callable[..., Tensor], *args: Any) -> Tensor:
    """Set ``target`` to ``fn(target, *args)`` in place (see the module docstring); return it."""
    recording = is_grad_enabled() and (
        target.requires_grad or any(isinstance(a, Tensor) and a.requires_grad for a in args))
    if recording and target.requires_grad and target._ctx is None:
        raise RuntimeError(
            f"{name}: a leaf tensor that requires grad (shape {target.shape}, {target.dtype}) cannot "
            "be changed in place while gradients are recorded: the change could not be "
            f"differentiated. Wrap it in `with tl.no_grad():` (as optimizers do), or use the "
            "out-of-place op (x = x + y instead of x.add_(y))."
        )
    out = fn(target, *args)
    if out.shape != target.shape:
        raise ValueError(
            f"{name}: the result has shape {out.shape} but the tensor changed in place has shape "
            f"{target.shape}; an operand may broadcast to the tensor's shape, not beyond it"
        )
    if out.dtype != target.dtype:
        raise TypeError(
            f"{name}: the result has dtype {out.dtype} but the tensor changed in place holds "
            f"{target.dtype} (shape {target.shape}); cast the operand, or use the out-of-place op"
        )
    if out.requires_grad:  # recorded: take the result's array and its place on the tape
        target.data, target._ctx, target._requires_grad = out.data, out._ctx, True
    else:
        array_module(target.data).copyto(target.data, out.data)
        mark_dirty(target.data, f"Tensor.{name}")
    return target


def _scaled(other: Any, alpha: Any) -> Any:
    return other if alpha == 1 else mul(other, alpha)


def add_(target: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """``target += alpha * other`` in place."""
    return _in_place("add_", target, lambda t, o: add(t, _scaled(o, alpha)), other)


def sub_(target: Tensor, other: Any, alpha: Any = 1) -> Tensor:
    """``target -= alpha * other`` in place."""
    return _in_place("sub_", target, lambda t, o: sub(t, _scaled(o, alpha)), other)


def mul_(target: Tensor, other: Any) -> Tensor:
    """``target *= other`` in place."""
    return _in_place("mul_", target, mul, other)


def div_(target: Tensor, other: Any) -> Tensor:
    """``target /= other`` in place."""
    return _in_place("div_", target, div, other)


def pow_(target: Tensor, exponent: Any) -> Tensor:
    """``target **= exponent`` in place."""
    return _in_place("pow_", target, pow, exponent)


def clamp_(target: Tensor, min: Any = None, max: Any = None) -> Tensor:
    """Clip ``target`` to ``[min, max]`` in place."""
    return _in_place("clamp_", target, lambda t: clip(t, min, max))


def fill_(target: Tensor, value: Any) -> Tensor:
    """Set every element of ``target`` to ``value`` (a number, or a one-element tensor)."""
    value = as_tensor(value, "fill_")
    if value.size != 1:
        raise ValueError(f"fill_: the value must be a number or a one-element tensor, got shape "
                         f"{value.shape}")
    return copy_(target, value.reshape(()), name="fill_")


def zero_(target: Tensor) -> Tensor:
    """Set every element of ``target`` to 0."""
    return fill_(target, array_module(target.data).zeros((), dtype=target.dtype))


def copy_(target: Tensor, source: Any, name: str = "copy_") -> Tensor:
    """Copy ``source`` (broadcast to ``target``'s shape, cast to its dtype) into ``target``."""
    source = as_tensor(source, name)
    if source.dtype != target.dtype:
        if target.dtype.kind != "f" and source.dtype.kind == "f" and source.requires_grad:
            raise TypeError(f"{name}: cannot copy a {source.dtype} tensor that requires grad into a "
                            f"{target.dtype} tensor of shape {target.shape}")
        source = source.astype(target.dtype)
    try:
        shape = xp.broadcast_shapes(source.shape, target.shape)
    except ValueError:
        shape = None
    if shape != target.shape:
        raise ValueError(f"{name}: a source of shape {source.shape} does not broadcast to the "
                         f"tensor's shape {target.shape}")
    keep = array_module(target.data).zeros(target.shape, dtype=bool)  # where(False, target, source):
    # the gradient goes to source
    return _in_place(name, target, lambda t, s: where(keep, t, s), source)


def setitem_(target: Tensor, index: Any, value: Any) -> Tensor:
    """``target[index] = value`` in place (``Tensor.__setitem__``)."""
    return _in_place("__setitem__", target, lambda t, v: setitem(t, index, v), value)


# -- gather/scatter in place (issue 15, part B) ---------------------------------------------------

def masked_fill_(target: Tensor, mask: Any, value: Any) -> Tensor:
    """``target.masked_fill_(mask, value)``: :func:`tensorlite.masked_fill` in place."""
    from tensorlite.ops.gather import masked_fill
    return _in_place("masked_fill_", target, lambda t, v: masked_fill(t, mask, v), value)


def scatter_(target: Tensor, dim: Any, index: Any, src: Any = None, *, value: Any = None,
             reduce: Any = None) -> Tensor:
    """``target.scatter_(dim, index, src)``: :func:`tensorlite.scatter` in place."""
    from tensorlite.ops.gather import scatter
    if src is None:
        return _in_place("scatter_", target, lambda t: scatter(t, dim, index, value=value, reduce=reduce))
    return _in_place("scatter_", target, lambda t, s: scatter(t, dim, index, s, value=value, reduce=reduce), src)


def scatter_add_(target: Tensor, dim: Any, index: Any, src: Any) -> Tensor:
    """``target.scatter_add_(dim, index, src)``: :func:`tensorlite.scatter_add` in place."""
    from tensorlite.ops.gather import scatter_add
    return _in_place("scatter_add_", target, lambda t, s: scatter_add(t, dim, index, s), src)


def index_add_(target: Tensor, dim: Any, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
    """``target.index_add_(dim, index, source, alpha=)``: :func:`tensorlite.index_add` in place."""
    from tensorlite.ops.gather import index_add
    return _in_place("index_add_", target, lambda t, s: index_add(t, dim, index, s, alpha=alpha), source)
