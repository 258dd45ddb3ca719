"""The transformer's fused ops: ``gelu`` and ``scaled_dot_product_attention``.

Both are single ops with closed-form backward rules:

- ``gelu``: ``x * Phi(x)`` (``Phi`` the standard normal CDF, through :func:`_erf`), or its tanh
  approximation; the backward rule is the derivative in closed form.
- ``scaled_dot_product_attention``: ``softmax(q @ k^T * scale + mask) @ v`` (with dropout on the
  weights) in one entry on the tape. Backward from the saved weights ``P``: ``dV = P^T G``,
  ``dP = G V^T``, ``dS = P * (dP - rowsum(G * out))`` (that row sum equals ``rowsum(dP * P)``, on
  a smaller array), ``dQ = dS K * scale``, ``dK = dS^T Q * scale``.
  Measured against the same maths as recorded ops (matmul, softmax, matmul) it is faster (see
  ``python -m benchmarks.layers``) and keeps one array of weights instead of three.
"""
from __future__ import annotations

import math
from typing import Any

from tensorlite import config
from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.args import flag, number
from tensorlite.ops.loss import softmax_graph, with_value
from tensorlite.ops.operands import as_floating, as_tensor, constant, operands
from tensorlite.tensor import Tensor

__all__ = ["gelu", "scaled_dot_product_attention"]

_SQRT_2 = math.sqrt(2.0)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TANH_C = 0.044715


def _erf(x: Any) -> Any:
    """The error function, elementwise, to float64 rounding (no SciPy).

    For ``|x| < 2`` the series ``erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!``
    (its terms are all of one sign: no cancellation); above, ``1 - erfc(x)`` with erfc's
    continued fraction ``exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...))))``; beyond
    6 it is +-1 in float64. Private until the public ``tl.erf`` lands.
    """
    xq = array_module(x)
    a = xq.abs(x).astype(xq.float64)
    out = xq.empty_like(a)
    small = a < 2.0
    s = a[small]
    s2 = s * s
    term = s.copy()
    total = s.copy()
    for n in range(1, 32):  # enough terms for |x| < 2
        term *= s2
        term *= 2 / (2 * n + 1)
        total += term
    out[small] = total * xq.exp(-s2) * (2 / math.sqrt(math.pi))
    big = ~small
    b = xq.minimum(a[big], 6.0)
    t = b.copy()
    for k in range(42, 0, -1):  # enough depth for x >= 2
        t = (k / 2) / t
        t += b
    out[big] = 1 - xq.exp(-b * b) / (math.sqrt(math.pi) * t)
    return (xq.sign(x) * out).astype(x.dtype)


class Gelu(Op):
    """``x * Phi(x)`` (``approximate='none'``) or ``x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``."""

    def forward(self, x, approximate):
        self.approximate = approximate
        if approximate == "tanh":
            t = x * x
            t *= _TANH_C * _SQRT_2_OVER_PI
            t += _SQRT_2_OVER_PI
            t *= x
            t = self.xp.tanh(t)
            if self.parents:
                self.save(x, t)
            y = t + 1
            y *= x
            y *= 0.5
            return y
        cdf = 0.5 * (1 + _erf(x / _SQRT_2))
        if self.parents:
            self.save(x, cdf)
        return x * cdf

    def backward(self, grad):
        x, c = self.saved
        if self.approximate == "tanh":  # c is the tanh: d/dx = (1 + t)/2 + x/2 (1 - t^2) du/dx
            du = x * x
            du *= 3 * _TANH_C * _SQRT_2_OVER_PI
            du += _SQRT_2_OVER_PI
            du *= x
            du *= 1 - c * c
            du += 1 + c
            du *= 0.5
            du *= grad
            return du
        pdf = _INV_SQRT_2PI * self.xp.exp(-0.5 * x * x)
        return grad * (c + x * pdf)

    def backward_graph(self, grad):
        x = self.input_tensor(0, self.saved[0])
        if self.approximate == "tanh":  # (1 + t)/2 + x/2 (1 - t^2) du/dx, t = tanh(u)
            t = (_SQRT_2_OVER_PI * (x + _TANH_C * x ** 3)).tanh()
            du = _SQRT_2_OVER_PI * (1 + 3 * _TANH_C * x * x)
            return grad * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
        return grad * (NormalCdf.apply(x) + x * _normal_pdf(x))


def _normal_pdf(x: Tensor) -> Tensor:
    """The standard normal density of ``x``, with recorded ops."""
    return _INV_SQRT_2PI * (-0.5 * x * x).exp()


class NormalCdf(Op):
    """The standard normal CDF ``Phi(x)``: recorded by :class:`Gelu`'s graph rule (its derivative
    is the density)."""

    def forward(self, x):
        if self.parents:
            self.save(x)
        return 0.5 * (1 + _erf(x / _SQRT_2))

    def backward(self, grad):
        (x,) = self.saved
        return grad * (_INV_SQRT_2PI * self.xp.exp(-0.5 * x * x))

    def backward_graph(self, grad):
        return grad * _normal_pdf(self.input_tensor(0, self.saved[0]))


