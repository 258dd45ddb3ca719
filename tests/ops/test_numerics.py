"""Numerical robustness: activations and losses stay finite, and their gradients finite and right,
at extreme inputs (logits of +-1e4, probabilities of exactly 0 and 1, -inf log-probabilities,
deviations of 1e20 and 1e-25), in float32 and float64.

Every value is compared with a reference computed in float64 by NumPy, or with its limit. pytest
runs with ``filterwarnings = error``, so an overflow or a ``log(0)`` warning fails a test too.
"""
from __future__ import annotations

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

DTYPES = [np.float32, np.float64]
EXTREMES = np.array([-1e4, -1e3, -100.0, -30.0, -1.0, 0.0, 1.0, 30.0, 100.0, 1e3, 1e4])


def tol(dtype):
    """rtol/atol for comparing a result of ``dtype`` with a float64 reference (atol below the
    smallest normal float32, so a tail value lost to underflow still counts as right)."""
    return {"rtol": 2e-6, "atol": 1e-37} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-300}


def check(got, ref, dtype, atol=None):
    got = np.asarray(got)
    assert got.dtype == dtype, f"result dtype {got.dtype}, expected {np.dtype(dtype)}"
    assert np.isfinite(got).all(), f"not finite: {got}"
    tolerance = tol(dtype) if atol is None else {**tol(dtype), "atol": atol}
    np.testing.assert_allclose(got.astype(np.float64), ref, **tolerance)


def sigmoid64(x):
    return np.exp(-np.logaddexp(0.0, -x))


def tanh_slope64(x):
    """1 - tanh(x)^2 = 4 e^(-2|x|) / (1 + e^(-2|x|))^2, without overflow."""
    e = np.exp(-2 * np.abs(x))
    return 4 * e / (1 + e) ** 2


def log_softmax64(x, axis=-1):
    """Shifted by the maximum first: ``x - logsumexp(x)`` alone loses digits to cancellation."""
    shifted = x - x.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def softmax64(x, axis=-1):
    return np.exp(log_softmax64(x, axis))


def logsumexp64(x, axis=-1):
    m = x.max(axis=axis, keepdims=True)
    return m + np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


# -- elementwise activations at +-1e4 -------------------------------------------------------------

ACTIVATIONS = {
    # name: (tensorlite function, float64 value, float64 derivative)
    "sigmoid": (tl.sigmoid, sigmoid64, lambda x: sigmoid64(x) * sigmoid64(-x)),
    "nn.Sigmoid": (nn.Sigmoid(), sigmoid64, lambda x: sigmoid64(x) * sigmoid64(-x)),
    "tanh": (tl.tanh, np.tanh, lambda x: tanh_slope64(x)),
    "nn.Tanh": (nn.Tanh(), np.tanh, lambda x: tanh_slope64(x)),
    "softplus": (F.softplus, lambda x: np.logaddexp(0.0, x), sigmoid64),
    "softplus(threshold=1e9)": (lambda t: F.softplus(t, threshold=1e9), lambda x: np.logaddexp(0.0, x), sigmoid64),
    "nn.Softplus(beta=2)": (nn.Softplus(beta=2.0), lambda x: np.where(2 * x > 20, x, np.logaddexp(0.0, 2 * x) / 2),
                            lambda x: np.where(2 * x > 20, 1.0, sigmoid64(2 * x))),
    "relu": (tl.relu, lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    "nn.LeakyReLU(0.2)": (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x),
                          lambda x: np.where(x > 0, 1.0, 0.2)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_values_and_gradients_at_extremes(name, dtype):
    fn, value, slope = ACTIVATIONS[name]
    x = tl.tensor(EXTREMES, dtype=dtype, requires_grad=True)
    out = fn(x)
    out.sum().backward()
    check(out.data, value(EXTREMES), dtype)
    # Slopes within one ulp of the largest slope (1): sigmoid' and tanh' are computed from the
    # output, as in PyTorch, so where it rounds to 1 (x >~ 17 in float32) the slope is 0 (true:
    # below 1e-7), and the limit at +-1e4 is exactly 0.
    check(x.grad, slope(EXTREMES), dtype, atol=np.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", DTYPES)
def test_saturated_slopes_are_exactly_their_limits(dtype):
    """sigmoid'(+-1e4) = tanh'(+-1e4) = 0, softplus'(-1e4) = 0 and softplus'(1e4) = 1: no NaN
    from ``inf / inf`` or ``0 * inf`` in the tails."""
    x = tl.tensor([-1e4, 1e4], dtype=dtype, requires_grad=True)
    for fn, limit in [(tl.sigmoid, [0, 0]), (tl.tanh, [0, 0]), (F.softplus, [0, 1]),
                      (lambda t: F.softplus(t, threshold=1e9), [0, 1])]:
        (grad,) = tl.grad(fn(x).sum(), [x])
        np.testing.assert_array_equal(grad, limit)


# -- softmax, log_softmax, logsumexp over rows of +-1e4 --------------------------------------------

ROWS = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, 1e4], [1e4, 9999.0, -1e4], [0.5, -0.25, 2.0]])
UPSTREAM = np.random.default_rng(0).standard_normal(ROWS.shape)


