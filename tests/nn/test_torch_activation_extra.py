"""The activations of issue 15 (part C), the distances and Bilinear against PyTorch: values and
gradients in float32 and float64, the gradient at every kink, stability at +-1e4, layers' reprs,
and Bilinear's state_dict."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn

torch = pytest.importorskip("torch")
TF = torch.nn.functional

TOL = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-11, atol=1e-13)}
DTYPES = [np.float32, np.float64]

ELEMENTWISE = {  # name: (ours, theirs)
    "silu": (F.silu, TF.silu),
    "elu": (F.elu, TF.elu),
    "elu alpha=0.5": (lambda x: F.elu(x, alpha=0.5), lambda x: TF.elu(x, alpha=0.5)),
    "selu": (F.selu, TF.selu),
    "celu": (F.celu, TF.celu),
    "celu alpha=2": (lambda x: F.celu(x, 2.0), lambda x: TF.celu(x, 2.0)),
    "mish": (F.mish, TF.mish),
    "relu6": (F.relu6, TF.relu6),
    "hardswish": (F.hardswish, TF.hardswish),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "hardtanh": (F.hardtanh, TF.hardtanh),
    "hardtanh(-2, 0.5)": (lambda x: F.hardtanh(x, -2.0, 0.5), lambda x: TF.hardtanh(x, -2.0, 0.5)),
    "softsign": (F.softsign, TF.softsign),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "softmin dim=1": (lambda x: F.softmin(x, dim=1), lambda x: TF.softmin(x, dim=1)),
    "glu": (F.glu, TF.glu),
    "glu dim=0": (lambda x: F.glu(x, 0), lambda x: TF.glu(x, 0)),
    "normalize": (F.normalize, TF.normalize),
    "normalize p=1 dim=0": (lambda x: F.normalize(x, 1.0, 0), lambda x: TF.normalize(x, 1.0, 0)),
    "normalize p=3": (lambda x: F.normalize(x, 3.0), lambda x: TF.normalize(x, 3.0)),
    "normalize p=inf": (lambda x: F.normalize(x, math.inf, -1), lambda x: TF.normalize(x, math.inf, -1)),
}
# every kink, both bounds, and the values around them
KINKS = np.array([-1e4, -7.0, -3.0, -2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, 3.0, 6.0, 7.0, 1e4])


def compare(ours, theirs, arrays, dtype, tol=None):
    tol = tol or TOL[dtype]
    ts = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    ls = [tl.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    to, lo = theirs(*ts), ours(*ls)
    assert lo.dtype == dtype and lo.shape == tuple(to.shape)
    np.testing.assert_allclose(lo.data, to.detach().numpy(), **tol)
    g = np.random.default_rng(1).standard_normal(lo.shape).astype(dtype)
    expected = torch.autograd.grad(to, ts, torch.tensor(g))
    got = tl.grad(lo, ls, g)
    for a, b in zip(got, expected):
        assert a.dtype == dtype
        np.testing.assert_allclose(a, b.numpy(), **tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_activation_matches_torch(name, dtype):
    ours, theirs = ELEMENTWISE[name]
    x = np.random.default_rng(0).standard_normal((4, 6)) * 3
    compare(ours, theirs, [x], dtype, _tol(name, dtype))


def _tol(name, dtype):
    """PyTorch's hardsigmoid backward uses 1/6 rounded to float32 even in float64; ours is exact."""
    return dict(rtol=1e-7, atol=1e-13) if name == "hardsigmoid" and dtype == np.float64 else TOL[dtype]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", [n for n in ELEMENTWISE if not n.startswith(("glu", "softmin", "normalize"))])
def test_kinks_and_extremes_match_torch(name, dtype):
    """The gradient at each kink (0, +-1, +-3, 6) and at +-1e4 is PyTorch's, with no warning (the
    suite turns warnings into errors)."""
    ours, theirs = ELEMENTWISE[name]
    x = KINKS.copy()
    ts = torch.tensor(x.astype(dtype), requires_grad=True)
    ls = tl.tensor(x.astype(dtype), requires_grad=True)
    to, lo = theirs(ts), ours(ls)
    assert np.isfinite(lo.data).all()
    np.testing.assert_allclose(lo.data, to.detach().numpy(), **TOL[dtype])
    (gt,) = torch.autograd.grad(to.sum(), ts)
    (gl,) = tl.grad(lo.sum(), [ls])
    np.testing.assert_allclose(gl, gt.numpy(), **_tol(name, dtype))


