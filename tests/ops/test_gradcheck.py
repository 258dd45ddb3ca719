"""Every op's backward rule against float64 central differences, driven by one table.

Each spec names an op, a function of tensors, and the input shapes to try. Every case runs with
contiguous, non-contiguous and negative-stride inputs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
import pytest

import tensorlite as tl


def normal(rng, shape):
    return rng.standard_normal(shape)


def positive(rng, shape):
    return rng.uniform(0.5, 2.0, shape)


def away_from_zero(rng, shape):
    """|x| in [0.3, 1.5] with random signs: no kink of relu/abs within eps."""
    return rng.uniform(0.3, 1.5, shape) * rng.choice([-1.0, 1.0], shape)


@dataclass
class Spec:
    name: str
    fn: Callable[..., Any]
    shapes: list[tuple[tuple[int, ...], ...]]
    make: list[Callable[..., np.ndarray]] | Callable[..., np.ndarray] = normal
    ids: list[str] = field(default_factory=list)


S = Spec
BINARY_SHAPES = [((), ()), ((3, 1, 4), (5, 4)), ((2, 3), ()), ((4,), (2, 1)), ((2, 3), (2, 3))]
UNARY_SHAPES = [((),), ((5,),), ((2, 3, 4),)]
REDUCE_SHAPES = [((2, 3, 4),)]
cond = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])

SPECS = [
    # arithmetic, with broadcasting
    S("add", lambda a, b: a + b, BINARY_SHAPES),
    S("sub", lambda a, b: a - b, BINARY_SHAPES),
    S("mul", lambda a, b: a * b, BINARY_SHAPES),
    S("div", lambda a, b: a / b, BINARY_SHAPES, [normal, away_from_zero]),
    S("pow tensor**tensor", lambda a, b: a ** b, BINARY_SHAPES, [positive, normal]),
    S("pow tensor**2", lambda a: a ** 2, UNARY_SHAPES),
    S("pow tensor**-1.5", lambda a: a ** -1.5, UNARY_SHAPES, positive),
    S("rpow 2**tensor", lambda a: 2.0 ** a, UNARY_SHAPES),
    S("radd / rsub / rmul / rdiv", lambda a: 1.0 - 2.0 * a + 3.0 / a + (1 + a), UNARY_SHAPES, away_from_zero),
    S("ndarray op tensor", lambda a: np.full(a.shape, 2.0, a.dtype) * a - np.ones(a.shape, a.dtype), UNARY_SHAPES),
    S("neg", lambda a: -a, UNARY_SHAPES),
    # elementwise math
    S("abs", lambda a: abs(a), UNARY_SHAPES, away_from_zero),
    S("exp", tl.exp, UNARY_SHAPES),
    S("log", tl.log, UNARY_SHAPES, positive),
    S("sqrt", tl.sqrt, UNARY_SHAPES, positive),
    S("sin", tl.sin, UNARY_SHAPES),
    S("cos", tl.cos, UNARY_SHAPES),
    S("tanh", tl.tanh, UNARY_SHAPES),
    S("sigmoid", tl.sigmoid, UNARY_SHAPES),
    S("relu", tl.relu, UNARY_SHAPES, away_from_zero),
    S("clip", lambda a: a.clip(-0.5, 0.7), UNARY_SHAPES, lambda r, s: r.uniform(-1.1, 1.1, s).round(1) + 0.05),
    S("clip min only", lambda a: tl.clip(a, min=0.1), UNARY_SHAPES, away_from_zero),
    S("maximum", tl.maximum, BINARY_SHAPES),
    S("minimum", tl.minimum, BINARY_SHAPES),
    S("where", lambda a, b: tl.where(tl.tensor(cond), a, b), [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (3, 4))]),
    # reductions
    S("sum all", lambda a: a.sum(), REDUCE_SHAPES + UNARY_SHAPES[:1]),
    S("sum dim=1", lambda a: a.sum(dim=1), REDUCE_SHAPES),
    S("sum axis=(0,-1) keepdims", lambda a: a.sum(axis=(0, -1), keepdims=True), REDUCE_SHAPES),
    S("mean all", lambda a: a.mean(), REDUCE_SHAPES + UNARY_SHAPES[:1]),
    S("mean dim=-1 keepdim", lambda a: a.mean(dim=-1, keepdim=True), REDUCE_SHAPES),
    S("mean dims (0,2)", lambda a: tl.mean(a, (0, 2)), REDUCE_SHAPES),
    S("max all", lambda a: a.max(), REDUCE_SHAPES),
    S("max dim=1", lambda a: a.max(dim=1).values, REDUCE_SHAPES),
    S("max axis=-1 keepdims", lambda a: a.max(axis=-1, keepdims=True).values, REDUCE_SHAPES),
    S("min dims (0,1)", lambda a: a.min(dim=(0, 1)), REDUCE_SHAPES),
    S("var all (unbiased)", lambda a: a.var(), REDUCE_SHAPES),
    S("var dim=1 correction=0", lambda a: a.var(dim=1, correction=0), REDUCE_SHAPES),
    S("var axis=-1 ddof=1 keepdims", lambda a: a.var(axis=-1, ddof=1, keepdims=True), REDUCE_SHAPES),
    S("std dim=(0,2)", lambda a: a.std(dim=(0, 2)), REDUCE_SHAPES),
    S("logsumexp all", lambda a: a.logsumexp(), REDUCE_SHAPES),
    S("logsumexp dim=1 keepdim", lambda a: a.logsumexp(dim=1, keepdim=True), REDUCE_SHAPES),
    S("softmax dim=-1", lambda a: a.softmax(dim=-1), REDUCE_SHAPES + [((5,),)]),
    S("softmax dim=0", lambda a: tl.softmax(a, dim=0), REDUCE_SHAPES),
    S("log_softmax dim=1", lambda a: a.log_softmax(dim=1), REDUCE_SHAPES),
    S("log_softmax axis=-1", lambda a: tl.log_softmax(a, axis=-1), [((4, 6),)]),
    # shapes
    S("reshape", lambda a: a.reshape(4, -1), REDUCE_SHAPES),
    S("view", lambda a: a.view((6, 4)), REDUCE_SHAPES),
    S("flatten", lambda a: a.flatten(), REDUCE_SHAPES),
    S("flatten start_dim=1", lambda a: a.flatten(1), REDUCE_SHAPES),
    S("transpose()", lambda a: a.transpose(), REDUCE_SHAPES),
    S("transpose(0, 2)", lambda a: a.transpose(0, 2), REDUCE_SHAPES),
    S(".T", lambda a: a.T, [((3, 5),)]),
    S("permute", lambda a: a.permute(2, 0, 1), REDUCE_SHAPES),
    S("swapaxes", lambda a: a.swapaxes(-1, 0), REDUCE_SHAPES),
    S("squeeze", lambda a: a.squeeze(), [((1, 3, 1),)]),
    S("squeeze dim", lambda a: a.squeeze(-1), [((1, 3, 1),)]),
    S("unsqueeze", lambda a: a.unsqueeze(1), [((3, 4),)]),
    S("unsqueeze scalar", lambda a: a.unsqueeze(-1), [((),)]),
    S("expand", lambda a: a.expand(2, -1, 4), [((3, 1),)]),
    S("broadcast_to", lambda a: a.broadcast_to((2, 3, 4)), [((3, 1),), ((),)]),
    # indexing and joining
    S("getitem int", lambda a: a[1], REDUCE_SHAPES),
    S("getitem slices", lambda a: a[:, 1:, ::-2], REDUCE_SHAPES),
    S("getitem ellipsis+None", lambda a: a[..., None, 0], REDUCE_SHAPES),
    S("getitem repeated indices", lambda a: a[[0, 0, 1, 0]], REDUCE_SHAPES),
    S("getitem index tensors", lambda a: a[tl.tensor([1, 1]), :, tl.tensor([3, 3])], REDUCE_SHAPES),
    S("getitem bool mask", lambda a: a[a.data > 0], REDUCE_SHAPES),
    S("cat", lambda a, b: tl.cat([a, b, a], dim=1), [((2, 3, 4), (2, 1, 4))]),
    S("concatenate axis=-1", lambda a, b: tl.concatenate([a, b], axis=-1), [((2, 3), (2, 5))]),
    S("stack", lambda a, b: tl.stack([a, b, a], dim=1), [((2, 3), (2, 3))]),
    S("stack dim=-1", lambda a, b: tl.stack([a, b], dim=-1), [((), ()), ((4,), (4,))]),
    S("split int", lambda a: a.split(2, dim=1), [((2, 5),)]),
    S("split sizes", lambda a: tl.split(a, [1, 3], dim=-1), [((3, 4),)]),
    S("chunk", lambda a: a.chunk(3), [((7, 2),)]),
    S("pad", lambda a: tl.pad(a, ((1, 0), (2, 3))), [((2, 3),)]),
    S("pad value", lambda a: tl.pad(a, 1, value=0.5), [((2, 3),)]),
    # matrix products
    S("matmul", lambda a, b: a @ b,
      [((3, 4), (4, 5)), ((2, 3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)), ((4,), (4,)),
       ((2, 1, 3, 4), (5, 4, 2)), ((4,), (2, 4, 3))]),
    S("matmul fn", tl.matmul, [((2, 3), (2, 3, 2))]),
    # more activations, distances, bilinear and losses (issue 15, part C); off every kink
    S("silu", tl.nn.functional.silu, UNARY_SHAPES),
    S("elu alpha=0.5", lambda a: tl.nn.functional.elu(a, 0.5), UNARY_SHAPES, away_from_zero),
    S("selu", tl.nn.functional.selu, UNARY_SHAPES, away_from_zero),
    S("celu alpha=2", lambda a: tl.nn.functional.celu(a, 2.0), UNARY_SHAPES),
    S("mish", tl.nn.functional.mish, UNARY_SHAPES),
    S("relu6", tl.nn.functional.relu6, UNARY_SHAPES,
      lambda r, s: r.choice([-1.0, 2.0, 4.5, 7.0], s) + r.uniform(-.3, .3, s)),
    S("hardswish", tl.nn.functional.hardswish, UNARY_SHAPES,
      lambda r, s: r.choice([-4.0, -1.0, 2.0, 4.0], s) + r.uniform(-.3, .3, s)),
    S("hardsigmoid", tl.nn.functional.hardsigmoid, UNARY_SHAPES,
      lambda r, s: r.choice([-4.0, 1.0, 4.0], s) + r.uniform(-.3, .3, s)),
    S("hardtanh", tl.nn.functional.hardtanh, UNARY_SHAPES,
      lambda r, s: r.choice([-2.0, 0.0, 2.0], s) + r.uniform(-.3, .3, s)),
    S("softsign", tl.nn.functional.softsign, UNARY_SHAPES, away_from_zero),
    S("logsigmoid", tl.nn.functional.logsigmoid, UNARY_SHAPES),
    S("softmin dim=1", lambda a: tl.nn.functional.softmin(a, dim=1), REDUCE_SHAPES),
    S("glu", tl.nn.functional.glu, [((3, 4),), ((2, 6, 2),)]),
    S("normalize", tl.nn.functional.normalize, [((3, 4),), ((2, 3, 4),)]),
    S("normalize p=3 dim=-1", lambda a: tl.nn.functional.normalize(a, 3.0, -1), [((3, 4),)], away_from_zero),
    S("normalize p=inf", lambda a: tl.nn.functional.normalize(a, float("inf")), [((3, 4),)]),
    S("cosine_similarity", tl.nn.functional.cosine_similarity, [((3, 4), (3, 4)), ((3, 4), (1, 4))]),
    S("pairwise_distance", tl.nn.functional.pairwise_distance, [((3, 4), (3, 4)), ((4,), (2, 4))]),
    S("pairwise_distance p=1.5", lambda a, b: tl.nn.functional.pairwise_distance(a, b, 1.5), [((3, 4), (3, 4))]),
    S("bilinear", tl.nn.functional.bilinear,
      [((3, 2), (3, 4), (5, 2, 4), (5,)), ((2, 3, 2), (2, 3, 4), (5, 2, 4), (5,))]),
    S("l1_loss", tl.nn.functional.l1_loss, [((3, 4), (3, 4))]),
    S("smooth_l1_loss", lambda a, b: tl.nn.functional.smooth_l1_loss(a * 2, b, beta=0.7), [((3, 4), (3, 4))]),
    S("huber_loss sum", lambda a, b: tl.nn.functional.huber_loss(a * 2, b, "sum", 0.7), [((3, 4), (3, 4))]),
    S("kl_div batchmean", lambda a, b: tl.nn.functional.kl_div(a, b, reduction="batchmean"),
      [((3, 4), (3, 4))], [normal, positive]),
    S("kl_div log_target", lambda a, b: tl.nn.functional.kl_div(a, b, log_target=True), [((3, 4), (3, 4))]),
    S("cosine_embedding_loss", lambda a, b: tl.nn.functional.cosine_embedding_loss(a, b, tl.tensor([1, -1, -1]), -0.9),
      [((3, 4), (3, 4))]),
    S("margin_ranking_loss", lambda a, b, t: tl.nn.functional.margin_ranking_loss(a, b, t, 0.1, reduction="none"),
      [((5,), (5,), (5,))]),
    S("triplet_margin_loss", lambda a, b, c: tl.nn.functional.triplet_margin_loss(a, b, c, 3.0, swap=True),
      [((3, 4), (3, 4), (3, 4))]),
    S("gaussian_nll_loss", lambda a, b, v: tl.nn.functional.gaussian_nll_loss(a, b, v, True),
      [((3, 4), (3, 4), (3, 1))], [normal, normal, positive]),
    S("poisson_nll_loss", tl.nn.functional.poisson_nll_loss, [((3, 4), (3, 4))], [normal, positive]),
    S("poisson_nll_loss rate full", lambda a, b: tl.nn.functional.poisson_nll_loss(a, b * 2, False, True),
      [((3, 4), (3, 4))], positive),
    S("ctc_loss (through log_softmax)", lambda a: tl.nn.functional.ctc_loss(
        tl.log_softmax(a, 2), np.array([[1, 2, 2], [3, 1, 0]]), [6, 5], [3, 2]), [((6, 2, 4),)]),
    # movement, gather/scatter, sorting, einsum (issue 15, part B)
    S("flip", lambda a: tl.flip(a, (0, -1)), REDUCE_SHAPES),
    S("flip one dim", lambda a: a.flip(0), UNARY_SHAPES[1:]),
    S("roll", lambda a: a.roll((1, -1), (0, 2)), REDUCE_SHAPES),
    S("roll flat", lambda a: a.roll(2), UNARY_SHAPES[1:]),
    S("repeat", lambda a: a.repeat(2, 1, 2, 1), REDUCE_SHAPES),
    S("tile", lambda a: tl.tile(a, (2,)), UNARY_SHAPES),
    S("repeat_interleave", lambda a: a.repeat_interleave(tl.tensor([2, 0, 1]), 1), REDUCE_SHAPES),
    S("tril / triu", lambda a: tl.tril(a, 1) * 2 + a.triu(-1), REDUCE_SHAPES),
    S("diag 1-d and 2-d", lambda a: tl.diag(a, 1).sum() + tl.diag(tl.diag(a)), [((5,),)]),
    S("diagonal", lambda a: a.diagonal(1, 0, 2), REDUCE_SHAPES),
    S("diag_embed", lambda a: tl.diag_embed(a, -1, 0, 2), REDUCE_SHAPES),
    S("unflatten", lambda a: a.unflatten(-1, (2, 2)), REDUCE_SHAPES),
    S("unfold", lambda a: a.unfold(2, 2, 1), REDUCE_SHAPES),
    S("narrow", lambda a: a.narrow(1, 1, 2), REDUCE_SHAPES),
    S("movedim", lambda a: tl.movedim(a, 0, -1), REDUCE_SHAPES),
    S("meshgrid", lambda a, b: tl.meshgrid(a, b)[0] * tl.meshgrid(a, b)[1], [((3,), (4,))]),
    S("gather", lambda a: a.gather(1, tl.tensor([[[0, 2, 2, 1]], [[1, 1, 0, 0]]])), REDUCE_SHAPES),
    S("scatter", lambda a, s: a.scatter(1, tl.tensor([[[2, 0, 1, 1]], [[0, 1, 2, 2]]]), s), [((2, 3, 4), (2, 2, 4))]),
    S("scatter_add", lambda a, s: tl.scatter_add(a, 2, tl.tensor([[[3, 3, 0]] * 3] * 2), s), [((2, 3, 4), (2, 3, 3))]),
    S("scatter_reduce amax", lambda a, s: a.scatter_reduce(0, tl.tensor([[0, 0, 1], [1, 0, 1]]), s, "amax"),
      [((2, 3), (2, 3))]),
    S("scatter_reduce prod", lambda a, s: a.scatter_reduce(0, tl.tensor([[0, 0, 1], [1, 0, 1]]), s, "prod"),
      [((2, 3), (2, 3))]),
    S("scatter_reduce mean", lambda a, s: a.scatter_reduce(0, tl.tensor([[0, 0, 1], [1, 0, 1]]), s, "mean",
                                                            include_self=False), [((2, 3), (2, 3))]),
    S("index_select", lambda a: tl.index_select(a, 2, tl.tensor([3, 0, 3])), REDUCE_SHAPES),
    S("index_add", lambda a, s: a.index_add(1, tl.tensor([2, 2]), s, alpha=0.5), [((2, 3, 4), (2, 2, 4))]),
    S("masked_fill", lambda a, v: a.masked_fill(tl.tensor([True, False, True, False]), v), [((2, 3, 4), ())]),
    S("masked_select", lambda a: a.masked_select(tl.tensor(cond)), [((2, 3, 4),)]),
    S("sort", lambda a: a.sort(1, descending=True).values, REDUCE_SHAPES),
    S("topk", lambda a: a.topk(2, 0).values, REDUCE_SHAPES),
    S("kthvalue", lambda a: a.kthvalue(3).values, REDUCE_SHAPES),
    S("median", lambda a: a.median(1).values + a.median(), REDUCE_SHAPES),
    S("mode", lambda a: a.mode(-1).values, REDUCE_SHAPES),
    S("cummax / cummin", lambda a: a.cummax(1).values + a.cummin(2).values, REDUCE_SHAPES),
    S("max / min along a dim", lambda a: a.max(0).values.sum() + a.min(-1, keepdim=True).values, REDUCE_SHAPES),
    S("einsum matmul", lambda a, b: tl.einsum("bij,jk->bik", a, b), [((2, 3, 4), (4, 5))]),
    S("einsum diagonal and ellipsis", lambda a, b: tl.einsum("...ii,...i->...", a, b), [((2, 3, 3), (3,))]),
    S("einsum three operands", lambda a, b, c: tl.einsum("ij,jk,k", a, b, c), [((2, 3), (3, 4), (4,))]),
    # attention family (tensorlite.ops.attention)
    S("gelu", tl.nn.functional.gelu, UNARY_SHAPES),
    S("gelu tanh", lambda a: tl.nn.functional.gelu(a, approximate="tanh"), UNARY_SHAPES),
    S("scaled_dot_product_attention", tl.nn.functional.scaled_dot_product_attention,
      [((2, 3, 4), (2, 5, 4), (2, 5, 3)), ((3, 4), (5, 4), (5, 2)), ((2, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4))]),
    S("scaled_dot_product_attention causal",
      lambda q, k, v: tl.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7),
      [((2, 4, 3), (2, 4, 3), (2, 4, 2))]),
]

# issue 15 part D: transposed convolution, resampling, group/instance norm, adaptive pooling, padding
_F = tl.nn.functional
SPECS += [
    S("conv_transpose1d stride/padding/output_padding/groups",
      lambda x, w, b: _F.conv_transpose1d(x, w, b, stride=2, padding=1, output_padding=1, groups=2),
      [((2, 4, 5), (4, 3, 3), (6,))]),
    S("conv_transpose2d dilation", lambda x, w: _F.conv_transpose2d(x, w, stride=(2, 1), dilation=2),
      [((1, 3, 3, 4), (3, 2, 2, 3))]),
    S("conv_transpose3d", lambda x, w: _F.conv_transpose3d(x, w, stride=2, padding=1),
      [((1, 2, 2, 3, 2), (2, 2, 3, 2, 2))]),
    S("pad reflect/replicate/circular, negative widths",
      lambda a: _F.pad(a, (2, -1), mode="reflect") + _F.pad(a, (-1, 2), mode="replicate")
      + _F.pad(a, (1, 0), mode="circular"), [((2, 3, 4),)]),
    S("pad constant crop", lambda a: _F.pad(a, (1, -2, -1, 2), value=0.5), [((2, 3, 4),)]),
    S("interpolate nearest", lambda a: _F.interpolate(a, scale_factor=1.7), [((2, 2, 5),)]),
    S("interpolate bilinear", lambda a: _F.interpolate(a, size=(4, 7), mode="bilinear"), [((1, 2, 3, 5),)]),
    S("interpolate bicubic align_corners", lambda a: _F.interpolate(a, scale_factor=1.5, mode="bicubic",
                                                                   align_corners=True), [((1, 1, 3, 4),)]),
    S("interpolate trilinear", lambda a: _F.interpolate(a, scale_factor=(2, 1, 1.5), mode="trilinear"),
      [((1, 1, 2, 3, 2),)]),
    S("pixel_shuffle", lambda a: _F.pixel_shuffle(a, 2), [((1, 4, 2, 3),)]),
    S("pixel_unshuffle", lambda a: _F.pixel_unshuffle(a, 2), [((2, 4, 2),)]),
    S("group_norm", lambda x, w, b: _F.group_norm(x, 2, w, b), [((2, 4, 3), (4,), (4,))]),
    S("instance_norm", lambda x, w, b: _F.instance_norm(x, weight=w, bias=b), [((2, 3, 2, 3), (3,), (3,))]),
    S("adaptive_avg_pool2d", lambda a: _F.adaptive_avg_pool2d(a, (3, 2)), [((2, 2, 7, 5),)]),
    S("adaptive_max_pool2d", lambda a: _F.adaptive_max_pool2d(a, (3, 4)), [((2, 2, 7, 5),)]),
    S("max_pool2d return_indices + max_unpool2d",
      lambda a: _F.max_unpool2d(*_F.max_pool2d(a, 2, return_indices=True), 2, output_size=(5, 5)), [((1, 2, 5, 5),)]),
    S("max_pool2d return_indices, overlapping windows", lambda a: _F.max_pool2d(a, 3, 2, 1, return_indices=True)[0],
      [((1, 2, 5, 5),)]),
    # issue 15, part A: math, scans, more reductions
    S("tan", tl.tan, UNARY_SHAPES, lambda r, s: r.uniform(-1.2, 1.2, s)),
    S("asin", tl.asin, UNARY_SHAPES, lambda r, s: r.uniform(-0.9, 0.9, s)),
    S("acos", lambda a: a.acos(), UNARY_SHAPES, lambda r, s: r.uniform(-0.9, 0.9, s)),
    S("atan", tl.atan, UNARY_SHAPES),
    S("atan2", tl.atan2, BINARY_SHAPES, [normal, away_from_zero]),
    S("sinh", tl.sinh, UNARY_SHAPES),
    S("cosh", lambda a: a.cosh(), UNARY_SHAPES),
    S("asinh", tl.asinh, UNARY_SHAPES),
    S("acosh", tl.acosh, UNARY_SHAPES, lambda r, s: r.uniform(1.2, 3.0, s)),
    S("atanh", tl.atanh, UNARY_SHAPES, lambda r, s: r.uniform(-0.9, 0.9, s)),
    S("rsqrt", tl.rsqrt, UNARY_SHAPES, positive),
    S("log2", tl.log2, UNARY_SHAPES, positive),
    S("log10", lambda a: a.log10(), UNARY_SHAPES, positive),
    S("log1p", tl.log1p, UNARY_SHAPES, positive),
    S("expm1", tl.expm1, UNARY_SHAPES),
    S("exp2", tl.exp2, UNARY_SHAPES),
    S("erf", tl.erf, UNARY_SHAPES, lambda r, s: 1.5 * r.standard_normal(s)),
    S("erfc", lambda a: a.erfc(), UNARY_SHAPES, lambda r, s: 1.5 * r.standard_normal(s)),
    S("square", tl.square, UNARY_SHAPES),
    S("reciprocal", tl.reciprocal, UNARY_SHAPES, away_from_zero),
    S("frac", tl.frac, UNARY_SHAPES, lambda r, s: r.uniform(0.1, 0.9, s) + r.integers(-3, 3, s)),
    S("floor ceil round trunc sign (zero)", lambda a: tl.floor(a) + a.ceil() + a.round() + a.trunc() + a.sign()
      + a // 2.0 + 3 * a, UNARY_SHAPES, lambda r, s: r.uniform(0.1, 0.4, s) + r.integers(-3, 3, s)),
    S("fmod", tl.fmod, BINARY_SHAPES, [lambda r, s: r.uniform(0.1, 0.4, s) + r.integers(-3, 3, s),
                                       lambda r, s: r.choice([-0.7, 1.3], s)]),
    S("remainder", lambda a, b: a % b, BINARY_SHAPES, [lambda r, s: r.uniform(0.1, 0.4, s) + r.integers(-3, 3, s),
                                                       lambda r, s: r.choice([-0.7, 1.3], s)]),
    S("logaddexp", tl.logaddexp, BINARY_SHAPES),
    S("hypot", tl.hypot, BINARY_SHAPES, [away_from_zero, normal]),
    S("lerp scalar weight", lambda a, b: tl.lerp(a, b, 0.7), BINARY_SHAPES),
    S("lerp tensor weight", tl.lerp, [((2, 3), (3,), (2, 1)), ((), (), ()), ((4,), (4,), ())]),
    S("prod all", lambda a: a.prod(), REDUCE_SHAPES + UNARY_SHAPES[:1]),
    S("prod dim keepdim", lambda a: a.prod(dim=1, keepdim=True), REDUCE_SHAPES),
    S("prod with zeros", lambda a: (a * tl.tensor(np.arange(24).reshape(2, 3, 4) % 5 != 0, dtype=a.dtype)).prod(-1),
      REDUCE_SHAPES),
    S("cumsum", lambda a: a.cumsum(1), REDUCE_SHAPES),
    S("cumsum 0-d and last dim", lambda a: a.cumsum(-1), UNARY_SHAPES),
    S("cumprod", lambda a: tl.cumprod(a, dim=-1), REDUCE_SHAPES + UNARY_SHAPES[:1]),
    S("cumprod with zeros",
      lambda a: (a * tl.tensor(np.arange(24).reshape(2, 3, 4) % 3 != 1, dtype=a.dtype)).cumprod(2),
      REDUCE_SHAPES),
    S("logcumsumexp", lambda a: a.logcumsumexp(axis=0), REDUCE_SHAPES + UNARY_SHAPES[:1]),
    S("amax", lambda a: a.amax(dim=(0, 2)), REDUCE_SHAPES),
    S("amin keepdim", lambda a: tl.amin(a, -1, keepdim=True), REDUCE_SHAPES + UNARY_SHAPES[:1]),
    S("nansum", lambda a: tl.nansum(a, dim=(0, 1)), REDUCE_SHAPES),
    S("nanmean", lambda a: a.nanmean(dim=-1), REDUCE_SHAPES),
    S("std_mean", lambda a: tl.std_mean(a, dim=1), REDUCE_SHAPES),
    S("var_mean", lambda a: tl.var_mean(a, keepdim=True), REDUCE_SHAPES),
    S("sum dim=() dtype=", lambda a: a.sum(dim=(), dtype=a.dtype), REDUCE_SHAPES),
    # issue 22 part A: PyTorch's products, norms and tl.linalg
    S("mm bmm mv dot outer", lambda a, b: tl.mm(a, b).sum() + tl.bmm(a[None], b[None]) + tl.mv(a, b[:, 0])[0]
      + tl.dot(a[0], b[:, 1]) + tl.outer(a[1], b[0]).sum(), [((2, 3), (3, 4))]),
    S("addmm addmv baddbmm", lambda i, a, b: tl.addmm(i, a, b, beta=0.5, alpha=2).sum()
      + tl.addmv(i[:2], a, b[:, 0], beta=-1).sum() + tl.baddbmm(i, a[None], b[None], alpha=3).sum(),
      [((4,), (2, 3), (3, 4))]),
    S("vector_norm", lambda a: tl.linalg.vector_norm(a, 3.0, dim=1) + tl.linalg.vector_norm(a, float("inf"), dim=1),
      [((2, 3, 4),)], away_from_zero),
    S("matrix_norm and norm",
      lambda a: tl.linalg.matrix_norm(a, "nuc") + tl.linalg.matrix_norm(a, 1) + a.norm(dim=(1, 2)), [((2, 3, 4),)]),
    S("inv det solve", lambda a, b: tl.linalg.inv(a).sum() + tl.linalg.det(a) + tl.linalg.solve(a, b).sum(),
      [((3, 3), (3, 2))], [lambda rng, shape: normal(rng, shape) + 3 * np.eye(3), normal]),
    S("cholesky qr", lambda a: tl.linalg.cholesky(a @ a.mT + tl.eye(3, dtype=a.dtype)).sum()
      + sum(t.sum() for t in tl.linalg.qr(a)), [((3, 3),)]),
    S("svd eigh", lambda a: sum((t * t).sum() for t in tl.linalg.svd(a, full_matrices=False))
      + sum((t * t).sum() for t in tl.linalg.eigh(a + a.mT)), [((3, 3),)]),
    S("clone contiguous mT t", lambda a: a.mT.contiguous().clone().t(), [((3, 2),)]),
    # issue 16: indexing and scatter forms the table lacked (their second derivatives too)
    S("setitem index list, broadcast value", lambda a, v: tl.setitem(a, (slice(None), [0, 2]), v), [((3, 4), (3, 1))]),
    S("scatter_reduce sum and amin include_self=False",
      lambda a, s: a.scatter_reduce(1, tl.tensor([[0, 0], [2, 1]]), s, "sum", include_self=False)
      + a.scatter_reduce(1, tl.tensor([[3, 3], [0, 3]]), s, "amin", include_self=False), [((2, 4), (2, 3))]),
    S("scatter_reduce prod include_self=False",
      lambda a, s: a.scatter_reduce(0, tl.tensor([[0, 0, 1], [1, 0, 1]]), s, "prod", include_self=False),
      [((2, 3), (3, 3))]),
]

# issue 16 (higher-order gradients): convolution, pooling and grid sampling rows
SPECS += [
    S("conv1d stride/padding/dilation, bias", lambda x, w, b: _F.conv1d(x, w, b, stride=2, padding=1, dilation=2),
      [((2, 3, 9), (4, 3, 3), (4,))]),
    S("conv2d same, groups", lambda x, w: _F.conv2d(x, w, padding="same", groups=2), [((2, 4, 5, 4), (2, 2, 2, 3))]),
    S("conv3d stride, unbatched", lambda x, w, b: _F.conv3d(x, w, b, stride=(1, 2, 1)),
      [((2, 3, 4, 3), (2, 2, 2, 1, 2), (2,))]),
    S("max_pool1d/2d/3d", lambda a: _F.max_pool1d(a, 2, 1, 1).sum() + _F.max_pool2d(a, 2).sum()
      + _F.max_pool3d(a.unsqueeze(0), (1, 2, 2), 1), [((2, 4, 5),)]),
    S("avg_pool1d/2d/3d", lambda a: _F.avg_pool1d(a, 3, 2, 1, count_include_pad=False).sum()
      + _F.avg_pool2d(a, 2, ceil_mode=True).sum() + _F.avg_pool3d(a.unsqueeze(0), 2, 1, 1), [((2, 4, 5),)]),
    S("grid_sample bilinear/nearest", lambda x, g: _F.grid_sample(x, g, padding_mode="border", align_corners=False)
      + _F.grid_sample(x, g, mode="nearest", padding_mode="reflection", align_corners=True),
      [((2, 2, 3, 4), (2, 3, 2, 2))], [normal, lambda rng, shape: rng.uniform(-1.2, 1.2, shape)]),
    # issue 16: the fused losses, normalisation and attention (rows for their second derivatives)
    S("cross_entropy weight ignore_index label_smoothing", lambda a: _F.cross_entropy(
        a, tl.tensor([1, -100, 3]), tl.tensor([1.0, 2.0, 0.5, 1.5]), label_smoothing=0.2), [((3, 4),)]),
    S("cross_entropy (N, C, d) none", lambda a: _F.cross_entropy(a, tl.tensor([[0, 2], [1, 1]]), reduction="none"),
      [((2, 3, 2),)]),
    S("cross_entropy probabilities", lambda a, p: _F.cross_entropy(a, p, label_smoothing=0.1),
      [((3, 4), (3, 4))], [normal, positive]),
    S("nll_loss weight", lambda a: _F.nll_loss(a * a, tl.tensor([1, 0, 3]), tl.tensor([1.0, 2.0, 0.5, 1.5])),
      [((3, 4),)]),
    S("mse_loss", lambda a, b: _F.mse_loss(a * b, b), [((3, 4), (3, 4))]),
    S("binary_cross_entropy", lambda p, y: _F.binary_cross_entropy(p, y, reduction="sum"), [((3, 4), (3, 4))],
      lambda r, s: r.uniform(0.1, 0.9, s)),
    S("binary_cross_entropy_with_logits pos_weight", lambda a, y: _F.binary_cross_entropy_with_logits(
        a, y, pos_weight=tl.tensor([1.0, 2.0, 0.5, 3.0])), [((3, 4), (3, 4))],
      [normal, lambda r, s: r.uniform(0, 1, s)]),
    S("categorical_cross_entropy", lambda p, y: _F.categorical_cross_entropy(p, y) + _F.categorical_cross_entropy(
        p, tl.tensor([0, 3, 1]), "sum"), [((3, 4), (3, 4))], positive),
    S("batch_norm training", lambda x, w, b: _F.batch_norm(x, None, None, w, b, training=True),
      [((4, 3), (3,), (3,)), ((2, 3, 4), (3,), (3,))]),
    S("batch_norm eval", lambda x, w, b: _F.batch_norm(x, np.array([0.1, -0.2, 0.3], x.dtype),
                                                        np.array([1.0, 0.5, 2.0], x.dtype), w, b),
      [((2, 3, 4), (3,), (3,))]),
    S("layer_norm", lambda x, w, b: _F.layer_norm(x, (3, 4), w, b), [((2, 3, 4), (3, 4), (3, 4))]),
    S("scaled_dot_product_attention float mask", lambda q, k, v, m: _F.scaled_dot_product_attention(q, k, v, m),
      [((2, 3, 4), (2, 5, 4), (2, 5, 3), (3, 5))]),
]

# issue 16: the fused LSTM layer op (its second derivatives run its backward_graph)
SPECS += [
    S("lstm_layer", lambda *a: tl.ops.recurrent.lstm_layer(*a),
      [((2, 2, 3), (2, 2), (2, 2), (8, 3), (8, 2), (8,), (8,))]),
    S("lstm_layer reverse no bias", lambda *a: tl.ops.recurrent.lstm_layer(*a, reverse=True),
      [((3, 1, 2), (1, 2), (1, 2), (8, 2), (8, 2))]),
    # issue 16: linear-algebra rows that need no indexing
    S("F.linear", tl.nn.functional.linear, [((3, 4), (2, 4), (2,)), ((2, 3, 4), (5, 4), (5,)), ((4,), (3, 4), (3,))]),
    S("F.linear no bias", tl.nn.functional.linear, [((3, 4), (2, 4)), ((2, 1, 4), (3, 4))]),
    S("mv dot outer bmm", lambda a, v: tl.outer(tl.mv(a, v), v) * tl.dot(v, v)
      + tl.bmm(a.unsqueeze(0), a.mT.unsqueeze(0)).sum(), [((2, 3), (3,))]),
]

LAYOUTS = ["contiguous", "non-contiguous", "negative-stride"]


def arrange(arr: np.ndarray, layout: str) -> np.ndarray:
    """The same values in memory laid out as asked."""
    if layout == "contiguous":
        return arr
    if layout == "non-contiguous":
        out = np.empty(arr.shape + (2,))[..., 0]
        out[...] = arr
        return out
    out = np.empty(arr.shape)[(slice(None, None, -1),) * arr.ndim + (Ellipsis,)]
    out[...] = arr
    return out


CASES = [
    pytest.param(spec, shapes, layout, id=f"{spec.name}-{shapes}-{layout}")
    for spec in SPECS for shapes in spec.shapes for layout in LAYOUTS
]


@pytest.mark.parametrize("spec, shapes, layout", CASES)
def test_gradcheck(spec, shapes, layout):
    rng = np.random.default_rng(abs(hash((spec.name, shapes))) % 2**32)
    makers = spec.make if isinstance(spec.make, list) else [spec.make] * len(shapes)
    inputs = [tl.Tensor(arrange(make(rng, shape), layout), requires_grad=True)
              for make, shape in zip(makers, shapes)]
    if layout == "non-contiguous":
        assert all(not t.data.flags.c_contiguous for t in inputs if t.ndim)
    assert tl.gradcheck(spec.fn, inputs)


SECOND_ORDER_CASES = [pytest.param(spec, shapes, id=f"{spec.name}-{shapes}")
                      for spec in SPECS for shapes in spec.shapes]


@pytest.mark.parametrize("spec, shapes", SECOND_ORDER_CASES)
def test_gradgradcheck(spec, shapes):
    """Every row's second derivatives (the gradient of its gradient, taken with
    ``tl.grad(..., create_graph=True)``) against finite differences of its first derivatives."""
    rng = np.random.default_rng(abs(hash((spec.name, shapes, 2))) % 2**32)
    makers = spec.make if isinstance(spec.make, list) else [spec.make] * len(shapes)
    inputs = [tl.Tensor(make(rng, shape), requires_grad=True) for make, shape in zip(makers, shapes)]
    assert tl.gradgradcheck(spec.fn, inputs)


@pytest.mark.parametrize("spec", SPECS, ids=[s.name for s in SPECS])
def test_float32_gradients_keep_dtype_and_shape(spec):
    """Run each op in float32: every gradient has its input's shape and dtype."""
    rng = np.random.default_rng(0)
    shapes = spec.shapes[0]
    makers = spec.make if isinstance(spec.make, list) else [spec.make] * len(shapes)
    inputs = [tl.Tensor(make(rng, s).astype(np.float32), requires_grad=True) for make, s in zip(makers, shapes)]
    out = spec.fn(*inputs)
    outs = [out] if isinstance(out, tl.Tensor) else list(out)
    grads = tl.grad(outs, inputs, grad_outputs=[np.ones(o.shape, np.float32) for o in outs], retain_graph=True,
                    allow_unused=True)
    total = sum(o.sum() for o in outs)
    total.backward()
    for t, g in zip(inputs, grads):
        assert t.grad.shape == t.shape and t.grad.dtype == np.float32
        np.testing.assert_allclose(t.grad, np.zeros(t.shape) if g is None else g, rtol=1e-6)  # grad() agrees
    for o in outs:
        assert o.dtype == np.float32


