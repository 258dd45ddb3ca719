"""Gradient checking: the engine's gradients against central finite differences in float64."""
from __future__ import annotations

import builtins
from typing import Any, Callable, Sequence

from tensorlite.autograd.engine import grad
from tensorlite.autograd.mode import enable_grad, no_grad
from tensorlite.backend import xp
from tensorlite.tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


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
    fn: Callable[..., Tensor | Sequence[Tensor]],
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
    checked = _float64(inputs)
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
        return float(builtins.sum((oi.data.astype(xp.float64) * w).sum() for oi, w in zip(os_, weights)))

    live = [(o, w) for o, w in zip(outs, weights) if o.requires_grad]  # the others are constants
    analytic = grad([o for o, _ in live], wrt, grad_outputs=[w.astype(o.dtype) for o, w in live],
                    allow_unused=True) if live else [None] * len(wrt)
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


def _float64(inputs: Sequence[Tensor] | Tensor) -> list[Tensor]:
    """The inputs, floating ones that are not float64 cast to float64 copies."""
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    checked = []
    for t in inputs:
        if t.dtype != xp.float64 and t.dtype.kind == "f":
            t = Tensor(t.data.astype(xp.float64), requires_grad=t.requires_grad)
        checked.append(t)
    return checked


def gradgradcheck(
    fn: Callable[..., Tensor | Sequence[Tensor]],
    inputs: Sequence[Tensor] | Tensor,
    grad_outputs: Sequence[Any] | Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check second derivatives: the gradients of the gradients of ``fn`` against finite differences.

    As PyTorch's: it runs :func:`gradcheck` on the function that maps ``(inputs, v)`` to the
    vector-Jacobian products ``tl.grad(fn(inputs), inputs, v, create_graph=True)``, so both the
    derivative with respect to the inputs (the Hessian-vector product) and the one with respect to
    ``v`` are checked, in float64.

    Parameters
    ----------
    fn : callable
        Called as ``fn(*inputs)``; returns a Tensor (or a sequence of Tensors).
    inputs : Tensor or sequence of Tensor
        The inputs of ``fn``; those that require grad are checked.
    grad_outputs : array or Tensor, or a sequence of them, optional
        ``v``, one per output; random (fixed seed) when omitted.
    eps, atol, rtol : float
        As in :func:`gradcheck`.

    Returns
    -------
    bool
        True; a mismatch raises :class:`GradcheckError` naming the input (the inputs come first,
        then one ``v`` per output).

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> x = tl.tensor(np.random.randn(3, 4), dtype=np.float64, requires_grad=True)
    >>> tl.gradgradcheck(lambda t: (t * t).tanh().sum(dim=1), [x])
    True
    """
    checked = _float64(inputs)
    n = len(checked)
    wrt = [i for i, t in enumerate(checked) if t.requires_grad]
    if not wrt:
        raise ValueError("gradgradcheck: no input has requires_grad=True")
    out = fn(*checked)
    outs = [out] if isinstance(out, Tensor) else list(out)
    if grad_outputs is None:
        rng = xp.random.default_rng(4321)
        vs = [Tensor(rng.standard_normal(o.shape), requires_grad=True) for o in outs]
    else:
        given = [grad_outputs] if isinstance(grad_outputs, (Tensor, xp.ndarray)) else list(grad_outputs)
        vs = [Tensor((g.data if isinstance(g, Tensor) else xp.asarray(g)).astype(xp.float64),
                     requires_grad=True) for g in given]
    if len(vs) != len(outs):
        raise ValueError(f"gradgradcheck: {len(outs)} outputs but {len(vs)} grad_outputs")

    def first_derivatives(*args: Tensor) -> tuple[Tensor, ...]:
        xs, v = args[:n], args[n:]
        with enable_grad():
            o = fn(*xs)
            os_ = [o] if isinstance(o, Tensor) else list(o)
            pairs = [(oi, vi) for oi, vi in zip(os_, v) if oi.requires_grad]
            gs = grad([oi for oi, _ in pairs], [xs[i] for i in wrt], [vi for _, vi in pairs],
                      create_graph=True, allow_unused=True) if pairs else [None] * len(wrt)
        return tuple(Tensor(xp.zeros(xs[i].shape)) if g is None else g for i, g in zip(wrt, gs))

    return gradcheck(first_derivatives, checked + vs, eps, atol, rtol)
