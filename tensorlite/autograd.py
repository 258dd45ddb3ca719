"""The tape: recorded op entries, the reverse walk, grad(), grad mode and gradcheck.

Every differentiable op is an :class:`Op` subclass with a ``forward`` (ndarrays in, one ndarray
out) and a ``backward`` (upstream gradient in, one gradient per input out). ``Op.apply`` runs the
forward and, when grad mode is on and some input requires grad, records the op as one tape entry:
the entry keeps its inputs' entries (or leaf tensors), what ``forward`` saved, and a sequence
number giving its place in recording order.

``backward`` walks the entries reachable from the root in reverse recording order (a heap keyed on
the sequence number: no recursion, each entry visited once, after every entry that consumed it),
calls each rule once with the summed upstream gradient, reduces broadcast gradients back to each
input's shape here and nowhere else, and releases what each entry saved unless
``retain_graph=True``.
"""
from __future__ import annotations

import contextlib
import functools
import heapq
import itertools
import threading
import weakref
from typing import Any, Callable, Iterator, Sequence

from tensorlite.backend import ndarray, xp
from tensorlite.tensor import Tensor

__all__ = [
    "Op", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "backward", "grad", "gradcheck", "GradcheckError", "OptionalLeaf", "mark_dirty", "version_of",
]

# ----------------------------------------------------------------------------------------------
# Grad mode

class _GradMode(threading.local):
    """Whether ops are recorded; each thread has its own setting, on by default."""

    enabled = True


_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Return True when ops are being recorded for backward (in this thread).

    Examples
    --------
    >>> import tensorlite as tl
    >>> with tl.no_grad():
    ...     tl.is_grad_enabled()
    False
    """
    return _mode.enabled


class _GradModeBlock(contextlib.ContextDecorator):
    """Set the grad mode for a ``with`` block or each call of a decorated function, then restore
    the mode that was in force before. Usable as ``@dec``, ``@dec()`` and ``with dec():``."""

    mode = True

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        if func is not None:  # used bare as a decorator: @no_grad
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        self._previous: list[bool] = []

    def __enter__(self) -> None:
        self._previous.append(_mode.enabled)
        _mode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._previous.pop()


class no_grad(_GradModeBlock):
    """Record nothing inside the block or the decorated function (evaluation, optimizer updates).

    Parameters
    ----------
    func : callable, optional
        Used bare as a decorator (``@tl.no_grad``): the function to run with recording off.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, requires_grad=True)
    >>> with tl.no_grad():
    ...     y = x * 2
    >>> y.requires_grad, y.grad_fn
    (False, None)
    >>> @tl.no_grad
    ... def evaluate(t):
    ...     return t * 2
    >>> evaluate(x).requires_grad
    False
    """

    mode = False


class enable_grad(_GradModeBlock):
    """Record ops again inside a ``no_grad`` block (or a decorated function).

    Parameters
    ----------
    func : callable, optional
        Used bare as a decorator (``@tl.enable_grad``): the function to run with recording on.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, requires_grad=True)
    >>> with tl.no_grad():
    ...     with tl.enable_grad():
    ...         y = x * 2
    >>> y.grad_fn
    'Mul'
    """

    mode = True


class set_grad_enabled:
    """Switch recording on or off, as PyTorch's ``set_grad_enabled``.

    Called on its own it switches the mode at once; as a context manager it also restores the
    previous mode on exit; as a decorator it sets the mode for each call of the function.

    Parameters
    ----------
    mode : bool
        True records ops, False records nothing.

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.ones(2, requires_grad=True)
    >>> with tl.set_grad_enabled(False):
    ...     (x * 2).requires_grad
    False
    >>> _ = tl.set_grad_enabled(False); tl.is_grad_enabled()
    False
    >>> _ = tl.set_grad_enabled(True)
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self.previous = _mode.enabled
        _mode.enabled = self.mode

    def __enter__(self) -> None:
        pass  # the mode was switched when this object was made

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self.previous

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        _mode.enabled = self.previous  # as a decorator, switch on each call instead
        mode = self.mode

        @functools.wraps(func)
        def with_mode(*args: Any, **kwargs: Any) -> Any:
            previous = _mode.enabled
            _mode.enabled = mode
            try:
                return func(*args, **kwargs)
            finally:
                _mode.enabled = previous

        return with_mode


