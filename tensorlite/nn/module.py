"""``Module`` and ``Parameter``: the base of every layer and model.

A module holds parameters (tensors that ``loss.backward()`` fills with gradients), buffers
(state such as BatchNorm's running statistics) and child modules, and composes tensor ops in
``forward``. It contains no gradient code: gradients come from the tape.

For code written in the older explicit-backward style, every module also keeps
``backward(dout)``: each ``forward`` call is remembered (its inputs and its output, as tape
entries), and ``backward(dout)`` runs just the tape segment between them.
"""
from __future__ import annotations

import functools
import sys
import weakref
from typing import Any, Callable, Iterator, NamedTuple

from tensorlite import autograd
from tensorlite.array import as_array
from tensorlite.autograd.function import _calls
from tensorlite.autograd.mode import _mode
from tensorlite.backend import ndarray, xp
from tensorlite.device import _KNOWN as _DEVICES
from tensorlite.device import check_device
from tensorlite.device import device as device_type
from tensorlite.nn import hooks as _hooks
from tensorlite.tensor import Tensor

__all__ = ["Module", "Parameter"]


class Parameter(Tensor):
    """A tensor that is a module's parameter: assigning one to a module attribute registers it.

    Parameters
    ----------
    data : ndarray, Tensor or nested sequence (floating point; wrapped without a copy)
    requires_grad : bool, default True

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> w = tl.nn.Parameter(np.zeros((2, 3), dtype=np.float32))
    >>> w.requires_grad, w.shape
    (True, (2, 3))
    """

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        super().__init__(data, requires_grad=requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __setattr__(self, name: str, value: Any) -> None:
        # ``data`` is always a tensorlite.array.Array (an ndarray with PyTorch's in-place idioms:
        # p.data.normal_(0, 0.02), p.data.add_(p.grad, alpha=-lr)), also after ``p.data = x``.
        # Converted where it is set, so reading it stays the slot's own C getter (the hot path).
        if name == "data":
            value = as_array(value)
        object.__setattr__(self, name, value)


class _IncompatibleKeys(NamedTuple):
    missing_keys: list[str]
    unexpected_keys: list[str]


class StateDictError(KeyError, ValueError):
    """``load_state_dict`` found missing, unexpected or wrong-shape keys (all listed at once).

    A ``KeyError`` (keys missing or unexpected) and a ``ValueError`` (shapes), so either
    ``except`` catches it.

    Examples
    --------
    >>> from tensorlite import nn
    >>> try:
    ...     nn.Linear(2, 3).load_state_dict({"weight": [[1.0, 2.0]]})
    ... except nn.StateDictError as e:
    ...     print(*str(e).split(" | "), sep=chr(10))
    Error(s) in loading state_dict for Linear: wrong shape for weight: checkpoint shape (1, 2), model shape (3, 2)
    missing keys bias
    """

    def __str__(self) -> str:
        return str(self.args[0])


def _as_input(value: Any) -> Any:
    """An argument of ``forward`` as the layer will see it: ndarrays and nested lists of numbers
    become tensors (``requires_grad=False``), tuples (an LSTM's ``(h0, c0)``) are converted element
    by element, and anything else is passed through."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, ndarray):
        return Tensor._wrap(value) if value.dtype.kind in "fiub" else Tensor(value)
    if type(value) is tuple:
        return tuple([_as_input(v) for v in value])
    if type(value) is list and value and not isinstance(value[0], (Tensor, Module)):
        try:
            return Tensor(value)
        except TypeError:  # not numbers (a list of strings, of modules...): the layer decides
            return value
    return value


def _as_leaf(value: Any) -> Any:
    """A floating tensor that needs no gradient as a leaf that requires one (for modules whose
    ``_inputs_require_grad`` is set); tuples element by element; anything else as it is."""
    if isinstance(value, Tensor) and not value._requires_grad and value.data.dtype.kind == "f":
        leaf = Tensor._wrap(value.data)
        leaf._requires_grad = True
        return leaf
    if type(value) is tuple:
        return tuple([_as_leaf(v) for v in value])
    return value


def _flat(value: Any) -> list[Any]:
    """The leaves of a (possibly nested) tuple or list: ``(dout, (dh, dc))`` gives
    ``[dout, dh, dc]``."""
    if isinstance(value, (tuple, list)):
        return [leaf for v in value for leaf in _flat(v)]
    return [value]


def _tensors(value: Any) -> list[Tensor]:
    """The tensors in a (possibly nested) tuple or list, in order."""
    return [t for t in _flat(value) if isinstance(t, Tensor)]


def _skeleton(value: Any) -> Any:
    """The tuple structure of ``value`` with True where a tensor stands (no data kept alive)."""
    if isinstance(value, Tensor):
        return True
    if isinstance(value, (tuple, list)):
        return tuple(_skeleton(v) for v in value)
    return None


def _structured(skeleton: Any, grads: Iterator[Any]) -> Any:
    """Fill a skeleton with one gradient per tensor (None elsewhere)."""
    if skeleton is True:
        return next(grads)
    if type(skeleton) is tuple:
        return tuple(_structured(v, grads) for v in skeleton)
    return None


def _node(t: Tensor) -> Any:
    """A weak reference to what stands for ``t`` in a walk: its tape entry, or the leaf itself;
    None when no gradient can flow to or from ``t``."""
    if t._ctx is not None:
        return weakref.ref(t._ctx)
    return weakref.ref(t) if t._requires_grad else None


class _Call(NamedTuple):
    """What ``backward(dout)`` needs from the last forward call, held weakly: the module keeps
    no part of the graph alive (the caller's outputs or loss do, as in PyTorch)."""

    inputs: tuple[Any, ...]    # the skeleton of the positional arguments (see _skeleton)
    input_nodes: list[Any]     # per tensor input: a weakref (see _node), or None
    outputs: list[Any]         # per tensor output: (weakref or None, shape, dtype)


class _Root:
    """Stands for a non-leaf tensor in a backward call: its tape entry, without its data."""

    __slots__ = ("_ctx",)

    def __init__(self, entry: autograd.Op) -> None:
        self._ctx = entry


_ONE_TENSOR = (True,)  # the skeleton of a call with one tensor argument
_NOTHING_RECORDED = _Call(_ONE_TENSOR, [None], [])  # the last (one-input) call recorded no op
_summary_rows: list[tuple[Module, tuple[int, ...] | str]] | None = None  # set while summary() runs


def _remember(args: tuple[Any, ...], out: Any) -> _Call:
    """The last call, for ``backward(dout)``: its inputs' and outputs' tape nodes, held weakly."""
    if type(out) is Tensor and len(args) == 1 and isinstance(args[0], Tensor):  # the usual case
        if out._ctx is None and not out._requires_grad:
            return _NOTHING_RECORDED
        return _Call(_ONE_TENSOR, [_node(args[0])], [(_node(out), out.data.shape, out.data.dtype)])
    outputs = [(_node(t), t.shape, t.dtype) for t in _tensors(out)]
    if all(node is None for node, _, _ in outputs):  # nothing recorded: no outputs to walk from
        return _Call(_skeleton(args), [None] * len(_tensors(args)), [])
    return _Call(_skeleton(args), [_node(t) for t in _tensors(args)], outputs)


def _recording(forward: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a subclass's ``forward`` to convert its inputs and remember the call."""

    @functools.wraps(forward)
    def recorded_forward(self: Module, *args: Any, **kwargs: Any) -> Any:
        args = tuple([_as_input(a) for a in args])
        if self._inputs_require_grad and _mode.enabled:
            args = tuple([_as_leaf(a) for a in args])
        calls = _calls  # the running module call, which entries recorded inside keep
        outer = calls.frame
        calls.frame = (self, outer)
        try:
            out = forward(self, *args, **kwargs)
        finally:
            calls.frame = outer
        if _summary_rows is not None:
            outs = _tensors(out)
            _summary_rows.append((self, outs[0].shape if len(outs) == 1 else
                                  ", ".join(str(t.shape) for t in outs)))
        self.__dict__["_last_call"] = _remember(args, out) if _mode.enabled else None
        return out

    recorded_forward._records_call = True  # type: ignore[attr-defined]
    return recorded_forward


def _addindent(text: str, spaces: int) -> str:
    lines = text.split("\n")
    return lines[0] if len(lines) == 1 else "\n".join([lines[0]] + [" " * spaces + ln for ln in lines[1:]])


class Module:
    """Base class of every layer and model.

    Assigning a :class:`Parameter` or a ``Module`` to an attribute registers it; ``forward``
    defines the computation and ``module(x)`` calls it. ``forward`` accepts plain ndarrays for
    its array arguments (they become tensors).

    Legacy explicit backward: ``backward(dout)`` propagates ``dout`` (the gradient of the last
    output) through the tape segment of the last ``forward`` call, stopping at that call's
    inputs, accumulates into the ``.grad`` of the parameters inside the segment exactly as
    ``loss.backward()`` does, and returns the gradient of the input (an ndarray, also when the
    input was a plain ndarray; a tuple for several inputs). Each backward call accumulates: after
    ``loss.backward(retain_graph=True)`` a ``model.backward(dout)`` adds the same gradients a
    second time; without ``retain_graph`` the second walk raises, as in PyTorch.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> from tensorlite import nn
    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.Linear(4, 8)
    ...         self.out = nn.Linear(8, 2)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> model = TwoLayer()
    >>> model
    TwoLayer(
      (hidden): Linear(in_features=4, out_features=8, bias=True)
      (out): Linear(in_features=8, out_features=2, bias=True)
    )
    >>> [name for name, _ in model.named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    >>> model(np.ones((3, 4), dtype=np.float32)).shape
    (3, 2)
    """

    training: bool
    # Set by modules of tensorlite.legacy: an input that needs no gradient becomes a leaf that
    # requires one, so backward(dout) returns dL/d(input) as the older library's modules did.
    _inputs_require_grad: bool = False
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _modules: dict[str, Module]  # a slot may hold None (an absent child), as in PyTorch

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers"] = set()
        d["_modules"] = {}
        d["_last_call"] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        forward = cls.__dict__.get("forward")
        if forward is not None and not getattr(forward, "_records_call", False):
            cls.forward = _recording(forward)  # type: ignore[method-assign]

    # -- computation -------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines it. Call the module (``module(x)``), which runs it."""
        raise NotImplementedError(f"{type(self).__name__} defines no forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # while some module has hooks, tensorlite.nn.hooks puts a __call__ that checks for them here
        return self.forward(*args, **kwargs)

    # -- hooks (as PyTorch's; they run when the module is called, not on module.forward(x)) ----
    def register_forward_pre_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                                  with_kwargs: bool = False) -> _hooks.RemovableHandle:
        """Call ``hook(module, args)`` before each call's ``forward``; it may return new args.

        Parameters
        ----------
        hook : callable
            ``hook(module, args) -> None or new args`` (a value that is not a tuple is wrapped in
            one); with ``with_kwargs=True``, ``hook(module, args, kwargs) -> None or (new_args,
            new_kwargs)``. ``args`` is the tuple of positional arguments (ndarrays already made
            tensors).
        prepend : bool
            Run this hook before those already registered (default: after them).
        with_kwargs : bool
            Also pass (and let the hook replace) the keyword arguments.

        Returns
        -------
        RemovableHandle
            ``handle.remove()`` unregisters the hook.

        Examples
        --------
        >>> import tensorlite as tl
        >>> layer = tl.nn.Identity()
        >>> handle = layer.register_forward_pre_hook(lambda module, args: args[0] + 1)
        >>> layer(tl.zeros(2))
        tensor([1., 1.])
        >>> handle.remove()
        >>> layer(tl.zeros(2))
        tensor([0., 0.])
        """
        return _hooks.register(self, "forward_pre", hook, prepend, with_kwargs=with_kwargs)

    def register_forward_hook(self, hook: Callable[..., Any], *, prepend: bool = False,
                              with_kwargs: bool = False, always_call: bool = False) -> _hooks.RemovableHandle:
        """Call ``hook(module, args, output)`` after each call's ``forward``; it may return a new output.

        Parameters
        ----------
        hook : callable
            ``hook(module, args, output) -> None or new output``; with ``with_kwargs=True``,
            ``hook(module, args, kwargs, output)``. ``args`` are the arguments ``forward`` got.
        prepend : bool
            Run this hook before those already registered (default: after them).
        with_kwargs : bool
            Also pass the keyword arguments.
        always_call : bool
            Run the hook even when ``forward`` raises (with ``output`` None; the error is re-raised).

        Returns
        -------
        RemovableHandle
            ``handle.remove()`` unregisters the hook.

        Examples
        --------
        Record the shape of every layer's output:

        >>> import tensorlite as tl
        >>> model = tl.nn.Sequential(tl.nn.Linear(4, 3), tl.nn.ReLU())
        >>> shapes = []
        >>> handles = [m.register_forward_hook(lambda m, args, out: shapes.append(out.shape))
        ...            for m in model]
        >>> _ = model(tl.ones(2, 4))
        >>> shapes
        [(2, 3), (2, 3)]
        >>> for h in handles:
        ...     h.remove()
        """
        return _hooks.register(self, "forward", hook, prepend, with_kwargs=with_kwargs,
                               always_call=always_call)

    def register_full_backward_hook(self, hook: Callable[..., Any],
                                    prepend: bool = False) -> _hooks.RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients with respect to a
        call's inputs are computed; it may return a new ``grad_input``.

        As PyTorch's: ``grad_input`` has one entry per positional argument of the call and
        ``grad_output`` one per output (one for a single Tensor), each a Tensor or None (for an
        argument or output that is not a Tensor, or that got no gradient; only top-level
        Tensors count). When no input requires grad, the hook runs as soon as the output
        gradients are known, with ``grad_input`` all None (and a warning). It runs in
        ``loss.backward()``, ``tl.grad`` (under ``create_graph=True`` it gets Tensors with a
        graph) and the legacy ``module.backward(dout)``; the hooks of a call are those
        registered when it ran.

        Parameters
        ----------
        hook : callable
            ``hook(module, grad_input, grad_output) -> None or a tuple like grad_input``.
        prepend : bool
            Run this hook before those already registered (default: after them).

        Returns
        -------
        RemovableHandle
            ``handle.remove()`` unregisters the hook.

        Examples
        --------
        >>> import tensorlite as tl
        >>> layer = tl.nn.Linear(3, 2)
        >>> seen = []
        >>> handle = layer.register_full_backward_hook(
        ...     lambda m, gin, gout: seen.append((gin[0].shape, gout[0].shape)))
        >>> layer(tl.ones(4, 3, requires_grad=True)).sum().backward()
        >>> seen
        [((4, 3), (4, 2))]

        Scale the gradient that goes on to the input:

        >>> handle.remove()
        >>> handle = layer.register_full_backward_hook(lambda m, gin, gout: (gin[0] * 0,))
        >>> x = tl.ones(4, 3, requires_grad=True)
        >>> layer(x).sum().backward()
        >>> float(abs(x.grad).sum())
        0.0
        >>> handle.remove()
        """
        return _hooks.register(self, "backward", hook, prepend)

    def register_full_backward_pre_hook(self, hook: Callable[..., Any],
                                        prepend: bool = False) -> _hooks.RemovableHandle:
        """Call ``hook(module, grad_output)`` when the gradients of a call's outputs are known,
        before they go on into the module; it may return a new ``grad_output``.

        Parameters
        ----------
        hook : callable
            ``hook(module, grad_output) -> None or a tuple like grad_output`` (one entry per
            output: a Tensor, or None where no gradient came).
        prepend : bool
            Run this hook before those already registered (default: after them).

        Returns
        -------
        RemovableHandle
            ``handle.remove()`` unregisters the hook.

        Examples
        --------
        >>> import tensorlite as tl
        >>> layer = tl.nn.Linear(3, 2)
        >>> handle = layer.register_full_backward_pre_hook(lambda m, gout: (gout[0] * 10,))
        >>> layer(tl.ones(1, 3)).sum().backward()
        >>> layer.bias.grad
        array([10., 10.], dtype=float32)
        >>> handle.remove()
        """
        return _hooks.register(self, "backward_pre", hook, prepend)

    def backward(self, dout: Any = None) -> Any:
        """Legacy explicit backward through this module's last forward call.

        Parameters
        ----------
        dout : ndarray or Tensor of the last output's shape; for several outputs, the gradient of
            the first, or a tuple shaped like the outputs (an LSTM's ``(dout, (dh, dc))``; None
            for an output that gets no gradient); may be omitted when the output is a scalar.

        Returns
        -------
        ndarray : dL/d(input), or a tuple with one entry per input (None for an input that
        does not require grad, such as a plain ndarray, or that no gradient reaches).

        Raises
        ------
        RuntimeError
            When there is nothing to walk: no forward call yet, the last one ran under
            ``no_grad`` or recorded nothing (no parameter or input requires grad), or its graph
            was freed because nothing holds its outputs any more.

        Examples
        --------
        >>> import numpy as np, tensorlite as tl
        >>> layer = tl.nn.Linear(3, 2)
        >>> out = layer.forward(tl.ones(4, 3, requires_grad=True))
        >>> dx = layer.backward(np.ones((4, 2), dtype=np.float32))
        >>> dx.shape, layer.weight.grad.shape
        ((4, 3), (2, 3))
        """
        call: _Call | None = self.__dict__.get("_last_call")
        if call is None:
            raise RuntimeError(
                f"{self!r}.backward(): there is no recorded forward call to propagate through; call "
                "forward first, with gradient recording on (not under tl.no_grad())"
            )
        if not call.outputs:  # the last forward recorded nothing
            if next(self.parameters(), None) is not None:  # a frozen model: say why
                raise RuntimeError(
                    f"{self!r}.backward(): the last forward recorded nothing to walk back through: "
                    "no parameter it used and no input it was given requires grad. To get "
                    "dL/d(input), pass an input with requires_grad=True (tl.tensor(x, requires_grad=True))"
                )
            # a layer without parameters (Flatten, ReLU, ...) on an input that needs no gradient:
            # there is nothing to propagate, and no input gradient was asked for
            grads = iter([None] * len(call.input_nodes))
            result = tuple(_structured(a, grads) for a in call.inputs)
            return result[0] if len(result) == 1 else result
        douts = _flat(dout) if len(call.outputs) > 1 else [dout]
        if len(douts) > len(call.outputs):
            raise ValueError(f"{self!r}.backward(): got {len(douts)} gradients for "
                             f"{len(call.outputs)} outputs")
        roots, seeds = [], []
        for i, ((node, shape, dtype), g) in enumerate(zip(call.outputs, douts)):
            if g is None:
                if i == 0 and dout is None and len(call.outputs) == 1:
                    if shape not in ((), (1,)):
                        raise RuntimeError(f"{self!r}.backward(): dout is needed for an output of "
                                           f"shape {shape}; only a scalar output can omit it")
                    g = xp.ones(shape, dtype=dtype)
                else:
                    continue
            g = g.data if isinstance(g, Tensor) else xp.asarray(g)
            if g.shape != shape:
                raise ValueError(f"{self!r}.backward(): dout has shape {g.shape} but output {i} "
                                 f"of the last forward has shape {shape}")
            if node is None:
                continue
            root = node()
            if root is None:
                raise RuntimeError(
                    f"{self!r}.backward(): the graph of the last forward call was freed, because "
                    "nothing holds its output any more; keep the output (or a loss computed from "
                    "it) alive until backward(dout)"
                )
            roots.append(_Root(root) if isinstance(root, autograd.Op) else root)
            seeds.append(g.astype(dtype, copy=False))
        if not roots:
            raise RuntimeError(f"{self!r}.backward(): the last forward's outputs do not require grad")
        inputs = [None if node is None else node() for node in call.input_nodes]
        targets = [_Root(n) if isinstance(n, autograd.Op) else n for n in inputs if n is not None]
        found = iter(autograd.backward(roots, seeds, inputs=targets, stop_at_inputs=True))
        grads = iter([None if n is None else next(found) for n in inputs])
        result = tuple(_structured(a, grads) for a in call.inputs)
        return result[0] if len(result) == 1 else result

    # -- registration ------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        if "_parameters" not in d:
            raise AttributeError(f"cannot assign {name!r} before Module.__init__() has been called; "
                                 f"call super().__init__() first in {type(self).__name__}.__init__")
        params, buffers, modules = d["_parameters"], d["_buffers"], d["_modules"]
        if isinstance(value, Parameter):
            if name not in params:  # replacing one keeps its place in the registration order
                self._forget(name)
            params[name] = value
        elif isinstance(value, Module):
            if name not in modules:
                self._forget(name)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(f"{type(self).__name__}.{name} is a parameter: assign a "
                                f"nn.Parameter or None, not {type(value).__name__}")
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(f"{type(self).__name__}.{name} is a child module: assign a "
                                f"Module or None, not {type(value).__name__}")
            modules[name] = None
        elif name in buffers:
            buffers[name] = self._as_buffer(name, value)
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str) -> None:
        d = self.__dict__
        for registry in (d["_parameters"], d["_buffers"], d["_modules"]):
            registry.pop(name, None)
        d.pop(name, None)
        d["_non_persistent_buffers"].discard(name)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry in d and name in d[registry]:
                return d[registry][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in d[registry]:
                del d[registry][name]
                d["_non_persistent_buffers"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    @staticmethod
    def _check_name(name: Any, what: str, owner: Module) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{what} name must be a string, got {type(name).__name__}")
        if not name or "." in name:
            raise KeyError(f"{what} name must be non-empty and contain no '.', got {name!r}")
        if hasattr(type(owner), name):
            raise KeyError(f"{what} name {name!r} clashes with an attribute of {type(owner).__name__}")

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a child called ``name`` (as ``self.name = module`` does)."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module({name!r}): {type(module).__name__} is not a Module")
        self._check_name(name, "module", self)
        if name not in self._modules:
            self._forget(name)
        self._modules[name] = module  # type: ignore[assignment]

    register_module = add_module

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (a :class:`Parameter`, or None for an absent one such as ``bias``)."""
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"register_parameter({name!r}): expected a Parameter or None, got "
                            f"{type(param).__name__}")
        self._check_name(name, "parameter", self)
        if name not in self._parameters:
            self._forget(name)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Any, persistent: bool = True) -> None:
        """Register state that is not a parameter (running statistics): saved in ``state_dict``
        (unless ``persistent=False``), never given a gradient. Read back as a Tensor."""
        self._check_name(name, "buffer", self)
        if name not in self._buffers:
            self._forget(name)
        self._buffers[name] = self._as_buffer(name, tensor)
        if persistent:
            self._non_persistent_buffers.discard(name)
        else:
            self._non_persistent_buffers.add(name)

    def _as_buffer(self, name: str, value: Any) -> Tensor | None:
        if value is None or (isinstance(value, Tensor) and not value.requires_grad):
            return value
        if isinstance(value, Tensor):
            return value.detach()
        if isinstance(value, ndarray):
            return Tensor(value)
        raise TypeError(f"buffer {name!r} of {type(self).__name__} must be a Tensor, an ndarray or "
                        f"None, got {type(value).__name__}")

    # -- traversal ---------------------------------------------------------------------------
    def named_modules(self, memo: set[int] | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """Yield ``(qualified name, module)`` for this module (name ``''``) and every descendant."""
        stack: list[tuple[str, Module]] = [(prefix, self)]
        seen = memo if memo is not None else set()
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if id(module) in seen:
                    continue
                seen.add(id(module))
            yield name, module
            children = [(f"{name}.{n}" if name else n, m) for n, m in module._modules.items()
                        if m is not None]
            stack.extend(reversed(children))

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, each once (see :meth:`named_modules`)."""
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for each direct submodule, each module once."""
        seen: set[int] = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct submodules (see :meth:`named_children`)."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool = True) -> Iterator[tuple[str, Any]]:
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse
                   else iter([(prefix, self)]))
        seen: set[int] = set()
        for module_name, module in modules:
            for name, value in getattr(module, registry).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{module_name}.{name}" if module_name else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Yield ``(qualified name, parameter)``, each shared parameter once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter, each once; those of submodules too unless ``recurse=False``."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, buffer)`` for every buffer, as :meth:`named_parameters` does for parameters."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer (such as a batch norm's running statistics), each once."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every child (recursively), then on this module; return ``self``."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # -- modes and gradients -----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        """Set training mode (Dropout active, BatchNorm uses batch statistics) here and below."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode): mode must be a bool, got {type(mode).__name__}")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Set evaluation mode (``train(False)``). Does not stop recording: use ``tl.no_grad()``."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Switch gradient recording on or off for every parameter (freeze / unfreeze)."""
        for p in self.parameters():
            p.requires_grad = bool(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad`` to None (or to zeros with ``set_to_none=False``)."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad = xp.zeros_like(p.data)

    def get_submodule(self, target: str) -> Module:
        """The descendant called ``target`` (a dotted path such as ``"features.0"``; ``""`` is self)."""
        module = self
        for part in target.split(".") if target else []:
            child = module._modules.get(part)
            if child is None:
                raise AttributeError(f"{type(module).__name__} has no submodule {part!r} (looking up {target!r})")
            module = child
        return module

    def cpu(self) -> Module:
        """``self``: parameters and buffers are on the CPU already (PyTorch's ``Module.cpu``).

        Examples
        --------
        >>> import tensorlite as tl
        >>> layer = tl.nn.Linear(2, 2)
        >>> layer.cpu() is layer
        True
        """
        return self

    def cuda(self, device: Any = None) -> Module:
        """Move to a CUDA device: a ``RuntimeError`` in this build, which has no GPU backend.

        Parameters
        ----------
        device : int, str or tensorlite.device, optional
            The CUDA device.

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.nn.Linear(2, 2).cuda()  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        RuntimeError: Module.cuda: device 'cuda' is not available: this build of tensorlite has no GPU backend...
        """
        check_device("cuda" if device is None else device if isinstance(device, (str, device_type))
                     else f"cuda:{device}", "Module.cuda")
        return self  # pragma: no cover - check_device raises for every CUDA device

    def to(self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False) -> Module:
        """Cast every floating parameter and buffer to ``dtype``, in place (the tensors keep their
        identity, so an optimizer made before still holds them); returns ``self``.

        As in PyTorch, ``to("cpu")``, ``to(tl.device("cpu"))``, ``to(device="cpu")`` and
        ``to("cpu", dtype)`` are accepted (NumPy runs on the CPU only); another device
        (``"cuda"``) raises a ``RuntimeError``: this build has no GPU backend.

        Examples
        --------
        >>> import numpy as np, tensorlite as tl
        >>> layer = tl.nn.Linear(2, 2).to(np.float64)
        >>> layer.weight.dtype, layer(np.ones((1, 2))).dtype
        (dtype('float64'), dtype('float64'))
        """
        check_device(device, "Module.to")
        for arg in args:
            if isinstance(arg, Tensor):  # to(tensor): its dtype (and device)
                arg = arg.dtype
            elif isinstance(arg, (device_type, int)) or isinstance(arg, str) and arg.split(":")[0] in _DEVICES:
                check_device(arg, "Module.to")
                continue
            if dtype is not None:
                raise TypeError("to(): give the dtype once")
            dtype = arg
        if dtype is None:
            return self
        target = xp.dtype(dtype)
        if target.kind != "f":
            raise TypeError(f"to(): parameters must stay floating, got dtype {target}")
        with autograd.no_grad():
            for t in [*self.parameters(), *self.buffers()]:
                if t.dtype.kind == "f" and t.dtype != target:
                    t.data = t.data.astype(target)
                    if t.grad is not None:
                        t.grad = t.grad.astype(target)
        return self

    def double(self) -> Module:
        """Cast floating parameters and buffers to float64 (``to(np.float64)``)."""
        return self.to(xp.float64)

    def float(self) -> Module:
        """Cast floating parameters and buffers to float32 (``to(np.float32)``)."""
        return self.to(xp.float32)

    # -- state -------------------------------------------------------------------------------
    def state_dict(self, destination: dict[str, Any] | None = None, prefix: str = "",
                   keep_vars: bool = False) -> dict[str, Any]:
        """Return every parameter and persistent buffer by qualified name, in registration order.

        Values are the live ndarrays (not copies, as PyTorch's detached tensors share storage);
        ``keep_vars=True`` gives the Parameter and buffer tensors themselves. Keys follow
        PyTorch's naming, so ``Sequential(Linear(4, 3), ReLU(), Linear(3, 2))`` has
        ``0.weight 0.bias 2.weight 2.bias``.
        """
        out: dict[str, Any] = {} if destination is None else destination
        for module_name, module in self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False):
            base = f"{module_name}." if module_name else ""
            for name, p in module._parameters.items():
                if p is not None:
                    out[base + name] = p if keep_vars else p.data
            for name, b in module._buffers.items():
                if b is not None and name not in module._non_persistent_buffers:
                    out[base + name] = b if keep_vars else b.data
        return out

    def load_state_dict(self, state_dict: Any, strict: bool = True) -> _IncompatibleKeys:
        """Copy arrays from ``state_dict`` into this module's parameters and buffers, in place.

        Values may be ndarrays or tensors (a PyTorch state_dict converted with ``.numpy()``
        loads); they are cast to each parameter's dtype. Every problem is reported at once in one
        :class:`~tensorlite.nn.module.StateDictError` (a ``KeyError`` and a ``ValueError``), before anything is copied:
        wrong shapes and non-numeric values always, and with ``strict=True`` also missing and
        unexpected keys.

        Returns
        -------
        ``(missing_keys, unexpected_keys)``

        Examples
        --------
        >>> import numpy as np
        >>> from tensorlite import nn
        >>> try:
        ...     nn.Linear(2, 3).load_state_dict({"weight": np.zeros((2, 2)), "b": np.zeros(3)})
        ... except KeyError as e:
        ...     print(e)
        Error(s) in loading state_dict for Linear: wrong shape for weight: checkpoint shape (2, 2),
        model shape (3, 2) | missing keys bias | unexpected keys b
        """
        if not hasattr(state_dict, "keys") or not hasattr(state_dict, "__getitem__"):
            hint = " (a file path? load it first: model.load_state_dict(tl.load(path)))" \
                if isinstance(state_dict, (str, bytes)) or hasattr(state_dict, "__fspath__") else ""
            raise TypeError(f"{type(self).__name__}.load_state_dict: expected a mapping of names to arrays, "
                            f"got {type(state_dict).__name__}{hint}")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        wrong: list[str] = []
        not_numbers: list[str] = []
        for key, target in own.items():
            if key in state_dict:
                value = state_dict[key]
                arr = value.data if isinstance(value, Tensor) else xp.asarray(value)
                if arr.shape != target.shape:
                    wrong.append(f"{key}: checkpoint shape {arr.shape}, model shape {target.shape}")
                elif arr.dtype.kind not in "fiub":
                    not_numbers.append(f"{key} (dtype {arr.dtype})")
        problems = []
        if wrong:
            problems.append("wrong shape for " + "; ".join(wrong))
        if not_numbers:
            problems.append("non-numeric values for " + ", ".join(not_numbers))
        if strict and missing:
            problems.append("missing keys " + ", ".join(missing))
        if strict and unexpected:
            problems.append("unexpected keys " + ", ".join(unexpected))
        if problems:
            raise StateDictError(f"Error(s) in loading state_dict for {type(self).__name__}: "
                                 + " | ".join(problems))
        for key, target in own.items():
            if key in state_dict:
                value = state_dict[key]
                xp.copyto(target.data, value.data if isinstance(value, Tensor) else xp.asarray(value),
                          casting="unsafe")
                autograd.mark_dirty(target.data, f"{type(self).__name__}.load_state_dict")
        return _IncompatibleKeys(missing, unexpected)

    # -- description -------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses in ``repr`` (its hyper-parameters)."""
        return ""

    def __repr__(self) -> str:
        lines = [line for line in self.extra_repr().split("\n") if line]
        for name, module in self._modules.items():
            lines.append(f"({name}): " + _addindent(repr(module), 2))
        if not self._modules:
            return f"{type(self).__name__}({', '.join(lines) if len(lines) <= 1 else chr(10).join(lines)})"
        return type(self).__name__ + "(\n  " + "\n  ".join(lines) + "\n)"

    def summary(self, input_shape: Any, dtype: Any = None, file: Any = None) -> None:
        """Print each module's output shape and parameter count for an input of ``input_shape``.

        Runs one forward pass on zeros under ``no_grad`` and in eval mode, so no running statistic
        moves and no dropout mask is drawn; each module's mode is restored afterwards.

        Parameters
        ----------
        input_shape : tuple of ints, including the batch dim (or a list of tuples, one per input)
        dtype : input dtype (default: the dtype of the first parameter, else the default dtype)
        file : where to print (default: ``sys.stdout``)

        Examples
        --------
        >>> import tensorlite as tl
        >>> from tensorlite import nn
        >>> nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10)).summary((1, 784))
        Layer (type)    Output shape    Params
        ======================================
        Sequential      (1, 10)              0
          0: Linear     (1, 32)         25,120
          1: ReLU       (1, 32)              0
          2: Linear     (1, 10)            330
        ======================================
        Total params: 25,450
        Trainable params: 25,450
        """
        from tensorlite import config  # local: config is tiny, keeps the import graph flat

        shapes = input_shape if isinstance(input_shape, list) else [input_shape]
        if dtype is None:
            first = next(self.parameters(), None)
            dtype = first.dtype if first is not None else config.get_default_dtype()
        inputs = [xp.zeros(tuple(s), dtype=dtype) for s in shapes]
        global _summary_rows
        rows: list[tuple[Module, Any]] = []
        modes = [(m, m.training) for m in self.modules()]
        previous, _summary_rows = _summary_rows, rows
        try:
            self.eval()
            with autograd.no_grad():
                self(*inputs)
        finally:
            _summary_rows = previous
            for m, mode in modes:
                m.__dict__["training"] = mode
        names = {id(m): name for name, m in self.named_modules()}
        depth = {id(m): name.count(".") + (1 if name else 0) for name, m in self.named_modules()}
        order = [id(m) for _, m in self.named_modules()]
        shown = {id(m): shape for m, shape in rows}  # the last call of each module counts
        table = []
        for key in order:
            if key not in shown:
                continue
            module = next(m for m, _ in rows if id(m) == key)
            name = names[key]
            label = "  " * depth[key] + (f"{name.rsplit('.', 1)[-1]}: " if name else "") + type(module).__name__
            count = sum(p.size for p in module.parameters(recurse=False))
            table.append((label, str(shown[key]), f"{count:,}"))
        total = sum(p.size for p in self.parameters())
        trainable = sum(p.size for p in self.parameters() if p.requires_grad)
        w0 = max([len("Layer (type)")] + [len(r[0]) for r in table]) + 4
        w1 = max([len("Output shape")] + [len(r[1]) for r in table]) + 4
        w2 = max([len("Params")] + [len(r[2]) for r in table])
        rule = "=" * (w0 + w1 + w2)
        lines = [f"{'Layer (type)':<{w0}}{'Output shape':<{w1}}{'Params':>{w2}}", rule]
        lines += [f"{a:<{w0}}{b:<{w1}}{c:>{w2}}" for a, b, c in table]
        lines += [rule, f"Total params: {total:,}", f"Trainable params: {trainable:,}"]
        print("\n".join(lines), file=file if file is not None else sys.stdout)
