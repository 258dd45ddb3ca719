"""Higher-order gradients of the fused losses, normalisation and attention ops (issue 16).

Every public function (and layer) that records one of ``CrossEntropy NllLoss MseLoss
BinaryCrossEntropy BinaryCrossEntropyWithLogits CategoricalCrossEntropy KlDiv CtcLoss BatchNorm
LayerNorm Gelu ScaledDotProductAttention`` is differentiated to order 3 and compared with PyTorch
in float64, with its main options; ``tl.gradgradcheck`` covers edge cases (a batch of one, 0-d
targets, ignored targets, masked rows, impossible CTC alignments), and a WGAN-GP gradient penalty
through a small MLP with ``layer_norm`` is compared with PyTorch.

Where PyTorch cannot be the oracle, a PyTorch function written with its primitive ops is:
PyTorch's native ``layer_norm``/``batch_norm``/``instance_norm`` give wrong third derivatives (their
double-backward is not itself differentiated correctly: finite differences of their own second
derivatives disagree with them, while they agree with ours), and its ``ctc_loss`` has no double
backward at all.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F

sys.path.insert(0, str(Path(__file__).parent))
from higher_order import assert_matches_torch  # noqa: E402

torch = pytest.importorskip("torch")
TF = torch.nn.functional

rng = np.random.default_rng(16)
N, C = 4, 5
X = rng.standard_normal((N, C))
X3 = rng.standard_normal((2, 3, 4))  # (N, C, d)
IDX = np.array([1, 0, 4, 2])
IDX_IGNORED = np.array([1, -100, 4, 2])
W = rng.uniform(0.5, 2.0, C)
PROBS = rng.dirichlet(np.ones(C), N)
UNIT = rng.uniform(0.1, 0.9, (N, C))  # probabilities away from 0 and 1
POS = rng.uniform(0.5, 2.0, (N, C))
BN_X = rng.standard_normal((4, 3, 5))
BN_W, BN_B = rng.uniform(0.5, 2.0, 3), rng.standard_normal(3)
RM, RV = rng.standard_normal(3), rng.uniform(0.5, 2.0, 3)
Q, K, V = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((2, 5, 3))
BOOL_MASK = rng.random((3, 5)) > 0.4
BOOL_MASK[:, 0] = True
FLOAT_MASK = rng.standard_normal((1, 3, 5))
CTC_TARGETS, CTC_IN, CTC_TG = np.array([[1, 2, 2], [3, 1, 0]]), [6, 5], [3, 2]
CTC_X = rng.standard_normal((6, 2, 4))


def t64(a):
    return torch.tensor(a, dtype=torch.float64)


def ti(a):
    return torch.tensor(a)


# -- PyTorch references written with primitive ops (differentiable to any order) ----------------

def torch_batch_norm(x, w=None, b=None, eps=1e-5):
    axes = [0] + list(range(2, x.ndim))
    shape = [1, x.shape[1]] + [1] * (x.ndim - 2)
    xc = x - x.mean(axes, keepdim=True)
    y = xc / ((xc * xc).mean(axes, keepdim=True) + eps).sqrt()
    y = y if w is None else y * w.reshape(shape)
    return y if b is None else y + b.reshape(shape)


def torch_layer_norm(x, dims, w=None, b=None, eps=1e-5):
    axes = list(range(x.ndim - dims, x.ndim))
    xc = x - x.mean(axes, keepdim=True)
    y = xc / ((xc * xc).mean(axes, keepdim=True) + eps).sqrt()
    y = y if w is None else y * w
    return y if b is None else y + b


def torch_instance_norm(x, w, b, eps=1e-5):
    axes = list(range(2, x.ndim))
    shape = [1, x.shape[1]] + [1] * (x.ndim - 2)
    xc = x - x.mean(axes, keepdim=True)
    return xc / ((xc * xc).mean(axes, keepdim=True) + eps).sqrt() * w.reshape(shape) + b.reshape(shape)


def torch_ctc(lp, targets, in_len, tg_len, blank=0):
    """-log p(target | lp) per sample by the alpha recursion in log space (a large finite
    negative number stands for log 0, so that no gradient is NaN)."""
    T, n_samples, _ = lp.shape
    low = torch.tensor(-1e4, dtype=lp.dtype)
    losses = []
    for n in range(n_samples):
        ext = [blank]
        for label in targets[n][:tg_len[n]]:
            ext += [int(label), blank]
        S = len(ext)
        alpha = [lp[0, n, ext[s]] if s < 2 else low for s in range(S)]
        for t in range(1, in_len[n]):
            alpha = [torch.logsumexp(torch.stack(
                [alpha[s]] + ([alpha[s - 1]] if s >= 1 else [])
                + ([alpha[s - 2]] if s >= 2 and ext[s] != blank and ext[s] != ext[s - 2] else [])), 0)
                + lp[t, n, ext[s]] for s in range(S)]
        losses.append(-torch.logsumexp(torch.stack(alpha[-2:]), 0))
    return torch.stack(losses)


def tl_log_softmax(a, dim):
    """log_softmax written with primitives that have graph rules on this branch."""
    return a - a.exp().sum(dim, keepdim=True).log()


# -- the table: (id, tensorlite fn, PyTorch fn, inputs, which inputs to differentiate) ----------

def case(name, tl_fn, torch_fn, arrays, wrt=None, order=3):
    return pytest.param(tl_fn, torch_fn, arrays, wrt, order, id=name)


CASES = [
    # cross_entropy: class-index targets
    case("cross_entropy", lambda x: F.cross_entropy(x, IDX), lambda x: TF.cross_entropy(x, ti(IDX)), [X]),
    case("cross_entropy weight ignore_index smoothing none",
         lambda x: F.cross_entropy(x, IDX_IGNORED, W, label_smoothing=0.2, reduction="none"),
         lambda x: TF.cross_entropy(x, ti(IDX_IGNORED), t64(W), label_smoothing=0.2, reduction="none"), [X]),
    case("cross_entropy weight ignore_index smoothing mean",
         lambda x: F.cross_entropy(x, IDX_IGNORED, W, label_smoothing=0.2),
         lambda x: TF.cross_entropy(x, ti(IDX_IGNORED), t64(W), label_smoothing=0.2), [X]),
    case("cross_entropy sum, spatial (N, C, d)",
         lambda x: F.cross_entropy(x, np.array([[1, 2, 0, 2], [0, 1, 1, 2]]), reduction="sum"),
         lambda x: TF.cross_entropy(x, ti([[1, 2, 0, 2], [0, 1, 1, 2]]), reduction="sum"), [X3]),
    case("cross_entropy unbatched, 0-d target",
         lambda x: F.cross_entropy(x, np.array(3), reduction="none"),
         lambda x: TF.cross_entropy(x, ti(3), reduction="none"), [X[0]]),
    # cross_entropy: probability targets, which get gradients too
    case("cross_entropy probabilities weight smoothing",
         lambda x, y: F.cross_entropy(x, y, W, label_smoothing=0.1),
         lambda x, y: TF.cross_entropy(x, y, t64(W), label_smoothing=0.1), [X, PROBS]),
    case("cross_entropy probabilities none", lambda x, y: F.cross_entropy(x, y, reduction="none"),
         lambda x, y: TF.cross_entropy(x, y, reduction="none"), [X, PROBS]),
    case("cross_entropy probabilities, target only", lambda x, y: F.cross_entropy(x * x, y, reduction="sum"),
         lambda x, y: TF.cross_entropy(x * x, y, reduction="sum"), [X, PROBS], wrt=[1]),
    case("CrossEntropyLoss layer", lambda x: tl.nn.CrossEntropyLoss(label_smoothing=0.3)(x, IDX),
         lambda x: torch.nn.CrossEntropyLoss(label_smoothing=0.3)(x, ti(IDX)), [X]),
    # nll_loss (through log_softmax written with primitives)
    case("nll_loss weight ignore_index", lambda x: F.nll_loss(tl_log_softmax(x, 1), IDX_IGNORED, W),
         lambda x: TF.nll_loss(x.log_softmax(1), ti(IDX_IGNORED), t64(W)), [X]),
    case("nll_loss none, spatial",
         lambda x: F.nll_loss(x * x, np.array([[1, 2, 0, 2], [0, 1, 1, 2]]), reduction="none"),
         lambda x: TF.nll_loss(x * x, ti([[1, 2, 0, 2], [0, 1, 1, 2]]), reduction="none"), [X3]),
    case("NLLLoss layer sum", lambda x: tl.nn.NLLLoss(reduction="sum")(x.exp(), IDX),
         lambda x: torch.nn.NLLLoss(reduction="sum")(x.exp(), ti(IDX)), [X]),
    # mse_loss
    case("mse_loss", lambda x, y: F.mse_loss(x * x, y), lambda x, y: TF.mse_loss(x * x, y), [X, PROBS]),
    case("mse_loss none", lambda x, y: F.mse_loss(x.exp(), y * y, reduction="none"),
         lambda x, y: TF.mse_loss(x.exp(), y * y, reduction="none"), [X, PROBS]),
    case("MSELoss layer sum", lambda x, y: tl.nn.MSELoss(reduction="sum")(x, y.tanh()),
         lambda x, y: torch.nn.MSELoss(reduction="sum")(x, y.tanh()), [X, PROBS]),
    # binary cross entropy
    case("binary_cross_entropy weight", lambda p, y: F.binary_cross_entropy(p, y, W),
         lambda p, y: TF.binary_cross_entropy(p, y, t64(W)), [UNIT, PROBS]),
    case("binary_cross_entropy of sigmoid, none", lambda x, y: F.binary_cross_entropy(x.sigmoid(), y, reduction="none"),
         lambda x, y: TF.binary_cross_entropy(x.sigmoid(), y, reduction="none"), [X, PROBS]),
    case("BCELoss layer sum", lambda p, y: tl.nn.BCELoss(reduction="sum")(p, y),
         lambda p, y: torch.nn.BCELoss(reduction="sum")(p, y), [UNIT, PROBS]),
    case("binary_cross_entropy_with_logits", lambda x, y: F.binary_cross_entropy_with_logits(x, y),
         lambda x, y: TF.binary_cross_entropy_with_logits(x, y), [X, PROBS]),
    case("binary_cross_entropy_with_logits weight pos_weight none",
         lambda x, y: F.binary_cross_entropy_with_logits(x * 3, y, W, "none", W[::-1].copy()),
         lambda x, y: TF.binary_cross_entropy_with_logits(x * 3, y, t64(W), reduction="none",
                                                          pos_weight=t64(W[::-1].copy())),
         [X, PROBS]),
    case("BCEWithLogitsLoss layer pos_weight sum",
         lambda x, y: tl.nn.BCEWithLogitsLoss(reduction="sum", pos_weight=tl.tensor(W))(x, y),
         lambda x, y: torch.nn.BCEWithLogitsLoss(reduction="sum", pos_weight=t64(W))(x, y), [X, PROBS]),
    # categorical_cross_entropy: -sum t log(max(p, eps)), PyTorch written out (p > eps here)
    case("categorical_cross_entropy one-hot/probability target", lambda p, y: F.categorical_cross_entropy(p, y),
         lambda p, y: -(y * p.log()).sum(-1).mean(), [UNIT, PROBS]),
    case("categorical_cross_entropy index target none", lambda p: F.categorical_cross_entropy(p, IDX, "none"),
         lambda p: -p.gather(1, ti(IDX)[:, None])[:, 0].log(), [UNIT]),
    case("categorical_cross_entropy of softmax, 1-d",
         lambda x: F.categorical_cross_entropy(x.exp() / x.exp().sum(), np.array(2)),
         lambda x: -x.softmax(0)[2].log(), [X[0]]),
    case("CCELoss layer", lambda p, y: tl.nn.CCELoss(reduction="sum")(p, y), lambda p, y: -(y * p.log()).sum(),
         [UNIT, PROBS]),
    # kl_div
    case("kl_div batchmean", lambda x, y: F.kl_div(x, y, reduction="batchmean"),
         lambda x, y: TF.kl_div(x, y, reduction="batchmean"), [X, PROBS]),
    case("kl_div log_target sum", lambda x, y: F.kl_div(x, y, reduction="sum", log_target=True),
         lambda x, y: TF.kl_div(x, y, reduction="sum", log_target=True), [X, X[::-1].copy()]),
    case("KLDivLoss layer none", lambda x, y: tl.nn.KLDivLoss(reduction="none")(x, y),
         lambda x, y: torch.nn.KLDivLoss(reduction="none")(x, y), [X, PROBS]),
    # ctc_loss: through log_softmax its gradient is the true one, so the reference recursion applies
    case("ctc_loss none", lambda x: F.ctc_loss(tl_log_softmax(x, 2), CTC_TARGETS, CTC_IN, CTC_TG, reduction="none"),
         lambda x: torch_ctc(x.log_softmax(2), CTC_TARGETS, CTC_IN, CTC_TG), [CTC_X]),
    case("ctc_loss mean", lambda x: F.ctc_loss(tl_log_softmax(x, 2), CTC_TARGETS, CTC_IN, CTC_TG),
         lambda x: (torch_ctc(x.log_softmax(2), CTC_TARGETS, CTC_IN, CTC_TG) / t64(CTC_TG)).mean(), [CTC_X]),
    case("ctc_loss 1-d targets, CTCLoss layer sum",
         lambda x: tl.nn.CTCLoss(reduction="sum")(tl_log_softmax(x, 2), np.array([1, 2, 2, 3, 1]), CTC_IN, CTC_TG),
         lambda x: torch_ctc(x.log_softmax(2), CTC_TARGETS, CTC_IN, CTC_TG).sum(), [CTC_X]),
    case("ctc_loss first order against PyTorch's",
         lambda x: F.ctc_loss(x, CTC_TARGETS, CTC_IN, CTC_TG, reduction="none"),
         lambda x: TF.ctc_loss(x, ti(CTC_TARGETS), CTC_IN, CTC_TG, reduction="none"), [CTC_X], order=1),
    # batch_norm: PyTorch's native op for orders 1-2, written out for order 3 (see the docstring)
    case("batch_norm training", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         lambda x, w, b: TF.batch_norm(x, None, None, w, b, training=True), [BN_X, BN_W, BN_B], order=2),
    case("batch_norm training (order 3)", lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
         torch_batch_norm, [BN_X, BN_W, BN_B]),
    case("batch_norm training (N, C), no affine, eps", lambda x: F.batch_norm(x, None, None, training=True, eps=0.1),
         lambda x: torch_batch_norm(x, eps=0.1), [X]),
    case("batch_norm eval", lambda x, w, b: F.batch_norm(x, RM.copy(), RV.copy(), w, b),
         lambda x, w, b: TF.batch_norm(x, t64(RM), t64(RV), w, b), [BN_X, BN_W, BN_B]),
    case("batch_norm eval, constant affine",
         lambda x: F.batch_norm(x * x, RM.copy(), RV.copy(), tl.tensor(BN_W), tl.tensor(BN_B)),
         lambda x: TF.batch_norm(x * x, t64(RM), t64(RV), t64(BN_W), t64(BN_B)), [BN_X]),
    case("BatchNorm1d layer training", lambda x: tl.nn.BatchNorm1d(3, dtype=np.float64)(x.tanh()),
         lambda x: torch_batch_norm(x.tanh()), [BN_X]),
    case("BatchNorm2d layer eval", lambda x: tl.nn.BatchNorm2d(3, dtype=np.float64).eval()(x.reshape(4, 3, 5, 1)),
         lambda x: torch.nn.BatchNorm2d(3, dtype=torch.float64).eval()(x.reshape(4, 3, 5, 1)), [BN_X]),
    # layer_norm, and the compositions that record LayerNorm / BatchNorm
    case("layer_norm", lambda x, w, b: F.layer_norm(x, (3, 5), w, b),
         lambda x, w, b: TF.layer_norm(x, (3, 5), w, b), [BN_X, BN_X[0] + 1, BN_X[1]], order=2),
    case("layer_norm (order 3)", lambda x, w, b: F.layer_norm(x, (3, 5), w, b),
         lambda x, w, b: torch_layer_norm(x, 2, w, b), [BN_X, BN_X[0] + 1, BN_X[1]]),
    case("layer_norm no affine, non-leaf input", lambda x: F.layer_norm(x * 2, 5, eps=0.1),
         lambda x: torch_layer_norm(x * 2, 1, eps=0.1), [BN_X]),
    case("LayerNorm layer", lambda x: tl.nn.LayerNorm(5, dtype=np.float64)(x), lambda x: torch_layer_norm(x, 1),
         [BN_X]),
    case("group_norm", lambda x, w, b: F.group_norm(x, 3, w, b), lambda x, w, b: TF.group_norm(x, 3, w, b),
         [BN_X, BN_W, BN_B]),
    case("instance_norm", lambda x, w, b: F.instance_norm(x, weight=w, bias=b), torch_instance_norm,
         [BN_X, BN_W, BN_B]),
    case("instance_norm running stats (eval)",
         lambda x, w, b: F.instance_norm(x, RM.copy(), RV.copy(), w, b, use_input_stats=False),
         lambda x, w, b: TF.instance_norm(x, t64(RM), t64(RV), w, b, use_input_stats=False), [BN_X, BN_W, BN_B]),
    # gelu
    case("gelu", F.gelu, TF.gelu, [X3 * 2]),
    case("gelu tanh", lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh"), [X3 * 2]),
    case("GELU layer", lambda x: tl.nn.GELU()(x), lambda x: torch.nn.GELU()(x), [X]),
    # scaled_dot_product_attention
    case("scaled_dot_product_attention", F.scaled_dot_product_attention, TF.scaled_dot_product_attention, [Q, K, V]),
    case("scaled_dot_product_attention causal scale",
         lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7),
         lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.7), [Q, K, V]),
    case("scaled_dot_product_attention bool mask",
         lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=BOOL_MASK),
         lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, attn_mask=ti(BOOL_MASK)), [Q, K, V]),
    case("scaled_dot_product_attention float mask with a gradient",
         lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
         lambda q, k, v, m: TF.scaled_dot_product_attention(q, k, v, attn_mask=m), [Q, K, V, FLOAT_MASK]),
    case("scaled_dot_product_attention broadcast batch, 2-d",
         F.scaled_dot_product_attention, TF.scaled_dot_product_attention,
         [rng.standard_normal((2, 1, 3, 4)), rng.standard_normal((2, 5, 4)), rng.standard_normal((5, 2))]),
]


@pytest.mark.parametrize("tl_fn, torch_fn, arrays, wrt, order", CASES)
def test_derivatives_match_torch(tl_fn, torch_fn, arrays, wrt, order):
    assert_matches_torch(tl_fn, torch_fn, arrays, order=order, wrt=wrt)


# -- gradgradcheck on edge cases -------------------------------------------------------------

def var(a):
    return tl.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


EDGES = [
    pytest.param(lambda x: F.cross_entropy(x, np.array([2])), [X[:1]], id="cross_entropy batch of 1"),
    pytest.param(lambda x: F.cross_entropy(x, np.array(0), label_smoothing=0.1), [X[0]], id="cross_entropy 0-d target"),
    pytest.param(lambda x: F.cross_entropy(x, np.array([-100, -100])), [X[:2]],
                 id="cross_entropy all ignored (mean 0/0)"),
    pytest.param(lambda x, y: F.cross_entropy(x, y), [X[:1], PROBS[:1]], id="cross_entropy probabilities batch of 1"),
    pytest.param(lambda x: F.nll_loss(x, np.array(4), reduction="none"), [X[0]], id="nll_loss 0-d target"),
    pytest.param(lambda x, y: F.mse_loss(x, y), [X[0, 0], X[1, 1]], id="mse_loss 0-d"),
    pytest.param(lambda p, y: F.binary_cross_entropy(p, y, W[:1]), [UNIT[:, :1], PROBS[:, :1]],
                 id="binary_cross_entropy broadcast weight"),
    pytest.param(lambda x, y: F.binary_cross_entropy_with_logits(x, y, pos_weight=W), [X[:1], PROBS[:1]],
                 id="binary_cross_entropy_with_logits batch of 1"),
    pytest.param(lambda p: F.categorical_cross_entropy(p, np.array([0, 3])), [UNIT[:2]],
                 id="categorical_cross_entropy index"),
    pytest.param(lambda x, y: F.kl_div(x, y, reduction="batchmean"), [X[0, 0], PROBS[0, 0]], id="kl_div 0-d"),
    pytest.param(lambda x: F.ctc_loss(x, CTC_TARGETS, CTC_IN, CTC_TG), [CTC_X], id="ctc_loss raw log_probs"),
    pytest.param(lambda x: F.ctc_loss(x, np.array([[1, 1, 2]]), [3], [3], zero_infinity=True, reduction="sum")
                 + F.ctc_loss(x, np.array([[1, 2]]), [3], [2], reduction="sum"), [CTC_X[:3, :1]],
                 id="ctc_loss impossible alignment zero_infinity, batch of 1"),
    pytest.param(lambda x: F.ctc_loss(x, np.array([2]), [4], [1]), [CTC_X[:4, 0]], id="ctc_loss unbatched"),
    pytest.param(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), [BN_X[:1], BN_W, BN_B],
                 id="batch_norm training batch of 1"),
    pytest.param(lambda x, w: F.batch_norm(x, RM.copy(), RV.copy(), w), [BN_X[:1], BN_W],
                 id="batch_norm eval batch of 1"),
    pytest.param(lambda x, w, b: F.layer_norm(x, 5, w, b), [X[:1], W, W[::-1].copy()], id="layer_norm batch of 1"),
    pytest.param(lambda x: F.gelu(x), [np.array(0.3)], id="gelu 0-d"),
    pytest.param(lambda x: F.gelu(x, approximate="tanh"), [np.array(-1.2)], id="gelu tanh 0-d"),
    pytest.param(lambda q, k, v: F.scaled_dot_product_attention(
        q, k, v, attn_mask=np.array([[True, False], [False, False]])),
                 [Q[0, :2, :2], K[0, :2, :2], V[0, :2]], id="scaled_dot_product_attention a fully masked row"),
    pytest.param(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
                 [Q[:1, :1], K[:1], V[:1], FLOAT_MASK[0, :1]], id="scaled_dot_product_attention one query, mask grad"),
]


@pytest.mark.parametrize("fn, arrays", EDGES)
def test_gradgradcheck_edge_cases(fn, arrays):
    assert tl.gradgradcheck(fn, [var(a) for a in arrays])


def test_first_derivative_of_graph_rule_equals_backward():
    """The gradient a graph rule returns has the values of the fast first-order rule."""
    for fn, arrays in [(lambda x: F.cross_entropy(x, IDX_IGNORED, W, label_smoothing=0.2), [X]),
                       (lambda x, y: F.cross_entropy(x, y), [X, PROBS]),
                       (lambda x: F.batch_norm(x, None, None, training=True), [BN_X]),
                       (lambda x: F.layer_norm(x, 5), [BN_X]),
                       (lambda x: F.ctc_loss(x, CTC_TARGETS, CTC_IN, CTC_TG), [CTC_X]),
                       (lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=BOOL_MASK), [Q, K, V])]:
        xs = [var(a) for a in arrays]
        out = fn(*xs)
        v = np.cos(np.arange(out.size)).reshape(out.shape)
        fast = tl.grad(out, xs, v, retain_graph=True)
        graph = tl.grad(out, xs, v, create_graph=True)
        for a, b in zip(fast, graph):
            assert b.requires_grad
            np.testing.assert_allclose(b.data, a, rtol=1e-10, atol=1e-12)


def test_float32_graph_rules_keep_dtype():
    x = tl.tensor(X.astype(np.float32), requires_grad=True)
    w32, y32 = W.astype(np.float32), tl.tensor(UNIT.astype(np.float32))
    for fn in [lambda a: F.cross_entropy(a, IDX_IGNORED, w32, label_smoothing=0.1),
               lambda a: F.cross_entropy(a, y32, w32, label_smoothing=0.1),
               lambda a: F.binary_cross_entropy_with_logits(a, y32, w32, pos_weight=w32),
               lambda a: F.binary_cross_entropy(a.sigmoid(), y32, w32) + F.categorical_cross_entropy(a.exp(), IDX),
               lambda a: F.layer_norm(a, 5), lambda a: F.gelu(a).sum(),
               lambda a: F.batch_norm(a, None, None, training=True).sum(),
               lambda a: F.scaled_dot_product_attention(a, a, a, attn_mask=(a @ a.mT).tanh()).sum(),
               lambda a: F.ctc_loss(a.reshape(4, 1, 5), np.array([[1, 2]]), [4], [2])]:
        (g,) = tl.grad((fn(x) * fn(x)).sum(), x, create_graph=True)
        (h,) = tl.grad(g.sum(), x)
        assert g.dtype == np.float32 and h.dtype == np.float32 and np.isfinite(h).all()


# -- a WGAN-GP gradient penalty through an MLP with layer_norm, against PyTorch -----------------

def test_wgan_gp_gradient_penalty_through_layer_norm_mlp():
    r = np.random.default_rng(3)
    d_in, hidden = 4, 6
    params = {"w1": r.standard_normal((hidden, d_in)) * 0.5, "b1": r.standard_normal(hidden) * 0.1,
              "g": 1 + 0.1 * r.standard_normal(hidden), "beta": 0.1 * r.standard_normal(hidden),
              "w2": r.standard_normal((1, hidden)) * 0.5, "b2": r.standard_normal(1) * 0.1}
    real, fake, mix = r.standard_normal((5, d_in)), r.standard_normal((5, d_in)), r.uniform(size=(5, 1))

    def run(lib, ln, act, grad):
        p = {k: lib.tensor(v, requires_grad=True) for k, v in params.items()}

        def critic(x):
            h = ln(x @ p["w1"].mT + p["b1"], (hidden,), p["g"], p["beta"])
            return act(h) @ p["w2"].mT + p["b2"]

        x_hat = lib.tensor(mix * real + (1 - mix) * fake, requires_grad=True)
        (g,) = grad(critic(x_hat).sum(), x_hat, create_graph=True)
        penalty = (((g * g).sum(1) + 1e-12).sqrt() - 1) ** 2
        loss = critic(lib.tensor(fake)).mean() - critic(lib.tensor(real)).mean() + 10 * penalty.mean()
        loss.backward()  # the first-order walk, through the ops the graph rules recorded
        return float(loss.data if lib is tl else loss.detach()), [
            np.asarray(t.grad if lib is tl else t.grad.numpy()) for t in p.values()]

    ours = run(tl, F.layer_norm, F.gelu, tl.grad)
    theirs = run(torch, TF.layer_norm, TF.gelu, torch.autograd.grad)
    assert ours[0] == pytest.approx(theirs[0], rel=1e-10)
    for a, b in zip(ours[1], theirs[1]):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-10)
