"""The reverse walk: ``backward`` (the engine), ``Tensor.backward`` and ``grad``.

``backward`` walks the entries reachable from the roots in reverse recording order (a heap keyed
on the sequence number: no recursion, each entry visited once, after every entry that consumed
it), calls each rule once with the summed upstream gradient, reduces broadcast gradients back to
each input's shape here and nowhere else, and releases what each entry saved unless
``retain_graph=True``.
"""
from __future__ import annotations

import heapq
from typing import Any, Sequence

from tensorlite.autograd import function, versions
from tensorlite.autograd.function import Op
from tensorlite.backend import array_module, ndarray
from tensorlite.backend import xp as _numpy
from tensorlite.tensor import Tensor

__all__ = ["backward", "grad"]



def _unbroadcast(g: Any, shape: tuple[int, ...], op: Op) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched, so it has ``shape``."""
    lead = g.ndim - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"{op.name}.backward returned a gradient of shape {g.shape} for an input of shape {shape}"
        )
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1
    )
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    if lead:
        g = g.reshape(g.shape[lead:])
    if g.shape != tuple(shape):
        raise RuntimeError(
            f"{op.name}.backward returned a gradient of shape {g.shape} for an input of shape {shape}"
        )
    return g


def _released_error(op: Op) -> RuntimeError:
    return RuntimeError(
        f"Trying to backward through the graph a second time: the arrays saved by {op.name} "
        f"(entry #{op.seq}, output shape {op.shape}) were released after the first backward. "
        "Pass retain_graph=True to the first backward() if you need to backward twice."
    )


def backward(
    roots: Sequence[Any],
    root_grads: Sequence[Any],
    inputs: Sequence[Any] = (),
    accumulate: bool = True,
    retain_graph: bool = False,
    stop_at_inputs: bool = False,
) -> list[Any]:
    """Propagate ``root_grads`` from ``roots`` back through the tape.

    Parameters
    ----------
    roots, root_grads : tensors (or anything with the ``_ctx`` of one: its tape entry) and their
        upstream gradients (arrays of the same shapes).
    inputs : tensors whose gradients are returned (leaves or intermediate results).
    accumulate : add the gradients reaching leaves into their ``.grad``.
    retain_graph : keep saved arrays so the graph can be walked again.
    stop_at_inputs : do not propagate past ``inputs`` (used by ``Module.backward(dout)``, which
        walks only the segment between a module's input and its output).

    Returns
    -------
    list with one ndarray per input, or None for an input no gradient reached.
    """
    grads: dict[Any, Any] = {}
    heap: list[tuple[int, Op]] = []
    for root, g in zip(roots, root_grads):
        key = root._ctx if root._ctx is not None else root
        if key in grads:
            grads[key] = grads[key] + g
        else:
            grads[key] = g
            if isinstance(key, Op):
                heapq.heappush(heap, (-key.seq, key))
    targets = {(t._ctx if t._ctx is not None else t) for t in inputs} if inputs else ()
    captured: dict[Any, Any] = {}
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        op = pop(heap)[1]
        g = grads.pop(op)
        if targets and op in targets:
            captured[op] = g
            if stop_at_inputs:
                continue
        if op.saved is None:
            raise _released_error(op)
        if op.seq < versions._last_write:  # something was written in place after it was recorded
            versions.check_versions(op)
        hook = function._hook
        in_grads = op.backward(g) if hook is None else hook.backward(op, g)
        if not retain_graph:
            op.saved = None
        if type(in_grads) is not tuple:
            in_grads = (in_grads,)
        for parent, ig in zip(op.parents, in_grads):
            if parent is None or ig is None:
                continue
            if type(ig) is not ndarray and not op.xp.is_array(ig):  # a NumPy scalar, say
                ig = op.xp.asarray(ig)
            is_entry = isinstance(parent, Op)
            like = parent if is_entry else parent.data  # both have .shape and .dtype
            if ig.shape != like.shape:
                ig = _unbroadcast(ig, like.shape, op)
            if ig.dtype is not like.dtype and ig.dtype != like.dtype:
                ig = ig.astype(like.dtype)
            if parent in grads:
                grads[parent] = grads[parent] + ig
            else:
                grads[parent] = ig
                if is_entry:
                    push(heap, (-parent.seq, parent))
    # What is left in ``grads`` are gradients of leaf tensors. Every array handed out (to a
    # leaf's .grad or returned) is one of its own: a rule may pass one array to several inputs
    # (Add), a view of another, or the caller's own upstream gradient.
    handed_out = {id(g) for g in root_grads}
    for leaf, g in grads.items():
        if g.base is not None or id(g) in handed_out:
            g = g.copy()
        handed_out.add(id(g))
        if targets and leaf in targets:
            captured[leaf] = g
        if accumulate:
            leaf.grad = g if leaf.grad is None else leaf.grad + g
    result = []
    for t in inputs:
        g = captured.get(t._ctx if t._ctx is not None else t)
        if g is not None and t._ctx is not None and (g.base is not None or id(g) in handed_out):
            g = g.copy()
        if g is not None:
            handed_out.add(id(g))
        result.append(g)
    return result


def _as_grad_array(grad: Any, root: Tensor, where: str) -> Any:
    """Check and convert the upstream gradient given for ``root``."""
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"{where}: grad can be created implicitly only for a scalar output, but the output "
                f"has shape {root.shape}; pass a gradient of that shape, e.g. backward(tl.ones_like(out))"
            )
        data = root.data
        return (_numpy if type(data) is ndarray else array_module(data)).ones(data.shape, data.dtype)
    g = grad.data if isinstance(grad, Tensor) else array_module(root.data).asarray(grad)
    if g.shape != root.shape:
        raise ValueError(
            f"{where}: gradient has shape {g.shape} but the output it belongs to has shape {root.shape}"
        )
    return g.astype(root.dtype, copy=False)


def run_tensor_backward(root: Tensor, grad: Any = None, retain_graph: bool = False) -> None:
    """``Tensor.backward``: accumulate d(root)/d(leaf) into every leaf's ``.grad``."""
    if not root.requires_grad:
        raise RuntimeError(
            f"backward(): the tensor of shape {root.shape} does not require grad and has no grad_fn; "
            "no input it was computed from has requires_grad=True (or it was computed under no_grad)"
        )
    backward([root], [_as_grad_array(grad, root, "backward()")], retain_graph=retain_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool = False,
    allow_unused: bool = False,
) -> list[Any]:
    """Return the gradients of ``outputs`` with respect to ``inputs``, leaving every ``.grad`` as is.

    Parameters
    ----------
    outputs : Tensor or sequence of Tensors
    inputs : Tensor or sequence of Tensors (leaves or intermediate results)
    grad_outputs : upstream gradient for each output (None: ones, scalar outputs only)
    retain_graph : keep the graph for another backward
    allow_unused : return None for an input the outputs do not depend on instead of raising

    Returns
    -------
    list of ndarrays, one per input, each of that input's shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> y = tl.tensor(3.0, requires_grad=True)
    >>> gx, gy = tl.grad((x * y).sum(), [x, y])
    >>> gx, gy
    (array([3., 3.], dtype=float32), array(3., dtype=float32))
    >>> x.grad is None
    True
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (Tensor, ndarray)):
        if len(outputs) != 1:
            raise ValueError(f"grad(): {len(outputs)} outputs need a list of {len(outputs)} grad_outputs")
        grad_outputs = [grad_outputs]
    elif not isinstance(grad_outputs, (list, tuple)):
        raise TypeError(f"grad(): grad_outputs must be a tensor, an array or a list of them, got "
                        f"{type(grad_outputs).__name__}")
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad(): {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"grad(): output {i} (shape {out.shape}) does not require grad and has no grad_fn"
            )
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad(): input {i} (shape {t.shape}) does not require grad")
    seeds = [_as_grad_array(g, out, f"grad() output {i}")
             for i, (out, g) in enumerate(zip(outputs, grad_outputs))]
    result = backward(outputs, seeds, inputs, accumulate=False, retain_graph=retain_graph)
    unused = [f"input {i} (shape {t.shape})" for i, (t, g) in enumerate(zip(inputs, result)) if g is None]
    if unused and not allow_unused:
        raise RuntimeError(
            f"grad(): {', '.join(unused)} appear{'s' if len(unused) == 1 else ''} to not have been "
            "used in the graph of the outputs; pass allow_unused=True to get None for them"
        )
    return result
