"""Attention and transformer layers: ``GELU``, ``MultiheadAttention``, ``TransformerEncoderLayer``,
``TransformerDecoderLayer``, ``TransformerEncoder``, ``TransformerDecoder`` and ``Transformer``.

They compose ops (``linear``, :func:`~tensorlite.ops.attention.scaled_dot_product_attention`,
``layer_norm``, dropout) and hold no gradient code. Parameter names, shapes and default
initialisation are PyTorch's, so a PyTorch ``state_dict`` converted to NumPy loads (strict) and
gives the same outputs.

Masks follow PyTorch's layers (the opposite of ``scaled_dot_product_attention``'s bool masks):
a bool ``attn_mask`` or ``key_padding_mask`` is True where attention is NOT allowed; a float mask
is added to the scores.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Callable

from tensorlite import config
from tensorlite.backend import xp
from tensorlite.device import factory_dtype
from tensorlite.nn import init
from tensorlite.nn.containers import ModuleList
from tensorlite.nn.dropout import Dropout, dropout
from tensorlite.nn.linear import Linear
from tensorlite.nn.module import Module, Parameter
from tensorlite.nn.normalization import LayerNorm
from tensorlite.ops.args import check_dtype, flag, number, size
from tensorlite.ops.arith import relu
from tensorlite.ops.attention import gelu, scaled_dot_product_attention
from tensorlite.ops.index import cat
from tensorlite.ops.linalg import linear
from tensorlite.ops.operands import as_tensor
from tensorlite.ops.reduce import softmax
from tensorlite.tensor import Tensor

__all__ = ["GELU", "MultiheadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer",
           "TransformerEncoder", "TransformerDecoder", "Transformer"]


class GELU(Module):
    """Elementwise ``x * Phi(x)`` (see :func:`tensorlite.nn.functional.gelu`); any shape.

    Parameters
    ----------
    approximate : {'none', 'tanh'}, default 'none'
        The exact form with erf, or the tanh approximation.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.GELU()(tl.tensor([0.0, 1.0]))
    tensor([0.      , 0.841345])
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


def _float_mask(mask: Any, dtype: Any, what: str, who: Any) -> Tensor:
    """A layer's mask as an additive float tensor: bool True (not allowed) becomes -inf; a float32
    mask on a float64 input is promoted (PyTorch's attention accepts bool, float32 or the input's dtype)."""
    m = as_tensor(mask, str(who))
    if m.dtype == bool:
        return Tensor._wrap(xp.where(m.data, -xp.inf, 0).astype(dtype))
    if m.dtype != dtype and m.dtype != xp.float32:
        raise TypeError(f"{who}: {what} must be bool or of the input's dtype {dtype}, got {m.dtype} "
                        f"(shape {m.shape})")
    return m if m.dtype == dtype else m.to(dtype)  # a float32 mask is promoted, as in PyTorch


def _pad_key(mask: Tensor | None) -> Tensor | None:
    """One more key column (of zeros: nothing masked) on a float mask, for bias_k or a zero key."""
    if mask is None:
        return None
    return cat([mask, Tensor._wrap(xp.zeros(mask.shape[:-1] + (1,), dtype=mask.dtype))], dim=-1)


