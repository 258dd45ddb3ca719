"""Module hooks, as PyTorch's: forward pre-hooks, forward hooks, full backward hooks and backward
pre-hooks (``Module.register_*_hook``), and the call that runs them.

A module call costs nothing more while no module has a hook: only while some hook exists is
``Module.__call__`` replaced by one that checks the module for hooks (and calls a module that has
some through :func:`call_with_hooks`).

Full backward hooks see the gradients of a module call's outputs and inputs together, as in
PyTorch. The call's top-level tensor inputs go through one gathering entry (``BackwardHookGather``)
and come out as one ``BackwardHookFunction`` entry each (the same arrays, no copy); the outputs
the same way. In the reverse walk every entry of the call has a higher sequence number than the
input gathering entry, so when that entry runs, the gradient of every input is final: the hooks
get them all at once, with the gradients of the outputs, which the output gathering entry kept
(after the backward pre-hooks ran on them). This works for ``.backward()``, ``tl.grad`` (with or
without ``create_graph``) and the legacy ``module.backward(dout)``.
"""
from __future__ import annotations

import warnings
import weakref
from typing import Any, NamedTuple

from tensorlite.autograd import Op
from tensorlite.autograd.mode import _mode
from tensorlite.backend import array_module
from tensorlite.tensor import Tensor

__all__ = ["RemovableHandle"]

# How many hooks are registered on live modules (0: Module.__call__ is the plain one).
live = 0
_plain_call: Any = None  # Module.__call__ while no hook exists


def _call_checking_hooks(self: Any, *args: Any, **kwargs: Any) -> Any:
    """``Module.__call__`` while some module has hooks."""
    if "_hooks" in self.__dict__:
        return call_with_hooks(self, args, kwargs)
    return self.forward(*args, **kwargs)


def _count(change: int) -> None:
    """Add ``change`` to the number of hooks; put the checking ``__call__`` in place or take it away."""
    global live, _plain_call
    from tensorlite.nn.module import Module

    if not live and change > 0:
        _plain_call = Module.__call__
        Module.__call__ = _call_checking_hooks  # type: ignore[method-assign]
    live += change
    if not live and _plain_call is not None:
        Module.__call__ = _plain_call  # type: ignore[method-assign]
_keys = iter(range(1, 1 << 62))
KINDS = ("forward_pre", "forward", "backward", "backward_pre")


class _Hook(NamedTuple):
    fn: Any
    with_kwargs: bool = False
    always_call: bool = False


class RemovableHandle:
    """What the ``register_*_hook`` methods return: ``remove()`` unregisters the hook (twice is
    harmless); ``with handle:`` removes it when the block ends.

    Attributes
    ----------
    id : int
        The hook's key, unique in the process.

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.Identity()
    >>> with layer.register_forward_hook(lambda m, args, out: out * 2):
    ...     layer(tl.ones(2))
    tensor([2., 2.])
    >>> layer(tl.ones(2))
    tensor([1., 1.])
    """

    __slots__ = ("_module", "_kind", "id")

    def __init__(self, module: Any, kind: str, key: int) -> None:
        self._module, self._kind, self.id = weakref.ref(module), kind, key

    def remove(self) -> None:
        """Unregister the hook."""
        module = self._module()
        hooks = None if module is None else module.__dict__.get("_hooks")
        if hooks and hooks[self._kind].pop(self.id, None) is not None:
            _count(-1)
            if not any(hooks.values()):
                del module.__dict__["_hooks"]

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


def _forget(hooks: dict[str, dict[int, _Hook]]) -> None:
    """A module with hooks died: its hooks no longer count."""
    _count(-sum(len(h) for h in hooks.values()))


def register(module: Any, kind: str, hook: Any, prepend: bool, **options: bool) -> RemovableHandle:
    """Add ``hook`` to ``module``'s hooks of ``kind`` (first when ``prepend``)."""
    if not callable(hook):
        raise TypeError(f"{type(module).__name__}.register_{kind}_hook: the hook must be callable, "
                        f"got {type(hook).__name__}")
    hooks: dict[str, dict[int, _Hook]] | None = module.__dict__.get("_hooks")
    if hooks is None:
        hooks = {k: {} for k in KINDS}
        module.__dict__["_hooks"] = hooks
        weakref.finalize(module, _forget, hooks).atexit = False
    key = next(_keys)
    entry = _Hook(hook, **options)
    hooks[kind] = {key: entry, **hooks[kind]} if prepend else {**hooks[kind], key: entry}
    _count(1)
    return RemovableHandle(module, kind, key)


