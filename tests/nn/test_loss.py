"""Losses: values against NumPy references written out here, gradients against finite
differences (float64), numerical robustness, bad inputs and the legacy ``criterion.backward()``."""
import itertools

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

REDUCTIONS = ["mean", "sum", "none"]


def rng(seed=0):
    return np.random.default_rng(seed)


def t64(a, requires_grad=False):
    return tl.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# -- NumPy references ----------------------------------------------------------------------------

def ref_log_softmax(z):
    """log softmax along the last axis, in float64."""
    z = np.asarray(z, dtype=np.float64)
    m = z.max(axis=-1, keepdims=True)
    return z - m - np.log(np.exp(z - m).sum(axis=-1, keepdims=True))


def ref_reduce(per, reduction, denom):
    if reduction == "none":
        return per
    return per.sum() if reduction == "sum" else per.sum() / denom


def ref_cross_entropy(x, t, weight=None, ignore_index=-100, reduction="mean", ls=0.0):
    """PyTorch's definition, sample by sample: loss = -sum_c w_c q_c log_softmax(x)_c with
    q = (1 - ls) * target + ls / C; 'mean' over the weights of non-ignored index targets, or over
    the number of samples for probability targets."""
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t)
    unbatched = x.ndim == 1
    if unbatched:
        x, t = x[None], t[None]
    n_classes = x.shape[1]
    logp = ref_log_softmax(np.moveaxis(x, 1, -1)).reshape(-1, n_classes)
    w = np.ones(n_classes) if weight is None else np.asarray(weight, dtype=np.float64)
    sample_shape = (x.shape[0],) + x.shape[2:]
    if t.dtype.kind == "f":
        q = np.moveaxis(t, 1, -1).reshape(-1, n_classes) * (1 - ls) + ls / n_classes
        per = -(q * w * logp).sum(axis=1)
        denom = per.size
    else:
        flat = t.reshape(-1)
        per, denom = np.zeros(flat.size), 0.0
        for i, c in enumerate(flat):
            if c == ignore_index:
                continue
            q = np.full(n_classes, ls / n_classes)
            q[c] += 1 - ls
            per[i] = -(q * w * logp[i]).sum()
            denom += w[c]
    per = per.reshape(sample_shape)
    return ref_reduce(per[0] if unbatched else per, reduction, denom)


def ref_nll(x, t, weight=None, ignore_index=-100, reduction="mean"):
    x, t = np.asarray(x, dtype=np.float64), np.asarray(t)
    if x.ndim == 1:
        x, t = x[None], t[None]
    n_classes = x.shape[1]
    flat_x = np.moveaxis(x, 1, -1).reshape(-1, n_classes)
    w = np.ones(n_classes) if weight is None else weight
    per, denom = np.zeros(t.size), 0.0
    for i, c in enumerate(t.reshape(-1)):
        if c != ignore_index:
            per[i] = -w[c] * flat_x[i, c]
            denom += w[c]
    return ref_reduce(per.reshape(t.shape), reduction, denom)


def ref_bce(p, y, w=None, reduction="mean"):
    p, y = np.asarray(p, dtype=np.float64), np.asarray(y, dtype=np.float64)
    with np.errstate(divide="ignore"):
        per = -(y * np.maximum(np.log(p), -100) + (1 - y) * np.maximum(np.log(1 - p), -100))
    if w is not None:
        per = per * w
    return ref_reduce(per, reduction, per.size)


def ref_bce_logits(x, y, w=None, reduction="mean", pos_weight=None):
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    s = 1 / (1 + np.exp(-x))  # moderate logits only
    pw = 1.0 if pos_weight is None else pos_weight
    per = -(pw * y * np.log(s) + (1 - y) * np.log(1 - s))
    if w is not None:
        per = per * w
    return ref_reduce(per, reduction, per.size)


def ref_cce(p, t, eps=1e-7, reduction="mean"):
    p = np.asarray(p, dtype=np.float64)
    t = np.asarray(t)
    if t.dtype.kind != "f":
        t = np.eye(p.shape[-1])[t]
    per = -(t * np.log(np.maximum(p, eps))).sum(axis=-1)
    return ref_reduce(per, reduction, per.size)


