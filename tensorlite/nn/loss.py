"""Loss modules: ``MSELoss CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss
CategoricalCrossEntropyLoss``.

Each calls its fused op in :mod:`tensorlite.ops.loss`. In the legacy explicit-backward style,
``criterion.backward()`` (no argument) returns dL/d(prediction) of the last call::

    loss = criterion.forward(pred, target)
    dout = criterion.backward()          # ndarray of pred's shape
    model.backward(dout)
"""
from __future__ import annotations

import os
import sys
import warnings
from typing import Any

from tensorlite.backend import xp
from tensorlite.nn.module import Module
from tensorlite.ops import loss as L
from tensorlite.ops.args import number
from tensorlite.tensor import Tensor

__all__ = ["MSELoss", "MeanSquaredLoss", "CrossEntropyLoss", "NLLLoss", "BCELoss",
           "BCEWithLogitsLoss", "CategoricalCrossEntropyLoss", "CCELoss"]


class _Loss(Module):
    """Base of the losses: holds ``reduction`` ('mean', 'sum' or 'none'), shows the options that
    differ from their defaults in the repr, and makes ``backward()`` return the prediction's
    gradient only."""

    _defaults: dict[str, Any] = {"reduction": "mean"}


    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        self.reduction = L._reduction(reduction, type(self).__name__)

    def extra_repr(self) -> str:
        shown = []
        for name, default in self._defaults.items():
            value = getattr(self, name)
            if isinstance(value, Tensor):
                shown.append(f"{name}=<{value.shape} tensor>")
            elif value is not default and value != default:
                shown.append(f"{name}={value!r}")
        return ", ".join(shown)

    def backward(self, dout: Any = None) -> Any:
        """Legacy explicit backward: dL/d(prediction) for the last ``forward(prediction, target)``
        call, as an ndarray of the prediction's shape.

        Parameters
        ----------
        dout : upstream gradient of the loss (None: 1 for a scalar loss; for
            ``reduction='none'`` an array of the loss's shape)
        """
        grads = super().backward(dout)
        return grads[0] if isinstance(grads, tuple) else grads


def _buffer(value: Any) -> Tensor | None:
    return value if value is None or isinstance(value, Tensor) else Tensor(value)


class MSELoss(_Loss):
    """Mean squared error ``(input - target) ** 2``, reduced over every element.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element (or per-sample) losses are combined; 'none' keeps them.

    Notes
    -----
    Shapes: input and target of the same shape (never broadcast); output a scalar, or the
    input's shape for ``reduction='none'``.

    Examples
    --------
    >>> import tensorlite as tl
    >>> criterion = tl.nn.MSELoss()
    >>> pred = tl.tensor([1.0, 2.0], requires_grad=True)
    >>> criterion.forward(pred, tl.tensor([0.0, 4.0]))
    tensor(2.5, grad_fn=<MseLossBackward>)
    >>> criterion.backward()
    array([ 1., -2.], dtype=float32)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L._mse_loss(self, input, target, self.reduction)


MeanSquaredLoss = MSELoss


class CrossEntropyLoss(_Loss):
    """Cross entropy of logits against class indices or class probabilities (PyTorch's
    semantics; one fused op). See :func:`tensorlite.nn.functional.cross_entropy` for the details of
    ``weight``, ``ignore_index``, ``reduction`` and ``label_smoothing``.

    Parameters
    ----------
    weight : Tensor or ndarray of shape (C,), optional
        A constant rescaling weight per class (kept as a buffer).
    ignore_index : int, default -100
        Index targets equal to it contribute nothing, neither to the loss nor to the 'mean'
        divisor.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' divides by the summed weight of the targets not ignored (index targets) or by the
        number of samples (probability targets); 'none' keeps one loss per sample.
    label_smoothing : float, default 0.0
        s in [0, 1]: the target becomes ``(1 - s) * onehot(target) + s / C``.

    Notes
    -----
    Shapes: input (N, C), (N, C, d1, ...) or (C,); target (N,), (N, d1, ...) or () of class
    indices, or probabilities of the input's shape; output a scalar, or (N, d1, ...) for
    ``reduction='none'``.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> criterion = tl.nn.CrossEntropyLoss(label_smoothing=0.1)
    >>> criterion
    CrossEntropyLoss(label_smoothing=0.1)
    >>> logits = tl.zeros(2, 4, requires_grad=True)
    >>> criterion(logits, np.array([1, 3]))
    tensor(1.386294, grad_fn=<CrossEntropyBackward>)
    >>> criterion.backward().round(4)
    array([[ 0.1125, -0.3375,  0.1125,  0.1125],
           [ 0.1125,  0.1125,  0.1125, -0.3375]], dtype=float32)
    """

    _defaults = {"weight": None, "ignore_index": -100, "reduction": "mean", "label_smoothing": 0.0}

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean",
                 label_smoothing: float = 0.0) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.ignore_index = ignore_index
        self.label_smoothing = number(label_smoothing, "label_smoothing", "CrossEntropyLoss", 0, 1)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        if not self.__dict__.get("_warned_probabilities") and _looks_like_probabilities(input):
            self.__dict__["_warned_probabilities"] = True  # once per loss object
            warnings.warn(
                "CrossEntropyLoss takes logits (as PyTorch's), but every row of its input is non-negative "
                "and sums to 1: probabilities, e.g. after a Softmax. It would train with a different loss. "
                "For probabilities use nn.CategoricalCrossEntropyLoss (nn.CCELoss); for scripts written for "
                "the older library, whose CrossEntropyLoss took probabilities and one-hot targets, use "
                "tensorlite.legacy", UserWarning, stacklevel=_user_level())
        return L._cross_entropy(self, input, target, self.weight, self.ignore_index, self.reduction,
                                self.label_smoothing)


def _user_level() -> int:
    """The ``stacklevel`` of the first caller outside ``tensorlite/nn`` (``criterion(...)`` and
    ``criterion.forward(...)`` pass through different numbers of frames in there)."""
    here, level = os.path.dirname(os.path.abspath(__file__)), 1
    frame = sys._getframe(1)
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(here):
        frame, level = frame.f_back, level + 1
    return level


def _looks_like_probabilities(input: Any) -> bool:
    """Whether every row of ``input`` along the class axis (1, or 0 for a (C,) input) is
    non-negative and sums to 1, with at least two classes: probabilities fed where logits belong."""
    data = input.data if isinstance(input, Tensor) else xp.asarray(input)
    axis = 0 if data.ndim == 1 else 1
    if data.dtype.kind != "f" or data.ndim == 0 or data.size == 0 or data.shape[axis] < 2 or data.min() < 0:
        return False
    return bool(xp.allclose(data.sum(axis=axis), 1.0, rtol=0, atol=1e-4))


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (e.g. after ``nn.LogSoftmax(dim=1)``).
    See :func:`tensorlite.nn.functional.nll_loss`.

    Parameters
    ----------
    weight : Tensor or ndarray of shape (C,), optional
        A constant weight per class (kept as a buffer).
    ignore_index : int, default -100
        Targets equal to it contribute nothing, neither to the loss nor to the 'mean' divisor.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' divides by the summed weight of the targets not ignored; 'none' keeps one loss
        per sample.

    Notes
    -----
    Shapes: input (N, C), (N, C, d1, ...) or (C,); target (N,), (N, d1, ...) or () of class
    indices.

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> tl.nn.NLLLoss(reduction="sum")(tl.tensor([[-0.5, -1.0], [-2.0, -0.1]]), np.array([0, 1]))
    tensor(0.6)
    """

    _defaults = {"weight": None, "ignore_index": -100, "reduction": "mean"}

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L._nll_loss(self, input, target, self.weight, self.ignore_index, self.reduction)


