"""The losses of issue 15 (part C) against PyTorch: values and gradients (input and target) in
float32 and float64 for every reduction, the layers, CTC's alpha/beta recursion, and bad input."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {np.float32: dict(rtol=3e-5, atol=3e-6), np.float64: dict(rtol=1e-10, atol=1e-12)}
DTYPES = [np.float32, np.float64]
REDUCTIONS = ["mean", "sum", "none"]


def compare(ours, theirs, arrays, dtype, grad_of=None, consts=()):
    """Same values and vector-Jacobian products w.r.t. ``arrays`` (all differentiable unless
    ``grad_of`` lists the positions that are); ``consts`` go to both as they are."""
    grad_of = range(len(arrays)) if grad_of is None else grad_of
    ts = [torch.tensor(a.astype(dtype), requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    ls = [tl.tensor(a.astype(dtype), requires_grad=i in grad_of) for i, a in enumerate(arrays)]
    with warnings.catch_warnings():  # kl_div's 'mean' warns (PyTorch's advice to use 'batchmean')
        warnings.simplefilter("ignore")
        to = theirs(*ts, *consts)
    lo = ours(*ls, *consts)
    assert lo.dtype == dtype and lo.shape == tuple(to.shape)
    np.testing.assert_allclose(lo.data, to.detach().numpy(), **TOL[dtype])
    g = np.random.default_rng(1).standard_normal(lo.shape).astype(dtype)
    expected = torch.autograd.grad(to, [ts[i] for i in grad_of], torch.tensor(g))
    got = tl.grad(lo, [ls[i] for i in grad_of], g)
    for a, b in zip(got, expected):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b.numpy(), **TOL[dtype])


rng = np.random.default_rng(0)
X, Y = rng.standard_normal((4, 5)) * 2, rng.standard_normal((4, 5)) * 2
Y[0, :2] = X[0, :2]  # ties: the kink of |d| at 0
Y[1, 0], Y[1, 1] = X[1, 0] + 1.0, X[1, 1] - 0.5  # |d| exactly at beta = 1 and delta = 0.5


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name, ours, theirs", [
    ("l1", F.l1_loss, TF.l1_loss),
    ("smooth_l1", F.smooth_l1_loss, TF.smooth_l1_loss),
    ("smooth_l1 beta=0.5", lambda *a, **k: F.smooth_l1_loss(*a, **k, beta=0.5),
     lambda *a, **k: TF.smooth_l1_loss(*a, **k, beta=0.5)),
    ("smooth_l1 beta=0", lambda *a, **k: F.smooth_l1_loss(*a, **k, beta=0.0),
     lambda *a, **k: TF.smooth_l1_loss(*a, **k, beta=0.0)),
    ("huber", F.huber_loss, TF.huber_loss),
    ("huber delta=0.5", lambda *a, **k: F.huber_loss(*a, **k, delta=0.5),
     lambda *a, **k: TF.huber_loss(*a, **k, delta=0.5)),
])
def test_regression_losses_match_torch(name, ours, theirs, reduction, dtype):
    compare(lambda x, y: ours(x, y, reduction=reduction), lambda x, y: theirs(x, y, reduction=reduction),
            [X, Y], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_l1_and_huber_match_torch(reduction, dtype):
    """PyTorch's weighted 'mean': sum(w l) / sum(w) for l1_loss, mean(w l) for huber_loss."""
    w = rng.uniform(0.1, 2.0, X.shape)
    compare(lambda x, y, v: F.l1_loss(x, y, reduction=reduction, weight=v),
            lambda x, y, v: TF.l1_loss(x, y, reduction=reduction, weight=v), [X, Y, w], dtype)
    compare(lambda x, y, v: F.huber_loss(x, y, reduction=reduction, delta=0.5, weight=v),
            lambda x, y, v: TF.huber_loss(x, y, reduction=reduction, delta=0.5, weight=v), [X, Y, w], dtype)
    with pytest.raises(ValueError, match=r"weight of shape \(5,\).*\(4, 5\)"):
        F.l1_loss(tl.tensor(X), tl.tensor(Y), weight=np.ones(5))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch(reduction, log_target, dtype):
    logp = np.log(rng.dirichlet(np.ones(5), 4))
    q = rng.dirichlet(np.ones(5), 4)
    q[0, 1] = 0.0  # a zero probability: contributes 0
    target = np.log(q + 1e-3) if log_target else q
    grad_of = [0, 1] if log_target else [0]  # d/dq of q log q is -inf at q = 0
    compare(lambda x, y: F.kl_div(x, y, reduction=reduction, log_target=log_target),
            lambda x, y: TF.kl_div(x, y, reduction=reduction, log_target=log_target), [logp, target], dtype, grad_of)
    if not log_target:
        target = q + 0.1
        compare(lambda x, y: F.kl_div(x, y, reduction=reduction),
                lambda x, y: TF.kl_div(x, y, reduction=reduction), [logp, target], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.3, -0.2])
