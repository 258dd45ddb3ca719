"""The examples of docs/guide/higher_order.rst, run in tensorlite and in PyTorch on the same
float64 numbers: the Hessian of a small network, a WGAN-GP gradient penalty, a MAML inner step,
Newton's method and a physics-informed loss."""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl

torch = pytest.importorskip("torch")

rng = np.random.default_rng(16)


class Lib:
    """The few names the examples need, from one library."""

    def __init__(self, name):
        self.name = name
        if name == "tl":
            self.F, self.nn, self.grad = tl.nn.functional, tl.nn, tl.grad
            self.tensor = lambda a, g=False: tl.tensor(np.asarray(a, dtype=np.float64), requires_grad=g)
            self.hessian = tl.autograd.functional.hessian
            self.solve = tl.linalg.solve
            self.value = lambda t: np.asarray(t.data if isinstance(t, tl.Tensor) else t)
        else:
            self.F, self.nn = torch.nn.functional, torch.nn
            self.grad = lambda o, i, **kw: torch.autograd.grad(o, i, **kw)
            self.tensor = lambda a, g=False: torch.tensor(np.asarray(a, dtype=np.float64), requires_grad=g)
            self.hessian = torch.autograd.functional.hessian
            self.solve = torch.linalg.solve
            self.value = lambda t: t.detach().numpy()

    def mlp(self, weights):
        """Linear(in, hidden) -> Tanh -> Linear(hidden, out), float64, with the given weights."""
        (w1, b1), (w2, b2) = weights
        if self.name == "tl":
            with _float64_tl():
                m = tl.nn.Sequential(tl.nn.Linear(w1.shape[1], w1.shape[0]), tl.nn.Tanh(),
                                     tl.nn.Linear(w2.shape[1], w2.shape[0]))
            m[0].weight.data[...] = w1
            m[0].bias.data[...] = b1
            m[2].weight.data[...] = w2
            m[2].bias.data[...] = b2
            return m
        m = torch.nn.Sequential(torch.nn.Linear(w1.shape[1], w1.shape[0]), torch.nn.Tanh(),
                                torch.nn.Linear(w2.shape[1], w2.shape[0])).double()
        with torch.no_grad():
            for p, a in zip(m.parameters(), (w1, b1, w2, b2)):
                p.copy_(torch.tensor(a))
        return m


class _float64_tl:
    def __enter__(self):
        self.old = tl.get_default_dtype()
        tl.set_default_dtype("float64")

    def __exit__(self, *exc):
        tl.set_default_dtype(self.old)


TL, TORCH = Lib("tl"), Lib("torch")


def weights(n_in, hidden, n_out):
    return [(rng.standard_normal((hidden, n_in)) / 2, rng.standard_normal(hidden) / 2),
            (rng.standard_normal((n_out, hidden)) / 2, rng.standard_normal(n_out) / 2)]


def both(example):
    ours, theirs = example(TL), example(TORCH)
    assert len(ours) == len(theirs)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        assert (a is None) == (b is None), f"result {k}: {a} vs {b}"
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11, err_msg=f"result {k}")


X, Y = rng.standard_normal((8, 3)), rng.standard_normal((8, 1))
W1, W2 = rng.standard_normal((4, 3)) / 2, rng.standard_normal((1, 4)) / 2


def test_hessian_of_a_small_network():
    def example(L):
        def loss(w1):
            return L.F.mse_loss(L.F.linear(L.F.linear(L.tensor(X), w1).tanh(), L.tensor(W2)), L.tensor(Y))
        return [L.value(L.hessian(loss, L.tensor(W1)))]
    both(example)


def test_gradient_penalty():
    critic_weights = weights(2, 16, 1)
    real, fake = rng.standard_normal((32, 2)), rng.standard_normal((32, 2)) + 2
    alpha = rng.random((32, 1))

    def example(L):
        critic = L.mlp(critic_weights)
        mixed = L.tensor(alpha * real + (1 - alpha) * fake, True)
        (grad_in,) = L.grad(critic(mixed).sum(), [mixed], create_graph=True)
        penalty = ((grad_in.norm(dim=1) - 1) ** 2).mean()
        loss = critic(L.tensor(fake)).mean() - critic(L.tensor(real)).mean() + 10 * penalty
        loss.backward()
        return [L.value(loss)] + [L.value(p.grad) for p in critic.parameters()]
    both(example)


def test_maml_inner_step():
    w0 = rng.standard_normal((1, 3))
    Xa, ya, Xb, yb = (rng.standard_normal(s) for s in ((5, 3), (5, 1), (5, 3), (5, 1)))

    def example(L):
        w = L.tensor(w0, True)
        inner = L.F.mse_loss(L.F.linear(L.tensor(Xa), w), L.tensor(ya))
        (g,) = L.grad(inner, [w], create_graph=True)
        outer = L.F.mse_loss(L.F.linear(L.tensor(Xb), w - 0.1 * g), L.tensor(yb))
        outer.backward()
        return [L.value(outer), L.value(w.grad)]
    both(example)


def test_newton_method():
    def example(L):
        def f(x):
            return (x.exp() - 2 * x).sum() + (x[0] - x[1]) ** 2
        x = L.tensor([1.0, -1.0])
        steps = []
        for _ in range(4):
            x = x.detach().requires_grad_()
            (g,) = L.grad(f(x), [x])
            x = x - L.solve(L.hessian(f, x), L.tensor(g) if L is TL else g)
            steps.append(L.value(x))
        return steps
    both(example)


def test_physics_informed_loss():
    net = weights(1, 16, 1)
    xs0 = np.linspace(0, 3, 20).reshape(20, 1)

    def example(L):
        u = L.mlp(net)
        xs = L.tensor(xs0, True)
        (du,) = L.grad(u(xs).sum(), [xs], create_graph=True)
        (d2u,) = L.grad(du.sum(), [xs], create_graph=True)
        residual = ((d2u + xs.sin()) ** 2).mean()
        residual.backward()
        # the last bias does not reach d²u/dx²: no gradient in either library
        return [L.value(d2u), L.value(residual)] + [None if p.grad is None else L.value(p.grad)
                                                     for p in u.parameters()]
    both(example)