# ----------------------------------------------------------------------------------------------
# Tape entries

_sequence = itertools.count()
# The innermost active hook, or None: a ``tl.profile()`` (tensorlite.profiler) or anomaly detection
# (tensorlite.anomaly). A hook has ``apply(cls, inputs, params)``, ``backward(op, grad)``, ``_busy``
# (set while it runs an op: ops applied inside skip it) and ``_outer`` (the next hook: each hook
# hands the call on to it, so they compose). Off, it costs the engine one ``is None`` check per op.
_hook: Any = None


def push_hook(hook: Any) -> None:
    """Make ``hook`` the innermost hook; the one active before becomes its ``_outer``."""
    global _hook
    hook._outer = _hook
    _hook = hook


def remove_hook(hook: Any) -> None:
    """Unlink ``hook`` from the chain of active hooks, wherever it is (blocks may exit out of order)."""
    global _hook
    if _hook is hook:
        _hook = hook._outer
    else:
        inner = _hook
        while inner is not None and inner._outer is not hook:
            inner = inner._outer
        if inner is not None:
            inner._outer = hook._outer
    hook._outer = None


class _ModuleCalls(threading.local):
    """The module call running now, for :mod:`tensorlite.viz`: ``frame`` is ``(module, outer
    frame)`` while a ``Module.forward`` runs (pushed and popped by its wrapper), else None. Each
    recorded entry keeps the frame it was recorded in, so a drawing can group ops by module call."""

    frame: tuple[Any, Any] | None = None


_calls = _ModuleCalls()


class Op:
    """One differentiable operation, and, once recorded, its entry on the tape.

    Subclasses implement ``forward(*arrays, **params) -> ndarray`` and
    ``backward(grad) -> ndarray | tuple`` (one gradient per input, ``None`` where
    ``needs_input_grad`` is False). ``forward`` keeps the arrays ``backward`` needs with
    :meth:`save`; plain metadata (shapes, axes) may live on ``self``. A rule may return a
    gradient of the broadcast shape: the engine reduces it to the input's shape. A rule never
    writes into ``grad`` or into saved arrays.

    Attributes set by :meth:`apply` on a recorded entry: ``parents`` (for each input: its entry,
    the leaf tensor itself, or None when it needs no gradient; set before ``forward`` runs, and
    empty when nothing is recorded, so ``forward`` can save only what will be used), ``seq``
    (recording order), ``shape`` and ``dtype`` (of the output).
    """

    saved: tuple[Any, ...] | None = ()
    parents: tuple[Any, ...] = ()
    seq: int
    shape: tuple[int, ...]
    dtype: Any
    module: tuple[Any, Any] | None = None  # the module call it was recorded in (see _ModuleCalls)

    def forward(self, *args: Any, **params: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} defines no forward")

    def backward(self, grad: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} defines no backward rule")

    def save(self, *arrays: Any) -> None:
        """Keep ``arrays`` for ``backward``; the engine releases them once used."""
        self.saved = arrays

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether ``backward`` must return its gradient."""
        return tuple(p is not None for p in self.parents)

    @property
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{self.name} entry #{getattr(self, 'seq', '?')}>"

    @classmethod
    def apply(cls, *inputs: Tensor, **params: Any) -> Tensor:
        """Run ``forward`` on the inputs' arrays and record the op when a gradient may flow."""
        if _hook is not None and not _hook._busy:  # profiling or anomaly detection is on
            return _hook.apply(cls, inputs, params)
        op = cls()
        record = False
        if _mode.enabled:
            for t in inputs:
                if t._requires_grad:
                    record = True
                    break
        if record:
            op.parents = tuple([t._ctx if t._ctx is not None else (t if t._requires_grad else None)
                                for t in inputs])
        if len(inputs) == 1:  # the common cases without building a list
            data = op.forward(inputs[0].data, **params)
        elif len(inputs) == 2:
            data = op.forward(inputs[0].data, inputs[1].data, **params)
        else:
            data = op.forward(*[t.data for t in inputs], **params)
        if type(data) is not ndarray:
            data = xp.asarray(data)
        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out._requires_grad = record
        if record:
            op.seq = next(_sequence)
            op.shape = data.shape
            op.dtype = data.dtype
            op.module = _calls.frame
            out._ctx = op
        else:
            out._ctx = None
        return out


