"""Higher-order gradients of the recurrent ops and layers, of custom Functions, and of the
differentiable all-reduce: derivatives of order 1-3 against PyTorch in float64 (tiny sizes).

The layers are composites: their tests also need the graph rules of the ops they are built
from (indexing, stack, linear: other families of issue 16); a case whose ops have no rule yet is
skipped, naming them."""
from __future__ import annotations

import types

import numpy as np
import pytest
from higher_order import assert_matches_torch

import tensorlite as tl
import tensorlite.distributed as dist
from tensorlite.ops.recurrent import LstmLayer, lstm_layer

torch = pytest.importorskip("torch")

L, N, F, H = 3, 2, 3, 2


def arrays(*shapes, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) * scale for s in shapes]


# -- the fused LSTM layer op --------------------------------------------------------------------

def torch_lstm_layer(x, h, c, w_ih, w_hh, b_ih=None, b_hh=None, reverse=False):
    hs = [None] * x.shape[0]
    for k in (range(x.shape[0] - 1, -1, -1) if reverse else range(x.shape[0])):
        h, c = torch.lstm_cell(x[k], (h, c), w_ih, w_hh, b_ih, b_hh)
        hs[k] = h
    return torch.stack(hs + [c])


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("bias", [True, False])
def test_lstm_layer_matches_torch(reverse, bias):
    shapes = [(L, N, F), (N, H), (N, H), (4 * H, F), (4 * H, H)] + [(4 * H,), (4 * H,)] * bias
    assert_matches_torch(lambda *a: lstm_layer(*a, reverse=reverse),
                         lambda *a: torch_lstm_layer(*a, reverse=reverse), arrays(*shapes))


def test_lstm_layer_some_inputs_constant():
    """Only x and w_hh require grad: the rule still differentiates through the constants."""
    shapes = [(L, N, F), (N, H), (N, H), (4 * H, F), (4 * H, H), (4 * H,), (4 * H,)]
    assert_matches_torch(lstm_layer, torch_lstm_layer, arrays(*shapes, seed=1), wrt=[0, 4])


@pytest.mark.parametrize("steps,n,hidden", [(1, 1, 1), (2, 1, 3)])
def test_lstm_layer_gradgradcheck_edge_shapes(steps, n, hidden):
    shapes = [(steps, n, 2), (n, hidden), (n, hidden), (4 * hidden, 2), (4 * hidden, hidden),
              (4 * hidden,), (4 * hidden,)]
    xs = [tl.tensor(a, requires_grad=True) for a in arrays(*shapes, seed=2)]
    assert tl.gradgradcheck(lambda *a: lstm_layer(*a, reverse=True), xs)


def test_lstm_layer_first_order_result_is_unchanged():
    """The graph rule's first derivative equals the fast rule's (same entry, both walks)."""
    shapes = [(L, N, F), (N, H), (N, H), (4 * H, F), (4 * H, H), (4 * H,), (4 * H,)]
    xs = [tl.tensor(a, requires_grad=True) for a in arrays(*shapes, seed=3)]
    out = lstm_layer(*xs)
    assert isinstance(out._ctx, LstmLayer)
    v = np.random.default_rng(4).standard_normal(out.shape)
    fast = tl.grad(out, xs, v, retain_graph=True)
    graph = tl.grad(out, xs, v, create_graph=True)
    for a, b in zip(fast, graph):
        assert b.requires_grad
        np.testing.assert_allclose(b.data, a, rtol=1e-12, atol=1e-12)


# -- the layers and cells ------------------------------------------------------------------------

MODULES = [  # (class name, constructor keywords, is a cell)
    ("LSTM", {}, False),
    ("LSTM", {"num_layers": 2, "bidirectional": True, "batch_first": True}, False),
    ("GRU", {}, False),
    ("GRU", {"bidirectional": True, "bias": False}, False),
    ("RNN", {}, False),
    ("RNN", {"nonlinearity": "relu", "num_layers": 2}, False),
    ("LSTMCell", {}, True),
    ("GRUCell", {}, True),
    ("RNNCell", {}, True),
]


