"""The older library's ``nn``: its layer names and signatures, with gradients from the tape.

Layers that behave as they did are tensorlite's own classes re-exported (``Linear``, ``Conv2D``,
``MaxPool2D``, ``AvgPool2D``, ``BatchNorm1D``, ``Dropout``, ``Flatten``, the activations);
this module adds what the older library had and tensorlite does not, or had with other semantics:

* :class:`Module` (and :class:`Sequential`) with ``summarize()``;
* :class:`CrossEntropyLoss` and :class:`MeanSquaredLoss`: probabilities (or predictions) and
  one-hot targets in, one loss per sample out, and a two-argument ``backward(y, t)``;
* :class:`RNN` (returns its states directly), :class:`Reshape`, :class:`BiLinear`.

Every layer keeps ``forward(x)`` and ``backward(delta)``; ``backward`` runs the tape segment of
the last forward call, so a model's hand-written ``backward`` loop gets the exact gradients.
Where the old code was wrong the maths here is the correct one (``Softmax``, ``Dropout`` and
``Softplus`` have their true backward); see the porting guide for the list.
"""
from __future__ import annotations

import math
import sys
from typing import Any

from tensorlite import autograd, config
from tensorlite import nn as _nn
from tensorlite.backend import xp
from tensorlite.nn import init
from tensorlite.nn.module import Parameter
from tensorlite.ops.args import size
from tensorlite.ops.index import stack
from tensorlite.tensor import Tensor

__all__ = [
    "Module", "Sequential", "Parameter", "Loss", "CrossEntropyLoss", "MeanSquaredLoss",
    "Linear", "BiLinear", "Conv2D", "MaxPool2D", "AvgPool2D", "BatchNorm1D", "Dropout",
    "Flatten", "Reshape", "RNN", "Sigmoid", "Tanh", "ReLU", "Softplus", "Softmax",
]


# The older library's layers: tensorlite's, with ``backward(delta)`` returning the gradient of
# the input also for a plain array (it becomes a leaf that requires grad), as the old ones did.


class Linear(_nn.Linear):
    _inputs_require_grad = True


class Conv2D(_nn.Conv2D):
    _inputs_require_grad = True


class MaxPool2D(_nn.MaxPool2D):
    _inputs_require_grad = True


class AvgPool2D(_nn.AvgPool2D):
    _inputs_require_grad = True


class BatchNorm1D(_nn.BatchNorm1D):
    _inputs_require_grad = True


class Dropout(_nn.Dropout):
    _inputs_require_grad = True


class Flatten(_nn.Flatten):
    _inputs_require_grad = True


class Sigmoid(_nn.Sigmoid):
    _inputs_require_grad = True


class Tanh(_nn.Tanh):
    _inputs_require_grad = True


class ReLU(_nn.ReLU):
    _inputs_require_grad = True


class Softplus(_nn.Softplus):
    _inputs_require_grad = True


class Softmax(_nn.Softmax):
    _inputs_require_grad = True


for _layer in (Linear, Conv2D, MaxPool2D, AvgPool2D, BatchNorm1D, Dropout, Flatten, Sigmoid, Tanh, ReLU,
               Softplus, Softmax):
    _layer.__doc__ = _layer.__mro__[1].__doc__  # the layer's own documentation


def _one_line(module: _nn.Module) -> str:
    text = repr(module)
    return text if "\n" not in text else f"{type(module).__name__}(...)"