class OptionalLeaf(Tensor):
    """A leaf whose gradient is computed only when a backward call asks for it as an input.

    ``Module.forward`` wraps an input that needs no gradient (a plain ndarray, or a tensor with
    ``requires_grad=False``) in one of these, so that ``module.backward(dout)`` can return
    dL/d(input) in the legacy explicit-backward style. An ordinary ``loss.backward()`` does not
    ask for it: the ops that consumed it see it as needing no gradient (the walk masks it out of
    their ``parents`` while their rule runs), and its ``.grad`` is never filled, so the ordinary
    path never computes the input gradient the legacy one may ask for.
    """

    __slots__ = ()

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        self._requires_grad = True

    @classmethod
    def of(cls, data: Any) -> OptionalLeaf:
        """Wrap a floating ndarray with no checks (the fast path of ``Module.forward``)."""
        leaf = cls.__new__(cls)
        leaf.data, leaf.grad, leaf._ctx, leaf._requires_grad = data, None, None, True
        return leaf


# ----------------------------------------------------------------------------------------------
# In-place writes: a version counter per array memory
#
# Every write the library makes into an existing array (the in-place Tensor methods, optimizer
# steps, nn.init, load_state_dict, BatchNorm's running statistics) calls ``mark_dirty``, which bumps
# the version of the memory written -- the ndarray that owns it, so views share one counter -- and
# notes when (a number from the same sequence that orders tape entries). The reverse walk checks
# an entry's saved arrays only when some write happened after the entry was recorded; in a
# training loop (step, then forward, then backward) that is one integer comparison per entry.

_versions: dict[int, list[Any]] = {}  # id(owner) -> [weakref to owner, version, seq of last write, by]
_last_write = -1  # the sequence number of the latest mark_dirty


def _owner(array: Any) -> Any:
    """The ndarray that owns ``array``'s memory (itself, or the base of a view)."""
    while isinstance(array.base, ndarray):
        array = array.base
    return array


def _forget(key: int, ref: Any) -> None:
    entry = _versions.get(key)
    if entry is not None and entry[0] is ref:
        del _versions[key]


def mark_dirty(array: Any, by: str) -> None:
    """Record that ``array``'s memory was written in place (``by`` names the writer, for errors).

    Call it after writing into an array that a tape entry may have saved: the reverse walk then
    refuses to use an entry that saved this memory before the write.
    """
    global _last_write
    owner = _owner(array)
    key = id(owner)
    entry = _versions.get(key)
    if entry is None or entry[0]() is not owner:
        entry = _versions[key] = [weakref.ref(owner, functools.partial(_forget, key)), 0, 0, by]
    _last_write = next(_sequence)
    entry[1] += 1
    entry[2] = _last_write
    entry[3] = by


def version_of(array: Any) -> int:
    """How many times the library has written into ``array``'s memory in place (0 if never)."""
    owner = _owner(array)
    entry = _versions.get(id(owner))
    return entry[1] if entry is not None and entry[0]() is owner else 0