# -- test data -----------------------------------------------------------------------------------

SHAPES = [(5, 4), (3, 4, 2, 3), (4,)]


def ce_case(shape, kind, ignore, seed=0):
    """Logits of ``shape`` and index or probability targets (with some ignored indices)."""
    r = rng(seed)
    x = r.standard_normal(shape)
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    if kind == "prob":
        t = r.random(shape) + 0.1
        return x, t / t.sum(axis=0 if len(shape) == 1 else 1, keepdims=True), n_classes
    sample_shape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    t = r.integers(0, n_classes, size=sample_shape)
    if ignore and t.ndim:
        t = np.where(r.random(sample_shape) < 0.3, -1, t)
        t.flat[0] = 1  # at least one target counts
    return x, t, n_classes


CE_COMBOS = [case for case in itertools.product(SHAPES, ["index", "prob"], [False, True], [False, True],
                                                REDUCTIONS, [0.0, 0.2]) if not (case[1] == "prob" and case[3])]


# -- cross_entropy -------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,kind,weighted,ignore,reduction,ls", CE_COMBOS)
def test_cross_entropy_values_and_gradients(shape, kind, weighted, ignore, reduction, ls):
    x, t, n_classes = ce_case(shape, kind, ignore)
    weight = rng(1).random(n_classes) + 0.5 if weighted else None
    ignore_index = -1 if ignore and kind == "index" else -100  # probabilities take no ignore_index
    expected = ref_cross_entropy(x, t, weight, ignore_index, reduction, ls)
    out = F.cross_entropy(t64(x), t64(t) if kind == "prob" else t, weight=weight, ignore_index=ignore_index,
                          reduction=reduction, label_smoothing=ls)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    xt = t64(x, requires_grad=True)
    inputs = [xt, t64(t, requires_grad=True)] if kind == "prob" else [xt]

    def fn(a, b=t):
        return F.cross_entropy(a, b, weight=weight, ignore_index=ignore_index, reduction=reduction,
                               label_smoothing=ls)

    assert tl.gradcheck(fn, inputs)


def test_cross_entropy_is_one_tape_entry_with_softmax_minus_target_gradient():
    x = t64(rng().standard_normal((6, 5)), requires_grad=True)
    t = np.array([0, 1, 2, 3, 4, 0])
    loss = F.cross_entropy(x, t)
    assert loss.grad_fn == "CrossEntropyBackward"
    assert loss._ctx.parents[0] is x  # no softmax or log_softmax entry in between
    (g,) = tl.grad(loss, [x])
    p = np.exp(ref_log_softmax(x.data))
    np.testing.assert_allclose(g, (p - np.eye(5)[t]) / 6, rtol=1e-12)


def test_cross_entropy_equals_log_softmax_then_nll():
    x = t64(rng().standard_normal((4, 3, 5)), requires_grad=True)
    t = rng(2).integers(0, 3, size=(4, 5))
    fused = F.cross_entropy(x, t, reduction="sum")
    composed = F.nll_loss(F.log_softmax(x, dim=1), t, reduction="sum")
    np.testing.assert_allclose(fused.data, composed.data, rtol=1e-12)
    np.testing.assert_allclose(tl.grad(fused, [x])[0], tl.grad(composed, [x])[0], rtol=1e-10, atol=1e-14)


def test_cross_entropy_all_ignored_mean_is_nan_with_zero_gradient():
    x = t64(rng().standard_normal((3, 4)), requires_grad=True)
    loss = F.cross_entropy(x, np.array([-100, -100, -100]))
    assert np.isnan(loss.item())
    np.testing.assert_array_equal(tl.grad(loss, [x])[0], 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ls", [0.0, 0.1])
def test_cross_entropy_extreme_logits_are_finite(dtype, ls):
    x = tl.tensor(np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]], dtype=dtype), requires_grad=True)
    for target in (np.array([1, 0]), np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], dtype=dtype)):
        loss = F.cross_entropy(x, target, label_smoothing=ls)
        (g,) = tl.grad(loss, [x])
        assert loss.dtype == dtype and g.dtype == dtype
        assert np.isfinite(loss.item()) and np.isfinite(g).all()
    expected = ref_cross_entropy(x.data.astype(np.float64), np.array([1, 0]), ls=ls)
    np.testing.assert_allclose(F.cross_entropy(x, np.array([1, 0]), label_smoothing=ls).item(), expected,
                               rtol=1e-6)


