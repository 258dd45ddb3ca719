"""The engine's higher-order path: tl.grad(create_graph=True), its errors, Tensor.register_hook,
Op.backward_by_recompute, tl.gradgradcheck and the drawing of a double-backward graph."""
from __future__ import annotations

import gc

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.autograd import Op


def f64(*shape, seed=0, requires_grad=True):
    return tl.tensor(np.random.default_rng(seed).standard_normal(shape), dtype=np.float64,
                     requires_grad=requires_grad)


def test_without_create_graph_gradients_stay_ndarrays():
    x = f64(3)
    (g,) = tl.grad((x * x).sum(), x)
    assert type(g) is np.ndarray


def test_create_graph_gives_tensors_differentiable_to_any_order():
    x = f64(4)
    (g1,) = tl.grad((x ** 4).sum(), x, create_graph=True)
    assert isinstance(g1, tl.Tensor) and g1.requires_grad
    (g2,) = tl.grad(g1.sum(), x, create_graph=True)
    (g3,) = tl.grad(g2.sum(), x, create_graph=True)
    (g4,) = tl.grad(g3.sum(), x)
    v = x.data
    np.testing.assert_allclose(g1.data, 4 * v ** 3)
    np.testing.assert_allclose(g2.data, 12 * v ** 2)
    np.testing.assert_allclose(g3.data, 24 * v)
    np.testing.assert_allclose(g4, np.full(4, 24.0))


def test_create_graph_keeps_the_graph_by_default():
    x = f64(3)
    y = (x.tanh() * x).sum()
    tl.grad(y, x, create_graph=True)
    (again,) = tl.grad(y, x)  # retain_graph defaulted to True: the graph is still there
    with pytest.raises(RuntimeError, match="a second time"):
        tl.grad(y, x)  # ... but this one released it


def test_gradient_of_a_gradient_made_without_create_graph_says_how():
    x = f64(3)
    (g,) = tl.grad((x * x).sum(), x)
    with pytest.raises(RuntimeError, match="does not require grad"):
        tl.grad(tl.tensor(g).sum(), x)
    first = tl.tensor(g)
    with pytest.raises(RuntimeError, match="create_graph=True"):
        tl.grad(first, x, grad_outputs=np.ones(3))


def test_tensor_backward_create_graph_points_at_tl_grad():
    x = f64(3)
    with pytest.raises(RuntimeError, match=r"tl\.grad\(out, inputs, create_graph=True\)"):
        (x * x).sum().backward(create_graph=True)
    assert x.grad is None


@pytest.mark.parametrize("create_graph", [False, True])
def test_bad_grad_outputs_and_inputs_name_the_argument(create_graph):
    x = f64(2, 3)
    y = x * 2
    with pytest.raises(ValueError, match=r"grad_outputs\[0\].*shape \(3,\).*\(2, 3\)"):
        tl.grad(y, x, grad_outputs=np.ones(3), create_graph=create_graph)
    with pytest.raises(TypeError, match=r"grad_outputs\[0\] has dtype int64"):
        tl.grad(y, x, grad_outputs=np.ones((2, 3), dtype=np.int64), create_graph=create_graph)
    with pytest.raises(TypeError, match="input 0 .* dtype int64"):
        tl.grad(y, tl.tensor([1, 2]), create_graph=create_graph)
    other = f64(2)
    with pytest.raises(RuntimeError, match=r"input 1 \(shape \(2,\)\).*allow_unused=True"):
        tl.grad(y.sum(), [x, other], retain_graph=True, create_graph=create_graph)
    gx, go = tl.grad(y.sum(), [x, other], retain_graph=True, create_graph=create_graph, allow_unused=True)
    assert go is None
    with pytest.raises(RuntimeError, match=r"only for a scalar output"):
        tl.grad(y, x, create_graph=create_graph)
    with pytest.raises(TypeError, match=r"inputs\[0\] must be a Tensor"):
        tl.grad(y.sum(), [x.data], create_graph=create_graph)