class Module(_nn.Module):
    """Base class of old-style models: :class:`tensorlite.nn.Module` plus the older library's
    ``summarize()``, and, as the older library's modules did, ``backward(delta)`` returns the
    gradient of the input also when it was a plain array.

    Subclass it as the old scripts do: add layers with ``add_module`` (or as attributes), write
    ``forward(x)`` calling each ``module.forward(x)``, and ``backward(delta)`` looping
    ``delta = module.backward(delta)`` over ``reversed(self._modules.values())``.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy import nn
    >>> class Net(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.add_module("linear", nn.Linear(4, 3))
    ...         self.add_module("softmax", nn.Softmax())
    ...     def forward(self, x):
    ...         for module in self._modules.values():
    ...             x = module.forward(x)
    ...         return x
    ...     def backward(self, delta):
    ...         for module in reversed(self._modules.values()):
    ...             delta = module.backward(delta)
    ...         return delta
    >>> net = Net()
    >>> net.summarize()
    linear   Linear(in_features=4, out_features=3, bias=True)
    softmax  Softmax(dim=-1)
    Total number of parameters: 15
    >>> y = net.forward(np.ones((2, 4), dtype=np.float32))
    >>> net.backward(nn.CrossEntropyLoss().backward(y, np.eye(3, dtype=np.float32)[[0, 2]])).shape
    (2, 4)
    """

    _inputs_require_grad = True

    def summarize(self, file: Any = None) -> None:
        """Print each submodule (its dotted name and a one-line description) and the total number
        of parameters, as the older library did.

        Parameters
        ----------
        file : file-like, optional
            Where to print (default ``sys.stdout``).
        """
        rows = [(name, _one_line(m)) for name, m in self.named_modules() if m is not self]
        width = max([len(name) for name, _ in rows], default=0) + 2
        lines = [f"{name:<{width}}{text}" for name, text in rows]
        lines.append(f"Total number of parameters: {sum(p.size for p in self.parameters())}")
        print("\n".join(lines), file=file if file is not None else sys.stdout)


class Sequential(_nn.Sequential, Module):
    """:class:`tensorlite.nn.Sequential` with the older library's ``summarize()``.

    Parameters
    ----------
    *modules : Module, or one dict (an ``OrderedDict``) of names to modules
        The layers, applied in order.

    Examples
    --------
    >>> from tensorlite.legacy import nn
    >>> nn.Sequential(nn.Linear(4, 3), nn.ReLU()).summarize()
    0  Linear(in_features=4, out_features=3, bias=True)
    1  ReLU()
    Total number of parameters: 15
    """


def _array(value: Any, where: str) -> Any:
    data = value.data if isinstance(value, Tensor) else xp.asarray(value)
    if data.dtype.kind not in "fiub":
        raise TypeError(f"{where}: expected numbers, got an array of dtype {data.dtype}")
    return data


class Loss(Module):
    """Base of the older library's losses: one loss per sample, optionally reduced.

    Parameters
    ----------
    reduction : callable, optional
        None keeps one loss per sample; ``numpy.mean`` and ``numpy.sum`` become the tensor's
        ``mean()``/``sum()`` (on the tape); any other callable gets the per-sample loss tensor.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy import nn
    >>> nn.CrossEntropyLoss(reduction=np.mean)
    CrossEntropyLoss(reduction=mean)
    """

    _legacy_inputs = 1  # the tape call keeps the prediction only, never the target

    def __init__(self, reduction: Any = None) -> None:
        super().__init__()
        if reduction is not None and not callable(reduction):
            raise TypeError(f"{type(self).__name__}: reduction must be None or a callable such as "
                            f"numpy.mean, got {reduction!r} (tensorlite.nn's losses take 'mean'/'sum'/'none')")
        self.reduction = reduction

    def _reduce(self, loss: Tensor) -> Any:
        if self.reduction is None:
            return loss
        if self.reduction is xp.mean:
            return loss.mean()
        if self.reduction is xp.sum:
            return loss.sum()
        return self.reduction(loss)

    def _pair(self, y: Any, t: Any) -> tuple[Any, Any]:
        """``y`` as given (Tensor or array) and ``t`` as an array of ``y``'s shape and dtype (class
        indices of shape ``y.shape[:-1]`` are one-hot encoded)."""
        name = type(self).__name__
        yd, td = _array(y, name), _array(t, name)
        if td.shape != yd.shape and td.shape == yd.shape[:-1] and td.dtype.kind in "iu" and yd.ndim >= 1:
            classes = yd.shape[-1]
            if td.size and (td.min() < 0 or td.max() >= classes):
                raise IndexError(f"{name}: class index {td.max() if td.max() >= classes else td.min()} "
                                 f"is out of range for {classes} classes")
            td = xp.eye(classes, dtype=yd.dtype)[td]
        if td.shape != yd.shape:
            raise ValueError(f"{name}: the target has shape {td.shape}, the prediction {yd.shape}; the "
                             "older library's losses take targets of the prediction's shape (one-hot rows)")
        return y, td.astype(yd.dtype, copy=False)

    def extra_repr(self) -> str:
        reduction = getattr(self.reduction, "__name__", repr(self.reduction))
        return f"reduction={reduction}"

    def forward(self, y: Any, t: Any) -> Any:  # pragma: no cover - each loss defines it
        """The loss of predictions ``y`` against targets ``t``."""
        raise NotImplementedError

    def backward(self, y: Any, t: Any) -> Any:  # type: ignore[override]
        """dL/dy of the batch mean loss, an ndarray of ``y``'s shape (each loss defines it)."""
        raise NotImplementedError  # pragma: no cover


