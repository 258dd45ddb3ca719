"""PyTorch's matrix products and linear algebra: ``mm bmm mv dot outer addmm addmv baddbmm``,
norms (``norm``, ``linalg.vector_norm``, ``linalg.matrix_norm``, ``linalg.norm``) and the
decompositions of ``tl.linalg`` (``inv det solve cholesky qr svd eigh``), with gradients.

NumPy's ``linalg`` does the work; the backward rules are the standard ones of the literature:

- ``inv``: ``gA = -Y^T g Y^T`` with ``Y = A^-1``; ``solve`` (``AX = B``): ``gB = A^-T g``,
  ``gA = -gB X^T``; ``det``: ``g det(A) A^-T``, computed through the SVD (the cofactor matrix
  ``sign U diag(prod_{j!=i} s_j) V^T``), so it is right for singular matrices too;
- ``cholesky`` (``A = L L^T``): ``gA = L^-T Phi(L^T gL) L^-1``, symmetrised, where ``Phi`` keeps
  the lower triangle and halves the diagonal (Murray, 2016);
- ``qr`` (reduced, ``m >= n``): ``gA = (gQ + Q copyltu(M)) R^-T`` with ``M = R gR^T - gQ^T Q``
  (Liao et al., 2019);
- ``svd`` (reduced): Townsend's (2016) formula, with ``F_ij = 1/(s_j^2 - s_i^2)``; ``eigh``:
  ``gA = V (diag(gw) + skew(V^T gV) / E) V^T`` with ``E_ij = w_j - w_i``. Both need distinct
  singular values / eigenvalues when the singular vectors / eigenvectors get a gradient (as in
  PyTorch); the values alone always have a gradient.

Ops with several results (``qr svd eigh``) record one entry whose output packs the results side
by side along the last axis; the public functions hand out views of the pieces, so each result
is differentiable and an unused one contributes a zero gradient.

Each op's ``backward_graph`` (for ``tl.grad(..., create_graph=True)``) is the same formula
written with recorded functions (``matmul``, ``mT``, ``where``, ``inv``, ``solve``, ``svd``), so
gradients of every order exist where the first-order ones do. ``det``'s is ``det(A) A^-T`` where
A is invertible, the SVD cofactor at rank n-1 with distinct singular values, and otherwise the
adjugate as a polynomial in A (Faddeev-LeVerrier): its derivatives of every order exist at every
matrix.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple

from tensorlite.autograd import Op
from tensorlite.backend import array_module, xp
from tensorlite.ops.args import normalize_axis
from tensorlite.ops.arith import add, mul, where
from tensorlite.ops.linalg import Matmul
from tensorlite.ops.operands import as_tensor, constant, operands
from tensorlite.ops.shape import permute, reshape, squeeze, swapaxes
from tensorlite.tensor import Tensor

__all__ = ["mm", "bmm", "mv", "dot", "outer", "addmm", "addmv", "baddbmm", "norm", "vector_norm",
           "matrix_norm", "linalg_norm", "inv", "det", "solve", "cholesky", "qr", "svd", "eigh"]


# -- products -------------------------------------------------------------------------------
class Mm(Matmul):
    """``a @ b`` of two matrices (Matmul's rule)."""


class Bmm(Matmul):
    """``a @ b`` of two batches of matrices of the same batch size (Matmul's rule)."""


class Mv(Matmul):
    """``a @ v``: a matrix times a vector (Matmul's rule)."""


class Dot(Matmul):
    """``a @ b`` of two vectors: their inner product (Matmul's rule)."""


class Outer(Op):
    """``a[:, None] * b[None, :]``."""

    def forward(self, a, b):
        self.save(a, b)
        return a[:, None] * b[None, :]

    def backward(self, grad):
        a, b = self.saved
        return grad @ b, a @ grad

    def backward_graph(self, grad):
        a, b = self.saved
        return (None if self.parents[0] is None else grad @ self.input_tensor(1, b),
                None if self.parents[1] is None else self.input_tensor(0, a) @ grad)


def _ndim_check(name: str, t: Tensor, ndim: int, what: str) -> None:
    if t.ndim != ndim:
        raise ValueError(f"{name}: {what} must be a {ndim}-D tensor, got shape {t.shape}")


def mm(input: Any, mat2: Any) -> Tensor:
    """Matrix product of two 2-D tensors (no broadcasting; see :func:`matmul` for that).

    Parameters
    ----------
    input : Tensor of shape (n, k)
    mat2 : Tensor of shape (k, m)

    Returns
    -------
    Tensor of shape (n, m)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.mm(tl.ones(2, 3), tl.ones(3, 4)).shape
    (2, 4)
    """
    a, b = operands("mm", input, mat2)
    _ndim_check("mm", a, 2, "input")
    _ndim_check("mm", b, 2, "mat2")
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"mm: shapes {a.shape} and {b.shape} cannot be multiplied ({a.shape[1]} != {b.shape[0]})")
    return Mm.apply(a, b)


def bmm(input: Any, mat2: Any) -> Tensor:
    """Batched matrix product of two 3-D tensors with the same batch size (no broadcasting).

    Parameters
    ----------
    input : Tensor of shape (b, n, k)
    mat2 : Tensor of shape (b, k, m)

    Returns
    -------
    Tensor of shape (b, n, m)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.bmm(tl.ones(5, 2, 3), tl.ones(5, 3, 4)).shape
    (5, 2, 4)
    """
    a, b = operands("bmm", input, mat2)
    _ndim_check("bmm", a, 3, "input")
    _ndim_check("bmm", b, 3, "mat2")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise ValueError(f"bmm: shapes {a.shape} and {b.shape} cannot be multiplied: expected "
                         f"(b, n, k) and (b, k, m) with the same b and k")
    return Bmm.apply(a, b)


def mv(input: Any, vec: Any) -> Tensor:
    """Product of a matrix and a vector.

    Parameters
    ----------
    input : Tensor of shape (n, m)
    vec : Tensor of shape (m,)

    Returns
    -------
    Tensor of shape (n,)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.mv(tl.ones(2, 3), tl.tensor([1.0, 2.0, 3.0]))
    tensor([6., 6.])
    """
    a, v = operands("mv", input, vec)
    _ndim_check("mv", a, 2, "input")
    _ndim_check("mv", v, 1, "vec")
    if a.shape[1] != v.shape[0]:
        raise ValueError(f"mv: matrix of shape {a.shape} and vector of shape {v.shape} do not fit")
    return Mv.apply(a, v)


