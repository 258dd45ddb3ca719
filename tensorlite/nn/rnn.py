"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and their one-step cells.

Parameter names, shapes, gate order and initialisation are PyTorch's, so a PyTorch state_dict
converted to NumPy arrays loads with ``load_state_dict`` and gives the same outputs:

=====  ==========  =====================================================================
mode   gates       one step (``x`` the input, ``h``/``c`` the state)
=====  ==========  =====================================================================
RNN    1           ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or ``relu``)
LSTM   4: i f g o  ``c' = f * c + i * g``, ``h' = o * tanh(c')`` (``g`` tanh, others sigmoid)
GRU    3: r z n    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``
=====  ==========  =====================================================================

One implementation serves all three: :class:`RNNBase` loops over layers and directions, and
runs a per-mode step function (:data:`_STEPS`) over time. Per layer and direction, the input
projection ``x @ W_ih^T + b`` of every time step is one matrix product before the time loop, and
each step computes all its gates from one ``h @ W_hh^T`` product. RNN and GRU steps are built
from tensor ops (``matmul``, ``sigmoid``, ``tanh``, indexing, ``stack``, ``cat``): the gradients
through time come from the tape. An LSTM layer runs as one op,
:func:`~tensorlite.ops.recurrent.lstm_layer`, with its own backward rule (the same arithmetic on
ndarrays, several times faster than a dozen tape entries per step); ``LSTMCell`` keeps the
composite step.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable

from tensorlite.backend import xp
from tensorlite.device import factory_dtype
from tensorlite.nn import init
from tensorlite.nn.dropout import dropout
from tensorlite.nn.module import Module, Parameter
from tensorlite.ops import cat, stack
from tensorlite.ops.args import check_dtype, flag, number, size
from tensorlite.ops.linalg import linear
from tensorlite.ops.operands import as_tensor
from tensorlite.ops.recurrent import lstm_layer
from tensorlite.tensor import Tensor

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

State = tuple[Tensor, ...]  # (h,) or, for an LSTM, (h, c); each of shape (N, H)


# ----------------------------------------------------------------------------------------------
# One time step per mode. ``xw`` is the step's input projection (N, G*H), with b_ih added and,
# for RNN and LSTM, b_hh too (``b_hh`` is then None); ``w_hh_t`` is W_hh^T (H, G*H).

def _rnn_step(activation: str) -> Callable[..., State]:
    def step(xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None) -> State:
        pre = xw + state[0] @ w_hh_t
        return (pre.tanh() if activation == "tanh" else pre.relu(),)
    return step


def _lstm_step(xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None) -> State:
    h, c = state
    n = h.shape[-1]
    gates = xw + h @ w_hh_t                 # (N, 4H): i, f, g, o
    i = gates[:, :n].sigmoid()
    f = gates[:, n:2 * n].sigmoid()
    g = gates[:, 2 * n:3 * n].tanh()
    o = gates[:, 3 * n:].sigmoid()
    c = f * c + i * g
    return o * c.tanh(), c


def _gru_step(xw: Tensor, state: State, w_hh_t: Tensor, b_hh: Tensor | None) -> State:
    (h,) = state
    n = h.shape[-1]
    gh = h @ w_hh_t                         # (N, 3H): r, z, n
    if b_hh is not None:
        gh = gh + b_hh
    rz = (xw[:, :2 * n] + gh[:, :2 * n]).sigmoid()
    r, z = rz[:, :n], rz[:, n:]
    new = (xw[:, 2 * n:] + r * gh[:, 2 * n:]).tanh()
    return (new + z * (h - new),)           # (1 - z) * n + z * h


_STEPS: dict[str, Callable[..., State]] = {
    "RNN_TANH": _rnn_step("tanh"), "RNN_RELU": _rnn_step("relu"), "LSTM": _lstm_step, "GRU": _gru_step,
}
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_NONLINEARITIES = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}


