"""``tensorlite.nn.utils.rnn``: ``pad_sequence``, to batch sequences of different lengths."""
from __future__ import annotations

from typing import Any, Sequence

from tensorlite.ops.index import pad, stack
from tensorlite.ops.operands import as_tensor
from tensorlite.tensor import Tensor

__all__ = ["pad_sequence"]


def pad_sequence(sequences: Sequence[Any], batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """Pad sequences of shape ``(L_i, *)`` to the longest length and stack them (recorded: differentiable).

    Parameters
    ----------
    sequences : sequence of Tensors of shape ``(L_i, *)``
        The sequences; their trailing dims must agree.
    batch_first : bool, default False
        Output ``(B, T, *)`` when True, else ``(T, B, *)``, where T is the longest length.
    padding_value : float, default 0.0
        The value of the padded positions.
    padding_side : {'right', 'left'}, default 'right'
        Where the padding goes.

    Returns
    -------
    Tensor of shape ``(T, B, *)`` or ``(B, T, *)``

    Examples
    --------
    >>> import tensorlite as tl
    >>> from tensorlite.nn.utils.rnn import pad_sequence
    >>> pad_sequence([tl.tensor([1.0, 2.0, 3.0]), tl.tensor([4.0])], batch_first=True, padding_value=-1)
    tensor([[ 1.,  2.,  3.],
            [ 4., -1., -1.]])
    """
    if padding_side not in ("right", "left"):
        raise ValueError(f"pad_sequence: padding_side must be 'right' or 'left', got {padding_side!r}")
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0)) if hasattr(sequences, "unbind") else [sequences[i] for i in
                                                                                    range(sequences.shape[0])]
    tensors = [s if isinstance(s, Tensor) else as_tensor(s, "pad_sequence") for s in sequences]
    if not tensors:
        raise ValueError("pad_sequence: got no sequences")
    for i, t in enumerate(tensors):
        if t.ndim < 1:
            raise ValueError(f"pad_sequence: sequence {i} is 0-d; each needs a length dim (L_i, *)")
        if t.shape[1:] != tensors[0].shape[1:]:
            raise ValueError(f"pad_sequence: sequence {i} has shape {t.shape}, whose trailing dims differ from "
                             f"sequence 0's {tensors[0].shape}")
    longest = max(t.shape[0] for t in tensors)
    rest = [(0, 0)] * (tensors[0].ndim - 1)
    padded = []
    for t in tensors:
        extra = longest - t.shape[0]
        if extra == 0:
            padded.append(t)
        else:
            width = (0, extra) if padding_side == "right" else (extra, 0)
            padded.append(pad(t, [width, *rest], value=padding_value))
    return stack(padded, 0 if batch_first else 1)
