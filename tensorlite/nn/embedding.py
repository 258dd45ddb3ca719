"""``Embedding``: a lookup table of learned vectors, indexed by integers.

A composition: the lookup is advanced indexing ``weight[indices]``, whose backward rule
accumulates repeated indices. With ``padding_idx`` the rows looked up at the padding index are
taken from a constant copy of that row instead, so the padding row gets no gradient (as in
PyTorch) while the output still shows its current value.
"""
from __future__ import annotations

from typing import Any

from tensorlite.autograd import mark_dirty
from tensorlite.backend import xp
from tensorlite.device import factory_dtype
from tensorlite.nn import init
from tensorlite.nn.module import Module, Parameter
from tensorlite.ops.args import size
from tensorlite.ops.arith import where
from tensorlite.ops.index import getitem
from tensorlite.ops.operands import as_tensor
from tensorlite.tensor import Tensor

__all__ = ["Embedding", "embedding"]


def _padding_index(padding_idx: Any, num_embeddings: int, who: Any) -> int | None:
    """``padding_idx`` as a non-negative row number (negative counts from the end), or None."""
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, xp.integer)):
        raise TypeError(f"{who}: padding_idx must be an int or None, got {padding_idx!r}")
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"{who}: padding_idx {padding_idx} is out of range for {num_embeddings} embeddings")
    return int(padding_idx) % num_embeddings


def _lookup(input: Any, weight: Tensor, padding_idx: int | None, who: Any) -> Tensor:
    """``weight[input]`` after checking the indices; the padding row passes no gradient."""
    idx = input.data if isinstance(input, Tensor) else xp.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{who}: indices must be integers, got dtype {idx.dtype} (shape {idx.shape})")
    num = weight.shape[0]
    if idx.size:
        low, high = idx.min(), idx.max()
        if low < 0 or high >= num:
            raise IndexError(f"{who}: index {low if low < 0 else high} is out of range for {num} "
                             f"embeddings (valid indices are 0 to {num - 1}); indices of shape {idx.shape}")
    out = getitem(weight, idx)
    if padding_idx is not None and out.requires_grad:
        keep = idx != padding_idx
        if not keep.all():
            out = where(keep[..., None], out, Tensor._wrap(weight.data[padding_idx].copy()))
    return out


def embedding(input: Any, weight: Any, padding_idx: int | None = None) -> Tensor:
    """Look up rows of ``weight`` by integer index, as PyTorch's ``F.embedding``.

    Parameters
    ----------
    input : integer Tensor, ndarray or list of any shape ``(*)``
        The indices, in ``[0, num_embeddings)``.
    weight : Tensor of shape (num_embeddings, embedding_dim)
        The table.
    padding_idx : int, optional
        The row that gets no gradient (negative counts from the end).

    Returns
    -------
    Tensor of shape ``(*, embedding_dim)``

    Raises
    ------
    TypeError
        For non-integer indices.
    IndexError
        For an index outside ``[0, num_embeddings)``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> w = tl.arange(6.0).reshape(3, 2)
    >>> tl.nn.functional.embedding(tl.tensor([[2, 0]]), w)
    tensor([[[4., 5.],
             [0., 1.]]])
    """
    w = as_tensor(weight, "embedding")
    if w.ndim != 2:
        raise ValueError(f"embedding: weight must have shape (num_embeddings, embedding_dim), got {w.shape}")
    return _lookup(input, w, _padding_index(padding_idx, w.shape[0], "embedding"), "embedding")


class Embedding(Module):
    """A table of ``num_embeddings`` learned vectors of size ``embedding_dim``, looked up by index.

    Parameters
    ----------
    num_embeddings : int
        The number of rows of the table.
    embedding_dim : int
        The size of each vector.
    padding_idx : int, optional
        This row starts as zeros and gets no gradient (negative counts from the end).
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input ``(*)`` of integers in [0, num_embeddings), output ``(*, embedding_dim)``.
    ``weight`` is (num_embeddings, embedding_dim), initialised from N(0, 1) as in PyTorch.

    Examples
    --------
    >>> import tensorlite as tl
    >>> emb = tl.nn.Embedding(10, 3, padding_idx=0)
    >>> emb
    Embedding(10, 3, padding_idx=0)
    >>> emb(tl.tensor([[1, 2, 0], [4, 0, 0]])).shape
    (2, 3, 3)
    >>> emb.weight.data[0]
    array([0., 0., 0.], dtype=float32)
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 _weight: Any = None, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.num_embeddings = size(num_embeddings, "num_embeddings", "Embedding", 0)
        self.embedding_dim = size(embedding_dim, "embedding_dim", "Embedding", 0)
        self.padding_idx = _padding_index(padding_idx, self.num_embeddings, "Embedding")
        if _weight is None:
            self.weight = Parameter(xp.empty((self.num_embeddings, self.embedding_dim),
                                             dtype=factory_dtype(device, dtype, "Embedding")))
            self.reset_parameters()
        else:  # PyTorch's private argument: use this array as the weight, as it is
            self.weight = Parameter(_weight)
            if self.weight.shape != (self.num_embeddings, self.embedding_dim):
                raise ValueError(f"Embedding: _weight has shape {self.weight.shape}, expected "
                                 f"({self.num_embeddings}, {self.embedding_dim})")

    def reset_parameters(self) -> None:
        """N(0, 1) draws, with the padding row set to zeros."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0
            mark_dirty(self.weight.data, "Embedding.reset_parameters")

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        padding_idx: int | None = None) -> Embedding:
        """An Embedding holding a copy of the 2D array ``embeddings`` (frozen unless ``freeze=False``).

        Examples
        --------
        >>> import numpy as np, tensorlite as tl
        >>> emb = tl.nn.Embedding.from_pretrained(np.eye(3, dtype=np.float32))
        >>> emb(tl.tensor([2])).numpy(), emb.weight.requires_grad
        (array([[0., 0., 1.]], dtype=float32), False)
        """
        data = embeddings.data if isinstance(embeddings, Tensor) else xp.asarray(embeddings)
        if data.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: expected a 2D array, got shape {data.shape}")
        layer = cls(data.shape[0], data.shape[1], padding_idx=padding_idx, _weight=data.copy())
        layer.weight.requires_grad = not freeze
        return layer

    def forward(self, x: Tensor) -> Tensor:
        return _lookup(x, self.weight, self.padding_idx, self)

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text if self.padding_idx is None else text + f", padding_idx={self.padding_idx}"