class MultiheadAttention(Module):
    """Multi-head attention ``concat(head_1, ..., head_h) W_o`` with ``head_i =
    attention(Q W_q_i, K W_k_i, V W_v_i)``, as PyTorch's layer.

    Parameters
    ----------
    embed_dim : int
        The model's width E (of queries and outputs).
    num_heads : int
        The number of heads; must divide ``embed_dim`` (each head has ``embed_dim // num_heads``).
    dropout : float, default 0.0
        Dropout on the attention weights (in training).
    bias : bool, default True
        Whether the input and output projections have biases.
    add_bias_kv : bool, default False
        Learn ``bias_k`` and ``bias_v`` of shape (1, 1, E), appended to the keys and values.
    add_zero_attn : bool, default False
        Append a key and a value of zeros (after the heads are split).
    kdim, vdim : int, optional
        The widths of keys and values (default ``embed_dim``). When either differs, the projections
        are ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim), ``v_proj_weight`` (E, vdim) instead
        of one ``in_proj_weight`` (3E, E).
    batch_first : bool, default False
        Inputs and outputs are (N, L, E) instead of (L, N, E).
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: query ``(L, N, E)``, key ``(S, N, kdim)``, value ``(S, N, vdim)`` (``(N, L, E)`` etc.
    with ``batch_first``; ``(L, E)`` unbatched). ``forward`` returns ``(attn_output, weights)``:
    ``(L, N, E)`` and ``(N, L, S)`` (``(N, num_heads, L, S)`` when ``average_attn_weights`` is
    False; None when ``need_weights`` is False). ``attn_mask`` is ``(L, S)`` or ``(N * num_heads,
    L, S)``, ``key_padding_mask`` ``(N, S)``; a bool mask is True where attention is not allowed.
    Initialisation as PyTorch: ``in_proj_weight`` Xavier-uniform, biases zero, ``out_proj`` a
    :class:`Linear` with its default weight and a zero bias, ``bias_k``/``bias_v`` Xavier-normal.
    With ``need_weights=False`` the attention runs as one fused op.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.manual_seed(0)
    >>> mha = tl.nn.MultiheadAttention(8, 2, batch_first=True)
    >>> x = tl.randn(3, 5, 8)                        # (N, L, E)
    >>> out, weights = mha(x, x, x)
    >>> out.shape, weights.shape
    ((3, 5, 8), (3, 5, 5))
    """

    def __init__(self, embed_dim: int, num_heads: int, dropout: float = 0.0, bias: bool = True,
                 add_bias_kv: bool = False, add_zero_attn: bool = False, kdim: int | None = None,
                 vdim: int | None = None, batch_first: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        self.embed_dim = size(embed_dim, "embed_dim", "MultiheadAttention")
        self.num_heads = size(num_heads, "num_heads", "MultiheadAttention")
        if embed_dim % num_heads:
            raise ValueError(f"MultiheadAttention: embed_dim {embed_dim} must be divisible by num_heads {num_heads}")
        self.kdim = embed_dim if kdim is None else size(kdim, "kdim", "MultiheadAttention")
        self.vdim = embed_dim if vdim is None else size(vdim, "vdim", "MultiheadAttention")
        self.dropout = number(dropout, "dropout", "MultiheadAttention", 0, 1)
        self.batch_first = flag(batch_first, "batch_first", "MultiheadAttention")
        self.add_zero_attn = flag(add_zero_attn, "add_zero_attn", "MultiheadAttention")
        self.head_dim = embed_dim // num_heads
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        dtype = factory_dtype(device, dtype, "MultiheadAttention")
        E = embed_dim
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(xp.empty((3 * E, E), dtype=dtype))
            for name in ("q_proj_weight", "k_proj_weight", "v_proj_weight"):
                self.register_parameter(name, None)
        else:
            self.register_parameter("in_proj_weight", None)
            self.q_proj_weight = Parameter(xp.empty((E, E), dtype=dtype))
            self.k_proj_weight = Parameter(xp.empty((E, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(xp.empty((E, self.vdim), dtype=dtype))
        self.register_parameter("in_proj_bias", Parameter(xp.empty(3 * E, dtype=dtype)) if bias else None)
        self.out_proj = Linear(E, E, bias=bias, dtype=dtype)
        if add_bias_kv:
            self.bias_k = Parameter(xp.empty((1, 1, E), dtype=dtype))
            self.bias_v = Parameter(xp.empty((1, 1, E), dtype=dtype))
        else:
            self.register_parameter("bias_k", None)
            self.register_parameter("bias_v", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's: Xavier-uniform projections, zero biases, Xavier-normal ``bias_k``/``bias_v``."""
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            for w in (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
                init.xavier_uniform_(w)
        if self.in_proj_bias is not None:
            init.zeros_(self.in_proj_bias)
            init.zeros_(self.out_proj.bias)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
            init.xavier_normal_(self.bias_v)

    def _who(self) -> str:
        return f"MultiheadAttention(embed_dim={self.embed_dim}, num_heads={self.num_heads})"

    def extra_repr(self) -> str:
        return (f"embed_dim={self.embed_dim}, num_heads={self.num_heads}, dropout={self.dropout}, "
                f"batch_first={self.batch_first}")

    def forward(self, query: Any, key: Any, value: Any, key_padding_mask: Any = None,
                need_weights: bool = True, attn_mask: Any = None, average_attn_weights: bool = True,
                is_causal: bool = False) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value``; returns ``(attn_output, attn_weights)``.

        Parameters
        ----------
        query, key, value : Tensor
            ``(L, N, E)``, ``(S, N, kdim)``, ``(S, N, vdim)`` (batch first: ``(N, L, E)`` ...;
            unbatched: ``(L, E)`` ...).
        key_padding_mask : Tensor of shape (N, S) or (S,), optional
            Bool (True: that key is padding, ignored) or float (added).
        need_weights : bool, default True
            Also return the attention weights.
        attn_mask : Tensor of shape (L, S) or (N * num_heads, L, S), optional
            Bool (True: not allowed) or float (added to the scores).
        average_attn_weights : bool, default True
            Average the returned weights over the heads.
        is_causal : bool, default False
            A hint that ``attn_mask`` is the causal mask (it needs ``attn_mask``, as in PyTorch).

        Returns
        -------
        tuple of (Tensor, Tensor or None)
        """
        return self._attend(query, key, value, key_padding_mask, need_weights, attn_mask,
                            average_attn_weights, is_causal)

    def _attend(self, query: Any, key: Any, value: Any, key_padding_mask: Any, need_weights: bool,
                attn_mask: Any, average_attn_weights: bool, is_causal: bool) -> tuple[Tensor, Tensor | None]:
        dtype = self.out_proj.weight.dtype
        who = self._who()
        q_in, k_in, v_in = (as_tensor(t, "MultiheadAttention") for t in (query, key, value))
        for name, t, width in (("query", q_in, self.embed_dim), ("key", k_in, self.kdim),
                               ("value", v_in, self.vdim)):
            if t.ndim not in (2, 3) or t.shape[-1] != width:
                raise ValueError(f"{who}: expected {name} of shape (L, N, {width}), (N, L, {width}) with "
                                 f"batch_first, or unbatched (L, {width}); got {t.shape}")
            check_dtype(t, dtype, who, name)
        if not (q_in.ndim == k_in.ndim == v_in.ndim):
            raise ValueError(f"{who}: query, key and value must all be batched or all unbatched, got "
                             f"shapes {q_in.shape}, {k_in.shape}, {v_in.shape}")
        unbatched = q_in.ndim == 2
        if unbatched:
            q_in, k_in, v_in = q_in.unsqueeze(0), k_in.unsqueeze(0), v_in.unsqueeze(0)
        elif not self.batch_first:
            q_in, k_in, v_in = q_in.transpose(0, 1), k_in.transpose(0, 1), v_in.transpose(0, 1)
        N, L, E = q_in.shape
        S = k_in.shape[1]
        if k_in.shape[:2] != (N, S) or v_in.shape[:2] != (N, S):
            raise ValueError(f"{who}: key and value must have the query's batch size and one sequence "
                             f"length, got query {query.shape}, key {key.shape}, value {value.shape}")
        H, D = self.num_heads, self.head_dim
        if is_causal and attn_mask is None:
            raise ValueError(f"{who}: is_causal=True is a hint that attn_mask is the causal mask; "
                             f"pass the mask (nn.Transformer.generate_square_subsequent_mask(L))")

        # in-projection
        b = self.in_proj_bias
        bq, bk, bv = (None, None, None) if b is None else (b[:E], b[E:2 * E], b[2 * E:])
        if self._qkv_same_embed_dim and query is key and key is value and self.bias_k is None:
            qkv = linear(q_in, self.in_proj_weight, b).reshape(N, L, 3, H, D).permute(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
        else:
            if self._qkv_same_embed_dim:
                w = self.in_proj_weight
                wq, wk, wv = w[:E], w[E:2 * E], w[2 * E:]
            else:
                wq, wk, wv = self.q_proj_weight, self.k_proj_weight, self.v_proj_weight
            q = linear(q_in, wq, bq).reshape(N, L, H, D).transpose(1, 2)
            k = linear(k_in, wk, bk)
            v = linear(v_in, wv, bv)
            if self.bias_k is not None:
                k = cat([k, self.bias_k.expand(N, 1, E)], dim=1)
                v = cat([v, self.bias_v.expand(N, 1, E)], dim=1)
            k = k.reshape(N, -1, H, D).transpose(1, 2)
            v = v.reshape(N, -1, H, D).transpose(1, 2)

        # masks, as one additive float tensor broadcastable to (N, H, L, S')
        mask = None
        if attn_mask is not None:
            m = _float_mask(attn_mask, dtype, "attn_mask", who)
            if m.shape == (L, S):
                mask = m
            elif m.shape == (N * H, L, S):
                mask = m.reshape(N, H, L, S)
            else:
                raise ValueError(f"{who}: attn_mask must have shape (L, S) = {(L, S)} or (N * num_heads, "
                                 f"L, S) = {(N * H, L, S)}, got {m.shape}")
        if key_padding_mask is not None:
            m = _float_mask(key_padding_mask, dtype, "key_padding_mask", who)
            if m.shape != ((S,) if unbatched else (N, S)):
                raise ValueError(f"{who}: key_padding_mask must have shape (N, S) = {(N, S)} (or (S,) "
                                 f"unbatched), got {m.shape}")
            m = m.reshape(N, 1, 1, S)
            mask = m if mask is None else mask + m
        if self.bias_k is not None:
            mask = _pad_key(mask)
        if self.add_zero_attn:
            zeros = Tensor._wrap(xp.zeros((N, H, 1, D), dtype=dtype))
            k, v = cat([k, zeros], dim=2), cat([v, zeros], dim=2)
            mask = _pad_key(mask)

        p = self.dropout if self.training else 0.0
        weights = None
        if need_weights:
            scores = (q * (1 / math.sqrt(D))) @ k.transpose(-2, -1)
            if mask is not None:
                scores = scores + mask
            attn = softmax(scores, dim=-1)
            if p > 0:
                attn = dropout(attn, p)
            out = attn @ v
            weights = attn.mean(1) if average_attn_weights else attn
            if unbatched:
                weights = weights.squeeze(0)
        else:
            out = scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=p)
        out = linear(out.transpose(1, 2).reshape(N, L, E), self.out_proj.weight, self.out_proj.bias)
        if unbatched:
            out = out.squeeze(0)
        elif not self.batch_first:
            out = out.transpose(0, 1)
        return out, weights


def _activation(activation: Any, who: str) -> Callable[[Tensor], Tensor]:
    if isinstance(activation, str):
        if activation == "relu":
            return relu
        if activation == "gelu":
            return gelu
        raise ValueError(f"{who}: activation must be 'relu', 'gelu' or a callable, got {activation!r}")
    if not callable(activation):
        raise TypeError(f"{who}: activation must be 'relu', 'gelu' or a callable, got {type(activation).__name__}")
    return activation


class TransformerEncoderLayer(Module):
    """Self-attention and a feed-forward block, each with a residual connection and LayerNorm.

    Parameters
    ----------
    d_model : int
        The model's width.
    nhead : int
        Attention heads (must divide ``d_model``).
    dim_feedforward : int, default 2048
        The hidden width of the feed-forward block.
    dropout : float, default 0.1
        Dropout after attention, inside and after the feed-forward block.
    activation : {'relu', 'gelu'} or callable, default 'relu'
        The feed-forward block's activation.
    layer_norm_eps : float, default 1e-5
        The LayerNorms' eps.
    batch_first : bool, default False
        Inputs (N, L, E) instead of (L, N, E).
    norm_first : bool, default False
        Pre-norm (``x + sa(norm1(x))``) instead of post-norm (``norm1(x + sa(x))``).
    bias : bool, default True
        Biases in the linear layers and LayerNorms.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: ``src`` (L, N, E), (N, L, E) with ``batch_first``, or (L, E); the output has the same
    shape. Submodules as PyTorch's (``self_attn linear1 dropout linear2 norm1 norm2 dropout1
    dropout2``), so state_dicts match.

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
    >>> layer(tl.randn(2, 7, 16)).shape
    (2, 7, 16)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: Any = "relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        dtype = factory_dtype(device, dtype, type(self).__name__)
        kw = dict(bias=bias, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, **kw)
        self.linear1 = Linear(d_model, dim_feedforward, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, **kw)
        self.norm_first = flag(norm_first, "norm_first", "TransformerEncoderLayer")
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation, "TransformerEncoderLayer")

    def forward(self, src: Any, src_mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool = False) -> Tensor:
        """Run the layer.

        Parameters
        ----------
        src : Tensor
            (L, N, E), (N, L, E) with ``batch_first``, or (L, E).
        src_mask : Tensor of shape (L, L) or (N * nhead, L, L), optional
            The attention mask (bool: True is not allowed; float: added).
        src_key_padding_mask : Tensor of shape (N, L), optional
            True (or -inf) at padding positions.
        is_causal : bool, default False
            A hint that ``src_mask`` is the causal mask.

        Returns
        -------
        Tensor of ``src``'s shape
        """
        x = as_tensor(src, "TransformerEncoderLayer")
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _sa_block(self, x: Tensor, mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        out = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=key_padding_mask, need_weights=False,
                             is_causal=is_causal)[0]
        return self.dropout1(out)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoderLayer(Module):
    """Self-attention, attention over the encoder's output (memory), and a feed-forward block,
    each with a residual connection and LayerNorm.

    Parameters
    ----------
    d_model : int
        The model's width.
    nhead : int
        Attention heads (must divide ``d_model``).
    dim_feedforward : int, default 2048
        The hidden width of the feed-forward block.
    dropout : float, default 0.1
        Dropout after each attention, inside and after the feed-forward block.
    activation : {'relu', 'gelu'} or callable, default 'relu'
        The feed-forward block's activation.
    layer_norm_eps : float, default 1e-5
        The LayerNorms' eps.
    batch_first : bool, default False
        Inputs (N, L, E) instead of (L, N, E).
    norm_first : bool, default False
        Pre-norm instead of post-norm.
    bias : bool, default True
        Biases in the linear layers and LayerNorms.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: ``tgt`` (T, N, E), ``memory`` (S, N, E) (batch first: (N, T, E), (N, S, E)); the
    output has ``tgt``'s shape. Submodules as PyTorch's (``self_attn multihead_attn linear1
    dropout linear2 norm1 norm2 norm3 dropout1 dropout2 dropout3``).

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.TransformerDecoderLayer(d_model=16, nhead=4, dim_feedforward=32, batch_first=True)
    >>> layer(tl.randn(2, 5, 16), tl.randn(2, 7, 16)).shape
    (2, 5, 16)
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: Any = "relu", layer_norm_eps: float = 1e-5, batch_first: bool = False,
                 norm_first: bool = False, bias: bool = True, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        dtype = factory_dtype(device, dtype, type(self).__name__)
        kw = dict(bias=bias, dtype=dtype)
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, **kw)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, **kw)
        self.linear1 = Linear(d_model, dim_feedforward, **kw)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, **kw)
        self.norm_first = flag(norm_first, "norm_first", "TransformerDecoderLayer")
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, **kw)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, **kw)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, **kw)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation, "TransformerDecoderLayer")

    def forward(self, tgt: Any, memory: Any, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: bool = False, memory_is_causal: bool = False) -> Tensor:
        """Run the layer.

        Parameters
        ----------
        tgt : Tensor
            (T, N, E), (N, T, E) with ``batch_first``, or (T, E).
        memory : Tensor
            The encoder's output, (S, N, E), (N, S, E) or (S, E).
        tgt_mask : Tensor of shape (T, T) or (N * nhead, T, T), optional
            The self-attention mask (bool: True is not allowed; float: added).
        memory_mask : Tensor of shape (T, S) or (N * nhead, T, S), optional
            The mask of the attention over ``memory``.
        tgt_key_padding_mask : Tensor of shape (N, T), optional
            True (or -inf) at padding positions of ``tgt``.
        memory_key_padding_mask : Tensor of shape (N, S), optional
            True (or -inf) at padding positions of ``memory``.
        tgt_is_causal : bool, default False
            A hint that ``tgt_mask`` is the causal mask.
        memory_is_causal : bool, default False
            A hint that ``memory_mask`` is the causal mask.

        Returns
        -------
        Tensor of ``tgt``'s shape
        """
        x = as_tensor(tgt, "TransformerDecoderLayer")
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
            x = self.norm3(x + self._ff_block(x))
        return x

    def _sa_block(self, x: Tensor, mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        out = self.self_attn(x, x, x, attn_mask=mask, key_padding_mask=key_padding_mask, need_weights=False,
                             is_causal=is_causal)[0]
        return self.dropout1(out)

    def _mha_block(self, x: Tensor, mem: Any, mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        out = self.multihead_attn(x, mem, mem, attn_mask=mask, key_padding_mask=key_padding_mask,
                                  need_weights=False, is_causal=is_causal)[0]
        return self.dropout2(out)

    def _ff_block(self, x: Tensor) -> Tensor:
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def _clones(layer: Module, n: Any, who: str) -> ModuleList:
    """``n`` deep copies of ``layer`` (they start with equal weights, as in PyTorch)."""
    if not isinstance(layer, Module):
        raise TypeError(f"{who}: expected a layer (a Module), got {type(layer).__name__}")
    return ModuleList([copy.deepcopy(layer) for _ in range(size(n, "num_layers", who, 0))])


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of an encoder layer, and an optional final norm.

    Parameters
    ----------
    encoder_layer : TransformerEncoderLayer
        The layer to copy (each copy starts with its weights, as in PyTorch).
    num_layers : int
        How many layers.
    norm : Module, optional
        Applied to the last layer's output (e.g. a :class:`LayerNorm`).
    enable_nested_tensor : bool, default True
        Accepted for PyTorch compatibility and ignored.
    mask_check : bool, default True
        Accepted for PyTorch compatibility and ignored.

    Notes
    -----
    Shapes: as the layer's: ``src`` (L, N, E), (N, L, E) with ``batch_first``, or (L, E).

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, batch_first=True)
    >>> encoder = tl.nn.TransformerEncoder(layer, num_layers=2)
    >>> encoder(tl.randn(3, 4, 8)).shape
    (3, 4, 8)
    """

    def __init__(self, encoder_layer: Module, num_layers: int, norm: Module | None = None,
                 enable_nested_tensor: bool = True, mask_check: bool = True) -> None:
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers, "TransformerEncoder")
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, src: Any, mask: Any = None, src_key_padding_mask: Any = None,
                is_causal: bool | None = None) -> Tensor:
        """Run every layer, then the norm.

        Parameters
        ----------
        src : Tensor
            (L, N, E), (N, L, E) with ``batch_first``, or (L, E).
        mask : Tensor of shape (L, L) or (N * nhead, L, L), optional
            The attention mask of every layer.
        src_key_padding_mask : Tensor of shape (N, L), optional
            True (or -inf) at padding positions.
        is_causal : bool, optional
            A hint that ``mask`` is the causal mask.

        Returns
        -------
        Tensor of ``src``'s shape
        """
        x = src
        for layer in self.layers:
            x = layer(x, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=bool(is_causal))
        return self.norm(x) if self.norm is not None else x


class TransformerDecoder(Module):
    """A stack of ``num_layers`` copies of a decoder layer, and an optional final norm.

    Parameters
    ----------
    decoder_layer : TransformerDecoderLayer
        The layer to copy (each copy starts with its weights, as in PyTorch).
    num_layers : int
        How many layers.
    norm : Module, optional
        Applied to the last layer's output.

    Notes
    -----
    Shapes: ``tgt`` (T, N, E), ``memory`` (S, N, E) (or batch first, or unbatched); the output
    has ``tgt``'s shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> layer = tl.nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16)
    >>> decoder = tl.nn.TransformerDecoder(layer, num_layers=2)
    >>> decoder(tl.randn(5, 3, 8), tl.randn(4, 3, 8)).shape
    (5, 3, 8)
    """

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers, "TransformerDecoder")
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt: Any, memory: Any, tgt_mask: Any = None, memory_mask: Any = None,
                tgt_key_padding_mask: Any = None, memory_key_padding_mask: Any = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        """Run every layer, then the norm.

        Parameters
        ----------
        tgt : Tensor
            (T, N, E), (N, T, E) with ``batch_first``, or (T, E).
        memory : Tensor
            The encoder's output, (S, N, E), (N, S, E) or (S, E).
        tgt_mask, memory_mask : Tensor, optional
            (T, T) and (T, S) attention masks (or per head: (N * nhead, ...)).
        tgt_key_padding_mask, memory_key_padding_mask : Tensor, optional
            (N, T) and (N, S): True (or -inf) at padding positions.
        tgt_is_causal : bool, optional
            A hint that ``tgt_mask`` is the causal mask.
        memory_is_causal : bool, default False
            A hint that ``memory_mask`` is the causal mask.

        Returns
        -------
        Tensor of ``tgt``'s shape
        """
        x = tgt
        for layer in self.layers:
            x = layer(x, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                      tgt_key_padding_mask=tgt_key_padding_mask,
                      memory_key_padding_mask=memory_key_padding_mask,
                      tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        return self.norm(x) if self.norm is not None else x


class Transformer(Module):
    """The encoder-decoder transformer of "Attention Is All You Need", as PyTorch's ``nn.Transformer``.

    Parameters
    ----------
    d_model : int, default 512
        The model's width.
    nhead : int, default 8
        Attention heads.
    num_encoder_layers : int, default 6
        Encoder layers.
    num_decoder_layers : int, default 6
        Decoder layers.
    dim_feedforward : int, default 2048
        The feed-forward blocks' hidden width.
    dropout : float, default 0.1
        Dropout probability.
    activation : {'relu', 'gelu'} or callable, default 'relu'
        The feed-forward blocks' activation.
    custom_encoder : Module, optional
        Used instead of the default encoder.
    custom_decoder : Module, optional
        Used instead of the default decoder.
    layer_norm_eps : float, default 1e-5
        The LayerNorms' eps.
    batch_first : bool, default False
        Inputs (N, L, E) instead of (L, N, E).
    norm_first : bool, default False
        Pre-norm layers.
    bias : bool, default True
        Biases in the linear layers and LayerNorms.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: ``src`` (S, N, E), ``tgt`` (T, N, E) (batch first: (N, S, E), (N, T, E)); the output is
    (T, N, E). The encoder and decoder each end with a LayerNorm; every parameter with more than
    one dim is initialised Xavier-uniform, as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> model = tl.nn.Transformer(d_model=16, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
    ...                           dim_feedforward=32, batch_first=True)
    >>> mask = tl.nn.Transformer.generate_square_subsequent_mask(5)
    >>> model(tl.randn(2, 7, 16), tl.randn(2, 5, 16), tgt_mask=mask).shape
    (2, 5, 16)
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_encoder_layers: int = 6,
                 num_decoder_layers: int = 6, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: Any = "relu", custom_encoder: Module | None = None,
                 custom_decoder: Module | None = None, layer_norm_eps: float = 1e-5,
                 batch_first: bool = False, norm_first: bool = False, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        dtype = factory_dtype(device, dtype, "Transformer")
        common = dict(dim_feedforward=dim_feedforward, dropout=dropout, activation=activation,
                      layer_norm_eps=layer_norm_eps, batch_first=batch_first, norm_first=norm_first, bias=bias,
                      dtype=dtype)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(TransformerEncoderLayer(d_model, nhead, **common), num_encoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(TransformerDecoderLayer(d_model, nhead, **common), num_decoder_layers,
                                              LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype))
        self.d_model, self.nhead, self.batch_first = d_model, nhead, batch_first
        for p in self.parameters():
            if p.ndim > 1:
                init.xavier_uniform_(p)

    def forward(self, src: Any, tgt: Any, src_mask: Any = None, tgt_mask: Any = None, memory_mask: Any = None,
                src_key_padding_mask: Any = None, tgt_key_padding_mask: Any = None,
                memory_key_padding_mask: Any = None, src_is_causal: bool | None = None,
                tgt_is_causal: bool | None = None, memory_is_causal: bool = False) -> Tensor:
        """Encode ``src``, then decode ``tgt`` attending to it.

        Parameters
        ----------
        src : Tensor
            (S, N, E), (N, S, E) with ``batch_first``, or (S, E).
        tgt : Tensor
            (T, N, E), (N, T, E) with ``batch_first``, or (T, E).
        src_mask, tgt_mask, memory_mask : Tensor, optional
            (S, S), (T, T) and (T, S) attention masks (bool: True is not allowed; float: added).
        src_key_padding_mask, tgt_key_padding_mask, memory_key_padding_mask : Tensor, optional
            (N, S), (N, T) and (N, S): True (or -inf) at padding positions.
        src_is_causal, tgt_is_causal, memory_is_causal : bool, optional
            Hints that the matching mask is the causal mask.

        Returns
        -------
        Tensor of shape (T, N, E), (N, T, E) with ``batch_first``, or (T, E)
        """
        s, t = as_tensor(src, "Transformer"), as_tensor(tgt, "Transformer")
        batch_dim = 0 if self.batch_first else 1
        if s.ndim != t.ndim or (s.ndim == 3 and s.shape[batch_dim] != t.shape[batch_dim]):
            raise ValueError(f"Transformer: src and tgt must have the same batch size, got shapes {s.shape} "
                             f"and {t.shape} (batch_first={self.batch_first})")
        if s.shape[-1] != self.d_model or t.shape[-1] != self.d_model:
            raise ValueError(f"Transformer: the feature size of src and tgt must be d_model={self.d_model}, "
                             f"got shapes {s.shape} and {t.shape}")
        memory = self.encoder(s, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(t, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask,
                            tgt_is_causal=tgt_is_causal, memory_is_causal=memory_is_causal)

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The causal mask: ``-inf`` above the diagonal (future positions), 0 elsewhere.

        Parameters
        ----------
        sz : int
            The sequence length.
        device : str, optional
            Only the CPU (``None`` or ``"cpu"``), as PyTorch's argument.
        dtype : numpy dtype, optional
            Default: tensorlite's default float dtype.

        Returns
        -------
        Tensor of shape (sz, sz)

        Examples
        --------
        >>> import tensorlite as tl
        >>> tl.nn.Transformer.generate_square_subsequent_mask(3)
        tensor([[  0., -inf, -inf],
                [  0.,   0., -inf],
                [  0.,   0.,   0.]])
        """
        n = size(sz, "sz", "generate_square_subsequent_mask", 0)
        if device is not None and str(device) != "cpu":
            raise RuntimeError(f"generate_square_subsequent_mask: device {device!r} is not available: "
                               f"this build computes on the CPU only")
        dt = config.get_default_dtype() if dtype is None else dtype
        return Tensor._wrap(xp.triu(xp.full((n, n), -xp.inf, dtype=dt), k=1))