def _check_versions(op: Op) -> None:
    """Raise if memory that ``op`` saved for backward was written in place after ``op`` was recorded."""
    for saved in op.saved or ():
        for array in (saved if isinstance(saved, (tuple, list)) else (saved,)):
            if not isinstance(array, ndarray):
                continue
            owner = _owner(array)
            entry = _versions.get(id(owner))
            if entry is not None and entry[2] > op.seq and entry[0]() is owner:
                where = f" (recorded in {module_path(op.module)})" if op.module is not None else ""
                raise RuntimeError(
                    f"backward: {op.name} (entry #{op.seq}, output shape {op.shape}){where} saved an "
                    f"array of shape {array.shape} for its backward rule, and that memory was modified "
                    f"in place (by {entry[3]}) after {op.name} was recorded (it is now at version "
                    f"{entry[1]}), so the gradient would be wrong. Modify it only after backward() "
                    "(e.g. call optimizer.step() after loss.backward()), or compute on a copy "
                    "(y = x * 1, or an out-of-place op such as x = x + 1 instead of x.add_(1))."
                )


def module_path(frame: tuple[Any, Any] | None) -> str:
    """``'Net.encoder.0 (Linear)'`` for a module call frame (see ``_ModuleCalls``), or ``''``."""
    chain = []
    while frame is not None:
        chain.append(frame[0])
        frame = frame[1]
    if not chain:
        return ""
    chain.reverse()  # outermost first
    names = [type(chain[0]).__name__]
    for parent, child in zip(chain, chain[1:]):
        children = getattr(parent, "_modules", {})
        names.append(next((n for n, m in children.items() if m is child), type(child).__name__))
    return ".".join(names) + (f" ({type(chain[-1]).__name__})" if len(chain) > 1 else "")