def _nonlinearity_mode(nonlinearity: Any, where: str) -> str:
    for mode, name in _NONLINEARITIES.items():
        if nonlinearity == name:
            return mode
    raise ValueError(f"{where}: unknown nonlinearity {nonlinearity!r}; expected 'tanh' or 'relu'")


def _biases(mode: str, b_ih: Tensor, b_hh: Tensor) -> tuple[Tensor, Tensor | None]:
    """The bias of the input projection and the one left for each step: RNN and LSTM add both
    to the projection; GRU keeps b_hh for the step, where b_hn sits inside ``r * (...)``."""
    return (b_ih, b_hh) if mode == "GRU" else (b_ih + b_hh, None)


def _unstack(x: Tensor, axis: int) -> list[Tensor]:
    """The slices of ``x`` along ``axis`` (dropping that axis), taken by halving ``x`` again and
    again: the gradient of one slice is a zero-filled array of its parent's shape, so slicing the
    L steps of x directly would cost L full-size arrays in backward; halving costs log2(L)."""
    n = x.shape[axis]
    if n == 1:
        return [x[0] if axis == 0 else x[:, 0]]
    half = n // 2
    lead = (slice(None),) * axis
    return _unstack(x[lead + (slice(0, half),)], axis) + _unstack(x[lead + (slice(half, n),)], axis)