def gelu(input: Any, approximate: str = "none") -> Tensor:
    """The Gaussian error linear unit ``x * Phi(x)``, elementwise, as PyTorch's ``F.gelu``.

    Parameters
    ----------
    input : Tensor of any shape
        A floating tensor.
    approximate : {'none', 'tanh'}, default 'none'
        ``'none'``: the exact form with the error function, ``x/2 (1 + erf(x / sqrt(2)))``;
        ``'tanh'``: ``x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``.

    Returns
    -------
    Tensor of the input's shape and dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> F.gelu(tl.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.15865526,  0.        ,  0.8413447 ])
    >>> F.gelu(tl.tensor([1.0]), approximate="tanh")
    tensor([0.841192])
    """
    if approximate not in ("none", "tanh"):
        raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
    return Gelu.apply(as_floating(input, "gelu"), approximate=approximate)


class ScaledDotProductAttention(Op):
    """``softmax(q @ k^T * scale + mask) * keep @ v`` with ``mask`` an additive float array (or
    None) and ``keep`` the dropout mask already scaled by ``1 / (1 - p)`` (or None). A float mask
    that requires a gradient comes as a fourth input; a constant one as the ``bias`` parameter.
    Rows whose every key is masked out give zeros (PyTorch's rule), not NaN."""

    def forward(self, q, k, v, *mask_input, bias, keep, scale):
        xq = self.xp
        s = q @ xq.swapaxes(k, -1, -2)
        s *= scale
        mask = mask_input[0] if mask_input else None if bias is None else xq.asarray(bias)  # host-made
        if keep is not None:
            keep = xq.asarray(keep)
        if mask is not None:
            if self.xp.broadcast_shapes(s.shape, mask.shape) == s.shape:
                s += mask  # s is our own fresh array
            else:
                s = s + mask
        m = s.max(axis=-1, keepdims=True)
        dead = None
        if mask is not None:
            dead = m == -xq.inf  # a row with no key to attend to
            if dead.any():
                m = xq.where(dead, 0, m)
            else:
                dead = None
        s -= m
        p = xq.exp(s, out=s)
        total = p.sum(axis=-1, keepdims=True)
        if dead is not None:
            total = xq.where(dead, 1, total)
        p /= total
        pk = p if keep is None else p * keep
        out = pk @ v
        if self.parents:
            self.save(q, k, v, p, None if keep is None else pk, keep, out)
            self.scale = scale
        return out

    def backward(self, grad):
        q, k, v, p, pk, keep, out = self.saved
        xq = self.xp
        need = self.needs_input_grad
        gv = xq.swapaxes(p if pk is None else pk, -1, -2) @ grad if need[2] else None
        gq = gk = gm = None
        if need[0] or need[1] or (len(need) > 3 and need[3]):
            gs = grad @ xq.swapaxes(v, -1, -2)  # dL/d(pk), then dL/dp
            if keep is not None:
                gs *= keep
            # dS = P * (dP - rowsum(dP * P)), and rowsum(dP * P) = rowsum(dOut * out): (.., L, Ev), not (.., L, S)
            gs -= (grad * out).sum(axis=-1, keepdims=True)
            gs *= p
            if len(need) > 3 and need[3]:
                gm = gs.copy() if need[0] or need[1] else gs
            gs *= self.scale
            if need[0]:
                gq = gs @ k
            if need[1]:
                gk = xq.swapaxes(gs, -1, -2) @ q
        return (gq, gk, gv) + ((gm,) if len(need) > 3 else ())

    def backward_graph(self, grad):
        """Recompute the forward with recorded ops and differentiate it. The scores enter as
        ``log(P)``, which softmax takes as they are up to a shift per row (so neither the constant
        mask nor the float mask input, both unsaved, is needed), carrying the derivatives of
        ``q @ k^T * scale + mask`` (linear in the mask: its node holds zeros as a stand-in)."""
        q, k, v, p, _, keep, _ = self.saved
        xq, scale = self.xp, self.scale
        with xq.errstate(divide="ignore"):
            log_p = xq.log(p)
        mask = () if len(self.parents) < 4 else (xq.zeros(self.parents[3].shape, dtype=p.dtype),)

        def forward(q, k, v, *mask):
            f = (q @ k.mT) * scale
            if mask:
                f = f + mask[0]
            weights = softmax_graph(with_value(log_p, f), -1)
            return (weights if keep is None else weights * constant(keep)) @ v

        return self.backward_by_recompute(grad, forward, q, k, v, *mask)


