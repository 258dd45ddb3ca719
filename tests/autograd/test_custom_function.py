"""tl.autograd.Function: PyTorch's custom-function API, compared with torch.autograd.Function."""
import numpy as np
import pytest

import tensorlite as tl


def _functions(base):
    """The same custom functions written against ``base`` (tl.autograd.Function or torch's)."""

    class Exp(base):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    class ScaleShift(base):  # non-tensor arguments, and a tensor argument that may need no gradient
        @staticmethod
        def forward(ctx, x, factor, shift):
            ctx.factor = factor
            ctx.flags = ctx.needs_input_grad
            return x * factor + shift

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.factor, None, (grad if ctx.needs_input_grad[2] else None)

    class SquareAndCube(base):  # two differentiable outputs
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x, x * x * x

        @staticmethod
        def backward(ctx, g2, g3):
            (x,) = ctx.saved_tensors
            return g2 * 2 * x + g3 * 3 * x * x

    class MaxWithIndex(base):  # an output marked non-differentiable
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax(1)
            values = x.max(1)
            values = values[0] if isinstance(values, tuple) else values
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x, idx)
            return values, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            x, idx = ctx.saved_tensors
            out = x * 0
            out[np.arange(x.shape[0]), idx.numpy() if hasattr(idx, "numpy") else idx] = g
            return out

    return Exp, ScaleShift, SquareAndCube, MaxWithIndex


TL = dict(zip(["Exp", "ScaleShift", "SquareAndCube", "MaxWithIndex"], _functions(tl.autograd.Function)))
X = np.random.default_rng(0).standard_normal((3, 4))


def test_values_gradients_and_name_as_pytorch():
    torch = pytest.importorskip("torch")
    TH = dict(zip(TL, _functions(torch.autograd.Function)))
    for name in ("Exp", "SquareAndCube"):
        x, xt = tl.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
        ours, theirs = TL[name].apply(x), TH[name].apply(xt)
        ours = ours if isinstance(ours, tuple) else (ours,)
        theirs = theirs if isinstance(theirs, tuple) else (theirs,)
        sum(((o * (k + 1)).sum() for k, o in enumerate(ours)), tl.tensor(0.0, dtype="float64")).backward()
        sum((o * (k + 1)).sum() for k, o in enumerate(theirs)).backward()
        for o, t in zip(ours, theirs):
            np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=1e-14)
        np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-14)
        assert ours[0].grad_fn == f"{name}Backward"


def test_non_tensor_arguments_and_needs_input_grad():
    x, shift = tl.tensor(X, requires_grad=True), tl.tensor(X[0])  # shift needs no gradient
    y = TL["ScaleShift"].apply(x, 3.0, shift)
    assert y._ctx.ctx.flags == (True, False, False)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(X.shape, 3.0))


def test_an_unused_output_gets_zeros_or_none():
    seen = []

    class Pair(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            seen.append(gb if gb is None else gb.data.copy())
            return ga * 2 + (0 if gb is None else gb * 3), None

    for materialize in (True, False):
        x = tl.tensor(X, requires_grad=True)
        a, _ = Pair.apply(x, materialize)
        a.sum().backward()
        np.testing.assert_array_equal(x.grad, np.full(X.shape, 2.0))
    assert np.array_equal(seen[0], np.zeros(X.shape)) and seen[1] is None


def test_non_differentiable_outputs_and_gradcheck():
    x = tl.tensor(X, requires_grad=True)
    values, idx = TL["MaxWithIndex"].apply(x)
    assert values.requires_grad and not idx.requires_grad and idx.dtype.kind == "i"
    assert tl.gradcheck(lambda t: TL["MaxWithIndex"].apply(t)[0], [x])
    assert tl.gradcheck(lambda t: TL["SquareAndCube"].apply(t), [x])
    assert tl.gradcheck(TL["Exp"].apply, [x])


def test_recording_off_and_inputs_returned_as_outputs():
    class Identity(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 5

    x = tl.tensor(X, requires_grad=True)
    with tl.no_grad():
        assert TL["Exp"].apply(x).grad_fn is None
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and y.grad_fn == "IdentityBackward"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.full(X.shape, 5.0))


def test_bad_functions_get_clear_errors():
    class WrongCount(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return grad

    class NotATensor(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return 3.0

    x = tl.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"WrongCount.backward returned 1 gradient\(s\) but forward took 2"):
        WrongCount.apply(x, 2.0).sum().backward()
    with pytest.raises(TypeError, match=r"NotATensor.forward returned a float"):
        NotATensor.apply(x)
    with pytest.raises(TypeError, match="only tensors"):
        tl.autograd.FunctionCtx().save_for_backward(np.ones(2))
    y = TL["Exp"].apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.sum().backward()
