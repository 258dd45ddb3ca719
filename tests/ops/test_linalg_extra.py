"""PyTorch's matrix products, norms and decompositions (issue 22 part A): values and gradients
against PyTorch, gradcheck in float64, and clear errors for bad input."""
from __future__ import annotations

import math

import numpy as np
import pytest

import tensorlite as tl

torch = pytest.importorskip("torch")

rng = np.random.default_rng(22)
INF = math.inf


def arr(*shape):
    return rng.standard_normal(shape)


def spd(n, batch=()):
    x = rng.standard_normal(batch + (n, n))
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def both(fn_tl, fn_torch, *arrays, gradcheck=True):
    """Run ``fn`` on tensorlite and torch from the same float64 arrays; compare the outputs and,
    through a loss that mixes every output with fixed weights, every input's gradient."""
    mine = [tl.tensor(a, dtype=np.float64, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out_m, out_t = fn_tl(*mine), fn_torch(*theirs)
    out_m = out_m if isinstance(out_m, tuple) else (out_m,)
    out_t = out_t if isinstance(out_t, tuple) else (out_t,)
    assert len(out_m) == len(out_t)
    loss_m, loss_t = 0, 0
    for i, (m, t) in enumerate(zip(out_m, out_t)):
        np.testing.assert_allclose(m.data, t.detach().numpy(), rtol=1e-9, atol=1e-10, err_msg=f"output {i}")
        w = np.random.default_rng(i).standard_normal(m.shape)
        loss_m = loss_m + (m * tl.tensor(w)).sum()
        loss_t = loss_t + (t * torch.tensor(w)).sum()
    loss_m.backward()
    loss_t.backward()
    for i, (m, t) in enumerate(zip(mine, theirs)):
        expected = np.zeros(m.shape) if t.grad is None else t.grad.numpy()  # None: no gradient reached it
        np.testing.assert_allclose(m.grad, expected, rtol=1e-7, atol=1e-9, err_msg=f"grad of input {i}")
    if gradcheck:
        tl.gradcheck(fn_tl, [tl.tensor(a, dtype=np.float64, requires_grad=True) for a in arrays])


# -- products -------------------------------------------------------------------------------
@pytest.mark.parametrize("name, fn_tl, fn_torch, shapes", [
    ("mm", tl.mm, torch.mm, [(2, 3), (3, 4)]),
    ("bmm", tl.bmm, torch.bmm, [(2, 2, 3), (2, 3, 4)]),
    ("mv", tl.mv, torch.mv, [(2, 3), (3,)]),
    ("dot", tl.dot, torch.dot, [(3,), (3,)]),
    ("outer", tl.outer, torch.outer, [(3,), (2,)]),
    ("addmm", lambda i, a, b: tl.addmm(i, a, b, beta=0.5, alpha=2),
     lambda i, a, b: torch.addmm(i, a, b, beta=0.5, alpha=2), [(4,), (2, 3), (3, 4)]),
    ("addmm full input", tl.addmm, torch.addmm, [(2, 4), (2, 3), (3, 4)]),
    ("addmv", lambda i, a, b: tl.addmv(i, a, b, beta=-1, alpha=0.5),
     lambda i, a, b: torch.addmv(i, a, b, beta=-1, alpha=0.5), [(2,), (2, 3), (3,)]),
    ("baddbmm", lambda i, a, b: tl.baddbmm(i, a, b, beta=0.5, alpha=2),
     lambda i, a, b: torch.baddbmm(i, a, b, beta=0.5, alpha=2), [(1, 2, 4), (2, 2, 3), (2, 3, 4)]),
    ("methods", lambda a, b, v: a.mm(b).mv(v).dot(v[:2]) + a[0].outer(v).sum() + a.t().sum(),
     lambda a, b, v: a.mm(b).mv(v).dot(v[:2]) + a[0].outer(v).sum() + a.t().sum(), [(2, 3), (3, 3), (3,)]),
])
def test_products_match_torch(name, fn_tl, fn_torch, shapes):
    both(fn_tl, fn_torch, *[arr(*s) for s in shapes])


def test_beta_zero_ignores_nan_in_input():
    i = tl.tensor([[np.nan, 1.0]], dtype=np.float64)
    a, b = tl.ones(1, 2, dtype=np.float64), tl.ones(2, 2, dtype=np.float64)
    out = tl.addmm(i, a, b, beta=0)
    expected = torch.addmm(torch.tensor([[np.nan, 1.0]]), torch.ones(1, 2), torch.ones(2, 2), beta=0)
    np.testing.assert_array_equal(out.data, expected.numpy())


def test_products_keep_float32():
    assert tl.mm(tl.ones(2, 3), tl.ones(3, 2)).dtype == np.float32
    assert tl.outer(tl.ones(2), tl.ones(3)).grad_fn is None


@pytest.mark.parametrize("call, match", [
    (lambda: tl.mm(tl.ones(2, 3), tl.ones(4, 2)), r"mm: shapes \(2, 3\) and \(4, 2\)"),
    (lambda: tl.mm(tl.ones(2, 3, 1), tl.ones(1, 2)), "mm: input must be a 2-D tensor"),
    (lambda: tl.bmm(tl.ones(2, 2, 3), tl.ones(3, 3, 2)), r"bmm: shapes \(2, 2, 3\) and \(3, 3, 2\)"),
    (lambda: tl.mv(tl.ones(2, 3), tl.ones(2)), "mv: matrix of shape"),
    (lambda: tl.dot(tl.ones(2), tl.ones(3)), "dot: the vectors must have the same length"),
    (lambda: tl.outer(tl.ones(2, 2), tl.ones(3)), "outer: input must be a 1-D tensor"),
    (lambda: tl.addmm(tl.ones(3), tl.ones(2, 2), tl.ones(2, 2)), r"addmm: input of shape \(3,\)"),
])
def test_product_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_alpha_must_be_a_number():
    with pytest.raises(TypeError, match="addmm: alpha must be a number"):
        tl.addmm(tl.ones(2), tl.ones(2, 2), tl.ones(2, 2), alpha="2")


# -- norms ----------------------------------------------------------------------------------
@pytest.mark.parametrize("ord", [2, 1, 3.5, 0.5, INF, -INF, 0, -1.5])
@pytest.mark.parametrize("dim, keepdim", [(None, False), (1, False), ((0, 2), True), (-1, True)])
def test_vector_norm_matches_torch(ord, dim, keepdim):
    x = arr(2, 3, 4)
    both(lambda a: tl.linalg.vector_norm(a, ord, dim, keepdim),
         lambda a: torch.linalg.vector_norm(a, ord, dim, keepdim), x)


def test_vector_norm_zero_vector_has_zero_gradient_and_inf_ties_split():
    for ord in (2, 3.0, 1, INF):
        x = tl.zeros(3, dtype=np.float64, requires_grad=True)
        tx = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        tl.linalg.vector_norm(x, ord).backward()
        torch.linalg.vector_norm(tx, ord).backward()
        np.testing.assert_array_equal(x.grad, tx.grad.numpy())
    x = tl.tensor([2.0, -2.0, 1.0], dtype=np.float64, requires_grad=True)
    tx = torch.tensor([2.0, -2.0, 1.0], dtype=torch.float64, requires_grad=True)
    tl.linalg.vector_norm(x, INF).backward()
    torch.linalg.vector_norm(tx, INF).backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy())


@pytest.mark.parametrize("ord", ["fro", "nuc", INF, -INF, 1, -1, 2, -2])
@pytest.mark.parametrize("shape, dim, keepdim", [((3, 4), (-2, -1), False), ((2, 3, 4), (0, 2), True),
                                                 ((2, 4, 3), (2, 1), False)])
def test_matrix_norm_matches_torch(ord, shape, dim, keepdim):
    both(lambda a: tl.linalg.matrix_norm(a, ord, dim, keepdim),
         lambda a: torch.linalg.matrix_norm(a, ord, dim, keepdim), arr(*shape))


@pytest.mark.parametrize("kwargs", [{}, {"ord": 3}, {"ord": "nuc"}, {"ord": 2}, {"dim": 1}, {"dim": (0, 1)},
                                    {"ord": INF, "dim": 0, "keepdim": True}, {"ord": -1}])
def test_linalg_norm_matches_torch(kwargs):
    shape = (3,) if kwargs.get("ord") == 3 else (3, 4)
    both(lambda a: tl.linalg.norm(a, **kwargs), lambda a: torch.linalg.norm(a, **kwargs), arr(*shape))


@pytest.mark.parametrize("kwargs", [{}, {"p": 1}, {"p": 2, "dim": 1}, {"p": "fro", "dim": (0, 1)},
                                    {"dim": 0, "keepdim": True}, {"p": INF, "dim": -1}, {"p": "nuc", "dim": (0, 2)},
                                    {"p": 3, "dim": (1, 2)}])
def test_tensor_norm_matches_torch(kwargs):
    both(lambda a: a.norm(**kwargs), lambda a: a.norm(**kwargs), arr(2, 3, 4))
    both(lambda a: tl.norm(a, **kwargs), lambda a: torch.norm(a, **kwargs), arr(2, 3, 4))


def test_nuclear_norm_of_a_matrix():
    both(lambda a: a.norm(p="nuc"), lambda a: a.norm(p="nuc"), arr(3, 4))
    with pytest.raises(ValueError, match="norm: p='nuc' with dim=None needs a 2-D tensor"):
        tl.ones(2, 3, 4).norm(p="nuc")


def test_norm_dtype_argument_and_float32():
    x = tl.ones(3, 4)
    assert x.norm().dtype == np.float32
    assert tl.linalg.vector_norm(x, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("call, exc, match", [
    (lambda: tl.linalg.vector_norm(tl.tensor([1, 2])), TypeError, "vector_norm: expected a floating tensor"),
    (lambda: tl.linalg.vector_norm(tl.ones(2), "fro"), TypeError, "vector_norm: ord must be a number"),
    (lambda: tl.linalg.vector_norm(tl.ones(2, 3), dim=(0, 0)), ValueError, "names a dim twice"),
    (lambda: tl.linalg.matrix_norm(tl.ones(3)), ValueError, "matrix_norm: A must have at least 2 dims"),
    (lambda: tl.linalg.matrix_norm(tl.ones(3, 3), 3), ValueError, "matrix_norm: ord must be"),
    (lambda: tl.linalg.matrix_norm(tl.ones(3, 3), dim=0), ValueError, "matrix_norm: dim must be a pair"),
    (lambda: tl.linalg.norm(tl.ones(2, 2, 2), 2), ValueError, "linalg.norm: with dim=None"),
    (lambda: tl.ones(2).norm(p="max"), ValueError, "norm: p must be"),
])
def test_norm_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# -- decompositions ---------------------------------------------------------------------------
def _sym(a):
    return a + a.mT


@pytest.mark.parametrize("name, fn_tl, fn_torch, make", [
    ("inv", tl.linalg.inv, torch.linalg.inv, lambda: [arr(3, 3) + 3 * np.eye(3)]),
    ("inv batched", tl.linalg.inv, torch.linalg.inv, lambda: [arr(2, 3, 3) + 3 * np.eye(3)]),
    ("det", tl.linalg.det, torch.linalg.det, lambda: [arr(2, 3, 3)]),
    ("solve matrix", tl.linalg.solve, torch.linalg.solve, lambda: [arr(3, 3) + 3 * np.eye(3), arr(3, 2)]),
    ("solve vector", tl.linalg.solve, torch.linalg.solve, lambda: [arr(3, 3) + 3 * np.eye(3), arr(3)]),
    ("solve batch of vectors", tl.linalg.solve, torch.linalg.solve,
     lambda: [arr(2, 3, 3) + 3 * np.eye(3), arr(2, 3)]),
    ("solve broadcast", tl.linalg.solve, torch.linalg.solve, lambda: [arr(2, 1, 3, 3) + 3 * np.eye(3), arr(4, 3, 2)]),
    ("solve left=False", lambda a, b: tl.linalg.solve(a, b, left=False),
     lambda a, b: torch.linalg.solve(a, b, left=False), lambda: [arr(3, 3) + 3 * np.eye(3), arr(2, 3)]),
    ("cholesky", lambda a: tl.linalg.cholesky(a @ a.mT + 3 * tl.eye(3, dtype=np.float64)),
     lambda a: torch.linalg.cholesky(a @ a.mT + 3 * torch.eye(3, dtype=torch.float64)), lambda: [arr(3, 3)]),
    ("cholesky upper batched", lambda a: tl.linalg.cholesky(a @ a.mT + 3 * tl.eye(3, dtype=np.float64), upper=True),
     lambda a: torch.linalg.cholesky(a @ a.mT + 3 * torch.eye(3, dtype=torch.float64), upper=True),
     lambda: [arr(2, 3, 3)]),
    ("qr tall", lambda a: tuple(tl.linalg.qr(a)), lambda a: tuple(torch.linalg.qr(a)), lambda: [arr(5, 3)]),
    ("qr square batched", lambda a: tuple(tl.linalg.qr(a)), lambda a: tuple(torch.linalg.qr(a)),
     lambda: [arr(2, 3, 3)]),
    ("svdvals", lambda a: tl.linalg.svd(a).S, lambda a: torch.linalg.svd(a).S, lambda: [arr(3, 5)]),
    ("svd reduced tall (gauge-free)", lambda a: (lambda u, s, vh: (u @ (s[:, None] * vh), s, u * u, vh * vh))(
        *tl.linalg.svd(a, full_matrices=False)),
     lambda a: (lambda u, s, vh: (u @ (s[:, None] * vh), s, u * u, vh * vh))(*torch.linalg.svd(a, full_matrices=False)),
     lambda: [arr(5, 3)]),
    ("svd reduced wide batched", lambda a: (lambda u, s, vh: (s, u * u, vh * vh))(*tl.linalg.svd(a, False)),
     lambda a: (lambda u, s, vh: (s, u * u, vh * vh))(*torch.linalg.svd(a, False)), lambda: [arr(2, 3, 5)]),
    ("eigh", lambda a: (lambda w, v: (w, v * v))(*tl.linalg.eigh(_sym(a))),
     lambda a: (lambda w, v: (w, v * v))(*torch.linalg.eigh(_sym(a))), lambda: [arr(4, 4)]),
    ("eigh upper batched", lambda a: (lambda w, v: (w, v * v))(*tl.linalg.eigh(_sym(a), UPLO="U")),
     lambda a: (lambda w, v: (w, v * v))(*torch.linalg.eigh(_sym(a), UPLO="U")), lambda: [arr(2, 3, 3)]),
])
def test_decompositions_match_torch(name, fn_tl, fn_torch, make):
    both(fn_tl, fn_torch, *make())


def test_cholesky_reads_the_lower_triangle_and_its_gradient_is_symmetric():
    a = spd(3)
    a_upper_changed = a + np.triu(np.ones((3, 3)), 1)
    # gradcheck perturbs one element at a time, so it cannot check a symmetric gradient of a
    # function that reads half of A: compared with PyTorch only
    both(tl.linalg.cholesky, torch.linalg.cholesky, a_upper_changed, gradcheck=False)


def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix():
    # rank n-1: the derivative of det is the cofactor matrix (not zero); gradcheck agrees
    a = np.array([[1.0, 2.0], [2.0, 4.0]])
    A = tl.tensor(a, requires_grad=True)
    tl.linalg.det(A).backward()
    np.testing.assert_allclose(A.grad, [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)
    tl.gradcheck(tl.linalg.det, [tl.tensor(a, requires_grad=True)])
    rank2 = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]])
    tl.gradcheck(tl.linalg.det, [tl.tensor(rank2, requires_grad=True)])