class _Recurrent(Module):
    """What layers and cells share: mode, sizes, initialisation, and the input checks.

    ``mode`` is ``'RNN_TANH'``, ``'RNN_RELU'``, ``'LSTM'`` or ``'GRU'``; the subclass registers
    the parameters, then calls :meth:`reset_parameters`.
    """

    _suffix = ""  # added to RNN, LSTM or GRU to name the layer in errors ("Cell" for the cells)

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool) -> None:
        super().__init__()
        if mode not in _GATES:
            raise ValueError(f"{type(self).__name__}: unknown mode {mode!r}; expected one of {sorted(_GATES)}")
        self.mode = mode
        name = self._name()
        least = 0 if self._suffix == "Cell" else 1  # PyTorch builds cells of size 0, not layers
        self.input_size = size(input_size, "input_size", name, least)
        self.hidden_size = size(hidden_size, "hidden_size", name, least)
        self.bias = flag(bias, "bias", name)

    def _name(self) -> str:
        """How errors name the layer while it is built (before its repr can be shown)."""
        return ("RNN" if self.mode in _NONLINEARITIES else self.mode) + self._suffix

    @property
    def nonlinearity(self) -> str:
        """``'tanh'`` or ``'relu'``: the activation of an RNN or RNNCell (LSTM and GRU have none)."""
        if self.mode not in _NONLINEARITIES:
            raise AttributeError(f"{type(self).__name__} has no nonlinearity (its gates are fixed)")
        return _NONLINEARITIES[self.mode]

    def reset_parameters(self) -> None:
        """Draw every parameter from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        bound = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0.0
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _check_input(self, x: Any, batched_ndim: int) -> Tensor:
        x = as_tensor(x, type(self).__name__)
        if x.ndim not in (batched_ndim - 1, batched_ndim):
            raise ValueError(
                f"{self!r}: expected a {batched_ndim}-D (batched) or {batched_ndim - 1}-D "
                f"(unbatched) input, got input of shape {x.shape}"
            )
        if x.shape[-1] != self.input_size:
            raise ValueError(f"{self!r}: input.size(-1) must equal input_size: expected "
                             f"{self.input_size}, got {x.shape[-1]} (input of shape {x.shape})")
        dtype = self._dtype()
        check_dtype(x, dtype, self)
        return x if x.dtype.kind == "f" else x.astype(dtype)

    def _dtype(self) -> Any:
        return next(iter(self._parameters.values())).dtype  # type: ignore[union-attr]

    def _state(self, value: Any, shape: tuple[int, ...], what: str) -> Tensor:
        """A given initial state, checked against the expected ``shape``."""
        t = as_tensor(value, type(self).__name__)
        if t.shape != shape:
            raise ValueError(f"{self!r}: expected {what} of shape {shape}, got {what} of shape {t.shape}")
        if t.dtype.kind != "f":
            raise TypeError(f"{self!r}: {what} must be floating, got dtype {t.dtype} (shape {t.shape})")
        check_dtype(t, self._dtype(), self, what)
        return t

    def _states(self, hx: Any, shape: tuple[int, ...]) -> State:
        """The initial (h,) or (h, c) of ``shape``: zeros when ``hx`` is None."""
        if hx is None:
            zeros = Tensor._wrap(xp.zeros(shape, dtype=self._dtype()))
            return (zeros, zeros) if self.mode == "LSTM" else (zeros,)
        if self.mode == "LSTM":
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{self!r}: the initial state of an LSTM is a tuple (h0, c0), got "
                                f"{type(hx).__name__}")
            return self._state(hx[0], shape, "h0"), self._state(hx[1], shape, "c0")
        if isinstance(hx, (tuple, list)):
            raise TypeError(f"{self!r}: the initial state is one tensor h0, got a {type(hx).__name__}")
        return (self._state(hx, shape, "h0"),)


# ----------------------------------------------------------------------------------------------
# Whole sequences


class RNNBase(_Recurrent):
    """The multi-layer recurrent layer behind :class:`RNN`, :class:`LSTM` and :class:`GRU`.

    Parameters
    ----------
    mode : {'RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU'}
        The step: an Elman RNN with tanh or relu, an LSTM or a GRU.
    input_size : int
        H_in, the number of features of each step of the input.
    hidden_size : int
        H, the number of features of the hidden state.
    num_layers : int, default 1
        The number of stacked layers; layer ``k > 0`` reads the output of layer ``k - 1``.
    bias : bool, default True
        Whether to learn the biases ``b_ih`` and ``b_hh``.
    batch_first : bool, default False
        Input and output are (N, L, ...) instead of (L, N, ...); the states are not affected.
    dropout : float, default 0.0
        In training, the probability of zeroing an element of each layer's output but the last
        (a warning when ``num_layers`` is 1).
    bidirectional : bool, default False
        Run a second pass from the last step to the first and concatenate both passes' outputs
        (D = 2 directions instead of 1).
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Parameters registered, per layer ``k`` and direction (suffix ``_reverse`` for the second),
    in PyTorch's order: ``weight_ih_l{k}`` (G*H, H_in or D*H), ``weight_hh_l{k}`` (G*H, H),
    ``bias_ih_l{k}`` (G*H,), ``bias_hh_l{k}`` (G*H,), with G the number of gates. All start
    uniform in ``[-1/sqrt(hidden_size), 1/sqrt(hidden_size)]``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> lstm = tl.nn.RNNBase("LSTM", 3, 5, num_layers=2)   # what tl.nn.LSTM(3, 5, num_layers=2) builds
    >>> [name for name, _ in lstm.named_parameters()][:4]
    ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0']
    >>> lstm.weight_ih_l1.shape   # layer 1 reads layer 0's output: 4 gates of 5
    (20, 5)
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__(mode, input_size, hidden_size, bias)
        name = self._name()
        self.num_layers = size(num_layers, "num_layers", name)
        self.batch_first = flag(batch_first, "batch_first", name)
        self.bidirectional = flag(bidirectional, "bidirectional", name)
        self.dropout = number(dropout, "dropout", name, 0, 1)
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"{name}: dropout={dropout} acts between recurrent layers only, so it has "
                          "no effect with num_layers=1", UserWarning, stacklevel=3)
        directions = 2 if self.bidirectional else 1
        gates = _GATES[mode] * self.hidden_size
        dtype = factory_dtype(device, dtype, name)
        self._weight_names: list[list[str]] = []
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else self.hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                names = [f"weight_ih{suffix}", f"weight_hh{suffix}"]
                shapes: list[tuple[int, ...]] = [(gates, layer_input), (gates, self.hidden_size)]
                if self.bias:
                    names += [f"bias_ih{suffix}", f"bias_hh{suffix}"]
                    shapes += [(gates,), (gates,)]
                for n, shape in zip(names, shapes):
                    self.register_parameter(n, Parameter(xp.empty(shape, dtype=dtype)))
                self._weight_names.append(names)
        self.reset_parameters()

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """Per layer and direction: ``[weight_ih, weight_hh, bias_ih, bias_hh]`` (as PyTorch)."""
        return [[getattr(self, n) for n in names] for names in self._weight_names]

    def flatten_parameters(self) -> None:
        """Does nothing: kept so PyTorch code that calls it runs unchanged."""

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":  # PyTorch leaves it out; shown here as RNNCell shows it
            s += ", nonlinearity=relu"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout:g}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s

    def forward(self, input: Any, hx: Any = None) -> tuple[Tensor, Any]:
        """Run the whole sequence.

        Parameters
        ----------
        input : Tensor of shape (L, N, H_in)
            Or (N, L, H_in) with ``batch_first``, or unbatched (L, H_in).
        hx : Tensor of shape (D*num_layers, N, H), optional
            The initial state ((D*num_layers, H) unbatched), zeros when None; for an LSTM a tuple
            ``(h0, c0)`` of two such tensors. D is 2 when bidirectional, else 1.

        Returns
        -------
        output : Tensor of shape (L, N, D*H)
            Or (N, L, D*H) with ``batch_first``, (L, D*H) unbatched: the last layer's hidden state
            at every step, both directions concatenated.
        h_n : Tensor of shape (D*num_layers, N, H)
            Each layer's and direction's final hidden state ((D*num_layers, H) unbatched); for an
            LSTM the tuple ``(h_n, c_n)``.
        """
        x = self._check_input(input, 3)
        batched = x.ndim == 3
        time_axis = 1 if self.batch_first and batched else 0
        if not batched:
            x = x.unsqueeze(1)
        steps, batch = x.shape[time_axis], x.shape[1 - time_axis]
        if steps == 0:
            raise ValueError(f"{self!r}: expected a sequence of at least one step, got input of "
                             f"shape {x.shape}")
        directions = 2 if self.bidirectional else 1
        layers = self.num_layers * directions
        state_shape = (layers, batch, self.hidden_size) if batched else (layers, self.hidden_size)
        initial = self._states(hx, state_shape)
        if not batched:
            initial = tuple(s.unsqueeze(1) for s in initial)
        step, weights = _STEPS[self.mode], self.all_weights
        finals: list[State] = []
        for layer in range(self.num_layers):
            if layer and self.training and self.dropout:
                x = dropout(x, self.dropout)
            outputs = []
            for direction in range(directions):
                k = layer * directions + direction
                state = tuple(s[k] for s in initial)
                out, state = self._run(step, x, state, weights[k], direction == 1, time_axis)
                outputs.append(out)
                finals.append(state)
            x = outputs[0] if directions == 1 else cat(outputs, dim=-1)
        final = tuple(stack([f[j] for f in finals]) for j in range(len(initial)))
        if not batched:
            x = x.squeeze(1)
            final = tuple(f.squeeze(1) for f in final)
        return x, (final if self.mode == "LSTM" else final[0])

    def _run(self, step: Callable[..., State], x: Tensor, state: State, weights: list[Parameter],
             reverse: bool, time_axis: int) -> tuple[Tensor, State]:
        """One layer in one direction: the projection of all steps, then the loop over time."""
        w_ih, w_hh = weights[0], weights[1]
        if self.mode == "LSTM":  # the whole loop in one op with its own backward rule
            steps = x.shape[time_axis]
            b_ih: Any = weights[2] if self.bias else None
            b_hh: Any = weights[3] if self.bias else None
            out = lstm_layer(x.swapaxes(0, 1) if time_axis else x, state[0], state[1], w_ih, w_hh,
                             b_ih, b_hh, reverse=reverse)  # (L + 1, N, H): h_1 .. h_L, then c_n
            seq = out[:steps]
            return seq.swapaxes(0, 1) if time_axis else seq, (out[0] if reverse else out[steps - 1], out[steps])
        b_in, b_step = _biases(self.mode, *weights[2:]) if self.bias else (None, None)
        xw = linear(x, w_ih, b_in)               # (L, N, G*H) or (N, L, G*H), one 2-D product
        w_hh_t = w_hh.T
        steps = x.shape[time_axis]
        hs: list[Any] = [None] * steps
        inputs = _unstack(xw, time_axis)
        for t in (range(steps - 1, -1, -1) if reverse else range(steps)):
            state = step(inputs[t], state, w_hh_t, b_step)
            hs[t] = state[0]
        return stack(hs, dim=time_axis), state