def test_grad_outputs_that_require_grad_are_part_of_the_graph():
    """d/dv of the vjp v^T J is J^T applied to the next vector: here J = diag(2x)."""
    x = f64(3)
    v = f64(3, seed=1)
    (vjp,) = tl.grad(x * x, x, grad_outputs=v, create_graph=True)
    w = np.array([1.0, -2.0, 0.5])
    dv, dx = tl.grad((vjp * tl.tensor(w)).sum(), [v, x])
    np.testing.assert_allclose(dv, 2 * x.data * w)
    np.testing.assert_allclose(dx, 2 * v.data * w)


def test_op_without_a_double_backward_rule_names_itself():
    class Cube(Op):
        def forward(self, a):
            self.save(a)
            return a ** 3

        def backward(self, grad):
            return grad * 3 * self.saved[0] ** 2

    x = f64(3)
    with pytest.raises(RuntimeError, match="Cube has no double-backward rule"):
        tl.grad(Cube.apply(x).sum(), x, create_graph=True)
    (first,) = tl.grad(Cube.apply(x).sum(), x)  # the first-order path is unaffected
    np.testing.assert_allclose(first, 3 * x.data ** 2)


class Softplus(Op):
    """A fused op whose double-backward rule is its forward recomputed with recorded ops."""

    def forward(self, a):
        self.save(a)
        return self.xp.log(1 + self.xp.exp(a))

    def backward(self, grad):
        (a,) = self.saved
        return grad / (1 + self.xp.exp(-a))

    def backward_graph(self, grad):
        return self.backward_by_recompute(grad, lambda t: tl.log(1 + tl.exp(t)), self.saved[0])


class WeightedProduct(Op):
    """Two inputs, one of them maybe constant: each gets its own partial derivative."""

    def forward(self, a, b):
        self.save(a, b)
        return a * b * b

    def backward(self, grad):
        a, b = self.saved
        return grad * b * b, grad * 2 * a * b

    def backward_graph(self, grad):
        return self.backward_by_recompute(grad, lambda s, t: s * t * t, *self.saved)


def test_backward_by_recompute_gives_second_and_third_derivatives():
    x = f64(5)
    assert tl.gradgradcheck(lambda t: Softplus.apply(t * t) * t, [x])
    assert tl.gradgradcheck(lambda t: tl.grad(Softplus.apply(t).sum(), t, create_graph=True)[0], [x])
    a, b = f64(3), f64(3, seed=1)
    assert tl.gradgradcheck(WeightedProduct.apply, [a, b])
    # the same tensor as both inputs: the partial derivatives add up
    assert tl.gradgradcheck(lambda t: WeightedProduct.apply(t, t), [a])
    # one input constant
    assert tl.gradgradcheck(lambda t: WeightedProduct.apply(t, tl.tensor(b.data)), [a])
    assert tl.gradgradcheck(lambda t: WeightedProduct.apply(tl.tensor(a.data), t), [b])


def test_gradgradcheck_catches_a_wrong_second_derivative():
    class WrongTwice(Op):
        def forward(self, a):
            self.save(a)
            return a * a * a

        def backward(self, grad):
            return grad * 3 * self.saved[0] ** 2

        def backward_graph(self, grad):  # the right value, 3a², but its derivative comes out as 3a, not 6a
            a = self.input_tensor(0, self.saved[0])
            return grad * 3 * a * a.detach()

    x = f64(3)
    assert tl.gradcheck(WrongTwice.apply, [x])
    with pytest.raises(tl.GradcheckError):
        tl.gradgradcheck(WrongTwice.apply, [x])


def test_gradgradcheck_checks_the_grad_outputs_too_and_takes_given_ones():
    x = f64(2, 3)
    assert tl.gradgradcheck(lambda t: (t @ t.mT).tanh(), [x])
    assert tl.gradgradcheck(lambda t: (t @ t.mT).tanh(), [x], grad_outputs=[np.ones((2, 2))])
    with pytest.raises(ValueError, match="2 outputs but 1 grad_outputs"):
        tl.gradgradcheck(lambda t: (t * 2, t * 3), [x], grad_outputs=[np.ones((2, 3))])


