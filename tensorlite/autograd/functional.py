"""``tl.autograd.functional``: derivatives of a whole function, as in ``torch.autograd.functional``.

``vjp jvp jacobian hessian hvp vhp`` take a Python function of Tensors and the point to
differentiate it at, and return the derivative itself, not ``.grad`` side effects. They are
built on ``tl.grad``; the forward-mode products (``jvp``, ``hvp``) use the double-backward trick
(the vjp is linear in its vector, so differentiating it with respect to that vector gives the
jvp), which needs ``create_graph=True`` through every op of the function.

The return structure follows PyTorch's: a Tensor where the inputs (or outputs) were given as one
Tensor, a tuple where they were given as a tuple; ``jacobian`` and ``hessian`` nest one level per
argument given as a tuple. Results carry no graph unless ``create_graph=True``.
"""
from __future__ import annotations

from typing import Any, Callable

from tensorlite.autograd.engine import grad
from tensorlite.autograd.mode import enable_grad
from tensorlite.backend import xp
from tensorlite.tensor import Tensor

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(value: Any, arg: str, fn_name: str) -> tuple[bool, tuple[Tensor, ...]]:
    """``(was_tuple, tensors)``; anything but a Tensor or a tuple/list of Tensors is refused."""
    is_tuple = isinstance(value, (tuple, list))
    values = tuple(value) if is_tuple else (value,)
    for i, v in enumerate(values):
        if not isinstance(v, Tensor):
            what = "inputs given to" if arg == "inputs" else ("outputs of the user-provided function given to"
                                                               if arg == "outputs" else f"{arg} given to")
            raise TypeError(f"{fn_name}: the {what} {fn_name} must be either a Tensor or a tuple of Tensors, "
                            f"but the value at index {i} has type {type(v).__name__}")
    return is_tuple, values


def _tuple_postprocess(res: Any, to_unpack: Any) -> Any:
    """Undo ``_as_tuple``: unpack the levels that were given as one Tensor (PyTorch's structure)."""
    if isinstance(to_unpack, tuple):  # (outer was tuple, inner was tuple): a nested result
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _prepare(inputs: tuple[Tensor, ...], create_graph: bool, fn_name: str) -> tuple[Tensor, ...]:
    """Fresh inputs that require grad: kept in the caller's graph with ``create_graph=True``
    (through a recorded identity), cut from it otherwise."""
    from tensorlite.autograd.function import Alias

    prepared = []
    for i, t in enumerate(inputs):
        if t.dtype.kind != "f":
            raise TypeError(f"{fn_name}: input {i} has dtype {t.dtype}; only floating tensors can be "
                            "differentiated")
        if create_graph and t.requires_grad:
            with enable_grad():
                prepared.append(Alias.apply(t))
        else:
            prepared.append(Tensor._wrap(t.data).requires_grad_(True))
    return tuple(prepared)


def _finish(values: Any, create_graph: bool) -> Any:
    """Detach the results unless a graph was asked for (nested tuples kept)."""
    if isinstance(values, tuple):
        return tuple(_finish(v, create_graph) for v in values)
    if values is None or create_graph:
        return values
    return Tensor._wrap(values.data)


def _check_v(v: Any, outputs: tuple[Tensor, ...], fn_name: str, what: str) -> tuple[Tensor, ...]:
    _, vs = _as_tuple(v, "v", fn_name)
    if len(vs) != len(outputs):
        raise RuntimeError(f"{fn_name}: v has {len(vs)} tensors but the {what} has {len(outputs)}")
    for i, (vi, o) in enumerate(zip(vs, outputs)):
        if vi.shape != o.shape:
            raise RuntimeError(f"{fn_name}: entry {i} in v has shape {vi.shape} but the {what} has "
                               f"shape {o.shape} there")
    return vs