class CrossEntropyLoss(Loss):
    """The older library's cross entropy: probabilities in (the output of ``Softmax``), one-hot
    targets, ``-log(y[n, target] + eps)`` per sample.

    ``backward(y, t)`` returns the gradient of the batch mean at the probabilities,
    ``-t / (N * y)``. Through ``Softmax``'s true backward it becomes ``(y - t) / N`` at the
    logits: exactly what the older library passed on (its ``backward`` returned ``(y - t) / N``
    and its ``Softmax.backward`` was the identity), so every parameter gets the same gradient.

    Parameters
    ----------
    reduction : callable, optional
        None (default) returns one loss per sample; ``numpy.mean``/``numpy.sum`` reduce on the tape.
    eps : float, default 1e-8
        Added to the probability inside the logarithm.

    Notes
    -----
    Shapes: ``y`` and ``t`` (N, C) (``t`` may also be class indices (N,)); the loss (N,), or what
    ``reduction`` makes of it. ``backward`` ignores ``eps`` and the reduction (as the older
    library did): it is always the gradient of ``mean_n -log y[n, target]``; a probability that
    underflowed to 0 is treated as the smallest positive number of its dtype, so the gradient
    stays finite.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy import nn
    >>> softmax, loss = nn.Softmax(), nn.CrossEntropyLoss()
    >>> y = softmax.forward(np.array([[2.0, 0.0], [0.0, 0.0]]))
    >>> t = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> loss.forward(y, t)
    tensor([0.126928  , 0.69314716], dtype=float64, grad_fn=<NegBackward>)
    >>> softmax.backward(loss.backward(y, t))         # (y - t) / N at the logits
    array([[-0.05960146,  0.05960146],
           [ 0.25      , -0.25      ]])
    """

    def __init__(self, reduction: Any = None, eps: float = 1e-8) -> None:
        super().__init__(reduction)
        self.eps = float(eps)

    def extra_repr(self) -> str:
        return super().extra_repr() + (f", eps={self.eps}" if self.eps != 1e-8 else "")

    def forward(self, y: Any, t: Any) -> Any:
        """Per-sample ``-sum_c t[n, c] * log(y[n, c] + eps)``, then ``reduction``.

        Parameters
        ----------
        y : Tensor or ndarray (N, C)
            Probabilities.
        t : ndarray or Tensor (N, C)
            One-hot targets (or class indices (N,)).
        """
        y, t = self._pair(y, t)
        return self._reduce(-(t * (y + self.eps).log()).sum(-1))

    def backward(self, y: Any, t: Any) -> Any:  # type: ignore[override]
        """dL/dy of the batch mean, ``-t / (N * y)``: an ndarray of ``y``'s shape.

        Parameters
        ----------
        y : Tensor or ndarray (N, C)
            The probabilities given to ``forward``.
        t : ndarray or Tensor (N, C)
            The targets given to ``forward``.
        """
        y, t = self._pair(y, t)
        yd = _array(y, "CrossEntropyLoss")
        tiny = xp.finfo(yd.dtype).tiny if yd.dtype.kind == "f" else 1e-300
        n = yd.shape[0] if yd.ndim > 1 else 1
        return -t / (n * xp.maximum(yd, tiny))


