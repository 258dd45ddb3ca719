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
    return bool(xp.abs(data.sum(axis=axis) - 1).max() <= 1e-4)  # allclose(..., 1, atol=1e-4), one pass


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


# -- more losses (issue 15, part C): their functions in tensorlite.ops.loss_extra ----------------

from tensorlite.ops import loss_extra as LX  # noqa: E402
from tensorlite.ops.activation_extra import _p  # noqa: E402
from tensorlite.ops.args import flag, integer  # noqa: E402

__all__ += ["L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "CosineEmbeddingLoss", "MarginRankingLoss",
            "TripletMarginLoss", "GaussianNLLLoss", "PoissonNLLLoss", "CTCLoss"]


class _LegacyLoss(_Loss):
    """A loss that also takes PyTorch's deprecated ``size_average``/``reduce`` flags."""

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(LX.legacy_reduction(size_average, reduce, reduction, type(self).__name__))


class L1Loss(_LegacyLoss):
    """Absolute error ``|input - target|``. See :func:`tensorlite.nn.functional.l1_loss`.

    Parameters
    ----------
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses are combined; 'none' keeps them.

    Notes
    -----
    Shapes: input and target of the same shape; output a scalar, or that shape for 'none'.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.L1Loss()(tl.tensor([1.0, 2.0]), tl.tensor([0.0, 4.0]))
    tensor(1.5)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return LX._l1(self, input, target, self.reduction)


class SmoothL1Loss(_LegacyLoss):
    """Smooth L1 loss (quadratic below ``beta``, linear above). See
    :func:`tensorlite.nn.functional.smooth_l1_loss`.

    Parameters
    ----------
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses are combined; 'none' keeps them.
    beta : float, default 1.0
        Where the loss changes from quadratic to linear; non-negative.

    Notes
    -----
    Shapes: input and target of the same shape; output a scalar, or that shape for 'none'.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.SmoothL1Loss(beta=0.5)
    SmoothL1Loss(beta=0.5)
    >>> tl.nn.SmoothL1Loss()(tl.tensor([0.5, 3.0]), tl.tensor([0.0, 0.0]))
    tensor(1.3125)
    """

    _defaults = {"reduction": "mean", "beta": 1.0}

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = number(beta, "beta", "SmoothL1Loss", 0)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return LX._smooth_l1(self, input, target, self.reduction, self.beta)


class HuberLoss(_Loss):
    """Huber loss (quadratic below ``delta``, linear above). See
    :func:`tensorlite.nn.functional.huber_loss`.

    Parameters
    ----------
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses are combined; 'none' keeps them.
    delta : float, default 1.0
        Where the loss changes from quadratic to linear; positive.

    Notes
    -----
    Shapes: input and target of the same shape; output a scalar, or that shape for 'none'.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.HuberLoss(delta=2.0)(tl.tensor([0.5, 3.0]), tl.tensor([0.0, 0.0]))
    tensor(2.0625)
    """

    _defaults = {"reduction": "mean", "delta": 1.0}

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = number(delta, "delta", "HuberLoss", 0, strict=True)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return LX._huber(self, input, target, self.reduction, self.delta)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence of the target from the input's log-probabilities. See
    :func:`tensorlite.nn.functional.kl_div`.

    Parameters
    ----------
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'batchmean', 'sum', 'none'}, default 'mean'
        'batchmean' (the KL divergence per sample) divides the sum by the batch size.
    log_target : bool, default False
        Whether the target holds log-probabilities.

    Notes
    -----
    Shapes: input and target of the same shape; output a scalar, or that shape for 'none'.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.KLDivLoss(reduction="batchmean", log_target=True)
    KLDivLoss(reduction='batchmean', log_target=True)
    >>> tl.nn.KLDivLoss(reduction="sum")(tl.log(tl.tensor([0.5, 0.5])), tl.tensor([0.5, 0.5]))
    tensor(0.)
    """

    _defaults = {"reduction": "mean", "log_target": False}

    def __init__(self, size_average: Any = None, reduce: Any = None, reduction: str = "mean",
                 log_target: bool = False) -> None:
        Module.__init__(self)
        if size_average is not None or reduce is not None:
            reduction = LX.legacy_reduction(size_average, reduce, "mean", "KLDivLoss")
        elif reduction != "batchmean":
            reduction = L._reduction(reduction, "KLDivLoss")
        self.reduction = reduction
        self.log_target = flag(log_target, "log_target", "KLDivLoss")

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return LX._kl_div(self, input, target, self.reduction, self.log_target)


