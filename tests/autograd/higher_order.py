"""Shared by the higher-order gradient tests: derivatives of order 1..3 in tensorlite and in
PyTorch, on the same float64 inputs, with the same random weights at each order.

``derivatives(fn, arrays, order)`` returns, for k = 1..order, the gradients of

    s_1 = sum(out * r_1),   s_{k+1} = sum_i sum(d s_k / d x_i * w_{k,i})

with respect to every input: the k-th derivative of ``fn`` contracted with fixed random
weights, which checks the whole k-th derivative tensor up to those contractions. An order at
which the derivative no longer depends on the inputs gives zeros (PyTorch would raise there).
"""
from __future__ import annotations

import numpy as np

import tensorlite as tl


def _outputs(out):
    return [out] if not isinstance(out, (tuple, list)) else [o for o in out]


def derivatives(fn, arrays, order=3, lib="tl", seed=0, wrt=None):
    """k-th derivatives (k = 1..order) of ``fn`` at ``arrays`` (float64), one list per order."""
    rng = np.random.default_rng(seed)
    wrt = list(range(len(arrays))) if wrt is None else list(wrt)
    if lib == "tl":
        xs = [tl.tensor(a, dtype=np.float64, requires_grad=i in wrt) for i, a in enumerate(arrays)]
        grad, const = (lambda s, xs_, last: tl.grad(s, xs_, create_graph=not last, allow_unused=True)), \
            (lambda a: tl.tensor(a))
        needs = lambda t: t.requires_grad  # noqa: E731
        value = lambda t: np.asarray(t.data) if isinstance(t, tl.Tensor) else np.asarray(t)  # noqa: E731
    else:
        import torch
        xs = [torch.tensor(a, dtype=torch.float64, requires_grad=i in wrt) for i, a in enumerate(arrays)]
        grad = lambda s, xs_, last: torch.autograd.grad(s, xs_, create_graph=not last, allow_unused=True)  # noqa: E731
        const = torch.tensor
        needs = lambda t: t.requires_grad  # noqa: E731
        value = lambda t: t.detach().numpy()  # noqa: E731
    targets = [xs[i] for i in wrt]
    outs = [o for o in _outputs(fn(*xs)) if o.dtype in (np.float64, getattr(o, "dtype", None)) and
            ("float" in str(o.dtype))]
    s = sum((o * const(rng.standard_normal(tuple(o.shape)))).sum() for o in outs)
    results = []
    for k in range(order):
        if not needs(s):
            results.append([np.zeros(tuple(t.shape)) for t in targets])
            s = None
            for _ in range(k + 1, order):
                results.append([np.zeros(tuple(t.shape)) for t in targets])
            break
        gs = grad(s, targets, k == order - 1)
        results.append([np.zeros(tuple(t.shape)) if g is None else value(g) for g, t in zip(gs, targets)])
        if k < order - 1:
            terms = [(g * const(rng.standard_normal(tuple(t.shape)))).sum()
                     for g, t in zip(gs, targets) if g is not None and needs(g)]
            s = sum(terms) if terms else const(0.0)
    return results


def assert_matches_torch(tl_fn, torch_fn, arrays, order=3, wrt=None, rtol=1e-7, atol=1e-9):
    """Derivatives of order 1..``order`` of ``tl_fn`` equal ``torch_fn``'s (float64)."""
    ours = derivatives(tl_fn, arrays, order, "tl", wrt=wrt)
    theirs = derivatives(torch_fn, arrays, order, "torch", wrt=wrt)
    for k, (a, b) in enumerate(zip(ours, theirs), 1):
        for i, (x, y) in enumerate(zip(a, b)):
            np.testing.assert_allclose(x, y, rtol=rtol, atol=atol,
                                       err_msg=f"derivative of order {k}, input {i}")