@pytest.mark.parametrize("name,kwargs,cell", MODULES, ids=[f"{m[0]}-{i}" for i, m in enumerate(MODULES)])
def test_recurrent_modules_match_torch(name, kwargs, cell):
    """Derivatives of order 1-3 with respect to the input, the initial state and every weight."""
    torch.manual_seed(0)
    theirs = getattr(torch.nn, name)(F, H, **kwargs).double()
    ours = getattr(tl.nn, name)(F, H, **kwargs)
    names = [n for n, _ in theirs.named_parameters()]
    assert names == [n for n, _ in ours.named_parameters()]
    lstm = name.startswith("LSTM")
    layers = 1 if cell else kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    batch_first = kwargs.get("batch_first", False)
    x_shape = (N, F) if cell else ((N, L, F) if batch_first else (L, N, F))
    state_shape = (N, H) if cell else (layers, N, H)
    weights = [p.detach().numpy() for p in theirs.parameters()]
    inputs = arrays(x_shape, state_shape, *([state_shape] if lstm else []), seed=5) + weights
    count = 3 if lstm else 2

    def flat(out):
        if isinstance(out, tuple):
            return tuple(t for o in out for t in (o if isinstance(o, tuple) else (o,)))
        return out

    def ours_fn(*a):
        for n, w in zip(names, a[count:]):
            ours._parameters[n] = w  # a functional call: the weights are inputs of the function
        return flat(ours(a[0], (a[1], a[2]) if lstm else a[1]))

    def theirs_fn(*a):
        params = dict(zip(names, a[count:]))
        return flat(torch.func.functional_call(theirs, params, (a[0], (a[1], a[2]) if lstm else a[1])))

    assert_matches_torch(ours_fn, theirs_fn, inputs, rtol=1e-6, atol=1e-8)


# -- custom Functions ----------------------------------------------------------------------------

def functions(lib):
    """The same custom Functions written against tensorlite and against torch."""
    base = tl.autograd.Function if lib == "tl" else torch.autograd.Function

    class Cube(base):  # saves an input; a non-tensor argument
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x ** 3 * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2 * ctx.k, None

    class Exp(base):  # saves its output
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            (y,) = ctx.saved_tensors
            return g * y

    class ProductAndTanh(base):  # two inputs, two outputs; saves both inputs and an output
        @staticmethod
        def forward(ctx, a, b):
            s = (a + b).tanh()
            ctx.save_for_backward(a, b, s)
            return a * b, s

        @staticmethod
        def backward(ctx, gp, gs):
            a, b, s = ctx.saved_tensors
            d = gs * (1 - s * s)
            return gp * b + d, gp * a + d

    return Cube, Exp, ProductAndTanh


TL_FUNCTIONS, TORCH_FUNCTIONS = functions("tl"), functions("torch")
FUNCTION_CASES = {
    "saved input": (lambda F_: lambda x, y: F_[0].apply(x, 2.0) * y, [(3, 2), (3, 2)]),
    "saved output": (lambda F_: lambda x, y: F_[1].apply(x * y).tanh(), [(3, 2), (2,)]),
    "two outputs": (lambda F_: lambda x, y: F_[2].apply(x * x, y), [(3, 2), (3, 2)]),
    "one of two outputs used": (lambda F_: lambda x, y: F_[2].apply(x, y)[1] * x, [(2, 2), (2, 2)]),
    "0-d": (lambda F_: lambda x, y: F_[2].apply(F_[1].apply(x), y)[0], [(), ()]),
}


@pytest.mark.parametrize("case", list(FUNCTION_CASES))
def test_custom_function_matches_torch(case):
    make, shapes = FUNCTION_CASES[case]
    assert_matches_torch(make(TL_FUNCTIONS), make(TORCH_FUNCTIONS), arrays(*shapes, seed=6))


@pytest.mark.parametrize("case", ["saved input", "two outputs"])
def test_custom_function_with_an_input_that_needs_no_grad(case):
    make, shapes = FUNCTION_CASES[case]
    assert_matches_torch(make(TL_FUNCTIONS), make(TORCH_FUNCTIONS), arrays(*shapes, seed=10), wrt=[1])