class CosineEmbeddingLoss(_LegacyLoss):
    """Cosine embedding loss of pairs labelled 1 (similar) or -1 (dissimilar). See
    :func:`tensorlite.nn.functional.cosine_embedding_loss`.

    Parameters
    ----------
    margin : float, default 0.0
        Dissimilar pairs are penalised above this cosine.
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-pair losses are combined; 'none' keeps them.

    Notes
    -----
    Shapes: inputs (N, D) or (D,), target (N,) or ().

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.CosineEmbeddingLoss()(tl.ones(2, 3), tl.ones(2, 3), tl.tensor([1.0, 1.0]))
    tensor(0.)
    """

    _defaults = {"margin": 0.0, "reduction": "mean"}

    def __init__(self, margin: float = 0.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = number(margin, "margin", "CosineEmbeddingLoss")

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return LX._cosine_embedding(self, input1, input2, target, self.margin, self.reduction)


class MarginRankingLoss(_LegacyLoss):
    """``max(0, -target * (input1 - input2) + margin)``. See
    :func:`tensorlite.nn.functional.margin_ranking_loss`.

    Parameters
    ----------
    margin : float, default 0.0
        The margin.
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the losses are combined; 'none' keeps them.

    Notes
    -----
    Shapes: input1, input2 and target (N,) or ().

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.MarginRankingLoss(margin=1.0)(tl.tensor([2.0]), tl.tensor([1.0]), tl.tensor([1.0]))
    tensor(0.)
    """

    _defaults = {"margin": 0.0, "reduction": "mean"}

    def __init__(self, margin: float = 0.0, size_average: Any = None, reduce: Any = None,
                 reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = number(margin, "margin", "MarginRankingLoss")

    def forward(self, input1: Tensor, input2: Tensor, target: Tensor) -> Tensor:
        return LX._margin_ranking(self, input1, input2, target, self.margin, self.reduction)


class TripletMarginLoss(_LegacyLoss):
    """Triplet margin loss ``max(0, margin + d(a, p) - d(a, n))``. See
    :func:`tensorlite.nn.functional.triplet_margin_loss`.

    Parameters
    ----------
    margin : float, default 1.0
        The margin; positive.
    p : float, default 2.0
        The exponent of the distance's norm.
    eps : float, default 1e-6
        Added to each difference.
    swap : bool, default False
        Use the distance swap.
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-triplet losses are combined; 'none' keeps them.

    Notes
    -----
    Shapes: anchor, positive and negative (N, D) or (D,); output a scalar, or (N,) for 'none'.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.TripletMarginLoss(margin=0.5)
    TripletMarginLoss(margin=0.5)
    >>> tl.nn.TripletMarginLoss()(tl.zeros(1, 2), tl.zeros(1, 2), tl.ones(1, 2)).item() < 1e-5
    True
    """

    _defaults = {"margin": 1.0, "p": 2.0, "eps": 1e-6, "swap": False, "reduction": "mean"}

    def __init__(self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False,
                 size_average: Any = None, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.margin = number(margin, "margin", "TripletMarginLoss", 0, strict=True)
        self.p = _p(p, "TripletMarginLoss")
        self.eps = number(eps, "eps", "TripletMarginLoss")
        self.swap = flag(swap, "swap", "TripletMarginLoss")

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return LX._triplet(self, anchor, positive, negative, self.margin, self.p, self.eps, self.swap,
                           self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood with predicted variances. See
    :func:`tensorlite.nn.functional.gaussian_nll_loss`.

    Parameters
    ----------
    full : bool, default False
        Include the constant ``0.5 log(2 pi)``.
    eps : float, default 1e-6
        The smallest variance used.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses are combined; 'none' keeps them.

    Notes
    -----
    Shapes: input and target (N, ...); var of that shape, or with the last dim 1 or dropped.

    Examples
    --------
    >>> import tensorlite as tl
    >>> loss = tl.nn.GaussianNLLLoss()
    >>> loss(tl.tensor([0.0, 1.0]), tl.tensor([1.0, 1.0]), tl.tensor([1.0, 1.0]))
    tensor(0.25)
    """

    _defaults = {"full": False, "eps": 1e-6, "reduction": "mean"}

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full = flag(full, "full", "GaussianNLLLoss")
        self.eps = number(eps, "eps", "GaussianNLLLoss", 0)

    def forward(self, input: Tensor, target: Tensor, var: Any) -> Tensor:
        return LX._gaussian_nll(self, input, target, var, self.full, self.eps, self.reduction)


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood. See :func:`tensorlite.nn.functional.poisson_nll_loss`.

    Parameters
    ----------
    log_input : bool, default True
        Whether the input is the log of the rate.
    full : bool, default False
        Add Stirling's approximation of ``log(target!)`` where ``target > 1``.
    size_average : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='sum'``.
    eps : float, default 1e-8
        Added to the rate in the logarithm when not ``log_input``.
    reduce : bool, optional
        Deprecated (PyTorch's): ``False`` means ``reduction='none'``.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        How the per-element losses are combined; 'none' keeps them.

    Notes
    -----
    Shapes: input and target of the same shape.

    Examples
    --------
    >>> import tensorlite as tl
    >>> tl.nn.PoissonNLLLoss()(tl.tensor([0.0, 1.0]), tl.tensor([1.0, 2.0]))
    tensor(0.859141)
    """

    _defaults = {"log_input": True, "full": False, "eps": 1e-8, "reduction": "mean"}

    def __init__(self, log_input: bool = True, full: bool = False, size_average: Any = None,
                 eps: float = 1e-8, reduce: Any = None, reduction: str = "mean") -> None:
        super().__init__(LX.legacy_reduction(size_average, reduce, reduction, "PoissonNLLLoss"))
        self.log_input = flag(log_input, "log_input", "PoissonNLLLoss")
        self.full = flag(full, "full", "PoissonNLLLoss")
        self.eps = number(eps, "eps", "PoissonNLLLoss")

    def forward(self, log_input: Tensor, target: Tensor) -> Tensor:
        return LX._poisson_nll(self, log_input, target, self.log_input, self.full, self.eps, self.reduction)


class CTCLoss(_Loss):
    """Connectionist temporal classification loss. See :func:`tensorlite.nn.functional.ctc_loss`.

    Parameters
    ----------
    blank : int, default 0
        The blank class.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        'mean' divides each loss by its target length, then averages over the batch.
    zero_infinity : bool, default False
        Replace infinite losses and their gradients by 0.

    Notes
    -----
    Shapes: log_probs (T, N, C) or (T, C); targets (N, S) or the concatenated 1-d targets;
    input_lengths and target_lengths (N,).

    Examples
    --------
    >>> import numpy as np, tensorlite as tl
    >>> lp = tl.log_softmax(tl.zeros(3, 1, 2), dim=2)
    >>> tl.nn.CTCLoss(reduction="sum")(lp, np.array([[1]]), [3], [1])
    tensor(0.28768206)
    """

    _defaults = {"blank": 0, "reduction": "mean", "zero_infinity": False}

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> None:
        super().__init__(reduction)
        self.blank = integer(blank, "blank", "CTCLoss")
        self.zero_infinity = flag(zero_infinity, "zero_infinity", "CTCLoss")

    def forward(self, log_probs: Tensor, targets: Any, input_lengths: Any, target_lengths: Any) -> Tensor:
        return LX._ctc_loss(self, log_probs, targets, input_lengths, target_lengths, self.blank,
                            self.reduction, self.zero_infinity)
