"""``einsum``: Einstein summation over any subscripts, with a gradient for every operand.

The equation is parsed once in :func:`einsum`: ``...`` becomes explicit letters (aligned from
the right, as broadcasting aligns dims), the implicit output (no ``->``) is made explicit, and
every size is checked. The backward rule of operand ``k`` is itself an einsum: the output's
gradient contracted with the other operands onto ``k``'s letters; letters only ``k`` has are
broadcast back, size-1 dims that broadcast are summed, and repeated letters (a diagonal, as in
``'ii->i'``) are written back onto the diagonal.
"""
from __future__ import annotations

import string
from typing import Any

from tensorlite.autograd import Op
from tensorlite.ops.operands import operands
from tensorlite.tensor import Tensor

__all__ = ["einsum"]


def _unique(letters: str) -> str:
    return "".join(dict.fromkeys(letters))


def _contract(xp_: Any, subscripts: list[str], arrays: list[Any], output: str) -> Any:
    """``einsum`` of the arrays onto ``output``; two operands without repeated or broadcast
    letters go through one batched ``matmul`` (BLAS), which NumPy's einsum does not use."""
    if len(arrays) == 2:
        out = _pair(xp_, subscripts[0], arrays[0], subscripts[1], arrays[1], output)
        if out is not None:
            return out
    return xp_.einsum(",".join(subscripts) + "->" + output, *arrays, optimize=len(arrays) > 2)


def _pair(xp_: Any, sa: str, a: Any, sb: str, b: Any, output: str) -> Any:
    if len(set(sa)) != len(sa) or len(set(sb)) != len(sb):
        return None
    size: dict[str, int] = {}
    for letters, x in ((sa, a), (sb, b)):
        for c, n in zip(letters, x.shape):
            if size.setdefault(c, n) != n:
                return None  # a size-1 letter that broadcasts: einsum handles it
    # letters only one operand has and the output lacks: sum them first
    drop_a = tuple(i for i, c in enumerate(sa) if c not in sb and c not in output)
    if drop_a:
        a, sa = a.sum(axis=drop_a), "".join(c for i, c in enumerate(sa) if i not in drop_a)
    drop_b = tuple(i for i, c in enumerate(sb) if c not in sa and c not in output)
    if drop_b:
        b, sb = b.sum(axis=drop_b), "".join(c for i, c in enumerate(sb) if i not in drop_b)
    batch = [c for c in sa if c in sb and c in output]
    summed = [c for c in sa if c in sb and c not in output]
    left = [c for c in sa if c not in sb]
    right = [c for c in sb if c not in sa]

    def count(letters: list[str]) -> int:
        n = 1
        for c in letters:
            n *= size[c]
        return n

    nb, nl, ns, nr = count(batch), count(left), count(summed), count(right)
    a3 = a.transpose([sa.index(c) for c in batch + left + summed]).reshape(nb, nl, ns)
    b3 = b.transpose([sb.index(c) for c in batch + summed + right]).reshape(nb, ns, nr)
    order = batch + left + right
    out = xp_.matmul(a3, b3).reshape([size[c] for c in order])
    return out.transpose([order.index(c) for c in output])