def test_svd_shapes_and_named_fields():
    A = tl.tensor(arr(2, 4, 3))
    full, reduced = tl.linalg.svd(A), tl.linalg.svd(A, full_matrices=False)
    assert (full.U.shape, full.S.shape, full.Vh.shape) == ((2, 4, 4), (2, 3), (2, 3, 3))
    assert (reduced.U.shape, reduced.Vh.shape) == ((2, 4, 3), (2, 3, 3))
    np.testing.assert_allclose((reduced.U * reduced.S[..., None, :]) @ reduced.Vh, A.data, rtol=1e-5, atol=1e-5)
    Q, R = tl.linalg.qr(A, mode="complete")
    assert Q.shape == (2, 4, 4) and R.shape == (2, 4, 3)
    assert tl.linalg.qr(A, mode="r").Q.shape == (0,)
    w, V = tl.linalg.eigh(tl.tensor(spd(3)))
    assert tl.linalg.eigh(tl.tensor(spd(3))).eigenvalues.shape == w.shape == (3,) and V.shape == (3, 3)


def test_svd_vector_gradient_refused_for_full_non_square():
    A = tl.tensor(arr(4, 3), requires_grad=True)
    U = tl.linalg.svd(A).U
    with pytest.raises(RuntimeError, match="full_matrices=True"):
        U.sum().backward()