def _attention_shapes(q: Tensor, k: Tensor, v: Tensor, who: str) -> tuple[int, int]:
    """Check the (..., L, E), (..., S, E), (..., S, Ev) shapes; return (L, S)."""
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"{who}: query, key and value need at least 2 dims (..., L or S, E), got shapes "
                         f"{q.shape}, {k.shape}, {v.shape}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"{who}: query's last dim {q.shape[-1]} must equal key's {k.shape[-1]} "
                         f"(shapes {q.shape} and {k.shape})")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{who}: key and value must have the same sequence length S (dim -2), got "
                         f"shapes {k.shape} and {v.shape}")
    try:
        xp.broadcast_shapes(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    except ValueError:
        raise ValueError(f"{who}: the batch dims of query {q.shape}, key {k.shape} and value {v.shape} "
                         f"do not broadcast") from None
    return q.shape[-2], k.shape[-2]


def scaled_dot_product_attention(query: Any, key: Any, value: Any, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None) -> Tensor:
    """Attention ``softmax(query @ key^T * scale + mask) @ value``, as PyTorch's function, in one op.

    Parameters
    ----------
    query : Tensor of shape ``(..., L, E)``
        The queries (``...`` is any batch shape, e.g. ``(N, heads)``).
    key : Tensor of shape ``(..., S, E)``
        The keys; batch dims broadcast with the query's.
    value : Tensor of shape ``(..., S, Ev)``
        The values.
    attn_mask : Tensor or ndarray broadcastable to ``(..., L, S)``, optional
        A bool mask (True: the query may attend to that key) or a float mask of the query's
        dtype added to the scores (``-inf`` masks out; it gets a gradient when it requires one).
    dropout_p : float, default 0.0
        Probability of zeroing an attention weight (the rest scaled by ``1 / (1 - p)``), drawn
        from tensorlite's generator (``tl.manual_seed``). Pass 0 in evaluation.
    is_causal : bool, default False
        Query ``i`` attends to keys ``j <= i`` only (the lower triangle of an (L, S) matrix);
        an error together with ``attn_mask``, as in PyTorch.
    scale : float, optional
        The factor on the scores; default ``1 / sqrt(E)``.

    Returns
    -------
    Tensor of shape ``(..., L, Ev)``
        A query whose keys are all masked out gets zeros.

    Examples
    --------
    >>> import tensorlite as tl
    >>> import tensorlite.nn.functional as F
    >>> q = k = v = tl.ones(2, 4, 3, 8)          # (N, heads, L, E)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
    (2, 4, 3, 8)
    >>> F.scaled_dot_product_attention(tl.eye(2), tl.eye(2), tl.tensor([[1.0], [3.0]]), scale=100.0)
    tensor([[1.],
            [3.]])
    """
    who = "scaled_dot_product_attention"
    q, k, v = operands(who, query, key, value)
    if q.dtype.kind != "f":
        raise TypeError(f"{who}: expected floating query, key and value, got dtype {q.dtype}")
    L, S = _attention_shapes(q, k, v, who)
    p = number(dropout_p, "dropout_p", who, 0, 1)
    causal = flag(is_causal, "is_causal", who)
    sc = 1 / math.sqrt(q.shape[-1]) if scale is None else number(scale, "scale", who)
    batch = xp.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    mask_input, bias = _attention_mask(attn_mask, q.dtype, batch + (L, S), who)
    if causal:
        if attn_mask is not None:
            raise ValueError(f"{who}: give attn_mask or is_causal=True, not both (got a mask of shape "
                             f"{getattr(attn_mask, 'shape', None)})")
        bias = xp.where(xp.tril(xp.ones((L, S), dtype=bool)), 0, -xp.inf).astype(q.dtype)
    keep = None
    if p > 0:
        shape = xp.broadcast_shapes(batch + (L, S), () if bias is None else bias.shape,
                                    () if mask_input is None else mask_input.shape)
        drop = config.generator().random(shape, dtype=xp.float32) >= p
        keep = drop.astype(q.dtype)
        if p < 1:
            keep *= 1 / (1 - p)
    inputs = (q, k, v) if mask_input is None else (q, k, v, mask_input)
    return ScaledDotProductAttention.apply(*inputs, bias=bias, keep=keep, scale=sc)


def _attention_mask(mask: Any, dtype: Any, target: tuple[int, ...], who: str) -> tuple[Tensor | None, Any]:
    """``(mask tensor, None)`` for a float mask that requires a gradient, ``(None, additive
    array)`` for any other mask (bool masks become 0 / -inf), ``(None, None)`` for none. Refuses
    a mask that does not broadcast to ``target`` (``(..., L, S)``) or has another float dtype."""
    if mask is None:
        return None, None
    m = as_tensor(mask, who)
    try:
        if xp.broadcast_shapes(m.shape, target) != target:
            raise ValueError
    except ValueError:
        raise ValueError(f"{who}: attn_mask of shape {m.shape} does not broadcast to the attention "
                         f"scores' shape {target} (..., L, S)") from None
    if m.dtype == bool:
        return None, xp.where(m.data, 0, -xp.inf).astype(dtype)
    if m.dtype != dtype:
        raise TypeError(f"{who}: attn_mask must be bool or of the query's dtype {dtype}, got {m.dtype} "
                        f"(shape {m.shape})")
    if m.requires_grad:
        return m, None
    return None, m.data
