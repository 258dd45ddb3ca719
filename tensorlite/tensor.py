"""``Tensor``: an ndarray, its gradient, and the tape entry that produced it.

Operators and methods call the op functions in :mod:`tensorlite.ops`; the recording and the
reverse walk live in :mod:`tensorlite.autograd`.
"""
from __future__ import annotations

import operator as _operator
from typing import Any

from tensorlite import backend, config
from tensorlite.backend import ndarray, xp

_ALLOWED_KINDS = "fiub"


def _checked_array(data: Any, dtype: Any, copy: bool, where: str) -> Any:
    """Convert ``data`` to an ndarray of an allowed dtype (floats, ints, unsigned, bool).

    An ndarray keeps its dtype and memory unless ``dtype`` or ``copy`` asks otherwise; other data
    (numbers, nested lists) makes a new array, Python floats in the default dtype.
    """
    if isinstance(data, Tensor):
        data = data.data
    try:
        if isinstance(data, ndarray) or backend.is_array(data):  # kept as it is, in its library
            arr = data
        else:
            arr, copy = xp.asarray(data), False
            if dtype is None and arr.dtype.kind == "f":
                dtype = config.get_default_dtype()
        if dtype is not None:
            arr = arr.astype(dtype, copy=copy)
        elif copy:
            arr = arr.copy()
    except (ValueError, TypeError) as e:
        raise TypeError(f"{where}: cannot make a tensor from {type(data).__name__}: {e}") from None
    if arr.dtype.kind not in _ALLOWED_KINDS:
        raise TypeError(
            f"{where}: unsupported dtype {arr.dtype} (shape {arr.shape}); tensors hold float, "
            "int, unsigned or bool numbers, not objects, strings or complex numbers"
        )
    return arr


def _legacy_size(n: Any, sizes: tuple[Any, ...]) -> int:
    if not isinstance(n, (int, xp.integer)) or isinstance(n, bool) or n < 0:
        raise TypeError(f"Tensor{sizes}: several arguments are a shape (non-negative ints), got {n!r}; "
                        "pass data as one argument (a list or an array)")
    return int(n)