class RNN(RNNBase):
    """Elman recurrent layer: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``.

    Parameters
    ----------
    input_size : int
        H_in, the number of features of each step of the input.
    hidden_size : int
        H, the number of features of the hidden state.
    num_layers : int, default 1
        The number of stacked layers; layer ``k > 0`` reads the output of layer ``k - 1``.
    nonlinearity : {'tanh', 'relu'}, default 'tanh'
        The activation of each step.
    bias : bool, default True
        Whether to learn the biases ``b_ih`` and ``b_hh``.
    batch_first : bool, default False
        Input and output are (N, L, ...) instead of (L, N, ...); the states are not affected.
    dropout : float, default 0.0
        In training, the probability of zeroing an element of each layer's output but the last
        (a warning when ``num_layers`` is 1).
    bidirectional : bool, default False
        Run a second pass from the last step to the first and concatenate both passes' outputs
        (D = 2 directions instead of 1).
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes, with L the sequence length, N the batch size and D the number of directions: input
    (L, N, H_in), or (N, L, H_in) with ``batch_first``, or unbatched (L, H_in); the optional
    initial state ``h0`` (D*num_layers, N, H), or (D*num_layers, H) unbatched, zeros when not
    given. The result is ``(output, h_n)``, with output (L, N, D*H) (batch first with
    ``batch_first``, (L, D*H) unbatched): the last layer's hidden state at every step; ``h_n``
    each layer's and direction's final state, of the shape of ``h0``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> rnn = tl.nn.RNN(3, 5, num_layers=2)
    >>> output, h_n = rnn(tl.randn(7, 4, 3))
    >>> output.shape, h_n.shape
    ((7, 4, 5), (2, 4, 5))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(_nonlinearity_mode(nonlinearity, "RNN"), input_size, hidden_size,
                         num_layers, bias, batch_first, dropout, bidirectional, device, dtype)


class LSTM(RNNBase):
    """Long short-term memory layer (gates i, f, g, o in PyTorch's order).

    Parameters
    ----------
    input_size : int
        H_in, the number of features of each step of the input.
    hidden_size : int
        H, the number of features of the hidden state.
    num_layers : int, default 1
        The number of stacked layers; layer ``k > 0`` reads the output of layer ``k - 1``.
    bias : bool, default True
        Whether to learn the biases ``b_ih`` and ``b_hh``.
    batch_first : bool, default False
        Input and output are (N, L, ...) instead of (L, N, ...); the states are not affected.
    dropout : float, default 0.0
        In training, the probability of zeroing an element of each layer's output but the last
        (a warning when ``num_layers`` is 1).
    bidirectional : bool, default False
        Run a second pass from the last step to the first and concatenate both passes' outputs
        (D = 2 directions instead of 1).
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes, with L the sequence length, N the batch size and D the number of directions: input
    (L, N, H_in), or (N, L, H_in) with ``batch_first``, or unbatched (L, H_in); the optional
    initial state ``(h0, c0)``, two tensors of shape (D*num_layers, N, H), or (D*num_layers, H)
    unbatched, zeros when not given. The result is ``(output, (h_n, c_n))``, with output
    (L, N, D*H) (batch first with ``batch_first``, (L, D*H) unbatched): the last layer's hidden
    state at every step; ``h_n`` and ``c_n`` each layer's and direction's final state, of the
    shape of ``h0``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> lstm = tl.nn.LSTM(4, 8, num_layers=2, batch_first=True, bidirectional=True)
    >>> lstm
    LSTM(4, 8, num_layers=2, batch_first=True, bidirectional=True)
    >>> output, (h_n, c_n) = lstm(tl.randn(3, 5, 4))
    >>> output.shape, h_n.shape, c_n.shape
    ((3, 5, 16), (4, 3, 8), (4, 3, 8))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device, dtype)