def test_grad_fn_names():
    x = tl.tensor([1.0, -1.0], requires_grad=True)
    assert F.silu(x).grad_fn == "SiluBackward"
    assert F.hardtanh(x).grad_fn == "HardtanhBackward"
    assert F.logsigmoid(x).grad_fn == "LogsigmoidBackward"
    assert F.pairwise_distance(x[None], x[None]).grad_fn == "NormBackward"


LAYERS = [
    (nn.SiLU(), torch.nn.SiLU()), (nn.ELU(0.3), torch.nn.ELU(0.3)), (nn.SELU(), torch.nn.SELU()),
    (nn.CELU(0.7), torch.nn.CELU(0.7)), (nn.Mish(), torch.nn.Mish()), (nn.ReLU6(), torch.nn.ReLU6()),
    (nn.Hardswish(), torch.nn.Hardswish()), (nn.Hardsigmoid(), torch.nn.Hardsigmoid()),
    (nn.Hardtanh(-0.5, 2.0), torch.nn.Hardtanh(-0.5, 2.0)), (nn.Softsign(), torch.nn.Softsign()),
    (nn.LogSigmoid(), torch.nn.LogSigmoid()), (nn.Softmin(1), torch.nn.Softmin(1)), (nn.GLU(1), torch.nn.GLU(1)),
    (nn.ReLU6(inplace=True), torch.nn.ReLU6(inplace=True)), (nn.ELU(alpha=0.5, inplace=True), torch.nn.ELU(0.5, True)),
    (nn.Softmin(), torch.nn.Softmin()),
]


@pytest.mark.parametrize("ours, theirs", LAYERS, ids=lambda m: repr(m))
def test_layers_match_torch_and_repr(ours, theirs):
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(2).standard_normal((3, 4))

    def call_theirs(t):
        with warnings.catch_warnings():  # Softmin() warns about its implicit dim (1 here, the last)
            warnings.simplefilter("ignore")
            return theirs(t.clone())
    # PyTorch rounds CELU's 1 / alpha and hardsigmoid's 1 / 6 to float32 in its float64 kernels
    compare(ours, call_theirs, [x], np.float64, dict(rtol=1e-7, atol=1e-13))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim, shapes", [(1, ((4, 5), (4, 5))), (0, ((3, 2), (3, 1))), (-1, ((2, 3, 4), (4,))),
                                         (1, ((2, 3), (1, 3)))])
def test_cosine_similarity_matches_torch(dim, shapes, dtype):
    rng = np.random.default_rng(3)
    a, b = (rng.standard_normal(s) for s in shapes)
    compare(lambda x, y: F.cosine_similarity(x, y, dim), lambda x, y: TF.cosine_similarity(x, y, dim), [a, b], dtype)


def test_cosine_similarity_eps_semantics_match_torch():
    """Each norm is clamped to eps on its own; a zero vector gives 0, a tiny one PyTorch's value and
    gradient (the clamp passes the gradient)."""
    a = np.array([[0.0, 0.0, 0.0], [1e-9, 2e-9, 0.0], [1.0, 2.0, 3.0]])
    b = np.array([[1.0, 2.0, 3.0], [1.0, 0.5, -1.0], [1e-10, 0.0, 0.0]])
    for eps in (1e-8, 0.5):
        compare(lambda x, y, e=eps: F.cosine_similarity(x, y, eps=e),
                lambda x, y, e=eps: TF.cosine_similarity(x, y, eps=e), [a, b], np.float64, dict(rtol=1e-9, atol=1e-12))
    layer, theirs = nn.CosineSimilarity(dim=0, eps=1e-3), torch.nn.CosineSimilarity(dim=0, eps=1e-3)
    compare(layer, theirs, [a, b], np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, math.inf, 0.5])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance_matches_torch(p, keepdim, dtype):
    rng = np.random.default_rng(4)
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    b[0] = a[0]  # equal vectors: the eps keeps it differentiable
    compare(lambda x, y: F.pairwise_distance(x, y, p, keepdim=keepdim),
            lambda x, y: TF.pairwise_distance(x, y, p, keepdim=keepdim), [a, b], dtype)
    compare(nn.PairwiseDistance(p, 1e-3, keepdim), torch.nn.PairwiseDistance(p, 1e-3, keepdim), [a[0], b], dtype)


def test_normalize_of_zero_vectors_matches_torch():
    x = np.array([[0.0, 0.0, 0.0], [1e-13, 0.0, -1e-13], [1.0, 2.0, 2.0]])
    compare(F.normalize, TF.normalize, [x], np.float64, dict(rtol=1e-10, atol=1e-12))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lead, bias", [((4,), True), ((2, 3), False), ((), True)])