def test_cross_entropy_float32_stays_float32():
    x = tl.tensor(rng().standard_normal((4, 3)).astype(np.float32), requires_grad=True)
    loss = F.cross_entropy(x, np.array([0, 1, 2, 0]), weight=np.array([1.0, 2.0, 3.0]))
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32


# -- nll_loss ------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,weighted,ignore,reduction",
                         list(itertools.product(SHAPES, [False, True], [False, True], REDUCTIONS)))
def test_nll_loss_values_and_gradients(shape, weighted, ignore, reduction):
    x, t, n_classes = ce_case(shape, "index", ignore, seed=3)
    weight = rng(1).random(n_classes) + 0.5 if weighted else None
    ignore_index = -1 if ignore else -100
    out = F.nll_loss(t64(x), t, weight=weight, ignore_index=ignore_index, reduction=reduction)
    np.testing.assert_allclose(out.data, ref_nll(x, t, weight, ignore_index, reduction), rtol=1e-12)
    assert tl.gradcheck(lambda a: F.nll_loss(a, t, weight=weight, ignore_index=ignore_index,
                                             reduction=reduction), [t64(x, requires_grad=True)])


# -- mse_loss ------------------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_mse_values_and_gradients(shape, reduction):
    x, y = rng().standard_normal(shape), rng(1).standard_normal(shape)
    out = F.mse_loss(t64(x), t64(y), reduction=reduction)
    np.testing.assert_allclose(out.data, ref_reduce((x - y) ** 2, reduction, x.size), rtol=1e-12)
    assert tl.gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction),
                        [t64(x, requires_grad=True), t64(y, requires_grad=True)])


# -- binary_cross_entropy ------------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, "full", "row"])
def test_bce_values_and_gradients(reduction, weight):
    r = rng()
    p, y = r.uniform(0.05, 0.95, (4, 3)), r.random((4, 3))
    w = {None: None, "full": r.random((4, 3)) + 0.5, "row": r.random(3) + 0.5}[weight]
    out = F.binary_cross_entropy(t64(p), t64(y), weight=w, reduction=reduction)
    np.testing.assert_allclose(out.data, ref_bce(p, y, w, reduction), rtol=1e-12)
    assert tl.gradcheck(lambda a, b: F.binary_cross_entropy(a, b, weight=w, reduction=reduction),
                        [t64(p, requires_grad=True), t64(y, requires_grad=True)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_probabilities_0_and_1_are_finite_and_clamped(dtype):
    p = tl.tensor(np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype), requires_grad=True)
    y = tl.tensor(np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype), requires_grad=True)
    loss = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_allclose(loss.data, [100, 100, 0, 0])
    gp, gy = tl.grad(loss.sum(), [p, y])
    assert np.isfinite(gp).all() and np.isfinite(gy).all() and gp.dtype == dtype
    assert gp[0] < 0 and gp[1] > 0 and gp[2] == 0 and gp[3] == 0  # PyTorch's (p - y) / max(p(1-p), 1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted,pos_weighted", [(False, False), (True, False), (False, True), (True, True)])
def test_bce_with_logits_values_and_gradients(reduction, weighted, pos_weighted):
    r = rng()
    x, y = r.standard_normal((4, 3)) * 3, r.random((4, 3))
    w = r.random((4, 1)) + 0.5 if weighted else None
    pw = r.random(3) + 0.5 if pos_weighted else None
    out = F.binary_cross_entropy_with_logits(t64(x), t64(y), weight=w, reduction=reduction, pos_weight=pw)
    np.testing.assert_allclose(out.data, ref_bce_logits(x, y, w, reduction, pw), rtol=1e-10)
    assert tl.gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, w, reduction, pw),
                        [t64(x, requires_grad=True), t64(y, requires_grad=True)])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("pos_weight", [None, 3.0])