def _softmax_vjp(p, g):
    return p * (g - (g * p).sum(axis=1, keepdims=True))


SOFTMAX_FAMILY = {
    # name: (tensorlite function of (N, C), float64 value, float64 vector-Jacobian product with g)
    "softmax": (lambda t: tl.softmax(t, dim=1), softmax64, lambda x, g: _softmax_vjp(softmax64(x), g)),
    "nn.Softmax": (nn.Softmax(), softmax64, lambda x, g: _softmax_vjp(softmax64(x), g)),
    "log_softmax": (lambda t: tl.log_softmax(t, dim=1), log_softmax64,
                    lambda x, g: g - softmax64(x) * g.sum(axis=1, keepdims=True)),
    "nn.LogSoftmax": (nn.LogSoftmax(dim=1), log_softmax64,
                      lambda x, g: g - softmax64(x) * g.sum(axis=1, keepdims=True)),
    "logsumexp": (lambda t: t.logsumexp(dim=1, keepdim=True), logsumexp64,
                  lambda x, g: softmax64(x) * g[:, :1]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", sorted(SOFTMAX_FAMILY))
def test_softmax_family_at_extremes(name, dtype):
    fn, value, vjp = SOFTMAX_FAMILY[name]
    x = tl.tensor(ROWS, dtype=dtype, requires_grad=True)
    out = fn(x)
    g = UPSTREAM[:, :out.shape[1]]
    out.backward(g.astype(dtype))
    check(out.data, value(ROWS), dtype)
    check(x.grad, vjp(ROWS, g), dtype)


# -- losses on logits of +-1e4 ----------------------------------------------------------------------

LOGITS = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [-1e4, -1e4, -1e4], [1e4, -1e4, 9999.0]])
LABELS = np.array([1, 0, 2, 2])


def _cross_entropy64(x, target, smoothing=0.0):
    logp = log_softmax64(x, axis=1)
    y = np.eye(x.shape[1])[target] if target.dtype.kind == "i" else target
    y = (1 - smoothing) * y + smoothing / x.shape[1]
    loss = -(y * logp).sum(axis=1)
    return loss.mean(), (softmax64(x) * y.sum(axis=1, keepdims=True) - y) / len(x)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
@pytest.mark.parametrize("targets", ["indices", "probabilities"])
def test_cross_entropy_at_extreme_logits(targets, smoothing, dtype):
    y = LABELS if targets == "indices" else softmax64(np.array([[0.0, 1, 2], [3, 0, 0], [0, 0, 0], [-1, 0, 1e4]]))
    if targets == "probabilities":
        y = y.astype(dtype).astype(np.float64)  # the reference gets the target the loss sees
    x = tl.tensor(LOGITS, dtype=dtype, requires_grad=True)
    loss = nn.CrossEntropyLoss(label_smoothing=smoothing)(x, y if targets == "indices" else tl.tensor(y, dtype=dtype))
    loss.backward()
    ref_loss, ref_grad = _cross_entropy64(LOGITS, y, smoothing)
    check(loss.data, ref_loss, dtype)
    check(x.grad, ref_grad, dtype, atol=np.finfo(dtype).eps)  # entries in [-1, 1]


