"""F.affine_grid and F.grid_sample (4-D): values and gradients as PyTorch's, gradcheck, bad input."""
import itertools

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F

RNG = np.random.default_rng(0)
X = RNG.standard_normal((2, 3, 5, 6))
GRID = RNG.uniform(-1.3, 1.3, (2, 4, 7, 2))  # points outside the image too
CASES = list(itertools.product(["bilinear", "nearest"], ["zeros", "border", "reflection"], [False, True]))


@pytest.mark.parametrize("mode, padding, align", CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_grid_sample_matches_torch(mode, padding, align, dtype):
    torch = pytest.importorskip("torch")
    x, g = tl.tensor(X.astype(dtype), requires_grad=True), tl.tensor(GRID.astype(dtype), requires_grad=True)
    out = F.grid_sample(x, g, mode=mode, padding_mode=padding, align_corners=align)
    w = RNG.standard_normal(out.shape).astype(dtype)
    (out * tl.tensor(w)).sum().backward()
    xt, gt = torch.tensor(X.astype(dtype), requires_grad=True), torch.tensor(GRID.astype(dtype), requires_grad=True)
    expected = torch.nn.functional.grid_sample(xt, gt, mode=mode, padding_mode=padding, align_corners=align)
    (expected * torch.tensor(w)).sum().backward()
    tol = 1e-12 if dtype == np.float64 else 2e-5
    assert out.dtype == dtype
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(g.grad, gt.grad.numpy(), rtol=tol, atol=10 * tol)


@pytest.mark.parametrize("padding", ["zeros", "border", "reflection"])
def test_grid_sample_gradcheck(padding):
    # points at pixel positions k + 0.35 (away from where floor() jumps), some outside the image
    h, w = X.shape[2:]
    px = RNG.integers(-2, w + 1, (1, 3, 4)) + 0.35
    py = RNG.integers(-2, h + 1, (1, 3, 4)) + 0.35
    grid = np.stack([(2 * px + 1) / w - 1, (2 * py + 1) / h - 1], axis=-1)  # align_corners=False
    x, g = tl.tensor(X[:1], requires_grad=True), tl.tensor(grid, requires_grad=True)
    assert tl.gradcheck(lambda a, b: F.grid_sample(a, b, padding_mode=padding), [x, g])


@pytest.mark.parametrize("align", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3)])
def test_affine_grid_matches_torch_and_feeds_grid_sample(align, size):
    torch = pytest.importorskip("torch")
    theta = RNG.standard_normal((2, 2, 3))
    t, tt = tl.tensor(theta, requires_grad=True), torch.tensor(theta, requires_grad=True)
    grid = F.affine_grid(t, size, align_corners=align)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch warns for unit-size grids
        expected = torch.nn.functional.affine_grid(tt, size, align_corners=align)
    w = RNG.standard_normal(grid.shape)
    (grid * tl.tensor(w)).sum().backward()
    (expected * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(grid.data, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_a_spatial_transformer_step_is_differentiable_end_to_end():
    theta = tl.tensor(np.array([[[0.83, 0.11, 0.047], [-0.09, 1.07, 0.031]]]), requires_grad=True)
    x = tl.tensor(X[:1], requires_grad=True)
    assert tl.gradcheck(lambda th, a: F.grid_sample(a, F.affine_grid(th, (1, 3, 4, 4))), [theta, x])
    identity = tl.tensor(np.array([[[1.0, 0, 0], [0, 1.0, 0]]]))
    same = F.grid_sample(x, F.affine_grid(identity, (1, 3, 5, 6), align_corners=True), align_corners=True)
    np.testing.assert_allclose(same.data, X[:1], atol=1e-12)


def test_bad_arguments_are_named():
    x, g = tl.tensor(X), tl.tensor(GRID)
    with pytest.raises(ValueError, match=r"grid_sample: expected input \(N, C, H, W\).*\(2, 3, 5\).*\(2, 4, 7, 2\)"):
        F.grid_sample(tl.tensor(X[..., 0]), g)
    with pytest.raises(ValueError, match=r"grid_sample: expected.*same N.*\(1, 4, 7, 2\)"):
        F.grid_sample(x, tl.tensor(GRID[:1]))
    with pytest.raises(ValueError, match="grid_sample: mode must be one of"):
        F.grid_sample(x, g, mode="bicubic")
    with pytest.raises(ValueError, match="grid_sample: padding_mode must be one of"):
        F.grid_sample(x, g, padding_mode="circular")
    with pytest.raises(ValueError, match=r"affine_grid: expected theta of shape \(2, 2, 3\).*\(1, 2, 3\)"):
        F.affine_grid(tl.tensor(np.zeros((1, 2, 3))), (2, 1, 4, 4))
    with pytest.raises(ValueError, match="affine_grid: size must be 4"):
        F.affine_grid(tl.tensor(np.zeros((1, 2, 3))), (1, 4, 4))