class WrongTanh(tl.autograd.Op):
    """A deliberately wrong rule (missing the square), to show gradcheck catches it."""

    def forward(self, a):
        out = np.tanh(a)
        self.save(out)
        return out

    def backward(self, grad):
        (out,) = self.saved
        return grad * (1 - out)


def test_gradcheck_catches_a_wrong_rule():
    x = tl.tensor(np.linspace(-1, 1, 7), requires_grad=True)
    with pytest.raises(tl.GradcheckError, match=r"worst mismatch at index \(\d+,\)"):
        tl.gradcheck(lambda t: WrongTanh.apply(t), [x])


def test_gradcheck_reports_the_worst_element():
    class OffAtTwo(tl.autograd.Op):
        def forward(self, a):
            return a * 1.0

        def backward(self, grad):
            g = grad.copy()
            g[2] += 0.5
            g[4] += 0.1
            return g

    x = tl.tensor(np.ones(6), requires_grad=True)
    with pytest.raises(tl.GradcheckError, match=r"index \(2,\): analytic \S+ vs numeric \S+ .*2 of 6 elements differ"):
        tl.gradcheck(lambda t: OffAtTwo.apply(t), [x])


def test_tie_conventions():
    """maximum/minimum and max/min split ties equally; clip passes at bounds; relu, abs give 0 at 0."""
    a = tl.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = tl.tensor([1.0, 5.0, 0.0], requires_grad=True)
    tl.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad, [0.5, 1.0, 0.0])
    a.grad = b.grad = None
    tl.minimum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.5, 1.0, 0.0])

    x = tl.tensor([[1.0, 4.0, 4.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(dim=(1,)).sum().backward()  # over a tuple of dims (values only): shared equally
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x.grad = None
    x.max(dim=1).values.sum().backward()  # along one dim: to the first of the tied, as PyTorch
    np.testing.assert_allclose(x.grad, [[0, 1, 0], [1, 0, 0]])
    x.grad = None
    x.min().backward()
    np.testing.assert_allclose(x.grad, [[1, 0, 0], [0, 0, 0]])

    c = tl.tensor([-1.0, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    c.clip(0.0, 1.0).sum().backward()
    np.testing.assert_array_equal(c.grad, [0, 1, 1, 1, 0])
    z = tl.tensor([0.0, -0.0, 1.0], requires_grad=True)
    (z.relu() + abs(z)).sum().backward()
    np.testing.assert_array_equal(z.grad, [0.0, 0.0, 2.0])


def test_repeated_indices_accumulate():
    x = tl.zeros(3, requires_grad=True)
    x[tl.tensor([0, 2, 0, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_cast_sends_gradient_back_in_input_dtype():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    y = x.astype(np.float64)
    assert y.dtype == np.float64
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_family_is_stable_at_1e4(dtype):
    big = tl.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4]], dtype=dtype, requires_grad=True)
    p = big.softmax(dim=1)
    lp = big.log_softmax(dim=1)
    lse = big.logsumexp(dim=1)
    for t in (p, lp, lse):
        assert np.isfinite(t.data).all()
    np.testing.assert_allclose(p.data, [[1, 0, 0], [1 / 3] * 3, [1 / 3] * 3], atol=1e-6)
    np.testing.assert_allclose(lp.data[0], [0, -2e4, -1e4], rtol=1e-6)
    np.testing.assert_allclose(lse.data, [1e4, -1e4 + np.log(3), 1e4 + np.log(3)], rtol=1e-6)
    (p.sum() + lp.sum() + lse.sum()).backward()
    assert np.isfinite(big.grad).all()
    s = tl.tensor([-1e4, 0.0, 1e4], dtype=dtype)
    np.testing.assert_array_equal(s.sigmoid().data, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(s.tanh().data, [-1.0, 0.0, 1.0])


@pytest.mark.filterwarnings("ignore:divide by zero encountered in log")
def test_logsumexp_of_all_minus_inf_is_minus_inf():
    x = tl.tensor([-np.inf, -np.inf])
    assert tl.logsumexp(x).item() == -np.inf
