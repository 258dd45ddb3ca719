"""Gradient checking: the engine's gradients against central finite differences in float64."""
from __future__ import annotations

from typing import Callable, Sequence

from tensorlite.autograd.engine import grad
from tensorlite.autograd.mode import no_grad
from tensorlite.backend import xp
from tensorlite.tensor import Tensor

__all__ = ["gradcheck", "GradcheckError"]


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