class MeanSquaredLoss(Loss):
    """The older library's squared error, ``0.5 * sum((y - t) ** 2)`` over each sample's features.

    ``backward(y, t)`` returns the gradient of the batch mean, ``(y - t) / N``. (The older
    library returned the per-element loss and a gradient summed over the batch, of the wrong
    shape; here the loss is per sample, as for the cross entropy.)

    Parameters
    ----------
    reduction : callable, optional
        None (default) returns one loss per sample; ``numpy.mean``/``numpy.sum`` reduce on the tape.

    Notes
    -----
    Shapes: ``y`` and ``t`` (N, ...) of the same shape; the loss (N,) (a 1-d ``y`` gives one loss
    per element), or what ``reduction`` makes of it.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy import nn
    >>> loss = nn.MeanSquaredLoss(reduction=np.mean)
    >>> y, t = np.array([[1.0, 2.0], [0.0, 0.0]]), np.array([[0.0, 0.0], [0.0, 2.0]])
    >>> loss.forward(y, t)
    tensor(2.25, dtype=float64, grad_fn=<MeanBackward>)
    >>> loss.backward(y, t)
    array([[ 0.5,  1. ],
           [ 0. , -1. ]])
    """

    def forward(self, y: Any, t: Any) -> Any:
        """Per-sample ``0.5 * sum((y - t) ** 2)`` over the non-batch dims, then ``reduction``.

        Parameters
        ----------
        y : Tensor or ndarray (N, ...)
            Predictions.
        t : ndarray or Tensor of ``y``'s shape
            Targets.
        """
        y, t = self._pair(y, t)
        y = y if isinstance(y, Tensor) else Tensor(y)
        squared = 0.5 * (y - t) ** 2
        return self._reduce(squared.reshape(squared.shape[0], -1).sum(-1) if squared.ndim > 1 else squared)

    def backward(self, y: Any, t: Any) -> Any:  # type: ignore[override]
        """dL/dy of the batch mean, ``(y - t) / N``: an ndarray of ``y``'s shape.

        Parameters
        ----------
        y : Tensor or ndarray (N, ...)
            The predictions given to ``forward``.
        t : ndarray or Tensor of ``y``'s shape
            The targets given to ``forward``.
        """
        y, t = self._pair(y, t)
        yd = _array(y, "MeanSquaredLoss")
        return (yd - t) / (yd.shape[0] if yd.ndim else 1)


class Reshape(Module):
    """Reshape the whole input, batch dim included, to ``output_shape`` (the older library's
    semantics: use -1 for the batch size, e.g. ``Reshape((-1, 1, 28, 28))``).

    Parameters
    ----------
    output_shape : int or tuple of ints, default (-1,)
        The shape of the output; one entry may be -1.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy import nn
    >>> nn.Reshape((-1, 1, 28, 28)).forward(np.zeros((5, 784), dtype=np.float32)).shape
    (5, 1, 28, 28)
    """

    def __init__(self, output_shape: Any = (-1,)) -> None:
        super().__init__()
        self.output_shape = tuple(output_shape) if isinstance(output_shape, (tuple, list)) else (output_shape,)

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(*self.output_shape)

    def extra_repr(self) -> str:
        return f"output_shape={self.output_shape}"


