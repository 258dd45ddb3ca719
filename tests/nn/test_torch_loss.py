"""Optional comparison with PyTorch: every loss option combination and every activation, values
and gradients (inputs and, where PyTorch has one, targets) in float64."""
import itertools

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

REDUCTIONS = ["mean", "sum", "none"]


def both(a, requires_grad=False):
    """The same float64 array as a tensorlite tensor and a torch tensor."""
    a = np.asarray(a, dtype=np.float64)
    return tl.tensor(a.copy(), requires_grad=requires_grad), torch.tensor(a, requires_grad=requires_grad)


def as_torch(a):
    return None if a is None else torch.tensor(a)


def assert_matches_torch(ours, theirs, our_inputs, their_inputs, seed=0, rtol=1e-9):
    """Same values, and same vector-Jacobian products for a random upstream gradient."""
    theirs_np = theirs.detach().numpy()
    np.testing.assert_allclose(ours.data, theirs_np, rtol=1e-10, atol=1e-12, equal_nan=True)
    g = np.random.default_rng(seed).standard_normal(theirs.shape)
    expected = torch.autograd.grad(theirs, their_inputs, torch.tensor(g))
    got = tl.grad(ours, our_inputs, g)
    for a, b in zip(got, expected):
        np.testing.assert_allclose(a, b.numpy(), rtol=rtol, atol=1e-12)


def ce_data(shape, kind, ignore, seed=0):
    r = np.random.default_rng(seed)
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    if kind == "prob":
        t = r.random(shape) + 0.1
        return r.standard_normal(shape), t / t.sum(axis=0 if len(shape) == 1 else 1, keepdims=True), n_classes
    sample_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    t = r.integers(0, n_classes, size=sample_shape)
    if ignore and t.ndim:
        t = np.where(r.random(sample_shape) < 0.3, 1, t)  # ignore_index=1 below
    return r.standard_normal(shape), t, n_classes


CE_CASES = [case for case in itertools.product([(5, 4), (3, 4, 2, 3), (4,)], ["index", "prob"], [False, True],
                                               [False, True], REDUCTIONS, [0.0, 0.15])
            if not (case[1] == "prob" and case[3])]  # PyTorch refuses ignore_index with probabilities


