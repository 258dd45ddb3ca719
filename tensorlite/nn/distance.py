"""Distance layers: ``CosineSimilarity PairwiseDistance`` (functions in
:mod:`tensorlite.ops.activation_extra`)."""
from __future__ import annotations

from tensorlite.nn.module import Module
from tensorlite.ops import activation_extra as AX
from tensorlite.ops.args import number
from tensorlite.tensor import Tensor

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """Cosine similarity of two inputs along ``dim``. See
    :func:`tensorlite.nn.functional.cosine_similarity`.

    Parameters
    ----------
    dim : int, default 1
        The dim of the vectors.
    eps : float, default 1e-8
        The smallest norm used as a divisor.

    Notes
    -----
    Shapes: ``x1`` and ``x2`` broadcastable; output the broadcast shape without ``dim``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.CosineSimilarity()(tl.ones(2, 3), tl.ones(2, 3))
    tensor([1., 1.])
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, number(eps, "eps", "CosineSimilarity", 0)

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return AX.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """The ``p``-norm distance ``||x1 - x2 + eps||_p`` along the last dim. See
    :func:`tensorlite.nn.functional.pairwise_distance`.

    Parameters
    ----------
    p : float, default 2.0
        The exponent of the norm: positive, or ``inf``.
    eps : float, default 1e-6
        Added to the difference.
    keepdim : bool, default False
        Keep the last dim (of size 1).

    Notes
    -----
    Shapes: ``x1`` (N, D) or (D,), ``x2`` broadcastable to it; output (N,) or ().

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.PairwiseDistance(eps=0.0)(tl.zeros(2, 2), tl.tensor([[3.0, 4.0], [0.0, 1.0]]))
    tensor([5., 1.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = AX._p(p, "PairwiseDistance")
        self.eps = number(eps, "eps", "PairwiseDistance")
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return AX.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
