"""The reverse walk: ``backward`` (the engine), ``Tensor.backward`` and ``grad``.

``backward`` walks the entries reachable from the roots in reverse recording order (a heap keyed
on the sequence number: no recursion, each entry visited once, after every entry that consumed
it; along a chain of ops, the next entry is known without the heap), calls each rule once with
the summed upstream gradient, reduces broadcast gradients back to each input's shape here and
nowhere else, and releases what each entry saved unless ``retain_graph=True``.

Post-accumulate-grad hooks (``Tensor.register_post_accumulate_grad_hook``) run as soon as a
leaf's gradient is final, in the middle of the walk: a pre-pass counts, for each hooked leaf,
the references the reachable entries hold to it, and the walk settles the leaf when the last of
them has run. Callbacks queued by ``queue_callback`` run when the walk ends. With no hooked leaf
anywhere the walk pays one check per call and one per entry.
"""
from __future__ import annotations

import heapq
import itertools
import weakref
from typing import Any, Sequence

from tensorlite.autograd import function, versions
from tensorlite.autograd.function import Op
from tensorlite.backend import array_module, ndarray
from tensorlite.backend import xp as _numpy
from tensorlite.tensor import Tensor

__all__ = ["backward", "grad", "queue_callback"]

# The live tensors that carry post-accumulate-grad hooks (empty: the walk skips the hooked path),
# and the callbacks queued by the backward running now (None outside a walk of the hooked path).
# (``_hooked`` maps id(tensor) to a weak reference that removes the entry when the tensor dies;
# not a WeakSet, whose lookups would compare tensors with ``==``.)
_hooked: dict[int, Any] = {}
_callbacks: list[Any] | None = None
_hook_keys = itertools.count()
# How many Tensor.register_hook hooks exist (0: the walk never looks for them).
_grad_hooks_live = 0


class _HookHandle:
    """Returned by ``register_post_accumulate_grad_hook``; ``remove()`` unregisters the hook."""

    __slots__ = ("tensor", "key")

    def __init__(self, tensor: Tensor, key: int) -> None:
        self.tensor, self.key = weakref.ref(tensor), key

    def remove(self) -> None:
        tensor = self.tensor()
        hooks = getattr(tensor, "_post_hooks", None)
        if hooks and hooks.pop(self.key, None) is not None and not hooks:
            del _hooked[id(tensor)]


def _forget(key: int) -> Any:
    return lambda _: _hooked.pop(key, None)


def register_post_accumulate_grad_hook(tensor: Tensor, hook: Any) -> _HookHandle:
    """``Tensor.register_post_accumulate_grad_hook``: see there."""
    if not callable(hook):
        raise TypeError(f"register_post_accumulate_grad_hook: the hook must be callable, got "
                        f"{type(hook).__name__}")
    if not (tensor.requires_grad and tensor.is_leaf):
        raise RuntimeError(
            f"register_post_accumulate_grad_hook: only leaf tensors that require grad accumulate a "
            f".grad; this tensor of shape {tensor.shape} is "
            + ("not a leaf" if not tensor.is_leaf else "a leaf that does not require grad"))
    hooks = getattr(tensor, "_post_hooks", None)
    if hooks is None:
        hooks = tensor._post_hooks = {}
    key = next(_hook_keys)
    hooks[key] = hook
    if id(tensor) not in _hooked:
        _hooked[id(tensor)] = weakref.ref(tensor, _forget(id(tensor)))
    return _HookHandle(tensor, key)


class _GradHookHandle:
    """Returned by ``Tensor.register_hook``; ``remove()`` unregisters the hook."""

    __slots__ = ("owner", "key")

    def __init__(self, owner: Any, key: int) -> None:
        self.owner, self.key = owner, key

    def remove(self) -> None:
        global _grad_hooks_live
        hooks = getattr(self.owner, "_grad_hooks", None)
        if hooks and hooks.pop(self.key, None) is not None:
            _grad_hooks_live -= 1