# ----------------------------------------------------------------------------------------------
# The reverse walk


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
    roots: Sequence[Tensor],
    root_grads: Sequence[Any],
    inputs: Sequence[Tensor] = (),
    accumulate: bool = True,
    retain_graph: bool = False,
    stop_at_inputs: bool = False,
) -> list[Any]:
    """Propagate ``root_grads`` from ``roots`` back through the tape.

    Parameters
    ----------
    roots, root_grads : tensors and their upstream gradients (arrays of the same shapes).
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
        if op.seq < _last_write:  # something was written in place after this entry was recorded
            _check_versions(op)
        parents = op.parents
        if OptionalLeaf in map(type, parents):  # an optional leaf nobody asked for needs no gradient
            recorded = parents
            op.parents = parents = tuple([None if type(p) is OptionalLeaf and p not in targets else p
                                          for p in recorded])
            try:
                in_grads = op.backward(g) if _hook is None else _hook.backward(op, g)
            finally:
                op.parents = recorded  # the loop below goes over the masked parents
        else:
            in_grads = op.backward(g) if _hook is None else _hook.backward(op, g)
        if not retain_graph:
            op.saved = None
        if type(in_grads) is not tuple:
            in_grads = (in_grads,)
        for parent, ig in zip(parents, in_grads):
            if parent is None or ig is None:
                continue
            if type(ig) is not ndarray:
                ig = xp.asarray(ig)
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
        if accumulate and type(leaf) is not OptionalLeaf:
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
        return xp.ones(root.data.shape, dtype=root.data.dtype) if root.data.ndim else \
            xp.array(1, dtype=root.data.dtype)
    g = grad.data if isinstance(grad, Tensor) else xp.asarray(grad)
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


# ----------------------------------------------------------------------------------------------
# Gradient checking


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with the finite-difference estimate (raised by :func:`gradcheck`).

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> x = tl.tensor(np.ones(3), requires_grad=True)
    >>> try:
    ...     tl.gradcheck(lambda t: t.detach() * t, [x])   # detach hides half the gradient
    ... except tl.GradcheckError as e:
    ...     print(str(e)[:40])
    gradcheck: input 0 (shape (3,)): worst m
    """


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor] | Tensor,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Compare the engine's gradients of ``fn`` with central finite differences in float64.

    Every input that requires grad is perturbed element by element. A non-scalar output is
    reduced as ``sum(out * r)`` with a fixed random ``r``, which checks the full vector-Jacobian
    product. Inputs that are not float64 are cast to float64 copies; float64 inputs are used as
    they are (so non-contiguous and negative-stride arrays are checked as such).

    Parameters
    ----------
    fn : callable
        Called as ``fn(*inputs)``; returns a Tensor (or a sequence of Tensors).
    inputs : Tensor or sequence of Tensor
        The inputs of ``fn``; those that require grad are checked.
    eps : float, default 1e-6
        The finite-difference step.
    atol, rtol : float, default 1e-5 and 1e-3
        An element passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.

    Returns
    -------
    bool
        True; a mismatch raises instead.

    Raises
    ------
    GradcheckError
        naming the input, the index of the worst element and both values.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> x = tl.tensor(np.random.randn(3, 4), dtype=np.float64, requires_grad=True)
    >>> tl.gradcheck(lambda t: (t * t).tanh().sum(), [x])
    True
    """
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    checked = []
    for t in inputs:
        if t.dtype != xp.float64 and t.dtype.kind == "f":
            t = Tensor(t.data.astype(xp.float64), requires_grad=t.requires_grad)
        checked.append(t)
    wrt = [t for t in checked if t.requires_grad]
    if not wrt:
        raise ValueError("gradcheck: no input has requires_grad=True")

    out = fn(*checked)
    outs = [out] if isinstance(out, Tensor) else list(out)
    rng = xp.random.default_rng(1234)
    weights = [rng.standard_normal(o.shape) for o in outs]

    def scalar_value() -> float:
        with no_grad():
            o = fn(*checked)
        os_ = [o] if isinstance(o, Tensor) else list(o)
        return float(sum((oi.data.astype(xp.float64) * w).sum() for oi, w in zip(os_, weights)))

    analytic = grad(outs, wrt, grad_outputs=[w.astype(o.dtype) for o, w in zip(outs, weights)],
                    allow_unused=True)
    for k, (t, a) in enumerate(zip(wrt, analytic)):
        a = xp.zeros(t.shape) if a is None else a
        if a.shape != t.shape:
            raise GradcheckError(f"gradcheck: input {k}: gradient shape {a.shape} != {t.shape}")
        numeric = xp.zeros(t.shape)
        flat_index = list(xp.ndindex(t.shape)) if t.shape else [()]
        for idx in flat_index:
            orig = t.data[idx].copy()
            t.data[idx] = orig + eps
            up = scalar_value()
            t.data[idx] = orig - eps
            down = scalar_value()
            t.data[idx] = orig
            numeric[idx] = (up - down) / (2 * eps)
        excess = xp.where(xp.isfinite(a) & xp.isfinite(numeric),  # NaN or inf on either side fails
                          xp.abs(a - numeric) - (atol + rtol * xp.abs(numeric)), xp.inf)
        if excess.size and excess.max() > 0:
            worst = xp.unravel_index(int(excess.argmax()), t.shape) if t.shape else ()
            raise GradcheckError(
                f"gradcheck: input {k} (shape {t.shape}): worst mismatch at index {tuple(map(int, worst))}: "
                f"analytic {float(a[worst]):.6g} vs numeric {float(numeric[worst]):.6g} "
                f"(atol={atol}, rtol={rtol}); "
                f"{int((excess > 0).sum())} of {a.size} elements differ"
            )
    return True


# ----------------------------------------------------------------------------------------------

def _iter_entries(root: Tensor) -> Iterator[Op]:
    """Yield the entries reachable from ``root`` in reverse recording order (no recursion)."""
    if root._ctx is None:
        return
    heap = [(-root._ctx.seq, root._ctx)]
    seen = {root._ctx}
    while heap:
        op = heapq.heappop(heap)[1]
        yield op
        for p in op.parents:
            if isinstance(p, Op) and p not in seen:
                seen.add(p)
                heapq.heappush(heap, (-p.seq, p))