class BiLinear(Module):
    """Bilinear map ``y[n, o] = sum_ij x1[n, i] * weight[o, i, j] * x2[n, j] + bias[o]``.

    ``forward(x1)`` with one input uses ``x2 = x1``. ``backward(delta)`` returns ``(dx1, dx2)``
    after a two-input forward, or one gradient (both paths summed) after a one-input forward.

    Parameters
    ----------
    in_features_1 : int
        Size of the last dim of ``x1``.
    in_features_2 : int
        Size of the last dim of ``x2``.
    out_features : int
        Size of the last output dim.
    bias : bool, default True
        Whether to learn an additive bias.

    Notes
    -----
    Shapes: ``x1`` (N, ..., I1), ``x2`` (N, ..., I2), output (N, ..., O); ``weight`` (O, I1, I2),
    ``bias`` (O,), both initialised from U(-1/sqrt(I1), 1/sqrt(I1)) as PyTorch's ``nn.Bilinear``.

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy import nn
    >>> layer = nn.BiLinear(3, 4, 2)
    >>> y = layer.forward(np.ones((5, 3), np.float32), np.ones((5, 4), np.float32))
    >>> dx1, dx2 = layer.backward(np.ones((5, 2), np.float32))
    >>> y.shape, dx1.shape, dx2.shape, layer.weight.grad.shape
    ((5, 2), (5, 3), (5, 4), (2, 3, 4))
    """

    def __init__(self, in_features_1: int, in_features_2: int, out_features: int, bias: bool = True) -> None:
        super().__init__()
        self.in_features_1 = size(in_features_1, "in_features_1", "BiLinear", 1)
        self.in_features_2 = size(in_features_2, "in_features_2", "BiLinear", 1)
        self.out_features = size(out_features, "out_features", "BiLinear", 1)
        dtype = config.get_default_dtype()
        self.weight = Parameter(xp.empty((out_features, in_features_1, in_features_2), dtype=dtype))
        self.register_parameter("bias", Parameter(xp.empty(out_features, dtype=dtype)) if bias else None)
        bound = 1 / math.sqrt(self.in_features_1)
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x1: Tensor, x2: Tensor | None = None) -> Tensor:
        x2 = x1 if x2 is None else x2
        i1, i2, o = self.in_features_1, self.in_features_2, self.out_features
        if x1.ndim == 0 or x1.shape[-1] != i1 or x2.ndim == 0 or x2.shape[-1] != i2 or x1.shape[:-1] != x2.shape[:-1]:
            raise ValueError(f"{self!r}: expected inputs (..., {i1}) and (..., {i2}) with the same leading "
                             f"dims, got {x1.shape} and {x2.shape}")
        lead = x1.shape[:-1]
        # u[m, o, j] = sum_i x1[m, i] W[o, i, j], as one matmul over the flattened leading dims
        u = x1.reshape(-1, i1) @ self.weight.transpose(1, 0, 2).reshape(i1, o * i2)
        y = (u.reshape(-1, o, i2) * x2.reshape(-1, 1, i2)).sum(-1)
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*lead, o)

    def extra_repr(self) -> str:
        return (f"in_features_1={self.in_features_1}, in_features_2={self.in_features_2}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")


_TANH = Tanh()  # the default nonlinearity of RNN (stateless, so one instance serves every layer)