class BCELoss(_Loss):
    """Binary cross entropy of probabilities (logarithms clamped to >= -100, as PyTorch).
    See :func:`tensorlite.nn.functional.binary_cross_entropy`.

    Parameters
    ----------
    weight : Tensor or ndarray, optional
        A constant weight per element, broadcastable to the input's shape (kept as a buffer).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element (or per-sample) losses are combined; 'none' keeps them.

    Notes
    -----
    Shapes: input and target of the same shape; ``weight`` broadcastable to it.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.BCELoss()(tl.tensor([0.5, 0.5]), tl.tensor([1.0, 0.0]))
    tensor(0.6931472)
    """

    _defaults = {"weight": None, "reduction": "mean"}

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L._binary_cross_entropy(self, input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy of ``sigmoid(input)`` computed from logits, stable for any logit.
    See :func:`tensorlite.nn.functional.binary_cross_entropy_with_logits`.

    Parameters
    ----------
    weight : Tensor or ndarray, optional
        A constant weight per element, broadcastable to the input's shape (kept as a buffer).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element (or per-sample) losses are combined; 'none' keeps them.
    pos_weight : Tensor or ndarray, optional
        A constant weight of the positive term, broadcastable to the input's shape (kept as a
        buffer).

    Notes
    -----
    Shapes: input and target of the same shape; ``weight`` and ``pos_weight`` broadcastable
    to it (``pos_weight`` usually (C,), one per class along the last dim).

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.BCEWithLogitsLoss(pos_weight=tl.tensor([2.0]))
    BCEWithLogitsLoss(pos_weight=<(1,) tensor>)
    >>> tl.nn.BCEWithLogitsLoss()(tl.tensor([0.0, 0.0]), tl.tensor([1.0, 0.0]))
    tensor(0.6931472)
    """

    _defaults = {"weight": None, "reduction": "mean", "pos_weight": None}

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", _buffer(weight))
        self.register_buffer("pos_weight", _buffer(pos_weight))

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L._bce_with_logits(self, input, target, self.weight, self.reduction, self.pos_weight)


class CategoricalCrossEntropyLoss(_Loss):
    """The seed's cross entropy of probabilities (e.g. the output of ``nn.Softmax()``) against
    one-hot or class-index targets: ``-sum_c target[n, c] * log(max(p[n, c], eps))`` per sample,
    averaged over samples. See :func:`tensorlite.nn.functional.categorical_cross_entropy`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' averages over the samples; 'none' keeps one loss per sample.
    eps : float, default 1e-7
        The smallest probability used in the logarithm.

    Notes
    -----
    Shapes: input (N, C) (class axis last); target one-hot (N, C) or indices (N,).

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> from tensorlite import nn
    >>> model, criterion = nn.Softmax(), nn.CCELoss()
    >>> p = model.forward(tl.zeros(2, 4, requires_grad=True))
    >>> loss = criterion.forward(p, np.array([1, 3])); loss
    tensor(1.386294, grad_fn=<CategoricalCrossEntropyBackward>)
    >>> dout = criterion.backward(); dout
    array([[ 0., -2.,  0.,  0.],
           [ 0.,  0.,  0., -2.]], dtype=float32)
    >>> model.backward(dout)
    array([[ 0.125, -0.375,  0.125,  0.125],
           [ 0.125,  0.125,  0.125, -0.375]], dtype=float32)
    """

    _defaults = {"reduction": "mean", "eps": 1e-7}

    def __init__(self, reduction: str = "mean", eps: float = 1e-7) -> None:
        super().__init__(reduction)
        self.eps = eps

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return L._categorical_cross_entropy(self, input, target, self.reduction, self.eps)


CCELoss = CategoricalCrossEntropyLoss
