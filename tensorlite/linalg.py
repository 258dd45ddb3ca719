"""``tl.linalg``: PyTorch's ``torch.linalg`` names (norms and decompositions, with gradients).

The ops live in ``tensorlite.ops.linalg_extra`` (forward and backward rules together).

Examples
--------
>>> import tensorlite as tl
>>> A = tl.tensor([[4.0, 2.0], [2.0, 3.0]], dtype="float64", requires_grad=True)
>>> tl.linalg.det(A).backward()
>>> A.grad
array([[ 3., -2.],
       [-2.,  4.]])
"""
from tensorlite.ops.linalg_extra import (
    EighResult,
    QRResult,
    SVDResult,
    cholesky,
    det,
    eigh,
    inv,
    matrix_norm,
    qr,
    solve,
    svd,
    vector_norm,
)
from tensorlite.ops.linalg_extra import (
    linalg_norm as norm,
)

__all__ = ["norm", "vector_norm", "matrix_norm", "inv", "det", "solve", "cholesky", "qr", "svd", "eigh",
           "QRResult", "SVDResult", "EighResult"]