def register_hook(tensor: Tensor, hook: Any) -> _GradHookHandle:
    """``Tensor.register_hook``: see there."""
    global _grad_hooks_live
    if not callable(hook):
        raise TypeError(f"register_hook: the hook must be callable, got {type(hook).__name__}")
    if not tensor.requires_grad:
        raise RuntimeError(f"register_hook: cannot register a hook on a tensor (shape {tensor.shape}) "
                           "that does not require grad")
    owner = tensor._ctx if tensor._ctx is not None else tensor  # a result's hook lives on its entry
    if getattr(owner, "_grad_hooks", None) is None:
        owner._grad_hooks = {}
    key = next(_hook_keys)
    owner._grad_hooks[key] = hook
    _grad_hooks_live += 1
    return _GradHookHandle(owner, key)


def _run_grad_hooks(hooks: dict[int, Any], g: Any, graph: bool) -> Any:
    """Call each hook with the gradient (a Tensor); a hook that returns something replaces it."""
    for hook in tuple(hooks.values()):
        t = g if graph else Tensor._wrap(g)
        new = hook(t)
        if new is not None:
            if graph:
                g = new if isinstance(new, Tensor) else Tensor._wrap(array_module(g.data).asarray(new))
            else:
                g = new.data if isinstance(new, Tensor) else array_module(g).asarray(new)
            if g.shape != t.shape:
                raise RuntimeError(f"register_hook: the hook returned a gradient of shape {tuple(g.shape)} "
                                   f"for a tensor of shape {t.shape}")
    return g


def queue_callback(callback: Any) -> None:
    """Run ``callback()`` when the backward running now has written every ``.grad``.

    PyTorch's ``Variable._execution_engine.queue_callback``: for a post-accumulate-grad hook
    that needs to act once all gradients are in (DistributedDataParallel waits for its
    allreduces there), before ``backward()`` returns.

    Parameters
    ----------
    callback : callable
        Called with no arguments; callbacks run in the order queued.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.autograd import queue_callback
    >>> w = tl.ones(2, requires_grad=True)
    >>> seen = []
    >>> h = w.register_post_accumulate_grad_hook(
    ...     lambda t: queue_callback(lambda: seen.append(t.grad.tolist())))
    >>> (3 * w).sum().backward()
    >>> seen
    [[3.0, 3.0]]
    >>> h.remove()
    """
    if _callbacks is None:
        raise RuntimeError("queue_callback: no backward with post-accumulate-grad hooks is running; "
                           "call it from such a hook")
    _callbacks.append(callback)


def _hooked_uses(roots: Sequence[Any], stop: Any) -> dict[Any, int]:
    """For each hooked leaf reachable from ``roots``: how many references entries hold to it."""
    uses: dict[Any, int] = {}
    seen: set[Op] = set()
    stack = [r._ctx for r in roots if r._ctx is not None]
    while stack:
        op = stack.pop()
        if op in seen or op in stop:
            continue
        seen.add(op)
        for parent in op.parents:
            if isinstance(parent, Op):
                stack.append(parent)
            elif parent is not None and getattr(parent, "_post_hooks", None):
                uses[parent] = uses.get(parent, 0) + 1
    return uses


def _backward_with_hooks(roots: Sequence[Any], root_grads: Sequence[Any], inputs: Sequence[Any],
                         retain_graph: bool, stop_at_inputs: bool) -> list[Any]:
    """``backward`` when some tensor has post-accumulate-grad hooks: count the uses of the hooked
    leaves, walk, then run the callbacks the hooks queued."""
    global _callbacks
    stop = {(t._ctx if t._ctx is not None else t) for t in inputs} if stop_at_inputs else ()
    outer, _callbacks = _callbacks, []
    try:
        result = backward(roots, root_grads, inputs, True, retain_graph, stop_at_inputs,
                          _uses=_hooked_uses(roots, stop))
        while _callbacks:
            _callbacks.pop(0)()
    finally:
        _callbacks = outer
    return result



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