class Einsum(Op):
    def forward(self, *arrays, inputs, output):
        self.inputs, self.output = inputs, output
        self.save(*arrays)
        return _contract(self.xp, list(inputs), list(arrays), output)

    def backward(self, grad):
        arrays = self.saved
        return tuple(self._grad_of(k, grad, arrays) if need else None
                     for k, need in enumerate(self.needs_input_grad))

    def _grad_of(self, k: int, grad: Any, arrays: tuple[Any, ...]) -> Any:
        xp_ = self.xp
        mine, a = self.inputs[k], arrays[k]
        others = [s for i, s in enumerate(self.inputs) if i != k]
        other_arrays = [x for i, x in enumerate(arrays) if i != k]
        letters = _unique(mine)
        seen = set(self.output).union(*others)
        target = "".join(c for c in letters if c in seen)
        g = _contract(xp_, [self.output, *others], [grad, *other_arrays], target)
        size = {c: n for c, n in zip(mine, a.shape)}
        if target != letters:  # letters only this operand has: the gradient is constant along them
            for pos, c in enumerate(letters):
                if c not in seen:
                    g = xp_.expand_dims(g, pos)
            g = xp_.broadcast_to(g, tuple(size[c] if c not in seen else g.shape[i]
                                          for i, c in enumerate(letters)))
        squeeze = tuple(i for i, c in enumerate(letters) if size[c] == 1 and g.shape[i] != 1)
        if squeeze:  # size-1 dims that broadcast against the others
            g = g.sum(axis=squeeze, keepdims=True)
        if letters == mine:
            return g
        out = xp_.zeros(a.shape, dtype=grad.dtype)  # repeated letters: write onto the diagonal
        index = []
        for c in mine:
            shape = [1] * len(letters)
            shape[letters.index(c)] = size[c]
            index.append(xp_.arange(size[c]).reshape(shape))
        out[tuple(index)] = g
        return out

    def backward_graph(self, grad):
        arrays = self.saved
        return tuple(self._graph_grad_of(k, grad, arrays) if need else None
                     for k, need in enumerate(self.needs_input_grad))

    def _graph_grad_of(self, k: int, grad: Tensor, arrays: tuple[Any, ...]) -> Tensor:
        """:meth:`_grad_of` with recorded ops: an einsum of the gradient and the other operands
        (as graph nodes), broadcast, summed and put on the diagonal as there."""
        from tensorlite.ops.index import IndexPut
        mine, a = self.inputs[k], arrays[k]
        others = [s for i, s in enumerate(self.inputs) if i != k]
        other_nodes = [self.input_tensor(i, x) for i, x in enumerate(arrays) if i != k]
        letters = _unique(mine)
        seen = set(self.output).union(*others)
        target = "".join(c for c in letters if c in seen)
        g = Einsum.apply(grad, *other_nodes, inputs=(self.output, *others), output=target)
        size = {c: n for c, n in zip(mine, a.shape)}
        if target != letters:  # letters only this operand has: the gradient is constant along them
            for pos, c in enumerate(letters):
                if c not in seen:
                    g = g.unsqueeze(pos)
            g = g.broadcast_to(tuple(size[c] if c not in seen else g.shape[i] for i, c in enumerate(letters)))
        squeeze = tuple(i for i, c in enumerate(letters) if size[c] == 1 and g.shape[i] != 1)
        if squeeze:  # size-1 dims that broadcast against the others
            g = g.sum(squeeze, keepdim=True)
        if letters == mine:
            return g
        index = []  # repeated letters: the gradient goes onto the diagonal
        for c in mine:
            shape = [1] * len(letters)
            shape[letters.index(c)] = size[c]
            index.append(self.xp.arange(size[c]).reshape(shape))
        return IndexPut.apply(g, index=(tuple(index),), shape=a.shape)


