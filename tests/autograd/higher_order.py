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
        const = tl.tensor

        def grad(s, inputs, create_graph):
            return tl.grad(s, inputs, create_graph=create_graph, allow_unused=True)

        def value(t):
            return np.asarray(t.data)
    else:
        import torch
        xs = [torch.tensor(a, dtype=torch.float64, requires_grad=i in wrt) for i, a in enumerate(arrays)]
        const = torch.tensor

        def grad(s, inputs, create_graph):
            return torch.autograd.grad(s, inputs, create_graph=create_graph, allow_unused=True)

        def value(t):
            return t.detach().numpy()
    targets = [xs[i] for i in wrt]
    zeros = [np.zeros(tuple(t.shape)) for t in targets]
    outs = [o for o in _outputs(fn(*xs)) if "float" in str(o.dtype)]
    s = sum((o * const(rng.standard_normal(tuple(o.shape)))).sum() for o in outs)
    results = []
    for k in range(order):
        if not s.requires_grad:  # the derivative no longer depends on the inputs: zeros from here on
            results += [zeros] * (order - k)
            break
        gs = grad(s, targets, k < order - 1)
        results.append([z if g is None else value(g) for g, z in zip(gs, zeros)])
        if k < order - 1:
            terms = [(g * const(rng.standard_normal(tuple(t.shape)))).sum()
                     for g, t in zip(gs, targets) if g is not None and g.requires_grad]
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