def test_cosine_embedding_loss_matches_torch(margin, reduction, dtype):
    a, b = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    t = np.array([1, -1, 1, -1, -1, 1])
    compare(lambda x, y: F.cosine_embedding_loss(x, y, tl.tensor(t), margin, reduction=reduction),
            lambda x, y: TF.cosine_embedding_loss(x, y, torch.tensor(t), margin, reduction=reduction), [a, b], dtype)
    compare(lambda x, y: F.cosine_embedding_loss(x, y, tl.tensor(-1), margin, reduction=reduction),
            lambda x, y: TF.cosine_embedding_loss(x, y, torch.tensor(-1), margin, reduction=reduction),
            [a[0], b[0]], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking_loss_matches_torch(reduction, dtype):
    a, b = rng.standard_normal(7), rng.standard_normal(7)
    t = np.array([1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 1.0])
    for margin in (0.0, 0.5):
        compare(lambda x, y, z, m=margin: F.margin_ranking_loss(x, y, z, m, reduction=reduction),
                lambda x, y, z, m=margin: TF.margin_ranking_loss(x, y, z, m, reduction=reduction), [a, b, t], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p, swap", [(2.0, False), (1.0, True), (3.0, False), (2.0, True)])
def test_triplet_margin_loss_matches_torch(p, swap, reduction, dtype):
    a, po, ne = rng.standard_normal((5, 3)), rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    kw = dict(margin=1.5, p=p, swap=swap, reduction=reduction)
    compare(lambda x, y, z: F.triplet_margin_loss(x, y, z, **kw),
            lambda x, y, z: TF.triplet_margin_loss(x, y, z, **kw), [a, po, ne], dtype)
    compare(lambda x, y, z: F.triplet_margin_loss(x, y, z, **kw),
            lambda x, y, z: TF.triplet_margin_loss(x, y, z, **kw), [a[0], po[0], ne[0]], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("var_shape", [(4, 3), (4, 1), (4,)])
def test_gaussian_nll_loss_matches_torch(var_shape, full, reduction, dtype):
    mu, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    var = rng.uniform(0.2, 2.0, var_shape)
    var.flat[0] = 1e-9  # below eps: clamped in value, the gradient passes (PyTorch's)
    compare(lambda a, b, v: F.gaussian_nll_loss(a, b, v, full, reduction=reduction),
            lambda a, b, v: TF.gaussian_nll_loss(a, b, v, full, reduction=reduction), [mu, y, var], dtype)


def test_gaussian_nll_loss_with_a_float_var():
    mu, y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    compare(lambda a, b: F.gaussian_nll_loss(a, b, 0.5), lambda a, b: TF.gaussian_nll_loss(a, b, 0.5), [mu, y],
            np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input, full", [(True, False), (False, False), (True, True), (False, True)])
def test_poisson_nll_loss_matches_torch(log_input, full, reduction, dtype):
    target = rng.poisson(2.0, (4, 5)).astype(float)
    x = rng.standard_normal((4, 5)) if log_input else rng.uniform(0.1, 3.0, (4, 5))
    kw = dict(log_input=log_input, full=full, reduction=reduction)
    # with full, PyTorch's target gradient is NaN at target 0 (log(0) under its mask); ours is the
    # masked term's 0: compare the target gradient on positive counts only
    compare(lambda a, b: F.poisson_nll_loss(a, b, **kw), lambda a, b: TF.poisson_nll_loss(a, b, **kw),
            [x, target], dtype, [0] if full else None)
    compare(lambda a, b: F.poisson_nll_loss(a, b, **kw), lambda a, b: TF.poisson_nll_loss(a, b, **kw),
            [x, target + 0.5], dtype)


CTC_TARGETS = np.array([[1, 2, 2, 0], [3, 3, 1, 4], [1, 0, 0, 0], [2, 4, 1, 3]])
CTC_IN = np.array([7, 6, 7, 3])  # the last is too short for its 4 labels: an infinite loss
CTC_LEN = np.array([3, 2, 1, 4])


def _ctc_compare(reduction, zero_infinity, dtype, blank=0, targets=CTC_TARGETS, in_len=CTC_IN, t_len=CTC_LEN):
    logits = np.random.default_rng(2).standard_normal((7, len(in_len), 5))
    kw = dict(blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    t = torch.tensor(logits.astype(dtype), requires_grad=True)
    lt = TF.ctc_loss(TF.log_softmax(t, 2), torch.tensor(targets), torch.tensor(in_len), torch.tensor(t_len), **kw)
    x = tl.tensor(logits.astype(dtype), requires_grad=True)
    lo = F.ctc_loss(tl.log_softmax(x, 2), targets, in_len, t_len, **kw)
    assert lo.shape == tuple(lt.shape) and lo.dtype == dtype
    np.testing.assert_allclose(lo.data, lt.detach().numpy(), **TOL[dtype])
    g = np.linspace(0.5, 1.5, lo.size).reshape(lo.shape).astype(dtype)
    (expected,) = torch.autograd.grad(lt, t, torch.tensor(g))
    (got,) = tl.grad(lo, [x], g)
    np.testing.assert_allclose(got, expected.numpy(), equal_nan=True, **TOL[dtype])
    return lo


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_loss_matches_torch(reduction, dtype):
    lo = _ctc_compare(reduction, True, dtype)
    assert np.isfinite(lo.data).all()
    # the three feasible samples only, without zero_infinity
    _ctc_compare(reduction, False, dtype, targets=CTC_TARGETS[:3], in_len=CTC_IN[:3], t_len=CTC_LEN[:3])


def test_ctc_loss_infinite_and_blank_and_concatenated_targets():
    lo = _ctc_compare("none", False, np.float64)
    assert np.isinf(lo.data[3]) and np.isfinite(lo.data[:3]).all()
    # another blank class; targets given concatenated (1-d)
    targets = np.array([[1, 2, 2, 0], [3, 3, 1, 0], [1, 0, 0, 0], [2, 0, 1, 3]])
    _ctc_compare("mean", True, np.float64, blank=4, targets=targets)
    flat = np.concatenate([row[:n] for row, n in zip(CTC_TARGETS, CTC_LEN)])
    _ctc_compare("sum", True, np.float64, targets=flat)
    # unbatched (T, C)
    logits = np.random.default_rng(3).standard_normal((6, 4))
    lt = TF.ctc_loss(TF.log_softmax(torch.tensor(logits), 1), torch.tensor([1, 1, 2]), torch.tensor(6),
                     torch.tensor(3), reduction="none")
    lo = F.ctc_loss(tl.log_softmax(tl.tensor(logits), 1), np.array([1, 1, 2]), [6], [3], reduction="none")
    np.testing.assert_allclose(lo.data, lt.numpy(), rtol=1e-12)


def test_ctc_gradient_is_the_one_through_log_softmax():
    """gradcheck through the log_softmax that produces the log-probabilities."""
    logits = tl.tensor(np.random.default_rng(4).standard_normal((5, 2, 4)), requires_grad=True)
    targets = np.array([[1, 3], [2, 2]])
    assert tl.gradcheck(lambda x: F.ctc_loss(tl.log_softmax(x, 2), targets, [5, 4], [2, 2], reduction="sum"),
                        [logits])


LAYERS = [
    (nn.L1Loss(), torch.nn.L1Loss(), 2), (nn.L1Loss(reduction="sum"), torch.nn.L1Loss(reduction="sum"), 2),
    (nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5), 2),
    (nn.HuberLoss(delta=2.0), torch.nn.HuberLoss(delta=2.0), 2),
    (nn.L1Loss(size_average=False), torch.nn.L1Loss(reduction="sum"), 2),
    (nn.SmoothL1Loss(reduce=False), torch.nn.SmoothL1Loss(reduction="none"), 2),
    (nn.MarginRankingLoss(0.2), torch.nn.MarginRankingLoss(0.2), 3),
]


@pytest.mark.parametrize("ours, theirs, n", LAYERS, ids=lambda m: repr(m))
def test_layers_match_torch(ours, theirs, n):
    arrays = [rng.standard_normal(6) for _ in range(n)]
    if n == 3:
        arrays[2] = np.sign(arrays[2])
    compare(ours, theirs, arrays, np.float64)
    assert ours.reduction == theirs.reduction


def test_layers_with_options_match_torch():
    logp, q = np.log(rng.dirichlet(np.ones(4), 3)), rng.dirichlet(np.ones(4), 3)
    compare(nn.KLDivLoss(reduction="batchmean"), torch.nn.KLDivLoss(reduction="batchmean"), [logp, q], np.float64)
    compare(nn.KLDivLoss(log_target=True), torch.nn.KLDivLoss(log_target=True), [logp, np.log(q)], np.float64)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    t = tl.tensor([1, -1, 1]), torch.tensor([1, -1, 1])
    compare(lambda x, y: nn.CosineEmbeddingLoss(0.1)(x, y, t[0]),
            lambda x, y: torch.nn.CosineEmbeddingLoss(0.1)(x, y, t[1]), [a, b], np.float64)
    c = rng.standard_normal((3, 4))
    compare(nn.TripletMarginLoss(0.5, p=1.0, swap=True), torch.nn.TripletMarginLoss(0.5, p=1.0, swap=True),
            [a, b, c], np.float64)
    var = rng.uniform(0.5, 1.0, (3, 1))
    compare(nn.GaussianNLLLoss(full=True), torch.nn.GaussianNLLLoss(full=True), [a, b, var], np.float64)
    counts = rng.poisson(3.0, (3, 4)).astype(float)
    compare(nn.PoissonNLLLoss(full=True), torch.nn.PoissonNLLLoss(full=True), [a, counts + 1], np.float64)
    compare(nn.PoissonNLLLoss(log_input=False, eps=1e-3), torch.nn.PoissonNLLLoss(log_input=False, eps=1e-3),
            [np.abs(a), counts], np.float64)
    logits = rng.standard_normal((7, 4, 5))
    compare(lambda x: nn.CTCLoss(zero_infinity=True)(tl.log_softmax(x, 2), CTC_TARGETS, CTC_IN, CTC_LEN),
            lambda x: torch.nn.CTCLoss(zero_infinity=True)(TF.log_softmax(x, 2), torch.tensor(CTC_TARGETS),
                                                           torch.tensor(CTC_IN), torch.tensor(CTC_LEN)),
            [logits], np.float64)


def test_reprs():
    assert repr(nn.SmoothL1Loss(beta=0.5)) == "SmoothL1Loss(beta=0.5)"
    assert repr(nn.KLDivLoss(reduction="batchmean")) == "KLDivLoss(reduction='batchmean')"
    assert repr(nn.CTCLoss()) == "CTCLoss()"
    assert repr(nn.TripletMarginLoss()) == "TripletMarginLoss()"


def test_legacy_explicit_backward():
    criterion = nn.HuberLoss()
    pred = tl.tensor([0.5, 3.0], requires_grad=True)
    loss = criterion.forward(pred, tl.tensor([0.0, 0.0]))
    assert loss.item() == pytest.approx(1.3125)
    np.testing.assert_allclose(criterion.backward(), [0.25, 0.5])


def test_bad_input_is_refused_with_the_shapes():
    with pytest.raises(ValueError, match=r"l1_loss.*\(2, 3\).*\(3,\)"):
        F.l1_loss(tl.zeros(2, 3), tl.zeros(3))
    with pytest.raises(ValueError, match=r"L1Loss\(\).*\(2,\).*\(3,\)"):
        nn.L1Loss()(tl.zeros(2), tl.zeros(3))
    with pytest.raises(ValueError, match="reduction"):
        F.huber_loss(tl.zeros(2), tl.zeros(2), reduction="batchmean")
    with pytest.raises(ValueError, match="delta must be greater than 0"):
        nn.HuberLoss(delta=0.0)
    with pytest.raises(ValueError, match="beta must be at least 0"):
        F.smooth_l1_loss(tl.zeros(2), tl.zeros(2), beta=-1.0)
    with pytest.raises(ValueError, match="reduction"):
        nn.KLDivLoss(reduction="avg")
    with pytest.raises(ValueError, match=r"var of shape \(4, 2\).*\(4, 3\)"):
        F.gaussian_nll_loss(tl.zeros(4, 3), tl.zeros(4, 3), tl.ones(4, 2))
    with pytest.raises(ValueError, match="negative"):
        F.gaussian_nll_loss(tl.zeros(2), tl.zeros(2), tl.tensor([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"target \(3,\)"):
        F.cosine_embedding_loss(tl.zeros(2, 4), tl.zeros(2, 4), tl.zeros(3))
    with pytest.raises(ValueError, match=r"same number of dims.*\(2,\).*\(2, 1\)"):
        F.margin_ranking_loss(tl.zeros(2), tl.zeros(2, 1), tl.zeros(2))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(3,\)"):
        F.triplet_margin_loss(tl.zeros(2, 3), tl.zeros(3), tl.zeros(2, 3))
    lp = tl.zeros(5, 2, 4)
    with pytest.raises(IndexError, match="label 4 .*4 classes"):
        F.ctc_loss(lp, np.array([[1, 4], [1, 2]]), [5, 5], [2, 2])
    with pytest.raises(IndexError, match="blank 0"):
        F.ctc_loss(lp, np.array([[1, 0], [1, 2]]), [5, 5], [2, 2])
    with pytest.raises(ValueError, match=r"input_lengths \[6, 5\]"):
        F.ctc_loss(lp, np.array([[1, 2], [1, 2]]), [6, 5], [2, 2])
    with pytest.raises(TypeError, match="targets must be integers"):
        F.ctc_loss(lp, np.array([[1.0, 2.0], [1.0, 2.0]]), [5, 5], [2, 2])
    with pytest.raises(ValueError, match="hold 2 values"):
        F.ctc_loss(lp, np.array([[1, 2], [1, 2]]), [5, 5, 5], [2, 2])
    with pytest.raises(ValueError, match=r"\(T, N, C\)"):
        F.ctc_loss(tl.zeros(5), np.array([1]), [5], [1])