def _conform(g: Any, like: Any, op: Op) -> Any:
    """``g`` as an array of ``op``'s library (a NumPy scalar, say, becomes one), reduced to
    ``like``'s shape (``_unbroadcast``) and cast to its dtype."""
    if type(g) is not ndarray and not op.xp.is_array(g):
        g = op.xp.asarray(g)
    if g.shape != like.shape:
        g = _unbroadcast(g, like.shape, op)
    if g.dtype != like.dtype:
        g = g.astype(like.dtype)
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
    _uses: dict[Any, int] | None = None,
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
    _uses : for the hooked path (``_backward_with_hooks``): the references to each hooked leaf
        not yet consumed; the leaf is settled (``.grad`` written, hooks run) when they reach 0.

    Returns
    -------
    list with one ndarray per input, or None for an input no gradient reached.
    """
    if _uses is None and accumulate and _hooked:
        return _backward_with_hooks(roots, root_grads, inputs, retain_graph, stop_at_inputs)
    grads, heap = _seed(roots, root_grads)
    targets = {(t._ctx if t._ctx is not None else t) for t in inputs} if inputs else ()
    captured: dict[Any, Any] = {}
    handed_out = {id(root_grads[0])} if len(root_grads) == 1 else set(map(id, root_grads))
    pop, push = heapq.heappop, heapq.heappush
    hook = function._hook  # profiling or anomaly detection: set by blocks around the call, not inside
    last_write = versions._last_write  # in-place writes happen between walks, not during one
    tensor_hooks = _grad_hooks_live
    op = g = None
    if heap:
        op = pop(heap)[1]
        g = grads.pop(op)
    while op is not None:
        if tensor_hooks and op._grad_hooks:
            g = _run_grad_hooks(op._grad_hooks, g, False)
        if targets and op in targets:
            captured[op] = g
            if stop_at_inputs:
                op = pop(heap)[1] if heap else None
                g = grads.pop(op) if op is not None else None
                continue
        if op.saved is None:
            raise _released_error(op)
        if op.seq < last_write:  # something was written in place after it was recorded
            versions.check_versions(op)
        in_grads = op.backward(g) if hook is None else hook.backward(op, g)
        if not retain_graph:
            op.saved = None
        if type(in_grads) is not tuple:
            in_grads = (in_grads,)
        # ``nxt``: the first entry this one hands a gradient to that had none yet; when it is the
        # latest entry left it is walked next without going through ``grads`` and the heap (a
        # chain of ops, the common case). Not while hooked leaves wait (``_settle`` looks for the
        # arrays still pending in ``grads``).
        nxt = nxt_g = None
        for parent, ig in zip(op.parents, in_grads):
            if parent is None or ig is None:
                continue
            like = parent if isinstance(parent, Op) else parent.data  # both have .shape and .dtype
            # one test for the common case: an ndarray of the input's shape and dtype
            if type(ig) is not ndarray or ig.shape != like.shape or ig.dtype is not like.dtype:
                ig = _conform(ig, like, op)
            if parent is nxt:
                nxt_g = nxt_g + ig
                continue
            before = grads.get(parent)
            if before is None:
                if like is parent:  # an entry (a leaf's ``like`` is its array)
                    if nxt is None and not _uses:
                        nxt, nxt_g = parent, ig
                        continue
                    push(heap, (-parent.seq, parent))
                grads[parent] = ig
            else:
                grads[parent] = before + ig
        if _uses:  # hooked leaves whose last consumer this entry was are final now
            for parent in op.parents:
                if parent in _uses:
                    _uses[parent] -= 1
                    if not _uses[parent]:
                        del _uses[parent]
                        if parent in grads:
                            _settle(parent, grads.pop(parent), grads, handed_out, captured, targets)
        if nxt is not None and (not heap or heap[0][0] > -nxt.seq):
            op, g = nxt, nxt_g
        else:
            if nxt is not None:
                grads[nxt] = nxt_g
                push(heap, (-nxt.seq, nxt))
            if heap:
                op = pop(heap)[1]
                g = grads.pop(op)
            else:
                op = None
    # What is left in ``grads`` are gradients of leaf tensors. Every array handed out (to a
    # leaf's .grad or returned) is one of its own: a rule may pass one array to several inputs
    # (Add), a view of another, or the caller's own upstream gradient.
    if _uses is not None:
        for leaf in list(grads):
            _settle(leaf, grads.pop(leaf), grads, handed_out, captured, targets)
    for leaf, g in grads.items():
        if tensor_hooks and getattr(leaf, "_grad_hooks", None):
            g = _run_grad_hooks(leaf._grad_hooks, g, False)
        if g.base is not None or id(g) in handed_out:
            g = g.copy()
        handed_out.add(id(g))
        if targets and leaf in targets:
            captured[leaf] = g
        if accumulate:
            leaf._grad = g if leaf._grad is None else leaf._grad + g
    result = []
    for t in inputs:
        g = captured.get(t._ctx if t._ctx is not None else t)
        if g is not None and t._ctx is not None and (g.base is not None or id(g) in handed_out):
            g = g.copy()
        if g is not None:
            handed_out.add(id(g))
        result.append(g)
    return result


def _seed(roots: Sequence[Any], root_grads: Sequence[Any]) -> tuple[dict[Any, Any], list[tuple[int, Op]]]:
    """The walk's start: each root's gradient by its entry (or leaf), summed where a root repeats,
    and the heap of entries to visit, keyed on the sequence number (latest first)."""
    if len(roots) == 1:  # the common case (loss.backward()): no loop, no repeat to sum
        key = roots[0]._ctx if roots[0]._ctx is not None else roots[0]
        return {key: root_grads[0]}, ([(-key.seq, key)] if isinstance(key, Op) else [])
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
    return grads, heap


def _sum_to(g: Tensor, shape: tuple[int, ...], op: Op) -> Tensor:
    """``_unbroadcast`` with recorded ops, for the walk that records the gradient."""
    from tensorlite import ops

    lead = g.ndim - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"{op.name}.backward_graph returned a gradient of shape {g.shape} for an input of shape {shape}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and g.shape[lead + i] != 1)
    if axes:
        g = ops.sum(g, axes, keepdim=True)
    if lead:
        g = g.reshape(g.shape[lead:])
    if g.shape != tuple(shape):
        raise RuntimeError(
            f"{op.name}.backward_graph returned a gradient of shape {g.shape} for an input of shape {shape}")
    return g


def _graph_backward(roots: Sequence[Any], root_grads: Sequence[Tensor], inputs: Sequence[Any],
                    retain_graph: bool, stop_at_inputs: bool = False) -> list[Any]:
    """The walk of ``grad(..., create_graph=True)``: as ``backward``, but each entry's
    ``backward_graph`` computes its input gradients with recorded ops, so the gradients returned
    are Tensors with a graph of their own. Nothing is written into ``.grad``. ``stop_at_inputs``:
    do not walk past ``inputs`` (``Op.backward_by_recompute`` differentiates one op's recomputed
    forward that way)."""
    from tensorlite.autograd.mode import enable_grad

    grads, heap = _seed(roots, root_grads)
    targets = {(t._ctx if t._ctx is not None else t) for t in inputs}
    captured: dict[Any, Any] = {}
    last_write = versions._last_write
    calls, outer_frame = function._calls, function._calls.frame
    try:
        with enable_grad():
            while heap:
                op = heapq.heappop(heap)[1]
                g = grads.pop(op)
                if _grad_hooks_live and op._grad_hooks:
                    g = _run_grad_hooks(op._grad_hooks, g, True)
                if op in targets:
                    captured[op] = g
                    if stop_at_inputs:
                        continue
                if op.saved is None:
                    raise _released_error(op)
                if op.seq < last_write:
                    versions.check_versions(op)
                calls.frame = (function.BackwardOf(op), None)  # what it records is drawn as its backward
                in_grads = op.backward_graph(g)
                if not retain_graph:
                    op.saved = None
                if type(in_grads) is not tuple:
                    in_grads = (in_grads,)
                for parent, ig in zip(op.parents, in_grads):
                    if parent is None or ig is None:
                        continue
                    if not isinstance(ig, Tensor):  # a constant array (a zero gradient, say)
                        ig = Tensor._wrap(op.xp.asarray(ig))
                    like = parent if isinstance(parent, Op) else parent.data
                    if ig.shape != like.shape:
                        ig = _sum_to(ig, like.shape, op)
                    if ig.dtype != like.dtype:
                        ig = ig.astype(like.dtype)
                    if parent in grads:
                        grads[parent] = grads[parent] + ig
                    else:
                        grads[parent] = ig
                        if isinstance(parent, Op):
                            heapq.heappush(heap, (-parent.seq, parent))
    finally:
        calls.frame = outer_frame
    for leaf, g in grads.items():
        with enable_grad():
            if _grad_hooks_live and getattr(leaf, "_grad_hooks", None):
                g = _run_grad_hooks(leaf._grad_hooks, g, True)
        if leaf in targets:
            captured[leaf] = g
    return [captured.get(t._ctx if t._ctx is not None else t) for t in inputs]


def _settle(leaf: Tensor, g: Any, pending: dict[Any, Any], handed_out: set[int], captured: dict[Any, Any],
            targets: Any) -> None:
    """Hand the final gradient ``g`` out to ``leaf`` (as the end of ``backward`` does) and run its
    post-accumulate-grad hooks; ``g`` is copied unless it is an array of its own, not also a
    gradient still ``pending`` in the walk."""
    if _grad_hooks_live and getattr(leaf, "_grad_hooks", None):
        g = _run_grad_hooks(leaf._grad_hooks, g, False)
    if g.base is not None or id(g) in handed_out or any(v is g for v in pending.values()):
        g = g.copy()
    handed_out.add(id(g))
    if targets and leaf in targets:
        captured[leaf] = g
    leaf._grad = g if leaf._grad is None else leaf._grad + g
    for hook in tuple((getattr(leaf, "_post_hooks", None) or {}).values()):
        hook(leaf)


def _as_grad_array(grad: Any, root: Tensor, where: str) -> Any:
    """Check and convert the upstream gradient given for ``root``."""
    if grad is None:
        if root.data.size != 1:
            raise RuntimeError(
                f"{where}: grad can be created implicitly only for a scalar output, but the output "
                f"has shape {root.shape}; pass a gradient of that shape, e.g. backward(tl.ones_like(out))"
            )
        data = root.data
        if type(data) is ndarray:  # one element: a 1 of its dtype, reshaped (np.ones is Python-level)
            one = _numpy.array(1, data.dtype)
            return one.reshape(data.shape) if data.ndim else one  # a 0-d reshape costs more than the array
        return array_module(data).ones(data.shape, data.dtype)
    g = grad.data if isinstance(grad, Tensor) else array_module(root.data).asarray(grad)
    if g.shape != root.shape:
        raise ValueError(
            f"{where}: gradient has shape {g.shape} but the output it belongs to has shape {root.shape}"
        )
    return g.astype(root.dtype, copy=False)


def run_tensor_backward(root: Tensor, grad: Any = None, retain_graph: bool = False) -> None:
    """``Tensor.backward``: accumulate d(root)/d(leaf) into every leaf's ``.grad``."""
    if not root._requires_grad:
        raise RuntimeError(
            f"backward(): the tensor of shape {root.shape} does not require grad and has no grad_fn; "
            "no input it was computed from has requires_grad=True (or it was computed under no_grad)"
        )
    backward((root,), (_as_grad_array(grad, root, "backward()"),), (), True, retain_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> list[Any]:
    """Return the gradients of ``outputs`` with respect to ``inputs``, leaving every ``.grad`` as is.

    Parameters
    ----------
    outputs : Tensor or sequence of Tensors
    inputs : Tensor or sequence of Tensors (leaves or intermediate results)
    grad_outputs : upstream gradient for each output (Tensor or array; None: ones, for a
        one-element output)
    retain_graph : keep the graph for another backward; defaults to ``create_graph``
    create_graph : record the gradient computation itself, so the gradients returned are Tensors
        that can be differentiated again (to any order); a ``grad_outputs`` Tensor that requires
        grad is part of that graph too
    allow_unused : return None for an input the outputs do not depend on instead of raising

    Returns
    -------
    list with one gradient per input, of that input's shape: ndarrays, or Tensors with
    ``create_graph=True``.

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

    With ``create_graph=True`` the gradient is a Tensor with a graph: here d/dx of x³ is 3x², and
    differentiating it again gives 6x.

    >>> (g,) = tl.grad((x ** 3).sum(), x, create_graph=True)
    >>> g
    tensor([ 3., 12.], grad_fn=<MulBackward>)
    >>> tl.grad(g.sum(), x)[0]
    array([ 6., 12.], dtype=float32)
    """
    outputs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if not outputs:
        raise ValueError("grad(): outputs is empty; pass the tensor(s) to differentiate")
    if not inputs:
        raise ValueError("grad(): inputs is empty; pass the tensor(s) to differentiate with respect to")
    for name, seq in (("outputs", outputs), ("inputs", inputs)):
        for i, t in enumerate(seq):
            if not isinstance(t, Tensor):
                raise TypeError(f"grad(): {name}[{i}] must be a Tensor, got {type(t).__name__}")
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
            hint = (" (a gradient computed without create_graph=True has no graph: pass "
                    "create_graph=True to the tl.grad call that made it)"
                    if out.is_leaf and out.dtype.kind == "f" else "")
            raise RuntimeError(
                f"grad(): output {i} (shape {out.shape}) does not require grad and has no grad_fn{hint}"
            )
    for i, t in enumerate(inputs):
        if t.dtype.kind != "f":
            raise TypeError(f"grad(): input {i} (shape {t.shape}) has dtype {t.dtype}; only floating "
                            "tensors have gradients")
        if not t.requires_grad:
            raise RuntimeError(f"grad(): input {i} (shape {t.shape}) does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    for i, g in enumerate(grad_outputs):
        if g is not None and getattr(g, "dtype", None) is not None and g.dtype.kind not in "fb" and \
                outputs[i].dtype.kind == "f":
            raise TypeError(f"grad(): grad_outputs[{i}] has dtype {g.dtype}, but output {i} is "
                            f"{outputs[i].dtype}; pass a floating gradient")
    if create_graph:
        seeds = [_as_grad_tensor(g, out, f"grad() grad_outputs[{i}]")
                 for i, (out, g) in enumerate(zip(outputs, grad_outputs))]
        result = _graph_backward(outputs, seeds, inputs, retain_graph)
    else:
        seeds = [_as_grad_array(g, out, f"grad() grad_outputs[{i}]")
                 for i, (out, g) in enumerate(zip(outputs, grad_outputs))]
        result = backward(outputs, seeds, inputs, accumulate=False, retain_graph=retain_graph)
    unused = [f"input {i} (shape {t.shape})" for i, (t, g) in enumerate(zip(inputs, result)) if g is None]
    if unused and not allow_unused:
        raise RuntimeError(
            f"grad(): {', '.join(unused)} appear{'s' if len(unused) == 1 else ''} to not have been "
            "used in the graph of the outputs; pass allow_unused=True to get None for them"
        )
    return result


def _as_grad_tensor(grad: Any, root: Tensor, where: str) -> Tensor:
    """The upstream gradient for ``root`` as a Tensor (kept as is, graph included, when it is one)."""
    if isinstance(grad, Tensor):
        if grad.shape != root.shape:
            raise ValueError(f"{where}: gradient has shape {grad.shape} but the output it belongs to "
                             f"has shape {root.shape}")
        return grad if grad.dtype == root.dtype else grad.astype(root.dtype)
    return Tensor._wrap(_as_grad_array(grad, root, where))