def _grads(outputs: Any, inputs: Any, grad_outputs: Any, create_graph: bool, strict: bool,
           fn_name: str, stage: str = "output") -> tuple[Tensor, ...]:
    """``tl.grad`` that gives zeros (or, with ``strict``, an error) for inputs not reached."""
    outputs = list(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if pairs:
        result = grad([o for o, _ in pairs], list(inputs), [g for _, g in pairs], retain_graph=True,
                      create_graph=create_graph, allow_unused=True)
    else:
        result = [None] * len(inputs)
    filled = []
    for i, (g, t) in enumerate(zip(result, inputs)):
        if g is None:
            if strict:
                raise RuntimeError(_independent(fn_name, stage, i))
            g = Tensor._wrap(xp.zeros(t.shape, t.dtype))
        elif not isinstance(g, Tensor):
            g = Tensor._wrap(g)
        filled.append(g)
    return tuple(filled)


def _independent(fn_name: str, stage: str, i: int) -> str:
    if stage == "output":
        return (f"{fn_name}: the output of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode.")
    return (f"{fn_name}: the gradient with respect to input {i} is independent of the inputs of the "
            "user-provided function. This is not allowed in strict mode.")


def _call(func: Callable[..., Any], inputs: tuple[Tensor, ...], fn_name: str) -> tuple[bool, tuple[Tensor, ...]]:
    with enable_grad():
        out = func(*inputs)
    return _as_tuple(out, "outputs", fn_name)


def vjp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """The vector-Jacobian product ``v^T J`` of ``func`` at ``inputs``.

    Parameters
    ----------
    func : callable
        Takes the inputs as positional Tensors; returns a Tensor or a tuple of Tensors.
    inputs : Tensor or tuple of Tensors
        Where to differentiate.
    v : Tensor or tuple of Tensors, optional
        One per output, of its shape; may be omitted when ``func`` returns one one-element Tensor.
    create_graph : bool, default False
        Record the computation, so the result can be differentiated again.
    strict : bool, default False
        Raise when an output does not depend on an input (instead of giving zeros).

    Returns
    -------
    (func_output, vjp)
        ``func``'s output, and the product with the structure of ``inputs``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.autograd.functional import vjp
    >>> out, g = vjp(lambda x: x ** 2, tl.tensor([1.0, 2.0]), tl.tensor([1.0, 1.0]))
    >>> g
    tensor([2., 4.])
    """
    name = "vjp"
    is_tuple, xs = _as_tuple(inputs, "inputs", name)
    xs = _prepare(xs, create_graph, name)
    out_tuple, outs = _call(func, xs, name)
    if v is None:
        if len(outs) != 1 or outs[0].data.size != 1:
            raise RuntimeError("vjp: the vector v can only be None if the user-provided function returns "
                               "a single Tensor with a single element")
        vs: tuple[Any, ...] = (Tensor._wrap(xp.ones(outs[0].shape, outs[0].dtype)),)
    else:
        vs = _check_v(v, outs, name, "output of the user-provided function")
    result = _grads(outs, xs, vs, create_graph, strict, name)
    return (_tuple_postprocess(_finish(outs, create_graph), out_tuple),
            _tuple_postprocess(_finish(result, create_graph), is_tuple))


def jvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """The Jacobian-vector product ``J v`` of ``func`` at ``inputs`` (forward-mode derivative).

    Computed by the double-backward trick: ``u -> vjp(u)`` is linear in ``u``, and its
    vector-Jacobian product with ``v`` is ``J v``.

    Parameters
    ----------
    func : callable
        Takes the inputs as positional Tensors; returns a Tensor or a tuple of Tensors.
    inputs : Tensor or tuple of Tensors
        Where to differentiate.
    v : Tensor or tuple of Tensors, optional
        One per input, of its shape; may be omitted when there is one one-element input.
    create_graph : bool, default False
        Record the computation, so the result can be differentiated again.
    strict : bool, default False
        Raise when an output does not depend on an input (instead of giving zeros).

    Returns
    -------
    (func_output, jvp)
        ``func``'s output, and the product with the structure of the output.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.autograd.functional import jvp
    >>> out, d = jvp(lambda x: x ** 2, tl.tensor([1.0, 2.0]), tl.tensor([1.0, 0.0]))
    >>> d
    tensor([2., 0.])
    """
    name = "jvp"
    is_tuple, xs = _as_tuple(inputs, "inputs", name)
    xs = _prepare(xs, create_graph, name)
    if v is None:
        if len(xs) != 1 or xs[0].data.size != 1:
            raise RuntimeError("jvp: the vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element")
        vs: tuple[Any, ...] = (Tensor._wrap(xp.ones(xs[0].shape, xs[0].dtype)),)
    else:
        vs = _check_v(v, xs, name, "input")
    out_tuple, outs = _call(func, xs, name)
    # u: a dummy cotangent that requires grad; vjp(u) is linear in u, so d(vjp(u) . v)/du = J v.
    us = tuple(Tensor._wrap(xp.zeros(o.shape, o.dtype)).requires_grad_(True) for o in outs)
    with enable_grad():
        pullback = _grads(outs, xs, us, True, strict, name)
        result = _grads(pullback, us, vs, create_graph, False, name)
    if strict:
        for i, o in enumerate(outs):
            if not o.requires_grad:
                raise RuntimeError(f"jvp: output {i} of the user-provided function is independent of "
                                   "the inputs. This is not allowed in strict mode.")
    return (_tuple_postprocess(_finish(outs, create_graph), out_tuple),
            _tuple_postprocess(_finish(result, create_graph), out_tuple))


def jacobian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: d output[i] / d input[j], one block per pair.

    Computed in reverse mode, one backward pass per output element (``vectorize`` is accepted
    for PyTorch's signature and gives the same result).

    Parameters
    ----------
    func : callable
        Takes the inputs as positional Tensors; returns a Tensor or a tuple of Tensors.
    inputs : Tensor or tuple of Tensors
        Where to differentiate.
    create_graph : bool, default False
        Record the computation, so the Jacobian can be differentiated again.
    strict : bool, default False
        Raise when an output does not depend on an input (instead of giving zeros).
    vectorize : bool, default False
        Accepted for PyTorch's signature; the result is the same either way.
    strategy : {'reverse-mode', 'forward-mode'}, default 'reverse-mode'
        'forward-mode' needs ``vectorize=True`` (as in PyTorch); both give the same values.

    Returns
    -------
    Tensor, tuple of Tensors, or tuple of tuples
        Block ``[i][j]`` has shape ``output[i].shape + input[j].shape``; a level is unpacked
        where the outputs or the inputs were one Tensor.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.autograd.functional import jacobian
    >>> jacobian(lambda x: x ** 2, tl.tensor([1.0, 2.0]))
    tensor([[2., 0.],
            [0., 4.]])
    """
    name = "jacobian"
    if strategy not in ("reverse-mode", "forward-mode"):
        raise ValueError(f'jacobian: expected strategy to be either "forward-mode" or "reverse-mode", '
                         f"got {strategy!r}")
    if strategy == "forward-mode" and not vectorize:
        raise NotImplementedError('jacobian: strategy="forward-mode" requires vectorize=True')
    if strict and vectorize:
        raise RuntimeError("jacobian: strict=True and vectorize=True are not supported together; "
                           "set vectorize=False to use strict mode")
    is_tuple, xs = _as_tuple(inputs, "inputs", name)
    xs = _prepare(xs, create_graph, name)
    out_tuple, outs = _call(func, xs, name)
    blocks = []
    for out in outs:
        if strict:
            _strict_unused(out, xs, name)
        rows: list[list[Tensor]] = [[] for _ in xs]
        for k in range(out.data.size):  # one backward per output element: row k of every block
            seed = xp.zeros(out.data.size, out.dtype)
            seed[k] = 1
            row = _grads((out,), xs, (Tensor._wrap(seed.reshape(out.shape)),), create_graph, False, name)
            for j, g in enumerate(row):
                rows[j].append(g)
        blocks.append(tuple(_stack(r).reshape(out.shape + x.shape) if r else
                            Tensor._wrap(xp.zeros(out.shape + x.shape, x.dtype)) for r, x in zip(rows, xs)))
    return _tuple_postprocess(_finish(tuple(blocks), create_graph), (out_tuple, is_tuple))


def _stack(rows: list[Tensor]) -> Tensor:
    from tensorlite import ops  # local: the ops import the engine

    return ops.stack(rows)


def _strict_unused(out: Tensor, xs: tuple[Tensor, ...], name: str) -> None:
    """``strict``: every input must be reached from ``out``."""
    if not out.requires_grad:
        raise RuntimeError(_independent(name, "output", 0))
    found = grad(out.sum(), list(xs), retain_graph=True, allow_unused=True)
    for j, g in enumerate(found):
        if g is None:
            raise RuntimeError(_independent(name, "output", j))


def hessian(func: Callable[..., Any], inputs: Any, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of the scalar function ``func`` at ``inputs``: the Jacobian of its gradient.

    Parameters
    ----------
    func : callable
        Takes the inputs as positional Tensors; returns a Tensor with a single element.
    inputs : Tensor or tuple of Tensors
        Where to differentiate.
    create_graph : bool, default False
        Record the computation, so the Hessian can be differentiated again.
    strict : bool, default False
        Raise when the output, or its gradient, does not depend on an input.
    vectorize : bool, default False
        Accepted for PyTorch's signature; the result is the same either way.
    outer_jacobian_strategy : {'reverse-mode', 'forward-mode'}, default 'reverse-mode'
        Accepted for PyTorch's signature ('forward-mode' needs ``vectorize=True``).

    Returns
    -------
    Tensor or tuple of tuples of Tensors
        Block ``[i][j]`` has shape ``input[i].shape + input[j].shape``; one Tensor when the
        inputs were one Tensor.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.autograd.functional import hessian
    >>> hessian(lambda x: (x ** 3).sum(), tl.tensor([1.0, 2.0]))
    tensor([[ 6.,  0.],
            [ 0., 12.]])
    """
    name = "hessian"
    is_tuple, xs = _as_tuple(inputs, "inputs", name)
    if outer_jacobian_strategy == "forward-mode" and not vectorize:
        raise NotImplementedError('hessian: outer_jacobian_strategy="forward-mode" requires vectorize=True')

    def gradient(*args: Tensor) -> Any:
        out_tuple, outs = _as_tuple(func(*args), "outputs", name)
        if len(outs) != 1 or outs[0].data.size != 1:
            raise RuntimeError("hessian: the function given to hessian should return a single Tensor "
                               f"with a single element, got {len(outs)} output(s) of shape(s) "
                               f"{[tuple(o.shape) for o in outs]}")
        out = outs[0].reshape(())
        grads = _grads((out,), args, (Tensor._wrap(xp.ones((), out.dtype)),), True, strict, name)
        if strict:
            for i, g in enumerate(grads):
                if not g.requires_grad:
                    raise RuntimeError(_independent(name, "gradient", i))
        return grads if is_tuple else grads[0]

    return jacobian(gradient, xs if is_tuple else xs[0], create_graph=create_graph, strict=False,
                    vectorize=vectorize)


def vhp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """The vector-Hessian product ``v^T H`` of the scalar function ``func`` at ``inputs``.

    Parameters
    ----------
    func : callable
        Takes the inputs as positional Tensors; returns a Tensor with a single element.
    inputs : Tensor or tuple of Tensors
        Where to differentiate.
    v : Tensor or tuple of Tensors, optional
        One per input, of its shape; may be omitted when there is one one-element input.
    create_graph : bool, default False
        Record the computation, so the result can be differentiated again.
    strict : bool, default False
        Raise when the output, or its gradient, does not depend on an input.

    Returns
    -------
    (func_output, vhp)
        ``func``'s output, and the product with the structure of ``inputs``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.autograd.functional import vhp
    >>> out, p = vhp(lambda x: (x ** 3).sum(), tl.tensor([1.0, 2.0]), tl.tensor([1.0, 1.0]))
    >>> p
    tensor([ 6., 12.])
    """
    return _hessian_product("vhp", func, inputs, v, create_graph, strict)


def hvp(func: Callable[..., Any], inputs: Any, v: Any = None, create_graph: bool = False,
        strict: bool = False) -> tuple[Any, Any]:
    """The Hessian-vector product ``H v`` of the scalar function ``func`` at ``inputs``.

    Computed as PyTorch does, by the double-backward trick on the gradient, so it costs about
    two backward passes more than the gradient; for a twice continuously differentiable function
    it equals :func:`vhp`.

    Parameters
    ----------
    func : callable
        Takes the inputs as positional Tensors; returns a Tensor with a single element.
    inputs : Tensor or tuple of Tensors
        Where to differentiate.
    v : Tensor or tuple of Tensors, optional
        One per input, of its shape; may be omitted when there is one one-element input.
    create_graph : bool, default False
        Record the computation, so the result can be differentiated again.
    strict : bool, default False
        Raise when the output, or its gradient, does not depend on an input.

    Returns
    -------
    (func_output, hvp)
        ``func``'s output, and the product with the structure of ``inputs``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.autograd.functional import hvp
    >>> out, p = hvp(lambda x: (x ** 3).sum(), tl.tensor([1.0, 2.0]), tl.tensor([1.0, 0.0]))
    >>> p
    tensor([6., 0.])
    """
    return _hessian_product("hvp", func, inputs, v, create_graph, strict)


def _hessian_product(name: str, func: Callable[..., Any], inputs: Any, v: Any, create_graph: bool,
                     strict: bool) -> tuple[Any, Any]:
    is_tuple, xs = _as_tuple(inputs, "inputs", name)
    xs = _prepare(xs, create_graph, name)
    if v is None:
        if len(xs) != 1 or xs[0].data.size != 1:
            raise RuntimeError(f"{name}: the vector v can only be None if the input to the user-provided "
                               "function is a single Tensor with a single element")
        vs: tuple[Any, ...] = (Tensor._wrap(xp.ones(xs[0].shape, xs[0].dtype)),)
    else:
        vs = _check_v(v, xs, name, "input")
    _, outs = _call(func, xs, name)
    if len(outs) != 1 or outs[0].data.size != 1:
        raise RuntimeError(f"{name}: the function given to {name} should return a single Tensor with a "
                           f"single element, got {len(outs)} output(s) of shape(s) "
                           f"{[tuple(o.shape) for o in outs]}")
    out = outs[0]
    with enable_grad():
        first = _grads((out,), xs, (Tensor._wrap(xp.ones(out.shape, out.dtype)),), True, strict, name)
        if strict:
            for i, g in enumerate(first):
                if not g.requires_grad:
                    raise RuntimeError(_independent(name, "gradient", i))
        if name == "vhp":
            result = _grads(first, xs, vs, create_graph, strict, name, "gradient")
        else:  # H v: d/du of (u . d(first)/dx), which is u^T H, is linear in u; its vjp with v is H v
            us = tuple(Tensor._wrap(xp.zeros(x.shape, x.dtype)).requires_grad_(True) for x in xs)
            back = _grads(first, xs, us, True, strict, name, "gradient")
            result = _grads(back, us, vs, create_graph, False, name)
    return _finish(out.reshape(out.shape), create_graph), _tuple_postprocess(_finish(result, create_graph),
                                                                             is_tuple)