def dot(input: Any, other: Any) -> Tensor:
    """Inner product of two 1-D tensors of the same length.

    Parameters
    ----------
    input : Tensor of shape (n,)
    other : Tensor of shape (n,)

    Returns
    -------
    Tensor of shape ()

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.dot(tl.tensor([1.0, 2.0]), tl.tensor([3.0, 4.0]))
    tensor(11.)
    """
    a, b = operands("dot", input, other)
    _ndim_check("dot", a, 1, "input")
    _ndim_check("dot", b, 1, "other")
    if a.shape != b.shape:
        raise ValueError(f"dot: the vectors must have the same length, got shapes {a.shape} and {b.shape}")
    return Dot.apply(a, b)


def outer(input: Any, vec2: Any) -> Tensor:
    """Outer product of two vectors: ``out[i, j] = input[i] * vec2[j]``.

    Parameters
    ----------
    input : Tensor of shape (n,)
    vec2 : Tensor of shape (m,)

    Returns
    -------
    Tensor of shape (n, m)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.outer(tl.tensor([1.0, 2.0]), tl.tensor([1.0, 10.0, 100.0]))
    tensor([[  1.,  10., 100.],
            [  2.,  20., 200.]])
    """
    a, b = operands("outer", input, vec2)
    _ndim_check("outer", a, 1, "input")
    _ndim_check("outer", b, 1, "vec2")
    return Outer.apply(a, b)


def _scaled_sum(name: str, input: Any, product: Tensor, beta: Any, alpha: Any) -> Tensor:
    """``beta * input + alpha * product``, where ``input`` broadcasts to the product's shape; with
    ``beta == 0`` the input is ignored (NaN in it does not propagate), as in PyTorch."""
    for what, v in (("beta", beta), ("alpha", alpha)):
        if isinstance(v, bool) or not isinstance(v, (int, float, xp.integer, xp.floating)):
            raise TypeError(f"{name}: {what} must be a number, got {type(v).__name__} {v!r}")
    inp = as_tensor(input, name)
    try:
        shape = xp.broadcast_shapes(inp.shape, product.shape)
    except ValueError:
        shape = None
    if shape != product.shape:
        raise ValueError(f"{name}: input of shape {inp.shape} does not broadcast to the product's "
                         f"shape {product.shape}")
    out = product if alpha == 1 else mul(product, alpha)
    if beta == 0:
        return out
    return add(inp if beta == 1 else mul(inp, beta), out)


def addmm(input: Any, mat1: Any, mat2: Any, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``, with ``input`` broadcast to (n, m).

    Parameters
    ----------
    input : Tensor broadcastable to (n, m)
    mat1 : Tensor of shape (n, k)
    mat2 : Tensor of shape (k, m)
    beta : number, default 1
        Multiplies ``input``; 0 ignores it (even NaN in it).
    alpha : number, default 1
        Multiplies the product.

    Returns
    -------
    Tensor of shape (n, m)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.addmm(tl.ones(2), tl.ones(2, 3), tl.ones(3, 2), beta=0.5, alpha=2)
    tensor([[6.5, 6.5],
            [6.5, 6.5]])
    """
    return _scaled_sum("addmm", input, mm(mat1, mat2), beta, alpha)


def addmv(input: Any, mat: Any, vec: Any, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``, with ``input`` broadcast to (n,).

    Parameters
    ----------
    input : Tensor broadcastable to (n,)
    mat : Tensor of shape (n, m)
    vec : Tensor of shape (m,)
    beta : number, default 1
        Multiplies ``input``; 0 ignores it.
    alpha : number, default 1
        Multiplies the product.

    Returns
    -------
    Tensor of shape (n,)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.addmv(tl.ones(2), tl.ones(2, 3), tl.ones(3))
    tensor([4., 4.])
    """
    return _scaled_sum("addmv", input, mv(mat, vec), beta, alpha)


def baddbmm(input: Any, batch1: Any, batch2: Any, beta: Any = 1, alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``, with ``input`` broadcast to (b, n, m).

    Parameters
    ----------
    input : Tensor broadcastable to (b, n, m)
    batch1 : Tensor of shape (b, n, k)
    batch2 : Tensor of shape (b, k, m)
    beta : number, default 1
        Multiplies ``input``; 0 ignores it.
    alpha : number, default 1
        Multiplies the product.

    Returns
    -------
    Tensor of shape (b, n, m)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.baddbmm(tl.zeros(4, 2, 2), tl.ones(4, 2, 3), tl.ones(4, 3, 2), alpha=0.5).shape
    (4, 2, 2)
    """
    return _scaled_sum("baddbmm", input, bmm(batch1, batch2), beta, alpha)


# -- norms ----------------------------------------------------------------------------------
def _floating(name: str, x: Any, dtype: Any = None) -> Tensor:
    t = as_tensor(x, name)
    if dtype is not None:
        target = xp.dtype(dtype)
        if target.kind != "f":
            raise TypeError(f"{name}: dtype must be a floating dtype, got {target}")
        if t.dtype != target:
            if t.dtype.kind == "f" and t.dtype.itemsize > target.itemsize:
                raise TypeError(f"{name}: dtype {target} would narrow the input's {t.dtype}")
            t = t.astype(target)
    if t.dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating tensor, got dtype {t.dtype} (shape {t.shape})")
    return t


def _dims(name: str, dim: Any, ndim: int) -> tuple[int, ...]:
    """``dim`` (None, an int or a sequence of ints) as sorted, distinct non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, xp.integer)) else tuple(dim)
    axes = tuple(normalize_axis(d, ndim, name) for d in dims)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{name}: dim {dim!r} names a dim twice (tensor of {ndim} dims)")
    return tuple(sorted(axes)) if ndim else ()


