"""``Op``: one differentiable operation, and once recorded, its entry on the tape.

Also what every entry is stamped with when recorded: its place in recording order (``seq``, from
one counter shared with the version counter), and the module call it was recorded in (for drawing
and for error messages); and the hook chain through which ``tl.profile()`` and anomaly detection
see every op.
"""
from __future__ import annotations

import itertools
import threading
from typing import Any

from tensorlite import backend
from tensorlite.autograd.mode import _mode
from tensorlite.backend import ndarray
from tensorlite.backend import xp as _numpy
from tensorlite.tensor import Tensor

__all__ = ["Op", "Alias", "BackwardOf", "push_hook", "remove_hook", "module_path"]

_sequence = itertools.count()
_ONE_INPUT: Any = object()  # Op.apply's second input when there is only one
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

    Subclasses implement ``forward(*arrays, **params) -> array`` and
    ``backward(grad) -> array | tuple`` (one gradient per input, ``None`` where
    ``needs_input_grad`` is False). ``forward`` keeps the arrays ``backward`` needs with
    :meth:`save`; plain metadata (shapes, axes) may live on ``self``. A rule may return a
    gradient of the broadcast shape: the engine reduces it to the input's shape. A rule never
    writes into ``grad`` or into saved arrays. Both compute with ``self.xp``, the namespace of
    the array library that holds the inputs (:mod:`tensorlite.backend`), never with NumPy itself.

    Attributes set by :meth:`apply` on a recorded entry: ``parents`` (for each input: its entry,
    the leaf tensor itself, or None when it needs no gradient; set before ``forward`` runs, and
    empty when nothing is recorded, so ``forward`` can save only what will be used), ``seq``
    (recording order), ``shape`` and ``dtype`` (of the output).
    """

    saved: Any = ()  # what forward kept (a tuple); None once the engine released it
    parents: tuple[Any, ...] = ()
    seq: int
    shape: tuple[int, ...]
    dtype: Any
    module: tuple[Any, Any] | None = None  # the module call it was recorded in (see _ModuleCalls)
    _grad_hooks: dict[int, Any] | None = None  # Tensor.register_hook on a result of this entry
    xp: Any = backend.xp  # the inputs' array library (NumPy unless the first input says otherwise)

    def forward(self, *args: Any, **params: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} defines no forward")

    def backward(self, grad: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__} defines no backward rule")

    def backward_graph(self, grad: Tensor) -> Any:
        """The backward rule written with recorded ops, for ``tl.grad(..., create_graph=True)``.

        Takes the upstream gradient as a Tensor and returns Tensors (or None, as ``backward``),
        computed with tensorlite's own functions so that the gradient is itself recorded and can be
        differentiated again. Saved arrays enter the computation through :meth:`input_tensor` and
        :meth:`output_tensor`, which connect them to the graph. The fast ``backward`` stays the
        rule of every first-order walk; this one runs only when a graph of the gradient is asked for.
        """
        raise RuntimeError(
            f"{self.name} has no double-backward rule, so its gradient cannot be differentiated "
            "(tl.grad(..., create_graph=True)); compute this part without create_graph=True")

    def input_tensor(self, i: int, data: Any) -> Tensor:
        """Input ``i`` of this entry, with the values ``data`` (saved by ``forward``), as a node of
        the graph: the leaf tensor itself, a tensor produced by the input's entry, or a constant
        when that input needs no gradient. For :meth:`backward_graph`."""
        parent = self.parents[i]
        if parent is None or isinstance(parent, Tensor):
            return Tensor._wrap(data) if parent is None else parent
        t = Tensor._wrap(data)
        t._requires_grad = True
        t._ctx = parent
        return t

    def output_tensor(self, data: Any) -> Tensor:
        """This entry's output, with the values ``data`` (saved by ``forward``), as a node of the
        graph (differentiating through it runs this entry's rule again). For :meth:`backward_graph`."""
        t = Tensor._wrap(data)
        t._requires_grad = True
        t._ctx = self
        return t

    def backward_by_recompute(self, grad: Tensor, forward: Any, *arrays: Any) -> tuple[Any, ...]:
        """A ``backward_graph`` for a fused op: run ``forward`` (this op's forward written with
        recorded tensorlite functions) on its inputs again, and differentiate that.

        ``arrays`` are the inputs' values (saved by ``forward``; None for an input that needs no
        gradient and is not used, or the value for a constant input). Each input that needs a
        gradient enters through its own ``Alias`` entry, so the walk stops there and every input
        gets its own partial derivative, as a Tensor connected to the real graph.

        Examples
        --------
        A fused ``softplus`` could write ``return self.backward_by_recompute(grad, lambda x:
        tl.log1p(tl.exp(x)), x)``, with ``x`` saved by its forward.
        """
        from tensorlite.autograd.engine import _graph_backward
        from tensorlite.autograd.mode import enable_grad

        nodes = [Alias.apply(self.input_tensor(i, a)) if p is not None else
                 (None if a is None else Tensor._wrap(a))
                 for i, (p, a) in enumerate(zip(self.parents, arrays))]
        wanted = [n for n, p in zip(nodes, self.parents) if p is not None]
        with enable_grad():
            out = forward(*nodes)
        found = iter(_graph_backward([out], [grad], wanted, retain_graph=True, stop_at_inputs=True))
        return tuple(next(found) if p is not None else None for p in self.parents[:len(arrays)])

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
    def apply(cls, a: Tensor, b: Any = _ONE_INPUT, /, *more: Tensor, **params: Any) -> Tensor:
        """apply(*inputs, **params)

        Run ``forward`` on the inputs' arrays and record the op when a gradient may flow.
        """
        # The inputs are positional-only (the line above is the signature the docs show), so one
        # or two of them arrive without packing a tuple, and a keyword parameter may have any name.
        if _hook is not None and not _hook._busy:  # profiling or anomaly detection is on
            return _hook.apply(cls, (a,) if b is _ONE_INPUT else (a, b, *more), params)
        op = cls.__new__(cls)  # no __init__ to run
        first = a.data
        # Record when grad mode is on and some input requires grad; each input's parent is its
        # entry, the leaf itself, or None. One and two inputs are the common cases: no loops.
        if b is _ONE_INPUT:
            record = a._requires_grad and _mode.enabled
            if record:
                op.parents = (a._ctx if a._ctx is not None else a,)
        elif not more:
            record = (a._requires_grad or b._requires_grad) and _mode.enabled
            if record:
                op.parents = (a._ctx if a._ctx is not None else (a if a._requires_grad else None),
                              b._ctx if b._ctx is not None else (b if b._requires_grad else None))
        else:
            inputs = (a, b, *more)
            record = _mode.enabled and any([t._requires_grad for t in inputs])
            if record:
                op.parents = tuple([t._ctx if t._ctx is not None else (t if t._requires_grad else None)
                                    for t in inputs])
        if type(first) is not ndarray:  # another library's array: compute with its namespace
            op.xp = backend.array_module(first)
        # (a call with ``**params`` costs more than a plain one even when params is empty)
        if b is _ONE_INPUT:
            data = op.forward(first, **params) if params else op.forward(first)
        elif not more:
            data = op.forward(first, b.data, **params) if params else op.forward(first, b.data)
        else:
            data = op.forward(*[t.data for t in inputs], **params)
        if type(data) is not ndarray:  # a NumPy scalar, say, or another library's array
            xp = op.xp
            if xp is _numpy or not xp.is_array(data):
                data = xp.asarray(data)
        out = Tensor.__new__(Tensor)
        out.data = data
        out._grad = None
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


class BackwardOf:
    """Stands in for a module in the call frame while an entry's ``backward_graph`` records (under
    ``create_graph=True``): each entry recorded there keeps it, so :mod:`tensorlite.viz` can draw
    the gradient's ops in a "backward of ..." cluster and error messages can say where they came from."""

    __slots__ = ("op",)

    def __init__(self, op: Op) -> None:
        self.op = op

    def __repr__(self) -> str:
        return f"backward of {self.op.name} (entry #{getattr(self.op, 'seq', '?')})"


def module_path(frame: tuple[Any, Any] | None) -> str:
    """``'Net.encoder.0 (Linear)'`` for a module call frame (see ``_ModuleCalls``), or ``''``."""
    chain = []
    while frame is not None:
        chain.append(frame[0])
        frame = frame[1]
    if not chain:
        return ""
    if isinstance(chain[0], BackwardOf):
        return repr(chain[0])
    chain.reverse()  # outermost first
    names = [type(chain[0]).__name__]
    for parent, child in zip(chain, chain[1:]):
        children = getattr(parent, "_modules", {})
        names.append(next((n for n, m in children.items() if m is child), type(child).__name__))
    return ".".join(names) + (f" ({type(chain[-1]).__name__})" if len(chain) > 1 else "")


class Alias(Op):
    """The identity, recorded: a distinct entry for a value (``backward_by_recompute`` gives each
    input of a recomputed op its own, so that each gets its own partial derivative)."""

    def forward(self, a):
        return a

    def backward(self, grad):
        return grad

    backward_graph = backward