@pytest.mark.parametrize("shape,kind,weighted,ignore,reduction,ls", CE_CASES)
def test_cross_entropy(shape, kind, weighted, ignore, reduction, ls):
    x, t, n_classes = ce_data(shape, kind, ignore)
    w = np.random.default_rng(1).random(n_classes) + 0.5 if weighted else None
    kw = dict(ignore_index=1 if ignore else -100, reduction=reduction, label_smoothing=ls)
    ox, tx = both(x, True)
    if kind == "prob":
        ot, tt = both(t, True)
        ins, tins = [ox, ot], [tx, tt]
    else:
        ot, tt, ins, tins = t, torch.tensor(t), [ox], [tx]
    ours = F.cross_entropy(ox, ot, weight=w, **kw)
    theirs = TF.cross_entropy(tx, tt, weight=as_torch(w), **kw)
    assert_matches_torch(ours, theirs, ins, tins)
    module = nn.CrossEntropyLoss(weight=w, **kw)
    np.testing.assert_allclose(module(ox, ot).data, theirs.detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize("shape,weighted,ignore,reduction", list(itertools.product(
    [(5, 4), (3, 4, 2, 3), (4,)], [False, True], [False, True], REDUCTIONS)))
def test_nll_loss(shape, weighted, ignore, reduction):
    x, t, n_classes = ce_data(shape, "index", ignore, seed=2)
    w = np.random.default_rng(1).random(n_classes) + 0.5 if weighted else None
    kw = dict(ignore_index=1 if ignore else -100, reduction=reduction)
    ox, tx = both(x, True)
    assert_matches_torch(F.nll_loss(ox, t, weight=w, **kw),
            TF.nll_loss(tx, torch.tensor(t), weight=as_torch(w), **kw), [ox], [tx])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss(reduction):
    r = np.random.default_rng(0)
    (ox, tx), (oy, ty) = both(r.standard_normal((3, 4)), True), both(r.standard_normal((3, 4)), True)
    assert_matches_torch(F.mse_loss(ox, oy, reduction=reduction), TF.mse_loss(tx, ty, reduction=reduction),
                         [ox, oy], [tx, ty])


@pytest.mark.parametrize("reduction,weight", list(itertools.product(REDUCTIONS, [None, "full", "row"])))
def test_binary_cross_entropy(reduction, weight):
    r = np.random.default_rng(0)
    (op, tp), (oy, ty) = both(r.uniform(0.05, 0.95, (4, 3)), True), both(r.random((4, 3)), True)
    w = {None: None, "full": r.random((4, 3)), "row": r.random(3)}[weight]
    assert_matches_torch(F.binary_cross_entropy(op, oy, weight=w, reduction=reduction),
            TF.binary_cross_entropy(tp, ty, weight=as_torch(w), reduction=reduction),
            [op, oy], [tp, ty])


def test_binary_cross_entropy_at_0_and_1():
    (op, tp), (_, ty) = both([0.0, 1.0, 0.0, 1.0, 0.5], True), both([1.0, 0.0, 0.0, 1.0, 0.3])
    assert_matches_torch(F.binary_cross_entropy(op, ty.numpy(), reduction="none"),
            TF.binary_cross_entropy(tp, ty, reduction="none"), [op], [tp], rtol=1e-7)  # +-1e12 gradients


@pytest.mark.parametrize("reduction,weighted,pos_weighted", list(itertools.product(
    REDUCTIONS, [False, True], [False, True])))
def test_binary_cross_entropy_with_logits(reduction, weighted, pos_weighted):
    r = np.random.default_rng(0)
    x = r.standard_normal((4, 3)) * 4
    x[0, :2] = [1e4, -1e4]
    (ox, tx), (oy, ty) = both(x, True), both(r.random((4, 3)), True)
    w = r.random((4, 1)) if weighted else None
    pw = r.random(3) + 0.5 if pos_weighted else None
    assert_matches_torch(F.binary_cross_entropy_with_logits(ox, oy, weight=w, reduction=reduction, pos_weight=pw),
            TF.binary_cross_entropy_with_logits(tx, ty, weight=as_torch(w), reduction=reduction,
                                                pos_weight=as_torch(pw)),
            [ox, oy], [tx, ty])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_categorical_cross_entropy_is_nll_of_log_probabilities(reduction):
    r = np.random.default_rng(0)
    p = r.uniform(0.05, 1, (5, 4))
    p /= p.sum(axis=1, keepdims=True)
    t = r.integers(0, 4, 5)
    op, tp = both(p, True)
    assert_matches_torch(F.categorical_cross_entropy(op, t, reduction=reduction),
            TF.nll_loss(torch.log(tp), torch.tensor(t), reduction=reduction), [op], [tp])
    assert_matches_torch(F.categorical_cross_entropy(op, np.eye(4)[t], reduction=reduction),
            TF.nll_loss(torch.log(tp), torch.tensor(t), reduction=reduction), [op], [tp])


ACTIVATIONS = [
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.LeakyReLU(0.3), torch.nn.LeakyReLU(0.3)),
    (nn.Softplus(), torch.nn.Softplus()),
    (nn.Softplus(beta=2, threshold=3), torch.nn.Softplus(beta=2, threshold=3)),
    (nn.Softplus(beta=0.5, threshold=1), torch.nn.Softplus(beta=0.5, threshold=1)),
    (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (nn.Softmax(), torch.nn.Softmax(dim=-1)),
    (nn.LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)),
    (nn.LogSoftmax(), torch.nn.LogSoftmax(dim=-1)),
]


@pytest.mark.parametrize("ours,theirs", ACTIVATIONS, ids=lambda m: repr(m))
def test_activations(ours, theirs):
    x = np.random.default_rng(0).standard_normal((3, 4, 5)) * 4
    x[0, 0, :4] = [1e4, -1e4, 0.0, 2.0]  # extremes, the kink of (leaky) ReLU, a threshold point
    ox, tx = both(x, True)
    assert_matches_torch(ours(ox), theirs(tx), [ox], [tx])
    assert repr(ours) == repr(theirs)