class VectorNorm(Op):
    """``(sum |x|^ord)^(1/ord)`` over ``axes`` (and the max / min / count of nonzeros for
    ``ord = inf / -inf / 0``). The gradient is 0 where the norm is 0; at ties of ``inf``/``-inf``
    it is split evenly, as in PyTorch."""

    def forward(self, x, ord, axes, keepdim):
        xp_ = self.xp
        a = xp_.abs(x)
        if ord == math.inf:
            out = xp_.max(a, axis=axes, keepdims=True, initial=0)
        elif ord == -math.inf:
            out = xp_.min(a, axis=axes, keepdims=True)
        elif ord == 0:
            out = xp_.sum(a != 0, axis=axes, keepdims=True).astype(x.dtype)
        elif ord == 1:
            out = xp_.sum(a, axis=axes, keepdims=True)
        elif ord == 2:
            out = xp_.sqrt(xp_.sum(a * a, axis=axes, keepdims=True))
        else:
            out = xp_.sum(a ** ord, axis=axes, keepdims=True) ** (1.0 / ord)
        self.ord, self.axes, self.keepdim = ord, axes, keepdim
        if self.parents:
            self.save(x, out)
        return out if keepdim else xp_.squeeze(out, axis=axes)

    def backward(self, grad):
        x, norm = self.saved
        xp_, ord = self.xp, self.ord
        g = grad if self.keepdim else xp_.expand_dims(grad, self.axes)
        if ord == 0:
            return xp_.zeros_like(x)
        if ord in (math.inf, -math.inf):
            mask = xp_.abs(x) == norm
            count = xp_.sum(mask, axis=self.axes, keepdims=True)
            return xp_.sign(x) * mask * (g / count)
        if ord == 1:
            return xp_.sign(x) * g
        with xp_.errstate(divide="ignore", invalid="ignore"):
            if ord == 2:
                scaled = x
                scale = g / norm
            else:
                a = xp_.abs(x)
                scaled = xp_.where(x == 0, 0, xp_.sign(x) * a ** (ord - 1))
                scale = g / norm ** (ord - 1)
            scale = xp_.where(norm == 0, 0, scale)
        return scaled * scale

    def backward_graph(self, grad):
        x, norm = self.saved
        xp_, ord = self.xp, self.ord
        g = grad if self.keepdim else grad.reshape(norm.shape)
        if ord == 0:
            return xp_.zeros_like(x)
        if ord in (math.inf, -math.inf):  # the gradient does not depend on x (its derivative is 0)
            mask = xp_.abs(x) == norm
            return g * constant((xp_.sign(x) * mask / xp_.sum(mask, axis=self.axes, keepdims=True)).astype(x.dtype))
        sign = constant(xp_.sign(x))  # piecewise constant: a constant of the graph
        if ord == 1:
            return g * sign
        zero = constant(norm == 0)  # the gradient is 0 there; the inner where keeps derivatives finite
        n = self.output_tensor(norm if self.keepdim else xp_.squeeze(norm, axis=self.axes)).reshape(norm.shape)
        n = where(zero, 1.0, n)
        xt = self.input_tensor(0, x)
        if ord == 2:
            return xt * where(zero, 0.0, g / n)
        off = constant(x == 0)
        scaled = where(off, 0.0, where(off, 1.0, xt * sign) ** (ord - 1)) * sign  # sign(x) |x|^(p-1)
        return scaled * where(zero, 0.0, g / n ** (ord - 1))


def _ord_number(name: str, ord: Any) -> float:
    if isinstance(ord, bool) or not isinstance(ord, (int, float, xp.integer, xp.floating)):
        raise TypeError(f"{name}: ord must be a number (inf, -inf, 0, 1, 2, ...), got {ord!r}")
    return float(ord)


def vector_norm(x: Any, ord: Any = 2, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The vector ``ord``-norm of ``x`` over ``dim`` (all dims by default), as
    ``torch.linalg.vector_norm``.

    Parameters
    ----------
    x : Tensor (floating)
    ord : number, default 2
        ``inf`` (max of ``|x|``), ``-inf`` (min), ``0`` (number of nonzeros), or any ``p``:
        ``(sum |x|^p)^(1/p)``.
    dim : int or tuple of int, optional
        The dims to reduce; default: all.
    keepdim : bool, default False
        Keep the reduced dims with size 1.
    dtype : numpy dtype, optional
        Cast ``x`` to this floating dtype first.

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[3.0, -4.0], [0.0, 1.0]])
    >>> tl.linalg.vector_norm(x), tl.linalg.vector_norm(x, 1, dim=1)
    (tensor(5.0990195), tensor([7., 1.]))
    """
    t = _floating("vector_norm", x, dtype)
    ord = _ord_number("vector_norm", ord)
    axes = _dims("vector_norm", dim, t.ndim)
    if ord < 0 and any(t.shape[a] == 0 for a in axes):
        raise ValueError(f"vector_norm: ord={ord} over an empty dim of shape {t.shape} is undefined")
    return VectorNorm.apply(t, ord=ord, axes=axes, keepdim=bool(keepdim))


class Svdvals(Op):
    """The singular values of a batch of matrices, in descending order: ``gA = U diag(gS) V^T``."""

    def forward(self, a):
        u, s, vh = self.xp.linalg.svd(a, full_matrices=False)
        if self.parents:
            self.save(u, vh, a)  # a (a reference) only for backward_graph
        return s

    def backward(self, grad):
        u, vh, _ = self.saved
        return (u * grad[..., None, :]) @ vh

    def backward_graph(self, grad):
        # U and Vh as functions of A: an Svd entry of the input (its rule differentiates them)
        u, _, vh = svd(self.input_tensor(0, self.saved[2]), full_matrices=False)
        return (u * grad.unsqueeze(-2)) @ vh


def matrix_norm(A: Any, ord: Any = "fro", dim: Any = (-2, -1), keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The matrix norm of ``A`` over the two dims ``dim``, as ``torch.linalg.matrix_norm``.

    Parameters
    ----------
    A : Tensor of shape (..., m, n) (floating)
    ord : {'fro', 'nuc', inf, -inf, 1, -1, 2, -2}, default 'fro'
        Frobenius, nuclear (sum of singular values), max/min row sum (``inf``/``-inf``), max/min
        column sum (``1``/``-1``), largest/smallest singular value (``2``/``-2``).
    dim : tuple of two ints, default (-2, -1)
        The matrix dims.
    keepdim : bool, default False
        Keep the two dims with size 1.
    dtype : numpy dtype, optional
        Cast ``A`` to this floating dtype first.

    Returns
    -------
    Tensor of the batch shape

    Examples
    --------
    >>> import tensorlite as tl
    >>> A = tl.tensor([[1.0, -2.0], [3.0, 4.0]])
    >>> tl.linalg.matrix_norm(A, 1), tl.linalg.matrix_norm(A, float("inf"))
    (tensor(6.), tensor(7.))
    """
    t = _floating("matrix_norm", A, dtype)
    if t.ndim < 2:
        raise ValueError(f"matrix_norm: A must have at least 2 dims, got shape {t.shape}")
    if isinstance(dim, (int, xp.integer)) or len(tuple(dim)) != 2:
        raise ValueError(f"matrix_norm: dim must be a pair of dims, got {dim!r}")
    d0, d1 = (normalize_axis(d, t.ndim, "matrix_norm") for d in dim)
    if d0 == d1:
        raise ValueError(f"matrix_norm: dim {dim!r} names one dim twice")
    if ord == "fro":
        return VectorNorm.apply(t, ord=2.0, axes=tuple(sorted((d0, d1))), keepdim=bool(keepdim))
    if isinstance(ord, str) and ord != "nuc":
        raise ValueError(f"matrix_norm: ord must be 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2, got {ord!r}")
    if ord in (math.inf, -math.inf, 1, -1):
        summed, over = (d1, d0) if ord in (math.inf, -math.inf) else (d0, d1)
        sums = VectorNorm.apply(t, ord=1.0, axes=(summed,), keepdim=True)  # sum of |a|
        out = VectorNorm.apply(sums, ord=math.inf if ord > 0 else -math.inf, axes=(over,), keepdim=True)
    elif ord in ("nuc", 2, -2):
        rest = [d for d in range(t.ndim) if d not in (d0, d1)]
        s = Svdvals.apply(permute(t, *rest, d0, d1))
        p = {"nuc": 1.0, 2: math.inf, -2: -math.inf}[ord]
        out = VectorNorm.apply(s, ord=p, axes=(s.ndim - 1,), keepdim=False)
        if keepdim:
            for d in sorted((d0, d1)):
                out = reshape(out, *out.shape[:d], 1, *out.shape[d:])
        return out
    else:
        raise ValueError(f"matrix_norm: ord must be 'fro', 'nuc', inf, -inf, 1, -1, 2 or -2, got {ord!r}")
    return out if keepdim else squeeze(out, dim=(d0, d1))