def _parse(equation: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(f"einsum: the equation {equation!r} has {len(terms)} operand subscripts but "
                         f"{len(shapes)} operands were given (shapes {shapes})")
    used = set(eq) - set(".,->")
    bad = used - set(string.ascii_letters)
    if bad:
        raise ValueError(f"einsum: subscripts must be letters, got {sorted(bad)} in {equation!r}")
    labels, ellipsis_dims = [], 0
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        if term.count("...") > 1 or term.replace("...", "").count("."):
            raise ValueError(f"einsum: operand {k}'s subscripts {term!r} have a stray '.' or more than one '...'")
        named = len(term.replace("...", ""))
        if ("..." in term and named > len(shape)) or ("..." not in term and named != len(shape)):
            raise ValueError(f"einsum: the subscripts {term!r} of operand {k} name {named} dims but the "
                             f"operand has shape {shape}")
        if "..." in term:
            ellipsis_dims = max(ellipsis_dims, len(shape) - named)
        labels.append(term)
    fresh = [c for c in string.ascii_letters if c not in used][:ellipsis_dims]
    if len(fresh) < ellipsis_dims:
        raise ValueError(f"einsum: too many dims for the letters left in {equation!r}")
    inputs = []
    for term, shape in zip(labels, shapes):
        if "..." in term:
            n = len(shape) - len(term.replace("...", ""))
            term = term.replace("...", "".join(fresh[ellipsis_dims - n:]))
        inputs.append(term)
    if arrow:
        if rhs.count("...") > 1 or rhs.replace("...", "").count("."):
            raise ValueError(f"einsum: the output subscripts {rhs!r} have a stray '.' or more than one '...'")
        output = rhs.replace("...", "".join(fresh))  # without '...', the ellipsis dims are summed
        missing = set(output) - set("".join(inputs))
        if missing:
            raise ValueError(f"einsum: output subscripts {sorted(missing)} of {equation!r} appear in no operand")
        if len(set(output)) != len(output):
            raise ValueError(f"einsum: output subscripts {rhs!r} repeat a letter")
    else:
        counts: dict[str, int] = {}
        for term in labels:
            for c in term.replace("...", ""):
                counts[c] = counts.get(c, 0) + 1
        output = "".join(fresh) + "".join(sorted(c for c, n in counts.items() if n == 1))
    sizes: dict[str, int] = {}
    for k, (term, shape) in enumerate(zip(inputs, shapes)):
        mine: dict[str, int] = {}
        for c, n in zip(term, shape):
            if c in mine and mine[c] != n:
                raise ValueError(f"einsum: subscript {c!r} is repeated in operand {k} (shape {shape}) "
                                 f"over dims of sizes {mine[c]} and {n}")
            mine[c] = n
            prev = sizes.get(c, 1)
            if prev != 1 and n != 1 and prev != n:
                raise ValueError(f"einsum: subscript {c!r} has size {prev} in one operand and {n} in "
                                 f"operand {k}; operand shapes {shapes} do not fit {equation!r}")
            sizes[c] = n if prev == 1 else prev
    return inputs, output


def einsum(equation: str, *operands_: Any) -> Tensor:
    """Einstein summation: ``einsum('ij,jk->ik', a, b)`` is ``a @ b``, as in PyTorch.

    Letters name dims; a letter missing from the output is summed over; a letter repeated in
    one operand takes its diagonal; ``...`` stands for the remaining dims (broadcast together,
    aligned from the right). Without ``->``, the output holds the ``...`` dims and then the
    letters that appear once, in alphabetical order. Every operand gets a gradient.

    Parameters
    ----------
    equation : str
        Comma-separated subscripts (letters and at most one ``...`` per operand), optionally
        followed by ``->`` and the output's subscripts.
    *operands_ : Tensor or array_like, or one list of them
        One per subscript group, of one dtype (numbers follow tensorlite's promotion rule).

    Returns
    -------
    Tensor
        Of the output subscripts' sizes; 0-d when the output has no subscripts.

    Examples
    --------
    >>> import tensorlite as tl
    >>> a, b = tl.ones(2, 3), tl.ones(3, 4)
    >>> tl.einsum("ij,jk->ik", a, b).shape
    (2, 4)
    >>> tl.einsum("ii", tl.eye(3))
    tensor(3.)
    >>> tl.einsum("...ij->...ji", tl.ones(5, 2, 3)).shape
    (5, 3, 2)
    """
    if not isinstance(equation, str):
        raise TypeError(f"einsum: the equation must be a str, got {type(equation).__name__}")
    if len(operands_) == 1 and isinstance(operands_[0], (list, tuple)):
        operands_ = tuple(operands_[0])
    if not operands_:
        raise ValueError("einsum: expected at least one operand")
    ts = operands("einsum", *operands_)
    inputs, output = _parse(equation, [t.shape for t in ts])
    return Einsum.apply(*ts, inputs=tuple(inputs), output=output)