def call_with_hooks(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """``module(*args, **kwargs)`` with its hooks, in PyTorch's order: forward pre-hooks,
    the backward hooks' wrapping of the inputs, ``forward``, forward hooks, the wrapping of the
    outputs."""
    from tensorlite.nn.module import _as_input, _as_leaf, _remember

    hooks = module.__dict__["_hooks"]
    args = tuple([_as_input(a) for a in args])
    for h in list(hooks["forward_pre"].values()):
        if h.with_kwargs:
            new = h.fn(module, args, kwargs)
            if new is not None:
                if not (isinstance(new, tuple) and len(new) == 2):
                    raise RuntimeError(f"forward pre-hook of {type(module).__name__} must return None or a "
                                       f"tuple (new_args, new_kwargs), got {type(new).__name__}")
                args, kwargs = new
        else:
            new = h.fn(module, args)
            if new is not None:
                args = new if isinstance(new, tuple) else (new,)
    state = None
    if (hooks["backward"] or hooks["backward_pre"]) and _mode.enabled:
        if module._inputs_require_grad:
            args = tuple([_as_leaf(a) for a in args])
        state = _BackwardHooks(module, [h.fn for h in hooks["backward"].values()],
                               [h.fn for h in hooks["backward_pre"].values()])
        given = args
        args = state.wrap_inputs(args)
    forward_hooks = list(hooks["forward"].items())
    result: Any = None
    called: set[int] = set()
    try:
        result = out = module.forward(*args, **kwargs)
        for key, h in forward_hooks:
            called.add(key)
            new = h.fn(module, args, kwargs, result) if h.with_kwargs else h.fn(module, args, result)
            if new is not None:
                result = new
        if state is not None:
            result = state.wrap_outputs(result)
            module.__dict__["_last_call"] = _remember(given, result)  # backward(dout) runs the hooks
        elif result is not out and _mode.enabled:
            module.__dict__["_last_call"] = _remember(args, result)
        return result
    except Exception:
        for key, h in forward_hooks:  # always_call hooks that have not run yet, then re-raise
            if h.always_call and key not in called:
                try:
                    new = h.fn(module, args, kwargs, result) if h.with_kwargs else h.fn(module, args, result)
                    if new is not None:
                        result = new
                except Exception as e:
                    warnings.warn(f"a forward hook with always_call=True of {type(module).__name__} raised "
                                  f"{type(e).__name__}: {e}; silenced, as forward raised first", stacklevel=2)
        raise


class _BackwardHooks:
    """One module call's full backward hooks and backward pre-hooks, and the gradients of its
    outputs between the walk passing its outputs and its inputs."""

    input_index: list[int] | None = None   # positions of the tensor arguments, None: none requires grad
    output_index: list[int] | None = None
    n_inputs = n_outputs = 0

    def __init__(self, module: Any, hooks: list[Any], pre_hooks: list[Any]) -> None:
        self.module, self.hooks, self.pre_hooks = module, hooks, pre_hooks
        self.grad_outputs: tuple[Any, ...] | None = None

    def wrap_inputs(self, args: tuple[Any, ...]) -> tuple[Any, ...]:
        self.n_inputs = len(args)
        self.input_index, args = _wrap(args, self, BackwardHookGather.inputs_done)
        return args

    def wrap_outputs(self, result: Any) -> Any:
        if not isinstance(result, (Tensor, tuple)):
            warnings.warn(f"{type(self.module).__name__}: backward hooks are called only for outputs that "
                          f"are a Tensor or a tuple of Tensors, got {type(result).__name__}", stacklevel=3)
            return result
        single = not isinstance(result, tuple)
        outs: tuple[Any, ...] = (result,) if isinstance(result, Tensor) else result
        self.n_outputs = len(outs)
        self.output_index, outs = _wrap(outs, self, BackwardHookGather.outputs_done)
        return outs[0] if single else outs

    def _check(self, new: Any, expected: int, what: str) -> tuple[Any, ...]:
        if not isinstance(new, (tuple, list)) or len(new) != expected:
            raise RuntimeError(f"a backward {what} of {type(self.module).__name__} returned "
                               f"{len(new) if isinstance(new, (tuple, list)) else type(new).__name__} "
                               f"gradient(s); expected a tuple of {expected} (None, or one per "
                               f"{'input' if what == 'hook' else 'output'})")
        return tuple(new)


def _wrap(values: tuple[Any, ...], state: _BackwardHooks, done: Any) -> tuple[Any, tuple[Any, ...]]:
    """Route the top-level tensors of ``values`` through one gathering entry (``done`` runs when
    its gradient arrives): the positions of the tensors (None when none requires grad) and the
    values with each tensor that requires grad replaced by its ``BackwardHookFunction`` output."""
    index = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
    tensors = [values[i] for i in index]
    if not any(t._requires_grad for t in tensors):
        return None, values
    gather = BackwardHookGather.apply(*tensors, state=state, done=done, index=index)
    pending = gather._ctx.pending
    out = list(values)
    for k, (i, t) in enumerate(zip(index, tensors)):
        if t._requires_grad:
            out[i] = BackwardHookFunction.apply(gather, value=t.data, k=k, pending=pending)
    return index, tuple(out)


class BackwardHookGather(Op):
    """Gathers the gradients of a module call's tensors (inputs or outputs), kept by their
    ``BackwardHookFunction`` entries, and runs the hooks on them; its own value is empty."""

    def forward(self, *arrays: Any, state: _BackwardHooks, done: Any, index: list[int]) -> Any:
        self.state, self.done, self.index = state, done, index
        self.pending: dict[int, Any] = {}
        self.like = [(a.shape, a.dtype) for a in arrays]
        return self.xp.empty(0, arrays[0].dtype)

    def backward(self, grad: Any) -> Any:
        grads = [self.pending.pop(k, None) for k in range(len(self.index))]
        return self.done(self, grads, False)

    def backward_graph(self, grad: Tensor) -> Any:
        grads = [self.pending.pop(k, None) for k in range(len(self.index))]
        return self.done(self, grads, True)

    def _as_tensors(self, grads: list[Any], count: int, graph: bool, zeros: bool) -> tuple[Any, ...]:
        """One entry per argument (or output): a Tensor per tensor, None elsewhere; ``zeros``: a
        tensor that got no gradient gets zeros (PyTorch's grad_input), else None (grad_output)."""
        full: list[Any] = [None] * count
        for i, g, (shape, dtype) in zip(self.index, grads, self.like):
            if g is None and zeros:
                g = self.xp.zeros(shape, dtype)
            full[i] = g if g is None or isinstance(g, Tensor) else Tensor._wrap(g)
        return tuple(full)

    def _as_grads(self, full: tuple[Any, ...], graph: bool, what: str) -> tuple[Any, ...]:
        """The hooks' tuple back to one gradient per tensor: arrays, or Tensors under create_graph."""
        result = []
        for k, i in enumerate(self.index):
            g, (shape, dtype) = full[i], self.like[k]
            if g is not None:
                if graph:
                    g = g if isinstance(g, Tensor) else Tensor._wrap(array_module(g).asarray(g, dtype))
                else:
                    g = g.data if isinstance(g, Tensor) else array_module(g).asarray(g, dtype)
                if tuple(g.shape) != tuple(shape):
                    raise RuntimeError(f"a backward hook of {type(self.state.module).__name__} gave {what}"
                                       f"[{i}] of shape {tuple(g.shape)} for a tensor of shape {shape}")
            result.append(g)
        return tuple(result)

    def outputs_done(self, grads: list[Any], graph: bool) -> tuple[Any, ...]:
        state = self.state
        grad_outputs = self._as_tensors(grads, state.n_outputs, graph, False)
        for hook in state.pre_hooks:
            new = hook(state.module, grad_outputs)
            if new is not None:
                grad_outputs = state._check(new, state.n_outputs, "pre-hook")
        state.grad_outputs = grad_outputs
        if state.input_index is None:  # no input requires grad: the hooks run now, as PyTorch's do
            if state.hooks:
                warnings.warn(f"the full backward hooks of {type(state.module).__name__} run when the "
                              "gradients of its outputs are computed, as no input requires grad "
                              "(grad_input is all None)", stacklevel=2)
            for hook in state.hooks:
                new = hook(state.module, (None,) * state.n_inputs, grad_outputs)
                if new is not None and any(g is not None for g in new):
                    raise RuntimeError(f"a backward hook of {type(state.module).__name__}, whose inputs "
                                       "do not require grad, must return None (or all None)")
            state.grad_outputs = None
        return self._as_grads(grad_outputs, graph, "grad_output")

    def inputs_done(self, grads: list[Any], graph: bool) -> tuple[Any, ...]:
        state = self.state
        if state.grad_outputs is None:  # reached without passing the outputs (PyTorch: no hook)
            return tuple(grads)
        grad_input = self._as_tensors(grads, state.n_inputs, graph, True)
        for hook in state.hooks:
            new = hook(state.module, grad_input, state.grad_outputs)
            if new is not None:
                grad_input = state._check(new, state.n_inputs, "hook")
        state.grad_outputs = None
        return self._as_grads(grad_input, graph, "grad_input")


class BackwardHookFunction(Op):
    """One tensor of a hooked module call, unchanged (the same array); in backward it hands its
    gradient to its gathering entry (see :class:`BackwardHookGather`)."""

    def forward(self, empty: Any, value: Any, k: int, pending: dict[int, Any]) -> Any:
        self.k, self.pending, self.dtype_ = k, pending, empty.dtype
        return value

    def backward(self, grad: Any) -> Any:
        self.pending[self.k] = grad
        return self.xp.empty(0, self.dtype_)

    backward_graph = backward