def test_linear_function_has_a_constant_gradient():
    """As in PyTorch: the gradient of a linear function does not require grad, and
    gradgradcheck accepts it (the second derivative is zero)."""
    x = f64(3)
    (g,) = tl.grad((x * 3).sum(), x, create_graph=True)
    assert not g.requires_grad
    assert tl.gradgradcheck(lambda t: t * 3, [x])


# -- Tensor.register_hook ---------------------------------------------------------------------

def test_register_hook_sees_and_replaces_gradients_in_every_walk():
    x = f64(3)
    seen = []
    y = x * 2
    h = y.register_hook(lambda g: seen.append(g.data.copy()))
    h2 = y.register_hook(lambda g: g * 10)
    y.sum().backward(retain_graph=True)
    np.testing.assert_allclose(seen[0], np.ones(3))
    np.testing.assert_allclose(x.grad, np.full(3, 20.0))
    (gx,) = tl.grad(y.sum(), x, retain_graph=True)
    np.testing.assert_allclose(gx, np.full(3, 20.0))
    (gx,) = tl.grad((y * y).sum(), x, create_graph=True)  # graph mode: the hook gets a Tensor with a graph
    np.testing.assert_allclose(gx.data, 2 * (2 * x.data) * 10 * 2)  # d(y*y)/dy, times 10, times dy/dx
    h.remove()
    h2.remove()
    h2.remove()  # twice: nothing happens
    (gx,) = tl.grad((x * 2).sum(), x)
    np.testing.assert_allclose(gx, np.full(3, 2.0))


def test_register_hook_on_a_leaf_changes_what_accumulates():
    w = f64(2)
    w.register_hook(lambda g: g.clamp(-1, 1))
    (w * 100).sum().backward()
    np.testing.assert_allclose(w.grad, np.ones(2))


def test_register_hook_errors():
    x = f64(2)
    with pytest.raises(TypeError, match="must be callable"):
        x.register_hook(3)
    with pytest.raises(RuntimeError, match="does not require grad"):
        tl.tensor([1.0]).register_hook(lambda g: g)
    y = x * 2
    y.register_hook(lambda g: tl.ones(5))
    with pytest.raises(RuntimeError, match=r"shape \(5,\) for a tensor of shape \(2,\)"):
        y.sum().backward()


def test_hooks_do_not_outlive_their_tensors():
    import weakref

    x = f64(2)
    y = x * 2
    y.register_hook(lambda g: None)
    ref = weakref.ref(y._ctx)
    del y
    gc.collect()
    assert ref() is None


def test_mlp_hessian_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    w1, b1, w2 = rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((1, 4))
    x = rng.standard_normal((5, 3))

    def loss(lib, w):
        h = (x_(lib) @ w.mT + const(lib, b1)).tanh()
        return ((h @ const(lib, w2).mT) ** 2).mean()

    def x_(lib):
        return const(lib, x)

    def const(lib, a):
        return tl.tensor(a) if lib is tl else torch.tensor(a)

    ours = tl.autograd.functional.hessian(lambda w: loss(tl, w), tl.tensor(w1))
    theirs = torch.autograd.functional.hessian(lambda w: loss(torch, w), torch.tensor(w1))
    assert ours.shape == (4, 3, 4, 3)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-10, atol=1e-12)


def test_double_backward_graph_is_drawn_with_backward_clusters():
    x = tl.tensor(np.ones((2, 3)), requires_grad=True)
    w = tl.tensor(np.ones((3, 2)), requires_grad=True)
    (g,) = tl.grad((x @ w).tanh().sum(), x, create_graph=True)
    dot = tl.viz.to_dot((g * g).sum(), params={"w": w})
    assert 'label="backward of Tanh"' in dot and 'label="backward of Matmul"' in dot
    assert "dashed" in dot and "backward (create_graph)" in dot
    assert tl.autograd.module_path(g._ctx.module) == f"backward of Matmul (entry #{g._ctx.module[0].op.seq})"
