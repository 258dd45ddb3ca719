"""tl.autograd.functional against torch.autograd.functional on the same float64 inputs: values,
return structure, create_graph, strict mode and the errors."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.autograd import functional as AF

torch = pytest.importorskip("torch")
TF = torch.autograd.functional

rng = np.random.default_rng(16)
A, B = rng.standard_normal((3,)), rng.standard_normal((3, 2))
VA, VB = rng.standard_normal((3,)), rng.standard_normal((3, 2))
U1, U2 = rng.standard_normal((2,)), rng.standard_normal((3,))


def scalar(x, w):  # a scalar function of two inputs: tanh layer, squared
    return ((x.tanh() @ w) ** 2).sum() + (x * x * x).sum()


def pair(x, w):  # two outputs
    return (x.tanh() @ w).exp(), x * 2


def ours(*arrays):
    return tuple(tl.tensor(a, dtype=np.float64) for a in arrays)


def theirs(*arrays):
    return tuple(torch.tensor(a) for a in arrays)


def same(mine, ref):
    """Equal values and the same nesting of tuples and Tensors."""
    if isinstance(ref, tuple):
        assert isinstance(mine, tuple) and len(mine) == len(ref), (type(mine), len(ref))
        for m, r in zip(mine, ref):
            same(m, r)
        return
    assert isinstance(mine, tl.Tensor), type(mine)
    assert mine.shape == tuple(ref.shape)
    np.testing.assert_allclose(mine.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)


CASES = {
    "vjp tuple": lambda M, T: M.vjp(pair, T(A, B), T(U1, U2)),
    "vjp scalar, v omitted": lambda M, T: M.vjp(scalar, T(A, B)),
    "vjp single input": lambda M, T: M.vjp(lambda x: x.tanh(), T(A)[0], T(U2)[0]),
    "jvp tuple": lambda M, T: M.jvp(pair, T(A, B), T(VA, VB)),
    "jvp single": lambda M, T: M.jvp(lambda x: x.tanh() * x, T(A)[0], T(VA)[0]),
    "jacobian tuple x tuple": lambda M, T: M.jacobian(pair, T(A, B)),
    "jacobian single x single": lambda M, T: M.jacobian(lambda x: x.tanh() * x.sum(), T(A)[0]),
    "jacobian tuple out, single in": lambda M, T: M.jacobian(lambda x: (x.exp(), x * x), T(A)[0]),
    "jacobian single out, tuple in": lambda M, T: M.jacobian(lambda x, w: x.tanh() @ w, T(A, B)),
    "jacobian vectorize": lambda M, T: M.jacobian(lambda x: x.exp(), T(A)[0], vectorize=True),
    "jacobian forward-mode": lambda M, T: M.jacobian(lambda x: x.exp(), T(A)[0], vectorize=True,
                                                     strategy="forward-mode"),
    "hessian tuple": lambda M, T: M.hessian(scalar, T(A, B)),
    "hessian single": lambda M, T: M.hessian(lambda x: (x.tanh() ** 3).sum(), T(B)[0]),
    "hvp tuple": lambda M, T: M.hvp(scalar, T(A, B), T(VA, VB)),
    "hvp single": lambda M, T: M.hvp(lambda x: (x.tanh() ** 3).sum(), T(B)[0], T(VB)[0]),
    "vhp tuple": lambda M, T: M.vhp(scalar, T(A, B), T(VA, VB)),
    "vhp single": lambda M, T: M.vhp(lambda x: (x.exp() * x).sum(), T(A)[0], T(VA)[0]),
}


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")  # torch's forward mode
@pytest.mark.parametrize("name", CASES)
def test_matches_torch(name):
    same(CASES[name](AF, ours), CASES[name](TF, theirs))


@pytest.mark.parametrize("name", ["vjp tuple", "jvp tuple", "jacobian tuple x tuple", "hessian single", "hvp tuple",
                                  "vhp tuple"])
def test_results_carry_no_graph_without_create_graph(name):
    result = CASES[name](AF, ours)
    flat = []

    def walk(r):
        if isinstance(r, tuple):
            for e in r:
                walk(e)
        else:
            flat.append(r)
    walk(result)
    assert all(not t.requires_grad for t in flat)


def test_create_graph_results_are_differentiable_like_torch():
    """Differentiate the Hessian-vector product once more, with respect to the point and v."""
    x, v = tl.tensor(A, requires_grad=True), tl.tensor(VA, requires_grad=True)
    _, hv = AF.hvp(lambda t: (t.tanh() ** 3).sum(), x, v, create_graph=True)
    assert hv.requires_grad
    gx, gv = tl.grad((hv * tl.tensor(U2)).sum(), [x, v])
    tx, tv = torch.tensor(A, requires_grad=True), torch.tensor(VA, requires_grad=True)
    _, thv = TF.hvp(lambda t: (t.tanh() ** 3).sum(), tx, tv, create_graph=True)
    rx, rv = torch.autograd.grad((thv * torch.tensor(U2)).sum(), [tx, tv])
    np.testing.assert_allclose(gx, rx.numpy(), rtol=1e-10)
    np.testing.assert_allclose(gv, rv.numpy(), rtol=1e-10)
    # the Jacobian with create_graph too
    jac = AF.jacobian(lambda t: t.tanh() * t, x, create_graph=True)
    (gj,) = tl.grad(jac.sum(), x)
    tjac = TF.jacobian(lambda t: t.tanh() * t, tx, create_graph=True)
    (rj,) = torch.autograd.grad(tjac.sum(), tx)
    np.testing.assert_allclose(gj, rj.numpy(), rtol=1e-10)


def test_independent_inputs_give_zeros_or_strict_errors_as_torch():
    def f(x, w):
        return x * 2  # independent of w, linear in x

    for M, T in ((AF, ours), (TF, theirs)):
        jac = M.jacobian(f, T(A, B))
        assert float(abs(jac[1]).sum()) == 0
        with pytest.raises(RuntimeError, match="independent of input 1"):
            M.jacobian(f, T(A, B), strict=True)
        with pytest.raises(RuntimeError, match="independent of input 1"):
            M.vjp(f, T(A, B), T(VA)[0], strict=True)
        hess = M.hessian(lambda x: (x * 2).sum(), T(A)[0])
        assert float(abs(hess).sum()) == 0
        with pytest.raises(RuntimeError, match="independent"):
            M.hessian(lambda x: (x * 2).sum(), T(A)[0], strict=True)
        with pytest.raises(RuntimeError, match="independent"):
            M.hvp(lambda x: (x * 2).sum(), T(A)[0], T(VA)[0], strict=True)


def test_bad_arguments_are_refused_with_clear_errors():
    x = ours(A)[0]
    with pytest.raises(TypeError, match="jacobian.*Tensor or a tuple of Tensors.*index 0 has type int"):
        AF.jacobian(lambda t: t, 3)
    with pytest.raises(TypeError, match="outputs of the user-provided function.*index 0 has type float"):
        AF.jacobian(lambda t: 1.0, x)
    with pytest.raises(RuntimeError, match="v can only be None"):
        AF.vjp(lambda t: t * 2, x)
    with pytest.raises(RuntimeError, match="v can only be None"):
        AF.jvp(lambda t: t * 2, x)
    with pytest.raises(RuntimeError, match=r"v has shape \(2,\).*shape \(3,\)"):
        AF.hvp(lambda t: (t * t).sum(), x, tl.tensor(np.ones(2)))
    with pytest.raises(RuntimeError, match="single Tensor with a single element"):
        AF.hessian(lambda t: t * t, x)
    with pytest.raises(RuntimeError, match="single Tensor with a single element"):
        AF.vhp(lambda t: t * t, x, x)
    with pytest.raises(NotImplementedError, match="forward-mode.*vectorize=True"):
        AF.jacobian(lambda t: t, x, strategy="forward-mode")
    with pytest.raises(RuntimeError, match="strict=True and vectorize=True"):
        AF.jacobian(lambda t: t, x, strict=True, vectorize=True)
    with pytest.raises(TypeError, match="dtype int64"):
        AF.jacobian(lambda t: t, tl.tensor([1, 2]))


def test_inputs_are_left_as_they_were():
    x = tl.tensor(A, requires_grad=True)
    AF.hessian(lambda t: (t ** 3).sum(), x)
    assert x.grad is None and x.is_leaf