def test_bilinear_matches_torch_and_loads_its_state_dict(lead, bias, dtype):
    torch.manual_seed(0)
    theirs = torch.nn.Bilinear(3, 5, 2, bias=bias).to(torch.float64 if dtype == np.float64 else torch.float32)
    with _dtype(dtype):
        ours = nn.Bilinear(3, 5, 2, bias=bias)
    assert repr(ours) == repr(theirs)
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == \
        {k: tuple(v.shape) for k, v in theirs.state_dict().items()}
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(5)
    x1, x2 = rng.standard_normal(lead + (3,)), rng.standard_normal(lead + (5,))
    compare(ours, theirs, [x1, x2], dtype)
    g = rng.standard_normal(lead + (2,)).astype(dtype)
    ours(tl.tensor(x1.astype(dtype)), tl.tensor(x2.astype(dtype))).backward(g)
    theirs(torch.tensor(x1.astype(dtype)), torch.tensor(x2.astype(dtype))).backward(torch.tensor(g))
    t_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad, t_params[name].grad.numpy(), err_msg=name, **TOL[dtype])


class _dtype:
    def __init__(self, dtype):
        self.dtype = dtype

    def __enter__(self):
        self.previous = tl.get_default_dtype()
        tl.set_default_dtype(self.dtype)

    def __exit__(self, *exc):
        tl.set_default_dtype(self.previous)


def test_bilinear_functional_and_default_init():
    rng = np.random.default_rng(6)
    x1, x2, w, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 2)), rng.standard_normal((5, 3, 2)), \
        rng.standard_normal(5)
    compare(F.bilinear, TF.bilinear, [x1, x2, w, b], np.float64)
    compare(F.bilinear, TF.bilinear, [x1, x2, w], np.float64)
    tl.manual_seed(0)
    layer = nn.Bilinear(16, 3, 200)
    bound = 1 / math.sqrt(16)
    for p in (layer.weight.data, layer.bias.data):
        assert -bound <= p.min() < -0.9 * bound and 0.9 * bound < p.max() <= bound


def test_bad_input_is_refused_with_the_shapes():
    with pytest.raises(ValueError, match=r"glu.*\(2, 3\).*odd"):
        F.glu(tl.zeros(2, 3))
    with pytest.raises(ValueError, match="0-d"):
        F.glu(tl.tensor(1.0))
    with pytest.raises(IndexError, match="dim 2"):
        F.glu(tl.zeros(2, 4), dim=2)
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4,\)"):
        F.cosine_similarity(tl.zeros(2, 3), tl.zeros(4))
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(2, 4\)"):
        F.pairwise_distance(tl.zeros(2, 3), tl.zeros(2, 4))
    with pytest.raises(ValueError, match="p must be positive"):
        F.pairwise_distance(tl.zeros(2, 3), tl.zeros(2, 3), p=0)
    with pytest.raises(ValueError, match=r"Bilinear.*\(\*, 3\).*\(4, 2\)"):
        nn.Bilinear(3, 5, 2)(tl.zeros(4, 2), tl.zeros(4, 5))
    with pytest.raises(ValueError, match=r"bilinear: weight.*\(2, 3\)"):
        F.bilinear(tl.zeros(4, 2), tl.zeros(4, 3), tl.zeros(2, 3))
    with pytest.raises(ValueError, match=r"bias.*\(2,\).*\(3,\)"):
        F.bilinear(tl.zeros(4, 3), tl.zeros(4, 5), tl.zeros(2, 3, 5), tl.zeros(3))
    with pytest.raises(ValueError, match="min_val"):
        nn.Hardtanh(1.0, -1.0)
    with pytest.raises(ValueError, match="CELU: alpha must be nonzero"):
        nn.CELU(0.0)
    with pytest.raises(TypeError, match="elu: alpha"):
        F.elu(tl.zeros(2), alpha="1")
    with pytest.raises(TypeError, match="out="):
        F.normalize(tl.zeros(2, 2), out=tl.zeros(2, 2))


def test_integer_input_gets_the_default_dtype():
    assert F.silu([1, 2]).dtype == tl.get_default_dtype()
    assert F.hardtanh(np.array([3, -3])).data.tolist() == [1.0, -1.0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", ["softmin dim=1", "glu", "glu dim=0", "normalize", "normalize p=3", "normalize p=inf"])
def test_along_a_dim_stable_at_1e4(name, dtype):
    """No overflow warning (the suite turns them into errors) and PyTorch's values and gradients."""
    ours, theirs = ELEMENTWISE[name]
    x = np.array([[-1e4, 1e4, 0.0, 1.0], [1e4, 1e4, -1e4, 2.0]])
    compare(ours, theirs, [x], dtype)