class GRU(RNNBase):
    """Gated recurrent unit layer (gates r, z, n in PyTorch's order,
    ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, ``h' = (1 - z) * n + z * h``).

    Parameters
    ----------
    input_size : int
        H_in, the number of features of each step of the input.
    hidden_size : int
        H, the number of features of the hidden state.
    num_layers : int, default 1
        The number of stacked layers; layer ``k > 0`` reads the output of layer ``k - 1``.
    bias : bool, default True
        Whether to learn the biases ``b_ih`` and ``b_hh``.
    batch_first : bool, default False
        Input and output are (N, L, ...) instead of (L, N, ...); the states are not affected.
    dropout : float, default 0.0
        In training, the probability of zeroing an element of each layer's output but the last
        (a warning when ``num_layers`` is 1).
    bidirectional : bool, default False
        Run a second pass from the last step to the first and concatenate both passes' outputs
        (D = 2 directions instead of 1).
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes, with L the sequence length, N the batch size and D the number of directions: input
    (L, N, H_in), or (N, L, H_in) with ``batch_first``, or unbatched (L, H_in); the optional
    initial state ``h0`` (D*num_layers, N, H), or (D*num_layers, H) unbatched, zeros when not
    given. The result is ``(output, h_n)``, with output (L, N, D*H) (batch first with
    ``batch_first``, (L, D*H) unbatched): the last layer's hidden state at every step; ``h_n``
    each layer's and direction's final state, of the shape of ``h0``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> gru = tl.nn.GRU(3, 6, bidirectional=True)
    >>> output, h_n = gru(tl.randn(5, 3))   # unbatched: (L, H_in)
    >>> output.shape, h_n.shape
    ((5, 12), (2, 6))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, device, dtype)


# ----------------------------------------------------------------------------------------------
# One step


class RNNCellBase(_Recurrent):
    """One time step of a recurrent layer: parameters ``weight_ih`` (G*H, H_in), ``weight_hh``
    (G*H, H), ``bias_ih`` and ``bias_hh`` (G*H,), uniform in ``[-1/sqrt(H), 1/sqrt(H)]``, with
    G the number of gates of ``mode`` (see :class:`RNNBase`).

    Parameters
    ----------
    mode : {'RNN_TANH', 'RNN_RELU', 'LSTM', 'GRU'}
        The step: an Elman RNN with tanh or relu, an LSTM or a GRU.
    input_size : int
        H_in, the number of features of each step of the input.
    hidden_size : int
        H, the number of features of the hidden state.
    bias : bool, default True
        Whether to learn the biases ``b_ih`` and ``b_hh``.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Examples
    --------
    >>> import tensorlite as tl
    >>> cell = tl.nn.RNNCellBase("GRU", 3, 4)
    >>> cell.weight_ih.shape, cell.weight_hh.shape, cell.bias_ih.shape
    ((12, 3), (12, 4), (12,))
    """

    _suffix = "Cell"

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__(mode, input_size, hidden_size, bias)
        gates = _GATES[mode] * self.hidden_size
        dtype = factory_dtype(device, dtype, self._name())
        self.weight_ih = Parameter(xp.empty((gates, self.input_size), dtype=dtype))
        self.weight_hh = Parameter(xp.empty((gates, self.hidden_size), dtype=dtype))
        if self.bias:
            self.bias_ih = Parameter(xp.empty(gates, dtype=dtype))
            self.bias_hh = Parameter(xp.empty(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity=relu"
        return s

    def _cell(self, input: Any, hx: Any) -> State:
        x = self._check_input(input, 2)
        batched = x.ndim == 2
        if not batched:
            x = x.unsqueeze(0)
        shape = (x.shape[0], self.hidden_size) if batched else (self.hidden_size,)
        state = self._states(hx, shape)
        if not batched:
            state = tuple(s.unsqueeze(0) for s in state)
        b_ih, b_hh = _biases(self.mode, self.bias_ih, self.bias_hh) if self.bias else (None, None)
        state = _STEPS[self.mode](linear(x, self.weight_ih, b_ih), state, self.weight_hh.T, b_hh)
        return state if batched else tuple(s.squeeze(0) for s in state)


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu).

    Parameters
    ----------
    input_size : int
        H_in, the number of features of each step of the input.
    hidden_size : int
        H, the number of features of the hidden state.
    bias : bool, default True
        Whether to learn the biases ``b_ih`` and ``b_hh``.
    nonlinearity : {'tanh', 'relu'}, default 'tanh'
        The activation of each step.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input (N, H_in) or unbatched (H_in,); the optional state ``h`` (N, H) or (H,), zeros when not given;
    the result ``h'`` has the shape of ``h``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> cell = tl.nn.RNNCell(3, 4, nonlinearity="relu")
    >>> cell
    RNNCell(3, 4, nonlinearity=relu)
    >>> cell(tl.randn(2, 3)).shape
    (2, 4)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        super().__init__(_nonlinearity_mode(nonlinearity, "RNNCell"), input_size, hidden_size, bias,
                         device, dtype)

    def forward(self, input: Any, hx: Any = None) -> Tensor:
        return self._cell(input, hx)[0]


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o in PyTorch's order), returning ``(h', c')``.

    Parameters
    ----------
    input_size : int
        H_in, the number of features of each step of the input.
    hidden_size : int
        H, the number of features of the hidden state.
    bias : bool, default True
        Whether to learn the biases ``b_ih`` and ``b_hh``.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input (N, H_in) or unbatched (H_in,); the optional state ``(h, c)``, two tensors of
    shape (N, H) or (H,), zeros when not given; the result ``(h', c')`` has the shapes of
    ``(h, c)``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> cell = tl.nn.LSTMCell(3, 4)
    >>> h, c = cell(tl.randn(2, 3))
    >>> h, c = cell(tl.randn(2, 3), (h, c))
    >>> h.shape, c.shape
    ((2, 4), (2, 4))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Any, hx: Any = None) -> tuple[Tensor, Tensor]:
        h, c = self._cell(input, hx)
        return h, c


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n in PyTorch's order), returning ``h'``.

    Parameters
    ----------
    input_size : int
        H_in, the number of features of each step of the input.
    hidden_size : int
        H, the number of features of the hidden state.
    bias : bool, default True
        Whether to learn the biases ``b_ih`` and ``b_hh``.
    device : str or tensorlite.device, optional
        ``"cpu"`` (the only device of this build; another raises a ``RuntimeError``).
    dtype : numpy dtype, optional
        The floating dtype of the parameters; default: the default float dtype.

    Notes
    -----
    Shapes: input (N, H_in) or unbatched (H_in,); the optional state ``h`` (N, H) or (H,), zeros when not given;
    the result ``h'`` has the shape of ``h``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> cell = tl.nn.GRUCell(3, 4)
    >>> cell(tl.randn(3)).shape
    (4,)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype)

    def forward(self, input: Any, hx: Any = None) -> Tensor:
        return self._cell(input, hx)[0]
