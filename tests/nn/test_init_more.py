"""nn.init.orthogonal_, trunc_normal_, eye_, dirac_ and calculate_gain (issue 22): PyTorch's semantics,
the distributions of the random ones (against PyTorch's draws and the exact truncated normal), and
version-counter bumps."""
import math

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.autograd import version_of
from tensorlite.nn import init

torch = pytest.importorskip("torch")


def _ks(a, b):
    """The two-sample Kolmogorov-Smirnov statistic."""
    grid = np.sort(np.concatenate([a, b]))
    fa = np.searchsorted(np.sort(a), grid, side="right") / a.size
    fb = np.searchsorted(np.sort(b), grid, side="right") / b.size
    return np.abs(fa - fb).max()


@pytest.mark.parametrize("mean, std, a, b", [
    (0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04), (1.0, 2.0, -1.0, 0.5), (0.0, 1.0, 2.5, 4.0),
    (0.0, 1.0, -0.01, 0.01), (0.0, 0.02, -2.0, 2.0), (3.0, 1.0, -1.0, 1.0),
])
def test_trunc_normal_has_the_truncated_normal_distribution(mean, std, a, b):
    tl.manual_seed(0)
    ours = init.trunc_normal_(tl.zeros(40000, dtype=np.float64), mean, std, a, b).data
    assert ours.min() >= a and ours.max() <= b
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)   # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))          # noqa: E731
    Z = cdf(beta) - cdf(alpha)
    expected_mean = mean + std * (pdf(alpha) - pdf(beta)) / Z
    expected_var = std ** 2 * (1 + (alpha * pdf(alpha) - beta * pdf(beta)) / Z - ((pdf(alpha) - pdf(beta)) / Z) ** 2)
    assert abs(ours.mean() - expected_mean) < 5 * math.sqrt(expected_var / ours.size) + 1e-12
    assert abs(ours.var() / expected_var - 1) < 0.05
    if abs(mean - np.clip(mean, a, b)) <= 2 * std:      # where PyTorch's inverse-CDF method is accurate
        torch.manual_seed(0)
        theirs = torch.nn.init.trunc_normal_(torch.zeros(40000, dtype=torch.float64), mean, std, a, b).numpy()
        assert _ks(ours, theirs) < 0.015


def test_orthogonal_is_orthogonal_with_the_haar_signs_and_gain():
    for shape in [(5, 3), (3, 5), (4, 2, 3), (6, 6)]:
        w = init.orthogonal_(tl.zeros(*shape, dtype=np.float64), gain=2.0)
        m = w.data.reshape(shape[0], -1)
        small = m.T @ m if m.shape[0] >= m.shape[1] else m @ m.T
        np.testing.assert_allclose(small, 4.0 * np.eye(min(m.shape)), atol=1e-12)
    # the same construction as PyTorch on the generator's normal draws: QR with R's diagonal made positive
    tl.manual_seed(3)
    w = init.orthogonal_(tl.zeros(3, 5, dtype=np.float64)).data
    tl.manual_seed(3)
    flat = tl.config.generator().standard_normal((3, 5)).T
    q, r = np.linalg.qr(flat)
    np.testing.assert_allclose(w, (q * np.sign(np.diag(r))).T, atol=1e-14)
    # the distribution: entries of a Haar orthogonal matrix, compared with PyTorch's
    ours = np.concatenate([init.orthogonal_(tl.zeros(8, 8, dtype=np.float64)).data.ravel() for _ in range(300)])
    torch.manual_seed(0)
    theirs = np.concatenate([torch.nn.init.orthogonal_(torch.zeros(8, 8, dtype=torch.float64)).numpy().ravel()
                             for _ in range(300)])
    assert _ks(ours, theirs) < 0.03


def test_eye_and_dirac_match_torch():
    for shape in [(3, 3), (2, 5), (5, 2)]:
        np.testing.assert_array_equal(init.eye_(tl.zeros(*shape)).data,
                                      torch.nn.init.eye_(torch.zeros(*shape)).numpy())
    for shape, groups in [((4, 4, 3), 1), ((6, 2, 3, 3), 2), ((4, 3, 3, 4), 2), ((3, 5, 3, 3, 3), 1),
                          ((6, 1, 2, 2), 3), ((2, 4, 5), 2)]:
        np.testing.assert_array_equal(init.dirac_(tl.ones(*shape), groups).data,
                                      torch.nn.init.dirac_(torch.ones(*shape), groups).numpy(), err_msg=str(shape))
    x = tl.tensor(np.random.default_rng(0).standard_normal((2, 3, 7)))
    w = init.dirac_(tl.zeros(3, 3, 3, dtype=np.float64))
    np.testing.assert_allclose(tl.nn.functional.conv1d(x, w, padding=1).data, x.data, atol=1e-15)


@pytest.mark.parametrize("name, param", [
    ("linear", None), ("conv2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
    ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 1), ("selu", None)])
def test_calculate_gain_is_pytorchs_table(name, param):
    assert init.calculate_gain(name, param) == torch.nn.init.calculate_gain(name, param)


def test_writes_bump_the_version_and_keep_the_dtype():
    p = tl.nn.Parameter(tl.zeros(4, 4, 3).data)
    for fill in (lambda t: init.orthogonal_(t), lambda t: init.trunc_normal_(t), lambda t: init.dirac_(t),
                 lambda t: init.constant_(t, 0.3)):
        before = version_of(p.data)
        assert fill(p) is p and p.dtype == np.float32
        assert version_of(p.data) > before
    e = tl.nn.Parameter(tl.zeros(2, 2).data)
    before = version_of(e.data)
    init.eye_(e)
    assert version_of(e.data) > before


def test_bad_arguments_name_the_function_and_the_value():
    with pytest.raises(ValueError, match=r"orthogonal_: only tensors with 2 or more dimensions.*\(3,\)"):
        init.orthogonal_(tl.zeros(3))
    with pytest.raises(ValueError, match=r"eye_: only 2-D tensors are supported, got shape \(2, 2, 2\)"):
        init.eye_(tl.zeros(2, 2, 2))
    with pytest.raises(ValueError, match=r"dirac_: only tensors of 3, 4 or 5 dims"):
        init.dirac_(tl.zeros(2, 2))
    with pytest.raises(ValueError, match=r"dirac_: dim 0 of shape \(3, 2, 3\) \(3\) must be divisible by groups=2"):
        init.dirac_(tl.zeros(3, 2, 3), groups=2)
    with pytest.raises(ValueError, match=r"trunc_normal_: the interval \[a, b\] = \[1.0, -1.0\] is empty"):
        init.trunc_normal_(tl.zeros(3), a=1.0, b=-1.0)
    with pytest.raises(ValueError, match="trunc_normal_: std must be positive, got 0"):
        init.trunc_normal_(tl.zeros(3), std=0)
    with pytest.raises(TypeError, match="expected a Tensor or Parameter, got ndarray"):
        init.trunc_normal_(np.zeros(3))
