"""Higher-order gradients of the linear-algebra ops (issue 16): ``Linear`` (``F.linear``), the
matrix products (``Matmul`` and its subclasses ``Mm Bmm Mv Dot``, ``Outer``), ``VectorNorm`` and
``Svdvals`` (the norms) and the decompositions of ``tl.linalg`` (``Inv Det Solve Cholesky Qr Svd
Eigh``): derivatives of order 1 to 3 against PyTorch in float64, and ``tl.gradgradcheck`` on
batched and edge shapes.

Functions of singular vectors / eigenvectors are written sign-invariantly (``U * U``, ``V * V``):
LAPACK may choose other signs than PyTorch's.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from higher_order import assert_matches_torch

import tensorlite as tl
import tensorlite.nn.functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional
INF = math.inf


def rnd(*shape, seed=0):
    return np.random.default_rng(seed + 17 * len(shape) + sum(shape)).standard_normal(shape)


def well(*shape, seed=0):
    """Well-conditioned square matrices."""
    return rnd(*shape, seed=seed) + 3 * np.eye(shape[-1])


def spd(lib, x):
    """A symmetric positive-definite matrix made from ``x``."""
    eye = (tl.eye if lib is tl else torch.eye)(x.shape[-1], dtype=x.dtype)
    return x @ x.mT + eye


def nonzero(*shape, seed=0):
    a = rnd(*shape, seed=seed)
    return a + 0.3 * np.sign(a)  # |a| >= 0.3, no ties


# (id, tensorlite function, torch function, input arrays)
CASES = [
    # Linear
    ("linear", lambda x, w, b: F.linear(x, w, b).tanh(), lambda x, w, b: TF.linear(x, w, b).tanh(),
     [rnd(3, 4), rnd(2, 4), rnd(2)]),
    ("linear no bias", lambda x, w: F.linear(x, w).tanh(), lambda x, w: TF.linear(x, w).tanh(),
     [rnd(3, 4), rnd(2, 4)]),
    ("linear 3-D input", lambda x, w, b: F.linear(x, w, b).tanh(), lambda x, w, b: TF.linear(x, w, b).tanh(),
     [rnd(2, 3, 4), rnd(5, 4), rnd(5)]),
    ("linear 1-D input", lambda x, w, b: F.linear(x, w, b).tanh(), lambda x, w, b: TF.linear(x, w, b).tanh(),
     [rnd(4), rnd(3, 4), rnd(3)]),
    ("linear twice", lambda x, w: F.linear(F.linear(x, w).tanh(), w.mT),
     lambda x, w: TF.linear(TF.linear(x, w).tanh(), w.mT), [rnd(3, 4), rnd(2, 4)]),
    # products
    ("matmul", lambda a, b: (a @ b).tanh(), lambda a, b: (a @ b).tanh(), [rnd(2, 3, 4), rnd(4, 2)]),
    ("matmul vector @ matrix", lambda a, b: (a @ b).tanh(), lambda a, b: (a @ b).tanh(), [rnd(4), rnd(2, 4, 3)]),
    ("matmul matrix @ vector", lambda a, b: tl.matmul(a, b).tanh(), lambda a, b: torch.matmul(a, b).tanh(),
     [rnd(3, 4), rnd(4)]),
    ("mm", lambda a, b: tl.mm(a, b).tanh(), lambda a, b: torch.mm(a, b).tanh(), [rnd(2, 3), rnd(3, 4)]),
    ("Tensor.mm", lambda a, b: a.mm(b).tanh(), lambda a, b: a.mm(b).tanh(), [rnd(1, 3), rnd(3, 1)]),
    ("bmm", lambda a, b: tl.bmm(a, b).tanh(), lambda a, b: torch.bmm(a, b).tanh(), [rnd(2, 3, 4), rnd(2, 4, 2)]),
    ("mv", lambda a, v: tl.mv(a, v).tanh(), lambda a, v: torch.mv(a, v).tanh(), [rnd(3, 4), rnd(4)]),
    ("dot", lambda a, b: tl.dot(a, b).tanh(), lambda a, b: torch.dot(a, b).tanh(), [rnd(4), rnd(4) / 2]),
    ("Tensor.dot mv", lambda a, b: a.mv(b).dot(b).tanh(), lambda a, b: a.mv(b).dot(b).tanh(),
     [rnd(3, 3) / 2, rnd(3)]),
    ("outer", lambda a, b: tl.outer(a, b).tanh(), lambda a, b: torch.outer(a, b).tanh(), [rnd(3), rnd(2)]),
    ("Tensor.outer", lambda a, b: a.outer(b * b), lambda a, b: a.outer(b * b), [rnd(1), rnd(3)]),
    ("addmm", lambda i, a, b: tl.addmm(i, a, b, beta=0.5, alpha=2).tanh(),
     lambda i, a, b: torch.addmm(i, a, b, beta=0.5, alpha=2).tanh(), [rnd(4), rnd(2, 3), rnd(3, 4)]),
    ("addmv", lambda i, a, v: tl.addmv(i, a, v, beta=-1).tanh(), lambda i, a, v: torch.addmv(i, a, v, beta=-1).tanh(),
     [rnd(2), rnd(2, 3), rnd(3)]),
    ("baddbmm", lambda i, a, b: tl.baddbmm(i, a, b, alpha=0.5).tanh(),
     lambda i, a, b: torch.baddbmm(i, a, b, alpha=0.5).tanh(), [rnd(2, 1, 3), rnd(2, 2, 4), rnd(2, 4, 3)]),
    # norms
    ("vector_norm", lambda x: tl.linalg.vector_norm(x), lambda x: torch.linalg.vector_norm(x), [rnd(3, 4)]),
    ("vector_norm ord=3 dim=1", lambda x: tl.linalg.vector_norm(x, 3, dim=1),
     lambda x: torch.linalg.vector_norm(x, 3, dim=1), [nonzero(2, 3, 4)]),
    ("vector_norm ord=1.5 keepdim", lambda x: tl.linalg.vector_norm(x, 1.5, dim=(0, 2), keepdim=True),
     lambda x: torch.linalg.vector_norm(x, 1.5, dim=(0, 2), keepdim=True), [nonzero(2, 3, 4)]),
    ("vector_norm ord=0.5", lambda x: tl.linalg.vector_norm(x, 0.5, dim=-1),
     lambda x: torch.linalg.vector_norm(x, 0.5, dim=-1), [nonzero(3, 4)]),
    ("vector_norm ord=-1.5", lambda x: tl.linalg.vector_norm(x, -1.5, dim=0),
     lambda x: torch.linalg.vector_norm(x, -1.5, dim=0), [nonzero(3, 4)]),
    ("vector_norm ord=1", lambda x: tl.linalg.vector_norm(x.tanh(), 1, dim=1),
     lambda x: torch.linalg.vector_norm(x.tanh(), 1, dim=1), [nonzero(3, 4)]),
    ("vector_norm ord=inf", lambda x: tl.linalg.vector_norm(x.tanh(), INF, dim=1),
     lambda x: torch.linalg.vector_norm(x.tanh(), INF, dim=1), [nonzero(3, 4)]),
    ("vector_norm ord=-inf", lambda x: tl.linalg.vector_norm(x.tanh(), -INF),
     lambda x: torch.linalg.vector_norm(x.tanh(), -INF), [nonzero(3, 4)]),
    ("vector_norm ord=0", lambda x: tl.linalg.vector_norm(x, 0, dim=1) * x.sum(),
     lambda x: torch.linalg.vector_norm(x, 0, dim=1) * x.sum(), [nonzero(3, 4)]),
    ("vector_norm 0-d", lambda x: tl.linalg.vector_norm(x * x, 3), lambda x: torch.linalg.vector_norm(x * x, 3),
     [np.array(0.7)]),
    ("norm", lambda x: tl.norm(x, dim=1) + x.norm(p=3, dim=1), lambda x: torch.norm(x, dim=1) + x.norm(p=3, dim=1),
     [nonzero(3, 4)]),
    ("linalg.norm", lambda x: tl.linalg.norm(x, dim=0), lambda x: torch.linalg.norm(x, dim=0), [rnd(3, 4)]),
    ("matrix_norm fro", lambda x: tl.linalg.matrix_norm(x), lambda x: torch.linalg.matrix_norm(x), [rnd(2, 3, 4)]),
    ("matrix_norm 1 inf", lambda x: tl.linalg.matrix_norm(x.tanh(), 1) + tl.linalg.matrix_norm(x.exp(), -INF),
     lambda x: torch.linalg.matrix_norm(x.tanh(), 1) + torch.linalg.matrix_norm(x.exp(), -INF), [rnd(2, 3, 4)]),
    ("matrix_norm nuc", lambda x: tl.linalg.matrix_norm(x, "nuc"), lambda x: torch.linalg.matrix_norm(x, "nuc"),
     [rnd(2, 3, 4)]),
    ("matrix_norm 2 -2", lambda x: tl.linalg.matrix_norm(x, 2) * tl.linalg.matrix_norm(x, -2),
     lambda x: torch.linalg.matrix_norm(x, 2) * torch.linalg.matrix_norm(x, -2), [rnd(4, 3)]),
    ("norm nuc dim", lambda x: tl.norm(x, "nuc", dim=(0, 2)), lambda x: torch.norm(x, "nuc", dim=(0, 2)),
     [rnd(3, 2, 4)]),
    # decompositions
    ("inv", lambda a: tl.linalg.inv(a), lambda a: torch.linalg.inv(a), [well(3, 3)]),
    ("inv batched", lambda a: tl.linalg.inv(a), lambda a: torch.linalg.inv(a), [well(2, 2, 2)]),
    ("det", lambda a: tl.linalg.det(a), lambda a: torch.linalg.det(a), [well(3, 3)]),
    ("det batched", lambda a: tl.linalg.det(a), lambda a: torch.linalg.det(a), [rnd(2, 3, 3)]),
    ("det 1x1", lambda a: tl.linalg.det(a), lambda a: torch.linalg.det(a), [rnd(1, 1) + 1]),
    ("solve", lambda a, b: tl.linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b), [well(3, 3), rnd(3, 2)]),
    ("solve vector", lambda a, b: tl.linalg.solve(a, b), lambda a, b: torch.linalg.solve(a, b), [well(3, 3), rnd(3)]),
    ("solve left=False broadcast", lambda a, b: tl.linalg.solve(a, b, left=False),
     lambda a, b: torch.linalg.solve(a, b, left=False), [well(2, 3, 3), rnd(4, 3)]),
    ("cholesky", lambda x: tl.linalg.cholesky(spd(tl, x)), lambda x: torch.linalg.cholesky(spd(torch, x)),
     [rnd(3, 3)]),
    ("cholesky upper batched", lambda x: tl.linalg.cholesky(spd(tl, x), upper=True),
     lambda x: torch.linalg.cholesky(spd(torch, x), upper=True), [rnd(2, 3, 3)]),
    ("qr", lambda a: tl.linalg.qr(a), lambda a: torch.linalg.qr(a), [rnd(3, 3)]),
    ("qr tall batched", lambda a: tl.linalg.qr(a), lambda a: torch.linalg.qr(a), [rnd(2, 4, 3)]),
    ("qr complete square", lambda a: tl.linalg.qr(a, "complete"), lambda a: torch.linalg.qr(a, "complete"),
     [rnd(2, 2)]),
    ("svd", lambda a: (lambda u, s, vh: (u * u, s, vh * vh))(*tl.linalg.svd(a)),
     lambda a: (lambda u, s, vh: (u * u, s, vh * vh))(*torch.linalg.svd(a)), [rnd(3, 3)]),
    ("svd reduced tall", lambda a: (lambda u, s, vh: (u * u, s, vh * vh))(*tl.linalg.svd(a, full_matrices=False)),
     lambda a: (lambda u, s, vh: (u * u, s, vh * vh))(*torch.linalg.svd(a, full_matrices=False)), [rnd(4, 3)]),
    ("svd reduced wide batched",
     lambda a: (lambda u, s, vh: (u * u, s, vh * vh))(*tl.linalg.svd(a, full_matrices=False)),
     lambda a: (lambda u, s, vh: (u * u, s, vh * vh))(*torch.linalg.svd(a, full_matrices=False)), [rnd(2, 2, 4)]),
    ("svd full first k vectors", lambda a: (lambda u, s: (u[:, :3] * u[:, :3], s))(*tl.linalg.svd(a)[:2]),
     lambda a: (lambda u, s: (u[:, :3] * u[:, :3], s))(*torch.linalg.svd(a)[:2]), [rnd(4, 3)]),
    ("svd full S only", lambda a: tl.linalg.svd(a).S, lambda a: torch.linalg.svd(a).S, [rnd(3, 4)]),
    ("eigh", lambda a: (lambda w, v: (w, v * v))(*tl.linalg.eigh(a + a.mT)),
     lambda a: (lambda w, v: (w, v * v))(*torch.linalg.eigh(a + a.mT)), [rnd(3, 3)]),
    ("eigh U batched", lambda a: (lambda w, v: (w.exp(), v * v))(*tl.linalg.eigh(a + a.mT, UPLO="U")),
     lambda a: (lambda w, v: (w.exp(), v * v))(*torch.linalg.eigh(a + a.mT, UPLO="U")), [rnd(2, 3, 3)]),
]


@pytest.mark.parametrize("tl_fn, torch_fn, arrays", [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_orders_1_to_3_match_torch(tl_fn, torch_fn, arrays):
    assert_matches_torch(tl_fn, torch_fn, arrays, order=3, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("tl_fn, arrays", [pytest.param(c[1], c[3], id=c[0]) for c in CASES])
def test_float32_second_derivatives_keep_dtype_and_shape(tl_fn, arrays):
    xs = [tl.tensor(a.astype(np.float32), requires_grad=True) for a in arrays]
    out = tl_fn(*xs)
    total = sum(o.sum() for o in ([out] if isinstance(out, tl.Tensor) else out))
    grads = tl.grad(total, xs, create_graph=True, allow_unused=True)
    squares = [(g * g).sum() for g in grads if g is not None and g.requires_grad]
    seconds = tl.grad(sum(squares), xs, allow_unused=True) if squares else []
    for t, g in [*zip(xs, grads), *zip(xs, seconds)]:
        assert g is None or (g.dtype == np.float32 and g.shape == t.shape)


def singular(*shape):
    """Matrices of rank n-1 with distinct singular values."""
    a = rnd(*shape)
    u, s, vh = np.linalg.svd(a)
    s[..., -1] = 0
    return (u * s[..., None, :]) @ vh


# (id, function, input arrays) for tl.gradgradcheck: batches, broadcasting, size-1 dims, 0-d
GRADGRAD = [
    ("linear 1x1", lambda x, w, b: F.linear(x, w, b), [rnd(1, 1), rnd(1, 1), rnd(1)]),
    ("linear 3-D size-1", lambda x, w: F.linear(x, w).tanh(), [rnd(2, 1, 3), rnd(1, 3)]),
    ("linear x only", lambda x: F.linear(x, tl.tensor(rnd(2, 3)), tl.tensor(rnd(2))).tanh(), [rnd(3)]),
    ("linear w b only", lambda w, b: F.linear(tl.tensor(rnd(4, 3)), w, b).tanh(), [rnd(2, 3), rnd(2)]),
    ("matmul broadcast batch", lambda a, b: (a @ b).tanh(), [rnd(2, 1, 3, 4), rnd(5, 4, 1)]),
    ("matmul vector vector", lambda a, b: (a @ b) * (a @ b), [rnd(1), rnd(1)]),
    ("bmm size-1", lambda a, b: tl.bmm(a, b).tanh(), [rnd(1, 1, 3), rnd(1, 3, 1)]),
    ("mv dot outer", lambda a, v: tl.outer(tl.mv(a, v), v).tanh().sum() * tl.dot(v, v), [rnd(2, 3), rnd(3)]),
    ("vector_norm 0-d", lambda x: tl.linalg.vector_norm(x) * x, [np.array(-1.3)]),
    ("vector_norm size-1", lambda x: tl.linalg.vector_norm(x, 2.5, dim=(0, 2), keepdim=True) * x, [nonzero(1, 3, 1)]),
    ("vector_norm inf ord=1", lambda x: tl.linalg.vector_norm(x * x, INF, dim=1) + tl.linalg.vector_norm(x * x, 1),
     [nonzero(2, 3)]),
    ("matrix_norm nuc batched", lambda x: tl.linalg.matrix_norm(x, "nuc", dim=(0, 2)), [rnd(3, 2, 2)]),
    ("inv 1x1 batched", lambda a: tl.linalg.inv(a), [rnd(3, 1, 1) + 2]),
    ("det batched", lambda a: tl.linalg.det(a), [rnd(2, 3, 3)]),
    ("det singular", lambda a: tl.linalg.det(a), [singular(3, 3)]),
    ("det singular batched", lambda a: tl.linalg.det(a) * a.sum(), [singular(2, 2, 2)]),
    ("det rank n-2", lambda a: tl.linalg.det(a) * a.sum(), [np.outer([1.0, 2.0, 3.0], [0.5, -1.0, 2.0])]),
    ("det zero", lambda a: tl.linalg.det(a), [np.zeros((2, 3, 3))]),
    ("solve broadcast", lambda a, b: tl.linalg.solve(a, b), [well(2, 3, 3), rnd(3, 1)]),
    ("solve A only", lambda a: tl.linalg.solve(a, tl.tensor(rnd(2, 2))), [well(2, 2)]),
    ("solve B only", lambda b: tl.linalg.solve(tl.tensor(well(2, 2)), b) ** 2, [rnd(2)]),
    ("cholesky upper 1x1", lambda x: tl.linalg.cholesky(x * x + 1, upper=True), [rnd(2, 1, 1)]),
    ("qr batched", lambda a: tl.linalg.qr(a), [rnd(2, 3, 2)]),
    ("svd batched", lambda a: (lambda u, s, vh: (u * u, s, vh * vh))(*tl.linalg.svd(a, False)), [rnd(2, 3, 2)]),
    ("svd 1x1", lambda a: tl.linalg.svd(a).S, [rnd(1, 1) + 2]),
    ("eigh batched", lambda a: (lambda w, v: (w, v * v))(*tl.linalg.eigh(a + a.mT)), [rnd(2, 2, 2)]),
]


@pytest.mark.parametrize("fn, arrays", [pytest.param(*c[1:], id=c[0]) for c in GRADGRAD])
def test_gradgradcheck(fn, arrays):
    assert tl.gradgradcheck(fn, [tl.tensor(a, requires_grad=True) for a in arrays])


def _directional(a, v, order):
    """d^k/dt^k det(A + tV) at t = 0, k = 1..order, from tl.grad(..., create_graph=True)."""
    x, vt = tl.tensor(a, requires_grad=True), tl.tensor(v)
    out, s = [], tl.linalg.det(x).sum()
    for _ in range(order):
        if not s.requires_grad:  # det's degree was reached: the rest is 0
            out.append(0.0)
            continue
        (g,) = tl.grad(s, x, create_graph=True)
        s = (g * vt).sum()
        out.append(float(s.data))
    return out


@pytest.mark.parametrize("a", [
    pytest.param(np.eye(3), id="invertible, repeated singular values"),
    pytest.param(singular(3, 3), id="rank n-1"),
    pytest.param(np.linalg.qr(rnd(3, 3))[0] @ np.diag([1.0, 1.0, 0.0]) @ np.linalg.qr(rnd(3, 3, seed=1))[0],
                 id="rank n-1, repeated singular values"),
    pytest.param(np.outer([1.0, 2.0, 3.0], [0.5, -1.0, 2.0]), id="rank n-2"),
    pytest.param(np.zeros((3, 3)), id="zero"),
    pytest.param(np.stack([singular(3, 3), np.zeros((3, 3)), well(3, 3)]), id="batch of ranks"),
])
def test_det_derivatives_of_every_order_exist_at_every_matrix(a):
    """det(A + tV) is a polynomial of degree n in t: its derivatives at t = 0 from tl.grad match
    its coefficients, at singular matrices too (where PyTorch gives NaN or other values)."""
    v = rnd(*a.shape, seed=3)
    ts = np.arange(4.0) - 1
    coeffs = np.polyfit(ts, [np.linalg.det(a + t * v).sum() for t in ts], 3)[::-1]  # c0 + c1 t + ...
    expected = [coeffs[1], 2 * coeffs[2], 6 * coeffs[3]]
    np.testing.assert_allclose(_directional(a, v, 3), expected, rtol=1e-7, atol=1e-9)


def test_gradient_of_gradient_is_recorded_with_these_ops():
    """The graph of a gradient records linear-algebra ops (not constants), so a third walk reaches
    the input: the third derivative of log det(A) in direction V is 2 tr((A^-1 V)^3)."""
    a, v = well(3, 3), rnd(3, 3, seed=2)
    x = tl.tensor(a, requires_grad=True)
    vt = tl.tensor(v)
    (g,) = tl.grad((tl.linalg.det(x) ** 2).log() / 2, x, create_graph=True)  # log |det A|
    (h,) = tl.grad((g * vt).sum(), x, create_graph=True)
    (t,) = tl.grad((h * vt).sum(), x)
    m = np.linalg.solve(a, v)  # D log|det|[V] = tr(M), D^2 = -tr(M^2), D^3 = 2 tr(M^3), M = A^-1 V
    expected = 2 * np.trace(m @ m @ m)
    np.testing.assert_allclose((t * v).sum(), expected, rtol=1e-8)


def test_first_order_walks_never_run_the_graph_rules(monkeypatch):
    """``.backward()`` and ``tl.grad`` without ``create_graph`` use the NumPy rules only."""
    from tensorlite.ops import linalg, linalg_extra

    def refuse(self, grad):
        raise AssertionError(f"{self.name}.backward_graph ran in a first-order walk")

    for cls in (linalg.Matmul, linalg.Linear, linalg_extra.Outer, linalg_extra.VectorNorm, linalg_extra.Svdvals,
                linalg_extra.Inv, linalg_extra.Det, linalg_extra.Solve, linalg_extra.Cholesky, linalg_extra.Qr,
                linalg_extra.Svd, linalg_extra.Eigh):
        monkeypatch.setattr(cls, "backward_graph", refuse)
    a = tl.tensor(well(3, 3), requires_grad=True)
    out = (F.linear(a, a).sum() + tl.outer(a[0], a[1]).sum() + tl.mv(a, a[0]).sum() + tl.linalg.vector_norm(a, 3)
           + tl.linalg.matrix_norm(a, "nuc") + tl.linalg.inv(a).sum() + tl.linalg.det(a) + tl.linalg.solve(a, a).sum()
           + tl.linalg.cholesky(a @ a.mT).sum() + sum(t.sum() for t in tl.linalg.qr(a))
           + tl.linalg.svd(a).S.sum() + tl.linalg.eigh(a + a.mT).eigenvalues.sum())
    (g,) = tl.grad(out, a, retain_graph=True)
    out.backward()
    assert isinstance(g, np.ndarray) and np.array_equal(g, a.grad)