def linalg_norm(A: Any, ord: Any = None, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """A vector or a matrix norm, as ``torch.linalg.norm``: ``dim`` an int gives a vector norm,
    a pair a matrix norm; with ``dim=None``, ``ord=None`` is the 2-norm of all elements and
    another ``ord`` needs a 1-D (vector norm) or 2-D (matrix norm) ``A``.

    Parameters
    ----------
    A : Tensor (floating)
    ord : number or str, optional
        See :func:`vector_norm` and :func:`matrix_norm`.
    dim : int or tuple of int, optional
    keepdim : bool, default False
    dtype : numpy dtype, optional

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.linalg.norm(tl.tensor([[3.0, 4.0], [0.0, 0.0]]))
    tensor(5.)
    """
    t = as_tensor(A, "linalg.norm")
    pair = dim is not None and not isinstance(dim, (int, xp.integer)) and len(tuple(dim)) == 2
    matrix = isinstance(ord, str) or pair
    if dim is None and ord is not None:
        if t.ndim not in (1, 2):
            raise ValueError(f"linalg.norm: with dim=None and ord={ord!r}, A must be 1-D or 2-D, got "
                             f"shape {t.shape}")
        matrix = t.ndim == 2
    if matrix:
        return matrix_norm(t, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    return vector_norm(t, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def norm(input: Any, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The norm of ``input``, as ``torch.norm`` (and ``Tensor.norm``): ``p`` a number is a vector
    norm over ``dim`` (all elements by default, any number of dims); ``'fro'`` is the 2-norm over
    ``dim`` (one or two dims, or all); ``'nuc'`` is the nuclear norm of the matrices in ``dim``
    (default: the last two).

    Parameters
    ----------
    input : Tensor (floating)
    p : number, 'fro' or 'nuc', default 'fro'
    dim : int or tuple of int, optional
    keepdim : bool, default False
    dtype : numpy dtype, optional

    Returns
    -------
    Tensor

    Examples
    --------
    >>> import tensorlite as tl
    >>> x = tl.tensor([[3.0, 4.0], [6.0, 8.0]])
    >>> x.norm(), x.norm(dim=1), x.norm(p=1, dim=0, keepdim=True)
    (tensor(11.18034), tensor([ 5., 10.]), tensor([[ 9., 12.]]))
    """
    if p == "nuc":
        if dim is None and as_tensor(input, "norm").ndim != 2:
            raise ValueError(f"norm: p='nuc' with dim=None needs a 2-D tensor, got shape "
                             f"{as_tensor(input, 'norm').shape}; pass the two matrix dims as dim")
        return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
    if p == "fro":
        p = 2
    elif isinstance(p, str):
        raise ValueError(f"norm: p must be a number, 'fro' or 'nuc', got {p!r}")
    return vector_norm(input, p, dim, keepdim, dtype=dtype)


# -- decompositions ---------------------------------------------------------------------------
def _square(name: str, A: Any) -> Tensor:
    t = _floating(name, A)
    if t.ndim < 2 or t.shape[-1] != t.shape[-2]:
        raise ValueError(f"{name}: A must be a square matrix or a batch of them, shape (..., n, n); "
                         f"got shape {t.shape}")
    return t


def _mT(a: Any) -> Any:
    return a.swapaxes(-1, -2)


def _run(name: str, op: Any, *inputs: Tensor, **params: Any) -> Tensor:
    try:
        return op.apply(*inputs, **params)
    except xp.linalg.LinAlgError as e:
        shapes = " and ".join(str(t.shape) for t in inputs)
        raise ValueError(f"{name}: {e} (input of shape {shapes})") from None


class Inv(Op):
    """``Y = A^-1``: ``gA = -Y^T g Y^T``."""

    def forward(self, a):
        y = self.xp.linalg.inv(a)
        self.save(y)
        return y

    def backward(self, grad):
        (y,) = self.saved
        yt = _mT(y)
        return -(yt @ grad @ yt)

    def backward_graph(self, grad):
        yt = self.output_tensor(self.saved[0]).mT
        return -(yt @ grad @ yt)


def inv(A: Any) -> Tensor:
    """The inverse of a square matrix (or of each in a batch).

    Parameters
    ----------
    A : Tensor of shape (..., n, n) (floating)

    Returns
    -------
    Tensor of shape (..., n, n)

    Raises
    ------
    ValueError
        When a matrix is singular.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.linalg.inv(tl.tensor([[2.0, 0.0], [0.0, 4.0]]))
    tensor([[0.5 , 0.  ],
            [0.  , 0.25]])
    """
    return _run("linalg.inv", Inv, _square("linalg.inv", A))


def _adjugate(a: Tensor) -> Tensor:
    """The adjugate of each matrix in ``a`` (``det(A) A^-1`` when A is invertible) with recorded
    functions, as the polynomial in A of Faddeev and LeVerrier: ``M_1 = I``, ``c = -tr(A M_k) / k``,
    ``M_{k+1} = A M_k + c I``, ``adj(A) = (-1)^(n-1) M_n``; so its derivatives of every order are
    exact at any matrix, singular ones included (for ``det``'s graph rule)."""
    n = a.shape[-1]
    eye = constant(array_module(a.data).eye(n, dtype=a.dtype))
    m = eye
    for k in range(1, n):
        c = (a * m.mT).sum((-2, -1), keepdim=True) / -k  # the next coefficient of det(xI - A)
        m = a @ m + c * eye
    return m if n % 2 else -m


def _cofactor(xp_: Any, a: Any) -> Any:
    """The cofactor matrix of each matrix in ``a`` (``det(A) A^-T`` when A is invertible), from
    the SVD, so that singular matrices get it too."""
    u, s, vh = xp_.linalg.svd(a)
    ones = xp_.ones(s.shape[:-1] + (1,), dtype=s.dtype)
    before = xp_.cumprod(xp_.concatenate([ones, s[..., :-1]], axis=-1), axis=-1)
    after = xp_.flip(xp_.cumprod(xp_.concatenate([ones, xp_.flip(s, -1)[..., :-1]], axis=-1), axis=-1), -1)
    others = before * after  # prod_{j != i} s_j
    sign = xp_.linalg.det(u) * xp_.linalg.det(vh)
    return (u * (others * sign[..., None])[..., None, :]) @ vh


class Det(Op):
    """``det(A)``: ``gA = g * cofactor(A)``."""

    def forward(self, a):
        if self.parents:
            self.save(a)
        return self.xp.linalg.det(a)

    def backward(self, grad):
        (a,) = self.saved
        return grad[..., None, None] * _cofactor(self.xp, a)

    def backward_graph(self, grad):
        (a,) = self.saved
        xp_ = self.xp
        g = grad.unsqueeze(-1).unsqueeze(-1)
        n = a.shape[-1]
        if n == 0 or a.size == 0:
            return g * constant(xp_.zeros(a.shape, dtype=a.dtype))
        at = self.input_tensor(0, a)
        s = xp_.linalg.svd(a, compute_uv=False)  # descending
        tol = s[..., :1] * (n * xp_.finfo(a.dtype).eps)
        if (s[..., -1:] > tol).all():  # invertible: det(A) A^-T
            d = self.output_tensor(xp_.asarray(xp_.linalg.det(a))).unsqueeze(-1).unsqueeze(-1)
            return g * d * Inv.apply(at).mT
        if (s[..., -2:-1] > tol).all() and (s[..., :-1] - s[..., 1:] > tol).all():
            # rank n-1, distinct singular values: the cofactor from the SVD, as backward computes
            # it (its derivatives exist there)
            u, s_, vh = svd(at)
            sign = constant((xp_.linalg.det(u.data) * xp_.linalg.det(vh.data))[..., None])  # piecewise constant
            eye = xp_.eye(n, dtype=bool)
            others = None  # prod_{j != i} s_j, as a product of n factors
            for j in range(n):
                pick = constant(eye[j])
                factor = where(pick, 1.0, (s_ * pick).sum(-1, keepdim=True))
                others = factor if others is None else others * factor
            return g * ((u * (others * sign).unsqueeze(-2)) @ vh)
        return g * _adjugate(at).mT  # lower rank or repeated singular values: a polynomial in A


def det(A: Any) -> Tensor:
    """The determinant of a square matrix (or of each in a batch); differentiable also where
    the matrix is singular.

    The gradient is the cofactor matrix, computed through the SVD: at a singular matrix of rank
    n-1 it is the true, nonzero derivative (``gradcheck`` agrees), where PyTorch 2.x returns zeros.
    Derivatives of higher order (``tl.grad(..., create_graph=True)``) are exact at every matrix,
    singular ones included.

    Parameters
    ----------
    A : Tensor of shape (..., n, n) (floating)

    Returns
    -------
    Tensor of shape (...)

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.linalg.det(tl.tensor([[1.0, 2.0], [3.0, 4.0]]))
    tensor(-2.)
    """
    return _run("linalg.det", Det, _square("linalg.det", A))


class Solve(Op):
    """``X = A^-1 B`` (``B`` a batch of matrices): ``gB = A^-T g``, ``gA = -gB X^T``."""

    def forward(self, a, b):
        x = self.xp.linalg.solve(a, b)
        if self.parents:
            self.save(a, x)
        return x

    def backward(self, grad):
        a, x = self.saved
        gb = self.xp.linalg.solve(_mT(a), grad)
        return -(gb @ _mT(x)), gb

    def backward_graph(self, grad):
        a, x = self.saved
        gb = Solve.apply(self.input_tensor(0, a).mT, grad)
        ga = -(gb @ self.output_tensor(x).mT) if self.parents[0] is not None else None
        return ga, gb


def solve(A: Any, B: Any, left: bool = True) -> Tensor:
    """The solution ``X`` of ``A X = B`` (``X A = B`` with ``left=False``), as ``torch.linalg.solve``.

    ``B`` is a vector (or a batch of them) when it is 1-D or has one dim less than ``A`` with
    ``B.shape == A.shape[:-1]``; otherwise a matrix (batch dims broadcast).

    Parameters
    ----------
    A : Tensor of shape (..., n, n) (floating)
    B : Tensor of shape (..., n, k) or (..., n)
    left : bool, default True
        Solve ``A X = B``; False solves ``X A = B``.

    Returns
    -------
    Tensor of ``B``'s (broadcast) shape

    Raises
    ------
    ValueError
        When ``A`` is singular or the shapes do not fit.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.linalg.solve(tl.tensor([[2.0, 0.0], [0.0, 4.0]]), tl.tensor([2.0, 2.0]))
    tensor([1. , 0.5])
    """
    a = _square("linalg.solve", A)
    a, b = operands("linalg.solve", a, B)
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    if vector:
        b = reshape(b, *b.shape, 1)
    if not left:
        a, b = swapaxes(a, -1, -2), swapaxes(b, -1, -2)
    n = a.shape[-1]
    if b.shape[-2] != n:
        raise ValueError(f"linalg.solve: A of shape {A.shape if isinstance(A, Tensor) else a.shape} "
                         f"and B of shape {B.shape if isinstance(B, Tensor) else b.shape} do not fit")
    try:
        xp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ValueError(f"linalg.solve: batch dims of {a.shape} and {b.shape} do not broadcast") from None
    x = _run("linalg.solve", Solve, a, b)
    if not left:
        x = swapaxes(x, -1, -2)
    return reshape(x, *x.shape[:-1]) if vector else x


class Cholesky(Op):
    """``A = L L^T``: ``gA = sym(L^-T Phi(L^T gL) L^-1)`` (Phi: lower triangle, diagonal halved)."""

    def forward(self, a, upper):
        lo = self.xp.linalg.cholesky(a)
        self.upper = upper
        if self.parents:
            self.save(lo)
        return _mT(lo).copy() if upper else lo

    def backward(self, grad):
        (lo,) = self.saved
        xp_ = self.xp
        g = _mT(grad) if self.upper else grad
        phi = xp_.tril(_mT(lo) @ g)
        n = lo.shape[-1]
        idx = xp_.arange(n)
        phi[..., idx, idx] *= 0.5
        linv = xp_.linalg.inv(lo)
        ga = _mT(linv) @ phi @ linv
        return 0.5 * (ga + _mT(ga))

    def backward_graph(self, grad):
        (lo,) = self.saved
        xp_ = self.xp
        if self.upper:
            lt, g = self.output_tensor(_mT(lo)).mT, grad.mT
        else:
            lt, g = self.output_tensor(lo), grad
        n = lo.shape[-1]
        phi = constant(xp_.tril(xp_.ones((n, n), dtype=lo.dtype)) - 0.5 * xp_.eye(n, dtype=lo.dtype))
        linv = Inv.apply(lt)
        ga = linv.mT @ ((lt.mT @ g) * phi) @ linv
        return 0.5 * (ga + ga.mT)


def cholesky(A: Any, upper: bool = False) -> Tensor:
    """The Cholesky factor of a symmetric positive-definite matrix: ``A = L L^T``.

    Only the lower triangle of ``A`` is read (as NumPy and PyTorch do); the gradient is symmetric.

    Parameters
    ----------
    A : Tensor of shape (..., n, n) (floating, symmetric positive-definite)
    upper : bool, default False
        Return ``U = L^T`` (``A = U^T U``) instead.

    Returns
    -------
    Tensor of shape (..., n, n)

    Raises
    ------
    ValueError
        When a matrix is not positive-definite.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.linalg.cholesky(tl.tensor([[4.0, 2.0], [2.0, 2.0]]))
    tensor([[2., 0.],
            [1., 1.]])
    """
    return _run("linalg.cholesky", Cholesky, _square("linalg.cholesky", A), upper=bool(upper))


def _pack(xp_: Any, *arrays: Any, batch: tuple[int, ...]) -> Any:
    return xp_.concatenate([a.reshape(*batch, -1) for a in arrays], axis=-1)


def _unpack(xp_: Any, flat: Any, shapes: tuple[tuple[int, ...], ...]) -> list[Any]:
    out, start = [], 0
    batch = flat.shape[:-1]
    for shape in shapes:
        n = math.prod(shape)
        out.append(flat[..., start:start + n].reshape(*batch, *shape))
        start += n
    return out


def _split(packed: Tensor, batch: tuple[int, ...], shapes: tuple[tuple[int, ...], ...]) -> list[Tensor]:
    out, start = [], 0
    for shape in shapes:
        n = math.prod(shape)
        out.append(reshape(packed[..., start:start + n], *batch, *shape))
        start += n
    return out


def _results(op: Op, shapes: tuple[tuple[int, ...], ...], *saved: Any) -> list[Tensor]:
    """The results of a packed entry ``op`` (saved by its forward) as nodes of the graph, for
    ``backward_graph``: differentiating through them runs ``op``'s rule again."""
    batch = saved[0].shape[:saved[0].ndim - len(shapes[0])]
    return _split(op.output_tensor(_pack(op.xp, *saved, batch=batch)), batch, shapes)


class Qr(Op):
    """``A = Q R``, packed as ``[Q | R]``: ``gA = (gQ + Q copyltu(M)) R^-T`` with
    ``M = R gR^T - gQ^T Q`` (reduced, m >= n; Liao et al., 2019)."""

    def forward(self, a, mode):
        q, r = self.xp.linalg.qr(a, mode=mode)
        self.shapes = (q.shape[-2:], r.shape[-2:])
        self.mode = mode
        if self.parents:
            self.save(q, r)
        return _pack(self.xp, q, r, batch=a.shape[:-2])

    def backward(self, grad):
        q, r = self.saved
        m, n = q.shape[-2], r.shape[-1]
        if m < n or q.shape[-1] != n:
            raise RuntimeError(f"linalg.qr backward: the gradient is implemented for mode='reduced' "
                               f"with m >= n (and 'complete' with m == n), got a {m}x{n} input "
                               f"with mode={self.mode!r}")
        xp_ = self.xp
        gq, gr = _unpack(xp_, grad, self.shapes)
        mm_ = r @ _mT(gr) - _mT(gq) @ q
        low = xp_.tril(mm_, -1)
        copyltu = low + _mT(low) + xp_.tril(xp_.triu(mm_))  # the diagonal once
        rhs = gq + q @ copyltu  # (m, n); solve X R^T = rhs  =>  R X^T = rhs^T
        return _mT(xp_.linalg.solve(r, _mT(rhs)))

    def backward_graph(self, grad):
        q, r = self.saved
        m, n = q.shape[-2], r.shape[-1]
        if m < n or q.shape[-1] != n:
            self.backward(grad.data)  # raises the error of the first-order rule
        qt, rt = _results(self, self.shapes, q, r)
        gq, gr = _split(grad, q.shape[:-2], self.shapes)
        mm_ = rt @ gr.mT - gq.mT @ qt
        low = where(constant(self.xp.tril(self.xp.ones((n, n), dtype=bool), -1)), mm_, 0.0)
        copyltu = low + low.mT + mm_ * constant(self.xp.eye(n, dtype=r.dtype))
        return Solve.apply(rt, (gq + qt @ copyltu).mT).mT


class QRResult(NamedTuple):
    """``(Q, R)``, the result of :func:`qr` (a named tuple, as PyTorch's).

    Parameters
    ----------
    Q : Tensor
        Orthonormal columns.
    R : Tensor
        Upper triangular.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.linalg.qr(tl.eye(2)).R.shape
    (2, 2)
    """

    Q: Tensor
    R: Tensor


def qr(A: Any, mode: str = "reduced") -> QRResult:
    """The QR decomposition ``A = Q R`` (Q orthonormal columns, R upper triangular).

    Parameters
    ----------
    A : Tensor of shape (..., m, n) (floating)
    mode : {'reduced', 'complete', 'r'}, default 'reduced'
        'reduced': Q (m, k), R (k, n) with k = min(m, n); 'complete': Q (m, m), R (m, n);
        'r': R only (Q is an empty tensor), as PyTorch.

    Returns
    -------
    QRResult
        A named tuple ``(Q, R)``. Gradients: mode 'reduced' with m >= n.

    Examples
    --------
    >>> import tensorlite as tl
    >>> Q, R = tl.linalg.qr(tl.tensor([[3.0, 1.0], [4.0, 2.0]], dtype="float64"))
    >>> (Q @ R).numpy().round(6)
    array([[3., 1.],
           [4., 2.]])
    """
    t = _floating("linalg.qr", A)
    if t.ndim < 2:
        raise ValueError(f"linalg.qr: A must have at least 2 dims, got shape {t.shape}")
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"linalg.qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    m, n = t.shape[-2:]
    k = min(m, n)
    batch = t.shape[:-2]
    if mode == "r":  # R only, outside the graph (PyTorch has no gradient for it either)
        r = qr(t.detach(), "reduced").R
        return QRResult(Tensor._wrap(xp.zeros((0,), dtype=t.dtype)), r)
    qshape = (m, k) if mode == "reduced" else (m, m)
    rshape = (k, n) if mode == "reduced" else (m, n)
    packed = _run("linalg.qr", Qr, t, mode=mode)
    q, r = _split(packed, batch, (qshape, rshape))
    return QRResult(q, r)


class Svd(Op):
    """``A = U diag(S) V^T`` (reduced), packed as ``[U | S | Vh]``; Townsend's (2016) rule."""

    def forward(self, a, full_matrices):
        u, s, vh = self.xp.linalg.svd(a, full_matrices=full_matrices)
        self.shapes = (u.shape[-2:], s.shape[-1:], vh.shape[-2:])
        self.full = full_matrices and a.shape[-1] != a.shape[-2]
        if self.parents:
            self.save(u, s, vh)
        return _pack(self.xp, u, s, vh, batch=a.shape[:-2])

    def backward(self, grad):
        u, s, vh = self.saved
        xp_ = self.xp
        gu, gs, gvh = _unpack(xp_, grad, self.shapes)
        k = s.shape[-1]
        # full_matrices=True: the singular vectors past the first k are any basis of their space,
        # so they must get no gradient; the first k may (as in PyTorch)
        if self.full and (gu[..., :, k:].any() or gvh[..., k:, :].any()):
            raise RuntimeError("linalg.svd backward: the gradient of U or Vh is not defined when "
                               "full_matrices=True and the matrix is not square; use full_matrices=False")
        u, gu, vh, gvh = u[..., :, :k], gu[..., :, :k], vh[..., :k, :], gvh[..., :k, :]
        vectors = bool(gu.any() or gvh.any())
        core = gs[..., :, None] * xp_.eye(k, dtype=s.dtype)
        if vectors:
            v, gv = _mT(vh), _mT(gvh)
            s2 = s * s
            diff = s2[..., None, :] - s2[..., :, None]  # s_j^2 - s_i^2
            eye = xp_.eye(k, dtype=bool)
            with xp_.errstate(divide="ignore"):
                f = xp_.where(eye, 0, 1 / xp_.where(eye, 1, diff))
            ut_gu, vt_gv = _mT(u) @ gu, _mT(v) @ gv
            j = f * (ut_gu - _mT(ut_gu))
            kk = f * (vt_gv - _mT(vt_gv))
            core = core + j * s[..., None, :] + s[..., :, None] * kk
            m, n = u.shape[-2], v.shape[-2]
            extra = 0
            if m > k or n > k:  # (only then: s may hold zeros)
                sinv = 1 / s
            if m > k:
                extra = (gu - u @ ut_gu) * sinv[..., None, :] @ vh
            if n > k:
                extra = extra + (u * sinv[..., None, :]) @ (_mT(gv) - (_mT(gv) @ v) @ vh)
            return u @ core @ vh + extra
        return u @ core @ vh

    def backward_graph(self, grad):
        u, s, vh = self.saved
        xp_ = self.xp
        ut, st, vht = _results(self, self.shapes, u, s, vh)
        gu, gs, gvh = _split(grad, s.shape[:-1], self.shapes)
        k = s.shape[-1]
        if self.full:  # only the first k singular vectors enter, as in backward
            if gu.data[..., :, k:].any() or gvh.data[..., k:, :].any():
                self.backward(grad.data)  # raises its error
            ut, vht, gu, gvh = ut[..., :, :k], vht[..., :k, :], gu[..., :, :k], gvh[..., :k, :]
        vectors = bool(gu.data.any() or gvh.data.any())
        core = gs.unsqueeze(-1) * constant(xp_.eye(k, dtype=s.dtype))
        if not vectors:
            return ut @ core @ vht
        vt, gv = vht.mT, gvh.mT
        s2 = st * st
        eye = constant(xp_.eye(k, dtype=bool))
        with xp_.errstate(divide="ignore"):
            f = where(eye, 0.0, 1 / where(eye, 1.0, s2.unsqueeze(-2) - s2.unsqueeze(-1)))  # 1/(s_j^2 - s_i^2)
        ut_gu, vt_gv = ut.mT @ gu, vt.mT @ gv
        core = core + f * (ut_gu - ut_gu.mT) * st.unsqueeze(-2) + st.unsqueeze(-1) * (f * (vt_gv - vt_gv.mT))
        out = ut @ core @ vht
        if u.shape[-2] > k:
            out = out + ((gu - ut @ ut_gu) / st.unsqueeze(-2)) @ vht
        if vh.shape[-1] > k:
            out = out + (ut / st.unsqueeze(-2)) @ (gvh - (gvh @ vt) @ vht)
        return out


class SVDResult(NamedTuple):
    """``(U, S, Vh)``, the result of :func:`svd` (a named tuple, as PyTorch's).

    Parameters
    ----------
    U : Tensor
        Left singular vectors (columns).
    S : Tensor
        Singular values, descending.
    Vh : Tensor
        Right singular vectors (rows).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.linalg.svd(tl.eye(2)).S
    tensor([1., 1.])
    """

    U: Tensor
    S: Tensor
    Vh: Tensor


def svd(A: Any, full_matrices: bool = True) -> SVDResult:
    """The singular value decomposition ``A = U diag(S) Vh``, singular values in descending order.

    Parameters
    ----------
    A : Tensor of shape (..., m, n) (floating)
    full_matrices : bool, default True
        True: U (m, m) and Vh (n, n); False: U (m, k) and Vh (k, n) with k = min(m, n). With
        True and a non-square matrix, only the first k singular vectors may get a gradient (the
        others are any basis of their space: PyTorch ignores their gradient, tensorlite refuses it).

    Returns
    -------
    SVDResult
        A named tuple ``(U, S, Vh)``. The gradient through U and Vh needs distinct singular
        values; through S alone it always exists.

    Examples
    --------
    >>> import tensorlite as tl
    >>> U, S, Vh = tl.linalg.svd(tl.tensor([[3.0, 0.0], [0.0, -2.0]]))
    >>> S
    tensor([3., 2.])
    """
    t = _floating("linalg.svd", A)
    if t.ndim < 2:
        raise ValueError(f"linalg.svd: A must have at least 2 dims, got shape {t.shape}")
    m, n = t.shape[-2:]
    k = min(m, n)
    shapes = ((m, m), (k,), (n, n)) if full_matrices else ((m, k), (k,), (k, n))
    packed = _run("linalg.svd", Svd, t, full_matrices=bool(full_matrices))
    return SVDResult(*_split(packed, t.shape[:-2], shapes))


class Eigh(Op):
    """``A = V diag(w) V^T`` (symmetric A), packed as ``[w | V]``:
    ``gA = V (diag(gw) + skew(V^T gV) / E) V^T`` with ``E_ij = w_j - w_i``."""

    def forward(self, a, uplo):
        w, v = self.xp.linalg.eigh(a, UPLO=uplo)
        n = a.shape[-1]
        self.shapes = ((n,), (n, n))
        if self.parents:
            self.save(w, v)
        return _pack(self.xp, w, v, batch=a.shape[:-2])

    def backward(self, grad):
        w, v = self.saved
        xp_ = self.xp
        gw, gv = _unpack(xp_, grad, self.shapes)
        n = w.shape[-1]
        inner = gw[..., :, None] * xp_.eye(n, dtype=w.dtype)
        if gv.any():
            vt_gv = _mT(v) @ gv
            skew = 0.5 * (vt_gv - _mT(vt_gv))
            e = w[..., None, :] - w[..., :, None]
            eye = xp_.eye(n, dtype=bool)
            with xp_.errstate(divide="ignore", invalid="ignore"):
                inner = inner + xp_.where(eye, 0, skew / xp_.where(eye, 1, e))
        return v @ inner @ _mT(v)

    def backward_graph(self, grad):
        w, v = self.saved
        xp_ = self.xp
        wt, vt = _results(self, self.shapes, w, v)
        gw, gv = _split(grad, w.shape[:-1], self.shapes)
        n = w.shape[-1]
        inner = gw.unsqueeze(-1) * constant(xp_.eye(n, dtype=w.dtype))
        if gv.data.any():
            vt_gv = vt.mT @ gv
            eye = constant(xp_.eye(n, dtype=bool))
            e = where(eye, 1.0, wt.unsqueeze(-2) - wt.unsqueeze(-1))  # w_j - w_i off the diagonal
            with xp_.errstate(divide="ignore", invalid="ignore"):
                inner = inner + where(eye, 0.0, 0.5 * (vt_gv - vt_gv.mT) / e)
        return vt @ inner @ vt.mT


class EighResult(NamedTuple):
    """``(eigenvalues, eigenvectors)``, the result of :func:`eigh` (a named tuple, as PyTorch's).

    Parameters
    ----------
    eigenvalues : Tensor
        Ascending.
    eigenvectors : Tensor
        Orthonormal, in the columns.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.linalg.eigh(tl.eye(2)).eigenvalues
    tensor([1., 1.])
    """

    eigenvalues: Tensor
    eigenvectors: Tensor


def eigh(A: Any, UPLO: str = "L") -> EighResult:
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric matrix.

    Parameters
    ----------
    A : Tensor of shape (..., n, n) (floating, symmetric)
    UPLO : {'L', 'U'}, default 'L'
        Which triangle of ``A`` is read.

    Returns
    -------
    EighResult
        A named tuple ``(eigenvalues, eigenvectors)``: shapes (..., n) and (..., n, n), the eigenvectors in
        the columns. The gradient through the eigenvectors needs distinct eigenvalues.

    Examples
    --------
    >>> import tensorlite as tl
    >>> w, V = tl.linalg.eigh(tl.tensor([[2.0, 1.0], [1.0, 2.0]]))
    >>> w
    tensor([1., 3.])
    """
    t = _square("linalg.eigh", A)
    if UPLO not in ("L", "U"):
        raise ValueError(f"linalg.eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    n = t.shape[-1]
    packed = _run("linalg.eigh", Eigh, t, uplo=UPLO)
    return EighResult(*_split(packed, t.shape[:-2], ((n,), (n, n))))