@pytest.mark.parametrize("dtype", DTYPES)
def test_nll_after_log_softmax_equals_cross_entropy_at_extreme_logits(dtype):
    x = tl.tensor(LOGITS, dtype=dtype, requires_grad=True)
    loss = nn.NLLLoss()(nn.LogSoftmax(dim=1)(x), LABELS)
    loss.backward()
    ref_loss, ref_grad = _cross_entropy64(LOGITS, LABELS)
    check(loss.data, ref_loss, dtype)
    check(x.grad, ref_grad, dtype, atol=np.finfo(dtype).eps)  # entries in [-1, 1]


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_then_categorical_cross_entropy_at_extreme_logits(dtype):
    """The seed's pipeline, nn.Softmax then CCELoss: a softmax output of exactly 0 at the target
    is clamped to eps (loss -log(eps)); the loss and the gradient stay finite."""
    x = tl.tensor(LOGITS, dtype=dtype, requires_grad=True)
    loss = nn.CCELoss()(nn.Softmax()(x), LABELS)
    loss.backward()
    p = softmax64(LOGITS)[np.arange(4), LABELS]
    check(loss.data, -np.log(np.maximum(p, 1e-7)).mean(), dtype)
    assert np.isfinite(x.grad).all() and x.grad.dtype == dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("pos_weight", [None, 3.0])
def test_bce_with_logits_at_extreme_logits(pos_weight, dtype):
    x64 = np.array([1e4, -1e4, 1e4, -1e4, 30.0, -30.0, 0.0])
    y64 = np.array([1.0, 0.0, 0.0, 1.0, 0.5, 0.5, 1.0])
    pw = 1.0 if pos_weight is None else pos_weight
    x = tl.tensor(x64, dtype=dtype, requires_grad=True)
    y = tl.tensor(y64, dtype=dtype, requires_grad=True)
    criterion = nn.BCEWithLogitsLoss(pos_weight=None if pos_weight is None else tl.tensor([pw], dtype=dtype))
    loss = criterion(x, y)
    loss.backward()
    log_weight = 1 + (pw - 1) * y64
    check(loss.data, ((1 - y64) * x64 + log_weight * np.logaddexp(0.0, -x64)).mean(), dtype)
    check(x.grad, (log_weight * sigmoid64(x64) - pw * y64) / len(x64), dtype)
    check(y.grad, ((pw - 1) * np.logaddexp(0.0, -x64) - x64) / len(x64), dtype)


# -- losses on probabilities of exactly 0 and 1 ------------------------------------------------------

P_EDGES = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 1e-30, 1.0])
Y_EDGES = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.3])


