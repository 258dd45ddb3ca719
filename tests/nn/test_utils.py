"""nn.utils against torch.nn.utils (issue 22): clip_grad_norm_ (every norm type, the returned total,
error_if_nonfinite), clip_grad_value_, parameters_to_vector / vector_to_parameters, rnn.pad_sequence."""
import math

import numpy as np
import pytest

import tensorlite as tl
from tensorlite.autograd import version_of
from tensorlite.nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters
from tensorlite.nn.utils.rnn import pad_sequence

torch = pytest.importorskip("torch")


def _pairs(dtype=np.float64, scale=1.0, with_none=True):
    rng = np.random.default_rng(0)
    shapes = [(4, 3), (3,), (2, 2, 2)]
    grads = [rng.standard_normal(s).astype(dtype) * scale for s in shapes]
    ours = [tl.tensor(np.zeros(s, dtype), requires_grad=True) for s in shapes]
    theirs = [torch.zeros(s, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True) for s in shapes]
    for p, q, g in zip(ours, theirs, grads):
        p.grad, q.grad = g.copy(), torch.from_numpy(g.copy())
    if with_none:
        ours.append(tl.zeros(2, requires_grad=True))
        theirs.append(torch.zeros(2, requires_grad=True))
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, 0.5, math.inf, "inf", -math.inf, 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    ours, theirs = _pairs(dtype)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type, foreach=True)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    assert isinstance(total, tl.Tensor) and total.ndim == 0 and total.dtype == dtype
    np.testing.assert_allclose(float(total), expected.item(), rtol=rtol)
    for p, q in zip(ours, theirs):
        if q.grad is None:
            assert p.grad is None
        else:
            assert p.grad.dtype == dtype
            np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=rtol, atol=1e-30)


def test_clip_grad_norm_details():
    ours, _ = _pairs()
    g = ours[0].grad
    before = version_of(g)
    clip_grad_norm_(ours[0], 0.1)                       # one tensor, not a list
    assert ours[0].grad is g and version_of(g) > before    # in place
    np.testing.assert_allclose(np.linalg.norm(g), 0.1, rtol=1e-5)
    assert float(clip_grad_norm_([tl.zeros(2, requires_grad=True)], 1.0)) == 0.0   # no gradients at all
    w = tl.zeros(3, requires_grad=True)
    w.grad = np.array([1.0, np.inf, 2.0], np.float32)
    with pytest.raises(RuntimeError, match=r"clip_grad_norm_: the total norm of order 2.0 .* non-finite \(inf\)"):
        clip_grad_norm_([w], 1.0, error_if_nonfinite=True)
    assert w.grad[0] == 1.0                            # left alone
    t = torch.zeros(3, requires_grad=True)
    t.grad = torch.tensor([1.0, math.inf, 2.0])
    assert math.isinf(float(clip_grad_norm_([w], 1.0))) and math.isinf(torch.nn.utils.clip_grad_norm_([t], 1.0))
    np.testing.assert_array_equal(w.grad, t.grad.numpy())   # scaled by the infinite norm anyway, as PyTorch
    with pytest.raises(ValueError, match="clip_grad_norm_: norm_type must be a number"):
        clip_grad_norm_([w], 1.0, norm_type="fro")
    with pytest.raises(TypeError, match="clip_grad_norm_: parameter 1 is a ndarray, not a Tensor"):
        clip_grad_norm_([w, np.zeros(2)], 1.0)


def test_clip_grad_value_matches_torch():
    ours, theirs = _pairs(scale=3.0)
    assert clip_grad_value_(ours, 1.5, foreach=False) is None
    torch.nn.utils.clip_grad_value_(theirs, 1.5)
    for p, q in zip(ours, theirs):
        if q.grad is not None:
            np.testing.assert_array_equal(p.grad, q.grad.numpy())
    with pytest.raises(ValueError, match="clip_grad_value_: clip_value must be a number, got 'big'"):
        clip_grad_value_(ours, "big")


def test_parameters_to_vector_and_back():
    tl.manual_seed(0)
    model = tl.nn.Sequential(tl.nn.Linear(3, 4), tl.nn.Tanh(), tl.nn.Linear(4, 2))
    vec = parameters_to_vector(model.parameters())
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    with torch.no_grad():
        for p, q in zip(model.parameters(), tmodel.parameters()):
            q.copy_(torch.from_numpy(p.data))
    np.testing.assert_array_equal(vec.data, torch.nn.utils.parameters_to_vector(tmodel.parameters()).detach().numpy())
    (vec * tl.arange(vec.shape[0], dtype=np.float32)).sum().backward()   # gradients flow back to each parameter
    offset = 0
    for p in model.parameters():
        np.testing.assert_array_equal(p.grad.ravel(), np.arange(offset, offset + p.data.size, dtype=np.float32))
        offset += p.data.size
    new = tl.tensor(np.linspace(-1, 1, vec.shape[0]))
    weight = model[0].weight
    before, data = version_of(weight.data), weight.data
    vector_to_parameters(new, model.parameters())
    assert weight.data is data and weight.dtype == np.float32 and version_of(weight.data) > before
    np.testing.assert_allclose(parameters_to_vector(model.parameters()).data, new.data, rtol=1e-6)
    with pytest.raises(ValueError, match="vector_to_parameters: vec has 3 elements, the parameters have 26"):
        vector_to_parameters(tl.zeros(3), model.parameters())
    with pytest.raises(TypeError, match="vector_to_parameters: expected a Tensor for vec, got ndarray"):
        vector_to_parameters(np.zeros(26), model.parameters())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("trailing", [(), (3,), (2, 2)])
def test_pad_sequence_matches_torch_with_gradients(batch_first, padding_side, trailing):
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal((n, *trailing)) for n in (3, 5, 1)]
    ours = [tl.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = pad_sequence(ours, batch_first=batch_first, padding_value=-2.5, padding_side=padding_side)
    expected = torch.nn.utils.rnn.pad_sequence(theirs, batch_first=batch_first, padding_value=-2.5,
                                               padding_side=padding_side)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    weights = rng.standard_normal(out.shape)
    (out * tl.tensor(weights)).sum().backward()
    (expected * torch.from_numpy(weights)).sum().backward()
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad, q.grad.numpy())
    tl.gradcheck(lambda *xs: pad_sequence(list(xs), batch_first=batch_first, padding_side=padding_side), ours)


def test_pad_sequence_bad_input():
    with pytest.raises(ValueError, match=r"pad_sequence: sequence 1 has shape \(2, 4\), whose trailing dims differ"):
        pad_sequence([tl.zeros(3, 2), tl.zeros(2, 4)])
    with pytest.raises(ValueError, match="pad_sequence: padding_side must be 'right' or 'left', got 'middle'"):
        pad_sequence([tl.zeros(3)], padding_side="middle")
    with pytest.raises(ValueError, match="pad_sequence: got no sequences"):
        pad_sequence([])


def test_reachable_as_torch_lays_it_out():
    assert tl.nn.utils.clip_grad_norm_ is clip_grad_norm_
    assert tl.nn.utils.rnn.pad_sequence is pad_sequence