class RNN(Module):
    """The older library's vanilla recurrent layer, ``h[t+1] = f(x[t] @ Wxh.T + h[t] @ Whh.T + b)``,
    returning the stack of states directly (not PyTorch's ``(output, h_n)`` pair).

    Parameters
    ----------
    input_size : int
        Features per time step (D).
    hidden_size : int
        Size of the state (H).
    output_size : int, optional
        Accepted for the old signature and unused: the older layer made an output matrix it never
        used or trained; add a ``Linear`` after the layer instead. (The older library required
        it, though its own RNN example left it out.)
    bias : bool, default True
        Whether to learn the bias ``b`` (initialised to zeros).
    nonlinearity : Module, default Tanh()
        The activation ``f``.
    time_first : bool, default True
        Input (T, N, D) and output (T + 1, N, H) when True; (N, T, D) and (N, T + 1, H) when False.
    bptt_truncate : int, default 0
        0 backpropagates through the whole sequence; k > 0 cuts the gradient every k steps
        (the state is detached at t = k, 2k, ...: truncated backpropagation through time).

    Notes
    -----
    The output holds T + 1 states: index 0 is the initial state (``h0``, zeros by default) and
    index -1 the last one, as in the older library, so ``rnn.forward(x)[-1]`` is the final state.
    As there, ``backward(delta)`` also takes a ``delta`` of shape (N, H): the gradient of that
    final state alone.
    ``Wxh`` (H, D) is initialised from U(-sqrt(1/D), sqrt(1/D)) and ``Whh`` (H, H) from
    U(-sqrt(1/H), sqrt(1/H)).

    Examples
    --------
    >>> import numpy as np
    >>> from tensorlite.legacy import nn
    >>> rnn = nn.RNN(28, 16, 10)
    >>> h = rnn.forward(np.zeros((28, 5, 28), dtype=np.float32))   # (T, N, D)
    >>> h.shape
    (29, 5, 16)
    >>> rnn.backward(np.ones(h.shape, dtype=np.float32)).shape
    (28, 5, 28)
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int | None = None, bias: bool = True,
                 nonlinearity: _nn.Module = _TANH, time_first: bool = True, bptt_truncate: int = 0) -> None:
        super().__init__()
        self.input_size = size(input_size, "input_size", "RNN", 1)
        self.hidden_size = size(hidden_size, "hidden_size", "RNN", 1)
        self.output_size = output_size
        if not isinstance(nonlinearity, _nn.Module):
            raise TypeError(f"RNN: nonlinearity must be a Module such as Tanh(), got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        self.time_first = bool(time_first)
        self.bptt_truncate = size(bptt_truncate, "bptt_truncate", "RNN", 0)
        dtype = config.get_default_dtype()
        self.Wxh = Parameter(xp.empty((hidden_size, input_size), dtype=dtype))
        self.Whh = Parameter(xp.empty((hidden_size, hidden_size), dtype=dtype))
        self.register_parameter("b", Parameter(xp.zeros(hidden_size, dtype=dtype)) if bias else None)
        init.uniform_(self.Wxh, -math.sqrt(1 / input_size), math.sqrt(1 / input_size))
        init.uniform_(self.Whh, -math.sqrt(1 / hidden_size), math.sqrt(1 / hidden_size))

    def forward(self, X: Tensor, h0: Any = None) -> Tensor:
        if X.ndim != 3 or X.shape[2] != self.input_size:
            layout = "(T, N, D)" if self.time_first else "(N, T, D)"
            raise ValueError(f"RNN(input_size={self.input_size}): expected input {layout} with D = "
                             f"{self.input_size}, got shape {X.shape}")
        if not self.time_first:
            X = X.transpose(0, 1)
        n = X.shape[1]
        if h0 is None:
            h = Tensor(xp.zeros((n, self.hidden_size), dtype=self.Wxh.dtype))
        else:
            h = h0 if isinstance(h0, Tensor) else Tensor(xp.asarray(h0, dtype=self.Wxh.dtype))
            if h.shape != (n, self.hidden_size):
                raise ValueError(f"RNN: h0 must have shape {(n, self.hidden_size)}, got {h.shape}")
        # the input projection of every step at once, then the recurrence step by step
        xw = X @ self.Wxh.T
        if self.b is not None:
            xw = xw + self.b
        states = [h]
        for t in range(X.shape[0]):
            if self.bptt_truncate and t and t % self.bptt_truncate == 0 and autograd.is_grad_enabled():
                h = h.detach()
            h = self.nonlinearity(xw[t] + h @ self.Whh.T)
            states.append(h)
        out = stack(states)
        return out if self.time_first else out.transpose(0, 1)

    def backward(self, delta: Any = None) -> Any:
        """Propagate ``delta`` (of the output's shape, or (N, H) for the final state only) back
        through the last forward call; return dL/dX.

        Parameters
        ----------
        delta : ndarray or Tensor
            The gradient of the output (T + 1, N, H) (or (N, T + 1, H)), or of the last state (N, H).
        """
        call = self.__dict__.get("_last_call")
        d = delta.data if isinstance(delta, Tensor) else delta
        if call is not None and d is not None and xp.ndim(d) == 2:
            shape = call.outputs[0][1]
            full = xp.zeros(shape, dtype=call.outputs[0][2])
            if self.time_first:
                full[-1] = d
            else:
                full[:, -1] = d
            delta = full
        return super().backward(delta)

    def extra_repr(self) -> str:
        extras = "" if self.b is not None else ", bias=False"
        extras += "" if self.time_first else ", time_first=False"
        extras += f", bptt_truncate={self.bptt_truncate}" if self.bptt_truncate else ""
        return f"{self.input_size}, {self.hidden_size}{extras}"