def test_bce_with_logits_extreme_logits_are_finite(dtype, pos_weight):
    x = tl.tensor(np.array([1e4, -1e4, 1e4, -1e4], dtype=dtype), requires_grad=True)
    y = tl.tensor(np.array([1.0, 0.0, 0.0, 1.0], dtype=dtype), requires_grad=True)
    pw = None if pos_weight is None else np.array([pos_weight])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none", pos_weight=pw)
    np.testing.assert_allclose(loss.data, [0, 0, 1e4, 1e4 * (pos_weight or 1)], rtol=1e-6)
    gx, gy = tl.grad(loss.sum(), [x, y])
    assert np.isfinite(gx).all() and np.isfinite(gy).all() and gx.dtype == dtype
    np.testing.assert_allclose(gx, [0, 0, 1, -(pos_weight or 1)], atol=1e-6)


def test_bce_with_logits_matches_bce_of_sigmoid():
    x = t64(rng().standard_normal((3, 4)), requires_grad=True)
    y = t64(rng(1).random((3, 4)))
    a = F.binary_cross_entropy_with_logits(x, y)
    b = F.binary_cross_entropy(F.sigmoid(x), y)
    np.testing.assert_allclose(a.data, b.data, rtol=1e-12)
    np.testing.assert_allclose(tl.grad(a, [x])[0], tl.grad(b, [x])[0], rtol=1e-9)


# -- categorical_cross_entropy -------------------------------------------------------------------

@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["onehot", "index", "soft"])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 4)])
def test_cce_values_and_gradients(shape, kind, reduction):
    r = rng()
    p = r.uniform(0.05, 1, shape)
    p /= p.sum(axis=-1, keepdims=True)
    idx = r.integers(0, shape[-1], size=shape[:-1])
    t = {"index": idx, "onehot": np.eye(shape[-1])[idx], "soft": r.dirichlet(np.ones(shape[-1]), shape[:-1])}[kind]
    out = F.categorical_cross_entropy(t64(p), t if kind == "index" else t64(t), reduction=reduction)
    np.testing.assert_allclose(out.data, ref_cce(p, t, reduction=reduction), rtol=1e-12)
    inputs = [t64(p, requires_grad=True)] + ([] if kind == "index" else [t64(t, requires_grad=True)])

    def fn(a, b=t):
        return F.categorical_cross_entropy(a, b, reduction=reduction)

    assert tl.gradcheck(fn, inputs)


def test_cce_index_and_onehot_targets_agree():
    p = t64(np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]]), requires_grad=True)
    a = F.categorical_cross_entropy(p, np.array([2, 0]))
    b = F.categorical_cross_entropy(p, t64(np.eye(3)[[2, 0]]))
    np.testing.assert_allclose(a.data, b.data)
    np.testing.assert_allclose(tl.grad(a, [p])[0], tl.grad(b, [p])[0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cce_probability_zero_gives_large_finite_loss_and_gradient(dtype):
    p = tl.tensor(np.array([[0.0, 1.0], [1.0, 0.0]], dtype=dtype), requires_grad=True)
    for target in (np.array([0, 0]), tl.tensor(np.array([[1.0, 0.0], [1.0, 0.0]], dtype=dtype))):
        loss = F.categorical_cross_entropy(p, target, reduction="none")
        np.testing.assert_allclose(loss.data, [-np.log(1e-7), 0], rtol=1e-5)
        (g,) = tl.grad(loss.sum(), [p])
        assert np.isfinite(g).all() and g.dtype == dtype
        np.testing.assert_allclose(g, [[-1e7, 0], [-1, 0]], rtol=1e-5)


# -- reductions and bad inputs -------------------------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda r: F.cross_entropy(tl.zeros(2, 3), np.array([0, 1]), reduction=r),
    lambda r: F.nll_loss(tl.zeros(2, 3), np.array([0, 1]), reduction=r),
    lambda r: F.mse_loss(tl.zeros(2), tl.zeros(2), reduction=r),
    lambda r: F.binary_cross_entropy(tl.zeros(2), tl.zeros(2), reduction=r),
    lambda r: F.binary_cross_entropy_with_logits(tl.zeros(2), tl.zeros(2), reduction=r),
    lambda r: F.categorical_cross_entropy(tl.ones(2, 3) / 3, np.array([0, 1]), reduction=r),
])
def test_unknown_reduction_is_a_value_error(call):
    with pytest.raises(ValueError, match="reduction"):
        call("avg")
    with pytest.raises(ValueError, match="reduction"):
        call(None)