def test_custom_function_gradgradcheck():
    xs = [tl.tensor(a, requires_grad=True) for a in arrays((2, 3), (2, 3), seed=7)]
    assert tl.gradgradcheck(lambda a, b: TL_FUNCTIONS[2].apply(a, b), xs)
    assert tl.gradgradcheck(lambda a, b: TL_FUNCTIONS[1].apply(a) * b, xs)


def test_custom_function_backward_is_recorded_only_with_create_graph():
    seen = []

    class Square(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            seen.append((tl.is_grad_enabled(), isinstance(g, tl.Tensor), g.requires_grad, x.requires_grad))
            return 2 * x * g

    x = tl.tensor([1.0, 3.0], requires_grad=True)
    (g,) = tl.grad(Square.apply(x).sum(), x)
    assert isinstance(g, np.ndarray) and seen[-1] == (False, True, False, True)
    y = Square.apply(x).sum()
    (g,) = tl.grad(y, x, create_graph=True)
    assert seen[-1] == (True, True, False, True)
    np.testing.assert_allclose(g.data, [2.0, 6.0])
    np.testing.assert_allclose(tl.grad(g.sum(), x)[0], [2.0, 2.0])
    y.backward()  # the graph was kept (create_graph retains it): a first-order walk still works
    np.testing.assert_allclose(x.grad, [2.0, 6.0])


def test_custom_function_retain_graph_keeps_saved_tensors():
    x = tl.tensor([0.0, 1.0], requires_grad=True)
    y = TL_FUNCTIONS[1].apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * np.exp([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_custom_function_backward_that_returns_arrays_gives_constants():
    """A backward written on ndarrays has no graph: its gradient is a constant in the next order
    (as in PyTorch, where a backward that leaves autograd is silently not differentiated)."""
    class Twice(tl.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return 2 * x

        @staticmethod
        def backward(ctx, g):
            return g.data * 2.0

    x = tl.tensor([1.0, 2.0], requires_grad=True)
    (g,) = tl.grad((Twice.apply(x) * x).sum(), x, create_graph=True)  # d(2x²) = 2x + 2x
    np.testing.assert_allclose(g.data, [4.0, 8.0])
    # the 2x that went through Twice's backward is a constant: only the other 2x is differentiated
    np.testing.assert_allclose(tl.grad(g.sum(), x)[0], [2.0, 2.0])


# -- the differentiable all-reduce ------------------------------------------------------------------

class _FakeComm:
    """``world`` ranks that all hold the same values, in one process: Allreduce multiplies by it."""

    def __init__(self, world):
        self.world = world

    def Allreduce(self, inplace, buffer, op):
        buffer *= self.world


@pytest.mark.parametrize("world", [1, 3])
def test_all_reduce_sum_matches_torch(world, monkeypatch):
    """With every rank alike, rank r's loss f(sum_r x_r) has the gradient (summed over ranks)
    world * f'(world x): the derivatives of x -> f(world * x), at every order."""
    monkeypatch.setattr(dist, "_mpi", types.SimpleNamespace(IN_PLACE=None, SUM="sum"))
    comm = _FakeComm(world)
    assert_matches_torch(lambda x, w: (dist.AllReduceSum.apply(x * w, comm=comm)).tanh() * w,
                         lambda x, w: (world * x * w).tanh() * w, arrays((3,), (3,), seed=8))


def test_all_reduce_sum_over_mpi_in_one_process(monkeypatch):
    """The real collective on a one-rank communicator: the identity, differentiable to any order."""
    mpi = pytest.importorskip("mpi4py.MPI")
    monkeypatch.setattr(dist, "_mpi", mpi)
    comm = mpi.COMM_SELF.Dup()
    try:
        x = tl.tensor(arrays((2, 2), seed=9)[0], requires_grad=True)
        assert tl.gradgradcheck(lambda t: dist.AllReduceSum.apply(t * t, comm=comm).tanh(), [x])
    finally:
        comm.Free()
