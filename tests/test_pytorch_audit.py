"""Issue 23's audit: the same call with the same arguments in tensorlite and in PyTorch.

Every row of ``TABLE`` is one call that both libraries have (a function in ``tl.__all__`` that
``torch`` also has, or a ``Tensor`` method that ``torch.Tensor`` also has), run on tensors built
from the same NumPy data. The row's mark says what the audit found:

* ``same`` -- the result has the same kind (tensor, named tuple, tuple/list, Python scalar), shape,
  dtype and values (allclose; random functions compare kind, shape and dtype only);
* ``fixed`` -- tensorlite used to differ silently and now follows PyTorch (the row proves it);
* ``raises`` -- tensorlite used to differ silently and now refuses the call with a clear error
  naming the function;
* ``refused`` -- tensorlite always refused the call with an error naming the function (a keyword
  or form it does not take): a loud difference, not a silent one.

No row may silently diverge: ``test_no_call_silently_diverges`` fails on any row whose result
differs from PyTorch's without an error. ``test_audit_counts`` prints the counts.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pytest

import tensorlite as tl

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(23)


def _f(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


DATA: dict[str, np.ndarray] = {
    "x": _f(3, 4),
    "y": _f(3, 4),
    "pos": (np.abs(_f(3, 4)) + 0.5).astype(np.float32),
    "unit": (RNG.uniform(-0.9, 0.9, (3, 4))).astype(np.float32),
    "big": (np.abs(_f(3, 4)) + 1.5).astype(np.float32),
    "prob": RNG.uniform(0.1, 0.9, (3, 4)).astype(np.float32),
    "v": _f(4),
    "w": _f(4),
    "m": _f(4, 5),
    "sq": _f(3, 3),
    "x3": _f(2, 3, 4),
    "b3": _f(2, 4, 5),
    "c3": _f(2, 3, 5),
    "row": _f(4),
    "col": _f(3, 1),
    "s": np.float32(1.5) * np.ones((), np.float32),
    "dup": np.array([[1, 3, 3, 2], [2, 2, 1, 1], [0, 5, 5, 0]], np.float32),
    "nan": np.array([[1.0, np.nan, 2.0, np.inf], [0.0, -np.inf, np.nan, 3.0], [1, 2, 3, 4]], np.float32),
    "i": RNG.integers(-5, 6, (3, 4)).astype(np.int64),
    "j": RNG.integers(1, 6, (3, 4)).astype(np.int64),
    "iv": RNG.integers(0, 7, (4,)).astype(np.int64),
    "bl": RNG.random((3, 4)) > 0.5,
    "bl2": RNG.random((3, 4)) > 0.5,
    "idx": RNG.integers(0, 4, (3, 2)).astype(np.int64),
    "ridx": np.array([2, 0], np.int64),
    "cidx": np.array([3, 1, 1], np.int64),
    "mask": np.array([[True, False, True, False]] * 3),
}


def _inputs(lib: Any) -> dict[str, Any]:
    make = tl.tensor if lib is tl else torch.tensor
    return {name: make(array.copy()) for name, array in DATA.items()}


# One call per line, Python code run once with ``L = tensorlite`` and once with ``L = torch``; the
# names are the tensors of DATA (``f32 f64 i64 b8`` are the dtypes). After the call, its mark:
#   (none)      same: kind, shape, dtype and values agree;
#   # fixed     diverged silently, changed to PyTorch's behaviour (issue 23);
#   # raises    diverged silently, now a clear error naming the function (issue 23);
#   # refused   tensorlite always refused it with an error (a missing keyword or form): loud.
# A leading ``~`` marks a random call: only kind, shape and dtype are compared.
CALLS = """
L.abs(x)
L.abs(i)
x.abs()
i.abs()
L.neg(x)
-i
L.sign(x)
L.sign(i)
L.acos(unit)
L.asin(unit)
L.atan(x)
L.atanh(unit)
L.acosh(big)
L.asinh(x)
L.cos(x)
L.cosh(x)
L.sin(x)
L.sinh(x)
L.tan(x)
L.tanh(x)
L.exp(x)
L.exp(i)
L.exp2(x)
L.expm1(x)
L.log(pos)
L.log(j)
L.log10(pos)
L.log1p(pos)
L.log2(pos)
L.sqrt(pos)
L.sqrt(j)
L.rsqrt(pos)
L.square(x)
L.square(i)
L.reciprocal(pos)
L.reciprocal(j)
L.sigmoid(x)
L.relu(x)
L.relu(i)
L.erf(x)
L.erfc(x)
L.ceil(x)
L.floor(x)
L.round(x)
L.round(x, decimals=1)
L.trunc(x)
L.frac(x)
L.ceil(i)
L.floor(i)
L.round(i)
L.trunc(i)
L.isfinite(nan)
L.isinf(nan)
L.isnan(nan)
L.isnan(i)
x.acos().isnan()
x.sigmoid()
x.relu()
x.exp()
x.log1p()
pos.log()
pos.sqrt()
x.tanh()
x.sin()
x.cos()
x.erf()
x.erfc()
x.expm1()
x.exp2()
x.square()
pos.rsqrt()
pos.reciprocal()
x.neg()
x.sign()
x.frac()
x.trunc()
x.ceil()
x.floor()
x.round()
x.round(decimals=2)
nan.isfinite()
nan.isinf()
nan.isnan()
L.add(x, y)
L.add(x, y, alpha=2)  # refused
L.add(x, 2)
L.add(i, j)
L.add(i, 2)
L.add(i, 2.5)
L.add(i, x)
L.add(bl, bl2)
L.add(x, row)
L.sub(x, y)
L.sub(x, y, alpha=3)  # refused
L.sub(i, j)
L.mul(x, y)
L.mul(i, j)
L.mul(i, 0.5)
L.mul(bl, bl2)
L.div(x, pos)
L.div(i, j)
L.div(i, 2)
L.div(i, j, rounding_mode="floor")
L.div(i, j, rounding_mode="trunc")
L.div(x, pos, rounding_mode="floor")
L.div(x, pos, rounding_mode="trunc")
L.floor_divide(i, j)
L.floor_divide(x, pos)
L.fmod(i, j)
L.fmod(x, pos)
L.remainder(i, j)
L.remainder(x, pos)
L.remainder(x, 1.5)
L.pow(x, 2)
L.pow(pos, y)
L.pow(j, 2)
L.pow(j, 0.5)
L.pow(2, x)
L.pow(j, j)
L.atan2(x, y)
L.hypot(x, y)
L.logaddexp(x, y)
L.maximum(x, y)
L.minimum(x, y)
L.maximum(i, j)
L.lerp(x, y, 0.3)
L.lerp(x, y, prob)
L.eq(x, y)
L.ne(x, y)
L.lt(x, y)
L.le(x, y)
L.gt(x, y)
L.ge(x, y)
L.eq(i, 2)
L.gt(x, 0)
L.isclose(x, x + 1e-7)
L.allclose(x, x + 1e-7)
L.allclose(x, y)
L.logical_and(bl, bl2)
L.logical_or(bl, bl2)
L.logical_xor(bl, bl2)
L.logical_not(bl)
L.logical_and(i, x)
L.logical_not(i)
L.bitwise_and(i, j)
L.bitwise_or(i, j)
L.bitwise_xor(i, j)
L.bitwise_not(i)
L.bitwise_not(bl)
L.bitwise_and(bl, bl2)
L.bitwise_left_shift(j, 2)
L.bitwise_right_shift(j, 1)
x + y
x - y
x * y
x / pos
x // pos
x % pos
x ** 2
2 ** x
x @ m
i + j
i / j
i // j
i % j
i * 2.5
i + True
bl + bl2
bl & bl2
bl | bl2
bl ^ bl2
~bl
~i
i & j
i | j
i ^ j
j << 1
j >> 1
x == y
x != y
x < y
x <= y
x > y
x >= y
-x
abs(x)
x.add(y)
x.add(y, alpha=2)  # refused
x.sub(y)
x.mul(y)
x.div(pos)
x.div(pos, rounding_mode="floor")
x.pow(2)
x.pow(y)
x.fmod(pos)
x.remainder(pos)
x.floor_divide(pos)
x.atan2(y)
x.hypot(y)
x.logaddexp(y)
x.maximum(y)
x.minimum(y)
x.lerp(y, 0.5)
x.isclose(y)
x.allclose(y)
bl.logical_and(bl2)
bl.logical_or(bl2)
bl.logical_xor(bl2)
bl.logical_not()
i.bitwise_and(j)
i.bitwise_or(j)
i.bitwise_xor(j)
i.bitwise_not()
j.bitwise_left_shift(1)
j.bitwise_right_shift(1)
L.sum(x)
L.sum(x, dim=1)
L.sum(x, dim=0, keepdim=True)
L.sum(x, dim=(0, 1))
L.sum(x, dim=-1)
L.sum(i)
L.sum(i, dim=1)
L.sum(bl)
L.sum(bl, dim=0)
L.sum(x, dtype=f64)
L.sum(i, dtype=f32)
L.mean(x)
L.mean(x, dim=1)
L.mean(x, dim=1, keepdim=True)
L.mean(x, dtype=f64)  # refused
L.nanmean(nan)
L.nanmean(nan, dim=1)
L.nansum(nan)
L.nansum(nan, dim=0)
L.prod(x)
L.prod(x, dim=1)
L.prod(x, 1, keepdim=True)
L.prod(i)
L.prod(i, dim=0)
L.prod(bl)
L.std(x)
L.std(x, dim=1)
L.std(x, dim=1, keepdim=True)
L.std(x, dim=0, correction=0)
L.std(x, 1, unbiased=False)  # refused
L.var(x)
L.var(x, dim=0)
L.var(x, dim=1, correction=0)
L.var(x, 1, True)  # raises
L.var(x, unbiased=False)  # refused
L.std_mean(x)
L.std_mean(x, dim=1)
L.var_mean(x, dim=0, keepdim=True)
L.var_mean(x, correction=0)
L.norm(x)
L.norm(x, p=1)
L.norm(x, dim=1)
L.norm(x, 2, 1, True)
L.norm(x, p=float("inf"))
L.norm(x, p="fro")
L.logsumexp(x, dim=1)
L.logsumexp(x, dim=1, keepdim=True)
L.logsumexp(x, dim=(0, 1))
L.amax(x)
L.amax(x, dim=1)
L.amax(x, dim=(0, 1))
L.amin(x, dim=0, keepdim=True)
L.amax(i, dim=1)
L.max(x)
L.max(x, dim=1)
L.max(x, 1)
L.max(x, dim=1, keepdim=True)
L.max(x, y)
L.max(i)
L.max(i, dim=0)
L.max(dup, dim=1)
L.min(x)
L.min(x, dim=0)
L.min(x, 1, True)
L.min(x, y)
L.min(dup, dim=1)
L.argmax(x)
L.argmax(x, dim=1)
L.argmax(x, dim=1, keepdim=True)
L.argmin(x)
L.argmin(x, dim=0)
L.argmin(i, dim=1)
L.argmax(dup, dim=1)
L.all(bl)
L.all(bl, dim=1)
L.any(bl)
L.any(bl, dim=0, keepdim=True)
L.all(x)
L.any(i, dim=1)
L.median(x)
L.median(dup)
L.median(x, dim=1)
L.median(x, dim=0, keepdim=True)
L.median(dup, dim=1)
L.mode(dup, dim=1)
L.mode(dup)
L.kthvalue(x, 2)
L.kthvalue(x, 2, dim=0)
L.kthvalue(x, 1, 1, True)
L.sort(x)
L.sort(x, dim=0)
L.sort(x, descending=True)
L.sort(x, dim=1, descending=True, stable=True)
L.sort(dup, stable=True)
L.argsort(x)
L.argsort(x, dim=0)
L.argsort(x, descending=True)
L.argsort(dup, stable=True)
L.topk(x, 2)
L.topk(x, 2, dim=0)
L.topk(x, 2, largest=False)
L.topk(x, 3, sorted=True)
L.cumsum(x, dim=1)
L.cumsum(x, 0)
L.cumsum(i, dim=1)
L.cumsum(bl, dim=1)
L.cumsum(x, dim=1, dtype=f64)
L.cumprod(x, dim=1)
L.cumprod(i, dim=0)
L.cummax(x, dim=1)
L.cummin(x, 0)
L.cummax(dup, dim=1)
L.logcumsumexp(x, dim=1)
x.sum()
x.sum(1)
x.sum(dim=1, keepdim=True)
x.sum((0, 1))
i.sum()
bl.sum()
x.mean()
x.mean(0)
x.mean(dim=1, keepdim=True)
nan.nanmean()
nan.nansum()
x.prod()
x.prod(1)
i.prod(1)
x.std()
x.std(1)
x.std(dim=0, correction=0)
x.var()
x.var(1, keepdim=True)
x.var(0, unbiased=False)  # refused
x.norm()
x.norm(1)
x.norm(dim=1)
x.norm(p=2, dim=0, keepdim=True)
x.logsumexp(1)
x.amax()
x.amax(1)
x.amin(dim=0)
x.max()
x.max(1)
x.max(dim=0, keepdim=True)
x.max(y)
x.min()
x.min(0)
x.min(dim=1, keepdim=True)
x.argmax()
x.argmax(1)
x.argmax(dim=0, keepdim=True)
x.argmin()
x.argmin(1)
bl.all()
bl.all(1)
bl.any()
bl.any(dim=0)
x.median()
x.median(1)
dup.mode(1)
x.kthvalue(2)
x.kthvalue(2, 0)
x.sort()
x.sort(0)
x.sort(descending=True)
x.argsort()
x.argsort(0, descending=True)
x.topk(2)
x.topk(1, dim=0)
x.cumsum(1)
x.cumsum(dim=0)
i.cumsum(1)
x.cumprod(1)
x.cummax(1)
x.cummin(dim=0)
x.logcumsumexp(1)
x.softmax(1)
x.softmax(dim=0)
x.log_softmax(1)
x.log_softmax(-1)
L.softmax(x, dim=1)
L.softmax(x, 0)
L.log_softmax(x, dim=1)
L.softmax(x, dim=1, dtype=f64)  # refused
L.matmul(x, m)
L.matmul(v, w)
L.matmul(x, v)
L.matmul(v, m)
L.matmul(x3, b3)
L.matmul(x3, m)
L.mm(x, m)
L.mv(x, v)
L.dot(v, w)
L.bmm(x3, b3)
L.outer(v, w)
L.addmm(c3[0], x, m)
L.addmm(c3[0], x, m, beta=0.5, alpha=2)
L.addmv(x[:, 0], x, v)
L.addmv(x[:, 0], x, v, beta=2, alpha=0.5)
L.baddbmm(c3, x3, b3)
L.baddbmm(c3, x3, b3, beta=0.5, alpha=2)
L.einsum("ij,jk->ik", x, m)
L.einsum("ii", sq)
L.einsum("bij,bjk->bik", x3, b3)
L.einsum("i,i->", v, w)
L.matmul(i, j.T)
x.matmul(m)
x.mm(m)
x.mv(v)
v.dot(w)
x3.bmm(b3)
v.outer(w)
c3[0].addmm(x, m)
c3.baddbmm(x3, b3)
x[:, 0].addmv(x, v)
L.diag(v)
L.diag(sq)
L.diag(v, 1)
L.diag(x, -1)
L.diagonal(sq)
L.diagonal(x, 1)
L.diagonal(x3, 0, 1, 2)
L.diagonal(x3, offset=1, dim1=0, dim2=2)
L.diag_embed(x)
L.diag_embed(v, offset=1)
L.tril(x)
L.tril(x, 1)
L.triu(x)
L.triu(x, diagonal=-1)
L.tril(i)
sq.diag()
x.diagonal()
x.diagonal(offset=1)
v.diag_embed()
x.tril()
x.triu(1)
L.reshape(x, (4, 3))
L.reshape(x, (-1,))
x.reshape(4, 3)
x.reshape((2, -1))
x.reshape(-1)
x.view(4, 3)
x.view(-1)
x.view(2, 6)
L.flatten(x3)
L.flatten(x3, 1)
L.flatten(x3, start_dim=0, end_dim=1)
x3.flatten()
x3.flatten(1)
x3.flatten(-2)
L.unflatten(x, 1, (2, 2))
x.unflatten(1, (2, -1))
L.squeeze(col)
L.squeeze(col, 1)
L.squeeze(col, 0)
L.squeeze(x3)
col.squeeze()
col.squeeze(1)
col.squeeze(-1)
col.squeeze(0)
L.unsqueeze(x, 0)
L.unsqueeze(x, -1)
x.unsqueeze(1)
x.unsqueeze(-1)
L.permute(x3, (2, 0, 1))
x3.permute(2, 0, 1)
x3.permute((1, 0, 2))
x3.permute(-1, 0, 1)
L.movedim(x3, 0, 2)
L.movedim(x3, (0, 1), (2, 0))
x3.movedim(-1, 0)
L.transpose(x, 0, 1)
L.transpose(x3, 0, 2)
L.transpose(x3, -1, -2)
x.transpose(0, 1)
x.transpose(-2, -1)
x3.transpose(1, 2)
L.swapaxes(x3, 0, 2)
x3.swapaxes(0, 1)
x.T
x.mT
x3.mT
x.t()
v.t()
L.broadcast_to(row, (3, 4))
row.broadcast_to((2, 4))
row.expand(3, 4)
row.expand((2, 4))
col.expand(3, 5)
col.expand(-1, 4)
L.flip(x, (0,))
L.flip(x, [0, 1])
L.flip(x, dims=(1,))
x.flip(0)
x.flip((0, 1))
x.flip([1])
L.roll(x, 1)
L.roll(x, 1, 0)
L.roll(x, shifts=(1, 2), dims=(0, 1))
L.roll(x, -2, dims=1)
x.roll(1)
x.roll(1, 1)
L.tile(x, (2,))
L.tile(x, (2, 1))
L.tile(v, (2, 2))
x.tile(2)
x.tile((1, 2))
x.tile(2, 1)
x.repeat(2, 1)
x.repeat((1, 2))
v.repeat(2)
v.repeat(2, 3)
L.repeat_interleave(v, 2)
L.repeat_interleave(x, 2, dim=0)
L.repeat_interleave(x, 2)
L.repeat_interleave(x, cidx, dim=0)
x.repeat_interleave(2, dim=1)
x.repeat_interleave(2)
L.chunk(x, 2)
L.chunk(x, 2, dim=1)
L.chunk(x, 3, 1)
x.chunk(2)
x.chunk(2, 1)
x.chunk(4, dim=1)
L.split(x, 2)
L.split(x, 2, dim=1)
L.split(x, [1, 3], dim=1)
x.split(1)
x.split(3, 1)
x.split([2, 1])
L.narrow(x, 1, 1, 2)
L.narrow(x, 0, 0, 1)
x.narrow(1, 0, 3)
x.narrow(-1, 1, 2)
L.cat([x, y])
L.cat([x, y], dim=1)
L.cat((x, y), 1)
L.cat([x, y], dim=-1)
L.cat([i, j])
L.concatenate([x, y], dim=1)
L.stack([x, y])
L.stack([x, y], dim=1)
L.stack((x, y), -1)
L.stack([i, j], 2)
L.meshgrid(v, w, indexing="ij")
L.meshgrid(v, w[:2], indexing="xy")
L.meshgrid([v, w[:3]], indexing="ij")
L.gather(x, 1, idx)
L.gather(x, 0, idx[:2] % 3)
x.gather(1, idx)
x.gather(dim=1, index=idx)
L.index_select(x, 1, cidx)
L.index_select(x, 0, ridx)
x.index_select(1, cidx)
x.index_select(0, ridx)
L.masked_fill(x, bl, 0.0)
L.masked_fill(x, mask, -1)
L.masked_fill(i, bl, 7)
L.masked_fill(x, bl, L.tensor(2.0))
x.masked_fill(bl, 1.5)
i.masked_fill(bl, 0)
L.masked_select(x, bl)
L.masked_select(x, mask[0])
x.masked_select(bl)
L.where(bl, x, y)
L.where(bl, x, 0.0)
L.where(bl, 1.0, 0.0)
L.where(bl, i, j)
L.where(bl, x, i)
L.where(bl)  # refused
L.nonzero(i)
L.nonzero(bl)
L.nonzero(i, as_tuple=True)
i.nonzero()
bl.nonzero(as_tuple=True)
L.scatter(x, 1, idx, y)
L.scatter(x, 1, idx, 2.0)
L.scatter(x, 0, idx[:2] % 3, y)
x.scatter(1, idx, y)
x.scatter(1, idx, 0.5)
L.scatter_add(x, 1, idx, y)
x.scatter_add(1, idx, y)
L.scatter_reduce(x, 1, idx, y, reduce="sum")
L.scatter_reduce(x, 1, idx, y, "amax")
L.scatter_reduce(x, 1, idx, y, "amin", include_self=False)
L.scatter_reduce(x, 1, idx, y, "mean")
L.scatter_reduce(x, 1, idx, y, "mean", include_self=False)
L.scatter_reduce(x, 1, idx, y, "prod")
x.scatter_reduce(1, idx, y, "sum")
L.index_add(x, 1, cidx[:2], y[:, :2])
L.index_add(x, 0, ridx, y[:2], alpha=2)
x.index_add(1, cidx[:2], y[:, :2])
L.clamp(x, -0.5, 0.5)
L.clamp(x, min=0)
L.clamp(x, max=0.2)
L.clamp(i, -2, 2)
L.clamp(i, 0.5, 2.5)
L.clamp(x, y, pos)
L.clip(x, -1, 1)
L.clip(x, min=-0.1)
x.clamp(-0.5, 0.5)
x.clamp(min=0)
x.clamp(max=0)
i.clamp(0, 3)
x.clip(-1, 1)
x.clip(max=0.3)
L.tensor([1.0, 2.0])
L.tensor([1, 2])
L.tensor([True, False])
L.tensor(3.0)
L.tensor(3)
L.tensor([[1, 2], [3, 4]], dtype=f32)
L.tensor([1.5, 2.5], dtype=i64)
L.tensor(x)
L.tensor([1.0], dtype=f64)
L.zeros(2, 3)
L.zeros((2, 3))
L.zeros([2, 3])
L.zeros(2, 3, dtype=i64)
L.zeros(0)
L.zeros(())
L.zeros(2, dtype=b8)
L.ones(3)
L.ones(2, 3)
L.ones((2, 3), dtype=f64)
L.full((2, 3), 1.5)
L.full((2, 3), 2)  # fixed
L.full((2,), True)  # fixed
L.full((2, 3), 7, dtype=f32)
L.full([2], 1.5, dtype=f64)
L.eye(3)
L.eye(2, 3)
L.eye(3, dtype=i64)
L.arange(5)
L.arange(5.0)
L.arange(1, 4)
L.arange(0, 1, 0.25)
L.arange(0, 5, 2)
L.arange(5, dtype=f32)
L.arange(1.5, 4)
L.linspace(0, 1, 5)
L.linspace(0, 10, steps=3)
L.linspace(-1, 1, 4, dtype=f64)
L.logspace(0, 2, 3)
L.logspace(0, 1, 4, base=2)
L.zeros_like(x)
L.zeros_like(i)
L.zeros_like(x, dtype=f64)
L.ones_like(x)
L.ones_like(bl)
L.full_like(x, 2)
L.full_like(i, 2)
L.full_like(i, 2.7)
L.full_like(x, 1, dtype=i64)
x.new_zeros(2, 3)
x.new_zeros((2,))
x.new_ones(2)
x.new_full((2, 2), 3)
i.new_full((2,), 3)
i.new_ones(3)
x.new_tensor([1, 2])
x.new_tensor([1.0, 2.0])
i.new_tensor([1.5])
x.new_zeros(2, dtype=i64)
~L.rand(2, 3)
~L.rand((2, 3))
~L.randn(4)
~L.randn(2, 3, dtype=f64)
~L.rand_like(x)
~L.randn_like(x)
~L.randint(0, 5, (3,))
~L.randint(5, (2, 2))
~L.randint_like(i, 0, 4)
~L.randint_like(x, 10)
~L.randperm(5)
~L.bernoulli(prob)
~L.multinomial(prob[0], 2)
~L.multinomial(prob, 2, replacement=True)
~L.normal(0.0, 1.0, (3,))
~L.normal(x, pos)
~L.normal(x, 1.0)
~L.empty(2, 3)
~L.empty((2,), dtype=i64)
~L.empty_like(x)
~L.empty_like(i)
~x.new_empty(2, 3)
~x.new_empty((3,))
L.get_default_dtype()
L.is_grad_enabled()
L.is_anomaly_enabled()
x.clone()
L.clone(x)
i.clone()
x.contiguous()
x.detach()
x.float()
x.double()
i.float()
bl.float()
x.to(f64)
i.to(f32)
x.to(dtype=f64)
x.to("cpu")
x.cpu()
x.numel()
x3.dim()
x3.ndim
x3.size()
x3.size(1)
x3.size(-1)
x3.shape
x.dtype
i.dtype
bl.dtype
x[0, 1].item()
i[0, 1].item()
bl[0, 1].item()
s.item()
x.tolist()
i.tolist()
bl.tolist()
s.tolist()
x.numpy()
x.is_leaf
x.requires_grad
x.grad
x.grad_fn
x.is_cuda
x.unfold(1, 2, 1)
x.unfold(1, 2, 2)
x.unfold(0, 2, 1)
len(x)
bool(s)
float(s)
int(s)
x[0]
x[:, 1]
x[..., 0]
x[None]
x[1:, ::2]
x[bl]
x[mask]
x[ridx]
x[:, cidx]
x[ridx, cidx[:2]]
x[0, [0, 1]]
x[[0, 1]]
x[-1]
x3[0, :, [0, 1]]
x3[:, 0, [0, 1]]
x3[ridx[1:], :, cidx[:1]]
x[x > 0]
x[0, 0]
i[1]
x.zero_()
x.fill_(2.0)
x.add_(y)
x.add_(y, alpha=2)
x.sub_(y)
x.mul_(y)
x.mul_(2)
x.div_(pos)
x.pow_(2)
x.clamp_(-0.5, 0.5)
x.clamp_(min=0)
x.clip_(max=0.1)
x.masked_fill_(bl, 0.0)
x.copy_(y)
x.scatter_(1, idx, y)
x.scatter_(1, idx, 0.5)
x.scatter_add_(1, idx, y)
x.index_add_(1, cidx[:2], y[:, :2])
x.requires_grad_()
i.add_(j)
i.mul_(2)
i.fill_(3)
x.std(1, True)  # raises
x.var(1, True)  # raises
L.std(x, 0, True)  # raises
L.std_mean(x, 1, True)  # refused
L.var_mean(x, 1, True)  # refused
x.sum(-1, True)
x.mean(1, True)
x.prod(1, True)
L.logsumexp(x, 1, True)
L.sort(x, 1, True)
L.sort(x, 0, False)
L.topk(x, 2, 1, False)
L.topk(x, 2, 0, True, True)
L.argsort(x, 1, True)
x.sort(1, True)
x.argsort(1, True)
x.topk(2, 1, False)
L.amax(x, 1, True)
L.argmax(x, 1, True)
L.any(bl, 1, True)
L.all(bl, 1, True)
L.norm(x, 1, 0)
L.cumsum(bl, 1)
L.cumprod(bl, 1)
L.prod(bl, 1)
L.all(i)
L.any(x)
L.all(x, dim=1)
L.max(bl)
L.max(nan)
L.min(nan, dim=1)
L.argmax(nan, dim=1)
L.sort(nan, dim=1)
L.amax(nan, dim=1)
L.median(nan, dim=1)
L.cummax(nan, dim=1)
L.topk(nan, 2)
L.maximum(nan, x)
L.clamp(nan, -1, 1)
L.sign(L.tensor([0.0, -0.0, 2.0]))
L.sum(x, dim=())
L.mean(x, (0, 1))
i / 2
i * 2.0
i + 1.5
i - 1
i * True
bl * 2  # fixed
bl + 1.5
bl * bl2
2 - i
2.5 / j
i ** 2
2 ** j
j ** 0.5
x ** i
i % -3
i // -3
-7 // j
-7 % j
L.remainder(i, -3)
L.fmod(i, -3)
L.floor_divide(i, -3)
L.div(i, -3, rounding_mode="trunc")
L.div(i, -3, rounding_mode="floor")
L.div(x, 0.0)
L.maximum(i, x)
L.minimum(bl, x)
L.cat([x, i])
L.cat([i, bl])
L.stack([i, x])
L.where(bl, i, 1.5)
L.where(bl, x, 0)
L.where(bl, 1, 0)
L.where(bl, i, x)
L.where(x > 0, x, y)
L.clamp(i, min=0.5)
L.clamp(x, min=1, max=-1)
L.lerp(x, y, 2.0)
L.atan2(i, j)
L.hypot(x, pos)
L.isclose(i, j)
L.isclose(x, y, rtol=0.5, atol=0.5)
L.nonzero(x)
L.tensor([1, 2.5])
L.tensor([[1, 2], [3.5, 4]])
L.tensor(True)
L.tensor([True, 2])
L.tensor([])
L.tensor(2.5, dtype=i64)
L.arange(0.5, 2)
L.arange(0, 1, 0.1)
L.arange(5, 0, -1)
L.arange(0, 3, 1.5)
L.linspace(0, 1, 1)
L.linspace(0, 1, 2)
L.linspace(1, 5, 5)
L.logspace(-1, 1, 3)
L.eye(0)
L.eye(3, 2)
L.zeros(3, 0)
L.full((2,), 1.5, dtype=i64)
L.full((2,), 2.5)
L.full_like(x, 3.5)
L.full_like(bl, 1)
L.ones_like(i, dtype=f32)
L.zeros_like(bl)
L.chunk(x, 3)
L.chunk(x, 5, dim=1)
L.chunk(x, 4)
L.chunk(v, 3)
L.split(x, 5, dim=1)
L.split(x, 3, dim=1)
L.split(v, [4])
x.flip(0, 1)
x.permute(1, 0)
x.expand(2, 3, 4)
x.repeat(2, 1, 1)
L.tile(x, (2, 1, 1))
x.tile(2, 1, 1)
L.squeeze(x3, 0)
L.squeeze(col, (1,))
x.unsqueeze(2)
L.movedim(x3, -1, -3)
L.roll(v, 5)
L.roll(x, 1, -1)
L.roll(x, (1, 1), (0, 1))
L.flatten(s)
s.flatten()
s.reshape(1)
s.unsqueeze(0)
v.unsqueeze(0).squeeze()
s.sum()
s.max()
s.argmax()
s.mean()
s.std()
v.std()
v[:1].std()
v[:1].var()
v.var(correction=0)
v.max(0)
v.sort()
v.topk(4)
v.cumsum(0)
v.argsort()
v.median()
v.kthvalue(3)
v.norm(3)
v.norm(0)
v.norm(float("-inf"))
v @ w
v @ m
x @ v
L.dot(iv, iv)
L.mm(i, j.T)
L.mv(i, iv)
L.outer(iv, iv)
i @ j.T
L.diagonal(x, -1)
L.diag(x, 1)
L.diag(iv)
L.tril(x3)
L.triu(x3, 1)
L.gather(x, -1, idx)
L.index_select(x, -1, cidx)
L.scatter(x, -1, idx, y)
L.index_add(x, -1, cidx[:2], y[:, :2])
L.masked_fill(x, bl, 2)
L.masked_fill(i, bl, 2.5)  # fixed
L.masked_fill(x, L.tensor(True), 0.0)
L.masked_select(x, L.tensor(True))
L.repeat_interleave(iv)  # refused
L.repeat_interleave(x, 2, dim=-1)
L.unflatten(x3, -1, (2, 2))
L.narrow(x, -1, 0, 2)
L.einsum("ij->ji", x)
L.einsum("ij->", x)
L.einsum("ij,ij->i", x, y)
L.einsum("i,j->ij", v, w)
L.einsum("...j,jk->...k", x3, m)
L.softmax(x, -1)
L.log_softmax(x, 0)
L.softmax(i.float(), 1)
L.allclose(x, y, atol=10)
L.allclose(i, i)
s.dim()
s.shape
x[None, :, None].shape
x[..., None].shape
x[:, [True, False, True, False]]
x[[True, False, True]]
x[1, ...]
x[L.tensor(1)]
x[i[0, 0].abs() % 3]
x[:, -2:]
x[::2, 1::2]
x[[0, 0, 2], [1, 1, 3]]
x3[..., [0, 1]]
x3[[0, 1], :, [1, 2]]
x3[0, [0, 1], [1, 2]]
x3[:, [0, 1], 0]
x3[:, 1:, [0, 2]]
x[x[:, 0] > 0]
i[bl]
i[0]
i[0, 0]
x[0].tolist()
x[0, 0].tolist()
x.sum().tolist()
x.max().item()
i.max().item()
bl.any().item()
x.argmax().item()
L.as_tensor(x)
L.as_tensor(i, dtype=f64)
L.from_numpy(i.numpy())
L.from_numpy(x.numpy())
L.spmm(x, m)
x.expand_as(x3)
col.expand_as(x)
x.reshape_as(x3[0].T)
x.view_as(x3[0].T)
x.type_as(i)
i.type_as(x)
x.type()
i.type()
bl.type()
x.type(f64)
x.type("torch.LongTensor")
x.long()
x.int()
x.bool()
x.half()
i.long()
x.nelement()
x3.ndimension()
x.is_xpu
x.is_mps
"""


def _parse(text: str) -> list[tuple[str, bool, str]]:
    rows = []
    for line in text.strip().splitlines():
        code, _, mark = line.partition("  # ")
        code, mark = code.strip(), (mark.strip() or "same")
        assert mark in ("same", "fixed", "raises", "refused"), line
        rows.append((code.lstrip("~"), code.startswith("~"), mark))
    return rows


ROWS = _parse(CALLS)


DTYPES = {  # the dtype names of the table: NumPy's dtypes in tensorlite, torch's in torch
    tl: {"f32": np.float32, "f64": np.float64, "i64": np.int64, "b8": np.bool_},
    torch: {"f32": torch.float32, "f64": torch.float64, "i64": torch.int64, "b8": torch.bool},
}


def _run(code: str, lib: Any) -> Any:
    warnings.simplefilter("ignore")  # NaN warnings of NumPy, PyTorch's deprecation notes
    names = {"L": lib, "float": float, "len": len, "abs": abs, "bool": bool, "int": int, **DTYPES[lib]}
    return eval(code, names, _inputs(lib))


def _dtype_name(dtype: Any) -> str:
    return str(dtype).replace("torch.", "")


def _describe(result: Any, values: bool) -> Any:
    """A comparable picture of a result: its kind, shape, dtype and (optionally) values."""
    if isinstance(result, (tl.Tensor, torch.Tensor)):
        array = result.detach().numpy() if isinstance(result, torch.Tensor) else np.asarray(result.numpy())
        array = np.array(array, copy=True)
        return ("tensor", tuple(result.shape), _dtype_name(result.dtype), array if values else None)
    if isinstance(result, tuple) and hasattr(result, "_fields") or type(result).__module__.endswith("return_types"):
        fields = tuple(getattr(result, "_fields", ())) or ("values", "indices")
        return ("named " + type(result).__name__, fields, tuple(_describe(r, values) for r in result))
    if isinstance(result, (tuple, list)):  # torch.Size is a tuple
        return ("list" if isinstance(result, list) else "tuple", tuple(_describe(r, values) for r in result))
    if isinstance(result, (np.dtype, torch.dtype)) or (isinstance(result, type) and issubclass(result, np.generic)):
        return ("dtype", _dtype_name(np.dtype(result) if not isinstance(result, torch.dtype) else result))
    if isinstance(result, np.ndarray):
        return ("ndarray", result.shape, str(result.dtype), result if values else None)
    if result is None or isinstance(result, (bool, int, float, str)):
        return (type(result).__name__, result if values else None)
    return ("object", type(result).__name__)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape:
            return False
        if a.dtype.kind in "fc" or b.dtype.kind in "fc":
            return bool(np.allclose(a.astype(np.float64), b.astype(np.float64), rtol=1e-5, atol=1e-6, equal_nan=True))
        return bool(np.array_equal(a, b))
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(p, q) for p, q in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-6) or (math.isnan(a) and math.isnan(b))
    return type(a) is type(b) and a == b


def audit(code: str, random: bool) -> tuple[str, str]:
    """('same' | 'raises' | 'diverges' | 'torch raises', detail) for one call."""
    torch.manual_seed(0)
    with warnings.catch_warnings():
        return _audit(code, random)


def _audit(code: str, random: bool) -> tuple[str, str]:
    try:
        theirs = _describe(_run(code, torch), values=not random)
    except Exception as error:  # noqa: BLE001 - a call PyTorch refuses is not a row
        return "torch raises", f"{type(error).__name__}: {error}"
    try:
        ours = _describe(_run(code, tl), values=not random)
    except Exception as error:  # noqa: BLE001 - any error is a loud refusal
        return "raises", f"{type(error).__name__}: {error}"
    if _same(ours, theirs):
        return "same", ""
    return "diverges", f"tensorlite {ours!r}\n    torch {theirs!r}"


def _function_name(code: str) -> str:
    """The name a clear error must mention: the function or method the row calls."""
    return code.split("(")[0].rsplit(".", 1)[-1]


@pytest.mark.parametrize("code, random, mark", ROWS, ids=[code for code, _, _ in ROWS])
def test_no_call_silently_diverges(code: str, random: bool, mark: str) -> None:
    outcome, detail = audit(code, random)
    assert outcome != "torch raises", f"not a row: PyTorch refuses {code} ({detail})"
    if mark in ("same", "fixed"):
        assert outcome == "same", f"{code} differs from PyTorch: {detail}"
    else:
        assert outcome == "raises", f"{code} should raise in tensorlite, got {outcome}: {detail}"
        if mark == "raises":  # the errors made by the audit name the function
            assert _function_name(code) in detail, f"{code}: the error does not name the function: {detail}"


def test_audit_counts() -> None:
    counts = {mark: sum(1 for _, _, m in ROWS if m == mark) for mark in ("same", "fixed", "raises", "refused")}
    print(f"\nPyTorch audit (issue 23): {len(ROWS)} calls; {counts['same']} same; "
          f"{counts['fixed'] + counts['raises']} diverged silently: {counts['fixed']} fixed, "
          f"{counts['raises']} made to raise; {counts['refused']} always refused loudly")
    names = {_function_name(code) for code, _, _ in ROWS}
    assert len(ROWS) >= 1000 and counts["fixed"] >= 4 and counts["raises"] >= 4
    assert len(names) >= 200


def test_the_table_covers_the_shared_names() -> None:
    """Every public function that torch also has, and every shared Tensor method, is called."""
    codes = "\n".join(code for code, _, _ in ROWS)
    functions = {n for n in tl.__all__ if hasattr(torch, n) and callable(getattr(tl, n))
                 and not isinstance(getattr(tl, n), type)}
    methods = {n for n in dir(tl.Tensor) if not n.startswith("_") and hasattr(torch.Tensor, n)}
    not_values = {"manual_seed", "set_default_dtype", "save", "load",  # state and files, not results
                  "set_num_threads", "get_num_threads",  # the thread pool: tested in tests/test_parallel.py
                  "backward", "register_post_accumulate_grad_hook", "register_hook",  # hooks: tested in
                  "device", "cuda", "data"}  # tests/autograd/test_higher_order_engine.py
    missing = sorted(n for n in (functions | methods) - not_values
                     if f"L.{n}(" not in codes and f".{n}" not in codes)
    assert not missing, f"shared names the audit does not call: {missing}"