def test_cross_entropy_batch_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"cross_entropy.*\(4, 3\).*\(5,\)"):
        F.cross_entropy(tl.zeros(4, 3), np.array([0, 1, 2, 0, 1]))
    with pytest.raises(ValueError, match=r"cross_entropy.*\(2, 3, 5\).*\(2, 4\)"):
        F.cross_entropy(tl.zeros(2, 3, 5), np.zeros((2, 4), dtype=int))


def test_cross_entropy_target_out_of_range_names_value_and_classes():
    with pytest.raises(IndexError, match=r"cross_entropy: target 3 .*3 classes"):
        F.cross_entropy(tl.zeros(2, 3), np.array([0, 3]))
    with pytest.raises(IndexError, match=r"target -2 "):
        F.cross_entropy(tl.zeros(2, 3), np.array([-2, 0]))
    with pytest.raises(IndexError, match=r"nll_loss: target 7 "):
        F.nll_loss(tl.zeros(2, 3), np.array([7, 0]))
    with pytest.raises(IndexError, match=r"categorical_cross_entropy: target 5 "):
        F.categorical_cross_entropy(tl.ones(2, 3) / 3, np.array([5, 0]))
    F.cross_entropy(tl.zeros(2, 3), np.array([-100, 0]))  # ignore_index is not out of range
    F.cross_entropy(tl.zeros(2, 3), np.array([7, 0]), ignore_index=7)


def test_float_targets_of_the_wrong_shape_explain_that_indices_are_integers():
    with pytest.raises((TypeError, ValueError), match="integer"):
        F.cross_entropy(tl.zeros(2, 3), tl.tensor([0.0, 1.0]))
    with pytest.raises((TypeError, ValueError), match="integer"):
        F.nll_loss(tl.zeros(2, 3), tl.tensor([0.0, 1.0]))
    with pytest.raises((TypeError, ValueError), match="integer"):
        F.categorical_cross_entropy(tl.ones(2, 3) / 3, tl.tensor([0.0, 1.0]))


@pytest.mark.parametrize("fn", [F.mse_loss, F.binary_cross_entropy, F.binary_cross_entropy_with_logits])
def test_shape_mismatch_is_never_broadcast(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}.*\(3, 1\).*\(3,\)"):
        fn(tl.zeros(3, 1) + 0.5, tl.zeros(3))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(1, 3\)"):
        fn(tl.zeros(2, 3) + 0.5, tl.zeros(1, 3))