@pytest.mark.parametrize("dtype", DTYPES)
def test_bce_clamps_its_logarithms_at_minus_100(dtype):
    """BCELoss at p = 0 or 1: each logarithm is clamped to >= -100, as in PyTorch, so a wrong
    certain prediction costs 100, not inf; the gradient ``(p - y) / max(p (1 - p), 1e-12)`` and the
    target's gradient ``log(1 - p) - log(p)`` (clamped logarithms) are finite."""
    p = tl.tensor(P_EDGES, dtype=dtype, requires_grad=True)
    y = tl.tensor(Y_EDGES, dtype=dtype, requires_grad=True)
    loss = nn.BCELoss(reduction="none")(p, y)
    loss.sum().backward()
    pd = P_EDGES.astype(dtype).astype(np.float64)  # 1e-30 is a different number in float32
    with np.errstate(divide="ignore"):
        log_p, log_q = np.maximum(np.log(pd), -100), np.maximum(np.log1p(-pd), -100)
    check(loss.data, -(Y_EDGES * log_p + (1 - Y_EDGES) * log_q), dtype)
    np.testing.assert_array_equal(loss.data[[0, 1]], [0, 0])  # certain and right: no loss
    np.testing.assert_array_equal(loss.data[[2, 3]], [100, 100])  # certain and wrong: the clamp
    check(p.grad, (pd - Y_EDGES) / np.maximum(pd * (1 - pd), 1e-12), dtype)
    check(y.grad, log_q - log_p, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("targets", ["indices", "one-hot"])
def test_categorical_cross_entropy_at_probabilities_0_and_1(targets, dtype):
    """CCELoss clamps probabilities to eps = 1e-7 inside the logarithm: a target probability of
    exactly 0 costs -log(eps) (about 16.1) with gradient -1/eps; exactly 1 costs 0."""
    p64 = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    labels = np.array([0, 0, 1])
    p = tl.tensor(p64, dtype=dtype, requires_grad=True)
    target = labels if targets == "indices" else tl.tensor(np.eye(3)[labels], dtype=dtype)
    loss = nn.CCELoss(reduction="none")(p, target)
    loss.sum().backward()
    picked = np.maximum(p64[np.arange(3), labels], 1e-7)
    check(loss.data, -np.log(picked), dtype)
    grad = np.zeros((3, 3))
    grad[np.arange(3), labels] = -1 / picked
    check(p.grad, grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
def test_nll_loss_of_log_probabilities_0_and_1(weighted, dtype):
    """log(p) for p in {0, 1}: -inf outside the target class, or at a sample that ignore_index
    drops, costs nothing and gets a zero gradient (it used to give NaN through ``0 * -inf`` for an
    ignored sample); log p = 0 at the target costs 0. A -inf at a counted target is an infinite
    loss, as in PyTorch: the finite path for such inputs is log_softmax or cross_entropy."""
    logp = np.array([[0.0, -np.inf, -np.inf], [-np.inf, 0.0, -np.inf], [-np.inf, -np.inf, 0.0], [-np.inf, 0.0, -0.5]])
    target = np.array([0, 1, -100, 1])  # the ignored sample's stand-in class (0) holds -inf
    weight = np.array([1.0, 2.0, 3.0]) if weighted else None
    x = tl.tensor(logp, dtype=dtype, requires_grad=True)
    loss = nn.NLLLoss(weight=weight)(x, target)
    loss.backward()
    check(loss.data, 0.0, dtype)
    w = np.ones(3) if weight is None else weight
    divisor = w[0] + w[1] + w[1]
    grad = np.zeros((4, 3))
    grad[[0, 1, 3], [0, 1, 1]] = -w[[0, 1, 1]] / divisor
    check(x.grad, grad, dtype)
    assert F.nll_loss(tl.tensor([-np.inf, 0.0], dtype=dtype), np.array(0)).item() == np.inf


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_with_masked_logits_and_ignored_samples(smoothing, dtype):
    """Logits of -inf (a mask) at classes that are not the target, and an ignored sample whose
    stand-in class 0 is masked: finite loss and gradients without label smoothing; with it, a
    counted sample with a masked class is an infinite loss (smoothing puts mass there), but an
    ignored one still costs nothing (it used to turn the whole loss into NaN)."""
    x64 = np.array([[-np.inf, 2.0, 0.0], [-np.inf, 1.0, -1.0], [1.0, 0.0, 3.0]])
    target = np.array([1, -100, 2])
    x = tl.tensor(x64, dtype=dtype, requires_grad=True)
    loss = F.cross_entropy(x, target, label_smoothing=smoothing, reduction="none")
    assert loss.data[1] == 0
    if smoothing:
        assert loss.data[0] == np.inf and np.isfinite(loss.data[2])
        return
    loss.sum().backward()
    p = softmax64(np.where(np.isinf(x64), -1e300, x64))
    check(loss.data[[0, 2]], -np.log(p[[0, 2], [1, 2]]), dtype)
    grad = p.copy()
    grad[[0, 2], [1, 2]] -= 1
    grad[1] = 0
    check(x.grad, grad, dtype)


# -- variance and standard deviation of huge and tiny values -----------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [1e20, 1e-25, 3.0])
def test_std_of_huge_and_tiny_values_is_right(scale, dtype):
    """float32 squares overflow beyond about 1e19 and underflow below about 1e-19; std scales the
    deviations first (it used to give inf, with an overflow warning, and 0)."""
    base = np.array([[1.0, -1.0, 0.5, 0.25], [2.0, 2.0, 2.0, 2.0]])
    x64 = (base * scale).astype(dtype).astype(np.float64)
    x = tl.tensor(x64, dtype=dtype, requires_grad=True)
    out = x.std(dim=1)
    out.backward(np.ones(2, dtype))
    ref = x64.std(axis=1, ddof=1)
    check(out.data, ref, dtype)
    centered = x64 - x64.mean(axis=1, keepdims=True)
    grad = np.where(ref[:, None] > 0, centered / (3 * np.where(ref > 0, ref, 1)[:, None]), 0.0)
    check(x.grad, grad, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_variance_beyond_the_dtype_range_is_inf_without_a_warning(dtype):
    x = tl.tensor([3e19, -3e19, 1e19], dtype=dtype, requires_grad=True)
    v = x.var()
    v.backward()
    if dtype == np.float32:
        assert v.item() == np.inf  # 9.3e38 does not fit in float32, as in PyTorch
    else:
        np.testing.assert_allclose(v.item(), np.var([3e19, -3e19, 1e19], ddof=1), rtol=1e-12)
    np.testing.assert_allclose(x.grad, np.array([3e19, -3e19, 1e19]) - 1e19 / 3, rtol=1e-6)