@pytest.mark.parametrize("call, exc, match", [
    (lambda: tl.linalg.inv(tl.ones(2, 3)), ValueError, r"linalg.inv: A must be a square matrix .* \(2, 3\)"),
    (lambda: tl.linalg.inv(tl.ones(2, 2)), ValueError, "linalg.inv: Singular matrix"),
    (lambda: tl.linalg.inv(tl.tensor([[1, 0], [0, 1]])), TypeError, "linalg.inv: expected a floating tensor"),
    (lambda: tl.linalg.cholesky(-tl.eye(2)), ValueError, "linalg.cholesky: .*not positive"),
    (lambda: tl.linalg.solve(tl.eye(3), tl.ones(2, 1)), ValueError, "linalg.solve: A of shape"),
    (lambda: tl.linalg.qr(tl.ones(2, 2), mode="full"), ValueError, "linalg.qr: mode must be"),
    (lambda: tl.linalg.eigh(tl.eye(2), UPLO="X"), ValueError, "linalg.eigh: UPLO must be"),
    (lambda: tl.linalg.svd(tl.ones(3)), ValueError, "linalg.svd: A must have at least 2 dims"),
    (lambda: tl.linalg.det(tl.ones(3)), ValueError, "linalg.det: A must be a square matrix"),
])
def test_decomposition_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_float32_stays_float32():
    A = tl.tensor(spd(3).astype(np.float32), requires_grad=True)
    outs = [tl.linalg.inv(A), tl.linalg.det(A), tl.linalg.cholesky(A), tl.linalg.solve(A, tl.ones(3)),
            *tl.linalg.qr(A), *tl.linalg.svd(A), *tl.linalg.eigh(A)]
    assert {o.dtype for o in outs} == {np.dtype(np.float32)}
    sum(o.sum() for o in outs).backward()
    assert A.grad.dtype == np.float32