def test_other_bad_arguments():
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        F.cross_entropy(tl.zeros(2, 3), np.array([0, 1]), weight=np.ones(4))
    with pytest.raises(ValueError, match="ignore_index=0 applies to class-index targets only"):
        F.cross_entropy(tl.zeros(2, 3), tl.ones(2, 3) / 3, ignore_index=0)
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(tl.zeros(2, 3), np.array([0, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="probabilities"):
        F.binary_cross_entropy(tl.tensor([1.5]), tl.tensor([1.0]))
    with pytest.raises(ValueError, match="pos_weight"):
        F.binary_cross_entropy_with_logits(tl.zeros(2, 3), tl.zeros(2, 3), pos_weight=np.ones(4))
    with pytest.raises(TypeError, match="floating"):
        F.cross_entropy(tl.tensor([[1, 2]]), np.array([0]))
    with pytest.raises(TypeError, match="float32.*float64|float64.*float32"):
        F.mse_loss(tl.zeros(2), tl.tensor(np.zeros(2)))
    with pytest.raises(ValueError, match="0-d"):
        F.cross_entropy(tl.tensor(1.0), np.array(0))


def test_module_errors_name_the_module():
    with pytest.raises(IndexError, match=r"CrossEntropyLoss\(label_smoothing=0.1\): target 3"):
        nn.CrossEntropyLoss(label_smoothing=0.1)(tl.zeros(2, 3), np.array([0, 3]))
    with pytest.raises(ValueError, match=r"MSELoss\(reduction='sum'\): input of shape"):
        nn.MSELoss(reduction="sum")(tl.zeros(2), tl.zeros(3))
    with pytest.raises(ValueError, match="reduction"):
        nn.BCELoss(reduction="max")


# -- modules and the legacy criterion.backward() -------------------------------------------------

def test_module_reprs_and_aliases():
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"
    assert repr(nn.CrossEntropyLoss(ignore_index=0, reduction="sum")) == \
        "CrossEntropyLoss(ignore_index=0, reduction='sum')"
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.CCELoss(eps=1e-3)) == "CategoricalCrossEntropyLoss(eps=0.001)"
    assert nn.MeanSquaredLoss is nn.MSELoss and nn.CCELoss is nn.CategoricalCrossEntropyLoss
    assert "weight" in nn.CrossEntropyLoss(weight=np.ones(3, dtype=np.float32)).state_dict()


LEGACY = [
    (lambda: nn.CrossEntropyLoss(label_smoothing=0.1), (4, 3), lambda r: r.integers(0, 3, 4)),
    (lambda: nn.CrossEntropyLoss(weight=np.array([1.0, 2.0, 0.5]), reduction="sum"), (4, 3, 2),
     lambda r: r.integers(0, 3, (4, 2))),
    (lambda: nn.NLLLoss(), (4, 3), lambda r: r.integers(0, 3, 4)),
    (lambda: nn.MSELoss(), (4, 3), lambda r: r.standard_normal((4, 3))),
    (lambda: nn.BCELoss(), (4, 3), lambda r: r.random((4, 3))),
    (lambda: nn.BCEWithLogitsLoss(pos_weight=np.array([1.0, 2.0, 3.0])), (4, 3), lambda r: r.random((4, 3))),
    (lambda: nn.CCELoss(), (4, 3), lambda r: np.eye(3)[r.integers(0, 3, 4)]),
    (lambda: nn.CCELoss(), (4, 3), lambda r: r.integers(0, 3, 4)),
]


@pytest.mark.parametrize("make,shape,target", LEGACY)
def test_criterion_backward_returns_dloss_dpred(make, shape, target):
    r = rng()
    data = r.uniform(0.1, 0.9, shape)
    criterion = make()
    y = target(r)
    pred = t64(data, requires_grad=True)
    (expected,) = tl.grad(make().forward(pred, y), [pred])  # another instance: the same loss
    loss = criterion.forward(pred, y)
    dout = criterion.backward()
    assert isinstance(dout, np.ndarray) and dout.shape == shape
    np.testing.assert_allclose(dout, expected, rtol=1e-12)
    assert loss.shape == ()
    # a plain ndarray prediction needs no gradient: the loss records nothing, and has none to give
    loss = criterion.forward(data, y)
    assert criterion.backward() is None and loss.grad_fn is None


def test_criterion_backward_with_reduction_none_takes_dout():
    criterion = nn.CrossEntropyLoss(reduction="none")
    pred = t64(rng().standard_normal((3, 4)), requires_grad=True)
    t = np.array([0, 3, 1])
    losses = criterion.forward(pred, t)
    assert losses.shape == (3,)
    dout = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(criterion.backward(dout),
                               tl.grad(F.cross_entropy(pred, t, reduction="none"), [pred], dout)[0])


def test_legacy_training_step_matches_loss_backward():
    tl.set_default_dtype(np.float64)
    tl.manual_seed(0)
    model = nn.Sequential(nn.Linear(5, 4), nn.Tanh(), nn.Linear(4, 3), nn.Softmax())
    x, y = rng().standard_normal((6, 5)), np.eye(3)[rng(1).integers(0, 3, 6)]
    criterion = nn.CCELoss()
    loss = criterion.forward(model.forward(x), y)
    loss.backward()
    expected = [p.grad.copy() for p in model.parameters()]
    model.zero_grad()
    loss = criterion.forward(model.forward(x), y)  # the loss holds the graph until backward
    model.backward(criterion.backward())
    assert loss.item() > 0
    for p, g in zip(model.parameters(), expected):
        np.testing.assert_allclose(p.grad, g, rtol=1e-10)
