"""``Function``: PyTorch's custom-function API (``forward(ctx, ...)``/``backward(ctx, ...)``) on the tape.

An :class:`~tensorlite.autograd.Op` is the house way to write an op: arrays in and out, fast and
small. A ``Function`` is for code written against PyTorch's ``torch.autograd.Function``: its
``forward`` and ``backward`` receive and return *tensors*, run with recording off, and keep what
they need on ``ctx``. ``apply`` records one tape entry, named after the class (``grad_fn`` is
``'<ClassName>Backward'``), whose backward rule calls the class's ``backward``. Under
``tl.grad(..., create_graph=True)`` the entry's ``backward_graph`` calls it with recording on,
so a ``backward`` written with tensorlite ops is differentiable again (as in PyTorch).

Several outputs are recorded as one entry whose value is the outputs packed into one flat array;
each output is a recorded slice of it, so ``backward`` receives one gradient per output.
"""
from __future__ import annotations

from typing import Any

from tensorlite.autograd.function import Op
from tensorlite.autograd.mode import enable_grad, is_grad_enabled, no_grad
from tensorlite.backend import array_module
from tensorlite.tensor import Tensor

__all__ = ["Function", "FunctionCtx"]


class FunctionCtx:
    """What ``forward`` hands to ``backward``: saved tensors, flags and any attribute you set.

    Attributes
    ----------
    needs_input_grad : tuple of bool
        For each argument of ``forward`` (after ``ctx``), whether its gradient is needed; False
        for arguments that are not tensors.
    saved_tensors : tuple of Tensor
        What ``save_for_backward`` kept, for ``backward``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> class Scale(tl.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x, factor):
    ...         ctx.factor = factor                  # any attribute: plain Python state
    ...         return x * factor
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         return grad * ctx.factor, None       # one gradient per forward argument
    >>> x = tl.ones(2, requires_grad=True)
    >>> Scale.apply(x, 3.0).sum().backward()
    >>> x.grad
    array([3., 3.], dtype=float32)
    """

    def __init__(self) -> None:
        self.needs_input_grad: tuple[bool, ...] = ()
        self._to_save: tuple[Any, ...] = ()
        self._non_differentiable: set[int] = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        """Keep ``tensors`` (or None) for ``backward``, where ``ctx.saved_tensors`` returns them.

        Parameters
        ----------
        *tensors : Tensor or None
        """
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward: argument {i} is a {type(t).__name__}; only tensors "
                                "(or None) can be saved; keep other values as attributes of ctx")
        self._to_save = tensors

    @property
    def saved_tensors(self) -> tuple[Any, ...]:
        """The tensors given to ``save_for_backward`` (a second walk through a released graph
        stops before ``backward`` with the engine's error; with ``retain_graph=True`` they stay)."""
        return self._to_save

    def mark_non_differentiable(self, *outputs: Tensor) -> None:
        """Declare outputs of ``forward`` that get no gradient (indices, masks): they do not
        require grad, and ``backward`` receives zeros (or None) for them.

        Parameters
        ----------
        *outputs : Tensor
            Tensors that ``forward`` returns.
        """
        self._non_differentiable.update(id(t) for t in outputs)

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``backward`` receives zeros (True, the default) or None for an output whose
        gradient nothing computed.

        Parameters
        ----------
        value : bool
        """
        self.materialize_grads = bool(value)


class _FunctionEntry(Op):
    """The tape entry of one ``Function.apply`` call (subclassed per Function, for its name).

    Under ``tl.grad(..., create_graph=True)`` (``backward_graph``) the Function's ``backward``
    runs with recording on, on gradients that are Tensors with a graph, and ``ctx.saved_tensors``
    gives graph nodes: a saved input is that input, a saved output is this entry's output, so a
    ``backward`` written with tensorlite ops can be differentiated again, as in PyTorch. Other
    saved tensors (made inside ``forward``) are constants."""

    function: type[Function]
    ctx: FunctionCtx
    inputs: tuple[Any, ...]       # for each forward argument: its position among the tensor inputs, or None
    layout: list[tuple[Any, ...]]  # per differentiable output: (shape, size, dtype); empty: one unpacked output
    kinds: list[Any]               # per output of forward: True if differentiable, else None
    received: set[int]             # which packed outputs a gradient reached (set by _Unpack)
    output_meta: list[tuple[Any, ...]]  # per output of forward: (shape, dtype)
    roles: list[Any]               # per saved tensor: ("in", position), ("out", start, shape) or None
    def forward(self, *arrays: Any, data: Any) -> Any:
        return data  # forward ran in Function.apply, on tensors

    def backward(self, grad: Any) -> Any:
        if self.layout:  # several outputs packed in one array: unpack
            grads, start = [], 0
            for shape, size, _ in self.layout:
                grads.append(Tensor._wrap(grad[start:start + size].reshape(shape)))
                start += size
        else:
            grads = [Tensor._wrap(grad)]
        with no_grad():
            return self._call_backward(grads, array_module(grad), False)

    def backward_graph(self, grad: Tensor) -> Any:
        if self.layout:
            grads, start = [], 0
            for shape, size, _ in self.layout:
                grads.append(_Slice.apply(grad, start=start, shape=shape))
                start += size
        else:
            grads = [grad]
        ctx = self.ctx
        packed = self.saved[-1]
        nodes = [None if t is None else
                 t if role is None else
                 self.input_tensor(role[1], t.data) if role[0] == "in" else
                 (_Slice.apply(self.output_tensor(packed), start=role[1], shape=role[2]) if self.layout
                  else self.output_tensor(packed))
                 for t, role in zip(ctx._to_save, self.roles)]
        first, ctx._to_save = ctx._to_save, tuple(nodes)
        try:
            with enable_grad():
                return self._call_backward(grads, array_module(grad.data), True)
        finally:
            ctx._to_save = first

    def _call_backward(self, grads: list[Tensor], xp: Any, graph: bool) -> tuple[Any, ...]:
        """Call the Function's ``backward`` with one gradient per output of ``forward`` (Tensors);
        return one gradient (or None) per tensor input: an array, or a Tensor when ``graph``."""
        ctx = self.ctx
        full: list[Any] = []
        it = iter(enumerate(grads))
        for kind in self.kinds:  # one gradient per output of forward, in order
            if kind is None:  # a non-differentiable output
                full.append(None)
            else:
                k, g = next(it)
                full.append(g if not self.layout or k in self.received else None)
        if ctx.materialize_grads:
            full = [Tensor._wrap(xp.zeros(shape, dtype)) if g is None else g
                    for g, (shape, dtype) in zip(full, self.output_meta)]
        result = self.function.backward(ctx, *full)
        result = result if isinstance(result, tuple) else (result,)
        name = f"{self.function.__name__}.backward"
        if len(result) != len(self.inputs):
            raise RuntimeError(f"{name} returned {len(result)} gradient(s) but forward took "
                               f"{len(self.inputs)} argument(s): return one per argument (None for "
                               "arguments that are not tensors or need no gradient)")
        grads_out: list[Any] = [None] * len(self.parents)
        for i, (slot, g) in enumerate(zip(self.inputs, result)):
            if slot is None or g is None:
                continue
            if not isinstance(g, Tensor) and not array_module(g).is_array(g):
                raise TypeError(f"{name}: gradient {i} is a {type(g).__name__}, expected a tensor or None")
            if graph:
                grads_out[slot] = g if isinstance(g, Tensor) else Tensor._wrap(g)
            else:
                grads_out[slot] = g.data if isinstance(g, Tensor) else g
        return tuple(grads_out)


class _Slice(Op):
    """A piece of a packed 1-D array, reshaped (how a Function's several outputs are read)."""

    def forward(self, packed: Any, start: int, shape: tuple[int, ...]) -> Any:
        self.start, self.total = start, packed.shape[0]
        size = 1
        for n in shape:
            size *= n
        self.size = size
        return packed[start:start + size].reshape(shape)

    def backward(self, grad: Any) -> Any:
        g = self.xp.zeros(self.total, grad.dtype)
        g[self.start:self.start + self.size] = grad.reshape(-1)
        return g

    def backward_graph(self, grad: Tensor) -> Any:
        return _Embed.apply(grad, start=self.start, total=self.total)


class _Embed(Op):
    """A piece written into zeros of the packed length: the adjoint of :class:`_Slice`."""

    def forward(self, piece: Any, start: int, total: int) -> Any:
        self.start, self.piece_shape = start, piece.shape
        out = self.xp.zeros(total, piece.dtype)
        out[start:start + piece.size] = piece.reshape(-1)
        return out

    def backward(self, grad: Any) -> Any:
        size = 1
        for n in self.piece_shape:
            size *= n
        return grad[self.start:self.start + size].reshape(self.piece_shape)

    def backward_graph(self, grad: Tensor) -> Any:
        return _Slice.apply(grad, start=self.start, shape=self.piece_shape)


class _Unpack(_Slice):
    """One output of a several-output Function: a slice of the packed array, reshaped (named
    after the Function, as its outputs' ``grad_fn`` is in PyTorch)."""

    def forward(self, packed: Any, start: int, shape: tuple[int, ...], entry: Any = None, k: int = 0) -> Any:
        self.entry, self.k = entry, k
        return super().forward(packed, start, shape)

    def backward(self, grad: Any) -> Any:
        self.entry.received.add(self.k)  # this output got a gradient (set_materialize_grads)
        return super().backward(grad)

    def backward_graph(self, grad: Tensor) -> Any:
        self.entry.received.add(self.k)
        return super().backward_graph(grad)


_entry_classes: dict[type, tuple[type[_FunctionEntry], type[_Unpack]]] = {}


class Function:
    """PyTorch's custom autograd function: subclass it, write ``forward`` and ``backward`` as
    static methods taking ``ctx`` first, and call ``YourFunction.apply(*args)``.

    ``forward(ctx, *args)`` receives the arguments as given (tensors and anything else) and runs
    with recording off; it returns a tensor or a tuple of tensors. ``backward(ctx, *grads)``
    receives one gradient per output (a tensor; zeros, or None after
    ``ctx.set_materialize_grads(False)``, for outputs nothing differentiated) and returns one
    gradient per argument of ``forward`` (None for non-tensors and for arguments that need none;
    ``ctx.needs_input_grad`` says which are needed). In an ordinary backward it runs with
    recording off, on gradients without a graph. Under ``tl.grad(..., create_graph=True)`` it
    runs with recording on, as in PyTorch: the gradients it receives are Tensors with a graph, a
    saved input or output is that input or output itself (other tensors made in ``forward`` are
    constants), so a ``backward`` written with tensorlite ops can be differentiated again.

    Write an :class:`~tensorlite.autograd.Op` instead for a new op of tensorlite itself (arrays
    in and out, the array seam, less overhead); write a ``Function`` to run code written for
    ``torch.autograd.Function`` or when the rule is easiest to say with tensors.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> class Exp(tl.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         y = x.exp()
    ...         ctx.save_for_backward(y)
    ...         return y
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (y,) = ctx.saved_tensors
    ...         return grad * y
    >>> x = tl.tensor(np.array([0.0, 1.0]), requires_grad=True)
    >>> y = Exp.apply(x)
    >>> y.grad_fn
    'ExpBackward'
    >>> tl.gradcheck(Exp.apply, [x])
    True

    Its backward is written with tensorlite ops, so it can be differentiated again:

    >>> (g,) = tl.grad(Exp.apply(x).sum(), x, create_graph=True)
    >>> tl.grad(g.sum(), x)[0]
    array([1.        , 2.71828183])
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Any:
        """The computation, on tensors, with recording off; see the class docstring.

        Parameters
        ----------
        ctx : FunctionCtx
            Where to keep what ``backward`` needs.
        *args : Tensor or any value
            The arguments given to ``apply``.

        Returns
        -------
        Tensor or tuple of Tensor
        """
        raise NotImplementedError("a Function subclass defines forward(ctx, *args) as a staticmethod")

    @staticmethod
    def backward(ctx: FunctionCtx, *grads: Any) -> Any:
        """The vector-Jacobian product: one gradient per argument of ``forward``.

        Parameters
        ----------
        ctx : FunctionCtx
            The context ``forward`` filled.
        *grads : Tensor or None
            One gradient per output of ``forward``.

        Returns
        -------
        Tensor, None, or a tuple with one per argument of ``forward``
        """
        raise NotImplementedError("a Function subclass defines backward(ctx, *grads) as a staticmethod")

    @classmethod
    def apply(cls, *args: Any) -> Any:
        """Run ``forward`` and, when a tensor argument requires grad, record it on the tape.

        Parameters
        ----------
        *args : Tensor or any value
            Passed to ``forward`` after ``ctx``.

        Returns
        -------
        Tensor or tuple of Tensor
            What ``forward`` returned; differentiable outputs carry the recorded entry.
        """
        ctx = FunctionCtx()
        recording = is_grad_enabled()
        ctx.needs_input_grad = tuple(bool(recording and isinstance(a, Tensor) and a._requires_grad)
                                     for a in args)
        with no_grad():
            result = cls.forward(ctx, *args)
        single = not isinstance(result, tuple)
        outputs = (result,) if single else result
        for i, o in enumerate(outputs):
            if not isinstance(o, Tensor):
                raise TypeError(f"{cls.__name__}.forward returned a {type(o).__name__} as output {i}; "
                                "it must return a tensor or a tuple of tensors")
        inputs = [a for a in args if isinstance(a, Tensor)]
        outputs = tuple(Tensor._wrap(o.data) if any(o is a for a in inputs) else o for o in outputs)
        if not any(ctx.needs_input_grad):
            return outputs[0] if single else outputs
        differentiable = [o for o in outputs if id(o) not in ctx._non_differentiable and o.dtype.kind == "f"]
        if not differentiable:
            return outputs[0] if single else outputs
        classes = _entry_classes.get(cls)
        if classes is None:  # the entry and the unpacking of outputs, named after the Function
            classes = _entry_classes[cls] = (type(cls.__name__, (_FunctionEntry,), {"function": cls}),
                                             type(cls.__name__, (_Unpack,), {}))
        entry_class, unpack_class = classes
        packed_data = differentiable[0].data if len(differentiable) == 1 else \
            array_module(differentiable[0].data).concatenate([o.data.reshape(-1) for o in differentiable])
        packed = entry_class.apply(*inputs, data=packed_data)  # records the entry (an input requires grad)
        entry = packed._ctx
        slots, position = [], 0
        for a in args:
            slots.append(position if isinstance(a, Tensor) else None)
            position += isinstance(a, Tensor)
        entry.inputs, entry.ctx, entry.received = tuple(slots), ctx, set()
        entry.kinds = [True if any(o is d for d in differentiable) else None for o in outputs]
        entry.output_meta = [(o.shape, o.dtype) for o in outputs]
        entry.layout = [] if len(differentiable) == 1 else [(o.shape, o.data.size, o.dtype) for o in differentiable]
        roles: list[Any] = []  # what each saved tensor is, for backward_graph
        saves_output = False
        for t in ctx._to_save:
            role: Any = None
            if t is not None:
                for i, a in enumerate(inputs):
                    if t is a:
                        role = ("in", i)
                        break
                else:
                    start = 0
                    for o in differentiable:
                        if t is o:
                            role, saves_output = ("out", start, o.shape), True
                            break
                        start += o.data.size
            roles.append(role)
        entry.roles = roles
        # the packed outputs too when ctx saved one (for backward_graph; for one output, that array)
        entry.saved = (ctx, *[t.data for t in ctx._to_save if t is not None], packed_data) if saves_output \
            else (ctx, *[t.data for t in ctx._to_save if t is not None])
        if len(differentiable) == 1:
            mapping = {id(differentiable[0]): packed}
        else:
            mapping, start = {}, 0
            for o in differentiable:
                mapping[id(o)] = unpack_class.apply(packed, start=start, shape=o.shape, entry=entry,
                                                    k=len(mapping))
                start += o.data.size
        final = tuple(mapping.get(id(o), o) for o in outputs)
        return final[0] if single else final