class Tensor:
    """An n-dimensional array that records the ops applied to it, for reverse-mode autograd.

    Parameters
    ----------
    *data : ndarray, Tensor, number or nested sequence; or ints
        An ndarray is wrapped without a copy and keeps its dtype; Python floats get the default
        dtype (float32, see :func:`tensorlite.set_default_dtype`). Several ints, or one int, are
        a shape, as PyTorch's legacy constructor: ``Tensor(2, 3)`` is an uninitialised tensor
        of shape (2, 3) in the default float dtype (``Tensor()`` has shape (0,)).
    requires_grad : bool
        Record ops on this tensor so ``backward`` fills its ``.grad``. Floating dtypes only.
    dtype : optional dtype to convert to.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; others raise a ``RuntimeError``).

    Attributes
    ----------
    data : ndarray
    grad : ndarray or None, of the same shape and dtype as ``data``
    requires_grad : bool
    grad_fn : str or None
        the backward rule that produced this tensor (``'MulBackward'``), or None for a leaf

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    array([[2., 4.],
           [6., 8.]], dtype=float32)
    """

    # _post_hooks, _grad_hooks: set only on tensors given a post-accumulate-grad hook or a
    # register_hook hook (see the engine)
    __slots__ = ("data", "_grad", "_requires_grad", "_ctx", "_post_hooks", "_grad_hooks", "__weakref__")
    _post_hooks: dict[int, Any]
    _grad_hooks: dict[int, Any]
    __array_priority__ = 1000
    __array_ufunc__ = None  # ndarray <op> Tensor defers to Tensor's reflected operators

    def __init__(self, *data: Any, requires_grad: bool = False, dtype: Any = None, device: Any = None) -> None:
        if device is not None:
            check_device(device, "Tensor")
        if len(data) == 1 and not isinstance(data[0], (int, xp.integer)) or isinstance(data[0] if data else 0, bool):
            self.data = _checked_array(data[0], dtype, False, "Tensor")
        else:  # Tensor(*sizes): PyTorch's legacy constructor, uninitialised
            shape = tuple(_legacy_size(n, data) for n in data) if data else (0,)
            dtype = config.get_default_dtype() if dtype is None else xp.dtype(dtype)
            self.data = xp.empty(shape, dtype=dtype)
        self._grad: Any = None
        self._ctx: Any = None
        self._requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, data: Any) -> Tensor:
        """Wrap an ndarray with no checks and no grad (internal fast path)."""
        t = cls.__new__(cls)
        t.data = data
        t._grad = None
        t._requires_grad = False
        t._ctx = None
        return t

    # -- attributes --------------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The size of each dimension (a tuple of ints)."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    @property
    def dtype(self) -> Any:
        """The NumPy dtype of the data."""
        return self.data.dtype

    @property
    def size(self) -> int:
        """Number of elements (NumPy's ``size``), also callable as PyTorch's ``size()``/``size(dim)``.

        ``x.size`` equals ``x.numel()``; ``x.size()`` is the shape and ``x.size(d)`` one extent.
        """
        return _Size(self.data.size, self.data.shape)

    def numel(self) -> int:
        """The number of elements (PyTorch spelling of ``size``)."""
        return self.data.size

    def dim(self) -> int:
        """The number of dimensions (PyTorch spelling of ``ndim``)."""
        return self.data.ndim

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded op (inputs, parameters, detached)."""
        return self._ctx is None

    @property
    def grad_fn(self) -> str | None:
        """The backward rule that produced this tensor, named as in PyTorch (``'MulBackward'`` for
        ``a * b``, ``'ReluBackward'`` for ``relu``), or None for a leaf.

        The name is the op's (the CamelCase of the function that recorded it: ``Relu`` for
        ``tl.relu`` and ``nn.ReLU``, ``MseLoss`` for ``F.mse_loss``) followed by ``Backward``.
        """
        return None if self._ctx is None else type(self._ctx).__name__ + "Backward"

    @property
    def T(self) -> Tensor:
        """All dims reversed."""
        return ops.transpose(self)

    # -- autograd ----------------------------------------------------------------------------
    def backward(self, grad: Any = None, retain_graph: bool | None = None, create_graph: bool = False) -> None:
        """Accumulate the gradient of this tensor into ``.grad`` of every leaf it depends on.

        Parameters
        ----------
        grad : upstream gradient of this tensor's shape; may be omitted for a one-element tensor.
        retain_graph : keep the saved arrays so backward can run through the graph again.
        create_graph : not supported here, because ``.grad`` holds an ndarray, which cannot carry a
            graph: it raises a RuntimeError. Use ``tl.grad(out, inputs, create_graph=True)``.
        """
        if create_graph:
            raise RuntimeError(
                "backward(create_graph=True): .grad holds plain arrays in tensorlite, so it cannot keep "
                "the graph of the gradient; use tl.grad(out, inputs, create_graph=True), which "
                "returns the gradients as Tensors that can be differentiated again")
        autograd.run_tensor_backward(self, grad, bool(retain_graph))

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` with this tensor's gradient whenever one is computed.

        As PyTorch's: ``grad`` is a Tensor of this tensor's shape; a hook that returns a Tensor
        (or an array) replaces the gradient from there on (what flows further back, what
        ``tl.grad`` returns and, for a leaf, what is added to ``.grad``). On a result of an op
        the hook sees the summed gradient of that result; it runs in ``backward``, ``tl.grad``
        and ``Module.backward(dout)`` alike.

        Parameters
        ----------
        hook : callable
            Called as ``hook(grad)``; returns None or the replacement gradient.

        Returns
        -------
        handle
            ``handle.remove()`` unregisters the hook.

        Examples
        --------
        >>> import tensorlite as tl
        >>> x = tl.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * 3
        >>> handle = y.register_hook(lambda g: g * 10)
        >>> y.sum().backward()
        >>> x.grad
        array([30., 30.], dtype=float32)
        >>> handle.remove()
        """
        return autograd.engine.register_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Call ``hook(self)`` during each ``backward`` as soon as this leaf's ``.grad`` is final.

        As PyTorch's (2.1+): the hook runs in the middle of the walk, once the last op that used
        this tensor has passed its gradient back and ``.grad`` holds the sum, so it can start
        work on the gradient while the rest of the backward goes on (DistributedDataParallel
        starts its allreduces there). It does not run for ``tl.grad`` (which writes no
        ``.grad``), nor when no gradient reaches this tensor.

        Parameters
        ----------
        hook : callable
            Called as ``hook(tensor)``; its return value is ignored.

        Returns
        -------
        handle
            ``handle.remove()`` unregisters the hook.

        Examples
        --------
        >>> import tensorlite as tl
        >>> w = tl.ones(2, requires_grad=True)
        >>> handle = w.register_post_accumulate_grad_hook(lambda t: print("ready:", t.grad))
        >>> (w * w).sum().backward()
        ready: [2. 2.]
        >>> handle.remove()
        """
        return autograd.engine.register_post_accumulate_grad_hook(self, hook)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (floating dtypes only) and return self."""
        if self._ctx is not None and not requires_grad:
            raise RuntimeError(
                f"requires_grad_(False): the tensor of shape {self.shape} was computed by "
                f"{self.grad_fn}, not created by you; use .detach() to get a tensor outside the graph"
            )
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad: only floating tensors can require gradients, got dtype "
                f"{self.data.dtype} (shape {self.shape}); cast with .astype(np.float32) first"
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self) -> Any:
        """The accumulated gradient: an ndarray of ``data``'s shape and dtype, or None.

        It is a :class:`tensorlite.array.Array` (an ndarray that also takes PyTorch's in-place
        idioms: ``p.grad.zero_()``, ``p.grad.data.clamp_(-1, 1)``). Assigning a Tensor stores its
        ``.data`` (``p.grad = tl.ones(3)`` works as in PyTorch).
        """
        g = self._grad
        if g.__class__ is ndarray:  # written by the engine: seen as an Array from now on (a view)
            g = self._grad = g.view(Array)
        return g

    @grad.setter
    def grad(self, value: Any) -> None:
        if value is not None:  # p.grad = None (zero_grad) is the common case: nothing to convert
            if isinstance(value, Tensor):
                value = value.data
            if value.__class__ is ndarray:
                value = value.view(Array)
        self._grad = value

    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded so that ``backward`` can reach it.

        Setting it is ``requires_grad_``: floating tensors only, and a result computed by an op
        cannot be set to False (use ``detach()``).
        """
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, requires_grad: bool) -> None:
        self.requires_grad_(requires_grad)

    def detach(self) -> Tensor:
        """A new leaf sharing this tensor's data, outside the graph."""
        return Tensor._wrap(self.data)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``grad = None``)."""
        self.grad = None

    @property
    def _version(self) -> int:
        """How many times this tensor's memory was changed in place (shared with its views)."""
        return autograd.version_of(self.data)

    # -- in place ----------------------------------------------------------------------------
    # See tensorlite/ops/inplace.py: the result is written into this tensor's array when nothing
    # is recorded, and bumps its version; when recorded, the tensor takes the op's place on the tape.
    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        """Add ``alpha * other`` to this tensor in place and return it.

        A leaf that requires grad (a parameter) can be changed in place only under
        ``tl.no_grad()``. ``other`` broadcasts to this tensor's shape.

        Examples
        --------
        >>> import tensorlite as tl
        >>> x = tl.ones(3)
        >>> x.add_(tl.tensor([1.0, 2.0, 3.0]), alpha=2)
        tensor([3., 5., 7.])
        >>> w = tl.ones(2, requires_grad=True)
        >>> with tl.no_grad():
        ...     _ = w.add_(1.0)    # an update, as an optimizer makes it
        >>> w, w._version
        (tensor([2., 2.], requires_grad=True), 1)
        """
        return inplace.add_(self, other, alpha)

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        """Subtract ``alpha * other`` from this tensor in place (see :meth:`add_`).

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.ones(2).sub_(0.5)
        tensor([0.5, 0.5])
        """
        return inplace.sub_(self, other, alpha)

    def mul_(self, other: Any) -> Tensor:
        """Multiply this tensor by ``other`` in place (see :meth:`add_`).

        Examples
        --------
        >>> import tensorlite as tl
        >>> x = tl.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * 1
        >>> y.mul_(3)      # a result in the graph: y takes Mul's place on the tape
        tensor([3., 6.], grad_fn=<MulBackward>)
        >>> y.sum().backward(); x.grad
        array([3., 3.], dtype=float32)
        """
        return inplace.mul_(self, other)

    def div_(self, other: Any) -> Tensor:
        """Divide this tensor by ``other`` in place (see :meth:`add_`).

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.ones(2).div_(4)
        tensor([0.25, 0.25])
        """
        return inplace.div_(self, other)

    def pow_(self, exponent: Any) -> Tensor:
        """Raise this tensor to ``exponent`` in place (see :meth:`add_`).

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.tensor([2.0, 3.0]).pow_(2)
        tensor([4., 9.])
        """
        return inplace.pow_(self, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:
        """Clip this tensor to ``[min, max]`` in place (see :meth:`add_`). Alias: ``clip_``.

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.tensor([-2.0, 0.5, 2.0]).clamp_(-1, 1)
        tensor([-1. ,  0.5,  1. ])
        """
        return inplace.clamp_(self, min, max)

    clip_ = clamp_

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value`` in place (see :meth:`add_`).

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.zeros(3).fill_(7)
        tensor([7., 7., 7.])
        """
        return inplace.fill_(self, value)

    def zero_(self) -> Tensor:
        """Set every element to 0 in place (see :meth:`add_`; ``zero_grad`` clears ``.grad``).

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.ones(2).zero_()
        tensor([0., 0.])
        """
        return inplace.zero_(self)

    def copy_(self, source: Any) -> Tensor:
        """Copy ``source`` into this tensor in place, broadcast to its shape and cast to its dtype.

        Examples
        --------
        >>> import numpy as np, tensorlite as tl
        >>> x = tl.zeros(2, 3)
        >>> x.copy_(np.array([1.0, 2.0, 3.0]))
        tensor([[1., 2., 3.],
                [1., 2., 3.]])
        """
        return inplace.copy_(self, source)

    def __setitem__(self, index: Any, value: Any) -> None:
        """``x[index] = value``: write ``value`` (broadcast, cast to this dtype) in place.

        Examples
        --------
        >>> import tensorlite as tl
        >>> x = tl.zeros(2, 3)
        >>> x[0, 1:] = 5
        >>> x[x < 1] = -1
        >>> x
        tensor([[-1.,  5.,  5.],
                [-1., -1., -1.]])
        """
        inplace.setitem_(self, index, value)

    def __iadd__(self, other: Any) -> Tensor:
        return inplace.add_(self, other)

    def __isub__(self, other: Any) -> Tensor:
        return inplace.sub_(self, other)

    def __imul__(self, other: Any) -> Tensor:
        return inplace.mul_(self, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return inplace.div_(self, other)

    # -- conversion --------------------------------------------------------------------------
    def numpy(self) -> Any:
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def item(self) -> Any:
        """The value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted, got shape {self.shape}")
        return self.data.item()

    def tolist(self) -> Any:
        """The data as nested Python lists of numbers."""
        return self.data.tolist()

    def astype(self, dtype: Any) -> Tensor:
        """Cast to ``dtype``; gradients flow back in this tensor's dtype."""
        return ops.astype(self, dtype)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        if self.requires_grad:  # as PyTorch: NumPy would silently drop the tensor off the tape
            raise RuntimeError(f"np.asarray() of a tensor that requires grad (shape {self.shape}): "
                               "use tensor.detach() first, or tensor.data for the ndarray")
        if dtype is None or dtype == self.data.dtype:
            return self.data.copy() if copy else self.data
        return self.data.astype(dtype)

    def __format__(self, format_spec: str) -> str:
        # f"{loss:4.2f}" formats the value of a one-element tensor; an empty spec is str(tensor)
        if not format_spec:
            return str(self)
        if self.data.size != 1:
            raise TypeError(f"format spec {format_spec!r} needs a one-element tensor, got shape {self.shape}; "
                            "format an element, or tensor.data")
        return format(self.data.item(), format_spec)

    def __repr__(self) -> str:
        body = xp.array2string(self.data, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype not in (config.get_default_dtype(), xp.int64, xp.bool_):
            extras.append(f"dtype={self.data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn=<{self.grad_fn}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return f"tensor({body}{''.join(', ' + e for e in extras)})"

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Any:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.data.shape[0]))

    def __index__(self) -> int:
        if self.data.size != 1 or self.data.dtype.kind not in "iu":
            raise TypeError(f"only one-element integer tensors can be used as an index, got shape "
                            f"{self.shape} and dtype {self.dtype}")
        return int(self.data.item())

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is ambiguous")
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    __hash__ = object.__hash__

    # -- operators ---------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return ops.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return ops.neg(self)

    def __abs__(self) -> Tensor:
        return ops.abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return ops.getitem(self, index)

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return ops.eq(self, other)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return ops.ne(self, other)

    def __lt__(self, other: Any) -> Tensor:
        return ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return ops.ge(self, other)

    # -- methods (documented on the functions in tensorlite.ops) ---------------------------
    def add(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.add`."""
        return ops.add(self, other)

    def sub(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.sub`."""
        return ops.sub(self, other)

    def mul(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.mul`."""
        return ops.mul(self, other)

    def div(self, other: Any, *, rounding_mode: str | None = None) -> Tensor:
        """Method form of :func:`tensorlite.div`."""
        return ops.div(self, other, rounding_mode=rounding_mode)

    def pow(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.pow`."""
        return ops.pow(self, other)

    def matmul(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.matmul`."""
        return ops.matmul(self, other)

    def neg(self) -> Tensor:
        """Method form of :func:`tensorlite.neg`."""
        return ops.neg(self)

    def abs(self) -> Tensor:
        """Method form of :func:`tensorlite.abs`."""
        return ops.abs(self)

    def exp(self) -> Tensor:
        """Method form of :func:`tensorlite.exp`."""
        return ops.exp(self)

    def log(self) -> Tensor:
        """Method form of :func:`tensorlite.log`."""
        return ops.log(self)

    def sqrt(self) -> Tensor:
        """Method form of :func:`tensorlite.sqrt`."""
        return ops.sqrt(self)

    def sin(self) -> Tensor:
        """Method form of :func:`tensorlite.sin`."""
        return ops.sin(self)

    def cos(self) -> Tensor:
        """Method form of :func:`tensorlite.cos`."""
        return ops.cos(self)

    def tanh(self) -> Tensor:
        """Method form of :func:`tensorlite.tanh`."""
        return ops.tanh(self)

    def sigmoid(self) -> Tensor:
        """Method form of :func:`tensorlite.sigmoid`."""
        return ops.sigmoid(self)

    def relu(self) -> Tensor:
        """Method form of :func:`tensorlite.relu`."""
        return ops.relu(self)

    def clip(self, min: Any = None, max: Any = None) -> Tensor:
        """Method form of :func:`tensorlite.clip`."""
        return ops.clip(self, min, max)

    clamp = clip

    def maximum(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.maximum`."""
        return ops.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.minimum`."""
        return ops.minimum(self, other)

    def sum(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.sum`."""
        # (a call with ** costs more than a plain one, even with nothing in kw)
        return ops.sum(self, dim, keepdim, **kw) if kw else ops.sum(self, dim, keepdim)

    def mean(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.mean`."""
        # (a call with ** costs more than a plain one, even with nothing in kw)
        return ops.mean(self, dim, keepdim, **kw) if kw else ops.mean(self, dim, keepdim)

    def max(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Any:
        """Method form of :func:`tensorlite.max`."""
        return ops.max(self, dim, keepdim, **kw)

    def min(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Any:
        """Method form of :func:`tensorlite.min`."""
        return ops.min(self, dim, keepdim, **kw)

    def var(self, dim: Any = None, *, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.var` (``keepdim`` by keyword only)."""
        return ops.var(self, dim, keepdim=keepdim, **kw)

    def std(self, dim: Any = None, *, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.std` (``keepdim`` by keyword only)."""
        return ops.std(self, dim, keepdim=keepdim, **kw)

    def logsumexp(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.logsumexp`."""
        return ops.logsumexp(self, dim, keepdim, **kw)

    def argmax(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.argmax`."""
        return ops.argmax(self, dim, keepdim, **kw)

    def argmin(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.argmin`."""
        return ops.argmin(self, dim, keepdim, **kw)

    def softmax(self, dim: int | None = None, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.softmax`."""
        return ops.softmax(self, dim, **kw)

    def log_softmax(self, dim: int | None = None, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.log_softmax`."""
        return ops.log_softmax(self, dim, **kw)

    def reshape(self, *shape: Any) -> Tensor:
        """Method form of :func:`tensorlite.reshape`."""
        return ops.reshape(self, *shape)

    def view(self, *shape: Any) -> Tensor:
        """Method form of :func:`tensorlite.view`."""
        return ops.view(self, *shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Method form of :func:`tensorlite.flatten`."""
        return ops.flatten(self, start_dim, end_dim)

    def squeeze(self, dim: Any = None, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.squeeze`."""
        return ops.squeeze(self, dim, **kw)

    def unsqueeze(self, dim: int | None = None, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.unsqueeze`."""
        return ops.unsqueeze(self, dim, **kw)

    def transpose(self, *dims: Any) -> Tensor:
        """Method form of :func:`tensorlite.transpose`."""
        return ops.transpose(self, *dims)

    def permute(self, *dims: Any) -> Tensor:
        """Method form of :func:`tensorlite.permute`."""
        return ops.permute(self, *dims)

    def swapaxes(self, dim0: int, dim1: int) -> Tensor:
        """Method form of :func:`tensorlite.swapaxes`."""
        return ops.swapaxes(self, dim0, dim1)

    def expand(self, *sizes: Any) -> Tensor:
        """Method form of :func:`tensorlite.expand`."""
        return ops.expand(self, *sizes)

    def broadcast_to(self, *shape: Any) -> Tensor:
        """Method form of :func:`tensorlite.broadcast_to`."""
        return ops.broadcast_to(self, *shape)

    def split(self, split_size_or_sections: Any, dim: int = 0, **kw: Any) -> tuple[Tensor, ...]:
        """Method form of :func:`tensorlite.split`."""
        return ops.split(self, split_size_or_sections, dim, **kw)

    def chunk(self, chunks: int, dim: int = 0, **kw: Any) -> tuple[Tensor, ...]:
        """Method form of :func:`tensorlite.chunk`."""
        return ops.chunk(self, chunks, dim, **kw)

    # -- movement, gather/scatter, sorting (issue 15, part B) ---------------------------------
    @property
    def mT(self) -> Tensor:
        """The last two dims swapped (batched matrix transpose), as PyTorch's ``.mT``."""
        if self.ndim < 2:
            raise ValueError(f"mT: expected a tensor of at least 2 dims, got shape {self.shape}")
        return ops.transpose(self, -2, -1)

    def flip(self, *dims: Any) -> Tensor:
        """Method form of :func:`tensorlite.flip` (dims as ints or one sequence)."""
        return ops.flip(self, dims[0] if len(dims) == 1 else dims)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Method form of :func:`tensorlite.roll`."""
        return ops.roll(self, shifts, dims)

    def repeat(self, *sizes: Any) -> Tensor:
        """Method form of :func:`tensorlite.repeat`."""
        return ops.repeat(self, *sizes)

    def repeat_interleave(self, repeats: Any, dim: Any = None, *, output_size: Any = None) -> Tensor:
        """Method form of :func:`tensorlite.repeat_interleave`."""
        return ops.repeat_interleave(self, repeats, dim, output_size=output_size)

    def tile(self, *dims: Any) -> Tensor:
        """Method form of :func:`tensorlite.tile` (counts as ints or one sequence)."""
        return ops.tile(self, dims[0] if len(dims) == 1 else dims)

    def tril(self, diagonal: int = 0) -> Tensor:
        """Method form of :func:`tensorlite.tril`."""
        return ops.tril(self, diagonal)

    def triu(self, diagonal: int = 0) -> Tensor:
        """Method form of :func:`tensorlite.triu`."""
        return ops.triu(self, diagonal)

    def diag(self, diagonal: int = 0) -> Tensor:
        """Method form of :func:`tensorlite.diag`."""
        return ops.diag(self, diagonal)

    def diagonal(self, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
        """Method form of :func:`tensorlite.diagonal`."""
        return ops.diagonal(self, offset, dim1, dim2)

    def diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
        """Method form of :func:`tensorlite.diag_embed`."""
        return ops.diag_embed(self, offset, dim1, dim2)

    def unflatten(self, dim: int, sizes: Any) -> Tensor:
        """Method form of :func:`tensorlite.unflatten`."""
        return ops.unflatten(self, dim, sizes)

    def unfold(self, dimension: int, size: int, step: int) -> Tensor:
        """All windows of ``size`` elements every ``step`` along ``dimension`` (PyTorch's
        ``Tensor.unfold``).

        Parameters
        ----------
        dimension : int
            The dim to slide along.
        size : int
            The window length, at most the size of ``dimension``.
        step : int
            The positive distance between window starts.

        Returns
        -------
        Tensor
            This tensor's shape with ``(n - size) // step + 1`` along ``dimension`` and a new
            last dim of ``size``; a read-only view. Overlapping windows add their gradients.

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.arange(5.0).unfold(0, 2, 2).tolist()
        [[0.0, 1.0], [2.0, 3.0]]
        """
        from tensorlite.ops.movement import unfold
        return unfold(self, dimension, size, step)

    def narrow(self, dim: int, start: int, length: int) -> Tensor:
        """Method form of :func:`tensorlite.narrow`."""
        return ops.narrow(self, dim, start, length)

    def movedim(self, source: Any, destination: Any) -> Tensor:
        """Method form of :func:`tensorlite.movedim`."""
        return ops.movedim(self, source, destination)

    def gather(self, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor:
        """Method form of :func:`tensorlite.gather`."""
        return ops.gather(self, dim, index, sparse_grad=sparse_grad)

    def scatter(self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None) -> Tensor:
        """Method form of :func:`tensorlite.scatter` (out of place)."""
        return ops.scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self, dim: int, index: Any, src: Any) -> Tensor:
        """Method form of :func:`tensorlite.scatter_add` (out of place)."""
        return ops.scatter_add(self, dim, index, src)

    def scatter_reduce(self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True) -> Tensor:
        """Method form of :func:`tensorlite.scatter_reduce` (out of place)."""
        return ops.scatter_reduce(self, dim, index, src, reduce, include_self=include_self)

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """In-place :func:`tensorlite.masked_fill` (see :meth:`add_` for how in-place ops record)."""
        return inplace.masked_fill_(self, mask, value)

    def scatter_(self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None) -> Tensor:
        """In-place :func:`tensorlite.scatter`."""
        return inplace.scatter_(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add_(self, dim: int, index: Any, src: Any) -> Tensor:
        """In-place :func:`tensorlite.scatter_add`."""
        return inplace.scatter_add_(self, dim, index, src)

    def index_add_(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        """In-place :func:`tensorlite.index_add`."""
        return inplace.index_add_(self, dim, index, source, alpha=alpha)

    def index_select(self, dim: int, index: Any) -> Tensor:
        """Method form of :func:`tensorlite.index_select`."""
        return ops.index_select(self, dim, index)

    def index_add(self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Tensor:
        """Method form of :func:`tensorlite.index_add` (out of place)."""
        return ops.index_add(self, dim, index, source, alpha=alpha)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """Method form of :func:`tensorlite.masked_fill` (out of place)."""
        return ops.masked_fill(self, mask, value)

    def masked_select(self, mask: Any) -> Tensor:
        """Method form of :func:`tensorlite.masked_select`."""
        return ops.masked_select(self, mask)

    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """Method form of :func:`tensorlite.nonzero`."""
        return ops.nonzero(self, as_tuple=as_tuple)

    def sort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Any:
        """Method form of :func:`tensorlite.sort`."""
        return ops.sort(self, dim, descending, stable=stable)

    def argsort(self, dim: int = -1, descending: bool = False, *, stable: bool = False) -> Tensor:
        """Method form of :func:`tensorlite.argsort`."""
        return ops.argsort(self, dim, descending, stable=stable)

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
        """Method form of :func:`tensorlite.topk`."""
        return ops.topk(self, k, dim, largest, sorted)

    def kthvalue(self, k: int, dim: int = -1, keepdim: bool = False) -> Any:
        """Method form of :func:`tensorlite.kthvalue`."""
        return ops.kthvalue(self, k, dim, keepdim)

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        """Method form of :func:`tensorlite.median`."""
        return ops.median(self, dim, keepdim)

    def mode(self, dim: int = -1, keepdim: bool = False) -> Any:
        """Method form of :func:`tensorlite.mode`."""
        return ops.mode(self, dim, keepdim)

    def cummax(self, dim: int) -> Any:
        """Method form of :func:`tensorlite.cummax`."""
        return ops.cummax(self, dim)

    def cummin(self, dim: int) -> Any:
        """Method form of :func:`tensorlite.cummin`."""
        return ops.cummin(self, dim)
    # -- issue 15, part A: operators on integer/bool tensors, math, scans, reductions, tests --
    def __mod__(self, other: Any) -> Tensor:
        return ops.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return ops.remainder(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return ops.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return ops.floor_divide(other, self)

    def __and__(self, other: Any) -> Tensor:
        return ops.bitwise_and(self, other)

    def __rand__(self, other: Any) -> Tensor:
        return ops.bitwise_and(other, self)

    def __or__(self, other: Any) -> Tensor:
        return ops.bitwise_or(self, other)

    def __ror__(self, other: Any) -> Tensor:
        return ops.bitwise_or(other, self)

    def __xor__(self, other: Any) -> Tensor:
        return ops.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return ops.bitwise_xor(other, self)

    def __lshift__(self, other: Any) -> Tensor:
        return ops.bitwise_left_shift(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return ops.bitwise_left_shift(other, self)

    def __rshift__(self, other: Any) -> Tensor:
        return ops.bitwise_right_shift(self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return ops.bitwise_right_shift(other, self)

    def __invert__(self) -> Tensor:
        return ops.bitwise_not(self)

    def tan(self) -> Tensor:
        """Method form of :func:`tensorlite.tan`."""
        return ops.tan(self)

    def asin(self) -> Tensor:
        """Method form of :func:`tensorlite.asin`."""
        return ops.asin(self)

    def acos(self) -> Tensor:
        """Method form of :func:`tensorlite.acos`."""
        return ops.acos(self)

    def atan(self) -> Tensor:
        """Method form of :func:`tensorlite.atan`."""
        return ops.atan(self)

    def sinh(self) -> Tensor:
        """Method form of :func:`tensorlite.sinh`."""
        return ops.sinh(self)

    def cosh(self) -> Tensor:
        """Method form of :func:`tensorlite.cosh`."""
        return ops.cosh(self)

    def asinh(self) -> Tensor:
        """Method form of :func:`tensorlite.asinh`."""
        return ops.asinh(self)

    def acosh(self) -> Tensor:
        """Method form of :func:`tensorlite.acosh`."""
        return ops.acosh(self)

    def atanh(self) -> Tensor:
        """Method form of :func:`tensorlite.atanh`."""
        return ops.atanh(self)

    def rsqrt(self) -> Tensor:
        """Method form of :func:`tensorlite.rsqrt`."""
        return ops.rsqrt(self)

    def log2(self) -> Tensor:
        """Method form of :func:`tensorlite.log2`."""
        return ops.log2(self)

    def log10(self) -> Tensor:
        """Method form of :func:`tensorlite.log10`."""
        return ops.log10(self)

    def log1p(self) -> Tensor:
        """Method form of :func:`tensorlite.log1p`."""
        return ops.log1p(self)

    def expm1(self) -> Tensor:
        """Method form of :func:`tensorlite.expm1`."""
        return ops.expm1(self)

    def exp2(self) -> Tensor:
        """Method form of :func:`tensorlite.exp2`."""
        return ops.exp2(self)

    def erf(self) -> Tensor:
        """Method form of :func:`tensorlite.erf`."""
        return ops.erf(self)

    def erfc(self) -> Tensor:
        """Method form of :func:`tensorlite.erfc`."""
        return ops.erfc(self)

    def sign(self) -> Tensor:
        """Method form of :func:`tensorlite.sign`."""
        return ops.sign(self)

    def floor(self) -> Tensor:
        """Method form of :func:`tensorlite.floor`."""
        return ops.floor(self)

    def ceil(self) -> Tensor:
        """Method form of :func:`tensorlite.ceil`."""
        return ops.ceil(self)

    def trunc(self) -> Tensor:
        """Method form of :func:`tensorlite.trunc`."""
        return ops.trunc(self)

    def frac(self) -> Tensor:
        """Method form of :func:`tensorlite.frac`."""
        return ops.frac(self)

    def square(self) -> Tensor:
        """Method form of :func:`tensorlite.square`."""
        return ops.square(self)

    def reciprocal(self) -> Tensor:
        """Method form of :func:`tensorlite.reciprocal`."""
        return ops.reciprocal(self)

    def bitwise_not(self) -> Tensor:
        """Method form of :func:`tensorlite.bitwise_not`."""
        return ops.bitwise_not(self)

    def logical_not(self) -> Tensor:
        """Method form of :func:`tensorlite.logical_not`."""
        return ops.logical_not(self)

    def isnan(self) -> Tensor:
        """Method form of :func:`tensorlite.isnan`."""
        return ops.isnan(self)

    def isinf(self) -> Tensor:
        """Method form of :func:`tensorlite.isinf`."""
        return ops.isinf(self)

    def isfinite(self) -> Tensor:
        """Method form of :func:`tensorlite.isfinite`."""
        return ops.isfinite(self)

    def atan2(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.atan2`."""
        return ops.atan2(self, other)

    def fmod(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.fmod`."""
        return ops.fmod(self, other)

    def remainder(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.remainder`."""
        return ops.remainder(self, other)

    def floor_divide(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.floor_divide`."""
        return ops.floor_divide(self, other)

    def logaddexp(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.logaddexp`."""
        return ops.logaddexp(self, other)

    def hypot(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.hypot`."""
        return ops.hypot(self, other)

    def bitwise_and(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.bitwise_and`."""
        return ops.bitwise_and(self, other)

    def bitwise_or(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.bitwise_or`."""
        return ops.bitwise_or(self, other)

    def bitwise_xor(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.bitwise_xor`."""
        return ops.bitwise_xor(self, other)

    def bitwise_left_shift(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.bitwise_left_shift`."""
        return ops.bitwise_left_shift(self, other)

    def bitwise_right_shift(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.bitwise_right_shift`."""
        return ops.bitwise_right_shift(self, other)

    def logical_and(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.logical_and`."""
        return ops.logical_and(self, other)

    def logical_or(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.logical_or`."""
        return ops.logical_or(self, other)

    def logical_xor(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.logical_xor`."""
        return ops.logical_xor(self, other)

    def round(self, decimals: int = 0) -> Tensor:
        """Method form of :func:`tensorlite.round`."""
        return ops.round(self, decimals)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        """Method form of :func:`tensorlite.lerp`."""
        return ops.lerp(self, end, weight)

    def isclose(self, other: Any, rtol: Any = 1e-05, atol: Any = 1e-08, equal_nan: Any = False) -> Tensor:
        """Method form of :func:`tensorlite.isclose`."""
        return ops.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other: Any, rtol: Any = 1e-05, atol: Any = 1e-08, equal_nan: Any = False) -> bool:
        """Method form of :func:`tensorlite.allclose`."""
        return ops.allclose(self, other, rtol, atol, equal_nan)

    def prod(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.prod`."""
        return ops.prod(self, dim, keepdim, **kw)

    def cumsum(self, dim: Any = None, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.cumsum`."""
        return ops.cumsum(self, dim, **kw)

    def cumprod(self, dim: Any = None, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.cumprod`."""
        return ops.cumprod(self, dim, **kw)

    def logcumsumexp(self, dim: Any = None, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.logcumsumexp`."""
        return ops.logcumsumexp(self, dim, **kw)

    def any(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.any`."""
        return ops.any(self, dim, keepdim, **kw)

    def all(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.all`."""
        return ops.all(self, dim, keepdim, **kw)

    def amax(self, dim: Any = (), keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.amax`."""
        return ops.amax(self, dim, keepdim, **kw)

    def amin(self, dim: Any = (), keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.amin`."""
        return ops.amin(self, dim, keepdim, **kw)

    def nansum(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.nansum`."""
        return ops.nansum(self, dim, keepdim, **kw)

    def nanmean(self, dim: Any = None, keepdim: bool = False, **kw: Any) -> Tensor:
        """Method form of :func:`tensorlite.nanmean`."""
        return ops.nanmean(self, dim, keepdim, **kw)

    # -- devices, new_* factories, copies, linear algebra (issue 22 part A) -----------------
    @property
    def device(self) -> Any:
        """The device holding the data: ``device(type='cpu')`` (the only one of this build).

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.ones(2).device
        device(type='cpu')
        """
        return CPU

    @property
    def is_cuda(self) -> bool:
        """Whether the tensor is on a CUDA device: always False in this build."""
        return False

    def cpu(self) -> Tensor:
        """This tensor (it is on the CPU already), as PyTorch's ``cpu()`` of a CPU tensor."""
        return self

    def cuda(self, device: Any = None, non_blocking: bool = False) -> Tensor:
        """Move to a CUDA device: a ``RuntimeError`` in this build, which has no GPU backend.

        Parameters
        ----------
        device : int, str or tensorlite.device, optional
            The CUDA device.
        non_blocking : bool, default False
            Ignored.

        Returns
        -------
        Tensor
            Never: it raises.
        """
        check_device("cuda" if device is None else device if isinstance(device, (str, type(CPU)))
                     else f"cuda:{device}", "Tensor.cuda")
        raise RuntimeError("Tensor.cuda: this build of tensorlite has no GPU backend")  # pragma: no cover

    def to(self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False,
           copy: bool = False) -> Tensor:
        """This tensor with ``dtype`` and on ``device``: ``to(dtype)``, ``to(device)``,
        ``to(device, dtype)``, ``to(other_tensor)``, or keywords, as PyTorch's.

        Returns ``self`` when nothing changes (unless ``copy``); a cast is recorded, so gradients
        flow back in this tensor's dtype.

        Parameters
        ----------
        *args : dtype, device (str, int or tensorlite.device) or Tensor
            Positional forms of ``dtype`` and ``device``; a tensor gives both.
        dtype : numpy dtype, optional
        device : str or tensorlite.device, optional
            ``"cpu"``; another device raises a ``RuntimeError``.
        non_blocking : bool, default False
            Ignored (copies are synchronous).
        copy : bool, default False
            Return a new tensor even when nothing changes.

        Returns
        -------
        Tensor

        Examples
        --------
        >>> import numpy as np, tensorlite as tl
        >>> x = tl.ones(2)
        >>> x.to("cpu") is x, x.to(np.float64).dtype, x.to("cpu", "float64").dtype
        (True, dtype('float64'), dtype('float64'))
        """
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype if dtype is None else dtype
                device = arg.device if device is None else device
            elif isinstance(arg, (str, type(CPU), int)) and not isinstance(arg, bool) and not (
                    isinstance(arg, str) and _is_dtype_name(arg)):
                if device is not None:
                    raise TypeError(f"to(): the device is given twice ({device!r} and {arg!r})")
                device = arg
            else:
                if dtype is not None:
                    raise TypeError(f"to(): the dtype is given twice ({dtype!r} and {arg!r})")
                dtype = arg
        check_device(device, "Tensor.to")
        out = self
        if dtype is not None:
            try:
                target = xp.dtype(dtype)
            except TypeError:
                raise TypeError(f"Tensor.to: {dtype!r} is neither a dtype nor a device") from None
            if target != self.dtype:
                out = ops.astype(self, target)
        if copy and out is self:
            out = copying.clone(self)
        return out

    def new_tensor(self, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """A new leaf tensor holding a copy of ``data``, with this tensor's dtype by default.

        Parameters
        ----------
        data : array_like or Tensor
        dtype : numpy dtype, optional
            Default: this tensor's dtype.
        device : str or tensorlite.device, optional
            ``"cpu"``.
        requires_grad : bool, default False

        Returns
        -------
        Tensor

        Examples
        --------
        >>> import numpy as np, tensorlite as tl
        >>> tl.zeros(2, dtype=np.float64).new_tensor([1, 2])
        tensor([1., 2.], dtype=float64)
        """
        return creation.tensor(data, dtype=self.dtype if dtype is None else dtype,
                               requires_grad=requires_grad, device=device)

    def new_zeros(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """Zeros of shape ``size``, with this tensor's dtype by default.

        Parameters
        ----------
        *size : int, or one tuple of int
        dtype : numpy dtype, optional
            Default: this tensor's dtype.
        device : str or tensorlite.device, optional
            ``"cpu"``.
        requires_grad : bool, default False

        Returns
        -------
        Tensor

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.ones(3).new_zeros(2, 2)
        tensor([[0., 0.],
                [0., 0.]])
        """
        return creation.zeros(*size, dtype=self.dtype if dtype is None else dtype,
                              requires_grad=requires_grad, device=device)

    def new_ones(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """Ones of shape ``size``, with this tensor's dtype by default.

        Parameters
        ----------
        *size : int, or one tuple of int
        dtype : numpy dtype, optional
            Default: this tensor's dtype.
        device : str or tensorlite.device, optional
            ``"cpu"``.
        requires_grad : bool, default False

        Returns
        -------
        Tensor

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.zeros(1).new_ones((2,))
        tensor([1., 1.])
        """
        return creation.ones(*size, dtype=self.dtype if dtype is None else dtype,
                             requires_grad=requires_grad, device=device)

    def new_full(self, size: Any, fill_value: Any, dtype: Any = None, device: Any = None,
                 requires_grad: bool = False) -> Tensor:
        """A tensor of shape ``size`` filled with ``fill_value``, with this tensor's dtype by default.

        Parameters
        ----------
        size : int or tuple of int
        fill_value : number
        dtype : numpy dtype, optional
            Default: this tensor's dtype.
        device : str or tensorlite.device, optional
            ``"cpu"``.
        requires_grad : bool, default False

        Returns
        -------
        Tensor

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.zeros(1).new_full((2,), 3.5)
        tensor([3.5, 3.5])
        """
        return creation.full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                             requires_grad=requires_grad, device=device)

    def new_empty(self, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False) -> Tensor:
        """An uninitialised tensor of shape ``size``, with this tensor's dtype by default.

        Parameters
        ----------
        *size : int, or one tuple of int
        dtype : numpy dtype, optional
            Default: this tensor's dtype.
        device : str or tensorlite.device, optional
            ``"cpu"``.
        requires_grad : bool, default False

        Returns
        -------
        Tensor

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.zeros(1).new_empty(2, 3).shape
        (2, 3)
        """
        check_device(device, "new_empty")
        dtype = self.dtype if dtype is None else xp.dtype(dtype)
        out = Tensor._wrap(xp.empty(creation._shape(size), dtype=dtype))
        return out.requires_grad_(True) if requires_grad else out

    def clone(self) -> Tensor:
        """Method form of :func:`tensorlite.clone`."""
        return copying.clone(self)

    def contiguous(self) -> Tensor:
        """Method form of :func:`tensorlite.contiguous`."""
        return copying.contiguous(self)

    def t(self) -> Tensor:
        """The transpose of a matrix: 2-D swapped, 0-D and 1-D returned as they are (PyTorch's ``t``).

        Returns
        -------
        Tensor

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.ones(2, 3).t().shape, tl.ones(3).t().shape
        ((3, 2), (3,))
        """
        if self.ndim > 2:
            raise ValueError(f"t: expects a tensor of at most 2 dims, got shape {self.shape}; "
                             "use transpose(d0, d1) or mT")
        return self if self.ndim < 2 else ops.swapaxes(self, 0, 1)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
        """Method form of :func:`tensorlite.norm`."""
        return linalg_extra.norm(self, p, dim, keepdim, dtype=dtype)

    def mm(self, mat2: Any) -> Tensor:
        """Method form of :func:`tensorlite.mm`."""
        return linalg_extra.mm(self, mat2)

    def bmm(self, mat2: Any) -> Tensor:
        """Method form of :func:`tensorlite.bmm`."""
        return linalg_extra.bmm(self, mat2)

    def mv(self, vec: Any) -> Tensor:
        """Method form of :func:`tensorlite.mv`."""
        return linalg_extra.mv(self, vec)

    def dot(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.dot`."""
        return linalg_extra.dot(self, other)

    def outer(self, vec2: Any) -> Tensor:
        """Method form of :func:`tensorlite.outer`."""
        return linalg_extra.outer(self, vec2)

    def addmm(self, mat1: Any, mat2: Any, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """Method form of :func:`tensorlite.addmm`."""
        return linalg_extra.addmm(self, mat1, mat2, beta=beta, alpha=alpha)

    def addmv(self, mat: Any, vec: Any, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """Method form of :func:`tensorlite.addmv`."""
        return linalg_extra.addmv(self, mat, vec, beta=beta, alpha=alpha)

    def baddbmm(self, batch1: Any, batch2: Any, beta: Any = 1, alpha: Any = 1) -> Tensor:
        """Method form of :func:`tensorlite.baddbmm`."""
        return linalg_extra.baddbmm(self, batch1, batch2, beta=beta, alpha=alpha)

    # -- real-model names (issues 22/23): comparison methods and long() --------------------------
    def eq(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.eq` (``self == other``)."""
        return ops.eq(self, other)

    def ne(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.ne` (``self != other``)."""
        return ops.ne(self, other)

    def lt(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.lt` (``self < other``)."""
        return ops.lt(self, other)

    def le(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.le` (``self <= other``)."""
        return ops.le(self, other)

    def gt(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.gt` (``self > other``)."""
        return ops.gt(self, other)

    def ge(self, other: Any) -> Tensor:
        """Method form of :func:`tensorlite.ge` (``self >= other``)."""
        return ops.ge(self, other)

    def long(self) -> Tensor:
        """Cast to int64 (PyTorch's ``long``)."""
        return ops.astype(self, xp.int64)

    def type(self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """With ``dtype``: cast to it (a dtype, or a legacy name such as ``"torch.LongTensor"``);
        without: PyTorch's legacy type name (``"torch.FloatTensor"``), so code comparing it works.

        Parameters
        ----------
        dtype : numpy dtype or str, optional
            The dtype wanted.
        non_blocking : bool, default False
            Accepted for PyTorch compatibility (no effect on the CPU).
        """
        if dtype is None:
            return f"torch.{_LEGACY_NAMES.get(self.dtype.name, self.dtype.name)}"
        if isinstance(dtype, str) and dtype.rpartition(".")[2] in _LEGACY_DTYPES:
            dtype = _LEGACY_DTYPES[dtype.rpartition(".")[2]]
        dtype = xp.dtype(dtype)
        return self if self.dtype == dtype else ops.astype(self, dtype)

    def view_as(self, other: Any) -> Tensor:
        """``self.view(other.shape)``."""
        return self.view(*other.shape)

    def reshape_as(self, other: Any) -> Tensor:
        """``self.reshape(other.shape)``."""
        return self.reshape(*other.shape)

    def expand_as(self, other: Any) -> Tensor:
        """``self.expand(other.shape)``."""
        return self.expand(*other.shape)

    def type_as(self, other: Any) -> Tensor:
        """Cast to ``other``'s dtype."""
        return self if self.dtype == other.dtype else ops.astype(self, other.dtype)

    def nelement(self) -> int:
        """The number of elements (an alias of ``numel()``)."""
        return self.data.size

    def ndimension(self) -> int:
        """The number of dimensions (an alias of ``dim()``)."""
        return self.data.ndim

    @property
    def is_xpu(self) -> bool:
        """Whether the tensor is on an XPU device: always False in this build."""
        return False

    @property
    def is_mps(self) -> bool:
        """Whether the tensor is on an MPS device: always False in this build."""
        return False

    # last, so that the builtin ``float`` in annotations above is not shadowed
    def float(self) -> Tensor:
        """Cast to float32."""
        return ops.astype(self, xp.float32)

    def double(self) -> Tensor:
        """Cast to float64."""
        return ops.astype(self, xp.float64)

    def half(self) -> Tensor:
        """Cast to float16."""
        return ops.astype(self, xp.float16)

    def int(self) -> Tensor:
        """Cast to int32 (PyTorch's ``int``)."""
        return ops.astype(self, xp.int32)

    def bool(self) -> Tensor:
        """Cast to bool."""
        return ops.astype(self, xp.bool_)


from tensorlite import autograd, ops  # noqa: E402  (import cycle: ops build on Tensor)
from tensorlite.ops import inplace  # noqa: E402


def _is_dtype_name(name: str) -> bool:
    """Whether a string names a dtype ("float64") rather than a device ("cpu")."""
    try:
        xp.dtype(name)
    except TypeError:
        return False
    return True


# issue 22 part A: the factories, devices and ops behind the methods of its block
from tensorlite import creation  # noqa: E402
from tensorlite.array import Array  # noqa: E402
from tensorlite.device import CPU, check_device  # noqa: E402
from tensorlite.ops import copying, linalg_extra  # noqa: E402

# -- real-model names (issues 22/23): legacy type names and the callable size ------------------

_LEGACY_NAMES = {"float16": "HalfTensor", "float32": "FloatTensor", "float64": "DoubleTensor",
                 "int8": "CharTensor", "int16": "ShortTensor", "int32": "IntTensor", "int64": "LongTensor",
                 "uint8": "ByteTensor", "bool": "BoolTensor"}
_LEGACY_DTYPES = {name: dtype for dtype, name in _LEGACY_NAMES.items()}


class _Size(int):
    """NumPy's element count that is also callable as PyTorch's ``size()`` / ``size(dim)``."""

    _shape: tuple[int, ...]

    def __new__(cls, count: int, shape: tuple[int, ...]) -> _Size:
        obj = super().__new__(cls, count)
        obj._shape = shape
        return obj

    def __call__(self, dim: Any = None) -> Any:
        if dim is None:
            return self._shape
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise TypeError(f"size(): dim must be an int, got {type(dim).__name__}")
        ndim = len(self._shape)
        if not -max(ndim, 1) <= dim < max(ndim, 1) or ndim == 0:
            raise IndexError(f"size(): dim {dim} is out of range for a tensor of shape {self._shape}")
        return self._shape[dim]

    def __reduce__(self) -> Any:
        return (int, (int(self),))

    # Arithmetic and comparisons act as a plain int's: NumPy would make an int subclass a strong
    # int64 operand (float32 / size -> float64); ``__array_ufunc__ = None`` makes arrays defer here.
    __array_ufunc__ = None
    __hash__ = int.__hash__


def _size_op(op: Any, reflected: bool) -> Any:
    if reflected:
        return lambda self, other: op(other, int(self))
    return lambda self, other: op(int(self), other)


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor", "lshift",
              "rshift", "matmul"):
    _op = getattr(_operator, _name if _name not in ("and", "or") else _name + "_")
    setattr(_Size, f"__{_name}__", _size_op(_op, False))
    setattr(_Size, f"__r{_name}__", _size_op(_op, True))
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(_Size, f"__{_name}__", _size_op(getattr(_operator, _name), False))
for _name, _reflected in (("__divmod__", False), ("__rdivmod__", True)):
    setattr(_Size, _name, _size_op(divmod, _reflected))
